"""Explaining a decision: the path through the chain, and why each statement did or did not apply.

IAM-SEMANTICS §13. `explain` runs the chain itself (`_chain.decide`) with a `_trace.Tracer`,
which records what each gate and statement did; the explanation is that record, put in words.
The decision path without a trace never pays for it (STYLE.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, NamedTuple

from ._callers import fixed_values
from ._chain import Authorizer, decide
from ._compile import Entries, Match, holding
from ._context import Context, merge_context
from ..policy._model import Effect
from ._request import Request
from ._result import Decision, Result
from ._trace import GateTrace, StatementTrace, Tracer

__all__ = ["Explanation", "MissingKey", "conditional_access", "explain"]


class MissingKey(NamedTuple):
    """A context key that conditions of statements matching the request's action, resource and
    principal read, and that the request did not give (AWS's `MissingContextValues`), with those
    statements (`STATEMENT of POLICY`)."""

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
                label = f"{trace.statement} of {trace.policy}"
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


def conditional_access(authorizer: Authorizer, request: Request | Mapping[str, Any], explanation: Explanation
                       ) -> tuple[tuple[StatementTrace, ...], tuple[StatementTrace, ...]]:
    """For a denied request: the Allow statements that conditions on keys the request did not
    give alone kept from applying (the explanation's `allowed_if`), and the Deny statements that
    apply through such conditions (`StatementTrace.absent`), when the chain allows the request
    once those Allows apply and those Denies do not. Else none: the request is refused whatever
    the keys say (a Deny on keys it gave or that the caller's kind fixes, §10; a rule of the
    service, §2.7), or some gate would still lack an Allow (a boundary, an identity Allow that an
    account-wide grant needs, §2.2, §5).

    The chain decides that itself (`decide`), with a `hold` that takes those statements as
    holding or not; each condition is taken to be satisfiable on its own, not checked against
    the others. Of the Allows, those that would do on their own are given, else all of them.
    """
    allowed_if = explanation.allowed_if
    unless = tuple(t for g in explanation.gates for t in g.applied
                   if t.effect is Effect.DENY and not t.waived and t.absent)
    if not allowed_if and not unless:
        return (), ()
    if any(all(c.settled for c in t.absent) for t in unless):
        return (), ()  # a Deny every request of the caller's kind meets (§10): nothing lifts it
    # The request as every request of its caller's kind is (§10): a Deny on `aws:PrincipalIsAWSService`
    # false applies to an IAM user whatever the keys given say. A Deny that applies so through
    # conditions on keys still not given is lifted as the others are.
    given, given_plan, _ = authorizer.prepare(request)
    caller = given_plan.caller
    as_kind = given.model_copy(update={"context": merge_context(fixed_values(caller.kind, caller.arn),
                                                                given.context or {})})
    if as_kind.context != given.context:
        seen = {t.match.ref for t in unless}
        unless += tuple(t for g in explain(authorizer, as_kind).gates for t in g.applied
                        if t.effect is Effect.DENY and not t.waived and t.absent and t.match.ref not in seen)
    lifted = {t.match.ref for t in unless}

    def allows(taken: tuple[StatementTrace, ...]) -> bool:
        forced = {t.match.ref for t in taken}

        def hold(entries: Entries, context: Context) -> tuple[Match, ...]:
            found = set(holding(entries, context))
            return tuple(m for _, m in entries if m.ref in forced or (m in found and m.ref not in lifted))

        prepared, plan, context = authorizer.prepare(as_kind)
        return decide(plan, prepared, context, hold).allowed

    if not allows(allowed_if):
        return (), ()
    # The Allows that would do on their own (an account-wide grant beside one naming the user
    # does not); all of them when only together they would (an identity policy and a boundary).
    alone = tuple(t for t in allowed_if if allows((t,)))
    return alone or allowed_if, unless
