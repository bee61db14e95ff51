"""The `iameval` command: `check` one request, `run` scenario files.

Exit codes a script can use: 0 Allow (or every scenario as expected), 1 ImplicitDeny or
ExplicitDeny (or a scenario not as expected), 2 invalid input.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from .authorize import Authorizer, Decision
from .errors import Location, PolicyError, Problem
from .model import PolicyKind
from ._source import read_sources
from .policies import load_policy_files
from .present import print_outcome, print_problems, print_result, print_run_summary, run_counts
from .scenario import load_scenarios, run_scenario

__all__ = ["app", "main", "DEFAULT_PRINCIPAL", "DEFAULT_RESOURCE"]

DEFAULT_PRINCIPAL = "arn:aws:iam::123456789012:user/iameval-user"
DEFAULT_RESOURCE = "*"

app = typer.Typer(
    help="Decide AWS IAM authorization requests exactly as AWS does, and say why.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class _Invalid(Exception):
    def __init__(self, error: PolicyError):
        self.error = error


def _load(paths: list[str], kind: PolicyKind) -> list:
    try:
        return load_policy_files(paths, kind)
    except PolicyError as exc:
        raise _Invalid(exc) from None


def _one(path: str, kind: PolicyKind) -> tuple:
    loaded = _load([path], kind)
    if len(loaded) != 1:
        raise _Invalid(PolicyError([Problem(f"expected one {kind.title}, found {len(loaded)} documents",
                                            Location(path))]))
    return loaded[0]


def _context(pairs: list[str], files: list[str]) -> dict[str, Any]:
    """Context from `--context-file` files, then `--context` pairs (which win).

    `KEY=VALUE` gives a string, and the same key given again makes a list (a multi-valued key);
    `KEY:=JSON` gives a typed value: `true`, `42`, `["a", "b"]`.
    """
    context: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in files:
        try:
            sources = read_sources(name)
        except PolicyError as exc:
            problems.extend(exc.problems)
            continue
        data = sources[0].data if len(sources) == 1 else None
        if not isinstance(data, dict):
            problems.append(Problem("a context file must hold one object of condition keys", Location(name, 1, 1)))
            continue
        context.update(data)
    given: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        typed = key.endswith(":")
        key = key[:-1] if typed else key
        if not sep or not key:
            problems.append(Problem(f"`{pair}` is not KEY=VALUE or KEY:=JSON", Location("--context")))
            continue
        if typed:
            try:
                parsed: Any = json.loads(value)
            except json.JSONDecodeError as exc:
                problems.append(Problem(f"the value of `{key}` is not JSON: {exc.msg}", Location("--context"),
                                        "quote strings inside JSON, or use KEY=VALUE for a string"))
                continue
        else:
            parsed = value
        if key in given and not typed:
            previous = given[key]
            given[key] = (previous if isinstance(previous, list) else [previous]) + [parsed]
        else:
            given[key] = parsed
    if problems:
        raise _Invalid(PolicyError(problems))
    context.update(given)
    return context


@app.command()
def check(
    policies: Annotated[list[str], typer.Argument(
        help="Identity-based policy files or folders (JSON or YAML); `-` reads standard input.",
        show_default=False, metavar="POLICY...")],
    action: Annotated[str, typer.Option("--action", "-a", help="The action, e.g. `s3:GetObject`.",
                                        show_default=False)],
    resource: Annotated[Optional[str], typer.Option(
        "--resource", "-r", help=f"The resource ARN. Default: `{DEFAULT_RESOURCE}`.",
        show_default=False)] = None,
    principal: Annotated[Optional[str], typer.Option(
        "--principal", "-p", help=f"The caller's ARN. Default: `{DEFAULT_PRINCIPAL}`.",
        show_default=False)] = None,
    resource_policy: Annotated[Optional[str], typer.Option(
        "--resource-policy", help="The resource-based policy (bucket, key, trust policy...).")] = None,
    resource_account: Annotated[Optional[str], typer.Option(
        "--resource-account", help="The account that owns the resource. Default: the ARN's "
        "account, else the caller's (S3 ARNs carry none).")] = None,
    permission_boundary: Annotated[Optional[str], typer.Option(
        "--permission-boundary", help="The principal's permissions boundary.")] = None,
    session_policy: Annotated[Optional[list[str]], typer.Option(
        "--session-policy", help="A session policy of a role or federated-user session (repeatable).")] = None,
    scp: Annotated[Optional[list[str]], typer.Option(
        "--scp", help="A service control policy, one per organization level from the root to "
        "the account (repeatable).")] = None,
    rcp: Annotated[Optional[list[str]], typer.Option(
        "--rcp", help="A resource control policy, one per level (repeatable).")] = None,
    context: Annotated[Optional[list[str]], typer.Option(
        "--context", "-c", help="A condition key and value: `KEY=VALUE` for a string (repeat the "
        "key for a multi-valued key), `KEY:=JSON` for a typed value such as `true`, `42` or "
        "`[\"a\",\"b\"]` (repeatable).")] = None,
    context_file: Annotated[Optional[list[str]], typer.Option(
        "--context-file", help="A JSON or YAML object of condition keys and values; `--context` "
        "entries override it (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Decide one request against the policies given.

    Exit 0 on Allow, 1 on ImplicitDeny or ExplicitDeny, 2 on invalid input.
    """
    try:
        identity = _load(policies, PolicyKind.IDENTITY)
        origins = {("identity", i): origin for i, (_, origin) in enumerate(identity)}
        kwargs: dict = {"identity": [p for p, _ in identity]}
        if resource_policy:
            policy, origin = _one(resource_policy, PolicyKind.RESOURCE)
            kwargs["resource"], origins[("resource",)] = policy, origin
        if permission_boundary:
            policy, origin = _one(permission_boundary, PolicyKind.PERMISSION_BOUNDARY)
            kwargs["permission_boundary"], origins[("permission_boundary",)] = policy, origin
        for option, name, kind in ((session_policy, "session", PolicyKind.SESSION),
                                   (scp, "scps", PolicyKind.SCP), (rcp, "rcps", PolicyKind.RCP)):
            loaded = _load(option, kind) if option else []
            kwargs[name] = [p for p, _ in loaded]
            origins.update({(name, i): origin for i, (_, origin) in enumerate(loaded)})
        request = {
            "principal": principal or DEFAULT_PRINCIPAL,
            "action": action,
            "resource": resource or DEFAULT_RESOURCE,
            "context": _context(context or [], context_file or []),
        }
        if resource_account:
            request["resource_account"] = resource_account
        authorizer = Authorizer(origins=origins, **kwargs)
        result = authorizer.authorize(request)
    except _Invalid as exc:
        _fail(exc.error, as_json)
    except PolicyError as exc:
        _fail(exc, as_json)
    shown = {
        "principal": (request["principal"], principal is None),
        "action": (action, False),
        "resource": (request["resource"], resource is None),
    }
    if resource_account:
        shown["resource_account"] = (resource_account, False)
    for key, value in request["context"].items():
        shown[key] = (json.dumps(value) if not isinstance(value, str) else value, False)
    for key, value in result.derived.items():
        shown[key] = (value, True)
    if as_json:
        payload = result.to_json()
        payload["request"] = request
        payload["defaults"] = [k for k in ("principal", "resource") if shown[k][1]]
        print(json.dumps(payload))
    else:
        print_result(out, result, shown, authorizer)
    raise typer.Exit(0 if result.decision is Decision.ALLOW else 1)


def _fail(error: PolicyError, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"error": str(error), "problems": [p.as_dict() for p in error.problems]}))
    else:
        print_problems(err, error)
    raise typer.Exit(2)


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(
        help="Scenario files or folders (JSON, JSON Lines, YAML); `-` reads standard input.",
        show_default=False, metavar="FILE_OR_DIR...")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per scenario and line.")] = False,
) -> None:
    """Evaluate scenario files and compare each decision with its `expect`.

    Exit 0 when every scenario is as expected, 1 when a decision differs, 2 when a scenario is
    invalid (the others are still evaluated and reported).
    """
    scenarios = load_scenarios(*paths)
    outcomes = []
    for scenario in scenarios:
        outcome = run_scenario(scenario)
        outcomes.append(outcome)
        if as_json:
            print(json.dumps(outcome.to_json()), flush=False)
        else:
            print_outcome(out, outcome)
    counts = run_counts(outcomes)
    if not as_json:
        print_run_summary(out, outcomes)
    if not scenarios:
        err.print(f"no scenarios found in {', '.join(paths)}")
        raise typer.Exit(2)
    raise typer.Exit(2 if counts["errors"] else 1 if counts["failed"] else 0)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
