"""iameval works from every place a user runs it, and its stages import one way.

The suite itself runs against the editable install; these tests run a fresh interpreter from the
repository root, where the checkout's `iameval/` comes first on `sys.path` (issue 11).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from helpers import ROOT

PACKAGE = ROOT / "iameval"

_CHECKOUT_SCRIPT = """
import sys
import iameval
from iameval.cli._quiz import load_bank, select
assert iameval.__file__.startswith(sys.argv[1]), iameval.__file__
policy = iameval.load_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]})
authz = iameval.Authorizer(identity=[policy])
print(authz.authorize({"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                       "resource": "arn:aws:s3:::home/alice/notes.txt"}).decision)
(question,) = select(load_bank(), count=1, seed=3)
print(question.answer)
"""


def test_a_checkout_loads_a_policy_with_a_variable_and_plays_a_quiz_question():
    found = subprocess.run([sys.executable, "-c", _CHECKOUT_SCRIPT, str(PACKAGE)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr
    decision, answer = found.stdout.split()
    assert decision == "Allow"
    played = subprocess.run([sys.executable, "-c", "from iameval.cli import main; main()", "quiz",
                             "--count", "1", "--seed", "3"], cwd=ROOT, input=answer + "\n",
                            capture_output=True, text=True, timeout=120)
    assert played.returncode == 0, played.stdout + played.stderr
    assert "1/1" in played.stdout


# The stages in pipeline order: a module may import from its own stage and those before it.
_STAGES = ["policy", "catalog", "engine", "inputs", "analysis", "matrix", "cli"]


def _imported_stages(path: Path) -> set[str]:
    stage = path.parent.name
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 2 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 2:
                found.update(alias.name for alias in node.names)
            elif node.level == 0 and node.module and node.module.startswith("iameval."):
                found.add(node.module.split(".")[1])
            elif node.level == 1:
                found.add(stage)
    return found & set(_STAGES)


def test_each_stage_imports_only_itself_and_earlier_stages():
    wrong = []
    for stage in _STAGES:
        for path in sorted((PACKAGE / stage).glob("*.py")):
            later = {s for s in _imported_stages(path) if _STAGES.index(s) > _STAGES.index(stage)}
            if later:
                wrong.append(f"{path.relative_to(ROOT)} imports {sorted(later)}")
    assert not wrong, "\n".join(wrong)


def test_the_package_ships_its_type_marker_grammars_and_question_bank():
    assert (PACKAGE / "py.typed").is_file()
    assert sorted(p.name for p in (ROOT / "grammar").glob("*.lark")) == ["variables.lark"]
    assert len(list((PACKAGE / "questions").glob("*.yaml"))) == 13
