"""The Flow Retail connector against the Flow Retail emulator, over HTTP (ASGI transport).

Oracles are the emulator's own state (`customer_objects()`, `group_objects()`, ...), read apart
from the connector's mapping; what the connector sent is read from the emulator's journal and,
for bodies and bearer tokens, from the `Recording` transport.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest

from customer_gateway.connectors.errors import (
    NotFound,
    Unsupported,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
)
from customer_gateway.connectors.flow_retail import FlowRetailConnector
from customer_gateway.connectors.models import (
    OPTIONAL_READS,
    BatchItem,
    BatchOperation,
    Condition,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    FilterField,
    GroupDraft,
    GroupPatch,
    GroupRef,
    Op,
    Sort,
    SortField,
)
from customer_gateway.connectors.transport import build_client
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.server.settings import ConfigError, Secret, SourceSettings
from tests.api.flow_fixtures import BASE_URL, BERGEN, OSLO, Hook, Recording, flow_time

pytestmark = pytest.mark.anyio

TENANT_PATH = f"/v2/tenants/{OSLO}"
DEVICE = {
    "tenant": OSLO,
    "device_token": "flow-sandbox-device-token",
    "user_code": "1001",
    "password": "flow-sandbox-password",
}


def _settings(credentials: Mapping[str, str], name: str = "flow") -> SourceSettings:
    return SourceSettings(
        name=name,
        kind="flow_retail",
        base_url=BASE_URL,
        credentials={key: Secret(value) for key, value in credentials.items()},
    )


@asynccontextmanager
async def connect(
    emulator: FlowRetailEmulator,
    credentials: Mapping[str, str] | None = None,
    hook: Hook | None = None,
) -> AsyncIterator[tuple[FlowRetailConnector, Recording]]:
    settings = _settings(credentials or emulator.connector_credentials())
    FlowRetailConnector.validate_settings(settings)
    transport = Recording(emulator, hook)
    async with build_client(settings, transport) as client:
        yield FlowRetailConnector(settings, client), transport


def _journal(emulator: FlowRetailEmulator) -> list[str]:
    return [f"{e.method} {e.path} {e.status}" for e in emulator.journal]


def _by_uid(emulator: FlowRetailEmulator, tenant: str = OSLO) -> dict[str, dict[str, Any]]:
    return {obj["customerUid"]: obj for obj in emulator.customer_objects(tenant)}


def _first(emulator: FlowRetailEmulator, **wanted: Any) -> dict[str, Any]:
    return next(
        obj
        for obj in emulator.customer_objects(OSLO)
        if all(obj.get(key) == value for key, value in wanted.items())
    )


def _expected_email(obj: Mapping[str, Any]) -> str | None:
    if obj["email"]:
        return str(obj["email"])
    return next((str(c["email"]) for c in obj["contacts"] if c.get("email")), None)


def _assert_maps(record: CustomerRecord, obj: Mapping[str, Any]) -> None:
    assert record.source == "flow"
    assert record.id == obj["customerUid"]
    assert record.full_name == obj["displayName"]
    assert record.email == _expected_email(obj)
    assert record.phone == obj["mobile"]
    assert record.vat_number == obj["vatNumber"]
    assert record.status == 1
    assert record.created_at == flow_time(obj["createdAt"])
    assert record.updated_at == flow_time(obj["lastModifiedAt"])
    assert [g.id for g in record.groups] == obj["customerGroupUids"]
    expected_addresses: list[tuple[str, Any, Any, Any, Any, bool | None]] = []
    if obj["address"] or obj["postalCode"] or obj["city"]:
        expected_addresses.append(
            ("address", obj["address"], obj["postalCode"], obj["city"], obj["countryCode"], True)
        )
    kinds = {"DELIVERY_ADDRESS": "delivery", "INVOICE_ADDRESS": "billing"}
    expected_addresses.extend(
        (kinds[a["type"]], a["address"], a["postalCode"], a["city"], a["countryCode"], None)
        for a in obj["addresses"]
    )
    assert [
        (a.kind, a.address1, a.postcode, a.city, a.country_code, a.is_default)
        for a in record.addresses
    ] == expected_addresses
    assert record.metadata["customerType"] == obj["customerType"]
    for key in ("credit", "contacts", "extensions", "consents", "ledgerNumber", "paymentTerms"):
        if obj.get(key) not in (None, [], ""):
            assert record.metadata[key] == obj[key]
        else:
            assert key not in record.metadata
    assert 0 < record.numeric_id < 2**31


# -- mapping and reads -------------------------------------------------------------------------


async def test_every_customer_maps_from_the_documented_object() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=60)
    emulator.add_customer(
        OSLO,
        customerType="COMPANY",
        companyName="Fjordkraft Rør AS",
        vatNumber="NO999888777MVA",
        contacts=[
            {
                "customerContactUid": "cc-1",
                "firstname": "Uten",
                "lastname": "Epost",
                "email": None,
                "mobile": None,
                "createdAt": "2025-01-02T03:04:05.000Z",
                "lastModifiedAt": "2025-01-02T03:04:05.000Z",
                "displayName": "Uten Epost",
                "extensions": [],
            },
            {
                "customerContactUid": "cc-2",
                "firstname": "Kari",
                "lastname": "Nordmann",
                "email": "kari@fjordkraft.no",
                "mobile": "+4791234567",
                "createdAt": "2025-01-02T03:04:05.000Z",
                "lastModifiedAt": "2025-01-02T03:04:05.000Z",
                "displayName": "Kari Nordmann",
                "extensions": [],
            },
        ],
        customerGroupUids=["bedrift", "vip"],
    )
    async with connect(emulator) as (flow, _):
        page = await flow.list_customers(
            CustomerQuery(sort=Sort(SortField.CREATED_AT, descending=False), limit=None)
        )
    objects = emulator.customer_objects(OSLO)
    assert page.total == 61
    assert [record.id for record in page.items] == [obj["customerUid"] for obj in objects]
    for record, obj in zip(page.items, objects, strict=True):
        _assert_maps(record, obj)

    company = page.items[-1]
    assert company.full_name == "Fjordkraft Rør AS"
    assert company.email == "kari@fjordkraft.no"  # the first contact that has one
    assert [g.id for g in company.groups] == ["bedrift", "vip"]
    # The seed covers what the mapping must handle, so the loop above saw each case.
    assert any(len(obj["customerGroupUids"]) > 1 for obj in objects)
    assert any(obj["customerType"] == "COMPANY" and obj["contacts"] for obj in objects)
    assert {a["type"] for obj in objects for a in obj["addresses"]} == {
        "DELIVERY_ADDRESS",
        "INVOICE_ADDRESS",
    }
    assert any(obj["mobile"] is None for obj in objects)
    assert len({record.numeric_id for record in page.items}) == 61


async def test_list_pages_with_the_page_size_the_tenant_echoes() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=30, max_page_size=7)
    objects = emulator.customer_objects(OSLO)
    oldest_first = Sort(SortField.CREATED_AT, descending=False)
    async with connect(emulator) as (flow, _):
        page = await flow.list_customers(CustomerQuery(sort=oldest_first, offset=5, limit=12))
        assert page.total == 30
        assert [r.id for r in page.items] == [o["customerUid"] for o in objects[5:17]]
        pages = [(e.query, e.status) for e in emulator.requests("GET", f"{TENANT_PATH}/customers")]
        # Asked for 1000, told 7: planned again with 7-record pages, 1..3 cover records 5..16.
        assert [q for q, _ in pages] == [
            "sortBy=createdAt&sortDirection=ASC&pageNumber=1&pageSize=1000",
            "sortBy=createdAt&sortDirection=ASC&pageNumber=1&pageSize=7",
            "sortBy=createdAt&sortDirection=ASC&pageNumber=2&pageSize=7",
            "sortBy=createdAt&sortDirection=ASC&pageNumber=3&pageSize=7",
        ]

        emulator.reset_journal()
        aligned = await flow.list_customers(CustomerQuery(sort=oldest_first, offset=21, limit=7))
        assert [r.id for r in aligned.items] == [o["customerUid"] for o in objects[21:28]]
        assert [e.query for e in emulator.journal] == [
            "sortBy=createdAt&sortDirection=ASC&pageNumber=4&pageSize=7"
        ]

        emulator.reset_journal()
        tail = await flow.list_customers(CustomerQuery(sort=oldest_first, offset=28, limit=20))
        assert [r.id for r in tail.items] == [o["customerUid"] for o in objects[28:]]
        everything = await flow.list_customers(CustomerQuery(sort=oldest_first, limit=None))
        assert [r.id for r in everything.items] == [o["customerUid"] for o in objects]


@pytest.mark.parametrize(
    "reads",
    [frozenset(), frozenset({"phone", "company_name"}), frozenset({"updated_at"}), OPTIONAL_READS],
)
async def test_a_page_reads_only_the_optional_attributes_it_asks_for(
    reads: frozenset[str],
) -> None:
    """`CustomerQuery.reads`: the optional attributes it names are the full answer's, the
    others None (never read)."""
    emulator = FlowRetailEmulator(seed=5, customers=40)
    async with connect(emulator) as (flow, _):
        full = await flow.list_customers(CustomerQuery(limit=40))
        lean = await flow.list_customers(
            CustomerQuery(limit=40, include_addresses=False, include_metadata=False, reads=reads)
        )
    unread: dict[str, Any] = {attribute: None for attribute in OPTIONAL_READS - reads}
    expected = [replace(r, addresses=(), metadata={}, **unread) for r in full.items]
    assert list(lean.items) == expected
    for attribute in reads:
        assert any(getattr(record, attribute) for record in lean.items), attribute


async def test_rows_in_one_group_share_one_group_ref() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=40)
    async with connect(emulator) as (flow, _):
        page = await flow.list_customers(CustomerQuery(limit=40))
        again = await flow.list_customers(CustomerQuery(limit=40))
    refs = [ref for record in page.items for ref in record.groups]
    by_uid: dict[str, GroupRef] = {}
    for ref in refs:
        assert by_uid.setdefault(ref.id, ref) is ref  # one instance per uid
    assert len(by_uid) < len(refs)  # the page has rows in one group
    assert [r.groups for r in again.items] == [r.groups for r in page.items]
    for record in page.items:  # the values an unshared GroupRef per row has
        assert record.groups == tuple(GroupRef(ref.id) for ref in record.groups)


async def test_limit_none_reads_more_than_one_thousand() -> None:
    emulator = FlowRetailEmulator(seed=6, customers=1003)
    async with connect(emulator) as (flow, _):
        page = await flow.list_customers(CustomerQuery(limit=None))
    assert page.total == 1003
    assert len(page.items) == 1003
    assert len({record.id for record in page.items}) == 1003


async def test_sorts_by_creation_time_are_pushed_down() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=25)
    objects = emulator.customer_objects(OSLO)
    async with connect(emulator) as (flow, _):
        newest = await flow.list_customers(CustomerQuery(offset=0, limit=5))
        oldest = await flow.list_customers(
            CustomerQuery(sort=Sort(SortField.CREATED_AT, descending=False), offset=5, limit=5)
        )
        by_name = await flow.list_customers(
            CustomerQuery(sort=Sort(SortField.NAME, descending=False), limit=5)
        )
    newest_first = sorted(objects, key=lambda o: o["createdAt"], reverse=True)
    assert [r.id for r in newest.items] == [o["customerUid"] for o in newest_first[:5]]
    assert [r.id for r in oldest.items] == [o["customerUid"] for o in objects[5:10]]
    assert [e.query for e in emulator.journal] == [
        "sortBy=createdAt&sortDirection=DESC&pageNumber=1&pageSize=5",
        "sortBy=createdAt&sortDirection=ASC&pageNumber=2&pageSize=5",
        # Names sort in Flow's own collation: not pushed, the gateway sorts them.
        "pageNumber=1&pageSize=5",
    ]
    assert len(by_name.items) == 5
    capabilities = FlowRetailConnector.capabilities
    assert SortField.CREATED_AT in capabilities.sorts
    assert SortField.NAME not in capabilities.sorts


async def test_email_sort_is_left_to_the_gateway() -> None:
    """Flow orders text in its own collation ('kari2@' before 'kari@', æ ø å after z), which
    is not the order the gateway merges in: pushing the e-mail sort down would misplace records."""
    assert SortField.EMAIL not in FlowRetailConnector.capabilities.sorts
    emulator = FlowRetailEmulator(seed=5, customers=0)
    for email in ("kari2@example.no", "kari@example.no", "Kari.b@example.no"):
        emulator.add_customer(OSLO, firstname="Kari", lastname="Berg", email=email)
    async with connect(emulator) as (flow, _):
        page = await flow.list_customers(
            CustomerQuery(sort=Sort(SortField.EMAIL, descending=False), limit=None)
        )
    assert "sortBy" not in emulator.journal[0].query
    assert page.total == 3


# -- search ------------------------------------------------------------------------------------


def _query(*conditions: tuple[FilterField, Op, str]) -> CustomerQuery:
    return CustomerQuery(
        conditions=tuple(Condition(f, op, (value,)) for f, op, value in conditions), limit=1000
    )


async def test_search_bodies_follow_the_field_rules() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=80)
    person = _first(emulator, customerType="PERSON", countryCode="NO")
    company = _first(emulator, customerType="COMPANY")
    assert person["email"]
    assert person["mobile"]
    assert company["vatNumber"]
    spaced_mobile = f"{person['mobile'][:3]} {person['mobile'][3:6]} {person['mobile'][6:]}"
    async with connect(emulator) as (flow, sent):
        by_email = await flow.list_customers(_query((FilterField.EMAIL, Op.EQ, person["email"])))
        by_phone = await flow.list_customers(_query((FilterField.PHONE, Op.EQ, spaced_mobile)))
        by_vat = await flow.list_customers(
            _query((FilterField.VAT_NUMBER, Op.EQ, company["vatNumber"]))
        )
        keyword = await flow.list_customers(_query((FilterField.KEYWORD, Op.EQ, "oslo")))
        both = await flow.list_customers(
            _query(
                (FilterField.KEYWORD, Op.EQ, "zzz-nowhere"),
                (FilterField.EMAIL, Op.EQ, person["email"]),
            )
        )
        like = await flow.list_customers(_query((FilterField.FULL_NAME, Op.LIKE, "Berg")))
        await flow.list_customers(_query((FilterField.FULL_NAME, Op.LIKE, "A%s")))
        await flow.list_customers(_query((FilterField.KEYWORD, Op.EQ, "ol_")))
        await flow.list_customers(_query((FilterField.KEYWORD, Op.EQ, "a\\b")))
    searches = sent.bodies("POST", "/customers/search")
    assert searches == [
        {"email": person["email"], "exactMatch": True},
        {"mobile": person["mobile"], "exactMatch": True},
        {"vatNumber": company["vatNumber"], "exactMatch": True},
        {"query": "oslo", "exactMatch": False},
        # exactMatch switches every criterion to equality: the contains-query is not sent.
        {"email": person["email"], "exactMatch": True},
        {"query": "Berg", "exactMatch": False},
    ]
    # Patterns with SQL wildcards or escapes are never sent: Flow would read them literally.
    lists = [s for s in sent.sent if s.method == "GET" and s.path.endswith("/customers")]
    assert len(lists) == 3
    assert [r.id for r in by_email.items] == [person["customerUid"]]
    assert [r.id for r in by_phone.items] == [person["customerUid"]]
    assert [r.id for r in by_vat.items] == [company["customerUid"]]
    assert [r.id for r in both.items] == [person["customerUid"]]  # the gateway re-checks keyword
    # `query` spans city, postcode, mobile...: a superset of name-or-e-mail matches.
    objects = emulator.customer_objects(OSLO)
    in_oslo = {o["customerUid"] for o in objects if o["city"] == "Oslo"}
    assert in_oslo
    assert in_oslo <= {r.id for r in keyword.items}
    named = {
        o["customerUid"]
        for o in objects
        if "berg" in (o["displayName"] or "").lower() or "berg" in (o["email"] or "").lower()
    }
    assert named
    assert named <= {r.id for r in like.items}


async def test_a_name_with_a_space_is_still_found() -> None:
    """`query` matches one field at a time (spaces ignored): "Kari Nordmann" is in no single
    field of Kari Nordmann, so the connector sends the longest word and the gateway re-checks."""
    emulator = FlowRetailEmulator(seed=5, customers=10)
    kari = emulator.add_customer(OSLO, firstname="Kari", lastname="Nordmann", city="Tromsø")
    async with connect(emulator) as (flow, sent):
        full = await flow.list_customers(_query((FilterField.KEYWORD, Op.EQ, "Kari Nordmann")))
        part = await flow.list_customers(_query((FilterField.FULL_NAME, Op.LIKE, "ri Nordm")))
        spaces = await flow.list_customers(_query((FilterField.KEYWORD, Op.EQ, "   ")))
    assert kari["customerUid"] in {r.id for r in full.items}
    assert kari["customerUid"] in {r.id for r in part.items}
    assert spaces.total == 11
    assert sent.bodies("POST", "/customers/search") == [
        {"query": "Nordmann", "exactMatch": False},
        {"query": "Nordm", "exactMatch": False},
    ]


# -- single customers --------------------------------------------------------------------------


async def test_create_splits_the_name_and_creates_companies() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=5)
    async with connect(emulator) as (flow, sent):
        person = await flow.create_customer(
            CustomerDraft(
                email="anne.marie@example.no",
                full_name="Anne Marie Berg",
                phone="+47 912 34 567",
                group_ids=("vip", "stamkunde"),
            )
        )
        company = await flow.create_customer(
            CustomerDraft(
                email="post@fjord.no",
                full_name="Fjord Bygg AS",
                company_name="Fjord Bygg AS",
                vat_number="NO999888777MVA",
            )
        )
        parts = await flow.create_customer(
            CustomerDraft(
                email="ola@example.no", full_name="Ola Hansen", first_name="Ola", last_name="Hansen"
            )
        )
        with pytest.raises(Unsupported) as disabled:
            await flow.create_customer(
                CustomerDraft(email="x@example.no", full_name="X Y", status=0)
            )
        with pytest.raises(UpstreamRejected) as one_word:
            await flow.create_customer(CustomerDraft(email="cher@example.no", full_name="Cher"))
    stored = _by_uid(emulator)
    assert sent.bodies("POST", "/customers")[:3] == [
        {
            "email": "anne.marie@example.no",
            "customerType": "PERSON",
            "firstname": "Anne Marie",
            "lastname": "Berg",
            "mobile": "+4791234567",
            "customerGroupUids": ["vip", "stamkunde"],
        },
        {
            "email": "post@fjord.no",
            "customerType": "COMPANY",
            "companyName": "Fjord Bygg AS",
            "vatNumber": "NO999888777MVA",
        },
        {
            "email": "ola@example.no",
            "customerType": "PERSON",
            "firstname": "Ola",
            "lastname": "Hansen",
        },
    ]
    assert stored[person.id]["displayName"] == "Anne Marie Berg"
    assert (person.full_name, person.phone) == ("Anne Marie Berg", "+4791234567")
    assert [g.id for g in person.groups] == ["vip", "stamkunde"]
    assert stored[company.id]["customerType"] == "COMPANY"
    assert (company.full_name, company.vat_number) == ("Fjord Bygg AS", "NO999888777MVA")
    assert parts.full_name == "Ola Hansen"
    assert disabled.value.field == "status"
    assert (one_word.value.field, one_word.value.http_status) == ("lastName", 400)
    assert len(stored) == 8
    assert len(sent.bodies("POST", "/customers")) == 4  # the status=0 draft was never sent


async def test_an_unknown_group_or_store_names_the_field() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=5)
    async with connect(emulator) as (flow, _sent):
        with pytest.raises(UpstreamRejected) as group:
            await flow.create_customer(
                CustomerDraft(email="g@example.no", full_name="Gro Lie", group_ids=("no-such",))
            )
        first = next(iter(_by_uid(emulator)))
        with pytest.raises(UpstreamRejected) as store:
            await flow.add_extension(first, "TWO_INVOICE", "no-such-store")
    assert (group.value.field, group.value.http_status) == ("groupIds", 400)
    assert (store.value.field, store.value.http_status) == ("storeId", 400)


async def test_update_is_a_partial_put() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=40)
    person = _first(emulator, customerType="PERSON")
    company = _first(emulator, customerType="COMPANY")
    async with connect(emulator) as (flow, sent):
        phoned = await flow.update_customer(
            person["customerUid"], CustomerPatch(phone="+4790000001")
        )
        renamed = await flow.update_customer(
            company["customerUid"], CustomerPatch(full_name="Nytt Navn AS", group_ids=())
        )
        moved = await flow.update_customer(
            person["customerUid"], CustomerPatch(full_name="Per Olav Lie", group_ids=("vip",))
        )
        with pytest.raises(NotFound):
            await flow.update_customer("c-00000000", CustomerPatch(email="a@example.no"))
        with pytest.raises(NotFound):
            await flow.update_customer("bad/uid", CustomerPatch(email="a@example.no"))
        with pytest.raises(UpstreamRejected) as bad_group:
            await flow.update_customer(person["customerUid"], CustomerPatch(group_ids=("nope",)))
    assert sent.bodies("PUT", person["customerUid"]) == [
        {"mobile": "+4790000001"},
        {"firstname": "Per Olav", "lastname": "Lie", "customerGroupUids": ["vip"]},
        {"customerGroupUids": ["nope"]},
    ]
    assert sent.bodies("PUT", company["customerUid"]) == [
        {"companyName": "Nytt Navn AS", "customerGroupUids": []}
    ]
    stored = _by_uid(emulator)
    assert stored[person["customerUid"]]["email"] == person["email"]  # untouched
    assert phoned.phone == "+4790000001"
    assert renamed.full_name == "Nytt Navn AS"
    assert stored[company["customerUid"]]["firstname"] == company["firstname"]
    assert renamed.groups == ()
    assert (moved.full_name, [g.id for g in moved.groups]) == ("Per Olav Lie", ["vip"])
    assert bad_group.value.http_status == 400
    assert not [e for e in emulator.journal if "bad" in e.path]


async def test_delete_needs_the_backoffice_permission() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=5)
    victim = emulator.customer_objects(OSLO)[0]["customerUid"]
    read_only = {"tenant": OSLO, "token": "flow-sandbox-access-token"}
    async with connect(emulator, read_only) as (flow, _):
        with pytest.raises(UpstreamAuthFailed) as refused:
            await flow.delete_customer(victim)
    assert "TENANT.BACKOFFICE" in refused.value.message
    assert refused.value.http_status == 403
    assert victim in _by_uid(emulator)
    async with connect(emulator) as (flow, _):
        await flow.delete_customer(victim)
        assert await flow.get_customers([victim]) == [None]
        with pytest.raises(NotFound):
            await flow.delete_customer(victim)
        with pytest.raises(NotFound):
            await flow.delete_customer("no/such")
    assert victim not in _by_uid(emulator)
    assert [e.status for e in emulator.requests("DELETE")] == [403, 204, 404]


# -- groups ------------------------------------------------------------------------------------


async def test_groups_crud() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=30, max_page_size=3)
    async with connect(emulator) as (flow, _):
        groups = await flow.list_groups()
        assert [(g.id, g.name) for g in groups] == [
            (g["customerGroupUid"], g["name"]) for g in emulator.group_objects(OSLO)
        ]
        assert len(groups) > 3  # read over several of the tenant's 3-record pages
        assert groups[0].metadata["createdBy"] == emulator.group_objects(OSLO)[0]["createdBy"]
        created = await flow.create_group(GroupDraft(name="Nabolag"))
        assert created.name == "Nabolag"
        assert created.id.startswith("cg-")
        renamed = await flow.update_group(created.id, GroupPatch(name="Naboer"))
        assert (renamed.id, renamed.name) == (created.id, "Naboer")
        assert [g for g in await flow.get_groups([created.id, "nope"])][1] is None
        member = emulator.customer_objects(OSLO)[0]["customerUid"]
        await flow.update_customer(member, CustomerPatch(group_ids=(created.id, "vip")))
        await flow.delete_group(created.id)
        assert created.id not in {g["customerGroupUid"] for g in emulator.group_objects(OSLO)}
        assert _by_uid(emulator)[member]["customerGroupUids"] == ["vip"]
        with pytest.raises(NotFound):
            await flow.update_group(created.id, GroupPatch(name="x"))
        with pytest.raises(NotFound):
            await flow.delete_group(created.id)
        with pytest.raises(NotFound):
            await flow.delete_group("a/b")
        await flow.check()


# -- store view, extensions, external register, export -----------------------------------------


async def test_store_view_is_the_customer_as_one_store_sees_it() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=30)
    tenant = emulator.tenants[OSLO]
    stores = [s["storeUid"] for s in emulator.store_objects(OSLO)]
    assert len(stores) == 2
    # A customer who visited one of the tenant's two stores and never the other.
    uid = next(
        o["customerUid"]
        for o in emulator.customer_objects(OSLO)
        if len(tenant.visited_stores(o["customerUid"])) == 1
    )
    store = tenant.visited_stores(uid)[0]
    never = next(s for s in stores if s != store)
    expected = tenant.store_details(uid, store)
    async with connect(emulator) as (flow, _):
        view = await flow.get_store_view(uid, store)
        other = await flow.get_store_view(uid, never)
        assert await flow.get_store_view(uid, "no-such-store") is None
        assert await flow.get_store_view("c-00000000", store) is None
        assert await flow.get_store_view(uid, "../x") is None
    assert view is not None
    assert (view.store_id, view.store_name) == (store, expected["storeName"])
    assert view.visit_count == expected["visitCount"]
    assert view.visit_count > 0
    assert view.loyalty_points == expected["loyaltyPoints"]
    assert view.first_visit_at == flow_time(str(expected["firstVisitAt"]))
    assert view.last_visit_at == flow_time(str(expected["lastVisitAt"]))
    assert view.details == expected
    assert other is not None
    assert (other.store_id, other.visit_count, other.first_visit_at) == (never, 0, None)
    assert [e.status for e in emulator.journal] == [200, 200, 404, 404]


async def test_extensions_are_added_and_removed() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=30)
    uid = next(o["customerUid"] for o in emulator.customer_objects(OSLO) if not o["extensions"])
    store = emulator.store_objects(OSLO)[0]["storeUid"]
    async with connect(emulator) as (flow, sent):
        added = await flow.add_extension(uid, "TWO_INVOICE", store)
        assert [e["extensionCode"] for e in added.metadata["extensions"]] == ["TWO_INVOICE"]
        assert _by_uid(emulator)[uid]["extensions"][0]["extensionCode"] == "TWO_INVOICE"
        again = await flow.add_extension(uid, "TWO_INVOICE", store)  # idempotent
        assert again.metadata["extensions"] == added.metadata["extensions"]
        removed = await flow.remove_extension(uid, "TWO_INVOICE", store)
        assert "extensions" not in removed.metadata
        assert _by_uid(emulator)[uid]["extensions"] == []
        assert sent.bodies("POST", "/extensions/TWO_INVOICE") == [{"storeUid": store}] * 2
        assert sent.bodies("DELETE", "/extensions/TWO_INVOICE") == [{"storeUid": store}]

        sent.clear()
        with pytest.raises(UpstreamRejected) as unknown_code:
            await flow.add_extension(uid, "EHF", store)
        with pytest.raises(UpstreamRejected):
            await flow.remove_extension(uid, "two_invoice", store)
        assert unknown_code.value.field == "extension"
        assert sent.sent == []  # refused without a request
        with pytest.raises(UpstreamRejected) as unknown_store:
            await flow.add_extension(uid, "TWO_INVOICE", "no-such-store")
        assert unknown_store.value.http_status == 400
        with pytest.raises(NotFound):
            await flow.add_extension("c-00000000", "TWO_INVOICE", store)


async def test_external_search_needs_the_tenant_extension() -> None:
    emulator = FlowRetailEmulator(
        seed=5, customers=60, external_search_tenants=[OSLO], max_page_size=4
    )
    register = emulator.tenants[OSLO].register
    word = "as"  # in company forms (AS, ASA) and many names

    def hit(text: str) -> bool:
        return word in text.replace(" ", "").casefold()

    matching = [h for h in register if hit(h["name"]) or hit(h["organizationNumber"])]
    assert len(matching) > 12
    async with connect(emulator) as (flow, _):
        first = await flow.search_external(word, 0, 5)
        second = await flow.search_external(word, 5, 5)
        odd = await flow.search_external(word, 3, 6)
    assert first.total == second.total == len(matching)
    assert [h.name for h in first.items] == [h["name"] for h in matching[:5]]
    assert [h.name for h in second.items] == [h["name"] for h in matching[5:10]]
    assert [h.name for h in odd.items] == [h["name"] for h in matching[3:9]]
    top = first.items[0]
    assert (top.organization_number, top.city, top.registry) == (
        matching[0]["organizationNumber"],
        matching[0]["city"],
        "BRREG",
    )

    bergen = {"tenant": BERGEN, "token": emulator.integration_tokens[BERGEN]}
    async with connect(emulator, bergen) as (flow, _):
        with pytest.raises(Unsupported) as lacking:
            await flow.search_external("AS", 0, 5)
    assert "EXTERNAL_CUSTOMER_SEARCH" in lacking.value.message
    assert lacking.value.http_status == 403


async def test_gdpr_export_is_the_tenants_own_document() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=30)
    obj = next(o for o in emulator.customer_objects(OSLO) if o["customerGroupUids"])
    names = {g["customerGroupUid"]: g["name"] for g in emulator.group_objects(OSLO)}
    async with connect(emulator) as (flow, _):
        document = await flow.data_export(obj["customerUid"])
        assert await flow.data_export("c-00000000") is None
        assert await flow.data_export("no/such") is None
    assert document is not None
    assert document["customer"] == obj
    assert document["consents"] == obj["consents"]
    assert document["customerGroups"] == [
        {"customerGroupUid": uid, "name": names[uid]} for uid in obj["customerGroupUids"]
    ]
    assert len(emulator.journal) == 2


# -- the native batch --------------------------------------------------------------------------


def _create(index: int, name: str, email: str) -> BatchItem:
    return BatchItem(BatchOperation.CREATE, index, draft=CustomerDraft(email, name))


async def test_batch_200_every_item_landed() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=10)
    objects = emulator.customer_objects(OSLO)
    items = [
        _create(0, "Liv Ullmann", "liv@example.no"),
        BatchItem(
            BatchOperation.UPDATE,
            0,
            objects[0]["customerUid"],
            patch=CustomerPatch(phone="+4790000009"),
        ),
        BatchItem(BatchOperation.DELETE, 0, objects[1]["customerUid"]),
        BatchItem(
            BatchOperation.UPSERT,
            0,
            "c-upsert-1",
            draft=CustomerDraft("ny@example.no", "Ny Kunde", group_ids=("vip",)),
        ),
        _create(1, "Sigrid Undset", "sigrid@example.no"),
    ]
    async with connect(emulator) as (flow, sent):
        results = await flow.batch(items)
    assert [s.status for s in emulator.requests("POST", f"{TENANT_PATH}/customers/batch")] == [200]
    assert sent.bodies("POST", "/customers/batch") == [
        {
            "create": [
                {
                    "email": "liv@example.no",
                    "customerType": "PERSON",
                    "firstname": "Liv",
                    "lastname": "Ullmann",
                },
                {
                    "email": "sigrid@example.no",
                    "customerType": "PERSON",
                    "firstname": "Sigrid",
                    "lastname": "Undset",
                },
            ],
            "update": [{"customerUid": objects[0]["customerUid"], "mobile": "+4790000009"}],
            "delete": [{"customerUid": objects[1]["customerUid"]}],
            "upsert": [
                {
                    "email": "ny@example.no",
                    "customerType": "PERSON",
                    "firstname": "Ny",
                    "lastname": "Kunde",
                    "customerGroupUids": ["vip"],
                    "customerUid": "c-upsert-1",
                }
            ],
        }
    ]
    assert [r.item for r in results] == items  # in the order given
    assert all(r.ok for r in results)
    stored = _by_uid(emulator)
    assert stored[str(results[0].customer_id)]["email"] == "liv@example.no"
    assert stored[str(results[4].customer_id)]["email"] == "sigrid@example.no"
    assert stored[objects[0]["customerUid"]]["mobile"] == "+4790000009"
    assert objects[1]["customerUid"] not in stored
    assert results[3].customer_id == "c-upsert-1"
    assert stored["c-upsert-1"]["customerGroupUids"] == ["vip"]


async def test_batch_207_is_a_partial_success_with_per_item_errors() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=10)
    objects = emulator.customer_objects(OSLO)
    company = emulator.add_customer(OSLO, customerType="COMPANY", companyName="Gammel AS")
    items = [
        _create(0, "Good Person", "good@example.no"),
        _create(1, "Bad Email", "not-an-email"),
        BatchItem(BatchOperation.UPDATE, 0, "c-00000000", patch=CustomerPatch(phone="+4790000001")),
        BatchItem(
            BatchOperation.UPDATE, 1, company["customerUid"], patch=CustomerPatch(full_name="Ny AS")
        ),
        BatchItem(
            BatchOperation.UPDATE, 2, objects[2]["customerUid"], patch=CustomerPatch(status=0)
        ),
        BatchItem(BatchOperation.DELETE, 0, objects[3]["customerUid"]),
    ]
    read_only = {"tenant": OSLO, "token": "flow-sandbox-access-token"}
    async with connect(emulator, read_only) as (flow, sent):
        results = await flow.batch(items)
    assert [e.status for e in emulator.requests("POST")] == [207]
    assert [r.item for r in results] == items
    assert [r.ok for r in results] == [True, False, False, True, False, False]
    errors = [r.error for r in results]
    assert isinstance(errors[1], UpstreamRejected)
    assert errors[1].field == "email"
    assert isinstance(errors[2], NotFound)
    assert isinstance(errors[4], Unsupported)
    assert errors[4].field == "status"
    assert isinstance(errors[5], UpstreamAuthFailed)
    assert "TENANT.BACKOFFICE" in errors[5].message
    stored = _by_uid(emulator)
    assert stored[str(results[0].customer_id)]["email"] == "good@example.no"
    # A company's new full name is its company name, as in a single update.
    assert stored[company["customerUid"]]["displayName"] == "Ny AS"
    assert objects[3]["customerUid"] in stored
    body = sent.bodies("POST", "/customers/batch")[0]
    assert len(body["update"]) == 2  # the status item was refused without being sent


async def test_batch_above_one_hundred_items_is_chunked() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=3)
    items = [_create(i, f"Kunde Nummer{i}", f"kunde{i}@example.no") for i in range(205)]
    async with connect(emulator) as (flow, sent):
        results = await flow.batch(items)
    assert [len(b["create"]) for b in sent.bodies("POST", "/customers/batch")] == [100, 100, 5]
    assert [r.item.index for r in results] == list(range(205))
    assert all(r.ok for r in results)
    stored = _by_uid(emulator)
    assert len(stored) == 208
    assert [stored[str(r.customer_id)]["email"] for r in results] == [
        f"kunde{i}@example.no" for i in range(205)
    ]


async def test_a_failed_chunk_keeps_the_results_of_the_chunks_that_landed() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=3)

    def second_batch_fails(request: httpx.Request, count: int) -> httpx.Response | None:
        if request.url.path.endswith("/customers/batch") and count == 2:
            return httpx.Response(503, json={"message": "unavailable"})
        return None

    items = [_create(i, f"Kunde Nummer{i}", f"kunde{i}@example.no") for i in range(150)]
    async with connect(emulator, hook=second_batch_fails) as (flow, _):
        results = await flow.batch(items)
    assert len(results) == 150
    assert all(r.ok for r in results[:100])
    assert all(isinstance(r.error, UpstreamUnavailable) for r in results[100:])
    assert len(emulator.customer_objects(OSLO)) == 103


# -- upstream faults ---------------------------------------------------------------------------


async def test_reads_are_retried_writes_are_not() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=5)
    emulator.faults.add("status", status=503, method="GET", times=1)
    emulator.faults.add("commit_then_fail", method="POST", path=f"{TENANT_PATH}/customers")
    async with connect(emulator) as (flow, _):
        groups = await flow.list_groups()
        with pytest.raises(UpstreamUnavailable):
            await flow.create_customer(CustomerDraft("once@example.no", "Bare En"))
    assert len(groups) == len(emulator.group_objects(OSLO))
    assert [e.status for e in emulator.requests("GET")] == [503, 200]
    assert len(emulator.requests("POST")) == 1  # the write landed; it is not sent again
    assert [o["email"] for o in emulator.customer_objects(OSLO)].count("once@example.no") == 1


async def test_an_answer_without_paging_is_a_bad_response() -> None:
    """(A body that is not JSON: tests/contract.)"""
    emulator = FlowRetailEmulator(seed=5, customers=5)

    def no_paging(request: httpx.Request, count: int) -> httpx.Response | None:
        return httpx.Response(200, json={"items": []})

    async with connect(emulator, hook=no_paging) as (flow, _):
        with pytest.raises(UpstreamBadResponse) as bad:
            await flow.list_customers(CustomerQuery())
    assert "paging" in bad.value.message


# -- authentication ----------------------------------------------------------------------------


def _access_tokens(emulator: FlowRetailEmulator) -> list[str]:
    return [g.token for g in emulator.tokens.grants.values() if g.kind == "access"]


async def test_device_flow_logs_in_once_and_renews_once_on_401() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=5)
    async with connect(emulator, DEVICE) as (flow, sent):
        await asyncio.gather(*(flow.list_groups() for _ in range(4)))
        assert sent.bodies("POST", "/v2/account") == [
            {"userCode": "1001", "password": "flow-sandbox-password"}
        ]
        first = _access_tokens(emulator)
        assert len(first) == 1
        assert sent.sent[0].bearer == "flow-sandbox-device-token"
        assert {s.bearer for s in sent.sent[1:]} == {first[0]}

        emulator.revoke(first[0])
        emulator.reset_journal()
        # Slow answers: every call is in flight with the revoked token when the 401s arrive.
        emulator.faults.add(
            "latency", path=f"{TENANT_PATH}/customer-groups", seconds=0.05, times=None
        )
        await asyncio.gather(*(flow.list_groups() for _ in range(3)))
        journal = _journal(emulator)
        assert journal.count("POST /v2/account 200") == 1  # one renewal for the three
        assert journal.count(f"GET {TENANT_PATH}/customer-groups 401") == 3
        assert journal.count(f"GET {TENANT_PATH}/customer-groups 200") == 3
        second = [t for t in _access_tokens(emulator) if t != first[0]]
        assert len(second) == 1
        assert sent.sent[-1].bearer == second[0]


async def test_device_flow_never_loops_on_401() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=5, access_token_ttl=0)
    async with connect(emulator, DEVICE) as (flow, _):
        with pytest.raises(UpstreamAuthFailed) as refused:
            await flow.get_customers([emulator.customer_objects(OSLO)[0]["customerUid"]])
    assert refused.value.http_status == 401
    assert [e.path for e in emulator.journal] == [
        "/v2/account",
        f"{TENANT_PATH}/customers/{emulator.customer_objects(OSLO)[0]['customerUid']}",
    ] * 2


async def test_wrong_device_login_is_an_auth_failure() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=5)
    async with connect(emulator, {**DEVICE, "password": "wrong-secret-pw"}) as (flow, _):
        with pytest.raises(UpstreamAuthFailed) as refused:
            await flow.list_groups()
    assert "device login" in refused.value.message
    assert _journal(emulator) == ["POST /v2/account 401"]


async def test_integration_token_is_sent_as_is_and_a_401_is_not_retried() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=5)
    async with connect(emulator) as (flow, sent):
        await flow.list_groups()
        assert [s.bearer for s in sent.sent] == ["flow-sandbox-integration-token"]
        emulator.revoke("flow-sandbox-integration-token")
        with pytest.raises(UpstreamAuthFailed):
            await flow.list_groups()
    assert [e.status for e in emulator.journal] == [200, 401]


async def test_tenants_are_isolated() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=12)
    oslo_uid = emulator.customer_objects(OSLO)[0]["customerUid"]
    bergen = {"tenant": BERGEN, "token": emulator.integration_tokens[BERGEN]}
    async with connect(emulator, bergen) as (flow, _):
        page = await flow.list_customers(CustomerQuery(limit=None))
        assert await flow.get_customers([oslo_uid]) == [None]
        with pytest.raises(NotFound):
            await flow.update_customer(oslo_uid, CustomerPatch(phone="+4790000001"))
    assert {r.id for r in page.items} == set(_by_uid(emulator, BERGEN))
    assert not {r.id for r in page.items} & set(_by_uid(emulator, OSLO))
    assert emulator.journal[1].path == f"/v2/tenants/{BERGEN}/customers/{oslo_uid}"
    assert emulator.journal[1].status == 404
    crossed = {"tenant": BERGEN, "token": emulator.integration_token}
    async with connect(emulator, crossed) as (flow, _):
        with pytest.raises(UpstreamAuthFailed):
            await flow.list_customers(CustomerQuery())


async def test_rate_limit_is_typed_with_retry_after() -> None:
    emulator = FlowRetailEmulator(seed=5, customers=5, rate_limit_per_minute=2)
    async with connect(emulator) as (flow, _):
        await flow.list_groups()
        await flow.list_groups()
        with pytest.raises(UpstreamRateLimited) as limited:
            await flow.list_groups()
    assert limited.value.retry_after is not None
    assert 0 < limited.value.retry_after <= 60
    assert [e.status for e in emulator.journal] == [200, 200, 429]


def test_settings_are_checked_before_any_request() -> None:
    FlowRetailConnector.validate_settings(_settings({"tenant": OSLO, "token": "t"}))
    FlowRetailConnector.validate_settings(_settings(DEVICE))
    for credentials in (
        {"token": "secret-token-1"},
        {"tenant": OSLO},
        {"tenant": OSLO, "device_token": "secret-token-1", "user_code": "1"},
        {"tenant": "a/b", "token": "secret-token-1"},
    ):
        with pytest.raises(ConfigError) as refused:
            FlowRetailConnector.validate_settings(_settings(credentials))
        assert "secret-token-1" not in str(refused.value)


async def test_tokens_and_passwords_never_reach_logs_errors_or_reprs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = [
        "flow-sandbox-integration-token",
        "flow-sandbox-access-token",
        "flow-sandbox-device-token",
        "flow-sandbox-password",
        "wrong-password-123",
    ]
    emulator = FlowRetailEmulator(seed=5, customers=5, access_token_ttl=0)
    failures: list[UpstreamError] = []
    seen: list[str] = []
    for credentials in (
        DEVICE,
        {**DEVICE, "password": "wrong-password-123"},
        {"tenant": OSLO, "token": "flow-sandbox-access-token"},
        {"tenant": BERGEN, "token": "flow-sandbox-integration-token"},
    ):
        async with connect(emulator, credentials) as (flow, _):
            seen.append(repr(flow.settings))
            for call in (flow.list_groups(), flow.delete_customer("c-00000000")):
                try:
                    await call
                except UpstreamError as error:
                    failures.append(error)
    assert len(failures) == 7
    seen.extend(str(e) for e in failures)
    seen.extend(repr(e) for e in failures)
    seen.extend(repr(e.extensions) for e in failures)
    seen.append(caplog.text)
    access = _access_tokens(emulator)
    assert access
    for text in seen:
        for secret in (*secrets, *access):
            assert secret not in text
