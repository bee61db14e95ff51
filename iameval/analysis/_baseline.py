"""Findings a team has accepted: `validate --ignore CODE` and a baseline file, so that CI fails
only on new findings.

A baseline is a JSON file written by `validate --write-baseline FILE`:
`{"iameval-baseline": 1, "findings": [{"file", "code", "element", "message"}, ...]}`. A finding
is accepted when the baseline holds one of the same file, code and element (its place in the
document, not its line, so that edits elsewhere in the file do not make it new); each entry
accepts as many findings as it is listed times.
"""

from __future__ import annotations

import difflib
from collections import Counter
from typing import Any, Iterable

from ..policy._errors import Location, PolicyError, Problem, format_path
from ..policy._source import read_sources
from ._rules import CODES, Finding

__all__ = ["Baseline", "baseline_json", "ignored_codes", "load_baseline"]

_MARK = "iameval-baseline"


def _key(file: str | None, code: str, element: str) -> tuple[str, str, str]:
    return (file or "", code, element)


class Baseline:
    """Accepted findings, by file, code and element."""

    def __init__(self, entries: Iterable[tuple[str, str, str]] = ()):
        self.entries = Counter(entries)

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """The findings that are new, and those the baseline accepts."""
        left = Counter(self.entries)
        new, accepted = [], []
        for finding in findings:
            key = _key(finding.location.file, finding.code, format_path(finding.location.path))
            if left[key] > 0:
                left[key] -= 1
                accepted.append(finding)
            else:
                new.append(finding)
        return new, accepted


def baseline_json(findings: Iterable[Finding]) -> dict[str, Any]:
    """The baseline that accepts `findings`."""
    return {_MARK: 1, "findings": [
        {"file": f.location.file, "code": f.code, "element": format_path(f.location.path), "message": f.message}
        for f in findings]}


def load_baseline(path: str) -> Baseline:
    """A baseline file; one that is not one is a located `PolicyError` (`invalid-baseline`)."""
    sources = read_sources(path)
    source = sources[0] if len(sources) == 1 else None
    data = source.data if source is not None else None
    if source is None or not isinstance(data, dict) or data.get(_MARK) != 1 or not isinstance(data.get("findings"), list):
        raise PolicyError([Problem(f"`{path}` is not a baseline written by `iameval validate --write-baseline`",
                                   Location(path, 1, 1), "write one with --write-baseline FILE",
                                   code="invalid-baseline")])
    entries = []
    for index, entry in enumerate(data["findings"]):
        if not (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("code", "element"))
                and isinstance(entry.get("file", ""), (str, type(None)))):
            raise PolicyError([source.problem(("findings", index), "a baseline entry has `file`, `code` and "
                                              "`element`", code="invalid-baseline")])
        entries.append(_key(entry.get("file"), entry["code"], entry["element"]))
    return Baseline(entries)


def ignored_codes(codes: Iterable[str]) -> frozenset[str]:
    """The codes of `--ignore`; one that is no code of validate is an error, with the nearest."""
    unknown = [c for c in codes if c not in CODES]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(CODES), n=1)
        raise PolicyError([Problem(f"`{unknown[0]}` is not a code of validate", Location("--ignore"),
                                   f"did you mean `{close[0]}`?" if close else "see docs/validate.md for the codes",
                                   code="invalid-usage")])
    return frozenset(codes)
