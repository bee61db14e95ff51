"""Whole accounts: the output of `aws iam get-account-authorization-details`.

An account is loaded into its principals, each with every identity-based policy that applies to
it (IAM-SEMANTICS §1): a user's inline and attached managed policies plus those of its groups; a
role's inline and attached policies, its permissions boundary and its trust policy. `who_can`
then asks every principal the same question.

A policy the engine refuses, or an attached policy missing from the file, is reported as a
warning with its location, and the principals it belongs to are marked incomplete: they are
listed as not evaluated, never silently evaluated without it.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from ._source import Source, parse_text, read_sources
from .authorize import Authorizer, Result, is_resource_policy_required
from .compile import Origin
from .context import merge_context
from .errors import Location, PolicyError, Problem
from .model import Policy, PolicyKind, load_policy

__all__ = ["Account", "AccountPrincipal", "WhoCanAnswer", "load_account", "trusted_outside", "who_can"]


@dataclass(frozen=True)
class AccountPrincipal:
    """An IAM user or role of the account, with the policies that apply to it."""

    arn: str
    kind: str  # "user" or "role"
    name: str
    identity: tuple[Policy, ...] = ()
    permission_boundary: Policy | None = None
    trust_policy: Policy | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    origins: Mapping[tuple, Origin] = field(default_factory=dict, repr=False, compare=False)

    @property
    def complete(self) -> bool:
        """False when one of its policies could not be loaded: its answers would be guesses."""
        return not self.problems

    def context(self) -> dict[str, str]:
        """`aws:PrincipalTag/KEY` for each of its tags (§10), for requests it makes."""
        return {f"aws:PrincipalTag/{key}": value for key, value in self.tags.items()}

    def authorizer(self, *, resource: Policy | None = None, session: Sequence[Policy] = (),
                   scps: Sequence = (), rcps: Sequence = (), extra_origins: Mapping[tuple, Origin] = {}
                   ) -> Authorizer:
        origins = dict(self.origins)
        origins.update(extra_origins)
        return Authorizer(identity=self.identity, resource=resource,
                          permission_boundary=self.permission_boundary, session=session,
                          scps=scps, rcps=rcps, origins=origins)


@dataclass(frozen=True)
class Account:
    principals: tuple[AccountPrincipal, ...]
    warnings: tuple[Problem, ...] = ()

    @property
    def users(self) -> tuple[AccountPrincipal, ...]:
        return tuple(p for p in self.principals if p.kind == "user")

    @property
    def roles(self) -> tuple[AccountPrincipal, ...]:
        return tuple(p for p in self.principals if p.kind == "role")

    def find(self, arn: str) -> AccountPrincipal | None:
        """The user or role behind an ARN; a role session (`assumed-role/ROLE/SESSION`) finds its role."""
        for principal in self.principals:
            if principal.arn == arn:
                return principal
        if ":assumed-role/" in arn:
            account = arn.split(":")[4]
            role = arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
            for principal in self.roles:
                if principal.name == role and principal.arn.split(":")[4] == account:
                    return principal
        return None


class _Builder:
    def __init__(self, source: Source):
        self.source = source
        self.warnings: list[Problem] = []
        self.managed: dict[str, tuple[Policy | None, tuple, tuple[Problem, ...]]] = {}

    def warn(self, path: tuple, message: str, hint: str | None = None) -> Problem:
        problem = self.source.problem(path, message, hint, severity="warning")
        self.warnings.append(problem)
        return problem

    def policy(self, data: Any, kind: PolicyKind, path: tuple, name: str
               ) -> tuple[Policy | None, tuple[Problem, ...]]:
        """A policy document: a JSON object, or JSON text, URL-encoded as the raw API returns it."""
        try:
            if not isinstance(data, str):
                return load_policy(data, kind, source=self.source, path=path, name=name), ()
            text = data if data.lstrip().startswith("{") else urllib.parse.unquote(data)
            # Read as strictly as a file (duplicate keys refused).
            (inner,) = parse_text(text, self.source.name, "json")
            return load_policy(inner.data, kind, name=name), ()
        except PolicyError as exc:
            # An encoded document's problems are located at its field, with their path inside it.
            problems = tuple(self._at_field(p, path, isinstance(data, str)) for p in exc.problems)
            self.warnings.extend(problems)
            return None, problems

    def _at_field(self, problem: Problem, path: tuple, encoded: bool) -> Problem:
        location = problem.location
        if encoded:
            field = self.source.locate(path)
            location = Location(field.file, field.line, field.column, field.path + location.path)
        return Problem(problem.message, location, problem.hint, "warning")

    def entries(self, data: dict, key: str, path: tuple = ()) -> Iterable[tuple[int, dict]]:
        """The objects of a list field; anything else there is reported and passed over."""
        items = data.get(key) or []
        if not isinstance(items, list):
            self.warn(path + (key,), f"`{key}` must be a list; it was passed over")
            return
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item
            else:
                self.warn(path + (key, index), f"an entry of `{key}` must be an object; it was passed over")

    def read_managed(self, data: dict) -> None:
        for index, entry in self.entries(data, "Policies"):
            if not isinstance(entry.get("Arn"), str):
                self.warn(("Policies", index), "a managed policy entry without `Arn` was passed over")
                continue
            versions = dict(self.entries(entry, "PolicyVersionList", ("Policies", index)))
            chosen = next((i for i, v in versions.items() if v.get("IsDefaultVersion")), None)
            if chosen is None:
                problem = self.warn(("Policies", index), f"managed policy `{entry['Arn']}` has no default version")
                self.managed[entry["Arn"]] = (None, (), (problem,))
                continue
            path = ("Policies", index, "PolicyVersionList", chosen, "Document")
            policy, problems = self.policy(versions[chosen].get("Document"), PolicyKind.IDENTITY, path,
                                           entry.get("PolicyName") or entry["Arn"])
            self.managed[entry["Arn"]] = (policy, path, problems)

    def attached(self, entity: dict, path: tuple, kind: PolicyKind = PolicyKind.IDENTITY
                 ) -> Iterable[tuple[Policy | None, tuple, tuple[Problem, ...]]]:
        attachments = entity.get("AttachedManagedPolicies") or []
        if isinstance(attachments, dict):  # one attachment written without its list
            attachments = [attachments]
        for index, attachment in enumerate(attachments):
            arn = attachment.get("PolicyArn") if isinstance(attachment, dict) else None
            where = path + ("AttachedManagedPolicies", index)
            if not isinstance(arn, str):
                yield None, where, (self.warn(where, "an attachment without `PolicyArn`"),)
            elif arn not in self.managed:
                problem = self.warn(where, f"attached policy `{arn}` is not in the file",
                                    "export with `aws iam get-account-authorization-details` without "
                                    "`--filter`, so that AWS managed policies are included")
                yield None, where, (problem,)
            else:
                yield self.managed[arn]

    def inline(self, entity: dict, key: str, path: tuple, owner: str
               ) -> Iterable[tuple[Policy | None, tuple, tuple[Problem, ...]]]:
        for index, entry in enumerate(entity.get(key) or []):
            where = path + (key, index, "PolicyDocument")
            name = f"{entry.get('PolicyName', index)} (inline, {owner})"
            policy, problems = self.policy(entry.get("PolicyDocument"), PolicyKind.IDENTITY, where, name)
            yield policy, where, problems


def load_account(path: str) -> Account:
    """Read `get-account-authorization-details` output; raise `PolicyError` if it is not one."""
    sources = read_sources(path)
    source = sources[0]
    data = source.data
    if not isinstance(data, dict) or not any(k in data for k in ("UserDetailList", "RoleDetailList")):
        raise PolicyError([source.problem((), "this is not the output of "
                                          "`aws iam get-account-authorization-details`",
                                          "it has `UserDetailList`, `GroupDetailList`, `RoleDetailList` "
                                          "and `Policies`")])
    builder = _Builder(source)
    if data.get("IsTruncated"):
        builder.warn(("IsTruncated",), "the export is truncated: later pages of users, groups, roles and "
                     "policies are missing, so answers cover only the principals in this file",
                     "fetch every page (the AWS CLI does by default) and merge them")
    builder.read_managed(data)

    groups: dict[str, list[tuple[Policy | None, tuple, tuple[Problem, ...]]]] = {}
    for index, group in builder.entries(data, "GroupDetailList"):
        path = ("GroupDetailList", index)
        name = group.get("GroupName", str(index))
        groups[name] = list(builder.attached(group, path)) + list(
            builder.inline(group, "GroupPolicyList", path, f"group {name}"))

    principals: list[AccountPrincipal] = []
    for index, user in builder.entries(data, "UserDetailList"):
        path = ("UserDetailList", index)
        name = user.get("UserName", "")
        loaded = list(builder.attached(user, path)) + list(builder.inline(user, "UserPolicyList", path, f"user {name}"))
        group_list = user.get("GroupList") or []
        if not isinstance(group_list, list) or not all(isinstance(g, str) for g in group_list):
            problem = builder.warn(path + ("GroupList",), "`GroupList` must be a list of group names")
            loaded.append((None, path + ("GroupList",), (problem,)))
            group_list = []
        for group in group_list:
            if group not in groups:
                # Its policies are unknown: the user's answers would be guesses.
                problem = builder.warn(path + ("GroupList",), f"group `{group}` is not in the file")
                loaded.append((None, path + ("GroupList",), (problem,)))
                continue
            loaded += groups[group]
        principals.append(_principal(builder, user, "user", name, path, loaded))

    for index, role in builder.entries(data, "RoleDetailList"):
        path = ("RoleDetailList", index)
        name = role.get("RoleName", "")
        loaded = list(builder.attached(role, path)) + list(builder.inline(role, "RolePolicyList", path, f"role {name}"))
        principals.append(_principal(builder, role, "role", name, path, loaded))
    return Account(tuple(principals), tuple(builder.warnings))


def _principal(builder: _Builder, entity: dict, kind: str, name: str, path: tuple,
               loaded: list[tuple[Policy | None, tuple, tuple[Problem, ...]]]) -> AccountPrincipal:
    problems: list[Problem] = []
    identity: list[Policy] = []
    origins: dict[tuple, Origin] = {}
    seen: set[int] = set()
    for policy, where, policy_problems in loaded:
        problems.extend(policy_problems)
        if policy is None or id(policy) in seen:
            continue
        seen.add(id(policy))
        origins[("identity", len(identity))] = (builder.source, where)
        identity.append(policy)
    boundary = None
    boundary_entry = entity.get("PermissionsBoundary") or {}
    boundary_arn = boundary_entry.get("PermissionsBoundaryArn") if isinstance(boundary_entry, dict) else None
    if boundary_arn is None and boundary_entry:
        problems.append(builder.warn(path + ("PermissionsBoundary",),
                                     "`PermissionsBoundary` must be an object with `PermissionsBoundaryArn`"))
    if boundary_arn:
        where = path + ("PermissionsBoundary", "PermissionsBoundaryArn")
        if boundary_arn in builder.managed:
            boundary, boundary_path, boundary_problems = builder.managed[boundary_arn]
            problems.extend(boundary_problems)
            if boundary is not None:
                origins[("permission_boundary",)] = (builder.source, boundary_path)
        else:
            problems.append(builder.warn(where, f"permissions boundary `{boundary_arn}` is not in the file"))
    trust = None
    if kind == "role" and "AssumeRolePolicyDocument" in entity:
        where = path + ("AssumeRolePolicyDocument",)
        trust, trust_problems = builder.policy(entity["AssumeRolePolicyDocument"], PolicyKind.RESOURCE,
                                               where, f"trust policy of role {name}")
        problems.extend(trust_problems)
    tags = {t["Key"]: t.get("Value", "") for t in entity.get("Tags") or [] if isinstance(t, dict) and "Key" in t}
    return AccountPrincipal(
        arn=entity.get("Arn", ""), kind=kind, name=name, identity=tuple(identity),
        permission_boundary=boundary, trust_policy=trust, tags=tags,
        groups=tuple(g for g in entity.get("GroupList") or () if isinstance(g, str)) if isinstance(
            entity.get("GroupList"), list) else (), problems=tuple(problems), origins=origins)


# -------------------------------------------------------------------------------------- who-can

@dataclass(frozen=True)
class WhoCanAnswer:
    """One principal's answer: a result, or why it could not be evaluated."""

    principal: AccountPrincipal
    result: Result | None = None
    error: PolicyError | None = None

    @property
    def allowed(self) -> bool:
        return self.result is not None and self.result.allowed


def who_can(account: Account, action: str, resource: str, *, resource_policy: Policy | None = None,
            scps: Sequence = (), rcps: Sequence = (), context: Mapping[str, Any] | None = None,
            resource_account: str | None = None) -> list[WhoCanAnswer]:
    """Ask every user and role of the account whether it may perform `action` on `resource`.

    A role is asked as a session of that role without a session policy (§2.4). For
    `sts:AssumeRole` on a role of the account, that role's trust policy is the resource policy
    unless one is given (§2.5). Each principal's tags are in its context as
    `aws:PrincipalTag/...` unless `context` gives them.
    """
    if resource_policy is None and is_resource_policy_required(action, resource):
        target = account.find(resource)
        if target is not None:
            resource_policy = target.trust_policy
    answers = []
    for principal in account.principals:
        if not principal.complete:
            answers.append(WhoCanAnswer(principal, error=PolicyError(principal.problems)))
            continue
        request = {"principal": principal.arn, "action": action, "resource": resource,
                   "context": merge_context(principal.context(), context or {})}
        if resource_account:
            request["resource_account"] = resource_account
        try:
            result = principal.authorizer(resource=resource_policy, scps=scps, rcps=rcps).authorize(request)
        except PolicyError as exc:
            answers.append(WhoCanAnswer(principal, error=exc))
            continue
        answers.append(WhoCanAnswer(principal, result))
    return answers


def trusted_outside(role: AccountPrincipal, account: Account | None = None) -> list[str]:
    """Whom the role's trust policy names besides the users and roles of the account: other
    accounts and their principals, role sessions, services, identity providers, `*`. They are
    listed, not evaluated: their own side decides too (§3)."""
    if role.trust_policy is None:
        return []
    own_account = role.arn.split(":")[4]
    evaluated = {p.arn for p in account.principals} if account is not None else set()
    found: list[str] = []
    for statement in role.trust_policy.statement:
        if statement.effect != "Allow" or statement.principal is None:
            continue
        principal = statement.principal
        aws = [a for a in principal.aws
               if a not in evaluated and a != own_account and a != f"arn:aws:iam::{own_account}:root"
               and (account is not None or a == "*" or not a.startswith(f"arn:aws:iam::{own_account}:"))]
        entries = (["*"] if principal.wildcard else []) + aws + list(principal.service) + list(
            principal.federated) + list(principal.canonical_user)
        found += [e for e in entries if e not in found]
    return found
