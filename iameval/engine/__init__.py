"""Stage 2: requests, compiled policies, the chain, the rules of the services, and explanations as
its trace (§1-§5, §7-§9, §13).
"""

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
