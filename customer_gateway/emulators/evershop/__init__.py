"""A faithful, stateful emulator of EverShop 2.2.1's customer API (REST + admin GraphQL)."""

from __future__ import annotations

from .emulator import EverShopEmulator
from .pg import PgError

__all__ = ["EverShopEmulator", "PgError"]
