"""Decide sets (`analysis._decide_sets`): a principal's allowed and conditional actions at once
equal, action by action, what `Authorizer.authorize` decides and what `conditional_access`
says of a denied request (issue 17, item 4; IAM-SEMANTICS §2-§5, §2.7).
"""

from __future__ import annotations

import json
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import FIXTURES, MANAGED, scaled
from iameval.analysis._decide_sets import ActionIndex, ActionSets, decide_sets
from iameval.engine import Authorizer, conditional_access, explain
from iameval.policy import PolicyKind, load_policy
from iameval.testing.strategies.chain import (A_FED, A_ROLE, A_ROOT, A_SESSION, A_USER, BUCKET_OBJECT, KEY, QUEUE,
                                              TARGET_ROLE, chain_documents, rcp_levels, scp_levels)


@cache
def index() -> ActionIndex:
    return ActionIndex.catalogue()


def engine_sets(authorizer: Authorizer, principal: str, resource: str, actions: int) -> ActionSets:
    """The sets asked one request at a time, as `who-can` asks: the decision, and for a denied
    request whether conditions on keys it did not give would allow it."""
    allowed = conditional = 0
    for position in index().positions(actions):
        request = {"principal": principal, "action": index().names[position], "resource": resource}
        if authorizer.authorize(request).allowed:
            allowed |= 1 << position
        elif any(conditional_access(authorizer, request, explain(authorizer, request))):
            conditional |= 1 << position
    return ActionSets(allowed, conditional)


def names(bits: int) -> set[str]:
    return {index().names[p] for p in index().positions(bits)}


def assert_same(authorizer: Authorizer, principal: str, resource: str, actions: int) -> ActionSets:
    found = decide_sets(authorizer, principal, index(), resource, actions=actions)
    expected = engine_sets(authorizer, principal, resource, actions)
    assert names(found.allowed) == names(expected.allowed)
    assert names(found.conditional) == names(expected.conditional)
    return found


# -------------------------------------------------------------------- properties, generated

@cache
def alphabet_actions() -> int:
    """The services of the strategies' alphabet: S3, SQS, KMS, STS, IAM and EC2's Describe."""
    found = 0
    for pattern in ("s3:*", "sqs:*", "kms:*", "sts:*", "iam:*", "ec2:Describe*"):
        found |= index().pattern(pattern)
    return found


def _policies(documents: list[dict], kind: PolicyKind) -> list:
    return [load_policy(d, kind, name=f"{kind.value}-{i}") for i, d in enumerate(documents)]


@scaled(0.5)
@given(identity=st.lists(chain_documents("identity"), min_size=1, max_size=2),
       boundary=st.none() | chain_documents("permission_boundary"),
       scps=st.lists(scp_levels(), max_size=2), rcps=st.lists(rcp_levels(), max_size=1),
       resource_policy=st.none() | chain_documents("resource_policy"),
       principal=st.sampled_from([A_USER, A_ROLE, A_SESSION, A_FED]),
       resource=st.sampled_from(["*", BUCKET_OBJECT, QUEUE, KEY, TARGET_ROLE]))
def test_decide_sets_equal_the_engine_request_by_request(identity, boundary, scps, rcps, resource_policy, principal,
                                                        resource):
    authorizer = Authorizer(
        identity=_policies(identity, PolicyKind.IDENTITY),
        permission_boundary=load_policy(boundary, PolicyKind.PERMISSION_BOUNDARY) if boundary else None,
        resource_policy=load_policy(resource_policy, PolicyKind.RESOURCE_POLICY) if resource_policy else None,
        scps=[_policies(level, PolicyKind.SCP) for level in scps],
        rcps=[_policies(level, PolicyKind.RCP) for level in rcps])
    assert_same(authorizer, principal, resource, alphabet_actions())


@cache
def managed_names() -> list[str]:
    return sorted(p.stem for p in MANAGED.glob("*.json"))


@cache
def managed(name: str) -> object:
    return load_policy(json.loads((MANAGED / f"{name}.json").read_text()), PolicyKind.IDENTITY, name=name)


@cache
def examples(kind: PolicyKind, folder: str) -> list:
    return [load_policy(json.loads(p.read_text()), kind, name=p.stem)
            for p in sorted((FIXTURES / "policy-examples" / folder).glob("*.json"))]


FULL_ACCESS = load_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                          PolicyKind.SCP, name="FullAWSAccess")


@st.composite
def real_principals(draw: st.DrawFn) -> tuple[Authorizer, int]:
    """A role with one to four AWS managed policies, under FullAWSAccess and one or two SCP
    examples, and maybe RCP examples; asked the actions of the services its policies name."""
    chosen = draw(st.lists(st.sampled_from(managed_names()), min_size=1, max_size=4, unique=True))
    identity = [managed(n) for n in chosen]
    scps = draw(st.lists(st.sampled_from(examples(PolicyKind.SCP, "scp")), min_size=1, max_size=2, unique_by=id))
    rcps = draw(st.lists(st.sampled_from(examples(PolicyKind.RCP, "rcp")), max_size=2, unique_by=id))
    authorizer = Authorizer(identity=identity, scps=[[FULL_ACCESS], [FULL_ACCESS, *scps]],
                            rcps=[rcps] if rcps else [])
    services = {"s3", "sts", "kms"}
    for policy in identity + scps + rcps:
        for statement in policy.statement:
            for entry in statement.action or statement.not_action or ():
                prefix = entry.partition(":")[0].lower()
                if "*" not in prefix and "?" not in prefix:
                    services.add(prefix)
    actions = 0
    for prefix in sorted(services)[:8]:
        actions |= index().pattern(f"{prefix}:*")
    return authorizer, actions


@scaled(0.2)
@given(real_principals())
def test_decide_sets_of_real_managed_policies_and_scp_examples_equal_the_engine(drawn):
    authorizer, actions = drawn
    assert_same(authorizer, A_ROLE, "*", actions)


# -------------------------------------------------------------------- facts, one by one

def policy(kind: PolicyKind, *statements: dict) -> object:
    return load_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind)


S3_READ = {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}
REGION_DENY = {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
               "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}


@pytest.mark.parametrize("fact, authorizer, principal, allowed, conditional", [
    ("an Allow without conditions gives every action it expands to",
     Authorizer(identity=[policy(PolicyKind.IDENTITY, S3_READ)]), A_ROLE, {"s3:GetObject", "s3:ListBucket"}, set()),
    ("a boundary limits what the identity policies give",
     Authorizer(identity=[policy(PolicyKind.IDENTITY, S3_READ)], permission_boundary=policy(
         PolicyKind.PERMISSION_BOUNDARY, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})),
     A_ROLE, {"s3:GetObject"}, set()),
    ("sts:GetCallerIdentity needs no permission: a rule of the service allows it whatever denies (§2.7)",
     Authorizer(identity=[policy(PolicyKind.IDENTITY, {"Effect": "Deny", "Action": "*", "Resource": "*"})]),
     A_USER, set(), set()),
    ("a region Deny in an SCP denies as asked, without the region, and allows were it given",
     Authorizer(identity=[policy(PolicyKind.IDENTITY, S3_READ)],
                scps=[[FULL_ACCESS, policy(PolicyKind.SCP, REGION_DENY)]]),
     A_ROLE, set(), {"s3:GetObject", "s3:ListBucket"}),
    ("an Allow on a key it cannot hold for a principal without the tag is conditional",
     Authorizer(identity=[policy(PolicyKind.IDENTITY, {**S3_READ, "Condition": {
         "StringEquals": {"aws:PrincipalTag/team": "blue"}}})]), A_ROLE, set(), {"s3:GetObject", "s3:ListBucket"}),
    ("the root user needs no Allow, but SCPs still bind it (§2.3, §4)",
     Authorizer(scps=[[policy(PolicyKind.SCP, S3_READ)]]), A_ROOT, {"s3:GetObject", "s3:ListBucket"}, set()),
])
def test_decide_sets_read_as_the_engine(fact, authorizer, principal, allowed, conditional):
    actions = index().bits(["s3:GetObject", "s3:ListBucket", "s3:PutObject", "sts:GetCallerIdentity", "ec2:RunInstances"])
    found = assert_same(authorizer, principal, "*", actions)
    assert names(found.allowed) == allowed | {"sts:GetCallerIdentity"}  # every caller may ask who it is
    assert names(found.conditional) == conditional


def test_an_index_expands_as_the_catalogue_does():
    from iameval.catalog import expand

    assert names(index().pattern("s3:Get*Tagging")) == {str(a) for a in expand("s3:Get*Tagging")}
    assert index().bits(["S3:GETOBJECT", "no:SuchAction"]) == index().bits(["s3:GetObject"])
