"""Compiling policies into matchers, and finding the statements that apply to a request.

Compilation happens once per policy object, kind and label (`compiled`, kept with the policy and
shared by every policy set that holds it): actions are lowered and split into an exact set and
wildcard globs, resources become `ResourcePattern`s, principals become sets, the statements of a
policy sharing what they name alike (`_Table`), and the statements are indexed by action.
`PolicySet.entries` then picks, once per caller and action, the statements that can apply; the
request path (`holding`) only compares (STYLE.md, "Parse once, evaluate many").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, NamedTuple, Sequence

from ..policy._source import Origin
from ._conditions import compile_condition
from ._context import Context
from ..policy._match import Pieces, ResourcePattern, action_matcher, resource_pattern
from ..policy._model import Effect, Policy, PolicyKind, Statement
from ._principals import MatchClass, Principals
from ._conditions import CompiledCondition
from ._checks import policy_notices
from ._notice import Notice
from ._request import Caller, is_key_policy_action
from ..policy._arn import split_arn
from ..policy._references import see
from ..policy._variables import Lookup, Template, parse_template

__all__ = ["CompiledPolicy", "CompiledStatement", "GateEntries", "Match", "MatchClass", "PolicySet", "StatementRecord",
           "StatementRef", "UNREACHED", "compiled", "holding"]


@dataclass(frozen=True, slots=True)
class StatementRef:
    """Names one statement for results: its policy's label, its Sid or index, its effect."""

    kind: PolicyKind
    policy: str
    statement: str
    effect: Effect

    def as_dict(self) -> dict[str, str]:
        return {"policy": self.policy, "statement": self.statement, "effect": self.effect}


@dataclass(frozen=True, slots=True)
class Match:
    """A statement that applies to a request, and how its principal matched (resource policies)."""

    ref: StatementRef
    match_class: MatchClass | None = None

    def as_dict(self) -> dict[str, str]:
        out = self.ref.as_dict()
        if self.match_class is not None:
            out["principal_match"] = self.match_class.value
        return out


@dataclass(frozen=True, slots=True)
class VariableResource:
    """A `Resource` entry with policy variables in its resource segment (§9, §7.3).

    Variables are read only after the fifth colon: elsewhere `${...}` stays literal text, which
    no real ARN contains, so such an entry never matches.
    """

    text: str
    prefix: str
    template: Template

    @classmethod
    def parse(cls, text: str) -> "VariableResource | None":
        segments = split_arn(text, variables=True)
        if len(segments) != 6 or "${" not in segments[5]:
            return None
        return cls(text, text[: len(text) - len(segments[5])], parse_template(segments[5]))

    def resolve(self, lookup: Lookup) -> Pieces | None:
        pieces = self.template.resolve(lookup)
        return None if pieces is None else [(self.prefix, True)] + pieces


class _Resources(NamedTuple):
    """A statement's `Resource` or `NotResource` element, compiled: statements that list the
    same entries share one (`_Table`)."""

    static: tuple[ResourcePattern, ...]
    templated: tuple[VariableResource, ...]
    literal: tuple[str, ...]  # entries with `${...}` outside the resource segment (§7.3, §9)
    # Entries that are literal, or literal then one `*` (the usual ones), all tested by one
    # membership test and one `str.startswith`; None when some entry is not so.
    texts: tuple[Collection[str], tuple[str, ...]] | None


class _Table:
    """What the statements of one policy share once compiled: the same `Resource` entries give
    one `_Resources`, the same pattern one `ResourcePattern` (immutable, or memos of pure
    functions); the same `Action` entries, one `ActionMatcher` (`action_matcher`, across
    policies). A policy of many statements names the same resources again and again."""

    __slots__ = ("variables", "resources", "patterns")

    def __init__(self, variables: bool):
        self.variables = variables
        self.resources: dict[tuple[str, ...], _Resources] = {}
        self.patterns: dict[str, ResourcePattern] = {}

    def resource(self, entries: tuple[str, ...]) -> _Resources:
        found = self.resources.get(entries)
        if found is None:
            found = self.resources[entries] = self._resources(entries)
        return found

    def _resources(self, entries: tuple[str, ...]) -> _Resources:
        variables, patterns = self.variables, self.patterns
        static: list[ResourcePattern] = []
        templated: list[VariableResource] = []
        literal: list[str] = []
        for text in entries:
            if variables and "${" in text:
                template = VariableResource.parse(text)
                if template is not None:
                    templated.append(template)
                    continue
                literal.append(text)
            pattern = patterns.get(text)
            if pattern is None:
                pattern = patterns[text] = ResourcePattern(text)
            static.append(pattern)
        equal: list[str] = []
        prefixes: list[str] = []
        for pattern in static:
            if pattern.equal is not None:
                equal.append(pattern.equal)
            elif pattern.startswith is not None:
                prefixes.append(pattern.startswith)
            else:
                break
        else:
            if not templated:
                # A few entries are found as quickly in a tuple, which takes a fraction of a set's room.
                return _Resources(tuple(static), (), tuple(literal),
                                  (tuple(equal) if len(equal) <= 8 else frozenset(equal), tuple(prefixes)))
        return _Resources(tuple(static), tuple(templated), tuple(literal), None)


class CompiledStatement:
    """One statement, ready to be tested against requests."""

    __slots__ = ("ref", "statement", "deny", "actions", "resources", "variable_resources", "not_resource",
                 "principals", "not_principal", "conditions", "_condition_tests", "_policy_origin", "_index",
                 "_matches", "no_effect", "literal_warning", "unconditional", "_texts")
    resources: tuple[ResourcePattern, ...] | None  # None: no `Resource` nor `NotResource` (§6.2)
    variable_resources: tuple[VariableResource, ...]
    principals: Principals | None  # None: no `Principal` nor `NotPrincipal`
    _texts: tuple[Collection[str], tuple[str, ...]] | None
    _matches: dict[MatchClass | None, Match] | None

    def __init__(self, statement: Statement, ref: StatementRef, table: _Table, policy_origin: Origin | None = None,
                 index: int = 0):
        self.ref = ref
        self.statement = statement
        # Where the policy was read and the statement's index in it: `origin`, made when asked.
        self._policy_origin = policy_origin
        self._index = index
        self.deny = statement.effect is Effect.DENY
        self.actions = action_matcher(statement.action, statement.not_action)
        resources = statement.resource if statement.resource is not None else statement.not_resource
        self.not_resource = statement.resource is None and statement.not_resource is not None
        self.literal_warning: Notice | None = None
        if resources is None:  # a resource policy without Resource covers its own resource
            self.resources = None
            self.variable_resources = ()
            self._texts = None
        else:
            element = table.resource(resources)
            self.resources = element.static
            self.variable_resources = element.templated
            self._texts = element.texts
            if element.literal:
                # `${...}` before the resource segment is not substituted (§7.3, §9): such an entry
                # matches no real ARN, and a request it fails is told so, in these words.
                self.literal_warning = Notice(
                    f"`{element.literal[0]}` in statement `{ref.statement}` of `{ref.policy}` has a policy "
                    "variable outside the resource segment of the ARN, where AWS documents no substitution "
                    f"({see('7.3')}): it was compared as written and matches no resource",
                    "variable-outside-resource-segment")
        principal = statement.principal if statement.principal is not None else statement.not_principal
        self.principals = Principals(principal) if principal is not None else None
        self.not_principal = statement.not_principal is not None
        condition = statement.condition
        self.conditions = compile_condition(tuple(e for e in condition if e.key), table.variables) if condition else ()
        self._condition_tests = tuple(c.test() for c in self.conditions)
        self.no_effect = statement.has_no_effect
        # The statement's results, each made once, when a plan first needs it (see `match`).
        self._matches = None
        # Nothing to test once the caller and action are known.
        self.unconditional = statement.applies_to_every_resource_unconditionally

    @property
    def not_action(self) -> bool:
        """Whether the statement lists `NotAction` (it applies to the actions it does not name)."""
        return self.actions.negated

    @property
    def origin(self) -> Origin | None:
        """Where the statement was read, for locating it: its policy's source and its path there."""
        where = self._policy_origin
        return None if where is None else (where[0], where[1] + ("Statement", self._index))

    def match(self, match_class: MatchClass | None) -> Match:
        """The result this statement gives when it applies with this principal match."""
        matches = self._matches
        if matches is None:
            matches = self._matches = {}
        found = matches.get(match_class)
        if found is None:
            found = matches[match_class] = Match(self.ref, match_class)
        return found

    def principal_match(self, caller: Caller, federated_from: str | None, has_boundary: bool) -> MatchClass | None:
        """How `Principal` names the caller, or DIRECT when `NotPrincipal` leaves it in; None
        when the statement does not reach it (§7.4). A function of the caller alone."""
        principals = self.principals
        if principals is None:
            return None
        if self.not_principal:
            # A Deny with NotPrincipal always applies to a principal with a boundary (§5).
            if not (self.deny and has_boundary) and principals.excludes(caller):
                return None
            return MatchClass.DIRECT
        return principals.classify(caller, federated_from)

    def holds(self, context: Context, record: "StatementRecord | None" = None) -> bool:
        """The tests that depend on the request beyond its caller and action: `Resource` or
        `NotResource` against `context.resource`, then `Condition` (§7.1, §7.3, §8).

        With a `record`, what each test found is written into it (explanations, §13); the
        answer is the same.
        """
        if self.resources is not None:
            texts = self._texts
            if texts is not None and record is None:
                resource = context.resource
                hit = resource in texts[0] or resource.startswith(texts[1])
            else:
                hit = self._resource_hit(context, record)
            if not hit and self.literal_warning:
                context.warn(self.literal_warning)
            if hit == self.not_resource:
                return False
        if record is None:
            for test in self._condition_tests:
                if not test(context):
                    return False
            return True
        for condition in self.conditions:
            holds = condition.holds(context)
            record.conditions.append((condition, holds))
            if not holds:
                return False  # AND: the first false condition decides
        return True

    def _resource_hit(self, context: Context, record: "StatementRecord | None") -> bool:
        """Whether a `Resource`/`NotResource` entry names the resource (§7.3); an entry with
        variables is resolved first, and one that cannot be matches nothing (§9). A record
        is told which entry matched, the entries as resolved and those left unresolved."""
        resource, segments = context.resource, context.resource_segments
        for pattern in self.resources or ():
            if pattern.matches(resource, segments):
                if record is not None:
                    record.resource_hit = (pattern.pattern, pattern.pattern)
                return True
        for template in self.variable_resources:
            pieces = template.resolve(context.variable)
            if pieces is None:
                if record is not None:
                    record.unresolved.append(template.text)
                continue
            pattern = resource_pattern(tuple(pieces))
            if record is not None:
                record.resolved.append((template.text, pattern.pattern))
            if pattern.matches(resource, segments):
                if record is not None:
                    record.resource_hit = (template.text, pattern.pattern)
                return True
        return False


class StatementRecord:
    """What one statement's tests found for one request, filled in by `holds` when asked."""

    __slots__ = ("resource_hit", "resolved", "unresolved", "conditions")

    def __init__(self) -> None:
        self.resource_hit: tuple[str, str] | None = None  # (as written, as resolved)
        self.resolved: list[tuple[str, str]] = []  # entries with variables, as resolved
        self.unresolved: list[str] = []  # entries whose variables could not be resolved
        self.conditions: list[tuple[CompiledCondition, bool]] = []  # those read, in order


# Each statement that can apply as its `test` (None: it applies) and the result it gives.
Entries = tuple[tuple[Callable[[Context], bool] | None, Match], ...]


class GateEntries(NamedTuple):
    """The statements of one policy set that can apply to one caller and action, split by
    effect, each with its result; `warnings` are what every request of theirs is told. A
    result's `ref` is its statement's own (`CompiledStatement.ref`), which a trace uses to find
    the statement."""

    allows: Entries
    denies: Entries
    warnings: tuple[Notice, ...]


class CompiledPolicy:
    """One policy compiled as one kind under one label: its statements, indexed by action, and
    what every request it takes part in is told of it (`_checks.policy_notices`). A function of
    the policy object, the kind and the label alone, so it is made once and shared (`compiled`).

    Statements are indexed by action when compiled: exact actions in a dict, wildcard patterns
    by their service prefix, and the rest (NotAction, wildcards in the prefix) always looked
    at; each list of positions is in statement order.
    """

    __slots__ = ("statements", "notices", "_exact", "_by_service", "_always")

    def __init__(self, policy: Policy, kind: PolicyKind, label: str):
        self.notices = policy_notices(policy, kind, policy.name or label)
        table = _Table(policy.variables_enabled)
        origin = policy.origin  # where the document was read, for locating its statements
        self.statements = tuple(CompiledStatement(statement, StatementRef(kind, label, statement.label(index),
                                                                          statement.effect), table, origin, index)
                                for index, statement in enumerate(policy.statement))
        exact: dict[str, list[int]] = {}
        by_service: dict[str, list[int]] = {}
        always: list[int] = []
        for index, statement in enumerate(self.statements):
            if statement.no_effect:
                continue  # an empty element: the statement applies to nothing (§12.2)
            if statement.not_action:
                always.append(index)
                continue
            for action in statement.actions.exact:
                exact.setdefault(action, []).append(index)
            for glob in statement.actions.globs:
                service, colon, _ = glob.pattern.partition(":")
                listed = by_service.setdefault(service, []) if colon and "*" not in service and "?" not in service \
                    else always
                if not listed or listed[-1] != index:
                    listed.append(index)
        self._exact = {k: tuple(v) for k, v in exact.items()}
        self._by_service = {k: tuple(v) for k, v in by_service.items()}
        self._always = tuple(always)

    def candidates(self, action: str) -> tuple[CompiledStatement, ...]:
        """The statements whose `Action` or `NotAction` matches `action` (lower-cased), in order.

        The index narrows the search; the statements' own action tests decide.
        """
        exact = self._exact.get(action, ())
        service = self._by_service.get(action.partition(":")[0], ())
        always = self._always
        statements = self.statements
        if not (service or always):
            return tuple(statements[i] for i in exact)
        named = frozenset(exact)
        indices = sorted(named.union(service, always)) if exact or (service and always) else service or always
        return tuple(statements[i] for i in indices if i in named or statements[i].actions.matches(action))


def compiled(policy: Policy, kind: PolicyKind, label: str) -> CompiledPolicy:
    """The policy compiled as `kind` under `label`, made on first use and kept with the policy
    (`Policy.derived`): every authorizer that holds the same policy object shares its compiled
    statements, as every role of an account shares a managed policy attached to them all."""
    memo = policy.derived()
    key = (CompiledPolicy, kind, label)
    found = memo.get(key)
    if found is None:
        found = memo.setdefault(key, CompiledPolicy(policy, kind, label))
    return found  # type: ignore[no-any-return]


class PolicySet:
    """The compiled statements of the policies of one kind (or one SCP/RCP level), each policy
    compiled once (`compiled`). A request only tests the statements its action can reach."""

    __slots__ = ("kind", "policies", "labels", "statements", "notices", "_parts")

    def __init__(self, kind: PolicyKind, policies: Sequence[Policy], labels: Sequence[str]):
        self.kind = kind
        self.policies = tuple(policies)
        self.labels = tuple(labels)
        self._parts = tuple(compiled(policy, kind, label) for policy, label in zip(policies, labels))
        # What every request they take part in is told of these policies (`_checks`).
        self.notices = tuple(notice for part in self._parts for notice in part.notices)
        self.statements = self._parts[0].statements if len(self._parts) == 1 else tuple(
            statement for part in self._parts for statement in part.statements)

    def __bool__(self) -> bool:
        return bool(self.policies)

    def candidates(self, action: str) -> tuple[CompiledStatement, ...]:
        """The statements whose `Action` or `NotAction` matches `action` (lower-cased), in
        policy order then statement order."""
        found: tuple[CompiledStatement, ...] = ()
        for part in self._parts:
            found += part.candidates(action)
        return found

    def entries(self, action: str, caller: Caller, federated_from: str | None, has_boundary: bool) -> GateEntries:
        """What a request of this caller and action (lower-cased) needs to test: the candidates
        whose `Principal`/`NotPrincipal` reaches the caller, with the `Match` each would give."""
        candidates = self.candidates(action)
        if not candidates:
            return UNREACHED
        allows: list[tuple[Callable[[Context], bool] | None, Match]] = []
        denies: list[tuple[Callable[[Context], bool] | None, Match]] = []
        warnings: list[Notice] = []
        key_policy = self.kind is PolicyKind.RESOURCE_POLICY and is_key_policy_action(action)
        for statement in candidates:
            if key_policy and statement.resources is None:
                # A key-policy statement without `Resource` has no effect, Allow or Deny (§2.7).
                warnings.append(Notice(f"statement {statement.ref.statement} of the key policy {statement.ref.policy} "
                                       "has no `Resource`: a KMS key policy statement without `Action` or `Resource` "
                                       "has no effect", "key-policy-statement-without-effect"))
                continue
            match_class = None
            if statement.principals is not None:
                match_class = statement.principal_match(caller, federated_from, has_boundary)
                warning = None if statement.not_principal else statement.principals.path_warning(caller)
                if warning:
                    warnings.append(warning)
                if match_class is None:
                    continue
            # The plan keeps the bound `holds`; the statement does not (no reference cycle).
            test = None if statement.unconditional else statement.holds
            (denies if statement.deny else allows).append((test, statement.match(match_class)))
        return GateEntries(tuple(allows), tuple(denies), tuple(dict.fromkeys(warnings)))


UNREACHED = GateEntries((), (), ())  # a policy set none of whose statements can apply


def holding(entries: Entries, context: Context) -> tuple[Match, ...]:
    """The results of the entries whose statements hold for the request, in policy order."""
    found: tuple[Match, ...] = ()
    for test, match in entries:
        if test is None or test(context):
            found += (match,)
    return found
