"""A first load into an empty SQLite store: the search index and the secondary indexes are set
aside while the rows go in, then built once.

Row by row, SQLite pays for every secondary index of `mirror_customers` and `mirror_memberships`
(a dozen B-trees, each written in its own order) and for the FTS5 trigram index its triggers keep:
about three quarters of a first load's database time, growing with the shop as the indexes
outgrow the page cache. Built at the end, the indexes are sorted once (`CREATE INDEX`) and the
search index is one `rebuild`: a few times cheaper.

Only while nothing can read them is that safe, so the structures are set aside only when the
store holds no customer and serves no source (no `loaded_at`): every source is read pass-through
until its load ends. The count triggers stay (cheap; a load's progress shows in `count`), as does
any trigger this module does not know how to replay. The content triggers go too (migrations
0005, 0006: a version and a log of changes, which no reader needs while nothing is read): the
schema version that setting aside and restoring move drops every total a reader kept from
before (`memo.py`). The DDL set aside is kept in a table of its
own (`mirror_set_aside`, present only meanwhile), so it is restored as it was, whatever migration
created it:

- when a load ends (`Syncer._load`, any source's: the first that ends restores for all, the
  others go on with the indexes in place);
- when the store is migrated (a process starting: a load cut short by a crash resumes from its
  cursor with the indexes in place, and migrations always see the whole schema). The restore
  and the upgrade run in one migration turn (`SqlMirrorStore.migrate`), and nothing is set
  aside while any process holds that turn (`SqlMirrorStore.bulk_load`): a load starting while
  another process waits to migrate keeps its indexes, rather than drop them between that
  process's restore and its upgrade (a migration that redefines an index would fail on it).

Each index is rebuilt in a transaction of its own (other writers get their turns); the search
index and its triggers come back in the last one, with the table set aside dropped. A crash
between them leaves what is still set aside listed: the next restore goes on from there.
PostgreSQL keeps its indexes: replicas share it, and its DDL would lock them out.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

SET_ASIDE = "mirror_set_aside"
FTS_TABLE = "mirror_customers_fts"
TABLES = ("mirror_customers", "mirror_memberships")
# The triggers whose work `restore` replays (the FTS5 index's: one `rebuild`). Any other trigger
# stays in place during a bulk load.
FTS_TRIGGERS = (
    "mirror_customers_fts_insert",
    "mirror_customers_fts_delete",
    "mirror_customers_fts_update",
)
# The content version's triggers (and its log's): nothing to replay, the schema's version moves.
CONTENT_TRIGGERS = (
    "mirror_customers_content_insert",
    "mirror_customers_content_delete",
    "mirror_customers_content_update",
)

_master = sa.table("sqlite_master", sa.column("type"), sa.column("name"), sa.column("tbl_name"))
_master_sql: sa.ColumnClause[str] = sa.column("sql")
_aside = sa.table(SET_ASIDE, sa.column("name"), sa.column("type"), sa.column("sql"))

Transaction = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


async def set_aside(connection: AsyncConnection) -> bool:
    """In a write transaction: drops the secondary indexes and the search index's triggers when
    the store holds no customer and serves no source; True when they are (now or already) set
    aside. SQLite only."""
    if await _is_set_aside(connection):
        return True
    empty = await connection.scalar(
        sa.text(
            "SELECT NOT EXISTS (SELECT 1 FROM mirror_customers) "
            "AND NOT EXISTS (SELECT 1 FROM mirror_memberships) "
            "AND NOT EXISTS (SELECT 1 FROM mirror_sync WHERE loaded_at IS NOT NULL)"
        )
    )
    if not empty:
        return False
    found = (
        await connection.execute(
            sa.select(_master.c.type, _master.c.name, _master_sql)
            .select_from(_master)
            .where(
                _master.c.tbl_name.in_(TABLES),
                _master_sql.is_not(None),  # an index of a constraint has none: it stays
                sa.or_(
                    _master.c.type == "index",
                    sa.and_(
                        _master.c.type == "trigger",
                        _master.c.name.in_(FTS_TRIGGERS + CONTENT_TRIGGERS),
                    ),
                ),
            )
        )
    ).all()
    await connection.exec_driver_sql(
        f"CREATE TABLE {SET_ASIDE} (name TEXT PRIMARY KEY, type TEXT NOT NULL, sql TEXT NOT NULL)"
    )
    for kind, name, sql in found:
        await connection.execute(sa.insert(_aside).values(name=name, type=kind, sql=sql))
        await connection.exec_driver_sql(
            f'DROP {"INDEX" if kind == "index" else "TRIGGER"} "{name}"'
        )
    return True


async def restore(transaction: Transaction, sorting: Transaction | None = None) -> bool:
    """What `set_aside` dropped, built again (each index in a transaction of its own, then the
    search index and its triggers); False when nothing was set aside. `sorting`: the
    transactions the indexes are built in (their sorts spill to disk, `SqlMirrorStore`)."""
    async with transaction() as connection:
        if not await _is_set_aside(connection):
            return False
        indexes = list(
            await connection.scalars(
                sa.select(_aside.c.name).where(_aside.c.type == "index").order_by(_aside.c.name)
            )
        )
    for name in indexes:
        async with (sorting or transaction)() as connection:
            if not await _is_set_aside(connection):
                return True  # restored meanwhile (another process)
            sql = await connection.scalar(sa.select(_aside.c.sql).where(_aside.c.name == name))
            if sql is None:
                continue
            await connection.exec_driver_sql(sql)
            await connection.execute(sa.delete(_aside).where(_aside.c.name == name))
    async with transaction() as connection:
        if not await _is_set_aside(connection):
            return True
        for sql in list(await connection.scalars(sa.select(_aside.c.sql))):
            await connection.exec_driver_sql(sql)
        # The rows written meanwhile (every source's) into the search index, in one pass.
        await connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')")
        await connection.exec_driver_sql(f"DROP TABLE {SET_ASIDE}")
    return True


async def _is_set_aside(connection: AsyncConnection) -> bool:
    found = await connection.scalar(
        sa.select(sa.literal(1))
        .select_from(_master)
        .where(_master.c.type == "table", _master.c.name == SET_ASIDE)
    )
    return found is not None
