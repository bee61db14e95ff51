"""What is fixed for one caller and one action under one authorizer (IAM-SEMANTICS §2-§5).

The first request of a caller and an action makes a `Plan`: in every gate of the chain, the
statements whose action and principal tests pass for them, and which gates take part at all
(SCPs do not govern service principals or service-linked roles; RCPs only some services). The
chain (`_chain.decide`) then tests only what varies between requests: resources and conditions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple

from ._checks import action_notices
from ._compile import UNREACHED, GateEntries, PolicySet
from ._notice import Notice
from ._context import Context, ContextEntry
from ._request import Caller, CallerKind, Credentials
from ._services import RULED_SERVICES, lockout, rcp_exemption, resource_policy_exemption, rules_for, scp_exemption

__all__ = ["Gate", "GateKind", "Plan", "PolicySets", "Who", "is_resource_policy_required", "mandatory_marks"]


class GateKind(StrEnum):
    """The gates of the chain, in the order of §2.1. `Result.gate` is one of these, or for an
    organization level `scp[N]` / `rcp[N]` (N counted from the root, 0)."""

    SCP = "scp"
    RCP = "rcp"
    RESOURCE_POLICY = "resource_policy"
    IDENTITY = "identity"
    PERMISSION_BOUNDARY = "permission_boundary"
    SESSION = "session"

    def level(self, n: int) -> str:
        """The id of one organization level of this gate: `scp[0]`."""
        return f"{self.value}[{n}]"


# Besides the sts:AssumeRole* actions, those a role's trust policy must allow (§2.5).
_MANDATORY_STS = ("sts:tagsession", "sts:setsourceidentity", "sts:setcontext")


def mandatory_marks(action: str) -> tuple[str, str] | None:
    """What a resource of `action` (lower-cased) contains when only a resource-policy grant can
    allow it (§2.5): a role, for the trust actions; a KMS key, for KMS actions."""
    if action.startswith("sts:assumerole") or action in _MANDATORY_STS:
        return ":iam::", ":role/"
    if action.startswith("kms:"):
        return ":kms:", ":key/"
    return None


def is_resource_policy_required(action: str, resource: str) -> bool:
    """Requests for which only a resource-policy grant can allow (§2.5): role trust and KMS keys."""
    marks = mandatory_marks(action.lower())
    return marks is not None and marks[0] in resource and marks[1] in resource


# RCPs can only deny: RCPFullAWSAccess is attached at every level and cannot be detached, so a
# level never lacks an Allow (SCENARIO.md, §4).
RCP_IMPLIED_ALLOW = ("RCPFullAWSAccess is attached at every level and allows everything: resource "
                     "control policies can only deny")
ROOT_NEEDS_NO_ALLOW = "the root user needs no Allow in its own account"


class Who(NamedTuple):
    """What is fixed for one caller under one authorizer."""

    caller: Caller
    caller_keys: dict[str, ContextEntry]  # its derived context keys (context.caller_keys)
    federated_from: str | None
    identity_side: bool  # it can have identity-based policies (§2.6)
    scp_exemption: str | None
    credentials: Credentials | None  # as the request gives them (§2.7)


class PolicySets(NamedTuple):
    """An authorizer's compiled policies, gate by gate; an empty set has no policies.
    `present`: whether the resource-based policy, identity-based policies, permissions
    boundary and session policies have any, read once (every plan asks); `notices`: what every
    request is told of the policies themselves (`_checks.policy_notices`)."""

    scps: tuple[PolicySet, ...]
    rcps: tuple[PolicySet, ...]
    resource_policy: PolicySet
    identity: PolicySet
    permission_boundary: PolicySet
    session: PolicySet
    present: tuple[bool, bool, bool, bool]
    notices: tuple[Notice, ...] = ()


class Gate(NamedTuple):
    """One gate of the chain as a plan sees it, in the order of §2.1.

    `id` is how `Result.gate` names it (`kind`, or `kind[N]` for an organization level);
    `entries` what its statements can give this caller and action (`UNREACHED` when it has no
    policies or does not take part); `exemption` why it does not take part.
    """

    id: str
    kind: GateKind
    title: str
    policies: PolicySet
    entries: GateEntries
    exemption: str | None = None


_SCP, _RCP, _RESOURCE_POLICY, _IDENTITY = GateKind.SCP, GateKind.RCP, GateKind.RESOURCE_POLICY, GateKind.IDENTITY
_PERMISSION_BOUNDARY, _SESSION = GateKind.PERMISSION_BOUNDARY, GateKind.SESSION


_TITLES = {
    _SCP: "service control policy, level {}",
    _RCP: "resource control policy, level {}",
    _RESOURCE_POLICY: "resource-based policy",
    _IDENTITY: "identity-based policies",
    _PERMISSION_BOUNDARY: "permissions boundary",
    _SESSION: "session policies",
}


class Plan:
    """What is fixed for one caller and one action under one authorizer (§2-§5).

    The statements each gate can reach (their action and principal tests passed), the gates
    that take part, and the warnings that every such request gets. A request then only tests
    resources and conditions.
    """

    __slots__ = ("caller", "caller_keys", "action", "identity_side", "root", "federated_user", "has_boundary",
                 "has_session", "scps", "rcps", "resource_policy", "identity", "permission_boundary", "session",
                 "denies", "warnings", "lockout", "sts_or_kms", "allowing_rules", "refusing_rules", "checked", "_sets")

    def __init__(self, a: PolicySets, who: Who, action: str, written: str | None = None):
        self.caller = caller = who.caller
        self.caller_keys = who.caller_keys
        self.identity_side = who.identity_side
        self.root = caller.kind is CallerKind.ROOT
        self.federated_user = caller.kind is CallerKind.FEDERATED_USER
        self.action = action
        federated_from = who.federated_from
        has_resource, has_identity, has_boundary, has_session = a.present
        self.has_boundary, self.has_session = has_boundary, has_session
        scps_exempt = who.scp_exemption if a.scps else None
        rcps_exempt = rcp_exemption(caller, action) if a.rcps else None
        resource_exempt = resource_policy_exemption(action) if has_resource else None
        self.scps = (tuple(level.entries(action, caller, federated_from, has_boundary) for level in a.scps)
                     if a.scps and not scps_exempt else ())
        self.rcps = (tuple(level.entries(action, caller, federated_from, has_boundary) for level in a.rcps)
                     if a.rcps and not rcps_exempt else ())
        self.resource_policy = (a.resource_policy.entries(action, caller, federated_from, has_boundary)
                                if has_resource and not resource_exempt else UNREACHED)
        self.identity = (a.identity.entries(action, caller, federated_from, has_boundary)
                         if has_identity else UNREACHED)
        self.permission_boundary = (a.permission_boundary.entries(action, caller, federated_from, has_boundary)
                                    if has_boundary else UNREACHED)
        self.session = (a.session.entries(action, caller, federated_from, has_boundary)
                        if has_session else UNREACHED)
        # A denial names the first gate that denies, in the order of §2.1.
        sides = self._sides(a)
        self.denies = tuple((name, g.denies) for name, _, _, _, g in sides if g.denies)
        # What every request of the plan is told: its gates' warnings, what the request's action
        # and the policies that take part may not mean (`_checks`).
        warnings = tuple(dict.fromkeys(w for _, _, _, _, g in sides for w in g.warnings))
        told = a.notices + action_notices(written or action)
        self.warnings = tuple(dict.fromkeys(warnings + told)) if told else warnings
        # Why the resource policy's Deny statements do not reach the owner's root user, if they do not.
        self.lockout = lockout(action) if self.root else None
        service = action[:action.find(":")]
        self.sts_or_kms = service == "sts" or service == "kms"
        # The rules of the services that can decide these requests, whatever the policies say
        # (§2.7): those that allow are asked first, those that refuse after the Deny statements.
        rules = rules_for(caller, who.credentials, action) if service in RULED_SERVICES else ()
        if rules:
            self.allowing_rules = tuple(c for c in rules if c.rule.allows)
            self.refusing_rules = tuple(c for c in rules if not c.rule.allows)
        else:
            self.allowing_rules = self.refusing_rules = ()
        # The last request, with what it was told of itself (`_chain.decide`).
        self.checked: tuple[Any, tuple[Notice, ...]] | None = None
        self._sets = a  # for `gates`, made only when a trace asks

    @property
    def session_required(self) -> bool:
        """A session policy must allow: one is given, or the caller is a federated user, whose
        session has no identity permissions without one (§2.4, §5)."""
        return self.has_session or self.federated_user

    def _sides(self, a: PolicySets) -> list[tuple[str, GateKind, int, PolicySet, GateEntries]]:
        """Each gate in the order of §2.1 (organization levels root first): its id, kind, level,
        policies and what they can give this caller and action (`UNREACHED` where exempt)."""
        sides: list[tuple[str, GateKind, int, PolicySet, GateEntries]] = [
            (_RESOURCE_POLICY, _RESOURCE_POLICY, 0, a.resource_policy, self.resource_policy),
            (_IDENTITY, _IDENTITY, 0, a.identity, self.identity),
            (_PERMISSION_BOUNDARY, _PERMISSION_BOUNDARY, 0, a.permission_boundary, self.permission_boundary),
            (_SESSION, _SESSION, 0, a.session, self.session)]
        if a.scps or a.rcps:  # most authorizers have no organization levels: no work for them
            sides[:0] = ([(_SCP.level(n), _SCP, n, level, self.scps[n] if self.scps else UNREACHED)
                          for n, level in enumerate(a.scps)]
                         + [(_RCP.level(n), _RCP, n, level, self.rcps[n] if self.rcps else UNREACHED)
                            for n, level in enumerate(a.rcps)])
        return sides

    def gates(self) -> tuple[Gate, ...]:
        """Every gate, in the order of §2.1, with what it can give this caller and action and why
        it does not take part, if it does not; for traces (plans do not keep them)."""
        a = self._sets
        exemptions = {_SCP: scp_exemption(self.caller) if a.scps else None,
                      _RCP: rcp_exemption(self.caller, self.action) if a.rcps else None,
                      _RESOURCE_POLICY: resource_policy_exemption(self.action) if a.present[0] else None}
        return tuple(Gate(gate_id, kind, _TITLES[kind].format(level), policies, entries, exemptions.get(kind))
                     for gate_id, kind, level, policies, entries in self._sides(a))

    def lockout_applies(self, context: Context) -> bool:
        """A lock-out protection applies: the resource-based policy's Deny statements do not
        reach the owner's root user (`_services.lockout`)."""
        return self.lockout is not None and context.same_account(self.caller.account)
