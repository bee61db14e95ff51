"""`public`: which outside callers a resource or trust policy lets in (IAM-SEMANTICS §2.2, §2.6, §3, §7.4, §10).

On the real bucket, SNS, Lambda and trust policies of fixtures/policy-examples, and on rows
that say what restricts and what does not: a condition on a key the caller fixes (its account,
its organization, a service's source) restricts; one on a key any caller sets does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iameval import Authorizer, load_policy
from iameval.analysis import PublicReport, public
from iameval.analysis._diff import OWN_ALLOWS, OWN_AND_SESSION_ALLOW
from iameval.policy._files import load_policy_files
from iameval.policy._model import Policy, PolicyKind
from helpers import invoke

EXAMPLES = Path(__file__).parent.parent / "fixtures" / "policy-examples"
ALLOW_ALL = load_policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "identity", name="allow-all")
OWN = "123456789012"


def example(folder: str, name: str) -> Policy:
    (policy,) = load_policy_files([str(EXAMPLES / folder / name)], PolicyKind.RESOURCE_POLICY)
    return policy


def bucket_policy(**statement: Any) -> Policy:
    return load_policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*",
         **statement}]},
        "resource_policy", name="bucket")


def replays(report: PublicReport, policy: Policy) -> None:
    """Every example is allowed by the policy and not without it, as the engine decides."""
    for found in report.findings:
        example_ = found.finding.example
        identity = [ALLOW_ALL] if example_.identity in (OWN_ALLOWS, OWN_AND_SESSION_ALLOW) else []
        session = [ALLOW_ALL] if example_.identity == OWN_AND_SESSION_ALLOW else []
        request = {"principal": example_.principal, "action": example_.action, "resource": example_.resource,
                   "context": example_.context, "resource_account": example_.resource_account}
        assert Authorizer(identity=identity, session=session, resource_policy=policy).authorize(request).allowed
        assert not Authorizer(identity=identity, session=session).authorize(request).allowed


def kinds(report: PublicReport) -> dict[str, str]:
    return {str(f.outside): f.finding.example.principal for f in report.findings}


# ------------------------------------------------------------------------------- real policies

def test_a_public_read_bucket_policy_lets_anyone_read():
    policy = example("resource", "s3-get-bucket-policy__cloudmapper_demo.json")
    report = public(policy, OWN)
    assert report.result == "public"
    assert kinds(report)["anonymous"] == "*"
    assert kinds(report)["any-account"].split(":")[4] != OWN
    assert {f.finding.example.action for f in report.findings} == {"s3:GetObject"}
    replays(report, policy)


def test_the_default_sns_topic_policy_is_not_public():
    """`AWS:SourceOwner` is present only when a service calls for a resource (§10): `*` under it
    reaches no caller of another account, nor an anonymous one."""
    topic = "sns-get-topic-attributes__arn_aws_sns_us-east-1_123456789012_demo_private.json"
    report = public(example("resource", topic), OWN)
    assert report.result == "not-public" and not report.unknown


def test_an_sns_topic_open_to_everyone_is_public():
    policy = example("resource", "sns-get-topic-attributes__arn_aws_sns_us-east-1_123456789012_demo_public.json")
    report = public(policy, OWN)
    assert report.result == "public"
    replays(report, policy)


def test_a_lambda_permission_for_one_service_is_not_public():
    assert public(example("resource", "lambda-get-policy__invpclambda.json"), "653711331788").result == "not-public"


def test_a_trust_policy_for_a_service_is_not_public():
    assert public(example("trust", "aws-cli-docs-example__EC2role.json"), OWN, kind="trust").result == "not-public"


def test_a_trust_policy_that_names_another_account_lets_it_in():
    policy = example("trust", "cloudsplaining-example__OrganizationAccountAccessRole.json")
    report = public(policy, OWN, kind="trust")
    assert report.result == "outside-access"
    assert kinds(report)["outside-account"].split(":")[4] == "072528804237"
    replays(report, policy)


def test_a_trust_policy_of_everyone_is_public():
    policy = example("trust", "cloudmapper-demo__bad_role.json")
    report = public(policy, OWN, kind="trust")
    assert report.result == "public"
    assert {f.finding.example.action for f in report.findings} <= {"sts:AssumeRole"}
    assert all(f.finding.example.resource.startswith(f"arn:aws:iam::{OWN}:role/") for f in report.findings)
    replays(report, policy)


def test_a_saml_provider_of_the_own_account_is_outside_access():
    """An identity provider's users are outside the account: the role trusts whoever it vouches for (§2.7)."""
    policy = example("trust", "cloudsplaining-example__AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc.json")
    report = public(policy, "200611803367", kind="trust")
    assert report.result == "outside-access"
    found = kinds(report)["outside-account"]
    assert found == "arn:aws:iam::200611803367:saml-provider/AWSSSO_b937d2dff24f2774_DO_NOT_DELETE"
    replays(report, policy)


# ------------------------------------------------------------------------------- what restricts

def test_the_organization_restricts_to_its_accounts():
    """`aws:PrincipalOrgID` (§10): other accounts of the organization are let in, no caller
    outside it, and no anonymous caller, who carries no organization."""
    policy = bucket_policy(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})
    report = public(policy, OWN)
    assert report.result == "outside-access"
    assert set(kinds(report)) == {"outside-account"}
    assert report.organizations == ("o-a1b2c3d4e5",)
    assert report.findings[0].finding.example.context["aws:PrincipalOrgID"] == "o-a1b2c3d4e5"
    replays(report, policy)


def test_organization_paths_restrict_to_the_organization_they_name():
    """`aws:PrincipalOrgPaths` (§10) comes with `aws:PrincipalOrgID`, as a list of the paths of
    that organization: paths under `o-a1b2c3d4e5/` let in its accounts alone, and no caller
    outside it, whose paths (if any) begin with its own organization."""
    policy = bucket_policy(Principal="*", Condition={
        "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}})
    report = public(policy, OWN)
    assert report.result == "outside-access"
    assert set(kinds(report)) == {"outside-account"}
    assert report.organizations == ("o-a1b2c3d4e5",)
    context = report.findings[0].finding.example.context
    assert context["aws:PrincipalOrgID"] == "o-a1b2c3d4e5"
    assert isinstance(context["aws:PrincipalOrgPaths"], list)
    assert all(p.startswith("o-a1b2c3d4e5/") for p in context["aws:PrincipalOrgPaths"])
    replays(report, policy)


def test_organization_paths_of_any_organization_are_public():
    policy = bucket_policy(Principal="*", Condition={"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "*/ou-ab12-*"}})
    report = public(policy, OWN)
    assert report.result == "public" and "any-account" in kinds(report)
    context = next(f.finding.example.context for f in report.findings if f.outside == "any-account")
    assert "aws:PrincipalOrgID" in context and all(
        p.startswith(context["aws:PrincipalOrgID"] + "/") or not p.startswith("o-a") for p in context["aws:PrincipalOrgPaths"])
    replays(report, policy)


def test_an_organization_given_that_the_policy_does_not_name_is_outside():
    policy = bucket_policy(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})
    report = public(policy, OWN, ["o-zzzzzzzzzz"])
    assert "outside-organization" in kinds(report) and "any-account" in kinds(report)
    replays(report, policy)


@pytest.mark.parametrize("condition", [
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    {"Bool": {"aws:SecureTransport": "true"}},
], ids=["source-ip", "vpc-endpoint", "secure-transport"])
def test_a_condition_any_caller_can_meet_does_not_restrict(condition):
    """The request is the caller's to make: a key it sets does not keep it out."""
    policy = bucket_policy(Principal="*", Condition=condition)
    report = public(policy, OWN)
    assert report.result == "public"
    replays(report, policy)


def test_the_own_account_alone_is_not_public():
    policy = bucket_policy(Principal={"AWS": f"arn:aws:iam::{OWN}:root"})
    assert public(policy, OWN).result == "not-public"


def test_an_account_pattern_on_the_principal_arn_reaches_every_account():
    """`ArnLike aws:PrincipalArn arn:aws:iam::*:role/deploy` (§7.4): any account can make that role."""
    policy = bucket_policy(Principal="*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy"}})
    report = public(policy, OWN)
    assert report.result == "public" and "anonymous" not in kinds(report)
    replays(report, policy)


# ------------------------------------------------------------------------------- command line

def test_public_command_exits_and_json(tmp_path):
    open_ = tmp_path / "open.json"
    open_.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}))
    closed = tmp_path / "closed.json"
    closed.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": OWN}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}))
    result = invoke("public", str(open_), "--json", "--account", OWN)
    assert result.exit_code == 1, result.output
    shown = json.loads(result.stdout)
    assert shown["result"] == "public"
    assert {f["kind"] for f in shown["findings"]} >= {"anonymous", "any-account"}
    assert set(shown["findings"][0]["example"]) >= {"principal", "action", "resource", "context"}
    assert invoke("public", str(closed), "--account", OWN).exit_code == 0
    assert invoke("public", str(closed), "--account", "12").exit_code == 2
    assert invoke("public", str(tmp_path / "missing.json")).exit_code == 2
    assert invoke("public", str(closed), "--type", "identity").exit_code == 2


def test_a_deny_outside_the_resources_own_account_keeps_everyone_out():
    """`${aws:ResourceAccount}` is the resource's account (§9): a Deny of every caller whose
    `aws:PrincipalAccount` differs leaves only the account's own callers, and no anonymous one
    (the key is absent for it, and `StringNotEquals` holds on an absent key, §8.3)."""
    policy = load_policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Sid": "OwnAccountOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount}"}}}]},
        "resource_policy", name="bucket")
    report = public(policy, OWN)
    assert report.result == "not-public" and not report.unknown


def _key_policy(*extra: dict) -> Policy:
    """AWS's default key policy (the account's root may delegate to IAM policies), and `extra`."""
    return load_policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWN}:root"},
         "Action": "kms:*", "Resource": "*"}, *extra]}, "resource_policy", name="key", key_policy=True)


def test_the_default_key_policy_is_not_public():
    assert public(_key_policy(), OWN).result == "not-public"


def test_a_key_policy_that_lets_another_account_decrypt_is_outside_access():
    """§2.5: a key policy is the key's only way in; one that names another account lets its
    callers use the key, their own policies allowing."""
    policy = _key_policy({"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "444455556666"},
                          "Action": "kms:Decrypt", "Resource": "*"})
    report = public(policy, OWN)
    assert report.result == "outside-access"
    example_ = report.findings[0].finding.example
    assert example_.principal.split(":")[4] == "444455556666" and example_.action == "kms:Decrypt"
    replays(report, policy)


def test_the_organization_of_the_resource_is_the_one_given():
    """A data perimeter's `aws:PrincipalOrgID` equal to `${aws:ResourceOrgID}` (§9, §10): with the
    resource's organization given, only callers of that organization are let in."""
    policy = bucket_policy(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}})
    report = public(policy, OWN, ["o-a1b2c3d4e5"])
    assert report.result == "outside-access" and set(kinds(report)) == {"outside-account"}
    assert report.findings[0].finding.example.context["aws:PrincipalOrgID"] == "o-a1b2c3d4e5"
    replays(report, policy)


def test_an_anonymous_caller_carries_no_key_of_an_account_s_credentials():
    """A Deny unless MFA was used (`BoolIfExists aws:MultiFactorAuthPresent false`): an
    anonymous request has no credentials, so the key is absent (§10) and the Deny applies; a
    caller of an account that used MFA is let in."""
    policy = load_policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "RequireMfa", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::bucket/*"}]}, "resource_policy", name="bucket")
    report = public(policy, OWN)
    assert "anonymous" not in kinds(report)
    assert kinds(report)["any-account"].split(":")[4] != OWN
    replays(report, policy)


def test_a_caller_of_another_partition_is_said_unknown_never_left_out():
    """The callers searched are of the `aws` partition: a role of `aws-cn` that a policy lets in
    makes the answer unknown, with why, rather than 'not public'."""
    policy = bucket_policy(Principal={"AWS": "arn:aws-cn:iam::444455556666:role/Reader"})
    report = public(policy, OWN)
    assert report.result == "unknown"
    assert any("partition `aws-cn`" in part.reason for part in report.unknown)
