"""Laws of the authorization chain, and one table per gate and subtlety of the chain.

Part 1, properties (STYLE.md ring 3) over generated policy sets and requests: callers are IAM
users, role sessions, federated-user sessions, account roots, a service principal and an
anonymous caller, of the resource's account or of another one; policies of every level the
caller can have (identity, resource, permissions boundary, session, SCP levels, RCP levels),
with or without Conditions. Laws (IAM-SEMANTICS §2.1, §4, §5):

* adding an SCP level, adding an RCP level, giving a principal a boundary (it had none), or
  giving a role session a session policy (it had none) never adds access. Not for
  federated-user sessions: without a session policy they have no identity permissions at all
  (§2.1 stage 7, §2.4), so their first session policy can add access;
* an unconditional `Deny` of `*` on `*` in any level that applies to the request (an SCP level,
  an RCP level, the resource policy, an identity policy, the boundary, a session policy) always
  gives ExplicitDeny. SCPs do not apply to service principals and anonymous callers (§2.6), RCPs
  only to the services AWS lists (§4);
* removing the resource policy's Allow statements never adds access (same account: §2.2, a
  resource grant can only widen; the Deny statements stay, since removing a Deny can of course
  add access).

Part 2, tables: rows for gates and subtleties of §2.2, §2.5, §2.6, §3, §4 and §5 that
tests/test_decision.py does not already have. Each row's id starts with its section.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from helpers import (A, ALICE, ANONYMOUS, B, BOB, BUCKET, CLOUDTRAIL, DAVE, FED_CAROL, READER_ROLE, READER_SESSION,
                     ROOT_A, ROOT_B, allow, authorizer, case, decide, deny, doc, grant, request, trust)
from iameval import Authorizer, Decision
from iameval.testing.strategies.chain import (BUCKET_OBJECT, CALLERS, CONTEXT_VALUES, FEDERATED, FULL_ACCESS,
                                              NO_IDENTITY, REQUESTS, ROLE_SESSIONS, SERVICE, USERS, chain_documents,
                                              chain_statements, rcp_levels, scp_levels)

# ==========================================================================================
# Part 1: properties
# ==========================================================================================

GRANT_ALL = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}


def _with_statement(document_: dict | None, statement_: dict) -> dict:
    statements = list(document_["Statement"]) if document_ else []
    return {"Version": "2012-10-17", "Statement": statements + [statement_]}


@dataclass(frozen=True)
class World:
    """Policy documents of every level that applies to one caller, and one request."""

    request: dict
    identity: tuple = ()
    resource: dict | None = None
    boundary: dict | None = None
    session: tuple = ()
    scps: tuple = ()
    rcps: tuple = ()

    def decide(self) -> Decision:
        return authorizer(self.identity, self.resource, self.boundary, self.session, self.scps,
                          self.rcps).authorize(self.request).decision


def has_identity(principal: str) -> bool:
    return principal in USERS | ROLE_SESSIONS | FEDERATED


def can_have_session_policy(principal: str) -> bool:
    return principal in ROLE_SESSIONS | FEDERATED


def scps_apply(principal: str) -> bool:
    return principal not in NO_IDENTITY


_REQUESTS = st.sampled_from(REQUESTS)
_BUCKET_REQUESTS = st.sampled_from(REQUESTS[:2])
_ACCOUNTS = st.sampled_from([A, B])
_CONTEXT_KEYS = st.lists(st.sampled_from(sorted(CONTEXT_VALUES)), unique=True, max_size=4)
_IDENTITY_POLICIES = st.lists(chain_documents("identity"), min_size=1, max_size=2)
_BOUNDARIES = st.none() | chain_documents("permission_boundary")
_SESSION_POLICIES = st.lists(chain_documents("session"), max_size=2)
_RESOURCE_POLICIES = st.none() | chain_documents("resource_policy")
_ALLOW_ONLY_RESOURCE_STATEMENTS = st.lists(chain_statements("resource_policy", "Allow"), min_size=1, max_size=3)
_SCP_LEVELS = st.lists(scp_levels(), max_size=2)
_RCP_LEVEL_COUNTS = st.sampled_from([0, 0, 1, 2])


@st.composite
def _worlds(draw, callers: st.SearchStrategy, same_account: bool, boundary: bool, session: bool, resource: str,
            generous: bool, allow_identity: bool) -> World:
    principal = draw(callers)
    action, target = draw(_REQUESTS)
    request: dict = {"principal": principal, "action": action, "resource": target}
    own = B if principal.split(":")[4:5] == [B] else A
    if same_account and own == B:
        # Every resource but the bucket is in A: ask B's callers about a bucket of their own.
        action, target = draw(_BUCKET_REQUESTS)
        request.update(action=action, resource=target)
    if target == BUCKET_OBJECT:
        request["resource_account"] = own if same_account else draw(_ACCOUNTS)
    keys = draw(_CONTEXT_KEYS)
    request["context"] = {key: draw(CONTEXT_VALUES[key]) for key in keys}
    # The laws of the chain are about requests the policies decide; those a rule of the service
    # decides whatever the policies say (the root user or a federated user assuming a role,
    # §2.7) are tests/test_services.py's.
    assume(Authorizer().authorize(request).rule is None)
    identity = tuple(draw(_IDENTITY_POLICIES)) if has_identity(principal) else ()
    bound = draw(_BOUNDARIES) if boundary and has_identity(principal) else None
    sessions = (tuple(draw(_SESSION_POLICIES))
                if session and can_have_session_policy(principal) else ())
    if resource == "maybe":
        resource_policy = draw(_RESOURCE_POLICIES)
    elif resource == "always":
        resource_policy = draw(chain_documents("resource_policy"))
    else:
        resource_policy = {"Version": "2012-10-17", "Statement": draw(_ALLOW_ONLY_RESOURCE_STATEMENTS)}
    if (generous or allow_identity) and has_identity(principal):
        identity += (FULL_ACCESS,)
    if generous:
        resource_policy = _with_statement(resource_policy, GRANT_ALL)
    scps = tuple(draw(_SCP_LEVELS))
    rcps = tuple(draw(rcp_levels()) for _ in range(draw(_RCP_LEVEL_COUNTS)))
    return World(request, identity, resource_policy, bound, sessions, scps, rcps)


@cache
def worlds(callers: tuple[str, ...] = tuple(CALLERS), same_account: bool = False, boundary: bool = True,
           session: bool = True, resource: str = "maybe", generous: bool = False,
           allow_identity: bool = False) -> st.SearchStrategy:
    """A caller from `callers` and the policies it can have. `boundary`/`session` False leave
    those out; `resource` is "maybe", "always" or "allow-only" (always, Allow statements only).
    A `generous` world also has an identity policy and a resource-policy statement allowing
    everything, so that most requests are allowed until a narrowing level is added;
    `allow_identity` only the identity policy."""
    return _worlds(st.sampled_from(callers), same_account, boundary, session, resource, generous, allow_identity)


def never_adds_access(before: Decision, after: Decision) -> None:
    if before != Decision.ALLOW:
        assert after != Decision.ALLOW, (before, after)


# ------------------------------------------------------------------ narrowing levels never grant

@given(worlds() | worlds(generous=True), st.data())
def test_adding_an_scp_level_never_adds_access(world, data):
    """§4: every SCP level must allow; one more level can only take away."""
    level = data.draw(scp_levels())
    at = data.draw(st.integers(0, len(world.scps)))
    after = replace(world, scps=world.scps[:at] + (level,) + world.scps[at:])
    never_adds_access(world.decide(), after.decide())


@given(worlds() | worlds(generous=True), st.data())
def test_adding_an_rcp_level_never_adds_access(world, data):
    """§4: RCPs can only deny (RCPFullAWSAccess is implied at every level)."""
    after = replace(world, rcps=world.rcps + (data.draw(rcp_levels()),))
    never_adds_access(world.decide(), after.decide())


@given(st.sampled_from([False, True]).flatmap(
    lambda generous: worlds(callers=tuple(sorted(USERS | ROLE_SESSIONS | FEDERATED)), boundary=False, generous=generous)),
    st.data())
def test_giving_a_principal_a_boundary_never_adds_access(world, data):
    """§5: a boundary sets a ceiling and never grants; it also makes Deny+NotPrincipal apply."""
    after = replace(world, boundary=data.draw(chain_documents("permission_boundary")))
    never_adds_access(world.decide(), after.decide())


@given(st.sampled_from([False, True]).flatmap(
    lambda generous: worlds(callers=tuple(sorted(ROLE_SESSIONS)), session=False, generous=generous)), st.data())
def test_giving_a_role_session_a_session_policy_never_adds_access(world, data):
    """§2.4, §5: with a session policy a role session's permissions are identity ∩ session."""
    after = replace(world, session=tuple(data.draw(st.lists(chain_documents("session"), min_size=1, max_size=2))))
    never_adds_access(world.decide(), after.decide())


# ------------------------------------------------------------------ an explicit deny is final

DENY_ALL = {"Effect": "Deny", "Action": "*", "Resource": "*"}
DENY_ALL_RESOURCE_SIDE = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}


def with_deny_everywhere(world: World, layer: str, data) -> World:
    """The world with an unconditional Deny of `*` on `*` in `layer`: appended to a policy that
    is there, or in a policy (or level) of its own."""
    new_policy = data.draw(st.booleans())
    if layer == "scp":
        if world.scps and not new_policy:
            at = data.draw(st.integers(0, len(world.scps) - 1))
            level = list(world.scps[at]) + [_with_statement(None, DENY_ALL)]
            return replace(world, scps=world.scps[:at] + (level,) + world.scps[at + 1:])
        return replace(world, scps=world.scps + ([_with_statement(None, DENY_ALL)],))
    if layer == "rcp":
        return replace(world, rcps=world.rcps + ([_with_statement(None, DENY_ALL_RESOURCE_SIDE)],))
    if layer == "resource":
        return replace(world, resource=_with_statement(world.resource, DENY_ALL_RESOURCE_SIDE))
    if layer == "boundary":
        return replace(world, boundary=_with_statement(world.boundary, DENY_ALL))
    policies = list(getattr(world, layer))
    if policies and not new_policy:
        at = data.draw(st.integers(0, len(policies) - 1))
        policies[at] = _with_statement(policies[at], DENY_ALL)
    else:
        policies.append(_with_statement(None, DENY_ALL))
    return replace(world, **{layer: tuple(policies)})


# Services of REQUESTS that RCPs govern; EC2 is not one of them (§4: "RCPs work only for the
# services AWS lists").
RCP_SERVICES = {"s3", "sqs", "kms", "sts"}


def layers_of(principal: str, action: str) -> list[str]:
    layers = ["resource"]
    if action.split(":")[0] in RCP_SERVICES:
        layers.append("rcp")
    if scps_apply(principal):
        layers.append("scp")
    if has_identity(principal):
        layers += ["identity", "boundary"]
    if can_have_session_policy(principal):
        layers.append("session")
    return layers


@given(worlds(), st.data())
def test_an_unconditional_deny_in_any_level_is_explicit_deny(world, data):
    """§2.1 stage 1: a Deny that applies, in any policy that takes part, is final."""
    layer = data.draw(st.sampled_from(layers_of(world.request["principal"], world.request["action"])))
    after = with_deny_everywhere(world, layer, data)
    assert after.decide() == Decision.EXPLICIT_DENY, layer


@pytest.mark.parametrize("principal", sorted(NO_IDENTITY))
def test_an_scp_deny_does_not_reach_services_or_anonymous_callers(principal):
    """§2.6: the one level that does not apply to a caller without an identity side."""
    world = World({"principal": principal, "action": "s3:GetObject", "resource": BUCKET_OBJECT,
                   "resource_account": A},
                  resource={"Version": "2012-10-17", "Statement": [
                      {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]},
                  scps=([_with_statement(FULL_ACCESS, DENY_ALL)],))
    assert world.decide() == Decision.ALLOW


# ------------------------------------------------------------------ the resource policy only widens

def without_resource_allows(world: World) -> World:
    denies = [s for s in world.resource["Statement"] if s["Effect"] == "Deny"]
    return replace(world, resource={"Version": "2012-10-17", "Statement": denies} if denies else None)


@given(worlds(same_account=True, resource="always")
       | worlds(same_account=True, resource="always", allow_identity=True))
def test_removing_resource_policy_allows_never_adds_access_in_one_account(world):
    """§2.2: in one account a resource grant can settle a request or hand it to the identity
    chain, never take access away; only its Denies can."""
    never_adds_access(world.decide(), without_resource_allows(world).decide())


@given(worlds(same_account=True, resource="allow-only")
       | worlds(same_account=True, resource="allow-only", allow_identity=True))
def test_removing_an_allow_only_resource_policy_never_adds_access_in_one_account(world):
    never_adds_access(world.decide(), replace(world, resource=None).decide())


# ==========================================================================================
# Part 2: tables for rows tests/test_decision.py does not have
# ==========================================================================================

READER_ROLE_WITH_PATH = f"arn:aws:iam::{A}:role/team/Reader"
AUDITOR_ROLE_B = f"arn:aws:iam::{B}:role/Auditor"
AUDITOR_SESSION_B = f"arn:aws:sts::{B}:assumed-role/Auditor/bob-session"
FED_FRANK_B = f"arn:aws:sts::{B}:federated-user/frank"
SAML = f"arn:aws:iam::{A}:saml-provider/CorpIdP"
OTHER_SAML = f"arn:aws:iam::{A}:saml-provider/OtherIdP"
CANONICAL = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
SLR_SESSION = f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForAmazonSSM/ssm-session"
SLR_ROLE = f"arn:aws:iam::{A}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM"
DEPLOYER = f"arn:aws:iam::{A}:role/Deployer"
KMS_KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

FULL = doc(allow("*", "*"))
READ_OBJECTS = doc(allow("s3:GetObject", f"{BUCKET}/*"))
S3_ONLY = doc(allow("s3:*", "*"))
EC2_ONLY = doc(allow("ec2:*", "*"))
DENY_READ = doc(deny("s3:GetObject", "*"))
ASSUME_DEPLOYER = doc(allow("sts:AssumeRole", DEPLOYER))
USE_KEY = doc(allow("kms:Decrypt", KMS_KEY))
RCP_DENY_READ = doc(deny("s3:GetObject", "*", Principal="*"))


ASSUME = dict(action="sts:AssumeRole", resource=DEPLOYER)
DECRYPT = dict(action="kms:Decrypt", resource=KMS_KEY)


GRANT_CLASSES = [
    # §2.2: `*` is DIRECT: not limited by implicit denies in boundary or session policy.
    case("2.2-star-grant-not-limited-by-session-policy", "Allow", request(READER_SESSION),
        resource=grant("*"), session=[EC2_ONLY]),
    case("2.2-star-grant-not-limited-by-role-boundary", "Allow", request(READER_SESSION),
        resource=grant("*"), permission_boundary=EC2_ONLY),
    case("2.2-star-grant-with-aws:PrincipalArn-condition-reaches-named-user-past-boundary", "Allow", request(ALICE),
        resource=grant("*", Condition={"ArnEquals": {"aws:PrincipalArn": ALICE}}), permission_boundary=EC2_ONLY),
    case("2.2-star-grant-with-aws:PrincipalArn-condition-excludes-others", "ImplicitDeny", request(DAVE),
        resource=grant("*", Condition={"ArnEquals": {"aws:PrincipalArn": ALICE}})),
    case("2.2-star-grant-with-role-in-aws:PrincipalArn-reaches-session-past-session-policy", "Allow",
        request(READER_SESSION), resource=grant("*", Condition={"ArnEquals": {"aws:PrincipalArn": READER_ROLE}}),
        session=[EC2_ONLY]),
    case("2.2-14.1-star-grant-reaches-federated-session-without-session-policy", "Allow", request(FED_CAROL),
        resource=grant("*")),
    # §2.2: exact session ARNs are DIRECT, also for federated-user sessions.
    case("2.2-federated-session-arn-grant-not-limited-by-session-policy", "Allow", request(FED_CAROL),
        resource=grant({"AWS": FED_CAROL}), session=[EC2_ONLY]),
    # §2.2: the role ARN is ENTITY: boundary and session policy must both allow.
    case("2.2-role-arn-grant-with-boundary-and-session-policy-allowing", "Allow", request(READER_SESSION),
        resource=grant({"AWS": READER_ROLE}), permission_boundary=S3_ONLY, session=[S3_ONLY]),
    case("2.2-role-arn-grant-boundary-allows-session-policy-does-not", "ImplicitDeny", request(READER_SESSION),
        resource=grant({"AWS": READER_ROLE}), permission_boundary=S3_ONLY, session=[EC2_ONLY]),
    case("2.2-1-role-arn-with-path-grant-is-entity-limited-by-boundary", "ImplicitDeny",
        request(READER_SESSION, context={"aws:PrincipalArn": READER_ROLE_WITH_PATH}),
        resource=grant({"AWS": READER_ROLE_WITH_PATH}), permission_boundary=EC2_ONLY),
    case("2.2-1-role-arn-with-path-grant-needs-no-identity-policy", "Allow",
        request(READER_SESSION, context={"aws:PrincipalArn": READER_ROLE_WITH_PATH}),
        resource=grant({"AWS": READER_ROLE_WITH_PATH})),
    # §2.2: the strongest match of all applicable Allows decides.
    case("2.2-user-arn-statement-outranks-account-statement", "Allow", request(ALICE),
        resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": A}),
                     allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": ALICE}))),
    case("2.2-account-and-user-in-one-principal-list", "Allow", request(ALICE), resource=grant({"AWS": [A, ALICE]})),
    # §2.2, §14.9: an account match needs the whole identity chain: identity ∧ boundary ∧ session.
    case("2.2-14.9-account-grant-for-session-with-identity-allow", "Allow", request(READER_SESSION),
        identity=[READ_OBJECTS], resource=grant({"AWS": ROOT_A})),
    case("2.2-14.9-account-grant-for-session-limited-by-session-policy", "ImplicitDeny", request(READER_SESSION),
        identity=[READ_OBJECTS], resource=grant({"AWS": A}), session=[EC2_ONLY]),
    case("2.2-2.4-account-grant-for-federated-session-without-session-policy", "ImplicitDeny", request(FED_CAROL),
        identity=[READ_OBJECTS], resource=grant({"AWS": A})),
    case("2.2-2.4-account-grant-for-federated-session-with-session-policy", "Allow", request(FED_CAROL),
        identity=[READ_OBJECTS], resource=grant({"AWS": A}), session=[S3_ONLY]),
    # §2.2 last line: a resource grant gets past implicit denies only.
    case("2.2-2.1-user-arn-grant-loses-to-boundary-deny", "ExplicitDeny", request(ALICE),
        resource=grant({"AWS": ALICE}), permission_boundary=doc(allow("*"), deny("s3:GetObject"))),
    case("2.2-2.1-role-arn-grant-loses-to-identity-deny", "ExplicitDeny", request(READER_SESSION),
        resource=grant({"AWS": READER_ROLE}), identity=[DENY_READ]),
    # §6.2: a unique ID stands where a deleted principal was; it matches no caller.
    case("2.2-6.2-unique-id-principal-grants-nothing", "ImplicitDeny", request(ALICE),
        resource=grant({"AWS": "AIDAJQABLZS4A3QDU576Q"})),
]

MANDATORY = [
    case("2.5-trust-names-callers-role-limited-by-boundary", "ImplicitDeny", request(READER_SESSION, **ASSUME),
        resource=trust({"AWS": READER_ROLE}), permission_boundary=S3_ONLY),
    case("2.5-trust-names-callers-role-boundary-allows", "Allow", request(READER_SESSION, **ASSUME),
        resource=trust({"AWS": READER_ROLE}), permission_boundary=doc(allow("sts:AssumeRole"))),
    case("2.5-role-chaining-trust-names-account-with-identity-allow", "Allow", request(READER_SESSION, **ASSUME),
        identity=[ASSUME_DEPLOYER], resource=trust({"AWS": A})),
    case("2.5-role-chaining-trust-names-account-limited-by-session-policy", "ImplicitDeny",
        request(READER_SESSION, **ASSUME), identity=[ASSUME_DEPLOYER], resource=trust({"AWS": A}), session=[S3_ONLY]),
    case("2.5-2.1-trust-names-user-but-identity-denies", "ExplicitDeny", request(ALICE, **ASSUME),
        resource=trust({"AWS": ALICE}), identity=[doc(deny("sts:AssumeRole", "*"))]),
    case("2.5-2.1-trust-deny-beats-identity-allow", "ExplicitDeny", request(ALICE, **ASSUME),
        identity=[ASSUME_DEPLOYER],
        resource=doc(allow("sts:AssumeRole", None, Principal={"AWS": A}),
                     deny("sts:AssumeRole", None, Principal={"AWS": ALICE}))),
    case("2.5-star-trust-is-direct-past-boundary", "Allow", request(ALICE, **ASSUME), resource=trust("*"),
        permission_boundary=S3_ONLY),
    case("2.5-3-trust-external-id-given", "Allow",
        request(BOB, **ASSUME, context={"sts:ExternalId": "ex-123"}), identity=[ASSUME_DEPLOYER],
        resource=trust({"AWS": B}, Condition={"StringEquals": {"sts:ExternalId": "ex-123"}})),
    case("2.5-3-trust-external-id-absent", "ImplicitDeny", request(BOB, **ASSUME), identity=[ASSUME_DEPLOYER],
        resource=trust({"AWS": B}, Condition={"StringEquals": {"sts:ExternalId": "ex-123"}})),
    case("2.5-tag-session-with-trust-and-identity-allow", "Allow", request(ALICE, "sts:TagSession", DEPLOYER),
        identity=[doc(allow("sts:TagSession", DEPLOYER))],
        resource=trust({"AWS": A}, ["sts:AssumeRole", "sts:TagSession"])),
    case("2.5-set-source-identity-needs-the-trust-policy", "ImplicitDeny",
        request(ALICE, "sts:SetSourceIdentity", DEPLOYER), identity=[doc(allow("sts:SetSourceIdentity", DEPLOYER))]),
    case("2.5-2.6-assume-role-with-saml-by-trusted-provider", "Allow",
        request(SAML, "sts:AssumeRoleWithSAML", DEPLOYER), resource=trust({"Federated": SAML}, "sts:AssumeRoleWithSAML")),
    case("2.5-2.6-assume-role-with-saml-by-other-provider", "ImplicitDeny",
        request(OTHER_SAML, "sts:AssumeRoleWithSAML", DEPLOYER),
        resource=trust({"Federated": SAML}, "sts:AssumeRoleWithSAML")),
    case("2.5-2.6-assume-role-with-web-identity", "Allow",
        request("accounts.google.com", "sts:AssumeRoleWithWebIdentity", DEPLOYER),
        resource=trust({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity")),
    case("2.5-2.6-service-assumes-role-past-an-scp-deny", "Allow", request("ec2.amazonaws.com", **ASSUME),
        resource=trust({"Service": "ec2.amazonaws.com"}), scps=[doc(allow("*"), deny("*"))]),
    case("2.5-kms-key-policy-root-identity-allows-boundary-not", "ImplicitDeny", request(ALICE, **DECRYPT),
        identity=[USE_KEY], resource=doc(allow("kms:*", "*", Principal={"AWS": ROOT_A})), permission_boundary=S3_ONLY),
    case("2.5-kms-key-policy-naming-user-limited-by-boundary", "ImplicitDeny", request(ALICE, **DECRYPT),
        resource=doc(allow("kms:Decrypt", "*", Principal={"AWS": ALICE})), permission_boundary=S3_ONLY),
    case("2.5-kms-key-policy-naming-role-needs-no-identity-policy", "Allow", request(READER_SESSION, **DECRYPT),
        resource=doc(allow("kms:Decrypt", "*", Principal={"AWS": READER_ROLE}))),
    case("2.5-kms-key-policy-naming-role-limited-by-session-policy", "ImplicitDeny",
        request(READER_SESSION, **DECRYPT), resource=doc(allow("kms:Decrypt", "*", Principal={"AWS": READER_ROLE})),
        session=[S3_ONLY]),
    case("2.5-3-kms-key-policy-names-other-account-with-identity-allow", "Allow", request(BOB, **DECRYPT),
        identity=[USE_KEY], resource=doc(allow("kms:Decrypt", "*", Principal={"AWS": B}))),
    case("2.5-3-kms-key-policy-names-other-account-without-identity-allow", "ImplicitDeny", request(BOB, **DECRYPT),
        resource=doc(allow("kms:Decrypt", "*", Principal={"AWS": B}))),
]

SERVICES_AND_ANONYMOUS = [
    case("2.6-4-scps-do-not-apply-to-anonymous-callers", "Allow", request(ANONYMOUS), resource=grant("*"),
        scps=[doc(allow("*"), deny("*"))]),
    case("2.6-4-rcp-deny-applies-to-anonymous-callers", "ExplicitDeny", request(ANONYMOUS), resource=grant("*"),
        rcps=[RCP_DENY_READ]),
    case("2.6-4-rcp-exempts-services-by-aws:PrincipalIsAWSService", "Allow",
        request(CLOUDTRAIL, "s3:PutObject", context={"aws:PrincipalIsAWSService": True}),
        resource=grant({"Service": CLOUDTRAIL}, "s3:PutObject"),
        rcps=[doc(deny("s3:*", "*", Principal="*",
                       Condition={"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}))]),
    case("2.6-1-rcp-exemption-needs-the-key-which-is-never-invented", "ExplicitDeny",
        request(CLOUDTRAIL, "s3:PutObject"), resource=grant({"Service": CLOUDTRAIL}, "s3:PutObject"),
        rcps=[doc(deny("s3:*", "*", Principal="*",
                       Condition={"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}))]),
    case("2.6-service-named-in-a-list-of-services", "Allow", request(CLOUDTRAIL, "s3:PutObject"),
        resource=grant({"Service": ["config.amazonaws.com", CLOUDTRAIL]}, "s3:PutObject")),
    case("2.6-3-service-principal-has-no-account-to-cross", "Allow", request(CLOUDTRAIL, "s3:PutObject", account=B),
        resource=grant({"Service": CLOUDTRAIL}, "s3:PutObject")),
    case("2.6-anonymous-not-matched-by-a-service-entry", "ImplicitDeny", request(ANONYMOUS),
        resource=grant({"Service": CLOUDTRAIL})),
    case("2.6-11-canonical-user-grant", "Allow", request(CANONICAL), resource=grant({"CanonicalUser": CANONICAL})),
]

CROSS_ACCOUNT = [
    case("3-resource-names-other-accounts-root-arn-with-identity-allow", "Allow", request(BOB),
        identity=[READ_OBJECTS], resource=grant({"AWS": ROOT_B})),
    case("3-user-arn-grant-does-not-cover-that-accounts-root", "ImplicitDeny", request(ROOT_B),
        resource=grant({"AWS": BOB})),
    case("3-4-root-of-other-account-capped-by-its-scps", "ImplicitDeny", request(ROOT_B),
        resource=grant({"AWS": B}), scps=[FULL, EC2_ONLY]),
    case("3-2.4-federated-user-of-other-account-without-session-policy", "ImplicitDeny", request(FED_FRANK_B),
        identity=[READ_OBJECTS], resource=grant({"AWS": FED_FRANK_B})),
    case("3-2.4-federated-user-of-other-account-with-session-policy", "Allow", request(FED_FRANK_B),
        identity=[READ_OBJECTS], resource=grant({"AWS": FED_FRANK_B}), session=[S3_ONLY]),
    case("3-org-id-condition-on-star-grant-met", "Allow", request(BOB, context={"aws:PrincipalOrgID": "o-abc"}),
        identity=[READ_OBJECTS], resource=grant("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})),
    case("3-1-org-id-condition-on-star-grant-key-absent", "ImplicitDeny", request(BOB), identity=[READ_OBJECTS],
        resource=grant("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})),
    case("3-1-s3-resource-account-defaults-to-the-callers", "Allow", request(BOB, account=None),
        identity=[READ_OBJECTS]),
    case("3-role-grant-for-remote-session-with-boundary-allowing", "Allow", request(AUDITOR_SESSION_B),
        identity=[READ_OBJECTS], resource=grant({"AWS": AUDITOR_ROLE_B}), permission_boundary=S3_ONLY),
    case("3-role-grant-for-remote-session-narrowed-by-session-policy", "ImplicitDeny", request(AUDITOR_SESSION_B),
        identity=[READ_OBJECTS], resource=grant({"AWS": AUDITOR_ROLE_B}), session=[EC2_ONLY]),
    case("3-star-grant-is-not-direct-across-accounts", "ImplicitDeny", request(AUDITOR_SESSION_B),
        identity=[EC2_ONLY], resource=grant("*")),
    case("3-identity-allows-another-resource-only", "ImplicitDeny", request(BOB),
        identity=[doc(allow("s3:GetObject", "arn:aws:s3:::other-bucket/*"))], resource=grant({"AWS": B})),
    case("3-4-rcp-denies-callers-outside-the-organization", "ExplicitDeny",
        request(BOB, context={"aws:PrincipalOrgID": "o-xyz"}), identity=[READ_OBJECTS], resource=grant({"AWS": BOB}),
        rcps=[doc(deny("s3:*", "*", Principal="*",
                       Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}))]),
    case("3-4-rcp-spares-callers-inside-the-organization", "Allow",
        request(BOB, context={"aws:PrincipalOrgID": "o-abc"}), identity=[READ_OBJECTS], resource=grant({"AWS": BOB}),
        rcps=[doc(deny("s3:*", "*", Principal="*",
                       Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}))]),
]

REGION_ONLY = doc(allow("*", "*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}))
ORGANIZATIONS = [
    case("4-scp-allow-with-condition-met", "Allow", request(ALICE, context={"aws:RequestedRegion": "us-east-1"}),
        identity=[READ_OBJECTS], scps=[FULL, REGION_ONLY]),
    case("4-scp-allow-with-condition-not-met", "ImplicitDeny",
        request(ALICE, context={"aws:RequestedRegion": "eu-west-1"}), identity=[READ_OBJECTS], scps=[FULL, REGION_ONLY]),
    case("4-1-scp-allow-with-condition-key-absent", "ImplicitDeny", request(ALICE), identity=[READ_OBJECTS],
        scps=[FULL, REGION_ONLY]),
    case("4-scp-allow-on-a-specific-resource", "Allow", request(ALICE), identity=[S3_ONLY],
        scps=[FULL, doc(allow("s3:GetObject", f"{BUCKET}/*"))]),
    case("4-scp-allow-on-another-resource", "ImplicitDeny", request(ALICE, resource="arn:aws:s3:::other/x"),
        identity=[S3_ONLY], scps=[FULL, doc(allow("s3:GetObject", f"{BUCKET}/*"))]),
    case("4-scp-allow-with-notaction", "Allow", request(ALICE), identity=[READ_OBJECTS],
        scps=[FULL, doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]),
    case("4-scp-allow-with-notaction-excludes-listed", "ImplicitDeny",
        request(ALICE, "iam:CreateUser", f"arn:aws:iam::{A}:user/x"), identity=[FULL],
        scps=[FULL, doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]),
    case("4-scp-deny-with-notaction-spares-listed", "Allow", request(ALICE), identity=[READ_OBJECTS],
        scps=[[FULL, doc({"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})]]),
    case("4-scp-deny-with-notaction-denies-the-rest", "ExplicitDeny",
        request(ALICE, "ec2:RunInstances", "*"), identity=[FULL],
        scps=[[FULL, doc({"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})]]),
    case("4-scp-level-with-only-denies-allows-nothing", "ImplicitDeny", request(ALICE), identity=[READ_OBJECTS],
        scps=[FULL, doc(deny("ec2:*"))]),
    case("4-empty-scp-level-allows-nothing", "ImplicitDeny", request(ALICE), identity=[READ_OBJECTS], scps=[FULL, []]),
    case("4-empty-rcp-level-changes-nothing", "Allow", request(ALICE), identity=[READ_OBJECTS], rcps=[[]]),
    case("4-scp-caps-role-session", "ImplicitDeny", request(READER_SESSION), identity=[READ_OBJECTS],
        scps=[FULL, EC2_ONLY]),
    case("4-scp-caps-session-arn-grant", "ImplicitDeny", request(READER_SESSION),
        resource=grant({"AWS": READER_SESSION}), scps=[FULL, EC2_ONLY]),
    case("4-2.1-scp-deny-beats-user-arn-grant", "ExplicitDeny", request(ALICE), resource=grant({"AWS": ALICE}),
        scps=[[FULL, DENY_READ]]),
    case("4-rcp-deny-condition-not-met", "Allow", request(ALICE), identity=[READ_OBJECTS],
        rcps=[doc(deny("s3:GetObject", "*", Principal="*",
                       Condition={"StringNotEquals": {"aws:PrincipalAccount": A}}))]),
    case("4-rcp-level-any-policy-denies", "ExplicitDeny", request(ALICE), identity=[READ_OBJECTS],
        rcps=[[doc(deny("s3:DeleteObject", "*", Principal="*")), RCP_DENY_READ]]),
    case("4-2.3-rcp-deny-applies-to-root", "ExplicitDeny", request(ROOT_A), rcps=[RCP_DENY_READ]),
    case("4-rcp-deny-beats-star-grant", "ExplicitDeny", request(ALICE), resource=grant("*"), rcps=[RCP_DENY_READ]),
    case("4-rcps-do-not-govern-services-aws-does-not-list", "Allow", request(ALICE, "ec2:RunInstances", "*"),
        identity=[FULL], rcps=[doc(deny("*", "*", Principal="*"))]),
    # §4: "they do not apply to service-linked roles". A service-linked role has the path
    # /aws-service-role/SERVICE/; a session's ARN drops the path, aws:PrincipalArn keeps it.
    case("4-scps-do-not-apply-to-service-linked-role-sessions", "Allow",
        request(SLR_SESSION, context={"aws:PrincipalArn": SLR_ROLE}), identity=[READ_OBJECTS],
        scps=[[FULL, doc(deny("*"))]]),
    case("4-scps-do-not-apply-to-service-linked-roles", "Allow", request(SLR_ROLE), identity=[READ_OBJECTS],
        scps=[FULL, EC2_ONLY]),
]

BOUNDARIES_AND_SESSIONS = [
    case("5-boundary-with-notaction", "Allow", request(ALICE), identity=[READ_OBJECTS],
        permission_boundary=doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})),
    case("5-boundary-with-notaction-excludes-listed", "ImplicitDeny",
        request(ALICE, "iam:CreateUser", f"arn:aws:iam::{A}:user/x"), identity=[FULL],
        permission_boundary=doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})),
    case("5-boundary-condition-met", "Allow", request(ALICE, context={"aws:MultiFactorAuthPresent": True}),
        identity=[READ_OBJECTS],
        permission_boundary=doc(allow("s3:*", "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))),
    case("5-1-boundary-condition-key-absent", "ImplicitDeny", request(ALICE), identity=[READ_OBJECTS],
        permission_boundary=doc(allow("s3:*", "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))),
    case("5-boundary-allows-another-resource-only", "ImplicitDeny", request(ALICE), identity=[READ_OBJECTS],
        permission_boundary=doc(allow("s3:GetObject", "arn:aws:s3:::other-bucket/*"))),
    case("5-2.4-boundary-caps-federated-session", "ImplicitDeny", request(FED_CAROL), identity=[READ_OBJECTS],
        session=[S3_ONLY], permission_boundary=EC2_ONLY),
    case("5-2.4-identity-boundary-session-all-allow-federated", "Allow", request(FED_CAROL), identity=[READ_OBJECTS],
        session=[S3_ONLY], permission_boundary=S3_ONLY),
    case("5-2.4-boundary-allows-session-policy-does-not", "ImplicitDeny", request(READER_SESSION),
        identity=[READ_OBJECTS], permission_boundary=S3_ONLY, session=[EC2_ONLY]),
    case("5-2.4-session-policy-allows-boundary-does-not", "ImplicitDeny", request(READER_SESSION),
        identity=[READ_OBJECTS], permission_boundary=EC2_ONLY, session=[S3_ONLY]),
    case("5-session-policy-condition-met", "Allow", request(READER_SESSION, context={"aws:SourceIp": "10.1.2.3"}),
        identity=[READ_OBJECTS],
        session=[doc(allow("s3:*", "*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))]),
    case("5-session-policy-condition-not-met", "ImplicitDeny",
        request(READER_SESSION, context={"aws:SourceIp": "203.0.113.5"}), identity=[READ_OBJECTS],
        session=[doc(allow("s3:*", "*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))]),
    case("5-session-policy-deny-only-allows-nothing", "ImplicitDeny", request(READER_SESSION),
        identity=[READ_OBJECTS], session=[doc(deny("ec2:*"))]),
    case("5-boundary-deny-only-allows-nothing", "ImplicitDeny", request(ALICE), identity=[READ_OBJECTS],
        permission_boundary=doc(deny("ec2:*"))),
]


@pytest.mark.parametrize("policies, request_, expect", GRANT_CLASSES + MANDATORY + SERVICES_AND_ANONYMOUS
                         + CROSS_ACCOUNT + ORGANIZATIONS + BOUNDARIES_AND_SESSIONS)
def test_gate(policies: dict, request_: dict, expect: str) -> None:
    result = decide(policies, request_)
    assert result.decision == expect, result.summary
