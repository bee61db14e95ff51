"""The fuzz ring (issue 14): generated and mutated inputs, fed to every entry point, answered
with a result or a located error, never a traceback, a hang or a lost result.

The targets and their inputs are tests/fuzz_targets.py's (one table, which bench/fuzz.py runs
on 100,000 inputs): mutations of the real files in fixtures/ fed to `load_policy_file`,
`load_scenarios` and `evaluate`, `load_account` and `who_can`, and the command (`check`, `run`,
`validate`, `expand`, `who-can`, with options of odd values); documents with the faults AWS
refuses fed to `load_policy`; requests of odd shape to `Authorizer.authorize` and `explain`;
generated scenario files (one outcome per scenario) and account exports. The checks are
`iameval.testing.fuzz`'s.
"""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import given

from fuzz_targets import TARGETS
from helpers import scaled


def ring(name: str, scale: float = 1.0) -> Callable[..., None]:
    """A test feeding the target `name` its inputs, `scale` times the profile's examples."""
    target = TARGETS[name]

    @scaled(scale)
    @given(target.inputs)
    def test(tmp_path_factory: Any, value: Any) -> None:
        target.run(value, tmp_path_factory.mktemp(name))

    return test


test_a_mutated_policy_file_is_loaded_or_refused_where_it_is_wrong = ring("policy-files")
test_a_document_with_faults_is_loaded_or_refused_and_answers_odd_requests = ring("documents")
test_a_request_of_any_shape_is_decided_and_explained_alike_or_refused = ring("requests")
test_a_scenario_file_gives_one_outcome_per_scenario = ring("scenario-files", 0.5)
test_a_mutated_scenario_file_gives_an_outcome_per_scenario_each_located = ring("scenario-mutants", 0.5)
test_an_account_export_is_loaded_and_answers_who_can_or_is_refused_where_it_is_wrong = ring("accounts", 0.5)
test_the_command_exits_0_1_or_2_without_a_traceback = ring("cli", 0.5)
