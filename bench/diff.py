"""`diff` over consecutive versions of the AWS managed policies (issue 15).

    .venv/bin/python bench/diff.py [PATH] [--every N] [--limit N] [--json FILE]

PATH (default ../shared/data/managed-policies/history-all-versions.json.gz) is read here, at
bench time only. Each policy's versions are ordered by number (v1, v2, ...) and every
consecutive pair is compared as identity policies: `diff([vN], [vN+1])`, what the update newly
allowed. `--every N` takes every N-th pair (a deterministic sample), `--limit N` the first N.

Prints the pairs compared, total seconds, median and p99 seconds per pair, the slowest pairs,
the number of `unknown` answers with their reasons, and the pairs that newly allowed the most
actions. One core: run nothing else meanwhile.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import iameval
from iameval.analysis import diff

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "managed-policies" / "history-all-versions.json.gz"


def pairs(path: Path) -> list[tuple[str, str, str, dict, dict]]:
    """(policy, old version, new version, old document, new document) for every consecutive pair."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for name, entry in sorted(data.items()):
        versions = sorted(entry["versions"].items(), key=lambda item: int(item[0].lstrip("v")))
        for (old, old_body), (new, new_body) in zip(versions, versions[1:]):
            out.append((name, old, new, old_body["document"], new_body["document"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--every", type=int, default=1, help="take every N-th pair")
    parser.add_argument("--limit", type=int, default=None, help="at most N pairs")
    parser.add_argument("--json", type=Path, default=None, help="write every pair's answer here")
    args = parser.parse_args(argv)
    chosen = pairs(args.path)[::args.every][:args.limit]
    diff([], [])  # the catalogue, read once, is not any pair's time
    times: list[tuple[float, str]] = []
    rows = []
    unknown: Counter[str] = Counter()
    failed = 0
    for name, old, new, old_doc, new_doc in chosen:
        label = f"{name} {old}->{new}"
        try:
            before = [iameval.load_policy(old_doc, "identity", name=f"{name}:{old}")]
            after = [iameval.load_policy(new_doc, "identity", name=f"{name}:{new}")]
        except iameval.PolicyError:
            failed += 1
            continue
        start = time.perf_counter()
        report = diff(before, after)
        elapsed = time.perf_counter() - start
        times.append((elapsed, label))
        for part in report.unknown:
            unknown[part.reason.split(" within ")[0].split(" for `")[0]] += 1
        newly = sorted({a for f in report.findings for a in f.actions})
        rows.append({"pair": label, "seconds": round(elapsed, 3), "result": str(report.result),
                     "newly_allowed": newly, "unknown": [u.as_dict() for u in report.unknown]})
        print(f"{elapsed:7.2f}s  {report.result:<14} {len(newly):5} actions  {label}", file=sys.stderr)
    seconds = sorted(t for t, _ in times)
    p99 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))] if seconds else 0.0
    results = Counter(r["result"] for r in rows)
    print(f"pairs compared: {len(times)} (of {len(pairs(args.path))}; every {args.every}, "
          f"{failed} not loadable)")
    print(f"total: {sum(seconds):.1f} s  median: {statistics.median(seconds) if seconds else 0:.3f} s  "
          f"p99: {p99:.3f} s  max: {seconds[-1] if seconds else 0:.2f} s")
    print("results: " + ", ".join(f"{k} {v}" for k, v in sorted(results.items())))
    for reason, count in unknown.most_common():
        print(f"  unknown x{count}: {reason}")
    print("slowest: " + "; ".join(f"{label} {t:.2f} s" for t, label in sorted(times, reverse=True)[:5]))
    widest = sorted(rows, key=lambda r: -len(r["newly_allowed"]))[:10]
    print("most newly allowed:")
    for row in widest:
        shown = ", ".join(row["newly_allowed"][:6]) + (" ..." if len(row["newly_allowed"]) > 6 else "")
        print(f"  {row['pair']}: {len(row['newly_allowed'])} actions ({shown})")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
