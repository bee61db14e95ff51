"""Do two checkouts of iameval give the same answers? For refactors that must change no decision.

    .venv/bin/python bench/answers.py BEFORE AFTER FILE_OR_FOLDER...

BEFORE and AFTER are folders holding an iameval tree (`git worktree add ../before COMMIT`);
each runs `iameval run --json` over the same scenario files in a process of its own, with its
tree first on `sys.path`. Every scenario's decision, deciding statements and whether it was
refused are compared; the differences are printed, and the exit status is 1 when there is one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
import iameval
assert iameval.__file__.startswith(sys.argv[1]), iameval.__file__
from iameval.cli import main
sys.argv = ["iameval", "run", "--json", *sys.argv[2:]]
main()
"""


def answers(checkout: Path, files: list[str]) -> list[tuple[object, ...]]:
    run = subprocess.run([sys.executable, "-c", CHILD, str(checkout.resolve()), *files],
                         capture_output=True, text=True)
    if run.returncode not in (0, 1, 2):
        raise SystemExit(f"{checkout}: exit {run.returncode}\n{run.stderr}")
    found = []
    for line in run.stdout.splitlines():
        if line.strip():
            data = json.loads(line)
            found.append((data.get("id"), data.get("decision"), "error" in data or "problems" in data,
                          tuple((r["policy"], r["statement"], r["effect"]) for r in data.get("reasons", ()))))
    return found


def main() -> None:
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    before, after, files = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    old, new = answers(before, files), answers(after, files)
    differ = [(a, b) for a, b in zip(old, new) if a != b]
    print(f"{len(old)} scenarios before, {len(new)} after; {len(differ)} answer(s) differ")
    for a, b in differ[:20]:
        print(f"  before {a}\n  after  {b}")
    sys.exit(1 if differ or len(old) != len(new) else 0)


if __name__ == "__main__":
    main()
