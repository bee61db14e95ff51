"""`iameval org matrix` below the loading: the actions asked, the run, its progress and summary.

`matrix_of` takes a loaded `Organization`: the command calls it after `load_organization`, the
tests call it directly. Bad input (an actions file naming no known action, an unknown service,
a resource that is no ARN, an output that cannot be written, a scheduler that cannot be
reached) is reported with its location and exits 2; the organization's warnings are printed
and the principals they touch are written as not evaluated.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.markup import escape

from ..catalog._catalog import service_prefixes, suggest_action, suggest_service
from ..policy._errors import Location, PolicyError, Problem
from ._options import fail, print_warnings
from ._present import err, progress

if TYPE_CHECKING:
    from ..inputs._organizations import Organization
    from ..matrix import Selection

__all__ = ["matrix_of", "read_selection"]


def _refuse(message: str, hint: str | None = None, location: Location | None = None,
            code: str = "invalid-usage") -> NoReturn:
    fail(PolicyError([Problem(message, location or Location("<command line>"), hint, code=code)]), False)


def read_selection(actions: str | None, services: list[str], all_actions: bool) -> "Selection":
    """The actions asked: `--actions FILE`, `--service` (repeatable) or `--all` (the default),
    one of them. A line or service that names no action of the catalogue is an error, located."""
    from ..catalog import expand
    from ..matrix import Selection

    if sum((actions is not None, bool(services), all_actions)) > 1:
        _refuse("give one of `--actions`, `--service` and `--all`")
    for prefix in services:
        if prefix.lower() not in service_prefixes():
            guess = suggest_service(prefix)
            _refuse(f"`{prefix}` is not a service prefix of the catalogue",
                    f"did you mean `{guess}`?" if guess else None, code="unknown-service")
    if actions is None:
        return Selection(tuple(s.lower() for s in services))
    try:
        text = Path(actions).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _refuse(f"cannot read the actions file: {exc.strerror if isinstance(exc, OSError) else exc}",
                location=Location(actions), code="unreadable-file")
    patterns: list[str] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if not expand(entry):
            guess = suggest_action(entry) if "*" not in entry and "?" not in entry else None
            problems.append(Problem(f"`{entry}` names no action of the catalogue",
                                    Location(actions, number, line.index(entry) + 1),
                                    f"did you mean `{guess}`?" if guess else None, code="unknown-action"))
        patterns.append(entry)
    if problems:
        fail(PolicyError(problems), False)
    if not patterns:
        _refuse("the actions file lists no action", location=Location(actions), code="no-actions")
    return Selection(patterns=tuple(patterns))


def matrix_of(organization: "Organization", out: str, *, actions: str | None = None, services: list[str] | None = None,
              all_actions: bool = False, resource: str = "*", scheduler: str | None = None,
              workers: int | None = None, single_process: bool = False, resource_account: str | None = None) -> None:
    """Write the organization's matrix to `out` and say what was written; exit 2 on bad input."""
    try:
        from ..matrix import matrix
    except ImportError as exc:
        _refuse(f"`iameval org matrix` needs {exc.name}, which iameval installs with its `org` extra",
                "pip install 'iameval[org]'", code="missing-dependency")
    selection = read_selection(actions, services or [], all_actions)
    if resource != "*" and not resource.startswith("arn:"):
        _refuse(f"`{resource}` is not an ARN", "give an ARN, or `*`", code="invalid-resource")
    if not Path(out).resolve().parent.is_dir():
        _refuse(f"`{out}` cannot be written: its folder does not exist", code="unavailable-output")
    print_warnings(organization.warnings)
    try:
        with progress("principals", len(organization.principals)) as advance:
            summary = matrix(organization, out, selection, resource, scheduler=scheduler, workers=workers,
                             single_process=True if single_process else None,
                             on_progress=lambda done, tasks, answered: advance(answered, f"{done}/{tasks} tasks"),
                             resource_account=resource_account)
    except PolicyError as exc:  # the resource's account is unknown, or not the organization's
        fail(exc, False)
    except OSError as exc:  # the file could not be written, or the scheduler reached
        reach = f" or reach the scheduler at `{scheduler}`" if scheduler else ""
        _refuse(f"cannot write `{out}`{reach}: {exc}", code="unavailable-output")
    ran = f"on {summary.workers} Dask workers" if summary.workers else "in this process"
    err.print(f"wrote {summary.rows:,} rows for {summary.principals:,} principals of {summary.accounts:,} accounts"
              + (f" ({summary.unevaluated:,} not evaluated)" if summary.unevaluated else "")
              + f" to {escape(out)} in {summary.seconds:,.1f} s {ran}", soft_wrap=True)
    raise typer.Exit(0)
