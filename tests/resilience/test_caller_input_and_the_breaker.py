"""Caller input never opens a source's breaker for everyone.

EverShop answers a value PostgreSQL refuses (a LIKE pattern ending in the escape character, a NUL,
an unknown group id) with HTTP 500 and PostgreSQL's message. Such a 500 is the caller's error:
UPSTREAM_REJECTED, not retried, not counted against the source. And what the gateway knows a
source cannot take is refused before anything is sent. All over HTTP against the emulator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from customer_gateway.connectors.errors import UpstreamRejected
from customer_gateway.connectors.models import Condition, CustomerQuery, FilterField, Op
from customer_gateway.emulators.evershop import EverShopEmulator
from tests.api.conftest import Gateway, evershop_source, running_gateway

pytestmark = pytest.mark.anyio

SOURCE = "evershop-main"
LIST = '{ customers(filters: [{key: "source", operation: eq, value: "evershop-main"}]) { total } }'
GRAPHQL = "/api/admin/graphql"
ROUNDS = 25  # more than the breaker's 20 calls


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    # Rate limits off on both sides: 25 creates must reach EverShop (its tier allows 8 / 15 min).
    emulator = EverShopEmulator(seed=1, customers=8, rate_limits=False)
    source = evershop_source(SOURCE, emulator, rate_limits=False)
    async with running_gateway({SOURCE: emulator}, sources=(source,)) as running:
        await running.query(LIST)  # logged in
        running.reset_journals()
        yield running


def _statuses(gateway: Gateway, method: str, path: str) -> list[int]:
    return [entry.status for entry in gateway.emulators[SOURCE].requests(method, path)]


async def _still_serves(gateway: Gateway) -> None:
    assert gateway.connector(SOURCE).http.breaker.state == "closed"
    payload = await gateway.query(LIST)
    assert "errors" not in payload
    assert payload["data"]["customers"]["total"] == 8


async def test_a_500_about_a_like_pattern_is_rejected_once_and_not_counted(
    gateway: Gateway,
) -> None:
    # Straight to the connector: the gateway's own filter check would refuse this pattern first.
    connector = gateway.connector(SOURCE)
    query = CustomerQuery(conditions=(Condition(FilterField.EMAIL, Op.LIKE, ("abc\\",)),))
    for _ in range(ROUNDS):
        with pytest.raises(UpstreamRejected) as rejected:
            await connector.list_customers(query)
    assert rejected.value.http_status == 500
    assert "LIKE pattern" in rejected.value.message
    assert "abc" not in rejected.value.message
    assert _statuses(gateway, "POST", GRAPHQL) == [500] * ROUNDS  # never retried
    await _still_serves(gateway)


async def test_creates_naming_an_unknown_group_do_not_open_the_breaker(gateway: Gateway) -> None:
    create = """mutation($email: String!) { createCustomer(source: "evershop-main", input: {
      email: $email, fullName: "Nobody", password: "secret-99", groupId: "999"}) { uuid } }"""
    for index in range(ROUNDS):
        payload = await gateway.query(create, {"email": f"nobody{index}@example.com"})
        error: dict[str, Any] = payload["errors"][0]
        assert error["extensions"]["code"] == "UPSTREAM_REJECTED"
        assert error["extensions"]["field"] == "groupId"
        assert error["extensions"]["retryable"] is False
    assert _statuses(gateway, "POST", "/api/customers") == [500] * ROUNDS
    await _still_serves(gateway)
