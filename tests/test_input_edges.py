"""Odd input gets a located message and a non-zero exit, never a traceback or a silent skip."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from typer.testing import CliRunner

import iameval
import iameval.policy._source
from iameval.cli import app

runner = CliRunner()
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@pytest.mark.parametrize("text, message, where", [
    ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Sid": NaN}}',
     "`NaN` is not a JSON value", ":1:102:"),
    ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Sid": "\\ud800"}}',
     "lone surrogate", ":1:103:"),
    ('{"Version": "2012-10-17", "Statement": [], "Id": ' + "1" * 5000 + "}", "digits", ":1:"),
], ids=["NaN", "lone surrogate", "a 5000-digit number"])
def test_json_python_accepts_but_json_does_not_is_a_located_error(tmp_path, text, message, where):
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "-a", "s3:GetObject"])
    assert result.exit_code == 2
    assert message in result.output and f"p.json{where}" in result.output
    assert "Traceback" not in result.output


def test_a_yaml_alias_inside_itself_is_a_located_error(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text('Version: "2012-10-17"\nStatement: &a\n  - Effect: Allow\n    Action: *a\n    Resource: "*"\n')
    result = runner.invoke(app, ["check", str(path), "-a", "s3:GetObject"])
    assert result.exit_code == 2
    assert "p.yaml:" in result.output and "refers to a node that contains it" in result.output


@pytest.mark.parametrize("request_fields, message", [
    ({"resource": "arn:aws:s3::secret/x"}, "is not a resource"),
    ({"resource": ""}, "is not a resource"),
    ({"context": {"aws:SourceIp": None}}, "must be a string, number, boolean or a list of them, not null"),
    ({"resource_policy_required": "yes"}, "valid boolean"),
    ({"federated_from": "arn:aws:iam::111122223333:user/alice"}, "applies only to a federated-user principal"),
    ({"action": "*"}, "is not an action"),
    ({"action": "s3:"}, "is not an action"),
    ({"action": ":GetObject"}, "is not an action"),
    ({"principal": "EC2.amazonaws.com"}, "is not a service principal"),
    ({"principal": "ec2.amazonaws.con"}, "is not a service principal"),
], ids=["a five-segment ARN", "an empty resource", "a null context value", "a string for a boolean",
        "federated_from for an IAM user", "a wildcard action", "an action without its name",
        "an action without its service", "a service principal in capitals", "a mistyped service principal"])
def test_a_request_that_describes_no_real_request_is_refused(request_fields, message):
    """§1: an action is `service:Action`, a resource an ARN or `*`, a service principal
    `name.amazonaws.com`; a typo must not slip past a Deny (or an RCP) by matching nothing."""
    authorizer = iameval.Authorizer(identity=[iameval.load_policy(ALLOW_ALL)])
    with pytest.raises(iameval.RequestError, match=message):
        authorizer.authorize({"principal": "arn:aws:iam::111122223333:user/alice",
                              "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", **request_fields})


def test_run_reports_the_warnings_of_a_decision(tmp_path):
    """A context value a Date operator cannot read makes the comparison false; `run` says so."""
    scenario = {"id": "deny-after-date", "policies": {"identity": [{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
         "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01"}}}]}]},
        "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                    "resource": "arn:aws:s3:::b/k", "context": {"aws:CurrentTime": "tomorrow"}},
        "expect": "Allow"}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenario))
    text = runner.invoke(app, ["run", str(path)])
    assert text.exit_code == 0 and "`tomorrow` is not a date" in text.output
    line = json.loads(runner.invoke(app, ["run", str(path), "--json"]).stdout)
    assert any("`tomorrow` is not a date" in w["message"] for w in line["warnings"])


def test_a_later_context_value_wins_whatever_the_case_of_its_key(tmp_path):
    """§8.2: keys are case-insensitive, so `-c aws:sourceip=...` replaces the file's `aws:SourceIp`."""
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}))
    context = tmp_path / "ctx.json"
    context.write_text(json.dumps({"aws:SourceIp": "192.0.2.1"}))
    result = runner.invoke(app, ["check", str(policy), "-a", "s3:GetObject", "--context-file", str(context),
                                 "-c", "aws:sourceip=10.1.1.1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["request"]["context"] == {"aws:sourceip": "10.1.1.1"}


def test_a_url_encoded_account_policy_with_a_repeated_key_is_refused(tmp_path):
    """§6.1: duplicate keys are refused in encoded documents too; the role is not evaluated."""
    document = ('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow",'
                '"Action":"s3:*","Resource":"*"}]}')
    account = {"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
                                   "RolePolicyList": [{"PolicyName": "p",
                                                       "PolicyDocument": urllib.parse.quote(document)}]}]}
    path = tmp_path / "account.json"
    path.write_text(json.dumps(account))
    loaded = iameval.inputs._accounts.load_account(str(path))
    (role,) = loaded.roles
    assert not role.complete
    assert "duplicate key `Effect`" in str(role.problems[0])
    assert str(role.problems[0]).startswith(f"{path}:1:")


@pytest.mark.parametrize("text, message, where", [
    ('Version: "2012-10-17"\nStatement:\n  - Effect: Allow\n    Action: "s3:Get\x01"\n    Resource: "*"\n',
     "control character U+0001", ":4:"),
    ('Version: "2012-10-17"\nStatement:\n  - Effect: Allow\n    Action: !Sub "s3:${Verb}"\n    Resource: "*"\n',
     "could not determine a constructor for the tag '!Sub'", ":4:"),
    ("[" * 5000 + "]" * 5000, "nested too deeply", ":1:1:"),
], ids=["control character", "CloudFormation tag", "deep nesting"])
def test_yaml_the_loader_refuses_is_a_located_error(tmp_path, text, message, where):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert message in result.output and f"p.yaml{where}" in result.output
    assert "Traceback" not in result.output


def test_deeply_nested_json_is_a_located_error(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "-a", "s3:GetObject"])
    assert result.exit_code == 2
    assert "p.json:1:1: error: invalid JSON: nested too deeply" in result.output


def test_a_file_that_is_not_utf8_is_located_at_its_first_bad_byte(tmp_path):
    """Found by tests/test_fuzz.py: the error gave the byte offset only, no line or column."""
    path = tmp_path / "p.json"
    path.write_bytes('{"Version": "2012-10-17",\n "é\xff": 1}'.encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    result = runner.invoke(app, ["check", str(path), "-a", "s3:GetObject"])
    assert result.exit_code == 2
    assert f"{path}:2:4: error: not UTF-8 text (byte 30)" in result.output
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.load_policy_file(path)
    assert (caught.value.problems[0].location.line, caught.value.problems[0].location.column) == (2, 4)


def test_standard_input_that_is_not_utf8_is_an_error():
    result = runner.invoke(app, ["check", "-", "-a", "s3:GetObject"], input=b"\xff{}")
    assert result.exit_code == 2
    assert "<stdin>" in result.output and "not UTF-8" in result.output


@pytest.mark.parametrize("written, read", [
    ("011122223333", "011122223333"),  # an account ID with a leading zero, not octal 1229530843
    ("2012-10-17", "2012-10-17"),      # a date stays the text AWS compares
    ("on", "on"), ("yes", "yes"),      # YAML 1.1 booleans are words here
    ("1:30", "1:30"),                  # not sexagesimal 90
    ("0x1F", "0x1F"),
])
def test_yaml_plain_scalars_read_as_json_would(written, read):
    """YAML is read with JSON's scalars (true, false, null, JSON numbers); anything else is text."""
    [source] = iameval.policy._source.parse_text(f"value: {written}\n", "p.yaml")
    assert source.data == {"value": read}


def test_an_account_id_with_a_leading_zero_in_yaml_is_that_account(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "id: leading-zero-account\n"
        "policies:\n"
        "  identity:\n"
        "    - Version: '2012-10-17'\n"
        "      Statement:\n"
        "        - Effect: Allow\n"
        "          Action: s3:GetObject\n"
        "          Resource: '*'\n"
        "          Condition:\n"
        "            StringEquals:\n"
        "              aws:PrincipalAccount: 011122223333\n"
        "request:\n"
        "  principal: arn:aws:iam::011122223333:user/alice\n"
        "  action: s3:GetObject\n"
        "  resource: arn:aws:s3:::b/k\n"
        "expect: Allow\n", encoding="utf-8")
    [scenario] = iameval.load_scenarios(path)
    assert iameval.evaluate(scenario).decision == "Allow"


def test_text_is_printed_as_given_not_as_emoji(tmp_path):
    """`:id:` in a value is text (a web-identity key such as `graph.facebook.com:id` has one)."""
    path = tmp_path / "p.json"
    path.write_text(json.dumps(ALLOW_ALL), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "-a", "s3:GetObject", "-c", "aws:PrincipalTag/x=a:id:b"])
    assert result.exit_code == 0
    assert "a:id:b" in result.output and "\N{SQUARED ID}" not in result.output
