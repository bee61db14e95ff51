"""Synthetic organizations in the folder layout of docs/organizations.md, and the time to load them.

    .venv/bin/python bench/orggen.py --accounts 100 --roles 100 --out /tmp/org-100x100
    .venv/bin/python bench/orggen.py --load /tmp/org-100x100

The first writes an organization (seeded: `--seed`) and then loads it in a fresh interpreter (so
that the peak resident memory is the loader's alone) with `--load`, which prints the seconds
`load_organization` took, the principals, levels and warnings it read, and the peak resident
memory (ru_maxrss).

What is written: a root with `--branching` OUs under it and under each OU down to `--depth`;
`--accounts` accounts spread over the deepest OUs, the first one the management account under the
root; per account `--roles` roles and `--users` users. Their policies are drawn from the real AWS
managed policies (../shared/data/managed-policies/latest/, read here, each kept only if iameval
loads it): each account uses `--managed` of them, attached one to three per principal and carried
in its export's `Policies`, as `get-account-authorization-details` prints them. Each role has a
trust policy naming its own account, a role of another account or a service (`trust_plan`), and an
inline policy: the S3 objects of its account's bucket, and sts:AssumeRole on the roles that trust
it, so that chains of roles run across accounts. The SCPs are
`FullAWSAccess` at every node and account plus aws-samples examples (../shared/data/policy-examples/
scp) on the root and on each OU by turns; the RCPs `RCPFullAWSAccess` everywhere plus examples on
some OUs. Each account holds one bucket, whose policy grants another account.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
MANAGED = SHARED / "managed-policies" / "latest"
EXAMPLES = SHARED / "policy-examples"
ORG_ID, ROOT_ID = "o-synth00001", "r-syn0"
FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
                                                    "Resource": "*"}]}
SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]


def loadable(folder: Path, kind: str, most: int | None = None, seed: int = 0) -> list[tuple[str, dict]]:
    """The documents of a folder that iameval loads as `kind`, by file name, in a seeded order."""
    import iameval

    files = sorted(p for p in folder.rglob("*.json") if p.name != "index.json")
    random.Random(seed).shuffle(files)
    found = []
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            iameval.load_policy(document, kind)
        except (ValueError, iameval.PolicyError):
            continue
        found.append((path.stem, document))
        if most is not None and len(found) == most:
            break
    return found


class Writer:
    def __init__(self, out: Path):
        self.out = out
        self.manifest: dict[str, Any] = {
            "describe-organization": "describe-organization.json", "list-roots": "list-roots.json",
            "list-organizational-units-for-parent": {}, "list-accounts-for-parent": {},
            "list-policies-for-target": {"SERVICE_CONTROL_POLICY": {}, "RESOURCE_CONTROL_POLICY": {}},
            "describe-policy": {}, "get-account-authorization-details": {}, "resource-policies": {}}

    def write(self, relative: str, data: Any) -> str:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        return relative

    def policy(self, policy_id: str, policy_type: str, name: str, document: dict) -> dict[str, Any]:
        summary = {"Id": policy_id, "Arn": f"arn:aws:organizations::000000000000:policy/{ORG_ID}/{policy_id}",
                   "Name": name, "Description": name, "Type": policy_type, "AwsManaged": False}
        self.manifest["describe-policy"][policy_id] = self.write(
            f"describe-policy/{policy_id}.json", {"Policy": {"PolicySummary": summary, "Content": json.dumps(document)}})
        return summary

    def attach(self, policy_type: str, target: str, summaries: list[dict[str, Any]]) -> None:
        self.manifest["list-policies-for-target"][policy_type][target] = self.write(
            f"list-policies-for-target/{policy_type}/{target}.json", {"Policies": summaries})


def account_id(n: int) -> str:
    return f"{100000000000 + n * 7919:012d}"


def generate(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    managed = loadable(MANAGED, "identity", args.managed_pool, args.seed)
    scps = loadable(EXAMPLES / "scp", "scp", seed=args.seed)
    rcps = loadable(EXAMPLES / "rcp", "rcp", seed=args.seed)
    writer = Writer(Path(args.out))
    accounts = [account_id(n) for n in range(args.accounts)]
    management = accounts[0]
    writer.write("describe-organization.json", {"Organization": {
        "Id": ORG_ID, "Arn": f"arn:aws:organizations::{management}:organization/{ORG_ID}", "FeatureSet": "ALL",
        "MasterAccountArn": f"arn:aws:organizations::{management}:account/{ORG_ID}/{management}",
        "MasterAccountId": management, "MasterAccountEmail": "management@example.com"}})
    writer.write("list-roots.json", {"Roots": [{"Id": ROOT_ID, "Name": "Root", "PolicyTypes": [
        {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}, {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]}]})
    full = writer.policy("p-FullAWSAccess", "SERVICE_CONTROL_POLICY", "FullAWSAccess", FULL)
    rcp_full = writer.policy("p-RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY", "RCPFullAWSAccess", RCP_FULL)
    scp_examples = [writer.policy(f"p-scp{i:04d}", "SERVICE_CONTROL_POLICY", name, doc)
                    for i, (name, doc) in enumerate(scps)]
    rcp_examples = [writer.policy(f"p-rcp{i:04d}", "RESOURCE_CONTROL_POLICY", name, doc)
                    for i, (name, doc) in enumerate(rcps)]
    # The tree: OUs level by level; accounts under the deepest.
    nodes, level, counter = [ROOT_ID], [ROOT_ID], 0
    children_of: dict[str, list[dict[str, str]]] = {ROOT_ID: []}
    for _ in range(args.depth):
        following = []
        for parent in level:
            for _ in range(args.branching):
                counter += 1
                child = f"ou-syn0-{counter:08d}"
                children_of[parent].append({"Id": child, "Name": f"OU {counter}"})
                children_of[child] = []
                following.append(child)
        nodes += following
        level = following
    leaves = level
    under: dict[str, list[str]] = {node: [] for node in nodes}
    under[ROOT_ID].append(management)
    for n, account in enumerate(accounts[1:]):
        under[leaves[n % len(leaves)]].append(account)
    for node in nodes:
        writer.manifest["list-organizational-units-for-parent"][node] = writer.write(
            f"list-organizational-units-for-parent/{node}.json", {"OrganizationalUnits": children_of[node]})
        writer.manifest["list-accounts-for-parent"][node] = writer.write(
            f"list-accounts-for-parent/{node}.json", {"Accounts": [
                {"Id": a, "Name": f"account-{a}", "Email": f"{a}@example.com", "Status": "ACTIVE"} for a in under[node]]})
        extra_scp = [rng.choice(scp_examples)] if scp_examples else []
        writer.attach("SERVICE_CONTROL_POLICY", node, [full] + extra_scp)
        extra_rcp = [rng.choice(rcp_examples)] if rcp_examples and node != ROOT_ID and rng.random() < 0.5 else []
        writer.attach("RESOURCE_CONTROL_POLICY", node, [rcp_full] + extra_rcp)
    trusts, assumes = trust_plan(rng, accounts, args.roles)
    for account in accounts:
        writer.attach("SERVICE_CONTROL_POLICY", account, [full])
        writer.attach("RESOURCE_CONTROL_POLICY", account, [rcp_full])
        export, bucket_policy = account_files(rng, account, accounts, managed, trusts, assumes, args)
        writer.manifest["get-account-authorization-details"][account] = writer.write(
            f"get-account-authorization-details/{account}.json", export)
        writer.manifest["resource-policies"][account] = {
            f"arn:aws:s3:::bucket-{account}": writer.write(f"resources/{account}/bucket-{account}.json", bucket_policy)}
    writer.write("organization.json", writer.manifest)


def trust_plan(rng: random.Random, accounts: list[str], roles: int
               ) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """Whom each role trusts (its own account, a role of another account, a service), and the
    roles each role may assume by its inline policy: every role a role trusts may assume it, and
    one role of the account may assume each role that trusts its account, so that chains of
    sts:AssumeRole run across the organization."""
    trusts: dict[str, dict[str, str]] = {}
    assumes: dict[str, list[str]] = {}
    for account in accounts:
        for r in range(roles):
            arn = f"arn:aws:iam::{account}:role/role-{r:04d}"
            chosen = rng.random()
            if chosen < 0.5:
                trusts[arn] = {"AWS": f"arn:aws:iam::{account}:root"}
                assumes.setdefault(f"arn:aws:iam::{account}:role/role-{rng.randrange(roles):04d}", []).append(arn)
            elif chosen < 0.8:
                trusted = f"arn:aws:iam::{rng.choice(accounts)}:role/role-{rng.randrange(roles):04d}"
                trusts[arn] = {"AWS": trusted}
                assumes.setdefault(trusted, []).append(arn)
            else:
                trusts[arn] = {"Service": rng.choice(SERVICES)}
    return trusts, assumes


def account_files(rng: random.Random, account: str, accounts: list[str], managed: list[tuple[str, dict]],
                  trusts: dict[str, dict[str, str]], assumes: dict[str, list[str]], args: argparse.Namespace
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """One account's export and its bucket's policy."""
    used = rng.sample(managed, min(args.managed, len(managed)))
    arn_of = {name: f"arn:aws:iam::aws:policy/{name}" for name, _ in used}

    def attached() -> list[dict[str, str]]:
        return [{"PolicyName": name, "PolicyArn": arn_of[name]} for name, _ in rng.sample(used, rng.randint(1, 3))]

    roles = []
    for r in range(args.roles):
        arn = f"arn:aws:iam::{account}:role/role-{r:04d}"
        statements: list[dict[str, Any]] = [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                             "Resource": f"arn:aws:s3:::bucket-{account}/*"}]
        if arn in assumes:
            statements.append({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": assumes[arn]})
        roles.append({
            "Path": "/", "RoleName": f"role-{r:04d}", "RoleId": f"AROA{account}{r:05d}", "Arn": arn,
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": trusts[arn], "Action": "sts:AssumeRole"}]},
            "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17",
                                                                          "Statement": statements}}],
            "AttachedManagedPolicies": attached(), "Tags": [{"Key": "team", "Value": f"team-{r % 7}"}]})
    users = [{"Path": "/", "UserName": f"user-{u:03d}", "UserId": f"AIDA{account}{u:05d}",
              "Arn": f"arn:aws:iam::{account}:user/user-{u:03d}", "GroupList": [], "UserPolicyList": [],
              "AttachedManagedPolicies": attached(), "Tags": []} for u in range(args.users)]
    policies = [{"PolicyName": name, "Arn": arn_of[name], "Path": "/", "DefaultVersionId": "v1",
                 "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True}]}
                for name, document in used]
    export = {"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": policies}
    bucket_policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{rng.choice(accounts)}:root"},
         "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{account}/*"}]}
    return export, bucket_policy


def load(folder: str) -> None:
    from iameval.inputs._organization_files import load_organization

    start = time.perf_counter()
    organization = load_organization(folder)
    seconds = time.perf_counter() - start
    principals = len(organization.principals)
    levels = sum(len(m.scps) + len(m.rcps) for m in organization.accounts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"loaded {len(organization.accounts)} accounts, {principals} principals, {levels} levels, "
          f"{len(organization.warnings)} warnings in {seconds:.1f} s "
          f"({principals / seconds:,.0f} principals/s); peak RSS {peak:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="Write an organization to this folder, then load it.")
    parser.add_argument("--load", metavar="DIR", help="Only load the organization of this folder.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--roles", type=int, default=100, help="Roles per account.")
    parser.add_argument("--users", type=int, default=5, help="Users per account.")
    parser.add_argument("--depth", type=int, default=2, help="OU levels below the root.")
    parser.add_argument("--branching", type=int, default=3, help="OUs under each parent.")
    parser.add_argument("--managed", type=int, default=20, help="AWS managed policies each account uses.")
    parser.add_argument("--managed-pool", type=int, default=200, help="AWS managed policies drawn from.")
    args = parser.parse_args()
    if args.load:
        load(args.load)
        return
    if not args.out:
        parser.error("give --out DIR (write and load) or --load DIR")
    start = time.perf_counter()
    generate(args)
    print(f"wrote {args.accounts} accounts x {args.roles} roles to {args.out} in {time.perf_counter() - start:.1f} s")
    subprocess.run([sys.executable, __file__, "--load", args.out], check=True)


if __name__ == "__main__":
    main()
