"""Where the lark grammars are: the project's top-level `grammar/` folder, wherever iameval runs.

A wheel ships `grammar/` inside the package (`iameval/grammar/`, see pyproject.toml); a checkout
or an editable install has it beside the package. Both are looked for, in that order, so
`import iameval` works installed, editable, and with the repository root on `sys.path`.

Building an LALR parser takes longer than a short command's whole work (issue 14, start-up), so
lark keeps each one it built in the user's cache folder (`cache_folder`) and reloads it, after
checking that the grammar, the options and the versions of lark and Python are the same. Never in
a shared temporary folder: lark reloads the file with pickle, so it must be one no other user can
write. Without a cache folder the parser is built every time, as before.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["cache_folder", "grammar"]

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def grammar(name: str, **options: object) -> Lark:
    """The parser of `grammar/NAME.lark`, built once (and lark imported) when first asked for."""
    from lark import Lark

    for folder in (_PACKAGE / "grammar", _PACKAGE.parent / "grammar"):
        path = folder / f"{name}.lark"
        if path.is_file():
            cached = cache_folder()
            kept = str(cached / f"lark-{name}-py{sys.version_info[0]}{sys.version_info[1]}.pickle") if cached else False
            return Lark(path.read_text(encoding="utf-8"), cache=kept, **options)
    raise FileNotFoundError(f"grammar `{name}.lark` is neither in {_PACKAGE / 'grammar'} "
                            f"nor in {_PACKAGE.parent / 'grammar'}")


def cache_folder() -> Path | None:
    """`$XDG_CACHE_HOME/iameval` (else `~/.cache/iameval`), made readable and writable by its
    owner alone; None when it cannot be made or another user owns it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "iameval"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
        return None
    return folder
