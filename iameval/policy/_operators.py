"""Condition operator names and what they mean (IAM-SEMANTICS §8.4, §8.5).

An operator as written (`ForAnyValue:StringLikeIfExists`) is parsed once into an `Operator`:
its family, its base name, the comparison it makes, whether it is negated, whether it carries
`IfExists`, and its set qualifier. Names are exact and case-sensitive (§14.11). Everything the
engine and validate need to know of an operator is read from these fields, never from its name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["BASE_OPERATORS", "Comparison", "Family", "Operator", "OperatorError", "SetQualifier", "parse_operator"]


class Family(StrEnum):
    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


class Comparison(StrEnum):
    """What an operator compares a context value with its policy values by (§8.4)."""

    EQUALS = "equals"
    EQUALS_IGNORE_CASE = "equals, ignoring case"
    LIKE = "like"  # `*` and `?` as wildcards; Arn operators match segment by segment
    LESS_THAN = "less than"
    LESS_THAN_EQUALS = "less than or equal"
    GREATER_THAN = "greater than"
    GREATER_THAN_EQUALS = "greater than or equal"
    IN_NETWORK = "in network"
    IS_NULL = "is absent"


class SetQualifier(StrEnum):
    """How a multi-valued key's values combine (§8.5)."""

    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


_C = Comparison
# base operator -> (family, comparison, negated)
BASE_OPERATORS: dict[str, tuple[Family, Comparison, bool]] = {
    "StringEquals": (Family.STRING, _C.EQUALS, False),
    "StringNotEquals": (Family.STRING, _C.EQUALS, True),
    "StringEqualsIgnoreCase": (Family.STRING, _C.EQUALS_IGNORE_CASE, False),
    "StringNotEqualsIgnoreCase": (Family.STRING, _C.EQUALS_IGNORE_CASE, True),
    "StringLike": (Family.STRING, _C.LIKE, False),
    "StringNotLike": (Family.STRING, _C.LIKE, True),
    "NumericEquals": (Family.NUMERIC, _C.EQUALS, False),
    "NumericNotEquals": (Family.NUMERIC, _C.EQUALS, True),
    "NumericLessThan": (Family.NUMERIC, _C.LESS_THAN, False),
    "NumericLessThanEquals": (Family.NUMERIC, _C.LESS_THAN_EQUALS, False),
    "NumericGreaterThan": (Family.NUMERIC, _C.GREATER_THAN, False),
    "NumericGreaterThanEquals": (Family.NUMERIC, _C.GREATER_THAN_EQUALS, False),
    "DateEquals": (Family.DATE, _C.EQUALS, False),
    "DateNotEquals": (Family.DATE, _C.EQUALS, True),
    "DateLessThan": (Family.DATE, _C.LESS_THAN, False),
    "DateLessThanEquals": (Family.DATE, _C.LESS_THAN_EQUALS, False),
    "DateGreaterThan": (Family.DATE, _C.GREATER_THAN, False),
    "DateGreaterThanEquals": (Family.DATE, _C.GREATER_THAN_EQUALS, False),
    "Bool": (Family.BOOL, _C.EQUALS, False),
    "BinaryEquals": (Family.BINARY, _C.EQUALS, False),
    "IpAddress": (Family.IP, _C.IN_NETWORK, False),
    "NotIpAddress": (Family.IP, _C.IN_NETWORK, True),
    # ArnEquals and ArnLike behave alike: both match ARN patterns segment by segment (§8.4).
    "ArnEquals": (Family.ARN, _C.LIKE, False),
    "ArnLike": (Family.ARN, _C.LIKE, False),
    "ArnNotEquals": (Family.ARN, _C.LIKE, True),
    "ArnNotLike": (Family.ARN, _C.LIKE, True),
    "Null": (Family.NULL, _C.IS_NULL, False),
}

SET_QUALIFIERS = tuple(q.value for q in SetQualifier)
IF_EXISTS = "IfExists"

# (family, comparison, negated) -> the base operator AWS writes for them; of ArnEquals and ArnLike,
# which behave alike, the later (ArnLike) names the pair.
_BASE_NAMES = {fields: base for base, fields in BASE_OPERATORS.items()}


def _name(base: str, if_exists: bool, set_qualifier: SetQualifier | None) -> str:
    """An operator's name from its parts: `ForAnyValue:` + `StringLike` + `IfExists`."""
    return (f"{set_qualifier.value}:" if set_qualifier else "") + base + (IF_EXISTS if if_exists else "")


class OperatorError(ValueError):
    """An operator name AWS does not know, with a suggestion where one is close, and its
    problem code (`unknown-operator`, or `null-if-exists`)."""

    def __init__(self, message: str, hint: str | None = None, code: str = "unknown-operator"):
        super().__init__(message)
        self.hint = hint
        self.code = code


@dataclass(frozen=True, slots=True)
class Operator:
    """A parsed condition operator, e.g. `ForAnyValue:StringLikeIfExists`."""

    name: str
    base: str
    family: Family
    comparison: Comparison
    negated: bool
    if_exists: bool
    set_qualifier: SetQualifier | None

    def __str__(self) -> str:
        return self.name

    def variant(self, *, comparison: Comparison | None = None, unqualified: bool = False) -> "Operator":
        """This operator with another comparison of its family, or without its set qualifier,
        all else kept (negation, `IfExists`): for hints such as "use `StringNotLike`", built
        from the fields, never from pieces of the name. Raises `KeyError` when the family
        has no such comparison (there is no `NumericLike`)."""
        comparison = self.comparison if comparison is None else comparison
        base = self.base if comparison is self.comparison else _BASE_NAMES[(self.family, comparison, self.negated)]
        qualifier = None if unqualified else self.set_qualifier
        return Operator(_name(base, self.if_exists, qualifier), base, self.family, comparison, self.negated,
                        self.if_exists, qualifier)

    @property
    def tests_all_values(self) -> bool:
        """Whether a list of request values must each pass (§8.5): ForAllValues, and a negated
        operator without a qualifier; a positive one without a qualifier passes on any value,
        as ForAnyValue (the engine's choice for a multi-valued key without a qualifier)."""
        return self.set_qualifier is SetQualifier.FOR_ALL_VALUES or (self.set_qualifier is None and self.negated)

    @property
    def holds_when_absent(self) -> bool:
        """Whether a comparison holds when the request lacks its key (§8.3): IfExists and
        ForAllValues hold, ForAnyValue does not, and plain operators hold exactly when negated.
        `Null` is the exception, decided by its values: see `_values.holds_when_absent`."""
        return self.if_exists or self.tests_all_values


def _all_names() -> list[str]:
    names = []
    for base in BASE_OPERATORS:
        if_exists = (False,) if base == "Null" else (False, True)
        names += [_name(base, e, q) for q in (None, *SetQualifier) for e in if_exists]
    return names


def parse_operator(name: str) -> Operator:
    """Parse an operator name as written in a `Condition` block (§8.4, §8.5).

    Raises `OperatorError` for an unknown name and for `NullIfExists` (§12.1).
    """
    qualifier = None
    rest = name
    if ":" in name:
        written, _, rest = name.partition(":")
        if written not in SET_QUALIFIERS:
            close = difflib.get_close_matches(written, SET_QUALIFIERS, n=1)
            raise OperatorError(f"unknown set operator `{written}` in `{name}`",
                                f"did you mean `{close[0]}:{rest}`?" if close else
                                "the set operators are `ForAllValues:` and `ForAnyValue:`")
        qualifier = SetQualifier(written)
    base = rest
    if_exists = False
    if rest.endswith(IF_EXISTS) and rest != IF_EXISTS:
        base = rest[: -len(IF_EXISTS)]
        if_exists = True
    if base not in BASE_OPERATORS:
        close = difflib.get_close_matches(name, _all_names(), n=1, cutoff=0.75)
        raise OperatorError(f"unknown condition operator `{name}`",
                            f"did you mean `{close[0]}`?" if close else None)
    family, comparison, negated = BASE_OPERATORS[base]
    if family is Family.NULL and if_exists:
        raise OperatorError("`NullIfExists` is not a condition operator: `Null` already tests "
                            "whether the key exists", code="null-if-exists")
    return Operator(name, base, family, comparison, negated, if_exists, qualifier)
