"""Evaluating `Condition` blocks (IAM-SEMANTICS §8) with policy variables (§9).

Each operator-key pair of a statement is compiled once into a `CompiledCondition`: policy values
are read as their type (numbers, instants, networks, bytes), patterns become globs, and strings
with variables become templates. `holds(context)` then applies the rules of §8.3 (missing keys),
§8.5 (set operators) and §8.1 (values OR'ed, negated operators NOR'ed).
"""

from __future__ import annotations

import operator as op
from typing import Any, Callable

from ..policy._arn import split_arn
from ._context import DERIVABLE, Context
from ._notice import Notice
from ..policy._match import Glob, Pieces, ResourcePattern, glob, resource_pattern
from ..policy._model import ConditionEntry
from ..policy._operators import Comparison, Family, Operator, parse_operator
from ..policy._values import (ValueParseError, as_text, holds_when_absent, null_expects_absent, parse_binary,
                              parse_bool, parse_date, parse_ip_address, parse_ip_network, parse_number,
                              parse_policy_value)
from ..policy._variables import Template, parse_template

__all__ = ["CompiledCondition", "compile_condition"]

_ORDER: dict[Comparison, Callable[[Any, Any], bool]] = {
    Comparison.EQUALS: op.eq,
    Comparison.LESS_THAN: op.lt, Comparison.LESS_THAN_EQUALS: op.le,
    Comparison.GREATER_THAN: op.gt, Comparison.GREATER_THAN_EQUALS: op.ge,
}


class CompiledCondition:
    """One operator-key pair, ready to test against request contexts."""

    __slots__ = ("entry", "operator", "key", "_values", "_templates", "_matcher", "_null", "_derivable",
                 "_absent", "_negated", "_qualifier", "_all_values", "_exact", "_combine")

    def __init__(self, entry: ConditionEntry, variables: bool):
        self.entry = entry
        self.operator: Operator = parse_operator(entry.operator)
        self.key = entry.key.lower()
        self._derivable = self.key in DERIVABLE
        operator = self.operator
        self._negated = operator.negated
        self._qualifier = operator.set_qualifier
        self._all_values = operator.tests_all_values  # a list of values: each must pass (§8.5)
        self._absent = holds_when_absent(operator, entry.values)  # a missing key (§8.3)
        family = self.operator.family
        # `Null` with the key present: whether one of its values asks for the key (§8.4).
        self._null: bool | None = None
        self._templates: tuple[Template, ...] = ()
        if family is Family.NULL:
            self._null = not all(null_expects_absent(v) for v in entry.values)
            return
        texts = [as_text(v) for v in entry.values]
        if family in (Family.STRING, Family.ARN) and variables:
            self._templates = tuple(parse_template(t) for t in texts if "${" in t)
            texts = [t for t in texts if "${" not in t]
        self._values = self._prepare(texts)
        self._combine = self._combiner() if self._templates else None
        self._matcher = self._make_matcher()
        # StringEquals and its negation: a set lookup, the commonest test, done inline by `holds`.
        self._exact = family is Family.STRING and operator.comparison is Comparison.EQUALS

    # ---------------------------------------------------------------------- compile time

    def _prepare(self, texts: list[str]) -> Any:
        """Static policy values in the form the comparison wants."""
        family, comparison = self.operator.family, self.operator.comparison
        if family is Family.STRING:
            if comparison is Comparison.LIKE:
                return tuple(Glob(t) for t in texts)
            if comparison is Comparison.EQUALS_IGNORE_CASE:
                return frozenset(t.casefold() for t in texts)
            return frozenset(texts)
        if family is Family.ARN:
            return tuple(resource_pattern(((t, True),)) for t in texts)
        if family in (Family.BOOL, Family.BINARY):
            return frozenset(parse_policy_value(family, t) for t in texts)
        if family is Family.IP:
            # (version, network, netmask) as integers: an address is in a block when its masked
            # value is the network's.
            return tuple((n.version, int(n.network_address), int(n.netmask))
                         for n in (parse_ip_network(t) for t in texts))
        return tuple(parse_policy_value(family, t) for t in texts)

    def _combiner(self) -> Callable[[Any, list[Pieces]], Any]:
        """How resolved variables join the static policy values, in the form `_prepare` gives."""
        family, comparison = self.operator.family, self.operator.comparison
        if family is Family.ARN:
            return lambda values, resolved: values + tuple(resource_pattern(tuple(p)) for p in resolved)
        if comparison is Comparison.LIKE:
            return lambda values, resolved: values + tuple(glob(tuple(p)) for p in resolved)
        if comparison is Comparison.EQUALS_IGNORE_CASE:
            return lambda values, resolved: values | {"".join(t for t, _ in p).casefold() for p in resolved}
        return lambda values, resolved: values | {"".join(t for t, _ in p) for p in resolved}

    def _resolved(self, context: Context) -> Any:
        """The policy values with variables resolved; an unresolvable one matches nothing (§9)."""
        if not self._templates:
            return self._values
        resolved = []
        for template in self._templates:
            pieces = template.resolve(context.variable)
            if pieces is not None:
                resolved.append(pieces)
        combine = self._combine  # made whenever there are templates
        return combine(self._values, resolved) if combine is not None else self._values

    def _make_matcher(self) -> Callable[[str, Any, Context], bool]:
        """`matcher(value, policy_values, context)`: does one context value match any policy value?"""
        family, comparison = self.operator.family, self.operator.comparison
        if family is Family.STRING:
            if comparison is Comparison.LIKE:
                if not self._templates and all(g.equal is not None or g.startswith is not None for g in self._values):
                    # Literal patterns and `text*` ones (most of them): one set lookup, one startswith.
                    equal = frozenset(g.equal for g in self._values if g.equal is not None)
                    starts = tuple(g.startswith for g in self._values if g.startswith is not None)
                    return lambda v, ps, _: v in equal or v.startswith(starts)
                return lambda v, ps, _: any(g.matches(v) for g in ps)
            if comparison is Comparison.EQUALS_IGNORE_CASE:
                return lambda v, ps, _: v.casefold() in ps
            return lambda v, ps, _: v in ps
        if family is Family.ARN:
            return self._typed(_read_arn, _arn_matches)
        if family is Family.BOOL:
            return self._typed(parse_bool, _among)
        if family is Family.BINARY:
            return self._typed(parse_binary, _among)
        if family is Family.IP:
            return self._typed(parse_ip_address, _in_blocks)
        compare = _ORDER[comparison]

        def ordered(value: Any, policy_values: tuple[Any, ...]) -> bool:
            for policy_value in policy_values:
                if compare(value, policy_value):
                    return True
            return False
        return self._typed(parse_number if family is Family.NUMERIC else parse_date, ordered)

    def _typed(self, reader: Callable[[str], Any], test: Callable[[Any, Any], bool]
               ) -> Callable[[str, Any, Context], bool]:
        """A comparison of typed values; a context value that does not read is false and reported (§8.4)."""

        key, operator = self.entry.key, self.operator.name  # not `self`: no reference cycle

        def unreadable(error: ValueParseError, context: Context) -> bool:
            context.warn(Notice(f"{error}: the context value of `{key}` cannot be compared "
                                f"under `{operator}`, so the comparison is false", "context-value-unreadable"))
            return False

        if reader in (parse_date, parse_ip_address, _read_arn):
            # Dates, addresses and ARNs are read once per request however many conditions
            # compare them.
            def matcher(text: str, policy_values: Any, context: Context) -> bool:
                try:
                    value = context.parsed(text, reader)
                except ValueParseError as exc:
                    return unreadable(exc, context)
                return test(value, policy_values)
        else:
            # The rest is cheaper to read again.
            def matcher(text: str, policy_values: Any, context: Context) -> bool:
                try:
                    value = reader(text)
                except ValueParseError as exc:
                    return unreadable(exc, context)
                return test(value, policy_values)
        return matcher

    def test(self) -> Callable[[Context], bool]:
        """`holds` as a function of the context, for a statement to keep (the condition keeps
        none: no reference cycle). For an operator without set qualifier or variables, a single
        given value is compared in the function itself, anything else (a list, a derived key,
        no key) by `holds`."""
        if self._null is not None or self._templates or self._qualifier is not None:
            return self.holds
        key, values, negated, holds = self.key, self._values, self._negated, self.holds
        exact, matcher = self._exact, self._matcher

        def test(context: Context) -> bool:
            given = context._entries
            if given is None:
                given = context._read_given()
            entry = given.get(key)
            if entry is None or entry.multi:
                return holds(context)
            if exact:
                return (entry.texts[0] in values) != negated
            return matcher(entry.texts[0], values, context) != negated
        return test

    @property
    def has_variables(self) -> bool:
        """Whether policy values with `${...}` are templates here (policy variables enabled, §9)."""
        return bool(self._templates)

    # ------------------------------------------------------------------------ request time

    def policy_values(self, context: Context) -> list[tuple[str, str | None]]:
        """Each policy value as written, with what it stands for in this request: itself, a
        variable's resolution, or None for an unresolvable variable (§9). For explanations."""
        templates = {t.text: t for t in self._templates}
        shown = []
        for value in self.entry.values:
            text = as_text(value)
            template = templates.get(text)
            shown.append((text, template.resolve_text(context.variable) if template else text))
        return shown

    def holds(self, context: Context) -> bool:
        """Whether this operator-key pair is true for the request (§8.1, §8.3, §8.5)."""
        given = context._entries
        if given is None:
            given = context._read_given()
        entry = given.get(self.key)
        if entry is None and self._derivable:
            entry = context.get(self.key)
        if entry is None:
            return self._absent
        if self._null is not None:
            return self._null
        policy_values = self._resolved(context) if self._templates else self._values
        matcher = self._matcher
        negated = self._negated
        # For one value: a positive operator holds when the value matches some policy value, a
        # negated one when it matches none (§8.1).
        values = entry.texts
        qualifier = self._qualifier
        if qualifier is None and not entry.multi:
            if self._exact:
                return (values[0] in policy_values) != negated
            return matcher(values[0], policy_values, context) != negated
        if self._all_values:
            # A list without a qualifier (§8.5, the engine's choice): positive operators act as
            # ForAnyValue, negated ones as ForAllValues.
            for value in values:
                if matcher(value, policy_values, context) == negated:
                    return False
            return True
        for value in values:
            if matcher(value, policy_values, context) != negated:
                return True
        return False


def _among(value: Any, values: frozenset[Any]) -> bool:
    return value in values


def _arn_matches(arn: tuple[str, list[str]], patterns: tuple[ResourcePattern, ...]) -> bool:
    text, segments = arn
    for pattern in patterns:
        if pattern.matches(text, segments):
            return True
    return False


def _in_blocks(address: tuple[int, int], blocks: tuple[tuple[int, int, int], ...]) -> bool:
    """Whether an address (version, value) is in one of the blocks (version, network, netmask)."""
    version, value = address
    for block_version, network, mask in blocks:
        if block_version == version and value & mask == network:
            return True
    return False


def _read_arn(text: str) -> tuple[str, list[str]]:
    segments = split_arn(text)
    if len(segments) != 6 or segments[0] != "arn":
        raise ValueParseError(f"`{text}` is not an ARN")
    return text, segments


def compile_condition(entries: tuple[ConditionEntry, ...], variables: bool) -> tuple[CompiledCondition, ...]:
    return tuple(CompiledCondition(e, variables) for e in entries)
