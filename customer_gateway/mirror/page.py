"""The store's request-path reads as plain functions of one synchronous connection: every
statement a read needs runs in one call, on SQLite in one hop to a reader thread
(`threaded.ThreadReader`), on PostgreSQL in one `run_sync` on the async connection.

A page's statements: its rows (first as keys on the sort's index alone, so a deep page skips its
offset without reading a row, then their documents: a deferred join; one group's
members newest first from the membership index), and its total: an unfiltered page's from the
per-source counts, one status's or one group's from the per-facet counts (both kept by
triggers), else counted.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from customer_gateway.connectors.models import (
    Condition,
    CustomerRecord,
    FilterField,
    GroupRecord,
    Sort,
)
from customer_gateway.mirror import deltas
from customer_gateway.mirror import query as sql
from customer_gateway.mirror.deltas import Counting
from customer_gateway.mirror.memo import Part, VersionedTotals, kept_total
from customer_gateway.mirror.query import Dialect, SourceSelection
from customer_gateway.mirror.rows import customer_from_doc, group_from_doc
from customer_gateway.mirror.statements import in_chunks
from customer_gateway.mirror.tables import counts, customers, groups, memberships

_ROWID: sa.ColumnClause[int] = sa.literal_column("mirror_customers.rowid", sa.Integer)
# The page's place: parameters of the statements, which are built once per request shape.
_OFFSET = sa.bindparam("page_offset", type_=sa.Integer)
_LIMIT = sa.bindparam("page_limit", type_=sa.Integer)
# Requests of different filters (a keyword each) or sorts whose statements are kept.
STATEMENTS = 256


@dataclass(frozen=True, slots=True)
class StorePage:
    """A page, its total, and the group lists asked for with it (`groups_of`: sources whose
    customers name their groups by id only, so the page's group names cost no second read)."""

    records: list[CustomerRecord]
    total: int
    groups: dict[str, list[GroupRecord]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PageStatements:
    rows: sa.Select[Any]  # (source, doc) in the page's order; takes offset and limit
    total: sa.Select[Any]
    # The total reads the matching rows (not the counts the triggers keep): worth keeping
    # while the file is unchanged (`memo`).
    counts_rows: bool = False


class Statements:
    """A store's page statements, built once per request (selection, sort, whether paged) and
    kept: the next page of the same grid, or the same page again, executes the same statement
    objects, so SQLAlchemy neither builds them nor derives their cache keys again (its compiled
    cache then gives their SQL). The bound values (sources, filter values) are part of the key;
    only the page's offset and limit are parameters."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.dialects = {hits: Dialect(dialect.name, hits=hits) for hits in Dialect.HITS}
        self.costs = PlanCosts()
        self.page = functools.lru_cache(maxsize=STATEMENTS)(self._page)
        self.counting = functools.lru_cache(maxsize=STATEMENTS)(self._counting)
        self.trigram_counting = functools.lru_cache(maxsize=STATEMENTS)(self._trigram_counting)
        # PostgreSQL: counted totals kept while their sources' versions stay (`memo`).
        self.versioned = VersionedTotals()
        self.postgres_delta = functools.lru_cache(maxsize=STATEMENTS)(self._postgres_delta)

    def _counting(self, selection: tuple[SourceSelection, ...], hits: str) -> Counting:
        """SQLite: a counted total's statements for a reader to keep it (`memo`): its count
        (on the hits as `hits` says) and its delta (the same conditions tested on the folded
        columns, which is what the trigram index matches). A keyword within one group counted
        by "walk" walks the group's memberships against the hit set (`query.group_hits_count`)."""
        count, _ = self._total(selection, hits, sql.where(self.dialects[hits], selection))
        return deltas.counting(count, sql.where(self.dialects["none"], selection))

    def _total(
        self, selection: tuple[SourceSelection, ...], hits: str, condition: Any
    ) -> tuple[sa.Select[Any], bool]:
        search = sql.keyword_search(self.dialect, selection) if hits == "walk" else None
        members = sql.group_hits_count(search) if search is not None else None
        if members is not None:
            return members, True
        return _counted(selection, condition)

    def versioned_total(
        self,
        connection: Connection,
        shape: tuple[SourceSelection, ...],
        sort: Sort,
        hits: str,
    ) -> int:
        """PostgreSQL: a counted total as the sum of its sources' parts, each kept while its
        source's version stays (`memo.VersionedTotals`)."""
        parts = [
            Part(
                (part, hits),
                part.source,
                self.page((part,), sort, True, hits).total,
                self.postgres_delta(part),
            )
            for part in shape
        ]
        return self.versioned.total(connection, parts)

    def _postgres_delta(self, part: SourceSelection) -> sa.Select[Any] | None:
        """PostgreSQL: how a kept part of a total moves with its source's changes (None where
        its condition reads a column the change log does not keep)."""
        try:
            return deltas.postgres_delta(part.source, sql.where(self.dialects["none"], (part,)))
        except deltas.NotLogged:
            return None

    def _trigram_counting(self, query: str, keyword: Condition) -> Counting:
        """SQLite: the hits of `keyword` (its trigram `query`) in the trigram index, every
        source's rows."""
        count = sa.select(sa.func.count()).select_from(sql.trigram_hits(query).subquery())
        return deltas.counting(count, sql.condition_sql(self.dialects["none"], keyword))

    def _page(
        self,
        selection: tuple[SourceSelection, ...],
        sort: Sort,
        paged: bool,
        hits: str = "lookup",
    ) -> PageStatements:
        dialect = self.dialects[hits]
        condition = sql.where(dialect, selection)
        walk = sql.group_walk(selection, sort)
        members = sql.keyword_in_group(selection, sort) if hits == "members" else None
        rows: Any
        if walk is not None and paged:
            rows = _group_page(self.dialect, walk, sort)
        elif members is not None and paged:
            # The group's members in the walk's order, the keyword tested on each one's row.
            rows = _group_page(
                self.dialect, members[0], sort, sql.condition_sql(dialect, members[1])
            )
        elif paged:
            rows = _deferred(self.dialect, condition, sort)
        else:
            rows = sa.select(customers.c.source, customers.c.doc).where(condition)
            rows = rows.order_by(*sql.order_by(sort)).offset(_OFFSET)
            if paged:
                rows = rows.limit(_LIMIT)
        total, counts_rows = self._total(selection, hits, condition)
        return PageStatements(rows, total, counts_rows)


def read_page(
    statements: Statements,
    selection: Sequence[SourceSelection],
    sort: Sort,
    offset: int,
    limit: int | None,
    groups_of: Sequence[str],
    connection: Connection,
) -> StorePage:
    """One page in the merged order, how many rows match, and the group lists of `groups_of`:
    two statements (three with groups)."""
    shape = tuple(selection)
    search = sql.keyword_search(statements.dialect, selection) if limit is not None else None
    total: int | None = None
    hits = counted_hits = "lookup"
    if search is not None:
        total, hits, counted_hits = _keyword_plan(
            statements, search, sort, offset + (limit or 0), connection
        )
    elif limit is not None and not statements.dialect.sqlite:
        total, hits = _postgres_group_plan(statements, shape, sort, offset + limit, connection)
    prepared = statements.page(shape, sort, limit is not None, hits)
    place = {"page_offset": offset}
    if limit is not None:
        place["page_limit"] = limit
    rows: Sequence[Any] = connection.execute(prepared.rows, place).all()
    if total is None:
        # Counted on the hits (or, without a keyword, as the filters' indexes allow); on SQLite
        # kept by the reader, and moved by the rows changed since (`memo`, `deltas`).
        counting = (
            prepared
            if counted_hits == hits
            else statements.page(shape, sort, limit is not None, counted_hits)
        )
        if statements.dialect.sqlite and counting.counts_rows:
            total = kept_total(connection, shape, statements.counting(shape, counted_hits))
        elif counting.counts_rows:
            total = statements.versioned_total(connection, shape, sort, counted_hits)
        else:
            total = int(connection.execute(counting.total).scalar_one())
    records = [customer_from_doc(source, doc) for source, doc in rows]
    listed: dict[str, list[GroupRecord]] = {}
    if groups_of:
        listed = {source: [] for source in groups_of}
        for source, doc in connection.execute(_GROUPS_OF, {"sources": list(groups_of)}):
            listed[source].append(group_from_doc(source, doc))
    return StorePage(records, int(total), listed)


# Sources with rows in the store, and how many (kept by triggers).
_PRESENT = sa.select(counts.c.source, counts.c.customers).where(counts.c.customers > 0)


@dataclass(frozen=True, slots=True)
class PlanCosts:
    """What each plan of a keyword page costs, in µs of one request on SQLite at 1,000,000 rows
    (measured with the sqlite3 shell on a store of `bench.mirror`, the page cache warm):
    reading a hit's row and sorting it; building the hit set, per hit; walking an entry of the
    sort's covering index against it; reading the row an index entry points to and testing the
    pattern on it (rows out of the index's order lie scattered over the file; a member's row,
    found by its key from the membership index's entry, alike)."""

    lookup_per_hit: float = 3.6
    hit_set_per_hit: float = 0.2
    walk_per_entry: float = 0.2
    row_per_entry: float = 30.0

    def cheapest(
        self,
        total: int,
        rows: int,
        reach: int,
        hits: int | None = None,
        members: int | None = None,
    ) -> str:
        """The plan (`Dialect.hits`) for a page reaching `reach` rows of `total` matches among
        `rows` (a walk of the sort's index passes about reach x rows / total entries), the
        keyword having `hits` in the trigram index (the matches, unless other filters keep
        fewer): the lookup reads each hit's row, the walk builds the set of hits. `members`:
        beside one group's filter, its members, whose walk reads each one's row."""
        hits = total if hits is None else hits
        walked = reach * rows / max(total, 1)
        costs = {
            "lookup": hits * self.lookup_per_hit,
            "walk": hits * self.hit_set_per_hit + walked * self.walk_per_entry,
            "none": walked * self.row_per_entry,
        }
        if members is not None:
            costs["members"] = reach * members / max(total, 1) * self.row_per_entry
        return min(costs, key=costs.__getitem__)

    def cheaper_count(self, hits: int, entries: int) -> str:
        """How to count the keyword's `hits` among the `entries` of a covering index: a lookup
        of each hit's row, or a walk of the index against the hit set."""
        lookup = hits * self.lookup_per_hit
        walk = hits * self.hit_set_per_hit + entries * self.walk_per_entry
        return "walk" if walk < lookup else "lookup"


def _keyword_plan(
    statements: Statements,
    search: sql.KeywordSearch,
    sort: Sort,
    reach: int,
    connection: Connection,
) -> tuple[int | None, str, str]:
    """The admin grid's search on SQLite: the total if the trigram index gives it, how to find
    the page and how to count its rows (`Dialect`).

    The trigram index's count of the keyword's hits (no row read: 100,000 hits of a common
    surname in ~10 ms instead of ~300 ms; kept and moved with the changes, `memo`) is the
    total when the request is the keyword alone over every source with rows in the store.
    Else (a source left out, or other filters with it: status, group, ...) it is counted on
    the hits, and the page's plan is chosen on an estimate: the hits spread evenly over the
    rows the other filters keep (their per-facet count when they are one status or group,
    else every row of the sources read)."""
    present: dict[str, int] = dict(connection.execute(_PRESENT).all())
    hits = kept_total(
        connection,
        ("trigram", search.query),
        statements.trigram_counting(search.query, search.keyword),
    )
    everywhere = sum(present.values())
    read = {part.source for part in search.rest}
    if not any(part.conditions for part in search.rest) and present.keys() <= read:
        return hits, statements.costs.cheapest(hits, everywhere, reach), "lookup"
    kept = rows = sum(count for source, count in present.items() if source in read)
    facet = sql.facet_count(search.rest)
    if facet is not None:
        kept = int(connection.scalar(facet) or 0)
    expected = round(hits * kept / max(everywhere, 1))
    # Beside one group's filter in creation order, its members can be walked (the membership
    # index); the sort's own index then passes every row of the sources read, not only the
    # group's (a status's index holds only its rows).
    members = kept if sql.group_walk(search.rest, sort) is not None else None
    walked_rows = rows if members is not None else kept
    page = statements.costs.cheapest(expected, walked_rows, reach, hits, members)
    # The count: each hit's row read (scattered over the file: cold, a page read each), or,
    # for statuses alone beside the keyword, the status index walked against the hit set (the
    # index covers status, source and rowid: no row read), and for one group, the group's
    # entries of the membership index, which carry each member's row id (migration 0007).
    counted = "lookup"
    if facet is not None and (_statuses_only(search.rest) or sql.one_group(search.rest)):
        counted = statements.costs.cheaper_count(hits, kept)
    return None, page, counted


# PostgreSQL: the most member rows a keyword's page within a group may expect to read on the
# members' walk (each one's row by key, ~10-30 µs); past that, the sort's index filtered by the
# pattern, which PostgreSQL plans itself.
MEMBERS_WALK_ROWS = 4000


def _postgres_group_plan(
    statements: Statements,
    shape: tuple[SourceSelection, ...],
    sort: Sort,
    reach: int,
    connection: Connection,
) -> tuple[int | None, str]:
    """PostgreSQL: the search box within one group, newest or oldest first. Its total (kept
    while its sources' versions stay, `memo.VersionedTotals`) says how many of the group's
    members match; the page walks the members testing the keyword on each one's row when
    that reads few rows (about reach x members / matches), else PostgreSQL plans the page.
    (None, "lookup") for any other request."""
    split = sql.split_keyword(shape)
    if split is None or sql.group_walk(split[1], sort) is None:
        return None, "lookup"
    total = statements.versioned_total(connection, shape, sort, "lookup")
    facet = sql.facet_count(split[1])
    members = int(connection.scalar(facet) or 0) if facet is not None else 0
    walked = reach * members / max(total, 1)
    return total, "members" if walked <= MEMBERS_WALK_ROWS else "lookup"


def _statuses_only(selection: Sequence[SourceSelection]) -> bool:
    return all(
        all(condition.field is FilterField.STATUS for condition in part.conditions)
        for part in selection
    )


_GROUPS_OF = (
    sa.select(groups.c.source, groups.c.doc)
    .where(groups.c.source.in_(sa.bindparam("sources", expanding=True)))
    .order_by(groups.c.source, groups.c.position, groups.c.native_id)
)


def _counted(selection: Sequence[SourceSelection], condition: Any) -> tuple[sa.Select[Any], bool]:
    """The total's statement, and whether it reads the matching rows (else the counts the
    triggers keep)."""
    if sql.unfiltered(selection):
        unfiltered = sa.select(sa.func.coalesce(sa.func.sum(counts.c.customers), 0)).where(
            counts.c.source.in_([part.source for part in selection])
        )
        return unfiltered, False
    facet = sql.facet_count(selection)
    if facet is not None:
        return facet, False
    return sa.select(sa.func.count()).select_from(customers).where(condition), True


def _group_page(
    dialect: Dialect,
    walk: tuple[list[str], str],
    sort: Sort,
    tested: ColumnElement[bool] | None = None,
) -> sa.Select[Any]:
    """One group's page newest (or oldest) first: the membership index's walk gives the
    page's (source, id) pairs without reading a customer row, then each one's document by its
    primary key (a join on both key columns; the walk's order is total: time, rank, nat), on
    SQLite by its row id, which the membership index carries (migration 0007: one B-tree
    instead of the primary key's index and then the table).
    `tested`: a condition on the customer row (the search box's pattern), tested on each
    member's row as the walk reaches it (by its row id on SQLite, by key on PostgreSQL)."""
    names, group_id = walk
    kept = [memberships.c.group_id == group_id]
    if tested is not None:
        owner = (
            memberships.c.customer_row == _ROWID
            if dialect.sqlite
            else sa.and_(
                customers.c.source == memberships.c.source,
                customers.c.native_id == memberships.c.customer_id,
            )
        )
        kept.append(sa.exists().where(owner, tested))
    source = (
        sa.literal_column("+mirror_memberships.source", sa.String)
        if dialect.sqlite
        else memberships.c.source
    )
    created = memberships.c.created_key
    walked = (
        sa.select(
            memberships.c.source,
            memberships.c.customer_id,
            created,
            memberships.c.rank,
            memberships.c.nat,
            memberships.c.customer_row,
        )
        .where(*kept, source.in_(names))
        .order_by(
            created.desc() if sort.descending else created.asc(),
            memberships.c.rank,
            memberships.c.nat,
        )
        .offset(_OFFSET)
        .limit(_LIMIT)
        .subquery("walked")
    )
    found = customers.alias("found")
    owner = (
        sa.literal_column("found.rowid", sa.BigInteger) == walked.c.customer_row
        if dialect.sqlite
        else sa.and_(found.c.source == walked.c.source, found.c.native_id == walked.c.customer_id)
    )
    return (
        sa.select(found.c.source, found.c.doc)
        .select_from(walked.join(found, owner))
        .order_by(
            walked.c.created_key.desc() if sort.descending else walked.c.created_key.asc(),
            walked.c.rank,
            walked.c.nat,
        )
    )


def _deferred(dialect: Dialect, condition: Any, sort: Sort) -> sa.Select[Any]:
    """The page found as keys on the sort's index alone (a deep page skips its offset without
    reading a row), then its rows by key, in the index's order (a deferred join; the order is
    total: sort key, rank, nat). SQLite: the keys are row ids, in every index entry.
    PostgreSQL: source and native id, which its sort indexes include (migration 0008: an
    index-only scan where a vacuum has set the visibility map, `SqlMirrorStore.analyze`)."""
    column, descending = sql.sort_key(sort)
    keys: list[Any] = (
        [_ROWID.label("row_id")]
        if dialect.sqlite
        else [customers.c.source.label("key_source"), customers.c.native_id.label("key_id")]
    )
    keyed = (
        sa.select(*keys, column.label("sort_key"), customers.c.rank, customers.c.nat)
        .select_from(customers)
        .where(condition)
        .order_by(*sql.order_by(sort))
        .offset(_OFFSET)
        .limit(_LIMIT)
        .subquery("keyed")
    )
    found = customers.alias("found")
    joined = (
        sa.literal_column("found.rowid", sa.Integer) == keyed.c.row_id
        if dialect.sqlite
        else sa.and_(found.c.source == keyed.c.key_source, found.c.native_id == keyed.c.key_id)
    )
    return (
        sa.select(found.c.source, found.c.doc)
        .select_from(keyed.join(found, joined))
        .order_by(
            keyed.c.sort_key.desc() if descending else keyed.c.sort_key.asc(),
            keyed.c.rank,
            keyed.c.nat,
        )
    )


def read_customers(
    source: str, ids: Sequence[str], connection: Connection
) -> list[CustomerRecord | None]:
    found: dict[str, CustomerRecord] = {}
    for chunk in in_chunks(list(dict.fromkeys(ids))):
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
