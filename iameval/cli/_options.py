"""What the options of `check` and `who-can` make: policies, context keys and the request.

Also the one way a command fails on invalid input: its problems, and exit code 2.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer

from ..engine._callers import Credentials
from ..policy._errors import Location, PolicyError, Problem
from ..policy._kind import PolicyKind

if TYPE_CHECKING:
    from ..engine._request import Request
    from ..inputs._accounts import Account
    from ..inputs._managed import AwsManagedPolicies
    from ..inputs._templates import Infrastructure
    from ..inputs._terraform import PlanState

# What the functions below need is imported when they run: `iameval --help` builds every
# command's options from this module and needs none of it (issue 14, start-up).

__all__ = ["ACCOUNT_HELP", "CREDENTIALS_HELP", "RESOURCE_ACCOUNT_HELP", "RESOURCE_POLICY_HELP", "single",
           "AccountDetailsOpt", "ActionOpt", "CredentialsOpt", "ContextFileOpt", "ContextOpt", "DEFAULT_PRINCIPAL",
           "DEFAULT_PRINCIPAL_HELP", "DEFAULT_RESOURCE", "ExplainOpt", "JsonOpt", "ManagedPoliciesOpt", "RcpOpt",
           "ResourceAccountOpt", "ResourceOpt", "ResourcePolicyOpt", "ScpOpt", "checked_request", "context_from", "fail",
           "file_organization", "org_policies", "PARAMETER_HELP", "principals_from", "print_warnings", "read_account",
           "read_infrastructure", "TEMPLATE_HELP"]

_DEFAULT_ACCOUNT, _DEFAULT_USER = "123456789012", "iameval-user"
DEFAULT_PRINCIPAL = f"arn:aws:iam::{_DEFAULT_ACCOUNT}:user/{_DEFAULT_USER}"
# In words: the ARN itself is wider than a help column at 80 columns.
DEFAULT_PRINCIPAL_HELP = f"Default: the IAM user `{_DEFAULT_USER}` of account {_DEFAULT_ACCOUNT}."
DEFAULT_RESOURCE = "*"


def fail(error: PolicyError, as_json: bool) -> NoReturn:
    """Report invalid input (as JSON with `--json`) and exit 2."""
    from ._present import err, print_problems

    if as_json:
        print(json.dumps({"error": str(error), "problems": [p.as_dict() for p in error.problems]}))
    else:
        print_problems(err, error)
    raise typer.Exit(2)



def context_from(pairs: list[str], files: list[str]) -> dict[str, Any]:
    """Context from `--context-file` files, then `--context` pairs (which win).

    `KEY=VALUE` gives a string, and the same key given again makes a list (a multi-valued key);
    `KEY:=JSON` gives a typed value: `true`, `42`, `["a", "b"]`.
    """
    from ..engine._context import merge_context
    from ..policy._source import read_sources

    def no_constant(name: str) -> Any:
        # `NaN`, `Infinity` and `-Infinity`: Python's JSON reader takes them, JSON has none.
        raise ValueError(f"`{name}` is not a JSON number")

    def finite_float(text: str) -> float:
        # A number too large for a float (`1e999`) is refused, never read as infinity.
        number = float(text)
        if number in (float("inf"), float("-inf")):
            raise ValueError(f"`{text}` is too large a number")
        return number

    def whole(text: str) -> int:
        try:
            return int(text)
        except ValueError:  # past Python's limit of digits
            raise ValueError(f"a number of {len(text)} digits is too long") from None

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
            problems.append(Problem("a context file must hold one object of condition keys", Location(name, 1, 1),
                                    code="invalid-context"))
            continue
        context = merge_context(context, data)
    given: dict[str, Any] = {}
    names: dict[str, str] = {}  # lower-cased key -> the spelling first given (keys are case-insensitive)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        typed = key.endswith(":")
        key = key[:-1] if typed else key
        if not sep or not key:
            problems.append(Problem(f"`{pair}` is not KEY=VALUE or KEY:=JSON", Location("--context"),
                                    code="invalid-context"))
            continue
        if typed:
            start = len(key) + 3  # the 1-based column of the JSON in `KEY:=JSON`
            try:
                parsed: Any = json.loads(value, parse_constant=no_constant, parse_float=finite_float,
                                         parse_int=whole)
            except json.JSONDecodeError as exc:
                problems.append(Problem(f"the value of `{key}` is not JSON: {exc.msg}",
                                        Location("--context", 1, start + exc.pos, (key,)),
                                        "quote strings inside JSON, or use KEY=VALUE for a string",
                                        code="invalid-context"))
                continue
            except RecursionError:
                problems.append(Problem(f"the value of `{key}` is nested too deeply",
                                        Location("--context", 1, start, (key,)), code="invalid-context"))
                continue
            except ValueError as exc:  # NaN, Infinity, 1e999, an integer of thousands of digits
                problems.append(Problem(f"the value of `{key}` is not a JSON value: {exc}",
                                        Location("--context", 1, start, (key,)),
                                        "quote it to give it as a string, or use KEY=VALUE",
                                        code="invalid-context"))
                continue
        else:
            parsed = value
        key = names.setdefault(key.lower(), key)
        if key in given and not typed:
            previous = given[key]
            given[key] = (previous if isinstance(previous, list) else [previous]) + [parsed]
        else:
            given[key] = parsed
    if problems:
        raise PolicyError(problems)
    return merge_context(context, given)


def single(values: list[str] | None, option: str) -> str | None:
    """The one value of an option that takes one: given twice, it is an error, never the last
    one silently."""
    if not values:
        return None
    if len(values) > 1:
        raise PolicyError([Problem(f"{option} takes one value, and was given {len(values)}: "
                                   + ", ".join(f"`{v}`" for v in values), Location(option),
                                   "give it once", code="repeated-option")])
    return values[0]


RESOURCE_POLICY_HELP = "The resource-based policy (bucket, key, trust policy...)."
RESOURCE_ACCOUNT_HELP = ("The account that owns the resource. Default: the ARN's account, else the caller's "
                         "(S3 ARNs carry none).")
# The API's name, not the CLI command's (`get-account-authorization-details`): at 80 columns a help
# column is narrower than the command's name.
ACCOUNT_HELP = ("An account export (IAM's GetAccountAuthorizationDetails, as the AWS CLI prints it): the "
                "principal's identity policies and boundary are taken from it.")
CREDENTIALS_HELP = ("How the caller's credentials were obtained, where its ARN does not say: "
                    + ", ".join(c.value for c in Credentials) + ". Default: what the ARN says (an IAM user's or "
                    "the root user's are long-term; a role session's come from AssumeRole; a federated user's from "
                    "GetFederationToken). A GetSessionToken session carries its user's ARN: say so here.")

# Options that `check` and `who-can` share.
ResourceOpt = Annotated[Optional[str], typer.Option(
    "--resource", "-r", help=f"The resource ARN. Default: `{DEFAULT_RESOURCE}`.", show_default=False)]
ResourcePolicyOpt = Annotated[Optional[str], typer.Option("--resource-policy", help=RESOURCE_POLICY_HELP)]
ResourceAccountOpt = Annotated[Optional[str], typer.Option("--resource-account", help=RESOURCE_ACCOUNT_HELP)]
ScpOpt = Annotated[Optional[list[str]], typer.Option(
    "--scp", help="A service control policy, one per organization level from the root to "
    "the account (repeatable).")]
RcpOpt = Annotated[Optional[list[str]], typer.Option(
    "--rcp", help="A resource control policy, one per level (repeatable).")]
ContextOpt = Annotated[Optional[list[str]], typer.Option(
    "--context", "-c", help="A condition key and value: `KEY=VALUE` for a string (repeat the "
    "key for a multi-valued key), `KEY:=JSON` for a typed value such as `true`, `42` or "
    "`[\"a\",\"b\"]` (repeatable).")]
ContextFileOpt = Annotated[Optional[list[str]], typer.Option(
    "--context-file", help="A JSON or YAML object of condition keys and values; `--context` "
    "entries override it (repeatable).")]
AccountDetailsOpt = Annotated[Optional[list[str]], typer.Option(
    "--account-details", metavar="FILE", help=ACCOUNT_HELP, show_default=False)]
CredentialsOpt = Annotated[Optional[str], typer.Option("--credentials", help=CREDENTIALS_HELP, show_default=False)]
ActionOpt = Annotated[str, typer.Option("--action", "-a", help="The action, e.g. `s3:GetObject`.",
                                        show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ExplainOpt = Annotated[bool, typer.Option(
    "--explain", "-e", help="Explain the decision: every gate of the chain with its verdict, the "
    "statements that applied and what matched, near misses, derived keys.")]


def org_policies(resource_policy: str | None, scp: list[str] | None, rcp: list[str] | None,
                 kwargs: dict[str, Any], action: str) -> None:
    """Load the resource policy and the organization levels into Authorizer arguments. The
    resource policy of a KMS action is a key policy (§2.7)."""
    from ..engine._request import is_key_policy_action
    from ..policy._files import load_policy_file, load_policy_files

    if resource_policy:
        kwargs["resource_policy"] = load_policy_file(resource_policy, PolicyKind.RESOURCE_POLICY,
                                                     key_policy=is_key_policy_action(action))
    for option, name, kind in ((scp, "scps", PolicyKind.SCP), (rcp, "rcps", PolicyKind.RCP)):
        kwargs[name] = load_policy_files(option, kind) if option else []


def file_organization(holder: Account | Infrastructure, kwargs: dict[str, Any]) -> None:
    """A template's or plan's SCPs and RCPs that apply to its account (`organization_levels`),
    unless --scp or --rcp give others."""
    from ..inputs._templates import Infrastructure

    if isinstance(holder, Infrastructure):
        for name in ("scps", "rcps"):
            kwargs[name] = kwargs.get(name) or list(getattr(holder, name))


# The option that gives each field of a request, to locate a problem with it.
_REQUEST_OPTIONS = {"principal": "--principal", "action": "--action", "resource": "--resource",
                    "resource_account": "--resource-account", "context": "--context",
                    "credentials": "--credentials"}


def checked_request(fields: dict[str, Any]) -> Request:
    """The request the options make, or a `PolicyError` naming the option at fault."""
    from pydantic import ValidationError

    from ..engine._request import PROVIDER_ACTIONS, CallerError, Request, parse_caller, request_errors

    try:
        request = Request.model_validate(fields)
    except (ValidationError, UnicodeEncodeError) as exc:
        raise PolicyError([
            Problem(message, Location(_REQUEST_OPTIONS.get(str(path[0]), "iameval") if path else "iameval",
                                      path=path[1:]), code="invalid-request")
            for message, path in request_errors(exc, fields)]) from None
    try:
        parse_caller(request.principal, None, PROVIDER_ACTIONS.get(request.action.lower()))
    except CallerError as exc:
        raise PolicyError([Problem(str(exc), Location("--principal"), exc.hint, code="invalid-principal-arn")]) from None
    return request


ManagedPoliciesOpt = Annotated[Optional[list[str]], typer.Option(
    "--managed-policies", metavar="PATH", show_default=False,
    help="AWS managed policies fresher than iameval's snapshot (see --version), which they win over: a folder of "
    "NAME.json documents, or an account export whose `Policies` hold them. Serves the AWS managed policies that "
    "--account-details, --template or the exports of --org attach by ARN without holding them.")]


def aws_managed(managed_policies: str | None) -> "AwsManagedPolicies | None":
    """The policies of `--managed-policies`, or None for iameval's snapshot alone."""
    from ..inputs._accounts import load_managed_policies

    return load_managed_policies(managed_policies) if managed_policies else None


def read_account(path: str, managed_policies: str | None = None) -> Account:
    from ..inputs._accounts import load_account

    account = load_account(path, aws_managed(managed_policies))
    print_warnings(account.warnings)
    return account


TEMPLATE_HELP = ("A CloudFormation, SAM or CDK-synthesized template, or a Terraform plan (`terraform show -json`): "
                 "its users and roles, with their policies, and its resource-based policies.")
PARAMETER_HELP = ("A template parameter's value (repeatable); `AWS::AccountId`, `AWS::Region`, `AWS::StackName` "
                  "too. Default: the parameter's `Default`; account 123456789012, region us-east-1.")


def read_infrastructure(path: str, parameters: list[str], managed_policies: str | None = None,
                        state: "PlanState | None" = None) -> Infrastructure:
    """A template or plan (of a plan, `state`: by default `after`, `before` validated), its
    warnings (values unknown until deployment...) printed."""
    from ..inputs._infrastructure import load_infrastructure, parse_parameters
    from ..inputs._terraform import PlanState

    infrastructure = load_infrastructure(path, parse_parameters(parameters), aws_managed(managed_policies),
                                         state or PlanState.AFTER_VALIDATING_BEFORE)
    print_warnings(infrastructure.warnings)
    return infrastructure


def principals_from(account_details: list[str] | None, template: list[str] | None,
                    parameters: list[str] | None, managed_policies: list[str] | None = None
                    ) -> Account | Infrastructure | None:
    """The principals of `--account-details` or of `--template` (not both), or None; the AWS
    managed policies they attach from `--managed-policies`, else iameval's snapshot."""
    details, template_file = single(account_details, "--account-details"), single(template, "--template")
    managed = single(managed_policies, "--managed-policies")
    if managed and not (details or template_file):
        raise PolicyError([Problem("--managed-policies serves the policies that --account-details or --template "
                                   "attach: give one of them", Location("--managed-policies"), code="invalid-usage")])
    if details and template_file:
        raise PolicyError([Problem("give --account-details or --template, not both", Location("--template"),
                                   code="invalid-usage")])
    if parameters and not template_file:
        raise PolicyError([Problem("--parameter gives the values of a template's parameters: give --template",
                                   Location("--parameter"), code="invalid-usage")])
    if template_file:
        return read_infrastructure(template_file, parameters or [], managed)
    return read_account(details, managed) if details else None


def print_warnings(warnings: tuple[Problem, ...]) -> None:
    """Warnings of what was read (an export, a template, an organization), each a line on standard error."""
    from rich.markup import escape

    from ._present import err

    for warning in warnings:
        err.print(f"[yellow]{escape(str(warning))}[/]", soft_wrap=True)
