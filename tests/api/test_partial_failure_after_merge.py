"""Partial failure in every phase of a request: reads made after a list was merged.

A source that answered its list and then fails the reads that complete its rows (Shoptet's
details, Flow Retail's group names, a change's customer) costs only those rows' unread fields:
they answer null, with ONE error naming the source, and `extensions.sources` marks it. Over HTTP
against the emulators, with the emulators' own fault injection.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.server.settings import Timeouts
from tests.api.conftest import evershop_source
from tests.api.flow_fixtures import OSLO, flow_gateway, flow_source
from tests.api.shoptet_fixtures import FakeClock, main_account, shoptet_gateway, shoptet_source

pytestmark = pytest.mark.anyio

GRID = """query($filters: [FilterInput]) { customers(filters: $filters) {
  total
  items { uuid fullName email status createdAt { value } group { groupName }
          groups { groupName } addresses { city } }
} }"""
LIMIT_100 = [{"key": "limit", "operation": "eq", "value": "100"}]
FAST = Timeouts(connect=0.2, read=0.3, total=0.5)


def _sources(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {source["name"]: source for source in payload["extensions"]["sources"]}


def _break_details(shop: ShoptetEmulator, fault: str) -> None:
    """Every customer's detail read fails (the list itself still answers)."""
    for obj in shop.customer_objects():
        path = f"/api/customers/{obj['guid']}"
        if fault == "latency":
            shop.faults.add("latency", method="GET", path=path, seconds=1.0, times=None)
        else:
            shop.faults.add("status", method="GET", path=path, status=503, times=None)


@pytest.mark.parametrize(
    ("fault", "code"), [("latency", "UPSTREAM_TIMEOUT"), ("status", "UPSTREAM_UNAVAILABLE")]
)
async def test_shoptet_details_failing_after_the_merge_leave_the_page(
    fault: str, code: str
) -> None:
    evershop = EverShopEmulator(seed=1, customers=12)
    shop = ShoptetEmulator(seed=4, customers=20, job_seconds=0.2)
    sources = (
        evershop_source("evershop-main", evershop),
        shoptet_source("shoptet-cz", shop, timeouts=FAST, retries=0),
    )
    async with shoptet_gateway(
        {"evershop-main": evershop}, {"shoptet-cz": shop}, sources=sources
    ) as gateway:
        healthy = await gateway.query(GRID, {"filters": LIMIT_100})
        _break_details(shop, fault)
        # A new gateway: nothing of the healthy answer is cached.
    async with shoptet_gateway(
        {"evershop-main": evershop}, {"shoptet-cz": shop}, sources=sources
    ) as gateway:
        payload = await gateway.query(GRID, {"filters": LIMIT_100})

    assert "errors" not in healthy, healthy["errors"]
    collection = payload["data"]["customers"]
    assert collection is not None, payload
    assert collection["total"] == 32
    expected = healthy["data"]["customers"]["items"]
    # The same rows in the same order (the merge needs only what the lists carry).
    assert [item["uuid"] for item in collection["items"]] == [item["uuid"] for item in expected]
    for item, before in zip(collection["items"], expected, strict=True):
        if item["uuid"].startswith("evershop-main:"):
            assert item == before
        else:
            # What only the detail knows is null, never a placeholder; the list's own fields stay.
            assert item["email"] is None
            assert item["status"] is None
            assert item["group"] is None
            assert item["groups"] is None
            assert item["addresses"] is None
            assert item["createdAt"] == before["createdAt"]
    assert len(payload["errors"]) == 1, payload["errors"]
    error = payload["errors"][0]
    assert error["path"] == ["customers"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["source"] == "shoptet-cz"
    statuses = _sources(payload)
    assert statuses["evershop-main"]["status"] == "ok"
    assert statuses["shoptet-cz"]["status"] == "error"
    assert statuses["shoptet-cz"]["code"] == code


async def test_a_changes_customer_whose_source_fails_is_null_with_one_error() -> None:
    clock = FakeClock()
    shop = ShoptetEmulator(seed=4, customers=6, job_seconds=0.2, clock=clock)
    since = datetime.fromtimestamp(clock.now, UTC).isoformat()
    changed = shop.customer_objects()[:4]
    update = """mutation($id: String!, $name: String!) {
      updateCustomer(id: $id, input: {fullName: $name}) { uuid } }"""
    changes = """query($since: String!) { customerChanges(since: $since) {
      total items { uuid customer { email } } } }"""
    sources = (shoptet_source("shoptet-cz", shop, timeouts=FAST, retries=0),)
    async with shoptet_gateway({}, {"shoptet-cz": shop}, sources=sources) as gateway:
        for index, obj in enumerate(changed):
            clock.advance(5)
            done = await gateway.query(
                update, {"id": f"shoptet-cz:{obj['guid']}", "name": f"Změna {index}"}
            )
            assert "errors" not in done, done
        healthy = await gateway.query(changes, {"since": since})
    _break_details(shop, "status")
    async with shoptet_gateway({}, {"shoptet-cz": shop}, sources=sources) as gateway:
        payload = await gateway.query(changes, {"since": since})

    emails = {main_account(obj)["email"] for obj in changed}
    assert {i["customer"]["email"] for i in healthy["data"]["customerChanges"]["items"]} == emails
    feed = payload["data"]["customerChanges"]
    assert feed["total"] == 4
    assert [i["uuid"] for i in feed["items"]] == [
        i["uuid"] for i in healthy["data"]["customerChanges"]["items"]
    ]
    assert [i["customer"] for i in feed["items"]] == [None] * 4
    assert len(payload["errors"]) == 1, payload["errors"]
    error = payload["errors"][0]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["source"] == "shoptet-cz"
    assert error["path"][0] == "customerChanges"
    assert _sources(payload)["shoptet-cz"]["status"] == "error"


def _flow_groups_down(flow: FlowRetailEmulator) -> None:
    flow.faults.add("status", status=503, path=f"/v2/tenants/{OSLO}/customer-groups", times=None)


async def test_flow_group_names_failing_after_the_merge_leave_the_page() -> None:
    evershop = EverShopEmulator(seed=1, customers=10)
    flow = FlowRetailEmulator(seed=4, customers=15)
    _flow_groups_down(flow)
    sources = (
        evershop_source("evershop-main", evershop),
        flow_source("flow-oslo", flow, retries=0),
    )
    async with flow_gateway(
        {"evershop-main": evershop}, {"flow-oslo": flow}, sources=sources
    ) as gateway:
        payload = await gateway.query(GRID, {"filters": LIMIT_100})

    collection = payload["data"]["customers"]
    assert collection is not None, payload
    assert collection["total"] == 25
    items = collection["items"]
    assert len(items) == 25
    assert None not in items
    flow_rows = [item for item in items if item["uuid"].startswith("flow-oslo:")]
    assert len(flow_rows) == 15
    objects = {obj["customerUid"]: obj for obj in flow.customer_objects(OSLO)}
    grouped = 0
    for item in flow_rows:
        obj = objects[item["uuid"].removeprefix("flow-oslo:")]
        # The customer was read: only the group names, which need the group list, are unknown.
        assert item["email"] == obj["email"]
        assert item["group"] is None
        if obj.get("customerGroupUids"):
            grouped += 1
            assert item["groups"] is None
        else:
            assert item["groups"] == []  # known: in no group
    assert grouped > 0
    evershop_rows = [item for item in items if item["uuid"].startswith("evershop-main:")]
    assert all(item["group"] is not None for item in evershop_rows)
    assert len(payload["errors"]) == 1, payload["errors"]
    error = payload["errors"][0]
    assert error["path"][0] == "customers"
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["source"] == "flow-oslo"
    statuses = _sources(payload)
    assert statuses["evershop-main"]["status"] == "ok"
    assert statuses["flow-oslo"]["status"] == "error"


async def test_one_customer_whose_group_names_fail_keeps_its_fields() -> None:
    flow = FlowRetailEmulator(seed=4, customers=5)
    obj = next(o for o in flow.customer_objects(OSLO) if o.get("customerGroupUids"))
    _flow_groups_down(flow)
    query = """query($id: String) { customer(id: $id) {
      uuid email groups { groupName } group { groupName } } }"""
    sources = (flow_source("flow-oslo", flow, retries=0),)
    async with flow_gateway({}, {"flow-oslo": flow}, sources=sources) as gateway:
        payload = await gateway.query(query, {"id": f"flow-oslo:{obj['customerUid']}"})

    assert payload["data"]["customer"] == {
        "uuid": f"flow-oslo:{obj['customerUid']}",
        "email": obj["email"],
        "groups": None,
        "group": None,
    }
    assert len(payload["errors"]) == 1, payload["errors"]
    assert payload["errors"][0]["path"][0] == "customer"
    assert payload["errors"][0]["extensions"]["source"] == "flow-oslo"


async def test_store_views_failing_for_a_page_are_one_error() -> None:
    evershop = EverShopEmulator(seed=1, customers=4)
    flow = FlowRetailEmulator(seed=4, customers=8)
    store = flow.store_objects(OSLO)[0]["storeUid"]
    flow.faults.add("status", status=503, path=f"/v2/tenants/{OSLO}/stores/", times=None)
    query = """query($filters: [FilterInput], $store: String!) { customers(filters: $filters) {
      items { uuid email storeView(storeId: $store) { visitCount } } } }"""
    sources = (
        evershop_source("evershop-main", evershop),
        flow_source("flow-oslo", flow, retries=0),
    )
    filters = [*LIMIT_100, {"key": "source", "operation": "eq", "value": "flow-oslo"}]
    async with flow_gateway(
        {"evershop-main": evershop}, {"flow-oslo": flow}, sources=sources
    ) as gateway:
        payload = await gateway.query(query, {"filters": filters, "store": store})

    items = payload["data"]["customers"]["items"]
    assert len(items) == 8
    assert all(item["email"] and item["storeView"] is None for item in items)
    assert len(payload["errors"]) == 1, payload["errors"]
    error = payload["errors"][0]
    assert error["path"][0] == "customers"
    assert error["path"][-1] == "storeView"
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["source"] == "flow-oslo"
