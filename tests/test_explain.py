"""Explanations (IAM-SEMANTICS §13): each tricky decision states the facts a newcomer needs.

Every scenario is checked twice: in `Explanation.as_dict()` (what programs read) and in the text
tree `print_explanation` renders (what people read). The facts are the gate that decided and its
verdict, the deciding statement (policy label and Sid), for a condition the operator, the key, the
request's value and the policy's values, near misses (the first false condition; a resource
pattern that almost matched), derived keys, unresolved variables and warnings. Explaining never
changes a decision: the last tests replay the conformance corpus with and without explanation.

Account A (111122223333) owns the resources; account B (444455556666) is the other account.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import iameval
from helpers import (A, ALICE, B, BOB, BUCKET, FED_CAROL, OBJECT, READER_ROLE, READER_SESSION,
                     conformance_scenarios)
from iameval.cli import app
from iameval.engine import Explanation, explain
from iameval.cli._present import print_explanation

DEPLOYER = f"arn:aws:iam::{A}:role/Deployer"



# ------------------------------------------------------------------------------------ helpers

def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def stmt(sid: str, effect: str, action: Any, resource: Any = "*", **extra) -> dict:
    out = {"Sid": sid, "Effect": effect, "Action": action}
    if resource is not None:
        out["Resource"] = resource
    out.update(extra)
    return out


def named(document: dict, kind: str, name: str) -> iameval.Policy:
    return iameval.load_policy(document, kind, name=name)


FULL_ACCESS_SCP = doc(stmt("FullAWSAccess", "Allow", "*"))


def render(explanation: Explanation) -> str:
    """The text tree as a person reads it, with rich's wrapping collapsed to single spaces."""
    console = Console(record=True, width=200)
    print_explanation(console, explanation)
    return " ".join(console.export_text().split())


def gate(data: dict, name: str) -> dict:
    found = [g for g in data["gates"] if g["title"] == name]
    assert len(found) == 1, [g["title"] for g in data["gates"]]
    return found[0]


def statement(gate_data: dict, sid: str, where: str = "statements") -> dict:
    found = [s for s in gate_data[where] if s["statement"] == sid]
    assert len(found) == 1, (sid, gate_data)
    return found[0]


def explained(authorizer: iameval.Authorizer, request: dict) -> tuple[Explanation, dict, str]:
    explanation = explain(authorizer, request)
    # An explanation is the decision plus its path: never a different decision.
    assert explanation.result == authorizer.authorize(request)
    data = explanation.as_dict()
    assert json.loads(json.dumps(data)) == data  # JSON-ready as it stands
    return explanation, data, render(explanation)


# ------------------------------------------------------------------ organizations (§4, §2.1)

def test_explicit_deny_in_scp_level_1_wins_over_identity_allow():
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("ManageBuckets", "Allow", "s3:*")), "identity", "alice-s3")],
        scps=[named(FULL_ACCESS_SCP, "scp", "root-full-access"),
              named(doc(stmt("FullAWSAccess", "Allow", "*"),
                        stmt("NoDeletes", "Deny", "s3:Delete*")), "scp", "prod-ou-guardrails")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:DeleteObject",
                                           "resource": OBJECT})
    assert data["decision"] == "ExplicitDeny"
    assert "service control policy" in data["summary"]
    assert gate(data, "service control policy, level 0")["verdict"] == "allow"
    level1 = gate(data, "service control policy, level 1")
    assert level1["verdict"] == "deny"
    deciding = statement(level1, "NoDeletes")
    assert deciding["effect"] == "Deny" and deciding["policy"] == "prod-ou-guardrails"
    assert deciding["policy_type"] == "scp"
    assert deciding["action"] == {"matched": True, "detail": "`s3:Delete*` matches `s3:DeleteObject`"}
    # The identity Allow is shown as applying, and the headline says why it does not count.
    assert gate(data, "identity-based policies")["verdict"] == "allow"
    assert "NoDeletes" in data["headline"] and "prod-ou-guardrails" in data["headline"]
    assert "explicit Deny always wins" in data["headline"]
    for words in ("ExplicitDeny", "service control policy, level 1: denies", "Deny statement NoDeletes",
                  "prod-ou-guardrails", "`s3:Delete*` matches `s3:DeleteObject`",
                  "explicit Deny always wins over any Allow"):
        assert words in text, words


def test_scp_level_without_allow_names_the_level():
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("ManageBuckets", "Allow", "s3:*")), "identity", "alice-s3")],
        scps=[named(FULL_ACCESS_SCP, "scp", "root-full-access"),
              named(doc(stmt("ComputeOnly", "Allow", "ec2:*")), "scp", "workloads-ou")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject",
                                           "resource": OBJECT})
    assert data["decision"] == "ImplicitDeny"
    assert data["summary"] == "no service control policy allows the action (level 1)"
    assert gate(data, "service control policy, level 0")["verdict"] == "allow"
    assert gate(data, "service control policy, level 1")["verdict"] == "no-allow"
    assert gate(data, "identity-based policies")["verdict"] == "allow"
    assert "level 1" in data["headline"]
    assert "no service control policy allows the action (level 1)" in text
    assert "service control policy, level 1: no Allow" in text


def test_scp_level_without_allow_names_the_policies_at_that_level():
    """A newcomer told "level 1" must learn which policy sits there: `workloads-ou`."""
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("ManageBuckets", "Allow", "s3:*")), "identity", "alice-s3")],
        scps=[named(FULL_ACCESS_SCP, "scp", "root-full-access"),
              named(doc(stmt("ComputeOnly", "Allow", "ec2:*")), "scp", "workloads-ou")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject",
                                           "resource": OBJECT})
    level1 = gate(data, "service control policy, level 1")
    assert "workloads-ou" in json.dumps(level1)
    assert "workloads-ou" in text


def test_rcp_deny_names_the_rcp_and_its_condition():
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("ReadAll", "Allow", "s3:*")), "identity", "bob-s3")],
        resource_policy=named(doc(stmt("LetAccountBRead", "Allow", "s3:GetObject", f"{BUCKET}/*",
                                Principal={"AWS": B})), "resource_policy", "bucket-policy"),
        rcps=[named(doc(stmt("OrgPerimeter", "Deny", "s3:*", Principal="*", Condition={
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-ourorg"}})), "rcp", "data-perimeter")])
    _, data, text = explained(authorizer, {"principal": BOB, "action": "s3:GetObject", "resource": OBJECT,
                                           "resource_account": A,
                                           "context": {"aws:PrincipalOrgID": "o-theirorg"}})
    assert data["decision"] == "ExplicitDeny"
    rcp = gate(data, "resource control policy, level 0")
    assert rcp["verdict"] == "deny"
    deny = statement(rcp, "OrgPerimeter")
    assert deny["policy"] == "data-perimeter"
    assert deny["conditions"] == [{"operator": "StringNotEqualsIfExists", "key": "aws:PrincipalOrgID",
                                   "request": ["o-theirorg"], "policy": ["o-ourorg"], "holds": True}]
    # The bucket policy names account B: an ACCOUNT match (§2.2).
    assert "ACCOUNT" in statement(gate(data, "resource-based policy"), "LetAccountBRead")["principal"]["detail"]
    for words in ("resource control policy, level 0: denies", "OrgPerimeter", "data-perimeter",
                  "StringNotEqualsIfExists aws:PrincipalOrgID", "`o-theirorg`", "`o-ourorg`"):
        assert words in text, words


@pytest.mark.parametrize("kind, policy", [
    ("resource", doc(stmt("DenyPlainHttp", "Deny", "s3:*", [BUCKET, f"{BUCKET}/*"], Principal="*",
                          Condition={"Bool": {"aws:SecureTransport": "false"}}))),
    ("rcp", doc(stmt("DenyPlainHttp", "Deny", "s3:*", Principal="*",
                     Condition={"Bool": {"aws:SecureTransport": "false"}}))),
])
def test_deny_statement_principal_text_does_not_claim_a_grant(kind, policy):
    """A Deny's `Principal: "*"` match restricts; saying it "grants on its own" is false."""
    kwargs = {"resource_policy": named(policy, "resource_policy", "bucket-policy")} if kind == "resource" else \
        {"rcps": [named(policy, "rcp", "perimeter")]}
    authorizer = iameval.Authorizer(identity=[named(doc(stmt("Read", "Allow", "s3:GetObject")), "identity", "alice")],
                                    **kwargs)
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT,
                                           "context": {"aws:SecureTransport": False}})
    assert data["decision"] == "ExplicitDeny"
    deny = next(s for g in data["gates"] for s in g["statements"] if s["statement"] == "DenyPlainHttp")
    assert "grants" not in deny["principal"]["detail"]
    assert "grants on its own" not in text


# --------------------------------------------------------- resource policies and their reach (§2.2, §3)

def test_same_account_bucket_policy_naming_role_is_limited_by_boundary():
    authorizer = iameval.Authorizer(
        resource_policy=named(doc(stmt("ReaderMayRead", "Allow", "s3:GetObject", f"{BUCKET}/*",
                                Principal={"AWS": READER_ROLE})), "resource_policy", "bucket-policy"),
        permission_boundary=named(doc(stmt("ComputeOnly", "Allow", "ec2:*")),
                                  "permission_boundary", "compute-boundary"))
    _, data, text = explained(authorizer, {"principal": READER_SESSION, "action": "s3:GetObject",
                                           "resource": OBJECT, "resource_account": A})
    assert data["decision"] == "ImplicitDeny"
    assert data["summary"] == "no permissions boundary allows the action"
    grant = statement(gate(data, "resource-based policy"), "ReaderMayRead")
    assert gate(data, "resource-based policy")["verdict"] == "allow"
    assert grant["principal"]["matched"] is True
    assert "ENTITY" in grant["principal"]["detail"]
    assert "boundary" in grant["principal"]["detail"]
    assert gate(data, "permissions boundary")["verdict"] == "no-allow"
    assert data["derived"]["aws:PrincipalArn"] == READER_ROLE  # the role, not the session (§1)
    for words in ("no permissions boundary allows", "permissions boundary: no Allow", "ReaderMayRead",
                  "bucket-policy", "matched as ENTITY", f"aws:PrincipalArn = {READER_ROLE}"):
        assert words in text, words


def test_cross_account_resource_allow_without_identity_allow():
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("ComputeOnly", "Allow", "ec2:*")), "identity", "bob-compute")],
        resource_policy=named(doc(stmt("LetBobRead", "Allow", "s3:GetObject", f"{BUCKET}/*",
                                Principal={"AWS": BOB})), "resource_policy", "bucket-policy"))
    _, data, text = explained(authorizer, {"principal": BOB, "action": "s3:GetObject",
                                           "resource": OBJECT, "resource_account": A})
    assert data["decision"] == "ImplicitDeny"
    assert data["summary"] == "no identity-based policy allows the action"
    assert gate(data, "resource-based policy")["verdict"] == "allow"
    assert statement(gate(data, "resource-based policy"), "LetBobRead")["principal"]["matched"] is True
    assert gate(data, "identity-based policies")["verdict"] == "no-allow"
    assert data["derived"]["aws:PrincipalAccount"] == B
    assert data["derived"]["aws:ResourceAccount"] == A
    for words in ("no identity-based policy allows", "identity-based policies: no Allow", "LetBobRead",
                  f"aws:ResourceAccount = {A}", f"aws:PrincipalAccount = {B}"):
        assert words in text, words


def test_cross_account_without_any_identity_policy_shows_the_identity_gate_failing():
    """The identity gate decided; "not applicable (no identity-based policy was given)" says it did not matter."""
    authorizer = iameval.Authorizer(
        resource_policy=named(doc(stmt("LetBobRead", "Allow", "s3:GetObject", f"{BUCKET}/*",
                                Principal={"AWS": BOB})), "resource_policy", "bucket-policy"))
    _, data, text = explained(authorizer, {"principal": BOB, "action": "s3:GetObject",
                                           "resource": OBJECT, "resource_account": A})
    assert data["summary"] == "no identity-based policy allows the action"
    assert gate(data, "identity-based policies")["verdict"] == "no-allow"
    assert "identity-based policies: not applicable" not in text


def test_missing_trust_policy_for_assume_role():
    """sts:AssumeRole needs the trust policy (§2.5): an identity Allow alone is not enough."""
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("AssumeDeployer", "Allow", "sts:AssumeRole", DEPLOYER)),
                        "identity", "alice-assume")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "sts:AssumeRole",
                                           "resource": DEPLOYER})
    assert data["decision"] == "ImplicitDeny"
    assert data["summary"].startswith("no resource-based policy allows the action")
    assert "required" in data["summary"]
    assert gate(data, "identity-based policies")["verdict"] == "allow"
    assert "no resource-based policy allows" in text and "required" in text
    # The trust policy is the gate that decided: it must not read as "not applicable".
    assert gate(data, "resource-based policy")["verdict"] == "no-allow"
    assert "resource-based policy: not applicable" not in text


def test_trust_policy_naming_someone_else_for_assume_role():
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("AssumeDeployer", "Allow", "sts:AssumeRole", DEPLOYER)),
                        "identity", "alice-assume")],
        resource_policy=named(doc(stmt("TrustCi", "Allow", "sts:AssumeRole", None,
                                Principal={"AWS": f"arn:aws:iam::{A}:user/ci"})), "resource_policy", "deployer-trust"))
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "sts:AssumeRole",
                                           "resource": DEPLOYER})
    assert data["decision"] == "ImplicitDeny"
    assert "required" in data["summary"]
    trust = gate(data, "resource-based policy")
    assert trust["verdict"] == "no-allow" and trust["statements"] == []
    assert "resource-based policy: no Allow" in text


def test_deny_with_not_principal_applies_to_a_principal_with_a_boundary():
    """§5: a Deny with NotPrincipal always applies to a principal that has a permissions boundary."""
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("ReadBucket", "Allow", "s3:GetObject", f"{BUCKET}/*")), "identity", "reader")],
        permission_boundary=named(doc(stmt("StorageOnly", "Allow", "s3:*")), "permission_boundary", "storage"),
        resource_policy=named(doc(stmt("OnlyReader", "Deny", "s3:*", [BUCKET, f"{BUCKET}/*"],
                                       NotPrincipal={"AWS": [READER_ROLE, READER_SESSION, A]})),
                              "resource_policy", "bucket-policy"))
    _, data, text = explained(authorizer, {"principal": READER_SESSION, "action": "s3:GetObject",
                                           "resource": OBJECT, "resource_account": A})
    assert data["decision"] == "ExplicitDeny"
    resource = gate(data, "resource-based policy")
    assert resource["verdict"] == "deny"
    deny = statement(resource, "OnlyReader")
    assert deny["principal"]["matched"] is True
    assert "NotPrincipal" in deny["principal"]["detail"]
    assert "permissions boundary" in deny["principal"]["detail"]
    assert gate(data, "identity-based policies")["verdict"] == "allow"
    assert gate(data, "permissions boundary")["verdict"] == "allow"
    assert "OnlyReader" in data["headline"] and "bucket-policy" in data["headline"]
    for words in ("resource-based policy: denies", "Deny statement OnlyReader", "NotPrincipal lists the caller",
                  "always applies to a principal with a permissions boundary"):
        assert words in text, words


# ----------------------------------------------------------------------- sessions (§2.4)

def test_federated_session_without_session_policy_shows_the_session_gate_failing():
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("Read", "Allow", "s3:GetObject")), "identity", "carol-read")])
    _, data, text = explained(authorizer, {"principal": FED_CAROL, "action": "s3:GetObject",
                                           "resource": OBJECT, "resource_account": A})
    assert data["decision"] == "ImplicitDeny"
    assert "federated-user session without a session policy" in data["summary"]
    assert data["derived"]["aws:userid"] == f"{A}:carol"
    # The missing session policy decided: the gate must not read "not applicable".
    assert gate(data, "session policies")["verdict"] == "no-allow"
    assert "session policies: not applicable" not in text


# --------------------------------------------------------------------- variables (§9)

def test_username_variable_for_role_session_is_an_unresolved_near_miss():
    template = "arn:aws:s3:::home/${aws:username}/*"
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("HomeFolder", "Allow", "s3:GetObject", template)), "identity", "home-folder")])
    explanation, data, text = explained(authorizer, {
        "principal": READER_SESSION, "action": "s3:GetObject",
        "resource": "arn:aws:s3:::home/alice-session/notes.txt", "resource_account": A})
    assert data["decision"] == "ImplicitDeny"
    assert "aws:username" not in data["derived"]  # absent for role sessions (§1)
    identity = gate(data, "identity-based policies")
    assert identity["verdict"] == "no-allow" and identity["statements"] == []
    near = statement(identity, "HomeFolder", "near_misses")
    assert near["policy"] == "home-folder"
    assert near["action"]["matched"] is True and near["resource"]["matched"] is False
    assert near["unresolved_variables"] == [template]
    assert "cannot be resolved" in near["near_miss"]
    assert data["unresolved_variables"] == [template]
    assert explanation.unresolved == (template,)
    assert "HomeFolder" in data["headline"] and "cannot be resolved" in data["headline"]
    for words in ("near miss: Allow statement HomeFolder of home-folder", template, "cannot be resolved"):
        assert words in text, words


def test_unresolved_variable_in_a_negated_condition_denies():
    """AWS's example (§9): StringNotEquals against `${aws:PrincipalTag/Team}` fires without the tag."""
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("ReadAll", "Allow", "s3:GetObject"),
        stmt("SameTeamOnly", "Deny", "s3:GetObject", Condition={
            "StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}})), "identity", "team-objects")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT,
                                           "context": {"s3:ExistingObjectTag/Team": "red"}})
    assert data["decision"] == "ExplicitDeny"
    deny = statement(gate(data, "identity-based policies"), "SameTeamOnly")
    assert deny["conditions"] == [{
        "operator": "StringNotEquals", "key": "s3:ExistingObjectTag/Team", "request": ["red"],
        "policy": [{"written": "${aws:PrincipalTag/Team}", "resolved": None}], "holds": True}]
    assert data["unresolved_variables"] == ["${aws:PrincipalTag/Team}"]
    for words in ("SameTeamOnly", "StringNotEquals s3:ExistingObjectTag/Team", "`red`",
                  "`${aws:PrincipalTag/Team}` (unresolved)", "is true"):
        assert words in text, words


def test_resolved_variable_in_a_condition_shows_both_forms():
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("OwnPrefix", "Allow", "s3:ListBucket", "arn:aws:s3:::home",
             Condition={"StringLike": {"s3:prefix": ["${aws:username}/*"]}})), "identity", "home")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:ListBucket",
                                           "resource": "arn:aws:s3:::home", "context": {"s3:prefix": "bob/docs"}})
    assert data["decision"] == "ImplicitDeny"
    near = statement(gate(data, "identity-based policies"), "OwnPrefix", "near_misses")
    assert near["conditions"] == [{"operator": "StringLike", "key": "s3:prefix", "request": ["bob/docs"],
                                   "policy": [{"written": "${aws:username}/*", "resolved": "alice/*"}],
                                   "holds": False}]
    assert data["derived"]["aws:username"] == "alice"
    assert data["unresolved_variables"] == []
    for words in ("StringLike s3:prefix", "`bob/docs`", "`${aws:username}/*` = `alice/*`", "aws:username = alice",
                  "derived context keys "
                  "(see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)"):
        assert words in text, words


def test_unresolved_variable_in_not_resource_excludes_nothing_so_the_deny_applies():
    """§9: the NotResource entry with an unresolvable variable matches nothing, so the Deny covers the resource."""
    template = "arn:aws:s3:::home/${aws:username}/*"
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("ReadAll", "Allow", "s3:GetObject"),
        stmt("OnlyOwnHome", "Deny", "s3:GetObject", None, NotResource=template)), "identity", "home-guard")])
    _, data, text = explained(authorizer, {"principal": READER_SESSION, "action": "s3:GetObject",
                                           "resource": "arn:aws:s3:::home/alice-session/x", "resource_account": A})
    assert data["decision"] == "ExplicitDeny"
    deny = statement(gate(data, "identity-based policies"), "OnlyOwnHome")
    assert deny["resource"]["matched"] is True and "NotResource" in deny["resource"]["detail"]
    assert deny["unresolved_variables"] == [template]
    assert data["unresolved_variables"] == [template]
    for words in ("Deny statement OnlyOwnHome of identity-based policy home-guard", "is not listed in NotResource",
                  f"unresolved variable in `{template}`: that entry matches nothing "
                  "(see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)"):
        assert words in text, words


def test_variable_default_is_used_and_shown_resolved():
    template = "arn:aws:s3:::bucket-${aws:PrincipalTag/team, 'shared'}/*"
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("TeamBucket", "Allow", "s3:GetObject", template)), "identity", "team-buckets")])
    _, data, text = explained(authorizer, {"principal": READER_SESSION, "action": "s3:GetObject",
                                           "resource": "arn:aws:s3:::bucket-shared/x", "resource_account": A})
    assert data["decision"] == "Allow"
    allow = statement(gate(data, "identity-based policies"), "TeamBucket")
    assert "arn:aws:s3:::bucket-shared/*" in allow["resource"]["detail"]
    assert "unresolved_variables" not in allow and data["unresolved_variables"] == []
    assert f"`{template}` (resolved to `arn:aws:s3:::bucket-shared/*`)" in text


# ------------------------------------------------------------------- conditions (§8)

def test_if_exists_on_an_absent_key_is_true_and_says_absent():
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("EuOnly", "Allow", "ec2:DescribeInstances", Condition={
            "StringEqualsIfExists": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}})), "identity", "eu-only")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "ec2:DescribeInstances"})
    assert data["decision"] == "Allow"
    allow = statement(gate(data, "identity-based policies"), "EuOnly")
    assert allow["policy"] == "eu-only"
    assert allow["conditions"] == [{"operator": "StringEqualsIfExists", "key": "aws:RequestedRegion",
                                    "request": None, "policy": ["eu-west-1", "eu-central-1"], "holds": True}]
    assert "EuOnly" in data["headline"] and "eu-only" in data["headline"]
    for words in ("Allow statement EuOnly of identity-based policy eu-only",
                  "condition true: StringEqualsIfExists aws:RequestedRegion is true: the request does not carry the key",
                  "`eu-west-1`, `eu-central-1`"):
        assert words in text, words


def test_for_all_values_on_an_empty_list_is_true():
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("AllowedTagKeys", "Allow", "ec2:CreateTags", Condition={
            "ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}})), "identity", "tag-keys")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "ec2:CreateTags",
                                           "context": {"aws:TagKeys": []}})
    assert data["decision"] == "Allow"
    allow = statement(gate(data, "identity-based policies"), "AllowedTagKeys")
    # Present but empty, which is not the same as absent (§1).
    assert allow["conditions"] == [{"operator": "ForAllValues:StringEquals", "key": "aws:TagKeys",
                                    "request": [], "policy": ["env", "team"], "holds": True}]
    for words in ("ForAllValues:StringEquals aws:TagKeys is true: the request has an empty list", "`env`, `team`"):
        assert words in text, words


def test_date_condition_with_an_unreadable_context_value_warns():
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("UntilEnd2030", "Allow", "s3:GetObject", Condition={
            "DateLessThan": {"aws:CurrentTime": "2030-12-31T23:59:59Z"}})), "identity", "temporary")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT,
                                           "context": {"aws:CurrentTime": "next tuesday"}})
    assert data["decision"] == "ImplicitDeny"
    near = statement(gate(data, "identity-based policies"), "UntilEnd2030", "near_misses")
    assert near["conditions"] == [{"operator": "DateLessThan", "key": "aws:CurrentTime",
                                   "request": ["next tuesday"], "policy": ["2030-12-31T23:59:59Z"],
                                   "holds": False}]
    assert near["near_miss"].startswith("condition DateLessThan aws:CurrentTime")
    (warning,) = [w["message"] for w in data["warnings"] if w["code"] == "context-value-unreadable"]
    assert "next tuesday" in warning and "aws:CurrentTime" in warning and "not a date" in warning
    # The request check says the same of the value, whatever reads it.
    assert {w["code"] for w in data["warnings"]} == {"context-value-unreadable", "context-value-type"}
    assert "UntilEnd2030" in data["headline"]
    for words in ("warning", "`next tuesday` is not a date", "DateLessThan aws:CurrentTime",
                  "`2030-12-31T23:59:59Z`", "near miss: Allow statement UntilEnd2030"):
        assert words in text, words


def test_null_check_on_an_absent_tag_denies():
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("Launch", "Allow", "ec2:RunInstances"),
        stmt("RequireOwnerTag", "Deny", "ec2:RunInstances", Condition={
            "Null": {"aws:RequestTag/owner": "true"}})), "identity", "tagging-rules")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "ec2:RunInstances",
                                           "context": {"aws:RequestTag/env": "prod"}})
    assert data["decision"] == "ExplicitDeny"
    identity = gate(data, "identity-based policies")
    assert identity["verdict"] == "deny"
    deny = statement(identity, "RequireOwnerTag")
    assert deny["conditions"] == [{"operator": "Null", "key": "aws:RequestTag/owner", "request": None,
                                   "policy": ["true"], "holds": True}]
    assert "RequireOwnerTag" in data["headline"] and "tagging-rules" in data["headline"]
    for words in ("Deny statement RequireOwnerTag of identity-based policy tagging-rules",
                  "condition true: Null aws:RequestTag/owner is true: the request does not carry the key; the policy has `true`"):
        assert words in text, words


def test_deny_with_string_not_equals_against_an_absent_key():
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("Read", "Allow", "s3:GetObject"),
        stmt("BlueTeamOnly", "Deny", "s3:*", Condition={
            "StringNotEquals": {"aws:PrincipalTag/team": "blue"}})), "identity", "team-guard")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT})
    assert data["decision"] == "ExplicitDeny"
    assert data["summary"] == "explicitly denied by a statement in an identity-based policy"
    deny = statement(gate(data, "identity-based policies"), "BlueTeamOnly")
    assert deny["conditions"] == [{"operator": "StringNotEquals", "key": "aws:PrincipalTag/team",
                                   "request": None, "policy": ["blue"], "holds": True}]
    assert "aws:PrincipalTag/team" not in data["derived"]  # never invented (§1)
    for words in ("Deny statement BlueTeamOnly", "StringNotEquals aws:PrincipalTag/team is true: the request does not carry the key",
                  "the policy has `blue`"):
        assert words in text, words


# ------------------------------------------------------------------------- near misses (§13.4)

def test_near_miss_names_the_first_false_condition():
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("FromVpcWithMfa", "Allow", "s3:GetObject", f"{BUCKET}/*", Condition={
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
            "StringEquals": {"aws:SourceVpc": ["vpc-111", "vpc-333"]},
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})), "identity", "network-rules")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT,
                                           "context": {"aws:MultiFactorAuthPresent": True,
                                                       "aws:SourceVpc": "vpc-222",
                                                       "aws:SourceIp": "192.0.2.1"}})
    assert data["decision"] == "ImplicitDeny"
    near = statement(gate(data, "identity-based policies"), "FromVpcWithMfa", "near_misses")
    assert near["policy"] == "network-rules"
    assert near["action"]["matched"] and near["resource"]["matched"]
    holds = [(c["operator"], c["holds"]) for c in near["conditions"]]
    assert ("Bool", True) in holds
    failed = [c for c in near["conditions"] if not c["holds"]]
    assert len(failed) == 1  # the first false one; AND needs no more
    assert near["near_miss"].startswith(f"condition {failed[0]['operator']} {failed[0]['key']}")
    assert failed[0]["operator"] in ("StringEquals", "IpAddress")
    if failed[0]["operator"] == "StringEquals":
        assert failed[0] == {"operator": "StringEquals", "key": "aws:SourceVpc", "request": ["vpc-222"],
                             "policy": ["vpc-111", "vpc-333"], "holds": False}
        words = ("StringEquals aws:SourceVpc is false", "`vpc-222`", "`vpc-111`, `vpc-333`")
    else:
        words = ("IpAddress aws:SourceIp is false", "`192.0.2.1`", "`10.0.0.0/8`")
    assert "FromVpcWithMfa" in data["headline"] and words[0] in data["headline"]
    for word in ("near miss: Allow statement FromVpcWithMfa of network-rules", *words):
        assert word in text, word


def test_near_miss_on_a_resource_pattern_that_almost_matched():
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("Reports2024", "Allow", "s3:GetObject", "arn:aws:s3:::reports-2024/*")), "identity", "reports")])
    _, data, text = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject",
                                           "resource": "arn:aws:s3:::reports-2023/q1.csv"})
    near = statement(gate(data, "identity-based policies"), "Reports2024", "near_misses")
    assert near["resource"]["matched"] is False
    assert "arn:aws:s3:::reports-2024/*" in near["near_miss"]
    assert "arn:aws:s3:::reports-2023/q1.csv" in near["near_miss"]
    assert "closest" in near["near_miss"]
    for words in ("near miss: Allow statement Reports2024 of reports", "closest `arn:aws:s3:::reports-2024/*`",
                  "`arn:aws:s3:::reports-2023/q1.csv`"):
        assert words in text, words


def test_headline_does_not_blame_a_near_miss_in_a_gate_that_allowed():
    """The boundary decided; a near-miss Allow among the identity policies (which did allow) is beside the point."""
    authorizer = iameval.Authorizer(
        identity=[named(doc(stmt("ReadAll", "Allow", "s3:GetObject"),
                            stmt("ReadFromVpc", "Allow", "s3:GetObject",
                                 Condition={"StringEquals": {"aws:SourceVpc": "vpc-111"}})), "identity", "alice")],
        permission_boundary=named(doc(stmt("ComputeOnly", "Allow", "ec2:*")), "permission_boundary", "compute"))
    _, data, _ = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT,
                                        "context": {"aws:SourceVpc": "vpc-222"}})
    assert data["summary"] == "no permissions boundary allows the action"
    assert "ReadFromVpc" not in data["headline"]


def test_headline_does_not_offer_a_deny_as_the_closest_statement_to_allowing():
    """A Deny that did not apply cannot be why nothing allowed."""
    authorizer = iameval.Authorizer(identity=[named(doc(
        stmt("DenyOutsideVpc", "Deny", "s3:*", Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-111"}})),
        "identity", "alice")])
    _, data, _ = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT,
                                        "context": {"aws:SourceVpc": "vpc-111"}})
    assert data["decision"] == "ImplicitDeny"
    assert "closest statement was DenyOutsideVpc" not in data["headline"]


# ------------------------------------------------------------------------------ the CLI

runner = CliRunner()

READ_REPORTS = doc(stmt("ReadReports", "Allow", "s3:GetObject", "arn:aws:s3:::example-reports/*",
                        Condition={"StringEquals": {"aws:SourceVpc": "vpc-111"}}),
                   stmt("NeverDelete", "Deny", "s3:DeleteObject", "arn:aws:s3:::example-reports/*"))
REPORT = "arn:aws:s3:::example-reports/q1.pdf"


def invoke(*args: Any):
    return runner.invoke(app, [str(a) for a in args])


def write(path: Path, content: Any) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8")
    return path


@pytest.mark.parametrize("action, vpc, code", [
    ("s3:GetObject", "vpc-111", 0),     # Allow
    ("s3:GetObject", "vpc-222", 1),     # ImplicitDeny, near miss
    ("s3:DeleteObject", "vpc-111", 1),  # ExplicitDeny
])
def test_check_explain_keeps_the_exit_code(tmp_path, action, vpc, code):
    policy = write(tmp_path / "reports.json", READ_REPORTS)
    args = ("check", policy, "-a", action, "-r", REPORT, "-p", ALICE, "-c", f"aws:SourceVpc={vpc}")
    plain, explained_run = invoke(*args), invoke(*args, "--explain")
    assert plain.exit_code == explained_run.exit_code == code, explained_run.output
    as_json, explained_json = invoke(*args, "--json"), invoke(*args, "--json", "--explain")
    assert as_json.exit_code == explained_json.exit_code == code
    plain_payload, payload = json.loads(as_json.stdout), json.loads(explained_json.stdout)
    assert "explanation" not in plain_payload
    assert payload["decision"] == plain_payload["decision"] == payload["explanation"]["decision"]
    assert payload["summary"] == plain_payload["summary"]
    assert payload["reasons"] == plain_payload["reasons"]


def test_check_explain_prints_the_tree_with_the_near_miss(tmp_path):
    policy = write(tmp_path / "reports.json", READ_REPORTS)
    result = invoke("check", policy, "-a", "s3:GetObject", "-r", REPORT, "-p", ALICE,
                    "-c", "aws:SourceVpc=vpc-222", "--explain")
    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())
    for words in ("ImplicitDeny", "identity-based policies: no Allow", "near miss: Allow statement ReadReports",
                  "StringEquals aws:SourceVpc", "`vpc-222`", "`vpc-111`", "derived context keys",
                  "aws:username = alice", "The closest statement was ReadReports"):
        assert words in text, words
    assert "Traceback" not in result.output


def test_check_explain_json_has_gates(tmp_path):
    policy = write(tmp_path / "reports.json", READ_REPORTS)
    result = invoke("check", policy, "-a", "s3:DeleteObject", "-r", REPORT, "-p", ALICE, "--explain", "--json")
    assert result.exit_code == 1
    explanation = json.loads(result.stdout)["explanation"]
    assert explanation["decision"] == "ExplicitDeny"
    identity = gate(explanation, "identity-based policies")
    assert identity["verdict"] == "deny"
    assert statement(identity, "NeverDelete")["effect"] == "Deny"
    assert explanation["derived"]["aws:username"] == "alice"
    assert "NeverDelete" in explanation["headline"]


def test_check_explain_on_invalid_policy_still_exits_2(tmp_path):
    bad = write(tmp_path / "bad.json", {"Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]})
    result = invoke("check", bad, "-a", "s3:GetObject", "--explain")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


SCENARIOS = [
    {"id": "reads-from-vpc", "expect": "Allow",
     "policies": {"identity": [{"name": "reports", "document": READ_REPORTS}]},
     "request": {"principal": ALICE, "action": "s3:GetObject", "resource": REPORT,
                 "context": {"aws:SourceVpc": "vpc-111"}}},
    {"id": "reads-from-elsewhere", "expect": "ImplicitDeny",
     "policies": {"identity": [{"name": "reports", "document": READ_REPORTS}]},
     "request": {"principal": ALICE, "action": "s3:GetObject", "resource": REPORT,
                 "context": {"aws:SourceVpc": "vpc-222"}}},
]


@pytest.mark.parametrize("expects, code", [(("Allow", "ImplicitDeny"), 0), (("Allow", "Allow"), 1)])
def test_run_explain_json_keeps_the_exit_code_and_adds_explanations(tmp_path, expects, code):
    scenarios = [{**s, "expect": e} for s, e in zip(SCENARIOS, expects)]
    path = write(tmp_path / "scenarios.json", scenarios)
    plain, explained_run = invoke("run", path, "--json"), invoke("run", path, "--explain", "--json")
    assert plain.exit_code == explained_run.exit_code == code, explained_run.output
    plain_lines = [json.loads(line) for line in plain.stdout.splitlines() if line.strip()]
    lines = [json.loads(line) for line in explained_run.stdout.splitlines() if line.strip()]
    assert [line["id"] for line in lines] == ["reads-from-vpc", "reads-from-elsewhere"]
    for before, after in zip(plain_lines, lines):
        explanation = after.pop("explanation")
        assert after == before
        assert explanation["decision"] == after["decision"]
        assert [(g["gate"], g["title"]) for g in explanation["gates"]][:1] == [("resource_policy", "resource-based policy")]
    allowed, denied = (line_["explanation"] for line_ in
                       [json.loads(x) for x in explained_run.stdout.splitlines() if x.strip()])
    assert statement(gate(allowed, "identity-based policies"), "ReadReports")["policy"] == "reports"
    near = statement(gate(denied, "identity-based policies"), "ReadReports", "near_misses")
    assert near["conditions"][0]["request"] == ["vpc-222"]
    assert near["conditions"][0]["policy"] == ["vpc-111"]


def test_run_explain_prints_a_tree_per_scenario(tmp_path):
    path = write(tmp_path / "scenarios.json", SCENARIOS)
    result = invoke("run", path, "--explain")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert text.count("identity-based policies:") == 2
    assert "near miss: Allow statement ReadReports of reports" in text
    assert "2 scenarios: 2 as expected" in text


def test_run_explain_leaves_invalid_scenarios_unexplained(tmp_path):
    broken = {"id": "broken", "policies": {"identity": [{"Statement": [{"Effect": "Allow"}]}]},
              "request": {"principal": ALICE, "action": "s3:GetObject"}}
    path = write(tmp_path / "scenarios.json", [SCENARIOS[0], broken])
    plain, explained_run = invoke("run", path, "--json"), invoke("run", path, "--json", "--explain")
    assert plain.exit_code == explained_run.exit_code == 2
    lines = [json.loads(line) for line in explained_run.stdout.splitlines() if line.strip()]
    assert "explanation" in lines[0]
    assert "error" in lines[1] and "explanation" not in lines[1]


# --------------------------------------------------- explanations never change decisions

CORPUS = conformance_scenarios()


def test_conformance_corpus_is_there():
    assert len(CORPUS) > 500
    assert all(s.error is None for s in CORPUS)


@pytest.mark.parametrize("scenario", CORPUS, ids=[s.id for s in CORPUS])
def test_explaining_never_changes_the_decision(scenario):
    result = scenario.authorizer().authorize(scenario.request)
    explanation = explain(scenario.authorizer(), scenario.request)
    assert explanation.result == result
    assert explanation.as_dict()["decision"] == str(result.decision) == str(scenario.expect)
    # The tree agrees with the decision: an ExplicitDeny has a denying gate, nothing else has one,
    # and every statement the decision rests on appears as applied.
    assert any(g.verdict == "deny" for g in explanation.gates if g.read) == (result.decision == "ExplicitDeny")
    applied = {(t.kind, t.policy, t.statement) for g in explanation.gates for t in g.applied}
    assert {(m.ref.kind, m.ref.policy, m.ref.statement) for m in result.reasons} <= applied


_GATE_OF_SUMMARY = {"no identity-based policy": "identity-based policies",
                    "no resource-based policy": "resource-based policy",
                    "no permissions boundary": "permissions boundary",
                    "no session policy": "session policies"}


def test_conformance_deciding_gate_is_never_shown_as_not_applicable():
    """Over the corpus: the gate an ImplicitDeny summary names must read `no-allow`."""
    wrong = []
    for scenario in CORPUS:
        explanation = explain(scenario.authorizer(), scenario.request)
        for prefix, name in _GATE_OF_SUMMARY.items():
            if explanation.result.summary.startswith(prefix):
                verdict = next(g.verdict for g in explanation.gates if g.title == name)
                if verdict != "no-allow":
                    wrong.append((scenario.id, name, verdict))
    assert wrong == []


def _corpus():
    root = Path(__file__).resolve().parent.parent / "fixtures"
    return [s for s in iameval.load_scenarios(root / "scenarios", root / "conformance") if s.error is None]


def test_every_explanation_agrees_with_its_decision():
    """The trace and the decision read the same rules: a gate shows a Deny exactly when the
    decision is ExplicitDeny, and the gate the result names is the one marked decided."""
    checked = 0
    for scenario in _corpus():
        try:
            explanation = explain(scenario.authorizer(), scenario.request)
        except iameval.RequestError:
            continue
        result = explanation.result
        assert [g.id for g in explanation.gates if g.decided] == [result.gate], scenario.id
        if result.rule is not None:
            # A rule of the service decided (§2.7): one that refuses only where no Deny applied.
            assert explanation.gates[0].id == "service_rule"
            assert result.allowed or not any(g.verdict == "deny" and g.read for g in explanation.gates)
            continue
        denying = [g.id for g in explanation.gates if g.verdict == "deny"]
        assert bool(denying) == (result.decision == "ExplicitDeny"), (scenario.id, denying, result)
        checked += 1
    assert checked > 500


@pytest.mark.parametrize("empty", [{"Condition": {}}, {"Condition": {"StringEquals": {}}},
                                   {"NotResource": [], "Resource": None},
                                   {"NotAction": [], "Action": None}],
                         ids=["empty Condition", "operator without keys", "empty NotResource", "empty NotAction"])
def test_a_statement_without_effect_is_not_shown_as_applying(empty):
    """§12.2: a Deny with an empty element applies to nothing, in the decision and in its trace."""
    deny = {k: v for k, v in {**stmt("Empty", "Deny", "s3:GetObject"), **empty}.items() if v is not None}
    authorizer = iameval.Authorizer(identity=[named(doc(stmt("Read", "Allow", "s3:GetObject"), deny),
                                                    "identity", "with-empty")])
    explanation, data, _ = explained(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT})
    assert explanation.decision == "Allow"
    [identity] = [g for g in explanation.gates if g.id == "identity"]
    assert identity.verdict == "allow"
    assert [t.statement for t in identity.applied] == ["Read"]
