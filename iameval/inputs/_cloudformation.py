"""CloudFormation, SAM and CDK-synthesized templates: every policy they hold, by resource type.

`AWS::IAM::Role` (trust policy, inline policies, managed policy ARNs, permissions boundary),
`::User`, `::Group`, `::Policy`, `::ManagedPolicy`, `::RolePolicy`, `::UserPolicy`,
`::GroupPolicy`; the resource-based policies of `AWS::S3::BucketPolicy`, `AWS::KMS::Key`,
`AWS::SQS::QueuePolicy`, `AWS::SNS::TopicPolicy`, `AWS::SecretsManager::ResourcePolicy`,
`AWS::S3Tables::TableBucketPolicy`, and a function's `AWS::Lambda::Permission`s
(`_lambda_permissions.py`); other resource policies validated only (`_NOT_APPLIED`); SCPs and
RCPs of `AWS::Organizations::Policy`, applied by their `TargetIds` (`organization_levels`);
`AWS::SSO::PermissionSet` inline policies; and the role SAM generates for an
`AWS::Serverless::Function` or `::StateMachine` with its `Policies` (`_sam.py`). A resource whose
`Condition` is false is not deployed, and not read.

Property values are evaluated (`_intrinsics.py`) into one output document that mirrors the
template, with each element's position in the template: a policy's problems are located at the
element of the template they come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..policy._errors import Path as JsonPath
from ..policy._model import PolicyKind
from ..policy._not_policies import FileKind, recognise
from ..policy._source import Source
from ._intrinsics import NO_VALUE, Intrinsics
from ._lambda_permissions import Permission, function_policies
from ._placeholders import placeholder
from ._sam import sam_policies
from ._templates import (ORGANIZATION_TYPES, Assembly, Defaults, Entity, FoundPolicy, Infrastructure, Targeted,
                         load_found, organization_levels, queue_arn, step, warning)

__all__ = ["read_template"]


@dataclass(frozen=True)
class _Shape:
    """How a resource type is named: the property that gives its name, what `Ref` returns
    (`name`, `arn`, `url` or `id`), and its ARN from the name (`{p}` partition, `{r}` region,
    `{a}` account, `{path}` an IAM path, `{n}` the name)."""

    name: str | None
    ref: str
    arn: str


_IAM = "arn:{p}:iam::{a}:"
SHAPES = {
    "AWS::IAM::Role": _Shape("RoleName", "name", _IAM + "role{path}{n}"),
    "AWS::IAM::User": _Shape("UserName", "name", _IAM + "user{path}{n}"),
    "AWS::IAM::Group": _Shape("GroupName", "name", _IAM + "group{path}{n}"),
    "AWS::IAM::ManagedPolicy": _Shape("ManagedPolicyName", "arn", _IAM + "policy{path}{n}"),
    "AWS::IAM::InstanceProfile": _Shape("InstanceProfileName", "name", _IAM + "instance-profile{path}{n}"),
    "AWS::S3::Bucket": _Shape("BucketName", "name", "arn:{p}:s3:::{n}"),
    "AWS::SQS::Queue": _Shape("QueueName", "url", "arn:{p}:sqs:{r}:{a}:{n}"),
    "AWS::SNS::Topic": _Shape("TopicName", "arn", "arn:{p}:sns:{r}:{a}:{n}"),
    "AWS::KMS::Key": _Shape(None, "id", "arn:{p}:kms:{r}:{a}:key/{n}"),
    "AWS::Lambda::Function": _Shape("FunctionName", "name", "arn:{p}:lambda:{r}:{a}:function:{n}"),
    "AWS::Serverless::Function": _Shape("FunctionName", "name", "arn:{p}:lambda:{r}:{a}:function:{n}"),
    "AWS::DynamoDB::Table": _Shape("TableName", "name", "arn:{p}:dynamodb:{r}:{a}:table/{n}"),
    "AWS::Serverless::SimpleTable": _Shape("TableName", "name", "arn:{p}:dynamodb:{r}:{a}:table/{n}"),
    "AWS::StepFunctions::StateMachine": _Shape("StateMachineName", "arn", "arn:{p}:states:{r}:{a}:stateMachine:{n}"),
    "AWS::Kinesis::Stream": _Shape("Name", "name", "arn:{p}:kinesis:{r}:{a}:stream/{n}"),
    "AWS::Logs::LogGroup": _Shape("LogGroupName", "name", "arn:{p}:logs:{r}:{a}:log-group:{n}:*"),
}
# Attributes that are the name, the ARN or the URL, by type (others are unknown until deployment).
_ATTRIBUTES = {"Arn": "arn", "PolicyArn": "arn", "TopicArn": "arn", "QueueName": "name", "TopicName": "name",
               "QueueUrl": "url", "KeyId": "id"}

# The principal kind of each IAM entity type, and the property naming the entity a policy is attached to.
_ENTITIES = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group"}
_ATTACHED_TO = (("Roles", "role"), ("Users", "user"), ("Groups", "group"))
_ONE_ENTITY = {"AWS::IAM::RolePolicy": ("RoleName", "role"), "AWS::IAM::UserPolicy": ("UserName", "user"),
               "AWS::IAM::GroupPolicy": ("GroupName", "group")}


class _Reader:
    def __init__(self, source: Source, defaults: Defaults):
        self.raw = source
        self.defaults = defaults
        data = source.data if isinstance(source.data, dict) else {}
        resources = data.get("Resources")
        self.resources: dict[str, Any] = {k: v for k, v in resources.items() if isinstance(v, dict)} if isinstance(
            resources, dict) else {}
        self.assembly = Assembly(defaults.aws_managed)
        self.intrinsics = Intrinsics(source, defaults, self.resource_value, self.warn)
        self.out: dict[str, Any] = {"Resources": {}}
        self.source = Source(source.name, source.text, self.out, source.format, 0, self.intrinsics.positions)
        self.generated: set[str] = set()  # resources whose generated name was reported
        self.warned: set[tuple[JsonPath, str]] = set()
        # Loaded once the whole template is read: locating a problem fixes the positions.
        self.held: list[tuple[FoundPolicy, list[str]]] = []  # resource policies, by their resources' ARNs
        self.organization: list[tuple[str, FoundPolicy, list[str]]] = []  # SCPs and RCPs, with their targets
        self.permissions: list[Permission] = []  # of Lambda functions

    def warn(self, at: JsonPath, message: str, code: str, hint: str | None = None) -> None:
        if (at, message) not in self.warned:
            self.warned.add((at, message))
            self.assembly.warn(warning(self.raw, at, message, code, hint))

    # ------------------------------------------------------------------------ properties

    def prop(self, logical: str, name: str) -> Any:
        """A property of a resource, evaluated (None when absent or `AWS::NoValue`)."""
        resource = self.out["Resources"].setdefault(logical, {"Properties": {}})["Properties"]
        if name not in resource:
            props = self.resources[logical].get("Properties")
            if not isinstance(props, dict) or name not in props:
                return None
            at = ("Resources", logical, "Properties", name)
            resource[name] = self.intrinsics.value(props[name], at, at)
        value = resource[name]
        return None if value is NO_VALUE else value

    def at(self, logical: str, *path: str | int) -> JsonPath:
        return ("Resources", logical, "Properties", *path)

    def deployed(self, logical: str) -> bool:
        condition = self.resources[logical].get("Condition")
        return condition is None or self.intrinsics.condition(condition, ("Resources", logical, "Condition"))

    # --------------------------------------------------------------------- names and ARNs

    def resource_value(self, logical: str, attribute: str | None, at: JsonPath) -> Any:
        """`Ref` (attribute None) or `Fn::GetAtt` of a resource, or its placeholder."""
        if logical not in self.resources:
            self.warn(at, f"`{logical}` is not a resource, parameter or pseudo parameter of the template",
                      "invalid-intrinsic")
            return placeholder(logical)
        kind = self.resources[logical].get("Type")
        shape = SHAPES.get(kind) if isinstance(kind, str) else None
        wanted = "ref" if attribute is None else _ATTRIBUTES.get(attribute)
        if shape is None or wanted is None:
            what = logical if attribute is None else f"{logical}.{attribute}"
            self.warn(at, f"the value of `{what}` is known only at deployment: it stands as `{placeholder(what)}`",
                      "unknown-until-deploy")
            return placeholder(what)
        return self.named(logical, shape, shape.ref if wanted == "ref" else wanted)

    def named(self, logical: str, shape: _Shape, form: str) -> str:
        name = self.prop(logical, shape.name) if shape.name else None
        if not isinstance(name, str):
            name = placeholder(logical)
            if logical not in self.generated:
                self.generated.add(logical)
                self.warn(("Resources", logical), f"the name of `{logical}` is generated at deployment: it stands "
                          f"as `{name}`", "unknown-until-deploy",
                          None if shape.name is None else f"give it a `{shape.name}` to know it before")
        d = self.defaults
        if form in ("name", "id"):
            return name
        if form == "url":
            return f"https://sqs.{d.region}.amazonaws.com/{d.account}/{name}"
        path = self.prop(logical, "Path") if shape.arn.startswith(_IAM) else None
        return shape.arn.format(p=d.partition, r=d.region, a=d.account, n=name,
                                path=path if isinstance(path, str) else "/")

    # -------------------------------------------------------------------------- policies

    def found(self, logical: str, label: str, kind: PolicyKind, *path: str | int, trust: bool = False,
              key_policy: bool = False) -> FoundPolicy | None:
        """The policy document at a property path (an object, or JSON text), recorded for `validate`."""
        value: Any = self.prop(logical, str(path[0]))
        for part in path[1:]:
            value = step(value, part)
        at = self.at(logical, *path)
        if value is None:
            return None
        source = self.source
        if isinstance(value, str):
            held = self.assembly.text_policy(self.source, at, value)
            if held is None:
                return None
            value, source = held
        resource_type = self.resources[logical].get("Type")
        return self.assembly.policy(FoundPolicy(f"{logical} ({resource_type}) {label}", kind, value, source, at,
                                                trust, key_policy))

    def inline(self, logical: str, entity: Entity | None) -> None:
        policies = self.prop(logical, "Policies")
        for index, entry in enumerate(policies if isinstance(policies, list) else []):
            name = entry.get("PolicyName") if isinstance(entry, dict) else None
            found = self.found(logical, f"inline policy {name if isinstance(name, str) else index}",
                               PolicyKind.IDENTITY, "Policies", index, "PolicyDocument")
            if found is not None and entity is not None:
                entity.inline.append(found)

    def entity(self, logical: str, kind: str) -> Entity:
        shape = SHAPES[next(t for t, k in _ENTITIES.items() if k == kind)]
        name = self.named(logical, shape, "name")
        entity = self.assembly.add(Entity(logical, kind, self.named(logical, shape, "arn"), name))
        self.inline(logical, entity)
        arns = self.prop(logical, "ManagedPolicyArns")
        for index, arn in enumerate(arns if isinstance(arns, list) else []):
            if isinstance(arn, str):
                entity.managed.append((arn, self.source, self.at(logical, "ManagedPolicyArns", index)))
        boundary = self.prop(logical, "PermissionsBoundary")
        if isinstance(boundary, str):
            entity.boundary = (boundary, self.source, self.at(logical, "PermissionsBoundary"))
        if kind == "role":
            entity.trust = self.found(logical, "trust policy", PolicyKind.RESOURCE_POLICY, "AssumeRolePolicyDocument",
                                      trust=True)
        tags = self.prop(logical, "Tags")
        for tag in tags if isinstance(tags, list) else []:
            if isinstance(tag, dict) and isinstance(tag.get("Key"), str) and isinstance(tag.get("Value"), str):
                entity.tags[tag["Key"]] = tag["Value"]
        groups = self.prop(logical, "Groups") if kind == "user" else None
        entity.groups = [(g, self.source, self.at(logical, "Groups", index))
                         for index, g in enumerate(groups if isinstance(groups, list) else []) if isinstance(g, str)]
        return entity

    def attach(self, logical: str, found: FoundPolicy | None, arn: str | None = None) -> None:
        """A policy resource's `Roles`, `Users` and `Groups` (names): each gets it."""
        for prop, kind in _ATTACHED_TO:
            names = self.prop(logical, prop)
            for index, name in enumerate(names if isinstance(names, list) else []):
                target = self.assembly.find(kind, name) if isinstance(name, str) else None
                if target is None:
                    self.warn(self.at(logical, prop, index), f"the {kind} `{name}` is not in the template: the "
                              "policy is not attached to any principal here", "principal-outside-file")
                elif arn is not None:
                    target.managed.append((arn, self.source, self.at(logical, prop, index)))
                elif found is not None:
                    target.inline.append(found)

    def resource_policy(self, logical: str, targets: list[str], key_policy: bool = False,
                        document: str = "PolicyDocument") -> None:
        found = self.found(logical, "policy" if not key_policy else "key policy", PolicyKind.RESOURCE_POLICY,
                           document, key_policy=key_policy)
        if found is not None:
            self.held.append((found, targets))

    # ---------------------------------------------------------------------------- reading

    def read(self) -> None:
        deployed = [(logical, r.get("Type")) for logical, r in self.resources.items() if self.deployed(logical)]
        for logical, kind in deployed:  # principals first: policies are attached to them by name
            if kind in _ENTITIES:
                self.entity(logical, _ENTITIES[kind])
            elif kind in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
                sam_policies(self, logical, kind)
        for logical, kind in deployed:
            handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
            if handler is not None:
                handler(self, logical)



def _policy(reader: _Reader, logical: str) -> None:
    name = reader.prop(logical, "PolicyName")
    found = reader.found(logical, f"policy {name}" if isinstance(name, str) else "policy", PolicyKind.IDENTITY,
                         "PolicyDocument")
    reader.attach(logical, found)


def _managed_policy(reader: _Reader, logical: str) -> None:
    found = reader.found(logical, "managed policy", PolicyKind.IDENTITY, "PolicyDocument")
    arn = reader.named(logical, SHAPES["AWS::IAM::ManagedPolicy"], "arn")
    if found is not None:
        reader.assembly.managed[arn] = found
    reader.attach(logical, found, arn)


def _one_entity_policy(reader: _Reader, logical: str) -> None:
    prop, kind = _ONE_ENTITY[reader.resources[logical]["Type"]]
    name = reader.prop(logical, "PolicyName")
    found = reader.found(logical, f"policy {name}" if isinstance(name, str) else "policy", PolicyKind.IDENTITY,
                         "PolicyDocument")
    target_name = reader.prop(logical, prop)
    target = reader.assembly.find(kind, target_name) if isinstance(target_name, str) else None
    if target is None:
        reader.warn(reader.at(logical, prop), f"the {kind} `{target_name}` is not in the template: the policy is "
                    "not attached to any principal here", "principal-outside-file")
    elif found is not None:
        target.inline.append(found)


def _bucket_policy(reader: _Reader, logical: str) -> None:
    bucket = reader.prop(logical, "Bucket")
    targets = [f"arn:{reader.defaults.partition}:s3:::{bucket}"] if isinstance(bucket, str) else []
    reader.resource_policy(logical, targets)


def _key(reader: _Reader, logical: str) -> None:
    arn = reader.named(logical, SHAPES["AWS::KMS::Key"], "arn")
    reader.resource_policy(logical, [arn], key_policy=True, document="KeyPolicy")


def _queue_policy(reader: _Reader, logical: str) -> None:
    queues = reader.prop(logical, "Queues")
    arns = [queue_arn(q, reader.defaults.partition) for q in queues] if isinstance(queues, list) else []
    reader.resource_policy(logical, [a for a in arns if a is not None])


def _topic_policy(reader: _Reader, logical: str) -> None:
    topics = reader.prop(logical, "Topics")
    reader.resource_policy(logical, [t for t in topics if isinstance(t, str)] if isinstance(topics, list)
                           else [])


# Resource policies of a resource named by ARN: the type, the property of the policy and of the ARN.
_BY_ARN = {"AWS::SecretsManager::ResourcePolicy": ("ResourcePolicy", "SecretId"),
           "AWS::S3Tables::TableBucketPolicy": ("ResourcePolicy", "TableBucketARN")}


def _policy_by_arn(reader: _Reader, logical: str) -> None:
    document, named = _BY_ARN[reader.resources[logical]["Type"]]
    arn = reader.prop(logical, named)
    reader.resource_policy(logical, [arn] if isinstance(arn, str) else [], document=document)


def _organization_policy(reader: _Reader, logical: str) -> None:
    kind = ORGANIZATION_TYPES.get(str(reader.prop(logical, "Type")))
    if kind is None:
        return  # a tag, backup or AI opt-out policy: no IAM policy
    found = reader.found(logical, "SCP" if kind is PolicyKind.SCP else "RCP", kind, "Content")
    targets = reader.prop(logical, "TargetIds")
    if found is not None:
        given = [t for t in targets if isinstance(t, str)] if isinstance(targets, list) else []
        reader.organization.append((logical, found, given))


def _permission_set(reader: _Reader, logical: str) -> None:
    reader.found(logical, "inline policy", PolicyKind.IDENTITY, "InlinePolicy")


def _lambda_permission(reader: _Reader, logical: str) -> None:
    """A statement of the function's resource-based policy (`_lambda_permissions.py`)."""
    function = reader.prop(logical, "FunctionName")
    if not isinstance(function, str):
        reader.warn(reader.at(logical, "FunctionName"), f"the function of `{logical}` is not known: its permission is "
                    "not read", "invalid-intrinsic")
        return
    reader.permissions.append(Permission(
        logical, logical, reader.prop(logical, "Action"), reader.prop(logical, "Principal"), function, None,
        Permission.conditions_of(*(reader.prop(logical, k) for k in (
            "SourceArn", "SourceAccount", "PrincipalOrgID", "FunctionUrlAuthType", "EventSourceToken"))),
        reader.raw, ("Resources", logical)))


# Resource-based policies iameval validates but does not apply to requests: the resource type and
# the property that holds the policy.
_NOT_APPLIED = {
    "AWS::S3::AccessPoint": "Policy", "AWS::S3Express::AccessPoint": "Policy",
    "AWS::S3::MultiRegionAccessPointPolicy": "Policy", "AWS::CloudTrail::ResourcePolicy": "ResourcePolicy",
    "AWS::ApiGateway::RestApi": "Policy", "AWS::CodeArtifact::Domain": "PermissionsPolicyDocument",
    "AWS::CodeArtifact::Repository": "PermissionsPolicyDocument", "AWS::Backup::BackupVault": "AccessPolicy",
    "AWS::ECR::Repository": "RepositoryPolicyText", "AWS::Logs::ResourcePolicy": "PolicyDocument",
    "AWS::EventBridge::EventBusPolicy": "Statement", "AWS::Events::EventBus": "Policy",
    "AWS::OpenSearchService::Domain": "AccessPolicies", "AWS::Glue::ResourcePolicy": "PolicyInJson",
}


def _not_applied(reader: _Reader, logical: str) -> None:
    """A resource policy `validate` checks, and that requests are decided without (said once)."""
    kind = reader.resources[logical]["Type"]
    found = reader.found(logical, "resource-based policy", PolicyKind.RESOURCE_POLICY, _NOT_APPLIED[kind])
    if found is not None:
        reader.warn(reader.at(logical, _NOT_APPLIED[kind]), f"the policy of `{logical}` ({kind}) is validated, but "
                    "`check` and `who-can` do not apply it to requests", "policy-not-applied",
                    "give it with --resource-policy to decide a request on that resource with it")


_HANDLERS: dict[str, Callable[[_Reader, str], None]] = {
    "AWS::IAM::Policy": _policy,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::IAM::RolePolicy": _one_entity_policy,
    "AWS::IAM::UserPolicy": _one_entity_policy,
    "AWS::IAM::GroupPolicy": _one_entity_policy,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::KMS::Key": _key,
    "AWS::SQS::QueuePolicy": _queue_policy,
    "AWS::SNS::TopicPolicy": _topic_policy,
    "AWS::Organizations::Policy": _organization_policy,
    "AWS::SSO::PermissionSet": _permission_set,
    "AWS::Lambda::Permission": _lambda_permission,
    **{t: _policy_by_arn for t in _BY_ARN},
    **{t: _not_applied for t in _NOT_APPLIED},
}


def read_template(source: Source, defaults: Defaults) -> Infrastructure:
    """Every policy of a parsed template (module docstring), its principals as an account."""
    found = recognise(source.data)
    sam = found is not None and found.kind is FileKind.SAM
    reader = _Reader(source, defaults)
    reader.read()
    for arn, permissions in function_policies(reader.permissions, defaults):
        reader.held.append((reader.assembly.policy(permissions), [arn]))
    account, names = reader.assembly.account()
    resource_policies = {target: policy for found, targets in reader.held
                         for policy in [load_found(found)[0]] if policy is not None for target in targets}
    organization = [(found.kind, Targeted(policy, f"`{logical}`", tuple(targets), reader.raw,
                                          ("Resources", logical, "Properties", "TargetIds")))
                    for logical, found, targets in reader.organization
                    for policy in [load_found(found)[0]] if policy is not None]
    scps, rcps = (organization_levels([t for k, t in organization if k is kind], kind, defaults.account,
                                      reader.assembly) for kind in (PolicyKind.SCP, PolicyKind.RCP))
    return Infrastructure(source.name, "SAM" if sam else "CloudFormation", account, tuple(reader.assembly.found),
                          resource_policies, scps, rcps, names, tuple(reader.assembly.warnings))
