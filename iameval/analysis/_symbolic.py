"""The tests of one statement as a solver formula over a request's resource and context (IAM-SEMANTICS §7.3, §8, §9).

`Space` holds the unknowns of the requests of one caller: the resource, and for every condition
key a statement reads whether it is present, whether it is a list, and its values. `statement`
turns what `CompiledStatement.holds` tests (its `Resource`/`NotResource`, then each condition)
into a formula; `render` turns a model back into a concrete resource and context, which the
caller replays through the engine itself. The chain is never encoded here: `_diff` asks the
engine's own `decide` which combinations of holding statements allow.

The encodings mirror the matching primitives, reading each operator's meaning from its parsed
`Operator` (family, comparison, negation, set qualifier, absent-key rule) and each pattern's
pieces from `ResourcePattern`/`Glob` input, never from names. What is not encoded raises
`Unencodable` with the construct and where it is written: the caller then answers `unknown`
rather than "no new access".

The derived keys of the caller (`aws:username`, `aws:PrincipalArn`...) are fixed by the caller,
as AWS sets them, and never given by the requests made here; `aws:ResourceAccount` follows the
resource, as `Authorizer.prepare` derives it.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

# cvc5, through its z3py-compatible API (`cvc5.pythonic`, z3py's names): its string solver
# answers the questions of the managed policies' history where z3 4.13-5.4 time out (measured).
from cvc5 import pythonic as z3

from ..catalog import condition_key
from ..engine._compile import CompiledStatement
from ..engine._conditions import CompiledCondition
from ..engine._context import DERIVABLE, Context, ContextEntry
from ..policy._match import Pieces, ResourcePattern, arn_segments, resource_pattern
from ..policy._operators import Comparison, Family
from ..policy._values import as_text, holds_when_absent, null_expects_absent, parse_policy_value
from ..policy._variables import Lookup, Variable, parse_template
from ._languages import (ALL, ARN6, DIGITS12, NO_COLON, PRINTABLE, PRINTABLE_NO_COLON, casefold_regex, glob_regex,
                         literal)

__all__ = ["MAX_VALUES", "Space", "Unencodable"]

# A multi-valued key is given at most this many values: enough for ForAllValues and ForAnyValue to
# tell every combination of a value matching or not apart for one condition (§8.5).
MAX_VALUES = 2
# Numbers are read to this many decimal places: a policy value with more is `unknown`.
_SCALE = 10 ** 6
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
_DATE_RANGE = ((datetime(1, 1, 1, tzinfo=timezone.utc) - _EPOCH) // _MICROSECOND,
               (datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc) - _EPOCH) // _MICROSECOND)
# What an unreadable value of each typed family is given as (§8.4: the comparison is then false).
_UNREADABLE = {Family.NUMERIC: "not-a-number", Family.DATE: "not-a-date", Family.BOOL: "not-a-bool",
               Family.IP: "not-an-address", Family.BINARY: "not-base64!"}
# Bytes (BinaryEquals, §8.4) as text of the characters U+0000-U+00FF, one a byte.
_BYTES = z3.Star(z3.Range("\x00", "\xff"))
_RESOURCE_ACCOUNT = "aws:resourceaccount"
_ORG_PATHS = "aws:principalorgpaths"
_USERID = "aws:userid"
# The unique ID in an `aws:userid` (§1): letters and digits after its kind's four letters.
_UNIQUE_ID = z3.Plus(z3.Union(z3.Range("A", "Z"), z3.Range("0", "9")))
# A readable resource part: printable, and a name rather than nothing or a folder (`b/`).
_RESOURCE_PART = z3.Intersect(PRINTABLE, z3.Complement(z3.Union(literal(""), z3.Concat(z3.Star(ALL), literal("/")))))
# An organization's ID (§10), which begins each of its paths (`o-id/r-root/ou-.../`).
_ORG_ID = z3.Concat(literal("o-"), z3.Plus(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"))))
_MARKER = re.compile("\ue000([0-9]+)\ue001")


class Unencodable(Exception):
    """A construct the symbolic reading does not encode, with where it is written."""

    def __init__(self, construct: str, where: str):
        super().__init__(f"{construct} ({where})")
        self.construct = construct
        self.where = where


# ------------------------------------------------------------------------------- keys

@dataclass(frozen=True)
class _Key:
    """The values of one condition key given in the request: a list or not, how many, each."""

    family: Family | None  # the typed family its operators read it as; None: text
    multi: z3.BoolRef
    count: z3.ArithRef
    values: list[Any]  # per value: a string unknown, or (readable, typed value[, is IPv6])


class Space:
    """The unknowns of the requests of one caller, and the formulas of statements over them."""

    def __init__(self, caller_keys: dict[str, ContextEntry], caller_account: str | None,
                 resource_account: str | None = None, marks: tuple[str, str] | None = None,
                 unique_id: tuple[str, str] | None = None):
        """`resource_account`: the account the request gives as the resource's (`Request`), which
        then holds whatever the ARN says (a bucket's policy asked of callers of any account).
        `unique_id`: what the caller's `aws:userid` holds around a unique ID no ARN carries
        (`unique_id_shape`): AWS sends it, so the requests give it, any such ID."""
        self._caller_keys = caller_keys
        self._unique_id = unique_id
        self._marks = marks  # what the resource contains when a resource policy is mandatory (§2.5)
        self.caller_account = caller_account or ""
        self._resource_account = resource_account or self.caller_account
        # A request names a 6-segment ARN or `*` (`Request`): an ARN is its five segments
        # after `arn`, none but the last holding a colon.
        self.is_arn = z3.Bool("resource_is_arn")
        self._segments = [z3.StringVal("arn")] + [z3.String(f"resource_segment_{i}") for i in range(1, 6)]
        # Readable examples: printable ASCII and single values where they are enough (`_diff`
        # asks without them if not).
        # Everything is said as membership in a regular language, which the solver decides far faster
        # than (dis)equalities of strings.
        self.nice = z3.Bool("printable")
        self.constraints: list[z3.BoolRef] = [
            z3.If(self.nice, z3.InRe(s, PRINTABLE_NO_COLON), z3.InRe(s, NO_COLON)) for s in self._segments[1:5]]
        self.constraints.append(z3.Implies(self.nice, z3.InRe(self._segments[5], _RESOURCE_PART)))
        # aws:ResourceAccount: the ARN's account when it is twelve digits, else the caller's.
        segment = self._segments[4]
        own = self.caller_account
        self._named = z3.And(self.is_arn, z3.InRe(segment, DIGITS12))
        self._own = z3.StringVal(own)
        other = z3.Intersect(DIGITS12, z3.Complement(literal(own))) if own else DIGITS12
        self.same_account = z3.Not(z3.And(self.is_arn, z3.InRe(segment, other)))
        if resource_account is not None:
            self._named = z3.BoolVal(False)
            self._own = z3.StringVal(resource_account)
            self.same_account = z3.BoolVal(resource_account == own)
        self._presence: dict[str, z3.BoolRef] = {}
        self._names: dict[str, str] = {}  # each key as first written
        self._keys: dict[str, _Key] = {}
        self._arns: dict[str, list[z3.SeqRef]] = {}
        self._markers: list[Any] = []  # what the marker pieces of resolved templates stand for

    # --------------------------------------------------------------------- statements

    def statement(self, compiled: CompiledStatement) -> z3.BoolRef:
        """What `CompiledStatement.holds` tests, as a formula (§7.3, §8)."""
        where = f"statement {compiled.ref.statement} of {compiled.ref.policy}"
        terms: list[z3.BoolRef] = []
        if compiled.resources is not None:
            patterns = self._resources_in(compiled.resources)
            for template in compiled.variable_resources:
                patterns += [z3.And(guard, self._resource_in_pieces(pieces, where))
                             for guard, pieces in self._resolutions(template.template.parts, template.resolve, where)]
            hit = z3.Or(*patterns) if patterns else z3.BoolVal(False)
            terms.append(z3.Not(hit) if compiled.not_resource else hit)
        terms.extend(self.condition(c, where) for c in compiled.conditions)
        return z3.And(*terms) if terms else z3.BoolVal(True)

    def resource_in(self, pattern: ResourcePattern) -> z3.BoolRef:
        """The requested resource matches `pattern` (§7.3): an ARN segment by segment; the
        only other resource a request names, `*`, as the engine itself matches it.

        A pattern whose literal text holds the marks of a mandatory resource policy (§2.5),
        as `arn:*:kms:*:*:key/*` does, names only such resources: said outright, the solver
        need not prove it from the substrings each time."""
        hit = z3.If(self.is_arn, self._arn_match(self._segments, pattern), z3.BoolVal(pattern.matches("*", None)))
        facing = pattern.segment_pieces
        if facing is not None and not pattern.matches_every_resource and self._carries_marks(facing):
            self.constraints.append(z3.Implies(hit, self.mandatory))
        return hit

    def _carries_marks(self, facing: list[Pieces]) -> bool:
        """The pattern's literal text holds the marks of the mandatory resource policy (§2.5)."""
        runs = _literal_runs(facing)
        return self._marks is not None and all(any(mark in run for run in runs) for mark in self._marks)

    def _resources_in(self, patterns: Sequence[ResourcePattern]) -> list[z3.BoolRef]:
        """`resource_in` of each pattern; those of six segments that differ only in the last
        are said together, their first five segments once and the last in the union of their
        globs (§7.3): one membership where a statement lists fifty API paths, not fifty."""
        out: list[z3.BoolRef] = []
        groups: dict[tuple[tuple[tuple[str, bool], ...], ...], list[tuple[ResourcePattern, Pieces]]] = {}
        for pattern in patterns:
            facing = pattern.segment_pieces
            if (facing is None or len(facing) != 6 or pattern.matches_every_resource
                    or self._carries_marks(facing)):
                out.append(self.resource_in(pattern))
                continue
            groups.setdefault(tuple(tuple(f) for f in facing[:5]), []).append((pattern, facing[5]))
        for head, members in groups.items():
            if len(members) == 1:
                out.append(self.resource_in(members[0][0]))
                continue
            if not resource_pattern(head[0]).matches("arn", None):
                out.append(z3.BoolVal(any(p.matches("*", None) for p, _ in members)))
                continue
            last = z3.Union(*[glob_regex(f) for _, f in members])
            as_arn = z3.And(*[z3.InRe(s, glob_regex(list(f))) for s, f in zip(self._segments[1:5], head[1:])],
                            z3.InRe(self._segments[5], last))
            out.append(z3.If(self.is_arn, as_arn, z3.BoolVal(any(p.matches("*", None) for p, _ in members))))
        return out

    def is_resource(self, text: str) -> z3.BoolRef:
        """The requested resource is `text`, wildcards and all: `*`, or an ARN segment by segment."""
        if text == "*":
            return z3.Not(self.is_arn)
        segments = arn_segments(text)
        if segments is None:
            return z3.BoolVal(False)  # no request names it: `Request` takes `*` or an ARN of six segments
        return z3.And(self.is_arn, *[z3.InRe(s, literal(part)) for s, part in zip(self._segments[1:], segments[1:])])

    @property
    def mandatory(self) -> z3.BoolRef:
        """Only a resource-policy grant can allow the class's action on the resource (`mandatory_marks`, §2.5)."""
        if self._marks is None:
            return z3.BoolVal(False)
        return z3.And(*[self._contains(m) for m in self._marks])

    def _contains(self, marker: str) -> z3.BoolRef:
        """`marker in resource`, said of the ARN's segments (solvers are slow on `Contains` of a
        concatenation): an occurrence starts in some segment and runs on through the next ones,
        or lies inside the last, the only one that holds colons."""
        parts = marker.split(":")
        segments = self._segments
        anything = z3.Star(ALL)
        inside = z3.Concat(anything, literal(marker), anything)
        options = [z3.InRe(segments[5], inside)]
        for start in range(5):
            end = min(start + len(parts) - 1, 5)
            if end == start:
                options.append(z3.InRe(segments[start], inside))
                continue
            terms = [z3.InRe(segments[start], z3.Concat(anything, literal(parts[0])))]
            terms += [z3.InRe(segments[start + j], literal(parts[j])) for j in range(1, end - start)]
            terms.append(z3.InRe(segments[end], z3.Concat(literal(":".join(parts[end - start:])), anything)))
            options.append(z3.And(*terms))
        return z3.If(self.is_arn, z3.Or(*options), z3.BoolVal(marker in "*"))

    def _arn_match(self, segments: list[Any], pattern: ResourcePattern, where: str = "") -> z3.BoolRef:
        """`ResourcePattern.matches` on a 6-segment ARN: segment by segment (§7.3)."""
        if pattern.matches_every_resource:
            return z3.BoolVal(True)
        facing = pattern.segment_pieces
        if facing is None:
            return z3.BoolVal(False)
        count = len(facing)
        terms = []
        prefix = _literal_prefix(facing[-1]) if count < 6 else None
        if prefix is not None:
            # The last piece is a text without colons then `*`: it faces the rest of the ARN,
            # which begins with it exactly when the first segment of the rest does (§7.3).
            part = segments[count - 1]
            terms.append(z3.BoolVal(part.as_string().startswith(prefix)) if z3.is_string_value(part)
                         else z3.InRe(part, z3.Concat(literal(prefix), z3.Star(ALL))))
            facing, segments = facing[:-1], segments[:count - 1]
            faced = segments
        else:
            faced = segments[:count - 1] + [_join(segments[count - 1:])]
        for part, pieces in zip(faced, facing):
            if self._marked(pieces):
                terms.append(self._marked_match(part, pieces, where))
            elif z3.is_string_value(part):
                terms.append(z3.BoolVal(resource_pattern(tuple(pieces)).matches(part.as_string(), None)))
            else:
                terms.append(z3.InRe(part, glob_regex(pieces)))
        return z3.And(*terms)

    def _resolutions(self, parts: tuple[Any, ...], resolve: Callable[[Lookup], Pieces | None], where: str
                     ) -> list[tuple[z3.BoolRef, Pieces]]:
        """Each way the variables of a template resolve (§9), with when it does: a derived key
        of the caller as its value; a key the request gives, present with one value, as a
        marker piece that `_concat` reads as the key's unknown; absent, as the default (a
        variable without one leaves that way out: it matches nothing)."""
        keys = list(dict.fromkeys(p.key for p in parts if isinstance(p, Variable)))
        ways: list[tuple[list[z3.BoolRef], dict[str, str | None]]] = [([], {})]
        for written in keys:
            name = written.lower()
            if name == _RESOURCE_ACCOUNT:
                options: list[tuple[z3.BoolRef | None, str | None]] = [
                    (None, self._marker(z3.If(self._named, self._segments[4], self._own)))]
            elif name in DERIVABLE and not self._searched(name):
                entry = self._caller_keys.get(name)
                options = [(None, None if entry is None else entry.texts[0] if not entry.multi else "")]
                if entry is not None and entry.multi:
                    options = []
            else:
                key = self._key(written, Family.STRING, where)
                present = self._present(written)
                options = [(z3.And(present, z3.Not(key.multi)), self._marker(key.values[0])), (z3.Not(present), None)]
            ways = [(guards + ([g] if g is not None else []), {**chosen, name: value})
                    for guards, chosen in ways for g, value in options]
        out = []
        for guards, chosen in ways:
            pieces = resolve(lambda key, chosen=chosen: chosen.get(key))  # type: ignore[misc]
            if pieces is not None:
                out.append((z3.And(*guards) if guards else z3.BoolVal(True), pieces))
        return out

    def _marker(self, value: Any) -> str:
        """A piece of text that stands for `value`, a string term, in resolved pieces."""
        self._markers.append(value)
        return f"\ue000{len(self._markers) - 1}\ue001"

    def _concat(self, pieces: Pieces, where: str) -> Any:
        """Resolved pieces without wildcards as one string term, markers read as their unknowns."""
        parts: list[Any] = []
        for text, wildcards in pieces:
            for i, chunk in enumerate(_MARKER.split(text)):
                if chunk:
                    parts.append(self._markers[int(chunk)] if i % 2 else z3.StringVal(chunk))
        if not parts:
            return z3.StringVal("")
        return parts[0] if len(parts) == 1 else z3.Concat(*parts)

    def _marked_match(self, value: Any, pieces: Pieces, where: str) -> z3.BoolRef:
        """`value` matches a glob some of whose literal pieces are unknowns (§9): text and
        unknowns up to the last unknown, then a glob; a glob, then text and unknowns from the
        first; wildcards on both sides, in the forms below; else the glob as a language holding
        the unknowns' values (`_marked_regex`)."""
        marked = [i for i, (text, _) in enumerate(pieces) if _MARKER.search(text)]
        first, last = marked[0], marked[-1]
        head, tail = pieces[:last + 1], pieces[last + 1:]
        lead, rest = pieces[:first], pieces[first:]
        if not _wild(head):
            fixed = self._concat(head, where)
            if not tail:
                return value == fixed
            size = z3.Length(fixed)
            return z3.And(z3.PrefixOf(fixed, value),
                          z3.InRe(z3.SubString(value, size, z3.Length(value) - size), glob_regex(tail)))
        if not _wild(rest):
            fixed = self._concat(rest, where)
            return z3.And(z3.SuffixOf(fixed, value),
                          z3.InRe(z3.SubString(value, 0, z3.Length(value) - z3.Length(fixed)), glob_regex(lead)))
        # Wildcards on both sides (`*-registry-${region}-*/*`): before the unknowns, a glob of
        # fixed length, maybe a `*` and text; after them, maybe text then a glob from a `*` on,
        # or else a glob of fixed length. The value begins with the fixed glob and holds the
        # middle: at once, or, after a `*`, first where it occurs, which leaves the longest
        # rest for the glob from a `*` (any later occurrence's rest is a tail of it).
        middle = pieces[first:last + 1]
        before, after = _around_star(lead, last_star=True), _around_star(tail, last_star=False)
        if _wild(middle) or before is None or after is None:
            # Any other glob: a regular language with the unknowns' values in it, which the
            # solver reads as it is (slower than the forms above, as exact).
            return z3.InRe(value, self._marked_regex(pieces))
        (start, text_before, star_before), (end, text_after, star_after) = before, after
        wanted = self._concat([(text_before, False), *middle, (text_after, False)], where)
        n1, size = _fixed_length(start), z3.Length(value)
        begins = z3.And(size >= n1, z3.InRe(z3.SubString(value, 0, n1), glob_regex(start)))
        if star_after:  # `end` is a glob from its `*` on
            at = z3.IndexOf(value, wanted, n1) if star_before else z3.IntVal(n1)
            rest = at + z3.Length(wanted)
            return z3.And(begins, at >= 0, z3.PrefixOf(wanted, z3.SubString(value, at, size - at)),
                          z3.InRe(z3.SubString(value, rest, size - rest), glob_regex(end)))
        n2 = _fixed_length(end)
        between = z3.SubString(value, n1, size - n1 - n2)
        holds = z3.SuffixOf(wanted, between) if star_before else between == wanted
        return z3.And(begins, size >= n1 + n2, z3.InRe(z3.SubString(value, size - n2, n2), glob_regex(end)), holds)

    def _marked_regex(self, pieces: Pieces) -> Any:
        """A glob some of whose literal pieces are unknowns, as a language holding their values."""
        parts: list[Any] = []
        for text, wildcards in pieces:
            for i, chunk in enumerate(_MARKER.split(text)):
                if i % 2:
                    parts.append(z3.Re(self._markers[int(chunk)]))
                elif chunk:
                    parts.append(glob_regex([(chunk, wildcards)]))
        return parts[0] if len(parts) == 1 else z3.Concat(*parts)

    @staticmethod
    def _marked(pieces: Pieces) -> bool:
        return any("\ue000" in text for text, _ in pieces)

    def _resource_in_pieces(self, pieces: Pieces, where: str) -> z3.BoolRef:
        """`resource_in` for a pattern whose variables are unknowns: a segment that holds one
        is equal to it with the text around it."""
        pattern = resource_pattern(tuple(pieces))
        if not self._marked(pieces):
            return self.resource_in(pattern)
        return z3.If(self.is_arn, self._arn_match(self._segments, pattern, where),
                     z3.BoolVal(False) if pieces[0][0].startswith("arn:") else self._unencodable(where))

    @staticmethod
    def _unencodable(where: str) -> z3.BoolRef:
        raise Unencodable("a policy variable matched against `*`", where)

    # --------------------------------------------------------------------- conditions

    def condition(self, condition: CompiledCondition, where: str) -> z3.BoolRef:
        """What `CompiledCondition.holds` tests (§8.1, §8.3, §8.5), over the key's unknowns."""
        entry, operator, name = condition.entry, condition.operator, condition.key
        where = f"`{operator.name}` on `{entry.key}` in {where}"
        family = operator.family
        absent = z3.BoolVal(holds_when_absent(operator, entry.values))
        if name in DERIVABLE and name != _RESOURCE_ACCOUNT and not self._searched(name):
            # Fixed by the caller: the engine's own test answers, on the caller's keys alone,
            # unless the policy values read keys the request gives (§9).
            if not (condition.has_variables and family in (Family.STRING, Family.ARN)):
                return z3.BoolVal(condition.holds(Context({}, self._caller_keys, self._resource_account)))
            fixed = self._caller_keys.get(name)
            if fixed is None:
                return absent
            # One value (`caller_keys`): every qualifier tests it alone (§8.5).
            return self._matcher(condition, where)(z3.StringVal(fixed.texts[0])) != z3.BoolVal(operator.negated)
        if family is Family.NULL:
            present = z3.BoolVal(not all(null_expects_absent(v) for v in entry.values))
            if name == _RESOURCE_ACCOUNT:
                return present if self._resource_account else absent
            return z3.If(self._present(entry.key), present, absent)
        matcher = self._matcher(condition, where)
        negated = operator.negated
        if name == _RESOURCE_ACCOUNT:
                # One value, always present: every qualifier tests it alone (§8.5).
            return z3.If(self._named, matcher(self._segments[4]), matcher(self._own)) != z3.BoolVal(negated)
        key = self._key(entry.key, family, where)
        present = self._present(entry.key)
        single = matcher(key.values[0]) != z3.BoolVal(negated)
        tests = [(i < key.count, matcher(v) != z3.BoolVal(negated)) for i, v in enumerate(key.values)]
        if operator.tests_all_values:
            many = z3.And(*[z3.Implies(inside, test) for inside, test in tests])
        else:
            many = z3.Or(*[z3.And(inside, test) for inside, test in tests])
        return z3.If(z3.Not(present), absent, z3.If(key.multi, many, single))

    def _values(self, condition: CompiledCondition, where: str) -> list[Any]:
        """The policy values of a condition as its family reads them; variables resolved."""
        family = condition.operator.family
        values: list[Any] = []
        for value in condition.entry.values:
            text = as_text(value)
            if "${" in text and family in (Family.STRING, Family.ARN) and condition.has_variables:
                template = parse_template(text)
                values += self._resolutions(template.parts, template.resolve, where)
            elif family in (Family.STRING, Family.ARN):
                values.append((z3.BoolVal(True), [(text, True)]))
            else:
                values.append(parse_policy_value(family, text))
        return values

    def _matcher(self, condition: CompiledCondition, where: str) -> Callable[[Any], z3.BoolRef]:
        """Does one value (a string term, or a typed value) match any policy value (§8.4)?"""
        operator = condition.operator
        family, comparison = operator.family, operator.comparison
        values = self._values(condition, where)
        if family is Family.STRING:
            static = [p for g, p in values if not self._marked(p)]
            if comparison is Comparison.LIKE:
                regexes = [glob_regex(p) for p in static]
            elif comparison is Comparison.EQUALS_IGNORE_CASE:
                regexes = [casefold_regex("".join(t for t, _ in p).casefold()) for p in static]
            else:
                regexes = [literal("".join(t for t, _ in p)) for p in static]
            if comparison is Comparison.EQUALS_IGNORE_CASE and len(static) < len(values):
                raise Unencodable("a policy variable on a key the request gives under an IgnoreCase operator", where)
            if comparison is Comparison.LIKE:
                marked = [(g, p) for g, p in values if self._marked(p)]
            else:  # every character literal (§8.4)
                marked = [(g, [("".join(t for t, _ in p), False)]) for g, p in values if self._marked(p)]
            language = (z3.Union(*regexes) if len(regexes) > 1 else regexes[0]) if regexes else None

            def text(v: Any) -> z3.BoolRef:
                terms = [z3.InRe(v, language)] if language is not None else []
                terms += [z3.And(g, self._marked_match(v, p, where)) for g, p in marked]
                return z3.Or(*terms) if terms else z3.BoolVal(False)
            return text
        if family is Family.ARN:
            patterns = [(g, resource_pattern(tuple(p))) for g, p in values]
            # Each pattern as a language of whole ARNs where its pieces are known; those holding
            # a key's unknown value face the value's segments one by one.
            languages = [(g, p, _arn_language(p) if not any(self._marked(f) for f in p.segment_pieces or []) else None)
                         for g, p in patterns]
            plain = [language for g, _, language in languages if language is not None and z3.is_true(g)]
            union = (z3.Union(*plain) if len(plain) > 1 else plain[0]) if plain else None

            def arn(v: Any) -> z3.BoolRef:
                terms = [z3.InRe(v, union)] if union is not None else []
                for g, p, language in languages:
                    if language is None:
                        terms.append(z3.And(g, self._arn_match(self._arn_segments(v), p, where)))
                    elif not z3.is_true(g):
                        terms.append(z3.And(g, z3.InRe(v, language)))
                return z3.And(z3.InRe(v, ARN6), z3.Or(*terms) if terms else z3.BoolVal(False))
            return arn
        if family is Family.BINARY:
            decoded = [z3.StringVal(v.decode("latin-1")) for v in values]
            return lambda v: z3.And(v[0], z3.Or(*[v[1] == d for d in decoded]) if decoded else z3.BoolVal(False))
        if family is Family.BOOL:
            wanted = [z3.BoolVal(v == "true") for v in values]
            return lambda v: z3.And(v[0], z3.Or(*[v[1] == w for w in wanted]))
        if family is Family.IP:
            blocks = [(n.version == 6, int(n.network_address), int(n.netmask)) for n in values]
            return lambda v: z3.And(v[0], z3.Or(*[
                z3.And(v[2] == z3.BoolVal(six), v[1] & z3.BitVecVal(mask, 128) == z3.BitVecVal(network, 128))
                for six, network, mask in blocks]))
        if family is Family.NUMERIC:
            scaled = []
            for number in values:
                exact = Decimal(number) * _SCALE
                if exact != exact.to_integral_value():
                    raise Unencodable(f"number `{number}` with more than 6 decimal places", where)
                scaled.append(int(exact))
            return self._ordered(comparison, scaled)
        if family is Family.DATE:
            return self._ordered(comparison, [(d - _EPOCH) // _MICROSECOND for d in values])
        raise Unencodable(f"condition operator `{operator.name}`", where)

    @staticmethod
    def _ordered(comparison: Comparison, values: list[int]) -> Callable[[Any], z3.BoolRef]:
        compare: dict[Comparison, Callable[[Any, int], z3.BoolRef]] = {
            Comparison.EQUALS: lambda a, b: a == b, Comparison.LESS_THAN: lambda a, b: a < b,
            Comparison.LESS_THAN_EQUALS: lambda a, b: a <= b, Comparison.GREATER_THAN: lambda a, b: a > b,
            Comparison.GREATER_THAN_EQUALS: lambda a, b: a >= b}
        test = compare[comparison]
        return lambda v: z3.And(v[0], z3.Or(*[test(v[1], b) for b in values]) if values else z3.BoolVal(False))

    def _arn_segments(self, value: z3.SeqRef) -> list[Any]:
        """Six segments of a string unknown, tied to it when it is a 6-segment ARN."""
        found = self._arns.get(value.sexpr())
        if found is None:
            base = value.sexpr().replace("|", "")
            found = [z3.StringVal("arn")] + [z3.String(f"{base}_segment_{i}") for i in range(1, 6)]
            self.constraints.append(z3.Implies(z3.InRe(value, ARN6), value == _join(found)))
            self.constraints.extend(z3.InRe(s, NO_COLON) for s in found[1:5])
            self._arns[value.sexpr()] = found
        return found

    def _present(self, written: str) -> z3.BoolRef:
        """Whether the request gives the key (any case, §8.2)."""
        name = written.lower()
        found = self._presence.get(name)
        if found is None:
            found = self._presence[name] = z3.Bool(f"k{len(self._presence)}_present")
            self._names[name] = written
        return found

    def _key(self, written: str, family: Family, where: str) -> _Key:
        """The values of a key given in the request; one key read as two typed families (or as
        one and as text) is not encoded."""
        name = written.lower()
        typed = None if family in (Family.STRING, Family.ARN) else family
        key = self._keys.get(name)
        if key is not None:
            if key.family != typed:
                raise Unencodable(f"key `{written}` compared as {key.family or 'text'} and as {typed or 'text'}",
                                  where)
            return key
        present = self._present(written)
        tag = str(present).removesuffix("_present")
        multi, count = z3.Bool(f"{tag}_list"), z3.Int(f"{tag}_count")
        values: list[Any] = []
        for i in range(MAX_VALUES):
            each = f"{tag}_{i}"
            if typed is None:
                text = z3.String(each)
                values.append(text)
                self.constraints.append(z3.Implies(self.nice, z3.InRe(text, PRINTABLE)))
            elif typed is Family.BOOL:
                values.append((z3.Bool(each + "_ok"), z3.Bool(each)))
            elif typed is Family.BINARY:
                data = z3.String(each)
                values.append((z3.Bool(each + "_ok"), data))
                self.constraints.append(z3.InRe(data, _BYTES))
            elif typed is Family.IP:
                number = z3.BitVec(each, 128)
                six = z3.Bool(each + "_v6")
                values.append((z3.Bool(each + "_ok"), number, six))
                self.constraints.append(z3.Implies(z3.Not(six), z3.ULT(number, z3.BitVecVal(1 << 32, 128))))
            elif typed in (Family.NUMERIC, Family.DATE):
                number = z3.Int(each)
                values.append((z3.Bool(each + "_ok"), number))
                if typed is Family.DATE:
                    self.constraints.append(z3.And(number >= _DATE_RANGE[0], number <= _DATE_RANGE[1]))
            else:
                raise Unencodable(f"condition operator family `{typed}`", where)
        self.constraints.append(z3.And(count >= 0, count <= MAX_VALUES, z3.Implies(z3.Not(multi), count == 1)))
        key = self._keys[name] = _Key(family=typed, multi=multi, count=count, values=values)
        given, listed = _as_aws_sets(written, key)
        self.constraints.extend(given)
        # One value reads best (a list of one, for a key AWS always gives as a list).
        self.constraints.append(z3.Implies(self.nice, count == 1 if listed else z3.Not(multi)))
        return key

    def _searched(self, name: str) -> bool:
        """A key about the caller that AWS sets and the ARN does not fix: `aws:userid` of an IAM
        user or a role session (§1), searched as the requests give it."""
        return name == _USERID and self._unique_id is not None

    def read_keys(self) -> list[str]:
        """The keys the encoded statements read from the request, as first written."""
        return list(self._names.values())

    def caller_rules(self) -> list[z3.BoolRef]:
        """What AWS gives of the keys about the caller (§1, §10), when statements read them:
        the caller's `aws:userid`, always, with its unique ID (`unique_id`); its organization
        (`_organization`). Read after the statements, before the caller's facts (`fact`)."""
        out = self._organization()
        present = self._presence.get(_USERID)
        if present is not None and self._unique_id is not None:
            out.append(present)
            key = self._keys.get(_USERID)
            if key is not None and key.family is None:
                before, after = self._unique_id
                out.append(z3.InRe(key.values[0], z3.Concat(literal(before), _UNIQUE_ID, literal(after))))
        return out

    def _organization(self) -> list[z3.BoolRef]:
        """What AWS gives of a caller's organization (§10), when a statement reads its paths:
        `aws:PrincipalOrgPaths` comes with `aws:PrincipalOrgID`, as a list of that organization's
        paths (`o-id/r-root/ou-.../`), each beginning with its ID: an equation of strings, left
        to the solver."""
        paths_present = self._presence.get(_ORG_PATHS)
        if paths_present is None:
            return []
        out = [paths_present == self._present("aws:PrincipalOrgID")]
        paths = self._keys.get(_ORG_PATHS)
        if paths is None or paths.family is not None:
            return out
        organization = self._key("aws:PrincipalOrgID", Family.STRING, "the caller's organization (§10)")
        out.append(z3.Implies(paths_present, z3.InRe(organization.values[0], _ORG_ID)))
        prefix = z3.Concat(organization.values[0], z3.StringVal("/"))
        for i, path in enumerate(paths.values):
            out.append(z3.Implies(z3.And(paths_present, paths.count > i), z3.PrefixOf(prefix, path)))
        return out

    def fact(self, written: str, value: str | None, outside: tuple[str, ...] = ()) -> z3.BoolRef | None:
        """What a kind of caller fixes of a key the request gives (`_callers`), when a statement
        reads it (else None): absent (`value` None, and no `outside`), one value, or absent or
        one value not among `outside`."""
        name = written.lower()
        present = self._presence.get(name)
        if present is None:
            return None
        key = self._keys.get(name)
        if value is None and not outside:
            return z3.Not(present)
        if key is None:  # only `Null` reads it
            return present if value is not None else z3.BoolVal(True)
        first = key.values[0]
        if key.family is None:  # said as memberships (`_memberships`)
            if value is not None:
                return z3.And(present, z3.Not(key.multi), z3.InRe(first, literal(value)))
            return z3.Or(z3.Not(present), z3.And(z3.Not(key.multi), *[z3.Not(z3.InRe(first, literal(o)))
                                                                     for o in outside]))
        if key.family is Family.BOOL and value is not None:
            return z3.And(present, z3.Not(key.multi), first[0], first[1] == z3.BoolVal(value == "true"))
        raise Unencodable(f"key `{written}` compared as {key.family}", "the caller's keys")

    # --------------------------------------------------------------------- models

    def render(self, model: z3.ModelRef, strings: Mapping[str, str] | None = None) -> tuple[str, dict[str, Any]]:
        """The resource and the context a model stands for, as a request gives them; `strings`
        gives the string unknowns decided outside the solver (`_memberships`) by name."""
        strings = strings or {}
        resource = "*"
        if z3.is_true(model.eval(self.is_arn, model_completion=True)):
            resource = ":".join(_text(model, s, strings) for s in self._segments)
        context: dict[str, Any] = {}
        for name, present in self._presence.items():
            if not z3.is_true(model.eval(present, model_completion=True)):
                continue
            written = self._names[name]
            key = self._keys.get(name)
            if key is None:  # only `Null` reads it: any value will do
                context[written] = "present"
                continue
            values = [self._render_value(model, key.family, v, strings) for v in key.values]
            if z3.is_true(model.eval(key.multi, model_completion=True)):
                context[written] = values[:model.eval(key.count, model_completion=True).as_long()]
            else:
                context[written] = values[0]
        return resource, context

    @staticmethod
    def _render_value(model: z3.ModelRef, family: Family | None, value: Any, strings: Mapping[str, str]) -> str:
        if family is None:
            return _text(model, value, strings)
        if not z3.is_true(model.eval(value[0], model_completion=True)):
            return _UNREADABLE[family]
        if family is Family.BOOL:
            return "true" if z3.is_true(model.eval(value[1], model_completion=True)) else "false"
        if family is Family.BINARY:
            return base64.b64encode(_text(model, value[1]).encode("latin-1")).decode("ascii")
        number: int = model.eval(value[1], model_completion=True).as_long()
        if family is Family.IP:
            six = z3.is_true(model.eval(value[2], model_completion=True))
            return str(ipaddress.IPv6Address(number) if six else ipaddress.IPv4Address(number))
        if family is Family.DATE:
            return (_EPOCH + number * _MICROSECOND).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        whole, part = divmod(abs(number), _SCALE)
        sign = "-" if number < 0 else ""
        return f"{sign}{whole}" + (f".{part:06d}".rstrip("0") if part else "")


_DIGIT = z3.Range("0", "9")
_OCTET = z3.Union(_DIGIT, z3.Concat(z3.Range("1", "9"), _DIGIT), z3.Concat(literal("1"), _DIGIT, _DIGIT),
                  z3.Concat(literal("2"), z3.Range("0", "4"), _DIGIT), z3.Concat(literal("25"), z3.Range("0", "5")))
_GROUP = z3.Loop(z3.Union(_DIGIT, z3.Range("a", "f")), 1, 4)
_GROUPS = z3.Option(z3.Concat(_GROUP, z3.Star(z3.Concat(literal(":"), _GROUP))))
_IPV6 = z3.Union(z3.Concat(z3.Loop(z3.Concat(_GROUP, literal(":")), 7, 7), _GROUP),
                 z3.Concat(_GROUPS, literal("::"), _GROUPS))  # eight groups, or fewer around `::`
# The text of a value of each type AWS sets (§8.4): what it sends of a Bool, Numeric, Date or
# address key compared as text.
_AS_TEXT = {
    "Bool": z3.Union(literal("true"), literal("false")),
    "Numeric": z3.Concat(z3.Option(literal("-")), z3.Plus(_DIGIT), z3.Option(z3.Concat(literal("."), z3.Plus(_DIGIT)))),
    "Date": z3.Union(z3.Plus(_DIGIT), z3.Concat(
        z3.Loop(_DIGIT, 4, 4), literal("-"), z3.Loop(_DIGIT, 2, 2), literal("-"), z3.Loop(_DIGIT, 2, 2), literal("T"),
        z3.Loop(_DIGIT, 2, 2), literal(":"), z3.Loop(_DIGIT, 2, 2), literal(":"), z3.Loop(_DIGIT, 2, 2),
        z3.Option(z3.Concat(literal("."), z3.Plus(_DIGIT))), literal("Z"))),
    "IPAddress": z3.Union(z3.Concat(_OCTET, literal("."), _OCTET, literal("."), _OCTET, literal("."), _OCTET),
                          _IPV6),
}


def _as_aws_sets(written: str, key: _Key) -> tuple[list[z3.BoolRef], bool]:
    """What a request can hold of a global key, which AWS sets itself (§10): one value, or a list
    for a key of an `ArrayOf` type, as the catalogue types it; and a value AWS can read, for its
    Bool, Numeric, Date and address keys, compared as such or as text (`true` or `false`, an
    address, never other text). A service's
    keys and tags, which come from the caller's own request, can hold anything. With whether
    the key is always a list."""
    known = condition_key(written)
    if known is None or not known.is_global or "tag/" in written.lower():
        return [], False
    out = [key.multi if known.multivalued else z3.Not(key.multi)]
    kind = known.value_type
    if key.family is None and kind in _AS_TEXT:
        out += [z3.InRe(v, _AS_TEXT[kind]) for v in key.values]
    elif key.family is not None and kind in _AS_TEXT:
        out += [v[0] for v in key.values]
    return out, known.multivalued


def _wild(pieces: Pieces) -> bool:
    """Whether a `*` or `?` acts as a wildcard in the pieces."""
    return any(wildcards and ("*" in text or "?" in text) for text, wildcards in pieces)


def _tokens(pieces: Pieces) -> list[tuple[str, bool]]:
    """The pieces character by character, each with whether it is a wildcard (`*`, `?`)."""
    return [(c, wildcards and c in "*?") for text, wildcards in pieces for c in text]


def _around_star(pieces: Pieces, last_star: bool) -> tuple[Pieces, str, bool] | None:
    """Pieces split at a `*`, as a glob, the text beside it, and True. At their last
    (`last_star`): the glob before it, which holds no `*`, and the text after; None if another
    `*`, or a `?` in that text, keeps them from it. At their first: the glob from it on, `*`
    included, and the text before it. Without `*`: the pieces as the glob, no text, False."""
    tokens = _tokens(pieces)
    stars = [i for i, (c, wild) in enumerate(tokens) if wild and c == "*"]
    if not stars:
        return [(c, wild) for c, wild in tokens], "", False
    at = stars[-1] if last_star else stars[0]
    glob_part, text_part = (tokens[:at], tokens[at + 1:]) if last_star else (tokens[at:], tokens[:at])
    if any(wild for _, wild in text_part) or (last_star and any(wild and c == "*" for c, wild in glob_part)):
        return None
    return [(c, wild) for c, wild in glob_part], "".join(c for c, _ in text_part), True


def _fixed_length(pieces: Pieces) -> int:
    """The length of the strings a glob without `*` matches."""
    return sum(len(text) for text, _ in pieces)


def _literal_prefix(pieces: Pieces) -> str | None:
    """The text of pieces that are a text without wildcards or colons, then a last `*`."""
    if not pieces or not pieces[-1][1] or not pieces[-1][0].endswith("*"):
        return None
    head = [*pieces[:-1], (pieces[-1][0][:-1], True)]
    text = "".join(t for t, _ in head)
    return None if _wild(head) or ":" in text or _MARKER.search(text) else text


def _arn_language(pattern: ResourcePattern) -> Any:
    """The 6-segment ARNs that `ResourcePattern.matches` (§7.3), as a language of whole strings
    (with `ARN6`): each segment's glob, kept from colons but the last, which faces the rest."""
    if pattern.matches_every_resource:
        return z3.Star(ALL)
    facing = pattern.segment_pieces
    if facing is None:
        return z3.Empty(z3.ReSort())
    if len(facing) == 1:
        return glob_regex(facing[0])
    if not resource_pattern(tuple(facing[0])).matches("arn", None):
        return z3.Empty(z3.ReSort())
    parts = [literal("arn:")]
    for pieces in facing[1:-1]:
        parts += [z3.Intersect(glob_regex(pieces), NO_COLON), literal(":")]
    return z3.Concat(*parts, glob_regex(facing[-1]))


def _literal_runs(segments: list[Pieces]) -> list[str]:
    """The runs of text that every resource matching these segments holds as written: the
    pattern's text between its wildcards, the colons between segments included (§7.3)."""
    runs = [""]
    for i, pieces in enumerate(segments):
        if i:
            runs[-1] += ":"
        for text, wildcards in pieces:
            if not wildcards:
                runs[-1] += text
                continue
            for char in text:
                if char in "*?":
                    runs.append("")
                else:
                    runs[-1] += char
    return runs


def _join(parts: list[Any]) -> Any:
    out = parts[0]
    for part in parts[1:]:
        out = z3.Concat(out, z3.StringVal(":"), part)
    return out


def _text(model: z3.ModelRef, value: z3.SeqRef, strings: Mapping[str, str] | None = None) -> str:
    if strings and z3.is_const(value) and (given := strings.get(str(value))) is not None:
        return given
    found = model.eval(value, model_completion=True)
    text: str = found.as_string() if z3.is_string_value(found) else ""
    return text

