"""Totals a SQLite reader connection keeps while the file is unchanged.

The admin grid asks for its total with every page: paging through a keyword's hits (or the
same page again, as a grid refreshes) counts the same rows each time. A common surname among a
million customers is 100,000 hits, and counting them is the trigram index merging three
posting lists: ~10 ms of the page's ~14 ms (issue 16). A total is kept per connection and per
request shape until SQLite says the file changed.

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
customer row that changes in a counted column: migration 0005) and its schema version (an index
rebuilt, a migration): the totals are dropped only when one of them moved. The same ordering
argument holds: both are read before anything is counted again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy.engine import Connection

# Request shapes whose totals one connection keeps (least recently used first out).
ENTRIES = 64
_INFO_KEY = "customer_gateway.mirror.memo"


_CONTENT = (
    "SELECT (SELECT version FROM mirror_content WHERE id = 1), "
    "(SELECT schema_version FROM pragma_schema_version)"
)


class TotalMemo:
    __slots__ = ("content", "keeps", "totals", "version")

    def __init__(self, keeps: bool) -> None:
        self.keeps = keeps
        self.version: object = None  # the file's (`data_version`)
        self.content: tuple[object, object] | None = None  # (content version, schema version)
        self.totals: OrderedDict[Hashable, int] = OrderedDict()

    def file_changed(self, version: object, content: tuple[object, object]) -> None:
        """Another connection committed: the totals go unless nothing they count moved (an
        unknown content version, a store without its row, counts as moved)."""
        self.version = version
        if content[0] is None or content != self.content:
            self.totals.clear()
        self.content = content

    def total(self, key: Hashable, count: Callable[[], int]) -> int:
        kept = self.totals.get(key)
        if kept is not None:
            self.totals.move_to_end(key)
            return kept
        value = count()
        self.totals[key] = value
        if len(self.totals) > ENTRIES:
            self.totals.popitem(last=False)
        return value


def kept_total(connection: Connection, key: Hashable, count: Callable[[], int]) -> int:
    """The total `count` gives for `key`, kept by this connection while the file is unchanged.
    Only a reader's connection (`query_only`) keeps totals: a connection's own commits do not
    move its `data_version`, so one that writes would serve a total its own write changed."""
    memo: TotalMemo | None = connection.info.get(_INFO_KEY)
    if memo is None:
        reader = connection.exec_driver_sql("PRAGMA query_only").scalar_one() == 1
        memo = connection.info[_INFO_KEY] = TotalMemo(keeps=reader)
    if not memo.keeps:
        return count()
    version = connection.exec_driver_sql("PRAGMA data_version").scalar_one()
    if version != memo.version:
        row = connection.exec_driver_sql(_CONTENT).one()
        memo.file_changed(version, (row[0], row[1]))
    return memo.total(key, count)
