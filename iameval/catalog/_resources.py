"""Resource types and their ARN templates: whether a `Resource` entry can name one (§7.3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..policy._arn import split_arn
from ..policy._match import Glob, facing_segments, pattern_segments

__all__ = ["ResourceType", "resource_fits"]


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A resource type of a service and its ARN template
    (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`)."""

    name: str
    arn: str | None
    condition_keys: tuple[str, ...] = ()

    @property
    def templates(self) -> tuple[str, ...]:
        """The ARN templates; a few types have several (`arn:...:/apis/..., arn:...:/restapis/...`)."""
        return tuple(t.strip() for t in self.arn.split(", ")) if self.arn else ()

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "arn": self.arn}


_VARIABLE = re.compile(r"\$\{[^}]*\}")


def _fixed_ends(pattern: str) -> tuple[str, str]:
    """The text before the first wildcard and after the last one."""
    cut = [i for i, ch in enumerate(pattern) if ch in "*?"]
    if not cut:
        return pattern, pattern
    return pattern[:cut[0]], pattern[cut[-1] + 1:]


@lru_cache(maxsize=1 << 16)
def _overlap(a: str, b: str) -> bool:
    """Whether some text matches both globs (`*` any run, `?` one character)."""
    (a_head, a_tail), (b_head, b_tail) = _fixed_ends(a), _fixed_ends(b)
    if not (a_head.startswith(b_head) or b_head.startswith(a_head)):
        return False
    if not (a_tail.endswith(b_tail) or b_tail.endswith(a_tail)):
        return False
    # A text without wildcards (most `Resource` segments) is itself the only text it matches:
    # then one glob match answers, in time linear in it, where the rows below take the product.
    if "*" not in a and "?" not in a:
        return Glob(b).matches(a)
    if "*" not in b and "?" not in b:
        return Glob(a).matches(b)
    if len(b) > len(a):
        a, b = b, a  # the relation is symmetric: rows run over the shorter (a template's segment)
    n, m = len(a), len(b)
    # row[j], for row i: some text matches both a[i:] and b[j:]. Two rows at a time keep memory
    # to the shorter pattern and time to the product of the two lengths (issue 14).
    below: list[bool] = []
    for i in range(n, -1, -1):
        x = a[i] if i < n else None
        row = [False] * (m + 1)
        for j in range(m, -1, -1):
            y = b[j] if j < m else None
            if x is None and y is None:
                row[j] = True
            elif x == "*":
                row[j] = below[j] or (y is not None and row[j + 1])
            elif y == "*":
                row[j] = row[j + 1] or (x is not None and below[j])
            elif x is None or y is None:
                row[j] = False
            else:
                row[j] = (x == "?" or y == "?" or x == y) and below[j + 1]
        below = row
    return below[0]


@lru_cache(maxsize=1 << 16)
def _fits(resource: str, template: str | None) -> bool:
    """Whether some ARN of the template matches the `Resource` entry, segment by segment as the
    engine matches (§7.3): a shorter entry only when it ends in `*`, its last segment then
    facing the rest of the ARN."""
    if template is None or resource == "*":
        return True
    shape = split_arn(_VARIABLE.sub("*", template))
    if len(shape) != 6:
        return True
    pattern = pattern_segments(resource, variables=True)
    if pattern is None:
        return False
    # A policy variable, like a template's `${BucketName}`, may stand for any text.
    return all(_overlap(_VARIABLE.sub("*", p), s)
               for p, s in zip(pattern, facing_segments(shape, len(pattern))))


def resource_fits(resource: str, resource_type: ResourceType) -> bool:
    """Whether some ARN of `resource_type` (by its templates) matches the `Resource` entry,
    segment by segment as in §7.3. A type without a template fits anything."""
    templates = resource_type.templates
    return not templates or any(_fits(resource, t) for t in templates)
