"""Stage 4: questions about policies rather than requests: validation (§12), with stable codes.
"""

from ._validate import CODES, Finding, POLICY_TYPES, Rule, exit_code, validate_paths, validate_policy

__all__ = [
    "CODES",
    "Finding",
    "POLICY_TYPES",
    "Rule",
    "exit_code",
    "validate_paths",
    "validate_policy",
]
