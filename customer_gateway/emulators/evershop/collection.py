"""`CustomerCollection` / `CustomerGroupCollection` with their filter callbacks, ported literally.

The filter callbacks come from `registerDefaultCustomerCollectionFilters.js`,
`registerDefaultCustomerGroupCollectionFilters.js` and `lib/util/defaultPaginationFilters.js`;
`_Query` models the @evershop/postgres-query-builder 2.1 `SelectQuery` state they mutate:
a WHERE tree, a single ORDER BY field and a LIMIT/OFFSET pair.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from .node.js import UNDEFINED, js_number, parse_int, to_js_string
from .pg import (
    INT8_MAX,
    Collation,
    Compare,
    LikePattern,
    PgError,
    param_text,
    text_sort_key,
    tuplesort,
    tuplesort_ranked,
)
from .pg import parse_int as pg_parse_int

ADMIN_COLLECTION_SIZE: Final = 20  # config system.admin_collection_size
CATALOG_PAGE_SIZE: Final = 20  # setting catalogCollectionPageSize; the '*' filter's `this.isAdmin`
# is undefined (it is called as `filter.callback(...)`), so this one sets the default limit.

Row = dict[str, Any]
Predicate = Callable[[Row], bool | None]
Filter = dict[str, Any]

# Plain-object lookups such as `sortBy["toString"]` find Object.prototype methods in JavaScript.
_OBJECT_PROTOTYPE_METHODS: Final = frozenset(
    {
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
    }
)


@dataclass
class _Node:
    """A parenthesised WHERE group: `(leaf LINK leaf LINK (node) ...)`."""

    terms: list[tuple[str, Predicate | _Node]] = field(default_factory=list)

    def evaluate(self, row: Row) -> bool | None:
        # SQL precedence: AND binds tighter than OR; NULL (None) follows three-valued logic.
        result: bool | None = False
        conjunction: bool | None = True
        for index, (link, term) in enumerate(self.terms):
            value = term.evaluate(row) if isinstance(term, _Node) else term(row)
            if link == "OR" and index > 0:
                result = _or(result, conjunction)
                conjunction = value
            else:
                conjunction = _and(conjunction, value)
        return _or(result, conjunction)


def _and(left: bool | None, right: bool | None) -> bool | None:
    if left is False or right is False:
        return False
    return None if left is None or right is None else True


def _or(left: bool | None, right: bool | None) -> bool | None:
    if left is True or right is True:
        return True
    return None if left is None or right is None else False


@dataclass
class _Query:
    where: _Node = field(default_factory=_Node)
    order_field: str | None = None
    order_direction: str = "DESC"
    offset: int | float | None = None
    limit: int | float | None = None
    bind_errors: list[PgError] = field(default_factory=list)

    def and_where(self, predicate: Predicate) -> _Node:
        """`andWhere`: the first condition becomes the root; later ones are AND-ed groups."""
        if not self.where.terms:
            self.where = _Node([("AND", predicate)])
            return self.where
        node = _Node([("AND", predicate)])
        self.where.terms.append(("AND", node))
        return node

    def order_by(self, column: str, direction: str = "ASC") -> None:
        self.order_field, self.order_direction = column, direction

    def set_limit(self, offset: int | float, limit: int | float) -> None:
        self.offset, self.limit = offset, limit


def _js_find(filters: Sequence[Any], key: str, operations: Sequence[str]) -> Filter | None:
    """`filters.find((f) => f.key === filter.key && filter.operation.includes(f.operation))`."""
    for item in filters:
        if item is None:
            raise TypeError("Cannot read properties of null (reading 'key')")
        if item.get("key") == key and item.get("operation") in operations:
            return dict(item)
    return None


# -- predicates ---------------------------------------------------------------------------------


def _ilike(column: str, pattern: Any, *, negate: bool = False) -> Predicate:
    text = param_text(pattern)
    compiled: list[LikePattern] = []

    def predicate(row: Row) -> bool | None:
        value = row[column]
        if value is None or text is None:
            return None
        if not compiled:  # a bad pattern fails on the first row it is matched against
            compiled.append(LikePattern(text, case_insensitive=True))
        return compiled[0].matches(value) != negate

    return predicate


def _equals(column: str, wanted: Any) -> Predicate:
    def predicate(row: Row) -> bool | None:
        if wanted is None or row[column] is None:
            return None
        return bool(row[column] == wanted)

    return predicate


# -- filter callbacks ---------------------------------------------------------------------------

Callback = Callable[[_Query, Any, Any, list[Filter]], None]


def _keyword(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
    pattern = f"%{to_js_string(value)}%"
    node = query.and_where(_ilike("full_name", pattern))
    node.terms.append(("OR", _ilike("email", pattern)))
    current.append({"key": "keyword", "operation": operation, "value": value})


def _full_name(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
    query.and_where(_ilike("full_name", f"%{to_js_string(value)}%", negate=operation == "nlike"))
    current.append({"key": "full_name", "operation": operation, "value": value})


def _email(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
    if operation == "eq":
        query.and_where(_equals("email", param_text(value)))
    else:
        query.and_where(_ilike("email", value, negate=operation == "nlike"))
    current.append({"key": "email", "operation": operation, "value": value})


def _status(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
    text = param_text(value)
    wanted: int | None = None
    if text is not None:
        try:
            wanted = pg_parse_int(text, "smallint")
        except PgError as error:  # parameters are parsed when the statement runs
            query.bind_errors.append(error)
    query.and_where(_equals("status", wanted))
    current.append({"key": "status", "operation": operation, "value": value})


def _sort_by(columns: dict[str, str]) -> Callback:
    def callback(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
        name = to_js_string(value) if value is not None and value is not UNDEFINED else None
        if name in columns:
            query.order_by(columns[name])
        elif name not in _OBJECT_PROTOTYPE_METHODS:
            return
        current.append({"key": "ob", "operation": operation, "value": value})

    return callback


def _group_name(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
    query.and_where(_ilike("group_name", f"%{to_js_string(value)}%"))
    current.append({"key": "name", "operation": operation, "value": value})


def _direction(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
    if value in ("ASC", "DESC", "asc", "desc"):
        query.order_direction = str(value).upper()
        current.append({"key": "od", "operation": operation, "value": value})


def _page(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
    page = parse_int(value)
    if page is not None and page > 0:
        query.set_limit((page - 1) * ADMIN_COLLECTION_SIZE, ADMIN_COLLECTION_SIZE)
        current.append({"key": "page", "operation": operation, "value": value})
    else:
        query.set_limit(0, ADMIN_COLLECTION_SIZE)
        current.append({"key": "page", "operation": operation, "value": 1})


def _limit(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
    limit = parse_int(value)
    if limit is not None and limit > 0:
        page = next((item for item in current if item["key"] == "page"), None)
        if page is not None:
            query.set_limit(((parse_int(page["value"]) or 0) - 1) * limit, limit)
        else:
            query.set_limit(0, limit)
            current.append({"key": "limit", "operation": "eq", "value": value})
        current.append({"key": "limit", "operation": operation, "value": value})
    else:
        current.append({"key": "limit", "operation": operation, "value": ADMIN_COLLECTION_SIZE})


def _pagination(query: _Query, operation: Any, value: Any, current: list[Filter]) -> None:
    page = next((item for item in current if item["key"] == "page"), None)
    limit = next((item for item in current if item["key"] == "limit"), None)
    current.append({"key": "page", "operation": "eq", "value": 1})
    if limit is None:
        current.append({"key": "limit", "operation": "eq", "value": CATALOG_PAGE_SIZE})
    page_number = parse_int(page["value"] if page and page["value"] else 1) or 0
    size = parse_int(limit["value"] if limit and limit["value"] else CATALOG_PAGE_SIZE) or 0
    query.set_limit((page_number - 1) * size, size)


_PAGINATION: Final[list[tuple[str, tuple[str, ...], Callback]]] = [
    ("od", ("eq",), _direction),
    ("page", ("eq",), _page),
    ("limit", ("eq",), _limit),
    ("*", ("eq",), _pagination),
]
CUSTOMER_FILTERS: Final[list[tuple[str, tuple[str, ...], Callback]]] = [
    ("keyword", ("eq",), _keyword),
    ("full_name", ("like", "nlike"), _full_name),
    ("email", ("eq", "like", "nlike"), _email),
    ("status", ("eq",), _status),
    (
        "ob",
        ("eq",),
        _sort_by(
            {"email": "email", "name": "full_name", "status": "status", "created_at": "created_at"}
        ),
    ),
    *_PAGINATION,
]
GROUP_FILTERS: Final[list[tuple[str, tuple[str, ...], Callback]]] = [
    ("name", ("like",), _group_name),
    ("ob", ("eq",), _sort_by({"name": "group_name"})),
    *_PAGINATION,
]


class Collection:
    """The object a `customers` / `customerGroups` resolver returns (`init` has already run)."""

    def __init__(
        self,
        rows: Callable[[], Sequence[Row]],
        filters: Any,
        registered: Sequence[tuple[str, tuple[str, ...], Callback]],
        *,
        default_order: str | None,
        collation: Collation,
        stable_ties: bool = False,
        unique_columns: frozenset[str] = frozenset(),
    ) -> None:
        self._rows = rows
        self._unique_columns = unique_columns
        self._collation = collation
        self._stable_ties = stable_ties
        self.query = _Query()
        if default_order is not None:
            self.query.order_by(default_order, "DESC")
        if filters is None:
            raise TypeError("Cannot read properties of null (reading 'find')")
        self.current_filters: list[Filter] = []
        for key, operations, callback in registered:
            check = _js_find(filters, key, operations)
            if key == "*" or check is not None:
                operation = check.get("operation", UNDEFINED) if check else UNDEFINED
                value = check.get("value", UNDEFINED) if check else UNDEFINED
                callback(self.query, operation, value, self.current_filters)

    def _matching(self) -> list[Row]:
        if self.query.bind_errors:
            raise self.query.bind_errors[0]
        if not self.query.where.terms:
            return list(self._rows())
        return [row for row in self._rows() if self.query.where.evaluate(row) is True]

    def total(self) -> int:
        try:
            return len(self._matching())
        except PgError as error:
            if error.code == "22P02":  # SelectQuery.execute turns it into a zero COUNT
                return 0
            raise

    def items(self) -> list[Row]:
        try:
            rows = self._matching()
        except PgError as error:
            if error.code == "22P02":  # ...and into no rows for the item query
                return []
            raise
        window = self._window()
        if window is None:
            return self._ordered(rows, None)
        offset, limit = window
        return self._ordered(rows, offset + limit)[offset : offset + limit]

    def _window(self) -> tuple[int, int] | None:
        """(OFFSET, LIMIT) as Postgres receives them; None without a LIMIT."""
        if self.query.limit is None:
            return None
        offset = int(js_number(float(self.query.offset or 0)))
        limit = int(js_number(float(self.query.limit)))
        if limit > INT8_MAX or offset > INT8_MAX:
            raise PgError("22003", "bigint out of range")
        return offset, limit

    def _ordered(self, rows: list[Row], bound: int | None) -> list[Row]:
        """ORDER BY one column, rows in heap (scan) order: Postgres's sort, ties included."""
        column = self.query.order_field
        if column is None:
            return rows
        descending = self.query.order_direction == "DESC"
        text_key = text_sort_key(self._collation)
        if column in self._unique_columns:
            # A unique NOT NULL column has no ties: every sort algorithm gives this one order,
            # so the C sort stands in for tuplesort (a page of a 200,000-row table in ms).
            if set(map(type, map(operator.itemgetter(column), rows))) <= {int}:
                # Integers (customer_id) are their own keys: no Python call per row.
                return sorted(rows, key=operator.itemgetter(column), reverse=descending)

            def unique_key(row: Row) -> Any:
                value = row[column]
                return text_key(value) if isinstance(value, str) else value

            return sorted(rows, key=unique_key, reverse=descending)

        compare = row_comparison(column, text_key, descending)
        ranks = _ranks(rows, column, text_key, descending)
        if ranks is not None:
            # The same sorts over each row's rank: the same comparisons, made cheaply.
            if self._stable_ties:
                return [rows[index] for index in sorted(range(len(rows)), key=ranks.__getitem__)]
            return tuplesort_ranked(rows, ranks, bound)
        if self._stable_ties:
            return sorted(rows, key=functools.cmp_to_key(compare))
        return tuplesort(rows, compare, bound)


def row_comparison(column: str, text_key: Callable[[str], Any], descending: bool) -> Compare:
    """How ORDER BY `column` compares two rows."""

    def compare(left: Row, right: Row) -> int:
        first, second = left[column], right[column]
        if first is None or second is None:
            if first is None and second is None:
                return 0
            # NULLs sort last ascending and first descending (as if larger than any value)
            return (1 if first is None else -1) * (-1 if descending else 1)
        if isinstance(first, str):
            first, second = text_key(first), text_key(second)
        order = int(first > second) - int(first < second)
        return -order if descending else order

    return compare


# Values that are their own sort keys (no NULL among them, no text to collate, no float).
_SELF_RANKED: Final = frozenset({int, datetime})


def _ranks(
    rows: list[Row], column: str, text_key: Callable[[str], Any], descending: bool
) -> list[int] | None:
    """Each row's place in `row_comparison` as an int: equal for rows that compare equal,
    lower for a row that comes first (NULLs after every value ascending, before descending).
    None where the values do not rank (two that do not compare, a float): the comparison
    itself then decides, as before."""
    keys: list[Any] = list(map(operator.itemgetter(column), rows))
    if not set(map(type, keys)) <= _SELF_RANKED:
        keys = []
        for row in rows:
            value = row[column]
            if value is None:
                keys.append((1,))
            elif type(value) is float:
                return None
            else:
                keys.append((0, text_key(value) if isinstance(value, str) else value))
    try:
        order = sorted(range(len(keys)), key=keys.__getitem__)
    except TypeError:
        return None
    ranks = [0] * len(keys)
    rank = 0
    for before, index in itertools.pairwise(order):
        if keys[index] != keys[before]:
            rank += 1
        ranks[index] = rank
    if descending:
        return [-rank for rank in ranks]
    return ranks
