"""The Ecwid connectors (REST API v3 and the JSON wrapper) against the Ecwid emulators, over HTTP.

Shared behaviour runs against both dialects (`dialect` parameter). Expected values come from the
emulator's own objects (`customer_objects()`, `group_objects()`, `deleted_log()`) read here
independently, and from its request journal, never from the connector's mapping code.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from customer_gateway.connectors.ecwid import (
    EcwidConnector,
    EcwidWrapperConnector,
)
from customer_gateway.connectors.ecwid.mapping import latest_changes
from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    Unsupported,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
)
from customer_gateway.connectors.helpers import synthetic_int_id
from customer_gateway.connectors.models import (
    ChangeRecord,
    ChangeType,
    Condition,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    FilterField,
    GroupDraft,
    GroupPatch,
    Op,
    Sort,
    SortField,
)
from customer_gateway.connectors.protocol import ChangeFeed
from customer_gateway.connectors.resilience import RateLimit
from customer_gateway.connectors.transport import build_client
from customer_gateway.core.errors import QueryTooComplex
from customer_gateway.emulators.ecwid import EcwidEmulator, EcwidWrapperEmulator
from customer_gateway.resolvers.filters.evaluation import matches
from customer_gateway.server.settings import ConfigError, Secret, SourceSettings

pytestmark = pytest.mark.anyio

DIALECTS = ["ecwid", "ecwid_wrapper"]
Emulated = EcwidEmulator | EcwidWrapperEmulator
Ecwid = EcwidConnector | EcwidWrapperConnector
INT32 = 2**31 - 1


def make(dialect: str, **options: Any) -> Emulated:
    options.setdefault("seed", 4)
    options.setdefault("customers", 250)
    if dialect == "ecwid":
        return EcwidEmulator(**options)
    return EcwidWrapperEmulator(**options)


def store(emulator: Emulated) -> EcwidEmulator:
    """The Ecwid store itself (the wrapper forwards to one)."""
    return emulator.ecwid if isinstance(emulator, EcwidWrapperEmulator) else emulator


def settings_for(emulator: Emulated, **overrides: Any) -> SourceSettings:
    kind = "ecwid_wrapper" if isinstance(emulator, EcwidWrapperEmulator) else "ecwid"
    fields: dict[str, Any] = {
        "name": "shop",
        "kind": kind,
        "base_url": "https://app.ecwid.com" if kind == "ecwid" else "https://crm.example.com",
        "credentials": {
            key: Secret(value) for key, value in emulator.connector_credentials().items()
        },
    }
    return SourceSettings(**{**fields, **overrides})


@asynccontextmanager
async def connect(emulator: Emulated, *, app: Any = None, **overrides: Any) -> AsyncIterator[Ecwid]:
    settings = settings_for(emulator, **overrides)
    connector_type = EcwidWrapperConnector if settings.kind == "ecwid_wrapper" else EcwidConnector
    connector_type.validate_settings(settings)
    transport = httpx.ASGITransport(app=app if app is not None else emulator.app)
    async with build_client(settings, transport) as client:
        yield connector_type(settings, client)


def lines(emulator: Emulated) -> list[str]:
    return [f"{e.method} {e.path} {e.status}" for e in emulator.journal]


def queries(emulator: Emulated) -> list[dict[str, str]]:
    return [dict(httpx.QueryParams(e.query)) for e in emulator.journal]


def customers_path(emulator: Emulated) -> str:
    if isinstance(emulator, EcwidWrapperEmulator):
        return "/api/json/v1/ecwid/customers"
    return f"{emulator.base_path}/customers"


def one_path(emulator: Emulated, customer_id: object) -> str:
    if isinstance(emulator, EcwidWrapperEmulator):
        return f"/api/json/v1/ecwid/customer/{customer_id}"
    return f"{emulator.base_path}/customers/{customer_id}"


# -- an independent reading of Ecwid's customer entity (README 3.2 and 5.1) -----------------


def ecwid_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")


def expected_name(obj: Mapping[str, Any]) -> str | None:
    billing = obj.get("billingPerson") or {}
    parts = " ".join(p for p in (billing.get("firstName"), billing.get("lastName")) if p)
    return obj.get("name") or billing.get("name") or parts or None


def expected_phone(obj: Mapping[str, Any]) -> str | None:
    billing = obj.get("billingPerson") or {}
    if billing.get("phone"):
        return str(billing["phone"])
    phones = [c for c in obj.get("contacts") or [] if c["type"] == "PHONE"]
    phones.sort(key=lambda c: not c["default"])
    return str(phones[0]["contact"]) if phones else None


def street(address: Mapping[str, Any]) -> tuple[str | None, str | None]:
    parts = [p.strip() for p in str(address.get("street") or "").split("\n") if p.strip()]
    return (parts[0] if parts else None), (", ".join(parts[1:]) or None)


def expected_addresses(obj: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    billing = obj.get("billingPerson") or {}
    keys = ("street", "city", "postalCode", "countryCode", "stateOrProvinceCode", "companyName")
    if any(billing.get(key) for key in keys):
        rows.append(
            (
                "billing",
                None,
                expected_name({"billingPerson": billing}),
                billing.get("companyName"),
                billing.get("phone"),
                *street(billing),
                billing.get("city"),
                billing.get("postalCode"),
                billing.get("countryCode"),
                billing.get("stateOrProvinceCode"),
                billing.get("stateOrProvinceName"),
                None,
            )
        )
    rows.extend(
        (
            "delivery",
            str(address["id"]),
            address.get("name"),
            address.get("companyName"),
            address.get("phone"),
            *street(address),
            address.get("city"),
            address.get("postalCode"),
            address.get("countryCode"),
            address.get("stateOrProvinceCode"),
            address.get("stateOrProvinceName"),
            address["defaultAddress"],
        )
        for address in obj["shippingAddresses"]
    )
    return rows


def address_rows(record: CustomerRecord) -> list[tuple[Any, ...]]:
    return [
        (
            a.kind,
            a.id,
            a.full_name,
            a.company,
            a.telephone,
            a.address1,
            a.address2,
            a.city,
            a.postcode,
            a.country_code,
            a.province_code,
            a.province_name,
            a.is_default,
        )
        for a in record.addresses
    ]


def assert_customer(record: CustomerRecord | None, obj: Mapping[str, Any]) -> None:
    assert record is not None
    number = obj["id"]
    assert record.source == "shop"
    assert record.id == str(number)
    assert record.numeric_id == (number if number <= INT32 else synthetic_int_id(str(number)))
    assert 0 <= record.numeric_id <= INT32
    assert record.email == obj["email"]
    assert record.full_name == expected_name(obj)
    assert record.phone == expected_phone(obj)
    assert record.status == 1
    assert record.created_at == ecwid_time(obj["registered"])
    assert record.updated_at == ecwid_time(obj["updated"])
    assert record.vat_number == (obj.get("taxId") or None)
    assert [(g.id, g.numeric_id, g.name) for g in record.groups] == [
        (str(obj["customerGroupId"]), obj["customerGroupId"], obj["customerGroupName"])
    ]
    assert address_rows(record) == expected_addresses(obj)
    for key in ("taxIdValid", "taxExempt", "totalOrderCount", "stats", "acceptMarketing"):
        assert record.metadata.get(key) == obj.get(key)
    for key in ("b2b_b2c", "lang", "fiscalCode", "privateAdminNotes", "taxId"):
        assert record.metadata.get(key) == (obj.get(key) or None)
    assert record.metadata.get("contacts") == (obj.get("contacts") or None)
    assert record.missing == frozenset()
    assert (record.urn, record.edit_url, record.update_api) == (None, None, None)


def by_registration(emulator: Emulated, descending: bool = False) -> list[dict[str, Any]]:
    objects = store(emulator).customer_objects()
    objects.sort(key=lambda o: (ecwid_time(o["registered"]), o["id"]), reverse=descending)
    return objects


# -- lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_list_maps_every_field_guests_addresses_and_big_ids(dialect: str) -> None:
    emulator = make(dialect)
    ecwid = store(emulator)
    # Street lines, a state, a company and an id above 2^31; a guest with nothing but an e-mail.
    ecwid.add_customer(
        id=3_000_000_123,
        email="lines@example.com",
        name="Ola Nordmann",
        billingPerson={
            "street": "Storgata 1\nLeil. H0201\n2. etasje",
            "city": "Oslo",
            "postalCode": "0150",
            "countryCode": "NO",
            "companyName": "Nordmann AS",
            "phone": "+4741000000",
        },
        shippingAddresses=[
            {"name": "Kari", "street": "Sjøgata 2", "city": "Bergen", "countryCode": "NO"},
            {"street": "Main St 5\nApt 4B", "city": "Austin", "stateOrProvinceCode": "TX"},
        ],
        registered="2025-06-30 11:00:00 +0000",
    )
    ecwid.add_customer(id=9_000, email="guest@example.com", guest=True, registered=0)
    async with connect(emulator) as shop:
        page = await shop.list_customers(
            CustomerQuery(sort=Sort(SortField.CREATED_AT, descending=False), limit=None)
        )
    objects = by_registration(emulator)
    assert page.total == 252 == len(objects) == len(page.items)
    assert [r.id for r in page.items] == [str(o["id"]) for o in objects]
    for record, obj in zip(page.items, objects, strict=True):
        assert_customer(record, obj)
    records = {r.id: r for r in page.items}
    lined = records["3000000123"]
    assert lined.numeric_id == synthetic_int_id("3000000123") != 3_000_000_123
    assert [(a.address1, a.address2) for a in lined.addresses] == [
        ("Storgata 1", "Leil. H0201, 2. etasje"),
        ("Sjøgata 2", None),
        ("Main St 5", "Apt 4B"),
    ]
    assert [a.is_default for a in lined.addresses] == [None, True, False]
    assert lined.addresses[0].company == "Nordmann AS"
    assert lined.addresses[2].province_code == "TX"
    guest = records["9000"]
    assert (guest.full_name, guest.phone, guest.addresses, guest.numeric_id) == (
        None,
        None,
        (),
        9000,
    )
    assert guest.created_at == datetime(1970, 1, 1, tzinfo=UTC)
    # The seed has what this test is about: guests, several addresses, ids above 2^31.
    assert sum(1 for o in objects if "contacts" not in o) >= 10
    assert any(len(o["shippingAddresses"]) >= 2 for o in objects)
    assert sum(1 for o in objects if o["id"] > INT32) >= 5
    assert any(r.groups[0].id != "0" for r in page.items)
    assert len(emulator.requests("GET")) == 3  # 100 + 100 + 52


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_offset_and_limit_across_the_100_cap(dialect: str) -> None:
    emulator = make(dialect)
    newest = [str(o["id"]) for o in by_registration(emulator, descending=True)]
    cases = [
        ((0, 250), ["0:100", "100:100", "200:50"]),
        ((130, 20), ["130:20"]),
        ((95, 10), ["95:10"]),
        ((150, 150), ["150:100"]),  # 250:50 is never asked: the total is 250
        ((240, 50), ["240:50"]),  # 10 come back: nothing more to ask
        ((30, None), ["30:100", "130:100", "230:20"]),
        ((260, 10), ["260:10"]),
    ]
    async with connect(emulator) as shop:
        for (offset, limit), expected_requests in cases:
            emulator.reset_journal()
            page = await shop.list_customers(CustomerQuery(offset=offset, limit=limit))
            end = None if limit is None else offset + limit
            assert page.total == 250
            assert [r.id for r in page.items] == newest[offset:end], (offset, limit)
            sent = sorted(queries(emulator), key=lambda q: int(q["offset"]))
            assert [f"{q['offset']}:{q['limit']}" for q in sent] == expected_requests
            assert all(q["sortBy"] == "REGISTERED_DATE_DESC" for q in sent)


def condition(field: FilterField, op: Op, *values: str) -> Condition:
    return Condition(field, op, values)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_pushed_filters_narrow_to_a_superset_or_exactly(dialect: str) -> None:
    emulator = make(dialect)
    ecwid = store(emulator)
    objects = ecwid.customer_objects()
    target = next(o for o in objects if o.get("name") and o["customerGroupId"] != 0)
    groups = ecwid.group_objects()
    vip, wholesale = groups[1]["id"], groups[2]["id"]
    surname = target["name"].split(" ")[-1]
    cases: list[tuple[list[Condition], dict[str, str]]] = [
        ([condition(FilterField.KEYWORD, Op.EQ, "an")], {"keyword": "an"}),
        ([condition(FilterField.FULL_NAME, Op.LIKE, surname.lower())], {"name": surname.lower()}),
        ([condition(FilterField.FULL_NAME, Op.EQ, target["name"])], {"name": target["name"]}),
        (
            [condition(FilterField.EMAIL, Op.EQ, target["email"].upper())],
            {"email": target["email"].upper()},
        ),
        ([condition(FilterField.EMAIL, Op.LIKE, target["email"])], {"email": target["email"]}),
        ([condition(FilterField.EMAIL, Op.LIKE, "%gmail%")], {"keyword": "gmail"}),
        ([condition(FilterField.EMAIL, Op.LIKE, "%a_b%")], {}),  # `_` is a wildcard: not sent
        ([condition(FilterField.KEYWORD, Op.EQ, "10%")], {}),
        ([condition(FilterField.GROUP, Op.EQ, str(vip))], {"customerGroup": str(vip)}),
        (
            [condition(FilterField.GROUP, Op.IN, str(wholesale), "0", "abc", "007")],
            {"customerGroupIds": f"0,{wholesale}"},
        ),
        (
            [
                condition(FilterField.KEYWORD, Op.EQ, "a"),
                condition(FilterField.FULL_NAME, Op.LIKE, "e"),
                condition(FilterField.GROUP, Op.IN, str(vip), str(wholesale)),
                condition(FilterField.GROUP, Op.EQ, str(vip)),
            ],
            {"keyword": "a", "name": "e", "customerGroup": str(vip)},
        ),
    ]
    async with connect(emulator) as shop:
        everyone = (await shop.list_customers(CustomerQuery(limit=None))).items
        results = []
        for conditions, params in cases:
            emulator.reset_journal()
            page = await shop.list_customers(
                CustomerQuery(conditions=tuple(conditions), limit=None)
            )
            sent = queries(emulator)[0]  # (and further pages of the same query)
            assert {k: v for k, v in sent.items() if k not in ("offset", "limit", "sortBy")} == (
                params
            )
            wanted = {r.id for r in everyone if all(matches(r, c) for c in conditions)}
            got = {r.id for r in page.items}
            assert wanted <= got, conditions  # never fewer than the gateway selects
            if all(c.field is FilterField.GROUP for c in conditions):
                assert got == wanted, conditions  # EXACT: the gateway does not re-check
            assert page.total == len(got)
            results.append((wanted, got))
        emulator.reset_journal()
        nothing = await shop.list_customers(
            CustomerQuery(conditions=(condition(FilterField.GROUP, Op.IN, "abc", "x1"),))
        )
    assert (list(nothing.items), nothing.total, emulator.journal) == ([], 0, [])
    # Ecwid matches e-mails ignoring case: a superset, which the gateway narrows again.
    assert results[3] == (set(), {str(target["id"])})
    assert results[0][0]
    assert 0 < len(results[8][0]) < len(everyone)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_only_created_at_and_status_sorts_are_declared(dialect: str) -> None:
    emulator = make(dialect, customers=30)
    capabilities = (EcwidConnector if dialect == "ecwid" else EcwidWrapperConnector).capabilities
    assert capabilities.sorts == {SortField.CREATED_AT, SortField.STATUS}
    assert capabilities.max_page_size == 100
    async with connect(emulator) as shop:
        for sort, expected in [
            (Sort(SortField.CREATED_AT, True), "REGISTERED_DATE_DESC"),
            (Sort(SortField.CREATED_AT, False), "REGISTERED_DATE_ASC"),
            (Sort(SortField.STATUS, True), "REGISTERED_DATE_ASC"),
            (Sort(SortField.NAME, False), "REGISTERED_DATE_ASC"),  # the gateway sorts names
            (Sort(SortField.EMAIL, True), "REGISTERED_DATE_ASC"),
        ]:
            emulator.reset_journal()
            page = await shop.list_customers(CustomerQuery(sort=sort, limit=5))
            assert queries(emulator)[0]["sortBy"] == expected
            oldest_first = expected == "REGISTERED_DATE_ASC"
            assert [r.id for r in page.items] == [
                str(o["id"]) for o in by_registration(emulator, not oldest_first)[:5]
            ]


# -- one customer --------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_get_customers_by_id(dialect: str) -> None:
    emulator = make(dialect, customers=40)
    objects = store(emulator).customer_objects()
    big = next(o for o in reversed(objects) if o["id"] > INT32)
    small = objects[3]
    ids = [str(big["id"]), "123", str(small["id"]), "abc", "007", str(big["id"]), "-5", "5\n"]
    async with connect(emulator) as shop:
        found = await shop.get_customers(ids)
    assert_customer(found[0], big)
    assert_customer(found[2], small)
    assert found[5] is found[0]
    assert [found[i] for i in (1, 3, 4, 6, 7)] == [None] * 5
    assert sorted(lines(emulator)) == sorted(
        [
            f"GET {one_path(emulator, big['id'])} 200",
            f"GET {one_path(emulator, 123)} 404",
            f"GET {one_path(emulator, small['id'])} 200",
        ]
    )


# -- writes --------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_create_posts_then_reads_the_customer_back(dialect: str) -> None:
    emulator = make(dialect, customers=5)
    ecwid = store(emulator)
    vip = ecwid.group_objects()[1]
    draft = CustomerDraft(
        email="ada@example.com",
        full_name="Ada Lovelace",
        password="analytical-engine",
        status=1,
        group_ids=(str(vip["id"]),),
        phone="+44 20 7946 0000",
        first_name="Ada",
        last_name="Lovelace",
        company_name="Analytical Engines Ltd",
        vat_number="GB123456789",
    )
    async with connect(emulator) as shop:
        record = await shop.create_customer(draft)
    obj = next(o for o in ecwid.customer_objects() if o["email"] == "ada@example.com")
    assert_customer(record, obj)
    assert obj["billingPerson"] == {
        "name": "Ada Lovelace",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "companyName": "Analytical Engines Ltd",
        "phone": "+44 20 7946 0000",
    }
    assert (obj["taxId"], obj["customerGroupId"]) == ("GB123456789", vip["id"])
    assert (record.full_name, record.vat_number, record.groups[0].name) == (
        "Ada Lovelace",
        "GB123456789",
        vip["name"],
    )
    assert record.created_at is not None
    assert ecwid.store.customers[obj["id"]].password == "analytical-engine"
    methods = [e.method for e in emulator.journal]
    assert methods == ["POST", "GET"]
    assert emulator.journal[1].path == one_path(emulator, obj["id"])


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_create_errors(dialect: str) -> None:
    emulator = make(dialect, customers=5)
    taken = store(emulator).customer_objects()[2]["email"]
    async with connect(emulator) as shop:
        with pytest.raises(Conflict) as conflict:
            await shop.create_customer(CustomerDraft(email=taken.upper(), full_name="Twin"))
        with pytest.raises(UpstreamRejected) as invalid:
            await shop.create_customer(CustomerDraft(email="not-an-email", full_name="X"))
        with pytest.raises(UpstreamRejected) as group:
            await shop.create_customer(
                CustomerDraft(email="g@example.com", full_name="G", group_ids=("424242",))
            )
        with pytest.raises(UpstreamRejected) as not_a_group:
            await shop.create_customer(
                CustomerDraft(email="h@example.com", full_name="H", group_ids=("vip",))
            )
        with pytest.raises(Unsupported) as disabled:
            await shop.create_customer(
                CustomerDraft(email="i@example.com", full_name="I", status=0)
            )
    assert (conflict.value.field, conflict.value.http_status) == ("email", 409)
    assert (invalid.value.field, group.value.field, not_a_group.value.field) == (
        "email",
        "groupId",
        "groupId",
    )
    assert disabled.value.field == "status"
    for error in (conflict.value, invalid.value, group.value):
        assert error.source == "shop"
        assert taken.lower() not in error.message.lower()
        assert "not-an-email" not in error.message
        assert "424242" not in error.message
    # Refused locally: only the three requests Ecwid answered.
    assert [e.status for e in emulator.journal] == [409, 400, 400]


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_update_puts_then_reads_back_keeping_the_billing_address(dialect: str) -> None:
    emulator = make(dialect, customers=40)
    ecwid = store(emulator)
    before = next(
        o
        for o in ecwid.customer_objects()
        if (o.get("billingPerson") or {}).get("street") and o["billingPerson"].get("firstName")
    )
    wholesale = ecwid.group_objects()[2]
    patch = CustomerPatch(
        email="renamed@example.com",
        full_name="Grace Brewster Hopper",
        phone="+1 212 555 0199",
        group_ids=(str(wholesale["id"]),),
        vat_number="US-99",
    )
    async with connect(emulator) as shop:
        record = await shop.update_customer(str(before["id"]), patch)
        emulator.reset_journal()
        unchanged = await shop.update_customer(str(before["id"]), CustomerPatch(status=1))
    after = next(o for o in ecwid.customer_objects() if o["id"] == before["id"])
    assert_customer(record, after)
    assert unchanged == record
    billing = after["billingPerson"]
    assert billing == {
        **before["billingPerson"],
        "name": "Grace Brewster Hopper",
        "firstName": "Grace",
        "lastName": "Brewster Hopper",
        "phone": "+1 212 555 0199",
    }
    assert (after["email"], after["customerGroupId"], after["taxId"]) == (
        "renamed@example.com",
        wholesale["id"],
        "US-99",
    )
    # status 1 alone changes nothing at Ecwid: one read, no write
    assert [e.method for e in emulator.journal] == ["GET"]


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_update_request_sequence_and_errors(dialect: str) -> None:
    emulator = make(dialect, customers=10)
    objects = store(emulator).customer_objects()
    first, second = objects[0], objects[1]
    async with connect(emulator) as shop:
        await shop.update_customer(str(first["id"]), CustomerPatch(email="new@example.com"))
        write = [e.method for e in emulator.journal]
        emulator.reset_journal()
        with pytest.raises(Conflict) as taken:
            await shop.update_customer(str(second["id"]), CustomerPatch(email="NEW@example.com"))
        with pytest.raises(NotFound):
            await shop.update_customer("123", CustomerPatch(email="x@example.com"))
        with pytest.raises(NotFound):
            await shop.update_customer("123", CustomerPatch(full_name="Nobody"))
        with pytest.raises(NotFound):
            await shop.update_customer("abc", CustomerPatch(full_name="Nobody"))
        with pytest.raises(Unsupported):
            await shop.update_customer(str(first["id"]), CustomerPatch(status=0))
    # An e-mail change needs no read first: write, read back.
    assert write == (["PUT", "GET"] if dialect == "ecwid" else ["POST", "GET"])
    assert taken.value.field == "email"
    assert [e.status for e in emulator.journal] == [409, 404, 404]


# -- customer groups (v3) ------------------------------------------------------------------


async def test_group_list_paged_create_rename_delete() -> None:
    emulator = EcwidEmulator(seed=4, customers=20)
    async with connect(emulator) as shop:
        created = [await shop.create_group(GroupDraft(f"Tier {n:03d}")) for n in range(105)]
        emulator.reset_journal()
        groups = await shop.list_groups()
        listing = queries(emulator)
        assert [(g.id, g.name) for g in groups] == [
            (str(g["id"]), g["name"]) for g in emulator.group_objects()
        ]
        assert (groups[0].id, groups[0].name, groups[0].is_default) == ("0", "General", True)
        assert sorted(q["offset"] for q in listing) == ["0", "100"]
        assert all(q["limit"] == "100" for q in listing)
        assert (created[0].name, created[0].is_default) == ("Tier 000", False)
        emulator.reset_journal()
        renamed = await shop.update_group(created[0].id, GroupPatch(name="Gold"))
        await shop.delete_group(created[1].id)
        assert (renamed.name, renamed.id) == ("Gold", created[0].id)
        assert (await shop.get_groups([created[0].id, created[1].id, "0"]))[0] == renamed
        with pytest.raises(NotFound):
            await shop.delete_group(created[1].id)
        with pytest.raises(NotFound):
            await shop.update_group("12345678", GroupPatch(name="x"))
        with pytest.raises(UpstreamRejected) as nameless:
            await shop.create_group(GroupDraft(name="   "))
        journal = lines(emulator)
        emulator.reset_journal()
        for call in (
            shop.update_group("0", GroupPatch(name="Everyone")),
            shop.delete_group("0"),
        ):
            with pytest.raises(Conflict) as general:
                await call
            assert general.value.field == "id"
            assert "General" in general.value.message
        with pytest.raises(NotFound):
            await shop.delete_group("abc")
    assert emulator.journal == []  # group 0 and non-numeric ids never reach Ecwid
    assert nameless.value.field == "groupName"
    base = f"{emulator.base_path}/customer_groups"
    assert journal[:4] == [
        f"PUT {base}/{created[0].id} 200",
        f"GET {base}/{created[0].id} 200",
        f"DELETE {base}/{created[1].id} 200",
        f"GET {base} 200",
    ]


async def test_a_plan_without_groups_is_unsupported() -> None:
    emulator = EcwidEmulator(seed=4, customers=5, groups_enabled=False)
    async with connect(emulator) as shop:
        for call in (
            shop.list_groups(),
            shop.create_group(GroupDraft("VIP")),
            shop.update_group("5", GroupPatch("VIP")),
            shop.delete_group("5"),
        ):
            with pytest.raises(Unsupported) as refused:
                await call
            assert "plan lacks customer groups" in refused.value.message
            assert refused.value.http_status == 402
        # Customers still carry their group (General), and readiness does not need groups.
        page = await shop.list_customers(CustomerQuery(limit=5))
        await shop.check()
    assert {(r.groups[0].id, r.groups[0].name) for r in page.items} == {("0", "General")}


async def test_the_wrapper_has_no_group_routes_and_no_change_feed() -> None:
    emulator = EcwidWrapperEmulator(seed=4, customers=5)
    assert not EcwidWrapperConnector.capabilities.group_writes
    assert not EcwidWrapperConnector.capabilities.changes
    assert EcwidWrapperConnector.capabilities.groups_from_customers
    async with connect(emulator) as shop:
        for call in (
            shop.create_group(GroupDraft("VIP")),
            shop.update_group("5", GroupPatch("VIP")),
            shop.delete_group("5"),
        ):
            with pytest.raises(Unsupported):
                await call
        assert not isinstance(shop, ChangeFeed)  # no change feed to call
        page = await shop.list_customers(CustomerQuery(limit=50))
        emulator.reset_journal()
        groups = await shop.list_groups()
        (general,) = await shop.get_groups(["0"])
    # Each customer names its group (embedded: no lookup needed); the group list is those.
    assert all(r.groups[0].name for r in page.items)
    seen = {(r.groups[0].id, r.groups[0].name) for r in page.items} | {("0", "General")}
    assert sorted(seen, key=lambda g: int(g[0])) == [(g.id, g.name) for g in groups]
    assert general is not None
    assert general.is_default
    assert [e.path for e in emulator.journal] == ["/api/json/v1/ecwid/customers"] * 2


# -- change feed (v3) ----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


async def test_change_feed_edits_and_deletions_latest_per_customer_oldest_first() -> None:
    clock = Clock()
    emulator = EcwidEmulator(seed=4, customers=20, clock=clock)
    start = clock.now
    objects = emulator.customer_objects()
    async with connect(emulator) as shop:
        clock.now = start + 10
        await shop.update_customer(str(objects[0]["id"]), CustomerPatch(full_name="Ed One"))
        clock.now = start + 20
        created = await shop.create_customer(CustomerDraft(email="new@example.com", full_name="N"))
        clock.now = start + 30
        await shop.update_customer(str(objects[1]["id"]), CustomerPatch(full_name="Gone Soon"))
        clock.now = start + 40
        await shop.delete_customer(str(objects[1]["id"]))
        clock.now = start + 50
        await shop.delete_customer(str(objects[2]["id"]))
        clock.now = start + 60
        await shop.update_customer(str(objects[0]["id"]), CustomerPatch(phone="+4741000001"))
        emulator.reset_journal()
        since = datetime.fromtimestamp(start + 5, UTC)
        assert isinstance(shop, ChangeFeed)
        feed = await shop.list_changes(since, None, 0, 100)
        sent = lines(emulator)
        edits = await shop.list_changes(since, ChangeType.EDIT, 0, 100)
        deletions = await shop.list_changes(since, ChangeType.DELETE, 0, 100)
        second_page = await shop.list_changes(since, None, 1, 2)
        later = await shop.list_changes(datetime.fromtimestamp(start + 45, UTC), None, 0, 100)
    at = {o: datetime.fromtimestamp(start + o, UTC) for o in (20, 40, 50, 60)}
    expected = [
        (created.id, ChangeType.EDIT, at[20]),
        (str(objects[1]["id"]), ChangeType.DELETE, at[40]),  # only its deletion
        (str(objects[2]["id"]), ChangeType.DELETE, at[50]),
        (str(objects[0]["id"]), ChangeType.EDIT, at[60]),  # only its latest edit
    ]
    assert [(c.id, c.change_type, c.changed_at) for c in feed.items] == expected
    assert feed.total == 4
    assert {c.source for c in feed.items} == {"shop"}
    assert [(c.id, c.change_type) for c in edits.items] == [
        (e[0], e[1]) for e in expected if e[1] is ChangeType.EDIT
    ]
    assert [(c.id, c.change_type) for c in deletions.items] == [
        (e[0], e[1]) for e in expected if e[1] is ChangeType.DELETE
    ]
    assert [(c.id, c.change_type, c.changed_at) for c in second_page.items] == expected[1:3]
    assert second_page.total == 4
    assert [c.id for c in later.items] == [str(objects[2]["id"]), str(objects[0]["id"])]
    base = emulator.base_path
    assert sorted(sent) == [f"GET {base}/customers 200", f"GET {base}/customers/deleted 200"]
    params = {e.path: dict(httpx.QueryParams(e.query)) for e in emulator.journal[:2]}
    assert params[f"{base}/customers"]["updatedFrom"] == str(int(start + 5))
    assert params[f"{base}/customers"]["sortBy"] == "UPDATED_DATE_ASC"
    assert params[f"{base}/customers/deleted"]["from_date"] == str(int(start + 5))


async def test_change_feed_pages_by_100_and_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    emulator = EcwidEmulator(seed=4, customers=5, clock=clock)
    for n in range(130):
        emulator.add_customer(email=f"c{n}@example.com", registered=clock.now - 5 + n % 3)
    since = datetime.fromtimestamp(clock.now - 10, UTC)
    async with connect(emulator) as shop:
        assert isinstance(shop, ChangeFeed)
        feed = await shop.list_changes(since, None, 0, 200)
        assert feed.total == 130
        times = [c.changed_at for c in feed.items]
        assert times == sorted(times)
        assert len({c.id for c in feed.items}) == 130
        offsets = sorted(q.get("offset", "") for q in queries(emulator))
        assert offsets == ["0", "0", "100"]
        monkeypatch.setattr("customer_gateway.connectors.ecwid.connector.MAX_CHANGES", 120)
        emulator.reset_journal()
        with pytest.raises(QueryTooComplex):
            await shop.list_changes(since, None, 0, 10)
        assert len(emulator.journal) == 2  # the first page of each feed, then refused
        emulator.reset_journal()
        # Ecwid forgets deletions after 6 months: an older `since` is refused, EDIT alone is not.
        old = datetime.now(UTC) - timedelta(days=200)
        with pytest.raises(Unsupported) as forgotten:
            await shop.list_changes(old, None, 0, 10)
        assert forgotten.value.field == "since"
        assert emulator.journal == []
        monkeypatch.setattr("customer_gateway.connectors.ecwid.connector.MAX_CHANGES", 5000)
        edits = await shop.list_changes(old, ChangeType.EDIT, 0, 10)
    assert edits.total == 130  # the seeded customers changed before that


def test_latest_change_per_customer_a_deletion_wins_ties_by_id() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def change(customer_id: str, kind: ChangeType, seconds: int) -> ChangeRecord:
        return ChangeRecord("shop", customer_id, kind, start + timedelta(seconds=seconds))

    edit, delete = ChangeType.EDIT, ChangeType.DELETE
    changes = [
        change("5", edit, 30),  # edited after its deletion (a later re-read): still deleted
        change("5", delete, 10),
        change("17", edit, 5),
        change("17", edit, 20),
        change("3", edit, 20),
    ]
    assert [(c.id, c.change_type, c.changed_at) for c in latest_changes(changes)] == [
        ("5", delete, start + timedelta(seconds=10)),
        ("3", edit, start + timedelta(seconds=20)),
        ("17", edit, start + timedelta(seconds=20)),
    ]


# -- limits, errors, bodies ----------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_429_on_a_write_is_not_sent_again(dialect: str) -> None:
    """(A 429 on a read, and the pause after it: tests/contract.)"""
    emulator = make(dialect, customers=5)
    path = customers_path(emulator)
    add = "/api/json/v1/ecwid/add_customer" if dialect == "ecwid_wrapper" else path
    emulator.faults.add("rate_limit", seconds=1, path=add, method="POST")
    async with connect(emulator) as shop:
        with pytest.raises(UpstreamRateLimited) as write:
            await shop.create_customer(CustomerDraft(email="w@example.com", full_name="W"))
    assert write.value.retry_after == 1.0
    assert [e.method for e in emulator.journal] == ["POST"]  # a write is never re-sent


async def test_600_requests_a_minute_are_paced_before_ecwid_says_429() -> None:
    # Both dialects declare Ecwid's limit (the wrapper forwards every call to one token).
    for connector in (EcwidConnector, EcwidWrapperConnector):
        assert connector.capabilities.rate_limits == {"default": RateLimit(600, 60)}
    emulator = EcwidEmulator(seed=4, customers=5)
    async with connect(emulator) as shop:
        found = await shop.get_customers([str(n) for n in range(1, 601)])
        assert found == [None] * 600
        with pytest.raises(UpstreamRateLimited) as limited:
            await shop.get_customers(["601"])
    # The gateway's own limiter refused the 601st: Ecwid never said 429 ...
    assert [e.status for e in emulator.journal] == [404] * 600
    assert limited.value.http_status is None
    assert (limited.value.retry_after or 0) > 50
    # ... and would have: the same request sent directly is over Ecwid's limit.
    headers = {"Authorization": f"Bearer {emulator.token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url="https://app.ecwid.com"
    ) as direct:
        answer = await direct.get(f"{emulator.base_path}/customers/601", headers=headers)
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 50


class Canned:
    """An upstream that answers every request with one status and body."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = dict(headers or {})
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        self.paths.append(scope["path"])
        headers = [(b"content-type", b"application/json")]
        headers += [(k.encode(), v.encode()) for k, v in self.headers.items()]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


CANARY = "CANARY leaked@example.com secret_xyz Field Customer.email"


def error_body(dialect: str, status: int, text: str) -> dict[str, Any]:
    if dialect == "ecwid":
        return {"errorMessage": text, "errorCode": "X"}
    return {"errors": [{"status": str(status), "title": text}]}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("status", "error_type", "field"),
    [
        (400, UpstreamRejected, "email"),
        (402, Unsupported, None),
        (403, UpstreamAuthFailed, None),
        (401, UpstreamAuthFailed, None),
        (409, Conflict, "email"),
        (415, UpstreamRejected, None),
        (500, UpstreamUnavailable, None),
        (503, UpstreamUnavailable, None),
    ],
)
async def test_errors_are_typed_and_never_echo_the_upstream_text(
    dialect: str, status: int, error_type: type[UpstreamError], field: str | None
) -> None:
    emulator = make(dialect, customers=1)
    app = Canned(status, error_body(dialect, status, CANARY))
    async with connect(emulator, app=app, retries=0) as shop:
        with pytest.raises(UpstreamError) as caught:
            await shop.create_customer(CustomerDraft(email="a@example.com", full_name="A"))
    error = caught.value
    assert type(error) is error_type
    assert (error.source, error.field, error.http_status) == ("shop", field, status)
    for secret in ("CANARY", "leaked@example.com", "secret_xyz", "Field Customer"):
        assert secret not in error.message
        assert secret not in str(error)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_404_names_a_missing_record_or_a_wrong_store(dialect: str) -> None:
    emulator = make(dialect, customers=1)
    app = Canned(404, error_body(dialect, 404, "Store 1003 not found"))
    async with connect(emulator, app=app) as shop:
        assert await shop.get_customers(["5"]) == [None]
        with pytest.raises(NotFound):
            await shop.delete_customer("5")
        with pytest.raises(UpstreamAuthFailed) as wrong_store:
            await shop.list_customers(CustomerQuery())
    assert "1003" not in wrong_store.value.message


async def test_scopes_are_named_and_bad_tokens_refused() -> None:
    emulator = EcwidEmulator(seed=4, customers=3, scopes=("read_customers",))
    async with connect(emulator) as shop:
        with pytest.raises(UpstreamAuthFailed) as scope:
            await shop.create_customer(CustomerDraft(email="s@example.com", full_name="S"))
        await shop.check()
    assert "create_customers" in scope.value.message
    wrong = SourceSettings(
        name="shop",
        kind="ecwid",
        base_url="https://app.ecwid.com",
        credentials={"store_id": Secret("1003"), "token": Secret("secret_wrong")},
    )
    async with build_client(wrong, httpx.ASGITransport(app=emulator.app)) as client:
        with pytest.raises(UpstreamAuthFailed):
            await EcwidConnector(wrong, client).check()
    other_store = EcwidEmulator(seed=4, customers=3, store_id=2024)
    async with connect(other_store, app=emulator.app) as shop:
        with pytest.raises(UpstreamAuthFailed):
            await shop.check()
    wrapper = EcwidWrapperEmulator(seed=4, customers=3)
    async with connect(wrapper, credentials={"api_key": Secret("nope")}) as shop:
        with pytest.raises(UpstreamAuthFailed):
            await shop.list_customers(CustomerQuery())
    # The token travels in the header, never in the query string.
    assert all("token" not in e.query for e in emulator.journal)


def test_settings_are_checked() -> None:
    emulator = EcwidEmulator(seed=4, customers=1)
    bad_store = settings_for(
        emulator, credentials={"store_id": Secret("my-shop"), "token": Secret("t")}
    )
    with pytest.raises(ConfigError, match="store_id"):
        EcwidConnector.validate_settings(bad_store)
    no_token = settings_for(emulator, credentials={"store_id": Secret("1003")})
    with pytest.raises(ConfigError, match="token"):
        EcwidConnector.validate_settings(no_token)
    wrapper = EcwidWrapperEmulator(seed=4, customers=1)
    with pytest.raises(ConfigError, match="path_prefix"):
        EcwidWrapperConnector.validate_settings(
            settings_for(wrapper, options={"path_prefix": "api/json"})
        )
    assert EcwidConnector.required_credentials == ("store_id", "token")
    assert EcwidWrapperConnector.required_credentials == ("api_key",)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("fault", ["malformed", "truncate"])
async def test_malformed_and_truncated_bodies_are_bad_responses(dialect: str, fault: str) -> None:
    emulator = make(dialect, customers=5)
    emulator.faults.add(fault, path=customers_path(emulator), times=None)  # type: ignore[arg-type]
    async with connect(emulator) as shop:
        with pytest.raises(UpstreamBadResponse):
            await shop.list_customers(CustomerQuery(limit=5))
    assert len(emulator.journal) == 1  # the answer came: a body that does not parse is final


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"total": 1, "count": 1, "offset": 0, "limit": 100, "items": [item]}


@pytest.mark.parametrize(
    "item",
    [
        {"id": 5, "email": "a@example.com", "registered": "2024-06-04T21:15:10Z"},
        {"id": 5, "email": "a@example.com", "registered": "2024-06-04 21:15:10"},
        {"id": 5, "email": "a@example.com", "updated": "2024-13-04 21:15:10 +0000"},
        {"id": 5, "email": "a@example.com", "updated": "2024-06-04 21:15:10 +0000\n"},
        {"id": 5, "email": "a@example.com", "updated": "2024-06-04 21:15:10 +00:00"},
        {"id": "5", "email": "a@example.com"},
        {"email": "a@example.com"},
        {"id": 5, "email": 17},
        {"id": 5, "shippingAddresses": {"street": "x"}},
        {"id": 5, "customerGroupId": "VIP"},
        {"id": 5, "taxExempt": "no"},
    ],
)
async def test_wrong_shapes_are_bad_responses(item: dict[str, Any]) -> None:
    emulator = EcwidEmulator(seed=4, customers=1)
    async with connect(emulator, app=Canned(200, page_of(item)), retries=0) as shop:
        with pytest.raises(UpstreamBadResponse):
            await shop.list_customers(CustomerQuery())


async def test_a_sparse_guest_maps_with_nulls_and_offsets_parse() -> None:
    emulator = EcwidEmulator(seed=4, customers=1)
    items = [
        {"id": 5, "email": "guest@example.com"},
        {"id": 6, "email": "", "billingPerson": {}, "registered": "2024-06-04 21:15:10 +0530"},
    ]
    body = {"total": 2, "count": 2, "offset": 0, "limit": 100, "items": items}
    async with connect(emulator, app=Canned(200, body)) as shop:
        page = await shop.list_customers(CustomerQuery())
    guest, other = page.items
    assert (guest.full_name, guest.created_at, guest.phone, guest.addresses) == (
        None,
        None,
        None,
        (),
    )
    assert [(g.id, g.name) for g in guest.groups] == [("0", "General")]
    assert other.email is None
    assert other.created_at == datetime(2024, 6, 4, 15, 45, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [{"data": {"id": "x", "type": "ecwid"}}, {"attributes": {}}, [], {"data": []}],
)
async def test_a_wrong_wrapper_envelope_is_a_bad_response(body: Any) -> None:
    emulator = EcwidWrapperEmulator(seed=4, customers=1)
    async with connect(emulator, app=Canned(200, body), retries=0) as shop:
        with pytest.raises(UpstreamBadResponse):
            await shop.list_customers(CustomerQuery())
        with pytest.raises(UpstreamBadResponse):
            await shop.create_customer(CustomerDraft(email="a@example.com", full_name="A"))


@pytest.mark.parametrize("dialect", [EcwidEmulator, EcwidWrapperEmulator])
@pytest.mark.parametrize("addresses", [False, True])
async def test_a_page_without_metadata_asks_only_for_what_it_maps(
    dialect: type[Emulated], addresses: bool
) -> None:
    """`responseFields` names what the mapping reads: the records are the full answer's, less
    the parts the page did not select."""
    emulator = dialect(seed=11, customers=60)
    async with connect(emulator) as shop:
        full = await shop.list_customers(CustomerQuery(limit=60))
        emulator.reset_journal()
        lean = await shop.list_customers(
            CustomerQuery(limit=60, include_addresses=addresses, include_metadata=False)
        )
    (sent,) = queries(emulator)
    assert sent["responseFields"].startswith("total,items(id,email,")
    assert lean.total == full.total
    expected = [
        replace(record, metadata={}, addresses=record.addresses if addresses else ())
        for record in full.items
    ]
    assert list(lean.items) == expected
    assert any(record.phone for record in lean.items)
    assert any(record.addresses for record in lean.items) == addresses
