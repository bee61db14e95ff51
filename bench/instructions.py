"""Instructions per evaluation, counted by callgrind: a before-and-after comparison that the
load of a shared machine cannot blur.

    .venv/bin/python bench/instructions.py CHECKOUT [CHECKOUT ...] [--passes 200]

Each CHECKOUT is a folder holding an iameval tree (a `git worktree` of another commit, or this
one); it is put first on `sys.path`, so its own `iameval/` answers. For each checkout and each
set (bench/scenarios/small.jsonl, heavy.json), a child process under
`valgrind --tool=callgrind` prepares the scenarios and answers each once, then answers them
`--passes` more times; the same child with no passes is counted too, and the difference divided
by the evaluations is the figure. Needs valgrind (Debian's package).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
import iameval
path, passes = sys.argv[2], int(sys.argv[3])
prepared = [(s.authorizer(), s.request) for s in iameval.load_scenarios(path) if s.error is None]
for authorizer, request in prepared:
    authorizer.authorize(request)
for _ in range(passes):
    for authorizer, request in prepared:
        authorizer.authorize(request)
print(len(prepared))
"""


def count(checkout: Path, scenarios: Path, passes: int) -> tuple[int, int]:
    """(instructions, scenarios) of one child run under callgrind."""
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                          "-c", CHILD, str(checkout), str(scenarios), str(passes)],
                         capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"callgrind gave no count:\n{run.stderr}")
    return int(found.group(1)), int(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--passes", type=int, default=200)
    args = parser.parse_args()
    print(f"{'checkout':40} {'set':6} {'instructions/eval':>18}")
    for checkout in args.checkouts:
        for name in ("small.jsonl", "heavy.json"):
            scenarios = HERE / "scenarios" / name
            base, cases = count(checkout.resolve(), scenarios, 0)
            total, _ = count(checkout.resolve(), scenarios, args.passes)
            per_eval = (total - base) / (args.passes * cases)
            print(f"{str(checkout):40} {name.split('.')[0]:6} {per_eval:>18,.0f}")


if __name__ == "__main__":
    main()
