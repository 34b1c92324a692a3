"""The Redis every replica shares: one client, its health, the live replicas, release signals.

Everything that asks Redis goes through `SharedRedis.run`, which counts the round trip (what
`gateway_redis_round_trips_total` and bench/ report) and turns any failure into `RedisDown`.
The first failure marks Redis down for the whole process: callers then stop asking (each limit
falls back to this replica's local share at once, no timeout per call) and a background task
pings every `probe_interval` until Redis answers again, when the shared limits resume by
themselves. Operations are bounded by `op_timeout` (a hung Redis is a down Redis).

Replicas register themselves every `heartbeat` seconds (a sorted set scored by expiry): the
count is what a replica divides each limit by while Redis is down (`replicas`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

logger = logging.getLogger("customer_gateway.state")

T = TypeVar("T")


class RedisDown(Exception):
    """Redis did not answer (or is known to be down): use the local share instead."""


class SharedRedis:
    def __init__(
        self,
        url: str,
        prefix: str,
        *,
        op_timeout: float = 0.5,
        probe_interval: float = 0.5,
        heartbeat: float = 2.0,
    ) -> None:
        options: dict[str, Any] = {
            "socket_connect_timeout": op_timeout,
            "retry": Retry(NoBackoff(), 0),  # a failure is reported, not hidden by retries
            "decode_responses": True,
        }
        self.client = aioredis.Redis.from_url(url, socket_timeout=op_timeout, **options)
        # Subscriptions block while idle: no read timeout on their connection.
        self._subscriber = aioredis.Redis.from_url(url, socket_timeout=None, **options)
        self.prefix = prefix
        self.replica = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.op_timeout = op_timeout
        self.probe_interval = probe_interval
        self.heartbeat = heartbeat
        self.up = False
        self.down_since: float | None = time.time()
        self.replicas = 1  # live replicas last seen (this one included)
        self.round_trips: Counter[str] = Counter()  # by purpose
        self.outages = 0
        self._signals: dict[str, asyncio.Event] = {}
        self._handlers: dict[str, Callable[[str], None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    async def run(self, purpose: str, call: Callable[[], Awaitable[T]]) -> T:
        """One round trip (a command, a script or a pipeline); `RedisDown` if it fails."""
        if not self.up:
            raise RedisDown("redis is down")
        self.round_trips[purpose] += 1
        try:
            async with asyncio.timeout(self.op_timeout * 2):
                return await call()
        except (RedisError, OSError, TimeoutError) as error:
            self._mark_down(error)
            raise RedisDown(str(error)) from None

    # -- health -----------------------------------------------------------------------------

    def _mark_down(self, error: BaseException) -> None:
        if not self.up:
            return
        self.up = False
        self.down_since = time.time()
        self.outages += 1
        logger.warning(
            "redis unreachable (%s): every limit falls back to this replica's local share "
            "until it answers again",
            type(error).__name__,
        )

    def _mark_up(self) -> None:
        if self.up:
            return
        was_down = self.outages > 0
        self.up = True
        self.down_since = None
        if was_down:
            logger.warning("redis answers again: shared limits resume")

    async def start(self) -> None:
        """Try Redis once (a replica may start while it is down) and start the background
        tasks: the heartbeat (and, while down, the probe) and the release-signal reader."""
        await self._beat()
        self._tasks.append(asyncio.create_task(self._heartbeat_loop(), name="redis-heartbeat"))
        self._tasks.append(asyncio.create_task(self._listen_loop(), name="redis-signals"))

    async def _beat(self) -> None:
        """Register this replica, drop the expired ones and count the live ones."""
        now = time.time()
        members = self.key("replicas")
        try:
            async with asyncio.timeout(self.op_timeout * 2):
                async with self.client.pipeline(transaction=True) as pipe:
                    pipe.zadd(members, {self.replica: now + self.heartbeat * 3})
                    pipe.zremrangebyscore(members, "-inf", now)
                    pipe.zcard(members)
                    pipe.expire(members, int(self.heartbeat * 10) + 1)
                    replies = await pipe.execute()
        except (RedisError, OSError, TimeoutError) as error:
            self._mark_down(error)
            if self.outages == 0 and self.down_since is not None:
                self.outages = 1  # down from the start
                logger.warning(
                    "redis unreachable at startup (%s): local limits until it answers",
                    type(error).__name__,
                )
            return
        self.round_trips["heartbeat"] += 1
        self.replicas = max(1, int(replies[2]))
        self._mark_up()

    async def _heartbeat_loop(self) -> None:
        while not self._closed:
            await asyncio.sleep(self.heartbeat if self.up else self.probe_interval)
            await self._beat()

    # -- release signals (pub/sub) ------------------------------------------------------------

    def signal(self, channel: str) -> asyncio.Event:
        """Set when a message arrives on `channel` (the caller clears it before it waits)."""
        return self._signals.setdefault(channel, asyncio.Event())

    def on_message(self, channel: str, handler: Callable[[str], None]) -> None:
        """`handler(payload)` for every message on `channel`, instead of setting its signal (a
        channel that carries more than one kind of news decides which ones wake its waiters)."""
        self._handlers[channel] = handler

    async def _listen_loop(self) -> None:
        pattern = self.key("released", "*")
        while not self._closed:
            if not self.up:
                await asyncio.sleep(self.probe_interval)
                continue
            pubsub = self._subscriber.pubsub()
            try:
                await pubsub.psubscribe(pattern)
                async for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        channel = str(message["channel"])
                        handler = self._handlers.get(channel)
                        if handler is not None:
                            handler(str(message["data"]))
                        elif (event := self._signals.get(channel)) is not None:
                            event.set()
            except (RedisError, OSError) as error:
                self._mark_down(error)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
            await asyncio.sleep(self.probe_interval)

    async def close(self) -> None:
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.up:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                async with asyncio.timeout(self.op_timeout * 2):
                    await self.client.zrem(self.key("replicas"), self.replica)
        await self.client.aclose()
        await self._subscriber.aclose()

    def report(self) -> dict[str, Any]:
        """What /readyz says about Redis."""
        if self.up:
            return {"state": "up", "limits": "shared", "replicas": self.replicas}
        return {
            "state": "down",
            "limits": "local",
            "replicas": self.replicas,
            "downSince": self.down_since,
        }
