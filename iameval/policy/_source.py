"""Reading JSON and YAML text into plain data, keeping a way back to line and column.

Valid JSON is read by Python's `json` module, which is fast but keeps no positions. Positions
are recovered only for the elements that have a problem to report, by a scan of the text that
follows their path (`_positions.JsonPositions`): loading stays near linear in time and within a
small multiple of the text in memory, however large the file. YAML keeps its marks anyway and
is read with them from the start.

Duplicate keys are an error (IAM-SEMANTICS §6.1): a parser that keeps the last one silently
evaluates a different policy from the one AWS would refuse.

Hostile input is refused, located, before it can exhaust time or memory: a file over the size
limit (`IAMEVAL_MAX_INPUT_BYTES`) or that is not a regular file, a number longer than Python
reads, YAML aliases that expand without bound ("billion laughs"), a YAML tag whose value is no
JSON value, and half a character (a lone surrogate).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from pathlib import Path as FsPath
from typing import Any, Callable, Iterator, Mapping

from ._errors import Location, PolicyError, Problem
from ._errors import Path as JsonPath
from ._positions import JsonPositions, Pos, line_and_column

# The YAML reader (`_yaml.py`, and PyYAML) is imported when first needed: a JSON policy needs
# none of it (issue 14, start-up).

__all__ = ["MAX_INPUT_BYTES", "Origin", "Source", "not_utf8", "parse_text", "read_sources", "source_format"]

JSON_SUFFIXES = {".json"}
YAML_SUFFIXES = {".yaml", ".yml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}

# The most bytes read from one file or from standard input, unless the environment variable
# IAMEVAL_MAX_INPUT_BYTES says otherwise: room for a large account export.
MAX_INPUT_BYTES = 64 * 1024 * 1024
# Values that YAML aliases may add to one document: far more than anchors shared between
# statements need, far fewer than a "billion laughs" of nested aliases makes of a few bytes.
MAX_ALIAS_VALUES = 100_000


class Source:
    """One document's text and data: a file, one line of a JSON Lines file, or standard input.

    `locate(path)` turns a JSON path into a `Location`. A YAML document comes with the positions
    of its elements; a JSON document's are found when asked for, by a scan of its text; a
    document derived from another (a template with its intrinsic functions evaluated) gives
    `positions` as a function, called on the first request.
    """

    __slots__ = ("name", "text", "data", "format", "line_offset", "_positions")

    def __init__(self, name: str, text: str, data: Any, format: str, line_offset: int = 0,
                 positions: dict[JsonPath, Pos] | Callable[[], dict[JsonPath, Pos]] | None = None):
        self.name = name
        self.text = text
        self.data = data
        self.format = format
        self.line_offset = line_offset
        self._positions: dict[JsonPath, Pos] | Callable[[], dict[JsonPath, Pos]] | JsonPositions | None = positions

    @property
    def directory(self) -> FsPath:
        """The folder that relative `{"file": ...}` references are read from."""
        if self.name.startswith("<"):
            return FsPath.cwd()
        return FsPath(self.name).parent

    def _position(self, path: JsonPath) -> Pos:
        """Where the element at `path` is, or its nearest ancestor that the document has."""
        if self._positions is None:
            self._positions = JsonPositions(self.text)
        elif callable(self._positions):
            self._positions = self._positions()
        if isinstance(self._positions, JsonPositions):
            return self._positions.position(path)
        while path not in self._positions and path:
            path = path[:-1]
        return self._positions.get(path, (1, 1))

    def locate(self, path: JsonPath = ()) -> Location:
        """The location of the element at `path` (or of its nearest located ancestor).

        `path` may be the normalised path of the model (`Statement[0]` where the document wrote
        `Statement` as a single object); it is mapped back onto the document as written.
        """
        real = _as_written(self.data, path)
        line, column = self._position(real)
        return Location(self.name, line + self.line_offset, column, real)

    def problem(self, path: JsonPath, message: str, hint: str | None = None,
                severity: str = "error", *, code: str) -> Problem:
        return Problem(message, self.locate(path), hint, severity, code=code)


def _as_written(data: Any, path: JsonPath) -> JsonPath:
    """Drop the `[0]` that normalisation added where the document has a single value, not a list."""
    real: list[str | int] = []
    node = data
    for part in path:
        if isinstance(part, int):
            if isinstance(node, list):
                real.append(part)
                node = node[part] if part < len(node) else None
            elif part != 0:
                real.append(part)
                node = None
            continue
        real.append(part)
        node = node.get(part) if isinstance(node, dict) else None
    return tuple(real)


class _StrictObjects:
    """The `object_pairs_hook` of one reading: objects as dicts, noting whether one repeats a key
    (the keys are then found, with their places, once the text is known to be JSON)."""

    __slots__ = ("repeated",)

    def __init__(self) -> None:
        self.repeated = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            self.repeated = True
        return obj


class _NotJson(Exception):
    pass


class _BadNumber(Exception):
    pass


def _max_digits() -> int:
    """The most digits a number may have: what Python converts to an integer (4,300 unless
    PYTHONINTMAXSTRDIGITS says otherwise), for floats too."""
    return sys.get_int_max_str_digits() or 4300


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or len(text) > _max_digits() and _digits(text) > _max_digits():
        raise _BadNumber(text)
    return value


# A JSON string or number, to find a number outside strings.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*')


def _number_problem(text: str, name: str, line_offset: int, found: str | None) -> Problem:
    """The number (`found`, or the first one too long for Python) that cannot be read, at its place."""
    for token in _JSON_TOKEN.finditer(text):
        number = token.group()
        if number[0] != '"' and (number == found or found is None and _digits(number) > _max_digits()):
            return _number_message(number, "JSON", _at(text, token.start(), name, line_offset))
    return _number_message(found or "", "JSON", Location(name, line_offset + 1, 1))  # pragma: no cover


def _number_message(number: str, language: str, where: Location) -> Problem:
    digits = _digits(number)
    if digits > _max_digits():
        return Problem(f"invalid {language}: a number of {digits:,} digits, more than the {_max_digits():,} "
                       "iameval reads", where, "write it as a string if it is text", code="invalid-syntax")
    return Problem(f"invalid {language}: the number `{_shown(number)}` is out of range", where,
                   "a number must be finite", code="invalid-syntax")


def _shown(text: str, most: int = 40) -> str:
    """The user's text for a message: cut short, and with any half character escaped, which no
    output could print."""
    cut = text if len(text) <= most else text[:most] + "…"
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", cut)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_constant(name: str) -> Any:
    raise _NotJson(name)


# An escaped UTF-16 surrogate without its partner: no character, so no JSON text (RFC 8259 §8.2).
# An escape `\uD800`-`\uDFFF` without its other half; its backslash not itself escaped (`\\uD800`
# is a backslash and the letters `uD800`).
_LONE_SURROGATE = re.compile(r"(?<!\\)(?:\\\\)*(\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                             r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})")


# A JSON string, or a word outside strings (what `json` reads as `NaN` or `Infinity`).
_STRING_OR_WORD = re.compile(r'"(?:[^"\\]|\\.)*"|(-?[A-Za-z]+)')


def _bare(text: str, word: str) -> int:
    """Where `word` first stands outside a string (`"Sid": "NaN"` is no `NaN`)."""
    for found in _STRING_OR_WORD.finditer(text):
        if found.group(1) == word:
            return found.start(1)
    return text.find(word)


def _at(text: str, pos: int, name: str, line_offset: int) -> Location:
    line, column = line_and_column(text, pos)
    return Location(name, line + line_offset, column)


def _parse_json(text: str, name: str, line_offset: int) -> Source:
    objects = _StrictObjects()
    try:
        data = json.loads(text, object_pairs_hook=objects, parse_constant=_no_constant, parse_float=_json_float)
    except RecursionError:
        raise PolicyError([Problem("invalid JSON: nested too deeply", Location(name, line_offset + 1, 1),
                                   code="invalid-syntax")]) from None
    except _NotJson as exc:
        raise PolicyError([Problem(f"invalid JSON: `{exc}` is not a JSON value",
                                   _at(text, _bare(text, str(exc)), name, line_offset),
                                   code="invalid-syntax")]) from None
    except json.JSONDecodeError as exc:
        raise PolicyError([_json_syntax_problem(exc, name, line_offset)]) from None
    except _BadNumber as exc:
        raise PolicyError([_number_problem(text, name, line_offset, str(exc))]) from None
    except ValueError:  # an integer too long for Python to read
        raise PolicyError([_number_problem(text, name, line_offset, None)]) from None
    if objects.repeated:
        raise PolicyError(
            Problem(f"duplicate key `{key}`: JSON objects must not repeat a key",
                    Location(name, line + line_offset, column, path),
                    hint="AWS refuses a policy with a repeated key; merge the two values",
                    code="duplicate-key")
            for path, (line, column), key in JsonPositions(text).duplicates())
    if "\\u" in text and (lone := _LONE_SURROGATE.search(text)):
        raise PolicyError([Problem(f"invalid JSON: `{lone.group(1)}` is half of a character (a lone "
                                   "surrogate)", _at(text, lone.start(1), name, line_offset),
                                   code="invalid-syntax")])
    return Source(name, text, data, "json", line_offset)


def _json_syntax_problem(exc: json.JSONDecodeError, name: str, line_offset: int) -> Problem:
    """A JSON syntax error at the character at fault; a trailing comma is named as such."""
    text, pos = exc.doc, exc.pos
    before = pos - 1
    while before >= 0 and text[before] in " \t\r\n":
        before -= 1
    if before >= 0 and text[before] == "," and pos < len(text) and text[pos] in "}]":
        line = text.count("\n", 0, before) + 1
        column = before - (text.rfind("\n", 0, before) + 1) + 1
        return Problem("invalid JSON: a trailing comma before `" + text[pos] + "`",
                       Location(name, line + line_offset, column),
                       "JSON allows no comma after the last item", code="invalid-syntax")
    message = exc.msg[:1].lower() + exc.msg[1:]
    return Problem(f"invalid JSON: {message}", Location(name, exc.lineno + line_offset, exc.colno),
                   code="invalid-syntax")


def source_format(name: str, text: str) -> str:
    """`json`, `jsonl` or `yaml`, from the file's suffix, or for standard input from its text."""
    suffix = FsPath(name).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in JSON_SUFFIXES:
        return "json"
    return "json" if text.lstrip()[:1] in ("{", "[") else "yaml"


def parse_text(text: str, name: str, format: str | None = None, *,
               short_forms: Mapping[str, str] | None = None) -> list[Source]:
    """Parse one text into its documents: one, or one per line for JSON Lines.

    `short_forms`: YAML local tags to read as one-key mappings (CloudFormation's `!Sub`).

    Raises `PolicyError` with the file, line and column of each problem. For JSON Lines, a bad
    line raises only after the good ones were parsed, with the bad lines in `.problems`; the
    parsed ones are on the error as `.sources` so that callers can go on with them.
    """
    guessed = format is None and FsPath(name).suffix.lower() not in DOCUMENT_SUFFIXES
    format = format or source_format(name, text)
    if format == "yaml":
        from ._yaml import parse_yaml

        return [parse_yaml(text, name, short_forms or {})]
    if format == "json":
        try:
            return [_parse_json(text, name, 0)]
        except PolicyError as exc:
            # Standard input (or a file without a known suffix) may be JSON Lines.
            if not (guessed and "extra data" in exc.problems[0].message):
                raise
            format = "jsonl"
    sources: list[Source] = []
    problems: list[Problem] = []
    # Lines end at `\n` only: U+2028, U+0085 and the other breaks `str.splitlines` knows may stand
    # inside a JSON string, and a line cut there would be two bad scenarios instead of one.
    for number, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        try:
            source = _parse_json(line, name, number)
            source.format = "jsonl"
            sources.append(source)
        except PolicyError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PolicyError(problems, sources)
    return sources


def max_input_bytes() -> int:
    """The most bytes read from one input: `IAMEVAL_MAX_INPUT_BYTES`, else `MAX_INPUT_BYTES`."""
    given = os.environ.get("IAMEVAL_MAX_INPUT_BYTES", "").strip()
    if not given:
        return MAX_INPUT_BYTES
    try:
        limit = int(given)
    except ValueError:
        limit = 0
    if limit <= 0:
        raise PolicyError([Problem(f"the environment variable IAMEVAL_MAX_INPUT_BYTES must be a number of "
                                   f"bytes, not `{_shown(given)}`", Location("IAMEVAL_MAX_INPUT_BYTES"),
                                   code="unreadable-file")])
    return limit


def _too_large(where: str, limit: int) -> PolicyError:
    return PolicyError([Problem(f"larger than {limit:,} bytes, the most iameval reads", Location(where),
                                "raise the limit with the environment variable IAMEVAL_MAX_INPUT_BYTES",
                                code="unreadable-file")])


_NOT_REGULAR = ((stat.S_ISDIR, "is a directory, not a file"), (stat.S_ISFIFO, "is a named pipe, not a file"),
                (stat.S_ISCHR, "is a device, not a file"), (stat.S_ISBLK, "is a device, not a file"),
                (stat.S_ISSOCK, "is a socket, not a file"))


def _read_bytes(name: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A pipe or a device is refused
    before it is read: either could wait for a writer forever, or never end."""
    # Opened without blocking, so that a named pipe without a writer is refused, not waited on.
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            message = next((text for test, text in _NOT_REGULAR if test(info.st_mode)), "is not a regular file")
            hint = None if stat.S_ISDIR(info.st_mode) else "to read a stream, pipe it to standard input as `-`"
            raise PolicyError([Problem(message, Location(name), hint, code="unreadable-file")])
        size = info.st_size
        if size > limit:
            raise _too_large(name, limit)
        # Its size, and what was added since (or what a file of no given size, in /proc, holds).
        data = file.read(size + 1)
        if len(data) > size:
            data += file.read(limit + 1 - len(data))
    if len(data) > limit:
        raise _too_large(name, limit)
    return data


def not_utf8(exc: UnicodeDecodeError, where: str, what: str = "") -> PolicyError:
    """`what` (a file's text, or `the answers are `) is not UTF-8: the first byte that is not,
    located by its line and column (a count of characters, as for every other problem) as well
    as by its offset."""
    data = exc.object
    start = data.rfind(b"\n", 0, exc.start) + 1
    column = len(data[start:exc.start].decode("utf-8", "replace")) + 1
    return PolicyError([Problem(f"{what}not UTF-8 text (byte {exc.start})",
                                Location(where, data.count(b"\n", 0, exc.start) + 1, column),
                                "save the file as UTF-8", code="unreadable-file")])


def read_text(name: str) -> str:
    """The text of a file, or of standard input for `-`; an unreadable file is a `PolicyError`.

    Either is read up to `max_input_bytes()`: a larger one is refused, not read to its end.
    """
    limit = max_input_bytes()
    if name == "-":
        if sys.stdin is None:  # the process was started with its standard input closed
            raise PolicyError([Problem("standard input is closed", Location("<stdin>"), code="unreadable-file")])
        stream = getattr(sys.stdin, "buffer", None)
        try:
            if stream is None:
                text = sys.stdin.read(limit + 1)
                if len(text.encode("utf-8", "surrogateescape")) > limit:
                    raise _too_large("<stdin>", limit)
                return text
            data: bytes = stream.read(limit + 1)
        except (OSError, ValueError) as exc:  # a closed or unreadable stream
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is closed"
            raise PolicyError([Problem(f"standard input cannot be read: {reason}", Location("<stdin>"),
                                       code="unreadable-file")]) from None
        if len(data) > limit:
            raise _too_large("<stdin>", limit)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise not_utf8(exc, "<stdin>") from None
    try:
        data = _read_bytes(name, limit)
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise PolicyError([Problem("no such file", Location(name), code="unreadable-file")]) from None
    except IsADirectoryError:
        raise PolicyError([Problem("is a directory, not a file", Location(name), code="unreadable-file")]) from None
    except UnicodeDecodeError as exc:
        raise not_utf8(exc, name) from None
    except OSError as exc:
        raise PolicyError([Problem(f"cannot be read: {exc.strerror}", Location(name), code="unreadable-file")]) from None
    # As a file read as text: universal newlines.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


DOCUMENT_SUFFIXES = JSON_SUFFIXES | YAML_SUFFIXES | JSONL_SUFFIXES


def expand_paths(names: list[str]) -> Iterator[str]:
    """Files named, with the JSON, JSON Lines and YAML files under any folder named, sorted."""
    for name in names:
        path = FsPath(name)
        if name != "-" and path.is_dir():
            yield from sorted(str(p) for p in path.rglob("*")
                              if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
        else:
            yield name


def read_sources(name: str) -> list[Source]:
    """Read and parse one file (or `-`)."""
    display = "<stdin>" if name == "-" else name
    return parse_text(read_text(name), display)


# Where a policy came from: its source and the JSON path of the document in it.
Origin = tuple[Source, JsonPath]
