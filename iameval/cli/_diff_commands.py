"""`iameval diff` and `iameval can-never`: questions about every request (`analysis._diff`).

The analysis, and the solver it needs, are imported inside the commands: no other command pays
for them at start-up. Exit 0 when nothing is (newly) allowed, 1 when something is or when that
is not known, 2 on invalid input.
"""

# No `from __future__ import annotations`, as in the other command modules (`_app.py`): typer reads
# the signatures at every start. What the commands run is imported when they run (issue 14).

import json
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer
from rich.markup import escape

from ..policy._errors import Location, PolicyError, Problem
from ..analysis._policy_types import DIFF_TYPES
from ..policy._kind import PolicyKind
from ..analysis._policy_types import CALLER_KINDS
from ._options import PARAMETER_HELP, JsonOpt, fail, read_infrastructure

if TYPE_CHECKING:
    from ..analysis._public import PublicReport
    from ..policy._model import Policy
    from ..analysis._diff import DiffReport
    from ..analysis._infrastructure_diff import InfrastructureDiff
    from ..analysis._rules import Finding
    from ..policy._refusals import Rule

__all__ = ["can_never_command", "diff_command", "public_command"]

# `--type` -> the kind the files are loaded as.
_KINDS = DIFF_TYPES

TypeOpt = Annotated[str, typer.Option("--type", help="The type of the policies: " + ", ".join(_KINDS) + ".")]
PrincipalOpt = Annotated[Optional[str], typer.Option(
    "--principal", "-p", help="The caller whose requests are searched. Default: an IAM user (a role session "
    "for session policies).", show_default=False)]
SarifOpt = Annotated[bool, typer.Option("--sarif", help="Print the findings as a SARIF 2.1.0 log.")]
AccountOpt = Annotated[Optional[str], typer.Option(
    "--account", help="The account of the resource whose resource or trust policy is searched. Default: "
    "123456789012.", show_default=False)]


def _kind(name: str, where: str) -> PolicyKind:
    kind = _KINDS.get(name)
    if kind is None:
        raise PolicyError([Problem(f"unknown policy type `{name}`", Location(where), "use one of "
                                   + ", ".join(_KINDS), code="unknown-policy-type")])
    return kind


def diff_command(
    old: Annotated[str, typer.Argument(help="The policy as it was (a file or folder); or a template, or a Terraform "
                                       "plan whose `before` is compared with its `after`.", show_default=False)],
    new: Annotated[Optional[str], typer.Argument(help="The policy (or template) as it is now.",
                                                 show_default=False)] = None,
    kind: Annotated[Optional[str], typer.Option("--type", help="The type of the policies: " + ", ".join(_KINDS)
                                                + ". Default: identity; a template's policies have their own.",
                                                show_default=False)] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="What NEW no longer allows.")] = False,
    principal: PrincipalOpt = None,
    account: AccountOpt = None,
    parameters: Annotated[Optional[list[str]], typer.Option("--parameter", help=PARAMETER_HELP,
                                                            show_default=False)] = None,
    as_json: JsonOpt = False,
    sarif: SarifOpt = False,
) -> None:
    """What NEW allows that OLD does not, for every request: the actions, the statements of NEW
    that allow them, and one example request replayed through the engine. Two templates, or one
    Terraform plan (`before` against `after`), are compared principal by principal and resource
    by resource.

    Exit 0 when nothing is newly allowed, 1 when something is (or when it cannot be decided:
    the result says `unknown` and why), 2 on invalid input.
    """
    from ..policy._files import load_policy_files
    from ..policy._not_policies import INFRASTRUCTURE, NotAPolicy

    try:
        loaded = _kind(kind or "identity", "--type")
        try:
            before = load_policy_files([old], loaded)
        except NotAPolicy as exc:
            if not (exc.kinds and exc.kinds <= INFRASTRUCTURE):
                raise
            _diff_infrastructure(old, new, kind, principal, parameters or [], reverse, as_json, sarif)
        if parameters:
            raise PolicyError([Problem("--parameter gives the values of a template's parameters",
                                       Location("--parameter"), code="invalid-usage")])
        if new is None:
            raise PolicyError([Problem("give NEW: the policy as it is now", Location(old),
                                       "only a Terraform plan is compared alone, its `before` with its `after`",
                                       code="invalid-usage")])
        after = load_policy_files([new], loaded)
        searched = kind or "identity"
        _check_options(account, principal, searched, [before, after])
    except PolicyError as exc:
        fail(exc, as_json)
    from ..analysis._diff import diff

    report = (diff(after, before, searched, principal, account=account) if reverse
              else diff(before, after, searched, principal, account=account))
    _show(report, as_json, sarif, "no longer allowed" if reverse else "newly allowed")


def _diff_infrastructure(old: str, new: str | None, kind: str | None, principal: str | None, parameters: list[str],
                         reverse: bool, as_json: bool, sarif: bool) -> NoReturn:
    """Two templates or plans, or one plan's two states, compared (`analysis._infrastructure_diff`)."""
    from ..inputs._terraform import PlanState

    for given, option in ((kind, "--type"), (principal, "--principal")):
        if given is not None:
            raise PolicyError([Problem(f"{option} is for policy files: a template's policies are compared with "
                                       "their own types, each principal's as its own requests", Location(option),
                                       code="invalid-usage")])
    if new is None:
        before = read_infrastructure(old, parameters, state=PlanState.BEFORE)
        if before.format != "Terraform plan":
            raise PolicyError([Problem(f"one {before.format} template: give the template as it was and as it is now",
                                       Location(old), "a Terraform plan alone is compared, its `before` with its "
                                       "`after`", code="invalid-usage")])
        after = read_infrastructure(old, parameters, state=PlanState.AFTER)
    else:
        before = read_infrastructure(old, parameters, state=PlanState.AFTER)
        after = read_infrastructure(new, parameters, state=PlanState.AFTER)
    from ..analysis._infrastructure_diff import diff_infrastructure

    result = diff_infrastructure(after, before) if reverse else diff_infrastructure(before, after)
    verb = "no longer allowed" if reverse else "newly allowed"
    if as_json and sarif:
        _both()
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
    elif sarif:
        from ._sarif import sarif_log

        print(json.dumps(sarif_log([f for pair in result.pairs
                                    for f in _findings(pair.report, verb, f"{pair.name} {pair.part}: ")], _rules()),
                         indent=2))
    else:
        _print_pairs(result, verb)
    raise typer.Exit(0 if result.result == "no-new-access" else 1)


def can_never_command(
    policies: Annotated[list[str], typer.Argument(help="The policies (files or folders).", show_default=False)],
    action: Annotated[list[str], typer.Option("--action", "-a", help="An action or pattern (repeatable).",
                                              show_default=False)],
    resource: Annotated[Optional[list[str]], typer.Option(
        "--resource", "-r", help="A resource ARN or pattern (repeatable). Default: any.")] = None,
    kind: TypeOpt = "identity",
    principal: PrincipalOpt = None,
    account: AccountOpt = None,
    as_json: JsonOpt = False,
    sarif: SarifOpt = False,
) -> None:
    """Prove that no request for these actions (and resources) is allowed, or print one that is.
    A resource or trust policy is asked about every caller, for what it grants.

    Exit 0 when none is, 1 when one is (or when it cannot be decided), 2 on invalid input.
    """
    from ..policy._files import load_policy_files

    try:
        loaded = load_policy_files(policies, _kind(kind, "--type"))
        _check_options(account, principal, kind, [loaded])
    except PolicyError as exc:
        fail(exc, as_json)
    from ..analysis._diff import can_never

    _show(can_never(loaded, action, resource, kind, principal, account), as_json, sarif, "allowed")


def public_command(
    policy: Annotated[str, typer.Argument(help="The resource or trust policy (a file).", show_default=False)],
    account: AccountOpt = None,
    kind: Annotated[str, typer.Option("--type", help="The type of the policy: " + ", ".join(CALLER_KINDS) + ".")]
    = "resource",
    organizations: Annotated[Optional[list[str]], typer.Option(
        "--organization", help="The organization of the resource's account (repeatable). Default: the values the "
        "policy compares `aws:PrincipalOrgID` with.", show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Can an anonymous caller, anyone with an AWS account, a caller of another account or one
    outside the organization be allowed by this policy? One example request of each, replayed
    through the engine, or a proof that none is.

    Exit 0 when no outside caller is allowed, 1 when one is (or when it cannot be decided: the
    result says `unknown` and why), 2 on invalid input.
    """
    from ..policy._files import load_policy_files

    try:
        if kind not in CALLER_KINDS:
            raise PolicyError([Problem(f"--type `{kind}`: public asks about a policy that names its callers, one of "
                                       + ", ".join(CALLER_KINDS), Location("--type"), code="invalid-usage")])
        loaded = load_policy_files([policy], _kind(kind, "--type"))
        _check_options(account, None, kind, [loaded])
        if not loaded:
            raise PolicyError([Problem("no policy found", Location(policy), code="invalid-usage")])
    except PolicyError as exc:
        fail(exc, as_json)
    from ..analysis._public import public

    report = public(loaded[0], account, organizations, kind)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _print_public(report)
    raise typer.Exit(0 if report.result == "not-public" else 1)


def _print_public(report: "PublicReport") -> None:
    from ._present import out

    out.print(f"[bold]{report.result}[/]")
    for found in report.findings:
        finding = found.finding
        example = finding.example
        out.print(f"\n{found.outside}: {escape(example.caller or example.principal)}", soft_wrap=True)
        out.print(f"  by: {escape('; '.join(finding.statements))}", soft_wrap=True)
        out.print(f"  example: {escape(example.principal)} calls {escape(example.action)} on "
                  f"{escape(example.resource)}"
                  + (f" with context {escape(json.dumps(example.context))}" if example.context else ""), soft_wrap=True)
    for part in report.unknown:
        out.print(f"\nunknown\n  why: {escape(part.reason)}", soft_wrap=True)


def _check_options(account: str | None, principal: str | None, kind: str, sides: "list[list[Policy]]") -> None:
    """`--principal` is a caller iameval knows; `--account` a 12-digit ID, for the types that
    name their callers, of which a resource has one policy (§2.2)."""
    from ..engine._request import CallerError, parse_caller
    from ..policy._arn import ACCOUNT_ID

    if principal is not None:
        try:
            parse_caller(principal)
        except CallerError as exc:
            raise PolicyError([Problem(str(exc), Location("--principal"), exc.hint,
                                       code="invalid-principal-arn")]) from None

    if account is not None and (kind not in CALLER_KINDS or not ACCOUNT_ID.fullmatch(account)):
        raise PolicyError([Problem(f"--account `{account}`: give a 12-digit account ID, for --type "
                                   + " or ".join(CALLER_KINDS), Location("--account"), code="invalid-usage")])
    if kind in CALLER_KINDS and any(len(side) > 1 for side in sides):
        raise PolicyError([Problem(f"a resource has one {kind} policy: give one file on each side",
                                   Location("--type"), code="invalid-usage")])


def _both() -> NoReturn:
    fail(PolicyError([Problem("give --json or --sarif, not both", Location("iameval"), code="invalid-usage")]), False)


def _show(report: "DiffReport", as_json: bool, sarif: bool, verb: str) -> None:
    if as_json and sarif:
        _both()
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    elif sarif:
        from ._sarif import sarif_log

        print(json.dumps(sarif_log(_findings(report, verb), _rules()), indent=2))
    else:
        from ._present import out, print_diff_report

        out.print(f"[bold]{report.result}[/]")
        print_diff_report(out, report, verb)
    raise typer.Exit(0 if report.result == "no-new-access" else 1)


def _findings(report: "DiffReport", verb: str, prefix: str = "") -> "list[Finding]":
    """The report's findings for SARIF, each message after `prefix` (what of a template it is about)."""
    from ..analysis._rules import Finding
    from ..policy._refusals import ERROR, WARNING

    findings = [Finding("new-access", ERROR, f"{prefix}{verb}: {', '.join(f.actions[:5])}"
                        + (f" and {len(f.actions) - 5} more" if len(f.actions) > 5 else "")
                        + f", e.g. on `{f.example.resource}`", where)
                for f in report.findings for where in (f.locations or (Location("iameval"),))]
    return findings + [Finding("access-unknown", WARNING, prefix + u.reason, Location("iameval"))
                       for u in report.unknown]


def _rules() -> "dict[str, Rule]":
    """The codes of diff's findings in SARIF, made when SARIF is written: the loader's rules,
    which `Rule` comes with, are no part of `--help` (issue 14, start-up)."""
    from ..policy._refusals import ERROR, WARNING, Rule

    return {rule.code: rule for rule in (
        Rule("new-access", ERROR, "A request the new policies allow and the old do not", "§2.1"),
        Rule("access-unknown", WARNING, "Requests the symbolic reading could not decide", "§2.1"))}


def _print_pairs(result: "InfrastructureDiff", verb: str) -> None:
    """Each pair that differs, its answer and what it is; then what was the same, and removed."""
    from ._present import out, print_diff_report

    out.print(f"[bold]{result.result}[/]")
    for pair in result.pairs:
        out.print(f"\n[bold]{escape(pair.name)}[/]: {pair.part} ({pair.change}, searched as {pair.kind}): "
                  f"[bold]{pair.report.result}[/]", soft_wrap=True)
        print_diff_report(out, pair.report, verb, "  ")
    if result.unchanged:
        out.print(f"\n{result.unchanged} unchanged")
    for name, part in result.removed:
        out.print(f"removed: {escape(name)}: {part}", soft_wrap=True)
