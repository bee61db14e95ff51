"""What iameval promises for any input, as checks a fuzzer runs (issue 14; README, "Exit status").

Each `check_*` function feeds one input to one entry point and raises `ContractBroken` when the
answer breaks the promise: an error outside the `PolicyError` family (a traceback), an error
about a file that does not say where in it (file, line and column), a scenario file that gives
more or fewer results than it holds scenarios, or a command that exits other than 0, 1 or 2 or
prints a traceback. An exception that escapes a check is a broken promise too: the caller
records it with its input. tests/test_fuzz.py runs these checks on hypothesis's inputs in CI,
bench/fuzz.py on many more.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..engine import Authorizer, explain
from ..inputs import load_account, load_scenarios, who_can
from ..inputs._scenarios import run_scenario
from ..policy import Policy, PolicyError, PolicyKind, Problem, load_policy, load_policy_file

__all__ = ["ContractBroken", "check_account", "check_cli", "check_policy", "check_policy_file", "check_requests",
           "check_scenarios"]

# The statuses of every command (README.md): 0 allowed or clean, 1 a deny or a warning, 2 invalid input.
EXIT_STATUSES = frozenset({0, 1, 2})


class ContractBroken(AssertionError):
    """An answer that breaks what iameval promises for any input."""


def _located(error: PolicyError, file: bool) -> None:
    """Every problem of `error` names where it is: with `file`, the file, line and column."""
    if not error.problems:
        raise ContractBroken(f"an error without problems: {error!r}")
    for problem in error.problems:
        loc = problem.location
        if not problem.message:
            raise ContractBroken(f"a problem without a message at {loc}")
        if file and (loc.file is None or (loc.line is None or loc.column is None) and not _whole_file(problem)):
            raise ContractBroken(f"an error not located in its file: {problem}")


def _whole_file(problem: Problem) -> bool:
    """A problem of the file as a whole (missing, a folder, a pipe, over the size limit): it has
    no line. Text that is not UTF-8 is located at its first bad byte."""
    return problem.code == "unreadable-file" and "UTF-8" not in problem.message


def check_requests(authorizer: Authorizer, requests: Iterable[Mapping[str, Any]]) -> None:
    """Each request is decided and explained alike, or refused with a `PolicyError`."""
    for request in requests:
        try:
            decision = authorizer.authorize(request).decision
        except PolicyError as exc:
            _located(exc, file=False)
            continue
        explained = explain(authorizer, request).decision
        if explained != decision:
            raise ContractBroken(f"authorize says {decision}, explain says {explained} for {request!r}")


def check_policy(data: Any, kind: PolicyKind | str, requests: Sequence[Mapping[str, Any]] = ()) -> Policy | None:
    """A policy document is loaded or refused; a loaded one answers `requests` (as the only
    policy of its kind that can stand alone: identity policies beside it for the others)."""
    return _loaded(lambda: load_policy(data, kind), kind, requests, file=False)


def check_policy_file(path: Path, kind: PolicyKind | str, requests: Sequence[Mapping[str, Any]] = ()
                      ) -> Policy | None:
    """A policy file is loaded, or refused with every problem located in it."""
    return _loaded(lambda: load_policy_file(path, kind), kind, requests, file=True)


def _loaded(load: Callable[[], Policy], kind: PolicyKind | str, requests: Sequence[Mapping[str, Any]],
            file: bool) -> Policy | None:
    try:
        policy = load()
    except PolicyError as exc:
        _located(exc, file)
        return None
    _answer(policy, PolicyKind(kind), requests)
    return policy


def _answer(policy: Policy, kind: PolicyKind, requests: Sequence[Mapping[str, Any]]) -> None:
    if kind is PolicyKind.IDENTITY:
        authorizer = Authorizer(identity=[policy])
    elif kind is PolicyKind.RESOURCE_POLICY:
        authorizer = Authorizer(resource_policy=policy)
    elif kind is PolicyKind.PERMISSION_BOUNDARY:
        authorizer = Authorizer(permission_boundary=policy)
    elif kind is PolicyKind.SESSION:
        authorizer = Authorizer(session=[policy])
    elif kind is PolicyKind.SCP:
        authorizer = Authorizer(scps=[policy])
    else:
        authorizer = Authorizer(rcps=[policy])
    check_requests(authorizer, requests)


def check_scenarios(path: Path, expected: int | None = None) -> int:
    """A scenario file gives one outcome per scenario (`expected` of them, when known), each a
    result or an error located in the file. Returns the number of scenarios."""
    scenarios = load_scenarios(path)
    if expected is not None and len(scenarios) != expected:
        raise ContractBroken(f"{len(scenarios)} scenarios read from a file of {expected}")
    for scenario in scenarios:
        outcome = run_scenario(scenario)
        if outcome.error is not None:
            _located(outcome.error, file=True)
    return len(scenarios)


def check_account(path: Path, questions: Sequence[tuple[str, str]]) -> None:
    """An account export is loaded, or refused with its problems located; a loaded one answers
    who-can for each (action, resource)."""
    try:
        account = load_account(str(path))
    except PolicyError as exc:
        _located(exc, file=True)
        return
    for action, resource in questions:
        try:
            who_can(account, action, resource)
        except PolicyError as exc:
            _located(exc, file=False)


def check_cli(args: Sequence[str], input: str | bytes | None = None) -> int:
    """`iameval ARGS` in-process exits 0, 1 or 2 without a traceback; returns its status."""
    from typer.testing import CliRunner

    from ..cli import app

    result = CliRunner().invoke(app, list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    output = result.output
    if result.exit_code not in EXIT_STATUSES:
        raise ContractBroken(f"exit status {result.exit_code}: {output[-500:]}")
    if "Traceback" in output or "internal error" in output:
        raise ContractBroken(f"a traceback in the output: {output[-500:]}")
    return result.exit_code
