"""Shoptet sources through the whole gateway (Starlette app over ASGI), next to EverShop sources.

Oracles are the emulators' own data (`customer_objects()`, `customer_rows()`, ...), read
independently of the connector's mapping; upstream cost is counted at the emulators.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.text.collation import en_us_key
from tests.api.conftest import Gateway, evershop_source
from tests.api.faults import FaultyUpstream
from tests.api.shoptet_fixtures import (
    FakeClock,
    InFlight,
    ResultFault,
    main_account,
    shoptet_gateway,
    shoptet_source,
    shoptet_time,
)
from tests.api.test_evershop_admin import GRID_QUERY

pytestmark = pytest.mark.anyio

DETAIL_PATH = re.compile(r"^/api/customers/[0-9a-f-]{36}$")
LIST = """query($filters: [FilterInput]) {
  customers(filters: $filters) {
    total currentPage
    items { uuid nativeId customerId email fullName status createdAt { value } source { name kind } }
  }
}"""


def _evershop(customers: int = 12, seed: int = 1) -> EverShopEmulator:
    return EverShopEmulator(seed=seed, customers=customers)


def _shoptet(customers: int = 20, seed: int = 4, **options: Any) -> ShoptetEmulator:
    options.setdefault("job_seconds", 0.2)
    return ShoptetEmulator(seed=seed, customers=customers, **options)


def _filters(**values: str | int) -> list[dict[str, str]]:
    return [{"key": k, "operation": "eq", "value": str(v)} for k, v in values.items()]


def _sources(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {source["name"]: source for source in payload["extensions"]["sources"]}


def _details(emulator: ShoptetEmulator) -> list[str]:
    return [e.path for e in emulator.journal if e.method == "GET" and DETAIL_PATH.match(e.path)]


def _oracle(
    evershop: dict[str, EverShopEmulator], shoptet: dict[str, ShoptetEmulator]
) -> list[tuple[str, str | None, str | None]]:
    """(uuid, e-mail, createdAt.value) newest first over every source, as one database would
    sort them: nulls first when descending; equal times in configuration order, then in each
    source's own order."""
    rows: list[tuple[float | None, int, str, str | None]] = []
    position = 0
    for name, emulator in evershop.items():
        rows.extend(
            (row["created_at"].timestamp(), position, f"{name}:{row['uuid']}", row["email"])
            for row in emulator.customer_rows()
        )
        position += 1
    for name, shop in shoptet.items():
        for obj in shop.customer_objects():
            created = shoptet_time(obj["creationTime"])
            rows.append(
                (
                    created.timestamp() if created else None,
                    position,
                    f"{name}:{obj['guid']}",
                    main_account(obj)["email"],
                )
            )
        position += 1
    rows.sort(key=lambda row: (row[0] is not None, -(row[0] or 0.0), row[1]))
    return [
        (uuid, email, None if ts is None else str(int(round(ts * 1000))))
        for ts, _, uuid, email in rows
    ]


# -- reads ---------------------------------------------------------------------------------


async def test_customers_merge_evershop_and_shoptet_newest_first() -> None:
    evershop = {"evershop-main": _evershop(12)}
    shop = _shoptet(20, rate_limits=True, latency_seconds=0.005)
    # Imported customers without a registration time, and some in EverShop's years.
    shop.add_customer(email="import1@example.cz", fullName="Import Jedna", creationTime=None)
    shop.add_customer(email="import2@example.cz", fullName="Import Dva", creationTime=None)
    for index, when in enumerate(("2024-03-11T10:15:02+0100", "2024-09-01T08:00:00+0200")):
        shop.add_customer(email=f"novy{index}@example.cz", creationTime=when)
    shoptet = {"shoptet-cz": shop}
    expected = _oracle(evershop, shoptet)
    assert [row[2] for row in expected[:2]] == [None, None]
    async with shoptet_gateway(evershop, shoptet) as gateway:
        shop.reset_journal()
        payload = await gateway.query(LIST, {"filters": _filters(limit=100)})
        page_two = await gateway.query(LIST, {"filters": _filters(limit=10, page=2)})
    assert "errors" not in payload, payload["errors"]
    collection = payload["data"]["customers"]
    assert collection["total"] == 12 + 24
    got = [
        (item["uuid"], item["email"], item["createdAt"]["value"]) for item in collection["items"]
    ]
    assert got == expected
    assert [item["uuid"] for item in page_two["data"]["customers"]["items"]] == [
        row[0] for row in expected[10:20]
    ]
    kinds = {item["source"]["kind"] for item in collection["items"]}
    assert kinds == {"evershop", "shoptet"}
    objects = {o["guid"]: o for o in shop.customer_objects()}
    for item in collection["items"]:
        if item["source"]["name"] == "shoptet-cz":
            obj = objects[item["nativeId"]]
            assert item["customerId"] == int(obj["adminUrl"].split("?id=")[1])
            assert item["status"] == (0 if not main_account(obj)["authorized"] else 1)
            assert item["fullName"] == (
                obj["billingAddress"]["fullName"]
                or main_account(obj)["fullName"]
                or obj["billingAddress"]["company"]
            )
    report = _sources(payload)
    assert report["shoptet-cz"]["pushedDown"] == []
    assert report["shoptet-cz"]["appliedByGateway"] == ["sort created_at desc"]
    assert report["evershop-main"]["pushedDown"] == ["sort created_at desc"]
    assert report["evershop-main"]["appliedByGateway"] == []
    # One list request, then every shown Shoptet customer's detail (e-mail, status).
    assert report["shoptet-cz"]["requests"] == 1 + 24
    assert report["shoptet-cz"]["status"] == "ok"
    assert all(e.status == 200 for e in shop.journal)


async def test_email_filter_is_pushed_down_and_rechecked_exactly() -> None:
    evershop = {"evershop-main": _evershop(8)}
    shop = _shoptet(15)
    target = shop.customer_objects()[6]
    email = main_account(target)["email"]
    async with shoptet_gateway(evershop, {"shoptet-cz": shop}) as gateway:
        shop.reset_journal()
        exact = await gateway.query(
            LIST, {"filters": [{"key": "email", "operation": "eq", "value": email}]}
        )
        asked_exact = [httpx.QueryParams(e.query).get("email") for e in shop.journal]
        shop.reset_journal()
        other_case = await gateway.query(
            LIST, {"filters": [{"key": "email", "operation": "eq", "value": email.upper()}]}
        )
        asked_upper = [httpx.QueryParams(e.query).get("email") for e in shop.journal]
    items = exact["data"]["customers"]["items"]
    assert [item["uuid"] for item in items] == [f"shoptet-cz:{target['guid']}"]
    assert items[0]["email"] == email
    assert exact["data"]["customers"]["total"] == 1
    report = _sources(exact)["shoptet-cz"]
    assert report["pushedDown"] == ["email eq"]
    assert report["appliedByGateway"] == ["email eq", "sort created_at desc"]
    assert asked_exact[0] == email
    # Shoptet finds the customer whatever the case; the gateway's eq is exact.
    assert other_case["data"]["customers"] == {
        "total": 0,
        "currentPage": 1,
        "items": [],
    }
    assert asked_upper[0] == email.upper()
    assert len(asked_upper) == 2  # the list, then the one detail that tells the real e-mail
    assert _sources(other_case)["evershop-main"]["pushedDown"] == [
        "email eq",
        "sort created_at desc",
    ]


async def test_phone_filter_and_name_sort_over_a_shoptet_source() -> None:
    shop = _shoptet(12)
    phoned = shop.add_customer(email="tel@example.cz", fullName="Tel", phone="+420601222333")
    # No billing name: the customer reads as the login's name, not as the company.
    zofie = shop.add_customer(
        email="zofie@example.cz",
        fullName="Žofie Zemanová",
        billingAddress={"company": "AAA Obchod s.r.o.", "countryCode": "CZ"},
    )
    async with shoptet_gateway({"evershop-main": _evershop(4)}, {"shoptet-cz": shop}) as gateway:
        shop.reset_journal()
        by_phone = await gateway.query(
            LIST,
            {"filters": [{"key": "phone", "operation": "eq", "value": "+420 601-222-333"}]},
        )
        pushed = [httpx.QueryParams(e.query).get("phone") for e in shop.journal]
        by_name = await gateway.query(
            LIST, {"filters": _filters(source="shoptet-cz", ob="name", od="asc", limit=100)}
        )
    assert [i["uuid"] for i in by_phone["data"]["customers"]["items"]] == [
        f"shoptet-cz:{phoned['guid']}"
    ]
    assert pushed[0] == "+420601222333"
    assert _sources(by_phone)["shoptet-cz"]["pushedDown"] == ["phone eq"]
    names = [i["fullName"] for i in by_name["data"]["customers"]["items"]]
    assert len(names) == 14
    assert "Žofie Zemanová" in names
    assert "AAA Obchod s.r.o." not in names
    assert names == sorted(names, key=en_us_key)
    assert _sources(by_name)["shoptet-cz"]["appliedByGateway"] == ["sort name asc"]
    assert zofie["guid"] in {i["nativeId"] for i in by_name["data"]["customers"]["items"]}


async def test_evershop_admin_grid_shows_shoptet_customers_with_their_details() -> None:
    evershop = {"evershop-main": _evershop(10)}
    shop = _shoptet(30, rate_limits=True, max_connections_per_token=3, latency_seconds=0.01, seed=9)
    counted = InFlight(shop.app)
    async with shoptet_gateway(
        evershop, {"shoptet-cz": shop}, apps={"shoptet-cz": counted}
    ) as gateway:
        shop.reset_journal()
        payload = await gateway.query(GRID_QUERY, {"filters": _filters(page=1, limit=20)})
    assert "errors" not in payload
    items = payload["data"]["customers"]["items"]
    assert payload["data"]["customers"]["total"] == 40
    assert len(items) == 20
    objects = {o["guid"]: o for o in shop.customer_objects()}
    mine = [item for item in items if item["uuid"].startswith("shoptet-cz:")]
    assert 3 <= len(mine) < 20  # the grid's newest 20 hold both sources (seed 9 interleaves)
    for item in mine:
        obj = objects[item["uuid"].split(":", 1)[1]]
        account = main_account(obj)
        assert item["email"] == account["email"]
        assert item["status"] == (1 if account["authorized"] else 0)
        assert item["customerId"] == int(obj["adminUrl"].split("?id=")[1])
        assert item["editUrl"] == obj["adminUrl"]
        assert item["updateApi"] is None
    # Batched: one detail per Shoptet row on the page, none twice, at most 3 in flight.
    details = _details(shop)
    assert sorted(details) == sorted(f"/api/customers/{i['uuid'].split(':', 1)[1]}" for i in mine)
    assert [e.path for e in shop.journal if not DETAIL_PATH.match(e.path)] == ["/api/customers"]
    assert all(e.status == 200 for e in shop.journal)
    assert counted.peak == 3
    assert _sources(payload)["shoptet-cz"]["requests"] == 1 + len(mine)


CUSTOMER = """query($id: String) {
  customer(id: $id) {
    uuid nativeId customerId email fullName phone status editUrl urn metaData
    createdAt { value text } updatedAt { value }
    source { name kind }
    group { customerGroupId groupName uuid }
    groups { uuid }
    addresses { uuid kind fullName company address1 address2 city postcode isDefault
                country { code name } province { code name } }
  }
}"""


async def test_one_shoptet_customer_by_id() -> None:
    shop = _shoptet(5)
    added = shop.add_customer(
        email="jana@example.cz",
        fullName="Jana Nováková",
        phone="+420601222333",
        creationTime=None,
        customerGroupCode="vip",
        billingAddress={
            "fullName": "Jana Nováková",
            "street": "Korunní",
            "houseNumber": "12",
            "city": "Praha",
            "zip": "120 00",
            "countryCode": "CZ",
            "regionName": "Hlavní město Praha",
        },
        deliveryAddress=[{"street": "Hlavná", "city": "Košice", "countryCode": "SK"}],
        remark="Volat předem",
    )
    guid = added["guid"]
    async with shoptet_gateway({"evershop-main": _evershop(3)}, {"shoptet-cz": shop}) as gateway:
        shop.reset_journal()
        payload = await gateway.query(CUSTOMER, {"id": f"shoptet-cz:{guid}"})
        unknown = await gateway.query(
            CUSTOMER, {"id": "shoptet-cz:00000000-0000-1000-8000-000000000000"}
        )
        invalid = await gateway.query(CUSTOMER, {"id": "shoptet-cz:not a guid"})
    assert "errors" not in payload, payload
    obj = next(o for o in shop.customer_objects() if o["guid"] == guid)
    customer = payload["data"]["customer"]
    assert customer == {
        "uuid": f"shoptet-cz:{guid}",
        "nativeId": guid,
        "customerId": int(obj["adminUrl"].split("?id=")[1]),
        "email": "jana@example.cz",
        "fullName": "Jana Nováková",
        "phone": "+420601222333",
        "status": 1,
        "editUrl": obj["adminUrl"],
        "urn": f"urn:customer-gateway:shoptet:customer:shoptet-cz:{guid}",
        "metaData": {"remark": "Volat předem", "priceRatio": "1.0000", "disabledOrders": False},
        "createdAt": {"value": None, "text": None},
        "updatedAt": {
            "value": str(int(shoptet_time(obj["changeTime"]).timestamp() * 1000))  # type: ignore[union-attr]
        },
        "source": {"name": "shoptet-cz", "kind": "shoptet"},
        "group": {"customerGroupId": 3, "groupName": "VIP", "uuid": "shoptet-cz:3"},
        "groups": [{"uuid": "shoptet-cz:3"}],
        "addresses": [
            {
                "uuid": None,
                "kind": "billing",
                "fullName": "Jana Nováková",
                "company": None,
                "address1": "Korunní 12",
                "address2": None,
                "city": "Praha",
                "postcode": "120 00",
                "isDefault": None,
                "country": {"code": "CZ", "name": "Czech Republic"},
                "province": {"code": "PHA", "name": "Hlavní město Praha"},
            },
            {
                "uuid": obj["deliveryAddress"][0]["guid"],
                "kind": "delivery",
                "fullName": None,
                "company": None,
                "address1": "Hlavná",
                "address2": None,
                "city": "Košice",
                "postcode": None,
                "isDefault": True,
                "country": {"code": "SK", "name": "Slovakia"},
                "province": None,
            },
        ],
    }
    assert unknown["data"] == {"customer": None}
    assert "errors" not in unknown
    assert invalid["data"] == {"customer": None}
    # The group is embedded in the detail: one request for the customer, none for groups.
    assert [e.path for e in shop.journal] == [
        f"/api/customers/{guid}",
        "/api/customers/00000000-0000-1000-8000-000000000000",
    ]


# -- writes --------------------------------------------------------------------------------

CREATE = """mutation($source: String!, $input: CustomerCreateInput!) {
  createCustomer(source: $source, input: $input) {
    uuid nativeId email fullName phone status group { uuid groupName } } }"""
UPDATE = """mutation($id: String!, $input: CustomerUpdateInput!) {
  updateCustomer(id: $id, input: $input) {
    uuid email fullName phone status group { uuid groupName } } }"""
DELETE = "mutation($id: String!) { deleteCustomer(id: $id) { uuid nativeId source { name kind } } }"
CREATE_GROUP = """mutation($source: String!, $name: String!) {
  createCustomerGroup(source: $source, input: {groupName: $name}) {
    uuid nativeId customerGroupId groupName source { name } } }"""
UPDATE_GROUP = """mutation($id: String!, $name: String!) {
  updateCustomerGroup(id: $id, input: {groupName: $name}) { uuid groupName } }"""
DELETE_GROUP = "mutation($id: String!) { deleteCustomerGroup(id: $id) { uuid } }"


def _error(payload: dict[str, Any]) -> dict[str, Any]:
    assert len(payload["errors"]) == 1, payload["errors"]
    assert not any(payload["data"].values())
    extensions: dict[str, Any] = payload["errors"][0]["extensions"]
    return extensions


async def test_customer_mutations_on_shoptet() -> None:
    shop = _shoptet(6)
    taken = main_account(shop.customer_objects()[2])["email"]
    async with shoptet_gateway({"evershop-main": _evershop(3)}, {"shoptet-cz": shop}) as gateway:
        created = await gateway.query(
            CREATE,
            {
                "source": "shoptet-cz",
                "input": {
                    "email": "nova@example.cz",
                    "fullName": "Nová Zákaznice",
                    "phone": "+420777888999",
                    "groupId": "shoptet-cz:3",
                },
            },
        )
        assert "errors" not in created, created
        new = created["data"]["createCustomer"]
        updated = await gateway.query(
            UPDATE,
            {"id": new["uuid"], "input": {"email": "jina@example.cz", "status": 0, "groupId": "2"}},
        )
        read_back = await gateway.query(CUSTOMER, {"id": new["uuid"]})
        duplicate = await gateway.query(
            CREATE, {"source": "shoptet-cz", "input": {"email": taken, "fullName": "Dup"}}
        )
        password = await gateway.query(
            CREATE,
            {
                "source": "shoptet-cz",
                "input": {"email": "p@example.cz", "fullName": "P", "password": "secret-99"},
            },
        )
        default_group = await gateway.query(
            UPDATE, {"id": new["uuid"], "input": {"groupId": "shoptet-cz:1"}}
        )
        deleted = await gateway.query(DELETE, {"id": new["uuid"]})
        gone = await gateway.query(DELETE, {"id": new["uuid"]})
    assert new["uuid"] == f"shoptet-cz:{new['nativeId']}"
    assert {k: new[k] for k in ("email", "fullName", "phone", "status", "group")} == {
        "email": "nova@example.cz",
        "fullName": "Nová Zákaznice",
        "phone": "+420777888999",
        "status": 1,
        "group": {"uuid": "shoptet-cz:3", "groupName": "VIP"},
    }
    assert updated["data"]["updateCustomer"] == {
        "uuid": new["uuid"],
        "email": "jina@example.cz",
        "fullName": "Nová Zákaznice",
        "phone": "+420777888999",
        "status": 0,
        "group": {"uuid": "shoptet-cz:2", "groupName": "Registrovaní"},
    }
    assert read_back["data"]["customer"]["email"] == "jina@example.cz"
    assert _error(duplicate)["code"] == "CONFLICT"
    assert _error(duplicate)["field"] == "email"
    assert _error(password)["code"] == "UNSUPPORTED_OPERATION"
    assert _error(password)["field"] == "password"
    assert _error(default_group)["code"] == "UNSUPPORTED_OPERATION"
    assert deleted["data"]["deleteCustomer"] == {
        "uuid": new["uuid"],
        "nativeId": new["nativeId"],
        "source": {"name": "shoptet-cz", "kind": "shoptet"},
    }
    assert _error(gone)["code"] == "NOT_FOUND"
    assert new["nativeId"] not in {o["guid"] for o in shop.customer_objects()}
    assert len(shop.requests("POST", "/api/customers")) == 1  # the refused ones never posted


async def test_group_mutations_on_shoptet_and_evershop() -> None:
    shop = _shoptet(4)
    async with shoptet_gateway({"evershop-main": _evershop(3)}, {"shoptet-cz": shop}) as gateway:
        created = await gateway.query(CREATE_GROUP, {"source": "shoptet-cz", "name": "Partneři"})
        duplicate = await gateway.query(CREATE_GROUP, {"source": "shoptet-cz", "name": "vip"})
        renamed = await gateway.query(UPDATE_GROUP, {"id": "shoptet-cz:5", "name": "Partneři+"})
        listed = await gateway.query(
            '{ customerGroups(filters: [{key: "source", operation: eq, value: "shoptet-cz"}]) '
            "{ total items { uuid groupName } } }"
        )
        default = await gateway.query(DELETE_GROUP, {"id": "shoptet-cz:1"})
        unknown = await gateway.query(DELETE_GROUP, {"id": "shoptet-cz:99"})
        deleted = await gateway.query(DELETE_GROUP, {"id": "shoptet-cz:5"})
        evershop = await gateway.query(CREATE_GROUP, {"source": "evershop-main", "name": "X"})
    assert created["data"]["createCustomerGroup"] == {
        "uuid": "shoptet-cz:5",
        "nativeId": "5",
        "customerGroupId": 5,
        "groupName": "Partneři",
        "source": {"name": "shoptet-cz"},
    }
    assert _error(duplicate)["code"] == "CONFLICT"
    assert renamed["data"]["updateCustomerGroup"] == {
        "uuid": "shoptet-cz:5",
        "groupName": "Partneři+",
    }
    assert listed["data"]["customerGroups"]["total"] == 5
    assert "Partneři+" in {g["groupName"] for g in listed["data"]["customerGroups"]["items"]}
    assert _error(default)["code"] == "CONFLICT"
    assert _error(default)["source"] == "shoptet-cz"
    assert _error(unknown)["code"] == "NOT_FOUND"
    assert deleted["data"]["deleteCustomerGroup"] == {"uuid": "shoptet-cz:5"}
    assert _error(evershop)["code"] == "UNSUPPORTED_OPERATION"
    assert [g["id"] for g in shop.group_objects()] == [1, 2, 3, 4]
    assert len(shop.requests("POST", "/api/customers/groups")) == 1


# -- regions and changes -------------------------------------------------------------------

REGIONS = """query($source: String, $country: String) {
  regions(source: $source, countryCode: $country) {
    id nativeId name code countryCode source { name kind } } }"""


async def test_regions_of_two_shoptet_shops() -> None:
    shops = {"shoptet-cz": _shoptet(2), "shoptet-sk": _shoptet(2, seed=5)}
    async with shoptet_gateway({"evershop-main": _evershop(2)}, shops) as gateway:
        everything = await gateway.query(REGIONS)
        slovak = await gateway.query(REGIONS, {"source": "shoptet-sk", "country": "sk"})
        evershop = await gateway.query(REGIONS, {"source": "evershop-main"})
    expected = shops["shoptet-cz"].region_objects()
    assert "errors" not in everything
    assert everything["data"]["regions"] == [
        {
            "id": f"{name}:{r['id']}",
            "nativeId": str(r["id"]),
            "name": r["regionName"],
            "code": r["regionShortcut"],
            "countryCode": r["countryCode"],
            "source": {"name": name, "kind": "shoptet"},
        }
        for name in ("shoptet-cz", "shoptet-sk")
        for r in expected
    ]
    assert [r["code"] for r in slovak["data"]["regions"]] == [
        r["regionShortcut"] for r in expected if r["countryCode"] == "SK"
    ]
    assert {r["source"]["name"] for r in slovak["data"]["regions"]} == {"shoptet-sk"}
    assert evershop["data"] == {"regions": None}
    assert _error(evershop)["code"] == "UNSUPPORTED_OPERATION"


CHANGES = """query($since: String!, $type: CustomerChangeType, $page: Int, $limit: Int) {
  customerChanges(since: $since, changeType: $type, page: $page, limit: $limit) {
    total currentPage
    items { uuid nativeId changeType changedAt source { name kind } customer { email } }
  }
}"""


async def test_changes_across_evershop_and_two_shoptet_shops() -> None:
    clock = FakeClock()
    cz = _shoptet(6, clock=clock)
    sk = _shoptet(6, seed=5, clock=clock)
    since = datetime.fromtimestamp(clock.now, UTC).isoformat()
    evershop = {"evershop-main": _evershop(3), "evershop-outlet": _evershop(3, seed=2)}
    a, b = (f"shoptet-cz:{o['guid']}" for o in cz.customer_objects()[:2])
    c = f"shoptet-sk:{sk.customer_objects()[0]['guid']}"
    async with shoptet_gateway(evershop, {"shoptet-cz": cz, "shoptet-sk": sk}) as gateway:
        for uuid, change in ((a, "A1"), (c, "C1"), (b, "B1")):
            clock.advance(5)
            done = await gateway.query(UPDATE, {"id": uuid, "input": {"fullName": change}})
            assert "errors" not in done, done
        clock.advance(5)
        assert "errors" not in await gateway.query(DELETE, {"id": a})
        payload = await gateway.query(CHANGES, {"since": since})
        deletes = await gateway.query(CHANGES, {"since": since, "type": "DELETE"})
        second = await gateway.query(CHANGES, {"since": since, "page": 2, "limit": 2})
        one_shop = await gateway.query(
            'query($since: String!) { customerChanges(since: $since, source: "shoptet-sk") '
            "{ total items { uuid } } }",
            {"since": since},
        )
    start = clock.now - 20
    collection = payload["data"]["customerChanges"]
    assert [(i["uuid"], i["changeType"], i["changedAt"]) for i in collection["items"]] == [
        (c, "EDIT", _iso(start + 10)),
        (b, "EDIT", _iso(start + 15)),
        (a, "DELETE", _iso(start + 20)),
    ]
    assert collection["total"] == 3
    assert [i["customer"] for i in collection["items"]] == [
        {"email": main_account(sk.customer_objects()[0])["email"]},
        {"email": main_account(cz.customer_objects()[0])["email"]},
        None,
    ]
    assert {i["source"]["kind"] for i in collection["items"]} == {"shoptet"}
    errors = sorted(
        (e["extensions"]["source"], e["extensions"]["code"], tuple(e["path"]))
        for e in payload["errors"]
    )
    assert errors == [
        ("evershop-main", "UNSUPPORTED_OPERATION", ("customerChanges",)),
        ("evershop-outlet", "UNSUPPORTED_OPERATION", ("customerChanges",)),
    ]
    assert [i["uuid"] for i in deletes["data"]["customerChanges"]["items"]] == [a]
    assert [i["uuid"] for i in second["data"]["customerChanges"]["items"]] == [a]
    assert second["data"]["customerChanges"]["currentPage"] == 2
    assert one_shop["data"]["customerChanges"] == {"total": 1, "items": [{"uuid": c}]}
    assert "errors" not in one_shop


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


# -- exports -------------------------------------------------------------------------------

START = """mutation($sources: [String!]) { startCustomerExport(sources: $sources) {
  id status customers downloadUrl } }"""
STATUS = """query($id: ID!) { customerExport(id: $id) {
  id status customers createdAt completedAt downloadUrl
  sources { source { name kind } customers done errorCode errorMessage } } }"""


async def _finished_export(gateway: Gateway, sources: list[str] | None = None) -> dict[str, Any]:
    started = await gateway.query(START, {"sources": sources})
    assert "errors" not in started, started
    export_id = started["data"]["startCustomerExport"]["id"]
    assert started["data"]["startCustomerExport"]["status"] == "RUNNING"
    assert started["data"]["startCustomerExport"]["downloadUrl"] is None
    async with asyncio.timeout(10):
        while True:
            payload = await gateway.query(STATUS, {"id": export_id})
            export: dict[str, Any] = payload["data"]["customerExport"]
            if export["status"] != "RUNNING":
                return export
            await asyncio.sleep(0.05)


async def _download(gateway: Gateway, export: dict[str, Any]) -> list[dict[str, Any]]:
    response = await gateway.client.get(export["downloadUrl"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    text = gzip.decompress(response.content).decode()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


async def test_export_evershop_and_shoptet_to_gzip_json_lines() -> None:
    evershop = {"evershop-main": _evershop(7)}
    shop = _shoptet(25)
    shop.add_customer(email="bez.data@example.cz", creationTime=None)
    async with shoptet_gateway(evershop, {"shoptet-cz": shop}) as gateway:
        export = await _finished_export(gateway)
        documents = await _download(gateway, export)
        missing = await gateway.client.get("/exports/no-such-export")
    assert export["status"] == "COMPLETED"
    assert export["customers"] == 7 + 26 == len(documents)
    assert export["downloadUrl"] == f"/exports/{export['id']}"
    assert export["completedAt"] is not None
    assert [
        (s["source"]["name"], s["customers"], s["done"], s["errorCode"]) for s in export["sources"]
    ] == [
        ("evershop-main", 7, True, None),
        ("shoptet-cz", 26, True, None),
    ]
    assert missing.status_code == 404
    uuids = [d["uuid"] for d in documents]
    assert sorted(uuids) == sorted(
        [f"evershop-main:{r['uuid']}" for r in evershop["evershop-main"].customer_rows()]
        + [f"shoptet-cz:{o['guid']}" for o in shop.customer_objects()]
    )
    # Shoptet's part comes from its snapshot job: one webhook, one job, polled a few times.
    assert len(shop.requests("POST", "/api/webhooks")) == 1
    assert len(shop.requests("GET", "/api/customers/snapshot")) == 1
    assert len(shop.requests("GET", "/api-results/")) == 1
    assert not _details(shop)
    by_uuid = {d["uuid"]: d for d in documents}
    obj = shop.customer_objects()[0]
    account = main_account(obj)
    billing = obj["billingAddress"]
    assert by_uuid[f"shoptet-cz:{obj['guid']}"] == {
        "uuid": f"shoptet-cz:{obj['guid']}",
        "nativeId": obj["guid"],
        "source": {"name": "shoptet-cz", "kind": "shoptet"},
        "customerId": int(obj["adminUrl"].split("?id=")[1]),
        "email": account["email"],
        "fullName": billing["fullName"],
        "phone": account["phone"],
        "vatNumber": billing["vatId"],
        "companyName": billing["company"],
        "status": 1 if account["authorized"] else 0,
        "createdAt": _utc(obj["creationTime"]),
        "updatedAt": _utc(obj["changeTime"]),
        "groups": [
            {
                "uuid": f"shoptet-cz:{obj['customerGroup']['id']}",
                "nativeId": str(obj["customerGroup"]["id"]),
                "groupName": obj["customerGroup"]["name"],
            }
        ],
        "addresses": [
            {
                "kind": "billing",
                "fullName": billing["fullName"],
                "company": billing["company"],
                "address1": f"{billing['street']} {billing['houseNumber']}",
                "address2": billing["additional"],
                "city": billing["city"],
                "postcode": billing["zip"],
                "countryCode": billing["countryCode"],
                "provinceCode": billing["regionShortcut"],
                "provinceName": billing["regionName"],
                "telephone": None,
                "isDefault": None,
            },
            *(
                {
                    "kind": "delivery",
                    "fullName": d["fullName"],
                    "company": d["company"],
                    "address1": f"{d['street']} {d['houseNumber']}",
                    "address2": d["additional"],
                    "city": d["city"],
                    "postcode": d["zip"],
                    "countryCode": d["countryCode"],
                    "provinceCode": d["regionShortcut"],
                    "provinceName": d["regionName"],
                    "telephone": None,
                    "isDefault": d["isDefault"],
                }
                for d in obj["deliveryAddress"]
            ),
        ],
        "metaData": {
            key: value
            for key, value in {
                "remark": obj["remark"],
                "priceRatio": obj["priceRatio"],
                "birthDate": obj["birthDate"],
                "disabledOrders": obj["disabledOrders"],
                "priceList": obj["priceList"],
                "companyId": billing["companyId"],
                "vatId": billing["vatId"],
                "taxId": billing["taxId"],
            }.items()
            if value is not None
        },
    }
    nameless = next(d for d in documents if d["email"] == "bez.data@example.cz")
    assert (nameless["createdAt"], nameless["fullName"], nameless["addresses"]) == (None, None, [])
    row = evershop["evershop-main"].customer_rows()[0]
    assert by_uuid[f"evershop-main:{row['uuid']}"]["email"] == row["email"]


def _utc(text: str | None) -> str | None:
    moment = shoptet_time(text)
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_an_export_with_a_failing_source_is_incomplete_and_names_it() -> None:
    evershop = {"evershop-main": _evershop(6)}
    shop = _shoptet(9)
    faulty = FaultyUpstream(evershop["evershop-main"].app, status=503)
    async with shoptet_gateway(
        evershop, {"shoptet-cz": shop}, apps={"evershop-main": faulty}
    ) as gateway:
        export, only_evershop = await asyncio.gather(
            _finished_export(gateway), _finished_export(gateway, ["evershop-main"])
        )
        documents = await _download(gateway, export)
        refused = await gateway.client.get(f"/exports/{only_evershop['id']}")
    assert export["status"] == "INCOMPLETE"
    assert export["customers"] == 9 == len(documents)
    assert {d["source"]["name"] for d in documents} == {"shoptet-cz"}
    failed = [s for s in export["sources"] if s["errorCode"]]
    assert [(s["source"]["name"], s["errorCode"], s["done"]) for s in failed] == [
        ("evershop-main", "UPSTREAM_UNAVAILABLE", True)
    ]
    assert "evershop-main" in failed[0]["errorMessage"]
    assert only_evershop["status"] == "FAILED"
    assert only_evershop["downloadUrl"] is None
    assert refused.status_code == 409


async def test_a_source_failing_mid_stream_leaves_no_lines_in_the_export() -> None:
    """600 Shoptet records arrive, then a broken line: none of that source's lines may stay."""
    evershop = {"evershop-main": _evershop(5)}
    shop = _shoptet(600)
    broken = ResultFault(shop.app, "not-json", at=560)
    async with shoptet_gateway(
        evershop, {"shoptet-cz": shop}, apps={"shoptet-cz": broken}
    ) as gateway:
        export = await _finished_export(gateway)
        documents = await _download(gateway, export)
    assert export["status"] == "INCOMPLETE"
    assert {d["source"]["name"] for d in documents} == {"evershop-main"}
    assert export["customers"] == len(documents) == 5
    progress = {s["source"]["name"]: s for s in export["sources"]}
    assert progress["shoptet-cz"]["errorCode"] == "UPSTREAM_BAD_RESPONSE"


async def test_an_export_of_a_shoptet_source_without_a_webhook_says_why() -> None:
    shop = _shoptet(3)
    sources = (
        evershop_source("evershop-main", ev := _evershop(4)),
        shoptet_source("shoptet-cz", shop, options={}),
    )
    async with shoptet_gateway(
        {"evershop-main": ev}, {"shoptet-cz": shop}, sources=sources
    ) as gateway:
        export = await _finished_export(gateway)
    assert export["status"] == "INCOMPLETE"
    progress = {s["source"]["name"]: s for s in export["sources"]}
    assert progress["shoptet-cz"]["errorCode"] == "UNSUPPORTED_OPERATION"
    assert "webhook_url" in progress["shoptet-cz"]["errorMessage"]
    assert progress["evershop-main"]["customers"] == 4


# -- limits --------------------------------------------------------------------------------


async def test_a_full_shoptet_bucket_leaves_the_other_sources_data() -> None:
    evershop = {"evershop-main": _evershop(6)}
    # Two drops of room, draining one drop every 20 s: two requests fill it.
    shop = _shoptet(10, rate_limits=True, bucket_capacity=2, bucket_drain_per_second=0.05)
    async with shoptet_gateway(evershop, {"shoptet-cz": shop}) as gateway:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=shop.app), base_url="http://shoptet-cz.test"
        ) as other_client:  # another integration using the same token
            for _ in range(2):
                answer = await other_client.get(
                    "/api/customers/regions", headers={"Shoptet-Private-API-Token": shop.token}
                )
                assert answer.status_code == 200
        shop.reset_journal()
        payload = await gateway.query(LIST, {"filters": _filters(limit=50)})
    collection = payload["data"]["customers"]
    assert collection["total"] == 6
    assert {item["source"]["name"] for item in collection["items"]} == {"evershop-main"}
    assert len(payload["errors"]) == 1
    error = payload["errors"][0]
    assert error["path"] == ["customers"]
    extensions = error["extensions"]
    assert (extensions["code"], extensions["source"], extensions["retryable"]) == (
        "UPSTREAM_RATE_LIMITED",
        "shoptet-cz",
        True,
    )
    assert extensions["httpStatus"] == 429
    # Level 2 of 2: room for a drop once one has drained, in ~20 s (an HTTP date, rounded up).
    assert 18.0 <= extensions["retryAfter"] <= 21.0
    report = _sources(payload)
    assert report["shoptet-cz"]["status"] == "error"
    assert report["shoptet-cz"]["code"] == "UPSTREAM_RATE_LIMITED"
    assert report["evershop-main"]["status"] == "ok"
    assert [e.status for e in shop.journal] == [429]  # not retried into the same wall


async def test_two_shoptet_shops_and_evershop_in_one_list() -> None:
    evershop = {"evershop-main": _evershop(5)}
    shops = {"shoptet-cz": _shoptet(8), "shoptet-sk": _shoptet(7, seed=5)}
    async with shoptet_gateway(evershop, shops) as gateway:
        everything = await gateway.query(LIST, {"filters": _filters(limit=100)})
        vip_sk = await gateway.query(
            LIST,
            {
                "filters": [
                    {"key": "group", "operation": "eq", "value": "shoptet-sk:3"},
                    {"key": "limit", "operation": "eq", "value": "100"},
                ]
            },
        )
    got = [
        (i["uuid"], i["email"], i["createdAt"]["value"])
        for i in everything["data"]["customers"]["items"]
    ]
    assert got == _oracle(evershop, shops)
    assert everything["data"]["customers"]["total"] == 20
    vip = [
        f"shoptet-sk:{o['guid']}"
        for o in shops["shoptet-sk"].customer_objects()
        if o["customerGroup"]["id"] == 3
    ]
    assert sorted(i["uuid"] for i in vip_sk["data"]["customers"]["items"]) == sorted(vip)
    assert vip_sk["data"]["customers"]["total"] == len(vip)
    report = _sources(vip_sk)
    assert report["shoptet-sk"]["appliedByGateway"] == ["group eq", "sort created_at desc"]
    assert report["shoptet-cz"]["status"] == "skipped"
    assert report["evershop-main"]["status"] == "skipped"


async def test_orders_of_a_source_without_an_order_link_are_a_typed_error_naming_it() -> None:
    evershop = {"evershop-main": _evershop(3)}
    async with shoptet_gateway(evershop, {"shoptet-cz": _shoptet(3)}) as gateway:
        payload = await gateway.query(
            """{ customers(filters: [{key: "limit", operation: eq, value: "100"}]) {
                 items { uuid source { kind } orders { orderNumber } } } }"""
        )
    items = payload["data"]["customers"]["items"]
    assert {item["source"]["kind"] for item in items} == {"evershop", "shoptet"}
    for item in items:  # EverShop's customers answer; Shoptet's have null and an error
        assert item["orders"] == ([] if item["source"]["kind"] == "evershop" else None)
    [error] = payload["errors"]  # once for the source, at the first row it emptied
    assert error["extensions"]["code"] == "UNSUPPORTED_OPERATION"
    assert error["extensions"]["source"] == "shoptet-cz"
    assert "shoptet-cz" in error["message"]
    assert error["path"][-1] == "orders"
