"""The zero-config sandbox: every kind's emulated shops, in-process, seeded with demo data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import httpx

from customer_gateway.emulators.base import Emulator
from customer_gateway.kinds import KINDS
from customer_gateway.settings import Secret, Settings, SourceSettings


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
    for kind in KINDS.values():
        for shop in kind.sandbox:
            emulator = kind.emulator(seed=shop.seed, customers=shop.customers)
            emulators[shop.name] = emulator
            sources.append(
                SourceSettings(
                    name=shop.name,
                    kind=kind.name,
                    base_url=f"http://{shop.name}.sandbox.invalid{kind.connector.base_path}",
                    credentials={
                        key: Secret(value)
                        for key, value in emulator.connector_credentials().items()
                    },
                    options=dict(shop.options),
                    # Mirrored, as configured sources are by default; small shops sync often.
                    mirror=True,
                    sync_interval=5.0,
                    reconcile_interval=300.0,
                )
            )
    return Sandbox(dataclasses.replace(settings, sources=tuple(sources)), emulators)
