"""Large input (issue 14): an account export of about 50 MB and an identity policy of about 49 MB.

    .venv/bin/python bench/large.py [CHECKOUT ...] [--timeout SECONDS] [--megabytes MB] [--only TEXT]

Writes, in a temporary folder that is removed afterwards, and the same for the same arguments:

- `account.json`: an export of `aws iam get-account-authorization-details` of about `--megabytes`
  (50) MB, made of the real exports of `fixtures/accounts/` copied again and again, each copy's
  users, groups, roles and customer managed policies renamed (`-c7`, ...) and every reference
  to them (group lists, attachments, permissions boundaries) with them, so that names and ARNs
  stay unique; AWS managed policies are in it once. Written as the AWS CLI prints it (indent 4).
  Attachments of AWS managed policies that no export holds stay dangling, as in the originals,
  so that the loading locates warnings (153) all through the file.
- `policy.json`: one identity policy of 450,000 statements (about 49 MB), one a line, of the
  shape of `bench/hostile.py`'s statements, with a final statement that allows the request.
- `deep.yaml`: 43,000 `[` (43 KB), YAML nested deeper than any parser should follow.

Then, per checkout (default: this one), each in a child process of its own, alternating
checkouts case by case: `load_account` on the export; `iameval who-can --account-details
account.json -a s3:GetObject -r arn:aws:s3:::b/k`; `iameval check policy.json -a s3:GetObject
-r arn:aws:s3:::bucket-1/k`; `iameval validate policy.json`; `iameval validate deep.yaml`. Prints
one table: the child's wall time (process start and imports included), its CPU time (user and
system: what the figure would be on an idle machine, the machine being shared) and its peak RSS
(`ru_maxrss`); a case that takes longer than `--timeout` (300 s) is shown as `> 300 s`, one
that fails by its exit status and last line.

A checkout of another commit: `git archive COMMIT | tar -x -C DIR`, then `bench/large.py DIR .`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ACCOUNTS = HERE.parent / "fixtures" / "accounts"
SOURCES = {"c": "cloudsplaining-example.json", "s": "small-account.json", "a": "aws-cli-docs-example.json"}
AWS_MANAGED = "arn:aws:iam::aws:policy/"

# The child: the checkout first on sys.path, then the command as the console script runs it.
CHILD = r"""
import sys
sys.path.insert(0, sys.argv[1])
import iameval
assert iameval.__file__.startswith(sys.argv[1]), iameval.__file__
if sys.argv[2] == "load_account":
    from iameval.inputs._accounts import load_account
    account = load_account(sys.argv[3])
    print(len(account.principals), "principals,", len(account.warnings), "warnings")
else:
    from iameval.cli import main
    sys.argv = ["iameval", *sys.argv[2:]]
    main()
"""


def _renamed(arn: str, suffix: str) -> str:
    """The ARN of an entity whose name has `suffix` added (the name is the ARN's last part)."""
    head, _, name = arn.rpartition("/")
    return f"{head}/{name}{suffix}"


def _copy(export: dict[str, Any], suffix: str, rnd: random.Random) -> dict[str, list[Any]]:
    """The export's users, groups, roles and customer managed policies, renamed with `suffix`."""
    data = copy.deepcopy(export)
    policies = {p["Arn"] for p in data.get("Policies", []) if not p["Arn"].startswith(AWS_MANAGED)}

    def new_id(old: str) -> str:
        return old[:4] + "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))

    def attachments(entity: dict[str, Any]) -> None:
        listed = entity.get("AttachedManagedPolicies")
        for attachment in listed if isinstance(listed, list) else [listed] if isinstance(listed, dict) else []:
            if attachment.get("PolicyArn") in policies:
                attachment["PolicyArn"] = _renamed(attachment["PolicyArn"], suffix)
                attachment["PolicyName"] = attachment.get("PolicyName", "") + suffix
        boundary = entity.get("PermissionsBoundary") or {}
        if boundary.get("PermissionsBoundaryArn") in policies:
            boundary["PermissionsBoundaryArn"] = _renamed(boundary["PermissionsBoundaryArn"], suffix)

    for key, name, ident in (("UserDetailList", "UserName", "UserId"), ("GroupDetailList", "GroupName", "GroupId"),
                             ("RoleDetailList", "RoleName", "RoleId")):
        for entity in data.get(key, []):
            entity[name] += suffix
            entity["Arn"] = _renamed(entity["Arn"], suffix)
            if ident in entity:
                entity[ident] = new_id(entity[ident])
            if key == "UserDetailList":
                entity["GroupList"] = [g + suffix for g in entity.get("GroupList", [])]
            attachments(entity)
    customer = [p for p in data.get("Policies", []) if p["Arn"] in policies]
    for policy in customer:
        policy["PolicyName"] += suffix
        policy["Arn"] = _renamed(policy["Arn"], suffix)
        policy["PolicyId"] = new_id(policy["PolicyId"])
    return {"UserDetailList": data.get("UserDetailList", []), "GroupDetailList": data.get("GroupDetailList", []),
            "RoleDetailList": data.get("RoleDetailList", []), "Policies": customer}


def account_export(megabytes: float, seed: int = 2026) -> str:
    """An account export of about `megabytes` MB, as the AWS CLI prints it."""
    rnd = random.Random(seed)
    exports = {key: json.loads((ACCOUNTS / name).read_text(encoding="utf-8")) for key, name in SOURCES.items()}
    merged: dict[str, list[Any]] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    seen: set[str] = set()
    for export in exports.values():  # each AWS managed policy once
        for policy in export.get("Policies", []):
            if policy["Arn"].startswith(AWS_MANAGED) and policy["Arn"] not in seen:
                seen.add(policy["Arn"])
                merged["Policies"].append(policy)
    size = len(json.dumps(merged, indent=4))
    copies = 0
    while size < megabytes * 1e6:
        for key, export in exports.items():
            part = _copy(export, f"-{key}{copies}", rnd)
            for field, items in part.items():
                merged[field].extend(items)
            size += len(json.dumps(part, indent=4))
        copies += 1
    return json.dumps({**merged, "IsTruncated": False}, indent=4) + "\n"


_SERVICES = {  # service -> (verbs, a resource ARN of its own shape, with {n})
    "s3": (["GetObject", "PutObject", "ListBucket", "DeleteObject"], "arn:aws:s3:::bucket-{n}/*"),
    "sqs": (["SendMessage", "ReceiveMessage", "DeleteMessage"], "arn:aws:sqs:us-east-1:111122223333:queue-{n}"),
    "dynamodb": (["GetItem", "PutItem", "Query", "Scan"], "arn:aws:dynamodb:us-east-1:111122223333:table/t{n}"),
    "lambda": (["InvokeFunction", "GetFunction"], "arn:aws:lambda:us-east-1:111122223333:function:f{n}"),
    "kms": (["Decrypt", "Encrypt", "Describe*"], "arn:aws:kms:us-east-1:111122223333:key/k{n}"),
}


def identity_policy(statements: int, seed: int = 2026) -> str:
    """An identity policy of `statements` statements, one a line; the last allows `s3:GetObject`
    on `arn:aws:s3:::bucket-1/k`, and Deny statements name other buckets."""
    rnd = random.Random(seed)
    services = sorted(_SERVICES)
    lines = []
    for i in range(statements - 1):
        service = rnd.choice(services)
        verbs, arn = _SERVICES[service]
        actions = sorted({f"{service}:{rnd.choice(verbs)}" for _ in range(1 if rnd.random() < 0.8 else 2)})
        effect = "Deny" if rnd.random() < 0.1 else "Allow"
        resource = arn.format(n=rnd.randrange(2, 100_000))
        lines.append(json.dumps({"Effect": effect,
                                 "Action": actions[0] if len(actions) == 1 else actions, "Resource": resource},
                                separators=(",", ":")))
    lines.append(json.dumps({"Sid": "Last", "Effect": "Allow", "Action": "s3:GetObject",
                             "Resource": "arn:aws:s3:::bucket-1/*"}, separators=(",", ":")))
    return '{"Version": "2012-10-17", "Statement": [\n' + ",\n".join(lines) + "\n]}\n"


def write_inputs(folder: str, megabytes: str, statements: str) -> None:
    """The three input files, in `folder`."""
    where = Path(folder)
    (where / "account.json").write_text(account_export(float(megabytes)), encoding="utf-8")
    (where / "policy.json").write_text(identity_policy(int(statements)), encoding="utf-8")
    (where / "deep.yaml").write_text("[" * 43_000, encoding="utf-8")


def cases(folder: Path, statements: int) -> list[tuple[str, list[str]]]:
    """(label, child arguments) for every case."""
    account, policy, deep = (str(folder / n) for n in ("account.json", "policy.json", "deep.yaml"))
    return [
        ("load_account, account export", ["load_account", account]),
        ("who-can, account export", ["who-can", "--account-details", account, "-a", "s3:GetObject",
                                     "-r", "arn:aws:s3:::b/k"]),
        (f"check, {statements:,} statements", ["check", policy, "-a", "s3:GetObject", "-r", "arn:aws:s3:::bucket-1/k"]),
        (f"validate, {statements:,} statements", ["validate", policy]),
        ("validate, 43,000 `[` of YAML", ["validate", deep]),
    ]


def run(checkout: Path, arguments: list[str], timeout: float) -> str:
    """`S s (CPU C s), M MiB` for one child (wall time, CPU time, peak RSS); `> T s` past the
    timeout; `exit N: last line` for a crash (`check`'s 1 for a denial and `validate`'s 1 or 2 for findings are answers)."""
    env = {**os.environ, "IAMEVAL_MAX_INPUT_BYTES": str(256 * 1024 * 1024)}
    killed = threading.Event()

    def kill(pid: int) -> None:
        killed.set()
        os.killpg(pid, signal.SIGKILL)

    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(checkout), *arguments],
                                 stdout=subprocess.DEVNULL, stderr=stderr, env=env, start_new_session=True)
        timer = threading.Timer(timeout, kill, (child.pid,))
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS
        seconds = time.perf_counter() - start
        timer.cancel()
        child.returncode = code = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        errors = stderr.read().decode(errors="replace")
    if killed.is_set():
        return f"> {timeout:.0f} s"
    if code not in (0, 1, 2) or "Traceback" in errors:
        last = errors.strip().splitlines()[-1:] or [""]
        return f"exit {code}: {last[0][:80]}"
    return f"{seconds:.1f} s (CPU {usage.ru_utime + usage.ru_stime:.1f} s), {usage.ru_maxrss // 1024} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs="*", type=Path, default=[HERE.parent])
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--megabytes", type=float, default=50.0, help="the account export's size (50)")
    parser.add_argument("--statements", type=int, default=450_000, help="the policy's statements (450,000)")
    parser.add_argument("--only", help="run the cases whose label holds this text")
    args = parser.parse_args()
    checkouts = [c.resolve() for c in args.checkouts]
    with tempfile.TemporaryDirectory(prefix="iameval-large-") as tmp:
        folder = Path(tmp)
        # Written by a child: a child's peak RSS counts its parent's from before the exec (Linux
        # keeps the high-water mark), so this process must never hold the inputs.
        subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import large; "
                        "large.write_inputs(*sys.argv[2:])", str(HERE), tmp, str(args.megabytes),
                        str(args.statements)], check=True)
        sizes = {n: (folder / n).stat().st_size for n in ("account.json", "policy.json", "deep.yaml")}
        print("inputs: " + ", ".join(f"{n} {s / 1e6:.1f} MB" for n, s in sizes.items()))
        print("| case | " + " | ".join(f"`{c.name}`" for c in checkouts) + " |")
        print("|---|" + "---:|" * len(checkouts))
        for label, arguments in cases(folder, args.statements):
            if args.only and args.only not in label:
                continue
            cells = [run(checkout, arguments, args.timeout) for checkout in checkouts]
            print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
