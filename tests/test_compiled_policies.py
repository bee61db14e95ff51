"""A policy is compiled once per policy object, kind and label, and shared (issue 14: a managed
policy attached to thousands of roles was compiled for each of them).

`engine._compile.compiled` keeps a policy's compiled form with the `Policy` object
(`Policy.derived`); every `Authorizer` holding the object uses it. The account is
fixtures/accounts/small-account.json, where alice and carol are both in the group `developers`,
with its managed policy `DevTeamPolicy` and its inline policy `DevelopersRead`.
"""

from __future__ import annotations

import copy
import pickle
from dataclasses import replace

import pytest
from iameval import Authorizer, load_policy
from iameval.engine._compile import compiled
from iameval.inputs._accounts import Account, load_account, who_can
from iameval.policy._model import PolicyKind
from helpers import A, FIXTURES, allow, deny, doc

SMALL = FIXTURES / "accounts" / "small-account.json"
ALICE = f"arn:aws:iam::{A}:user/alice"
CAROL = f"arn:aws:iam::{A}:user/carol"


def _principals():
    account = load_account(str(SMALL))
    return account, {p.arn: p for p in account.principals}


def _statements(authorizer: Authorizer, label: str) -> list:
    return [s for s in authorizer.identity.statements if s.ref.policy == label]


def test_principals_sharing_a_managed_policy_share_its_compiled_statements() -> None:
    _, principals = _principals()
    alice, carol = principals[ALICE], principals[CAROL]
    shared = [p for p in alice.identity if any(p is q for q in carol.identity)]
    assert {p.name for p in shared} >= {"DevTeamPolicy"}
    first, second = alice.authorizer(), carol.authorizer()
    for policy in shared:
        mine, theirs = _statements(first, policy.name), _statements(second, policy.name)
        assert mine and len(mine) == len(policy.statement)
        assert all(a is b for a, b in zip(mine, theirs))
        assert compiled(policy, PolicyKind.IDENTITY, policy.name) is compiled(policy, PolicyKind.IDENTITY, policy.name)


def test_a_policy_is_compiled_apart_for_each_kind_and_label() -> None:
    policy = load_policy(doc(allow("s3:GetObject", "arn:aws:s3:::b/*"), deny("s3:PutObject")), "identity")
    as_identity = Authorizer(identity=[policy, policy])
    as_boundary = Authorizer(permission_boundary=policy)
    first, second = as_identity.identity.statements[:2], as_identity.identity.statements[2:]
    assert [s.ref.policy for s in first + second] == ["identity[0]"] * 2 + ["identity[1]"] * 2
    assert not any(a is b for a, b in zip(first, second))
    boundary = as_boundary.permission_boundary.statements
    assert [s.ref.kind for s in boundary] == [PolicyKind.PERMISSION_BOUNDARY] * 2
    # A second authorizer of the same policy in the same places shares all of it.
    again = Authorizer(identity=[policy, policy])
    assert all(a is b for a, b in zip(as_identity.identity.statements, again.identity.statements))


def test_a_copy_of_a_policy_is_compiled_afresh_with_its_own_name() -> None:
    policy = load_policy(doc(allow("s3:GetObject")), "identity", name="Original")
    Authorizer(identity=[policy])
    renamed = policy.model_copy(update={"name": "Renamed"})
    (statement,) = Authorizer(identity=[renamed]).identity.statements
    assert statement.ref.policy == "Renamed"
    for other in (copy.copy(policy), copy.deepcopy(policy), pickle.loads(pickle.dumps(policy))):
        (again,) = Authorizer(identity=[other]).identity.statements
        assert again is not Authorizer(identity=[policy]).identity.statements[0]
        assert (again.ref.kind, again.ref.policy, again.ref.statement) == (PolicyKind.IDENTITY, "Original",
                                                                           "Statement[0]")


# alice (tag team=blue) and carol (team=red) share `DevTeamPolicy`, whose `Resource` reads
# `${aws:PrincipalTag/team}`: one compiled statement, a different answer for each.
@pytest.mark.parametrize("action, resource, alice, carol", [
    ("s3:PutObject", "arn:aws:s3:::team-bucket/blue/a.txt", "Allow", "ImplicitDeny"),
    ("s3:PutObject", "arn:aws:s3:::team-bucket/red/a.txt", "ImplicitDeny", "Allow"),
    ("s3:GetObject", "arn:aws:s3:::shared-bucket/a", "Allow", "ExplicitDeny"),
    ("iam:CreateUser", "*", "ImplicitDeny", "ImplicitDeny"),
    ("ec2:StartInstances", f"arn:aws:ec2:us-east-1:{A}:instance/i-1", "ImplicitDeny", "ImplicitDeny"),
])
def test_shared_compiled_policies_answer_as_policies_compiled_alone(action: str, resource: str, alice: str,
                                                                     carol: str) -> None:
    account, _ = _principals()
    answers = who_can(account, action, resource)
    decisions = {a.principal.arn: a.result.decision for a in answers if a.result is not None}
    assert (decisions[ALICE], decisions[CAROL]) == (alice, carol)
    shared = {a.principal.arn: (a.result, a.allowed_if, a.unless) for a in answers}
    # The same account, every policy a copy of its own (copies start uncompiled): nothing shared.
    alone = Account(tuple(replace(p, identity=tuple(copy.copy(q) for q in p.identity),
                                  permission_boundary=copy.copy(p.permission_boundary))
                          for p in account.principals), account.warnings)
    assert any(len(p.identity) > 1 for p in alone.principals)
    assert shared == {a.principal.arn: (a.result, a.allowed_if, a.unless) for a in who_can(alone, action, resource)}
