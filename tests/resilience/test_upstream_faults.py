"""Upstream faults, injected by the emulators over HTTP: retries, Retry-After, breaker, bulkhead."""

from __future__ import annotations

import asyncio
import time

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.faults import FaultKind
from customer_gateway.server.settings import Timeouts
from tests.api.conftest import Gateway, evershop_source, running_gateway

pytestmark = pytest.mark.anyio

LIST = '{ customers(filters: [{key: "source", operation: eq, value: "evershop-main"}]) { total } }'
CREATE = """mutation { createCustomer(source: "evershop-main", input: {email: "f@example.com",
  fullName: "F", password: "secret-99"}) { uuid } }"""
GRAPHQL = "/api/admin/graphql"


@pytest.fixture
async def gateway() -> object:
    emulators = {
        "evershop-main": EverShopEmulator(seed=1, customers=8),
        "evershop-outlet": EverShopEmulator(seed=2, customers=5),
    }
    async with running_gateway(emulators) as running:
        await running.query(LIST)  # log in first, so journals below hold only the calls under test
        running.reset_journals()
        yield running


def _graphql_calls(gateway: Gateway) -> list[int]:
    return [e.status for e in gateway.emulators["evershop-main"].requests("POST", GRAPHQL)]


def _code(payload: dict[str, object]) -> str:
    errors = payload["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["extensions"]["code"])


async def test_an_idempotent_read_is_retried_and_succeeds(gateway: Gateway) -> None:
    gateway.emulators["evershop-main"].faults.add("status", status=503, times=2, path=GRAPHQL)
    payload = await gateway.query(LIST)
    assert payload["data"]["customers"]["total"] == 8
    assert _graphql_calls(gateway) == [503, 503, 200]


async def test_reads_make_at_most_three_attempts(gateway: Gateway) -> None:
    gateway.emulators["evershop-main"].faults.add("status", status=502, times=None, path=GRAPHQL)
    payload = await gateway.query(LIST)
    assert _code(payload) == "UPSTREAM_UNAVAILABLE"
    assert _graphql_calls(gateway) == [502, 502, 502]


@pytest.mark.parametrize("fault", ["status", "reset", "commit_then_fail"])
async def test_a_create_is_never_sent_twice(gateway: Gateway, fault: FaultKind) -> None:
    emulator = gateway.emulators["evershop-main"]
    emulator.faults.add(fault, status=502, times=1, path="/api/customers")
    payload = await gateway.query(CREATE)
    assert _code(payload) == "UPSTREAM_UNAVAILABLE"
    assert len(emulator.requests("POST", "/api/customers")) == 1


@pytest.mark.parametrize("http_date", [False, True])
async def test_retry_after_is_honoured(gateway: Gateway, http_date: bool) -> None:
    gateway.emulators["evershop-main"].faults.add(
        "rate_limit", seconds=2, http_date=http_date, times=1, path=GRAPHQL
    )
    started = time.monotonic()
    payload = await gateway.query(LIST)
    elapsed = time.monotonic() - started
    assert payload["data"]["customers"]["total"] == 8
    assert _graphql_calls(gateway) == [429, 200]
    # An HTTP-date has whole seconds: the wait is between 1 and 2 s for "2 s from now".
    assert (1.0 if http_date else 2.0) <= elapsed < 2.6


async def test_retry_after_beyond_the_deadline_fails_at_once(gateway: Gateway) -> None:
    gateway.emulators["evershop-main"].faults.add("rate_limit", seconds=120, times=1, path=GRAPHQL)
    started = time.monotonic()
    payload = await gateway.query(LIST)
    assert time.monotonic() - started < 1.0
    assert _code(payload) == "UPSTREAM_RATE_LIMITED"
    assert payload["errors"][0]["extensions"]["retryAfter"] == 120
    # Others now wait for the Retry-After too, without asking: no second request was sent.
    again = await gateway.query(LIST)
    assert _code(again) == "UPSTREAM_RATE_LIMITED"
    assert _graphql_calls(gateway) == [429]


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("reset", "UPSTREAM_UNAVAILABLE"),
        ("truncate", "UPSTREAM_BAD_RESPONSE"),
        ("malformed", "UPSTREAM_BAD_RESPONSE"),
    ],
)
async def test_broken_answers_are_typed_errors(
    gateway: Gateway, fault: FaultKind, code: str
) -> None:
    gateway.emulators["evershop-main"].faults.add(fault, times=None, path=GRAPHQL)
    response = await gateway.post(LIST)
    assert response.status_code == 200
    assert _code(response.json()) == code


async def test_a_slow_body_times_out() -> None:
    emulator = EverShopEmulator(seed=1, customers=8)
    emulator.faults.add("slow_body", seconds=0.2, times=None, path=GRAPHQL)
    source = evershop_source(
        "evershop-main", emulator, timeouts=Timeouts(connect=0.5, read=0.5, total=0.6)
    )
    async with running_gateway({"evershop-main": emulator}, sources=(source,)) as gateway:
        started = time.monotonic()
        payload = await gateway.query(LIST)
    assert _code(payload) == "UPSTREAM_TIMEOUT"
    assert time.monotonic() - started < 1.5


async def test_the_breaker_opens_fails_fast_and_a_probe_closes_it(gateway: Gateway) -> None:
    emulator = gateway.emulators["evershop-main"]
    breaker = gateway.connector("evershop-main").http.breaker
    breaker.open_seconds = 0.5
    fault = emulator.faults.add("status", status=503, times=None, path=GRAPHQL)
    while breaker.state == "closed":
        await gateway.query(LIST)
    calls = len(emulator.journal)
    started = time.perf_counter()
    payload = await gateway.query(LIST)
    assert time.perf_counter() - started < 0.05
    assert _code(payload) == "UPSTREAM_UNAVAILABLE"
    assert "circuit open" in payload["errors"][0]["message"]
    assert len(emulator.journal) == calls  # no upstream call while open
    # The other source is untouched.
    other = await gateway.query(
        '{ customers(filters: [{key: "source", operation: eq, value: "evershop-outlet"}]) { total } }'
    )
    assert other["data"]["customers"]["total"] == 5
    emulator.faults.faults.remove(fault)
    await asyncio.sleep(0.55)
    healed = await gateway.query(LIST)
    assert healed["data"]["customers"]["total"] == 8
    assert breaker.state == "closed"


async def test_caller_errors_never_open_the_breaker(gateway: Gateway) -> None:
    breaker = gateway.connector("evershop-main").http.breaker
    for index in range(30):  # EverShop answers bad input with 500s; the gateway's check is first
        await gateway.query(
            f'mutation {{ updateCustomer(id: "evershop-main:00000000-0000-4000-8000-{index:012d}", '
            'input: {fullName: "X", groupId: "1"}) { uuid } }'
        )
    assert breaker.state == "closed"


async def test_published_limits_are_kept_before_the_upstream_says_429() -> None:
    emulator = EverShopEmulator(seed=1, customers=3)  # EverShop's api tier: 120 per minute
    async with running_gateway({"evershop-main": emulator}) as gateway:
        codes = []
        for _ in range(122):
            payload = await gateway.query(LIST)
            codes.append("ok" if "errors" not in payload else _code(payload))
    assert codes[:119] == ["ok"] * 119  # 120 requests: the login and 119 lists
    assert codes[119:] == ["UPSTREAM_RATE_LIMITED"] * 3
    assert all(entry.status != 429 for entry in emulator.journal)
    assert len(emulator.journal) == 120


async def test_a_slow_source_does_not_slow_the_others() -> None:
    slow = EverShopEmulator(seed=1, customers=5)
    fast = EverShopEmulator(seed=2, customers=5)
    slow.faults.add("latency", seconds=3.0, times=None, path=GRAPHQL)
    async with running_gateway({"slow-shop": slow, "fast-shop": fast}) as gateway:
        fast_only = (
            '{ customers(filters: [{key: "source", operation: eq, value: "fast-shop"}]) { total } }'
        )
        await gateway.query(fast_only)
        baseline = []
        for _ in range(10):
            started = time.perf_counter()
            await gateway.query(fast_only)
            baseline.append(time.perf_counter() - started)
        stuck = [asyncio.create_task(gateway.query("{ customers { total } }")) for _ in range(20)]
        await asyncio.sleep(0.1)
        during = []
        for _ in range(10):
            started = time.perf_counter()
            payload = await gateway.query(fast_only)
            during.append(time.perf_counter() - started)
            assert payload["data"]["customers"]["total"] == 5
        for task in stuck:
            task.cancel()
    assert sorted(during)[8] <= sorted(baseline)[8] + 0.05
