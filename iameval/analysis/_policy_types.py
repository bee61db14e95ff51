"""The types of policy the commands name with `--type`: what `validate` and `expand` load a file
as, with the size quota AWS holds it to (§12.3), and the types of `diff` and `can-never`.

Apart from the findings (`_rules.py`) so that the commands' options, built for every command
and for `--help`, need no rule of the loader (issue 14, start-up).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Mapping

from ..policy._kind import PolicyKind
from ..policy._quotas import AWS_MANAGED, QUOTAS, SizeLimit

__all__ = ["CALLER_KINDS", "DIFF_TYPES", "POLICY_TYPES", "PolicyType"]


class PolicyType(StrEnum):
    """The type of a policy to validate or expand (`--type`): the kind it is loaded as, and the
    size quota AWS puts on it (§12.3). A role trust policy is the role's resource-based policy
    (§2.5), with the extra rules of §6.3."""

    kind: PolicyKind
    size_limit: SizeLimit | None

    def __new__(cls, value: str, kind: PolicyKind, size_limit: SizeLimit | None) -> "PolicyType":
        member = str.__new__(cls, value)
        member._value_ = value
        member.kind = kind
        member.size_limit = size_limit
        return member

    IDENTITY = ("identity", PolicyKind.IDENTITY, QUOTAS["identity"])
    RESOURCE_POLICY = ("resource-policy", PolicyKind.RESOURCE_POLICY, QUOTAS["resource-policy"])
    SCP = ("scp", PolicyKind.SCP, QUOTAS["scp"])
    RCP = ("rcp", PolicyKind.RCP, QUOTAS["rcp"])
    PERMISSION_BOUNDARY = ("permission-boundary", PolicyKind.PERMISSION_BOUNDARY, QUOTAS["permission-boundary"])
    SESSION = ("session", PolicyKind.SESSION, QUOTAS["session"])
    TRUST = ("trust", PolicyKind.RESOURCE_POLICY, QUOTAS["trust"])
    KEY_POLICY = ("key-policy", PolicyKind.RESOURCE_POLICY, QUOTAS["key-policy"])
    # An identity policy that AWS wrote: no size quota binds it (§14.20).
    AWS_MANAGED = (AWS_MANAGED, PolicyKind.IDENTITY, QUOTAS[AWS_MANAGED])

    @property
    def is_trust(self) -> bool:
        """A role trust policy: loaded with the refusals of §6.3."""
        return self is PolicyType.TRUST

    @property
    def is_key_policy(self) -> bool:
        """A KMS key policy: a statement without `Action` or `Resource` is accepted and has no
        effect (§2.7)."""
        return self is PolicyType.KEY_POLICY


# `--type` names -> the kind the policy is loaded as.
POLICY_TYPES: Mapping[str, PolicyKind] = {t.value: t.kind for t in PolicyType}

# The policy types of `diff` and `can-never` (their `--type`, as issue 15 names them) -> the kind
# each is loaded as: one table for the command and for the pairs of a template's diff.
DIFF_TYPES: Mapping[str, PolicyKind] = {
    "identity": PolicyKind.IDENTITY, "scp": PolicyKind.SCP, "rcp": PolicyKind.RCP,
    "boundary": PolicyKind.PERMISSION_BOUNDARY, "session": PolicyKind.SESSION,
    "resource": PolicyKind.RESOURCE_POLICY, "trust": PolicyKind.RESOURCE_POLICY}
# Those whose policies name their callers (§7.4): every caller they tell apart is searched.
CALLER_KINDS = ("resource", "trust")
