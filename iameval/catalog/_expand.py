"""What a pattern or a policy names as concrete actions: `expand` and `policy_actions`.

`iameval expand` and validation read these; the engine does not: it matches an action as the
request names it, known to the catalogue or not (IAM-SEMANTICS §7.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..policy._match import ActionMatcher, action_glob
from ..policy._model import Effect, Policy, Statement
from ._catalog import Action, service, service_prefixes

__all__ = ["Grant", "PolicyActions", "all_actions", "expand", "policy_actions"]


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
        svc = service(name)
        if svc is not None:  # always: each prefix is a known one
            found.extend(a for lowered, a in svc.actions.items() if glob.matches(f"{name}:{lowered}"))
    return tuple(sorted(found, key=lambda a: (a.service, a.name.lower())))


# ------------------------------------------------------------------------ what a policy grants

@dataclass(frozen=True, slots=True)
class Grant:
    """A concrete action and the statements (Sid, or index) that name it. `entry` is None for
    an action the catalogue does not know, kept as the policy writes it."""

    action: str
    entry: Action | None
    statements: tuple[str, ...]

    def as_dict(self, details: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = (self.entry.as_dict(details) if self.entry
                               else {"action": self.action, "access_level": None})
        out["statements"] = list(self.statements)
        return out


@dataclass(frozen=True, slots=True)
class PolicyActions:
    """The concrete actions of a policy: `allowed` are granted by some Allow statement on some
    resource (under its conditions); `denied` were granted, but a Deny without conditions on
    every resource takes them away again (§2.1)."""

    allowed: tuple[Grant, ...]
    denied: tuple[Grant, ...]


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


def policy_actions(policy: Policy, only: int | None = None) -> PolicyActions:
    """What a policy allows as concrete actions (or, with `only`, what that one statement names:
    granted if it allows, denied if it denies). `NotAction` is the catalogue minus the listed
    actions, and an action counts only where the statement's `Resource` can match it (§7.1)."""
    # A statement with an empty element applies to nothing (§12.2), as in the decision.
    chosen = [(i, s) for i, s in enumerate(policy.statement)
              if (only is None or i == only) and not s.has_no_effect]
    grants: dict[str, tuple[Action | None, str, list[str]]] = {}
    for index, statement in chosen:
        if only is None and statement.effect is not Effect.ALLOW:
            continue
        known, unknown = _named_actions(statement)
        label = statement.label(index)
        for key, entry in known.items():
            grants.setdefault(key, (entry, str(entry), []))[2].append(label)
        for name in unknown:
            grants.setdefault(name.lower(), (None, name, []))[2].append(label)
    ordered = [Grant(name, entry, tuple(labels)) for _, (entry, name, labels) in sorted(grants.items())]
    if only is not None:
        if policy.statement[only].effect is Effect.DENY or policy.statement[only].has_no_effect:
            return PolicyActions((), tuple(ordered))
        return PolicyActions(tuple(ordered), ())
    blockers = [ActionMatcher.of(s.action, s.not_action) for s in policy.statement
                if s.effect is Effect.DENY and s.applies_to_every_resource_unconditionally]
    allowed = [g for g in ordered if not any(b.matches(g.action.lower()) for b in blockers)]
    denied = [g for g in ordered if any(b.matches(g.action.lower()) for b in blockers)]
    return PolicyActions(tuple(allowed), tuple(denied))
