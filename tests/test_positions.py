"""Positions in large input (issue 14): found only for what is reported, and exact.

A JSON document is read without positions; the line and column of an element with a problem
are found afterwards by a scan along its path (`_positions.JsonPositions`). These tests check
that what is reported is located exactly as before: at the end of a large policy, in an account
export, for repeated keys, and for any element of any document however it is spaced. How fast
and in how much memory is measured in `bench/large.py`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import iameval
from iameval.cli import app
from iameval.policy._errors import Path as JsonPath
from iameval.policy._positions import JsonPositions
from iameval.policy._source import parse_text

runner = CliRunner()
STATEMENTS = 5_000


def _large_policy(last: str) -> str:
    """A policy of 5,000 statements, one a line after two lines of header, `last` the last one."""
    lines = [json.dumps({"Sid": f"S{i}", "Effect": "Allow", "Action": "s3:GetObject",
                         "Resource": f"arn:aws:s3:::bucket-{i}/*"}) for i in range(STATEMENTS - 1)]
    return '{\n  "Version": "2012-10-17",\n  "Statement": [\n' + ",\n".join([*lines, last]) + "\n  ]\n}\n"


def test_an_error_at_the_end_of_a_large_policy_is_located_at_its_line_and_column(tmp_path):
    path = tmp_path / "large.json"
    path.write_text(_large_policy('    {"Sid": "Last", "Action": "s3:GetObject",  "Effect": "Alow", "Resource": "*"}'))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    # Statement 5,000 is on line 3 + 5,000; its `"Effect"` key in column 48.
    assert f"large.json:{3 + STATEMENTS}:48: error[invalid-effect]: Statement[{STATEMENTS - 1}].Effect:" \
        in result.output


def test_the_deciding_statement_of_a_large_policy_is_located(tmp_path):
    path = tmp_path / "large.json"
    path.write_text(_large_policy('{"Sid": "Last", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}'))
    result = runner.invoke(app, ["check", str(path), "-a", "s3:GetObject", "-r", "arn:aws:s3:::bucket-7/k"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("statement S7 " in line and line.endswith(f"large.json:{3 + 8}:1") for line in lines), result.output
    assert any("statement Last " in line and line.endswith(f"large.json:{3 + STATEMENTS}:1") for line in lines)


def test_a_repeated_key_at_the_end_of_a_large_policy_is_located():
    text = _large_policy('{"Sid": "Last", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
                         '"Action": "s3:PutObject"}')
    with pytest.raises(iameval.PolicyError) as caught:
        parse_text(text, "large.json")
    (problem,) = caught.value.problems
    assert problem.code == "duplicate-key"
    assert (problem.location.line, problem.location.column) == (3 + STATEMENTS, 79)
    assert problem.location.path == ("Statement", STATEMENTS - 1, "Action")


def test_a_problem_in_a_large_account_export_is_located(tmp_path):
    roles = [{"RoleName": f"r{i}", "Arn": f"arn:aws:iam::111122223333:role/r{i}",
              "AttachedManagedPolicies": []} for i in range(STATEMENTS)]
    roles[-1]["AttachedManagedPolicies"] = [{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::aws:policy/Gone"}]
    path = tmp_path / "account.json"
    path.write_text(json.dumps({"RoleDetailList": roles}, indent=4))
    account = iameval.inputs._accounts.load_account(str(path))
    (warning,) = account.warnings
    lines = path.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if '"PolicyName": "Gone"' in text) - 1
    assert str(warning.location) == f"{path}:{line}:17"  # the attachment's `{`, four indents in
    assert warning.location.path == ("RoleDetailList", STATEMENTS - 1, "AttachedManagedPolicies", 0)


# ----------------------------------------------- any element of any document, however spaced

_SPACES = st.sampled_from(["", " ", "\n", "  ", "\n    ", "\t", "\r\n"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                     st.text(max_size=6))
_DOCUMENTS = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)), max_leaves=25)


def _written(value: Any, spaces: st.DataObject) -> tuple[str, dict[JsonPath, int]]:
    """`value` as JSON text with whitespace drawn between its tokens, and where each element
    starts (a member at its key) as the writer put it."""
    parts: list[str] = []
    offsets: dict[JsonPath, int] = {}
    size = 0

    def put(text: str) -> None:
        nonlocal size
        parts.append(text)
        size += len(text)

    def space() -> None:
        put(spaces.draw(_SPACES))

    def write(node: Any, path: JsonPath) -> None:
        if not isinstance(node, (dict, list)):
            put(json.dumps(node))
            return
        is_object = isinstance(node, dict)
        members = list(node.items()) if is_object else list(enumerate(node))
        put("{" if is_object else "[")
        for index, (part, item) in enumerate(members):
            space()
            offsets[path + (part,)] = size
            if is_object:
                put(json.dumps(part, ensure_ascii=spaces.draw(st.booleans())))
                space()
                put(":")
                space()
            write(item, path + (part,))
            space()
            if index < len(members) - 1:
                put(",")
        space()
        put("}" if is_object else "]")

    space()
    offsets[()] = size
    write(value, ())
    space()
    return "".join(parts), offsets


@given(_DOCUMENTS, st.data())
def test_every_element_of_any_document_is_found_where_it_was_written(document, spaces):
    text, offsets = _written(document, spaces)
    positions = JsonPositions(text)
    for path, offset in offsets.items():
        assert positions.offset(path) == offset, (path, text)
    assert positions.duplicates() == []


@given(_DOCUMENTS, st.data())
def test_a_path_the_document_lacks_is_found_at_its_nearest_ancestor(document, spaces):
    text, offsets = _written(document, spaces)
    positions = JsonPositions(text)
    for path, offset in offsets.items():
        assert positions.offset(path + ("absent",)) == offset
        assert positions.offset(path + (99,)) == offset


# ------------------------------------------------------------- small texts that used to be slow

def test_yaml_flow_collections_nested_43000_deep_are_refused_at_the_start(tmp_path):
    # PyYAML's scanner looks at every open flow level for each token: 40 s here before the bound.
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 43_000)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:1:1: error[invalid-syntax]: nested too deeply" in result.output


def test_yaml_flow_collections_within_the_bound_are_read():
    [source] = parse_text("a: " + "[" * 150 + "x" + "]" * 150 + "\n", "p.yaml")
    value = source.data["a"]
    for _ in range(150):
        (value,) = value
    assert value == "x"


def test_a_cloudformation_tag_before_deep_nesting_names_the_template(tmp_path):
    # The tag is looked for, and the document read again without tags, by the same bounded loader.
    path = tmp_path / "template.yaml"
    path.write_text("Resources: !Sub x\nOther: " + "[" * 43_000)
    result = runner.invoke(app, ["check", str(path), "--action", "s3:GetObject"])
    assert result.exit_code == 2, result.output
    assert f"{path}:1:12: error: this is a CloudFormation template" in result.output
