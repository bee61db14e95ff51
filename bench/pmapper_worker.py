"""PMapper side of the benchmark: runs ONLY inside bench/.venv-pmapper (see peers.py).

Reads, on standard input, a JSON object `{"scenarios": [...], "repeats": R, "rounds": N,
"target_seconds": T}` where each scenario is already resolved to plain policy documents by
peers.py (`identity`: list of documents, `resource`, `permission_boundary`: a document or null,
`scps`: list of levels, each a list of documents, `session`, `rcps`, `request`, `expect`).

Each scenario is mapped once, untimed, to PMapper's local policy simulation
(`principalmapper.querying.query_interface.local_check_authorization_full`): an IAM user or role
`Node` holding the identity policies and the permissions boundary, the bucket policy and its owner,
and the SCP levels. Then one untimed pass checks every answer against `expect` (PMapper answers
a bool: allowed or not, so ImplicitDeny and ExplicitDeny are both "not allowed"), and the timed
loops call `local_check_authorization_full` over the prepared cases; best of R repeats.

Prints one JSON object on standard output. Nothing of PMapper (AGPL) is part of iameval: this
script only calls it, in its own virtual environment and process.
"""

from __future__ import annotations

import collections
import collections.abc
import gc
import json
import math
import re
import resource
import sys
import time

# PMapper 1.1.5 imports `Mapping`/`MutableMapping` from `collections`, removed in Python 3.10.
# The alias lives here, in the bench worker only.
for _name in ("Mapping", "MutableMapping", "Sequence", "MutableSequence", "Iterable", "Callable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

import principalmapper  # noqa: E402
from principalmapper.common import Node, Policy  # noqa: E402
from principalmapper.querying.query_interface import local_check_authorization_full  # noqa: E402

_PRINCIPAL = re.compile(r"arn:aws:iam::(\d{12}):(user|role)/(?:.*/)?([^/]+)")
_ACCOUNT_ARN = re.compile(r"arn:[^:]+:[^:]*:[^:]*:(\d{12}):")


class Unsupported(Exception):
    """The scenario uses something PMapper's local simulation cannot express."""


def _text(value):
    """PMapper compares context values as text: booleans as `true`/`false`, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_text(v) for v in value]
    return str(value)


def prepare(scenario: dict) -> tuple:
    policies = scenario.get("policies", {})
    request = scenario["request"]
    principal = request["principal"]
    m = _PRINCIPAL.fullmatch(principal)
    if not m:
        raise Unsupported(f"principal {principal!r}: PMapper models only IAM users and roles "
                          "(no role sessions, root, federated, service or anonymous callers)")
    if policies.get("session"):
        raise Unsupported("session policies (their caller is a role session, which PMapper cannot model)")
    if policies.get("rcps"):
        raise Unsupported("resource control policies")
    if request.get("federated_from") or request.get("resource_policy_required") is not None:
        raise Unsupported("federated_from / resource_policy_required")
    account, kind, name = m.groups()

    def policy(doc: dict, label: str) -> Policy:
        return Policy(f"arn:aws:iam::{account}:policy/{label}", label, doc)

    identity = [policy(doc, f"identity{i}") for i, doc in enumerate(policies.get("identity", []))]
    boundary = policies.get("permission_boundary")
    node = Node(
        arn=principal,
        id_value=("AIDA" if kind == "user" else "AROA") + "BENCH" + name.upper()[:16],
        attached_policies=identity,
        group_memberships=[],
        trust_policy={} if kind == "role" else None,
        instance_profile=None,
        num_access_keys=0,
        active_password=False,
        is_admin=False,
        permissions_boundary=policy(boundary, "boundary") if boundary else None,
        has_mfa=False,
        tags={},
    )
    scps = None
    if policies.get("scps"):
        scps = [[policy(doc, f"scp{n}_{i}") for i, doc in enumerate(level)]
                for n, level in enumerate(policies["scps"])]
    resource_policy = policies.get("resource")
    resource_arn = request.get("resource", "*")
    owner = request.get("resource_account")
    if owner is None:
        found = _ACCOUNT_ARN.match(resource_arn)
        owner = found.group(1) if found else account
    context = {k: _text(v) for k, v in (request.get("context") or {}).items()}
    lowered = {k.lower() for k in context}
    # Keys SCENARIO.md derives that PMapper does not derive itself (it fills in aws:PrincipalArn,
    # aws:PrincipalAccount and aws:username, and also aws:userid, aws:SecureTransport=true and
    # aws:CurrentTime=now, which the benchmark scenarios never test unless they give them).
    if "aws:principaltype" not in lowered:
        context["aws:PrincipalType"] = "User" if kind == "user" else "AssumedRole"
    if "aws:resourceaccount" not in lowered:
        context["aws:ResourceAccount"] = owner
    args = (node, request["action"], resource_arn, context, resource_policy,
            owner if resource_policy is not None else None, scps, None)
    return args


def main() -> None:
    job = json.load(sys.stdin)
    cases, answers, unsupported = [], [], []
    for scenario in job["scenarios"]:
        sid = scenario.get("id")
        expect = scenario.get("expect")
        try:
            args = prepare(scenario)
        except Unsupported as exc:
            unsupported.append({"id": sid, "reason": str(exc)})
            continue
        try:
            allowed = local_check_authorization_full(*args)
        except Exception as exc:  # PMapper raising on an input is a wrong answer too
            answers.append({"id": sid, "decision": "Error", "expected": expect, "ok": False,
                            "detail": f"{type(exc).__name__}: {exc}"})
            continue
        decision = "Allow" if allowed else "Deny"
        ok = None if expect is None else (allowed == (expect == "Allow"))
        answers.append({"id": sid, "decision": decision, "expected": expect, "ok": ok})
        cases.append(args)

    repeats = max(1, int(job.get("repeats", 5)))
    rounds = job.get("rounds")
    target = float(job.get("target_seconds", 1.0))
    best = None
    n = 0
    if cases:
        def one_pass() -> float:
            t0 = time.perf_counter()
            for args in cases:
                local_check_authorization_full(*args)
            return time.perf_counter() - t0

        one_pass()  # warm-up (caches such as PMapper's compiled-pattern lru_cache)
        n = int(rounds) if rounds else max(1, math.ceil(target / max(one_pass(), 1e-9)))
        check = local_check_authorization_full
        for _ in range(repeats):
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(n):
                for args in cases:
                    check(*args)
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
    evaluations = n * len(cases)
    json.dump({
        "engine": "PMapper",
        "version": getattr(principalmapper, "__version__", "1.1.5"),
        "python": sys.version.split()[0],
        "cases": len(cases),
        "rounds": n,
        "repeats": repeats,
        "evaluations": evaluations,
        "seconds": best,
        "evals_per_sec": evaluations / best if best else None,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "answers": answers,
        "unsupported": unsupported,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
