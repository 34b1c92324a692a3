"""The zero-config sandbox: every kind's emulated shops, in-process, seeded with demo data.

The sandbox owns the emulators: `EMULATORS` names each kind's emulator class by import path, so
a gateway with configured sources never imports one (they are half the package, locale data and
a V8 JSON-parser port included). A new upstream adds one line here and one in
connectors/registry.py.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from customer_gateway.connectors.registry import CONNECTORS
from customer_gateway.server.settings import Secret, Settings, SourceSettings

if TYPE_CHECKING:
    from customer_gateway.emulators.base import Emulator

# kind -> "module:Class" of its emulator (imported only when the sandbox, the CLI's `emulate`,
# a test or a benchmark asks for it).
EMULATORS: Mapping[str, str] = {
    "evershop": "customer_gateway.emulators.evershop:EverShopEmulator",
    "shoptet": "customer_gateway.emulators.shoptet:ShoptetEmulator",
    "flow_retail": "customer_gateway.emulators.flow_retail:FlowRetailEmulator",
    "ecwid": "customer_gateway.emulators.ecwid:EcwidEmulator",
    "ecwid_wrapper": "customer_gateway.emulators.ecwid:EcwidWrapperEmulator",
}


@dataclass(frozen=True, slots=True)
class SandboxShop:
    """One emulated source of the sandbox."""

    name: str
    kind: str
    seed: int
    customers: int
    options: Mapping[str, Any] = field(default_factory=dict)


# The sandbox's Shoptet finishes a snapshot job in 2 s and cannot call a webhook back.
_SHOPTET = {
    "webhook_url": "https://gateway.sandbox.invalid/webhooks/shoptet",
    "job_poll_seconds": [1, 1, 2, 4, 8, 15, 30, 60, 120],
}

SHOPS: tuple[SandboxShop, ...] = (
    SandboxShop("evershop-main", "evershop", 1, 60),
    SandboxShop("evershop-outlet", "evershop", 2, 35),
    SandboxShop("shoptet-cz", "shoptet", 3, 1500, _SHOPTET),
    SandboxShop("flow-oslo", "flow_retail", 4, 300),
    SandboxShop("ecwid-us", "ecwid", 5, 250),
    SandboxShop("ecwid-crm", "ecwid_wrapper", 6, 120),
)


def emulator_class(kind: str) -> type[Emulator]:
    """The emulator of `kind` (KeyError for a kind without one)."""
    module, _, name = EMULATORS[kind].partition(":")
    cls: type[Emulator] = getattr(importlib.import_module(module), name)
    return cls


@dataclass(frozen=True, slots=True)
class Sandbox:
    settings: Settings
    emulators: dict[str, Emulator]

    def transports(self) -> dict[str, httpx.AsyncBaseTransport]:
        return {
            name: httpx.ASGITransport(app=emulator.app) for name, emulator in self.emulators.items()
        }


def build_sandbox(settings: Settings) -> Sandbox:
    """`settings` with a source per sandbox shop, and the emulator that serves each."""
    sources: list[SourceSettings] = []
    emulators: dict[str, Emulator] = {}
    for shop in SHOPS:
        emulator = emulator_class(shop.kind).create(seed=shop.seed, customers=shop.customers)
        emulators[shop.name] = emulator
        sources.append(
            SourceSettings(
                name=shop.name,
                kind=shop.kind,
                base_url=f"http://{shop.name}.sandbox.invalid{CONNECTORS[shop.kind].base_path}",
                credentials={
                    key: Secret(value) for key, value in emulator.connector_credentials().items()
                },
                options=dict(shop.options),
                # Mirrored, as configured sources are by default; small shops sync often.
                mirror=True,
                sync_interval=5.0,
                reconcile_interval=300.0,
            )
        )
    return Sandbox(dataclasses.replace(settings, sources=tuple(sources)), emulators)
