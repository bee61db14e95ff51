"""Hostile input (issue 14): each is a located error and exit 2, never a traceback, a hang or
unbounded memory."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import iameval
from iameval.analysis import validate_paths
from iameval.cli import app
from iameval.policy._errors import format_path

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
# The command as a user runs it, in a process of its own: for closed streams, pipes and devices.
IAMEVAL = [sys.executable, "-c", "import sys; from iameval.cli import app; sys.argv[0] = 'iameval'; app()"]


def refused(path: Path) -> iameval.PolicyError:
    """The error `check` gives for a policy file, having checked that it is located and exits 2."""
    result = runner.invoke(app, ["check", str(path), "-a", "s3:GetObject"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.load_policy_file(path)
    return caught.value


# ------------------------------------------------------------------------ 1. over-long numbers

@pytest.mark.parametrize("name, text, where, element", [
    ("p.json", '{"Version": "2012-10-17", "Statement": [], "Id": ' + "1" * 5000 + "}", (1, 50), "(document)"),
    ("p.json", '{"Version": "2012-10-17",\n "Statement": [], "Id": 0.' + "1" * 5000 + "}", (2, 25), "(document)"),
    ("p.json", '{"Version": "2012-10-17", "Statement": [], "Id": 1e999}', (1, 50), "(document)"),
    ("p.yaml", 'Version: "2012-10-17"\nStatement: []\nId: ' + "1" * 5000 + "\n", (3, 5), "Id"),
    ("p.yaml", 'Version: "2012-10-17"\nStatement: []\nId: 1.' + "1" * 5000 + "\n", (3, 5), "Id"),
    ("p.yaml", 'Version: "2012-10-17"\nStatement: []\nId: !!float .inf\n', (3, 5), "Id"),
], ids=["JSON integer", "JSON float", "JSON float out of range", "YAML integer", "YAML float", "YAML infinity"])
def test_a_number_python_cannot_read_is_a_located_error(tmp_path, name, text, where, element):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    [problem] = refused(path).problems
    assert problem.code == "invalid-syntax"
    assert (problem.location.line, problem.location.column) == where
    assert format_path(problem.location.path) == element
    assert "digits" in problem.message or "out of range" in problem.message


# ------------------------------------------------------------------ 2. mutated fixture files

_MUTATION_FILES = sorted([*FIXTURES.glob("examples/*.json"), *FIXTURES.glob("policy-examples/**/*.json"),
                          *FIXTURES.glob("scenarios/*.jsonl")])
_INSERTS = [*'{}[]:,"\\ \n-0123456789.eE&*!|>#?\'tfn\t', "\x00", "é", "\x85", "\u2028", "\ufeff", "<<: ", "? ",
            "- ", "!!str ", "!!timestamp ", "!!float ", "!!int ", "!!binary ", "!!set ", "!!bool ", "!!null ",
            "&a ", "*a", "---\n", "1e999", "0x1f", ".inf", "\\ud800", "NaN"]


def _mutant(seed: int) -> tuple[str, str]:
    """A fixture file, maybe as YAML, with a few characters deleted, doubled or replaced: its
    suffix and text."""
    rng = random.Random(seed)
    original = rng.choice(_MUTATION_FILES)
    text, suffix = original.read_text(encoding="utf-8"), original.suffix
    mode = rng.randrange(3)
    if mode == 1 and suffix == ".json":
        text = yaml.safe_dump(json.loads(text), sort_keys=False, default_flow_style=rng.random() < 0.3)
    if mode:
        suffix = ".yaml"
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(chars))
        action = rng.randrange(3)
        if action == 0:
            del chars[at]
        elif action == 1:
            chars.insert(at, chars[at])
        else:
            chars[at] = rng.choice(_INSERTS)
    return suffix, "".join(chars)


@pytest.mark.parametrize("first", range(0, 2000, 100))
def test_a_mutated_fixture_is_read_or_refused_with_a_policy_error(tmp_path, first):
    """Any exception but `PolicyError` from loading a damaged file is a bug (seeded, so a failure
    names the seed that shows it)."""
    for seed in range(first, first + 100):
        suffix, text = _mutant(seed)
        path = tmp_path / f"mutant-{seed}{suffix}"
        path.write_text(text, encoding="utf-8")
        for load in (iameval.load_policy_file, iameval.load_scenarios, lambda p: validate_paths([str(p)])):
            try:
                load(path)
            except iameval.PolicyError:
                pass
            except Exception as exc:  # noqa: BLE001 - the point of the test
                pytest.fail(f"seed {seed}: {type(exc).__name__}: {exc}\n{text[:2000]}")


# ------------------------------------------------------------------------- 3. billion laughs

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" for prev, name in zip("abcdefgh", "bcdefghi"))


def test_yaml_aliases_that_expand_without_bound_are_refused_at_the_alias(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    assert len(LAUGHS) < 800  # a billion values from these few bytes, were they expanded
    [problem] = refused(path).problems
    assert problem.code == "invalid-syntax" and "aliases add over 100,000 values" in problem.message
    assert problem.location.line is not None and problem.location.line > 1
    line = LAUGHS.splitlines()[problem.location.line - 1]
    assert line[problem.location.column - 1] == "*"  # at an alias
    assert format_path(problem.location.path).endswith("[0]")


def test_yaml_aliases_within_the_bound_are_read():
    text = ('Version: "2012-10-17"\nStatement:\n- &s {Effect: Allow, Action: s3:GetObject, Resource: "*"}\n'
            "- *s\n- *s\n")
    [source] = iameval.policy._source.parse_text(text, "p.yaml")
    assert source.data["Statement"] == [POLICY["Statement"][0]] * 3
    assert source.locate(("Statement", 2)).line == 5  # an alias is located where it stands


# ------------------------------------------------------------------------------ 4. YAML tags

@pytest.mark.parametrize("value, message", [
    ("!!timestamp nope", "the tag `!!timestamp` makes no JSON value"),
    ("!!timestamp 2012-10-17", "the tag `!!timestamp` makes no JSON value"),
    ("!!float nope", "`nope` is not a valid `!!float`"),
    ("!!int nope", "`nope` is not a valid `!!int`"),
    ("!!bool nope", "`nope` is not a valid `!!bool`"),
    ("!!binary '@@'", "the tag `!!binary` makes no JSON value"),
    ("!!set {a}", "the tag `!!set` makes no JSON value"),
    ("!!omap [{a: 1}]", "the tag `!!omap` makes no JSON value"),
    ("!!float .nan", "the number `.nan` is out of range"),
])
def test_a_yaml_tag_without_a_json_value_is_a_located_error(tmp_path, value, message):
    path = tmp_path / "p.yaml"
    path.write_text(f'Version: "2012-10-17"\nId: {value}\nStatement: []\n')
    [problem] = refused(path).problems
    assert problem.code == "invalid-syntax" and message in problem.message
    assert (problem.location.line, problem.location.column, problem.location.path) == (2, 5, ("Id",))


# ---------------------------------------------------------------------- 5. lone surrogates

def test_a_lone_surrogate_in_a_yaml_action_is_a_located_error(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text('Version: "2012-10-17"\nStatement:\n- Effect: Allow\n  Action: "s3:Get\\udc80"\n'
                    '  Resource: "*"\n')
    [problem] = refused(path).problems
    assert problem.code == "invalid-syntax" and "`\\udc80` is half of a character" in problem.message
    assert (problem.location.line, problem.location.column) == (4, 11)
    assert problem.location.path == ("Statement", 0, "Action")
    str(problem).encode("utf-8")  # printable


def test_an_escaped_backslash_before_u_d800_is_text_not_a_lone_surrogate(tmp_path):
    # `\\ud800` in JSON is a backslash and the letters `ud800`: valid JSON, a valid policy.
    path = tmp_path / "p.json"
    path.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
                    '"Resource": "arn:aws:s3:::b/\\\\ud800"}]}')
    [statement] = iameval.load_policy_file(str(path), "identity").statement
    assert statement.resource == ("arn:aws:s3:::b/\\ud800",)
    # An escaped backslash then a real lone surrogate is still refused, at the surrogate.
    path.write_text('{"Resource": "b/\\\\\\ud800"}')
    [problem] = refused(path).problems
    assert "`\\ud800` is half of a character" in problem.message
    assert (problem.location.line, problem.location.column) == (1, 19)


def test_a_bare_nan_is_located_where_it_stands_not_in_a_string_before_it(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"Statement": [{"Sid": "NaN", "Condition": {"NumericEquals": {"s3:max-keys": NaN}}}]}')
    [problem] = refused(path).problems
    assert "`NaN` is not a JSON value" in problem.message
    assert (problem.location.line, problem.location.column) == (1, 78)


@pytest.mark.parametrize("statement, element", [
    ({"Action": "s3:Get\udc80"}, "Statement[0].Action"),
    ({"Action": "s3:GetObject", "Sid": "a\ud800"}, "Statement[0].Sid"),
    ({"Action": "s3:GetObject", "Oops\ud800": 1}, "Statement[0]"),
], ids=["action", "Sid", "key"])
def test_a_lone_surrogate_in_a_document_built_in_python_is_a_located_error(statement, element):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", **statement}]}
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.load_policy(document)
    [problem] = [p for p in caught.value.problems if "half of a character" in p.message]
    assert problem.code == "invalid-character"
    assert format_path(problem.location.path) == element
    str(problem).encode("utf-8")


@pytest.mark.parametrize("field, value, element", [
    ("action", "\ud800", "request.action"),
    ("resource", "bucket\udcff", "request.resource"),
    ("context", {"aws:SourceIp\udc80": [[1]]}, "request.context"),
])
def test_a_lone_surrogate_in_a_request_built_in_python_is_a_request_error(field, value, element):
    """Found by tests/test_fuzz.py: a refusal quoting the half character raised
    `UnicodeEncodeError` from pydantic instead of a `RequestError`."""
    request = {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*",
               field: value}
    authorizer = iameval.Authorizer(identity=[iameval.load_policy(POLICY)])
    for ask in (authorizer.authorize, lambda r: iameval.explain(authorizer, r)):
        with pytest.raises(iameval.RequestError) as caught:
            ask(request)
        [problem] = caught.value.problems
        assert (format_path(problem.location.path), problem.code) == (element, "invalid-request")
        assert "half of a character" in problem.message
        str(problem).encode("utf-8")


# ------------------------------------------------------------ 6. pipes, devices, size limit

def _run(*args: str, timeout: float = 60, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IAMEVAL, *args], capture_output=True, text=True, timeout=timeout, **options)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_without_a_writer_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "policy.json"
    os.mkfifo(fifo)
    done = _run("check", str(fifo), "-a", "s3:GetObject", timeout=30)
    assert done.returncode == 2
    assert f"{fifo}: error: is a named pipe, not a file" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_not_read_to_exhaustion():
    with pytest.raises(iameval.PolicyError) as caught:
        iameval.load_policy_file("/dev/zero")
    [problem] = caught.value.problems
    assert problem.code == "unreadable-file" and problem.message == "is a device, not a file"
    done = _run("check", "/dev/zero", "-a", "s3:GetObject")
    assert done.returncode == 2 and "/dev/zero: error: is a device" in done.stdout + done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_standard_input_is_read_up_to_the_size_limit_only():
    with open("/dev/zero", "rb") as zeros:
        done = _run("check", "-", "-a", "s3:GetObject", stdin=zeros, env={**os.environ, "IAMEVAL_MAX_INPUT_BYTES": "1000"})
    assert done.returncode == 2
    assert "<stdin>: error: larger than 1,000 bytes" in done.stdout + done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="closing a descriptor with the shell")
def test_a_closed_standard_input_is_an_error_not_a_crash():
    done = subprocess.run(["sh", "-c", 'exec "$@" <&-', "sh", *IAMEVAL, "check", "-", "-a", "s3:GetObject"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "<stdin>: error: standard input is closed" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_a_file_over_the_size_limit_is_refused_and_the_limit_can_be_raised(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(POLICY))
    monkeypatch.setenv("IAMEVAL_MAX_INPUT_BYTES", "50")
    [problem] = refused(path).problems
    assert problem.code == "unreadable-file" and problem.message == "larger than 50 bytes, the most iameval reads"
    assert problem.hint is not None and "IAMEVAL_MAX_INPUT_BYTES" in problem.hint
    result = runner.invoke(app, ["check", "-", "-a", "s3:GetObject"], input=json.dumps(POLICY))
    assert result.exit_code == 2 and "<stdin>: error: larger than 50 bytes" in result.output
    monkeypatch.setenv("IAMEVAL_MAX_INPUT_BYTES", str(len(json.dumps(POLICY))))
    assert iameval.load_policy_file(path).statement[0].action == ("s3:GetObject",)


def test_the_default_size_limit_holds_an_account_export():
    assert iameval.policy._source.MAX_INPUT_BYTES == 64 * 1024 * 1024


@pytest.mark.parametrize("value", ["lots", "0", "-5"])
def test_a_size_limit_that_is_no_number_of_bytes_is_an_error(tmp_path, monkeypatch, value):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(POLICY))
    monkeypatch.setenv("IAMEVAL_MAX_INPUT_BYTES", value)
    [problem] = refused(path).problems
    assert f"IAMEVAL_MAX_INPUT_BYTES must be a number of bytes, not `{value}`" in problem.message


# ------------------------------------------------- 7. one result per scenario, not per problem

def test_a_json_lines_scenario_repeating_keys_is_one_invalid_scenario(tmp_path):
    good, second = (FIXTURES / "scenarios" / "sample-scenarios.jsonl").read_text().splitlines()[:2]
    bad = second[:-1] + ', "description": "again", "description": "and again", "id": "twice"}'
    path = tmp_path / "s.jsonl"
    path.write_text(f"{good}\n{bad}\n")
    scenarios = iameval.load_scenarios(path)
    assert len(scenarios) == 2
    assert scenarios[0].error is None
    assert scenarios[1].id == "s.jsonl:2"
    assert [p.code for p in scenarios[1].problems] == ["duplicate-key"] * 3
    assert {p.location.line for p in scenarios[1].problems} == {2}
    result = runner.invoke(app, ["run", str(path), "--json"])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [line["id"] for line in lines] == [json.loads(good)["id"], "s.jsonl:2"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_json_lines_scenario_whose_string_holds_a_unicode_line_separator_is_one_scenario(tmp_path, separator):
    """Found by tests/test_fuzz.py: JSON Lines were cut at every break `str.splitlines` knows, so
    a description holding U+2028 (valid in a JSON string) made two invalid scenarios of one."""
    good, second = (FIXTURES / "scenarios" / "sample-scenarios.jsonl").read_text().splitlines()[:2]
    described = json.loads(second) | {"description": f"one{separator}line"}
    path = tmp_path / "s.jsonl"
    path.write_text(f"{good}\n{json.dumps(described, ensure_ascii=False)}\n", encoding="utf-8")
    scenarios = iameval.load_scenarios(path)
    assert [(s.id, s.error) for s in scenarios] == [(json.loads(good)["id"], None), (described["id"], None)]
    assert scenarios[1].description == f"one{separator}line"


def test_a_json_scenario_file_repeating_keys_is_one_invalid_result(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"id": "x", "id": "y", "description": "a", "description": "b", "request": {}}')
    [scenario] = iameval.load_scenarios(path)
    assert [p.code for p in scenario.problems] == ["duplicate-key", "duplicate-key"]


def test_nested_aliases_beside_a_cloudformation_tag_are_not_expanded(tmp_path):
    """A template's short tags make iameval read the file again to say what it is: that reading
    is bounded too."""
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [
        f"{b}: &{b} [" + ", ".join([f"*{a}"] * 10) + "]" for a, b in zip("abcdefgh", "bcdefghi")]
    path = tmp_path / "laughs.yaml"
    path.write_text("AWSTemplateFormatVersion: '2010-09-09'\n" + "\n".join(levels)
                    + "\nResources:\n  R: {Type: 'AWS::S3::Bucket', Properties: {BucketName: !Ref x}}\n")
    with pytest.raises(iameval.PolicyError) as raised:
        iameval.load_policy_file(path)
    assert raised.value.problems[0].code == "not-a-policy"
