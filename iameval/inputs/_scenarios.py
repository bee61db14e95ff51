"""Scenario files: policies, one request and an expected decision (../shared/SCENARIO.md).

`load_scenarios` reads a file (one scenario, a list, or JSON Lines; JSON or YAML) or a folder of
them. A scenario that is invalid does not stop the others: it comes back with `.error` set, and
`evaluate` raises that error for it.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from pydantic import ValidationError

from ..policy._source import JSONL_SUFFIXES, Source, expand_paths, parse_text, read_text
from ..engine import Authorizer, Decision, Result
from ..policy._source import Origin
from ..policy._errors import Location, PolicyError, Problem, ScenarioError
from ..policy._errors import Path as JsonPath
from ..policy._load import load_policy
from ..policy._not_policies import read_policy_sources
from ..policy._model import Policy, PolicyKind
from ..engine._context import merge_context
from ..engine._request import Request, is_key_policy_action
from ._infrastructure import load_infrastructure

__all__ = ["Scenario", "ScenarioOutcome", "evaluate", "load_scenarios", "run_scenario"]

_SCENARIO_KEYS = ("id", "description", "policies", "request", "expect")
# A practice question is a scenario with these too (quiz.py); `iameval run` reads it as one.
QUESTION_FIELDS = ("topic", "difficulty", "question", "note")
_POLICY_TYPES = {
    "identity": PolicyKind.IDENTITY,
    "resource": PolicyKind.RESOURCE_POLICY,
    "permission_boundary": PolicyKind.PERMISSION_BOUNDARY,
    "session": PolicyKind.SESSION,
    "scps": PolicyKind.SCP,
    "rcps": PolicyKind.RCP,
}


@dataclass(frozen=True)
class Scenario:
    """One authorization question. Exactly one of (`request` with its policies) and `error` is set."""

    id: str
    location: Location
    description: str | None = None
    identity: tuple[Policy, ...] = ()
    resource_policy: Policy | None = None  # `policies.resource` of the file (SCENARIO.md)
    permission_boundary: Policy | None = None
    session: tuple[Policy, ...] = ()
    scps: tuple[Policy | tuple[Policy, ...], ...] = ()
    rcps: tuple[Policy | tuple[Policy, ...], ...] = ()
    request: Request | None = None
    expect: Decision | None = None
    error: PolicyError | None = None
    # Where the scenario stands, to locate problems found only when its request is evaluated.
    origin: Origin | None = field(default=None, repr=False, compare=False)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Why the scenario is invalid; empty when it is not."""
        return self.error.problems if self.error is not None else ()

    def authorizer(self) -> Authorizer:
        """The scenario's policies, compiled."""
        if self.error is not None:
            raise self.error
        return Authorizer(identity=self.identity, resource_policy=self.resource_policy,
                          permission_boundary=self.permission_boundary, session=self.session,
                          scps=self.scps, rcps=self.rcps)


def evaluate(scenario: Scenario) -> Result:
    """The decision for one scenario; raises the scenario's `PolicyError` when it is invalid."""
    if scenario.error is not None:
        raise scenario.error
    if scenario.request is None:  # a Scenario built by hand, without one
        raise ScenarioError([Problem("missing `request`", scenario.location, code="missing-field")])
    try:
        return scenario.authorizer().authorize(scenario.request)
    except PolicyError as exc:
        raise type(exc)(_place(p, scenario) for p in exc.problems) from None


def _place(problem: Problem, scenario: Scenario) -> Problem:
    """Give a request-level problem the scenario's file and position."""
    loc = problem.location
    if loc.file is not None or not loc.path or loc.path[0] != "request":
        return problem
    if scenario.origin is None:
        return problem
    source, base = scenario.origin
    located = source.locate(base + loc.path)
    return Problem(problem.message, located, problem.hint, problem.severity, code=problem.code)


@dataclass(frozen=True)
class ScenarioOutcome:
    """What `iameval run` reports for one scenario: a decision, or the error that prevented one."""

    scenario: Scenario
    result: Result | None = None
    error: PolicyError | None = None

    def __post_init__(self) -> None:
        if (self.result is None) == (self.error is None):
            raise ValueError("an outcome has a result or an error, not both or neither")

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Why the scenario could not be evaluated; empty when it was."""
        return self.error.problems if self.error is not None else ()

    @property
    def ok(self) -> bool | None:
        """Whether the decision matches `expect`; None without `expect`, False on error."""
        if self.result is None:
            return False
        if self.scenario.expect is None:
            return None
        return self.result.decision == self.scenario.expect

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.scenario.id}
        if self.result is None:
            out["error"] = str(self.error)
            out["problems"] = [p.as_dict() for p in self.problems]
            return out
        out["decision"] = str(self.result.decision)
        if self.scenario.expect is not None:
            out["expected"] = str(self.scenario.expect)
            out["ok"] = self.ok
        out["summary"] = self.result.summary
        out["gate"] = str(self.result.gate)
        out["reasons"] = [m.as_dict() for m in self.result.reasons]
        if self.result.rule is not None:
            out["rule"] = self.result.rule.as_dict()
        if self.result.warnings:
            out["warnings"] = self.result.to_json()["warnings"]
        return out


def run_scenario(scenario: Scenario) -> ScenarioOutcome:
    """Evaluate one scenario, turning its error (if any) into an outcome rather than raising."""
    try:
        return ScenarioOutcome(scenario, evaluate(scenario))
    except PolicyError as exc:
        return ScenarioOutcome(scenario, error=exc)


# ------------------------------------------------------------------------------------- loading

def load_scenarios(*paths: str | Path, exclude: Sequence[str] = ()) -> list[Scenario]:
    """Every scenario in the files and folders given (folders: their JSON, JSONL and YAML files).

    In a folder, files that hold a policy document (an object with `Statement`) rather than
    scenarios are policies referenced by `{"file": ...}` and are passed over. A file whose path
    or name matches a glob of `exclude` is passed over.
    """
    loader = _Loader()
    scenarios: list[Scenario] = []
    for top in paths:
        top = str(top)
        in_folder = top != "-" and Path(top).is_dir()
        for name in expand_paths([top]):
            if any(fnmatch.fnmatch(name, glob) or fnmatch.fnmatch(Path(name).name, glob) for glob in exclude):
                continue
            try:
                scenarios.extend(loader.file(name, in_folder))
            except PolicyError as exc:  # one broken file never stops the others
                scenarios.append(Scenario(Path(name).name, Location(name), error=ScenarioError(exc.problems)))
    return scenarios


class _Loader:
    """Reads scenarios, and the policy files they name (each read once)."""

    def __init__(self) -> None:
        self._policy_files: dict[Path, tuple[Source, Any]] = {}

    def file(self, name: str, in_folder: bool) -> list[Scenario]:
        display = "<stdin>" if name == "-" else name
        stem = Path(display).name
        try:
            sources = parse_text(read_text(name), display)
        except PolicyError as exc:
            good = exc.sources
            # One invalid scenario a bad line of JSON Lines, else one for the file, with all its
            # problems: a line that repeats two keys is one scenario, not two.
            lines = Path(display).suffix.lower() in JSONL_SUFFIXES or any(s.format == "jsonl" for s in good)
            grouped: dict[int | None, list[Problem]] = {}
            for p in exc.problems:
                grouped.setdefault(p.location.line if lines else None, []).append(p)
            broken = [Scenario(f"{stem}:{ps[0].location.line}" if lines and ps[0].location.line else stem,
                               ps[0].location, error=ScenarioError(ps))
                      for ps in grouped.values()]
            return [s for src in good for s in self.source(src, stem)] + broken
        if in_folder and len(sources) == 1 and _is_policy(sources[0].data):
            return []
        return [s for src in sources for s in self.source(src, stem)]

    def source(self, source: Source, stem: str) -> Iterable[Scenario]:
        data = source.data
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield self.scenario(source, (index,), item, f"{stem}[{index}]")
        elif source.format == "jsonl":
            yield self.scenario(source, (), data, f"{stem}:{source.line_offset + 1}")
        else:
            yield self.scenario(source, (), data, stem)

    def scenario(self, source: Source, base: JsonPath, data: Any, fallback_id: str) -> Scenario:
        # Where the scenario starts, without positions: computing those re-parses the file, which
        # only a problem needs (it locates itself).
        location = Location(source.name, source.line_offset + 1 if source.format == "jsonl" else None, None, base)
        given_id = data.get("id") if isinstance(data, dict) else None
        scenario_id = given_id if isinstance(given_id, str) else fallback_id
        problems: list[Problem] = []
        if isinstance(data, dict) and "id" in data and not isinstance(data["id"], str):
            problems.append(source.problem(base + ("id",), "`id` must be a string", code="invalid-scenario"))
        if not isinstance(data, dict):
            return Scenario(scenario_id, location, error=ScenarioError(
                [source.problem(base, "a scenario must be an object with `policies` and `request`",
                                code="invalid-scenario")]))
        if _is_policy(data):
            return Scenario(scenario_id, location, error=ScenarioError([source.problem(
                base, "this is a policy document, not a scenario",
                "to evaluate a policy, use `iameval check POLICY --action ...`, or wrap it in a scenario",
                code="invalid-scenario")]))
        for key in data:
            if key not in _SCENARIO_KEYS and key not in QUESTION_FIELDS:
                problems.append(source.problem(base + (key,), f"unknown scenario field `{key}`",
                                               "a scenario has id, description, policies, request and expect "
                                               "(and, as a practice question, topic, difficulty, question, note)",
                                               code="unknown-field"))
        fields: dict[str, Any] = {}
        policies = data.get("policies", {})
        if not isinstance(policies, dict):
            problems.append(source.problem(base + ("policies",), "`policies` must be an object", code="invalid-scenario"))
            policies = {}
        request = data.get("request")
        key_policy = isinstance(request, dict) and is_key_policy_action(request.get("action"))
        if "template" in policies:
            try:
                request = self._template(policies["template"], source, base + ("policies", "template"), request,
                                         fields)
            except PolicyError as exc:
                problems.extend(exc.problems)
        for key, value in policies.items():
            where = base + ("policies", key)
            if key == "template":
                continue
            kind = _POLICY_TYPES.get(key)
            if kind is None:
                problems.append(source.problem(where, f"unknown policy type `{key}`",
                                               "use identity, resource, permission_boundary, session, scps or rcps",
                                               code="unknown-policy-type"))
                continue
            try:
                given = self._policies(key, kind, value, source, where, key_policy and key == "resource")
                name = "resource_policy" if key == "resource" else key
                # A template's principal's identity policies come first; the others are replaced.
                fields[name] = fields.get(name, ()) + given if key == "identity" else given
            except PolicyError as exc:
                problems.extend(exc.problems)
        if "request" not in data:
            problems.append(source.problem(base, "missing `request`", code="missing-field"))
        else:
            try:
                fields["request"] = Request.model_validate(request)
            except ValidationError as exc:
                problems.extend(_request_problems(exc, source, base + ("request",)))
        expect = data.get("expect")
        if expect is not None:
            try:
                fields["expect"] = Decision(expect)
            except ValueError:
                problems.append(source.problem(base + ("expect",),
                                               f"`expect` must be `Allow`, `ImplicitDeny` or `ExplicitDeny`, not `{expect}`",
                                               code="invalid-scenario"))
        description = data.get("description")
        if description is not None and not isinstance(description, str):
            problems.append(source.problem(base + ("description",), "`description` must be a string", code="invalid-scenario"))
            description = None
        if problems:
            return Scenario(scenario_id, location, description, error=ScenarioError(problems))
        return Scenario(scenario_id, location, description, origin=(source, base),
                        **fields)

    def _policies(self, key: str, kind: PolicyKind, value: Any, source: Source, where: JsonPath,
                  key_policy: bool = False) -> Any:
        """One entry of `policies`, in the shape that type takes (SCENARIO.md); `key_policy`: the
        resource policy of a KMS request, a key policy (§2.7)."""
        problems: list[Problem] = []

        def one(item: Any, path: JsonPath) -> Policy | None:
            try:
                return self._policy(kind, item, source, path, key_policy)
            except PolicyError as exc:
                problems.extend(exc.problems)
                return None

        if key in ("resource", "permission_boundary"):
            result: Any = one(value, where)
        elif key in ("identity", "session"):
            items = value if isinstance(value, list) else [value]
            result = tuple(one(item, where + ((i,) if isinstance(value, list) else ()))
                           for i, item in enumerate(items))
        else:
            if not isinstance(value, list):
                raise PolicyError([source.problem(where, f"`{key}` must be a list of levels, from the "
                                                  "organization root to the account", code="invalid-scenario")])
            levels: list[Policy | None | tuple[Policy | None, ...]] = []
            for n, level in enumerate(value):
                if isinstance(level, list):
                    levels.append(tuple(one(item, where + (n, i)) for i, item in enumerate(level)))
                else:
                    levels.append(one(level, where + (n,)))
            result = tuple(levels)
        if problems:
            raise PolicyError(problems)
        return result

    def _policy(self, kind: PolicyKind, item: Any, source: Source, path: JsonPath, key_policy: bool = False) -> Policy:
        """A POLICY: a document, `{"name", "document"}`, or `{"file"}` (with an optional name),
        located where it was read (`Policy.origin`)."""
        if not isinstance(item, dict):
            raise PolicyError([source.problem(path, "a policy must be an object: a policy document, "
                                              "`{\"name\": ..., \"document\": ...}` or `{\"file\": ...}`",
                                              code="invalid-scenario")])
        if "Statement" in item or "Version" in item:
            return load_policy(item, kind, source=source, path=path, key_policy=key_policy)
        extra = [k for k in item if k not in ("name", "document", "file")]
        if extra:
            raise PolicyError([source.problem(path + (extra[0],), f"unknown policy field `{extra[0]}`",
                                              "a named policy has `name` and `document` (or `file`)",
                                              code="unknown-field")])
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            raise PolicyError([source.problem(path + ("name",), "`name` must be a string", code="invalid-scenario")])
        if "document" in item and "file" in item:
            raise PolicyError([source.problem(path, "give either `document` or `file`, not both", code="invalid-scenario")])
        if "document" in item:
            doc_path = path + ("document",)
            return load_policy(item["document"], kind, source=source, path=doc_path, name=name, key_policy=key_policy)
        if "file" in item:
            file = item["file"]
            if not isinstance(file, str):
                raise PolicyError([source.problem(path + ("file",), "`file` must be a path", code="invalid-scenario")])
            file_source, data = self._policy_file(source, path + ("file",), file)
            return load_policy(data, kind, source=file_source, name=name or Path(file).name,
                               key_policy=key_policy)
        raise PolicyError([source.problem(path, "a policy needs `Statement`, `document` or `file`",
                                          code="invalid-scenario")])

    def _template(self, value: Any, source: Source, path: JsonPath, request: Any, fields: dict[str, Any]) -> Any:
        """`policies.template`: a principal of a template or plan, `{"file", "principal",
        "parameters"}` (SCENARIO.md). Its identity policies, boundary and tags go into the
        scenario as from an account export, the file's SCPs and RCPs that apply to its account
        (`organization_levels`) unless `policies.scps`/`rcps` give others, and the file's resource
        policy of the request's resource unless `policies.resource` gives one. Returns the request, with the principal's
        ARN when it names none and its tags as `aws:PrincipalTag/...` where its context lacks them."""
        shape = (isinstance(value, dict) and isinstance(value.get("file"), str)
                 and isinstance(value.get("principal"), str) and set(value) <= {"file", "principal", "parameters"}
                 and isinstance(value.get("parameters", {}), dict))
        if not shape:
            raise PolicyError([source.problem(path, "`template` must be an object with `file` and `principal` "
                                              "(and optionally `parameters`)", code="invalid-scenario")])
        parameters = {str(k): str(v) for k, v in value.get("parameters", {}).items()}
        infrastructure = load_infrastructure(str(source.directory / value["file"]), parameters)
        principal = infrastructure.find(value["principal"])
        if principal is None:
            raise PolicyError([source.problem(path + ("principal",), f"`{value['principal']}` is not a user or "
                                              f"role of `{value['file']}`", code="unknown-principal")])
        if not principal.complete:
            raise PolicyError(principal.problems)
        fields["identity"] = principal.identity
        if principal.permission_boundary is not None:
            fields["permission_boundary"] = principal.permission_boundary
        for name in ("scps", "rcps"):  # those of the file that apply to its account; `policies` may replace them
            if getattr(infrastructure, name):
                fields[name] = getattr(infrastructure, name)
        if not isinstance(request, dict):
            return request
        request = {"principal": principal.arn, **request}
        request["context"] = merge_context(principal.context(), request.get("context") or {})
        if isinstance(request.get("action"), str) and isinstance(request.get("resource"), str):
            held, problems = infrastructure.resource_policy(request["action"], request["resource"])
            if problems:
                raise PolicyError(problems)
            if held is not None:
                fields["resource_policy"] = held
        return request

    def _policy_file(self, source: Source, path: JsonPath, file: str) -> tuple[Source, Any]:
        """The policy a `{"file": ...}` reference names, relative to the scenario's folder; a path
        no file can have, or a folder, is a problem of the reference, located at it."""
        full = source.directory / file
        try:
            key = full.resolve()
            folder = full.is_dir()
        except (OSError, ValueError):  # a NUL byte, a path too long
            shown = json.dumps(file)[1:-1]  # as the file writes it: `a\u0000b`
            raise PolicyError([source.problem(path, f"`{shown}` is not a path a file can have",
                                              code="unreadable-file")]) from None
        if folder:
            raise PolicyError([source.problem(path, f"policy file `{file}` is a folder (`{full}`)",
                                              "a reference names one policy file", code="unreadable-file")])
        if key not in self._policy_files:
            try:
                parsed = read_policy_sources(str(full))
            except PolicyError as exc:
                if exc.problems and exc.problems[0].message == "no such file":
                    raise PolicyError([source.problem(path, f"policy file `{file}` not found "
                                                      f"(looked for `{full}`)", code="unreadable-file")]) from None
                raise
            if len(parsed) != 1:
                raise PolicyError([source.problem(path, f"policy file `{file}` holds {len(parsed)} "
                                                  "documents; a policy reference names one",
                                                  "list each document as its own policy", code="document-count")])
            self._policy_files[key] = (parsed[0], parsed[0].data)
        return self._policy_files[key]


def _is_policy(data: Any) -> bool:
    return isinstance(data, dict) and "Statement" in data and "request" not in data


def _request_problems(exc: ValidationError, source: Source, base: JsonPath) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if error["type"] == "missing":
            problems.append(source.problem(base, f"the request is missing `{loc[-1]}`", code="missing-field"))
        elif error["type"] == "extra_forbidden":
            problems.append(source.problem(base + loc, f"unknown request field `{loc[-1]}`",
                                           "a request has principal, action, resource, resource_account, "
                                           "context, federated_from and resource_policy_required",
                                           code="unknown-field"))
        elif error["type"] == "value_error":
            problems.append(source.problem(base + loc, error["msg"].removeprefix("Value error, "),
                                           code="invalid-request"))
        else:
            where = ".".join(str(p) for p in loc)
            problems.append(source.problem(base + loc, f"`{where}` has a value of the wrong type: "
                                           f"{error['msg'][:1].lower()}{error['msg'][1:]}", code="invalid-request"))
    return problems
