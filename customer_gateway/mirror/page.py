"""The store's request-path reads as plain functions of one synchronous connection: every
statement a read needs runs in one call, on SQLite in one hop to a reader thread
(`threaded.ThreadReader`), on PostgreSQL in one `run_sync` on the async connection.

A page's statements: its rows (on SQLite first as row ids on the sort's index alone, so a deep
page skips its offset without reading a row, then their documents: a deferred join; one group's
members newest first from the membership index), and its total: an unfiltered page's from the
per-source counts, one status's or one group's from the per-facet counts (both kept by
triggers), else counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from customer_gateway.connectors.models import CustomerRecord, GroupRecord, Sort
from customer_gateway.mirror import query as sql
from customer_gateway.mirror.query import Dialect, SourceSelection
from customer_gateway.mirror.rows import customer_from_doc, group_from_doc
from customer_gateway.mirror.tables import counts, customers, groups, memberships

_ROWID: sa.ColumnClause[int] = sa.literal_column("mirror_customers.rowid", sa.Integer)


def read_page(
    dialect: Dialect,
    selection: Sequence[SourceSelection],
    sort: Sort,
    offset: int,
    limit: int | None,
    connection: Connection,
) -> tuple[list[CustomerRecord], int]:
    """One page in the merged order, and how many rows match."""
    condition = sql.where(dialect, selection)
    walk = sql.group_walk(selection, sort)
    if walk is not None and limit is not None:
        rows = _group_page(connection, dialect, walk, sort, offset, limit)
    elif dialect.sqlite and limit is not None:
        rows = _deferred(connection, condition, sql.order_by(sort), offset, limit)
    else:
        page = sa.select(customers.c.source, customers.c.doc).where(condition)
        page = page.order_by(*sql.order_by(sort)).offset(offset)
        if limit is not None:
            page = page.limit(limit)
        rows = [(source, doc) for source, doc in connection.execute(page)]
    total = connection.execute(_counted(selection, condition)).scalar_one()
    return [customer_from_doc(source, doc) for source, doc in rows], int(total)


def _counted(selection: Sequence[SourceSelection], condition: Any) -> Any:
    if sql.unfiltered(selection):
        return sa.select(sa.func.coalesce(sa.func.sum(counts.c.customers), 0)).where(
            counts.c.source.in_([part.source for part in selection])
        )
    facet = sql.facet_count(selection)
    if facet is not None:
        return facet
    return sa.select(sa.func.count()).select_from(customers).where(condition)


def _group_page(
    connection: Connection,
    dialect: Dialect,
    walk: tuple[list[str], str],
    sort: Sort,
    offset: int,
    limit: int,
) -> list[tuple[str, str]]:
    """One group's page newest (or oldest) first: the membership index's walk gives the
    page's (source, id) pairs without reading a customer row, then their documents."""
    names, group_id = walk
    source = (
        sa.literal_column("+mirror_memberships.source", sa.String)
        if dialect.sqlite
        else memberships.c.source
    )
    created = memberships.c.created_key
    keys = connection.execute(
        sa.select(memberships.c.source, memberships.c.customer_id)
        .where(memberships.c.group_id == group_id, source.in_(names))
        .order_by(
            created.desc() if sort.descending else created.asc(),
            memberships.c.rank,
            memberships.c.nat,
        )
        .offset(offset)
        .limit(limit)
    ).all()
    if not keys:
        return []
    pairs = [(str(a), str(b)) for a, b in keys]
    by_source: dict[str, list[str]] = {}
    for pair_source, native_id in pairs:
        by_source.setdefault(pair_source, []).append(native_id)
    # Per source, `native_id IN (…)`: a primary-key lookup each (SQLite scans for a row-value
    # IN).
    found = {
        (row_source, native_id): doc
        for row_source, native_id, doc in connection.execute(
            sa.select(customers.c.source, customers.c.native_id, customers.c.doc).where(
                sa.or_(
                    *(
                        sa.and_(customers.c.source == name, customers.c.native_id.in_(ids))
                        for name, ids in by_source.items()
                    )
                )
            )
        )
    }
    return [(pair[0], found[pair]) for pair in pairs if pair in found]


def _deferred(
    connection: Connection,
    condition: Any,
    order: Sequence[Any],
    offset: int,
    limit: int,
) -> list[tuple[str, str]]:
    ids = [
        key
        for (key,) in connection.execute(
            sa.select(_ROWID)
            .select_from(customers)
            .where(condition)
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
    ]
    if not ids:
        return []
    found = {
        key: (source, doc)
        for key, source, doc in connection.execute(
            sa.select(_ROWID, customers.c.source, customers.c.doc).where(_ROWID.in_(ids))
        )
    }
    return [found[key] for key in ids if key in found]


def read_customers(
    source: str, ids: Sequence[str], connection: Connection
) -> list[CustomerRecord | None]:
    found: dict[str, CustomerRecord] = {}
    for chunk in _chunks(list(dict.fromkeys(ids)), 500):
        rows = connection.execute(
            sa.select(customers.c.native_id, customers.c.doc).where(
                customers.c.source == source, customers.c.native_id.in_(chunk)
            )
        )
        found.update((key, customer_from_doc(source, doc)) for key, doc in rows)
    return [found.get(key) for key in ids]


def read_groups(source: str, connection: Connection) -> list[GroupRecord]:
    rows = connection.execute(
        sa.select(groups.c.doc)
        .where(groups.c.source == source)
        .order_by(groups.c.position, groups.c.native_id)
    )
    return [group_from_doc(source, doc) for (doc,) in rows]


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
