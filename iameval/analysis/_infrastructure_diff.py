"""What a template or plan newly allows: `diff` (`_diff.py`) over two `Infrastructure`s.

The two sides are paired by identity, as the files name things: principals by logical ID or
Terraform address, resource-based policies by the ARN of their resource, every other policy (a
managed policy attached to none of the file's principals, an SCP, an RCP) by its label. Each pair
whose policies differ is searched with the kind its policies have in the chain (§2.1):

- a principal's identity policies as `identity`, the caller being the principal itself (a role
  through a session of itself, §2.4). `diff` has no kind that puts a boundary under identity
  policies, so a boundary is a pair of its own (§2.3): changed, as `boundary` (the identity gate
  allowing all); taken away, the new identity policies against the old boundary read as identity
  policies (what they allow beyond it); added, it only limits and is not searched. With the
  identity pair, no request the change newly allows is missed; a request reported by one of the
  two may still be refused by the other gate.
- a trust policy as `trust`, a resource-based policy as `resource`: every caller they can tell
  apart is searched (`_callers`), for a resource of the default account.
- a policy that could not be read (unknown until deployment, refused), on either side, makes its
  pair `unknown` with the located reasons: never guessed.

A pair with nothing on the new side (removed) newly allows nothing and is not searched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..inputs._placeholders import holds_placeholder
from ..inputs._templates import FoundPolicy, load_found
from ..policy._model import Policy
from ._diff import DiffReport, Outcome, UnknownPart, diff
from ._policy_types import DIFF_TYPES

if TYPE_CHECKING:
    from ..inputs._accounts import AccountPrincipal
    from ..inputs._templates import Infrastructure

__all__ = ["InfrastructureDiff", "PairReport", "diff_infrastructure"]

# The kind `diff` searches a standalone policy of the file as, by its place in the chain.
_KINDS = {kind: name for name, kind in DIFF_TYPES.items() if name != "trust"}  # a trust policy: by its place


@dataclass(frozen=True)
class PairReport:
    """One thing of the files compared: its name as the new file (else the old) names it, what
    of it was compared (`identity policies`, `permissions boundary`, ...), whether it was
    `added` or `changed` (or `unchanged`, reported for being unknown on a side), the kind it was
    searched as, and `diff`'s answer."""

    name: str
    part: str
    change: str
    kind: str
    report: DiffReport

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "part": self.part, "change": self.change, "kind": self.kind,
                **self.report.as_dict()}


@dataclass(frozen=True)
class InfrastructureDiff:
    """The pairs that differ, and how many things were the same on both sides."""

    pairs: tuple[PairReport, ...]
    unchanged: int
    removed: tuple[tuple[str, str], ...]  # (name, part) of what only the old side has

    @property
    def result(self) -> Outcome:
        """`new-access` when a pair has some, else `unknown` when a pair is, else `no-new-access`."""
        results = {p.report.result for p in self.pairs}
        for outcome in (Outcome.NEW_ACCESS, Outcome.UNKNOWN):
            if outcome in results:
                return outcome
        return Outcome.NO_NEW_ACCESS

    def as_dict(self) -> dict[str, Any]:
        return {"result": str(self.result), "pairs": [p.as_dict() for p in self.pairs],
                "unchanged": self.unchanged,
                "removed": [{"name": name, "part": part} for name, part in self.removed]}


def diff_infrastructure(old: Infrastructure, new: Infrastructure) -> InfrastructureDiff:
    """What `new` allows that `old` does not, pair by pair (module docstring)."""
    reports: list[PairReport] = []
    unchanged = 0
    removed: list[tuple[str, str]] = []
    for pair in [*_principal_pairs(old, new), *_resource_pairs(old, new), *_standalone_pairs(old, new)]:
        if pair.after is None:
            removed.append((pair.name, pair.part))
        elif pair.before == pair.after and not pair.problems:
            unchanged += 1
        else:
            report = DiffReport((), (UnknownPart((), "; ".join(pair.problems)),)) if pair.problems else diff(
                list(pair.before or ()), list(pair.after), pair.kind, pair.caller)
            change = "added" if pair.before is None else "changed" if pair.before != pair.after else "unchanged"
            reports.append(PairReport(pair.name, pair.part, change, pair.kind, report))
    return InfrastructureDiff(tuple(reports), unchanged, tuple(removed))


@dataclass(frozen=True)
class _Pair:
    """What is compared: the policies of each side (None: the side has none), the kind they are
    searched as, the caller whose requests are, and the located problems that leave a side unknown."""

    name: str
    part: str
    kind: str
    before: tuple[Policy, ...] | None
    after: tuple[Policy, ...] | None
    caller: str | None = None
    problems: tuple[str, ...] = ()


def _principal_pairs(old: Infrastructure, new: Infrastructure) -> Iterator[_Pair]:
    """Each principal's identity policies, its boundary where either side has one, and a role's
    trust policy."""
    for key in dict.fromkeys([*new.names, *old.names]):
        was = old.find(key) if key in old.names else None
        now = new.find(key) if key in new.names else None
        shown = now or was
        if shown is None:
            continue
        name = key if new.format == "Terraform plan" else f"{key} (AWS::IAM::{shown.kind.title()})"
        problems = tuple(dict.fromkeys(str(p) for side in (was, now) if side is not None for p in side.problems))
        # The principal is the caller, where its ARN is known before deployment.
        caller = shown.arn if shown.arn.startswith("arn:") and not holds_placeholder(shown.arn) else None
        yield _Pair(name, "identity policies", "identity", _side(was, lambda p: p.identity),
                    _side(now, lambda p: p.identity), caller, problems)
        old_boundary = was.permission_boundary if was is not None else None
        new_boundary = now.permission_boundary if now is not None else None
        if old_boundary is not None and new_boundary is not None:
            yield _Pair(name, "permissions boundary", "boundary", (old_boundary,), (new_boundary,), caller, problems)
        elif old_boundary is not None and now is not None:
            # What the identity policies allow beyond the boundary taken away: with the identity
            # pair, exactly what the principal newly may.
            yield _Pair(name, "permissions boundary (removed): identity policies beyond it", "identity",
                        (old_boundary,), now.identity, caller, problems)
        if shown.kind == "role":
            # A trust policy read is known whatever else of its role is not (`Account.resource_policy`).
            unread = any(side is not None and side.trust_policy is None for side in (was, now))
            yield _Pair(name, "trust policy", "trust", _side(was, _trust), _side(now, _trust), None,
                        problems if unread else ())


def _side(principal: AccountPrincipal | None,
          policies: Callable[[AccountPrincipal], tuple[Policy, ...]]) -> tuple[Policy, ...] | None:
    return policies(principal) if principal is not None else None


def _trust(principal: AccountPrincipal) -> tuple[Policy, ...]:
    return (principal.trust_policy,) if principal.trust_policy is not None else ()


def _resource_pairs(old: Infrastructure, new: Infrastructure) -> Iterator[_Pair]:
    """The resource-based policies, by the ARN of their resource."""
    for arn in dict.fromkeys([*new.resource_policies, *old.resource_policies]):
        was, now = old.resource_policies.get(arn), new.resource_policies.get(arn)
        either = now or was
        label = either.name if either is not None else None
        yield _Pair(f"{label} ({arn})" if label else arn, "resource policy", "resource",
                    (was,) if was is not None else None, (now,) if now is not None else None)


def _standalone_pairs(old: Infrastructure, new: Infrastructure) -> Iterator[_Pair]:
    """The policies of neither a principal nor a resource (a managed policy attached to none
    of the file's principals, an SCP, an RCP), by label."""
    was_found, now_found = _standalone(old), _standalone(new)
    for label in dict.fromkeys([*now_found, *was_found]):
        was, now = was_found.get(label), now_found.get(label)
        either = now or was
        if either is None:
            continue
        sides = [load_found(found) if found is not None else (None, ()) for found in (was, now)]
        problems = tuple(str(p) for _, found_problems in sides for p in found_problems)
        # A side that holds the policy but could not read it holds nothing readable: `problems` says why.
        before, after = (None if found is None else (policy,) if policy is not None else ()
                         for found, (policy, _) in zip((was, now), sides))
        yield _Pair(label, "policy", "trust" if either.trust else _KINDS[either.kind], before, after, None, problems)


def _standalone(infrastructure: Infrastructure) -> dict[str, FoundPolicy]:
    """The file's policies, by label, that none of its principals or resources holds. A plan is
    to be read in one state (`PlanState.AFTER` or `BEFORE`): by default its `before` policies,
    recorded for `validate`, would be among them."""
    held = {policy.name for principal in infrastructure.account.principals
            for policy in (*principal.identity, principal.permission_boundary, principal.trust_policy)
            if policy is not None}
    held |= {policy.name for policy in infrastructure.resource_policies.values()}
    return {found.label: found for found in infrastructure.policies if found.label not in held}
