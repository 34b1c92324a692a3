"""A gateway over four emulated shops (one of each kind but the Ecwid wrapper), mirrored, with
the identity index; the same people seeded into several shops under variant spellings."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from customer_gateway.emulators.base import Emulator
from customer_gateway.emulators.ecwid import EcwidEmulator
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.server.app import create_app
from customer_gateway.server.settings import IdentitySettings, Secret, Settings, StateSettings
from tests.identity.oracle import Person, seed_people, spellings
from tests.mirror.harness import Running, source_settings

COUNTRIES = {"evershop-a": "GB", "shoptet-b": "CZ", "flow-c": "NO", "ecwid-d": "CZ"}


def shops() -> dict[str, Emulator]:
    return {
        "evershop-a": EverShopEmulator(seed=31, customers=6, rate_limits=False),
        "shoptet-b": ShoptetEmulator(seed=32, customers=6, rate_limits=False, job_seconds=0.1),
        "flow-c": FlowRetailEmulator(seed=33, customers=6),
        "ecwid-d": EcwidEmulator(seed=34, customers=6, rate_limit_per_minute=10**6),
    }


def seed_directly(emulators: Mapping[str, Emulator], people: list[Person], seed: int) -> None:
    """Straight into the shops' own stores (the mirror's first load brings them)."""
    rng = random.Random(seed)
    evershop = emulators["evershop-a"]
    ecwid = emulators["ecwid-d"]
    assert isinstance(evershop, EverShopEmulator)
    assert isinstance(ecwid, EcwidEmulator)
    for index, person in enumerate(people):
        if index % 2 == 0:
            email, _phone = spellings(person, rng)
            evershop.add_customer(email=email, full_name=f"{person.first} {person.last}")
        if index % 3 != 1:
            email, phone = spellings(person, rng)
            ecwid.add_customer(
                email=email,
                name=f"{person.first} {person.last}".upper(),
                billingPerson={"phone": phone},
            )


@asynccontextmanager
async def identity_gateway(
    emulators: Mapping[str, Emulator],
    target: Mapping[str, Any],
    identity: IdentitySettings,
    apps: Mapping[str, Any] | None = None,
    **gateway: Any,
) -> AsyncIterator[Running]:
    sources = tuple(
        source_settings(name, emulator, mirror=True, phone_country=COUNTRIES.get(name))
        for name, emulator in emulators.items()
    )
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=(apps or {}).get(name, emulator.app))
        for name, emulator in emulators.items()
    }
    postgres = target.get("postgres")
    data_dir = target.get("data_dir")
    settings = Settings(
        sources=sources,
        data_dir=str(data_dir) if data_dir else None,
        state=StateSettings(postgres_url=Secret(str(postgres))) if postgres else StateSettings(),
        max_scan=100_000,
        identity=identity,
        **gateway,
    )
    app = create_app(settings, transports=transports)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            running = Running(client, app)
            await running.mirrors.wait_synced(90)
            yield running


__all__ = ["identity_gateway", "seed_directly", "seed_people", "shops"]
