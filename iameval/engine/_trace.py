"""What the evaluator did for one request, recorded as it decided (IAM-SEMANTICS §13).

A `Tracer` stands in for `_compile.holding` in `_chain.decide`: it runs the same statement
tests (`CompiledStatement.holds`, with a record) and gives the same answers, and keeps, for
each gate, what each statement found. `decide` also tells it where a rule beyond the
statements settled a gate (`waive`: S3's lock-out protection set a Deny aside; `imply`: an RCP
level or the root user needs no Allow). After the decision, it runs the gates the decision did
not need to read (a Deny made Allows irrelevant) on a context of their own, so that the
result's warnings stay those of the decision. An explanation is built from these records
only (`_explain`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ._callers import fixed_keys, fixed_values
from ._compile import CompiledStatement, Entries, Match, MatchClass, StatementRecord
from ._context import Context, merge_context
from ..policy._model import Effect, PolicyKind
from ._plan import Gate, GateKind, Plan
from ._request import Request
from ._result import Result
from ._services import SERVICE_RULE, ServiceRule

__all__ = ["ConditionTrace", "GateTrace", "StatementTrace", "Tracer", "Verdict"]


class Verdict(StrEnum):
    """What one gate of the chain said (§13.1)."""

    DENY = "deny"
    ALLOW = "allow"
    NO_ALLOW = "no-allow"
    NOT_APPLICABLE = "not-applicable"
    REFUSED = "refused"  # a rule of the service refused the request, whatever the policies say (§2.7)


@dataclass(frozen=True)
class ConditionTrace:
    """One operator-key pair: the request's values, the policy's values, and the outcome (§13.2)."""

    operator: str
    key: str
    request_values: tuple[str, ...] | None  # None: the key is absent
    policy_values: tuple[tuple[str, str | None], ...]  # (as written, resolved; None: unresolved)
    holds: bool
    # For a key the request did not give but the caller's kind fixes (`fixed_keys`, §10): whether
    # the condition holds for every request of that kind; None where the kind leaves the key open.
    settled: bool | None = None

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
    """How one statement whose action and principal reach the request met it (§13.2, §13.4):
    which entries matched, which condition was false. `applies` is what the decision used."""

    match: Match
    principal: str | None  # how the principal matched; None for identity-side policies
    action: str
    resource_ok: bool
    resource: str
    applies: bool
    conditions: tuple[ConditionTrace, ...] = ()
    unresolved: tuple[str, ...] = ()
    closest: str | None = None  # the resource entry nearest the requested resource, when none matched
    waived: str = ""  # why the decision set this Deny aside although it applies (S3 lock-out)
    # Every condition of the statement whose key the request does not carry, evaluated, when its
    # action, principal and resource match: the keys it needed (MissingContextValues, §13).
    absent: tuple[ConditionTrace, ...] = ()

    @property
    def allowed_if(self) -> tuple[ConditionTrace, ...]:
        """For an Allow that did not apply only because of conditions on keys the request did
        not give: those conditions (the statement would apply if they held); else (), also when
        one of them is on a key the caller's kind fixes and it fails for that kind (an IAM user
        is never a service, `aws:PrincipalIsAWSService`, §10)."""
        if self.applies or not self.resource_ok or self.effect is not Effect.ALLOW or self.unresolved:
            return ()
        if any(c.settled is False for c in self.absent):
            return ()
        failed = [c for c in self.absent if not c.holds]
        present_failed = any(not c.holds and c.request_values is not None for c in self.conditions)
        return tuple(failed) if failed and not present_failed else ()

    @property
    def kind(self) -> PolicyKind:
        return self.match.ref.kind

    @property
    def policy(self) -> str:
        return self.match.ref.policy

    @property
    def statement(self) -> str:
        return self.match.ref.statement

    @property
    def effect(self) -> str:
        return self.match.ref.effect

    @property
    def near_miss(self) -> str | None:
        """Why a statement that nearly applied did not: the first false condition, the
        unresolved variable of its resource, or the resource entry that came closest."""
        if self.applies:
            return None
        if self.resource_ok:
            failed = next((c for c in self.conditions if not c.holds), None)
            return f"condition {failed.describe()}" if failed is not None else None
        if self.unresolved:
            return (f"resource: the variable in `{self.unresolved[0]}` cannot be resolved from the "
                    "request, so that entry matches nothing")
        if self.closest is not None:
            return f"resource: {self.resource}"
        return None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "policy_type": self.kind.value, "policy": self.policy, "statement": self.statement,
            "effect": self.effect, "applies": self.applies,
            "action": {"matched": True, "detail": self.action},
            "resource": {"matched": self.resource_ok, "detail": self.resource},
            "conditions": [c.as_dict() for c in self.conditions],
        }
        if self.principal is not None:
            out["principal"] = {"matched": True, "detail": self.principal}
        if self.unresolved:
            out["unresolved_variables"] = list(self.unresolved)
        if self.waived:
            out["waived"] = self.waived
        if self.absent:
            out["conditions_on_absent_keys"] = [c.as_dict() for c in self.absent]
        near = self.near_miss
        if near:
            out["near_miss"] = near
        return out


@dataclass(frozen=True)
class GateTrace:
    """One gate of the chain with its verdict; `id` is the gate as `Result.gate` names it,
    `title` as a person reads it, and `decided` marks the gate that decided."""

    id: str
    title: str
    verdict: Verdict
    applied: tuple[StatementTrace, ...] = ()
    near_misses: tuple[StatementTrace, ...] = ()
    note: str = ""
    decided: bool = False
    policies: tuple[str, ...] = ()  # the labels of the policies at this gate
    read: bool = True  # False when the decision did not need to test its statements (a Deny came first)
    source: str = ""  # the AWS page of a rule of the service (§2.7)

    def as_dict(self) -> dict[str, Any]:
        out = {"gate": self.id, "title": self.title, "decided": self.decided, "verdict": str(self.verdict),
               "read_by_decision": self.read, "policies": list(self.policies), "note": self.note,
               "statements": [s.as_dict() for s in self.applied],
               "near_misses": [s.as_dict() for s in self.near_misses]}
        if self.source:
            out["source"] = self.source
        return out


_CLASS_TEXT = {
    MatchClass.DIRECT: "grants on its own in the same account",
    MatchClass.USER: "an exact IAM user ARN",
    MatchClass.ENTITY: "the role or federating user: its boundary and session policy must allow",
    MatchClass.ACCOUNT: "the account: an identity-based policy must allow too",
}


class Tracer:
    """Records what `decide` did with each gate; `holding` is its stand-in for `_compile.holding`."""

    def __init__(self, plan: Plan, request: Request, context: Context):
        self._plan = plan
        self._request = request
        self._context = context
        # Each side of each gate (its Allow or its Deny entries) by identity: `decide` passes
        # the plan's own tuples, and an empty one is never asked for. A result's `ref` is its
        # statement's own object: it finds the statement.
        self._sides: dict[int, Entries] = {}
        self._statements: dict[int, CompiledStatement] = {}
        self._gates = plan.gates()
        for gate in self._gates:
            for entries in (gate.entries.allows, gate.entries.denies):
                if entries:
                    self._sides[id(entries)] = entries
            for statement in gate.policies.statements:
                self._statements[id(statement.ref)] = statement
        self._records: dict[int, list[tuple[CompiledStatement, Match, StatementRecord, bool]]] = {}
        self._waived: dict[str, str] = {}  # gate id -> why its Deny statements were set aside
        self._implied: dict[str, str] = {}  # gate id -> why it needs no Allow
        self._rule: ServiceRule | None = None

    def rule(self, rule: ServiceRule) -> None:
        """A rule of the service decided the request before any policy (§2.7)."""
        self._rule = rule

    def waive(self, gate: str, why: str) -> None:
        """`decide` set the Deny statements of `gate` aside."""
        self._waived[gate] = why

    def imply(self, gate: str, why: str) -> None:
        """`decide` counts `gate` as allowing without an Allow statement."""
        self._implied[gate] = why

    def holding(self, entries: Entries, context: Context) -> tuple[Match, ...]:
        """`_compile.holding`, recording each statement's tests: the same statements hold."""
        if id(entries) not in self._sides:
            raise RuntimeError("a trace was asked to hold statements that are not its plan's")
        records = []
        found: tuple[Match, ...] = ()
        for _, match in entries:
            statement = self._statements[id(match.ref)]
            record = StatementRecord()
            applies = statement.holds(context, record)
            records.append((statement, match, record, applies))
            if applies:
                found += (match,)
        self._records[id(entries)] = records
        return found

    def gates(self, result: Result) -> tuple[GateTrace, ...]:
        """Every gate with its verdict, after `decide` gave `result`. Gates the decision did not
        read are read now, on a context of their own (their warnings are not the result's)."""
        plan, context = self._plan, self._context
        aside = Context(self._request.context, plan.caller_keys, context.resource_account, context.resource,
                        context.resource_segments)
        read_by_decision = set(self._records)
        for key, entries in self._sides.items():
            if key not in self._records:
                self.holding(entries, aside)
        # The keys the request did not give that the caller's kind fixes, with those values (§10).
        caller = plan.caller
        kind = Context(merge_context(fixed_values(caller.kind, caller.arn), self._request.context or {}),
                       plan.caller_keys, context.resource_account, context.resource, context.resource_segments)
        settled = {k.lower() for k in fixed_keys(caller.kind, caller.arn)}
        gates = tuple(self._gate(gate, result, aside, read_by_decision, (kind, settled)) for gate in self._gates)
        rule = self._rule
        if rule is None:
            return gates
        # The rule is shown first: it decided, whatever the gates after it say.
        return (GateTrace(SERVICE_RULE, "rule of the service", Verdict.ALLOW if rule.allows else Verdict.REFUSED,
                          note=f"{rule.summary}; no policy can change this", decided=True, source=rule.source),
                ) + gates

    def _gate(self, gate: Gate, result: Result, aside: Context, read_by_decision: set[int],
              kind: tuple[Context, set[str]]) -> GateTrace:
        """A gate's verdict from what its statements did and what `decide` said of it."""
        decided = gate.id == result.gate
        labels = tuple(dict.fromkeys(gate.policies.labels))
        if gate.exemption:
            return GateTrace(gate.id, gate.title, Verdict.NOT_APPLICABLE, note=gate.exemption, decided=decided,
                             policies=labels)
        implied, waived = self._implied.get(gate.id, ""), self._waived.get(gate.id, "")
        if not gate.policies:
            if implied:
                return GateTrace(gate.id, gate.title, Verdict.ALLOW, note=implied, decided=decided)
            none_given = _NONE_GIVEN[gate.kind]
            if decided and not result.allowed:
                # The chain needed an Allow here and there was no policy to give it.
                return GateTrace(gate.id, gate.title, Verdict.NO_ALLOW, decided=True,
                                 note=f"{none_given}, and this request needs one: {result.summary}")
            return GateTrace(gate.id, gate.title, Verdict.NOT_APPLICABLE, note=none_given, decided=decided)
        sides = [self._records.get(id(e), []) for e in (gate.entries.allows, gate.entries.denies) if e]
        order = {id(s): i for i, s in enumerate(gate.policies.statements)}
        records = sorted((r for side in sides for r in side), key=lambda r: order[id(r[0])])
        traces = [self._statement(statement, match, record, applies, aside, waived, kind)
                  for statement, match, record, applies in records]
        applied = tuple(t for t in traces if t.applies)
        near = tuple(t for t in traces if t.near_miss)
        # Read by the decision: some of its statements were tested by `decide`, or none could apply.
        read = not sides or any(id(e) in read_by_decision for e in (gate.entries.allows, gate.entries.denies) if e)
        note = waived if any(t.waived for t in applied) else ""
        if any(t.effect is Effect.DENY and not t.waived for t in applied):
            verdict = Verdict.DENY
        elif any(t.effect is Effect.ALLOW for t in applied):
            verdict = Verdict.ALLOW
        elif implied:
            verdict, note = Verdict.ALLOW, implied
        else:
            verdict = Verdict.NO_ALLOW
        return GateTrace(gate.id, gate.title, verdict, applied, near, note, decided, labels, read)

    def _statement(self, statement: CompiledStatement, match: Match, record: StatementRecord, applies: bool,
                   aside: Context, waived: str, kind: tuple[Context, set[str]]) -> StatementTrace:
        plan, request = self._plan, self._request
        caller = plan.caller
        principal = None
        if statement.principals is not None:
            if statement.not_principal:
                forced = statement.deny and plan.has_boundary
                principal = ("NotPrincipal lists the caller, but a Deny with NotPrincipal always applies to a "
                             "principal with a permissions boundary" if forced and statement.principals.excludes(caller)
                             else "NotPrincipal does not list the caller completely")
            elif match.match_class is not None:
                cls = match.match_class
                principal = (f"`{caller.arn}` is covered ({cls.value} match): the Deny applies to it" if statement.deny
                             else f"`{caller.arn}` matched as {cls.value} ({_CLASS_TEXT[cls]})")
        hit = statement.actions.hit(plan.action)
        action = (f"`{request.action}` is not listed in NotAction" if statement.not_action
                  else f"`{hit}` matches `{request.action}`")
        resource_ok, resource, closest = _resource_text(statement, record, request.resource)
        conditions = []
        unresolved = list(record.unresolved)
        for condition, holds in record.conditions:
            entry = aside.get(condition.key)
            values = tuple(condition.policy_values(aside))
            conditions.append(ConditionTrace(condition.entry.operator, condition.entry.key,
                                             entry.texts if entry is not None else None, values, holds))
            unresolved += [written for written, resolved in values if resolved is None]
        absent: tuple[ConditionTrace, ...] = ()
        if resource_ok:
            by_kind, settled = kind
            absent = tuple(ConditionTrace(c.entry.operator, c.entry.key, None, tuple(c.policy_values(aside)),
                                          c.holds(aside), c.holds(by_kind) if c.key in settled else None)
                           for c in statement.conditions if aside.get(c.key) is None)
        return StatementTrace(match, principal, action, resource_ok, resource, applies, tuple(conditions),
                              tuple(unresolved), closest, waived if applies and statement.deny else "", absent)


_NONE_GIVEN = {
    GateKind.SCP: "no service control policy is attached at this level",
    GateKind.RCP: "no resource control policy is attached at this level",
    GateKind.RESOURCE_POLICY: "no resource-based policy was given",
    GateKind.IDENTITY: "no identity-based policy was given",
    GateKind.PERMISSION_BOUNDARY: "the principal has no permissions boundary",
    GateKind.SESSION: "no session policy was given",
}


def _resource_text(statement: CompiledStatement, record: StatementRecord, resource: str
                   ) -> tuple[bool, str, str | None]:
    """Whether the statement's resource test passed, in words, and the closest entry when no
    entry matched (for a near miss)."""
    if statement.resources is None:
        return True, "no Resource: the statement covers the resource its policy is attached to", None
    hit = record.resource_hit
    named = None if hit is None else (f"`{hit[0]}`" if hit[0] == hit[1] else f"`{hit[0]}` (resolved to `{hit[1]}`)")
    if statement.not_resource:
        if named:
            return False, f"`{resource}` is excluded by NotResource {named}", None
        return True, f"`{resource}` is not listed in NotResource", None
    if named:
        return True, f"{named} matches `{resource}`", None
    patterns = [p.pattern for p in statement.resources] + [r for _, r in record.resolved]
    closest = max(patterns, key=lambda r: len(os.path.commonprefix([r, resource])), default=None)
    if closest is not None and len(os.path.commonprefix([closest, resource])) >= 12:
        return False, f"no pattern matches; closest `{closest}` for `{resource}`", closest
    return False, f"no Resource entry matches `{resource}`", None
