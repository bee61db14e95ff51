"""What one set of policies allows that another does not, for every request (IAM-SEMANTICS §2-§8).

`diff(old, new)` answers "does this change newly allow anything, and what?", `can_never` "can
these policies ever allow these actions?". Both search the requests of one caller:

- Actions are finite (the catalogue, with the actions the policies name that it lacks). They
  fall into classes that plan alike: the same statements of each policy reach them in every
  gate, under both versions. A class whose statements are the same under both cannot differ.
- Within a class, the engine's own plan (`Authorizer.prepare`) says which statements each gate
  can use, and the engine's own chain (`_chain.decide`) decides from which of them hold. The
  solver proposes a resource and a context under which some statements hold (`_symbolic`);
  `decide`, given those truths as its `hold`, judges; a combination that does not newly allow
  is blocked with every combination it settles (the chain is monotone: more Allows holding never
  deny, more Denies never allow), and the search goes on until none is left.
- Every example is replayed through `Authorizer.authorize` under both versions before it is
  returned. A disagreement is a bug of the encoding, raised as `SymbolicMismatch`.

A statement that cannot be encoded stands as a free unknown: examples it yields are still
replayed (and kept only when the engine agrees), but "no new access" is then `unknown`, with the
construct and where it is written.
"""

from __future__ import annotations

from functools import cache
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Callable, Iterable, Sequence

import z3

from .. import catalog
from ..engine._chain import Authorizer, decide
from ..engine._compile import CompiledStatement, Entries, Match, PolicySet, StatementRef
from ..engine._context import Context
from ..engine._plan import Plan, mandatory_marks
from ..engine._request import Request
from ..engine._services import RULED_SERVICES, _other_account
from ..policy._errors import Location
from ..policy._match import ResourcePattern, action_glob
from ..policy._model import Policy, PolicyKind
from ._symbolic import Space, Unencodable

__all__ = ["DiffFinding", "DiffReport", "Example", "Outcome", "SymbolicMismatch", "UnknownPart", "can_never",
           "diff", "DIFF_KINDS", "UNSEARCHED_KINDS"]

# The caller whose requests are searched, by the type of the policies compared.
_USER = "arn:aws:iam::123456789012:user/iameval-user"
_SESSION = "arn:aws:sts::123456789012:assumed-role/iameval-role/iameval-session"
# Where the compared policies sit; the other gates allow everything, so that only they decide.
DIFF_KINDS = ("identity", "scp", "rcp", "boundary", "session")
# Policies that name their callers: answered `unknown` until principals are searched too.
UNSEARCHED_KINDS = ("resource", "trust")
_ALLOW_ALL = Policy.model_validate({"Version": "2012-10-17", "Statement": [
    {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"}]}, context={"kind": PolicyKind.IDENTITY}
).model_copy(update={"name": "iameval-allow-all"})
_SEARCH_LIMIT = 400
_TIMEOUT_MS = 10_000  # per solver call  # combinations of holding statements tried per class before answering unknown


class Outcome(StrEnum):
    NO_NEW_ACCESS = "no-new-access"
    NEW_ACCESS = "new-access"
    UNKNOWN = "unknown"


class SymbolicMismatch(AssertionError):
    """The solver's reading of a request and the engine's disagree: a bug, never a finding."""


@dataclass(frozen=True)
class Example:
    """A request that the new policies allow and the old do not, replayed through the engine."""

    principal: str
    action: str
    resource: str
    context: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"principal": self.principal, "action": self.action, "resource": self.resource,
                "context": self.context}


@dataclass(frozen=True)
class DiffFinding:
    """Actions newly allowed (catalogue names, one service), the statements of the new policies
    that allow the example, and the example."""

    actions: tuple[str, ...]
    statements: tuple[str, ...]
    example: Example
    locations: tuple[Location, ...] = field(default=(), compare=False)  # the statements', where read

    def as_dict(self) -> dict[str, Any]:
        return {"actions": list(self.actions), "statements": list(self.statements),
                "example": self.example.as_dict()}


@dataclass(frozen=True)
class UnknownPart:
    """Actions for which the answer is not known, and why: a construct and where it is."""

    actions: tuple[str, ...]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"actions": list(self.actions), "reason": self.reason}


@dataclass(frozen=True)
class DiffReport:
    findings: tuple[DiffFinding, ...]
    unknown: tuple[UnknownPart, ...] = ()
    classes: int = field(default=0, compare=False)  # action classes searched, for bench

    @property
    def result(self) -> Outcome:
        if self.findings:
            return Outcome.NEW_ACCESS
        return Outcome.UNKNOWN if self.unknown else Outcome.NO_NEW_ACCESS

    def as_dict(self) -> dict[str, Any]:
        return {"result": str(self.result), "findings": [f.as_dict() for f in self.findings],
                "unknown": [u.as_dict() for u in self.unknown]}


# --------------------------------------------------------------------------- public calls

def diff(old: Sequence[Policy], new: Sequence[Policy], kind: str = "identity",
         principal: str | None = None, actions: Sequence[str] | None = None) -> DiffReport:
    """What `new` allows that `old` does not, as policies of `kind` (one of `DIFF_KINDS`), for
    `actions` (patterns, `*` and `?`; default every action)."""
    if kind in UNSEARCHED_KINDS:
        return _unsearched(kind)
    caller = principal or (_SESSION if kind == "session" else _USER)
    return _search(_authorizer(old, kind), _authorizer(new, kind), caller, _wanted(actions), None)


def can_never(policies: Sequence[Policy], actions: Sequence[str], resources: Sequence[str] | None = None,
              kind: str = "identity", principal: str | None = None) -> DiffReport:
    """Whether `policies` (of `kind`) allow any request for `actions` (patterns, `*` and `?`)
    on `resources` (ARN patterns, default any): no findings when none is allowed."""
    if kind in UNSEARCHED_KINDS:
        return _unsearched(kind)
    caller = principal or (_SESSION if kind == "session" else _USER)
    return _search(None, _authorizer(policies, kind), caller, _wanted(actions), resources)


def _wanted(patterns: Sequence[str] | None) -> Callable[[str], bool] | None:
    """Which actions (lower-cased) the question is about: those the patterns name (§7.2)."""
    if patterns is None:
        return None
    globs = [action_glob(p) for p in patterns]
    return lambda action: any(g.matches(action) for g in globs)


def _unsearched(kind: str) -> DiffReport:
    return DiffReport((), (UnknownPart((), f"{kind} policies name their callers, and principals are not searched "
                                           "yet: only the policies of one caller are (identity, scp, rcp, boundary, "
                                           "session)"),))


def _authorizer(policies: Sequence[Policy], kind: str) -> Authorizer:
    if kind == "identity":
        return Authorizer(identity=policies)
    if kind == "scp":
        return Authorizer(identity=[_ALLOW_ALL], scps=[list(policies)])
    if kind == "rcp":
        return Authorizer(identity=[_ALLOW_ALL], rcps=[list(policies)])
    if kind == "boundary":
        if len(policies) != 1:
            raise ValueError("a principal has one permissions boundary: give one policy")
        return Authorizer(identity=[_ALLOW_ALL], permission_boundary=policies[0])
    if kind == "session":
        return Authorizer(identity=[_ALLOW_ALL], session=policies)
    raise ValueError(f"unknown policy type `{kind}`: use one of {', '.join(DIFF_KINDS)}")


# --------------------------------------------------------------------------- actions

def _sets(a: Authorizer) -> tuple[PolicySet, ...]:
    return (*a.scps, *a.rcps, a.resource_policy, a.identity, a.permission_boundary, a.session)


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    """The catalogue's actions by service, lower-cased, each with its catalogue name."""
    services: dict[str, dict[str, str]] = {}
    for prefix in sorted(catalog.service_prefixes()):
        service = catalog.service(prefix)
        if service is not None:
            names = services.setdefault(prefix.lower(), {})
            for action in service.actions.values():
                names[str(action).lower()] = str(action)
    return services


def _universe(authorizers: Iterable[Authorizer]) -> dict[str, str]:
    """Every action a request can name that a statement of `authorizers` reaches, lower-cased,
    with its catalogue name: the catalogue's, those the policies name that it lacks, and one
    instance of each pattern that names none."""
    services = _catalogue()
    names: dict[str, str] = {}
    every = False
    for a in authorizers:
        for policies in _sets(a):
            for statement in policies.statements:
                matcher = statement.actions
                for exact in matcher.exact:
                    names[exact] = services.get(exact.partition(":")[0], {}).get(exact, exact)
                for glob in matcher.globs:
                    service, colon, _ = glob.pattern.partition(":")
                    if matcher.negated or not colon or "*" in service or "?" in service:
                        every = True
                        continue
                    found = {n: shown for n, shown in services.get(service, {}).items() if glob.matches(n)}
                    if not found:
                        instance = glob.pattern.replace("*", "").replace("?", "x")
                        found = {instance: instance}
                    names.update(found)
                every = every or (matcher.negated and not matcher.globs)
    if every:
        for actions in services.values():
            names.update(actions)
    return names


def _signature(a: Authorizer, action: str) -> tuple[Any, ...]:
    """What plans of `action` under `a` take from the policies: each gate's candidate statements."""
    return tuple(tuple(s.statement for s in policies.candidates(action)) for policies in _sets(a))


def _classes(old: Authorizer | None, new: Authorizer, names: dict[str, str],
             wanted: Callable[[str], bool] | None) -> list[list[str]]:
    """The actions whose requests can differ, in classes that plan alike under both versions.
    Services with rules of their own (§2.7) and the actions whose trust or key policy is
    mandatory (§2.5) keep classes of their own."""
    classes: dict[tuple[Any, ...], list[str]] = {}
    for action in names:
        if wanted is not None and not wanted(action):
            continue
        new_sig = _signature(new, action)
        old_sig = _signature(old, action) if old is not None else None
        if new_sig == old_sig or not any(new_sig):
            continue  # the same statements decide under both: the same answers
        service = action.partition(":")[0]
        own = service if service in RULED_SERVICES else ""
        classes.setdefault((new_sig, old_sig, own), []).append(action)
    return list(classes.values())


# --------------------------------------------------------------------------- search

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
    by_ref: dict[StatementRef, CompiledStatement] = {s.ref: s for p in _sets(a) for s in p.statements}
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


def _search(old: Authorizer | None, new: Authorizer, principal: str, wanted: Callable[[str], bool] | None,
            resources: Sequence[str] | None) -> DiffReport:
    names = _universe([new])
    findings: list[DiffFinding] = []
    unknown: list[UnknownPart] = []
    classes = _classes(old, new, names, wanted)
    for actions in classes:
        found, reason = _search_class(old, new, principal, actions, resources)
        if found is not None:
            findings.extend(_findings(old, new, found, actions, names))
        elif reason is not None:
            unknown.append(UnknownPart(tuple(sorted(names[a] for a in actions)), reason))
    findings.sort(key=lambda f: f.actions)
    return DiffReport(tuple(findings), tuple(unknown), len(classes))


def _request(principal: str, action: str, resource: str, context: dict[str, Any]) -> Request:
    return Request.model_validate({"principal": principal, "action": action, "resource": resource,
                                   "context": context})


def _search_class(old: Authorizer | None, new: Authorizer, principal: str, actions: list[str],
                  resources: Sequence[str] | None) -> tuple[Request | None, str | None]:
    """A request of the class's first action that `new` allows and `old` does not, or None
    with why the answer is unknown (None when there is none)."""
    action = actions[0]
    first = _request(principal, action, "*", {})
    _, new_plan, _ = new.prepare(first)
    old_plan = old.prepare(first)[1] if old is not None else None
    if any(c.test not in (None, _other_account) for c in (*new_plan.allowing_rules, *new_plan.refusing_rules)):
        return None, f"a rule of the service for `{action}` that reads the request's context (§2.7)"
    space = Space(new_plan.caller_keys, new_plan.caller.account)
    reasons: dict[str, str] = {}
    new_entries = _entries(new, new_plan, space, reasons)
    old_entries = _entries(old, old_plan, space, reasons) if old is not None and old_plan is not None else []
    base: list[z3.BoolRef] = []
    if resources is not None:
        base.append(z3.Or(*[space.resource_in(ResourcePattern(r)) for r in resources]))
    base.extend(space.constraints)  # read after the encodings, which add to them
    # What the chain reads of the request beyond the statements: whether the resource is in
    # another account (§3) and whether a trust or key policy must allow it (§2.5). Each way is
    # searched apart, and only where `decide` allows with every Allow holding and no Deny (the
    # chain is monotone): identity policies never reach another account's resource on their own.
    marks = mandatory_marks(action) if new_plan.sts_or_kms else None
    caller = new_plan.caller.account or ""
    other = "999999999999" if caller != "999999999999" else "888888888888"
    ways = [(True, False), (False, False)] + ([(True, True), (False, True)] if marks else [])
    unknown = None
    for same, mandatory in ways:
        probe = _request(principal, action, _probe(caller if same else other, marks if mandatory else None), {})
        if not _judge(new, probe, new_entries, [e.allow for e in new_entries]) or (
                old is not None and _judge(old, probe, old_entries, [not e.allow for e in old_entries])):
            continue
        fixed = [space.same_account == z3.BoolVal(same)]
        if marks:
            fixed.append(space.mandatory(action) == z3.BoolVal(mandatory))
        found, reason = _search_way(old, new, principal, action, base + fixed, space, new_entries, old_entries,
                                    reasons)
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
                space: Space, new_entries: list[_Entry], old_entries: list[_Entry], reasons: dict[str, str]
                ) -> tuple[Request | None, str | None]:
    """The search of `_search_class` with the resource's account and the mandatory resource
    policy fixed: blocking clauses then speak of statements alone."""
    for _ in range(_SEARCH_LIMIT):
        verdict, model = _solve(clauses, space.nice)
        if model is None and verdict == z3.unknown:
            return None, f"the solver gave no answer for `{action}` within {_TIMEOUT_MS // 1000} s"
        if model is None:
            free = [r for r in reasons]
            return None, ("not encoded: " + "; ".join(free)) if free else None
        resource, context = space.render(model)
        request = _request(principal, action, resource, context)
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
    """A model of `clauses`, readable (`nice`) if one is. A fresh solver each time: z3's
    incremental mode is many times slower on strings than its one-shot one (measured)."""
    verdict = z3.unsat
    for extra in ([nice], []):
        solver = z3.Solver()
        solver.set("timeout", _TIMEOUT_MS)
        solver.add(*clauses, *extra)
        found = solver.check()
        if found == z3.sat:
            return found, solver.model()
        if found == z3.unknown:
            verdict = found
    return verdict, None


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


def _findings(old: Authorizer | None, new: Authorizer, request: Request, actions: list[str],
              names: dict[str, str]) -> list[DiffFinding]:
    """The class's actions by service, each with the example replayed for one of its actions."""
    by_ref = {s.ref: s for p in _sets(new) for s in p.statements}
    by_service: dict[str, list[str]] = {}
    for action in actions:
        by_service.setdefault(action.partition(":")[0], []).append(action)
    out = []
    for group in by_service.values():
        example = request.model_copy(update={"action": names[group[0]]})
        result = new.authorize(example)
        before = old.authorize(example) if old is not None else None
        if not result.allowed or (before is not None and before.allowed):
            raise SymbolicMismatch(f"the engine does not confirm that `{example.action}` is newly allowed for "
                                   f"{example.model_dump(exclude_defaults=True)}")
        reasons = [m for m in result.reasons if m.ref.policy != _ALLOW_ALL.name]
        statements = tuple(dict.fromkeys(f"{m.ref.statement} of {m.ref.policy}" for m in reasons))
        locations = tuple(origin[0].locate(origin[1]) for m in reasons
                          if (origin := by_ref[m.ref].origin) is not None)
        out.append(DiffFinding(tuple(sorted(names[a] for a in group)), statements,
                               Example(example.principal, example.action, example.resource,
                                       {k: list(v) if isinstance(v, tuple) else v for k, v in example.context.items()}),
                               locations))
    return out
