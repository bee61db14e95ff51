"""iameval: decide AWS IAM authorization requests exactly as AWS does, and explain every decision.

The library surface for people who test their policies::

    import iameval
    for scenario in iameval.load_scenarios("scenarios/"):
        assert iameval.evaluate(scenario).decision == scenario.expect

    authz = iameval.Authorizer(identity=[iameval.load_policy_file("policy.json")])
    authz.authorize({"principal": "arn:aws:iam::111122223333:user/alice",
                     "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"}).decision

The stages, each a sub-package that imports only those before it: `iameval.policy` (text to
model), `iameval.catalog` (AWS's catalogue), `iameval.engine` (requests, matching, the chain,
explanations), `iameval.inputs` (scenario files, account exports), `iameval.analysis`
(validation), `iameval.cli` (the command).
"""

from typing import TYPE_CHECKING

from ._lazy import on_first_use

if TYPE_CHECKING:
    from .engine import Authorizer, Credentials, Decision, Explanation, Request, Result, ServiceRule, explain
    from .inputs import Scenario, evaluate, load_scenarios
    from .policy import (Effect, Location, Policy, PolicyError, PolicyKind, Problem, RequestError, ScenarioError,
                         Statement, load_policy, load_policy_file, load_policy_files)

__all__ = [
    "Authorizer",
    "Credentials",
    "Decision",
    "Effect",
    "Explanation",
    "Location",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "Problem",
    "Request",
    "RequestError",
    "Result",
    "Scenario",
    "ScenarioError",
    "ServiceRule",
    "Statement",
    "evaluate",
    "explain",
    "load_policy",
    "load_policy_file",
    "load_policy_files",
    "load_scenarios",
]

# Each name is imported when it is first read (`_lazy.py`): `import iameval` is free.
__getattr__, __dir__ = on_first_use(__name__, {
    ".engine": "Authorizer Credentials Decision Explanation Request Result ServiceRule explain",
    ".inputs": "Scenario evaluate load_scenarios",
    ".policy": "Effect Location Policy PolicyError PolicyKind Problem RequestError ScenarioError Statement "
               "load_policy load_policy_file load_policy_files",
})
