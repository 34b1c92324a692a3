"""What every emulator shares: a Starlette app, a request journal, a clock, rate-limit windows.

Emulators are independent re-implementations of an upstream's contract. They never import the
gateway's connectors or resolvers, so a test that compares the gateway with an emulator compares
two implementations, not one with itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Self

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from customer_gateway.emulators.faults import FaultInjector, FaultPlan

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class JournalEntry:
    method: str
    path: str
    query: str
    status: int


class Emulator:
    """Subclasses set `kind` and implement `routes()`; `app` serves them, journaling requests."""

    kind: ClassVar[str]

    def __init__(self, *, clock: Clock = time.time) -> None:
        self.clock = clock
        self.journal: list[JournalEntry] = []
        self.faults = FaultPlan(clock)
        self._app: ASGIApp | None = None

    @classmethod
    def create(cls, *, seed: int, customers: int, rate_limits: bool = True) -> Self:
        """The one constructor the sandbox, `customer-gateway emulate` and the benchmarks use:
        `customers` seeded from `seed`, the upstream's published rate limits on or off."""
        raise NotImplementedError

    def routes(self) -> Sequence[BaseRoute]:
        raise NotImplementedError

    def connector_credentials(self) -> dict[str, str]:
        """The credentials a connector needs to talk to this emulator (the sandbox's demo login)."""
        raise NotImplementedError

    @property
    def app(self) -> ASGIApp:
        if self._app is None:
            app = FaultInjector(Starlette(routes=list(self.routes())), self.faults)
            self._app = _Journaling(app, self.journal)
        return self._app

    def requests(self, method: str | None = None, path_prefix: str = "") -> list[JournalEntry]:
        return [
            entry
            for entry in self.journal
            if (method is None or entry.method == method) and entry.path.startswith(path_prefix)
        ]

    @property
    def request_count(self) -> int:
        return len(self.journal)

    def reset_journal(self) -> None:
        self.journal.clear()


class _Journaling:
    def __init__(self, app: ASGIApp, journal: list[JournalEntry]) -> None:
        self.app = app
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            self.journal.append(
                JournalEntry(
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                    status=status,
                )
            )


@dataclass
class FixedWindow:
    """A per-key request counter over fixed windows (express-rate-limit's MemoryStore model)."""

    limit: int
    window: float
    clock: Clock
    _hits: dict[str, tuple[float, int]] = field(default_factory=dict)

    def hit(self, key: str) -> tuple[bool, int, float]:
        """Count one request; return (allowed, remaining, seconds until the window resets)."""
        now = self.clock()
        start, count = self._hits.get(key, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        count += 1
        self._hits[key] = (start, count)
        reset_in = max(0.0, start + self.window - now)
        return count <= self.limit, max(0, self.limit - count), reset_in
