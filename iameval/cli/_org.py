"""`iameval org who-can`, `iameval org paths` and `iameval org matrix`: questions over a whole
organization, read from its folder (docs/organizations.md).

`who-can` asks every user and role of every account, with its account's SCPs and the resource
account's RCPs and resource-based policy (IAM-SEMANTICS §3, §4), and prints them by account.
`paths` lists who can reach a role through chains of `sts:AssumeRole`, each hop with the
statements that decided it. Exit 0 when some principal is allowed (has a path), 1 when none is,
2 on invalid input. `matrix` writes what every principal may do as a Parquet table, on Dask for a
large organization; its numpy, pyarrow and Dask come with the `org` extra and no other command
imports them.
"""

# No `from __future__ import annotations`: typer reads the commands' signatures at every start
# (issue 14, start-up). Names imported for type checking alone are quoted.

import json
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.markup import escape

from ..policy._errors import PolicyError
from ._options import ContextFileOpt, ContextOpt, JsonOpt, ManagedPoliciesOpt, context_from, fail, single
from ._who_can import StrictContextOpt

if TYPE_CHECKING:
    from rich.console import Console

    from ..inputs._organization_questions import AssumePaths, OrganizationAnswer
    from ..inputs._organizations import MemberAccount, Organization

# The commands import what they run when they run (issue 14, start-up).

__all__ = ["OrgOpt", "org_matrix_command", "org_paths_command", "org_who_can_command", "read_organization"]

OrgOpt = Annotated[str, typer.Option(
    "--org", metavar="DIR", help="The organization's folder, or its manifest (docs/organizations.md).")]


def _load(path: str, managed_policies: Optional[list[str]] = None) -> "Organization":
    """The organization of a folder, the AWS managed policies its exports attach served by
    `--managed-policies` (else iameval's snapshot)."""
    from ..inputs._organization_files import load_organization
    from ._options import aws_managed

    return load_organization(path, aws_managed(single(managed_policies, "--managed-policies")))


def read_organization(path: str, managed_policies: Optional[list[str]] = None) -> "Organization":
    """The organization of a folder (`_load`), its warnings (what was missing or contradicted) printed."""
    from ._options import print_warnings

    organization = _load(path, managed_policies)
    print_warnings(organization.warnings)
    return organization


def org_who_can_command(
    action: Annotated[list[str], typer.Option(
        "--action", "-a", help="The action, e.g. `s3:GetObject`; repeatable, and a wildcard stands for every "
        "action of the catalogue it matches.", show_default=False)],
    resource: Annotated[list[str], typer.Option("--resource", "-r", metavar="ARN", help="The resource ARN.",
                                                show_default=False)],
    org: OrgOpt = ".",
    resource_account: Annotated[Optional[list[str]], typer.Option(
        "--resource-account", metavar="ACCOUNT", show_default=False,
        help="The account that owns the resource. Default: the account whose files hold its policy, else the "
        "ARN's.")] = None,
    context: ContextOpt = None,
    context_file: ContextFileOpt = None,
    strict_context: StrictContextOpt = False,
    managed_policies: ManagedPoliciesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List every user and role of every account of the organization allowed to do ACTION on
    RESOURCE, by account, and why.

    Each principal's account gives the SCPs (none for the management account); the resource's
    account gives the RCPs and the resource-based policy (a role's trust policy for
    sts:AssumeRole). Across accounts both sides must allow. The organization's keys
    (aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceOrgID, aws:ResourceOrgPaths) are in
    each request unless --context gives them. Exit 0 when some principal is allowed, 1 when none
    is, 2 on invalid input.
    """
    from ..inputs._organization_questions import organization_who_can
    from ._options import DEFAULT_PRINCIPAL, checked_request
    from ._present import progress
    from ._who_can import expand_actions

    try:
        target = single(resource, "--resource") or ""
        owner = single(resource_account, "--resource-account")
        given_context = context_from(context or [], context_file or [])
        actions = expand_actions(action)
        for name in actions:
            checked_request({"principal": DEFAULT_PRINCIPAL, "action": name, "resource": target, "context": given_context})
        organization = read_organization(org, managed_policies)
        sections = []
        total = len(actions) * len(organization.principals)
        with progress("principals", total) as advance:
            for name in actions:
                sections.append((name, organization_who_can(organization, name, target, context=given_context,
                                                            resource_account_id=owner, strict_context=strict_context,
                                                            on_answer=advance)))
    except PolicyError as exc:
        fail(exc, as_json)
    for name, answer in sections:
        _print_answer(organization, name, target, answer, as_json, first=name == sections[0][0])
    raise typer.Exit(0 if any(a.allowed for _, answer in sections for a in answer.answers) else 1)


def _print_answer(organization: "Organization", action: str, resource: str, answer: "OrganizationAnswer",
                  as_json: bool, first: bool) -> None:
    from ._present import out, outside_grant_json, print_outside, print_who_can, who_can_json

    if as_json:
        for account in answer.accounts:
            for principal in account.answers:
                print(json.dumps({**who_can_json(principal, action), **_account_json(organization, account.member)}))
        for grant in answer.outside:
            print(json.dumps(outside_grant_json(grant, action)))
        return
    if not first:
        out.print()
    allowed = sum(a.allowed for a in answer.answers)
    out.print(f"[bold]{allowed}[/] of {len(answer.answers)} principals of {len(answer.accounts)} accounts may "
              f"[bold]{escape(action)}[/] on [bold]{escape(resource)}[/] (of account "
              f"{escape(_account_text(organization, answer.resource_account))})", soft_wrap=True)
    for account in answer.accounts:
        out.print()
        out.print(f"[bold]account {escape(_account_text(organization, account.member))}[/]", soft_wrap=True)
        print_who_can(out, list(account.answers), action, resource)
    if answer.outside:
        out.print()
    print_outside(out, answer.outside, "the organization")


def _account_text(organization: "Organization", member: "MemberAccount") -> str:
    """`111122223333 workload-a (r-ab12/ou-ab12-1111)`, the management account said so."""
    where = "/".join(member.path)
    exempt = "; management account, no SCPs" if organization.is_management(member) else ""
    return f"{member.id} {member.name} ({where}{exempt})"


def _account_json(organization: "Organization", member: "MemberAccount") -> dict[str, Any]:
    return {"account": member.id, "account_name": member.name, "org_path": "/".join(member.path),
            "management_account": organization.is_management(member)}


def org_paths_command(
    to: Annotated[str, typer.Option("--to", metavar="ROLE-ARN", help="The role to reach.", show_default=False)],
    org: OrgOpt = ".",
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, metavar="N",
                                          help="The longest chain followed.")] = 5,
    context: ContextOpt = None,
    context_file: ContextFileOpt = None,
    managed_policies: ManagedPoliciesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the principals of the organization that can reach ROLE-ARN through chains of
    sts:AssumeRole (each role session assuming the next role), each by a shortest chain, every
    hop with the statements that decided it.

    A hop is the engine's decision for the caller (a user, or a session of its role) to
    sts:AssumeRole on the next role, with that role's trust policy and both accounts' SCPs and
    RCPs. A role reached again closes a cycle and is not followed twice. Exit 0 when some
    principal can reach the role, 1 when none can, 2 on invalid input.
    """
    from ..inputs._organization_questions import assume_paths

    try:
        given_context = context_from(context or [], context_file or [])
        organization = read_organization(org, managed_policies)
        found = assume_paths(organization, to, max_hops=max_hops, context=given_context)
    except PolicyError as exc:
        fail(exc, as_json)
    if as_json:
        _paths_json(found)
    else:
        from ._present import out

        _print_paths(out, found, max_hops)
    raise typer.Exit(0 if found.paths else 1)


def _paths_json(found: "AssumePaths") -> None:
    for path in found.paths:
        print(json.dumps({"principal": path.principal.arn, "kind": path.principal.kind, "to": found.role.arn,
                          "hops": [{"caller": h.caller.arn, "role": h.role.arn, **h.result.to_json()}
                                   for h in path.hops]}))
    for answer, role in found.unevaluated:
        print(json.dumps({"principal": answer.principal.arn, "kind": answer.principal.kind, "to": found.role.arn,
                          "role": role.arn, "error": str(answer.error),
                          "problems": [p.as_dict() for p in answer.problems]}))


def _print_paths(console: "Console", found: "AssumePaths", max_hops: int) -> None:
    from ._present import reason_line

    console.print(f"[bold]{len(found.paths)}[/] principals can reach [bold]{escape(found.role.arn)}[/] through "
                  f"sts:AssumeRole (chains of at most {max_hops} hops)", soft_wrap=True)
    for path in sorted(found.paths, key=lambda p: (len(p.hops), p.principal.arn)):
        hops = len(path.hops)
        console.print(f"  [green]{path.principal.kind:<4}[/] {escape(path.principal.arn)}  "
                      f"[dim]{hops} hop{'s' if hops > 1 else ''}[/]", soft_wrap=True)
        for hop in path.hops:
            console.print(f"       -> {escape(hop.role.arn)}", soft_wrap=True)
            for match in hop.result.reasons:
                console.print(f"            [dim]{escape(reason_line(match))}[/]", soft_wrap=True)
    if found.unevaluated:
        console.print(f"[yellow]{len(found.unevaluated)} hops not evaluated[/] (a policy could not be loaded):")
        for answer, role in found.unevaluated:
            first = answer.problems[0] if answer.problems else None
            console.print(f"  {escape(answer.principal.arn)} -> {escape(role.arn)}: "
                          f"{escape(str(first) if first else '')}", soft_wrap=True)


def org_matrix_command(
    out: Annotated[str, typer.Option(
        "--out", "-o", metavar="FILE.parquet", help="Where to write the matrix (Parquet).", show_default=False)],
    org: OrgOpt = ".",
    actions: Annotated[Optional[str], typer.Option(
        "--actions", metavar="FILE", show_default=False,
        help="Ask the actions this file lists, one a line (`s3:GetObject`, or a wildcard such as `s3:Get*`); "
        "`#` starts a comment.")] = None,
    service: Annotated[Optional[list[str]], typer.Option(
        "--service", metavar="PREFIX", show_default=False,
        help="Ask every action of this service (`s3`); repeatable.")] = None,
    all_actions: Annotated[bool, typer.Option(
        "--all", help="Ask every action of the catalogue (the default).")] = False,
    resource: Annotated[str, typer.Option(
        "--resource", "-r", metavar="ARN", help="The resource asked about; `*` is a resource of each "
        "principal's own account.")] = "*",
    resource_account: Annotated[Optional[str], typer.Option(
        "--resource-account", metavar="ACCOUNT", show_default=False,
        help="The account that owns the resource. Default: the account whose files hold its policy, else the "
        "ARN's.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", metavar="tcp://HOST:PORT", show_default=False,
        help="Run on this Dask cluster. Default: a local cluster of the machine's cores, or this process "
        "for a small organization.")] = None,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", min=1, show_default=False, help="Processes of the local cluster. Default: the cores.")] = None,
    single_process: Annotated[bool, typer.Option(
        "--single-process", help="Answer in this process, without Dask.")] = False,
    managed_policies: ManagedPoliciesOpt = None,
) -> None:
    """Write what every user and role of the organization may do on RESOURCE, as a Parquet table.

    One row per principal and action it may perform (`allowed`), or would be allowed to were
    conditions on keys the request did not give to hold (`conditional`); denied actions have no
    row. A principal not evaluated has one row, with its `problem`. Each principal is asked as
    `org who-can` asks it; a resource of an account outside the organization is refused, its
    policies being unknown.

    Exit 0 when the table was written, 2 on invalid input.
    """
    from ._org_matrix import matrix_of

    try:
        organization = _load(org, managed_policies)  # its warnings are printed by `matrix_of`
    except PolicyError as exc:
        fail(exc, False)
    matrix_of(organization, out, actions=actions, services=service or [], all_actions=all_actions,
              resource=resource, scheduler=scheduler, workers=workers, single_process=single_process,
              resource_account=resource_account)
