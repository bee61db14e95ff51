"""Running the matrix: the accounts answered in this process, or on Dask, in the same order.

Work is split into shards of whole accounts (`shards`, larger for a large organization:
`shard_size`); each shard is one task, whose worker answers its accounts with `account_matrix`.
The `MatrixState` (SCP and RCP levels of every account, the policies principals of several
accounts hold, the resource, the actions asked) is scattered to every worker once
(`broadcast=True`): a task carries only its accounts, packed in its own arguments, without their
levels and with each shared policy as a number (`MatrixState.pack`). Its only dependency being
on every worker, the scheduler hands each task to the first worker free. A worker keeps what
it compiles from the shared state (SCPs, RCPs, shared policies, the catalogue's expansions) for
all its tasks; an account's own policies are compiled once, in the task that answers it.

Both paths give the same rows in the same order: answers are written in the order of the
accounts, with a bounded number of shards sent or waiting so that memory holds only a few
shards' answers at once.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from ..catalog._catalog import data_version
from ..inputs._organizations import MemberAccount, Organization
from ._accounts import AccountMatrix, MatrixState, Selection, account_matrix
from ._parquet import MatrixWriter

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["MatrixSummary", "SINGLE_PROCESS_BELOW", "account_matrices", "matrix", "shards"]

# Fewer principals than this are answered in this process unless a cluster is asked for: a
# local cluster takes about 5 s to start and each worker 1-2 s to read the catalogue, which
# about 2,000 principals at 3-7 ms each repay on 2 cores (bench/README.md).
SINGLE_PROCESS_BELOW = 2000
# At least this many principals in one task: one account of 100 roles, or several small ones;
# at most `SHARD_MOST`. A task costs Dask about 7 ms of CPU whatever its size (3 in the worker,
# 4 in the client and scheduler; bench/README.md), 3% of an account of 100 roles: a large
# organization is sent in larger shards, as long as each worker still gets `_TASKS_EACH` of
# them, so that the last ones leave no worker idle for long.
SHARD_PRINCIPALS = 100
SHARD_MOST = 1000
_TASKS_EACH = 20
# Shards sent or answered and waiting, per worker: enough to keep each busy while one is slow.
_AHEAD = 8

# The local cluster's settings: its servers' periodic work, which no one looks at here, kept
# rare. Idle, the defaults cost the cluster 12% of a core (the event loops' 20 ms watchdog,
# the nannies' memory polls every 100 ms, each server's system monitor, the cluster's repr),
# these 2%; the workers sampling their stacks for the dashboard cost 9% of their CPU time
# (bench/README.md, "the organization matrix").
_QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.deploy.cluster-repr-interval": "10s",
    "distributed.client.scheduler-info-interval": "10s",
}

# (tasks done, tasks, principals of the shard just answered), after each shard.
Progress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class MatrixSummary:
    """What a run wrote: `workers` is 0 when it ran in this process."""

    accounts: int
    principals: int
    unevaluated: int
    rows: int
    asked: int
    workers: int
    seconds: float


def shards(accounts: Sequence[MemberAccount], principals: int = SHARD_PRINCIPALS) -> list[tuple[MemberAccount, ...]]:
    """Consecutive accounts grouped into shards of about `principals` principals (an account is
    never split: its compiled policies serve all its principals)."""
    found: list[tuple[MemberAccount, ...]] = []
    current: list[MemberAccount] = []
    held = 0
    for member in accounts:
        current.append(member)
        held += len(member.account.principals)
        if held >= principals:
            found.append(tuple(current))
            current, held = [], 0
    if current:
        found.append(tuple(current))
    return found


def shard_size(principals: int, workers: int) -> int:
    """The principals of a shard for `workers` workers answering `principals` in all."""
    return min(SHARD_MOST, max(SHARD_PRINCIPALS, principals // (max(1, workers) * _TASKS_EACH)))


def answer_shard(shard: tuple[MemberAccount, ...], state: MatrixState) -> list[AccountMatrix]:
    """The accounts of a shard, answered in order."""
    return [account_matrix(member, state) for member in shard]


def answer_packed(packed: bytes, state: MatrixState) -> list[AccountMatrix]:
    """One task: the accounts of a shard as `MatrixState.pack` made it, answered in order."""
    return answer_shard(state.unpack(packed), state)


def account_matrices(organization: Organization, state: MatrixState, client: "Client | None" = None,
                     on_progress: Progress | None = None) -> Iterator[AccountMatrix]:
    """Every account's answers, in the organization's order: in this process, or on `client`."""
    if client is None:
        parts = shards(organization.accounts)
        answered: Iterator[list[AccountMatrix]] = (answer_shard(shard, state) for shard in parts)
    else:
        workers = _workers(client)
        parts = shards(organization.accounts, shard_size(len(organization.principals), workers))
        answered = _on_dask(client, parts, state, workers)
    for done, answers in enumerate(answered, 1):
        if on_progress is not None:
            on_progress(done, len(parts), sum(len(a.principals) for a in answers))
        yield from answers


def _workers(client: "Client") -> int:
    return len(client.scheduler_info().get("workers", {}))


def _on_dask(client: "Client", parts: list[tuple[MemberAccount, ...]], state: MatrixState, workers: int
             ) -> Iterator[list[AccountMatrix]]:
    """The shards' answers from the cluster, in order. A new task is sent as soon as any ends, so
    that a slow shard does not leave the other workers idle; answers that came before an earlier
    one wait for it, and no more than `_AHEAD` shards per worker are sent or waiting at once."""
    from distributed import as_completed

    shared = client.scatter(state, broadcast=True, hash=False)
    limit = _AHEAD * max(1, workers)
    queue = enumerate(parts)
    running = as_completed()
    numbers: dict[object, int] = {}
    ready: dict[int, list[AccountMatrix]] = {}

    def submit() -> None:
        while len(numbers) + len(ready) < limit:
            number, shard = next(queue, (-1, None))
            if shard is None:
                return
            future = client.submit(answer_packed, state.pack(shard), shared, pure=False)
            numbers[future] = number
            running.add(future)

    submit()
    following = 0
    for future in running:
        ready[numbers.pop(future)] = future.result()
        while following in ready:
            yield ready.pop(following)
            following += 1
        submit()


@contextmanager
def cluster(scheduler: str | None = None, workers: int | None = None) -> Iterator["Client"]:
    """A Dask client: of the cluster at `scheduler` (`tcp://HOST:PORT`), else of a local cluster
    of `workers` processes (the machine's cores by default), one thread each (the work is
    Python's, held by the GIL), closed on exit. The local cluster runs with `_QUIET`."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    with dask.config.set(_QUIET):
        local = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                             dashboard_address=":0", silence_logs=logging.ERROR)
        client = Client(local)
    with local, client:
        yield client


def matrix(organization: Organization, out: str | Path, selection: Selection = Selection(), resource: str = "*", *,
           scheduler: str | None = None, workers: int | None = None, single_process: bool | None = None,
           on_progress: Progress | None = None, resource_account: str | None = None) -> MatrixSummary:
    """Write the organization's access matrix to `out` (Parquet, `_parquet`), for the actions of
    `selection` on `resource`.

    `single_process`: True answers here, False on Dask (`scheduler`, else a local cluster of
    `workers` processes); None chooses here for fewer than `SINGLE_PROCESS_BELOW` principals
    when no scheduler is given.
    """
    start = time.perf_counter()
    state = MatrixState.of(organization, selection, resource, resource_account=resource_account)
    principals = len(organization.principals)
    if single_process is None:
        single_process = scheduler is None and (principals < SINGLE_PROCESS_BELOW or workers == 1)
    writer = MatrixWriter(out, state.index.names, {
        "resource": resource, "actions": selection.describe(), "catalogue": data_version(), "version": _version()})
    unevaluated = asked = used = 0
    try:
        with nullcontext(None) if single_process else cluster(scheduler, workers) as client:
            used = _workers(client) if client is not None else 0
            for answers in account_matrices(organization, state, client, on_progress):
                writer.write(answers)
                unevaluated += len(answers.unevaluated)
                asked += answers.asked
    finally:
        writer.close()
    return MatrixSummary(len(organization.accounts), principals, unevaluated, writer.rows_written, asked, used,
                         time.perf_counter() - start)


def _version() -> str:
    try:
        return version("iameval")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout without installing
        return "unknown"
