"""Start-up time (issue 14): the wall time of short `iameval` commands, process start included.

    .venv/bin/python bench/startup.py [CHECKOUT ...] [--runs N] [--only TEXT] [--instructions] [--floor]

Each command runs `--runs` times (20) in a fresh interpreter, as the console script does
(`from iameval.cli import main; main()`), with the checkout first on `sys.path`; checkouts are
alternated run by run, so that two commits can be compared in one go under the same load:
`git archive COMMIT | tar -x -C DIR`, then `bench/startup.py DIR .`. `python -c pass` is the
floor: what starting this interpreter costs at all. Prints one table: the least and the median
wall time per command and checkout, in milliseconds, and the least CPU time (user + system) of
the child, which other work on a shared machine disturbs less than the wall time. A command
whose exit status is not the one expected stops the run (a fast error is no start-up figure).

`--instructions` counts instead the instructions of one run of each command under valgrind's
callgrind (millions): a comparison that the load of a shared machine cannot blur, as
`bench/instructions.py` makes of the hot path.

Each checkout's modules are compiled to bytecode first, as `pip install` compiles them: with
PYTHONDONTWRITEBYTECODE set (as it is on the machine where this was written) a checkout without
`__pycache__` would compile every module of iameval on every run, 50-70 ms that no installed
copy pays.

`--floor` measures instead what the mandated stack costs before a line of iameval runs: each
import alone (`typer`, `rich.console`, pydantic with one model built, typer's rich help), then
together as `check` and `--help` need them. Run it with the interpreter of a regular
(non-editable) install, which is what users run: an editable install adds its finder to `site`
(`python -c pass` included).
"""

from __future__ import annotations

import argparse
import compileall
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# What the console script does, the checkout first on the path (and checked to be the one imported).
CHILD = r"""
import re, sys
sys.path.insert(0, sys.argv[1])
from iameval.cli import main
import iameval
assert iameval.__file__.startswith(sys.argv[1]), iameval.__file__
sys.argv = ["iameval", *sys.argv[2:]]
sys.exit(main())
"""

EXAMPLE = "fixtures/examples/read-reports.json"

# (label, arguments of `iameval`, expected exit status); `None` arguments: the floor.
COMMANDS: list[tuple[str, list[str] | None, int]] = [
    ("`python -c pass` (the floor)", None, 0),
    ("`iameval --help`", ["--help"], 0),
    ("`iameval --version`", ["--version"], 0),
    (f"`iameval check {EXAMPLE} --action s3:GetObject --resource arn:aws:s3:::example-reports/q1.csv`",
     ["check", EXAMPLE, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::example-reports/q1.csv"], 0),
    (f"`iameval validate {EXAMPLE}`", ["validate", EXAMPLE], 0),
    ("`iameval run fixtures/scenarios/sample-scenarios.jsonl` (30 scenarios)",
     ["run", "fixtures/scenarios/sample-scenarios.jsonl"], 0),
]

# What the stack costs alone, by the statement that imports it (`--floor`).
_MODEL = "from pydantic import BaseModel\nclass M(BaseModel):\n    a: int"
FLOOR: list[tuple[str, str]] = [
    ("`python -c pass`", "pass"),
    ("`import typer`", "import typer"),
    ("`import rich.console` (all output goes through it)", "import rich.console"),
    ("pydantic, one model built (`class M(BaseModel): a: int`)", _MODEL),
    ("`import typer.rich_utils` (typer's rich help)", "import typer.rich_utils"),
    ("`check`'s floor: typer, rich.console, one pydantic model", "import typer, rich.console\n" + _MODEL),
    ("`--help`'s floor: typer and its rich help", "import typer, typer.rich_utils"),
]


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def once(checkout: Path, arguments: list[str] | None, expected: int) -> tuple[float, float]:
    """Seconds of wall time and of CPU time for one run of the command in a fresh process,
    output to a pipe."""
    command = [sys.executable, "-c", "pass"] if arguments is None else [
        sys.executable, "-c", CHILD, str(checkout), *arguments]
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode != expected:
        raise SystemExit(f"{checkout}: iameval {' '.join(arguments or [])}: exit {done.returncode}, "
                         f"expected {expected}\n{done.stderr}")
    return seconds, cpu


def instructions(checkout: Path, arguments: list[str] | None, expected: int) -> int:
    """The instructions callgrind counts for one run of the command."""
    command = [sys.executable, "-c", "pass"] if arguments is None else [
        sys.executable, "-c", CHILD, str(checkout), *arguments]
    return _callgrind(command, expected, f"{checkout}: iameval {' '.join(arguments or [])}")


def _callgrind(command: list[str], expected: int, what: str) -> int:
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command], cwd=ROOT,
                          capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != expected or found is None:
        raise SystemExit(f"{what}: exit {done.returncode}\n{done.stderr}")
    return int(found.group(1))


def floor(runs: int, count_instructions: bool) -> None:
    """The least and median wall time and the least CPU time of each statement of `FLOOR` in a
    fresh interpreter, statements alternated run by run; or the instructions of one run each."""
    if count_instructions:
        print("| import | million instructions |\n|---|---:|")
        for label, statement in FLOOR:
            print(f"| {label} | {_callgrind([sys.executable, '-c', statement], 0, label) / 1e6:,.0f} |", flush=True)
        return
    times: list[list[tuple[float, float]]] = [[] for _ in FLOOR]
    for _ in range(runs):
        for index, (_, statement) in enumerate(FLOOR):
            cpu, start = _cpu(), time.perf_counter()
            subprocess.run([sys.executable, "-c", statement], check=True)
            times[index].append((time.perf_counter() - start, _cpu() - cpu))
    print("| import | wall min / median, CPU min (ms) |\n|---|---:|")
    for (label, _), measured in zip(FLOOR, times):
        print(f"| {label} | {min(w for w, _ in measured) * 1000:.0f} / "
              f"{statistics.median(w for w, _ in measured) * 1000:.0f}, {min(c for _, c in measured) * 1000:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs="*", type=Path, default=[ROOT])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", help="run the commands whose label holds this text")
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind")
    parser.add_argument("--floor", action="store_true", help="measure the imports of typer, rich and pydantic alone")
    args = parser.parse_args()
    if args.floor:
        floor(args.runs, args.instructions)
        return
    checkouts = [c.resolve() for c in args.checkouts]
    for checkout in checkouts:
        compileall.compile_dir(checkout / "iameval", quiet=1)
    if args.instructions:
        print("| command | " + " | ".join(f"`{c.name}` million instructions" for c in checkouts) + " |")
        print("|---|" + "---:|" * len(checkouts))
        for label, arguments, expected in COMMANDS:
            if not args.only or args.only in label:
                cells = [f"{instructions(c, arguments, expected) / 1e6:,.0f}" for c in checkouts]
                print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
        return
    print("| command | " + " | ".join(f"`{c.name}` wall min / median, CPU min (ms)" for c in checkouts) + " |")
    print("|---|" + "---:|" * len(checkouts))
    for label, arguments, expected in COMMANDS:
        if args.only and args.only not in label:
            continue
        once(checkouts[0], arguments, expected)  # a first run fills the file system's caches
        times: list[list[tuple[float, float]]] = [[] for _ in checkouts]
        for _ in range(args.runs):
            for index, checkout in enumerate(checkouts):
                times[index].append(once(checkout, arguments, expected))
        cells = [f"{min(w for w, _ in t) * 1000:.0f} / {statistics.median(w for w, _ in t) * 1000:.0f}, "
                 f"{min(c for _, c in t) * 1000:.0f}" for t in times]
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
