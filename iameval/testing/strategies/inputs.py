"""Whole inputs: scenarios and scenario files (SCENARIO.md), account exports (the output of
`aws iam get-account-authorization-details`), and mutated files (`iameval.testing.mutations`).

Scenarios draw their policies and requests from `policies`' alphabet, so that most are decided
by a statement; one in five has a policy with faults AWS refuses (`refusals`), so that invalid
scenarios stand among valid ones. A scenario file is written as JSON Lines, a JSON list or a
YAML list, and comes with the number of scenarios it holds: reading it must give exactly that
many outcomes (issue 14, "one result per scenario").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from hypothesis import strategies as st

from ...policy import PolicyKind
from ..mutations import DRAWN, ODD_STRINGS, ODD_VALUES, Mutant, mutate
from .chain import rcp_levels, scp_levels
from .policies import A, ALICE, B, BOB, CONTEXT_VALUES, SESSION, policy_documents, requests
from .refusals import faulty_statements

__all__ = ["ScenarioFile", "account_exports", "mutants", "odd_requests", "scenario_files", "scenarios"]

_DECISIONS = st.sampled_from([None, "Allow", "ImplicitDeny", "ExplicitDeny"])
_CALLERS = st.sampled_from([ALICE, SESSION, BOB])
_FAULTY = st.integers(0, 4)
_FLAGS = st.booleans()


@st.composite
def _scenarios(draw: st.DrawFn, index: int) -> dict[str, Any]:
    principal = draw(_CALLERS)
    policies: dict[str, Any] = {"identity": draw(st.lists(policy_documents(PolicyKind.IDENTITY, "I", True),
                                                          max_size=2))}
    if draw(_FLAGS):
        policies["resource"] = draw(policy_documents(PolicyKind.RESOURCE_POLICY, "R", True))
    if draw(_FLAGS):
        policies["permission_boundary"] = draw(policy_documents(PolicyKind.PERMISSION_BOUNDARY, "B", True))
    if principal == SESSION and draw(_FLAGS):
        policies["session"] = [draw(policy_documents(PolicyKind.SESSION, "P", True))]
    if draw(_FLAGS):
        policies["scps"] = [draw(scp_levels())]
    if draw(_FLAGS):
        policies["rcps"] = [draw(rcp_levels())]
    if draw(_FAULTY) == 0:
        policies["identity"] = policies["identity"] + [
            {"Version": "2012-10-17", "Statement": [draw(faulty_statements("identity"))]}]
    scenario: dict[str, Any] = {"id": f"s{index}", "policies": policies, "request": draw(requests(principal, True))}
    expect = draw(_DECISIONS)
    if expect is not None:
        scenario["expect"] = expect
    return scenario


def scenarios(index: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """One scenario with the id `s{index}`: identity policies, and perhaps a resource policy, a
    boundary, a session policy, an SCP and an RCP level; perhaps `expect`; one in five with a
    statement AWS refuses."""
    return _scenarios(index)


@dataclass(frozen=True)
class ScenarioFile:
    """The text of a scenario file, the suffix it is read by, and how many scenarios it holds."""

    text: str
    suffix: str
    count: int


_FORMATS = st.sampled_from([".jsonl", ".json", ".yaml"])
_COUNTS = st.integers(1, 4)


@st.composite
def _scenario_files(draw: st.DrawFn) -> ScenarioFile:
    items = [draw(scenarios(i)) for i in range(draw(_COUNTS))]
    suffix = draw(_FORMATS)
    if suffix == ".jsonl":
        text = "".join(json.dumps(item) + "\n" for item in items)
    elif suffix == ".json":
        text = json.dumps(items, indent=1)
    else:
        import yaml  # a dependency of iameval, read only here

        text = yaml.safe_dump(items, sort_keys=False)
    return ScenarioFile(text, suffix, len(items))


def scenario_files() -> st.SearchStrategy[ScenarioFile]:
    """One to four scenarios in a file of JSON Lines, a JSON list or a YAML list."""
    return _scenario_files()


_NAMES = st.sampled_from(["alice", "bob", "carol", "app", "ops", "x"])
_TAGS = st.lists(st.fixed_dictionaries({"Key": st.sampled_from(["team", "cost"]),
                                        "Value": st.sampled_from(["blue", "red", ""])}), max_size=2)
_TRUSTED = st.sampled_from([{"Service": "ec2.amazonaws.com"}, {"AWS": f"arn:aws:iam::{A}:root"}, {"AWS": B}, "*",
                            {"Federated": "accounts.google.com"}])


def _inline(draw: st.DrawFn, kind: PolicyKind, prefix: str) -> list[dict[str, Any]]:
    """Inline policies as the export lists them: a name and the document, as JSON or URL-encoded."""
    from urllib.parse import quote

    out = []
    for n, document in enumerate(draw(st.lists(policy_documents(kind, prefix, True), max_size=2))):
        written: Any = quote(json.dumps(document)) if draw(_FLAGS) else document
        out.append({"PolicyName": f"{prefix}{n}", "PolicyDocument": written})
    return out


@st.composite
def _account_exports(draw: st.DrawFn) -> dict[str, Any]:
    managed: list[dict[str, Any]] = [{"PolicyName": f"M{n}", "Arn": f"arn:aws:iam::{A}:policy/M{n}", "DefaultVersionId": "v1",
                "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True}]}
               for n, document in enumerate(draw(st.lists(policy_documents(PolicyKind.IDENTITY, "M", True),
                                                          max_size=2)))]
    attach: st.SearchStrategy[list[dict[str, str]]] = st.lists(st.sampled_from([{"PolicyName": m["PolicyName"], "PolicyArn": m["Arn"]} for m in managed]),
                      max_size=2, unique_by=lambda m: m["PolicyArn"]) if managed else st.just([])
    groups = [{"GroupName": name, "Arn": f"arn:aws:iam::{A}:group/{name}", "Path": "/",
               "GroupPolicyList": _inline(draw, PolicyKind.IDENTITY, "G"), "AttachedManagedPolicies": draw(attach)}
              for name in draw(st.lists(_NAMES, max_size=2, unique=True))]
    users = []
    for name in draw(st.lists(_NAMES, max_size=3, unique=True)):
        user: dict[str, Any] = {
            "UserName": name, "Arn": f"arn:aws:iam::{A}:user/{name}", "Path": "/",
            "UserPolicyList": _inline(draw, PolicyKind.IDENTITY, "U"), "AttachedManagedPolicies": draw(attach),
            "GroupList": draw(st.lists(st.sampled_from([g["GroupName"] for g in groups] or ["none"]), max_size=2,
                                       unique=True)),
            "Tags": draw(_TAGS)}
        if draw(_FLAGS) and managed:
            user["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                           "PermissionsBoundaryArn": managed[0]["Arn"]}
        users.append(user)
    roles = [{"RoleName": name, "Arn": f"arn:aws:iam::{A}:role/{name}", "Path": "/",
              "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Principal": draw(_TRUSTED), "Action": "sts:AssumeRole"}]},
              "RolePolicyList": _inline(draw, PolicyKind.IDENTITY, "R"), "AttachedManagedPolicies": draw(attach),
              "Tags": draw(_TAGS)}
             for name in draw(st.lists(_NAMES, max_size=2, unique=True))]
    return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": managed}


def account_exports() -> st.SearchStrategy[dict[str, Any]]:
    """An account's users, groups, roles and customer managed policies, in the shape of
    `get-account-authorization-details`: inline documents as JSON or URL-encoded, attachments,
    groups (some named but missing), tags, a boundary, and role trust policies."""
    return _account_exports()


def mutants(texts: Sequence[str]) -> st.SearchStrategy[Mutant]:
    """A hostile variant of one of `texts` (real files' contents), by one of the mutations
    (`iameval.testing.mutations.DRAWN`)."""
    return st.builds(mutate, st.sampled_from(list(texts)), st.randoms(use_true_random=False),
                     st.sampled_from(DRAWN))


def _nest(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


_ODD = st.sampled_from(ODD_VALUES) | st.sampled_from(ODD_STRINGS)
_NESTED = st.integers(2, 3000).map(_nest)
_ODD_VALUES = _ODD | st.lists(_ODD, max_size=3) | _NESTED
_KEYS = st.sampled_from(sorted(CONTEXT_VALUES)) | st.sampled_from(ODD_STRINGS)
_REQUEST_FIELDS = st.lists(st.sampled_from(["principal", "action", "resource", "resource_account", "context",
                                            "federated_from", "resource_policy_required", "credentials",
                                            "unknown"]), max_size=2, unique=True)


@st.composite
def _odd_requests(draw: st.DrawFn) -> dict[str, Any]:
    request = draw(requests(draw(_CALLERS), True))
    for field in draw(_REQUEST_FIELDS):
        if field == "context":
            request["context"] = draw(st.dictionaries(_KEYS, _ODD_VALUES, max_size=3) | _ODD)
        elif draw(_FAULTY) == 0:
            request.pop(field, None)
        else:
            request[field] = draw(_ODD_VALUES)
    return request


def odd_requests() -> st.SearchStrategy[dict[str, Any]]:
    """A request of `requests`' alphabet with one or two fields missing, unknown, or of odd
    values: every JSON type, strings of odd Unicode or rich markup, lists nested thousands deep."""
    return _odd_requests()
