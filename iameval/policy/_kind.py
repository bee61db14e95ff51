"""The kinds of policy, by where they sit in the authorization chain (IAM-SEMANTICS §2.1, §6.3).

Apart from the models of `_model.py`, which re-exports it: the command's options (`--type`)
name kinds without building a model (issue 14, start-up).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["PolicyKind"]


class PolicyKind(StrEnum):
    """Where a policy sits in the authorization chain (IAM-SEMANTICS §2.1, §6.3)."""

    IDENTITY = "identity"
    RESOURCE_POLICY = "resource_policy"
    PERMISSION_BOUNDARY = "permission_boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"

    @property
    def has_principal(self) -> bool:
        """Resource-side policies name principals; the others must not (§6.3)."""
        return self in (PolicyKind.RESOURCE_POLICY, PolicyKind.RCP)

    @property
    def is_iam(self) -> bool:
        """Policies stored by IAM, with its Sid rules (§6.2)."""
        return self in (PolicyKind.IDENTITY, PolicyKind.PERMISSION_BOUNDARY, PolicyKind.SESSION)

    @property
    def article(self) -> str:
        """The noun with its article, for messages: `an identity-based policy`."""
        return _ARTICLES[self]

    @property
    def noun(self) -> str:
        """The kind as AWS names it, for messages: `identity-based policy`."""
        return _NOUNS[self]


_NOUNS = {
    PolicyKind.IDENTITY: "identity-based policy",
    PolicyKind.RESOURCE_POLICY: "resource-based policy",
    PolicyKind.PERMISSION_BOUNDARY: "permissions boundary",
    PolicyKind.SESSION: "session policy",
    PolicyKind.SCP: "service control policy",
    PolicyKind.RCP: "resource control policy",
}
_ARTICLES = {kind: ("an " if noun[0] in "aeiou" else "a ") + noun for kind, noun in _NOUNS.items()}
