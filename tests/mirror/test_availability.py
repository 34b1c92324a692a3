"""A read that outlasts the store's read bound asks the probe before the store is marked
unavailable (`mirror/availability.py`): a store that answers is working and the slow read
goes on (the first count of a keyword within a group on a cold file takes seconds), so every
other request keeps its mirror; a store that does not answer is marked unavailable as before."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection

from customer_gateway.mirror.availability import StoreAvailability, StoreUnavailable
from customer_gateway.mirror.store import open_store, sqlite_url

pytestmark = pytest.mark.anyio

# A read that keeps SQLite busy for about a second (a recursive count), on a reader thread.
SLOW = (
    "WITH RECURSIVE counted(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM counted "
    "WHERE i < 3000000) SELECT count(*) FROM counted"
)


def _slow_count(connection: Connection) -> int:
    return int(connection.exec_driver_sql(SLOW).scalar_one())


async def test_a_slow_read_of_a_store_that_answers_goes_on_on_sqlite(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    try:
        assert store.reader is not None
        store.availability.read_seconds = 0.1
        started = time.monotonic()
        counted = await store.availability.read(store.reader.run(_slow_count))
        assert counted == 3_000_000
        assert time.monotonic() - started > store.availability.read_seconds, "not slow enough"
        assert store.availability.available
        assert store.availability.outages == 0
    finally:
        await store.close()


async def test_a_slow_read_of_a_store_that_does_not_answer_marks_it_unavailable(
    tmp_path: Path,
) -> None:
    """The same read, the probe never answering (a store that hangs): the read fails after the
    read bound and the probe's, and the store is marked unavailable (and probed until back)."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    hung = asyncio.Event()

    async def probe() -> None:
        await hung.wait()

    availability = StoreAvailability(probe, read_seconds=0.1, answer_seconds=0.1)
    try:
        assert store.reader is not None
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await availability.read(store.reader.run(_slow_count))
        assert time.monotonic() - started < 0.9
        assert not availability.available
        assert availability.outages == 1
        hung.set()  # the store answers again: the probe brings it back
        for _ in range(50):
            if availability.available:
                break
            await asyncio.sleep(0.1)
        assert availability.available
    finally:
        await availability.close()
        await store.close()


async def test_a_read_past_the_slow_bound_fails_on_sqlite(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    try:
        assert store.reader is not None
        store.availability.read_seconds = 0.05
        store.availability.slow_read_seconds = 0.1
        with pytest.raises(StoreUnavailable):
            await store.availability.read(store.reader.run(_slow_count))
    finally:
        await store.close()
