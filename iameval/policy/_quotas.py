"""The size quotas AWS puts on each type of policy (IAM-SEMANTICS §12.3), read by `validate` for
a file and by the engine for the policies a request is decided against: one table, one way to
count and one message.

The quotas bind what a customer writes (CreatePolicy, PutRolePolicy, an SCP...). AWS managed
policies are written by AWS and are held to none of them (§14.20): 81 of the 1,594 in
fixtures/managed-policies/ are over the 6,144 characters of a customer managed policy.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from ._kind import PolicyKind

__all__ = ["AWS_MANAGED", "INLINE_QUOTAS", "KIND_QUOTAS", "QUOTAS", "SizeLimit", "is_aws_managed", "measure", "over_quota",
           "quota_of"]


class SizeLimit(NamedTuple):
    """A size quota of §12.3."""

    characters: int
    whitespace: bool  # whether whitespace counts: it does in Organizations, not in IAM
    what: str  # what the quota is for, in the finding's words
    hint: str | None


# By policy type, as `validate --type` names them; None where AWS puts no quota on the type.
QUOTAS: dict[str, SizeLimit | None] = {
    "identity": SizeLimit(
        6144, False, "a customer managed policy",
        "inline policies share 2,048 characters per user, 5,120 per group and 10,240 per role; split the policy"),
    "resource-policy": SizeLimit(
        20480, True, "the largest resource-based policy (an S3 bucket policy)",
        "SQS queue policies allow 8,192 bytes; other services less"),
    "scp": SizeLimit(5120, True, "a service control policy", "whitespace counts in SCPs; remove indentation"),
    "rcp": SizeLimit(5120, True, "a resource control policy", "whitespace counts in RCPs; remove indentation"),
    "permission-boundary": SizeLimit(6144, False, "a managed policy used as a permissions boundary", None),
    "session": SizeLimit(2048, False, "a session policy", None),
    "trust": SizeLimit(2048, False, "a role trust policy (by default)", "the quota can be raised to 4,096 characters"),
    "key-policy": SizeLimit(32768, True, "a KMS key policy", None),
    "aws-managed": None,  # §14.20
}

# The quota a policy is held to by its kind alone, as a request sees it (§12.3): where the kind
# does not say which quota applies (a resource-based policy: a bucket's, a queue's, a key's), the
# largest, so that no request is told of a limit its policy may not have.
KIND_QUOTAS: dict[PolicyKind, str] = {
    PolicyKind.IDENTITY: "identity", PolicyKind.RESOURCE_POLICY: "key-policy", PolicyKind.SCP: "scp",
    PolicyKind.RCP: "rcp", PolicyKind.PERMISSION_BOUNDARY: "permission-boundary", PolicyKind.SESSION: "session"}

# The type of an AWS managed policy, whose ARN names the account `aws` (§14.20).
AWS_MANAGED = "aws-managed"
_AWS_MANAGED_ARN = re.compile(r"arn:aws[a-z-]*:iam::aws:policy/")


def is_aws_managed(arn: str | None) -> bool:
    """An AWS managed policy: its ARN is `arn:PARTITION:iam::aws:policy/...` (§14.20)."""
    return arn is not None and _AWS_MANAGED_ARN.match(arn) is not None


def quota_of(policy_type: str, arn: str | None = None) -> SizeLimit | None:
    """The quota of a policy of `policy_type` (a `validate --type` name), or None when AWS puts
    none on it: an AWS managed policy (named so, or known by its ARN) has none (§14.20)."""
    return None if is_aws_managed(arn) else QUOTAS[policy_type]


# What the inline policies of one user, group or role may add up to (whitespace not counted).
INLINE_QUOTAS: dict[str, int] = {"user": 2048, "group": 5120, "role": 10240}


def measure(text: str | None, data: Any, whitespace: bool) -> int:
    """A policy's size as AWS counts it: every character where whitespace counts, else those
    that are not whitespace; of its text when there is one, else of its document written
    compactly."""
    if text is None:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return len(text) if whitespace else len("".join(text.split()))


def over_quota(limit: SizeLimit | None, text: str | None, data: Any = None) -> str | None:
    """The message for a policy (its text, else its document) over its quota, counted as
    `measure` does; None within it, or where no quota applies (`limit` None)."""
    if limit is None:
        return None
    size = measure(text, data, limit.whitespace)
    if size <= limit.characters:
        return None
    counted = "characters" if limit.whitespace else "characters other than whitespace"
    return (f"the policy has {size:,} {counted}, more than the {limit.characters:,} that AWS accepts for "
            f"{limit.what}")
