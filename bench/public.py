"""`public` over real resource and trust policies (issue 15): its answers and its time.

    .venv/bin/python bench/public.py [PATH...] [--account ACCOUNT]

Each PATH (default the resource and trust policies of ../shared/data/policy-examples, read here
at bench time only) is a policy file or a folder of them; `manifest.json` files are skipped.
Each policy is asked `public(policy, account)` (default 123456789012; a policy whose resources
`Resource` ARNs name one account is asked for that account). Prints, per policy, the result, the kinds of
outside caller let in with the example's principal and action, unknown reasons, and seconds;
then the count of each result and the median and p99 seconds. One core: run nothing else
meanwhile.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from iameval.analysis import public
from iameval.policy._errors import PolicyError
from iameval.policy._files import load_policy_files
from iameval.policy._model import Policy, PolicyKind

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "data" / "policy-examples"
DEFAULT = [EXAMPLES / "resource-policy", EXAMPLES / "trust-policy"]


def files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += sorted(p for p in path.rglob("*.json") if p.name != "manifest.json") if path.is_dir() else [path]
    return found


def account_of(policy: Policy, default: str) -> str:
    """The one 12-digit account the policy's `Resource` ARNs name, else `default` (a trust
    policy names none: its ARNs are its callers)."""
    accounts = set()
    for statement in policy.statement:
        for arn in statement.resource or ():
            part = arn.split(":")[4] if arn.startswith("arn:") and arn.count(":") >= 5 else ""
            if len(part) == 12 and part.isdigit():
                accounts.add(part)
    return accounts.pop() if len(accounts) == 1 else default


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--account", default="123456789012")
    args = parser.parse_args()
    seconds: list[float] = []
    results: Counter[str] = Counter()
    for path in files(args.paths):
        try:
            (policy,) = load_policy_files([str(path)], PolicyKind.RESOURCE_POLICY)
        except (PolicyError, ValueError) as exc:
            print(f"{path.name}: not read: {str(exc).splitlines()[0]}")
            continue
        account = account_of(policy, args.account)
        start = time.perf_counter()
        report = public(policy, account)
        took = time.perf_counter() - start
        seconds.append(took)
        results[str(report.result)] += 1
        shown = "; ".join(f"{f.outside}: {f.finding.example.principal} {f.finding.example.action}"
                          for f in report.findings)
        print(f"{path.name} ({account}): {report.result} in {took:.1f} s" + (f" [{shown}]" if shown else ""))
        for part in report.unknown:
            print(f"    unknown: {part.reason}")
    if not seconds:
        return 1
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(f"\n{len(seconds)} policies: " + ", ".join(f"{n} {r}" for r, n in sorted(results.items())))
    print(f"total {sum(seconds):.1f} s, median {statistics.median(seconds):.2f} s, p99 {p99:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
