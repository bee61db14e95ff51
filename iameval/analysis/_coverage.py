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
    n, m = len(wide), len(narrow)
    # ok[i][j]: wide[i:] covers narrow[j:]
    ok = [[False] * (m + 1) for _ in range(n + 1)]
    ok[n][m] = True
    for i in range(n - 1, -1, -1):
        token = wide[i]
        row, below = ok[i], ok[i + 1]
        if token == "*":
            row[m] = below[m]
            for j in range(m - 1, -1, -1):
                row[j] = below[j] or row[j + 1]
            continue
        for j in range(m - 1, -1, -1):
            other = narrow[j]
            if token == "?":
                row[j] = other != "*" and len(other) == 1 and below[j + 1]
            else:
                row[j] = token == other and below[j + 1]
    return ok[0][0]


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
