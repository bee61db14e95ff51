"""Splitting ARNs into their six segments (IAM-SEMANTICS §7.3).

`arn:partition:service:region:account:resource`; the resource segment keeps any further
colons, and a colon inside a `${...}` policy variable is not a separator.
"""

from __future__ import annotations

import re

__all__ = ["PARTITIONS", "split_arn", "ACCOUNT_ID", "bucket_of"]

PARTITIONS = frozenset({
    "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc",
})

ACCOUNT_ID = re.compile(r"[0-9]{12}")


def split_arn(text: str, variables: bool = False) -> list[str]:
    """Split at the first five colons; with `variables`, colons inside `${...}` do not count.

    `arn:aws:s3:::bucket/a:b` -> `["arn", "aws", "s3", "", "", "bucket/a:b"]`. Fewer than six
    segments come back when the text has fewer than five separators.
    """
    if not variables or "${" not in text:
        return text.split(":", 5)
    segments: list[str] = []
    start = 0
    depth = 0
    i = 0
    while i < len(text) and len(segments) < 5:
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        ch = text[i]
        if ch == "}" and depth:
            depth -= 1
        elif ch == ":" and not depth:
            segments.append(text[start:i])
            start = i + 1
        i += 1
    segments.append(text[start:])
    return segments


def bucket_of(resource: str) -> str | None:
    """The bucket ARN of an S3 object ARN (`arn:aws:s3:::bucket/key` -> `arn:aws:s3:::bucket`),
    whose bucket policy is the object's resource-based policy (§11); None for any other ARN."""
    segments = split_arn(resource)
    if len(segments) == 6 and segments[2] == "s3" and "/" in segments[5]:
        return ":".join(segments[:5] + [segments[5].split("/", 1)[0]])
    return None
