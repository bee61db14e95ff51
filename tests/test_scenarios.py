"""The scenario corpus (STYLE.md's second ring): every scenario's decision equals its `expect`."""

import pytest

import iameval
from helpers import FIXTURES

CORPUS = FIXTURES / "scenarios"
SCENARIOS = iameval.load_scenarios(CORPUS)


def test_the_corpus_loads_and_every_scenario_has_an_expectation():
    assert len(SCENARIOS) >= 60
    assert [s.id for s in SCENARIOS if s.error is not None] == []
    assert [s.id for s in SCENARIOS if s.expect is None] == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(scenario):
    assert iameval.evaluate(scenario).decision == scenario.expect
