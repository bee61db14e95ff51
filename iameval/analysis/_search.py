"""The search of one class of actions: a request that new policies allow and old ones do not.

Within a class, the engine's own plan (`Authorizer.prepare`) says which statements each gate
can use, and the engine's own chain (`_chain.decide`) decides from which of them hold. The
solver proposes a resource and a context under which some statements hold (`_symbolic`); `decide`,
told those truths as its `hold`, judges; a combination that does not newly allow is blocked with
every combination it settles, the chain being monotone (more Allows holding never deny, more
Denies never allow), and the search goes on until none is left (IAM-SEMANTICS §2-§5). The
resource's account (§3) and a mandatory trust or key policy (§2.5), which the chain reads
beyond the statements, are searched one way at a time.

The solver is left with Booleans where it can be: the string unknowns that the statements test
by memberships in regular languages alone are decided apart, by automata (`_memberships`), and
the solver only chooses which memberships hold. Equations of strings (a policy variable on a key
the request gives, §9) stay with its string theory.

Every request proposed is read by the engine too: a statement the solver encodes that the
engine reads otherwise is a bug, raised as `SymbolicMismatch`; one that is not encoded stands as
a free unknown, and the answer is then `unknown` rather than "no new access".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

# cvc5, through its z3py-compatible API (`cvc5.pythonic`, z3py's names): its string solver
# answers the questions of the managed policies' history where z3 4.13-5.4 time out (measured).
from cvc5 import pythonic as z3

from ..engine._chain import Authorizer, decide
from ..engine._compile import CompiledStatement, Entries, Match, PolicySet, StatementRef
from ..engine._context import Context, unique_id_shape
from ..engine._plan import Plan, mandatory_marks
from ..engine._request import Request
from ..engine._services import _other_account
from ..policy._match import ResourcePattern
from ._memberships import Memberships
from ._symbolic import Space, Unencodable

__all__ = ["Fact", "SymbolicMismatch", "policy_sets", "request_of", "search_class"]

_SEARCH_LIMIT = 400  # combinations of holding statements tried per way before answering unknown
# cvc5's strategies for strings that answer fast where the others do not (measured), and the
# limits of each round of trying them all; then the answer is unknown.
_STRATEGIES: tuple[dict[str, Any], ...] = ({"re-elim": "on"}, {}, {"re-elim": "agg"})
_ROUNDS_MS = (250, 2_500)
_NICE_MS = 200  # asking for a readable example, before asking for any
_BUDGET_S = 20.0  # per way of a class: then its answer is unknown


class SymbolicMismatch(AssertionError):
    """The solver's reading of a request and the engine's disagree: a bug, never a finding."""


def policy_sets(a: Authorizer) -> tuple[PolicySet, ...]:
    return (*a.scps, *a.rcps, a.resource_policy, a.identity, a.permission_boundary, a.session)


@dataclass
class _Entry:
    allow: bool
    match: Match
    statement: CompiledStatement
    formula: z3.BoolRef
    free: bool  # not encoded: a free unknown


def _gate_entries(plan: Plan) -> list[tuple[bool, Entries]]:
    gates = [*plan.scps, *plan.rcps, plan.resource_policy, plan.identity, plan.permission_boundary, plan.session]
    return [(allow, g.allows if allow else g.denies) for g in gates for allow in (True, False)]


def _entries(a: Authorizer, plan: Plan, space: Space, reasons: dict[str, str]) -> list[_Entry]:
    by_ref: dict[StatementRef, CompiledStatement] = {s.ref: s for p in policy_sets(a) for s in p.statements}
    out = []
    for allow, entries in _gate_entries(plan):
        for _, match in entries:
            statement = by_ref[match.ref]
            try:
                formula, free = space.statement(statement), False
            except Unencodable as exc:
                formula, free = z3.Bool(f"free_{len(reasons)}_{id(statement)}"), True
                reasons.setdefault(str(exc), str(exc))
            out.append(_Entry(allow, match, statement, formula, free))
    return out


# What a kind of caller fixes of a key the request gives (`Space.fact`): key, value, values outside.
Fact = tuple[str, str | None, tuple[str, ...]]


def request_of(principal: str, action: str, resource: str, context: Mapping[str, Any],
               resource_account: str | None = None) -> Request:
    return Request.model_validate({"principal": principal, "action": action, "resource": resource,
                                   "context": context, "resource_account": resource_account})


def search_class(old: Authorizer | None, new: Authorizer, principal: str, actions: list[str],
                 resources: Sequence[str] | None, given: Mapping[str, Any] | None = None,
                 resource_account: str | None = None, facts: Sequence[Fact] = (), resource: str | None = None,
                 absent: tuple[str, ...] = ()) -> tuple[Request | None, str | None]:
    """A request of the class's first action that `new` allows and `old` does not, or None
    with why the answer is unknown (None when there is none).

    A caller searched among others (`_callers`) brings what every one of its requests gives
    (`given`, e.g. a role's `aws:PrincipalArn`), the account of the resource it asks for, and
    what it fixes of the keys a request gives (`facts`). `resource` fixes the request's resource
    (`who-can --any-context`). The keys the statements read, in conditions or variables, whose
    names begin with one of `absent` and that no fact gives, are absent (a caller's tags it does
    not have)."""
    action = actions[0]
    given = given or {}
    first = request_of(principal, action, "*", given, resource_account)
    _, new_plan, _ = new.prepare(first)
    old_plan = old.prepare(first)[1] if old is not None else None
    if any(c.test not in (None, _other_account) for c in (*new_plan.allowing_rules, *new_plan.refusing_rules)):
        return None, f"a rule of the service for `{action}` that reads the request's context (§2.7)"
    marks = mandatory_marks(action) if new_plan.sts_or_kms else None
    space = Space(new_plan.caller_keys, new_plan.caller.account, resource_account, marks,
                  unique_id_shape(new_plan.caller))
    reasons: dict[str, str] = {}
    new_entries = _entries(new, new_plan, space, reasons)
    old_entries = _entries(old, old_plan, space, reasons) if old is not None and old_plan is not None else []
    base: list[z3.BoolRef] = []
    if resources is not None:
        base.append(z3.Or(*[space.resource_in(ResourcePattern(r)) for r in resources]))
    if resource is not None:
        # Without wildcards a pattern matches itself alone (§7.3), and says so in regular languages.
        exact = resource != "*" and "*" not in resource and "?" not in resource
        base.append(space.resource_in(ResourcePattern(resource)) if exact else space.is_resource(resource))
    try:
        base.extend(space.caller_rules())
        if absent:
            told = {key.lower() for key, _, _ in facts}
            facts = [*facts, *((key, None, ()) for key in space.read_keys()
                               if key.lower().startswith(absent) and key.lower() not in told)]
        base.extend(f for key, value, outside in facts if (f := space.fact(key, value, outside)) is not None)
    except Unencodable as exc:
        return None, str(exc)
    base.extend(space.constraints)  # read after the encodings, which add to them
    # The memberships of string unknowns in nothing but regular languages, decided apart.
    entries = new_entries + old_entries
    memberships = Memberships([*base, space.same_account, space.mandatory, *(e.formula for e in entries)])
    base = [memberships.apply(c) for c in base] + memberships.constraints
    for entry in entries:
        entry.formula = memberships.apply(entry.formula)
    same_account, needs_policy = memberships.apply(space.same_account), memberships.apply(space.mandatory)
    # What the chain reads of the request beyond the statements: whether the resource is in
    # another account (§3) and whether a trust or key policy must allow it (§2.5). Each way is
    # searched apart, and only where `decide` allows with every Allow holding and no Deny (the
    # chain is monotone): identity policies never reach another account's resource on their own.
    caller = new_plan.caller.account or ""
    other = "999999999999" if caller != "999999999999" else "888888888888"
    ways = [(True, False), (False, False)] + ([(True, True), (False, True)] if marks else [])
    if resource_account is not None:  # the request gives it: one way
        ways = [w for w in ways if w[0] == (resource_account == caller)]
    unknown = None
    for same, mandatory in ways:
        probe = request_of(principal, action, _probe(caller if same else other, marks if mandatory else None), given,
                           resource_account)
        if not _judge(new, probe, new_entries, [e.allow for e in new_entries]) or (
                old is not None and _judge(old, probe, old_entries, [not e.allow for e in old_entries])):
            continue
        fixed = [same_account == z3.BoolVal(same)]
        if marks:
            fixed.append(needs_policy == z3.BoolVal(mandatory))
        found, reason = _search_way(old, new, principal, action, base + fixed, space, memberships, new_entries,
                                    old_entries, reasons, given, resource_account)
        if found is not None:
            return found, None
        unknown = unknown or reason
    return None, unknown


def _probe(account: str, marks: tuple[str, str] | None) -> str:
    """A resource in `account`, on which a trust or key policy is mandatory when `marks` are given."""
    if marks is None:
        return f"arn:aws:s3:us-east-1:{account}:probe"
    return f"arn:aws:probe:us-east-1:{account}:probe{marks[0]}{marks[1]}"


def _search_way(old: Authorizer | None, new: Authorizer, principal: str, action: str, clauses: list[z3.BoolRef],
                space: Space, memberships: Memberships, new_entries: list[_Entry], old_entries: list[_Entry],
                reasons: dict[str, str],
                given: Mapping[str, Any], resource_account: str | None) -> tuple[Request | None, str | None]:
    """The search of `_search_class` with the resource's account and the mandatory resource
    policy fixed: blocking clauses then speak of statements alone."""
    deadline = time.monotonic() + _BUDGET_S
    for _ in range(_SEARCH_LIMIT):
        if time.monotonic() > deadline:
            return None, f"the search for `{action}` took over {_BUDGET_S:.0f} s"
        verdict, model = _solve(clauses, space.nice)
        if model is None and verdict == z3.unknown:
            return None, f"the solver gave no answer for `{action}` within {sum(_ROUNDS_MS) / 1000:g} s by any strategy"
        if model is None:
            free = [r for r in reasons]
            return None, ("not encoded: " + "; ".join(free)) if free else None
        resource, context = space.render(model, memberships.strings(model))
        request = request_of(principal, action, resource, {**given, **context}, resource_account)
        truths = [z3.is_true(model.eval(e.formula, model_completion=True)) for e in new_entries + old_entries]
        new_truths = truths[:len(new_entries)]
        old_truths = truths[len(new_entries):]
        exact = _check_truths(new, request, new_entries, new_truths) & (
            _check_truths(old, request, old_entries, old_truths) if old is not None else True)
        if not exact:
            # A free statement the engine reads otherwise: rule this combination out alone.
            clauses.append(z3.Or(*[e.formula != z3.BoolVal(t) for e, t in zip(new_entries + old_entries, truths)]))
            continue
        new_allows = _judge(new, request, new_entries, new_truths)
        old_allows = _judge(old, request, old_entries, old_truths) if old is not None else False
        if new_allows and not old_allows:
            return request, None
        if not new_allows:
            clauses.append(z3.Or(*_monotone(new_entries, new_truths, more=True)))
        if old_allows:
            clauses.append(z3.Or(*_monotone(old_entries, old_truths, more=False)))
    return None, f"more than {_SEARCH_LIMIT} combinations of statements for `{action}`"


def _solve(clauses: list[z3.BoolRef], nice: z3.BoolRef) -> tuple[Any, z3.ModelRef | None]:
    """A model of `clauses`, readable (`nice`) if one is found at once.

    cvc5's string solver answers most of these questions in milliseconds, but which of its
    strategies does varies from question to question, and a wrong one can take longer than any
    limit (measured on the managed policies' history): each strategy is tried briefly in turn,
    then each for longer. Asking for printable text can make an easy question hard, so that try
    is short; the others say it is not asked (`nice` only narrows: without it, no case to split
    on). A fresh solver each time: one kept per search, told each blocking clause, took three
    times as long (measured)."""
    tries = [(nice, _STRATEGIES[0], _NICE_MS)]
    tries += [(z3.Not(nice), strategy, limit) for limit in _ROUNDS_MS for strategy in _STRATEGIES]
    for extra, strategy, limit in tries:
        solver = z3.Solver()
        solver.set("tlimit-per", limit)
        for option, value in strategy.items():
            solver.set(option, value)
        solver.add(*clauses, extra)
        found = solver.check()
        if found == z3.sat:
            return found, solver.model()
        if found == z3.unsat and extra is not nice:
            return found, None
    return z3.unknown, None


def _monotone(entries: list[_Entry], truths: list[bool], more: bool) -> list[z3.BoolRef]:
    """What must change for the answer to change the wanted way: `more` (to allow), an Allow
    that did not hold holds or a Deny that held does not; else the reverse."""
    out = []
    for entry, truth in zip(entries, truths):
        if entry.allow == more and not truth:
            out.append(entry.formula)
        elif entry.allow != more and truth:
            out.append(z3.Not(entry.formula))
    return out


def _check_truths(a: Authorizer, request: Request, entries: list[_Entry], truths: list[bool]) -> bool:
    """Whether the engine finds the statements holding as the model says; a statement encoded
    that the engine reads otherwise is a bug (`SymbolicMismatch`), a free one only imprecision."""
    _, _, context = a.prepare(request)
    exact = True
    for entry, truth in zip(entries, truths):
        if entry.statement.holds(context) != truth:
            if not entry.free:
                raise SymbolicMismatch(
                    f"statement {entry.match.ref.statement} of {entry.match.ref.policy}: the solver read it as "
                    f"{'holding' if truth else 'not holding'} for {request.model_dump(exclude_defaults=True)}, "
                    "the engine the other way")
            exact = False
    return exact


def _judge(a: Authorizer, request: Request, entries: list[_Entry], truths: list[bool]) -> bool:
    """`decide` itself, told which statements hold."""
    holding = {e.match for e, t in zip(entries, truths) if t}

    def hold(gate: Entries, context: Context) -> tuple[Match, ...]:
        return tuple(m for _, m in gate if m in holding)

    prepared, plan, context = a.prepare(request)
    return decide(plan, prepared, context, hold).allowed
