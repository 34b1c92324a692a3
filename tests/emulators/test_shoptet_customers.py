"""Shoptet emulator: customer endpoints, auth, seed data (README 1.1, 1.4-1.7)."""

from __future__ import annotations

import random
import re
import time
from typing import Any

import pytest

from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.emulators.shoptet.formats import format_datetime, parse_datetime
from customer_gateway.emulators.shoptet.payloads import ShoptetError
from customer_gateway.emulators.shoptet.seed import REFERENCE_TIME

from .test_shoptet_contract import TOKEN, FakeClock, contract_client, make_emulator

pytestmark = pytest.mark.anyio

SHOPTET_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]00$")


def _errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(error["errorCode"], error["instance"]) for error in body["errors"]]


async def test_list_pages_summaries_in_registration_order() -> None:
    emulator = make_emulator(customers=45)
    async with contract_client(emulator) as api:
        response = await api.get("/api/customers", params={"page": 3, "itemsPerPage": 20})
        everyone = await api.get("/api/customers", params={"itemsPerPage": 45})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["paginator"] == {
        "totalCount": 45,
        "page": 3,
        "pageCount": 3,
        "itemsOnPage": 5,
        "itemsPerPage": 20,
    }
    ids = [int(item["adminUrl"].rsplit("=", 1)[1]) for item in data["customers"]]
    assert ids == [41, 42, 43, 44, 45]
    assert set(data["customers"][0]) == {
        "guid",
        "creationTime",
        "changeTime",
        "billCompany",
        "billFullName",
        "adminUrl",
    }
    assert data["customers"][0]["adminUrl"] == (
        "https://www.example-shop.cz/admin/zakaznici-detail?id=41"
    )
    summaries = everyone.json()["data"]["customers"]
    assert summaries[40:] == data["customers"]
    assert summaries == [
        {
            "guid": c["guid"],
            "creationTime": c["creationTime"],
            "changeTime": c["changeTime"],
            "billCompany": c["billingAddress"]["company"],
            "billFullName": c["billingAddress"]["fullName"],
            "adminUrl": c["adminUrl"],
        }
        for c in emulator.customer_objects()
    ]
    assert any(c["billCompany"] for c in summaries)


async def test_items_per_page_defaults_to_20_and_is_capped_at_1000() -> None:
    emulator = make_emulator(customers=1200)
    async with contract_client(emulator) as api:
        default = (await api.get("/api/customers")).json()["data"]["paginator"]
        capped = (await api.get("/api/customers", params={"itemsPerPage": 5000})).json()["data"]
        bad = await api.get("/api/customers", params={"page": 0})
    assert (default["itemsPerPage"], default["itemsOnPage"], default["pageCount"]) == (20, 20, 60)
    assert capped["paginator"]["itemsPerPage"] == 1000
    assert len(capped["customers"]) == 1000
    assert capped["paginator"]["pageCount"] == 2
    assert bad.status_code == 422
    assert _errors(bad.json()) == [("invalid-request-data", "page")]


async def test_email_filter_is_exact_and_case_insensitive() -> None:
    emulator = make_emulator(customers=300)
    target = emulator.customer_objects()[7]
    email = target["accounts"][0]["email"]
    async with contract_client(emulator) as api:
        exact = await api.get("/api/customers", params={"email": email.upper()})
        partial = await api.get("/api/customers", params={"email": email[:-3]})
    assert [c["guid"] for c in exact.json()["data"]["customers"]] == [target["guid"]]
    assert exact.json()["data"]["paginator"]["totalCount"] == 1
    assert partial.json()["data"]["customers"] == []


async def test_phone_filter_matches_generated_and_created_customers() -> None:
    emulator = make_emulator(customers=300)
    target = next(c for c in emulator.customer_objects() if c["accounts"][0]["phone"])
    added = emulator.add_customer(email="telefon@example.cz", phone="+420 777 123 456")
    async with contract_client(emulator) as api:
        generated = await api.get(
            "/api/customers", params={"phone": target["accounts"][0]["phone"]}
        )
        created = await api.get("/api/customers", params={"phone": "+420777123456"})
    assert [c["guid"] for c in generated.json()["data"]["customers"]] == [target["guid"]]
    assert [c["guid"] for c in created.json()["data"]["customers"]] == [added["guid"]]


async def test_detail_is_the_full_customer_and_404_names_the_guid() -> None:
    emulator = make_emulator()
    expected = emulator.customer_objects()[3]
    missing = "157e7215-9035-11e4-a769-ac162d8a2454"
    async with contract_client(emulator) as api:
        found = await api.get(f"/api/customers/{expected['guid']}")
        absent = await api.get(f"/api/customers/{missing}")
    assert found.json()["data"]["customer"] == expected
    assert absent.status_code == 404
    assert absent.json()["data"] is None
    assert absent.json()["errors"] == [
        {
            "errorCode": "customer-not-found",
            "message": f'Customer with guid "{missing}" not found.',
            "instance": missing,
        }
    ]


async def test_create_returns_the_full_customer_and_appends_it_to_the_list() -> None:
    clock = FakeClock()
    emulator = make_emulator(customers=30, clock=clock)
    body = {
        "data": {
            "account": {
                "email": "jana.dvorakova@example.cz",
                "fullName": "Jana Dvořáková",
                "phone": "+420601222333",
            },
            "billingAddress": {
                "fullName": "Jana Dvořáková",
                "street": "Korunní",
                "houseNumber": "12",
                "city": "Zlín",
                "zip": "760 01",
                "countryCode": "CZ",
                "regionName": "Zlínský kraj",
            },
            "customerGroupCode": "vip",
            "birthDate": "1988-04-02",
        }
    }
    async with contract_client(emulator) as api:
        response = await api.post("/api/customers", json=body)
        last = await api.get("/api/customers", params={"page": 2, "itemsPerPage": 30})
    assert response.status_code == 201
    customer = response.json()["data"]["customer"]
    assert customer["customerGroup"] == {"id": 3, "name": "VIP"}
    assert customer["billingAddress"]["regionShortcut"] == "ZLK"
    assert customer["birthDate"] == "1988-04-02"
    assert customer["priceRatio"] == "1.0000"
    assert customer["creationTime"] == customer["changeTime"] == format_datetime(clock.now)
    assert customer["adminUrl"].endswith("?id=31")
    assert customer["accounts"] == [
        {
            "guid": customer["accounts"][0]["guid"],
            "fullName": "Jana Dvořáková",
            "email": "jana.dvorakova@example.cz",
            "phone": "+420601222333",
            "mainAccount": True,
            "authorized": True,
            "emailVerified": False,
        }
    ]
    assert [c["guid"] for c in last.json()["data"]["customers"]] == [customer["guid"]]
    assert last.json()["data"]["paginator"]["totalCount"] == 31


async def test_create_reports_every_schema_violation_by_json_path() -> None:
    emulator = make_emulator()
    async with contract_client(emulator) as api:
        unknown = await api.post(
            "/api/customers",
            json={"data": {"account": {"email": "a@example.cz", "nick": "x"}, "foo": 1}},
        )
        missing = await api.post("/api/customers", json={"data": {"account": {"phone": ""}}})
        not_json = await api.post("/api/customers", content=b"{data:")
    assert unknown.status_code == 422
    assert sorted(_errors(unknown.json())) == [
        ("invalid-request-data", "data.account.nick"),
        ("invalid-request-data", "data.foo"),
    ]
    assert sorted(_errors(missing.json())) == [
        ("invalid-request-data", "data.account.email"),
        ("invalid-request-data", "data.account.phone"),
    ]
    assert _errors(not_json.json()) == [("invalid-request-data", "payload")]


async def test_create_checks_business_rules() -> None:
    emulator = make_emulator()
    data = {
        "account": {"email": "firma@example.cz"},
        "customerGroupCode": "neexistuje",
        "birthDate": "1990-13-01",
        "billingAddress": {"countryCode": "CZ", "vatId": "CZ12345678", "taxId": "CZ87654321"},
    }
    async with contract_client(emulator) as api:
        response = await api.post("/api/customers", json={"data": data})
    assert response.status_code == 422
    body = response.json()
    assert sorted(_errors(body)) == [
        ("invalid-request-data", "data.billingAddress.taxId"),
        ("invalid-request-data", "data.birthDate"),
        ("invalid-request-data", "data.customerGroupCode"),
    ]
    assert 'Customer group with code "neexistuje" does not exist.' in [
        e["message"] for e in body["errors"]
    ]


@pytest.mark.parametrize("status", [422, 409])
async def test_a_duplicate_email_answers_the_configured_status(status: int) -> None:
    emulator = make_emulator(duplicate_email_status=status)
    taken = emulator.customer_objects()[0]["accounts"][0]["email"]
    async with contract_client(emulator) as api:
        response = await api.post(
            "/api/customers", json={"data": {"account": {"email": taken.upper()}}}
        )
    assert response.status_code == status
    assert response.json()["errors"][0]["instance"] == "data.account.email"
    assert len(emulator.customer_objects()) == 200


async def test_patch_merges_the_billing_address_and_moves_the_group() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    before = emulator.customer_objects()[5]
    clock.advance(3600)
    patch = {
        "billingAddress": {"street": "Nová", "countryCode": "CZ", "regionName": "kraj vysočina"},
        "customerGroupCode": "velkoobchod",
        "remark": "Platí fakturou",
    }
    async with contract_client(emulator) as api:
        response = await api.patch(f"/api/customers/{before['guid']}", json={"data": patch})
        empty = await api.patch(f"/api/customers/{before['guid']}", json={"data": {}})
        missing = await api.patch("/api/customers/nope", json={"data": {"foo": 1}})
    after = response.json()["data"]["customer"]
    assert after["billingAddress"]["street"] == "Nová"
    assert after["billingAddress"]["city"] == before["billingAddress"]["city"]
    assert after["billingAddress"]["regionShortcut"] == "VYS"
    assert after["customerGroup"] == {"id": 4, "name": "Velkoobchod"}
    assert after["remark"] == "Platí fakturou"
    assert after["accounts"] == before["accounts"]
    assert after["creationTime"] == before["creationTime"]
    assert after["changeTime"] == format_datetime(clock.now)
    assert emulator.customer_objects()[5] == after
    assert _errors(empty.json()) == [("invalid-request-data", "data")]
    assert (missing.status_code, _errors(missing.json())) == (404, [("customer-not-found", "nope")])


async def test_login_changes_go_through_the_account_endpoint() -> None:
    emulator = make_emulator()
    customer = emulator.customer_objects()[2]
    other_email = emulator.customer_objects()[3]["accounts"][0]["email"]
    old_email = customer["accounts"][0]["email"]
    account_url = f"/api/customers/{customer['guid']}/accounts/{customer['accounts'][0]['guid']}"
    async with contract_client(emulator) as api:
        listed = await api.get(f"/api/customers/{customer['guid']}/accounts")
        changed = await api.patch(account_url, json={"data": {"email": "novy@example.cz"}})
        by_new = await api.get("/api/customers", params={"email": "NOVY@example.cz"})
        by_old = await api.get("/api/customers", params={"email": old_email})
        duplicate = await api.patch(account_url, json={"data": {"email": other_email}})
        demote = await api.patch(account_url, json={"data": {"mainAccount": False}})
        unknown = await api.patch(
            f"/api/customers/{customer['guid']}/accounts/x", json={"data": {"phone": "1"}}
        )
    assert listed.json()["data"]["paginator"]["itemsPerPage"] == 1000
    assert listed.json()["data"]["accounts"] == customer["accounts"]
    assert changed.json()["data"]["account"]["email"] == "novy@example.cz"
    assert [c["guid"] for c in by_new.json()["data"]["customers"]] == [customer["guid"]]
    assert by_old.json()["data"]["customers"] == []
    assert _errors(duplicate.json()) == [("invalid-request-data", "data.email")]
    assert _errors(demote.json()) == [("invalid-request-data", "data.mainAccount")]
    assert (unknown.status_code, unknown.json()["errors"][0]["errorCode"]) == (
        404,
        "customer-account-not-found",
    )


async def test_delete_removes_the_customer_and_shifts_later_pages() -> None:
    emulator = make_emulator(customers=10)
    customers = emulator.customer_objects()
    async with contract_client(emulator) as api:
        deleted = await api.delete(f"/api/customers/{customers[1]['guid']}")
        again = await api.delete(f"/api/customers/{customers[1]['guid']}")
        detail = await api.get(f"/api/customers/{customers[1]['guid']}")
        page = await api.get("/api/customers", params={"page": 1, "itemsPerPage": 3})
    assert (deleted.status_code, deleted.json()["data"], deleted.json()["errors"]) == (
        200,
        None,
        None,
    )
    assert again.status_code == detail.status_code == 404
    assert [c["guid"] for c in page.json()["data"]["customers"]] == [
        customers[0]["guid"],
        customers[2]["guid"],
        customers[3]["guid"],
    ]
    assert page.json()["data"]["paginator"]["totalCount"] == 9


async def test_authentication_headers_and_errors() -> None:
    emulator = make_emulator()
    async with contract_client(emulator, token=None) as api:
        missing = await api.get("/api/customers")
        wrong = await api.get("/api/customers", headers={"Shoptet-Private-API-Token": "nope"})
        addon = await api.get("/api/customers", headers={"Shoptet-Access-Token": TOKEN})
        lower = await api.get("/api/customers", headers={"shoptet-private-api-token": TOKEN})
    assert missing.status_code == wrong.status_code == 401
    assert _errors(missing.json()) == [("missing-access-token", "unknown")]
    assert _errors(wrong.json()) == [("invalid-token", "unknown")]
    assert addon.status_code == lower.status_code == 200
    assert missing.headers["x-ratelimit-bucket-filling"] == "0/200"
    assert emulator.connector_credentials() == {"token": TOKEN}


async def test_unknown_endpoints_answer_404_and_wrong_methods_405() -> None:
    emulator = make_emulator()
    async with contract_client(emulator) as api:
        unknown = await api.get("/api/customerz")
        wrong_method = await api.put("/api/customers/regions")
    assert (unknown.status_code, unknown.json()["errors"][0]["errorCode"]) == (404, "not-found")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["metadata"]["requestId"] == wrong_method.headers["x-request-id"]


def test_seed_data_is_czech_and_slovak_and_consistent() -> None:
    emulator = ShoptetEmulator(customers=2000, clock=FakeClock())
    customers = emulator.customer_objects()
    regions = {
        (r["countryCode"], r["regionName"]): r["regionShortcut"] for r in emulator.region_objects()
    }
    groups = {g["id"]: g["name"] for g in emulator.group_objects()}
    emails = [a["email"].lower() for c in customers for a in c["accounts"]]
    assert len(customers) == 2000
    assert len(set(emails)) == len(emails)
    assert len(regions) == 22
    assert {c["billingAddress"]["countryCode"] for c in customers} == {"CZ", "SK"}
    for customer in customers:
        billing = customer["billingAddress"]
        assert regions[(billing["countryCode"], billing["regionName"])] == billing["regionShortcut"]
        assert [a["mainAccount"] for a in customer["accounts"]].count(True) == 1
        assert customer["customerGroup"]["name"] == groups[customer["customerGroup"]["id"]]
        assert SHOPTET_DATETIME.match(customer["changeTime"])
        main = next(a for a in customer["accounts"] if a["mainAccount"])
        assert main["phone"] is None or re.fullmatch(r"\+42(0[67]|19)\d{8}", main["phone"])
        for address in customer["deliveryAddress"]:
            assert regions[(address["countryCode"], address["regionName"])]
    created = [parse_datetime(c["creationTime"]) for c in customers if c["creationTime"]]
    assert created == sorted(created)  # registration order = id order
    assert all(parse_datetime(c["changeTime"]) <= REFERENCE_TIME for c in customers)
    assert any(not a["authorized"] for c in customers for a in c["accounts"])
    assert {len(c["deliveryAddress"]) for c in customers} == {0, 1, 2}
    assert any("á" in (c["billingAddress"]["fullName"] or "") for c in customers)
    assert any(c["billingAddress"]["company"] for c in customers)
    assert any(c["creationTime"] is None for c in customers)
    assert {c["customerGroup"]["id"] for c in customers} == {1, 2, 3, 4}


def test_seeds_are_deterministic_and_distinct() -> None:
    first = ShoptetEmulator(seed=7, customers=50, clock=FakeClock()).customer_objects()
    again = ShoptetEmulator(seed=7, customers=50, clock=FakeClock()).customer_objects()
    other = ShoptetEmulator(seed=8, customers=50, clock=FakeClock()).customer_objects()
    assert first == again
    assert not {c["guid"] for c in first} & {c["guid"] for c in other}
    names = [c["billingAddress"]["fullName"] for c in first]
    assert names != [c["billingAddress"]["fullName"] for c in other]


async def test_a_million_customers_are_generated_on_demand() -> None:
    started = time.perf_counter()
    emulator = ShoptetEmulator(customers=1_000_000, clock=FakeClock(), token=TOKEN)
    async with contract_client(emulator) as api:
        first = await api.get("/api/customers", params={"itemsPerPage": 1000})
        last = await api.get("/api/customers", params={"itemsPerPage": 1000, "page": 1000})
        tail = last.json()["data"]["customers"][-1]
        detail = await api.get(f"/api/customers/{tail['guid']}")
        email = detail.json()["data"]["customer"]["accounts"][0]["email"]
        by_email = await api.get("/api/customers", params={"email": email})
    elapsed = time.perf_counter() - started
    assert first.json()["data"]["paginator"] == {
        "totalCount": 1_000_000,
        "page": 1,
        "pageCount": 1000,
        "itemsOnPage": 1000,
        "itemsPerPage": 1000,
    }
    assert tail["adminUrl"].endswith("?id=1000000")
    assert last.json()["data"]["customers"][0]["adminUrl"].endswith("?id=999001")
    assert [c["guid"] for c in by_email.json()["data"]["customers"]] == [tail["guid"]]
    assert emulator.shop.store.overrides == {}
    # Generated on demand (no row materialised above); the bound only catches a hang.
    assert elapsed < 30.0


def test_add_customer_inserts_directly_and_validates() -> None:
    emulator = make_emulator(customers=5)
    customer = emulator.add_customer(
        email="petr.svoboda@example.cz",
        fullName="Petr Svoboda",
        customerGroupCode="registrovani",
        creationTime="2024-03-11T10:15:02+0100",
        changeTime="2025-01-08T16:40:11+0100",
        deliveryAddress=[
            {
                "fullName": "Petr Svoboda",
                "city": "Brno",
                "countryCode": "CZ",
                "regionName": "Jihomoravský kraj",
            }
        ],
    )
    assert customer["creationTime"] == "2024-03-11T10:15:02+0100"
    assert customer["changeTime"] == "2025-01-08T16:40:11+0100"
    assert customer["customerGroup"] == {"id": 2, "name": "Registrovaní"}
    assert customer["deliveryAddress"][0]["regionShortcut"] == "JHM"
    assert customer["deliveryAddress"][0]["isDefault"] is True
    assert emulator.customer_objects()[-1] == customer
    with pytest.raises(ShoptetError) as invalid:
        emulator.add_customer(email="x@example.cz", nickname="x")
    assert invalid.value.errors[0]["instance"] == "data.nickname"


def test_paging_after_deletions_matches_a_naive_list() -> None:
    """The lazy pager skips deleted generated customers without scanning from id 1."""
    emulator = make_emulator(customers=500)
    rng = random.Random(3)
    for index in sorted(rng.sample(range(1, 501), 60)):
        emulator.shop.delete_customer(emulator.shop.factory.generate(index).guid)
    added = [emulator.add_customer(email=f"pozde{n}@example.cz")["guid"] for n in range(5)]
    emulator.shop.delete_customer(added[1])
    naive = [c["guid"] for c in emulator.customer_objects()]
    store = emulator.shop.store
    assert store.count() == len(naive) == 444
    assert naive[-4:] == [added[0], *added[2:]]
    for offset, limit in [(0, 20), (13, 7), (200, 50), (430, 20), (439, 10), (444, 5), (0, 500)]:
        assert [r.guid for r in store.page(offset, limit)] == naive[offset : offset + limit]
