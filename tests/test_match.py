"""Matching of actions, resources and principals (IAM-SEMANTICS §7, with §2.2, §5 and §14).

Each row is a fact about AWS. Most tables go through the public surface: a policy with one
element under test, one request, and the decision tells whether the element matched. The
low-level matchers (`Glob`, `ResourcePattern`) have small tables of their own at the end.
"""

from __future__ import annotations

import pytest

import iameval
from helpers import (A, ALICE, ANONYMOUS, B, BOB, BUCKET, CLOUDTRAIL, DAVE, FED_CAROL, OBJECT, READER_ROLE,
                     READER_SESSION, ROOT_A, ROOT_B, authorizer, doc)
from iameval.policy._arn import split_arn
from iameval.policy._match import Glob, ResourcePattern

OTHER_SESSION = f"arn:aws:sts::{A}:assumed-role/Writer/alice-session"
APP_READER_ROLE = f"arn:aws:iam::{A}:role/app/Reader"
BOB_SESSION = f"arn:aws:sts::{B}:assumed-role/Auditor/bob-session"


def _decide(request: dict, identity: list[dict] = (), resource: dict | None = None,
            permission_boundary: dict | None = None) -> str:
    return str(authorizer(identity, resource, permission_boundary).authorize(request).decision)


def _segments(resource: str) -> list[str] | None:
    """What `ResourcePattern.matches` expects: the six segments of an ARN, else None."""
    segments = split_arn(resource)
    return segments if resource.startswith("arn:") and len(segments) == 6 else None


# ------------------------------------------------------------------------------------- §7.2

@pytest.mark.parametrize("pattern, action, matches", [
    pytest.param("s3:GetObject", "s3:GetObject", True, id="7.2-exact-action-matches"),
    pytest.param("s3:GetObject", "S3:GETOBJECT", True, id="7.2-request-action-case-is-ignored"),
    pytest.param("IAM:listaccesskeys", "iam:ListAccessKeys", True,
                 id="7.2-IAM:listaccesskeys-equals-iam:ListAccessKeys"),
    pytest.param("s3:Get*", "s3:GetObject", True, id="7.2-trailing-star-matches-rest-of-name"),
    pytest.param("s3:get*", "s3:GetObjectAcl", True, id="7.2-star-pattern-case-is-ignored"),
    pytest.param("s3:Get*", "s3:PutObject", False, id="7.2-trailing-star-keeps-the-prefix"),
    pytest.param("s3:GetObject*", "s3:GetObject", True, id="7.2-star-matches-empty-run"),
    pytest.param("iam:*AccessKey*", "iam:CreateAccessKey", True, id="7.2-stars-anywhere-create"),
    pytest.param("iam:*AccessKey*", "iam:ListAccessKeys", True, id="7.2-stars-anywhere-list"),
    pytest.param("iam:*AccessKey*", "iam:ListUsers", False, id="7.2-stars-anywhere-still-need-the-text"),
    pytest.param("s3:*Object", "s3:GetObject", True, id="7.2-leading-star-in-name"),
    pytest.param("s3:*Object", "s3:GetObjectAcl", False, id="7.2-whole-string-no-implied-trailing-star"),
    pytest.param("*", "ec2:RunInstances", True, id="7.2-star-alone-matches-every-action"),
    pytest.param("*:GetObject", "s3:GetObject", True, id="7.2-wildcard-in-service-prefix-is-legal"),
    pytest.param("s3:*", "ec2:DescribeInstances", False, id="7.2-service-star-stays-in-its-service"),
    pytest.param("s3:*", "s3express:CreateSession", False, id="7.2-service-prefix-is-not-a-string-prefix"),
    pytest.param("s3:Get?bject", "s3:GetObject", True, id="7.2-question-mark-one-char"),
    pytest.param("s3:Get?bject", "s3:Getbject", False, id="7.2-question-mark-not-zero-chars"),
    pytest.param("s3:Get?bject", "s3:GetOObject", False, id="7.2-question-mark-not-two-chars"),
    pytest.param("s3:Get", "s3:GetObject", False, id="7.2-no-partial-prefix-matching"),
    pytest.param("s3:GetObject", "s3:Get", False, id="7.2-longer-pattern-does-not-match-shorter"),
    pytest.param("s3:GetObject", "s3:GetObjectVersion", False, id="7.2-exact-name-is-whole-string"),
])
def test_action_matching(pattern: str, action: str, matches: bool) -> None:
    """§7.2: the whole `prefix:name` string, case-insensitive glob with `*` and `?`."""
    identity = [doc({"Effect": "Allow", "Action": pattern, "Resource": "*"})]
    decision = _decide({"principal": ALICE, "action": action, "resource": "*"}, identity)
    assert decision == ("Allow" if matches else "ImplicitDeny")


# ------------------------------------------------------------------------------------- §7.3

_ACTION_FOR_SERVICE = {
    "s3": "s3:GetObject", "sqs": "sqs:SendMessage", "iam": "iam:GetUser", "logs": "logs:PutLogEvents",
    "dynamodb": "dynamodb:GetItem", "ec2": "ec2:StartInstances",
}


@pytest.mark.parametrize("pattern, resource, matches", [
    pytest.param("*", OBJECT, True, id="7.3-star-alone-matches-any-arn"),
    pytest.param("*", "*", True, id="7.3-star-alone-matches-request-resource-star"),
    pytest.param(f"{BUCKET}/*", "*", False, id="7.3-request-resource-star-against-arn-pattern"),
    pytest.param("arn:aws:s3:::*", "*", False, id="7.3-request-resource-star-against-s3-star-pattern"),
    pytest.param(BUCKET, BUCKET, True, id="7.3-exact-arn-matches"),
    pytest.param(BUCKET, f"{BUCKET}/key", False, id="7.3-no-prefix-matching-bucket-vs-object"),
    pytest.param(f"{BUCKET}/*", BUCKET, False, id="7.3-object-pattern-does-not-cover-bucket"),
    pytest.param(f"{BUCKET}/*", "arn:aws:s3:::example-bucket-2/key", False,
                 id="7.3-bucket-slash-star-does-not-cover-similar-bucket"),
    pytest.param("arn:aws:s3:::Example-Bucket/*", f"{BUCKET}/key", False, id="7.3-resource-is-case-sensitive"),
    pytest.param(f"arn:aws:iam::{A}:user/Alice", ALICE, False, id="7.3-iam-user-name-in-resource-case-sensitive"),
    pytest.param(f"arn:aws:iam::{A}:user/alice", ALICE, True, id="7.3-iam-user-name-exact-case-matches"),
    pytest.param(f"{BUCKET}/*", OBJECT, True, id="7.3-star-in-resource-segment-crosses-slash"),
    pytest.param(f"arn:aws:logs:us-east-1:{A}:log-group:*",
                 f"arn:aws:logs:us-east-1:{A}:log-group:app:log-stream:s1", True,
                 id="7.3-star-in-resource-segment-crosses-colon"),
    pytest.param(f"arn:aws:sqs:*:{A}:queue1", f"arn:aws:sqs:eu-west-1:{A}:queue1", True,
                 id="7.3-star-in-region-matches-any-region"),
    pytest.param(f"arn:aws:sqs:*:{A}:queue1", f"arn:aws:sqs:eu-west-1:{B}:queue1", False,
                 id="7.3-star-in-region-matches-one-segment-only"),
    pytest.param("arn:aws:dynamodb:us-east-1:*:table/Books", f"arn:aws:dynamodb:us-east-1:{B}:table/Books",
                 True, id="7.3-star-in-account-matches-any-account"),
    pytest.param("arn:aws:dynamodb:us-east-1:*:table/Books", f"arn:aws:dynamodb:us-east-1:{A}:table/Magazines",
                 False, id="7.3-star-in-account-does-not-reach-resource-segment"),
    pytest.param("arn:aws:dynamodb:*:*:table/Books", f"arn:aws:dynamodb:ap-south-1:{A}:table/Books", True,
                 id="7.3-stars-in-region-and-account"),
    pytest.param("arn:aws:s3:*:*:example-bucket", BUCKET, True, id="7.3-star-segment-matches-empty-segment"),
    pytest.param(f"{BUCKET}/report-?.csv", f"{BUCKET}/report-1.csv", True, id="7.3-question-mark-one-char"),
    pytest.param(f"{BUCKET}/report-?.csv", f"{BUCKET}/report-10.csv", False, id="7.3-question-mark-not-two-chars"),
    pytest.param(f"{BUCKET}/report-?.csv", f"{BUCKET}/report-.csv", False, id="7.3-question-mark-not-zero-chars"),
    pytest.param(f"arn:aws:sqs:us-east-?:{A}:queue1", f"arn:aws:sqs:us-east-2:{A}:queue1", True,
                 id="7.3-question-mark-in-region"),
    pytest.param(BUCKET, "arn:aws:s3:us-east-1::example-bucket", False,
                 id="7.3-empty-s3-region-must-match-literally"),
    pytest.param("arn:aws:ec2:us-east-1::instance/*", f"arn:aws:ec2:us-east-1:{A}:instance/i-0abc",
                 False, id="7.3-empty-account-in-pattern-matches-only-empty"),
    pytest.param("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket//test/x", True,
                 id="7.3-bucket/*/test/*-matches-bucket//test/x"),
    pytest.param("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1/2/test/3/x", True,
                 id="7.3-bucket/*/test/*-matches-bucket/1/2/test/3/x"),
    pytest.param("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1-test/x", False,
                 id="7.3-bucket/*/test/*-not-bucket/1-test/x"),
    pytest.param("arn:aws:sqs:us-east-2:*", f"arn:aws:sqs:us-east-2:{A}:queue1", True,
                 id="7.3-14.2-short-pattern-trailing-star-reaches-past-colons"),
    pytest.param("arn:aws:sqs:us-east-2:*", f"arn:aws:sqs:us-west-2:{A}:queue1", False,
                 id="7.3-14.2-short-pattern-earlier-segments-still-match-one-to-one"),
    pytest.param("arn:aws:sqs:us-*", f"arn:aws:sqs:us-east-2:{A}:queue1", True,
                 id="7.3-14.2-short-pattern-star-in-region-reaches-past-colons"),
    pytest.param("arn:aws:s3:::example-bucket", "arn:aws-cn:s3:::example-bucket", False,
                 id="7.3-partition-must-match"),
    pytest.param("arn:*:s3:::example-bucket", "arn:aws-us-gov:s3:::example-bucket", True,
                 id="7.3-star-in-partition-matches-any-partition"),
])
def test_resource_matching(pattern: str, resource: str, matches: bool) -> None:
    """§7.3: segment-wise, case-sensitive glob; `*` alone matches everything."""
    service = split_arn(resource)[2] if resource.startswith("arn:") else "s3"
    action = _ACTION_FOR_SERVICE[service] if resource != "*" else "s3:ListAllMyBuckets"
    identity = [doc({"Effect": "Allow", "Action": "*", "Resource": pattern})]
    decision = _decide({"principal": ALICE, "action": action, "resource": resource,
                        "resource_account": A}, identity)
    assert decision == ("Allow" if matches else "ImplicitDeny")


_LONG_PATTERN = "arn:aws:s3:::" + "a*" * 30 + "b"  # 30 `*`, each after an `a`, ending in `b`
_LONG_ARN_NO_B = "arn:aws:s3:::" + "a" * (10_000 - len("arn:aws:s3:::"))
_LONG_ARN_B = _LONG_ARN_NO_B[:-1] + "b"


@pytest.mark.parametrize("resource, matches", [
    pytest.param(_LONG_ARN_NO_B, False, id="7.3-30-stars-vs-10000-chars-without-final-b"),
    pytest.param(_LONG_ARN_B, True, id="7.3-30-stars-vs-10000-chars-ending-in-b"),
])
def test_resource_matching_is_linear(resource: str, matches: bool) -> None:
    """§7.3: a pattern a backtracking matcher would never finish on still gets an answer.

    No timing assertion here (STYLE.md: benchmarks live in bench/); a backtracking matcher would
    simply not return.
    """
    assert len(resource) == 10_000
    assert _LONG_PATTERN.count("*") == 30
    assert ResourcePattern(_LONG_PATTERN).matches(resource, _segments(resource)) is matches
    identity = [doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": _LONG_PATTERN})]
    decision = _decide({"principal": ALICE, "action": "s3:GetObject", "resource": resource,
                        "resource_account": A}, identity)
    assert decision == ("Allow" if matches else "ImplicitDeny")


# ------------------------------------------------------------------------------------- §7.1

_ALLOW_NOT_DELETE_BUCKET = doc({"Effect": "Allow", "NotAction": "s3:DeleteBucket",
                                 "Resource": "arn:aws:s3:::*"})
_DENY_S3_OUTSIDE_BUCKET = doc(
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, f"{BUCKET}/*"]},
)


@pytest.mark.parametrize("policy, action, resource, expect", [
    pytest.param(_ALLOW_NOT_DELETE_BUCKET, "s3:GetObject", OBJECT, "Allow",
                 id="7.1-allow-notaction-grants-unlisted-action-within-resource"),
    pytest.param(_ALLOW_NOT_DELETE_BUCKET, "s3:DeleteBucket", BUCKET, "ImplicitDeny",
                 id="7.1-allow-notaction-does-not-grant-the-listed-action"),
    pytest.param(_ALLOW_NOT_DELETE_BUCKET, "s3:ListAllMyBuckets", "*", "ImplicitDeny",
                 id="7.1-allow-notaction-resource-s3-star-does-not-cover-resource-star"),
    pytest.param(_ALLOW_NOT_DELETE_BUCKET, "ec2:StartInstances", f"arn:aws:ec2:us-east-1:{A}:instance/i-0abc",
                 "ImplicitDeny", id="7.1-allow-notaction-resource-s3-star-does-not-cover-ec2-arns"),
    pytest.param(_DENY_S3_OUTSIDE_BUCKET, "s3:GetObject", "arn:aws:s3:::other-bucket/key", "ExplicitDeny",
                 id="7.1-deny-notresource-denies-unlisted-resource"),
    pytest.param(_DENY_S3_OUTSIDE_BUCKET, "s3:GetObject", OBJECT, "Allow",
                 id="7.1-deny-notresource-spares-listed-resource"),
    pytest.param(_DENY_S3_OUTSIDE_BUCKET, "s3:ListAllMyBuckets", "*", "ExplicitDeny",
                 id="7.1-deny-notresource-covers-resource-star"),
    pytest.param(_DENY_S3_OUTSIDE_BUCKET, "ec2:StartInstances", f"arn:aws:ec2:us-east-1:{A}:instance/i-0abc",
                 "Allow", id="7.1-deny-notresource-leaves-actions-outside-its-action-set"),
    pytest.param(doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
                      {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),
                 "iam:GetUser", ALICE, "Allow", id="7.1-deny-notaction-spares-listed-action"),
    pytest.param(doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
                      {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),
                 "s3:GetObject", OBJECT, "ExplicitDeny", id="7.1-deny-notaction-denies-unlisted-action"),
])
def test_negated_elements_are_exclusion_lists(policy: dict, action: str, resource: str, expect: str) -> None:
    """§7.1: NotAction and NotResource exclude; the other elements of the statement still limit."""
    decision = _decide({"principal": ALICE, "action": action, "resource": resource,
                        "resource_account": A}, [policy])
    assert decision == expect


# ------------------------------------------------------------------------------------- §7.4

_ALLOW_EVERYTHING = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


def _principal_applies(element: str, value, caller: str, context: dict | None = None,
                       boundary: bool = False) -> str:
    """Decide a GetObject on a bucket of account A whose policy is a Deny naming `value` in
    `element` (Principal or NotPrincipal) plus an Allow to `*`.

    The caller gets an identity Allow for everything when it can have identity policies (not
    the root user, a service or an anonymous caller), so the decision is ExplicitDeny exactly
    when the Deny statement applies and Allow otherwise.
    """
    resource = doc(
        {"Sid": "DenyNamed", "Effect": "Deny", element: value, "Action": "s3:GetObject",
         "Resource": f"{BUCKET}/*"},
        {"Sid": "AllowEveryone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"{BUCKET}/*"},
    )
    has_identity = caller.startswith("arn:") and not caller.endswith(":root")
    request = {"principal": caller, "action": "s3:GetObject", "resource": OBJECT, "resource_account": A}
    if context:
        request["context"] = context
    return _decide(request, [_ALLOW_EVERYTHING] if has_identity else [], resource,
                   _ALLOW_EVERYTHING if boundary else None)


@pytest.mark.parametrize("principal, caller, context, matches", [
    pytest.param({"AWS": A}, ALICE, None, True, id="7.4-account-id-matches-user-of-account"),
    pytest.param({"AWS": A}, ROOT_A, None, True, id="7.4-account-id-matches-root-of-account"),
    pytest.param({"AWS": A}, READER_SESSION, None, True, id="7.4-account-id-matches-role-session"),
    pytest.param({"AWS": A}, FED_CAROL, None, True, id="7.4-account-id-matches-federated-user"),
    pytest.param({"AWS": ROOT_A}, ALICE, None, True, id="7.4-root-arn-equals-account-id-matches-user"),
    pytest.param({"AWS": ROOT_A}, READER_SESSION, None, True, id="7.4-root-arn-matches-role-session"),
    pytest.param({"AWS": ROOT_A}, ROOT_A, None, True, id="7.4-root-arn-matches-root"),
    pytest.param({"AWS": A}, BOB, None, False, id="7.4-account-id-does-not-match-other-account"),
    pytest.param({"AWS": ROOT_B}, ROOT_A, None, False, id="7.4-other-root-arn-does-not-match-root"),
    pytest.param({"AWS": A}, CLOUDTRAIL, None, False, id="7.4-account-id-does-not-match-service"),
    pytest.param({"AWS": A}, ANONYMOUS, None, False, id="7.4-account-id-does-not-match-anonymous"),
    pytest.param("*", ALICE, None, True, id="7.4-star-matches-user"),
    pytest.param("*", BOB, None, True, id="7.4-star-matches-user-of-other-account"),
    pytest.param("*", ROOT_A, None, True, id="7.4-star-matches-root"),
    pytest.param("*", CLOUDTRAIL, None, True, id="2.6-star-matches-service-principal"),
    pytest.param("*", ANONYMOUS, None, True, id="2.6-star-matches-anonymous"),
    pytest.param({"AWS": "*"}, ALICE, None, True, id="7.4-aws-star-matches-user"),
    pytest.param({"AWS": "*"}, READER_SESSION, None, True, id="7.4-aws-star-matches-role-session"),
    pytest.param({"AWS": "*"}, ANONYMOUS, None, True, id="14.1-aws-star-matches-anonymous-engine-choice"),
    pytest.param({"AWS": ALICE}, ALICE, None, True, id="7.4-exact-user-arn-matches"),
    pytest.param({"AWS": f"arn:aws:iam::{A}:user/Alice"}, ALICE, None, False,
                 id="6.4-7.4-user-name-in-principal-is-case-sensitive"),
    pytest.param({"AWS": ALICE}, f"arn:aws:iam::{A}:user/division/alice", None, False,
                 id="7.4-user-arn-without-path-does-not-match-user-with-path"),
    pytest.param({"AWS": ALICE}, DAVE, None, False, id="7.4-user-arn-does-not-match-other-user"),
    pytest.param({"AWS": ALICE}, ROOT_A, None, False, id="7.4-user-arn-does-not-match-root"),
    pytest.param({"AWS": READER_ROLE}, READER_SESSION, None, True, id="7.4-role-arn-matches-its-sessions"),
    pytest.param({"AWS": READER_ROLE}, OTHER_SESSION, None, False,
                 id="7.4-role-arn-does-not-match-sessions-of-other-role"),
    pytest.param({"AWS": APP_READER_ROLE}, READER_SESSION, {"aws:PrincipalArn": APP_READER_ROLE}, True,
                 id="7.4-role-arn-with-path-matches-session-via-aws:PrincipalArn"),
    pytest.param({"AWS": READER_ROLE}, READER_SESSION, {"aws:PrincipalArn": APP_READER_ROLE}, False,
                 id="7.4-role-arn-without-path-does-not-match-session-of-role-with-path"),
    pytest.param({"AWS": READER_SESSION}, READER_SESSION, None, True, id="7.4-exact-session-arn-matches"),
    pytest.param({"AWS": f"arn:aws:sts::{A}:assumed-role/Reader/other-session"}, READER_SESSION, None,
                 False, id="7.4-session-arn-does-not-match-other-session-of-same-role"),
    pytest.param({"AWS": READER_SESSION}, ALICE, None, False, id="7.4-session-arn-does-not-match-user"),
    pytest.param({"AWS": FED_CAROL}, FED_CAROL, None, True, id="7.4-exact-federated-user-arn-matches"),
    pytest.param({"Service": CLOUDTRAIL}, CLOUDTRAIL, None, True, id="7.4-service-principal-matches-service"),
    pytest.param({"Service": "config.amazonaws.com"}, CLOUDTRAIL, None, False,
                 id="7.4-service-principal-does-not-match-other-service"),
    pytest.param({"Service": CLOUDTRAIL}, ALICE, None, False, id="7.4-service-principal-does-not-match-user"),
    pytest.param({"AWS": [DAVE, ALICE]}, ALICE, None, True, id="7.4-any-entry-of-a-list-matches"),
    pytest.param({"Service": "*"}, CLOUDTRAIL, None, True, id="7.4-service-star-matches-any-service-engine-choice"),
    pytest.param({"Service": "*"}, ALICE, None, False, id="7.4-service-star-does-not-match-a-user"),
    pytest.param({"Federated": "*"}, "accounts.google.com", None, True,
                 id="7.4-federated-star-matches-any-identity-provider-engine-choice"),
    pytest.param({"Federated": "*"}, ALICE, None, False, id="7.4-federated-star-does-not-match-a-user"),
    pytest.param({"CanonicalUser": "*"}, "a" * 64, None, True,
                 id="7.4-canonical-user-star-matches-any-canonical-user-engine-choice"),
    pytest.param({"CanonicalUser": "*"}, CLOUDTRAIL, None, False,
                 id="7.4-canonical-user-star-does-not-match-a-service"),
])
def test_principal_matching(principal, caller: str, context: dict | None, matches: bool) -> None:
    """§7.4, §2.2: which callers a `Principal` entry names."""
    decision = _principal_applies("Principal", principal, caller, context)
    assert decision == ("ExplicitDeny" if matches else "Allow")


@pytest.mark.parametrize("not_principal, caller, boundary, covered", [
    pytest.param({"AWS": [ALICE, A]}, ALICE, False, False,
                 id="7.4-14.7-notprincipal-user-listed-with-account-is-excluded"),
    pytest.param({"AWS": [ALICE, ROOT_A]}, ALICE, False, False,
                 id="7.4-14.7-notprincipal-user-listed-with-root-arn-is-excluded"),
    pytest.param({"AWS": [ALICE, A]}, BOB, False, True,
                 id="7.4-14.7-notprincipal-unlisted-user-is-denied"),
    pytest.param({"AWS": [READER_SESSION, READER_ROLE, A]}, READER_SESSION, False, False,
                 id="7.4-14.7-notprincipal-session-role-and-account-listed-is-excluded"),
    pytest.param({"AWS": [READER_SESSION, READER_ROLE, A]}, BOB_SESSION, False, True,
                 id="7.4-14.7-notprincipal-unlisted-session-is-denied"),
    pytest.param({"AWS": ROOT_A}, ROOT_A, False, False, id="7.4-14.7-notprincipal-root-listed-is-excluded"),
    pytest.param({"AWS": ROOT_A}, ROOT_B, False, True, id="7.4-14.7-notprincipal-other-root-is-denied"),
    pytest.param({"Service": CLOUDTRAIL}, CLOUDTRAIL, False, False,
                 id="7.4-notprincipal-listed-service-is-excluded"),
    pytest.param({"AWS": [ALICE, A]}, ALICE, True, True,
                 id="5-notprincipal-deny-always-applies-to-caller-with-boundary"),
])
def test_not_principal_with_deny(not_principal, caller: str, boundary: bool, covered: bool) -> None:
    """§7.4, §14.7, §5: Deny+NotPrincipal spares only fully listed callers, never a bounded one."""
    decision = _principal_applies("NotPrincipal", not_principal, caller, boundary=boundary)
    assert decision == ("ExplicitDeny" if covered else "Allow")


# ------------------------------------------------------------------------- low-level matchers

@pytest.mark.parametrize("pattern, text, matches", [
    pytest.param("", "", True, id="empty-matches-empty"),
    pytest.param("", "a", False, id="empty-matches-only-empty"),
    pytest.param("*", "", True, id="star-matches-empty"),
    pytest.param("**", "abc", True, id="double-star-matches-anything"),
    pytest.param("abc", "abc", True, id="literal-equal"),
    pytest.param("abc", "ABC", False, id="glob-is-case-sensitive"),
    pytest.param("a*", "a", True, id="trailing-star-empty-run"),
    pytest.param("a*b", "ab", True, id="middle-star-empty-run"),
    pytest.param("a*a", "a", False, id="first-and-last-chunk-cannot-overlap"),
    pytest.param("a*b*c", "axbyc", True, id="two-stars"),
    pytest.param("a*b*c", "acb", False, id="chunks-in-order"),
    pytest.param("*ab*abc", "ababc", True, id="middle-chunk-leftmost-then-suffix"),
    pytest.param("*ab*abc", "abc", False, id="too-short-for-all-chunks"),
    pytest.param("a?c", "abc", True, id="question-one-char"),
    pytest.param("a?c", "ac", False, id="question-not-zero-chars"),
    pytest.param("a?c", "abbc", False, id="question-not-two-chars"),
    pytest.param("?*", "", False, id="question-star-needs-one-char"),
    pytest.param("*?", "x", True, id="star-question-one-char"),
    pytest.param("*a?c*", "xxabcxx", True, id="question-in-middle-chunk"),
    pytest.param("*a?c*", "xxacxx", False, id="question-in-middle-chunk-needs-a-char"),
    pytest.param("a*?b", "a1b", True, id="question-after-star"),
    pytest.param("a.c", "abc", False, id="dot-is-literal"),
    pytest.param("(*)", "(x)", True, id="parentheses-are-literal"),
    pytest.param("a+", "aa", False, id="plus-is-literal"),
])
def test_glob(pattern: str, text: str, matches: bool) -> None:
    """§7.2/§7.3: `*` any run (even empty), `?` exactly one character, everything else literal."""
    assert Glob(pattern).matches(text) is matches


@pytest.mark.parametrize("pattern, resource, matches", [
    pytest.param("*", "not-an-arn", True, id="7.3-star-alone-matches-a-non-arn"),
    pytest.param("*", "*", True, id="7.3-star-alone-matches-star"),
    pytest.param("arn:aws:s3:::b/*", "*", False, id="7.3-request-star-is-matched-as-one-glob"),
    pytest.param("arn:aws:s3:::b/*", "arn:aws:s3:::b/k:1", True, id="7.3-resource-segment-keeps-colons"),
    pytest.param("arn:aws:s3:::*", "arn:aws:s3:us-east-1::b", False, id="7.3-empty-region-literal"),
    pytest.param(f"arn:aws:sqs:*:{A}:q", f"arn:aws:sqs:us-east-2:{A}:q", True, id="7.3-region-star"),
    pytest.param("arn:aws:sqs:*:q", f"arn:aws:sqs:us-east-2:{A}:q", False,
                 id="7.3-short-pattern-not-ending-in-star-matches-no-arn"),
    pytest.param("arn:aws:sqs:us-east-2:*", f"arn:aws:sqs:us-east-2:{A}:q", True,
                 id="7.3-14.2-short-pattern-trailing-star-crosses-colons"),
    pytest.param("arn:aws:sqs:us-east-2:*1", f"arn:aws:sqs:us-east-2:{A}:queue1", False,
                 id="7.3-14.2-short-pattern-not-ending-in-star-does-not-cross-colons"),
    pytest.param("arn:aws:sqs:us-east-2:*", f"arn:aws:sqs:eu-west-1:{A}:q", False,
                 id="7.3-14.2-short-pattern-head-segments-one-to-one"),
    pytest.param(f"arn:aws:sqs:us-east-2:{A}:q?", f"arn:aws:sqs:us-east-2:{A}:q1", True,
                 id="7.3-question-in-resource-segment"),
    pytest.param(f"arn:aws:sqs:us-east-2:{A}:Q1", f"arn:aws:sqs:us-east-2:{A}:q1", False,
                 id="7.3-case-sensitive"),
])
def test_resource_pattern(pattern: str, resource: str, matches: bool) -> None:
    """§7.3 at the matcher level: `ResourcePattern.matches(resource, segments-or-None)`."""
    assert ResourcePattern(pattern).matches(resource, _segments(resource)) is matches


@pytest.mark.parametrize("caller, principal_arn", [
    pytest.param(READER_SESSION, f"arn:aws:iam::{B}:role/Reader",
                 id="1-7.4-aws:PrincipalArn-of-a-session-is-a-role-in-the-sessions-account"),
    pytest.param(READER_SESSION, f"arn:aws:iam::{A}:role/Admin",
                 id="1-7.4-aws:PrincipalArn-of-a-session-names-the-sessions-own-role"),
])
def test_contradictory_principal_arn_is_refused(caller: str, principal_arn: str) -> None:
    """§1, §7.4: a role session's `aws:PrincipalArn` is its own role's ARN (same account, same
    role name, any path). A request that says otherwise describes no possible caller; it must be
    refused rather than used to match a `Principal` (STYLE.md: never skip silently)."""
    resource = doc({"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "s3:GetObject",
                     "Resource": f"{BUCKET}/*"})
    with pytest.raises(iameval.RequestError):
        _decide({"principal": caller, "action": "s3:GetObject", "resource": OBJECT, "resource_account": A,
                 "context": {"aws:PrincipalArn": principal_arn}}, [], resource)
