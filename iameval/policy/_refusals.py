"""What AWS refuses (IAM-SEMANTICS §12.1): the one list of refusal codes, and the rules that
look across a whole document.

Each refusal is raised once, where it is found: the reader's in `_source.py` (syntax, duplicate
keys, unreadable files), an element's in `_elements.py`, a statement's in `_model.py`, and
those that span statements or read the document as written here. `load_policy` (`_load.py`)
raises them all, and `validate` reports the loader's problems as they are: there is no second
copy of any rule, so `iameval check` never evaluates a policy that `validate` calls refused.
"""

from __future__ import annotations

import json

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ._errors import Path as JsonPath
from ._errors import Problem
from ._kind import PolicyKind
from ._operators import Family, parse_operator
from ._variables import TemplateError, parse_template

if TYPE_CHECKING:
    from ._model import Policy

__all__ = ["ERROR", "REFUSALS", "Rule", "WARNING", "character_problems", "document_problems",
           "may_hold_bad_characters", "trust_problems"]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Rule:
    """What a problem code means: its severity, a one-line title, and the section of
    IAM-SEMANTICS.md it enforces (for `see()`, which gives users the AWS page)."""

    code: str
    severity: str
    title: str
    section: str


REFUSALS = (
    Rule("unreadable-file", ERROR, "The file cannot be read", "§12.1"),
    Rule("invalid-syntax", ERROR, "Not valid JSON or YAML", "§12.1"),
    Rule("not-a-policy", ERROR, "A template, plan, account export or scenario where a policy is expected", "§12.1"),
    Rule("duplicate-key", ERROR, "An object repeats a key", "§6.1"),
    Rule("invalid-character", ERROR, "A character IAM does not accept", "§12.1"),
    Rule("missing-element", ERROR, "A required element is missing", "§6.1"),
    Rule("unknown-element", ERROR, "An element AWS does not know", "§12.1"),
    Rule("invalid-element-type", ERROR, "An element of the wrong JSON type", "§6.1"),
    Rule("invalid-version", ERROR, "`Version` is not one of the two dates", "§6.2"),
    Rule("invalid-effect", ERROR, "`Effect` is not `Allow` or `Deny`", "§6.2"),
    Rule("invalid-sid", ERROR, "A `Sid` with characters IAM refuses", "§6.2"),
    Rule("duplicate-sid", ERROR, "Two statements share a `Sid`", "§6.2"),
    Rule("missing-action", ERROR, "Neither `Action` nor `NotAction`", "§6.2"),
    Rule("missing-resource", ERROR, "Neither `Resource` nor `NotResource` where one is required", "§6.3"),
    Rule("missing-principal", ERROR, "No `Principal` in a resource-based policy", "§6.3"),
    Rule("element-combination", ERROR, "Both halves of a pair in one statement", "§12.1"),
    Rule("principal-not-allowed", ERROR, "`Principal` or `NotPrincipal` where the policy type forbids it", "§6.3"),
    Rule("invalid-principal", ERROR, "A malformed principal", "§6.2"),
    Rule("invalid-action", ERROR, "An action not of the form `service:Action`", "§7.2"),
    Rule("invalid-arn", ERROR, "A malformed resource ARN", "§7.3"),
    Rule("unknown-operator", ERROR, "An unknown condition operator", "§8.4"),
    Rule("null-if-exists", ERROR, "`IfExists` on `Null`", "§8.4"),
    Rule("invalid-condition", ERROR, "A `Condition` block of the wrong shape", "§6.1"),
    Rule("invalid-condition-key", ERROR, "A condition key not of the form `prefix:name`", "§12.1"),
    Rule("duplicate-condition-key", ERROR, "Condition keys that differ only in case", "§8.1"),
    Rule("mixed-value-types", ERROR, "Values of mixed JSON types under one key", "§12.1"),
    Rule("invalid-condition-value", ERROR, "A value that does not read as its operator's type", "§8.4"),
    Rule("variable-not-allowed", ERROR, "A policy variable where variables are not allowed", "§9"),
    Rule("invalid-variable", ERROR, "A malformed policy variable", "§9"),
    Rule("rcp-syntax", ERROR, "What a resource control policy may not hold", "§4"),
    Rule("trust-resource", ERROR, "`Resource` or `NotResource` in a role trust policy", "§6.3"),
    Rule("trust-not-principal", ERROR, "`NotPrincipal` in a role trust policy", "§6.3"),
)

# Makes a located problem: (path below the document, code, message, hint).
Locate = Callable[..., Problem]


def document_problems(policy: Policy, kind: PolicyKind, locate: Locate) -> Iterator[Problem]:
    """Rules that span statements (§12.1): unique Sids in IAM policies, the RCP version, and
    well-formed `${...}` where `Version: 2012-10-17` makes them variables (§9)."""
    if kind is PolicyKind.RCP and policy.version != "2012-10-17":
        yield locate(("Version",), "rcp-syntax", "a resource control policy must have `Version: 2012-10-17`")
    if policy.variables_enabled:
        yield from _variable_problems(policy, locate)
    if kind.is_iam:
        seen: set[str] = set()
        for index, statement in enumerate(policy.statement):
            if statement.sid:
                if statement.sid in seen:
                    yield locate(("Statement", index, "Sid"), "duplicate-sid",
                                 f"duplicate `Sid` `{statement.sid}`: Sids must be unique within an IAM policy")
                seen.add(statement.sid)


def _variable_problems(policy: Policy, locate: Locate) -> Iterator[Problem]:
    """Malformed `${...}` in the places that take variables: `Resource`, `NotResource`, and the
    values of String and Arn operators (§9). Variables anywhere else are refused by the element
    that holds them, under any `Version`."""
    for i, statement in enumerate(policy.statement):
        texts: list[tuple[JsonPath, str]] = [(("Statement", i, element, j), text)
                 for element, values in (("Resource", statement.resource), ("NotResource", statement.not_resource))
                 for j, text in enumerate(values or ())]
        for entry in statement.condition or ():
            if parse_operator(entry.operator).family in (Family.STRING, Family.ARN):
                texts += [(("Statement", i, "Condition", entry.operator, entry.key, j), value)
                          for j, value in enumerate(entry.values) if isinstance(value, str)]
        for path, text in texts:
            if "${" in text:
                try:
                    parse_template(text)
                except TemplateError as exc:
                    yield locate(path, "invalid-variable", str(exc))


def trust_problems(data: Any, locate: Locate) -> Iterator[Problem]:
    """A role trust policy has no `Resource`, `NotResource` or `NotPrincipal` (§6.3). Read off
    the document as written, so that they are reported with any other refusal."""
    statements = data.get("Statement") if isinstance(data, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            continue
        for element in ("Resource", "NotResource"):
            if element in statement:
                yield locate(("Statement", index, element), "trust-resource",
                             f"a role trust policy must not have `{element}`: it always governs its role",
                             f"remove `{element}`")
        if "NotPrincipal" in statement:
            yield locate(("Statement", index, "NotPrincipal"), "trust-not-principal",
                         "a role trust policy must not have `NotPrincipal`",
                         "name the principals that may assume the role in `Principal`")


# Characters IAM accepts in a document (§12.1): TAB, LF, CR and U+0020-U+00FF.
_BAD_CHAR = re.compile(r"[^\t\n\r\x20-\xff]")


def may_hold_bad_characters(data: Any) -> bool:
    """Whether a document can hold a character IAM refuses, found at C speed: the document as
    JSON text has one, or a backslash, which JSON writes before a control character (and
    before a quote or a backslash, which only costs the full walk of `character_problems`)."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return "\\" in text or _BAD_CHAR.search(text) is not None


def character_problems(data: Any, locate: Locate) -> Iterator[Problem]:
    """Each key and string of the document with a character IAM does not accept."""
    stack: list[tuple[JsonPath, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                stack.append((path + (key,), value))
                if _BAD_CHAR.search(key):
                    yield _bad_char(locate, path + (key,), key)
        elif isinstance(node, list):
            stack.extend((path + (i,), v) for i, v in enumerate(node))
        elif isinstance(node, str) and _BAD_CHAR.search(node):
            yield _bad_char(locate, path, node)


def _bad_char(locate: Locate, path: JsonPath, text: str) -> Problem:
    bad = _BAD_CHAR.search(text)
    assert bad is not None  # called only for a text that has a bad character
    char = bad.group()
    return locate(path, "invalid-character", f"character U+{ord(char):04X} is not allowed in a policy",
                  "IAM accepts tab, line feed, carriage return and U+0020 to U+00FF")
