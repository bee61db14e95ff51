"""Explaining a decision: the path through the chain, and why each statement did or did not apply.

IAM-SEMANTICS §13. The decision itself always comes from `Authorizer.authorize`; this module
walks the same compiled statements again, slowly and recording everything, only when an
explanation is asked for, so the decision path never pays for it (STYLE.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from ._chain import Authorizer, Decision, Result
from ._context import Context
from ._compile import CompiledStatement, MatchClass, PolicySet, PreparedRequest
from ..policy._match import ResourcePattern
from ..policy._model import PolicyKind
from ._request import Request

__all__ = ["ConditionTrace", "Explanation", "GateTrace", "StatementTrace", "explain"]


@dataclass(frozen=True)
class ConditionTrace:
    """One operator-key pair: the request's values, the policy's values, and the outcome (§13.2)."""

    operator: str
    key: str
    request_values: tuple[str, ...] | None  # None: the key is absent
    policy_values: tuple[tuple[str, str | None], ...]  # (as written, resolved; None: unresolved)
    holds: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "operator": self.operator,
            "key": self.key,
            "request": list(self.request_values) if self.request_values is not None else None,
            "policy": [resolved if resolved == written else {"written": written, "resolved": resolved}
                       for written, resolved in self.policy_values],
            "holds": self.holds,
        }

    @property
    def request_text(self) -> str:
        if self.request_values is None:
            return "the request does not carry the key"
        values = ", ".join(f"`{v}`" for v in self.request_values) or "an empty list"
        return f"the request has {values}"

    @property
    def policy_text(self) -> str:
        values = ", ".join(f"`{w}`" if r == w else (f"`{w}` (unresolved)" if r is None else f"`{w}` = `{r}`")
                           for w, r in self.policy_values) or "no values"
        return f"the policy has {values}"

    def describe(self) -> str:
        return (f"{self.operator} {self.key} is {'true' if self.holds else 'false'}: "
                f"{self.request_text}; {self.policy_text}")


@dataclass(frozen=True)
class StatementTrace:
    """How one statement met the request: what matched, what did not (§13.2, §13.4)."""

    kind: PolicyKind
    policy: str
    statement: str
    effect: str
    principal: str | None  # how the principal matched, or why not; None for identity-side policies
    principal_ok: bool
    action: str
    action_ok: bool
    resource: str
    resource_ok: bool
    conditions: tuple[ConditionTrace, ...] = ()
    unresolved: tuple[str, ...] = ()

    @property
    def applies(self) -> bool:
        return self.principal_ok and self.action_ok and self.resource_ok and all(c.holds for c in self.conditions)

    @property
    def near_miss(self) -> str | None:
        """Why a statement that nearly applied did not: the first false condition, or the resource."""
        if not (self.principal_ok and self.action_ok) or self.applies:
            return None
        if self.resource_ok:
            failed = next(c for c in self.conditions if not c.holds)
            return f"condition {failed.describe()}"
        if self.unresolved:
            return (f"resource: the variable in `{self.unresolved[0]}` cannot be resolved from the "
                    "request, so that entry matches nothing (§9)")
        if self.resource.startswith("no pattern matches; closest "):
            return f"resource: {self.resource}"
        return None

    def as_dict(self) -> dict[str, Any]:
        out = {
            "policy_type": self.kind.value, "policy": self.policy, "statement": self.statement,
            "effect": self.effect, "applies": self.applies,
            "action": {"matched": self.action_ok, "detail": self.action},
            "resource": {"matched": self.resource_ok, "detail": self.resource},
            "conditions": [c.as_dict() for c in self.conditions],
        }
        if self.principal is not None:
            out["principal"] = {"matched": self.principal_ok, "detail": self.principal}
        if self.unresolved:
            out["unresolved_variables"] = list(self.unresolved)
        near = self.near_miss
        if near:
            out["near_miss"] = near
        return out


@dataclass(frozen=True)
class GateTrace:
    """One gate of the chain with its verdict: `deny`, `allow`, `no-allow` or `not-applicable`.

    `id` is the gate as `Result.gate` names it; `decided` marks the gate that decided.
    """

    name: str
    kind: PolicyKind
    verdict: str
    applied: tuple[StatementTrace, ...] = ()
    near_misses: tuple[StatementTrace, ...] = ()
    note: str = ""
    id: str = ""
    decided: bool = False
    policies: tuple[str, ...] = ()  # the labels of the policies at this gate

    def as_dict(self) -> dict[str, Any]:
        return {"gate": self.name, "id": self.id, "decided": self.decided, "verdict": self.verdict,
                "policies": list(self.policies), "note": self.note,
                "statements": [s.as_dict() for s in self.applied],
                "near_misses": [s.as_dict() for s in self.near_misses]}


@dataclass(frozen=True)
class Explanation:
    """A decision with its path through the chain (§13)."""

    result: Result
    request: Request
    gates: tuple[GateTrace, ...]
    derived: Mapping[str, str] = field(default_factory=dict)
    unresolved: tuple[str, ...] = ()

    @property
    def decision(self) -> Decision:
        return self.result.decision

    @property
    def headline(self) -> str:
        """The decision in one or two plain sentences, for a newcomer."""
        result = self.result
        if result.decision is Decision.EXPLICIT_DENY:
            ref = result.reasons[0].ref
            return (f"Denied explicitly: statement {ref.statement} of the {ref.kind.title} {ref.policy} "
                    "denies this request, and an explicit Deny always wins over any Allow (§2.1).")
        if result.decision is Decision.ALLOW:
            refs = ", ".join(f"{m.ref.statement} of {m.ref.policy}" for m in result.reasons[:3])
            return f"Allowed: {result.summary}" + (f" (statement {refs})." if refs else ".")
        text = (f"Denied by default: {result.summary}. Nothing denies it explicitly, but AWS denies "
                "every request that the policies do not allow (§2.1).")
        near = next((t for g in self.gates if g.decided for t in g.near_misses if t.effect == "Allow"), None)
        if near is not None:
            text += (f" The closest statement was {near.statement} of {near.policy}: its action matches, "
                     f"but its {near.near_miss}.")
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": str(self.result.decision),
            "summary": self.result.summary,
            "gate": self.result.gate,
            "headline": self.headline,
            "gates": [g.as_dict() for g in self.gates],
            "derived": dict(self.derived),
            "unresolved_variables": list(self.unresolved),
            "warnings": list(self.result.warnings),
        }


# ---------------------------------------------------------------------------------- tracing

def explain(authorizer: Authorizer, request: Request | Mapping[str, Any]) -> Explanation:
    """Decide `request` and explain the decision."""
    evaluation = authorizer.evaluation(request)
    result = evaluation.decide()
    caller = evaluation.caller
    action = evaluation.request.action
    # Traced on a context of its own: tracing reads conditions the decision never needed, and
    # must not add their warnings to the result.
    decided = evaluation.context
    context = Context(evaluation.request.context, lambda: decided.derived, resource=decided.resource,
                      resource_segments=decided.resource_segments)
    prepared = evaluation.prepared._replace(context=context)
    gates: list[GateTrace] = []
    scp_exemption, rcp_exemption = evaluation.scp_exemption(), evaluation.rcp_exemption()
    for n, level in enumerate(authorizer.scps):
        name = f"service control policy, level {n}"
        if scp_exemption:
            gates.append(GateTrace(name, PolicyKind.SCP, "not-applicable", id=f"scp[{n}]", note=scp_exemption))
        else:
            gates.append(_gate(name, f"scp[{n}]", level, prepared, action))
    for n, level in enumerate(authorizer.rcps):
        name = f"resource control policy, level {n}"
        if rcp_exemption:
            gates.append(GateTrace(name, PolicyKind.RCP, "not-applicable", id=f"rcp[{n}]", note=rcp_exemption))
            continue
        gate = _gate(name, f"rcp[{n}]", level, prepared, action)
        if gate.verdict == "no-allow":
            gate = replace(gate, verdict="allow",
                           note="RCPFullAWSAccess is implied at every level: RCPs can only deny (§4)")
        gates.append(gate)
    root = caller.kind.value == "root"
    for name, gate_id, policy_set, none_given in (
            ("resource-based policy", "resource", authorizer.resource, "no resource-based policy was given"),
            ("identity-based policies", "identity", authorizer.identity,
             "the root user needs no Allow in its own account (§2.3)" if root
             else "no identity-based policy was given"),
            ("permissions boundary", "permission_boundary", authorizer.boundary,
             "the principal has no permissions boundary"),
            ("session policies", "session", authorizer.session, "no session policy was given")):
        if policy_set:
            gates.append(_gate(name, gate_id, policy_set, prepared, action))
        elif result.gate == gate_id and not result.allowed and not root:
            # The chain needed an Allow here and there was no policy to give it.
            gates.append(GateTrace(name, policy_set.kind, "no-allow", id=gate_id,
                                   note=f"{none_given}, and this request needs one: {result.summary}"))
        else:
            gates.append(GateTrace(name, policy_set.kind, "not-applicable", note=none_given, id=gate_id))
    if evaluation.lockout():
        gates = [replace(g, verdict="not-applicable", note="the bucket owner's root user may read, replace "
                         "and delete the bucket policy whatever it denies (S3 lock-out protection)")
                 if g.id == "resource" and g.verdict == "deny" else g for g in gates]
    gates = [replace(g, decided=True) if g.id == result.gate else g for g in gates]
    unresolved = sorted({u for g in gates for s in g.applied + g.near_misses for u in s.unresolved})
    return Explanation(result, evaluation.request, tuple(gates), result.derived, tuple(unresolved))


def _gate(name: str, gate_id: str, policy_set: PolicySet, request: PreparedRequest, action: str) -> GateTrace:
    # A statement with an empty element applies to nothing (§12.2): the decision never reads it.
    traces = [_trace(s, request, action) for s in policy_set.statements if not s.no_effect]
    applied = tuple(t for t in traces if t.applies)
    near = tuple(t for t in traces if t.near_miss)
    if any(t.effect == "Deny" for t in applied):
        verdict = "deny"
    elif applied:
        verdict = "allow"
    else:
        verdict = "no-allow"
    return GateTrace(name, policy_set.kind, verdict, applied, near, id=gate_id,
                     policies=tuple(dict.fromkeys(policy_set.labels)))


def _trace(statement: CompiledStatement, request: PreparedRequest, action: str) -> StatementTrace:
    """`action` is the request's action as written; matching uses its lower-cased form (§7.2)."""
    ref = statement.ref
    principal_text, principal_ok = None, True
    if statement.principals is not None:
        if statement.not_principal:
            excluded = statement.principals.excludes(request.caller)
            forced = statement.deny and request.has_boundary
            principal_ok = statement.principal_match(request.caller, request.federated_from,
                                                     request.has_boundary) is not None
            principal_text = ("NotPrincipal lists the caller, but a Deny with NotPrincipal always applies "
                              "to a principal with a permissions boundary (§5)" if forced and excluded else
                              "NotPrincipal lists the caller completely" if excluded else
                              "NotPrincipal does not list the caller completely (§7.4)")
        else:
            cls = statement.principals.match(request.caller, request.federated_from, request.context)
            principal_ok = cls is not None
            if cls is None:
                principal_text = f"`{request.caller.arn}` is not named"
            elif statement.deny:
                principal_text = f"`{request.caller.arn}` is covered ({cls.value} match): the Deny applies to it"
            else:
                principal_text = f"`{request.caller.arn}` matched as {cls.value} ({_CLASS_TEXT[cls]})"
    action_ok, action_text = _trace_action(statement, request.action, action)
    resource_ok, resource_text, unresolved = _trace_resource(statement, request)
    conditions: list[ConditionTrace] = []
    # Conditions are read only for a statement whose other tests pass, as the decision reads them.
    for condition in statement.conditions if principal_ok and action_ok and resource_ok else ():
        entry = request.context.get(condition.key)
        holds = condition.holds(request.context)
        conditions.append(ConditionTrace(
            condition.entry.operator, condition.entry.key,
            entry.texts if entry is not None else None,
            tuple(condition.policy_values(request.context)), holds))
        unresolved += [w for w, r in conditions[-1].policy_values if r is None]
        if not holds:
            break  # AND: the first false condition decides; the rest are not needed
    return StatementTrace(ref.kind, ref.policy, ref.statement, ref.effect, principal_text, principal_ok,
                          action_text, action_ok, resource_text, resource_ok, tuple(conditions),
                          tuple(unresolved))


_CLASS_TEXT = {
    MatchClass.DIRECT: "grants on its own in the same account",
    MatchClass.USER: "an exact IAM user ARN",
    MatchClass.ENTITY: "the role or federating user: its boundary and session policy must allow",
    MatchClass.ACCOUNT: "the account: an identity-based policy must allow too",
}


def _trace_action(statement: CompiledStatement, lowered: str, action: str) -> tuple[bool, str]:
    hit = statement.actions.hit(lowered)
    if statement.not_action:
        if hit is not None:
            return False, f"`{action}` is excluded by NotAction `{hit}`"
        return True, f"`{action}` is not listed in NotAction"
    if hit is not None:
        return True, f"`{hit}` matches `{action}`"
    return False, f"no Action entry matches `{action}`"


def _trace_resource(statement: CompiledStatement, request: PreparedRequest) -> tuple[bool, str, list[str]]:
    unresolved: list[str] = []
    if statement.resources is None:
        return True, "no Resource: the statement covers the resource its policy is attached to", unresolved
    patterns: list[tuple[str, str]] = [(p.pattern, p.pattern) for p in statement.resources]
    hit = next((f"`{p.pattern}`" for p in statement.resources
                if p.matches(request.resource, request.resource_segments)), None)
    for template in statement.variable_resources:
        pieces = template.resolve(request.context.variable)
        if pieces is None:
            unresolved.append(template.text)
            continue
        pattern = ResourcePattern.from_parts(pieces)
        patterns.append((template.text, pattern.pattern))
        if hit is None and pattern.matches(request.resource, request.resource_segments):
            hit = f"`{template.text}` (resolved to `{pattern.pattern}`)"
    if statement.not_resource:
        if hit:
            return False, f"`{request.resource}` is excluded by NotResource {hit}", unresolved
        return True, f"`{request.resource}` is not listed in NotResource", unresolved
    if hit:
        return True, f"{hit} matches `{request.resource}`", unresolved
    closest = max((r for _, r in patterns), key=lambda r: len(os.path.commonprefix([r, request.resource])),
                  default=None)
    if closest is not None and len(os.path.commonprefix([closest, request.resource])) >= 12:
        return False, f"no pattern matches; closest `{closest}` for `{request.resource}`", unresolved
    return False, f"no Resource entry matches `{request.resource}`", unresolved
