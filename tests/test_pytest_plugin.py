"""Scenario files as pytest tests (the `pytest11` plugin) and the assertions of `iameval.testing`
(issue 14): a failure's report is the decision's explanation."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import ALICE, OBJECT, allow, authorizer, doc, request, write
from iameval.testing import assert_allowed, assert_denied

SCENARIOS = [
    {"id": "alice-reads", "policies": {"identity": [doc(allow("s3:GetObject"))]},
     "request": request(ALICE), "expect": "Allow"},
    {"id": "alice-deletes", "policies": {"identity": [doc(allow("s3:GetObject"))]},
     "request": request(ALICE, "s3:DeleteObject"), "expect": "Allow"},
]


def pytest_in(folder, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                           *args], cwd=folder, capture_output=True, text=True, timeout=120)


def test_scenario_files_are_collected_one_test_per_scenario(tmp_path):
    write(tmp_path / "access.iam.json", SCENARIOS)
    write(tmp_path / "other.json", SCENARIOS)  # not named as a scenario file: not collected
    run = pytest_in(tmp_path, "-rA")
    assert run.returncode == 1, run.stdout
    assert "1 failed, 1 passed" in run.stdout
    assert "PASSED access.iam.json::alice-reads" in run.stdout
    assert "expected Allow, got ImplicitDeny" in run.stdout
    assert "identity-based policies: no Allow in identity[0]" in run.stdout  # the explanation


def test_the_patterns_are_an_ini_option(tmp_path):
    write(tmp_path / "access.scenarios.json", SCENARIOS[:1])
    (tmp_path / "pytest.ini").write_text("[pytest]\niameval_scenarios = *.scenarios.json\n")
    run = pytest_in(tmp_path)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout


def test_a_broken_scenario_is_a_failing_test_with_its_location(tmp_path):
    write(tmp_path / "broken.iam.json", [{"id": "typo", "policies": {"identity": [doc(allow("s3:GetObject"))]},
                                          "request": {"principal": ALICE, "acton": "s3:GetObject"}}])
    run = pytest_in(tmp_path)
    assert run.returncode == 1 and "unknown" in run.stdout and "broken.iam.json" in run.stdout, run.stdout


def test_assertions_report_the_explanation():
    allowing = authorizer([doc(allow("s3:GetObject"))])
    assert assert_allowed(allowing, request(ALICE)).decision == "Allow"
    with pytest.raises(AssertionError) as failed:
        assert_allowed(allowing, request(ALICE, "s3:PutObject", OBJECT))
    assert str(failed.value).startswith("expected Allow, got ImplicitDeny")
    assert "identity-based policies: no Allow" in str(failed.value)
    assert_denied(allowing, request(ALICE, "s3:PutObject"), "ImplicitDeny")
    with pytest.raises(AssertionError, match="expected a deny, got Allow"):
        assert_denied(allowing, request(ALICE))
