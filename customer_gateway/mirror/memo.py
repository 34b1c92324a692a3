"""Totals a SQLite reader keeps, moved with the changes other connections commit.

The admin grid asks for its total with every page: paging through a keyword's hits (or the
same page again, as a grid refreshes) counts the same rows each time. A common surname among a
million customers is 100,000 hits, and counting them is the trigram index merging three
posting lists: ~10 ms of the page's ~14 ms (issue 16). A total is kept per connection and per
request shape, and looked at again only when SQLite says the file changed.

`PRAGMA data_version` is SQLite's own answer to "did another connection commit since I last
asked": its value changes when any other connection (the store's writer, a sync in another
process) commits, and never for this connection's own writes, of which a reader has none
(`query_only`). The version is read before a total is counted: a commit that lands between the
two changes the version the next read sees, so a total is never served for a state it was not
counted on. Values are per connection and not comparable across connections, so each pooled
connection has its own memo (`Connection.info` lives as long as the DB-API connection).

Most commits change nothing a total counts: every `sync_interval` each source's sync step
writes its state and marks what it saw, and re-writes its group list. So a changed file is
asked one more thing, the store's content version (`mirror_content`, moved by triggers on every
customer row that changes in a counted column: migrations 0005, 0006) and its schema version
(an index rebuilt, a migration). Each total remembers the content version it was counted at;
when that moved, the total is moved with it by the rows changed since (`deltas.py`: the content
log, one statement), and counted again only when the log cannot say (more changes than it
keeps, or a delete, which leaves no entry: migration 0011). A schema that moved drops every
total. A total and the version it belongs to are read in one statement (one snapshot): a commit
landing meanwhile cannot leave a total labelled with a version it was not counted at.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from customer_gateway.mirror.deltas import LOG_ROWS, POSTGRES_SINCE, Counting, Delta
from customer_gateway.mirror.tables import counts

# Request shapes whose totals one connection keeps (least recently used first out).
ENTRIES = 64
_INFO_KEY = "customer_gateway.mirror.memo"


_CONTENT = (
    "SELECT (SELECT version FROM mirror_content WHERE id = 1), "
    "(SELECT schema_version FROM pragma_schema_version)"
)


class TotalMemo:
    __slots__ = ("content", "keeps", "schema", "totals", "version")

    def __init__(self, keeps: bool) -> None:
        self.keeps = keeps
        self.version: object = None  # the file's (`data_version`)
        self.content: int | None = None  # the content version last read
        self.schema: object = None
        # Each total and the content version it holds at.
        self.totals: OrderedDict[Hashable, tuple[int, int]] = OrderedDict()

    def file_changed(self, version: object, content: int | None, schema: object) -> None:
        """Another connection committed: every total goes if the schema moved (or the store
        has no content version: nothing is kept then), else each keeps its own version."""
        self.version = version
        if content is None or schema != self.schema:
            self.totals.clear()
        self.content = content
        self.schema = schema

    def total(self, key: Hashable, counting: Counting, connection: Connection) -> int:
        if self.content is None:
            return int(connection.execute(counting.count).one()[0])
        kept = self.totals.get(key)
        if kept is not None:
            total, at = kept
            if at != self.content:
                # Moved by the log's entries since (the statement reads the version it moves
                # to: it may be past `self.content` when a commit landed since).
                movable = self.content - at <= LOG_ROWS
                kept = _moved(total, at, counting.delta, connection) if movable else None
        if kept is None:
            counted, at = connection.execute(counting.count).one()
            kept = (int(counted), int(at))
        self.totals[key] = kept
        self.totals.move_to_end(key)
        if len(self.totals) > ENTRIES:
            self.totals.popitem(last=False)
        return kept[0]


def _moved(total: int, at: int, delta: Delta, connection: Connection) -> tuple[int, int] | None:
    """`total`, counted at content version `at`, moved to the current version by the rows the
    log says changed since; None when the log lacks an entry (counted again)."""
    until, logged, now, before = connection.exec_driver_sql(
        delta.statement, delta.parameters(at)
    ).one()
    if int(logged) != int(until) - at:  # one entry a version: a change since was pruned
        return None
    return total + int(now) - int(before), int(until)


def kept_total(connection: Connection, key: Hashable, counting: Counting) -> int:
    """The total `counting` gives for `key`, kept by this connection across commits that change
    nothing it counts and moved by those that do. Only a reader's connection (`query_only`)
    keeps totals: a connection's own commits do not move its `data_version`, so one that
    writes would serve a total its own write changed."""
    memo: TotalMemo | None = connection.info.get(_INFO_KEY)
    if memo is None:
        reader = connection.exec_driver_sql("PRAGMA query_only").scalar_one() == 1
        memo = connection.info[_INFO_KEY] = TotalMemo(keeps=reader)
    if not memo.keeps:
        return int(connection.execute(counting.count).one()[0])
    version = connection.exec_driver_sql("PRAGMA data_version").scalar_one()
    if version != memo.version:
        row = connection.exec_driver_sql(_CONTENT).one()
        memo.file_changed(version, None if row[0] is None else int(row[0]), row[1])
    return memo.total(key, counting, connection)


@dataclass(frozen=True, slots=True)
class Part:
    """One source's part of a PostgreSQL total: its key, its source, its count, and its delta
    (`deltas.postgres_delta`; None: counted again whenever the source changes)."""

    key: Hashable
    source: str
    count: sa.Select[Any]
    delta: sa.Select[Any] | None


class VersionedTotals:
    """PostgreSQL: counted totals kept by the process, one per source's part of a request, each
    with the version of its source it was counted at (`mirror_counts.version`, moved by
    triggers on every change a total can count: migration 0009), and served while that
    version stays. A request's total is the sum of its parts (each source's rows are its own):
    a change in one source moves that source's part, not the others'. A part is moved by the
    rows its source changed since (the source's change log, migration 0010: `deltas`), and
    counted again only when the log cannot say (more changes than it keeps, or a delete).

    PostgreSQL's snapshots make this exact: a part and the version and change number it is
    labelled with are read in one statement (one snapshot), a writer moves its source's version
    and number in the transaction that changes the rows, and a source's numbers are given in
    commit order (its writers wait for each other on the source's row), so a reader that sees
    number n sees every change up to n and none after. Versions come from a sequence: a value
    is never given twice, so a source's version never returns to one a part was kept at. Kept
    per process (every replica its own), least recently used first out."""

    def __init__(self, entries: int = ENTRIES * 16) -> None:
        self.entries = entries
        # Each part: (version, change number, total) as counted or last moved.
        self.totals: OrderedDict[Hashable, tuple[int | None, int, int]] = OrderedDict()

    def total(self, connection: Connection, parts: Sequence[Part]) -> int:
        """The sum of `parts`."""
        current: dict[str, tuple[int, int]] = {
            source: (int(version), int(changes))
            for source, version, changes in connection.execute(
                sa.select(counts.c.source, counts.c.version, counts.c.changes).where(
                    counts.c.source.in_(sorted({part.source for part in parts}))
                )
            )
        }
        total = 0
        for part in parts:
            kept = self.totals.get(part.key)
            now = current.get(part.source)
            if kept is not None and kept[0] != (now[0] if now is not None else None):
                movable = (
                    part.delta is not None and now is not None and 0 < now[1] - kept[1] <= LOG_ROWS
                )
                kept = _moved_part(kept, part, connection) if movable else None
            if kept is None:
                kept = _counted_part(part, connection)
            self.totals[part.key] = kept
            self.totals.move_to_end(part.key)
            total += kept[2]
        while len(self.totals) > self.entries:
            self.totals.popitem(last=False)
        return total


def _counted_part(part: Part, connection: Connection) -> tuple[int | None, int, int]:
    source = sa.select(counts.c.version, counts.c.changes).where(counts.c.source == part.source)
    counted, version, changes = connection.execute(
        sa.select(
            part.count.scalar_subquery(),
            source.with_only_columns(counts.c.version).scalar_subquery(),
            source.with_only_columns(counts.c.changes).scalar_subquery(),
        )
    ).one()
    if version is None:
        return None, 0, int(counted)
    return int(version), int(changes), int(counted)


def _moved_part(
    kept: tuple[int | None, int, int], part: Part, connection: Connection
) -> tuple[int | None, int, int] | None:
    """`kept` moved to the source's current change number by the log's entries since; None
    when the log lacks one (counted again)."""
    assert part.delta is not None
    row = connection.execute(part.delta, {POSTGRES_SINCE: kept[1]}).first()
    if row is None:  # the source's row is gone: nothing to move by
        return None
    version, until, logged, now, before = row
    if int(logged) != int(until) - kept[1]:  # one entry a number: one since was pruned
        return None
    return int(version), int(until), kept[2] + int(now) - int(before)
