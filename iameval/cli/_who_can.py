"""`iameval who-can`: every user and role of an account that may make a request, and why.

Exit 0 when someone is allowed, 1 when nobody is, 2 on invalid input.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Optional

import typer

from ..inputs._accounts import Account, AccountPrincipal, WhoCanAnswer, trusted_outside, who_can
from ..policy._errors import Location, PolicyError, Problem
from ._options import (DEFAULT_PRINCIPAL, DEFAULT_RESOURCE, ContextFileOpt, ContextOpt, JsonOpt, RcpOpt,
                       ResourceAccountOpt, ResourceOpt, ResourcePolicyOpt, ScpOpt, checked_request,
                       context_from, fail, org_policies, read_account)
from ._present import out, print_assume_view, print_who_can, who_can_json

__all__ = ["who_can_command"]


def who_can_command(
    account_details: Annotated[str, typer.Option(
        "--account-details", help="The output of `aws iam get-account-authorization-details`.",
        show_default=False)],
    action: Annotated[Optional[str], typer.Option(
        "--action", "-a", help="The action, e.g. `s3:GetObject`.", show_default=False)] = None,
    resource: ResourceOpt = None,
    assume: Annotated[bool, typer.Option(
        "--assume", help="The role session view: who can assume each role of the account "
        "(or the role given with --resource), by its trust policy.")] = False,
    resource_policy: ResourcePolicyOpt = None,
    resource_account: ResourceAccountOpt = None,
    scp: ScpOpt = None,
    rcp: RcpOpt = None,
    context: ContextOpt = None,
    context_file: ContextFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List every user and role of an account allowed to do ACTION on RESOURCE, and why.

    Each role is asked as a session of itself. Principals whose policies could not all be loaded
    are listed as not evaluated. Exit 0 when someone is allowed, 1 when nobody is, 2 on invalid
    input.
    """
    try:
        account = read_account(account_details)
        kwargs: dict[str, Any] = {}
        org_policies(resource_policy, scp, rcp, kwargs, action or "")
        given_context = context_from(context or [], context_file or [])
        if assume:
            ignored = [name for name, given in (("--action", action), ("--resource-policy", resource_policy),
                                                ("--resource-account", resource_account)) if given]
            if ignored:
                raise PolicyError([Problem(f"`{name}` does not apply to --assume, which asks sts:AssumeRole "
                                           "of the roles by their trust policies", Location(name),
                                           code="invalid-usage")
                                   for name in ignored])
            roles = list(account.roles)
            if resource:
                role = account.find(resource)
                if role is None or role.kind != "role":
                    raise PolicyError([Problem(f"`{resource}` is not a role of the account", Location("--resource"),
                                               code="unknown-principal")])
                roles = [role]
            checked_request({"principal": DEFAULT_PRINCIPAL, "action": "sts:AssumeRole", "context": given_context})
            views = [(role, who_can(account, "sts:AssumeRole", role.arn, scps=kwargs.get("scps", ()),
                                    rcps=kwargs.get("rcps", ()), context=given_context))
                     for role in roles]
            _print_assume(views, account, as_json)
            raise typer.Exit(0 if any(a.allowed for _, answers in views for a in answers) else 1)
        if not action:
            raise PolicyError([Problem("give --action (or --assume for the role view)", Location("iameval who-can"),
                                       code="invalid-usage")])
        # The request each principal makes, checked once: a bad option is the caller's mistake,
        # not a policy of every principal that could not be evaluated.
        fields: dict[str, Any] = {"principal": DEFAULT_PRINCIPAL, "action": action,
                                  "resource": resource or DEFAULT_RESOURCE, "context": given_context}
        if resource_account:
            fields["resource_account"] = resource_account
        checked_request(fields)
        answers = who_can(account, action, resource or DEFAULT_RESOURCE,
                          resource_policy=kwargs.get("resource_policy"), scps=kwargs.get("scps", ()),
                          rcps=kwargs.get("rcps", ()), context=given_context,
                          resource_account=resource_account)
    except PolicyError as exc:
        fail(exc, as_json)
    if as_json:
        for answer in answers:
            print(json.dumps(who_can_json(answer)))
    else:
        print_who_can(out, answers, action, resource or DEFAULT_RESOURCE)
    raise typer.Exit(0 if any(a.allowed for a in answers) else 1)


def _print_assume(views: list[tuple[AccountPrincipal, list[WhoCanAnswer]]], account: Account, as_json: bool) -> None:
    for role, answers in views:
        outside = trusted_outside(role, account)
        if as_json:
            print(json.dumps({"role": role.arn,
                              "allowed": [a.principal.arn for a in answers if a.allowed],
                              "not_evaluated": [a.principal.arn for a in answers if a.error],
                              "trusted_outside_account": outside}))
        else:
            print_assume_view(out, role, answers, outside)
