"""Ecwid's date format and string fields, read strictly (a wrong shape is a typed error)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

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
