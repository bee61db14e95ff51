"""Mutations of real input files, for fuzzing the loaders and the command (issue 14).

`mutate(text, rng)` turns the text of a policy, scenario file or account export into a hostile
variant: bytes flipped, the text cut short, a key deleted or written twice, a value of another
JSON type, nesting thousands deep, numbers of thousands of digits, strings of odd Unicode (lone
surrogates, NUL, bidirectional controls, rich markup), and YAML's own traps (aliases, tags with
bad values). Each mutant is still an input a user could give; iameval must answer it with a
located error or a result, never a traceback, a hang or unbounded memory.

Only the standard library is used, and every choice comes from `rng`: the same seed gives the
same mutant, so that a failure found by `bench/fuzz.py` is reproduced from its seed alone, and
`iameval.testing.strategies.mutants` draws them under hypothesis's derandomized profile.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["DRAWN", "MUTATIONS", "Mutant", "ODD_STRINGS", "ODD_VALUES", "mutate"]


@dataclass(frozen=True)
class Mutant:
    """A mutated input: the mutation's name, the bytes, and the suffix to save them under
    (`.json`, `.jsonl` or `.yaml`: the loaders read the format from it)."""

    mutation: str
    data: bytes
    suffix: str


@dataclass(frozen=True)
class _Raw:
    """Text written as it is, where a value stood (a number JSON cannot hold, YAML syntax)."""

    text: str


@dataclass(frozen=True)
class _Pairs:
    """An object written with its pairs as given, so that a key can appear twice."""

    pairs: tuple[tuple[str, Any], ...]


# Values of every JSON type, and of none that a field expects.
ODD_VALUES: tuple[Any, ...] = (None, True, False, 0, -1, 1.5, -0.0, 1e308, "", "x", [], [[]], {}, {"": None},
                               [None], ["*"], "*", {"AWS": "*"}, 2**63, -(2**63) - 1)
# Strings a terminal, a JSON encoder or a path may choke on.
ODD_STRINGS: tuple[str, ...] = (
    "\ud800", "a\udfffb", "\x00", "a\x00b", "\u202eevil", "e\u0301\u0301\u0301", "\U0001f600", "\ufeffBOM",
    "line\u2028sep", "[/red]", "[red]aws:username", "[bold]x[/bold]", "[/]", "\\", "${", "${aws:username",
    "${${}}", "*" * 300, "?" * 300, "a" * 70_000, "\t\r\n", "%s%n", "../../etc/passwd", "\u0130stanbul", "ß",
)
# Numbers no float or int conversion takes lightly.
HUGE_NUMBERS: tuple[str, ...] = ("9" * 5000, "-" + "9" * 4400, "1" + "0" * 4301 + ".5", "1e999999", "-1e-999999",
                                 "0." + "0" * 5000 + "1", "123456789012" + "0" * 4400)
# YAML that JSON has not: tags with values that do not read as their type, aliases, anchors.
YAML_ONLY: tuple[str, ...] = (
    "!!timestamp 2024-99-99", "!!timestamp x", "!!float abc", "!!int 0xZZ", "!!binary '###'", "!!bool maybe",
    "!!python/object:os.system ls", "!!set {a, b}", "!!omap [a: 1]", "*undefined", "&a [1, *a]", "!!null x",
    "!custom x", "{<<: [1]}", "!!str", "? [a]", "&x {a: 1}",
)


def _dump(value: Any) -> str:
    """JSON text of `value` (also YAML in flow style), with `_Raw` and `_Pairs` written as they are."""
    if isinstance(value, _Raw):
        return value.text
    if isinstance(value, _Pairs):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dump(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v) for v in value) + "]"
    return json.dumps(value)


_Slot = tuple[Any, Any]  # a container and the key or index of one of its values


def _slots(value: Any) -> list[_Slot]:
    """Every place in a parsed document where a value stands, the document's own members first."""
    out: list[_Slot] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            out.extend((node, k) for k in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            out.extend((node, i) for i in range(len(node)))
            stack.extend(node)
    return out


def _objects(value: Any) -> list[dict[str, Any]]:
    return [c for c, k in _slots(value) if isinstance(c, dict) and isinstance(k, str)] or (
        [value] if isinstance(value, dict) and value else [])


def _delete_key(data: Any, rng: random.Random) -> bool:
    objects = _objects(data)
    if not objects:
        return False
    target = rng.choice(objects)
    del target[rng.choice(list(target))]
    return True


def _replace(data: Any, rng: random.Random, new: Callable[[random.Random], Any]) -> bool:
    slots = _slots(data)
    if not slots:
        return False
    container, key = rng.choice(slots)
    container[key] = new(rng)
    return True


def _duplicate_key(data: Any, rng: random.Random) -> bool:
    slots = [(c, k) for c, k in _slots(data) if isinstance(c, dict) and isinstance(c[k], dict) and c[k]]
    if not slots:
        return False
    container, key = rng.choice(slots)
    pairs = list(container[key].items())
    name, value = rng.choice(pairs)
    other = rng.choice([value, rng.choice(ODD_VALUES), "another"])
    pairs.insert(rng.randrange(len(pairs) + 1), (rng.choice([name, name.lower(), name.upper()]), other))
    container[key] = _Pairs(tuple(pairs))
    return True


def _rename_key(data: Any, rng: random.Random) -> bool:
    objects = _objects(data)
    if not objects:
        return False
    target = rng.choice(objects)
    name = rng.choice(list(target))
    new = rng.choice([name.lower(), name.upper(), name + "s", " " + name, name[:-1], rng.choice(ODD_STRINGS)])
    target[new] = target.pop(name)
    return True


def _deep(rng: random.Random) -> _Raw:
    depth = rng.choice([100, 999, 1000, 5000, 20_000])
    if rng.random() < 0.5:
        return _Raw("[" * depth + "1" + "]" * depth)
    return _Raw('{"a": ' * depth + "1" + "}" * depth)


def _huge(rng: random.Random) -> _Raw:
    return _Raw(rng.choice(HUGE_NUMBERS))


def _odd_string(rng: random.Random) -> str:
    return rng.choice(["", "s3:", "arn:aws:s3:::", "${aws:username}"]) + rng.choice(ODD_STRINGS)


def _odd_value(rng: random.Random) -> Any:
    return rng.choice(ODD_VALUES)


def _yaml_value(rng: random.Random) -> _Raw:
    return _Raw(rng.choice(YAML_ONLY))


_STRUCTURAL: dict[str, Callable[[Any, random.Random], bool]] = {
    "delete-key": _delete_key,
    "duplicate-key": _duplicate_key,
    "rename-key": _rename_key,
    "swap-type": lambda d, r: _replace(d, r, _odd_value),
    "deep-nesting": lambda d, r: _replace(d, r, _deep),
    "huge-number": lambda d, r: _replace(d, r, _huge),
    "odd-unicode": lambda d, r: _replace(d, r, _odd_string),
    "yaml-tag": lambda d, r: _replace(d, r, _yaml_value),
}


def _flip_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def _laughs(rng: random.Random) -> bytes:
    """A "billion laughs" YAML document: each level an alias list of the one before."""
    width, depth = rng.randint(2, 5), rng.randint(3, 10)  # some within the bound, some past it
    lines = ["a0: &a0 [lol]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    return ("\n".join(lines) + f"\nStatement: *a{depth - 1}\n").encode()


MUTATIONS: tuple[str, ...] = ("flip-bytes", "truncate", *_STRUCTURAL, "yaml-block", "yaml-laughs")
# The mutations as drawn: an alias bomb a twelfth as often as the others, since refusing one
# means expanding it up to the bound (`MAX_ALIAS_VALUES`), a second or so.
DRAWN: tuple[str, ...] = tuple(name for name in MUTATIONS for _ in range(1 if name == "yaml-laughs" else 12))


def mutate(text: str, rng: random.Random, mutation: str | None = None) -> Mutant:
    """A hostile variant of `text` (JSON, or JSON Lines: then one line is mutated), by
    `mutation` (one of `MUTATIONS`) or one chosen by `rng`."""
    mutation = mutation or rng.choice(DRAWN)
    raw = text.encode("utf-8", "surrogatepass")
    if mutation == "flip-bytes":
        return Mutant(mutation, _flip_bytes(raw, rng), ".json")
    if mutation == "truncate":
        return Mutant(mutation, _truncate(raw, rng), ".json")
    if mutation == "yaml-laughs":
        return Mutant(mutation, _laughs(rng), ".yaml")
    lines = text.split("\n")
    lined = len(lines) > 1 and all(line.lstrip().startswith("{") for line in lines if line.strip())
    at = rng.choice([i for i, line in enumerate(lines) if line.strip()]) if lined else 0
    try:
        data = json.loads(lines[at] if lined else text)
    except ValueError:  # not JSON (YAML, or already broken): bytes only
        return Mutant("flip-bytes", _flip_bytes(raw, rng), ".json")
    if mutation == "yaml-block":
        import yaml  # a dependency of iameval; needed for this mutation only

        block = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        return Mutant(mutation, _flip_bytes(block.encode("utf-8", "surrogatepass"), rng) if rng.random() < 0.5
                      else block.encode("utf-8", "surrogatepass"), ".yaml")
    _STRUCTURAL[mutation](data, rng)
    written = _dump(data)
    if lined:
        written = "\n".join(lines[:at] + [written] + lines[at + 1:])
    suffix = ".yaml" if mutation == "yaml-tag" else ".jsonl" if lined else ".json"
    return Mutant(mutation, written.encode("utf-8", "surrogatepass"), suffix)
