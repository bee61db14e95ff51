"""A whole organization (issue 17, part A): its folder read into accounts with their SCP and RCP
levels, what its files lack or contradict reported where it is, and the questions over it.

The organization is fixtures/organizations/example-org (its README says what each account
holds): the management account 999988887777 under the root; workload-a 111122223333 and
workload-b 222233334444 in the Development OU, whose SCP denies unencrypted S3 uploads and whose
RCP denies its resources to principals outside the OU; security 444455556666 in the Security OU.
Broken copies are made in tmp_path, one fault each.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, fresher_s3_read_only, invoke, position_of
from iameval.inputs._organization_files import load_organization
from iameval.inputs._organization_questions import assume_paths, organization_who_can
from iameval.policy._errors import PolicyError
from iameval.policy._model import PolicyKind

EXAMPLE = FIXTURES / "organizations" / "example-org"
MANAGEMENT, WORKLOAD_A, WORKLOAD_B, SECURITY = "999988887777", "111122223333", "222233334444", "444455556666"
SHARED = "arn:aws:s3:::shared-data/reports/q1.csv"
PRIVATE = "arn:aws:s3:::private-data/reports/q1.csv"
ADMIN_ROLE = f"arn:aws:iam::{WORKLOAD_A}:role/AdminRole"
DEPLOYER = f"arn:aws:iam::{WORKLOAD_A}:role/Deployer"
ERIN = f"arn:aws:iam::{WORKLOAD_A}:user/erin"
JUMP = f"arn:aws:iam::{SECURITY}:role/Jump"
SECOPS = f"arn:aws:iam::{SECURITY}:user/secops"
GOAT = f"arn:aws:iam::{MANAGEMENT}:role/GOATRole"
ENCRYPTED = {"s3:x-amz-server-side-encryption": "AES256"}


@pytest.fixture(scope="module")
def example():
    return load_organization(str(EXAMPLE))


def answer_of(answer, arn):
    (found,) = [a for a in answer.answers if a.principal.arn == arn]
    return found


def reasons(answer) -> set[tuple[PolicyKind, str, str]]:
    return {(m.ref.kind, m.ref.policy, m.ref.statement) for m in answer.result.reasons}


@pytest.fixture
def broken(tmp_path):
    """A copy of the example organization to break, and its manifest as data."""
    copy = tmp_path / "org"
    shutil.copytree(EXAMPLE, copy)
    return copy


def edit_manifest(folder: Path, change) -> None:
    manifest = folder / "organization.json"
    data = json.loads(manifest.read_text())
    change(data)
    manifest.write_text(json.dumps(data, indent=2))


# ------------------------------------------------------------------------------ the loader

def names(levels) -> list[list[str]]:
    return [[p.name for p in level] for level in levels]


def test_each_account_has_one_level_per_node_of_its_path_and_one_of_its_own(example):
    member = example.member(WORKLOAD_A)
    assert member.path == ("r-acroot", "ou-development")
    # Each policy is named with where it is attached, so that an explanation tells the levels apart.
    assert names(member.scps) == [["FullAWSAccess at r-acroot", "DenyLeaveOrganization at r-acroot"],
                                  ["FullAWSAccess at ou-development", "PreventUnencryptedUploads at ou-development"],
                                  [f"FullAWSAccess at {WORKLOAD_A}"]]
    assert names(member.rcps) == [["RCPFullAWSAccess at r-acroot"], ["RCPFullAWSAccess at ou-development",
                                  "DevelopmentResourcesForDevelopment at ou-development"],
                                  [f"RCPFullAWSAccess at {WORKLOAD_A}"]]
    assert names(example.member(SECURITY).scps)[1] == ["FullAWSAccess at ou-security"]


def test_the_management_account_has_no_levels_and_the_organization_no_warnings(example):
    management = example.member(MANAGEMENT)
    assert example.management_account_id == MANAGEMENT and example.is_management(management)
    assert management.scps == () and management.rcps == ()
    assert not any(example.is_management(m) for m in example.accounts if m.id != MANAGEMENT)
    assert example.warnings == ()
    assert all(p.complete for m in example.accounts for p in m.account.principals)
    assert [len(m.account.principals) for m in example.accounts] == [9, 6, 3, 3]


def test_a_policy_attached_at_several_levels_is_read_once(example):
    member = example.member(WORKLOAD_B)
    # One statement tuple behind every attachment: described once, named per level.
    assert member.scps[0][0].statement is member.scps[2][0].statement is example.member(SECURITY).scps[1][0].statement
    # A level shared by accounts (the root's, the OU's) is the same level for each.
    assert member.scps[0] is example.member(SECURITY).scps[0]


def test_a_folder_without_a_manifest_or_with_a_broken_one_is_an_error_with_its_place(tmp_path, broken):
    with pytest.raises(PolicyError, match="no manifest"):
        load_organization(str(tmp_path))
    manifest = broken / "organization.json"
    manifest.write_text(manifest.read_text().replace('"list-roots": "list-roots.json",', '"list-roots": ,'))
    with pytest.raises(PolicyError) as caught:
        load_organization(str(broken))
    (problem,) = caught.value.problems
    assert (problem.location.file, problem.location.line) == (str(manifest), 3)


def only_warning(folder: Path):
    organization = load_organization(str(folder))
    assert len(organization.warnings) == 1, organization.warnings
    return organization, organization.warnings[0]


def test_an_account_listed_without_an_export_is_said_and_has_no_principals(broken):
    edit_manifest(broken, lambda m: m["get-account-authorization-details"].pop(SECURITY))
    organization, warning = only_warning(broken)
    assert warning.severity == "warning" and "no `get-account-authorization-details` export" in warning.message
    assert (warning.location.file, warning.location.path) == (str(broken / "organization.json"),
                                                              ("get-account-authorization-details",))
    assert organization.member(SECURITY).account.principals == ()


def test_an_export_of_an_account_outside_the_organization_is_passed_over(broken):
    edit_manifest(broken, lambda m: m["get-account-authorization-details"].update(
        {"555555555555": "get-account-authorization-details/444455556666.json"}))
    organization, warning = only_warning(broken)
    assert "`555555555555` is not in the organization" in warning.message
    line, column = position_of(broken / "organization.json", '"555555555555"')
    assert (warning.location.line, warning.location.column) == (line, column)
    assert organization.member("555555555555") is None


def test_a_policy_attached_but_not_described_leaves_the_principals_below_unevaluated(broken):
    edit_manifest(broken, lambda m: m["describe-policy"].pop("p-s3encrypt1"))
    organization, warning = only_warning(broken)
    listing = broken / "list-policies-for-target" / "SERVICE_CONTROL_POLICY" / "ou-development.json"
    assert "policy `p-s3encrypt1` is attached but not described" in warning.message
    assert warning.location.file == str(listing) and warning.location.path == ("Policies", 1, "Id")
    for account in (WORKLOAD_A, WORKLOAD_B):
        assert all(p.problems == (warning,) for p in organization.member(account).account.principals)
    assert all(p.complete for p in organization.member(SECURITY).account.principals)
    answer = organization_who_can(organization, "s3:GetObject", SHARED)
    assert answer_of(answer, ADMIN_ROLE).error is not None and not answer_of(answer, ADMIN_ROLE).allowed


def test_an_ou_cycle_and_an_unknown_parent_are_said_where_they_are_written(broken):
    (broken / "list-organizational-units-for-parent" / "ou-development.json").write_text(json.dumps(
        {"OrganizationalUnits": [{"Id": "r-acroot", "Name": "Root again"}]}, indent=2))
    edit_manifest(broken, lambda m: m["list-accounts-for-parent"].update({"ou-ghost": "list-accounts-for-parent/"
                                                                         "ou-security.json"}))
    organization = load_organization(str(broken))
    cycle, ghost = organization.warnings
    assert "OU `r-acroot` is a cycle" in cycle.message
    assert cycle.location.file.endswith("ou-development.json") and cycle.location.line == 4
    assert "parent `ou-ghost` is neither the root nor an OU listed under it" in ghost.message
    assert ghost.location.path == ("list-accounts-for-parent", "ou-ghost")
    assert organization.member(WORKLOAD_A).path == ("r-acroot", "ou-development")


def test_a_bad_organization_policy_is_located_inside_its_content_and_leaves_its_accounts_unevaluated(broken):
    described = broken / "describe-policy" / "p-devonly1.json"
    data = json.loads(described.read_text())
    data["Policy"]["Content"] = data["Policy"]["Content"].replace('"Effect":"Deny"', '"Effect":"Refuse"')
    described.write_text(json.dumps(data, indent=4))
    organization, warning = only_warning(broken)
    assert warning.location.file == str(described) and warning.location.path[:2] == ("Policy", "Content")
    assert "Effect" in warning.location.path
    assert organization.member(WORKLOAD_B).rcp_problems == (warning,)
    assert organization.member(SECURITY).rcp_problems == ()
    answer = organization_who_can(organization, "s3:GetObject", SHARED)
    assert all(a.error is not None for a in answer.answers)  # every request to its resources is a guess
    assert not answer.outside


def test_a_missing_file_is_said_at_the_manifest_entry_that_names_it(broken):
    (broken / "list-policies-for-target" / "SERVICE_CONTROL_POLICY" / SECURITY).with_suffix(".json").unlink()
    organization, warning = only_warning(broken)
    assert "no such file" in warning.message
    assert warning.location.path == ("list-policies-for-target", "SERVICE_CONTROL_POLICY", SECURITY)
    assert not any(p.complete for p in organization.member(SECURITY).account.principals)


def test_a_resource_policy_that_cannot_be_read_leaves_that_resource_unevaluated(broken):
    (broken / "resources" / WORKLOAD_B / "private-data.json").write_text('{"Version": "2012-10-17", "Statement": [')
    organization, warning = only_warning(broken)
    assert warning.location.file.endswith("private-data.json") and warning.location.line == 1
    assert all(a.error is not None for a in organization_who_can(organization, "s3:GetObject", PRIVATE).answers)
    assert any(a.allowed for a in organization_who_can(organization, "s3:GetObject", SHARED).answers)


def test_principals_left_unevaluated_by_the_resource_policy_are_told_it_is_the_resources(broken):
    """A bucket policy that cannot be read is the resource's fault, not the principals': the
    listing says so once, with the policy's file and line, then names the principals."""
    bucket_policy = broken / "resources" / WORKLOAD_B / "private-data.json"
    bucket_policy.write_text('{"Version": "2012-10-17", "Statement": [')
    answers = organization_who_can(load_organization(str(broken)), "s3:GetObject", PRIVATE).answers
    assert answers and all(a.resource_side for a in answers)
    result = invoke("org", "who-can", "-a", "s3:GetObject", "-r", PRIVATE, "--org", broken)
    assert result.exit_code == 1
    assert "of theirs" not in result.stdout
    assert f"9 not evaluated (a policy of the resource could not be loaded: {bucket_policy}:1:" in result.stdout
    assert f"\n  {ERIN}\n" in result.stdout  # a principal of the account, listed alone


def test_principals_of_another_account_in_an_export_are_left_unevaluated(broken):
    edit_manifest(broken, lambda m: m["get-account-authorization-details"].update(
        {SECURITY: f"get-account-authorization-details/{WORKLOAD_A}.json"}))
    organization = load_organization(str(broken))
    assert len(organization.warnings) == 9  # one per principal of workload-a's export
    assert not any(p.complete for p in organization.member(SECURITY).account.principals)


# ------------------------------------------------------------------------------ who-can

def test_an_identity_allow_without_the_buckets_grant_is_denied_across_accounts(example):
    granted = answer_of(organization_who_can(example, "s3:GetObject", SHARED), ADMIN_ROLE)
    assert granted.allowed
    assert (PolicyKind.RESOURCE_POLICY, "shared-data.json", "PartnersRead") in reasons(granted)
    denied = answer_of(organization_who_can(example, "s3:GetObject", PRIVATE), ADMIN_ROLE)
    assert denied.result.decision == "ImplicitDeny" and denied.result.gate == "resource_policy"


def test_an_scp_deny_in_the_callers_ou_denies(example):
    unencrypted = answer_of(organization_who_can(example, "s3:PutObject", SHARED), ADMIN_ROLE)
    assert unencrypted.result.decision == "ExplicitDeny"
    assert reasons(unencrypted) == {(PolicyKind.SCP, "PreventUnencryptedUploads at ou-development", "Statement[0]")}
    encrypted = organization_who_can(example, "s3:PutObject", SHARED, context=ENCRYPTED)
    assert answer_of(encrypted, ADMIN_ROLE).allowed


def test_an_rcp_of_the_resource_account_denies_a_caller_outside_its_ou(example):
    context = {"aws:PrincipalIsAWSService": "false"}
    outside = answer_of(organization_who_can(example, "s3:GetObject", SHARED, context=context), SECOPS)
    assert outside.result.decision == "ExplicitDeny"
    assert reasons(outside) == {(PolicyKind.RCP, "DevelopmentResourcesForDevelopment at ou-development", "Statement[0]")}
    # The organization's keys decide it: said to be of the OU, the same caller is allowed.
    inside = {**context, "aws:PrincipalOrgPaths": ["o-orgid/r-acroot/ou-development/"]}
    assert answer_of(organization_who_can(example, "s3:GetObject", SHARED, context=inside), SECOPS).allowed


def test_the_management_accounts_principals_ignore_scps(example):
    answer = organization_who_can(example, "organizations:LeaveOrganization", "*", resource_account_id=MANAGEMENT)
    assert answer_of(answer, GOAT).allowed
    member = answer_of(answer, ADMIN_ROLE)
    assert reasons(member) == {(PolicyKind.SCP, "DenyLeaveOrganization at r-acroot", "Statement[0]")}


def test_a_resource_of_no_known_account_is_an_error(example):
    with pytest.raises(PolicyError, match="is unknown"):
        organization_who_can(example, "s3:GetObject", "arn:aws:s3:::nobody-s-bucket/key")
    with pytest.raises(PolicyError, match="not in the organization"):
        organization_who_can(example, "sqs:SendMessage", "arn:aws:sqs:us-east-1:555555555555:queue")


# ------------------------------------------------------------------------------ paths

def path_lengths(found) -> dict[str, int]:
    return {p.principal.arn: len(p.hops) for p in found.paths}


def test_paths_follow_a_three_hop_chain_across_accounts_with_each_hops_statements(example):
    found = assume_paths(example, DEPLOYER)
    assert path_lengths(found) == {ADMIN_ROLE: 1, ERIN: 1, JUMP: 2, SECOPS: 3}
    (secops,) = [p for p in found.paths if p.principal.arn == SECOPS]
    assert [(h.caller.arn, h.role.arn) for h in secops.hops] == [(SECOPS, JUMP), (JUMP, ADMIN_ROLE),
                                                                 (ADMIN_ROLE, DEPLOYER)]
    assert (PolicyKind.RESOURCE_POLICY, "trust policy of role AdminRole", "BreakGlassFromSecurityAccount") in {
        (m.ref.kind, m.ref.policy, m.ref.statement) for m in secops.hops[1].result.reasons}
    assert path_lengths(assume_paths(example, DEPLOYER, max_hops=2)) == {ADMIN_ROLE: 1, ERIN: 1, JUMP: 2}


def test_paths_end_at_a_cycle(example):
    # Jump can assume AdminRole and AdminRole can assume Jump: each is reached once.
    assert path_lengths(assume_paths(example, JUMP)) == {SECOPS: 1, ADMIN_ROLE: 1}
    with pytest.raises(PolicyError, match="not a role of the organization"):
        assume_paths(example, SECOPS)


# ------------------------------------------------------------------------------ the commands

def test_org_who_can_prints_by_account_and_exits_0_when_someone_is_allowed():
    result = invoke("org", "who-can", "-a", "s3:GetObject", "-r", SHARED, "--org", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "7 of 21 principals of 4 accounts may s3:GetObject" in result.output
    assert f"account {MANAGEMENT} management (r-acroot; management account, no SCPs)" in result.output
    none = invoke("org", "who-can", "-a", "organizations:LeaveOrganization", "-r", "*", "--resource-account",
                  WORKLOAD_A, "--org", EXAMPLE)
    assert none.exit_code == 1, none.output


def test_org_who_can_json_gives_one_line_per_principal_with_its_account():
    result = invoke("org", "who-can", "-a", "s3:GetObject", "-r", SHARED, "--org", EXAMPLE, "--json")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 21 and result.exit_code == 0
    admin = next(line for line in lines if line["principal"] == ADMIN_ROLE)
    assert (admin["account"], admin["org_path"], admin["management_account"]) == (WORKLOAD_A,
                                                                                 "r-acroot/ou-development", False)
    assert admin["decision"] == "Allow" and admin["action"] == "s3:GetObject"
    assert {"policy": "shared-data.json", "statement": "PartnersRead", "effect": "Allow",
            "principal_match": "ACCOUNT"} in admin["reasons"]


def test_org_paths_json_gives_each_hop_and_exit_1_when_nobody_reaches_the_role():
    result = invoke("org", "paths", "--to", DEPLOYER, "--org", EXAMPLE, "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    secops = next(line for line in lines if line["principal"] == SECOPS)
    assert [(h["caller"], h["role"], h["decision"]) for h in secops["hops"]] == [
        (SECOPS, JUMP, "Allow"), (JUMP, ADMIN_ROLE, "Allow"), (ADMIN_ROLE, DEPLOYER, "Allow")]
    nobody = invoke("org", "paths", "--to", f"arn:aws:iam::{WORKLOAD_B}:role/service-role/level1", "--org", EXAMPLE)
    assert nobody.exit_code == 1 and "0 principals can reach" in nobody.output


@pytest.mark.parametrize("args, where", [
    (["org", "who-can", "-a", "s3:GetObject", "-r", SHARED, "--org", "{folder}"], "organization.json:3:17"),
    (["org", "paths", "--to", DEPLOYER, "--org", "{folder}"], "organization.json:3:17"),
])
def test_bad_input_exits_2_with_its_file_line_and_column(broken, args, where):
    manifest = broken / "organization.json"
    manifest.write_text(manifest.read_text().replace('"list-roots": "list-roots.json",', '"list-roots": ,'))
    result = invoke(*[a.format(folder=broken) for a in args])
    assert result.exit_code == 2
    assert f"{broken}/{where}" in result.output


def test_a_usage_error_of_org_exits_2():
    assert invoke("org", "who-can", "-r", SHARED, "--org", EXAMPLE).exit_code == 2
    assert invoke("org", "paths", "--to", DEPLOYER, "--org", EXAMPLE, "--max-hops", "0").exit_code == 2


def test_a_parent_whose_ous_are_not_listed_and_an_account_under_two_parents_are_said(broken):
    edit_manifest(broken, lambda m: m["list-organizational-units-for-parent"].pop("ou-security"))
    (broken / "list-accounts-for-parent" / "ou-security.json").write_text(json.dumps(
        {"Accounts": [{"Id": SECURITY, "Name": "security"}, {"Id": WORKLOAD_A, "Name": "again"}]}, indent=2))
    organization = load_organization(str(broken))
    twice, unlisted = organization.warnings
    assert "account `111122223333` is listed under two parents" in twice.message
    assert twice.location.path == ("Accounts", 1, "Id") and twice.location.file.endswith("ou-security.json")
    assert "the OUs under `ou-security` are not listed" in unlisted.message
    assert organization.member(WORKLOAD_A).path == ("r-acroot", "ou-development")


def test_a_describe_policy_output_of_another_policy_is_not_taken_for_it(broken):
    shutil.copy(broken / "describe-policy" / "p-FullAWSAccess.json", broken / "describe-policy" / "p-denyleave1.json")
    organization, warning = only_warning(broken)
    assert "this describes `p-FullAWSAccess`" in warning.message
    assert not any(p.complete for m in organization.accounts if not organization.is_management(m) for p in m.account.principals)
    assert all(p.complete for p in organization.member(MANAGEMENT).account.principals)


def test_paths_list_the_hops_that_could_not_be_evaluated(broken):
    export = broken / "get-account-authorization-details" / f"{SECURITY}.json"
    data = json.loads(export.read_text())
    (jump_role,) = [r for r in data["RoleDetailList"] if r["RoleName"] == "Jump"]
    jump_role["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Effect"] = "Permit"
    export.write_text(json.dumps(data, indent=4))
    result = invoke("org", "paths", "--to", DEPLOYER, "--org", broken, "--json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line["principal"] for line in lines if "hops" in line} == {ADMIN_ROLE, ERIN}
    unevaluated = [line for line in lines if "error" in line]
    assert {(line["principal"], line["role"]) for line in unevaluated} == {(JUMP, DEPLOYER), (JUMP, ADMIN_ROLE)}
    problem = unevaluated[0]["problems"][0]
    assert problem["file"] == str(export) and problem["element"].endswith("Effect")
    assert "warning" in result.stderr


def test_a_manifest_key_it_does_not_read_is_a_located_warning_never_passed_over_unseen(broken):
    """A misspelt `resource-policy` (for `resource-policies`) would drop every bucket policy."""
    def misspell(data):
        data["resource-policy"] = data.pop("resource-policies")
        data["list-policies-for-target"]["TAG_POLICY"] = {}
    edit_manifest(broken, misspell)
    organization = load_organization(str(broken))
    messages = [w.message for w in organization.warnings]
    assert "`resource-policy` is not a key of the manifest: it was passed over" in messages
    assert "`TAG_POLICY` is not a policy type read here: it was passed over" in messages
    warning = next(w for w in organization.warnings if "resource-policy" in w.message)
    assert warning.location.line is not None and warning.location.file.endswith("organization.json")


ANALYST = f"arn:aws:iam::{SECURITY}:user/analyst"  # AmazonS3ReadOnlyAccess, which its export does not hold


def test_org_commands_take_fresher_aws_managed_policies_over_the_snapshot(tmp_path):
    """`--managed-policies`, as `who-can --account-details` takes it: the AWS managed policies the
    organization's exports attach without holding them are read from it, not from the snapshot."""
    folder = fresher_s3_read_only(tmp_path / "fresh")
    asked = ["org", "who-can", "-a", "s3:GetObject", "-r", "arn:aws:s3:::security-logs/x", "--resource-account",
             SECURITY, "--org", EXAMPLE, "--json"]

    def analyst(result) -> str:
        assert result.exit_code in (0, 1), result.output
        (line,) = [json.loads(line) for line in result.stdout.splitlines() if ANALYST in line]
        return line["decision"]

    assert analyst(invoke(*asked)) == "Allow"
    assert analyst(invoke(*asked, "--managed-policies", folder)) == "ImplicitDeny"
    listing = invoke(*asked[:2], "-a", "s3:ListBucket", "-r", "arn:aws:s3:::security-logs", *asked[6:],
                     "--managed-policies", folder)
    assert analyst(listing) == "Allow"  # what the fresher copy still allows
    twice = invoke(*asked, "--managed-policies", folder, "--managed-policies", folder)
    assert twice.exit_code == 2 and "--managed-policies" in twice.output
