"""Shoptet sources for gateway tests, and the faults the Shoptet emulator does not express.

`shoptet_gateway()` runs the Starlette app over EverShop and Shoptet emulators (in-process, ASGI);
`ResultFault` corrupts the snapshot result download; `InFlight` counts concurrent requests.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.server.settings import Secret, SourceSettings
from tests.api.conftest import Gateway, evershop_source, running_gateway

HOOK_URL = "https://hooks.example.com/shoptet/jobs"
FAST_POLLS = (0.05,) * 10


class FakeClock:
    """An emulator clock moved by hand (change times, job lifecycles); starts at a whole second."""

    def __init__(self, start: float | None = None) -> None:
        self.now = float(int(time.time())) if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def shoptet_source(name: str, emulator: ShoptetEmulator, **overrides: Any) -> SourceSettings:
    """A Shoptet source over `emulator`, with a job webhook and fast snapshot polling."""
    fields: dict[str, Any] = {
        "name": name,
        "kind": "shoptet",
        "base_url": f"http://{name}.test",
        "credentials": {
            key: Secret(value) for key, value in emulator.connector_credentials().items()
        },
        "options": {"webhook_url": HOOK_URL, "job_poll_seconds": list(FAST_POLLS)},
    }
    return SourceSettings(**{**fields, **overrides})


@asynccontextmanager
async def shoptet_gateway(
    evershop: Mapping[str, EverShopEmulator],
    shoptet: Mapping[str, ShoptetEmulator],
    *,
    apps: Mapping[str, ASGIApp] | None = None,
    sources: tuple[SourceSettings, ...] | None = None,
    **settings: Any,
) -> AsyncIterator[Gateway]:
    """The gateway over EverShop sources then Shoptet sources (in that configuration order).

    `apps` serves a source through a wrapper (a fault) instead of its emulator's own app.
    """
    wrapped = dict(apps or {})
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=wrapped.pop(name, emulator.app))
        for name, emulator in shoptet.items()
    }
    transports.update({name: httpx.ASGITransport(app=app) for name, app in wrapped.items()})
    if sources is None:
        sources = (
            *(evershop_source(name, emulator) for name, emulator in evershop.items()),
            *(shoptet_source(name, emulator) for name, emulator in shoptet.items()),
        )
    async with running_gateway(
        evershop, sources=sources, transports=transports, **settings
    ) as gateway:
        yield gateway


def shoptet_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


def main_account(obj: Mapping[str, Any]) -> dict[str, Any]:
    accounts: list[dict[str, Any]] = obj["accounts"]
    return next((a for a in accounts if a["mainAccount"]), accounts[0])


class InFlight:
    """Counts the requests the wrapped app serves at once (what nginx's limit_conn counts)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.now = 0
        self.peak = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


class ResultFault:
    """Rewrites the body of Shoptet's snapshot result download (`/api-results/...`).

    Modes: `truncate` (the gzip stream ends early), `not-json` (a broken line at `at`),
    `not-gzip`, `small-chunks` (the intact file in 7-byte pieces).
    """

    def __init__(self, app: ASGIApp, mode: str, *, at: int = 3) -> None:
        self.app = app
        self.mode = mode
        self.at = at

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api-results/"):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        body = b""

        async def capture(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start":
                start = message
            else:
                body += message.get("body", b"")

        await self.app(scope, receive, capture)
        await send(start)
        for chunk in self._rewrite(body):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _rewrite(self, body: bytes) -> Iterator[bytes]:
        if self.mode == "truncate":
            yield body[: len(body) - 40]
        elif self.mode == "not-json":
            rows = gzip.decompress(body).split(b"\n")
            rows.insert(self.at, b'{"guid": "broken", ')
            yield gzip.compress(b"\n".join(rows))
        elif self.mode == "not-gzip":
            yield b"this is not gzip at all"
        elif self.mode == "small-chunks":
            for start in range(0, len(body), 7):
                yield body[start : start + 7]
        else:
            raise AssertionError(f"unknown mode {self.mode}")
