"""Stage 4: questions about policies rather than requests: validation (§12), with stable codes."""

from ._validate import *  # noqa: F403 - the module names its surface once, in __all__
from ._validate import __all__  # noqa: F401
