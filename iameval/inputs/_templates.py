"""Policies where they live: what a CloudFormation (or SAM, or CDK) template or a Terraform plan
holds, in the structures an account export is read into.

`load_infrastructure` (`_infrastructure.py`) reads either kind of file into an `Infrastructure`,
through `_cloudformation.py` or `_terraform.py`, which share what is here: its users and roles as
an `Account` (each with its identity policies, boundary, trust policy and tags, so that
`who_can` and `check --principal` work as for an export), the resource-based policies it holds
by the ARN of their resource, its SCPs and RCPs, every policy found with its type (for
`validate`), and located, coded warnings for what cannot be known before deployment
(`_placeholders.py`) or could not be read. A principal one of whose policies is unknown is
marked incomplete, as in an account export: listed as not evaluated, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..policy._arn import bucket_of
from ..policy._errors import Location, PolicyError, Problem
from ..policy._errors import Path as JsonPath
from ..policy._load import load_policy
from ..policy._model import Policy, PolicyKind
from ..policy._source import Source, parse_text
from ..policy._quotas import is_aws_managed
from ._accounts import Account, AccountPrincipal
from ._managed import AwsManagedPolicies, Loaded

__all__ = ["ORGANIZATION_TYPES", "ROOT", "Assembly", "Defaults", "Entity", "FoundPolicy", "Infrastructure",
           "Targeted", "held_as_text", "load_found", "located_at", "organization_levels", "queue_arn", "step",
           "warning"]


@dataclass(frozen=True)
class Defaults:
    """What a template or plan does not say and a deployment would: the account, region and
    stack, and the template's parameters (`--parameter KEY=VALUE`; `AWS::AccountId`,
    `AWS::Region`, `AWS::StackName` may be given the same way); and the AWS managed policies
    its roles are attached to by ARN (`--managed-policies`, else iameval's snapshot)."""

    parameters: Mapping[str, str] = field(default_factory=dict)
    aws_managed: AwsManagedPolicies = field(default_factory=AwsManagedPolicies)

    @property
    def account(self) -> str:
        return self.parameters.get("AWS::AccountId", "123456789012")

    @property
    def region(self) -> str:
        return self.parameters.get("AWS::Region", "us-east-1")

    @property
    def partition(self) -> str:
        region = self.region
        return ("aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-")
                else self.parameters.get("AWS::Partition", "aws"))


@dataclass(frozen=True)
class FoundPolicy:
    """One policy document of the file, as a deployment would see it.

    `label` names it by where it lives (`AppRole (AWS::IAM::Role) inline policy S3Access`,
    `aws_iam_role_policy.app["reader"]`); `source` and `path` locate it in the file (for a
    document held as JSON text, at the attribute that holds it); `data` is the document with
    intrinsic functions evaluated. `trust` and `key_policy` say which rules it is read with.
    """

    label: str
    kind: PolicyKind
    data: Any
    source: Source
    path: JsonPath
    trust: bool = False
    key_policy: bool = False

    def load(self) -> Policy:
        """The policy, named by its label; `PolicyError` with located problems if AWS would refuse it."""
        return load_policy(self.data, self.kind, source=self.source, path=self.path, name=self.label,
                           trust=self.trust, key_policy=self.key_policy)


@dataclass(frozen=True)
class Infrastructure:
    """What one template or plan holds (module docstring)."""

    file: str
    format: str  # "CloudFormation", "SAM", "Terraform plan"
    account: Account
    policies: tuple[FoundPolicy, ...] = ()
    resource_policies: Mapping[str, Policy] = field(default_factory=dict)
    # The organization levels of SCPs and RCPs that apply to the account the file deploys to
    # (`organization_levels`), from the root down.
    scps: tuple[tuple[Policy, ...], ...] = ()
    rcps: tuple[tuple[Policy, ...], ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)  # logical ID or address -> principal ARN
    warnings: tuple[Problem, ...] = ()

    def find(self, name: str) -> AccountPrincipal | None:
        """The user or role a logical ID, a Terraform address or an ARN names (a role session
        finds its role, as in `Account.find`)."""
        return self.account.find(self.names.get(name, name))

    def resource_policy(self, action: str, resource: str) -> tuple[Policy | None, tuple[Problem, ...]]:
        """The resource policy the file holds for a request: a role's trust policy for
        `sts:AssumeRole` on it (§2.5), else the policy of the resource the ARN names (an S3
        object's is its bucket's, §11)."""
        trust, problems = self.account.resource_policy(action, resource)
        if trust is not None or problems:
            return trust, problems
        if resource in self.resource_policies:
            return self.resource_policies[resource], ()
        bucket = bucket_of(resource)  # an object: its bucket's
        return (self.resource_policies.get(bucket) if bucket else None), ()


def load_found(found: FoundPolicy) -> tuple[Policy | None, tuple[Problem, ...]]:
    """A found policy loaded, or its problems as warnings (its principal is then incomplete)."""
    try:
        return found.load(), ()
    except PolicyError as exc:
        return None, tuple(Problem(p.message, p.location, p.hint, "warning", code=p.code) for p in exc.problems)


def step(value: Any, part: str | int) -> Any:
    """`value[part]`, or None when there is no such element."""
    if isinstance(value, dict):
        return value.get(part) if isinstance(part, str) else None
    if isinstance(value, list) and isinstance(part, int) and part < len(value):
        return value[part]
    return None


# The organization policy types that are IAM policies (`Type` of AWS::Organizations::Policy,
# `type` of aws_organizations_policy); tag, backup and AI opt-out policies are not.
ORGANIZATION_TYPES = {"SERVICE_CONTROL_POLICY": PolicyKind.SCP, "RESOURCE_CONTROL_POLICY": PolicyKind.RCP}


# A target known to be the organization's root where its ID is not (a plan's `roots[0].id`).
ROOT = "r-<root>"

# What AWS attaches to every root, OU and account of an organization unless it is detached (§4).
_FULL_AWS_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class Targeted:
    """An SCP or RCP of the file, loaded, with the roots, OUs and accounts it is attached to and
    where the file says so."""

    policy: Policy
    label: str
    targets: tuple[str, ...]
    source: Source
    path: JsonPath


def organization_levels(policies: list[Targeted], kind: PolicyKind, account: str,
                        assembly: Assembly) -> tuple[tuple[Policy, ...], ...]:
    """The levels of SCPs or RCPs (§4) that apply to the account the file deploys to: those
    attached to the organization root (`r-...`), then those attached to the account. Those
    attached elsewhere (an OU, whose accounts the file does not say; another account) are not
    applied. Each is said, located: which applied where, which not. An SCP level also holds
    FullAWSAccess, which AWS attaches to every root, OU and account unless it is detached (the
    OUs between are taken to hold it); an RCP level needs no Allow (RCPFullAWSAccess is implied).
    IAM-SEMANTICS §14.22."""
    noun = "SCP" if kind is PolicyKind.SCP else "RCP"
    root: list[Policy] = []
    own: list[Policy] = []
    for entry in policies:
        roots = [t for t in entry.targets if t.startswith("r-")]
        where = []
        if roots:
            root.append(entry.policy)
            where.append(f"at the organization root (`{'`, `'.join(roots)}`)")
        if account in entry.targets:
            own.append(entry.policy)
            where.append(f"to the account {account} the file deploys to")
        if where:
            assembly.warn(warning(entry.source, entry.path, f"the {noun} {entry.label} is applied "
                                  + " and ".join(where), "organization-policy-applied",
                                  "SCPs with FullAWSAccess, which AWS attaches to every root, OU and account unless "
                                  "detached" if kind is PolicyKind.SCP else None))
        else:
            targets = ", ".join(f"`{t}`" for t in entry.targets) or "none"
            assembly.warn(warning(entry.source, entry.path, f"the {noun} {entry.label} is not applied: its targets "
                                  f"({targets}) are neither the organization root nor the account {account} the file "
                                  "deploys to", "organization-policy-not-applied",
                                  "an OU's accounts are not known here; give the policy with --scp or --rcp to apply "
                                  "it, or the account with --parameter AWS::AccountId=ACCOUNT"))
    full = (load_policy(_FULL_AWS_ACCESS, PolicyKind.SCP, name="FullAWSAccess (attached by AWS)"),) \
        if kind is PolicyKind.SCP else ()
    return tuple(full + tuple(level) for level in (root, own) if level)


def queue_arn(url: Any, partition: str) -> str | None:
    """A queue's ARN from its URL (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`)."""
    parts = url.split("/") if isinstance(url, str) else []
    if len(parts) >= 5 and parts[2].startswith("sqs."):
        return f"arn:{partition}:sqs:{parts[2].split('.')[1]}:{parts[3]}:{parts[4]}"
    return None


def warning(source: Source, path: JsonPath, message: str, code: str, hint: str | None = None) -> Problem:
    """A located warning about the file."""
    return source.problem(path, message, hint, severity="warning", code=code)


@dataclass
class Entity:
    """A user, group or role of the file while it is read: its policies as found, what is
    attached to it by ARN, and the problems that leave it incomplete. `key` is how the file
    names it (a logical ID, a Terraform address)."""

    key: str
    kind: str  # "user", "group" or "role"
    arn: str
    name: str
    inline: list[FoundPolicy] = field(default_factory=list)
    managed: list[tuple[str, Source, JsonPath]] = field(default_factory=list)
    boundary: tuple[str, Source, JsonPath] | None = None
    trust: FoundPolicy | None = None
    tags: dict[str, str] = field(default_factory=dict)
    groups: list[tuple[str, Source, JsonPath]] = field(default_factory=list)  # group names, where named
    problems: list[Problem] = field(default_factory=list)


class Assembly:
    """The users, groups and roles of a file and its managed policies, put together into an
    `Account` as `load_account` does for an export (the same rules: a policy that cannot be
    loaded, or an attached one the file does not hold, leaves its principal incomplete)."""

    def __init__(self, aws_managed: AwsManagedPolicies) -> None:
        self.aws_managed = aws_managed
        self.entities: dict[str, Entity] = {}
        self.managed: dict[str, FoundPolicy] = {}  # ARN -> the managed policy the file defines
        self.found: list[FoundPolicy] = []
        self.warnings: list[Problem] = []

    def add(self, entity: Entity) -> Entity:
        self.entities[entity.key] = entity
        return entity

    def policy(self, found: FoundPolicy) -> FoundPolicy:
        """Record a policy for `validate`."""
        self.found.append(found)
        return found

    def text_policy(self, source: Source, path: JsonPath, text: str) -> tuple[Any, Source] | None:
        """A policy held as JSON text (`held_as_text`); None, with its problems as warnings,
        when the text is not JSON."""
        try:
            return held_as_text(source, path, text)
        except PolicyError as exc:
            for problem in exc.problems:
                self.warn(problem)
            return None

    def warn(self, problem: Problem) -> Problem:
        """Record a warning once (a policy attached to two principals is one fault)."""
        if problem not in self.warnings:
            self.warnings.append(problem)
        return problem

    def find(self, kind: str, name: str) -> Entity | None:
        """The entity of a kind named by its key, its name or its ARN."""
        for entity in self.entities.values():
            if entity.kind == kind and name in (entity.key, entity.name, entity.arn):
                return entity
        return None

    def account(self) -> tuple[Account, dict[str, str]]:
        """The principals, and the ARN of each by its key."""
        loaded: dict[int, Loaded] = {}

        def load(found: FoundPolicy) -> Loaded:
            if id(found) not in loaded:  # its problems are `validate`'s to report, and its principals'
                loaded[id(found)] = load_found(found)
            return loaded[id(found)]

        def managed(arn: str, source: Source, path: JsonPath, what: str) -> Loaded:
            """The file's managed policy of an ARN, else an AWS managed policy, else a warning."""
            if arn in self.managed:
                return load(self.managed[arn])
            held = self.aws_managed.resolve(arn)
            if held is not None:
                return held
            message, hint = (self.aws_managed.missing(arn, what) if is_aws_managed(arn) else (
                f"{what} `{arn}` is not in the file",
                "its statements are unknown here: the principals it is attached to are not evaluated"))
            return None, (self.warn(warning(source, path, message, "policy-outside-file", hint)),)

        def attached(entity: Entity) -> list[Loaded]:
            return [load(f) for f in entity.inline] + [managed(arn, source, path, "attached policy")
                                                       for arn, source, path in entity.managed]

        principals: list[AccountPrincipal] = []
        names: dict[str, str] = {}
        groups = {e.name: e for e in self.entities.values() if e.kind == "group"}
        for entity in self.entities.values():
            if entity.kind == "group":
                continue
            policies = attached(entity)
            problems = list(entity.problems)
            for group, source, path in entity.groups:
                if group in groups:
                    policies += attached(groups[group])
                else:  # its policies are unknown here: the user is not evaluated without them
                    problems.append(self.warn(warning(
                        source, path, f"the group `{group}` is not in the file", "principal-outside-file",
                        "its policies are unknown here: the user is not evaluated")))
            identity: list[Policy] = []
            for policy, policy_problems in policies:
                problems.extend(policy_problems)
                if policy is not None and all(policy is not p for p in identity):
                    identity.append(policy)
            boundary = None
            if entity.boundary is not None:
                boundary, boundary_problems = managed(*entity.boundary, "permissions boundary")
                problems.extend(boundary_problems)
            trust = None
            if entity.trust is not None:
                trust, trust_problems = load(entity.trust)
                problems.extend(trust_problems)
            principals.append(AccountPrincipal(
                arn=entity.arn, kind=entity.kind, name=entity.name, identity=tuple(identity),
                permission_boundary=boundary, trust_policy=trust, tags=dict(entity.tags),
                groups=tuple(g for g, _, _ in entity.groups), problems=tuple(problems)))
            names[entity.key] = entity.arn
        return Account(tuple(principals), ()), names


def held_as_text(source: Source, path: JsonPath, text: str) -> tuple[Any, Source]:
    """A policy written as JSON text in one element of the file (a Terraform attribute, an SCP's
    `Content`): its document, and a source that locates it there (`located_at`). A `PolicyError`
    located there when the text is not JSON."""
    try:
        (inner,) = parse_text(text, source.name, "json")
    except PolicyError as exc:
        where = source.locate(path)
        raise PolicyError([Problem(f"the policy text is not JSON: {p.message.removeprefix('invalid JSON: ')}",
                                   Location(where.file, where.line, where.column, path), p.hint, "warning",
                                   code=p.code) for p in exc.problems]) from None
    return inner.data, located_at(source, path, inner.data)


def located_at(source: Source, path: JsonPath, document: Any,
               parts: Mapping[JsonPath, JsonPath] | None = None) -> Source:
    """A source that locates every element of `document` at the element `path` of `source`,
    with that path before the element's own: for a document the file does not write out
    element by element (JSON text, a SAM policy template). `parts`: elements of the document
    written elsewhere in the file (a Lambda permission's statement), by their paths there."""
    mirror: Any = document
    for part in reversed(path):
        mirror = [None] * part + [mirror] if isinstance(part, int) else {part: mirror}

    def positions() -> dict[JsonPath, tuple[int, int]]:  # only when a problem is to be located
        found: dict[JsonPath, tuple[int, int]] = {(): (1, 1)}
        for inner, written in {(): path, **(parts or {})}.items():
            where = source.locate(written)
            found[path + inner] = (where.line or 1, where.column or 1)
        return found

    return Source(source.name, source.text, mirror, source.format, 0, positions)
