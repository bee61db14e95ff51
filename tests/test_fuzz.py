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

from hypothesis import given

from fuzz_targets import TARGETS
from helpers import scaled


def _feed(name: str, value, tmp_path_factory) -> None:
    TARGETS[name].run(value, tmp_path_factory.mktemp(name))


@given(TARGETS["policy-files"].inputs)
def test_a_mutated_policy_file_is_loaded_or_refused_where_it_is_wrong(tmp_path_factory, case):
    _feed("policy-files", case, tmp_path_factory)


@given(TARGETS["documents"].inputs)
def test_a_document_with_faults_is_loaded_or_refused_and_answers_odd_requests(tmp_path_factory, case):
    _feed("documents", case, tmp_path_factory)


@given(TARGETS["requests"].inputs)
def test_a_request_of_any_shape_is_decided_and_explained_alike_or_refused(tmp_path_factory, case):
    _feed("requests", case, tmp_path_factory)


@scaled(0.5)
@given(TARGETS["scenario-files"].inputs)
def test_a_scenario_file_gives_one_outcome_per_scenario(tmp_path_factory, file):
    _feed("scenario-files", file, tmp_path_factory)


@scaled(0.5)
@given(TARGETS["scenario-mutants"].inputs)
def test_a_mutated_scenario_file_gives_an_outcome_per_scenario_each_located(tmp_path_factory, mutant):
    _feed("scenario-mutants", mutant, tmp_path_factory)


@scaled(0.5)
@given(TARGETS["accounts"].inputs)
def test_an_account_export_is_loaded_and_answers_who_can_or_is_refused_where_it_is_wrong(tmp_path_factory, export):
    _feed("accounts", export, tmp_path_factory)


@scaled(0.5)
@given(TARGETS["cli"].inputs)
def test_the_command_exits_0_1_or_2_without_a_traceback(tmp_path_factory, case):
    _feed("cli", case, tmp_path_factory)
