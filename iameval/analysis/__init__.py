"""Stage 4: questions about policies rather than requests: validation (§12), with stable codes."""

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from ._validate import CODES, POLICY_TYPES, Finding, PolicyType, Rule, exit_code, validate_paths, validate_policy

__all__ = [
    "CODES",
    "Finding",
    "POLICY_TYPES",
    "PolicyType",
    "Rule",
    "exit_code",
    "validate_paths",
    "validate_policy",
]

__getattr__, __dir__ = on_first_use(__name__, {
    "._validate": "CODES Finding POLICY_TYPES PolicyType Rule exit_code validate_paths validate_policy",
})
