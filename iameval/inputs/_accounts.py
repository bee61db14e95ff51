"""Whole accounts: the output of `aws iam get-account-authorization-details`.

An account is loaded into its principals, each with every identity-based policy that applies to
it (IAM-SEMANTICS §1): a user's inline and attached managed policies plus those of its groups; a
role's inline and attached policies, its permissions boundary and its trust policy. `who_can`
then asks every principal the same question, and says who would be allowed were conditions on
keys the request did not give to hold; `granted_outside` says whom a resource-based policy grants
beyond those principals (`*`, other accounts, services).

A policy the engine refuses, or an attached policy missing from the file, is reported as a
warning with its location, and the principals it belongs to are marked incomplete: they are
listed as not evaluated, never silently evaluated without it.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..policy._source import Source, parse_text, read_sources
from ..policy._arn import split_arn
from ..engine import Authorizer, GateKind, Result, StatementTrace, explain, is_resource_policy_required
from ..engine._context import merge_context
from ..engine._request import Request
from ..engine._explain import conditional_access
from ..engine._principals import Principals
from ..policy._errors import Location, PolicyError, Problem
from ..policy._errors import Path as JsonPath
from ..policy._load import load_policy
from ..policy._model import Effect, Policy, PolicyKind, PrincipalMap
from ..policy._quotas import INLINE_QUOTAS, is_aws_managed, measure
from ._output_lists import list_objects
from ._managed import AwsManagedPolicies, Loaded as _Loaded

__all__ = ["Account", "AccountPrincipal", "Grantee", "OutsideGrant", "WhoCanAnswer", "granted_outside", "load_account",
           "load_managed_policies", "trusted_outside", "who_can"]

# One organization level of SCPs or RCPs: a policy, or the policies attached there.
_Level = Policy | Sequence[Policy]


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

    @property
    def complete(self) -> bool:
        """False when one of its policies could not be loaded: its answers would be guesses."""
        return not self.problems

    def context(self) -> dict[str, str]:
        """`aws:PrincipalTag/KEY` for each of its tags (§10), for requests it makes."""
        return {f"aws:PrincipalTag/{key}": value for key, value in self.tags.items()}

    def authorizer(self, *, resource_policy: Policy | None = None, scps: Sequence[_Level] = (),
                   rcps: Sequence[_Level] = ()) -> Authorizer:
        """Its policies compiled, with the organization's and a resource policy (a role is asked
        as a session of itself without a session policy, §2.4)."""
        return Authorizer(identity=self.identity, resource_policy=resource_policy,
                          permission_boundary=self.permission_boundary,
                          scps=scps, rcps=rcps)


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

    def resource_policy(self, action: str, resource: str) -> tuple[Policy | None, tuple[Problem, ...]]:
        """The resource policy the account holds for a request: a role's trust policy where the
        request needs one (§2.5), else None. When that role's trust policy could not be loaded,
        its problems: any answer would then be a guess."""
        if not is_resource_policy_required(action, resource):
            return None, ()
        target = self.find(resource)
        if target is None:
            return None, ()
        if target.trust_policy is None and not target.complete:
            return None, target.problems
        return target.trust_policy, ()

    def find(self, arn: str) -> AccountPrincipal | None:
        """The user or role behind an ARN; a role session (`assumed-role/ROLE/SESSION`) finds its role."""
        for principal in self.principals:
            if principal.arn == arn:
                return principal
        segments = split_arn(arn)
        if len(segments) == 6 and segments[5].startswith("assumed-role/"):
            role = segments[5].split("/")[1]
            for principal in self.roles:
                if principal.name == role and split_arn(principal.arn)[4] == segments[4]:
                    return principal
        return None


class _Builder:
    def __init__(self, source: Source, aws_managed: AwsManagedPolicies | None = None):
        self.source = source
        self.aws_managed = aws_managed or AwsManagedPolicies()
        self.warnings: list[Problem] = []
        # The managed policies of the file by ARN, as loaded (`Policy.origin` says where each is).
        self.managed: dict[str, _Loaded] = {}

    def managed_policy(self, arn: str, where: JsonPath, what: str) -> _Loaded:
        """The managed policy an ARN names: the file's, else an AWS managed policy
        (`AwsManagedPolicies`, which an export made with `--filter` lacks); else a warning."""
        held = self.managed.get(arn) or self.aws_managed.resolve(arn)
        if held is not None:
            return held
        message, hint = (self.aws_managed.missing(arn, what) if is_aws_managed(arn) else (
            f"{what} `{arn}` is not in the file", "export with `aws iam get-account-authorization-details` "
            "without `--filter`, so that every managed policy is included"))
        return None, (self.warn(where, message, hint),)

    def warn(self, path: JsonPath, message: str, hint: str | None = None,
             code: str = "incomplete-account-details") -> Problem:
        problem = self.source.problem(path, message, hint, severity="warning", code=code)
        self.warnings.append(problem)
        return problem

    def policy(self, data: Any, kind: PolicyKind, path: JsonPath, name: str, trust: bool = False
               ) -> tuple[Policy | None, tuple[Problem, ...]]:
        """A policy document: a JSON object, or JSON text, URL-encoded as the raw API returns it.
        `trust`: a role's trust policy, with the rules of `load_policy(..., trust=True)`."""
        try:
            if not isinstance(data, str):
                return load_policy(data, kind, source=self.source, path=path, name=name, trust=trust), ()
            text = data if data.lstrip().startswith("{") else urllib.parse.unquote(data)
            # Read as strictly as a file (duplicate keys refused).
            (inner,) = parse_text(text, self.source.name, "json")
            # Located at the field that holds the text: the encoded document has no positions.
            return load_policy(inner.data, kind, name=name, trust=trust).located(self.source, path), ()
        except PolicyError as exc:
            # An encoded document's problems are located at its field, with their path inside it.
            problems = tuple(self._at_field(p, path, isinstance(data, str)) for p in exc.problems)
            self.warnings.extend(problems)
            return None, problems

    def _at_field(self, problem: Problem, path: JsonPath, encoded: bool) -> Problem:
        location = problem.location
        if encoded:
            field = self.source.locate(path)
            location = Location(field.file, field.line, field.column, field.path + location.path)
        return Problem(problem.message, location, problem.hint, "warning", code=problem.code)

    def entries(self, data: dict[str, Any], key: str, path: JsonPath = ()) -> Iterator[tuple[int, dict[str, Any]]]:
        """The objects of a list field; anything else there is reported and passed over."""
        return list_objects(data, key, self.warn, path)

    def read_managed(self, data: dict[str, Any]) -> None:
        for index, entry in self.entries(data, "Policies"):
            if not isinstance(entry.get("Arn"), str):
                self.warn(("Policies", index), "a managed policy entry without `Arn` was passed over")
                continue
            versions = dict(self.entries(entry, "PolicyVersionList", ("Policies", index)))
            chosen = next((i for i, v in versions.items() if v.get("IsDefaultVersion")), None)
            if chosen is None:
                problem = self.warn(("Policies", index), f"managed policy `{entry['Arn']}` has no default version")
                self.managed[entry["Arn"]] = (None, (problem,))
                continue
            path = ("Policies", index, "PolicyVersionList", chosen, "Document")
            name = entry.get("PolicyName")
            if name is not None and not isinstance(name, str):
                self.warn(("Policies", index, "PolicyName"), "`PolicyName` must be a string; the policy is "
                          "named by its ARN")
            policy, problems = self.policy(versions[chosen].get("Document"), PolicyKind.IDENTITY, path,
                                           name if isinstance(name, str) and name else entry["Arn"])
            if policy is not None:  # its ARN says whether AWS wrote it, and so its quota (§14.20)
                policy = policy.model_copy(update={"arn": entry["Arn"]})
            self.managed[entry["Arn"]] = (policy, problems)

    def listed(self, entity: dict[str, Any], key: str, path: JsonPath
               ) -> Iterable[tuple[int, dict[str, Any] | None, tuple[Problem, ...]]]:
        """The entries of a policy list field with their paths. A field or entry of the wrong
        type is yielded too, with the problem reported, so that the principal it belongs to is
        left incomplete rather than answered without that policy."""
        items = entity.get(key) or []
        if isinstance(items, dict):  # one entry written without its list
            items = [items]
        if not isinstance(items, list):
            yield -1, None, (self.warn(path + (key,), f"`{key}` must be a list of objects"),)
            return
        for index, item in enumerate(items):
            where = path + (key, index)
            if isinstance(item, dict):
                yield index, item, ()
            else:
                yield index, None, (self.warn(where, f"an entry of `{key}` must be an object"),)

    def attached(self, entity: dict[str, Any], path: JsonPath) -> Iterable[_Loaded]:
        for index, attachment, problems in self.listed(entity, "AttachedManagedPolicies", path):
            where = path + ("AttachedManagedPolicies", index)
            arn = attachment.get("PolicyArn") if attachment is not None else None
            if problems:
                yield None, problems
            elif not isinstance(arn, str):
                yield None, (self.warn(where, "an attachment without `PolicyArn`"),)
            else:
                yield self.managed_policy(arn, where, "attached policy")

    def inline(self, entity: dict[str, Any], key: str, path: JsonPath, owner: str) -> Iterable[_Loaded]:
        total = 0  # the size of the inline policies together (§12.3)
        for index, entry, problems in self.listed(entity, key, path):
            where = path + (key, index, "PolicyDocument")
            if entry is None:  # reported, with its problems
                yield None, problems
                continue
            given = entry.get("PolicyName")
            if given is not None and not isinstance(given, str):
                self.warn(path + (key, index, "PolicyName"), "`PolicyName` must be a string; the policy is "
                          "named by its index")
            name = f"{given if isinstance(given, str) else index} (inline, {owner})"
            policy, problems = self.policy(entry.get("PolicyDocument"), PolicyKind.IDENTITY, where, name)
            if policy is not None:
                total += measure(None, policy.to_json(), whitespace=False)
            yield policy, problems
        # IAM caps what one entity's inline policies add up to (§12.3): over it, AWS would not
        # have stored them all.
        kind = owner.partition(" ")[0]
        limit = INLINE_QUOTAS.get(kind)
        if limit is not None and total > limit:
            self.warn(path + (key,), f"the inline policies of {owner} have {total:,} characters other than "
                      f"whitespace, more than the {limit:,} that IAM accepts for a {kind}'s inline policies "
                      "together", "move policies into managed policies", code="policy-too-large")

    def named(self, entity: dict[str, Any], key: str, path: JsonPath, what: str) -> tuple[str, str] | None:
        """The entity's `Arn` and its name (`key`, else the ARN's last part); None, reported,
        when it has no ARN: it could not be asked about, nor named in a policy."""
        arn = entity.get("Arn")
        if not isinstance(arn, str) or len(split_arn(arn)) != 6:
            self.warn(path + ("Arn",), f"a {what} without a valid `Arn` was passed over")
            return None
        name = entity.get(key)
        if not isinstance(name, str):
            self.warn(path + (key,), f"the {what} `{arn}` has no `{key}`; its name is read from its ARN")
            name = arn.rsplit("/", 1)[-1]
        return arn, name

    def tags(self, entity: dict[str, Any], path: JsonPath) -> tuple[dict[str, str], list[Problem]]:
        """`Tags` as `{key: value}` (§10), and the problems of entries that are not a `Key`/`Value`
        pair of strings: a condition on such a tag would read it wrongly, so they leave the
        principal incomplete."""
        tags: dict[str, str] = {}
        found: list[Problem] = []
        for index, tag, problems in self.listed(entity, "Tags", path):
            key, value = (tag.get("Key"), tag.get("Value", "")) if tag is not None else (None, None)
            if problems:
                found.extend(problems)
            elif not isinstance(key, str) or not isinstance(value, str):
                found.append(self.warn(path + ("Tags", index), "a tag must have a string `Key` and a string `Value`"))
            else:
                tags[key] = value
        return tags, found


def _export(path: str, keys: tuple[str, ...] = ("UserDetailList", "RoleDetailList")) -> Source:
    """The one document of a `get-account-authorization-details` output with one of `keys`;
    `PolicyError` if the file is not one."""
    sources = read_sources(path)
    if len(sources) != 1:  # an empty JSON Lines file, or one of several lines
        where = Location(path if path != "-" else "<stdin>", sources[1].line_offset + 1 if sources else None,
                         1 if sources else None)
        raise PolicyError([Problem(f"the file holds {len(sources)} documents; the account details are one",
                                   where, "give the output of `aws iam get-account-authorization-details` "
                                   "as one JSON document", code="invalid-account-details")])
    source = sources[0]
    data = source.data
    if not isinstance(data, dict) or not any(k in data for k in keys):
        raise PolicyError([source.problem((), "this is not the output of "
                                          "`aws iam get-account-authorization-details`",
                                          "it has `UserDetailList`, `GroupDetailList`, `RoleDetailList` "
                                          "and `Policies`", code="invalid-account-details")])
    return source


def load_managed_policies(path: str) -> AwsManagedPolicies:
    """`--managed-policies PATH`: AWS managed policies fresher than iameval's snapshot, which they
    win over. A folder of `NAME.json` documents (read when a policy of that name is asked), or an
    account export whose `Policies` hold AWS managed policies (`PolicyError` if it is neither)."""
    if Path(path).is_dir():
        return AwsManagedPolicies(folder=Path(path), origin=path)
    builder = _Builder(_export(path, ("Policies",)))
    builder.read_managed(builder.source.data)
    return AwsManagedPolicies(exported={arn: loaded for arn, loaded in builder.managed.items() if is_aws_managed(arn)},
                              origin=path)


def load_account(path: str, aws_managed: AwsManagedPolicies | None = None) -> Account:
    """Read `get-account-authorization-details` output; raise `PolicyError` if it is not one.
    An attached AWS managed policy the export does not hold is found in `aws_managed` (by
    default, iameval's snapshot)."""
    source = _export(path)
    data = source.data
    builder = _Builder(source, aws_managed)
    if data.get("IsTruncated"):
        builder.warn(("IsTruncated",), "the export is truncated: later pages of users, groups, roles and "
                     "policies are missing, so answers cover only the principals in this file",
                     "fetch every page (the AWS CLI does by default) and merge them")
    builder.read_managed(data)

    groups: dict[str, list[_Loaded]] = {}
    for index, group in builder.entries(data, "GroupDetailList"):
        at = ("GroupDetailList", index)
        name = group.get("GroupName")
        if not isinstance(name, str):
            builder.warn(at + ("GroupName",), "a group without `GroupName` was passed over: its members "
                         "are reported as in a group that is not in the file")
            continue
        if name in groups:
            builder.warn(at + ("GroupName",), f"group `{name}` is in the file twice: this entry was passed over")
            continue
        groups[name] = list(builder.attached(group, at)) + list(
            builder.inline(group, "GroupPolicyList", at, f"group {name}"))

    principals: list[AccountPrincipal] = []
    for index, user in builder.entries(data, "UserDetailList"):
        at = ("UserDetailList", index)
        named = builder.named(user, "UserName", at, "user")
        if named is None:
            continue
        loaded = list(builder.attached(user, at)) + list(
            builder.inline(user, "UserPolicyList", at, f"user {named[1]}"))
        group_list = user.get("GroupList") or []
        if not isinstance(group_list, list) or not all(isinstance(g, str) for g in group_list):
            problem = builder.warn(at + ("GroupList",), "`GroupList` must be a list of group names")
            loaded.append((None, (problem,)))
            group_list = []
        for group in group_list:
            if group not in groups:
                # Its policies are unknown: the user's answers would be guesses.
                problem = builder.warn(at + ("GroupList",), f"group `{group}` is not in the file")
                loaded.append((None, (problem,)))
                continue
            loaded += groups[group]
        principals.append(_principal(builder, user, "user", named, at, loaded, tuple(group_list)))

    for index, role in builder.entries(data, "RoleDetailList"):
        at = ("RoleDetailList", index)
        named = builder.named(role, "RoleName", at, "role")
        if named is None:
            continue
        loaded = list(builder.attached(role, at)) + list(
            builder.inline(role, "RolePolicyList", at, f"role {named[1]}"))
        principals.append(_principal(builder, role, "role", named, at, loaded))
    return Account(tuple(principals), tuple(builder.warnings))


def _principal(builder: _Builder, entity: dict[str, Any], kind: str, named: tuple[str, str], path: JsonPath,
               loaded: list[_Loaded], groups: tuple[str, ...] = ()) -> AccountPrincipal:
    arn, name = named
    problems: list[Problem] = []
    identity: list[Policy] = []
    seen: set[int] = set()
    for policy, policy_problems in loaded:
        problems.extend(policy_problems)
        if policy is None or id(policy) in seen:
            continue
        seen.add(id(policy))
        identity.append(policy)
    boundary = None
    boundary_entry = entity.get("PermissionsBoundary") or {}
    boundary_arn = boundary_entry.get("PermissionsBoundaryArn") if isinstance(boundary_entry, dict) else None
    if not isinstance(boundary_arn, str):
        boundary_arn = None
    if boundary_arn is None and boundary_entry:
        problems.append(builder.warn(path + ("PermissionsBoundary",),
                                     "`PermissionsBoundary` must be an object with `PermissionsBoundaryArn`"))
    if boundary_arn:
        boundary, boundary_problems = builder.managed_policy(
            boundary_arn, path + ("PermissionsBoundary", "PermissionsBoundaryArn"), "permissions boundary")
        problems.extend(boundary_problems)
    trust = None
    if kind == "role" and "AssumeRolePolicyDocument" in entity:
        where = path + ("AssumeRolePolicyDocument",)
        trust, trust_problems = builder.policy(entity["AssumeRolePolicyDocument"], PolicyKind.RESOURCE_POLICY,
                                               where, f"trust policy of role {name}", trust=True)
        problems.extend(trust_problems)
    tags, tag_problems = builder.tags(entity, path)
    problems.extend(tag_problems)
    return AccountPrincipal(arn=arn, kind=kind, name=name, identity=tuple(identity), permission_boundary=boundary,
                            trust_policy=trust, tags=tags, groups=groups, problems=tuple(problems))


# -------------------------------------------------------------------------------------- who-can

@dataclass(frozen=True)
class WhoCanAnswer:
    """One principal's answer: a result, or why it could not be evaluated.

    For a principal the request as given denies, but that the chain allows once conditions on
    keys the request did not give are taken to hold (`conditional`): `allowed_if`, the Allow
    statements those conditions alone kept from applying (the explanation's `allowed_if`,
    IAM-SEMANTICS §13), each with them; `unless`, the Deny statements that apply only through
    conditions on such keys, which must stop applying. Both are empty for an allowed principal,
    for one denied whatever the keys say, and under `strict_context`.

    Under `some_context`: `context`, the context under which the principal is allowed, found by
    the solver (`analysis.some_context`) and replayed (`result` is that request's); `unknown`,
    why it could not be decided.

    `resource_side`: the error is the resource's, not the principal's: its resource-based policy
    (or its account's RCPs) could not be read, so that no principal could be evaluated.
    """

    principal: AccountPrincipal
    result: Result | None = None
    error: PolicyError | None = None
    resource_side: bool = False
    allowed_if: tuple[StatementTrace, ...] = ()
    unless: tuple[StatementTrace, ...] = ()
    context: Mapping[str, Any] | None = None
    unknown: str | None = None

    def __post_init__(self) -> None:
        if (self.result is None) == (self.error is None):
            raise ValueError("an answer has a result or an error, not both or neither")
        if self.resource_side and self.error is None:
            raise ValueError("only an answer with an error can have it from the resource's side")
        if (self.allowed_if or self.unless) and (self.result is None or self.result.allowed):
            raise ValueError("only a principal the request denies is allowed if conditions hold")

    @property
    def allowed(self) -> bool:
        return self.result is not None and self.result.allowed

    @property
    def conditional(self) -> bool:
        """Denied as asked, but allowed if conditions on keys the request did not give held."""
        return bool(self.allowed_if or self.unless)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Why the principal could not be evaluated; empty when it was."""
        return self.error.problems if self.error is not None else ()


# `analysis.some_context`: a request of the principal for the action on the resource that the
# authorizer allows under some context, its tags fixed; or None and why that is unknown.
SomeContext = Callable[[Authorizer, str, str, str, Mapping[str, str], "str | None"],
                       "tuple[Request | None, str | None]"]


def who_can(account: Account, action: str, resource: str, *, resource_policy: Policy | None = None,
            scps: Sequence[_Level] = (), rcps: Sequence[_Level] = (), context: Mapping[str, Any] | None = None,
            resource_account: str | None = None, strict_context: bool = False,
            some_context: SomeContext | None = None, on_answer: Callable[[], None] | None = None,
            resource_problems: tuple[Problem, ...] = ()) -> list[WhoCanAnswer]:
    """Ask every user and role of the account whether it may perform `action` on `resource`.

    A role is asked as a session of that role without a session policy (§2.4). For
    `sts:AssumeRole` on a role of the account, that role's trust policy is the resource policy
    unless one is given (§2.5). Each principal's tags are in its context as
    `aws:PrincipalTag/...` unless `context` gives them.

    A principal the request denies is explained (§13), unless `strict_context`: when the chain
    would allow it were the conditions on keys the request did not give to hold, its answer
    says which (`WhoCanAnswer.allowed_if`, `unless`). Its decision stays the plain one.

    With `some_context` (`analysis.some_context`, given by the caller: analysis comes after
    inputs; and no `context`), a principal is allowed when some context allows it: the solver finds
    one, with the principal's tags as the account says, and the engine replays it
    (`WhoCanAnswer.context`); exact where `allowed_if` is a heuristic.

    `on_answer` is told of each principal answered (a progress bar). `resource_problems`: why
    the resource's side cannot be known (its policy, or its account's RCPs, could not be read;
    `MemberAccount.resource_policy`): every principal is then left unevaluated.
    """
    if some_context is not None and context:
        raise ValueError("some_context searches every context: give no context")
    unknown = resource_problems  # why every answer would be a guess
    if resource_policy is None and not unknown:
        resource_policy, unknown = account.resource_policy(action, resource)

    def answer(principal: AccountPrincipal) -> WhoCanAnswer:
        if unknown:
            return WhoCanAnswer(principal, error=PolicyError(unknown), resource_side=True)
        if not principal.complete:
            return WhoCanAnswer(principal, error=PolicyError(principal.problems))
        request = {"principal": principal.arn, "action": action, "resource": resource,
                   "context": merge_context(principal.context(), context or {})}
        if resource_account:
            request["resource_account"] = resource_account
        try:
            authorizer = principal.authorizer(resource_policy=resource_policy, scps=scps, rcps=rcps)
            result = authorizer.authorize(request)
            if result.allowed or strict_context:
                return WhoCanAnswer(principal, result)
            if some_context is not None:
                found, reason = some_context(authorizer, principal.arn, action, resource, principal.context(),
                                             resource_account)
                if found is None:
                    return WhoCanAnswer(principal, result, unknown=reason)
                return WhoCanAnswer(principal, authorizer.authorize(found), context=dict(found.context))
            # Only a denied principal needs its trace: explaining costs more than deciding.
            allowed_if, unless = conditional_access(authorizer, request, explain(authorizer, request))
        except PolicyError as exc:
            return WhoCanAnswer(principal, error=exc)
        return WhoCanAnswer(principal, result, allowed_if=allowed_if, unless=unless)

    answers = []
    for principal in account.principals:
        answers.append(answer(principal))
        if on_answer is not None:
            on_answer()
    return answers


class Grantee(StrEnum):
    """The kinds of name through which a resource-based policy grants beyond the users and roles
    of the account (§6.2, §7.4)."""

    ANYONE = "anyone"  # `*`, or an Allow with `NotPrincipal`
    ACCOUNT = "account"
    PRINCIPAL = "principal"  # an ARN that is not a user or role of the file
    SERVICE = "service"
    FEDERATED = "federated"
    CANONICAL_USER = "canonical-user"

    def describe(self, name: str) -> str:
        if self is Grantee.ANYONE:
            return "anyone, including anonymous callers"
        if self is Grantee.ACCOUNT:
            return f"any principal of account {name}"
        return f"{_GRANTEE_NOUN[self]} {name}"


_GRANTEE_NOUN = {Grantee.PRINCIPAL: "principal", Grantee.SERVICE: "service", Grantee.FEDERATED: "identity provider",
                 Grantee.CANONICAL_USER: "canonical user"}


@dataclass(frozen=True)
class OutsideGrant:
    """Whom a resource-based policy grants the request besides the users and roles of the
    account: `*` (anyone, including anonymous callers), another account, a principal that is
    not a user or role of the file, a service, an identity provider or a canonical user
    (`kind`).

    `statements` are the Allow statements naming it that apply with the context given;
    `allowed_if` those that conditions on keys the request did not give alone kept from
    applying (empty under `strict_context`); `denied_by` the Deny statements of the resource
    policy or the RCPs that apply to it. These are what the policy grants: for a caller of
    another account, that account's own policies decide too (§3).
    """

    principal: str  # as the policy names it: `*`, an account ID, an ARN, a service...
    kind: Grantee
    statements: tuple[StatementTrace, ...] = ()
    allowed_if: tuple[StatementTrace, ...] = ()
    denied_by: tuple[StatementTrace, ...] = ()

    @property
    def description(self) -> str:
        """`anyone, including anonymous callers`, `any principal of account 444455556666`..."""
        return self.kind.describe(self.principal)


def granted_outside(account: Account, action: str, resource: str, *, resource_policy: Policy | None = None,
                    rcps: Sequence[_Level] = (), context: Mapping[str, Any] | None = None,
                    resource_account: str | None = None, strict_context: bool = False) -> list[OutsideGrant]:
    """Whom the resource-based policy of a request grants it beyond the users and roles that
    `who_can` evaluates (the given policy, else a role's trust policy for sts:AssumeRole, §2.5).

    Each name an Allow statement gives (`Principal`, read as the engine reads it; an Allow with
    `NotPrincipal` reaches anyone it does not list) is asked the request as one caller: `*` as
    an anonymous caller, an account as its root user, a service as itself. Its statements are
    those of the explanation (§13) whose action and resource match; the name is listed when one
    applies or would with the keys the request did not give. Names of the file's accounts are
    left out (`who_can` evaluates their users and roles), and so are callers that cannot make
    the request at all (a service calling sts:AssumeRoleWithSAML).
    """
    if resource_policy is None:
        resource_policy, _ = account.resource_policy(action, resource)
    if resource_policy is None:
        return []
    local_accounts = {split_arn(p.arn)[4] for p in account.principals}
    local_arns = {p.arn for p in account.principals}
    partition = split_arn(account.principals[0].arn)[1] if account.principals else "aws"
    named: dict[tuple[Grantee, str], set[str]] = {}  # (kind, name) -> labels of the statements naming it
    for index, statement in enumerate(resource_policy.statement):
        if statement.effect is not Effect.ALLOW:
            continue
        label = statement.label(index)
        if statement.not_principal is not None:
            named.setdefault((Grantee.ANYONE, "*"), set()).add(label)
        if statement.principal is None:
            continue
        principals = Principals(statement.principal)
        names = ([(Grantee.ANYONE, "*")] if principals.any else []) + [
            (Grantee.ACCOUNT, a) for a in sorted(principals.accounts) if a not in local_accounts] + [
            (Grantee.PRINCIPAL, a) for a in sorted(principals.arns) if a not in local_arns] + [
            (Grantee.SERVICE, s) for s in sorted(principals.services)] + [
            (Grantee.FEDERATED, f) for f in sorted(principals.federated)] + [
            (Grantee.CANONICAL_USER, c) for c in sorted(principals.canonical)]
        for entry in names:
            named.setdefault(entry, set()).add(label)
    authorizer = Authorizer(resource_policy=resource_policy, rcps=rcps)
    grants = []
    for (kind, name), labels in named.items():
        caller = ("*" if kind is Grantee.ANYONE else f"arn:{partition}:iam::{name}:root" if kind is Grantee.ACCOUNT
                  else name)
        request: dict[str, Any] = {"principal": caller, "action": action, "resource": resource,
                                   "context": dict(context or {})}
        if resource_account:
            request["resource_account"] = resource_account
        try:
            explanation = explain(authorizer, request)
        except PolicyError as exc:
            if all(p.code == "invalid-principal-arn" for p in exc.problems):
                continue  # this caller cannot make the request at all (a service cannot call AssumeRoleWithSAML)
            raise
        granting = [g for g in explanation.gates if g.id == GateKind.RESOURCE_POLICY]
        applied = tuple(t for g in granting for t in g.applied if t.effect is Effect.ALLOW and t.statement in labels)
        allowed_if = () if strict_context else tuple(
            t for g in granting for t in g.near_misses if t.allowed_if and t.statement in labels)
        if applied or allowed_if:
            denied_by = tuple(t for g in explanation.gates for t in g.applied if t.effect is Effect.DENY and not t.waived)
            grants.append(OutsideGrant(name, kind, applied, allowed_if, denied_by))
    return grants


def trusted_outside(role: AccountPrincipal, account: Account | None = None) -> list[str]:
    """Whom the role's trust policy names besides the users and roles of the account: other
    accounts and their principals, role sessions, services, identity providers, `*`. They are
    listed, not evaluated: their own side decides too (§3). The role's own account, as an ID or
    as its root user in whatever partition (§7.4), is the account's own; without the account's
    file, so is every principal ARN of that account."""
    if role.trust_policy is None:
        return []
    own_account = split_arn(role.arn)[4]
    evaluated = {p.arn for p in account.principals} if account is not None else set()
    found: list[str] = []
    for statement in role.trust_policy.statement:
        if statement.effect is not Effect.ALLOW or statement.principal is None:
            continue
        principal = statement.principal
        aws = [a for a in principal.aws
               if a not in evaluated and own_account not in Principals(PrincipalMap.model_construct(aws=(a,))).accounts
               and (account is not None or a == "*" or not _iam_arn_of(a, own_account))]
        entries = (["*"] if principal.wildcard else []) + aws + list(principal.service) + list(
            principal.federated) + list(principal.canonical_user)
        found += [e for e in entries if e not in found]
    return found


def _iam_arn_of(name: str, account_id: str) -> bool:
    """Whether a principal ARN names an IAM entity of this account, in any partition."""
    segments = split_arn(name)
    return len(segments) == 6 and segments[0] == "arn" and segments[2] in ("iam", "sts") and segments[4] == account_id
