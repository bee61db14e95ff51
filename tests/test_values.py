"""Reading context values as their operator's type (IAM-SEMANTICS §8.4, §8.6).

The readers take short cuts for the usual forms (a dotted quad, plain digits, an ISO date-time);
these properties pin the short cuts to the general readers they stand in for.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iameval.policy._values import ValueParseError, parse_date, parse_ip_address, parse_number
from helpers import scaled


def _ipaddress_reading(text: str) -> tuple[int, int] | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.version, int(address)


def _reading(parse, text: str):
    try:
        return parse(text)
    except ValueParseError:
        return None


# Octets as people mistype them: leading zeros, out of range, non-ASCII digits, signs, spaces.
_OCTETS = st.one_of(st.integers(0, 255).map(str), st.sampled_from(
    ["", "00", "01", "010", "256", "999", "1000", "+1", "-1", " 1", "1 ", "١", "0x1", "1e2"]))


@scaled(5)
@given(st.lists(_OCTETS, min_size=1, max_size=6).map(".".join))
def test_dotted_addresses_read_as_ipaddress_reads_them(text: str) -> None:
    """§8.4: what `ipaddress` refuses is no address, and every address has the same value."""
    assert _reading(parse_ip_address, text) == _ipaddress_reading(text), text


@scaled(3)
@given(st.ip_addresses().map(str))
def test_every_address_reads_as_its_version_and_value(text: str) -> None:
    address = ipaddress.ip_address(text)
    assert parse_ip_address(text) == (address.version, int(address))


@pytest.mark.parametrize("text", ["10.0.0.1\n", "10.0.0", "10.0.0.1.2", "010.0.0.1", "10.0.0.256", "::ffff:10.0.0.1"])
def test_near_dotted_quads(text: str) -> None:
    """Only what `ipaddress` reads is an address; an IPv4-mapped IPv6 address stays version 6."""
    assert _reading(parse_ip_address, text) == _ipaddress_reading(text)


@scaled(5)
@given(st.one_of(st.integers(0, 10**30).map(str), st.text("0123456789.+-", max_size=8)))
def test_numbers_read_exactly(text: str) -> None:
    """§8.6: an integer or a decimal, compared exactly whichever form it is read into."""
    value = _reading(parse_number, text)
    try:
        expected = Decimal(text) if text and not text.lower().startswith(("inf", "nan")) else None
    except ArithmeticError:
        expected = None
    if value is None:
        # The reader refuses exponents, bare signs and the like, which Decimal may accept.
        assert expected is None or not text.lstrip("+-").replace(".", "", 1).isdigit()
    else:
        # Comparisons are exact between the two forms (no rounding to a precision).
        assert value == expected and not value < expected and not value > expected


@scaled(5)
@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2999, 12, 31)),
       st.one_of(st.none(), st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))),
       st.sampled_from(["T", "t"]), st.booleans())
def test_date_times_read_as_the_instant_they_name(moment: datetime, zone, separator: str, zulu: bool) -> None:
    """§8.4, §14.6: a date-time with a zone is that instant; without one it is UTC."""
    text = moment.replace(tzinfo=zone).isoformat(sep=separator)
    if zone is None and zulu:
        text += "Z"
    expected = moment.replace(tzinfo=zone or timezone.utc).astimezone(timezone.utc)
    parsed = parse_date(text)
    assert parsed == expected and parsed.utcoffset() == timedelta(0), text


@pytest.mark.parametrize("text, expected", [
    pytest.param("2026", datetime(2026, 1, 1, tzinfo=timezone.utc), id="year"),
    pytest.param("2026-03", datetime(2026, 3, 1, tzinfo=timezone.utc), id="year-month"),
    pytest.param("2026-03-04", datetime(2026, 3, 4, tzinfo=timezone.utc), id="date"),
    pytest.param("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc), id="epoch-seconds"),
    pytest.param("2026-03-04T05:06:07+02:00", datetime(2026, 3, 4, 3, 6, 7, tzinfo=timezone.utc), id="offset"),
    pytest.param("2026-03-04T05:06:07Z", datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc), id="zulu"),
    pytest.param("2026-03-04X05:06:07Z", None, id="no-T-is-no-date-time"),
    pytest.param("2026-13-04T05:06:07Z", None, id="month-13"),
    pytest.param("tomorrow", None, id="words"),
])
def test_date_forms(text: str, expected: datetime | None) -> None:
    assert _reading(parse_date, text) == expected
