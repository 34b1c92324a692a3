"""One entry per upstream kind: how the contract suite builds its connector and emulator.

A kind is in the suite as soon as it is in both registries (connectors/registry.py and the
sandbox's EMULATORS); an entry here only adds what that kind needs beyond the defaults.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from customer_gateway.connectors.defaults import ConnectorBase
from customer_gateway.connectors.registry import CONNECTORS
from customer_gateway.connectors.transport import build_client
from customer_gateway.emulators.base import Emulator
from customer_gateway.server.sandbox import EMULATORS, emulator_class
from customer_gateway.server.settings import Secret, SourceSettings

SOURCE = "contract"


@dataclass(frozen=True)
class Entry:
    kind: str
    customers: int = 24
    options: Mapping[str, Any] = field(default_factory=dict)
    # Statuses a kind's error mapping reads from the body: a bare status fault stands for them.
    status_codes: Mapping[int, str] = field(default_factory=dict)

    @property
    def connector(self) -> type[ConnectorBase]:
        return CONNECTORS[self.kind]

    def emulator(self, seed: int = 7) -> Emulator:
        return emulator_class(self.kind).create(
            seed=seed, customers=self.customers, rate_limits=False
        )

    def settings(self, emulator: Emulator, **overrides: Any) -> SourceSettings:
        fields: dict[str, Any] = {
            "name": SOURCE,
            "kind": self.kind,
            "base_url": f"http://contract.test{self.connector.base_path}",
            "credentials": {
                key: Secret(value) for key, value in emulator.connector_credentials().items()
            },
            "options": dict(self.options),
            "rate_limits": False,
            "retries": 0,
        }
        return SourceSettings(**{**fields, **overrides})

    @asynccontextmanager
    async def connect(self, emulator: Emulator, **overrides: Any) -> AsyncIterator[ConnectorBase]:
        settings = self.settings(emulator, **overrides)
        self.connector.validate_settings(settings)
        async with build_client(settings, httpx.ASGITransport(app=emulator.app)) as client:
            yield self.connector(settings, client)


_OVERRIDES: dict[str, Entry] = {}

ENTRIES: dict[str, Entry] = {
    kind: _OVERRIDES.get(kind, Entry(kind)) for kind in CONNECTORS if kind in EMULATORS
}
