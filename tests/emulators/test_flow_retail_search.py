"""Flow Retail emulator: `POST /customers/search` and `/customers/search/external` (README 2.4)."""

from __future__ import annotations

from typing import Any

import pytest

from customer_gateway.emulators.flow_retail import FlowRetailEmulator

from .test_flow_retail_http import BERGEN, BERGEN_TOKEN, OSLO, client, customers_path, make_emulator

pytestmark = pytest.mark.anyio

SEARCH = customers_path(suffix="/search")
EXTERNAL = customers_path(suffix="/search/external")


def _seeded() -> FlowRetailEmulator:
    """No seed customers; a handful whose fields overlap on purpose."""
    emulator = make_emulator(customers=0)
    emulator.add_customer(
        OSLO,
        customerUid="c-kari",
        firstname="Kari",
        lastname="Nordmann",
        email="kari@nordmann.no",
        mobile="+4791234567",
        city="Oslo",
        postalCode="0150",
        createdAt="2024-01-10T10:00:00.000Z",
    )
    emulator.add_customer(
        OSLO,
        customerUid="c-bygg",
        customerType="COMPANY",
        companyName="Nordmann Bygg AS",
        email="post@byggmester.no",
        mobile="+4799887766",
        vatNumber="NO999888777MVA",
        city="Bergen",
        postalCode="5003",
        createdAt="2024-06-01T00:00:00.000Z",
    )
    emulator.add_customer(
        OSLO,
        customerUid="c-ola",
        firstname="Ola",
        lastname="Berg",
        email="ola.berg@online.no",
        mobile="+4741234567",
        city="Trondheim",
        postalCode="7011",
        createdAt="2025-02-03T09:12:44.120Z",
    )
    emulator.add_customer(
        OSLO,
        customerUid="c-soren",
        firstname="Søren",
        lastname="Kjær",
        email="soren@example.dk",
        mobile="+4522334455",
        city="København K",
        postalCode="1050",
        countryCode="DK",
        createdAt="2025-03-01T00:00:00.000Z",
    )
    return emulator


async def _uids(emulator: FlowRetailEmulator, body: Any, **params: Any) -> list[str]:
    async with client(emulator) as api:
        response = await api.post(SEARCH, json=body, params=params)
    assert response.status_code == 200, response.text
    return [item["customerUid"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, ["c-kari", "c-bygg", "c-ola", "c-soren"]),
        ({"query": "nordmann"}, ["c-kari", "c-bygg"]),  # lastname, companyName, email
        ({"query": "KARI"}, ["c-kari"]),  # case-insensitive firstname
        ({"query": "berg"}, ["c-bygg", "c-ola"]),  # city Bergen, lastname Berg
        ({"query": "7011"}, ["c-ola"]),  # postalCode
        ({"query": "Trondheim"}, ["c-ola"]),  # city
        ({"query": "999888777"}, ["c-bygg"]),  # vatNumber
        ({"query": "41234567"}, ["c-ola"]),  # mobile
        ({"query": "online.no"}, ["c-ola"]),  # email
        ({"query": "Søren"}, ["c-soren"]),
        ({"query": "no-such-thing"}, []),
        ({"email": "nordmann"}, ["c-kari"]),
        ({"mobile": "+4799"}, ["c-bygg"]),
        ({"vatNumber": "no999"}, ["c-bygg"]),
        ({"createdAt": "2025-02-03T09:12:44.120Z"}, ["c-ola", "c-soren"]),  # at or after
        ({"createdAt": "2025-02-03T09:12:44.121Z"}, ["c-soren"]),
        ({"createdAt": "2024-06-01"}, ["c-bygg", "c-ola", "c-soren"]),
        ({"query": "nordmann", "createdAt": "2024-02-01T00:00:00Z"}, ["c-bygg"]),
    ],
)
async def test_search_fields(body: dict[str, Any], expected: list[str]) -> None:
    assert await _uids(_seeded(), body) == expected


async def test_explicit_field_is_not_searched_with_query() -> None:
    emulator = _seeded()
    # "nordmann" is in Kari's email and the company's name: with `email` given, the query
    # no longer looks at e-mails, so only names can match it.
    assert await _uids(emulator, {"query": "byggmester"}) == ["c-bygg"]
    assert await _uids(emulator, {"query": "byggmester", "email": "post@"}) == []
    assert await _uids(emulator, {"query": "Nordmann", "email": "kari@"}) == ["c-kari"]
    assert await _uids(emulator, {"query": "41234567", "mobile": "+47"}) == []
    assert await _uids(emulator, {"query": "999888777", "vatNumber": "NO"}) == []


async def test_exact_match_switches_contains_to_equals() -> None:
    emulator = _seeded()
    assert await _uids(emulator, {"query": "Nordmann", "exactMatch": True}) == ["c-kari"]
    assert await _uids(emulator, {"query": "nordmann bygg as", "exactMatch": True}) == ["c-bygg"]
    assert await _uids(emulator, {"query": "Nordman", "exactMatch": True}) == []
    assert await _uids(emulator, {"email": "KARI@nordmann.no", "exactMatch": True}) == ["c-kari"]
    assert await _uids(emulator, {"email": "kari@nordmann", "exactMatch": True}) == []
    assert await _uids(emulator, {"mobile": "+4791234567", "exactMatch": True}) == ["c-kari"]
    assert await _uids(emulator, {"mobile": "91234567", "exactMatch": True}) == []
    assert await _uids(emulator, {"mobile": "912 34 567"}) == ["c-kari"]


async def test_search_pages_and_sorts_like_the_list() -> None:
    emulator = _seeded()
    async with client(emulator) as api:
        response = await api.post(
            SEARCH,
            json={"query": "o"},
            params={"pageSize": 2, "pageNumber": 1, "sortBy": "displayName"},
        )
        second = await api.post(
            SEARCH,
            json={"query": "o"},
            params={"pageSize": 2, "pageNumber": 2, "sortBy": "displayName"},
        )
        descending = await api.post(
            SEARCH, json={}, params={"sortBy": "createdAt", "sortDirection": "DESC"}
        )
    body = response.json()
    assert body["paging"] == {"pageNumber": 1, "pageSize": 2, "totalCount": 4}
    names = [c["displayName"] for c in body["items"] + second.json()["items"]]
    assert names == ["Kari Nordmann", "Nordmann Bygg AS", "Ola Berg", "Søren Kjær"]
    assert [c["customerUid"] for c in descending.json()["items"]] == [
        "c-soren", "c-ola", "c-bygg", "c-kari"
    ]  # fmt: skip


async def test_search_by_store() -> None:
    emulator = make_emulator(customers=60)
    store_uid = emulator.store_objects(OSLO)[0]["storeUid"]
    defaults = {
        c["customerUid"]
        for c in emulator.customer_objects(OSLO)
        if c["defaultStoreUid"] == store_uid
    }
    found = await _uids(emulator, {"storeUid": store_uid}, pageSize=100)
    assert defaults
    assert defaults <= set(found)
    assert len(found) < 60
    assert await _uids(emulator, {"storeUid": "nowhere"}) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "Request body must be a JSON object"),
        ({"exactMatch": "yes"}, "exactMatch must be a boolean"),
        ({"query": 5}, "query must be a string"),
        ({"createdAt": "yesterday"}, "createdAt must be an ISO-8601 date-time"),
        ({"storeUid": "a/b c"}, "storeUid must match ^[A-Za-z0-9-_]+"),
    ],
)
async def test_search_rejects_bad_bodies(body: Any, message: str) -> None:
    emulator = _seeded()
    async with client(emulator) as api:
        response = await api.post(SEARCH, json=body)
    assert response.status_code == 400
    assert response.json() == {"message": message}


async def test_search_is_tenant_scoped() -> None:
    emulator = make_emulator()
    oslo_uids = {c["customerUid"] for c in emulator.customer_objects(OSLO)}
    bergen_uids = {c["customerUid"] for c in emulator.customer_objects(BERGEN)}
    async with client(emulator, BERGEN_TOKEN) as api:
        response = await api.post(
            customers_path(BERGEN, "/search"), json={"query": ""}, params={"pageSize": 100}
        )
    found = {c["customerUid"] for c in response.json()["items"]}
    assert found == bergen_uids
    assert not found & oslo_uids


# -- external register ----------------------------------------------------------------------------
async def test_external_search_needs_the_tenant_extension() -> None:
    emulator = make_emulator()
    async with client(emulator) as api:
        response = await api.post(EXTERNAL, json={"query": "AS"})
    assert response.status_code == 403
    assert "EXTERNAL_CUSTOMER_SEARCH" in response.json()["message"]


async def test_external_search_returns_register_hits_without_customer_uids() -> None:
    emulator = make_emulator(customers=80, external_search_tenants=[OSLO])
    company = next(
        c
        for c in emulator.customer_objects(OSLO)
        if c["customerType"] == "COMPANY" and (c["vatNumber"] or "").startswith("NO")
    )
    org_number = company["vatNumber"][2:11]
    async with client(emulator) as api:
        by_number = await api.post(EXTERNAL, json={"query": org_number})
        by_name = await api.post(
            EXTERNAL, json={"query": " as"}, params={"pageSize": 5, "sortBy": "name"}
        )
        no_query = await api.post(EXTERNAL, json={})
    async with client(emulator, BERGEN_TOKEN) as api:
        bergen = await api.post(customers_path(BERGEN, "/search/external"), json={"query": "x"})
    assert by_number.status_code == 200
    hits = by_number.json()["items"]
    assert hits[0] == {
        "name": company["companyName"],
        "organizationNumber": org_number,
        "address": hits[0]["address"],
        "postalCode": hits[0]["postalCode"],
        "city": hits[0]["city"],
        "countryCode": "NO",
        "source": "BRREG",
    }
    page = by_name.json()
    assert page["paging"]["pageSize"] == 5
    assert page["paging"]["totalCount"] > 5
    assert all("customerUid" not in hit for hit in page["items"])
    assert no_query.status_code == 400
    assert bergen.status_code == 403
