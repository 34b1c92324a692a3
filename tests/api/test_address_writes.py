"""Address writes where the source has an address of the customer's own (issue 14, item 9):
Shoptet's and Ecwid's billing address, Flow Retail's primary address; EverShop's address routes
are not used, so an address there is refused by name.

Over HTTP through the gateway against one emulator of each kind; the oracle is what the emulator
stores afterwards, and what the gateway reads back.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.flow_fixtures import OSLO
from tests.api.kinds_fixtures import Shops, all_kinds

pytestmark = pytest.mark.anyio

FIELDS = """uuid nativeId fullName
  addresses { kind address1 address2 city postcode country { code } province { code name } }"""
CREATE = f"""mutation($source: String!, $input: CustomerCreateInput!) {{
  createCustomer(source: $source, input: $input) {{ {FIELDS} }} }}"""
UPDATE = f"""mutation($id: String!, $input: CustomerUpdateInput!) {{
  updateCustomer(id: $id, input: $input) {{ {FIELDS} }} }}"""
READ = f"""query($id: String) {{ customer(id: $id) {{ {FIELDS} }} }}"""


def _error(payload: dict[str, Any]) -> dict[str, Any]:
    (only,) = payload["errors"]
    extensions: dict[str, Any] = only["extensions"]
    return extensions


def _own(payload: dict[str, Any], kind: str) -> dict[str, Any]:
    customer = next(iter(payload["data"].values()))
    (address,) = [a for a in customer["addresses"] if a["kind"] == kind]
    return {
        "address1": address["address1"],
        "address2": address["address2"],
        "city": address["city"],
        "postcode": address["postcode"],
        "country": address["country"]["code"] if address["country"] else None,
        "province": address["province"]["code"] if address["province"] else None,
    }


async def test_shoptet_billing_address_is_written_part_by_part() -> None:
    async with all_kinds() as shops:
        region = next(r for r in shops.shoptet.region_objects() if r["countryCode"] == "CZ")
        created = await shops.run(
            CREATE,
            {
                "source": "shoptet-cz",
                "input": {
                    "email": "adresa@example.cz",
                    "fullName": "Adresa Nová",
                    "address": {
                        "address1": "Korunní 12",
                        "address2": "2. patro",
                        "city": "Praha",
                        "postcode": "120 00",
                        "countryCode": "cz",
                        "provinceCode": region["regionShortcut"].lower(),
                    },
                },
            },
        )
        assert "errors" not in created, created
        uuid = created["data"]["createCustomer"]["uuid"]
        updated = await shops.run(
            UPDATE, {"id": uuid, "input": {"address": {"city": "Brno", "postcode": "602 00"}}}
        )
        unknown = await shops.run(
            UPDATE, {"id": uuid, "input": {"address": {"provinceCode": "XX"}}}
        )
        read = await shops.run(READ, {"id": uuid})
    guid = created["data"]["createCustomer"]["nativeId"]
    stored = next(o for o in shops.shoptet.customer_objects() if o["guid"] == guid)
    billing = stored["billingAddress"]
    assert (billing["street"], billing["houseNumber"], billing["additional"]) == (
        "Korunní 12",
        None,
        "2. patro",
    )
    assert (billing["city"], billing["zip"], billing["countryCode"]) == ("Brno", "602 00", "CZ")
    assert (billing["regionName"], billing["regionShortcut"]) == (
        region["regionName"],
        region["regionShortcut"],
    )
    assert _own(created, "billing") == {
        "address1": "Korunní 12",
        "address2": "2. patro",
        "city": "Praha",
        "postcode": "120 00",
        "country": "CZ",
        "province": region["regionShortcut"],
    }
    assert _own(updated, "billing")["city"] == "Brno"
    assert _own(updated, "billing")["address1"] == "Korunní 12"  # untouched parts stay
    assert _own(read, "billing") == _own(updated, "billing")
    assert _error(unknown) == {
        "code": "UPSTREAM_REJECTED",
        "retryable": False,
        "source": "shoptet-cz",
        "field": "address.provinceCode",
    }


async def test_flow_primary_address_and_the_parts_it_has_not() -> None:
    async with all_kinds() as shops:
        created = await shops.run(
            CREATE,
            {
                "source": "flow-oslo",
                "input": {
                    "email": "adresse@example.no",
                    "fullName": "Kari Adresse",
                    "address": {
                        "address1": "Storgata 1",
                        "city": "Oslo",
                        "postcode": "0155",
                        "countryCode": "NO",
                    },
                },
            },
        )
        assert "errors" not in created, created
        uuid = created["data"]["createCustomer"]["uuid"]
        updated = await shops.run(UPDATE, {"id": uuid, "input": {"address": {"city": "Bergen"}}})
        second_line = await shops.run(
            UPDATE, {"id": uuid, "input": {"address": {"address2": "Leilighet 3"}}}
        )
        region = await shops.run(UPDATE, {"id": uuid, "input": {"address": {"provinceCode": "03"}}})
        sent = shops.flow_sent.bodies("PUT", created["data"]["createCustomer"]["nativeId"])
    stored = next(
        o
        for o in shops.flow.customer_objects(OSLO)
        if o["customerUid"] == created["data"]["createCustomer"]["nativeId"]
    )
    assert (stored["address"], stored["postalCode"], stored["city"], stored["countryCode"]) == (
        "Storgata 1",
        "0155",
        "Bergen",
        "NO",
    )
    assert sent == [{"city": "Bergen"}]  # a partial PUT of what changed
    assert _own(updated, "address") == {
        "address1": "Storgata 1",
        "address2": None,
        "city": "Bergen",
        "postcode": "0155",
        "country": "NO",
        "province": None,
    }
    for refused, field in ((second_line, "address.address2"), (region, "address.provinceCode")):
        assert _error(refused) == {
            "code": "UNSUPPORTED_OPERATION",
            "retryable": False,
            "source": "flow-oslo",
            "field": field,
        }


@pytest.mark.parametrize("source", ["ecwid-us", "ecwid-crm"])
async def test_ecwid_billing_address_without_a_name(source: str) -> None:
    async with all_kinds() as shops:
        created = await shops.run(
            CREATE,
            {
                "source": source,
                "input": {
                    "email": "address@example.com",
                    "address": {
                        "address1": "Main St 5",
                        "address2": "Suite 2",
                        "city": "Austin",
                        "postcode": "73301",
                        "countryCode": "US",
                        "provinceCode": "TX",
                    },
                },
            },
        )
        assert "errors" not in created, created
        uuid = created["data"]["createCustomer"]["uuid"]
        updated = await shops.run(
            UPDATE,
            {"id": uuid, "input": {"address": {"address2": "Suite 9", "provinceCode": "CA"}}},
        )
    shop = shops.ecwid if source == "ecwid-us" else shops.crm.ecwid
    native = int(created["data"]["createCustomer"]["nativeId"])
    stored = next(o for o in shop.customer_objects() if o["id"] == native)
    billing = stored["billingPerson"]
    assert billing["street"] == "Main St 5\nSuite 9"
    assert (billing["city"], billing["postalCode"], billing["countryCode"]) == (
        "Austin",
        "73301",
        "US",
    )
    assert billing["stateOrProvinceCode"] == "CA"
    assert "name" not in billing  # no name was given: Ecwid needs only the e-mail
    assert created["data"]["createCustomer"]["fullName"] is None
    assert _own(created, "billing") == {
        "address1": "Main St 5",
        "address2": "Suite 2",
        "city": "Austin",
        "postcode": "73301",
        "country": "US",
        "province": "TX",
    }
    assert _own(updated, "billing")["address2"] == "Suite 9"
    assert _own(updated, "billing")["province"] == "CA"


async def test_evershop_refuses_an_address_by_name_before_any_request() -> None:
    async with all_kinds() as shops:
        uuid = f"evershop-main:{shops.evershop.customer_rows()[0]['uuid']}"
        shops.reset()
        refused = await shops.run(UPDATE, {"id": uuid, "input": {"address": {"city": "Oslo"}}})
        empty = await shops.run(
            UPDATE, {"id": uuid.replace("evershop-main", "flow-oslo"), "input": {"address": {}}}
        )
        country = await shops.run(
            CREATE,
            {
                "source": "ecwid-us",
                "input": {"email": "x@example.com", "address": {"countryCode": "USA"}},
            },
        )
        sources = await shops.run("{ sources { name capabilities { writableFields } } }", {})
        requests = _requests(shops)
    assert _error(refused)["code"] == "UNSUPPORTED_OPERATION"
    assert _error(refused)["field"] == "address.city"
    assert _error(empty)["code"] == "BAD_USER_INPUT"
    assert _error(empty)["field"] == "address"
    assert _error(country) == {
        "code": "BAD_USER_INPUT",
        "retryable": False,
        "field": "address.countryCode",
    }
    assert requests == 0
    writable = {s["name"]: s["capabilities"]["writableFields"] for s in sources["data"]["sources"]}
    assert not any(f.startswith("address.") for f in writable["evershop-main"])
    assert "address.address2" not in writable["flow-oslo"]
    assert "address.provinceCode" in writable["shoptet-cz"]


def _requests(shops: Shops) -> int:
    return sum(
        emulator.request_count
        for emulator in (shops.evershop, shops.shoptet, shops.flow, shops.ecwid, shops.crm)
    )
