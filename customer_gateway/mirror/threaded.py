"""SQLite reads in one hop to a thread.

aiosqlite runs every DB-API call on its connection's thread and waits for each: a page read of
three statements cost about thirteen hops there and back (cursor, execute, fetch, close for each
statement, then the pool's rollback), each a wake-up of the event loop. Here a whole read (every
statement a request needs, the pool's checkout and reset included) is one plain function on a
synchronous SQLAlchemy connection (pysqlite), run on one of a few threads of its own: one hop
(issue 16, the grid's p50). SQLAlchemy's compiled cache keeps each statement's SQL from the first
time its shape was seen. Writes stay on the async engine (aiosqlite): SQLite has one writer, and
WAL lets these connections read meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import QueuePool

T = TypeVar("T")

# Reads at once (threads, and a connection each): a request reads once, so this is how many
# requests' reads overlap in SQLite (which releases the GIL while it works).
READ_THREADS = 4


def sqlite_pragmas(
    busy_timeout_ms: int, dbapi_connection: Any, _record: Any, *, read_only: bool = False
) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: requests read while the sync writes; NORMAL is durable across process crashes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Other processes' writers (workers over one file): wait up to 30 s for their turn.
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    # A load writes a dozen indexes in sort-key order, not insertion order: a larger page cache
    # (32 MiB per connection, filled only as used) keeps their pages between transactions.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.execute("PRAGMA temp_store=MEMORY")
    # A deleted row's bytes are overwritten in the file, not left in a free page (deletes and
    # erasure remove data): Debian's SQLite does so by default, other builds do not.
    cursor.execute("PRAGMA secure_delete=ON")
    if read_only:
        cursor.execute("PRAGMA query_only=ON")  # a reader never writes, whatever it is given
    cursor.close()


class ThreadReader:
    """Runs `read(connection)` on a thread of its own over a pysqlite connection to the file
    the async engine (`url`, sqlite+aiosqlite) writes."""

    def __init__(self, url: str, busy_timeout_ms: int, threads: int = READ_THREADS) -> None:
        self.engine = sa.create_engine(
            make_url(url).set(drivername="sqlite+pysqlite"),
            poolclass=QueuePool,
            pool_size=threads,
            max_overflow=0,
            # The connection used last goes out first: requests one after another read on the
            # same connection, whose page cache and kept totals (`memo`) are then warm.
            pool_use_lifo=True,
            # Each connection serves one thread at a time, whichever of the pool's threads.
            connect_args={"check_same_thread": False},
        )
        event.listen(
            self.engine,
            "connect",
            functools.partial(sqlite_pragmas, busy_timeout_ms, read_only=True),
        )
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="mirror-read")

    async def run(self, read: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._in_thread, read)

    def _in_thread(self, read: Callable[[Connection], T]) -> T:
        with self.engine.connect() as connection:
            return read(connection)

    async def close(self) -> None:
        # Reads under way finish first (their connections go back to the pool, then closed).
        await asyncio.to_thread(self._threads.shutdown, True)
        self.engine.dispose()
