"""Line and column of an element of a JSON text, found when a problem is to be reported.

Python's `json` module reads a document fast but keeps no positions; keeping one for every
element up front would cost many times the text in memory (a 49 MB policy needed over 6 GB).
`JsonPositions` finds them afterwards, by a scan that follows one path: at each container on the
way it reads where each child starts, skipping over the children's values with the C scanner of
the `json` module (which builds nothing that is kept), and keeps these offsets so that further
elements of the same container are found without scanning it again. A problem at the end of a
large file therefore costs about one more reading of the text, and nothing for elements that are
never reported.

The scan reads text that `json` has already accepted (apart from repeated keys, which it finds
here, IAM-SEMANTICS §6.1), so it need not check the syntax again.
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_right
from typing import Any

from ._errors import Path as JsonPath

__all__ = ["JsonPositions", "Pos", "line_and_column"]

Pos = tuple[int, int]

_SPACE = re.compile(r"[ \t\n\r]*")
_NEWLINE = re.compile("\n")


def _dropped(pairs: list[tuple[str, Any]]) -> None:
    """What a skipped object becomes: nothing, so that skipping a large value keeps no memory."""
    return None


_SKIPPER = json.JSONDecoder(object_pairs_hook=_dropped)


def _past_space(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    assert match is not None  # the pattern matches the empty string
    return match.end()


class _Children:
    """The children of one container: their keys (None for an array's items), where each key
    or item starts, and where each value starts."""

    __slots__ = ("keys", "starts", "values", "first")

    def __init__(self, keys: list[str] | None, starts: list[int], values: list[int]):
        self.keys = keys
        self.starts = starts
        self.values = values
        # The index of each key's first occurrence: a repeated key is reported at its second.
        self.first = {} if keys is None else {key: index for index, key in reversed(list(enumerate(keys)))}


class JsonPositions:
    """Positions in one JSON text that `json.loads` accepted, found on demand."""

    __slots__ = ("text", "_start", "_children", "_lines")

    def __init__(self, text: str):
        self.text = text
        self._start = _past_space(text, 0)
        self._children: dict[int, _Children] = {}  # by the container's offset
        # Where each line starts, made at the first position asked: counting the lines before
        # each element again would read a large text once per problem.
        self._lines: array[int] | None = None

    def offset(self, path: JsonPath) -> int:
        """Where the element at `path` starts (its key, for a member of an object), or the
        nearest ancestor that the text has."""
        where = value = self._start
        for part in path:
            children = self._scan(value)
            if children is None:
                break
            if children.keys is None:
                if not isinstance(part, int) or not 0 <= part < len(children.starts):
                    break
                index = part
            else:
                if not isinstance(part, str) or part not in children.first:
                    break
                index = children.first[part]
            where, value = children.starts[index], children.values[index]
        return where

    def position(self, path: JsonPath) -> Pos:
        """The line and column (from 1) of `offset(path)`."""
        return self._line_and_column(self.offset(path))

    def _line_and_column(self, offset: int) -> Pos:
        if self._lines is None:
            self._lines = array("q", [0])
            self._lines.extend(newline.end() for newline in _NEWLINE.finditer(self.text))
        line = bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def duplicates(self) -> list[tuple[JsonPath, Pos, str]]:
        """Each key that repeats one before it in the same object, with its path and position,
        in the order a walk from the root finds them."""
        found: list[tuple[JsonPath, Pos, str]] = []
        stack: list[tuple[JsonPath, int]] = [((), self._start)]
        while stack:
            path, value = stack.pop()
            children = self._scan(value, keep=False)  # each container is read once
            if children is None:
                continue
            if children.keys is None:
                stack.extend((path + (index,), start) for index, start in enumerate(children.values))
                continue
            seen: set[str] = set()
            for key, start, child in zip(children.keys, children.starts, children.values):
                if key in seen:
                    found.append((path + (key,), self._line_and_column(start), key))
                    continue
                seen.add(key)
                stack.append((path + (key,), child))
        return found

    def _scan(self, value: int, keep: bool = True) -> _Children | None:
        """The children of the container that starts at `value`; None for a scalar. `keep`:
        keep them for the next path through the container."""
        if value in self._children:
            return self._children[value]
        text = self.text
        opening = text[value:value + 1]
        if opening not in ("{", "["):
            return None
        closing = "}" if opening == "{" else "]"
        keys: list[str] | None = [] if opening == "{" else None
        starts: list[int] = []
        values: list[int] = []
        at = _past_space(text, value + 1)
        while text[at] != closing:
            start = at
            if keys is not None:
                key, at = _SKIPPER.raw_decode(text, at)
                keys.append(key)
                at = _past_space(text, _past_space(text, at) + 1)  # past the ":"
            starts.append(start)
            values.append(at)
            _, at = _SKIPPER.raw_decode(text, at)
            at = _past_space(text, at)
            if text[at] == ",":
                at = _past_space(text, at + 1)
        children = _Children(keys, starts, values)
        if keep:
            self._children[value] = children
        return children


def line_and_column(text: str, offset: int) -> Pos:
    """The line and column (from 1, in characters) of an offset of `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
