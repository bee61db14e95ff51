"""Templates and plans, second round: a Lambda function's resource-based policy built from its
permissions, resource policies held inline (`aws_s3_bucket.policy`) or validated but not applied,
`aws_iam_policy_document` data sources, organization policies applied by their targets, and
`who-can --assume --resource` by logical ID or address.

Real files of fixtures/iac (with their licences); small templates written here where no licensed
file has the form (a permission for an account, with conditions).
"""

from __future__ import annotations

import json

import pytest

from helpers import FIXTURES, flat, invoke, position_of, write
from iameval.inputs._accounts import granted_outside
from iameval.inputs._infrastructure import load_infrastructure
from iameval.policy._errors import format_path

IAC = FIXTURES / "iac"
CFN = IAC / "cloudformation"
PLANS = IAC / "terraform-plans"
CIS = CFN / "cfnlint-quickstart-cis_benchmark.yaml"
PUBLIC = PLANS / "tfpv-public_access.json"


# ------------------------------------------------------------------------ Lambda permissions

def test_a_cloudformation_permission_is_a_statement_of_the_functions_policy():
    """`AWS::Lambda::Permission` for config.amazonaws.com on a function named `EvaluateVpcFlowLogs`."""
    found = load_infrastructure(str(CIS))
    function = "arn:aws:lambda:us-east-1:123456789012:function:EvaluateVpcFlowLogs"
    [permissions] = [p for p in found.policies if p.label.startswith("EvaluateVpcFlowLogs (Lambda function)")]
    assert permissions.data["Statement"] == [{
        "Sid": "ConfigPermissionToCallVpcFlowLogLambda", "Effect": "Allow",
        "Principal": {"Service": "config.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": function}]
    where = permissions.source.locate(permissions.path + ("Statement", 0, "Principal"))
    assert (where.line, where.column) == position_of(CIS, "ConfigPermissionToCallVpcFlowLogLambda:")
    grants = granted_outside(found.account, "lambda:InvokeFunction", function,
                             resource_policy=found.resource_policy("lambda:InvokeFunction", function)[0])
    assert [(g.kind, g.principal) for g in grants] == [("service", "config.amazonaws.com")]


def test_a_terraform_permission_for_anyone_is_found_by_validate_and_who_can():
    function = "arn:aws:lambda:us-east-1:123456789012:function:lambda_called_from_sns"
    result = invoke("who-can", "--template", PUBLIC, "-a", "lambda:InvokeFunction", "-r", function)
    assert "anyone, including anonymous callers" in flat(result.stdout), result.output
    assert "policy-too-large" not in result.output  # measured on its own document, not on the plan's text
    assert "AllowExecutionFromSNS of resource-based policy lambda_called_from_sns (Lambda function) permissions " \
           "aws_lambda_permission.with_sns" in flat(result.stdout)
    checked = invoke("validate", PUBLIC)
    assert any("public-principal" in row and "aws_lambda_permission.with_sns" in row
               for row in checked.stdout.splitlines()), checked.stdout


PERMISSIONS = """
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: reports, Role: arn:aws:iam::123456789012:role/fn, Code: {ZipFile: x}}
  FromPartner:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !Ref Fn, Action: lambda:InvokeFunction, Principal: '444455556666'}
  FromBucket:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Fn.Arn
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
      SourceArn: arn:aws:s3:::uploads
      SourceAccount: '123456789012'
  FromOrg:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: 123456789012:function:reports:live, Action: lambda:GetFunction, Principal: '*',
                 PrincipalOrgID: o-a1b2c3d4e5}
  ByUrl:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: reports, Action: lambda:InvokeFunctionUrl, Principal: '*', FunctionUrlAuthType: NONE}
"""


def test_each_permission_is_the_statement_lambda_writes(tmp_path):
    """An account ID is its root; SourceArn an ArnLike, the others StringEquals; a qualifier
    (`:live`) is a policy of the alias's own ARN."""
    found = load_infrastructure(str(write(tmp_path / "fn.yaml", PERMISSIONS)))
    function = "arn:aws:lambda:us-east-1:123456789012:function:reports"
    policy = found.resource_policies[function]
    assert [json.loads(s.model_dump_json(by_alias=True, exclude_none=True)) for s in policy.statement] == [
        {"Sid": "FromPartner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
         "Action": "lambda:InvokeFunction", "Resource": function},
        {"Sid": "FromBucket", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
         "Action": "lambda:InvokeFunction", "Resource": function,
         "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"},
                       "StringEquals": {"AWS:SourceAccount": "123456789012"}}},
        {"Sid": "ByUrl", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl",
         "Resource": function, "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}}]
    [permissions] = [p for p in found.policies if p.label.startswith("reports (Lambda function)")]
    where = permissions.source.locate(permissions.path + ("Statement", 1, "Condition"))
    assert (where.line, where.column) == position_of(tmp_path / "fn.yaml", "FromBucket:")
    alias = found.resource_policies[f"{function}:live"]
    assert alias.statement[0].condition is not None
    result = invoke("who-can", "--template", tmp_path / "fn.yaml", "-a", "lambda:InvokeFunction", "-r", function)
    text = flat(result.stdout)
    assert "any principal of account 444455556666" in text and "service s3.amazonaws.com" in text
    assert "anyone" not in text  # ByUrl is for lambda:InvokeFunctionUrl


# ----------------------------------------------------------------- other resource policies

def test_an_inline_bucket_policy_of_aws_s3_bucket_decides_requests():
    plan = PLANS / "regula-bucketpolicy_allowlist_infra.json"
    found = load_infrastructure(str(plan))
    assert "arn:aws:s3:::denylist-inline-policy" in found.resource_policies
    assert any(p.label == "aws_s3_bucket.allowget-inline-policy" for p in found.policies)


@pytest.mark.parametrize("address", [
    "aws_api_gateway_rest_api_policy.example", "aws_backup_vault_policy.example",
    "aws_codeartifact_domain_permissions_policy.example", "aws_opensearch_domain_policy.main",
    "aws_s3tables_table_policy.example",
])
def test_a_resource_policy_not_applied_is_validated_and_said(address):
    found = load_infrastructure(str(PUBLIC))
    assert any(p.label == address for p in found.policies)
    [said] = [w for w in found.warnings if w.code == "policy-not-applied" and f"`{address}`" in w.message]
    assert said.location.line is not None and "--resource-policy" in (said.hint or "")


def test_resource_policies_of_direct_arns_are_applied():
    found = load_infrastructure(str(PUBLIC))
    for arn in ("arn:aws:kinesis::111122223333:stream/example-stream",
                "arn:aws:s3tables:us-east-2:123456789012:bucket/example-bucket"):
        assert arn in found.resource_policies


def test_a_cloudformation_resource_policy_not_applied_is_said():
    found = load_infrastructure(str(CFN / "cfnpv-public_access_test.yml"))
    said = [w for w in found.warnings if w.code == "policy-not-applied"]
    assert said and all(w.location.line for w in said)


# ------------------------------------------------------ aws_iam_policy_document data sources

def test_a_policy_from_a_data_source_read_at_apply_is_built_from_its_arguments():
    """The bucket policy is known only after apply; the configuration says it is the JSON of
    `data.aws_iam_policy_document.example`, whose arguments the plan holds (`resources` unknown)."""
    plan = PLANS / "regula-resource_view_01_infra.json"
    found = load_infrastructure(str(plan))
    label = "aws_s3_bucket_policy.example (from data.aws_iam_policy_document.example)"
    [document] = [p for p in found.policies if p.label == label]
    resource = "arn:aws:<service>:::<data.aws_iam_policy_document.example.statement[0].resources[0]>"
    assert document.data == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": resource, "Principal": "*"}]}
    [said] = [w for w in found.warnings if "statement[0].resources[0]" in w.message]
    assert said.code == "unknown-until-apply" and format_path(said.location.path).startswith("resource_changes[")
    # Anyone is granted it, on the resource that only apply will name (§14.21): on no real one.
    grants = granted_outside(found.account, "s3:GetObject", resource, resource_policy=document.load())
    assert [g.kind for g in grants] == ["anyone"]
    assert "anyone" not in flat(invoke("who-can", "--template", plan, "-a", "s3:GetObject",
                                       "-r", "arn:aws:s3:::real-bucket/x").stdout)


def test_a_trust_policy_from_a_data_source_in_a_module_by_its_instance_key():
    found = load_infrastructure(str(PLANS / "checkov-github_actions_oidc_trust.json"))
    role = found.find('module.poc.aws_iam_role.r6["p2"]')
    assert role is not None and role.complete and role.trust_policy is not None
    assert role.trust_policy.name == ('module.poc.aws_iam_role.r6["p2"] trust policy '
                                      '(from module.poc.data.aws_iam_policy_document.r4["p2"])')
    [statement] = role.trust_policy.statement
    assert statement.condition is not None and "system:serviceaccount:p2:default" in json.dumps(
        role.trust_policy.to_json())


def test_a_data_source_read_while_planning_gives_its_json(tmp_path):
    """`prior_state` holds a data source Terraform read while planning, with its `json`: a
    resource whose policy refers to it takes that document (here the plan of
    tfpv-iam_policy.json, its policy marked known only after apply)."""
    plan = json.loads((PLANS / "tfpv-iam_policy.json").read_text())
    [change] = [c for c in plan["resource_changes"] if c["type"] == "aws_iam_policy"][:1]
    del change["change"]["after"]["policy"]
    change["change"].setdefault("after_unknown", {})["policy"] = True
    found = load_infrastructure(str(write(tmp_path / "plan.json", plan)))
    [document] = [p for p in found.policies if p.label.startswith(f"{change['address']} (from data.")]
    assert format_path(document.path).startswith("prior_state.values.root_module.resources[")
    assert format_path(document.path).endswith(".values.json")
    where = document.source.locate(document.path + ("Statement",))
    assert where.line is not None and where.line > 1  # at the data source's `json`, not the plan's start
    assert document.load().statement


@pytest.mark.parametrize("values, unknown, expected", [
    (None, True, ["<data.aws_iam_policy_document.d.statement[0].condition[0].values>"]),
    (["vpce-1"], [False, True], ["vpce-1", "<data.aws_iam_policy_document.d.statement[0].condition[0].values[1]>"]),
])
def test_condition_values_known_only_after_apply_are_placeholders_never_left_out(tmp_path, values, unknown,
                                                                                 expected):
    """A Deny on `aws:SourceVpce` whose endpoint is known only after apply: leaving the unknown
    value out would make the condition `[]` (an error the user did not make) or drop one value."""
    condition: dict[str, object] = {"test": "StringNotEquals", "variable": "aws:SourceVpce"}
    if values is not None:
        condition["values"] = values
    plan = {"format_version": "1.2", "configuration": {"root_module": {"resources": [
        {"address": "aws_iam_role_policy.p", "expressions": {"policy": {"references": [
            "data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.d"]}}}]}},
        "resource_changes": [
            {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "change": {"after": {
                "name": "r", "assume_role_policy": json.dumps({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})},
                "after_unknown": {}}},
            {"address": "data.aws_iam_policy_document.d", "mode": "data", "type": "aws_iam_policy_document",
             "change": {"after": {"statement": [
                 {"effect": "Deny", "actions": ["s3:*"], "resources": ["*"], "condition": [condition]}]},
                 "after_unknown": {"json": True, "statement": [{"condition": [{"values": unknown}]}]}}},
            {"address": "aws_iam_role_policy.p", "mode": "managed", "type": "aws_iam_role_policy",
             "change": {"after": {"role": "r", "name": "p"}, "after_unknown": {"policy": True}}}]}
    found = load_infrastructure(str(write(tmp_path / "plan.json", plan)))
    [document] = [p for p in found.policies if p.label.startswith("aws_iam_role_policy.p")]
    [statement] = document.data["Statement"]
    shown = statement["Condition"]["StringNotEquals"]["aws:SourceVpce"]
    assert (shown if isinstance(shown, list) else [shown]) == expected
    assert any(w.code == "unknown-until-apply" and "condition[0].values" in w.message for w in found.warnings)


# --------------------------------------------------------------- SCPs and RCPs by their targets

ORGANIZATION = """
Parameters:
  Workloads: {Type: String, Default: '111122223333'}
Resources:
  App:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: all-s3
          PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}
  NoDeletes:
    Type: AWS::Organizations::Policy
    Properties:
      Name: no-deletes
      Type: SERVICE_CONTROL_POLICY
      TargetIds: [r-abcd]
      Content: {Version: '2012-10-17', Statement: [{Effect: Deny, Action: 's3:DeleteBucket', Resource: '*'}]}
  NoTagging:
    Type: AWS::Organizations::Policy
    Properties:
      Name: no-tagging
      Type: SERVICE_CONTROL_POLICY
      TargetIds: [!Ref Workloads]
      Content: {Version: '2012-10-17', Statement: [{Effect: Deny, Action: 's3:PutBucketTagging', Resource: '*'}]}
  NoPolicies:
    Type: AWS::Organizations::Policy
    Properties:
      Name: no-policies
      Type: SERVICE_CONTROL_POLICY
      TargetIds: [ou-abcd-11112222]
      Content: {Version: '2012-10-17', Statement: [{Effect: Deny, Action: 's3:PutBucketPolicy', Resource: '*'}]}
"""


@pytest.mark.parametrize("action, account, exit_code", [
    ("s3:DeleteBucket", "111122223333", 1),      # attached to the root: applied
    ("s3:PutBucketTagging", "111122223333", 1),  # attached to the account the template deploys to
    ("s3:PutBucketTagging", "444455556666", 0),  # ... to another account: not applied
    ("s3:PutBucketPolicy", "111122223333", 0),   # attached to an OU: not applied
    ("s3:GetObject", "111122223333", 0),         # FullAWSAccess allows the rest
])
def test_scps_apply_by_their_targets(tmp_path, action, account, exit_code):
    path = write(tmp_path / "org.yaml", ORGANIZATION)
    result = invoke("check", "--template", path, "--principal", "App", "--parameter", f"AWS::AccountId={account}",
                    "-a", action, "-r", "arn:aws:s3:::data", "--json")
    assert result.exit_code == exit_code, result.output
    answer = json.loads(result.stdout)
    assert answer["decision"] == ("ExplicitDeny" if exit_code else "Allow")


def test_which_organization_policies_apply_is_said_where_they_are_attached(tmp_path):
    path = write(tmp_path / "org.yaml", ORGANIZATION)
    found = load_infrastructure(str(path), {"AWS::AccountId": "111122223333"})
    said = {w.message: (w.code, w.location.line) for w in found.warnings if w.code.startswith("organization-")}
    assert said == {
        "the SCP `NoDeletes` is applied at the organization root (`r-abcd`)":
            ("organization-policy-applied", position_of(path, "TargetIds: [r-abcd]")[0]),
        "the SCP `NoTagging` is applied to the account 111122223333 the file deploys to":
            ("organization-policy-applied", position_of(path, "TargetIds: [!Ref Workloads]")[0]),
        "the SCP `NoPolicies` is not applied: its targets (`ou-abcd-11112222`) are neither the organization root "
        "nor the account 111122223333 the file deploys to":
            ("organization-policy-not-applied", position_of(path, "TargetIds: [ou-abcd-11112222]")[0]),
    }
    assert [[p.name for p in level] for level in found.scps] == [
        ["FullAWSAccess (attached by AWS)", "NoDeletes (AWS::Organizations::Policy) SCP"],
        ["FullAWSAccess (attached by AWS)", "NoTagging (AWS::Organizations::Policy) SCP"]]
    # --scp gives the levels instead.
    scp = write(tmp_path / "allow-all.json", {"Version": "2012-10-17",
                                              "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    given = invoke("check", "--template", path, "--principal", "App", "--scp", scp, "-a", "s3:DeleteBucket",
                   "-r", "arn:aws:s3:::data")
    assert given.exit_code == 0, given.output


def test_a_plans_rcp_attached_to_the_root_by_reference(tmp_path):
    """`target_id = aws_organizations_organization.org.roots[0].id`, known only after apply: the root."""
    rcp = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                    "Resource": "*", "Condition": {"BoolIfExists": {
                                                        "aws:SecureTransport": "false"}}}]}
    plan = {"format_version": "1.2", "resource_changes": [
        {"address": "aws_organizations_policy.tls", "mode": "managed", "type": "aws_organizations_policy",
         "name": "tls", "change": {"actions": ["create"], "after": {
             "name": "tls", "type": "RESOURCE_CONTROL_POLICY", "content": json.dumps(rcp)},
             "after_unknown": {"id": True}}},
        {"address": "aws_organizations_policy_attachment.root", "mode": "managed",
         "type": "aws_organizations_policy_attachment", "name": "root", "change": {
             "actions": ["create"], "after": {}, "after_unknown": {"policy_id": True, "target_id": True}}}],
        "configuration": {"root_module": {"resources": [
            {"address": "aws_organizations_policy_attachment.root", "type": "aws_organizations_policy_attachment",
             "expressions": {"policy_id": {"references": ["aws_organizations_policy.tls.id",
                                                          "aws_organizations_policy.tls"]},
                             "target_id": {"references": ["aws_organizations_organization.org.roots[0].id",
                                                          "aws_organizations_organization.org.roots[0]",
                                                          "aws_organizations_organization.org.roots",
                                                          "aws_organizations_organization.org"]}}}]}}}
    found = load_infrastructure(str(write(tmp_path / "plan.json", plan)))
    assert [[p.name for p in level] for level in found.rcps] == [["aws_organizations_policy.tls"]]
    assert found.scps == ()
    [said] = [w for w in found.warnings if w.code == "organization-policy-applied"]
    assert "at the organization root" in said.message


# ------------------------------------------------------------ who-can --assume --resource NAME

@pytest.mark.parametrize("template, name, arn", [
    (PLANS / "regula-admin_policy_infra.json", "aws_iam_role.my_test_role",
     "arn:aws:iam::123456789012:role/my_test_role"),
    (CFN / "cfnpv-public_access_test.yml", "CodePipelineServiceRole",
     "arn:aws:iam::123456789012:role/<CodePipelineServiceRole>"),
])
def test_who_can_assume_takes_a_role_by_its_logical_id_or_address(template, name, arn):
    by_name = invoke("who-can", "--template", template, "--assume", "--resource", name, "--json")
    by_arn = invoke("who-can", "--template", template, "--assume", "--resource", arn, "--json")
    assert by_name.exit_code == by_arn.exit_code and by_name.stdout == by_arn.stdout
    assert [json.loads(line)["role"] for line in by_name.stdout.splitlines()] == [arn]


def test_who_can_assume_a_name_that_is_no_role_of_the_file():
    result = invoke("who-can", "--template", PLANS / "regula-admin_policy_infra.json", "--assume",
                    "--resource", "aws_iam_user.my_test_user")
    assert result.exit_code == 2 and "is not a role of the file" in result.output


def test_a_scenario_takes_the_templates_scps_unless_it_gives_its_own(tmp_path):
    write(tmp_path / "org.yaml", ORGANIZATION)
    scenario = {"id": "delete", "policies": {"template": {
        "file": "org.yaml", "principal": "App", "parameters": {"AWS::AccountId": "111122223333"}}},
        "request": {"action": "s3:DeleteBucket", "resource": "arn:aws:s3:::data"}, "expect": "ExplicitDeny"}
    own = {**scenario, "id": "own", "expect": "Allow", "policies": {**scenario["policies"], "scps": [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]}}
    write(tmp_path / "scenarios.json", [scenario, own])
    result = invoke("run", tmp_path / "scenarios.json", "--json")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["ok"] for line in result.stdout.splitlines()] == [True, True]
