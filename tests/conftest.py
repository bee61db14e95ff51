"""Shared test settings: the hypothesis profiles every property runs under.

Two profiles, chosen by the environment variable `IAMEVAL_HYPOTHESIS` (or hypothesis's own
`HYPOTHESIS_PROFILE`); `ci` whatever else is set, `CI=true` included:

* `ci`, the default: deterministic (`derandomize`: the same examples on every run, no example
  database), so a failure seen once is seen again by whoever runs the suite next, and quick, so
  the suite stays under a minute. A failure prints its blob for `@reproduce_failure`.
* `thorough`: ten times the examples and random ones, a different set on every run; for a
  change to the engine or to a strategy (`IAMEVAL_HYPOTHESIS=thorough .venv/bin/python -m pytest -q`).

Tests never set `max_examples` themselves: one that needs another scale than the rest asks for
a multiple of the profile's with `helpers.scaled`.
"""

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])

settings.register_profile("ci", max_examples=100, derandomize=True, database=None, **_COMMON)
settings.register_profile("thorough", max_examples=1000, derandomize=False, **_COMMON)
settings.load_profile(os.environ.get("IAMEVAL_HYPOTHESIS") or os.environ.get("HYPOTHESIS_PROFILE") or "ci")


import pytest


@pytest.fixture
def no_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """iameval's snapshot of AWS managed policies as if it held none of them: an AWS managed
    policy newer than the snapshot (the principals it is attached to are then not evaluated)."""
    from iameval.inputs import _managed

    monkeypatch.setattr(_managed, "_from_snapshot", lambda arn: None)
