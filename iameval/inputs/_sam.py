"""The role SAM generates for an `AWS::Serverless::Function` or `::StateMachine` without a `Role`.

SAM's translator names it `<LOGICAL>Role` (its name is generated at deployment), lets the
service assume it, attaches `AWSLambdaBasicExecutionRole` to a function's, and turns each entry of
`Policies` into a policy of the role: a managed policy's name or ARN, a policy document, or a
policy template (`SQSPollerPolicy: {QueueName: ...}`). The templates' catalogue ships with
aws-sam-translator (`pip install 'iameval[templates]'`); without it, or for a name it does not
hold, the entry is reported and the role is incomplete, never evaluated without it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..policy._errors import Path as JsonPath
from ..policy._model import PolicyKind
from ._placeholders import placeholder
from ._templates import Entity, FoundPolicy, located_at, warning

if TYPE_CHECKING:
    from ._cloudformation import _Reader

__all__ = ["policy_templates", "sam_policies"]

_SERVICES = {"AWS::Serverless::Function": "lambda.amazonaws.com",
             "AWS::Serverless::StateMachine": "states.amazonaws.com"}
_BASIC_EXECUTION = "arn:{p}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


@cache
def policy_templates() -> dict[str, Any] | None:
    """SAM's policy templates by name, from aws-sam-translator; None when it is not installed."""
    try:
        text = (resources.files("samtranslator") / "policy_templates_data" / "policy_templates.json").read_text()
    except ModuleNotFoundError:
        return None
    templates: dict[str, Any] = json.loads(text)["Templates"]
    return templates


def sam_policies(reader: _Reader, logical: str, kind: str) -> None:
    """The generated role of a function or state machine, with its policies."""
    if reader.prop(logical, "Role") is not None:
        return  # the role given has its own policies
    d = reader.defaults
    role = f"{logical}Role"
    name = placeholder(role)
    reader.warn(("Resources", logical), f"the name of the role SAM generates for `{logical}` is known only at "
                f"deployment: it stands as `{name}`", "unknown-until-deploy")
    entity = reader.assembly.add(Entity(role, "role", f"arn:{d.partition}:iam::{d.account}:role/{name}", name))
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole"],
                                                    "Principal": {"Service": [_SERVICES[kind]]}}]}
    at: JsonPath = ("Resources", logical)
    entity.trust = reader.assembly.policy(FoundPolicy(f"{role} (role SAM generates for {logical}) trust policy",
                                                      PolicyKind.RESOURCE_POLICY, trust,
                                                      located_at(reader.raw, at, trust), at, trust=True))
    if kind == "AWS::Serverless::Function":
        entity.managed.append((_BASIC_EXECUTION.format(p=d.partition), reader.raw, at + ("Type",)))
    value = reader.prop(logical, "Policies")
    entries = list(enumerate(value)) if isinstance(value, list) else [] if value is None else [(None, value)]
    for index, entry in entries:
        path: tuple[str | int, ...] = ("Policies",) if index is None else ("Policies", index)
        where = reader.at(logical, *path)
        if isinstance(entry, str):
            arn = entry if entry.startswith("arn:") else (reader.defaults.aws_managed.arn_of(entry, d.partition)
                                                          or f"arn:{d.partition}:iam::aws:policy/{entry}")
            entity.managed.append((arn, reader.source, where))
        elif isinstance(entry, dict) and "Statement" in entry:
            found = reader.found(logical, f"inline policy {index or 0}", PolicyKind.IDENTITY, *path)
            if found is not None:
                entity.inline.append(found)
        elif isinstance(entry, dict) and len(entry) == 1:
            _template(reader, logical, entity, entry, where)
        else:
            entity.problems.append(reader.assembly.warn(warning(
                reader.source, where, "a `Policies` entry must be a policy's name or ARN, a policy document, or a "
                "policy template", "invalid-sam-policy")))


def _template(reader: _Reader, logical: str, entity: Entity, entry: dict[str, Any], where: JsonPath) -> None:
    """A SAM policy template, expanded with its parameters (evaluated in the template)."""
    (name, given), = entry.items()
    catalogue = policy_templates()
    if catalogue is None or name not in catalogue:
        message = (f"SAM policy template `{name}` cannot be expanded: aws-sam-translator, which holds their "
                   "catalogue, is not installed" if catalogue is None else f"`{name}` is not a SAM policy template")
        entity.problems.append(reader.assembly.warn(warning(
            reader.source, where, message, "sam-policy-template-unknown",
            "install it with `pip install 'iameval[templates]'`" if catalogue is None else None)))
        return
    template = catalogue[name]
    parameters = given if isinstance(given, dict) else {}
    missing = [p for p in template.get("Parameters", {}) if p not in parameters]
    if missing:
        entity.problems.append(reader.assembly.warn(warning(
            reader.source, where, f"SAM policy template `{name}` needs the parameter `{missing[0]}`",
            "sam-policy-template-unknown")))
        return
    definition = _substitute(template["Definition"], parameters)
    document = reader.intrinsics.value(definition, where, ("SAM", logical) + where)
    found = FoundPolicy(f"{logical} ({reader.resources[logical].get('Type')}) policy template {name}",
                        PolicyKind.IDENTITY, document, located_at(reader.source, where, document), where)
    entity.inline.append(reader.assembly.policy(found))


def _substitute(node: Any, parameters: dict[str, Any]) -> Any:
    """The definition with `{"Ref": PARAMETER}` replaced by the parameter's value."""
    if isinstance(node, dict):
        if len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in parameters:
            return parameters[node["Ref"]]
        return {key: _substitute(value, parameters) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(item, parameters) for item in node]
    return node
