"""The long fuzz run (issue 14): many inputs across the loaders, the authorizer, explain, scenario
files, account exports and the command, with zero tracebacks, hangs or miscounts as the target.

    .venv/bin/python bench/fuzz.py [-n 100000] [--seed 0] [--timeout 10] [--out bench/fuzz-failures]
                                   [--only TARGET ...] [--json FILE]

The targets, their inputs and checks are the fuzz ring's (tests/fuzz_targets.py,
`iameval.testing.fuzz`); here hypothesis draws `-n` inputs in all (in shares: `SHARES`), in
batches of `BATCH` with seeds from `--seed`, without shrinking: a failure is recorded and the run
goes on. Each input has `--timeout` seconds (a timer signal; more is a hang). A failure or hang
is saved in `--out` as TARGET-N.SUFFIX (the input: the mutated or generated file, or JSON) and
TARGET-N.txt (the input's repr, the command line, the traceback). Prints, per target, the inputs
tried, failures, hangs and seconds, and the wall time; exits 1 when anything failed or hung.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from fuzz_targets import TARGETS, Target, as_file  # noqa: E402

# Each target's share of the inputs: cheap library calls get more, the command (a CliRunner
# invocation with rich output) fewer.
SHARES = {"policy-files": 0.40, "documents": 0.24, "requests": 0.20, "scenario-files": 0.03,
          "scenario-mutants": 0.03, "accounts": 0.06, "cli": 0.04}
BATCH = 2000  # inputs per hypothesis run: its record of examples tried stays small


class Hang(BaseException):
    """An input that took longer than the timeout (a BaseException: no `except Exception` stops it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise Hang()


@dataclass
class Tally:
    tried: int = 0
    failures: int = 0
    hangs: int = 0
    seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)


def _save(out: Path, target: str, number: int, value: Any, detail: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    data, suffix = as_file(value)
    (out / f"{target}-{number}{suffix}").write_bytes(data)
    (out / f"{target}-{number}.txt").write_text(f"{detail}\n\ninput: {value!r:.5000}\n", encoding="utf-8",
                                                errors="backslashreplace")
    return out / f"{target}-{number}{suffix}"


def run_target(target: Target, count: int, first_seed: int, timeout: float, out: Path, tally: Tally) -> None:
    scratch = Path(tempfile.mkdtemp(prefix=f"iameval-fuzz-{target.name}-"))

    def feed(value: Any) -> None:
        tally.tried += 1
        directory = scratch / str(tally.tried % 8)  # a few folders, reused: no pile of files
        directory.mkdir(exist_ok=True)
        for old in directory.iterdir():
            old.unlink()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            target.run(value, directory)
        except Hang:
            tally.hangs += 1
            path = _save(out, target.name, tally.tried, value, f"hang: more than {timeout} s")
            print(f"  HANG {target.name} #{tally.tried}: {path}", flush=True)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - every escape is a failure to record
            tally.failures += 1
            kind = f"{type(exc).__name__}: {str(exc)[:120]}"
            tally.kinds[kind] = tally.kinds.get(kind, 0) + 1
            path = _save(out, target.name, tally.tried, value, traceback.format_exc())
            print(f"  FAIL {target.name} #{tally.tried}: {kind} ({path})", flush=True)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    for batch in range(math.ceil(count / BATCH)):
        size = min(BATCH, count - batch * BATCH)
        runner = settings(max_examples=size, database=None, deadline=None, derandomize=False,
                          phases=[Phase.generate], suppress_health_check=list(HealthCheck))(given(target.inputs)(feed))
        seed(first_seed * 1_000_003 + batch)(runner)()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="inputs in all (default 100,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input before it is a hang")
    parser.add_argument("--out", type=Path, default=HERE / "fuzz-failures")
    parser.add_argument("--only", nargs="*", choices=sorted(TARGETS), help="these targets only")
    parser.add_argument("--json", type=Path, help="also write the totals as JSON")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    names = args.only or list(SHARES)
    total = sum(SHARES[n] for n in names)
    tallies = {name: Tally() for name in names}
    start = time.perf_counter()
    for index, name in enumerate(names):
        count = round(args.n * SHARES[name] / total)
        began = time.perf_counter()
        run_target(TARGETS[name], count, args.seed * 100 + index, args.timeout, args.out, tallies[name])
        tallies[name].seconds = time.perf_counter() - began
        t = tallies[name]
        print(f"{name:<17} {t.tried:>8,} tried {t.failures:>5} failures {t.hangs:>4} hangs {t.seconds:>8.1f} s",
              flush=True)
    wall = time.perf_counter() - start
    tried = sum(t.tried for t in tallies.values())
    failures = sum(t.failures for t in tallies.values())
    hangs = sum(t.hangs for t in tallies.values())
    print(f"{'total':<17} {tried:>8,} tried {failures:>5} failures {hangs:>4} hangs {wall:>8.1f} s wall")
    for name, t in tallies.items():
        for kind, n in sorted(t.kinds.items(), key=lambda item: -item[1]):
            print(f"  {name}: {n} x {kind}")
    if args.json:
        args.json.write_text(json.dumps({"inputs": tried, "failures": failures, "hangs": hangs, "wall_seconds": wall,
                                         "targets": {n: vars(t) for n, t in tallies.items()}}, indent=1))
    return 1 if failures or hangs else 0


if __name__ == "__main__":
    sys.exit(main())
