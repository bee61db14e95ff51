"""The fuzz ring (issue 14): generated and mutated inputs, fed to every entry point, answered
with a result or a located error, never a traceback, a hang or a lost result.

Inputs: mutations of the real files in fixtures/ (policies of every type, scenario files,
account exports; `iameval.testing.mutations`: bytes flipped, text cut short, keys deleted,
repeated or renamed, values of another type, nesting thousands deep, numbers of thousands of
digits, odd Unicode, YAML tags and aliases), documents with the faults AWS refuses, requests of
odd shape, generated scenario files and account exports (`iameval.testing.strategies`). The
checks are `iameval.testing.fuzz`'s: only the `PolicyError` family escapes; an error about a
file names its file, line and column; a scenario file gives one outcome per scenario; the
command exits 0, 1 or 2. bench/fuzz.py runs the same checks on 100,000 inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from helpers import FIXTURES, scaled
from iameval import Authorizer, PolicyKind, load_policy
from iameval.testing.fuzz import check_account, check_cli, check_policy, check_policy_file, check_requests, \
    check_scenarios
from iameval.testing.mutations import Mutant
from iameval.testing.strategies import (account_exports, faulty_documents, mutants, odd_requests, policy_documents,
                                        requests, scenario_files)
from iameval.testing.strategies.policies import ALICE, BOB, SESSION


def _texts(*patterns: str, below: int = 30_000) -> list[str]:
    paths = sorted(p for pattern in patterns for p in FIXTURES.glob(pattern) if p.stat().st_size < below)
    return [p.read_text(encoding="utf-8") for p in paths]


# policy fixtures by the type they are read as
POLICY_TEXTS = {
    PolicyKind.IDENTITY: _texts("examples/*.json", "broken/*.json", "policy-examples/permission-boundary/*.json",
                                "managed-policies/A*.json", below=3000),
    PolicyKind.RESOURCE_POLICY: _texts("policy-examples/resource/*.json", "broken/resource/*.json"),
    PolicyKind.SCP: _texts("policy-examples/scp/*.json"),
    PolicyKind.RCP: _texts("policy-examples/rcp/*.json"),
}
SCENARIO_TEXTS = _texts("scenarios/*.jsonl", "conformance/politest/0*.jsonl")
ACCOUNT_TEXTS = _texts("accounts/*.json")
REQUESTS = [{"principal": ALICE, "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket-a/key.txt"},
            {"principal": SESSION, "action": "ec2:RunInstances", "resource": "*", "resource_account": "111122223333"}]
QUESTIONS = [("s3:GetObject", "arn:aws:s3:::bucket-a/key.txt"), ("sts:AssumeRole", "arn:aws:iam::111122223333:role/app"),
             ("iam:PassRole", "*")]


def saved(directory: Path, mutant: Mutant, name: str = "input") -> Path:
    path = directory / f"{name}{mutant.suffix}"
    path.write_bytes(mutant.data)
    return path


_KINDS = st.sampled_from(sorted(POLICY_TEXTS))
_POLICY_MUTANTS = {kind: mutants(texts) for kind, texts in POLICY_TEXTS.items()}


@scaled(3)
@given(st.data())
def test_a_mutated_policy_file_is_loaded_or_refused_where_it_is_wrong(tmp_path_factory, data):
    kind = data.draw(_KINDS, label="kind")
    path = saved(tmp_path_factory.mktemp("policy"), data.draw(_POLICY_MUTANTS[kind], label="mutant"))
    check_policy_file(path, kind, REQUESTS)


_TYPES = {"identity": PolicyKind.IDENTITY, "resource-policy": PolicyKind.RESOURCE_POLICY, "scp": PolicyKind.SCP,
          "rcp": PolicyKind.RCP, "permission-boundary": PolicyKind.PERMISSION_BOUNDARY, "session": PolicyKind.SESSION}

def _documents(kind: PolicyKind) -> list[dict]:
    out = []
    for text in POLICY_TEXTS.get(kind, POLICY_TEXTS[PolicyKind.IDENTITY]):
        try:
            data = json.loads(text)
        except ValueError:
            continue
        if isinstance(data, dict) and "Statement" in data:
            out.append(data)
    return out


_FAULTY = {name: faulty_documents(name, _documents(kind)) for name, kind in _TYPES.items()}
_TYPE_NAMES = st.sampled_from(sorted(_TYPES))
_ODD_REQUESTS = st.lists(odd_requests(), min_size=1, max_size=3)


@scaled(2)
@given(st.data())
def test_a_document_with_faults_is_loaded_or_refused_and_answers_odd_requests(data):
    name = data.draw(_TYPE_NAMES, label="type")
    check_policy(data.draw(_FAULTY[name], label="document"), _TYPES[name], data.draw(_ODD_REQUESTS))


_IDENTITY = st.lists(policy_documents(PolicyKind.IDENTITY, "I", True), min_size=1, max_size=2)
_RESOURCE = st.none() | policy_documents(PolicyKind.RESOURCE_POLICY, "R", True)


@scaled(2)
@given(_IDENTITY, _RESOURCE, _ODD_REQUESTS)
def test_a_request_of_any_shape_is_decided_and_explained_alike_or_refused(identity, resource, odd):
    authorizer = Authorizer(identity=[load_policy(d) for d in identity],
                            resource_policy=load_policy(resource, "resource_policy") if resource else None)
    check_requests(authorizer, odd)


@given(scenario_files())
def test_a_scenario_file_gives_one_outcome_per_scenario(tmp_path_factory, file):
    path = tmp_path_factory.mktemp("scenarios") / f"s{file.suffix}"
    path.write_text(file.text, encoding="utf-8")
    check_scenarios(path, file.count)


_SCENARIO_MUTANTS = mutants(SCENARIO_TEXTS)
# Mutations that keep every line a line of its own: the file still holds one scenario per line.
_LINE_KEEPING = {"delete-key", "duplicate-key", "rename-key", "swap-type", "deep-nesting", "huge-number",
                 "odd-unicode"}


@given(_SCENARIO_MUTANTS)
def test_a_mutated_scenario_file_gives_an_outcome_per_scenario_each_located(tmp_path_factory, mutant):
    path = saved(tmp_path_factory.mktemp("scenarios"), mutant)
    lines = sum(1 for line in mutant.data.split(b"\n") if line.strip())
    check_scenarios(path, lines if mutant.suffix == ".jsonl" and mutant.mutation in _LINE_KEEPING else None)


_ACCOUNT_MUTANTS = mutants(ACCOUNT_TEXTS)


@given(account_exports() | _ACCOUNT_MUTANTS)
def test_an_account_export_is_loaded_and_answers_who_can_or_is_refused_where_it_is_wrong(tmp_path_factory, export):
    directory = tmp_path_factory.mktemp("account")
    if isinstance(export, Mutant):
        path = saved(directory, export)
    else:
        path = directory / "account.json"
        path.write_text(json.dumps(export), encoding="utf-8")
    check_account(path, QUESTIONS)


_ANY_MUTANT = st.sampled_from(sorted(_POLICY_MUTANTS)).flatmap(lambda kind: _POLICY_MUTANTS[kind]) \
    | _SCENARIO_MUTANTS | _ACCOUNT_MUTANTS
_ODD_ARGUMENTS = st.sampled_from(["*", "", "s3:*", "[/red]", "[red]aws:username", "\udcff", "a" * 5000, "-",
                                  "k:=" + "[" * 1000, "k:=1e999999", "k:=" + "9" * 5000, "k=v", "=", ":="])
_OPTIONS = st.sampled_from(["-a", "-r", "-p", "-c", "--resource-account"])


@st.composite
def command_lines(draw, path: Path) -> list[str]:
    """One command over a mutated file, with options of odd values."""
    file = str(path)
    command = draw(st.sampled_from([
        ["check", file, "-a", "s3:GetObject"], ["check", file, "-a", "s3:GetObject", "--explain"],
        ["check", file, "-a", "s3:GetObject", "--json"], ["run", file], ["run", "--json", file],
        ["run", "--explain", file], ["validate", file], ["validate", "--json", file],
        ["validate", "--type", "resource-policy", file], ["expand", "--policy", file],
        ["who-can", "--account-details", file, "-a", "s3:GetObject"],
        ["who-can", "--account-details", file, "--assume"]]))
    for _ in range(draw(st.integers(0, 2))):
        if command[0] in ("check", "who-can"):
            command += [draw(_OPTIONS), draw(_ODD_ARGUMENTS)]
    return command


@scaled(0.5)
@given(_ANY_MUTANT, st.data())
def test_the_command_exits_0_1_or_2_without_a_traceback(tmp_path_factory, mutant, data):
    path = saved(tmp_path_factory.mktemp("cli"), mutant)
    check_cli(data.draw(command_lines(path), label="command"))
