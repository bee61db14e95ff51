"""What the tests share: principals, policy builders, one way to build an authorizer, one way
to run the CLI in-process, the fixture folders, and the scale of hypothesis properties.

Everything here is a plain value or a small function over iameval's public API; a test module
imports what it needs by name (`from helpers import ALICE, doc, allow`). Module-specific
builders stay in their module.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

import iameval
from iameval.cli import app
from iameval.engine import REQUEST_CHECKS
from iameval.testing.strategies.chain import A_FED as FED_CAROL, A_ROOT as ROOT_A, ANONYMOUS, B_ROOT as ROOT_B
from iameval.testing.strategies.chain import SERVICE as CLOUDTRAIL
from iameval.testing.strategies.policies import A, ALICE, B, BOB

# ------------------------------------------------------------------------------- principals

# Accounts A and B, their users, roots and callers of no identity are those of the hypothesis
# strategies (iameval.testing.strategies), so that tables and properties speak of the same ones.
DAVE = f"arn:aws:iam::{A}:user/dave"
CAROL = f"arn:aws:iam::{A}:user/carol"
READER_ROLE = f"arn:aws:iam::{A}:role/Reader"
READER_SESSION = f"arn:aws:sts::{A}:assumed-role/Reader/alice-session"

BUCKET = "arn:aws:s3:::example-bucket"
OBJECT = f"{BUCKET}/reports/2024.csv"

# ------------------------------------------------------------------------------- fixtures

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
MANAGED = FIXTURES / "managed-policies"


@cache
def conformance_scenarios() -> list:
    """The 520 conformance scenarios of fixtures/conformance, loaded once per run."""
    return iameval.load_scenarios(FIXTURES / "conformance")


# ------------------------------------------------------------------------------- policies

def fresher_s3_read_only(folder: Path) -> Path:
    """A `--managed-policies` folder holding a fresher AmazonS3ReadOnlyAccess, as if AWS had
    dropped `s3:Get*` from it (the organization's security account attaches it unheld)."""
    document = json.loads((MANAGED / "AmazonS3ReadOnlyAccess.json").read_text(encoding="utf-8"))
    document["Statement"][0]["Action"].remove("s3:Get*")
    folder.mkdir()
    (folder / "AmazonS3ReadOnlyAccess.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


def doc(*statements: dict, version: str | None = "2012-10-17") -> dict:
    """A policy document; `version=None` leaves Version out."""
    out: dict = {"Statement": list(statements)}
    return {"Version": version, **out} if version else out


def allow(action: Any = "s3:GetObject", resource: Any = "*", sid: str | None = None, **extra) -> dict:
    """An Allow statement; `resource=None` leaves Resource out (a trust policy's statement)."""
    return _statement("Allow", action, resource, sid, extra)


def deny(action: Any = "s3:GetObject", resource: Any = "*", sid: str | None = None, **extra) -> dict:
    return _statement("Deny", action, resource, sid, extra)


def _statement(effect: str, action: Any, resource: Any, sid: str | None, extra: dict) -> dict:
    statement = {"Effect": effect, "Action": action}
    if sid:
        statement["Sid"] = sid
    if resource is not None:
        statement["Resource"] = resource
    statement.update(extra)
    return statement


def grant(principal: Any, action: Any = "s3:GetObject", resource: Any = f"{BUCKET}/*", sid: str | None = None,
          **extra) -> dict:
    """A resource policy with one Allow to `principal`."""
    return doc(allow(action, resource, sid, Principal=principal, **extra))


def trust(principal: Any, action: Any = "sts:AssumeRole", **extra) -> dict:
    """A role trust policy: no Resource, the role itself is the resource (§2.5)."""
    return doc(allow(action, None, Principal=principal, **extra))


def load(value: dict | iameval.Policy, kind: str) -> iameval.Policy:
    return value if isinstance(value, iameval.Policy) else iameval.load_policy(value, kind)


def _level(value, kind: str):
    """One SCP or RCP level: a list of policies, or one policy."""
    return [load(p, kind) for p in value] if isinstance(value, list) else load(value, kind)


def authorizer(identity=(), resource=None, permission_boundary=None, session=(), scps=(), rcps=()) -> iameval.Authorizer:
    """An authorizer from documents (or loaded policies) of every kind, by their chain names."""
    return iameval.Authorizer(
        identity=[load(p, "identity") for p in identity],
        resource_policy=load(resource, "resource_policy") if resource is not None else None,
        permission_boundary=(load(permission_boundary, "permission_boundary")
                             if permission_boundary is not None else None),
        session=[load(p, "session") for p in session],
        scps=[_level(level, "scp") for level in scps],
        rcps=[_level(level, "rcp") for level in rcps],
    )


def decide(policies: dict, request_: dict) -> iameval.Result:
    """The result for a table row's policies (keyword arguments of `authorizer`) and request."""
    return authorizer(**policies).authorize(request_)


def request(principal: str, action: str = "s3:GetObject", resource: str = OBJECT, account: str | None = A,
            **extra) -> dict:
    """A request; the resource is in account A unless `account` says otherwise (None: unsaid)."""
    out = {"principal": principal, "action": action, "resource": resource}
    if account is not None:
        out["resource_account"] = account
    out.update(extra)
    return out


def case(id: str, expect: str, request_: dict, **policies) -> Any:
    """A row of a decision table: policies by chain name, the request, the expected decision."""
    return pytest.param(policies, request_, expect, id=id)


def evaluation_warnings(result: iameval.Result) -> list[str]:
    """A result's warnings of evaluation itself, without what the request may not mean (its
    checks against the catalogue, `iameval.engine.REQUEST_CHECKS`)."""
    return [w for w in result.warnings if getattr(w, "code", None) not in REQUEST_CHECKS]


# ------------------------------------------------------------------------------- the CLI

runner = CliRunner()


def invoke(*args: Any, input: str | bytes | None = None):
    """`iameval ARGS...` in-process, through typer's CliRunner."""
    return runner.invoke(app, [str(a) for a in args], input=input)


def write(path: Path, content: Any) -> Path:
    """`content` (text, or data written as JSON) in a file, its folders created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8")
    return path


def position_of(path: Path, needle: str) -> tuple[int, int]:
    """1-based line and column of the first `needle` in a file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle} not in {path}")


def flat(text: str) -> str:
    """Output with runs of whitespace (and rich's line wrapping) collapsed to one space."""
    return " ".join(text.split())


# ------------------------------------------------------------------------------- hypothesis

def scaled(factor: float) -> settings:
    """Settings for a property that needs `factor` times the examples of the loaded profile
    (tests/conftest.py): more for a cheap function of a large input space, fewer for one
    property run once per row of a table."""
    return settings(max_examples=max(1, round(settings.default.max_examples * factor)))
