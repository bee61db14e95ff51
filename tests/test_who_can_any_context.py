"""`who-can --any-context`: the principals some context allows, found by z3 and replayed (IAM-SEMANTICS §8, §9, §10).

On the small account of fixtures/accounts, whose DevTeamPolicy lets a user start the instances
tagged with its own team (`${aws:PrincipalTag/team}`, §9); and on an account written here whose
user has two conditions that cannot hold together, which the default heuristic lists as
"allowed if" and the search rules out.
"""

from __future__ import annotations

import json
from pathlib import Path

from iameval.analysis._any_context import some_context
from iameval.inputs._accounts import load_account, who_can
from helpers import A, FIXTURES, invoke

SMALL = FIXTURES / "accounts" / "small-account.json"
INSTANCE = f"arn:aws:ec2:us-east-1:{A}:instance/i-0123456789abcdef0"
ALICE, CAROL, DAVE = (f"arn:aws:iam::{A}:user/{n}" for n in ("alice", "carol", "dave"))
ADMIN_ROLE = f"arn:aws:iam::{A}:role/AdminRole"


def allowed(answers) -> dict[str, dict]:
    return {a.principal.arn: a.context for a in answers if a.allowed}


def test_some_context_allows_the_users_of_each_team():
    """The resource's tag must equal the caller's (§9): alice and carol each for their own team,
    an untagged user for none (its tag is absent, the variable resolves to nothing)."""
    account = load_account(str(SMALL))
    answers = who_can(account, "ec2:StartInstances", INSTANCE, some_context=some_context)
    found = allowed(answers)
    assert set(found) == {ALICE, CAROL, ADMIN_ROLE}
    assert found[ALICE]["aws:ResourceTag/team"] == "blue" and found[CAROL]["aws:ResourceTag/team"] == "red"
    assert found[ADMIN_ROLE] is None  # allowed as asked, no context needed
    for answer in answers:
        if answer.context is not None:  # replayed: the answer's result is that request's
            principal = answer.principal
            request = {"principal": principal.arn, "action": "ec2:StartInstances", "resource": INSTANCE,
                       "context": answer.context}
            assert principal.authorizer().authorize(request).allowed
    assert all(a.unknown is None for a in answers)


def _account(tmp_path: Path, condition: dict) -> Path:
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": condition}]}
    export = {"UserDetailList": [{"Path": "/", "UserName": "dave", "UserId": "AIDADAVEEXAMPLE000004", "Arn": DAVE,
                                  "UserPolicyList": [{"PolicyName": "Tagged", "PolicyDocument": document}],
                                  "GroupList": [], "AttachedManagedPolicies": [], "Tags": []}],
              "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    path = tmp_path / "account.json"
    path.write_text(json.dumps(export))
    return path


def test_conditions_that_cannot_hold_together_allow_no_one(tmp_path):
    """A tag that must equal `a` and differ from `a` (§8.4): the heuristic takes each condition
    alone and lists dave as "allowed if"; no context allows him."""
    path = _account(tmp_path, {"StringEquals": {"aws:RequestTag/x": "a"}, "StringNotEquals": {"aws:RequestTag/x": "a"}})
    account = load_account(str(path))
    (heuristic,) = who_can(account, "s3:PutObject", "arn:aws:s3:::b/k")
    assert heuristic.conditional
    (exact,) = who_can(account, "s3:PutObject", "arn:aws:s3:::b/k", some_context=some_context)
    assert not exact.allowed and exact.unknown is None and not exact.conditional


def test_who_can_command_any_context(tmp_path):
    path = _account(tmp_path, {"StringEquals": {"aws:RequestTag/x": "a"}})
    result = invoke("who-can", "--account-details", str(path), "-a", "s3:PutObject", "-r", "arn:aws:s3:::b/k",
                    "--any-context", "--json")
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert line["principal"] == DAVE and line["decision"] == "Allow"
    assert line["context"] == {"aws:RequestTag/x": "a"}
    text = invoke("who-can", "--account-details", str(path), "-a", "s3:PutObject", "--any-context")
    assert 'with context {"aws:RequestTag/x": "a"}' in text.stdout
    both = invoke("who-can", "--account-details", str(path), "-a", "s3:PutObject", "--any-context",
                  "--context", "aws:RequestTag/x=a")
    assert both.exit_code == 2


def test_the_role_view_shows_the_context_that_lets_a_user_assume(tmp_path):
    """A trust policy that names dave and asks for MFA (§2.5, §10): the role view with
    --any-context lists him allowed, with the context found; without it, "allowed if"."""
    path = _account(tmp_path, {"StringEquals": {"aws:RequestTag/x": "a"}})
    export = json.loads(path.read_text())
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": DAVE},
                                                      "Action": "sts:AssumeRole",
                                                      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    export["RoleDetailList"] = [{"Path": "/", "RoleName": "Mfa", "RoleId": "AROAMFAEXAMPLE000001",
                                 "Arn": f"arn:aws:iam::{A}:role/Mfa", "AssumeRolePolicyDocument": trust,
                                 "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": []}]
    path.write_text(json.dumps(export))
    found = invoke("who-can", "--account-details", str(path), "--assume", "--any-context", "--json")
    assert found.exit_code == 0, found.output
    (view,) = [json.loads(x) for x in found.stdout.splitlines()]
    assert view["allowed"] == [DAVE] and view["contexts"] == {DAVE: {"aws:MultiFactorAuthPresent": "true"}}
    heuristic = json.loads(invoke("who-can", "--account-details", str(path), "--assume", "--json").stdout)
    assert heuristic["allowed"] == [] and [a["principal"] for a in heuristic["allowed_if"]] == [DAVE]


def test_a_tag_the_caller_lacks_is_absent_where_a_variable_reads_it():
    """`${aws:PrincipalTag/team}` in a Resource (§9) reads the caller's tag, which the account
    says it does not have (§10): absent, the variable matches nothing; never a tag the search
    invents. A tag it has is its value."""
    from iameval import Authorizer, load_policy

    policy = load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/${aws:PrincipalTag/team}/*"}]},
        "identity")
    authorizer = Authorizer(identity=[policy])
    report = "arn:aws:s3:::shared/blue/report.csv"
    found, reason = some_context(authorizer, DAVE, "s3:GetObject", report, {})
    assert found is None and reason is None
    found, reason = some_context(authorizer, DAVE, "s3:GetObject", report, {"aws:PrincipalTag/team": "blue"})
    assert found is not None and found.context == {"aws:PrincipalTag/team": "blue"}
