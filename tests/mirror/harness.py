"""Gateways over one emulator of every kind: with mirrors, and without (the oracle)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from starlette.applications import Starlette

from customer_gateway.connectors.registry import CONNECTORS
from customer_gateway.emulators.base import Emulator
from customer_gateway.emulators.ecwid import EcwidEmulator, EcwidWrapperEmulator
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.mirror.runtime import Mirrors
from customer_gateway.server.app import create_app
from customer_gateway.server.settings import Secret, Settings, SourceSettings, StateSettings

HOOK_URL = "https://hooks.example.com/shoptet/jobs"
FAST_POLLS = [0.05] * 10


def emulators(scale: int = 1) -> dict[str, Emulator]:
    """One shop of every kind (no emulated rate limits: the oracle reads a lot)."""
    return {
        "evershop-a": EverShopEmulator(seed=21, customers=40 * scale, rate_limits=False),
        "shoptet-b": ShoptetEmulator(
            seed=22, customers=60 * scale, rate_limits=False, job_seconds=0.1
        ),
        "flow-c": FlowRetailEmulator(seed=23, customers=50 * scale),
        "ecwid-d": EcwidEmulator(seed=24, customers=50 * scale, rate_limit_per_minute=10**6),
        "ecwid-e": EcwidWrapperEmulator(seed=25, customers=30 * scale, rate_limit_per_minute=10**6),
    }


def source_settings(name: str, emulator: Emulator, **overrides: Any) -> SourceSettings:
    connector_class = CONNECTORS[emulator.kind]
    options: dict[str, Any] = {}
    if emulator.kind == "shoptet":
        options = {"webhook_url": HOOK_URL, "job_poll_seconds": FAST_POLLS}
    fields: dict[str, Any] = {
        "name": name,
        "kind": emulator.kind,
        "base_url": f"http://{name}.test{connector_class.base_path}",
        "credentials": {
            key: Secret(value) for key, value in emulator.connector_credentials().items()
        },
        "options": options,
        "rate_limits": False,
        "sync_interval": 3600.0,
        "reconcile_interval": 3600.0,
    }
    return SourceSettings(**{**fields, **overrides})


@dataclass
class Running:
    client: httpx.AsyncClient
    app: Starlette

    @property
    def mirrors(self) -> Mirrors:
        mirrors: Mirrors | None = self.app.state.gateway.mirrors
        assert mirrors is not None
        return mirrors

    async def query(
        self, query: str, variables: Mapping[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": dict(variables or {})}, headers=headers
        )
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload


@asynccontextmanager
async def gateway(
    shops: Mapping[str, Emulator],
    *,
    mirror: bool,
    data_dir: Path | None = None,
    postgres: str | None = None,
    wait: bool = True,
    apps: Mapping[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[Running]:
    sources = tuple(
        source_settings(name, emulator, mirror=mirror, **overrides)
        for name, emulator in shops.items()
    )
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=(apps or {}).get(name, emulator.app))
        for name, emulator in shops.items()
    }
    state = StateSettings(postgres_url=Secret(postgres)) if postgres else StateSettings()
    settings = Settings(
        sources=sources,
        data_dir=str(data_dir) if data_dir else None,
        state=state,
        max_scan=100_000,
    )
    app = create_app(settings, transports=transports)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            running = Running(client, app)
            if mirror and wait:
                await running.mirrors.wait_synced(60)
            yield running


def mirror_text(connection: sa.Connection) -> str:
    """Every value of every table of the mirror (`mirror_*`, the search index's shadow tables
    too), as lower-case text: what a test looks through for data that must be gone."""
    parts = []
    for name in sa.inspect(connection).get_table_names():
        if not name.startswith("mirror_"):
            continue
        for row in connection.execute(sa.text(f'SELECT * FROM "{name}"')):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    parts.append(bytes(value).decode("utf-8", "replace"))
                elif value is not None:
                    parts.append(str(value))
    return "\n".join(parts).lower()
