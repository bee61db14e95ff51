"""Assertions for the tests of a team's policies: pytest's failure report is the decision's
explanation (the evaluator's own trace, IAM-SEMANTICS §13).

    from iameval.testing import assert_allowed, assert_denied

    def test_alice_reads_reports():
        assert_allowed(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT})

Scenario files are collected by the pytest plugin (`iameval.pytest_plugin`, installed with
iameval): every file named `*.iam.json`, `*.iam.jsonl`, `*.iam.yaml` or `*.iam.yml` (the ini
option `iameval_scenarios` sets other patterns) becomes one test per scenario.

For property tests and fuzzing: `iameval.testing.strategies`, the hypothesis strategies of
iameval's own tests (hypothesis is optional: the `test` extra); `iameval.testing.mutations`,
hostile variants of real files; `iameval.testing.fuzz`, what iameval promises for any input, as
checks (tests/test_fuzz.py and bench/fuzz.py run them).
"""

from __future__ import annotations

import io
from typing import Any, Mapping

from ..engine import Authorizer, Decision, Explanation, Request, explain

__all__ = ["assert_allowed", "assert_decision", "assert_denied", "explanation_text"]


def explanation_text(explanation: Explanation, width: int = 100) -> str:
    """The explanation as `check --explain` prints it, as plain text."""
    from rich.console import Console

    from ..cli._present import print_explanation

    buffer = io.StringIO()
    print_explanation(Console(file=buffer, width=width, no_color=True, highlight=False, soft_wrap=False), explanation)
    return buffer.getvalue()


def assert_decision(authorizer: Authorizer, request: Request | Mapping[str, Any], expected: Decision | str
                    ) -> Explanation:
    """The request is decided as `expected`; otherwise an `AssertionError` whose message is the
    explanation. Returns the explanation."""
    explanation = explain(authorizer, request)
    if explanation.decision != Decision(expected):
        raise AssertionError(f"expected {Decision(expected)}, got {explanation.decision}\n"
                             + explanation_text(explanation))
    return explanation


def assert_allowed(authorizer: Authorizer, request: Request | Mapping[str, Any]) -> Explanation:
    """The request is allowed; otherwise the failure shows why not."""
    return assert_decision(authorizer, request, Decision.ALLOW)


def assert_denied(authorizer: Authorizer, request: Request | Mapping[str, Any],
                  decision: Decision | str | None = None) -> Explanation:
    """The request is denied (explicitly or by default, or as `decision` says); otherwise the
    failure shows what allowed it."""
    explanation = explain(authorizer, request)
    denied = explanation.decision is not Decision.ALLOW if decision is None else explanation.decision == decision
    if not denied:
        raise AssertionError(f"expected {decision or 'a deny'}, got {explanation.decision}\n"
                             + explanation_text(explanation))
    return explanation
