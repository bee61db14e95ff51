"""What the tests share: principals, policy builders, one way to run the CLI, and the scale of
hypothesis properties.

Everything here is a plain value or a small function over iameval's public API; a test module
imports what it needs by name (`from helpers import ALICE, doc, allow`).
"""

from __future__ import annotations

from hypothesis import settings


# ------------------------------------------------------------------------------- hypothesis

def scaled(factor: float) -> settings:
    """Settings for a property that needs `factor` times the examples of the loaded profile
    (tests/conftest.py): more for a cheap function of a large input space, fewer for one
    property run once per operator of a table."""
    return settings(max_examples=max(1, round(settings.default.max_examples * factor)))
