"""Loading every template and plan of a folder, and validating their policies.

    .venv/bin/python bench/iac.py [PATH] [--validate] [--cfn-lint]

PATH (default ../shared/data/iac/) is searched for `.json`, `.yaml` and `.yml` files; each is
read with `load_infrastructure` (parsed with positions, intrinsic functions evaluated, principals
assembled and their policies loaded), and with `--validate` also validated as `iameval validate`
does. Prints files, policies found, files refused (with the first problem), warnings by code, and
the seconds each step took over all files (wall clock, one process).

`--cfn-lint` times reading the YAML templates alone (short forms and positions) with iameval's
loader and with cfn-lint's decoder (`pip install cfn-lint`), on the same texts.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from iameval.analysis._validate import validate_paths
from iameval.inputs._infrastructure import load_infrastructure
from iameval.policy._errors import PolicyError
from iameval.policy._not_policies import SHORT_FORMS
from iameval.policy._source import parse_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "iac"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--validate", action="store_true", help="also validate every policy found")
    parser.add_argument("--cfn-lint", action="store_true", help="compare reading YAML with cfn-lint's decoder")
    args = parser.parse_args()
    files = sorted(p for p in Path(args.path).rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
    policies = 0
    warnings: Counter[str] = Counter()
    refused: list[str] = []
    start = time.perf_counter()
    for path in files:
        try:
            found = load_infrastructure(str(path))
        except PolicyError as exc:
            refused.append(f"{path.name}: {exc.problems[0]}")
            continue
        policies += len(found.policies)
        warnings.update(w.code for w in found.warnings)
    loading = time.perf_counter() - start
    print(f"{len(files)} files, {policies} policies, {len(refused)} refused; loaded in {loading:.2f} s")
    for line in refused:
        print(f"  refused {line}")
    for code, count in warnings.most_common():
        print(f"  {count:5d} {code}")
    if args.validate:
        start = time.perf_counter()
        findings, documents = validate_paths([str(p) for p in files])
        seconds = time.perf_counter() - start
        by_severity = Counter(f.severity for f in findings)
        print(f"validated {documents} policies in {seconds:.2f} s: {by_severity['error']} errors, "
              f"{by_severity['warning']} warnings")
    if args.cfn_lint:
        compare_yaml([p for p in files if p.suffix in (".yaml", ".yml")])


def compare_yaml(files: list[Path]) -> None:
    start = time.perf_counter()
    from cfnlint.decode import decode_str  # type: ignore[import-not-found]
    imported = time.perf_counter() - start
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in files]
    readable = []
    start = time.perf_counter()
    for name, text in texts:
        try:
            parse_text(text, name, short_forms=SHORT_FORMS)
            readable.append(text)
        except PolicyError:
            pass
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for text in readable:
        decode_str(text)
    theirs = time.perf_counter() - start
    print(f"{len(texts)} YAML templates: iameval's loader {ours:.2f} s; cfn-lint's decode_str {theirs:.2f} s on the "
          f"{len(readable)} iameval reads (import {imported:.2f} s)")


if __name__ == "__main__":
    main()
