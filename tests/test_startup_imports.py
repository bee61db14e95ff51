"""A command imports what it runs, when it runs it (issue 14, start-up).

Each case runs the command in a fresh interpreter and reads which modules it imported: `--help`
builds no policy model, a `check` of a JSON policy reads no YAML and loads no account export,
validation or practice questions. What this costs in time is measured by `bench/startup.py`,
not here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import FIXTURES, ROOT

import iameval

_PROBE = """
import json, sys
from iameval.cli import main
out, sys.argv = sys.argv[1], ["iameval", *sys.argv[2:]]
try:
    main()
except SystemExit as exc:
    status = exc.code
else:
    status = 0
with open(out, "w") as handle:
    json.dump({"status": status, "modules": sorted(sys.modules)}, handle)
"""

EXAMPLE = str(FIXTURES / "examples" / "read-reports.json")
CHECK = ["check", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::example-reports/q1.csv"]

# Modules no short command needs unless it reads YAML, an account export, scenarios, questions
# or validates.
_ELSEWHERE = ["yaml", "iameval.policy._yaml", "iameval.cli._quiz", "iameval.cli._quiz_changes",
              "iameval.inputs._accounts", "iameval.inputs._scenarios", "iameval.analysis._validate",
              "iameval.analysis._checks", "iameval.cli._sarif", "rich.progress", "iameval.inputs._organization_files",
              "iameval.inputs._organization_questions"]
# What only `org matrix` needs (the `org` extra): no other command pays for it.
_MATRIX = ["iameval.matrix", "iameval.cli._org_matrix", "iameval.analysis._decide_sets", "numpy", "pyarrow",
           "dask", "distributed"]
# What only deciding needs: the models (pydantic), the engine, lark.
_DECIDING = ["pydantic", "iameval.policy._model", "iameval.engine._chain", "iameval.catalog._catalog"]
# lark reads policy variables only; positions of JSON are found by a scan (`policy/_positions.py`).
_LARK = ["lark"]
# The solver and the questions about every request: `diff` and `can-never` only.
_SOLVER = ["z3", "iameval.analysis._diff", "iameval.analysis._symbolic", "iameval.analysis._infrastructure_diff"]
# What the commands' options need of the loader is the policy types (`analysis/_policy_types.py`):
# the rules of validation and the parsers of operators and variables are no part of `--help`.
_RULES = ["iameval.analysis._rules", "iameval.policy._refusals", "iameval.policy._operators",
          "iameval.policy._variables"]


def _imported(tmp_path, *arguments: str) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    subprocess.run([sys.executable, "-c", _PROBE, str(out), *arguments], cwd=ROOT, capture_output=True,
                   text=True, timeout=120, check=False)
    found = json.loads(out.read_text())
    return found["status"], set(found["modules"])


def _absent(modules: set[str], names: list[str]) -> list[str]:
    return [name for name in names if name in modules]


def test_help_builds_no_policy_model_and_imports_no_command_s_work(tmp_path):
    status, modules = _imported(tmp_path, "--help")
    assert status == 0
    assert "iameval.cli._check" in modules  # the commands are listed from their own functions
    assert _absent(modules, _ELSEWHERE + _DECIDING + _LARK + _SOLVER + _RULES + _MATRIX) == []


def test_help_scans_no_installed_distribution(tmp_path):
    """importlib.metadata, with the email parser it brings, comes with pydantic's plugin scan
    and with `--version`: `--help` has neither."""
    status, modules = _imported(tmp_path, "--help")
    assert status == 0
    assert _absent(modules, ["importlib.metadata", "email.message", "typer._adapters"]) == []


def test_version_reads_the_catalogue_s_version_without_the_models(tmp_path):
    status, modules = _imported(tmp_path, "--version")
    assert status == 0
    assert _absent(modules, _ELSEWHERE + _DECIDING[:2] + _LARK + _SOLVER + _RULES) == []


def test_check_of_a_json_policy_reads_no_yaml_account_export_scenario_or_question(tmp_path):
    status, modules = _imported(tmp_path, *CHECK, EXAMPLE)
    assert status == 0  # Allow: the command decided
    assert set(_DECIDING) <= modules
    assert _absent(modules, _ELSEWHERE + _LARK + _SOLVER + _MATRIX + [
        "iameval.analysis._rules", "rich.syntax", "pygments", "typer.rich_utils", "rich.markdown", "markdown_it",
        "rich.table", "rich.traceback"]) == []


def test_org_matrix_help_imports_neither_the_matrix_nor_its_dependencies(tmp_path):
    status, modules = _imported(tmp_path, "org", "matrix", "--help")
    assert status == 0
    assert "iameval.cli._org" in modules
    assert _absent(modules, _MATRIX) == []


def test_check_of_a_yaml_policy_imports_the_yaml_reader_and_nothing_else_besides(tmp_path):
    policy = tmp_path / "read-reports.yaml"
    policy.write_text("Version: '2012-10-17'\nStatement:\n  - Sid: ReadReports\n    Effect: Allow\n"
                      "    Action: s3:GetObject\n    Resource: arn:aws:s3:::example-reports/*\n")
    status, modules = _imported(tmp_path, *CHECK, str(policy))
    assert status == 0
    assert {"yaml", "iameval.policy._yaml"} <= modules
    assert _absent(modules, _ELSEWHERE[2:]) == []


def test_validate_imports_validation_but_no_account_export_scenario_or_question(tmp_path):
    status, modules = _imported(tmp_path, "validate", EXAMPLE)
    assert status == 0
    assert "iameval.analysis._validate" in modules
    assert _absent(modules, ["iameval.cli._quiz", "iameval.inputs._accounts", "iameval.inputs._scenarios"]) == []


def test_importing_iameval_imports_none_of_its_stages():
    found = subprocess.run([sys.executable, "-c", "import json, sys, iameval; print(json.dumps(sorted(sys.modules)))"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert [m for m in json.loads(found.stdout) if m.startswith("iameval.")] == ["iameval._lazy"]


@pytest.mark.parametrize("package", ["iameval", "iameval.policy", "iameval.engine", "iameval.inputs",
                                     "iameval.catalog", "iameval.analysis"])
def test_every_public_name_of_a_package_is_read_on_first_use(package):
    module = __import__(package, fromlist=["__all__"])
    assert sorted(set(module.__all__)) == sorted(module.__all__)
    for name in module.__all__:
        getattr(module, name)  # imports the module that defines it
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError):
        getattr(module, "NoSuchName")


@pytest.mark.parametrize("package", ["iameval.catalog", "iameval.analysis"])
def test_a_package_s_names_are_those_its_modules_name(package):
    """The names a package lists before importing its modules are the modules' own surface."""
    module = __import__(package, fromlist=["__all__"])
    modules = {module.__name__ + where for where in module._SURFACE}
    assert set(module.__all__) == {name for where in modules for name in __import__(where, fromlist=["__all__"]).__all__}


def test_a_stage_is_read_from_the_package_as_before():
    assert iameval.catalog.expand("s3:GetObjectTagging")[0].name == "GetObjectTagging"
    findings = iameval.analysis.validate_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]})
    assert [f.code for f in findings] == ["unknown-action"]
