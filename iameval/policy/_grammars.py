"""Where the lark grammars are: the project's top-level `grammar/` folder, wherever iameval runs.

A wheel ships `grammar/` inside the package (`iameval/grammar/`, see pyproject.toml); a checkout
or an editable install has it beside the package. Both are looked for, in that order, so
`import iameval` works installed, editable, and with the repository root on `sys.path`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["grammar"]

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def grammar(name: str, **options: object) -> Lark:
    """The parser of `grammar/NAME.lark`, built once (and lark imported) when first asked for."""
    from lark import Lark

    for folder in (_PACKAGE / "grammar", _PACKAGE.parent / "grammar"):
        path = folder / f"{name}.lark"
        if path.is_file():
            return Lark(path.read_text(encoding="utf-8"), **options)
    raise FileNotFoundError(f"grammar `{name}.lark` is neither in {_PACKAGE / 'grammar'} "
                            f"nor in {_PACKAGE.parent / 'grammar'}")
