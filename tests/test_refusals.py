"""Loading and `validate` agree on what AWS refuses (IAM-SEMANTICS §6, §12.1).

One property, for every policy type: `validate` reports an error if and only if `load_policy`
refuses the document (raises `PolicyError`), and then it reports exactly the loader's problems.
A policy that `validate` calls refused must never be evaluated by `iameval check`, and a policy
that `check` evaluates must never be called refused.

The documents are real policies from fixtures/ (examples, the policy examples of every type and
a sample of AWS managed policies), mutated one element at a time, and statements generated from
scratch. Both draw on values that cover the refusal rules: bad and miscased `Effect`, partial
wildcards and variables in `Principal`, `Principal` and `NotPrincipal` where the type forbids
them, missing `Action` and `Resource`, pairs of an element and its `Not`, unknown and misspelt
operators, `NullIfExists`, values that do not read as dates, IP addresses, numbers or booleans,
variables under operators that take none, mixed value types, empty lists and objects, malformed
ARNs and variables, bad `Sid`s and `Version`s, unknown elements and characters IAM refuses.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iameval.analysis._validate import CODES, POLICY_TYPES, validate_policy
from iameval.policy import PolicyError, load_policy
from iameval.policy._errors import format_path
from iameval.policy._source import parse_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _documents(*folders: str, managed: int = 0) -> list[dict]:
    paths = [p for folder in folders for p in sorted((FIXTURES / folder).rglob("*.json"))]
    if managed:
        small = sorted(p for p in (FIXTURES / "managed-policies").glob("*.json")
                       if p.name != "index.json" and p.stat().st_size < 1500)
        paths += small[::len(small) // managed]
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    return [d for d in documents if isinstance(d, dict) and "Statement" in d]


IDENTITY = _documents("examples", managed=40)
# Real policies of each type, to mutate.
REAL = {
    "identity": IDENTITY,
    "resource-policy": _documents("policy-examples/resource"),
    "scp": _documents("policy-examples/scp"),
    "rcp": _documents("policy-examples/rcp"),
    "permission-boundary": _documents("policy-examples/permission-boundary") + IDENTITY[:10],
    "session": IDENTITY,
    "trust": _documents("policy-examples/trust"),
    "key-policy": _documents("policy-examples/resource"),
    "aws-managed": _documents(managed=40),
}
NAMES_PRINCIPALS = ("resource-policy", "rcp", "trust", "key-policy")

# ------------------------------------------------------------------------ values of each element
# Each element draws from values AWS accepts and from faulty ones, weighted four to one, so that
# a document may have one fault alone, or none.


def _either(valid: list, faulty: list) -> st.SearchStrategy:
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
def statements(draw, type_name: str) -> dict:
    """A statement from scratch: usually the elements its type requires, and some others."""
    required = ["Effect", "Action"] + (["Principal"] if type_name in NAMES_PRINCIPALS else [])
    required += [] if type_name == "trust" else ["Resource"]
    names = [n for n in required if draw(st.integers(0, 9)) > 0]
    names += draw(st.lists(ELEMENT_NAMES, max_size=2, unique=True))
    return {name: draw(ELEMENTS[name]) for name in dict.fromkeys(names)}


@st.composite
def mutated(draw, type_name: str) -> dict:
    """A real policy of the type with one to three of its elements replaced, added or removed."""
    data = copy.deepcopy(draw(st.sampled_from(REAL[type_name])))
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
            data["Statement"] = (items if isinstance(items, list) else []) + [draw(statements(type_name))]
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


def documents(type_name: str) -> st.SearchStrategy:
    return st.one_of(
        mutated(type_name),
        st.builds(lambda version, items: {"Statement": items} if version is None
                  else {"Version": version, "Statement": items},
                  VERSIONS, st.lists(statements(type_name), min_size=1, max_size=3)),
    )


def _key(problem) -> tuple[str, str, str]:
    return problem.code, str(problem.location), format_path(problem.location.path)


def _refusal(data, type_name: str):
    """The loader's problems for a document read from JSON text, or None when it loads."""
    (source,) = parse_text(json.dumps(data, indent=1, ensure_ascii=False), "policy.json")
    try:
        load_policy(source.data, POLICY_TYPES[type_name], source=source, trust=type_name == "trust",
                    key_policy=type_name == "key-policy")
    except PolicyError as exc:
        return source, exc.problems
    return source, None


@pytest.mark.parametrize("type_name", list(POLICY_TYPES))
@given(draw=st.data())
def test_validate_reports_an_error_exactly_when_loading_refuses(type_name, draw):
    data = draw.draw(documents(type_name), label="document")
    source, problems = _refusal(data, type_name)
    findings = validate_policy(source.data, type_name, source)
    errors = [f for f in findings if f.severity == "error"]
    assert bool(errors) == (problems is not None), (
        [str(f) for f in errors] if errors else f"loading refuses: {[str(p) for p in problems]}")
    if problems is not None:
        assert Counter(_key(f) for f in errors) == Counter(_key(p) for p in problems)
        assert all(f.code in CODES and CODES[f.code].severity == "error" for f in errors)


# Disagreements the property found, each now one rule of the loader (§9, §12.1: no variable in
# a principal or a condition key, whatever the `Version`; §6.3: a trust policy has no Resource,
# NotResource or NotPrincipal).
FOUND = [
    ("resource-policy", {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                 "Principal": {"AWS": "arn:aws:iam::123456789012:user/${aws:username}"}}]},
     "variable-not-allowed", "Statement[0].Principal.AWS"),
    ("identity", {"Version": "2008-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/${aws:username}": "x"}}}]},
     "variable-not-allowed", "Statement[0].Condition.StringEquals.aws:PrincipalTag/${aws:username}"),
    ("trust", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Resource": "*"}]},
     "trust-resource", "Statement[0].Resource"),
    ("trust", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
        "NotResource": "arn:aws:s3:::b"}]},
     "trust-resource", "Statement[0].NotResource"),
    ("trust", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "NotPrincipal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
     "trust-not-principal", "Statement[0].NotPrincipal"),
]


@pytest.mark.parametrize("type_name, data, code, element", FOUND)
def test_loading_refuses_what_validate_called_refused(type_name, data, code, element):
    source, problems = _refusal(data, type_name)
    assert problems is not None
    assert [(p.code, format_path(p.location.path)) for p in problems] == [(code, element)]
    assert [(f.code, f.severity) for f in validate_policy(source.data, type_name, source)
            if f.severity == "error"] == [(code, "error")]
