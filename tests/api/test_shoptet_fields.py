"""Shoptet's company and VAT id reach the user (read, filtered, written), the default group can be
chosen, a name is optional on create, and no group code is assumed (issue 14, item 8).

Over HTTP through the gateway (Starlette app over ASGI) against the Shoptet emulator; oracles are
the emulator's own customer objects (`billingAddress.company`, `billingAddress.vatId`).
"""

from __future__ import annotations

from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from tests.api.shoptet_fixtures import shoptet_gateway

pytestmark = pytest.mark.anyio

LIST = """query($f: [FilterInput]) { customers(filters: $f) {
  total items { uuid companyName vatNumber metaData } } }"""
CUSTOMER = """query($id: String) { customer(id: $id) {
  uuid email fullName companyName vatNumber metaData group { uuid groupName } } }"""
CREATE = """mutation($source: String!, $input: CustomerCreateInput!) {
  createCustomer(source: $source, input: $input) {
    uuid nativeId email fullName companyName vatNumber metaData group { uuid groupName } } }"""
UPDATE = """mutation($id: String!, $input: CustomerUpdateInput!) {
  updateCustomer(id: $id, input: $input) {
    uuid fullName companyName vatNumber metaData group { uuid } } }"""
CREATE_GROUP = """mutation($source: String!, $name: String!) {
  createCustomerGroup(source: $source, input: {groupName: $name}) { uuid } }"""


def _shop(customers: int = 80) -> ShoptetEmulator:
    return ShoptetEmulator(seed=4, customers=customers, job_seconds=0.2)


def _evershop() -> EverShopEmulator:
    return EverShopEmulator(seed=1, customers=3)


def _f(key: str, value: str, operation: str = "eq") -> dict[str, str]:
    return {"key": key, "operation": operation, "value": value}


def _billing(shop: ShoptetEmulator) -> dict[str, dict[str, Any]]:
    return {f"shoptet-cz:{o['guid']}": o["billingAddress"] for o in shop.customer_objects()}


def _error(payload: dict[str, Any]) -> dict[str, Any]:
    (only,) = payload["errors"]
    extensions: dict[str, Any] = only["extensions"]
    return extensions


async def test_company_and_vat_id_are_read_from_the_billing_address() -> None:
    shop = _shop()
    billing = _billing(shop)
    with_vat = [uuid for uuid, b in billing.items() if b["vatId"]]
    assert with_vat  # the seed has companies with a VAT id
    async with shoptet_gateway({}, {"shoptet-cz": shop}) as gateway:
        listed = await gateway.query(LIST, {"f": [_f("limit", "100")]})
        one = await gateway.query(CUSTOMER, {"id": with_vat[0]})
    assert "errors" not in listed, listed
    items = listed["data"]["customers"]["items"]
    assert len(items) == len(billing)
    for item in items:
        expected = billing[item["uuid"]]
        assert item["companyName"] == expected["company"]
        assert item["vatNumber"] == expected["vatId"]
        # metaData keeps the VAT id too: the two never disagree.
        assert item["metaData"].get("vatId") == expected["vatId"]
    customer = one["data"]["customer"]
    assert customer["vatNumber"] == billing[with_vat[0]]["vatId"]
    assert customer["companyName"] == billing[with_vat[0]]["company"]


async def test_vat_number_and_company_filters_find_shoptet_customers() -> None:
    shop = _shop()
    billing = _billing(shop)
    with_vat = sorted(uuid for uuid, b in billing.items() if b["vatId"])
    target = billing[with_vat[0]]["vatId"]
    spaced = " ".join([target[:2], target[2:6], target[6:]]).lower()
    companies = {uuid for uuid, b in billing.items() if b["company"] and "s.r.o" in b["company"]}
    assert companies
    async with shoptet_gateway({"evershop-main": _evershop()}, {"shoptet-cz": shop}) as gateway:
        exact = await gateway.query(LIST, {"f": [_f("vat_number", spaced), _f("limit", "50")]})
        three = ",".join(billing[uuid]["vatId"] for uuid in with_vat[:3])
        listed = await gateway.query(
            LIST, {"f": [_f("vat_number", three, "in"), _f("limit", "50")]}
        )
        company = await gateway.query(
            LIST, {"f": [_f("company_name", "S.R.O", "like"), _f("limit", "100")]}
        )
    assert "errors" not in exact, exact
    assert [i["uuid"] for i in exact["data"]["customers"]["items"]] == [
        uuid for uuid, b in billing.items() if b["vatId"] == target
    ]
    assert {i["uuid"] for i in listed["data"]["customers"]["items"]} == set(with_vat[:3])
    assert {i["uuid"] for i in company["data"]["customers"]["items"]} == companies
    sources = {s["name"]: s for s in company["extensions"]["sources"]}
    assert sources["shoptet-cz"]["appliedByGateway"][0] == "company_name like"
    # EverShop keeps no company: its customers cannot match, so it is not asked.
    assert sources["evershop-main"]["status"] == "skipped"
    assert sources["evershop-main"]["notes"] == [
        "evershop sources keep no company_name: no customer of it can match"
    ]


async def test_company_and_vat_id_are_written_and_a_name_is_optional() -> None:
    shop = _shop(40)
    czech = next(
        o
        for o in shop.customer_objects()
        if o["billingAddress"]["countryCode"] == "CZ"
        and o["billingAddress"]["vatId"]
        and o["billingAddress"]["taxId"] == o["billingAddress"]["vatId"]
    )
    async with shoptet_gateway({"evershop-main": _evershop()}, {"shoptet-cz": shop}) as gateway:
        created = await gateway.query(
            CREATE,
            {
                "source": "shoptet-cz",
                "input": {
                    "email": "firma@example.cz",
                    "companyName": "Nová Firma s.r.o.",
                    "vatNumber": "CZ12345678",
                },
            },
        )
        updated = await gateway.query(
            UPDATE,
            {
                "id": f"shoptet-cz:{czech['guid']}",
                "input": {"vatNumber": "CZ87654321", "companyName": "Přejmenovaná a.s."},
            },
        )
        evershop = await gateway.query(
            CREATE,
            {
                "source": "evershop-main",
                "input": {"email": "bez@example.com", "password": "secret-99"},
            },
        )
        sources = await gateway.query(
            "{ sources { name capabilities { createRequiresName writableFields } } }"
        )
    assert "errors" not in created, created
    new = created["data"]["createCustomer"]
    stored = next(o for o in shop.customer_objects() if o["guid"] == new["nativeId"])
    assert stored["billingAddress"]["company"] == "Nová Firma s.r.o."
    assert stored["billingAddress"]["vatId"] == "CZ12345678"
    assert stored["accounts"][0]["fullName"] is None  # no name was sent
    assert (new["companyName"], new["vatNumber"]) == ("Nová Firma s.r.o.", "CZ12345678")
    assert new["metaData"]["vatId"] == "CZ12345678"
    assert new["fullName"] == "Nová Firma s.r.o."  # the company, as Shoptet shows it
    assert "errors" not in updated, updated
    after = next(o for o in shop.customer_objects() if o["guid"] == czech["guid"])
    # A Czech tax id equal to the VAT id follows it (Shoptet refuses them apart).
    assert (after["billingAddress"]["vatId"], after["billingAddress"]["taxId"]) == (
        "CZ87654321",
        "CZ87654321",
    )
    assert after["billingAddress"]["company"] == "Přejmenovaná a.s."
    changed = updated["data"]["updateCustomer"]
    assert (changed["vatNumber"], changed["metaData"]["vatId"]) == ("CZ87654321", "CZ87654321")
    assert changed["companyName"] == "Přejmenovaná a.s."
    # EverShop needs a name (its own rule), and keeps no company.
    assert _error(evershop) == {"code": "BAD_USER_INPUT", "retryable": False, "field": "fullName"}
    caps = {s["name"]: s["capabilities"] for s in sources["data"]["sources"]}
    assert caps["shoptet-cz"]["createRequiresName"] is False
    assert caps["evershop-main"]["createRequiresName"] is True
    assert {"companyName", "vatNumber"} <= set(caps["shoptet-cz"]["writableFields"])
    assert "companyName" not in caps["evershop-main"]["writableFields"]


async def test_the_default_group_can_be_chosen_and_no_group_code_is_assumed() -> None:
    shop = _shop(10)
    async with shoptet_gateway({}, {"shoptet-cz": shop}) as gateway:
        default = await gateway.query(
            CREATE, {"source": "shoptet-cz", "input": {"email": "a@example.cz", "groupId": "1"}}
        )
        group = await gateway.query(CREATE_GROUP, {"source": "shoptet-cz", "name": "Partneři"})
        group_id = group["data"]["createCustomerGroup"]["uuid"]
        count = len(shop.customer_objects())
        shop.reset_journal()
        codeless = await gateway.query(
            CREATE,
            {"source": "shoptet-cz", "input": {"email": "b@example.cz", "groupId": group_id}},
        )
        moved = await gateway.query(
            UPDATE, {"id": default["data"]["createCustomer"]["uuid"], "input": {"groupId": "1"}}
        )
    assert "errors" not in default, default
    assert default["data"]["createCustomer"]["group"] == {
        "uuid": "shoptet-cz:1",
        "groupName": "Výchozí skupina",
    }
    # The new group has no code (the API promises none): it cannot be chosen, and since the
    # default group is known by now, nothing is sent.
    assert shop.group_objects()[-1]["customerGroupCode"] is None
    assert _error(codeless)["code"] == "UNSUPPORTED_OPERATION"
    assert _error(codeless)["field"] == "groupId"
    assert len(shop.customer_objects()) == count
    assert not shop.requests("POST", "/api/customers")
    assert _error(moved)["field"] == "groupId"  # an update moves by code only


async def test_a_codeless_group_found_out_by_the_answer_leaves_nothing_behind() -> None:
    shop = _shop(10)
    async with shoptet_gateway({}, {"shoptet-cz": shop}) as gateway:
        group = await gateway.query(CREATE_GROUP, {"source": "shoptet-cz", "name": "Partneři"})
        count = len(shop.customer_objects())
        shop.reset_journal()
        codeless = await gateway.query(
            CREATE,
            {
                "source": "shoptet-cz",
                "input": {
                    "email": "b@example.cz",
                    "groupId": group["data"]["createCustomerGroup"]["uuid"],
                },
            },
        )
    assert _error(codeless)["code"] == "UNSUPPORTED_OPERATION"
    assert "has none" in codeless["errors"][0]["message"]
    # Sent without a code, it landed in the default group: deleted again at once.
    writes = [(e.method, e.status) for e in shop.journal if e.method != "GET"]
    assert writes == [("POST", 201), ("DELETE", 200)]
    assert len(shop.customer_objects()) == count
