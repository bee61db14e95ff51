"""A Lambda function's resource-based policy, as Lambda builds it from its permissions
(`AWS::Lambda::Permission`, `aws_lambda_permission`: the AddPermission API).

Each permission is one statement of the policy of the function (or of the version or alias its
qualifier names, a resource of its own ARN), with the statement ID as `Sid`: the principal as
Lambda writes it (`*`; a service; an account ID as its root `arn:PARTITION:iam::ACCOUNT:root`; an
ARN), and a condition for each of `SourceArn` (`ArnLike AWS:SourceArn`), `SourceAccount`
(`StringEquals AWS:SourceAccount`), `PrincipalOrgID` (`StringEquals aws:PrincipalOrgID`),
`FunctionUrlAuthType` (`StringEquals lambda:FunctionUrlAuthType`) and `EventSourceToken`
(`StringEquals lambda:EventSourceToken`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..policy._arn import ACCOUNT_ID
from ..policy._errors import Path as JsonPath
from ..policy._model import PolicyKind
from ..policy._source import Source
from ._templates import Defaults, FoundPolicy, located_at

__all__ = ["Permission", "function_policies"]

_PARTIAL_ARN = re.compile(rf"^({ACCOUNT_ID.pattern}):function:(.+)$")


@dataclass(frozen=True)
class Permission:
    """One permission as the file writes it, and where."""

    label: str  # the resource that writes it: a logical ID or an address
    sid: str
    action: Any
    principal: Any
    function: str  # a name, a partial ARN (`ACCOUNT:function:NAME`) or an ARN, with `:QUALIFIER` or not
    qualifier: str | None
    conditions: tuple[tuple[str, str, Any], ...]  # (operator, key, value) of the values given
    source: Source
    path: JsonPath

    @staticmethod
    def conditions_of(source_arn: Any, source_account: Any, org_id: Any, url_auth_type: Any,
                      event_source_token: Any) -> tuple[tuple[str, str, Any], ...]:
        """The conditions Lambda adds for the values given (module docstring)."""
        given = (("ArnLike", "AWS:SourceArn", source_arn), ("StringEquals", "AWS:SourceAccount", source_account),
                 ("StringEquals", "aws:PrincipalOrgID", org_id),
                 ("StringEquals", "lambda:FunctionUrlAuthType", url_auth_type),
                 ("StringEquals", "lambda:EventSourceToken", event_source_token))
        return tuple((op, key, value) for op, key, value in given if value not in (None, ""))

    def function_arn(self, defaults: Defaults) -> str:
        """The ARN of the function, version or alias the permission is on."""
        if self.function.startswith("arn:"):
            arn = self.function
        else:
            partial = _PARTIAL_ARN.match(self.function)
            account, name = partial.groups() if partial else (defaults.account, self.function)
            arn = f"arn:{defaults.partition}:lambda:{defaults.region}:{account}:function:{name}"
        return f"{arn}:{self.qualifier}" if self.qualifier and arn.count(":") == 6 else arn

    def statement(self, resource: str, defaults: Defaults) -> dict[str, Any]:
        principal: Any = self.principal
        if isinstance(principal, str) and principal != "*":
            account = ACCOUNT_ID.fullmatch(principal) is not None
            principal = ({"AWS": f"arn:{defaults.partition}:iam::{principal}:root"} if account
                         else {"AWS": principal} if principal.startswith("arn:") else {"Service": principal})
        statement: dict[str, Any] = {"Sid": self.sid, "Effect": "Allow", "Principal": principal,
                                     "Action": self.action, "Resource": resource}
        condition: dict[str, dict[str, Any]] = {}
        for operator, key, value in self.conditions:
            condition.setdefault(operator, {})[key] = value
        if condition:
            statement["Condition"] = condition
        return statement


def function_policies(permissions: list[Permission], defaults: Defaults) -> list[tuple[str, FoundPolicy]]:
    """The resource-based policy of each function (or version, or alias) by its ARN, a statement
    per permission; each statement is located at the permission that makes it."""
    by_function: dict[str, list[Permission]] = {}
    for permission in permissions:
        by_function.setdefault(permission.function_arn(defaults), []).append(permission)
    policies = []
    for arn, given in by_function.items():
        document = {"Version": "2012-10-17", "Id": "default",
                    "Statement": [p.statement(arn, defaults) for p in given]}
        # Located at the first permission, each statement at its own.
        at = given[0].path
        located = located_at(given[0].source, at, document,
                             {("Statement", index): p.path for index, p in enumerate(given)})
        label = f"{arn.rsplit(':function:', 1)[-1]} (Lambda function) permissions " + ", ".join(
            p.label for p in given)
        policies.append((arn, FoundPolicy(label, PolicyKind.RESOURCE_POLICY, document, located, at)))
    return policies
