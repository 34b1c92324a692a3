"""Ecwid v3 emulator: customer create/update/delete, validation, 409, 415, the deleted log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from customer_gateway.emulators.ecwid import EcwidError

from .test_ecwid_customers import BASE, DATE, NOW, FakeClock, ecwid_client, make_emulator

pytestmark = pytest.mark.anyio

NOW_TEXT = "2025-07-15 09:30:00 +0000"


async def test_create_answers_the_new_id_and_the_customer_can_be_read() -> None:
    emulator = make_emulator()
    before = max(c["id"] for c in emulator.customer_objects())
    body = {
        "email": "lena.holm@example.com",
        "billingPerson": {
            "firstName": "Lena",
            "lastName": "Holm",
            "countryCode": "NO",
            "city": "Oslo",
        },
        "shippingAddresses": [
            {
                "name": "Lena Holm",
                "street": "Storgata 5\nLeil. H0201",
                "city": "Oslo",
                "postalCode": "0150",
                "countryCode": "NO",
            },
            {
                "name": "Ola Holm",
                "street": "Sjøgata 1",
                "city": "Bergen",
                "countryCode": "NO",
                "defaultAddress": True,
            },
        ],
        "acceptMarketing": False,
        "lang": "nb",
        "taxId": "NO123456789MVA",
        "b2b_b2c": "b2b",
        "password": "hunter22",
        "stats": {"numberOfOrders": 99},  # read-only: ignored
    }
    async with ecwid_client(emulator) as api:
        created = await api.post(f"{BASE}/customers", json=body)
        new_id = created.json()["id"]
        fetched = (await api.get(f"{BASE}/customers/{new_id}")).json()
    assert created.status_code == 200
    assert created.json() == {"id": new_id}
    assert new_id > before
    assert fetched["name"] == "Lena Holm"
    assert fetched["email"] == "lena.holm@example.com"
    assert fetched["registered"] == fetched["updated"] == NOW_TEXT
    assert fetched["billingPerson"] == {
        "name": "Lena Holm",
        "firstName": "Lena",
        "lastName": "Holm",
        "countryCode": "NO",
        "city": "Oslo",
        "countryName": "Norway",
    }
    first, second = fetched["shippingAddresses"]
    assert first["street"] == "Storgata 5\nLeil. H0201"
    assert first["addressFormatted"] == "Storgata 5, Leil. H0201, Oslo, 0150, Norway"
    assert (first["defaultAddress"], second["defaultAddress"]) == (False, True)
    assert (first["orderBy"], second["orderBy"]) == (0, 1)
    assert first["createdDate"] == NOW_TEXT
    assert fetched["contacts"][0]["contact"] == "lena.holm@example.com"
    assert fetched["contacts"][0]["type"] == "EMAIL"
    assert (fetched["customerGroupId"], fetched["customerGroupName"]) == (0, "General")
    assert fetched["totalOrderCount"] == 0
    assert fetched["stats"] == {"numberOfOrders": 0, "salesValue": 0.0, "averageOrderValue": 0.0}
    assert (fetched["acceptMarketing"], fetched["lang"], fetched["b2b_b2c"]) == (False, "nb", "b2b")
    assert "password" not in fetched


async def test_duplicate_email_is_409_ignoring_case() -> None:
    emulator = make_emulator()
    taken = emulator.customer_objects()[0]["email"]
    async with ecwid_client(emulator) as api:
        response = await api.post(f"{BASE}/customers", json={"email": taken.upper()})
    assert response.status_code == 409
    assert response.json() == {
        "errorMessage": f"Customer with email {taken.upper()} already exists"
    }
    assert len(emulator.customer_objects()) == 250


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Field Customer.email is absent"),
        ({"email": "not-an-email"}, "Invalid email: 'not-an-email'"),
        ({"email": 42}, "Field Customer.email has a wrong type: expected string"),
        (
            {"email": "a@b.co", "taxExempt": "yes"},
            "Field Customer.taxExempt has a wrong type: expected boolean",
        ),
        ({"email": "a@b.co", "b2b_b2c": "b2x"}, "Field Customer.b2b_b2c must be 'b2b' or 'b2c'"),
        (
            {"email": "a@b.co", "customerGroupId": "VIP"},
            "Field Customer.customerGroupId has a wrong type: expected non-negative number",
        ),
        ({"email": "a@b.co", "customerGroupId": 7}, "Customer group with id 7 not found"),
        (
            {"email": "a@b.co", "billingPerson": {"city": 5}},
            "Field Customer.billingPerson.city has a wrong type: expected string",
        ),
        (
            {"email": "a@b.co", "shippingAddresses": {}},
            "Field Customer.shippingAddresses has a wrong type: expected array",
        ),
        (
            {"email": "a@b.co", "contacts": [{"type": "PHONE"}]},
            "Field Customer.contacts[0].contact is absent",
        ),
        (
            {"email": "a@b.co", "contacts": [{"contact": "x", "type": "FAX"}]},
            "Field Customer.contacts[0].type has an unknown value 'FAX'",
        ),
    ],
)
async def test_create_validation_errors(body: dict[str, Any], message: str) -> None:
    emulator = make_emulator()
    async with ecwid_client(emulator) as api:
        response = await api.post(f"{BASE}/customers", json=body)
    assert response.status_code == 400
    assert response.json() == {"errorMessage": message}
    assert len(emulator.customer_objects()) == 250


async def test_malformed_bodies_are_400_and_other_content_types_415() -> None:
    emulator = make_emulator()
    some_id = emulator.customer_objects()[0]["id"]
    async with ecwid_client(emulator) as api:
        broken = await api.post(
            f"{BASE}/customers", content=b'{"email": ', headers={"Content-Type": "application/json"}
        )
        array = await api.post(f"{BASE}/customers", json=[{"email": "a@b.co"}])
        form = await api.post(f"{BASE}/customers", data={"email": "a@b.co"})
        no_type = await api.put(f"{BASE}/customers/{some_id}", content=b'{"lang": "de"}')
        charset = await api.post(
            f"{BASE}/customers",
            content=b'{"email": "c@d.co"}',
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
    assert broken.status_code == 400
    assert broken.json() == {"errorMessage": "Request body is not valid JSON"}
    assert array.status_code == 400
    assert array.json() == {"errorMessage": "Request body must be a JSON object"}
    assert form.status_code == 415
    assert "application/json" in form.json()["errorMessage"]
    assert no_type.status_code == 415
    assert charset.status_code == 200


async def test_update_changes_fields_and_moves_updated() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    target = next(
        c for c in emulator.customer_objects() if c.get("contacts") and len(c["billingPerson"]) > 3
    )
    vip = next(g["id"] for g in emulator.group_objects() if g["name"] == "VIP")
    clock.advance(3600)
    async with ecwid_client(emulator) as api:
        response = await api.put(
            f"{BASE}/customers/{target['id']}",
            json={
                "email": "new.address@example.com",
                "billingPerson": {"city": "Tromsø"},
                "customerGroupId": vip,
                "acceptMarketing": None,
                "taxExempt": True,
            },
        )
        fetched = (await api.get(f"{BASE}/customers/{target['id']}")).json()
    assert response.status_code == 200
    assert response.json() == {"updateCount": 1}
    assert fetched["email"] == "new.address@example.com"
    assert fetched["billingPerson"] == {**target["billingPerson"], "city": "Tromsø"}
    assert (fetched["customerGroupId"], fetched["customerGroupName"]) == (vip, "VIP")
    assert fetched["acceptMarketing"] is None
    assert fetched["taxExempt"] is True
    assert fetched["registered"] == target["registered"]
    assert fetched["updated"] == "2025-07-15 10:30:00 +0000"
    assert fetched["contacts"][0]["contact"] == "new.address@example.com"
    assert fetched["shippingAddresses"] == target["shippingAddresses"]


async def test_update_errors_404_409_400() -> None:
    emulator = make_emulator()
    first, second = emulator.customer_objects()[:2]
    async with ecwid_client(emulator) as api:
        missing = await api.put(f"{BASE}/customers/999", json={"lang": "de"})
        taken = await api.put(f"{BASE}/customers/{first['id']}", json={"email": second["email"]})
        own = await api.put(
            f"{BASE}/customers/{first['id']}", json={"email": first["email"].upper()}
        )
        wrong = await api.put(f"{BASE}/customers/{first['id']}", json={"taxIdValid": "no"})
    assert missing.status_code == 404
    assert missing.json() == {"errorMessage": "Customer with id 999 not found"}
    assert taken.status_code == 409
    assert taken.json() == {"errorMessage": f"Customer with email {second['email']} already exists"}
    assert own.status_code == 200
    assert wrong.status_code == 400


async def test_delete_logs_the_customer_with_the_date() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    first, second = emulator.customer_objects()[:2]
    async with ecwid_client(emulator) as api:
        deleted = await api.delete(f"{BASE}/customers/{first['id']}")
        clock.advance(90)
        await api.delete(f"{BASE}/customers/{second['id']}")
        again = await api.delete(f"{BASE}/customers/{first['id']}")
        gone = await api.get(f"{BASE}/customers/{first['id']}")
        log = (await api.get(f"{BASE}/customers/deleted")).json()
        listed = (await api.get(f"{BASE}/customers", params={"limit": 0})).json()
    assert deleted.status_code == 200
    assert deleted.json() == {"deleteCount": 1}
    assert again.status_code == 404
    assert gone.status_code == 404
    assert listed["total"] == 248
    assert log == {
        "total": 2,
        "count": 2,
        "offset": 0,
        "limit": 100,
        "items": [
            {"id": first["id"], "date": "2025-07-15 09:30:00 +0000"},
            {"id": second["id"], "date": "2025-07-15 09:31:30 +0000"},
        ],
    }
    assert emulator.deleted_log() == log["items"]


async def test_deleted_log_filters_pages_and_forgets_after_six_months() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    victims = [c["id"] for c in emulator.customer_objects()[:4]]
    async with ecwid_client(emulator) as api:
        for victim in victims:
            await api.delete(f"{BASE}/customers/{victim}")
            clock.advance(86_400)
        window = (
            await api.get(
                f"{BASE}/customers/deleted",
                params={"from_date": int(NOW) + 86_400, "to_date": int(NOW) + 2 * 86_400},
            )
        ).json()
        paged = (
            await api.get(f"{BASE}/customers/deleted", params={"offset": 3, "limit": 5})
        ).json()
        bad = await api.get(f"{BASE}/customers/deleted", params={"from_date": "last week"})
        clock.advance(179.5 * 86_400)  # the first deletion is now 183.5 days old
        later = (await api.get(f"{BASE}/customers/deleted")).json()
    assert [item["id"] for item in window["items"]] == victims[1:3]
    assert all(DATE.match(item["date"]) for item in window["items"])
    assert (paged["total"], paged["count"], paged["offset"], paged["limit"]) == (4, 1, 3, 5)
    assert paged["items"] == [{"id": victims[3], "date": "2025-07-18 09:30:00 +0000"}]
    assert bad.status_code == 400
    assert [item["id"] for item in later["items"]] == victims[1:]


async def test_group_change_moves_updated_and_direct_inserts_validate() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    customer = emulator.add_customer(
        email="guest@example.com", guest=True, registered="2024-01-02 03:04:05 +0000"
    )
    assert customer == {
        "id": customer["id"],
        "email": "guest@example.com",
        "registered": "2024-01-02 03:04:05 +0000",
        "updated": "2024-01-02 03:04:05 +0000",
        "totalOrderCount": 0,
        "customerGroupId": 0,
        "customerGroupName": "General",
        "shippingAddresses": [],
        "taxIdValid": True,
        "taxExempt": False,
        "acceptMarketing": None,
        "stats": {"numberOfOrders": 0, "salesValue": 0.0, "averageOrderValue": 0.0},
    }
    with pytest.raises(EcwidError) as duplicate:
        emulator.add_customer(email="GUEST@example.com")
    assert duplicate.value.status == 409
    wholesale = next(g["id"] for g in emulator.group_objects() if g["name"] == "Wholesale")
    clock.advance(60)
    async with ecwid_client(emulator) as api:
        await api.put(f"{BASE}/customers/{customer['id']}", json={"customerGroupId": wholesale})
        fetched = (await api.get(f"{BASE}/customers/{customer['id']}")).json()
    assert fetched["updated"] == "2025-07-15 09:31:00 +0000"
    assert fetched["customerGroupName"] == "Wholesale"
    assert datetime(2025, 7, 15, 9, 31, tzinfo=UTC).timestamp() == NOW + 60
