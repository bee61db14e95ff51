"""The elements of a statement, read and checked as AWS checks them (IAM-SEMANTICS §6.2, §12.1).

`Principal` becomes a `PrincipalMap`, `Condition` a tuple of `ConditionEntry`, and `Action` and
`Resource` tuples of strings. Each check that fails raises a refusal with its problem code
(`fail`), which loading turns into a located `Problem`; the statement and the document that
hold these elements are `_model.py`.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from ._arn import ACCOUNT_ID, PARTITIONS
from ._errors import Path as JsonPath
from ._match import pattern_segments
from ._operators import Family, Operator, OperatorError, parse_operator
from ._references import see
from ._values import ValueParseError, parse_policy_value

__all__ = [
    "ConditionEntry",
    "ConditionValue",
    "FROZEN",
    "PRINCIPAL_KEYS",
    "PrincipalMap",
    "check_action",
    "check_resource",
    "fail",
    "json_type",
    "optional_string",
    "read_condition",
    "string_list",
]


def fail(code: str, message: str, at: JsonPath = (), hint: str | None = None) -> PydanticCustomError:
    """A refusal (§12.1) raised inside a validator: its problem code, message, the path below
    the element at fault, and a hint."""
    return PydanticCustomError("iam", "{text}", {"code": code, "text": message, "at": at, "hint": hint})


FROZEN = ConfigDict(frozen=True, extra="forbid", strict=True)

def string_list(value: Any, element: str) -> tuple[str, ...]:
    """An element that AWS accepts as one string or a list of strings (§6.1)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise fail("invalid-element-type",
                           f"each `{element}` entry must be a string, not {json_type(item)}", (index,))
        return tuple(value)
    raise fail("invalid-element-type",
               f"`{element}` must be a string or a list of strings, not {json_type(value)}")


def optional_string(value: Any, element: str) -> Any:
    if value is not None and not isinstance(value, str):
        raise fail("invalid-element-type", f"`{element}` must be a string, not {json_type(value)}")
    return value


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# ----------------------------------------------------------------------------------- Principal

PRINCIPAL_KEYS = {"AWS": "aws", "Service": "service", "Federated": "federated",
                   "CanonicalUser": "canonical_user"}

_AWS_PRINCIPAL = re.compile(
    r"\*"
    r"|\d{12}"
    r"|arn:[a-z-]+:iam::\d{12}:(root|user/.+|role/.+)"
    r"|arn:[a-z-]+:sts::\d{12}:(assumed-role/[^/]+/.+|federated-user/.+)"
    r"|A[A-Z]{3}[A-Z0-9]{12,}"  # a unique ID: what AWS shows for a deleted user or role
)
_SERVICE_PRINCIPAL = re.compile(r"\*|[a-z0-9][a-z0-9.-]*\.[a-z0-9.-]*[a-z0-9]")
_CANONICAL_USER = re.compile(r"\*|[0-9a-f]{64}")


def _check_principal_value(key: str, value: str, at: JsonPath) -> None:
    """The forms of §6.2: `*` as a whole value only, no partial wildcards, and no policy
    variables, under any `Version` (§9, §12.1)."""
    if "${" in value:
        raise fail("variable-not-allowed", f"`{value}` has a policy variable, which a principal does not allow",
                   at, "match principals by pattern with a condition on `aws:PrincipalArn`")
    if value != "*" and ("*" in value or "?" in value):
        raise fail("invalid-principal", f"`{value}` has a partial wildcard: in a principal, `*` must stand alone", at,
                   "match principals by pattern with a condition on `aws:PrincipalArn`")
    if key == "AWS":
        if not _AWS_PRINCIPAL.fullmatch(value):
            raise fail("invalid-principal", f"`{value}` is not an AWS principal", at,
                       "use `*`, a 12-digit account ID, or the ARN of an account root, user, "
                       "role, role session or federated user")
    elif key == "Service":
        if not _SERVICE_PRINCIPAL.fullmatch(value):
            raise fail("invalid-principal", f"`{value}` is not a service principal", at,
                       "service principals look like `ec2.amazonaws.com`")
    elif key == "CanonicalUser":
        if not _CANONICAL_USER.fullmatch(value):
            raise fail("invalid-principal", f"`{value}` is not a canonical user ID (64 hexadecimal digits)", at)
    elif not value:
        raise fail("invalid-principal", "a federated principal must not be empty", at)


class PrincipalMap(BaseModel):
    """The value of `Principal` or `NotPrincipal`: `"*"` or a map of principal kinds (§6.2)."""

    model_config = FROZEN

    wildcard: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _read(cls, value: Any) -> Any:
        if isinstance(value, PrincipalMap):
            return value
        if value == "*":
            return {"wildcard": True}
        if not isinstance(value, dict):
            raise fail("invalid-principal", f"a principal must be `\"*\"` or an object, not {json_type(value)}")
        fields: dict[str, Any] = {}
        for key, entries in value.items():
            if key not in PRINCIPAL_KEYS:
                close = difflib.get_close_matches(key, PRINCIPAL_KEYS, n=1)
                raise fail("invalid-principal", f"unknown principal type `{key}`", (key,),
                           f"did you mean `{close[0]}`?" if close
                           else "use `AWS`, `Service`, `Federated` or `CanonicalUser`")
            try:
                items = string_list(entries, key)
            except PydanticCustomError as exc:
                context = exc.context
                assert context is not None  # raised by `fail`, which always gives one
                raise fail(context["code"], context["text"], (key,) + context["at"]) from None
            for index, item in enumerate(items):
                _check_principal_value(key, item, (key, index) if isinstance(entries, list) else (key,))
            fields[PRINCIPAL_KEYS[key]] = items
        return fields

    @model_serializer
    def _dump(self) -> Any:
        if self.wildcard:
            return "*"
        out: dict[str, Any] = {}
        for key, attr in PRINCIPAL_KEYS.items():
            values = getattr(self, attr)
            if values:
                out[key] = values[0] if len(values) == 1 else list(values)
        return out


# ----------------------------------------------------------------------------------- Condition

ConditionValue = str | int | float | bool
# `prefix:name`; identity providers' keys use the provider's URL as prefix
# (`token.actions.githubusercontent.com:sub`, `oidc.eks.us-east-1.amazonaws.com/id/ABC:sub`).
_CONDITION_KEY = re.compile(r"[^\s:]+:\S.*")


class ConditionEntry(BaseModel):
    """One operator-key pair of a `Condition` block with its policy values (§8.1)."""

    model_config = FROZEN

    operator: str
    key: str
    values: tuple[ConditionValue, ...]


def read_condition(value: Any) -> tuple[ConditionEntry, ...]:
    """`{operator: {key: value-or-list}}` -> entries, with the §12.1 condition checks."""
    if not isinstance(value, dict):
        raise fail("invalid-condition", f"`Condition` must be an object, not {json_type(value)}")
    entries: list[ConditionEntry] = []
    for operator, block in value.items():
        try:
            parsed = parse_operator(operator)
        except OperatorError as exc:
            raise fail(exc.code, str(exc), (operator,), exc.hint) from None
        if not isinstance(block, dict):
            raise fail("invalid-condition", f"the block of `{operator}` must be an object of condition keys, "
                       f"not {json_type(block)}", (operator,))
        if not block:
            # An operator with no keys: kept (it leaves the statement without effect, §12.2).
            entries.append(ConditionEntry(operator=operator, key="", values=()))
            continue
        seen: dict[str, str] = {}
        for key, raw in block.items():
            at = (operator, key)
            if "${" in key:  # under any `Version` (§9, §12.1)
                raise fail("variable-not-allowed", f"condition key `{key}` has a policy variable, which keys "
                           "do not allow", at)
            if not _CONDITION_KEY.fullmatch(key):
                raise fail("invalid-condition-key", f"condition key `{key}` is not of the form `prefix:name`", at,
                           "global keys start with `aws:`, service keys with the service prefix")
            if key.lower() in seen:
                raise fail("duplicate-condition-key",
                           f"condition keys `{seen[key.lower()]}` and `{key}` differ only in case", at,
                           "condition keys are case-insensitive; merge their values")
            seen[key.lower()] = key
            items = raw if isinstance(raw, list) else [raw]
            kinds = set()
            for index, item in enumerate(items):
                if isinstance(item, bool):
                    kinds.add("boolean")
                elif isinstance(item, (int, float)):
                    kinds.add("number")
                elif isinstance(item, str):
                    kinds.add("string")
                else:
                    raise fail("invalid-condition-value", f"a condition value must be a string, number or boolean, "
                               f"not {json_type(item)}", at + ((index,) if isinstance(raw, list) else ()))
            if len(kinds) > 1:
                raise fail("mixed-value-types",
                           f"the values of `{key}` mix JSON types ({', '.join(sorted(kinds))})", at,
                           "write every value of one key as the same type, e.g. all strings")
            for index, item in enumerate(items):
                _check_value(parsed, item, at + ((index,) if isinstance(raw, list) else ()))
            entries.append(ConditionEntry(operator=operator, key=key, values=tuple(items)))
    return tuple(entries)


def _check_value(operator: Operator, value: ConditionValue, at: JsonPath) -> None:
    """A policy value must read as its operator's type (§8.4); variables only in String and
    Arn operators (§9, §12.1)."""
    if operator.family is Family.ARN and value != "*" and pattern_segments(str(value), variables=True) is None:
        raise fail("invalid-condition-value", f"`{value}` is not an ARN pattern: `{operator.name}` compares "
                   "the six segments `arn:partition:service:region:account:resource`", at,
                   "use `StringLike` to match other text")
    try:
        parse_policy_value(operator.family, value)
    except ValueParseError as exc:
        code, hint = "invalid-condition-value", None
        if isinstance(value, str) and "${" in value:
            code, hint = "variable-not-allowed", "policy variables can only be used with String and Arn operators"
        raise fail(code, f"{exc} (under `{operator.name}`)", at, hint) from None


# ---------------------------------------------------------------------------- Action, Resource

_ACTION = re.compile(r"\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]*")


def check_action(action: str, index: int) -> None:
    if not _ACTION.fullmatch(action):
        code, hint = "invalid-action", None
        if "${" in action:
            code, hint = "variable-not-allowed", f"policy variables are not allowed in `Action` ({see('9')})"
        elif ":" not in action:
            hint = "write actions as `service:Action`, e.g. `s3:GetObject`"
        raise fail(code, f"`{action}` is not an action", (index,), hint)


def check_resource(resource: str, index: int) -> None:
    """The ARN checks of §12.1 and the segment rules of §7.3."""
    if resource == "*":
        return
    at = (index,)
    if not resource.startswith("arn:"):
        raise fail("invalid-arn", f"`{resource}` is not an ARN: it must start with `arn:`", at,
                   "use `*` for every resource, or an ARN like `arn:aws:s3:::bucket/*`")
    segments = pattern_segments(resource, variables=True)
    if segments is None:  # six segments, or fewer ending in `*`: else it matches no ARN
        raise fail("invalid-arn", f"`{resource}` has too few fields: an ARN is "
                   "`arn:partition:service:region:account:resource`", at)
    partition = segments[1]
    if partition not in PARTITIONS and not _has_pattern(partition):
        raise fail("invalid-arn", f"`{partition}` in `{resource}` is not an AWS partition", at,
                   "partitions are `aws`, `aws-cn`, `aws-us-gov` and the like")
    if len(segments) > 2:
        service = segments[2]
        if "*" in service or "?" in service:
            raise fail("invalid-arn", f"the service of `{resource}` has a wildcard, which ARNs do not allow", at)
        if service != service.lower():
            raise fail("invalid-arn", f"the service `{service}` of `{resource}` must be lowercase", at)
    if len(segments) > 4:
        account = segments[4]
        if account not in ("", "aws") and not ACCOUNT_ID.fullmatch(account) and not _has_pattern(account):
            raise fail("invalid-arn", f"the account `{account}` of `{resource}` is not a 12-digit account ID", at)


def _has_pattern(segment: str) -> bool:
    return "*" in segment or "?" in segment or "${" in segment
