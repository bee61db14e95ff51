"""Who outside can a resource or trust policy let in: `public` (IAM-SEMANTICS §2.2, §2.6, §3, §7.4, §10).

The question of IAM Access Analyzer's CheckNoPublicAccess, answered offline with an example of
each kind of outside caller, or a proof that none is allowed. It is `can_never` of the policy
for every action, over the callers (`_callers.caller_shapes`) of one kind at a time:

- `anonymous`: the anonymous caller (§2.6);
- `any-account`: a caller of an account that the policy does not name, outside the
  organization when there is one: anyone with an AWS account (`*`, or a pattern every account
  can meet);
- `outside-account`: a caller of another account, named or not, or an identity provider or
  canonical user the policy names;
- `outside-organization`: a caller of another account outside the organization (the values of
  `aws:PrincipalOrgID` the policy compares, or those given), for whom that key is absent or
  another organization's (§10).

The first two make a policy `public`, the others `outside-access`. A service principal is an
AWS service, not an outside caller, and is not asked. A condition restricts only by what the
callers of a kind cannot give: the keys the caller fixes (its ARN, account, organization, §10)
restrict; a key any caller can set in its request (`aws:SourceIp`, `aws:SourceVpce`,
`aws:UserAgent`...) does not, since the request is the caller's to make.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Sequence

from ..engine._callers import CallerKind
from ..engine._chain import Authorizer
from ..policy._model import Policy
from ._callers import CallerShape, caller_shapes
from ._diff import DEFAULT_ACCOUNT, CallerSearch, DiffFinding, UnknownPart, role_arns

__all__ = ["Outside", "PublicFinding", "PublicReport", "PublicResult", "public"]


class Outside(StrEnum):
    """The kinds of caller outside the resource's account that `public` asks about."""

    ANONYMOUS = "anonymous"
    ANY_ACCOUNT = "any-account"
    OUTSIDE_ACCOUNT = "outside-account"
    OUTSIDE_ORGANIZATION = "outside-organization"


class PublicResult(StrEnum):
    NOT_PUBLIC = "not-public"
    OUTSIDE_ACCESS = "outside-access"
    PUBLIC = "public"
    UNKNOWN = "unknown"


_PUBLIC = (Outside.ANONYMOUS, Outside.ANY_ACCOUNT)
_OUTSIDE_KINDS = (CallerKind.FEDERATED_PROVIDER, CallerKind.CANONICAL_USER)


@dataclass(frozen=True)
class PublicFinding:
    """A kind of outside caller that the policy lets in, with one request replayed through the engine."""

    outside: Outside
    finding: DiffFinding

    def as_dict(self) -> dict[str, Any]:
        return {"kind": str(self.outside), **self.finding.as_dict()}


@dataclass(frozen=True)
class PublicReport:
    findings: tuple[PublicFinding, ...]
    unknown: tuple[UnknownPart, ...] = ()
    organizations: tuple[str, ...] = ()

    @property
    def result(self) -> PublicResult:
        kinds = {f.outside for f in self.findings}
        if kinds & set(_PUBLIC):
            return PublicResult.PUBLIC
        if kinds:
            return PublicResult.OUTSIDE_ACCESS
        return PublicResult.UNKNOWN if self.unknown else PublicResult.NOT_PUBLIC

    def as_dict(self) -> dict[str, Any]:
        return {"result": str(self.result), "findings": [f.as_dict() for f in self.findings],
                "unknown": [u.as_dict() for u in self.unknown], "organizations": list(self.organizations)}


def public(policy: Policy, account: str | None = None, organizations: Sequence[str] | None = None,
           kind: str = "resource") -> PublicReport:
    """Which kinds of outside caller `policy`, the resource (`kind` "resource") or trust policy
    ("trust", asked about the roles of `account`) of a resource in `account`, lets in (module
    docstring). `organizations`: the resource's organization, by default the values the policy
    compares `aws:PrincipalOrgID` with; one is the resource's `aws:ResourceOrgID` too."""
    own = account or DEFAULT_ACCOUNT
    resources = [role_arns(own)] if kind == "trust" else None
    found = caller_shapes(Authorizer(resource_policy=policy).resource_policy.statements, own)
    orgs = tuple(organizations) if organizations is not None else found.organizations
    outside = [s for s in found.shapes if s.account is not None and s.account != own]
    anyone = [s for s in outside if not s.named]
    asked: list[tuple[Outside, list[CallerShape]]] = [
        (Outside.ANONYMOUS, [s for s in found.shapes if s.kind is CallerKind.ANONYMOUS]),
        (Outside.ANY_ACCOUNT, [s.outside_organization(orgs) for s in anyone] if orgs else anyone),
        (Outside.OUTSIDE_ACCOUNT, outside + [s for s in found.shapes if s.kind in _OUTSIDE_KINDS and s.named]),
    ]
    if orgs:
        asked.append((Outside.OUTSIDE_ORGANIZATION, [s.outside_organization(orgs) for s in outside]))
    findings: list[PublicFinding] = []
    unknown: list[UnknownPart] = [UnknownPart((), u) for u in found.unknown]
    # The resource is in the organization, when there is one (its `aws:ResourceOrgID`, §10).
    in_organization = (("aws:ResourceOrgID", orgs[0], ()),) if len(orgs) == 1 else ()
    search = CallerSearch(None, policy, own, None, resources)
    for outside_kind, shapes in asked:
        shapes = [replace(s, facts=s.facts + in_organization) for s in shapes]
        report = search.run(shapes, first_only=True)
        findings.extend(PublicFinding(outside_kind, f) for f in report.findings[:1])
        unknown.extend(u for u in report.unknown if u not in unknown)
    return PublicReport(tuple(findings), tuple(unknown), orgs)
