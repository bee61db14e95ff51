"""Rendering results for people (rich text) and for programs (JSON)."""

from __future__ import annotations

from typing import Any, Mapping

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from ..engine import Authorizer, Decision, Result
from ..engine._compile import Match, PolicySet
from ..engine import Explanation, StatementTrace, Verdict
from ..policy import Effect
from ..policy._errors import PolicyError
from ..policy._references import see
from ..inputs._accounts import AccountPrincipal, WhoCanAnswer
from ..inputs._scenarios import ScenarioOutcome

__all__ = ["err", "out", "print_assume_view", "print_explanation", "print_outcome", "print_problems", "print_request",
           "print_result", "print_run_summary", "print_who_can", "statement_location", "who_can_json"]

# The command's output and its messages. Text is printed as given: rich would turn `:id:` or
# `:x:` in a principal or key into an emoji.
out = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)


_STYLE = {Decision.ALLOW: "bold green", Decision.IMPLICIT_DENY: "bold yellow",
          Decision.EXPLICIT_DENY: "bold red"}


def statement_location(authorizer: Authorizer, match: Match) -> str | None:
    """`file:line:column` of a deciding statement, when its policy came from a file."""
    sets: list[PolicySet] = [authorizer.identity, authorizer.resource_policy, authorizer.permission_boundary,
                             authorizer.session, *authorizer.scps, *authorizer.rcps]
    for policy_set in sets:
        if policy_set.kind is not match.ref.kind:
            continue
        for statement in policy_set.statements:
            if statement.ref == match.ref and statement.origin is not None:
                source, path = statement.origin
                return str(source.locate(path))
    return None


def print_result(console: Console, result: Result, request: Mapping[str, tuple[str, bool]],
                 authorizer: Authorizer | None = None) -> None:
    """The decision, its summary, the deciding statements, warnings, and the request with its
    defaults and derived context keys marked."""
    console.print(f"[{_STYLE[result.decision]}]{result.decision}[/]  {escape(result.summary)}")
    if result.rule is not None:
        console.print(f"  rule of the service [bold]{escape(result.rule.id)}[/], whatever the policies say  "
                      f"[dim]{escape(result.rule.source)}[/]", soft_wrap=True)
    for match in result.reasons:
        where = statement_location(authorizer, match) if authorizer else None
        principal = f", principal matched as {match.match_class.value}" if match.match_class else ""
        console.print(f"  {match.ref.effect:<5} statement [bold]{escape(match.ref.statement)}[/] of "
                      f"{match.ref.kind.noun} [bold]{escape(match.ref.policy)}[/]{principal}"
                      + (f"  [dim]{escape(where)}[/]" if where else ""), soft_wrap=True)
    for warning in result.warnings:
        console.print(f"  [yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    print_request(console, request, result)


def print_request(console: Console, request: Mapping[str, tuple[str, bool]], result: Result | None = None) -> None:
    """The request, marking values that were defaults or derived context keys."""
    derived = result.derived if result is not None else {}
    console.print("[dim]request:[/]")
    width = max(len(name) for name in request) + 2
    for name, (value, default) in request.items():
        note = ""
        if default:
            note = "  [dim](derived)[/]" if name in derived else "  [dim](default)[/]"
        console.print(f"  [dim]{name:<{width}}[/]{escape(value)}{note}", soft_wrap=True)


def print_problems(console: Console, error: PolicyError) -> None:
    for problem in error.problems:
        console.print(f"[red]{escape(str(problem))}[/]", soft_wrap=True)


def print_outcome(console: Console, outcome: ScenarioOutcome) -> None:
    scenario = outcome.scenario
    name = escape(scenario.id)
    result = outcome.result
    if result is None:
        console.print(f"[bold red]ERROR[/] {name}")
        for problem in outcome.problems:
            console.print(f"      {escape(str(problem))}", soft_wrap=True)
        return
    decision = result.decision
    for warning in result.warnings:
        console.print(f"[yellow]warn[/] {name}: {escape(warning)}", soft_wrap=True)
    if outcome.ok is None:
        console.print(f"[bold]  -  [/] {name}: [{_STYLE[decision]}]{decision}[/]")
    elif outcome.ok:
        console.print(f"[green] ok  [/] {name}: {decision}")
    else:
        console.print(f"[bold red]FAIL[/] {name}: expected {scenario.expect}, got "
                      f"[{_STYLE[decision]}]{decision}[/] ({escape(result.summary)})")


def run_counts(outcomes: list[ScenarioOutcome]) -> dict[str, Any]:
    return {
        "scenarios": len(outcomes),
        "passed": sum(1 for o in outcomes if o.ok is True),
        "failed": sum(1 for o in outcomes if o.error is None and o.ok is False),
        "errors": sum(1 for o in outcomes if o.error is not None),
        "unchecked": sum(1 for o in outcomes if o.ok is None),
    }


def print_run_summary(console: Console, outcomes: list[ScenarioOutcome]) -> None:
    counts = run_counts(outcomes)
    text = f"{counts['scenarios']} scenarios: {counts['passed']} as expected, {counts['failed']} not"
    if counts["errors"]:
        text += f", {counts['errors']} could not be evaluated"
    if counts["unchecked"]:
        text += f", {counts['unchecked']} without `expect`"
    console.print(text)


def _reason_line(match: Match) -> str:
    principal = f", principal matched as {match.match_class.value}" if match.match_class else ""
    return f"{match.ref.effect} {match.ref.statement} of {match.ref.kind.noun} {match.ref.policy}{principal}"


def who_can_json(answer: WhoCanAnswer) -> dict[str, Any]:
    out: dict[str, Any] = {"principal": answer.principal.arn, "kind": answer.principal.kind}
    if answer.result is None:
        out["error"] = str(answer.error)
        out["problems"] = [p.as_dict() for p in answer.problems]  # as `run --json` gives them, with codes
    else:
        out.update(answer.result.to_json())
    return out


def print_who_can(console: Console, answers: list[WhoCanAnswer], action: str, resource: str) -> None:
    allowed = [a for a in answers if a.allowed]
    broken = [a for a in answers if a.error is not None]
    console.print(f"[bold]{len(allowed)}[/] of {len(answers)} principals may "
                  f"[bold]{escape(action)}[/] on [bold]{escape(resource)}[/]")
    for answer in allowed:
        console.print(f"  [green]{answer.principal.kind:<4}[/] {escape(answer.principal.arn)}", soft_wrap=True)
        for match in answer.result.reasons if answer.result else ():
            console.print(f"         [dim]{escape(_reason_line(match))}[/]", soft_wrap=True)
        if answer.result is not None and answer.result.rule is not None:
            console.print(f"         [dim]rule of the service {escape(answer.result.rule.id)}: "
                          f"{escape(answer.result.rule.summary)}[/]", soft_wrap=True)
    if broken:
        console.print(f"[yellow]{len(broken)} not evaluated[/] (a policy of theirs could not be loaded):")
        for answer in broken:
            first = answer.problems[0] if answer.problems else None
            console.print(f"  {escape(answer.principal.arn)}: {escape(str(first) if first else '')}",
                          soft_wrap=True)


def print_assume_view(console: Console, role: AccountPrincipal, answers: list[WhoCanAnswer],
                      outside: list[str]) -> None:
    allowed = [a for a in answers if a.allowed]
    console.print(f"[bold]{escape(role.arn)}[/]", soft_wrap=True)
    if not allowed and not outside:
        console.print("  [dim]nobody can assume it[/]")
    for answer in allowed:
        console.print(f"  [green]{answer.principal.kind:<4}[/] {escape(answer.principal.arn)}", soft_wrap=True)
    for entry in outside:
        console.print(f"  [cyan]trusted[/] {escape(entry)} [dim](named in the trust policy; not a "
                      "user or role of this account)[/]", soft_wrap=True)
    for answer in answers:
        if answer.error is not None:
            console.print(f"  [yellow]not evaluated[/] {escape(answer.principal.arn)}", soft_wrap=True)


_VERDICT = {Verdict.DENY: "[bold red]denies[/]", Verdict.ALLOW: "[green]allows[/]",
            Verdict.NO_ALLOW: "[yellow]no Allow[/]", Verdict.NOT_APPLICABLE: "[dim]not applicable[/]",
            Verdict.REFUSED: "[bold red]refuses[/]"}


def _statement_node(parent: Tree, trace: StatementTrace, style: str) -> None:
    node = parent.add(f"[{style}]{trace.effect}[/] statement [bold]{escape(trace.statement)}[/] of "
                      f"{trace.kind.noun} [bold]{escape(trace.policy)}[/]")
    if trace.principal is not None:
        node.add(f"principal: {escape(trace.principal)}")
    node.add(f"action: {escape(trace.action)}")
    node.add(f"resource: {escape(trace.resource)}")
    for condition in trace.conditions:
        mark = "[green]true[/]" if condition.holds else "[red]false[/]"
        node.add(f"condition {mark}: {escape(condition.describe())}")
    for variable in trace.unresolved:
        node.add(f"[yellow]unresolved variable[/] in `{escape(variable)}`: that entry matches nothing "
                 f"[dim]({see('9')})[/]")
    if trace.waived:
        node.add(f"[yellow]set aside[/]: {escape(trace.waived)}")


def print_explanation(console: Console, explanation: Explanation) -> None:
    """The decision as a tree: each gate with its verdict, the statements that applied, near misses."""
    result = explanation.result
    tree = Tree(f"[{_STYLE[result.decision]}]{result.decision}[/]: {escape(result.summary)}")
    for gate in explanation.gates:
        names = f" [dim]in {escape(', '.join(gate.policies))}[/]" if gate.policies else ""
        branch = tree.add(f"{escape(gate.title)}: {_VERDICT[gate.verdict]}{names}"
                          + (f" [dim]({escape(gate.note)})[/]" if gate.note else "")
                          + ("  [bold]◄ decided[/]" if gate.decided else "")
                          + ("  [dim](not needed by the decision)[/]"
                             if not gate.read and gate.verdict is not Verdict.NOT_APPLICABLE else ""))
        if gate.source:
            branch.add(f"[dim]source: {escape(gate.source)}[/]")
        for trace in gate.applied:
            _statement_node(branch, trace, "red" if trace.effect is Effect.DENY else "green")
        for trace in gate.near_misses:
            near = branch.add(f"[yellow]near miss[/]: {trace.effect} statement [bold]{escape(trace.statement)}[/] "
                              f"of {escape(trace.policy)}")
            near.add(f"action: {escape(trace.action)}")
            if trace.resource_ok:
                near.add(f"resource: {escape(trace.resource)}")
            near.add(f"[yellow]but[/] {escape(trace.near_miss or '')}")
    if explanation.derived:
        derived = tree.add(f"[dim]derived context keys ({see('1')})[/]")
        for key, value in explanation.derived.items():
            derived.add(f"{escape(key)} = {escape(value)}")
    for warning in result.warnings:
        tree.add(f"[yellow]warning[/]: {escape(warning)}")
    console.print(tree)
    console.print(escape(explanation.headline))
