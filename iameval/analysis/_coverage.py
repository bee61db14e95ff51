"""Whether one statement covers another, for redundant and shadowed statements (IAM-SEMANTICS §7.1).

Judged soundly, never guessed: a glob covers another when every text the narrow one matches is
matched by the wide one (`_covers`), literal entries are matched with the engine's own matchers,
and a statement covers another when it applies to every request the other applies to (`Scope`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..policy._match import Glob, ResourcePattern, action_glob, arn_segments, facing_segments, pattern_segments
from ..policy._model import PrincipalMap, Statement

__all__ = ["Scope", "VARIABLE"]

VARIABLE = re.compile(r"\$\{[^}]*\}")


def _tokens(pattern: str, variables: bool) -> tuple[str, ...]:
    """Characters, `*` and `?`; with `variables`, each `${...}` is one opaque token."""
    if not variables or "${" not in pattern:
        return tuple(pattern)
    out: list[str] = []
    pos = 0
    for match in VARIABLE.finditer(pattern):
        out.extend(pattern[pos:match.start()])
        out.append(match.group())
        pos = match.end()
    out.extend(pattern[pos:])
    return tuple(out)


@lru_cache(maxsize=1 << 16)
def _covers(wide: tuple[str, ...], narrow: tuple[str, ...]) -> bool:
    """Whether every text that glob `narrow` matches is matched by glob `wide`.

    Sound, not complete: `wide`'s `*` takes any run of `narrow`'s tokens, its `?` one literal
    character or `?`, and anything else only the same token (a `${...}` variable is opaque).
    """
    if "*" not in wide and "?" not in wide:
        return wide == narrow
    # Glob matching of `wide` over `narrow`'s tokens, chunk by chunk (the runs of `wide` between
    # its `*`): the first chunk at the start, the last at the end, each one between at its
    # leftmost place. `narrow`'s own `*` is a token that only a `*` of `wide` takes. Linear in
    # `narrow` for each chunk position tried, with no table of the two lengths.
    chunks = _chunks(wide)
    if len(chunks) == 1:
        return len(narrow) == len(chunks[0]) and _fits(chunks[0], narrow, 0)
    first, *middle, last = chunks
    if len(first) + len(last) > len(narrow) or not _fits(first, narrow, 0) \
            or not _fits(last, narrow, len(narrow) - len(last)):
        return False
    start, end = len(first), len(narrow) - len(last)
    for chunk in middle:
        found = next((j for j in range(start, end - len(chunk) + 1) if _fits(chunk, narrow, j)), None)
        if found is None:
            return False
        start = found + len(chunk)
    return True


def _chunks(wide: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The runs of tokens of `wide` between its `*` (empty ones included)."""
    chunks: list[list[str]] = [[]]
    for token in wide:
        if token == "*":
            chunks.append([])
        else:
            chunks[-1].append(token)
    return [tuple(chunk) for chunk in chunks]


def _fits(chunk: tuple[str, ...], narrow: tuple[str, ...], at: int) -> bool:
    """Whether `chunk` (no `*`) covers `narrow[at:at + len(chunk)]`: `?` one literal character,
    anything else the same token."""
    for offset, token in enumerate(chunk):
        other = narrow[at + offset]
        if token == "?":
            if other == "*" or len(other) != 1:
                return False
        elif token != other:
            return False
    return True


def _literal(pattern: str) -> bool:
    return "*" not in pattern and "?" not in pattern and "${" not in pattern


class _Patterns:
    """`Action` or `Resource` entries, ready to ask whether they cover another entry: literal
    entries are matched with the engine's own matchers, patterns by `_covers`."""

    __slots__ = ("texts", "_exact", "_globs", "_wild", "_resources", "_variables")

    def __init__(self, texts: tuple[str, ...], resources: bool, variables: bool):
        self.texts = texts if resources else tuple(t.lower() for t in texts)
        self._resources = resources
        self._variables = variables and resources
        self._exact = frozenset(t for t in self.texts if _literal(t))
        self._wild = tuple(t for t in self.texts if not _literal(t))
        self._globs = tuple(ResourcePattern(t) if resources else action_glob(t) for t in self._wild)

    def covers(self, entry: str) -> bool:
        """Whether these entries match everything `entry` matches (§7.2, §7.3)."""
        entry = entry if self._resources else entry.lower()
        if entry in self._exact or "*" in self.texts:
            return True
        if _literal(entry):
            if self._resources:
                segments = arn_segments(entry)
                return any(g.matches(entry, segments) for g in self._globs if isinstance(g, ResourcePattern))
            return any(g.matches(entry) for g in self._globs if isinstance(g, Glob))
        return any(self._covers_pattern(wide, entry) for wide in self._wild)

    def covers_all(self, other: "_Patterns") -> bool:
        return bool(other.texts) and all(self.covers(t) for t in other.texts)

    def _covers_pattern(self, wide: str, narrow: str) -> bool:
        if not self._resources:
            return _covers(tuple(wide), tuple(narrow))
        # Segment by segment as the engine matches (§7.3): each segment of `wide` must cover
        # the part of `narrow` it faces. A shorter `wide` ending in `*` faces the rest of
        # `narrow` with its last segment, colons included; a `narrow` that reaches past colons
        # is covered only by a `wide` whose last segment reaches at least as far back.
        a = pattern_segments(wide, variables=self._variables)
        b = pattern_segments(narrow, variables=self._variables)
        if a is None or b is None or len(a) > len(b):
            return False
        return all(_covers(_tokens(x, self._variables), _tokens(y, self._variables))
                   for x, y in zip(a, facing_segments(b, len(a))))


def _principal_covers(wide: PrincipalMap | None, narrow: PrincipalMap | None) -> bool:
    if wide is None or narrow is None:
        return wide == narrow
    if wide.wildcard or "*" in wide.aws:
        return True
    return not narrow.wildcard and all(set(getattr(narrow, kind)) <= set(getattr(wide, kind))
                                       for kind in ("aws", "service", "federated", "canonical_user"))


class Scope:
    """What one statement applies to, for comparing statements with each other (§7.1)."""

    __slots__ = ("effect", "statement", "conditions", "actions", "resources")

    def __init__(self, statement: Statement, variables: bool):
        self.statement = statement
        self.effect = statement.effect
        self.conditions = frozenset(statement.condition or ())
        self.actions = _Patterns(statement.action, False, variables) if statement.action is not None else None
        self.resources = (_Patterns(statement.resource, True, variables)
                          if statement.resource is not None else None)

    def covers(self, other: "Scope") -> bool:
        """Whether this statement applies to every request `other` applies to, judged soundly:
        the same principal or everyone, conditions that are a subset of the other's (they are
        AND'ed, §8.1), and actions and resources that contain the other's. `NotAction` and
        `NotResource` must be the same lists."""
        wide, narrow = self.statement, other.statement
        if not self.conditions <= other.conditions:
            return False
        if wide.not_principal != narrow.not_principal or not _principal_covers(wide.principal, narrow.principal):
            return False
        if self.actions is None or other.actions is None:
            if wide.not_action is None or narrow.not_action is None or set(wide.not_action) != set(narrow.not_action):
                return False
        elif not self.actions.covers_all(other.actions):
            return False
        if self.resources is None or other.resources is None:
            if wide.resource == ("*",):
                return True
            if wide.not_resource is not None or narrow.not_resource is not None:
                return (wide.not_resource is not None and narrow.not_resource is not None
                        and set(wide.not_resource) == set(narrow.not_resource))
            return wide.resource is None and narrow.resource is None
        return self.resources.covers_all(other.resources)
