"""The registry of upstream kinds: one line per kind ties its connector to its emulator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from customer_gateway.connectors.base import ConnectorBase
from customer_gateway.connectors.ecwid import EcwidConnector, EcwidWrapperConnector
from customer_gateway.connectors.evershop import EverShopConnector
from customer_gateway.connectors.flow_retail import FlowRetailConnector
from customer_gateway.connectors.shoptet import ShoptetConnector
from customer_gateway.emulators.base import Emulator
from customer_gateway.emulators.ecwid import EcwidEmulator, EcwidWrapperEmulator
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator


@dataclass(frozen=True, slots=True)
class SandboxShop:
    """One emulated source of the zero-config sandbox."""

    name: str
    seed: int
    customers: int
    options: Mapping[str, Any] = field(default_factory=dict)


class EmulatorFactory(Protocol):
    def __call__(self, *, seed: int, customers: int) -> Emulator: ...


@dataclass(frozen=True, slots=True)
class Kind:
    connector: type[ConnectorBase]
    emulator: EmulatorFactory
    sandbox: tuple[SandboxShop, ...] = ()

    @property
    def name(self) -> str:
        return self.connector.kind


# The sandbox's Shoptet finishes a snapshot job in 2 s and cannot call a webhook back.
_SHOPTET = {
    "webhook_url": "https://gateway.sandbox.invalid/webhooks/shoptet",
    "job_poll_seconds": [1, 1, 2, 4, 8, 15, 30, 60, 120],
}

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            EverShopConnector,
            EverShopEmulator,
            (SandboxShop("evershop-main", 1, 60), SandboxShop("evershop-outlet", 2, 35)),
        ),
        Kind(ShoptetConnector, ShoptetEmulator, (SandboxShop("shoptet-cz", 3, 1500, _SHOPTET),)),
        Kind(FlowRetailConnector, FlowRetailEmulator, (SandboxShop("flow-oslo", 4, 300),)),
        Kind(EcwidConnector, EcwidEmulator, (SandboxShop("ecwid-us", 5, 250),)),
        Kind(EcwidWrapperConnector, EcwidWrapperEmulator, (SandboxShop("ecwid-crm", 6, 120),)),
    )
}
