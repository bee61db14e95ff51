"""Explanations are the evaluator's own trace, and results are values (IAM-SEMANTICS §13).

`explain` runs `_chain.decide` with a `Tracer` standing in for the statement test; these tests
check that the stand-in answers as the test it replaces, that what the trace shows is what the
decision read, and that a `Result` holds nothing that can change.
"""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import pytest

import iameval
from iameval.engine import Verdict, explain
from iameval.engine._compile import holding
from iameval.engine._trace import Tracer
from iameval.inputs._scenarios import run_scenario
from iameval.cli._present import statement_location

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [s for s in iameval.load_scenarios(ROOT / "fixtures" / "scenarios", ROOT / "fixtures" / "conformance")
          if s.error is None]

ALICE = "arn:aws:iam::111122223333:user/alice"
BUCKET = "arn:aws:s3:::example-reports"


def policy(*statements: dict, kind: str = "identity", name: str = "p") -> iameval.Policy:
    return iameval.load_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind, name=name)


def test_the_tracer_holds_exactly_the_statements_holding_does():
    """Over the scenario corpus, every gate side the plan keeps: the traced test and the
    decision's test give the same statements, in the same order."""
    sides = 0
    for scenario in CORPUS:
        authorizer = scenario.authorizer()
        try:
            request, plan, context = authorizer.prepare(scenario.request)
        except iameval.RequestError:
            continue
        _, _, traced_context = authorizer.prepare(scenario.request)
        tracer = Tracer(plan, request, traced_context)
        for gate in plan.gates():
            for entries in (gate.entries.allows, gate.entries.denies):
                if entries:
                    assert tracer.holding(entries, traced_context) == holding(entries, context), scenario.id
                    sides += 1
        assert traced_context.warnings == context.warnings, scenario.id
    assert sides > 1000


def test_an_explanation_gives_the_result_authorize_gives_with_the_same_warnings():
    """The decision an explanation carries is the one `authorize` gives, warnings included:
    gates the decision did not read are traced on a context of their own."""
    for scenario in CORPUS:
        authorizer = scenario.authorizer()
        try:
            result = authorizer.authorize(scenario.request)
        except iameval.RequestError:
            continue
        explained = explain(authorizer, scenario.request).result
        assert explained == result, scenario.id
        assert explained.warnings == result.warnings, scenario.id


def test_after_an_explicit_deny_the_allow_gates_are_shown_but_not_read_by_the_decision():
    authorizer = iameval.Authorizer(
        identity=[policy({"Sid": "Read", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})],
        resource_policy=policy({"Sid": "NoOne", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                         "Resource": f"{BUCKET}/*"}, kind="resource_policy", name="bucket"))
    explanation = explain(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": f"{BUCKET}/q1.csv"})
    assert explanation.decision == "ExplicitDeny"
    gates = {g.id: g for g in explanation.gates}
    assert gates["resource_policy"].verdict is Verdict.DENY and gates["resource_policy"].read and gates["resource_policy"].decided
    # The identity gate's Allow holds, and is shown, but the decision never needed to read it.
    assert gates["identity"].verdict is Verdict.ALLOW and not gates["identity"].read
    assert explanation.as_dict()["gates"][1]["read_by_decision"] is False


def test_an_rcp_level_without_an_allow_is_shown_allowing_as_the_chain_treats_it():
    """RCPFullAWSAccess is implied (§4): the chain never asks an RCP level for an Allow, and the
    trace says why the level allows."""
    rcp = policy({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"},
                 kind="rcp", name="no-deletes")
    authorizer = iameval.Authorizer(identity=[policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})],
                                    rcps=[rcp])
    explanation = explain(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": f"{BUCKET}/a"})
    assert explanation.decision == "Allow"
    (level,) = [g for g in explanation.gates if g.id == "rcp[0]"]
    assert level.verdict is Verdict.ALLOW and "RCPFullAWSAccess" in level.note


def test_a_result_is_a_value():
    authorizer = iameval.Authorizer(identity=[policy({"Effect": "Allow", "Action": "s3:GetObject",
                                                      "Resource": f"{BUCKET}/*"})])
    request = {"principal": ALICE, "action": "s3:GetObject", "resource": f"{BUCKET}/q1.csv",
               "context": {"aws:TagKeys": ["team", "cost-center"]}}
    result = authorizer.authorize(request)
    again = iameval.Authorizer(identity=[policy({"Effect": "Allow", "Action": "s3:GetObject",
                                                 "Resource": f"{BUCKET}/*"})]).authorize(request)
    assert result == again and hash(result) == hash(again)
    assert pickle.loads(pickle.dumps(result)) == result
    assert copy.deepcopy(result) == result
    with pytest.raises(AttributeError):
        result.decision = iameval.Decision.EXPLICIT_DENY  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.derived["aws:username"] = "mallory"  # type: ignore[index]
    with pytest.raises(TypeError):
        result.request.context["aws:TagKeys"] = "x"  # type: ignore[index]
    assert result.request.context["aws:TagKeys"] == ("team", "cost-center")
    assert result.derived["aws:username"] == "alice"
    assert result.to_json()["derived"]["aws:PrincipalArn"] == ALICE


def test_a_result_names_what_it_decided_on():
    authorizer = iameval.Authorizer(identity=[policy({"Effect": "Allow", "Action": "s3:GetObject",
                                                      "Resource": f"{BUCKET}/*"})])
    result = authorizer.authorize({"principal": ALICE, "action": "s3:GetObject", "resource": f"{BUCKET}/q1.csv",
                                   "context": {"AWS:USERNAME": "alice"}})
    assert result.request.action == "s3:GetObject"
    assert result.caller.arn == ALICE and result.resource_account == "111122223333"
    # A key the request gave is not derived, whatever its case (§8.2).
    assert "aws:username" not in result.derived


def test_a_policy_is_its_document_whatever_it_is_called():
    """A policy's name is how results refer to it, not part of what it says."""
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    reports, archive = (iameval.load_policy(document, "identity", name=n) for n in ("reports", "archive"))
    assert reports == archive and hash(reports) == hash(archive) and len({reports, archive}) == 1
    other = iameval.load_policy({**document, "Statement": [{**document["Statement"][0], "Effect": "Allow"}]},
                                "identity", name="reports")
    assert other != reports
    assert reports.statement[0].effect is iameval.Effect.DENY == "Deny"


def _verdict_of_decided_gate(explanation) -> Verdict:
    (gate,) = [g for g in explanation.gates if g.decided]
    return gate.verdict


_VERDICT_OF = {"Allow": Verdict.ALLOW, "ExplicitDeny": Verdict.DENY, "ImplicitDeny": Verdict.NO_ALLOW}
# A rule of the service (§2.7) allows or refuses, before any gate.
_RULE_VERDICT_OF = {"Allow": Verdict.ALLOW, "ImplicitDeny": Verdict.REFUSED}


def test_the_gate_that_decided_says_what_the_decision_says():
    """Over the corpus: the decided gate allows for an Allow, denies for an ExplicitDeny and has
    no Allow for an ImplicitDeny."""
    checked = 0
    for scenario in CORPUS:
        try:
            explanation = explain(scenario.authorizer(), scenario.request)
        except iameval.RequestError:
            continue
        expected = (_RULE_VERDICT_OF if explanation.result.rule else _VERDICT_OF)[explanation.decision]
        assert _verdict_of_decided_gate(explanation) is expected, scenario.id
        checked += 1
    assert checked > 500


ROOT = "arn:aws:iam::111122223333:root"
OTHER_ROOT = "arn:aws:iam::444455556666:root"


@pytest.mark.parametrize("level", ["scps", "rcps"])
def test_an_organization_level_without_policies_is_explained(level):
    """An SCP level with no policy attached denies every request (§4); an empty RCP level
    denies nothing. Neither stops an explanation."""
    authorizer = iameval.Authorizer(identity=[policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})],
                                    **{level: [[]]})
    explanation = explain(authorizer, {"principal": ALICE, "action": "s3:GetObject", "resource": f"{BUCKET}/a"})
    (gate,) = [g for g in explanation.gates if g.id == f"{level[:3]}[0]"]
    if level == "scps":
        assert explanation.decision == "ImplicitDeny" and gate.decided and gate.verdict is Verdict.NO_ALLOW
        assert "no service control policy is attached at this level" in gate.note
    else:
        assert explanation.decision == "Allow" and gate.verdict is Verdict.ALLOW


def test_a_root_user_of_another_account_without_a_resource_policy_is_refused_at_that_gate():
    """§3: across accounts the resource side must allow; the root user's own account grants it
    everything, but nothing in the other account does."""
    authorizer = iameval.Authorizer()
    explanation = explain(authorizer, {"principal": OTHER_ROOT, "action": "s3:GetObject",
                                       "resource": f"{BUCKET}/a", "resource_account": "111122223333"})
    assert explanation.decision == "ImplicitDeny"
    gates = {g.id: g for g in explanation.gates}
    assert gates["resource_policy"].decided and gates["resource_policy"].verdict is Verdict.NO_ALLOW
    assert gates["identity"].verdict is Verdict.ALLOW and "root user" in gates["identity"].note


def test_a_deny_set_aside_by_s3_lock_out_protection_is_shown_set_aside():
    """The bucket owner's root user may replace the bucket policy whatever it denies (beyond
    §2.3; S3 API reference, PutBucketPolicy): the Deny applies but the decision sets it aside,
    and the gate allows through its Allow (§13)."""
    bucket_policy = policy(
        {"Sid": "NoPolicyChanges", "Effect": "Deny", "Principal": "*", "Action": "s3:PutBucketPolicy",
         "Resource": BUCKET},
        {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "s3:PutBucketPolicy", "Resource": BUCKET},
        kind="resource_policy", name="bucket")
    explanation = explain(iameval.Authorizer(resource_policy=bucket_policy),
                          {"principal": ROOT, "action": "s3:PutBucketPolicy", "resource": BUCKET})
    assert explanation.decision == "Allow"
    (gate,) = [g for g in explanation.gates if g.id == "resource_policy"]
    assert gate.decided and gate.verdict is Verdict.ALLOW and "lock-out" in gate.note
    deny = next(t for t in gate.applied if t.statement == "NoPolicyChanges")
    assert "lock-out" in deny.waived and deny.as_dict()["waived"] == deny.waived


def test_run_json_names_the_gate_that_decided():
    outcomes = [run_scenario(s) for s in CORPUS[:50]]
    decided = [o for o in outcomes if o.result is not None]
    assert decided and all(o.to_json()["gate"] == o.result.gate for o in decided)


def test_a_policy_read_from_a_file_knows_where_it_was_read_and_is_still_its_document(tmp_path):
    """A policy carries where it was read, for the locations printed with results, the way a
    name is carried: not as part of what it says."""
    document = {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
                                                        "Resource": f"{BUCKET}/*"}]}
    path = tmp_path / "read.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    from_file = iameval.load_policy_file(path)
    assert from_file.origin is not None and from_file.origin[0].name == str(path)
    assert iameval.load_policy(document).origin is None
    assert from_file == iameval.load_policy(document)
    assert pickle.loads(pickle.dumps(from_file)).origin is not None
    # The deciding statement is located in the file, by the origin the policy carries.
    result = iameval.Authorizer(identity=[from_file]).authorize(
        {"principal": ALICE, "action": "s3:GetObject", "resource": f"{BUCKET}/q1.csv"})
    assert statement_location(iameval.Authorizer(identity=[from_file]), result.reasons[0]) == f"{path}:4:5"
