"""Condition operator names and what they mean (IAM-SEMANTICS §8.4, §8.5).

An operator as written (`ForAnyValue:StringLikeIfExists`) is parsed once into an `Operator`:
its family, its base name, whether it is negated, whether it carries `IfExists`, and its set
qualifier. Names are exact and case-sensitive (§14.11).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Family", "Operator", "OperatorError", "BASE_OPERATORS", "parse_operator"]


class Family(StrEnum):
    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


# base operator -> (family, negated)
BASE_OPERATORS: dict[str, tuple[Family, bool]] = {
    "StringEquals": (Family.STRING, False),
    "StringNotEquals": (Family.STRING, True),
    "StringEqualsIgnoreCase": (Family.STRING, False),
    "StringNotEqualsIgnoreCase": (Family.STRING, True),
    "StringLike": (Family.STRING, False),
    "StringNotLike": (Family.STRING, True),
    "NumericEquals": (Family.NUMERIC, False),
    "NumericNotEquals": (Family.NUMERIC, True),
    "NumericLessThan": (Family.NUMERIC, False),
    "NumericLessThanEquals": (Family.NUMERIC, False),
    "NumericGreaterThan": (Family.NUMERIC, False),
    "NumericGreaterThanEquals": (Family.NUMERIC, False),
    "DateEquals": (Family.DATE, False),
    "DateNotEquals": (Family.DATE, True),
    "DateLessThan": (Family.DATE, False),
    "DateLessThanEquals": (Family.DATE, False),
    "DateGreaterThan": (Family.DATE, False),
    "DateGreaterThanEquals": (Family.DATE, False),
    "Bool": (Family.BOOL, False),
    "BinaryEquals": (Family.BINARY, False),
    "IpAddress": (Family.IP, False),
    "NotIpAddress": (Family.IP, True),
    "ArnEquals": (Family.ARN, False),
    "ArnLike": (Family.ARN, False),
    "ArnNotEquals": (Family.ARN, True),
    "ArnNotLike": (Family.ARN, True),
    "Null": (Family.NULL, False),
}

SET_QUALIFIERS = ("ForAllValues", "ForAnyValue")
IF_EXISTS = "IfExists"


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
    negated: bool
    if_exists: bool
    set_qualifier: str | None

    def __str__(self) -> str:
        return self.name

    @property
    def holds_when_absent(self) -> bool:
        """Whether a comparison holds when the request lacks its key (§8.3): IfExists and
        ForAllValues hold, ForAnyValue does not, and plain operators hold exactly when negated.
        `Null` is the exception: it holds when absent exactly when its value is `true`."""
        return self.if_exists or self.set_qualifier == "ForAllValues" or (
            self.set_qualifier is None and self.negated)


def _all_names() -> list[str]:
    names = []
    for base in BASE_OPERATORS:
        variants = [base] if base == "Null" else [base, base + IF_EXISTS]
        names += variants + [f"{q}:{v}" for q in SET_QUALIFIERS for v in variants]
    return names


def parse_operator(name: str) -> Operator:
    """Parse an operator name as written in a `Condition` block (§8.4, §8.5).

    Raises `OperatorError` for an unknown name and for `NullIfExists` (§12.1).
    """
    qualifier = None
    rest = name
    if ":" in name:
        qualifier, _, rest = name.partition(":")
        if qualifier not in SET_QUALIFIERS:
            close = difflib.get_close_matches(qualifier, SET_QUALIFIERS, n=1)
            raise OperatorError(f"unknown set operator `{qualifier}` in `{name}`",
                                f"did you mean `{close[0]}:{rest}`?" if close else
                                "the set operators are `ForAllValues:` and `ForAnyValue:`")
    base = rest
    if_exists = False
    if rest.endswith(IF_EXISTS) and rest != IF_EXISTS:
        base = rest[: -len(IF_EXISTS)]
        if_exists = True
    if base not in BASE_OPERATORS:
        close = difflib.get_close_matches(name, _all_names(), n=1, cutoff=0.75)
        raise OperatorError(f"unknown condition operator `{name}`",
                            f"did you mean `{close[0]}`?" if close else None)
    family, negated = BASE_OPERATORS[base]
    if family is Family.NULL and if_exists:
        raise OperatorError("`NullIfExists` is not a condition operator: `Null` already tests "
                            "whether the key exists", code="null-if-exists")
    return Operator(name, base, family, negated, if_exists, qualifier)
