"""Whether the mirror's store answers, and what reads do while it does not.

A store read that fails for the database's sake (the connection refused or lost, a timeout)
marks the store unavailable: from the next request on, every mirrored source is read
pass-through again (`Mirrors.serving`), with its own capabilities, so answers stay exact. A probe
(one read of the store: `SqlMirrorStore.ping`) every `PROBE_SECONDS` brings the mirror back as
soon as the store answers, without a restart. A read still running after `READ_SECONDS` asks
the probe first: a store that answers within `ANSWER_SECONDS` is working, and the read is slow,
not failed (the first count of a common surname within a group on a cold file, issue 16:
seconds), so it goes on, up to `SLOW_READ_SECONDS` in all, and the store stays available for
every other request; a store that does not answer (one that hangs) is marked unavailable.

Only what the database did counts: a bug in a query (a programming error) is not an outage and
is raised as it is.

A store that was closed (shutdown, a reload) while a request still reads it fails the same way
(`StoreClosed`): the read is `StoreUnavailable`, later requests read the sources themselves,
and nothing probes it (it is not coming back).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout

logger = logging.getLogger("customer_gateway.mirror")

T = TypeVar("T")

READ_SECONDS = 5.0  # a read that takes longer asks the probe whether the store answers
SLOW_READ_SECONDS = 30.0  # a read of a store that answers may take this long in all
PROBE_SECONDS = 1.0  # while unavailable, the store is asked this often whether it answers
ANSWER_SECONDS = 1.0  # a probe that takes longer is a store that does not answer

# What the database or the way to it did (asyncpg and aiosqlite errors arrive wrapped as
# DBAPIError subclasses; a connection refused before the driver speaks is an OSError).
STORE_FAILURES = (DBAPIError, DisconnectionError, PoolTimeout, OSError, TimeoutError)


class StoreUnavailable(Exception):
    """The store failed a read (the caller decides what to answer instead)."""


class StoreClosed(Exception):
    """A read of a store after its `close` (the store refuses it before touching the database)."""


class StoreAvailability:
    def __init__(
        self,
        probe: Callable[[], Awaitable[None]],
        *,
        read_seconds: float = READ_SECONDS,
        slow_read_seconds: float = SLOW_READ_SECONDS,
        probe_seconds: float = PROBE_SECONDS,
        answer_seconds: float = ANSWER_SECONDS,
    ) -> None:
        self._probe = probe
        self.read_seconds = read_seconds
        self.slow_read_seconds = slow_read_seconds
        self.probe_seconds = probe_seconds
        self.answer_seconds = answer_seconds
        self.available = True
        self.down_since: float | None = None
        self.outages = 0
        self._probing: asyncio.Task[None] | None = None

    async def read(self, call: Awaitable[T]) -> T:
        """`call`'s answer; `StoreUnavailable` (and the store marked so) when the store fails."""
        reading = asyncio.ensure_future(call)
        try:
            try:
                async with asyncio.timeout(self.read_seconds):
                    return await asyncio.shield(reading)
            except TimeoutError:
                if not await self._answers():
                    raise
                # The store answers: the read is slow, not failed; it goes on.
                async with asyncio.timeout(self.slow_read_seconds - self.read_seconds):
                    return await asyncio.shield(reading)
        except STORE_FAILURES as error:
            self.failed(error)
            raise StoreUnavailable(type(error).__name__) from None
        except StoreClosed:
            raise StoreUnavailable("closed") from None
        finally:
            reading.cancel()  # a no-op once it is done; else its answer is not awaited

    async def _answers(self) -> bool:
        try:
            async with asyncio.timeout(self.answer_seconds):
                await self._probe()
        except STORE_FAILURES:
            return False
        return True

    def failed(self, error: BaseException) -> None:
        if not self.available:
            return
        self.available = False
        self.down_since = time.time()
        self.outages += 1
        logger.warning(
            "mirror store unavailable (%s): mirrored sources are read pass-through until it "
            "answers again",
            type(error).__name__,
        )
        self._probing = asyncio.create_task(self._probe_until_back())

    async def _probe_until_back(self) -> None:
        while not self.available:
            await asyncio.sleep(self.probe_seconds)
            try:
                async with asyncio.timeout(self.read_seconds):
                    await self._probe()
            except STORE_FAILURES:
                continue
            self.available = True
            self.down_since = None
            logger.warning("mirror store answers again: mirrored sources are read from it")

    async def close(self) -> None:
        """The store is closing: from now on its sources are read pass-through, unprobed."""
        self.available = False
        if self._probing is not None:
            self._probing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probing
