"""Decide sets: every catalogue action that one principal may perform on one resource, at once.

A principal's request without context is decided by which statements of each gate cover its
action (`_plan.Plan`) and whether each holds (`CompiledStatement.holds`). With no context, a
statement without `Condition`, policy variables in `Resource` or `Principal` holds or not
whatever the action: its `Resource` alone is tested, once per resource. For the actions such
statements alone cover, the chain of §2.1 is set algebra over the catalogue expansions of their
`Action` and `NotAction` elements (`catalog.expand`, the engine's own glob, §7.2): the union of
the identity Allows, intersected with the boundary's and every SCP level's (§4, §5), minus
every Deny (RCP Denies only on the services RCPs govern).

The rest is asked of the engine (`Authorizer.authorize`), never restated here: the actions that
a statement with conditions, variables or a Principal covers, and those whose requests something
beyond the statements can decide (a rule of the services, a resource-based policy that must
allow, §2.5, §2.7; the lock-out protection, a resource-based policy set aside or read as a key
policy; a caller read as an identity provider). They are split into classes of actions that
every statement of every gate covers alike and that those rules treat alike: such actions get
the same plan, up to the order of its statements, hence the same decision; one action of each
class is decided for the class.
A denied action is "conditional" as `who-can` says it (`engine.conditional_access`): the chain
would allow it were conditions on keys the request did not give to hold.

Bits are positions in an `ActionIndex`, the catalogue's actions in `catalog.all_actions` order;
an action set is a Python int, and what a policy gives is computed once per policy object,
kind and resource (`Policy.derived`), shared by every principal that holds the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from ..catalog._expand import all_actions, expand
from ..engine._chain import Authorizer
from ..engine._compile import CompiledStatement, PolicySet, compiled
from ..engine._context import Context
from ..engine._explain import conditional_access, explain
from ..engine._plan import is_resource_policy_required
from ..engine._request import PROVIDER_ACTIONS, Caller, CallerKind, is_key_policy_action
from ..engine._services import lockout, rcp_exemption, resource_policy_exemption, rules_for, scp_exemption
from ..policy._match import ActionMatcher, arn_segments
from ..policy._model import Policy, PolicyKind

__all__ = ["ActionIndex", "ActionSets", "decide_sets", "split_classes"]


class ActionIndex:
    """The catalogue's actions in one fixed order, each a bit of an int (`names[i]` is bit i).

    It keeps what is a function of the catalogue alone, made on first use: the bits of each
    `Action` pattern and element, and which actions a caller's kind meets the rules of the
    services for (§2.7) or RCPs govern (§4).
    """

    __slots__ = ("names", "everything", "_position", "_patterns", "_elements", "_specials", "_governed",
                 "_contexts")

    def __init__(self, names: Sequence[str]):
        self.names = tuple(names)
        self.everything = (1 << len(self.names)) - 1
        self._position = {name.lower(): i for i, name in enumerate(self.names)}
        self._patterns: dict[str, int] = {}
        self._elements: dict[int, tuple[ActionMatcher, int]] = {}
        self._specials: dict[tuple[Any, ...], tuple[int, ...]] = {}
        self._governed: dict[tuple[Any, ...], int] = {}
        self._contexts: dict[str, Context] = {}

    @classmethod
    def catalogue(cls) -> "ActionIndex":
        """Every action of the catalogue (`catalog.all_actions`), in its order."""
        return cls([str(action) for action in all_actions()])

    def __len__(self) -> int:
        return len(self.names)

    def position(self, name: str) -> int | None:
        """The bit of an action (lower-cased), None if the catalogue does not know it."""
        return self._position.get(name)

    def bits(self, names: Sequence[str]) -> int:
        """The actions named (any case); names the catalogue does not know are left out."""
        found = 0
        for name in names:
            position = self._position.get(name.lower())
            if position is not None:
                found |= 1 << position
        return found

    def pattern(self, pattern: str) -> int:
        """The actions an `Action` entry names (`catalog.expand`, the engine's glob, §7.2)."""
        found = self._patterns.get(pattern)
        if found is None:
            found = self._patterns[pattern] = self.bits([str(a) for a in expand(pattern)])
        return found

    def covered(self, statement: CompiledStatement) -> int:
        """The actions a statement's `Action` or `NotAction` element covers (§7.1)."""
        matcher = statement.actions
        held = self._elements.get(id(matcher))
        if held is None:  # the matcher is kept beside its bits: its id names it while both live
            found = self.bits(sorted(matcher.exact))
            for glob in matcher.globs:
                found |= self.pattern(glob.pattern)
            held = self._elements[id(matcher)] = (matcher, self.everything & ~found if matcher.negated else found)
        return held[1]

    def positions(self, bits: int) -> Iterator[int]:
        """The positions of the set bits, lowest first."""
        while bits:
            low = bits & -bits
            yield low.bit_length() - 1
            bits ^= low

    def specials(self, caller: Caller, resource: str, resource_policy: bool) -> tuple[int, ...]:
        """The actions whose requests by this caller on `resource` something beyond the
        statements can decide, in groups that it decides alike: the rules of the services that
        can decide them (§2.7), whether a resource-based policy must allow (§2.5), the lock-out
        protection of the owner's root user, a resource-based policy set aside or read as a key
        policy; a caller read as an identity provider, one group per action. What decides them
        depends on the caller's kind alone (and whether it is a service-linked role, which
        `scp_exemption` tells), so the groups are kept by that."""
        key = (caller.kind, scp_exemption(caller) is not None, resource, resource_policy)
        found = self._specials.get(key)
        if found is None:
            groups: dict[tuple[Any, ...], int] = {}
            root = caller.kind is CallerKind.ROOT
            for position, name in enumerate(self.names):
                action = name.lower()
                what = (tuple(rule.id for rule, _ in rules_for(caller, None, action)),
                        action if action in PROVIDER_ACTIONS else None,
                        is_resource_policy_required(action, resource), bool(root and lockout(action)),
                        resource_policy and bool(resource_policy_exemption(action)),
                        resource_policy and is_key_policy_action(action))
                if any(what):
                    groups[what] = groups.get(what, 0) | 1 << position
            found = self._specials[key] = tuple(groups.values())
        return found

    def governed(self, caller: Caller) -> int:
        """The actions whose requests by this caller RCPs govern (`rcp_exemption`, §4)."""
        key = (caller.kind, scp_exemption(caller) is not None)
        found = self._governed.get(key)
        if found is None:
            found = sum(1 << p for p, name in enumerate(self.names) if rcp_exemption(caller, name.lower()) is None)
            self._governed[key] = found
        return found

    def context(self, resource: str) -> Context:
        """A request on `resource` with no context: what a statement without conditions or
        variables reads (its resource, §7.3)."""
        found = self._contexts.get(resource)
        if found is None:
            found = self._contexts[resource] = Context({}, {}, None, resource, arn_segments(resource))
        return found


@dataclass(frozen=True, slots=True)
class ActionSets:
    """What one principal may do on one resource, as bits of an `ActionIndex`: `allowed`, and
    `conditional`, denied as asked but allowed were conditions on keys the request did not give
    to hold (`engine.conditional_access`). `asked`: how many requests the engine decided."""

    allowed: int
    conditional: int
    asked: int = 0


@dataclass(frozen=True, slots=True)
class _Gives:
    """What one policy gives, as one kind, on one resource: the actions of its Allow and Deny
    statements that hold whatever the action (`allows`, `denies`), and those of each statement
    whose answer depends on more than the action (`open`)."""

    allows: int
    denies: int
    open: tuple[int, ...]


def _gives(policy: Policy, kind: PolicyKind, label: str, index: ActionIndex, resource: str) -> _Gives:
    memo = policy.derived()
    key = (_Gives, kind, resource, index)
    found = memo.get(key)
    if found is None:
        allows = denies = 0
        open_: list[int] = []
        context = index.context(resource)
        for statement in compiled(policy, kind, label).statements:
            if statement.no_effect:
                continue  # an empty element: the statement applies to nothing (§12.2)
            bits = index.covered(statement)
            if not bits:
                continue
            if statement.conditions or statement.variable_resources or statement.principals is not None:
                open_.append(bits)
            elif statement.holds(context):
                if statement.deny:
                    denies |= bits
                else:
                    allows |= bits
        found = memo.setdefault(key, _Gives(allows, denies, tuple(open_)))
    return found  # type: ignore[no-any-return]


def _gate(policies: PolicySet, index: ActionIndex, resource: str) -> _Gives:
    """What the policies of one gate (or one organization level) give together."""
    allows = denies = 0
    open_: tuple[int, ...] = ()
    for policy, label in zip(policies.policies, policies.labels):
        gives = _gives(policy, policies.kind, label, index, resource)
        allows |= gives.allows
        denies |= gives.denies
        open_ += gives.open
    return _Gives(allows, denies, open_)


def decide_sets(authorizer: Authorizer, principal: str, index: ActionIndex, resource: str = "*", *,
                actions: int | None = None, resource_account: str | None = None,
                context: Mapping[str, Any] | None = None) -> ActionSets:
    """The actions of `actions` (every one of the index by default) that `principal` may
    perform on `resource` with `context` (none by default), under `authorizer`'s policies: each
    answer that of `authorizer.authorize` for that request, and `conditional` that of
    `conditional_access` (the module's docstring says how). Only statements with conditions or
    variables read the context, and those are asked of the engine. A request the engine refuses
    raises its `PolicyError`."""
    selected = index.everything if actions is None else actions
    base: dict[str, Any] = {"principal": principal, "action": "sts:GetCallerIdentity", "resource": resource,
                            "context": dict(context or {})}
    if resource_account is not None:
        base["resource_account"] = resource_account
    _, plan, prepared = authorizer.prepare(base)  # a caller that cannot have these policies raises here
    caller = plan.caller
    everything = index.everything

    identity = _gate(authorizer.identity, index, resource)
    denies = identity.denies
    open_ = identity.open
    allows = everything if plan.root else identity.allows  # the root user needs no Allow (§2.3)
    if not plan.identity_side:
        allows = 0  # only a resource-based policy can grant (§2.6), and its statements are open
    # The classes of open actions keep apart what each gate gives on its own.
    splitters = [allows]
    for policies, required in ((authorizer.permission_boundary, plan.has_boundary),
                               (authorizer.session, plan.session_required)):  # §2.4, §5
        if required:
            gate = _gate(policies, index, resource)
            allows &= gate.allows
            denies |= gate.denies
            open_ += gate.open
            splitters.append(gate.allows)
    if authorizer.scps and scp_exemption(caller) is None:
        for level in authorizer.scps:  # every level must allow (§4)
            gate = _gate(level, index, resource)
            allows &= gate.allows
            denies |= gate.denies
            open_ += gate.open
            splitters.append(gate.allows)
    if authorizer.rcps:
        # An RCP's statements reach only the actions it governs: their bits say so, and so
        # part the classes too.
        governed = index.governed(caller)
        for level in authorizer.rcps:  # RCPs only deny (§4)
            gate = _gate(level, index, resource)
            denies |= gate.denies & governed
            open_ += tuple(bits & governed for bits in gate.open)
    if authorizer.resource_policy:
        open_ += _gate(authorizer.resource_policy, index, resource).open
    splitters.append(denies)
    same_account = prepared.same_account(caller.account)

    opened = specials = 0
    for bits in open_:
        opened |= bits
    groups = index.specials(caller, resource, bool(authorizer.resource_policy))
    for bits in groups:
        specials |= bits
    # Without a resource-policy grant, which only open statements give, another account's
    # resource is refused (§3).
    allowed = (allows & ~denies if same_account else 0) & selected & ~opened & ~specials
    conditional = 0
    asked = 0

    def ask(position: int) -> tuple[bool, bool]:
        nonlocal asked
        asked += 1
        request = {**base, "action": index.names[position]}
        result = authorizer.authorize(request)
        if result.allowed:
            return True, False
        if not opened >> position & 1:
            return False, False  # only statements with conditions can be met on keys not given
        allowed_if, unless = conditional_access(authorizer, request, explain(authorizer, request))
        return False, bool(allowed_if or unless)

    for members in split_classes(selected & (opened | specials), splitters + list(groups) + list(open_)):
        yes, maybe = ask((members & -members).bit_length() - 1)
        if yes:
            allowed |= members
        elif maybe:
            conditional |= members
    return ActionSets(allowed, conditional, asked)


def split_classes(bits: int, splitters: Sequence[int]) -> list[int]:
    """`bits` split into the classes of actions that each splitter holds alike."""
    classes = [bits] if bits else []
    for splitter in splitters:
        split: list[int] = []
        for members in classes:
            inside = members & splitter
            if inside and inside != members:
                split += [inside, members & ~splitter]
            else:
                split.append(members)
        classes = split
    return classes
