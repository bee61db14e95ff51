"""The one family of public errors, each carrying where the fault is.

Every problem names the file, the line and column, and the element by its JSON path
(`Statement[2].Effect`), so a user can go straight to it (STYLE.md, "Errors are part of
the interface"). Several problems are collected and raised together where possible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from ._source import Source

__all__ = [
    "Location",
    "PolicyError",
    "Problem",
    "RequestError",
    "ScenarioError",
    "format_path",
]

PathPart = str | int
Path = tuple[PathPart, ...]


def format_path(path: Sequence[PathPart]) -> str:
    """`("Statement", 2, "Effect")` -> `Statement[2].Effect`; the document itself is `(document)`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(document)"


@dataclass(frozen=True, slots=True)
class Location:
    """Where an element stands: the file, its 1-based line and column, and its JSON path."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: Path = ()

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault in the input: a one-sentence message, where it is, an optional hint, and a
    stable kebab-case `code` given where the fault is found (docs/validate.md lists them), so
    that tools can tell faults apart without reading messages."""

    message: str
    location: Location
    hint: str | None = None
    severity: str = "error"
    code: str = field(kw_only=True)

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.severity}: "
        if self.location.path:
            text += f"{format_path(self.location.path)}: "
        text += self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def as_dict(self) -> dict[str, str | int | None]:
        loc = self.location
        return {
            "code": self.code,
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "element": format_path(loc.path),
            "severity": self.severity,
            "message": self.message,
            **({"hint": self.hint} if self.hint else {}),
        }


class PolicyError(ValueError):
    """Input that iameval refuses: invalid JSON or YAML, or a policy AWS would reject (IAM-SEMANTICS §12.1)."""

    def __init__(self, problems: Iterable[Problem], sources: Iterable[Source] = ()):
        self.problems: tuple[Problem, ...] = tuple(problems)
        # The documents read in spite of the problems (the good lines of a JSON Lines text),
        # for callers that go on with them.
        self.sources: tuple[Source, ...] = tuple(sources)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioError(PolicyError):
    """A scenario file or one scenario in it is not of the form SCENARIO.md describes."""


class RequestError(PolicyError):
    """A request that cannot be evaluated as given (an unknown principal form, a bad action)."""
