"""The mirror store: the interface the sync engine and `MirroredSource` use, and its SQL
implementation (SQLAlchemy 2 Core, async) on SQLite (aiosqlite, the embedded default: one file in
the data directory, 0600) or PostgreSQL (asyncpg, `[state] postgres_url`: what several replicas
share).

Nothing here logs a row: personal data stays in the tables (README, "Mirror").
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import json
import os
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from customer_gateway.connectors.models import CustomerRecord, GroupRecord, Sort
from customer_gateway.mirror import bulk, page
from customer_gateway.mirror.availability import StoreAvailability, StoreClosed
from customer_gateway.mirror.keys import TextKey
from customer_gateway.mirror.query import Dialect, SourceSelection
from customer_gateway.mirror.rows import CustomerRows, Document, customer_rows, group_doc
from customer_gateway.mirror.statements import RowStatements, in_chunks
from customer_gateway.mirror.tables import (
    content,
    counts,
    customers,
    groups,
    memberships,
    sync_state,
)
from customer_gateway.mirror.threaded import ThreadReader, sqlite_pragmas
from customer_gateway.server.datadir import create_private

T = TypeVar("T")

SQLITE_FILE = "mirror.sqlite3"
SORT_CACHE_KIB = 8192  # while an index is built after a bulk load (`bulk.py`)
MIGRATIONS = Path(__file__).parent / "migrations"
# Serialises migrations of replicas starting at once (PostgreSQL); any constant will do.
_MIGRATION_LOCK = 0x6D6972726F72
# The lock file beside the SQLite file the mirror's migrations take turns on (`bulk_load` too).
MIGRATION_TURN = "migrate-lock"


@dataclass(frozen=True, slots=True)
class SyncState:
    """Where one source's sync stands (`tables.sync_state`)."""

    source: str
    kind: str
    phase: str = "empty"  # empty | loading | following
    cursor: dict[str, Any] = field(default_factory=dict)
    loaded_at: float | None = None
    synced_at: float | None = None
    attempt_at: float | None = None
    error: str | None = None
    pass_no: int = 0
    rank: int = 0
    collation: str = "en_US"

    def but(self, **changes: Any) -> SyncState:
        return replace(self, **changes)


class WriteObserver(Protocol):
    """Told of every customer write, inside the writing transaction (its connection): what it
    keeps beside the mirror's rows (the identity index) commits or rolls back with them."""

    async def customers_upserted(
        self, connection: AsyncConnection, records: Sequence[CustomerRecord]
    ) -> None: ...

    async def customers_deleted(
        self, connection: AsyncConnection, source: str, ids: Sequence[str]
    ) -> None: ...

    async def source_purged(self, connection: AsyncConnection, source: str) -> None: ...


class Fenced(Exception):
    """A sync write carried a fencing token smaller than one already recorded for its source:
    its lease was taken over (the writer was paused past it). Nothing of the transaction lands."""


class StoreWriter(Protocol):
    """Writes of one transaction: rows and the cursor that describes them commit together."""

    async def fence(self, source: str, token: int) -> None: ...

    async def upsert_customers(
        self,
        records: Sequence[CustomerRecord],
        *,
        rank: int,
        pass_no: int,
        text_key: TextKey,
        docs: Sequence[Document] | None = None,
    ) -> None: ...

    async def write_rows(self, rows: CustomerRows) -> None: ...

    async def delete_customers(self, source: str, ids: Sequence[str]) -> None: ...

    async def mark_seen(self, source: str, ids: Sequence[str], pass_no: int) -> None: ...

    async def replace_groups(self, source: str, records: Sequence[GroupRecord]) -> None: ...

    async def upsert_group(self, record: GroupRecord) -> None: ...

    async def delete_group(self, source: str, group_id: str) -> None: ...

    async def save_state(self, state: SyncState) -> None: ...


class MirrorStore(Protocol):
    """What the mirror needs of a database. `SqlMirrorStore` is the one implementation; a shared
    store for several replicas is the same class on PostgreSQL."""

    availability: StoreAvailability

    @property
    def backend(self) -> str: ...

    async def migrate(self) -> None: ...

    async def close(self) -> None: ...

    def writing(self) -> Any:  # AsyncContextManager[StoreWriter]
        ...

    async def query(
        self, selection: Sequence[SourceSelection], sort: Sort, offset: int, limit: int | None
    ) -> tuple[list[CustomerRecord], int]: ...

    async def query_page(
        self,
        selection: Sequence[SourceSelection],
        sort: Sort,
        offset: int,
        limit: int | None,
        groups_of: Sequence[str] = (),
    ) -> page.StorePage: ...

    async def get_customers(
        self, source: str, ids: Sequence[str]
    ) -> list[CustomerRecord | None]: ...

    async def digests(self, source: str, ids: Sequence[str]) -> dict[str, str]: ...

    async def unseen(self, source: str, pass_no: int, limit: int) -> list[str]: ...

    async def count(self, source: str) -> int: ...

    async def analyze(self) -> None: ...

    async def bulk_load(self) -> bool: ...

    async def end_bulk_load(self) -> None: ...

    async def list_groups(self, source: str) -> list[GroupRecord]: ...

    async def state(self, source: str) -> SyncState | None: ...

    async def fence_of(self, source: str) -> int: ...

    async def states(self) -> list[SyncState]: ...

    async def purge(self, source: str) -> None: ...

    async def set_rank(self, source: str, rank: int) -> None: ...


def sqlite_url(data_dir: Path) -> str:
    """The embedded store's file, created 0600 before SQLite opens it (SQLite gives its -wal
    and -shm files the database file's mode)."""
    path = data_dir / SQLITE_FILE
    if not path.exists():
        os.close(create_private(path))
    os.chmod(path, 0o600)
    return f"sqlite+aiosqlite:///{path}"


def postgres_url(url: str) -> str:
    """`postgresql://…` (the `[state] postgres_url` form) with the asyncpg driver."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def open_store(url: str, *, busy_timeout_ms: int = 30_000) -> SqlMirrorStore:
    engine_args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        engine_args = {"pool_size": 5, "max_overflow": 10, "pool_pre_ping": True}
    engine = create_async_engine(url, **engine_args)
    if engine.dialect.name != "sqlite":
        return SqlMirrorStore(engine)
    event.listen(engine.sync_engine, "connect", functools.partial(sqlite_pragmas, busy_timeout_ms))
    return SqlMirrorStore(engine, ThreadReader(url, busy_timeout_ms))


async def begin_writing(connection: AsyncConnection) -> None:
    """SQLite: take the write lock now (BEGIN IMMEDIATE), waiting `busy_timeout` for it. A
    deferred transaction that read first and then writes after another connection committed
    fails at once with "database is locked" (WAL: its snapshot is stale), whatever the timeout:
    several sync loops and the gateway's writes hit that."""
    if connection.dialect.name == "sqlite":
        await connection.exec_driver_sql("BEGIN IMMEDIATE")


class SqlMirrorStore:
    def __init__(self, engine: AsyncEngine, reader: ThreadReader | None = None) -> None:
        self.engine = engine
        # SQLite: the request path's reads, one thread hop each (`threaded`).
        self.reader = reader
        self.dialect = Dialect(engine.dialect.name)
        self.statements = page.Statements(self.dialect)
        # The sync's row writes, rendered once (`statements.py`).
        self.row_statements = RowStatements.for_dialect(engine.dialect)
        # PostgreSQL: statistics kept up with the rows this process writes (SQLite's planner
        # needs none to use the primary key).
        self.growth = None if self.dialect.sqlite else TableGrowth()
        # Called on each upsert and delete of customers, sync's and the gateway's writes alike.
        self.observers: list[WriteObserver] = []
        self.availability = StoreAvailability(self.ping)
        # SQLite has one writer at a time: this process's writers (every source's sync, the
        # gateway's writes) queue here, in order, instead of in SQLite's busy handler, whose
        # timeout a queue of loads on a loaded machine can outlast ("database is locked").
        self._write_turn = asyncio.Lock() if self.dialect.sqlite else None
        # Set by `close`: reads refuse (`StoreClosed`) instead of SQLite's reader threads raising
        # RuntimeError, or PostgreSQL's disposed engine opening a new pool.
        self.closed = False

    async def ping(self) -> None:
        """One round trip to the database that reads the store (the availability probe: on
        SQLite a `SELECT 1` would answer without touching the file)."""
        async with self._connect() as connection:
            await connection.execute(sa.select(content.c.version).where(content.c.id == 1))

    def _connect(self) -> AsyncConnection:
        """A connection, refused once the store is closed (`_begin` alike)."""
        if self.closed:
            raise StoreClosed
        return self.engine.connect()

    def _begin(self) -> AbstractAsyncContextManager[AsyncConnection]:
        if self.closed:
            raise StoreClosed
        return self.engine.begin()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    async def migrate(self) -> None:
        if not self.dialect.sqlite:
            await upgrade_in_turn(self.engine, MIGRATIONS, MIGRATION_TURN, _MIGRATION_LOCK)
            return
        # A bulk load cut short (a crash, a source no longer configured), or another process's
        # under way: its indexes back before anything else, in the same turn as the upgrade
        # (a load does not set them aside meanwhile: `bulk_load`), so that the migrations always
        # see the whole schema.
        async with sqlite_turn(self.engine, MIGRATION_TURN):
            await bulk.restore(self._transaction, self._sorting_transaction)
            await _upgrade_now(self.engine, MIGRATIONS)

    async def close(self) -> None:
        self.closed = True
        await self.availability.close()
        if self.reader is not None:
            await self.reader.close()
        await self.engine.dispose()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[SqlWriter]:
        async with self._transaction() as connection:
            yield SqlWriter(
                connection, self.dialect, self.observers, self.row_statements, self.growth
            )

    def write_transaction(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A write transaction for what is kept beside the mirror's tables (the identity
        index, erasure requests), in the same turn as the mirror's own writers."""
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction, in this process's turn on SQLite."""
        if self._write_turn is None:
            async with self._begin() as connection:
                yield connection
            return
        async with self._write_turn, self._begin() as connection:
            await begin_writing(connection)
            yield connection

    @asynccontextmanager
    async def _sorting_transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction whose sorts (`CREATE INDEX`) spill to temporary files past
        `SORT_CACHE_KIB`: under `temp_store=MEMORY` SQLite's sorter keeps a whole sort in memory
        (an index of 400,000 rows: a hundred MB more), else up to the page cache's size, which
        is shrunk meanwhile (the process's memory stays flat whatever the shop's size). SQLite
        only; the settings (temp_store cannot change inside a transaction) are put back after."""
        assert self._write_turn is not None
        async with self._write_turn, self._connect() as connection:
            cache = int(await connection.scalar(sa.text("PRAGMA cache_size")) or 0)
            await connection.exec_driver_sql("PRAGMA temp_store=FILE")
            await connection.exec_driver_sql(f"PRAGMA cache_size=-{SORT_CACHE_KIB}")
            try:
                await begin_writing(connection)
                yield connection
                await connection.commit()
            finally:
                await connection.rollback()  # nothing when committed
                await connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
                await connection.exec_driver_sql(f"PRAGMA cache_size={cache}")
                await connection.commit()

    # -- reads ------------------------------------------------------------------------------

    async def _read(self, read: Callable[[Connection], T]) -> T:
        """`read`'s statements together: on SQLite in one hop to a reader thread, on PostgreSQL
        in one `run_sync` on a pooled connection."""
        if self.reader is not None:
            if self.closed:
                raise StoreClosed
            return await self.reader.run(read)
        async with self._connect() as connection:
            return await connection.run_sync(read)

    async def query(
        self, selection: Sequence[SourceSelection], sort: Sort, offset: int, limit: int | None
    ) -> tuple[list[CustomerRecord], int]:
        """One page in the merged order, and how many rows match (`page.read_page`)."""
        found = await self.query_page(selection, sort, offset, limit)
        return found.records, found.total

    async def query_page(
        self,
        selection: Sequence[SourceSelection],
        sort: Sort,
        offset: int,
        limit: int | None,
        groups_of: Sequence[str] = (),
    ) -> page.StorePage:
        """`query`, and the group lists of the sources `groups_of`, in the same read."""
        return await self._read(
            functools.partial(
                page.read_page, self.statements, selection, sort, offset, limit, tuple(groups_of)
            )
        )

    async def get_customers(self, source: str, ids: Sequence[str]) -> list[CustomerRecord | None]:
        return await self._read(functools.partial(page.read_customers, source, ids))

    async def digests(self, source: str, ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        async with self._connect() as connection:
            for chunk in in_chunks(list(dict.fromkeys(ids))):
                rows = await connection.execute(
                    sa.select(customers.c.native_id, customers.c.digest).where(
                        customers.c.source == source, customers.c.native_id.in_(chunk)
                    )
                )
                found.update((key, value) for key, value in rows)
        return found

    async def unseen(self, source: str, pass_no: int, limit: int) -> list[str]:
        """Rows the reconcile pass `pass_no` has not seen (nor any write since it began)."""
        async with self._connect() as connection:
            rows = await connection.execute(
                sa.select(customers.c.native_id)
                .where(customers.c.source == source, customers.c.pass_no < pass_no)
                .limit(limit)
            )
            return [key for (key,) in rows]

    async def count(self, source: str) -> int:
        async with self._connect() as connection:
            total = await connection.scalar(
                sa.select(counts.c.customers).where(counts.c.source == source)
            )
        return int(total or 0)

    async def analyze(self) -> None:
        """Fresh planner statistics (after a load: which index a filter should walk). On
        PostgreSQL also a vacuum of the customers and memberships, which sets the visibility
        map that lets a page's keys come from its index alone (migration 0008; autovacuum
        would, later), and of the change log, whose entries a load's inserts wrote and pruned
        (migration 0010); outside a transaction, as VACUUM must run, and without locking out
        readers or writers."""
        if not self.dialect.sqlite:
            async with self.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(
                    sa.text(
                        "VACUUM (ANALYZE) mirror_customers, mirror_memberships, mirror_change_log"
                    )
                )
            return
        async with self._transaction() as connection:
            await connection.execute(sa.text("ANALYZE"))

    async def bulk_load(self) -> bool:
        """Before a load: on SQLite, when the store holds no customer and serves no source, the
        secondary indexes and the search index are set aside until `end_bulk_load` (`bulk.py`).
        True when they are."""
        if not self.dialect.sqlite:
            return False
        lock = _turn_file(self.engine, MIGRATION_TURN)
        try:
            try:
                # Not while a process migrates the store (its migrations see the whole schema);
                # held until the set-aside is committed (a migration waits for it, then
                # restores first). The load goes on with the indexes in place.
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            async with self._transaction() as connection:
                return await bulk.set_aside(connection)
        finally:
            os.close(lock)  # closing releases the lock

    async def end_bulk_load(self) -> None:
        """After a load's rows: what `bulk_load` set aside, built (nothing when nothing was)."""
        if self.dialect.sqlite:
            await bulk.restore(self._transaction, self._sorting_transaction)

    async def list_groups(self, source: str) -> list[GroupRecord]:
        return await self._read(functools.partial(page.read_groups, source))

    async def state(self, source: str) -> SyncState | None:
        async with self._connect() as connection:
            row = (
                await connection.execute(sa.select(sync_state).where(sync_state.c.source == source))
            ).first()
        return _state(row._mapping) if row is not None else None

    async def fence_of(self, source: str) -> int:
        """The highest fencing token recorded for `source` (0: none)."""
        async with self._connect() as connection:
            value = await connection.scalar(
                sa.select(sync_state.c.fence).where(sync_state.c.source == source)
            )
        return int(value or 0)

    async def states(self) -> list[SyncState]:
        async with self._connect() as connection:
            rows = await connection.execute(sa.select(sync_state).order_by(sync_state.c.source))
            return [_state(row._mapping) for row in rows]

    async def purge(self, source: str) -> None:
        """Every row of a source (no longer mirrored, or a full sync from scratch)."""
        async with self._transaction() as connection:
            if not self.dialect.sqlite:
                await lock_sources(connection, [source])
            for table in (memberships, customers, groups, sync_state):
                await connection.execute(sa.delete(table).where(table.c.source == source))
            for observer in self.observers:
                await observer.source_purged(connection, source)

    async def set_rank(self, source: str, rank: int) -> None:
        """The source moved in the configuration: its rows follow (the merge's tie-break)."""
        async with self._transaction() as connection:
            if not self.dialect.sqlite:
                await lock_sources(connection, [source])
            await connection.execute(
                sa.update(customers)
                .where(customers.c.source == source, customers.c.rank != rank)
                .values(rank=rank)
            )
            await connection.execute(
                sa.update(memberships)
                .where(memberships.c.source == source, memberships.c.rank != rank)
                .values(rank=rank)
            )
            await connection.execute(
                sa.update(sync_state).where(sync_state.c.source == source).values(rank=rank)
            )


# PostgreSQL: a source's row of `mirror_counts`, made where missing and locked either way (ON
# CONFLICT locks the row it finds even when its WHERE updates nothing).
_LOCK_SOURCE = sa.text(
    "WITH fresh AS (SELECT nextval('mirror_count_versions') AS version) "
    "INSERT INTO mirror_counts (source, customers, version, changes) "
    "SELECT :source, 0, version, version FROM fresh "
    "ON CONFLICT (source) DO UPDATE SET customers = mirror_counts.customers WHERE false"
)


async def lock_sources(connection: AsyncConnection, sources: Iterable[str]) -> None:
    """PostgreSQL: a writing transaction takes its sources' rows of `mirror_counts` (in the
    sources' order) before it writes their customers, memberships or pass marks. The triggers
    lock that row on every counted change, and the facet counts' rows before it (migrations
    0002, 0004, 0009, 0010), in whatever order a transaction's rows come: two writers of one
    source (a sync page and a write through the gateway, two replicas) would each hold what
    the other waits for. Taken first, the row makes a source's writers take turns, whole
    transaction by whole transaction; writers of other sources do not wait."""
    for source in sorted(sources):
        await connection.execute(_LOCK_SOURCE, {"source": source})


@dataclass(slots=True)
class TableGrowth:
    """PostgreSQL: the planner's statistics kept up with tables this process fills.

    A first load grows `mirror_customers` and `mirror_memberships` from nothing, and until
    they are analysed the planner takes them for empty: the memberships' delete by a page's
    ids (`SqlWriter._clear_memberships`) then scans the whole table for every page, and a
    load slows as it grows (measured: 333 rows a second at 140,000, 3,600 right after an
    `ANALYZE`; bench/README.md). Autovacuum would analyse them, where it is on (it is off on
    some servers, this machine's among them). So the writer analyses both tables itself
    whenever the rows it wrote since the last analysis reach the rows analysed then (at least
    `MIN_ROWS`): a few analyses a load (8 for 1,000,000 rows), each a sample of the table,
    and none while a shop only changes a little."""

    MIN_ROWS = 10_000
    analysed: int = 0  # rows written up to the last analysis (this process)
    written: int = 0  # since then

    async def wrote(self, connection: AsyncConnection, rows: int) -> None:
        self.written += rows
        if self.written < max(self.MIN_ROWS, self.analysed):
            return
        await connection.execute(sa.text("ANALYZE mirror_customers, mirror_memberships"))
        self.analysed += self.written
        self.written = 0


class SqlWriter:
    def __init__(
        self,
        connection: AsyncConnection,
        dialect: Dialect,
        observers: Sequence[WriteObserver] = (),
        statements: RowStatements | None = None,
        growth: TableGrowth | None = None,
    ) -> None:
        self.connection = connection
        self.dialect = dialect
        self.observers = observers
        self.statements = statements or RowStatements.for_dialect(connection.dialect)
        self.growth = growth
        self._fence: dict[str, int] = {}
        self._locked: set[str] = set()

    async def _lock_sources(self, sources: Iterable[str]) -> None:
        """PostgreSQL: this transaction takes each source's writer lock before it writes the
        source's rows (`lock_sources`), once per source."""
        wanted = set(sources) - self._locked
        if wanted and not self.dialect.sqlite:
            await lock_sources(self.connection, wanted)
            self._locked |= wanted

    async def fence(self, source: str, token: int) -> None:
        """This transaction writes for the holder of `source`'s sync lease with `token`: raises
        `Fenced` (and the caller's transaction rolls back) when a larger token has written.
        The row is locked until the commit (PostgreSQL), so a successor that writes meanwhile
        waits, then sees this token and goes on; SQLite serialises writers anyway."""
        updated = await self.connection.execute(
            sa.update(sync_state)
            .where(sync_state.c.source == source, sync_state.c.fence <= token)
            .values(fence=token)
        )
        if updated.rowcount == 0:
            recorded = await self.connection.scalar(
                sa.select(sync_state.c.fence).where(sync_state.c.source == source)
            )
            if recorded is not None and int(recorded) > token:
                raise Fenced(f"sync of {source}: token {token} is older than {recorded}")
        self._fence[source] = token

    def _insert(self, table: sa.Table) -> Any:
        return sqlite.insert(table) if self.dialect.sqlite else postgresql.insert(table)

    async def upsert_customers(
        self,
        records: Sequence[CustomerRecord],
        *,
        rank: int,
        pass_no: int,
        text_key: TextKey,
        docs: Sequence[Document] | None = None,
    ) -> None:
        """`docs`: the records' documents, in their order, when the caller has them already."""
        if not records:
            return
        await self.write_rows(
            customer_rows(records, rank=rank, pass_no=pass_no, text_key=text_key, docs=docs)
        )

    async def write_rows(self, rows: CustomerRows) -> None:
        """Rows `customer_rows` built (upserted, their memberships replaced)."""
        if not rows.records:
            return
        values = rows.values
        await self._lock_sources({record.source for record in rows.records})
        await self.statements.upsert_customers.execute_many(self.connection, values)
        by_source: dict[str, list[str]] = {}
        for record in rows.records:
            by_source.setdefault(record.source, []).append(record.id)
        for source, ids in by_source.items():
            await self._clear_memberships(source, ids)
        # (source, customer_id, group_id, created_key, rank, nat): `MEMBERSHIP_COLUMNS`
        members = [
            (row[0], row[1], group_id, row[4], row[2], row[3])
            for record, row in zip(rows.records, values, strict=True)
            for group_id in dict.fromkeys(ref.id for ref in record.groups)
        ]
        await self.statements.insert_memberships.execute_many(self.connection, members)
        if self.growth is not None:
            await self.growth.wrote(self.connection, len(values))
        for observer in self.observers:
            await observer.customers_upserted(self.connection, rows.records)

    async def _clear_memberships(self, source: str, ids: Sequence[str]) -> None:
        for chunk in in_chunks(list(ids)):
            await self.connection.execute(
                sa.delete(memberships).where(
                    memberships.c.source == source, memberships.c.customer_id.in_(chunk)
                )
            )

    async def delete_customers(self, source: str, ids: Sequence[str]) -> None:
        """Rows go (deletes and erasure remove data, they leave no tombstone)."""
        if not ids:
            return
        await self._lock_sources([source])
        await self._clear_memberships(source, ids)
        for chunk in in_chunks(list(ids)):
            await self.connection.execute(
                sa.delete(customers).where(
                    customers.c.source == source, customers.c.native_id.in_(chunk)
                )
            )
        if ids:
            for observer in self.observers:
                await observer.customers_deleted(self.connection, source, ids)

    async def mark_seen(self, source: str, ids: Sequence[str], pass_no: int) -> None:
        if ids:
            await self._lock_sources([source])
        for chunk in in_chunks(list(ids)):
            await self.connection.execute(
                sa.update(customers)
                .where(customers.c.source == source, customers.c.native_id.in_(chunk))
                .values(pass_no=pass_no)
            )

    async def replace_groups(self, source: str, records: Sequence[GroupRecord]) -> None:
        await self.connection.execute(sa.delete(groups).where(groups.c.source == source))
        if records:
            await self.connection.execute(
                sa.insert(groups),
                [
                    {
                        "source": source,
                        "native_id": record.id,
                        "position": position,
                        "doc": group_doc(record),
                    }
                    for position, record in enumerate(records)
                ],
            )

    async def upsert_group(self, record: GroupRecord) -> None:
        current = await self.connection.scalar(
            sa.select(groups.c.position).where(
                groups.c.source == record.source, groups.c.native_id == record.id
            )
        )
        if current is None:
            current = await self.connection.scalar(
                sa.select(sa.func.coalesce(sa.func.max(groups.c.position) + 1, 0)).where(
                    groups.c.source == record.source
                )
            )
        insert = self._insert(groups)
        await self.connection.execute(
            insert.on_conflict_do_update(
                index_elements=[groups.c.source, groups.c.native_id],
                set_={"doc": insert.excluded.doc, "position": insert.excluded.position},
            ),
            {
                "source": record.source,
                "native_id": record.id,
                "position": int(current or 0),
                "doc": group_doc(record),
            },
        )

    async def delete_group(self, source: str, group_id: str) -> None:
        await self.connection.execute(
            sa.delete(groups).where(groups.c.source == source, groups.c.native_id == group_id)
        )

    async def save_state(self, state: SyncState) -> None:
        values = {
            "source": state.source,
            "kind": state.kind,
            "phase": state.phase,
            "cursor": json.dumps(state.cursor, sort_keys=True),
            "loaded_at": state.loaded_at,
            "synced_at": state.synced_at,
            "attempt_at": state.attempt_at,
            "error": state.error,
            "pass_no": state.pass_no,
            "rank": state.rank,
            "sort_collation": state.collation,
        }
        insert = self._insert(sync_state)
        # The fence is only ever raised by `fence()`; a new row starts with this one's token.
        await self.connection.execute(
            insert.on_conflict_do_update(
                index_elements=[sync_state.c.source],
                set_={key: insert.excluded[key] for key in values if key != "source"},
            ),
            {**values, "fence": self._fence.get(state.source, 0)},
        )


def _state(row: Any) -> SyncState:
    return SyncState(
        source=row["source"],
        kind=row["kind"],
        phase=row["phase"],
        cursor=json.loads(row["cursor"]),
        loaded_at=row["loaded_at"],
        synced_at=row["synced_at"],
        attempt_at=row["attempt_at"],
        error=row["error"],
        pass_no=row["pass_no"],
        rank=row["rank"],
        collation=row["sort_collation"],
    )


async def upgrade_in_turn(
    engine: AsyncEngine, scripts: Path, lock_name: str, advisory_key: int
) -> None:
    """Alembic's upgrade of the history in `scripts` to its head. Processes starting together
    take turns: an advisory lock on PostgreSQL, a lock file beside the SQLite file (workers)."""
    if engine.dialect.name == "sqlite":
        async with sqlite_turn(engine, lock_name):
            await _upgrade_now(engine, scripts)
        return
    async with engine.begin() as connection:
        await connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key}
        )
        await connection.run_sync(functools.partial(_upgrade, scripts))


@asynccontextmanager
async def sqlite_turn(engine: AsyncEngine, lock_name: str) -> AsyncIterator[None]:
    """This process's turn among those migrating the SQLite file: an exclusive lock on a file
    beside it, waited for on a thread."""
    lock = _turn_file(engine, lock_name)
    try:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)  # closing releases the lock


def _turn_file(engine: AsyncEngine, lock_name: str) -> int:
    return os.open(f"{engine.url.database or ''}.{lock_name}", os.O_RDWR | os.O_CREAT, 0o600)


async def _upgrade_now(engine: AsyncEngine, scripts: Path) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(functools.partial(_upgrade, scripts))


def _upgrade(scripts: Path, connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
