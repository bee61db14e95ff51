"""The library surface a pytest user copies into their own suite (iameval/__init__.py).

    for scenario in iameval.load_scenarios("scenarios/"):
        assert iameval.evaluate(scenario).decision == scenario.expect
"""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

import iameval
from helpers import A, ALICE, FIXTURES, write
from iameval.engine import explain

EXAMPLE = FIXTURES / "examples" / "read-reports.json"

REPORT = "arn:aws:s3:::example-reports/2024/q1.pdf"

READ_REPORTS = json.loads(EXAMPLE.read_text(encoding="utf-8"))

READ_REPORTS_YAML = """\
# The same policy as fixtures/examples/read-reports.json, in YAML.
Version: 2012-10-17
Statement:
  - Sid: ReadReports
    Effect: Allow
    Action:
      - s3:GetObject
      - s3:ListBucket
    Resource:
      - arn:aws:s3:::example-reports
      - arn:aws:s3:::example-reports/*
  - Sid: NeverDeleteReports
    Effect: Deny
    Action: s3:DeleteObject
    Resource: arn:aws:s3:::example-reports/*
"""


def scenario(id_: str, action: str, expect: str, policy=None, resource: str = REPORT) -> dict:
    return {"id": id_,
            "policies": {"identity": [policy if policy is not None else {"file": "read-reports.json"}]},
            "request": {"principal": ALICE, "action": action, "resource": resource},
            "expect": expect}


@pytest.fixture
def suite(tmp_path) -> Path:
    """A folder of scenarios with the policy file they reference."""
    folder = tmp_path / "scenarios"
    write(folder / "read-reports.json", READ_REPORTS)
    write(folder / "reads.json", [
        scenario("reads", "s3:GetObject", "Allow"),
        scenario("lists", "s3:ListBucket", "Allow", resource="arn:aws:s3:::example-reports"),
        scenario("cannot-write", "s3:PutObject", "ImplicitDeny"),
    ])
    write(folder / "deletes.yaml", f"""\
id: never-deletes
policies:
  identity:
    - file: read-reports.json
request:
  principal: {ALICE}
  action: s3:DeleteObject
  resource: {REPORT}
expect: ExplicitDeny
""")
    return folder


# ------------------------------------------------------------------------------ scenarios

def test_load_scenarios_from_a_folder_passes_over_policy_files(suite):
    scenarios = iameval.load_scenarios(suite)
    assert sorted(s.id for s in scenarios) == ["cannot-write", "lists", "never-deletes", "reads"]
    assert all(isinstance(s, iameval.Scenario) for s in scenarios)
    assert all(s.error is None for s in scenarios)


def test_the_documented_loop_passes(suite):
    """The loop of iameval's docstring, as a user writes it."""
    for s in iameval.load_scenarios(suite):
        assert iameval.evaluate(s).decision == s.expect, s.id


def test_load_scenarios_from_a_file_given_as_str_or_path(suite):
    by_path = iameval.load_scenarios(suite / "reads.json")
    by_str = iameval.load_scenarios(str(suite / "reads.json"))
    assert [s.id for s in by_path] == [s.id for s in by_str] == ["reads", "lists", "cannot-write"]
    assert by_path[0].expect == "Allow"


def test_load_scenarios_from_several_paths(suite):
    scenarios = iameval.load_scenarios(suite / "reads.json", suite / "deletes.yaml")
    assert [s.id for s in scenarios] == ["reads", "lists", "cannot-write", "never-deletes"]


def test_a_decision_equals_its_string(suite):
    (reads,) = [s for s in iameval.load_scenarios(suite) if s.id == "reads"]
    result = iameval.evaluate(reads)
    assert result.decision == "Allow"
    assert result.decision == iameval.Decision.ALLOW
    assert str(result.decision) == "Allow"
    assert result.decision != "ImplicitDeny"
    assert result.allowed is True
    assert {m.ref.statement for m in result.reasons} == {"ReadReports"}


@pytest.mark.parametrize("id_, decision, statements", [
    ("reads", "Allow", {"ReadReports"}),
    ("cannot-write", "ImplicitDeny", set()),
    ("never-deletes", "ExplicitDeny", {"NeverDeleteReports"}),
])
def test_evaluate_gives_each_decision_with_its_reasons(suite, id_, decision, statements):
    (s,) = [s for s in iameval.load_scenarios(suite) if s.id == id_]
    result = iameval.evaluate(s)
    assert result.decision == decision
    assert {m.ref.statement for m in result.reasons} == statements
    assert result.to_json()["decision"] == decision


def test_a_scenario_without_id_is_named_after_its_file_and_position(tmp_path):
    doc = scenario("x", "s3:GetObject", "Allow", policy=READ_REPORTS)
    del doc["id"]
    write(tmp_path / "anon.json", [doc, doc])
    write(tmp_path / "single.json", doc)
    assert [s.id for s in iameval.load_scenarios(tmp_path / "anon.json")] == ["anon.json[0]", "anon.json[1]"]
    assert [s.id for s in iameval.load_scenarios(tmp_path / "single.json")] == ["single.json"]


def test_an_invalid_scenario_has_an_error_and_evaluate_raises(tmp_path):
    path = write(tmp_path / "mixed.json", [
        scenario("fine", "s3:GetObject", "Allow", policy=READ_REPORTS),
        scenario("bad-effect", "s3:GetObject", "Allow", policy={
            "Statement": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}]}),
    ])
    fine, bad = iameval.load_scenarios(path)
    assert fine.error is None
    assert iameval.evaluate(fine).decision == "Allow"
    assert bad.id == "bad-effect"
    assert isinstance(bad.error, iameval.PolicyError)
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.evaluate(bad)
    problem = caught.value.problems[0]
    assert problem.location.file == str(path)
    assert problem.location.line is not None and problem.location.column is not None
    assert "Permit" in problem.message
    # A PolicyError is a ValueError: `except ValueError` in user code catches it too.
    assert isinstance(caught.value, ValueError)


def test_an_invalid_request_is_a_policy_error_too(tmp_path):
    path = write(tmp_path / "req.json", {"id": "who", "policies": {"identity": [READ_REPORTS]},
                                         "request": {"principal": "alice", "action": "s3:GetObject"}})
    (s,) = iameval.load_scenarios(path)
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.evaluate(s)
    assert "alice" in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_scenario_file_that_is_not_json_becomes_one_broken_scenario(tmp_path):
    path = write(tmp_path / "broken.json", '{"id": "x", "request": }')
    (s,) = iameval.load_scenarios(path)
    assert s.error is not None
    with pytest.raises(iameval.PolicyError):
        iameval.evaluate(s)


# ------------------------------------------------------------------------------ Authorizer

def test_an_authorizer_built_once_answers_many_requests():
    authz = iameval.Authorizer(identity=[iameval.load_policy_file(EXAMPLE)])
    cases = [
        ("s3:GetObject", REPORT, "Allow"),
        ("s3:getobject", REPORT, "Allow"),  # actions compare without regard to case
        ("s3:ListBucket", "arn:aws:s3:::example-reports", "Allow"),
        ("s3:ListBucket", "arn:aws:s3:::Example-Reports", "ImplicitDeny"),  # ARNs do not
        ("s3:PutObject", REPORT, "ImplicitDeny"),
        ("s3:DeleteObject", REPORT, "ExplicitDeny"),
        ("s3:GetObject", "arn:aws:s3:::other/x", "ImplicitDeny"),
    ]
    for _ in range(3):  # the same answers every time: nothing in the authorizer changes
        for action, resource, decision in cases:
            result = authz.authorize({"principal": ALICE, "action": action, "resource": resource})
            assert result.decision == decision, (action, resource)


def test_authorize_takes_a_request_object():
    authz = iameval.Authorizer(identity=[iameval.load_policy(READ_REPORTS)])
    request = iameval.Request(principal=ALICE, action="s3:GetObject", resource=REPORT)
    assert authz.authorize(request).decision == "Allow"
    assert authz.authorize(request).decision == "Allow"


def test_authorize_with_a_resource_policy():
    bucket = iameval.load_policy({"Version": "2012-10-17", "Statement": [{
        "Sid": "AliceWrites", "Effect": "Allow", "Principal": {"AWS": ALICE},
        "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-reports/*"}]}, "resource_policy")
    authz = iameval.Authorizer(identity=[iameval.load_policy(READ_REPORTS)], resource_policy=bucket)
    result = authz.authorize({"principal": ALICE, "action": "s3:PutObject", "resource": REPORT})
    assert result.decision == "Allow"
    assert [m.ref.statement for m in result.reasons] == ["AliceWrites"]
    other = authz.authorize({"principal": f"arn:aws:iam::{A}:user/bob",
                             "action": "s3:PutObject", "resource": REPORT})
    assert other.decision == "ImplicitDeny"


def test_a_bad_request_raises_request_error():
    authz = iameval.Authorizer(identity=[iameval.load_policy(READ_REPORTS)])
    with pytest.raises(iameval.RequestError):
        authz.authorize({"principal": ALICE, "action": "s3:Get*", "resource": REPORT})
    with pytest.raises(iameval.PolicyError):
        authz.authorize({"principal": "nobody", "action": "s3:GetObject"})


def test_load_policy_refuses_a_principal_in_an_identity_policy():
    doc = {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}}
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.load_policy(doc)
    assert caught.value.problems[0].location.path[-1] == "Principal"
    assert iameval.load_policy(doc, "resource_policy").statement[0].principal is not None


# ------------------------------------------------------------------------------ policy files

def test_load_policy_file_json(tmp_path):
    path = write(tmp_path / "read.json", READ_REPORTS)
    policy = iameval.load_policy_file(path)
    assert isinstance(policy, iameval.Policy)
    assert policy.name == "read.json"
    assert policy.version == "2012-10-17"
    assert [s.sid for s in policy.statement] == ["ReadReports", "NeverDeleteReports"]
    assert policy.to_json() == READ_REPORTS


def test_load_policy_file_yaml_reads_the_same_policy(tmp_path):
    yaml_policy = iameval.load_policy_file(write(tmp_path / "read.yaml", READ_REPORTS_YAML))
    json_policy = iameval.load_policy_file(EXAMPLE)
    # The unquoted YAML date stays the text AWS compares.
    assert yaml_policy.version == "2012-10-17"
    assert yaml_policy.variables_enabled
    assert yaml_policy.to_json() == json_policy.to_json()
    assert yaml_policy.model_copy(update={"name": None}) == json_policy.model_copy(update={"name": None})
    authz = iameval.Authorizer(identity=[yaml_policy])
    assert authz.authorize({"principal": ALICE, "action": "s3:GetObject", "resource": REPORT}).decision == "Allow"


@pytest.mark.parametrize("suffix", [".yml", ".yaml"])
def test_load_policy_file_yaml_suffixes(tmp_path, suffix):
    policy = iameval.load_policy_file(write(tmp_path / f"read{suffix}", READ_REPORTS_YAML))
    assert len(policy.statement) == 2


def test_load_policy_file_as_a_resource_policy(tmp_path):
    path = write(tmp_path / "bucket.yaml", f"""\
Version: "2012-10-17"
Statement:
  Effect: Allow
  Principal: {{AWS: "{A}"}}
  Action: s3:GetObject
  Resource: arn:aws:s3:::example-reports/*
""")
    with pytest.raises(iameval.PolicyError):
        iameval.load_policy_file(path)  # an identity policy must not name a principal
    policy = iameval.load_policy_file(path, iameval.PolicyKind.RESOURCE_POLICY)
    assert policy.statement[0].principal.aws == (A,)
    assert iameval.load_policy_file(path, "resource_policy") == policy


def test_load_policy_file_errors_are_located(tmp_path):
    path = write(tmp_path / "bad.yaml", (
        "Version: 2012-10-17\n"
        "Statement:\n"
        "  - Effect: Allow\n"
        "    Action: s3:GetObject\n"
        "    Resource: arn:aws:s3:::example-reports/*\n"
        "  - Effect: Allow\n"
        "    Acton: s3:PutObject\n"
        "    Resource: '*'\n"))
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.load_policy_file(path)
    (problem, *_) = caught.value.problems
    assert (problem.location.file, problem.location.line, problem.location.column) == (str(path), 7, 5)
    assert problem.hint and "Action" in problem.hint


def test_load_policy_file_missing_file(tmp_path):
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.load_policy_file(tmp_path / "nope.json")
    assert "nope.json" in str(caught.value)


def test_load_policy_file_refuses_duplicate_keys(tmp_path):
    path = write(tmp_path / "dup.json", '{"Statement": {"Effect": "Allow", "Effect": "Deny", '
                                        '"Action": "s3:*", "Resource": "*"}}')
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.load_policy_file(path)
    assert "Effect" in str(caught.value)


@pytest.mark.parametrize("make", [
    pytest.param(lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", id="empty-folder"),
    pytest.param(lambda tmp: write(tmp / "none.jsonl", "\n"), id="empty-json-lines"),
])
def test_load_policy_file_with_no_document_is_a_policy_error(tmp_path, make):
    """Bad input is a PolicyError with a location, never an IndexError (STYLE.md, errors)."""
    with pytest.raises(iameval.PolicyError):
        iameval.load_policy_file(make(tmp_path))


def test_a_file_reference_holding_two_policies_is_not_cut_to_the_first(tmp_path):
    """A POLICY is one document: a referenced JSON Lines file with two must not silently lose
    the second (here a Deny), which would turn AWS's ExplicitDeny into Allow (STYLE.md, "Never
    skip silently")."""
    write(tmp_path / "two.jsonl",
          json.dumps({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}) + "\n"
          + json.dumps({"Statement": {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}}) + "\n")
    path = write(tmp_path / "case.json", scenario("two", "s3:GetObject", "ExplicitDeny",
                                                  policy={"file": "two.jsonl"}))
    (s,) = iameval.load_scenarios(path)
    if s.error is None:
        assert iameval.evaluate(s).decision == "ExplicitDeny"
    else:
        assert "two.jsonl" in str(s.error)


def test_authorizers_are_freed_without_the_cycle_collector():
    """Compiled policies and the plans of answered requests hold no reference cycles: a test
    suite or `iameval run` that builds an authorizer per scenario frees each one at once,
    without waiting for Python's cycle collector."""
    scenarios = [s for s in iameval.load_scenarios(FIXTURES / "scenarios", FIXTURES / "conformance")
                 if s.error is None]
    decided = []
    for scenario in scenarios:
        try:
            scenario.authorizer().authorize(scenario.request)
        except iameval.RequestError:
            continue  # an exception's traceback is a cycle of its own
        decided.append(scenario)
    assert len(decided) > 500
    gc.collect()
    gc.disable()
    try:
        for scenario in decided:
            authorizer = scenario.authorizer()
            for _ in range(2):  # the second answer comes from the plan the first one made
                authorizer.authorize(scenario.request)
            explain(authorizer, scenario.request)
        del authorizer
        assert gc.collect() == 0
    finally:
        gc.enable()
