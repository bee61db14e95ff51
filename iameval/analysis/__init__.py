"""Stage 4: questions about policies rather than requests: validation (§12), with stable codes;
`diff` and `can_never`, about every request (`_diff`), `diff` over templates and plans
(`_infrastructure_diff`), and `public`, who outside a resource or trust policy lets in
(`_public`), imported on first use: the solver they need costs start-up time that the other
commands do not pay."""

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from ._validate import *  # noqa: F403
    from ._diff import (CALLER_KINDS, DEFAULT_ACCOUNT, DIFF_KINDS, OWN_ALLOWS, OWN_AND_SESSION_ALLOW, OWN_NONE,
                        DiffFinding, DiffReport, Example, Outcome, SymbolicMismatch, UnknownPart, can_never, diff)
    from ._infrastructure_diff import InfrastructureDiff, PairReport, diff_infrastructure
    from ._public import Outside, PublicFinding, PublicReport, PublicResult, public

# Each module names its surface once, in its __all__; here its names are imported when first read
# (`_lazy.py`), so that the command's `--type` reads `PolicyType` (`_policy_types`) without validation,
# and no command but diff, can-never, public and who-can --any-context pays for the solver.
_SURFACE = {"._validate": "CODES Finding POLICY_TYPES PolicyType Rule exit_code validate_found validate_paths "
                           "validate_policy",
            "._diff": "CALLER_KINDS DEFAULT_ACCOUNT DIFF_KINDS DiffFinding DiffReport Example OWN_ALLOWS "
                      "OWN_AND_SESSION_ALLOW OWN_NONE Outcome SymbolicMismatch UnknownPart can_never diff",
            "._infrastructure_diff": "InfrastructureDiff PairReport diff_infrastructure",
            "._public": "Outside PublicFinding PublicReport PublicResult public"}
__all__ = sorted(name for names in _SURFACE.values() for name in names.split())
__getattr__, __dir__ = on_first_use(__name__, _SURFACE)
