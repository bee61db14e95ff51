"""Stage 4: questions about policies rather than requests: validation (§12), with stable codes;
`diff` and `can_never`, about every request (`_diff`), imported on first use: the solver they
need costs start-up time that the other commands do not pay."""

from typing import Any

from ._validate import *  # noqa: F403 - the module names its surface once, in __all__
from ._validate import __all__ as _validate_all

_SYMBOLIC = ("DiffFinding", "DiffReport", "Example", "Outcome", "SymbolicMismatch", "UnknownPart", "can_never",
             "diff", "DIFF_KINDS")
__all__ = [*_validate_all, *_SYMBOLIC]


def __getattr__(name: str) -> Any:
    if name in _SYMBOLIC:
        from . import _diff
        return getattr(_diff, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
