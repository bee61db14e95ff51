"""Memberships of string unknowns in regular languages, decided outside the solver.

Most of what the symbolic reading (`_symbolic`) says of a string unknown (an ARN segment, a
condition key's value) is membership in a regular language: a glob (IAM-SEMANTICS §7.2), the
strings that case-fold to a text (§8.4), an ARN's shape (§7.3). For an unknown that occurs in
nothing else, which combinations of its memberships some string realizes is a question of
automata alone: the product of the languages' automata, walked from its start, reaches one state
per combination it realizes, by a shortest word that is its example. `Memberships` asks that
question once per search, then gives the solver each membership as a Boolean, with the
combinations realizable as the only constraint on them: it is then left with Booleans, integers
and bit-vectors, which it decides in milliseconds where strings took it seconds (bench/README).

An unknown that also occurs in an equation, a concatenation or a length (a policy variable on a
key the request gives, §9) stays a string for the solver, as do the unknowns whose product grows
past `_STATES` states. A language the automata do not read (a construct not listed in `_build`)
leaves its unknown to the solver too: the answer is the same, only slower.

The automata are walked lazily, by Brzozowski's derivatives of the languages (`_derive`), one
character of each class that the languages' character sets treat alike: printable ASCII where
the class has one, and only characters an SMT-LIB string can hold (to U+2FFFF), as the solver's.
"""

from __future__ import annotations

from collections import deque
from functools import lru_cache
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import cvc5
from cvc5 import pythonic as z3

__all__ = ["Memberships"]

_STATES = 20_000  # product states walked for one unknown before leaving it to the solver
_LAST_CHAR = 0x2FFFF  # the last character of an SMT-LIB string
# The characters an example prefers, in order: readable first.
_PREFERRED_CODES = [*range(ord("a"), ord("z") + 1), *range(ord("0"), ord("9") + 1), *range(ord("A"), ord("Z") + 1),
                    *range(0x20, 0x7F)]
_RANK = {c: i for i, c in reversed(list(enumerate(_PREFERRED_CODES)))}
_K = cvc5.Kind


class _NotRegular(Exception):
    """A regular-language term the automata do not read."""


@dataclass
class _Unknown:
    term: Any  # the string unknown (a cvc5 pythonic expression)
    languages: dict[int, Any]  # regular-language terms by id (cvc5 terms)
    pure: bool = True


class Memberships:
    """The memberships of the string unknowns of `formulas` that occur only in memberships, as
    Booleans (`apply`), with the combinations some string realizes (`constraints`) and an example
    string of each (`strings`)."""

    def __init__(self, formulas: Iterable[Any]):
        unknowns: dict[int, _Unknown] = {}
        seen: set[int] = set()
        for formula in formulas:
            _collect(formula.ast, unknowns, seen)
        self._replace: tuple[list[Any], list[Any]] = ([], [])  # cvc5 terms: memberships, Booleans
        self.constraints: list[Any] = []
        self._examples: list[tuple[Any, list[Any], dict[tuple[bool, ...], str]]] = []
        self.abstracted: list[str] = []  # the unknowns' names, for tests and bench
        for unknown in unknowns.values():
            if not unknown.pure or not unknown.languages:
                continue
            ids = list(unknown.languages)
            try:
                examples = _realizable(tuple(_language(unknown.languages[i]) for i in ids))
            except _NotRegular:
                continue
            if examples is None:
                continue
            name = str(unknown.term)
            atoms = [z3.Bool(f"{name}_in_{n}") for n in range(len(ids))]
            for i, atom in zip(ids, atoms):
                membership = z3.InRe(unknown.term, z3.ReRef(unknown.languages[i]))
                self._replace[0].append(membership.ast)
                self._replace[1].append(atom.ast)
            self.constraints.append(z3.Or(*[z3.And(*[a if bit else z3.Not(a) for a, bit in zip(atoms, vector)])
                                            for vector in examples]))
            self._examples.append((unknown.term, atoms, examples))
            self.abstracted.append(name)

    def apply(self, formula: Any) -> Any:
        """`formula` with each membership of an abstracted unknown as its Boolean."""
        if not self._replace[0]:
            return formula
        return z3.BoolRef(formula.ast.substitute(self._replace[0], self._replace[1]))

    def strings(self, model: Any) -> dict[str, str]:
        """The example string of each abstracted unknown, for the combination `model` chose."""
        out = {}
        for term, atoms, examples in self._examples:
            vector = tuple(z3.is_true(model.eval(a, model_completion=True)) for a in atoms)
            out[str(term)] = examples[vector]
        return out


def _collect(term: cvc5.Term, unknowns: dict[int, _Unknown], seen: set[int]) -> None:
    """Each string unknown of `term`, with its memberships; one that occurs elsewhere is not pure."""
    stack = [term]
    while stack:
        t = stack.pop()
        if t.getId() in seen:
            continue
        seen.add(t.getId())
        kind = t.getKind()
        if kind == _K.STRING_IN_REGEXP and t[0].getKind() == _K.CONSTANT:
            found = _unknown(t[0], unknowns)
            found.languages.setdefault(t[1].getId(), t[1])
            stack.append(t[1])  # a language holds no unknown; were one there, it would not be pure
            continue
        if kind == _K.CONSTANT and t.getSort().isString():
            _unknown(t, unknowns).pure = False
            continue
        stack.extend(t[i] for i in range(t.getNumChildren()))


def _unknown(term: cvc5.Term, unknowns: dict[int, _Unknown]) -> _Unknown:
    found = unknowns.get(term.getId())
    if found is None:
        found = unknowns[term.getId()] = _Unknown(z3.SeqRef(term), {})
    return found


# ----------------------------------------------------------------------------- languages
# A language is the number of an interned node (`_node`), built from the solver's term once
# (`_language`): ("none",), ("eps",), ("chars", ((first, last), ...)), ("cat", a, b), ("or", {a, ...}),
# ("and", {a, ...}), ("not", a), ("star", a), children being numbers too. Brzozowski's derivatives
# walk it character by character, with unions and intersections kept as sets so that finitely many
# derivatives arise.

_Node = int
_CONTENTS: list[tuple[Any, ...]] = []
_NUMBERS: dict[tuple[Any, ...], int] = {}


def _node(content: tuple[Any, ...]) -> _Node:
    """The number of `content`: equal languages built apart are the same node."""
    found = _NUMBERS.get(content)
    if found is None:
        found = _NUMBERS[content] = len(_CONTENTS)
        _CONTENTS.append(content)
    return found


_NONE = _node(("none",))
_EPS = _node(("eps",))
_ANY = _node(("chars", ((0, _LAST_CHAR),)))
_EVERY = _node(("star", _ANY))


def _cat(a: _Node, b: _Node) -> _Node:
    if a == _NONE or b == _NONE:
        return _NONE
    if a == _EPS:
        return b
    if b == _EPS:
        return a
    content = _CONTENTS[a]
    if content[0] == "cat":
        return _cat(content[1], _cat(content[2], b))
    return _node(("cat", a, b))


def _or(parts: Iterable[_Node]) -> _Node:
    return _set("or", parts, absorbing=_EVERY, neutral=_NONE)


def _and(parts: Iterable[_Node]) -> _Node:
    return _set("and", parts, absorbing=_NONE, neutral=_EVERY)


def _set(tag: str, parts: Iterable[_Node], absorbing: _Node, neutral: _Node) -> _Node:
    """A union or an intersection, flattened, as a set of its parts (the same languages in any
    order or number are one node)."""
    flat: set[_Node] = set()
    for p in parts:
        if p == absorbing:
            return absorbing
        content = _CONTENTS[p]
        if content[0] == tag:
            flat |= content[1]
        elif p != neutral:
            flat.add(p)
    if not flat:
        return neutral
    return next(iter(flat)) if len(flat) == 1 else _node((tag, frozenset(flat)))


def _not(a: _Node) -> _Node:
    content = _CONTENTS[a]
    return content[1] if content[0] == "not" else _node(("not", a))


def _star(a: _Node) -> _Node:
    if a in (_NONE, _EPS):
        return _EPS
    return a if _CONTENTS[a][0] == "star" else _node(("star", a))


def _chars(first: int, last: int) -> _Node:
    return _node(("chars", ((first, last),))) if first <= last else _NONE


# By the solver term's id, the term kept so that its id is never another's: equal terms are
# one, shared by every search.
_LANGUAGES: dict[int, tuple[cvc5.Term, _Node]] = {}


def _language(term: cvc5.Term) -> _Node:
    found = _LANGUAGES.get(term.getId())
    if found is None:
        found = _LANGUAGES[term.getId()] = (term, _build(term))
    return found[1]


def _build(term: cvc5.Term) -> _Node:
    kind = term.getKind()
    children = [term[i] for i in range(term.getNumChildren())]
    if kind == _K.REGEXP_NONE:
        return _NONE
    if kind == _K.REGEXP_ALLCHAR:
        return _ANY
    if kind == _K.REGEXP_ALL:
        return _EVERY
    if kind == _K.STRING_TO_REGEXP and children[0].isStringValue():
        out = _EPS
        for char in reversed(children[0].getStringValue()):
            out = _cat(_chars(ord(char), ord(char)), out)
        return out
    if kind == _K.REGEXP_RANGE and all(c.isStringValue() and len(c.getStringValue()) == 1 for c in children):
        low, high = (ord(c.getStringValue()) for c in children)
        return _chars(low, high)
    parts = [_language(c) for c in children]
    if kind == _K.REGEXP_CONCAT:
        out = _EPS
        for part in reversed(parts):
            out = _cat(part, out)
        return out
    if kind == _K.REGEXP_UNION:
        return _or(parts)
    if kind == _K.REGEXP_INTER:
        return _and(parts)
    if kind == _K.REGEXP_DIFF:
        return _and([parts[0], _not(parts[1])])
    if kind == _K.REGEXP_COMPLEMENT:
        return _not(parts[0])
    if kind == _K.REGEXP_STAR:
        return _star(parts[0])
    if kind == _K.REGEXP_PLUS:
        return _cat(parts[0], _star(parts[0]))
    if kind == _K.REGEXP_OPT:
        return _or([parts[0], _EPS])
    if kind == _K.REGEXP_LOOP:
        op = term.getOp()
        low, high = op[0].toPythonObj(), op[1].toPythonObj()
        out = _EPS
        for _ in range(high - low):
            out = _or([_cat(parts[0], out), _EPS])
        for _ in range(low):
            out = _cat(parts[0], out)
        return out
    raise _NotRegular(str(kind))


_NULLABLE: dict[_Node, bool] = {}


def _nullable(node: _Node) -> bool:
    """Whether the language holds the empty string."""
    found = _NULLABLE.get(node)
    if found is None:
        a = _CONTENTS[node]
        tag = a[0]
        if tag in ("eps", "star"):
            found = True
        elif tag in ("none", "chars"):
            found = False
        elif tag == "cat":
            found = _nullable(a[1]) and _nullable(a[2])
        elif tag == "or":
            found = any(_nullable(p) for p in a[1])
        elif tag == "and":
            found = all(_nullable(p) for p in a[1])
        else:
            found = not _nullable(a[1])
        _NULLABLE[node] = found
    return found


_DERIVATIVES: dict[tuple[_Node, int], _Node] = {}


def _derive(node: _Node, char: int) -> _Node:
    """The strings `w` such that `char` followed by `w` is in the language."""
    key = (node, char)
    found = _DERIVATIVES.get(key)
    if found is None:
        a = _CONTENTS[node]
        tag = a[0]
        if tag in ("none", "eps"):
            found = _NONE
        elif tag == "chars":
            found = _EPS if any(first <= char <= last for first, last in a[1]) else _NONE
        elif tag == "cat":
            head = _cat(_derive(a[1], char), a[2])
            found = _or([head, _derive(a[2], char)]) if _nullable(a[1]) else head
        elif tag == "or":
            found = _or([_derive(p, char) for p in a[1]])
        elif tag == "and":
            found = _and([_derive(p, char) for p in a[1]])
        elif tag == "not":
            found = _not(_derive(a[1], char))
        else:
            found = _cat(_derive(a[1], char), node)
        _DERIVATIVES[key] = found
    return found


def _bounds(node: _Node, into: set[int], seen: set[int]) -> None:
    """Where the character sets of the language begin and end (`first`, `last + 1`)."""
    if node in seen:
        return
    seen.add(node)
    a = _CONTENTS[node]
    tag = a[0]
    if tag == "chars":
        for first, last in a[1]:
            into.update((first, last + 1))
    elif tag in ("cat",):
        _bounds(a[1], into, seen)
        _bounds(a[2], into, seen)
    elif tag in ("or", "and"):
        for p in a[1]:
            _bounds(p, into, seen)
    elif tag in ("not", "star"):
        _bounds(a[1], into, seen)


def _characters(languages: Sequence[_Node]) -> list[int]:
    """One character of each class that every character set of the languages treats alike,
    readable characters first."""
    bounds = {0, _LAST_CHAR + 1}
    seen: set[int] = set()
    for language in languages:
        _bounds(language, bounds, seen)
    edges = sorted(b for b in bounds if b <= _LAST_CHAR + 1)
    chosen = []
    for first, end in zip(edges, edges[1:]):
        readable = [c for c in _PREFERRED_CODES if first <= c < end]
        chosen.append(min(readable, key=_RANK.__getitem__) if readable else first)
    return sorted(chosen, key=lambda c: (_RANK.get(c, len(_RANK)), c))


@lru_cache(maxsize=4096)
def _realizable(languages: tuple[_Node, ...]) -> dict[tuple[bool, ...], str] | None:
    """Each combination of memberships in the languages that some string realizes, with the
    shortest such string (readable characters first); None past `_STATES` states. The same
    languages recur in search after search (the same patterns, class after class): kept.

    A state of the walk keeps only the languages still undecided: one whose derivative is empty
    holds no longer string, one that is everything holds every longer string, whatever follows;
    their memberships are fixed bits (`fixed`). Most globs decide within a few characters, so
    that a state is far smaller than the number of languages."""
    characters = _characters(languages)
    start = _state(tuple(enumerate(languages)), 0)
    words: dict[tuple[tuple[tuple[int, _Node], ...], int], str] = {start: ""}
    queue = deque([start])
    found: dict[int, str] = {}
    while queue:
        state = queue.popleft()
        live, fixed = state
        word = words[state]
        bits = fixed
        for i, a in live:
            if _nullable(a):
                bits |= 1 << i
        found.setdefault(bits, word)
        if not live:
            continue
        for char in characters:
            following = _state(tuple((i, _derive(a, char)) for i, a in live), fixed)
            if following not in words:
                if len(words) >= _STATES:
                    return None
                words[following] = word + chr(char)
                queue.append(following)
    return {tuple(bool(bits >> i & 1) for i in range(len(languages))): word for bits, word in found.items()}


def _state(live: tuple[tuple[int, _Node], ...], fixed: int) -> tuple[tuple[tuple[int, _Node], ...], int]:
    """The languages still undecided, and the bits of those that hold every string from here on."""
    if any(a == _NONE or a == _EVERY for _, a in live):
        for i, a in live:
            if a == _EVERY:
                fixed |= 1 << i
        live = tuple((i, a) for i, a in live if a != _NONE and a != _EVERY)
    return live, fixed
