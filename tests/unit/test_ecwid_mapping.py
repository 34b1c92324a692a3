"""Ecwid's date format and string fields, read strictly (a wrong shape is a typed error)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_gateway.connectors.ecwid import mapping
from customer_gateway.connectors.errors import UpstreamBadResponse
from customer_gateway.connectors.reading import Reader

READ = Reader("ecwid")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-04 21:15:10 +0000", datetime(2024, 6, 4, 21, 15, 10, tzinfo=UTC)),
        ("2024-06-04 21:15:10 -0000", datetime(2024, 6, 4, 21, 15, 10, tzinfo=UTC)),
        ("2024-06-04 23:15:10 +0200", datetime(2024, 6, 4, 21, 15, 10, tzinfo=UTC)),
        ("2024-06-04 16:45:10 -0430", datetime(2024, 6, 4, 21, 15, 10, tzinfo=UTC)),
    ],
)
def test_ecwid_dates_become_utc(text: str, expected: datetime) -> None:
    moment = mapping.ecwid_datetime(READ, text, "customer.registered")
    assert moment == expected
    assert moment is not None
    assert moment.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "value", ["2024-13-04 21:15:10 +0000", "2024-06-04T21:15:10Z", "2024-06-04 21:15:10 +2400", 7]
)
def test_a_bad_ecwid_date_is_a_typed_error(value: object) -> None:
    with pytest.raises(UpstreamBadResponse, match="customer.registered"):
        mapping.ecwid_datetime(READ, value, "customer.registered")


# How `ecwid_datetime` read every date before its +0000 shortcut (`fromisoformat`): the
# shortcut must give the same moment, the same zone object and the same refusals.
_FORMER = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})"
)


def _former_datetime(value: str) -> datetime:
    match = _FORMER.fullmatch(value)
    if match is None:
        raise READ.bad("customer.registered")
    year, month, day, hour, minute, second, sign, zone_h, zone_m = match.groups()
    try:
        if zone_h == zone_m == "00":
            return datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC
            )
        offset = timedelta(hours=int(zone_h), minutes=int(zone_m))
        zone = timezone(offset if sign == "+" else -offset)
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError:
        raise READ.bad("customer.registered") from None
    return moment.astimezone(UTC)  # past datetime's range: OverflowError, as it was


def _outcome(read: Any, value: str) -> tuple[datetime | None, type[BaseException] | None, str]:
    try:
        return read(value), None, ""
    except Exception as error:  # compared below: the same type and message
        return None, type(error), str(error)


def _assert_read_as_before(value: str) -> None:
    expected, expected_error, expected_message = _outcome(_former_datetime, value)
    moment, error, message = _outcome(
        lambda text: mapping.ecwid_datetime(READ, text, "customer.registered"), value
    )
    assert (error, message) == (expected_error, expected_message)
    assert moment == expected
    if expected is not None:
        assert moment is not None
        assert moment.tzinfo is expected.tzinfo is UTC  # the one UTC object, as before
        assert moment.fold == expected.fold


def test_utc_dates_at_every_range_edge_read_as_before() -> None:
    """Each field at and past its range (leap days, year 0, hour 24, second 60), both signs of
    +0000, a zone beside it, and characters the pattern refuses (digits of other scripts, a T,
    a fraction, a missing zone)."""
    fields = itertools.product(
        ["0000", "0001", "1900", "2000", "2023", "2024", "9999"],
        ["00", "01", "02", "12", "13"],
        ["00", "01", "28", "29", "30", "31", "32"],
        ["00", "23", "24"],
        ["00", "59", "60"],
        ["00", "59", "60", "99"],
        ["+0000", "-0000", "+0001", "+0100", "-2359", "+2400"],
    )
    for year, month, day, hour, minute, second, zone in fields:
        _assert_read_as_before(f"{year}-{month}-{day} {hour}:{minute}:{second} {zone}")
    for value in [
        "2024-06-04T21:15:10 +0000",
        "2024-06-04 21:15:10+0000",
        "2024-06-04 21:15:10 +0000 ",
        " 2024-06-04 21:15:10 +0000",
        "2024-06-04 21:15:10.5 +0000",
        "2024-06-04 21:15:10",
        "2024-06-04 21:15:10 +00:00",
        "2024-06-04 21:15:10 Z",
        "2024-6-04 21:15:10 +0000",
        "\uff12024-06-04 21:15:10 +0000",  # a fullwidth digit
        "2024-06-04 21:15:1\u0663 +0000",  # an Arabic-Indic digit
        "+024-06-04 21:15:10 +0000",
        "2024-06-04 21:15:10 +0000\n",
        "",
    ]:
        _assert_read_as_before(value)


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="0123456789 -:+T\u0663", min_size=19, max_size=27)
    | st.builds(
        "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d} {}{:04d}".format,
        st.integers(0, 9999),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from("+-"),
        st.sampled_from([0, 0, 0, 30, 100, 2359, 2400]),
    )
)
def test_generated_dates_read_as_before(value: str) -> None:
    _assert_read_as_before(value)


def test_empty_and_null_strings_read_as_absent() -> None:
    customer = mapping.customer(READ, "ecwid", {"id": 7, "email": "", "name": None})
    assert (customer.email, customer.full_name) == (None, None)


@pytest.mark.parametrize("value", [0, False, 12, ["a"], {"a": 1}])
def test_a_string_field_of_another_type_is_a_typed_error(value: object) -> None:
    with pytest.raises(UpstreamBadResponse, match=r"customer\.email"):
        mapping.customer(READ, "ecwid", {"id": 7, "email": value})


def test_rows_in_one_group_share_one_group_ref() -> None:
    read = Reader("ecwid-test")
    rows: list[dict[str, Any]] = [
        {"id": 1, "customerGroupId": 5, "customerGroupName": "Gold"},
        {"id": 2, "customerGroupId": 5, "customerGroupName": "Gold"},
        {"id": 3, "customerGroupId": 5, "customerGroupName": "Renamed"},
        {"id": 4},  # General
        {"id": 5, "customerGroupId": 3_000_000_000, "customerGroupName": "Big"},
    ]
    known: mapping.GroupRefs = {}
    shared = [mapping.customer(read, "s", row, group_refs=known) for row in rows]
    alone = [mapping.customer(read, "s", row) for row in rows]
    assert shared == alone  # the same values, shared or not
    assert shared[0].groups[0] is shared[1].groups[0]
    assert shared[2].groups[0] is not shared[0].groups[0]
    assert [r.groups[0].name for r in shared] == ["Gold", "Gold", "Renamed", "General", "Big"]
    assert len(known) == 4


GOOD: dict[str, Any] = {
    "id": 7,
    "email": "a@example.com",
    "name": "Ada",
    "registered": "2024-06-04 21:15:10 +0000",
    "customerGroupId": 5,
    "customerGroupName": "Gold",
    "billingPerson": {"name": "Ada B", "firstName": "Ada", "lastName": "B"},
}


@pytest.mark.parametrize(
    ("key", "value", "where"),
    [
        ("id", "7", r"customer\.id"),
        ("id", True, r"customer\.id"),
        ("id", 7.0, r"customer\.id"),
        ("billingPerson", ["x"], r"customer\.billingPerson"),
        ("billingPerson", {"name": 5}, r"customer\.billingPerson\.name"),
        ("customerGroupId", "5", r"customer\.customerGroupId"),
        ("customerGroupId", True, r"customer\.customerGroupId"),
        ("customerGroupName", 5, r"customer\.customerGroupName"),
        ("email", ["a"], r"customer\.email"),
        ("name", 1, r"customer\.name"),
        ("registered", 1717535710, r"customer\.registered"),
    ],
)
def test_each_hot_field_of_a_wrong_type_is_named(key: str, value: Any, where: str) -> None:
    with pytest.raises(UpstreamBadResponse, match=where):
        mapping.customer(READ, "ecwid", {**GOOD, key: value})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ("Ada", 5, "Gold", "a@example.com")),
        ({"name": ""}, ("Ada B", 5, "Gold", "a@example.com")),
        (
            {"name": None, "billingPerson": {"firstName": "Ada", "lastName": "B"}},
            ("Ada B", 5, "Gold", "a@example.com"),
        ),
        (
            {"customerGroupId": None, "customerGroupName": None},
            ("Ada", 0, "General", "a@example.com"),
        ),
        ({"customerGroupId": 0, "customerGroupName": ""}, ("Ada", 0, "General", "a@example.com")),
        ({"customerGroupId": 9, "customerGroupName": ""}, ("Ada", 9, None, "a@example.com")),
        ({"email": ""}, ("Ada", 5, "Gold", None)),
        ({"billingPerson": None}, ("Ada", 5, "Gold", "a@example.com")),
    ],
)
def test_hot_fields_map_as_the_checked_reads_do(
    changes: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    record = mapping.customer(READ, "ecwid", {**GOOD, **changes})
    group = record.groups[0]
    assert (record.full_name, group.numeric_id, group.name, record.email) == expected
    assert (record.id, record.numeric_id) == ("7", 7)


def test_an_id_past_31_bits_is_synthesised() -> None:
    record = mapping.customer(READ, "ecwid", {**GOOD, "id": 2**31})
    assert record.id == str(2**31)
    assert 0 <= record.numeric_id < 2**31
    assert record.numeric_id == mapping.int_id(2**31)
