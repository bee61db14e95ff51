"""pytest-benchmark micro-benchmarks of iameval's hot path. Not part of the default test run
(pytest's testpaths is tests/); run them with

    .venv/bin/python -m pytest bench/test_micro.py --benchmark-only

(pytest-benchmark must be installed: `.venv/bin/pip install pytest-benchmark`). Every benchmark
also checks its answer, so a fast wrong engine fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("pytest_benchmark")

import iameval  # noqa: E402
from iameval.policy._match import Glob  # noqa: E402

HERE = Path(__file__).resolve().parent
SMALL = HERE / "scenarios" / "small.jsonl"
HEAVY = HERE / "scenarios" / "heavy.json"
MANAGED = HERE.parent / "fixtures" / "managed-policies"


def _scenario(path: Path, sid: str | None = None) -> iameval.Scenario:
    scenarios = iameval.load_scenarios(path)
    return scenarios[0] if sid is None else next(s for s in scenarios if s.id == sid)


@pytest.mark.parametrize("sid", ["identity-allow-object", "bucket-deny-insecure-transport",
                                 "scp-region-deny"])
def test_authorize_small(benchmark, sid):
    """One compiled Authorizer, one prebuilt Request: the hot path on a small scenario."""
    scenario = _scenario(SMALL, sid)
    authorizer = scenario.authorizer()
    result = benchmark(authorizer.authorize, scenario.request)
    assert result.decision == scenario.expect


def test_authorize_small_set(benchmark):
    """One pass over every small scenario (62 decisions per round)."""
    cases = [(s.authorizer().authorize, s.request, s.expect) for s in iameval.load_scenarios(SMALL)]

    def one_pass():
        return [authorize(request).decision for authorize, request, _ in cases]

    decisions = benchmark(one_pass)
    assert decisions == [expect for _, _, expect in cases]


def test_authorize_heavy(benchmark):
    """The heavy scenario: 50-statement identity policy and 20-statement bucket policy."""
    scenario = _scenario(HEAVY)
    authorizer = scenario.authorizer()
    result = benchmark(authorizer.authorize, scenario.request)
    assert result.decision == scenario.expect


def test_compile_heavy(benchmark):
    """Compiling the heavy scenario's policies into an Authorizer (done once per policy set)."""
    scenario = _scenario(HEAVY)
    authorizer = benchmark(scenario.authorizer)
    assert authorizer.authorize(scenario.request).decision == scenario.expect


@pytest.mark.parametrize("text,expected", [
    ("arn:aws:s3:::heavy-data-lake/reports/analytics/2026/q1/summary.csv", True),
    ("arn:aws:s3:::heavy-data-lake/reports/analytics/2025/q1/summary.json", False),
])
def test_glob_match(benchmark, text, expected):
    """A resource Glob with two `*` and a `?` against a matching and a non-matching ARN."""
    glob = Glob("arn:aws:s3:::heavy-data-lake/reports/*/202?/*.csv")
    assert benchmark(glob.matches, text) is expected


@pytest.mark.parametrize("name", ["AmazonS3ReadOnlyAccess", "AWSLambda_FullAccess", "ReadOnlyAccess"])
def test_load_managed_policy(benchmark, name):
    """Parsing and validating one AWS managed policy (ReadOnlyAccess is the largest)."""
    document = json.loads((MANAGED / f"{name}.json").read_text(encoding="utf-8"))
    policy = benchmark(iameval.load_policy, document, "identity")
    assert policy.statement
