"""Wildcard matching of actions and resources, in time linear in the input (IAM-SEMANTICS §7).

A pattern is compiled once into a `Glob`: the text between its `*`s becomes a row of chunks.
The first chunk must match at the start, the last at the end, and each chunk in between is
found leftmost, which is all a glob with only `*` and `?` ever needs: no backtracking, so a
pattern with 30 `*` against a 10,000-character ARN costs a few scans of the ARN, never the
exponential blow-up of a regex engine.

A chunk holding `?` cannot be found with `str.find`. A short one is searched with a regex of
literal characters and `.`, which tries each start once, for at most as many steps as the chunk
is long. A long one (`*a?a?...?b*`, issue 14) would make that the text's length times the
chunk's: it is found instead by a bit-parallel scan (`_Chunk._scan`), one big-integer AND per
literal character of the chunk over windows of the text, and stops at the first character that
leaves no start.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence, TypeVar

from ._arn import split_arn

__all__ = ["ActionMatcher", "Glob", "action_matcher", "Pieces", "ResourcePattern", "action_glob", "arn_segments", "facing_segments",
           "glob", "pattern_segments", "resource_pattern", "split_pieces"]


# Chunks with `?` longer than this are found by `_Chunk._scan`, shorter ones by a regex.
_LONG = 64


class _Chunk:
    """The text between two `*`: literal characters and `?` (any one character).

    Built from `(text, wildcards)` pieces: `?` is a wildcard only in pieces with `wildcards`.
    """

    __slots__ = ("text", "size", "regex", "_literals")
    text: str  # the literal text when there is no `?`; then `regex` is None
    size: int
    regex: re.Pattern[str] | None
    _literals: tuple[tuple[str, tuple[int, ...]], ...] | None  # a long chunk's characters, each with its offsets

    def __init__(self, pieces: list[tuple[str, bool]]):
        self.size = sum(len(text) for text, _ in pieces)
        self._literals = None
        if any(wildcards and "?" in text for text, wildcards in pieces):
            self.text = ""
            self.regex = re.compile("".join(
                "".join("." if c == "?" else re.escape(c) for c in text) if wildcards else re.escape(text)
                for text, wildcards in pieces), re.S)
            if self.size > _LONG:
                offsets: dict[str, list[int]] = {}
                at = 0
                for text, wildcards in pieces:
                    for c in text:
                        if c != "?" or not wildcards:
                            offsets.setdefault(c, []).append(at)
                        at += 1
                self._literals = tuple((c, tuple(found)) for c, found in offsets.items())
        else:
            self.text = "".join(text for text, _ in pieces)
            self.regex = None

    def match_at(self, s: str, pos: int) -> bool:
        if self.regex is None:
            return s.startswith(self.text, pos)
        return self.regex.match(s, pos) is not None

    def find(self, s: str, pos: int, end: int) -> int:
        """The leftmost start at or after `pos` of the chunk within `s[:end]`, or -1."""
        if self.regex is None:
            return s.find(self.text, pos, end)
        if self._literals is not None:
            return self._scan(s, pos, end)
        found = self.regex.search(s, pos, end)
        return found.start() if found else -1

    def _scan(self, s: str, pos: int, end: int) -> int:
        """`find` for a long chunk holding `?`: bit i of `starts` says the chunk may start at
        `pos + i`; each literal character at offset k keeps the starts i whose `pos + i + k`
        holds it. Windows of at least twice the chunk keep the cost near the text scanned times
        the chunk's literal characters over the integer's word size."""
        size = self.size
        window = max(2 * size, 4096)
        while end - pos >= size:
            stop = min(end, pos + window)
            part = s[pos:stop]
            starts = (1 << (stop - pos - size + 1)) - 1
            table = dict.fromkeys(map(ord, set(part)), "0")
            rows = []
            for char, offsets in self._literals or ():
                if ord(char) not in table:
                    starts = 0  # a character the window lacks: no start in it
                    break
                table[ord(char)] = "1"
                rows.append((int(part.translate(table)[::-1], 2), offsets))
                table[ord(char)] = "0"
            # The rarest characters first: they leave the fewest starts.
            rows.sort(key=lambda row: row[0].bit_count())
            for bits, offsets in rows:
                if not starts:
                    break
                for offset in offsets:
                    starts &= bits >> offset
                    if not starts:
                        break
            if starts:
                return pos + (starts & -starts).bit_length() - 1
            pos = stop - size + 1
        return -1


_STAR = "*"


class Glob:
    """A case-sensitive glob: `*` any run of characters (even none), `?` exactly one character.

    `Glob.from_parts` builds one from pieces some of which are literal: text that came from a
    resolved policy variable or a `${*}` escape never acts as a wildcard (IAM-SEMANTICS §9).
    Callers wanting case-insensitive matching (actions, §7.2) lower both sides first.
    """

    __slots__ = ("pattern", "equal", "_any", "_first", "_middle", "_last", "_min", "startswith")
    pattern: str
    equal: str | None  # the text to equal, when the pattern has no wildcard
    startswith: str | None  # the prefix, when the pattern is literal then one final `*`
    _any: bool
    _first: "_Chunk"
    _middle: tuple["_Chunk", ...]
    _last: "_Chunk | None"
    _min: int

    def __init__(self, pattern: str):
        self._build([(pattern, True)])

    @classmethod
    def from_parts(cls, parts: Iterable[tuple[str, bool]]) -> "Glob":
        """`parts` are `(text, wildcards)`: with `wildcards` False, `*` and `?` are literal."""
        glob = cls.__new__(cls)
        glob._build(list(parts))
        return glob

    def _build(self, parts: list[tuple[str, bool]]) -> None:
        if len(parts) == 1 and parts[0][1] and "?" not in parts[0][0]:
            text = parts[0][0]
            star = text.find(_STAR)
            if star < 0 or star == len(text) - 1:
                # No wildcard, or one final `*` (most patterns): equality or a prefix test says
                # it all, and `matches` needs nothing else.
                self.pattern = text
                self.equal, self.startswith = (text, None) if star < 0 else (None, text[:-1])
                self._any, self._middle, self._last, self._min = False, (), None, 0
                return  # `_first` is never read: `matches` stops at `equal` or `startswith`
        self.pattern = "".join(text for text, _ in parts)
        chunks: list[list[tuple[str, bool]]] = [[]]  # the pieces between two `*`
        for text, wildcards in parts:
            if wildcards and _STAR in text:
                first, *rest = text.split(_STAR)
                chunks[-1].append((first, True))
                chunks.extend([(piece, True)] for piece in rest)
            else:
                chunks[-1].append((text, wildcards))
        compiled = [_Chunk(c) for c in chunks]
        literal_only = len(compiled) == 1 and compiled[0].regex is None
        self.equal = self.pattern if literal_only else None  # no wildcard: equality
        self._any = len(compiled) > 1 and not any(c.size for c in compiled)
        self._first = compiled[0]
        self._last = compiled[-1] if len(compiled) > 1 else None
        self._middle = tuple(c for c in compiled[1:-1] if c.size)
        self._min = sum(c.size for c in compiled)
        # `text*`, the commonest pattern: a prefix test says it all.
        self.startswith = (compiled[0].text if len(compiled) == 2 and compiled[0].regex is None
                           and compiled[1].size == 0 else None)

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"

    def matches(self, s: str) -> bool:
        if self.equal is not None:
            return s == self.equal
        if self.startswith is not None:
            return s.startswith(self.startswith)
        if self._any:
            return True
        if len(s) < self._min:
            return False
        first = self._first
        if self._last is None:  # no `*`: same length, `?` somewhere
            return len(s) == first.size and first.match_at(s, 0)
        if first.size and not first.match_at(s, 0):
            return False
        pos = first.size
        end = len(s) - self._last.size
        for chunk in self._middle:
            found = chunk.find(s, pos, end)
            if found < 0:
                return False
            pos = found + chunk.size
        return self._last.size == 0 or self._last.match_at(s, end)


def action_glob(pattern: str) -> Glob:
    """Actions compare without regard to case (§7.2): patterns are lowered once, here."""
    return Glob(pattern.lower())


class ActionMatcher:
    """A statement's `Action` or `NotAction` element, compiled: the one test of whether a
    statement names an action (§7.1, §7.2).

    Actions compare without regard to case; entries without `*` or `?` form an exact set, the
    others globs. `hit` says which entry, as written, names an action; `matches` is the
    statement's test, with `NotAction` taking every action that no entry names.
    """

    __slots__ = ("negated", "exact", "globs", "_written")

    def __init__(self, entries: Iterable[str], negated: bool = False):
        self.negated = negated
        self._written: dict[str, str] = {}
        for entry in entries:
            self._written.setdefault(entry.lower(), entry)
        self.exact = frozenset(a for a in self._written if "*" not in a and "?" not in a)
        self.globs = tuple(action_glob(a) for a in self._written if "*" in a or "?" in a)

    @classmethod
    def of(cls, action: Iterable[str] | None, not_action: Iterable[str] | None) -> "ActionMatcher":
        """The matcher of a statement from its `Action` and `NotAction` elements (one is None;
        both only in a KMS key policy, where the statement matches no action, §2.7)."""
        return cls(not_action, True) if not_action is not None else cls(action or (), False)

    def hit(self, action: str) -> str | None:
        """The entry, as written, that names `action` (lower-cased), or None when none does."""
        if action in self.exact:
            return self._written[action]
        for glob in self.globs:
            if glob.matches(action):
                return self._written[glob.pattern]
        return None

    def matches(self, action: str) -> bool:
        """Whether the statement covers `action` (lower-cased): an `Action` entry names it, or
        no `NotAction` entry does."""
        found = action in self.exact
        if not found:
            for glob in self.globs:
                if glob.matches(action):
                    found = True
                    break
        return found != self.negated


@lru_cache(maxsize=4096)
def action_matcher(action: tuple[str, ...] | None, not_action: tuple[str, ...] | None) -> ActionMatcher:
    """`ActionMatcher.of`, made once per distinct `Action`/`NotAction` elements: policies list the
    same actions again and again, within a policy and across an account's policies (in a 10 MB
    account export, 5,884 statements name 113 distinct lists)."""
    return ActionMatcher.of(action, not_action)


Pieces = list[tuple[str, bool]]


def split_pieces(pieces: Pieces, maxsplit: int = 5) -> list[Pieces]:
    """Split `(text, wildcards)` pieces at the colons of the policy's own text.

    Colons inside literal pieces (a resolved variable's value) do not separate segments.
    """
    segments: list[Pieces] = [[]]
    for text, wildcards in pieces:
        if not wildcards:
            segments[-1].append((text, False))
            continue
        rest = text
        while len(segments) <= maxsplit and ":" in rest:
            head, _, rest = rest.partition(":")
            segments[-1].append((head, True))
            segments.append([])
        segments[-1].append((rest, True))
    return segments


_Segment = TypeVar("_Segment")


def _aligned(segments: list[_Segment], ends_in_star: bool) -> list[_Segment] | None:
    """The rule of §7.3 on a pattern split into at most six segments: six are matched one to
    one; fewer only when the pattern's own last character is `*`, and then the last segment
    takes the rest of the ARN (`facing_segments`). Any other pattern matches no 6-segment ARN."""
    return segments if len(segments) == 6 or ends_in_star else None


def pattern_segments(pattern: str, variables: bool = False) -> list[str] | None:
    """The segments of a `Resource` pattern (or an Arn operator's value) as they face the
    segments of a requested ARN, `facing_segments(arn, len(...))`, each a glob (§7.3, §14.2);
    None when the pattern matches no 6-segment ARN. With `variables`, a colon inside `${...}`
    does not separate segments (the variable's value stands in one segment, §9).

    `arn:aws:sqs:us-east-2:*` -> `["arn", "aws", "sqs", "us-east-2", "*"]`, whose `*` faces
    `111122223333:queue1` in `arn:aws:sqs:us-east-2:111122223333:queue1`.
    """
    return _aligned(split_arn(pattern, variables), pattern.endswith("*"))


def facing_segments(arn: Sequence[str], count: int) -> list[str]:
    """The segments of a 6-segment ARN (or of a 6-segment pattern) that face a pattern of
    `count` segments (§7.3): one to one, the last taking the rest, colons included."""
    return [*arn[:count - 1], ":".join(arn[count - 1:])]


class ResourcePattern:
    """One `Resource` entry, matched against a requested resource by the rules of §7.3."""

    __slots__ = ("pattern", "_pieces", "_all", "_whole_glob", "_segment_globs",
                 "_prefix", "_last", "equal", "startswith")
    pattern: str
    equal: str | None
    startswith: str | None
    _pieces: "Pieces | None"  # None: the pattern as written, one piece with wildcards
    _all: bool
    _whole_glob: Glob | None
    _segment_globs: tuple[Glob, ...] | None  # () when the pattern matches no ARN
    _prefix: str | None  # the first five segments, when they have no wildcard
    _last: Glob | None  # then the resource segment's glob

    def __init__(self, pattern: str):
        self._build([(pattern, True)])

    @classmethod
    def from_parts(cls, pieces: Pieces) -> "ResourcePattern":
        """A pattern whose resolved-variable pieces are literal (§9)."""
        pattern = cls.__new__(cls)
        pattern._build(pieces)
        return pattern

    def _build(self, pieces: Pieces) -> None:
        written = len(pieces) == 1 and pieces[0][1]  # as written, without resolved variables
        self.pattern = pieces[0][0] if len(pieces) == 1 else "".join(text for text, _ in pieces)
        self._pieces = None if written else pieces  # a pattern as written is its own one piece
        self._all = pieces == [("*", True)]
        # Globs are made when first needed, from the pieces split again (kept split, a large
        # policy's patterns took a third of its compiled size): most never need more than the last.
        self._whole_glob = self._segment_globs = None
        self._prefix = self._last = self.equal = self.startswith = None
        # The usual shape: five segments without wildcards, then the resource segment. Then a
        # prefix comparison and one glob decide, the same as six segment globs would.
        if written:  # split at once, as most patterns are (a large policy has thousands)
            parts = self.pattern.split(":", 5)
            if len(parts) != 6:
                return
            prefix = self.pattern[:len(self.pattern) - len(parts[5])]  # up to the fifth colon
            if "*" in prefix or "?" in prefix:
                return
            last = Glob(parts[5])
        else:
            segments = split_pieces(pieces)
            if len(segments) != 6 or any(wildcards and ("*" in text or "?" in text)
                                         for segment in segments[:5] for text, wildcards in segment):
                return
            prefix = self.pattern[:len(self.pattern) - sum(len(text) for text, _ in segments[5])]
            last = Glob.from_parts(segments[5])
        # Simpler still, and as good for any resource, ARN or not: the whole pattern is literal
        # (`equal`: the resource must be this text), or literal then one final `*` (`startswith`).
        # Then `matches` needs nothing else.
        if last.equal is not None:
            self.equal = self.pattern
        elif last.startswith is not None:
            self.startswith = prefix + last.startswith
        else:
            self._prefix, self._last = prefix, last

    @property
    def _parts(self) -> Pieces:
        return [(self.pattern, True)] if self._pieces is None else self._pieces

    @property
    def _whole(self) -> Glob:
        """The whole pattern as one glob: how a requested resource that is no ARN is matched."""
        if self._whole_glob is None:
            self._whole_glob = Glob.from_parts(self._parts)
        return self._whole_glob

    def _split(self) -> list[Pieces]:
        """The pattern's segments, at the colons of the policy's own text."""
        if self._pieces is None:
            return [[(part, True)] for part in self.pattern.split(":", 5)]
        return split_pieces(self._pieces)

    @property
    def _segments(self) -> tuple[Glob, ...] | None:
        """One glob per segment as `_aligned` gives them; None when the pattern matches no ARN."""
        if self._segment_globs is None:
            segments = self.segment_pieces
            self._segment_globs = () if segments is None else tuple(Glob.from_parts(s) for s in segments)
        return self._segment_globs or None

    def __repr__(self) -> str:
        return f"ResourcePattern({self.pattern!r})"

    @property
    def segment_pieces(self) -> "list[Pieces] | None":
        """The pieces of each segment as they face a 6-segment ARN (`_aligned`, §7.3), None when
        the pattern matches no such ARN; for the symbolic reading (`analysis._symbolic`). Computed
        when asked, not kept (a large policy's patterns took a third of its compiled size)."""
        parts = self._parts
        last = parts[-1] if parts else ("", False)
        # Only the policy's own `*` reaches past colons, never one in a variable's value (§9).
        return _aligned(self._split(), last[1] and last[0].endswith("*"))

    @property
    def matches_every_resource(self) -> bool:
        """The pattern is `*` alone."""
        return self._all

    def matches(self, resource: str, resource_segments: list[str] | None) -> bool:
        """`resource_segments` is `split_arn(resource)` when the resource is a 6-segment ARN."""
        if self._all:
            return True
        if self.startswith is not None:
            return resource.startswith(self.startswith)
        if self.equal is not None:
            return resource == self.equal
        if resource_segments is None:
            return self._whole.matches(resource)
        prefix, last = self._prefix, self._last
        if prefix is not None and last is not None:
            return resource.startswith(prefix) and last.matches(resource_segments[5])
        segments = self._segments
        if segments is None:
            return False
        # Six segments face the ARN's six as they are (what `facing_segments` would give).
        facing = resource_segments if len(segments) == 6 else facing_segments(resource_segments, len(segments))
        for glob, part in zip(segments, facing):
            if not glob.matches(part):
                return False
        return True


def arn_segments(resource: str) -> list[str] | None:
    """The six segments of a requested ARN, or None when it is not one (e.g. `*`)."""
    if not resource.startswith("arn:"):
        return None
    segments = split_arn(resource)
    return segments if len(segments) == 6 else None


@lru_cache(maxsize=4096)
def resource_pattern(pieces: tuple[tuple[str, bool], ...]) -> ResourcePattern:
    """`ResourcePattern.from_parts`, made once per distinct pieces: a `Resource` entry or an Arn
    operator's value with its variables resolved (§9), which many requests resolve alike. An Arn
    operator matches as `Resource` does: the six segments one by one, a trailing `*` of a
    shorter pattern reaching past colons (§7.3, §8.4, §14.2), a lone `*` any ARN."""
    return ResourcePattern.from_parts(list(pieces))


@lru_cache(maxsize=4096)
def glob(pieces: tuple[tuple[str, bool], ...]) -> Glob:
    """`Glob.from_parts`, made once per distinct pieces (a StringLike value with its variables resolved)."""
    return Glob.from_parts(pieces)
