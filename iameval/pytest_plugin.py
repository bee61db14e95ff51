"""pytest collects scenario files (SCENARIO.md) as tests, one per scenario: the failure report of a
scenario whose decision is not its `expect` is the decision's explanation.

Installed with iameval (entry point `pytest11`). Files named `*.iam.json`, `*.iam.jsonl`,
`*.iam.yaml` or `*.iam.yml` are collected; the ini option `iameval_scenarios` (glob patterns of
file names) sets others, e.g. in pytest.ini: `iameval_scenarios = *.scenarios.yaml`.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any, Iterator

import pytest

__all__ = ["pytest_addoption", "pytest_collect_file"]

_PATTERNS = ["*.iam.json", "*.iam.jsonl", "*.iam.yaml", "*.iam.yml"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("iameval_scenarios", type="args", default=_PATTERNS,
                  help="glob patterns of the names of iameval scenario files to collect as tests")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    patterns = parent.config.getini("iameval_scenarios")
    if any(fnmatch.fnmatch(file_path.name, pattern) for pattern in patterns):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFailure(Exception):
    """A scenario that did not decide as expected, or could not be read."""


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from .inputs import load_scenarios

        for scenario in load_scenarios(self.path):
            yield ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        from .engine import explain
        from .testing import explanation_text

        scenario = self.scenario
        if scenario.error is not None:
            raise ScenarioFailure(str(scenario.error))
        explanation = explain(scenario.authorizer(), scenario.request)
        if scenario.expect is not None and explanation.decision != scenario.expect:
            raise ScenarioFailure(f"expected {scenario.expect}, got {explanation.decision}\n"
                                  + explanation_text(explanation))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.scenario.location.line
        return self.path, (line - 1 if line else None), f"scenario {self.scenario.id}"
