"""Terraform plans (`terraform show -json PLAN`): every policy their resources hold.

`aws_iam_policy`, `aws_iam_role` (`assume_role_policy`, `inline_policy`, `managed_policy_arns`,
`permissions_boundary`), `aws_iam_user`, `aws_iam_group`, `aws_iam_role_policy`,
`aws_iam_user_policy`, `aws_iam_group_policy`, the `*_policy_attachment` resources,
`aws_iam_user_group_membership` and `aws_iam_group_membership`; the resource-based policies of
`aws_s3_bucket_policy`, `aws_kms_key`, `aws_sqs_queue_policy`, `aws_sns_topic_policy`; SCPs and
RCPs of `aws_organizations_policy`, applied by their `aws_organizations_policy_attachment`s
(`organization_levels`); `aws_ssoadmin_permission_set_inline_policy`; the function policy a
Lambda function's `aws_lambda_permission`s make; policies taken from `aws_iam_policy_document`
data sources (`_policy_documents.py`).

The principals are those of one state: `after`, the state the plan leads to, or `before`, the
state it starts from (`iameval diff PLAN` compares the two). Read for `after`, the policies of
`before` are recorded too, for `validate` (a policy the plan changes), and not evaluated. A value
known only after apply (`after_unknown`) is a placeholder (`_placeholders.py`) with an
`unknown-until-apply` warning; an unknown policy leaves its principal incomplete. Every policy is JSON text in an attribute: its problems are located at that
attribute, with the resource's address in its name (`aws_iam_role_policy.app["reader"]`).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Callable

from ..policy._errors import Path as JsonPath
from ..policy._errors import Problem
from ..policy._model import Policy, PolicyKind
from ..policy._source import Source
from ._lambda_permissions import Permission, function_policies
from ._placeholders import placeholder
from ._policy_documents import DataDocument, PolicyDocuments, configured_expression, configured_references
from ._templates import (ORGANIZATION_TYPES, ROOT, Assembly, Defaults, Entity, FoundPolicy, Infrastructure, Targeted,
                         load_found, located_at, organization_levels, queue_arn, step, warning)

__all__ = ["PlanState", "is_plan", "read_plan"]

_ENTITIES = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group"}
_ONE_ENTITY = {"aws_iam_role_policy": "role", "aws_iam_user_policy": "user", "aws_iam_group_policy": "group"}
_ATTACHMENTS = {"aws_iam_role_policy_attachment": "role", "aws_iam_user_policy_attachment": "user",
                "aws_iam_group_policy_attachment": "group"}


class PlanState(Enum):
    """Which state of a plan is read: `after` (with the policies of `before` recorded for
    `validate`, the default), `after` alone, or `before` alone (`iameval diff PLAN`)."""

    AFTER_VALIDATING_BEFORE = "after, before validated"
    AFTER = "after"
    BEFORE = "before"


def is_plan(data: Any) -> bool:
    return isinstance(data, dict) and ("resource_changes" in data or "planned_values" in data)


class _Change:
    """One resource of the plan: its address, its `after` (or `before`) values and which are unknown."""

    def __init__(self, index: int, change: dict[str, Any], state: str):
        self.index = index
        self.address = str(change.get("address"))
        self.type = str(change.get("type"))
        given = change.get("change")
        body: dict[str, Any] = given if isinstance(given, dict) else {}
        values = body.get(state)
        self.values: dict[str, Any] = values if isinstance(values, dict) else {}
        unknown = body.get("after_unknown") if state == "after" else None
        self.unknown: dict[str, Any] = unknown if isinstance(unknown, dict) else {}
        self.state = state
        self.exists = isinstance(values, dict)

    def at(self, *path: str | int) -> JsonPath:
        return ("resource_changes", self.index, "change", self.state, *path)

    def get(self, key: str) -> Any:
        """A value, or None when it is absent or unknown until apply."""
        return None if self.unknown.get(key) is True else self.values.get(key)

    def is_unknown(self, key: str) -> bool:
        return self.unknown.get(key) is True


class _Reader:
    def __init__(self, source: Source, defaults: Defaults, state: PlanState):
        self.source = source
        self.defaults = defaults
        self.state = state
        self.assembly = Assembly(defaults.aws_managed)
        self.resource_policies: dict[str, Policy] = {}
        # SCPs and RCPs by address: kind, policy, where it is, and its `id` where known.
        self.organization: dict[str, tuple[PolicyKind, Policy, JsonPath, str | None]] = {}
        self.attachments: list[tuple[str, str, JsonPath]] = []  # (policy address, target, where) of attachments
        self.unknown: list[tuple[str, Problem]] = []  # (address, warning) of policies unknown until apply
        self.permissions: list[Permission] = []  # of Lambda functions
        self.documents = PolicyDocuments(source.data, defaults.partition)

    def found(self, change: _Change, key: str, label: str, kind: PolicyKind, *, trust: bool = False,
              key_policy: bool = False, path: JsonPath = ()) -> FoundPolicy | None:
        """The policy in attribute `key` (JSON text), recorded for `validate`; None, reported,
        when it is unknown until apply or not JSON."""
        where = change.at(*(path or (key,)))
        container: Any = change.values
        unknown: Any = change.unknown
        for part in path[:-1] if path else ():
            container = step(container, part)
            unknown = step(unknown, part)
        last = path[-1] if path else key
        if (isinstance(unknown, dict) and unknown.get(last) is True) or (
                isinstance(unknown, list) and isinstance(last, int) and last < len(unknown) and unknown[last] is True):
            document = self.documents.referred(change.address, key) if not path else None
            if document is not None and (document.text is not None or document.data is not None):
                return self.from_document(change, document, label, kind, trust, key_policy)
            self.unknown_policy(change, where, label)
            return None
        text = container.get(last) if isinstance(container, dict) else None
        if not isinstance(text, str) or not text.strip():
            return None
        suffix = " (before)" if change.state == "before" and self.state is not PlanState.BEFORE else ""
        held = self.assembly.text_policy(self.source, where, text)
        if held is None:
            return None
        data, located = held
        return self.assembly.policy(FoundPolicy(f"{change.address} {label}{suffix}".replace("  ", " ").strip(), kind,
                                                data, located, where, trust, key_policy))

    def from_document(self, change: _Change, document: DataDocument, label: str, kind: PolicyKind, trust: bool,
                      key_policy: bool) -> FoundPolicy | None:
        """The policy of an attribute known only after apply, from the data source it refers to
        (`_policy_documents.py`), located there; what stands as a placeholder in it is said."""
        if document.text is not None:
            held = self.assembly.text_policy(self.source, document.path, document.text)
            if held is None:
                return None
            data, located = held
        else:
            data, located = document.data, located_at(self.source, document.path, document.data)
        for what in document.unknown:
            self.assembly.warn(warning(self.source, document.path, f"`{what}` is known only after apply: it stands "
                                       f"as a placeholder in the policy of `{change.address}`", "unknown-until-apply"))
        name = f"{change.address} {label}".strip()
        return self.assembly.policy(FoundPolicy(f"{name} (from {document.address})", kind, data, located,
                                                document.path, trust, key_policy))

    def unknown_policy(self, change: _Change, where: JsonPath, label: str) -> None:
        self.unknown.append((change.address, self.assembly.warn(warning(
            self.source, where, f"the {label or 'policy'} of `{change.address}` is known only after apply",
            "unknown-until-apply", "apply the plan, or write the policy without values computed at apply"))))

    def named(self, change: _Change, kind: str) -> tuple[str, str]:
        """An IAM entity's name and ARN; placeholders when known only after apply."""
        d = self.defaults
        name = change.get("name")
        if not isinstance(name, str):
            name = placeholder(f"{change.address}.name")
        arn = change.get("arn")
        if not isinstance(arn, str):
            path = change.get("path")
            arn = f"arn:{d.partition}:iam::{d.account}:{kind}{path if isinstance(path, str) else '/'}{name}"
        return name, arn

    def read(self) -> None:
        data = self.source.data
        changes = data.get("resource_changes") if isinstance(data, dict) else None
        entries = [(i, c) for i, c in enumerate(changes) if isinstance(c, dict) and c.get("mode", "managed") == "managed"
                   ] if isinstance(changes, list) else []
        for index, entry in entries if self.state is PlanState.AFTER_VALIDATING_BEFORE else ():
            before = _Change(index, entry, "before")  # validated, not evaluated
            if before.exists and _HANDLERS.get(before.type) is not None:
                _found_only(self, before)
        state = "before" if self.state is PlanState.BEFORE else "after"
        read = [c for c in (_Change(i, c, state) for i, c in entries) if c.exists]
        for change in read:  # principals first: policies are attached to them by name
            if change.type in _ENTITIES:
                _entity(self, change)
        for later in read:
            handler = _HANDLERS.get(later.type)
            if handler is not None and later.type not in _ENTITIES:
                handler(self, later)


def _found_only(reader: _Reader, change: _Change) -> None:
    """The policies of a resource as it was before the plan, for `validate`."""
    for key, label, kind, trust in _POLICY_ATTRIBUTES.get(change.type, ()):
        if change.type == "aws_organizations_policy":
            kind = ORGANIZATION_TYPES.get(str(change.get("type") or "SERVICE_CONTROL_POLICY"), kind)
        reader.found(change, key, label, kind, trust=trust, key_policy=change.type == "aws_kms_key")
    blocks = change.values.get("inline_policy") if change.type == "aws_iam_role" else None
    for index, _ in enumerate(blocks if isinstance(blocks, list) else []):
        reader.found(change, "policy", f"inline policy {index}", PolicyKind.IDENTITY,
                     path=("inline_policy", index, "policy"))


def _entity(reader: _Reader, change: _Change) -> None:
    kind = _ENTITIES[change.type]
    name, arn = reader.named(change, kind)
    entity = reader.assembly.add(Entity(change.address, kind, arn, name))
    if kind == "role":
        entity.trust = reader.found(change, "assume_role_policy", "trust policy", PolicyKind.RESOURCE_POLICY,
                                    trust=True)
        if entity.trust is None and change.is_unknown("assume_role_policy"):
            entity.problems.append(reader.unknown[-1][1])
        for index, block in enumerate(change.values.get("inline_policy") or []):
            block_name = block.get("name") if isinstance(block, dict) else None
            found = reader.found(change, "policy", f"inline policy {block_name or index}", PolicyKind.IDENTITY,
                                 path=("inline_policy", index, "policy"))
            if found is not None:
                entity.inline.append(found)
        for index, policy_arn in enumerate(change.get("managed_policy_arns") or []):
            if isinstance(policy_arn, str):
                entity.managed.append((policy_arn, reader.source, change.at("managed_policy_arns", index)))
    boundary = change.get("permissions_boundary")
    if isinstance(boundary, str) and boundary:
        entity.boundary = (boundary, reader.source, change.at("permissions_boundary"))
    tags = change.get("tags")
    if isinstance(tags, dict):
        entity.tags.update({k: v for k, v in tags.items() if isinstance(v, str)})


def _target(reader: _Reader, change: _Change, key: str, kind: str) -> Entity | None:
    """The user, group or role an attribute names; one known only after apply is found by the
    reference the configuration writes (`role = aws_iam_role.app.id`)."""
    name = change.get(key)
    target = reader.assembly.find(kind, name) if isinstance(name, str) else None
    for reference in configured_references(reader.source.data, change.address, key) if target is None else ():
        target = reader.assembly.entities.get(reference)
        if target is not None:
            break
    if target is None:
        what = f"`{name}`" if isinstance(name, str) else "known only after apply"
        reader.assembly.warn(warning(reader.source, change.at(key), f"the {kind} {what} is not in the plan: "
                                     "the policy is not attached to any principal here", "principal-outside-file"))
    return target


def _managed_policy(reader: _Reader, change: _Change) -> None:
    found = reader.found(change, "policy", "", PolicyKind.IDENTITY)
    _, arn = reader.named(change, "policy")
    if found is not None:
        reader.assembly.managed[arn] = found


def _one_entity_policy(reader: _Reader, change: _Change) -> None:
    found = reader.found(change, "policy", "", PolicyKind.IDENTITY)
    kind = _ONE_ENTITY[change.type]
    target = _target(reader, change, kind, kind)
    if target is not None and found is not None:
        target.inline.append(found)
    elif target is not None and change.is_unknown("policy"):
        target.problems.append(reader.unknown[-1][1])


def _attachment(reader: _Reader, change: _Change) -> None:
    arn = change.get("policy_arn")
    kind = _ATTACHMENTS[change.type]
    target = _target(reader, change, kind, kind)
    if target is not None:
        target.managed.append((arn if isinstance(arn, str) else placeholder(f"{change.address}.policy_arn"),
                               reader.source, change.at("policy_arn")))


def _policy_attachment(reader: _Reader, change: _Change) -> None:
    """`aws_iam_policy_attachment`: one policy, to lists of users, roles and groups."""
    arn = change.get("policy_arn")
    arn = arn if isinstance(arn, str) else placeholder(f"{change.address}.policy_arn")
    for key, kind in (("users", "user"), ("roles", "role"), ("groups", "group")):
        for index, name in enumerate(change.get(key) or []):
            target = reader.assembly.find(kind, name) if isinstance(name, str) else None
            if target is None:
                _outside(reader, change, (key, index), kind, name)
            else:
                target.managed.append((arn, reader.source, change.at("policy_arn")))


def _memberships(reader: _Reader, change: _Change) -> None:
    """`aws_iam_user_group_membership` (a user, its groups) and `aws_iam_group_membership`."""
    if change.type == "aws_iam_user_group_membership":
        pairs = [(change.get("user"), g) for g in change.get("groups") or []]
    else:
        pairs = [(u, change.get("group")) for u in change.get("users") or []]
    key = "user" if change.type == "aws_iam_user_group_membership" else "users"
    for index, (user_name, group) in enumerate(pairs):
        user = reader.assembly.find("user", user_name) if isinstance(user_name, str) else None
        where = (key,) if key == "user" else (key, index)
        if user is None:
            _outside(reader, change, where, "user", user_name)
        elif not isinstance(group, str):  # known only after apply: the user's policies are not all known
            user.problems.append(reader.assembly.warn(warning(
                reader.source, change.at(*where), "a group of this user is known only after apply",
                "unknown-until-apply", "its policies are unknown here: the user is not evaluated")))
        else:
            user.groups.append((group, reader.source, change.at(*where)))


def _outside(reader: _Reader, change: _Change, where: tuple[str | int, ...], kind: str, name: Any) -> None:
    """A user, group or role named that the plan does not hold: what names it is not applied."""
    what = f"`{name}`" if isinstance(name, str) else "known only after apply"
    reader.assembly.warn(warning(reader.source, change.at(*where), f"the {kind} {what} is not in the plan: "
                                 "what names it is not applied here", "principal-outside-file"))


def _bucket_arn(reader: _Reader, change: _Change, named: str) -> str:
    return f"arn:{reader.defaults.partition}:s3:::{named}"


def _queue_arn(reader: _Reader, change: _Change, named: str) -> str:
    return queue_arn(named, reader.defaults.partition) or named


def _named_arn(service: str) -> Callable[[_Reader, _Change, str], str]:
    """The ARN of a queue or topic from its name, where its `arn` is known only after apply."""
    def arn(reader: _Reader, change: _Change, named: str) -> str:
        given = change.get("arn")
        d = reader.defaults
        if isinstance(given, str) and given:
            return given
        return f"arn:{d.partition}:{service}:{d.region}:{d.account}:{named}"
    return arn


# The resource-based policies a plan holds and requests are decided with: by type, the attribute
# of the policy, the attribute that names the resource, and the resource's ARN from that name.
_RESOURCE_POLICIES: dict[str, tuple[str, str, Callable[[_Reader, _Change, str], str] | None]] = {
    "aws_s3_bucket_policy": ("policy", "bucket", _bucket_arn),
    "aws_s3_bucket": ("policy", "bucket", _bucket_arn),
    "aws_kms_key": ("policy", "arn", None),
    "aws_sqs_queue_policy": ("policy", "queue_url", _queue_arn),
    "aws_sqs_queue": ("policy", "name", _named_arn("sqs")),
    "aws_sns_topic_policy": ("policy", "arn", None),
    "aws_sns_topic": ("policy", "name", _named_arn("sns")),
    "aws_dynamodb_resource_policy": ("policy", "resource_arn", None),
    "aws_kinesis_resource_policy": ("policy", "resource_arn", None),
    "aws_secretsmanager_secret_policy": ("policy", "secret_arn", None),
    "aws_s3tables_table_bucket_policy": ("resource_policy", "table_bucket_arn", None),
}

# Resource-based policies `validate` checks and requests are decided without: by type, the attribute.
_NOT_APPLIED = {
    "aws_api_gateway_rest_api": "policy", "aws_api_gateway_rest_api_policy": "policy",
    "aws_backup_vault_policy": "policy", "aws_codeartifact_domain_permissions_policy": "policy_document",
    "aws_codeartifact_repository_permissions_policy": "policy_document",
    "aws_cloudwatch_log_resource_policy": "policy_document", "aws_cloudwatch_event_bus_policy": "policy",
    "aws_ecr_repository_policy": "policy", "aws_ecr_registry_policy": "policy", "aws_glue_resource_policy": "policy",
    "aws_opensearch_domain": "access_policies", "aws_opensearch_domain_policy": "access_policies",
    "aws_elasticsearch_domain": "access_policies", "aws_elasticsearch_domain_policy": "access_policies",
    "aws_s3tables_table_policy": "resource_policy", "aws_s3_access_point": "policy",
    "aws_s3control_access_point_policy": "policy", "aws_s3control_bucket_policy": "policy",
}


# Resources whose policy attribute the provider computes when the configuration writes none.
_COMPUTED_POLICY = {"aws_s3_bucket", "aws_sqs_queue", "aws_sns_topic"}


def _resource_policy(reader: _Reader, change: _Change) -> None:
    key_policy = change.type == "aws_kms_key"
    attribute, key, arn_of = _RESOURCE_POLICIES[change.type]
    if change.type in _COMPUTED_POLICY and change.is_unknown(attribute) and configured_expression(
            reader.source.data, change.address, attribute)[0] is None:
        return  # no policy written: the one of a separate policy resource, or none
    found = reader.found(change, attribute, "key policy" if key_policy else "", PolicyKind.RESOURCE_POLICY,
                         key_policy=key_policy)
    policy, _ = load_found(found) if found is not None else (None, ())
    named = change.get(key)
    if not isinstance(named, str) or not named:  # known only after apply
        named = placeholder(f"{change.address}.{key}")
    if policy is not None:
        reader.resource_policies[arn_of(reader, change, named) if arn_of is not None else named] = policy


def _not_applied(reader: _Reader, change: _Change) -> None:
    """A resource policy `validate` checks, and that requests are decided without (said once)."""
    attribute = _NOT_APPLIED[change.type]
    if reader.found(change, attribute, "", PolicyKind.RESOURCE_POLICY) is not None:
        reader.assembly.warn(warning(reader.source, change.at(attribute), f"the policy of `{change.address}` is "
                                     "validated, but `check` and `who-can` do not apply it to requests",
                                     "policy-not-applied",
                                     "give it with --resource-policy to decide a request on that resource with it"))


def _lambda_permission(reader: _Reader, change: _Change) -> None:
    """A statement of the function's resource-based policy (`_lambda_permissions.py`)."""
    function = change.get("function_name")
    if not isinstance(function, str) or not function:
        function = placeholder(f"{change.address}.function_name")
    sid = change.get("statement_id")
    qualifier = change.get("qualifier")
    reader.permissions.append(Permission(
        change.address, sid if isinstance(sid, str) and sid else change.address, change.get("action"),
        change.get("principal"), function, qualifier if isinstance(qualifier, str) and qualifier else None,
        Permission.conditions_of(*(change.get(k) if not change.is_unknown(k) else placeholder(f"{change.address}.{k}")
                                   for k in ("source_arn", "source_account", "principal_org_id",
                                             "function_url_auth_type", "event_source_token"))),
        reader.source, change.at()))


def _organization_policy(reader: _Reader, change: _Change) -> None:
    kind = ORGANIZATION_TYPES.get(str(change.get("type") or "SERVICE_CONTROL_POLICY"))
    if kind is None:
        return  # a tag, backup or AI opt-out policy: no IAM policy
    found = reader.found(change, "content", "", kind)
    policy, _ = load_found(found) if found is not None else (None, ())
    if policy is not None:
        given = change.get("id")
        reader.organization[change.address] = (kind, policy, change.at("content"), given if isinstance(given, str)
                                               else None)


def _organization_attachment(reader: _Reader, change: _Change) -> None:
    """`aws_organizations_policy_attachment`: the policy by its `id`, or the address the
    configuration refers to; the target by its ID, or the root a reference to
    `aws_organizations_organization....roots` names."""
    plan = reader.source.data
    policy_id = change.get("policy_id")
    policy = next((address for address, (_, _, _, given) in reader.organization.items()
                   if given is not None and given == policy_id), None)
    for reference in configured_references(plan, change.address, "policy_id") if policy is None else ():
        address = reference.rsplit(".", 1)[0] if reference.endswith(".id") else reference
        if address in reader.organization:
            policy = address
    target = change.get("target_id")
    if not isinstance(target, str) or not target:
        references = configured_references(plan, change.address, "target_id")
        target = ROOT if any(".roots" in r for r in references) else placeholder(f"{change.address}.target_id")
    if policy is not None:
        reader.attachments.append((policy, target, change.at("target_id")))
    else:
        reader.assembly.warn(warning(reader.source, change.at("policy_id"), f"the policy `{change.address}` attaches "
                                     "is not in the plan", "policy-outside-file"))


def _permission_set(reader: _Reader, change: _Change) -> None:
    reader.found(change, "inline_policy", "", PolicyKind.IDENTITY)


# The policy attributes of each type: (attribute, label, kind, trust).
_POLICY_ATTRIBUTES: dict[str, tuple[tuple[str, str, PolicyKind, bool], ...]] = {
    "aws_iam_policy": (("policy", "", PolicyKind.IDENTITY, False),),
    "aws_iam_role": (("assume_role_policy", "trust policy", PolicyKind.RESOURCE_POLICY, True),),
    "aws_iam_role_policy": (("policy", "", PolicyKind.IDENTITY, False),),
    "aws_iam_user_policy": (("policy", "", PolicyKind.IDENTITY, False),),
    "aws_iam_group_policy": (("policy", "", PolicyKind.IDENTITY, False),),
    **{t: ((attribute, "key policy" if t == "aws_kms_key" else "", PolicyKind.RESOURCE_POLICY, False),)
       for t, (attribute, _, _) in _RESOURCE_POLICIES.items()},
    **{t: ((attribute, "", PolicyKind.RESOURCE_POLICY, False),) for t, attribute in _NOT_APPLIED.items()},
    "aws_organizations_policy": (("content", "", PolicyKind.SCP, False),),
    "aws_ssoadmin_permission_set_inline_policy": (("inline_policy", "", PolicyKind.IDENTITY, False),),
}


_HANDLERS: dict[str, Callable[[_Reader, _Change], None]] = {
    "aws_iam_role": _entity, "aws_iam_user": _entity, "aws_iam_group": _entity,
    "aws_iam_policy": _managed_policy,
    **{t: _one_entity_policy for t in _ONE_ENTITY},
    **{t: _attachment for t in _ATTACHMENTS},
    "aws_iam_policy_attachment": _policy_attachment,
    "aws_iam_user_group_membership": _memberships,
    "aws_iam_group_membership": _memberships,
    **{t: _resource_policy for t in _RESOURCE_POLICIES},
    **{t: _not_applied for t in _NOT_APPLIED},
    "aws_lambda_permission": _lambda_permission,
    "aws_organizations_policy": _organization_policy,
    "aws_organizations_policy_attachment": _organization_attachment,
    "aws_ssoadmin_permission_set_inline_policy": _permission_set,
}


def read_plan(source: Source, defaults: Defaults,
              state: PlanState = PlanState.AFTER_VALIDATING_BEFORE) -> Infrastructure:
    """Every policy of a parsed plan in one of its states (module docstring), its principals as
    an account."""
    reader = _Reader(source, defaults, state)
    reader.read()
    for arn, permissions in function_policies(reader.permissions, defaults):
        policy, _ = load_found(reader.assembly.policy(permissions))
        if policy is not None:
            reader.resource_policies[arn] = policy
    account, names = reader.assembly.account()
    organization: dict[PolicyKind, list[Targeted]] = {PolicyKind.SCP: [], PolicyKind.RCP: []}
    for address, (kind, policy, path, _) in reader.organization.items():
        attached = [(target, where) for name, target, where in reader.attachments if name == address]
        organization[kind].append(Targeted(policy, f"`{address}`", tuple(t for t, _ in attached), source,
                                           attached[0][1] if attached else path))
    scps, rcps = (organization_levels(organization[kind], kind, defaults.account, reader.assembly)
                  for kind in (PolicyKind.SCP, PolicyKind.RCP))
    return Infrastructure(source.name, "Terraform plan", account, tuple(reader.assembly.found),
                          reader.resource_policies, scps, rcps, names, tuple(reader.assembly.warnings))
