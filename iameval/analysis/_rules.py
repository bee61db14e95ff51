"""The findings of validation and what each code means (IAM-SEMANTICS §12).

The error codes are the loader's refusals (`policy/_refusals.py`, §12.1); the warning codes
are validation's own (§12.2, §12.3). `CODES` is every code a finding may carry, in the order
SARIF lists its rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable, Mapping

from ..policy._errors import Location, Problem
from ..policy._kind import PolicyKind
from ..policy._quotas import AWS_MANAGED, QUOTAS, SizeLimit
from ..policy._refusals import ERROR, REFUSALS, WARNING, Rule

__all__ = ["CALLER_KINDS", "CODES", "DIFF_TYPES", "ERROR", "Finding", "POLICY_TYPES", "PolicyType", "Rule", "SizeLimit", "TEMPLATE_RULES",
           "WARNING", "exit_code", "finding_from_problem"]

# What AWS accepts but most likely not as meant: reported, and the policy is still evaluated.
WARNINGS = (
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
    Rule("key-policy-statement-without-effect", WARNING,
         "A KMS key policy statement without `Action` or `Resource`", "§2.7.kms"),
)

# What reading a template or a plan reports (`inputs/_templates.py`): a file of another kind,
# values known only at deployment, and what the file says that iameval cannot follow.
TEMPLATE_RULES = (
    Rule("not-a-template", ERROR, "Neither a CloudFormation template nor a Terraform plan", "§12.1"),
    Rule("unknown-until-deploy", WARNING, "A value known only at deployment, which stands as a placeholder", "§14.21"),
    Rule("unknown-until-apply", WARNING, "A value of a plan known only after apply", "§14.21"),
    Rule("unsupported-intrinsic", WARNING, "An intrinsic function iameval does not evaluate", "§14.21"),
    Rule("invalid-intrinsic", WARNING, "An intrinsic function of the wrong shape, or naming nothing", "§14.21"),
    Rule("sam-policy-template-unknown", WARNING, "A SAM policy template that cannot be expanded", "§14.21"),
    Rule("invalid-sam-policy", WARNING, "A SAM `Policies` entry of no known form", "§14.21"),
    Rule("policy-outside-file", WARNING, "An attached policy or boundary the file does not hold", "§14.21"),
    Rule("principal-outside-file", WARNING, "A policy attached to a principal the file does not hold", "§14.21"),
    Rule("policy-not-applied", WARNING, "A resource-based policy validated but not applied to requests", "§14.21"),
    Rule("organization-policy-applied", WARNING, "An SCP or RCP applied to the account the file deploys to", "§14.22"),
    Rule("organization-policy-not-applied", WARNING,
         "An SCP or RCP attached neither to the organization root nor to the account", "§14.22"),
)

CODES: Mapping[str, Rule] = {rule.code: rule for rule in REFUSALS + WARNINGS + TEMPLATE_RULES}

class PolicyType(StrEnum):
    """The type of a policy to validate or expand (`--type`): the kind it is loaded as, and the
    size quota AWS puts on it (§12.3). A role trust policy is the role's resource-based policy
    (§2.5), with the extra rules of §6.3."""

    kind: PolicyKind
    size_limit: SizeLimit | None

    def __new__(cls, value: str, kind: PolicyKind, size_limit: SizeLimit | None) -> "PolicyType":
        member = str.__new__(cls, value)
        member._value_ = value
        member.kind = kind
        member.size_limit = size_limit
        return member

    IDENTITY = ("identity", PolicyKind.IDENTITY, QUOTAS["identity"])
    RESOURCE_POLICY = ("resource-policy", PolicyKind.RESOURCE_POLICY, QUOTAS["resource-policy"])
    SCP = ("scp", PolicyKind.SCP, QUOTAS["scp"])
    RCP = ("rcp", PolicyKind.RCP, QUOTAS["rcp"])
    PERMISSION_BOUNDARY = ("permission-boundary", PolicyKind.PERMISSION_BOUNDARY, QUOTAS["permission-boundary"])
    SESSION = ("session", PolicyKind.SESSION, QUOTAS["session"])
    TRUST = ("trust", PolicyKind.RESOURCE_POLICY, QUOTAS["trust"])
    KEY_POLICY = ("key-policy", PolicyKind.RESOURCE_POLICY, QUOTAS["key-policy"])
    # An identity policy that AWS wrote: no size quota binds it (§14.20).
    AWS_MANAGED = (AWS_MANAGED, PolicyKind.IDENTITY, QUOTAS[AWS_MANAGED])

    @property
    def is_trust(self) -> bool:
        """A role trust policy: loaded with the refusals of §6.3."""
        return self is PolicyType.TRUST

    @property
    def is_key_policy(self) -> bool:
        """A KMS key policy: a statement without `Action` or `Resource` is accepted and has no
        effect (§2.7)."""
        return self is PolicyType.KEY_POLICY


# `--type` names -> the kind the policy is loaded as.
POLICY_TYPES: Mapping[str, PolicyKind] = {t.value: t.kind for t in PolicyType}

# The policy types of `diff` and `can-never` (their `--type`, as issue 15 names them) -> the kind
# each is loaded as: one table for the command and for the pairs of a template's diff.
DIFF_TYPES: Mapping[str, PolicyKind] = {
    "identity": PolicyKind.IDENTITY, "scp": PolicyKind.SCP, "rcp": PolicyKind.RCP,
    "boundary": PolicyKind.PERMISSION_BOUNDARY, "session": PolicyKind.SESSION,
    "resource": PolicyKind.RESOURCE_POLICY, "trust": PolicyKind.RESOURCE_POLICY}
# Those whose policies name their callers (§7.4): every caller they tell apart is searched.
CALLER_KINDS = ("resource", "trust")


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
        shown = Problem(self.message, self.location, self.hint, f"{self.severity}[{self.code}]", code=self.code)
        return str(shown)

    def as_dict(self) -> dict[str, str | int | None]:
        return Problem(self.message, self.location, self.hint, self.severity, code=self.code).as_dict()


def exit_code(findings: Iterable[Finding]) -> int:
    """0 when clean, 1 with warnings only, 2 with an error."""
    severities = {f.severity for f in findings}
    return 2 if ERROR in severities else 1 if WARNING in severities else 0


def finding_from_problem(problem: Problem) -> Finding:
    """A load problem (§12.1) as a finding, with the code it was raised with."""
    return Finding(problem.code, problem.severity, problem.message, problem.location, problem.hint)
