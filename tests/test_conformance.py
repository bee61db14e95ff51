"""Conformance with suites whose expectations were checked elsewhere (fixtures/conformance/README.md).

`fixtures/conformance/` holds scenarios converted by `fixtures/conformance/convert.py` from
reaandrew/politest (expectations checked against AWS's SimulateCustomPolicy; MIT) and from the
`can_i` cases of WithSecureLabs/IAMSpy (Apache-2.0). Each is a request with the decision its
source expects. Cases whose source expectation contradicts IAM-SEMANTICS.md live in
`fixtures/conformance-disputed/` and are not run here; the README says why, case by case.
"""

from __future__ import annotations

from collections import Counter

import pytest

import iameval
from helpers import conformance_scenarios

SCENARIOS = conformance_scenarios()


def test_conformance_fixtures_are_there_with_unique_ids():
    assert len(SCENARIOS) > 500
    assert [i for i, n in Counter(s.id for s in SCENARIOS).items() if n > 1] == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_conformance(scenario):
    assert scenario.expect is not None
    assert iameval.evaluate(scenario).decision == scenario.expect
