"""Policy documents as immutable pydantic models, validated as AWS validates them.

The grammar is IAM-SEMANTICS §6; what AWS refuses is §12.1. Every accepted shape is normalised
once (a single statement becomes a one-item tuple, a string element a one-item tuple, the
`Principal` map a `PrincipalMap`) so that later stages never look at JSON again. A document
that AWS would refuse is never evaluated: `load_policy` raises `PolicyError` with every problem
it found, each located in the file.
"""

from __future__ import annotations

import difflib
import re
from enum import StrEnum
from typing import Any

from pydantic import (BaseModel, ConfigDict, Field, ValidationError, ValidationInfo,
                      field_serializer, field_validator, model_serializer, model_validator)
from pydantic_core import PydanticCustomError

from ._source import Source
from ._arn import ACCOUNT_ID, PARTITIONS, split_arn
from ._errors import Location, PolicyError, Problem
from ._operators import Family, Operator, OperatorError, parse_operator
from ._values import ValueParseError, parse_policy_value
from ._variables import TemplateError, parse_template

__all__ = [
    "ConditionEntry",
    "Policy",
    "PolicyKind",
    "PrincipalMap",
    "Statement",
    "VERSIONS",
    "load_policy",
]

VERSIONS = ("2012-10-17", "2008-10-17")


class PolicyKind(StrEnum):
    """Where a policy sits in the authorization chain (IAM-SEMANTICS §2.1, §6.3)."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    PERMISSION_BOUNDARY = "permission_boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"

    @property
    def has_principal(self) -> bool:
        """Resource-side policies name principals; the others must not (§6.3)."""
        return self in (PolicyKind.RESOURCE, PolicyKind.RCP)

    @property
    def is_iam(self) -> bool:
        """Policies stored by IAM, with its Sid rules (§6.2)."""
        return self in (PolicyKind.IDENTITY, PolicyKind.PERMISSION_BOUNDARY, PolicyKind.SESSION)

    @property
    def article(self) -> str:
        """The title with its article, for messages: `an identity-based policy`."""
        return _ARTICLES[self]

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    PolicyKind.IDENTITY: "identity-based policy",
    PolicyKind.RESOURCE: "resource-based policy",
    PolicyKind.PERMISSION_BOUNDARY: "permissions boundary",
    PolicyKind.SESSION: "session policy",
    PolicyKind.SCP: "service control policy",
    PolicyKind.RCP: "resource control policy",
}
_ARTICLES = {kind: ("an " if title[0] in "aeiou" else "a ") + title for kind, title in _TITLES.items()}


def _fail(code: str, message: str, at: tuple = (), hint: str | None = None) -> PydanticCustomError:
    """A refusal (§12.1) raised inside a validator: its problem code, message, the path below
    the element at fault, and a hint."""
    return PydanticCustomError("iam", "{text}", {"code": code, "text": message, "at": at, "hint": hint})


_FROZEN = ConfigDict(frozen=True, extra="forbid", strict=True)

# Characters IAM accepts in a document (§12.1): TAB, LF, CR and U+0020-U+00FF.
_BAD_CHAR = re.compile(r"[^\t\n\r\x20-\xff]")


def _string_list(value: Any, element: str) -> tuple[str, ...]:
    """An element that AWS accepts as one string or a list of strings (§6.1)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise _fail("invalid-element-type", f"each `{element}` entry must be a string, not {_json_type(item)}", (index,))
        return tuple(value)
    raise _fail("invalid-element-type", f"`{element}` must be a string or a list of strings, not {_json_type(value)}")


def _optional_string(value: Any, element: str) -> Any:
    if value is not None and not isinstance(value, str):
        raise _fail("invalid-element-type", f"`{element}` must be a string, not {_json_type(value)}")
    return value


def _json_type(value: Any) -> str:
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

_PRINCIPAL_KEYS = {"AWS": "aws", "Service": "service", "Federated": "federated",
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


def _check_principal_value(key: str, value: str, at: tuple) -> None:
    """The forms of §6.2: `*` as a whole value only, no partial wildcards (§12.1)."""
    if value != "*" and ("*" in value or "?" in value):
        raise _fail("invalid-principal", f"`{value}` has a partial wildcard: in a principal, `*` must stand alone", at,
                    "match principals by pattern with a condition on `aws:PrincipalArn`")
    if key == "AWS":
        if not _AWS_PRINCIPAL.fullmatch(value):
            raise _fail("invalid-principal", f"`{value}` is not an AWS principal", at,
                        "use `*`, a 12-digit account ID, or the ARN of an account root, user, "
                        "role, role session or federated user")
    elif key == "Service":
        if not _SERVICE_PRINCIPAL.fullmatch(value):
            raise _fail("invalid-principal", f"`{value}` is not a service principal", at,
                        "service principals look like `ec2.amazonaws.com`")
    elif key == "CanonicalUser":
        if not _CANONICAL_USER.fullmatch(value):
            raise _fail("invalid-principal", f"`{value}` is not a canonical user ID (64 hexadecimal digits)", at)
    elif not value:
        raise _fail("invalid-principal", "a federated principal must not be empty", at)


class PrincipalMap(BaseModel):
    """The value of `Principal` or `NotPrincipal`: `"*"` or a map of principal kinds (§6.2)."""

    model_config = _FROZEN

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
            raise _fail("invalid-principal", f"a principal must be `\"*\"` or an object, not {_json_type(value)}")
        fields: dict[str, Any] = {}
        for key, entries in value.items():
            if key not in _PRINCIPAL_KEYS:
                close = difflib.get_close_matches(key, _PRINCIPAL_KEYS, n=1)
                raise _fail("invalid-principal", f"unknown principal type `{key}`", (key,),
                            f"did you mean `{close[0]}`?" if close
                            else "use `AWS`, `Service`, `Federated` or `CanonicalUser`")
            try:
                items = _string_list(entries, key)
            except PydanticCustomError as exc:
                raise _fail(exc.context["code"], exc.context["text"], (key,) + exc.context["at"]) from None
            for index, item in enumerate(items):
                _check_principal_value(key, item, (key, index) if isinstance(entries, list) else (key,))
            fields[_PRINCIPAL_KEYS[key]] = items
        return fields

    @model_serializer
    def _dump(self) -> Any:
        if self.wildcard:
            return "*"
        out: dict[str, Any] = {}
        for key, attr in _PRINCIPAL_KEYS.items():
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

    model_config = _FROZEN

    operator: str
    key: str
    values: tuple[ConditionValue, ...]


def _read_condition(value: Any) -> tuple[ConditionEntry, ...]:
    """`{operator: {key: value-or-list}}` -> entries, with the §12.1 condition checks."""
    if not isinstance(value, dict):
        raise _fail("invalid-condition", f"`Condition` must be an object, not {_json_type(value)}")
    entries: list[ConditionEntry] = []
    for operator, block in value.items():
        try:
            parsed = parse_operator(operator)
        except OperatorError as exc:
            raise _fail(exc.code, str(exc), (operator,), exc.hint) from None
        if not isinstance(block, dict):
            raise _fail("invalid-condition", f"the block of `{operator}` must be an object of condition keys, "
                        f"not {_json_type(block)}", (operator,))
        if not block:
            # An operator with no keys: kept (it leaves the statement without effect, §12.2).
            entries.append(ConditionEntry(operator=operator, key="", values=()))
            continue
        seen: dict[str, str] = {}
        for key, raw in block.items():
            at = (operator, key)
            if not _CONDITION_KEY.fullmatch(key):
                raise _fail("invalid-condition-key", f"condition key `{key}` is not of the form `prefix:name`", at,
                            "global keys start with `aws:`, service keys with the service prefix")
            if key.lower() in seen:
                raise _fail("duplicate-condition-key", f"condition keys `{seen[key.lower()]}` and `{key}` differ only in case", at,
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
                    raise _fail("invalid-condition-value", f"a condition value must be a string, number or boolean, "
                                f"not {_json_type(item)}", at + ((index,) if isinstance(raw, list) else ()))
            if len(kinds) > 1:
                raise _fail("mixed-value-types", f"the values of `{key}` mix JSON types ({', '.join(sorted(kinds))})", at,
                            "write every value of one key as the same type, e.g. all strings")
            for index, item in enumerate(items):
                _check_value(parsed, item, at + ((index,) if isinstance(raw, list) else ()))
            entries.append(ConditionEntry(operator=operator, key=key, values=tuple(items)))
    return tuple(entries)


def _check_value(operator: Operator, value: ConditionValue, at: tuple) -> None:
    """A policy value must read as its operator's type (§8.4); variables only in String and
    Arn operators (§9, §12.1)."""
    if (operator.family is Family.ARN and value != "*" and len(split_arn(str(value), variables=True)) != 6
            and not str(value).endswith("*")):
        raise _fail("invalid-condition-value", f"`{value}` is not an ARN pattern: `{operator.name}` compares the six segments "
                    "`arn:partition:service:region:account:resource`", at,
                    "use `StringLike` to match other text")
    try:
        parse_policy_value(operator.family, value)
    except ValueParseError as exc:
        code, hint = "invalid-condition-value", None
        if isinstance(value, str) and "${" in value:
            code, hint = "variable-not-allowed", "policy variables can only be used with String and Arn operators"
        raise _fail(code, f"{exc} (under `{operator.name}`)", at, hint) from None


# ----------------------------------------------------------------------------------- Statement

_STATEMENT_ELEMENTS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                       "Resource", "NotResource", "Condition")
_ACTION = re.compile(r"\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]*")
_SID_IAM = re.compile(r"[A-Za-z0-9]*")


def _check_action(action: str, index: int) -> None:
    if not _ACTION.fullmatch(action):
        code, hint = "invalid-action", None
        if "${" in action:
            code, hint = "variable-not-allowed", "policy variables are not allowed in `Action` (IAM-SEMANTICS §9)"
        elif ":" not in action:
            hint = "write actions as `service:Action`, e.g. `s3:GetObject`"
        raise _fail(code, f"`{action}` is not an action", (index,), hint)


def _check_resource(resource: str, index: int) -> None:
    """The ARN checks of §12.1 and the segment rules of §7.3."""
    if resource == "*":
        return
    at = (index,)
    if not resource.startswith("arn:"):
        raise _fail("invalid-arn", f"`{resource}` is not an ARN: it must start with `arn:`", at,
                    "use `*` for every resource, or an ARN like `arn:aws:s3:::bucket/*`")
    segments = split_arn(resource, variables=True)
    if len(segments) < 6 and not resource.endswith("*"):
        raise _fail("invalid-arn", f"`{resource}` has too few fields: an ARN is "
                    "`arn:partition:service:region:account:resource`", at)
    partition = segments[1]
    if partition not in PARTITIONS and not _has_pattern(partition):
        raise _fail("invalid-arn", f"`{partition}` in `{resource}` is not an AWS partition", at,
                    "partitions are `aws`, `aws-cn`, `aws-us-gov` and the like")
    if len(segments) > 2:
        service = segments[2]
        if "*" in service or "?" in service:
            raise _fail("invalid-arn", f"the service of `{resource}` has a wildcard, which ARNs do not allow", at)
        if service != service.lower():
            raise _fail("invalid-arn", f"the service `{service}` of `{resource}` must be lowercase", at)
    if len(segments) > 4:
        account = segments[4]
        if account not in ("", "aws") and not ACCOUNT_ID.fullmatch(account) and not _has_pattern(account):
            raise _fail("invalid-arn", f"the account `{account}` of `{resource}` is not a 12-digit account ID", at)


def _has_pattern(segment: str) -> bool:
    return "*" in segment or "?" in segment or "${" in segment


class Statement(BaseModel):
    """One statement (IAM-SEMANTICS §6.1, §6.2). Element names are exact and case-sensitive."""

    model_config = _FROZEN

    sid: str | None = Field(None, alias="Sid")
    effect: str = Field(alias="Effect")
    principal: PrincipalMap | None = Field(None, alias="Principal")
    not_principal: PrincipalMap | None = Field(None, alias="NotPrincipal")
    action: tuple[str, ...] | None = Field(None, alias="Action")
    not_action: tuple[str, ...] | None = Field(None, alias="NotAction")
    resource: tuple[str, ...] | None = Field(None, alias="Resource")
    not_resource: tuple[str, ...] | None = Field(None, alias="NotResource")
    condition: tuple[ConditionEntry, ...] | None = Field(None, alias="Condition")

    @model_validator(mode="before")
    @classmethod
    def _known_elements(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key in value:
                if key not in _STATEMENT_ELEMENTS:
                    close = difflib.get_close_matches(key, _STATEMENT_ELEMENTS, n=1)
                    if not close:
                        close = [e for e in _STATEMENT_ELEMENTS if e.lower() == key.lower()]
                    raise _fail("unknown-element", f"unknown statement element `{key}`", (key,),
                                f"did you mean `{close[0]}`?" if close else
                                "a statement has Sid, Effect, Principal, NotPrincipal, Action, "
                                "NotAction, Resource, NotResource and Condition")
        elif not isinstance(value, Statement):
            raise _fail("invalid-element-type", f"a statement must be an object, not {_json_type(value)}")
        return value

    @field_validator("sid", mode="before")
    @classmethod
    def _sid(cls, value: Any) -> Any:
        return _optional_string(value, "Sid")

    @field_validator("effect", mode="before")
    @classmethod
    def _effect(cls, value: Any) -> Any:
        if value not in ("Allow", "Deny"):
            hint = None
            if isinstance(value, str) and value.lower() in ("allow", "deny"):
                hint = f"did you mean `{value.capitalize()}`? `Effect` is case-sensitive"
            shown = f"`{value}`" if isinstance(value, str) else _json_type(value)
            raise _fail("invalid-effect", f"`Effect` must be `Allow` or `Deny`, not {shown}", (), hint)
        return value

    @field_validator("action", "not_action", mode="before")
    @classmethod
    def _actions(cls, value: Any, info: ValidationInfo) -> Any:
        items = _string_list(value, info.field_name == "action" and "Action" or "NotAction")
        for index, item in enumerate(items):
            _check_action(item, index)
        return items

    @field_validator("resource", "not_resource", mode="before")
    @classmethod
    def _resources(cls, value: Any, info: ValidationInfo) -> Any:
        items = _string_list(value, info.field_name == "resource" and "Resource" or "NotResource")
        for index, item in enumerate(items):
            _check_resource(item, index)
        return items

    @field_validator("condition", mode="before")
    @classmethod
    def _condition(cls, value: Any) -> Any:
        return _read_condition(value)

    @model_validator(mode="after")
    def _policy_type_rules(self, info: ValidationInfo) -> "Statement":
        """Element pairs and the per-type table of §6.3 (errors of §12.1)."""
        for one, other in (("Action", "NotAction"), ("Resource", "NotResource"),
                           ("Principal", "NotPrincipal")):
            if self._has(one) and self._has(other):
                raise _fail("element-combination", f"`{one}` and `{other}` cannot both be in one statement", (other,),
                            "unsupported element combination: keep one of them")
        if not self._has("Action") and not self._has("NotAction"):
            raise _fail("missing-action", "the statement has neither `Action` nor `NotAction`")
        kind = PolicyKind((info.context or {}).get("kind", PolicyKind.IDENTITY))
        if kind.has_principal:
            if not self._has("Principal") and not self._has("NotPrincipal"):
                raise _fail("missing-principal", f"a statement of {kind.article} needs `Principal`", (),
                            "name who the statement is for, e.g. `\"Principal\": {\"AWS\": "
                            "\"arn:aws:iam::111122223333:root\"}`")
        else:
            for element in ("Principal", "NotPrincipal"):
                if self._has(element):
                    raise _fail("principal-not-allowed", f"`{element}` is not allowed in {kind.article}", (element,),
                                "only resource-based policies name principals")
        if kind is not PolicyKind.RESOURCE and not self._has("Resource") and not self._has("NotResource"):
            raise _fail("missing-resource", f"a statement of {kind.article} needs `Resource` or `NotResource`")
        if kind is PolicyKind.RCP and not _is_rcp_full_access(self):
            if self.not_principal is not None:
                raise _fail("principal-not-allowed", "`NotPrincipal` is not allowed in a resource control policy", ("NotPrincipal",))
            if self.not_action is not None:
                raise _fail("rcp-syntax", "`NotAction` is not allowed in a resource control policy", ("NotAction",))
            if self.effect == "Allow":
                raise _fail("rcp-syntax", "a resource control policy can only deny: `Effect` must be `Deny`", ("Effect",),
                            "RCPFullAWSAccess, which allows everything, is implied at every level")
        if kind.is_iam and self.sid is not None and not _SID_IAM.fullmatch(self.sid):
            raise _fail("invalid-sid", f"`Sid` `{self.sid}` may hold only letters and digits in an IAM policy", ("Sid",))
        return self

    def _has(self, element: str) -> bool:
        return getattr(self, _FIELDS_BY_ALIAS[element]) is not None

    @property
    def has_no_effect(self) -> bool:
        """An element given as an empty list or object leaves the statement without effect
        (§12.2): `"Action": []`, `"NotResource": []`, `"Principal": {}`, `"Condition": {}`, an
        operator with no keys."""
        for value in (self.action, self.not_action, self.resource, self.not_resource):
            if value == ():
                return True
        for principal in (self.principal, self.not_principal):
            if principal is not None and not principal.wildcard and not (
                    principal.aws or principal.service or principal.federated or principal.canonical_user):
                return True
        return self.condition is not None and (not self.condition or any(not e.key for e in self.condition))

    @field_serializer("action", "not_action", "resource", "not_resource")
    def _dump_strings(self, value: tuple[str, ...] | None) -> Any:
        if value is None:
            return None
        return value[0] if len(value) == 1 else list(value)

    @field_serializer("condition")
    def _dump_condition(self, value: tuple[ConditionEntry, ...] | None) -> Any:
        if value is None:
            return None
        out: dict[str, dict[str, Any]] = {}
        for entry in value:
            block = out.setdefault(entry.operator, {})
            if entry.key:
                block[entry.key] = entry.values[0] if len(entry.values) == 1 else list(entry.values)
        return out


_FIELDS_BY_ALIAS = {f.alias: name for name, f in Statement.model_fields.items()}


def _is_rcp_full_access(statement: Statement) -> bool:
    """The AWS managed RCPFullAWSAccess statement, the one Allow an RCP may hold (§4, §12.1)."""
    return (statement.effect == "Allow" and statement.principal is not None and statement.principal.wildcard
            and statement.action == ("*",) and statement.resource == ("*",) and statement.condition is None)


# -------------------------------------------------------------------------------------- Policy

_POLICY_ELEMENTS = ("Version", "Id", "Statement")


class Policy(BaseModel):
    """A policy document (§6.1), with an optional name for explanations.

    `name` is not part of the document: it is how results refer to the policy (a file name, a
    managed policy's name, or the scenario's `name`).
    """

    model_config = _FROZEN

    version: str | None = Field(None, alias="Version")
    id: str | None = Field(None, alias="Id")
    statement: tuple[Statement, ...] = Field(alias="Statement")
    name: str | None = Field(None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _known_elements(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key in value:
                if key not in _POLICY_ELEMENTS:
                    close = difflib.get_close_matches(key, _POLICY_ELEMENTS, n=1)
                    if not close:
                        close = [e for e in _POLICY_ELEMENTS if e.lower() == key.lower()]
                    raise _fail("unknown-element", f"unknown policy element `{key}`", (key,),
                                f"did you mean `{close[0]}`?" if close else
                                "a policy has Version, Id and Statement")
        elif not isinstance(value, Policy):
            raise _fail("invalid-element-type", f"a policy must be a JSON object, not {_json_type(value)}")
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if value is not None and value not in VERSIONS:
            shown = f"`{value}`" if isinstance(value, str) else _json_type(value)
            raise _fail("invalid-version", f"`Version` must be `2012-10-17` or `2008-10-17`, not {shown}", (),
                        "`Version` is a fixed date naming the policy language, not your policy's version")
        return value

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        return _optional_string(value, "Id")

    @field_validator("statement", mode="before")
    @classmethod
    def _statements(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return (value,)
        if isinstance(value, list):
            return tuple(value)
        if isinstance(value, tuple):
            return value
        raise _fail("invalid-element-type", f"`Statement` must be an object or a list of objects, not {_json_type(value)}")

    @property
    def variables_enabled(self) -> bool:
        """Only `Version: 2012-10-17` turns `${...}` into policy variables (§6.2, §9)."""
        return self.version == "2012-10-17"

    def to_json(self) -> dict[str, Any]:
        """The document in AWS's shape, for writing back out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# -------------------------------------------------------------------------------------- loading

def load_policy(data: Any, kind: PolicyKind | str = PolicyKind.IDENTITY, *,
                source: Source | None = None, path: tuple = (), name: str | None = None) -> Policy:
    """Validate a parsed document as a policy of `kind`; raise `PolicyError` with every problem.

    `source` and `path` say where the document stands, so that problems carry the file, the
    line and column and the full element path (`policies.identity[0].Statement[2].Effect`).
    """
    kind = PolicyKind(kind)
    problems: list[Problem] = []
    try:
        policy = Policy.model_validate(data, context={"kind": kind})
    except ValidationError as exc:
        policy = None
        problems.extend(_problems(exc, source, path))
    if policy is not None:
        problems.extend(_document_problems(policy, data, kind, source, path))
    if source is not None and kind.is_iam and _BAD_CHAR.search(source.text):
        problems.extend(_character_problems(data, source, path))
    if problems:
        raise PolicyError(problems)
    if name is not None:
        policy = policy.model_copy(update={"name": name})
    return policy


def _locate(source: Source | None, path: tuple, code: str, message: str, hint: str | None = None) -> Problem:
    if source is None:
        return Problem(message, Location(None, None, None, path), hint, code=code)
    return source.problem(path, message, hint, code=code)


def _problems(exc: ValidationError, source: Source | None, base: tuple) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == "iam":
            problems.append(_locate(source, base + loc + tuple(ctx.get("at", ())), ctx["code"], ctx["text"],
                                    ctx.get("hint")))
        elif error["type"] == "missing":
            element = loc[-1]
            problems.append(_locate(source, base + loc[:-1], "missing-element", f"missing required element `{element}`"))
        else:
            # A shape the field validators did not anticipate: report it in plain words.
            problems.append(_locate(source, base + loc, "invalid-element-type", f"invalid value: {error['msg'].lower()}"))
    return problems


def _document_problems(policy: Policy, data: Any, kind: PolicyKind, source: Source | None,
                       base: tuple) -> list[Problem]:
    """Rules that span statements: unique Sids in IAM policies, the RCP version (§12.1)."""
    problems = []
    if kind is PolicyKind.RCP and policy.version != "2012-10-17":
        problems.append(_locate(source, base + ("Version",), "rcp-syntax",
                                "a resource control policy must have `Version: 2012-10-17`"))
    if policy.variables_enabled:
        problems.extend(_variable_problems(policy, source, base))
    if kind.is_iam:
        seen: set[str] = set()
        for index, statement in enumerate(policy.statement):
            if statement.sid:
                if statement.sid in seen:
                    problems.append(_locate(source, base + ("Statement", index, "Sid"), "duplicate-sid",
                                            f"duplicate `Sid` `{statement.sid}`: Sids must be unique "
                                            "within an IAM policy"))
                seen.add(statement.sid)
    return problems


def _variable_problems(policy: Policy, source: Source | None, base: tuple) -> list[Problem]:
    """Malformed `${...}` under Version 2012-10-17, where AWS reads policy variables (§9)."""
    problems = []

    def check(text: str, path: tuple) -> None:
        if "${" in text:
            try:
                parse_template(text)
            except TemplateError as exc:
                problems.append(_locate(source, base + path, "invalid-variable", str(exc)))

    for i, statement in enumerate(policy.statement):
        for element, values in (("Resource", statement.resource), ("NotResource", statement.not_resource)):
            for j, text in enumerate(values or ()):
                check(text, ("Statement", i, element, j))
        for element, principal in (("Principal", statement.principal), ("NotPrincipal", statement.not_principal)):
            for key, values in _principal_entries(principal):
                for j, text in enumerate(values):
                    if "${" in text:
                        problems.append(_locate(source, base + ("Statement", i, element, key, j), "variable-not-allowed",
                                                f"`{text}`: policy variables are not allowed in `{element}` (§9)"))
        for entry in statement.condition or ():
            if "${" in entry.key:
                problems.append(_locate(source, base + ("Statement", i, "Condition", entry.operator, entry.key),
                                        "variable-not-allowed",
                                        f"`{entry.key}`: policy variables are not allowed in condition keys (§9)"))
            if parse_operator(entry.operator).family in (Family.STRING, Family.ARN):
                for j, value in enumerate(entry.values):
                    if isinstance(value, str):
                        check(value, ("Statement", i, "Condition", entry.operator, entry.key, j))
    return problems


def _principal_entries(principal: PrincipalMap | None) -> list[tuple[str, tuple[str, ...]]]:
    if principal is None:
        return []
    return [(key, getattr(principal, attr)) for key, attr in _PRINCIPAL_KEYS.items()]


def _character_problems(data: Any, source: Source, base: tuple) -> list[Problem]:
    problems = []
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                stack.append((path + (key,), value))
                if _BAD_CHAR.search(key):
                    problems.append(_bad_char(source, base + path + (key,), key))
        elif isinstance(node, list):
            stack.extend((path + (i,), v) for i, v in enumerate(node))
        elif isinstance(node, str) and _BAD_CHAR.search(node):
            problems.append(_bad_char(source, base + path, node))
    return problems


def _bad_char(source: Source, path: tuple, text: str) -> Problem:
    char = _BAD_CHAR.search(text).group()
    return source.problem(path, f"character U+{ord(char):04X} is not allowed in a policy",
                          "IAM accepts tab, line feed, carriage return and U+0020 to U+00FF",
                          code="invalid-character")
