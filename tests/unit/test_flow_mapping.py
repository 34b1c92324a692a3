"""Flow Retail's row mapping: each hot field's values and errors (the checked reads' own)."""

from __future__ import annotations

from typing import Any

import pytest

from customer_gateway.connectors.errors import UpstreamBadResponse
from customer_gateway.connectors.flow_retail import mapping
from customer_gateway.connectors.reading import Reader

READ = Reader("flow-test")
GOOD: dict[str, Any] = {
    "customerUid": "c-1",
    "firstname": "Kari",
    "lastname": "Nordmann",
    "email": "kari@example.no",
    "createdAt": "2024-06-04T21:15:10Z",
}


@pytest.mark.parametrize(
    ("key", "value", "where"),
    [
        ("customerUid", None, r"customer\.customerUid"),
        ("customerUid", 7, r"customer\.customerUid"),
        ("firstname", 1, r"customer\.firstname"),
        ("lastname", ["x"], r"customer\.lastname"),
        ("companyName", False, r"customer\.companyName"),
        ("displayName", {"a": 1}, r"customer\.displayName"),
        ("email", 5, r"customer\.email"),
        ("customerGroupUids", "g-1", r"customer\.customerGroupUids"),
    ],
)
def test_each_hot_field_of_a_wrong_type_is_named(key: str, value: Any, where: str) -> None:
    with pytest.raises(UpstreamBadResponse, match=where):
        mapping.customer(READ, "flow", {**GOOD, key: value})


@pytest.mark.parametrize(
    ("changes", "full_name", "email"),
    [
        ({}, "Kari Nordmann", "kari@example.no"),
        ({"lastname": ""}, "Kari", "kari@example.no"),
        ({"firstname": None}, "Nordmann", "kari@example.no"),
        ({"firstname": "", "lastname": None}, None, "kari@example.no"),
        ({"displayName": "KN"}, "KN", "kari@example.no"),
        ({"displayName": ""}, "Kari Nordmann", "kari@example.no"),
        ({"companyName": "Fjord AS", "customerType": "COMPANY"}, "Fjord AS", "kari@example.no"),
        ({"companyName": "Fjord AS"}, "Kari Nordmann", "kari@example.no"),
        (
            {"firstname": None, "lastname": None, "companyName": "Fjord AS"},
            "Fjord AS",
            "kari@example.no",
        ),
        (
            {"email": "", "contacts": [{"email": "ola@example.no"}]},
            "Kari Nordmann",
            "ola@example.no",
        ),
        ({"email": None}, "Kari Nordmann", None),
    ],
)
def test_hot_fields_map_as_the_checked_reads_do(
    changes: dict[str, Any], full_name: str | None, email: str | None
) -> None:
    record = mapping.customer(READ, "flow", {**GOOD, **changes})
    assert (record.id, record.full_name, record.email) == ("c-1", full_name, email)
