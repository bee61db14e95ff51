"""Stage 1: policy text to documents with positions, to the frozen model (IAM-SEMANTICS §6, §12).

Policies, their statements, the errors that locate what AWS refuses, and the readers of files.
"""

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from ._errors import Location, PolicyError, Problem, RequestError, ScenarioError
    from ._model import Effect, Policy, PolicyKind, Statement
    from ._load import load_policy
    from ._files import load_policy_file, load_policy_files

__all__ = [
    "Effect",
    "Location",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "Problem",
    "RequestError",
    "ScenarioError",
    "Statement",
    "load_policy",
    "load_policy_file",
    "load_policy_files",
]

__getattr__, __dir__ = on_first_use(__name__, {
    "._errors": "Location PolicyError Problem RequestError ScenarioError",
    "._model": "Effect Policy PolicyKind Statement",
    "._load": "load_policy",
    "._files": "load_policy_file load_policy_files",
})
