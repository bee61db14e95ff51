"""`iameval org ...`: questions over a whole AWS Organization (issue 17).

The definitions only: each command imports what it runs when it runs (issue 14, start-up); the
matrix's numpy, pyarrow and Dask come with the `org` extra and no other command imports them.
"""

# No `from __future__ import annotations`: typer reads the commands' signatures at every start.

from typing import Annotated, Optional

import typer

from ..policy._errors import PolicyError
from ._options import fail

__all__ = ["org_app"]

org_app = typer.Typer(help="Questions over a whole AWS Organization: its accounts, OUs, SCPs and RCPs.",
                      no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@org_app.command("matrix")
def matrix_command(
    organization: Annotated[str, typer.Argument(
        metavar="FOLDER", help="The organization's folder (README, \"A whole organization\").", show_default=False)],
    out: Annotated[str, typer.Option(
        "--out", "-o", metavar="FILE.parquet", help="Where to write the matrix (Parquet).", show_default=False)],
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
        "--resource", "-r", metavar="ARN", help="The resource asked about.")] = "*",
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", metavar="tcp://HOST:PORT", show_default=False,
        help="Run on this Dask cluster. Default: a local cluster of the machine's cores, or this process "
        "for a small organization.")] = None,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", min=1, show_default=False, help="Processes of the local cluster. Default: the cores.")] = None,
    single_process: Annotated[bool, typer.Option(
        "--single-process", help="Answer in this process, without Dask.")] = False,
) -> None:
    """Write what every user and role of the organization may do on RESOURCE, as a Parquet table.

    One row per principal and action it may perform (`allowed`) or may only were conditions on
    keys the request did not give to hold (`conditional`); denied actions have no row. A
    principal not evaluated has one row, with its `problem`.

    Exit 0 when the table was written, 2 on invalid input.
    """
    from ..inputs._organizations import load_organization  # type: ignore[attr-defined]
    from ._org_matrix import matrix_of

    try:
        loaded = load_organization(organization)
    except PolicyError as exc:
        fail(exc, False)
    matrix_of(loaded, out, actions=actions, services=service or [],
              all_actions=all_actions, resource=resource, scheduler=scheduler, workers=workers,
              single_process=single_process)
