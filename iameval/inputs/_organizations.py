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
from typing import Mapping

from ..policy._errors import Problem
from ..policy._model import Policy
from ._accounts import Account

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
    """

    id: str
    name: str
    path: tuple[str, ...]
    account: Account
    scps: tuple[Level, ...] = ()
    rcps: tuple[Level, ...] = ()
    resource_policies: Mapping[str, Policy] = field(default_factory=dict)
    management: bool = False


@dataclass(frozen=True)
class Organization:
    """The accounts of one organization, and what its files lacked or contradicted (`warnings`,
    each located; the principals they touch are left unevaluated, as in an account export)."""

    id: str
    management_account_id: str
    accounts: tuple[MemberAccount, ...]
    warnings: tuple[Problem, ...] = ()

    def member(self, account_id: str) -> MemberAccount | None:
        """The account with this ID, or None when it is not one of the organization's."""
        for member in self.accounts:
            if member.id == account_id:
                return member
        return None
