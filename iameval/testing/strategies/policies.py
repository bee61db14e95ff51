"""Policies and requests from one small alphabet of S3, EC2 and IAM actions and ARNs, so that
statements and requests meet often: most examples reach a statement, many reach several
(the laws of tests/test_properties.py, IAM-SEMANTICS §2.1, §7).

`statements` and `policy_documents` draw statements of identity-side policies or of resource
policies (with a Principal or NotPrincipal); `rich` ones also carry Conditions and `${...}`
variables in Resource, and `requests(principal, rich=True)` contexts that satisfy some of them
and not others. `condition_blocks` and `documents_as_written` draw Conditions and documents in
every shape AWS accepts (one statement or a list, strings or lists, with or without Version,
Id, Sid), for round trips.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from ...policy import PolicyKind

__all__ = ["A", "ACTIONS", "ACTION_PATTERNS", "ALICE", "B", "BOB", "CONDITIONS", "CONDITION_KEYS", "CONDITION_VALUES",
           "CONTEXT_VALUES", "NOT_PRINCIPALS", "PRINCIPALS", "REQUEST_ACTIONS", "REQUEST_RESOURCES",
           "RESOURCE_PATTERNS", "ROLE", "SESSION", "VARIABLE_RESOURCE_PATTERNS", "condition_blocks", "document",
           "documents_as_written", "one_or_more", "policy_documents", "requests", "statements"]

A = "111122223333"
B = "444455556666"
ALICE = f"arn:aws:iam::{A}:user/alice"
BOB = f"arn:aws:iam::{B}:user/bob"
ROLE = f"arn:aws:iam::{A}:role/app"
SESSION = f"arn:aws:sts::{A}:assumed-role/app/s1"

ACTIONS = [
    "s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject",
    "ec2:DescribeInstances", "ec2:RunInstances", "iam:ListUsers",
]
REQUEST_ACTIONS = ACTIONS + ["S3:getobject", "EC2:DESCRIBEINSTANCES"]
ACTION_PATTERNS = ACTIONS + [
    "s3:Get*", "s3:*", "ec2:Describe?nstances", "*", "S3:GETOBJECT", "ec2:*Instances",
    "iam:List*", "s3:*Object", "ec2:?unInstances", "s3:Get?bject*",
]
REQUEST_RESOURCES = [
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/alice/key.txt",
    "arn:aws:s3:::bucket-a/shared/key.txt",
    "arn:aws:s3:::bucket-a/key.txt",
    "arn:aws:s3:::bucket-a/dir/key.txt",
    "arn:aws:s3:::bucket-b/key.txt",
    f"arn:aws:ec2:us-east-1:{A}:instance/i-1234",
    f"arn:aws:ec2:eu-west-1:{A}:instance/i-9999",
    "*",
]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-a/key.txt",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::*/key.txt",
    f"arn:aws:ec2:*:{A}:instance/*",
    f"arn:aws:ec2:us-east-1:{A}:instance/i-?234",
    "arn:aws:ec2:us-east-1:*",
    "arn:aws:ec2:*:*:instance/*",
]
PRINCIPALS = [
    "*",
    {"AWS": "*"},
    {"AWS": A},
    {"AWS": f"arn:aws:iam::{A}:root"},
    {"AWS": ALICE},
    {"AWS": ROLE},
    {"AWS": SESSION},
    {"AWS": B},
    {"AWS": f"arn:aws:iam::{B}:root"},
    {"AWS": BOB},
    {"AWS": [ALICE, BOB]},
    {"AWS": f"arn:aws:iam::{A}:user/carol"},
    {"Service": "s3.amazonaws.com"},
]
# With Version 2012-10-17 (§9): `${aws:username}` is derived for IAM users only; the team tag
# comes from the request context, or its default.
VARIABLE_RESOURCE_PATTERNS = [
    "arn:aws:s3:::bucket-a/${aws:username}/*",
    "arn:aws:s3:::bucket-a/${aws:PrincipalTag/team, 'shared'}/*",
    "arn:aws:s3:::bucket-?/${aws:username}*",
]
CONDITIONS = [
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": False}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}},
    {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "public/*"]}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "blue"}},
    {"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "cost"]}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["team*"]}},
    {"Null": {"aws:SourceIp": "true"}},
    {"StringEquals": {"aws:PrincipalAccount": A}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:*"}},
    {"NumericLessThan": {"s3:max-keys": 100}},
    {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
    {"Bool": {"aws:SecureTransport": "false"}, "StringEqualsIgnoreCase": {"aws:PrincipalType": "user"}},
]
CONTEXT_VALUES = {
    "aws:SourceIp": st.sampled_from(["10.1.2.3", "203.0.113.5", "not-an-ip"]),
    "aws:MultiFactorAuthPresent": st.sampled_from([True, False, "true"]),
    "aws:SecureTransport": st.booleans(),
    "s3:prefix": st.sampled_from(["home/alice/docs", "public/x", "private/"]),
    "aws:PrincipalTag/team": st.sampled_from(["blue", "alice", "shared"]),
    "aws:TagKeys": st.sampled_from([["team"], ["team", "cost"], []]),
    "s3:max-keys": st.sampled_from([10, "500", 100.5]),
    "aws:CurrentTime": st.sampled_from(["2024-05-01T00:00:00Z", "2019-12-31"]),
}
# NotPrincipal lists that exclude a caller completely (own ARN, account, and the role for a
# session), none, or only partly: IAM-SEMANTICS §7.4.
NOT_PRINCIPALS = [
    {"AWS": [ALICE, A]},
    {"AWS": [BOB, f"arn:aws:iam::{B}:root"]},
    {"AWS": [SESSION, ROLE, A]},
    {"AWS": f"arn:aws:iam::{A}:user/carol"},
]


def one_or_more(values: list[Any]) -> st.SearchStrategy[Any]:
    """An element as AWS accepts it: one string, or a list of distinct strings."""
    return st.one_of(st.sampled_from(values), st.lists(st.sampled_from(values), min_size=1,
                                                       max_size=3, unique=True))


# Strategies are built once, here, not on every draw: hypothesis spends more time checking a
# freshly built strategy than drawing from it.
# Two Allows for one Deny: with as many Denies, most requests end in ExplicitDeny.
_EFFECTS = st.sampled_from(["Allow", "Allow", "Deny"])
_NOT_PRINCIPALS = st.sampled_from(NOT_PRINCIPALS)
_PRINCIPALS = st.sampled_from(PRINCIPALS)
_ACTION_ELEMENTS = st.sampled_from(["Action", "NotAction"])
_ACTIONS = one_or_more(ACTION_PATTERNS)
_RESOURCE_ELEMENTS = {PolicyKind.RESOURCE_POLICY: st.sampled_from(["Resource", "NotResource", None])}
_RESOURCE_ELEMENT = st.sampled_from(["Resource", "NotResource"])
_RESOURCES = {False: one_or_more(RESOURCE_PATTERNS),
              True: one_or_more(RESOURCE_PATTERNS + VARIABLE_RESOURCE_PATTERNS)}
_CONDITIONS = st.sampled_from(CONDITIONS)


@st.composite
def _statements(draw: st.DrawFn, kind: PolicyKind, effect: str | None, rich: bool) -> dict[str, Any]:
    effect = effect or draw(_EFFECTS)
    statement: dict[str, Any] = {"Effect": effect}
    if kind is PolicyKind.RESOURCE_POLICY:
        if effect == "Deny" and draw(st.booleans()):
            statement["NotPrincipal"] = draw(_NOT_PRINCIPALS)
        else:
            statement["Principal"] = draw(_PRINCIPALS)
    statement[draw(_ACTION_ELEMENTS)] = draw(_ACTIONS)
    element = draw(_RESOURCE_ELEMENTS.get(kind, _RESOURCE_ELEMENT))
    if element is not None:
        statement[element] = draw(_RESOURCES[rich])
    if rich and draw(st.integers(0, 2)) == 0:
        statement["Condition"] = draw(_CONDITIONS)
    return statement


@cache
def statements(kind: PolicyKind, effect: str | None = None, rich: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """A statement of an identity-side policy, or of a resource policy (with a Principal);
    `rich` ones may also have a Condition and variables in Resource."""
    return _statements(kind, effect, rich)


def document(statement_list: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    """A policy document whose statements carry Sids unique across the whole world."""
    return {"Version": "2012-10-17",
            "Statement": [{"Sid": f"{prefix}S{i}", **s} for i, s in enumerate(statement_list)]}


@cache
def policy_documents(kind: PolicyKind, prefix: str, rich: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(statements(kind, None, rich), min_size=1, max_size=4).map(
        lambda stmts: document(stmts, prefix))


_REQUEST_ACTIONS = st.sampled_from(REQUEST_ACTIONS)
_REQUEST_RESOURCES = st.sampled_from(REQUEST_RESOURCES)
_CONTEXT_KEYS = st.lists(st.sampled_from(sorted(CONTEXT_VALUES)), unique=True, max_size=5)
_RESOURCE_ACCOUNTS = st.sampled_from([None, A, B])


@st.composite
def _requests(draw: st.DrawFn, principal: str, rich: bool) -> dict[str, Any]:
    request: dict[str, Any] = {"principal": principal,
               "action": draw(_REQUEST_ACTIONS),
               "resource": draw(_REQUEST_RESOURCES)}
    if rich:
        keys = draw(_CONTEXT_KEYS)
        request["context"] = {key: draw(CONTEXT_VALUES[key]) for key in keys}
    account = draw(_RESOURCE_ACCOUNTS)
    if account is not None:
        request["resource_account"] = account
    return request


@cache
def requests(principal: str, rich: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    return _requests(principal, rich)


# ------------------------------------------------------------------------------- as written

CONDITION_KEYS = ["aws:SourceIp", "aws:PrincipalTag/team", "s3:prefix", "aws:MultiFactorAuthPresent",
                  "ec2:InstanceType"]
# Each operator with policy values that read as its type (§8.4, §8.6): strings, numbers and
# booleans as JSON writes them, single or in a list.
_STRINGS = one_or_more(["a", "b*", "team-?", "10"]) | st.integers(0, 99)
CONDITION_VALUES = {
    "StringEquals": _STRINGS,
    "StringLike": _STRINGS,
    "StringEqualsIfExists": _STRINGS,
    "ForAnyValue:StringEquals": _STRINGS,
    "ForAllValues:StringNotLike": _STRINGS,
    "ArnLike": one_or_more(["arn:aws:s3:::x", f"arn:aws:iam::{A}:user/*", "*"]),
    "NumericLessThan": st.integers(-5, 500) | st.lists(st.integers(0, 9), min_size=1, max_size=3)
    | st.just(1.5) | one_or_more(["10", "2.5"]),
    "Bool": st.booleans() | st.lists(st.booleans(), min_size=1, max_size=2) | one_or_more(["true", "false"]),
    "Null": st.booleans(),
    "IpAddress": one_or_more(["10.0.0.0/8", "203.0.113.5", "2001:db8::/32"]),
    "DateGreaterThan": one_or_more(["2024-01-01", "2024-01-01T00:00:00Z"]),
}
_OPERATOR_SETS = st.dictionaries(st.sampled_from(sorted(CONDITION_VALUES)), st.just(None), min_size=1, max_size=2)
_CONDITION_BLOCKS = {op: st.dictionaries(st.sampled_from(CONDITION_KEYS), values, min_size=1, max_size=2)
                     for op, values in CONDITION_VALUES.items()}


@st.composite
def _conditions(draw: st.DrawFn) -> dict[str, Any]:
    return {op: draw(_CONDITION_BLOCKS[op]) for op in draw(_OPERATOR_SETS)}


condition_blocks = _conditions()
_STATEMENT_COUNTS = st.integers(1, 3)
_VERSIONS = st.sampled_from([None, "2012-10-17", "2008-10-17"])


@st.composite
def _documents_as_written(draw: st.DrawFn, kind: PolicyKind) -> dict[str, Any]:
    raw = [draw(statements(kind)) for _ in range(draw(_STATEMENT_COUNTS))]
    for i, statement in enumerate(raw):
        if draw(st.booleans()):
            statement["Sid"] = f"S{i}"
        if draw(st.booleans()):
            statement["Condition"] = draw(condition_blocks)
    doc: dict[str, Any] = {}
    version = draw(_VERSIONS)
    if version:
        doc["Version"] = version
    if kind is PolicyKind.RESOURCE_POLICY and draw(st.booleans()):
        doc["Id"] = "Policy1"
    doc["Statement"] = raw[0] if len(raw) == 1 and draw(st.booleans()) else raw
    return doc


@cache
def documents_as_written(kind: PolicyKind) -> st.SearchStrategy[dict[str, Any]]:
    """Documents in the shapes AWS accepts: a single statement or a list, strings or lists,
    with or without Version, Id, Sid and Condition."""
    return _documents_as_written(kind)
