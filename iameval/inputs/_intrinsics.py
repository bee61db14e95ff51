"""CloudFormation's intrinsic functions and pseudo parameters, evaluated as a deployment would.

`Ref`, `Fn::Sub` (a string, or a string with its own variables), `Fn::GetAtt`, `Fn::Join`,
`Fn::Select`, `Fn::Split`, `Fn::If` with the template's `Conditions` (`Fn::Equals`, `Fn::Not`,
`Fn::And`, `Fn::Or`, `Condition`), `Fn::FindInMap`, `Fn::Base64`, and the pseudo parameters
`AWS::AccountId`, `AWS::Region`, `AWS::Partition`, `AWS::URLSuffix`, `AWS::StackName`,
`AWS::StackId`, `AWS::NoValue` (the element is left out) and `AWS::NotificationARNs`.
Parameters take the values given (`--parameter KEY=VALUE`), else their `Default`.

What cannot be known before deployment becomes a placeholder (`_placeholders.py`) with an
`unknown-until-deploy` warning; a function iameval does not evaluate (`Fn::Cidr`,
`Fn::GetAZs`, a macro's `Fn::Transform`) one with `unsupported-intrinsic`. Each value
evaluated keeps the position of the element it came from, so that a policy's problems point
into the template (`positions`).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Callable, Mapping

from ..policy._errors import Path as JsonPath
from ..policy._source import Source
from ._placeholders import holds_placeholder, is_placeholder, placeholder
from ._templates import Defaults

__all__ = ["NO_VALUE", "Intrinsics"]

# `AWS::NoValue`: the property or list item that holds it is left out.
NO_VALUE: Any = type("NoValue", (), {"__repr__": lambda self: "AWS::NoValue"})()

_VARIABLE = re.compile(r"\$\{([^}]*)\}")

# (logical ID, attribute or None for `Ref`, the path of the element asking) -> its value.
ResourceValue = Callable[[str, "str | None", JsonPath], Any]
Warn = Callable[..., None]  # (path, message, code, hint=None)


class Intrinsics:
    """The evaluator of one template: its parameters, mappings and conditions, the defaults
    of a deployment, and `resource_value` for `Ref` and `Fn::GetAtt` of its resources.

    `origins` gathers, for each path of the evaluated output, the path of the element of the
    template it came from; `positions` turns them into lines and columns, when a problem is to
    be located.
    """

    def __init__(self, source: Source, defaults: Defaults, resource_value: ResourceValue, warn: Warn):
        data = source.data if isinstance(source.data, dict) else {}
        self.source = source
        self.defaults = defaults
        self.resource_value = resource_value
        self.warn = warn
        self.parameters = _section(data, "Parameters")
        self.mappings = _section(data, "Mappings")
        self.conditions = _section(data, "Conditions")
        self.origins: dict[JsonPath, JsonPath] = {}
        self._conditions_known: dict[str, bool] = {}
        self._asking: set[str] = set()  # conditions being evaluated, against a cycle

    def positions(self) -> dict[JsonPath, tuple[int, int]]:
        """The line and column, in the template, of each element of the output."""
        found = {}
        for out, at in self.origins.items():
            where = self.source.locate(at)
            found[out] = (where.line or 1, where.column or 1)
        return found

    # ----------------------------------------------------------------------------- values

    def value(self, node: Any, at: JsonPath, out: JsonPath) -> Any:
        """`node` (at `at` in the template) evaluated; `out` is where it lands in the output."""
        self.origins.setdefault(out, at)
        if isinstance(node, dict):
            if len(node) == 1:
                (key, argument), = node.items()
                if key == "Ref" or key.startswith("Fn::"):
                    return self.function(key, argument, at + (key,), out)
            result = {}
            for key, item in node.items():
                evaluated = self.value(item, at + (key,), out + (key,))
                if evaluated is not NO_VALUE:
                    result[key] = evaluated
            return result
        if isinstance(node, list):
            items: list[Any] = []
            for index, item in enumerate(node):
                evaluated = self.value(item, at + (index,), out + (len(items),))
                if evaluated is not NO_VALUE:
                    items.append(evaluated)
            return items
        return node

    def function(self, name: str, argument: Any, at: JsonPath, out: JsonPath) -> Any:
        handler = _FUNCTIONS.get(name)
        if handler is None:
            self.warn(at, f"`{name}` is not evaluated by iameval: its value stands as `{placeholder(name)}`",
                      "unsupported-intrinsic")
            return placeholder(name)
        return handler(self, argument, at, out)

    def ref(self, name: Any, at: JsonPath) -> Any:
        if not isinstance(name, str):
            self.warn(at, "`Ref` takes the name of a parameter or resource", "invalid-intrinsic")
            return placeholder("Ref")
        pseudo = self.pseudo(name)
        if pseudo is not None:
            return pseudo
        if name in self.parameters:
            return self.parameter(name, at)
        return self.resource_value(name, None, at)

    def pseudo(self, name: str) -> Any:
        d = self.defaults
        if name in d.parameters and name.startswith("AWS::"):
            return d.parameters[name]
        stack = d.parameters.get("AWS::StackName", "iameval-stack")
        return {
            "AWS::AccountId": d.account, "AWS::Region": d.region, "AWS::Partition": d.partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if d.partition == "aws-cn" else "amazonaws.com",
            "AWS::StackName": stack, "AWS::NoValue": NO_VALUE, "AWS::NotificationARNs": [],
            "AWS::StackId": f"arn:{d.partition}:cloudformation:{d.region}:{d.account}:stack/{stack}/"
                            f"{placeholder('AWS::StackId')}",
        }.get(name)

    def parameter(self, name: str, at: JsonPath) -> Any:
        declared = self.parameters[name] if isinstance(self.parameters[name], dict) else {}
        value = self.defaults.parameters.get(name, declared.get("Default"))
        if value is None:
            self.warn(at, f"parameter `{name}` has no default and no value was given: it stands as "
                      f"`{placeholder(name)}`", "unknown-until-deploy", f"give it with `--parameter {name}=VALUE`")
            value = placeholder(name)
        kind = str(declared.get("Type", "String"))
        if isinstance(value, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
            return [v.strip() for v in value.split(",")]
        if isinstance(value, (str, list)):
            return value
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, (int, float)):
            return str(value)
        self.warn(at, f"parameter `{name}` has a value that is not text, a number or a list: it stands as "
                  f"`{placeholder(name)}`", "invalid-intrinsic")
        return placeholder(name)

    def text(self, value: Any, at: JsonPath, function: str) -> str:
        """A value that must be a string (a list where one is needed is reported)."""
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.warn(at, f"`{function}` needs a string here", "invalid-intrinsic")
        return placeholder(function)

    # ------------------------------------------------------------------------- conditions

    def condition(self, name: Any, at: JsonPath) -> bool:
        """A named condition of the template, evaluated once."""
        if not isinstance(name, str) or name not in self.conditions:
            self.warn(at, f"condition `{name}` is not in the template's `Conditions`; it is taken as false",
                      "invalid-intrinsic")
            return False
        if name not in self._conditions_known:
            if name in self._asking:
                self.warn(at, f"condition `{name}` depends on itself; it is taken as false", "invalid-intrinsic")
                return False
            self._asking.add(name)
            self._conditions_known[name] = self.truth(self.conditions[name], ("Conditions", name))
            self._asking.discard(name)
        return self._conditions_known[name]

    def truth(self, node: Any, at: JsonPath) -> bool:
        """A condition function (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`)."""
        if isinstance(node, dict) and len(node) == 1:
            (key, argument), = node.items()
            inner = at + (key,)
            if key == "Condition":
                return self.condition(argument, inner)
            items = argument if isinstance(argument, list) else [argument]
            if key == "Fn::Equals" and len(items) == 2:
                left, right = (self.value(v, inner + (i,), ("?",)) for i, v in enumerate(items))
                if is_placeholder(left) or is_placeholder(right):
                    self.warn(inner, "`Fn::Equals` compares a value unknown until deployment; the condition is "
                              "taken as false", "unknown-until-deploy")
                    return False
                return bool(_scalar(left) == _scalar(right))
            if key == "Fn::Not" and len(items) == 1:
                return not self.truth(items[0], inner + (0,))
            if key == "Fn::And":
                return all([self.truth(v, inner + (i,)) for i, v in enumerate(items)])
            if key == "Fn::Or":
                return any([self.truth(v, inner + (i,)) for i, v in enumerate(items)])
        self.warn(at, "a condition must be `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` or `Condition`; it is "
                  "taken as false", "invalid-intrinsic")
        return False


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _scalar(value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else str(value) if isinstance(value, (int, float)) else value


def _args(ev: Intrinsics, argument: Any, at: JsonPath, name: str, count: int) -> list[Any] | None:
    if isinstance(argument, list) and len(argument) == count:
        return argument
    ev.warn(at, f"`{name}` takes a list of {count} values", "invalid-intrinsic")
    return None


def _ref(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    return ev.ref(argument, at)


def _get_att(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    if isinstance(argument, str) and "." in argument:
        argument = argument.split(".", 1)
    if isinstance(argument, list) and len(argument) == 2:
        attribute = ev.value(argument[1], at + (1,), out)
        if isinstance(argument[0], str) and isinstance(attribute, str):
            return ev.resource_value(argument[0], attribute, at)
    ev.warn(at, "`Fn::GetAtt` takes a resource's logical ID and an attribute", "invalid-intrinsic")
    return placeholder("Fn::GetAtt")


def _sub(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    variables: dict[str, Any] = {}
    text_at = at
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        for key, item in argument[1].items():
            variables[key] = ev.value(item, at + (1, key), out)
        argument, text_at = argument[0], at + (0,)
    if not isinstance(argument, str):
        ev.warn(at, "`Fn::Sub` takes a string, or a list of a string and a map of variables", "invalid-intrinsic")
        return placeholder("Fn::Sub")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):  # `${!Literal}` writes `${Literal}`
            return "${" + name[1:] + "}"
        name = name.strip()
        if name in variables:
            value = variables[name]
        elif "." in name and not name.startswith("AWS::"):
            logical, attribute = name.split(".", 1)
            value = ev.resource_value(logical, attribute, text_at)
        else:
            value = ev.ref(name, text_at)
        return ev.text(value, text_at, "Fn::Sub")

    return _VARIABLE.sub(replace, argument)


def _join(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    args = _args(ev, argument, at, "Fn::Join", 2)
    if args is None:
        return placeholder("Fn::Join")
    delimiter = ev.text(ev.value(args[0], at + (0,), out), at + (0,), "Fn::Join")
    items = ev.value(args[1], at + (1,), out)
    if not isinstance(items, list):
        ev.warn(at + (1,), "`Fn::Join` joins a list", "invalid-intrinsic")
        return placeholder("Fn::Join")
    return delimiter.join(ev.text(item, at + (1,), "Fn::Join") for item in items)


def _select(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    args = _args(ev, argument, at, "Fn::Select", 2)
    if args is None:
        return placeholder("Fn::Select")
    index = ev.value(args[0], at + (0,), out)
    items = ev.value(args[1], at + (1,), out)
    if not isinstance(items, list):
        return placeholder("Fn::Select")
    # CloudFormation takes an index from 0 to N-1, written as a number or as its digits.
    position = index if isinstance(index, int) and not isinstance(index, bool) else (
        int(index) if isinstance(index, str) and index.isdigit() else None)
    if position is None or not 0 <= position < len(items):
        ev.warn(at, f"`Fn::Select` index `{json.dumps(index)}` is not a position in the list of {len(items)}",
                "invalid-intrinsic")
        return placeholder("Fn::Select")
    return items[position]


def _split(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    args = _args(ev, argument, at, "Fn::Split", 2)
    if args is None:
        return placeholder("Fn::Split")
    delimiter = ev.text(ev.value(args[0], at + (0,), out), at + (0,), "Fn::Split")
    text = ev.text(ev.value(args[1], at + (1,), out), at + (1,), "Fn::Split")
    return text.split(delimiter) if delimiter else [text]


def _if(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    args = _args(ev, argument, at, "Fn::If", 3)
    if args is None:
        return placeholder("Fn::If")
    branch = 1 if ev.condition(args[0], at + (0,)) else 2
    return ev.value(args[branch], at + (branch,), out)


def _find_in_map(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        ev.warn(at, "`Fn::FindInMap` takes a map name and two keys", "invalid-intrinsic")
        return placeholder("Fn::FindInMap")
    keys = [ev.text(ev.value(k, at + (i,), out), at + (i,), "Fn::FindInMap") for i, k in enumerate(argument[:3])]
    node: Any = ev.mappings
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if node is None:
        if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
            return ev.value(argument[3]["DefaultValue"], at + (3, "DefaultValue"), out)
        ev.warn(at, f"`Fn::FindInMap` finds nothing at `{'.'.join(keys)}`", "invalid-intrinsic")
        return placeholder("Fn::FindInMap")
    return ev.value(node, ("Mappings", *keys), out)


def _import_value(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    name = ev.value(argument, at, out)
    what = f"ImportValue.{name}" if isinstance(name, str) else "ImportValue"
    ev.warn(at, f"`Fn::ImportValue` is another stack's output, known only at deployment: it stands as "
            f"`{placeholder(what)}`", "unknown-until-deploy")
    return placeholder(what)


def _base64(ev: Intrinsics, argument: Any, at: JsonPath, out: JsonPath) -> Any:
    text = ev.text(ev.value(argument, at, out), at, "Fn::Base64")
    if holds_placeholder(text):  # encoding an unknown value would make text a request could hold (§14.21)
        return placeholder("Fn::Base64")
    return base64.b64encode(text.encode()).decode()


_FUNCTIONS: Mapping[str, Callable[[Intrinsics, Any, JsonPath, JsonPath], Any]] = {
    "Ref": _ref, "Fn::GetAtt": _get_att, "Fn::Sub": _sub, "Fn::Join": _join, "Fn::Select": _select,
    "Fn::Split": _split, "Fn::If": _if, "Fn::FindInMap": _find_in_map, "Fn::ImportValue": _import_value,
    "Fn::Base64": _base64,
}
