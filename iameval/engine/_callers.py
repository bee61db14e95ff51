"""The kinds of caller, how their credentials were obtained, and what each kind fixes of the keys
about its caller (IAM-SEMANTICS §1, §2.6, §2.7, §10).

Apart from the request's model in `_request.py` (which imports them from here): the command's
options name the credentials in their help without building a model (issue 14, start-up).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Mapping

__all__ = ["CallerKind", "Credentials", "fixed_keys", "fixed_values"]


class CallerKind(StrEnum):
    ROOT = "root"
    USER = "user"
    ROLE = "role"
    ASSUMED_ROLE = "assumed-role"
    FEDERATED_USER = "federated-user"
    SERVICE = "service"
    ANONYMOUS = "anonymous"
    FEDERATED_PROVIDER = "federated-provider"
    CANONICAL_USER = "canonical-user"

    @property
    def principal_type(self) -> str | None:
        """The value of `aws:PrincipalType` (§1)."""
        return _PRINCIPAL_TYPES.get(self)

    @property
    def has_identity(self) -> bool:
        """Service principals, anonymous and federated-provider callers have no identity side (§2.6)."""
        return self in _WITH_IDENTITY


_PRINCIPAL_TYPES = {
    CallerKind.ROOT: "Account",
    CallerKind.USER: "User",
    CallerKind.ROLE: "AssumedRole",
    CallerKind.ASSUMED_ROLE: "AssumedRole",
    CallerKind.FEDERATED_USER: "FederatedUser",
    CallerKind.ANONYMOUS: "Anonymous",
}
_WITH_IDENTITY = frozenset({CallerKind.ROOT, CallerKind.USER, CallerKind.ROLE,
                            CallerKind.ASSUMED_ROLE, CallerKind.FEDERATED_USER})


# The keys about the caller a request gives and the engine does not derive (§10), by what brings
# them. The organization's, with an account's credentials or from a service principal.
_ORG_KEYS = ("aws:PrincipalOrgID", "aws:PrincipalOrgPaths")
_SERVICE_KEYS = ("aws:PrincipalServiceName", "aws:PrincipalServiceNamesList")
# Present only when a service calls on behalf of a resource (§10); `aws:SourceOwner` is SNS's
# older name for `aws:SourceAccount`.
_SOURCE_KEYS = ("aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceOrgID", "aws:SourceOrgPaths")
# Present only with an account's temporary credentials (§10).
_CREDENTIAL_KEYS = ("aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:TokenIssueTime")
# A caller with an account's credentials signs as one, never as a service.
_ACCOUNT_CALLER: Mapping[str, str | None] = {"aws:PrincipalIsAWSService": "false",
                                             **dict.fromkeys((*_SERVICE_KEYS, *_SOURCE_KEYS))}
# Callers without an account's credentials (anonymous callers, identity providers' tokens): none
# of the keys about the caller, nor those the credentials bring.
_UNSIGNED: Mapping[str, str | None] = dict.fromkeys((*_ORG_KEYS, "aws:PrincipalIsAWSService", *_SERVICE_KEYS,
                                                     *_SOURCE_KEYS, *_CREDENTIAL_KEYS))


def fixed_keys(kind: CallerKind, name: str) -> Mapping[str, str | None]:
    """What every request of a caller of `kind` (named `name`: its ARN, or a service principal's
    name) fixes of the keys about its caller that the request gives (§10): key -> its value, or
    None where the key is never present. A caller with an account's credentials (and a canonical
    user) has `aws:PrincipalIsAWSService` false and no service or source keys; a service
    principal has it true with its own name, and none of an organization's keys; the others
    carry none of them. Only those with an account's credentials may carry `_CREDENTIAL_KEYS`.
    Keys left out (a caller's organization, MFA) depend on the request, not on the kind."""
    if kind.has_identity or kind is CallerKind.CANONICAL_USER:
        return _ACCOUNT_CALLER
    if kind is CallerKind.SERVICE:
        return {"aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": name,
                **dict.fromkeys((*_ORG_KEYS, *_CREDENTIAL_KEYS))}
    return _UNSIGNED


def fixed_values(kind: CallerKind, name: str) -> dict[str, str]:
    """The keys `fixed_keys` gives a value: what every request of such a caller carries (§10)."""
    return {key: value for key, value in fixed_keys(kind, name).items() if value is not None}


class Credentials(StrEnum):
    """How the caller's credentials were obtained (IAM-SEMANTICS §2.7; SCENARIO.md
    `request.credentials`): long-term keys, or the STS operation that issued a session.

    The principal's ARN says it for most callers; a GetSessionToken session carries the ARN of
    its IAM user (or root user), so only the request can tell it apart from long-term keys.
    """

    LONG_TERM = "long-term"
    ASSUME_ROLE = "AssumeRole"
    ASSUME_ROLE_WITH_SAML = "AssumeRoleWithSAML"
    ASSUME_ROLE_WITH_WEB_IDENTITY = "AssumeRoleWithWebIdentity"
    GET_FEDERATION_TOKEN = "GetFederationToken"
    GET_SESSION_TOKEN = "GetSessionToken"

    @property
    def role_session(self) -> bool:
        """Credentials of a role session: AssumeRole and its SAML and web-identity forms."""
        return self in _ROLE_SESSIONS

    @classmethod
    def of(cls, kind: "CallerKind", given: "Credentials | None") -> "Credentials | None":
        """The credentials of a caller of `kind`: as given, else what its ARN says (None for
        callers without credentials of an account: service principals, anonymous callers,
        identity providers)."""
        return given if given is not None else _DEFAULT_CREDENTIALS.get(kind)


_ROLE_SESSIONS = frozenset({Credentials.ASSUME_ROLE, Credentials.ASSUME_ROLE_WITH_SAML,
                            Credentials.ASSUME_ROLE_WITH_WEB_IDENTITY})
# Which credentials each kind of caller can hold; the first is what its ARN implies. A role ARN
# given as the caller stands for a session of that role.
_KIND_CREDENTIALS: dict[CallerKind, tuple[Credentials, ...]] = {
    CallerKind.ROOT: (Credentials.LONG_TERM, Credentials.GET_SESSION_TOKEN),
    CallerKind.USER: (Credentials.LONG_TERM, Credentials.GET_SESSION_TOKEN),
    CallerKind.ROLE: (Credentials.ASSUME_ROLE, Credentials.ASSUME_ROLE_WITH_SAML,
                      Credentials.ASSUME_ROLE_WITH_WEB_IDENTITY),
    CallerKind.ASSUMED_ROLE: (Credentials.ASSUME_ROLE, Credentials.ASSUME_ROLE_WITH_SAML,
                              Credentials.ASSUME_ROLE_WITH_WEB_IDENTITY),
    CallerKind.FEDERATED_USER: (Credentials.GET_FEDERATION_TOKEN,),
}
_DEFAULT_CREDENTIALS = {kind: held[0] for kind, held in _KIND_CREDENTIALS.items()}
