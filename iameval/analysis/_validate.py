"""Policy validation, offline, in the manner of IAM Access Analyzer (IAM-SEMANTICS §12).

`validate_policy` returns every finding of one document, each with a stable code, a severity,
the file, line, column and element path, and a hint where one helps:

* errors (§12.1) are what `load_policy` refuses, with the codes they were raised with, the role
  trust policy rules of §6.3 included (`policy/_refusals.py`): validation has no rule of its own
  that loading lacks, so what it calls refused is never evaluated, and the reverse;
* warnings (§12.2) need the catalogue or look across statements (`_checks.py`).

A finding never changes how a policy is evaluated: evaluation stays tolerant of what the
catalogue does not know (§7.2).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..policy._errors import Path as JsonPath
from ..policy._errors import PolicyError
from ..policy._load import load_policy, unknown_policy_type
from ..policy._model import PolicyKind
from ..policy._not_policies import INFRASTRUCTURE, NotAPolicy, read_policy_sources
from ..policy._source import Source, expand_paths
from ._checks import Checker
from ._policy_types import POLICY_TYPES, PolicyType
from ._rules import CODES, Finding, Rule, exit_code, finding_from_problem

if TYPE_CHECKING:
    from ..inputs._templates import FoundPolicy

__all__ = [
    "CODES",
    "Finding",
    "POLICY_TYPES",
    "PolicyType",
    "Rule",
    "exit_code",
    "validate_found",
    "validate_paths",
    "validate_policy",
]


def _policy_type(kind: PolicyType | PolicyKind | str, source: Source | None, path: JsonPath) -> PolicyType:
    """The type named by a `--type` name, or the type of a kind (`resource_policy` is
    `resource-policy`, not `trust`); a `PolicyError` for any other name."""
    if isinstance(kind, PolicyType):
        return kind
    for policy_type in PolicyType:
        if kind == policy_type.value or (kind == policy_type.kind.value and not policy_type.is_trust
                                         and not policy_type.is_key_policy):
            return policy_type
    raise unknown_policy_type(kind, PolicyType, source, path)


def validate_policy(data: Any, kind: PolicyType | PolicyKind | str = PolicyType.IDENTITY, source: Source | None = None,
                    path: JsonPath = ()) -> list[Finding]:
    """Every finding of one policy document of type `kind` (a `PolicyType`, its `--type` name,
    or a `PolicyKind`).

    `source` and `path` say where the document stands, as for `load_policy`. Errors come from
    loading; warnings need a loaded policy, so a document with errors gets errors only.
    """
    policy_type = _policy_type(kind, source, path)
    findings: list[Finding] = []
    try:
        policy = load_policy(data, policy_type.kind, source=source, path=path, trust=policy_type.is_trust,
                             key_policy=policy_type.is_key_policy)
    except PolicyError as exc:
        policy = None
        findings.extend(finding_from_problem(p) for p in exc.problems)
    if policy is not None:
        findings.extend(Checker(policy_type, source, path).check(policy, data))
    return sorted(findings, key=_order)


def _order(finding: Finding) -> tuple[str, int, int, str]:
    loc = finding.location
    return (loc.file or "", loc.line or 0, loc.column or 0, finding.code)


def validate_found(found: FoundPolicy) -> list[Finding]:
    """The findings of a policy of a template or plan, with the type its place gives it; each
    message names the policy by where it lives (`AppRole (AWS::IAM::Role) inline policy S3`)."""
    policy_type = (PolicyType.TRUST if found.trust else PolicyType.KEY_POLICY if found.key_policy
                   else _policy_type(found.kind, None, ()))
    return [replace(f, message=f"{found.label}: {f.message}")
            for f in validate_policy(found.data, policy_type, found.source, found.path)]


def _validate_infrastructure(name: str, parameters: Mapping[str, str]) -> tuple[list[Finding], int]:
    """Every policy of a template or plan, validated with its own type, and what reading it reported."""
    try:
        from ..inputs._infrastructure import load_infrastructure  # templates and plans only (start-up)

        infrastructure = load_infrastructure(name, parameters)
    except PolicyError as exc:
        return [finding_from_problem(p) for p in exc.problems], 1
    findings = [finding_from_problem(p) for p in infrastructure.warnings]
    for found in infrastructure.policies:
        findings.extend(validate_found(found))
    return findings, len(infrastructure.policies)


def validate_paths(names: list[str], kind: PolicyType | PolicyKind | str = PolicyType.IDENTITY,
                   on_file: Callable[[str], None] | None = None, parameters: Mapping[str, str] | None = None
                   ) -> tuple[list[Finding], int]:
    """Validate every policy document in the files and folders named (`-` for standard input).

    A CloudFormation, SAM or CDK template or a Terraform plan has each of its policies
    validated with the type its place gives it (`kind` is for policy files), with `parameters`
    for the template's (`--parameter`). Returns the findings and the number of documents read;
    a file that cannot be read or parsed is an error finding, and the other files are validated
    all the same. `on_file` is told each file once it is done (a progress bar).
    """
    policy_type = _policy_type(kind, None, ())  # an unknown type is refused before any file is read
    findings: list[Finding] = []
    documents = 0
    for name in expand_paths(names):
        try:
            sources = read_policy_sources(name)
        except PolicyError as exc:
            if isinstance(exc, NotAPolicy) and exc.kinds and exc.kinds <= INFRASTRUCTURE and not exc.sources:
                found, count = _validate_infrastructure(name, parameters or {})
                findings.extend(found)
                documents += count
                sources = []
            else:
                findings.extend(finding_from_problem(p) for p in exc.problems)
                sources = list(exc.sources)  # the good lines of a JSON Lines file
                documents += 1 if not sources else 0
        for source in sources:
            documents += 1
            findings.extend(validate_policy(source.data, policy_type, source))
        if on_file is not None:
            on_file(name)
    return findings, documents
