"""Policies where they live: CloudFormation, SAM and CDK templates and Terraform plans.

Real files (fixtures/iac, with their licences) for the resource types they hold; small
templates written here for the types no licensed file had (`AWS::Organizations::Policy`,
`aws_organizations_policy`, `aws_sqs_queue_policy`) and for each intrinsic function.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import FIXTURES, invoke, position_of, write
from iameval.analysis._rules import TEMPLATE_RULES
from iameval.analysis._validate import validate_paths
from iameval.inputs._accounts import who_can
from iameval.inputs._infrastructure import load_infrastructure
from iameval.inputs._templates import Infrastructure
from iameval.policy._errors import PolicyError, format_path

IAC = FIXTURES / "iac"
CFN = IAC / "cloudformation"
PLANS = IAC / "terraform-plans"
EVERY = sorted(p for p in IAC.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
ACCOUNT = "123456789012"
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def template(tmp_path: Path, text: str, name: str = "template.yaml") -> Path:
    return write(tmp_path / name, "AWSTemplateFormatVersion: '2010-09-09'\n" + text)


def labels(found: Infrastructure) -> list[str]:
    return [p.label for p in found.policies]


def policy(found: Infrastructure, label: str) -> Any:
    (data,) = [p.data for p in found.policies if p.label == label]
    return data


def codes(found: Infrastructure) -> set[str]:
    return {w.code for w in found.warnings}


# --------------------------------------------------------------------------- every real file

@pytest.mark.parametrize("path", EVERY, ids=lambda p: p.name)
def test_every_template_and_plan_loads_or_reports_a_located_problem(path: Path):
    try:
        found = load_infrastructure(str(path))
    except PolicyError as exc:  # only a template using a preprocessor's tags (Rain's `!Rain::Embed`)
        (problem,) = exc.problems
        assert (problem.code, problem.location.line) == ("invalid-syntax", position_of(path, "!Rain::Embed")[0])
        return
    lines = path.read_text(encoding="utf-8").count("\n") + 1
    for warning in found.warnings:
        assert warning.location.file == str(path)
        assert 1 <= (warning.location.line or 0) <= lines, str(warning)
        assert warning.code in {r.code for r in TEMPLATE_RULES}


@pytest.mark.parametrize("path", EVERY, ids=lambda p: p.name)
def test_validate_over_every_file_locates_each_finding_in_the_file(path: Path):
    findings, _ = validate_paths([str(path)])
    lines = path.read_text(encoding="utf-8").count("\n") + 1
    for finding in findings:
        assert finding.location.file == str(path)
        assert 1 <= (finding.location.line or 0) <= lines, str(finding)


def test_the_fixtures_hold_policies_of_every_kind():
    found = [load_infrastructure(str(p)) for p in EVERY if "Rain" not in p.read_text(encoding="utf-8")]
    assert sum(len(f.policies) for f in found) > 400
    assert {f.format for f in found} == {"CloudFormation", "SAM", "Terraform plan"}


# ------------------------------------------------------------------ CloudFormation, by type

ROLE = """
Resources:
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: boundary
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: shared
      Roles: [!Ref AppRole]
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: s3:ListBucket, Resource: '*'}]
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      Path: /svc/
      PermissionsBoundary: !Ref Boundary
      Tags: [{Key: team, Value: blue}]
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: S3Access
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::data/*
  Extra:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: !Ref AppRole
      PolicyName: extra
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: '*'}]
  Loose:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: loose
      Roles: [!Ref AppRole]
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Deny, Action: s3:DeleteObject, Resource: '*'}]
"""


def test_a_role_has_its_trust_inline_attached_policies_boundary_and_tags(tmp_path):
    found = load_infrastructure(str(template(tmp_path, ROLE)))
    role = found.find("AppRole")
    assert role is not None and role.complete
    assert role.arn == f"arn:aws:iam::{ACCOUNT}:role/svc/app"
    assert sorted(p.name or "" for p in role.identity) == [
        "AppRole (AWS::IAM::Role) inline policy S3Access", "Extra (AWS::IAM::RolePolicy) policy extra",
        "Loose (AWS::IAM::Policy) policy loose", "Shared (AWS::IAM::ManagedPolicy) managed policy"]
    assert role.permission_boundary is not None and role.permission_boundary.name == \
        "Boundary (AWS::IAM::ManagedPolicy) managed policy"
    assert role.trust_policy is not None and role.tags == {"team": "blue"}
    assert found.find(role.arn) is role


def test_a_policy_is_located_at_its_element_in_the_template(tmp_path):
    path = template(tmp_path, ROLE)
    found = load_infrastructure(str(path))
    (inline,) = [p for p in found.policies if p.label.endswith("inline policy S3Access")]
    where = inline.source.locate(inline.path + ("Statement", 0, "Action"))
    assert (where.line, where.column) == position_of(path, "Action: s3:GetObject")
    assert format_path(where.path) == "Resources.AppRole.Properties.Policies[0].PolicyDocument.Statement[0].Action"


USER_GROUP = """
Resources:
  Readers:
    Type: AWS::IAM::Group
    Properties:
      GroupName: readers
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: '2012-10-17'
            Statement: [{Effect: Allow, Action: s3:GetObject, Resource: '*'}]
  GroupExtra:
    Type: AWS::IAM::GroupPolicy
    Properties:
      GroupName: !Ref Readers
      PolicyName: list
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: s3:ListBucket, Resource: '*'}]
  Alice:
    Type: AWS::IAM::User
    Properties:
      UserName: alice
      Groups: [!Ref Readers]
      Policies:
        - PolicyName: own
          PolicyDocument:
            Version: '2012-10-17'
            Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: '*'}]
  AliceExtra:
    Type: AWS::IAM::UserPolicy
    Properties:
      UserName: !Ref Alice
      PolicyName: sns
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: sns:Publish, Resource: '*'}]
"""


def test_a_user_has_its_own_policies_and_its_groups(tmp_path):
    found = load_infrastructure(str(template(tmp_path, USER_GROUP)))
    alice = found.find("Alice")
    assert alice is not None and alice.complete and alice.kind == "user"
    assert alice.arn == f"arn:aws:iam::{ACCOUNT}:user/alice" and alice.groups == ("readers",)
    assert sorted(p.name or "" for p in alice.identity) == [
        "Alice (AWS::IAM::User) inline policy own", "AliceExtra (AWS::IAM::UserPolicy) policy sns",
        "GroupExtra (AWS::IAM::GroupPolicy) policy list", "Readers (AWS::IAM::Group) inline policy read"]
    answers = who_can(found.account, "s3:ListBucket", "arn:aws:s3:::b")
    assert [a.principal.name for a in answers if a.allowed] == ["alice"]


RESOURCE_POLICIES = """
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: data}
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - {Effect: Allow, Principal: {AWS: '111122223333'}, Action: s3:GetObject, Resource: !Sub '${Bucket.Arn}/*'}
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - {Effect: Allow, Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'},
             Action: 'kms:*', Resource: '*'}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs}
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - {Effect: Allow, Principal: {Service: sns.amazonaws.com}, Action: sqs:SendMessage, Resource: !GetAtt Queue.Arn}
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: news}
  TopicPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Topic]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - {Effect: Allow, Principal: {Service: events.amazonaws.com}, Action: sns:Publish, Resource: !Ref Topic}
"""


def test_resource_policies_are_held_by_their_resources_arn(tmp_path):
    found = load_infrastructure(str(template(tmp_path, RESOURCE_POLICIES)))
    assert sorted(found.resource_policies) == [
        "arn:aws:kms:us-east-1:123456789012:key/<Key>", "arn:aws:s3:::data",
        "arn:aws:sns:us-east-1:123456789012:news", "arn:aws:sqs:us-east-1:123456789012:jobs"]
    assert [p.key_policy for p in found.policies] == [False, True, False, False]
    assert policy(found, "QueuePolicy (AWS::SQS::QueuePolicy) policy")["Statement"][0]["Resource"] == \
        "arn:aws:sqs:us-east-1:123456789012:jobs"
    bucket, _ = found.resource_policy("s3:GetObject", "arn:aws:s3:::data/report.csv")
    assert bucket is not None and bucket.name == "BucketPolicy (AWS::S3::BucketPolicy) policy"
    assert "unknown-until-deploy" in codes(found)  # the key's ID


ORGANIZATIONS = """
Resources:
  DenyLeave:
    Type: AWS::Organizations::Policy
    Properties:
      Name: deny-leave
      Type: SERVICE_CONTROL_POLICY
      TargetIds: [r-abcd]
      Content:
        Version: '2012-10-17'
        Statement: [{Effect: Deny, Action: organizations:LeaveOrganization, Resource: '*'}]
  Perimeter:
    Type: AWS::Organizations::Policy
    Properties:
      Name: perimeter
      Type: RESOURCE_CONTROL_POLICY
      TargetIds: [r-abcd]
      Content: '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]}'
  Tags:
    Type: AWS::Organizations::Policy
    Properties: {Name: tags, Type: TAG_POLICY, Content: {tags: {}}}
  Admins:
    Type: AWS::SSO::PermissionSet
    Properties:
      Name: admins
      InstanceArn: arn:aws:sso:::instance/ssoins-1
      InlinePolicy:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: 'ec2:Describe*', Resource: '*'}]
"""


def test_organization_policies_are_scps_and_rcps_and_a_permission_set_its_inline_policy(tmp_path):
    found = load_infrastructure(str(template(tmp_path, ORGANIZATIONS)))
    assert [(p.label, p.kind.value) for p in found.policies] == [
        ("DenyLeave (AWS::Organizations::Policy) SCP", "scp"),
        ("Perimeter (AWS::Organizations::Policy) RCP", "rcp"),
        ("Admins (AWS::SSO::PermissionSet) inline policy", "identity")]
    assert len(found.scps) == 1 and len(found.rcps) == 1


def test_a_policy_written_as_json_text_is_located_at_its_property(tmp_path):
    path = template(tmp_path, ORGANIZATIONS.replace('"Effect": "Deny", "Principal"', '"Effect": "Deny", "Principals"'))
    findings, _ = validate_paths([str(path)])
    (finding,) = [f for f in findings if f.severity == "error"]
    assert (finding.location.line, finding.location.column) == position_of(path, "Content: '{")
    assert format_path(finding.location.path).startswith("Resources.Perimeter.Properties.Content.Statement[0]")
    assert finding.message.startswith("Perimeter (AWS::Organizations::Policy) RCP: ")


# ---------------------------------------------------------------------------------- SAM

def test_sam_policy_templates_expand_from_the_translators_catalogue():
    found = load_infrastructure(str(CFN / "sam-all_policy_templates-input.yaml"))
    assert found.format == "SAM"
    poller = policy(found, "KitchenSinkFunction (AWS::Serverless::Function) policy template SQSPollerPolicy")
    assert poller["Statement"][0]["Resource"] == "arn:aws:sqs:us-east-1:123456789012:name"
    role = found.find("KitchenSinkFunctionRole")
    assert role is not None and len(role.identity) > 60
    # SAM attaches AWSLambdaBasicExecutionRole, which the file does not hold: iameval's snapshot does.
    assert role.complete
    [basic] = [p for p in role.identity if p.arn == BASIC_EXECUTION]
    assert basic.name == "AWSLambdaBasicExecutionRole (AWS managed)"


def test_sam_policies_of_every_form(tmp_path):
    path = write(tmp_path / "sam.yaml", """
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      Policies:
        - AmazonS3ReadOnlyAccess
        - Version: '2012-10-17'
          Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: '*'}]
        - DynamoDBReadPolicy: {TableName: orders}
        - NoSuchTemplate: {}
""")
    found = load_infrastructure(str(path))
    role = found.find("FnRole")
    assert role is not None and role.trust_policy is not None
    assert labels(found) == ["FnRole (role SAM generates for Fn) trust policy",
                             "Fn (AWS::Serverless::Function) inline policy 1",
                             "Fn (AWS::Serverless::Function) policy template DynamoDBReadPolicy"]
    assert "arn:aws:dynamodb:us-east-1:123456789012:table/orders" in json.dumps(
        policy(found, "Fn (AWS::Serverless::Function) policy template DynamoDBReadPolicy"))
    assert {p.code for p in role.problems} == {"sam-policy-template-unknown"}
    # Named without its ARN, an AWS managed policy is attached by the ARN of its name, with its path.
    assert {p.arn for p in role.identity} >= {"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", BASIC_EXECUTION}


# ------------------------------------------------------------------------- intrinsics

def evaluated(tmp_path: Path, value: str, extra: str = "", parameters: dict[str, str] | None = None
              ) -> tuple[Any, Infrastructure]:
    """The `Resource` of a managed policy's statement, written as `value`, evaluated."""
    path = template(tmp_path, f"""{extra}
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties: {{BucketName: data}}
  Key:
    Type: AWS::KMS::Key
    Properties: {{KeyPolicy: {{Version: '2012-10-17', Statement: [{{Effect: Allow, Principal: '*', Action: 'kms:*', Resource: '*'}}]}}}}
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: {value}
""")
    found = load_infrastructure(str(path), parameters)
    return policy(found, "P (AWS::IAM::ManagedPolicy) managed policy")["Statement"][0]["Resource"], found


PARAMETERS = """
Parameters:
  Env: {Type: String, Default: dev}
  Names: {Type: CommaDelimitedList, Default: 'a,b,c'}
Mappings:
  Buckets:
    dev: {name: dev-bucket}
    prod: {name: prod-bucket}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [!Ref 'AWS::Region', us-east-1]]
  Either: !Or [!Condition IsProd, !Equals [a, a]]
"""


@pytest.mark.parametrize("value, expected", [
    ("!Ref Env", "dev"),
    ("!Sub 'arn:${AWS::Partition}:s3:::${Env}/*'", "arn:aws:s3:::dev/*"),
    ("!Sub ['arn:aws:s3:::${B}/*', {B: !Ref Data}]", "arn:aws:s3:::data/*"),
    ("!Sub 'arn:aws:s3:::data/${!aws:username}'", "arn:aws:s3:::data/${aws:username}"),
    ("!Sub '${Data.Arn}/*'", "arn:aws:s3:::data/*"),
    ("!GetAtt Data.Arn", "arn:aws:s3:::data"),
    ("!Join ['', ['arn:aws:s3:::', !Ref Data, /x]]", "arn:aws:s3:::data/x"),
    ("!Select [1, !Ref Names]", "b"),
    ("!Select [2, !Split [',', 'x,y,z']]", "z"),
    ("!If [IsProd, arn:aws:s3:::p, arn:aws:s3:::d]", "arn:aws:s3:::d"),
    ("!If [NotProd, yes, no]", "yes"),
    ("!If [Both, yes, no]", "no"),
    ("!If [Either, yes, no]", "yes"),
    ("!FindInMap [Buckets, !Ref Env, name]", "dev-bucket"),
    ("!Sub '${AWS::AccountId} ${AWS::Region} ${AWS::StackName} ${AWS::URLSuffix}'",
     "123456789012 us-east-1 iameval-stack amazonaws.com"),
    ("{'Fn::Join': [':', [a, {'Fn::Select': [0, {'Fn::Split': ['/', 'b/c']}]}]]}", "a:b"),
])
def test_an_intrinsic_function_is_evaluated(tmp_path, value, expected):
    assert evaluated(tmp_path, value, PARAMETERS)[0] == expected


def test_parameters_given_replace_defaults_and_change_conditions(tmp_path):
    value, _ = evaluated(tmp_path, "!If [IsProd, !FindInMap [Buckets, !Ref Env, name], none]", PARAMETERS,
                         {"Env": "prod", "AWS::Region": "cn-north-1"})
    assert value == "prod-bucket"
    value, _ = evaluated(tmp_path, "!Sub '${AWS::Partition}/${AWS::URLSuffix}'", "", {"AWS::Region": "cn-north-1"})
    assert value == "aws-cn/amazonaws.com.cn"


def test_no_value_removes_the_element(tmp_path):
    value, _ = evaluated(tmp_path, "[a, !If [IsProd, b, !Ref 'AWS::NoValue'], c]", PARAMETERS)
    assert value == ["a", "c"]


@pytest.mark.parametrize("value, expected, code", [
    ("!GetAtt Key.Arn", "arn:aws:kms:us-east-1:123456789012:key/<Key>", "unknown-until-deploy"),
    ("!ImportValue shared-bucket", "<ImportValue.shared-bucket>", "unknown-until-deploy"),
    ("!GetAtt Data.DomainName", "<Data.DomainName>", "unknown-until-deploy"),
    ("!GetAZs ''", "<Fn::GetAZs>", "unsupported-intrinsic"),
    ("!Ref Nothing", "<Nothing>", "invalid-intrinsic"),
])
def test_what_is_known_only_at_deployment_is_a_placeholder_named_in_a_warning(tmp_path, value, expected, code):
    resource, found = evaluated(tmp_path, value)
    assert resource == expected
    assert code in codes(found)


@pytest.mark.parametrize("value", [
    "!Select [[0], [a, b]]",       # an index that is a list
    "!Select [-1, [a, b]]",        # CloudFormation takes 0 to N-1 only
    "!Select [1.7, [a, b]]",       # nor a fraction
    "!Select [2, [a, b]]",         # nor past the end
    "{'Fn::Select': [null, [a]]}",
])
def test_a_select_index_that_is_no_position_is_an_invalid_intrinsic_not_a_crash(tmp_path, value):
    resource, found = evaluated(tmp_path, value)
    assert resource == "<Fn::Select>"
    assert "invalid-intrinsic" in codes(found)


def test_base64_of_an_unknown_value_stays_unknown(tmp_path):
    # Encoding `<P>` would make `PFA+`, text a request can hold: the unknown must stay unknown.
    resource, found = evaluated(tmp_path, "!Base64 {Ref: P}", "Parameters:\n  P: {Type: String}\n")
    assert resource == "<Fn::Base64>"
    assert "unknown-until-deploy" in codes(found)
    known, _ = evaluated(tmp_path, "!Base64 abc")
    assert known == "YWJj"


def test_a_parameter_whose_value_is_an_object_is_a_placeholder_not_its_python_text(tmp_path):
    resource, found = evaluated(tmp_path, "!Ref P", "Parameters:\n  P: {Type: String, Default: {a: 1}}\n")
    assert resource == "<P>"
    assert "invalid-intrinsic" in codes(found)


def test_a_placeholder_never_matches_a_real_request_value(tmp_path):
    path = template(tmp_path, """
Resources:
  Queue:
    Type: AWS::SQS::Queue
  User:
    Type: AWS::IAM::User
    Properties:
      UserName: u
      Policies:
        - PolicyName: send
          PolicyDocument:
            Version: '2012-10-17'
            Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt Queue.Arn}]
""")
    found = load_infrastructure(str(path))
    real = "arn:aws:sqs:us-east-1:123456789012:jobs"
    (answer,) = who_can(found.account, "sqs:SendMessage", real)
    assert not answer.allowed
    # The same unknown queue, named as the template names it, is the queue the policy means.
    (same,) = who_can(found.account, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:<Queue>")
    assert same.allowed


def test_a_yaml_short_form_is_read_at_its_position(tmp_path):
    _, found = evaluated(tmp_path, "!Sub 'arn:aws:s3:::${Missing}-x'")
    path = tmp_path / "template.yaml"
    (warning,) = [w for w in found.warnings if w.code == "invalid-intrinsic"]
    assert (warning.location.line, warning.location.column) == position_of(path, "!Sub")


# ----------------------------------------------------------------------- Terraform plans

def test_a_plan_gives_roles_users_and_their_policies_by_address():
    found = load_infrastructure(str(PLANS / "regula-admin_policy_infra.json"))
    assert found.format == "Terraform plan"
    role = found.find("aws_iam_role.my_test_role")
    user = found.find("aws_iam_user.my_test_user")
    assert role is not None and user is not None and role.complete and user.complete
    assert sorted(p.name or "" for p in role.identity) == [
        "aws_iam_role_policy.invalid_role_policy", "aws_iam_role_policy.valid_role_policy"]
    assert "aws_iam_group_policy.valid_group_policy" in labels(found)


@pytest.mark.parametrize("name, label", [
    ("tfc-issue-115-iam_policy.json", "aws_iam_policy.policy"),
    ("tfc-issue-121-kms_key.json", "aws_kms_key.example key policy"),
    ("tfc-issue-307-sns_topic_policy.json", "aws_sns_topic_policy.default"),
    ("tfc-issue-174-s3_bucket_policy.json", None),
    ("tfpv-identity_policies.json", "aws_iam_role.example inline policy my_inline_policy"),
    ("checkov-runner-plan-mixed.json", "aws_iam_user_policy.userpolicy"),
])
def test_each_resource_type_of_a_plan_gives_its_policy(name, label):
    found = load_infrastructure(str(PLANS / name))
    if label is None:
        assert any(p.label.startswith("aws_s3_bucket_policy.") for p in found.policies)
    else:
        assert label in labels(found)


def test_a_policy_known_only_after_apply_leaves_its_principal_incomplete():
    found = load_infrastructure(str(PLANS / "checkov-github_actions_oidc_trust.json"))
    # Its data source's principal (`identifiers`) is known only after apply: no document to build.
    role = found.find('module.poc.aws_iam_role.r1["p1"]')
    assert role is not None and [p.code for p in role.problems] == ["unknown-until-apply"]


def test_an_attachment_to_a_role_known_only_after_apply_follows_the_configuration():
    found = load_infrastructure(str(PLANS / "tfpv-identity_policies.json"))
    role = found.find("aws_iam_role.test_role")
    assert role is not None and [p.name for p in role.identity] == ["aws_iam_role_policy.test_policy"]


def test_a_plans_before_is_validated_too():
    found = load_infrastructure(str(PLANS / "tfc-issue-522-lambda_role.json"))
    assert labels(found)[:2] == ["aws_iam_role.lambda_execution_role trust policy (before)",
                                 "aws_iam_role.lambda_execution_role trust policy"]


def _plan(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {}, "resource_changes": [
        {"address": f"{r['type']}.{r['name']}", "mode": "managed", "type": r["type"], "name": r["name"],
         "change": {"actions": ["create"], "before": None, "after": r["after"],
                    "after_unknown": r.get("unknown", {})}} for r in resources]}


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_plan_types_no_licensed_plan_had(tmp_path):
    path = write(tmp_path / "plan.json", _plan([
        {"type": "aws_iam_user", "name": "alice", "after": {"name": "alice", "path": "/"}},
        {"type": "aws_iam_group", "name": "ops", "after": {"name": "ops", "path": "/"}},
        {"type": "aws_iam_user_group_membership", "name": "m", "after": {"user": "alice", "groups": ["ops"]}},
        {"type": "aws_iam_policy", "name": "read", "after": {
            "name": "read", "path": "/", "arn": f"arn:aws:iam::{ACCOUNT}:policy/read",
            "policy": _document({"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"})}},
        {"type": "aws_iam_group_policy_attachment", "name": "a", "after": {
            "group": "ops", "policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/read"}},
        {"type": "aws_sqs_queue_policy", "name": "q", "after": {
            "queue_url": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs",
            "policy": _document({"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                 "Action": "sqs:SendMessage", "Resource": "*"})}},
        {"type": "aws_organizations_policy", "name": "scp", "after": {
            "name": "scp", "type": "SERVICE_CONTROL_POLICY", "id": "p-12345678",
            "content": _document({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})}},
        {"type": "aws_organizations_policy_attachment", "name": "here", "after": {
            "policy_id": "p-12345678", "target_id": ACCOUNT}},
        {"type": "aws_ssoadmin_permission_set_inline_policy", "name": "ps", "after": {
            "inline_policy": _document({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"})}},
    ]))
    found = load_infrastructure(str(path))
    alice = found.find("aws_iam_user.alice")
    assert alice is not None and [p.name for p in alice.identity] == ["aws_iam_policy.read"]
    assert list(found.resource_policies) == [f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"]
    # Attached to the account the plan deploys to: one level, with the FullAWSAccess AWS attaches.
    assert [[p.name for p in level] for level in found.scps] == [
        ["FullAWSAccess (attached by AWS)", "aws_organizations_policy.scp"]]
    assert "aws_ssoadmin_permission_set_inline_policy.ps" in labels(found)


# ------------------------------------------------------------------------------- commands

def test_check_takes_a_template_principal_by_logical_id(tmp_path):
    path = template(tmp_path, ROLE)
    result = invoke("check", "--template", path, "--principal", "AppRole", "-a", "s3:GetObject",
                    "-r", "arn:aws:s3:::data/x", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["request"]["principal"] == f"arn:aws:iam::{ACCOUNT}:role/svc/app"


def test_check_takes_the_templates_resource_policy_for_the_resource_asked(tmp_path):
    path = template(tmp_path, RESOURCE_POLICIES)
    result = invoke("check", "--template", path, "--principal", "arn:aws:iam::111122223333:user/bob",
                    "-a", "s3:GetObject", "-r", "arn:aws:s3:::data/x", "--json")
    # Bob is not of the file: his own account's policies are not here, the bucket's grant is.
    assert result.exit_code == 2 and json.loads(result.stdout)["problems"][0]["code"] == "unknown-principal"


def test_check_takes_a_plan_principal_by_address_and_parameters_need_a_template():
    result = invoke("check", "--template", PLANS / "regula-admin_policy_infra.json", "--principal",
                    "aws_iam_user.my_test_user", "-a", "s3:GetObject", "--json")
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["request"]["principal"] == f"arn:aws:iam::{ACCOUNT}:user/system/my_test_user"
    result = invoke("check", "policy.json", "--parameter", "Env=prod", "-a", "s3:GetObject")
    assert result.exit_code == 2


def test_who_can_reads_a_template(tmp_path):
    path = template(tmp_path, USER_GROUP)
    result = invoke("who-can", "--template", path, "-a", "sns:Publish", "--json")
    assert result.exit_code == 0, result.output
    allowed = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["principal"] for a in allowed if a["decision"] == "Allow"] == [f"arn:aws:iam::{ACCOUNT}:user/alice"]


def test_a_file_that_is_neither_is_refused_with_its_code(tmp_path):
    path = write(tmp_path / "policy.json", {"Version": "2012-10-17", "Statement": []})
    result = invoke("who-can", "--template", path, "-a", "s3:GetObject", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"][0]["code"] == "not-a-template"


def test_validate_names_each_policy_by_where_it_lives(tmp_path):
    path = template(tmp_path, ROLE.replace("Action: s3:GetObject", "Action: s3:GetObjekt"))
    result = invoke("validate", path)
    assert result.exit_code == 1, result.output
    line, column = position_of(path, "Action: s3:GetObjekt")
    assert (f"{path}:{line}:{column}: warning[unknown-action]: "
            "Resources.AppRole.Properties.Policies[0].PolicyDocument.Statement[0].Action: "
            "AppRole (AWS::IAM::Role) inline policy S3Access: ") in result.stdout


def test_a_scenario_references_a_template_principal(tmp_path):
    template(tmp_path, ROLE)
    write(tmp_path / "scenarios.json", [
        {"id": "reads", "policies": {"template": {"file": "template.yaml", "principal": "AppRole"}},
         "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::data/x"}, "expect": "Allow"},
        {"id": "boundary-and-deny", "policies": {"template": {"file": "template.yaml", "principal": "AppRole"}},
         "request": {"action": "s3:DeleteObject", "resource": "arn:aws:s3:::data/x"}, "expect": "ExplicitDeny"},
        {"id": "nobody", "policies": {"template": {"file": "template.yaml", "principal": "Nobody"}},
         "request": {"action": "s3:GetObject", "resource": "*"}, "expect": "Allow"},
    ])
    result = invoke("run", tmp_path / "scenarios.json", "--json")
    outcomes = {o["id"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert outcomes["reads"]["ok"] and outcomes["boundary-and-deny"]["ok"]
    assert outcomes["nobody"]["problems"][0]["code"] == "unknown-principal"
    assert result.exit_code == 2


def test_expand_reads_a_policy_of_a_template_by_its_name(tmp_path):
    path = template(tmp_path, ROLE)
    result = invoke("expand", "--policy", path, "--name", "Extra", "--json")
    assert result.exit_code == 0, result.output
    assert [a["action"] for a in json.loads(result.stdout)["actions"]] == ["sqs:SendMessage"]
    result = invoke("expand", "--policy", path, "--name", "AppRole", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"][0]["message"] == \
        "`AppRole` names 2 of its policies: give one with --name"


def test_without_the_catalogue_a_policy_template_is_reported_and_its_role_not_evaluated(monkeypatch):
    import iameval.inputs._sam as sam

    monkeypatch.setattr(sam, "policy_templates", lambda: None)
    found = load_infrastructure(str(CFN / "sam-all_policy_templates-input.yaml"))
    role = found.find("KitchenSinkFunctionRole")
    assert role is not None and not role.complete
    unknown = [p for p in role.problems if p.code == "sam-policy-template-unknown"]
    assert unknown and unknown[0].hint == "install it with `pip install 'iameval[templates]'`"
    assert "aws-sam-translator" in unknown[0].message


def test_names_that_refer_to_each_other_in_a_circle_are_refused_not_a_crash(tmp_path):
    path = template(tmp_path, """
Resources:
  A:
    Type: AWS::IAM::Role
    Properties: {RoleName: !GetAtt B.Arn, AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}}
  B:
    Type: AWS::IAM::Role
    Properties: {RoleName: !GetAtt A.Arn, AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}}
""")
    result = invoke("validate", path, "--json")
    assert result.exit_code == 2, result.output
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["invalid-syntax"]


def test_a_group_the_template_does_not_hold_leaves_its_user_not_evaluated(tmp_path):
    path = template(tmp_path, """
Resources:
  Alice:
    Type: AWS::IAM::User
    Properties:
      UserName: alice
      Groups: [admins-made-elsewhere]
""")
    found = load_infrastructure(str(path))
    [said] = [w for w in found.warnings if "admins-made-elsewhere" in w.message]
    assert said.code == "principal-outside-file"
    assert (said.location.line, said.location.column) == position_of(path, "admins-made-elsewhere")
    alice = found.find("Alice")
    assert alice is not None and not alice.complete  # never answered without the group's policies


def test_a_plan_names_principals_it_does_not_hold_in_attachments_and_memberships(tmp_path):
    path = write(tmp_path / "plan.json", _plan([
        {"type": "aws_iam_user", "name": "alice", "after": {"name": "alice", "path": "/"}},
        {"type": "aws_iam_policy_attachment", "name": "a", "after": {
            "name": "a", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "roles": ["made-elsewhere"]}},
        {"type": "aws_iam_group_membership", "name": "m", "after": {
            "name": "m", "group": "ops", "users": ["bob-elsewhere"]}},
        {"type": "aws_iam_user_group_membership", "name": "u", "after": {"user": "alice", "groups": ["ghosts"]}},
    ]))
    found = load_infrastructure(str(path))
    said = {w.message.split(":")[0]: w.code for w in found.warnings}
    assert said["the role `made-elsewhere` is not in the plan"] == "principal-outside-file"
    assert said["the user `bob-elsewhere` is not in the plan"] == "principal-outside-file"
    assert said["the group `ghosts` is not in the file"] == "principal-outside-file"
    alice = found.find("aws_iam_user.alice")
    assert alice is not None and not alice.complete
