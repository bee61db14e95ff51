"""Explaining a decision: the path through the chain, and why each statement did or did not apply.

IAM-SEMANTICS §13. `explain` runs the chain itself (`_chain.decide`) with a `_trace.Tracer`,
which records what each gate and statement did; the explanation is that record, put in words.
The decision path without a trace never pays for it (STYLE.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, NamedTuple

from ._chain import Authorizer, decide
from ..policy._model import Effect
from ._request import Request
from ._result import Decision, Result
from ._trace import GateTrace, StatementTrace, Tracer

__all__ = ["Explanation", "MissingKey", "explain"]


class MissingKey(NamedTuple):
    """A context key that conditions of statements matching the request's action, resource and
    principal read, and that the request did not give (AWS's `MissingContextValues`), with those
    statements (`policy` `statement`)."""

    key: str
    statements: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "statements": list(self.statements)}


@dataclass(frozen=True)
class Explanation:
    """A decision with its path through the chain (§13)."""

    result: Result
    gates: tuple[GateTrace, ...]
    unresolved: tuple[str, ...] = ()

    @property
    def missing_context(self) -> tuple[MissingKey, ...]:
        """The keys the decision's statements needed and the request did not give, in the order
        first read, each with the statements that read it (§13)."""
        found: dict[str, tuple[str, list[str]]] = {}
        for gate in self.gates:
            for trace in gate.applied + gate.near_misses:
                label = f"{trace.policy} {trace.statement}"
                for condition in trace.absent:
                    key, statements = found.setdefault(condition.key.lower(), (condition.key, []))
                    if label not in statements:
                        statements.append(label)
        return tuple(MissingKey(key, tuple(statements)) for key, statements in found.values())

    @property
    def allowed_if(self) -> tuple[StatementTrace, ...]:
        """Allow statements that did not apply only because of conditions on keys the request
        did not give (`StatementTrace.allowed_if`), for a request that was not allowed."""
        if self.result.allowed:
            return ()
        return tuple(t for g in self.gates for t in g.near_misses if t.allowed_if)

    @property
    def decision(self) -> Decision:
        return self.result.decision

    @property
    def request(self) -> Request:
        return self.result.request

    @property
    def derived(self) -> Mapping[str, str]:
        return self.result.derived

    @property
    def headline(self) -> str:
        """The decision in one or two plain sentences, for a newcomer."""
        result = self.result
        if result.rule is not None:
            verb = "Allowed" if result.allowed else "Denied"
            return (f"{verb} by a rule of the service, not by a policy: {result.summary}. No policy can "
                    f"change this ({result.rule.source}).")
        if result.decision is Decision.EXPLICIT_DENY:
            ref = result.reasons[0].ref
            return (f"Denied explicitly: statement {ref.statement} of the {ref.kind.noun} {ref.policy} "
                    "denies this request, and an explicit Deny always wins over any Allow.")
        if result.decision is Decision.ALLOW:
            refs = ", ".join(f"{m.ref.statement} of {m.ref.policy}" for m in result.reasons[:3])
            return f"Allowed: {result.summary}" + (f" (statement {refs})." if refs else ".")
        text = (f"Denied by default: {result.summary}. Nothing denies it explicitly, but AWS denies "
                "every request that the policies do not allow.")
        near = next((t for g in self.gates if g.decided for t in g.near_misses if t.effect is Effect.ALLOW), None)
        if near is not None:
            text += (f" The closest statement was {near.statement} of {near.policy}: its action matches, "
                     f"but its {near.near_miss}.")
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": str(self.result.decision),
            "summary": self.result.summary,
            "gate": self.result.gate,
            **({"rule": self.result.rule.as_dict()} if self.result.rule is not None else {}),
            "headline": self.headline,
            "gates": [g.as_dict() for g in self.gates],
            "derived": dict(self.derived),
            "unresolved_variables": list(self.unresolved),
            "missing_context": [m.as_dict() for m in self.missing_context],
            "warnings": self.result.to_json().get("warnings", []),
        }


def explain(authorizer: Authorizer, request: Request | Mapping[str, Any]) -> Explanation:
    """Decide `request` with a trace, and explain the decision from it."""
    request, plan, context = authorizer.prepare(request)
    tracer = Tracer(plan, request, context)
    result = decide(plan, request, context, tracer.holding, tracer)
    gates = tracer.gates(result)
    unresolved = sorted({u for g in gates for s in g.applied + g.near_misses for u in s.unresolved})
    return Explanation(result, gates, tuple(unresolved))
