"""A Retry-After, however large, pauses a source for at most an hour; a success lifts it sooner.

One 429 with `Retry-After: 99999999999999999999` used to stop every read of the source until
restart. Here EverShop (the emulator, over HTTP) answers one read with such a 429; the gateway
must pause that class of calls for at most an hour, and the readiness probe, whose call
goes out despite the pause, lifts it when the source answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from customer_gateway.emulators.evershop import EverShopEmulator
from tests.api.conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

SOURCE = "evershop-main"
LIST = '{ customers(filters: [{key: "source", operation: eq, value: "evershop-main"}]) { total } }'
GRAPHQL = "/api/admin/graphql"
CAP = 3600.0  # docs/resilience.md: a Retry-After is honoured for at most one hour


class TooManyRequests:
    """In front of the emulator: the next `times` GraphQL requests get a 429 with this header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.retry_after = b""
        self.times = 0
        self.answered = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != GRAPHQL or self.times == 0:
            await self.app(scope, receive, send)
            return
        self.times -= 1
        self.answered += 1
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", self.retry_after),
                ],
            }
        )
        body = b'{"error":{"status":429,"message":"Too many requests."}}'
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def shop() -> AsyncIterator[tuple[Gateway, TooManyRequests]]:
    emulator = EverShopEmulator(seed=1, customers=8)
    limiter = TooManyRequests(emulator.app)
    async with running_gateway(
        {SOURCE: emulator}, transports={SOURCE: httpx.ASGITransport(app=limiter)}
    ) as gateway:
        assert (await gateway.query(LIST))["data"]["customers"]["total"] == 8  # logged in
        yield gateway, limiter


def _error(payload: dict[str, object]) -> dict[str, object]:
    errors = payload["errors"]
    assert isinstance(errors, list)
    extensions = errors[0]["extensions"]
    assert isinstance(extensions, dict)
    return extensions


@pytest.mark.parametrize(
    "header",
    [
        b"99999999999999999999",
        b"9" * 5000,  # int() refuses more than 4,300 digits
        b"Fri, 31 Dec 9999 23:59:59 GMT",
    ],
    ids=["seconds", "5000 digits", "HTTP-date in 9999"],
)
async def test_a_huge_retry_after_blocks_at_most_the_cap_and_readyz_lifts_it(
    shop: tuple[Gateway, TooManyRequests], header: bytes
) -> None:
    gateway, limiter = shop
    http = gateway.connector(SOURCE).http
    limiter.retry_after, limiter.times = header, 1
    first = _error(await gateway.query(LIST))
    assert first["code"] == "UPSTREAM_RATE_LIMITED"
    assert first["retryAfter"] == CAP
    assert CAP - 5 < http.limiter.wait_for("api") <= CAP
    # Every read of the class now waits it out, without asking EverShop.
    second = _error(await gateway.query(LIST))
    assert second["code"] == "UPSTREAM_RATE_LIMITED"
    assert 0 < float(second["retryAfter"]) <= CAP  # type: ignore[arg-type]
    assert limiter.answered == 1
    # The readiness probe asks anyway; EverShop answers, and the pause is over.
    ready = await gateway.client.get("/readyz")
    assert ready.json() == {"status": "ready", "sources": {SOURCE: "ok"}}
    assert http.limiter.wait_for("api") == 0
    payload = await gateway.query(LIST)
    assert payload["data"]["customers"]["total"] == 8
    assert "errors" not in payload


async def test_the_probe_that_meets_another_429_keeps_the_pause(
    shop: tuple[Gateway, TooManyRequests],
) -> None:
    gateway, limiter = shop
    http = gateway.connector(SOURCE).http
    limiter.retry_after, limiter.times = b"99999999999999999999", 2
    assert _error(await gateway.query(LIST))["code"] == "UPSTREAM_RATE_LIMITED"
    ready = await gateway.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["sources"][SOURCE] == "UPSTREAM_RATE_LIMITED"
    assert limiter.answered == 2
    assert CAP - 5 < http.limiter.wait_for("api") <= CAP
    assert _error(await gateway.query(LIST))["code"] == "UPSTREAM_RATE_LIMITED"
    assert limiter.answered == 2
