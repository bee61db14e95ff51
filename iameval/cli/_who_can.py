"""`iameval who-can`: every user and role of an account that may make a request, and why.

For each action asked (`--action`, repeatable; a wildcard stands for the actions of the
catalogue it matches): the principals allowed; those the request as given denies but that an
Allow would reach were its conditions on keys the request did not give to hold ("allowed if",
unless `--strict-context`); whom the resource-based policy grants beyond the file's users and
roles (`*`, other accounts, services); and those not evaluated.

Exit 0 when some principal of the file is allowed for some action, 1 when none is for any
(principals only "allowed if" do not count), 2 on invalid input.
"""

# No `from __future__ import annotations`: typer reads the commands' signatures at every start, and
# annotations evaluated once, where they are defined, cost less than strings it evaluates again
# (issue 14, start-up). Names imported for type checking alone are quoted.

import json
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from ..policy._errors import Location, PolicyError, Problem
from ._options import (DEFAULT_PRINCIPAL, DEFAULT_RESOURCE, RESOURCE_ACCOUNT_HELP, RESOURCE_POLICY_HELP, AccountDetailsOpt,
                       ContextFileOpt, ContextOpt, JsonOpt, ManagedPoliciesOpt, RcpOpt, ScpOpt, checked_request,
                       context_from, fail, PARAMETER_HELP, TEMPLATE_HELP, file_organization, org_policies,
                       principals_from, single)

if TYPE_CHECKING:
    from ..inputs._accounts import Account, AccountPrincipal, WhoCanAnswer

# The command imports what it runs when it runs: `--help` and the other commands need none of it
# (issue 14, start-up).

__all__ = ["expand_actions", "who_can_command"]

AnyContextOpt = Annotated[bool, typer.Option(
    "--any-context", help="The principals allowed under some context: the solver finds one for each, and the engine "
    "replays it; exact where the default \"allowed if\" list is a heuristic. Not with --context.")]
StrictContextOpt = Annotated[bool, typer.Option(
    "--strict-context", help="Answer from the context given alone: leave out the principals that an Allow "
    "would reach were its conditions on keys the request did not give to hold (listed as \"allowed if\" "
    "otherwise).")]


def who_can_command(
    account_details: AccountDetailsOpt = None,
    template: Annotated[Optional[list[str]], typer.Option(
        "--template", metavar="FILE", help=TEMPLATE_HELP, show_default=False)] = None,
    parameter: Annotated[Optional[list[str]], typer.Option(
        "--parameter", metavar="KEY=VALUE", help=PARAMETER_HELP, show_default=False)] = None,
    managed_policies: ManagedPoliciesOpt = None,
    action: Annotated[Optional[list[str]], typer.Option(
        "--action", "-a", help="The action, e.g. `s3:GetObject`; repeatable, and a wildcard such as "
        "`iam:Create*` stands for every action of the catalogue it matches. Each is answered on its own.",
        show_default=False)] = None,
    resource: Annotated[Optional[list[str]], typer.Option(
        "--resource", "-r", metavar="ARN", show_default=False,
        help=f"The resource ARN. Default: `{DEFAULT_RESOURCE}`.")] = None,
    assume: Annotated[bool, typer.Option(
        "--assume", help="The role session view: who can assume each role of the account "
        "(or the role given with --resource: its ARN, or of a template its logical ID or address), by its trust "
        "policy.")] = False,
    resource_policy: Annotated[Optional[list[str]], typer.Option(
        "--resource-policy", metavar="FILE", help=RESOURCE_POLICY_HELP)] = None,
    resource_account: Annotated[Optional[list[str]], typer.Option(
        "--resource-account", metavar="ACCOUNT", help=RESOURCE_ACCOUNT_HELP)] = None,
    scp: ScpOpt = None,
    rcp: RcpOpt = None,
    context: ContextOpt = None,
    context_file: ContextFileOpt = None,
    strict_context: StrictContextOpt = False,
    any_context: AnyContextOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List every user and role of an account (or of a template or plan) allowed to do ACTION on
    RESOURCE, and why.

    Each role is asked as a session of itself. Principals that an Allow would reach were its
    conditions on keys the request did not give to hold are listed as "allowed if", with those
    conditions (not with --strict-context); what a resource-based policy grants to `*`, other
    accounts or services is listed as such. Principals whose policies could not all be loaded
    are listed as not evaluated. With --any-context, a principal is allowed when some context
    allows it, and the context found is shown. Exit 0 when some principal is allowed for some
    action, 1 when none is, 2 on invalid input.
    """
    from ..engine._request import is_key_policy_action
    from ..inputs._accounts import Account, granted_outside, who_can
    from ._present import out, outside_grant_json, print_who_can, progress, who_can_json

    try:
        # Options of one value: given twice, an error (`single`), never the last one silently.
        holder = principals_from(account_details, template, parameter, managed_policies)
        if holder is None:
            raise PolicyError([Problem("give --account-details FILE, or --template FILE", Location("iameval who-can"),
                                       code="invalid-usage")])
        account = holder if isinstance(holder, Account) else holder.account
        role_or_resource, policy_file, owner = (
            single(resource, "--resource"), single(resource_policy, "--resource-policy"),
            single(resource_account, "--resource-account"))
        given_context = context_from(context or [], context_file or [])
        if any_context and (given_context or strict_context):
            raise PolicyError([Problem("--any-context searches every context: give neither --context, "
                                       "--context-file nor --strict-context", Location("--any-context"),
                                       code="invalid-usage")])
        search = None
        if any_context:
            from ..analysis._any_context import some_context

            search = some_context
        if assume:
            ignored = [name for name, given in (("--action", action), ("--resource-policy", policy_file),
                                                ("--resource-account", owner)) if given]
            if ignored:
                raise PolicyError([Problem(f"`{name}` does not apply to --assume, which asks sts:AssumeRole "
                                           "of the roles by their trust policies", Location(name),
                                           code="invalid-usage")
                                   for name in ignored])
            kwargs: dict[str, Any] = {}
            org_policies(None, scp, rcp, kwargs, "sts:AssumeRole")
            file_organization(holder, kwargs)
            roles = list(account.roles)
            if role_or_resource:  # of a template or plan, by its logical ID or address too
                role = holder.find(role_or_resource)
                if role is None or role.kind != "role":
                    raise PolicyError([Problem(f"`{role_or_resource}` is not a role of the "
                                               + ("account" if isinstance(holder, Account) else "file"),
                                               Location("--resource"),
                                               code="unknown-principal")])
                roles = [role]
            checked_request({"principal": DEFAULT_PRINCIPAL, "action": "sts:AssumeRole", "context": given_context})
            with progress("principals", len(roles) * len(account.principals)) as advance:
                views = [(role, who_can(account, "sts:AssumeRole", role.arn, scps=kwargs.get("scps", ()),
                                        rcps=kwargs.get("rcps", ()), context=given_context,
                                        strict_context=strict_context, some_context=search,
                                        on_answer=advance))
                         for role in roles]
            _print_assume(views, account, as_json)
            raise typer.Exit(0 if any(a.allowed for _, answers in views for a in answers) else 1)
        if not action:
            raise PolicyError([Problem("give --action (or --assume for the role view)", Location("iameval who-can"),
                                       code="invalid-usage")])
        actions = expand_actions(action)
        target = role_or_resource or DEFAULT_RESOURCE
        policies: dict[bool, dict[str, Any]] = {}  # the options' policies, read as key policies or not
        for name in actions:
            # The request each principal makes, checked once: a bad option is the caller's mistake,
            # not a policy of every principal that could not be evaluated.
            fields: dict[str, Any] = {"principal": DEFAULT_PRINCIPAL, "action": name, "resource": target,
                                      "context": given_context}
            if owner:
                fields["resource_account"] = owner
            checked_request(fields)
            key_policy = is_key_policy_action(name)
            if key_policy not in policies:
                policies[key_policy] = {}
                org_policies(policy_file, scp, rcp, policies[key_policy], name)
                file_organization(holder, policies[key_policy])
        sections = []
        # Every principal asked each action: the long work of a large export or a wide wildcard.
        with progress("principals", len(actions) * len(account.principals)) as advance:
            for name in actions:
                kwargs = policies[is_key_policy_action(name)]
                held = None if isinstance(holder, Account) else holder.resource_policy(name, target)[0]
                asked = dict(resource_policy=kwargs.get("resource_policy") or held, rcps=kwargs.get("rcps", ()),
                             context=given_context, resource_account=owner, strict_context=strict_context)
                sections.append((name, who_can(account, name, target, scps=kwargs.get("scps", ()), on_answer=advance,
                                               some_context=search, **asked),
                                 granted_outside(account, name, target, **asked)))
    except PolicyError as exc:
        fail(exc, as_json)
    for name, answers, outside in sections:
        if as_json:
            for answer in answers:
                print(json.dumps(who_can_json(answer, name)))
            for grant in outside:
                print(json.dumps(outside_grant_json(grant, name)))
        else:
            if name != sections[0][0]:
                out.print()
            print_who_can(out, answers, name, target, outside)
    raise typer.Exit(0 if any(a.allowed for _, answers, _ in sections for a in answers) else 1)


def expand_actions(given: list[str]) -> list[str]:
    """The actions asked, in the order given: a wildcard stands for the actions of the catalogue
    it matches (`iameval expand`); one that matches none is an error, never an empty answer."""
    from ..catalog import expand

    found: dict[str, str] = {}  # lower-cased -> as named (actions are case-insensitive, §7.2)
    problems = []
    for entry in given:
        if "*" in entry or "?" in entry:
            matched = [str(a) for a in expand(entry)]
            if not matched:
                problems.append(Problem(f"`{entry}` matches no action of the catalogue", Location("--action"),
                                        "list what a pattern matches with `iameval expand`",
                                        code="no-matching-action"))
        else:
            matched = [entry]
        for name in matched:
            found.setdefault(name.lower(), name)
    if problems:
        raise PolicyError(problems)
    return list(found.values())


def _print_assume(views: "list[tuple[AccountPrincipal, list[WhoCanAnswer]]]", account: "Account",
                  as_json: bool) -> None:
    from ..inputs._accounts import trusted_outside
    from ._present import assume_view_json, out, print_assume_view

    for role, answers in views:
        outside = trusted_outside(role, account)
        if as_json:
            print(json.dumps(assume_view_json(role, answers, outside)))
        else:
            print_assume_view(out, role, answers, outside)
