"""Laws of condition operators that hold for any values (IAM-SEMANTICS §8.1, §8.3, §8.5).

Values come from the small pools of `iameval.testing.strategies.conditions`, so that matches
actually happen and both sides of each law are exercised. Every example is a one-statement
identity policy and one request.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import given, strategies as st

import iameval
from helpers import ALICE, scaled
from iameval.testing.strategies.conditions import (FAMILIES, OPERATORS, condition_block, condition_contexts,
                                                   condition_entries, operator_values)

OBJECT = "arn:aws:s3:::example-bucket/key"


def _allowed(condition: dict, context: dict, deny_condition: dict | None = None) -> bool:
    statements: list[dict[str, Any]] = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]
    if condition:  # no conditions: no Condition element (an empty one leaves the statement without effect, §12.2)
        statements[0]["Condition"] = condition
    if deny_condition is not None:
        statements.append({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
                           "Condition": deny_condition})
    policy = iameval.load_policy({"Version": "2012-10-17", "Statement": statements}, "identity")
    result = iameval.Authorizer(identity=[policy]).authorize(
        {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT, "context": context})
    return result.allowed


# ------------------------------------------------------------- negated = not positive (§8.1)

@pytest.mark.parametrize("positive, negated", [
    ("StringEquals", "StringNotEquals"),
    ("StringLike", "StringNotLike"),
    ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
    ("NumericEquals", "NumericNotEquals"),
    ("DateEquals", "DateNotEquals"),
    ("IpAddress", "NotIpAddress"),
    ("ArnLike", "ArnNotLike"),
    ("ArnEquals", "ArnNotEquals"),
])
@given(data=st.data())
def test_negated_operator_is_the_complement_on_a_present_single_value(positive, negated, data):
    key, _, context_values = FAMILIES[OPERATORS[positive]]
    values = data.draw(operator_values(positive), label="policy values")
    value = data.draw(context_values, label="context value")
    context = {key: value}
    assert _allowed({positive: {key: values}}, context) != _allowed({negated: {key: values}}, context)


# -------------------------------------------------------- XIfExists = X on a present key (§8.3)

_IF_EXISTS_OPERATORS = sorted(OPERATORS) + ["ForAnyValue:StringLike", "ForAllValues:StringNotEquals",
                                            "ForAllValues:NumericLessThan", "ForAnyValue:NotIpAddress"]


def _base(operator: str) -> str:
    return operator.split(":")[-1]


@cache
def _single_or_list(family: str) -> st.SearchStrategy:
    _, _, context_values = FAMILIES[family]
    return st.one_of(context_values, st.lists(context_values, min_size=1, max_size=3))


@pytest.mark.parametrize("operator", _IF_EXISTS_OPERATORS)
@scaled(0.4)
@given(data=st.data())
def test_if_exists_equals_the_operator_when_the_key_is_present(operator, data):
    key, _, context_values = FAMILIES[OPERATORS[_base(operator)]]
    values = data.draw(operator_values(_base(operator)), label="policy values")
    value = data.draw(_single_or_list(OPERATORS[_base(operator)]), label="context value")
    context = {key: value}
    assert _allowed({operator: {key: values}}, context) == _allowed({operator + "IfExists": {key: values}}, context)


# ----------------------------------------------------- ForAllValues on an empty list (§8.5)

_IF_EXISTS = st.sampled_from(["", "IfExists"])


@pytest.mark.parametrize("operator", sorted(OPERATORS))
@scaled(0.25)
@given(data=st.data())
def test_for_all_values_holds_on_an_empty_list(operator, data):
    key, _, _ = FAMILIES[OPERATORS[operator]]
    values = data.draw(operator_values(operator), label="policy values")
    if_exists = data.draw(_IF_EXISTS, label="IfExists")
    assert _allowed({f"ForAllValues:{operator}{if_exists}": {key: values}}, {key: []})


# ------------------------------------------ adding a condition never allows more (§8.1, §7.1)


@scaled(4)
@given(base=st.lists(condition_entries(), max_size=2), extra=condition_entries(), context=condition_contexts(),
       deny=st.one_of(st.none(), condition_entries()))
def test_adding_a_condition_to_an_allow_never_allows_more(base, extra, context, deny):
    pairs = {(operator, key.lower()) for operator, key, _ in base}
    if len(pairs) < len(base) or (extra[0], extra[1].lower()) in pairs:
        return  # the same operator-key pair twice would merge values, not add a condition
    deny_condition = condition_block([deny]) if deny is not None else None
    if _allowed(condition_block(base + [extra]), context, deny_condition):
        assert _allowed(condition_block(base), context, deny_condition)
