"""Terraform's `aws_iam_policy_document` data sources in a plan: the policy a resource takes from
one (`policy = data.aws_iam_policy_document.app.json`) when the plan knows it only after apply.

The configuration says which data source an attribute refers to (its `references`, read in the
module the resource is in). The plan holds the data source's `json` where Terraform read it while
planning (`prior_state`); where it defers the read to apply, its arguments (`resource_changes`,
mode `data`), from which the document is built as the AWS provider builds it: `Version`
(2012-10-17 unless given), `Id` from `policy_id`, and a statement per `statement` block (`Sid`,
`Effect` Allow unless given, `Action`, `NotAction`, `Resource`, `NotResource`, `Principal`,
`NotPrincipal` by type, `*` for type and identifier `*`, `Condition` by test and variable; a list
of one value written as that value). A resource known only after apply stands as a placeholder
ARN (`_placeholders.py`); an unknown action, principal or merged document (`source_*`,
`override_*`) leaves the document unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ..policy._errors import Path as JsonPath
from ._placeholders import placeholder
from ._templates import step

__all__ = ["DataDocument", "PolicyDocuments", "configured_expression", "configured_references"]

_TYPE = "aws_iam_policy_document"
_MERGED = ("source_json", "override_json", "source_policy_documents", "override_policy_documents")


@dataclass(frozen=True)
class DataDocument:
    """A data source's document: its JSON text (`text`) or the document built from its
    arguments (`data`), at `path` of the plan; `unknown` names what stands as a placeholder in
    it; `data` and `text` are both None when the document cannot be known before apply."""

    address: str
    path: JsonPath
    text: str | None = None
    data: Any = None
    unknown: tuple[str, ...] = ()


def configured_expression(plan: Any, address: str, key: str) -> tuple[Any, list[str]]:
    """The expression the configuration writes for an attribute of a resource (None when it
    writes none), read in the module the resource is in, and the module's address prefix
    (`module.app.`) that names what it refers to from the root."""
    parts = address.split(".")
    prefix: list[str] = []
    module = step(step(plan, "configuration"), "root_module")
    while len(parts) > 2 and parts[0] == "module":
        module = step(step(step(module, "module_calls"), parts[1].split("[", 1)[0]), "module")
        prefix += parts[:2]
        parts = parts[2:]
    bare = ".".join(parts).split("[", 1)[0]
    for resource in step(module, "resources") or []:
        if step(resource, "address") == bare:
            return step(step(resource, "expressions"), key), prefix
    return None, prefix


def configured_references(plan: Any, address: str, key: str) -> list[str]:
    """The addresses an attribute of a resource refers to in the configuration, named from the
    root (`module.app.aws_iam_role.x`)."""
    expression, prefix = configured_expression(plan, address, key)
    found = step(expression, "references")
    return [".".join(prefix + [r]) for r in found if isinstance(r, str)] if isinstance(found, list) else []


def _resources(module: Any, path: JsonPath) -> Iterator[tuple[dict[str, Any], JsonPath]]:
    for index, resource in enumerate(step(module, "resources") or []):
        if isinstance(resource, dict):
            yield resource, path + ("resources", index)
    for index, child in enumerate(step(module, "child_modules") or []):
        yield from _resources(child, path + ("child_modules", index))


class PolicyDocuments:
    """The `aws_iam_policy_document` data sources of a plan, by address."""

    def __init__(self, plan: Any, partition: str):
        self.plan = plan
        self.partition = partition
        self.documents: dict[str, DataDocument] = {}
        prior = ("prior_state", "values", "root_module")
        for resource, path in _resources(step(step(step(plan, "prior_state"), "values"), "root_module"), prior):
            text = step(step(resource, "values"), "json")
            if resource.get("mode") == "data" and resource.get("type") == _TYPE and isinstance(text, str) and text:
                self.documents[str(resource.get("address"))] = DataDocument(str(resource.get("address")),
                                                                            path + ("values", "json"), text)
        for index, change in enumerate(step(plan, "resource_changes") or []):
            if step(change, "mode") == "data" and step(change, "type") == _TYPE:
                self.documents[str(change.get("address"))] = self._deferred(index, change)

    def referred(self, address: str, key: str) -> DataDocument | None:
        """The data source an attribute of a resource refers to, if the plan holds it; for a
        resource of `count` or `for_each`, the data source's instance of the same key first."""
        index = address[address.index("["):] if address.endswith("]") else ""
        for reference in configured_references(self.plan, address, key):
            bare = reference.removesuffix(".json")
            if f"data.{_TYPE}." not in bare:
                continue
            for candidate in (bare + index, bare):
                if candidate in self.documents:
                    return self.documents[candidate]
        return None

    def _deferred(self, index: int, change: dict[str, Any]) -> DataDocument:
        """A data source read at apply: its JSON if the plan knows it, else built (module docstring)."""
        address = str(change.get("address"))
        after, after_unknown = step(step(change, "change"), "after"), step(step(change, "change"), "after_unknown")
        values: dict[str, Any] = after if isinstance(after, dict) else {}
        unknown: dict[str, Any] = after_unknown if isinstance(after_unknown, dict) else {}
        path: JsonPath = ("resource_changes", index, "change", "after")
        if isinstance(values.get("json"), str) and values["json"] and unknown.get("json") is not True:
            return DataDocument(address, path + ("json",), values["json"])
        if any(values.get(k) or unknown.get(k) for k in _MERGED):
            return DataDocument(address, path)
        built = _Builder(address, self.partition)
        data = built.document(values, unknown)
        return DataDocument(address, path, data=data, unknown=tuple(built.unknown)) if data is not None else \
            DataDocument(address, path)


class _Builder:
    """A document from a data source's arguments, as the provider writes it."""

    def __init__(self, address: str, partition: str):
        self.address = address
        self.partition = partition
        self.unknown: list[str] = []

    def document(self, values: dict[str, Any], unknown: dict[str, Any]) -> dict[str, Any] | None:
        if unknown.get("version") is True or unknown.get("policy_id") is True:
            return None
        document: dict[str, Any] = {"Version": values.get("version") or "2012-10-17"}
        if values.get("policy_id"):
            document["Id"] = values["policy_id"]
        statements = []
        for index, block in enumerate(values.get("statement") or []):
            statement = self.statement(block, step(step(unknown, "statement"), index), index)
            if statement is None:
                return None
            statements.append(statement)
        document["Statement"] = statements
        return document

    def statement(self, block: Any, unknown: Any, index: int) -> dict[str, Any] | None:
        if not isinstance(block, dict) or unknown is True:
            return None
        where = f"{self.address}.statement[{index}]"
        statement: dict[str, Any] = {}
        if block.get("sid"):
            statement["Sid"] = block["sid"]
        statement["Effect"] = block.get("effect") or "Allow"
        for attribute, element in (("actions", "Action"), ("not_actions", "NotAction"),
                                   ("resources", "Resource"), ("not_resources", "NotResource")):
            given = self.values(block.get(attribute), step(unknown, attribute), f"{where}.{attribute}",
                                resource=attribute.endswith("resources"))
            if given is None:
                return None
            if given:
                statement[element] = given[0] if len(given) == 1 else given
        for attribute, element in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals: dict[str, list[str]] = {}
            for number, entry in enumerate(block.get(attribute) or []):
                identifiers = self.values(step(entry, "identifiers"), step(step(step(unknown, attribute), number),
                                                                            "identifiers"), "", resource=False)
                if identifiers is None or not isinstance(step(entry, "type"), str):
                    return None
                principals.setdefault(entry["type"], []).extend(identifiers)
            if principals == {"*": ["*"]}:
                statement[element] = "*"
            elif principals:
                statement[element] = {k: v[0] if len(v) == 1 else v for k, v in principals.items()}
        condition: dict[str, dict[str, Any]] = {}
        for number, entry in enumerate(block.get("condition") or []):
            known = step(step(unknown, "condition"), number)
            test, variable = step(entry, "test"), step(entry, "variable")
            if not isinstance(test, str) or not isinstance(variable, str) or known is True:
                return None
            values = self.condition_values(step(entry, "values"), step(known, "values") if isinstance(known, dict)
                                           else None, f"{where}.condition[{number}].values")
            condition.setdefault(test, {})[variable] = values[0] if len(values) == 1 else values
        if condition:
            statement["Condition"] = condition
        return statement

    def values(self, given: Any, unknown: Any, what: str, *, resource: bool) -> list[str] | None:
        """A list argument's values; None when one is unknown and cannot stand as a placeholder."""
        if unknown is True:
            return [self.placeholder(what, resource=True)] if resource else None
        given = given if isinstance(given, list) else []
        marks = unknown if isinstance(unknown, list) else []
        found = []
        for index in range(max(len(given), len(marks))):  # an unknown element may be left out of `given`
            value = given[index] if index < len(given) else None
            if index < len(marks) and marks[index] is True:
                if not resource:
                    return None
                value = self.placeholder(f"{what}[{index}]", resource=True)
            if isinstance(value, str):
                found.append(value)
        return found

    def condition_values(self, given: Any, unknown: Any, what: str) -> list[Any]:
        """A condition's values, each one known only after apply a placeholder (with the list's
        own unknown mark, one placeholder): never left out, which would change the condition."""
        if unknown is True:
            return [self.placeholder(what, resource=False)]
        given = given if isinstance(given, list) else []
        marks = unknown if isinstance(unknown, list) else []
        return [self.placeholder(f"{what}[{i}]", resource=False) if i < len(marks) and marks[i] is True
                else given[i] if i < len(given) else None
                for i in range(max(len(given), len(marks)))]

    def placeholder(self, what: str, *, resource: bool) -> str:
        self.unknown.append(what)
        return f"arn:{self.partition}:{placeholder('service')}:::{placeholder(what)}" if resource else placeholder(what)
