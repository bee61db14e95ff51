"""The warnings of validation: checks per element and per statement (IAM-SEMANTICS §12.2, §12.3).

Most need the catalogue (`catalog`): unknown services and actions, patterns that match nothing,
resources and condition keys that do not fit the actions, operators of the wrong type. Others
read the policy alone: sizes over the quota, empty elements, broad grants, and statements that
another makes pointless (`_coverage.py`). A warning never changes how a policy is evaluated.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Iterable, Mapping

from .. import catalog
from ..policy._errors import Location
from ..policy._errors import Path as JsonPath
from ..policy._model import ConditionEntry, Effect, Policy, PolicyKind, Statement
from ..policy._quotas import over_quota
from ..policy._operators import Comparison, Family, Operator, SetQualifier, parse_operator
from ..policy._references import see
from ..policy._source import Source
from ..policy._values import holds_when_absent
from ._coverage import VARIABLE, Scope
from ._policy_types import PolicyType
from ._rules import CODES, Finding

__all__ = ["Checker"]

# Families of condition operators -> the key types (one value's type) they compare (§8.4).
_FAMILY_FITS: Mapping[Family, frozenset[str]] = {
    Family.STRING: frozenset({"String", "ARN"}),
    Family.ARN: frozenset({"ARN", "String"}),  # an ARN held in a String key (a tag, a context)
    Family.NUMERIC: frozenset({"Numeric"}),
    Family.DATE: frozenset({"Date"}),
    Family.BOOL: frozenset({"Bool"}),
    Family.IP: frozenset({"IPAddress"}),
    Family.BINARY: frozenset({"Binary"}),
}
_FAMILY_WORDS: Mapping[Family, str] = {
    Family.STRING: "strings", Family.ARN: "ARNs", Family.NUMERIC: "numbers", Family.DATE: "dates",
    Family.BOOL: "booleans", Family.IP: "IP addresses", Family.BINARY: "binary values",
}
_OPERATOR_FOR_TYPE: Mapping[str, str] = {
    "String": "StringEquals", "ARN": "ArnLike", "Numeric": "NumericEquals", "Date": "DateLessThan",
    "Bool": "Bool", "IPAddress": "IpAddress",
}
# aws:EpochTime is both a Date and a Numeric key (IAM-SEMANTICS §10).
_ALSO_NUMERIC = frozenset({"aws:epochtime"})

_PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def _statement_name(index: int, statement: Statement) -> str:
    return f"`{statement.label(index)}`"


class _Actions:
    """What a statement's `Action` covers, as far as the catalogue can say: `known` is None for
    `NotAction` or `*` (nearly everything); `unknown_services` have an action it lacks."""

    __slots__ = ("known", "unknown_services")

    def __init__(self, known: tuple[catalog.Action, ...] | None, unknown_services: frozenset[str]):
        self.known = known
        self.unknown_services = unknown_services


class Checker:
    """The checks of one document; holds only where the document stands."""

    def __init__(self, policy_type: PolicyType, source: Source | None, base: JsonPath):
        self.policy_type = policy_type
        self.source = source
        self.base = base

    def finding(self, code: str, path: JsonPath, message: str, hint: str | None = None) -> Finding:
        full = self.base + path
        location = (self.source.locate(full) if self.source is not None
                    else Location(None, None, None, full))
        return Finding(code, CODES[code].severity, message, location, hint)

    # -------------------------------------------------------------------------- the policy

    def check(self, policy: Policy, data: Any) -> list[Finding]:
        found: list[Finding] = []
        if policy.version is None:
            found.append(self.finding(
                "missing-version", (), "the policy has no `Version`: policy variables such as "
                "`${aws:username}` are read as literal text",
                "add `\"Version\": \"2012-10-17\"`"))
        if policy.id is not None and self.policy_type.kind.is_iam:
            found.append(self.finding(
                "id-in-identity-policy", ("Id",), "`Id` belongs in resource-based policies: the "
                "policy grammar says it must not appear in an identity policy",
                "remove `Id`, or use `Sid` to name statements"))
        found.extend(self.size(data))
        for index, statement in enumerate(policy.statement):
            found.extend(self.statement(index, statement))
        found.extend(self.overlaps(policy))
        return found

    def size(self, data: Any) -> list[Finding]:
        """The size quota of the policy's type (§12.3), counted as AWS counts it; none for an AWS
        managed policy (§14.20)."""
        limit = self.policy_type.size_limit
        text = (self.source.text.strip() if self.source is not None and not self.base
                and self.source.format in ("json", "jsonl") else None)
        message = over_quota(limit, text, data)
        if limit is None or message is None:
            return []
        return [self.finding("policy-too-large", (), message, limit.hint)]

    # ----------------------------------------------------------------------- one statement

    def statement(self, index: int, statement: Statement) -> list[Finding]:
        at = ("Statement", index)
        found: list[Finding] = []
        missing = statement.without_effect_in_key_policy if self.policy_type.is_key_policy else None
        if missing is not None:
            found.append(self.finding(
                "key-policy-statement-without-effect", at,
                f"the statement has no `{missing}`: KMS accepts it in a key policy, but it has no effect, "
                "Allow or Deny", 'add `"Resource": "*"`: in a key policy it means this key' if missing == "Resource"
                else "add `Action` with the KMS actions the statement is for"))
        found.extend(self.empty_elements(at, statement))
        for element, entries in (("Action", statement.action), ("NotAction", statement.not_action)):
            for j, action in enumerate(entries or ()):
                found.extend(self.action_entry(at + (element, j), action))
        actions = _covered(statement)
        for j, resource in enumerate(statement.resource or ()):
            found.extend(self.resource_entry(at + ("Resource", j), resource, actions))
        for entry in statement.condition or ():
            found.extend(self.condition_entry(at + ("Condition", entry.operator, entry.key), entry, actions))
        if not statement.has_no_effect:  # an empty element: it grants nothing broadly (§12.2)
            found.extend(self.broad(at, statement))
        return found

    def empty_elements(self, at: JsonPath, statement: Statement) -> list[Finding]:
        """Empty lists and objects: AWS accepts them, and they rarely mean what they seem (§12.2)."""
        found = []
        for element, value, effect in (
                ("Action", statement.action, "the statement matches no action"),
                ("NotAction", statement.not_action, "the statement has no effect"),
                ("Resource", statement.resource, "the statement matches no resource"),
                ("NotResource", statement.not_resource, "the statement has no effect"),
                ("Condition", statement.condition, "the statement has no effect")):
            if value == ():
                what = "object" if element == "Condition" else "list"
                found.append(self.finding("empty-element", at + (element,),
                                          f"`{element}` is an empty {what}: {effect}",
                                          f"fill in `{element}`, or remove it"))
        for element, principal in (("Principal", statement.principal), ("NotPrincipal", statement.not_principal)):
            if principal is not None and not principal.wildcard and not any(
                    (principal.aws, principal.service, principal.federated, principal.canonical_user)):
                found.append(self.finding("empty-element", at + (element,), f"`{element}` names nobody",
                                          "the statement matches no caller"))
        for entry in statement.condition or ():
            if not entry.key:  # an operator with no keys (the model's placeholder entry)
                found.append(self.finding("empty-element", at + ("Condition", entry.operator),
                                          f"`{entry.operator}` has no condition keys: the statement has no effect",
                                          f"give `{entry.operator}` a key and its values, or remove it"))
            elif not entry.values:
                found.append(self.finding(
                    "empty-element", at + ("Condition", entry.operator, entry.key),
                    f"`{entry.key}` has an empty list of values under `{entry.operator}`",
                    f"an empty list matches nothing ({see('8.3')}); give at least one value"))
        return found

    def action_entry(self, at: JsonPath, entry: str) -> list[Finding]:
        """Unknown services and actions, and patterns that match nothing (§7.2)."""
        return self.judged(at, catalog.action_judgement(entry))

    def resource_entry(self, at: JsonPath, resource: str, actions: _Actions) -> list[Finding]:
        """A resource ARN that fits no resource type of the statement's actions (§7.3)."""
        if actions.known is None:
            return []
        return self.judged(at, catalog.resource_judgement(resource, actions.known, actions.unknown_services))

    def judged(self, at: JsonPath, judgement: catalog.Judgement | None) -> list[Finding]:
        """The catalogue's judgement of an entry as a finding there."""
        return [] if judgement is None else [self.finding(judgement.code, at, judgement.message, judgement.hint)]

    def condition_entry(self, at: JsonPath, entry: ConditionEntry, actions: _Actions) -> list[Finding]:
        """Unknown keys, keys that fit none of the actions, and operators of the wrong type (§8.4)."""
        operator = parse_operator(entry.operator)
        found = []
        found.extend(self.condition_values(at, entry, operator))
        prefix = entry.key.partition(":")[0].lower()
        key = catalog.condition_key(entry.key)
        if key is None:  # unknown, or a key the catalogue cannot judge (`catalog.key_judgement`)
            if prefix not in actions.unknown_services:
                found.extend(self.judged(at, catalog.key_judgement(entry.key)))
            return found
        judgement = (catalog.key_judgement(entry.key, actions.known)
                     if actions.known is not None and prefix not in actions.unknown_services else None)
        if judgement is not None:
            # The key is never in these requests: absent keys fail positive operators (§8.3).
            outcome = "is always true" if holds_when_absent(operator, entry.values) else "is never true"
            found.append(self.finding(
                "condition-key-not-applicable", at,
                f"`{entry.key}` applies to none of the statement's actions, so the condition {outcome}",
                "see each action's condition keys with `iameval expand ACTION --details`"))
        if operator.family is not Family.NULL:
            fits = _FAMILY_FITS[operator.family]
            if key.value_type not in fits and not (
                    operator.family is Family.NUMERIC and entry.key.lower() in _ALSO_NUMERIC):
                better = _OPERATOR_FOR_TYPE.get(key.value_type)
                found.append(self.finding(
                    "operator-type-mismatch", at,
                    f"`{operator.name}` compares {_FAMILY_WORDS[operator.family]}, but `{entry.key}` "
                    f"is a {key.type} key",
                    f"use a {key.value_type} operator such as `{better}`" if better else None))
            if operator.set_qualifier is SetQualifier.FOR_ALL_VALUES and not key.multivalued:
                found.append(self.finding(
                    "set-operator-on-single-valued-key", at,
                    f"`{entry.key}` is single-valued, and `ForAllValues` is true whenever it is absent",
                    f"use `{operator.variant(unqualified=True)}` without `ForAllValues:`"))
        return found

    def condition_values(self, at: JsonPath, entry: ConditionEntry, operator: Operator) -> list[Finding]:
        """Wildcards that an operator takes literally, and private ranges under `aws:SourceIp`."""
        found = []
        listed = len(entry.values) != 1
        for j, value in enumerate(entry.values):
            where = at + ((j,) if listed else ())
            if (operator.family is Family.STRING and operator.comparison is not Comparison.LIKE
                    and isinstance(value, str) and re.search(r"[*?]", VARIABLE.sub("", value))):
                like = operator.variant(comparison=Comparison.LIKE)
                hint = f"use `{like}` to match a pattern"
                if operator.comparison is Comparison.EQUALS_IGNORE_CASE:
                    # No Like operator ignores case (§8.4): the hint must not hide that.
                    hint += f"; it is case-sensitive, unlike `{operator}`, so write the pattern in each case " \
                            "the values may take"
                found.append(self.finding(
                    "wildcard-without-like", where,
                    f"`{value}` has a wildcard, but `{operator.name}` compares `*` and `?` literally", hint))
            if operator.family is Family.IP and entry.key.lower() == "aws:sourceip":
                network = ipaddress.ip_network(str(value).strip(), strict=False)
                # The versions are compared first: mypy cannot tie the two networks' types together.
                if any(network.version == p.version and network.subnet_of(p)  # type: ignore[arg-type]
                       for p in _PRIVATE_NETWORKS):
                    found.append(self.finding(
                        "private-ip-source", where,
                        f"`{value}` is a private range: `aws:SourceIp` holds public addresses, and is "
                        f"absent for calls through a VPC endpoint ({see('10')})",
                        "use `aws:VpcSourceIp` with `aws:SourceVpc` for private addresses"))
        return found

    def broad(self, at: JsonPath, statement: Statement) -> list[Finding]:
        """Allow statements that grant far more than they seem to (§6.2, §7.1)."""
        found: list[Finding] = []
        if statement.effect is not Effect.ALLOW:
            return found
        if statement.not_action is not None and statement.resource is not None and "*" in statement.resource:
            found.append(self.finding(
                "broad-not-action", at + ("NotAction",),
                "`Allow` with `NotAction` on `Resource: \"*\"` grants every action not listed, "
                "including those of new services",
                "list the actions to allow in `Action` instead"))
        if statement.not_principal is not None:
            found.append(self.finding(
                "allow-with-not-principal", at + ("NotPrincipal",),
                "`NotPrincipal` with `Allow` is not supported: it would grant to everyone not listed",
                "use `Principal` with a condition on `aws:PrincipalArn`"))
        principal = statement.principal
        if (self.policy_type.kind is PolicyKind.RESOURCE_POLICY and principal is not None
                and (principal.wildcard or "*" in principal.aws) and not statement.condition):
            found.append(self.finding(
                "public-principal", at + ("Principal",),
                "`Principal` is everyone, and no condition narrows it: anyone, in any account, "
                "may be allowed" + (" to assume the role" if self.policy_type.is_trust else ""),
                "name the accounts or roles, or add a condition such as `aws:PrincipalOrgID`"))
        return found

    # ----------------------------------------------------------- statements against statements

    def overlaps(self, policy: Policy) -> list[Finding]:
        """Statements that another statement makes pointless: covered by one of the same effect
        (redundant), or an Allow that a Deny always overrides (shadowed, §2.1)."""
        found = []
        statements = policy.statement
        scopes = [Scope(s, policy.variables_enabled) for s in statements]
        candidates = _Candidates(statements)
        for j, narrow in enumerate(scopes):
            for i in candidates.wide(j):
                wide = scopes[i]
                # A statement without effect (§12.2) covers nothing, and is reported on its own.
                if i == j or statements[i].has_no_effect or not wide.covers(narrow):
                    continue
                if wide.effect == narrow.effect:
                    if i > j and narrow.covers(wide):
                        continue  # two equal statements: the later one is the redundant one
                    verb = "allows" if wide.effect is Effect.ALLOW else "denies"
                    found.append(self.finding(
                        "redundant-statement", ("Statement", j),
                        f"statement {_statement_name(j, statements[j])} is redundant: statement "
                        f"{_statement_name(i, statements[i])} already {verb} everything it {verb}",
                        "remove it, or narrow the other statement"))
                    break
                if wide.effect is Effect.DENY:
                    found.append(self.finding(
                        "shadowed-statement", ("Statement", j),
                        f"statement {_statement_name(j, statements[j])} never allows anything: "
                        f"statement {_statement_name(i, statements[i])} denies everything it allows",
                        f"an explicit deny always wins ({see('2.1')})"))
                    break
        return found


def _service(entry: str) -> str | None:
    """The service of an `Action` entry (lower-cased), or None when a wildcard or a missing
    colon leaves it open."""
    head, colon, _ = entry.lower().partition(":")
    return head if colon and "*" not in head and "?" not in head else None


def _head(resource: str) -> str:
    """The literal text a `Resource` entry starts with, before any `*`, `?` or `${`."""
    cut = len(resource)
    for mark in "*?$":
        at = resource.find(mark)
        if 0 <= at < cut:
            cut = at
    return resource[:cut]


class _Candidates:
    """The statements that may cover a statement, found without comparing every pair (issue 14).

    Only a pre-filter: each candidate is still judged by `Scope.covers`, and a statement left
    out is one that `Scope.covers` would refuse, or one (an Allow against a Deny) that
    `overlaps` passes over. What it relies on, as `_coverage.py` judges: an `Action` entry whose
    service has no wildcard covers only entries of that service; a `Resource` entry covers only
    entries that start with its literal head; a statement with `NotResource` or no `Resource`
    covers none with `Resource`; statements without `Action` compare their equal `NotAction`.
    """

    __slots__ = ("statements", "services", "heads", "any_service", "by_service", "by_head", "head_sizes")

    def __init__(self, statements: tuple[Statement, ...] | list[Statement]):
        self.statements = statements
        # Per statement its services; None when one entry may be of any service.
        self.services: list[frozenset[str] | None] = []
        self.any_service: list[int] = []
        self.by_service: dict[str, list[int]] = {}
        self.by_head: dict[str, list[int]] = {}
        self.heads: list[frozenset[str]] = []
        for i, statement in enumerate(statements):
            named = {_service(a) for a in statement.action or ()}
            services = None if None in named else frozenset(s for s in named if s is not None)
            self.services.append(services)
            if statement.action is not None:
                if services is None:
                    self.any_service.append(i)
                else:
                    for service in services:
                        self.by_service.setdefault(service, []).append(i)
            heads = frozenset(_head(r) for r in statement.resource or ())
            self.heads.append(heads)
            for head in heads:
                self.by_head.setdefault(head, []).append(i)
        self.head_sizes = sorted({len(h) for h in self.by_head})

    def _by_actions(self, j: int) -> list[list[int]] | None:
        """The lists of statements whose `Action` may cover statement `j`'s; None when any may."""
        narrow = self.statements[j]
        if narrow.action is None or narrow.not_action is not None:
            return None
        services = self.services[j]
        if services is None:
            return [self.any_service]
        lists = [self.by_service.get(s, []) for s in services]
        if not lists:
            return None  # an empty `Action`: `Scope.covers` refuses it
        return [self.any_service, min(lists, key=len)]

    def _by_resources(self, j: int) -> list[list[int]] | None:
        """The lists of statements whose `Resource` may cover statement `j`'s; None when any may."""
        narrow = self.statements[j]
        resources = narrow.resource
        if not resources or narrow.not_resource is not None:
            return None
        first = resources[0]
        found: list[list[int]] = []
        for size in self.head_sizes:
            if size > len(first):
                break
            found.append(self.by_head.get(first[:size], []))
        return found

    def _may_cover(self, i: int, j: int) -> bool:
        """Whether statement `i` passes both pre-filters for `j` (and the effects' test)."""
        wide, narrow = self.statements[i], self.statements[j]
        if narrow.effect is Effect.DENY and wide.effect is not Effect.DENY:
            return False  # an Allow over a Deny is neither redundant nor shadowing
        if wide.action is None or narrow.action is None:
            return (wide.not_action is not None and narrow.not_action is not None
                    and set(wide.not_action) == set(narrow.not_action))
        wide_services, narrow_services = self.services[i], self.services[j]
        if wide_services is not None and (narrow_services is None or not narrow_services <= wide_services):
            return False
        if narrow.resource:
            first = narrow.resource[0]
            return wide.resource is not None and any(first.startswith(head) for head in self.heads[i])
        return True

    def wide(self, j: int) -> list[int]:
        """In order, the statements that may cover statement `j`: of the smaller pre-filter's
        statements, those `_may_cover` keeps, which tests both (so that a policy of a few
        services, whose every service names a large share of the statements, is not compared
        pair by pair)."""
        pools = [lists for lists in (self._by_actions(j), self._by_resources(j)) if lists is not None]
        pool: Iterable[int] = range(len(self.statements))
        if pools:
            pool = sorted(set().union(*min(pools, key=lambda lists: sum(map(len, lists)))))
        return [i for i in pool if self._may_cover(i, j)]


def _covered(statement: Statement) -> _Actions:
    """The known actions a statement's `Action` covers; None for `NotAction` or `*`."""
    if statement.action is None or "*" in statement.action:
        return _Actions(None, frozenset())
    known: dict[str, catalog.Action] = {}
    unknown: set[str] = set()
    for entry in statement.action:
        prefix = entry.partition(":")[0].lower()
        matched = catalog.expand(entry)
        if "*" not in prefix and "?" not in prefix and (
                not catalog.knows_service(prefix) or ("*" not in entry and "?" not in entry and not matched)):
            unknown.add(prefix)
        for action in matched:
            known[str(action).lower()] = action
    return _Actions(tuple(known.values()), frozenset(unknown))
