"""`iameval check`: one request against the policies given; `iameval run`: scenario files.

Exit codes a script can use: 0 Allow (or every scenario as expected), 1 ImplicitDeny or
ExplicitDeny (or a scenario not as expected), 2 invalid input.
"""

# No `from __future__ import annotations`: typer reads the commands' signatures at every start, and
# annotations evaluated once, where they are defined, cost less than strings it evaluates again
# (issue 14, start-up). Names imported for type checking alone are quoted.

import json
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional, Sequence

import typer
from rich.markup import escape

from ..policy._errors import Location, PolicyError, Problem
from ..policy._kind import PolicyKind
from ._options import (CREDENTIALS_HELP, AccountDetailsOpt, DEFAULT_PRINCIPAL, DEFAULT_PRINCIPAL_HELP, DEFAULT_RESOURCE,
                       RESOURCE_ACCOUNT_HELP, RESOURCE_POLICY_HELP, ContextFileOpt, ContextOpt, ExplainOpt, JsonOpt,
                       ManagedPoliciesOpt, RcpOpt, ScpOpt,
                       PARAMETER_HELP, TEMPLATE_HELP, checked_request, context_from, fail, org_policies,
                       file_organization, principals_from, single)

if TYPE_CHECKING:
    from ..engine import Authorizer, Explanation, Request, Result
    from ..inputs._accounts import Account
    from ..inputs._templates import Infrastructure
    from ..inputs._scenarios import Scenario, ScenarioOutcome

# Each command imports what it runs when it runs: `--help` and the other commands need none of
# it (issue 14, start-up).

__all__ = ["check", "run"]


def check(
    policies: Annotated[Optional[list[str]], typer.Argument(
        help="Identity-based policy files or folders (JSON or YAML); `-` reads standard input.",
        show_default=False, metavar="POLICY")] = None,
    *,
    action: Annotated[list[str], typer.Option(
        "--action", "-a", metavar="ACTION", show_default=False,
        help="The action, e.g. `s3:GetObject`. Repeat it to ask several: each action is asked of each "
        "--resource, and the answers are a table.")],
    resource: Annotated[Optional[list[str]], typer.Option(
        "--resource", "-r", metavar="ARN", show_default=False,
        help=f"The resource ARN (repeatable, as --action). Default: `{DEFAULT_RESOURCE}`.")] = None,
    principal: Annotated[Optional[list[str]], typer.Option(
        "--principal", "-p", metavar="ARN", show_default=False,
        help="The caller's ARN, `*` for an anonymous caller, a service principal, or for "
        "sts:AssumeRoleWithWebIdentity and sts:AssumeRoleWithSAML the identity provider (as `Principal.Federated` "
        "names it). " + DEFAULT_PRINCIPAL_HELP)] = None,
    credentials: Annotated[Optional[list[str]], typer.Option(
        "--credentials", metavar="HOW", show_default=False, help=CREDENTIALS_HELP)] = None,
    account_details: AccountDetailsOpt = None,
    template: Annotated[Optional[list[str]], typer.Option(
        "--template", metavar="FILE", help=TEMPLATE_HELP + " With --principal (a logical ID, a Terraform address "
        "or an ARN), that principal's policies are used as from --account-details.")] = None,
    parameter: Annotated[Optional[list[str]], typer.Option(
        "--parameter", metavar="KEY=VALUE", help=PARAMETER_HELP)] = None,
    managed_policies: ManagedPoliciesOpt = None,
    resource_policy: Annotated[Optional[list[str]], typer.Option(
        "--resource-policy", metavar="FILE", help=RESOURCE_POLICY_HELP)] = None,
    resource_account: Annotated[Optional[list[str]], typer.Option(
        "--resource-account", metavar="ACCOUNT", help=RESOURCE_ACCOUNT_HELP)] = None,
    permission_boundary: Annotated[Optional[list[str]], typer.Option(
        "--permission-boundary", metavar="FILE", help="The principal's permissions boundary.")] = None,
    session_policy: Annotated[Optional[list[str]], typer.Option(
        "--session-policy", help="A session policy of a role or federated-user session (repeatable).")] = None,
    scp: ScpOpt = None,
    rcp: RcpOpt = None,
    context: ContextOpt = None,
    context_file: ContextFileOpt = None,
    explain_it: ExplainOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Decide a request against the policies given.

    With --account-details, the principal's identity policies and boundary come from the
    account (and a role's trust policy serves as the resource policy of `sts:AssumeRole` on it).
    With --template, they come from a template or plan, as does the resource policy of the
    resource asked about when the file holds it.
    With several --action or --resource values, every action is asked of every resource.
    Exit 0 when every answer is Allow, 1 when one is ImplicitDeny or ExplicitDeny, 2 on invalid
    input (an option that takes one value given twice is invalid).
    """
    from ..engine import Authorizer, Decision, explain
    from ..policy._files import load_policy_file, load_policy_files
    from ._present import out, print_explanation, print_request, print_result

    pairs = [(a, r) for a in action for r in (resource or [DEFAULT_RESOURCE])]
    try:
        principal_, credentials_, resource_policy_, resource_account_, boundary = (
            single(principal, "--principal"), single(credentials, "--credentials"),
            single(resource_policy, "--resource-policy"),
            single(resource_account, "--resource-account"), single(permission_boundary, "--permission-boundary"))
        if not (policies or account_details or template or resource_policy_ or boundary or session_policy or scp
                or rcp):
            raise PolicyError([Problem("give at least one policy: identity-based policy files, --resource-policy, "
                                       "--permission-boundary, --session-policy, --scp, --rcp, or --account-details "
                                       "or --template with --principal", Location("iameval check"),
                                       code="invalid-usage")])
        shared: dict[str, Any] = {"identity": load_policy_files(policies, PolicyKind.IDENTITY) if policies else []}
        if boundary:
            shared["permission_boundary"] = load_policy_file(boundary, PolicyKind.PERMISSION_BOUNDARY)
        if session_policy:
            shared["session"] = load_policy_files(session_policy, PolicyKind.SESSION)
        given_context = context_from(context or [], context_file or [])
        account = principals_from(account_details, template, parameter, managed_policies)
        asked = []
        for one_action, one_resource in pairs:
            kwargs = dict(shared)
            org_policies(resource_policy_, scp, rcp, kwargs, one_action)
            request: dict[str, Any] = {"principal": principal_ or DEFAULT_PRINCIPAL, "action": one_action,
                                       "resource": one_resource, "context": given_context}
            if resource_account_:
                request["resource_account"] = resource_account_
            if credentials_:
                request["credentials"] = credentials_
            if account is not None:
                _from_account(account, principal_, request, kwargs)
            checked = checked_request(request)
            authorizer = Authorizer(**kwargs)
            # The explanation is the decision's own trace: it says which context keys the
            # decision needed and did not have (`Explanation.missing_context`).
            asked.append((request, checked, authorizer, explain(authorizer, checked)))
    except PolicyError as exc:
        fail(exc, as_json)
    if len(asked) > 1:
        _answer_pairs(asked, as_json, explain_it)
    request, checked, authorizer, explanation = asked[0]
    result = explanation.result
    shown = _shown(request, checked, result, principal_ is None, resource is None)
    if as_json:
        payload = result.to_json()
        payload["missing_context"] = [m.as_dict() for m in explanation.missing_context]
        payload["request"] = request
        payload["defaults"] = [k for k in ("principal", "resource") if shown[k][1]]
        if explain_it:
            payload["explanation"] = explanation.as_dict()
        print(json.dumps(payload))
    elif explain_it:
        print_explanation(out, explanation)
        print_request(out, shown, result)
    else:
        print_result(out, result, shown, authorizer, () if result.allowed else explanation.missing_context)
    raise typer.Exit(0 if result.decision is Decision.ALLOW else 1)


def _shown(request: dict[str, Any], checked: "Request", result: "Result", default_principal: bool,
           default_resource: bool) -> dict[str, tuple[str, bool]]:
    """The request as the output lists it: each value, and whether it was a default or derived."""
    shown: dict[str, tuple[str, bool]] = {
        "principal": (request["principal"], default_principal),
        "action": (request["action"], False),
        "resource": (request["resource"], default_resource),
    }
    if "resource_account" in request:
        shown["resource_account"] = (request["resource_account"], False)
    if checked.credentials is not None:
        shown["credentials"] = (checked.credentials.value, False)
    for key, value in request["context"].items():
        shown[key] = (json.dumps(value) if not isinstance(value, str) else value, False)
    for key, value in result.derived.items():
        shown[key] = (value, True)
    return shown


def _answer_pairs(asked: "list[tuple[dict[str, Any], Request, Authorizer, Explanation]]", as_json: bool,
                  explain_it: bool) -> NoReturn:
    """Several actions or resources: one answer per pair, as a table (JSON Lines with --json)."""
    from ._present import out, print_explanation, print_pairs

    results = [explanation.result for _, _, _, explanation in asked]
    if as_json:
        for (request, _, _, explanation), result in zip(asked, results):
            payload = {"action": request["action"], "resource": request["resource"], **result.to_json(),
                       "missing_context": [m.as_dict() for m in explanation.missing_context]}
            if explain_it:
                payload["explanation"] = explanation.as_dict()
            print(json.dumps(payload))
    elif explain_it:
        for (request, checked, _, explanation), result in zip(asked, results):
            out.rule(f"{escape(request['action'])} on {escape(request['resource'])}", style="dim")
            print_explanation(out, explanation)
    else:
        print_pairs(out, [(request["action"], request["resource"], explanation.result,
                           () if explanation.result.allowed else explanation.missing_context)
                          for request, _, _, explanation in asked])
    raise typer.Exit(0 if all(r.allowed for r in results) else 1)


def _from_account(account: "Account | Infrastructure", principal: str | None, request: dict[str, Any],
                  kwargs: dict[str, Any]) -> None:
    """Take the principal's policies (and tags, and a target role's trust policy, or the
    template's policy of the resource) from the account, template or plan."""
    from ..engine._context import merge_context
    from ..inputs._accounts import Account

    option = "--account-details" if isinstance(account, Account) else "--template"
    if principal is None:
        raise PolicyError([Problem(f"{option} needs --principal: the ARN of a user or role of the "
                                   + ("account, or of a role session" if isinstance(account, Account) else
                                      "file, its logical ID or its Terraform address"),
                                   Location("iameval check"), code="invalid-usage")])
    found = account.find(principal)
    if found is None:
        raise PolicyError([Problem(f"`{principal}` is not a user or role of the "
                                   + ("account" if isinstance(account, Account) else "file"),
                                   Location("--principal"), code="unknown-principal")])
    if not found.complete:
        raise PolicyError(found.problems)
    if not principal.startswith("arn:"):  # a logical ID or address: the request is the principal's
        request["principal"] = found.arn
    kwargs["identity"] = kwargs["identity"] + list(found.identity)
    file_organization(account, kwargs)
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
    junit: Annotated[Optional[str], typer.Option(
        "--junit", metavar="FILE", help="Also write the results as JUnit XML to FILE (one test case per "
        "scenario; a failure carries the decision's explanation), for CI test reports.")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option(
        "--exclude", metavar="GLOB", help="Pass over the files whose path or name matches GLOB (repeatable), "
        "e.g. `--exclude 'drafts/*'`.")] = None,
) -> None:
    """Evaluate scenario files and compare each decision with its `expect`.

    Exit 0 when every scenario is as expected, 1 when a decision differs, 2 when a scenario is
    invalid (the others are still evaluated and reported).
    """
    from ._present import err, out, print_run_summary, progress, run_counts

    scenarios = load_scenarios(*paths, exclude=exclude or ())
    explanations: dict[int, Explanation] = {}
    outcomes: list[ScenarioOutcome] = []
    with progress("scenarios", len(scenarios)) as advance:
        _run_all(scenarios, outcomes, explanations, explain_it, as_json, junit, advance)
    counts = run_counts(outcomes)
    if junit:
        write_junit(junit, outcomes, explanations)
    if not as_json:
        print_run_summary(out, outcomes)
    if not scenarios:
        err.print(f"no scenarios found in {escape(', '.join(paths))}", soft_wrap=True)
        raise typer.Exit(2)
    raise typer.Exit(2 if counts["errors"] else 1 if counts["failed"] else 0)


def load_scenarios(*paths: str, exclude: Sequence[str] = ()) -> "list[Scenario]":
    """The scenarios of the files and folders given (`inputs.load_scenarios`), whose loader,
    with the engine, is imported only when `run` runs."""
    from ..inputs._scenarios import load_scenarios as load

    return load(*paths, exclude=exclude)


def _run_all(scenarios: list[Any], outcomes: "list[ScenarioOutcome]", explanations: "dict[int, Explanation]",
             explain_it: bool, as_json: bool, junit: str | None, advance: Any) -> None:
    """Each scenario decided and reported as it comes (explained for --explain, and for a JUnit
    failure), counted by the progress bar."""
    from ..engine import explain
    from ..inputs._scenarios import run_scenario
    from ._present import out, print_explanation, print_outcome

    for scenario in scenarios:
        outcome = run_scenario(scenario)
        outcomes.append(outcome)
        explanation = None
        if outcome.result is not None and scenario.request is not None and (
                explain_it or (junit and outcome.ok is False)):
            explanation = explanations[len(outcomes) - 1] = explain(scenario.authorizer(), scenario.request)
            if not explain_it:
                explanation = None
        if as_json:
            payload = outcome.to_json()
            if explanation:
                payload["explanation"] = explanation.as_dict()
            print(json.dumps(payload), flush=False)
        else:
            print_outcome(out, outcome)
            if explanation:
                print_explanation(out, explanation)
        advance()


def write_junit(path: str, outcomes: "list[ScenarioOutcome]", explanations: "dict[int, Explanation]") -> None:
    """The results as JUnit XML: a test case per scenario (its class the file it is in), a
    failure for a decision that is not its `expect` (with the explanation), an error for a
    scenario that could not be evaluated."""
    from xml.etree import ElementTree

    from ..testing import explanation_text
    from ._present import run_counts

    counts = run_counts(outcomes)
    suite = ElementTree.Element("testsuite", name="iameval", tests=str(counts["scenarios"]),
                                failures=str(counts["failed"]), errors=str(counts["errors"]), skipped="0")
    for index, outcome in enumerate(outcomes):
        scenario = outcome.scenario
        case = ElementTree.SubElement(suite, "testcase", name=scenario.id,
                                      classname=scenario.location.file or "scenarios")
        if outcome.result is None:
            error = ElementTree.SubElement(case, "error", message=str(outcome.error).split("\n")[0])
            error.text = "\n".join(str(p) for p in outcome.problems)
        elif outcome.ok is False:
            failure = ElementTree.SubElement(case, "failure", message=f"expected {scenario.expect}, got "
                                             f"{outcome.result.decision}: {outcome.result.summary}")
            explanation = explanations.get(index)
            failure.text = explanation_text(explanation) if explanation is not None else outcome.result.summary
    ElementTree.indent(suite)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(ElementTree.tostring(suite, encoding="unicode", xml_declaration=True))
        handle.write("\n")
