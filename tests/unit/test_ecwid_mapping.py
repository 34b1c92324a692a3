"""Ecwid's date format and string fields, read strictly (a wrong shape is a typed error)."""

from __future__ import annotations

from datetime import UTC, datetime

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
