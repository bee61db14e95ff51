"""Stage 2: requests, compiled policies, the chain, and explanations as its trace (§1-§5, §7-§9, §13).
"""

from ._request import Request
from ._compile import Match, MatchClass, StatementRef
from ._chain import Authorizer, Decision, Result
from ._explain import ConditionTrace, Explanation, GateTrace, StatementTrace, explain

__all__ = [
    "Authorizer",
    "ConditionTrace",
    "Decision",
    "Explanation",
    "GateTrace",
    "Match",
    "MatchClass",
    "Request",
    "Result",
    "StatementRef",
    "StatementTrace",
    "explain",
]
