"""Policy variables and the keys iameval derives from the request (IAM-SEMANTICS §9, §1, §10).

Each row is one identity policy (Version 2012-10-17 unless the row says otherwise), one request
and the decision AWS gives. Rows with a Deny statement add an unconditional Allow first, so
the decision says whether the Deny applied.
"""

from __future__ import annotations

from typing import Any

import pytest

import iameval
from helpers import (A, ALICE, ANONYMOUS, B, BUCKET, FED_CAROL, READER_ROLE, READER_SESSION, ROOT_A,
                     evaluation_warnings)

ALICE_WITH_PATH = f"arn:aws:iam::{A}:user/staff/alice"
APP_READER_ROLE = f"arn:aws:iam::{A}:role/app/Reader"

ALLOW = "Allow"
DENY = "ImplicitDeny"
EXPLICIT = "ExplicitDeny"

V2012 = "2012-10-17"
V2008 = "2008-10-17"
NO_VERSION = None


def _policy(statements: list[dict], version: str | None = V2012) -> iameval.Policy:
    document: dict[str, Any] = {"Statement": statements}
    if version is not None:
        document["Version"] = version
    return iameval.load_policy(document, "identity")


def _authorize(statements: list[dict], resource: str, context: dict | None = None,
               principal: str = ALICE, version: str | None = V2012, **request: Any) -> iameval.Result:
    return iameval.Authorizer(identity=[_policy(statements, version)]).authorize(
        {"principal": principal, "action": "s3:GetObject", "resource": resource,
         "context": context or {}, **request})


def allow_on(resource: str | list[str]) -> list[dict]:
    return [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}]


def allow_if(condition: dict) -> list[dict]:
    return [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": condition}]


def deny(**element: Any) -> list[dict]:
    return [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:GetObject", **element}]


def row(fact: str, statements: list[dict], resource: str, context: dict, expected: str,
        principal: str = ALICE, version: str | None = V2012, warns: bool = False):
    return pytest.param(statements, resource, context, expected, principal, version, warns, id=fact)


ROW_ARGS = "statements, resource, context, expected, principal, version, warns"


def _check(statements, resource, context, expected, principal, version, warns) -> None:
    result = _authorize(statements, resource, context, principal, version)
    assert str(result.decision) == expected
    assert bool(evaluation_warnings(result)) == warns, result.warnings


HOME = f"{BUCKET}/home/${{aws:username}}/*"

# ------------------------------------------------------------------------ Substitution (§9)

SUBSTITUTION_ROWS = [
    row("${aws:username} in Resource is the caller's user name", allow_on(HOME), f"{BUCKET}/home/alice/notes.txt", {}, ALLOW),
    row("${aws:username} in Resource does not reach another user's folder",
        allow_on(HOME), f"{BUCKET}/home/bob/notes.txt", {}, DENY),
    row("${aws:username} is the friendly name, without the user's path",
        allow_on(HOME), f"{BUCKET}/home/alice/x", {}, ALLOW, principal=ALICE_WITH_PATH),
    row("${aws:username} in a StringEquals value is the caller's user name",
        allow_if({"StringEquals": {"s3:prefix": "${aws:username}"}}), BUCKET, {"s3:prefix": "alice"}, ALLOW),
    row("${aws:username} in a StringEquals value does not match another name",
        allow_if({"StringEquals": {"s3:prefix": "${aws:username}"}}), BUCKET, {"s3:prefix": "bob"}, DENY),
    row("${aws:username} in a StringLike value keeps the pattern's wildcards",
        allow_if({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}), BUCKET, {"s3:prefix": "home/alice/a/b"}, ALLOW),
    row("${aws:username} in a StringEqualsIgnoreCase value ignores case",
        allow_if({"StringEqualsIgnoreCase": {"s3:prefix": "${aws:username}"}}), BUCKET, {"s3:prefix": "ALICE"}, ALLOW),
    row("${aws:username} in an ArnLike value is substituted in the resource segment",
        allow_if({"ArnLike": {"aws:SourceArn": f"arn:aws:iam::{A}:user/${{aws:username}}"}}),
        BUCKET, {"aws:SourceArn": ALICE}, ALLOW),
    row("${aws:PrincipalTag/team} takes the tag's value",
        allow_on(f"{BUCKET}/${{aws:PrincipalTag/team}}/*"), f"{BUCKET}/blue/x", {"aws:PrincipalTag/team": "blue"}, ALLOW),
    row("a variable is substituted among other values of the same key",
        allow_if({"StringEquals": {"s3:prefix": ["${aws:username}", "shared"]}}), BUCKET, {"s3:prefix": "shared"}, ALLOW),
    row("variable key names ignore case (${AWS:USERNAME})", allow_on(f"{BUCKET}/home/${{AWS:USERNAME}}/*"),
        f"{BUCKET}/home/alice/x", {}, ALLOW),
    row("variable key names ignore case, tag key included",
        allow_on(f"{BUCKET}/${{aws:principaltag/TEAM}}/*"), f"{BUCKET}/blue/x", {"aws:PrincipalTag/Team": "blue"}, ALLOW),
    row("a variable's value keeps its case", allow_on(f"{BUCKET}/${{aws:PrincipalTag/team}}/*"),
        f"{BUCKET}/blue/x", {"aws:PrincipalTag/team": "Blue"}, DENY),
]


@pytest.mark.parametrize(ROW_ARGS, SUBSTITUTION_ROWS)
def test_variable_substitution(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


# --------------------------------------------------------------------------- Defaults (§9)

TEAM_OR_DEFAULT = f"{BUCKET}/${{aws:PrincipalTag/team, 'company-wide'}}/*"

DEFAULT_ROWS = [
    row("a default is used when the key is absent", allow_on(TEAM_OR_DEFAULT), f"{BUCKET}/company-wide/x", {}, ALLOW),
    row("a default is not used when the key is present",
        allow_on(TEAM_OR_DEFAULT), f"{BUCKET}/company-wide/x", {"aws:PrincipalTag/team": "blue"}, DENY),
    row("the key's value replaces the default when present",
        allow_on(TEAM_OR_DEFAULT), f"{BUCKET}/blue/x", {"aws:PrincipalTag/team": "blue"}, ALLOW),
    row("an empty value is present, so the default is not used",
        allow_on(TEAM_OR_DEFAULT), f"{BUCKET}/company-wide/x", {"aws:PrincipalTag/team": ""}, DENY),
    row("an empty value is substituted as empty text",
        allow_on(TEAM_OR_DEFAULT), f"{BUCKET}//x", {"aws:PrincipalTag/team": ""}, ALLOW),
    row("a default in a condition value is used when the key is absent",
        allow_if({"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team, 'none'}"}}), BUCKET, {"s3:prefix": "none"}, ALLOW),
    row("a default in a condition value is ignored when the key is present",
        allow_if({"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team, 'none'}"}}), BUCKET,
        {"s3:prefix": "none", "aws:PrincipalTag/team": "blue"}, DENY),
    row("a default makes StringNotEquals compare with the default",
        deny(Resource="*", Condition={"StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team, 'open'}"}}),
        f"{BUCKET}/x", {"s3:ExistingObjectTag/Team": "open"}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, DEFAULT_ROWS)
def test_variable_defaults(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


# ---------------------------------------------------------------------------- Escapes (§9)

ESCAPE_ROWS = [
    row("${*} in Resource matches a literal *", allow_on(f"{BUCKET}/${{*}}"), f"{BUCKET}/*", {}, ALLOW),
    row("${*} in Resource is not a wildcard", allow_on(f"{BUCKET}/${{*}}"), f"{BUCKET}/abc", {}, DENY),
    row("${?} in Resource matches a literal ?", allow_on(f"{BUCKET}/a${{?}}"), f"{BUCKET}/a?", {}, ALLOW),
    row("${?} in Resource is not a one-character wildcard", allow_on(f"{BUCKET}/a${{?}}"), f"{BUCKET}/ab", {}, DENY),
    row("${$} in Resource matches a literal $", allow_on(f"{BUCKET}/${{$}}x"), f"{BUCKET}/$x", {}, ALLOW),
    row("${*} in StringLike matches a literal *", allow_if({"StringLike": {"s3:prefix": "a${*}"}}), BUCKET, {"s3:prefix": "a*"}, ALLOW),
    row("${*} in StringLike is not a wildcard", allow_if({"StringLike": {"s3:prefix": "a${*}"}}), BUCKET, {"s3:prefix": "ab"}, DENY),
    row("${?} in StringLike matches a literal ?", allow_if({"StringLike": {"s3:prefix": "a${?}"}}), BUCKET, {"s3:prefix": "a?"}, ALLOW),
    row("${?} in StringLike is not a one-character wildcard",
        allow_if({"StringLike": {"s3:prefix": "a${?}"}}), BUCKET, {"s3:prefix": "ab"}, DENY),
    row("${$} in StringLike matches a literal $, next to a live wildcard",
        allow_if({"StringLike": {"s3:prefix": "${$}*"}}), BUCKET, {"s3:prefix": "$HOME"}, ALLOW),
    row("${$}{...} spells a variable literally", allow_if({"StringLike": {"s3:prefix": "${$}{aws:username}"}}),
        BUCKET, {"s3:prefix": "${aws:username}"}, ALLOW),
    row("${$}{...} is not substituted", allow_if({"StringLike": {"s3:prefix": "${$}{aws:username}"}}),
        BUCKET, {"s3:prefix": "alice"}, DENY),
]


@pytest.mark.parametrize(ROW_ARGS, ESCAPE_ROWS)
def test_escapes(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


# ------------------------------------------------------------------------ Version gate (§9)

VERSION_ROWS = [
    row("under 2008-10-17 ${aws:username} in Resource is literal text",
        allow_on(f"{BUCKET}/${{aws:username}}"), f"{BUCKET}/${{aws:username}}", {}, ALLOW, version=V2008),
    row("under 2008-10-17 ${aws:username} in Resource is not substituted",
        allow_on(f"{BUCKET}/${{aws:username}}"), f"{BUCKET}/alice", {}, DENY, version=V2008),
    row("without Version ${aws:username} in Resource is literal text",
        allow_on(f"{BUCKET}/${{aws:username}}"), f"{BUCKET}/${{aws:username}}", {}, ALLOW, version=NO_VERSION),
    row("without Version ${aws:username} in Resource is not substituted",
        allow_on(f"{BUCKET}/${{aws:username}}"), f"{BUCKET}/alice", {}, DENY, version=NO_VERSION),
    row("under 2008-10-17 the * inside ${*} keeps its wildcard meaning",
        allow_on(f"{BUCKET}/${{*}}"), f"{BUCKET}/${{anything}}", {}, ALLOW, version=V2008),
    row("under 2008-10-17 ${*} does not match a bare *", allow_on(f"{BUCKET}/${{*}}"), f"{BUCKET}/*", {}, DENY, version=V2008),
    row("without Version the * inside ${...} keeps its wildcard meaning",
        allow_on(f"{BUCKET}/${{aws:*}}"), f"{BUCKET}/${{aws:username}}", {}, ALLOW, version=NO_VERSION),
    row("under 2008-10-17 ${aws:username} in StringLike is literal text",
        allow_if({"StringLike": {"s3:prefix": "${aws:username}/*"}}), BUCKET, {"s3:prefix": "${aws:username}/x"},
        ALLOW, version=V2008),
    row("under 2008-10-17 ${aws:username} in StringLike is not substituted",
        allow_if({"StringLike": {"s3:prefix": "${aws:username}/*"}}), BUCKET, {"s3:prefix": "alice/x"}, DENY, version=V2008),
    row("without Version ${aws:username} in StringEquals is literal text",
        allow_if({"StringEquals": {"s3:prefix": "${aws:username}"}}), BUCKET, {"s3:prefix": "alice"}, DENY,
        version=NO_VERSION),
    row("under 2008-10-17 an unclosed ${ is plain text, not an error",
        allow_on(f"{BUCKET}/${{"), f"{BUCKET}/${{", {}, ALLOW, version=V2008),
    row("without Version an empty ${} is plain text, not an error",
        allow_if({"StringEquals": {"s3:prefix": "${}"}}), BUCKET, {"s3:prefix": "${}"}, ALLOW, version=NO_VERSION),
]


@pytest.mark.parametrize(ROW_ARGS, VERSION_ROWS)
def test_version_gate(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


# ------------------------------------------------------------- Unresolvable variables (§9)

TEAM_FOLDER = f"{BUCKET}/${{aws:PrincipalTag/team}}/*"
# AWS's example: deny reading an object whose Team tag differs from the caller's Team tag.
TEAM_GUARD = deny(Resource="*", Condition={
    "StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}})

UNRESOLVED_ROWS = [
    row("an unresolvable variable in an Allow Resource matches nothing",
        allow_on(TEAM_FOLDER), f"{BUCKET}/blue/x", {}, DENY),
    row("an unresolvable variable does not match even a literal ${...} resource",
        allow_on(TEAM_FOLDER), f"{BUCKET}/${{aws:PrincipalTag/team}}/x", {}, DENY),
    row("an unresolvable entry does not stop the other Resource entries",
        allow_on([TEAM_FOLDER, f"{BUCKET}/public/*"]), f"{BUCKET}/public/x", {}, ALLOW),
    row("${aws:username} is unresolvable for a role session",
        allow_on(HOME), f"{BUCKET}/home/alice-session/x", {}, DENY, principal=READER_SESSION),
    row("a Deny NotResource entry with an unresolvable variable excludes nothing, so the Deny applies",
        deny(NotResource=TEAM_FOLDER), f"{BUCKET}/blue/x", {}, EXPLICIT),
    row("a Deny NotResource entry with a resolved variable excludes its resources",
        deny(NotResource=TEAM_FOLDER), f"{BUCKET}/blue/x", {"aws:PrincipalTag/team": "blue"}, ALLOW),
    row("a Deny NotResource entry with a resolved variable covers other resources",
        deny(NotResource=TEAM_FOLDER), f"{BUCKET}/red/x", {"aws:PrincipalTag/team": "blue"}, EXPLICIT),
    row("StringEquals with an unresolvable variable matches nothing",
        allow_if({"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}), BUCKET, {"s3:prefix": ""}, DENY),
    row("StringEquals with an unresolvable variable does not match the variable's text",
        allow_if({"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}), BUCKET,
        {"s3:prefix": "${aws:PrincipalTag/team}"}, DENY),
    row("StringLike with an unresolvable variable matches nothing",
        allow_if({"StringLike": {"s3:prefix": "*${aws:PrincipalTag/team}*"}}), BUCKET, {"s3:prefix": "anything"}, DENY),
    row("StringEqualsIfExists with an unresolvable variable is false on a present key",
        allow_if({"StringEqualsIfExists": {"s3:prefix": "${aws:PrincipalTag/team}"}}), BUCKET, {"s3:prefix": "x"}, DENY),
    row("ArnLike with an unresolvable variable matches nothing",
        allow_if({"ArnLike": {"aws:SourceArn": f"arn:aws:iam::{A}:user/${{aws:PrincipalTag/owner}}"}}),
        BUCKET, {"aws:SourceArn": ALICE}, DENY),
    row("StringNotEquals with an unresolvable variable is true",
        allow_if({"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}), BUCKET, {"s3:prefix": "x"}, ALLOW),
    row("StringNotLike with an unresolvable variable is true",
        allow_if({"StringNotLike": {"s3:prefix": "*${aws:PrincipalTag/team}*"}}), BUCKET, {"s3:prefix": "x"}, ALLOW),
    row("ArnNotLike with an unresolvable variable is true",
        allow_if({"ArnNotLike": {"aws:SourceArn": f"arn:aws:iam::{A}:user/${{aws:PrincipalTag/owner}}"}}),
        BUCKET, {"aws:SourceArn": ALICE}, ALLOW),
    row("AWS's ExistingObjectTag/Team Deny applies to a caller without a Team tag",
        TEAM_GUARD, f"{BUCKET}/x", {"s3:ExistingObjectTag/Team": "blue"}, EXPLICIT),
    row("AWS's ExistingObjectTag/Team Deny spares a caller of the object's team",
        TEAM_GUARD, f"{BUCKET}/x", {"s3:ExistingObjectTag/Team": "blue", "aws:PrincipalTag/Team": "blue"}, ALLOW),
    row("AWS's ExistingObjectTag/Team Deny applies to a caller of another team",
        TEAM_GUARD, f"{BUCKET}/x", {"s3:ExistingObjectTag/Team": "blue", "aws:PrincipalTag/Team": "red"}, EXPLICIT),
]


@pytest.mark.parametrize(ROW_ARGS, UNRESOLVED_ROWS)
def test_unresolvable_variables(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


# ---------------------------------------------------- Substituted text is literal (§9)

LITERAL_ROWS = [
    row("a resolved aws:username a* does not act as a wildcard in Resource",
        allow_on(f"{BUCKET}/${{aws:username}}"), f"{BUCKET}/abc", {"aws:username": "a*"}, DENY),
    row("a resolved aws:username a* matches the literal text a*",
        allow_on(f"{BUCKET}/${{aws:username}}"), f"{BUCKET}/a*", {"aws:username": "a*"}, ALLOW),
    row("a resolved ? does not act as a wildcard in Resource",
        allow_on(f"{BUCKET}/${{aws:PrincipalTag/team}}"), f"{BUCKET}/x", {"aws:PrincipalTag/team": "?"}, DENY),
    row("a resolved a?c does not act as a wildcard in StringLike",
        allow_if({"StringLike": {"s3:prefix": "${aws:PrincipalTag/team}"}}), BUCKET,
        {"s3:prefix": "abc", "aws:PrincipalTag/team": "a?c"}, DENY),
    row("a resolved * does not act as a wildcard in StringLike, while the pattern's own * does",
        allow_if({"StringLike": {"s3:prefix": "${aws:PrincipalTag/team}/*"}}), BUCKET,
        {"s3:prefix": "*/x", "aws:PrincipalTag/team": "*"}, ALLOW),
    row("a resolved * does not act as a wildcard in ArnLike",
        allow_if({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::${aws:PrincipalTag/team}"}}), BUCKET,
        {"aws:SourceArn": "arn:aws:s3:::bx", "aws:PrincipalTag/team": "b*"}, DENY),
    row("a resolved colon stays inside the resource segment",
        allow_on(f"{BUCKET}/${{aws:PrincipalTag/team}}"), f"{BUCKET}/x:y", {"aws:PrincipalTag/team": "x:y"}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, LITERAL_ROWS)
def test_substituted_text_is_literal(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


# ----------------------------------------------------------- List values as variables (§9)

LIST_ROWS = [
    row("a list value for a variable in Resource is unresolved and reported",
        allow_on(f"{BUCKET}/${{aws:PrincipalTag/team}}"), f"{BUCKET}/blue", {"aws:PrincipalTag/team": ["blue"]},
        DENY, warns=True),
    row("a list value for a variable in StringEquals is unresolved and reported",
        allow_if({"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}), BUCKET,
        {"s3:prefix": "blue", "aws:PrincipalTag/team": ["blue", "red"]}, DENY, warns=True),
    row("a list value for a variable makes StringNotEquals true, and is reported",
        allow_if({"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}), BUCKET,
        {"s3:prefix": "blue", "aws:PrincipalTag/team": ["blue"]}, ALLOW, warns=True),
    row("a list value for a variable with a default is still unresolved, and is reported",
        allow_on(f"{BUCKET}/${{aws:PrincipalTag/team, 'x'}}"), f"{BUCKET}/x", {"aws:PrincipalTag/team": ["blue"]},
        DENY, warns=True),
]


@pytest.mark.parametrize(ROW_ARGS, LIST_ROWS)
def test_list_values_cannot_be_variables(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


def test_the_list_value_warning_names_the_key():
    result = _authorize(allow_on(f"{BUCKET}/${{aws:PrincipalTag/team}}"), f"{BUCKET}/blue",
                        {"aws:PrincipalTag/team": ["blue"]})
    (warning,) = evaluation_warnings(result)
    assert "aws:PrincipalTag/team" in warning


# ----------------------------------------- Where variables may stand in Resource (§9, §7.3)

@pytest.mark.parametrize("resource_pattern, resource, context", [
    pytest.param(f"arn:aws:ec2:${{aws:RequestedRegion}}:{A}:instance/*",
                 f"arn:aws:ec2:us-east-1:{A}:instance/i-1", {"aws:RequestedRegion": "us-east-1"},
                 id="a variable in the region segment never grants"),
    pytest.param("arn:aws:ec2:us-east-1:${aws:PrincipalAccount}:instance/*",
                 f"arn:aws:ec2:us-east-1:{A}:instance/i-1", {},
                 id="a variable in the account segment never grants"),
])
def test_variables_only_in_the_resource_segment(resource_pattern, resource, context):
    """Variables may stand only after the fifth colon (§9, §7.3): elsewhere they are either refused
    at load (§12.1, a variable where it is not supported) or not read as variables. Either way the
    substituted ARN must not be what grants."""
    try:
        result = _authorize(allow_on(resource_pattern), resource, context)
    except iameval.PolicyError:
        return
    assert str(result.decision) == DENY


# ------------------------------------------------------------------ Derived keys (§1, §10)

@pytest.mark.parametrize("principal, request_fields, expected", [
    pytest.param(ALICE, {}, {
        "aws:PrincipalArn": ALICE, "aws:PrincipalAccount": A, "aws:PrincipalType": "User",
        "aws:username": "alice", "aws:ResourceAccount": A},
        id="an IAM user gets aws:username and PrincipalType User"),
    pytest.param(ALICE_WITH_PATH, {}, {
        "aws:PrincipalArn": ALICE_WITH_PATH, "aws:PrincipalAccount": A, "aws:PrincipalType": "User",
        "aws:username": "alice", "aws:ResourceAccount": A},
        id="an IAM user's aws:username leaves out the path"),
    pytest.param(READER_SESSION, {}, {
        "aws:PrincipalArn": READER_ROLE, "aws:PrincipalAccount": A, "aws:PrincipalType": "AssumedRole",
        "aws:ResourceAccount": A},
        id="a role session's aws:PrincipalArn is the role ARN and it has no aws:username"),
    pytest.param(ROOT_A, {}, {
        "aws:PrincipalArn": ROOT_A, "aws:PrincipalAccount": A, "aws:PrincipalType": "Account",
        "aws:userid": A, "aws:ResourceAccount": A},
        id="the root user's aws:userid is the account ID and PrincipalType is Account"),
    pytest.param(FED_CAROL, {}, {
        "aws:PrincipalArn": FED_CAROL, "aws:PrincipalAccount": A, "aws:PrincipalType": "FederatedUser",
        "aws:userid": f"{A}:carol", "aws:ResourceAccount": A},
        id="a federated user's aws:userid is ACCOUNT:name"),
    pytest.param(ANONYMOUS, {}, {"aws:PrincipalType": "Anonymous", "aws:userid": "anonymous"},
                 id="an anonymous caller's aws:userid is anonymous"),
    pytest.param(ALICE, {"resource": f"arn:aws:dynamodb:us-east-1:{B}:table/orders"}, {
        "aws:PrincipalArn": ALICE, "aws:PrincipalAccount": A, "aws:PrincipalType": "User",
        "aws:username": "alice", "aws:ResourceAccount": B},
        id="aws:ResourceAccount comes from the resource ARN"),
    pytest.param(ALICE, {"resource_account": B}, {
        "aws:PrincipalArn": ALICE, "aws:PrincipalAccount": A, "aws:PrincipalType": "User",
        "aws:username": "alice", "aws:ResourceAccount": B},
        id="aws:ResourceAccount comes from resource_account for an S3 ARN"),
])
def test_derived_keys_per_principal_kind(principal, request_fields, expected):
    request = {"principal": principal, "action": "s3:GetObject", "resource": f"{BUCKET}/x", **request_fields}
    result = iameval.Authorizer().authorize(request)
    assert dict(result.derived) == expected


DERIVED_ROWS = [
    row("aws:username is usable in a condition for an IAM user",
        allow_if({"StringEquals": {"aws:username": "alice"}}), BUCKET, {}, ALLOW),
    row("aws:PrincipalType is User for an IAM user",
        allow_if({"StringEquals": {"aws:PrincipalType": "User"}}), BUCKET, {}, ALLOW),
    row("aws:PrincipalArn of a role session matches the role ARN",
        allow_if({"ArnEquals": {"aws:PrincipalArn": READER_ROLE}}), BUCKET, {}, ALLOW, principal=READER_SESSION),
    row("aws:PrincipalArn of a role session is not the session ARN",
        allow_if({"StringEquals": {"aws:PrincipalArn": READER_SESSION}}), BUCKET, {}, DENY, principal=READER_SESSION),
    row("aws:username is absent for a role session",
        allow_if({"Null": {"aws:username": "true"}}), BUCKET, {}, ALLOW, principal=READER_SESSION),
    row("aws:PrincipalType is AssumedRole for a role session",
        allow_if({"StringEquals": {"aws:PrincipalType": "AssumedRole"}}), BUCKET, {}, ALLOW, principal=READER_SESSION),
    row("aws:userid is not invented for an IAM user, whose unique ID no ARN carries",
        allow_if({"Null": {"aws:userid": "true"}}), BUCKET, {}, ALLOW),
    row("aws:ResourceAccount is the caller's account for an S3 ARN without resource_account",
        allow_if({"StringEquals": {"aws:ResourceAccount": A}}), f"{BUCKET}/x", {}, ALLOW),
    row("${aws:PrincipalAccount} resolves from the derived key",
        allow_if({"StringEquals": {"s3:prefix": "${aws:PrincipalAccount}"}}), BUCKET, {"s3:prefix": A}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, DERIVED_ROWS)
def test_derived_keys_in_conditions(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


GIVEN_ROWS = [
    row("a given aws:username is not overwritten by the derived one",
        allow_if({"StringEquals": {"aws:username": "bob"}}), BUCKET, {"aws:username": "bob"}, ALLOW),
    row("a given aws:username in another case is not overwritten either",
        allow_if({"StringEquals": {"aws:username": "bob"}}), BUCKET, {"AWS:USERNAME": "bob"}, ALLOW),
    row("a given aws:username is what ${aws:username} stands for",
        allow_on(HOME), f"{BUCKET}/home/bob/x", {"aws:username": "bob"}, ALLOW),
    row("a given aws:PrincipalType is not overwritten",
        allow_if({"StringEquals": {"aws:PrincipalType": "User"}}), BUCKET, {"aws:PrincipalType": "AssumedRole"}, DENY),
    row("a given aws:ResourceAccount is not overwritten",
        allow_if({"StringEquals": {"aws:ResourceAccount": B}}), f"{BUCKET}/x", {"aws:ResourceAccount": B}, ALLOW),
    row("a given aws:PrincipalArn with a role path is kept for a role session",
        allow_if({"StringEquals": {"aws:PrincipalArn": APP_READER_ROLE}}), BUCKET,
        {"aws:PrincipalArn": APP_READER_ROLE}, ALLOW, principal=READER_SESSION),
]


@pytest.mark.parametrize(ROW_ARGS, GIVEN_ROWS)
def test_given_keys_are_never_overwritten(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


@pytest.mark.parametrize("given", [
    pytest.param({"aws:username": "bob"}, id="a given aws:username is not listed as derived"),
    pytest.param({"Aws:UserName": "bob"}, id="a given aws:username in another case is not listed as derived"),
])
def test_given_keys_are_not_listed_as_derived(given):
    result = iameval.Authorizer().authorize(
        {"principal": ALICE, "action": "s3:GetObject", "resource": BUCKET, "context": given})
    assert not any(key.lower() == "aws:username" for key in result.derived)


NOT_INVENTED_ROWS = [
    row("aws:SecureTransport is not invented, so Bool true does not allow",
        allow_if({"Bool": {"aws:SecureTransport": "true"}}), BUCKET, {}, DENY),
    row("aws:SecureTransport is not invented, so Null true allows",
        allow_if({"Null": {"aws:SecureTransport": "true"}}), BUCKET, {}, ALLOW),
    row("aws:CurrentTime is not invented", allow_if({"Null": {"aws:CurrentTime": "true"}}), BUCKET, {}, ALLOW),
    row("aws:SourceIp is not invented", allow_if({"Null": {"aws:SourceIp": "true"}}), BUCKET, {}, ALLOW),
    row("aws:RequestedRegion is not invented", allow_if({"Null": {"aws:RequestedRegion": "true"}}), BUCKET, {}, ALLOW),
    row("aws:MultiFactorAuthPresent is not invented",
        allow_if({"Null": {"aws:MultiFactorAuthPresent": "true"}}), BUCKET, {}, ALLOW),
    row("aws:PrincipalOrgID is not invented", allow_if({"Null": {"aws:PrincipalOrgID": "true"}}), BUCKET, {}, ALLOW),
    row("aws:ViaAWSService is not invented", allow_if({"Null": {"aws:ViaAWSService": "true"}}), BUCKET, {}, ALLOW),
]


@pytest.mark.parametrize(ROW_ARGS, NOT_INVENTED_ROWS)
def test_nothing_else_is_invented(statements, resource, context, expected, principal, version, warns):
    _check(statements, resource, context, expected, principal, version, warns)


# ------------------------------------------------------------- Malformed variables (§9, §12.1)

@pytest.mark.parametrize("text", [
    pytest.param("${}", id="an empty ${} is a load error"),
    pytest.param("${aws:username", id="an unclosed ${aws:username is a load error"),
    pytest.param("${ aws:username}", id="a space inside ${ aws:username} is a load error"),
    pytest.param("${aws:username }", id="a trailing space inside the variable is a load error"),
    pytest.param("${aws:PrincipalTag/team,'x'}", id="a default without the space after the comma is a load error"),
    pytest.param("${aws:PrincipalTag/team, 'x}", id="a default without its closing quote is a load error"),
    pytest.param("${aws:PrincipalTag/team, x}", id="a default without quotes is a load error"),
])
@pytest.mark.parametrize("where", ["Resource", "StringEquals", "StringLike", "ArnLike"])
def test_malformed_variables_are_load_errors(text, where):
    if where == "Resource":
        statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/{text}"}
        element = "Resource"
    else:
        value = f"arn:aws:iam::{A}:user/{text}" if where == "ArnLike" else text
        statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                     "Condition": {where: {"aws:SourceArn": value}}}
        element = "aws:SourceArn"
    with pytest.raises(iameval.PolicyError) as caught:
        _policy([statement])
    paths = [p.location.path for p in caught.value.problems]
    assert paths and all(element in path for path in paths), paths


@pytest.mark.parametrize("action", [
    pytest.param("s3:${aws:username}", id="a variable in Action is a load error"),
])
def test_variables_in_action_are_load_errors(action):
    with pytest.raises(iameval.PolicyError):
        _policy([{"Effect": "Allow", "Action": action, "Resource": "*"}])
