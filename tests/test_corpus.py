"""Real policies load, broken ones are refused with the right place (IAM-SEMANTICS §6, §12.1).

Three corpora live under fixtures/, each with its license and attribution:

* `managed-policies/`: all 1,594 AWS managed policies, which AWS accepted, so iameval must too;
* `policy-examples/`: SCPs, RCPs, resource and trust policies and permissions boundaries from
  public repositories, one folder per policy type;
* `invalid/` and `broken/`: documents AWS refuses. `broken/` holds small policies written for
  these tests, one problem each. Every expected line and column below was read off the file,
  not copied from iameval's output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest

import iameval
from helpers import FIXTURES, MANAGED, invoke
from iameval.policy._errors import format_path

EXAMPLES = FIXTURES / "policy-examples"
BROKEN = FIXTURES / "broken"
INVALID_JSON = (FIXTURES / "invalid" /
                "aws-samples-scp__Service-specific-controls__AWS-IAM__"
                "deny-service-specific-credential-by-type.json")


def _problems(path: Path, kind: str) -> tuple[iameval.Problem, ...]:
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.load_policy_file(path, kind)
    return caught.value.problems


def _where(problem: iameval.Problem) -> tuple[int | None, int | None, str]:
    loc = problem.location
    return loc.line, loc.column, format_path(loc.path)


# ---------------------------------------------------------------------------- managed policies

def _managed_policy_files() -> list[Path]:
    return sorted(p for p in MANAGED.glob("*.json") if p.name != "index.json")


def test_the_corpus_holds_all_1594_managed_policies():
    assert len(_managed_policy_files()) == 1594


def test_the_index_lists_exactly_the_managed_policy_files():
    index = json.loads((MANAGED.parent / "managed-policies-index.json").read_text(encoding="utf-8"))
    listed = {Path(entry["file"]).name for entry in index.values()}
    assert listed == {p.name for p in _managed_policy_files()}


def test_every_aws_managed_policy_loads_as_an_identity_policy():
    failures = []
    statements = 0
    for path in _managed_policy_files():
        try:
            statements += len(iameval.load_policy_file(path, "identity").statement)
        except iameval.PolicyError as exc:
            failures.append(f"{path.name}: {exc}")
    assert failures == []
    assert statements >= 1594


# ---------------------------------------------------------------------------- policy examples

# Folder under fixtures/policy-examples -> the kind it loads as. A role trust policy is the
# role's resource-based policy (§2.5).
EXAMPLE_KINDS = {
    "scp": "scp",
    "rcp": "rcp",
    "resource": "resource_policy",
    "trust": "resource_policy",
    "permission-boundary": "permission_boundary",
}


def _examples() -> list:
    return [pytest.param(path, kind, id=f"{folder}/{path.name}")
            for folder, kind in EXAMPLE_KINDS.items()
            for path in sorted((EXAMPLES / folder).glob("*.json"))]


def test_every_policy_type_has_examples():
    counts = {folder: len(list((EXAMPLES / folder).glob("*.json"))) for folder in EXAMPLE_KINDS}
    assert all(counts.values()), counts


@pytest.mark.parametrize("path, kind", _examples())
def test_a_published_example_loads_as_its_kind(path: Path, kind: str):
    policy = iameval.load_policy_file(path, kind)
    assert policy.statement


# ---------------------------------------------------------------------------- invalid JSON

def test_a_comment_in_a_published_scp_is_invalid_json_at_the_comment():
    # Line 15 is `            //add or remove the list of service ...`: the comment's `//`
    # starts in column 13. AWS refuses JSON with comments.
    (problem,) = _problems(INVALID_JSON, "scp")
    assert problem.location.file == str(INVALID_JSON)
    assert (problem.location.line, problem.location.column) == (15, 13)
    assert "invalid JSON" in problem.message


# ---------------------------------------------------------------------------- broken policies

class Broken(NamedTuple):
    file: str
    line: int
    column: int
    element: str
    message: str
    kind: str = "identity"


# Each row: the file under fixtures/broken, where its one problem is (the first character of
# the element's key, or of the statement object when the statement as a whole is at fault),
# the element as `format_path` writes it, and words the message must contain.
BROKEN_POLICIES = [
    # A trailing comma is invalid JSON, reported at the comma (line 7, after the Resource value).
    Broken("trailing-comma.json", 7, 50, "(document)", "invalid JSON"),
    # A repeated key is an error at its second occurrence, not "last one wins".
    Broken("duplicate-key.json", 8, 7, "Statement[0].Effect", "duplicate key `Effect`"),
    # A document without Statement is refused as a whole.
    Broken("missing-statement.json", 1, 1, "(document)", "`Statement`"),
    # Version is one of two fixed dates, not the date the policy was written.
    Broken("bad-version.json", 2, 3, "Version", "`2024-01-15`"),
    # Effect is case-sensitive: `allow` is not `Allow`.
    Broken("lowercase-effect.json", 5, 7, "Statement[0].Effect", "`allow`"),
    # Effect is required.
    Broken("missing-effect.json", 4, 5, "Statement[0]", "`Effect`"),
    # A statement needs Action or NotAction.
    Broken("no-action.json", 4, 5, "Statement[0]", "neither `Action` nor `NotAction`"),
    # Action and NotAction together are an unsupported element combination.
    Broken("action-and-notaction.json", 7, 7, "Statement[0].NotAction", "`NotAction`"),
    # An identity policy must say which resources.
    Broken("identity-without-resource.json", 4, 5, "Statement[0]", "`Resource`"),
    # An identity policy names no principal; a single statement object has no `[0]`.
    Broken("principal-in-identity.json", 5, 5, "Statement.Principal", "`Principal`"),
    # Element names are exact: `Actions` is unknown, not a synonym.
    Broken("unknown-element.json", 6, 7, "Statement[0].Actions", "`Actions`"),
    # An unknown operator is an error, never a condition that silently fails.
    Broken("unknown-operator.json", 9, 9, "Statement[0].Condition.StringEqualz", "`StringEqualz`"),
    # `Null` takes no IfExists.
    Broken("null-if-exists.json", 9, 9, "Statement[0].Condition.NullIfExists", "`NullIfExists`"),
    # Condition keys are case-insensitive, so two spellings of one key in a block clash.
    Broken("condition-keys-differ-in-case.json", 11, 11,
           "Statement[0].Condition.StringEquals.aws:principaltag/Team", "differ only in case"),
    # A resource is an ARN or `*`.
    Broken("resource-not-arn.json", 7, 7, "Statement[0].Resource", "`example-bucket/*`"),
    # IAM accepts only tab, LF, CR and U+0020-U+00FF; the emoji is U+1F642.
    Broken("non-latin1-character.json", 8, 7, "Statement[0].Resource", "U+1F642"),
    # A resource-based policy must name its principal.
    Broken("resource/no-principal.json", 4, 5, "Statement[0]", "`Principal`", "resource_policy"),
    # In a principal, `*` stands alone: no partial wildcards in account IDs.
    Broken("resource/partial-wildcard-principal.json", 7, 21, "Statement[0].Principal.AWS",
           "`arn:aws:iam::*:root`", "resource_policy"),
    # A principal is `"*"` or a map such as {"AWS": ...}, never a bare ARN.
    Broken("resource/principal-not-a-map.json", 7, 7, "Statement[0].Principal", "`\"*\"`",
           "resource_policy"),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file) for c in BROKEN_POLICIES])
def test_a_broken_policy_is_refused_with_its_one_problem_located(case: Broken):
    path = BROKEN / case.file
    problems = _problems(path, case.kind)
    assert len(problems) == 1, [str(p) for p in problems]
    (problem,) = problems
    assert problem.location.file == str(path)
    assert _where(problem) == (case.line, case.column, case.element)
    assert case.message in problem.message


def test_every_broken_fixture_has_a_row():
    files = {str(p.relative_to(BROKEN)) for p in BROKEN.rglob("*.json")}
    assert files == {c.file for c in BROKEN_POLICIES} | {"three-problems.json"}


def test_problems_in_three_statements_are_reported_together():
    problems = _problems(BROKEN / "three-problems.json", "identity")
    assert sorted(_where(p) for p in problems) == [
        (6, 7, "Statement[0].Effect"),                    # "deny"
        (13, 7, "Statement[1].Actions"),                  # unknown element
        (22, 9, "Statement[2].Condition.DateLessThen"),   # unknown operator
    ]


# ---------------------------------------------------------------------------- command line

@pytest.mark.parametrize("case", [pytest.param(c, id=c.file) for c in BROKEN_POLICIES
                                  if c.kind == "identity"])
def test_check_exits_2_and_prints_file_line_column_for_a_broken_identity_policy(case: Broken):
    path = BROKEN / case.file
    result = invoke("check", str(path), "--action", "s3:GetObject")
    assert result.exit_code == 2, result.output
    assert f"{path}:{case.line}:{case.column}:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file) for c in BROKEN_POLICIES
                                  if c.kind == "resource_policy"])
def test_check_exits_2_for_a_broken_resource_policy(case: Broken):
    path = BROKEN / case.file
    result = invoke("check", str(MANAGED / "AmazonS3ReadOnlyAccess.json"),
                    "--action", "s3:GetObject",
                    "--resource", "arn:aws:s3:::example-bucket/key",
                    "--resource-policy", str(path))
    assert result.exit_code == 2, result.output
    assert f"{path}:{case.line}:{case.column}:" in result.output
    assert "Traceback" not in result.output


def test_check_reports_every_problem_of_a_file_and_exits_2():
    path = BROKEN / "three-problems.json"
    result = invoke("check", str(path), "--action", "s3:GetObject")
    assert result.exit_code == 2
    for line, column in [(6, 7), (13, 7), (22, 9)]:
        assert f"{path}:{line}:{column}:" in result.output
    assert "Traceback" not in result.output


def test_check_exits_2_for_an_scp_that_is_not_json():
    result = invoke("check", str(MANAGED / "AmazonS3ReadOnlyAccess.json"),
                    "--action", "s3:GetObject", "--scp", str(INVALID_JSON))
    assert result.exit_code == 2
    assert f"{INVALID_JSON}:15:13:" in result.output
    assert "Traceback" not in result.output
