"""Validation findings as a SARIF 2.1.0 log, the format code-review tools read.

One run, with every rule iameval knows in `tool.driver.rules` (so that `ruleIndex` is stable),
each with the AWS page that documents it as `helpUri`, and one result per finding: its level,
message, file, line and column (counted in Unicode code points), and the element path as a
logical location.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import quote

from ..analysis._rules import Finding, Rule
from ..policy._errors import format_path
from ..policy._references import aws_doc

__all__ = ["sarif_log"]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _version() -> str:
    try:
        return metadata.version("iameval")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def _uri(file: str) -> str | None:
    """A relative path stays relative (resolved against the checkout by the reader); an absolute
    one becomes a `file:` URI; standard input has none."""
    if not file or file.startswith("<") or file.startswith("--"):
        return None
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    return quote(path.as_posix())


def sarif_log(findings: Iterable[Finding], rules: Mapping[str, Rule]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of `findings` (validate.Finding); `rules` maps each code to its Rule."""
    codes = list(rules)
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for finding in findings:
        loc = finding.location
        text = finding.message + (f" (hint: {finding.hint})" if finding.hint else "")
        location: dict[str, Any] = {}
        uri = _uri(loc.file or "")
        if uri is not None:
            region = {}
            if loc.line is not None:
                region["startLine"] = loc.line
                if loc.column is not None:
                    region["startColumn"] = loc.column
            location["physicalLocation"] = {"artifactLocation": {"uri": uri},
                                            **({"region": region} if region else {})}
        if loc.path:
            location["logicalLocations"] = [{"fullyQualifiedName": format_path(loc.path), "kind": "element"}]
        results.append({
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": "error" if finding.severity == "error" else "warning",
            "message": {"text": text},
            "locations": [location] if location else [],
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iameval",
                "version": _version(),
                "rules": [{
                    "id": code,
                    "shortDescription": {"text": rules[code].title},
                    "defaultConfiguration": {"level": rules[code].severity},
                    "helpUri": aws_doc(rules[code].section),
                } for code in codes],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
