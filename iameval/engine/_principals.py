"""A compiled `Principal` or `NotPrincipal` value and how it names a caller (IAM-SEMANTICS §2.2, §7.4)."""

from __future__ import annotations

from enum import Enum

from ..policy._model import PrincipalMap
from ._notice import Notice
from ._request import Caller, CallerKind

__all__ = ["MatchClass", "Principals"]


class MatchClass(Enum):
    """How a resource-policy `Principal` matched the caller (IAM-SEMANTICS §2.2).

    `USER` is an exact IAM user ARN: DIRECT in ordinary resource policies, but ENTITY where the
    resource policy is mandatory (a trust or key policy, §2.5), where the user's boundary must
    still allow.
    """

    DIRECT = "DIRECT"
    USER = "USER"
    ENTITY = "ENTITY"
    ACCOUNT = "ACCOUNT"


class Principals:
    """A compiled `Principal`/`NotPrincipal` value (§7.4)."""

    __slots__ = ("any", "accounts", "arns", "services", "federated", "canonical", "roles_with_path", "names")

    def __init__(self, value: PrincipalMap):
        self.any = value.wildcard or "*" in value.aws
        accounts = set()
        arns = set()
        for entry in value.aws:
            if entry.isdigit():
                accounts.add(entry)
            elif entry.startswith("arn:") and entry.endswith(":root") and ":iam::" in entry:
                accounts.add(entry.split(":")[4])
            elif entry.startswith("arn:"):
                arns.add(entry)
            # Anything else is a unique ID (AIDA..., AROA...): AWS shows one in place of an ARN
            # when the user or role was deleted, and it then matches no caller (§6.2).
        self.accounts = frozenset(accounts)
        self.arns = frozenset(arns)
        # (account, role name) of role ARNs with a path, which a session ARN cannot show (§1).
        self.roles_with_path = {
            (arn.split(":")[4], arn.rsplit("/", 1)[-1]): arn
            for arn in arns if ":role/" in arn and arn.split(":", 5)[5].count("/") > 1
        }
        self.services = frozenset(value.service)
        self.federated = frozenset(value.federated)
        self.canonical = frozenset(value.canonical_user)
        # Every name listed, for a quick "not named at all" before the rules of `classify`.
        self.names = self.accounts | self.arns | self.services | self.federated | self.canonical

    def never_names(self, caller: Caller, federated_from: str | None) -> bool:
        """True when no rule of `classify` can name this caller: none of its names is listed."""
        names = self.names
        return (not self.any and caller.arn not in names and caller.account not in names
                and caller.principal_arn not in names and federated_from not in names
                and "*" not in names and not self.roles_with_path)

    def classify(self, caller: Caller, federated_from: str | None) -> MatchClass | None:
        """The strongest way this value names the caller, or None (§2.2, §7.4): a function of
        the caller alone. A role named with a path that a session ARN cannot show is told by
        `path_warning`."""
        if self.never_names(caller, federated_from):
            return None
        if self.any:
            return MatchClass.DIRECT
        kind = caller.kind
        # `Service`, `Federated` and `CanonicalUser` name callers of their own kind; `*` under
        # one of them, every caller of that kind.
        names = (self.services if kind is CallerKind.SERVICE else self.federated if kind is CallerKind.FEDERATED_PROVIDER
                 else self.canonical if kind is CallerKind.CANONICAL_USER else None)
        if names is not None:
            return MatchClass.DIRECT if caller.arn in names or "*" in names else None
        if kind is CallerKind.ANONYMOUS:
            return None
        if caller.arn in self.arns:
            if kind is CallerKind.USER:
                return MatchClass.USER
            if kind in (CallerKind.ASSUMED_ROLE, CallerKind.FEDERATED_USER):
                return MatchClass.DIRECT
            if kind is CallerKind.ROLE:
                return MatchClass.ENTITY
        if kind is CallerKind.ASSUMED_ROLE and caller.principal_arn in self.arns:
            return MatchClass.ENTITY
        if kind is CallerKind.FEDERATED_USER and federated_from and federated_from in self.arns:
            return MatchClass.ENTITY
        if caller.account in self.accounts:
            return MatchClass.ACCOUNT
        return None

    def path_warning(self, caller: Caller) -> Notice | None:
        """A role ARN with a path that may be the role of this session, which the session ARN
        cannot tell (§1): the caller is not matched by it (at most by its account), and is told
        why."""
        if (caller.kind is not CallerKind.ASSUMED_ROLE or caller.principal_arn_known or not self.roles_with_path
                or caller.account is None or caller.name is None):
            return None
        maybe = self.roles_with_path.get((caller.account, caller.name))
        if maybe is None or self.any or caller.arn in self.arns or caller.principal_arn in self.arns:
            return None
        return Notice(f"principal `{maybe}` may be the role of session `{caller.arn}`, whose ARN drops the "
                      "role's path; it was not matched", "role-path-unknown",
                      "give `aws:PrincipalArn` in the context to decide")

    def excludes(self, caller: Caller) -> bool:
        """Whether `NotPrincipal` lists the caller completely (§7.4, §14.7).

        A caller is excluded only when its own ARN and its account are listed, and for a role
        session the role ARN as well.
        """
        if self.any:
            return True
        kind = caller.kind
        if kind is CallerKind.SERVICE:
            return caller.arn in self.services
        if kind is CallerKind.FEDERATED_PROVIDER:
            return caller.arn in self.federated
        if kind is CallerKind.CANONICAL_USER:
            return caller.arn in self.canonical
        if kind is CallerKind.ANONYMOUS:
            return False
        account = caller.account in self.accounts
        if kind is CallerKind.ROOT:
            return account
        own = caller.arn in self.arns
        if kind is CallerKind.ASSUMED_ROLE:
            return own and account and caller.principal_arn in self.arns
        return own and account
