"""validate's findings a team has accepted (issue 14): `--ignore CODE` and a baseline file, so that
CI fails only on new findings."""

from __future__ import annotations

import json

from helpers import allow, doc, invoke, write

RISKY = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, allow("s3:GetObjekt"))


def test_a_baseline_accepts_what_it_lists_and_only_new_findings_count(tmp_path):
    policy = write(tmp_path / "p.json", RISKY)
    baseline = tmp_path / "baseline.json"
    assert invoke("validate", policy).exit_code == 1
    written = invoke("validate", policy, "--write-baseline", baseline)
    assert written.exit_code == 0 and "2 findings written" in written.stdout
    assert json.loads(baseline.read_text())["iameval-baseline"] == 1
    clean = invoke("validate", policy, "--baseline", baseline)
    assert clean.exit_code == 0 and "2 findings accepted by the baseline" in clean.stdout
    # A new finding, after the accepted ones moved down a line: only it is reported.
    write(policy, doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, allow("s3:GetObjekt"),
                      allow("dynamodbb:GetItem")))
    data = json.loads(invoke("validate", policy, "--baseline", baseline, "--json").stdout)
    assert [f["code"] for f in data["findings"]] == ["unknown-service"] and data["accepted"] == 2
    assert invoke("validate", policy, "--baseline", baseline).exit_code == 1


def test_ignore_leaves_out_a_code_and_refuses_a_code_that_is_none(tmp_path):
    policy = write(tmp_path / "p.json", RISKY)
    data = json.loads(invoke("validate", policy, "--ignore", "broad-not-action", "--json").stdout)
    assert [f["code"] for f in data["findings"]] == ["unknown-action"]
    assert invoke("validate", policy, "--ignore", "broad-not-action", "--ignore", "unknown-action").exit_code == 0
    wrong = invoke("validate", policy, "--ignore", "unknown-actoin", "--json")
    assert wrong.exit_code == 2
    (problem,) = json.loads(wrong.stdout)["problems"]
    assert problem["code"] == "invalid-usage" and problem["hint"] == "did you mean `unknown-action`?"


def test_a_file_that_is_not_a_baseline_is_a_located_error(tmp_path):
    policy = write(tmp_path / "p.json", RISKY)
    for content in ({"findings": []}, {"iameval-baseline": 1, "findings": [{"code": 3}]}):
        bad = write(tmp_path / "bad.json", content)
        result = invoke("validate", policy, "--baseline", bad, "--json")
        assert result.exit_code == 2
        (problem,) = json.loads(result.stdout)["problems"]
        assert problem["code"] == "invalid-baseline" and problem["file"] == str(bad)
