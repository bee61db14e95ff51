"""Practice mode: policy-reasoning questions answered, checked and explained by the engine.

A question is a scenario with a topic, a difficulty, the question in words and a teaching note.
The bank ships with iameval (`iameval/questions/`, package data). Generated
variants mutate bank questions from a seed (another user, another action, an added Deny, a
changed context value); the engine computes their answers, so practice never runs out.

A change question (`_quiz_changes.py`, in `iameval/questions/changes/`) asks instead which of
a few requests a new version of a policy allows that the old did not, answered by the engine
and explained by `diff`.
"""

from __future__ import annotations

import difflib
import json
import random
import sys
from dataclasses import dataclass, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NoReturn, Sequence

from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from ..policy._source import Source, parse_text, read_text
from ..engine import Decision
from ..policy._errors import Location, PolicyError, Problem
from ..policy._model import Policy
from ..engine import Request, explain
from ._options import fail
from ._present import print_explanation
from ..inputs._scenarios import QUESTION_FIELDS, Scenario, _Loader, evaluate
from ._quiz_changes import ChangeQuestion, answer_text, change_question, explain_change, parse_letters, show_change

__all__ = ["AnyQuestion", "Answers", "answers_from", "DIFFICULTIES", "load_bank", "parse_answer", "parse_difficulty",
           "play", "Question", "select", "TOPICS", "variants"]

# Topic slug -> what it practises (the certification's policy-reasoning topics).
TOPICS: dict[str, str] = {
    "evaluation-order": "default deny, explicit deny, explicit allow",
    "iam-and-bucket-policy": "IAM policies and S3 bucket policies together",
    "policy-variables": "dynamic policies with ${aws:username} and other variables",
    "managed-and-inline": "AWS managed, customer managed and inline policies together",
    "cross-account": "cross-account access, sts:AssumeRole and trust policies",
    "scp": "service control policies capping accounts",
    "permission-boundary": "permissions boundaries",
    "session-policy": "session policies and federated users",
    "notaction-notresource": "NotAction and NotResource",
    "conditions": "condition operators, IfExists and Null",
    "set-operators": "ForAllValues and ForAnyValue",
    "kms-key-policy": "KMS key policies",
    "sts-credentials": "temporary credentials: GetSessionToken, GetFederationToken, role sessions, web identity",
    "policy-changes": "what a new version of a policy newly allows (iameval diff)",
}

# The one list of difficulties: the number a question file gives (or the word) and the word
# `iameval quiz --difficulty` also accepts.
DIFFICULTIES: dict[int, str] = {1: "easy", 2: "medium", 3: "hard"}
_DIFFICULTY_SPELLINGS: dict[str, int] = {**{str(n): n for n in DIFFICULTIES},
                                         **{word: n for n, word in DIFFICULTIES.items()}}


def parse_difficulty(value: object) -> int | None:
    """1, 2 or 3 from `1`/`easy`, `2`/`medium`, `3`/`hard` (a number, or its text in any case); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in DIFFICULTIES else None
    if isinstance(value, str):
        return _DIFFICULTY_SPELLINGS.get(value.strip().lower())
    return None


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    difficulty: int
    text: str
    note: str
    scenario: Scenario
    origin: str = "bank"  # or how a variant was made

    @property
    def answer(self) -> Decision:
        """AWS's answer: a bank question's `expect`, which loading checked against the engine; a
        variant's is the engine's decision."""
        if self.scenario.expect is None:  # neither the bank nor `variants` makes such a question
            raise ValueError(f"question `{self.id}` has no answer")
        return self.scenario.expect

    @property
    def request(self) -> Request:
        """The request asked about (a question's scenario is a valid one)."""
        if self.scenario.request is None:
            raise ValueError(f"question `{self.id}` has no request")
        return self.scenario.request


AnyQuestion = Question | ChangeQuestion


def load_bank(folder: str | Path | None = None) -> list[AnyQuestion]:
    """Every question of the bank (the bundled one when `folder` is None): the scenario
    questions of its YAML files, then the change questions of those in its `changes/` folder.

    A question whose fields are missing or wrong, whose scenario is invalid, or whose `expect`
    is not the engine's decision is an error: the bank is ours, and a broken question must not
    reach a learner (one told "AWS says Allow" and then shown why it is a deny). Every problem
    of every file is collected and raised together as one `PolicyError`.
    """
    loader = _Loader()
    questions: list[AnyQuestion] = []
    problems: list[Problem] = []
    for changes, (name, file) in _files(folder):
        try:
            text = read_text(name) if folder is not None else file.read_text(encoding="utf-8")
            (source,) = parse_text(text, name, "yaml")
        except PolicyError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(source.data, list):
            problems.append(source.problem((), "a question file must be a list of questions",
                                           code="invalid-question"))
            continue
        for index, item in enumerate(source.data):
            question, found = (_change_question if changes else _question)(loader, source, index, item)
            problems.extend(found)
            if question is not None:
                questions.append(question)
    if problems:
        raise PolicyError(problems)
    return questions


def _files(folder: str | Path | None) -> list[tuple[bool, tuple[str, Traversable]]]:
    """The bank's YAML files, each with whether it holds change questions (those of `changes/`)."""
    found: list[tuple[bool, tuple[str, Traversable]]] = []
    for changes in (False, True):
        if folder is not None:
            where = Path(folder) / "changes" if changes else Path(folder)
            found += [(changes, (str(f), f)) for f in sorted(where.glob("*.yaml"))]
            continue
        where_in = resources.files("iameval").joinpath("questions", *(("changes",) if changes else ()))
        shown = "iameval/questions/changes" if changes else "iameval/questions"
        if where_in.is_dir():
            found += [(changes, (f"{shown}/{f.name}", f))
                      for f in sorted((f for f in where_in.iterdir() if f.name.endswith(".yaml")),
                                      key=lambda f: f.name)]
    return found


def _practice_fields(source: Source, index: int, item: dict[str, Any], required: tuple[str, ...],
                     what: str) -> tuple[list[Problem], int | None]:
    """The problems of a question's practice fields (`required`: those it must give, as `what`
    lists them), and its difficulty."""
    problems: list[Problem] = []
    missing = [f for f in required if item.get(f) is None or (isinstance(item[f], str) and not item[f].strip())]
    problems.extend(source.problem((index,), f"missing `{f}`", f"a question has {what}", code="invalid-question")
                    for f in missing)
    topic = item.get("topic")
    if "topic" not in missing and not (isinstance(topic, str) and topic in TOPICS):
        close = difflib.get_close_matches(topic, TOPICS, n=1) if isinstance(topic, str) else []
        problems.append(source.problem((index, "topic"), f"unknown topic `{_shown(topic)}`",
                                       f"did you mean `{close[0]}`?" if close else
                                       "see `iameval quiz --list-topics`", code="invalid-question"))
    difficulty = parse_difficulty(item.get("difficulty"))
    if "difficulty" not in missing and difficulty is None:
        problems.append(source.problem((index, "difficulty"),
                                       f"unknown difficulty `{_shown(item['difficulty'])}`",
                                       "use 1 (easy), 2 (medium) or 3 (hard)", code="invalid-question"))
    for field in ("question", "note"):
        if field not in missing and not isinstance(item[field], str):
            problems.append(source.problem((index, field), f"`{field}` must be text", code="invalid-question"))
    return problems, difficulty


def _question(loader: _Loader, source: Source, index: int, item: Any) -> tuple[Question | None, list[Problem]]:
    """One question of a bank file, or the problems that keep it out of the bank."""
    scenario = loader.scenario(source, (index,), item, f"{Path(source.name).stem}[{index}]")
    if not isinstance(item, dict):
        return None, list(scenario.problems)
    problems, difficulty = _practice_fields(source, index, item, (*QUESTION_FIELDS, "expect"),
                                            "topic, difficulty, question, note and expect")
    topic = item.get("topic")
    if scenario.error is not None:
        return None, problems + list(scenario.problems)
    try:
        decision = evaluate(scenario).decision
    except PolicyError as exc:
        return None, problems + list(exc.problems)
    if scenario.expect is not None and decision != scenario.expect:
        problems.append(source.problem(
            (index, "expect"),
            f"question `{scenario.id}` expects `{scenario.expect}` but the engine decides `{decision}`",
            "the learner is told `expect` and shown the engine's explanation: check the rule in AWS's "
            "documentation and correct whichever is wrong", code="wrong-expect"))
    if problems or not isinstance(topic, str) or difficulty is None:  # the last two: reported above
        return None, problems
    return Question(scenario.id, topic, difficulty, " ".join(item["question"].split()),
                    " ".join(item["note"].split()), scenario), []


def _change_question(loader: _Loader, source: Source, index: int,
                     item: Any) -> tuple[ChangeQuestion | None, list[Problem]]:
    """One change question of a file of `changes/`, or the problems that keep it out of the bank."""
    if not isinstance(item, dict):
        return None, [source.problem((index,), "a change question must be an object", code="invalid-question")]
    problems, difficulty = _practice_fields(source, index, item, QUESTION_FIELDS,
                                            "topic, difficulty, question, note, principal, old, new and requests")
    topic = item.get("topic")
    question, found = change_question(loader, source, index, item, None if problems else topic,
                                      None if problems else difficulty)
    return question, problems + found


def _shown(value: Any) -> str:
    """A value of the file as the user wrote it (JSON for anything but text)."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


def select(bank: Sequence[AnyQuestion], *, topics: Iterable[str] = (), difficulty: int | None = None,
           count: int = 10, seed: int | None = None, mix_variants: bool = False) -> list[AnyQuestion]:
    """`count` questions of the chosen topics and difficulty, shuffled by `seed`.

    When the bank has fewer, generated variants of its scenario questions fill the rest; with
    `mix_variants`, about half are variants from the start.
    """
    rng = random.Random(seed)
    topics = set(topics)
    pool = [q for q in bank if (not topics or q.topic in topics)
            and (difficulty is None or q.difficulty == difficulty)]
    rng.shuffle(pool)
    chosen = pool[: count // 2] if mix_variants else pool[:count]
    scenarios = [q for q in pool if isinstance(q, Question)]
    if len(chosen) < count and scenarios:
        chosen += list(variants(scenarios, rng, count - len(chosen)))
    return chosen


# ----------------------------------------------------------------------------------- variants

def _add_deny(data: dict[str, Any], rng: random.Random) -> str | None:
    action = data["request"]["action"]
    service = action.split(":")[0]
    target = rng.choice([action, f"{service}:*"])
    identity = data["policies"].setdefault("identity", [])
    identity.append({"Version": "2012-10-17", "Statement": [
        {"Sid": "AddedDeny", "Effect": "Deny", "Action": target, "Resource": "*"}]})
    return f"an identity policy that denies `{target}` was added"


_SIBLING_ACTIONS = {
    "s3": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetObjectTagging"],
    "ec2": ["ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances", "ec2:DescribeInstances"],
    "sts": ["sts:AssumeRole", "sts:TagSession"],
    "kms": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ScheduleKeyDeletion"],
    "iam": ["iam:CreateUser", "iam:DeleteUser", "iam:PassRole", "iam:GetUser"],
    "dynamodb": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"],
}


def _other_action(data: dict[str, Any], rng: random.Random) -> str | None:
    action = data["request"]["action"]
    siblings = [a for a in _SIBLING_ACTIONS.get(action.split(":")[0].lower(), []) if a.lower() != action.lower()]
    if not siblings:
        return None
    data["request"]["action"] = rng.choice(siblings)
    return f"the action is now `{data['request']['action']}`"


def _other_user(data: dict[str, Any], rng: random.Random) -> str | None:
    principal = data["request"]["principal"]
    if ":user/" not in principal:
        return None
    name = principal.rsplit("/", 1)[1]
    other = rng.choice([n for n in ("bob", "carol", "dave", "erin", "frank") if n != name])
    data["request"]["principal"] = principal.rsplit("/", 1)[0] + "/" + other
    return f"the caller is now the user `{other}`"


def _changed_context(data: dict[str, Any], rng: random.Random) -> str | None:
    context = data["request"].get("context") or {}
    if not context:
        return None
    key = rng.choice(sorted(context))
    value = context[key]
    if isinstance(value, bool):
        context[key] = not value
        return f"`{key}` is now `{str(not value).lower()}`"
    if rng.random() < 0.4:
        del context[key]
        return f"the request no longer carries `{key}`"
    if isinstance(value, list):
        context[key] = value[:-1] if len(value) > 1 else value + ["extra"]
        return f"`{key}` is now {context[key]}"
    if isinstance(value, str) and value.count(".") == 3:
        context[key] = "198.51.100.23"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        context[key] = value * 10 + 1
    else:
        context[key] = f"{value}-other"
    return f"`{key}` is now `{context[key]}`"


_MUTATIONS: tuple[Callable[[dict[str, Any], random.Random], str | None], ...] = (
    _add_deny, _other_action, _other_user, _changed_context)


def variants(pool: Sequence[Question], rng: random.Random, count: int) -> Iterator[Question]:
    """Up to `count` generated variants of questions in `pool`; the engine computes each answer."""
    made = 0
    attempts = 0
    while made < count and attempts < count * 20:
        attempts += 1
        base = rng.choice(pool)
        data = _scenario_data(base.scenario)
        change = rng.choice(_MUTATIONS)(data, rng)
        if change is None:
            continue
        scenario = _build(data, f"{base.id}~{made + 1}")
        if scenario is None:
            continue
        made += 1
        yield Question(scenario.id, base.topic, base.difficulty,
                       f"{base.text} Variant: {change}.", base.note, scenario, f"variant of {base.id}: {change}")


def _scenario_data(scenario: Scenario) -> dict[str, Any]:
    """A valid scenario back as plain data, to mutate."""
    if scenario.request is None:
        raise ValueError(f"scenario `{scenario.id}` is invalid: it has no request")

    def dump(policy: Policy) -> dict[str, Any]:
        return policy.to_json()

    def level(entry: Policy | tuple[Policy, ...]) -> dict[str, Any] | list[dict[str, Any]]:
        return [dump(p) for p in entry] if isinstance(entry, tuple) else dump(entry)

    policies: dict[str, Any] = {}
    if scenario.identity:
        policies["identity"] = [dump(p) for p in scenario.identity]
    if scenario.resource_policy is not None:
        policies["resource"] = dump(scenario.resource_policy)
    if scenario.permission_boundary is not None:
        policies["permission_boundary"] = dump(scenario.permission_boundary)
    if scenario.session:
        policies["session"] = [dump(p) for p in scenario.session]
    if scenario.scps:
        policies["scps"] = [level(e) for e in scenario.scps]
    if scenario.rcps:
        policies["rcps"] = [level(e) for e in scenario.rcps]
    request = scenario.request.model_dump(exclude_none=True, exclude_defaults=True)
    request["context"] = scenario.request.model_dump(include={"context"})["context"]  # lists, not tuples
    return {"policies": policies, "request": request}


def _build(data: dict[str, Any], scenario_id: str) -> Scenario | None:
    """A variant as a scenario whose `expect` is the engine's own decision; None if it is invalid."""
    (source,) = parse_text(json.dumps(data), f"<variant {scenario_id}>", "json")
    scenario = _Loader().scenario(source, (), {**data, "id": scenario_id}, scenario_id)
    if scenario.error is not None:
        return None
    try:
        decision = evaluate(scenario).decision
    except PolicyError:
        return None
    return replace(scenario, expect=decision)


# ------------------------------------------------------------------------------------ answers

_ANSWERS = {
    "a": Decision.ALLOW, "allow": Decision.ALLOW, "allowed": Decision.ALLOW,
    "i": Decision.IMPLICIT_DENY, "implicit": Decision.IMPLICIT_DENY, "implicitdeny": Decision.IMPLICIT_DENY,
    "implicit deny": Decision.IMPLICIT_DENY, "implicit-deny": Decision.IMPLICIT_DENY,
    "e": Decision.EXPLICIT_DENY, "explicit": Decision.EXPLICIT_DENY, "explicitdeny": Decision.EXPLICIT_DENY,
    "explicit deny": Decision.EXPLICIT_DENY, "explicit-deny": Decision.EXPLICIT_DENY,
}


def parse_answer(text: str) -> Decision | None:
    """`a`, `allow`, `i`, `implicit`, `ImplicitDeny`, `e`, `explicit deny`...; None if unclear."""
    return _ANSWERS.get(" ".join(text.strip().lower().split()))


# ------------------------------------------------------------------------------------ playing

@dataclass(frozen=True)
class _Asked:
    """A question as `play` asks it: how it is shown, the answers it takes (`choices` in the
    prompt, `hint` after an unclear one), its right answer, how an answer reads, and its
    explanation."""

    show: Callable[[], None]
    choices: str
    hint: str
    parse: Callable[[str], object]
    answer: object
    said: Callable[[Any], str]
    explain: Callable[[], None]


def _asked_scenario(console: Console, question: Question) -> _Asked:
    scenario, policies = _named(question.scenario)
    return _Asked(lambda: _show_question(console, question, policies),
                  "[A]llow, [I]mplicitDeny or [E]xplicitDeny", "type A, I or E", parse_answer, question.answer, str,
                  lambda: print_explanation(console, explain(scenario.authorizer(), question.request)))


def _asked_change(console: Console, question: ChangeQuestion) -> _Asked:
    """A change question, judged before it is shown: the engine's answer and `diff`'s findings."""
    judged = question.judge()
    letters = ", ".join(question.letters)
    return _Asked(lambda: show_change(console, question),
                  "the letters of the newly allowed requests (`a c`), or `none`",
                  f"type some of {letters}, or none", lambda text: parse_letters(text, question.letters),
                  judged.newly_allowed, answer_text, lambda: explain_change(console, question, judged))


def _rule(console: Console, number: int, total: int, question: AnyQuestion) -> None:
    stars = "★" * question.difficulty + "☆" * (len(DIFFICULTIES) - question.difficulty)
    console.rule(f"[bold]Question {number}/{total}[/]  {escape(question.topic)}  {stars}")
    console.print(escape(question.text))


def _show_question(console: Console, question: Question, policies: Sequence[tuple[str, Policy]]) -> None:
    for title, policy in policies:
        console.print(f"\n[bold]{escape(title)}[/]")
        console.print(Syntax(json.dumps(policy.to_json(), indent=2), "json", line_numbers=True,
                             word_wrap=True, theme="ansi_dark"))
    request = question.request
    console.print("\n[bold]Request[/]")
    rows = [("principal", request.principal), ("action", request.action), ("resource", request.resource)]
    if request.resource_account:
        rows.append(("resource account", request.resource_account))
    if request.credentials:
        rows.append(("credentials", request.credentials.value))
    if request.federated_from:
        rows.append(("federated from", request.federated_from))
    rows += [(key, json.dumps(value) if not isinstance(value, str) else value)
             for key, value in request.context.items()]
    width = max(len(k) for k, _ in rows) + 2
    for key, value in rows:
        console.print(f"  [dim]{escape(key)}[/]{' ' * (width - len(key))}{escape(value)}", soft_wrap=True)


def _named(scenario: Scenario) -> tuple[Scenario, list[tuple[str, Policy]]]:
    """The scenario with every policy named, and the policies as the question shows them, each
    titled by its role and name (`identity-based policy ReadReports`).

    The engine labels a policy by its name (`identity[0]` without one) and the explanation puts
    the role before it, so the name given here is the one both the question and its explanation
    use. A policy without a name is known by its first Sid, else by its number among the policies
    of its role; an organization level says which (`FullAWSAccess (organization root)`).
    """
    shown: list[tuple[str, Policy]] = []

    def names(noun: str, policies: Sequence[Policy], where: str = "") -> tuple[Policy, ...]:
        own = [p.name or next((s.sid for s in p.statement if s.sid), None) for p in policies]
        named = []
        for i, (policy, name) in enumerate(zip(policies, own)):
            if name is None or own.count(name) > 1:  # a Sid that two policies share tells neither apart
                name = str(i + 1) if len(policies) > 1 or not where else None
            label = " ".join(filter(None, (name, where)))
            named.append(policy.model_copy(update={"name": label}))
            shown.append((f"{noun} {label}", named[-1]))
        return tuple(named)

    def levels(noun: str, entries: Sequence[Policy | tuple[Policy, ...]]) -> tuple[Policy | tuple[Policy, ...], ...]:
        made: list[Policy | tuple[Policy, ...]] = []
        for n, entry in enumerate(entries):
            where = "(organization root)" if n == 0 else f"(level {n})"
            made.append(names(noun, entry, where) if isinstance(entry, tuple) else names(noun, [entry], where)[0])
        return tuple(made)

    def one(noun: str, policy: Policy | None) -> Policy | None:
        return names(noun, [policy])[0] if policy is not None else None

    named = replace(scenario, identity=names("identity-based policy", scenario.identity),
                    resource_policy=one("resource-based policy", scenario.resource_policy),
                    permission_boundary=one("permissions boundary", scenario.permission_boundary),
                    session=names("session policy", scenario.session),
                    scps=levels("service control policy", scenario.scps),
                    rcps=levels("resource control policy", scenario.rcps))
    return named, shown


class Answers:
    """Where the answers come from: the lines of `--answers FILE` (`name`, the file) or of piped
    standard input (`name` None), or a person at the terminal (`lines` None)."""

    def __init__(self, console: Console, lines: Sequence[str] | None = None, name: str | None = None):
        self.console = console
        self.lines = None if lines is None else tuple(lines)
        self.name = name
        self._next = 0

    @property
    def from_file(self) -> bool:
        """Answers of `--answers FILE` (not of a pipe)."""
        return self.lines is not None and self.name is not None

    @property
    def waits(self) -> bool:
        """Whether an explanation stays until Enter: only for a person at a terminal, whose
        standard input and output are both one; answers from a file or a pipe never wait."""
        return self.lines is None and self.console.is_terminal and sys.stdin.isatty()

    def read(self, prompt: str) -> str | None:
        """The next answer, or None when there is no more (the last line read, Ctrl-D, Ctrl-C)."""
        if self.lines is None:
            try:
                return self.console.input(prompt)
            except (EOFError, KeyboardInterrupt):
                self.console.print()
                return None
        self.console.print(prompt, end="")
        line = self.lines[self._next] if self._next < len(self.lines) else None
        self._next += line is not None
        self.console.print(line if line is not None else "", markup=False)  # the user's text, as given
        return line


def answers_from(path: str | None, console: Console) -> Answers:
    """The answers of `--answers FILE` (`path`), of standard input when it is not a terminal, or
    else of the person at the terminal. Either is read as a policy is (`read_text`): up to
    IAMEVAL_MAX_INPUT_BYTES, a file only if it is a regular file, UTF-8; anything else is invalid
    input (exit 2)."""
    if path is None and sys.stdin is not None and sys.stdin.isatty():
        return Answers(console)
    try:
        text = read_text(path or "-")
    except PolicyError as exc:
        fail(exc, False)
    return Answers(console, text.splitlines(), path)


def play(console: Console, questions: Sequence[AnyQuestion],
         answers: Answers | Callable[[str], str | None]) -> dict[str, list[int]]:
    """Ask each question, check the answer, explain; returns {topic: [right, asked]}.

    A scenario question is answered Allow, ImplicitDeny or ExplicitDeny; a change question by
    the letters of the requests the new version newly allows, or `none`.

    `answers` gives the next answer, or None when there is no more input: the quiz then ends
    with the score so far. When the lines of `--answers FILE` run out before the questions, the
    score is followed by a message on standard error naming the file, and exit 2 (invalid
    input). At a terminal each explanation stays until Enter.
    """
    source = answers if isinstance(answers, Answers) else None
    read = answers.read if isinstance(answers, Answers) else answers
    score: dict[str, list[int]] = {}
    for number, question in enumerate(questions, 1):
        asked: _Asked = _asked_change(console, question) if isinstance(question, ChangeQuestion) else \
            _asked_scenario(console, question)
        _rule(console, number, len(questions), question)
        asked.show()
        answer = None
        while answer is None:
            text = read(f"\nYour answer: {asked.choices} (q to stop)? ")
            if text is None or text.strip().lower() in ("q", "quit", "exit"):
                _show_score(console, score)
                if text is None and source is not None and source.from_file:
                    _ran_out(source, number, len(questions))
                return score
            answer = asked.parse(text)
            if answer is None:
                console.print(f"[yellow]`{escape(text.strip())}` is not an answer[/]: {asked.hint}.")
        right = answer == asked.answer
        tally = score.setdefault(question.topic, [0, 0])
        tally[0] += right
        tally[1] += 1
        if right:
            console.print(f"[bold green]Right[/]: {asked.said(asked.answer)}.")
        else:
            console.print(f"[bold red]Not quite[/]: you said {asked.said(answer)}, AWS says "
                          f"[bold]{asked.said(asked.answer)}[/].")
        console.print(escape(question.note) if question.origin == "bank" else
                      f"[dim]({escape(question.origin)}; the note is the original question's)[/]\n"
                      + escape(question.note))
        console.print()
        asked.explain()
        if source is not None and source.waits and number < len(questions):
            try:
                console.input("\n[dim]Press Enter for the next question (Ctrl-D to stop).[/] ")
            except (EOFError, KeyboardInterrupt):
                console.print()
                break
    _show_score(console, score)
    return score


def _ran_out(answers: Answers, number: int, total: int) -> NoReturn:
    """The answers file is shorter than the quiz: said so, as invalid input, never a quiet end."""
    count = len(answers.lines or ())
    fail(PolicyError([Problem(
        f"the answers ran out at question {number} of {total}: the file has {count} "
        f"{'answer' if count == 1 else 'answers'}, one a line", Location(answers.name),
        "give an answer (A, I or E) for every question, or ask fewer with --count",
        code="invalid-usage")]), False)


def _show_score(console: Console, score: dict[str, list[int]]) -> None:
    if not score:
        console.print("No questions answered.")
        return
    table = Table(title="Score", box=None)
    table.add_column("topic")
    table.add_column("right", justify="right")
    for topic, (right, asked) in sorted(score.items()):
        table.add_row(topic, f"{right}/{asked}")
    total_right = sum(r for r, _ in score.values())
    total = sum(a for _, a in score.values())
    table.add_row("[bold]all[/]", f"[bold]{total_right}/{total}[/]")
    console.print(table)
