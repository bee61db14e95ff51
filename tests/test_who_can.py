"""`who-can` says what it left out (issue 13, item 6): principals allowed only if conditions on
keys the request did not give held, what a resource-based policy grants beyond the users and
roles of the file (`*`, other accounts, services), and several actions in one question.

The accounts are the exports of fixtures/accounts (test_accounts.py describes them); the
resource-based policies are written here, each next to the fact about AWS it shows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iameval import load_policy
from iameval.catalog import expand
from iameval.engine import Authorizer, conditional_access, explain
from iameval.inputs._accounts import Grantee, load_account, granted_outside, who_can
from helpers import A, B, FIXTURES, flat, invoke

ACCOUNTS = FIXTURES / "accounts"
SMALL = ACCOUNTS / "small-account.json"
CLOUDSPLAINING = ACCOUNTS / "cloudsplaining-example.json"

CS = "200611803367"
OTHER_CS = "012345678901"
SHARED = "arn:aws:s3:::shared-bucket/reports/q1.csv"
VPCE = {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}


def user(name: str, account: str = A) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def role(name: str, account: str = A) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


FN3 = {user("fn3-exploitableConditionConstraint-user", CS), role("fn3-exploitableConditionConstraint-role", CS)}
FP5 = {user("fp5-nonExploitableConditionConstraint-user", CS), role("fp5-nonExploitableConditionConstraint-role", CS)}
# Read from the file: who may iam:CreatePolicyVersion on `*` with no context: the principals with
# iam:* or `*` (privesc-sre, the administrators of both accounts) and privesc1's own policy.
CREATE_POLICY_VERSION = (
    {user("privesc-sre-user", CS), user("privesc1-CreateNewPolicyVersion-user", CS), user("obama", OTHER_CS),
     user("userwithlotsofpermissions", OTHER_CS), role("privesc-sre-role", CS),
     role("privesc1-CreateNewPolicyVersion-role", CS), role("privesc-AssumeRole-ending-role", CS),
     role("privesc-high-priv-service-role", CS), role("OrganizationAccountAccessRole", CS),
     role("AWS-QuickSetup-StackSet-Local-ExecutionRole", CS),
     role("aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc", CS),
     role("stacksets-exec-b5520cb2730c2f54b523d6375a319abb", CS)})


@pytest.fixture(scope="module")
def small():
    return load_account(str(SMALL))


@pytest.fixture(scope="module")
def cloudsplaining():
    return load_account(str(CLOUDSPLAINING))


def allowed(answers) -> set[str]:
    return {a.principal.arn for a in answers if a.allowed}


def conditional(answers) -> set[str]:
    return {a.principal.arn for a in answers if a.conditional}


def answer_for(answers, arn: str):
    [found] = [a for a in answers if a.principal.arn == arn]
    return found


def conditions(traces) -> list[tuple[str, str, list]]:
    """(operator, key, policy values) of the conditions an answer's Allow statements wait for."""
    return [(c.operator, c.key, [w for w, _ in c.policy_values]) for t in traces for c in t.allowed_if]


def write(tmp_path: Path, name: str, document: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def edited_small(tmp_path: Path, edit) -> Path:
    data = json.loads(SMALL.read_text(encoding="utf-8"))
    edit(data)
    return write(tmp_path, SMALL.name, data)


def bucket_policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def s3_grant(sid: str, principal, action="s3:GetObject", **extra) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action,
            "Resource": "arn:aws:s3:::shared-bucket/*", **extra}


# =========================================================================================
# allowed if: conditions on keys the request did not give
# =========================================================================================
# fn3-exploitableConditionConstraint allows iam:CreatePolicyVersion when aws:TokenIssueTime is
# after 2020-01-01T00:00:01Z; fp5-nonExploitableConditionConstraint when it is before. Without
# the key both DateGreaterThan and DateLessThan are false (§8.3): both are denied as asked, and
# each is allowed once a session issued on the right side of that date asks.

def test_cloudsplaining_create_policy_version_names_the_conditional_principals(cloudsplaining):
    answers = who_can(cloudsplaining, "iam:CreatePolicyVersion", "*")
    assert allowed(answers) == CREATE_POLICY_VERSION
    assert conditional(answers) == FN3 | FP5
    for arn in FN3:
        answer = answer_for(answers, arn)
        assert answer.result.decision == "ImplicitDeny"
        assert [(t.policy, t.statement) for t in answer.allowed_if] == \
            [("fn3-exploitableConditionConstraint", "Statement[0]")]
        assert conditions(answer.allowed_if) == [("DateGreaterThan", "aws:TokenIssueTime", ["2020-01-01T00:00:01Z"])]
        assert answer.unless == ()
    for arn in FP5:
        assert conditions(answer_for(answers, arn).allowed_if) == \
            [("DateLessThan", "aws:TokenIssueTime", ["2020-01-01T00:00:01Z"])]


@pytest.mark.parametrize("issued, now_allowed", [
    ("2024-05-01T00:00:00Z", FN3),
    ("2019-05-01T00:00:00Z", FP5),
])
def test_given_the_key_the_conditional_principals_are_decided(cloudsplaining, issued, now_allowed):
    """With the key given, nothing is left to wait for: the ones it satisfies are allowed."""
    answers = who_can(cloudsplaining, "iam:CreatePolicyVersion", "*", context={"aws:TokenIssueTime": issued})
    assert allowed(answers) == CREATE_POLICY_VERSION | now_allowed
    assert conditional(answers) == set()


def test_strict_context_answers_from_the_context_given_alone(cloudsplaining):
    plain = who_can(cloudsplaining, "iam:CreatePolicyVersion", "*")
    strict = who_can(cloudsplaining, "iam:CreatePolicyVersion", "*", strict_context=True)
    assert conditional(plain)  # without strict_context, some wait on aws:TokenIssueTime
    assert conditional(strict) == set()
    assert allowed(strict) == allowed(plain) == CREATE_POLICY_VERSION


@pytest.mark.parametrize("action, resource", [
    ("iam:CreatePolicyVersion", "*"),
    ("iam:CreateServiceLinkedRole", "*"),
    ("iam:PassRole", role("privesc-high-priv-service-role", CS)),
    ("s3:GetObject", "arn:aws:s3:::example-bucket/key.txt"),
    ("sts:AssumeRole", role("privesc-permissive-role-trust", CS)),
])
def test_no_decision_changes(cloudsplaining, action, resource):
    """"Allowed if" is told beside the decision, never instead of it."""
    plain = who_can(cloudsplaining, action, resource)
    strict = who_can(cloudsplaining, action, resource, strict_context=True)
    assert [a.result for a in plain] == [a.result for a in strict]
    assert not any(a.allowed and a.conditional for a in plain)


# Facts about AWS that decide who is "allowed if", on the small account (test_accounts.py
# derives its principals' policies) with a bucket policy whose one Allow waits for
# aws:SourceVpce. The chain itself decides, taking that Allow as applying:
ALLOWED_IF_SMALL = [
    pytest.param(user("dave"), "s3:GetObject", {user("dave")},
                 id="2.2-a-grant-to-the-user-reaches-on-its-own"),
    pytest.param(A, "s3:GetObject", set(),
                 id="2.2-an-account-grant-needs-an-identity-allow-those-without-stay-denied"),
    pytest.param(user("carol"), "s3:GetObject", set(),
                 id="2.1-carol's-group-deny-applies-whatever-the-key-says"),
    pytest.param(user("bob"), "s3:PutObject", {user("bob")},
                 id="2.2-a-grant-to-the-user-needs-no-boundary"),
    pytest.param(A, "s3:PutObject", set(),
                 id="5-bob's-boundary-lacks-put-object"),
    pytest.param(role("Deployer"), "s3:GetObject", {role("Deployer")},
                 id="2.2-a-grant-to-the-role-reaches-its-session"),
]


@pytest.mark.parametrize("principal, action, expected", ALLOWED_IF_SMALL)
def test_allowed_if_is_what_the_chain_would_allow(small, principal, action, expected):
    policy = load_policy(bucket_policy(s3_grant("FromVpce", {"AWS": principal}, action, Condition=VPCE)),
                         "resource_policy")
    answers = who_can(small, action, SHARED, resource_policy=policy)
    assert conditional(answers) == expected
    for arn in expected:
        assert conditions(answer_for(answers, arn).allowed_if) == \
            [("StringEquals", "aws:SourceVpce", ["vpce-1a2b3c4d"])]
    given = who_can(small, action, SHARED, resource_policy=policy, context={"aws:SourceVpce": "vpce-1a2b3c4d"})
    assert allowed(given) == allowed(answers) | expected


def test_only_the_allows_that_would_do_are_named(small):
    """dave is named by the bucket policy and reached by an account-wide grant, both waiting
    for the key: the account grant alone would not do (he has no identity Allow, §2.2)."""
    policy = load_policy(bucket_policy(s3_grant("AccountFromVpce", {"AWS": A}, Condition=VPCE),
                                       s3_grant("DaveFromVpce", {"AWS": user("dave")}, Condition=VPCE)),
                         "resource_policy")
    dave = answer_for(who_can(small, "s3:GetObject", SHARED, resource_policy=policy), user("dave"))
    assert [t.statement for t in dave.allowed_if] == ["DaveFromVpce"]


def _mfa_required_of_alice(data: dict) -> None:
    """alice's inline policy denies S3 without MFA, as AWS's example policy writes it."""
    [alice] = [u for u in data["UserDetailList"] if u["UserName"] == "alice"]
    alice["UserPolicyList"] = [{"PolicyName": "RequireMfa", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{
            "Sid": "DenyWithoutMfa", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}}]


def test_a_deny_on_a_key_the_request_did_not_give_is_said(tmp_path):
    """BoolIfExists on an absent key holds (§8.3): alice is denied as asked, and allowed with
    MFA. Her answer names the Deny that must stop applying."""
    account = load_account(str(edited_small(tmp_path, _mfa_required_of_alice)))
    alice = answer_for(who_can(account, "s3:GetObject", SHARED), user("alice"))
    assert alice.result.decision == "ExplicitDeny" and alice.conditional
    assert alice.allowed_if == ()
    assert [(t.statement, [(c.operator, c.key) for c in t.absent]) for t in alice.unless] == \
        [("DenyWithoutMfa", [("BoolIfExists", "aws:MultiFactorAuthPresent")])]
    assert allowed(who_can(account, "s3:GetObject", SHARED, context={"aws:MultiFactorAuthPresent": True})) \
        >= {user("alice")}
    assert not answer_for(who_can(account, "s3:GetObject", SHARED, context={"aws:MultiFactorAuthPresent": False}),
                          user("alice")).conditional


# ------------------------------------------------------------------------------- the command

def test_who_can_text_names_the_conditional_principals():
    result = invoke("who-can", "--account-details", CLOUDSPLAINING, "-a", "iam:CreatePolicyVersion")
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert ("12 of 122 principals may iam:CreatePolicyVersion on *; 4 more depending on keys the request "
            "did not give") in text
    assert ("4 allowed depending on keys the request did not give (`aws:TokenIssueTime`: give them with "
            "--context to decide; --strict-context leaves these out):") in text
    for arn in FN3:
        assert (f"{arn} Allow Statement[0] of identity-based policy fn3-exploitableConditionConstraint "
                "allowed if DateGreaterThan aws:TokenIssueTime `2020-01-01T00:00:01Z`") in text, text


def test_who_can_json_gives_the_conditions_of_each_conditional_principal():
    result = invoke("who-can", "--account-details", CLOUDSPLAINING, "-a", "iam:CreatePolicyVersion", "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 122 and all(line["action"] == "iam:CreatePolicyVersion" for line in lines)
    by_principal = {line["principal"]: line for line in lines}
    assert {p for p, line in by_principal.items() if "allowed_if" in line} == FN3 | FP5
    fn3 = by_principal[user("fn3-exploitableConditionConstraint-user", CS)]
    assert fn3["decision"] == "ImplicitDeny"
    assert fn3["allowed_if"] == [{
        "policy_type": "identity", "policy": "fn3-exploitableConditionConstraint", "statement": "Statement[0]",
        "effect": "Allow", "conditions": [{"operator": "DateGreaterThan", "key": "aws:TokenIssueTime",
                                           "request": None, "policy": ["2020-01-01T00:00:01Z"], "holds": False}]}]
    assert fn3["unless"] == [] and fn3["missing_context"] == ["aws:TokenIssueTime"]


def test_who_can_strict_context_keeps_today_s_answer():
    result = invoke("who-can", "--account-details", CLOUDSPLAINING, "-a", "iam:CreatePolicyVersion",
                    "--strict-context")
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "12 of 122 principals may iam:CreatePolicyVersion on * " in text + " "
    assert "depending on keys" not in text
    assert not any(arn in text for arn in FN3 | FP5)
    lines = invoke("who-can", "--account-details", CLOUDSPLAINING, "-a", "iam:CreatePolicyVersion",
                   "--strict-context", "--json").stdout.splitlines()
    assert not any("allowed_if" in json.loads(line) for line in lines)


def test_who_can_given_the_key_lists_them_as_allowed():
    result = invoke("who-can", "--account-details", CLOUDSPLAINING, "-a", "iam:CreatePolicyVersion",
                    "-c", "aws:TokenIssueTime=2024-05-01T00:00:00Z")
    text = flat(result.output)
    assert "14 of 122 principals may iam:CreatePolicyVersion on * " in text + " "
    assert "depending on keys" not in text


def test_who_can_text_names_the_deny_that_must_stop_applying(tmp_path):
    path = edited_small(tmp_path, _mfa_required_of_alice)
    text = flat(invoke("who-can", "--account-details", path, "-a", "s3:GetObject", "-r", SHARED).output)
    assert "4 of 9 principals may s3:GetObject on" in text and "1 more depending on keys" in text
    assert (f"{user('alice')} Deny DenyWithoutMfa of identity-based policy RequireMfa (inline, user alice) "
            "denied while BoolIfExists aws:MultiFactorAuthPresent `false`") in text


def _mfa_to_assume_deployer(data: dict) -> None:
    """Deployer's trust policy (the account root) asks for MFA."""
    [deployer] = [r for r in data["RoleDetailList"] if r["RoleName"] == "Deployer"]
    deployer["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] = {
        "Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_role_view_says_who_may_assume_a_role_with_mfa(tmp_path):
    """erin and AdminRole have an identity Allow for sts:AssumeRole (test_accounts.py): they may
    assume Deployer once they sign in with MFA; nobody may without it (exit 1)."""
    path = edited_small(tmp_path, _mfa_to_assume_deployer)
    result = invoke("who-can", "--account-details", path, "--assume", "-r", role("Deployer"), "--json")
    assert result.exit_code == 1, result.output
    [line] = [json.loads(line) for line in result.stdout.splitlines()]
    assert line["allowed"] == []
    assert [entry["principal"] for entry in line["allowed_if"]] == [user("erin"), role("AdminRole")]
    assert all(entry["missing_context"] == ["aws:MultiFactorAuthPresent"] for entry in line["allowed_if"])
    text = flat(invoke("who-can", "--account-details", path, "--assume", "-r", role("Deployer")).output)
    assert (f"{user('erin')} (depending on keys the request did not give) Allow AccountDelegates of "
            "resource-based policy trust policy of role Deployer allowed if Bool aws:MultiFactorAuthPresent "
            "`true`") in text
    strict = invoke("who-can", "--account-details", path, "--assume", "-r", role("Deployer"), "--strict-context")
    assert "nobody can assume it" in strict.output


# =========================================================================================
# granted beyond the users and roles of the file
# =========================================================================================
# A trust policy is the resource policy of sts:AssumeRole on its role (§2.5). Read from the files:
TRUSTED_BEYOND = [
    pytest.param(SMALL, role("audit/Auditor"), [(Grantee.ACCOUNT, B, "PartnerAccount")], id="small-Auditor"),
    pytest.param(SMALL, role("AdminRole"), [(Grantee.ACCOUNT, B, "BreakGlassFromSecurityAccount")],
                 id="small-AdminRole-root-arn-is-the-account"),
    pytest.param(SMALL, role("AppRole"), [(Grantee.SERVICE, "ec2.amazonaws.com", "Statement[0]")],
                 id="small-AppRole-service"),
    pytest.param(SMALL, role("Deployer"), [], id="small-Deployer-own-account-is-evaluated"),
    pytest.param(CLOUDSPLAINING, role("OrganizationAccountAccessRole", CS),
                 [(Grantee.ACCOUNT, "072528804237", "Statement[0]")], id="cs-OrganizationAccountAccessRole"),
    pytest.param(CLOUDSPLAINING, role("stacksets-exec-b5520cb2730c2f54b523d6375a319abb", CS),
                 [(Grantee.PRINCIPAL, "arn:aws:iam::072528804237:role/aws-service-role/stacksets.cloudformation."
                   "amazonaws.com/AWSServiceRoleForCloudFormationStackSetsOrgAdmin", "1")],
                 id="cs-stacksets-exec-a-role-of-another-account"),
    pytest.param(CLOUDSPLAINING, role("fn3-exploitableConditionConstraint-role", CS),
                 [(Grantee.PRINCIPAL, f"arn:aws:sts::{CS}:assumed-role/AWSReservedSSO_AdministratorAccess_"
                   "dc6414f7f2ab04fc/elad@codsec.io", "Statement[0]")],
                 id="cs-a-session-is-no-user-or-role-of-the-file"),
    pytest.param(CLOUDSPLAINING, role("privesc-high-priv-service-role", CS),
                 [(Grantee.SERVICE, f"{s}.amazonaws.com", "Statement[0]") for s in sorted(
                     ["datapipeline", "elasticbeanstalk", "sagemaker", "eks", "glue", "lambda", "cloudformation",
                      "ecs-tasks", "ec2", "codebuild"])],
                 id="cs-ten-services"),
]


@pytest.mark.parametrize("path, target, expected", TRUSTED_BEYOND)
def test_trust_policy_grants_beyond_the_file(path, target, expected):
    account = load_account(str(path))
    grants = granted_outside(account, "sts:AssumeRole", target)
    assert [(g.kind, g.principal, [t.statement for t in g.statements]) for g in grants] == \
        [(kind, name, [sid]) for kind, name, sid in expected]
    assert all(not g.allowed_if and not g.denied_by for g in grants)


def test_a_federated_grant_waits_for_its_saml_audience(small):
    """AdminRole trusts CorpIdP for sts:AssumeRoleWithSAML when SAML:aud is AWS's sign-in page;
    ec2.amazonaws.com, which AppRole trusts, cannot call AssumeRoleWithSAML at all."""
    [grant] = granted_outside(small, "sts:AssumeRoleWithSAML", role("AdminRole"))
    assert (grant.kind, grant.principal) == (Grantee.FEDERATED, f"arn:aws:iam::{A}:saml-provider/CorpIdP")
    assert grant.statements == ()
    assert conditions(grant.allowed_if) == [("StringEquals", "SAML:aud", ["https://signin.aws.amazon.com/saml"])]
    assert granted_outside(small, "sts:AssumeRoleWithSAML", role("AppRole")) == []


PUBLIC_BUCKET = bucket_policy(
    s3_grant("PublicRead", "*"),
    s3_grant("PartnerFromVpce", {"AWS": B}, "s3:*", Condition=VPCE),
    s3_grant("TrailWrites", {"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject"),
    {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::shared-bucket/*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}})


def test_a_public_bucket_policy_says_anyone(small):
    policy = load_policy(PUBLIC_BUCKET, "resource_policy")
    grants = granted_outside(small, "s3:GetObject", SHARED, resource_policy=policy)
    assert [(g.kind, g.principal, g.description) for g in grants] == [
        (Grantee.ANYONE, "*", "anyone, including anonymous callers"),
        (Grantee.ACCOUNT, B, f"any principal of account {B}")]
    anyone, partner = grants
    assert [t.statement for t in anyone.statements] == ["PublicRead"] and anyone.statements[0].conditions == ()
    assert partner.statements == () and [t.statement for t in partner.allowed_if] == ["PartnerFromVpce"]
    assert granted_outside(small, "s3:GetObject", SHARED, resource_policy=policy, strict_context=True) == [anyone]
    put = granted_outside(small, "s3:PutObject", SHARED, resource_policy=policy)
    assert [(g.kind, g.principal) for g in put] == [(Grantee.ACCOUNT, B), (Grantee.SERVICE, "cloudtrail.amazonaws.com")]


def test_a_deny_that_reaches_the_grantee_is_said(small):
    """A Deny to everyone outside the account: aws:PrincipalAccount is absent for an anonymous
    caller, and StringNotEquals on an absent key is true (§8.3)."""
    policy = load_policy(bucket_policy(
        s3_grant("PublicRead", "*"),
        {"Sid": "OnlyOurAccount", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": "arn:aws:s3:::shared-bucket/*",
         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": A}}}), "resource_policy")
    [anyone] = granted_outside(small, "s3:GetObject", SHARED, resource_policy=policy)
    assert [t.statement for t in anyone.denied_by] == ["OnlyOurAccount"]


def test_who_can_text_and_json_show_a_public_bucket(tmp_path):
    path = write(tmp_path, "bucket-policy.json", PUBLIC_BUCKET)
    args = ["who-can", "--account-details", SMALL, "-a", "s3:GetObject", "-r", SHARED, "--resource-policy", path]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    # carol's group denies her the shared bucket; everyone else is reached by `*` (§2.2).
    assert "8 of 9 principals may s3:GetObject" in text
    assert ("granted beyond the users and roles of the file by the resource-based policy (a caller of another "
            "account needs its own account's Allow too): anyone, including anonymous callers Allow PublicRead of "
            "resource-based policy bucket-policy.json any principal of account 444455556666 Allow PartnerFromVpce "
            "of resource-based policy bucket-policy.json allowed if StringEquals aws:SourceVpce `vpce-1a2b3c4d`") \
        in text, text
    lines = [json.loads(line) for line in invoke(*args, "--json").stdout.splitlines()]
    assert len(lines) == 9 + 2
    anyone, partner = lines[9:]
    assert anyone == {"principal": "*", "kind": "anyone", "action": "s3:GetObject",
                      "granted_outside": "anyone, including anonymous callers",
                      "statements": [{"policy_type": "resource_policy", "policy": "bucket-policy.json",
                                      "statement": "PublicRead", "effect": "Allow", "conditions": []}]}
    assert (partner["kind"], partner["principal"], partner["statements"]) == ("account", B, [])
    assert [s["statement"] for s in partner["allowed_if"]] == ["PartnerFromVpce"]


def test_who_can_assume_role_names_the_other_account():
    result = invoke("who-can", "--account-details", SMALL, "-a", "sts:AssumeRole", "-r", role("audit/Auditor"))
    text = flat(result.output)
    assert "1 of 9 principals may sts:AssumeRole" in text
    assert (f"any principal of account {B} Allow PartnerAccount of resource-based policy trust policy of role "
            "Auditor") in text


# =========================================================================================
# several actions
# =========================================================================================

def test_several_actions_are_answered_each_on_its_own():
    args = ["who-can", "--account-details", CLOUDSPLAINING, "-a", "iam:CreatePolicyVersion", "-a", "iam:CreateUser"]
    text = flat(invoke(*args).output)
    assert "12 of 122 principals may iam:CreatePolicyVersion on *; 4 more" in text
    assert "10 of 122 principals may iam:CreateUser on * " in text
    lines = [json.loads(line) for line in invoke(*args, "--json").stdout.splitlines()]
    assert [line["action"] for line in lines] == ["iam:CreatePolicyVersion"] * 122 + ["iam:CreateUser"] * 122


def test_an_action_wildcard_stands_for_the_actions_of_the_catalogue():
    result = invoke("who-can", "--account-details", SMALL, "-a", "iam:Create*", "-a", "iam:CreateUser", "--json")
    assert result.exit_code == 0, result.output
    actions = list(dict.fromkeys(json.loads(line)["action"] for line in result.stdout.splitlines()))
    assert actions == [str(a) for a in expand("iam:Create*")]
    assert len(actions) > 10


# =========================================================================================
# allowed if: not on keys the caller's kind fixes (IAM-SEMANTICS §10)
# =========================================================================================
# AWS sets `aws:PrincipalIsAWSService` to false for every caller with an account's credentials and
# to true for a service principal: a condition on it is decided by the kind of caller, not by a
# key the request might still give.
ALICE_ARN = user("alice")
SERVICE = "cloudtrail.amazonaws.com"
FROM_SERVICES = s3_grant("FromServices", "*", Condition={"Bool": {"aws:PrincipalIsAWSService": "true"}})
FROM_VPCE = s3_grant("FromVpce", "*", Condition=VPCE)


def deny_callers(condition: dict) -> dict:
    return {"Sid": "OnlyServices", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::shared-bucket/*", "Condition": condition}


def allowed_if(principal: str, *statements: dict) -> list[str]:
    """The Allow statements a denied request of `principal` would be allowed by, were the
    conditions on keys it did not give to hold (`conditional_access`, who-can's "allowed if")."""
    authorizer = Authorizer(resource_policy=load_policy(bucket_policy(*statements), "resource_policy"))
    request = {"principal": principal, "action": "s3:GetObject", "resource": SHARED, "resource_account": A}
    assert not authorizer.authorize(request).allowed
    taken, _ = conditional_access(authorizer, request, explain(authorizer, request))
    return [t.statement for t in taken]


def test_an_iam_user_is_never_allowed_if_it_were_an_aws_service():
    assert allowed_if(ALICE_ARN, FROM_SERVICES) == []
    assert allowed_if(ALICE_ARN, FROM_SERVICES, FROM_VPCE) == ["FromVpce"]  # a key it may still give


def test_a_service_principal_is_allowed_if_its_kind_meets_the_condition():
    assert allowed_if(SERVICE, FROM_SERVICES) == ["FromServices"]


@pytest.mark.parametrize("condition", [
    {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},  # applies as asked, through the absent key
    {"Bool": {"aws:PrincipalIsAWSService": "false"}},          # does not apply as asked: the key is absent
])
def test_a_deny_every_iam_user_meets_is_not_lifted(condition):
    assert allowed_if(ALICE_ARN, FROM_VPCE, deny_callers(condition)) == []
    assert allowed_if(SERVICE, s3_grant("ServiceFromVpce", {"Service": SERVICE}, Condition=VPCE),
                      deny_callers(condition)) == ["ServiceFromVpce"]  # a service never meets it


def test_a_data_perimeter_deny_an_iam_user_meets_is_lifted_by_the_keys_it_may_still_give():
    """A Deny outside the organization, for callers that are not AWS services (the data
    perimeter's pattern): an IAM user meets the second condition always (§10), the first only
    outside the organization, which `aws:PrincipalOrgID` it may still give would lift."""
    perimeter = deny_callers({"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                              "Bool": {"aws:PrincipalIsAWSService": "false"}})
    assert allowed_if(ALICE_ARN, FROM_VPCE, perimeter) == ["FromVpce"]


@pytest.mark.parametrize("actions, code", [
    (["sqs:SendMessage"], 1),                           # nobody, as before
    (["sts:GetCallerIdentity", "sqs:SendMessage"], 0),  # someone, for one of them (everyone: §2.7)
    (["sqs:SendMessage", "sqs:ReceiveMessage"], 1),     # nobody, for any of them
])
def test_exit_code_is_0_when_someone_is_allowed_for_some_action(actions, code):
    args = [arg for action in actions for arg in ("-a", action)]
    result = invoke("who-can", "--account-details", SMALL, *args, "-r", f"arn:aws:sqs:us-east-1:{B}:inbox")
    assert result.exit_code == code, result.output


def test_a_wildcard_that_matches_nothing_is_a_coded_error():
    result = invoke("who-can", "--account-details", SMALL, "-a", "s3:GetObject", "-a", "s3:Nothing*", "--json")
    assert result.exit_code == 2
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["code"] == "no-matching-action"
    assert "`s3:Nothing*` matches no action of the catalogue" in problem["message"]
