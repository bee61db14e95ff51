"""`diff` and `can_never`: questions about every request (IAM-SEMANTICS §2-§9).

Table rows, each a fact about AWS that the symbolic reading must find (or rule out) on its own:
one per operator family, set qualifier, `IfExists`, `Null`, policy variable and chain rule.
Then the laws of the issue, as hypothesis properties over the policies of test_properties.py:
diff(P, P) is empty, an added Allow is found unless already allowed, an added Deny never
creates access, every example replays, and can-never agrees with diff against no policy.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iameval import Authorizer, load_policy
from iameval.analysis import DiffReport, can_never, diff
from iameval.policy._model import PolicyKind
from helpers import ALICE, allow, deny, invoke, scaled
from iameval.testing.strategies.policies import ACTIONS, policy_documents, requests, statements
from test_properties import shuffled

USER = "arn:aws:iam::123456789012:user/iameval-user"  # the caller `diff` searches by default


def policy(*statements_: dict, kind: str = "identity") -> object:
    return load_policy({"Version": "2012-10-17", "Statement": list(statements_)}, kind)


def allow_if(action: str | list = "s3:GetObject", resource: str = "*", **condition: dict) -> dict:
    """An Allow statement with `condition` as its Condition block, if any."""
    return allow(action, resource, **({"Condition": condition} if condition else {}))


def deny_if(action: str = "s3:GetObject", resource: str = "*", **condition: dict) -> dict:
    return deny(action, resource, **({"Condition": condition} if condition else {}))


def replays(report: DiffReport, old: list, new: list, principal: str = USER) -> None:
    """Every example is allowed by `new` and not by `old`, as the engine decides."""
    for finding in report.findings:
        request = finding.example.as_dict()
        assert request["principal"] == principal
        assert Authorizer(identity=new).authorize(request).allowed
        assert not Authorizer(identity=old).authorize(request).allowed


# ------------------------------------------------------------------------------- operators

# (fact, statements, some request is allowed, what the example's context must show)
OPERATOR_ROWS = [
    ("StringEquals allows exactly its value",
     [allow_if(StringEquals={"aws:PrincipalTag/team": "blue"})], True,
     lambda c: c["aws:PrincipalTag/team"] in ("blue", ["blue"]) or "blue" in c["aws:PrincipalTag/team"]),
    ("a value cannot both equal and not equal `a` (a negated operator takes every value of a list)",
     [allow_if(StringEquals={"k:x": "a"}, StringNotEquals={"k:x": "a"})], False, None),
    ("StringEqualsIgnoreCase matches another case that a case-sensitive Deny misses",
     [allow_if(StringEqualsIgnoreCase={"k:x": "ABC"}), deny_if(StringEquals={"k:x": ["ABC", "abc"]})], True,
     lambda c: isinstance(c["k:x"], str) and c["k:x"].casefold() == "abc" and c["k:x"] not in ("ABC", "abc")),
    ("StringLike `a?c` is covered by a Deny of `a*`",
     [allow_if(StringLike={"k:x": "a?c"}), deny_if(StringLike={"k:x": "a*"})], False, None),
    ("StringNotLike holds when the key is absent",
     [allow_if(StringNotLike={"k:x": "*"})], True, lambda c: "k:x" not in c),
    ("numbers are decimals: between 9 and 10 there is a value",
     [allow_if(NumericGreaterThan={"k:n": "9"}, NumericLessThan={"k:n": "10"})], True,
     lambda c: 9 < float(c["k:n"]) < 10),
    ("no single number is below 10 and at least 10",
     [allow_if(NumericLessThan={"k:n": "10"}, NumericGreaterThanEquals={"k:n": "10"}),
      deny_if(Null={"k:n": "false"}, **{"ForAnyValue:StringLike": {"k:t": "*"}})], True,
     lambda c: isinstance(c["k:n"], list)),
    ("DateGreaterThan and DateLessThan leave the instants between",
     [allow_if(DateGreaterThan={"aws:CurrentTime": "2030-01-01T00:00:00Z"},
            DateLessThan={"aws:CurrentTime": "2030-01-02"})], True,
     lambda c: str(c["aws:CurrentTime"]).startswith("2030-01-01")),
    ("Bool: a Deny of `false` leaves `true`",
     [allow_if(Bool={"aws:SecureTransport": "true"}), deny_if(Bool={"aws:SecureTransport": "false"})], True,
     lambda c: c["aws:SecureTransport"] == "true"),
    ("Bool: a Deny of `true` leaves nothing that an Allow of `true` allows",
     [allow_if(Bool={"aws:SecureTransport": "true"}), deny_if(Bool={"aws:SecureTransport": "true"})], False, None),
    ("IpAddress: a Deny of part of a block leaves the rest",
     [allow_if(IpAddress={"aws:SourceIp": "10.0.0.0/8"}), deny_if(IpAddress={"aws:SourceIp": "10.1.0.0/16"})], True,
     lambda c: any(str(v).startswith("10.") and not str(v).startswith("10.1.")
                   for v in (c["aws:SourceIp"] if isinstance(c["aws:SourceIp"], list) else [c["aws:SourceIp"]]))),
    ("NotIpAddress of every address holds only without the key",
     [allow_if(NotIpAddress={"aws:SourceIp": ["0.0.0.0/0", "::/0"]})], True, lambda c: "aws:SourceIp" not in c),
    ("Null `true` holds only when the key is absent",
     [allow_if(Null={"k:x": "true"}), deny_if(Null={"k:x": "true"})], False, None),
    ("IfExists holds on an absent key: a Deny of every present value leaves that",
     [allow_if(StringEqualsIfExists={"k:x": "a"}), deny_if(Null={"k:x": "false"})], True, lambda c: "k:x" not in c),
    ("ForAllValues holds on an absent key or an empty list, ForAnyValue on neither",
     [allow_if(**{"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}),
      deny_if(**{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}})], True,
     lambda c: c.get("aws:TagKeys", []) == []),
    ("ForAnyValue needs a value that matches",
     [allow_if(**{"ForAnyValue:StringLike": {"aws:TagKeys": ["team*"]}})], True,
     lambda c: any(v.startswith("team") for v in ([c["aws:TagKeys"]] if isinstance(c["aws:TagKeys"], str)
                                                 else c["aws:TagKeys"]))),
    ("ArnLike matches segment by segment",
     [allow_if(ArnLike={"aws:SourceArn": "arn:aws:sns:*:111122223333:topic-*"})], True,
     lambda c: any(str(v).startswith("arn:aws:sns:") and ":111122223333:topic-" in str(v)
                   for v in (c["aws:SourceArn"] if isinstance(c["aws:SourceArn"], list) else [c["aws:SourceArn"]]))),
    ("ArnLike with fewer than six segments: the last takes the rest of the ARN, colons and all",
     [allow_if(ArnLike={"aws:SourceArn": "arn:aws:sns:*"}), deny_if(ArnLike={"aws:SourceArn": "arn:aws:sns:us-east-1:*"})],
     True, lambda c: all(str(v).startswith("arn:aws:sns:") and not str(v).startswith("arn:aws:sns:us-east-1:")
                         for v in (c["aws:SourceArn"] if isinstance(c["aws:SourceArn"], list) else [c["aws:SourceArn"]]))),
    ("StringLike's `*` spans colons where ArnLike's, within a segment, does not",
     [allow_if(StringLike={"k:a": "arn:aws:acm-pca:*:*:template/*"}),
      deny_if(ArnLike={"k:a": "arn:aws:acm-pca:*:*:template/*"})], True,
     lambda c: isinstance(c["k:a"], str) and c["k:a"].count(":") > 5),
    ("a present aws:SecureTransport, which AWS sets, is true or false: Denies of both leave nothing",
     [allow_if(Null={"aws:SecureTransport": "false"}), deny_if(Bool={"aws:SecureTransport": "true"}),
      deny_if(Bool={"aws:SecureTransport": "false"})], False, None),
    ("aws:SourceIp compared as text is still an address: `10.*` holds only addresses of four parts",
     [allow_if(StringLike={"aws:SourceIp": "10.*"}), deny_if(StringLike={"aws:SourceIp": "10.*.*.*"})], False, None),
    ("aws:CurrentTime compared as text is a date AWS writes",
     [allow_if(StringLike={"aws:CurrentTime": "2030-*"})], True,
     lambda c: c["aws:CurrentTime"].startswith("2030-") and c["aws:CurrentTime"].endswith("Z")),
    ("aws:TagKeys, which AWS sets as a list, is given as one",
     [allow_if(**{"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})], True,
     lambda c: c["aws:TagKeys"] == ["team"]),
    ("BinaryEquals compares the decoded bytes: a Deny of one value leaves the other",
     [allow_if(BinaryEquals={"k:b": ["QUJD", "AAH/"]}), deny_if(BinaryEquals={"k:b": "QUJD"})], True,
     lambda c: c["k:b"] in ("AAH/", ["AAH/"]) or "AAH/" in c["k:b"]),
    ("BinaryEquals: a Deny of the same bytes leaves nothing",
     [allow_if(BinaryEquals={"k:b": "QUJD"}), deny_if(BinaryEquals={"k:b": "QUJD"})], False, None),
    ("aws:ResourceAccount follows the resource's account",
     [allow_if(resource="arn:aws:sqs:us-east-1:*:queue", StringEquals={"aws:ResourceAccount": "123456789012"})],
     True, lambda c: c == {}),
]


@pytest.mark.parametrize("fact, statement_list, allowed, shows", OPERATOR_ROWS, ids=[r[0] for r in OPERATOR_ROWS])
def test_operator_families(fact, statement_list, allowed, shows):
    policies = [policy(*statement_list)]
    report = can_never(policies, ["s3:GetObject"])
    assert report.result == ("new-access" if allowed else "no-new-access"), fact
    replays(report, [], policies)
    if allowed:
        assert shows(report.findings[0].example.context), report.findings[0].example


def test_a_resource_pattern_of_fewer_segments_reaches_past_colons():
    # `arn:aws:sqs:*` ends in `*` with four segments: its `*` takes the rest of the ARN (§7.3).
    new = [policy(allow("sqs:SendMessage", "arn:aws:sqs:*"), deny("sqs:SendMessage", "arn:aws:sqs:us-east-1:*"))]
    report = can_never(new, ["sqs:SendMessage"])
    assert report.result == "new-access"
    resource = report.findings[0].example.resource
    assert resource.startswith("arn:aws:sqs:") and not resource.startswith("arn:aws:sqs:us-east-1:")
    replays(report, [], new)
    denied = [policy(allow("sqs:SendMessage", "arn:aws:sqs:*"), deny("sqs:SendMessage", "arn:aws:sqs:*:*:*"))]
    assert can_never(denied, ["sqs:SendMessage"]).result == "no-new-access"


# ------------------------------------------------------------------------------- variables

def test_a_resource_variable_on_a_derived_key_is_the_callers_value():
    """`${aws:username}` is the IAM user's name (§9): the example names the user's folder."""
    policies = [policy(allow_if(resource="arn:aws:s3:::bucket/${aws:username}/*"))]
    report = can_never(policies, ["s3:GetObject"])
    assert report.findings[0].example.resource.startswith("arn:aws:s3:::bucket/iameval-user/")


def test_an_unresolved_variable_matches_nothing():
    """A variable on a key absent for the caller, without default, matches nothing (§9):
    a role session has no `aws:username` (§1)."""
    report = can_never([policy(allow_if(resource="arn:aws:s3:::bucket/${aws:username}/*"))], ["s3:GetObject"],
                       principal="arn:aws:sts::123456789012:assumed-role/builder/session-1")
    assert report.result == "no-new-access"


def test_an_iam_users_unique_id_is_searched_as_aws_sends_it():
    """AWS sends an IAM user's `aws:userid`, its unique ID `AIDA...`, which no ARN carries (§1):
    `home/${aws:userid}/*` grants the user its folder, whatever its ID."""
    new = [policy(allow_if(resource="arn:aws:s3:::bucket/home/${aws:userid}/*"))]
    report = can_never(new, ["s3:GetObject"])
    assert report.result == "new-access"
    example = report.findings[0].example
    userid = example.context["aws:userid"]
    assert userid.startswith("AIDA") and example.resource.startswith(f"arn:aws:s3:::bucket/home/{userid}/")
    replays(report, [], new)


def test_a_role_sessions_unique_id_ends_with_its_session_name():
    """A role session's `aws:userid` is `ROLE-ID:session-name` (§1): a condition on another
    session's name never holds for it, one on its own does."""
    session = "arn:aws:sts::123456789012:assumed-role/builder/session-1"
    mine = [policy(allow_if(StringLike={"aws:userid": "AROA*:session-1"}))]
    theirs = [policy(allow_if(StringLike={"aws:userid": "AROA*:session-2"}))]
    report = can_never(mine, ["s3:GetObject"], principal=session)
    assert report.result == "new-access"
    assert report.findings[0].example.context["aws:userid"].endswith(":session-1")
    replays(report, [], mine, principal=session)
    assert can_never(theirs, ["s3:GetObject"], principal=session).result == "no-new-access"


def test_a_resource_variable_on_a_key_the_request_gives_is_its_value():
    """`${aws:PrincipalTag/team}` stands for the tag the request gives (§9): the example gives
    one and names its folder."""
    report = can_never([policy(allow_if(resource="arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"))], ["s3:GetObject"])
    example = report.findings[0].example
    assert example.resource.startswith(f"arn:aws:s3:::bucket/{example.context['aws:PrincipalTag/team']}/")


def test_a_condition_variable_on_a_key_the_request_gives_is_its_value():
    """A Deny unless the resource's tag equals the principal's (§9): allowed only when both are given alike."""
    report = can_never([policy(allow_if(), deny_if(StringNotEquals={"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}))],
                       ["s3:GetObject"])
    context = report.findings[0].example.context
    assert context["aws:ResourceTag/team"] == context["aws:PrincipalTag/team"]


@pytest.mark.parametrize("pattern, shape", [
    ("arn:aws:s3:::*/${aws:PrincipalTag/team}/*", lambda r, t: f"/{t}/" in r.removeprefix("arn:aws:s3:::")),
    ("arn:aws:s3:::*-registry-${aws:PrincipalTag/team}?", lambda r, t: r[:-1].endswith(f"-registry-{t}")),
    ("arn:aws:s3:::b?/${aws:PrincipalTag/team}-*", lambda r, t: r[len("arn:aws:s3:::b") + 2:].startswith(f"{t}-")),
    ("arn:aws:s3:::*-registry-${aws:PrincipalTag/team}-*/*",
     lambda r, t: f"-registry-{t}-" in r and "/" in r.split(f"-registry-{t}-", 1)[1]),
], ids=["star-both-sides", "star-then-one-character", "one-character-then-star", "stars-after"])
def test_wildcards_on_both_sides_of_a_variable_hold_its_value_between(pattern, shape):
    """`${aws:PrincipalTag/team}` between wildcards (§9): the resource holds the tag's value,
    with the text around it, where the wildcards leave room; a Deny of that team's resources
    leaves the other teams."""
    new = [policy(allow_if(resource=pattern), deny_if(resource=pattern.replace("${aws:PrincipalTag/team}", "blue")))]
    report = can_never(new, ["s3:GetObject"])
    assert report.result == "new-access"
    example = report.findings[0].example
    team = example.context["aws:PrincipalTag/team"]
    assert team != "blue" and shape(example.resource, team)
    replays(report, [], new)


@pytest.mark.parametrize("pattern", ["arn:aws:s3:::*a*/${aws:PrincipalTag/team}/*",
                                     "arn:aws:s3:::*-registry-${aws:PrincipalTag/team}?/*"],
                         ids=["two-stars-before", "one-character-then-slash"])
def test_any_glob_around_a_variable_is_searched(pattern):
    """Whatever the wildcards around `${aws:PrincipalTag/team}` (§9), the search reads the glob
    with the tag's value in it: a Deny of one team leaves the others, never `unknown`."""
    new = [policy(allow_if(resource=pattern), deny_if(resource=pattern.replace("${aws:PrincipalTag/team}", "blue")))]
    report = can_never(new, ["s3:GetObject"])
    assert report.result == "new-access"
    assert report.findings[0].example.context["aws:PrincipalTag/team"] != "blue"
    replays(report, [], new)


def test_a_variable_beside_wildcards_is_answered():
    """`${aws:PrincipalTag/team}` between literal text and a `*` (§9): a Deny of another team's
    folder leaves the caller's own; the example names the folder of the tag it gives."""
    report = can_never([policy(allow_if(resource="arn:aws:s3:::bucket/home/${aws:PrincipalTag/team}/*"),
                               deny_if(resource="arn:aws:s3:::bucket/home/admins/*"))], ["s3:GetObject"])
    assert report.result == "new-access"
    example = report.findings[0].example
    team = example.context["aws:PrincipalTag/team"]
    assert example.resource.startswith(f"arn:aws:s3:::bucket/home/{team}/") and team != "admins"


def test_a_service_wildcard_the_catalogue_lacks_is_asked_by_an_instance():
    """`codestar:*`, a service the catalogue no longer lists: an Allow still grants its actions
    (§7.2), asked as one of them, never a request that names no action."""
    report = diff([], [policy(allow_if("codestar:*"))])
    assert [f.actions for f in report.findings] == [("codestar:x",)]


# ------------------------------------------------------------------------------- chain rules

def test_an_explicit_deny_wins_over_a_new_allow():
    """§2.1: a Deny of the action in the same policy leaves nothing newly allowed."""
    old = [policy(allow_if())]
    new = [policy(allow_if("s3:*"), deny_if("s3:Put*"))]
    report = diff(old, new)
    assert "s3:PutObject" not in {a for f in report.findings for a in f.actions}
    assert "s3:DeleteObject" in {a for f in report.findings for a in f.actions}


def test_identity_policies_cannot_reach_another_accounts_resource():
    """§3: across accounts the resource's policy must also allow; with none, nothing is allowed."""
    report = can_never([policy(allow_if("sqs:SendMessage", "arn:aws:sqs:us-east-1:444455556666:*"))], ["sqs:*"])
    assert report.result == "no-new-access"


def test_a_kms_key_needs_its_key_policy():
    """§2.5: only the key policy can allow a request on a KMS key, whatever identity policies say."""
    report = can_never([policy(allow_if("kms:Decrypt", "arn:aws:kms:*:123456789012:key/*"))], ["kms:Decrypt"])
    assert report.result == "no-new-access"


# The KMS statements of a managed policy's update (SageMakerStudioUserIAMDefaultExecutionPolicy
# v4->v5, shapes kept): grants through services, by `kms:ViaService`, and on keys.
_VIA_SAGEMAKER = allow_if("kms:CreateGrant", StringLike={"kms:ViaService": "sagemaker.*.amazonaws.com"})
_ON_KEYS = allow_if("kms:CreateGrant", "arn:*:kms:*:*:key/*",
                    StringLike={"kms:ViaService": "airflow-serverless.*.amazonaws.com"},
                    **{"ForAllValues:StringEquals": {"kms:GrantOperations": ["kms:Decrypt", "kms:Encrypt"]}})
_VIA_BEDROCK = allow_if("kms:CreateGrant", StringLike={"kms:ViaService": "bedrock.*.amazonaws.com"},
                        Null={"kms:EncryptionContextKeys": "false"})


def test_a_statement_on_kms_keys_alone_grants_nothing_new():
    """§2.5: on a KMS key only the key policy can allow, so an identity statement whose every
    resource is a key adds nothing."""
    report = diff([policy(_VIA_SAGEMAKER)], [policy(_VIA_SAGEMAKER, _ON_KEYS)])
    assert report.result == "no-new-access", report.as_dict()


def test_a_kms_grant_through_another_service_is_found_off_keys():
    """The same update with a grant through Bedrock: newly allowed where no key policy is
    mandatory (§2.5), through `bedrock.*` and not `sagemaker.*`."""
    old = [policy(_VIA_SAGEMAKER)]
    new = [policy(_VIA_SAGEMAKER, _ON_KEYS, _VIA_BEDROCK)]
    report = diff(old, new)
    assert [f.actions for f in report.findings] == [("kms:CreateGrant",)] and not report.unknown
    example = report.findings[0].example
    via = example.context["kms:ViaService"]
    assert any(v.startswith("bedrock.") for v in ([via] if isinstance(via, str) else via))
    assert not (":kms:" in example.resource and ":key/" in example.resource)
    replays(report, old, new)


@pytest.mark.parametrize("kind", ["scp", "boundary", "session"])
def test_a_limit_that_grows_grants_through_the_identity_policies(kind):
    """§4, §5: an SCP, boundary or session policy that allows more lets the rest of the chain's
    Allow through; the finding names the statement of the limit."""
    loaded = {"boundary": "permission_boundary"}.get(kind, kind)
    old = [policy(allow_if("s3:*"), kind=loaded)]
    new = [policy(allow_if("s3:*"), {**allow_if("iam:GetUser"), "Sid": "More"}, kind=loaded)]
    report = diff(old, new, kind)
    assert [f.actions for f in report.findings] == [("iam:GetUser",)]
    assert report.findings[0].statements[0].startswith("More of ")


def test_an_rcp_only_takes_away():
    """RCPs can only deny (§4): one that denies less lets through what it no longer denies, one
    that denies more grants nothing."""
    everyone = {"Principal": "*"}
    wide = [policy({**deny_if("s3:*"), **everyone}, kind="rcp")]
    narrow = [policy({**deny_if("s3:Put*"), **everyone}, kind="rcp")]
    assert diff(narrow, wide, "rcp").result == "no-new-access"
    found = {a for f in diff(wide, narrow, "rcp").findings for a in f.actions}
    assert "s3:GetObject" in found and "s3:PutObject" not in found


def test_an_rcp_change_is_found_on_the_services_it_governs_beside_those_it_does_not():
    """RCPs reach only the services they govern (§4): ec2 is not one, Secrets Manager is, and
    KMS's `RetireGrant` is exempt. A Deny that moves from tag `y` to `z` lets `y` through on
    Secrets Manager and KMS `Decrypt` alone, however the statement lists them."""
    def rcp(value: str, actions: list) -> object:
        return policy({**deny_if(actions, StringEquals={"aws:PrincipalTag/x": value}), "Principal": "*"}, kind="rcp")

    report = diff([rcp("y", ["ec2:*", "secretsmanager:*"])], [rcp("z", ["ec2:*", "secretsmanager:*"])], "rcp")
    found = {a for f in report.findings for a in f.actions}
    assert "secretsmanager:GetSecretValue" in found and not any(a.startswith("ec2:") for a in found)
    report = diff([rcp("y", ["kms:RetireGrant", "kms:Decrypt"])], [rcp("z", ["kms:RetireGrant", "kms:Decrypt"])], "rcp")
    assert {a for f in report.findings for a in f.actions} == {"kms:Decrypt"}


# ------------------------------------------------------------------------------- command line

def test_diff_command_json_and_exits(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"Version": "2012-10-17", "Statement": [allow_if()]}))
    new.write_text(json.dumps({"Version": "2012-10-17", "Statement": [allow_if(["s3:GetObject", "s3:PutObject"])]}))
    result = invoke("diff", str(old), str(new), "--json")
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert shown["result"] == "new-access"
    assert shown["findings"][0]["actions"] == ["s3:PutObject"]
    assert set(shown["findings"][0]["example"]) == {"principal", "action", "resource", "context"}
    assert invoke("diff", str(new), str(old)).exit_code == 0
    assert invoke("diff", str(new), str(old), "--reverse").exit_code == 1
    assert invoke("diff", str(old), str(tmp_path / "missing.json")).exit_code == 2
    sarif = json.loads(invoke("diff", str(old), str(new), "--sarif").stdout)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["new-access"]
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert invoke("can-never", str(new), "--action", "iam:*").exit_code == 0
    assert invoke("can-never", str(new), "--action", "s3:Put*", "--resource", "arn:aws:s3:::b/*").exit_code == 1


# ------------------------------------------------------------------------------- laws

_IDENTITY = policy_documents(PolicyKind.IDENTITY, "I0", True)
_ALLOWS = statements(PolicyKind.IDENTITY, "Allow", True)
_DENIES = statements(PolicyKind.IDENTITY, "Deny", True)


def _load(document_: dict) -> list:
    return [load_policy(document_, "identity", name="P")]


# The actions of the policies drawn, and more: the laws hold action by action, and the rest of
# the catalogue is the table's to cover.
_ABOUT = ["s3:*", "ec2:*", "iam:*"]


def _with(document_: dict, statement: dict) -> dict:
    return {**document_, "Statement": document_["Statement"] + [{"Sid": "Added", **statement}]}


@scaled(0.1)
@given(_IDENTITY, st.data())
def test_diff_of_a_policy_with_itself_is_empty(document_, data):
    report = diff(_load(document_), _load(shuffled(data, document_)), principal=ALICE, actions=_ABOUT)
    assert not report.findings


@scaled(0.2)
@given(_IDENTITY, _ALLOWS, requests(ALICE, rich=True))
def test_an_added_allow_is_found_unless_already_allowed(document_, statement, request):
    old, new = _load(document_), _load(_with(document_, statement))
    report = diff(old, new, principal=ALICE, actions=_ABOUT)
    replays(report, old, new, ALICE)
    if Authorizer(identity=new).authorize(request).allowed and not Authorizer(identity=old).authorize(request).allowed:
        covered = {a.lower() for part in (*report.findings, *report.unknown) for a in part.actions}
        assert request["action"].lower() in covered, report.as_dict()


@scaled(0.1)
@given(_IDENTITY, _DENIES)
def test_an_added_deny_never_creates_access(document_, statement):
    assert not diff(_load(document_), _load(_with(document_, statement)), principal=ALICE, actions=_ABOUT).findings


@scaled(0.1)
@given(_IDENTITY)
def test_can_never_agrees_with_diff_against_no_policy(document_):
    policies = _load(document_)
    against_none = diff([], policies, principal=ALICE, actions=_ABOUT)
    if against_none.unknown:
        return
    allowed = {a.lower() for f in against_none.findings for a in f.actions}
    for action in ACTIONS:
        report = can_never(policies, [action], principal=ALICE)
        assert (report.result == "new-access") == (action.lower() in allowed), action


def test_an_example_names_an_object_rather_than_nothing_after_the_slash():
    new = [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/*"))]
    report = can_never(new, ["s3:GetObject"])
    resource = report.findings[0].example.resource
    assert resource.startswith("arn:aws:s3:::bucket/") and resource != "arn:aws:s3:::bucket/"
    replays(report, [], new)
