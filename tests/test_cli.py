"""The command line: `iameval check` and `iameval run`, their output and their exit codes.

Exit codes (cli.py): 0 Allow / every scenario as expected, 1 a deny / a scenario not as expected,
2 invalid input. Everything runs in-process through typer's CliRunner, except one run of the
installed console script.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import A, ALICE, FIXTURES, flat, invoke, position_of, write
from iameval.cli._app import DEFAULT_PRINCIPAL, DEFAULT_RESOURCE

EXAMPLE = FIXTURES / "examples" / "read-reports.json"
SCRIPT = Path(sys.executable).parent / "iameval"

REPORT = "arn:aws:s3:::example-reports/2024/q1.pdf"

READ_REPORTS = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ReadReports", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::example-reports", "arn:aws:s3:::example-reports/*"]},
        {"Sid": "NeverDeleteReports", "Effect": "Deny", "Action": "s3:DeleteObject",
         "Resource": "arn:aws:s3:::example-reports/*"},
    ],
}

@pytest.fixture
def policy(tmp_path) -> Path:
    return write(tmp_path / "read-reports.json", READ_REPORTS)


# ------------------------------------------------------------------------------ check: exit codes

@pytest.mark.parametrize("action, resource, code", [
    ("s3:GetObject", REPORT, 0),                                  # Allow
    ("s3:ListBucket", "arn:aws:s3:::example-reports", 0),         # Allow
    ("s3:PutObject", REPORT, 1),                                  # ImplicitDeny
    ("s3:GetObject", "arn:aws:s3:::other-bucket/x", 1),           # ImplicitDeny
    ("s3:DeleteObject", REPORT, 1),                               # ExplicitDeny
])
def test_check_exit_code_follows_the_decision(policy, action, resource, code):
    result = invoke("check", policy, "--action", action, "--resource", resource)
    assert result.exit_code == code, result.output


def test_check_on_the_example_fixture():
    result = invoke("check", EXAMPLE, "-a", "s3:GetObject", "-r", "arn:aws:s3:::example-reports/a")
    assert result.exit_code == 0, result.output
    assert "ReadReports" in result.stdout


def test_check_invalid_policy_exits_2_and_locates_the_fault(tmp_path):
    bad = write(tmp_path / "bad.json", {"Version": "2012-10-17", "Statement": [
        {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]})
    result = invoke("check", bad, "--action", "s3:GetObject")
    assert result.exit_code == 2
    assert "Effect" in result.stderr
    line, column = position_of(bad, '"Effect"')
    assert result.stderr.startswith(f"{bad}:{line}:{column}:"), result.stderr
    assert "Traceback" not in result.output


def test_check_invalid_policy_json_output(tmp_path):
    bad = write(tmp_path / "bad.json", {"Statement": {"Effect": "Allow", "Action": "s3:GetObject"}})
    result = invoke("check", bad, "--action", "s3:GetObject", "--json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert "Resource" in payload["error"]
    assert payload["problems"][0]["file"] == str(bad)
    assert payload["problems"][0]["line"] is not None


def test_check_missing_file_exits_2(tmp_path):
    result = invoke("check", tmp_path / "nope.json", "--action", "s3:GetObject")
    assert result.exit_code == 2
    assert "nope.json" in result.output


@pytest.mark.parametrize("pair", ["no-equals-sign", "=value", "aws:MultiFactorAuthPresent:=notjson"])
def test_check_bad_context_exits_2(policy, pair):
    result = invoke("check", policy, "--action", "s3:GetObject", "--context", pair)
    assert result.exit_code == 2
    assert "--context" in result.output and pair.split(":=")[0] in result.output
    assert "Traceback" not in result.output


def test_check_invalid_action_exits_2(policy):
    result = invoke("check", policy, "--action", "s3:Get*")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------------ check: output

def test_check_json_has_decision_reasons_and_defaults(policy):
    result = invoke("check", policy, "--action", "s3:DeleteObject", "--json")
    # Resource `*` (the default) is not covered by `example-reports/*`: ImplicitDeny.
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["decision"] == "ImplicitDeny"
    assert payload["reasons"] == []
    assert set(payload["defaults"]) == {"principal", "resource"}
    assert payload["request"]["principal"] == DEFAULT_PRINCIPAL
    assert payload["request"]["resource"] == DEFAULT_RESOURCE


def test_check_json_explicit_deny_names_the_statement(policy):
    result = invoke("check", policy, "--action", "s3:DeleteObject", "--resource", REPORT,
                    "--principal", ALICE, "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["decision"] == "ExplicitDeny"
    assert payload["reasons"] == [{"policy": "read-reports.json", "statement": "NeverDeleteReports",
                                   "effect": "Deny"}]
    assert payload["defaults"] == []
    assert {k: payload["request"][k] for k in ("principal", "action", "resource")} == {
        "principal": ALICE, "action": "s3:DeleteObject", "resource": REPORT}


def test_check_json_allow_lists_only_the_defaulted_principal(policy):
    result = invoke("check", policy, "--action", "s3:GetObject", "--resource", REPORT, "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["decision"] == "Allow"
    assert {(r["policy"], r["statement"], r["effect"]) for r in payload["reasons"]} == {
        ("read-reports.json", "ReadReports", "Allow")}
    assert payload["defaults"] == ["principal"]


def test_check_text_names_the_statement_and_marks_defaults(policy):
    result = invoke("check", policy, "--action", "s3:GetObject", "--resource", REPORT)
    assert result.exit_code == 0
    text = flat(result.stdout)
    assert text.startswith("Allow")
    assert "ReadReports" in text
    assert f"{DEFAULT_PRINCIPAL} (default)" in text
    assert f"{REPORT} (default)" not in text
    # The deciding statement's place in the file (line 4 of the indented JSON written above).
    assert f"{policy.name}:" in text


def test_check_text_marks_the_default_resource(policy):
    result = invoke("check", policy, "--action", "s3:PutObject", "--principal", ALICE)
    assert result.exit_code == 1
    lines = [flat(line) for line in result.stdout.splitlines()]
    assert any(line.startswith("resource") and line.endswith("* (default)") for line in lines), lines
    assert not any(line.startswith("principal") and "(default)" in line for line in lines), lines


def test_check_text_explicit_deny_shows_the_deny_sid(policy):
    result = invoke("check", policy, "--action", "s3:DeleteObject", "--resource", REPORT)
    assert result.exit_code == 1
    assert flat(result.stdout).startswith("ExplicitDeny")
    assert "NeverDeleteReports" in result.stdout


# ------------------------------------------------------------------------------ check: inputs

def test_check_reads_the_policy_from_stdin():
    result = invoke("check", "-", "--action", "s3:GetObject", "--resource", REPORT, "--json",
                    input=json.dumps(READ_REPORTS))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["decision"] == "Allow"


def test_check_reads_a_directory_of_policies(tmp_path):
    folder = tmp_path / "policies"
    write(folder / "a-read.json", {"Version": "2012-10-17", "Statement": {
        "Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}})
    write(folder / "nested" / "b-deny.yaml", (
        "Version: 2012-10-17\n"
        "Statement:\n"
        "  - Sid: NoSecrets\n"
        "    Effect: Deny\n"
        "    Action: s3:*\n"
        "    Resource: arn:aws:s3:::secrets/*\n"))
    write(folder / "notes.txt", "not a policy")
    allowed = invoke("check", folder, "-a", "s3:GetObject", "-r", "arn:aws:s3:::public/x", "--json")
    assert allowed.exit_code == 0, allowed.output
    assert [r["statement"] for r in json.loads(allowed.stdout)["reasons"]] == ["Read"]
    denied = invoke("check", folder, "-a", "s3:GetObject", "-r", "arn:aws:s3:::secrets/x", "--json")
    assert denied.exit_code == 1, denied.output
    payload = json.loads(denied.stdout)
    assert payload["decision"] == "ExplicitDeny"
    assert payload["reasons"] == [{"policy": "b-deny.yaml", "statement": "NoSecrets", "effect": "Deny"}]


def test_check_reads_a_yaml_policy(tmp_path):
    policy = write(tmp_path / "read.yaml", (
        "# the unquoted Version must stay the string AWS compares, not a date\n"
        "Version: 2012-10-17\n"
        "Statement:\n"
        "  - Sid: ReadReports\n"
        "    Effect: Allow\n"
        "    Action: [s3:GetObject]\n"
        "    Resource: arn:aws:s3:::example-reports/*\n"))
    result = invoke("check", policy, "-a", "s3:GetObject", "-r", REPORT)
    assert result.exit_code == 0, result.output
    assert "ReadReports" in result.stdout


def test_check_invalid_yaml_policy_exits_2_with_its_line(tmp_path):
    policy = write(tmp_path / "bad.yml", (
        "Version: 2012-10-17\n"
        "Statement:\n"
        "  - Effect: Allow\n"
        "    Actions: s3:GetObject\n"
        "    Resource: '*'\n"))
    result = invoke("check", policy, "-a", "s3:GetObject")
    assert result.exit_code == 2
    assert f"{policy}:4:5" in result.stderr
    assert "did you mean `Action`?" in result.stderr


def test_check_bucket_policy_grants_a_user_of_the_same_account(tmp_path, policy):
    bucket_policy = write(tmp_path / "bucket.json", {"Version": "2012-10-17", "Statement": [{
        "Sid": "AliceWrites", "Effect": "Allow", "Principal": {"AWS": ALICE},
        "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-reports/*"}]})
    args = ["check", policy, "-a", "s3:PutObject", "-r", REPORT, "-p", ALICE, "--json"]
    without = invoke(*args)
    assert without.exit_code == 1
    assert json.loads(without.stdout)["decision"] == "ImplicitDeny"
    granted = invoke(*args, "--resource-policy", bucket_policy)
    assert granted.exit_code == 0, granted.output
    payload = json.loads(granted.stdout)
    assert payload["decision"] == "Allow"
    assert [(r["policy"], r["statement"], r["effect"]) for r in payload["reasons"]] == [
        ("bucket.json", "AliceWrites", "Allow")]
    # Another user of the account is not named: no grant for them.
    bob = invoke("check", policy, "-a", "s3:PutObject", "-r", REPORT,
                 "-p", f"arn:aws:iam::{A}:user/bob", "--resource-policy", bucket_policy)
    assert bob.exit_code == 1


def test_check_resource_policy_must_name_a_principal(tmp_path, policy):
    bucket_policy = write(tmp_path / "bucket.json", {"Statement": [{
        "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]})
    result = invoke("check", policy, "-a", "s3:PutObject", "--resource-policy", bucket_policy)
    assert result.exit_code == 2
    assert "Principal" in result.stderr


def test_check_context_reaches_conditions(tmp_path):
    mfa = write(tmp_path / "mfa.json", {"Version": "2012-10-17", "Statement": [{
        "Sid": "ReadWithMfa", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})
    base = ["check", mfa, "-a", "s3:GetObject", "--json"]
    assert invoke(*base).exit_code == 1  # key absent: Bool is false (§8.3)
    assert invoke(*base, "-c", "aws:MultiFactorAuthPresent=true").exit_code == 0
    assert invoke(*base, "-c", "aws:MultiFactorAuthPresent:=true").exit_code == 0
    assert invoke(*base, "-c", "aws:multifactorauthpresent:=false").exit_code == 1


def test_the_installed_console_script_runs(policy):
    assert SCRIPT.exists(), SCRIPT
    done = subprocess.run([str(SCRIPT), "check", str(policy), "--action", "s3:GetObject",
                           "--resource", REPORT, "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"] == "Allow"
    denied = subprocess.run([str(SCRIPT), "check", str(policy), "--action", "s3:DeleteObject",
                             "--resource", REPORT], capture_output=True, text=True, timeout=60)
    assert denied.returncode == 1
    assert "NeverDeleteReports" in denied.stdout


# ------------------------------------------------------------------------------ run

def scenario(id_: str, action: str, expect: str | None, policy=None, **request) -> dict:
    out = {"id": id_,
           "policies": {"identity": [policy if policy is not None else READ_REPORTS]},
           "request": {"principal": ALICE, "action": action, "resource": REPORT, **request}}
    if expect is not None:
        out["expect"] = expect
    return out


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_run_one_scenario_in_a_json_file(tmp_path):
    path = write(tmp_path / "one.json", scenario("alice-reads", "s3:GetObject", "Allow"))
    result = invoke("run", path)
    assert result.exit_code == 0, result.output
    assert "alice-reads" in result.stdout


def test_run_json_array_all_as_expected(tmp_path):
    path = write(tmp_path / "many.json", [
        scenario("reads", "s3:GetObject", "Allow"),
        scenario("cannot-write", "s3:PutObject", "ImplicitDeny"),
        scenario("never-deletes", "s3:DeleteObject", "ExplicitDeny"),
    ])
    result = invoke("run", path, "--json")
    assert result.exit_code == 0, result.output
    results = json_lines(result.stdout)
    assert [r["id"] for r in results] == ["reads", "cannot-write", "never-deletes"]
    for r, decision in zip(results, ["Allow", "ImplicitDeny", "ExplicitDeny"]):
        assert r["decision"] == decision
        assert r["expected"] == decision
        assert r["ok"] is True
    assert results[0]["reasons"] == [{"policy": "identity[0]", "statement": "ReadReports", "effect": "Allow"}]
    assert results[1]["reasons"] == []
    assert results[2]["reasons"] == [{"policy": "identity[0]", "statement": "NeverDeleteReports",
                                      "effect": "Deny"}]


def test_run_exits_1_when_one_decision_differs(tmp_path):
    path = write(tmp_path / "many.json", [
        scenario("reads", "s3:GetObject", "Allow"),
        scenario("wrong", "s3:PutObject", "Allow"),
    ])
    result = invoke("run", path, "--json")
    assert result.exit_code == 1, result.output
    first, second = json_lines(result.stdout)
    assert first["ok"] is True
    assert second == {**second, "id": "wrong", "decision": "ImplicitDeny", "expected": "Allow", "ok": False}
    text = invoke("run", path)
    assert text.exit_code == 1
    assert "wrong" in text.stdout and "FAIL" in text.stdout


def test_run_exits_2_on_an_invalid_scenario_and_still_reports_the_others(tmp_path):
    broken = scenario("broken", "s3:GetObject", "Allow", policy={
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*"}})
    path = write(tmp_path / "mixed.json", [
        scenario("reads", "s3:GetObject", "Allow"),
        broken,
        scenario("wrong", "s3:PutObject", "Allow"),
    ])
    result = invoke("run", path, "--json")
    assert result.exit_code == 2, result.output
    results = json_lines(result.stdout)
    assert [r["id"] for r in results] == ["reads", "broken", "wrong"]
    assert results[0]["ok"] is True
    assert results[2]["ok"] is False and results[2]["decision"] == "ImplicitDeny"
    error = results[1]
    assert "decision" not in error
    # The error names file:line:column of the `Principal` key that an identity policy must not have.
    line, column = position_of(path, '"Principal"')
    assert error["error"].startswith(f"{path}:{line}:{column}:"), error["error"]
    assert "Principal" in error["error"]
    problem = error["problems"][0]
    assert (problem["file"], problem["line"], problem["column"]) == (str(path), line, column)


def test_run_invalid_request_is_located(tmp_path):
    path = write(tmp_path / "req.json", [
        scenario("reads", "s3:GetObject", "Allow"),
        {"id": "no-action", "policies": {"identity": [READ_REPORTS]}, "request": {"principal": ALICE},
         "expect": "Allow"},
    ])
    result = invoke("run", path, "--json")
    assert result.exit_code == 2
    reads, broken = json_lines(result.stdout)
    assert reads["ok"] is True
    assert broken["id"] == "no-action"
    assert broken["error"].startswith(f"{path}:")
    assert "action" in broken["error"]


def test_run_json_lines_file(tmp_path):
    lines = [scenario("reads", "s3:GetObject", "Allow"), scenario("never-deletes", "s3:DeleteObject",
                                                                  "ExplicitDeny")]
    path = write(tmp_path / "cases.jsonl", "\n".join(json.dumps(s) for s in lines) + "\n")
    result = invoke("run", path, "--json")
    assert result.exit_code == 0, result.output
    assert [(r["id"], r["decision"], r["ok"]) for r in json_lines(result.stdout)] == [
        ("reads", "Allow", True), ("never-deletes", "ExplicitDeny", True)]


def test_run_json_lines_bad_line_is_reported_with_its_line(tmp_path):
    good = json.dumps(scenario("reads", "s3:GetObject", "Allow"))
    path = write(tmp_path / "cases.jsonl", f"{good}\n{{\"id\": \"cut\", \n{good.replace('reads', 'again')}\n")
    result = invoke("run", path, "--json")
    assert result.exit_code == 2, result.output
    results = json_lines(result.stdout)
    assert sorted(r["id"] for r in results if "error" not in r) == ["again", "reads"]
    errors = [r for r in results if "error" in r]
    assert len(errors) == 1
    assert errors[0]["error"].startswith(f"{path}:2:")


def test_run_yaml_file(tmp_path):
    path = write(tmp_path / "cases.yaml", f"""\
- id: reads
  policies:
    identity:
      - Version: 2012-10-17
        Statement:
          - Sid: Read
            Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::example-reports/*
  request:
    principal: {ALICE}
    action: s3:GetObject
    resource: {REPORT}
  expect: Allow
- id: cannot-list
  policies:
    identity:
      - Statement:
          Effect: Allow
          Action: s3:GetObject
          Resource: "*"
  request:
    principal: {ALICE}
    action: s3:ListBucket
    resource: arn:aws:s3:::example-reports
  expect: ImplicitDeny
""")
    result = invoke("run", path, "--json")
    assert result.exit_code == 0, result.output
    results = json_lines(result.stdout)
    assert [(r["id"], r["decision"], r["ok"]) for r in results] == [
        ("reads", "Allow", True), ("cannot-list", "ImplicitDeny", True)]
    assert results[0]["reasons"] == [{"policy": "identity[0]", "statement": "Read", "effect": "Allow"}]


def test_run_yaml_invalid_scenario_is_located(tmp_path):
    path = write(tmp_path / "cases.yml", f"""\
- id: fine
  policies:
    identity:
      - Statement: {{Effect: Allow, Action: s3:GetObject, Resource: "*"}}
  request: {{principal: "{ALICE}", action: s3:GetObject}}
  expect: Allow
- id: lower-case-effect
  policies:
    identity:
      - Statement:
          Effect: allow
          Action: s3:GetObject
          Resource: "*"
  request: {{principal: "{ALICE}", action: s3:GetObject}}
  expect: Allow
""")
    result = invoke("run", path, "--json")
    assert result.exit_code == 2, result.output
    fine, broken = json_lines(result.stdout)
    assert fine["ok"] is True
    assert broken["id"] == "lower-case-effect"
    line, column = position_of(path, "Effect: allow")
    assert broken["error"].startswith(f"{path}:{line}:{column}:"), broken["error"]


def test_run_file_reference_is_relative_to_the_scenario_file(tmp_path, monkeypatch):
    write(tmp_path / "suite" / "policies" / "read.json", READ_REPORTS)
    path = write(tmp_path / "suite" / "cases.json",
                 scenario("reads", "s3:GetObject", "Allow", policy={"file": "policies/read.json"}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = invoke("run", path, "--json")
    assert result.exit_code == 0, result.output
    (r,) = json_lines(result.stdout)
    assert r["decision"] == "Allow" and r["ok"] is True
    # A file reference is named after the file.
    (reason,) = r["reasons"]
    assert reason["statement"] == "ReadReports"
    assert reason["policy"] in ("read", "read.json", "policies/read.json")


def test_run_missing_file_reference_is_an_error(tmp_path):
    path = write(tmp_path / "cases.json", [
        scenario("reads", "s3:GetObject", "Allow"),
        scenario("dangling", "s3:GetObject", "Allow", policy={"file": "policies/missing.json"}),
    ])
    result = invoke("run", path, "--json")
    assert result.exit_code == 2
    reads, dangling = json_lines(result.stdout)
    assert reads["ok"] is True
    assert dangling["id"] == "dangling"
    assert "missing.json" in dangling["error"]
    assert dangling["error"].startswith(f"{path}:")


def test_run_named_policy(tmp_path):
    path = write(tmp_path / "named.json", scenario("reads", "s3:GetObject", "Allow", policy={
        "name": "ReportReaders", "document": READ_REPORTS}))
    result = invoke("run", path, "--json")
    assert result.exit_code == 0, result.output
    (r,) = json_lines(result.stdout)
    assert r["reasons"] == [{"policy": "ReportReaders", "statement": "ReadReports", "effect": "Allow"}]


def test_run_scenario_without_expect_is_reported_but_not_judged(tmp_path):
    path = write(tmp_path / "free.json", scenario("just-asking", "s3:PutObject", None))
    result = invoke("run", path, "--json")
    assert result.exit_code == 0, result.output
    (r,) = json_lines(result.stdout)
    assert r["decision"] == "ImplicitDeny"
    assert "expected" not in r and "ok" not in r


def test_run_folder_passes_over_referenced_policy_files(tmp_path):
    suite = tmp_path / "suite"
    write(suite / "read-reports.json", READ_REPORTS)
    write(suite / "deny-all.yaml", "Version: 2012-10-17\nStatement:\n  Effect: Deny\n  Action: '*'\n  Resource: '*'\n")
    write(suite / "a-cases.json", [
        scenario("reads", "s3:GetObject", "Allow", policy={"file": "read-reports.json"}),
        scenario("never-deletes", "s3:DeleteObject", "ExplicitDeny", policy={"file": "read-reports.json"}),
    ])
    write(suite / "nested" / "b-cases.yaml", f"""\
id: denied-everything
policies:
  identity:
    - file: ../deny-all.yaml
request: {{principal: "{ALICE}", action: s3:GetObject, resource: "{REPORT}"}}
expect: ExplicitDeny
""")
    result = invoke("run", suite, "--json")
    assert result.exit_code == 0, result.output
    results = json_lines(result.stdout)
    assert sorted(r["id"] for r in results) == ["denied-everything", "never-deletes", "reads"]
    assert all(r["ok"] is True and "error" not in r for r in results)
    text = invoke("run", suite)
    assert text.exit_code == 0
    assert "3 scenarios" in text.stdout
    assert "ERROR" not in text.stdout


def test_run_text_reports_an_invalid_scenario(tmp_path):
    path = write(tmp_path / "mixed.json", [
        scenario("reads", "s3:GetObject", "Allow"),
        scenario("bad-expect", "s3:GetObject", "allow"),
    ])
    result = invoke("run", path)
    assert result.exit_code == 2
    text = flat(result.stdout)
    assert "reads" in text and "ERROR bad-expect" in text
    assert f"{path}:" in text
    assert "1 could not be evaluated" in text


def test_run_a_file_that_is_not_json_exits_2(tmp_path):
    path = write(tmp_path / "broken.json", '[{"id": "x",\n  "request": }]')
    result = invoke("run", path, "--json")
    assert result.exit_code == 2
    (r,) = json_lines(result.stdout)
    assert r["error"].startswith(f"{path}:2:")


def test_run_missing_file_exits_2_and_names_it(tmp_path):
    missing = tmp_path / "nope.json"
    result = invoke("run", missing, "--json")
    assert result.exit_code == 2
    (r,) = json_lines(result.stdout)
    assert str(missing) in r["error"]
    # The id names the file; an unknown line is not written as `None`.
    assert "nope.json" in r["id"] and "None" not in r["id"], r["id"]


def test_run_nothing_found_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke("run", tmp_path / "empty")
    assert result.exit_code == 2


def test_two_policy_files_of_one_name_are_told_apart(tmp_path):
    """Results name a policy after its file; two files of one name in two folders by their
    paths, and the deciding statement's location is that of the right file."""
    for folder, action, lead in (("a", "s3:ListBucket", ""), ("b", "s3:GetObject", "\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "policy.json").write_text(lead + json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "S", "Effect": "Allow", "Action": action, "Resource": "*"}]}), encoding="utf-8")
    first, second = tmp_path / "a" / "policy.json", tmp_path / "b" / "policy.json"
    result = invoke("check", first, second, "-a", "s3:GetObject")
    assert result.exit_code == 0, result.output
    assert f"identity-based policy {second}" in result.output and f"{second}:2:" in result.output
    assert str(first) not in result.output
