"""Wildcard matching on hostile input (issue 14, IAM-SEMANTICS §7, §8.4).

`Glob` is the one matcher of `Resource`, `StringLike` and `ArnLike`. Its answers must be those
of a plain glob (`*` any run, even empty and across `/` and `:`; `?` exactly one character;
case-sensitive), whatever the pattern; and a long `?`-holding chunk between two `*` must be
matched without a search that retries it at every start. How fast is measured in
`bench/hostile.py`; here only the answers on the inputs that used to take seconds.
"""

from __future__ import annotations

import fnmatch

import pytest
from hypothesis import given
from hypothesis import strategies as st

import iameval
from helpers import A, ALICE, BUCKET, allow, authorizer, doc
from iameval.analysis import validate_policy
from iameval.analysis._coverage import _covers
from iameval.policy._match import Glob, ResourcePattern, arn_segments

N = 100_000


def _reference(pattern: str, text: str) -> bool:
    """A plain glob by `fnmatch`, where `[` would open a character class: it is escaped."""
    return fnmatch.fnmatchcase(text, pattern.replace("[", "[[]"))


def _literal(text: str) -> str:
    """`text` as an `fnmatch` pattern that matches only itself."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


_CHARS = "ab/:[A"
_PATTERN_CHARS = _CHARS + "*?"
# A long chunk of literal characters and `?` (longer than the regex path takes), between `*`s.
_LONG_CHUNK = st.text("ab??", min_size=65, max_size=160)
_PATTERNS = st.one_of(
    st.text(_PATTERN_CHARS, max_size=40),
    st.builds(lambda head, chunk, tail: f"{head}*{chunk}*{tail}",
              st.text(_PATTERN_CHARS, max_size=6), _LONG_CHUNK, st.text(_PATTERN_CHARS, max_size=6)),
    st.builds(lambda chunk, more: f"*{chunk}*{more}", _LONG_CHUNK, _LONG_CHUNK),
)
_TEXTS = st.one_of(st.text(_CHARS, max_size=60), st.text("ab", min_size=60, max_size=500))


@given(_PATTERNS, _TEXTS)
def test_glob_agrees_with_a_plain_glob(pattern: str, text: str) -> None:
    assert Glob(pattern).matches(text) == _reference(pattern, text)


@given(st.lists(st.tuples(st.text("ab?*", max_size=80), st.booleans()), max_size=4), _TEXTS)
def test_glob_from_parts_takes_literal_pieces_literally(pieces: list[tuple[str, bool]], text: str) -> None:
    """A resolved variable's value is literal text (§9): its `*` and `?` match only themselves."""
    reference = "".join(t.replace("[", "[[]") if wildcards else _literal(t) for t, wildcards in pieces)
    assert Glob.from_parts(pieces).matches(text) == fnmatch.fnmatchcase(text, reference)


@given(_LONG_CHUNK, st.text("ab", max_size=40), st.text("ab", max_size=40))
def test_a_long_chunk_is_found_where_it_is(chunk: str, before: str, after: str) -> None:
    """The text made from the chunk (each `?` a `b`) is matched wherever it stands."""
    text = before + chunk.replace("?", "b") + after
    assert Glob(f"*{chunk}*").matches(text)
    assert Glob(f"*{chunk}*").matches(text) == _reference(f"*{chunk}*", text)


_HOSTILE = [
    pytest.param("*" + "a?" * (N // 4) + "b*", "a" * N, False, id="a?a?...b-between-stars-absent"),
    pytest.param("*" + "?" * (N // 2 - 1) + "c*", "a" * N, False, id="question-marks-then-c-absent"),
    pytest.param("*" + "?" * (N // 2 - 1) + "c*", "a" * (N - 1) + "c", True, id="question-marks-then-c-at-the-end"),
    pytest.param("*" + "a?" * (N // 4) + "*", "b" * (N // 2) + "a" * (N // 2), True, id="a?a?...-at-the-end"),
    pytest.param("*" + "a?" * (N // 4) + "b*" + "a?" * 10 + "*", "a" * N + "b" + "a" * 20, True,
                 id="two-long-chunks-the-second-after-the-first"),
    pytest.param("x*" + "ab?" * (N // 6) + "*y", "x" + "ab" * (N // 2) + "y", False, id="long-chunk-never-fits"),
]


@pytest.mark.parametrize("pattern, text, matches", _HOSTILE)
def test_hostile_globs_are_answered(pattern: str, text: str, matches: bool) -> None:
    assert Glob(pattern).matches(text) is matches


@pytest.mark.parametrize("pattern, text, matches", _HOSTILE[:4])
def test_hostile_resource_patterns_are_answered(pattern: str, text: str, matches: bool) -> None:
    """`Resource` matches the resource segment of an S3 ARN with the same glob (§7.3)."""
    resource = "arn:aws:s3:::" + text
    assert ResourcePattern("arn:aws:s3:::" + pattern).matches(resource, arn_segments(resource)) is matches


@pytest.mark.parametrize("operator", ["StringLike", "ArnLike"])
@pytest.mark.parametrize("pattern, text, matches", _HOSTILE[:4])
def test_hostile_like_conditions_are_answered(operator: str, pattern: str, text: str, matches: bool) -> None:
    """`StringLike` and `ArnLike` on a 100,000-character value decide as the glob says (§8.4)."""
    key, prefix = ("aws:PrincipalTag/team", "") if operator == "StringLike" else ("aws:SourceArn", "arn:aws:s3:::")
    statement = allow(resource="*", Condition={operator: {key: prefix + pattern}})
    context = {key: prefix + text}
    decision = authorizer([doc(statement)]).authorize(
        {"principal": ALICE, "action": "s3:GetObject", "resource": f"{BUCKET}/x", "context": context}).decision
    assert decision is (iameval.Decision.ALLOW if matches else iameval.Decision.IMPLICIT_DENY)


def test_validate_answers_on_long_wildcard_resources() -> None:
    """Two statements on wildcard resources with a `*` every third character: the catalogue
    check and the comparison of the two statements give their answer (the sizes that were slow
    are in `bench/hostile.py`)."""
    resources = ["arn:aws:s3:::" + "*a?" * 300, f"arn:aws:s3:::{A}-" + "a*?" * 300]
    findings = validate_policy(doc(*(allow(resource=r) for r in resources)))
    assert "redundant-statement" not in {f.code for f in findings}


def _covers_by_table(wide: tuple[str, ...], narrow: tuple[str, ...]) -> bool:
    """The reference: a table of `wide[i:]` covering `narrow[j:]` (what `_covers` computed before
    it matched chunk by chunk)."""
    n, m = len(wide), len(narrow)
    ok = [[False] * (m + 1) for _ in range(n + 1)]
    ok[n][m] = True
    for i in range(n - 1, -1, -1):
        token, row, below = wide[i], ok[i], ok[i + 1]
        if token == "*":
            row[m] = below[m]
            for j in range(m - 1, -1, -1):
                row[j] = below[j] or row[j + 1]
            continue
        for j in range(m - 1, -1, -1):
            other = narrow[j]
            row[j] = (other != "*" and len(other) == 1 and below[j + 1]) if token == "?" else (
                token == other and below[j + 1])
    return ok[0][0]


_COVER_TOKENS = st.lists(st.sampled_from(["a", "b", "*", "?", "${v}"]), max_size=9).map(tuple)


@given(_COVER_TOKENS, _COVER_TOKENS)
def test_coverage_matches_chunk_by_chunk_as_the_table_did(wide, narrow):
    assert _covers.__wrapped__(wide, narrow) == _covers_by_table(wide, narrow)


def test_coverage_of_long_wildcard_patterns_is_answered():
    wide = tuple("*" + "a?" * 10_000 + "b*")
    assert _covers.__wrapped__(wide, tuple("x" + "ac" * 10_000 + "by")) is True
    assert _covers.__wrapped__(wide, tuple("x" + "ac" * 10_000 + "*y")) is False
