"""The targets of the fuzz ring (issue 14): for each entry point, the inputs it is fed and how.

One table for the quick ring in CI (tests/test_fuzz.py) and the long run (bench/fuzz.py). Each
`Target` pairs a hypothesis strategy of inputs with the function that feeds one of them to
iameval and checks the answer with `iameval.testing.fuzz` (a result, or a `PolicyError` located
in its file; one outcome per scenario; exit 0, 1 or 2), and says how to save an input as a file
to reproduce a failure.

Inputs: mutations of the real files in fixtures/ (policies of every type, scenario files,
account exports; `iameval.testing.mutations`), documents with the faults AWS refuses, requests
of odd shape, and generated scenario files and account exports (`iameval.testing.strategies`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from hypothesis import strategies as st

from iameval import Authorizer, PolicyKind, load_policy
from iameval.testing.fuzz import check_account, check_cli, check_policy, check_policy_file, check_requests, \
    check_scenarios
from iameval.testing.mutations import Mutant
from iameval.testing.strategies import (account_exports, faulty_documents, mutants, odd_requests, policy_documents,
                                        scenario_files)
from iameval.testing.strategies.inputs import ScenarioFile
from iameval.testing.strategies.policies import ALICE, SESSION

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _texts(*patterns: str, below: int = 30_000) -> list[str]:
    paths = sorted(p for pattern in patterns for p in FIXTURES.glob(pattern) if p.stat().st_size < below)
    return [p.read_text(encoding="utf-8") for p in paths]


# Policy fixtures by the type they are read as.
POLICY_TEXTS = {
    PolicyKind.IDENTITY: _texts("examples/*.json", "broken/*.json", "policy-examples/permission-boundary/*.json",
                                "managed-policies/A*.json", below=3000),
    PolicyKind.RESOURCE_POLICY: _texts("policy-examples/resource/*.json", "broken/resource/*.json"),
    PolicyKind.SCP: _texts("policy-examples/scp/*.json"),
    PolicyKind.RCP: _texts("policy-examples/rcp/*.json"),
}
SCENARIO_TEXTS = _texts("scenarios/*.jsonl", "conformance/politest/*.jsonl", below=6000)
ACCOUNT_TEXTS = _texts("accounts/*.json")
REQUESTS = [{"principal": ALICE, "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket-a/key.txt"},
            {"principal": SESSION, "action": "ec2:RunInstances", "resource": "*", "resource_account": "111122223333"}]
QUESTIONS = [("s3:GetObject", "arn:aws:s3:::bucket-a/key.txt"), ("sts:AssumeRole", "arn:aws:iam::111122223333:role/app"),
             ("iam:PassRole", "*")]
# Policy types as `validate --type` names them, by the kind they are loaded as.
TYPES = {"identity": PolicyKind.IDENTITY, "resource-policy": PolicyKind.RESOURCE_POLICY, "scp": PolicyKind.SCP,
         "rcp": PolicyKind.RCP, "permission-boundary": PolicyKind.PERMISSION_BOUNDARY, "session": PolicyKind.SESSION}
# Mutations that keep every line of JSON Lines a line of its own: one scenario per line still.
LINE_KEEPING = {"delete-key", "duplicate-key", "rename-key", "swap-type", "deep-nesting", "huge-number", "odd-unicode"}


@dataclass(frozen=True)
class Target:
    """An entry point: the inputs it is fed, and `run(input, directory)`, which feeds one (any
    file it needs written in `directory`) and raises when the answer breaks the contract."""

    name: str
    inputs: st.SearchStrategy[Any]
    run: Callable[[Any, Path], None]


def as_file(value: Any) -> tuple[bytes, str]:
    """An input as the bytes and suffix of a file that reproduces it: the mutated or generated
    file it holds, else the input as JSON."""
    if isinstance(value, tuple):  # (a kind, a type or a command line, and the input)
        files = [v for v in value if isinstance(v, (Mutant, ScenarioFile))]
        if files:
            return as_file(files[0])
    if isinstance(value, Mutant):
        return value.data, value.suffix
    if isinstance(value, ScenarioFile):
        return value.text.encode("utf-8", "surrogatepass"), value.suffix
    return json.dumps(value, default=repr, indent=1).encode(), ".json"


def _saved(directory: Path, value: Any) -> Path:
    data, suffix = as_file(value)
    path = directory / f"input{suffix}"
    path.write_bytes(data)
    return path


def _documents(kind: PolicyKind) -> list[dict[str, Any]]:
    """The fixtures of a kind that are policy documents, to mutate element by element."""
    out = []
    for text in POLICY_TEXTS.get(kind, POLICY_TEXTS[PolicyKind.IDENTITY]):
        try:
            data = json.loads(text)
        except ValueError:
            continue
        if isinstance(data, dict) and "Statement" in data:
            out.append(data)
    return out


_POLICY_MUTANTS = {kind: mutants(texts) for kind, texts in POLICY_TEXTS.items()}
_ODD_REQUESTS = st.lists(odd_requests(), min_size=1, max_size=3)
_SCENARIO_MUTANTS = mutants(SCENARIO_TEXTS)
_ACCOUNT_MUTANTS = mutants(ACCOUNT_TEXTS)


def _policy_file(case: tuple[PolicyKind, Mutant], directory: Path) -> None:
    kind, mutant = case
    check_policy_file(_saved(directory, mutant), kind, REQUESTS)


def _document(case: tuple[str, dict[str, Any], list[dict[str, Any]]], directory: Path) -> None:
    name, document, requests = case
    check_policy(document, TYPES[name], requests)


def _requests(case: tuple[list[dict[str, Any]], dict[str, Any] | None, list[dict[str, Any]]], directory: Path) -> None:
    identity, resource, requests = case
    authorizer = Authorizer(identity=[load_policy(d) for d in identity],
                            resource_policy=load_policy(resource, "resource_policy") if resource else None)
    check_requests(authorizer, requests)


def _scenario_file(file: ScenarioFile, directory: Path) -> None:
    check_scenarios(_saved(directory, file), file.count)


def _scenario_mutant(mutant: Mutant, directory: Path) -> None:
    lines = sum(1 for line in mutant.data.split(b"\n") if line.strip())
    keeps_lines = mutant.suffix == ".jsonl" and mutant.mutation in LINE_KEEPING
    check_scenarios(_saved(directory, mutant), lines if keeps_lines else None)


def _account(export: Mutant | dict[str, Any], directory: Path) -> None:
    check_account(_saved(directory, export), QUESTIONS)


_ODD_ARGUMENTS = st.sampled_from(["*", "", "s3:*", "[/red]", "[red]aws:username", "\udcff", "a" * 5000, "-",
                                  "k:=" + "[" * 1000, "k:=1e999999", "k:=" + "9" * 5000, "k=v", "=", ":="])
_OPTIONS = st.sampled_from(["-a", "-r", "-p", "-c", "--resource-account"])
COMMANDS = (["check", "{}", "-a", "s3:GetObject"], ["check", "{}", "-a", "s3:GetObject", "--explain"],
            ["check", "{}", "-a", "s3:GetObject", "--json"], ["run", "{}"], ["run", "--json", "{}"],
            ["run", "--explain", "{}"], ["validate", "{}"], ["validate", "--json", "{}"],
            ["validate", "--type", "resource-policy", "{}"], ["expand", "--policy", "{}"],
            ["who-can", "--account-details", "{}", "-a", "s3:GetObject"], ["who-can", "--account-details", "{}", "--assume"])


@st.composite
def _command_lines(draw: st.DrawFn) -> tuple[list[str], Mutant]:
    """A command over a mutated file (`{}` in the arguments), with options of odd values."""
    command = list(draw(st.sampled_from(COMMANDS)))
    for _ in range(draw(st.integers(0, 2))):
        if command[0] in ("check", "who-can"):
            command += [draw(_OPTIONS), draw(_ODD_ARGUMENTS)]
    mutant = draw(st.one_of(*_POLICY_MUTANTS.values(), _SCENARIO_MUTANTS, _ACCOUNT_MUTANTS))
    return command, mutant


def _command(case: tuple[list[str], Mutant], directory: Path) -> None:
    command, mutant = case
    path = str(_saved(directory, mutant))
    check_cli([path if arg == "{}" else arg for arg in command])


TARGETS = {target.name: target for target in [
    Target("policy-files", st.one_of(*[st.tuples(st.just(k), m) for k, m in _POLICY_MUTANTS.items()]), _policy_file),
    Target("documents", st.one_of(*[st.tuples(st.just(name), faulty_documents(name, _documents(kind)), _ODD_REQUESTS)
                                    for name, kind in TYPES.items()]), _document),
    Target("requests", st.tuples(st.lists(policy_documents(PolicyKind.IDENTITY, "I", True), min_size=1, max_size=2),
                                 st.none() | policy_documents(PolicyKind.RESOURCE_POLICY, "R", True), _ODD_REQUESTS),
           _requests),
    Target("scenario-files", scenario_files(), _scenario_file),
    Target("scenario-mutants", _SCENARIO_MUTANTS, _scenario_mutant),
    Target("accounts", account_exports() | _ACCOUNT_MUTANTS, _account),
    Target("cli", _command_lines(), _command),
]}
