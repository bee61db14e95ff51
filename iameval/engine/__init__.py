"""Stage 2: requests, compiled policies, the chain, the rules of the services, and explanations as
its trace (§1-§5, §7-§9, §13).
"""

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from ._request import Caller, CallerKind, Credentials, Request
    from ._compile import Match, StatementRef
    from ._principals import MatchClass
    from ._result import Decision, Result
    from ._chain import Authorizer
    from ._plan import GateKind, is_resource_policy_required
    from ._checks import REQUEST_CHECKS
    from ._notice import Notice
    from ._services import RULES, SERVICE_RULE, ServiceRule
    from ._trace import ConditionTrace, GateTrace, StatementTrace, Verdict
    from ._explain import Explanation, MissingKey, conditional_access, explain

__all__ = [
    "Authorizer",
    "Caller",
    "CallerKind",
    "ConditionTrace",
    "Credentials",
    "Decision",
    "Explanation",
    "GateKind",
    "GateTrace",
    "Match",
    "MissingKey",
    "Notice",
    "REQUEST_CHECKS",
    "MatchClass",
    "RULES",
    "Request",
    "Result",
    "SERVICE_RULE",
    "ServiceRule",
    "StatementRef",
    "StatementTrace",
    "Verdict",
    "conditional_access",
    "explain",
    "is_resource_policy_required",
]

__getattr__, __dir__ = on_first_use(__name__, {
    "._request": "Caller CallerKind Credentials Request",
    "._compile": "Match StatementRef",
    "._principals": "MatchClass",
    "._result": "Decision Result",
    "._chain": "Authorizer",
    "._plan": "GateKind is_resource_policy_required",
    "._checks": "REQUEST_CHECKS",
    "._notice": "Notice",
    "._services": "RULES SERVICE_RULE ServiceRule",
    "._trace": "ConditionTrace GateTrace StatementTrace Verdict",
    "._explain": "Explanation MissingKey conditional_access explain",
})
