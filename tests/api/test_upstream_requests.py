"""A page of customers with their groups costs a fixed number of upstream requests."""

from __future__ import annotations

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from tests.api.conftest import running_gateway

pytestmark = pytest.mark.anyio

PAGE = """{ customers(filters: [{key: "limit", operation: eq, value: "100"}]) {
  total items { uuid email fullName status group { customerGroupId groupName }
  addresses { city country { code name } } } } }"""


@pytest.mark.parametrize("size", [10, 100, 1000])
async def test_page_with_groups_costs_the_same_for_any_size(size: int) -> None:
    emulators = {
        "evershop-main": EverShopEmulator(seed=1, customers=size, rate_limits=False),
        "evershop-outlet": EverShopEmulator(seed=2, customers=size, rate_limits=False),
    }
    async with running_gateway(emulators) as gateway:
        await gateway.query(PAGE)  # first request also logs in (POST /api/user/tokens)
        gateway.reset_journals()
        payload = await gateway.query(PAGE)
    assert len(payload["data"]["customers"]["items"]) == min(100, 2 * size)
    assert all(item["group"] for item in payload["data"]["customers"]["items"])
    for emulator in emulators.values():
        assert [(e.method, e.path) for e in emulator.journal] == [("POST", "/api/admin/graphql")]


async def test_customer_lookups_in_one_request_are_batched() -> None:
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=20, rate_limits=False)}
    async with running_gateway(emulators) as gateway:
        uuids = [f"evershop-main:{r['uuid']}" for r in emulators["evershop-main"].customer_rows()]
        query = (
            "{ "
            + " ".join(
                f'c{i}: customer(id: "{uuid}") {{ email group {{ groupName }} }}'
                for i, uuid in enumerate(uuids[:15])
            )
            + " }"
        )
        await gateway.query("{ sources { name } }")
        gateway.reset_journals()
        payload = await gateway.query(query)
    assert all(payload["data"][f"c{i}"]["email"] for i in range(15))
    paths = [e.path for e in emulators["evershop-main"].journal]
    assert paths.count("/api/admin/graphql") == 1
