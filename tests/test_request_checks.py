"""Never a silent deny (issue 13): a request is checked like a policy, the context a decision
needed and lacked is reported, options mean one thing, and every caller can be asked.

The request checks are the catalogue's judgements, the same `validate` gives a policy's entries
(`catalog/_judgements.py`); they are warnings of the result, and no decision changes.
"""

from __future__ import annotations

import json

import pytest

import iameval
from helpers import ALICE, FIXTURES, OBJECT, allow, authorizer, doc, flat, invoke, request, write
from iameval.analysis import validate_policy
from iameval.engine import REQUEST_CHECKS

READ_REPORTS = FIXTURES / "examples" / "read-reports.json"
Q1 = "arn:aws:s3:::example-reports/q1.csv"


def codes(result: iameval.Result) -> list[tuple[str, str | None]]:
    return [(w.code, w.hint) for w in result.warnings]


# ----------------------------------------------------------------------------- request checks

@pytest.mark.parametrize("request_, code, words, hint", [
    pytest.param(request(ALICE, "s3:GetObjekt", OBJECT), "unknown-action", "the catalogue knows no action `s3:GetObjekt`",
                 "did you mean `s3:GetObject`?", id="unknown-action"),
    pytest.param(request(ALICE, "s4:GetObject", OBJECT), "unknown-service", "the catalogue knows no service `s4`",
                 "did you mean `s3:GetObject`?", id="unknown-service"),
    pytest.param(request(ALICE, context={"aws:SorceIp": "203.0.113.7"}), "unknown-condition-key",
                 "the catalogue knows no condition key `aws:SorceIp`", "did you mean `aws:SourceIp`?",
                 id="unknown-key"),
    pytest.param(request(ALICE, context={"s4:prefix": "reports/"}), "unknown-condition-key",
                 "the catalogue knows no service `s4` (in the condition key `s4:prefix`)", "did you mean `s3`?",
                 id="unknown-key-service"),
    pytest.param(request(ALICE, context={"s3:prefix": "reports/"}), "condition-key-not-applicable",
                 "`s3:prefix` is not a condition key of `s3:GetObject`", "iameval expand ACTION --details",
                 id="key-of-another-action"),
    pytest.param(request(ALICE, context={"aws:MultiFactorAuthPresent": "yes"}), "context-value-type",
                 "`yes` is not a Bool value, the type of `aws:MultiFactorAuthPresent`", "`true` or `false`",
                 id="bool-value"),
    pytest.param(request(ALICE, context={"aws:CurrentTime": "tomorrow"}), "context-value-type",
                 "`tomorrow` is not a Date value", "2024-05-01T00:00:00Z", id="date-value"),
    pytest.param(request(ALICE, context={"aws:SourceIp": "my laptop"}), "context-value-type",
                 "`my laptop` is not a IPAddress value", "203.0.113.7", id="ip-value"),
    pytest.param(request(ALICE, "s3:GetObject", "arn:aws:s3:::example-bucket"), "resource-mismatch",
                 "fits none of the resource types of the action (`accesspointobject`, `object`)",
                 "looks like `arn:${Partition}:s3:::${BucketName}/${ObjectName}`", id="bucket-for-object"),
    pytest.param(request(ALICE, "s3:ListAllMyBuckets", "arn:aws:s3:::example-bucket"), "resource-mismatch",
                 "`s3:ListAllMyBuckets` works on no resource type, only on `*`", "use `*`", id="no-resource-type"),
])
def test_a_request_is_checked_like_a_policy(request_, code, words, hint):
    result = authorizer([doc(allow("s3:*", "*"))]).authorize(request_)
    (warning,) = [w for w in result.warnings if w.code == code]
    assert words in warning and hint in (warning.hint or "")
    assert warning.code in REQUEST_CHECKS


@pytest.mark.parametrize("request_", [
    request(ALICE), request(ALICE, context={"aws:SourceIp": "203.0.113.7", "aws:MultiFactorAuthPresent": True,
                                            "aws:CurrentTime": "2024-05-01T00:00:00Z", "s3:ExistingObjectTag/team": "x"}),
    request(ALICE, "s3:ListBucket", "arn:aws:s3:::example-bucket", context={"s3:prefix": "reports/"}),
    request(ALICE, "ec2:DescribeInstances", "*"),
    # An identity provider's keys are not the catalogue's to judge.
    request("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", "arn:aws:iam::111122223333:role/app",
            context={"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}),
], ids=["plain", "global-and-tag-keys", "list-prefix", "no-resource", "provider-keys"])
def test_a_well_formed_request_has_no_request_warnings(request_):
    policies = {} if request_["principal"].startswith("cognito") else {"identity": [doc(allow("*", "*"))]}
    result = authorizer(**policies).authorize(request_)
    assert [w.code for w in result.warnings] == []


def test_a_policy_without_version_holding_a_variable_is_reported():
    policy = iameval.load_policy(doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"), version=None),
                                 "identity")
    result = iameval.Authorizer(identity=[policy]).authorize(request(ALICE, resource="arn:aws:s3:::home/alice/a"))
    assert result.decision == "ImplicitDeny"
    (warning,) = result.warnings
    assert (warning.code, warning.hint) == ("missing-version", "add `\"Version\": \"2012-10-17\"`")
    assert "identity[0] has no `Version`" in warning
    with_version = iameval.load_policy(doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")), "identity")
    assert iameval.Authorizer(identity=[with_version]).authorize(
        request(ALICE, resource="arn:aws:s3:::home/alice/a")).warnings == ()


def test_the_checks_change_no_decision():
    """AWS evaluates a request as written: the same decisions, with the checks or without."""
    cases = [(request(ALICE, "s3:GetObjekt", OBJECT), "ImplicitDeny"),
             (request(ALICE, "s3:GetObject", OBJECT, context={"aws:SorceIp": "203.0.113.7"}), "Allow"),
             (request(ALICE, "s3:GetObject", "arn:aws:s3:::example-bucket"), "Allow")]
    allowing = authorizer([doc(allow("s3:GetObject", "*"))])
    for request_, decision in cases:
        result = allowing.authorize(request_)
        assert result.decision == decision and result.warnings


def test_check_run_and_who_can_report_the_checks(tmp_path):
    result = invoke("check", READ_REPORTS, "-a", "s3:GetObjekt", "-r", Q1)
    assert result.exit_code == 1
    assert ("warning: the catalogue knows no action `s3:GetObjekt` (did you mean `s3:GetObject`?) [unknown-action]"
            in flat(result.stdout))
    data = json.loads(invoke("check", READ_REPORTS, "-a", "s4:GetObject", "-r", Q1, "--json").stdout)
    assert data["warnings"][0]["code"] == "unknown-service" and data["warnings"][0]["hint"] == "did you mean `s3:GetObject`?"
    scenario = write(tmp_path / "s.json", {"id": "typo", "policies": {"identity": [doc(allow("s3:*", "*"))]},
                                           "request": request(ALICE, context={"aws:SorceIp": "1.2.3.4"})})
    line = json.loads(invoke("run", scenario, "--json").stdout)
    assert [w["code"] for w in line["warnings"]] == ["unknown-condition-key"]
    text = invoke("who-can", "--account-details", FIXTURES / "accounts" / "small-account.json", "-a", "s3:GetObjekt")
    assert "warning: the catalogue knows no action `s3:GetObjekt`" in flat(text.stdout)


# ----------------------------------------------------------------------------- missing context

CONDITIONAL = doc(allow("s3:GetObject", "*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                                                          "Bool": {"aws:MultiFactorAuthPresent": "true"}}))


def test_the_keys_a_decision_needed_and_lacked_are_reported():
    explanation = iameval.explain(authorizer([CONDITIONAL]), request(ALICE))
    assert explanation.decision == "ImplicitDeny"
    assert [(m.key, m.statements) for m in explanation.missing_context] == [
        ("aws:SourceIp", ("Statement[0] of identity[0]",)), ("aws:MultiFactorAuthPresent", ("Statement[0] of identity[0]",))]
    given = iameval.explain(authorizer([CONDITIONAL]), request(ALICE, context={"aws:SourceIp": "203.0.113.7"}))
    assert [m.key for m in given.missing_context] == ["aws:MultiFactorAuthPresent"]
    # A statement whose resource does not match reads nothing of this request.
    other = iameval.explain(authorizer([CONDITIONAL]), request(ALICE, "s3:PutObject"))
    assert other.missing_context == ()


def test_check_shows_missing_context_on_a_deny_and_always_in_json(tmp_path):
    policy = write(tmp_path / "p.json", CONDITIONAL)
    denied = invoke("check", policy, "-a", "s3:GetObject", "-r", OBJECT)
    assert denied.exit_code == 1
    assert ("missing context: `aws:SourceIp`, read by Statement[0] of p.json: give it with --context to decide "
            "with it") in flat(denied.stdout)
    data = json.loads(invoke("check", policy, "-a", "s3:GetObject", "-r", OBJECT, "--json").stdout)
    assert [m["key"] for m in data["missing_context"]] == ["aws:SourceIp", "aws:MultiFactorAuthPresent"]
    allowed = json.loads(invoke("check", policy, "-a", "s3:GetObject", "-r", OBJECT, "-c", "aws:SourceIp=203.0.113.7",
                                "-c", "aws:MultiFactorAuthPresent:=true", "--json").stdout)
    assert allowed["decision"] == "Allow" and allowed["missing_context"] == []


def test_check_names_the_conditional_principal_of_the_cloudsplaining_export():
    result = invoke("check", "--account-details", FIXTURES / "accounts" / "cloudsplaining-example.json",
                    "-p", "arn:aws:iam::200611803367:user/fn3-exploitableConditionConstraint-user",
                    "-a", "iam:CreatePolicyVersion")
    assert result.exit_code == 1
    assert ("missing context: `aws:TokenIssueTime`, read by Statement[0] of fn3-exploitableConditionConstraint"
            in flat(result.stdout))


# ----------------------------------------------------------------------------- options

@pytest.mark.parametrize("option, values", [
    ("--principal", [ALICE, "arn:aws:iam::111122223333:user/bob"]),
    ("--resource-account", ["111122223333", "444455556666"]),
    ("--resource-policy", ["a.json", "b.json"]),
    ("--permission-boundary", ["a.json", "b.json"]),
    ("--credentials", ["long-term", "GetSessionToken"]),
    ("--account-details", ["a.json", "b.json"]),
])
def test_an_option_of_one_value_given_twice_is_an_error(option, values):
    assert_repeated(["check", READ_REPORTS, "-a", "s3:GetObject", "-r", Q1], option, values)


def assert_repeated(args: list, option: str, values: list[str]) -> None:
    """The command, with `option` given each of `values`, is a `repeated-option` error located there."""
    for value in values:
        args = [*args, option, value]
    result = invoke(*args, "--json")
    assert result.exit_code == 2
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["file"]) == ("repeated-option", option)


def test_several_actions_and_resources_are_each_answered():
    args = ["check", READ_REPORTS, "-a", "s3:GetObject", "-a", "s3:DeleteObject", "-r", Q1,
            "-r", "arn:aws:s3:::example-reports/q2.csv"]
    result = invoke(*args)
    assert result.exit_code == 1
    text = flat(result.stdout)
    assert "2 of 4 allowed" in text and "ExplicitDeny" in text
    lines = [json.loads(line) for line in invoke(*args, "--json").stdout.splitlines()]
    assert [(d["action"], d["resource"][-6:], d["decision"]) for d in lines] == [
        ("s3:GetObject", "q1.csv", "Allow"), ("s3:GetObject", "q2.csv", "Allow"),
        ("s3:DeleteObject", "q1.csv", "ExplicitDeny"), ("s3:DeleteObject", "q2.csv", "ExplicitDeny")]
    both = invoke("check", READ_REPORTS, "-a", "s3:GetObject", "-a", "s3:ListBucket", "-r", "arn:aws:s3:::example-reports/*")
    assert both.exit_code == 0


# ----------------------------------------------------------------------------- every caller

BUCKET_POLICY = doc(allow("s3:GetObject", "arn:aws:s3:::b/*", Principal="*"))


@pytest.mark.parametrize("principal", ["*", "cloudtrail.amazonaws.com"])
def test_anonymous_and_service_callers_need_only_a_resource_policy(tmp_path, principal):
    bucket = write(tmp_path / "bucket.json", BUCKET_POLICY)
    result = invoke("check", "--resource-policy", bucket, "-p", principal, "-a", "s3:GetObject", "-r", "arn:aws:s3:::b/k")
    assert result.exit_code == 0, result.output
    refused = invoke("check", READ_REPORTS, "--resource-policy", bucket, "-p", principal, "-a", "s3:GetObject",
                     "-r", "arn:aws:s3:::b/k", "--json")
    assert refused.exit_code == 2
    assert json.loads(refused.stdout)["problems"][0]["code"] == "caller-without-policies"


@pytest.mark.parametrize("option, values", [
    ("--resource", ["arn:aws:s3:::a/k", "arn:aws:s3:::b/k"]),
    ("--resource-account", ["111122223333", "444455556666"]),
    ("--account-details", ["a.json", "b.json"]),
])
def test_who_can_takes_one_value_of_its_single_options(option, values):
    args = ["who-can", "--account-details", FIXTURES / "accounts" / "small-account.json", "-a", "s3:GetObject"]
    if option == "--account-details":
        args = ["who-can", "-a", "s3:GetObject"]
    assert_repeated(args, option, values)


def test_a_policy_over_its_quota_is_reported_where_it_is_evaluated(tmp_path):
    """§12.3: `validate` says a policy is over AWS's quota; `check` and `run` say so too."""
    statements = [allow("s3:GetObject", f"arn:aws:s3:::bucket-{i}/*", sid=f"S{i}") for i in range(200)]
    big = write(tmp_path / "big.json", doc(*statements))
    result = invoke("check", big, "-a", "s3:GetObject", "-r", "arn:aws:s3:::bucket-3/x", "--json")
    (warning,) = [w for w in json.loads(result.stdout)["warnings"] if w["code"] == "policy-too-large"]
    assert "more than the 6,144 that AWS accepts for a customer managed policy" in warning["message"]
    small = write(tmp_path / "small.json", doc(*statements[:20]))
    assert json.loads(invoke("check", small, "-a", "s3:GetObject", "-r", "arn:aws:s3:::bucket-3/x",
                             "--json").stdout).get("warnings", []) == []
    # A resource-based policy is held to the largest quota of its kind (a key policy's, 32,768).
    bucket = iameval.load_policy(doc(*[allow("s3:GetObject", f"arn:aws:s3:::bucket-{i}/*", Principal="*")
                                       for i in range(150)]), "resource_policy")
    assert iameval.Authorizer(resource_policy=bucket).authorize(request("*")).warnings == ()


def test_validate_reads_condition_keys_by_the_same_judgement():
    """A key of a service nobody knows is a finding of validate too; an identity provider's claim is not."""
    policy = doc(allow("s3:GetObject", Condition={"StringEquals": {"s4:prefix": "x", "accounts.google.com:aud": "y",
                                                                    "SAML:aud": "z"}}))
    findings = [f for f in validate_policy(policy) if f.code == "unknown-condition-key"]
    assert [f.message for f in findings] == ["the catalogue knows no service `s4` (in the condition key `s4:prefix`)"]

