"""Generate bench/scenarios/heavy.json: one request against a 50-statement identity policy with
wildcards and conditions plus a 20-statement bucket policy (the issue's heavy scenario).

Deterministic (random.Random(2026) only varies names and values inside a fixed structure), so
running it again rewrites the same file:

    .venv/bin/python bench/scenarios/make_heavy.py

Why the expected decision is Allow, statement by statement, is written next to each group below:
every statement but the two marked MATCHES fails on its action, its resource, its principal or a
condition; no Deny applies; the request is in the bucket owner's account, so the identity Allow
and the bucket-policy Allow each suffice (IAM-SEMANTICS §2.1, §2.2). The matching Allow of the
identity policy is placed near the end, so that engines which stop at the first matching Allow
still have to look at nearly every statement.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ACCOUNT = "111122223333"
OTHER = "444455556666"
REGION = "us-east-1"
BUCKET = "heavy-data-lake"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
KEY = "reports/analytics/2026/q1/summary.csv"
OUT = Path(__file__).with_name("heavy.json")

CONTEXT = {
    "aws:SourceIp": "203.0.113.50",
    "aws:MultiFactorAuthPresent": True,
    "aws:MultiFactorAuthAge": 300,
    "aws:CurrentTime": "2026-03-15T12:00:00Z",
    "aws:SecureTransport": True,
    "aws:RequestedRegion": REGION,
    "aws:PrincipalTag/team": "analytics",
    "aws:PrincipalTag/env": "prod",
    "aws:PrincipalOrgID": "o-abc123def4",
}

# Real actions of other services (action mismatch for s3:GetObject) with a resource pattern each.
OTHER_SERVICES = [
    ("ec2:Describe*", "*"),
    ("ec2:StartInstances", f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/*"),
    ("ec2:StopInstances", f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/*"),
    ("dynamodb:GetItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Orders*"),
    ("dynamodb:Query", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Orders/index/*"),
    ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:etl-*"),
    ("lambda:Get*", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:*"),
    ("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs-*"),
    ("sqs:ReceiveMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs-?"),
    ("sns:Publish", f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"),
    ("logs:CreateLogStream", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app/*"),
    ("logs:PutLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app/*:log-stream:*"),
    ("cloudwatch:Get*", "*"),
    ("cloudwatch:PutMetricData", "*"),
    ("kms:Decrypt", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"),
    ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:etl/*"),
    ("ssm:GetParameter*", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/etl/*"),
    ("glue:GetTable", f"arn:aws:glue:{REGION}:{ACCOUNT}:table/analytics/*"),
    ("athena:StartQueryExecution", f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/analytics"),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/etl-*"),
]
# S3 actions that do not cover s3:GetObject.
S3_OTHER_ACTIONS = ["s3:PutObject", "s3:List*", "s3:DeleteObject*", "s3:PutObjectTagging",
                    "s3:AbortMultipartUpload", "s3:GetBucket*", "s3:ListBucket", "s3:RestoreObject"]
# Conditions that hold for CONTEXT (used on statements that fail elsewhere, and on the matches).
TRUE_CONDITIONS = [
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:RequestedRegion": [REGION, "us-west-2"]}},
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}},
    {"StringLike": {"aws:PrincipalTag/env": "pro*"}},
]


def allow(action, resource, condition=None, sid=None):
    st = {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


def deny(action, resource, condition=None, sid=None):
    st = allow(action, resource, condition, sid)
    st["Effect"] = "Deny"
    return st


def identity_policy(rng: random.Random) -> dict:
    obj = f"arn:aws:s3:::{BUCKET}"
    groups: dict[str, list] = {}
    # 20 Allows on other services: the action never matches s3:GetObject.
    groups["other"] = [allow(a, r, rng.choice([None, rng.choice(TRUE_CONDITIONS)]), f"OtherService{i}")
                       for i, (a, r) in enumerate(OTHER_SERVICES)]
    # 8 Allows on the right bucket with s3 actions that do not cover GetObject.
    groups["s3_action"] = [allow(a, [obj, f"{obj}/*"], None, f"S3OtherAction{i}")
                           for i, a in enumerate(S3_OTHER_ACTIONS)]
    # 8 Allows of s3:Get*/GetObject on resources that do not cover the key.
    wrong = [f"{obj}/raw/*", f"{obj}/reports/finance/*", f"{obj}/reports/analytics/2025/*",
             f"{obj}/reports/analytics/202?/q2/*", f"{obj}/staging/*",
             f"arn:aws:s3:::archive-{rng.randrange(1000, 9999)}/*",
             f"arn:aws:s3:::{BUCKET}-replica/reports/*", f"{obj}/reports/analytics/2026/q2/*"]
    groups["s3_resource"] = [allow(["s3:GetObject", "s3:GetObjectVersion"] if i % 2 else "s3:Get*", r,
                                   rng.choice([None, rng.choice(TRUE_CONDITIONS)]), f"S3WrongPrefix{i}")
                             for i, r in enumerate(wrong)]
    # 6 Allows of the request on its resource whose condition fails for CONTEXT.
    failing = [
        {"StringEquals": {"aws:PrincipalTag/team": ["finance", "sales"]}},
        {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"DateGreaterThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}},
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "60"}},
        {"StringNotEquals": {"aws:RequestedRegion": REGION}},
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "StringLike": {"aws:PrincipalTag/env": "dev*"}},
    ]
    groups["cond_fail"] = [allow("s3:GetObject", f"{obj}/reports/*", c, f"ConditionFails{i}")
                           for i, c in enumerate(failing)]
    # 7 Denies, none of which applies.
    groups["deny"] = [
        deny("s3:*", "*", {"Bool": {"aws:SecureTransport": "false"}}, "DenyInsecure"),  # condition false
        deny(["s3:DeleteBucket", "s3:DeleteObject*"], "*", None, "DenyDeletes"),  # action
        deny("*", "*", {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}},
             "DenyOutsideNetworks"),  # the IP is inside
        deny("s3:GetObject", f"{obj}/secret/*", None, "DenySecret"),  # resource
        deny("*", "*", {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123def4"}},
             "DenyOutsideOrg"),  # equal
        deny("s3:*", "*", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, "DenyNoMfa"),  # MFA true
        deny("s3:*", "*", {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
             "DenyBeforeLaunch"),  # the time is later
    ]
    # MATCHES: the one identity Allow that applies (every condition holds for CONTEXT).
    match = allow(["s3:GetObject", "s3:GetObjectVersion"],
                  f"{obj}/reports/${{aws:PrincipalTag/team}}/*",
                  {"StringEquals": {"aws:PrincipalTag/env": "prod"},
                   "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                   "Bool": {"aws:MultiFactorAuthPresent": "true"},
                   "NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"},
                   "DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"},
                   "StringLike": {"aws:RequestedRegion": "us-*"}},
                  "TeamReports")
    body = groups["other"] + groups["s3_action"] + groups["s3_resource"] + groups["cond_fail"]
    rng.shuffle(body)
    # Denies spread through the policy, the match third from the end.
    statements = list(body)
    for n, d in enumerate(groups["deny"]):
        statements.insert(min(len(statements), 3 + n * 7), d)
    statements.insert(len(statements) - 2, match)
    assert len(statements) == 50, len(statements)
    return {"Version": "2012-10-17", "Statement": statements}


def bucket_policy(rng: random.Random) -> dict:
    obj = f"arn:aws:s3:::{BUCKET}"
    both = [obj, f"{obj}/*"]
    roles = [f"arn:aws:iam::{ACCOUNT}:role/{n}" for n in ("etl-loader", "bi-reader", "auditor", "ml-training")]
    statements = [
        # Denies, none applies.
        deny("s3:*", both, {"Bool": {"aws:SecureTransport": "false"}}, "DenyInsecureTransport"),
        deny("s3:*", both, {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}, "DenyOutsideOrg"),
        deny("s3:PutObject", f"{obj}/*",
             {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}, "DenyUnencryptedPuts"),
        deny(["s3:DeleteBucket", "s3:PutBucketPolicy"], obj, None, "DenyBucketAdmin"),
        deny("s3:GetObject", f"{obj}/secret/*", None, "DenySecretPrefix"),
        deny("s3:GetObject*", f"{obj}/*", {"StringEquals": {"aws:PrincipalTag/team": "contractors"}},
             "DenyContractors"),  # the team is analytics
    ]
    for st in statements:
        st["Principal"] = "*"
    statements.append(dict(deny("s3:*", both, None, "DenyMallory"),
                           Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/mallory"}))  # principal
    # Allows for other principals (principal mismatch).
    others = roles + [f"arn:aws:iam::{OTHER}:root", f"arn:aws:iam::{OTHER}:role/partner-sync",
                      f"arn:aws:iam::{ACCOUNT}:user/bob", f"arn:aws:iam::{ACCOUNT}:user/carol"]
    for i, p in enumerate(others):
        statements.append({"Sid": f"OtherPrincipal{i}", "Effect": "Allow", "Principal": {"AWS": p},
                           "Action": rng.choice(["s3:GetObject", "s3:Get*", ["s3:GetObject", "s3:ListBucket"]]),
                           "Resource": both})
    # Allows for alice that fail on action, resource or condition.
    statements.append({"Sid": "AliceUploads", "Effect": "Allow", "Principal": {"AWS": USER},
                       "Action": "s3:PutObject", "Resource": f"{obj}/uploads/alice/*"})
    statements.append({"Sid": "AliceRaw", "Effect": "Allow", "Principal": {"AWS": USER},
                       "Action": "s3:GetObject", "Resource": f"{obj}/raw/*"})
    statements.append({"Sid": "AliceFromVpn", "Effect": "Allow", "Principal": {"AWS": USER},
                       "Action": "s3:GetObject", "Resource": f"{obj}/reports/*",
                       "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})
    statements.append({"Sid": "ListForAnalytics", "Effect": "Allow", "Principal": {"AWS": USER},
                       "Action": "s3:ListBucket", "Resource": obj,
                       "Condition": {"StringLike": {"s3:prefix": "reports/*"}}})
    # MATCHES: the bucket-policy Allow naming alice.
    statements.append({"Sid": "AnalyticsTeamReads", "Effect": "Allow",
                       "Principal": {"AWS": [roles[1], USER]},
                       "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": f"{obj}/reports/*",
                       "Condition": {"StringEquals": {"aws:PrincipalTag/team": "analytics"},
                                     "Bool": {"aws:SecureTransport": "true"}}})
    assert len(statements) == 20, len(statements)
    return {"Version": "2012-10-17", "Id": "HeavyBucketPolicy", "Statement": statements}


def main() -> None:
    rng = random.Random(2026)
    scenario = {
        "id": "heavy-50-identity-20-bucket",
        "description": "one request against a 50-statement identity policy with wildcards and "
                       "conditions and a 20-statement bucket policy (bench/scenarios/make_heavy.py)",
        "policies": {"identity": [{"name": "HeavyIdentityPolicy", "document": identity_policy(rng)}],
                     "resource": {"name": "HeavyBucketPolicy", "document": bucket_policy(rng)}},
        "request": {"principal": USER, "action": "s3:GetObject",
                    "resource": f"arn:aws:s3:::{BUCKET}/{KEY}", "context": CONTEXT},
        "expect": "Allow",
    }
    OUT.write_text(json.dumps(scenario, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
