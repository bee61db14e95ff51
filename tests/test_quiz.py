"""Practice mode: the bank, generated variants, answers, and the quiz driven as a person drives it."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import pexpect
import pytest
from rich.console import Console

import iameval
from helpers import invoke
from iameval.policy._errors import PolicyError
from iameval.cli._present import out
from iameval.cli._quiz import (DIFFICULTIES, TOPICS, Answers, Question, _named, _scenario_data, answers_from,
                                load_bank, parse_answer, parse_difficulty, play, select, variants)
from iameval.cli._quiz_changes import ChangeQuestion, answer_text

IAMEVAL = Path(sys.executable).parent / "iameval"


@pytest.fixture(scope="module")
def whole_bank():
    return load_bank()


@pytest.fixture(scope="module")
def bank(whole_bank):
    """The scenario questions: those answered Allow, ImplicitDeny or ExplicitDeny."""
    return [q for q in whole_bank if isinstance(q, Question)]


def _answer(question) -> str:
    """The right answer as a learner types it: a decision, or the letters of a change question."""
    if isinstance(question, ChangeQuestion):
        return answer_text(question.judge().newly_allowed)
    return str(question.answer)


def test_the_bundled_bank_loads_from_the_package_with_every_field(whole_bank):
    assert len(whole_bank) >= 60
    for question in whole_bank:
        assert question.topic in TOPICS, question.id
        assert question.difficulty in (1, 2, 3)
        assert question.text and question.note
        if isinstance(question, Question):
            assert question.answer in ("Allow", "ImplicitDeny", "ExplicitDeny")
        else:
            assert question.topic == "policy-changes" and 2 <= len(question.requests) <= 6


def test_every_topic_of_the_certification_has_questions(whole_bank):
    topics = {q.topic for q in whole_bank}
    assert topics == set(TOPICS)


def test_every_bank_answer_is_the_engines_decision(bank):
    wrong = [(q.id, q.answer, iameval.evaluate(q.scenario).decision) for q in bank
             if iameval.evaluate(q.scenario).decision != q.answer]
    assert wrong == []


# One question in the bank's format (iameval/questions/README.md); the engine answers ImplicitDeny.
QUESTION = """\
# a bank file written by a test
- id: evaluation-order-list-without-allow
  topic: {topic}
  difficulty: {difficulty}
  question: >-
    Dana, an IAM user in account 111122223333, may read objects of example-reports. She lists
    the bucket. What happens?
  note: >-
    s3:ListBucket acts on the bucket, not on its objects, so the Allow does not apply (§2.1).
    With no Allow the request is implicitly denied.
  policies:
    identity:
      - Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::example-reports/*
  request:
    principal: arn:aws:iam::111122223333:user/dana
    action: s3:ListBucket
    resource: arn:aws:s3:::example-reports
  expect: {expect}
"""


def _bank_file(folder: Path, name: str = "evaluation-order.yaml", *, topic: str = "evaluation-order",
               difficulty: str = "1", expect: str = "ImplicitDeny") -> Path:
    path = folder / name
    path.write_text(QUESTION.format(topic=topic, difficulty=difficulty, expect=expect), encoding="utf-8")
    return path


def _line(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(start))


def _only_problem(folder: Path):
    with pytest.raises(PolicyError) as caught:
        load_bank(folder)
    assert len(caught.value.problems) == 1, str(caught.value)
    return caught.value.problems[0]


def test_a_question_file_in_the_banks_format_loads(tmp_path):
    _bank_file(tmp_path)
    [question] = load_bank(tmp_path)
    assert (question.id, question.topic, question.difficulty) == ("evaluation-order-list-without-allow",
                                                                   "evaluation-order", 1)
    assert question.answer == "ImplicitDeny" == iameval.evaluate(question.scenario).decision


@pytest.mark.parametrize("written, level", [
    ("1", 1), ("2", 2), ("3", 3), ('"2"', 2), ("easy", 1), ("medium", 2), ("hard", 3), ("Hard", 3),
], ids=lambda v: repr(v))
def test_a_difficulty_is_1_2_or_3_or_the_word_the_cli_takes(tmp_path, written, level):
    _bank_file(tmp_path, difficulty=written)
    [question] = load_bank(tmp_path)
    assert question.difficulty == level


@pytest.mark.parametrize("written, shown", [
    ("extreme", "extreme"), ("0", "0"), ("4", "4"), ("2.5", "2.5"), ("true", "true"), ("[1, 2]", "[1, 2]"),
], ids=lambda v: repr(v))
def test_any_other_difficulty_is_a_located_problem_not_a_traceback(tmp_path, written, shown):
    path = _bank_file(tmp_path, difficulty=written)
    problem = _only_problem(tmp_path)
    assert problem.message == f"unknown difficulty `{shown}`"
    assert problem.hint == "use 1 (easy), 2 (medium) or 3 (hard)"
    location = problem.location
    assert (location.file, location.line, location.column, location.path) == (
        str(path), _line(path, "  difficulty:"), 3, (0, "difficulty"))
    assert str(problem).startswith(f"{path}:{location.line}:3: error: [0].difficulty: unknown difficulty")


def test_the_difficulties_are_one_mapping_of_numbers_and_words():
    assert DIFFICULTIES == {1: "easy", 2: "medium", 3: "hard"}
    for level, word in DIFFICULTIES.items():
        assert parse_difficulty(level) == parse_difficulty(str(level)) == parse_difficulty(word) == level
        assert parse_difficulty(word.upper()) == level
    for other in (0, 4, True, 2.0, "", "hardest", None, [3]):
        assert parse_difficulty(other) is None


@pytest.mark.parametrize("topic, hint", [
    ("lambda", "see `iameval quiz --list-topics`"),
    ("set-operator", "did you mean `set-operators`?"),
])
def test_a_topic_not_in_topics_is_a_located_problem_not_a_question_no_one_can_select(tmp_path, topic, hint):
    path = _bank_file(tmp_path, topic=topic)
    problem = _only_problem(tmp_path)
    assert (problem.message, problem.hint) == (f"unknown topic `{topic}`", hint)
    location = problem.location
    assert (location.file, location.line, location.column, location.path) == (
        str(path), _line(path, "  topic:"), 3, (0, "topic"))


def test_an_expect_the_engine_disagrees_with_is_a_located_problem_naming_both_answers(tmp_path):
    path = _bank_file(tmp_path, expect="Allow")
    problem = _only_problem(tmp_path)
    assert problem.message == ("question `evaluation-order-list-without-allow` expects `Allow` but the "
                               "engine decides `ImplicitDeny`")
    location = problem.location
    assert (location.file, location.line, location.column, location.path) == (
        str(path), _line(path, "  expect:"), 3, (0, "expect"))


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    _bank_file(tmp_path, "a.yaml", topic="lambda", expect="ExplicitDeny")
    _bank_file(tmp_path, "b.yaml", difficulty="hard")
    _bank_file(tmp_path, "c.yaml", difficulty="impossible")
    with pytest.raises(PolicyError) as caught:
        load_bank(tmp_path)
    assert [(Path(p.location.file).name, p.location.path) for p in caught.value.problems] == [
        ("a.yaml", (0, "topic")), ("a.yaml", (0, "expect")), ("c.yaml", (0, "difficulty"))]


def test_quiz_on_a_broken_bank_prints_the_located_problems_and_exits_2(tmp_path, monkeypatch):
    path = _bank_file(tmp_path, difficulty="extreme", expect="Allow")
    monkeypatch.setattr("iameval.cli._app.load_bank", lambda: load_bank(tmp_path))
    result = invoke("quiz", "--count", "1")
    assert result.exit_code == 2
    assert f"{path}:{_line(path, '  difficulty:')}:3" in result.output
    assert "unknown difficulty `extreme`" in result.output
    assert "expects `Allow` but the engine decides `ImplicitDeny`" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, ValueError)


@pytest.mark.parametrize("text, decision", [
    ("a", "Allow"), ("Allow", "Allow"), ("  ALLOW ", "Allow"),
    ("i", "ImplicitDeny"), ("implicit", "ImplicitDeny"), ("ImplicitDeny", "ImplicitDeny"),
    ("implicit deny", "ImplicitDeny"), ("e", "ExplicitDeny"), ("explicit-deny", "ExplicitDeny"),
    ("ExplicitDeny", "ExplicitDeny"),
], ids=lambda v: repr(v))
def test_short_and_long_answers_are_accepted(text, decision):
    assert parse_answer(text) == decision


@pytest.mark.parametrize("text", ["deny", "d", "yes", "", "allowdeny"])
def test_unclear_answers_are_not_guessed(text):
    assert parse_answer(text) is None


def test_generated_variants_are_valid_scenarios_whose_answer_the_engine_computed(bank, tmp_path):
    made = list(variants(bank, random.Random(7), 40))
    assert len(made) == 40
    lines = []
    for question in made:
        assert question.origin.startswith("variant of ")
        assert question.answer == iameval.evaluate(question.scenario).decision
        data = _scenario_json(question.scenario)
        lines.append(json.dumps(data))
    # Written out, every variant is a scenario any tool of this project reads back the same.
    path = tmp_path / "variants.jsonl"
    path.write_text("\n".join(lines) + "\n")
    reloaded = iameval.load_scenarios(path)
    assert [s.error for s in reloaded] == [None] * 40
    assert [iameval.evaluate(s).decision for s in reloaded] == [q.answer for q in made]
    # The mutations really change things: not every variant keeps its base question's answer.
    base = {q.id: q for q in bank}
    changed = [q for q in made if base[q.id.split("~")[0]].answer != q.answer]
    assert changed


def _scenario_json(scenario) -> dict:
    data = _scenario_data(scenario)
    return {"id": scenario.id, **data, "expect": str(scenario.expect)}


def test_selection_follows_topic_difficulty_count_and_seed(bank):
    chosen = select(bank, topics=["scp"], difficulty=None, count=3, seed=1)
    assert len(chosen) == 3 and {q.topic for q in chosen} == {"scp"}
    assert [q.id for q in chosen] == [q.id for q in select(bank, topics=["scp"], count=3, seed=1)]
    hard = select(bank, difficulty=3, count=5, seed=2)
    assert {q.difficulty for q in hard} == {3}


def test_variants_fill_up_when_the_bank_runs_out(bank):
    in_topic = [q for q in bank if q.topic == "kms-key-policy"]
    chosen = select(bank, topics=["kms-key-policy"], count=len(in_topic) + 5, seed=4)
    assert len(chosen) == len(in_topic) + 5
    assert sum(q.origin != "bank" for q in chosen) == 5


def test_list_topics_counts_the_bank(whole_bank):
    result = invoke("quiz", "--list-topics")
    assert result.exit_code == 0
    for topic in TOPICS:
        count = sum(q.topic == topic for q in whole_bank)
        assert any(line.split()[:2] == [topic, str(count)] for line in result.stdout.splitlines())


def _right_answers(count: int, seed: int, **options) -> list[str]:
    return [_answer(q) for q in select(load_bank(), count=count, seed=seed, **options)]


def test_answers_from_a_file_all_right_exit_0_with_a_score(tmp_path):
    answers = _right_answers(3, 11)
    path = tmp_path / "answers.txt"
    path.write_text("\n".join(answers) + "\n")
    result = invoke("quiz", "--count", "3", "--seed", "11", "--answers", str(path))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("Right") == 3
    assert "3/3" in result.stdout


def test_answers_from_piped_stdin_a_wrong_one_exits_1_and_says_what_aws_says():
    answers = _right_answers(2, 5)
    wrong = "ExplicitDeny" if answers[1] != "ExplicitDeny" else "Allow"
    result = invoke("quiz", "--count", "2", "--seed", "5", input=f"{answers[0]}\n{wrong}\n")
    assert result.exit_code == 1
    assert "Not quite" in result.stdout and f"AWS says {answers[1]}" in result.stdout
    assert "1/2" in result.stdout


def test_input_running_out_ends_the_quiz_with_the_score_so_far_and_exit_1():
    answers = _right_answers(3, 8)
    result = invoke("quiz", "--count", "3", "--seed", "8", input=f"{answers[0]}\n")
    assert result.exit_code == 1
    assert "1/1" in result.stdout


def test_an_unknown_topic_is_a_usage_error():
    result = invoke("quiz", "--topic", "lambda")
    assert result.exit_code == 2
    assert "unknown topic `lambda`" in result.output


def test_the_quiz_played_in_a_terminal(tmp_path):
    """Driven through a pseudo-terminal, as a person plays it: a question with its policy and
    line numbers, an unclear answer asked again, a right answer, the explanation, the score."""
    questions = select(load_bank(), count=2, seed=21)
    child = pexpect.spawn(str(IAMEVAL), ["quiz", "--count", "2", "--seed", "21"], encoding="utf-8",
                          timeout=30, dimensions=(50, 120),
                          env={"TERM": "xterm", "NO_COLOR": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    child.expect("Question 1/2")
    child.expect(r" 1 (?:\x1b\[[0-9;]*m)*\{")  # the policy, pretty-printed with line numbers
    child.expect(r"\(q to stop\)\? ")
    child.sendline("maybe")
    child.expect("is not an answer")
    child.expect(r"\(q to stop\)\? ")
    child.sendline(_answer(questions[0]))
    child.expect("Right")
    child.expect(_answer(questions[0]))  # the explanation tree starts with the decision
    child.expect("Press Enter for the next question")  # it stays on screen until Enter
    child.sendline("")
    child.expect("Question 2/2")
    child.expect(r"\(q to stop\)\? ")
    child.sendline("q")
    child.expect("Score")
    child.expect("1/1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1  # stopped before the last question


# ------------------------------------------------------------------------------ at a terminal

def _played(questions, answers) -> str:
    console = Console(file=io.StringIO(), width=200, no_color=True, highlight=False)
    play(console, questions, answers)
    return console.file.getvalue()


def _lines(*answers):
    given = iter(answers)
    return lambda prompt: next(given, None)


def test_policies_are_named_by_role_and_name_in_the_question_and_its_explanation_never_identity_0(tmp_path):
    path = _bank_file(tmp_path, expect="Allow")  # asked of an object, so the statement applies
    path.write_text(path.read_text().replace("- Effect: Allow", "- Sid: ReadReports\n            Effect: Allow")
                    .replace("action: s3:ListBucket", "action: s3:GetObject")
                    .replace("resource: arn:aws:s3:::example-reports\n", "resource: arn:aws:s3:::example-reports/q1\n"))
    _bank_file(tmp_path, "b.yaml")  # no name, no Sid: known by its number
    without, with_sid = load_bank(tmp_path)  # b.yaml, then evaluation-order.yaml
    shown = _played([with_sid], _lines("a"))
    assert "identity-based policy ReadReports\n" in shown  # the policy's title
    assert "of identity-based policy ReadReports" in shown  # the explanation's statement label
    shown = _played([without], _lines("i"))
    assert "identity-based policy 1\n" in shown
    assert "identity[0]" not in shown


def test_every_bank_question_names_its_policies_the_same_in_question_and_explanation(bank):
    for question in bank:
        scenario, shown = _named(question.scenario)
        titles = [title for title, _ in shown]
        assert len(set(titles)) == len(titles), question.id
        for title, policy in shown:
            assert policy.name and title.endswith(policy.name) and "[" not in policy.name, question.id
        assert iameval.evaluate(scenario).decision == question.answer


def test_an_answers_file_that_runs_out_says_so_naming_the_file_and_exits_2(tmp_path, capsys):
    import typer
    questions = select(load_bank(), count=3, seed=11)
    path = tmp_path / "answers.txt"
    path.write_text(f"{_answer(questions[0])}\n{_answer(questions[1])}\n")
    with pytest.raises(typer.Exit) as stopped:
        _played(questions, answers_from(str(path), out))
    assert stopped.value.exit_code == 2
    error = capsys.readouterr().err
    assert f"{path}: error: the answers ran out at question 3 of 3: the file has 2 answers" in error
    assert "--count" in error


def test_answers_from_a_file_or_a_pipe_never_wait_for_enter(tmp_path):
    terminal = Console(force_terminal=True)
    assert not Answers(terminal, ["a"], "answers.txt").waits
    assert not Answers(terminal, ["a"]).waits  # piped standard input
    questions = select(load_bank(), count=2, seed=5)
    shown = _played(questions, Answers(terminal, [_answer(q) for q in questions], "answers.txt"))
    assert "Press Enter" not in shown and "2/2" in shown


PLAY_AT_A_TERMINAL = """\
from iameval.cli._present import out
from iameval.cli._quiz import answers_from, load_bank, play, select
play(out, select(load_bank(), count=2, seed=21), answers_from(None, out))
"""


def test_at_a_terminal_the_explanation_stays_until_enter(tmp_path):
    questions = select(load_bank(), count=2, seed=21)
    child = pexpect.spawn(sys.executable, ["-c", PLAY_AT_A_TERMINAL], encoding="utf-8", timeout=30,
                          dimensions=(50, 120),
                          env={"TERM": "xterm", "NO_COLOR": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    child.expect(r"\(q to stop\)\? ")
    child.sendline(_answer(questions[0]))
    child.expect("Right")
    child.expect("Press Enter for the next question")
    assert child.expect(["Question 2/2", pexpect.TIMEOUT], timeout=1) == 1  # still on the explanation
    child.sendline("")
    child.expect("Question 2/2")
    child.expect(r"\(q to stop\)\? ")
    child.sendline("q")
    child.expect("1/1")
    child.expect(pexpect.EOF)
    child.close()
