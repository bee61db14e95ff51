"""`iameval check`: one request against the policies given; `iameval run`: scenario files.

Exit codes a script can use: 0 Allow (or every scenario as expected), 1 ImplicitDeny or
ExplicitDeny (or a scenario not as expected), 2 invalid input.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Optional

import typer

from ..engine import Authorizer, Decision
from ..engine._context import merge_context
from ..engine import Explanation, explain
from ..inputs._accounts import Account
from ..inputs._scenarios import ScenarioOutcome, load_scenarios, run_scenario
from ..policy._errors import Location, PolicyError, Problem
from ..policy._files import load_policy_file, load_policy_files
from ..policy._model import PolicyKind
from ._options import (DEFAULT_PRINCIPAL, DEFAULT_RESOURCE, AccountOpt, ActionOpt, ContextFileOpt, ContextOpt,
                       CredentialsOpt,
                       ExplainOpt, JsonOpt, RcpOpt, ResourceAccountOpt, ResourceOpt, ResourcePolicyOpt,
                       ScpOpt, checked_request, context_from, fail, org_policies, read_account)
from ._present import (err, out, print_explanation, print_outcome, print_request, print_result, print_run_summary,
                       run_counts)

__all__ = ["check", "run"]


def check(
    policies: Annotated[Optional[list[str]], typer.Argument(
        help="Identity-based policy files or folders (JSON or YAML); `-` reads standard input.",
        show_default=False, metavar="POLICY")] = None,
    *,
    action: ActionOpt,
    resource: ResourceOpt = None,
    principal: Annotated[Optional[str], typer.Option(
        "--principal", "-p", help=f"The caller's ARN, `*` for an anonymous caller, a service principal, or for "
        "sts:AssumeRoleWithWebIdentity and sts:AssumeRoleWithSAML the identity provider (as `Principal.Federated` "
        f"names it). Default: `{DEFAULT_PRINCIPAL}`.",
        show_default=False)] = None,
    credentials: CredentialsOpt = None,
    account_details: AccountOpt = None,
    resource_policy: ResourcePolicyOpt = None,
    resource_account: ResourceAccountOpt = None,
    permission_boundary: Annotated[Optional[str], typer.Option(
        "--permission-boundary", help="The principal's permissions boundary.")] = None,
    session_policy: Annotated[Optional[list[str]], typer.Option(
        "--session-policy", help="A session policy of a role or federated-user session (repeatable).")] = None,
    scp: ScpOpt = None,
    rcp: RcpOpt = None,
    context: ContextOpt = None,
    context_file: ContextFileOpt = None,
    explain_it: ExplainOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Decide one request against the policies given.

    With --account-details, the principal's identity policies and boundary come from the
    account (and a role's trust policy serves as the resource policy of `sts:AssumeRole` on it).
    Exit 0 on Allow, 1 on ImplicitDeny or ExplicitDeny, 2 on invalid input.
    """
    try:
        if not (policies or account_details or resource_policy or permission_boundary or session_policy or scp
                or rcp):
            raise PolicyError([Problem("give at least one policy: identity-based policy files, --resource-policy, "
                                       "--permission-boundary, --session-policy, --scp, --rcp, or --account-details "
                                       "with --principal", Location("iameval check"), code="invalid-usage")])
        kwargs: dict[str, Any] = {"identity": load_policy_files(policies, PolicyKind.IDENTITY) if policies else []}
        org_policies(resource_policy, scp, rcp, kwargs, action)
        if permission_boundary:
            kwargs["permission_boundary"] = load_policy_file(permission_boundary, PolicyKind.PERMISSION_BOUNDARY)
        if session_policy:
            kwargs["session"] = load_policy_files(session_policy, PolicyKind.SESSION)
        given_context = context_from(context or [], context_file or [])
        request: dict[str, Any] = {
            "principal": principal or DEFAULT_PRINCIPAL,
            "action": action,
            "resource": resource or DEFAULT_RESOURCE,
            "context": given_context,
        }
        if resource_account:
            request["resource_account"] = resource_account
        if credentials:
            request["credentials"] = credentials
        if account_details:
            _from_account(read_account(account_details), principal, request, kwargs)
        checked = checked_request(request)
        authorizer = Authorizer(**kwargs)
        explanation: Explanation | None = explain(authorizer, checked) if explain_it else None
        result = explanation.result if explanation else authorizer.authorize(checked)
    except PolicyError as exc:
        fail(exc, as_json)
    shown: dict[str, tuple[str, bool]] = {
        "principal": (request["principal"], principal is None),
        "action": (action, False),
        "resource": (request["resource"], resource is None),
    }
    if resource_account:
        shown["resource_account"] = (resource_account, False)
    if credentials:
        shown["credentials"] = (checked.credentials.value if checked.credentials else credentials, False)
    for key, value in request["context"].items():
        shown[key] = (json.dumps(value) if not isinstance(value, str) else value, False)
    for key, value in result.derived.items():
        shown[key] = (value, True)
    if as_json:
        payload = result.to_json()
        payload["request"] = request
        payload["defaults"] = [k for k in ("principal", "resource") if shown[k][1]]
        if explanation:
            payload["explanation"] = explanation.as_dict()
        print(json.dumps(payload))
    elif explanation:
        print_explanation(out, explanation)
        print_request(out, shown, result)
    else:
        print_result(out, result, shown, authorizer)
    raise typer.Exit(0 if result.decision is Decision.ALLOW else 1)


def _from_account(account: Account, principal: str | None, request: dict[str, Any], kwargs: dict[str, Any]) -> None:
    """Take the principal's policies (and tags, and a target role's trust policy) from the account."""
    if principal is None:
        raise PolicyError([Problem("--account-details needs --principal: the ARN of a user "
                                   "or role of the account, or of a role session",
                                   Location("iameval check"), code="invalid-usage")])
    found = account.find(principal)
    if found is None:
        raise PolicyError([Problem(f"`{principal}` is not a user or role of the account",
                                   Location("--principal"), code="unknown-principal")])
    if not found.complete:
        raise PolicyError(found.problems)
    kwargs["identity"] = kwargs["identity"] + list(found.identity)
    if "permission_boundary" not in kwargs and found.permission_boundary is not None:
        kwargs["permission_boundary"] = found.permission_boundary
    request["context"] = merge_context(found.context(), request["context"])
    if "resource_policy" not in kwargs:
        trust, problems = account.resource_policy(request["action"], request["resource"])
        if problems:
            raise PolicyError(problems)
        if trust is not None:
            kwargs["resource_policy"] = trust



def run(
    paths: Annotated[list[str], typer.Argument(
        help="Scenario files or folders (JSON, JSON Lines, YAML); `-` reads standard input.",
        show_default=False, metavar="FILE_OR_DIR...")],
    explain_it: ExplainOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per scenario and line.")] = False,
) -> None:
    """Evaluate scenario files and compare each decision with its `expect`.

    Exit 0 when every scenario is as expected, 1 when a decision differs, 2 when a scenario is
    invalid (the others are still evaluated and reported).
    """
    scenarios = load_scenarios(*paths)
    outcomes: list[ScenarioOutcome] = []
    for scenario in scenarios:
        outcome = run_scenario(scenario)
        outcomes.append(outcome)
        explanation = None
        if explain_it and outcome.result is not None and scenario.request is not None:
            explanation = explain(scenario.authorizer(), scenario.request)
        if as_json:
            payload = outcome.to_json()
            if explanation:
                payload["explanation"] = explanation.as_dict()
            print(json.dumps(payload), flush=False)
        else:
            print_outcome(out, outcome)
            if explanation:
                print_explanation(out, explanation)
    counts = run_counts(outcomes)
    if not as_json:
        print_run_summary(out, outcomes)
    if not scenarios:
        err.print(f"no scenarios found in {', '.join(paths)}")
        raise typer.Exit(2)
    raise typer.Exit(2 if counts["errors"] else 1 if counts["failed"] else 0)
