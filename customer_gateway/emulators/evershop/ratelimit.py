"""`modules/base/services/rateLimit.ts`: per-IP tiers on express-rate-limit 8's MemoryStore.

`standardHeaders: true` means the draft-6 `RateLimit-*` headers on every counted response;
EverShop's 429 handler then overrides `Retry-After` with the whole window.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass
from typing import Final, Literal

from customer_gateway.emulators.base import Clock, FixedWindow

Tier = Literal["page", "api", "auth"]

_RULES: Final[dict[Tier, tuple[int, int]]] = {
    "page": (300, 60),
    "api": (120, 60),
    "auth": (8, 15 * 60),
}
_STATIC_ASSET: Final = re.compile(
    r"\.(?:js|mjs|cjs|css|map|png|jpe?g|gif|svg|webp|avif|ico|woff2?|ttf|eot|txt|xml|json)$",
    re.IGNORECASE,
)
_AUTH_POST_PATHS: Final = frozenset(
    {
        "/customer/login",
        "/admin/user/login",
        "/api/customers",
        "/api/customers/reset-password",
        "/api/customers/password",
    }
)
_LOCALE_PREFIX: Final = re.compile(r"^/[a-z]{2}(?:-[a-zA-Z]{2})?(?=/)")

API_MESSAGE: Final = "Too many requests. Please slow down and try again later."
PAGE_MESSAGE: Final = "Too many requests. Please slow down and try again shortly."


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def classify(method: str, path: str) -> Tier | Literal["exempt"]:
    """`classifyRequest`: on method and raw path only, before any route matching."""
    if (
        _STATIC_ASSET.search(path)
        or path.startswith(("/__webpack_hmr", "/backend/"))
        or ".hot-update" in path
        or path in ("/health", "/healthz")
    ):
        return "exempt"
    if method == "POST" and (
        path in _AUTH_POST_PATHS or _LOCALE_PREFIX.sub("", path, count=1) in _AUTH_POST_PATHS
    ):
        return "auth"
    if is_api_path(path):
        return "api"
    return "page"


def client_key(host: str) -> str:
    """express-rate-limit's `ipKeyGenerator`: IPv6 clients share a /56, mapped IPv4 is unwrapped."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/56", strict=False))
    return host


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    tier: Tier
    headers: dict[str, str]


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._windows = {
            tier: FixedWindow(limit=limit, window=window, clock=clock)
            for tier, (limit, window) in _RULES.items()
        }

    def check(self, method: str, path: str, client_ip: str) -> Decision | None:
        tier = classify(method, path)
        if tier == "exempt":
            return None
        limit, window = _RULES[tier]
        allowed, remaining, reset_in = self._windows[tier].hit(client_key(client_ip))
        headers = {
            "RateLimit-Policy": f"{limit};w={window}",
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(max(0, math.ceil(reset_in))),
        }
        if not allowed:
            headers["Retry-After"] = str(window)
        return Decision(allowed=allowed, tier=tier, headers=headers)
