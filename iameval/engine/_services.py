"""Rules that services apply beyond the policies (IAM-SEMANTICS §2.7).

Some requests are decided by the service itself, whatever the policies say: STS answers
GetCallerIdentity for every caller, refuses operations that the caller's kind of credentials
cannot call, and KMS refuses most of its operations to principals of another account. Each rule
is a `ServiceRule`, with the AWS page it comes from. A plan picks the rules that can reach its
caller and action (`rules_for`), and `_chain.decide` asks them: a rule that allows before any
policy (no policy can deny it), a rule that refuses after the Deny statements (a request a Deny
statement denies stays an ExplicitDeny, as AWS reports it) and before everything that could
allow. A result decided by one names it in `Result.rule`, with `gate` `service_rule`; a rule that
refuses gives `ImplicitDeny` (§14.17).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from ..catalog._catalog import rcp_supported_services
from ._context import Context
from ._callers import _WITH_IDENTITY
from ._request import PROVIDER_ACTIONS, Caller, CallerKind, Credentials

__all__ = ["RULED_SERVICES", "SERVICE_RULE", "RULES", "Candidate", "ServiceRule", "lockout", "rcp_exemption",
           "resource_policy_exemption", "rules_for", "scp_exemption"]

SERVICE_RULE = "service_rule"  # `Result.gate` of a request a rule decided

_STS = "https://docs.aws.amazon.com/STS/latest/APIReference/"
_COMPARISON = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html"
_KMS_CROSS_ACCOUNT = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"


class ServiceRule(NamedTuple):
    """One rule of §2.7: its stable `id`, whether it allows or refuses, what it says, and the
    AWS page it comes from (`source`)."""

    id: str
    allows: bool
    summary: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "effect": "allow" if self.allows else "deny", "summary": self.summary,
                "source": self.source, "section": "§2.7"}


GET_CALLER_IDENTITY = ServiceRule(
    "get-caller-identity", True,
    "sts:GetCallerIdentity needs no permission: every authenticated caller may call it, and no policy can deny it",
    _STS + "API_GetCallerIdentity.html")
GET_SESSION_TOKEN = ServiceRule(
    "get-session-token", True,
    "sts:GetSessionToken needs no permission: an IAM user or the root user may call it with long-term "
    "credentials, and policies cannot control it",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html")
ROOT_CANNOT_ASSUME_ROLE = ServiceRule(
    "root-cannot-assume-role", False,
    "the root user cannot call sts:AssumeRole or sts:AssumeRoot: only IAM users and role sessions can assume a role",
    _STS + "API_AssumeRole.html")
ROLE_SESSION_TOKENS = ServiceRule(
    "role-session-cannot-get-tokens", False,
    "a role session (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity) cannot call "
    "sts:GetFederationToken or sts:GetSessionToken",
    _COMPARISON)
FEDERATED_USER_IAM = ServiceRule(
    "federated-user-cannot-call-iam", False,
    "a federated-user session (GetFederationToken) cannot call IAM operations",
    _COMPARISON)
FEDERATED_USER_STS = ServiceRule(
    "federated-user-sts-only-get-caller-identity", False,
    "a federated-user session (GetFederationToken) cannot call STS operations other than GetCallerIdentity",
    _COMPARISON)
PROVIDER_TOKEN = ServiceRule(
    "identity-provider-token-required", False,
    "sts:AssumeRoleWithWebIdentity and sts:AssumeRoleWithSAML are called with an identity provider's token, "
    "not with an account's credentials: ask it of the provider, as the trust policy's `Principal.Federated` "
    "names it",
    _STS + "API_AssumeRoleWithWebIdentity.html")
SESSION_TOKEN_IAM = ServiceRule(
    "session-token-iam-needs-mfa", False,
    "a GetSessionToken session cannot call IAM operations unless it was obtained with MFA "
    "(`aws:MultiFactorAuthPresent` is `true`)",
    _COMPARISON)
SESSION_TOKEN_STS = ServiceRule(
    "session-token-sts-only-assume-role", False,
    "a GetSessionToken session cannot call STS operations other than AssumeRole and GetCallerIdentity",
    _COMPARISON)
S3_BUCKET_POLICY_OWNER_ONLY = ServiceRule(
    "s3-bucket-policy-owner-account-only", False,
    "only identities of the bucket owner's account can read, replace or delete a bucket policy; other "
    "accounts get 405 Method Not Allowed whatever the policies allow",
    "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html")
SQS_NOT_CROSS_ACCOUNT = ServiceRule(
    "sqs-operation-not-cross-account", False,
    "cross-account permissions do not apply to this SQS operation: only the queue owner's account can call it",
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html")
KMS_NOT_CROSS_ACCOUNT = ServiceRule(
    "kms-operation-not-cross-account", False,
    "KMS does not offer this operation to principals of another account, whatever the policies allow: "
    "only the cryptographic operations and CreateGrant, DescribeKey, GetKeyRotationStatus, GetPublicKey, "
    "ListGrants, RetireGrant and RevokeGrant work across accounts",
    _KMS_CROSS_ACCOUNT)

RULES = (GET_CALLER_IDENTITY, GET_SESSION_TOKEN, ROOT_CANNOT_ASSUME_ROLE, ROLE_SESSION_TOKENS, FEDERATED_USER_IAM,
         FEDERATED_USER_STS, PROVIDER_TOKEN, SESSION_TOKEN_IAM, SESSION_TOKEN_STS, KMS_NOT_CROSS_ACCOUNT,
         S3_BUCKET_POLICY_OWNER_ONLY, SQS_NOT_CROSS_ACCOUNT)

# The KMS operations a principal of another account can call on a key (lower-cased IAM action
# names: ReEncrypt is authorized as ReEncryptFrom and ReEncryptTo).
KMS_CROSS_ACCOUNT_OPERATIONS = frozenset({
    "decrypt", "derivesharedsecret", "encrypt", "generatedatakey", "generatedatakeypair",
    "generatedatakeypairwithoutplaintext", "generatedatakeywithoutplaintext", "generatemac",
    "reencryptfrom", "reencryptto", "sign", "verify", "verifymac",
    "creategrant", "describekey", "getkeyrotationstatus", "getpublickey", "listgrants", "retiregrant",
    "revokegrant",
})

# The SQS operations whose API reference says cross-account permissions do not apply to them.
SQS_OWNER_OPERATIONS = frozenset({
    "addpermission", "createqueue", "deletequeue", "listqueuetags", "listqueues", "removepermission",
    "setqueueattributes", "tagqueue", "untagqueue",
})
_BUCKET_POLICY_OPERATIONS = frozenset({"getbucketpolicy", "putbucketpolicy", "deletebucketpolicy"})

# A rule that can decide a plan's requests, and what of the request it still depends on (None:
# nothing, it decides every request of the plan).
Test = Callable[[Context, Caller], bool]


class Candidate(NamedTuple):
    rule: ServiceRule
    test: Test | None


def _without_mfa(context: Context, caller: Caller) -> bool:
    """The session was not obtained with MFA: `aws:MultiFactorAuthPresent` is not `true`."""
    entry = context.get("aws:multifactorauthpresent")
    return entry is None or not any(text.lower() == "true" for text in entry.texts)


def _other_account(context: Context, caller: Caller) -> bool:
    """The resource belongs to another account than the caller's (§3)."""
    return not context.same_account(caller.account)


# The services whose actions a rule can decide: `rules_for` has nothing for the others.
RULED_SERVICES = frozenset({"sts", "iam", "kms", "sqs", "s3"})


def rules_for(caller: Caller, credentials: Credentials | None, action: str) -> tuple[Candidate, ...]:
    """The rules of §2.7 that can decide requests of this caller, with these credentials, for
    this action (lower-cased), in the order they are asked; usually none."""
    service, _, operation = action.partition(":")
    if service not in RULED_SERVICES or caller.kind not in _WITH_IDENTITY:
        return ()
    if action == "sts:getcalleridentity":
        return (Candidate(GET_CALLER_IDENTITY, None),)
    if service == "kms":
        if operation in KMS_CROSS_ACCOUNT_OPERATIONS:
            return ()
        return (Candidate(KMS_NOT_CROSS_ACCOUNT, _other_account),)
    if service == "sqs":
        return (Candidate(SQS_NOT_CROSS_ACCOUNT, _other_account),) if operation in SQS_OWNER_OPERATIONS else ()
    if service == "s3":
        return ((Candidate(S3_BUCKET_POLICY_OWNER_ONLY, _other_account),) if operation in _BUCKET_POLICY_OPERATIONS
                else ())
    if action in PROVIDER_ACTIONS:
        return (Candidate(PROVIDER_TOKEN, None),)
    found: list[Candidate] = []
    if caller.kind is CallerKind.ROOT and action in ("sts:assumerole", "sts:assumeroot"):
        found.append(Candidate(ROOT_CANNOT_ASSUME_ROLE, None))
    held = Credentials.of(caller.kind, credentials)
    if held is None:
        return tuple(found)
    if held is Credentials.LONG_TERM and action == "sts:getsessiontoken":
        found.append(Candidate(GET_SESSION_TOKEN, None))
    elif held.role_session:
        if action in ("sts:getfederationtoken", "sts:getsessiontoken"):
            found.append(Candidate(ROLE_SESSION_TOKENS, None))
    elif held is Credentials.GET_FEDERATION_TOKEN:
        found.append(Candidate(FEDERATED_USER_IAM if service == "iam" else FEDERATED_USER_STS, None))
    elif held is Credentials.GET_SESSION_TOKEN:
        if service == "iam":
            found.append(Candidate(SESSION_TOKEN_IAM, _without_mfa))
        elif action != "sts:assumerole":
            found.append(Candidate(SESSION_TOKEN_STS, None))
    return tuple(found)


# ---------------------------------------------------------------- policies a service sets aside

# Resource policies that cannot lock their owner out: the owner account's root user may act on
# them even when they explicitly deny it. Only Organizations policies (and VPC endpoint policies,
# which iameval does not model) still apply.
_LOCKOUT = ("the {} owner's root user may {} whatever the resource-based policy denies (lock-out "
            "protection, see {})")
_S3_LOCKOUT = _LOCKOUT.format("bucket", "read, replace and delete the bucket policy",
                              "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html")
_LOCKOUT_ACTIONS = {
    **dict.fromkeys(("s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy",
                     "s3express:getbucketpolicy", "s3express:putbucketpolicy", "s3express:deletebucketpolicy"),
                    _S3_LOCKOUT),
    "dynamodb:deleteresourcepolicy": _LOCKOUT.format(
        "table's or stream's", "delete its resource-based policy",
        "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteResourcePolicy.html"),
}


def lockout(action: str) -> str | None:
    """Why the resource-based policy's Deny statements do not reach the root user for this action
    (lower-cased), in the resource owner's account; None when they do."""
    return _LOCKOUT_ACTIONS.get(action)


_IGNORED_RESOURCE_POLICY = {
    action: ("CodeArtifact ignores the resource policy of the domain or repository whose policy is being "
             "replaced (see https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_" + name + ".html)")
    for action, name in (("codeartifact:putdomainpermissionspolicy", "PutDomainPermissionsPolicy"),
                         ("codeartifact:putrepositorypermissionspolicy", "PutRepositoryPermissionsPolicy"))
}


def resource_policy_exemption(action: str) -> str | None:
    """Why the resource-based policy takes no part in requests for this action (lower-cased)."""
    return _IGNORED_RESOURCE_POLICY.get(action)


def _service_linked(caller: Caller) -> bool:
    """A service-linked role or its session: its path is `/aws-service-role/`, and AWS names
    every such role `AWSServiceRoleFor...` (a session ARN drops the path, not the name)."""
    if caller.kind not in (CallerKind.ROLE, CallerKind.ASSUMED_ROLE):
        return False
    return ":role/aws-service-role/" in (caller.principal_arn or "") or (caller.name or "").startswith(
        "AWSServiceRoleFor")


def scp_exemption(caller: Caller) -> str | None:
    """Why SCPs do not apply to this caller, or None when they do (§2.6, §4)."""
    if caller.kind is CallerKind.FEDERATED_PROVIDER:
        return "SCPs govern principals of member accounts; an identity provider's token is not one"
    if caller.kind not in _WITH_IDENTITY:
        return "SCPs do not govern service principals or anonymous callers"
    if _service_linked(caller):
        return "SCPs do not govern service-linked roles"
    return None


def rcp_exemption(caller: Caller, action: str) -> str | None:
    """Why RCPs do not apply to this caller and action (lower-cased), or None when they do (§4, §2.7)."""
    if action.partition(":")[0] not in rcp_supported_services():
        return "RCPs do not govern this service"
    if _service_linked(caller):
        return "RCPs do not apply to calls made by service-linked roles"
    if action == "kms:retiregrant":
        return ("kms:RetireGrant is not effective in an RCP (see "
                "https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html)")
    return None
