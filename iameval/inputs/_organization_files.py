"""Reading an organization from its folder (docs/organizations.md): a manifest that names the
outputs of the AWS CLI for Organizations, one `get-account-authorization-details` export per
account and the resource-based policies each account holds.

The tree is walked from the root through the OUs each parent lists; an account's SCP and RCP
levels are the policies listed for each node of its path and for the account itself, in that
order (IAM-SEMANTICS §4, Inheritance), none for the management account (§4, Scope), none of a
type the root does not enable. Whatever is missing or contradicts the rest is a located warning,
and what it touches is left unevaluated: a principal whose SCP levels are unknown carries the
problem (`AccountPrincipal.problems`), an account whose RCP levels are unknown carries it for its
resources (`MemberAccount.rcp_problems`), a resource policy that could not be read for that
resource. Only a manifest that cannot be read at all is an error.
"""

from __future__ import annotations

import dataclasses
import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..engine._request import is_key_policy_action
from ..policy._arn import split_arn
from ..policy._errors import Location, PolicyError, Problem
from ..policy._errors import Path as JsonPath
from ..policy._load import load_policy
from ..policy._model import Policy, PolicyKind
from ..policy._source import Source, read_sources
from ._accounts import Account, _Builder, load_account
from ._output_lists import list_objects
from ._managed import AwsManagedPolicies
from ._organizations import Level, MemberAccount, Organization

__all__ = ["MANIFEST_NAMES", "POLICY_TYPES", "load_organization"]

# The manifest's names, tried in this order when a folder is given.
MANIFEST_NAMES = ("organization.json", "organization.yaml", "organization.yml")
# `list-policies-for-target --filter` values, with the kind each policy is read as.
POLICY_TYPES = {"SERVICE_CONTROL_POLICY": PolicyKind.SCP, "RESOURCE_CONTROL_POLICY": PolicyKind.RCP}

_CODE = "incomplete-organization"
# The manifest's keys: the AWS CLI commands whose outputs it names, and the resource policies.
MANIFEST_KEYS = ("describe-organization", "list-roots", "list-organizational-units-for-parent",
                 "list-accounts-for-parent", "list-policies-for-target", "describe-policy",
                 "get-account-authorization-details", "resource-policies")


class _Reader:
    """The manifest and the files it names; every problem a located warning kept in `warnings`."""

    def __init__(self, manifest: Source):
        self.manifest = manifest
        self.warnings: list[Problem] = []

    def warn(self, problem: Problem) -> Problem:
        problem = dataclasses.replace(problem, severity="warning")
        self.warnings.append(problem)
        return problem

    def at(self, path: JsonPath, message: str, hint: str | None = None) -> Problem:
        """A warning located at an element of the manifest."""
        return self.warn(self.manifest.problem(path, message, hint, code=_CODE))

    def entry(self, path: JsonPath) -> Any:
        """The manifest's element at `path`, or None."""
        value: Any = self.manifest.data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def files(self, *path: str) -> dict[str, str]:
        """A manifest field that maps IDs to file names; entries of the wrong shape are reported."""
        value = self.entry(path)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.at(path, "this must map IDs to file names; it was passed over")
            return {}
        found = {}
        for name, file in value.items():
            if isinstance(file, str):
                found[name] = file
            else:
                self.at(path + (name,), f"the file of `{name}` must be a file name; it was passed over")
        return found

    def path(self, file: str) -> str:
        return str(self.manifest.directory / file)

    def read(self, where: JsonPath, file: str) -> tuple[Source | None, tuple[Problem, ...]]:
        """The one document of a file the manifest names at `where`; else None with the warnings
        why (located at the manifest entry when the file is missing, in the file when it is not
        JSON or YAML)."""
        try:
            sources = read_sources(self.path(file))
        except PolicyError as exc:
            return None, self.unreadable(where, file, exc)
        if len(sources) != 1:
            return None, (self.at(where, f"`{file}` must hold one document, not {len(sources)}"),)
        return sources[0], ()

    def unreadable(self, where: JsonPath, file: str, error: PolicyError) -> tuple[Problem, ...]:
        """The warnings of a file the manifest names at `where` that could not be read: located at
        that entry when the file cannot be opened, in the file when its content is at fault."""
        return tuple(self.at(where, f"`{file}` {p.message}") if p.code == "unreadable-file" else self.warn(p)
                     for p in error.problems)

    def entries(self, source: Source, key: str) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
        """The objects of the list `key` of a CLI output, each with `Id` and its path; anything
        else there is reported and passed over."""
        def warn(path: JsonPath, message: str) -> None:
            self.warn(source.problem(path, message, code=_CODE))

        for index, item in list_objects(source.data, key, warn, field="Id", missing=f"`{key}` (a list) is missing: "
                                        "this is not the output the manifest names it as"):
            yield (key, index), item

    def listing(self, where: JsonPath, file: str, key: str) -> Iterator[tuple[Source, JsonPath, dict[str, Any]]]:
        """`entries` of a file the manifest names, each with its source; none when it cannot be read."""
        source, _ = self.read(where, file)
        if source is not None:
            for at, entry in self.entries(source, key):
                yield source, at, entry


class _Tree:
    """The root, the OUs and the accounts, as the listings per parent give them."""

    def __init__(self, reader: _Reader, root: str):
        self.reader = reader
        self.ous = reader.files("list-organizational-units-for-parent")
        self.accounts_of = reader.files("list-accounts-for-parent")
        self.paths: dict[str, tuple[str, ...]] = {}  # node -> the nodes above it, root first
        self.accounts: dict[str, tuple[str, tuple[str, ...]]] = {}  # ID -> (name, path)
        self._walk(root, ())
        for parent in sorted(set(self.ous) | set(self.accounts_of)):
            if parent not in self.paths:
                key = "list-organizational-units-for-parent" if parent in self.ous else "list-accounts-for-parent"
                reader.at((key, parent), f"parent `{parent}` is neither the root nor an OU listed under it: "
                          "its listing was passed over", "list the OUs of every parent from the root down")

    def _walk(self, node: str, above: tuple[str, ...]) -> None:
        self.paths[node] = above
        path = above + (node,)
        if node in self.accounts_of:
            for source, at, entry in self.reader.listing(("list-accounts-for-parent", node),
                                                         self.accounts_of[node], "Accounts"):
                account = entry["Id"]
                if account in self.accounts:
                    self.reader.warn(source.problem(at + ("Id",), f"account `{account}` is listed under two "
                                                    "parents; the first was kept", code=_CODE))
                    continue
                self.accounts[account] = (str(entry.get("Name") or account), path)
        else:
            self.reader.at(("list-accounts-for-parent",), f"the accounts under `{node}` are not listed: any "
                           "there are left out", "add the output of `aws organizations list-accounts-for-parent "
                           f"--parent-id {node}`")
        if node not in self.ous:
            self.reader.at(("list-organizational-units-for-parent",), f"the OUs under `{node}` are not listed: "
                           "any there are left out", "add the output of `aws organizations "
                           f"list-organizational-units-for-parent --parent-id {node}`")
            return
        for source, at, entry in self.reader.listing(("list-organizational-units-for-parent", node),
                                                     self.ous[node], "OrganizationalUnits"):
            child = entry["Id"]
            if child in self.paths:
                what = "a cycle" if child in path else "listed under two parents"
                self.reader.warn(source.problem(at + ("Id",), f"OU `{child}` is {what}: this listing of it was "
                                                "passed over", code=_CODE))
                continue
            self._walk(child, path)


class _Levels:
    """The policies of one type attached to each node and account (`list-policies-for-target`),
    each read once (`describe-policy`); a target's level with why it is unknown."""

    def __init__(self, reader: _Reader, policy_type: str, described: dict[str, str]):
        self.reader = reader
        self.type = policy_type
        self.kind = POLICY_TYPES[policy_type]
        self.described = described
        self.targets = reader.files("list-policies-for-target", policy_type)
        self.policies: dict[str, tuple[Policy | None, tuple[Problem, ...]]] = {}
        self.levels: dict[str, tuple[Level, tuple[Problem, ...]]] = {}

    def level(self, target: str) -> tuple[Level, tuple[Problem, ...]]:
        if target not in self.levels:
            self.levels[target] = self._read_level(target)
        return self.levels[target]

    def _read_level(self, target: str) -> tuple[Level, tuple[Problem, ...]]:
        where = ("list-policies-for-target", self.type, target)
        if target not in self.targets:
            problem = self.reader.at(where[:2], f"the {self.kind.noun}s attached to `{target}` are not listed: "
                                     "what they allow is unknown", "add the output of `aws organizations "
                                     f"list-policies-for-target --target-id {target} --filter {self.type}`")
            return (), (problem,)
        source, unread = self.reader.read(where, self.targets[target])
        if source is None:
            return (), unread
        policies: list[Policy] = []
        problems: list[Problem] = []
        for at, entry in self.reader.entries(source, "Policies"):
            policy, policy_problems = self.policy(entry["Id"], source, at)
            problems += policy_problems
            if policy is not None:
                # Named with where it is attached: the same policy at the root, an OU and the
                # account decides at three levels, and an explanation tells them apart.
                policies.append(policy.model_copy(update={"name": f"{policy.name} at {target}"}))
        if not policies and not problems:
            problems.append(self.reader.at(where, f"no {self.kind.noun} is attached to `{target}`, which AWS "
                                           "does not allow while the type is enabled"))
        return tuple(policies), tuple(problems)

    def policy(self, policy_id: str, listed: Source, at: JsonPath) -> tuple[Policy | None, tuple[Problem, ...]]:
        if policy_id not in self.policies:
            self.policies[policy_id] = self._describe(policy_id, listed, at)
        return self.policies[policy_id]

    def _describe(self, policy_id: str, listed: Source, at: JsonPath) -> tuple[Policy | None, tuple[Problem, ...]]:
        if policy_id not in self.described:
            return None, (self.reader.warn(listed.problem(
                at + ("Id",), f"policy `{policy_id}` is attached but not described", "add the output of "
                f"`aws organizations describe-policy --policy-id {policy_id}`", code=_CODE)),)
        source, unread = self.reader.read(("describe-policy", policy_id), self.described[policy_id])
        if source is None:
            return None, unread
        data = source.data.get("Policy") if isinstance(source.data, dict) else None
        summary = data.get("PolicySummary") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(summary, dict) or "Content" not in data:
            return None, (self.reader.warn(source.problem((), "`Policy` with `PolicySummary` and `Content` is "
                                                         "missing: this is not the output of `describe-policy`",
                                                         code=_CODE)),)
        if summary.get("Id") != policy_id or summary.get("Type") not in (None, self.type):
            return None, (self.reader.warn(source.problem(("Policy", "PolicySummary"), f"this describes "
                                                         f"`{summary.get('Id')}` of type `{summary.get('Type')}`, "
                                                         f"not `{policy_id}` of type `{self.type}`", code=_CODE)),)
        name = summary.get("Name")
        name = name if isinstance(name, str) and name else policy_id
        builder = _Builder(source)
        policy, problems = builder.policy(data["Content"], self.kind, ("Policy", "Content"), name)
        self.reader.warnings += builder.warnings
        return policy, problems


def load_organization(path: str, aws_managed: AwsManagedPolicies | None = None) -> Organization:
    """Read an organization's folder (or its manifest file). Raise `PolicyError` when the
    manifest, `describe-organization` or `list-roots` cannot be read; report anything else as a
    located warning in `Organization.warnings` and leave what it touches unevaluated."""
    with _no_cycle_collection():
        return _load(_manifest(path), aws_managed)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while the organization is read: loading builds millions of
    objects that all live on, and each collection would walk them again (half the time of a
    100-account organization, bench/orggen.py). Reference counting still frees what is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(manifest: Source, aws_managed: AwsManagedPolicies | None) -> Organization:
    reader = _Reader(manifest)
    organization = _required(reader, "describe-organization", "Organization", ("Id", "MasterAccountId"))
    roots_source, unread = reader.read(("list-roots",), _required_file(reader, "list-roots"))
    if roots_source is None:
        raise PolicyError(unread)
    roots = roots_source.data.get("Roots") if isinstance(roots_source.data, dict) else None
    if not isinstance(roots, list) or len(roots) != 1 or not isinstance(roots[0], dict) \
            or not isinstance(roots[0].get("Id"), str):
        raise PolicyError([Problem("`Roots` must list the one root of the organization", roots_source.locate(("Roots",)),
                                   code="invalid-organization")])
    root = roots[0]
    enabled = {t.get("Type") for t in root.get("PolicyTypes") or [] if isinstance(t, dict)
               and t.get("Status") == "ENABLED"}
    tree = _Tree(reader, root["Id"])
    described = reader.files("describe-policy")
    levels = {t: _Levels(reader, t, described) for t in POLICY_TYPES if t in enabled}
    for policy_type in POLICY_TYPES:
        if policy_type not in enabled and reader.entry(("list-policies-for-target", policy_type)):
            reader.at(("list-policies-for-target", policy_type), f"the root does not enable `{policy_type}`: "
                      "these listings were passed over")
    # A key the manifest misspells or this version does not read is said, never passed over unseen.
    if isinstance(manifest.data, dict):
        for key in manifest.data:
            if key not in MANIFEST_KEYS:
                reader.at((key,), f"`{key}` is not a key of the manifest: it was passed over",
                          "the keys are " + ", ".join(f"`{k}`" for k in MANIFEST_KEYS))
    listed = reader.entry(("list-policies-for-target",))
    for policy_type in listed if isinstance(listed, dict) else ():
        if policy_type not in POLICY_TYPES:
            reader.at(("list-policies-for-target", policy_type), f"`{policy_type}` is not a policy type read here: "
                      "it was passed over", "use " + " or ".join(f"`{t}`" for t in POLICY_TYPES))
    exports = reader.files("get-account-authorization-details")
    held = reader.entry(("resource-policies",))
    if held is not None and not isinstance(held, dict):
        reader.at(("resource-policies",), "`resource-policies` must map account IDs to their resources' files")
        held = {}
    for account in sorted(set(exports) | set(held or {})):
        if account not in tree.accounts:
            key = "get-account-authorization-details" if account in exports else "resource-policies"
            reader.at((key, account), f"account `{account}` is not in the organization: its files were passed "
                      "over", "list it under its parent with `list-accounts-for-parent`")
    management = organization["MasterAccountId"]
    if management not in tree.accounts:
        reader.at(("describe-organization",), f"the management account `{management}` is not listed under any "
                  "parent")
    members = []
    for account_id, (name, node_path) in sorted(tree.accounts.items()):
        exempt = account_id == management
        scps, scp_problems = _chain(levels.get("SERVICE_CONTROL_POLICY"), node_path + (account_id,), exempt)
        rcps, rcp_problems = _chain(levels.get("RESOURCE_CONTROL_POLICY"), node_path + (account_id,), exempt)
        account = _account(reader, account_id, exports.get(account_id), aws_managed)
        if scp_problems:  # its principals' requests would be guesses
            account = Account(tuple(dataclasses.replace(p, problems=p.problems + scp_problems)
                                    for p in account.principals), account.warnings)
        policies, policy_problems = _resource_policies(reader, account_id, (held or {}).get(account_id))
        members.append(MemberAccount(account_id, name, node_path, account, scps, rcps, policies, rcp_problems,
                                     policy_problems))
    return Organization(organization["Id"], management, tuple(members), tuple(reader.warnings))


def _manifest(path: str) -> Source:
    folder = Path(path)
    if folder.is_dir():
        found = next((folder / n for n in MANIFEST_NAMES if (folder / n).is_file()), None)
        if found is None:
            raise PolicyError([Problem(f"no manifest ({', '.join(MANIFEST_NAMES)}) in this folder", Location(path),
                                       "see docs/organizations.md", code="invalid-organization")])
        path = str(found)
    sources = read_sources(path)
    if len(sources) != 1 or not isinstance(sources[0].data, dict):
        raise PolicyError([Problem("a manifest must be one object naming the organization's files",
                                   Location(path, 1, 1), "see docs/organizations.md", code="invalid-organization")])
    return sources[0]


def _required_file(reader: _Reader, key: str) -> str:
    file = reader.entry((key,))
    if not isinstance(file, str):
        raise PolicyError([reader.manifest.problem((key,) if key in reader.manifest.data else (),
                                                   f"`{key}` must name the file of its output",
                                                   "see docs/organizations.md", code="invalid-organization")])
    return file


def _required(reader: _Reader, key: str, field: str, names: tuple[str, ...]) -> dict[str, str]:
    """The object `field` of a required output, with the string fields `names`."""
    source, unread = reader.read((key,), _required_file(reader, key))
    if source is None:
        raise PolicyError(unread)
    data = source.data.get(field) if isinstance(source.data, dict) else None
    if not isinstance(data, dict) or not all(isinstance(data.get(n), str) for n in names):
        raise PolicyError([source.problem((field,) if isinstance(data, dict) else (), f"`{field}` must be an object "
                                          "with " + ", ".join(f"`{n}`" for n in names),
                                          code="invalid-organization")])
    return data


def _chain(levels: _Levels | None, path: tuple[str, ...], exempt: bool) -> tuple[tuple[Level, ...], tuple[Problem, ...]]:
    """The levels of one policy type from the root to the account (§4): none when the type is not
    enabled or the account is the management account; with why any is unknown."""
    if levels is None or exempt:
        return (), ()
    read = [levels.level(target) for target in path]
    return tuple(level for level, _ in read), tuple(p for _, problems in read for p in problems)


def _account(reader: _Reader, account_id: str, file: str | None, aws_managed: AwsManagedPolicies | None) -> Account:
    """The account's export, its principals of another account marked incomplete; an account
    without one has no principals to evaluate, which is said."""
    where = ("get-account-authorization-details", account_id)
    if file is None:
        reader.at(where[:1], f"account `{account_id}` has no `get-account-authorization-details` export: none of "
                  "its principals are evaluated")
        return Account(())
    try:
        account = load_account(reader.path(file), aws_managed)
    except PolicyError as exc:
        reader.unreadable(where, file, exc)
        return Account(())
    reader.warnings += account.warnings
    principals = []
    for principal in account.principals:
        owner = split_arn(principal.arn)
        if len(owner) == 6 and owner[4] != account_id:
            problem = reader.at(where, f"`{principal.arn}` is not a principal of account `{account_id}`, whose "
                                "export this is named as")
            principal = dataclasses.replace(principal, problems=principal.problems + (problem,))
        principals.append(principal)
    return Account(tuple(principals), account.warnings)


def _resource_policies(reader: _Reader, account_id: str, files: Any
                       ) -> tuple[dict[str, Policy], dict[str, tuple[Problem, ...]]]:
    """The account's resource-based policies by resource ARN; a policy that cannot be read, or
    one of a resource of another account, leaves that resource's requests unevaluated."""
    if files is None:
        return {}, {}
    where: JsonPath = ("resource-policies", account_id)
    if not isinstance(files, dict):
        reader.at(where, "this must map resource ARNs to policy files; it was passed over")
        return {}, {}
    policies: dict[str, Policy] = {}
    problems: dict[str, tuple[Problem, ...]] = {}
    for arn, file in files.items():
        segments = split_arn(arn)
        if len(segments) != 6 or segments[0] != "arn" or segments[4] not in ("", account_id):
            problems[arn] = (reader.at(where + (arn,), f"`{arn}` is not the ARN of a resource of account "
                                       f"`{account_id}`"),)
            continue
        if not isinstance(file, str):
            problems[arn] = (reader.at(where + (arn,), "the policy file must be a file name"),)
            continue
        source, problems[arn] = reader.read(where + (arn,), file)
        if source is None:
            continue
        del problems[arn]
        try:
            policies[arn] = load_policy(source.data, PolicyKind.RESOURCE_POLICY, source=source, name=Path(file).name,
                                        key_policy=is_key_policy_action(f"{segments[2]}:"))
        except PolicyError as exc:
            problems[arn] = tuple(reader.warn(p) for p in exc.problems)
    return policies, problems
