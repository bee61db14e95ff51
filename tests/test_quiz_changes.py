"""Change questions of the quiz (issue 15): "which of these requests does the new version allow that
the old did not?", answered by the engine, explained by `diff`, and played like the others."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from helpers import invoke
from iameval import Authorizer, Decision
from iameval.analysis import DiffReport, SymbolicMismatch
from iameval.cli._quiz import load_bank, play
from iameval.cli._quiz_changes import ChangeQuestion, answer_text, parse_letters
from iameval.policy._errors import PolicyError


@pytest.fixture(scope="module")
def changes() -> dict[str, ChangeQuestion]:
    return {q.id: q for q in load_bank() if isinstance(q, ChangeQuestion)}


# Each row a fact about AWS, as the bank's questions put it.
@pytest.mark.parametrize("question, newly_allowed", [
    # s3:Describe* in v3 covers DescribeJob; Get* and the object-lambda reads were there before.
    ("policy-changes-s3-read-only-describe", "b"),
    # `iam:Get*` does not cover GenerateCredentialReport; GenerateServiceLastAccessedDetails came in v3.
    ("policy-changes-iam-read-only-credential-report", "b"),
    # Exact action names match only themselves: ListQueueTags stays denied.
    ("policy-changes-sqs-read-only", "a d"),
    # The EC2 actions were already in v3; `directconnect:List*` is the change.
    ("policy-changes-direct-connect-list", "b"),
    # Another value under IpAddress widens it; an added Deny allows nothing.
    ("policy-changes-second-office-network", "a"),
    # A condition added to an Allow only narrows it.
    ("policy-changes-mfa-required", "none"),
])
def test_each_bank_question_s_answer_is_the_requests_the_engine_newly_allows(changes, question, newly_allowed):
    asked = changes[question]
    judged = asked.judge()
    assert answer_text(judged.newly_allowed) == newly_allowed
    old, new = Authorizer(identity=asked.old), Authorizer(identity=asked.new)
    for letter, request, decisions in zip(asked.letters, asked.requests, judged.decisions):
        assert decisions == (old.authorize(request).decision, new.authorize(request).decision)
        assert (letter in judged.newly_allowed) == (decisions[1] is Decision.ALLOW
                                                     and decisions[0] is not Decision.ALLOW)


def test_every_bank_change_question_s_newly_allowed_requests_are_diff_s_findings(changes):
    assert len(changes) >= 5
    for asked in changes.values():
        judged = asked.judge()
        found = {a.lower() for f in judged.report.findings for a in f.actions}
        assert not judged.report.unknown, asked.id
        for letter in judged.newly_allowed:
            assert asked.requests[asked.letters.index(letter)].action.lower() in found, (asked.id, letter)
        assert (judged.report.result == "no-new-access") == (not judged.report.findings)


@pytest.mark.parametrize("text, letters", [
    ("a c", {"a", "c"}), ("A,C", {"a", "c"}), ("ca", {"a", "c"}), (" b ", {"b"}), ("a; d", {"a", "d"}),
    ("none", set()), ("None", set()), ("-", set()),
], ids=repr)
def test_answers_are_letters_in_any_order_or_none(text, letters):
    assert parse_letters(text, "abcd") == frozenset(letters)


@pytest.mark.parametrize("text", ["", "e", "a e", "allow", "a&c", "q"], ids=repr)
def test_anything_else_is_not_an_answer(text):
    assert parse_letters(text, "abcd") is None


def _played(questions, *answers: str) -> str:
    console = Console(file=io.StringIO(), width=200, no_color=True, highlight=False)
    given = iter(answers)
    score = play(console, questions, lambda prompt: next(given, None))
    return console.file.getvalue() + f"\nscore {score}"


def test_a_right_answer_is_right_and_a_wrong_one_is_marked_wrong_with_the_engine_s_answer(changes):
    asked = changes["policy-changes-sqs-read-only"]
    assert "Right: a d." in _played([asked], "d,a")
    shown = _played([asked], "a")
    assert "Not quite: you said a, AWS says a d." in shown
    assert "score {'policy-changes': [0, 1]}" in shown
    assert "Not quite: you said none, AWS says a d." in _played([asked], "none")


def test_an_unclear_answer_is_asked_again(changes):
    shown = _played([changes["policy-changes-mfa-required"]], "yes", "none")
    assert "`yes` is not an answer: type some of a, b, c, or none." in shown
    assert "Right: none." in shown


def test_the_explanation_names_the_statements_of_the_new_version_and_traces_diff_s_example(changes):
    shown = _played([changes["policy-changes-second-office-network"]], "a")
    assert "iameval diff of the two versions: new-access" in shown
    assert "newly allowed: s3:GetObject\n  by: ReadReportsFromOffice of ReadReports-after" in shown
    # The engine's trace of diff's example request, under the new version.
    assert "The engine on the example of s3:GetObject, under the new version:" in shown
    assert "Allow statement ReadReportsFromOffice of identity-based policy ReadReports-after" in shown
    assert "a  s3:GetObject on arn:aws:s3:::example-reports/q1.csv with aws:SourceIp=198.51.100.7: " \
           "ImplicitDeny before, Allow now  newly allowed" in shown
    assert "d  s3:DeleteObject on arn:aws:s3:::example-reports/q1.csv with aws:SourceIp=198.51.100.7: " \
           "ImplicitDeny before, ExplicitDeny now\n" in shown


def test_a_change_that_allows_nothing_new_says_so(changes):
    shown = _played([changes["policy-changes-mfa-required"]], "b")
    assert "Not quite: you said b, AWS says none." in shown
    assert "iameval diff of the two versions: no-new-access" in shown
    assert "b  iam:CreateAccessKey on arn:aws:iam::111122223333:user/heidi: Allow before, ImplicitDeny now" in shown


def test_a_disagreement_of_diff_and_the_engine_is_raised_never_asked(changes, monkeypatch):
    """Should `diff` miss a request the engine newly allows, the question has two answers: it
    is a bug, raised, and the learner never sees it."""
    monkeypatch.setattr("iameval.analysis._diff.diff", lambda *args, **kwargs: DiffReport(()))
    with pytest.raises(SymbolicMismatch, match="newly allows request b .`s3:DescribeJob`."):
        changes["policy-changes-s3-read-only-describe"].judge()


# ----------------------------------------------------------------------------- a bank's file

CHANGE = """\
- id: policy-changes-written-by-a-test
  topic: policy-changes
  difficulty: 1
  question: Which of these requests does the new version allow that the old did not?
  note: One statement was added. See https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html
  principal: arn:aws:iam::111122223333:user/dana
  old:
    Version: "2012-10-17"
    Statement:
      - Effect: Allow
        Action: s3:GetObject
        Resource: arn:aws:s3:::example-reports/*
  new:
    - Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: s3:GetObject
          Resource: arn:aws:s3:::example-reports/*
    - Version: "2012-10-17"
      Statement:
        - Sid: ListReports
          Effect: Allow
          Action: s3:ListBucket
          Resource: arn:aws:s3:::example-reports
  requests:
    - action: s3:GetObject
      resource: arn:aws:s3:::example-reports/q1.csv
    - action: s3:ListBucket
      resource: arn:aws:s3:::example-reports
"""


def _bank(folder: Path, text: str = CHANGE) -> Path:
    (folder / "changes").mkdir()
    path = folder / "changes" / "policy-changes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_change_question_of_a_bank_folder_loads_its_versions_named(tmp_path):
    _bank(tmp_path)
    [asked] = load_bank(tmp_path)
    assert isinstance(asked, ChangeQuestion)
    assert [p.name for p in asked.old] == ["old version"]
    assert [p.name for p in asked.new] == ["new version 1", "new version 2"]
    assert [r.principal for r in asked.requests] == ["arn:aws:iam::111122223333:user/dana"] * 2
    judged = asked.judge()
    assert answer_text(judged.newly_allowed) == "b"
    assert judged.report.findings[0].statements == ("ListReports of new version 2",)


def _line(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize("change, line, path, message", [
    # The answer is the engine's: a bank never writes one.
    (("  requests:\n", "  expect: b\n  requests:\n"), "  expect:", (0, "expect"),
     "unknown field `expect` of a change question"),
    (("    - action: s3:ListBucket\n",
      "    - action: s3:ListBucket\n      principal: arn:aws:iam::111122223333:user/eve\n"),
     "      principal:", (0, "requests", 1, "principal"), "a request of a change question has no `principal`"),
    (("    - action: s3:ListBucket\n      resource: arn:aws:s3:::example-reports\n", ""), "  requests:",
     (0, "requests"), "`requests` must be a list of 2 to 6 requests"),
    (("        Action: s3:GetObject\n        Resource: arn:aws:s3:::example-reports/*\n  new:",
      "        Action: s3:GetObjekt:x\n        Resource: arn:aws:s3:::example-reports/*\n  new:"),
     "        Action: s3:GetObjekt", (0, "old", "Statement", 0, "Action"), None),
], ids=["expect", "principal", "one request", "bad action"])
def test_a_broken_change_question_is_a_located_problem(tmp_path, change, line, path, message):
    written = _bank(tmp_path, CHANGE.replace(*change))
    with pytest.raises(PolicyError) as caught:
        load_bank(tmp_path)
    [problem] = caught.value.problems
    assert (problem.location.file, problem.location.line, problem.location.path) == (
        str(written), _line(written, line), path)
    if message is not None:
        assert problem.message == message


def test_quiz_plays_a_change_question_from_an_answers_file(tmp_path, monkeypatch):
    _bank(tmp_path)
    monkeypatch.setattr("iameval.cli._app.load_bank", lambda: load_bank(tmp_path))
    answers = tmp_path / "answers.txt"
    answers.write_text("b\n")
    result = invoke("quiz", "--count", "1", "--answers", str(answers))
    assert result.exit_code == 0, result.output
    assert "Right: b." in result.stdout and "1/1" in result.stdout
    answers.write_text("a b\n")
    result = invoke("quiz", "--count", "1", "--answers", str(answers))
    assert result.exit_code == 1
    assert "Not quite: you said a b, AWS says b." in result.stdout
