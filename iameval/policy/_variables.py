"""Policy variables: `${aws:username}` and friends inside policy strings (IAM-SEMANTICS §9).

A string is parsed once, when its policy is compiled, into a `Template`: text that keeps its
wildcard meaning, literal text from the escapes `${*}`, `${?}`, `${$}`, and variables with an
optional default. Resolving a template against a request yields pieces for `Glob.from_parts`:
a resolved value is always matched literally, never as a wildcard. Only `Version: 2012-10-17`
enables variables; under 2008-10-17 or no Version the text is literal (§6.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from enum import Enum
from typing import TYPE_CHECKING, Callable, Literal

from ._grammars import grammar

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["Lookup", "Template", "TemplateError", "UNUSABLE", "Unusable", "Variable", "parse_template"]


class Unusable(Enum):
    """What a lookup gives for a key that is present but cannot stand in a variable (a
    multi-valued key, §9): then even a default does not apply."""

    UNUSABLE = "unusable"


UNUSABLE = Unusable.UNUSABLE
# A lookup returns the key's value, None when the key is absent (the default applies), or UNUSABLE.
Lookup = Callable[[str], "str | None | Literal[Unusable.UNUSABLE]"]


class TemplateError(ValueError):
    """A malformed variable: an unclosed `${`, a missing quote, a space in the key, `${}`."""


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # as written
    default: str | None = None
    lowered: str = field(init=False, repr=False, compare=False)  # how it is looked up (§8.2)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lowered", self.key.lower())

    def __str__(self) -> str:
        return f"${{{self.key}, '{self.default}'}}" if self.default is not None else f"${{{self.key}}}"


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string with variables: parts are `str` (text, wildcards live), `Variable`, or
    a one-item tuple `(text,)` for an escaped literal."""

    text: str
    parts: tuple[str | Variable | tuple[str], ...]

    def resolve(self, lookup: Lookup) -> list[tuple[str, bool]] | None:
        """`(text, wildcards)` pieces with every variable replaced, or None when one cannot be
        resolved: the key is absent and has no default (§9)."""
        pieces: list[tuple[str, bool]] = []
        for part in self.parts:
            if isinstance(part, str):
                pieces.append((part, True))
            elif isinstance(part, Variable):
                value = lookup(part.lowered)
                if value is UNUSABLE:
                    return None
                if value is None:
                    if part.default is None:
                        return None
                    value = part.default
                pieces.append((value, False))
            else:
                pieces.append((part[0], False))
        return pieces

    def resolve_text(self, lookup: Lookup) -> str | None:
        pieces = self.resolve(lookup)
        return None if pieces is None else "".join(text for text, _ in pieces)


@cache
def _parser() -> Lark:
    return grammar("variables", parser="lalr", maybe_placeholders=False)


@lru_cache(maxsize=4096)
def parse_template(text: str) -> Template:
    """Parse a string that contains `${`; raise `TemplateError` when a variable is malformed.
    A template is a value, made once per text: loading checks it and compiling reads it."""
    from lark import Token, Tree
    from lark.exceptions import UnexpectedInput

    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        column = getattr(exc, "column", None)
        where = f" at character {column}" if column and column > 0 else ""
        raise TemplateError(f"malformed policy variable in `{text}`{where}: write `${{key}}` or "
                            "`${key, 'default'}`, or `${*}`, `${?}`, `${$}` for a literal "
                            "character") from None
    parts: list[str | Variable | tuple[str]] = []
    for child in tree.children:
        if isinstance(child, Token):  # TEXT
            parts.append(str(child))
        elif child.data == "escape":
            parts.append((str(child.children[0]),))
        else:
            key = str(child.children[0])
            default = None
            if len(child.children) > 1:
                default_tree = child.children[1]
                assert isinstance(default_tree, Tree)  # the grammar's `default` rule
                default = "".join(str(t) for t in default_tree.children)
            parts.append(Variable(key, default))
    return Template(text, tuple(parts))
