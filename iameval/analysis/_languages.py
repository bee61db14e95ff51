"""Regular languages for the symbolic reading (`_symbolic`): globs, case folding, ARN shapes.

A glob's `*` and `?` (IAM-SEMANTICS §7.2), with the literal pieces of resolved variables and
escapes (§9); the strings that case-fold to a text (StringEqualsIgnoreCase, §8.4); a requested
ARN of six segments (§7.3). String solvers decide membership in such languages far faster than equations
between strings, so the reading says as much as it can this way.
"""

from __future__ import annotations

from functools import cache

# cvc5, through its z3py-compatible API (`cvc5.pythonic`, z3py's names): its string solver
# answers the questions of the managed policies' history where z3 4.13-5.4 time out (measured).
from cvc5 import pythonic as z3

from ..policy._match import Pieces

__all__ = ["ALL", "ARN6", "DIGITS12", "NO_COLON", "PRINTABLE", "PRINTABLE_NO_COLON", "casefold_regex", "glob_regex",
           "literal"]

ALL = z3.AllChar()
NO_COLON = z3.Star(z3.Diff(ALL, z3.Re(z3.StringVal(":"))))
# A requested ARN of six segments, as `Authorizer.prepare` and `_read_arn` split it (§7.3).
ARN6 = z3.Concat(z3.Re(z3.StringVal("arn:")), z3.Loop(z3.Concat(NO_COLON, z3.Re(z3.StringVal(":"))), 4, 4),
                  z3.Star(ALL))
DIGITS12 = z3.Loop(z3.Range("0", "9"), 12, 12)
PRINTABLE = z3.Star(z3.Range(" ", "~"))
PRINTABLE_NO_COLON = z3.Star(z3.Union(z3.Range(" ", "9"), z3.Range(";", "~")))


def literal(text: str) -> z3.ReRef:
    return z3.Re(z3.StringVal(text))


def glob_regex(pieces: Pieces) -> z3.ReRef:
    """A glob as a regular language: `*` any run, `?` one character, in pieces with wildcards;
    other pieces (resolved variables, escapes) literal (§7.2, §9)."""
    parts: list[z3.ReRef] = []
    for text, wildcards in pieces:
        if not wildcards:
            parts.append(literal(text))
            continue
        run = ""
        for char in text:
            if char in "*?":
                if run:
                    parts.append(literal(run))
                    run = ""
                parts.append(z3.Star(ALL) if char == "*" else ALL)
            else:
                run += char
        if run:
            parts.append(literal(run))
    if not parts:
        return literal("")
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


@cache
def _folds() -> dict[str, tuple[str, ...]]:
    """Every character an SMT-LIB string can hold (to U+2FFFF), by what it case-folds to."""
    found: dict[str, list[str]] = {}
    for code in range(0x30000):
        char = chr(code)
        found.setdefault(char.casefold(), []).append(char)
    return {k: tuple(v) for k, v in found.items()}


def casefold_regex(folded: str) -> z3.ReRef:
    """The strings whose `casefold()` is `folded` (StringEqualsIgnoreCase, §8.4): at each place
    a character folding to the next one or more characters of `folded`."""
    folds = _folds()
    longest = max(len(k) for k in folds)
    after: list[z3.ReRef | None] = [None] * len(folded) + [literal("")]
    for i in range(len(folded) - 1, -1, -1):
        options = []
        for k in range(1, min(longest, len(folded) - i) + 1):
            rest = after[i + k]
            chars = folds.get(folded[i:i + k])
            if rest is None or not chars:
                continue
            head = z3.Union(*[literal(c) for c in chars]) if len(chars) > 1 else literal(chars[0])
            options.append(z3.Concat(head, rest))
        after[i] = (z3.Union(*options) if len(options) > 1 else options[0]) if options else None
    first = after[0]
    return first if first is not None else z3.Empty(z3.ReSort())
