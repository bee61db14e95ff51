"""Stage 3: what the engine is run over: scenario files (SCENARIO.md) and account exports.
"""

from ._scenarios import Scenario, ScenarioOutcome, evaluate, load_scenarios
from ._accounts import Account, AccountPrincipal, WhoCanAnswer, load_account, trusted_outside, who_can

__all__ = [
    "Account",
    "AccountPrincipal",
    "Scenario",
    "ScenarioOutcome",
    "WhoCanAnswer",
    "evaluate",
    "load_account",
    "load_scenarios",
    "trusted_outside",
    "who_can",
]
