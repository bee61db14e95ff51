"""The hot-path benchmark: iameval, PMapper and iam-simulate on the same scenario files, in one run.

    .venv/bin/python bench/run.py                 # everything (installs PMapper on first use)
    .venv/bin/python bench/run.py --no-peers      # iameval only
    .venv/bin/python bench/run.py --repeats 3 --seconds 0.5
    .venv/bin/python bench/run.py --profile       # also cProfile iameval's loop on each set

For each set (the small scenarios, bench/scenarios/small.jsonl, and the heavy one,
bench/scenarios/heavy.json), each engine:
- prepares the scenarios once, untimed (iameval: `load_scenarios` + `scenario.authorizer()`,
  which compiles the policies, and the `Request` objects; PMapper: its `Node`/`Policy` objects;
  iam-simulate: its simulation objects, see ../shared/oracle/README.md);
- answers every scenario once, untimed, and these answers are checked against `expect`
  (PMapper only says allowed or not: it is right when it allows exactly the `Allow` scenarios);
- then runs timed passes over all the prepared scenarios, the number of passes calibrated so that
  one repeat takes about `--seconds`; the best of `--repeats` repeats is reported. iam-simulate
  (Node) is given longer runs, `--oracle-seconds` (4 s) each, best of `--oracle-repeats` (2),
  because its JIT takes a few hundred evaluations to warm up and its `--bench` has one warm-up
  pass only; shorter runs understate its speed.

Prints evaluations per second and microseconds per evaluation for each engine, and the ratios
iameval/PMapper and iameval/iam-simulate. Any wrong answer from any engine is printed loudly and
makes the exit status 1. iameval runs in this process; each peer in its own (peers.py).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import math
import os
import platform
import pstats
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402

import iameval  # noqa: E402

SMALL = HERE / "scenarios" / "small.jsonl"
HEAVY = HERE / "scenarios" / "heavy.json"


# ----------------------------------------------------------------------------- machine

def machine() -> dict[str, str]:
    model = platform.processor() or "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        cores = str(len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        cores = str(os.cpu_count())
    source = Path(iameval.__file__).resolve().parent
    if source.parent == HERE.parent:
        rev = subprocess.run(["git", "-C", str(HERE.parent), "describe", "--always", "--dirty"],
                             capture_output=True, text=True).stdout.strip() or "?"
    else:
        rev = f"from {source}"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {"cpu": model, "cores": cores, "python": platform.python_version(), "iameval": rev,
            "load": load, "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


# ----------------------------------------------------------------------------- iameval

def iameval_prepare(path: Path) -> tuple[list[tuple], list[dict]]:
    """Scenarios loaded and compiled once: `(authorize, request)` pairs, and the answers."""
    cases, answers = [], []
    for scenario in iameval.load_scenarios(path):
        expect = str(scenario.expect) if scenario.expect else None
        if scenario.error is not None:
            answers.append({"id": scenario.id, "decision": "Error", "expected": expect, "ok": False,
                            "detail": str(scenario.error)})
            continue
        try:
            authorizer = scenario.authorizer()
            decision = str(authorizer.authorize(scenario.request).decision)
        except Exception as exc:  # an error is a wrong answer, reported with the others
            answers.append({"id": scenario.id, "decision": "Error", "expected": expect, "ok": False,
                            "detail": f"{type(exc).__name__}: {exc}"})
            continue
        answers.append({"id": scenario.id, "decision": decision, "expected": expect,
                        "ok": None if expect is None else decision == expect})
        cases.append((authorizer.authorize, scenario.request))
    return cases, answers


def _loop(cases: list[tuple], rounds: int) -> float:
    t0 = time.perf_counter()
    for _ in range(rounds):
        for authorize, request in cases:
            authorize(request)
    return time.perf_counter() - t0


def iameval_bench(path: Path, repeats: int, target: float, rounds: int | None) -> dict[str, Any]:
    cases, answers = iameval_prepare(path)
    best, n = None, 0
    if cases:
        _loop(cases, 1)  # warm-up
        n = rounds or max(1, math.ceil(target / max(_loop(cases, 1), 1e-9)))
        for _ in range(repeats):
            gc.collect()
            elapsed = _loop(cases, n)
            best = elapsed if best is None else min(best, elapsed)
    evaluations = n * len(cases)
    return {"engine": "iameval", "cases": len(cases), "rounds": n, "repeats": repeats,
            "evaluations": evaluations, "seconds": best,
            "evals_per_sec": evaluations / best if best else None, "answers": answers}


def iameval_profile(path: Path, seconds: float, top: int = 25) -> str:
    """cProfile of iameval's timed loop on one set: the functions with the most own time."""
    cases, _ = iameval_prepare(path)
    _loop(cases, 1)
    n = max(1, math.ceil(seconds / max(_loop(cases, 1), 1e-9)))
    profiler = cProfile.Profile()
    profiler.enable()
    _loop(cases, n)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    lines = [f"cProfile of iameval on {path.name}: {n * len(cases)} evaluations, "
             f"{total:.2f} s under the profiler", f"{'own %':>6} {'cum %':>6} {'calls':>9}  function"]
    for (file, line, name), (cc, nc, tt, ct, _) in rows:
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if file != "~" else "builtin"
        lines.append(f"{100 * tt / total:6.1f} {100 * ct / total:6.1f} {nc:9d}  {name}  ({where})")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- peers

def oracle_answers_checked(path: Path) -> list[dict]:
    out = []
    for a in peers.iam_simulate_answers(path):
        ok = a.get("ok")
        if a.get("decision") == "Error":
            ok = False
        out.append({"id": a.get("id"), "decision": a.get("decision"), "expected": a.get("expected"),
                    "ok": ok, "detail": a.get("detail") if ok is False else None})
    return out


def run_set(name: str, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    print(f"[{name}] {path}: iameval ...", file=sys.stderr, flush=True)
    results = {"iameval": iameval_bench(path, args.repeats, args.seconds, args.rounds)}
    if not args.no_peers:
        print(f"[{name}] PMapper ...", file=sys.stderr, flush=True)
        try:
            results["PMapper"] = peers.run_pmapper(peers.read_scenarios(path), args.repeats,
                                                   args.seconds, args.rounds)
        except Exception as exc:
            results["PMapper"] = {"engine": "PMapper", "failed": str(exc)}
        print(f"[{name}] iam-simulate ...", file=sys.stderr, flush=True)
        try:
            sim = peers.iam_simulate_bench(path, args.oracle_repeats, args.oracle_seconds,
                                           args.oracle_rounds)
            sim["answers"] = oracle_answers_checked(path)
            results["iam-simulate"] = sim
        except Exception as exc:
            results["iam-simulate"] = {"engine": "iam-simulate", "failed": str(exc)}
    return {"set": name, "file": str(path), "scenarios": len(peers.read_scenarios(path)),
            "engines": results}


# ----------------------------------------------------------------------------- report

def _fmt_rate(x: float | None) -> str:
    return "-" if not x else f"{x:,.0f}"


def _fmt_us(x: float | None) -> str:
    return "-" if not x else f"{1e6 / x:,.1f}"


def report(sets: list[dict], info: dict[str, str]) -> int:
    wrong_total = 0
    print()
    print(f"machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}; "
          f"iameval {info['iameval']}; load average {info['load']}; {info['date']}")
    header = f"{'set':<7}{'cases':>6}  {'engine':<13}{'evals/s':>12}{'us/eval':>10}{'wrong':>7}{'iameval/x':>11}"
    print(header)
    print("-" * len(header))
    for s in sets:
        mine = s["engines"]["iameval"].get("evals_per_sec")
        first = True
        for engine, r in s["engines"].items():
            label = f"{s['set']:<7}" if first else " " * 7
            first = False
            if "failed" in r:
                print(f"{label}{'':>6}  {engine:<13}FAILED: {r['failed'].splitlines()[0]}")
                wrong_total += 1
                continue
            wrong = [a for a in r.get("answers", []) if a.get("ok") is False]
            wrong_total += len(wrong)
            rate = r.get("evals_per_sec")
            ratio = "" if engine == "iameval" or not rate or not mine else f"{mine / rate:,.1f}x"
            if ratio and r.get("cases") != s["engines"]["iameval"].get("cases"):
                ratio += "*"  # not the same cases: see the notes
            print(f"{label}{r.get('cases', 0):>6}  {engine:<13}{_fmt_rate(rate):>12}{_fmt_us(rate):>10}"
                  f"{len(wrong):>7}{ratio:>11}")
        for engine, r in s["engines"].items():
            for u in r.get("unsupported", []):
                print(f"    note: {engine} cannot express {u['id']}: {u['reason']}")
            if engine != "iameval" and r.get("cases") not in (None, s["engines"]["iameval"].get("cases")):
                print(f"    note: * {engine} timed {r.get('cases')} case(s), iameval "
                      f"{s['engines']['iameval'].get('cases')}: the ratio compares different sets")
            if r.get("skipped"):
                print(f"    note: {engine} skipped {r['skipped']} scenario(s) it could not decide")
    for s in sets:
        for engine, r in s["engines"].items():
            for a in r.get("answers", []):
                if a.get("ok") is False:
                    print(f"!!! WRONG ANSWER [{s['set']}] {engine}: {a['id']}: got {a['decision']}, "
                          f"expected {a['expected']}" + (f" ({a['detail']})" if a.get("detail") else ""),
                          file=sys.stderr)
    if wrong_total:
        print(f"!!! {wrong_total} wrong answer(s) or failure(s): see above", file=sys.stderr)
    return 1 if wrong_total else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-peers", action="store_true", help="run iameval only")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per engine and set; best is kept (5)")
    parser.add_argument("--seconds", type=float, default=1.0,
                        help="calibrate the passes so that one repeat takes about this long (1.0)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="fixed number of passes over each set per repeat (instead of --seconds)")
    parser.add_argument("--oracle-seconds", type=float, default=4.0,
                        help="iam-simulate: about this long per run, for Node's JIT to warm up (4.0)")
    parser.add_argument("--oracle-repeats", type=int, default=2, help="iam-simulate: runs; best is kept (2)")
    parser.add_argument("--oracle-rounds", type=int, default=None,
                        help="iam-simulate: fixed `--bench N` instead of --oracle-seconds")
    parser.add_argument("--small", type=Path, default=SMALL, help="small scenarios file")
    parser.add_argument("--heavy", type=Path, default=HEAVY, help="heavy scenario file")
    parser.add_argument("--only", choices=["small", "heavy"], help="run one set only")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of iameval's loop on each set")
    parser.add_argument("--json", type=Path, help="also write every figure and answer to this file")
    args = parser.parse_args(argv)

    info = machine()
    sets = []
    for name, path in (("small", args.small), ("heavy", args.heavy)):
        if args.only and args.only != name:
            continue
        sets.append(run_set(name, path, args))
    status = report(sets, info)
    if args.profile:
        for name, path in (("small", args.small), ("heavy", args.heavy)):
            if not args.only or args.only == name:
                print()
                print(iameval_profile(path, args.seconds))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "sets": sets}, indent=1) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
