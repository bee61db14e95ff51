"""The authorization chain: from the statements that apply to one decision (IAM-SEMANTICS §2-§5).

An `Authorizer` is built once from a set of policies (compiled then) and answers many requests.
Each answer is a `Result`: the decision, the statements that decided it, and a summary in AWS's
words naming the gate that decided.

The first request of a caller and an action makes a plan (`_plan.Plan`): in every gate, the
statements whose action and principal tests pass for them. Later requests of that caller and
action test only what varies from one request to the next, resources and conditions, Deny
statements first (`decide`). Explanations run the same `decide` with a trace (`_trace`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from pydantic import ValidationError

from ._checks import request_notices
from ._compile import Entries, Match, MatchClass, PolicySet, holding
from ._context import Context, caller_keys
from ..policy._errors import Location, Problem, RequestError
from ..policy._model import Policy, PolicyKind
from ..policy._references import see
from ._plan import (RCP_IMPLIED_ALLOW, ROOT_NEEDS_NO_ALLOW, GateKind, Plan, PolicySets, Who,
                    is_resource_policy_required)
from ._callers import _WITH_IDENTITY
from ._request import (PROVIDER_ACTIONS, Caller, CallerError, CallerKind, Credentials, Request, parse_caller,
                       request_errors)
from ._result import Decision, Result
from ._services import SERVICE_RULE, Candidate, ServiceRule, scp_exemption

if TYPE_CHECKING:
    from ._trace import Tracer

__all__ = ["Authorizer", "decide"]

Hold = Callable[[Entries, Context], tuple[Match, ...]]
# action, principal, aws:PrincipalArn, federated_from, credentials
PlanKey = tuple[str, str, str | None, str | None, Credentials | None]

_STRENGTH = (MatchClass.DIRECT, MatchClass.USER, MatchClass.ENTITY, MatchClass.ACCOUNT)
# Where the resource policy is mandatory, an exact user ARN reaches only as far as ENTITY (§2.5).
_STRENGTH_MANDATORY = (MatchClass.DIRECT, MatchClass.ENTITY, MatchClass.USER, MatchClass.ACCOUNT)


def _strongest(matches: Sequence[Match], mandatory: bool) -> MatchClass | None:
    """The strongest principal match among resource-policy Allows (§2.2, §2.5)."""
    if len(matches) == 1:
        return matches[0].match_class
    order = _STRENGTH_MANDATORY if mandatory else _STRENGTH
    found = [m.match_class for m in matches]  # a list: members compare by identity, enums hash slowly
    for cls in order:
        if cls in found:
            return cls
    return None


class Authorizer:
    """Policies compiled once; `authorize(request)` answers each request (§2.1).

    `identity` are all identity-based policies of the principal; `resource` the resource-based
    policy; `permission_boundary` at most one; `session` the session policies (OR'ed, §5);
    `scps`/`rcps` one entry per organization level from the root to the account, each a policy
    or a list of the policies attached at that level (SCENARIO.md).
    """

    def __init__(self, *, identity: Sequence[Policy] = (), resource_policy: Policy | None = None,
                 permission_boundary: Policy | None = None, session: Sequence[Policy] = (),
                 scps: Sequence[Policy | Sequence[Policy]] = (),
                 rcps: Sequence[Policy | Sequence[Policy]] = ()):

        def build(kind: PolicyKind, name: str, policies: Sequence[Policy], single: bool = False) -> PolicySet:
            labels = [p.name or (name if single else f"{name}[{i}]") for i, p in enumerate(policies)]
            return PolicySet(kind, policies, labels)

        self.identity = build(PolicyKind.IDENTITY, "identity", list(identity))
        self.resource_policy = build(PolicyKind.RESOURCE_POLICY, "resource",
                                     [resource_policy] if resource_policy else [], True)
        self.permission_boundary = build(PolicyKind.PERMISSION_BOUNDARY, "permission_boundary",
                                         [permission_boundary] if permission_boundary else [], True)
        self.session = build(PolicyKind.SESSION, "session", list(session))
        self.scps = tuple(self._level(PolicyKind.SCP, "scps", n, level) for n, level in enumerate(scps))
        self.rcps = tuple(self._level(PolicyKind.RCP, "rcps", n, level) for n, level in enumerate(rcps))
        # Which gates have policies, read once: every request asks.
        self._sets = PolicySets(self.scps, self.rcps, self.resource_policy, self.identity,
                                self.permission_boundary, self.session,
                                (bool(self.resource_policy), bool(self.identity), bool(self.permission_boundary),
                                 bool(self.session)),
                                tuple(n for s in (*self.scps, *self.rcps, self.resource_policy, self.identity,
                                                  self.permission_boundary, self.session) for n in s.notices))
        # Identity-side policies: which callers cannot have them is checked once per caller (`_check_fits`).
        self._fit_check = any(self._sets.present[1:])
        self._plans: dict[PlanKey, Plan] = {}
        self._callers: dict[tuple[Any, ...], Who] = {}

    @staticmethod
    def _level(kind: PolicyKind, name: str, n: int, level: Policy | Sequence[Policy]) -> PolicySet:
        """One organization level: a policy, or the list of policies attached there (§4)."""
        if isinstance(level, Policy):
            return PolicySet(kind, [level], [level.name or f"{name}[{n}]"])
        policies = list(level)
        labels = [p.name or f"{name}[{n}][{i}]" for i, p in enumerate(policies)]
        return PolicySet(kind, policies, labels)

    # ------------------------------------------------------------------------------ requests

    def authorize(self, request: Request | Mapping[str, Any]) -> Result:
        """Decide one request by the chain of §2.1 (same account) or §3 (across accounts)."""
        request, plan, context = self.prepare(request)
        return decide(plan, request, context)

    def prepare(self, request: Request | Mapping[str, Any]) -> tuple[Request, Plan, Context]:
        """The request validated, its plan, and its context (which carries the resource)."""
        if type(request) is not Request and not isinstance(request, Request):  # the type test is quicker
            try:
                request = Request.model_validate(request)
            except (ValidationError, UnicodeEncodeError) as exc:
                raise RequestError([Problem(message, Location(path=("request",) + path), code="invalid-request")
                                    for message, path in request_errors(exc, request)]) from None
        given = request.context
        principal_arn: str | None = None
        if given:
            for name in given:  # the first key of any case counts (§8.2)
                if len(name) == 16 and name.lower() == "aws:principalarn":
                    value = given[name]
                    principal_arn = value if type(value) is str else None
                    break
        key = (request.action, request.principal, principal_arn, request.federated_from, request.credentials)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plan(key, request, principal_arn)
        resource = request.resource
        segments = resource.split(":", 5) if resource[:4] == "arn:" else None  # arn_segments, inline
        if segments is not None and len(segments) != 6:
            segments = None
        # `resource_account` as given, else the ARN's account, else the caller's (SCENARIO.md).
        account = request.resource_account
        if account is None:
            account = plan.caller.account
            if segments is not None:
                named = segments[4]
                if named != account and len(named) == 12 and named.isascii() and named.isdigit():
                    account = named
        return request, plan, Context(given, plan.caller_keys, account, resource, segments)

    def _plan(self, key: PlanKey, request: Request, principal_arn: str | None) -> Plan:
        """What one caller and action need from this authorizer's policies, made on first use
        and kept (a memo of a pure function of the policies, the caller and the action)."""
        action = sys.intern(request.action.lower())
        provider = PROVIDER_ACTIONS.get(action)
        # The caller of an identity provider's action is read as a provider (`parse_caller`).
        who_key = key[1:] if provider is None else key[1:] + (provider,)
        who = self._callers.get(who_key)
        if who is None:
            try:
                caller = parse_caller(request.principal, principal_arn, provider)
            except CallerError as exc:
                raise RequestError([Problem(str(exc), Location(path=("request", "principal")), exc.hint,
                                            code="invalid-principal-arn")]) from None
            if self._fit_check:
                self._check_fits(caller)
            who = Who(caller, caller_keys(caller), request.federated_from, caller.kind in _WITH_IDENTITY,
                      scp_exemption(caller), request.credentials)
            if len(self._callers) >= _PLANS_KEPT:
                self._callers.clear()
            self._callers[who_key] = who
        plan = Plan(self._sets, who, action, request.action)
        if len(self._plans) >= _PLANS_KEPT:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    def _check_fits(self, caller: Caller) -> None:
        """Policies a caller cannot have are an error, never silently ignored (§1, §2.3, §2.6).

        Called only when the authorizer has identity-side policies.
        """
        kind = caller.kind
        if kind is CallerKind.ROOT:
            message, hint = ("the root user cannot have identity-based policies, a permissions "
                             "boundary or session policies (" + see("2.3") + ")"), None
        elif kind not in _WITH_IDENTITY:
            message, hint = (f"a {kind.value} caller has no identity-based policies, permissions "
                             "boundary or session policies (" + see("2.6") + ")"), None
        elif kind is CallerKind.USER and self.session:
            message = ("session policies apply to role sessions and federated users, not to an IAM "
                       "user (" + see("2.4") + ")")
            hint = "use an `assumed-role` or `federated-user` principal"
        else:
            return
        raise RequestError([Problem(message, Location(path=("request", "principal")), hint,
                                    code="caller-without-policies")])


# How many plans (and callers) an authorizer keeps: enough for every caller and action a test
# suite or an account query repeats; a run over the whole catalogue starts again rather than grow.
_PLANS_KEPT = 128

_UNCHECKED: tuple[None, tuple[()]] = (None, ())  # a request with no context, on `*`: nothing to judge
_make = tuple.__new__  # a Result without its Python-level constructor: once per request

_BY_RESOURCE_POLICY = "allowed by a resource-based policy"
_NO_RESOURCE_POLICY_ALLOWS = "no resource-based policy allows the action"


# Enum members, read once: in CPython 3.11 each read of `Decision.ALLOW` goes through a
# descriptor, and the chain reads several per request.
_ALLOW, _IMPLICIT_DENY, _EXPLICIT_DENY = Decision.ALLOW, Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY
_DIRECT, _USER, _ENTITY, _ACCOUNT = MatchClass.DIRECT, MatchClass.USER, MatchClass.ENTITY, MatchClass.ACCOUNT
_SCP, _RCP, _RESOURCE_POLICY, _IDENTITY = GateKind.SCP, GateKind.RCP, GateKind.RESOURCE_POLICY, GateKind.IDENTITY
_PERMISSION_BOUNDARY, _SESSION = GateKind.PERMISSION_BOUNDARY, GateKind.SESSION


def _result(plan: Plan, request: Request, context: Context, decision: Decision, gate: str, summary: str,
            reasons: tuple[Match, ...] = (), rule: ServiceRule | None = None) -> Result:
    warnings = context.warnings
    return _make(Result, (decision, reasons, summary, gate, tuple(warnings) if warnings else (), request,
                          plan.caller, context.resource_account, rule))


def decide(plan: Plan, request: Request, context: Context, hold: Hold = holding,
           trace: Tracer | None = None) -> Result:
    """The chain of §2.1 (same account) or §3 (across accounts) for one request.

    `hold` finds the statements of a gate that apply (`_compile.holding`). An explanation passes
    a `_trace.Tracer`'s own, which records what each statement did and answers the same, and
    the tracer itself as `trace`, which is told where a rule beyond the statements decided a
    gate: a Deny waived, an Allow implied.
    """
    caller = plan.caller
    for warning in plan.warnings:
        context.warn(warning)
    # What the request may not mean (`_checks`), kept for the last request: one asked again is
    # not judged again.
    checked = plan.checked
    if checked is None or checked[0] is not request:
        checked = _UNCHECKED
        if request.context or request.resource != "*":
            checked = plan.checked = (request, request_notices(plan.action, request.resource, request.context))
    for notice in checked[1]:
        context.warn(notice)
    if plan.allowing_rules:
        # A rule of the service that allows comes before any policy: no policy can deny (§2.7).
        ruled = _rule(plan, context, plan.allowing_rules, trace)
        if ruled is not None:
            return _result(plan, request, context, _ALLOW, SERVICE_RULE, ruled.summary, (), ruled)
    if trace is not None:
        # Gates that never lack an Allow: RCP levels (RCPFullAWSAccess is attached at every
        # level, so RCPs can only deny: the chain asks them for Denies alone), and the identity
        # gate of the root user (§2.3, `identity_ok` below).
        for n in range(len(plan.rcps)):
            trace.imply(_RCP.level(n), RCP_IMPLIED_ALLOW)
        if plan.root:
            trace.imply(_IDENTITY, ROOT_NEEDS_NO_ALLOW)

    # 1. An explicit Deny in any policy that takes part is final (§2.1).
    if plan.denies:
        denies: tuple[Match, ...] = ()
        gate = ""
        lockout = plan.lockout_applies(context)
        for name, entries in plan.denies:
            if lockout and name is _RESOURCE_POLICY:
                if trace is not None:
                    trace.waive(name, plan.lockout or "")
                continue  # lock-out protection for the owner's root user (§2.7)
            found = hold(entries, context)
            if found:
                gate = gate or name
                denies += found
        if denies:
            return _result(plan, request, context, _EXPLICIT_DENY, gate,
                           f"explicitly denied by a statement in {denies[0].ref.kind.article}", denies)

    if plan.refusing_rules:
        # A rule of the service that refuses comes after the Deny statements, and refuses
        # whatever the rest of the policies would allow (§2.7, §14.17).
        ruled = _rule(plan, context, plan.refusing_rules, trace)
        if ruled is not None:
            return _result(plan, request, context, _IMPLICIT_DENY, SERVICE_RULE, ruled.summary, (), ruled)

    # 2. RCPs can only deny: no level lacks an Allow (see above).
    # 3. Every SCP level must allow (§4).
    scp_allows: tuple[Match, ...] = ()
    if plan.scps:
        for n, level in enumerate(plan.scps):
            allows = hold(level.allows, context) if level.allows else ()
            if not allows:
                return _result(plan, request, context, _IMPLICIT_DENY, _SCP.level(n),
                               f"no service control policy allows the action (level {n})")
            scp_allows += allows

    entries = plan.resource_policy.allows
    resource_allows = hold(entries, context) if entries else ()
    if not plan.identity_side:
        # Service principals and anonymous callers: only the resource policy can grant (§2.6).
        if resource_allows:
            return _result(plan, request, context, _ALLOW, _RESOURCE_POLICY, _BY_RESOURCE_POLICY, resource_allows)
        return _result(plan, request, context, _IMPLICIT_DENY, _RESOURCE_POLICY,
                       f"{_NO_RESOURCE_POLICY_ALLOWS} for this {caller.kind.value} caller")
    entries = plan.identity.allows
    identity_allows = hold(entries, context) if entries else ()
    entries = plan.permission_boundary.allows
    boundary_allows = hold(entries, context) if entries else ()
    entries = plan.session.allows
    session_allows = hold(entries, context) if entries else ()

    if request.resource_policy_required is not None:
        mandatory = request.resource_policy_required
    else:
        mandatory = plan.sts_or_kms and is_resource_policy_required(request.action, request.resource)
    rb = _strongest(resource_allows, mandatory) if resource_allows else None
    root = plan.root
    identity_ok = root or bool(identity_allows)  # the root user needs no Allow (§2.3)
    boundary_ok = not plan.has_boundary or bool(boundary_allows)
    session_ok = not plan.session_required or bool(session_allows)
    same_account = context.same_account(caller.account)

    if same_account and not mandatory and (rb is None or rb is _ACCOUNT):
        # One account, and no resource grant that reaches on its own (§2.2): the identity chain
        # decides. The common case.
        if identity_ok and boundary_ok and session_ok:
            if root and not identity_allows:
                return _result(plan, request, context, _ALLOW, _IDENTITY, ROOT_NEEDS_NO_ALLOW, scp_allows)
            return _result(plan, request, context, _ALLOW, _IDENTITY, "allowed by an identity-based policy",
                           identity_allows + scp_allows + boundary_allows + session_allows)
        return _chain_failure(plan, request, context, identity_ok, boundary_ok)

    chain = scp_allows + boundary_allows + session_allows
    if not same_account:
        # §3: the principal's account and the resource's account must both allow.
        if not (identity_ok and boundary_ok and session_ok):
            return _chain_failure(plan, request, context, identity_ok, boundary_ok)
        if not resource_allows:
            return _result(plan, request, context, _IMPLICIT_DENY, _RESOURCE_POLICY,
                           f"{_NO_RESOURCE_POLICY_ALLOWS} (cross-account access needs one)")
        return _result(plan, request, context, _ALLOW, _RESOURCE_POLICY, "allowed by the caller's account and by the "
                       "resource-based policy", identity_allows + chain + resource_allows)

    if mandatory:
        # §2.5: a trust or key policy must allow; how it names the caller says what else must.
        if rb is None:
            return _result(plan, request, context, _IMPLICIT_DENY, _RESOURCE_POLICY,
                           f"{_NO_RESOURCE_POLICY_ALLOWS} (the resource policy is required for this request)")
        if rb is _DIRECT:
            return _result(plan, request, context, _ALLOW, _RESOURCE_POLICY, _BY_RESOURCE_POLICY, resource_allows)
        if rb in (_ENTITY, _USER):
            if boundary_ok and session_ok:
                return _result(plan, request, context, _ALLOW, _RESOURCE_POLICY, _BY_RESOURCE_POLICY,
                               resource_allows + chain)
            return _chain_failure(plan, request, context, True, boundary_ok)
        if identity_ok and boundary_ok and session_ok:
            return _result(plan, request, context, _ALLOW, _IDENTITY, "allowed by the resource-based policy and an "
                           "identity-based policy", resource_allows + identity_allows + chain)
        return _chain_failure(plan, request, context, identity_ok, boundary_ok)

    # §2.2: in one account, a grant to the caller itself reaches on its own (DIRECT, USER); one
    # to its role still needs the boundary and session policies (ENTITY). The reasons are the
    # grants of that class (`resource_allows` itself when there is one grant).
    single = len(resource_allows) == 1
    if rb in (_DIRECT, _USER):
        own = resource_allows if single else tuple(m for m in resource_allows if m.match_class in (_DIRECT, _USER))
        return _result(plan, request, context, _ALLOW, _RESOURCE_POLICY, _BY_RESOURCE_POLICY, own)
    if boundary_ok and session_ok:
        return _result(plan, request, context, _ALLOW, _RESOURCE_POLICY, _BY_RESOURCE_POLICY, (
            resource_allows if single else tuple(m for m in resource_allows if m.match_class is _ENTITY)) + chain)
    return _chain_failure(plan, request, context, True, boundary_ok)


def _rule(plan: Plan, context: Context, candidates: tuple[Candidate, ...], trace: Tracer | None
          ) -> ServiceRule | None:
    """The first of `candidates` that applies to this request, told to the trace."""
    for rule, test in candidates:
        if test is None or test(context, plan.caller):
            if trace is not None:
                trace.rule(rule)
            return rule
    return None


def _chain_failure(plan: Plan, request: Request, context: Context, identity_ok: bool, boundary_ok: bool) -> Result:
    """The first gate of the principal's chain that had no Allow (§2.1 steps 5-7)."""
    if not identity_ok:
        return _result(plan, request, context, _IMPLICIT_DENY, _IDENTITY, "no identity-based policy allows the action")
    if not boundary_ok:
        return _result(plan, request, context, _IMPLICIT_DENY, _PERMISSION_BOUNDARY,
                       "no permissions boundary allows the action")
    return _result(plan, request, context, _IMPLICIT_DENY, _SESSION, "no session policy allows the action"
                   if plan.has_session else "a federated-user session without a session policy has no permissions "
                   "from identity-based policies")
