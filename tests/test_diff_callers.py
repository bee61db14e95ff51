"""`diff` and `can_never` of resource and trust policies, the caller searched (IAM-SEMANTICS §2.2-§2.6, §3, §7.4).

Table rows, each a fact about AWS that the search over callers must find on its own: an account
added to a bucket policy, `*` narrowed by `aws:PrincipalOrgID`, `NotPrincipal`, a trust policy
that adds a service or a federated provider with its `aud` key. Then the laws of the issue for
these kinds, as hypothesis properties over the resource policies of test_properties.py.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from iameval import Authorizer, load_policy
from iameval.analysis import DiffReport, can_never, diff
from iameval.analysis._diff import OWN_ALLOWS, OWN_AND_SESSION_ALLOW, OWN_NONE
from iameval.policy._model import Policy, PolicyKind
from helpers import scaled
from iameval.testing.strategies.policies import A, ALICE, B, BOB, SESSION, policy_documents, requests, statements
from test_properties import shuffled

BUCKET = "arn:aws:s3:::bucket"
ALLOW_ALL = load_policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "identity", name="allow-all")


def resource_policy(*statements_: dict) -> Policy:
    return load_policy({"Version": "2012-10-17", "Statement": list(statements_)}, "resource_policy", name="resource")


def grant(principal: Any, action: Any = "s3:GetObject", resource: str = BUCKET + "/*", sid: str = "Grant",
          effect: str = "Allow", **extra: Any) -> dict:
    return {"Sid": sid, "Effect": effect, "Principal": principal, "Action": action, "Resource": resource, **extra}


def trust(*statements_: dict) -> Policy:
    return load_policy({"Version": "2012-10-17", "Statement": list(statements_)}, "resource_policy", name="trust",
                       trust=True)


def assume(principal: Any, action: str = "sts:AssumeRole", sid: str = "Trust", **extra: Any) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action, **extra}


def replays(report: DiffReport, old: Policy | None, new: Policy) -> None:
    """Every example is allowed by `new` and not by `old`, as the engine decides, with the
    caller's identity side the example states."""
    for finding in report.findings:
        example = finding.example
        identity = [ALLOW_ALL] if example.identity in (OWN_ALLOWS, OWN_AND_SESSION_ALLOW) else []
        session = [ALLOW_ALL] if example.identity == OWN_AND_SESSION_ALLOW else []
        request = {"principal": example.principal, "action": example.action, "resource": example.resource,
                   "context": example.context, "resource_account": example.resource_account}
        assert Authorizer(identity=identity, session=session, resource_policy=new).authorize(request).allowed
        if old is not None:
            assert not Authorizer(identity=identity, session=session, resource_policy=old).authorize(request).allowed


def principals(report: DiffReport) -> set[str]:
    return {f.example.principal for f in report.findings}


# ------------------------------------------------------------------------------- rows

def test_a_bucket_policy_that_adds_an_account_grants_to_its_callers():
    """§3: an account named in a bucket policy lets its principals in, their own policies allowing."""
    old = resource_policy(grant({"AWS": f"arn:aws:iam::{A}:root"}))
    new = resource_policy(grant({"AWS": f"arn:aws:iam::{A}:root"}), grant({"AWS": B}, sid="Partner"))
    report = diff([old], [new], "resource", account=A)
    assert report.result == "new-access"
    assert [f.actions for f in report.findings] == [("s3:GetObject",)]
    example = report.findings[0].example
    assert example.principal.split(":")[4] == B and example.resource_account == A
    assert report.findings[0].statements == ("Partner of resource",)
    replays(report, old, new)
    assert diff([new], [old], "resource", account=A).result == "no-new-access"


def test_a_user_named_in_the_resources_account_needs_no_identity_policy():
    """§2.2: in the resource's account, a policy that names the user grants on its own."""
    old = resource_policy(grant({"AWS": A}))
    new = resource_policy(grant({"AWS": A}), grant({"AWS": ALICE}, sid="Alice"))
    report = diff([old], [new], "resource", account=A)
    assert principals(report) == {ALICE}
    assert report.findings[0].example.identity == OWN_NONE
    replays(report, old, new)


def test_a_federated_user_of_another_account_is_granted_through_its_session_policy():
    """§2.4, §3: a federated user named in a bucket policy gets in when its session policy and
    its user's policies allow too."""
    federated = f"arn:aws:sts::{B}:federated-user/bob"
    new = resource_policy(grant({"AWS": federated}, sid="Bob"))
    report = can_never([new], ["s3:GetObject"], kind="resource", account=A)
    assert principals(report) == {federated}
    assert report.findings[0].example.identity == OWN_AND_SESSION_ALLOW
    replays(report, None, new)


def test_everyone_narrowed_to_an_organization_is_granted_only_with_its_id():
    """`*` with `aws:PrincipalOrgID` (§10): a caller of an account in the organization, never an
    anonymous caller, who carries no organization."""
    new = resource_policy(grant("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}))
    report = can_never([new], ["s3:GetObject"], kind="resource", account=A)
    assert report.result == "new-access"
    for finding in report.findings:
        assert finding.example.principal != "*"
        assert finding.example.context["aws:PrincipalOrgID"] == "o-a1b2c3d4e5"
    replays(report, None, new)


def test_everyone_is_granted_to_an_anonymous_caller():
    """§2.6: `Principal: "*"` without a condition reaches an anonymous caller."""
    report = can_never([resource_policy(grant("*"))], ["s3:GetObject"], kind="resource", account=A)
    assert "*" in principals(report) or report.findings[0].example.caller == "an anonymous caller"


def test_not_principal_denies_everyone_it_does_not_list():
    """§7.4: a Deny with `NotPrincipal` spares only the callers it lists completely (the user and
    its account); taking it away lets the account's other callers in."""
    base = grant({"AWS": A})
    guarded = resource_policy(base, {"Sid": "OnlyAlice", "Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, A]},
                                     "Action": "s3:*", "Resource": BUCKET + "/*"})
    open_ = resource_policy(base)
    assert diff([open_], [guarded], "resource", account=A).result == "no-new-access"
    report = diff([guarded], [open_], "resource", account=A)
    assert report.result == "new-access"
    assert ALICE not in principals(report) and all(p.split(":")[4] == A for p in principals(report) if p != "*")
    replays(report, guarded, open_)


def test_a_trust_policy_that_adds_a_service_lets_it_assume_the_role():
    """§2.5, §2.6: a service named in a trust policy assumes the role, without identity policies."""
    old = trust(assume({"AWS": f"arn:aws:iam::{A}:root"}))
    new = trust(assume({"AWS": f"arn:aws:iam::{A}:root"}), assume({"Service": "lambda.amazonaws.com"}, sid="Lambda"))
    report = diff([old], [new], "trust", account=A, actions=["sts:AssumeRole"])
    assert principals(report) == {"lambda.amazonaws.com"}
    assert report.findings[0].example.resource.startswith(f"arn:aws:iam::{A}:role/")  # the roles of the account
    replays(report, old, new)


def test_a_trust_policy_that_adds_a_federated_provider_asks_for_its_audience():
    """A web identity provider assumes the role with a token whose `aud` the condition names (§2.7)."""
    old = trust(assume({"Service": "ec2.amazonaws.com"}))
    new = trust(assume({"Service": "ec2.amazonaws.com"}),
                assume({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity", "Google",
                       Condition={"StringEquals": {"accounts.google.com:aud": "my-app"}}))
    report = diff([old], [new], "trust", account=A)
    assert report.result == "new-access"
    finding = next(f for f in report.findings if f.example.principal == "accounts.google.com")
    assert finding.example.action == "sts:AssumeRoleWithWebIdentity"
    assert finding.example.context["accounts.google.com:aud"] == "my-app"
    replays(report, old, new)


def test_a_principal_arn_pattern_is_searched_for_callers_it_matches():
    """`ArnLike` on `aws:PrincipalArn` (§7.4: a role session carries its role's ARN): a Deny of
    every caller but the admin roles, taken away, lets the others in; the admins were in."""
    allow = grant({"AWS": A})
    deny = grant("*", sid="OnlyAdmins", effect="Deny",
                 Condition={"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/admin-*"}})
    report = diff([resource_policy(allow, deny)], [resource_policy(allow)], "resource", account=A)
    assert report.result == "new-access"
    for finding in report.findings:
        assert not finding.example.context.get("aws:PrincipalArn", "").startswith(f"arn:aws:iam::{A}:role/admin-")
    replays(report, resource_policy(allow, deny), resource_policy(allow))


def test_a_variable_on_the_callers_arn_is_unknown_with_where():
    """Callers are searched for the names the policies write; one a variable gives (§9), other
    than the resource's account, is not: the answer is unknown, never "no new access"."""
    new = resource_policy(grant("*", Condition={"StringEquals": {"aws:PrincipalArn": "${aws:PrincipalTag/admin}"}}))
    report = can_never([new], ["s3:GetObject"], kind="resource", account=A)
    assert report.result in ("unknown", "new-access") and report.unknown
    assert "policy variable" in report.unknown[0].reason and "Grant" in report.unknown[0].reason


# ------------------------------------------------------------------------------- laws

_RESOURCE = policy_documents(PolicyKind.RESOURCE_POLICY, "R0", True)
_ALLOWS = statements(PolicyKind.RESOURCE_POLICY, "Allow", True)
_DENIES = statements(PolicyKind.RESOURCE_POLICY, "Deny", True)
_ABOUT = ["s3:GetObject", "s3:PutObject", "ec2:RunInstances"]
FEDERATED = f"arn:aws:sts::{B}:federated-user/bob"
_CALLERS = st.sampled_from([ALICE, BOB, SESSION, FEDERATED, f"arn:aws:iam::{A}:root", "*", "s3.amazonaws.com"])


def _load(document_: dict) -> Policy:
    return load_policy(document_, "resource_policy", name="P")


def _with(document_: dict, statement: dict) -> dict:
    return {**document_, "Statement": document_["Statement"] + [{"Sid": "Added", **statement}]}


@scaled(0.05)
@given(_RESOURCE, st.data())
def test_diff_of_a_resource_policy_with_itself_is_empty(document_, data):
    report = diff([_load(document_)], [_load(shuffled(data, document_))], "resource", actions=_ABOUT, account=A)
    assert not report.findings


@scaled(0.1)
@given(_RESOURCE, _ALLOWS, _CALLERS.flatmap(lambda p: requests(p, rich=True)), st.booleans())
def test_an_added_grant_is_found_unless_already_allowed(document_, statement, request, own_allows):
    old, new = _load(document_), _load(_with(document_, statement))
    report = diff([old], [new], "resource", actions=_ABOUT, account=A)
    replays(report, old, new)
    request = {**request, "resource_account": A}
    # The caller's own side allowing all (a federated user's through its session policy, §2.4), or none.
    caller_side = [ALLOW_ALL] if own_allows and request["principal"] in (ALICE, BOB, SESSION, FEDERATED) else []
    session = caller_side if request["principal"] == FEDERATED else []
    if request["action"].lower() not in {a.lower() for a in _ABOUT}:
        return
    if Authorizer(identity=caller_side, session=session, resource_policy=new).authorize(request).allowed and not \
            Authorizer(identity=caller_side, session=session, resource_policy=old).authorize(request).allowed:
        covered = {a.lower() for part in (*report.findings, *report.unknown) for a in part.actions}
        assert request["action"].lower() in covered or report.unknown, report.as_dict()


@scaled(0.05)
@given(_RESOURCE, _DENIES)
def test_an_added_deny_never_grants(document_, statement):
    assert not diff([_load(document_)], [_load(_with(document_, statement))], "resource", actions=_ABOUT,
                    account=A).findings


@scaled(0.03)
@given(_RESOURCE)
def test_can_never_of_a_resource_policy_agrees_with_diff_against_none(document_):
    policy = _load(document_)
    against_none = diff([], [policy], "resource", actions=_ABOUT, account=A)
    if against_none.unknown:
        return
    allowed = {a.lower() for f in against_none.findings for a in f.actions}
    for action in _ABOUT:
        report = can_never([policy], [action], kind="resource", account=A)
        assert (report.result == "new-access") == (action.lower() in allowed), action


# Trust policies: statements drawn from the principals and conditions a trust policy names (§2.5).
ROLE_ARN = f"arn:aws:iam::{A}:role/app"
_TRUSTED = st.sampled_from([{"AWS": f"arn:aws:iam::{A}:root"}, {"AWS": ALICE}, {"AWS": B}, "*",
                            {"Service": "ec2.amazonaws.com"}, {"Federated": "accounts.google.com"}])
_TRUST_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]
_TRUST_CONDITIONS = st.sampled_from([None, {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
                                     {"StringEquals": {"accounts.google.com:aud": "app"}},
                                     {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                                     {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:user/a*"}}])


@st.composite
def _trust_statements(draw: st.DrawFn, effect: str | None = None) -> dict:
    statement = {"Effect": effect or draw(st.sampled_from(["Allow", "Allow", "Deny"])), "Principal": draw(_TRUSTED),
                 "Action": draw(st.sampled_from(_TRUST_ACTIONS))}
    condition = draw(_TRUST_CONDITIONS)
    return statement | ({"Condition": condition} if condition else {})


def _trust(statements_: list[dict]) -> Policy:
    document = {"Version": "2012-10-17", "Statement": [{"Sid": f"S{i}", **s} for i, s in enumerate(statements_)]}
    return load_policy(document, "resource_policy", name="trust", trust=True)


@st.composite
def _assume_requests(draw: st.DrawFn) -> dict:
    principal = draw(st.sampled_from([ALICE, BOB, SESSION, f"arn:aws:iam::{A}:root", "ec2.amazonaws.com",
                                      "accounts.google.com"]))
    context = draw(st.sampled_from([{}, {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, {"accounts.google.com:aud": "app"},
                                    {"aws:MultiFactorAuthPresent": "true"}]))
    return {"principal": principal, "action": draw(st.sampled_from(_TRUST_ACTIONS)), "resource": ROLE_ARN,
            "context": context, "resource_account": A}


@scaled(0.05)
@given(st.lists(_trust_statements(), min_size=1, max_size=3), _trust_statements("Allow"), _assume_requests(),
       st.booleans())
def test_an_added_trust_is_found_unless_already_allowed(statements_, added, request, own_allows):
    old, new = _trust(statements_), _trust(statements_ + [added])
    report = diff([old], [new], "trust", actions=_TRUST_ACTIONS, account=A)
    replays(report, old, new)
    side = [ALLOW_ALL] if own_allows and request["principal"] in (ALICE, BOB, SESSION) else []
    if (Authorizer(identity=side, resource_policy=new).authorize(request).allowed
            and not Authorizer(identity=side, resource_policy=old).authorize(request).allowed):
        covered = {a.lower() for part in (*report.findings, *report.unknown) for a in part.actions}
        assert request["action"].lower() in covered or report.unknown, report.as_dict()


@scaled(0.05)
@given(st.lists(_trust_statements(), min_size=1, max_size=3), _trust_statements("Deny"))
def test_an_added_trust_deny_never_grants(statements_, added):
    assert not diff([_trust(statements_)], [_trust(statements_ + [added])], "trust", actions=_TRUST_ACTIONS,
                    account=A).findings


def test_an_action_only_the_owner_may_take_does_not_hide_its_services_others():
    """S3 lets only the bucket owner's account manage the bucket policy (§2.7): a grant of
    `s3:DeleteBucketPolicy` and `s3:GetObject` to another account newly allows the read alone.
    Both actions are in one service and one statement; the rule sets the first apart."""
    other = {"AWS": "arn:aws:iam::111111111111:root"}
    old = resource_policy(grant(other, "s3:ListBucket", BUCKET))
    new = resource_policy(grant(other, ["s3:DeleteBucketPolicy", "s3:GetObject", "s3:ListBucket"], [BUCKET, BUCKET + "/*"]))
    report = diff([old], [new], kind="resource", account="123456789012")
    newly = {a for f in report.findings for a in f.actions}
    assert "s3:GetObject" in newly and "s3:DeleteBucketPolicy" not in newly
    replays(report, old, new)


def test_public_sees_the_read_beside_an_owner_only_action():
    from iameval.analysis import public

    policy = resource_policy(grant({"AWS": "111111111111"}, ["s3:DeleteBucketPolicy", "s3:GetObject"],
                                   [BUCKET, BUCKET + "/*"]))
    report = public(policy, "123456789012")
    assert report.result == "outside-access"
    assert report.findings[0].finding.example.action == "s3:GetObject"
