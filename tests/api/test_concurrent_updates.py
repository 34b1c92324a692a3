"""Concurrent updates of one customer: every field lands (no lost update), for every kind.

N requests, each changing a different field of the same customer, reach the gateway at once;
the gateway and the emulator behind it are served by uvicorn on real sockets on 127.0.0.1, so
the requests interleave as they do in production. Connectors that read a customer before
writing it back must not send a stale value over another request's change (Ecwid's
`billingPerson`).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from customer_gateway.emulators.base import Emulator
from customer_gateway.emulators.ecwid import EcwidEmulator, EcwidWrapperEmulator
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.server.app import create_app
from customer_gateway.server.settings import Secret, Settings, SourceSettings
from tests.api.flow_fixtures import BASE_URL as FLOW_URL
from tests.api.flow_fixtures import OSLO
from tests.api.shoptet_fixtures import shoptet_source

pytestmark = pytest.mark.anyio

UPDATE = """mutation($id: String!, $in: CustomerUpdateInput!) {
  updateCustomer(id: $id, input: $in) { uuid } }"""
READ = """query($id: String) { customer(id: $id) { email fullName phone vatNumber status } }"""
ROUNDS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def _served(app: ASGIApp) -> AsyncIterator[str]:
    """`app` on a real socket (uvicorn, in this event loop); its base URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="error")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def _gateway(source: SourceSettings, emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway over `emulator`, both over real HTTP; a client of the gateway."""
    async with _served(emulator.app) as upstream:
        path = httpx.URL(source.base_url).path.rstrip("/")
        app = create_app(Settings(sources=(replace(source, base_url=f"{upstream}{path}"),)))
        async with (
            app.router.lifespan_context(app),
            _served(app) as url,
            httpx.AsyncClient(base_url=url, timeout=10) as client,
        ):
            yield client


async def _query(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def _settings(name: str, kind: str, base_url: str, emulator: Emulator) -> SourceSettings:
    credentials = emulator.connector_credentials()
    return SourceSettings(
        name=name,
        kind=kind,
        base_url=base_url,
        credentials={key: Secret(value) for key, value in credentials.items()},
    )


def _ecwid() -> tuple[Emulator, SourceSettings, str]:
    emulator = EcwidEmulator(seed=3, customers=5)
    target = str(emulator.customer_objects()[0]["id"])
    return emulator, _settings("ecwid", "ecwid", "https://app.ecwid.com", emulator), target


def _ecwid_wrapper() -> tuple[Emulator, SourceSettings, str]:
    emulator = EcwidWrapperEmulator(seed=3, customers=5)
    target = str(emulator.ecwid.customer_objects()[0]["id"])
    settings = _settings("ecwid-crm", "ecwid_wrapper", "https://crm.example.com", emulator)
    return emulator, settings, target


def _shoptet() -> tuple[Emulator, SourceSettings, str]:
    emulator = ShoptetEmulator(seed=4, customers=5, job_seconds=0.2)
    target = str(emulator.customer_objects()[0]["guid"])
    return emulator, shoptet_source("shoptet-cz", emulator), target


def _flow_retail() -> tuple[Emulator, SourceSettings, str]:
    emulator = FlowRetailEmulator(seed=4, customers=8)
    person = next(o for o in emulator.customer_objects(OSLO) if o.get("customerType") != "COMPANY")
    settings = _settings("flow-oslo", "flow_retail", FLOW_URL, emulator)
    return emulator, settings, str(person["customerUid"])


def _evershop() -> tuple[Emulator, SourceSettings, str]:
    emulator = EverShopEmulator(seed=1, customers=8)
    row = next(r for r in emulator.customer_rows() if r["group_id"] == 1)
    settings = _settings("evershop-main", "evershop", "http://evershop-main.test", emulator)
    return emulator, settings, str(row["uuid"])


# Per kind: how to set it up, and one update per field (`{n}`: the round), each a request.
CASES: dict[str, tuple[Any, dict[str, str]]] = {
    "ecwid": (
        _ecwid,
        {"email": "race{n}@example.com", "fullName": "Race Name{n}", "phone": "+1512555{n}",
         "vatNumber": "VAT{n}"},
    ),
    "ecwid_wrapper": (
        _ecwid_wrapper,
        {"email": "race{n}@example.com", "fullName": "Race Name{n}", "phone": "+1512555{n}",
         "vatNumber": "VAT{n}"},
    ),
    "shoptet": (
        _shoptet,
        {"email": "zavod{n}@example.cz", "fullName": "Závod Jméno{n}",
         "phone": "+42060123450{n}"},
    ),
    "flow_retail": (
        _flow_retail,
        {"email": "race{n}@example.no", "fullName": "Kari Nordmann{n}",
         "phone": "+4791234560{n}", "vatNumber": "NO99999999{n}MVA"},
    ),
    "evershop": (
        _evershop,
        {"email": "race{n}@example.org", "fullName": "Race Name{n}"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(CASES))
async def test_concurrent_updates_of_different_fields_all_land(kind: str) -> None:
    setup, fields = CASES[kind]
    emulator, source, target = setup()
    uuid = f"{source.name}:{target}"
    async with _gateway(source, emulator) as client:
        for round_ in range(ROUNDS):
            wanted = {field: value.format(n=round_) for field, value in fields.items()}
            answers = await asyncio.gather(
                *(
                    _query(client, UPDATE, {"id": uuid, "in": {field: value}})
                    for field, value in wanted.items()
                )
            )
            for answer in answers:
                assert "errors" not in answer, answer["errors"]
            payload = await _query(client, READ, {"id": uuid})
            assert "errors" not in payload, payload["errors"]
            customer = payload["data"]["customer"]
            assert {field: customer[field] for field in wanted} == wanted, f"round {round_}"
