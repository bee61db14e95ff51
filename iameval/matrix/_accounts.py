"""One account's rows of the access matrix: what each of its users and roles may do on one resource.

Each principal is asked as `who-can` asks it (a role as a session of itself, §2.4), with the
SCP levels of its own account and the RCP levels of the resource's account (§3, §4), for every
action chosen at once (`analysis.decide_sets`). Where the resource is a role of the organization,
its trust policy is the resource-based policy of the requests that need one (§2.5), as
`Account.resource_policy` reads it; a resource-based policy held by an account of the
organization (`MemberAccount.resource_policies`) takes part in every request.

`MatrixState` is what every account's work shares: the organization's SCP and RCP levels, the
resource, the actions chosen, the catalogue's order. Made once by the caller, it is sent once
to each worker; an account is sent without its levels.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import numpy.typing as npt

from ..analysis._decide_sets import ActionIndex, decide_sets
from ..engine._context import merge_context
from ..engine._plan import is_resource_policy_required
from ..inputs._accounts import AccountPrincipal
from ..inputs._organization_questions import owning_member
from ..inputs._organizations import Level, MemberAccount, Organization
from ..policy._errors import PolicyError
from ..policy._model import Policy

__all__ = ["AccountMatrix", "MatrixState", "Selection", "Target", "account_matrix"]


@dataclass(frozen=True)
class Selection:
    """The actions the matrix asks: every action of the catalogue (`everything`), those of some
    services (`services`, prefixes) or those an actions file lists (`patterns`: names or
    wildcards, as a policy's `Action` entries, §7.2)."""

    services: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def bits(self, index: ActionIndex) -> int:
        if not self.services and not self.patterns:
            return index.everything
        found = 0
        for pattern in tuple(f"{s}:*" for s in self.services) + self.patterns:
            found |= index.pattern(pattern)
        return found

    def describe(self) -> str:
        if not self.services and not self.patterns:
            return "all"
        return " ".join([f"service:{s}" for s in self.services] + list(self.patterns))


@dataclass(frozen=True)
class Target:
    """The resource asked about: its ARN (or `*`), the account that holds it when the
    organization does (`owner`), its resource-based policy there, and for a role its trust
    policy (asked only where a request needs it, §2.5)."""

    resource: str = "*"
    owner: str | None = None
    policy: Policy | None = None
    trust: Policy | None = None
    # Why the role's trust policy is unknown (it did not load): no principal is then evaluated,
    # as `who_can` leaves them for such a role (`Account.resource_policy`).
    problems: tuple[str, ...] = ()

    @classmethod
    def find(cls, organization: Organization, resource: str, resource_account: str | None = None) -> "Target":
        """The resource as the organization holds it, read as `org who-can` reads it: its account
        (`resource_account`, else `Organization.owner`; `owning_member` refuses one it cannot
        tell or that is not the organization's, whose policies are unknown), the policy held for
        it or its bucket, and for a role its trust policy (`MemberAccount.held_policy`,
        `Account.resource_policy`); with why any answer would be a guess (a policy or the
        account's RCP levels could not be read). `*` is a resource of each caller's own account."""
        if resource == "*":
            return cls()
        member = owning_member(organization, resource, resource_account)
        policy, unknown = member.held_policy(resource)
        trust = None
        role = member.account.find(resource)
        if role is not None and role.kind == "role":
            trust, more = member.account.resource_policy("sts:AssumeRole", resource)
            unknown += more
        return cls(resource, member.id, policy, trust, tuple(str(p) for p in member.rcp_problems + unknown))


@dataclass(frozen=True)
class MatrixState:
    """What every account's work shares; made once, sent once per worker.

    `levels` are each account's SCP and RCP levels by account ID (`MemberAccount.scps`,
    `.rcps`); `actions` the bits of the actions asked, in `index`'s order.
    """

    levels: Mapping[str, tuple[tuple[Level, ...], tuple[Level, ...]]]
    target: Target
    actions: int
    index: ActionIndex
    shared: tuple[Policy, ...] = ()  # the policies that principals of several accounts hold
    # The organization's keys of each account's requests (`Organization.request_keys`).
    keys: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, organization: Organization, selection: Selection, resource: str = "*",
           index: ActionIndex | None = None, resource_account: str | None = None) -> "MatrixState":
        index = index or ActionIndex.catalogue()
        levels = {m.id: (m.scps, m.rcps) for m in organization.accounts}
        holders: dict[int, tuple[Policy, set[str]]] = {}
        for member in organization.accounts:
            for principal in member.account.principals:
                for policy in (*principal.identity, principal.permission_boundary, principal.trust_policy):
                    if policy is not None:
                        holders.setdefault(id(policy), (policy, set()))[1].add(member.id)
        shared = tuple(policy for policy, accounts in holders.values() if len(accounts) > 1)
        target = Target.find(organization, resource, resource_account)
        # The resource of `*` is of each caller's own account.
        keys = {m.id: organization.request_keys(m, organization.member(target.owner) if target.owner else m)
                for m in organization.accounts}
        return cls(levels, target, selection.bits(index), index, shared, keys)

    def __reduce__(self) -> tuple[Any, ...]:
        # The index travels as its names: each worker makes its memos anew.
        return (_state, (self.levels, self.target, self.actions, self.index.names, self.shared, self.keys))

    def pack(self, shard: tuple[MemberAccount, ...]) -> bytes:
        """A shard of accounts as a task carries it: without their levels (the state has them)
        and resource-based policies (`Target` has the one asked about), and with each shared
        policy as its number in `shared`, so that a worker compiles it once for all its tasks."""
        numbers = {id(policy): number for number, policy in enumerate(self.shared)}
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.persistent_id = lambda held: numbers.get(id(held)) if type(held) is Policy else None  # type: ignore[method-assign]
        pickler.dump(tuple(dataclasses.replace(m, scps=(), rcps=(), resource_policies={}) for m in shard))
        return buffer.getvalue()

    def unpack(self, packed: bytes) -> tuple[MemberAccount, ...]:
        """The accounts of `pack`, holding this state's own shared policies."""
        unpickler = pickle.Unpickler(io.BytesIO(packed))
        unpickler.persistent_load = self.shared.__getitem__  # type: ignore[method-assign]
        accounts: tuple[MemberAccount, ...] = unpickler.load()
        return accounts


def _state(levels: Mapping[str, tuple[tuple[Level, ...], tuple[Level, ...]]], target: Target, actions: int,
           names: tuple[str, ...], shared: tuple[Policy, ...], keys: Mapping[str, Mapping[str, Any]]) -> MatrixState:
    return MatrixState(levels, target, actions, ActionIndex(names), shared, keys)


Positions = npt.NDArray[np.int32]


@dataclass(frozen=True)
class AccountMatrix:
    """One account's answers. Row i: principal `principals[principal[i]]` may perform action
    `index.names[action[i]]` (`allowed[i]`), or would be allowed to were conditions on keys
    the request did not give to hold (not `allowed[i]`). `unevaluated`: the principals whose policies could
    not all be loaded or that the engine refused, with why (their position, a message).
    `asked`: how many requests the engine decided one by one."""

    account_id: str
    principals: tuple[tuple[str, str], ...]  # (ARN, kind)
    principal: Positions
    action: Positions
    allowed: npt.NDArray[np.bool_]
    unevaluated: tuple[tuple[int, str], ...] = ()
    asked: int = 0

    @property
    def rows(self) -> int:
        return len(self.action) + len(self.unevaluated)


def positions(bits: int, size: int) -> Positions:
    """The positions of the set bits of an action set, in order."""
    if not bits:
        return np.zeros(0, dtype=np.int32)
    raw = np.frombuffer(bits.to_bytes((size + 7) // 8, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")).astype(np.int32)


def account_matrix(member: MemberAccount, state: MatrixState) -> AccountMatrix:
    """The rows of one account: each of its users and roles asked every action of `state`."""
    index, target = state.index, state.target
    scps, own_rcps = state.levels.get(member.id, ((), ()))
    owner = target.owner or member.id
    # RCPs are the resource's account's (§3): none for an account outside the organization.
    rcps = own_rcps if owner == member.id else state.levels.get(owner, ((), ()))[1]
    resource_account = None if owner == member.id else owner
    mandatory = 0
    if target.trust is not None:
        mandatory = sum(1 << p for p, name in enumerate(index.names)
                        if is_resource_policy_required(name, target.resource)) & state.actions
    principals = member.account.principals
    rows_principal: list[Positions] = []
    rows_action: list[Positions] = []
    rows_allowed: list[npt.NDArray[np.bool_]] = []
    unevaluated: list[tuple[int, str]] = []
    asked = 0
    for number, principal in enumerate(principals):
        if target.problems or not principal.complete:
            unevaluated.append((number, "; ".join(target.problems or tuple(str(p) for p in principal.problems))))
            continue
        try:
            context = merge_context(principal.context(), state.keys.get(member.id, {}))  # as `who_can` asks
            allowed, conditional, count = _decide(principal, state, scps, rcps, resource_account, mandatory, context)
        except PolicyError as exc:
            unevaluated.append((number, "; ".join(str(p) for p in exc.problems)))
            continue
        asked += count
        yes, maybe = positions(allowed, len(index)), positions(conditional, len(index))
        rows_principal.append(np.full(len(yes) + len(maybe), number, dtype=np.int32))
        rows_action.append(np.concatenate((yes, maybe)))
        rows_allowed.append(np.concatenate((np.ones(len(yes), np.bool_), np.zeros(len(maybe), np.bool_))))
    return AccountMatrix(member.id, tuple((p.arn, p.kind) for p in principals),
                         _joined(rows_principal, np.int32), _joined(rows_action, np.int32),
                         _joined(rows_allowed, np.bool_), tuple(unevaluated), asked)


def _joined(parts: list[Any], dtype: Any) -> Any:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _decide(principal: AccountPrincipal, state: MatrixState, scps: tuple[Level, ...], rcps: tuple[Level, ...],
            resource_account: str | None, mandatory: int, context: Mapping[str, Any]) -> tuple[int, int, int]:
    """A principal's allowed and conditional actions, and how many requests were asked one by one."""
    target, index = state.target, state.index
    authorizer = principal.authorizer(resource_policy=target.policy, scps=scps, rcps=rcps)
    sets = decide_sets(authorizer, principal.arn, index, target.resource, actions=state.actions & ~mandatory,
                       resource_account=resource_account, context=context)
    if not mandatory:
        return sets.allowed, sets.conditional, sets.asked
    trusted = principal.authorizer(resource_policy=target.trust, scps=scps, rcps=rcps)
    more = decide_sets(trusted, principal.arn, index, target.resource, actions=mandatory,
                       resource_account=resource_account, context=context)
    return sets.allowed | more.allowed, sets.conditional | more.conditional, sets.asked + more.asked
