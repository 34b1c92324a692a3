"""A gateway over one emulator of every kind (EverShop, Shoptet, Flow Retail, Ecwid v3, the Ecwid
JSON wrapper), served in-process (Starlette app over ASGI); Flow Retail's requests are recorded
with their bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import httpx

from customer_gateway.emulators.ecwid import EcwidEmulator, EcwidWrapperEmulator
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.server.app import create_app
from customer_gateway.server.settings import Settings
from tests.api.conftest import evershop_source
from tests.api.flow_fixtures import OSLO, Recording, flow_source
from tests.api.shoptet_fixtures import shoptet_source
from tests.api.test_ecwid_gateway import ecwid_sources

LIST = """query($f: [FilterInput]) { customers(filters: $f) { total items { uuid } } }"""
# A source's transport as the gateway gets it (a fault in front of the emulator).
Wrap = Callable[[str, httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]


@dataclass
class Shops:
    client: httpx.AsyncClient
    evershop: EverShopEmulator
    shoptet: ShoptetEmulator
    flow: FlowRetailEmulator
    flow_sent: Recording
    ecwid: EcwidEmulator
    crm: EcwidWrapperEmulator

    async def query(self, filters: list[dict[str, str]]) -> dict[str, Any]:
        return await self.run(LIST, {"f": filters})

    async def run(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": document, "variables": variables}
        )
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    def reset(self) -> None:
        for emulator in (self.evershop, self.shoptet, self.flow, self.ecwid, self.crm):
            emulator.reset_journal()
        self.flow_sent.clear()

    def times(self, source: str, field: str) -> dict[str, datetime | None]:
        """The oracle: every customer's time, from the emulator's own data."""
        created = field == "created_at"
        if source == "evershop-main":
            return {
                f"{source}:{row['uuid']}": row["created_at" if created else "updated_at"]
                for row in self.evershop.customer_rows()
            }
        if source == "shoptet-cz":
            key = "creationTime" if created else "changeTime"
            return {
                f"{source}:{o['guid']}": _parse(o[key], "%Y-%m-%dT%H:%M:%S%z")
                for o in self.shoptet.customer_objects()
            }
        if source == "flow-oslo":
            key = "createdAt" if created else "lastModifiedAt"
            return {
                f"{source}:{o['customerUid']}": datetime.fromisoformat(
                    o[key].replace("Z", "+00:00")
                )
                for o in self.flow.customer_objects(OSLO)
            }
        shop = self.ecwid if source == "ecwid-us" else self.crm.ecwid
        key = "registered" if created else "updated"
        return {
            f"{source}:{o['id']}": _parse(o.get(key), "%Y-%m-%d %H:%M:%S %z")
            for o in shop.customer_objects()
        }


def _parse(text: str | None, form: str) -> datetime | None:
    return None if text is None else datetime.strptime(text, form)


@asynccontextmanager
async def all_kinds(
    *, customers: int | None = None, wrap: Wrap | None = None
) -> AsyncIterator[Shops]:
    """`customers`: each shop's size (else 30 to 45); `wrap`: a source's transport, wrapped."""
    evershop = EverShopEmulator(seed=1, customers=customers or 30)
    shoptet = ShoptetEmulator(seed=4, customers=customers or 40, job_seconds=0.2)
    flow = FlowRetailEmulator(seed=4, customers=customers or 40)
    ecwid = EcwidEmulator(seed=5, customers=customers or 45)
    crm = EcwidWrapperEmulator(seed=6, customers=customers or 35)
    flow_sent = Recording(flow)
    v3, wrapper = ecwid_sources(ecwid, crm)
    sources = (
        evershop_source("evershop-main", evershop),
        shoptet_source("shoptet-cz", shoptet),
        flow_source("flow-oslo", flow),
        replace(v3, name="ecwid-us"),
        wrapper,
    )
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "evershop-main": httpx.ASGITransport(app=evershop.app),
        "shoptet-cz": httpx.ASGITransport(app=shoptet.app),
        "flow-oslo": flow_sent,
        "ecwid-us": httpx.ASGITransport(app=ecwid.app),
        "ecwid-crm": httpx.ASGITransport(app=crm.app),
    }
    if wrap is not None:
        transports = {name: wrap(name, transport) for name, transport in transports.items()}
    app = create_app(Settings(sources=sources), transports=transports)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Shops(client, evershop, shoptet, flow, flow_sent, ecwid, crm)
