"""Wildcard matching of actions and resources, in time linear in the input (IAM-SEMANTICS §7).

A pattern is compiled once into a `Glob`: the text between its `*`s becomes a row of chunks.
The first chunk must match at the start, the last at the end, and each chunk in between is
found leftmost, which is all a glob with only `*` and `?` ever needs: no backtracking, so a
pattern with 30 `*` against a 10,000-character ARN costs a few scans of the ARN, never the
exponential blow-up of a regex engine.
"""

from __future__ import annotations

import re

from .arn import split_arn

__all__ = ["Glob", "ResourcePattern", "action_glob"]


class _Chunk:
    """Literal text, possibly with `?` (any one character)."""

    __slots__ = ("text", "size", "regex")

    def __init__(self, text: str):
        self.text = text
        self.size = len(text)
        self.regex = re.compile(".".join(re.escape(p) for p in text.split("?")), re.S) if "?" in text else None

    def match_at(self, s: str, pos: int) -> bool:
        if self.regex is None:
            return s.startswith(self.text, pos)
        return self.regex.match(s, pos) is not None

    def find(self, s: str, pos: int) -> int:
        if self.regex is None:
            return s.find(self.text, pos)
        found = self.regex.search(s, pos)
        return found.start() if found else -1


class Glob:
    """A case-sensitive glob: `*` any run of characters (even none), `?` exactly one character.

    Callers wanting case-insensitive matching (actions, §7.2) lower both sides first.
    """

    __slots__ = ("pattern", "_exact", "_any", "_first", "_middle", "_last", "_min")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._any = pattern != "" and set(pattern) == {"*"}
        parts = pattern.split("*")
        self._exact = pattern if len(parts) == 1 and "?" not in pattern else None
        chunks = [_Chunk(p) for p in parts]
        self._first = chunks[0]
        self._last = chunks[-1] if len(chunks) > 1 else None
        self._middle = tuple(c for c in chunks[1:-1] if c.size)
        self._min = sum(c.size for c in chunks)

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"

    def matches(self, s: str) -> bool:
        if self._exact is not None:
            return s == self._exact
        if self._any:
            return True
        if len(s) < self._min:
            return False
        first = self._first
        if self._last is None:  # no `*`: same length, `?` anywhere
            return len(s) == first.size and first.match_at(s, 0)
        if first.size and not first.match_at(s, 0):
            return False
        pos = first.size
        end = len(s) - self._last.size
        for chunk in self._middle:
            found = chunk.find(s, pos)
            if found < 0 or found + chunk.size > end:
                return False
            pos = found + chunk.size
        return self._last.size == 0 or self._last.match_at(s, end)


def action_glob(pattern: str) -> Glob:
    """Actions compare without regard to case (§7.2): patterns are lowered once, here."""
    return Glob(pattern.lower())


class ResourcePattern:
    """One `Resource` entry, matched against a requested resource by the rules of §7.3."""

    __slots__ = ("pattern", "_all", "_whole", "_segments", "_tail")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._all = pattern == "*"
        # A request resource that is not an ARN is matched against the whole pattern.
        self._whole = Glob(pattern)
        segments = split_arn(pattern)
        self._tail = len(segments) < 6 and pattern.endswith("*")
        self._segments = tuple(Glob(s) for s in segments) if len(segments) == 6 or self._tail else None

    def __repr__(self) -> str:
        return f"ResourcePattern({self.pattern!r})"

    def matches(self, resource: str, resource_segments: list[str] | None) -> bool:
        """`resource_segments` is `split_arn(resource)` when the resource is a 6-segment ARN."""
        if self._all:
            return True
        if resource_segments is None:
            return self._whole.matches(resource)
        segments = self._segments
        if segments is None:
            return False
        if self._tail:
            # A trailing `*` in a pattern of fewer than six segments reaches past colons (§7.3,
            # §14.2): earlier segments one to one, the last against the rest of the ARN.
            head = len(segments) - 1
            for glob, part in zip(segments[:head], resource_segments):
                if not glob.matches(part):
                    return False
            return segments[head].matches(":".join(resource_segments[head:]))
        for glob, part in zip(segments, resource_segments):
            if not glob.matches(part):
                return False
        return True


def arn_segments(resource: str) -> list[str] | None:
    """The six segments of a requested ARN, or None when it is not one (e.g. `*`)."""
    if not resource.startswith("arn:"):
        return None
    segments = split_arn(resource)
    return segments if len(segments) == 6 else None
