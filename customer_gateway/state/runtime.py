"""What the app opens from `[state]`: the shared Redis and the PostgreSQL idempotency store."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from customer_gateway.features.idempotency import IdempotencyStore, MemoryIdempotencyStore
from customer_gateway.server.settings import Settings
from customer_gateway.state.idempotency import (
    IdempotencyUnavailable,
    PostgresIdempotencyStore,
    engine_for,
)
from customer_gateway.state.redis import SharedRedis

logger = logging.getLogger("customer_gateway.state")


@dataclass
class SharedState:
    redis: SharedRedis | None = None
    postgres: PostgresIdempotencyStore | None = None
    memory: MemoryIdempotencyStore = field(default_factory=MemoryIdempotencyStore)

    @property
    def idempotency(self) -> IdempotencyStore:
        return self.postgres if self.postgres is not None else self.memory

    async def report(self) -> dict[str, Any]:
        """What /readyz says: each configured store, up or down, and what that means."""
        report: dict[str, Any] = {}
        if self.redis is not None:
            report["redis"] = self.redis.report()
        if self.postgres is not None:
            up = await self.postgres.ping()
            report["postgres"] = (
                {"state": "up", "idempotency": "shared"}
                if up
                else {"state": "down", "idempotency": "keyed creates refused"}
            )
        return report


async def open_state(settings: Settings, stack: AsyncExitStack) -> SharedState:
    """Neither URL: nothing shared (one process, as before). A store that is down at startup
    does not stop the gateway: Redis' limits start local, keyed creates are refused until
    PostgreSQL answers."""
    state = SharedState()
    if settings.state.redis_url is not None:
        state.redis = SharedRedis(settings.state.redis_url.reveal(), settings.state.redis_prefix)
        await state.redis.start()
        stack.push_async_callback(state.redis.close)
    if settings.state.postgres_url is not None:
        store = PostgresIdempotencyStore(engine_for(settings.state.postgres_url.reveal()))
        stack.push_async_callback(store.aclose)
        try:
            await store.create_tables()
        except IdempotencyUnavailable:
            logger.warning(
                "postgresql unreachable at startup: keyed creates are refused until it answers"
            )
        state.postgres = store
    return state
