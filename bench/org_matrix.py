"""The access matrix of a synthetic organization (issue 17): this process against Dask, the full
matrix at scale, memory per worker, and the time projected on a cluster.

    .venv/bin/python bench/org_matrix.py                      # compare on 20 x 100, then 10 x 100 full
    .venv/bin/python bench/org_matrix.py --full 10 100 1000   # full matrices of 10, 100, 1,000 accounts
    .venv/bin/python bench/org_matrix.py --compare 0 --full 1000 --roles 100 --workers 2

An organization is built in memory, seeded (`--seed`): a root with FullAWSAccess, three OUs each
with FullAWSAccess and one or two real SCP examples, and accounts spread over them, each with
`--roles` roles; a role holds one to four real AWS managed policies, drawn from a pool of 300
(organizations reuse a few policies widely), and a third of the roles an inline policy with
conditions (a tag-scoped bucket Allow and a region Deny). Policies are read at bench time from
../shared/data/managed-policies/latest/ and ../shared/data/policy-examples/scp/.

Each measurement asks every action of the catalogue on `*` with no context and writes the Parquet
table (`matrix.matrix`) into a temporary folder. `--compare N`: the same N-account organization
in this process and on a local cluster of `--workers` processes (time with and without the
cluster's start, and the ratio). `--full A...`: the matrix on Dask for each account count, with
rows, file size, worker-seconds per account and the peak RSS of each worker, and the time the
per-account cost projects on 1, 10 and 100 machines of this kind. `--parts N`: where the Dask
path's CPU goes, piece by piece, on N accounts (`parts`). `--json FILE` keeps them.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iameval.inputs._accounts import Account, AccountPrincipal  # noqa: E402
from iameval.inputs._organizations import MemberAccount, Organization  # noqa: E402
from iameval.matrix import MatrixState, MatrixWriter, Selection, account_matrix, cluster, matrix, shards  # noqa: E402
from iameval.matrix._run import answer_packed  # noqa: E402
from iameval.policy import PolicyError, PolicyKind, load_policy  # noqa: E402
from iameval.policy._model import Policy  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
MANAGED = DATA / "managed-policies" / "latest"
SCPS = DATA / "policy-examples" / "scp"

FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def read(folder: Path, kind: PolicyKind) -> list[Policy]:
    """Every policy of the folder that loads (an example with placeholders AWS would refuse is
    left out and counted)."""
    found, refused = [], 0
    for path in sorted(folder.rglob("*.json")):
        try:
            found.append(load_policy(json.loads(path.read_text()), kind, name=path.stem))
        except (PolicyError, ValueError):
            refused += 1
    print(f"  {folder.relative_to(DATA)}: {len(found)} policies ({refused} refused)")
    return found


def inline(rng: random.Random, account: str, number: int) -> Policy:
    """A role's own policy with conditions: objects of its team's prefix, and a region Deny."""
    team = rng.choice(["blue", "red", "green"])
    return load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": f"arn:aws:s3:::data-{account}/{team}/*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": team}}},
        {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "support:*"], "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}},
    ]}, PolicyKind.IDENTITY, name=f"team-{number} (inline)")


def organization(accounts: int, roles: int, seed: int, managed: list[Policy], scps: list[Policy]) -> Organization:
    rng = random.Random(seed)
    pool = rng.sample(managed, min(300, len(managed)))
    weights = [1 / (rank + 1) for rank in range(len(pool))]  # a few policies attached widely
    full = load_policy(FULL_ACCESS, PolicyKind.SCP, name="FullAWSAccess")
    ous = [(full, *rng.sample(scps, rng.randint(1, 2))) for _ in range(3)]
    members = []
    for number in range(accounts):
        account = f"{100000000000 + number:012d}"
        principals = []
        for r in range(roles):
            held = list(dict.fromkeys(rng.choices(pool, weights, k=rng.randint(1, 4))))
            if rng.random() < 1 / 3:
                held.append(inline(rng, account, r))
            principals.append(AccountPrincipal(f"arn:aws:iam::{account}:role/role-{r}", "role", f"role-{r}",
                                               identity=tuple(held), tags={"team": rng.choice(["blue", "red"])}))
        ou = number % 3
        members.append(MemberAccount(account, f"account-{number}", ("r-root", f"ou-{ou}"), Account(tuple(principals)),
                                     scps=((full,), ous[ou], (full,))))
    return Organization("o-bench", "000000000000", tuple(members))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def compare(org: Organization, workers: int, out: Path) -> dict[str, Any]:
    cpu = cpu_seconds()
    here = matrix(org, out / "here.parquet", single_process=True)
    here_cpu = cpu_seconds() - cpu
    print(f"  this process: {here.seconds:.1f} s ({here_cpu:.1f} CPU s), {here.rows:,} rows, {here.asked:,} requests "
          f"asked of the engine, peak RSS {peak_rss_mib():.0f} MiB")
    start = time.perf_counter()
    with cluster(workers=workers) as client:
        started = time.perf_counter() - start
        before, cpu = client.run(cpu_seconds), cpu_seconds()
        on_dask = matrix(org, out / "dask.parquet", scheduler=client.scheduler.address)
        used = sum(client.run(cpu_seconds).values()) - sum(before.values())
        client_cpu = cpu_seconds() - cpu
        rss = client.run(peak_rss_mib)
    total = time.perf_counter() - start
    ratio = here.seconds / on_dask.seconds
    print(f"  Dask, {workers} workers: {on_dask.seconds:.1f} s after a start of {started:.1f} s ({total:.1f} s in "
          f"all; {used:.1f} CPU s in the workers, {client_cpu:.1f} in this process); ratio {ratio:.2f}x "
          f"({here.seconds / total:.2f}x with the start); peak RSS per worker "
          + ", ".join(f"{v:.0f} MiB" for v in rss.values()))
    import pyarrow.parquet as pq

    same = pq.read_table(out / "here.parquet").equals(pq.read_table(out / "dask.parquet"))
    print(f"  same table: {same}")
    return {"accounts": len(org.accounts), "principals": here.principals, "single_s": here.seconds,
            "single_cpu_s": here_cpu, "dask_s": on_dask.seconds, "dask_start_s": started, "dask_worker_cpu_s": used,
            "dask_client_cpu_s": client_cpu, "ratio": ratio, "ratio_with_start": here.seconds / total,
            "rows": here.rows, "same": same, "worker_peak_rss_mib": list(rss.values())}


def full(org: Organization, workers: int, out: Path) -> dict[str, Any]:
    path = out / f"full-{len(org.accounts)}.parquet"
    start = time.perf_counter()
    with cluster(workers=workers) as client:
        started = time.perf_counter() - start
        before = client.run(cpu_seconds)
        summary = matrix(org, path, scheduler=client.scheduler.address)
        used = sum(client.run(cpu_seconds).values()) - sum(before.values())
        rss = client.run(peak_rss_mib)
    size = path.stat().st_size
    per_account = summary.seconds * workers / len(org.accounts)  # worker-seconds, as the load allowed
    cpu_per_account = used / len(org.accounts)
    cells = summary.principals * 22321
    print(f"  {len(org.accounts)} accounts x {summary.principals // len(org.accounts)} roles: {summary.seconds:.1f} s "
          f"(+{started:.1f} s start) on {workers} workers, {summary.rows:,} rows of {cells:,} cells, "
          f"{size / 2**20:.0f} MiB; {per_account:.2f} worker-s and {cpu_per_account:.2f} CPU s per account; "
          "peak RSS per worker " + ", ".join(f"{v:.0f} MiB" for v in rss.values()))
    cores = os.cpu_count() or 1
    projected = {machines: 1000 * cpu_per_account / (machines * cores) for machines in (1, 10, 100)}
    print(f"  1,000 accounts x 100 roles projected from the CPU s per account, {cores} cores a machine: " + ", ".join(
        f"{m} machine{'s' if m > 1 else ''} {s / 60:.1f} min" for m, s in projected.items()))
    path.unlink()
    return {"accounts": len(org.accounts), "principals": summary.principals, "seconds": summary.seconds,
            "start_s": started, "rows": summary.rows, "bytes": size, "worker_s_per_account": per_account,
            "worker_cpu_s_per_account": cpu_per_account, "worker_peak_rss_mib": list(rss.values()),
            "projected_1000_s": projected}


def per_account(work: Any, count: int) -> float:
    """CPU milliseconds per account of `work()`, which handles `count` accounts."""
    cpu = cpu_seconds()
    work()
    return (cpu_seconds() - cpu) * 1000 / count


def dask_task(packed: bytes, shared: bytes) -> list[Any]:
    """A task that does nothing, with a shard's argument and an account's answer in size."""
    import numpy as np

    return [np.zeros(60_000, np.int32)]


def parts(org: Organization, workers: int, out: Path) -> dict[str, Any]:
    """Where the Dask path's CPU goes, in CPU ms per account of 100 roles: the work as this
    process does it once warm; as a worker does it (a state unpickled, its accounts unpacked);
    its first shard, which pays for the compiled shared policies and the catalogue's expansions;
    packing and unpacking shards; an answer through pickle; the Parquet table; and Dask's own:
    a task that does nothing, and the cluster idle (CPU ms per second, all its processes)."""
    from distributed import as_completed

    state = MatrixState.of(org, Selection())
    first, *rest = org.accounts
    account_matrix(first, state)  # the catalogue read, the shared policies compiled
    found: dict[str, float] = {}
    answers: list[Any] = []
    found["this process, warm"] = per_account(lambda: answers.extend(account_matrix(m, state) for m in rest), len(rest))
    packed: list[bytes] = []
    found["pack"] = per_account(lambda: packed.extend(state.pack(s) for s in shards(rest)), len(rest))
    fresh = pickle.loads(pickle.dumps(state))
    found["unpack"] = per_account(lambda: [fresh.unpack(p) for p in packed], len(rest))
    found["a worker's first shard"] = per_account(lambda: answer_packed(packed[0], fresh), 1)
    found["a worker, warm"] = per_account(lambda: [answer_packed(p, fresh) for p in packed[1:]], len(packed) - 1)
    found["an answer pickled and unpickled"] = per_account(lambda: [pickle.loads(pickle.dumps(a)) for a in answers],
                                                           len(answers))
    writer = MatrixWriter(out / "parts.parquet", state.index.names, {})
    found["written to Parquet"] = per_account(lambda: ([writer.write(a) for a in answers], writer.close()), len(answers))
    import psutil

    this = psutil.Process()
    with cluster(workers=workers) as client:
        time.sleep(1)
        before, cpu, start = client.run(cpu_seconds), this.cpu_times(), time.perf_counter()
        time.sleep(5)
        used = sum(client.run(cpu_seconds).values()) - sum(before.values())
        here = sum(this.cpu_times()[:2]) - sum(cpu[:2])
        found["the cluster idle, per second: workers"] = used * 1000 / (time.perf_counter() - start)
        found["the cluster idle, per second: client, scheduler, nannies"] = here * 1000 / (time.perf_counter() - start)
        shared = client.scatter(b"x" * 1_000_000, broadcast=True, hash=False)
        tasks = 400
        before, cpu = client.run(cpu_seconds), this.cpu_times()
        running = as_completed([client.submit(dask_task, os.urandom(32_000), shared, pure=False) for _ in range(tasks)])
        for future in running:
            future.result()
        found["a task: workers"] = (sum(client.run(cpu_seconds).values()) - sum(before.values())) * 1000 / tasks
        found["a task: client, scheduler, nannies"] = (sum(this.cpu_times()[:2]) - sum(cpu[:2])) * 1000 / tasks
    for name, value in found.items():
        print(f"  {name}: {value:.1f} ms")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", type=int, default=20, metavar="ACCOUNTS")
    parser.add_argument("--full", type=int, nargs="*", default=[10], metavar="ACCOUNTS")
    parser.add_argument("--parts", type=int, default=0, metavar="ACCOUNTS")
    parser.add_argument("--roles", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; reading policies")
    managed = read(MANAGED, PolicyKind.IDENTITY)
    scps = read(SCPS, PolicyKind.SCP)
    results: dict[str, Any] = {"load_average": os.getloadavg()[0], "roles": args.roles, "workers": args.workers}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        if args.compare:
            print(f"this process against Dask: {args.compare} accounts x {args.roles} roles, every action on `*`")
            results["compare"] = compare(organization(args.compare, args.roles, args.seed, managed, scps),
                                         args.workers, out)
        if args.parts:
            print(f"where the CPU goes, {args.parts} accounts x {args.roles} roles (CPU ms per account)")
            results["parts"] = parts(organization(args.parts, args.roles, args.seed, managed, scps), args.workers, out)
        results["full"] = []
        for accounts in args.full:
            print(f"the full matrix: {accounts} accounts x {args.roles} roles (load average {os.getloadavg()[0]:.1f})")
            results["full"].append(full(organization(accounts, args.roles, args.seed, managed, scps), args.workers,
                                        out))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
