"""Hostile inputs (issue 14): wildcard matching and `validate` on inputs built to be slow.

    .venv/bin/python bench/hostile.py [CHECKOUT ...] [--timeout SECONDS] [--rounds N]

Each case runs in a child process per checkout (default: this one), so checkouts of two commits
can be compared in one run, alternating case by case: `git archive COMMIT | tar -x -C DIR`, then
`bench/hostile.py DIR .`. A case that takes longer than `--timeout` (120 s) is shown as `> 120 s`.
Prints one table: seconds per case (best of `--rounds`, 1) and the child's peak RSS.

- glob: one `Glob` against a text of N characters, the pattern a `?`-holding chunk of N/2
  characters between two `*` that the text does not hold (`*a?a?...b*` against `aaa...`,
  `*???...?c*` against `aaa...`), and one it does (`*a?a?...a?*` at the end of `bbb...aaa`);
  the same first case as a `Resource` pattern against an S3 object ARN.
- validate N statements: `validate_policy` on an identity policy of N statements (30 services,
  1 to 3 actions each, `Service:Verb*` or exact, 1 to 3 resources of the services' own ARN
  shapes, a tenth `*`, some repeated so that redundant and shadowed statements occur).
- validate two wildcard resources of N characters: two statements, one `s3:GetObject` each, on
  `arn:aws:s3:::*a?*a?...` and `arn:aws:s3:::a*?a*?...`.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import iameval
assert iameval.__file__.startswith(sys.argv[1]), iameval.__file__
case, size, rounds = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = json.loads(sys.stdin.read())
if case.startswith("glob"):
    from iameval.policy._match import Glob, ResourcePattern, arn_segments
    if case == "glob-resource":
        pattern = ResourcePattern(data["pattern"])
        run = lambda: pattern.matches(data["text"], arn_segments(data["text"]))
    else:
        pattern = Glob(data["pattern"])
        run = lambda: pattern.matches(data["text"])
else:
    from iameval.analysis import validate_policy
    run = lambda: validate_policy(data)
best = float("inf")
for _ in range(rounds):
    start = time.perf_counter()
    answer = run()
    best = min(best, time.perf_counter() - start)
    answer = answer if isinstance(answer, bool) else len(answer)
print(json.dumps({"seconds": best, "answer": answer,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""

_SERVICES = {  # service -> (verbs, a resource ARN of its own shape, with {n})
    "s3": (["Get", "Put", "List", "Delete"], "arn:aws:s3:::bucket-{n}/*"),
    "sqs": (["Send", "Receive", "Delete", "Get"], "arn:aws:sqs:us-east-1:111122223333:queue-{n}"),
    "sns": (["Publish", "Get", "Set", "List"], "arn:aws:sns:us-east-1:111122223333:topic-{n}"),
    "dynamodb": (["Get", "Put", "Query", "Scan", "Update"], "arn:aws:dynamodb:us-east-1:111122223333:table/t{n}"),
    "lambda": (["Invoke", "Get", "Update"], "arn:aws:lambda:us-east-1:111122223333:function:f{n}"),
    "logs": (["Create", "Put", "Get", "Describe"], "arn:aws:logs:us-east-1:111122223333:log-group:g{n}:*"),
    "kms": (["Decrypt", "Encrypt", "Describe", "Generate"], "arn:aws:kms:us-east-1:111122223333:key/k{n}"),
    "iam": (["Get", "List", "Create", "Pass"], "arn:aws:iam::111122223333:role/r{n}"),
    "ec2": (["Describe", "Start", "Stop", "Create"], "arn:aws:ec2:us-east-1:111122223333:instance/i-{n}"),
    "secretsmanager": (["Get", "Describe", "Put"], "arn:aws:secretsmanager:us-east-1:111122223333:secret:s{n}"),
}


def statements(count: int, seed: int = 2026) -> dict[str, object]:
    """An identity policy of `count` statements, the same for the same arguments."""
    rnd = random.Random(seed)
    services = sorted(_SERVICES)
    out: list[dict[str, object]] = []
    for i in range(count):
        if out and rnd.random() < 0.05:  # a repeat, narrowed or not, and maybe a Deny
            again = dict(rnd.choice(out))
            again["Sid"] = f"S{i}"
            again["Effect"] = rnd.choice(["Allow", "Deny"])
            out.append(again)
            continue
        service = rnd.choice(services)
        verbs, arn = _SERVICES[service]
        actions = sorted({f"{service}:{rnd.choice(verbs)}*" for _ in range(rnd.randint(1, 3))})
        resources = ["*"] if rnd.random() < 0.1 else sorted(
            {arn.format(n=rnd.randrange(1000)) for _ in range(rnd.randint(1, 3))})
        out.append({"Sid": f"S{i}", "Effect": "Deny" if rnd.random() < 0.2 else "Allow",
                    "Action": actions, "Resource": resources})
    return {"Version": "2012-10-17", "Statement": out}


def wildcard_resources(size: int) -> dict[str, object]:
    """Two statements whose resources are wildcard patterns of about `size` characters."""
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "*a?" * (size // 3)},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "a*?" * (size // 3)}]}


def cases() -> list[tuple[str, str, int, dict[str, object]]]:
    """(label, case, size, input) for every case."""
    out: list[tuple[str, str, int, dict[str, object]]] = []
    for n in (10_000, 100_000):
        half = n // 2
        out.append((f"glob `*a?a?...b*`, text of {n:,}", "glob", n,
                    {"pattern": "*" + "a?" * (half // 2) + "b*", "text": "a" * n}))
        out.append((f"glob `*???...?c*`, text of {n:,}", "glob", n,
                    {"pattern": "*" + "?" * (half - 1) + "c*", "text": "a" * n}))
        out.append((f"glob `*a?a?...a?*` (matches), text of {n:,}", "glob", n,
                    {"pattern": "*" + "a?" * (half // 2) + "*", "text": "b" * (n - half - 1) + "a" * (half + 1)}))
    n = 100_000
    out.append((f"Resource `arn:aws:s3:::*a?a?...b*`, ARN of {n:,}", "glob-resource", n,
                {"pattern": "arn:aws:s3:::*" + "a?" * (n // 4) + "b*", "text": "arn:aws:s3:::" + "a" * n}))
    for n in (1_000, 2_000, 4_000):
        out.append((f"validate, {n:,} statements", "validate", n, statements(n)))
    for n in (5_000, 10_000, 20_000):
        out.append((f"validate, two wildcard resources of {n:,}", "validate", n, wildcard_resources(n)))
    return out


def run(checkout: Path, case: str, size: int, data: dict[str, object], rounds: int,
        timeout: float) -> dict[str, object] | None:
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(checkout), case, str(size), str(rounds)],
                              input=json.dumps(data), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: {case} {size}: exit {done.returncode}\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs="*", type=Path, default=[HERE.parent])
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", help="run the cases whose label holds this text")
    args = parser.parse_args()
    checkouts = [c.resolve() for c in args.checkouts]
    print("| case | " + " | ".join(f"`{c.name}`" for c in checkouts) + " |")
    print("|---|" + "---:|" * len(checkouts))
    for label, case, size, data in cases():
        if args.only and args.only not in label:
            continue
        cells = []
        answers = set()
        for checkout in checkouts:
            result = run(checkout, case, size, data, args.rounds, args.timeout)
            if result is None:
                cells.append(f"> {args.timeout:.0f} s")
                continue
            answers.add(result["answer"])
            cells.append(f"{result['seconds']:.3f} s, {result['rss']} MiB")
        flag = "" if len(answers) <= 1 else " **answers differ**"
        print(f"| {label}{flag} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
