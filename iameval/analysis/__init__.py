"""Stage 4: questions about policies rather than requests: validation (§12), with stable codes."""

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from ._validate import *  # noqa: F403

# `_validate` names the surface once, in its __all__; here its names are imported when first read
# (`_lazy.py`), so that the command's `--type` reads `PolicyType` (`_rules`) without validation.
_SURFACE = {"._validate": "CODES Finding POLICY_TYPES PolicyType Rule exit_code validate_found validate_paths "
                           "validate_policy"}
__all__ = sorted(name for names in _SURFACE.values() for name in names.split())
__getattr__, __dir__ = on_first_use(__name__, _SURFACE)
