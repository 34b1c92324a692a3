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
