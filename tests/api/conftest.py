"""A gateway over two EverShop emulators, driven through the Starlette app over HTTP (ASGI)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.observability.telemetry import Telemetry
from customer_gateway.server.app import create_app
from customer_gateway.server.settings import Secret, Settings, SourceSettings


@dataclass
class Gateway:
    client: httpx.AsyncClient
    emulators: dict[str, EverShopEmulator]
    app: Starlette

    def connector(self, name: str) -> Any:
        return self.app.state.gateway.sources.get(name)

    async def post(self, query: str, variables: Mapping[str, Any] | None = None) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        return await self.client.post("/graphql", json=body)

    async def query(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    def upstream_requests(self) -> int:
        return sum(emulator.request_count for emulator in self.emulators.values())

    def reset_journals(self) -> None:
        for emulator in self.emulators.values():
            emulator.reset_journal()


def evershop_source(name: str, emulator: EverShopEmulator, **overrides: Any) -> SourceSettings:
    fields: dict[str, Any] = {
        "name": name,
        "kind": "evershop",
        "base_url": f"http://{name}.test",
        "credentials": {
            key: Secret(value) for key, value in emulator.connector_credentials().items()
        },
    }
    return SourceSettings(**{**fields, **overrides})


@asynccontextmanager
async def running_gateway(
    emulators: Mapping[str, EverShopEmulator],
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    sources: tuple[SourceSettings, ...] | None = None,
    telemetry: Telemetry | None = None,
    **settings: Any,
) -> AsyncIterator[Gateway]:
    """A gateway whose sources are `emulators`, served in-process; `transports` overrides some."""
    wired: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=emulator.app) for name, emulator in emulators.items()
    }
    wired.update(transports or {})
    if sources is None:
        sources = tuple(evershop_source(name, emulator) for name, emulator in emulators.items())
    app = create_app(Settings(sources=sources, **settings), transports=wired, telemetry=telemetry)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Gateway(client, dict(emulators), app)


GatewayFactory = Callable[..., Awaitable[Gateway]]


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    emulators = {
        "evershop-main": EverShopEmulator(seed=1, customers=30),
        "evershop-outlet": EverShopEmulator(seed=2, customers=20),
    }
    async with running_gateway(emulators) as running:
        yield running
