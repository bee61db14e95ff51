"""Every statement of every AWS managed policy evaluates, conditions and variables included.

For each statement a request is built that its Action and Resource cover, with a realistic
context, so that the statement's conditions are really evaluated (IAM-SEMANTICS §8, §9).
Nothing may raise, and a statement without conditions or variables must decide the request
by its own effect: proof that the request did reach it.
"""

from __future__ import annotations

import json
import re

import iameval
from helpers import MANAGED


PRINCIPAL = "arn:aws:sts::111122223333:assumed-role/DataEngineer/alice"

# What a signed request from a role session typically carries (IAM-SEMANTICS §10).
CONTEXT = {
    "aws:SourceIp": "203.0.113.17",
    "aws:SecureTransport": True,
    "aws:CurrentTime": "2026-11-28T12:00:00Z",
    "aws:EpochTime": 1795867200,
    "aws:RequestedRegion": "eu-west-1",
    "aws:MultiFactorAuthPresent": True,
    "aws:MultiFactorAuthAge": 300,
    "aws:TokenIssueTime": "2026-11-28T11:00:00Z",
    "aws:ViaAWSService": False,
    "aws:PrincipalIsAWSService": False,
    "aws:PrincipalOrgID": "o-a1b2c3d4e5",
    "aws:PrincipalTag/team": "data",
    "aws:PrincipalTag/AmazonDataZoneProject": "proj1",
    "aws:ResourceTag/team": "data",
    "aws:RequestTag/team": "data",
    "aws:TagKeys": ["team", "cost-center"],
    "aws:CalledVia": ["cloudformation.amazonaws.com"],
    "aws:UserAgent": "aws-cli/2.15",
    "iam:PassedToService": "ec2.amazonaws.com",
    "kms:ViaService": "s3.eu-west-1.amazonaws.com",
    "s3:prefix": "home/alice/",
}

_VARIABLE = re.compile(r"\$\{([^},]+)(?:, '([^']*)')?\}")


def _instance(pattern: str) -> str:
    """A concrete value that a pattern covers: variables resolved from CONTEXT, wildcards filled."""
    def resolve(match: re.Match) -> str:
        for key, value in CONTEXT.items():
            if key.lower() == match[1].lower() and isinstance(value, str):
                return value
        return match[2] if match[2] is not None else "x"
    return _VARIABLE.sub(resolve, pattern).replace("*", "x").replace("?", "x")


def _request_for(statement: dict) -> dict:
    actions = statement.get("Action")
    action = "nosuchservice:NotListed" if actions is None else _instance(
        actions if isinstance(actions, str) else actions[0])
    if action == "x":
        action = "s3:GetObject"
    resources = statement.get("Resource")
    resource = "arn:aws:nosuchservice:::not-listed" if resources is None else _instance(
        resources if isinstance(resources, str) else resources[0])
    if not resource.startswith("arn:"):
        resource = "*"  # the pattern was `*`
    while resource != "*" and len(resource.split(":", 5)) < 6:  # a short pattern whose trailing `*` spans segments (§7.3)
        resource += ":x"
    # Same account, and no trust or key policy needed (§2.5, §3): only the statement decides.
    return {"principal": PRINCIPAL, "action": action, "resource": resource, "context": CONTEXT,
            "resource_account": "111122223333", "resource_policy_required": False}


def test_every_managed_policy_statement_evaluates_with_its_conditions():
    files = sorted(MANAGED.glob("*.json"))
    files = [f for f in files if f.name != "index.json"]
    assert len(files) == 1594
    statements = decided_by_own_effect = with_conditions = 0
    failures = []
    for file in files:
        document = json.loads(file.read_text())
        raw = document["Statement"]
        for index, statement in enumerate(raw if isinstance(raw, list) else [raw]):
            statements += 1
            policy = iameval.load_policy({"Version": document.get("Version"), "Statement": [statement]},
                                         "identity", name=file.stem)
            request = _request_for(statement)
            try:
                result = iameval.Authorizer(identity=[policy]).authorize(request)
            except iameval.PolicyError as exc:
                failures.append(f"{file.name} Statement[{index}]: {exc}")
                continue
            with_conditions += "Condition" in statement
            plain = ("Condition" not in statement and "Action" in statement and "Resource" in statement
                     and "${" not in json.dumps(statement.get("Resource")))
            if plain:
                expected = "Allow" if statement["Effect"] == "Allow" else "ExplicitDeny"
                if result.decision != expected:
                    failures.append(f"{file.name} Statement[{index}]: {request} gave {result.decision}")
                decided_by_own_effect += 1
    assert failures == []
    assert statements == 8853
    assert with_conditions == 3885
    assert decided_by_own_effect > 4000
