"""Loading a parsed document as a policy of one type, or refusing it with every problem located.

A document that AWS would refuse (IAM-SEMANTICS §12.1) is never evaluated: `load_policy` raises
`PolicyError` with each problem found, its code, and where it is in the file. The refusals are
raised by the model (`_elements.py`, `_model.py`) and by the document rules of `_refusals.py`.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Iterable

from pydantic import ValidationError

from ._errors import Location, PolicyError, Problem
from ._errors import Path as JsonPath
from ._model import Policy, PolicyKind
from ._refusals import Locate, character_problems, document_problems, may_hold_bad_characters, trust_problems
from ._source import Source

__all__ = ["load_policy", "unknown_policy_type"]


def load_policy(data: Any, kind: PolicyKind | str = PolicyKind.IDENTITY, *, source: Source | None = None,
                path: JsonPath = (), name: str | None = None, trust: bool = False, key_policy: bool = False) -> Policy:
    """Validate a parsed document as a policy of `kind`; raise `PolicyError` with every problem.

    `source` and `path` say where the document stands, so that problems carry the file, the
    line and column and the full element path (`policies.identity[0].Statement[2].Effect`).
    `trust` marks a role trust policy: a resource-based policy (§2.5) with the refusals of §6.3.
    `key_policy` marks a KMS key policy, which accepts a statement without `Action` that then has
    no effect (§2.7).
    """
    try:
        kind = PolicyKind(kind)
    except ValueError:
        raise unknown_policy_type(kind, PolicyKind, source, path) from None
    locate = partial(_locate, source, path)
    problems: list[Problem] = []
    try:
        policy = Policy.model_validate(data, context={"kind": kind, "key_policy": key_policy})
    except ValidationError as exc:
        policy = None
        problems.extend(_problems(exc, locate))
    if policy is not None:
        problems.extend(document_problems(policy, kind, locate))
    if trust:
        problems.extend(trust_problems(data, locate))
    # Read from the document, not its text: an escape is the character it stands for, and a
    # document built in Python has no text.
    if kind.is_iam and may_hold_bad_characters(data):
        problems.extend(character_problems(data, locate))
    if problems:
        raise PolicyError(problems)
    assert policy is not None  # a ValidationError has errors: they are in `problems`
    if name is not None:
        policy = policy.model_copy(update={"name": name})
    return policy.located(source, path) if source is not None else policy


def unknown_policy_type(kind: object, choices: Iterable[str], source: Source | None = None,
                        path: JsonPath = ()) -> PolicyError:
    """The error for a policy type that names none of `choices`, located at the document."""
    return PolicyError([_locate(source, path, (), "unknown-policy-type", f"unknown policy type `{kind}`",
                                f"use one of {', '.join(choices)}")])


def _locate(source: Source | None, base: JsonPath, path: JsonPath, code: str, message: str,
            hint: str | None = None) -> Problem:
    if source is None:
        return Problem(message, Location(None, None, None, base + path), hint, code=code)
    return source.problem(base + path, message, hint, code=code)


def _problems(exc: ValidationError, locate: Locate) -> list[Problem]:
    """The model's refusals, each with the code it was raised with (`_elements.fail`)."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == "iam":
            problems.append(locate(loc + tuple(ctx.get("at", ())), ctx["code"], ctx["text"], ctx.get("hint")))
        elif error["type"] == "missing":
            problems.append(locate(loc[:-1], "missing-element", f"missing required element `{loc[-1]}`"))
        else:
            # A shape the field validators did not anticipate: report it in plain words.
            problems.append(locate(loc, "invalid-element-type", f"invalid value: {error['msg'].lower()}"))
    return problems
