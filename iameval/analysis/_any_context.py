"""Whether one caller may make one request under some context: `who-can --any-context` (IAM-SEMANTICS §2-§10).

The heuristic of `who-can` (`_explain.conditional_access`) takes each condition on a key the
request did not give to be satisfiable on its own; here the solver (cvc5, `_search`) searches for one context under which
the chain allows (`_search.search_class`, the engine's own `decide` judging), so that two
conditions that cannot hold together are never reported, and every answer is a request the
engine allows, replayed through `Authorizer.authorize`. What the caller is (its tags, §10) is
fixed, never searched.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..engine._chain import Authorizer
from ..engine._request import Request
from ._search import Fact, SymbolicMismatch, search_class

__all__ = ["some_context"]

_TAG = "aws:principaltag/"


def some_context(authorizer: Authorizer, principal: str, action: str, resource: str,
                 fixed: Mapping[str, str], resource_account: str | None = None) -> tuple[Request | None, str | None]:
    """A request of `principal` for `action` on `resource` that `authorizer` allows, with the
    keys of `fixed` (the caller's tags) as given, the caller's other tags absent, and any other
    keys; or None, with why the answer is unknown (None when no context allows it)."""
    # The caller's tags are what the account says: one it does not have is absent (§10),
    # whether a condition reads it or a variable does.
    facts: tuple[Fact, ...] = tuple((key, value, ()) for key, value in fixed.items())
    given: dict[str, Any] = dict(fixed)
    found, reason = search_class(None, authorizer, principal, [action], None, given, resource_account, facts, resource,
                                 absent=(_TAG,))
    if found is None:
        return None, reason
    if not authorizer.authorize(found).allowed:
        raise SymbolicMismatch(f"the engine does not allow {found.model_dump(exclude_defaults=True)}")
    return found, None
