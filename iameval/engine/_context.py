"""A request's condition keys: case-insensitive, as text, with the keys AWS derives (IAM-SEMANTICS §1, §8.2).

Built once per request. Keys are looked up without regard to case; when two given keys differ
only in case the first one counts (§8.2). A value is kept as the tuple of its text forms, and
whether it was given as a list (a multi-valued key).
"""

from __future__ import annotations

from typing import Any, Callable, Literal, Mapping, NamedTuple

from ._notice import Notice
from ._request import Caller, CallerKind
from ..policy._values import as_text
from ..policy._variables import UNUSABLE, Unusable

__all__ = ["DERIVABLE", "Context", "ContextEntry", "caller_keys", "derived_keys", "merge_context", "unique_id_shape"]


class ContextEntry(NamedTuple):
    key: str  # as written
    texts: tuple[str, ...]
    multi: bool


class Context:
    """The condition keys of one request. `derived` names the keys iameval filled in.

    Built lazily: a request that meets no condition and no variable never pays for it. It also
    carries the requested resource (`resource`, and `resource_segments` when it is an ARN of
    six segments), so that a statement's tests of the request read one object.
    """

    __slots__ = ("_given", "_caller_keys", "resource_account", "resource", "resource_segments",
                 "_entries", "warnings", "_parsed")

    def __init__(self, given: Mapping[str, Any], caller_keys: dict[str, ContextEntry],
                 resource_account: str | None = None, resource: str = "*",
                 resource_segments: list[str] | None = None):
        """`caller_keys` are the derived keys of the caller (`caller_keys(caller)`); with
        `resource_account`, they are what AWS derives where the request does not say (§1)."""
        self._given = given
        self._caller_keys = caller_keys
        self.resource_account = resource_account
        self.resource = resource
        self.resource_segments = resource_segments
        self._entries: dict[str, ContextEntry] | None = None  # the given keys, lower-cased
        self.warnings: list[Notice] = []
        self._parsed: dict[tuple[str, Callable[[str], Any]], Any] | None = None

    def same_account(self, account: str | None) -> bool:
        """The resource is in `account`, the caller's (§3): one account's evaluation, not two. A
        resource whose account is not known is taken as the caller's; a caller without an
        account (anonymous, a service) is in no resource's account."""
        return self.resource_account is None or self.resource_account == account

    def parsed(self, text: str, reader: Callable[[str], Any]) -> Any:
        """`reader(text)`, read once per request however many conditions compare the value; a
        read that fails raises again each time."""
        key = (text, reader)
        parsed = self._parsed
        if parsed is None:
            parsed = self._parsed = {}
        found = parsed.get(key, _MISSING)
        if found is _MISSING:
            found = parsed[key] = reader(text)
        return found

    def _read_given(self) -> dict[str, ContextEntry]:
        entries: dict[str, ContextEntry] = {}
        make = tuple.__new__  # ContextEntry without its Python-level constructor: once per key, every request
        for key, value in self._given.items():
            lowered = key.lower()
            if lowered in entries:
                continue
            if type(value) is str:
                entries[lowered] = make(ContextEntry, (key, (value,), False))
            elif isinstance(value, (list, tuple)):
                texts = tuple(value)
                for item in texts:
                    if type(item) is not str:
                        texts = tuple(map(as_text, texts))
                        break
                entries[lowered] = make(ContextEntry, (key, texts, True))
            else:
                entries[lowered] = make(ContextEntry, (key, (as_text(value),), False))
        self._entries = entries
        return entries

    def get(self, lowered_key: str) -> ContextEntry | None:
        given = self._entries if self._entries is not None else self._read_given()
        entry = given.get(lowered_key)
        if entry is None and lowered_key in DERIVABLE:
            if lowered_key == "aws:resourceaccount":
                account = self.resource_account
                return ContextEntry(_RESOURCE_ACCOUNT, (account,), False) if account else None
            return self._caller_keys.get(lowered_key)
        return entry

    def variable(self, lowered_key: str) -> str | None | Literal[Unusable.UNUSABLE]:
        """The value a `${key}` stands for; None when the key is absent (its default applies).

        Multi-valued keys cannot be variables (§9): a list value is reported, and `UNUSABLE`
        leaves the variable unresolved, default or not.
        """
        entry = self.get(lowered_key)
        if entry is None:
            return None
        if entry.multi:
            self.warn(Notice(f"`{entry.key}` has a list value, and a multi-valued key cannot be a policy "
                             "variable: `${" + entry.key + "}` is left unresolved", "multi-valued-variable"))
            return UNUSABLE
        return entry.texts[0]

    def warn(self, message: Notice) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def merge_context(*contexts: Mapping[str, Any]) -> dict[str, Any]:
    """Contexts merged in order, a later key replacing an earlier one of any case (§8.2)."""
    merged: dict[str, Any] = {}
    names: dict[str, str] = {}
    for context in contexts:
        for key, value in context.items():
            previous = names.get(key.lower())
            if previous is not None:
                del merged[previous]
            names[key.lower()] = key
            merged[key] = value
    return merged


_MISSING = object()

DERIVABLE = frozenset({"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username",
                        "aws:userid", "aws:resourceaccount"})


_RESOURCE_ACCOUNT = "aws:ResourceAccount"


def unique_id_shape(caller: Caller) -> tuple[str, str] | None:
    """What AWS's `aws:userid` of a caller holds around the unique ID that no ARN carries
    (§1): `AIDA`, for an IAM user; `AROA` and `:session-name` after it, for a role session.
    None for the callers whose ARN fixes it (`derived_keys`), or who have none."""
    if caller.kind is CallerKind.USER:
        return "AIDA", ""
    if caller.kind is CallerKind.ASSUMED_ROLE:
        return "AROA", ":" + caller.arn.rsplit("/", 1)[-1]
    return None


def caller_keys(caller: Caller) -> dict[str, ContextEntry]:
    """The derived keys that depend on the caller alone, by lower-cased name (see `derived_keys`)."""
    return {k.lower(): ContextEntry(k, (v,), False) for k, v in derived_keys(caller, None).items()}


def derived_keys(caller: Caller, resource_account: str | None) -> dict[str, str]:
    """The keys AWS sets from the principal and the resource, as far as the ARNs fix them (§1).

    `aws:userid` is derived only where the ARN alone determines it (root: the account ID;
    federated user: `ACCOUNT:name`; anonymous: `anonymous`); IAM users and roles have unique
    IDs that no ARN carries. Nothing else is invented.
    """
    keys: dict[str, str] = {}
    kind = caller.kind
    if kind.has_identity and caller.account is not None:
        keys["aws:PrincipalArn"] = caller.principal_arn or caller.arn
        keys["aws:PrincipalAccount"] = caller.account
    if kind.principal_type:
        keys["aws:PrincipalType"] = kind.principal_type
    if kind is CallerKind.USER and caller.name is not None:
        keys["aws:username"] = caller.name
    if kind is CallerKind.ROOT and caller.account is not None:
        keys["aws:userid"] = caller.account
    elif kind is CallerKind.FEDERATED_USER:
        keys["aws:userid"] = f"{caller.account}:{caller.name}"
    elif kind is CallerKind.ANONYMOUS:
        keys["aws:userid"] = "anonymous"
    if resource_account:
        keys[_RESOURCE_ACCOUNT] = resource_account
    return keys
