"""Ecwid v3 emulator: seed data, `GET /customers` filters, sorting, paging, projections."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from customer_gateway.emulators.ecwid import EcwidEmulator

pytestmark = pytest.mark.anyio

BASE = "/api/v3/1003"
TOKEN = "secret_ecwid-sandbox-token"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$")
NOW = datetime(2025, 7, 15, 9, 30, tzinfo=UTC).timestamp()


class FakeClock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_emulator(**options: Any) -> EcwidEmulator:
    options.setdefault("clock", FakeClock())
    return EcwidEmulator(**options)


@asynccontextmanager
async def ecwid_client(
    emulator: EcwidEmulator, token: str | None = TOKEN
) -> AsyncIterator[httpx.AsyncClient]:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://app.ecwid.com", headers=headers
    ) as client:
        yield client


def stamp(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z").timestamp()


async def all_items(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = (await api.get(f"{BASE}/customers", params={**params, "offset": offset})).json()
        items.extend(page["items"])
        offset += page["count"]
        if page["count"] == 0 or offset >= page["total"]:
            return items


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for item in items]


# -- seed data -----------------------------------------------------------------------------------
def test_seed_is_deterministic_and_depends_on_the_seed() -> None:
    first, again, other = make_emulator(), make_emulator(), make_emulator(seed=2)
    assert first.customer_objects() == again.customer_objects()
    assert len(first.customer_objects()) == 250
    emails = {c["email"] for c in first.customer_objects()}
    other_ids = {c["id"] for c in other.customer_objects()}
    assert not {c["id"] for c in first.customer_objects()} & other_ids
    assert len(emails & {c["email"] for c in other.customer_objects()}) < 50


def test_seed_looks_like_a_real_mixed_store() -> None:
    customers = make_emulator().customer_objects()
    all_ids = [c["id"] for c in customers]
    assert len(set(all_ids)) == 250
    assert any(10_000_000 <= i < 1_000_000_000 for i in all_ids)
    assert any(i > 2**31 for i in all_ids)
    reference = datetime(2025, 6, 30, 12, tzinfo=UTC).timestamp()
    for customer in customers:
        assert DATE.match(customer["registered"])
        assert DATE.match(customer["updated"])
        assert stamp(customer["registered"]) <= stamp(customer["updated"]) < reference
    countries = {c["billingPerson"].get("countryCode") for c in customers if "billingPerson" in c}
    assert {"US", "GB", "DE", "NO", "IT"} <= countries
    assert any(len(c["shippingAddresses"]) >= 2 for c in customers)
    streets = [a["street"] for c in customers for a in c["shippingAddresses"]]
    assert any("\n" in street for street in streets)
    assert {c["customerGroupName"] for c in customers} == {"General", "VIP", "Wholesale", "B2B"}
    assert {c["acceptMarketing"] for c in customers} == {True, False, None}
    assert {c.get("b2b_b2c") for c in customers} == {"b2b", "b2c", None}
    assert any(c.get("taxId") for c in customers)
    assert any("fiscalCode" in c for c in customers)
    assert {t["type"] for c in customers for t in c.get("contacts", [])} == {"EMAIL", "PHONE"}
    for customer in customers:
        stats = customer["stats"]
        assert stats["numberOfOrders"] == customer["totalOrderCount"]
        assert set(stats) == {"numberOfOrders", "salesValue", "averageOrderValue"}


def test_guests_have_sparse_data() -> None:
    customers = make_emulator().customer_objects()
    guests = [c for c in customers if "contacts" not in c]
    assert len(guests) >= 10
    nameless = [g for g in guests if "name" not in g]
    named = [g for g in guests if "name" in g]
    assert nameless
    assert named
    for guest in nameless:
        assert "billingPerson" not in guest
    for guest in named:
        assert guest["billingPerson"] == {"name": guest["name"]}
    for guest in guests:
        assert guest["shippingAddresses"] == []
        assert guest["customerGroupId"] == 0
        assert "lang" not in guest
        assert "taxId" not in guest
        assert "b2b_b2c" not in guest
        assert guest["acceptMarketing"] in (None, False)


# -- listing, paging -----------------------------------------------------------------------------
async def test_default_page_is_ten_customers_by_name() -> None:
    emulator = make_emulator()
    async with ecwid_client(emulator) as api:
        response = await api.get(f"{BASE}/customers")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    page = response.json()
    assert (page["total"], page["count"], page["offset"], page["limit"]) == (250, 10, 0, 10)
    expected = sorted(
        emulator.customer_objects(), key=lambda c: (c.get("name", "").lower(), c["id"])
    )
    assert page["items"] == expected[:10]


async def test_offset_limit_and_the_maximum_of_100() -> None:
    emulator = make_emulator()
    async with ecwid_client(emulator) as api:
        window = (await api.get(f"{BASE}/customers", params={"offset": 5, "limit": 3})).json()
        everything = (await api.get(f"{BASE}/customers", params={"limit": 20})).json()
        capped = (await api.get(f"{BASE}/customers", params={"limit": 150})).json()
        past = (await api.get(f"{BASE}/customers", params={"offset": 400})).json()
        counting = (await api.get(f"{BASE}/customers", params={"limit": 0})).json()
        negative = await api.get(f"{BASE}/customers", params={"limit": -1})
        text = await api.get(f"{BASE}/customers", params={"offset": "abc"})
    assert window["items"] == everything["items"][5:8]
    assert (window["offset"], window["limit"], window["count"]) == (5, 3, 3)
    assert (capped["limit"], capped["count"], capped["total"]) == (100, 100, 250)
    assert (past["count"], past["items"], past["total"]) == (0, [], 250)
    assert (counting["count"], counting["items"], counting["total"]) == (0, [], 250)
    assert negative.status_code == 400
    assert "limit" in negative.json()["errorMessage"]
    assert text.status_code == 400
    assert "offset" in text.json()["errorMessage"]


async def test_limit_above_100_can_be_rejected_instead() -> None:
    async with ecwid_client(make_emulator(reject_limit_over_max=True)) as api:
        response = await api.get(f"{BASE}/customers", params={"limit": 101})
        ok = await api.get(f"{BASE}/customers", params={"limit": 100})
    assert response.status_code == 400
    assert response.json() == {
        "errorMessage": "Parameter 'limit' has invalid value '101': expected at most 100"
    }
    assert ok.json()["count"] == 100


SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "NAME": lambda c: (c.get("name", "").casefold(), c["id"]),
    "EMAIL": lambda c: (c["email"].casefold(), c["id"]),
    "ORDER_COUNT": lambda c: (c["totalOrderCount"], c["id"]),
    "REGISTERED_DATE": lambda c: (stamp(c["registered"]), c["id"]),
    "UPDATED_DATE": lambda c: (stamp(c["updated"]), c["id"]),
}


@pytest.mark.parametrize("field", list(SORTS))
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_every_sort_order(field: str, direction: str) -> None:
    emulator = make_emulator()
    async with ecwid_client(emulator) as api:
        items = await all_items(api, sortBy=f"{field}_{direction}", limit=100)
    expected = sorted(emulator.customer_objects(), key=SORTS[field], reverse=direction == "DESC")
    assert ids(items) == ids(expected)
    assert len(items) == 250


async def test_sort_spot_checks_and_unknown_sort() -> None:
    emulator = make_emulator()
    customers = emulator.customer_objects()
    async with ecwid_client(emulator) as api:
        most = (await api.get(f"{BASE}/customers", params={"sortBy": "ORDER_COUNT_DESC"})).json()
        newest = await api.get(f"{BASE}/customers", params={"sortBy": "REGISTERED_DATE_DESC"})
        bad = await api.get(f"{BASE}/customers", params={"sortBy": "AGE_ASC"})
    assert most["items"][0]["totalOrderCount"] == max(c["totalOrderCount"] for c in customers)
    assert newest.json()["items"][0]["id"] == max(c["id"] for c in customers)
    assert bad.status_code == 400
    assert "sortBy" in bad.json()["errorMessage"]


# -- filters -------------------------------------------------------------------------------------
async def test_keyword_searches_name_and_email() -> None:
    emulator = make_emulator()
    customers = emulator.customer_objects()
    async with ecwid_client(emulator) as api:
        by_surname = await all_items(api, keyword="hansen", limit=100)
        by_domain = await all_items(api, keyword="@WEB.DE", limit=100)
    assert ids(by_surname)
    assert set(ids(by_surname)) == {
        c["id"]
        for c in customers
        if "hansen" in c.get("name", "").lower() or "hansen" in c["email"].lower()
    }
    assert ids(by_domain)
    assert all(c["email"].endswith("@web.de") for c in by_domain)
    assert len(by_domain) == sum(c["email"].endswith("@web.de") for c in customers)


async def test_name_and_email_filters() -> None:
    emulator = make_emulator()
    target = next(c for c in emulator.customer_objects() if "name" in c)
    async with ecwid_client(emulator) as api:
        by_email = await api.get(f"{BASE}/customers", params={"email": target["email"].upper()})
        partial = await api.get(f"{BASE}/customers", params={"email": target["email"][:-2]})
        by_name = await all_items(api, name=target["name"].lower(), limit=100)
    assert ids(by_email.json()["items"]) == [target["id"]]
    assert partial.json()["total"] == 0
    assert target["id"] in ids(by_name)
    assert all(target["name"].lower() in c["name"].lower() for c in by_name)


async def test_group_filters() -> None:
    emulator = make_emulator()
    customers = emulator.customer_objects()
    vip, wholesale = (
        next(g["id"] for g in emulator.group_objects() if g["name"] == n)
        for n in ("VIP", "Wholesale")
    )
    async with ecwid_client(emulator) as api:
        one = await all_items(api, customerGroup=vip, limit=100)
        legacy = await all_items(api, groupId=vip, limit=100)
        listed = await all_items(api, customerGroupIds=f"0,{wholesale}", limit=100)
        both = await all_items(api, customerGroup=vip, customerGroupIds=f"{vip},{wholesale}")
        neither = (
            await api.get(
                f"{BASE}/customers", params={"customerGroup": vip, "customerGroupIds": "0"}
            )
        ).json()
        bad = await api.get(f"{BASE}/customers", params={"customerGroupIds": "1,x"})
    assert set(ids(one)) == {c["id"] for c in customers if c["customerGroupId"] == vip} != set()
    assert ids(legacy) == ids(one)
    assert all(c["customerGroupName"] == "VIP" for c in one)
    assert set(ids(listed)) == {
        c["id"] for c in customers if c["customerGroupId"] in (0, wholesale)
    }
    assert set(ids(both)) == set(ids(one))
    assert neither["total"] == 0
    assert bad.status_code == 400


async def test_order_count_and_sales_value_ranges() -> None:
    emulator = make_emulator()
    customers = emulator.customer_objects()
    async with ecwid_client(emulator) as api:
        counts = await all_items(api, minOrderCount=2, maxOrderCount=4, limit=100)
        sales = await all_items(api, minSalesValue="100.5", maxSalesValue=400, limit=100)
        bad = await api.get(f"{BASE}/customers", params={"minSalesValue": "lots"})
    assert set(ids(counts)) == {c["id"] for c in customers if 2 <= c["totalOrderCount"] <= 4}
    assert counts
    assert set(ids(sales)) == {
        c["id"] for c in customers if 100.5 <= c["stats"]["salesValue"] <= 400
    }
    assert sales
    assert bad.status_code == 400


async def test_purchased_products_and_marketing_and_b2b() -> None:
    emulator = make_emulator()
    buyer = emulator.add_customer(email="buyer@example.com", purchasedProductIds=[111, 222])
    other = emulator.add_customer(email="other@example.com", purchasedProductIds=[333])
    customers = emulator.customer_objects()
    async with ecwid_client(emulator) as api:
        bought = await all_items(api, purchasedProductIds="222,999")
        both = await all_items(api, purchasedProductIds="111, 333")
        may = await all_items(api, acceptMarketing="true", limit=100)
        may_not = await all_items(api, acceptMarketing="false", limit=100)
        b2b = await all_items(api, b2b_b2c="b2b", limit=100)
        bad = await api.get(f"{BASE}/customers", params={"acceptMarketing": "maybe"})
    assert ids(bought) == [buyer["id"]]
    assert set(ids(both)) == {buyer["id"], other["id"]}
    assert set(ids(may)) == {c["id"] for c in customers if c["acceptMarketing"] is not False}
    assert set(ids(may_not)) == {c["id"] for c in customers if c["acceptMarketing"] is False}
    assert set(ids(b2b)) == {c["id"] for c in customers if c.get("b2b_b2c") == "b2b"} != set()
    assert bad.status_code == 400


async def test_italian_e_invoicing_filters() -> None:
    emulator = make_emulator()
    italian = next(c for c in emulator.customer_objects() if "electronicInvoiceSdiCode" in c)
    async with ecwid_client(emulator) as api:
        fiscal = await all_items(api, fiscalCode=italian["fiscalCode"])
        pec = await all_items(
            api, electronicInvoicePecEmail=italian["electronicInvoicePecEmail"].upper()
        )
        sdi = await all_items(api, electronicInvoiceSdiCode=italian["electronicInvoiceSdiCode"])
    assert italian["id"] in ids(fiscal)
    assert all(c["fiscalCode"] == italian["fiscalCode"] for c in fiscal)
    assert italian["id"] in ids(pec)
    assert ids(sdi) == [italian["id"]]


async def test_date_filters_take_unix_seconds_and_dates() -> None:
    emulator = make_emulator()
    customers = emulator.customer_objects()
    start = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    end = datetime(2021, 1, 1, tzinfo=UTC).timestamp()
    in_2020 = {c["id"] for c in customers if start <= stamp(c["registered"]) <= end}
    updated_since = {c["id"] for c in customers if stamp(c["updated"]) >= end}
    async with ecwid_client(emulator) as api:
        unix = await all_items(api, createdFrom=int(start), createdTo=int(end), limit=100)
        dates = await all_items(
            api, createdFrom="2020-01-01", createdTo="2021-01-01 00:00:00 +0000"
        )
        zoned = await all_items(api, createdFrom="2020-01-01 01:00:00 +0100", createdTo=int(end))
        since = await all_items(api, updatedFrom=int(end), limit=100)
        until = await all_items(api, updatedTo=int(end), limit=100)
        bad = await api.get(f"{BASE}/customers", params={"updatedFrom": "yesterday"})
    assert in_2020
    assert set(ids(unix)) == in_2020
    assert set(ids(dates)) == in_2020 == set(ids(zoned))
    assert set(ids(since)) == updated_since
    assert len(since) + len(until) == 250
    assert bad.status_code == 400
    assert "updatedFrom" in bad.json()["errorMessage"]


# -- projections and single customers ------------------------------------------------------------
async def test_response_fields_trim_the_json() -> None:
    emulator = make_emulator()
    target = next(c for c in emulator.customer_objects() if "billingPerson" in c)
    async with ecwid_client(emulator) as api:
        listed = (
            await api.get(f"{BASE}/customers", params={"responseFields": "total,items(id,email)"})
        ).json()
        nested = (
            await api.get(
                f"{BASE}/customers/{target['id']}",
                params={"responseFields": "id, billingPerson(name,countryCode)"},
            )
        ).json()
        bad = await api.get(f"{BASE}/customers", params={"responseFields": "items(id"})
    assert set(listed) == {"total", "items"}
    assert listed["total"] == 250
    assert all(set(item) == {"id", "email"} for item in listed["items"])
    assert nested == {
        "id": target["id"],
        "billingPerson": {
            k: v for k, v in target["billingPerson"].items() if k in ("name", "countryCode")
        },
    }
    assert bad.status_code == 400
    assert "responseFields" in bad.json()["errorMessage"]


async def test_get_one_customer_and_404s() -> None:
    emulator = make_emulator()
    target = max(emulator.customer_objects(), key=lambda c: len(c["shippingAddresses"]))
    async with ecwid_client(emulator) as api:
        found = await api.get(f"{BASE}/customers/{target['id']}")
        missing = await api.get(f"{BASE}/customers/12345")
        junk = await api.get(f"{BASE}/customers/abc")
    assert found.status_code == 200
    assert found.json() == target
    address = found.json()["shippingAddresses"][0]
    assert {
        "id",
        "street",
        "city",
        "countryCode",
        "createdDate",
        "defaultAddress",
        "orderBy",
        "addressFormatted",
    } <= set(address)
    assert address["defaultAddress"] is True
    assert address["orderBy"] == 0
    assert DATE.match(address["createdDate"])
    assert missing.status_code == 404
    assert missing.json() == {"errorMessage": "Customer with id 12345 not found"}
    assert junk.status_code == 404
