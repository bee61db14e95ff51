"""Laws that hold for any policy set (STYLE.md, "Tests in rings", ring 3).

Policies and requests are drawn from one small alphabet of S3, EC2 and IAM actions and ARNs, so
that statements and requests meet often: most examples reach a statement, many reach several.
The policy sets of the metamorphic laws also carry Conditions and `${...}` variables in Resource,
with request contexts that satisfy some and not others; the reference of deny-overrides-allow
uses plain statements only.

Laws (IAM-SEMANTICS §2.1, §7):
* the order of statements in a policy, and of policies in a list, never changes a decision;
* adding a Deny statement never turns a deny into Allow, and keeps an ExplicitDeny;
* adding an Allow statement never turns an Allow into a deny, and never creates an ExplicitDeny;
* for identity policies alone, the decision is deny-overrides-allow over statements matched by
  the globs of §7.2 and §7.3 (checked against a reference written here);
* load -> to_json -> load is the identity, also through JSON text;
* `Glob` and `ResourcePattern` agree with a regular-expression reference.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from hypothesis import given
from hypothesis import strategies as st

from iameval import Authorizer, Decision, PolicyKind, load_policy
from iameval.policy._match import Glob, ResourcePattern, arn_segments
from helpers import A, ALICE, BOB, scaled
from iameval.testing.strategies.policies import (SESSION, document, documents_as_written, policy_documents, requests,
                                                 statements)


@dataclass(frozen=True)
class World:
    """Policy documents of every kind that applies to one caller, and one request."""

    request: dict
    identity: tuple[dict, ...] = ()
    boundary: dict | None = None
    session: tuple[dict, ...] = ()
    resource: dict | None = None

    def authorizer(self) -> Authorizer:
        # Named policies: results name them the same way whatever their position in the list.
        return Authorizer(
            identity=[load_policy(d, "identity", name=_label(d)) for d in self.identity],
            permission_boundary=(load_policy(self.boundary, "permission_boundary", name="boundary")
                                 if self.boundary else None),
            session=[load_policy(d, "session", name=_label(d)) for d in self.session],
            resource_policy=load_policy(self.resource, "resource_policy", name="resource") if self.resource else None,
        )

    def decide(self):
        return self.authorizer().authorize(self.request)


def _label(document_: dict) -> str:
    """`I3` for a document whose Sids are `I3S0`, `I3S1`...: its name, stable under reordering."""
    return document_["Statement"][0]["Sid"].split("S")[0]


_CALLERS = st.sampled_from([ALICE, SESSION, BOB])
_IDENTITY_NUMBERS = st.lists(st.integers(0, 9), min_size=0, max_size=3, unique=True)
_SESSION_NUMBERS = st.lists(st.integers(0, 9), min_size=1, max_size=2, unique=True)
_BOUNDARIES = st.none() | policy_documents(PolicyKind.PERMISSION_BOUNDARY, "B0", True)
_RESOURCE_POLICIES = st.none() | policy_documents(PolicyKind.RESOURCE_POLICY, "R0", True)


@st.composite
def worlds(draw) -> World:
    principal = draw(_CALLERS)
    identity = draw(_IDENTITY_NUMBERS)
    identity_docs = tuple(draw(policy_documents(PolicyKind.IDENTITY, f"I{n}", True)) for n in identity)
    boundary = draw(_BOUNDARIES)
    session: tuple[dict, ...] = ()
    if principal == SESSION and draw(st.booleans()):
        session = tuple(draw(policy_documents(PolicyKind.SESSION, f"P{n}", True))
                        for n in draw(_SESSION_NUMBERS))
    resource = draw(_RESOURCE_POLICIES)
    return World(draw(requests(principal, rich=True)), identity_docs, boundary, session, resource)


def reason_set(result) -> set:
    return {(m.ref.policy, m.ref.statement, m.ref.effect, m.match_class) for m in result.reasons}


def shuffled(data, document_: dict) -> dict:
    return {**document_, "Statement": data.draw(st.permutations(document_["Statement"]))}


# ------------------------------------------------------------------------------- order

@given(worlds(), st.data())
def test_statement_and_policy_order_never_change_a_decision(world, data):
    """§2.1: "Evaluation order inside or across policies never matters"."""
    before = world.decide()
    reordered = replace(
        world,
        identity=tuple(shuffled(data, d) for d in data.draw(st.permutations(world.identity))),
        boundary=shuffled(data, world.boundary) if world.boundary else None,
        session=tuple(shuffled(data, d) for d in data.draw(st.permutations(world.session))),
        resource=shuffled(data, world.resource) if world.resource else None,
    )
    after = reordered.decide()
    assert after.decision == before.decision
    assert reason_set(after) == reason_set(before)
    assert after.summary == before.summary
    assert set(after.warnings) == set(before.warnings)


# ------------------------------------------------------------------------------- plans

def _answer(result) -> tuple:
    return result.decision, reason_set(result), result.summary, result.gate, set(result.warnings), dict(result.derived)


@given(worlds(), st.data())
def test_an_authorizer_answers_as_if_each_request_were_its_first(world, data):
    """An authorizer keeps a plan per caller and action (authorize.py): whatever it answered
    before, each answer is the one a freshly compiled authorizer gives."""
    # Other callers too, where the policies fit them (session policies only fit the session).
    callers = [world.request["principal"]] if world.session else [ALICE, SESSION, BOB]
    pool = [world.request] + [data.draw(requests(data.draw(st.sampled_from(callers)), rich=True))
                              for _ in range(3)]
    order = data.draw(st.lists(st.sampled_from(range(len(pool))), min_size=1, max_size=8))
    shared = world.authorizer()
    for index in order:
        assert _answer(shared.authorize(pool[index])) == _answer(world.authorizer().authorize(pool[index]))


def test_answers_stay_right_past_the_plans_an_authorizer_keeps():
    """More callers and actions than the plans kept (128): the plans are dropped, not the answers."""
    policy = load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObjectAcl", "Resource": "*"}]}, "identity")
    shared = Authorizer(identity=[policy])
    actions = [f"s3:{verb}{n}" for n in range(100) for verb in ("Get", "Put")] + ["s3:GetObjectAcl"]
    for _ in range(2):
        for principal in (ALICE, BOB):
            for action in actions:
                request = {"principal": principal, "action": action}
                answer = shared.authorize(request)
                expected = (Decision.EXPLICIT_DENY if action == "s3:GetObjectAcl"
                            else Decision.ALLOW if action.startswith("s3:Get") else Decision.IMPLICIT_DENY)
                assert answer.decision == expected
                assert _answer(answer) == _answer(Authorizer(identity=[policy]).authorize(request))


# ------------------------------------------------------------------------------- monotonicity

@st.composite
def with_added_statement(draw, world: World, effect: str) -> World:
    """The world with one more statement of `effect` in a policy that already takes part, or in
    a new identity (or resource) policy. A new session policy or boundary would narrow, so
    neither is ever created here."""
    targets = ["new-identity", "new-or-extended-resource"]
    if world.identity:
        targets.append("identity")
    if world.boundary:
        targets.append("boundary")
    if world.session:
        targets.append("session")
    target = draw(st.sampled_from(targets))
    if target == "new-or-extended-resource":
        statement = draw(statements(PolicyKind.RESOURCE_POLICY, effect, rich=True))
        base = world.resource or {"Version": "2012-10-17", "Statement": []}
        return replace(world, resource=_append(base, statement, "RX"))
    statement = draw(statements(PolicyKind.IDENTITY, effect, rich=True))
    if target == "new-identity":
        return replace(world, identity=world.identity + (document([statement], "IX"),))
    if target == "identity":
        index = draw(st.integers(0, len(world.identity) - 1))
        identity = list(world.identity)
        identity[index] = _append(identity[index], statement, "X")
        return replace(world, identity=tuple(identity))
    if target == "boundary":
        return replace(world, boundary=_append(world.boundary, statement, "X"))
    index = draw(st.integers(0, len(world.session) - 1))
    session = list(world.session)
    session[index] = _append(session[index], statement, "X")
    return replace(world, session=tuple(session))


def _append(document_: dict, statement: dict, sid: str) -> dict:
    return {**document_, "Statement": list(document_["Statement"]) + [{"Sid": sid, **statement}]}


@given(worlds(), st.data())
def test_adding_a_deny_statement_never_grants(world, data):
    """§2.1: a Deny can only take away; an explicit deny is final."""
    before = world.decide().decision
    after = data.draw(with_added_statement(world, "Deny")).decide().decision
    if before != Decision.ALLOW:
        assert after != Decision.ALLOW
    if before == Decision.EXPLICIT_DENY:
        assert after == Decision.EXPLICIT_DENY


@given(worlds(), st.data())
def test_adding_an_allow_statement_never_denies(world, data):
    """§2.1: an Allow can only add; it never makes an Allow a deny nor creates an explicit deny."""
    before = world.decide().decision
    after = data.draw(with_added_statement(world, "Allow")).decide().decision
    if before == Decision.ALLOW:
        assert after == Decision.ALLOW
    if before == Decision.EXPLICIT_DENY:
        assert after == Decision.EXPLICIT_DENY
    else:
        assert after != Decision.EXPLICIT_DENY


# ------------------------------------------------------------------------------- a reference

def reference_glob(pattern: str, text: str, ignore_case: bool = False) -> bool:
    """`*` any run of characters, `?` exactly one, everything else literal (§7.2, §7.3)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


def reference_resource_match(pattern: str, resource: str) -> bool:
    """§7.3, written from the text: segment by segment, a short pattern's trailing `*` reaching
    past colons, a request resource that is not an ARN matched as one glob."""
    if pattern == "*":
        return True
    wanted = resource.split(":", 5)
    if len(wanted) != 6:
        return reference_glob(pattern, resource)
    parts = pattern.split(":", 5)
    if len(parts) == 6:
        return all(reference_glob(p, r) for p, r in zip(parts, wanted))
    if pattern.endswith("*"):
        head = len(parts) - 1
        return (all(reference_glob(p, r) for p, r in zip(parts[:head], wanted[:head]))
                and reference_glob(parts[head], ":".join(wanted[head:])))
    return False


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def reference_applies(statement: dict, request: dict) -> bool:
    """§7.1 for a statement of an identity policy without Condition."""
    if "Action" in statement:
        action_ok = any(reference_glob(p, request["action"], True) for p in as_list(statement["Action"]))
    else:
        action_ok = not any(reference_glob(p, request["action"], True) for p in as_list(statement["NotAction"]))
    if "Resource" in statement:
        resource_ok = any(reference_resource_match(p, request["resource"]) for p in as_list(statement["Resource"]))
    else:
        resource_ok = not any(reference_resource_match(p, request["resource"])
                              for p in as_list(statement["NotResource"]))
    return action_ok and resource_ok


@given(st.lists(policy_documents(PolicyKind.IDENTITY, "I"), min_size=0, max_size=3),
       requests(ALICE).map(lambda r: {k: v for k, v in r.items() if k != "resource_account"}))
def test_identity_policies_alone_decide_by_deny_overrides_allow(docs, request):
    """§2.1 for an IAM user in its own account with identity policies only."""
    applying = [s for d in docs for s in d["Statement"] if reference_applies(s, request)]
    if any(s["Effect"] == "Deny" for s in applying):
        expected = Decision.EXPLICIT_DENY
    elif applying:
        expected = Decision.ALLOW
    else:
        expected = Decision.IMPLICIT_DENY
    result = Authorizer(identity=[load_policy(d) for d in docs]).authorize(request)
    assert result.decision == expected
    wanted_effect = {"ExplicitDeny": "Deny", "Allow": "Allow"}.get(expected)
    assert sorted(m.ref.statement for m in result.reasons) == sorted(
        s["Sid"] for s in applying if s["Effect"] == wanted_effect)


# ------------------------------------------------------------------------------- round trip



@given(st.sampled_from([PolicyKind.IDENTITY, PolicyKind.RESOURCE_POLICY]).flatmap(
    lambda kind: st.tuples(st.just(kind), documents_as_written(kind))))
def test_load_to_json_load_is_the_identity(case):
    kind, doc = case
    policy = load_policy(doc, kind)
    written = policy.to_json()
    assert load_policy(written, kind) == policy
    text = json.dumps(written)
    assert load_policy(json.loads(text), kind) == policy
    assert load_policy(json.loads(text), kind).to_json() == written
    # Nothing is lost: the document as written and its dump describe the same policy.
    assert json.loads(text) == json.loads(json.dumps(policy.to_json()))


# ------------------------------------------------------------------------------- Glob

GLOB_ALPHABET = "ab*?/:"
SUBJECT_ALPHABET = "ab/:*?\n"


@scaled(5)
@given(st.text(GLOB_ALPHABET, max_size=8), st.text(SUBJECT_ALPHABET, max_size=10))
def test_glob_agrees_with_a_regex_reference(pattern, text):
    assert Glob(pattern).matches(text) == reference_glob(pattern, text), (pattern, text)


@scaled(5)
@given(st.text(GLOB_ALPHABET, max_size=8).flatmap(
    lambda p: st.tuples(st.just(p), st.text(SUBJECT_ALPHABET, max_size=10) | _instances_of(p))))
def test_glob_agrees_on_strings_made_to_match(case):
    """Random subjects rarely match long patterns: also try subjects built from the pattern."""
    pattern, text = case
    assert Glob(pattern).matches(text) == reference_glob(pattern, text), (pattern, text)


def _instances_of(pattern: str) -> st.SearchStrategy:
    parts = [st.text("ab/:", max_size=3) if c == "*" else st.sampled_from("ab/:") if c == "?"
             else st.just(c) for c in pattern]
    return st.tuples(*parts).map("".join)


@scaled(5)
@given(st.lists(st.tuples(st.text(GLOB_ALPHABET, max_size=4), st.booleans()), max_size=4),
       st.text(SUBJECT_ALPHABET, max_size=10))
def test_glob_from_parts_keeps_literal_parts_literal(parts, text):
    """§9: text that came from a resolved variable never acts as a wildcard."""
    regex = "".join(
        ("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in piece)
         if wildcards else re.escape(piece))
        for piece, wildcards in parts)
    expected = re.fullmatch(regex, text, re.DOTALL) is not None
    assert Glob.from_parts(parts).matches(text) == expected, (parts, text)


_SEGMENT = st.text("ab*?/", max_size=3)


@st.composite
def arn_patterns(draw) -> str:
    """`arn:` and one to five further segments; the last may hold colons."""
    count = draw(st.integers(1, 5))
    middle = [draw(_SEGMENT) for _ in range(count - 1)]
    last = draw(st.text("ab*?/:", max_size=4))
    return ":".join(["arn"] + middle + [last])


@st.composite
def requested_resources(draw) -> str:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(["*", "ab", "arn:a:b"]))
    segments = [draw(st.text("ab/", max_size=2)) for _ in range(4)]
    return ":".join(["arn"] + segments + [draw(st.text("ab/:", max_size=4))])


@scaled(5)
@given(arn_patterns(), requested_resources())
def test_resource_pattern_agrees_with_the_reference(pattern, resource):
    assert ResourcePattern(pattern).matches(resource, arn_segments(resource)) == \
        reference_resource_match(pattern, resource), (pattern, resource)
