"""Policies of every level of the authorization chain, for one caller (the laws of
tests/test_chain_properties.py, IAM-SEMANTICS §2.1, §4, §5).

Callers are IAM users, role sessions, federated-user sessions, account roots, a service principal
and an anonymous caller, of account A or B; `REQUESTS` pairs an action with a resource (S3,
SQS, KMS, a role, `*`). `chain_statements(kind)` and `chain_documents(kind)` draw statements of
identity, permissions-boundary, session, SCP, resource and RCP policies (RCPs Deny-only, with
`Principal: *`), most Allows, a quarter with a Condition on `CONTEXT_VALUES`' keys;
`scp_levels()` one SCP level (FullAWSAccess with generated policies, an allow-list, or
generated only), `rcp_levels()` one RCP level.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from .policies import A, ALICE, B, BOB

__all__ = ["ACTION_PATTERNS", "ALLOW_LISTS", "ANONYMOUS", "A_FED", "A_ROLE", "A_ROOT", "A_SESSION", "A_USER",
           "BUCKET_OBJECT", "B_ROLE", "B_ROOT", "B_SESSION", "B_USER", "CALLERS", "CONDITIONS", "CONTEXT_VALUES",
           "FEDERATED", "FULL_ACCESS", "KEY", "NO_IDENTITY", "QUEUE", "REQUESTS", "RESOURCE_PATTERNS",
           "RESOURCE_PRINCIPALS", "ROLE_SESSIONS", "ROOTS", "SERVICE", "TARGET_ROLE", "USERS", "chain_documents",
           "chain_statements", "rcp_levels", "scp_levels"]

ANONYMOUS = "*"

A_USER = ALICE
A_ROLE = f"arn:aws:iam::{A}:role/app"
A_SESSION = f"arn:aws:sts::{A}:assumed-role/app/s1"
A_FED = f"arn:aws:sts::{A}:federated-user/carol"
A_ROOT = f"arn:aws:iam::{A}:root"
B_USER = BOB
B_ROLE = f"arn:aws:iam::{B}:role/ops"
B_SESSION = f"arn:aws:sts::{B}:assumed-role/ops/s2"
B_ROOT = f"arn:aws:iam::{B}:root"
SERVICE = "cloudtrail.amazonaws.com"

USERS = {A_USER, B_USER}
ROLE_SESSIONS = {A_SESSION, B_SESSION}
FEDERATED = {A_FED}
ROOTS = {A_ROOT, B_ROOT}
NO_IDENTITY = {SERVICE, ANONYMOUS}
CALLERS = sorted(USERS | ROLE_SESSIONS | FEDERATED | ROOTS | NO_IDENTITY)

BUCKET_OBJECT = "arn:aws:s3:::bucket-a/team/key.txt"
QUEUE = f"arn:aws:sqs:us-east-1:{A}:orders"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TARGET_ROLE = f"arn:aws:iam::{A}:role/target"
# (action, resource): S3 (no account in the ARN), SQS and KMS in account A, a role (trust
# policy, §2.5), and an action on `*`.
REQUESTS = [
    ("s3:GetObject", BUCKET_OBJECT),
    ("s3:PutObject", BUCKET_OBJECT),
    ("sqs:SendMessage", QUEUE),
    ("kms:Decrypt", KEY),
    ("sts:AssumeRole", TARGET_ROLE),
    ("ec2:DescribeInstances", "*"),
]
ACTION_PATTERNS = ["*", "*", "s3:*", "s3:GetObject", "s3:Put*", "sqs:SendMessage", "kms:*", "sts:AssumeRole",
                   "ec2:Describe*", "iam:*"]
RESOURCE_PATTERNS = ["*", "*", "*", "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-b/*", f"arn:aws:sqs:*:{A}:*",
                     f"arn:aws:kms:us-east-1:{A}:key/*", f"arn:aws:iam::{A}:role/*",
                     "arn:aws:s3:::bucket-a/${aws:PrincipalTag/team}/*"]
RESOURCE_PRINCIPALS = ["*", {"AWS": "*"}, {"AWS": A}, {"AWS": A_ROOT}, {"AWS": B}, {"AWS": A_USER},
                       {"AWS": B_USER}, {"AWS": A_ROLE}, {"AWS": A_SESSION}, {"AWS": B_ROLE},
                       {"AWS": B_SESSION}, {"AWS": A_FED}, {"Service": SERVICE}, {"AWS": [A_USER, B]}]
CONDITIONS = [
    {"StringEquals": {"aws:PrincipalTag/team": "team"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"StringEquals": {"aws:PrincipalAccount": A}},
    {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:*"}},
]
CONTEXT_VALUES = {
    "aws:PrincipalTag/team": st.sampled_from(["team", "other"]),
    "aws:MultiFactorAuthPresent": st.booleans(),
    "aws:SourceIp": st.sampled_from(["10.1.2.3", "203.0.113.5"]),
    "aws:PrincipalOrgID": st.sampled_from(["o-abc", "o-xyz"]),
}


# Strategies are built once, not on every draw: hypothesis spends more time checking a freshly
# built strategy than drawing from it. Hence the module-level strategies and cached factories.
# Mostly Allows: with many Denies nearly every request ends in ExplicitDeny.
_EFFECTS = st.sampled_from(["Allow"] * 9 + ["Deny"])
_RESOURCE_PRINCIPALS = st.sampled_from(RESOURCE_PRINCIPALS)
_ACTION_ELEMENTS = st.sampled_from(["Action", "Action", "NotAction"])
_ACTIONS = st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2)
_RESOURCES = st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2)
_QUARTER = st.integers(0, 3)
_CONDITIONS = st.sampled_from(CONDITIONS)


@st.composite
def _statement(draw: st.DrawFn, kind: str, effect: str | None) -> dict[str, Any]:
    if kind == "rcp":
        effect = "Deny"  # customer RCPs are Deny-only (§4)
    effect = effect or draw(_EFFECTS)
    out: dict[str, Any] = {"Effect": effect}
    if kind == "rcp":
        out["Principal"] = "*"
    elif kind == "resource_policy":
        out["Principal"] = draw(_RESOURCE_PRINCIPALS)
    element = "Action" if kind == "rcp" else draw(_ACTION_ELEMENTS)
    out[element] = sorted(set(draw(_ACTIONS)))
    out["Resource"] = sorted(set(draw(_RESOURCES)))
    # RCPs are Deny-only: most real ones carry a Condition (a data perimeter), so most here do.
    if draw(_QUARTER) == 0 or (kind == "rcp" and draw(_QUARTER) > 0):
        out["Condition"] = draw(_CONDITIONS)
    return out


@cache
def chain_statements(kind: str, effect: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """One statement of a policy of `kind` (identity, permission_boundary, session, scp,
    resource, rcp), with or without a Condition."""
    return _statement(kind, effect)


@cache
def chain_documents(kind: str, min_size: int = 1) -> st.SearchStrategy[dict[str, Any]]:
    """A policy of `kind` with `min_size` to two statements."""
    return st.lists(chain_statements(kind), min_size=min_size, max_size=2).map(
        lambda statements: {"Version": "2012-10-17", "Statement": statements})



FULL_ACCESS: dict[str, Any] = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

# Allow-list SCPs, as organizations write them in place of FullAWSAccess (§4).
ALLOW_LISTS = [["s3:*"], ["ec2:*", "iam:*"], ["sqs:*", "kms:*", "sts:*"]]


@cache
def scp_levels() -> st.SearchStrategy[list[dict[str, Any]]]:
    """One SCP level: FullAWSAccess with generated policies, an allow-list, or generated only."""
    with_full = st.lists(chain_documents("scp"), max_size=2).map(lambda docs: [FULL_ACCESS] + docs)
    allow_list = st.sampled_from(ALLOW_LISTS).map(
        lambda actions: [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions,
                                                                   "Resource": "*"}]}])
    return st.one_of(with_full, with_full, allow_list, st.lists(chain_documents("scp"), min_size=1, max_size=2))


@cache
def rcp_levels() -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(chain_documents("rcp"), min_size=1, max_size=2)

