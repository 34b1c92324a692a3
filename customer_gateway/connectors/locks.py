"""One write at a time per record: what a connector holds while it reads a record and writes it.

A connector that reads a customer to build its write (Ecwid sends the whole `billingPerson`;
Shoptet, Flow Retail and EverShop decide what to send from the current record) would otherwise
let two concurrent updates of different fields read the same state, and the later write would
put back the field the earlier one changed.

`RecordLocks` is the seam: `LocalRecordLocks` serialises the writes of one process;
`RedisRecordLocks` those of every replica sharing one Redis (`[state] redis_url`), without
touching the connectors.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from customer_gateway.state.redis import RedisDown, SharedRedis


class RecordLocks(Protocol):
    def hold(self, source: str, record: str) -> AbstractAsyncContextManager[None]:
        """Held until the block ends; waits while another holder of (source, record) runs.

        The wait is bounded by whoever awaits the block (the request's deadline cancels it).
        """
        ...


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holders and waiters: the entry goes when the last one leaves


class LocalRecordLocks:
    """Per process: an asyncio lock per (source, record), kept only while someone uses it."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}

    @asynccontextmanager
    async def hold(self, source: str, record: str) -> AsyncIterator[None]:
        key = (source, record)
        entry = self._entries.setdefault(key, _Entry())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]

    def __len__(self) -> int:
        """Records with a holder or a waiter (none once every write is done)."""
        return len(self._entries)


# KEYS: the lock. ARGV: its holder's token. Only the holder deletes it (an expired and re-taken
# lock belongs to someone else).
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: the lock. ARGV: token, ms. Extends the lease while its holder still has it.
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class RedisRecordLocks:
    """Across replicas: a Redis lock per (source, record) (`SET NX PX` with a token), under this
    process's own lock (so writers of one process queue here, not in Redis).

    The lock is a lease (`ttl`, renewed while held): a replica that dies holding one frees it
    within `ttl`. Waiters ask again with a growing pause (concurrent writes of one record are
    rare). While Redis is down the process lock alone applies: concurrent updates of one customer
    sent to different replicas may then interleave (README, "Replicas and shared state").
    """

    def __init__(self, redis: SharedRedis, *, ttl: float = 30.0) -> None:
        self.redis = redis
        self.ttl = ttl
        self.local = LocalRecordLocks()
        self._unlock = redis.client.register_script(_UNLOCK)
        self._extend = redis.client.register_script(_EXTEND)

    @asynccontextmanager
    async def hold(self, source: str, record: str) -> AsyncIterator[None]:
        async with self.local.hold(source, record):
            key = self.redis.key("lock", source, record)
            token = secrets.token_hex(8)
            if not await self._acquire(key, token):
                yield  # Redis is down: this process's lock alone
                return
            renewing = asyncio.create_task(self._keep(key, token))
            try:
                yield
            finally:
                renewing.cancel()
                with contextlib.suppress(RedisDown):
                    await self.redis.run(
                        "locks",
                        lambda: self._unlock(keys=[key], args=[token]),
                    )

    async def _acquire(self, key: str, token: str) -> bool:
        """True once held; False when Redis is (or goes) down."""
        pause = 0.005
        while True:
            try:
                taken = await self.redis.run(
                    "locks",
                    lambda: self.redis.client.set(key, token, nx=True, px=int(self.ttl * 1000)),
                )
            except RedisDown:
                return False
            if taken:
                return True
            await asyncio.sleep(pause)
            pause = min(0.1, pause * 2)

    async def _keep(self, key: str, token: str) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            with contextlib.suppress(RedisDown):
                await self.redis.run(
                    "locks",
                    lambda: self._extend(keys=[key], args=[token, int(self.ttl * 1000)]),
                )
