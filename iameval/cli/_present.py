"""Rendering results for people (rich text) and for programs (JSON)."""

from __future__ import annotations

import errno
import json
from contextlib import contextmanager
import os
from typing import TYPE_CHECKING, Any, Iterator, Literal, Mapping, Protocol, Sequence

from rich.console import Console, ConsoleDimensions
from rich.markup import escape

from ..engine import Authorizer, Decision, Result
from ..engine._compile import Match, PolicySet
from ..engine import ConditionTrace, Explanation, StatementTrace, Verdict
from ..engine._checks import REQUEST_CHECKS
from ..engine._explain import MissingKey
from ..policy import Effect
from ..policy._errors import PolicyError
from ..policy._references import see

if TYPE_CHECKING:
    from rich.style import Style
    from rich.text import Text
    from rich.tree import Tree

    from ..analysis._diff import DiffReport
    from ..inputs._accounts import AccountPrincipal, OutsideGrant, WhoCanAnswer
    from ..inputs._scenarios import ScenarioOutcome

__all__ = ["assume_view_json", "err", "out", "outside_grant_json", "print_assume_view", "print_diff_report",
           "print_explanation", "print_outcome", "print_outside", "print_problems", "print_request", "print_result",
           "print_run_summary", "print_who_can", "reason_line", "statement_location", "who_can_json"]


_UNWRAPPED = 100_000  # the width of a line that is never wrapped
_RULE_WIDTH = 80


class _Console(Console):
    """A console whose closed pipe (`iameval run ... | head -1`) raises `BrokenPipeError` for
    the app to end the command quietly (`_app.main`), where rich's own exit status, 1, would
    read as a deny."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "broken pipe")

    # Lines are not wrapped when the output is not a terminal (and COLUMNS does not say a width):
    # a file or a pipe gets one line per line of output, for `grep` and for scripts.
    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self.is_terminal or self._width is not None or (os.environ.get("COLUMNS") or "").isdigit():
            return size
        return ConsoleDimensions(_UNWRAPPED, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size

    def rule(self, title: "str | Text" = "", *, characters: str = "─", style: "str | Style" = "rule.line",
             align: Literal["left", "center", "right"] = "center") -> None:
        """A rule as wide as the terminal, or as a terminal's 80 columns where lines are not
        wrapped: never as wide as the unwrapped width."""
        from rich.rule import Rule  # only the quiz and several requests draw rules

        width = None if self.is_terminal or self.size.width != _UNWRAPPED else _RULE_WIDTH
        self.print(Rule(title, characters=characters, style=style, align=align), width=width)


# The command's output and its messages. Text is printed as given: rich would turn `:id:` or
# `:x:` in a principal or key into an emoji.
out = _Console(highlight=False, emoji=False)
err = _Console(stderr=True, highlight=False, emoji=False)


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


def notice_text(warning: str) -> str:
    """A result's warning with its code and hint, as a line."""
    code, hint = getattr(warning, "code", None), getattr(warning, "hint", None)
    return f"{warning}" + (f" ({hint})" if hint else "") + (f" [{code}]" if code else "")


def print_result(console: Console, result: Result, request: Mapping[str, tuple[str, bool]],
                 authorizer: Authorizer | None = None, missing: Sequence[MissingKey] = ()) -> None:
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
        console.print(f"  [yellow]warning:[/] {escape(notice_text(warning))}", soft_wrap=True)
    print_missing(console, missing)
    print_request(console, request, result)


def print_missing(console: Console, missing: Sequence[MissingKey]) -> None:
    """The context keys the decision's statements read and the request did not give (AWS's
    MissingContextValues): with them, the answer may differ."""
    for key in missing:
        console.print(f"  [yellow]missing context:[/] `{escape(key.key)}`, read by "
                      f"{escape(', '.join(key.statements))}: give it with --context to decide with it",
                      soft_wrap=True)


def print_pairs(console: Console, answers: Sequence[tuple[str, str, Result, Sequence[MissingKey]]]) -> None:
    """One answer per action and resource, as a table."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("action", "resource", "decision", "why"):
        table.add_column(column, overflow="fold")
    for action, resource, result, missing in answers:
        why = result.summary + ("".join(f"; missing context `{m.key}`" for m in missing))
        table.add_row(escape(action), escape(resource), f"[{_STYLE[result.decision]}]{result.decision}[/]",
                      escape(why))
    console.print(table)
    allowed = sum(1 for _, _, r, _ in answers if r.allowed)
    console.print(f"{allowed} of {len(answers)} allowed")
    for _, _, result, _ in answers:
        for warning in result.warnings:
            console.print(f"  [yellow]warning:[/] {escape(notice_text(warning))}", soft_wrap=True)


def print_request(console: Console, request: Mapping[str, tuple[str, bool]], result: Result | None = None) -> None:
    """The request, marking values that were defaults or derived context keys."""
    derived = result.derived if result is not None else {}
    console.print("[dim]request:[/]")
    width = max(len(name) for name in request) + 2
    for name, (value, default) in request.items():
        note = ""
        if default:
            note = "  [dim](derived)[/]" if name in derived else "  [dim](default)[/]"
        console.print(f"  [dim]{escape(name)}[/]{' ' * (width - len(name))}{escape(value)}{note}", soft_wrap=True)


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
        console.print(f"[yellow]warn[/] {name}: {escape(notice_text(warning))}", soft_wrap=True)
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


def reason_line(match: Match) -> str:
    principal = f", principal matched as {match.match_class.value}" if match.match_class else ""
    return f"{match.ref.effect} {match.ref.statement} of {match.ref.kind.noun} {match.ref.policy}{principal}"


def _condition_text(condition: ConditionTrace) -> str:
    """`DateGreaterThan aws:TokenIssueTime `2020-01-01T00:00:01Z``: a condition as the policy writes it."""
    values = " or ".join(f"`{w}`" if r == w or r is None else f"`{w}` (= `{r}`)" for w, r in condition.policy_values)
    return f"{condition.operator} {condition.key} {values or 'no values'}"


def _statement_text(trace: StatementTrace) -> str:
    return f"{trace.effect} {trace.statement} of {trace.kind.noun} {trace.policy}"


def _statement_json(trace: StatementTrace, conditions: tuple[ConditionTrace, ...]) -> dict[str, Any]:
    """A statement with the conditions that say why it is listed (operator, key, policy values)."""
    return {"policy_type": trace.kind.value, "policy": trace.policy, "statement": trace.statement,
            "effect": str(trace.effect), "conditions": [c.as_dict() for c in conditions]}


def _missing_keys(answer: WhoCanAnswer) -> list[str]:
    """The keys the request did not give that the answer's conditions read, in order."""
    return list(dict.fromkeys([c.key for t in answer.allowed_if for c in t.allowed_if]
                              + [c.key for t in answer.unless for c in t.absent]))


def who_can_json(answer: WhoCanAnswer, action: str | None = None) -> dict[str, Any]:
    """One principal's answer; for a denied principal, `allowed_if`: the Allow statements with
    the conditions on keys the request did not give that alone kept them from applying, and
    `unless`, the Deny statements that apply only through conditions on such keys."""
    out: dict[str, Any] = {"principal": answer.principal.arn, "kind": answer.principal.kind}
    if action is not None:
        out["action"] = action
    if answer.result is None:
        out["error"] = str(answer.error)
        out["problems"] = [p.as_dict() for p in answer.problems]  # as `run --json` gives them, with codes
    else:
        out.update(answer.result.to_json())
    if answer.context is not None:
        out["context"] = dict(answer.context)  # found by the solver, replayed (`--any-context`)
    if answer.unknown is not None:
        out["unknown"] = answer.unknown
    if answer.conditional:
        out["allowed_if"] = [_statement_json(t, t.allowed_if) for t in answer.allowed_if]
        out["unless"] = [_statement_json(t, t.absent) for t in answer.unless]
        out["missing_context"] = _missing_keys(answer)
    return out


def outside_grant_json(grant: OutsideGrant, action: str) -> dict[str, Any]:
    """A name a resource-based policy grants the request beyond the principals of the file: one
    JSON line, beside those of the principals (`principal` as the policy names it, `kind` one of
    `Grantee`)."""
    out: dict[str, Any] = {"principal": grant.principal, "kind": str(grant.kind), "action": action,
                           "granted_outside": grant.description,
                           "statements": [_statement_json(t, t.conditions) for t in grant.statements]}
    if grant.allowed_if:
        out["allowed_if"] = [_statement_json(t, t.allowed_if) for t in grant.allowed_if]
    if grant.denied_by:
        out["denied_by"] = [_statement_json(t, t.conditions) for t in grant.denied_by]
    return out


def _print_allowed_if(console: Console, allowed_if: tuple[StatementTrace, ...], unless: tuple[StatementTrace, ...],
                      indent: str) -> None:
    """Each Allow (any of them would do) and `allowed if COND and COND`; each Deny that applies
    only through conditions on keys the request did not give, and `denied while COND`."""
    for trace in allowed_if:
        console.print(f"{indent}[dim]{escape(_statement_text(trace))}[/]", soft_wrap=True)
        conditions = " and ".join(_condition_text(c) for c in trace.allowed_if)
        console.print(f"{indent}[yellow]allowed if[/] {escape(conditions)}",
                      soft_wrap=True)
    for trace in unless:
        console.print(f"{indent}[dim]{escape(_statement_text(trace))}[/]", soft_wrap=True)
        console.print(f"{indent}[red]denied while[/] {escape(' and '.join(_condition_text(c) for c in trace.absent))}",
                      soft_wrap=True)


def print_who_can(console: Console, answers: list[WhoCanAnswer], action: str, resource: str,
                  outside: list[OutsideGrant] | None = None) -> None:
    """The principals allowed, those allowed if conditions on keys the request did not give
    held, what the resource-based policy grants beyond the file, and those not evaluated."""
    allowed = [a for a in answers if a.allowed]
    conditional = [a for a in answers if a.conditional]
    broken = [a for a in answers if a.error is not None]
    more = f"; [bold yellow]{len(conditional)}[/] more depending on keys the request did not give" \
        if conditional else ""
    console.print(f"[bold]{len(allowed)}[/] of {len(answers)} principals may "
                  f"[bold]{escape(action)}[/] on [bold]{escape(resource)}[/]{more}", soft_wrap=True)
    # What the request may not mean is the same for every principal: said once.
    checks = dict.fromkeys(w for a in answers if a.result is not None for w in a.result.warnings
                           if getattr(w, "code", None) in REQUEST_CHECKS)
    for warning in checks:
        console.print(f"  [yellow]warning:[/] {escape(notice_text(warning))}", soft_wrap=True)
    for answer in allowed:
        console.print(f"  [green]{answer.principal.kind:<4}[/] {escape(answer.principal.arn)}", soft_wrap=True)
        if answer.context is not None:
            console.print(f"         with context {escape(json.dumps(dict(answer.context)))}", soft_wrap=True)
        for match in answer.result.reasons if answer.result else ():
            console.print(f"         [dim]{escape(reason_line(match))}[/]", soft_wrap=True)
        if answer.result is not None and answer.result.rule is not None:
            console.print(f"         [dim]rule of the service {escape(answer.result.rule.id)}: "
                          f"{escape(answer.result.rule.summary)}[/]", soft_wrap=True)
    if conditional:
        keys = ", ".join(f"`{k}`" for k in dict.fromkeys(k for a in conditional for k in _missing_keys(a)))
        console.print(f"[yellow]{len(conditional)} allowed depending on keys the request did not give[/] "
                      f"({escape(keys)}: give them with --context to decide; --strict-context leaves these out):",
                      soft_wrap=True)
        for answer in conditional:
            console.print(f"  [yellow]{answer.principal.kind:<4}[/] {escape(answer.principal.arn)}", soft_wrap=True)
            _print_allowed_if(console, answer.allowed_if, answer.unless, "         ")
    print_outside(console, outside or [], "the file")
    _print_resource_side(console, [a for a in broken if a.resource_side])
    theirs = [a for a in broken if not a.resource_side]
    if theirs:
        console.print(f"[yellow]{len(theirs)} not evaluated[/] (a policy of theirs could not be loaded):")
        for answer in theirs:
            first = answer.problems[0] if answer.problems else None
            console.print(f"  {escape(answer.principal.arn)}: {escape(str(first) if first else '')}",
                          soft_wrap=True)
    undecided = [a for a in answers if a.unknown is not None]
    if undecided:
        console.print(f"[yellow]{len(undecided)} unknown[/] (whether some context allows them could not be decided):")
        for answer in undecided:
            console.print(f"  {escape(answer.principal.arn)}: {escape(answer.unknown or '')}", soft_wrap=True)


def _print_resource_side(console: Console, broken: list[WhoCanAnswer]) -> None:
    """The principals left unevaluated because a policy of the resource (its resource-based
    policy, or its account's RCPs) could not be read: the same problem for each, said once, with
    its file."""
    if not broken:
        return
    first = broken[0].problems[0] if broken[0].problems else None
    console.print(f"[yellow]{len(broken)} not evaluated[/] (a policy of the resource could not be loaded: "
                  f"{escape(str(first) if first else '')}):", soft_wrap=True)
    for answer in broken:
        console.print(f"  {escape(answer.principal.arn)}", soft_wrap=True)


def print_outside(console: Console, outside: Sequence[OutsideGrant], holder: str) -> None:
    """Whom the resource-based policy grants beyond the users and roles of `holder` (the file,
    the organization), with the statements that grant it and the Denies that stop it."""
    if not outside:
        return
    console.print(f"[cyan]granted beyond the users and roles of {escape(holder)}[/] by the resource-based policy "
                  "(a caller of another account needs its own account's Allow too):", soft_wrap=True)
    for grant in outside:
        console.print(f"  [cyan]{escape(grant.description)}[/]", soft_wrap=True)
        for trace in grant.statements:
            when = (f" when {' and '.join(_condition_text(c) for c in trace.conditions)}"
                    if trace.conditions else "")
            console.print(f"         [dim]{escape(_statement_text(trace) + when)}[/]", soft_wrap=True)
        _print_allowed_if(console, grant.allowed_if, (), "         ")
        for trace in grant.denied_by:
            console.print(f"         [red]but[/] {escape(_statement_text(trace))} denies it", soft_wrap=True)


def print_assume_view(console: Console, role: AccountPrincipal, answers: list[WhoCanAnswer],
                      outside: list[str]) -> None:
    allowed = [a for a in answers if a.allowed]
    conditional = [a for a in answers if a.conditional]
    console.print(f"[bold]{escape(role.arn)}[/]", soft_wrap=True)
    if not allowed and not conditional and not outside:
        console.print("  [dim]nobody can assume it[/]")
    for answer in allowed:
        console.print(f"  [green]{answer.principal.kind:<4}[/] {escape(answer.principal.arn)}", soft_wrap=True)
        if answer.context is not None:
            console.print(f"         with context {escape(json.dumps(dict(answer.context)))}", soft_wrap=True)
    for answer in conditional:
        console.print(f"  [yellow]{answer.principal.kind:<4}[/] {escape(answer.principal.arn)} "
                      "[dim](depending on keys the request did not give)[/]", soft_wrap=True)
        _print_allowed_if(console, answer.allowed_if, answer.unless, "         ")
    for entry in outside:
        console.print(f"  [cyan]trusted[/] {escape(entry)} [dim](named in the trust policy; not a "
                      "user or role of this account)[/]", soft_wrap=True)
    for answer in answers:
        if answer.error is not None:
            console.print(f"  [yellow]not evaluated[/] {escape(answer.principal.arn)}", soft_wrap=True)


def assume_view_json(role: AccountPrincipal, answers: list[WhoCanAnswer], outside: list[str]) -> dict[str, Any]:
    """One role of the role view: who may assume it, who may if conditions on keys the request
    did not give held (with those statements and conditions), who was not evaluated, and whom
    its trust policy names beyond the account. With `--any-context`: `contexts`, the context
    found for each principal allowed through one, and `unknown`, those not decided, with why."""
    out: dict[str, Any] = {
        "role": role.arn,
        "allowed": [a.principal.arn for a in answers if a.allowed],
        "allowed_if": [{"principal": a.principal.arn,
                        "statements": [_statement_json(t, t.allowed_if) for t in a.allowed_if],
                        "unless": [_statement_json(t, t.absent) for t in a.unless],
                        "missing_context": _missing_keys(a)}
                       for a in answers if a.conditional],
        "not_evaluated": [a.principal.arn for a in answers if a.error],
        "trusted_outside_account": outside}
    contexts = {a.principal.arn: dict(a.context) for a in answers if a.context is not None}
    undecided = {a.principal.arn: a.unknown for a in answers if a.unknown is not None}
    return out | ({"contexts": contexts} if contexts else {}) | ({"unknown": undecided} if undecided else {})


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


def print_diff_report(console: Console, report: DiffReport, verb: str, indent: str = "") -> None:
    """The findings of `diff` or `can-never` (`verb`: what the example is, `newly allowed`):
    each group of actions, the statements responsible, and the example request; then what is
    unknown, and why."""
    for finding in report.findings:
        shown = ", ".join(finding.actions[:8]) + (f" and {len(finding.actions) - 8} more"
                                                  if len(finding.actions) > 8 else "")
        example = finding.example
        console.print(f"\n{indent}{verb}: {escape(shown)}", soft_wrap=True)
        console.print(f"{indent}  by: {escape('; '.join(finding.statements))}", soft_wrap=True)
        console.print(f"{indent}  example: {escape(example.action)} on {escape(example.resource)}"
                      + (f" with context {escape(json.dumps(example.context))}" if example.context else ""),
                      soft_wrap=True)
        if example.caller is not None:
            console.print(f"{indent}  caller: {escape(example.principal)}, {escape(example.caller)}"
                          + (f"; {escape(example.identity)}" if example.identity else "")
                          + (f"; the resource in account {example.resource_account}" if example.resource_account
                             else ""), soft_wrap=True)
    for part in report.unknown:
        shown = ", ".join(part.actions[:8]) + (f" and {len(part.actions) - 8} more" if len(part.actions) > 8 else "")
        console.print(f"\n{indent}unknown{': ' + escape(shown) if shown else ''}\n{indent}  why: {escape(part.reason)}",
                      soft_wrap=True)


def print_explanation(console: Console, explanation: Explanation) -> None:
    """The decision as a tree: each gate with its verdict, the statements that applied, near misses."""
    from rich.tree import Tree

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
        tree.add(f"[yellow]warning[/]: {escape(notice_text(warning))}")
    console.print(tree)
    console.print(escape(explanation.headline))


class Advance(Protocol):
    """Counts work done for `progress`: `count` more items (one by default), with `detail` said
    beside the rate (`org matrix`: its tasks done)."""

    def __call__(self, count: int = 1, detail: str = "") -> None: ...


def _unseen(count: int = 1, detail: str = "") -> None:
    """The count of work whose progress is not shown."""


@contextmanager
def progress(what: str, total: int) -> Iterator[Advance]:
    """A progress bar on standard error for long work (`what`: "scenarios", "files"), with its
    count and rate; nothing when standard error is not a terminal or the work is short. Yields
    the function that counts items done (`Advance`)."""
    if not err.is_terminal or total < 20:
        yield _unseen
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn,
                               TimeRemainingColumn)
    from rich.text import Text

    class Rate(ProgressColumn):
        """Items per second."""

        def render(self, task: Task) -> Text:
            return Text(f"{task.speed:,.0f}/s" if task.speed else "", style="progress.data.speed")

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(),
                  TextColumn("{task.fields[detail]}"), TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task(what, total=total, detail="")

        def advance(count: int = 1, detail: str = "") -> None:
            bar.update(task, advance=count, detail=detail)

        yield advance
