"""Condition entries and request contexts by family of operator (the laws of
tests/test_condition_properties.py, IAM-SEMANTICS §8.1, §8.3, §8.5).

Values come from small alphabets and small pools (a few addresses, a few instants written in
several ISO forms and as epoch seconds) so that matches actually happen. `FAMILIES` gives each
family of operators its condition key, its policy values and its context values; `OPERATORS`
each operator its family. `operator_values(operator)` draws the policy values of one operator,
`condition_entries()` one (operator, key, values) entry, possibly qualified (`ForAllValues:`,
`ForAnyValue:`), `IfExists` or `Null`; `condition_block(entries)` makes the Condition of
entries, and `condition_contexts()` a context where each family's key is absent,
single-valued, a list, or an empty list.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

from hypothesis import strategies as st

from .policies import A

__all__ = ["ARN_PATTERN", "ARN_VALUE", "BINARY", "BOOL", "DATE", "FAMILIES", "IP_ADDRESS", "IP_RANGE", "MIXED_CASE",
           "NUMBER", "OPERATORS", "PATTERN", "TEXT", "condition_block", "condition_contexts", "condition_entries",
           "operator_values"]

def _one_or_more(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A policy value: one value, or a list of one to three (§8.1: OR'ed)."""
    return st.one_of(values, st.lists(values, min_size=1, max_size=3))


TEXT = st.text(alphabet="ab", max_size=3)
PATTERN = st.text(alphabet="ab*?", max_size=4)
MIXED_CASE = st.text(alphabet="aAbB", max_size=3)

NUMBER = st.one_of(st.integers(-2, 2), st.integers(-2, 2).map(str),
                   st.integers(-2, 2).map(lambda n: f"{n}.0"), st.sampled_from(["0.5", "-0.5", "1.50"]))


def _date_forms(moment: datetime) -> list[str]:
    """One instant in the forms of §8.4: ISO with Z, with an offset, without seconds, and epoch."""
    forms = [moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
             moment.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat(),
             moment.strftime("%Y-%m-%dT%H:%MZ"),
             str(int(moment.timestamp()))]
    if moment.hour == 0:
        forms.append(moment.strftime("%Y-%m-%d"))
    return forms


_INSTANTS = [datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(hours=h) for h in (0, 1, 2)]
DATE = st.sampled_from([form for moment in _INSTANTS for form in _date_forms(moment)])

IP_ADDRESS = st.one_of(st.integers(0, 7).map(lambda n: f"10.0.0.{n}"),
                       st.integers(0, 3).map(lambda n: f"2001:db8::{n}"))
IP_RANGE = st.one_of(
    st.builds(lambda n, p: f"10.0.0.{n}/{p}", st.integers(0, 7), st.integers(29, 32)),
    st.integers(0, 7).map(lambda n: f"10.0.0.{n}"),
    st.builds(lambda n, p: f"2001:db8::{n}/{p}", st.integers(0, 3), st.integers(126, 128)),
    st.sampled_from(["::/0", "0.0.0.0/0"]),
)

BINARY = st.sampled_from([base64.b64encode(b).decode() for b in (b"a", b"b", b"ab")])
BOOL = st.one_of(st.sampled_from(["true", "false", "True", "FALSE"]), st.booleans())

_ARN_SEGMENT = st.text(alphabet="ab", min_size=0, max_size=2)
_ARN_PATTERN_SEGMENT = st.text(alphabet="ab*?", min_size=0, max_size=3)
ARN_VALUE = st.builds(lambda s, r, a, res: f"arn:aws:{s}:{r}:{a}:{res}",
                      st.sampled_from(["s3", "iam"]), _ARN_SEGMENT, st.sampled_from(["", A]),
                      st.text(alphabet="ab/:", max_size=4))
ARN_PATTERN = st.one_of(
    st.just("*"),
    st.builds(lambda s, r, a, res: f"arn:aws:{s}:{r}:{a}:{res}",
              st.sampled_from(["s3", "iam"]), _ARN_PATTERN_SEGMENT,
              st.sampled_from(["", A, "*"]), st.text(alphabet="ab/:*?", max_size=4)),
)

# family -> (condition key, policy values, context values)
FAMILIES: dict[str, tuple[str, st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    "StringEquals": ("s3:prefix", PATTERN, PATTERN),
    "StringLike": ("s3:prefix", PATTERN, TEXT),
    "StringEqualsIgnoreCase": ("aws:PrincipalTag/team", MIXED_CASE, MIXED_CASE),
    "Numeric": ("s3:max-keys", NUMBER, NUMBER),
    "Date": ("aws:CurrentTime", DATE, DATE),
    "Bool": ("aws:SecureTransport", BOOL, BOOL),
    "Binary": ("example:Blob", BINARY, BINARY),
    "Ip": ("aws:SourceIp", IP_RANGE, IP_ADDRESS),
    "Arn": ("aws:SourceArn", ARN_PATTERN, ARN_VALUE),
}

# operator -> the family pool it draws from
OPERATORS: dict[str, str] = {
    "StringEquals": "StringEquals", "StringNotEquals": "StringEquals",
    "StringEqualsIgnoreCase": "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringLike": "StringLike", "StringNotLike": "StringLike",
    "NumericEquals": "Numeric", "NumericNotEquals": "Numeric", "NumericLessThan": "Numeric",
    "NumericLessThanEquals": "Numeric", "NumericGreaterThan": "Numeric", "NumericGreaterThanEquals": "Numeric",
    "DateEquals": "Date", "DateNotEquals": "Date", "DateLessThan": "Date", "DateLessThanEquals": "Date",
    "DateGreaterThan": "Date", "DateGreaterThanEquals": "Date",
    "Bool": "Bool", "BinaryEquals": "Binary",
    "IpAddress": "Ip", "NotIpAddress": "Ip",
    "ArnEquals": "Arn", "ArnNotEquals": "Arn", "ArnLike": "Arn", "ArnNotLike": "Arn",
}


# Strategies are built once (cached factories, module-level values), not on every draw:
# hypothesis spends more time checking a freshly built strategy than drawing from it.
@cache
def operator_values(operator: str) -> st.SearchStrategy[Any]:
    """The policy values of `operator`: one, or a list of one to three (§8.1: OR'ed)."""
    _, values, _ = FAMILIES[OPERATORS[operator]]
    if OPERATORS[operator] == "Bool":
        # One JSON type per key (§12.1): booleans and strings do not mix in one list.
        return st.one_of(st.booleans(), _one_or_more(st.sampled_from(["true", "false", "True"])))
    if OPERATORS[operator] == "Numeric":
        return st.one_of(_one_or_more(st.integers(-2, 2)),
                         _one_or_more(st.one_of(st.integers(-2, 2).map(str), st.sampled_from(["0.5", "1.50"]))))
    return _one_or_more(values)



_ALL_OPERATORS = st.sampled_from(sorted(OPERATORS))
_FAMILY_NAMES = st.sampled_from(sorted(FAMILIES))
_NULL_VALUES = st.sampled_from(["true", "false"])
_QUALIFIERS = st.sampled_from(["", "", "ForAllValues:", "ForAnyValue:"])
_SUFFIXES = st.sampled_from(["", "", "IfExists"])
_SHAPES = st.sampled_from(["absent", "single", "list", "empty"])
_CONTEXT_LISTS = {family: st.lists(values, min_size=1, max_size=3) for family, (_, _, values) in FAMILIES.items()}


@st.composite
def _entry(draw: st.DrawFn) -> tuple[str, str, Any]:
    """One operator-key pair with its values, possibly qualified, negated or IfExists."""
    if draw(st.integers(0, 9)) == 0:
        family = draw(_FAMILY_NAMES)
        return "Null", FAMILIES[family][0], draw(_NULL_VALUES)
    base = draw(_ALL_OPERATORS)
    qualifier = draw(_QUALIFIERS)
    suffix = draw(_SUFFIXES)
    key = FAMILIES[OPERATORS[base]][0]
    return f"{qualifier}{base}{suffix}", key, draw(operator_values(base))


@st.composite
def _context(draw: st.DrawFn) -> dict[str, Any]:
    """A context where each family's key is absent, single-valued, a list, or an empty list."""
    context: dict[str, Any] = {}
    for family in sorted(FAMILIES):
        key, _, values = FAMILIES[family]
        if key in context:
            continue
        shape = draw(_SHAPES)
        if shape == "single":
            context[key] = draw(values)
        elif shape == "list":
            context[key] = draw(_CONTEXT_LISTS[family])
        elif shape == "empty":
            context[key] = []
    return context


def condition_block(entries: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """The Condition element of `entries`."""
    block: dict[str, dict[str, Any]] = {}
    for operator, key, values in entries:
        block.setdefault(operator, {})[key] = values
    return block



def condition_entries() -> st.SearchStrategy[tuple[str, str, Any]]:
    """One operator-key pair with its values, possibly qualified, negated or IfExists."""
    return _entry()


def condition_contexts() -> st.SearchStrategy[dict[str, Any]]:
    """A context where each family's key is absent, single-valued, a list, or an empty list."""
    return _context()
