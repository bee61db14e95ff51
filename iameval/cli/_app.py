"""The `iameval` command: `check` one request, `run` scenario files.

Exit codes a script can use: 0 Allow (or every scenario as expected), 1 ImplicitDeny or
ExplicitDeny (or a scenario not as expected), 2 invalid input.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Optional

import typer
from pydantic import ValidationError
from rich.markup import escape

from ..inputs._accounts import Account, load_account, trusted_outside, who_can
from ..engine._chain import Authorizer, Decision
from ._catalog_commands import expand_command, validate_command
from ..policy._errors import Location, PolicyError, Problem
from ..engine._context import merge_context
from ..engine._explain import explain
from ..policy._model import PolicyKind
from ..engine._request import CallerError, Request, parse_caller
from ..policy._source import read_sources
from ..policy._files import load_policy_files
from ._present import (err, out, print_assume_view, print_explanation, print_outcome, print_problems,
                      print_request, print_result, print_run_summary, print_who_can, run_counts, who_can_json)
from ._quiz import TOPICS, load_bank, parse_difficulty, play, select
from ..inputs._scenarios import load_scenarios, run_scenario

__all__ = ["app", "main", "DEFAULT_PRINCIPAL", "DEFAULT_RESOURCE"]

DEFAULT_PRINCIPAL = "arn:aws:iam::123456789012:user/iameval-user"
DEFAULT_RESOURCE = "*"

app = typer.Typer(
    help="Decide AWS IAM authorization requests exactly as AWS does, and say why.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



def _one(path: str, kind: PolicyKind) -> tuple:
    loaded = load_policy_files([path], kind)
    if len(loaded) != 1:
        raise PolicyError([Problem(f"expected one {kind.title}, found {len(loaded)} documents",
                                   Location(path), code="document-count")])
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
            problems.append(Problem(f"`{pair}` is not KEY=VALUE or KEY:=JSON", Location("--context"), code="invalid-context"))
            continue
        if typed:
            try:
                parsed: Any = json.loads(value)
            except json.JSONDecodeError as exc:
                problems.append(Problem(f"the value of `{key}` is not JSON: {exc.msg}", Location("--context"),
                                        "quote strings inside JSON, or use KEY=VALUE for a string",
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


# Options that `check` and `who-can` share.
ResourcePolicyOpt = Annotated[Optional[str], typer.Option(
    "--resource-policy", help="The resource-based policy (bucket, key, trust policy...).")]
ResourceAccountOpt = Annotated[Optional[str], typer.Option(
    "--resource-account", help="The account that owns the resource. Default: the ARN's "
    "account, else the caller's (S3 ARNs carry none).")]
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
AccountOpt = Annotated[Optional[str], typer.Option(
    "--account-details", help="The output of `aws iam get-account-authorization-details`: the "
    "principal's identity policies and boundary are taken from it.")]
ActionOpt = Annotated[str, typer.Option("--action", "-a", help="The action, e.g. `s3:GetObject`.",
                                        show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ExplainOpt = Annotated[bool, typer.Option(
    "--explain", "-e", help="Explain the decision: every gate of the chain with its verdict, the "
    "statements that applied and what matched, near misses, derived keys.")]


def _org_policies(resource_policy: str | None, scp: list[str] | None, rcp: list[str] | None,
                  kwargs: dict, origins: dict) -> None:
    """Load the resource policy and the organization levels into Authorizer arguments."""
    if resource_policy:
        policy, origin = _one(resource_policy, PolicyKind.RESOURCE)
        kwargs["resource"], origins[("resource",)] = policy, origin
    for option, name, kind in ((scp, "scps", PolicyKind.SCP), (rcp, "rcps", PolicyKind.RCP)):
        loaded = load_policy_files(option, kind) if option else []
        kwargs[name] = [p for p, _ in loaded]
        origins.update({(name, i): origin for i, (_, origin) in enumerate(loaded)})


# The option that gives each field of a request, to locate a problem with it.
_REQUEST_OPTIONS = {"principal": "--principal", "action": "--action", "resource": "--resource",
                    "resource_account": "--resource-account", "context": "--context"}


def _request(fields: dict[str, Any]) -> Request:
    """The request the options make, or a `PolicyError` naming the option at fault."""
    try:
        request = Request.model_validate(fields)
    except ValidationError as exc:
        raise PolicyError([
            Problem(e["msg"].removeprefix("Value error, "), Location(
                _REQUEST_OPTIONS.get(e["loc"][0], "iameval") if e["loc"] else "iameval",
                path=tuple(e["loc"][1:])), code="invalid-request")
            for e in exc.errors(include_url=False)]) from None
    try:
        parse_caller(request.principal)
    except CallerError as exc:
        raise PolicyError([Problem(str(exc), Location("--principal"), exc.hint, code="invalid-principal-arn")]) from None
    return request


def _account(path: str) -> Account:
    account = load_account(path)
    for warning in account.warnings:
        err.print(f"[yellow]{escape(str(warning))}[/]", soft_wrap=True)
    return account


@app.command()
def check(
    policies: Annotated[Optional[list[str]], typer.Argument(
        help="Identity-based policy files or folders (JSON or YAML); `-` reads standard input.",
        show_default=False, metavar="POLICY")] = None,
    action: ActionOpt = ...,
    resource: Annotated[Optional[str], typer.Option(
        "--resource", "-r", help=f"The resource ARN. Default: `{DEFAULT_RESOURCE}`.",
        show_default=False)] = None,
    principal: Annotated[Optional[str], typer.Option(
        "--principal", "-p", help=f"The caller's ARN. Default: `{DEFAULT_PRINCIPAL}`.",
        show_default=False)] = None,
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
        if not policies and not account_details:
            raise PolicyError([Problem("give at least one policy file, or --account-details "
                                       "with --principal", Location("iameval check"), code="invalid-usage")])
        identity = load_policy_files(policies, PolicyKind.IDENTITY) if policies else []
        origins = {("identity", i): origin for i, (_, origin) in enumerate(identity)}
        kwargs: dict = {"identity": [p for p, _ in identity]}
        _org_policies(resource_policy, scp, rcp, kwargs, origins)
        if permission_boundary:
            policy, origin = _one(permission_boundary, PolicyKind.PERMISSION_BOUNDARY)
            kwargs["permission_boundary"], origins[("permission_boundary",)] = policy, origin
        if session_policy:
            loaded = load_policy_files(session_policy, PolicyKind.SESSION)
            kwargs["session"] = [p for p, _ in loaded]
            origins.update({("session", i): origin for i, (_, origin) in enumerate(loaded)})
        given_context = _context(context or [], context_file or [])
        request = {
            "principal": principal or DEFAULT_PRINCIPAL,
            "action": action,
            "resource": resource or DEFAULT_RESOURCE,
            "context": given_context,
        }
        if resource_account:
            request["resource_account"] = resource_account
        if account_details:
            _from_account(_account(account_details), principal, request, kwargs, origins)
        checked = _request(request)
        authorizer = Authorizer(origins=origins, **kwargs)
        explanation = explain(authorizer, checked) if explain_it else None
        result = explanation.result if explanation else authorizer.authorize(checked)
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
        if explanation:
            payload["explanation"] = explanation.as_dict()
        print(json.dumps(payload))
    elif explanation:
        print_explanation(out, explanation)
        print_request(out, shown, result)
    else:
        print_result(out, result, shown, authorizer)
    raise typer.Exit(0 if result.decision is Decision.ALLOW else 1)


def _from_account(account: Account, principal: str | None, request: dict, kwargs: dict,
                  origins: dict) -> None:
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
    offset = len(kwargs["identity"])
    kwargs["identity"] = kwargs["identity"] + list(found.identity)
    for key, origin in found.origins.items():
        if key[0] == "identity":
            origins[("identity", offset + key[1])] = origin
        elif "permission_boundary" not in kwargs:
            origins[key] = origin
    if "permission_boundary" not in kwargs and found.permission_boundary is not None:
        kwargs["permission_boundary"] = found.permission_boundary
    request["context"] = merge_context(found.context(), request["context"])
    if "resource" not in kwargs:
        trust, problems = account.resource_policy(request["action"], request["resource"])
        if problems:
            raise PolicyError(problems)
        if trust is not None:
            kwargs["resource"] = trust


@app.command("who-can")
def who_can_command(
    account_details: Annotated[str, typer.Option(
        "--account-details", help="The output of `aws iam get-account-authorization-details`.",
        show_default=False)],
    action: Annotated[Optional[str], typer.Option(
        "--action", "-a", help="The action, e.g. `s3:GetObject`.", show_default=False)] = None,
    resource: Annotated[Optional[str], typer.Option(
        "--resource", "-r", help=f"The resource ARN. Default: `{DEFAULT_RESOURCE}`.",
        show_default=False)] = None,
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
        account = _account(account_details)
        kwargs: dict = {}
        origins: dict = {}
        _org_policies(resource_policy, scp, rcp, kwargs, origins)
        given_context = _context(context or [], context_file or [])
        if assume:
            ignored = [name for name, given in (("--action", action), ("--resource-policy", resource_policy),
                                                ("--resource-account", resource_account)) if given]
            if ignored:
                raise PolicyError([Problem(f"`{name}` does not apply to --assume, which asks sts:AssumeRole "
                                           "of the roles by their trust policies", Location(name),
                                           code="invalid-usage")
                                   for name in ignored])
            roles = [account.find(resource)] if resource else list(account.roles)
            if resource and (roles[0] is None or roles[0].kind != "role"):
                raise PolicyError([Problem(f"`{resource}` is not a role of the account", Location("--resource"),
                                           code="unknown-principal")])
            _request({"principal": DEFAULT_PRINCIPAL, "action": "sts:AssumeRole", "context": given_context})
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
        fields = {"principal": DEFAULT_PRINCIPAL, "action": action, "resource": resource or DEFAULT_RESOURCE,
                  "context": given_context}
        if resource_account:
            fields["resource_account"] = resource_account
        _request(fields)
        answers = who_can(account, action, resource or DEFAULT_RESOURCE,
                          resource_policy=kwargs.get("resource"), scps=kwargs.get("scps", ()),
                          rcps=kwargs.get("rcps", ()), context=given_context,
                          resource_account=resource_account)
    except PolicyError as exc:
        _fail(exc, as_json)
    if as_json:
        for answer in answers:
            print(json.dumps(who_can_json(answer)))
    else:
        print_who_can(out, answers, action, resource or DEFAULT_RESOURCE)
    raise typer.Exit(0 if any(a.allowed for a in answers) else 1)


def _print_assume(views: list, account: Account, as_json: bool) -> None:
    for role, answers in views:
        outside = trusted_outside(role, account)
        if as_json:
            print(json.dumps({"role": role.arn,
                              "allowed": [a.principal.arn for a in answers if a.allowed],
                              "not_evaluated": [a.principal.arn for a in answers if a.error],
                              "trusted_outside_account": outside}))
        else:
            print_assume_view(out, role, answers, outside)


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
    explain_it: ExplainOpt = False,
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
        explanation = None
        if explain_it and outcome.error is None:
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


@app.command()
def quiz(
    topic: Annotated[Optional[list[str]], typer.Option(
        "--topic", "-t", help="Only questions of this topic (repeatable); see --list-topics.")] = None,
    difficulty: Annotated[Optional[str], typer.Option(
        "--difficulty", "-d", help="1/easy, 2/medium or 3/hard.")] = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, help="How many questions.")] = 10,
    seed: Annotated[Optional[int], typer.Option(
        "--seed", help="Choose and generate the same questions again.")] = None,
    mix_variants: Annotated[bool, typer.Option(
        "--variants", help="Mix generated variants of bank questions in from the start (they always "
        "fill up when the bank runs out).")] = False,
    answers: Annotated[Optional[str], typer.Option(
        "--answers", help="Read the answers from this file, one per line, instead of asking.")] = None,
    list_topics: Annotated[bool, typer.Option("--list-topics", help="List the topics and stop.")] = False,
) -> None:
    """Practise IAM policy reasoning: answer Allow, ImplicitDeny or ExplicitDeny, and see why.

    Answers are read from the terminal, or one per line from --answers FILE or from standard
    input when it is not a terminal. Exit 0 when every question was answered right, 1 otherwise.
    """
    try:
        bank = load_bank()
    except PolicyError as exc:
        _fail(exc, False)
    if list_topics:
        counts = {name: sum(q.topic == name for q in bank) for name in TOPICS}
        for name, what in TOPICS.items():
            out.print(f"{name:<24}{counts[name]:>3}  {escape(what)}", soft_wrap=True)
        raise typer.Exit(0)
    unknown = [t for t in topic or [] if t not in TOPICS]
    level = parse_difficulty(difficulty) if difficulty is not None else None
    if unknown or (difficulty is not None and level is None):
        what = f"unknown topic `{unknown[0]}`" if unknown else f"unknown difficulty `{difficulty}`"
        _fail(PolicyError([Problem(what, Location("iameval quiz"),
                                   "see `iameval quiz --list-topics`" if unknown else "use 1, 2 or 3",
                                   code="invalid-usage")]), False)
    questions = select(bank, topics=topic or (), difficulty=level, count=count, seed=seed,
                       mix_variants=mix_variants)
    if not questions:
        _fail(PolicyError([Problem("no question matches these options", Location("iameval quiz"),
                                   code="no-question")]), False)
    score = play(out, questions, _answer_reader(answers))
    right = sum(r for r, _ in score.values())
    asked = sum(a for _, a in score.values())
    raise typer.Exit(0 if asked == len(questions) and right == asked else 1)


def _answer_reader(path: str | None):
    """Answers from a file, from piped standard input, or asked at the terminal."""
    if path is not None or not sys.stdin.isatty():
        try:
            lines = iter(open(path, encoding="utf-8").read().splitlines() if path else sys.stdin.read().splitlines())
        except OSError as exc:
            _fail(PolicyError([Problem(f"cannot read the answers: {exc.strerror}", Location(path),
                                       code="unreadable-file")]), False)

        def from_lines(prompt: str) -> str | None:
            out.print(prompt, end="")
            line = next(lines, None)
            out.print(line if line is not None else "")
            return line
        return from_lines

    def ask(prompt: str) -> str | None:
        try:
            return out.input(prompt)
        except (EOFError, KeyboardInterrupt):
            out.print()
            return None
    return ask


app.command("validate")(validate_command)
app.command("expand")(expand_command)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
