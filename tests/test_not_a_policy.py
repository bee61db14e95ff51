"""Files that are not policies, given where a policy is expected: each is refused with
`not-a-policy`, saying what the file is and what reads it (or how to take the policy out).

The templates, the plan and the account export are real files (fixtures/not-policies, with their
licenses); the other kinds are written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import iameval
from helpers import FIXTURES, OBJECT, allow, doc, invoke, position_of, write
from iameval.policy._errors import format_path

NOT = FIXTURES / "not-policies"
CFN = "a CloudFormation template"
SAM = "a SAM template"
PLAN = "a Terraform plan (terraform show -json)"
ACCOUNT = "an account export (aws iam get-account-authorization-details)"

# Each row: a file, what the message calls it, the element that tells, and where that is
# (the text searched for in the file).
REAL = [
    pytest.param("cfnlint-good-iam-policy.yaml", CFN, "AWSTemplateFormatVersion", "AWSTemplateFormatVersion",
                 id="cloudformation-yaml-short-forms"),
    pytest.param("cfnpv-bad_template.json", CFN, "Resources.MyQueue.Type", '"Type"', id="cloudformation-json"),
    pytest.param("cfnlint-good-transform-function_use_s3_uri.yaml", SAM, "Transform", "Transform:",
                 id="sam-by-transform"),
    pytest.param("sam-connector_sns_to_sqs-input.yaml", SAM, "Resources.MyQueue1Connector.Type",
                 "Type: AWS::Serverless::Connector", id="sam-by-resource-type"),
    pytest.param("tfc-issue-115-iam_policy.json", PLAN, "format_version", '"format_version"', id="terraform-plan"),
    pytest.param("aws-cli-docs-example.json", ACCOUNT, "RoleDetailList", '"RoleDetailList"', id="account-export"),
]


def _only_problem(exc: pytest.ExceptionInfo[iameval.PolicyError]) -> iameval.Problem:
    (problem,) = exc.value.problems
    assert problem.code == "not-a-policy", str(problem)
    return problem


@pytest.mark.parametrize("name, what, element, needle", REAL)
def test_load_policy_file_says_what_the_file_is_and_where_it_shows(name, what, element, needle):
    path = NOT / name
    with pytest.raises(iameval.PolicyError) as exc:
        iameval.load_policy_file(path)
    problem = _only_problem(exc)
    assert problem.message == f"this is {what}, not a policy"
    assert format_path(problem.location.path) == element
    assert (problem.location.file, problem.location.line, problem.location.column) == \
        (str(path), *position_of(path, needle))


@pytest.mark.parametrize("name, what, element, needle", REAL)
def test_check_refuses_the_file_with_its_own_code_and_exit_2(name, what, element, needle):
    result = invoke("check", NOT / name, "-a", "s3:GetObject", "--json")
    assert result.exit_code == 2, result.output
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["element"], problem["message"]) == \
        ("not-a-policy", element, f"this is {what}, not a policy")
    assert "Traceback" not in result.output


# What `validate` reads itself (templates and plans: tests/test_templates.py) is left out.
NOT_READ_BY_VALIDATE = [row for row in REAL if row.values[1] == ACCOUNT]


@pytest.mark.parametrize("name, what, element, needle", NOT_READ_BY_VALIDATE)
def test_validate_reports_the_file_as_one_error_located(name, what, element, needle):
    path = NOT / name
    result = invoke("validate", path)
    assert result.exit_code == 2, result.output
    line, column = position_of(path, needle)
    assert result.stdout.startswith(f"{path}:{line}:{column}: error[not-a-policy]: {element}: this is {what}, "
                                    "not a policy (hint: "), result.stdout


def test_validate_sarif_names_the_rule_of_a_file_that_is_not_a_policy():
    result = invoke("validate", NOT / "aws-cli-docs-example.json", "--sarif")
    assert result.exit_code == 2, result.output
    (run,) = json.loads(result.stdout)["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["not-a-policy"]


def test_validate_of_a_folder_reads_the_template_and_still_validates_the_policies(tmp_path):
    """A policy with a stray key stays a policy with an unknown element: only a document without
    `Statement` is taken for another kind of file (here a template, whose policies are read)."""
    (tmp_path / "template.yaml").write_text((NOT / "cfnlint-good-iam-policy.yaml").read_text())
    write(tmp_path / "policy.json", {**doc(allow("s3:GetObject", OBJECT)), "Resources": {}})
    result = invoke("validate", tmp_path, "--json")
    assert result.exit_code == 2, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(Path(f["file"]).name, f["code"], f["element"]) for f in findings] == [
        ("policy.json", "unknown-element", "Resources"),
        ("template.yaml", "unknown-until-deploy", "Resources.SomeManagedPolicy")]


# ------------------------------------------------------------------- the options that read policies

@pytest.mark.parametrize("option, name, what", [
    ("--resource-policy", "tfc-issue-115-iam_policy.json", PLAN),
    ("--scp", "cfnlint-good-iam-policy.yaml", CFN),
    ("--rcp", "sam-connector_sns_to_sqs-input.yaml", SAM),
    ("--permission-boundary", "aws-cli-docs-example.json", ACCOUNT),
    ("--session-policy", "cfnpv-bad_template.json", CFN),
])
def test_every_policy_option_of_check_refuses_a_file_that_is_not_a_policy(tmp_path, option, name, what):
    identity = write(tmp_path / "identity.json", doc(allow("s3:GetObject", OBJECT)))
    result = invoke("check", identity, option, NOT / name, "-a", "s3:GetObject", "-r", OBJECT, "--json")
    assert result.exit_code == 2, result.output
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["file"], problem["message"]) == \
        ("not-a-policy", str(NOT / name), f"this is {what}, not a policy")


def test_who_can_refuses_a_plan_given_as_the_resource_policy():
    result = invoke("who-can", "--account-details", NOT / "aws-cli-docs-example.json", "-a", "s3:GetObject",
                    "-r", OBJECT, "--resource-policy", NOT / "tfc-issue-115-iam_policy.json", "--json")
    assert result.exit_code == 2, result.output
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["not-a-policy"]


def test_expand_reads_the_one_policy_of_a_template_given_as_the_policy():
    """Its `Fn::If` on a condition that is false leaves the second statement out (`AWS::NoValue`)."""
    result = invoke("expand", "--policy", NOT / "cfnlint-good-iam-policy.yaml", "--json")
    assert result.exit_code == 0, result.output
    assert [a["action"] for a in json.loads(result.stdout)["actions"]] == ["s3:GetObject", "s3:ListBucket"]


def test_a_template_on_standard_input_is_named_as_such():
    result = invoke("check", "-", "-a", "s3:GetObject", "--json",
                    input=(NOT / "cfnlint-good-iam-policy.yaml").read_text())
    assert result.exit_code == 2, result.output
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["file"], problem["line"]) == ("not-a-policy", "<stdin>", 2)


def test_a_scenario_file_reference_to_a_template_names_the_template(tmp_path):
    scenario = write(tmp_path / "scenario.json", {
        "policies": {"identity": [{"file": str(NOT / "cfnlint-good-iam-policy.yaml")}]},
        "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                    "resource": OBJECT}})
    (loaded,) = iameval.load_scenarios(scenario)
    assert loaded.error is not None
    assert [(p.code, p.location.file) for p in loaded.error.problems] == \
        [("not-a-policy", str(NOT / "cfnlint-good-iam-policy.yaml"))]


# -------------------------------------------------------------------------------------- hints

def _hint(path: Path) -> str:
    with pytest.raises(iameval.PolicyError) as exc:
        iameval.load_policy_file(path)
    hint = _only_problem(exc).hint
    assert hint is not None
    return hint


@pytest.mark.parametrize("name", ["cfnlint-good-iam-policy.yaml", "sam-connector_sns_to_sqs-input.yaml",
                                  "tfc-issue-115-iam_policy.json"])
def test_the_hint_for_a_template_or_plan_names_the_commands_that_read_it(name):
    path = NOT / name
    assert _hint(path) == (f"`iameval validate {path}` checks its policies; `iameval check` and `iameval who-can` "
                           f"read it with `--template {path}`")


def test_the_hint_for_an_account_export_names_the_option_that_reads_it():
    path = NOT / "aws-cli-docs-example.json"
    assert _hint(path) == ("`iameval check` (with `--principal`) and `iameval who-can` read it with "
                           f"`--account-details {path}`")


# ----------------------------------------------------------------------- kinds written here

@pytest.mark.parametrize("name, content, what, element", [
    ("state.json", {"format_version": "1.0", "terraform_version": "1.5.7", "values": {"root_module": {}}},
     "a Terraform state", "terraform_version"),
    ("terraform.tfstate.json", {"version": 4, "terraform_version": "1.5.7", "serial": 3, "lineage": "x",
                                "outputs": {}, "resources": []},
     "a Terraform state", "terraform_version"),
    ("main.tf.json", {"provider": {"aws": {"region": "eu-west-1"}},
                      "resource": {"aws_iam_policy": {"p": {"policy": "${data.aws_iam_policy_document.d.json}"}}}},
     "Terraform configuration", "provider"),
    ("scenario.json", {"id": "s", "policies": {"identity": [doc(allow())]},
                       "request": {"action": "s3:GetObject", "resource": "*"}},
     "a scenario file", "request"),
    ("scenarios.json", [{"policies": {}, "request": {"action": "s3:GetObject"}}],
     "a scenario file", "[0].request"),
])
def test_a_written_file_of_another_kind_is_named(tmp_path, name, content, what, element):
    path = write(tmp_path / name, content)
    with pytest.raises(iameval.PolicyError) as exc:
        iameval.load_policy_file(path)
    problem = _only_problem(exc)
    assert (problem.message, format_path(problem.location.path)) == (f"this is {what}, not a policy", element)


def test_a_terraform_configuration_file_is_named_without_being_parsed(tmp_path):
    path = write(tmp_path / "main.tf", 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({})\n}\n')
    result = invoke("validate", path)
    assert result.exit_code == 2, result.output
    assert result.stdout.startswith(f"{path}:1:1: error[not-a-policy]: this is Terraform configuration, "
                                    "not a policy (hint: iameval does not read Terraform configuration yet")


def test_a_scenario_file_hint_gives_the_run_command(tmp_path):
    path = write(tmp_path / "scenario.json", {"policies": {}, "request": {"action": "s3:GetObject"}})
    assert _hint(path) == f"run it with `iameval run {path}`"


def test_a_json_lines_file_of_scenarios_is_one_mistake_not_one_a_line(tmp_path):
    line = json.dumps({"policies": {}, "request": {"action": "s3:GetObject"}})
    path = write(tmp_path / "scenarios.jsonl", "\n".join([line] * 3) + "\n")
    result = invoke("validate", path, "--json")
    assert [(f["code"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [("not-a-policy", 1)]


# The output of `aws` commands that hold a policy one key down: the hint says how to save it alone.
POLICY_TEXT = json.dumps(doc(allow()))


@pytest.mark.parametrize("content, key, command, query", [
    ({"PolicyVersion": {"Document": doc(allow()), "VersionId": "v2", "IsDefaultVersion": True}},
     "PolicyVersion.Document", "`aws iam get-policy-version`", "--query PolicyVersion.Document"),
    ({"Role": {"RoleName": "Reader", "AssumeRolePolicyDocument": doc(allow("sts:AssumeRole", None,
                                                                           Principal={"Service": "ec2.amazonaws.com"}))}},
     "Role.AssumeRolePolicyDocument", "`aws iam get-role`", "--query Role.AssumeRolePolicyDocument"),
    ({"RoleName": "Reader", "PolicyName": "read", "PolicyDocument": doc(allow())},
     "PolicyDocument", "`aws iam get-role-policy` (or `get-user-policy`, `get-group-policy`)",
     "--query PolicyDocument"),
    ({"Policy": POLICY_TEXT},
     "Policy", "`aws s3api get-bucket-policy`, `aws kms get-key-policy` or `aws lambda get-policy`",
     "--query Policy --output text"),
    ({"Policy": {"PolicySummary": {"Name": "scp"}, "Content": POLICY_TEXT}},
     "Policy.Content", "`aws organizations describe-policy`", "--query Policy.Content --output text"),
    ({"Attributes": {"Policy": POLICY_TEXT}},
     "Attributes.Policy", "`aws sqs get-queue-attributes` or `aws sns get-topic-attributes`",
     "--query Attributes.Policy --output text"),
])
def test_a_command_output_says_which_key_holds_the_policy(tmp_path, content, key, command, query):
    path = write(tmp_path / "output.json", content)
    with pytest.raises(iameval.PolicyError) as exc:
        iameval.load_policy_file(path)
    problem = _only_problem(exc)
    assert format_path(problem.location.path) == key
    assert problem.message == f"this is the output of {command}, not a policy: the policy is the value of `{key}`"
    assert problem.hint == f"save that value alone: add `{query}` to the command"


def test_a_policy_with_a_cloudformation_short_form_keeps_its_syntax_error_with_a_hint(tmp_path):
    path = write(tmp_path / "policy.yaml", "Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n"
                                           "    Action: s3:GetObject\n    Resource: !Sub 'arn:aws:s3:::${Bucket}/*'\n")
    with pytest.raises(iameval.PolicyError) as exc:
        iameval.load_policy_file(path)
    (problem,) = exc.value.problems
    assert problem.code == "invalid-syntax"
    assert problem.hint == ("`!Sub` is CloudFormation's short form of `Fn::Sub`, which only CloudFormation "
                            "reads: write the value it stands for")
