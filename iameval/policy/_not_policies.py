"""Files that are not policies: what a file given where a policy is expected holds instead.

A CloudFormation or SAM template, a Terraform plan, state or configuration, an account export,
a scenario file, or the output of an `aws` command with the policy one key down: each is refused
with the code `not-a-policy`, a message that says what the file is, and a hint that says what
reads it or how to take the policy out of it. Read as a policy, such a file would only be
reported as unknown elements (`AWSTemplateFormatVersion`), or, for a template that uses
CloudFormation's short forms (`!Sub`), as YAML that cannot be read.

Recognition reads the keys each kind is known by (`AWSTemplateFormatVersion`, `planned_values`,
`RoleDetailList`), never a document that has `Statement`: a policy with a mistake in it is
reported as a policy. `read_policy_sources` is the reader of every file that is to hold policies
(`load_policy_files`, `validate`, a scenario's `{"file": ...}`).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any, Iterable

from ._errors import Location, PolicyError, Problem
from ._errors import Path as JsonPath
from ._source import MAX_ALIAS_VALUES, Source, parse_text, read_text, source_format

if TYPE_CHECKING:
    import yaml  # imported by the functions that read YAML, for YAML input only (issue 14, start-up)

__all__ = ["FileKind", "INFRASTRUCTURE", "INTRINSICS", "NotAPolicy", "Recognised", "SHORT_FORMS",
           "read_infrastructure_source", "read_policy_sources", "recognise"]


class FileKind(Enum):
    """What a file is instead of a policy, as the message names it."""

    CLOUDFORMATION = "a CloudFormation template"
    SAM = "a SAM template"
    TERRAFORM_PLAN = "a Terraform plan (terraform show -json)"
    TERRAFORM_STATE = "a Terraform state"
    TERRAFORM_CONFIGURATION = "Terraform configuration"
    ACCOUNT_DETAILS = "an account export (aws iam get-account-authorization-details)"
    SCENARIO = "a scenario file"
    COMMAND_OUTPUT = "the output of an aws command"


class NotAPolicy(PolicyError):
    """A file that holds something other than policies: `kinds` says what (a caller that reads
    templates and plans goes on with those)."""

    def __init__(self, problems: Iterable[Problem], sources: Iterable[Source] = (),
                 kinds: Iterable[FileKind] = ()):
        super().__init__(problems, sources)
        self.kinds = frozenset(kinds)


@dataclass(frozen=True, slots=True)
class Wrapper:
    """The output of an `aws` command that holds one policy: where, and which commands print it."""

    path: tuple[str, ...]
    commands: str


# The policy one or two keys down, as the commands print it. A value is taken for a policy when
# it has `Statement` (an object, or JSON text, URL-encoded or not).
WRAPPERS = (
    Wrapper(("PolicyVersion", "Document"), "`aws iam get-policy-version`"),
    Wrapper(("Role", "AssumeRolePolicyDocument"), "`aws iam get-role`"),
    Wrapper(("PolicyDocument",), "`aws iam get-role-policy` (or `get-user-policy`, `get-group-policy`)"),
    Wrapper(("Policy", "Content"), "`aws organizations describe-policy`"),
    Wrapper(("Attributes", "Policy"), "`aws sqs get-queue-attributes` or `aws sns get-topic-attributes`"),
    Wrapper(("Policy",), "`aws s3api get-bucket-policy`, `aws kms get-key-policy` or `aws lambda get-policy`"),
)

# CloudFormation's intrinsic functions in their YAML short form: `!Ref X` is `{"Ref": "X"}`,
# `!Sub ...` is `{"Fn::Sub": ...}`.
INTRINSICS = frozenset({"Ref", "Sub", "GetAtt", "Join", "If", "Select", "Split", "FindInMap", "ImportValue",
                        "Base64", "Cidr", "GetAZs", "Equals", "And", "Or", "Not", "Condition", "Transform"})
# The tags of those short forms, and the keys of the long forms they stand for.
SHORT_FORMS = {f"!{name}": name if name in ("Ref", "Condition") else f"Fn::{name}" for name in INTRINSICS}
# What `load_infrastructure` reads (`iameval validate`, `--template`).
INFRASTRUCTURE = frozenset({FileKind.CLOUDFORMATION, FileKind.SAM, FileKind.TERRAFORM_PLAN})

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
ACCOUNT_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList")
# The top-level keys of Terraform's JSON configuration syntax (`.tf.json`); `//` is a comment.
TERRAFORM_BLOCKS = frozenset({"resource", "data", "provider", "terraform", "module", "variable", "output",
                              "locals", "moved", "import", "check", "removed", "//"})
TERRAFORM_MAIN_BLOCKS = ("terraform", "provider", "resource", "data", "module")


@dataclass(frozen=True, slots=True)
class Recognised:
    """What a document is, and the element that tells (`path`); `wrapper` for a command's output."""

    kind: FileKind
    path: JsonPath
    wrapper: Wrapper | None = None


def recognise(data: Any) -> Recognised | None:
    """What a parsed document is, when it is a known kind of file other than a policy."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            if _is_scenario(item):
                return Recognised(FileKind.SCENARIO, (index, "request"))
        return None
    if not isinstance(data, dict) or "Statement" in data:
        return None
    return (_template(data) or _terraform(data) or _account_details(data)
            or (Recognised(FileKind.SCENARIO, ("request",)) if _is_scenario(data) else None)
            or _wrapper(data))


def _template(data: dict[str, Any]) -> Recognised | None:
    """A CloudFormation template, or a SAM one: the SAM transform, or a resource of SAM's types."""
    transform = data.get("Transform")
    if transform == SAM_TRANSFORM or isinstance(transform, list) and SAM_TRANSFORM in transform:
        return Recognised(FileKind.SAM, ("Transform",))
    resources = data.get("Resources")
    types = [(name, resource["Type"]) for name, resource in resources.items()
             if isinstance(resource, dict) and isinstance(resource.get("Type"), str)
             ] if isinstance(resources, dict) else []
    for name, type_ in types:
        if type_.startswith("AWS::Serverless::"):
            return Recognised(FileKind.SAM, ("Resources", name, "Type"))
    if "AWSTemplateFormatVersion" in data:
        return Recognised(FileKind.CLOUDFORMATION, ("AWSTemplateFormatVersion",))
    for name, type_ in types:
        if type_.startswith("AWS::"):
            return Recognised(FileKind.CLOUDFORMATION, ("Resources", name, "Type"))
    return None


def _terraform(data: dict[str, Any]) -> Recognised | None:
    """A plan or a state as `terraform show -json` prints them, a state file (`terraform.tfstate`),
    or configuration in Terraform's JSON syntax (`.tf.json`)."""
    version = next((key for key in ("format_version", "terraform_version") if key in data), None)
    if version is not None and ("planned_values" in data or "resource_changes" in data):
        return Recognised(FileKind.TERRAFORM_PLAN, (version,))
    if "terraform_version" in data and ("values" in data or "resources" in data):
        return Recognised(FileKind.TERRAFORM_STATE, ("terraform_version",))
    if data and set(data) <= TERRAFORM_BLOCKS:
        main = next((key for key in TERRAFORM_MAIN_BLOCKS if isinstance(data.get(key), (dict, list))), None)
        if main is not None:
            return Recognised(FileKind.TERRAFORM_CONFIGURATION, (main,))
    return None


def _account_details(data: dict[str, Any]) -> Recognised | None:
    for key, value in data.items():
        if key in ACCOUNT_LISTS and isinstance(value, list):
            return Recognised(FileKind.ACCOUNT_DETAILS, (key,))
    policies = data.get("Policies")
    # `Policies` alone is what `--filter LocalManagedPolicy` prints: managed policies with their versions.
    if isinstance(policies, list) and policies and isinstance(policies[0], dict) and "PolicyVersionList" in policies[0]:
        return Recognised(FileKind.ACCOUNT_DETAILS, ("Policies",))
    return None


def _is_scenario(data: Any) -> bool:
    return isinstance(data, dict) and "request" in data and "policies" in data


def _wrapper(data: dict[str, Any]) -> Recognised | None:
    for wrapper in WRAPPERS:
        value: Any = data
        for key in wrapper.path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, (dict, str)) and "Statement" in value:
            return Recognised(FileKind.COMMAND_OUTPUT, wrapper.path, wrapper)
    return None


# ------------------------------------------------------------------------------------- messages

def _message(found: Recognised) -> str:
    if found.wrapper is not None:
        return (f"this is the output of {found.wrapper.commands}, not a policy: the policy is the value "
                f"of `{'.'.join(found.wrapper.path)}`")
    return f"this is {found.kind.value}, not a policy"


_READS_IT = ("`iameval validate {file}` checks its policies; `iameval check` and `iameval who-can` read it with "
             "`--template {file}`")
_TERRAFORM_HINT = ("iameval does not read Terraform {what} yet: save each policy in a file of its own; they "
                   "are JSON text in attributes such as `policy` and `assume_role_policy` of {where}")
_HINTS = {
    FileKind.CLOUDFORMATION: _READS_IT,
    FileKind.SAM: _READS_IT,
    FileKind.TERRAFORM_PLAN: _READS_IT,
    FileKind.TERRAFORM_STATE: _TERRAFORM_HINT.format(what="state", where="its resources"),
    FileKind.TERRAFORM_CONFIGURATION: (
        "iameval does not read Terraform configuration yet: save each policy in a file of its own "
        "(`terraform console` prints the one of an `aws_iam_policy_document` data source: "
        "`data.aws_iam_policy_document.NAME.json`)"),
    FileKind.ACCOUNT_DETAILS: ("`iameval check` (with `--principal`) and `iameval who-can` read it with "
                               "`--account-details {file}`"),
    FileKind.SCENARIO: "run it with `iameval run {file}`",
}


def _hint(found: Recognised, value: Any, file: str) -> str:
    """What reads the file, or how to take the policy out of it; `value` is the one at `found.path`."""
    if found.wrapper is not None:
        query = ".".join(found.wrapper.path)
        text = " --output text" if isinstance(value, str) else ""
        return f"save that value alone: add `--query {query}{text}` to the command"
    return _HINTS[found.kind].format(file=shlex.quote(file))


def _problem(found: Recognised, source: Source, file: str) -> Problem:
    value: Any = source.data
    for part in found.path:
        value = value.get(part) if isinstance(value, dict) else None
    return source.problem(found.path, _message(found), _hint(found, value, file), code="not-a-policy")


# -------------------------------------------------------------------------------------- reading

def read_policy_sources(name: str) -> list[Source]:
    """Read and parse one file (or `-`) that is to hold policies; one that holds something else
    is refused with `not-a-policy`.

    As `read_sources`, a `PolicyError` carries the documents read in spite of the problems (in
    `.sources`): the policies of a JSON Lines file, without the lines that are not.
    """
    display = "<stdin>" if name == "-" else name
    text = read_text(name)
    if FsPath(display).suffix.lower() == ".tf":  # HCL, neither JSON nor YAML
        found = Recognised(FileKind.TERRAFORM_CONFIGURATION, ())
        raise PolicyError([Problem(_message(found), Location(display, 1, 1), _hint(found, None, name),
                                   code="not-a-policy")])
    try:
        sources = parse_text(text, display)
    except PolicyError as exc:
        tagged = _tagged_yaml(text, display, name, exc.problems) if source_format(display, text) == "yaml" else None
        if tagged is not None:
            raise NotAPolicy(tagged[0], kinds=tagged[1]) from None
        problems, kept, kinds = _refuse(exc.sources, name)
        if not problems:
            raise
        raise NotAPolicy([*exc.problems, *problems], kept, kinds) from None
    problems, kept, kinds = _refuse(sources, name)
    if problems:
        raise NotAPolicy(problems, kept, kinds)
    return sources


def read_infrastructure_source(name: str) -> Source:
    """Read a CloudFormation or SAM template (YAML with its short forms, or JSON) or a Terraform
    plan; anything else is refused with `not-a-template`."""
    display = "<stdin>" if name == "-" else name
    sources = parse_text(read_text(name), display, short_forms=SHORT_FORMS)
    found = recognise(sources[0].data) if len(sources) == 1 else None
    if found is None or found.kind not in INFRASTRUCTURE:
        what = f"this is {found.kind.value}" if found is not None else "this is neither"
        raise PolicyError([Problem(f"{what}, not a CloudFormation template or a Terraform plan",
                                   Location(display, 1, 1),
                                   "give a template (JSON or YAML) or the output of `terraform show -json PLAN`",
                                   code="not-a-template")])
    return sources[0]


def _refuse(sources: Iterable[Source], name: str) -> tuple[list[Problem], list[Source], set[FileKind]]:
    """A problem for each kind of document that is not a policy, the documents that may be,
    and the kinds found.

    A kind is reported once a file: a JSON Lines file of scenarios is one mistake, not one a line.
    """
    problems: list[Problem] = []
    kept: list[Source] = []
    seen: set[FileKind] = set()
    for source in sources:
        found = recognise(source.data)
        if found is None:
            kept.append(source)
        elif found.kind not in seen:
            seen.add(found.kind)
            problems.append(_problem(found, source, name))
    return problems, kept, seen


def _tagged_yaml(text: str, display: str, name: str, problems: tuple[Problem, ...]
                 ) -> tuple[list[Problem], set[FileKind]] | None:
    """The problems of YAML that failed to read and holds a CloudFormation short form (`!Sub`),
    and what the file is.

    A template is named as such (a SAM one by its transform or resource types); a policy that
    holds one keeps its error, with a hint that the short form is CloudFormation's.
    """
    tag = _first_intrinsic(text)
    if tag is None:
        return None
    source = _untagged(text, display)
    if source is not None and isinstance(source.data, dict) and "Statement" in source.data:
        function = tag.value[1]
        long_form = "Ref" if function == "Ref" else "Condition" if function == "Condition" else f"Fn::{function}"
        hint = (f"`!{function}` is CloudFormation's short form of `{long_form}`, which only CloudFormation "
                "reads: write the value it stands for")
        return [replace(p, hint=hint) if p.code == "invalid-syntax" else p for p in problems], set()
    found = recognise(source.data) if source is not None else None
    if source is not None and found is not None:
        return [_problem(found, source, name)], {found.kind}
    # A template with other faults besides (or of a shape we do not know): the tag tells.
    where = Location(display, tag.start_mark.line + 1, tag.start_mark.column + 1)
    found = Recognised(FileKind.CLOUDFORMATION, ())
    return [Problem(_message(found), where, _hint(found, None, name), code="not-a-policy")], {found.kind}


def _first_intrinsic(text: str) -> yaml.TagToken | None:
    """The first tag of the text that is a CloudFormation short form, up to any syntax error."""
    import yaml

    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.TagToken) and token.value[0] == "!" and token.value[1] in INTRINSICS:
                return token
    except yaml.YAMLError:
        pass
    return None


def _untagged(text: str, name: str) -> Source | None:
    """The YAML document with its tags passed over (`!Sub x` read as `x`) and its positions, for
    recognition alone; `None` when the text is not one YAML document."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    if root is None:
        return None
    positions: dict[JsonPath, tuple[int, int]] = {(): (root.start_mark.line + 1, root.start_mark.column + 1)}
    inside: set[int] = set()
    # Values built, at most: a document's own, and what aliases may add (`_source`'s bound), so
    # that nested aliases (a "billion laughs") cannot make of a few bytes more than that.
    budget = [len(text) + MAX_ALIAS_VALUES]

    def build(node: yaml.Node, path: JsonPath) -> Any:
        if id(node) in inside:  # an alias to a node that contains it
            return None
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooLarge
        inside.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                obj: dict[str, Any] = {}
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value not in obj:
                        key = str(key_node.value)
                        positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                        obj[key] = build(value_node, path + (key,))
                return obj
            if isinstance(node, yaml.SequenceNode):
                items = []
                for index, item in enumerate(node.value):
                    positions[path + (index,)] = (item.start_mark.line + 1, item.start_mark.column + 1)
                    items.append(build(item, path + (index,)))
                return items
            return node.value
        finally:
            inside.discard(id(node))

    try:
        data = build(root, ())
    except (RecursionError, _TooLarge):
        return None
    return Source(name, text, data, "yaml", 0, positions)


class _TooLarge(Exception):
    """The document would grow past its bound: it is not read for recognition."""
