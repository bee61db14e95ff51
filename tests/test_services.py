"""Rules that services apply beyond the policies (IAM-SEMANTICS §2.7).

One table per rule, each row naming the AWS page it comes from, with the rows where the rule
does not apply next to those where it does. Then: no policy changes what a rule decided, how a
request states its credentials and an identity provider, key policies, and how the result, the
explanation and the command show the rule.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers import (A, ALICE, ANONYMOUS, B, BOB, BUCKET, FED_CAROL, OBJECT, READER_ROLE, READER_SESSION, ROOT,
                     ROOT_A, ROOT_B, allow, authorizer, decide, deny, doc, flat, grant, invoke, request, trust, write)
import iameval
from iameval import Decision, RequestError, explain
from iameval.engine import RULES

ALLOW_ALL = doc(allow("*", "*"))
DENY_ALL = doc(deny("*", "*"))
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE = f"arn:aws:sqs:us-east-1:{A}:orders"
TABLE = f"arn:aws:dynamodb:us-east-1:{A}:table/orders"
DOMAIN = f"arn:aws:codeartifact:us-east-1:{A}:domain/builds"
TARGET = f"arn:aws:iam::{A}:role/target"
B_SESSION = f"arn:aws:sts::{B}:assumed-role/ops/s2"
SLR_SESSION = f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForConfig/config"

STS_API = "https://docs.aws.amazon.com/STS/latest/APIReference/"
COMPARISON = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html"
GET_SESSION_TOKEN = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html"
KMS_CROSS_ACCOUNT = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"
PUT_BUCKET_POLICY = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html"
SQS_ADD_PERMISSION = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html"


def row(id: str, expect: str, rule: str | None, request_: dict, source: str, **policies: Any) -> Any:
    """A row: the request, its policies, the decision and the rule that must decide it (None: no
    rule applies, the policies decide), and the AWS page the row comes from."""
    return pytest.param(policies, request_, expect, rule, source, id=id)


def _check(policies: dict, request_: dict, expect: str, rule: str | None, source: str) -> iameval.Result:
    result = decide(policies, request_)
    assert (result.decision, result.rule.id if result.rule else None) == (expect, rule)
    if rule is not None:
        assert result.gate == "service_rule" and result.reasons == ()
        assert result.rule.source == source and result.summary == result.rule.summary
    else:
        assert result.gate != "service_rule"
    return result


def _mfa(value: bool) -> dict:
    return {"aws:MultiFactorAuthPresent": value}


# ------------------------------------------------------------------------ sts:GetCallerIdentity

@pytest.mark.parametrize("policies, request_, expect, rule, source", [
    row("user-denied-explicitly", "Allow", "get-caller-identity", request(ALICE, "sts:GetCallerIdentity", "*"),
        STS_API + "API_GetCallerIdentity.html", identity=[DENY_ALL]),
    row("user-without-policies", "Allow", "get-caller-identity", request(ALICE, "sts:GetCallerIdentity", "*"),
        STS_API + "API_GetCallerIdentity.html"),
    row("role-session-scp-without-allow", "Allow", "get-caller-identity",
        request(READER_SESSION, "sts:GetCallerIdentity", "*"), STS_API + "API_GetCallerIdentity.html",
        identity=[ALLOW_ALL], scps=[doc(allow("s3:*", "*"))]),
    row("federated-user-without-session-policy", "Allow", "get-caller-identity",
        request(FED_CAROL, "sts:GetCallerIdentity", "*"), STS_API + "API_GetCallerIdentity.html"),
    row("root-user", "Allow", "get-caller-identity", request(ROOT_A, "sts:GetCallerIdentity", "*"),
        STS_API + "API_GetCallerIdentity.html"),
    row("get-session-token-session", "Allow", "get-caller-identity",
        request(ALICE, "sts:GetCallerIdentity", "*", credentials="GetSessionToken"),
        STS_API + "API_GetCallerIdentity.html", identity=[DENY_ALL]),
    # Not applying: an anonymous caller is not authenticated; another STS action needs a permission.
    row("anonymous-not-authenticated", "ImplicitDeny", None, request(ANONYMOUS, "sts:GetCallerIdentity", "*"),
        STS_API + "API_GetCallerIdentity.html"),
    row("get-access-key-info-needs-permission", "ImplicitDeny", None,
        request(ALICE, "sts:GetAccessKeyInfo", "*"), STS_API + "API_GetCallerIdentity.html"),
    row("get-access-key-info-allowed", "Allow", None, request(ALICE, "sts:GetAccessKeyInfo", "*"),
        STS_API + "API_GetCallerIdentity.html", identity=[doc(allow("sts:GetAccessKeyInfo", "*"))]),
])
def test_get_caller_identity_needs_no_permission(policies, request_, expect, rule, source):
    _check(policies, request_, expect, rule, source)


# ------------------------------------------------------------------------ sts:GetSessionToken

@pytest.mark.parametrize("policies, request_, expect, rule, source", [
    row("user-denied-explicitly", "Allow", "get-session-token", request(ALICE, "sts:GetSessionToken", "*"),
        GET_SESSION_TOKEN, identity=[doc(deny("sts:*", "*"))]),
    row("root-long-term", "Allow", "get-session-token", request(ROOT_A, "sts:GetSessionToken", "*"),
        GET_SESSION_TOKEN),
    row("user-long-term-said", "Allow", "get-session-token",
        request(ALICE, "sts:GetSessionToken", "*", credentials="long-term"), GET_SESSION_TOKEN),
    # Not applying: temporary credentials cannot call it at all (the rows below name their rule).
    row("role-session", "ImplicitDeny", "role-session-cannot-get-tokens",
        request(READER_SESSION, "sts:GetSessionToken", "*"), COMPARISON, identity=[ALLOW_ALL]),
    row("federated-user", "ImplicitDeny", "federated-user-sts-only-get-caller-identity",
        request(FED_CAROL, "sts:GetSessionToken", "*"), COMPARISON, identity=[ALLOW_ALL], session=[ALLOW_ALL]),
    row("get-session-token-session", "ImplicitDeny", "session-token-sts-only-assume-role",
        request(ALICE, "sts:GetSessionToken", "*", credentials="GetSessionToken"), COMPARISON,
        identity=[ALLOW_ALL]),
])
def test_get_session_token_needs_no_permission_with_long_term_credentials(policies, request_, expect, rule, source):
    _check(policies, request_, expect, rule, source)


# ------------------------------------------------------------------- the root user and roles

ROOT_TRUSTED = trust({"AWS": A})


@pytest.mark.parametrize("policies, request_, expect, rule, source", [
    row("root-assume-role-trusted", "ImplicitDeny", "root-cannot-assume-role",
        request(ROOT_A, "sts:AssumeRole", TARGET), STS_API + "API_AssumeRole.html", resource=ROOT_TRUSTED),
    row("root-of-other-account", "ImplicitDeny", "root-cannot-assume-role",
        request(ROOT_B, "sts:AssumeRole", TARGET), STS_API + "API_AssumeRole.html", resource=trust({"AWS": B})),
    row("root-session-token", "ImplicitDeny", "root-cannot-assume-role",
        request(ROOT_A, "sts:AssumeRole", TARGET, credentials="GetSessionToken"), STS_API + "API_AssumeRole.html",
        resource=ROOT_TRUSTED),
    row("root-assume-root", "ImplicitDeny", "root-cannot-assume-role",
        request(ROOT_A, "sts:AssumeRoot", f"arn:aws:iam::{B}:root"), STS_API + "API_AssumeRole.html"),
    # Not applying: an IAM user, or a role session (role chaining), assumes a role.
    row("user-assumes-role", "Allow", None, request(ALICE, "sts:AssumeRole", TARGET),
        STS_API + "API_AssumeRole.html", identity=[doc(allow("sts:AssumeRole", TARGET))], resource=ROOT_TRUSTED),
    row("role-session-chains", "Allow", None, request(READER_SESSION, "sts:AssumeRole", TARGET),
        STS_API + "API_AssumeRole.html", identity=[doc(allow("sts:AssumeRole", TARGET))], resource=ROOT_TRUSTED),
    row("root-tags-session", "ImplicitDeny", None, request(ROOT_A, "sts:TagSession", TARGET),
        STS_API + "API_AssumeRole.html"),
])
def test_the_root_user_cannot_assume_a_role(policies, request_, expect, rule, source):
    _check(policies, request_, expect, rule, source)


# ------------------------------------------------------ temporary credentials, by how obtained

@pytest.mark.parametrize("policies, request_, expect, rule, source", [
    # Role sessions, however the role was assumed.
    row("role-session-get-federation-token", "ImplicitDeny", "role-session-cannot-get-tokens",
        request(READER_SESSION, "sts:GetFederationToken", "*"), COMPARISON, identity=[ALLOW_ALL]),
    row("web-identity-session-get-session-token", "ImplicitDeny", "role-session-cannot-get-tokens",
        request(READER_SESSION, "sts:GetSessionToken", "*", credentials="AssumeRoleWithWebIdentity"), COMPARISON,
        identity=[ALLOW_ALL]),
    row("saml-session-get-federation-token", "ImplicitDeny", "role-session-cannot-get-tokens",
        request(READER_SESSION, "sts:GetFederationToken", "*", credentials="AssumeRoleWithSAML"), COMPARISON,
        identity=[ALLOW_ALL]),
    row("role-arn-as-caller", "ImplicitDeny", "role-session-cannot-get-tokens",
        request(READER_ROLE, "sts:GetSessionToken", "*"), COMPARISON, identity=[ALLOW_ALL]),
    row("role-session-iam-allowed", "Allow", None, request(READER_SESSION, "iam:ListUsers", "*"), COMPARISON,
        identity=[ALLOW_ALL]),
    # An IAM user's long-term credentials may get a federation token, with a permission.
    row("user-get-federation-token-allowed", "Allow", None, request(ALICE, "sts:GetFederationToken", "*"),
        COMPARISON, identity=[doc(allow("sts:GetFederationToken", "*"))]),
    row("user-get-federation-token-not-allowed", "ImplicitDeny", None,
        request(ALICE, "sts:GetFederationToken", "*"), COMPARISON),
    # Federated-user sessions: no IAM, no STS but GetCallerIdentity.
    row("federated-user-iam", "ImplicitDeny", "federated-user-cannot-call-iam",
        request(FED_CAROL, "iam:ListUsers", "*"), COMPARISON, identity=[ALLOW_ALL], session=[ALLOW_ALL]),
    row("federated-user-assume-role", "ImplicitDeny", "federated-user-sts-only-get-caller-identity",
        request(FED_CAROL, "sts:AssumeRole", TARGET), COMPARISON, identity=[ALLOW_ALL], session=[ALLOW_ALL],
        resource=ROOT_TRUSTED),
    row("federated-user-s3-allowed", "Allow", None, request(FED_CAROL, "s3:GetObject", OBJECT), COMPARISON,
        identity=[ALLOW_ALL], session=[ALLOW_ALL]),
    # GetSessionToken sessions: IAM only with MFA; STS only AssumeRole and GetCallerIdentity.
    row("session-token-iam-without-mfa", "ImplicitDeny", "session-token-iam-needs-mfa",
        request(ALICE, "iam:ListUsers", "*", credentials="GetSessionToken"), COMPARISON, identity=[ALLOW_ALL]),
    row("session-token-iam-mfa-false", "ImplicitDeny", "session-token-iam-needs-mfa",
        request(ALICE, "iam:CreateUser", "*", credentials="GetSessionToken", context=_mfa(False)), COMPARISON,
        identity=[ALLOW_ALL]),
    row("session-token-iam-with-mfa", "Allow", None,
        request(ALICE, "iam:CreateUser", "*", credentials="GetSessionToken", context=_mfa(True)), COMPARISON,
        identity=[ALLOW_ALL]),
    row("session-token-iam-mfa-text", "Allow", None,
        request(ALICE, "iam:ListUsers", "*", credentials="getsessiontoken",
                context={"aws:multifactorauthpresent": "TRUE"}), COMPARISON, identity=[ALLOW_ALL]),
    row("root-session-token-iam-without-mfa", "ImplicitDeny", "session-token-iam-needs-mfa",
        request(ROOT_A, "iam:ListUsers", "*", credentials="GetSessionToken"), COMPARISON),
    row("session-token-get-federation-token", "ImplicitDeny", "session-token-sts-only-assume-role",
        request(ALICE, "sts:GetFederationToken", "*", credentials="GetSessionToken"), COMPARISON,
        identity=[ALLOW_ALL]),
    row("session-token-assume-role", "Allow", None,
        request(ALICE, "sts:AssumeRole", TARGET, credentials="GetSessionToken"), COMPARISON,
        identity=[ALLOW_ALL], resource=ROOT_TRUSTED),
    row("long-term-user-iam", "Allow", None, request(ALICE, "iam:ListUsers", "*"), COMPARISON,
        identity=[ALLOW_ALL]),
])
def test_temporary_credentials_carry_restrictions(policies, request_, expect, rule, source):
    _check(policies, request_, expect, rule, source)


# --------------------------------------------------------------------------- across accounts

KEY_POLICY_FOR_B = doc(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{B}:root"}),
                       allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{A}:root"}))


@pytest.mark.parametrize("policies, request_, expect, rule, source", [
    row("kms-put-key-policy-other-account", "ImplicitDeny", "kms-operation-not-cross-account",
        request(BOB, "kms:PutKeyPolicy", KEY, None), KMS_CROSS_ACCOUNT, identity=[ALLOW_ALL], resource=KEY_POLICY_FOR_B),
    row("kms-schedule-deletion-other-account", "ImplicitDeny", "kms-operation-not-cross-account",
        request(B_SESSION, "kms:ScheduleKeyDeletion", KEY, None), KMS_CROSS_ACCOUNT, identity=[ALLOW_ALL],
        resource=KEY_POLICY_FOR_B),
    row("kms-decrypt-other-account", "Allow", None, request(BOB, "kms:Decrypt", KEY, None), KMS_CROSS_ACCOUNT,
        identity=[ALLOW_ALL], resource=KEY_POLICY_FOR_B),
    row("kms-create-grant-other-account", "Allow", None, request(BOB, "kms:CreateGrant", KEY, None),
        KMS_CROSS_ACCOUNT, identity=[ALLOW_ALL], resource=KEY_POLICY_FOR_B),
    row("kms-reencrypt-to-other-account", "Allow", None, request(BOB, "kms:ReEncryptTo", KEY, None),
        KMS_CROSS_ACCOUNT, identity=[ALLOW_ALL], resource=KEY_POLICY_FOR_B),
    row("kms-put-key-policy-same-account", "Allow", None, request(ALICE, "kms:PutKeyPolicy", KEY, None),
        KMS_CROSS_ACCOUNT, identity=[ALLOW_ALL], resource=KEY_POLICY_FOR_B),
    row("s3-put-bucket-policy-other-account", "ImplicitDeny", "s3-bucket-policy-owner-account-only",
        request(BOB, "s3:PutBucketPolicy", BUCKET, A), PUT_BUCKET_POLICY, identity=[ALLOW_ALL],
        resource=grant({"AWS": BOB}, "s3:*", BUCKET)),
    row("s3-get-bucket-policy-other-root", "ImplicitDeny", "s3-bucket-policy-owner-account-only",
        request(ROOT_B, "s3:GetBucketPolicy", BUCKET, A), PUT_BUCKET_POLICY,
        resource=grant({"AWS": B}, "s3:*", BUCKET)),
    row("s3-put-bucket-policy-same-account", "Allow", None, request(ALICE, "s3:PutBucketPolicy", BUCKET, A),
        PUT_BUCKET_POLICY, identity=[ALLOW_ALL]),
    row("s3-get-object-other-account", "Allow", None, request(BOB, "s3:GetObject", OBJECT, A), PUT_BUCKET_POLICY,
        identity=[ALLOW_ALL], resource=grant({"AWS": BOB})),
    row("sqs-set-queue-attributes-other-account", "ImplicitDeny", "sqs-operation-not-cross-account",
        request(BOB, "sqs:SetQueueAttributes", QUEUE, None), SQS_ADD_PERMISSION, identity=[ALLOW_ALL],
        resource=grant({"AWS": B}, "sqs:*", QUEUE)),
    row("sqs-add-permission-other-account", "ImplicitDeny", "sqs-operation-not-cross-account",
        request(BOB, "sqs:AddPermission", QUEUE, None), SQS_ADD_PERMISSION, identity=[ALLOW_ALL],
        resource=grant({"AWS": B}, "sqs:*", QUEUE)),
    row("sqs-send-message-other-account", "Allow", None, request(BOB, "sqs:SendMessage", QUEUE, None),
        SQS_ADD_PERMISSION, identity=[ALLOW_ALL], resource=grant({"AWS": B}, "sqs:*", QUEUE)),
    row("sqs-set-queue-attributes-same-account", "Allow", None, request(ALICE, "sqs:SetQueueAttributes", QUEUE, None),
        SQS_ADD_PERMISSION, identity=[ALLOW_ALL]),
])
def test_operations_that_do_not_work_across_accounts(policies, request_, expect, rule, source):
    _check(policies, request_, expect, rule, source)


# ------------------------------------------------------------ policies a service sets aside

@pytest.mark.parametrize("policies, request_, expect", [
    # The table owner's root user may delete a resource policy that denies it (lock-out protection).
    pytest.param({"resource": doc(deny("dynamodb:*", "*", Principal="*"))},
                 request(ROOT_A, "dynamodb:DeleteResourcePolicy", TABLE), "Allow", id="dynamodb-root-unlocks"),
    pytest.param({"resource": doc(deny("dynamodb:*", "*", Principal="*"))},
                 request(ROOT_A, "dynamodb:PutResourcePolicy", TABLE), "ExplicitDeny", id="dynamodb-put-not-covered"),
    pytest.param({"resource": doc(deny("dynamodb:*", "*", Principal="*"))},
                 request(ALICE, "dynamodb:DeleteResourcePolicy", TABLE), "ExplicitDeny", id="dynamodb-user-not-root"),
    pytest.param({"resource": doc(deny("dynamodb:*", "*", Principal="*")), "scps": [doc(allow("*", "*"),
                  deny("dynamodb:DeleteResourcePolicy", "*"))]},
                 request(ROOT_A, "dynamodb:DeleteResourcePolicy", TABLE), "ExplicitDeny", id="dynamodb-scp-still-denies"),
    # CodeArtifact does not read the policy it is replacing.
    pytest.param({"identity": [ALLOW_ALL], "resource": doc(deny("codeartifact:*", "*", Principal="*"))},
                 request(ALICE, "codeartifact:PutDomainPermissionsPolicy", DOMAIN), "Allow",
                 id="codeartifact-replacing-policy"),
    pytest.param({"identity": [ALLOW_ALL], "resource": doc(deny("codeartifact:*", "*", Principal="*"))},
                 request(ALICE, "codeartifact:GetDomainPermissionsPolicy", DOMAIN), "ExplicitDeny",
                 id="codeartifact-reading-policy"),
    # RCPs do not apply to service-linked roles, nor to kms:RetireGrant.
    pytest.param({"identity": [ALLOW_ALL], "rcps": [doc(deny("s3:*", "*", Principal="*"))]},
                 request(SLR_SESSION, "s3:GetObject", OBJECT), "Allow", id="rcp-service-linked-role"),
    pytest.param({"identity": [ALLOW_ALL], "rcps": [doc(deny("s3:*", "*", Principal="*"))]},
                 request(ALICE, "s3:GetObject", OBJECT), "ExplicitDeny", id="rcp-user"),
    pytest.param({"identity": [ALLOW_ALL], "resource": KEY_POLICY_FOR_B, "rcps": [doc(deny("kms:*", "*", Principal="*"))]},
                 request(ALICE, "kms:RetireGrant", KEY), "Allow", id="rcp-kms-retire-grant"),
    pytest.param({"identity": [ALLOW_ALL], "resource": KEY_POLICY_FOR_B, "rcps": [doc(deny("kms:*", "*", Principal="*"))]},
                 request(ALICE, "kms:RevokeGrant", KEY), "ExplicitDeny", id="rcp-kms-revoke-grant"),
])
def test_policies_a_service_sets_aside(policies, request_, expect):
    """§2.7: lock-out protection (DynamoDB API_DeleteResourcePolicy), CodeArtifact's
    API_PutDomainPermissionsPolicy, and where RCPs do not reach (IAM evaluation logic; KMS
    resource-control-policies page)."""
    assert decide(policies, request_).decision == expect


def test_a_policy_set_aside_is_explained():
    result = explain(authorizer(identity=[ALLOW_ALL], resource=doc(deny("codeartifact:*", "*", Principal="*"))),
                     request(ALICE, "codeartifact:PutRepositoryPermissionsPolicy", DOMAIN))
    gate = next(g for g in result.gates if g.id == "resource_policy")
    assert gate.verdict == "not-applicable" and "CodeArtifact ignores" in gate.note
    slr = explain(authorizer(identity=[ALLOW_ALL], rcps=[doc(deny("s3:*", "*", Principal="*"))]),
                  request(SLR_SESSION, "s3:GetObject", OBJECT))
    assert next(g for g in slr.gates if g.id == "rcp[0]").note == "RCPs do not apply to calls made by service-linked roles"


# ---------------------------------------------------------------- no policy changes a rule

RULED = [
    request(ALICE, "sts:GetCallerIdentity", "*"),
    request(ALICE, "sts:GetSessionToken", "*"),
    request(ROOT_A, "sts:AssumeRole", TARGET),
    request(READER_SESSION, "sts:GetFederationToken", "*"),
    request(FED_CAROL, "iam:ListUsers", "*"),
    request(ALICE, "iam:ListUsers", "*", credentials="GetSessionToken"),
    request(BOB, "kms:PutKeyPolicy", KEY, None),
    request(BOB, "sqs:DeleteQueue", QUEUE, None),
    request(BOB, "s3:DeleteBucketPolicy", BUCKET, A),
]
EVERY_KIND = {
    "allow-everywhere": {"identity": [ALLOW_ALL], "resource": doc(allow("*", "*", Principal="*")),
                         "scps": [ALLOW_ALL]},
    "deny-everywhere": {"identity": [DENY_ALL], "resource": doc(deny("*", "*", Principal="*")),
                        "scps": [DENY_ALL], "rcps": [doc(deny("*", "*", Principal="*"))]},
    "nothing": {},
}


@pytest.mark.parametrize("request_", RULED, ids=[f"{r['principal'].rsplit(':', 1)[-1]}-{r['action']}" for r in RULED])
def test_no_policy_changes_what_a_rule_decided(request_):
    """§2.7: "never let a policy override it". A rule that allows gives the same answer with
    every policy allowing everything, denying everything, or none at all; one that refuses
    gives the same answer whatever allows, and a Deny statement that applies is reported as
    the ExplicitDeny it is (§14.17)."""
    results = {}
    for name, policies in EVERY_KIND.items():
        if request_["principal"] == ROOT_A:
            policies = {k: v for k, v in policies.items() if k != "identity"}
        results[name] = decide(policies, request_)
    rule = results["nothing"].rule
    assert rule is not None and results["allow-everywhere"].rule == rule
    assert results["allow-everywhere"].decision == results["nothing"].decision
    denied = results["deny-everywhere"]
    if rule.allows:
        assert (denied.decision, denied.rule) == (Decision.ALLOW, rule)
    else:
        assert (denied.decision, denied.rule, denied.gate) == (Decision.EXPLICIT_DENY, None, "scp[0]")


# ------------------------------------------------------------------------ how a request says it

def test_credentials_are_read_in_any_case_and_must_fit_the_principal():
    assert iameval.Request(principal=ALICE, action="iam:ListUsers",
                           credentials="getsessiontoken").credentials is iameval.Credentials.GET_SESSION_TOKEN
    with pytest.raises(ValueError, match="`credentials` `GetSessionToken` cannot be those of .*a role session holds "
                                         "`AssumeRole` or `AssumeRoleWithSAML` or `AssumeRoleWithWebIdentity`"):
        iameval.Request(principal=READER_SESSION, action="s3:GetObject", credentials="GetSessionToken")
    with pytest.raises(ValueError, match="`credentials` `AssumeRole` cannot be those of `cloudtrail.amazonaws.com`: "
                                         "a service principal has no credentials of an account"):
        iameval.Request(principal="cloudtrail.amazonaws.com", action="s3:GetObject", credentials="AssumeRole")
    with pytest.raises(ValueError, match="`credentials` `Session` is not one of `long-term`, `AssumeRole`"):
        iameval.Request(principal=ALICE, action="s3:GetObject", credentials="Session")
    with pytest.raises(RequestError) as raised:
        authorizer().authorize(request(FED_CAROL, "s3:GetObject", credentials="GetSessionToken"))
    assert raised.value.problems[0].location.path == ("request", "credentials")


# ------------------------------------------------------------------- identity providers' tokens

POOL = "us-east-1:12345678-abcd-abcd-abcd-123456789012"
COGNITO = trust({"Federated": "cognito-identity.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity",
                Condition={"StringEquals": {"cognito-identity.amazonaws.com:aud": POOL},
                           "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}})
GITHUB = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
OKTA = f"arn:aws:iam::{A}:saml-provider/Okta"
COGNITO_CLAIMS = {"cognito-identity.amazonaws.com:aud": POOL,
                  "cognito-identity.amazonaws.com:amr": ["authenticated", "graph.facebook.com"]}
WEB_IDENTITY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"


@pytest.mark.parametrize("policies, request_, expect, rule, source", [
    row("cognito-authenticated", "Allow", None,
        request("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", TARGET, context=COGNITO_CLAIMS),
        WEB_IDENTITY, resource=COGNITO),
    row("cognito-other-pool", "ImplicitDeny", None,
        request("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", TARGET,
                context={**COGNITO_CLAIMS, "cognito-identity.amazonaws.com:aud": "us-east-1:other"}),
        WEB_IDENTITY, resource=COGNITO),
    row("cognito-unauthenticated", "ImplicitDeny", None,
        request("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", TARGET,
                context={**COGNITO_CLAIMS, "cognito-identity.amazonaws.com:amr": ["unauthenticated"]}),
        WEB_IDENTITY, resource=COGNITO),
    # `Service` names services: Cognito's identity provider is not one.
    row("cognito-named-as-service", "ImplicitDeny", None,
        request("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", TARGET, context=COGNITO_CLAIMS),
        WEB_IDENTITY, resource=trust({"Service": "cognito-identity.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity")),
    row("github-oidc", "Allow", None,
        request(GITHUB, "sts:AssumeRoleWithWebIdentity", TARGET,
                context={"token.actions.githubusercontent.com:sub": "repo:octo/app:ref:refs/heads/main",
                         "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}),
        WEB_IDENTITY, resource=trust({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", Condition={
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo/app:*"}})),
    row("github-other-repository", "ImplicitDeny", None,
        request(GITHUB, "sts:AssumeRoleWithWebIdentity", TARGET,
                context={"token.actions.githubusercontent.com:sub": "repo:evil/app:ref:refs/heads/main"}),
        WEB_IDENTITY, resource=trust({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", Condition={
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo/app:*"}})),
    row("google", "Allow", None,
        request("accounts.google.com", "sts:AssumeRoleWithWebIdentity", TARGET,
                context={"accounts.google.com:aud": "app.apps.googleusercontent.com"}),
        WEB_IDENTITY, resource=trust({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity",
                                     Condition={"StringEquals": {"accounts.google.com:aud":
                                                                 "app.apps.googleusercontent.com"}})),
    row("saml", "Allow", None,
        request(OKTA, "sts:AssumeRoleWithSAML", TARGET, context={"SAML:aud": "https://signin.aws.amazon.com/saml"}),
        WEB_IDENTITY, resource=trust({"Federated": OKTA}, "sts:AssumeRoleWithSAML", Condition={
            "StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})),
    # §14.18: AWS does not say whether `*` reaches a provider's token; the engine lets it.
    row("star-reaches-a-provider", "Allow", None,
        request("accounts.google.com", "sts:AssumeRoleWithWebIdentity", TARGET), WEB_IDENTITY,
        resource=trust("*", "sts:AssumeRoleWithWebIdentity")),
    row("other-provider", "ImplicitDeny", None,
        request("accounts.google.com", "sts:AssumeRoleWithWebIdentity", TARGET), WEB_IDENTITY,
        resource=trust({"Federated": "cognito-identity.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity")),
    row("no-trust-policy", "ImplicitDeny", None,
        request("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", TARGET), WEB_IDENTITY),
    # No calling principal: SCPs do not reach the call (RCPs of the role's account do).
    row("scp-does-not-reach", "Allow", None,
        request("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", TARGET, context=COGNITO_CLAIMS),
        WEB_IDENTITY, resource=COGNITO, scps=[DENY_ALL]),
    row("rcp-reaches", "ExplicitDeny", None,
        request("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", TARGET, context=COGNITO_CLAIMS),
        WEB_IDENTITY, resource=COGNITO, rcps=[doc(deny("sts:AssumeRoleWithWebIdentity", "*", Principal="*"))]),
    # A principal of an account does not call them: its credentials are not what STS reads.
    row("user-calls-web-identity", "ImplicitDeny", "identity-provider-token-required",
        request(ALICE, "sts:AssumeRoleWithWebIdentity", TARGET), STS_API + "API_AssumeRoleWithWebIdentity.html",
        identity=[ALLOW_ALL], resource=trust("*", "sts:AssumeRoleWithWebIdentity")),
    row("role-session-calls-saml", "ImplicitDeny", "identity-provider-token-required",
        request(READER_SESSION, "sts:AssumeRoleWithSAML", TARGET), STS_API + "API_AssumeRoleWithWebIdentity.html",
        identity=[ALLOW_ALL]),
    # For any other action `cognito-identity.amazonaws.com` reads as a service principal, as before.
    row("cognito-as-service-elsewhere", "Allow", None,
        request("cognito-identity.amazonaws.com", "sqs:SendMessage", QUEUE, None), WEB_IDENTITY,
        resource=grant({"Service": "cognito-identity.amazonaws.com"}, "sqs:SendMessage", QUEUE)),
])
def test_identity_providers_call_assume_role_with_web_identity_and_saml(policies, request_, expect, rule, source):
    _check(policies, request_, expect, rule, source)


@pytest.mark.parametrize("principal, action, words", [
    ("accounts.google.com", "sts:AssumeRoleWithSAML", "a SAML provider"),
    (ANONYMOUS, "sts:AssumeRoleWithWebIdentity", "cannot call sts:AssumeRoleWithWebIdentity"),
    (GITHUB, "sts:AssumeRoleWithSAML", "a SAML provider"),
    (OKTA, "sts:AssumeRoleWithWebIdentity", "an OIDC provider"),
])
def test_only_an_identity_provider_calls_the_federation_actions(principal, action, words):
    with pytest.raises(RequestError) as raised:
        authorizer(resource=COGNITO).authorize(request(principal, action, TARGET))
    problem = raised.value.problems[0]
    assert words in f"{problem.message} {problem.hint}" and problem.location.path == ("request", "principal")


# ------------------------------------------------------------------------------- key policies

def test_a_key_policy_statement_without_resource_has_no_effect():
    """PutKeyPolicy: a key-policy statement without `Resource` has no effect, Allow or Deny;
    in a bucket policy the same statement covers its bucket (§6.2)."""
    no_resource = {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:Decrypt"}
    result = decide({"resource": doc(no_resource)}, request(ALICE, "kms:Decrypt", KEY))
    assert result.decision == Decision.IMPLICIT_DENY
    assert result.warnings == ("statement Statement[0] of the key policy resource has no `Resource`: a KMS key "
                               "policy statement without `Action` or `Resource` has no effect",)
    deny_without = {"Effect": "Deny", "Principal": "*", "Action": "kms:*"}
    assert decide({"resource": doc(deny_without, allow("kms:Decrypt", "*", Principal={"AWS": ALICE}))},
                  request(ALICE, "kms:Decrypt", KEY)).decision == Decision.ALLOW
    bucket = {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:GetObject"}
    assert decide({"resource": doc(bucket)}, request(ALICE, "s3:GetObject", OBJECT)).decision == Decision.ALLOW


def test_a_key_policy_statement_without_action_loads_and_matches_nothing():
    no_action = doc({"Effect": "Deny", "Principal": "*", "Resource": "*"},
                    allow("kms:Decrypt", "*", Principal={"AWS": ALICE}))
    with pytest.raises(iameval.PolicyError, match="neither `Action` nor `NotAction`"):
        iameval.load_policy(no_action, "resource_policy")
    key_policy = iameval.load_policy(no_action, "resource_policy", key_policy=True)
    result = iameval.Authorizer(resource_policy=key_policy).authorize(request(ALICE, "kms:Decrypt", KEY))
    assert result.decision == Decision.ALLOW


def test_a_scenario_reads_the_resource_policy_of_a_kms_request_as_a_key_policy(tmp_path):
    key_policy = doc({"Sid": "NoAction", "Effect": "Deny", "Principal": "*", "Resource": "*"},
                     allow("kms:Decrypt", "*", Principal={"AWS": ALICE}))
    scenarios = [{"id": "kms", "policies": {"resource": key_policy}, "request": request(ALICE, "kms:Decrypt", KEY),
                  "expect": "Allow"},
                 {"id": "s3", "policies": {"resource": key_policy}, "request": request(ALICE, "s3:GetObject", OBJECT)}]
    path = write(tmp_path / "cases.json", scenarios)
    kms, s3 = iameval.load_scenarios(path)
    assert kms.error is None and iameval.evaluate(kms).decision == Decision.ALLOW
    assert s3.error is not None and s3.error.problems[0].code == "missing-action"


# ------------------------------------------------------------------- how the result shows it

def test_the_result_names_the_rule_in_json_and_the_explanation():
    allowing = authorizer(identity=[ALLOW_ALL])
    result = allowing.authorize(request(READER_SESSION, "sts:GetSessionToken", "*"))
    assert result.to_json()["rule"] == {
        "id": "role-session-cannot-get-tokens", "effect": "deny", "summary": result.summary,
        "source": COMPARISON, "section": "§2.7"}
    assert result.to_json()["gate"] == "service_rule"
    explanation = explain(allowing, request(READER_SESSION, "sts:GetSessionToken", "*"))
    first, *others = explanation.gates
    assert (first.id, first.verdict, first.decided, first.source) == ("service_rule", "refused", True, COMPARISON)
    assert not any(g.decided for g in others)
    # The identity gate's Allow is shown, and the decision does not rest on it.
    assert next(g for g in others if g.id == "identity").verdict == "allow"
    assert explanation.headline.startswith("Denied by a rule of the service, not by a policy: a role session")
    assert explanation.as_dict()["rule"]["id"] == "role-session-cannot-get-tokens"


def test_check_takes_credentials_and_prints_the_rule(tmp_path):
    policy = write(tmp_path / "all.json", ALLOW_ALL)
    result = invoke("check", policy, "-a", "iam:ListUsers", "-p", ALICE, "--credentials", "GetSessionToken")
    assert result.exit_code == 1
    text = flat(result.stdout)
    assert "ImplicitDeny a GetSessionToken session cannot call IAM operations unless it was obtained with MFA" in text
    assert f"rule of the service session-token-iam-needs-mfa, whatever the policies say {COMPARISON}" in text
    assert "credentials GetSessionToken" in text
    allowed = invoke("check", policy, "-a", "iam:ListUsers", "-p", ALICE, "--credentials", "GetSessionToken",
                     "-c", "aws:MultiFactorAuthPresent:=true", "--json")
    assert allowed.exit_code == 0 and "rule" not in json.loads(allowed.stdout)
    explained = invoke("check", policy, "-a", "sts:GetCallerIdentity", "--explain")
    assert explained.exit_code == 0
    assert "rule of the service: allows" in flat(explained.stdout)
    # The page, however the tree wraps it.
    assert f"source:{STS_API}API_GetCallerIdentity.html" in "".join(explained.stdout.replace("│", " ").split())


def test_check_names_the_credentials_option_at_fault(tmp_path):
    policy = write(tmp_path / "all.json", ALLOW_ALL)
    result = invoke("check", policy, "-a", "s3:GetObject", "-p", READER_SESSION, "--credentials", "GetSessionToken")
    assert result.exit_code == 2
    assert flat(result.stderr if result.stderr_bytes else result.stdout).startswith(
        "--credentials: error: `credentials` `GetSessionToken` cannot be those of")


def test_check_answers_an_identity_provider_with_a_trust_policy_alone(tmp_path):
    policy = write(tmp_path / "trust.json", COGNITO)
    args = ["check", "--resource-policy", policy, "-p", "cognito-identity.amazonaws.com",
            "-a", "sts:AssumeRoleWithWebIdentity", "-r", TARGET, "-c", f"cognito-identity.amazonaws.com:aud={POOL}"]
    assert invoke(*args, "-c", "cognito-identity.amazonaws.com:amr=authenticated").exit_code == 0
    assert invoke(*args, "-c", "cognito-identity.amazonaws.com:amr=unauthenticated").exit_code == 1


def test_validate_reports_key_policy_statements_without_effect(tmp_path):
    path = write(tmp_path / "key.json", doc({"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:*"},
                                            {"Effect": "Deny", "Principal": "*", "Resource": "*"}))
    result = invoke("validate", "--type", "key-policy", path, "--json")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["element"]) for f in findings] == [
        ("key-policy-statement-without-effect", "Statement[0]"), ("key-policy-statement-without-effect", "Statement[1]")]
    assert result.exit_code == 1
    assert invoke("validate", "--type", "resource-policy", path).exit_code == 2


def test_every_rule_is_documented_in_its_section():
    """docs/IAM-SEMANTICS.md §2.7 names each rule the engine applies, with its page."""
    text = (ROOT / "docs" / "IAM-SEMANTICS.md").read_text(encoding="utf-8")
    section = text[text.index("### 2.7"):text.index("## 3. Cross-account evaluation")]
    assert [r.id for r in RULES if f"[`{r.id}`]" not in section] == []
    assert [r.source for r in RULES if r.source not in section] == []


def test_the_same_account_is_one_test_for_the_chain_the_rules_and_decide_sets():
    """§3 in one place (`Context.same_account`): a resource of the caller's account, or of an
    account not known, is one evaluation; a caller without an account is in no resource's."""
    from iameval.engine._context import Context
    from iameval.engine._request import parse_caller
    from iameval.engine._services import _other_account

    user = parse_caller("arn:aws:iam::111122223333:user/alice")
    anonymous = parse_caller("*")
    assert Context({}, {}, "111122223333").same_account(user.account)
    assert Context({}, {}, None).same_account(user.account)
    assert not Context({}, {}, "444455556666").same_account(user.account)
    assert not Context({}, {}, "444455556666").same_account(anonymous.account)
    assert _other_account(Context({}, {}, "444455556666"), user)
    assert not _other_account(Context({}, {}, "111122223333"), user)
