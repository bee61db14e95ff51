#!/usr/bin/env python3
"""Differential run: iameval against the iam-simulate oracle on the same scenario files.

    python3 bench/differential/compare.py [FILE...] [--examples 3] [--minimize] [--json OUT]

Runs `iameval run FILE --json` and `shared/oracle/run FILE` (each as a separate process; the
oracle is AGPL and is never imported), joins their results by scenario id, and prints:
agreements, disagreements grouped by a short signature, and errors on either side.

Scenario ids carrying `~kd-...` (set by generate.py) fall in one of the oracle's documented known
differences, and ids carrying `~nd-...` in a difference an earlier run found and explained
(README.md beside this file); their disagreements are counted apart from the unexplained ones
(under `~kd-` when they carry both kinds of tag), grouped by all their tags.

The signature of a disagreement is `family | caller | policies | iameval X / oracle Y`:
- family: the id up to its first `-` (generate.py's families: cond, resource, org...);
- caller: user, session, federated, root, service, anonymous, with `-x` when the caller's account
  differs from the resource's;
- policies: the policy types present, plus the service of the action;
- `oracle-ignored-keys` when iam-simulate reported context keys it dropped (known difference 4).

`--minimize` shrinks the first scenario of every unexplained group (`--minimize all`: of every
group) by delta debugging: it drops policies, statements, list items, condition keys and context
keys while the two engines still give the same two decisions, and prints the result as one JSON
line.

Exit status: 0 when every disagreement is explained, 1 when one is not (or a result is missing).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
IAMEVAL = os.environ.get("IAMEVAL", str(ROOT / ".venv" / "bin" / "iameval"))
ORACLE = os.environ.get("IAMEVAL_ORACLE", "/work/shared/oracle/run")
DECISIONS = ("Allow", "ImplicitDeny", "ExplicitDeny")


# ----------------------------------------------------------------------------- running engines
def _json_lines(text: str, who: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            print(f"compare: {who} printed a line that is not JSON: {line[:200]}", file=sys.stderr)
    return out


def run_iameval(files: list[str]) -> dict[str, dict]:
    results = {}
    for f in files:
        p = subprocess.run([IAMEVAL, "run", f, "--json"], capture_output=True, text=True)
        if p.returncode not in (0, 1, 2):
            sys.exit(f"compare: iameval failed on {f} (exit {p.returncode}): {p.stderr.strip()[:2000]}")
        for r in _json_lines(p.stdout, "iameval"):
            if "error" in r:
                results[r["id"]] = {"decision": "Error", "detail": r["error"]}
            else:
                why = "; ".join(f"{x.get('policy')} {x.get('statement')} {x.get('effect')}" for x in r.get("reasons", []))
                results[r["id"]] = {"decision": r["decision"], "detail": f"{r.get('summary', '')} [{why}]"}
    return results


def run_oracle(files: list[str]) -> dict[str, dict]:
    p = subprocess.run([ORACLE, *files], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"compare: the oracle failed (exit {p.returncode}): {p.stderr.strip()[:2000]}")
    return {r["id"]: {"decision": r["decision"], "detail": r.get("detail", "")}
            for r in _json_lines(p.stdout, "oracle")}


def load_scenarios(files: list[str]) -> dict[str, dict]:
    out = {}
    for f in files:
        text = Path(f).read_text(encoding="utf-8")
        if f.endswith(".jsonl"):
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            v = json.loads(text)
            items = v if isinstance(v, list) else [v]
        for s in items:
            out[s.get("id")] = s
    return out


# ----------------------------------------------------------------------------- signatures
def _account_of(principal: str) -> str | None:
    parts = principal.split(":")
    return parts[4] if principal.startswith("arn:") and len(parts) > 4 and parts[4] else None


def caller_kind(principal: str) -> str:
    if principal == "*":
        return "anonymous"
    if not principal.startswith("arn:"):
        return "service"
    res = principal.split(":", 5)[5]
    if res == "root":
        return "root"
    for prefix, kind in (("user/", "user"), ("assumed-role/", "session"), ("federated-user/", "federated"),
                         ("role/", "role")):
        if res.startswith(prefix):
            return kind
    return "other"


def resource_account(req: dict) -> str | None:
    if req.get("resource_account"):
        return req["resource_account"]
    return _account_of(req["resource"]) or _account_of(req["principal"])


def signature(s: dict, ours: dict, theirs: dict) -> str:
    req = s["request"]
    kind = caller_kind(req["principal"])
    if req["action"].lower() in ("sts:assumerolewithwebidentity", "sts:assumerolewithsaml"):
        kind = "provider"  # the identity provider whose token makes the call (IAM-SEMANTICS §2.7)
    pa, ra = _account_of(req["principal"]), resource_account(req)
    if pa and ra and pa != ra:
        kind += "-x"
    kinds = [k for k in ("identity", "resource", "permission_boundary", "session", "scps", "rcps")
             if s.get("policies", {}).get(k)]
    service = req["action"].split(":")[0].lower()
    family = s["id"].split("-")[0]
    what = f"{'+'.join(kinds) or 'none'} on {service}"
    if family.endswith("sweep"):  # truth tables: the statement shapes say which cell differs
        what = "; ".join(dict.fromkeys(shape(st) for d in _documents(s.get("policies", {})) for st in _statements(d)))
        if family == "prinsweep":
            what = f"{'+'.join(kinds)}: {what}"
    sig = f"{family} | {kind} | {what} | iameval {ours['decision']} / oracle {theirs['decision']}"
    if "context keys ignored" in theirs.get("detail", ""):
        sig += " | oracle-ignored-keys"
    return sig


def _documents(policies: dict):
    for v in policies.values():
        for item in (v if isinstance(v, list) else [v]):
            for p in (item if isinstance(item, list) else [item]):
                if isinstance(p, dict):
                    yield p["document"] if "document" in p else p


def _statements(d: dict):
    st = d.get("Statement", [])
    return st if isinstance(st, list) else [st]


def shape(st: dict) -> str:
    """`Allow Action NotResource StringLike(aws:SourceArn)`: a statement without its values, except
    the kind of Principal it names."""
    parts = [st.get("Effect", "?")]
    for k in ("Principal", "NotPrincipal"):
        if k in st:
            p = st[k]
            kinds = ["*"] if p == "*" else sorted(
                f"{t}:{_principal_kind(v)}" for t, vs in p.items() for v in (vs if isinstance(vs, list) else [vs]))
            parts.append(f"{k}({','.join(dict.fromkeys(kinds))})")
    parts += [k for k in ("Action", "NotAction", "Resource", "NotResource") if k in st]
    for op, block in st.get("Condition", {}).items():
        parts.append(f"{op}({','.join(block)})")
    return " ".join(parts)


def _principal_kind(v: str) -> str:
    if v == "*":
        return "*"
    if v.isdigit():
        return "account"
    if not v.startswith("arn:"):
        return "service" if v.endswith(".amazonaws.com") else "other"
    k = caller_kind(v)
    return "account-root" if k == "root" else k


def known_tags(sid: str) -> list[str]:
    """`~kd-...`: a row of the oracle README's known differences."""
    return [t for t in sid.split("~")[1:] if t.startswith("kd-")]


def found_tags(sid: str) -> list[str]:
    """`~nd-...`: a difference found and explained by an earlier differential run (README.md here)."""
    return [t for t in sid.split("~")[1:] if t.startswith("nd-")]


# ----------------------------------------------------------------------------- minimizing
_KEEP = {("request", "principal"), ("request", "action"), ("request", "resource")}
_KEEP_NAMES = {"Version", "Effect", "Statement", "id", "request", "policies"}


def _candidates(s: dict):
    """Every scenario one step smaller than `s`: a key dropped, a list item dropped, a
    one-element list replaced by its element, a named policy unwrapped."""
    def walk(node, path):
        if isinstance(node, dict):
            if set(node) >= {"document"} and set(node) <= {"name", "document"} and path and path[0] == "policies":
                yield path, ("unwrap", None)
            for k, v in node.items():
                p = path + (k,)
                if k not in _KEEP_NAMES and p not in _KEEP and p[:1] != ("id",):
                    yield p, ("del", None)
                yield from walk(v, p)
        elif isinstance(node, list):
            if len(node) > 1:
                for i in range(len(node)):
                    yield path + (i,), ("del", None)
            if len(node) == 1 and path and path[-1] not in ("identity", "session", "scps", "rcps") \
                    and not (len(path) >= 2 and path[-2] in ("scps", "rcps")):
                yield path, ("unlist", None)
            for i, v in enumerate(node):
                yield from walk(v, path + (i,))

    for path, (op, _) in walk(s, ()):
        c = copy.deepcopy(s)
        parent = c
        for k in path[:-1]:
            parent = parent[k]
        last = path[-1] if path else None
        if op == "del":
            del parent[last]
        elif op == "unlist":
            parent[last] = parent[last][0]
        elif op == "unwrap":
            parent[last] = parent[last]["document"]
        yield c


def _size(s: dict) -> int:
    return len(json.dumps(s, separators=(",", ":")))


def minimize(s: dict, want: tuple[str, str], rounds: int = 60) -> dict:
    """Shrink `s` while iameval still answers want[0] and the oracle want[1]."""
    best = copy.deepcopy(s)
    best.pop("description", None)
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            cands = []
            seen = set()
            for c in _candidates(best):
                key = json.dumps(c, sort_keys=True)
                if key not in seen:
                    seen.add(key)
                    cands.append(c)
            if not cands:
                break
            path = os.path.join(tmp, "cands.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                for n, c in enumerate(cands):
                    f.write(json.dumps(dict(c, id=f"m{n}"), separators=(",", ":")) + "\n")
            ours, theirs = run_iameval([path]), run_oracle([path])
            ok = [c for n, c in enumerate(cands)
                  if ours.get(f"m{n}", {}).get("decision") == want[0]
                  and theirs.get(f"m{n}", {}).get("decision") == want[1]]
            if not ok:
                break
            best = min(ok, key=_size)
    return best


# ----------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="iameval against the iam-simulate oracle, joined by scenario id")
    ap.add_argument("files", nargs="*", default=[str(HERE / "scenarios.jsonl")])
    ap.add_argument("--examples", type=int, default=3, help="ids shown per group (default 3)")
    ap.add_argument("--minimize", nargs="?", const="unexplained", choices=("unexplained", "all"),
                    help="shrink the first scenario of every unexplained group (or of every group: `all`)")
    ap.add_argument("--json", metavar="OUT", help="write every joined result as JSON Lines to OUT")
    args = ap.parse_args(argv)

    scenarios = load_scenarios(args.files)
    ours, theirs = run_iameval(args.files), run_oracle(args.files)

    ids = list(dict.fromkeys(list(scenarios) + list(ours) + list(theirs)))
    agree = Counter()
    groups: dict[str, list[str]] = defaultdict(list)
    kd_groups: dict[str, list[str]] = defaultdict(list)
    nd_groups: dict[str, list[str]] = defaultdict(list)
    kd_agree = Counter()
    errors = {"iameval": [], "oracle": [], "both": []}
    missing = []
    joined = []
    for sid in ids:
        o, t = ours.get(sid), theirs.get(sid)
        if o is None or t is None:
            missing.append((sid, "iameval" if o is None else "oracle"))
            continue
        joined.append({"id": sid, "iameval": o, "oracle": t})
        oe, te = o["decision"] == "Error", t["decision"] == "Error"
        if oe or te:
            errors["both" if oe and te else "iameval" if oe else "oracle"].append(sid)
            continue
        tags = known_tags(sid) + found_tags(sid)
        if o["decision"] == t["decision"]:
            agree[o["decision"]] += 1
            if tags:
                kd_agree["+".join(tags)] += 1
            continue
        if known_tags(sid):
            kd_groups[f"{'+'.join(tags)} | iameval {o['decision']} / oracle {t['decision']}"].append(sid)
        elif tags:
            nd_groups[f"{'+'.join(tags)} | iameval {o['decision']} / oracle {t['decision']}"].append(sid)
        else:
            groups[signature(scenarios.get(sid, {"id": sid, "request": {"principal": "*", "action": "?:?", "resource": "*"}}),
                             o, t)].append(sid)

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            for j in joined:
                f.write(json.dumps(j) + "\n")

    n_dis = sum(map(len, groups.values()))
    n_kd = sum(map(len, kd_groups.values()))
    n_nd = sum(map(len, nd_groups.values()))
    n_err = sum(map(len, errors.values()))
    print(f"scenarios: {len(ids)}  (files: {', '.join(args.files)})")
    print(f"agreements: {sum(agree.values())}  ("
          + ", ".join(f"{d} {agree[d]}" for d in DECISIONS) + ")")
    print(f"disagreements: {n_dis + n_kd + n_nd}  ({n_dis} unexplained in {len(groups)} groups; "
          f"{n_kd} in the oracle's known differences (~kd-); {n_nd} in differences found by earlier runs (~nd-))")
    print(f"errors: {n_err}  (iameval only {len(errors['iameval'])}, oracle only {len(errors['oracle'])}, "
          f"both {len(errors['both'])})")
    if missing:
        print(f"missing results: {len(missing)}  (e.g. {missing[:3]})")

    def show(title, table):
        if not table:
            return
        print(f"\n{title}")
        for sig, sids in sorted(table.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  {len(sids):5d}  {sig}")
            print(f"         e.g. {', '.join(sids[:args.examples])}")

    show("Unexplained disagreements, by signature:", groups)
    show("Disagreements in the oracle's known differences (tagged ~kd-...):", kd_groups)
    show("Disagreements in differences found by earlier runs (tagged ~nd-..., see README.md):", nd_groups)
    if kd_agree:
        print("\nTagged scenarios on which both engines agree anyway: "
              + ", ".join(f"{k} {v}" for k, v in sorted(kd_agree.items())))
    for side in ("iameval", "oracle", "both"):
        if errors[side]:
            print(f"\nErrors ({side}):")
            for sid in errors[side][:args.examples * 3]:
                src = ours if side == "iameval" else theirs
                print(f"  {sid}: {src[sid]['detail'][:300]}")

    table = dict(groups)
    if args.minimize == "all":
        table.update(kd_groups)
        table.update(nd_groups)
    if args.minimize and table:
        print("\nMinimal reproductions (first scenario of each group, shrunk):")
        for sig, sids in sorted(table.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            sid = sids[0]
            want = (ours[sid]["decision"], theirs[sid]["decision"])
            small = minimize(scenarios[sid], want)
            print(f"\n# {sig}\n{json.dumps(small)}")
    return 1 if groups or missing else 0


if __name__ == "__main__":
    sys.exit(main())
