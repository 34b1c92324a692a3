"""The EverShop connector against the EverShop emulator, over HTTP (ASGI transport)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC

import httpx
import pytest

from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    Unsupported,
    UpstreamAuthFailed,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
)
from customer_gateway.connectors.evershop import EverShopConnector
from customer_gateway.connectors.models import (
    Condition,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    FilterField,
    Op,
    Sort,
    SortField,
)
from customer_gateway.connectors.transport import Answer, build_client
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.server.settings import Secret, SourceSettings


def error_answer(status: int, body: object) -> Answer:
    """An upstream's JSON error answer, as the HTTP engine hands it to `error_for_status`."""
    return Answer(status, httpx.Headers(), json.dumps(body).encode(), "/api/admin/graphql")


pytestmark = pytest.mark.anyio


@asynccontextmanager
async def connect(
    emulator: EverShopEmulator, password: str | None = None
) -> AsyncIterator[EverShopConnector]:
    credentials = emulator.connector_credentials()
    if password is not None:
        credentials["password"] = password
    settings = SourceSettings(
        name="shop",
        kind="evershop",
        base_url="http://shop.test",
        credentials={key: Secret(value) for key, value in credentials.items()},
    )
    async with build_client(settings, httpx.ASGITransport(app=emulator.app)) as client:
        yield EverShopConnector(settings, client)


def _paths(emulator: EverShopEmulator) -> list[str]:
    return [f"{entry.method} {entry.path} {entry.status}" for entry in emulator.journal]


async def test_list_maps_every_field_from_the_admin_graphql() -> None:
    emulator = EverShopEmulator(seed=3, customers=12)
    async with connect(emulator) as shop:
        page = await shop.list_customers(CustomerQuery(limit=100))
    rows = {row["uuid"]: row for row in emulator.customer_rows()}
    groups = {group["customer_group_id"]: group["group_name"] for group in emulator.group_rows()}
    addresses = emulator.address_rows()
    assert page.total == 12
    assert len(page.items) == 12
    for record in page.items:
        row = rows[record.id]
        assert record.source == "shop"
        assert record.numeric_id == row["customer_id"]
        assert (record.email, record.full_name, record.status) == (
            row["email"],
            row["full_name"],
            row["status"],
        )
        assert record.created_at is not None
        assert record.created_at.astimezone(UTC).replace(microsecond=0) == row[
            "created_at"
        ].replace(microsecond=0)
        assert [(g.id, g.name) for g in record.groups] == [
            (str(row["group_id"]), groups[row["group_id"]])
        ]
        mine = [a for a in addresses if a["customer_id"] == row["customer_id"]]
        assert sorted(a.city or "" for a in record.addresses) == sorted(a["city"] for a in mine)
        assert record.edit_url == f"http://shop.test/admin/customers/edit/{record.id}"
        assert not record.missing
    created = [r.created_at.timestamp() for r in page.items if r.created_at]
    assert len(created) == 12
    assert created == sorted(created, reverse=True)  # the default sort is pushed down


async def test_filters_sort_and_paging_are_pushed_down() -> None:
    emulator = EverShopEmulator(seed=3, customers=30)
    async with connect(emulator) as shop:
        query = CustomerQuery(
            conditions=(Condition(FilterField.STATUS, Op.EQ, ("1",)),),
            sort=Sort(SortField.EMAIL, descending=False),
            offset=5,
            limit=5,
        )
        page = await shop.list_customers(query)
    enabled = [row for row in emulator.customer_rows() if row["status"] == 1]
    assert page.total == len(enabled)
    assert len(page.items) == 5
    graphql = [e for e in emulator.journal if e.path == "/api/admin/graphql"]
    assert len(graphql) == 1


async def test_login_once_then_reuse_the_token() -> None:
    emulator = EverShopEmulator(seed=3, customers=3)
    async with connect(emulator) as shop:
        await shop.list_groups()
        await shop.list_groups()
    assert _paths(emulator) == [
        "POST /api/user/tokens 200",
        "POST /api/admin/graphql 200",
        "POST /api/admin/graphql 200",
    ]


async def test_token_is_refreshed_before_it_expires() -> None:
    # Access tokens that live 30 s are always inside the 60 s refresh margin.
    emulator = EverShopEmulator(seed=3, customers=3, access_token_ttl=30)
    async with connect(emulator) as shop:
        await shop.list_groups()
        await shop.list_groups()
    assert _paths(emulator) == [
        "POST /api/user/tokens 200",
        "POST /api/admin/graphql 200",
        "POST /api/user/token/refresh 200",
        "POST /api/admin/graphql 200",
    ]


async def test_a_rejected_token_means_one_new_login_not_a_loop() -> None:
    emulator = EverShopEmulator(seed=3, customers=3)
    async with connect(emulator) as shop:
        await shop.list_groups()
        shop._access_token = "revoked-token"  # the shop no longer accepts what we hold
        shop._refresh_token = None
        await shop.list_groups()
        emulator.set_admin_active(False)  # now no login can succeed
        shop._access_token = "revoked-token"
        with pytest.raises(UpstreamAuthFailed):
            await shop.list_groups()
    assert _paths(emulator)[1:] == [
        "POST /api/admin/graphql 200",
        "POST /api/admin/graphql 401",
        "POST /api/user/tokens 200",
        "POST /api/admin/graphql 200",
        "POST /api/admin/graphql 401",
        "POST /api/user/tokens 400",
    ]


async def test_wrong_credentials_are_a_typed_error_without_the_password() -> None:
    emulator = EverShopEmulator(seed=3, customers=3)
    async with connect(emulator, password="wrong-canary-password") as shop:
        with pytest.raises(UpstreamAuthFailed) as raised:
            await shop.list_groups()
    assert "wrong-canary-password" not in repr(raised.value)
    assert raised.value.extensions["code"] == "UPSTREAM_AUTH_FAILED"


async def test_batched_lookup_is_one_request_and_skips_non_uuids() -> None:
    emulator = EverShopEmulator(seed=3, customers=10)
    uuids = [row["uuid"] for row in emulator.customer_rows()]
    async with connect(emulator) as shop:
        await shop.list_groups()
        emulator.reset_journal()
        found = await shop.get_customers(
            [uuids[0], "not-a-uuid", uuids[5], "00000000-0000-4000-8000-000000000000", uuids[0]]
        )
        assert [r.id if r else None for r in found] == [
            uuids[0],
            None,
            uuids[5],
            None,
            uuids[0],
        ]
        assert await shop.get_customers(["not-a-uuid"]) == [None]
    assert _paths(emulator) == ["POST /api/admin/graphql 200"]


async def test_create_never_keeps_the_password_hash() -> None:
    emulator = EverShopEmulator(seed=3, customers=3)
    async with connect(emulator) as shop:
        record = await shop.create_customer(
            CustomerDraft(email="new@example.com", full_name="New One", password="secret-99")
        )
    assert record.email == "new@example.com"
    assert "$2" not in repr(record)
    assert "password" not in record.metadata
    assert record.missing == frozenset()


async def test_upstream_errors_become_typed_errors() -> None:
    emulator = EverShopEmulator(seed=3, customers=3)
    existing = emulator.customer_rows()[0]
    async with connect(emulator) as shop:
        with pytest.raises(Conflict) as conflict:
            await shop.create_customer(
                CustomerDraft(email=existing["email"], full_name="Dup", password="secret-99")
            )
        assert conflict.value.field == "email"
        with pytest.raises(UpstreamRejected) as rejected:
            await shop.create_customer(
                CustomerDraft(email="not-an-email", full_name="X", password="secret-99")
            )
        assert rejected.value.field == "email"
        missing = "00000000-0000-4000-8000-000000000000"
        with pytest.raises(NotFound):
            await shop.update_customer(missing, CustomerPatch(full_name="X", group_ids=("1",)))
        with pytest.raises(NotFound):
            await shop.delete_customer(missing)
        with pytest.raises(Unsupported):
            await shop.update_customer(existing["uuid"], CustomerPatch(phone="+420601222333"))


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("LIKE pattern must not end with escape character", None),
        ('invalid byte sequence for encoding "UTF8": 0x00', None),
        ('invalid input syntax for type uuid: "x"', None),
        ('value "99999" is out of range for type smallint', None),
        ("bigint out of range", None),
        ("value too long for type character varying(255)", None),
        ('null value in column "email" of relation "customer" violates not-null constraint', None),
        (
            'insert or update on table "customer" violates foreign key constraint '
            '"FK_CUSTOMER_GROUP"',
            "groupId",
        ),
    ],
)
async def test_a_500_that_names_a_value_is_the_callers_error(
    message: str, field: str | None
) -> None:
    async with connect(EverShopEmulator(customers=0)) as shop:
        response = error_answer(500, {"error": {"status": 500, "message": message}})
        error = shop.error_for_status(response)
    assert isinstance(error, UpstreamRejected)
    assert not error.retryable
    assert error.field == field
    assert message not in error.message  # PostgreSQL's text quotes the value: never passed on


@pytest.mark.parametrize(
    "message",
    [
        "Cannot return null for non-nullable field CustomerCollection.currentPage.",
        "Connection terminated unexpectedly",
        "timeout exceeded when trying to connect",
        "",
    ],
)
async def test_other_500s_are_outages(message: str) -> None:
    async with connect(EverShopEmulator(customers=0)) as shop:
        response = error_answer(500, {"error": {"status": 500, "message": message}})
        error = shop.error_for_status(response)
    assert isinstance(error, UpstreamUnavailable)
    assert error.retryable


async def test_registration_limit_is_a_rate_limit_with_retry_after() -> None:
    emulator = EverShopEmulator(seed=3, customers=3)
    async with connect(emulator) as shop:
        for index in range(8):
            await shop.create_customer(
                CustomerDraft(email=f"n{index}@example.com", full_name="N", password="secret-99")
            )
        with pytest.raises(UpstreamRateLimited) as limited:
            await shop.create_customer(
                CustomerDraft(email="n9@example.com", full_name="N", password="secret-99")
            )
    # The window opened with the first registration: 900 s less the time the eight took.
    assert limited.value.retry_after is not None
    assert 880 < limited.value.retry_after <= 900


async def test_more_than_twenty_groups_cannot_be_listed_completely() -> None:
    emulator = EverShopEmulator(seed=3, customers=3)
    for index in range(25):
        emulator.add_group(f"Group {index}")
    async with connect(emulator) as shop:
        with pytest.raises(Unsupported, match="returns only 20"):
            await shop.list_groups()


async def test_updates_that_evershop_would_fail_are_refused_before_the_patch() -> None:
    """EverShop 2.2.1 leaks a database connection on every failed PATCH (19 and it hangs)."""
    emulator = EverShopEmulator(seed=3, customers=3)
    first, second = emulator.customer_rows()[:2]
    missing = "00000000-0000-4000-8000-000000000000"
    async with connect(emulator) as shop:
        with pytest.raises(NotFound):
            await shop.update_customer(missing, CustomerPatch(full_name="X", group_ids=("1",)))
        with pytest.raises(Conflict) as taken:
            await shop.update_customer(
                second["uuid"], CustomerPatch(email=first["email"], group_ids=("1",))
            )
        assert taken.value.field == "email"
    assert not emulator.requests("PATCH")
    assert emulator.leaked_connections == 1  # only the one start-up keeps
