"""The request: who asks, for which action on which resource, with which context (IAM-SEMANTICS §1).

`Request` is what a user writes (a pydantic model, the `request` of a scenario). `Caller` is the
principal read from its ARN once: its kind, account and `aws:PrincipalArn`, which everything
downstream (principal matching, the chain, derived keys) works from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, NoReturn, SupportsIndex

from pydantic import (BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_serializer, field_validator,
                      model_validator)

from ..policy._arn import ACCOUNT_ID, split_arn
from ._callers import _KIND_CREDENTIALS, CallerKind, Credentials
from ..policy._model import half_character, lone_surrogate

__all__ = ["Caller", "CallerKind", "Credentials", "FrozenContext", "Request", "parse_caller", "CallerError",
           "PROVIDER_ACTIONS", "is_key_policy_action", "request_errors"]

ContextScalar = str | int | float | bool
ContextValue = ContextScalar | list[ContextScalar]


_HOLDERS = {CallerKind.ROOT: "the root user", CallerKind.USER: "an IAM user", CallerKind.ROLE: "a role session",
            CallerKind.ASSUMED_ROLE: "a role session", CallerKind.FEDERATED_USER: "a federated-user session",
            CallerKind.SERVICE: "a service principal", CallerKind.ANONYMOUS: "an anonymous caller",
            CallerKind.FEDERATED_PROVIDER: "an identity provider"}
_CREDENTIAL_NAMES = {c.value.lower(): c for c in Credentials}

# The actions an identity provider's token calls, and the provider they come from (§2.7).
PROVIDER_ACTIONS = {"sts:assumerolewithwebidentity": "oidc-provider", "sts:assumerolewithsaml": "saml-provider"}


def is_key_policy_action(action: Any) -> bool:
    """Whether the resource-based policy of a request for `action` is a KMS key policy, where a
    statement without `Action` or `Resource` is accepted and has no effect (§2.7)."""
    return isinstance(action, str) and action[:4].lower() == "kms:"


class CallerError(ValueError):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Caller:
    """A request's principal, read once from its ARN (§1, §7.4)."""

    arn: str
    kind: CallerKind
    account: str | None = None
    partition: str = "aws"
    principal_arn: str | None = None  # aws:PrincipalArn: the role ARN for role sessions
    name: str | None = None  # user name, role name or federated user name
    # False when a role session's aws:PrincipalArn was derived from the session ARN, which drops
    # the role's path (§1): then a role ARN with a path cannot be told apart.
    principal_arn_known: bool = True


# The ARN of a principal of an account: root, user, role, role session or federated user.
_ACCOUNT_PRINCIPAL = re.compile(r"arn:[^:]+:(iam::[^:]*:(root$|user/|role/)|sts::[^:]*:(assumed-role|federated-user)/)")
_SERVICE = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?")
_CANONICAL = re.compile(r"[0-9a-f]{64}")


@lru_cache(maxsize=4096)
def parse_caller(principal: str, principal_arn: str | None = None, provider: str | None = None) -> Caller:
    """Read a request principal (SCENARIO.md `request.principal`).

    `principal_arn` is the caller's `aws:PrincipalArn` when the request gives it: a role session
    ARN drops the role's path, so a role with a path is named there (§7.4). One that cannot be
    this caller's (another account, another role name) is an error.

    `provider` is set for the actions an identity provider's token calls (`PROVIDER_ACTIONS`):
    `oidc-provider` for AssumeRoleWithWebIdentity, `saml-provider` for AssumeRoleWithSAML. The
    principal is then the provider as a trust policy's `Principal.Federated` names it, and
    `cognito-identity.amazonaws.com` is Amazon Cognito's identity provider, not a service (§2.7).
    A principal of an account stays what its ARN says: a rule of STS answers it (`_services`).
    """
    if provider is not None and not _ACCOUNT_PRINCIPAL.match(principal):
        return _parse_provider(principal, provider)
    caller = _parse_caller(principal, principal_arn)
    if principal_arn is not None and caller.kind.has_identity and caller.principal_arn != principal_arn:
        raise CallerError(f"`aws:PrincipalArn` `{principal_arn}` cannot be the principal ARN of "
                          f"`{principal}`",
                          "for a role session it is the role's ARN, with its path; for other "
                          "callers, their own ARN")
    return caller


def _parse_provider(principal: str, provider: str) -> Caller:
    """The identity provider whose token calls AssumeRoleWithWebIdentity or AssumeRoleWithSAML (§2.7)."""
    saml = provider == "saml-provider"
    operation = "AssumeRoleWithSAML" if saml else "AssumeRoleWithWebIdentity"
    if principal.startswith("arn:"):
        segments = split_arn(principal)
        if len(segments) == 6 and segments[2] == "iam" and ACCOUNT_ID.fullmatch(segments[4]):
            kind_text, _, name = segments[5].partition("/")
            if kind_text == provider and name:
                return Caller(principal, CallerKind.FEDERATED_PROVIDER, segments[4], segments[1])
    elif not saml and "." in principal and " " not in principal and ":" not in principal:
        return Caller(principal, CallerKind.FEDERATED_PROVIDER)
    example = ("a SAML provider, `arn:aws:iam::ACCOUNT:saml-provider/NAME`" if saml else
               "an OIDC provider, `arn:aws:iam::ACCOUNT:oidc-provider/HOST`, or a web identity provider such "
               "as `cognito-identity.amazonaws.com` or `accounts.google.com`")
    raise CallerError(f"`{principal}` cannot call sts:{operation}: its caller is the identity provider whose "
                      "token comes with the request",
                      f"give as principal {example}, as the trust policy's `Principal.Federated` names it")


def _parse_caller(principal: str, principal_arn: str | None) -> Caller:
    if principal == "*":
        return Caller("*", CallerKind.ANONYMOUS)
    if principal.startswith("arn:"):
        segments = split_arn(principal)
        if len(segments) == 6:
            _, partition, service, _, account, resource = segments
            if not ACCOUNT_ID.fullmatch(account):
                raise CallerError(f"the account `{account}` of principal `{principal}` is not a 12-digit ID")
            kind_text, _, rest = resource.partition("/")
            if service == "iam":
                if resource == "root":
                    return Caller(principal, CallerKind.ROOT, account, partition, principal)
                if kind_text == "user" and rest:
                    return Caller(principal, CallerKind.USER, account, partition, principal,
                                  rest.rsplit("/", 1)[-1])
                if kind_text == "role" and rest:
                    return Caller(principal, CallerKind.ROLE, account, partition, principal,
                                  rest.rsplit("/", 1)[-1])
                if kind_text in ("saml-provider", "oidc-provider") and rest:
                    return Caller(principal, CallerKind.FEDERATED_PROVIDER, account, partition)
            if service == "sts":
                if kind_text == "assumed-role":
                    role, _, session = rest.partition("/")
                    if role and session:
                        role_arn = f"arn:{partition}:iam::{account}:role/{role}"
                        known = principal_arn is None or principal_arn == role_arn
                        if principal_arn is not None and principal_arn.startswith(f"arn:{partition}:iam::{account}:role/") \
                                and principal_arn.endswith(f"/{role}"):
                            role_arn, known = principal_arn, True  # the role has a path
                        return Caller(principal, CallerKind.ASSUMED_ROLE, account, partition,
                                      role_arn, role, known if principal_arn is not None else False)
                if kind_text == "federated-user" and rest:
                    return Caller(principal, CallerKind.FEDERATED_USER, account, partition,
                                  principal, rest)
        raise CallerError(f"`{principal}` is not a principal iameval knows",
                          "use the ARN of an account root, IAM user, role, role session "
                          "(`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) or federated user, "
                          "a service principal, or `*` for an anonymous caller")
    if _SERVICE.fullmatch(principal):
        return Caller(principal, CallerKind.SERVICE)
    if _CANONICAL.fullmatch(principal):
        return Caller(principal, CallerKind.CANONICAL_USER)
    if ACCOUNT_ID.fullmatch(principal):
        raise CallerError(f"`{principal}` is an account, not a principal",
                          f"the account's root user is `arn:aws:iam::{principal}:root`")
    if "amazonaws" in principal.lower():
        raise CallerError(f"`{principal}` is not a service principal",
                          "a service principal is lower case and ends in `.amazonaws.com`, e.g. `ec2.amazonaws.com`")
    if "." in principal and " " not in principal and ":" not in principal:
        # A web identity provider (`accounts.google.com`) calling AssumeRoleWithWebIdentity.
        return Caller(principal, CallerKind.FEDERATED_PROVIDER)
    raise CallerError(f"`{principal}` is not a principal iameval knows",
                      "use an ARN, a service principal such as `ec2.amazonaws.com`, or `*`")


class FrozenContext(dict[str, Any]):
    """A request's condition keys as given, read-only (a list value is a tuple). A dict, so that
    reading it costs what reading a dict costs; it pickles and copies as a value."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a request's context is read-only: build a new request")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return FrozenContext, (dict(self),)

    def __repr__(self) -> str:
        return f"FrozenContext({dict.__repr__(self)})"


class Request(BaseModel):
    """One authorization request (SCENARIO.md `request`; IAM-SEMANTICS §1).

    `federated_from` names the IAM user whose GetFederationToken call made a federated-user
    session (§14.8). `resource_policy_required` overrides the engine's choice of which requests
    need a resource-policy grant (§2.5). `credentials` says how the caller's credentials were
    obtained where its ARN does not (a GetSessionToken session, §2.7); a string is read as the
    name of a `Credentials` member, in any case.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    principal: str
    action: str
    resource: str = "*"
    resource_account: str | None = None
    context: Mapping[str, ContextValue] = Field(default_factory=dict)
    federated_from: str | None = None
    resource_policy_required: bool | None = None
    credentials: Credentials | None = None

    @field_validator("action")
    @classmethod
    def _action(cls, value: str) -> str:
        prefix, colon, name = value.partition(":")
        if not (prefix and colon and name) or "*" in value or "?" in value or " " in value:
            raise ValueError(f"`{value}` is not an action: write it as `service:Action`, "
                             "e.g. `s3:GetObject`, without wildcards")
        return value

    @field_validator("resource")
    @classmethod
    def _resource(cls, value: str) -> str:
        """An ARN of six segments, or `*` for actions without a resource (§1)."""
        if value != "*" and (not value.startswith("arn:") or len(value.split(":", 5)) != 6):
            raise ValueError(f"`{value}` is not a resource: give an ARN "
                             "(`arn:partition:service:region:account:resource`) or `*`")
        return value

    @field_validator("context", mode="before")
    @classmethod
    def _context(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise ValueError("`context` must be an object of condition keys and values")
        for key, item in value.items():
            items = item if isinstance(item, list) else [item]
            if item is None or not all(isinstance(v, (str, int, float, bool)) for v in items):
                raise ValueError(f"the context value of `{key}` must be a string, number, boolean or a "
                                 "list of them, not " + ("null" if item is None else "a nested value"))
        return value

    @field_validator("context", mode="after")
    @classmethod
    def _frozen_context(cls, value: Mapping[str, ContextValue]) -> Mapping[str, Any]:
        """A request is a value: its context is read-only, lists become tuples."""
        return FrozenContext({key: tuple(item) if isinstance(item, list) else item for key, item in value.items()})

    @field_serializer("context")
    def _context_as_json(self, value: Mapping[str, Any]) -> dict[str, Any]:
        return {key: list(item) if isinstance(item, tuple) else item for key, item in value.items()}

    @model_validator(mode="after")
    def _federated_from(self) -> "Request":
        if self.federated_from is not None:
            if ":federated-user/" not in self.principal:
                raise ValueError("`federated_from` applies only to a federated-user principal "
                                 "(`arn:aws:sts::ACCOUNT:federated-user/NAME`)")
            if ":user/" not in self.federated_from or not self.federated_from.startswith("arn:"):
                raise ValueError(f"`federated_from` `{self.federated_from}` is not an IAM user ARN")
        return self

    @field_validator("credentials", mode="before")
    @classmethod
    def _credentials_name(cls, value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, Credentials):
            found = _CREDENTIAL_NAMES.get(value.lower())
            if found is None:
                raise ValueError(f"`credentials` `{value}` is not one of "
                                 + ", ".join(f"`{c.value}`" for c in Credentials))
            return found
        return value

    @field_validator("credentials", mode="after")
    @classmethod
    def _credentials_fit(cls, value: Credentials | None, info: ValidationInfo) -> Credentials | None:
        """Credentials the principal cannot hold are an error (a role session's cannot come from
        GetSessionToken). A principal that cannot be read is reported where it is read."""
        principal, action = info.data.get("principal"), info.data.get("action")
        if value is None or principal is None or action is None:
            return value
        try:
            caller = parse_caller(principal, None, PROVIDER_ACTIONS.get(action.lower()))
        except CallerError:
            return value
        held = _KIND_CREDENTIALS.get(caller.kind, ())
        if value not in held:
            holder = _HOLDERS.get(caller.kind, f"a {caller.kind.value} caller")
            raise ValueError(
                f"`credentials` `{value.value}` cannot be those of `{principal}`: "
                + (f"{holder} holds " + " or ".join(f"`{c.value}`" for c in held) if held
                   else f"{holder} has no credentials of an account"))
        return value

    @field_validator("resource_account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not ACCOUNT_ID.fullmatch(value):
            raise ValueError(f"`resource_account` `{value}` is not a 12-digit account ID")
        return value


def request_errors(exc: ValidationError | UnicodeEncodeError, data: Any) -> list[tuple[str, tuple[str | int, ...]]]:
    """The message and field path of each fault of `data`, which `Request.model_validate` refused
    with `exc`. A message quoting half a character (a lone surrogate: a request built in Python, a
    command-line argument of bytes that are not UTF-8) cannot be written, so that pydantic raises
    `UnicodeEncodeError` making or reading it: the half character itself is then the fault."""
    if isinstance(exc, ValidationError):
        try:
            return [(e["msg"].removeprefix("Value error, "), tuple(e["loc"])) for e in exc.errors(include_url=False)]
        except UnicodeEncodeError:
            pass
    found = lone_surrogate(data)
    if found is None:  # pragma: no cover - some other text that cannot be written
        raise exc
    path, char = found
    return [(half_character(char), path)]
