"""The Shoptet connector against the Shoptet emulator, over HTTP (ASGI transport).

Expected values come from the emulator's own objects (`customer_objects()`, `group_objects()`,
`region_objects()`) and its request journal, never from the connector's mapping code.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    Unsupported,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from customer_gateway.connectors.models import (
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
)
from customer_gateway.connectors.shoptet import ShoptetConnector
from customer_gateway.connectors.shoptet import connector as shoptet_module
from customer_gateway.connectors.transport import build_client
from customer_gateway.core.errors import QueryTooComplex
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.server.settings import Secret, SourceSettings
from tests.api.shoptet_fixtures import FAST_POLLS as POLLS
from tests.api.shoptet_fixtures import HOOK_URL, FakeClock, InFlight, ResultFault, shoptet_time

pytestmark = pytest.mark.anyio

FAST_POLLS = list(POLLS)
GUID_PATH = re.compile(r"^/api/customers/[0-9a-f-]{36}$")


def shoptet(**options: Any) -> ShoptetEmulator:
    options.setdefault("seed", 7)
    options.setdefault("customers", 24)
    options.setdefault("rate_limits", False)
    options.setdefault("job_seconds", 0.2)
    return ShoptetEmulator(**options)


@asynccontextmanager
async def connect(
    emulator: ShoptetEmulator | None = None,
    *,
    app: ASGIApp | None = None,
    token: str | None = None,
    **options: Any,
) -> AsyncIterator[ShoptetConnector]:
    """A connector named `shop` over `app` (default: the emulator's own app)."""
    assert emulator is not None or app is not None
    settings = SourceSettings(
        name="shop",
        kind="shoptet",
        base_url="http://shop.test",
        credentials={
            "token": Secret(token if token is not None else emulator.token if emulator else "")
        },
        options=options,
    )
    transport = httpx.ASGITransport(app=app if app is not None else emulator.app)  # type: ignore[union-attr]
    async with build_client(settings, transport) as client:
        yield ShoptetConnector(settings, client)


async def drain(shop: ShoptetConnector, into: list[CustomerRecord] | None = None) -> int:
    """Run the export to its end; the records go to `into`."""
    count = 0
    async for record in shop.export_customers():
        count += 1
        if into is not None:
            into.append(record)
    return count


def lines(emulator: ShoptetEmulator) -> list[str]:
    return [f"{e.method} {e.path} {e.status}" for e in emulator.journal]


def shoptet_datetime(text: str | None) -> datetime | None:
    return shoptet_time(text)


# -- an independent reading of Shoptet's customer object (README 1.6 and 5.1) ---------------


def main_account(obj: dict[str, Any]) -> dict[str, Any] | None:
    accounts: list[dict[str, Any]] = obj["accounts"]
    return next((a for a in accounts if a["mainAccount"]), accounts[0] if accounts else None)


def expected_name(obj: dict[str, Any]) -> str | None:
    account = main_account(obj) or {}
    billing = obj["billingAddress"]
    name: str | None = billing["fullName"] or account.get("fullName") or billing["company"]
    return name


def expected_addresses(obj: dict[str, Any]) -> list[tuple[Any, ...]]:
    def line(address: dict[str, Any]) -> str | None:
        parts = [address["street"], address["houseNumber"]]
        return " ".join(p for p in parts if p) or None

    billing = obj["billingAddress"]
    rows: list[tuple[Any, ...]] = []
    if any(billing[key] for key in ("fullName", "company", "street", "city", "zip")):
        rows.append(
            (
                "billing",
                None,
                billing["fullName"],
                billing["company"],
                line(billing),
                billing["additional"],
                billing["city"],
                billing["zip"],
                billing["countryCode"],
                billing["regionShortcut"],
                billing["regionName"],
                None,
            )
        )
    rows.extend(
        (
            "delivery",
            address["guid"],
            address["fullName"],
            address["company"],
            line(address),
            address["additional"],
            address["city"],
            address["zip"],
            address["countryCode"],
            address["regionShortcut"],
            address["regionName"],
            address.get("isDefault"),
        )
        for address in obj["deliveryAddress"]
    )
    return rows


def address_rows(record: CustomerRecord) -> list[tuple[Any, ...]]:
    return [
        (
            a.kind,
            a.id,
            a.full_name,
            a.company,
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


def assert_detail(record: CustomerRecord | None, obj: dict[str, Any]) -> None:
    assert record is not None
    account = main_account(obj)
    assert record.source == "shop"
    assert record.id == obj["guid"]
    assert record.numeric_id == int(obj["adminUrl"].rsplit("?id=", 1)[1])
    assert record.email == (account["email"] if account else None)
    assert record.phone == (account["phone"] if account else None)
    assert record.full_name == expected_name(obj)
    assert record.status == (0 if account and account["authorized"] is False else 1)
    assert record.created_at == shoptet_datetime(obj["creationTime"])
    assert record.updated_at == shoptet_datetime(obj["changeTime"])
    group = obj["customerGroup"]
    assert [(g.id, g.numeric_id, g.name) for g in record.groups] == (
        [(str(group["id"]), group["id"], group["name"])] if group else []
    )
    assert address_rows(record) == expected_addresses(obj)
    assert record.edit_url == obj["adminUrl"]
    assert record.missing == frozenset()
    for key in ("remark", "birthDate"):
        assert record.metadata.get(key) == obj[key]
    assert record.metadata["priceRatio"] == obj["priceRatio"]
    assert record.metadata["disabledOrders"] == obj["disabledOrders"]
    assert record.metadata.get("priceList") == obj["priceList"]
    for key in ("companyId", "vatId", "taxId"):
        assert record.metadata.get(key) == obj["billingAddress"][key]


# -- lists ---------------------------------------------------------------------------------


async def test_list_summaries_map_every_field() -> None:
    emulator = shoptet()
    # A company whose billing block has no person: the list names it by the company.
    company = emulator.add_customer(
        email="nakup@firma.cz",
        billingAddress={"company": "Firma Novák s.r.o.", "countryCode": "CZ"},
    )
    # No billing name, but a login name: the list cannot know the name (README 5.1 precedence).
    login_named = emulator.add_customer(
        email="jana@example.cz",
        fullName="Jana Dvořáková",
        billingAddress={"company": "Dvořáková a syn", "countryCode": "CZ"},
    )
    nameless = emulator.add_customer(email="anonym@example.cz", creationTime=None)
    async with connect(emulator) as shop:
        page = await shop.list_customers(CustomerQuery(limit=None))
    objects = emulator.customer_objects()
    assert page.total == 27 == len(objects)
    assert [r.id for r in page.items] == [o["guid"] for o in objects]
    for record, obj in zip(page.items, objects, strict=True):
        assert record.numeric_id == int(obj["adminUrl"].split("?id=")[1])
        assert record.edit_url == obj["adminUrl"]
        assert record.created_at == shoptet_datetime(obj["creationTime"])
        assert record.updated_at == shoptet_datetime(obj["changeTime"])
        assert (record.email, record.phone, record.groups) == (None, None, ())
        assert {"email", "phone", "status", "groups", "addresses"} <= record.missing
    by_id = {r.id: r for r in page.items}
    first = by_id[objects[0]["guid"]]
    assert first.full_name == objects[0]["billingAddress"]["fullName"]
    assert "full_name" not in first.missing
    assert by_id[company["guid"]].full_name == "Firma Novák s.r.o."
    assert by_id[company["guid"]].numeric_id == 25
    # The detail would say "Jana Dvořáková": the summary must not claim to know the name.
    assert "full_name" in by_id[login_named["guid"]].missing
    assert by_id[nameless["guid"]].full_name is None
    assert by_id[nameless["guid"]].created_at is None
    assert "full_name" in by_id[nameless["guid"]].missing
    assert lines(emulator) == ["GET /api/customers 200"]
    assert emulator.journal[0].query == "page=1&itemsPerPage=1000"


async def test_offset_and_limit_spanning_two_upstream_pages() -> None:
    emulator = shoptet(customers=1500)
    guids = [o["guid"] for o in emulator.customer_objects()]
    async with connect(emulator) as shop:
        across = await shop.list_customers(CustomerQuery(offset=990, limit=20))
        queries_across = [e.query for e in emulator.journal]
        emulator.reset_journal()
        aligned = await shop.list_customers(CustomerQuery(offset=40, limit=20))
        queries_aligned = [e.query for e in emulator.journal]
        emulator.reset_journal()
        tail = await shop.list_customers(CustomerQuery(offset=1480, limit=40))
        emulator.reset_journal()
        everything = await shop.list_customers(CustomerQuery(offset=10, limit=None))
        queries_everything = sorted(e.query for e in emulator.journal)
    assert (across.total, aligned.total, tail.total, everything.total) == (1500,) * 4
    assert [r.id for r in across.items] == guids[990:1010]
    assert sorted(queries_across) == [
        "page=1&itemsPerPage=1000",
        "page=2&itemsPerPage=1000",
    ]
    assert [r.id for r in aligned.items] == guids[40:60]
    assert queries_aligned == ["page=3&itemsPerPage=20"]
    assert [r.id for r in tail.items] == guids[1480:]
    # limit None is "all of them" (CustomerQuery), not "one upstream page"
    assert [r.id for r in everything.items] == guids[10:]
    assert queries_everything == ["page=1&itemsPerPage=1000", "page=2&itemsPerPage=1000"]


async def test_email_and_phone_are_pushed_down() -> None:
    emulator = shoptet()
    target = emulator.customer_objects()[5]
    email = target["accounts"][0]["email"]
    phone = next(
        o["accounts"][0]["phone"] for o in emulator.customer_objects() if o["accounts"][0]["phone"]
    )
    async with connect(emulator) as shop:
        by_email = await shop.list_customers(
            CustomerQuery(conditions=(Condition(FilterField.EMAIL, Op.EQ, (email.upper(),)),))
        )
        # Written the way people write it: the gateway compares phones without separators.
        formatted = f"{phone[:4]} {phone[4:7]}-{phone[7:10]}-{phone[10:]}"
        by_phone = await shop.list_customers(
            CustomerQuery(conditions=(Condition(FilterField.PHONE, Op.EQ, (formatted,)),))
        )
        nobody = await shop.list_customers(
            CustomerQuery(conditions=(Condition(FilterField.EMAIL, Op.EQ, ("no@one.cz",)),))
        )
    # Shoptet matches e-mails case-insensitively: a superset the gateway re-checks.
    assert [r.id for r in by_email.items] == [target["guid"]]
    phone_owner = next(o for o in emulator.customer_objects() if o["accounts"][0]["phone"] == phone)
    assert [r.id for r in by_phone.items] == [phone_owner["guid"]]
    assert (by_email.total, by_phone.total, nobody.total, list(nobody.items)) == (1, 1, 0, [])
    sent = [httpx.QueryParams(e.query) for e in emulator.journal]
    assert sent[0]["email"] == email.upper()
    assert sent[1]["phone"] == phone
    assert "+" not in emulator.journal[1].query  # encoded as %2B (README 1.5)
    assert ShoptetConnector.capabilities.sorts == frozenset()


# -- details -------------------------------------------------------------------------------


async def test_detail_maps_every_field() -> None:
    emulator = shoptet()
    specials = [
        # billing name first
        emulator.add_customer(
            email="a@example.cz",
            fullName="Login Name",
            phone="+420601222333",
            billingAddress={
                "fullName": "Billing Name",
                "company": "Firma a.s.",
                "street": "Korunní",
                "houseNumber": "12",
                "city": "Praha",
                "zip": "120 00",
                "countryCode": "CZ",
                "regionName": "Hlavní město Praha",
                "companyId": "12345678",
                "vatId": "CZ12345678",
                "taxId": "CZ12345678",
            },
            customerGroupCode="vip",
            remark="Stálý zákazník",
            birthDate="1980-02-03",
            pricelistId=2,
            deliveryAddress=[
                {
                    "fullName": "Sklad",
                    "street": "Dlouhá",
                    "houseNumber": "5",
                    "city": "Brno",
                    "zip": "602 00",
                    "countryCode": "CZ",
                    "regionName": "Jihomoravský kraj",
                },
                {
                    "company": "Pobočka",
                    "street": "Hlavná",
                    "city": "Košice",
                    "zip": "040 01",
                    "countryCode": "SK",
                    "isDefault": False,
                },
            ],
        ),
        # then the main account's name
        emulator.add_customer(
            email="b@example.cz",
            fullName="Only Login",
            billingAddress={"company": "Company B", "countryCode": "CZ"},
        ),
        # then the company; an unapproved login is status 0; no registration time
        emulator.add_customer(
            email="c@example.cz",
            authorized=False,
            billingAddress={"company": "Company C", "countryCode": "SK"},
            creationTime=None,
        ),
        # nothing at all: no name, no address
        emulator.add_customer(email="d@example.cz"),
    ]
    objects = {o["guid"]: o for o in emulator.customer_objects()}
    async with connect(emulator) as shop:
        records = await shop.get_customers(list(objects))
    for record, obj in zip(records, objects.values(), strict=True):
        assert_detail(record, obj)
    got = {r.id: r for r in records if r is not None}
    first, second, third, fourth = (got[s["guid"]] for s in specials)
    assert first.full_name == "Billing Name"
    assert first.groups[0].name == "VIP"
    assert [a.address1 for a in first.addresses] == ["Korunní 12", "Dlouhá 5", "Hlavná"]
    assert first.addresses[0].province_code == "PHA"
    assert first.addresses[1].province_code == "JHM"
    assert first.addresses[2].country_code == "SK"
    assert first.metadata["priceList"] == objects[specials[0]["guid"]]["priceList"]
    assert first.metadata["remark"] == "Stálý zákazník"
    assert first.metadata["vatId"] == "CZ12345678"
    assert first.phone == "+420601222333"
    assert second.full_name == "Only Login"
    assert (third.full_name, third.status, third.created_at) == ("Company C", 0, None)
    assert third.updated_at is not None
    assert (fourth.full_name, fourth.addresses, fourth.status) == (None, (), 1)
    unapproved = [o for o in objects.values() if not o["accounts"][0]["authorized"]]
    assert all(got[o["guid"]].status == 0 for o in unapproved)


async def test_batched_details_keep_three_in_flight_and_skip_invalid_ids() -> None:
    emulator = shoptet(
        customers=12, rate_limits=True, max_connections_per_token=3, latency_seconds=0.03
    )
    guids = [o["guid"] for o in emulator.customer_objects()]
    unknown = "00000000-0000-1000-8000-000000000000"
    counted = InFlight(emulator.app)
    async with connect(emulator, app=counted) as shop:
        found = await shop.get_customers([*guids, "not a guid/../x", unknown, guids[0]])
    assert [r.id if r else None for r in found] == [*guids, None, None, guids[0]]
    details = [e for e in emulator.journal if GUID_PATH.match(e.path)]
    assert len(details) == 13  # 12 known + 1 unknown; the invalid id is answered locally
    assert sorted(e.status for e in details) == [200] * 12 + [404]
    assert all(e.status != 429 for e in emulator.journal)
    assert counted.peak == 3  # concurrent, and never a 4th (Shoptet would answer 429)
    assert await shop.get_customers([]) == []


async def test_the_connection_limit_is_real() -> None:
    """Without the connector's cap the same burst meets 429s: the test above can fail."""
    emulator = shoptet(
        customers=6, rate_limits=True, max_connections_per_token=3, latency_seconds=0.03
    )
    guids = [o["guid"] for o in emulator.customer_objects()]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url="http://shop.test"
    ) as raw:
        answers = await asyncio.gather(
            *(
                raw.get(
                    f"/api/customers/{g}", headers={"Shoptet-Private-API-Token": emulator.token}
                )
                for g in guids
            )
        )
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 429, 429, 429]


# -- customer writes -----------------------------------------------------------------------


async def test_create_customer_with_account_fields_and_group_code() -> None:
    emulator = shoptet()
    async with connect(emulator) as shop:
        record = await shop.create_customer(
            CustomerDraft(
                email="nova@example.cz",
                full_name="Nová Zákaznice",
                phone="+420777888999",
                status=0,
                group_ids=("3",),
            )
        )
    obj = next(o for o in emulator.customer_objects() if o["guid"] == record.id)
    account = obj["accounts"][0]
    assert (account["email"], account["fullName"], account["phone"], account["authorized"]) == (
        "nova@example.cz",
        "Nová Zákaznice",
        "+420777888999",
        False,
    )
    assert obj["customerGroup"] == {"id": 3, "name": "VIP"}
    assert_detail(record, obj)
    assert (record.email, record.full_name, record.status) == (
        "nova@example.cz",
        "Nová Zákaznice",
        0,
    )
    assert lines(emulator) == [
        "GET /api/customers 200",  # the duplicate check
        "GET /api/customers/groups 200",  # group id -> code
        "POST /api/customers 201",
    ]
    assert httpx.QueryParams(emulator.journal[0].query)["email"] == "nova@example.cz"


async def test_create_refuses_duplicates_and_passwords_before_posting() -> None:
    emulator = shoptet()
    taken = emulator.customer_objects()[3]["accounts"][0]["email"]
    async with connect(emulator) as shop:
        with pytest.raises(Conflict) as duplicate:
            await shop.create_customer(CustomerDraft(email=taken.upper(), full_name="Dup"))
        with pytest.raises(Unsupported) as password:
            await shop.create_customer(
                CustomerDraft(email="p@example.cz", full_name="P", password="secret-99")
            )
        with pytest.raises(UpstreamRejected) as no_group:
            await shop.create_customer(
                CustomerDraft(email="r@example.cz", full_name="R", group_ids=("99",))
            )
    assert duplicate.value.field == "email"
    assert password.value.field == "password"
    assert no_group.value.field == "groupId"
    assert not emulator.requests("POST")
    assert len(emulator.customer_objects()) == 24


async def test_update_patches_the_main_account_and_the_customer() -> None:
    emulator = shoptet()
    obj = emulator.customer_objects()[2]
    guid, account_guid = obj["guid"], obj["accounts"][0]["guid"]
    assert obj["billingAddress"]["fullName"]
    async with connect(emulator) as shop:
        record = await shop.update_customer(
            guid,
            CustomerPatch(
                email="zmena@example.cz",
                full_name="Změněné Jméno",
                phone="+421900111222",
                status=0,
                group_ids=("4",),
            ),
        )
    after = next(o for o in emulator.customer_objects() if o["guid"] == guid)
    account = after["accounts"][0]
    assert (account["email"], account["fullName"], account["phone"], account["authorized"]) == (
        "zmena@example.cz",
        "Změněné Jméno",
        "+421900111222",
        False,
    )
    assert after["billingAddress"]["fullName"] == "Změněné Jméno"
    assert after["billingAddress"]["street"] == obj["billingAddress"]["street"]
    assert after["customerGroup"] == {"id": 4, "name": "Velkoobchod"}
    assert_detail(record, after)
    assert lines(emulator) == [
        f"GET /api/customers/{guid} 200",
        "GET /api/customers 200",  # is the new e-mail someone else's?
        "GET /api/customers/groups 200",
        f"PATCH /api/customers/{guid}/accounts/{account_guid} 200",
        f"PATCH /api/customers/{guid} 200",
    ]


async def test_update_of_account_fields_only_and_of_a_customer_without_billing_name() -> None:
    emulator = shoptet()
    plain = emulator.add_customer(email="plain@example.cz", fullName="Plain")
    async with connect(emulator) as shop:
        record = await shop.update_customer(plain["guid"], CustomerPatch(full_name="Renamed"))
    after = next(o for o in emulator.customer_objects() if o["guid"] == plain["guid"])
    assert after["accounts"][0]["fullName"] == "Renamed"
    assert after["billingAddress"]["fullName"] is None  # not set before, not invented now
    assert record.full_name == "Renamed"
    assert [e.method for e in emulator.journal] == ["GET", "PATCH", "GET"]


async def test_update_errors() -> None:
    emulator = shoptet()
    obj = emulator.customer_objects()[0]
    guid = obj["guid"]
    async with connect(emulator) as shop:
        with pytest.raises(Unsupported) as no_code:
            await shop.update_customer(guid, CustomerPatch(group_ids=("1",)))
        with pytest.raises(NotFound):
            await shop.update_customer(
                "00000000-0000-1000-8000-000000000000", CustomerPatch(full_name="X")
            )
        with pytest.raises(NotFound):
            await shop.update_customer("bad/guid", CustomerPatch(full_name="X"))
        with pytest.raises(Unsupported):
            await shop.update_customer(guid, CustomerPatch(password="secret-99"))
        with pytest.raises(Unsupported) as no_group:  # "in no group" is not a Shoptet state
            await shop.update_customer(guid, CustomerPatch(group_ids=()))
        assert no_group.value.field == "groupIds"
        # Someone else's e-mail (any case) is a conflict, as on create, and nothing is written.
        taken = emulator.customer_objects()[1]["accounts"][0]["email"]
        with pytest.raises(Conflict) as duplicate:
            await shop.update_customer(
                guid, CustomerPatch(email=taken.upper(), full_name="Nový", group_ids=("3",))
            )
        assert duplicate.value.field == "email"
        # Its own e-mail in another case is not.
        own = obj["accounts"][0]["email"]
        await shop.update_customer(guid, CustomerPatch(email=own.upper()))
        assert emulator.customer_objects()[0]["accounts"][0]["email"] == own.upper()
        assert len(emulator.requests("PATCH")) == 1
        emulator.reset_journal()
        # Another identical customer write is running (Shoptet's URL lock, README 1.2): the
        # account PATCH lands, the customer PATCH answers 423.
        lock = emulator.pipeline.locks.try_acquire(f"PATCH /api/customers/{guid}?")
        assert lock is not None
        with pytest.raises(Conflict) as half:
            await shop.update_customer(
                guid, CustomerPatch(email="half@example.cz", group_ids=("3",))
            )
    assert half.value.http_status == 423
    assert "the login account changes were applied" in half.value.message
    assert "the login account changes were applied" in str(half.value)
    after = next(o for o in emulator.customer_objects() if o["guid"] == guid)
    assert after["accounts"][0]["email"] == "half@example.cz"
    assert after["customerGroup"] == obj["customerGroup"]
    assert no_code.value.field == "groupId"


# -- groups and regions --------------------------------------------------------------------


async def test_groups_and_regions() -> None:
    emulator = shoptet()
    async with connect(emulator) as shop:
        groups = await shop.list_groups()
        some = await shop.get_groups(["3", "99"])
        regions = await shop.list_regions()
    assert [(g.id, g.numeric_id, g.name) for g in groups] == [
        (str(g["id"]), g["id"], g["name"]) for g in emulator.group_objects()
    ]
    assert [g.metadata.get("customerGroupCode") for g in groups] == [
        g["customerGroupCode"] for g in emulator.group_objects()
    ]
    assert [g.name if g else None for g in some] == ["VIP", None]
    assert [(r.id, r.name, r.code, r.country_code) for r in regions] == [
        (str(r["id"]), r["regionName"], r["regionShortcut"], r["countryCode"])
        for r in emulator.region_objects()
    ]
    assert {r.country_code for r in regions} == {"CZ", "SK"}


async def test_group_writes() -> None:
    emulator = shoptet()
    async with connect(emulator) as shop:
        created = await shop.create_group(GroupDraft(name="Partneři"))
        renamed = await shop.update_group(created.id, GroupPatch(name="Partneři plus"))
        with pytest.raises(Conflict) as duplicate:
            await shop.create_group(GroupDraft(name="vip"))
        with pytest.raises(Conflict):
            await shop.update_group(created.id, GroupPatch(name="Registrovaní"))
        same = await shop.update_group("3", GroupPatch(name="VIP"))  # its own name is fine
        await shop.delete_group(created.id)
        with pytest.raises(Conflict) as default:
            await shop.delete_group("1")
        with pytest.raises(NotFound):
            await shop.delete_group(created.id)
        with pytest.raises(NotFound):
            await shop.update_group("99", GroupPatch(name="Nikdo"))
        with pytest.raises(NotFound):
            await shop.delete_group("x1")
    assert (created.id, created.name) == ("5", "Partneři")
    assert "customerGroupCode" not in created.metadata  # the API promises no code
    assert (renamed.id, renamed.name) == ("5", "Partneři plus")
    assert same.name == "VIP"
    assert duplicate.value.field == "groupName"
    assert default.value.http_status == 422
    assert "default customer group" in default.value.message
    assert [g["id"] for g in emulator.group_objects()] == [1, 2, 3, 4]
    writes = [line for line in lines(emulator) if not line.startswith("GET")]
    assert writes == [
        "POST /api/customers/groups 201",
        "PATCH /api/customers/groups/5 200",
        "PATCH /api/customers/groups/3 200",
        "DELETE /api/customers/groups/5 200",
        "DELETE /api/customers/groups/1 422",
        "DELETE /api/customers/groups/5 404",
        "PATCH /api/customers/groups/99 404",
    ]


# -- change feed ---------------------------------------------------------------------------


async def test_change_feed() -> None:
    clock = FakeClock()
    emulator = shoptet(clock=clock)
    objects = emulator.customer_objects()
    a, b, c = (o["guid"] for o in objects[:3])
    since = datetime.fromtimestamp(clock.now, UTC)
    async with connect(emulator) as shop:
        clock.advance(10)
        await shop.update_customer(a, CustomerPatch(full_name="A1"))
        clock.advance(10)
        await shop.update_customer(b, CustomerPatch(full_name="B1"))
        clock.advance(10)
        await shop.update_customer(a, CustomerPatch(full_name="A2"))
        clock.advance(10)
        await shop.delete_customer(c)
        clock.advance(10)
        new = await shop.create_customer(CustomerDraft(email="n@example.cz", full_name="N"))
        everything = await shop.list_changes(since, None, 0, 20)
        deletes = await shop.list_changes(since, ChangeType.DELETE, 0, 20)
        edits = await shop.list_changes(since, ChangeType.EDIT, 0, 20)
        second = await shop.list_changes(since, None, 1, 2)
        later = await shop.list_changes(since + timedelta(seconds=35), None, 0, 20)
    start = since.timestamp()
    assert [
        (ch.id, ch.change_type, ch.changed_at.timestamp() - start) for ch in everything.items
    ] == [
        (b, ChangeType.EDIT, 20),
        (a, ChangeType.EDIT, 30),
        (c, ChangeType.DELETE, 40),
        (new.id, ChangeType.EDIT, 50),
    ]
    assert everything.total == 4
    assert all(ch.source == "shop" for ch in everything.items)
    assert [(ch.id, ch.change_type) for ch in deletes.items] == [(c, ChangeType.DELETE)]
    assert [ch.id for ch in edits.items] == [b, a, new.id]
    assert [ch.id for ch in second.items] == [a, c]
    assert [ch.id for ch in later.items] == [c, new.id]
    queries = [
        httpx.QueryParams(e.query) for e in emulator.requests("GET", "/api/customers/changes")
    ]
    assert [q.get("changeType") for q in queries] == [None, "delete", "edit", None, None]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", queries[0]["from"])


async def test_change_feed_pages_twenty_at_a_time() -> None:
    clock = FakeClock()
    emulator = shoptet(clock=clock, customers=3)
    since = datetime.fromtimestamp(clock.now, UTC)
    for index in range(45):
        clock.advance(1)
        emulator.add_customer(email=f"c{index}@example.cz")
    guids = [o["guid"] for o in emulator.customer_objects()[3:]]
    async with connect(emulator) as shop:
        feed = await shop.list_changes(since, None, 0, 100)
        middle = await shop.list_changes(since, None, 19, 3)
    assert [ch.id for ch in feed.items] == guids
    assert feed.total == 45
    assert [ch.id for ch in middle.items] == guids[19:22]
    pages = sorted(httpx.QueryParams(e.query)["page"] for e in emulator.journal)
    assert pages == ["1", "1", "2", "2", "3", "3"]


async def test_a_change_during_paging_is_reported_once() -> None:
    """Shoptet keeps one row per customer, ordered by time: a customer changed while the pages
    are read moves to the end and can be seen twice (README 1.4: items can shift)."""
    clock = FakeClock()
    emulator = shoptet(clock=clock, customers=3)
    since = datetime.fromtimestamp(clock.now, UTC)
    for index in range(30):
        clock.advance(1)
        emulator.add_customer(email=f"c{index}@example.cz")
    guids = [o["guid"] for o in emulator.customer_objects()[3:]]
    changed = guids[2]

    reads: list[str] = []

    async def change_after_the_first_page(scope: Scope, receive: Receive, send: Send) -> None:
        await emulator.app(scope, receive, send)
        reads.append(scope["query_string"].decode())
        if len(reads) == 1:  # once, right after the first page was served
            clock.advance(1)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=emulator.app), base_url="http://shop.test"
            ) as other:
                answer = await other.patch(
                    f"/api/customers/{changed}",
                    json={"data": {"remark": "změna"}},
                    headers={"Shoptet-Private-API-Token": emulator.token},
                )
                assert answer.status_code == 200

    async with connect(emulator, app=change_after_the_first_page) as shop:
        feed = await shop.list_changes(since, None, 0, 100)
    ids = [change.id for change in feed.items]
    assert ids == [g for g in guids if g != changed] + [changed]
    assert feed.total == 30
    assert feed.items[-1].changed_at.timestamp() == clock.now
    # The pages disagreed (30 rows, 29 customers), so the feed was read a second time.
    assert sorted(httpx.QueryParams(q)["page"] for q in reads) == ["1", "1", "2", "2"]


async def test_too_many_changes_is_refused_after_one_request() -> None:
    clock = FakeClock()
    emulator = shoptet(clock=clock, customers=1)
    since = datetime.fromtimestamp(clock.now, UTC)
    for index in range(shoptet_module.MAX_CHANGES + 1):
        emulator.add_customer(email=f"c{index}@example.cz")
    async with connect(emulator) as shop:
        with pytest.raises(QueryTooComplex) as refused:
            await shop.list_changes(since, None, 0, 20)
    assert refused.value.source == "shop"
    assert "2001" in refused.value.message
    assert len(emulator.journal) == 1


# -- snapshot export -----------------------------------------------------------------------


async def test_export_registers_the_webhook_once_and_streams_every_customer() -> None:
    emulator = shoptet(customers=600, job_seconds=0.15)
    emulator.add_customer(email="posledni@example.cz", fullName="Poslední", creationTime=None)
    objects = emulator.customer_objects()
    async with connect(emulator, webhook_url=HOOK_URL, job_poll_seconds=FAST_POLLS) as shop:
        records = [record async for record in shop.export_customers()]
        again = [record.id async for record in shop.export_customers()]
    assert len(records) == len(objects) == 601
    assert [r.id for r in records] == [o["guid"] for o in objects] == again
    for record, obj in zip(records[:50], objects[:50], strict=True):
        assert_detail(record, obj)
    assert_detail(records[-1], objects[-1])
    assert len(emulator.requests("POST", "/api/webhooks")) == 1
    assert len(emulator.requests("GET", "/api/webhooks")) == 1  # looked up once
    assert len(emulator.requests("GET", "/api/customers/snapshot")) == 2
    polls = emulator.requests("GET", "/api/system/jobs/")
    assert 2 <= len(polls) <= 20
    assert all(p.status == 200 for p in polls)
    finished = [d for d in emulator.webhook_deliveries if d.event == "job:finished"]
    assert [d.url for d in finished] == [HOOK_URL, HOOK_URL]


async def test_export_uses_an_existing_webhook_and_needs_one() -> None:
    emulator = shoptet(customers=5)
    async with connect(emulator) as shop:
        with pytest.raises(Unsupported) as unsupported:
            await drain(shop)
    assert "webhook_url" in unsupported.value.message
    assert lines(emulator) == ["GET /api/webhooks 200"]
    emulator.reset_journal()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url="http://shop.test"
    ) as raw:
        answer = await raw.post(
            "/api/webhooks",
            json={"data": [{"event": "job:finished", "url": "https://other.example.com/hook"}]},
            headers={"Shoptet-Private-API-Token": emulator.token},
        )
        assert answer.status_code == 201
    emulator.reset_journal()
    async with connect(emulator, job_poll_seconds=FAST_POLLS) as shop:
        count = len([record async for record in shop.export_customers()])
    assert count == 5
    assert not emulator.requests("POST")


async def test_a_webhook_removed_since_is_registered_again() -> None:
    """Someone deletes the job:finished webhook in Shoptet's admin between two exports."""
    emulator = shoptet(customers=5)
    async with connect(emulator, webhook_url=HOOK_URL, job_poll_seconds=FAST_POLLS) as shop:
        assert await drain(shop) == 5
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=emulator.app), base_url="http://shop.test"
        ) as admin:
            hooks = await admin.get(
                "/api/webhooks", headers={"Shoptet-Private-API-Token": emulator.token}
            )
        hook = hooks.json()["data"]["webhooks"][0]
        assert hook["event"] == "job:finished"
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=emulator.app), base_url="http://shop.test"
        ) as admin:
            removed = await admin.delete(
                f"/api/webhooks/{hook['id']}",
                headers={"Shoptet-Private-API-Token": emulator.token},
            )
            assert removed.status_code == 200
        emulator.reset_journal()
        assert await drain(shop) == 5
    assert lines(emulator)[:4] == [
        "GET /api/customers/snapshot 403",
        "GET /api/webhooks 200",
        "POST /api/webhooks 201",
        "GET /api/customers/snapshot 202",
    ]


async def test_the_result_download_does_not_carry_the_token() -> None:
    """The result URL is on the e-shop's domain and pre-signed (README 1.8)."""
    emulator = shoptet(customers=3)
    seen: list[dict[str, str]] = []

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api-results/"):
            seen.append({k.decode().lower(): v.decode() for k, v in scope["headers"]})
        await emulator.app(scope, receive, send)

    async with connect(
        emulator, app=recording, webhook_url=HOOK_URL, job_poll_seconds=FAST_POLLS
    ) as shop:
        assert await drain(shop) == 3
    assert len(seen) == 1
    assert "shoptet-private-api-token" not in seen[0]
    assert emulator.token not in " ".join(seen[0].values())


async def test_polling_stops_at_ten_unfinished_polls() -> None:
    emulator = shoptet(customers=5, job_seconds=30)
    async with connect(emulator, webhook_url=HOOK_URL, job_poll_seconds=[0.01] * 12) as shop:
        with pytest.raises(UpstreamTimeout):
            await drain(shop)
    polls = emulator.requests("GET", "/api/system/jobs/")
    assert len(polls) == 10  # the 11th would be refused with 403 (README 1.8)
    assert all(p.status == 200 for p in polls)


async def test_a_job_that_ends_badly_is_a_typed_error() -> None:
    clock = FakeClock()
    emulator = shoptet(customers=5, clock=clock, job_seconds=60)

    async def expire_after_the_start(scope: Scope, receive: Receive, send: Send) -> None:
        await emulator.app(scope, receive, send)
        if scope["type"] == "http" and scope["path"] == "/api/customers/snapshot":
            clock.advance(60 + 24 * 3600 + 1)  # the job finished, and its result expired unseen

    async with connect(
        emulator,
        app=expire_after_the_start,
        webhook_url=HOOK_URL,
        job_poll_seconds=[0.05] * 3,
    ) as shop:
        with pytest.raises(UpstreamUnavailable) as failed:
            await drain(shop)
    assert "expired" in failed.value.message
    assert failed.value.source == "shop"
    assert not emulator.requests("GET", "/api-results/")


@pytest.mark.parametrize("mode", ["truncate", "not-json", "not-gzip"])
async def test_a_broken_result_file_is_a_bad_response(mode: str) -> None:
    emulator = shoptet(customers=40)
    async with connect(
        emulator,
        app=ResultFault(emulator.app, mode),
        webhook_url=HOOK_URL,
        job_poll_seconds=FAST_POLLS,
    ) as shop:
        seen: list[CustomerRecord] = []
        with pytest.raises(UpstreamBadResponse) as bad:
            await drain(shop, seen)
    assert bad.value.source == "shop"
    assert "snapshot" in bad.value.message
    # Records stream as they arrive: a truncation is noticed at the end of what did arrive.
    assert len(seen) == {"not-json": 3, "not-gzip": 0, "truncate": 39}[mode]


async def test_a_result_in_tiny_chunks_is_parsed_line_by_line() -> None:
    emulator = shoptet(customers=40)
    async with connect(
        emulator,
        app=ResultFault(emulator.app, "small-chunks"),
        webhook_url=HOOK_URL,
        job_poll_seconds=FAST_POLLS,
    ) as shop:
        records = [record async for record in shop.export_customers()]
    objects = emulator.customer_objects()
    assert [r.id for r in records] == [o["guid"] for o in objects]
    for record, obj in zip(records, objects, strict=True):
        assert_detail(record, obj)


# -- error mapping -------------------------------------------------------------------------


async def test_a_wrong_token_is_an_auth_failure() -> None:
    emulator = shoptet()
    async with connect(emulator, token="wrong-canary-token") as shop:
        with pytest.raises(UpstreamAuthFailed) as refused:
            await shop.list_customers(CustomerQuery())
        with pytest.raises(UpstreamAuthFailed):
            await shop.check()
    assert refused.value.http_status == 401
    assert "wrong-canary-token" not in repr(refused.value) + refused.value.message


async def test_a_full_bucket_is_rate_limited_with_the_retry_after_date() -> None:
    # Capacity 3, draining one drop every 10 s: the 4th request finds the bucket full.
    emulator = shoptet(rate_limits=True, bucket_capacity=3, bucket_drain_per_second=0.1)
    async with connect(emulator) as shop:
        for _ in range(3):
            await shop.list_regions()
        with pytest.raises(UpstreamRateLimited) as limited:
            await shop.list_regions()
    assert [e.status for e in emulator.journal] == [200, 200, 200, 429]
    error = limited.value
    assert error.http_status == 429
    assert error.retry_after is not None
    # Level ~3 of 3: room for one drop once 1 drop has drained, i.e. in ~10 s (HTTP-date, whole
    # seconds, rounded up).
    assert 8.5 <= error.retry_after <= 11.0
    assert error.extensions["retryAfter"] == error.retry_after
    assert error.retryable is True


async def test_validation_errors_name_the_gateway_field() -> None:
    emulator = shoptet()
    long_name = "Jméno " * 30  # Shoptet takes 128 characters in an account name
    guid = emulator.customer_objects()[0]["guid"]
    async with connect(emulator) as shop:
        with pytest.raises(UpstreamRejected) as on_create:
            await shop.create_customer(CustomerDraft(email="long@example.cz", full_name=long_name))
        with pytest.raises(UpstreamRejected) as on_update:
            await shop.update_customer(guid, CustomerPatch(full_name=long_name))
        with pytest.raises(UpstreamRejected) as on_email:
            await shop.update_customer(guid, CustomerPatch(email="not-an-address"))
    assert (on_create.value.field, on_create.value.http_status) == ("fullName", 422)
    assert on_update.value.field == "fullName"
    assert on_email.value.field == "email"
    assert long_name not in on_create.value.message


async def test_a_locked_write_is_a_conflict() -> None:
    emulator = shoptet()
    guid = emulator.customer_objects()[1]["guid"]
    assert emulator.pipeline.locks.try_acquire(f"DELETE /api/customers/{guid}?") is not None
    async with connect(emulator) as shop:
        with pytest.raises(Conflict) as locked:
            await shop.delete_customer(guid)
    assert locked.value.http_status == 423
    assert "identical write" in locked.value.message
    assert guid in {o["guid"] for o in emulator.customer_objects()}


async def test_every_error_names_the_source() -> None:
    emulator = shoptet()
    async with connect(emulator) as shop:
        errors: list[UpstreamError] = []
        for call in (
            shop.delete_customer("00000000-0000-1000-8000-000000000000"),
            shop.delete_group("1"),
            shop.create_group(GroupDraft(name="VIP")),
        ):
            with pytest.raises(UpstreamError) as raised:
                await call
            errors.append(raised.value)
    assert [type(e) for e in errors] == [NotFound, Conflict, Conflict]
    assert {e.source for e in errors} == {"shop"}
    assert json.dumps([e.extensions for e in errors])
