"""A list request as one SQL query: the filters, the merged order and the page.

Every condition means what `resolvers/filters/evaluation.matches` means (the gateway's own
evaluation, the oracle of the equivalence tests): exact text comparisons on the stored values,
contains and LIKE patterns on the folded columns (`keys.fold`), and NULL matching no comparison, as
SQL's NULL does. The order is the merge's: sort key, then the source's place, then the native id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from customer_gateway.connectors.models import Condition, FilterField, Op, Sort, SortField
from customer_gateway.mirror.keys import (
    ANY,
    MISSING_TIME,
    Pattern,
    fts_query,
    normalise_phone,
    normalise_vat,
    time_key,
)
from customer_gateway.mirror.keys import parse_pattern as parse
from customer_gateway.mirror.tables import customers, facet_counts, memberships

FTS_TABLE = "mirror_customers_fts"

# What the store applies itself. A filter or sort the gateway learns later and this module does
# not know yet is applied by the gateway to the store's rows (as for a source that cannot).
_TEXT_OPS = frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NIN})
SUPPORTED: frozenset[tuple[FilterField, Op]] = frozenset(
    {(FilterField.KEYWORD, Op.EQ)}
    | {(FilterField.EMAIL, op) for op in (*_TEXT_OPS, Op.LIKE, Op.NLIKE)}
    | {(FilterField.FULL_NAME, op) for op in (*_TEXT_OPS, Op.LIKE, Op.NLIKE)}
    | {(field, op) for field in (FilterField.PHONE, FilterField.VAT_NUMBER) for op in _TEXT_OPS}
    | {(field, op) for field in (FilterField.STATUS, FilterField.GROUP) for op in _TEXT_OPS}
    | {(FilterField.COMPANY_NAME, op) for op in (*_TEXT_OPS, Op.LIKE, Op.NLIKE)}
    | {(FilterField.EXTERNAL_ID, op) for op in _TEXT_OPS}
    | {
        (field, op)
        for field in (FilterField.CREATED_AT, FilterField.UPDATED_AT)
        for op in (Op.GT, Op.GTEQ, Op.LT, Op.LTEQ)
    }
)
# Filters only the source can decide (Flow Retail's store): a mirror asks its source for them.
LIVE_ONLY = frozenset({FilterField.STORE})

_SORT_COLUMNS = {
    SortField.CREATED_AT: customers.c.created_key,
    SortField.NAME: customers.c.name_key,
    SortField.EMAIL: customers.c.email_key,
    SortField.STATUS: customers.c.status,
    SortField.CUSTOMER_ID: customers.c.numeric_key,
}


SORTS = frozenset(_SORT_COLUMNS)


@dataclass(frozen=True, slots=True)
class SourceSelection:
    """One source's part of a request: its name and the conditions that apply to it (group
    ids are per source)."""

    source: str
    conditions: tuple[Condition, ...] = ()


class Dialect:
    """Where SQLite and PostgreSQL differ: how a folded column is matched against a pattern.

    `hits` (SQLite) says how a contains-pattern uses the trigram index, and so which plan the
    planner takes for a page (`page.read_page` picks by the count):
    - "lookup": `rowid IN (hits)`: each hit's row is read and the hits sorted (a rare keyword);
    - "walk": `+rowid IN (hits)`: the sort's covering index is walked in order, each entry's
      row id tested against the hit set (a common keyword, a deep page);
    - "none": no trigram index, the pattern tested on each row the sort's index walks to (a
      common keyword's first pages: no hit set to build);
    - "members": beside one group's filter, newest or oldest first, the group's members walked
      on the membership index and the pattern tested on each member's row (`group_walk`; the
      patterns as "none").
    """

    HITS = ("lookup", "walk", "none", "members")

    def __init__(self, name: str, *, hits: str = "lookup") -> None:
        assert hits in self.HITS
        self.name = name
        self.sqlite = name == "sqlite"
        self.hits = hits

    def matches(self, column: ColumnElement[str], pattern: Pattern) -> ColumnElement[bool]:
        if self.sqlite:
            return column.op("GLOB", is_comparison=True)(sa.literal(pattern.glob()))
        return column.like(pattern.like())

    def source_column(self) -> ColumnElement[str]:
        """SQLite: `+source`, which keeps its planner off the source index (a page then walks
        the sort's index and stops after it, instead of sorting every row of the sources)."""
        if self.sqlite:
            return sa.literal_column("+mirror_customers.source", sa.String)
        return customers.c.source

    def narrowed(self, pattern: Pattern) -> ColumnElement[bool] | None:
        """SQLite: rows whose text holds every literal run of the pattern, from the trigram
        index (PostgreSQL's planner uses its pg_trgm index for LIKE by itself)."""
        if not self.sqlite or self.hits in ("none", "members"):
            return None
        query = fts_query(pattern)
        if query is None:
            return None
        row_id = "+mirror_customers.rowid" if self.hits == "walk" else "mirror_customers.rowid"
        return sa.literal_column(row_id).in_(trigram_hits(query))


def trigram_hits(query: str | sa.BindParameter[str]) -> sa.Select[Any]:
    """The row ids the trigram index finds for an FTS5 query (a value or a parameter)."""
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    matched = query if isinstance(query, sa.BindParameter) else sa.literal(query)
    return sa.select(fts.c.rowid).where(
        sa.literal_column(FTS_TABLE).op("MATCH", is_comparison=True)(matched)
    )


def exact_contains(pattern: Pattern) -> bool:
    """Whether the pattern is "contains one literal run of 3 or more characters": the trigram
    index's phrase query then matches exactly the rows whose name or e-mail contains it (FTS5's
    trigram phrases are substrings of one column; both columns are folded as the pattern is),
    so no row has to be read to test it."""
    parts = pattern.parts
    return (
        len(parts) >= 5
        and parts[0] is ANY
        and parts[-1] is ANY
        and all(part is not None and part is not ANY for part in parts[1:-1])
    )


@dataclass(frozen=True, slots=True)
class KeywordSearch:
    """A request whose sources share their conditions, one of them an exact keyword (the admin
    grid's search box): the trigram query, and the sources' other conditions (`rest`)."""

    query: str
    rest: tuple[SourceSelection, ...]
    keyword: Condition  # the request's keyword condition (the trigram query's source)


def split_keyword(
    selection: Sequence[SourceSelection],
) -> tuple[Condition, tuple[SourceSelection, ...]] | None:
    """(the keyword, every source's other conditions) when every source has the same
    conditions, one of them a keyword (the admin grid's search box beside its filters)."""
    if not selection:
        return None
    first = selection[0].conditions
    if any(part.conditions != first for part in selection):
        return None
    keywords = [c for c in first if c.field is FilterField.KEYWORD]
    if len(keywords) != 1:
        return None
    others = tuple(c for c in first if c is not keywords[0])
    return keywords[0], tuple(SourceSelection(part.source, others) for part in selection)


def keyword_search(dialect: Dialect, selection: Sequence[SourceSelection]) -> KeywordSearch | None:
    """SQLite: the request's keyword search (`KeywordSearch`), else None."""
    split = split_keyword(selection) if dialect.sqlite else None
    if split is None:
        return None
    keyword, rest = split
    pattern = parse(f"%{keyword.value}%")
    query = fts_query(pattern) if exact_contains(pattern) else None
    if query is None:
        return None
    return KeywordSearch(query, rest, keyword)


def where(dialect: Dialect, selection: Sequence[SourceSelection]) -> ColumnElement[bool]:
    if not selection:
        return sa.false()
    source = dialect.source_column()
    first = selection[0].conditions
    if all(part.conditions == first for part in selection):
        names = [part.source for part in selection]
        chosen = source == names[0] if len(names) == 1 else source.in_(names)
        return sa.and_(chosen, *(condition_sql(dialect, c) for c in first))
    return sa.or_(
        *(
            sa.and_(source == part.source, *(condition_sql(dialect, c) for c in part.conditions))
            for part in selection
        )
    )


def unfiltered(selection: Sequence[SourceSelection]) -> bool:
    """No condition: the count is the sources' row counts (`mirror_counts`)."""
    return all(not part.conditions for part in selection)


def facet_count(selection: Sequence[SourceSelection]) -> sa.Select[tuple[int]] | None:
    """The total of a page filtered by one status (or several) or by one group, from the counts
    the triggers keep (`mirror_facet_counts`); None: it has to be counted."""
    parts = []
    for part in selection:
        if len(part.conditions) != 1:
            return None
        condition = part.conditions[0]
        if condition.op not in (Op.EQ, Op.IN):
            return None
        if condition.field is FilterField.STATUS:
            facet, values = "status", sorted({str(int(value)) for value in condition.values})
        elif condition.field is FilterField.GROUP and len(set(condition.values)) == 1:
            facet, values = "group", [condition.values[0]]  # one group: no customer twice
        else:
            return None
        parts.append(
            sa.and_(
                facet_counts.c.source == part.source,
                facet_counts.c.facet == facet,
                facet_counts.c.value.in_(values),
            )
        )
    if not parts:
        return None
    return sa.select(sa.func.coalesce(sa.func.sum(facet_counts.c.customers), 0)).where(
        sa.or_(*parts)
    )


def one_group(selection: Sequence[SourceSelection]) -> tuple[list[str], str] | None:
    """(sources, group id) when every source's one condition is the same single group."""
    if not selection:
        return None
    group: str | None = None
    for part in selection:
        if len(part.conditions) != 1:
            return None
        condition = part.conditions[0]
        if (
            condition.field is not FilterField.GROUP
            or condition.op not in (Op.EQ, Op.IN)
            or len(set(condition.values)) != 1
            or (group is not None and condition.values[0] != group)
        ):
            return None
        group = condition.values[0]
    assert group is not None
    return [part.source for part in selection], group


def group_walk(selection: Sequence[SourceSelection], sort: Sort) -> tuple[list[str], str] | None:
    """(sources, group id) when the request is one group's members in creation order (the
    admin grid's group filter): the membership index answers it (`tables.memberships`)."""
    if sort.field is not SortField.CREATED_AT:
        return None
    return one_group(selection)


def keyword_in_group(
    selection: Sequence[SourceSelection], sort: Sort
) -> tuple[tuple[list[str], str], Condition] | None:
    """(the group's walk, the keyword) when every source's conditions are the same keyword and
    one group, in creation order: the page can walk the group's members and test the keyword
    on each one's row (`Dialect.hits = "members"`)."""
    split = split_keyword(selection)
    walk = group_walk(split[1], sort) if split is not None else None
    return None if walk is None or split is None else (walk, split[0])


def group_hits_count(search: KeywordSearch) -> sa.Select[Any] | None:
    """SQLite: the count of a keyword search within one group (`search.rest` one group's
    filter), as a walk of the group's entries in the membership index, each entry's customer
    row id (`customer_row`, migration 0007) tested against the trigram index's hit set: no
    customer row read. None when the rest is not one group."""
    group = one_group(search.rest)
    if group is None:
        return None
    names, group_id = group
    # `+customer_row`: the hit set is built once and probed per entry (no index has the row id
    # first; this keeps the planner from trying).
    row = sa.literal_column("+mirror_memberships.customer_row", sa.BigInteger)
    return (
        sa.select(sa.func.count())
        .select_from(memberships)
        .where(
            memberships.c.source.in_(names),
            memberships.c.group_id == group_id,
            row.in_(trigram_hits(search.query)),
        )
    )


def sort_key(sort: Sort) -> tuple[ColumnElement[object], bool]:
    """The column the page is ordered by first, and whether descending (then rank, then nat)."""
    column = _SORT_COLUMNS.get(sort.field)
    if column is None:
        # A sort the store does not declare (EverShop's customer_id): like any source, it
        # ignores it, and the gateway sorts the rows it reads (any fixed order serves).
        return customers.c.created_key, True
    return column, sort.descending


def order_by(sort: Sort) -> list[ColumnElement[object]]:
    column, descending = sort_key(sort)
    return [column.desc() if descending else column.asc(), customers.c.rank, customers.c.nat]


def condition_sql(dialect: Dialect, condition: Condition) -> ColumnElement[bool]:
    field, op, values = condition.field, condition.op, condition.values
    if field is FilterField.KEYWORD:
        pattern = parse(f"%{condition.value}%")
        narrowed = dialect.narrowed(pattern)
        if narrowed is not None and exact_contains(pattern):
            return narrowed  # the trigram hits are the matches (`exact_contains`)
        found = sa.or_(
            dialect.matches(customers.c.name_fold, pattern),
            dialect.matches(customers.c.email_fold, pattern),
        )
        return found if narrowed is None else sa.and_(narrowed, found)
    if field is FilterField.EMAIL:
        return _text(dialect, customers.c.email, customers.c.email_fold, op, values, wrap=False)
    if field is FilterField.FULL_NAME:
        return _text(dialect, customers.c.full_name, customers.c.name_fold, op, values, wrap=True)
    if field is FilterField.PHONE:
        return _exact(customers.c.phone, op, tuple(normalise_phone(v) for v in values))
    if field is FilterField.VAT_NUMBER:
        return _exact(customers.c.vat, op, tuple(normalise_vat(v) for v in values))
    if field is FilterField.COMPANY_NAME:
        # No trigram index holds company names: a contains-pattern scans the source's rows.
        return _text(
            dialect,
            customers.c.company,
            customers.c.company_fold,
            op,
            values,
            wrap=True,
            narrow=False,
        )
    if field is FilterField.EXTERNAL_ID:
        return _exact(customers.c.external_id, op, values)
    if field is FilterField.STATUS:
        wanted = sorted({int(v) for v in values})
        # One value is an equality: the status indexes then give the page's order.
        member = (
            customers.c.status == wanted[0] if len(wanted) == 1 else customers.c.status.in_(wanted)
        )
        return member if op in (Op.EQ, Op.IN) else sa.not_(member)
    if field is FilterField.GROUP:
        belongs = sa.exists().where(
            memberships.c.source == customers.c.source,
            memberships.c.customer_id == customers.c.native_id,
            memberships.c.group_id.in_(values),
        )
        return belongs if op in (Op.EQ, Op.IN) else sa.not_(belongs)
    if field in (FilterField.CREATED_AT, FilterField.UPDATED_AT):
        column = (
            customers.c.created_key if field is FilterField.CREATED_AT else customers.c.updated_key
        )
        # The value as `filters.py` wrote it (ISO 8601, UTC), read as `filtering.moment_bound`.
        bound = time_key(datetime.fromisoformat(condition.value))
        compared = {
            Op.GT: column > bound,
            Op.GTEQ: column >= bound,
            Op.LT: column < bound,
            Op.LTEQ: column <= bound,
        }[op]
        return sa.and_(column != MISSING_TIME, compared)  # a missing time matches nothing
    raise ValueError(f"unsupported filter field {field}")


def _text(
    dialect: Dialect,
    column: ColumnElement[str],
    folded: ColumnElement[str],
    op: Op,
    values: tuple[str, ...],
    *,
    wrap: bool,
    narrow: bool = True,
) -> ColumnElement[bool]:
    if op in (Op.LIKE, Op.NLIKE):
        pattern = parse(f"%{values[0]}%" if wrap else values[0])
        matched = dialect.matches(folded, pattern)
        if op is Op.NLIKE:
            # NULL stays NULL (no match), as the gateway's nlike on a missing value.
            return sa.not_(matched)
        narrowed = dialect.narrowed(pattern) if narrow else None
        return matched if narrowed is None else sa.and_(narrowed, matched)
    return _exact(column, op, values)


def _exact(column: ColumnElement[str], op: Op, values: tuple[str, ...]) -> ColumnElement[bool]:
    if op is Op.EQ:
        return column == values[0]
    if op is Op.NEQ:
        return column != values[0]
    if op is Op.IN:
        return column.in_(values)
    if op is Op.NIN:
        return column.not_in(values)
    raise ValueError(f"unsupported text operation {op}")
