"""Regular languages for the symbolic reading (`_symbolic`): globs, case folding, ARN shapes.

A glob's `*` and `?` (IAM-SEMANTICS §7.2), with the literal pieces of resolved variables and
escapes (§9); the strings that case-fold to a text (StringEqualsIgnoreCase, §8.4); a requested
ARN of six segments (§7.3). String solvers decide membership in such languages far faster than equations
between strings, so the reading says as much as it can this way.

The languages are written once (`Languages`) for either solver's API: cvc5's for the search
(`SEARCH`, whose names the module also gives), z3's for splitting callers by the languages of
their ARNs (`z3_languages`, `_callers`), where z3 decides emptiness under complement at once and
cvc5 times out (measured on trust policies).
"""

from __future__ import annotations

from functools import cache

from typing import Any

# cvc5, through its z3py-compatible API (`cvc5.pythonic`, z3py's names): its string solver
# answers the questions of the managed policies' history where z3 4.13-5.4 time out (measured).
from cvc5 import pythonic as z3

from ..policy._match import Pieces

__all__ = ["ALL", "ARN6", "DIGITS12", "Languages", "NO_COLON", "PRINTABLE", "PRINTABLE_NO_COLON", "SEARCH",
           "casefold_regex", "glob_regex", "literal", "z3_languages"]


class Languages:
    """The regular languages of the reading, in one solver's API (`solver`, a module with z3py's
    names), whose any-character and empty languages are spelled as given."""

    def __init__(self, solver: Any, all_char: Any, empty: Any):
        self.solver = s = solver
        self.empty = empty
        self.ALL = all_char
        self.NO_COLON = s.Star(s.Diff(all_char, s.Re(s.StringVal(":"))))
        # A requested ARN of six segments, as `Authorizer.prepare` and `_read_arn` split it (§7.3).
        self.ARN6 = s.Concat(s.Re(s.StringVal("arn:")), s.Loop(s.Concat(self.NO_COLON, s.Re(s.StringVal(":"))), 4, 4),
                             s.Star(all_char))
        self.DIGITS12 = s.Loop(s.Range("0", "9"), 12, 12)
        self.PRINTABLE = s.Star(s.Range(" ", "~"))
        self.PRINTABLE_NO_COLON = s.Star(s.Union(s.Range(" ", "9"), s.Range(";", "~")))

    def literal(self, text: str) -> Any:
        return self.solver.Re(self.solver.StringVal(text))

    def glob_regex(self, pieces: Pieces) -> Any:
        """A glob as a regular language: `*` any run, `?` one character, in pieces with wildcards;
        other pieces (resolved variables, escapes) literal (§7.2, §9)."""
        parts: list[Any] = []
        for text, wildcards in pieces:
            if not wildcards:
                parts.append(self.literal(text))
                continue
            run = ""
            for char in text:
                if char in "*?":
                    if run:
                        parts.append(self.literal(run))
                        run = ""
                    parts.append(self.solver.Star(self.ALL) if char == "*" else self.ALL)
                else:
                    run += char
            if run:
                parts.append(self.literal(run))
        if not parts:
            return self.literal("")
        return parts[0] if len(parts) == 1 else self.solver.Concat(*parts)

    def casefold_regex(self, folded: str) -> Any:
        """The strings whose `casefold()` is `folded` (StringEqualsIgnoreCase, §8.4): at each place
        a character folding to the next one or more characters of `folded`."""
        s = self.solver
        folds = _folds()
        longest = max(len(k) for k in folds)
        after: list[Any] = [None] * len(folded) + [self.literal("")]
        for i in range(len(folded) - 1, -1, -1):
            options = []
            for k in range(1, min(longest, len(folded) - i) + 1):
                rest = after[i + k]
                chars = folds.get(folded[i:i + k])
                if rest is None or not chars:
                    continue
                head = s.Union(*[self.literal(c) for c in chars]) if len(chars) > 1 else self.literal(chars[0])
                options.append(s.Concat(head, rest))
            after[i] = (s.Union(*options) if len(options) > 1 else options[0]) if options else None
        first = after[0]
        return first if first is not None else self.empty


@cache
def _folds() -> dict[str, tuple[str, ...]]:
    """Every character an SMT-LIB string can hold (to U+2FFFF), by what it case-folds to."""
    found: dict[str, list[str]] = {}
    for code in range(0x30000):
        char = chr(code)
        found.setdefault(char.casefold(), []).append(char)
    return {k: tuple(v) for k, v in found.items()}


@cache
def z3_languages() -> Languages:
    """The languages in z3's API (imported on first use)."""
    import z3 as real_z3

    re_sort = real_z3.ReSort(real_z3.StringSort())
    return Languages(real_z3, real_z3.AllChar(re_sort), real_z3.Empty(re_sort))


SEARCH = Languages(z3, z3.AllChar(), z3.Empty(z3.ReSort()))
ALL, ARN6, DIGITS12, NO_COLON = SEARCH.ALL, SEARCH.ARN6, SEARCH.DIGITS12, SEARCH.NO_COLON
PRINTABLE, PRINTABLE_NO_COLON = SEARCH.PRINTABLE, SEARCH.PRINTABLE_NO_COLON
literal, glob_regex, casefold_regex = SEARCH.literal, SEARCH.glob_regex, SEARCH.casefold_regex
