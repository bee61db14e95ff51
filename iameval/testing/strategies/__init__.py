"""The hypothesis strategies of iameval's own tests, for the property tests of a team's policies.

    from hypothesis import given
    from iameval.testing.strategies import policy_documents, requests
    from iameval import Authorizer, PolicyKind, load_policy

    @given(policy_documents(PolicyKind.IDENTITY, "I", rich=True), requests(ALICE, rich=True))
    def test_our_boundary_never_widens(document, request):
        ...

One module per family, each with its alphabet: `policies` (statements, documents, requests and
Conditions that meet often), `chain` (policies of every level of the chain, SCP and RCP levels),
`conditions` (operator-key-value entries and contexts, by family of operator), `refusals`
(statements and mutated real policies with faults AWS refuses), `inputs` (scenario files,
account exports, and mutated files, `iameval.testing.mutations`). Every strategy is built once
(cached factories, module-level values): hypothesis spends more time checking a freshly built
strategy than drawing from it.

hypothesis is not a dependency of iameval: it comes with the `test` extra
(`pip install 'iameval[test]'`), and importing this module without it says so.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401  (its absence is reported here, not deep in a strategy)
except ImportError as exc:  # pragma: no cover - the tests run with hypothesis
    raise ImportError("iameval.testing.strategies needs hypothesis, which iameval does not install: "
                      "`pip install 'iameval[test]'` (or `pip install hypothesis`)") from exc

from .chain import chain_documents, chain_statements, rcp_levels, scp_levels
from .conditions import condition_contexts, condition_entries, operator_values
from .inputs import account_exports, mutants, odd_requests, scenario_files, scenarios
from .policies import condition_blocks, documents_as_written, one_or_more, policy_documents, requests, statements
from .refusals import faulty_documents, faulty_statements, mutated_documents

__all__ = [
    "account_exports",
    "chain_documents",
    "chain_statements",
    "condition_blocks",
    "condition_contexts",
    "condition_entries",
    "documents_as_written",
    "faulty_documents",
    "faulty_statements",
    "mutants",
    "mutated_documents",
    "odd_requests",
    "one_or_more",
    "operator_values",
    "policy_documents",
    "rcp_levels",
    "requests",
    "scenario_files",
    "scenarios",
    "scp_levels",
    "statements",
]
