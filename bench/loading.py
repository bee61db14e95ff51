"""Loading and validating every historic version of every AWS managed policy.

    .venv/bin/python bench/loading.py [PATH]

PATH (default ../shared/data/managed-policies/history-all-versions.json.gz, 32 MB unpacked) is a
JSON object `{policy name: {"arn", "versions": {"v1": {"createDate", "document": {...}}, ...}}}`:
6,194 documents in all. Reading and decompressing the file is not timed; what is timed is
`iameval.load_policy(document, "identity")` on every version, which parses and validates it
(IAM-SEMANTICS §12). The target is under 10 seconds.

Prints seconds, documents per second, statements, peak resident memory (ru_maxrss, of the whole
process, which holds the decoded file too) and the peak of what the loading itself allocated
(tracemalloc, measured in a second, untimed pass unless --no-tracemalloc), and lists every
document that failed to load, by policy name and version, with the first problem reported.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import iameval

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "managed-policies" / "history-all-versions.json.gz"


def read_versions(path: Path) -> list[tuple[str, str, dict]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    return [(name, version, body["document"])
            for name, entry in data.items()
            for version, body in entry["versions"].items()]


def load_all(versions: list[tuple[str, str, dict]]) -> tuple[int, list[tuple[str, str, str]]]:
    statements, failures = 0, []
    load = iameval.load_policy
    for name, version, document in versions:
        try:
            policy = load(document, "identity")
        except iameval.PolicyError as exc:
            failures.append((name, version, str(exc).strip()))
            continue
        statements += len(policy.statement)
    return statements, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the second, untimed pass that measures allocations")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    t0 = time.perf_counter()
    versions = read_versions(args.path)
    t_read = time.perf_counter() - t0
    policies = len({name for name, _, _ in versions})
    rss_read = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    gc.collect()
    t0 = time.perf_counter()
    statements, failures = load_all(versions)
    seconds = time.perf_counter() - t0
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    traced = None
    if not args.no_tracemalloc:
        gc.collect()
        tracemalloc.start()
        load_all(versions)
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

    n = len(versions)
    print(f"loading {args.path}: {n:,} versions of {policies:,} managed policies "
          f"(read and decoded, untimed, in {t_read:.2f} s)")
    print(f"  load+validate  {seconds:8.2f} s   {n / seconds:,.0f} documents/s, "
          f"{1e3 * seconds / n:.3f} ms each   (target: under 10 s)")
    print(f"  statements     {statements:,} in {n - len(failures):,} documents loaded")
    print(f"  failures       {len(failures)}")
    print(f"  peak memory    ru_maxrss {rss_peak:.0f} MiB ({rss_read:.0f} MiB after decoding the file)"
          + (f"; tracemalloc peak of one loading pass {traced:.0f} MiB" if traced is not None else ""))
    for name, version, message in failures:
        print(f"  FAILED {name} {version}:")
        for line in message.splitlines():
            print(f"      {line}")
    if args.json:
        args.json.write_text(json.dumps({
            "path": str(args.path), "documents": n, "policies": policies, "seconds": seconds,
            "documents_per_sec": n / seconds, "statements": statements,
            "peak_rss_mib": rss_peak, "rss_after_read_mib": rss_read, "tracemalloc_peak_mib": traced,
            "failures": [{"policy": a, "version": b, "error": c} for a, b, c in failures],
        }, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
