"""A warning of a result: text, with a stable code and a hint (IAM-SEMANTICS §13).

A `Notice` is the message itself (a `str`, so `Result.warnings` reads as text), and carries
`code` and `hint` for JSON and for scripts. What iameval could not use as given (a context value
that does not read as its operator's type) and what the request may not mean (an action the
catalogue does not know) are both notices of the result.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Notice"]


class Notice(str):
    """A warning's message, with its `code` and `hint`."""

    __slots__ = ("code", "hint")
    code: str
    hint: str | None

    def __new__(cls, message: str, code: str, hint: str | None = None) -> "Notice":
        notice = super().__new__(cls, message)
        notice.code = code
        notice.hint = hint
        return notice

    def __reduce__(self) -> tuple[Any, ...]:
        return Notice, (str(self), self.code, self.hint)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": str(self)}
        if self.hint:
            out["hint"] = self.hint
        return out
