"""Every way a half-open probe can end settles the breaker: a healthy source closes it again.

A probe that ended without the source's verdict (cancelled by the deadline, refused before it
was sent, a request that could not be built, a bug) used to keep the probe slot for good: the
source was refused with "circuit open ... 0 s" until restart. Each kind of exit is produced here
against the EverShop emulator over HTTP, then the source must be read again within one cool-off.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from customer_gateway.connectors.http import REQUEST_COUNTER
from customer_gateway.core.errors import QueryTooComplex
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.server.settings import Timeouts
from tests.api.conftest import Gateway, evershop_source, running_gateway

pytestmark = pytest.mark.anyio

SOURCE = "evershop-main"
LIST = '{ customers(filters: [{key: "source", operation: eq, value: "evershop-main"}]) { total } }'
GRAPHQL = "/api/admin/graphql"
COOL_OFF = 0.3  # the breaker's open period in these tests
TOTAL = 0.3  # the source's whole-call timeout: a probe held longer is cancelled


class Exploding(httpx.AsyncBaseTransport):
    """The emulator's transport, which raises an unexpected exception when armed."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.armed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.armed:
            self.armed = False
            raise RuntimeError("a bug below the gateway's error mapping")
        return await self.inner.handle_async_request(request)


@dataclass
class Rig:
    gateway: Gateway
    transport: Exploding  # between the gateway and the emulator


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    emulator = EverShopEmulator(seed=1, customers=8)
    source = evershop_source(
        SOURCE,
        emulator,
        timeouts=Timeouts(connect=1.0, read=1.0, total=TOTAL),
        retries=0,
        max_connections=1,
    )
    transport = Exploding(httpx.ASGITransport(app=emulator.app))
    async with running_gateway(
        {SOURCE: emulator}, sources=(source,), transports={SOURCE: transport}
    ) as running:
        await running.query(LIST)  # logged in: the probes below are GraphQL reads
        yield Rig(running, transport)


async def _half_open(gateway: Gateway) -> None:
    """Open the breaker with real 503s, heal the source, wait out the cool-off."""
    emulator = gateway.emulators[SOURCE]
    breaker = gateway.connector(SOURCE).http.breaker
    breaker.open_seconds = COOL_OFF
    fault = emulator.faults.add("status", status=503, times=None, path=GRAPHQL)
    while breaker.state == "closed":
        await gateway.query(LIST)
    emulator.faults.faults.remove(fault)
    await asyncio.sleep(COOL_OFF + 0.05)
    assert breaker.state == "half_open"


def _code(payload: dict[str, object]) -> str:
    errors = payload["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["extensions"]["code"])


async def _deadline(rig: Rig) -> None:
    gateway = rig.gateway
    gateway.emulators[SOURCE].faults.add("latency", seconds=1.0, times=1, path=GRAPHQL)
    payload = await gateway.query(LIST)
    assert _code(payload) == "UPSTREAM_TIMEOUT"


async def _readyz_timeout(rig: Rig) -> None:
    gateway = rig.gateway
    gateway.emulators[SOURCE].faults.add("latency", seconds=1.0, times=1, path=GRAPHQL)
    response = await gateway.client.get("/readyz")
    assert response.json()["sources"][SOURCE] == "UPSTREAM_TIMEOUT"


async def _caller_gone(rig: Rig) -> None:
    gateway = rig.gateway
    gateway.emulators[SOURCE].faults.add("latency", seconds=1.0, times=1, path=GRAPHQL)
    task = asyncio.create_task(gateway.query(LIST))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _encoding_error(rig: Rig) -> None:
    http = rig.gateway.connector(SOURCE).http
    with pytest.raises(UnicodeEncodeError):  # httpx sends header values as ASCII
        await http.send("POST", GRAPHQL, json={"query": "{}"}, headers={"x-note": "\u0100"})


async def _invalid_url(rig: Rig) -> None:
    http = rig.gateway.connector(SOURCE).http
    with pytest.raises(httpx.InvalidURL):
        await http.send("GET", "/api/customers/\x01")


async def _unexpected_exception(rig: Rig) -> None:
    rig.transport.armed = True
    payload = await rig.gateway.query(LIST)
    assert _code(payload) == "INTERNAL"


async def _bulkhead_full(rig: Rig) -> None:
    gateway = rig.gateway
    http = gateway.connector(SOURCE).http
    gateway.emulators[SOURCE].faults.add("latency", seconds=0.5, times=1, path="/held")

    async def hold_the_only_slot() -> None:
        async with http.stream("/held"):
            pass

    holder = asyncio.create_task(hold_the_only_slot())
    await asyncio.sleep(0.05)
    payload = await gateway.query(LIST)  # waits for the slot until its deadline
    assert _code(payload) in ("UPSTREAM_UNAVAILABLE", "UPSTREAM_TIMEOUT")
    await asyncio.gather(holder, return_exceptions=True)  # the emulator has no /held route


async def _throttled(rig: Rig) -> None:
    rig.gateway.connector(SOURCE).http.limiter.block("api", 0.5)  # longer than the deadline
    payload = await rig.gateway.query(LIST)
    assert _code(payload) == "UPSTREAM_RATE_LIMITED"


async def _request_cap(rig: Rig) -> None:
    def refuse() -> None:
        raise QueryTooComplex("over the operation's request cap", source=SOURCE)

    counting = REQUEST_COUNTER.set(refuse)
    try:
        with pytest.raises(QueryTooComplex):
            await rig.gateway.connector(SOURCE).list_groups()
    finally:
        REQUEST_COUNTER.reset(counting)


EXITS: dict[str, tuple[Callable[[Rig], Awaitable[None]], float]] = {
    # name: (how the probe ends, seconds until the source may be called again, breaker aside)
    "cancelled by the request deadline": (_deadline, 0.0),
    "cancelled by the /readyz timeout": (_readyz_timeout, 0.0),
    "cancelled: the caller went away": (_caller_gone, 0.0),
    "an encoding error": (_encoding_error, 0.0),
    "an invalid URL": (_invalid_url, 0.0),
    "an unexpected exception": (_unexpected_exception, 0.0),
    "no bulkhead slot before the deadline": (_bulkhead_full, 0.0),
    "throttled by a Retry-After": (_throttled, 0.5),
    "refused by the request cap": (_request_cap, 0.0),
}


@pytest.mark.parametrize("exit_kind", list(EXITS))
async def test_any_probe_exit_settles_the_breaker(rig: Rig, exit_kind: str) -> None:
    gateway = rig.gateway
    end_probe, source_busy = EXITS[exit_kind]
    breaker = gateway.connector(SOURCE).http.breaker
    await _half_open(gateway)
    await end_probe(rig)
    await asyncio.sleep(source_busy)  # a Retry-After still blocking the source, say
    ended = time.monotonic()
    # A healthy source is read again (and the breaker closed) within one cool-off.
    while True:
        payload = await gateway.query(LIST)
        if "errors" not in payload:
            break
        assert time.monotonic() - ended < COOL_OFF + 0.3, payload["errors"]
        await asyncio.sleep(0.02)
    assert payload["data"]["customers"]["total"] == 8
    assert breaker.state == "closed"
