"""The JSON wrapper around Ecwid (README 3.4): its five routes, envelope, errors, auth, limit.

"seed line N" cites the seed's Customers page (seed 002, the wrapper's "Customers Documentation":
its list, single, create, update and delete examples), by line number.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from customer_gateway.emulators.ecwid import EcwidWrapperEmulator

from .test_ecwid_customers import BASE, FakeClock, ecwid_client

pytestmark = pytest.mark.anyio

API = "/api/json/v1/ecwid"
KEY = "ecwid-wrapper-sandbox-key"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def make_wrapper(**options: Any) -> EcwidWrapperEmulator:
    options.setdefault("clock", FakeClock())
    return EcwidWrapperEmulator(**options)


@asynccontextmanager
async def wrapper_client(
    wrapper: EcwidWrapperEmulator, key: str | None = KEY
) -> AsyncIterator[httpx.AsyncClient]:
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    transport = httpx.ASGITransport(app=wrapper.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://crm.example.com", headers=headers
    ) as client:
        yield client


async def test_list_wraps_the_ecwid_page_with_a_request_uuid() -> None:
    wrapper = make_wrapper()
    params: dict[str, str | int] = {
        "keyword": "an",
        "sortBy": "EMAIL_DESC",
        "limit": 5,
        "offset": 2,
    }
    async with wrapper_client(wrapper) as api:
        first = await api.get(f"{API}/customers", params=params)
        second = await api.get(f"{API}/customers")
    async with ecwid_client(wrapper.ecwid) as ecwid:
        direct = (await ecwid.get(f"{BASE}/customers", params=params)).json()
    assert first.status_code == 200
    data = first.json()["data"]
    assert set(first.json()) == {"data"}
    assert set(data) == {"id", "type", "attributes"}
    assert data["type"] == "ecwid"
    # seed line 27: `"id": "6bb19930-6728-4901-bfbc-53456e85d0d0",` -- a request uuid.
    assert UUID4.match(data["id"])
    assert UUID4.match(second.json()["data"]["id"])
    assert data["id"] != second.json()["data"]["id"]
    assert data["attributes"] == direct
    assert (direct["limit"], direct["offset"], direct["count"]) == (5, 2, 5)
    assert second.json()["data"]["attributes"]["total"] == 250
    assert wrapper.connector_credentials() == {"api_key": KEY}


async def test_list_without_a_limit_pages_by_100_as_the_seed_shows() -> None:
    # seed line 33: `"limit": 100,` in the answer to `GET /api/json/v1/ecwid/customers` (line 18),
    # a request without a limit; Ecwid itself would answer 10 (README 3.3).
    wrapper = make_wrapper()
    async with wrapper_client(wrapper) as api:
        bare = (await api.get(f"{API}/customers")).json()["data"]["attributes"]
        keyword = (await api.get(f"{API}/customers", params={"keyword": "a"})).json()
        given = (await api.get(f"{API}/customers", params={"limit": 7})).json()
    assert (bare["limit"], bare["offset"], bare["count"], bare["total"]) == (100, 0, 100, 250)
    assert keyword["data"]["attributes"]["limit"] == 100
    assert given["data"]["attributes"]["limit"] == 7
    sent = [e.query for e in wrapper.ecwid.journal]
    assert sent[0] == "limit=100"
    assert sent[1] == "keyword=a&limit=100"
    assert sent[2] == "limit=7"


async def test_get_customer_uses_the_ecwid_id_and_passes_404() -> None:
    wrapper = make_wrapper()
    target = wrapper.ecwid.customer_objects()[7]
    async with wrapper_client(wrapper) as api:
        found = await api.get(f"{API}/customer/{target['id']}")
        trimmed = await api.get(
            f"{API}/customer/{target['id']}", params={"responseFields": "email"}
        )
        missing = await api.get(f"{API}/customer/123")
    assert found.status_code == 200
    # seed line 125: `"id": 172890169,` -- the single customer's data.id is a JSON number.
    assert found.json() == {"data": {"id": target["id"], "type": "ecwid", "attributes": target}}
    assert isinstance(found.json()["data"]["id"], int)
    assert trimmed.json()["data"] == {
        "id": target["id"],
        "type": "ecwid",
        "attributes": {"email": target["email"]},
    }
    assert missing.status_code == 404
    assert missing.json() == {
        "errors": [{"status": "404", "title": "Customer with id 123 not found"}]
    }


async def test_add_customer_answers_the_new_id_and_empty_attributes() -> None:
    wrapper = make_wrapper()
    async with wrapper_client(wrapper) as api:
        created = await api.post(
            f"{API}/add_customer",
            json={"email": "new@example.com", "billingPerson": {"name": "New Person"}},
        )
        duplicate = await api.post(f"{API}/add_customer", json={"email": "NEW@example.com"})
        invalid = await api.post(f"{API}/add_customer", json={"lang": "en"})
    assert created.status_code == 200
    data = created.json()["data"]
    assert data["type"] == "ecwid"
    assert data["attributes"] == {}
    # seed line 164: `"id": "15319442",` -- the new customer's id, as a string.
    assert isinstance(data["id"], str)
    stored = next(c for c in wrapper.ecwid.customer_objects() if c["id"] == int(data["id"]))
    assert (stored["email"], stored["name"]) == ("new@example.com", "New Person")
    assert duplicate.status_code == 409
    assert duplicate.json() == {
        "errors": [{"status": "409", "title": "Customer with email NEW@example.com already exists"}]
    }
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["title"] == "Field Customer.email is absent"


async def test_update_and_delete_customer_go_to_put_and_delete() -> None:
    wrapper = make_wrapper()
    target = wrapper.ecwid.customer_objects()[3]
    async with wrapper_client(wrapper) as api:
        updated = await api.post(f"{API}/update_customer/{target['id']}", json={"lang": "fr"})
        missing = await api.post(f"{API}/update_customer/42", json={"lang": "fr"})
        deleted = await api.post(f"{API}/delete_customer/{target['id']}")
        again = await api.post(f"{API}/delete_customer/{target['id']}")
    assert updated.status_code == 200
    # seed lines 188 and 214: `"id": "6bb19930-6728-4901-bfbc-53456e85d0d0",` -- update and
    # delete answers carry a request uuid (the list's kind, line 27), not the customer id.
    update_data, delete_data = updated.json()["data"], deleted.json()["data"]
    assert UUID4.match(update_data["id"])
    assert UUID4.match(delete_data["id"])
    assert update_data["id"] != delete_data["id"]
    assert update_data == {
        "id": update_data["id"],
        "type": "ecwid",
        "attributes": {"updateCount": 1},
    }
    assert missing.status_code == 404
    assert delete_data == {
        "id": delete_data["id"],
        "type": "ecwid",
        "attributes": {"deleteCount": 1},
    }
    assert again.status_code == 404
    assert again.json()["errors"][0]["status"] == "404"
    assert [e["id"] for e in wrapper.ecwid.deleted_log()] == [target["id"]]
    upstream = [(e.method, e.path, e.status) for e in wrapper.ecwid.journal]
    assert upstream == [
        ("PUT", f"{BASE}/customers/{target['id']}", 200),
        ("PUT", f"{BASE}/customers/42", 404),
        ("DELETE", f"{BASE}/customers/{target['id']}", 200),
        ("DELETE", f"{BASE}/customers/{target['id']}", 404),
    ]
    assert [(e.method, e.status) for e in wrapper.journal] == [
        ("POST", 200),
        ("POST", 404),
        ("POST", 200),
        ("POST", 404),
    ]


async def test_api_key_routes_and_content_type() -> None:
    wrapper = make_wrapper()
    async with wrapper_client(wrapper, key=None) as api:
        anonymous = await api.get(f"{API}/customers")
        wrong = await api.get(f"{API}/customers", headers={"Authorization": "Bearer nope"})
    async with wrapper_client(wrapper) as api:
        unknown = await api.get(f"{API}/customer_groups")
        wrong_method = await api.get(f"{API}/add_customer")
        form = await api.post(f"{API}/add_customer", data={"email": "form@example.com"})
    assert anonymous.status_code == 401
    assert anonymous.json() == {"errors": [{"status": "401", "title": "Unauthenticated."}]}
    assert wrong.status_code == 401
    assert unknown.status_code == 404
    assert wrong_method.status_code == 405
    assert form.status_code == 415
    assert wrapper.ecwid.request_count == 1  # only the form post reached Ecwid


async def test_wrapper_rate_limit_is_429_with_retry_after() -> None:
    clock = FakeClock()
    wrapper = EcwidWrapperEmulator(clock=clock, rate_limit_per_minute=3)
    async with wrapper_client(wrapper) as api:
        allowed = [(await api.get(f"{API}/customers")).status_code for _ in range(3)]
        clock.advance(15)
        blocked = await api.get(f"{API}/customers")
        clock.advance(45)
        again = await api.get(f"{API}/customers")
    assert allowed == [200] * 3
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "45"
    assert blocked.json() == {"errors": [{"status": "429", "title": "Too Many Attempts."}]}
    assert again.status_code == 200
    assert wrapper.ecwid.request_count == 4
