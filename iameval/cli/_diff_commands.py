"""`iameval diff` and `iameval can-never`: questions about every request (`analysis._diff`).

The analysis, and the solver it needs, are imported inside the commands: no other command pays
for them at start-up. Exit 0 when nothing is (newly) allowed, 1 when something is or when that
is not known, 2 on invalid input.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.markup import escape

from ..policy._errors import Location, PolicyError, Problem
from ..policy._files import load_policy_files
from ..policy._model import PolicyKind
from ..policy._refusals import ERROR, WARNING, Rule
from ._options import JsonOpt, fail
from ._present import out

if TYPE_CHECKING:
    from ..analysis._diff import DiffReport

__all__ = ["can_never_command", "diff_command"]

# `--type` -> the kind the files are loaded as.
_KINDS = {"identity": PolicyKind.IDENTITY, "scp": PolicyKind.SCP, "rcp": PolicyKind.RCP,
          "boundary": PolicyKind.PERMISSION_BOUNDARY, "session": PolicyKind.SESSION,
          "resource": PolicyKind.RESOURCE_POLICY, "trust": PolicyKind.RESOURCE_POLICY}
_RULES = {rule.code: rule for rule in (
    Rule("new-access", ERROR, "A request the new policies allow and the old do not", "§2.1"),
    Rule("access-unknown", WARNING, "Requests the symbolic reading could not decide", "§2.1"))}

TypeOpt = Annotated[str, typer.Option("--type", help="The type of the policies: " + ", ".join(_KINDS) + ".")]
PrincipalOpt = Annotated[Optional[str], typer.Option(
    "--principal", "-p", help="The caller whose requests are searched. Default: an IAM user (a role session "
    "for session policies).", show_default=False)]
SarifOpt = Annotated[bool, typer.Option("--sarif", help="Print the findings as a SARIF 2.1.0 log.")]


def _kind(name: str, where: str) -> PolicyKind:
    kind = _KINDS.get(name)
    if kind is None:
        raise PolicyError([Problem(f"unknown policy type `{name}`", Location(where), "use one of "
                                   + ", ".join(_KINDS), code="unknown-policy-type")])
    return kind


def diff_command(
    old: Annotated[str, typer.Argument(help="The policy as it was (a file or folder).", show_default=False)],
    new: Annotated[str, typer.Argument(help="The policy as it is now.", show_default=False)],
    kind: TypeOpt = "identity",
    reverse: Annotated[bool, typer.Option("--reverse", help="What NEW no longer allows.")] = False,
    principal: PrincipalOpt = None,
    as_json: JsonOpt = False,
    sarif: SarifOpt = False,
) -> None:
    """What NEW allows that OLD does not, for every request: the actions, the statements of NEW
    that allow them, and one example request replayed through the engine.

    Exit 0 when nothing is newly allowed, 1 when something is (or when it cannot be decided:
    the result says `unknown` and why), 2 on invalid input.
    """
    try:
        loaded = _kind(kind, "--type")
        before = load_policy_files([old], loaded)
        after = load_policy_files([new], loaded)
    except PolicyError as exc:
        fail(exc, as_json)
    from ..analysis._diff import diff

    report = diff(after, before, kind, principal) if reverse else diff(before, after, kind, principal)
    _show(report, as_json, sarif, "no longer allowed" if reverse else "newly allowed")


def can_never_command(
    policies: Annotated[list[str], typer.Argument(help="The policies (files or folders).", show_default=False)],
    action: Annotated[list[str], typer.Option("--action", "-a", help="An action or pattern (repeatable).",
                                              show_default=False)],
    resource: Annotated[Optional[list[str]], typer.Option(
        "--resource", "-r", help="A resource ARN or pattern (repeatable). Default: any.")] = None,
    kind: TypeOpt = "identity",
    principal: PrincipalOpt = None,
    as_json: JsonOpt = False,
    sarif: SarifOpt = False,
) -> None:
    """Prove that no request for these actions (and resources) is allowed, or print one that is.

    Exit 0 when none is, 1 when one is (or when it cannot be decided), 2 on invalid input.
    """
    try:
        loaded = load_policy_files(policies, _kind(kind, "--type"))
    except PolicyError as exc:
        fail(exc, as_json)
    from ..analysis._diff import can_never

    _show(can_never(loaded, action, resource, kind, principal), as_json, sarif, "allowed")


def _show(report: DiffReport, as_json: bool, sarif: bool, verb: str) -> None:
    if as_json and sarif:
        fail(PolicyError([Problem("give --json or --sarif, not both", Location("iameval"), code="invalid-usage")]),
             False)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    elif sarif:
        from ..analysis._rules import Finding
        from ._sarif import sarif_log

        findings = [Finding("new-access", ERROR, f"{verb}: {', '.join(f.actions[:5])}"
                            + (f" and {len(f.actions) - 5} more" if len(f.actions) > 5 else "")
                            + f", e.g. on `{f.example.resource}`", where)
                    for f in report.findings for where in (f.locations or (Location("iameval"),))]
        findings += [Finding("access-unknown", WARNING, u.reason, Location("iameval")) for u in report.unknown]
        print(json.dumps(sarif_log(findings, _RULES), indent=2))
    else:
        _print(report, verb)
    raise typer.Exit(0 if report.result == "no-new-access" else 1)


def _print(report: DiffReport, verb: str) -> None:
    out.print(f"[bold]{report.result}[/]")
    for finding in report.findings:
        shown = ", ".join(finding.actions[:8]) + (f" and {len(finding.actions) - 8} more"
                                                  if len(finding.actions) > 8 else "")
        example = finding.example
        out.print(f"\n{verb}: {escape(shown)}", soft_wrap=True)
        out.print(f"  by: {escape('; '.join(finding.statements))}", soft_wrap=True)
        out.print(f"  example: {escape(example.action)} on {escape(example.resource)}"
                  + (f" with context {escape(json.dumps(example.context))}" if example.context else ""),
                  soft_wrap=True)
    for part in report.unknown:
        shown = ", ".join(part.actions[:8]) + (f" and {len(part.actions) - 8} more" if len(part.actions) > 8 else "")
        out.print(f"\nunknown{': ' + escape(shown) if shown else ''}\n  why: {escape(part.reason)}", soft_wrap=True)
