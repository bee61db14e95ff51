"""Packages whose names are imported on first use (PEP 562), so that a command imports only the
modules it runs: `iameval --help` needs no policy model, `check` of a JSON policy no YAML reader,
no account export and no validation (issue 14, start-up).

A package lists its public names by the module that defines them; `import iameval` then costs
nothing, and `iameval.Authorizer` imports `iameval.engine._chain` the first time it is read.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any, Callable, Mapping

__all__ = ["on_first_use"]


def on_first_use(package: str, modules: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of `package`, whose public names are defined by its
    modules: `modules` maps each module (relative, `._errors`) to the names it gives, separated by
    spaces. A sub-module (`iameval.catalog`) is imported when it is read, as an eager package's
    own imports made it readable."""
    where = {name: module for module, names in modules.items() for name in names.split()}

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is not None:
            value = getattr(importlib.import_module(module, package), name)
        elif not name.startswith("__") and importlib.util.find_spec(f"{package}.{name}") is not None:
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)  # read once: the next read finds it at once
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
