"""The registry of upstream kinds: one line per kind ties its connector to its emulator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from customer_gateway.connectors.base import ConnectorBase
from customer_gateway.connectors.evershop import EverShopConnector
from customer_gateway.emulators.base import Emulator
from customer_gateway.emulators.evershop import EverShopEmulator


@dataclass(frozen=True, slots=True)
class SandboxShop:
    """One emulated source of the zero-config sandbox."""

    name: str
    seed: int
    customers: int


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


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            EverShopConnector,
            EverShopEmulator,
            (SandboxShop("evershop-main", 1, 60), SandboxShop("evershop-outlet", 2, 35)),
        ),
    )
}
