"""Condition operators, one table per family (IAM-SEMANTICS §8, §14.10).

Each row is a tiny identity policy with one statement whose `Condition` is under test, one
request from an IAM user, and the decision AWS gives. An Allow row's condition is what grants;
a Deny row adds an unconditional Allow first, so the decision says whether the Deny applied.
The last column says whether `Result.warnings` must report a context value that could not be
read as the operator's type (§8.4): such a comparison is false, so a negated operator is true.
"""

from __future__ import annotations

from typing import Any

import pytest

import iameval
from helpers import A, ALICE, OBJECT, evaluation_warnings


ALLOW = "Allow"
DENY = "ImplicitDeny"
EXPLICIT = "ExplicitDeny"


def _authorize(condition: dict, context: dict, effect: str = "Allow") -> iameval.Result:
    statements: list[dict[str, Any]] = [
        {"Effect": effect, "Action": "s3:GetObject", "Resource": "*", "Condition": condition}]
    if effect == "Deny":
        statements.insert(0, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    policy = iameval.load_policy({"Version": "2012-10-17", "Statement": statements}, "identity")
    return iameval.Authorizer(identity=[policy]).authorize(
        {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT, "context": context})


def row(fact: str, condition: dict, context: dict, expected: str, warns: bool = False,
        effect: str = "Allow"):
    return pytest.param(condition, context, expected, warns, effect, id=fact)


def _check(condition: dict, context: dict, expected: str, warns: bool, effect: str) -> None:
    result = _authorize(condition, context, effect)
    assert str(result.decision) == expected
    assert bool(evaluation_warnings(result)) == warns, result.warnings


ROW_ARGS = "condition, context, expected, warns, effect"

# ------------------------------------------------------------------------------ String (§8.4)

P = "s3:prefix"
TEAM = "aws:PrincipalTag/team"

STRING_ROWS = [
    row("StringEquals matches the exact value", {"StringEquals": {P: "home/alice"}}, {P: "home/alice"}, ALLOW),
    row("StringEquals is case-sensitive", {"StringEquals": {P: "home/alice"}}, {P: "Home/Alice"}, DENY),
    row("StringEquals reads * as a literal character", {"StringEquals": {P: "home/*"}}, {P: "home/alice"}, DENY),
    row("StringEquals matches a literal * in the value", {"StringEquals": {P: "home/*"}}, {P: "home/*"}, ALLOW),
    row("StringEquals reads ? as a literal character", {"StringEquals": {P: "a?c"}}, {P: "abc"}, DENY),
    row("StringEquals on an absent key is false", {"StringEquals": {P: "home/alice"}}, {}, DENY),
    row("StringEquals on a multi-valued key is true when any value matches",
        {"StringEquals": {TEAM: "blue"}}, {TEAM: ["red", "blue"]}, ALLOW),
    row("StringEquals on a multi-valued key is false when no value matches",
        {"StringEquals": {TEAM: "blue"}}, {TEAM: ["red", "green"]}, DENY),
    row("StringEquals reads a context number as its text", {"StringEquals": {P: "12345"}}, {P: 12345}, ALLOW),
    row("StringEquals reads a policy number as its text", {"StringEquals": {P: 12345}}, {P: "12345"}, ALLOW),
    row("StringEquals reads a JSON boolean as true or false", {"StringEquals": {P: True}}, {P: "true"}, ALLOW),
    row("StringNotEquals is true for a different value", {"StringNotEquals": {P: "home/alice"}}, {P: "home/bob"}, ALLOW),
    row("StringNotEquals is false for the same value", {"StringNotEquals": {P: "home/alice"}}, {P: "home/alice"}, DENY),
    row("StringNotEquals on an absent key is true", {"StringNotEquals": {P: "home/alice"}}, {}, ALLOW),
    row("StringNotEquals on a multi-valued key is false when one value equals",
        {"StringNotEquals": {TEAM: "blue"}}, {TEAM: ["red", "blue"]}, DENY),
    row("StringNotEquals on a multi-valued key is true when no value equals",
        {"StringNotEquals": {TEAM: "blue"}}, {TEAM: ["red", "green"]}, ALLOW),
    row("StringEqualsIgnoreCase ignores case", {"StringEqualsIgnoreCase": {TEAM: "Blue"}}, {TEAM: "bLUE"}, ALLOW),
    row("StringEqualsIgnoreCase still needs the same letters", {"StringEqualsIgnoreCase": {TEAM: "Blue"}}, {TEAM: "blues"}, DENY),
    row("StringEqualsIgnoreCase on an absent key is false", {"StringEqualsIgnoreCase": {TEAM: "Blue"}}, {}, DENY),
    row("StringEqualsIgnoreCase reads * as a literal character", {"StringEqualsIgnoreCase": {TEAM: "B*"}}, {TEAM: "blue"}, DENY),
    row("StringNotEqualsIgnoreCase is false for a value differing only in case",
        {"StringNotEqualsIgnoreCase": {TEAM: "Blue"}}, {TEAM: "BLUE"}, DENY),
    row("StringNotEqualsIgnoreCase is true for a different value",
        {"StringNotEqualsIgnoreCase": {TEAM: "Blue"}}, {TEAM: "red"}, ALLOW),
    row("StringNotEqualsIgnoreCase on an absent key is true", {"StringNotEqualsIgnoreCase": {TEAM: "Blue"}}, {}, ALLOW),
    row("StringLike * matches any run of characters", {"StringLike": {P: "home/*"}}, {P: "home/alice/x.txt"}, ALLOW),
    row("StringLike * matches an empty run", {"StringLike": {P: "home/*"}}, {P: "home/"}, ALLOW),
    row("StringLike * crosses slashes and colons", {"StringLike": {P: "a*z"}}, {P: "a/b:c/z"}, ALLOW),
    row("StringLike ? matches exactly one character", {"StringLike": {P: "a?c"}}, {P: "abc"}, ALLOW),
    row("StringLike ? does not match zero characters", {"StringLike": {P: "a?c"}}, {P: "ac"}, DENY),
    row("StringLike ? does not match two characters", {"StringLike": {P: "a?c"}}, {P: "abbc"}, DENY),
    row("StringLike is case-sensitive", {"StringLike": {P: "Home/*"}}, {P: "home/alice"}, DENY),
    row("StringLike must match the whole value", {"StringLike": {P: "home"}}, {P: "home/alice"}, DENY),
    row("StringLike on an absent key is false", {"StringLike": {P: "*"}}, {}, DENY),
    row("StringLike on a multi-valued key is true when any value matches",
        {"StringLike": {TEAM: "bl*"}}, {TEAM: ["red", "blue"]}, ALLOW),
    row("StringNotLike is false for a matching value", {"StringNotLike": {P: "home/*"}}, {P: "home/alice"}, DENY),
    row("StringNotLike is true for a value that does not match", {"StringNotLike": {P: "home/*"}}, {P: "work/alice"}, ALLOW),
    row("StringNotLike on an absent key is true", {"StringNotLike": {P: "*"}}, {}, ALLOW),
    row("StringNotLike on a multi-valued key is false when one value matches",
        {"StringNotLike": {TEAM: "bl*"}}, {TEAM: ["red", "blue"]}, DENY),
    row("StringEqualsIfExists on an absent key is true", {"StringEqualsIfExists": {P: "home/alice"}}, {}, ALLOW),
    row("StringEqualsIfExists on a present key is StringEquals (match)",
        {"StringEqualsIfExists": {P: "home/alice"}}, {P: "home/alice"}, ALLOW),
    row("StringEqualsIfExists on a present key is StringEquals (no match)",
        {"StringEqualsIfExists": {P: "home/alice"}}, {P: "home/bob"}, DENY),
    row("StringNotEqualsIfExists on an absent key is true", {"StringNotEqualsIfExists": {P: "home/alice"}}, {}, ALLOW),
    row("StringNotEqualsIfExists on a present equal key is false",
        {"StringNotEqualsIfExists": {P: "home/alice"}}, {P: "home/alice"}, DENY),
    row("StringLikeIfExists on a present key is StringLike", {"StringLikeIfExists": {P: "home/*"}}, {P: "work/x"}, DENY),
    row("StringEqualsIgnoreCaseIfExists on an absent key is true",
        {"StringEqualsIgnoreCaseIfExists": {TEAM: "Blue"}}, {}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, STRING_ROWS)
def test_string_operators(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ----------------------------------------------------------------------------- Numeric (§8.4)

N = "s3:max-keys"

NUMERIC_ROWS = [
    row("NumericEquals compares numbers, not text", {"NumericEquals": {N: 10}}, {N: "10.0"}, ALLOW),
    row("NumericEquals accepts a quoted policy number", {"NumericEquals": {N: "10"}}, {N: 10}, ALLOW),
    row("NumericEquals is false for another number", {"NumericEquals": {N: 10}}, {N: "11"}, DENY),
    row("NumericEquals reads decimals exactly", {"NumericEquals": {N: "0.3"}}, {N: "0.30"}, ALLOW),
    row("NumericEquals tells close decimals apart", {"NumericEquals": {N: "0.3"}}, {N: "0.30000000000000001"}, DENY),
    row("NumericEquals on an absent key is false", {"NumericEquals": {N: 10}}, {}, DENY),
    row("NumericEquals is false for a value that is not a number", {"NumericEquals": {N: 10}}, {N: "abc"}, DENY, True),
    row("NumericEquals is false for a context boolean", {"NumericEquals": {N: 1}}, {N: True}, DENY, True),
    row("NumericNotEquals is true for another number", {"NumericNotEquals": {N: 10}}, {N: 11}, ALLOW),
    row("NumericNotEquals is false for the same number", {"NumericNotEquals": {N: 10}}, {N: "10"}, DENY),
    row("NumericNotEquals on an absent key is true", {"NumericNotEquals": {N: 10}}, {}, ALLOW),
    row("NumericNotEquals is true for a value that is not a number",
        {"NumericNotEquals": {N: 10}}, {N: "abc"}, ALLOW, True),
    row("NumericNotEquals on a multi-valued key is false when one value equals",
        {"NumericNotEquals": {N: 10}}, {N: [5, 10]}, DENY),
    row("NumericNotEquals on a multi-valued key is true when no value equals",
        {"NumericNotEquals": {N: 10}}, {N: [5, 20]}, ALLOW),
    row("NumericLessThan is true below the bound", {"NumericLessThan": {N: 10}}, {N: 9}, ALLOW),
    row("NumericLessThan is false at the bound", {"NumericLessThan": {N: 10}}, {N: 10}, DENY),
    row("NumericLessThan orders negative numbers", {"NumericLessThan": {N: 0}}, {N: "-1"}, ALLOW),
    row("NumericLessThan orders decimals", {"NumericLessThan": {N: "1.5"}}, {N: "1.25"}, ALLOW),
    row("NumericLessThan on an absent key is false", {"NumericLessThan": {N: 10}}, {}, DENY),
    row("NumericLessThan on a multi-valued key is true when any value is below",
        {"NumericLessThan": {N: 10}}, {N: [20, 5]}, ALLOW),
    row("NumericLessThan is false for a value that is not a number",
        {"NumericLessThan": {N: 10}}, {N: "five"}, DENY, True),
    row("NumericLessThanEquals is true at the bound", {"NumericLessThanEquals": {N: 10}}, {N: 10}, ALLOW),
    row("NumericLessThanEquals is false above the bound", {"NumericLessThanEquals": {N: 10}}, {N: 11}, DENY),
    row("NumericGreaterThan is true above the bound", {"NumericGreaterThan": {N: 10}}, {N: 11}, ALLOW),
    row("NumericGreaterThan is false at the bound", {"NumericGreaterThan": {N: 10}}, {N: 10}, DENY),
    row("NumericGreaterThanEquals is true at the bound", {"NumericGreaterThanEquals": {N: 10}}, {N: "10"}, ALLOW),
    row("NumericGreaterThanEquals is false below the bound", {"NumericGreaterThanEquals": {N: 10}}, {N: 9}, DENY),
    row("NumericLessThanIfExists on an absent key is true", {"NumericLessThanIfExists": {N: 10}}, {}, ALLOW),
    row("NumericLessThanIfExists on a present key is NumericLessThan (true)",
        {"NumericLessThanIfExists": {N: 10}}, {N: 5}, ALLOW),
    row("NumericLessThanIfExists on a present key is NumericLessThan (false)",
        {"NumericLessThanIfExists": {N: 10}}, {N: 20}, DENY),
    row("NumericLessThanIfExists does not rescue an unreadable present value",
        {"NumericLessThanIfExists": {N: 10}}, {N: "abc"}, DENY, True),
    row("NumericNotEqualsIfExists on an absent key is true", {"NumericNotEqualsIfExists": {N: 10}}, {}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, NUMERIC_ROWS)
def test_numeric_operators(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# -------------------------------------------------------------------------------- Date (§8.4)

T = "aws:CurrentTime"
NEW_YEAR = "2024-01-01T00:00:00Z"  # epoch 1704067200

DATE_ROWS = [
    row("DateEquals matches the same instant", {"DateEquals": {T: NEW_YEAR}}, {T: NEW_YEAR}, ALLOW),
    row("DateEquals reads a date-only value as midnight UTC", {"DateEquals": {T: "2024-01-01"}}, {T: NEW_YEAR}, ALLOW),
    row("DateEquals reads a date-only value as midnight, not noon",
        {"DateEquals": {T: "2024-01-01"}}, {T: "2024-01-01T12:00:00Z"}, DENY),
    row("DateEquals reads a year as its first instant", {"DateEquals": {T: "2024"}}, {T: NEW_YEAR}, ALLOW),
    row("DateEquals reads a year-month as its first instant",
        {"DateEquals": {T: "2024-03"}}, {T: "2024-03-01T00:00:00Z"}, ALLOW),
    row("DateEquals accepts hours and minutes without seconds",
        {"DateEquals": {T: "2024-01-01T12:30Z"}}, {T: "2024-01-01T12:30:00Z"}, ALLOW),
    row("DateEquals keeps fractions of a second",
        {"DateEquals": {T: "2024-01-01T12:00:00.5Z"}}, {T: "2024-01-01T12:00:00Z"}, DENY),
    row("DateEquals compares instants across time zones (east)",
        {"DateEquals": {T: "2024-01-01T05:30:00+05:30"}}, {T: NEW_YEAR}, ALLOW),
    row("DateEquals compares instants across time zones (west)",
        {"DateEquals": {T: NEW_YEAR}}, {T: "2023-12-31T19:00:00-05:00"}, ALLOW),
    row("DateEquals reads a policy number as epoch seconds", {"DateEquals": {T: 1704067200}}, {T: NEW_YEAR}, ALLOW),
    row("DateEquals reads context epoch seconds", {"DateEquals": {T: NEW_YEAR}}, {T: "1704067200"}, ALLOW),
    row("DateEquals is false for another instant", {"DateEquals": {T: NEW_YEAR}}, {T: "2024-01-01T00:00:01Z"}, DENY),
    row("DateEquals on an absent key is false", {"DateEquals": {T: NEW_YEAR}}, {}, DENY),
    row("DateEquals is false for a value that is not a date", {"DateEquals": {T: NEW_YEAR}}, {T: "yesterday"}, DENY, True),
    row("DateNotEquals is true for another instant", {"DateNotEquals": {T: NEW_YEAR}}, {T: "2024-06-01"}, ALLOW),
    row("DateNotEquals is false for the same instant written differently",
        {"DateNotEquals": {T: NEW_YEAR}}, {T: "1704067200"}, DENY),
    row("DateNotEquals on an absent key is true", {"DateNotEquals": {T: NEW_YEAR}}, {}, ALLOW),
    row("DateNotEquals is true for a value that is not a date",
        {"DateNotEquals": {T: NEW_YEAR}}, {T: "yesterday"}, ALLOW, True),
    row("DateLessThan is true before the bound", {"DateLessThan": {T: NEW_YEAR}}, {T: "2023-12-31T23:59:59Z"}, ALLOW),
    row("DateLessThan is false at the bound", {"DateLessThan": {T: NEW_YEAR}}, {T: NEW_YEAR}, DENY),
    row("DateLessThan compares across time zones",
        {"DateLessThan": {T: NEW_YEAR}}, {T: "2024-01-01T00:30:00+01:00"}, ALLOW),
    row("DateLessThan on an absent key is false", {"DateLessThan": {T: NEW_YEAR}}, {}, DENY),
    row("DateLessThan on a multi-valued key is true when any value is before",
        {"DateLessThan": {T: NEW_YEAR}}, {T: ["2025-01-01T00:00:00Z", "2023-01-01T00:00:00Z"]}, ALLOW),
    row("DateLessThan is false for a value that is not a date",
        {"DateLessThan": {T: NEW_YEAR}}, {T: "2024-13-45"}, DENY, True),
    row("DateLessThanEquals is true at the bound", {"DateLessThanEquals": {T: NEW_YEAR}}, {T: NEW_YEAR}, ALLOW),
    row("DateGreaterThan is true after the bound", {"DateGreaterThan": {T: NEW_YEAR}}, {T: "2024-01-01T00:00:00.5Z"}, ALLOW),
    row("DateGreaterThan is false at the bound", {"DateGreaterThan": {T: NEW_YEAR}}, {T: "2024-01-01"}, DENY),
    row("DateGreaterThanEquals is true at the bound", {"DateGreaterThanEquals": {T: "2024"}}, {T: NEW_YEAR}, ALLOW),
    row("DateGreaterThanEquals is false before the bound",
        {"DateGreaterThanEquals": {T: NEW_YEAR}}, {T: "1704067199"}, DENY),
    row("DateLessThanIfExists on an absent key is true", {"DateLessThanIfExists": {T: NEW_YEAR}}, {}, ALLOW),
    row("DateLessThanIfExists on a present key is DateLessThan",
        {"DateLessThanIfExists": {T: NEW_YEAR}}, {T: "2025-01-01"}, DENY),
]


@pytest.mark.parametrize(ROW_ARGS, DATE_ROWS)
def test_date_operators(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# -------------------------------------------------------------------------------- Bool (§8.4)

TLS = "aws:SecureTransport"
MFA = "aws:MultiFactorAuthPresent"

BOOL_ROWS = [
    row("Bool true matches a context true", {"Bool": {TLS: "true"}}, {TLS: "true"}, ALLOW),
    row("Bool true does not match a context false", {"Bool": {TLS: "true"}}, {TLS: "false"}, DENY),
    row("Bool false matches a context false", {"Bool": {TLS: "false"}}, {TLS: "false"}, ALLOW),
    row("Bool accepts a JSON true in the policy", {"Bool": {TLS: True}}, {TLS: "true"}, ALLOW),
    row("Bool accepts a JSON true in the context", {"Bool": {TLS: "true"}}, {TLS: True}, ALLOW),
    row("Bool accepts a JSON false in the context", {"Bool": {TLS: False}}, {TLS: False}, ALLOW),
    row("Bool compares after lower-casing both sides", {"Bool": {TLS: "True"}}, {TLS: "TRUE"}, ALLOW),
    row("Bool true on an absent key is false", {"Bool": {TLS: "true"}}, {}, DENY),
    row("Bool false on an absent key is false", {"Bool": {MFA: "false"}}, {}, DENY),
    row("Bool on a multi-valued key is true when any value matches", {"Bool": {TLS: "true"}}, {TLS: ["false", "true"]}, ALLOW),
    row("Bool is false for a context value that is not a boolean", {"Bool": {TLS: "true"}}, {TLS: "yes"}, DENY, True),
    row("Bool does not read 1 as true", {"Bool": {TLS: "true"}}, {TLS: 1}, DENY, True),
    row("BoolIfExists on an absent key is true", {"BoolIfExists": {MFA: "true"}}, {}, ALLOW),
    row("BoolIfExists on a present key is Bool", {"BoolIfExists": {MFA: "true"}}, {MFA: "false"}, DENY),
]


@pytest.mark.parametrize(ROW_ARGS, BOOL_ROWS)
def test_bool_operator(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ------------------------------------------------------------------------------ Binary (§8.4)

B = "example:Blob"

BINARY_ROWS = [
    row("BinaryEquals matches the same base64 value", {"BinaryEquals": {B: "QUJD"}}, {B: "QUJD"}, ALLOW),
    row("BinaryEquals is false for other bytes", {"BinaryEquals": {B: "QUJD"}}, {B: "QUJE"}, DENY),
    row("BinaryEquals compares decoded bytes, not base64 text", {"BinaryEquals": {B: "QUI="}}, {B: "QUJ="}, ALLOW),
    row("BinaryEquals on an absent key is false", {"BinaryEquals": {B: "QUJD"}}, {}, DENY),
    row("BinaryEquals on a multi-valued key is true when any value matches",
        {"BinaryEquals": {B: "QUJD"}}, {B: ["QUJE", "QUJD"]}, ALLOW),
    row("BinaryEquals is false for a context value that is not base64",
        {"BinaryEquals": {B: "QUJD"}}, {B: "###"}, DENY, True),
    row("BinaryEqualsIfExists on an absent key is true", {"BinaryEqualsIfExists": {B: "QUJD"}}, {}, ALLOW),
    row("BinaryEqualsIfExists on a present key is BinaryEquals", {"BinaryEqualsIfExists": {B: "QUJD"}}, {B: "QUJE"}, DENY),
]


@pytest.mark.parametrize(ROW_ARGS, BINARY_ROWS)
def test_binary_operator(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ---------------------------------------------------------------------------------- IP (§8.4)

IP = "aws:SourceIp"

IP_ROWS = [
    row("IpAddress matches an address inside an IPv4 CIDR", {"IpAddress": {IP: "203.0.113.0/24"}}, {IP: "203.0.113.7"}, ALLOW),
    row("IpAddress is false outside the IPv4 CIDR", {"IpAddress": {IP: "203.0.113.0/24"}}, {IP: "198.51.100.7"}, DENY),
    row("IpAddress reads a bare IPv4 address as /32 (same)", {"IpAddress": {IP: "203.0.113.7"}}, {IP: "203.0.113.7"}, ALLOW),
    row("IpAddress reads a bare IPv4 address as /32 (neighbour)", {"IpAddress": {IP: "203.0.113.7"}}, {IP: "203.0.113.8"}, DENY),
    row("IpAddress matches an address inside an IPv6 CIDR", {"IpAddress": {IP: "2001:db8::/32"}}, {IP: "2001:db8:1::5"}, ALLOW),
    row("IpAddress is false outside the IPv6 CIDR", {"IpAddress": {IP: "2001:db8::/32"}}, {IP: "2001:db9::1"}, DENY),
    row("IpAddress reads a bare IPv6 address as /128 (same)", {"IpAddress": {IP: "2001:db8::1"}}, {IP: "2001:db8::1"}, ALLOW),
    row("IpAddress reads a bare IPv6 address as /128 (neighbour)", {"IpAddress": {IP: "2001:db8::1"}}, {IP: "2001:db8::2"}, DENY),
    row("IpAddress compares IPv6 addresses, not their spelling",
        {"IpAddress": {IP: "2001:db8::1"}}, {IP: "2001:0db8:0000:0000:0000:0000:0000:0001"}, ALLOW),
    row("IpAddress never puts an IPv4 address in ::/0", {"IpAddress": {IP: "::/0"}}, {IP: "203.0.113.7"}, DENY),
    row("IpAddress never puts an IPv4 address in the IPv4-mapped IPv6 range",
        {"IpAddress": {IP: "::ffff:0:0/96"}}, {IP: "203.0.113.7"}, DENY),
    row("IpAddress never puts an IPv6 address in an IPv4 range",
        {"IpAddress": {IP: "203.0.113.0/24"}}, {IP: "::ffff:203.0.113.7"}, DENY),
    row("IpAddress with several ranges matches any of them",
        {"IpAddress": {IP: ["10.0.0.0/8", "203.0.113.0/24"]}}, {IP: "203.0.113.7"}, ALLOW),
    row("IpAddress on an absent key is false", {"IpAddress": {IP: "0.0.0.0/0"}}, {}, DENY),
    row("IpAddress on a multi-valued key is true when any value is inside",
        {"IpAddress": {IP: "10.0.0.0/8"}}, {IP: ["198.51.100.1", "10.1.2.3"]}, ALLOW),
    row("IpAddress is false for a context value that is not an address",
        {"IpAddress": {IP: "0.0.0.0/0"}}, {IP: "not-an-ip"}, DENY, True),
    row("IpAddress is false for an out-of-range octet", {"IpAddress": {IP: "0.0.0.0/0"}}, {IP: "203.0.113.300"}, DENY, True),
    row("NotIpAddress is true outside the range", {"NotIpAddress": {IP: "203.0.113.0/24"}}, {IP: "198.51.100.7"}, ALLOW),
    row("NotIpAddress is false inside the range", {"NotIpAddress": {IP: "203.0.113.0/24"}}, {IP: "203.0.113.7"}, DENY),
    row("NotIpAddress is true for an IPv4 address and ::/0", {"NotIpAddress": {IP: "::/0"}}, {IP: "203.0.113.7"}, ALLOW),
    row("NotIpAddress on an absent key is true", {"NotIpAddress": {IP: "203.0.113.0/24"}}, {}, ALLOW),
    row("NotIpAddress on a multi-valued key is false when one value is inside",
        {"NotIpAddress": {IP: "10.0.0.0/8"}}, {IP: ["198.51.100.1", "10.1.2.3"]}, DENY),
    row("NotIpAddress is true for a context value that is not an address",
        {"NotIpAddress": {IP: "203.0.113.0/24"}}, {IP: "not-an-ip"}, ALLOW, True),
    row("IpAddressIfExists on an absent key is true", {"IpAddressIfExists": {IP: "203.0.113.0/24"}}, {}, ALLOW),
    row("IpAddressIfExists on a present key is IpAddress",
        {"IpAddressIfExists": {IP: "203.0.113.0/24"}}, {IP: "198.51.100.7"}, DENY),
    row("NotIpAddressIfExists on an absent key is true", {"NotIpAddressIfExists": {IP: "203.0.113.0/24"}}, {}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, IP_ROWS)
def test_ip_operators(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# --------------------------------------------------------------------------------- ARN (§8.4)

SRC = "aws:SourceArn"
ROLE = f"arn:aws:iam::{A}:role/Admin"
# AWS's own example of StringLike and ArnLike parting ways (§8.4).
DIVERGENT_PATTERN = "arn:aws:someservice:*:111122223333:finance/*"
DIVERGENT_ARN = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"

ARN_ROWS = [
    row("ArnEquals matches the same ARN", {"ArnEquals": {SRC: ROLE}}, {SRC: ROLE}, ALLOW),
    row("ArnEquals is case-sensitive", {"ArnEquals": {SRC: ROLE}}, {SRC: ROLE.lower()}, DENY),
    row("ArnEquals honours wildcards like ArnLike", {"ArnEquals": {SRC: "arn:aws:iam::*:role/Ad*"}}, {SRC: ROLE}, ALLOW),
    row("ArnLike matches * in the account segment", {"ArnLike": {SRC: "arn:aws:iam::*:role/Admin"}}, {SRC: ROLE}, ALLOW),
    row("ArnLike matches ? as one character", {"ArnLike": {SRC: "arn:aws:iam::*:role/Admi?"}}, {SRC: ROLE}, ALLOW),
    row("ArnLike * in the resource segment crosses slashes and colons",
        {"ArnLike": {SRC: "arn:aws:logs:us-east-1:111122223333:log-group:*"}},
        {SRC: "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:a/b"}, ALLOW),
    row("ArnLike * stays inside the region segment",
        {"ArnLike": {SRC: "arn:aws:sqs:us-*:111122223333:queue"}},
        {SRC: "arn:aws:sqs:us-east-1:444455556666:111122223333:queue"}, DENY),
    row("StringLike * runs across the segments that ArnLike keeps apart",
        {"StringLike": {SRC: "arn:aws:sqs:us-*:111122223333:queue"}},
        {SRC: "arn:aws:sqs:us-east-1:444455556666:111122223333:queue"}, ALLOW),
    row("ArnLike does not match AWS's divergence example", {"ArnLike": {SRC: DIVERGENT_PATTERN}}, {SRC: DIVERGENT_ARN}, DENY),
    row("StringLike matches AWS's divergence example", {"StringLike": {SRC: DIVERGENT_PATTERN}}, {SRC: DIVERGENT_ARN}, ALLOW),
    row("ArnNotLike is true for AWS's divergence example", {"ArnNotLike": {SRC: DIVERGENT_PATTERN}}, {SRC: DIVERGENT_ARN}, ALLOW),
    row("ArnLike is case-sensitive", {"ArnLike": {SRC: "arn:aws:iam::*:role/admin"}}, {SRC: ROLE}, DENY),
    row("ArnLike alone * matches any ARN", {"ArnLike": {SRC: "*"}}, {SRC: ROLE}, ALLOW),
    row("ArnLike on an absent key is false", {"ArnLike": {SRC: "*"}}, {}, DENY),
    row("ArnLike on a multi-valued key is true when any value matches",
        {"ArnLike": {SRC: "arn:aws:iam::*:role/*"}}, {SRC: [f"arn:aws:iam::{A}:user/bob", ROLE]}, ALLOW),
    row("ArnLike is false for a context value that is not an ARN",
        {"ArnLike": {SRC: "arn:aws:iam::*:role/*"}}, {SRC: "not-an-arn"}, DENY, True),
    row("ArnNotEquals is false for the same ARN", {"ArnNotEquals": {SRC: ROLE}}, {SRC: ROLE}, DENY),
    row("ArnNotEquals is true for another ARN", {"ArnNotEquals": {SRC: ROLE}}, {SRC: f"arn:aws:iam::{A}:role/Dev"}, ALLOW),
    row("ArnNotEquals honours wildcards", {"ArnNotEquals": {SRC: "arn:aws:iam::*:role/*"}}, {SRC: ROLE}, DENY),
    row("ArnNotEquals on an absent key is true", {"ArnNotEquals": {SRC: ROLE}}, {}, ALLOW),
    row("ArnNotLike is false for a matching ARN", {"ArnNotLike": {SRC: "arn:aws:iam::*:role/*"}}, {SRC: ROLE}, DENY),
    row("ArnNotLike on an absent key is true", {"ArnNotLike": {SRC: "arn:aws:iam::*:role/*"}}, {}, ALLOW),
    row("ArnNotLike on a multi-valued key is false when one value matches",
        {"ArnNotLike": {SRC: "arn:aws:iam::*:role/*"}}, {SRC: [f"arn:aws:iam::{A}:user/bob", ROLE]}, DENY),
    row("ArnNotLike is true for a context value that is not an ARN",
        {"ArnNotLike": {SRC: "arn:aws:iam::*:role/*"}}, {SRC: "not-an-arn"}, ALLOW, True),
    row("ArnLikeIfExists on an absent key is true", {"ArnLikeIfExists": {SRC: "arn:aws:iam::*:role/*"}}, {}, ALLOW),
    row("ArnLikeIfExists on a present key is ArnLike",
        {"ArnLikeIfExists": {SRC: "arn:aws:iam::*:role/*"}}, {SRC: f"arn:aws:iam::{A}:user/bob"}, DENY),
    row("ArnNotEqualsIfExists on an absent key is true", {"ArnNotEqualsIfExists": {SRC: ROLE}}, {}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, ARN_ROWS)
def test_arn_operators(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ------------------------------------------------------------------------- Null (§8.3, §8.4)

K = "aws:TokenIssueTime"

NULL_ROWS = [
    row("Null true is satisfied by an absent key", {"Null": {K: "true"}}, {}, ALLOW),
    row("Null true is not satisfied by a present key", {"Null": {K: "true"}}, {K: "2024-01-01T00:00:00Z"}, DENY),
    row("Null false is satisfied by a present key", {"Null": {K: "false"}}, {K: "2024-01-01T00:00:00Z"}, ALLOW),
    row("Null false is not satisfied by an absent key", {"Null": {K: "false"}}, {}, DENY),
    row("Null accepts a JSON true", {"Null": {K: True}}, {}, ALLOW),
    row("Null accepts a JSON false", {"Null": {K: False}}, {K: "x"}, ALLOW),
    row("Null false is satisfied by a multi-valued key", {"Null": {"aws:TagKeys": "false"}}, {"aws:TagKeys": ["a", "b"]}, ALLOW),
    row("Null true is not satisfied by an empty list: the key is present",
        {"Null": {"aws:TagKeys": "true"}}, {"aws:TagKeys": []}, DENY),
    row("Null does not read the value: any text is present", {"Null": {K: "false"}}, {K: "not-a-date"}, ALLOW),
    row("Null looks keys up without regard to case", {"Null": {"AWS:TOKENISSUETIME": "false"}}, {K: "x"}, ALLOW),
    row("8.3-14.4 Null TRUE is satisfied by an absent key: the value is read without regard to case",
        {"Null": {K: "TRUE"}}, {}, ALLOW),
    row("8.3 Null with one value asking for absence is satisfied by an absent key",
        {"Null": {K: ["false", "true"]}}, {}, ALLOW),
    row("8.3 Null with one value asking for presence is satisfied by a present key",
        {"Null": {K: ["true", "false"]}}, {K: "x"}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, NULL_ROWS)
def test_null_operator(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ------------------------------------------------------------------- Set operators (§8.5, §8.3)

TAGS = "aws:TagKeys"

SET_ROWS = [
    row("ForAllValues on an absent key is true", {"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {}, ALLOW),
    row("ForAllValues on an empty list is true", {"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: []}, ALLOW),
    row("ForAllValues is true when the single value is allowed",
        {"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: ["a"]}, ALLOW),
    row("ForAllValues is true when every value is allowed",
        {"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: ["b", "a"]}, ALLOW),
    row("ForAllValues is false when one value is not allowed",
        {"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: ["a", "c"]}, DENY),
    row("ForAllValues reads a scalar context value as one value",
        {"ForAllValues:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: "c"}, DENY),
    row("ForAllValues:StringLike needs every value to match some pattern",
        {"ForAllValues:StringLike": {TAGS: ["env*", "team*"]}}, {TAGS: ["env", "team-x"]}, ALLOW),
    row("ForAnyValue on an absent key is false", {"ForAnyValue:StringEquals": {TAGS: ["a", "b"]}}, {}, DENY),
    row("ForAnyValue on an empty list is false", {"ForAnyValue:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: []}, DENY),
    row("ForAnyValue is true when the single value matches", {"ForAnyValue:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: ["b"]}, ALLOW),
    row("ForAnyValue is true when one of several values matches",
        {"ForAnyValue:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: ["c", "a"]}, ALLOW),
    row("ForAnyValue is false when no value matches", {"ForAnyValue:StringEquals": {TAGS: ["a", "b"]}}, {TAGS: ["c", "d"]}, DENY),
    row("ForAllValues:StringNotLike is true on an absent key", {"ForAllValues:StringNotLike": {TAGS: "key1*"}}, {}, ALLOW),
    row("ForAllValues:StringNotLike is true when no value matches",
        {"ForAllValues:StringNotLike": {TAGS: "key1*"}}, {TAGS: ["key2", "other"]}, ALLOW),
    row("ForAllValues:StringNotLike is false when one value matches",
        {"ForAllValues:StringNotLike": {TAGS: "key1*"}}, {TAGS: ["key2", "key1x"]}, DENY),
    row("ForAllValues:StringNotEquals is false when one value equals a policy value",
        {"ForAllValues:StringNotEquals": {TAGS: ["a", "b"]}}, {TAGS: ["c", "b"]}, DENY),
    row("ForAnyValue:StringNotEquals is true when some value equals no policy value",
        {"ForAnyValue:StringNotEquals": {TAGS: "a"}}, {TAGS: ["a", "b"]}, ALLOW),
    row("ForAnyValue:StringNotEquals is false when every value equals a policy value",
        {"ForAnyValue:StringNotEquals": {TAGS: ["a", "b"]}}, {TAGS: ["a", "b"]}, DENY),
    row("ForAnyValue:StringNotEquals on an absent key is false", {"ForAnyValue:StringNotEquals": {TAGS: "a"}}, {}, DENY),
    row("ForAnyValue:StringNotEquals on an empty list is false", {"ForAnyValue:StringNotEquals": {TAGS: "a"}}, {TAGS: []}, DENY),
    row("ForAllValues:StringNotEquals on an empty list is true", {"ForAllValues:StringNotEquals": {TAGS: "a"}}, {TAGS: []}, ALLOW),
    row("ForAnyValue:StringEqualsIfExists on an absent key is true",
        {"ForAnyValue:StringEqualsIfExists": {TAGS: "a"}}, {}, ALLOW),
    row("ForAnyValue:StringEqualsIfExists on a present key is ForAnyValue",
        {"ForAnyValue:StringEqualsIfExists": {TAGS: "a"}}, {TAGS: ["b"]}, DENY),
    row("ForAnyValue:StringEqualsIfExists on an empty list is false: the key is present",
        {"ForAnyValue:StringEqualsIfExists": {TAGS: "a"}}, {TAGS: []}, DENY),
    row("ForAllValues:StringEqualsIfExists on a present key is ForAllValues",
        {"ForAllValues:StringEqualsIfExists": {TAGS: "a"}}, {TAGS: ["a", "b"]}, DENY),
    row("a positive operator without qualifier on an empty list is false (acts as ForAnyValue)",
        {"StringEquals": {TAGS: "a"}}, {TAGS: []}, DENY),
    row("a negated operator without qualifier on an empty list is true (acts as ForAllValues)",
        {"StringNotEquals": {TAGS: "a"}}, {TAGS: []}, ALLOW),
    row("IfExists without qualifier on an empty list is false: the key is present",
        {"StringEqualsIfExists": {TAGS: "a"}}, {TAGS: []}, DENY),
    row("ForAnyValue:NumericLessThan skips an unreadable value and matches another",
        {"ForAnyValue:NumericLessThan": {N: 10}}, {N: ["abc", 5]}, ALLOW, True),
    row("ForAllValues:NumericLessThan is false when one value is unreadable",
        {"ForAllValues:NumericLessThan": {N: 10}}, {N: [5, "abc"]}, DENY, True),
    row("ForAllValues:NumericNotEquals counts an unreadable value as not equal",
        {"ForAllValues:NumericNotEquals": {N: 10}}, {N: ["abc"]}, ALLOW, True),
    row("ForAnyValue:IpAddress is true when one address is inside",
        {"ForAnyValue:IpAddress": {IP: "10.0.0.0/8"}}, {IP: ["198.51.100.1", "10.0.0.1"]}, ALLOW),
    row("ForAllValues:IpAddress is false when one address is outside",
        {"ForAllValues:IpAddress": {IP: "10.0.0.0/8"}}, {IP: ["198.51.100.1", "10.0.0.1"]}, DENY),
    row("ForAllValues with Null false demands at least one value (absent)",
        {"ForAllValues:StringEquals": {TAGS: ["a"]}, "Null": {TAGS: "false"}}, {}, DENY),
    row("ForAllValues with Null false demands at least one value (present)",
        {"ForAllValues:StringEquals": {TAGS: ["a"]}, "Null": {TAGS: "false"}}, {TAGS: ["a"]}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, SET_ROWS)
def test_set_operators(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ------------------------------------------------------------------- Boolean structure (§8.1)

STRUCTURE_ROWS = [
    row("values for one key are OR'ed", {"StringEquals": {TEAM: ["red", "blue"]}}, {TEAM: "blue"}, ALLOW),
    row("values for one key are OR'ed (none matches)", {"StringEquals": {TEAM: ["red", "blue"]}}, {TEAM: "green"}, DENY),
    row("a negated operator with several values means equal to none of them",
        {"StringNotEquals": {TEAM: ["red", "blue"]}}, {TEAM: "blue"}, DENY),
    row("a negated operator with several values is true when no value equals",
        {"StringNotEquals": {TEAM: ["red", "blue"]}}, {TEAM: "green"}, ALLOW),
    row("StringNotLike with several patterns means matching none of them",
        {"StringNotLike": {P: ["a*", "b*"]}}, {P: "bx"}, DENY),
    row("NotIpAddress with several ranges means outside all of them",
        {"NotIpAddress": {IP: ["10.0.0.0/8", "203.0.113.0/24"]}}, {IP: "203.0.113.7"}, DENY),
    row("several keys under one operator are AND'ed (both true)",
        {"StringEquals": {TEAM: "blue", P: "home/"}}, {TEAM: "blue", P: "home/"}, ALLOW),
    row("several keys under one operator are AND'ed (one false)",
        {"StringEquals": {TEAM: "blue", P: "home/"}}, {TEAM: "blue", P: "work/"}, DENY),
    row("several keys under one operator are AND'ed (one absent)",
        {"StringEquals": {TEAM: "blue", P: "home/"}}, {TEAM: "blue"}, DENY),
    row("several operators are AND'ed (both true)",
        {"StringEquals": {TEAM: "blue"}, "NumericLessThan": {N: 10}}, {TEAM: "blue", N: 5}, ALLOW),
    row("several operators are AND'ed (one false)",
        {"StringEquals": {TEAM: "blue"}, "NumericLessThan": {N: 10}}, {TEAM: "blue", N: 50}, DENY),
    row("several operators in a Deny must all hold for it to apply",
        {"StringEquals": {TEAM: "blue"}, "Bool": {TLS: "false"}}, {TEAM: "blue", TLS: "true"}, ALLOW, effect="Deny"),
    row("a Deny whose operators all hold denies",
        {"StringEquals": {TEAM: "blue"}, "Bool": {TLS: "false"}}, {TEAM: "blue", TLS: "false"}, EXPLICIT, effect="Deny"),
]


@pytest.mark.parametrize(ROW_ARGS, STRUCTURE_ROWS)
def test_boolean_structure(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ------------------------------------------------------------------------- Key lookup (§8.2)

KEY_CASE_ROWS = [
    row("condition key names ignore case", {"StringEquals": {"AWS:PRINCIPALTAG/team": "blue"}}, {TEAM: "blue"}, ALLOW),
    row("context key names ignore case", {"StringEquals": {TEAM: "blue"}}, {"Aws:Principaltag/team": "blue"}, ALLOW),
    row("the tag-key part of a key name ignores case",
        {"StringEquals": {"aws:RequestTag/CostCenter": "42"}}, {"aws:RequestTag/costcenter": "42"}, ALLOW),
    row("a derived key is found under any case", {"StringEquals": {"AWS:UserName": "alice"}}, {}, ALLOW),
    row("key names ignore case but values do not", {"StringEquals": {"AWS:PRINCIPALTAG/TEAM": "blue"}}, {TEAM: "Blue"}, DENY),
    row("of two context tags differing in case, the first counts (first is blue)",
        {"StringEquals": {TEAM: "blue"}}, {"aws:PrincipalTag/team": "blue", "aws:PrincipalTag/Team": "red"}, ALLOW),
    row("of two context tags differing in case, the first counts (second is red)",
        {"StringEquals": {TEAM: "red"}}, {"aws:PrincipalTag/team": "blue", "aws:PrincipalTag/Team": "red"}, DENY),
    row("a Deny finds its key under any case",
        {"StringEquals": {"aws:requesttag/ENV": "prod"}}, {"aws:RequestTag/env": "prod"}, EXPLICIT, effect="Deny"),
]


@pytest.mark.parametrize(ROW_ARGS, KEY_CASE_ROWS)
def test_key_lookup_ignores_case(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ------------------------------------------------------------ Missing keys, consequences (§8.3)

CONSEQUENCE_ROWS = [
    row("Deny with StringNotEqualsIfExists still denies when the key is missing",
        {"StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}, {}, EXPLICIT, effect="Deny"),
    row("Deny with StringNotEqualsIfExists does not deny the listed value",
        {"StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}, {"aws:RequestedRegion": "eu-west-1"},
        ALLOW, effect="Deny"),
    row("Deny with Bool MultiFactorAuthPresent false does not deny long-term keys (key absent)",
        {"Bool": {MFA: "false"}}, {}, ALLOW, effect="Deny"),
    row("Deny with Bool MultiFactorAuthPresent false denies a session without MFA",
        {"Bool": {MFA: "false"}}, {MFA: "false"}, EXPLICIT, effect="Deny"),
    row("Deny with BoolIfExists MultiFactorAuthPresent false denies long-term keys too",
        {"BoolIfExists": {MFA: "false"}}, {}, EXPLICIT, effect="Deny"),
    row("Deny with NotIpAddress applies to VPC-endpoint traffic without aws:SourceIp",
        {"NotIpAddress": {IP: "203.0.113.0/24"}}, {"aws:SourceVpce": "vpce-1a2b3c4d"}, EXPLICIT, effect="Deny"),
    row("Deny with NotIpAddress spares an address inside the range",
        {"NotIpAddress": {IP: "203.0.113.0/24"}}, {IP: "203.0.113.7"}, ALLOW, effect="Deny"),
    row("Deny with a positive operator on an absent key does not apply",
        {"StringEquals": {TEAM: "blue"}}, {}, ALLOW, effect="Deny"),
    row("Deny with a NumericNotEquals on an unreadable value applies",
        {"NumericNotEquals": {N: 10}}, {N: "ten"}, EXPLICIT, True, effect="Deny"),
    row("Deny with ForAllValues on an absent key applies",
        {"ForAllValues:StringNotEquals": {TAGS: "a"}}, {}, EXPLICIT, effect="Deny"),
    row("Deny with ForAnyValue on an absent key does not apply",
        {"ForAnyValue:StringEquals": {TAGS: "a"}}, {}, ALLOW, effect="Deny"),
    row("Deny with Null true applies when the key is absent",
        {"Null": {TEAM: "true"}}, {}, EXPLICIT, effect="Deny"),
]


@pytest.mark.parametrize(ROW_ARGS, CONSEQUENCE_ROWS)
def test_missing_key_consequences(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ------------------------------------------------------------ Empty policy value list (§14.10)

EMPTY_LIST_ROWS = [
    row("a positive operator with an empty value list matches nothing",
        {"StringEquals": {TEAM: []}}, {TEAM: "blue"}, DENY),
    row("a positive operator with an empty value list is false on an absent key",
        {"StringEquals": {TEAM: []}}, {}, DENY),
    row("a negated operator with an empty value list is true (equal to none of nothing)",
        {"StringNotEquals": {TEAM: []}}, {TEAM: "blue"}, ALLOW),
    row("NumericEquals with an empty value list matches nothing", {"NumericEquals": {N: []}}, {N: 10}, DENY),
    row("ForAllValues with an empty value list is true when the key is missing",
        {"ForAllValues:StringEquals": {TAGS: []}}, {}, ALLOW),
    row("ForAllValues with an empty value list is false for a present value",
        {"ForAllValues:StringEquals": {TAGS: []}}, {TAGS: ["a"]}, DENY),
    row("ForAnyValue with an empty value list is false for a present value",
        {"ForAnyValue:StringEquals": {TAGS: []}}, {TAGS: ["a"]}, DENY),
    row("IfExists with an empty value list is true when the key is missing",
        {"StringEqualsIfExists": {TEAM: []}}, {}, ALLOW),
    row("IfExists with an empty value list is false for a present key",
        {"StringEqualsIfExists": {TEAM: []}}, {TEAM: "blue"}, DENY),
    row("a Deny with an empty value list under a positive operator never applies",
        {"StringLike": {TEAM: []}}, {TEAM: "blue"}, ALLOW, effect="Deny"),
]


@pytest.mark.parametrize(ROW_ARGS, EMPTY_LIST_ROWS)
def test_empty_value_list(condition, context, expected, warns, effect):
    _check(condition, context, expected, warns, effect)


# ---------------------------------------------------------------- Invalid policy values (§12.1)

@pytest.mark.parametrize("operator, key, value", [
    pytest.param("DateEquals", "aws:CurrentTime", "tomorrow", id="a date operator with tomorrow is a load error"),
    pytest.param("DateLessThanIfExists", "aws:CurrentTime", "2024-13-01", id="a date operator with month 13 is a load error"),
    pytest.param("NumericEquals", N, "abc", id="a numeric operator with abc is a load error"),
    pytest.param("NumericLessThan", N, True, id="a numeric operator with a JSON boolean is a load error"),
    pytest.param("NumericEquals", N, "${aws:username}", id="a variable under NumericEquals is a load error"),
    pytest.param("DateLessThan", "aws:CurrentTime", "${aws:CurrentTime}", id="a variable under a date operator is a load error"),
    pytest.param("IpAddress", IP, "${aws:SourceIp}", id="a variable under IpAddress is a load error"),
    pytest.param("Bool", TLS, "${aws:SecureTransport}", id="a variable under Bool is a load error"),
    pytest.param("Bool", TLS, "yes", id="Bool with yes is a load error"),
    pytest.param("BinaryEquals", B, "not base64!", id="BinaryEquals with text that is not base64 is a load error"),
    pytest.param("IpAddress", IP, "10.0.0.0/33", id="IpAddress with a prefix over 32 is a load error"),
    pytest.param("IpAddress", IP, "10.0.0.256", id="IpAddress with an octet over 255 is a load error"),
    pytest.param("Null", TEAM, "maybe", id="Null with maybe is a load error"),
    pytest.param("ArnLike", SRC, "not-an-arn", id="ArnLike with a value that is not an ARN pattern is a load error"),
])
def test_invalid_policy_value_is_located_at_its_condition_key(operator, key, value):
    with pytest.raises(iameval.PolicyError) as caught:
        _authorize({operator: {key: value}}, {})
    paths = [p.location.path for p in caught.value.problems]
    assert paths, caught.value
    for path in paths:
        assert path[:4] == ("Statement", 0, "Condition", operator)
        assert path[-1] == key


def test_null_if_exists_is_a_load_error_located_at_the_operator():
    """`NullIfExists` is not an operator (§8.4, §12.1); the fault is the operator name itself."""
    with pytest.raises(iameval.PolicyError) as caught:
        _authorize({"NullIfExists": {TEAM: "true"}}, {})
    paths = [p.location.path for p in caught.value.problems]
    assert paths == [("Statement", 0, "Condition", "NullIfExists")]


def test_an_invalid_value_in_a_list_is_located_at_its_index():
    with pytest.raises(iameval.PolicyError) as caught:
        _authorize({"NumericEquals": {N: ["1", "abc"]}}, {})
    assert [p.location.path for p in caught.value.problems] == [
        ("Statement", 0, "Condition", "NumericEquals", N, 1)]


def test_warnings_name_the_key_whose_value_could_not_be_read():
    result = _authorize({"DateLessThan": {T: NEW_YEAR}}, {T: "yesterday"})
    assert str(result.decision) == DENY
    (warning,) = evaluation_warnings(result)
    assert T in warning and "yesterday" in warning


ALL_ROWS = (STRING_ROWS + NUMERIC_ROWS + DATE_ROWS + BOOL_ROWS + BINARY_ROWS + IP_ROWS + ARN_ROWS + NULL_ROWS
            + SET_ROWS + STRUCTURE_ROWS)


@pytest.mark.parametrize(ROW_ARGS, ALL_ROWS)
def test_the_compiled_short_cut_answers_as_the_general_test(condition, context, expected, warns, effect):
    """A condition's short cut for one given value (`CompiledCondition.test`, what decisions
    run) and its general test (`holds`, what explanations run) agree on every row, with the
    same warnings: the short cut never restates the rule, it falls back to it."""
    policy = iameval.load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": "s3:GetObject", "Resource": "*", "Condition": condition}]}, "identity")
    authorizer = iameval.Authorizer(identity=[policy])
    request = {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT, "context": context}
    statement = authorizer.identity.statements[0]
    for compiled in statement.conditions:
        _, _, fast = authorizer.prepare(request)
        _, _, general = authorizer.prepare(request)
        assert compiled.test()(fast) == compiled.holds(general), compiled.entry
        assert fast.warnings == general.warnings


def test_an_operator_variant_is_named_as_parsing_its_name_gives_it():
    """`Operator.variant` renders names from the fields (§8.4, §8.5): every variant parses back to
    itself, and an unchanged variant is the operator as written."""
    from iameval.policy._operators import Comparison, Family, _all_names, parse_operator

    for name in _all_names():
        operator = parse_operator(name)
        assert operator.variant() == operator
        variants = [operator.variant(unqualified=True)]
        if operator.family is Family.STRING:
            variants += [operator.variant(comparison=c) for c in
                         (Comparison.EQUALS, Comparison.EQUALS_IGNORE_CASE, Comparison.LIKE)]
        for variant in variants:
            assert parse_operator(variant.name) == variant
            assert (variant.negated, variant.if_exists) == (operator.negated, operator.if_exists)


@pytest.mark.parametrize("name, every_value", [
    ("ForAllValues:StringEquals", True),
    ("ForAnyValue:StringEquals", False),
    ("StringNotEquals", True),      # a list without a qualifier: a negated operator tests each value
    ("StringEquals", False),        # ... and a positive one any value (§8.5)
    ("ForAnyValue:StringNotLike", False),
])
def test_which_operators_test_every_value_of_a_list(name, every_value):
    """§8.5: one rule, read by the evaluator and by the symbolic reading (`tests_all_values`)."""
    from iameval.policy._operators import parse_operator

    assert parse_operator(name).tests_all_values is every_value
