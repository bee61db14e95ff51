"""Stage 3: what the engine is run over: scenario files (SCENARIO.md), account exports, and the
templates and plans that hold policies where they live.
"""

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from ._scenarios import Scenario, ScenarioOutcome, evaluate, load_scenarios
    from ._accounts import (Account, AccountPrincipal, WhoCanAnswer, load_account, load_managed_policies,
                            trusted_outside, who_can)
    from ._infrastructure import load_infrastructure
    from ._managed import AwsManagedPolicies
    from ._terraform import PlanState
    from ._templates import FoundPolicy, Infrastructure

__all__ = [
    "Account",
    "AccountPrincipal",
    "AwsManagedPolicies",
    "FoundPolicy",
    "Infrastructure",
    "PlanState",
    "Scenario",
    "ScenarioOutcome",
    "WhoCanAnswer",
    "evaluate",
    "load_account",
    "load_infrastructure",
    "load_managed_policies",
    "load_scenarios",
    "trusted_outside",
    "who_can",
]

__getattr__, __dir__ = on_first_use(__name__, {
    "._scenarios": "Scenario ScenarioOutcome evaluate load_scenarios",
    "._accounts": "Account AccountPrincipal WhoCanAnswer load_account load_managed_policies trusted_outside who_can",
    "._managed": "AwsManagedPolicies",
    "._infrastructure": "load_infrastructure",
    "._templates": "FoundPolicy Infrastructure",
    "._terraform": "PlanState",
})
