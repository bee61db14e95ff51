"""A request checked like a policy: what it may not mean, as the result's warnings (IAM-SEMANTICS §12.2).

AWS evaluates a request as written, so nothing here changes a decision. But an action the
catalogue does not know, a condition key the action never carries, a context value that cannot
be read as its key's type, a resource that fits none of the action's resource types, or a policy
whose `${...}` is literal text because it has no `Version`: each makes a confident answer that
is probably not the one meant. The judgements are the catalogue's, the same that `validate`
gives a policy's entries (`catalog/_judgements.py`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .. import catalog
from ..policy._model import Policy, PolicyKind
from ..policy._quotas import KIND_QUOTAS, over_quota, quota_of
from ._notice import Notice

__all__ = ["REQUEST_CHECKS", "action_notices", "policy_notices", "request_notices"]

# The codes of what a request may not mean (the same codes as `validate`'s for a policy's
# entries), beside the warnings of evaluation itself.
REQUEST_CHECKS = frozenset({"unknown-service", "unknown-action", "no-matching-action", "unknown-condition-key",
                            "condition-key-not-applicable", "context-value-type", "resource-mismatch",
                            "missing-version", "policy-too-large"})


def _notice(judgement: catalog.Judgement | None) -> Notice | None:
    return None if judgement is None else Notice(judgement.message, judgement.code, judgement.hint)


@lru_cache(maxsize=8192)
def action_notices(action: str) -> tuple[Notice, ...]:
    """The request's action: a service or action the catalogue does not know (kept per action)."""
    notice = _notice(catalog.action_judgement(action))
    return (notice,) if notice is not None else ()


def policy_notices(policy: Policy, kind: PolicyKind, name: str) -> tuple[Notice, ...]:
    """What the policy itself may not mean: no `Version` while holding `${...}`, whose variables
    are then literal text (§6.2, §9); a size over the quota of its kind, which AWS would not have
    accepted (§12.3). `name`: how notices name it (its name, else its label)."""
    found = []
    document = policy.to_json()
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    if policy.version is None and "${" in text:
        found.append(Notice(f"{name} has no `Version`: its `${{...}}` are literal text, not policy variables",
                            "missing-version", "add `\"Version\": \"2012-10-17\"`"))
    origin = policy.origin
    written = (origin[0].text if origin is not None and origin[1] == () and origin[0].format in ("json", "jsonl")
               else text)
    limit = quota_of(KIND_QUOTAS[kind], policy.arn)  # none for an AWS managed policy (§14.20)
    message = over_quota(limit, written.strip())
    if limit is not None and message is not None:
        found.append(Notice(f"{name}: {message}", "policy-too-large", limit.hint))
    return tuple(found)


# Judgements of one action's request, kept: a request of a known action is judged by its resource
# and the names and values of its context keys, which repeat from one request to the next.
_JUDGED: dict[tuple[Any, ...], tuple[Notice, ...]] = {}
_KEPT = 4096


def request_notices(action: str, resource: str, context: Any) -> tuple[Notice, ...]:
    """The request's resource and context against its action (lower-cased): condition keys
    the catalogue does not know or that the action does not take, values of the wrong type,
    and a resource that fits none of the action's resource types."""
    items = tuple(context.items()) if context else ()
    key = (action, resource, items)
    found = _JUDGED.get(key)
    if found is None:
        found = _judge(action, resource, items)
        if len(_JUDGED) >= _KEPT:
            _JUDGED.clear()
        _JUDGED[key] = found
    return found


def _judge(action: str, resource: str, items: tuple[tuple[str, Any], ...]) -> tuple[Notice, ...]:
    known = catalog.action(action)  # an unknown one is reported as the plan's (`action_notices`)
    found: list[Notice | None] = []
    if resource != "*" and known is not None:
        found.append(_notice(catalog.resource_judgement(resource, (known,), whose="the action")))
    for name, value in items:
        found.append(_notice(catalog.key_judgement(name, (known,) if known is not None else None)))
        values = value if isinstance(value, tuple) else (value,)
        found.append(_notice(catalog.value_judgement(name, [_text(v) for v in values])))
    return tuple(n for n in found if n is not None)


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
