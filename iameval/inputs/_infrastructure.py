"""Reading a template or a plan: which of the two a file is, and the `--parameter` values."""

from __future__ import annotations

from typing import Mapping

from ..policy._errors import Location, PolicyError, Problem
from ..policy._not_policies import read_infrastructure_source
from ._cloudformation import read_template
from ._managed import AwsManagedPolicies
from ._templates import Defaults, Infrastructure
from ._terraform import PlanState, is_plan, read_plan

__all__ = ["load_infrastructure", "parse_parameters"]


def load_infrastructure(path: str, parameters: Mapping[str, str] | None = None,
                        aws_managed: AwsManagedPolicies | None = None,
                        state: PlanState = PlanState.AFTER_VALIDATING_BEFORE) -> Infrastructure:
    """Read a CloudFormation, SAM or CDK-synthesized template (JSON, or YAML with its short
    forms) or a Terraform plan (`terraform show -json`); `PolicyError` if the file is neither.
    `parameters`: the template's parameters, and `AWS::AccountId`, `AWS::Region`... (`Defaults`);
    `aws_managed`: where the AWS managed policies attached by ARN are found (by default,
    iameval's snapshot); `state`: which state of a plan is read (`PlanState`)."""
    source = read_infrastructure_source(path)
    defaults = Defaults(dict(parameters or {}), aws_managed or AwsManagedPolicies())
    try:
        return read_plan(source, defaults, state) if is_plan(source.data) else read_template(source, defaults)
    except RecursionError:  # values nested past Python's depth, or names that refer to each other
        raise PolicyError([Problem("nested too deeply to evaluate, or names that refer to each other in a circle",
                                   Location(source.name, 1, 1), code="invalid-syntax")]) from None


def parse_parameters(pairs: list[str]) -> dict[str, str]:
    """`--parameter KEY=VALUE` pairs as a mapping; `PolicyError` for one of another form."""
    given: dict[str, str] = {}
    problems = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            problems.append(Problem(f"`{pair}` is not KEY=VALUE", Location("--parameter"), code="invalid-usage"))
        given[key] = value
    if problems:
        raise PolicyError(problems)
    return given
