"""The peer engines of the benchmark, each in its own process and environment.

- PMapper (PyPI `principalmapper==1.1.5`, AGPL) is installed on demand into `bench/.venv-pmapper`
  (`python3 -m venv` + pip; git-ignored) and driven by `pmapper_worker.py` run with that venv's
  Python. It needs `collections.Mapping` on Python 3.10+: the worker sets the alias, nothing else.
- iam-simulate (npm `@cloud-copilot/iam-simulate` 0.1.173, AGPL) runs as a separate Node process
  through the differential oracle, `../shared/oracle/run --bench N FILE` (see its README).

Nothing of either enters iameval: they are only run, as separate programs, on the same scenario
files. `python bench/peers.py --install` installs PMapper ahead of time.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PMAPPER_VENV = HERE / ".venv-pmapper"
PMAPPER_VERSION = "1.1.5"
ORACLE = Path(os.environ.get("IAMEVAL_ORACLE", ROOT.parent / "shared" / "oracle" / "run"))


# ----------------------------------------------------------------------------- scenario files

def read_scenarios(path: str | Path) -> list[dict[str, Any]]:
    """The scenarios of a file (SCENARIO.md: an object, an array or JSON Lines), each with its
    policies resolved to plain documents: `identity`/`session` lists, `resource` and
    `permission_boundary` documents, `scps`/`rcps` lists of levels, each a list of documents."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        raw = [json.loads(line) for line in text.splitlines() if line.strip()]
    elif path.suffix in (".yaml", ".yml"):
        import yaml
        raw = yaml.safe_load(text)
    else:
        raw = json.loads(text)
    if isinstance(raw, dict):
        raw = [raw]
    out = []
    for n, item in enumerate(raw):
        policies = item.get("policies") or {}

        def doc(entry: Any) -> dict:
            if isinstance(entry, dict) and "file" in entry and "Statement" not in entry:
                return json.loads((path.parent / entry["file"]).read_text(encoding="utf-8"))
            if isinstance(entry, dict) and "document" in entry and "Statement" not in entry:
                return entry["document"]
            return entry

        def levels(value: list) -> list[list[dict]]:
            return [[doc(p) for p in level] if isinstance(level, list) else [doc(level)] for level in value]

        resolved: dict[str, Any] = {}
        if policies.get("identity"):
            resolved["identity"] = [doc(p) for p in policies["identity"]]
        if policies.get("session"):
            resolved["session"] = [doc(p) for p in policies["session"]]
        for key in ("resource", "permission_boundary"):
            if policies.get(key):
                resolved[key] = doc(policies[key])
        for key in ("scps", "rcps"):
            if policies.get(key):
                resolved[key] = levels(policies[key])
        out.append({"id": item.get("id", f"{path.stem}[{n}]"), "policies": resolved,
                    "request": item["request"], "expect": item.get("expect")})
    return out


# ----------------------------------------------------------------------------- PMapper

def pmapper_python() -> Path:
    return PMAPPER_VENV / "bin" / "python"


def ensure_pmapper(quiet: bool = False) -> Path:
    """Create bench/.venv-pmapper with principalmapper==1.1.5 unless it is already there."""
    python = pmapper_python()
    probe = [str(python), "-c",
             "import importlib.metadata as m; print(m.version('principalmapper'))"]
    if python.exists():
        done = subprocess.run(probe, capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == PMAPPER_VERSION:
            return python
    if not quiet:
        print(f"peers: installing principalmapper=={PMAPPER_VERSION} into {PMAPPER_VENV} ...",
              file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=True).create(PMAPPER_VENV)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    f"principalmapper=={PMAPPER_VERSION}"], check=True)
    return python


def run_pmapper(scenarios: list[dict], repeats: int, target_seconds: float,
                rounds: int | None = None) -> dict[str, Any]:
    """Run the PMapper worker on resolved scenarios; its JSON report (see pmapper_worker.py)."""
    python = ensure_pmapper()
    job = json.dumps({"scenarios": scenarios, "repeats": repeats, "rounds": rounds,
                      "target_seconds": target_seconds})
    done = subprocess.run([str(python), str(HERE / "pmapper_worker.py")], input=job,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"PMapper worker failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


# ----------------------------------------------------------------------------- iam-simulate

def _oracle(args: list[str]) -> subprocess.CompletedProcess:
    if not ORACLE.exists():
        raise RuntimeError(f"the iam-simulate oracle is not at {ORACLE} (set IAMEVAL_ORACLE)")
    return subprocess.run([str(ORACLE), *args], capture_output=True, text=True)


def iam_simulate_answers(path: str | Path) -> list[dict[str, Any]]:
    """iam-simulate's decision for every scenario of a file (one oracle run, not timed)."""
    done = _oracle([str(path)])
    if done.returncode not in (0, 1):
        raise RuntimeError(f"oracle failed ({done.returncode}):\n{done.stderr}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def iam_simulate_bench(path: str | Path, repeats: int, target_seconds: float,
                       rounds: int | None = None) -> dict[str, Any]:
    """`run --bench N FILE`, best of `repeats` runs.

    N is calibrated from a first, shorter run so that one run takes about `target_seconds`,
    unless `rounds` is given. Node's JIT needs a few hundred evaluations to warm up and the
    oracle's `--bench` does only one untimed pass first, so give it several seconds: a short run
    understates iam-simulate's steady speed (by half, on the heavy scenario)."""
    def bench(n: int) -> dict[str, Any]:
        done = _oracle(["--bench", str(n), str(path)])
        if done.returncode not in (0, 1):
            raise RuntimeError(f"oracle --bench failed ({done.returncode}):\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    if rounds is None:
        cases = max(1, len(read_scenarios(path)))
        probe = bench(max(1, math.ceil(200 / cases)))
        rate = probe.get("evals_per_sec") or 1000
        rounds = max(1, round(target_seconds * rate / max(1, probe.get("cases") or cases)))
    best = None
    for _ in range(max(1, repeats)):
        result = bench(rounds)
        if best is None or (result.get("seconds") or 1e18) < (best.get("seconds") or 1e18):
            best = result
    best = dict(best)
    best["rounds"], best["repeats"] = rounds, repeats
    return best


if __name__ == "__main__":
    if sys.argv[1:] == ["--install"]:
        print(ensure_pmapper())
        done = _oracle(["--install"])
        sys.exit(done.returncode)
    print(__doc__)
