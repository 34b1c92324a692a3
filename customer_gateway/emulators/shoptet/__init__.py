"""Shoptet's customer API emulator (README section 1)."""

from __future__ import annotations

from .emulator import ShoptetEmulator
from .webhooks import WebhookDelivery

__all__ = ["ShoptetEmulator", "WebhookDelivery"]
