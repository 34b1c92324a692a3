"""One source failing never takes the others down: partial data plus one typed error."""

from __future__ import annotations

import socket
from dataclasses import replace
from typing import Any

import httpx
import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.server.settings import Timeouts
from tests.api.conftest import evershop_source, running_gateway
from tests.api.faults import FaultyUpstream

pytestmark = pytest.mark.anyio

QUERY = """{ customers(filters: [{key: "limit", operation: eq, value: "100"}]) {
  total items { uuid email group { groupName } } } }"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _emulators() -> dict[str, EverShopEmulator]:
    return {
        "evershop-main": EverShopEmulator(seed=1, customers=12),
        "evershop-outlet": EverShopEmulator(seed=2, customers=7),
    }


def _assert_partial(payload: dict[str, Any], failed: str, code: str) -> dict[str, Any]:
    collection = payload["data"]["customers"]
    assert collection["total"] == 12
    assert {item["uuid"].split(":")[0] for item in collection["items"]} == {"evershop-main"}
    assert len(payload["errors"]) == 1
    error = payload["errors"][0]
    assert error["path"] == ["customers"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["source"] == failed
    assert error["extensions"]["retryable"] is True
    statuses = {s["name"]: s for s in payload["extensions"]["sources"]}
    assert statuses["evershop-main"]["status"] == "ok"
    assert statuses[failed]["status"] == "error"
    assert statuses[failed]["code"] == code
    return dict(error)


async def test_connection_refused() -> None:
    emulators = _emulators()
    down = replace(
        evershop_source("evershop-outlet", emulators["evershop-outlet"]),
        base_url=f"http://127.0.0.1:{_closed_port()}",
    )
    sources = (evershop_source("evershop-main", emulators["evershop-main"]), down)
    # No transport for the outlet: the gateway really connects to a closed port on 127.0.0.1.
    async with running_gateway(
        {"evershop-main": emulators["evershop-main"]}, sources=sources
    ) as gateway:
        payload = await gateway.query(QUERY)
    _assert_partial(payload, "evershop-outlet", "UPSTREAM_UNAVAILABLE")


async def test_http_503() -> None:
    emulators = _emulators()
    faulty = FaultyUpstream(emulators["evershop-outlet"].app, status=503)
    async with running_gateway(
        emulators, transports={"evershop-outlet": httpx.ASGITransport(app=faulty)}
    ) as gateway:
        payload = await gateway.query(QUERY)
    error = _assert_partial(payload, "evershop-outlet", "UPSTREAM_UNAVAILABLE")
    assert error["extensions"]["httpStatus"] == 503


async def test_timeout() -> None:
    emulators = _emulators()
    faulty = FaultyUpstream(emulators["evershop-outlet"].app, delay=5.0)
    sources = (
        evershop_source("evershop-main", emulators["evershop-main"]),
        evershop_source(
            "evershop-outlet",
            emulators["evershop-outlet"],
            timeouts=Timeouts(connect=0.2, read=0.2, total=0.3),
        ),
    )
    async with running_gateway(
        emulators,
        sources=sources,
        transports={"evershop-outlet": httpx.ASGITransport(app=faulty)},
    ) as gateway:
        payload = await gateway.query(QUERY)
    _assert_partial(payload, "evershop-outlet", "UPSTREAM_TIMEOUT")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", b"text/html"),
        (b'{"data": {"customers": {"total": "many", "items": []}}}', b"application/json"),
        (b'{"data": {"customers": {"total": 1, "items": [{"uuid": 7}]}}}', b"application/json"),
        (b'{"data": {"customers"', b"application/json"),
    ],
)
async def test_malformed_upstream_json(body: bytes, content_type: bytes) -> None:
    emulators = _emulators()
    faulty = FaultyUpstream(
        emulators["evershop-outlet"].app, status=200, body=body, content_type=content_type
    )
    async with running_gateway(
        emulators, transports={"evershop-outlet": httpx.ASGITransport(app=faulty)}
    ) as gateway:
        payload = await gateway.query(QUERY)
    _assert_partial(payload, "evershop-outlet", "UPSTREAM_BAD_RESPONSE")


async def test_every_source_down_is_null_with_one_error_each() -> None:
    emulators = _emulators()
    transports = {
        name: httpx.ASGITransport(app=FaultyUpstream(emulator.app, status=502))
        for name, emulator in emulators.items()
    }
    async with running_gateway(emulators, transports=transports) as gateway:
        response = await gateway.post(QUERY)
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] == {"customers": None}
    assert sorted(e["extensions"]["source"] for e in payload["errors"]) == [
        "evershop-main",
        "evershop-outlet",
    ]
    assert all(e["extensions"]["code"] == "UPSTREAM_UNAVAILABLE" for e in payload["errors"])


async def test_a_failing_source_does_not_touch_a_query_for_another_source() -> None:
    emulators = _emulators()
    faulty = FaultyUpstream(emulators["evershop-outlet"].app, status=500)
    async with running_gateway(
        emulators, transports={"evershop-outlet": httpx.ASGITransport(app=faulty)}
    ) as gateway:
        payload = await gateway.query(
            '{ customers(filters: [{key: "source", operation: eq, value: "evershop-main"}]) '
            "{ total } }"
        )
    assert "errors" not in payload
    assert payload["data"]["customers"]["total"] == 12
    assert faulty.hits == 0
