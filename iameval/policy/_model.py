"""Policy documents as immutable pydantic models, validated as AWS validates them.

The grammar is IAM-SEMANTICS §6; what AWS refuses is §12.1. Every accepted shape is normalised
once (a single statement becomes a one-item tuple, a string element a one-item tuple, the
`Principal` map a `PrincipalMap`) so that later stages never look at JSON again. The elements
of a statement are read in `_elements.py`; here are the statement, with the rules that tie its
elements together and to the policy type (§6.3), and the document. Rules that span statements,
and loading with located problems, are `_refusals.py` and `_load.py`.
"""

from __future__ import annotations

import difflib
import re
from enum import StrEnum
from typing import Any, Self

from pydantic import (BaseModel, Field, ModelWrapValidatorHandler, PrivateAttr, ValidationError, ValidationInfo,
                      field_serializer, field_validator, model_validator)

from ._errors import Path as JsonPath
from ._kind import PolicyKind
from ._source import Origin, Source
from ._elements import (FROZEN, ConditionEntry, PrincipalMap, check_action, check_resource, fail, json_type,
                        optional_string, read_condition, string_list)

__all__ = [
    "ConditionEntry",
    "Effect",
    "Policy",
    "PolicyKind",
    "PrincipalMap",
    "Statement",
    "VERSIONS",
]

VERSIONS = ("2012-10-17", "2008-10-17")


class Effect(StrEnum):
    """What a statement does when it applies (§6.2). An `Effect` equals its string: `"Allow"`."""

    ALLOW = "Allow"
    DENY = "Deny"


def _known_elements(value: Any, model: type[BaseModel], what: str, elements: tuple[str, ...], shape: str) -> Any:
    """A statement's or a policy's object holds only the elements AWS knows, by their exact
    names (§6.4, §12.1): an unknown one is refused, with the name it is closest to (in
    spelling, else in all but case) or else the list of elements."""
    if isinstance(value, dict):
        for key in value:
            if key not in elements:
                close = (difflib.get_close_matches(key, elements, n=1)
                         or [e for e in elements if e.lower() == key.lower()])
                raise fail("unknown-element", f"unknown {what} element `{key}`", (key,),
                           f"did you mean `{close[0]}`?" if close else
                           f"a {what} has {', '.join(elements[:-1])} and {elements[-1]}")
    elif not isinstance(value, model):
        raise fail("invalid-element-type", f"a {what} must be {shape}, not {json_type(value)}")
    return value


# ----------------------------------------------------------------------------------- Statement

_STATEMENT_ELEMENTS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                       "Resource", "NotResource", "Condition")
_SID_IAM = re.compile(r"[A-Za-z0-9]*")


class Statement(BaseModel):
    """One statement (IAM-SEMANTICS §6.1, §6.2). Element names are exact and case-sensitive."""

    model_config = FROZEN

    sid: str | None = Field(None, alias="Sid")
    effect: Effect = Field(alias="Effect")
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
        return _known_elements(value, cls, "statement", _STATEMENT_ELEMENTS, "an object")

    @field_validator("sid", mode="before")
    @classmethod
    def _sid(cls, value: Any) -> Any:
        return optional_string(value, "Sid")

    @field_validator("effect", mode="before")
    @classmethod
    def _effect(cls, value: Any) -> Any:
        if value not in ("Allow", "Deny"):
            hint = None
            if isinstance(value, str) and value.lower() in ("allow", "deny"):
                hint = f"did you mean `{value.capitalize()}`? `Effect` is case-sensitive"
            shown = f"`{value}`" if isinstance(value, str) else json_type(value)
            raise fail("invalid-effect", f"`Effect` must be `Allow` or `Deny`, not {shown}", (), hint)
        return Effect(value)

    @field_validator("action", "not_action", mode="before")
    @classmethod
    def _actions(cls, value: Any, info: ValidationInfo) -> Any:
        items = string_list(value, info.field_name == "action" and "Action" or "NotAction")
        for index, item in enumerate(items):
            check_action(item, index)
        return items

    @field_validator("resource", "not_resource", mode="before")
    @classmethod
    def _resources(cls, value: Any, info: ValidationInfo) -> Any:
        items = string_list(value, info.field_name == "resource" and "Resource" or "NotResource")
        for index, item in enumerate(items):
            check_resource(item, index)
        return items

    @field_validator("condition", mode="before")
    @classmethod
    def _condition(cls, value: Any) -> Any:
        return read_condition(value)

    @model_validator(mode="after")
    def _policy_type_rules(self, info: ValidationInfo) -> "Statement":
        """Element pairs and the per-type table of §6.3 (errors of §12.1)."""
        for one, other in (("Action", "NotAction"), ("Resource", "NotResource"),
                           ("Principal", "NotPrincipal")):
            if self._has(one) and self._has(other):
                raise fail("element-combination", f"`{one}` and `{other}` cannot both be in one statement",
                           (other,), "unsupported element combination: keep one of them")
        if not self._has("Action") and not self._has("NotAction") and not (info.context or {}).get("key_policy"):
            # KMS accepts such a key-policy statement, which then has no effect (§2.7).
            raise fail("missing-action", "the statement has neither `Action` nor `NotAction`")
        kind = PolicyKind((info.context or {}).get("kind", PolicyKind.IDENTITY))
        if kind.has_principal:
            if not self._has("Principal") and not self._has("NotPrincipal"):
                raise fail("missing-principal", f"a statement of {kind.article} needs `Principal`", (),
                           "name who the statement is for, e.g. `\"Principal\": {\"AWS\": "
                           "\"arn:aws:iam::111122223333:root\"}`")
        else:
            for element in ("Principal", "NotPrincipal"):
                if self._has(element):
                    raise fail("principal-not-allowed", f"`{element}` is not allowed in {kind.article}", (element,),
                               "only resource-based policies name principals")
        if kind is not PolicyKind.RESOURCE_POLICY and not self._has("Resource") and not self._has("NotResource"):
            raise fail("missing-resource", f"a statement of {kind.article} needs `Resource` or `NotResource`")
        if kind is PolicyKind.RCP and not _is_rcp_full_access(self):
            if self.not_principal is not None:
                raise fail("principal-not-allowed", "`NotPrincipal` is not allowed in a resource control policy",
                           ("NotPrincipal",))
            if self.not_action is not None:
                raise fail("rcp-syntax", "`NotAction` is not allowed in a resource control policy", ("NotAction",))
            if self.effect is Effect.ALLOW:
                raise fail("rcp-syntax", "a resource control policy can only deny: `Effect` must be `Deny`",
                           ("Effect",), "RCPFullAWSAccess, which allows everything, is implied at every level")
        if kind.is_iam and self.sid is not None and not _SID_IAM.fullmatch(self.sid):
            raise fail("invalid-sid", f"`Sid` `{self.sid}` may hold only letters and digits in an IAM policy",
                       ("Sid",))
        return self

    def _has(self, element: str) -> bool:
        return getattr(self, _FIELDS_BY_ALIAS[element]) is not None

    def label(self, index: int) -> str:
        """How results, explanations, findings and listings name this statement: its `Sid`, or
        `Statement[i]` (0-based) without one, as SCENARIO.md names statements."""
        return self.sid or f"Statement[{index}]"

    @property
    def without_effect_in_key_policy(self) -> str | None:
        """The element whose absence leaves a KMS key-policy statement without effect, Allow or
        Deny (§2.7): `Action` (nor `NotAction`) or `Resource` (nor `NotResource`); else None."""
        if self.action is None and self.not_action is None:
            return "Action"
        if self.resource is None and self.not_resource is None:
            return "Resource"
        return None

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

    @property
    def applies_to_every_resource_unconditionally(self) -> bool:
        """Whether the statement applies to any resource of a request it names, whatever the
        request's context: it has effect (§12.2), no `Condition` (§8.1), and `*` among its
        `Resource` entries (§7.3) or neither `Resource` nor `NotResource` (a resource policy's
        statement, on its own resource, §6.2). Then caller and action alone decide whether it
        applies."""
        if self.condition or self.has_no_effect:
            return False
        if self.resource is None:
            return self.not_resource is None
        return "*" in self.resource

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


_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(data: Any) -> tuple[JsonPath, str] | None:
    """The path of the first string of `data` that holds a lone surrogate (of its object, for a
    key, so that the path itself can be written out), and that half."""
    stack: list[tuple[JsonPath, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        texts: list[tuple[JsonPath, Any]] = [(path, node)]
        if isinstance(node, dict):
            texts = [(path, key) for key in node]
            stack.extend((path + (key,), value) for key, value in reversed(node.items()))
        elif isinstance(node, (list, tuple)):
            stack.extend((path + (i,), item) for i, item in reversed(list(enumerate(node))))
        for where, text in texts:
            if isinstance(text, str) and (half := _SURROGATE.search(text)):
                return where, half.group()
    return None


def half_character(char: str) -> str:
    """The refusal of a lone surrogate, written with its code point (it cannot be written itself)."""
    return f"`\\u{ord(char):04x}` is half of a character (a lone surrogate)"


def _is_rcp_full_access(statement: Statement) -> bool:
    """The AWS managed RCPFullAWSAccess statement, the one Allow an RCP may hold (§4, §12.1)."""
    return (statement.effect is Effect.ALLOW and statement.principal is not None and statement.principal.wildcard
            and statement.action == ("*",) and statement.resource == ("*",) and statement.condition is None)


# -------------------------------------------------------------------------------------- Policy

_POLICY_ELEMENTS = ("Version", "Id", "Statement")


class Policy(BaseModel):
    """A policy document (§6.1), with an optional name for explanations.

    `name` is not part of the document: it is how results refer to the policy (a file name, a
    managed policy's name, or the scenario's `name`). Nor is `arn`, a managed policy's ARN where
    it is known (an account export): it says whether AWS wrote the policy (§14.20).
    """

    model_config = FROZEN

    version: str | None = Field(None, alias="Version")
    id: str | None = Field(None, alias="Id")
    statement: tuple[Statement, ...] = Field(alias="Statement")
    name: str | None = Field(None, exclude=True)
    arn: str | None = Field(None, exclude=True)
    # Where the document was read (its source and the path of the document in it), for the
    # locations printed with results; like `name`, not part of what the policy says.
    _origin: Origin | None = PrivateAttr(default=None)
    # What later stages derive from this policy object alone (its compiled form, per kind and
    # label: `engine._compile.compiled`), kept with it: a policy held by many authorizers (a
    # managed policy attached to thousands of roles) is compiled once. A copy starts without it
    # (its name, ARN or origin may differ), and it is never pickled.
    _derived: dict[Any, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _known_elements(cls, value: Any) -> Any:
        return _known_elements(value, cls, "policy", _POLICY_ELEMENTS, "a JSON object")

    @model_validator(mode="wrap")
    @classmethod
    def _whole_characters(cls, value: Any, handler: ModelWrapValidatorHandler["Policy"]) -> "Policy":
        """A refusal that quotes half a character (a lone surrogate, which a document built in
        Python may hold) cannot be written as text: the half character itself is refused."""
        try:
            return handler(value)
        except ValidationError as exc:
            try:
                exc.errors(include_url=False)
            except UnicodeEncodeError:
                found = lone_surrogate(value)
                if found is None:  # pragma: no cover - the error quoted some other unwritable text
                    raise
                path, char = found
                raise fail("invalid-character", half_character(char), path) from None
            raise

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if value is not None and value not in VERSIONS:
            shown = f"`{value}`" if isinstance(value, str) else json_type(value)
            raise fail("invalid-version", f"`Version` must be `2012-10-17` or `2008-10-17`, not {shown}", (),
                       "`Version` is a fixed date naming the policy language, not your policy's version")
        return value

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        return optional_string(value, "Id")

    @field_validator("statement", mode="before")
    @classmethod
    def _statements(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return (value,)
        if isinstance(value, list):
            return tuple(value)
        if isinstance(value, tuple):
            return value
        raise fail("invalid-element-type",
                   f"`Statement` must be an object or a list of objects, not {json_type(value)}")

    def _document(self) -> tuple[str | None, str | None, tuple[Statement, ...]]:
        return self.version, self.id, self.statement

    def __eq__(self, other: object) -> bool:
        """Two policies are equal when their documents are: the name is how results refer to a
        policy, not part of what it says."""
        if not isinstance(other, Policy):
            return NotImplemented
        return self._document() == other._document()

    def __hash__(self) -> int:
        return hash(self._document())

    def derived(self) -> dict[Any, Any]:
        """The memo of what later stages derive from this policy object alone; each keys it by
        everything else its value depends on. Not part of what the policy says."""
        derived = self._derived
        if derived is None:
            derived = self._derived = {}
        return derived

    def __copy__(self) -> Self:
        copied = super().__copy__()
        copied._derived = None
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        copied = super().__deepcopy__(memo)
        copied._derived = None
        return copied

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private:
            state["__pydantic_private__"] = {**private, "_derived": None}
        return state

    @property
    def origin(self) -> Origin | None:
        """Where the document was read: its source and its path there; None when it was not read
        from text (a document built in Python)."""
        return self._origin

    def located(self, source: Source, path: JsonPath = ()) -> "Policy":
        """This policy, as read at `path` of `source` (a copy: policies are values)."""
        policy = self.model_copy()
        policy._origin = (source, path)
        return policy

    @property
    def variables_enabled(self) -> bool:
        """Only `Version: 2012-10-17` turns `${...}` into policy variables (§6.2, §9)."""
        return self.version == "2012-10-17"

    def to_json(self) -> dict[str, Any]:
        """The document in AWS's shape, for writing back out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
