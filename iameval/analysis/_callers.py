"""The callers a resource or trust policy tells apart, a finite set of shapes (IAM-SEMANTICS §1, §7.4, §10).

A resource-based policy names its callers (§7.4): which statements reach a caller is a matter
of its kind, its ARN (or the role ARN behind a session, `aws:PrincipalArn`), its account, its
service or provider name. These are finitely many cases for the constants of the policies:

- callers of an account (root, IAM user, role session, federated user): each *cell* of the
  ARNs and patterns the policies name, found by z3 over the caller's `aws:PrincipalArn` (an
  account named in `Principal` or `aws:PrincipalAccount`, an exact ARN, an `ArnLike` or
  `StringLike` pattern on `aws:PrincipalArn`, a name on `aws:username`, and the resource's own
  account): one witness ARN per combination of them that some ARN meets, so that every caller
  of an account is like one shape in every test the policies make of it;
- each service principal, identity provider and canonical user the policies name, and one they
  do not; the role sessions they name; the anonymous caller.

Each shape is a concrete caller: the engine reads it (`parse_caller`), derives its keys
(`_context.caller_keys`) and matches it (`Principals.classify`), never this module. What a
shape fixes of the keys a request gives about its caller, which the engine does not derive
(`aws:PrincipalOrgID`, `aws:PrincipalIsAWSService`, ... §10), is said as `Fact`s for the search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

# z3, not the search's cvc5: the cells of callers are questions of emptiness under complement,
# which z3 answers at once and cvc5 does not within seconds (measured on trust policies). Only
# strings leave this module, never formulas.
import z3

from ..engine._callers import CallerKind, fixed_keys
from ..engine._compile import CompiledStatement
from ..engine._request import parse_caller
from ..engine._conditions import CompiledCondition
from ..policy._arn import split_arn
from ..policy._match import Pieces, resource_pattern
from ..policy._operators import Comparison, Family
from ..policy._values import as_text
from ..policy._variables import Variable, parse_template
from ._languages import z3_languages
from ._search import Fact

__all__ = ["CallerShape", "Shapes", "caller_shapes", "given_shape"]

_LANGUAGES = z3_languages()
ALL, DIGITS12, NO_COLON = _LANGUAGES.ALL, _LANGUAGES.DIGITS12, _LANGUAGES.NO_COLON
literal, glob_regex, casefold_regex = _LANGUAGES.literal, _LANGUAGES.glob_regex, _LANGUAGES.casefold_regex

# Cells of one kind of caller searched before the answer is unknown: each is a search of its own.
_CELL_LIMIT = 48
_TIMEOUT_MS = 5_000
_SESSION = "iameval-session"
_RESOURCE_ACCOUNT = "aws:resourceaccount"
# Unnamed callers of the kinds a `Principal` names by name (`*` reaches them).
_OTHER_SERVICE = "iameval.amazonaws.com"
_OTHER_PROVIDER = "accounts.iameval.example"
_OTHER_CANONICAL = "c" * 64


@dataclass(frozen=True)
class CallerShape:
    """One caller the policies are asked about: the request's principal, what it is in words,
    its account (None without one), whether it has identity-side policies (§2.6), what every
    request of it gives (`given`) and what it fixes of the keys about the caller (`facts`)."""

    principal: str
    what: str
    kind: CallerKind
    account: str | None = None
    given: Mapping[str, Any] = field(default_factory=dict)
    facts: tuple[Fact, ...] = ()
    named: bool = True  # False: a caller (of an account) no policy names: any such caller


    @property
    def has_identity(self) -> bool:
        return self.kind.has_identity

    def outside_organization(self, organizations: tuple[str, ...]) -> CallerShape:
        """This caller in none of `organizations` (§10: `aws:PrincipalOrgID` absent or another
        organization's; its paths, which name its organization, follow, `Space.organization`)."""
        return CallerShape(self.principal, f"{self.what}, outside organization {', '.join(organizations)}",
                           self.kind, self.account, self.given,
                           self.facts + (("aws:PrincipalOrgID", None, organizations),),
                           self.named)


@dataclass(frozen=True)
class Shapes:
    """The shapes, and why the set may not cover every caller (then answers are `unknown`)."""

    shapes: tuple[CallerShape, ...]
    unknown: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()  # the values the policies compare `aws:PrincipalOrgID` with


# ------------------------------------------------------------------------------- regular languages

_NAME = z3.Plus(z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"),
                         *[literal(c) for c in "+=,.@_-"]))
_PATH = z3.Star(z3.Concat(_NAME, literal("/")))
# The `aws:PrincipalArn` of each kind of caller of an account (§1): a role session carries its role's.
_ARN_KINDS: dict[CallerKind, z3.ReRef] = {
    CallerKind.ROOT: z3.Concat(literal("arn:aws:iam::"), DIGITS12, literal(":root")),
    CallerKind.USER: z3.Concat(literal("arn:aws:iam::"), DIGITS12, literal(":user/"), _PATH, _NAME),
    CallerKind.ASSUMED_ROLE: z3.Concat(literal("arn:aws:iam::"), DIGITS12, literal(":role/"), _PATH, _NAME),
    CallerKind.FEDERATED_USER: z3.Concat(literal("arn:aws:sts::"), DIGITS12, literal(":federated-user/"), _NAME),
}
# A readable name where the policies do not ask for another.
_NICE = {CallerKind.USER: "iameval-user", CallerKind.ASSUMED_ROLE: "iameval-role", CallerKind.FEDERATED_USER: "iameval"}
_WORDS = {CallerKind.ROOT: "the root user", CallerKind.USER: "an IAM user", CallerKind.ASSUMED_ROLE: "a role session",
          CallerKind.FEDERATED_USER: "a federated user"}


def _account_regex(account: z3.ReRef) -> z3.ReRef:
    """The ARNs whose account (fifth segment) is in `account`."""
    segment = z3.Concat(NO_COLON, literal(":"))
    return z3.Concat(literal("arn:"), segment, segment, segment, account, literal(":"), z3.Star(ALL))


def _value_regexes(condition: CompiledCondition, account: str, where: str) -> list[z3.ReRef]:
    """The texts the policy values of a string or ARN condition match (§8.4), as the engine's own
    comparison reads them; an ARN value segment by segment (§7.3). `${aws:ResourceAccount}` is
    the resource's `account` (§9); a value with another variable raises `_CallerVariable`."""
    operator = condition.operator
    out = []
    for value in condition.entry.values:
        pieces = _pieces(as_text(value), account, condition, where)
        if operator.family is Family.ARN:
            segments = resource_pattern(tuple(pieces)).segment_pieces
            if segments is None:
                continue
            parts = [z3.Intersect(glob_regex(p), NO_COLON) for p in segments[:-1]] + [glob_regex(segments[-1])]
            joined = parts[0]
            for part in parts[1:]:
                joined = z3.Concat(joined, literal(":"), part)
            out.append(joined)
        elif operator.comparison is Comparison.LIKE:
            out.append(glob_regex(pieces))
        elif operator.comparison is Comparison.EQUALS_IGNORE_CASE:
            out.append(casefold_regex("".join(t for t, _ in pieces).casefold()))
        else:
            out.append(literal("".join(t for t, _ in pieces)))
    return out


class _CallerVariable(Exception):
    """A variable other than `${aws:ResourceAccount}` in a condition on the caller's name."""


def _pieces(text: str, account: str, condition: CompiledCondition, where: str) -> Pieces:
    if "${" not in text or not condition.has_variables:
        return [(text, True)]
    template = parse_template(text)
    keys = {p.lowered for p in template.parts if isinstance(p, Variable)}
    pieces = template.resolve(lambda key: account if key == _RESOURCE_ACCOUNT else None)
    if keys - {_RESOURCE_ACCOUNT} or pieces is None:
        raise _CallerVariable(f"a policy variable in a condition on the caller's `{condition.entry.key}` "
                              f"(`{condition.operator.name}` in {where}): callers are not searched for it")
    return pieces


# ------------------------------------------------------------------------------- constants

@dataclass
class _Constants:
    """What the policies name of their callers."""

    atoms: list[z3.ReRef] = field(default_factory=list)  # tests of aws:PrincipalArn
    accounts: set[str] = field(default_factory=set)  # named anywhere
    sessions: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    providers: set[str] = field(default_factory=set)
    canonical: set[str] = field(default_factory=set)
    organizations: set[str] = field(default_factory=set)
    unknown: list[str] = field(default_factory=list)

    def read(self, statement: CompiledStatement, account: str) -> None:
        where = f"statement {statement.ref.statement} of {statement.ref.policy}"
        principals = statement.principals
        if principals is not None:
            self.atoms += [_account_regex(literal(a)) for a in principals.accounts]
            self.accounts |= principals.accounts
            for arn in principals.arns:
                segments = self._arn(arn, where)
                if segments is None:
                    continue
                self.accounts.add(segments[4])
                if segments[5].startswith("assumed-role/"):
                    self.sessions.add(arn)
                else:
                    self.atoms.append(literal(arn))
            self.services |= principals.services - {"*"}
            self.providers |= principals.federated - {"*"}
            self.canonical |= principals.canonical - {"*"}
        for condition in statement.conditions:
            try:
                self._condition(condition, account, where)
            except _CallerVariable as exc:
                self.unknown.append(str(exc))

    def _arn(self, arn: str, where: str) -> list[str] | None:
        """The segments of a caller's ARN a policy names (`split_arn`); None, and said as
        unknown, for one of another partition than `aws`, whose callers are not searched, or
        one that is not an ARN of six segments."""
        segments = split_arn(arn)
        if len(segments) != 6:
            self.unknown.append(f"{where}: `{arn}` is not an ARN of six segments")
            return None
        if segments[1] != "aws":
            self.unknown.append(f"{where}: callers of partition `{segments[1]}` (`{arn}`) are not searched yet")
            return None
        return segments

    def _condition(self, condition: CompiledCondition, account: str, where: str) -> None:
        key, family = condition.key, condition.operator.family
        if key not in ("aws:principalarn", "aws:principalaccount", "aws:username", "aws:principalorgid",
                       "aws:principalorgpaths", "aws:principalservicename"):
            return
        if family not in (Family.STRING, Family.ARN):
            return  # `Null` and typed families: present or not, which the kinds decide
        texts = [t for t in (as_text(v) for v in condition.entry.values) if "${" not in t]
        self.accounts.update(t for t in texts if t.isdigit())
        self.accounts.update(segments[4] for t in texts if t.startswith("arn:")
                             and (segments := self._arn(t, where)) is not None)
        if key == "aws:principalorgid":
            self.organizations.update(texts)
        elif key == "aws:principalorgpaths":  # `o-id/r-root/...`: the organization first (§10)
            self.organizations.update(t.split("/")[0] for t in texts if t.startswith("o-")
                                      and not any(c in t.split("/")[0] for c in "*?"))
        elif key == "aws:principalservicename":
            self.services.update(t for t in texts if "*" not in t and "?" not in t)
        elif key == "aws:principalarn":
            self.atoms += _value_regexes(condition, account, where)
        elif key == "aws:principalaccount":
            self.atoms += [_account_regex(z3.Intersect(r, DIGITS12)) for r in _value_regexes(condition, account, where)]
        else:  # aws:username: the last part of a user's ARN (§1)
            self.atoms += [z3.Concat(literal("arn:aws:iam::"), DIGITS12, literal(":user/"), _PATH, r)
                           for r in _value_regexes(condition, account, where)]


def _cells(kind: CallerKind, atoms: list[z3.ReRef]) -> tuple[list[str], bool]:
    """One `aws:PrincipalArn` of `kind` for each combination of `atoms` it can meet: the
    language of the kind split by each atom in turn, empty parts dropped. False when there are
    more than `_CELL_LIMIT` (or z3 gives no answer)."""
    cells = [_ARN_KINDS[kind]]
    for atom in atoms:
        split = []
        for cell in cells:
            for part in (z3.Intersect(cell, atom), z3.Intersect(cell, z3.Complement(atom))):
                verdict, _ = _member(part)
                if verdict == z3.unknown:
                    return [], False
                if verdict == z3.sat:
                    split.append(part)
        if len(split) > _CELL_LIMIT:
            return [], False
        cells = split
    nice = z3.Concat(z3.Star(ALL), literal("/" + _NICE[kind])) if kind in _NICE else None
    found: list[str] = []
    for cell in cells:
        verdict, text = _member(z3.Intersect(cell, nice)) if nice is not None else (z3.unsat, None)
        if text is None:
            verdict, text = _member(cell)
        if text is None:
            return found, False
        found.append(text)
    return found, True


def _member(language: z3.ReRef) -> tuple[Any, str | None]:
    """Whether `language` has a member, and one."""
    text = z3.String("principal_arn")
    solver = z3.Solver()
    solver.set("timeout", _TIMEOUT_MS)
    solver.add(z3.InRe(text, language))
    verdict = solver.check()
    return verdict, solver.model().eval(text, model_completion=True).as_string() if verdict == z3.sat else None


def _account_shape(kind: CallerKind, principal_arn: str, own: str, named: set[str]) -> CallerShape:
    account = principal_arn.split(":")[4]
    known = account == own or account in named
    where = ("of the resource's account" if account == own else f"of account {account}" if known
             else f"of account {account}, which no policy names")
    if kind is CallerKind.ASSUMED_ROLE:
        name = principal_arn.rsplit("/", 1)[-1]
        session = f"arn:aws:sts::{account}:assumed-role/{name}/{_SESSION}"
        return CallerShape(session, f"a session of role {principal_arn} ({where})", kind, account,
                           {"aws:PrincipalArn": principal_arn}, _facts(kind, principal_arn), known)
    return CallerShape(principal_arn, f"{_WORDS[kind]} {where}", kind, account, {}, _facts(kind, principal_arn), known)


def caller_shapes(statements: Iterable[CompiledStatement], account: str) -> Shapes:
    """The callers to ask about, for policies of a resource in `account` (§7.4): see the module."""
    constants = _Constants()
    for statement in statements:
        constants.read(statement, account)
    # The resource's own account is a cell boundary of its own: same account or not (§3).
    atoms = list({a.sexpr(): a for a in (_account_regex(literal(account)), *constants.atoms)}.values())
    shapes: list[CallerShape] = [CallerShape("*", "an anonymous caller", CallerKind.ANONYMOUS,
                                             facts=_facts(CallerKind.ANONYMOUS, "*"))]
    unknown = list(constants.unknown)
    for kind in _ARN_KINDS:
        arns, complete = _cells(kind, atoms)
        shapes += [_account_shape(kind, arn, account, constants.accounts) for arn in arns]
        if not complete:
            unknown.append(f"more than {_CELL_LIMIT} kinds of {_WORDS[kind]} tell the policies apart: "
                           "callers beyond them are not searched")
    for session in sorted(constants.sessions):
        shapes.append(CallerShape(session, f"role session {session}", CallerKind.ASSUMED_ROLE, session.split(":")[4],
                                  {}, _facts(CallerKind.ASSUMED_ROLE, session)))
    for service in sorted(constants.services) + [_OTHER_SERVICE]:
        shapes.append(CallerShape(service, f"service {service}", CallerKind.SERVICE, facts=_facts(CallerKind.SERVICE, service),
                                  named=service != _OTHER_SERVICE))
    for provider in sorted(constants.providers) + [_OTHER_PROVIDER]:
        shapes.append(CallerShape(provider, f"identity provider {provider}", CallerKind.FEDERATED_PROVIDER,
                                  facts=_facts(CallerKind.FEDERATED_PROVIDER, provider),
                                  named=provider != _OTHER_PROVIDER))
    for canonical in sorted(constants.canonical) + [_OTHER_CANONICAL]:
        shapes.append(CallerShape(canonical, f"canonical user {canonical}", CallerKind.CANONICAL_USER,
                                  facts=_facts(CallerKind.CANONICAL_USER, canonical),
                                  named=canonical != _OTHER_CANONICAL))
    return Shapes(tuple(shapes), tuple(dict.fromkeys(unknown)), tuple(sorted(constants.organizations)))


def given_shape(principal: str) -> CallerShape:
    """The one caller a question names (`--principal`), with what its kind fixes (§10)."""
    caller = parse_caller(principal)
    return CallerShape(principal, "the caller given", caller.kind, caller.account, {}, _facts(caller.kind, principal))


def _facts(kind: CallerKind, name: str) -> tuple[Fact, ...]:
    """What every request of a caller of `kind` (named `name`) fixes of the keys about its
    caller (`fixed_keys`, §10), as facts for the search."""
    return tuple((key, value, ()) for key, value in fixed_keys(kind, name).items())
