"""Loading and `validate` agree on what AWS refuses (IAM-SEMANTICS §6, §12.1).

One property, for every policy type: `validate` reports an error if and only if `load_policy`
refuses the document (raises `PolicyError`), and then it reports exactly the loader's problems.
A policy that `validate` calls refused must never be evaluated by `iameval check`, and a policy
that `check` evaluates must never be called refused.

The documents are real policies from fixtures/ (examples, the policy examples of every type and
a sample of AWS managed policies), mutated one element at a time, and statements generated from
scratch, by `iameval.testing.strategies.refusals`, whose values cover the refusal rules.
"""

from __future__ import annotations

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
from iameval.testing.strategies.refusals import faulty_documents

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
    data = draw.draw(faulty_documents(type_name, REAL[type_name]), label="document")
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
