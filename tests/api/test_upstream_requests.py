"""A page of customers with their groups costs a fixed number of upstream requests."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from customer_gateway.emulators.ecwid import EcwidEmulator, EcwidWrapperEmulator
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from tests.api.conftest import running_gateway
from tests.api.flow_fixtures import flow_source
from tests.api.test_ecwid_gateway import ecwid_gateway

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


FLOW_PAGE = """{ customers(filters: [{key: "limit", operation: eq, value: "50"}]) {
  items { uuid groups { groupName } group { groupName } } } }"""
FLOW = "/v2/tenants/tenant-oslo"


def _flow_gateway(**overrides: Any) -> tuple[FlowRetailEmulator, Any]:
    emulator = FlowRetailEmulator(seed=4, customers=60)
    return emulator, running_gateway(
        {"flow-oslo": emulator},  # type: ignore[dict-item]
        sources=(flow_source("flow-oslo", emulator, **overrides),),
    )


async def test_group_names_are_asked_for_next_to_the_customer_list() -> None:
    emulator, running = _flow_gateway()
    async with running as gateway:
        await gateway.query(FLOW_PAGE)
        gateway.reset_journals()
        # The customer list answers slowly: fetched after it, the groups would come back last.
        emulator.faults.add("latency", path=f"{FLOW}/customers", seconds=0.3, times=1)
        payload = await gateway.query(FLOW_PAGE)
    items = payload["data"]["customers"]["items"]
    assert any(item["groups"] for item in items)
    for item in items:
        first = [item["group"]["groupName"]] if item["group"] else []
        assert [g["groupName"] for g in item["groups"]][:1] == first
    assert [e.path for e in emulator.journal] == [f"{FLOW}/customer-groups", f"{FLOW}/customers"]
    names = {g["name"] for g in emulator.group_objects("tenant-oslo")}
    assert {g["groupName"] for item in items for g in item["groups"]} <= names


async def test_a_failed_group_list_is_an_error_only_when_it_was_needed() -> None:
    emulator, running = _flow_gateway(retries=0)
    async with running as gateway:
        emulator.faults.add("status", path=f"{FLOW}/customer-groups", status=503, times=2)
        # The list answers after the group list failed: that failure must not count.
        emulator.faults.add("latency", path=f"{FLOW}/customers", seconds=0.2, times=1)
        unneeded = await gateway.query(
            '{ customers(filters: [{key: "email", operation: eq, value: "nobody@example.com"}]) '
            "{ total items { group { groupName } } } }"
        )
        recovered = await gateway.query(FLOW_PAGE)  # the prefetch fails, the loader's call not
        emulator.faults.add("status", path=f"{FLOW}/customer-groups", status=503, times=2)
        failed = await gateway.query(FLOW_PAGE)
    assert "errors" not in unneeded
    assert unneeded["data"]["customers"]["total"] == 0
    assert [s["status"] for s in unneeded["extensions"]["sources"]] == ["ok"]
    assert "errors" not in recovered
    assert any(item["group"] for item in recovered["data"]["customers"]["items"])
    assert [s["status"] for s in recovered["extensions"]["sources"]] == ["ok"]
    assert failed["errors"][0]["extensions"]["source"] == "flow-oslo"
    assert failed["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert [s["status"] for s in failed["extensions"]["sources"]] == ["error"]
    assert failed["data"]["customers"]["items"]


Q2 = """query Q2($filters: [FilterInput]) {
  customers(filters: $filters) { total items { uuid fullName email group { groupName } } } }"""


@pytest.mark.parametrize("size", [1, 10, 50, 99, 100])
async def test_an_ecwid_page_with_groups_costs_one_request_per_source(size: int) -> None:
    """Issue 19: a page of N <= 100 with groups costs one request per Ecwid source (both
    dialects name each customer's group). Below 100 it holds the record after the page (does a
    tie cross the page's end?); at 100, Ecwid's cap, nothing after it: ties are settled within
    each 100 Ecwid pages by (bench/README.md, docs/queries.md)."""
    ecwid = EcwidEmulator(seed=5, customers=150)
    crm = EcwidWrapperEmulator(seed=6, customers=150)
    async with ecwid_gateway(ecwid=ecwid, crm=crm) as shops:
        for source, emulator in (("ecwid", ecwid), ("ecwid-crm", crm)):
            variables = {
                "filters": [
                    {"key": "source", "operation": "eq", "value": source},
                    {"key": "limit", "operation": "eq", "value": str(size)},
                ]
            }
            await shops.query(Q2, variables)
            shops.reset_journals()
            payload = await shops.query(Q2, variables)
            items = payload["data"]["customers"]["items"]
            assert len(items) == size
            assert all(item["group"]["groupName"] for item in items)
            # The wrapper forwards Ecwid's query string unchanged.
            sent = [dict(httpx.QueryParams(e.query)) for e in emulator.journal]
            assert [(q["offset"], q["limit"]) for q in sent] == [("0", str(min(size + 1, 100)))]
            assert len(emulator.journal) == 1, [e.path for e in emulator.journal]
            assert shops.evershop.journal == []
