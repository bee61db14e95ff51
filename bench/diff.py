"""`diff` over consecutive versions of the AWS managed policies (issue 15).

    .venv/bin/python bench/diff.py [PATH] [--every N] [--limit N] [--only NAME] [--shard K/N] [--agreement N] [--json FILE]

PATH (default ../shared/data/managed-policies/history-all-versions.json.gz) is read here, at
bench time only. Each policy's versions are ordered by number (v1, v2, ...) and every
consecutive pair is compared as identity policies: `diff([vN], [vN+1])`, what the update newly
allowed. `--every N` takes every N-th pair (a deterministic sample), `--limit N` the first N,
`--only NAME` (repeatable) the pairs of the named policies alone, to profile them.

`--agreement N` also draws N random requests per pair from the pair's own constants (the
actions, resources, condition keys and values its policies write, wildcards filled in, the
user's own `${aws:userid}` and `${aws:username}` half the time, and the `aws:userid` AWS sends)
and asks the engine (a request drawn twice once): a request that the new version allows and the old does not, for an action that no
finding (nor unknown part) names, and that `diff(..., actions=[that action])` does not find
either (an action outside the catalogue is reported only when asked for by name), is a miss
of `diff`, printed with `!!! MISSED`.

Prints the pairs compared, total seconds, median and p99 seconds per pair, the slowest pairs,
the number of `unknown` answers with their reasons, and the pairs that newly allowed the most
actions. One core: run nothing else meanwhile.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import iameval
from iameval.analysis import diff
from iameval.engine._context import DERIVABLE

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


def _filled(pattern: str) -> str:
    return pattern.replace("*", "x").replace("?", "x")


def constants(documents: list[dict]) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """The actions, resources and condition values the documents write, wildcards filled in;
    not the keys AWS sets from the caller and the resource (`aws:ResourceAccount`...), which no
    request gives and `diff` does not search (a scenario may override them, AWS does not)."""
    actions, resources, values = set(), {"*"}, {}
    for document in documents:
        statements = document.get("Statement", [])
        for statement in statements if isinstance(statements, list) else [statements]:
            for element, into in (("Action", actions), ("NotAction", actions), ("Resource", resources),
                                  ("NotResource", resources)):
                written = statement.get(element, [])
                for text in [written] if isinstance(written, str) else written:
                    into.add(_filled(text))
            for operator, pairs_ in (statement.get("Condition") or {}).items():
                for key, value in pairs_.items():
                    if key.lower() in DERIVABLE:
                        continue
                    texts = [value] if not isinstance(value, list) else value
                    values.setdefault(key, []).extend(_filled(str(v)) for v in texts)
    actions = {a for a in actions if ":" in a and not a.startswith(":")}
    resources = {r for r in resources if r == "*" or (r.startswith("arn:") and r.count(":") >= 5)}
    return sorted(actions), sorted(resources), values


USERID = "AIDAIAMEVALUSER000001"  # the unique ID of the user whose requests are drawn
_CALLER_VALUES = {"${aws:userid}": USERID, "${aws:username}": "iameval-user"}


def _as_sent(value: str, rng: random.Random) -> str:
    """A value drawn from the policies, its variables on the user's keys (`${aws:userid}`) read
    as the user's own values half the time: a tag that names its owner."""
    if "${" in value and rng.random() < 0.5:
        for variable, own in _CALLER_VALUES.items():
            value = value.replace(variable, own)
    return value


def misses(report, old: list, new: list, documents: list[dict], count: int, rng: random.Random) -> list[dict]:
    """Requests drawn from the documents' constants that the engine newly allows and `diff` missed."""
    actions, resources, values = constants(documents)
    if not actions:
        return []
    covered = {a.lower() for part in (*report.findings, *report.unknown) for a in part.actions}
    before, after = iameval.Authorizer(identity=old), iameval.Authorizer(identity=new)
    found = []
    decided: dict[tuple, bool | None] = {}  # a request drawn again is not asked again
    resources = sorted(resources)
    for _ in range(count):
        context = {k: _as_sent(rng.choice(v), rng) for k, v in values.items() if v and rng.random() < 0.5}
        context["aws:userid"] = USERID  # AWS sends the user's unique ID, which no ARN carries
        request = {"principal": "arn:aws:iam::123456789012:user/iameval-user", "action": rng.choice(actions),
                   "resource": rng.choice(resources), "context": context}
        key = (request["action"], request["resource"], tuple(sorted(context.items())))
        if key in decided:
            continue
        try:
            newly = decided[key] = after.authorize(request).allowed and not before.authorize(request).allowed
        except iameval.RequestError:
            decided[key] = None
            continue
        if newly and request["action"].lower() not in covered and not diff(
                old, new, actions=[request["action"]]).findings:
            found.append(request)  # neither its class nor the action asked alone
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--every", type=int, default=1, help="take every N-th pair")
    parser.add_argument("--limit", type=int, default=None, help="at most N pairs")
    parser.add_argument("--only", action="append", default=None, metavar="NAME",
                        help="only the pairs of this policy (repeatable)")
    parser.add_argument("--agreement", type=int, default=0, help="random requests per pair for the agreement check")
    parser.add_argument("--json", type=Path, default=None, help="write every pair's answer here")
    parser.add_argument("--shard", default=None, metavar="K/N",
                        help="only the pairs whose place in the order is K modulo N (run N at once, one per core)")
    args = parser.parse_args(argv)
    every_pair = pairs(args.path)
    if args.only:
        every_pair = [p for p in every_pair if p[0] in args.only]
    chosen = every_pair[::args.every][:args.limit]
    if args.shard:
        part, parts = (int(n) for n in args.shard.split("/"))
        chosen = chosen[part::parts]
    diff([], [])  # the catalogue, read once, is not any pair's time
    times: list[tuple[float, str]] = []
    rows = []
    unknown: Counter[str] = Counter()
    failed = 0
    missed = 0
    rng = random.Random(15)
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
        if args.agreement:
            for request in misses(report, before, after, [old_doc, new_doc], args.agreement, rng):
                missed += 1
                print(f"!!! MISSED {label}: {json.dumps(request)}")
    seconds = sorted(t for t, _ in times)
    p99 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))] if seconds else 0.0
    results = Counter(r["result"] for r in rows)
    print(f"pairs compared: {len(times)} (of {len(every_pair)}; every {args.every}, "
          f"{failed} not loadable)")
    print(f"total: {sum(seconds):.1f} s  median: {statistics.median(seconds) if seconds else 0:.3f} s  "
          f"p99: {p99:.3f} s  max: {seconds[-1] if seconds else 0:.2f} s")
    print("results: " + ", ".join(f"{k} {v}" for k, v in sorted(results.items()))
          + f"; pairs with an unknown part: {sum(bool(r['unknown']) for r in rows)}")
    if args.agreement:
        print(f"agreement: {args.agreement} random requests per pair, {missed} newly allowed that diff missed")
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
