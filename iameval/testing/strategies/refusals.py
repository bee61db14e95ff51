"""Statements and documents with the faults AWS refuses, and real policies mutated one element
at a time (the property of tests/test_refusals.py: `validate` and loading agree, §6, §12.1).

Each element draws from values AWS accepts and from faulty ones, weighted four to one, so that
a document may have one fault alone, or none. The faults cover the refusal rules: bad and
miscased `Effect`, partial wildcards and variables in `Principal`, `Principal` and
`NotPrincipal` where the type forbids them, missing `Action` and `Resource`, pairs of an
element and its `Not`, unknown and misspelt operators, `NullIfExists`, values that do not read
as dates, IP addresses, numbers or booleans, variables under operators that take none, mixed
value types, empty lists and objects, malformed ARNs and variables, bad `Sid`s and `Version`s,
unknown elements and characters IAM refuses. Types are named as `iameval validate --type`
names them (`resource-policy`, `trust`, `key-policy`...).
"""

from __future__ import annotations

import copy
from typing import Any, Sequence

from hypothesis import strategies as st

__all__ = ["ACTIONS", "CONDITIONS", "EFFECTS", "ELEMENTS", "ELEMENT_NAMES", "NAMES_PRINCIPALS", "PRINCIPALS",
           "RESOURCES", "SIDS", "VERSIONS", "faulty_documents", "faulty_statements", "mutated_documents"]

NAMES_PRINCIPALS = ("resource-policy", "rcp", "trust", "key-policy")
# ------------------------------------------------------------------------ values of each element
# Each element draws from values AWS accepts and from faulty ones, weighted four to one, so that
# a document may have one fault alone, or none.


def _either(valid: list[Any], faulty: list[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(*[st.sampled_from(valid)] * 4, st.sampled_from(faulty))


EFFECTS = _either(["Allow", "Deny"], ["allow", "DENY", "Permit", "", 1, ["Allow"]])
VERSIONS = _either(["2012-10-17", "2008-10-17", None], ["2012-10-18", "", 2012])
SIDS = _either(["ReadObjects", "Stmt1", ""], ["read objects", "a-b", 5])

PRINCIPAL_VALUES = _either(
    ["*", "123456789012", "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:user/alice",
     "arn:aws:iam::123456789012:role/app", "arn:aws:sts::123456789012:assumed-role/app/s1",
     "AIDAJQABLZS4A3QDU576Q"],
    ["arn:aws:iam::*:root", "arn:aws:iam::123456789012:user/*", "12345678901?",
     "arn:aws:iam::123456789012:user/${aws:username}", "${aws:PrincipalAccount}", "arn:aws:s3:::bucket",
     "alice", ""])
SERVICES = _either(["ec2.amazonaws.com", "lambda.amazonaws.com", "*"],
                   ["ec2.*.com", "EC2", "${aws:username}.amazonaws.com", ""])
PRINCIPALS = st.one_of(
    st.just("*"),
    st.builds(lambda v: {"AWS": v}, st.one_of(PRINCIPAL_VALUES, st.lists(PRINCIPAL_VALUES, max_size=3))),
    st.builds(lambda v: {"Service": v}, st.one_of(SERVICES, st.lists(SERVICES, max_size=2))),
    st.sampled_from([{"Federated": "accounts.google.com"}, {"CanonicalUser": "0" * 64},
                     {}, {"AWS": []}, 7, "arn:aws:iam::123456789012:root", [], {"Foo": "x"}, {"aws": "*"},
                     {"Federated": ""}, {"CanonicalUser": "abc"}, {"AWS": 1}, {"AWS": [1]}]),
)

ACTION_VALUES = _either(
    ["s3:GetObject", "s3:Get*", "*", "s3:*", "ec2:Describe*", "iam:PassRole", "sts:AssumeRole", "kms:Decrypt"],
    ["s3GetObject", "s3:${aws:username}", "s3:Get Object", "", "*:*"])
ACTIONS = st.one_of(ACTION_VALUES, ACTION_VALUES, st.lists(ACTION_VALUES, max_size=3),
                    st.sampled_from([7, [7], {"s3": "*"}]))

RESOURCE_VALUES = _either(
    ["*", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/${aws:username}/*",
     "arn:aws:iam::123456789012:role/*", "arn:aws:ec2:*:*:instance/*", "arn:aws:s3:::b/${*}",
     "arn:aws:iam::${aws:PrincipalAccount}:role/x", "arn:aws:s3*"],
    ["arn:aws:s3:::bucket/${aws:username", "arn:aws:s3:::bucket/${}", "arn:aws:S3:::bucket",
     "arn:aws:s3*:::bucket", "arn:foo:s3:::bucket", "arn:aws:s3", "arn:aws:iam::12345:user/x", "bucket", "",
     "arn:aws:s3:::b/\u2603"])
RESOURCES = st.one_of(RESOURCE_VALUES, RESOURCE_VALUES, st.lists(RESOURCE_VALUES, max_size=3),
                      st.sampled_from([7, [7]]))

OPERATORS = _either(
    ["StringEquals", "StringLike", "StringNotEquals", "StringEqualsIgnoreCase", "ArnLike", "ArnEquals",
     "NumericLessThan", "NumericEquals", "DateGreaterThan", "DateLessThan", "Bool", "BinaryEquals",
     "IpAddress", "NotIpAddress", "Null", "StringEqualsIfExists", "ForAllValues:StringLike",
     "ForAnyValue:StringEquals", "ForAllValues:Null"],
    ["NullIfExists", "ForAnyValues:StringEquals", "StringEqualz", "stringequals", "Numeric"])
KEYS = _either(
    ["aws:SourceIp", "aws:CurrentTime", "aws:username", "aws:PrincipalTag/team", "s3:max-keys",
     "aws:MultiFactorAuthPresent", "aws:SourceArn", "AWS:SourceIp", "token.actions.githubusercontent.com:sub",
     "aws:TagKeys"],
    ["aws:PrincipalTag/${aws:username}", "team", ""])
CONDITION_VALUES = st.sampled_from([
    "alice", "arn:aws:s3:::bucket", "arn:aws:iam::*:role/*", "not-an-arn", "10", "ten", "-1.5", 10, 1.5,
    True, "true", "TRUE", "yes", "2026-01-31", "2026-01-31T12:00:00Z", "tomorrow", "1767225600",
    "203.0.113.0/24", "10.0.0.1", "2001:db8::/32", "300.1.1.1", "aGVsbG8=", "not base64!", "${aws:username}",
    "prefix-${aws:username}", "${aws:username", "*", "a*b", "", ["x"], {"k": "v"},
])
VALUE_LISTS = st.one_of(CONDITION_VALUES, st.lists(CONDITION_VALUES, max_size=3))
CONDITIONS = st.one_of(
    st.dictionaries(OPERATORS, st.dictionaries(KEYS, VALUE_LISTS, max_size=2), min_size=1, max_size=2),
    st.sampled_from(["x", [], 1, {}, {"StringEquals": "x"}, {"StringEquals": []}, {"StringEquals": {}}]),
)

ELEMENTS = {
    "Sid": SIDS, "Effect": EFFECTS, "Principal": PRINCIPALS, "NotPrincipal": PRINCIPALS,
    "Action": ACTIONS, "NotAction": ACTIONS, "Resource": RESOURCES, "NotResource": RESOURCES,
    "Condition": CONDITIONS, "Actions": ACTIONS, "effect": EFFECTS,
}
# Element names drawn for a statement: unknown ones (`Actions`, `effect`) less often.
ELEMENT_NAMES = _either(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                         "NotResource", "Condition"], ["Actions", "effect"])


@st.composite
def faulty_statements(draw: st.DrawFn, type_name: str) -> dict[str, Any]:
    """A statement from scratch: usually the elements its type requires, and some others."""
    required = ["Effect", "Action"] + (["Principal"] if type_name in NAMES_PRINCIPALS else [])
    required += [] if type_name == "trust" else ["Resource"]
    names = [n for n in required if draw(st.integers(0, 9)) > 0]
    names += draw(st.lists(ELEMENT_NAMES, max_size=2, unique=True))
    return {name: draw(ELEMENTS[name]) for name in dict.fromkeys(names)}


@st.composite
def mutated_documents(draw: st.DrawFn, real: Sequence[dict[str, Any]], type_name: str) -> dict[str, Any]:
    """One of the `real` policies of the type with one to three of its elements replaced, added or
    removed."""
    data: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(real)))
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        if isinstance(data.get("Statement"), dict):
            data["Statement"] = [data["Statement"]]
        items = data.get("Statement")
        where = draw(st.sampled_from(["document", "statement", "statement", "statement", "new"]))
        if where == "document":
            element = draw(st.sampled_from(["Version", "Id", "Statement", "Extra"]))
            value = draw({"Version": VERSIONS, "Id": st.sampled_from(["policy-1", 7]),
                          "Statement": st.sampled_from([[], {}, "all"]), "Extra": st.just("x")}[element])
            if value is None:
                data.pop(element, None)
            else:
                data[element] = value
        elif where == "new" or not isinstance(items, list) or not items:
            data["Statement"] = (items if isinstance(items, list) else []) + [draw(faulty_statements(type_name))]
        else:
            statement = draw(st.sampled_from(items))
            if not isinstance(statement, dict):
                continue
            element = draw(ELEMENT_NAMES)
            if draw(st.booleans()) and element in statement:
                del statement[element]
            else:
                statement[element] = draw(ELEMENTS[element])
    return data


def faulty_documents(type_name: str, real: Sequence[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A mutated real policy of the type, or one of generated statements."""
    return st.one_of(
        mutated_documents(real, type_name),
        st.builds(lambda version, items: {"Statement": items} if version is None
                  else {"Version": version, "Statement": items},
                  VERSIONS, st.lists(faulty_statements(type_name), min_size=1, max_size=3)),
    )

