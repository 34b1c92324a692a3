"""EverShop's GraphQL Customer mapping: values of their JSON type taken as they are, anything
else through the checked reads (the same errors, naming the same place), groups shared."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from customer_gateway.connectors.errors import UpstreamBadResponse
from customer_gateway.connectors.evershop import mapping
from customer_gateway.connectors.models import GroupRef
from customer_gateway.connectors.reading import Reader

READ = Reader("shop")
UUID = "0b6c6a1e-3b1c-4c55-9a59-0f8f3b1b2c3d"


def item(**changes: Any) -> dict[str, Any]:
    return {
        "customerId": 12,
        "uuid": UUID,
        "status": 1,
        "email": "a@example.com",
        "fullName": "Ann Bee",
        "createdAt": {"value": "1700000000123"},
        "group": {"customerGroupId": 1, "groupName": "Default"},
        **changes,
    }


def test_a_customer_maps_every_field() -> None:
    record = mapping.customer(READ, "shop", "https://shop.test", item(), False)
    assert (record.id, record.numeric_id, record.email, record.full_name, record.status) == (
        UUID,
        12,
        "a@example.com",
        "Ann Bee",
        1,
    )
    assert record.created_at == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert record.groups == (GroupRef("1", 1, "Default"),)
    assert record.urn == f"urn:evershop:customer:customer:{UUID}"
    assert record.edit_url == f"https://shop.test/admin/customers/edit/{UUID}"
    assert record.update_api == record.delete_api == f"https://shop.test/api/customers/{UUID}"
    assert (record.addresses, record.metadata, record.missing) == ((), {}, frozenset({"addresses"}))
    nameless = mapping.customer(READ, "shop", "", item(fullName=None, group=None), True)
    assert (nameless.full_name, nameless.groups, nameless.missing) == (None, (), frozenset())


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"uuid": 5}, "customer.uuid"),
        ({"customerId": "12"}, "customer.customerId"),
        ({"customerId": True}, "customer.customerId"),
        ({"email": None}, "customer.email"),
        ({"fullName": 3}, "customer.fullName"),
        ({"status": 1.0}, "customer.status"),
        ({"createdAt": None}, "customer.createdAt"),
        ({"createdAt": {"value": "soon"}}, "customer.createdAt.value"),
        ({"group": []}, "customer.group"),
        ({"group": {"customerGroupId": "1", "groupName": "x"}}, "customer.group.customerGroupId"),
        # Two wrong values: the first checked is named, as before.
        ({"uuid": None, "email": None}, "customer.uuid"),
    ],
)
def test_a_wrong_value_is_a_bad_response_naming_it(changes: dict[str, Any], where: str) -> None:
    with pytest.raises(UpstreamBadResponse) as raised:
        mapping.customer(READ, "shop", "", item(**changes), False)
    assert raised.value.message.endswith(f"at {where}")


def test_customers_of_one_group_share_its_ref() -> None:
    known: mapping.GroupRefs = {}
    first, second = (
        mapping.customer(READ, "shop", "", item(uuid=u), False, known) for u in ("a", "b")
    )
    renamed = mapping.customer(
        READ, "shop", "", item(group={"customerGroupId": 1, "groupName": "VIP"}), False, known
    )
    assert first.groups[0] is second.groups[0]
    assert renamed.groups == (GroupRef("1", 1, "VIP"),)
    assert len(known) == 2
