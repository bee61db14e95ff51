"""Memberships decided outside the solver (`analysis._memberships`): every combination of
memberships the automata say some string realizes is realized by its example, as the engine's
own glob matching reads it (IAM-SEMANTICS §7.2), and every string's combination is among them."""

from __future__ import annotations

from cvc5 import pythonic as z3
from hypothesis import given, settings, strategies as st

from iameval.analysis._languages import DIGITS12, NO_COLON, PRINTABLE, casefold_regex, glob_regex, literal
from iameval.analysis._memberships import Memberships, _language, _realizable
from iameval.policy._match import Glob

_GLOB_TEXT = st.text(alphabet="ab:*?", max_size=5)


def _examples(regexes: list[z3.ReRef]) -> dict[tuple[bool, ...], str] | None:
    return _realizable(tuple(_language(r.ast) for r in regexes))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(_GLOB_TEXT, min_size=1, max_size=4), st.lists(st.text(alphabet="ab:c", max_size=6), max_size=20))
def test_globs_every_combination_realized_and_no_other(patterns: list[str], strings: list[str]) -> None:
    globs = [Glob(p) for p in patterns]
    examples = _examples([glob_regex([(p, True)]) for p in patterns])
    assert examples is not None
    for vector, example in examples.items():
        assert tuple(g.matches(example) for g in globs) == vector, (patterns, example)
    for text in strings:
        assert tuple(g.matches(text) for g in globs) in examples, (patterns, text)


def test_case_folding_language_holds_exactly_the_strings_that_fold_to_the_text() -> None:
    # StringEqualsIgnoreCase (§8.4): "Straße" folds to "strasse", as "STRASSE" does.
    examples = _examples([casefold_regex("strasse"), literal("STRASSE"), literal("Straße")])
    assert examples is not None
    assert set(examples) == {(False, False, False), (True, False, False), (True, True, False), (True, False, True)}
    assert examples[(True, False, False)].casefold() == "strasse"


def test_account_digits_other_than_the_callers_own() -> None:
    other = z3.Intersect(DIGITS12, z3.Complement(literal("123456789012")))
    examples = _examples([other, literal("123456789012"), NO_COLON])
    assert examples is not None
    assert examples[(True, False, True)].isdigit() and len(examples[(True, False, True)]) == 12
    assert examples[(False, True, True)] == "123456789012"
    assert (True, True, True) not in examples and (True, False, False) not in examples


def test_examples_are_readable_where_the_languages_allow() -> None:
    examples = _examples([glob_regex([("prod-*", True)]), PRINTABLE])
    assert examples is not None
    assert examples[(True, True)] == "prod-"
    assert (True, False) in examples  # a character outside printable ASCII after `prod-`
    assert not examples[(True, False)].isprintable() or not examples[(True, False)].isascii()


def test_too_many_combinations_are_left_to_the_solver() -> None:
    # 16 independent memberships: 65,536 combinations, past the walk's bound.
    many = [glob_regex([(f"*{c}*", True)]) for c in "abcdefghijklmnop"]
    assert _examples(many) is None
    x = z3.String("x")
    memberships = Memberships([z3.InRe(x, r) for r in many])
    assert memberships.abstracted == []


def test_an_unknown_in_an_equation_stays_with_the_solver() -> None:
    x, y = z3.String("x"), z3.String("y")
    formulas = [z3.InRe(x, glob_regex([("a*", True)])), z3.InRe(y, glob_regex([("b*", True)])), y == z3.StringVal("bb")]
    memberships = Memberships(formulas)
    assert memberships.abstracted == ["x"]
    solver = z3.Solver()
    solver.add(*[memberships.apply(f) for f in formulas], *memberships.constraints)
    assert solver.check() == z3.sat
    model = solver.model()
    assert memberships.strings(model)["x"].startswith("a")
    assert model.eval(y).as_string() == "bb"


def test_contradictory_memberships_are_unsatisfiable_without_strings() -> None:
    x = z3.String("x")
    formulas = [z3.InRe(x, glob_regex([("a*", True)])), z3.InRe(x, glob_regex([("b*", True)]))]
    memberships = Memberships(formulas)
    solver = z3.Solver()
    solver.add(*[memberships.apply(f) for f in formulas], *memberships.constraints)
    assert memberships.abstracted == ["x"]
    assert solver.check() == z3.unsat
