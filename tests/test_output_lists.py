"""`list_objects`: the lists of objects in the AWS CLI's outputs, as an account export and an
organization's files read them; what is not an object (with its naming field) is reported where
it stands and passed over, never read as something it is not."""

from __future__ import annotations

from typing import Any

import pytest

from iameval.inputs._output_lists import list_objects
from iameval.policy._errors import Path as JsonPath


def listed(data: Any, key: str, **options: Any) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[JsonPath, str]]]:
    said: list[tuple[JsonPath, str]] = []
    found = list(list_objects(data, key, lambda path, message: said.append((path, message)), ("Policies", 3),
                              **options))
    return found, said


@pytest.mark.parametrize("data, options, found, said", [
    # An export's lists: absent or empty is none, another value is said at its field.
    ({}, {}, [], []),
    ({"Roles": []}, {}, [], []),
    ({"Roles": ""}, {}, [], []),
    ({"Roles": "role"}, {}, [], [(("Policies", 3, "Roles"), "`Roles` must be a list; it was passed over")]),
    ({"Roles": [{"A": 1}, "x", {}]}, {}, [(0, {"A": 1}), (2, {})],
     [(("Policies", 3, "Roles", 1), "an entry of `Roles` must be an object; it was passed over")]),
    # A listing the manifest names: the list must be there, each entry named by its `Id`.
    ({}, {"missing": "not the output"}, [], [(("Policies", 3), "not the output")]),
    ({"Roles": {}}, {"missing": "not the output"}, [], [(("Policies", 3), "not the output")]),
    ({"Roles": [{"Id": "r-1"}, {"Id": 5}, {"Name": "x"}]}, {"field": "Id"}, [(0, {"Id": "r-1"})],
     [(("Policies", 3, "Roles", 1), "an entry of `Roles` must be an object with `Id`; it was passed over"),
      (("Policies", 3, "Roles", 2), "an entry of `Roles` must be an object with `Id`; it was passed over")]),
    # Not an object at all: no list in it.
    (["Roles"], {}, [], []),
    (["Roles"], {"missing": "not the output"}, [], [(("Policies", 3), "not the output")]),
])
def test_objects_are_yielded_with_their_index_and_the_rest_is_said_where_it_stands(data, options, found, said):
    assert listed(data, "Roles", **options) == (found, said)
