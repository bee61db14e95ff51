"""Questions over a whole organization: who, in any account, may make a request
(`organization_who_can`), and who can reach a role through chains of `sts:AssumeRole`
(`assume_paths`).

Each principal is asked by `who_can`, the engine's one chain: with its own account's SCP levels
and the resource account's RCP levels and resource-based policy, so that a request across
accounts needs both sides to allow (IAM-SEMANTICS §3, §4). The organization also says what AWS
puts in the request context of its members (§10): `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths`
of the caller's account, `aws:ResourceOrgID` and `aws:ResourceOrgPaths` of the resource's; a key
the `context` gives wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..engine._context import merge_context
from ..engine._result import Result
from ..policy._errors import Location, PolicyError, Problem
from ._accounts import Account, AccountPrincipal, OutsideGrant, WhoCanAnswer, granted_outside, who_can
from ._organizations import MemberAccount, Organization

__all__ = ["AccountAnswers", "AssumePaths", "Hop", "OrganizationAnswer", "RolePath", "assume_paths", "organization_who_can",
           "owning_member"]


@dataclass(frozen=True)
class AccountAnswers:
    """The answers of the principals of one account."""

    member: MemberAccount
    answers: tuple[WhoCanAnswer, ...]


@dataclass(frozen=True)
class OrganizationAnswer:
    """Who in the organization may make a request (`accounts`, in the organization's order), and
    whom the resource-based policy grants it beyond the organization's principals (`outside`)."""

    resource_account: MemberAccount
    accounts: tuple[AccountAnswers, ...]
    outside: tuple[OutsideGrant, ...]

    @property
    def answers(self) -> tuple[WhoCanAnswer, ...]:
        return tuple(a for account in self.accounts for a in account.answers)


def owning_member(organization: Organization, resource: str, given: str | None = None) -> MemberAccount:
    """The member the resource belongs to (`given`, else `Organization.owner`), or a
    `PolicyError`: the resource side of a request outside the organization is unknown."""
    owner = given or organization.owner(resource)
    if owner is None:
        raise PolicyError([Problem(f"the account of `{resource}` is unknown: its ARN names none and no account of "
                                   "the organization holds its policy", Location("--resource"),
                                   "give it with --resource-account, or add its policy under `resource-policies`",
                                   code="unknown-resource-account")])
    member = organization.member(owner)
    if member is None:
        raise PolicyError([Problem(f"account `{owner}` of `{resource}` is not in the organization: its policies "
                                   "are unknown", Location("--resource-account" if given else "--resource"),
                                   code="unknown-resource-account")])
    return member


def organization_who_can(organization: Organization, action: str, resource: str, *,
                         context: Mapping[str, Any] | None = None, resource_account_id: str | None = None,
                         strict_context: bool = False, on_answer: Callable[[], None] | None = None
                         ) -> OrganizationAnswer:
    """Ask every user and role of every account whether it may perform `action` on `resource`
    (`who_can`, each role as a session of itself, §2.4), with its account's SCP levels (none for
    the management account, §4) and the resource account's RCP levels and resource-based policy
    (a role's trust policy for sts:AssumeRole, §2.5). Across accounts both sides must allow (§3).
    A resource whose policy or RCP levels could not be read leaves every principal unevaluated.
    """
    owner = owning_member(organization, resource, resource_account_id)
    resource_policy, problems = owner.resource_policy(action, resource)
    accounts = []
    for member in organization.accounts:
        keys = merge_context(organization.request_keys(member, owner), context or {})
        answers = who_can(member.account, action, resource, resource_policy=resource_policy, scps=member.scps,
                          rcps=owner.rcps, context=keys, resource_account=owner.id, strict_context=strict_context,
                          on_answer=on_answer, resource_problems=problems)
        accounts.append(AccountAnswers(member, tuple(answers)))
    everyone = Account(organization.principals)
    outside = granted_outside(everyone, action, resource, resource_policy=resource_policy, rcps=owner.rcps,
                              context=merge_context(organization.request_keys(None, owner), context or {}),
                              resource_account=owner.id,
                              strict_context=strict_context) if not problems else []
    return OrganizationAnswer(owner, tuple(accounts), tuple(outside))


# ------------------------------------------------------------------------------------ paths

@dataclass(frozen=True)
class Hop:
    """One `sts:AssumeRole`: `caller` (a user, or a session of a role) assumes `role`; `result`
    the engine's decision with its deciding statements (§13)."""

    caller: AccountPrincipal
    role: AccountPrincipal
    result: Result


@dataclass(frozen=True)
class RolePath:
    """A shortest chain from `principal` to the role asked: its hops in order, the last into that role."""

    principal: AccountPrincipal
    hops: tuple[Hop, ...]


@dataclass(frozen=True)
class AssumePaths:
    """The principals that can reach a role, each by a shortest chain; and those that could not be
    evaluated for a hop, each with the role it was asked to assume and why (`unevaluated`)."""

    role: AccountPrincipal
    paths: tuple[RolePath, ...]
    unevaluated: tuple[tuple[WhoCanAnswer, AccountPrincipal], ...]


def assume_paths(organization: Organization, role_arn: str, *, max_hops: int = 5,
                 context: Mapping[str, Any] | None = None) -> AssumePaths:
    """Which principals of the organization can reach the role through chains of
    `sts:AssumeRole`, each session assuming the next role (§2.4, §2.5).

    Breadth-first from the role backwards: at each depth every principal is asked
    (`organization_who_can`, with the trust policy and both accounts' SCPs and RCPs) whether it
    may assume a role reached at the depth before; a principal is kept at the first depth that
    reaches it, so each path is a shortest one and a cycle (a role that can assume one already
    reached) ends there. At most `max_hops` hops. Only a plain Allow counts: a hop allowed only
    were conditions on keys the request did not give to hold is not taken.
    """
    owner_id = organization.owner(role_arn)
    owner = organization.member(owner_id) if owner_id else None
    target = owner.account.find(role_arn) if owner is not None else None
    if target is None or target.kind != "role" or target.arn != role_arn:
        raise PolicyError([Problem(f"`{role_arn}` is not a role of the organization", Location("--to"),
                                   "give the ARN of a role of one of its exports", code="unknown-principal")])
    reached: dict[str, RolePath] = {target.arn: RolePath(target, ())}
    unevaluated: dict[tuple[str, str], tuple[WhoCanAnswer, AccountPrincipal]] = {}
    frontier = [target]
    for _ in range(max_hops):
        following = []
        for role in frontier:
            asked = organization_who_can(organization, "sts:AssumeRole", role.arn, context=context,
                                         strict_context=True)
            for answer in asked.answers:
                caller = answer.principal
                if answer.error is not None:
                    unevaluated.setdefault((caller.arn, role.arn), (answer, role))
                if not answer.allowed or caller.arn in reached or answer.result is None:
                    continue
                reached[caller.arn] = RolePath(caller, (Hop(caller, role, answer.result),) + reached[role.arn].hops)
                if caller.kind == "role":
                    following.append(caller)
        frontier = following
        if not frontier:
            break
    paths = tuple(p for arn, p in reached.items() if arn != target.arn)
    return AssumePaths(target, paths, tuple(unevaluated.values()))
