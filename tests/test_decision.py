"""The decision procedure: how policy types combine into Allow, ImplicitDeny or ExplicitDeny.

IAM-SEMANTICS §2 (single account), §3 (cross-account), §4 (SCPs and RCPs), §5 (boundaries and
session policies), §14 (the engine's documented choices). Each row is a fact about AWS, with
the section in its id. Account A (111122223333) owns the resources unless a row says
otherwise; account B (444455556666) is the other account.
"""

from __future__ import annotations

import pytest

import iameval
from helpers import (A, ALICE, ANONYMOUS, B, BOB, BUCKET, CAROL, CLOUDTRAIL, DAVE, FED_CAROL, READER_ROLE,
                     READER_SESSION, ROOT_A, ROOT_B, allow, case, decide, deny, doc, grant, request, trust)
from iameval import Policy, RequestError

AUDITOR_ROLE_B = f"arn:aws:iam::{B}:role/Auditor"
AUDITOR_SESSION_B = f"arn:aws:sts::{B}:assumed-role/Auditor/bob-session"
DEPLOYER = f"arn:aws:iam::{A}:role/Deployer"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE_A = f"arn:aws:sqs:us-east-1:{A}:orders"


# ------------------------------------------------------------------------------------ policies

FULL_ACCESS = doc(allow("*", "*", "FullAWSAccess"))
READ_OBJECTS = doc(allow("s3:GetObject", f"{BUCKET}/*", "ReadObjects"))
EC2_ONLY = doc(allow("ec2:*", "*", "Ec2Only"))
S3_ONLY = doc(allow("s3:*", "*", "S3Only"))
ASSUME_DEPLOYER = doc(allow("sts:AssumeRole", DEPLOYER, "AssumeDeployer"))
USE_KEY = doc(allow("kms:Decrypt", KEY, "UseKey"))
DENY_READ = doc(deny("s3:GetObject", "*", "DenyRead"))


# ----------------------------------------------------------------------- §2.1 deny and default

DEFAULT_AND_DENY = [
    case("2.1-default-deny-without-policies", "ImplicitDeny", request(ALICE)),
    case("2.1-default-deny-identity-allows-other-action", "ImplicitDeny", request(ALICE),
         identity=[doc(allow("s3:PutObject"))]),
    case("2.1-default-deny-identity-allows-other-resource", "ImplicitDeny", request(ALICE),
         identity=[doc(allow("s3:GetObject", "arn:aws:s3:::other-bucket/*"))]),
    case("2.1-identity-allow-alone-allows-in-own-account", "Allow", request(ALICE), identity=[READ_OBJECTS]),
    case("2.1-deny-wins-over-allow-in-same-policy", "ExplicitDeny", request(ALICE),
         identity=[doc(allow("s3:*"), deny("s3:GetObject"))]),
    case("2.1-deny-wins-over-allow-in-another-identity-policy", "ExplicitDeny", request(ALICE),
         identity=[READ_OBJECTS, DENY_READ]),
    case("2.1-statement-order-does-not-matter", "ExplicitDeny", request(ALICE),
         identity=[doc(deny("s3:GetObject"), allow("s3:*"))]),
    case("2.1-deny-for-other-action-does-not-apply", "Allow", request(ALICE),
         identity=[READ_OBJECTS, doc(deny("s3:DeleteObject"))]),
    case("2.1-resource-policy-deny-wins-over-identity-allow", "ExplicitDeny", request(ALICE),
         identity=[READ_OBJECTS], resource=doc(deny("s3:GetObject", f"{BUCKET}/*", Principal="*"))),
    case("2.1-identity-deny-wins-over-resource-grant-to-user", "ExplicitDeny", request(ALICE),
         identity=[DENY_READ], resource=grant({"AWS": ALICE})),
    case("2.1-identity-deny-wins-over-resource-grant-to-star", "ExplicitDeny", request(ALICE),
         identity=[DENY_READ], resource=grant("*")),
    case("2.1-resource-deny-naming-other-user-does-not-apply", "Allow", request(ALICE),
         identity=[READ_OBJECTS], resource=doc(deny("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": DAVE}))),
    case("2.1-boundary-deny-is-explicit", "ExplicitDeny", request(ALICE),
         identity=[READ_OBJECTS], permission_boundary=doc(allow("*"), deny("s3:GetObject"))),
    case("2.1-session-policy-deny-is-explicit", "ExplicitDeny", request(READER_SESSION),
         identity=[READ_OBJECTS], session=[doc(allow("*"), deny("s3:GetObject"))]),
    case("2.1-session-policy-deny-wins-over-resource-grant-to-session", "ExplicitDeny", request(READER_SESSION),
         session=[DENY_READ], resource=grant({"AWS": READER_SESSION})),
]


# --------------------------------------------------------------- §2.2 same-account grant classes

READ_GRANTS = [
    case("2.2-star-principal-allows-on-its-own", "Allow", request(ALICE), resource=grant("*")),
    case("2.2-aws-star-allows-on-its-own", "Allow", request(ALICE), resource=grant({"AWS": "*"})),
    case("2.2-star-principal-not-limited-by-boundary-implicit-deny", "Allow", request(ALICE),
         resource=grant("*"), permission_boundary=EC2_ONLY),
    case("2.2-user-arn-allows-without-identity-policy", "Allow", request(ALICE), resource=grant({"AWS": ALICE})),
    case("2.2-user-arn-not-limited-by-boundary-implicit-deny", "Allow", request(ALICE),
         resource=grant({"AWS": ALICE}), permission_boundary=EC2_ONLY),
    case("2.2-user-arn-for-other-user-grants-nothing", "ImplicitDeny", request(ALICE),
         resource=grant({"AWS": DAVE})),
    case("2.2-resource-policy-for-other-user-leaves-identity-allow", "Allow", request(ALICE),
         identity=[READ_OBJECTS], resource=grant({"AWS": DAVE})),
    case("2.2-session-arn-allows-without-identity-policy", "Allow", request(READER_SESSION),
         resource=grant({"AWS": READER_SESSION})),
    case("2.2-session-arn-not-limited-by-boundary-or-session-policy", "Allow", request(READER_SESSION),
         resource=grant({"AWS": READER_SESSION}), permission_boundary=EC2_ONLY, session=[EC2_ONLY]),
    case("2.2-role-arn-for-session-needs-no-identity-policy", "Allow", request(READER_SESSION),
         resource=grant({"AWS": READER_ROLE})),
    case("2.2-role-arn-for-session-with-boundary-allowing", "Allow", request(READER_SESSION),
         resource=grant({"AWS": READER_ROLE}), permission_boundary=S3_ONLY),
    case("2.2-role-arn-for-session-limited-by-boundary", "ImplicitDeny", request(READER_SESSION),
         resource=grant({"AWS": READER_ROLE}), permission_boundary=EC2_ONLY),
    case("2.2-role-arn-for-session-limited-by-session-policy", "ImplicitDeny", request(READER_SESSION),
         resource=grant({"AWS": READER_ROLE}), session=[EC2_ONLY]),
    case("2.2-role-arn-for-session-with-session-policy-allowing", "Allow", request(READER_SESSION),
         resource=grant({"AWS": READER_ROLE}), session=[S3_ONLY]),
    case("2.2-14.9-account-id-alone-grants-nothing", "ImplicitDeny", request(ALICE),
         resource=grant({"AWS": A})),
    case("2.2-14.9-account-root-arn-alone-grants-nothing", "ImplicitDeny", request(ALICE),
         resource=grant({"AWS": ROOT_A})),
    case("2.2-14.9-account-id-with-identity-allow", "Allow", request(ALICE),
         identity=[READ_OBJECTS], resource=grant({"AWS": A})),
    case("2.2-14.9-account-id-with-identity-allow-but-boundary-not", "ImplicitDeny", request(ALICE),
         identity=[READ_OBJECTS], resource=grant({"AWS": A}), permission_boundary=EC2_ONLY),
    case("2.2-14.9-account-id-for-session-needs-identity", "ImplicitDeny", request(READER_SESSION),
         resource=grant({"AWS": A})),
    case("2.2-2.4-federated-session-arn-allows-without-session-policy", "Allow", request(FED_CAROL),
         resource=grant({"AWS": FED_CAROL})),
    case("2.2-2.4-federating-user-arn-with-session-policy-allowing", "Allow",
         request(FED_CAROL, federated_from=CAROL), resource=grant({"AWS": CAROL}), session=[S3_ONLY]),
    case("2.2-2.4-federating-user-arn-without-session-policy", "ImplicitDeny",
         request(FED_CAROL, federated_from=CAROL), resource=grant({"AWS": CAROL})),
    case("2.2-2.4-federating-user-arn-limited-by-boundary", "ImplicitDeny",
         request(FED_CAROL, federated_from=CAROL), resource=grant({"AWS": CAROL}),
         session=[S3_ONLY], permission_boundary=EC2_ONLY),
    case("14.8-federating-user-arn-without-federated_from-does-not-match", "ImplicitDeny",
         request(FED_CAROL), resource=grant({"AWS": CAROL}), session=[S3_ONLY]),
]


# --------------------------------------------------------------------------- §3 cross-account

CROSS_ACCOUNT = [
    case("3-both-sides-allow", "Allow", request(BOB), identity=[READ_OBJECTS], resource=grant({"AWS": BOB})),
    case("3-resource-names-user-but-no-identity-allow", "ImplicitDeny", request(BOB),
         resource=grant({"AWS": BOB})),
    case("3-resource-names-account-with-identity-allow", "Allow", request(BOB),
         identity=[READ_OBJECTS], resource=grant({"AWS": B})),
    case("3-naming-the-account-still-needs-identity-allow", "ImplicitDeny", request(BOB),
         resource=grant({"AWS": B})),
    case("3-resource-star-still-needs-identity-allow", "ImplicitDeny", request(BOB), resource=grant("*")),
    case("3-resource-star-with-identity-allow", "Allow", request(BOB), identity=[READ_OBJECTS],
         resource=grant("*")),
    case("3-no-resource-policy-is-implicit-deny", "ImplicitDeny", request(BOB), identity=[READ_OBJECTS]),
    case("3-resource-policy-naming-someone-else-is-implicit-deny", "ImplicitDeny", request(BOB),
         identity=[READ_OBJECTS], resource=grant({"AWS": A})),
    case("3-role-arn-matches-remote-session", "Allow", request(AUDITOR_SESSION_B), identity=[READ_OBJECTS],
         resource=grant({"AWS": AUDITOR_ROLE_B})),
    case("3-session-arn-does-not-excuse-identity-side", "ImplicitDeny", request(AUDITOR_SESSION_B),
         resource=grant({"AWS": AUDITOR_SESSION_B})),
    case("3-caller-boundary-applies", "ImplicitDeny", request(BOB), identity=[READ_OBJECTS],
         resource=grant({"AWS": BOB}), permission_boundary=EC2_ONLY),
    case("3-caller-session-policy-applies", "ImplicitDeny", request(AUDITOR_SESSION_B), identity=[READ_OBJECTS],
         resource=grant({"AWS": AUDITOR_SESSION_B}), session=[EC2_ONLY]),
    case("3-explicit-deny-on-identity-side", "ExplicitDeny", request(BOB),
         identity=[READ_OBJECTS, DENY_READ], resource=grant({"AWS": BOB})),
    case("3-explicit-deny-on-resource-side", "ExplicitDeny", request(BOB), identity=[READ_OBJECTS],
         resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": B}),
                      deny("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": BOB}))),
    case("3-resource-account-read-from-the-arn", "ImplicitDeny",
         request(BOB, "sqs:SendMessage", QUEUE_A, account=None), identity=[doc(allow("sqs:SendMessage"))]),
    case("3-root-of-other-account-needs-only-resource-side", "Allow", request(ROOT_B), resource=grant({"AWS": B})),
    case("3-root-of-other-account-without-resource-policy", "ImplicitDeny", request(ROOT_B)),
]


# ------------------------------------------------------------------------------- §2.3 root user

ROOT = [
    case("2.3-root-needs-no-allow-in-own-account", "Allow", request(ROOT_A)),
    # S3's lock-out protection, beyond §2.3 (S3 API reference, PutBucketPolicy): the bucket owner's
    # root user may replace the bucket policy whatever it denies, and only that.
    case("2.3-s3-lockout-root-may-put-bucket-policy-despite-deny", "Allow",
         request(ROOT_A, "s3:PutBucketPolicy", BUCKET), resource=doc(deny("s3:*", BUCKET, Principal="*"))),
    case("2.3-s3-lockout-covers-only-bucket-policy-actions", "ExplicitDeny",
         request(ROOT_A, "s3:DeleteBucket", BUCKET), resource=doc(deny("s3:*", BUCKET, Principal="*"))),
    case("2.3-root-needs-no-allow-for-any-action", "Allow", request(ROOT_A, "ec2:TerminateInstances",
                                                                    f"arn:aws:ec2:us-east-1:{A}:instance/i-0abc")),
    case("2.3-resource-policy-deny-to-star-applies-to-root", "ExplicitDeny", request(ROOT_A),
         resource=doc(deny("s3:GetObject", f"{BUCKET}/*", Principal="*"))),
    case("2.3-resource-policy-deny-to-account-applies-to-root", "ExplicitDeny", request(ROOT_A),
         resource=doc(deny("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": A}))),
    case("2.3-resource-policy-deny-to-a-user-spares-root", "Allow", request(ROOT_A),
         resource=doc(deny("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": ALICE}))),
    case("2.3-4-scp-deny-applies-to-member-account-root", "ExplicitDeny", request(ROOT_A),
         scps=[FULL_ACCESS, doc(allow("*"), deny("s3:GetObject"))]),
    case("2.3-4-scp-without-allow-caps-member-account-root", "ImplicitDeny", request(ROOT_A),
         scps=[FULL_ACCESS, EC2_ONLY]),
]


# ------------------------------------------------------------- §2.6 services and anonymous callers

SERVICES_AND_ANONYMOUS = [
    case("2.6-service-principal-allowed-by-service-entry", "Allow", request(CLOUDTRAIL, "s3:PutObject"),
         resource=grant({"Service": CLOUDTRAIL}, "s3:PutObject")),
    case("2.6-service-principal-allowed-by-star", "Allow", request(CLOUDTRAIL, "s3:PutObject"),
         resource=grant("*", "s3:PutObject")),
    case("2.6-service-principal-not-named", "ImplicitDeny", request(CLOUDTRAIL, "s3:PutObject"),
         resource=grant({"Service": "config.amazonaws.com"}, "s3:PutObject")),
    case("2.6-service-principal-not-matched-by-account", "ImplicitDeny", request(CLOUDTRAIL, "s3:PutObject"),
         resource=grant({"AWS": A}, "s3:PutObject")),
    case("2.6-service-principal-without-resource-policy", "ImplicitDeny", request(CLOUDTRAIL, "s3:PutObject")),
    case("2.6-resource-deny-applies-to-service", "ExplicitDeny", request(CLOUDTRAIL, "s3:PutObject"),
         resource=doc(allow("s3:PutObject", f"{BUCKET}/*", Principal={"Service": CLOUDTRAIL}),
                      deny("s3:PutObject", f"{BUCKET}/*", Principal={"Service": CLOUDTRAIL}))),
    case("2.6-4-scps-do-not-apply-to-service-principals", "Allow", request(CLOUDTRAIL, "s3:PutObject"),
         resource=grant({"Service": CLOUDTRAIL}, "s3:PutObject"), scps=[doc(deny("*"), allow("*"))]),
    case("2.6-4-rcp-deny-applies-to-service-principals", "ExplicitDeny", request(CLOUDTRAIL, "s3:PutObject"),
         resource=grant({"Service": CLOUDTRAIL}, "s3:PutObject"),
         rcps=[doc(deny("s3:PutObject", "*", Principal="*"))]),
    case("2.6-anonymous-allowed-by-star", "Allow", request(ANONYMOUS), resource=grant("*")),
    case("2.6-14.1-anonymous-allowed-by-aws-star", "Allow", request(ANONYMOUS), resource=grant({"AWS": "*"})),
    case("2.6-anonymous-not-matched-by-account", "ImplicitDeny", request(ANONYMOUS), resource=grant({"AWS": A})),
    case("2.6-anonymous-without-resource-policy", "ImplicitDeny", request(ANONYMOUS)),
    case("2.6-anonymous-resource-deny-to-star", "ExplicitDeny", request(ANONYMOUS),
         resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal="*"),
                      deny("s3:GetObject", f"{BUCKET}/*", Principal="*"))),
]


# ---------------------------------------------------------------- §2.5 mandatory resource policies

ASSUME = dict(action="sts:AssumeRole", resource=DEPLOYER)
DECRYPT = dict(action="kms:Decrypt", resource=KEY)

MANDATORY = [
    case("2.5-assume-role-identity-allow-without-trust-policy", "ImplicitDeny", request(ALICE, **ASSUME),
         identity=[ASSUME_DEPLOYER]),
    case("2.5-assume-role-identity-allow-but-trust-names-someone-else", "ImplicitDeny",
         request(ALICE, **ASSUME), identity=[ASSUME_DEPLOYER], resource=trust({"AWS": DAVE})),
    case("2.5-assume-role-trust-names-account-needs-identity-allow", "ImplicitDeny", request(ALICE, **ASSUME),
         resource=trust({"AWS": A})),
    case("2.5-assume-role-trust-names-account-with-identity-allow", "Allow", request(ALICE, **ASSUME),
         identity=[ASSUME_DEPLOYER], resource=trust({"AWS": A})),
    case("2.5-assume-role-trust-names-root-arn-with-identity-allow", "Allow", request(ALICE, **ASSUME),
         identity=[ASSUME_DEPLOYER], resource=trust({"AWS": ROOT_A})),
    case("2.5-assume-role-trust-names-account-identity-allow-boundary-not", "ImplicitDeny",
         request(ALICE, **ASSUME), identity=[ASSUME_DEPLOYER], resource=trust({"AWS": A}),
         permission_boundary=S3_ONLY),
    case("2.5-assume-role-trust-names-user-needs-no-identity-policy", "Allow", request(ALICE, **ASSUME),
         resource=trust({"AWS": ALICE})),
    case("2.5-assume-role-trust-names-user-but-boundary-does-not-allow", "ImplicitDeny",
         request(ALICE, **ASSUME), resource=trust({"AWS": ALICE}), permission_boundary=S3_ONLY),
    case("2.5-assume-role-trust-names-user-and-boundary-allows", "Allow", request(ALICE, **ASSUME),
         resource=trust({"AWS": ALICE}), permission_boundary=doc(allow("sts:AssumeRole"))),
    case("2.5-assume-role-trust-names-callers-role-limited-by-session-policy", "ImplicitDeny",
         request(READER_SESSION, **ASSUME), resource=trust({"AWS": READER_ROLE}), session=[S3_ONLY]),
    case("2.5-assume-role-trust-names-callers-role", "Allow", request(READER_SESSION, **ASSUME),
         resource=trust({"AWS": READER_ROLE})),
    case("2.5-assume-role-trust-names-callers-session", "Allow", request(READER_SESSION, **ASSUME),
         resource=trust({"AWS": READER_SESSION}), permission_boundary=S3_ONLY),
    case("2.5-14.14-assume-role-trust-principal-star-is-evaluated", "Allow", request(ALICE, **ASSUME),
         resource=trust("*")),
    case("2.5-assume-role-trust-for-other-action-does-not-count", "ImplicitDeny", request(ALICE, **ASSUME),
         identity=[ASSUME_DEPLOYER], resource=trust({"AWS": A}, "sts:TagSession")),
    case("2.5-tag-session-also-needs-trust", "ImplicitDeny", request(ALICE, "sts:TagSession", DEPLOYER),
         identity=[doc(allow("sts:TagSession", DEPLOYER))]),
    case("2.5-3-cross-account-trust-names-account-with-identity-allow", "Allow", request(BOB, **ASSUME),
         identity=[ASSUME_DEPLOYER], resource=trust({"AWS": B})),
    case("2.5-3-cross-account-trust-names-account-without-identity-allow", "ImplicitDeny",
         request(BOB, **ASSUME), resource=trust({"AWS": B})),
    case("2.5-3-cross-account-trust-names-user-still-needs-identity-allow", "ImplicitDeny",
         request(BOB, **ASSUME), resource=trust({"AWS": BOB})),
    case("2.5-kms-identity-allow-without-key-policy", "ImplicitDeny", request(ALICE, **DECRYPT),
         identity=[USE_KEY]),
    case("2.5-kms-key-policy-allowing-root-makes-iam-policies-count", "Allow", request(ALICE, **DECRYPT),
         identity=[USE_KEY], resource=doc(allow("kms:*", "*", Principal={"AWS": ROOT_A}))),
    case("2.5-kms-key-policy-allowing-root-without-identity-allow", "ImplicitDeny", request(ALICE, **DECRYPT),
         resource=doc(allow("kms:*", "*", Principal={"AWS": ROOT_A}))),
    case("2.5-kms-key-policy-naming-user", "Allow", request(ALICE, **DECRYPT),
         resource=doc(allow("kms:Decrypt", "*", Principal={"AWS": ALICE}))),
    case("2.5-kms-key-policy-deny", "ExplicitDeny", request(ALICE, **DECRYPT), identity=[USE_KEY],
         resource=doc(allow("kms:*", "*", Principal={"AWS": ROOT_A}),
                      deny("kms:Decrypt", "*", Principal={"AWS": ALICE}))),
    case("2.5-resource_policy_required-flag-makes-s3-grant-mandatory", "ImplicitDeny",
         request(ALICE, resource_policy_required=True), identity=[READ_OBJECTS]),
    case("2.5-resource_policy_required-false-lets-identity-allow-kms", "Allow",
         request(ALICE, resource_policy_required=False, **DECRYPT), identity=[USE_KEY]),
]


# ------------------------------------------------------------------------------ §4 SCPs and RCPs

ORGANIZATIONS = [
    case("4-every-scp-level-allows", "Allow", request(ALICE), identity=[READ_OBJECTS],
         scps=[FULL_ACCESS, FULL_ACCESS, S3_ONLY]),
    case("4-one-scp-level-without-allow-is-implicit-deny", "ImplicitDeny", request(ALICE),
         identity=[READ_OBJECTS], scps=[FULL_ACCESS, EC2_ONLY, FULL_ACCESS]),
    case("4-scp-policies-of-one-level-are-ored", "Allow", request(ALICE), identity=[READ_OBJECTS],
         scps=[FULL_ACCESS, [EC2_ONLY, S3_ONLY]]),
    case("4-scp-deny-at-root-level-denies", "ExplicitDeny", request(ALICE), identity=[READ_OBJECTS],
         scps=[[FULL_ACCESS, DENY_READ], FULL_ACCESS]),
    case("4-scp-deny-at-account-level-denies", "ExplicitDeny", request(ALICE), identity=[READ_OBJECTS],
         scps=[FULL_ACCESS, [FULL_ACCESS, DENY_READ]]),
    case("4-scps-never-grant", "ImplicitDeny", request(ALICE), scps=[FULL_ACCESS, FULL_ACCESS]),
    case("4-2.1-scp-caps-same-account-resource-grant", "ImplicitDeny", request(ALICE),
         resource=grant("*"), scps=[FULL_ACCESS, EC2_ONLY]),
    case("4-3-callers-scps-apply-cross-account", "ImplicitDeny", request(BOB), identity=[READ_OBJECTS],
         resource=grant({"AWS": BOB}), scps=[FULL_ACCESS, EC2_ONLY]),
    case("4-rcp-deny-denies", "ExplicitDeny", request(ALICE), identity=[READ_OBJECTS],
         rcps=[doc(deny("s3:GetObject", "*", Principal="*"))]),
    case("4-rcp-deny-at-lower-level-denies", "ExplicitDeny", request(ALICE), identity=[READ_OBJECTS],
         rcps=[doc(deny("s3:DeleteObject", "*", Principal="*")), doc(deny("s3:GetObject", "*", Principal="*"))]),
    case("4-rcp-deny-for-other-action-does-not-block", "Allow", request(ALICE), identity=[READ_OBJECTS],
         rcps=[doc(deny("s3:DeleteObject", "*", Principal="*"))]),
    case("4-rcps-never-grant", "ImplicitDeny", request(ALICE),
         rcps=[doc(deny("s3:DeleteObject", "*", Principal="*"))]),
    case("4-3-rcp-deny-applies-to-cross-account-caller", "ExplicitDeny", request(BOB), identity=[READ_OBJECTS],
         resource=grant({"AWS": BOB}), rcps=[doc(deny("s3:GetObject", "*", Principal="*"))]),
]


# ------------------------------------------------------------- §5, §2.4 boundaries and sessions

BOUNDARIES_AND_SESSIONS = [
    case("5-identity-and-boundary-allow", "Allow", request(ALICE), identity=[READ_OBJECTS],
         permission_boundary=S3_ONLY),
    case("5-boundary-without-allow-caps-identity", "ImplicitDeny", request(ALICE), identity=[READ_OBJECTS],
         permission_boundary=EC2_ONLY),
    case("5-boundary-never-grants", "ImplicitDeny", request(ALICE), permission_boundary=S3_ONLY),
    case("5-boundary-caps-role-session", "ImplicitDeny", request(READER_SESSION), identity=[READ_OBJECTS],
         permission_boundary=EC2_ONLY),
    case("2.4-role-session-without-session-policy-has-role-permissions", "Allow", request(READER_SESSION),
         identity=[READ_OBJECTS]),
    case("2.4-role-session-policy-allowing", "Allow", request(READER_SESSION), identity=[READ_OBJECTS],
         session=[S3_ONLY]),
    case("2.4-role-session-policy-narrows", "ImplicitDeny", request(READER_SESSION), identity=[READ_OBJECTS],
         session=[EC2_ONLY]),
    case("2.4-session-policy-never-grants", "ImplicitDeny", request(READER_SESSION), session=[S3_ONLY]),
    case("5-several-session-policies-are-ored", "Allow", request(READER_SESSION), identity=[READ_OBJECTS],
         session=[EC2_ONLY, S3_ONLY]),
    case("2.4-identity-boundary-and-session-all-allow", "Allow", request(READER_SESSION),
         identity=[READ_OBJECTS], permission_boundary=S3_ONLY, session=[READ_OBJECTS]),
    case("2.4-federated-session-without-session-policy-has-no-identity-permissions", "ImplicitDeny",
         request(FED_CAROL), identity=[READ_OBJECTS]),
    case("2.4-federated-session-with-session-policy", "Allow", request(FED_CAROL), identity=[READ_OBJECTS],
         session=[S3_ONLY]),
    case("2.4-federated-session-policy-narrows", "ImplicitDeny", request(FED_CAROL), identity=[READ_OBJECTS],
         session=[EC2_ONLY]),
]


@pytest.mark.parametrize("policies, req, expect", DEFAULT_AND_DENY + READ_GRANTS + CROSS_ACCOUNT + ROOT
                         + SERVICES_AND_ANONYMOUS + MANDATORY + ORGANIZATIONS + BOUNDARIES_AND_SESSIONS)
def test_decision(policies: dict, req: dict, expect: str) -> None:
    """§2-§5: the decision for one request under one set of policies."""
    result = decide(policies, req)
    assert result.decision == expect, result.summary


# ------------------------------------------------------------------------------------- reasons

def _named(document: dict, kind: str, name: str) -> Policy:
    return iameval.load_policy(document, kind, name=name)


@pytest.mark.parametrize("policies, req, expect, reasons", [
    pytest.param(dict(identity=[READ_OBJECTS, doc(allow("s3:*"), deny("s3:GetObject", sid="DenyRead"))]),
                 request(ALICE), "ExplicitDeny", [("identity[1]", "DenyRead", "Deny")],
                 id="2.1-deny-reason-names-policy-index-and-sid"),
    pytest.param(dict(identity=[doc(allow("s3:*"), deny("s3:GetObject"))]),
                 request(ALICE), "ExplicitDeny", [("identity[0]", "Statement[1]", "Deny")],
                 id="2.1-13-statement-without-sid-is-named-by-index"),
    pytest.param(dict(identity=[_named(doc(allow("s3:Get*", sid="ReadAll")), "identity", "ReadOnlyAccess")]),
                 request(ALICE), "Allow", [("ReadOnlyAccess", "ReadAll", "Allow")],
                 id="13-allow-reason-names-the-policy-by-its-name"),
    pytest.param(dict(resource=grant({"AWS": ALICE}, sid="AliceReads")),
                 request(ALICE), "Allow", [("resource", "AliceReads", "Allow")],
                 id="2.2-13-resource-grant-reason"),
    pytest.param(dict(identity=[READ_OBJECTS],
                      resource=doc(deny("s3:GetObject", f"{BUCKET}/*", "NoOne", Principal="*"))),
                 request(ALICE), "ExplicitDeny", [("resource", "NoOne", "Deny")],
                 id="2.1-13-resource-deny-reason"),
    pytest.param(dict(identity=[READ_OBJECTS], scps=[FULL_ACCESS, [FULL_ACCESS, DENY_READ]]),
                 request(ALICE), "ExplicitDeny", [("scps[1][1]", "DenyRead", "Deny")],
                 id="4-13-scp-deny-reason-names-level-and-policy"),
    pytest.param(dict(identity=[READ_OBJECTS], scps=[DENY_READ]),
                 request(ALICE), "ExplicitDeny", [("scps[0]", "DenyRead", "Deny")],
                 id="4-13-single-policy-scp-level-reason"),
    pytest.param(dict(identity=[DENY_READ], resource=doc(deny("s3:GetObject", f"{BUCKET}/*", "NoOne", Principal="*"))),
                 request(ALICE), "ExplicitDeny", [("resource", "NoOne", "Deny"), ("identity[0]", "DenyRead", "Deny")],
                 id="2.1-13-every-applicable-deny-is-a-reason"),
    pytest.param(dict(identity=[READ_OBJECTS], permission_boundary=_named(S3_ONLY, "permission_boundary",
                                                                          "DeveloperBoundary")),
                 request(ALICE), "Allow", [("identity[0]", "ReadObjects", "Allow"),
                                           ("DeveloperBoundary", "S3Only", "Allow")],
                 id="5-13-allow-reasons-include-the-boundary-statement"),
])
def test_reasons(policies: dict, req: dict, expect: str, reasons: list[tuple[str, str, str]]) -> None:
    """§13: a result names the statements that decided it: policy label, Sid or `Statement[i]`."""
    result = decide(policies, req)
    assert result.decision == expect
    found = [(m.ref.policy, m.ref.statement, m.ref.effect) for m in result.reasons]
    assert sorted(found) == sorted(reasons)


@pytest.mark.parametrize("policies, req, expect, words", [
    pytest.param(dict(identity=[READ_OBJECTS], permission_boundary=EC2_ONLY), request(ALICE),
                 "ImplicitDeny", "no permissions boundary allows", id="2.1-5-summary-names-the-boundary"),
    pytest.param(dict(resource=grant({"AWS": READER_ROLE}), permission_boundary=EC2_ONLY),
                 request(READER_SESSION), "ImplicitDeny", "no permissions boundary allows",
                 id="2.2-summary-names-the-boundary-for-role-grant"),
    pytest.param(dict(resource=trust({"AWS": ALICE}), permission_boundary=S3_ONLY),
                 request(ALICE, **ASSUME), "ImplicitDeny", "no permissions boundary allows",
                 id="2.5-summary-names-the-boundary-for-direct-trust"),
    pytest.param(dict(identity=[READ_OBJECTS], scps=[FULL_ACCESS, EC2_ONLY]), request(ALICE),
                 "ImplicitDeny", "service control policy", id="2.1-4-summary-names-the-scp-gate"),
    pytest.param(dict(identity=[READ_OBJECTS], scps=[DENY_READ]), request(ALICE),
                 "ExplicitDeny", "service control policy", id="2.1-4-explicit-scp-deny-summary"),
    pytest.param(dict(identity=[DENY_READ]), request(ALICE),
                 "ExplicitDeny", "identity-based policy", id="2.1-explicit-identity-deny-summary"),
    pytest.param(dict(), request(ALICE), "ImplicitDeny", "no identity-based policy allows",
                 id="2.1-summary-names-the-identity-gate"),
    pytest.param(dict(identity=[READ_OBJECTS], session=[EC2_ONLY]), request(READER_SESSION),
                 "ImplicitDeny", "no session policy allows", id="2.1-summary-names-the-session-gate"),
    pytest.param(dict(identity=[READ_OBJECTS]), request(FED_CAROL), "ImplicitDeny",
                 "federated-user session without a session policy",
                 id="2.4-summary-explains-federated-session-without-session-policy"),
    pytest.param(dict(identity=[READ_OBJECTS]), request(BOB), "ImplicitDeny", "no resource-based policy allows",
                 id="3-summary-names-the-missing-resource-policy"),
    pytest.param(dict(identity=[ASSUME_DEPLOYER]), request(ALICE, **ASSUME), "ImplicitDeny",
                 "no resource-based policy allows", id="2.5-summary-names-the-missing-trust-policy"),
])
def test_summary_names_the_gate(policies: dict, req: dict, expect: str, words: str) -> None:
    """§2.1, §13: an ImplicitDeny is reported with the gate that had no Allow."""
    result = decide(policies, req)
    assert result.decision == expect
    assert words in result.summary


# ---------------------------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("policies, req", [
    pytest.param(dict(identity=[FULL_ACCESS]), request(ROOT_A), id="2.3-root-user-has-no-identity-policies"),
    pytest.param(dict(permission_boundary=FULL_ACCESS), request(ROOT_A), id="2.3-root-user-has-no-boundary"),
    pytest.param(dict(session=[FULL_ACCESS]), request(ROOT_A), id="2.3-root-user-has-no-session-policy"),
    pytest.param(dict(identity=[FULL_ACCESS]), request(CLOUDTRAIL), id="2.6-service-has-no-identity-policies"),
    pytest.param(dict(identity=[FULL_ACCESS]), request(ANONYMOUS), id="2.6-anonymous-has-no-identity-policies"),
    pytest.param(dict(session=[FULL_ACCESS]), request(ALICE), id="2.4-iam-user-has-no-session-policy"),
])
def test_policies_a_caller_cannot_have_are_an_error(policies: dict, req: dict) -> None:
    """§2.3, §2.6, §2.4: policies that cannot be attached to the caller are refused, not ignored."""
    with pytest.raises(RequestError):
        decide(policies, req)


def test_customer_rcp_cannot_allow() -> None:
    """§4: customer RCPs are Deny-only; an Allow statement is refused when the policy is loaded."""
    with pytest.raises(iameval.PolicyError):
        iameval.load_policy(doc(allow("s3:GetObject", "*", Principal="*")), "rcp")
