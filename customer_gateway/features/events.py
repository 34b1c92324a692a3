"""Customer change events for live subscribers (`Subscription.customerChanged`).

A write through the gateway (and, where a source is mirrored, a change the sync sees upstream)
is published here; each subscriber gets its own bounded queue. A subscriber that falls more
than `max_buffered` events behind is dropped (its stream ends with SUBSCRIBER_TOO_SLOW) instead
of buffering without bound, and at most `max_subscribers` subscribe at once in a process.

With Redis configured (`[state] redis_url`), every replica relays its events to the others over
one pub/sub channel, so a subscriber sees the writes of every replica. Redis down: each replica's
subscribers see that replica's events only, until it is back (logged, counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from customer_gateway.connectors.models import ChangeType
from customer_gateway.core.errors import ErrorCode, GatewayError

if TYPE_CHECKING:
    from customer_gateway.state.redis import SharedRedis

logger = logging.getLogger("customer_gateway.events")

WRITTEN_SECONDS = 600.0  # the longest a write's announcement stands for the sync's next sight
WRITTEN_KEPT = 10_000  # customers remembered at most


@dataclass(frozen=True, slots=True)
class CustomerEvent:
    source: str
    id: str  # the source's native id
    change_type: ChangeType
    changed_at: datetime
    origin: str = "write"  # "write": through a gateway; "sync": seen upstream by the mirror

    def to_json(self) -> str:
        return json.dumps(
            {
                "source": self.source,
                "id": self.id,
                "change_type": self.change_type.value,
                "changed_at": self.changed_at.isoformat(),
                "origin": self.origin,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> CustomerEvent:
        data = json.loads(text)
        return cls(
            source=str(data["source"]),
            id=str(data["id"]),
            change_type=ChangeType(data["change_type"]),
            changed_at=datetime.fromisoformat(data["changed_at"]),
            origin=str(data.get("origin", "write")),
        )


class SubscriberTooSlow(GatewayError):
    code = ErrorCode.SUBSCRIBER_TOO_SLOW


class TooManySubscribers(GatewayError):
    code = ErrorCode.QUERY_TOO_COMPLEX


class Subscriber:
    """One subscriber's queue. Iterate it; it ends with SubscriberTooSlow once overflowed."""

    def __init__(self, hub: EventHub, max_buffered: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[CustomerEvent] = asyncio.Queue(max_buffered)
        self.overflowed = False

    def offer(self, event: CustomerEvent) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self._queue.empty():  # free what it held
                self._queue.get_nowait()
            self._queue.put_nowait(event)  # wakes the reader, which then sees `overflowed`

    def close(self) -> None:
        self._hub._subscribers.discard(self)

    async def __aiter__(self) -> AsyncIterator[CustomerEvent]:
        try:
            while True:
                event = await self._queue.get()
                if self.overflowed:
                    self._hub.dropped += 1
                    raise SubscriberTooSlow(
                        f"This subscriber fell more than {self._queue.maxsize} events behind and "
                        "was dropped; subscribe again and read the changes since with "
                        "customerChanges."
                    )
                yield event
        finally:
            self.close()


class EventHub:
    def __init__(self, *, max_buffered: int = 256, max_subscribers: int = 1000) -> None:
        self.max_buffered = max_buffered
        self.max_subscribers = max_subscribers
        self._subscribers: set[Subscriber] = set()
        self.published = 0
        self.dropped = 0  # subscribers dropped for being too slow
        self._relay: RedisRelay | None = None
        # Customers announced by a gateway's write (any replica's: relayed events too), so the
        # mirror's sync does not announce the same change again when it next reads them (a
        # write's answer is often not the record the source lists: another digest).
        self._written: OrderedDict[tuple[str, str], float] = OrderedDict()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> Subscriber:
        if len(self._subscribers) >= self.max_subscribers:
            raise TooManySubscribers(
                f"This gateway serves at most {self.max_subscribers} subscriptions at once."
            )
        subscriber = Subscriber(self, self.max_buffered)
        self._subscribers.add(subscriber)
        return subscriber

    def publish(self, event: CustomerEvent) -> None:
        """Deliver to this process's subscribers, and relay to the other replicas."""
        self.deliver(event)
        if self._relay is not None:
            self._relay.send(event)

    def deliver(self, event: CustomerEvent) -> None:
        self.published += 1
        if event.origin == "write":
            key = (event.source, event.id)
            self._written.pop(key, None)
            self._written[key] = time.monotonic()
            while len(self._written) > WRITTEN_KEPT:
                self._written.popitem(last=False)
        for subscriber in list(self._subscribers):
            subscriber.offer(event)

    def written_recently(self, source: str, native_id: str, within: float) -> bool:
        """A gateway's write announced this customer within the last `within` seconds."""
        at = self._written.get((source, native_id))
        return at is not None and time.monotonic() - at < min(within, WRITTEN_SECONDS)

    async def relay_through(self, redis: SharedRedis) -> None:
        self._relay = RedisRelay(self, redis)
        await self._relay.start()

    async def aclose(self) -> None:
        if self._relay is not None:
            await self._relay.aclose()


class RedisRelay:
    """Events of every replica over one Redis channel; a replica skips its own."""

    def __init__(self, hub: EventHub, redis: SharedRedis) -> None:
        self.hub = hub
        self.redis = redis
        self.channel = redis.key("events")
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="event-relay")

    def send(self, event: CustomerEvent) -> None:
        message = json.dumps({"from": self.redis.replica, "event": event.to_json()})
        task = asyncio.create_task(self._send(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, message: str) -> None:
        from customer_gateway.state.redis import RedisDown

        with contextlib.suppress(RedisDown):
            await self.redis.run("events", lambda: self.redis.client.publish(self.channel, message))

    async def _listen(self) -> None:
        from redis.exceptions import RedisError

        while True:
            if not self.redis.up:
                await asyncio.sleep(self.redis.probe_interval)
                continue
            pubsub = self.redis._subscriber.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    envelope = json.loads(message["data"])
                    if envelope.get("from") == self.redis.replica:
                        continue
                    self.hub.deliver(CustomerEvent.from_json(envelope["event"]))
            except (RedisError, OSError, ValueError, KeyError) as error:
                logger.warning("event relay interrupted (%s)", type(error).__name__)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
            await asyncio.sleep(self.redis.probe_interval)

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
