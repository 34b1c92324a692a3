"""Checked reads of upstream JSON: a wrong shape is `UpstreamBadResponse`, never a wrong value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from customer_gateway.connectors.errors import UpstreamBadResponse


class Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def bad(self, where: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(
            f"{self.source} answered with an unexpected shape at {where}", source=self.source
        )

    def object(self, value: Any, where: str) -> Mapping[str, Any]:
        # A decoded JSON object is a dict: `type` first spares the ABC's `__instancecheck__`
        # (a Python call) for each of them (several per customer of a page).
        if type(value) is dict:
            return value
        if not isinstance(value, Mapping):
            raise self.bad(where)
        return value

    def array(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.bad(where)
        return value

    def string(self, obj: Mapping[str, Any], key: str, where: str) -> str:
        value = obj.get(key)
        if not isinstance(value, str):
            raise self.bad(f"{where}.{key}")
        return value

    def opt_string(self, obj: Mapping[str, Any], key: str, where: str) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.bad(f"{where}.{key}")
        return value

    def opt_text(self, obj: Mapping[str, Any], key: str, where: str) -> str | None:
        """A string that means something: None when absent, null or empty. (Hot: Ecwid reads ~30
        per customer, so it does not go through `opt_string`.)"""
        value = obj.get(key)
        if not value:
            if value is None or value == "":
                return None
            raise self.bad(f"{where}.{key}")
        if not isinstance(value, str):
            raise self.bad(f"{where}.{key}")
        return value

    def integer(self, obj: Mapping[str, Any], key: str, where: str) -> int:
        value = obj.get(key)
        if type(value) is int:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.bad(f"{where}.{key}")
        return value

    def opt_integer(self, obj: Mapping[str, Any], key: str, where: str) -> int | None:
        if obj.get(key) is None:
            return None
        return self.integer(obj, key, where)

    def opt_boolean(self, obj: Mapping[str, Any], key: str, where: str) -> bool | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self.bad(f"{where}.{key}")
        return value

    def epoch_millis(self, value: Any, where: str) -> datetime | None:
        """EverShop's `Date.value`: milliseconds since the epoch, as a string."""
        if value is None:
            return None
        if not isinstance(value, str) or not value.lstrip("-").isdigit():
            raise self.bad(where)
        return datetime.fromtimestamp(int(value) / 1000, UTC)  # positional: no keyword parse

    def iso_datetime(self, value: Any, where: str) -> datetime | None:
        """ISO 8601 with or without a colon in the offset (Shoptet: +0200), 'Z' allowed."""
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.bad(where)
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self.bad(where) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
