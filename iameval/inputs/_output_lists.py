"""The lists of objects in the AWS CLI's outputs (`UserDetailList`, `Accounts`, `Policies`...), as
an account export and an organization's files read them.

An entry that is not an object (or lacks the field that names it) is a located warning and is
passed over, never read as something it is not; the files that hold it say what else that
leaves unknown.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from ..policy._errors import Path as JsonPath

__all__ = ["list_objects"]


def list_objects(data: Any, key: str, warn: Callable[[JsonPath, str], object], path: JsonPath = (), *,
                 missing: str | None = None, field: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects of the list `key` of the object `data` at `path`, each with its index; what
    else is there is told to `warn` (its path, a message) and passed over. An absent or empty
    value is no entry, unless `missing` is given: then it and any value other than a list are
    reported with that message, at `path` (an output that must hold the list). `field`: a string
    field each object must hold (`Id`)."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        if missing is not None:
            warn(path, missing)
        elif items:
            warn(path + (key,), f"`{key}` must be a list; it was passed over")
        return
    what = f"an object with `{field}`" if field else "an object"
    for index, item in enumerate(items):
        if isinstance(item, dict) and (field is None or isinstance(item.get(field), str)):
            yield index, item
        else:
            warn(path + (key, index), f"an entry of `{key}` must be {what}; it was passed over")
