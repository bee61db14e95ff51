"""Stage 5: the `iameval` command, its output, the practice mode and SARIF.
"""

from ._app import app, main

__all__ = [
    "app",
    "main",
]
