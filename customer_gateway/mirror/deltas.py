"""How a total a SQLite reader keeps (`memo.py`) is counted, and how it moves with the rows that
changed since (the content log, migration 0006), each in one statement.

A total counted at content version `v` is right again at the current version `V` once the rows
changed in between are accounted for: those that match now are added, and those that matched
as they were before their first change after `v` are taken away. Every other row is as it was.
The log holds each change's row id and the row's counted columns before it, so both counts read
only the changed rows: a few hundred µs for a change or two, where counting a common surname's
hits anew took 20-110 ms at a million customers (issue 16).

The condition is the page's own (`query.where` with no trigram index: the patterns tested on
the folded columns, which the trigram index matches exactly for a keyword, `query.exact_contains`)
and is tested on the rows as they were by naming the log's earliest entries of each row after
`v` `mirror_customers` for that one subquery (a common table expression shadows the table), so
both counts read the same SQL. A condition on group membership has no delta: memberships are not
logged (their rows change with the customer's `doc`), so such a total is counted again.

One statement reads the current version, the log's entries after `v`, and both counts: one
snapshot, so the moved total is exactly the one at the version it returns. When the log lacks an
entry (older than its last `LOG_ROWS`, or set aside by a bulk load), the caller counts again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.sql.elements import ColumnElement

from customer_gateway.mirror.tables import content, content_log

# Changes the log keeps (migration 0006 writes as many): a total older is counted again.
LOG_ROWS = 1024
LOGGED_COLUMNS = tuple(
    column.name for column in content_log.c if column.name not in ("version", "row_id", "existed")
)
_SQLITE = SQLiteDialect_pysqlite()  # compiles with "?" placeholders, as the reader's driver takes
_VERSION = sa.select(content.c.version).where(content.c.id == 1).scalar_subquery()


@dataclass(frozen=True, slots=True)
class Delta:
    """(current version, log entries after `since`, rows changed since that match now, rows
    that matched before their first change since) for `since`: `statement` takes `since`
    at each `?` of `since_at` and the condition's values at the others."""

    statement: str
    values: tuple[Any, ...]
    since_at: tuple[int, ...]

    def parameters(self, since: int) -> tuple[Any, ...]:
        values = iter(self.values)
        count = len(self.values) + len(self.since_at)
        return tuple(since if place in self.since_at else next(values) for place in range(count))


@dataclass(frozen=True, slots=True)
class Counting:
    """A kept total's statements: its count beside the content version it saw (one snapshot),
    and its delta (None: counted again after any change)."""

    count: sa.Select[Any]
    delta: Delta | None


def counting(count: sa.Select[Any], condition: ColumnElement[bool] | None) -> Counting:
    """`count` (a one-row count) made to return the content version it counted at, and the
    delta of `condition` (None: none, the total is counted again)."""
    with_version = sa.select(count.scalar_subquery(), _VERSION)
    return Counting(with_version, None if condition is None else delta(condition))


def delta(condition: ColumnElement[bool]) -> Delta:
    compiled = condition.compile(dialect=_SQLITE, compile_kwargs={"render_postcompile": True})
    parameters = compiled.construct_params()
    values = tuple(parameters[name] for name in compiled.positiontup or ())
    columns = ", ".join(LOGGED_COLUMNS)
    since = "version > ?"
    # Text assembled from the table's column names and the compiled condition, whose values
    # stay bound ("?"): nothing of a request is spliced in (hence the S608 exemptions).
    parts = [
        "SELECT (SELECT version FROM mirror_content WHERE id = 1)",
        f"(SELECT count(*) FROM mirror_content_log WHERE {since})",  # noqa: S608
        # The changed rows as they are now (an insert's row; none for a delete).
        "(SELECT count(*) FROM mirror_customers WHERE mirror_customers.rowid IN "  # noqa: S608
        f"(SELECT row_id FROM mirror_content_log WHERE {since}) AND ({compiled}))",
        # The changed rows as they were: each row's first entry after `since` (SQLite gives a
        # bare column the values of the row min() picked), for an insert none.
        f"(WITH mirror_customers AS (SELECT {columns} FROM (SELECT min(version), existed, "  # noqa: S608
        f"{columns} FROM mirror_content_log WHERE {since} GROUP BY row_id) WHERE existed = 1) "
        f"SELECT count(*) FROM mirror_customers WHERE ({compiled}))",
    ]
    statement = ", ".join(parts)
    # Where `since` goes among the placeholders: the log count's, the now count's subquery
    # (before the condition), the before count's (before the condition).
    width = len(values)
    since_at = (0, 1, 2 + width)
    return Delta(statement, values + values, since_at)
