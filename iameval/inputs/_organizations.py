"""A whole AWS Organization: its accounts, where each sits under the root and its OUs, and the
SCPs and RCPs that reach it (IAM-SEMANTICS §4).

An account's Organizations policies are levels, from the root through each OU on its path to the
account itself: every level must allow and any may deny (§4, Inheritance), which is what
`Authorizer(scps=..., rcps=...)` takes. The management account has no levels: neither SCPs nor
RCPs reach its principals or its resources (§4, Scope). In a cross-account request the caller's
account gives the SCPs and the resource's account the RCPs (§4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..policy._arn import ACCOUNT_ID, bucket_of, split_arn
from ..policy._errors import Problem
from ..policy._model import Policy
from ._accounts import Account, AccountPrincipal

__all__ = ["MemberAccount", "Organization"]

# One level of Organizations policies (the root, an OU, the account): the policies attached there.
Level = tuple[Policy, ...]


@dataclass(frozen=True)
class MemberAccount:
    """One account of the organization.

    `path` names the nodes from the root down to the OU that holds the account (root ID first).
    `scps` and `rcps` hold one level per node of that path plus one for the account itself, in
    that order; both are empty for the management account. `resource_policies` are the
    resource-based policies the account holds, by resource ARN (bucket, key, queue, topic and
    other policies; role trust policies stay with the roles of `account`).

    What the organization's files left unknown is kept with the account, so that the requests it
    touches are left unevaluated, never answered without it: `rcp_problems`, why its RCP levels
    could not be read (every request to its resources); `resource_policy_problems`, by resource
    ARN, why that resource's policy could not be read. A principal whose SCP levels could not be
    read carries that in its own `problems`.
    """

    id: str
    name: str
    path: tuple[str, ...]
    account: Account
    scps: tuple[Level, ...] = ()
    rcps: tuple[Level, ...] = ()
    resource_policies: Mapping[str, Policy] = field(default_factory=dict)
    rcp_problems: tuple[Problem, ...] = ()
    resource_policy_problems: Mapping[str, tuple[Problem, ...]] = field(default_factory=dict)

    def holds(self, resource: str) -> bool:
        """Whether the organization's files give this resource's policy as the account's (an S3
        object's is its bucket's, §11)."""
        return self._held(resource) is not None

    def resource_policy(self, action: str, resource: str) -> tuple[Policy | None, tuple[Problem, ...]]:
        """The resource-based policy of a request to a resource of this account: a role's trust
        policy for sts:AssumeRole on it (§2.5), else the policy held for the resource or its
        bucket; with why any answer would be a guess (its policy or the account's RCP levels
        could not be read)."""
        trust, problems = self.account.resource_policy(action, resource)
        if trust is None and not problems:
            trust, problems = self.held_policy(resource)
        return trust, self.rcp_problems + problems

    def held_policy(self, resource: str) -> tuple[Policy | None, tuple[Problem, ...]]:
        """The resource-based policy the files give for the resource or its bucket (§11), with
        why it is unknown where it could not be read."""
        held = self._held(resource)
        if held is None:
            return None, ()
        return self.resource_policies.get(held), self.resource_policy_problems.get(held, ())

    def _held(self, resource: str) -> str | None:
        for arn in (resource, bucket_of(resource)):
            if arn is not None and (arn in self.resource_policies or arn in self.resource_policy_problems):
                return arn
        return None


@dataclass(frozen=True)
class Organization:
    """The accounts of one organization, and what its files lacked or contradicted (`warnings`,
    each located; the principals they touch are left unevaluated, as in an account export)."""

    id: str
    management_account_id: str
    accounts: tuple[MemberAccount, ...]
    warnings: tuple[Problem, ...] = ()

    @property
    def principals(self) -> tuple[AccountPrincipal, ...]:
        """The users and roles of every account, in the organization's order."""
        return tuple(p for member in self.accounts for p in member.account.principals)

    def is_management(self, member: MemberAccount) -> bool:
        """Whether the account is the management account, which no SCP or RCP reaches (§4, Scope)."""
        return member.id == self.management_account_id

    def member(self, account_id: str) -> MemberAccount | None:
        """The account with this ID, or None when it is not one of the organization's."""
        for member in self.accounts:
            if member.id == account_id:
                return member
        return None

    def request_keys(self, caller: MemberAccount | None, owner: MemberAccount | None) -> dict[str, Any]:
        """What AWS puts in the context of a request that a principal of `caller` makes to a
        resource of `owner` (§10): `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` where the
        caller's account is one of the organization's, `aws:ResourceOrgID` and
        `aws:ResourceOrgPaths` where the resource's account is (None: an account outside it). A
        path reads `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`."""
        keys: dict[str, Any] = {}
        if caller is not None:
            keys.update({"aws:PrincipalOrgID": self.id, "aws:PrincipalOrgPaths": [self._path(caller)]})
        if owner is not None:
            keys.update({"aws:ResourceOrgID": self.id, "aws:ResourceOrgPaths": [self._path(owner)]})
        return keys

    def _path(self, member: MemberAccount) -> str:
        return "/".join((self.id,) + member.path) + "/"

    def owner(self, resource: str) -> str | None:
        """The ID of the account a resource belongs to: the one whose files hold its policy, else
        the account its ARN names (S3 ARNs name none); None when neither says."""
        for member in self.accounts:
            if member.holds(resource):
                return member.id
        segments = split_arn(resource)
        return segments[4] if len(segments) == 6 and ACCOUNT_ID.fullmatch(segments[4]) else None
