"""The practice-mode question bank (iameval/questions/): well-formed, and answered as AWS does.

Each YAML file holds the questions of one topic. A question is a scenario (../shared/SCENARIO.md)
plus `topic`, `difficulty`, `question` and `note`. The stated answer (`expect`) is AWS's, by
IAM-SEMANTICS.md; every question is evaluated by the engine and must agree with it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

import iameval

QUESTIONS = Path(__file__).resolve().parent.parent / "iameval" / "questions"
EXTRA_FIELDS = ("topic", "difficulty", "question", "note")
TOPICS = {
    "evaluation-order", "iam-and-bucket-policy", "policy-variables", "managed-and-inline",
    "cross-account", "scp", "permission-boundary", "session-policy", "notaction-notresource",
    "conditions", "set-operators", "kms-key-policy", "sts-credentials",
}
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def _files() -> list[Path]:
    return sorted(QUESTIONS.glob("*.yaml"))


def _load() -> list[tuple[str, dict]]:
    """Every question with the topic slug of the file it came from (the file's stem)."""
    out = []
    for path in _files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, list), f"{path.name}: a question file is a list of questions"
        out.extend((path.stem, q) for q in data)
    return out


ALL = _load()


def test_one_file_per_topic():
    assert {p.stem for p in _files()} == TOPICS


def test_at_least_60_questions():
    assert len(ALL) >= 60


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_at_least_4_questions_per_topic(topic):
    assert sum(1 for stem, _ in ALL if stem == topic) >= 4


def test_ids_are_unique():
    ids = [q.get("id") for _, q in ALL]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("stem,q", ALL, ids=[q.get("id", "?") for _, q in ALL])
def test_question_fields(stem, q):
    assert isinstance(q, dict)
    assert q.get("topic") == stem, "`topic` must match the file name"
    assert isinstance(q.get("id"), str) and q["id"].startswith(f"{stem}-")
    assert q.get("difficulty") in (1, 2, 3)
    assert isinstance(q.get("question"), str) and q["question"].strip()
    note = q.get("note")
    assert isinstance(note, str) and len(SENTENCE_END.findall(note.strip())) >= 2, \
        "the note needs at least two sentences"
    # Learners do not have IAM-SEMANTICS.md: a note points to AWS's own pages.
    assert "§" not in note and "IAM-SEMANTICS" not in note
    assert "See https://docs.aws.amazon.com/" in " ".join(note.split()), "the note ends with its AWS pages"
    assert q.get("expect") in ("Allow", "ImplicitDeny", "ExplicitDeny")
    assert "policies" in q and "request" in q
    # YAML must not have turned anything into a date or another non-JSON value.
    json.dumps(q)


def _scenario(q: dict) -> dict:
    """The question without its practice fields: a plain scenario."""
    return {k: v for k, v in q.items() if k not in EXTRA_FIELDS}


@pytest.mark.parametrize("q", [q for _, q in ALL], ids=[q.get("id", "?") for _, q in ALL])
def test_engine_gives_the_stated_answer(q, tmp_path):
    path = tmp_path / "question.json"
    path.write_text(json.dumps([_scenario(q)], indent=1), encoding="utf-8")
    [scenario] = iameval.load_scenarios(path)
    assert scenario.error is None, str(scenario.error)
    result = iameval.evaluate(scenario)
    assert result.decision == scenario.expect, result.summary
