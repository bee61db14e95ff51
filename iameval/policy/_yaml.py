"""Reading YAML text into plain data with the positions of its elements (IAM-SEMANTICS §6.1).

YAML keeps its marks, so it is read with them from the start. Scalars read as JSON's would (the
YAML 1.2 JSON schema), duplicate keys are an error, and hostile input is refused, located:
aliases that expand without bound, tags whose values are no JSON value, half a character.

Apart from `_source.py`, which imports it for YAML input only: PyYAML is not imported for JSON
(issue 14, start-up).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

import yaml

from ._errors import Location, PolicyError, Problem
from ._errors import Path as JsonPath
from ._source import (_SURROGATE, MAX_ALIAS_VALUES, Pos, Source, _at, _digits, _max_digits, _number_message,
                      _shown)

__all__ = ["parse_yaml"]


class _JsonLikeLoader(yaml.SafeLoader):
    """YAML whose plain scalars read as JSON's would (the YAML 1.2 JSON schema): `true`/`false`,
    `null`, and numbers written as JSON writes them. Everything else stays text: YAML 1.1 would
    read `011122223333` (an account ID) as an octal number, `2012-10-17` as a date, `on` as true
    and `1:30` as 90.

    An alias is composed as a node of its own, at the alias, sharing the anchored node's
    contents: building the document then sees each alias, to count and to locate what it adds.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.aliases: set[int] = set()  # the nodes composed for aliases, by id

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if not self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        anchored = super().compose_node(parent, index)
        assert anchored is not None  # an alias names a node composed before it
        alias = type(anchored)(anchored.tag, anchored.value, mark, mark)
        self.aliases.add(id(alias))
        return alias


_JsonLikeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
for _tag, _pattern, _first in (
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("int", r"^-?(?:0|[1-9][0-9]*)$", "-0123456789"),
        ("float", r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)$", "-0123456789")):
    _JsonLikeLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))


def _yaml_problem(exc: yaml.YAMLError, text: str, name: str) -> Problem:
    """A YAML error at its place: a mark for syntax and tags, a position for unreadable characters."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        return Problem(f"invalid YAML: {exc.problem or exc.context}", Location(name, line, column),
                       code="invalid-syntax")
    if isinstance(exc, yaml.reader.ReaderError):
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        return Problem(f"invalid YAML: the control character U+{code:04X} is not allowed",
                       _at(text, exc.position, name, 0), "write it as an escape inside double quotes",
                       code="invalid-syntax")
    return Problem(f"invalid YAML: {exc}", Location(name), code="invalid-syntax")


_YAML_TAG = "tag:yaml.org,2002:"
# The tags whose values are JSON values; the others (`!!timestamp`, `!!binary`, `!!set`, ...)
# make values that no policy holds.
_JSON_SCALAR_TAGS = frozenset(_YAML_TAG + t for t in ("str", "int", "float", "bool", "null"))
_COLLECTION_TAGS = {yaml.MappingNode: _YAML_TAG + "map", yaml.SequenceNode: _YAML_TAG + "seq"}


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


def parse_yaml(text: str, name: str, short_forms: Mapping[str, str]) -> Source:
    try:
        return _build_yaml(text, name, short_forms)
    except yaml.YAMLError as exc:
        raise PolicyError([_yaml_problem(exc, text, name)]) from None
    except RecursionError:
        raise PolicyError([Problem("nested too deeply", Location(name, 1, 1), code="invalid-syntax")]) from None


def _build_yaml(text: str, name: str, short_forms: Mapping[str, str]) -> Source:
    """`short_forms`: local tags read as a one-key mapping (`!Sub x` as `{"Fn::Sub": x}`, the
    value at the tag's place); any other local tag is refused as PyYAML refuses it."""
    loader = _JsonLikeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise PolicyError([Problem("the file is empty", Location(name, 1, 1), code="invalid-syntax")])
        positions: dict[JsonPath, Pos] = {(): (root.start_mark.line + 1, root.start_mark.column + 1)}
        problems: list[Problem] = []

        # The collections being built, by their contents (which an alias shares).
        inside: set[int] = set()
        aliased = 0  # values added by aliases so far

        def at(node: yaml.Node, path: JsonPath) -> Location:
            return Location(name, node.start_mark.line + 1, node.start_mark.column + 1, path)

        def build(node: yaml.Node, path: JsonPath, alias: tuple[yaml.Node, JsonPath] | None = None) -> Any:
            """The value of `node`; `alias`: the outermost alias it is reached through, and its path."""
            nonlocal aliased
            if alias is None and id(node) in loader.aliases:
                alias = node, path
            if node.tag in short_forms:
                key = short_forms[node.tag]
                positions[path + (key,)] = (node.start_mark.line + 1, node.start_mark.column + 1)
                plain = _COLLECTION_TAGS[type(node)] if isinstance(node, yaml.CollectionNode) else _YAML_TAG + "str"
                return {key: build(type(node)(plain, node.value, node.start_mark, node.end_mark),
                                   path + (key,), alias)}
            if alias is not None:
                aliased += 1
                if aliased > MAX_ALIAS_VALUES:
                    raise PolicyError([Problem(f"invalid YAML: aliases add over {MAX_ALIAS_VALUES:,} values "
                                               "to the document", at(*alias),
                                               "aliases of aliases grow without bound (a \"billion laughs\"); "
                                               "write the values out", code="invalid-syntax")])
            if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                if id(node.value) in inside:
                    raise PolicyError([Problem("a YAML alias refers to a node that contains it",
                                               at(node, path), code="invalid-syntax")])
                if node.tag != _COLLECTION_TAGS[type(node)] and node.tag.startswith(_YAML_TAG):
                    raise PolicyError([Problem(f"invalid YAML: the tag `{_short_tag(node.tag)}` makes no "
                                               "JSON value", at(node, path), code="invalid-syntax")])
                inside.add(id(node.value))
                try:
                    return build_collection(node, path, alias)
                finally:
                    inside.discard(id(node.value))
            return scalar(node, path)

        def scalar(node: yaml.Node, path: JsonPath) -> Any:
            """A scalar as the JSON value it stands for; one that stands for none is refused."""
            text: str = node.value
            if _SURROGATE.search(text):
                half = _SURROGATE.search(text)
                assert half is not None
                raise PolicyError([Problem(f"invalid YAML: `\\u{ord(half.group()):04x}` is half of a character "
                                           "(a lone surrogate)", at(node, path), code="invalid-syntax")])
            if node.tag not in _JSON_SCALAR_TAGS and node.tag.startswith(_YAML_TAG):
                raise PolicyError([Problem(f"invalid YAML: the tag `{_short_tag(node.tag)}` makes no JSON value",
                                           at(node, path), "quote the value to keep it as text",
                                           code="invalid-syntax")])
            try:
                value = loader.construct_object(node, deep=True)
            except (ValueError, KeyError, AttributeError, TypeError) as exc:
                if isinstance(exc, ValueError) and _digits(text) > _max_digits():
                    raise PolicyError([_number_message(text, "YAML", at(node, path))]) from None
                raise PolicyError([Problem(f"invalid YAML: `{_shown(text)}` is not a valid `{_short_tag(node.tag)}`",
                                           at(node, path), code="invalid-syntax")]) from None
            if isinstance(value, float) and (not math.isfinite(value) or _digits(text) > _max_digits()):
                raise PolicyError([_number_message(text, "YAML", at(node, path))])
            return value

        def build_collection(node: yaml.Node, path: JsonPath, alias: tuple[yaml.Node, JsonPath] | None) -> Any:
            if isinstance(node, yaml.MappingNode):
                obj: dict[str, Any] = {}
                for key_node, value_node in node.value:
                    key = build(key_node, path + ("?",), alias)
                    key = str(key) if not isinstance(key, str) else key
                    where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                    if key in obj:
                        problems.append(Problem(f"duplicate key `{key}`: mappings must not repeat a key",
                                                Location(name, *where, path + (key,)), code="duplicate-key"))
                        continue
                    positions[path + (key,)] = where
                    obj[key] = build(value_node, path + (key,), alias)
                return obj
            if isinstance(node, yaml.SequenceNode):
                items = []
                for index, item in enumerate(node.value):
                    positions[path + (index,)] = (item.start_mark.line + 1, item.start_mark.column + 1)
                    items.append(build(item, path + (index,), alias))
                return items
            raise AssertionError("a collection is a mapping or a sequence")

        data = build(root, ())
    finally:
        loader.dispose()
    if problems:
        raise PolicyError(problems)
    return Source(name, text, data, "yaml", 0, positions)
