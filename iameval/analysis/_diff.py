"""What one set of policies allows that another does not, for every request (IAM-SEMANTICS §2-§8).

`diff(old, new)` answers "does this change newly allow anything, and what?", `can_never` "can
these policies ever allow these actions?". Both search the requests of one caller; for the
policies that name their callers (resource and trust policies, §7.4), of each caller of the
finite set that `_callers.caller_shapes` derives from their constants:

- Actions are finite (the catalogue, with the actions the policies name that it lacks). They
  fall into classes that plan alike: the same statements of each policy reach them in every
  gate, under both versions. A class whose statements are the same under both cannot differ.
- Within a class, `_search.search_class` finds a request that the new policies allow and the
  old do not, the engine's own chain judging (`decide`).
- Every example is replayed through `Authorizer.authorize` under both versions, for one action
  of each service of its class, before it is returned. A disagreement is a bug of the encoding,
  raised as `SymbolicMismatch`.

What cannot be encoded makes the answer for its class `unknown`, with the construct and where it
is written, never "no new access".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, Callable, Iterable, Sequence

from .. import catalog
from ..engine._chain import Authorizer
from ..engine._request import CallerError, Request, parse_caller
from ..engine._callers import CallerKind
from ..engine._plan import mandatory_marks
from ..engine._services import RULED_SERVICES
from ..policy._errors import Location, RequestError
from ..policy._match import action_glob
from ..policy._model import Policy, PolicyKind
from ._policy_types import CALLER_KINDS, DIFF_TYPES
from ._callers import CallerShape, caller_shapes, given_shape
from ._decide_sets import ActionIndex, split_classes
from ._search import SymbolicMismatch, policy_sets, search_class

__all__ = ["CALLER_KINDS", "DEFAULT_ACCOUNT", "DIFF_KINDS", "DiffFinding", "DiffReport", "Example", "OWN_ALLOWS",
           "OWN_AND_SESSION_ALLOW", "OWN_NONE", "Outcome", "SymbolicMismatch", "UnknownPart", "can_never", "diff"]

# The caller whose requests are searched, by the type of the policies compared.
DEFAULT_ACCOUNT = "123456789012"
_USER = f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/iameval-user"
_SESSION = f"arn:aws:sts::{DEFAULT_ACCOUNT}:assumed-role/iameval-role/iameval-session"
DIFF_KINDS = tuple(DIFF_TYPES)
# What a caller's own side is taken to be when a resource or trust policy is compared (§2.2, §3).
OWN_ALLOWS = "the caller's identity policies allow every action"
# A federated user's identity side is its session policy's intersection with its user's (§2.4).
OWN_AND_SESSION_ALLOW = "the caller's identity and session policies allow every action"
OWN_NONE = "the caller has no identity policies"
# Where the compared policies sit; the other gates allow everything, so that only they decide.
_ALLOW_ALL = Policy.model_validate({"Version": "2012-10-17", "Statement": [
    {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"}]}, context={"kind": PolicyKind.IDENTITY}
).model_copy(update={"name": "iameval-allow-all"})


class Outcome(StrEnum):
    NO_NEW_ACCESS = "no-new-access"
    NEW_ACCESS = "new-access"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Example:
    """A request that the new policies allow and the old do not, replayed through the engine."""

    principal: str
    action: str
    resource: str
    context: dict[str, Any]
    # For a resource or trust policy: the resource's account, what the caller is, and what its
    # identity policies are taken to be (`CALLER_KINDS`).
    resource_account: str | None = None
    caller: str | None = None
    identity: str | None = None

    def as_dict(self) -> dict[str, Any]:
        shown = {"principal": self.principal, "action": self.action, "resource": self.resource,
                 "context": self.context}
        extra = {"resource_account": self.resource_account, "caller": self.caller, "identity": self.identity}
        return shown | {k: v for k, v in extra.items() if v is not None}


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
         principal: str | None = None, actions: Sequence[str] | None = None,
         account: str | None = None) -> DiffReport:
    """What `new` allows that `old` does not, as policies of `kind` (one of `DIFF_KINDS`), for
    `actions` (patterns, `*` and `?`; default every action). A resource or trust policy is that
    of a resource in `account`, asked about every caller (or `principal` alone)."""
    if kind in CALLER_KINDS:
        return _search_callers(_one(old, kind), _one(new, kind), kind, principal, actions, None, account)
    caller = principal or (_SESSION if kind == "session" else _USER)
    return _search(_authorizer(old, kind), _authorizer(new, kind), caller, actions, None)


def can_never(policies: Sequence[Policy], actions: Sequence[str], resources: Sequence[str] | None = None,
              kind: str = "identity", principal: str | None = None, account: str | None = None) -> DiffReport:
    """Whether `policies` (of `kind`) allow any request for `actions` (patterns, `*` and `?`)
    on `resources` (ARN patterns, default any): no findings when none is allowed. A resource or
    trust policy is asked what it grants: what its resource would not allow without it."""
    if kind in CALLER_KINDS:
        return _search_callers(None, _one(policies, kind), kind, principal, actions, resources, account)
    caller = principal or (_SESSION if kind == "session" else _USER)
    return _search(None, _authorizer(policies, kind), caller, actions, resources)


def role_arns(account: str) -> str:
    """The resources a trust policy is asked about: the roles of its account (§2.5)."""
    return f"arn:aws:iam::{account}:role/*"


def _one(policies: Sequence[Policy], kind: str) -> Policy | None:
    """A resource has one resource-based (or trust) policy, or none (§2.2)."""
    if len(policies) > 1:
        raise ValueError(f"a resource has one {kind} policy: give one policy")
    return policies[0] if policies else None


class CallerSearch:
    """`diff` of two resource (or trust) policies of a resource in `account` (None: the resource
    has none), caller by caller (`run`): the caller's own side allowing everything, and for a
    caller of the resource's account with no identity policy too, where the resource policy alone
    must grant (§2.2, §3). Callers without an identity side (§2.6) and the root user (§2.3) are
    asked as they are. The actions and their classes of each own side are read once, for every
    caller and every `run`."""

    def __init__(self, old: Policy | None, new: Policy | None, account: str, actions: Sequence[str] | None,
                 resources: Sequence[str] | None):
        self._old, self._new, self._account = old, new, account
        self._actions, self._resources = actions, resources
        # The actions the resource policies reach: the caller's own side, the same under both,
        # cannot make the others differ.
        self._universe = _universe([Authorizer(resource_policy=p) for p in (old, new) if p is not None])
        self._sides: dict[tuple[bool, bool], tuple[Authorizer, Authorizer, dict[str, str], list[list[str]]]] = {}

    def _side(self, identity: str | None) -> tuple[Authorizer, Authorizer, dict[str, str], list[list[str]]]:
        """The authorizers of an own side (`OWN_*`; None: a caller without one), and its classes."""
        key = (identity in (OWN_ALLOWS, OWN_AND_SESSION_ALLOW), identity == OWN_AND_SESSION_ALLOW)
        found = self._sides.get(key)
        if found is None:
            side = [_ALLOW_ALL] if key[0] else []
            session = [_ALLOW_ALL] if key[1] else []
            before = Authorizer(identity=side, session=session, resource_policy=self._old)
            after = Authorizer(identity=side, session=session, resource_policy=self._new)
            found = self._sides[key] = (before, after, *_actions(before, after, self._actions, self._universe))
        return found

    def run(self, shapes: Sequence[CallerShape], first_only: bool = False) -> DiffReport:
        """What the new policy allows that the old does not for the callers of `shapes`; one
        example of each group of actions and statements. `first_only` stops at the first
        finding (`public`)."""
        findings: list[DiffFinding] = []
        unknown: list[UnknownPart] = []
        classes = 0
        for shape in shapes:
            own: list[str | None] = [None]
            if shape.has_identity and shape.kind is not CallerKind.ROOT:
                allows = OWN_AND_SESSION_ALLOW if shape.kind is CallerKind.FEDERATED_USER else OWN_ALLOWS
                own = [allows, *([OWN_NONE] if shape.account == self._account else [])]
            for identity in own:
                before, after, names, groups = self._side(identity)
                report = _search_classes(before, after, shape.principal, names, groups, self._resources, shape,
                                         self._account, identity)
                findings.extend(report.findings)
                unknown.extend(u for u in report.unknown if u not in unknown)
                classes += report.classes
                if first_only and findings:
                    return DiffReport(tuple(findings), tuple(unknown), classes)
        kept = {(f.actions, f.statements): f for f in reversed(findings)}  # the first caller's example
        return DiffReport(tuple(sorted(kept.values(), key=lambda f: f.actions)), tuple(unknown), classes)


def _search_callers(old: Policy | None, new: Policy | None, kind: str, principal: str | None,
                    actions: Sequence[str] | None, resources: Sequence[str] | None, account: str | None
                    ) -> DiffReport:
    """`diff` over the callers of the policies (`caller_shapes`), or `principal` alone."""
    account = account or DEFAULT_ACCOUNT
    resources = resources if resources is not None or kind != "trust" else [role_arns(account)]
    search = CallerSearch(old, new, account, actions, resources)
    if principal is not None:
        return search.run((given_shape(principal),))
    found = caller_shapes([s for p in (old, new) if p is not None
                           for s in Authorizer(resource_policy=p).resource_policy.statements], account)
    report = search.run(found.shapes)
    return DiffReport(report.findings, report.unknown + tuple(UnknownPart((), u) for u in found.unknown),
                      report.classes)


def _wanted(patterns: Sequence[str] | None) -> Callable[[str], bool] | None:
    """Which actions (lower-cased) the question is about: those the patterns name (§7.2)."""
    if patterns is None:
        return None
    globs = [action_glob(p) for p in patterns]
    return lambda action: any(g.matches(action) for g in globs)


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
        for policies in policy_sets(a):
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
                        # A name the request can give: `codestar:*`, of a service the
                        # catalogue no longer has, is asked as `codestar:x`.
                        instance = glob.pattern.replace("*", "").replace("?", "x")
                        instance += "x" if instance.endswith(":") else ""
                        found = {instance: instance}
                    names.update(found)
                every = every or (matcher.negated and not matcher.globs)
    if every:
        for actions in services.values():
            names.update(actions)
    return names


def _signature(a: Authorizer, action: str) -> tuple[Any, ...]:
    """What plans of `action` under `a` take from the policies: each gate's candidate statements."""
    return tuple(tuple(s.statement for s in policies.candidates(action)) for policies in policy_sets(a))


def _classes(old: Authorizer | None, new: Authorizer, names: dict[str, str],
             wanted: Callable[[str], bool] | None) -> list[list[str]]:
    """The actions whose requests can differ, in classes that plan alike under both versions.
    Services with rules of their own (§2.7) and the actions whose trust or key policy is
    mandatory (§2.5) keep classes of their own.

    The catalogue's actions are split by the statements that cover them, as bits
    (`ActionIndex.covered`, the engine's glob over the catalogue, §7.2); each part's plan is read
    from one of its actions (`_signature`), and parts that plan alike are one class. An action
    the catalogue does not know is read alone."""
    index = _index()
    asked = [n for n in names if wanted is None or wanted(n)]
    outside = [n for n in asked if index.position(n) is None]
    statements = [s for a in (new, old) if a is not None for p in policy_sets(a) for s in p.statements]
    splitters = [index.covered(s) for s in statements]
    splitters += _own_classes()
    parts = [[index.names[i].lower() for i in index.positions(bits)]
             for bits in split_classes(index.bits(asked), splitters)]
    classes: dict[tuple[Any, ...], list[str]] = {}
    for part in [*parts, *([a] for a in outside)]:
        new_sig = _signature(new, part[0])
        old_sig = _signature(old, part[0]) if old is not None else None
        if new_sig == old_sig or not any(new_sig):
            continue  # the same statements decide under both: the same answers
        service = part[0].partition(":")[0]
        own = service if service in RULED_SERVICES else ""
        # An action the catalogue does not know keeps a class of its own: what its service's
        # rules make of it is read from itself alone.
        alone = part[0] if index.position(part[0]) is None else None
        classes.setdefault((new_sig, old_sig, own, mandatory_marks(part[0]), alone), []).extend(part)
    return list(classes.values())


@cache
def _index() -> ActionIndex:
    return ActionIndex.catalogue()


@cache
def _own_classes() -> list[int]:
    """The catalogue's actions of each service with rules of its own (§2.7), and those whose
    resources need the same mandatory resource policy (`mandatory_marks`, §2.5)."""
    index = _index()
    marked: dict[tuple[str, str], list[str]] = {}
    for name in index.names:
        if (marks := mandatory_marks(name.lower())) is not None:
            marked.setdefault(marks, []).append(name)
    return [index.pattern(f"{service}:*") for service in RULED_SERVICES] + [index.bits(n) for n in marked.values()]


def _search(old: Authorizer | None, new: Authorizer, principal: str, actions: Sequence[str] | None,
            resources: Sequence[str] | None) -> DiffReport:
    """The search of every class of actions of `new` (`_universe`), for one caller."""
    names, classes = _actions(old, new, actions, _universe([new]))
    return _search_classes(old, new, principal, names, classes, resources)


def _actions(old: Authorizer | None, new: Authorizer, actions: Sequence[str] | None, universe: dict[str, str]
             ) -> tuple[dict[str, str], list[list[str]]]:
    """The actions asked, with their catalogue names, in classes (`_classes`): a function of
    the policies alone, the same for every caller."""
    names = dict(universe)
    # An action the question names that neither the catalogue nor the policies know is asked too.
    for action in actions or ():
        if "*" not in action and "?" not in action:
            names.setdefault(action.lower(), action)
    return names, _classes(old, new, names, _wanted(actions))


def _search_classes(old: Authorizer | None, new: Authorizer, principal: str, names: dict[str, str],
                    classes: list[list[str]], resources: Sequence[str] | None, shape: CallerShape | None = None,
                    account: str | None = None, identity: str | None = None) -> DiffReport:
    findings: list[DiffFinding] = []
    unknown: list[UnknownPart] = []
    for group in _for_caller(classes, principal, new, old):
        try:
            found, reason = search_class(old, new, principal, group, resources,
                                         *((shape.given, account, shape.facts) if shape is not None else ()))
        except RequestError:
            continue  # a request this caller cannot make (an identity provider's own actions, §2.7)
        if found is not None:
            findings.extend(_findings(old, new, found, group, names, shape, identity))
        elif reason is not None:
            unknown.append(UnknownPart(tuple(sorted(names[a] for a in group)), reason))
    findings.sort(key=lambda f: f.actions)
    return DiffReport(tuple(findings), tuple(unknown), len(classes))


def _for_caller(classes: list[list[str]], principal: str, new: Authorizer, old: Authorizer | None
                ) -> list[list[str]]:
    """The classes split apart where something beyond the statements decides this caller's
    requests differently (`ActionIndex.specials`: a rule of the service, §2.7, the lock-out of
    the owner's root user, a resource-based policy set aside or read as a key policy; and
    `ActionIndex.governed`, the services RCPs govern, §4): within one service,
    `s3:DeleteBucketPolicy` is the owner's alone and `s3:GetObject` is not, and a class is
    searched by its first action."""
    try:
        caller = parse_caller(principal)
    except CallerError:
        return classes  # the search itself says why this caller cannot ask
    index = _index()
    resource_policy = bool(new.resource_policy) or (old is not None and bool(old.resource_policy))
    groups = list(index.specials(caller, "*", resource_policy))
    if new.rcps or (old is not None and old.rcps):
        groups.append(index.governed(caller))  # RCPs reach only the services they govern (§4)
    if not groups:
        return classes
    out: list[list[str]] = []
    for group in classes:
        bits = index.bits(group)
        if not any(bits & g for g in groups):
            out.append(group)
            continue
        outside = [a for a in group if index.position(a) is None]
        out += [[index.names[i].lower() for i in index.positions(part)] for part in split_classes(bits, groups)]
        out += [[a] for a in outside]
    return out


def _findings(old: Authorizer | None, new: Authorizer, request: Request, actions: list[str],
              names: dict[str, str], shape: CallerShape | None = None, identity: str | None = None
              ) -> list[DiffFinding]:
    """The class's actions by service, each with the example replayed for one of its actions."""
    by_ref = {s.ref: s for p in policy_sets(new) for s in p.statements}
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
                                       {k: list(v) if isinstance(v, tuple) else v for k, v in example.context.items()},
                                       example.resource_account, shape.what if shape is not None else None,
                                       identity),
                               locations))
    return out
