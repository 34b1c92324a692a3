"""Flow Retail sources for connector and gateway tests.

`flow_source()` builds a source over a `FlowRetailEmulator` at Flow's documented base URL;
`Recording` is an httpx transport that serves the emulator in-process and keeps every request the
gateway sent (method, path, query, JSON body, bearer), because the emulator's journal has no
bodies; `flow_gateway()` runs the Starlette app over EverShop and Flow Retail emulators.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.server.settings import Secret, SourceSettings
from tests.api.conftest import Gateway, evershop_source, running_gateway

BASE_URL = "https://api.flowretail.com/v2"
OSLO = "tenant-oslo"
BERGEN = "tenant-bergen"


def flow_source(
    name: str,
    emulator: FlowRetailEmulator,
    *,
    credentials: Mapping[str, str] | None = None,
    **overrides: Any,
) -> SourceSettings:
    """A Flow Retail source over `emulator` (its integration token unless `credentials`)."""
    given = emulator.connector_credentials() if credentials is None else credentials
    fields: dict[str, Any] = {
        "name": name,
        "kind": "flow_retail",
        "base_url": BASE_URL,
        "credentials": {key: Secret(value) for key, value in given.items()},
    }
    return SourceSettings(**{**fields, **overrides})


@dataclass(frozen=True, slots=True)
class Sent:
    method: str
    path: str
    params: dict[str, str]
    body: Any
    bearer: str | None


# A hook may answer a request itself (a fault) instead of the emulator: return a response.
Hook = Callable[[httpx.Request, int], httpx.Response | None]


class Recording(httpx.AsyncBaseTransport):
    """The emulator over ASGI, keeping what was sent; `hook` may replace an answer."""

    def __init__(self, emulator: FlowRetailEmulator, hook: Hook | None = None) -> None:
        self.inner = httpx.ASGITransport(app=emulator.app)
        self.sent: list[Sent] = []
        self.hook = hook

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        header = request.headers.get("authorization", "")
        self.sent.append(
            Sent(
                method=request.method,
                path=request.url.path,
                params=dict(parse_qsl(request.url.query.decode())),
                body=json.loads(content) if content else None,
                bearer=header.removeprefix("Bearer ") or None,
            )
        )
        if self.hook is not None:
            answer = self.hook(request, len(self.sent))
            if answer is not None:
                return answer
        return await self.inner.handle_async_request(request)

    def bodies(self, method: str, suffix: str) -> list[Any]:
        return [s.body for s in self.sent if s.method == method and s.path.endswith(suffix)]

    def clear(self) -> None:
        self.sent.clear()


@asynccontextmanager
async def flow_gateway(
    evershop: Mapping[str, EverShopEmulator],
    flow: Mapping[str, FlowRetailEmulator],
    *,
    sources: tuple[SourceSettings, ...] | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    **settings: Any,
) -> AsyncIterator[Gateway]:
    """The gateway over EverShop sources then Flow Retail sources (configuration order)."""
    wired: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=emulator.app) for name, emulator in flow.items()
    }
    wired.update(transports or {})
    if sources is None:
        sources = (
            *(evershop_source(name, emulator) for name, emulator in evershop.items()),
            *(flow_source(name, emulator) for name, emulator in flow.items()),
        )
    async with running_gateway(evershop, sources=sources, transports=wired, **settings) as gateway:
        yield gateway


def flow_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def display_name(obj: Mapping[str, Any]) -> str | None:
    """The oracle's full name: Flow's computed `displayName` (README 5.1)."""
    name = obj.get("displayName")
    return name if isinstance(name, str) and name else None
