"""`iameval diff` over templates and plans (issue 16): two templates compared principal by
principal, one Terraform plan's `before` against its `after`; real plans from
fixtures/iac/terraform-plans/ and small templates of fixtures/iac/diff/.
"""

from __future__ import annotations

import json
from pathlib import Path

from iameval import Authorizer
from iameval.inputs._infrastructure import load_infrastructure
from iameval.inputs._terraform import PlanState
from helpers import invoke, position_of, write

FIXTURES = Path(__file__).parent.parent / "fixtures" / "iac"
PLANS = FIXTURES / "terraform-plans"
OLD, NEW = FIXTURES / "diff" / "app-old.yaml", FIXTURES / "diff" / "app-new.yaml"


def pairs(output: str) -> dict[tuple[str, str], dict]:
    return {(p["name"], p["part"]): p for p in json.loads(output)["pairs"]}


def test_a_plan_that_creates_a_user_with_an_allow_is_new_access_with_the_example_replayed() -> None:
    plan = PLANS / "tfpv-identity_policies.json"  # every resource is created: its `before` is empty
    result = invoke("diff", plan, "--json")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["result"] == "new-access"
    user = pairs(result.stdout)[("aws_iam_user.lb", "identity policies")]
    assert (user["change"], user["kind"], user["result"]) == ("added", "identity", "new-access")
    principal = load_infrastructure(str(plan), state=PlanState.AFTER).find("aws_iam_user.lb")
    assert principal is not None
    for finding in user["findings"]:
        example = finding["example"]
        assert example["principal"] == principal.arn  # the principal's own requests
        assert Authorizer(identity=principal.identity).authorize(example).allowed
        assert not Authorizer(identity=[]).authorize(example).allowed


def test_a_plan_that_changes_no_policy_is_no_new_access() -> None:
    # Its updates are to a load balancer and a function; its roles and their policies are `no-op`.
    result = invoke("diff", PLANS / "tfc-issue-249-roles_asg.json", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"result": "no-new-access", "pairs": [], "unchanged": 6, "removed": []}


def _widened_plan(tmp_path: Path) -> Path:
    """tfc-issue-249's plan, its role policy's `after` given one more statement: `iam:CreateUser`."""
    plan = json.loads((PLANS / "tfc-issue-249-roles_asg.json").read_text(encoding="utf-8"))
    (change,) = [c["change"] for c in plan["resource_changes"]
                 if c["address"] == "aws_iam_role_policy.lambda_role_policy"]
    policy = json.loads(change["after"]["policy"])
    policy["Statement"].append({"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"})
    change["after"]["policy"] = json.dumps(policy)
    change["actions"] = ["update"]
    return write(tmp_path / "plan.json", plan)


def test_a_plan_that_adds_an_allow_to_a_role_policy_is_new_access_for_that_role(tmp_path: Path) -> None:
    plan = _widened_plan(tmp_path)
    result = invoke("diff", plan, "--json")
    assert result.exit_code == 1, result.output
    role = pairs(result.stdout)[("aws_iam_role.lambda_role", "identity policies")]
    assert (role["change"], role["result"]) == ("changed", "new-access")
    assert [f["actions"] for f in role["findings"]] == [["iam:CreateUser"]]
    assert role["findings"][0]["statements"] == ["Statement[5] of aws_iam_role_policy.lambda_role_policy"]
    example = role["findings"][0]["example"]
    assert example["principal"] == "arn:aws:iam::123456789012:role/myapp-lambda-exec-role-sandbox"
    before, after = (load_infrastructure(str(plan), state=state).find("aws_iam_role.lambda_role")
                     for state in (PlanState.BEFORE, PlanState.AFTER))
    assert before is not None and after is not None
    assert Authorizer(identity=after.identity).authorize(example).allowed
    assert not Authorizer(identity=before.identity).authorize(example).allowed
    assert len(json.loads(result.stdout)["pairs"]) == 1


def test_reverse_of_a_widening_plan_takes_nothing_away(tmp_path: Path) -> None:
    result = invoke("diff", _widened_plan(tmp_path), "--reverse")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("no-new-access")
    assert "aws_iam_role.lambda_role: identity policies (changed, searched as identity): no-new-access" in result.stdout


def test_a_resource_policy_a_plan_adds_grants_to_the_caller_it_names() -> None:
    # The plan creates an `aws_lambda_permission`: the function gets a resource-based policy.
    result = invoke("diff", PLANS / "tfc-issue-522-lambda_role.json", "--json")
    assert result.exit_code == 1, result.output
    found = [p for p in json.loads(result.stdout)["pairs"] if p["part"] == "resource policy"]
    assert [(p["change"], p["kind"], p["result"]) for p in found] == [("added", "resource", "new-access")]
    assert "arn:aws:lambda:us-east-1:123456789012:function:metrics-lambda-primary-lambda" in found[0]["name"]
    assert [(f["actions"], f["example"]["principal"]) for f in found[0]["findings"]] == [
        (["lambda:InvokeFunction"], "events.amazonaws.com")]


def test_two_templates_where_a_role_gains_an_action_and_a_user_is_new() -> None:
    result = invoke("diff", OLD, NEW, "--json")
    assert result.exit_code == 1, result.output
    found = pairs(result.stdout)
    role = found[("AppRole (AWS::IAM::Role)", "identity policies")]
    assert (role["change"], role["result"]) == ("changed", "new-access")
    assert [f["actions"] for f in role["findings"]] == [["s3:PutObject"]]
    assert role["findings"][0]["example"]["resource"].startswith("arn:aws:s3:::app-data/")
    user = found[("AuditUser (AWS::IAM::User)", "identity policies")]
    assert (user["change"], [f["actions"] for f in user["findings"]]) == ("added", [["logs:GetLogEvents"]])
    assert user["findings"][0]["statements"] == ["ReadLogs of AuditUser (AWS::IAM::User) inline policy ReadLogs"]
    assert json.loads(result.stdout)["unchanged"] == 1  # the role's trust policy


def test_two_templates_reversed_name_what_was_removed_and_allow_nothing_new() -> None:
    result = invoke("diff", OLD, NEW, "--reverse")
    assert result.exit_code == 0, result.output
    assert "removed: AuditUser (AWS::IAM::User): identity policies" in result.stdout


def test_a_template_against_itself_is_no_new_access() -> None:
    result = invoke("diff", OLD, OLD)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "no-new-access"


def test_sarif_locates_the_statement_that_newly_allows_in_the_template() -> None:
    result = invoke("diff", OLD, NEW, "--sarif")
    assert result.exit_code == 1, result.output
    results = json.loads(result.stdout)["runs"][0]["results"]
    role = [r for r in results if r["message"]["text"].startswith("AppRole (AWS::IAM::Role) identity policies")]
    assert role and role[0]["ruleId"] == "new-access"
    where = role[0]["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"].endswith("app-new.yaml")
    line, _ = position_of(NEW, "Action: [s3:GetObject, s3:PutObject]")
    assert where["region"]["startLine"] == line - 1  # the statement's `- Effect: Allow`


def test_an_unreadable_template_exits_2_located(tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.yaml", NEW.read_text(encoding="utf-8").replace(
        "Action: logs:GetLogEvents", "Action: [logs:GetLogEvents"))
    result = invoke("diff", OLD, broken)
    assert result.exit_code == 2, result.output
    assert f"{broken}:" in result.stderr and "Traceback" not in result.output


def test_one_template_alone_exits_2_and_says_a_plan_is_compared_alone() -> None:
    result = invoke("diff", NEW)
    assert result.exit_code == 2, result.output
    assert "give the template as it was and as it is now" in result.stderr


def test_type_is_refused_for_templates() -> None:
    result = invoke("diff", OLD, NEW, "--type", "scp")
    assert result.exit_code == 2, result.output
    assert "--type is for policy files" in result.stderr


def test_a_plan_read_for_its_before_holds_the_principals_before_the_plan() -> None:
    plan = str(PLANS / "regula-admin_policy_infra.json")  # creates a role and a user
    assert dict(load_infrastructure(plan, state=PlanState.BEFORE).names) == {}
    after = load_infrastructure(plan, state=PlanState.AFTER)
    assert set(after.names) == {"aws_iam_role.my_test_role", "aws_iam_user.my_test_user"}
    assert not any(found.label.endswith("(before)") for found in after.policies)


BOUNDED = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: app-boundary
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: "*"
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      PermissionsBoundary: !Ref Boundary
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: S3
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: "*"
"""


def test_a_widened_boundary_and_a_trust_policy_that_names_an_account_are_new_access(tmp_path: Path) -> None:
    old = write(tmp_path / "old.yaml", BOUNDED)
    new = write(tmp_path / "new.yaml", BOUNDED.replace("Action: s3:GetObject", "Action: [s3:GetObject, s3:PutObject]")
                .replace("Service: lambda.amazonaws.com", 'AWS: "arn:aws:iam::111122223333:root"'))
    result = invoke("diff", old, new, "--json")
    assert result.exit_code == 1, result.output
    found = pairs(result.stdout)
    boundary = found[("AppRole (AWS::IAM::Role)", "permissions boundary")]
    assert (boundary["kind"], boundary["result"]) == ("boundary", "new-access")
    assert [f["actions"] for f in boundary["findings"]] == [["s3:PutObject"]]
    trust = found[("AppRole (AWS::IAM::Role)", "trust policy")]
    assert (trust["kind"], trust["result"]) == ("trust", "new-access")
    assert {f["example"]["principal"].split(":")[4] for f in trust["findings"]} == {"111122223333"}
    assert ("AppRole (AWS::IAM::Role)", "identity policies") not in found  # the same on both sides


def test_a_boundary_taken_away_newly_allows_what_the_identity_policies_allow_beyond_it(tmp_path: Path) -> None:
    old = write(tmp_path / "old.yaml", BOUNDED)
    new = write(tmp_path / "new.yaml", BOUNDED.replace("      PermissionsBoundary: !Ref Boundary\n", ""))
    result = invoke("diff", old, new, "--json")
    assert result.exit_code == 1, result.output
    (pair,) = [p for p in json.loads(result.stdout)["pairs"] if p["part"].startswith("permissions boundary")]
    assert [f["actions"] for f in pair["findings"]] == [["s3:PutObject"]]
    assert pair["findings"][0]["statements"] == ["Statement[0] of AppRole (AWS::IAM::Role) inline policy S3"]
    assert invoke("diff", new, old).exit_code == 0  # a boundary added only limits
