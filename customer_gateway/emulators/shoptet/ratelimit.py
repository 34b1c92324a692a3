"""Shoptet's request limits (README 1.2, 1.3; spec "Rate limiting" and "Locks").

* nginx `limit_conn per_ip 50; limit_conn per_token 3; limit_conn_status 429;`: in-flight
  requests are counted from arrival until the response is sent.
* A leaky bucket per (addon x e-shop), i.e. per token: capacity 200 drops, draining 10/s. The
  real per-request cost is unpublished (README 1.3: unknown); the emulator charges 1 drop per
  request plus 1 per `items_per_drop` items in the response, after execution.
* Write locks: an identical write (method + path + query) still running answers 423; a lock
  lives at most 5 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

from customer_gateway.emulators.base import Clock

LOCK_MAX_SECONDS: Final = 5.0


@dataclass(slots=True)
class LeakyBucket:
    capacity: int
    drain_per_second: float
    clock: Clock
    level: float = 0.0
    _updated: float | None = None

    def _drain(self) -> float:
        now = self.clock()
        if self._updated is not None:
            self.level = max(0.0, self.level - (now - self._updated) * self.drain_per_second)
        self._updated = now
        return now

    def is_full(self) -> bool:
        """No room for one more drop (a request's cost is only known after it ran)."""
        self._drain()
        return self.level > self.capacity - 1

    def retry_at(self) -> float:
        """When the bucket has room for one drop again."""
        now = self._drain()
        excess = self.level - (self.capacity - 1)
        return now + max(0.0, excess) / self.drain_per_second

    def add(self, drops: int) -> None:
        self._drain()
        self.level += drops

    def filling(self) -> str:
        """`X-RateLimit-Bucket-Filling: <used>/<capacity>`; the level can overshoot by the
        last request's cost, the header never reads above the capacity."""
        self._drain()
        return f"{min(self.capacity, math.ceil(self.level))}/{self.capacity}"


@dataclass(slots=True)
class ConnectionCounter:
    limit: int
    in_flight: dict[str, int] = field(default_factory=dict)
    # Instrumentation for tests and benchmarks (`/_emulator/connections`): the most requests
    # ever in flight per key, and how many were refused with 429.
    peak: dict[str, int] = field(default_factory=dict)
    refused: int = 0

    def try_enter(self, key: str) -> bool:
        if self.in_flight.get(key, 0) >= self.limit:
            self.refused += 1
            return False
        self.in_flight[key] = self.in_flight.get(key, 0) + 1
        self.peak[key] = max(self.peak.get(key, 0), self.in_flight[key])
        return True

    def leave(self, key: str) -> None:
        remaining = self.in_flight.get(key, 0) - 1
        if remaining > 0:
            self.in_flight[key] = remaining
        else:
            self.in_flight.pop(key, None)


@dataclass(slots=True)
class UrlLocks:
    clock: Clock
    _held: dict[str, tuple[float, object]] = field(default_factory=dict)

    def try_acquire(self, key: str) -> object | None:
        """An owner handle for `release`, or None while another request holds `key`."""
        now = self.clock()
        held = self._held.get(key)
        if held is not None and now - held[0] < LOCK_MAX_SECONDS:
            return None
        owner = object()
        self._held[key] = (now, owner)
        return owner

    def release(self, key: str, owner: object) -> None:
        held = self._held.get(key)
        if held is not None and held[1] is owner:  # an expired lock may have been re-taken
            del self._held[key]
