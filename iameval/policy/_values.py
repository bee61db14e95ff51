"""Reading condition values as their operator's type (IAM-SEMANTICS §8.4, §8.6).

Values are read exactly as given: `" true"` is not `true` and `" 10.0.0.1"` is no address.

Used twice with the same rules: when a policy is loaded (a policy value that does not read is
an error there) and when a request is evaluated (a context value that does not read makes that
comparison false, and is reported as a warning).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from typing import Iterable

from ._operators import Family, Operator

__all__ = ["as_text", "holds_when_absent", "null_expects_absent", "parse_binary", "parse_bool", "parse_date",
           "parse_ip_network", "parse_ip_address", "parse_number", "parse_policy_value", "ValueParseError"]


class ValueParseError(ValueError):
    pass


def as_text(value: object) -> str:
    """The text form AWS compares (§8.6): JSON `true` is `"true"`, `12345` is `"12345"`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_number(text: str) -> int | Decimal:
    """An integer or decimal, read exactly (§8.6); plain digits give an `int`, which compares
    exactly with a `Decimal`."""
    if text.isascii() and text.isdigit():
        return int(text)
    if not _NUMBER.fullmatch(text):
        raise ValueParseError(f"`{text}` is not a number")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueParseError(f"`{text}` is not a number") from None


_YEAR = re.compile(r"\d{4}")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_EPOCH = re.compile(r"-?\d+(\.\d+)?")


def parse_date(text: str) -> datetime:
    """A W3C ISO 8601 date or date-time, or epoch seconds, as an instant in UTC (§8.4, §14.6).

    `YYYY`, `YYYY-MM` and `YYYY-MM-DD` mean the first instant of that period, 00:00:00Z; a
    date-time without a time zone is read as UTC; any other run of digits is epoch seconds.
    """
    try:
        if len(text) > 10 and text[10] in "Tt":  # a date-time, the usual form
            moment = datetime.fromisoformat(text)
        elif _YEAR.fullmatch(text):
            return datetime(int(text), 1, 1, tzinfo=timezone.utc)
        elif match := _YEAR_MONTH.fullmatch(text):
            return datetime(int(match[1]), int(match[2]), 1, tzinfo=timezone.utc)
        elif _EPOCH.fullmatch(text):
            return datetime.fromtimestamp(float(Decimal(text)), tz=timezone.utc)
        elif "T" not in text and "t" not in text and len(text) != 10:
            raise ValueError
        else:
            moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        raise ValueParseError(f"`{text}` is not a date: use ISO 8601 such as `2026-01-31` or "
                              "`2026-01-31T12:00:00Z`, or epoch seconds") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment if moment.tzinfo is timezone.utc else moment.astimezone(timezone.utc)


def parse_bool(text: str) -> str:
    """`true` or `false`, compared after lower-casing (§8.4, §14.4)."""
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueParseError(f"`{text}` is not `true` or `false`")
    return lowered


def null_expects_absent(value: object) -> bool:
    """What one `Null` policy value asks (§8.4): `true` that the request lack the key, `false`
    that it have it; JSON `true` counts as `"true"` (§8.6), and case does not matter (§14.4)."""
    return parse_bool(as_text(value)) == "true"


def holds_when_absent(operator: Operator, values: Iterable[object]) -> bool:
    """Whether a condition entry holds when the request lacks its key (§8.3): `Null` when one
    of its values asks for the key to be absent, any other operator by its own rule
    (`Operator.holds_when_absent`)."""
    if operator.family is Family.NULL:
        return any(null_expects_absent(v) for v in values)
    return operator.holds_when_absent


def parse_binary(text: str) -> bytes:
    """Base64 text, compared byte for byte after decoding (§8.4)."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueParseError(f"`{text}` is not base64") from None


def parse_ip_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A CIDR block; a bare address is /32 for IPv4 and /128 for IPv6 (§8.4, §14.5)."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueParseError(f"`{text}` is not an IP address or CIDR block") from None


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_DOTTED_QUAD = re.compile(r"\.".join([_OCTET] * 4))


def parse_ip_address(text: str) -> tuple[int, int]:
    """An address as its version and its integer value (§8.4), as `ipaddress` reads it."""
    # The usual dotted quad is read here; anything else (IPv6, or what `ipaddress` refuses,
    # such as a leading zero) is left to `ipaddress`.
    quad = _DOTTED_QUAD.fullmatch(text)
    if quad is not None:
        a, b, c, d = quad.groups()
        return 4, int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ValueParseError(f"`{text}` is not an IP address") from None
    return address.version, int(address)


_PARSERS = {
    Family.NUMERIC: parse_number,
    Family.DATE: parse_date,
    Family.BOOL: parse_bool,
    Family.NULL: parse_bool,
    Family.BINARY: parse_binary,
    Family.IP: parse_ip_network,
}


def parse_policy_value(family: Family, value: object) -> object:
    """A policy value read as its family's type; String and Arn values stay text."""
    parser = _PARSERS.get(family)
    text = as_text(value)
    return parser(text) if parser else text
