"""The kinds of caller and how their credentials were obtained (IAM-SEMANTICS §1, §2.6, §2.7).

Apart from the request's model in `_request.py` (which imports them from here): the command's
options name the credentials in their help without building a model (issue 14, start-up).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CallerKind", "Credentials"]


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
