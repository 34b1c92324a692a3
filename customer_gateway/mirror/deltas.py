"""How a total a SQLite reader keeps (`memo.py`) is counted, and how it moves with the rows that
changed since (the content log, migration 0006), each in one statement.

A total counted at content version `v` is right again at the current version `V` once the rows
changed in between are accounted for: those that match now are added, and those that matched
as they were before their first change after `v` are taken away. Every other row is as it was.
The log holds each change's row id and the row's counted columns before it, so both counts read
only the changed rows: about a millisecond for a change or two, where counting a common
surname's hits anew took 20-110 ms at a million customers, ~550 ms within a group (issue 16).

The condition is the page's own (`query.where` with no trigram index: the patterns tested on
the folded columns, which the trigram index matches exactly for a keyword, `query.exact_contains`)
and is tested on the rows as they were by naming the log's earliest entries of each row after
`v` `mirror_customers`, and their logged group ids `mirror_memberships`, for that one subquery
(common table expressions shadow the tables), so both counts read the same SQL, a group
condition's membership test included.

One statement reads the current version, the log's entries after `v`, and both counts: one
snapshot, so the moved total is exactly the one at the version it returns. When the log lacks an
entry (older than its last `LOG_ROWS`, or a delete: a deleted customer leaves nothing of itself
in the log, migration 0011), the caller counts again.

PostgreSQL keeps a total as its sources' parts (`memo.VersionedTotals`), and moves a part by its
source's log (migration 0010: the source's changes numbered in commit order, each with the row
as it was): `postgres_delta`, the same two counts, built as one statement from the part's own
condition with its tables swapped for the log's rows as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, distinct_on
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnElement

from customer_gateway.mirror.tables import (
    change_log,
    content,
    content_log,
    counts,
    customers,
    memberships,
)

# Changes the log keeps (migration 0006 writes as many): a total older is counted again.
LOG_ROWS = 1024
LOGGED_COLUMNS = tuple(
    column.name
    for column in content_log.c
    if column.name not in ("version", "row_id", "existed", "group_ids")
)
_SQLITE = SQLiteDialect_pysqlite()  # compiles with "?" placeholders, as the reader's driver takes
_VERSION = sa.select(content.c.version).where(content.c.id == 1).scalar_subquery()
_ROWID: sa.ColumnClause[int] = sa.literal_column("mirror_customers.rowid", sa.Integer)
_SINCE = sa.bindparam("since", 0, type_=sa.BigInteger)  # its value: `SINCE`
SINCE: Final = object()  # where a delta's statement takes the version it starts at


@dataclass(frozen=True, slots=True)
class Delta:
    """(current version, log entries after `since`, rows changed since that match now, rows
    that matched before their first change since) for `since`: `statement` takes `values` at
    its placeholders, `since` where they hold `SINCE`."""

    statement: str
    values: tuple[Any, ...]

    def parameters(self, since: int) -> tuple[Any, ...]:
        return tuple(since if value is SINCE else value for value in self.values)


@dataclass(frozen=True, slots=True)
class Counting:
    """A kept total's statements: its count beside the content version it saw (one snapshot),
    and its delta."""

    count: sa.Select[Any]
    delta: Delta


def counting(count: sa.Select[Any], condition: ColumnElement[bool]) -> Counting:
    """`count` (a one-row count of the rows `condition` keeps) made to return the content
    version it counted at, and the delta of `condition`."""
    with_version = sa.select(count.scalar_subquery(), _VERSION)
    return Counting(with_version, delta(condition))


def delta(condition: ColumnElement[bool]) -> Delta:
    # Both counts are whole SELECTs over `mirror_customers` (a group condition's EXISTS
    # correlates with it only inside one), compiled with their values bound.
    changed = sa.select(content_log.c.row_id).where(content_log.c.version > _SINCE)
    now, now_values = _compiled(
        sa.select(sa.func.count()).select_from(customers).where(_ROWID.in_(changed), condition)
    )
    before, before_values = _compiled(
        sa.select(sa.func.count()).select_from(customers).where(condition)
    )
    columns = ", ".join(LOGGED_COLUMNS)
    # Text assembled from the table's column names and compiled statements, whose values stay
    # bound ("?"): nothing of a request is spliced in (hence the S608 exemptions).
    statement = ", ".join(
        [
            "SELECT (SELECT version FROM mirror_content WHERE id = 1)",
            "(SELECT count(*) FROM mirror_content_log WHERE version > ?)",
            # The changed rows as they are now (an insert's row; none for a delete).
            f"({now})",
            # The changed rows as they were: each row's first entry after `since` (SQLite
            # gives a bare column the values of the row min() picked), for an insert none; and
            # their memberships as they were.
            f"(WITH earliest AS (SELECT min(version), existed, {columns}, group_ids "  # noqa: S608
            "FROM mirror_content_log WHERE version > ? GROUP BY row_id), "
            f"mirror_customers AS (SELECT {columns} FROM earliest WHERE existed = 1), "
            "mirror_memberships AS (SELECT earliest.source AS source, "
            "earliest.native_id AS customer_id, member.value AS group_id "
            "FROM earliest, json_each(earliest.group_ids) AS member WHERE earliest.existed = 1) "
            f"{before})",
        ]
    )
    return Delta(statement, (SINCE, *now_values, SINCE, *before_values))


def _compiled(statement: sa.Select[Any]) -> tuple[str, tuple[Any, ...]]:
    """The statement's SQL ("?" placeholders) and its values in their order (`SINCE` for the
    version a delta starts at)."""
    compiled = statement.compile(dialect=_SQLITE, compile_kwargs={"render_postcompile": True})
    parameters = compiled.construct_params()
    names = compiled.positiontup or ()
    return str(compiled), tuple(SINCE if name == "since" else parameters[name] for name in names)


# PostgreSQL: the change number a kept part was counted at (`VersionedTotals`).
POSTGRES_SINCE = "since"
_LOGGED_CHANGES = tuple(
    column.name
    for column in change_log.c
    if column.name not in ("source", "change", "native_id", "existed", "group_ids")
)


class NotLogged(Exception):
    """A condition reads a column the change log does not keep: its part is counted again."""


def postgres_delta(source: str, condition: ColumnElement[bool]) -> sa.Select[Any]:
    """PostgreSQL: (the source's version, its change number, the log's entries after `since`,
    rows changed since that match `condition` now, rows that matched it before their first
    change since) in one statement, `since` a parameter. `condition`: one source's part of a
    page's conditions (`query.where` of that source alone)."""
    log = change_log
    # The entries after `since`, up to the number the same snapshot's counts row holds (none
    # is past it): a range with both ends, which the planner estimates as a few rows and reads
    # on the log's primary key, where `change > since` alone looks like a third of the log.
    until = sa.select(counts.c.changes).where(counts.c.source == source).scalar_subquery()
    after = sa.and_(
        log.c.source == source,
        log.c.change > sa.bindparam(POSTGRES_SINCE, type_=sa.BigInteger),
        log.c.change <= until,
    )
    logged = sa.select(sa.func.count()).select_from(log).where(after).scalar_subquery()
    # Each changed row's first entry since, read once (none for an insert: `existed` 0).
    earliest = (
        sa.select(
            log.c.native_id,
            log.c.existed,
            *(log.c[name] for name in _LOGGED_CHANGES),
            log.c.group_ids,
        )
        .where(after)
        .ext(distinct_on(log.c.native_id))
        .order_by(log.c.native_id, log.c.change)
        .cte("earliest")
        .prefix_with("MATERIALIZED")
    )

    # The changed rows as they are now, each found by its key.
    matches_now = (
        sa.select(sa.literal(1))
        .select_from(customers)
        .where(
            customers.c.source == source,
            customers.c.native_id == earliest.c.native_id,
            condition,
        )
        .exists()
    )
    now = sa.select(sa.func.count()).select_from(earliest).where(matches_now).scalar_subquery()

    # The changed rows as they were, and their memberships as they were; the condition tested
    # on them.
    was = (
        sa.select(
            sa.literal(source, sa.String).label("source"),
            earliest.c.native_id,
            *(earliest.c[name] for name in _LOGGED_CHANGES),
            earliest.c.group_ids,
        )
        .where(earliest.c.existed == 1)
        .cte("was")
    )
    were_members = sa.select(
        was.c.source,
        was.c.native_id.label("customer_id"),
        sa.func.jsonb_array_elements_text(sa.cast(was.c.group_ids, JSONB)).label("group_id"),
    ).cte("were_members")

    def as_it_was(element: Any, **_: Any) -> Any:
        if not isinstance(element, sa.Column) or element.table not in (customers, memberships):
            return None
        table = was if element.table is customers else were_members
        if element.name not in table.c:
            raise NotLogged(element.name)
        return table.c[element.name]

    no_options: dict[str, Any] = {}
    matched_before = visitors.replacement_traverse(condition, no_options, as_it_was)
    before = sa.select(sa.func.count()).select_from(was).where(matched_before).scalar_subquery()
    return sa.select(counts.c.version, counts.c.changes, logged, now, before).where(
        counts.c.source == source
    )
