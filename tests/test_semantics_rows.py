"""Rules of IAM-SEMANTICS.md that the engine implements, each named here by a row.

Refusals (§4, §6.2, §6.4, §7.3, §12.1): what AWS will not store, refused when loaded, reported
at the element at fault under a stable `iameval validate` code, next to a corrected twin that
loads. Decisions (§1, §2.3, §2.5, §9, §14.10): requests through `Authorizer`. Then the summary of
an ExplicitDeny (§13.3), validation findings (§12.3, §14.10) and ARN splitting (§7.3). Account A
(111122223333) owns every resource.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import pytest

import iameval
from iameval.policy._arn import split_arn
from iameval.policy._errors import format_path
from iameval.analysis._validate import validate_policy
from helpers import A, ALICE, ROOT_A, authorizer, case, doc

BUCKET = "arn:aws:s3:::b"
ROLE = f"arn:aws:iam::{A}:role/R"
SESSION = f"arn:aws:sts::{A}:assumed-role/app/s1"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS = f"arn:aws:kms:us-east-1:{A}:alias/x"
HOME = f"{BUCKET}/${{aws:username}}/*"


# ------------------------------------------------------------------------------------ helpers

def allow(action: Any = "*", resource: Any = "*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "s3:GetObject", resource: Any = "*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


FULL_ACCESS = doc(allow())
ROOT_ONLY = {"ArnEquals": {"aws:PrincipalArn": ROOT_A}}


def request(principal: str = ALICE, action: str = "s3:GetObject", resource: str = f"{BUCKET}/k") -> dict:
    return {"principal": principal, "action": action, "resource": resource, "resource_account": A}


def paths(problems) -> list[str]:
    return [format_path(p.location.path) for p in problems]


# ----------------------------------------------------------------------------------- refusals

class Refusal(NamedTuple):
    kind: str
    hit: dict        # a document AWS refuses
    miss: dict       # the same document with the fault corrected, which loads
    element: str     # where the fault is reported
    code: str        # its `iameval validate` code


def _grant(principal: Any) -> dict:
    return doc(allow("s3:GetObject", f"{BUCKET}/*", Principal=principal))


def _resource(arn: str) -> dict:
    return doc(allow("s3:GetObject", arn))


RCP_DENY = deny("s3:*", Principal="*")
EVERYONE = allow("s3:*", Principal="*")

REFUSALS = [
    # §6.2, §7.4: IAM groups cannot be principals.
    pytest.param(Refusal("resource_policy", _grant({"AWS": f"arn:aws:iam::{A}:group/admins"}),
                         _grant({"AWS": f"arn:aws:iam::{A}:role/admins"}),
                         "Statement[0].Principal.AWS", "invalid-principal"),
                 id="6.2-7.4-an-iam-group-is-not-a-principal"),
    # §12.1: a malformed Principal.
    pytest.param(Refusal("resource_policy", _grant({"Aws": A}), _grant({"AWS": A}),
                         "Statement[0].Principal.Aws", "invalid-principal"),
                 id="12.1-6.4-principal-map-key-aws-is-exact"),
    pytest.param(Refusal("resource_policy", _grant({"Service": "not a service"}),
                         _grant({"Service": "cloudtrail.amazonaws.com"}),
                         "Statement[0].Principal.Service", "invalid-principal"),
                 id="12.1-service-principal-must-look-like-a-service"),
    # §12.1: ARN errors in Resource.
    pytest.param(Refusal("identity", _resource("arn:aws:s3:b"), _resource(BUCKET),
                         "Statement[0].Resource[0]", "invalid-arn"),
                 id="12.1-arn-with-too-few-fields"),
    pytest.param(Refusal("identity", _resource("arn:aws-foo:s3:::b"), _resource("arn:aws-cn:s3:::b"),
                         "Statement[0].Resource[0]", "invalid-arn"),
                 id="12.1-arn-with-an-unknown-partition"),
    pytest.param(Refusal("identity", _resource("arn:aws:sqs:us-east-1:11112222333:q"),
                         _resource(f"arn:aws:sqs:us-east-1:{A}:q"), "Statement[0].Resource[0]", "invalid-arn"),
                 id="12.1-arn-account-of-11-digits"),
    # §7.3: no wildcard in the service segment.
    pytest.param(Refusal("identity", _resource("arn:aws:*:::b"), _resource("arn:aws:s3:*:*:b"),
                         "Statement[0].Resource[0]", "invalid-arn"),
                 id="7.3-service-segment-star-is-forbidden"),
    pytest.param(Refusal("identity", _resource("arn:aws:s3*:::b"), _resource(BUCKET),
                         "Statement[0].Resource[0]", "invalid-arn"),
                 id="7.3-service-segment-partial-wildcard-is-forbidden"),
    # §4, §12.1: what a resource control policy may not hold.
    pytest.param(Refusal("rcp", doc(deny("s3:*", NotPrincipal={"AWS": A})), doc(RCP_DENY),
                         "Statement[0].NotPrincipal", "principal-not-allowed"),
                 id="4-12.1-rcp-deny-with-not-principal"),
    pytest.param(Refusal("rcp", doc({"Effect": "Deny", "Principal": "*", "NotAction": "s3:*", "Resource": "*"}),
                         doc(RCP_DENY), "Statement[0].NotAction", "rcp-syntax"),
                 id="4-12.1-rcp-deny-with-not-action"),
    pytest.param(Refusal("rcp", doc(RCP_DENY, version="2008-10-17"), doc(RCP_DENY), "Version", "rcp-syntax"),
                 id="4-12.1-rcp-version-2008-10-17"),
    pytest.param(Refusal("rcp", doc(RCP_DENY, version=None), doc(RCP_DENY), "Version", "rcp-syntax"),
                 id="4-12.1-rcp-without-version"),
    pytest.param(Refusal("rcp", doc(deny("s3:*")), doc(RCP_DENY), "Statement[0]", "missing-principal"),
                 id="4-6.3-rcp-without-principal"),
    # §12.1: Principal only in resource-side policies.
    pytest.param(Refusal("session", doc(EVERYONE), doc(allow("s3:*")), "Statement[0].Principal",
                         "principal-not-allowed"),
                 id="12.1-principal-in-a-session-policy"),
    pytest.param(Refusal("permission_boundary", doc(EVERYONE), doc(allow("s3:*")), "Statement[0].Principal",
                         "principal-not-allowed"),
                 id="12.1-principal-in-a-permissions-boundary"),
    pytest.param(Refusal("scp", doc(EVERYONE), doc(allow("s3:*")), "Statement[0].Principal",
                         "principal-not-allowed"),
                 id="12.1-principal-in-an-scp"),
    # §6.4, §14.11: operator names are exact.
    pytest.param(Refusal("identity", doc(allow(Condition={"stringEquals": {"aws:username": "alice"}})),
                         doc(allow(Condition={"StringEquals": {"aws:username": "alice"}})),
                         "Statement[0].Condition.stringEquals", "unknown-operator"),
                 id="6.4-14.11-operator-names-are-case-sensitive"),
]


@pytest.mark.parametrize("refusal", REFUSALS)
def test_refused_when_loaded_at_the_element(refusal: Refusal) -> None:
    """§12.1: the engine refuses what AWS refuses, and says which element is at fault."""
    with pytest.raises(iameval.PolicyError) as info:
        iameval.load_policy(refusal.hit, refusal.kind)
    assert refusal.element in paths(info.value.problems), str(info.value)


@pytest.mark.parametrize("refusal", REFUSALS)
def test_refusal_has_its_validate_code(refusal: Refusal) -> None:
    """§12.1: `iameval validate` reports the refusal as an error under its stable code."""
    found = [(f.code, format_path(f.location.path)) for f in validate_policy(refusal.hit, refusal.kind)
             if f.severity == "error"]
    assert (refusal.code, refusal.element) in found, found


@pytest.mark.parametrize("refusal", REFUSALS)
def test_corrected_twin_loads(refusal: Refusal) -> None:
    """The near miss: with the one fault corrected, the document is accepted."""
    iameval.load_policy(refusal.miss, refusal.kind)


# ---------------------------------------------------------------------------------- decisions

SET_CONTEXT = request(action="sts:SetContext", resource=ROLE)

MANDATORY = [
    case("2.5-sts-set-context-on-a-role-needs-its-trust-policy", "ImplicitDeny", SET_CONTEXT,
         identity=[FULL_ACCESS]),
    case("2.5-kms-list-keys-on-star-needs-no-key-policy", "Allow",
         request(action="kms:ListKeys", resource="*"), identity=[FULL_ACCESS]),
    case("2.5-kms-on-an-alias-arn-needs-no-key-policy", "Allow",
         request(action="kms:Decrypt", resource=ALIAS), identity=[FULL_ACCESS]),
    case("2.5-kms-on-a-key-arn-needs-the-key-policy", "ImplicitDeny",
         request(action="kms:Decrypt", resource=KEY), identity=[FULL_ACCESS]),
]

OUTSIDE_HOME = doc({"Effect": "Deny", "Action": "s3:*", "NotResource": HOME})

VARIABLES = [
    case("9-4-variable-in-scp-deny-not-resource-denies-another-home", "ExplicitDeny",
         request(resource=f"{BUCKET}/bob/k"), identity=[FULL_ACCESS], scps=[FULL_ACCESS, [FULL_ACCESS, OUTSIDE_HOME]]),
    case("9-4-variable-in-scp-deny-not-resource-spares-own-home", "Allow",
         request(resource=f"{BUCKET}/alice/k"), identity=[FULL_ACCESS], scps=[FULL_ACCESS, [FULL_ACCESS, OUTSIDE_HOME]]),
    case("9-5-variable-in-boundary-caps-another-home", "ImplicitDeny",
         request(resource=f"{BUCKET}/bob/k"), identity=[FULL_ACCESS], permission_boundary=doc(allow("s3:*", HOME))),
    case("9-5-variable-in-boundary-allows-own-home", "Allow",
         request(resource=f"{BUCKET}/alice/k"), identity=[FULL_ACCESS], permission_boundary=doc(allow("s3:*", HOME))),
    case("9-2.2-variable-in-bucket-policy-grants-own-home", "Allow",
         request(resource=f"{BUCKET}/alice/k"), resource=doc(allow("s3:GetObject", HOME, Principal={"AWS": ALICE}))),
    case("9-2.2-variable-in-bucket-policy-grants-no-other-home", "ImplicitDeny",
         request(resource=f"{BUCKET}/bob/k"), resource=doc(allow("s3:GetObject", HOME, Principal={"AWS": ALICE}))),
]

PRINCIPAL_ARN = [
    case("1-2.3-principal-arn-root-does-not-match-a-user-of-the-account", "ImplicitDeny", request(),
         identity=[doc(allow(Condition=ROOT_ONLY))]),
    case("1-principal-arn-of-a-user-is-its-own-arn", "Allow", request(),
         identity=[doc(allow(Condition={"ArnEquals": {"aws:PrincipalArn": ALICE}}))]),
    case("1-2.3-principal-arn-root-matches-the-root-user", "ExplicitDeny", request(ROOT_A),
         resource=doc(allow("s3:*", f"{BUCKET}/*", Principal={"AWS": A}),
                      deny("s3:*", f"{BUCKET}/*", Principal="*", Condition=ROOT_ONLY))),
    case("1-2.3-deny-keyed-to-root-principal-arn-spares-users", "Allow", request(), identity=[FULL_ACCESS],
         resource=doc(allow("s3:*", f"{BUCKET}/*", Principal={"AWS": A}),
                      deny("s3:*", f"{BUCKET}/*", Principal="*", Condition=ROOT_ONLY))),
]

EMPTY_VALUES = [
    case("14.10-positive-operator-over-no-values-matches-nothing", "ImplicitDeny", request(),
         identity=[doc(allow(Condition={"StringEquals": {"aws:username": []}}))]),
    case("14.10-negated-operator-over-no-values-matches-everything", "Allow", request(),
         identity=[doc(allow(Condition={"StringNotEquals": {"aws:username": []}}))]),
]


@pytest.mark.parametrize("policies, req, expect", MANDATORY + VARIABLES + PRINCIPAL_ARN + EMPTY_VALUES)
def test_decision(policies: dict, req: dict, expect: str) -> None:
    """§1, §2.3, §2.5, §9, §14.10: the decision for one request under one set of policies."""
    result = authorizer(**policies).authorize(req)
    assert result.decision == expect, result.summary


# ------------------------------------------------------------------------- §13.3 deny summary

DENY_READ = doc(allow(), deny())
DENY_EVERYONE = doc(deny(Principal="*"))


@pytest.mark.parametrize("policies, req, kind, words", [
    pytest.param(dict(identity=[FULL_ACCESS], permission_boundary=DENY_READ), request(),
                 "permission_boundary", "a permissions boundary", id="13.3-explicit-deny-in-a-permissions-boundary"),
    pytest.param(dict(identity=[FULL_ACCESS], session=[DENY_READ]), request(SESSION),
                 "session", "a session policy", id="13.3-explicit-deny-in-a-session-policy"),
    pytest.param(dict(identity=[FULL_ACCESS], rcps=[DENY_EVERYONE]), request(),
                 "rcp", "a resource control policy", id="13.3-explicit-deny-in-a-resource-control-policy"),
    pytest.param(dict(identity=[FULL_ACCESS], resource=DENY_EVERYONE), request(),
                 "resource_policy", "a resource-based policy", id="13.3-explicit-deny-in-a-resource-based-policy"),
])
def test_explicit_deny_summary_names_the_policy_type(policies: dict, req: dict, kind: str, words: str) -> None:
    """§13.3: an ExplicitDeny is reported with the type of policy its Deny came from."""
    result = authorizer(**policies).authorize(req)
    assert result.decision == "ExplicitDeny"
    assert result.summary == f"explicitly denied by a statement in {words}"
    assert {m.ref.kind for m in result.reasons} == {iameval.PolicyKind(kind)}


# ---------------------------------------------------------------------------------- validation

def _many_objects(count: int, **extra) -> dict:
    return doc(allow("s3:GetObject", [f"arn:aws:s3:::example-bucket-{i:04}/*" for i in range(count)], **extra))


@pytest.mark.parametrize("kind, limit, hit, miss", [
    # 9,344 vs 5,644 characters: the miss is over the SCP and session limits, under 6,144.
    pytest.param("permission_boundary", 6144, _many_objects(250), _many_objects(150),
                 id="12.3-permissions-boundary-over-6144-characters"),
    # 26,053 vs 16,803 characters: the miss is over the SQS and IAM limits, under 20 KB.
    pytest.param("resource_policy", 20480, _many_objects(700, Principal={"AWS": ALICE}),
                 _many_objects(450, Principal={"AWS": ALICE}), id="12.3-bucket-policy-over-20-kb"),
])
def test_size_limit_of_the_policy_type(kind: str, limit: int, hit: dict, miss: dict) -> None:
    """§12.3: a policy over its type's quota draws `policy-too-large`; one under it does not."""
    assert len(json.dumps(miss, separators=(",", ":"))) < limit < len(json.dumps(hit, separators=(",", ":")))
    found = [f for f in validate_policy(hit, kind) if f.code == "policy-too-large"]
    assert len(found) == 1 and f"{limit:,}" in found[0].message
    assert "policy-too-large" not in [f.code for f in validate_policy(miss, kind)]


def test_empty_condition_value_list_is_flagged() -> None:
    """§14.10, §12.2: an operator over an empty list of values is flagged at validation."""
    data = doc(allow("s3:GetObject", Condition={"StringEquals": {"aws:username": []}}))
    found = [(f.code, format_path(f.location.path)) for f in validate_policy(data, "identity")]
    assert ("empty-element", "Statement[0].Condition.StringEquals.aws:username") in found
    near = doc(allow("s3:GetObject", Condition={"StringEquals": {"aws:username": ["alice"]}}))
    assert "empty-element" not in [f.code for f in validate_policy(near, "identity")]


# --------------------------------------------------------------------------------- ARN segments

@pytest.mark.parametrize("text, variables, segments", [
    pytest.param("arn:aws:iam::${aws:PrincipalAccount}:user/x", True,
                 ["arn", "aws", "iam", "", "${aws:PrincipalAccount}", "user/x"],
                 id="7.3-colon-inside-a-variable-is-not-a-separator"),
    pytest.param("arn:aws:iam::${aws:PrincipalAccount}:user/x", False,
                 ["arn", "aws", "iam", "", "${aws", "PrincipalAccount}:user/x"],
                 id="7.3-9-without-variables-the-colon-is-a-separator"),
])
def test_split_arn(text: str, variables: bool, segments: list[str]) -> None:
    """§7.3: an ARN splits at its first five colons, not counting those inside `${...}`."""
    assert split_arn(text, variables=variables) == segments
