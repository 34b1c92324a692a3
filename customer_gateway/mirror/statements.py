"""The writes a sync repeats for every row, rendered once per database.

SQLAlchemy Core builds an executemany's parameters row by row in Python (a dict per row, a bind
processor per value, the statement's cache key per call): a tenth of a first load's time in this
process. Here the statement is compiled once with the engine's dialect, and the rows go to the
driver as tuples in the order its positional placeholders bind (SQLite's `?`, asyncpg's `$n`):
the same SQL and the same values as Core sends (bytes for the sort keys, which sqlite3 and
asyncpg take as they are).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from customer_gateway.mirror.rows import ROW_COLUMNS
from customer_gateway.mirror.tables import customers, memberships

T = TypeVar("T")
# Values bound in one IN list: far below SQLite's 32,766 host parameters and asyncpg's 32,767.
IN_CHUNK = 500


def in_chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, one IN (…) statement each."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


MEMBERSHIP_COLUMNS = ("source", "customer_id", "group_id", "created_key", "rank", "nat")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A statement's SQL and, for a positional paramstyle, where each placeholder's value is in
    a row (None: the dialect binds by name)."""

    sql: str
    columns: tuple[str, ...]
    order: tuple[int, ...] | None

    async def execute_many(
        self, connection: AsyncConnection, rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """`rows` (tuples in `columns`' order) through the driver's executemany."""
        if not rows:
            return
        order = self.order
        if order is None:
            params: list[Any] = [dict(zip(self.columns, row, strict=True)) for row in rows]
        elif order == tuple(range(len(self.columns))):
            params = list(rows)
        else:
            params = [tuple(row[index] for index in order) for row in rows]
        await connection.exec_driver_sql(self.sql, params)


@dataclass(frozen=True, slots=True)
class RowStatements:
    upsert_customers: Rendered
    insert_memberships: Rendered

    @classmethod
    def for_dialect(cls, dialect: Dialect) -> RowStatements:
        insert = (
            sqlite.insert(customers) if dialect.name == "sqlite" else postgresql.insert(customers)
        )
        keys = {"source", "native_id"}
        upsert = insert.on_conflict_do_update(
            index_elements=[customers.c.source, customers.c.native_id],
            set_={name: insert.excluded[name] for name in ROW_COLUMNS if name not in keys},
        )
        if dialect.name == "sqlite":
            insert_memberships = _sqlite_memberships()
        else:
            insert_memberships = _render(sa.insert(memberships), dialect, MEMBERSHIP_COLUMNS)
        return cls(
            upsert_customers=_render(upsert, dialect, ROW_COLUMNS),
            insert_memberships=insert_memberships,
        )


def _sqlite_memberships() -> Rendered:
    """SQLite: the membership with its customer's row id (`tables.memberships.customer_row`,
    migration 0007), found by the primary key the membership repeats (numbered placeholders
    bind the row's tuple twice). The customer's row is upserted before its memberships."""
    names = ", ".join(MEMBERSHIP_COLUMNS)
    places = ", ".join(f"?{number}" for number in range(1, len(MEMBERSHIP_COLUMNS) + 1))
    source = MEMBERSHIP_COLUMNS.index("source") + 1
    customer = MEMBERSHIP_COLUMNS.index("customer_id") + 1
    sql = (
        f"INSERT INTO mirror_memberships ({names}, customer_row) VALUES ({places}, "  # noqa: S608
        f"(SELECT rowid FROM mirror_customers WHERE source = ?{source} "
        f"AND native_id = ?{customer}))"
    )
    return Rendered(sql, MEMBERSHIP_COLUMNS, tuple(range(len(MEMBERSHIP_COLUMNS))))


def _render(statement: Any, dialect: Dialect, columns: tuple[str, ...]) -> Rendered:
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    names = compiled.positiontup
    order = tuple(columns.index(name) for name in names) if names is not None else None
    return Rendered(compiled.string, columns, order)
