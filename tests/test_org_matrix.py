"""`iameval org matrix` below the loading (`matrix.matrix`, `cli._org_matrix.matrix_of`): the
Parquet table read back with pyarrow says, principal by principal and action by action, what
`Authorizer.authorize` decides and what `conditional_access` says of a denied request, with
each account's SCP levels and the resource's account's RCP levels (issue 17; §2-§4). The
organizations are built in memory from real managed policies and SCP and RCP examples.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache

import pyarrow.parquet as pq
import pytest
import typer

from helpers import FIXTURES, MANAGED, fresher_s3_read_only, invoke
from iameval.catalog import expand
from iameval.cli._org_matrix import matrix_of
from iameval.engine import conditional_access, explain, is_resource_policy_required
from iameval.engine._context import merge_context
from iameval.inputs._accounts import Account, AccountPrincipal
from iameval.inputs._organization_files import load_organization
from iameval.inputs._organization_questions import organization_who_can
from iameval.inputs._organizations import MemberAccount, Organization
from iameval.matrix import Selection, matrix
from iameval.matrix._accounts import MatrixState
from iameval.matrix._run import shard_size
from iameval.policy import PolicyKind, load_policy
from iameval.policy._errors import Location, PolicyError, Problem

MANAGEMENT, DEV, PROD = "111111111111", "222222222222", "333333333333"
BUCKET = "arn:aws:s3:::prod-reports"


@cache
def managed(name: str):
    return load_policy(json.loads((MANAGED / f"{name}.json").read_text()), PolicyKind.IDENTITY, name=name)


@cache
def example(kind: PolicyKind, name: str):
    folder = {PolicyKind.SCP: "scp", PolicyKind.RCP: "rcp"}[kind]
    path = FIXTURES / "policy-examples" / folder / f"{name}.json"
    return load_policy(json.loads(path.read_text()), kind, name=name)


def document(kind: PolicyKind, name: str, *statements: dict):
    return load_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind, name=name)


FULL_ACCESS = document(PolicyKind.SCP, "FullAWSAccess", {"Effect": "Allow", "Action": "*", "Resource": "*"})
TAGGED_WRITE = document(PolicyKind.IDENTITY, "tagged-write (inline)", {
    "Effect": "Allow", "Action": ["s3:PutObject", "sts:TagSession"], "Resource": "*",
    "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}})
GUARDRAILS = (example(PolicyKind.SCP, "Service-specific-controls__Amazon-S3__Prevent-Amazon-S3-unencrypted-object-uploads"),
              example(PolicyKind.SCP, "service_control_policies__data_perimeter_governance_scp"))
PERIMETER = (example(PolicyKind.RCP, "Service-specific-controls__S3-Deny-SSE-C"),)


def role(account: str, name: str, *policies, boundary=None, tags=None, trust=None) -> AccountPrincipal:
    return AccountPrincipal(f"arn:aws:iam::{account}:role/{name}", "role", name, identity=tuple(policies),
                            permission_boundary=boundary, tags=tags or {}, trust_policy=trust)


TRUST_DEV_WRITER = load_policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:user/alice"}, "Action": "sts:AssumeRole"}]},
    PolicyKind.RESOURCE_POLICY, name="trust of deploy", trust=True)


def organization(bucket_policy=None) -> Organization:
    """A management account (no SCPs), and two member accounts under an OU with guardrails; a
    role of `dev` whose policy could not be loaded."""
    broken = Problem("managed policy `arn:aws:iam::222222222222:policy/gone` is not in the file",
                     Location("dev.json", 3, 7), severity="warning", code="incomplete-account-details")
    dev = Account((role(DEV, "reader", managed("AmazonS3ReadOnlyAccess"), managed("IAMReadOnlyAccess")),
                   role(DEV, "writer", managed("AmazonS3FullAccess"), TAGGED_WRITE, tags={"team": "blue"}),
                   AccountPrincipal(f"arn:aws:iam::{DEV}:user/alice", "user", "alice",
                                    identity=(managed("PowerUserAccess"),)),
                   AccountPrincipal(f"arn:aws:iam::{DEV}:role/broken", "role", "broken", problems=(broken,))),
                  warnings=(broken,))
    prod = Account((role(PROD, "admin", managed("AdministratorAccess"),
                         boundary=document(PolicyKind.PERMISSION_BOUNDARY, "boundary",
                                           {"Effect": "Allow", "Action": ["s3:*", "sts:*"], "Resource": "*"})),
                    role(PROD, "deploy", managed("AmazonS3ReadOnlyAccess"), trust=TRUST_DEV_WRITER)))
    management = Account((role(MANAGEMENT, "OrganizationAccountAccessRole", managed("AdministratorAccess")),))
    levels = ((FULL_ACCESS,), (FULL_ACCESS, *GUARDRAILS), (FULL_ACCESS,))
    return Organization("o-example", MANAGEMENT, (
        MemberAccount(MANAGEMENT, "management", ("r-root",), management),
        MemberAccount(DEV, "dev", ("r-root", "ou-workloads"), dev, scps=levels, rcps=((), PERIMETER, ())),
        MemberAccount(PROD, "prod", ("r-root", "ou-workloads"), prod, scps=levels, rcps=((), PERIMETER, ()),
                      resource_policies={BUCKET: bucket_policy} if bucket_policy else {}),
    ), warnings=(broken,))


def rows_of(path) -> dict[str, dict[str, tuple[bool | None, bool | None, str | None]]]:
    """principal ARN -> action (None for a principal not evaluated) -> (allowed, conditional, problem)."""
    table = pq.read_table(path).to_pylist()
    found: dict[str, dict] = {}
    for row in table:
        found.setdefault(row["principal_arn"], {})[row["action"]] = (row["allowed"], row["conditional"], row["problem"])
    return found


def expected(org: Organization, selection: Selection, resource: str = "*",
             resource_account: str | None = None) -> dict[str, dict]:
    """The rows the engine gives, one request at a time, as `who-can` asks."""
    state = MatrixState.of(org, selection, resource, resource_account=resource_account)
    names = [state.index.names[p] for p in state.index.positions(state.actions)]
    target = state.target
    owner = org.member(target.owner) if target.owner else None
    found: dict[str, dict] = {}
    for member in org.accounts:
        rcps = owner.rcps if owner is not None else member.rcps
        for principal in member.account.principals:
            if not principal.complete:
                found[principal.arn] = {None: (None, None, "; ".join(str(p) for p in principal.problems))}
                continue
            rows = found.setdefault(principal.arn, {})
            # As `who-can` asks: the principal's tags and the organization's keys.
            context = merge_context(principal.context(), org.request_keys(member, owner or member))
            for name in names:
                # A role's trust policy is the resource policy of the requests that need one (§2.5).
                held = target.trust if is_resource_policy_required(name, resource) else target.policy
                authorizer = principal.authorizer(resource_policy=held, scps=member.scps, rcps=rcps)
                request = {"principal": principal.arn, "action": name, "resource": resource, "context": context}
                if owner is not None and owner.id != member.id:
                    request["resource_account"] = owner.id
                if authorizer.authorize(request).allowed:
                    rows[name] = (True, False, None)
                elif any(conditional_access(authorizer, request, explain(authorizer, request))):
                    rows[name] = (False, True, None)
    return {arn: rows for arn, rows in found.items() if rows}


S3_AND_STS = Selection(services=("s3", "sts"))


def test_the_table_says_what_the_engine_decides_for_every_principal_and_action(tmp_path):
    org = organization()
    summary = matrix(org, tmp_path / "m.parquet", S3_AND_STS, single_process=True)
    found = rows_of(tmp_path / "m.parquet")
    assert found == expected(org, S3_AND_STS)
    assert summary.unevaluated == 1 and summary.workers == 0
    # What the table holds, read as a security team reads it:
    assert found[f"arn:aws:iam::{DEV}:role/reader"]["s3:GetObject"] == (True, False, None)
    assert "s3:PutObject" not in found[f"arn:aws:iam::{DEV}:role/reader"]  # denied: no row
    # The SCP denies uploads without encryption headers: allowed were they given.
    assert found[f"arn:aws:iam::{DEV}:role/writer"]["s3:PutObject"] == (False, True, None)
    # The management account is exempt from SCPs (§4).
    assert found[f"arn:aws:iam::{MANAGEMENT}:role/OrganizationAccountAccessRole"]["s3:PutObject"] == (True, False, None)
    assert found[f"arn:aws:iam::{DEV}:role/broken"] == {
        None: (None, None, "dev.json:3:7: warning: managed policy `arn:aws:iam::222222222222:policy/gone` is not in "
               "the file")}


def test_a_bucket_of_another_account_is_reached_through_its_policy_and_under_its_account_s_rcps(tmp_path):
    bucket_policy = load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/reader"}, "Action": "s3:ListBucket",
         "Resource": BUCKET}]}, PolicyKind.RESOURCE_POLICY, name="prod-reports bucket policy")
    org = organization(bucket_policy)
    selection = Selection(patterns=("s3:ListBucket", "s3:GetBucketPolicy", "s3:PutObject", "sts:GetCallerIdentity"))
    matrix(org, tmp_path / "m.parquet", selection, BUCKET, single_process=True)
    found = rows_of(tmp_path / "m.parquet")
    assert found == expected(org, selection, BUCKET)
    assert found[f"arn:aws:iam::{DEV}:role/reader"]["s3:ListBucket"] == (True, False, None)
    assert "s3:ListBucket" not in found[f"arn:aws:iam::{DEV}:user/alice"]  # the policy names only the reader


def test_a_role_of_another_account_is_assumed_through_its_trust_policy(tmp_path):
    org = organization()
    selection = Selection(patterns=("sts:AssumeRole", "sts:TagSession", "iam:GetRole"))
    deploy = f"arn:aws:iam::{PROD}:role/deploy"
    matrix(org, tmp_path / "m.parquet", selection, deploy, single_process=True)
    found = rows_of(tmp_path / "m.parquet")
    assert found == expected(org, selection, deploy)
    assert found[f"arn:aws:iam::{DEV}:user/alice"]["sts:AssumeRole"] == (True, False, None)  # PowerUserAccess
    assert "sts:AssumeRole" not in found.get(f"arn:aws:iam::{DEV}:role/reader", {})  # not trusted


def test_a_role_whose_trust_policy_did_not_load_leaves_every_principal_unevaluated(tmp_path):
    matrix(organization(), tmp_path / "m.parquet", Selection(patterns=("sts:AssumeRole",)),
           f"arn:aws:iam::{DEV}:role/broken", single_process=True)
    found = rows_of(tmp_path / "m.parquet")
    assert len(found) == 7
    assert all(set(rows) == {None} and "is not in the file" in rows[None][2] for rows in found.values())


def test_a_local_dask_cluster_of_two_processes_writes_the_same_table(tmp_path):
    org = organization()
    matrix(org, tmp_path / "here.parquet", S3_AND_STS, single_process=True)
    summary = matrix(org, tmp_path / "dask.parquet", S3_AND_STS, single_process=False, workers=2)
    assert summary.workers == 2
    assert pq.read_table(tmp_path / "dask.parquet").equals(pq.read_table(tmp_path / "here.parquet"))


@pytest.mark.parametrize(("principals", "workers", "size"), [
    (4_000, 2, 100),  # 40 accounts of 100 roles on 2 workers: an account a task
    (30_000, 2, 750),  # 20 tasks for each worker
    (100_000, 2, 1_000),  # at most 10 accounts of 100 roles a task
    (50, 0, 100),  # a cluster with no worker yet
])
def test_a_large_organization_is_sent_in_larger_shards(principals, workers, size):
    assert shard_size(principals, workers) == size


def test_row_groups_carry_the_bounds_of_accounts_and_principals_but_not_of_actions(tmp_path):
    matrix(organization(), tmp_path / "m.parquet", S3_AND_STS, single_process=True)
    group = pq.ParquetFile(tmp_path / "m.parquet").metadata.row_group(0)
    bounds = {group.column(i).path_in_schema: group.column(i).is_stats_set for i in range(group.num_columns)}
    assert bounds["account_id"] and bounds["principal_arn"] and bounds["allowed"]
    assert not bounds["action"]


def test_the_table_s_metadata_says_what_was_asked(tmp_path):
    matrix(organization(), tmp_path / "m.parquet", S3_AND_STS, single_process=True)
    metadata = pq.read_schema(tmp_path / "m.parquet").metadata
    assert metadata[b"iameval.resource"] == b"*"
    assert metadata[b"iameval.actions"] == b"service:s3 service:sts"


def command(tmp_path, capsys, actions: str | None, **options) -> tuple[int, str]:
    """`matrix_of` as the command runs it, with an actions file of this text: its exit status
    and what it printed on standard error."""
    if actions is not None:
        (tmp_path / "actions.txt").write_text(actions)
        options["actions"] = str(tmp_path / "actions.txt")
    with pytest.raises(typer.Exit) as exit_:
        matrix_of(organization(), str(tmp_path / "m.parquet"), **options)
    return exit_.value.exit_code, capsys.readouterr().err


def test_an_actions_file_line_naming_no_action_is_reported_where_it_stands(tmp_path, capsys):
    status, message = command(tmp_path, capsys, "# what the auditors ask\ns3:GetObject\n  s3:GetObjekt\n")
    assert status == 2
    assert f"{tmp_path / 'actions.txt'}:3:3: error: `s3:GetObjekt` names no action of the catalogue" in message
    assert "did you mean `s3:GetObject`?" in message
    assert not (tmp_path / "m.parquet").exists()


def test_an_actions_file_and_a_service_together_are_refused(tmp_path, capsys):
    status, message = command(tmp_path, capsys, "s3:GetObject\n", services=["s3"])
    assert status == 2
    assert "give one of `--actions`, `--service` and `--all`" in message


def test_the_command_writes_the_table_and_says_so(tmp_path, capsys):
    status, message = command(tmp_path, capsys, "s3:Get*\n")
    assert status == 0
    assert "for 7 principals of 3 accounts (1 not evaluated)" in message and "in this process" in message
    assert {r["action"] for r in pq.read_table(tmp_path / "m.parquet").to_pylist()} - {None} <= {
        str(a) for a in expand("s3:Get*")}


PERIMETER_RCP = load_policy({"Version": "2012-10-17", "Statement": [{
    "Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
    "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-example"},
                  "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}, PolicyKind.RCP, name="perimeter")


def test_callers_of_the_organization_carry_its_keys_as_who_can_asks_them(tmp_path):
    """A data-perimeter RCP denies callers whose aws:PrincipalOrgID is not the organization's:
    the organization's own principals carry it (§10), so their reads are allowed outright, not
    'allowed if'."""
    org = organization()
    perimeter = Organization(org.id, org.management_account_id, tuple(
        dataclasses.replace(m, rcps=((PERIMETER_RCP,),)) if m.id == PROD else m for m in org.accounts))
    selection = Selection(patterns=("s3:GetObject",))
    matrix(perimeter, tmp_path / "m.parquet", selection, f"{BUCKET}/q1.csv", single_process=True,
           resource_account=PROD)
    found = rows_of(tmp_path / "m.parquet")
    assert found == expected(perimeter, selection, f"{BUCKET}/q1.csv", PROD)
    assert found[f"arn:aws:iam::{PROD}:role/admin"]["s3:GetObject"] == (True, False, None)


def test_an_object_is_reached_through_its_bucket_s_policy(tmp_path):
    """The policy an account holds for a bucket is that of its objects (§11), as `org who-can`
    reads it: a reader of another account is granted an object by the bucket's policy."""
    bucket_policy = load_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/reader"}, "Action": "s3:GetObject",
         "Resource": f"{BUCKET}/*"}]}, PolicyKind.RESOURCE_POLICY, name="prod-reports bucket policy")
    org = organization(bucket_policy)
    selection = Selection(patterns=("s3:GetObject",))
    matrix(org, tmp_path / "m.parquet", selection, f"{BUCKET}/q1.csv", single_process=True)
    found = rows_of(tmp_path / "m.parquet")
    assert found == expected(org, selection, f"{BUCKET}/q1.csv")
    assert found[f"arn:aws:iam::{DEV}:role/reader"]["s3:GetObject"] == (True, False, None)


def test_the_command_reads_the_organization_s_folder_and_agrees_with_org_who_can(tmp_path):
    """`iameval org matrix --org DIR`: the example organization's table says, principal by
    principal, what `org who-can` says of the same request."""
    folder = FIXTURES / "organizations" / "example-org"
    resource = "arn:aws:s3:::shared-data/report.csv"
    out = tmp_path / "m.parquet"
    result = invoke("org", "matrix", "--org", folder, "--actions", write_actions(tmp_path, "s3:GetObject"),
                    "--resource", resource, "--out", out, "--single-process")
    assert result.exit_code == 0, result.output
    found = {arn: rows.get("s3:GetObject") for arn, rows in rows_of(out).items()}
    answers = organization_who_can(load_organization(str(folder)), "s3:GetObject", resource).answers
    assert {a.principal.arn for a in answers if a.allowed} == {arn for arn, row in found.items() if row and row[0]}
    assert {a.principal.arn for a in answers if a.conditional} == {
        arn for arn, row in found.items() if row and row[1]}
    assert any(row and row[0] for row in found.values())


def write_actions(tmp_path, *names: str):
    path = tmp_path / "actions.txt"
    path.write_text("\n".join(names) + "\n")
    return path


@pytest.mark.parametrize("resource, message", [
    ("arn:aws:s3:::other-bucket/k", "the account of `arn:aws:s3:::other-bucket/k` is unknown"),
    ("arn:aws:sqs:us-east-1:555566667777:q", "account `555566667777` of `arn:aws:sqs:us-east-1:555566667777:q` is "
                                             "not in the organization"),
])
def test_a_resource_of_an_unknown_or_outside_account_is_refused_as_org_who_can_refuses_it(tmp_path, resource,
                                                                                           message):
    """Its policies are unknown: no row may read as a denial (or as an allowance within one
    account), so the command exits 2 with why, as `org who-can` does."""
    folder = FIXTURES / "organizations" / "example-org"
    out = tmp_path / "m.parquet"
    result = invoke("org", "matrix", "--org", folder, "--service", "s3", "-r", resource, "--out", out,
                    "--single-process")
    assert result.exit_code == 2 and message in result.output
    assert not out.exists()
    with pytest.raises(PolicyError, match="unknown|not in the organization"):
        organization_who_can(load_organization(str(folder)), "s3:GetObject", resource)


def test_the_resource_account_given_makes_the_other_accounts_callers_from_outside(tmp_path):
    """A bucket of workload-a that no file holds a policy for: its own principals may read it
    through their identity policies; the other accounts' may not, with no bucket policy (§3)."""
    folder = FIXTURES / "organizations" / "example-org"
    out = tmp_path / "m.parquet"
    resource = "arn:aws:s3:::other-bucket/k"
    result = invoke("org", "matrix", "--org", folder, "--actions", write_actions(tmp_path, "s3:GetObject"),
                    "-r", resource, "--resource-account", "111122223333", "--out", out, "--single-process")
    assert result.exit_code == 0, result.output
    allowed = {arn for arn, rows in rows_of(out).items() if rows.get("s3:GetObject", (False,))[0]}
    answers = organization_who_can(load_organization(str(folder)), "s3:GetObject", resource,
                                   resource_account_id="111122223333").answers
    assert allowed == {a.principal.arn for a in answers if a.allowed}
    assert allowed and all(":111122223333:" in arn for arn in allowed)


def test_the_command_takes_fresher_aws_managed_policies_as_org_who_can_does(tmp_path):
    """`org matrix --managed-policies`: a fresher AmazonS3ReadOnlyAccess without `s3:Get*` takes
    s3:GetObject from the principal that holds only it, and keeps s3:ListBucket."""
    fresh = fresher_s3_read_only(tmp_path / "fresh")
    analyst = "arn:aws:iam::444455556666:user/analyst"
    asked = ["org", "matrix", "--org", FIXTURES / "organizations" / "example-org", "--actions",
             write_actions(tmp_path, "s3:GetObject", "s3:ListBucket"), "-r", "arn:aws:s3:::security-logs",
             "--resource-account", "444455556666", "--single-process"]
    for given, out in (((), tmp_path / "snapshot.parquet"), (("--managed-policies", fresh), tmp_path / "fresh.parquet")):
        result = invoke(*asked, *given, "--out", out)
        assert result.exit_code == 0, result.output
    assert set(rows_of(tmp_path / "snapshot.parquet")[analyst]) == {"s3:GetObject", "s3:ListBucket"}
    assert set(rows_of(tmp_path / "fresh.parquet")[analyst]) == {"s3:ListBucket"}
