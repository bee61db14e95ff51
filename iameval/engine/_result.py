"""The answer to one request: a decision, the statements that decided it, and what it used
(IAM-SEMANTICS §2.1, §13)."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from ._compile import Match
from ._context import derived_keys
from ._notice import Notice
from ._request import Caller, Request
from ._services import ServiceRule

__all__ = ["Decision", "Result"]


class Decision(StrEnum):
    """The three answers AWS gives (§2.1). A `Decision` equals its string: `"Allow"`."""

    ALLOW = "Allow"
    IMPLICIT_DENY = "ImplicitDeny"
    EXPLICIT_DENY = "ExplicitDeny"


class Result(NamedTuple):
    """A decision with the statements that decided it and a one-line summary (§13): a value.

    `reasons` are the Deny statements for ExplicitDeny, the Allow statements each passed gate
    relied on for Allow, and empty for ImplicitDeny, where `summary` names the gate without an
    Allow; `gate` names the gate that decided (`identity`, `resource_policy`, `permission_boundary`,
    `session`, `scp[N]`, `rcp[N]`), and `explain()` gives every gate's verdict. A request that a
    rule of the service decided, whatever the policies say (§2.7), has that rule in `rule`,
    `gate` `service_rule` and no reasons. `warnings` are
    what iameval could not use as given (a context value that is not a date under a Date
    operator, a list where a variable needs one value), each of which made a comparison false.
    Only the comparisons the decision needed are made: once a Deny applies, Allow statements
    are not read (`explain()` traces all). `derived` holds the context keys iameval filled in
    (§1), from `caller` (the principal as iameval read it) and `resource_account`.

    Results compare by everything they hold; nothing in one can change.
    """

    decision: Decision
    reasons: tuple[Match, ...]
    summary: str
    gate: str
    warnings: tuple[Notice, ...]
    request: Request
    caller: Caller
    resource_account: str | None
    rule: ServiceRule | None = None

    @property
    def derived(self) -> Mapping[str, str]:
        """The keys AWS derives from the principal and the resource that the request did not
        give (§1), read-only."""
        given = {key.lower() for key in self.request.context}
        return MappingProxyType({k: v for k, v in derived_keys(self.caller, self.resource_account).items()
                                 if k.lower() not in given})

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW

    def __hash__(self) -> int:
        return hash((self.decision, self.reasons, self.summary, self.gate, self.warnings, self.caller,
                     self.resource_account, self.rule))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "decision": str(self.decision),
            "summary": self.summary,
            "gate": self.gate,
            "reasons": [m.as_dict() for m in self.reasons],
            "derived": dict(self.derived),
        }
        if self.rule is not None:
            out["rule"] = self.rule.as_dict()
        if self.warnings:
            out["warnings"] = [_notice_json(w) for w in self.warnings]
        return out


def _notice_json(warning: str) -> dict[str, Any]:
    """A warning in JSON: `{"code", "message", "hint"}` (a plain text is an `evaluation` warning)."""
    if isinstance(warning, Notice):
        return warning.as_dict()
    return {"code": "evaluation", "message": str(warning)}
