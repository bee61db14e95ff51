"""Practice questions about a change of policy: "which of these requests does the new version
allow that the old did not?" (issue 15), answered by the engine and by `diff`.

A change question shows two versions of a caller's identity-based policies (consecutive versions
of an AWS managed policy, or a team's policy before and after an edit) and a few requests,
lettered `a`, `b`, `c`... The right answer is the set of requests that the new version allows
and the old does not, each decided by `Authorizer.authorize` under both versions (IAM-SEMANTICS
§2.1); it is never written in the bank. `diff` (`iameval.analysis`) says what the change newly
allows over every request: its findings, with the statements of the new version responsible and
an example request, are the explanation, with the engine's trace of each example. A request the
engine finds newly allowed whose action `diff` does not find newly allowed, even when asked for
it by name, is a disagreement of the two, raised as `SymbolicMismatch`: a question never goes
out with two answers.

The questions live in `iameval/questions/changes/`, apart from the scenario questions that
`iameval run` reads; their format is in `iameval/questions/README.md`.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax

from ..engine import Authorizer, Decision, Request, explain
from ..policy._errors import PolicyError, Problem
from ..policy._model import Policy, PolicyKind
from ..policy._source import Source
from ..inputs._scenarios import QUESTION_FIELDS, _Loader, _request_problems
from ._present import print_diff_report, print_explanation

if TYPE_CHECKING:
    from ..analysis._diff import DiffReport

__all__ = ["CHANGE_FIELDS", "ChangeQuestion", "Judged", "answer_text", "change_question", "explain_change",
           "parse_letters", "show_change"]

# What a change question gives besides the practice fields (topic, difficulty, question, note).
CHANGE_FIELDS = ("principal", "old", "new", "requests")
_LETTERS = string.ascii_lowercase
_NONE = ("none", "nothing", "-")
_MAX_REQUESTS = 6


@dataclass(frozen=True)
class Judged:
    """A change question answered: each request's decision under the old and the new version,
    the letters of those newly allowed, and what `diff` found."""

    decisions: tuple[tuple[Decision, Decision], ...]
    newly_allowed: frozenset[str]
    report: DiffReport


@dataclass(frozen=True)
class ChangeQuestion:
    """Two versions of `principal`'s identity-based policies and the requests asked about, in
    the order they are lettered."""

    id: str
    topic: str
    difficulty: int
    text: str
    note: str
    principal: str
    old: tuple[Policy, ...]
    new: tuple[Policy, ...]
    requests: tuple[Request, ...]
    origin: str = "bank"

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(_LETTERS[: len(self.requests)])

    def judge(self) -> Judged:
        """The answer: the requests the new version allows and the old does not, by the engine,
        and `diff`'s findings, checked to agree with it."""
        from ..analysis._diff import SymbolicMismatch, diff

        old, new = Authorizer(identity=self.old), Authorizer(identity=self.new)
        decisions = tuple((old.authorize(r).decision, new.authorize(r).decision) for r in self.requests)
        newly = frozenset(letter for letter, (before, after) in zip(self.letters, decisions)
                          if after is Decision.ALLOW and before is not Decision.ALLOW)
        report = diff(self.old, self.new, principal=self.principal)
        for letter in sorted(newly):
            action = self.requests[self.letters.index(letter)].action
            # An action outside the catalogue is searched only when asked for by name.
            if not _finds(report, action) and not _finds(diff(self.old, self.new, principal=self.principal,
                                                              actions=[action]), action):
                raise SymbolicMismatch(f"question `{self.id}`: the engine newly allows request {letter} "
                                       f"(`{action}`), which `diff` does not find")
        return Judged(decisions, newly, report)


def _finds(report: DiffReport, action: str) -> bool:
    """Whether `report` finds `action` newly allowed, or cannot say (IAM action names are
    case-insensitive, §7.2)."""
    names = [a for f in report.findings for a in f.actions] + [a for u in report.unknown for a in u.actions]
    return action.lower() in {a.lower() for a in names}


def answer_text(letters: frozenset[str]) -> str:
    """An answer as a learner types it: `a c`, or `none`."""
    return " ".join(sorted(letters)) or _NONE[0]


def parse_letters(text: str, letters: Sequence[str]) -> frozenset[str] | None:
    """The letters of an answer (`a c`, `a,c`, `AC`), or the empty set for `none`; None when any
    character is neither one of `letters` nor a separator."""
    text = text.strip().lower()
    if text in _NONE:
        return frozenset()
    chosen = [c for c in text if c not in " ,;"]
    if not chosen or any(c not in letters for c in chosen):
        return None
    return frozenset(chosen)


# ------------------------------------------------------------------------------------ loading

def change_question(loader: _Loader, source: Source, index: int, item: dict[str, Any], topic: str | None,
                    difficulty: int | None) -> tuple[ChangeQuestion | None, list[Problem]]:
    """The change question of a bank file's item, or the problems of its fields besides the
    practice fields, which the caller checked (`topic` and `difficulty` None when they are
    wrong): `principal` (the caller of every request), `old` and `new` (a policy, or a list of
    them, as `policies.identity` of a scenario), `requests` (2 to 6, each a scenario's request
    without `principal`)."""
    problems = [source.problem((index, key), f"unknown field `{key}` of a change question",
                               "a change question has id, topic, difficulty, question, note, "
                               + ", ".join(CHANGE_FIELDS) + "; its answer is the engine's, never written",
                               code="unknown-field")
                for key in item if key not in ("id", *QUESTION_FIELDS, *CHANGE_FIELDS)]
    if not isinstance(item.get("id"), str):
        problems.append(source.problem((index, "id") if "id" in item else (index,),
                                       "`id` must be a string" if "id" in item else "missing `id`",
                                       code="invalid-question"))
    principal = item.get("principal")
    if not isinstance(principal, str):
        problems.append(source.problem((index,) if principal is None else (index, "principal"),
                                       "missing `principal`" if principal is None else "`principal` must be an ARN",
                                       "a change question names the caller of its requests", code="invalid-question"))
    versions: dict[str, tuple[Policy, ...]] = {}
    for side in ("old", "new"):
        if side not in item:
            problems.append(source.problem((index,), f"missing `{side}`", "a change question has an old and a new "
                                           "version of the caller's policies", code="invalid-question"))
            continue
        try:
            loaded = loader._policies("identity", PolicyKind.IDENTITY, item[side], source, (index, side))
        except PolicyError as exc:
            problems.extend(exc.problems)
            continue
        versions[side] = tuple(_named(policy, side, n, len(loaded)) for n, policy in enumerate(loaded))
    requests = item.get("requests")
    if not isinstance(requests, list) or not 2 <= len(requests) <= _MAX_REQUESTS:
        problems.append(source.problem((index, "requests") if "requests" in item else (index,),
                                       f"`requests` must be a list of 2 to {_MAX_REQUESTS} requests",
                                       code="invalid-question"))
        requests = []
    asked: list[Request] = []
    for n, request in enumerate(requests):
        where = (index, "requests", n)
        if isinstance(request, dict) and "principal" in request:
            problems.append(source.problem(where + ("principal",), "a request of a change question has no "
                                           "`principal`", "the question's `principal` makes every request",
                                           code="invalid-question"))
            continue
        try:
            asked.append(Request.model_validate({"principal": principal, **request} if isinstance(request, dict)
                                                else request))
        except ValidationError as exc:
            problems.extend(_request_problems(exc, source, where))
    if problems or not isinstance(principal, str) or topic is None or difficulty is None:
        return None, problems
    return ChangeQuestion(item["id"], topic, difficulty, " ".join(item["question"].split()),
                          " ".join(item["note"].split()), principal, versions["old"], versions["new"],
                          tuple(asked)), []


def _named(policy: Policy, side: str, number: int, count: int) -> Policy:
    """A version's policy as the question and `diff` name it: its own name, else `old version`
    (`old version 2` of several)."""
    if policy.name:
        return policy
    return policy.model_copy(update={"name": f"{side} version" + (f" {number + 1}" if count > 1 else "")})


# ------------------------------------------------------------------------------------ playing

def show_change(console: Console, question: ChangeQuestion) -> None:
    """The two versions, titled by their role and name, the caller and the lettered requests."""
    for side, policies in (("old", question.old), ("new", question.new)):
        for policy in policies:
            console.print(f"\n[bold]identity-based policy {escape(policy.name or '')}[/] ({side} version)")
            console.print(Syntax(json.dumps(policy.to_json(), indent=2), "json", line_numbers=True,
                                 word_wrap=True, theme="ansi_dark"))
    console.print(f"\n[bold]Caller[/]  {escape(question.principal)}", soft_wrap=True)
    console.print("[bold]Requests[/]")
    for letter, request in zip(question.letters, question.requests):
        console.print(f"  {letter}  {_request_text(request)}", soft_wrap=True)


def _request_text(request: Request) -> str:
    context = ", ".join(f"{escape(key)}={escape(value if isinstance(value, str) else json.dumps(value))}"
                        for key, value in request.context.items())
    return f"{escape(request.action)} on {escape(request.resource)}" + (f" with {context}" if context else "")


def explain_change(console: Console, question: ChangeQuestion, judged: Judged) -> None:
    """Each request's decisions before and after; what `diff` finds the new version newly
    allows, with the statements responsible; the engine's trace of each finding's example."""
    for letter, request, (before, after) in zip(question.letters, question.requests, judged.decisions):
        mark = "  [bold]newly allowed[/]" if letter in judged.newly_allowed else ""
        console.print(f"  {letter}  {_request_text(request)}: {before} before, {after} now{mark}", soft_wrap=True)
    console.print(f"\n[bold]iameval diff[/] of the two versions: [bold]{judged.report.result}[/]")
    print_diff_report(console, judged.report, "newly allowed")
    new = Authorizer(identity=question.new)
    for finding in judged.report.findings:
        example = finding.example
        console.print(f"\n[dim]The engine on the example of {escape(example.action)}, under the new version:[/]")
        print_explanation(console, explain(new, Request.model_validate(example.as_dict())))
