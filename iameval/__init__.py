"""iameval: decide AWS IAM authorization requests exactly as AWS does, and explain every decision.

The library surface for people who test their policies::

    import iameval
    for scenario in iameval.load_scenarios("scenarios/"):
        assert iameval.evaluate(scenario).decision == scenario.expect

    authz = iameval.Authorizer(identity=[iameval.load_policy_file("policy.json")])
    authz.authorize({"principal": "arn:aws:iam::111122223333:user/alice",
                     "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"}).decision
"""

from .authorize import Authorizer, Decision, Result
from .errors import Location, PolicyError, Problem, RequestError, ScenarioError
from .model import Policy, PolicyKind, Statement, load_policy
from .policies import load_policy_file, load_policy_files
from .request import Request
from .scenario import Scenario, evaluate, load_scenarios

__all__ = [
    "Authorizer",
    "Decision",
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
    "Statement",
    "evaluate",
    "load_policy",
    "load_policy_file",
    "load_policy_files",
    "load_scenarios",
]
