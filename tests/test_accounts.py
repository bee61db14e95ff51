"""Whole accounts: `get-account-authorization-details` output, `who_can`, the role view, and the
`check --account-details` / `who-can` commands.

Fixtures (fixtures/accounts/README.md):
* `small-account.json`, written for these tests, where every expected answer below is derived by
  hand from IAM-SEMANTICS §1-§5 (the derivation is written next to each table);
* `cloudsplaining-example.json`, a real export (two accounts, 44 users, 78 roles) whose answers
  were worked out by reading the file (comments at the tables);
* `aws-cli-docs-example.json`, AWS's documented example, whose attachments of AWS managed
  policies the file does not hold: iameval's snapshot does (tests/test_managed_policies.py);
  without it (`no_snapshot`) they dangle.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest
from iameval import PolicyError, load_policy
from iameval.inputs._accounts import Account, AccountPrincipal, load_account, trusted_outside, who_can
from helpers import A, B, FIXTURES, flat, invoke

ACCOUNTS = FIXTURES / "accounts"
SMALL = ACCOUNTS / "small-account.json"
CLOUDSPLAINING = ACCOUNTS / "cloudsplaining-example.json"
AWS_CLI = ACCOUNTS / "aws-cli-docs-example.json"

PARTNER = B


def user(name: str, account: str = A) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def role(name: str, account: str = A) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


ALICE, CAROL, BOB, DAVE, ERIN = (user(n) for n in ("alice", "carol", "bob", "dave", "erin"))
APP_ROLE, DEPLOYER, AUDITOR, ADMIN_ROLE = (role(n) for n in ("AppRole", "Deployer", "audit/Auditor", "AdminRole"))
SHARED_OBJECT = "arn:aws:s3:::shared-bucket/reports/q1.csv"
INSTANCE = f"arn:aws:ec2:us-east-1:{A}:instance/i-0123456789abcdef0"


@pytest.fixture(scope="module")
def small() -> Account:
    return load_account(str(SMALL))


@pytest.fixture(scope="module")
def cloudsplaining() -> Account:
    return load_account(str(CLOUDSPLAINING))


@pytest.fixture
def aws_cli(no_snapshot: None) -> Account:
    """The example as if its AWS managed policies were newer than iameval's snapshot."""
    return load_account(str(AWS_CLI))


def allowed(answers) -> set[str]:
    return {a.principal.arn for a in answers if a.allowed}


def answer_for(answers, arn: str):
    [found] = [a for a in answers if a.principal.arn == arn]
    return found


def base_names(principal) -> set[str]:
    """Policy names without the `(inline, group developers)` note the loader adds."""
    return {p.name.split(" (")[0] for p in principal.identity}


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle} not in {path}")


def edited_copy(tmp_path: Path, source: Path, edit) -> Path:
    data = json.loads(source.read_text(encoding="utf-8"))
    edit(data)
    out = tmp_path / source.name
    out.write_text(json.dumps(data, indent=4), encoding="utf-8")
    return out


# =========================================================================================
# loading
# =========================================================================================

def test_small_account_loads_complete(small):
    assert [p.name for p in small.users] == ["alice", "carol", "bob", "dave", "erin"]
    assert [p.name for p in small.roles] == ["AppRole", "Deployer", "Auditor", "AdminRole"]
    assert small.warnings == ()
    assert all(p.complete for p in small.principals)


def test_cloudsplaining_counts(cloudsplaining):
    assert len(cloudsplaining.users) == 44
    assert len(cloudsplaining.roles) == 78
    assert cloudsplaining.warnings == ()


@pytest.mark.parametrize("arn, names", [
    # §1: a user's policies are its own plus its groups' inline and attached ones.
    (ALICE, {"DevelopersRead", "DevTeamPolicy"}),
    (CAROL, {"DevelopersRead", "DevTeamPolicy", "ContractorsNoShared"}),
    (BOB, {"S3Admin"}),
    (DAVE, set()),
    (ERIN, {"AssumeAccountRoles"}),
    (APP_ROLE, {"AppData"}),
    (DEPLOYER, {"DeployApp"}),
    (AUDITOR, {"AmazonS3ReadOnlyAccess"}),
    (ADMIN_ROLE, {"AdministratorAccess"}),
])
def test_identity_policies_of_each_principal(small, arn, names):
    principal = small.find(arn)
    assert base_names(principal) == names
    assert len(principal.identity) == len(names)


def test_group_membership_is_recorded(small):
    assert small.find(CAROL).groups == ("developers", "contractors")
    assert small.find(BOB).groups == ()


def test_user_in_two_groups_gets_both_groups_policies_from_real_export(cloudsplaining):
    """biden: an AWS managed and an inline policy of its own, and its group's managed and inline."""
    biden = cloudsplaining.find(user("biden", "012345678901"))
    assert base_names(biden) == {"AWSLambdaFullAccess", "InsecureUserPolicy", "AmazonRDSFullAccess",
                                 "InlinePolicyForBidenGroup"}


def test_only_the_default_version_counts(small):
    """DevTeamPolicy has v1 (`*` on `*`) and v2 (`s3:*`, `iam:*`) before its default v3."""
    [dev_team] = [p for p in small.find(ALICE).identity if p.name == "DevTeamPolicy"]
    assert [s.sid for s in dev_team.statement] == ["OwnTeamPrefix", "StartOwnTeamInstances"]
    [read_only] = small.find(AUDITOR).identity
    assert [list(s.action) for s in read_only.statement] == [["s3:Get*", "s3:List*"]]
    # Behaviour: v1 or v2 would let alice do anything in IAM.
    answers = who_can(small, "iam:CreateUser", user("mallory"))
    assert allowed(answers) == {ADMIN_ROLE}
    assert answer_for(answers, ALICE).result.decision == "ImplicitDeny"


def test_url_encoded_documents_are_decoded(small):
    """The raw IAM API returns documents URL-encoded (the CLI decodes them): both forms load."""
    [app_data] = small.find(APP_ROLE).identity
    assert [s.sid for s in app_data.statement] == ["ReadShared", "Orders"]
    trust = small.find(AUDITOR).trust_policy
    assert [s.sid for s in trust.statement] == ["NamedUsers", "PartnerAccount"]
    assert set(trust.statement[0].principal.aws) == {DAVE, BOB}
    assert '"PolicyDocument": "%7B' in SMALL.read_text(encoding="utf-8")


def test_url_encoded_document_is_the_same_policy_as_its_json(small):
    raw = json.loads(SMALL.read_text(encoding="utf-8"))
    [entry] = [r for r in raw["RoleDetailList"] if r["RoleName"] == "AppRole"][0]["RolePolicyList"]
    decoded = json.loads(urllib.parse.unquote(entry["PolicyDocument"]))
    [app_data] = small.find(APP_ROLE).identity
    assert load_policy(decoded).to_json() == app_data.to_json()


def test_permissions_boundary_is_attached(small):
    boundary = small.find(BOB).permission_boundary
    assert boundary is not None
    assert [s.sid for s in boundary.statement] == ["ReadOnlyCeiling"]
    # The boundary is not one of bob's identity policies (§5: it never grants).
    assert "ReadOnlyBoundary" not in base_names(small.find(BOB))
    assert all(small.find(arn).permission_boundary is None for arn in (ALICE, CAROL, DAVE, ERIN, APP_ROLE))


def test_trust_policies_are_read(small):
    assert [s.sid for s in small.find(DEPLOYER).trust_policy.statement] == ["AccountDelegates"]
    assert list(small.find(APP_ROLE).trust_policy.statement[0].principal.service) == ["ec2.amazonaws.com"]
    assert all(p.trust_policy is not None for p in small.roles)
    assert all(p.trust_policy is None for p in small.users)


def test_tags_become_principal_tag_context(small):
    assert small.find(ALICE).tags == {"team": "blue"}
    assert small.find(ALICE).context() == {"aws:PrincipalTag/team": "blue"}
    assert small.find(DAVE).context() == {}


# ------------------------------------------------------------------ problems while loading

def test_dangling_attachments_are_located_warnings(aws_cli):
    """Four attachments name AWS managed policies that are neither in the file nor in the snapshot."""
    missing = ["AdministratorAccess", "PowerUserAccess", "AmazonS3FullAccess", "AmazonDynamoDBFullAccess"]
    assert len([w for w in aws_cli.warnings if "arn:aws:iam::aws:policy/" in w.message]) == len(missing)
    for name in missing:
        [warning] = [w for w in aws_cli.warnings if f"arn:aws:iam::aws:policy/{name}`" in w.message]
        assert warning.severity == "warning"
        text = str(warning)
        match = re.match(rf"{re.escape(str(AWS_CLI))}:(\d+):(\d+): warning: ", text)
        assert match, text
        # Located at the attachment: the PolicyArn line or just above it (the object or key).
        arn_line = line_of(AWS_CLI, f'"PolicyArn": "arn:aws:iam::aws:policy/{name}"')
        assert arn_line - 3 <= int(match.group(1)) <= arn_line, text


def test_principals_with_a_dangling_policy_are_incomplete(aws_cli):
    for principal in aws_cli.principals:
        assert not principal.complete, principal.arn
    # EC2role misses two policies: both are its problems.
    ec2_role = aws_cli.find("arn:aws:iam::123456789012:role/EC2role")
    assert len(ec2_role.problems) == 2
    # Bob's own inline Deny loaded, but his group's AdministratorAccess did not.
    bob = aws_cli.find("arn:aws:iam::123456789012:user/Bob")
    assert any("AdministratorAccess" in p.message for p in bob.problems)


def test_a_truncated_export_is_reported(aws_cli):
    """The example is one page of the raw API (`IsTruncated: true`, a `Marker`): users, groups,
    roles and policies of the next pages are missing, so `who_can` cannot know everyone who may
    act. That must be said, never passed over (STYLE.md, "Never skip silently")."""
    assert any("truncated" in w.message.lower() or "IsTruncated" in w.message for w in aws_cli.warnings), \
        [str(w) for w in aws_cli.warnings]


def test_who_can_never_evaluates_an_incomplete_principal(aws_cli):
    """Never silently evaluated without the policy: each answer is an error, not a decision."""
    answers = who_can(aws_cli, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt")
    assert len(answers) == 4
    for answer in answers:
        assert answer.result is None and not answer.allowed
        assert isinstance(answer.error, PolicyError)
        assert re.search(r"aws-cli-docs-example\.json:\d+:\d+: ", str(answer.error))


# Stand-ins for the four AWS managed policies (shortened): enough to evaluate the account.
STAND_INS = {
    "AdministratorAccess": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    "PowerUserAccess": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
                         "Resource": "*"}],
    "AmazonS3FullAccess": [{"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}],
    "AmazonDynamoDBFullAccess": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}],
}


def _add_stand_ins(data: dict) -> None:
    """Complete the example: the missing policies, and no further page."""
    data["IsTruncated"] = False
    data.pop("Marker", None)
    for name, statements in STAND_INS.items():
        data["Policies"].append({
            "PolicyName": name, "Arn": f"arn:aws:iam::aws:policy/{name}", "DefaultVersionId": "v1",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True,
                                   "Document": {"Version": "2012-10-17", "Statement": statements}}]})


@pytest.mark.parametrize("action, resource, expected", [
    # Alice and Bob are Admins; Bob's inline policy denies iam:* (§2.1); Charlie is a power user.
    ("iam:CreateUser", "arn:aws:iam::123456789012:user/new", {"Alice"}),
    ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt", {"Alice", "Bob", "Charlie", "EC2role"}),
    ("aws-portal:ViewBilling", "*", {"Alice", "Charlie"}),
    ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/t", {"Alice", "Bob", "Charlie", "EC2role"}),
])
def test_completed_aws_cli_example_is_evaluated(tmp_path, action, resource, expected):
    account = load_account(str(edited_copy(tmp_path, AWS_CLI, _add_stand_ins)))
    assert account.warnings == ()
    names = {arn.rsplit("/", 1)[1] for arn in allowed(who_can(account, action, resource))}
    assert names == expected


def test_missing_group_makes_its_users_incomplete(tmp_path):
    """A group named in GroupList but absent from the file is a dangling reference like a
    missing managed policy: its members' policies are unknown, so they are not evaluated."""
    def drop_contractors(data):
        data["GroupDetailList"] = [g for g in data["GroupDetailList"] if g["GroupName"] != "contractors"]

    account = load_account(str(edited_copy(tmp_path, SMALL, drop_contractors)))
    assert any("contractors" in w.message for w in account.warnings)
    assert re.match(rf"{re.escape(str(tmp_path / SMALL.name))}:\d+:\d+: warning: ", str(account.warnings[0]))
    assert not account.find(CAROL).complete
    assert account.find(ALICE).complete
    # Without the contractors' Deny carol would be allowed: she must be listed as not evaluated.
    carol = answer_for(who_can(account, "s3:GetObject", SHARED_OBJECT), CAROL)
    assert carol.result is None and carol.error is not None


def test_missing_boundary_makes_the_user_incomplete(tmp_path):
    def drop_boundary_policy(data):
        data["Policies"] = [p for p in data["Policies"] if p["PolicyName"] != "ReadOnlyBoundary"]

    path = edited_copy(tmp_path, SMALL, drop_boundary_policy)
    account = load_account(str(path))
    [warning] = account.warnings
    assert "ReadOnlyBoundary" in warning.message
    assert warning.location.line == line_of(path, '"PermissionsBoundaryArn"')
    assert not account.find(BOB).complete
    assert answer_for(who_can(account, "s3:GetObject", SHARED_OBJECT), BOB).error is not None


def test_managed_policy_without_default_version_is_not_guessed(tmp_path):
    def no_default(data):
        for policy in data["Policies"]:
            if policy["PolicyName"] == "DevTeamPolicy":
                for version in policy["PolicyVersionList"]:
                    version["IsDefaultVersion"] = False

    account = load_account(str(edited_copy(tmp_path, SMALL, no_default)))
    assert any("DevTeamPolicy" in w.message and "default" in w.message for w in account.warnings)
    assert not account.find(ALICE).complete and not account.find(CAROL).complete
    assert account.find(BOB).complete


def test_invalid_url_encoded_document_is_located_at_its_field(tmp_path):
    """An encoded document has no positions of its own: the warning points at the field."""
    bad = urllib.parse.quote(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}]}), safe="")

    def break_app_data(data):
        [app] = [r for r in data["RoleDetailList"] if r["RoleName"] == "AppRole"]
        app["RolePolicyList"][0]["PolicyDocument"] = bad

    path = edited_copy(tmp_path, SMALL, break_app_data)
    account = load_account(str(path))
    assert account.warnings
    field_line = line_of(path, f'"PolicyDocument": "{bad[:20]}')
    for warning in account.warnings:
        assert str(warning).startswith(f"{path}:{field_line}:"), str(warning)
    assert not account.find(APP_ROLE).complete
    assert answer_for(who_can(account, "s3:GetObject", SHARED_OBJECT), APP_ROLE).error is not None


def test_invalid_inline_document_is_located_inside_it(tmp_path):
    def break_deploy_app(data):
        [deployer] = [r for r in data["RoleDetailList"] if r["RoleName"] == "Deployer"]
        deployer["RolePolicyList"][0]["PolicyDocument"]["Statement"][1]["Effect"] = "Permit"

    path = edited_copy(tmp_path, SMALL, break_deploy_app)
    account = load_account(str(path))
    assert any(w.location.line == line_of(path, '"Effect": "Permit"') for w in account.warnings), \
        [str(w) for w in account.warnings]
    assert not account.find(DEPLOYER).complete


@pytest.mark.parametrize("content, where", [
    ("[1, 2]\n", (1, 1)),
    ('{"Users": []}\n', (1, 1)),
    ('{"UserDetailList": [\n  {"UserName": "x",}\n]}\n', (2, 19)),
])
def test_a_file_that_is_not_an_export_is_an_error(tmp_path, content, where):
    path = tmp_path / "account.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_account(str(path))
    assert str(info.value).startswith(f"{path}:{where[0]}:{where[1]}: error: "), str(info.value)


# =========================================================================================
# Account.find
# =========================================================================================

@pytest.mark.parametrize("arn, found", [
    (ALICE, ALICE),
    (DEPLOYER, DEPLOYER),
    (AUDITOR, AUDITOR),                                                  # a role with a path
    (f"arn:aws:sts::{A}:assumed-role/AppRole/i-0abc", APP_ROLE),         # a session finds its role
    (f"arn:aws:sts::{A}:assumed-role/Auditor/audit-2024", AUDITOR),      # the session ARN drops the path (§1)
    (role("Auditor"), None),                                             # the role ARN keeps it
    (f"arn:aws:sts::{PARTNER}:assumed-role/AppRole/i-0abc", None),       # same name, other account
    (user("Alice"), None),                                               # user names are case-sensitive
    (user("mallory"), None),
    (f"arn:aws:iam::{A}:root", None),
    (f"arn:aws:sts::{A}:federated-user/alice", None),
])
def test_find(small, arn, found):
    principal = small.find(arn)
    assert (principal.arn if principal else None) == found


def test_find_an_sso_session_of_a_real_export(cloudsplaining):
    session = ("arn:aws:sts::200611803367:assumed-role/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc/"
               "elad@codsec.io")
    assert cloudsplaining.find(session).arn == ("arn:aws:iam::200611803367:role/aws-reserved/sso.amazonaws.com/"
                                                "AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc")


# =========================================================================================
# who_can on the small account
# =========================================================================================
# Derivation (every request is in account 111122223333: S3 ARNs carry no account and default to
# the caller's, SCENARIO.md; roles are asked as a session without session policy, §2.4):
#
# s3:GetObject on shared-bucket/reports/q1.csv
#   alice    developers' inline DevelopersRead allows                       -> Allow
#   carol    the same Allow, but contractors' ContractorsNoShared denies     -> ExplicitDeny (§2.1)
#   bob      S3Admin allows s3:*, the boundary allows GetObject              -> Allow (§5)
#   dave, erin  nothing allows                                               -> ImplicitDeny
#   AppRole  AppData (URL-encoded) allows shared-bucket/*                    -> Allow
#   Deployer cloudformation and PassRole only                                -> ImplicitDeny
#   Auditor  AmazonS3ReadOnlyAccess v2 s3:Get*                               -> Allow
#   AdminRole `*`                                                            -> Allow
# s3:PutObject on the same object: only AdminRole; bob's S3Admin allows it but his boundary does
#   not (§5, a boundary that limits); alice's DevTeamPolicy v3 allows PutObject only under
#   team-bucket (v1 would allow it: the non-default versions must not count).
# s3:PutObject on team-bucket/blue/...: alice (tag team=blue fills ${aws:PrincipalTag/team}, §9)
#   and AdminRole; carol's team is red; bob's boundary; untagged principals resolve nothing.
# ec2:StartInstances with aws:ResourceTag/team=blue: the Condition compares the resource tag with
#   ${aws:PrincipalTag/team}: alice and AdminRole; with red: carol and AdminRole; without the
#   resource tag the StringEquals is false (§8): AdminRole only.
# iam:PassRole on AppRole: Deployer's PassAppRole, AdminRole (DevTeamPolicy v2's iam:* must not count).
# dynamodb:GetItem on the orders table: AppRole (URL-encoded AppData), AdminRole.
# sqs:SendMessage on a queue of the partner account: cross-account without a queue policy (§3):
#   nobody.

WHO_CAN_SMALL = [
    pytest.param("s3:GetObject", SHARED_OBJECT, None, {ALICE, BOB, APP_ROLE, AUDITOR, ADMIN_ROLE},
                 id="2.1-5-get-shared-object"),
    pytest.param("s3:PutObject", SHARED_OBJECT, None, {ADMIN_ROLE}, id="5-boundary-limits-bob"),
    pytest.param("s3:PutObject", "arn:aws:s3:::team-bucket/blue/plan.txt", None, {ALICE, ADMIN_ROLE},
                 id="9-principal-tag-in-resource-blue"),
    pytest.param("s3:PutObject", "arn:aws:s3:::team-bucket/red/plan.txt", None, {CAROL, ADMIN_ROLE},
                 id="9-principal-tag-in-resource-red"),
    pytest.param("ec2:StartInstances", INSTANCE, {"aws:ResourceTag/team": "blue"}, {ALICE, ADMIN_ROLE},
                 id="9-principal-tag-in-condition-blue"),
    pytest.param("ec2:StartInstances", INSTANCE, {"aws:ResourceTag/team": "red"}, {CAROL, ADMIN_ROLE},
                 id="9-principal-tag-in-condition-red"),
    pytest.param("ec2:StartInstances", INSTANCE, None, {ADMIN_ROLE}, id="8-absent-resource-tag"),
    pytest.param("iam:PassRole", APP_ROLE, None, {DEPLOYER, ADMIN_ROLE}, id="pass-app-role"),
    pytest.param("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{A}:table/orders", None,
                 {APP_ROLE, ADMIN_ROLE}, id="url-encoded-inline-policy"),
    pytest.param("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{PARTNER}:inbox", None, set(),
                 id="3-cross-account-without-resource-policy"),
]


@pytest.mark.parametrize("action, resource, context, expected", WHO_CAN_SMALL)
def test_who_can_small_account(small, action, resource, context, expected):
    answers = who_can(small, action, resource, context=context)
    assert len(answers) == 9
    assert all(a.error is None for a in answers)
    assert allowed(answers) == expected


def test_who_can_reports_the_deciding_gate(small):
    get = who_can(small, "s3:GetObject", SHARED_OBJECT)
    carol = answer_for(get, CAROL).result
    assert carol.decision == "ExplicitDeny"
    assert [(m.ref.policy.split(" (")[0], m.ref.statement) for m in carol.reasons] == \
        [("ContractorsNoShared", "NoSharedObjects")]
    bob = answer_for(who_can(small, "s3:PutObject", SHARED_OBJECT), BOB).result
    assert bob.decision == "ImplicitDeny"
    assert "no permissions boundary allows" in bob.summary
    partner = answer_for(who_can(small, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{PARTNER}:inbox"),
                         ADMIN_ROLE).result
    assert "no resource-based policy allows" in partner.summary


def test_who_can_with_a_resource_policy_across_accounts(small):
    """§3: a queue policy of the partner account naming the account, or a role, of ours still
    needs an identity Allow on our side: only AdminRole has one."""
    queue = f"arn:aws:sqs:us-east-1:{PARTNER}:inbox"
    for principal in ({"AWS": A}, {"AWS": ADMIN_ROLE}, {"AWS": [ALICE, ADMIN_ROLE]}):
        policy = load_policy({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "sqs:SendMessage", "Resource": queue}]},
            "resource_policy")
        assert allowed(who_can(small, "sqs:SendMessage", queue, resource_policy=policy)) == {ADMIN_ROLE}


def test_who_can_under_an_scp(small):
    """§4: an SCP level that allows only S3 takes AdminRole's iam:PassRole away."""
    scp = load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, "scp")
    assert allowed(who_can(small, "iam:PassRole", APP_ROLE, scps=[scp])) == set()
    assert allowed(who_can(small, "s3:GetObject", SHARED_OBJECT, scps=[scp])) == \
        {ALICE, BOB, APP_ROLE, AUDITOR, ADMIN_ROLE}


# =========================================================================================
# who_can on the cloudsplaining example
# =========================================================================================
# s3:GetObject on arn:aws:s3:::example-bucket/key.txt. The file holds principals of two accounts;
# an S3 ARN carries no account, so each request is in the caller's own account (SCENARIO.md) and
# identity policies decide. Read from the file:
#   200611803367 users: fn4-exploitableNotAction-user (NotAction iam:Update*/Create*/Attach*
#     leaves s3:GetObject allowed), privesc-sre-user (group privesc-sre-group ->
#     privesc-sre-admin-policy s3:*). fp2-...-user has fp2-allow-all but also deny-all:
#     ExplicitDeny. Every other user's policies name only iam/ec2/lambda/glue/... actions.
#   200611803367 roles: AdministratorAccess on AWS-QuickSetup-StackSet-Local-ExecutionRole,
#     AWSReservedSSO_AdministratorAccess, OrganizationAccountAccessRole, stacksets-exec-*;
#     ReadOnlyAccess (s3:Get*) on AWSReservedSSO_ViewOnlyAccess; `*` on
#     privesc-AssumeRole-ending-role and privesc-high-priv-service-role; fn4 NotAction on
#     fn4-exploitableNotAction-role; privesc-sre-admin-policy on privesc-sre-role. The QuickSetup
#     roles' s3 actions are bucket-level on one bucket; no service-role policy has s3:GetObject.
#   012345678901: obama (AdministratorAccess, also via group admin), userwithlotsofpermissions
#     (inline InsecureUserPolicy, group admin), biden (AWSLambdaFullAccess s3:*, inline, group
#     inline), role OverprivilegedEC2 (inline SupYo: s3:GetObject). MyRole/MyOtherRole: no s3.
CS = "200611803367"
OTHER_CS = "012345678901"
SSO_ADMIN = role("aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc", CS)
SSO_VIEW = role("aws-reserved/sso.amazonaws.com/AWSReservedSSO_ViewOnlyAccess_0ace44bbc7092ea8", CS)
CS_GET_OBJECT = {
    user("fn4-exploitableNotAction-user", CS), user("privesc-sre-user", CS),
    user("obama", OTHER_CS), user("userwithlotsofpermissions", OTHER_CS), user("biden", OTHER_CS),
    role("AWS-QuickSetup-StackSet-Local-ExecutionRole", CS), SSO_ADMIN, SSO_VIEW,
    role("fn4-exploitableNotAction-role", CS), role("OrganizationAccountAccessRole", CS),
    role("privesc-AssumeRole-ending-role", CS), role("privesc-high-priv-service-role", CS),
    role("privesc-sre-role", CS), role("stacksets-exec-b5520cb2730c2f54b523d6375a319abb", CS),
    role("OverprivilegedEC2", OTHER_CS),
}

# iam:PassRole on arn:aws:iam::200611803367:role/privesc-high-priv-service-role. An IAM role ARN
# carries its account, so for the 012345678901 principals the request is cross-account and no
# resource policy exists: ImplicitDeny however broad their policies (§3). In 200611803367:
#   users whose policy lists iam:PassRole on `*`: fn1 (fn1-passrole-star), codeBuild, the three
#     sageMaker ...PassRole users, privesc15, 16, 18, 20, 21, 3; fn4 (NotAction does not name
#     PassRole); privesc-sre-user (iam:*). fp1 has iam:* but also a Deny iam:*; fp2 deny-all;
#     fp3 only a Deny. sageMakerCreatePresignedNotebookURL, privesc17, 19 have no PassRole.
#   roles: the role twin of each of those users (same policies), plus the administrator roles
#     (AdministratorAccess or `*`): QuickSetup ExecutionRole, SSO admin, OrganizationAccountAccess,
#     AssumeRole-ending, high-priv-service, stacksets-exec. The QuickSetup EnableCRecording roles
#     may pass only AWSServiceRoleForConfig. AWSServiceRoleForAmazonSSM may pass any role only
#     with iam:PassedToService = ssm.amazonaws.com (absent here: StringEquals is false, §8).
_PASSERS = ["fn1-privesc3-partial", "fn4-exploitableNotAction", "privesc-codeBuildCreateProjectPassRole",
            "privesc-sageMakerCreateNotebookPassRole", "privesc-sageMakerCreateProcessingJobPassRole",
            "privesc-sageMakerCreateTrainingJobPassRole", "privesc-sre",
            "privesc15-PassExistingRoleToNewLambdaThenInvoke", "privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo",
            "privesc18-PassExistingRoleToNewGlueDevEndpoint", "privesc20-PassExistingRoleToCloudFormation",
            "privesc21-PassExistingRoleToNewDataPipeline", "privesc3-CreateEC2WithExistingInstanceProfile"]
HIGH_PRIV = role("privesc-high-priv-service-role", CS)
CS_ADMIN_ROLES = {role("AWS-QuickSetup-StackSet-Local-ExecutionRole", CS), SSO_ADMIN,
                  role("OrganizationAccountAccessRole", CS), role("privesc-AssumeRole-ending-role", CS),
                  HIGH_PRIV, role("stacksets-exec-b5520cb2730c2f54b523d6375a319abb", CS)}
CS_PASS_ROLE = ({user(f"{p}-user", CS) for p in _PASSERS} | {role(f"{p}-role", CS) for p in _PASSERS}
                | CS_ADMIN_ROLES)
SSM_SERVICE_ROLE = role("aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM", CS)
CONFIG_SERVICE_ROLE = role("aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", CS)
QUICK_SETUP_REGIONS = ["ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
                       "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
                       "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"]


def test_cloudsplaining_who_can_get_object(cloudsplaining):
    answers = who_can(cloudsplaining, "s3:GetObject", "arn:aws:s3:::example-bucket/key.txt")
    assert all(a.error is None for a in answers)
    assert allowed(answers) == CS_GET_OBJECT
    assert answer_for(answers, user("fp2-allow-and-deny-multiple-policies-user", CS)).result.decision \
        == "ExplicitDeny"


def test_cloudsplaining_who_can_pass_role(cloudsplaining):
    answers = who_can(cloudsplaining, "iam:PassRole", HIGH_PRIV)
    assert len(CS_PASS_ROLE) == 32
    assert allowed(answers) == CS_PASS_ROLE
    decisions = {a.principal.arn.rsplit("/", 1)[1]: a.result.decision for a in answers}
    assert decisions["fp1-allow-and-deny-user"] == "ExplicitDeny"
    assert decisions["fp3-deny-iam-role"] == "ExplicitDeny"
    obama = answer_for(answers, user("obama", OTHER_CS)).result
    assert obama.decision == "ImplicitDeny" and "no resource-based policy allows" in obama.summary


def test_cloudsplaining_pass_role_to_ssm(cloudsplaining):
    """The SSM service-linked role's PassRole statement holds once iam:PassedToService is given."""
    answers = who_can(cloudsplaining, "iam:PassRole", HIGH_PRIV, context={"iam:PassedToService": "ssm.amazonaws.com"})
    assert allowed(answers) == CS_PASS_ROLE | {SSM_SERVICE_ROLE}


def test_cloudsplaining_pass_the_config_service_role(cloudsplaining):
    """The 16 QuickSetup EnableCRecording roles may pass exactly AWSServiceRoleForConfig."""
    quick_setup = {role(f"AWS-QuickSetup-EnableCRecording-1clff_{r}", CS) for r in QUICK_SETUP_REGIONS}
    answers = who_can(cloudsplaining, "iam:PassRole", CONFIG_SERVICE_ROLE)
    assert allowed(answers) == CS_PASS_ROLE | quick_setup


# =========================================================================================
# the role view: who can assume each role
# =========================================================================================
# Small account (§2.5; sts:AssumeRole on a role of the account reads that role's trust policy):
#   AppRole    trusts ec2.amazonaws.com only: nobody of the account; listed outside.
#   Deployer   trusts the account root: callers with an identity Allow for sts:AssumeRole on it:
#              erin (AssumeAccountRoles, role/*) and AdminRole (`*`). DevTeamPolicy v1 would
#              add alice and carol: not the default version.
#   Auditor    names dave and bob directly (URL-encoded trust): dave needs no identity policy;
#              bob's boundary does not allow sts:AssumeRole, so he cannot (§2.5). erin's
#              identity Allow does not help: the trust does not name the account. The partner
#              account 444455556666 is listed outside.
#   AdminRole  trusts the partner account's root and a SAML provider: nobody of the account.
ROLE_VIEW_SMALL = {
    APP_ROLE: (set(), ["ec2.amazonaws.com"]),
    DEPLOYER: ({ERIN, ADMIN_ROLE}, []),
    AUDITOR: ({DAVE}, [PARTNER]),
    ADMIN_ROLE: (set(), [f"arn:aws:iam::{PARTNER}:root", f"arn:aws:iam::{A}:saml-provider/CorpIdP"]),
}


@pytest.mark.parametrize("target", list(ROLE_VIEW_SMALL))
def test_role_view_small_account(small, target):
    inside, outside = ROLE_VIEW_SMALL[target]
    assert allowed(who_can(small, "sts:AssumeRole", target)) == inside
    assert trusted_outside(small.find(target), small) == outside
    assert trusted_outside(small.find(target)) == outside


def test_role_view_direct_user_trust_is_capped_by_the_boundary(small):
    bob = answer_for(who_can(small, "sts:AssumeRole", AUDITOR), BOB).result
    assert bob.decision == "ImplicitDeny"
    assert "no permissions boundary allows" in bob.summary
    dave = answer_for(who_can(small, "sts:AssumeRole", AUDITOR), DAVE).result
    assert dave.decision == "Allow" and not any(m.ref.kind == "identity" for m in dave.reasons)


def test_role_view_account_trust_needs_identity_allow(small):
    answers = who_can(small, "sts:AssumeRole", DEPLOYER)
    assert "no identity-based policy allows" in answer_for(answers, DAVE).result.summary
    erin = answer_for(answers, ERIN).result
    assert {m.ref.kind for m in erin.reasons} == {"resource_policy", "identity"}


# Cloudsplaining (200611803367):
#   privesc-sre-role         names user privesc-sre-user directly (no boundary)
#   ...AssumeRole-ending     names role privesc-AssumeRole-intermediate-role (no identity needed)
#   ...AssumeRole-intermediate  names role privesc-AssumeRole-starting-role
#   QuickSetup ExecutionRole names role AWS-QuickSetup-StackSet-Local-AdministrationRole
#   privesc-permissive-role-trust names the account root: every principal of 200611803367 with
#     an identity Allow for sts:AssumeRole on it: fn4 user and role (NotAction), privesc14 user
#     and role (sts:AssumeRole on *), and the six administrator roles; fp2's deny-all denies.
#     The 012345678901 administrators (obama...) are of an account the trust does not name.
#   OrganizationAccountAccessRole, stacksets-exec: trust another account only.
#   AWSReservedSSO_*: a SAML provider, for sts:AssumeRoleWithSAML.
#   MyRole (012345678901): ssm.amazonaws.com.
ROLE_VIEW_CLOUDSPLAINING = {
    role("privesc-sre-role", CS): ({user("privesc-sre-user", CS)}, []),
    role("privesc-AssumeRole-ending-role", CS): ({role("privesc-AssumeRole-intermediate-role", CS)}, []),
    role("privesc-AssumeRole-intermediate-role", CS): ({role("privesc-AssumeRole-starting-role", CS)}, []),
    role("AWS-QuickSetup-StackSet-Local-ExecutionRole", CS):
        ({role("AWS-QuickSetup-StackSet-Local-AdministrationRole", CS)}, []),
    role("privesc-permissive-role-trust", CS):
        ({user("fn4-exploitableNotAction-user", CS), role("fn4-exploitableNotAction-role", CS),
          user("privesc14-UpdatingAssumeRolePolicy-user", CS), role("privesc14-UpdatingAssumeRolePolicy-role", CS)}
         | CS_ADMIN_ROLES, []),
    role("OrganizationAccountAccessRole", CS): (set(), ["arn:aws:iam::072528804237:root"]),
    role("stacksets-exec-b5520cb2730c2f54b523d6375a319abb", CS):
        (set(), ["arn:aws:iam::072528804237:role/aws-service-role/stacksets.cloudformation.amazonaws.com/"
                 "AWSServiceRoleForCloudFormationStackSetsOrgAdmin"]),
    SSO_ADMIN: (set(), [f"arn:aws:iam::{CS}:saml-provider/AWSSSO_b937d2dff24f2774_DO_NOT_DELETE"]),
    role("MyRole", OTHER_CS): (set(), ["ssm.amazonaws.com"]),
}


@pytest.mark.parametrize("target", list(ROLE_VIEW_CLOUDSPLAINING), ids=lambda arn: arn.rsplit("/", 1)[1])
def test_role_view_cloudsplaining(cloudsplaining, target):
    inside, outside = ROLE_VIEW_CLOUDSPLAINING[target]
    assert allowed(who_can(cloudsplaining, "sts:AssumeRole", target)) == inside
    assert trusted_outside(cloudsplaining.find(target), cloudsplaining) == outside


def test_role_view_lists_a_trusted_principal_of_the_account_missing_from_the_file(tmp_path):
    """A trust policy may name a user of the account that the export does not hold (deleted, or
    a filtered export): it cannot be evaluated, so it is listed, never dropped."""
    ghost = user("ghost")

    def trust_ghost(data):
        [app] = [r for r in data["RoleDetailList"] if r["RoleName"] == "AppRole"]
        app["AssumeRolePolicyDocument"]["Statement"].append(
            {"Effect": "Allow", "Principal": {"AWS": ghost}, "Action": "sts:AssumeRole"})

    account = load_account(str(edited_copy(tmp_path, SMALL, trust_ghost)))
    assert trusted_outside(account.find(APP_ROLE), account) == ["ec2.amazonaws.com", ghost]
    assert allowed(who_can(account, "sts:AssumeRole", APP_ROLE)) == set()


# =========================================================================================
# the command line
# =========================================================================================

@pytest.mark.parametrize("principal, action, resource, code, words", [
    (ALICE, "s3:GetObject", SHARED_OBJECT, 0, ["ReadShared", "DevelopersRead"]),
    (CAROL, "s3:GetObject", SHARED_OBJECT, 1, ["ExplicitDeny", "NoSharedObjects", "ContractorsNoShared"]),
    (BOB, "s3:PutObject", SHARED_OBJECT, 1, ["ImplicitDeny", "no permissions boundary allows"]),
    (BOB, "s3:GetObject", SHARED_OBJECT, 0, ["S3Admin", "ReadOnlyBoundary"]),
    (ALICE, "s3:PutObject", "arn:aws:s3:::team-bucket/blue/plan.txt", 0, ["OwnTeamPrefix", "DevTeamPolicy"]),
    (f"arn:aws:sts::{A}:assumed-role/AppRole/i-0abc", "s3:GetObject", SHARED_OBJECT, 0, ["AppData"]),
    # sts:AssumeRole on a role of the account: its trust policy is the resource policy (§2.5).
    (ERIN, "sts:AssumeRole", DEPLOYER, 0, ["AccountDelegates", "AssumeAccountRoles"]),
    (ALICE, "sts:AssumeRole", DEPLOYER, 1, ["no identity-based policy allows"]),
    (DAVE, "sts:AssumeRole", AUDITOR, 0, ["NamedUsers"]),
    (BOB, "sts:AssumeRole", AUDITOR, 1, ["no permissions boundary allows"]),
])
def test_check_with_account_details(principal, action, resource, code, words):
    result = invoke("check", "--account-details", SMALL, "--principal", principal, "-a", action, "-r", resource)
    assert result.exit_code == code, result.output
    for word in words:
        assert word in flat(result.output), (word, result.output)


def test_check_locates_the_deciding_managed_policy_statement():
    result = invoke("check", "--account-details", SMALL, "--principal", ALICE,
                    "-a", "s3:PutObject", "-r", "arn:aws:s3:::team-bucket/blue/plan.txt")
    assert result.exit_code == 0
    sid_line = line_of(SMALL, '"Sid": "OwnTeamPrefix"')
    assert re.search(rf"small-account\.json:{sid_line - 1}:\d+", result.output), result.output


def test_check_json_names_the_policies():
    result = invoke("check", "--account-details", SMALL, "--principal", CAROL,
                    "-a", "s3:GetObject", "-r", SHARED_OBJECT, "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["decision"] == "ExplicitDeny"
    assert [(r["policy"].split(" (")[0], r["statement"]) for r in payload["reasons"]] == \
        [("ContractorsNoShared", "NoSharedObjects")]
    # carol's tag is in the request context she was asked with.
    assert payload["request"]["context"]["aws:PrincipalTag/team"] == "red"


@pytest.mark.parametrize("args", [
    ["--principal", user("mallory")],                       # not in the account
    ["--principal", f"arn:aws:sts::{PARTNER}:assumed-role/AppRole/x"],
    [],                                                     # --principal is required with the account
])
def test_check_principal_must_be_of_the_account(args):
    result = invoke("check", "--account-details", SMALL, "-a", "s3:GetObject", "-r", SHARED_OBJECT, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_check_refuses_an_incomplete_principal(no_snapshot):
    result = invoke("check", "--account-details", AWS_CLI, "--principal", "arn:aws:iam::123456789012:user/Bob",
                    "-a", "s3:GetObject", "-r", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt")
    assert result.exit_code == 2
    assert re.search(r"aws-cli-docs-example\.json:\d+:\d+: .*AdministratorAccess", result.stderr), result.stderr


def test_who_can_text():
    result = invoke("who-can", "--account-details", SMALL, "-a", "s3:GetObject", "-r", SHARED_OBJECT)
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "5 of 9 principals" in text
    for arn in (ALICE, BOB, APP_ROLE, AUDITOR, ADMIN_ROLE):
        assert arn in text
    for arn in (CAROL, DAVE, ERIN, DEPLOYER):
        assert arn not in text
    assert "ReadOnlyCeiling" in text  # bob's boundary statement is among his reasons


def test_who_can_json_one_object_per_principal():
    result = invoke("who-can", "--account-details", SMALL, "-a", "s3:GetObject", "-r", SHARED_OBJECT, "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 9
    assert all({"principal", "kind", "decision", "gate", "reasons"} <= set(line) for line in lines)
    by_principal = {line["principal"]: line for line in lines}
    assert by_principal[ALICE]["kind"] == "user" and by_principal[APP_ROLE]["kind"] == "role"
    assert {p for p, line in by_principal.items() if line["decision"] == "Allow"} == \
        {ALICE, BOB, APP_ROLE, AUDITOR, ADMIN_ROLE}
    assert by_principal[CAROL]["decision"] == "ExplicitDeny"
    assert [r["statement"] for r in by_principal[CAROL]["reasons"]] == ["NoSharedObjects"]
    assert by_principal[DAVE]["reasons"] == []


def test_who_can_exit_1_when_nobody_is_allowed():
    queue = f"arn:aws:sqs:us-east-1:{PARTNER}:inbox"
    result = invoke("who-can", "--account-details", SMALL, "-a", "sqs:SendMessage", "-r", queue)
    assert result.exit_code == 1, result.output
    assert "0 of 9 principals" in flat(result.output)


def test_who_can_with_a_resource_policy_file(tmp_path):
    queue = f"arn:aws:sqs:us-east-1:{PARTNER}:inbox"
    policy = tmp_path / "queue-policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sqs:SendMessage", "Resource": queue}]}))
    result = invoke("who-can", "--account-details", SMALL, "-a", "sqs:SendMessage", "-r", queue,
                    "--resource-policy", policy, "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["principal"] for line in lines if line["decision"] == "Allow"] == [ADMIN_ROLE]


def test_who_can_context_option():
    result = invoke("who-can", "--account-details", SMALL, "-a", "ec2:StartInstances", "-r", INSTANCE,
                    "--context", "aws:ResourceTag/team=red", "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line["principal"] for line in lines if line["decision"] == "Allow"} == {CAROL, ADMIN_ROLE}


def test_who_can_lists_incomplete_principals_as_not_evaluated(no_snapshot):
    result = invoke("who-can", "--account-details", AWS_CLI, "-a", "s3:GetObject",
                    "-r", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt")
    assert result.exit_code == 1
    text = flat(result.stdout)
    assert "4 not evaluated (a policy of theirs could not be loaded)" in text  # their own, not the bucket's
    for name in ("user/Alice", "user/Bob", "user/Charlie", "role/EC2role"):
        assert f"arn:aws:iam::123456789012:{name}" in text
    assert re.search(r"aws-cli-docs-example\.json:\d+:\d+: warning: ", result.stderr)
    json_result = invoke("who-can", "--account-details", AWS_CLI, "-a", "s3:GetObject",
                         "-r", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt", "--json")
    lines = [json.loads(line) for line in json_result.stdout.splitlines()]
    assert len(lines) == 4
    assert all("error" in line and "decision" not in line for line in lines)
    # Each with the problems that kept it out, located and with their codes.
    assert all(line["problems"] and all(p["code"] and p["line"] for p in line["problems"]) for line in lines)


def test_who_can_assume_text():
    result = invoke("who-can", "--account-details", SMALL, "--assume")
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    for target, (inside, outside) in ROLE_VIEW_SMALL.items():
        assert target in text
        for arn in inside | set(outside):
            assert arn in text
    # bob is named in Auditor's trust but cannot assume it: he is not listed.
    assert BOB not in text


def test_who_can_assume_json():
    result = invoke("who-can", "--account-details", SMALL, "--assume", "--json")
    assert result.exit_code == 0
    lines = {line["role"]: line for line in map(json.loads, result.stdout.splitlines())}
    assert set(lines) == set(ROLE_VIEW_SMALL)
    for target, (inside, outside) in ROLE_VIEW_SMALL.items():
        assert set(lines[target]["allowed"]) == inside
        assert lines[target]["trusted_outside_account"] == outside
        assert lines[target]["not_evaluated"] == []


def test_who_can_assume_one_role():
    result = invoke("who-can", "--account-details", SMALL, "--assume", "-r", AUDITOR, "--json")
    assert result.exit_code == 0
    [line] = [json.loads(line) for line in result.stdout.splitlines()]
    assert line["allowed"] == [DAVE]
    assert invoke("who-can", "--account-details", SMALL, "--assume", "-r", role("Nope")).exit_code == 2


def test_who_can_assume_exit_1_when_no_role_can_be_assumed(tmp_path):
    def only_app_role(data):
        data["RoleDetailList"] = [r for r in data["RoleDetailList"] if r["RoleName"] == "AppRole"]

    result = invoke("who-can", "--account-details", edited_copy(tmp_path, SMALL, only_app_role), "--assume")
    assert result.exit_code == 1, result.output


def test_role_view_mentions_a_trusted_session_of_a_role_of_the_account():
    """fn1-privesc3-partial-role trusts one session of the SSO administrator role (same account).

    That session can assume it (§2.2, DIRECT session match), but it is neither a user nor a role
    of the account, nor outside it. The role view must not drop it silently (STYLE.md, "Never
    skip silently"): the session ARN has to appear in the role's line.
    """
    target = role("fn1-privesc3-partial-role", CS)
    result = invoke("who-can", "--account-details", CLOUDSPLAINING, "--assume", "-r", target, "--json")
    [line] = result.stdout.splitlines()
    assert (f"arn:aws:sts::{CS}:assumed-role/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc/"
            "elad@codsec.io") in line, line


@pytest.mark.parametrize("command", [
    ["who-can", "-a", "s3:GetObject"],
    ["check", "--principal", ALICE, "-a", "s3:GetObject"],
])
@pytest.mark.parametrize("content, where", [
    ("[1, 2]\n", "1:1"),
    ('{"UserDetailList": [\n  {"UserName": "x",}\n]}\n', "2:19"),
])
def test_invalid_account_file_is_exit_2_with_a_located_message(tmp_path, command, content, where):
    path = tmp_path / "account.json"
    path.write_text(content, encoding="utf-8")
    result = invoke(command[0], "--account-details", path, *command[1:])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{path}:{where}: error: "), result.stderr
    assert "Traceback" not in result.output


def test_missing_account_file_is_exit_2():
    result = invoke("who-can", "--account-details", ACCOUNTS / "no-such-file.json", "-a", "s3:GetObject")
    assert result.exit_code == 2
    assert "no-such-file.json" in result.stderr


# ------------------------------------------------------------------------- malformed exports

def _edit_user(name: str, **fields):
    """An edit of the small account that sets fields of one user (None deletes a field)."""
    def edit(data):
        [entry] = [u for u in data["UserDetailList"] if u["UserName"] == name]
        for key, value in fields.items():
            if value is None:
                del entry[key]
            else:
                entry[key] = value
    return edit


@pytest.mark.parametrize("field, value, words", [
    ("UserPolicyList", "not a list", "`UserPolicyList` must be a list of objects"),
    ("UserPolicyList", ["not an object"], "an entry of `UserPolicyList` must be an object"),
    ("AttachedManagedPolicies", 5, "`AttachedManagedPolicies` must be a list of objects"),
    ("AttachedManagedPolicies", ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
     "an entry of `AttachedManagedPolicies` must be an object"),
    ("Tags", [{"Key": "team", "Value": 5}], "a tag must have a string `Key` and a string `Value`"),
    ("Tags", "team=eng", "`Tags` must be a list of objects"),
])
def test_a_malformed_policy_list_or_tag_leaves_its_principal_unevaluated(tmp_path, field, value, words):
    """A field of the wrong shape is a located warning, never a traceback, and the principal it
    belongs to is not evaluated: without that policy or tag its answers would be guesses."""
    path = edited_copy(tmp_path, SMALL, _edit_user("alice", **{field: value}))
    account = load_account(str(path))
    [warning] = [w for w in account.warnings if words in w.message]
    assert warning.location.file == str(path) and warning.location.line is not None
    assert not account.find(ALICE).complete
    assert answer_for(who_can(account, "s3:GetObject", SHARED_OBJECT), ALICE).error is not None


def test_a_user_without_an_arn_is_reported_and_passed_over(tmp_path):
    account = load_account(str(edited_copy(tmp_path, SMALL, _edit_user("carol", Arn=None))))
    assert any("a user without a valid `Arn` was passed over" in w.message for w in account.warnings)
    assert account.find(CAROL) is None
    assert account.find(ALICE).complete


def test_a_user_without_a_name_takes_it_from_its_arn(tmp_path):
    account = load_account(str(edited_copy(tmp_path, SMALL, _edit_user("alice", UserName=None))))
    assert any("has no `UserName`" in w.message for w in account.warnings)
    assert account.find(ALICE).name == "alice"


def test_a_group_twice_in_the_file_is_reported(tmp_path):
    def duplicate(data):
        data["GroupDetailList"].append(dict(data["GroupDetailList"][0]))

    account = load_account(str(edited_copy(tmp_path, SMALL, duplicate)))
    assert any("is in the file twice" in w.message for w in account.warnings)


@pytest.mark.parametrize("arn", ["arn:aws:sts::x:assumed-role/AppRole/s", "x:assumed-role/r", "", "arn:aws"])
def test_find_takes_any_text(small, arn):
    assert small.find(arn) is None


def test_who_can_does_not_answer_for_a_role_whose_trust_policy_could_not_be_loaded(tmp_path):
    """§2.5: the trust policy decides sts:AssumeRole; without it every answer would be a guess."""
    def break_trust(data):
        [entry] = [r for r in data["RoleDetailList"] if r["RoleName"] == "Deployer"]
        entry["AssumeRolePolicyDocument"] = {"Statement": "not a statement"}

    path = edited_copy(tmp_path, SMALL, break_trust)
    answers = who_can(load_account(str(path)), "sts:AssumeRole", DEPLOYER)
    assert answers and all(a.result is None and a.error is not None for a in answers)
    result = invoke("check", "--account-details", path, "--principal", ALICE, "-a", "sts:AssumeRole",
                    "-r", DEPLOYER)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize("args, option", [
    (["-a", "s3:Nothing*"], "--action"),                    # a wildcard that matches no action
    (["-a", "s3:GetObject", "--resource-account", "nope"], "--resource-account"),
    (["-a", "s3:GetObject", "-r", "bucket/key"], "--resource"),
    (["-a", "s3:GetObject", "-c", 'aws:SourceIp:={"a": 1}'], "--context"),
])
def test_who_can_refuses_a_bad_option_once_with_exit_2(args, option):
    """A bad option is the caller's mistake, reported once at the option, not a policy of every
    principal that could not be evaluated."""
    result = invoke("who-can", "--account-details", SMALL, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{option}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("args, option", [
    (["--principal", "alice"], "--principal"),
    (["--resource-account", "abc"], "--resource-account"),
])
def test_check_locates_a_bad_request_option(tmp_path, args, option):
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}), encoding="utf-8")
    result = invoke("check", policy, "-a", "s3:GetObject", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{option}"), result.stderr


@pytest.mark.parametrize("args, words", [
    (["-r", ALICE], "is not a role of the account"),
    (["-a", "s3:GetObject"], "`--action` does not apply to --assume"),
    (["--resource-account", A], "`--resource-account` does not apply to --assume"),
])
def test_who_can_assume_refuses_what_it_cannot_answer(args, words):
    result = invoke("who-can", "--account-details", SMALL, "--assume", *args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr, result.stderr


def test_a_trust_policy_aws_would_refuse_leaves_its_role_unevaluated(tmp_path):
    """A role trust policy must not have `Resource` (§6.3): the loader applies the rules of
    trust policies, as `validate --type trust` does, and never evaluates around it."""
    def resource_in_trust(data):
        [deployer] = [r for r in data["RoleDetailList"] if r["RoleName"] == "Deployer"]
        document = deployer["AssumeRolePolicyDocument"]
        if isinstance(document, str):
            document = json.loads(urllib.parse.unquote(document))
        for statement in document["Statement"]:
            statement["Resource"] = "*"
        deployer["AssumeRolePolicyDocument"] = document

    account = load_account(str(edited_copy(tmp_path, SMALL, resource_in_trust)))
    assert any("trust policy of role Deployer" in str(w) or "Resource" in w.message for w in account.warnings), \
        [str(w) for w in account.warnings]
    assert not account.find(DEPLOYER).complete


def test_inline_policies_over_their_aggregate_quota_are_reported(tmp_path):
    """§12.3: a user's inline policies may add up to 2,048 characters (a group's 5,120, a role's
    10,240); an export over it is reported, located at the list, and still read."""
    data = json.loads(SMALL.read_text())
    user = next(u for u in data["UserDetailList"] if u["UserName"] == "alice")
    statements = [{"Sid": f"S{i}", "Effect": "Allow", "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::bucket-{i:03}/*"} for i in range(30)]
    user["UserPolicyList"] = [{"PolicyName": f"part-{n}", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": statements[n * 10:(n + 1) * 10]}} for n in range(3)]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data, indent=1))
    account = load_account(path)
    (warning,) = [w for w in account.warnings if w.code == "policy-too-large"]
    assert "the inline policies of user alice have" in warning.message
    assert "more than the 2,048 that IAM accepts for a user's inline policies together" in warning.message
    assert warning.location.path[-1] == "UserPolicyList"
    user["UserPolicyList"] = user["UserPolicyList"][:1]
    path.write_text(json.dumps(data, indent=1))
    assert [w for w in load_account(path).warnings if w.code == "policy-too-large"] == []


def test_aws_managed_policies_of_an_export_are_held_to_no_size_quota(tmp_path):
    """§14.20: ReadOnlyAccess (91,266 characters) attached from `arn:aws:iam::aws:policy/` draws
    no size warning; the same document as a customer managed policy is over its 6,144."""
    data = json.loads(SMALL.read_text())
    document = json.loads((FIXTURES / "managed-policies" / "ReadOnlyAccess.json").read_text())
    arns = {"aws": "arn:aws:iam::aws:policy/ReadOnlyAccess", "copy": f"arn:aws:iam::{A}:policy/ReadOnlyCopy"}
    for name, arn in arns.items():
        data["Policies"].append({"PolicyName": name, "Arn": arn, "PolicyVersionList": [
            {"Document": document, "VersionId": "v1", "IsDefaultVersion": True}]})
    alice = next(u for u in data["UserDetailList"] if u["UserName"] == "alice")
    path = tmp_path / "export.json"

    def size_warnings(attached: str) -> list[str]:
        alice["AttachedManagedPolicies"] = [{"PolicyName": attached, "PolicyArn": arns[attached]}]
        path.write_text(json.dumps(data))
        answers = who_can(load_account(path), "s3:GetObject", SHARED_OBJECT)
        (answer,) = [a for a in answers if a.principal.arn == ALICE]
        return [str(w) for w in answer.result.warnings if w.code == "policy-too-large"]

    assert size_warnings("aws") == []
    (warning,) = size_warnings("copy")
    assert warning.startswith("copy: the policy has 91,2")
    assert warning.endswith("more than the 6,144 that AWS accepts for a customer managed policy")


def test_trusted_outside_reads_the_own_account_in_every_partition():
    """The role's own account named as its root user in the China partition is the account's
    own, not someone outside (§7.4); another account's root and a service are outside."""
    trust = load_policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": ["arn:aws-cn:iam::111122223333:root", "arn:aws-cn:iam::444455556666:root",
                              "arn:aws-cn:iam::111122223333:user/ops"],
                      "Service": "ec2.amazonaws.com.cn"}}]}, kind="resource_policy")
    role = AccountPrincipal(arn="arn:aws-cn:iam::111122223333:role/App", kind="role", name="App", trust_policy=trust)
    assert trusted_outside(role) == ["arn:aws-cn:iam::444455556666:root", "ec2.amazonaws.com.cn"]
    # With the account's file, a user of it not in the file is listed: it was not evaluated.
    assert trusted_outside(role, Account(principals=(role,))) == [
        "arn:aws-cn:iam::444455556666:root", "arn:aws-cn:iam::111122223333:user/ops", "ec2.amazonaws.com.cn"]
