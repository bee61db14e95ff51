"""Corners of the policy language found in review, each a fact of IAM-SEMANTICS.md."""

from __future__ import annotations

import json

import pytest

import iameval

ALICE = "arn:aws:iam::111122223333:user/alice"
OBJECT = "arn:aws:s3:::example-bucket/key"


def _decide(statements, kind="identity", **request):
    policy = iameval.load_policy({"Version": "2012-10-17", "Statement": statements}, kind)
    authorizer = iameval.Authorizer(**{kind: [policy]} if kind == "identity" else {kind: policy})
    return authorizer.authorize({"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT,
                                 **request}).decision


@pytest.mark.parametrize("element", ["effect", "action", "resource", "condition", "sid", "not_action"])
def test_element_names_are_exact_so_a_snake_case_element_is_refused(element):
    """§6.4, §12.1: `effect` is not `Effect`; an unknown element is an error, never ignored."""
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": "*", element: "x"}
    with pytest.raises(iameval.PolicyError, match=f"unknown statement element `{element}`"):
        iameval.load_policy({"Version": "2012-10-17", "Statement": [statement]})


def test_a_policy_document_cannot_name_itself():
    """`name` belongs to the scenario's `{"name", "document"}` wrapper, not to the document."""
    with pytest.raises(iameval.PolicyError, match="unknown policy element `name`"):
        iameval.load_policy({"Version": "2012-10-17", "name": "x",
                             "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def test_an_rcp_statement_needs_a_resource():
    """§6.3: RCP statements need Resource or NotResource."""
    with pytest.raises(iameval.PolicyError, match="needs `Resource` or `NotResource`"):
        iameval.load_policy({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*"}]}, "rcp")


RCP_FULL_ACCESS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


def test_rcp_full_aws_access_is_accepted_and_allows_nothing_by_itself():
    """§4: RCPFullAWSAccess is the one Allow an RCP may hold; RCPs never grant."""
    rcp = iameval.load_policy(RCP_FULL_ACCESS, "rcp")
    assert iameval.Authorizer(rcps=[rcp]).authorize(
        {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT}).decision == "ImplicitDeny"
    identity = iameval.load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    assert iameval.Authorizer(identity=[identity], rcps=[rcp]).authorize(
        {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT}).decision == "Allow"


def test_any_other_rcp_allow_is_refused():
    with pytest.raises(iameval.PolicyError, match="can only deny"):
        iameval.load_policy({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}, "rcp")


def test_the_latin_1_character_rule_is_for_iam_documents_only(tmp_path):
    """§12.1 restricts IAM documents to U+0020-U+00FF; an S3 bucket policy may name a key in any script."""
    text = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", '
            '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\u5199\u771f/*"}]}')
    path = tmp_path / "bucket.json"
    path.write_text(text, encoding="utf-8")
    assert iameval.load_policy_file(path, "resource_policy").statement[0].resource == ("arn:aws:s3:::b/\u5199\u771f/*",)
    identity = tmp_path / "identity.json"
    identity.write_text(text.replace('"Principal": "*", ', ""), encoding="utf-8")
    with pytest.raises(iameval.PolicyError, match="U\\+5199"):
        iameval.load_policy_file(identity, "identity")


@pytest.mark.parametrize("statement", [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {}},
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {}}},
    {"Effect": "Allow", "NotAction": [], "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:*", "NotResource": []},
    {"Effect": "Allow", "Action": [], "Resource": "*"},
], ids=["empty Condition", "operator without keys", "empty NotAction", "empty NotResource", "empty Action"])
def test_an_empty_element_leaves_the_statement_without_effect(statement):
    """§12.2: an empty array or object in Action, Resource, Principal or Condition: no effect."""
    assert _decide([statement]) == "ImplicitDeny"


def test_an_empty_element_leaves_a_deny_without_effect_too():
    allow = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    deny = {"Effect": "Deny", "Action": "s3:*", "NotResource": []}
    assert _decide([allow, deny]) == "Allow"


def test_an_operator_without_keys_survives_load_dump_load():
    policy = iameval.load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {}}}]})
    assert policy.to_json()["Statement"][0]["Condition"] == {"StringEquals": {}}
    assert iameval.load_policy(policy.to_json()) == policy


def test_a_variable_outside_the_resource_segment_is_not_substituted_and_the_result_says_so():
    """§7.3, §9: variables are read only after the fifth colon; elsewhere the entry is compared as
    written, which matches no real ARN, and the result carries a warning instead of silence."""
    policy = iameval.load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:q"}]})
    result = iameval.Authorizer(identity=[policy]).authorize(
        {"principal": ALICE, "action": "sqs:SendMessage", "resource": "arn:aws:sqs:us-east-1:111122223333:q"})
    assert result.decision == "ImplicitDeny"
    assert any("outside the resource segment" in w for w in result.warnings)


_DENY_GET = {"Effect": "Deny", "Action": "s3:GetObject"}
_ALLOW_GET = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


@pytest.mark.parametrize("extra, kind, everywhere", [
    ({"Resource": "*"}, "identity", True),
    ({"Resource": [OBJECT, "*"]}, "identity", True),
    ({"Principal": "*"}, "resource_policy", True),  # no Resource: the policy's own resource
    ({"Resource": OBJECT}, "identity", False),
    ({"NotResource": "arn:aws:s3:::other/*"}, "identity", False),
    ({"Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, "identity", False),
    ({"Resource": "*", "Condition": {"StringEquals": {}}}, "identity", False),  # no effect (§12.2)
], ids=["star", "star among others", "resource policy without Resource", "one object", "NotResource",
        "Condition", "operator without keys"])
def test_every_resource_unconditionally_is_one_rule_for_the_engine_and_the_catalogue(extra, kind, everywhere):
    """A statement applies to every resource, unconditionally, when caller and action alone
    decide it (§6.2, §7.3, §8.1): the engine's short cut and the catalogue's denied actions
    both ask the statement."""
    from iameval.catalog import policy_actions
    from iameval.engine._compile import PolicySet
    from iameval.policy import PolicyKind

    allow = {**_ALLOW_GET, "Principal": "*"} if "Principal" in extra else _ALLOW_GET
    policy = iameval.load_policy({"Version": "2012-10-17", "Statement": [{**_DENY_GET, **extra}, allow]}, kind)
    statement = policy.statement[0]
    assert statement.applies_to_every_resource_unconditionally is everywhere
    compiled, _ = PolicySet(PolicyKind(kind), [policy], ["p"]).statements
    assert compiled.unconditional is everywhere
    assert ("s3:GetObject" in {g.action for g in policy_actions(policy).denied}) is everywhere


@pytest.mark.parametrize("data, message, hint", [
    ({"Version": "2012-10-17", "Statement": [], "Bogus": 1}, "unknown policy element `Bogus`",
     "a policy has Version, Id and Statement"),
    ({"Version": "2012-10-17", "Statment": []}, "unknown policy element `Statment`", "did you mean `Statement`?"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Zzz": 1}]}, "unknown statement element `Zzz`",
     "a statement has Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NOTACTION": "s3:*"}]},
     "unknown statement element `NOTACTION`", "did you mean `NotAction`?"),
    (["not", "an", "object"], "a policy must be a JSON object, not a list", None),
    ({"Version": "2012-10-17", "Statement": ["x"]}, "a statement must be an object, not a string", None),
])
def test_a_policy_and_a_statement_refuse_unknown_elements_alike(data, message, hint):
    """§6.4, §12.1: element names are exact; the refusal names the closest element, or lists them."""
    with pytest.raises(iameval.PolicyError) as raised:
        iameval.load_policy(data)
    (problem,) = raised.value.problems
    assert (problem.message, problem.hint) == (message, hint)


@pytest.mark.parametrize("how", ["a document built in Python", "a JSON escape in the file"])
def test_the_latin_1_character_rule_reads_the_document_not_its_text(tmp_path, how):
    """§12.1: an IAM document with a character outside U+0020-U+00FF is refused however the
    character was written: in a Python dict, or as a `\\u` escape in JSON text."""
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\u5199\u771f/*"}]}
    with pytest.raises(iameval.PolicyError, match="U\\+5199"):
        if how == "a document built in Python":
            iameval.load_policy(document, "identity")
        else:
            path = tmp_path / "identity.json"
            path.write_text(json.dumps(document), encoding="utf-8")  # json.dumps escapes: ASCII text
            assert "\\u5199" in path.read_text(encoding="utf-8")
            iameval.load_policy_file(path, "identity")
    # A bucket policy may name a key in any script.
    bucket = {**document, "Statement": [{**document["Statement"][0], "Principal": "*"}]}
    assert iameval.load_policy(bucket, "resource_policy").statement[0].resource == ("arn:aws:s3:::b/\u5199\u771f/*",)
