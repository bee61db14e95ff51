"""Loading policy documents from files, folders and standard input (IAM-SEMANTICS §6)."""

from __future__ import annotations

from pathlib import Path

from ._not_policies import FileKind, NotAPolicy, read_policy_sources
from ._source import expand_paths
from ._source import Source
from ._errors import Location, PolicyError, Problem
from ._load import load_policy
from ._model import Policy, PolicyKind

__all__ = ["load_policy_file", "load_policy_files"]


def load_policy_file(path: str | Path, kind: PolicyKind | str = PolicyKind.IDENTITY, *,
                     key_policy: bool = False) -> Policy:
    """One policy document from a JSON or YAML file (`-` for standard input), named after the
    file. `key_policy`: a KMS key policy (`load_policy`)."""
    policies = load_policy_files([str(path)], kind, key_policy=key_policy)
    if len(policies) != 1:
        second = policies[1].origin if len(policies) > 1 else None
        where = second[0].locate(()) if second is not None else Location(str(path))
        raise PolicyError([Problem(f"expected one {PolicyKind(kind).noun}, found {len(policies)} documents",
                                   where, code="document-count")])
    return policies[0]


def load_policy_files(paths: list[str], kind: PolicyKind | str = PolicyKind.IDENTITY, *,
                      key_policy: bool = False) -> list[Policy]:
    """Every policy in the files and folders given, each located where it was read (`Policy.origin`).

    Problems in all the files are collected and raised together. A JSON Lines file holds one
    policy per line.
    """
    policies: list[Policy] = []
    problems: list[Problem] = []
    kinds: set[FileKind] = set()  # what the files that are not policies are
    read: list[tuple[str, list[Source]]] = []
    for name in expand_paths(paths):
        try:
            read.append((name, read_policy_sources(name)))
        except PolicyError as exc:
            problems.extend(exc.problems)
            kinds |= exc.kinds if isinstance(exc, NotAPolicy) else set()
    # A policy is named after its file; two files of one name (in two folders) by their paths,
    # so that results, and the locations printed with them, tell them apart.
    names = [Path(name).name for name, _ in read]
    for name, sources in read:
        for source in sources:
            label = "stdin" if name == "-" else Path(name).name if names.count(Path(name).name) == 1 else name
            if source.format == "jsonl":
                label = f"{label}:{source.line_offset + 1}"
            try:
                policies.append(load_policy(source.data, kind, source=source, name=label, key_policy=key_policy))
            except PolicyError as exc:
                problems.extend(exc.problems)
    if not policies and not problems:
        problems.append(Problem("no policy document found", Location(", ".join(paths)), code="no-policy-found"))
    if problems:
        raise NotAPolicy(problems, kinds=kinds) if kinds else PolicyError(problems)
    return policies
