"""The gateway's own evaluation of filters and sort orders, for what a source cannot do itself.

Semantics are EverShop's (Postgres): like/nlike are case-insensitive patterns with `%` and `_`
(full_name wraps the value in `%…%`, email uses it as given), eq/neq on text are exact, and a
null field matches no comparison. Sorting puts nulls last ascending and first descending, and
orders text in the collation it is given (a source's `collation`,
`customer_gateway.text.collation`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from itertools import count, repeat
from typing import Any

from customer_gateway.connectors.models import (
    Condition,
    CustomerRecord,
    FilterField,
    Op,
    Sort,
    SortField,
)
from customer_gateway.text.collation import sort_key as collation_key

# Record attributes each filter and sort reads (to know which list summaries need details).
FILTER_NEEDS: Mapping[FilterField, frozenset[str]] = {
    FilterField.KEYWORD: frozenset({"full_name", "email"}),
    FilterField.EMAIL: frozenset({"email"}),
    FilterField.FULL_NAME: frozenset({"full_name"}),
    FilterField.PHONE: frozenset({"phone"}),
    FilterField.VAT_NUMBER: frozenset({"vat_number"}),
    FilterField.STATUS: frozenset({"status"}),
    FilterField.GROUP: frozenset({"groups"}),
    FilterField.COMPANY_NAME: frozenset({"company_name"}),
    FilterField.CREATED_AT: frozenset({"created_at"}),
    FilterField.UPDATED_AT: frozenset({"updated_at"}),
    FilterField.EXTERNAL_ID: frozenset({"external_id"}),
    FilterField.STORE: frozenset(),  # never evaluated here: only the source knows
}
SORT_NEEDS: Mapping[SortField, str] = {
    SortField.CREATED_AT: "created_at",
    SortField.EMAIL: "email",
    SortField.NAME: "full_name",
    SortField.STATUS: "status",
    SortField.CUSTOMER_ID: "numeric_id",
}


_ONE = 1  # `_`: any one character
_RUN = 2  # `%`: any run of characters, the empty one included
LikeToken = str | int


@lru_cache(maxsize=256)
def like_tokens(pattern: str) -> tuple[LikeToken, ...]:
    """An ILIKE pattern, lowercased as PostgreSQL does, as tokens: a character, `_ONE` or `_RUN`
    (a run of `%` is one `_RUN`). Backslash escapes the next character; a last one is itself."""
    tokens: list[LikeToken] = []
    chars = iter(pattern.lower())
    for char in chars:
        if char == "\\":
            tokens.append(next(chars, "\\"))
        elif char == "%":
            if not tokens or tokens[-1] != _RUN:
                tokens.append(_RUN)
        elif char == "_":
            tokens.append(_ONE)
        else:
            tokens.append(char)
    return tuple(tokens)


def ilike(value: str | None, pattern: str) -> bool | None:
    """SQL `value ILIKE pattern`, None for a NULL value.

    Not a regular expression: `%a%a%a…%b` made Python's backtracking regex take exponential time
    (seconds for 17 characters against a 40-character e-mail). This walks the value once per
    `%`, backing up only to the last `%`: at most len(value) × len(pattern) steps.
    """
    if value is None:
        return None
    tokens = like_tokens(pattern)
    text = value.lower()
    t = p = 0
    resume = -1  # the token after the last `%` seen, or -1
    mark = 0  # where in `text` that `%`'s run currently ends
    while t < len(text):
        if p < len(tokens):
            token = tokens[p]
            if token == _RUN:
                p += 1
                resume, mark = p, t
                continue
            if token == _ONE or token == text[t]:
                t += 1
                p += 1
                continue
        if resume < 0:
            return False
        mark += 1  # the last `%` takes one more character, and the rest is tried again
        t, p = mark, resume
    while p < len(tokens) and tokens[p] == _RUN:
        p += 1
    return p == len(tokens)


def _text(value: str | None, condition: Condition, wrap: bool) -> bool:
    op = condition.op
    if value is None:
        return False  # SQL: NULL compared to anything is not true
    if op in (Op.LIKE, Op.NLIKE):
        pattern = f"%{condition.value}%" if wrap else condition.value
        matched = ilike(value, pattern)
        return bool(matched) if op is Op.LIKE else not matched
    if op is Op.EQ:
        return value == condition.value
    if op is Op.NEQ:
        return value != condition.value
    if op is Op.IN:
        return value in condition.values
    if op is Op.NIN:
        return value not in condition.values
    raise ValueError(f"unsupported text operation {op}")


def matches(record: CustomerRecord, condition: Condition) -> bool:
    """Does `record` satisfy `condition`? (A group condition holds this source's group ids.)"""
    field = condition.field
    if field is FilterField.KEYWORD:
        pattern = f"%{condition.value}%"
        return bool(ilike(record.full_name, pattern)) or bool(ilike(record.email, pattern))
    if field is FilterField.EMAIL:
        return _text(record.email, condition, wrap=False)
    if field is FilterField.FULL_NAME:
        return _text(record.full_name, condition, wrap=True)
    if field is FilterField.PHONE:
        phone = normalise_phone(record.phone) if record.phone is not None else None
        values = tuple(normalise_phone(value) for value in condition.values)
        return _text(phone, Condition(condition.field, condition.op, values), wrap=False)
    if field is FilterField.VAT_NUMBER:
        vat = record.vat_number.replace(" ", "").upper() if record.vat_number else None
        values = tuple(value.replace(" ", "").upper() for value in condition.values)
        return _text(vat, Condition(condition.field, condition.op, values), wrap=False)
    if field is FilterField.STATUS:
        member = str(record.status) in condition.values
        return member if condition.op in (Op.EQ, Op.IN) else not member
    if field is FilterField.GROUP:
        member = any(ref.id in condition.values for ref in record.groups)
        return member if condition.op in (Op.EQ, Op.IN) else not member
    if field is FilterField.COMPANY_NAME:
        return _text(record.company_name, condition, wrap=True)
    if field is FilterField.EXTERNAL_ID:
        return _text(record.external_id, condition, wrap=False)
    if field is FilterField.CREATED_AT or field is FilterField.UPDATED_AT:
        moment = record.created_at if field is FilterField.CREATED_AT else record.updated_at
        return moment is not None and _within(moment, condition.op, moment_bound(condition.value))
    raise ValueError(f"unsupported filter field {field}")


@lru_cache(maxsize=256)
def moment_bound(value: str) -> datetime:
    """A time filter's value, as `filters.py` wrote it (ISO 8601, UTC)."""
    return datetime.fromisoformat(value)


def _within(moment: datetime, op: Op, bound: datetime) -> bool:
    if op is Op.GT:
        return moment > bound
    if op is Op.GTEQ:
        return moment >= bound
    if op is Op.LT:
        return moment < bound
    if op is Op.LTEQ:
        return moment <= bound
    raise ValueError(f"unsupported time operation {op}")


def normalise_phone(value: str) -> str:
    """Phones compare without spaces and separators: "+420 601 222 333" is "+420601222333"."""
    return "".join(char for char in value if char.isdigit() or char == "+")


class _Descending:
    """Inverts comparison, so one ascending merge serves both directions."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.value < self.value)

    def __gt__(self, other: _Descending) -> bool:
        return bool(other.value > self.value)

    def __le__(self, other: _Descending) -> bool:
        return bool(other.value <= self.value)

    def __ge__(self, other: _Descending) -> bool:
        return bool(other.value >= self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and bool(self.value == other.value)

    def __hash__(self) -> int:
        return hash(self.value)


def sort_value(
    record: CustomerRecord, field: SortField, collation: str = "en_US"
) -> tuple[int, Any]:
    """(is null, value): nulls sort after every value ascending, before them descending."""
    return _value(field, getattr(record, SORT_NEEDS[field]), collation)


def _value(field: SortField, value: Any, collation: str) -> tuple[int, Any]:
    """`sort_value` of a record that holds `value` in the attribute `field` reads."""
    if field is SortField.CREATED_AT:
        return (1, 0.0) if value is None else (0, value.timestamp())
    if field is SortField.STATUS or field is SortField.CUSTOMER_ID:
        return (0, value)
    return (1, ()) if value is None else (0, collation_key(collation)(value))


def sort_key(sort: Sort, collation: str = "en_US") -> Callable[[CustomerRecord], Any]:
    """Compare records in `sort` order; text in `collation` ("en_US" or "C")."""
    if sort.field is SortField.CREATED_AT:
        # The default order, keyed for every row of a list (windows, ties, the merge): a plain
        # tuple compares in C, where `_Descending` calls Python for each comparison.
        return _newest_first if sort.descending else _oldest_first
    if sort.descending:
        return lambda record: _Descending(sort_value(record, sort.field, collation))
    return lambda record: sort_value(record, sort.field, collation)


def value_key(sort: Sort, collation: str = "en_US") -> Callable[[Any], Any]:
    """`sort_key` of a record from the value it holds in the attribute the sort reads
    (`SORT_NEEDS`): how a merge keys a row it has not mapped (`connectors.rows.Rows.key`)."""
    field = sort.field
    if field is SortField.CREATED_AT:
        return _newest_moment if sort.descending else _oldest_moment
    if sort.descending:
        return lambda value: _Descending(_value(field, value, collation))
    return lambda value: _value(field, value, collation)


def _oldest_first(record: CustomerRecord) -> tuple[int, float]:
    moment = record.created_at
    return (1, 0.0) if moment is None else (0, moment.timestamp())


def _newest_first(record: CustomerRecord) -> tuple[int, float]:
    """`_Descending(sort_value(...))`'s order as a plain tuple: nulls first, then the moment
    negated (a float's negation is exact, so equal moments stay equal)."""
    moment = record.created_at
    return (0, 0.0) if moment is None else (1, -moment.timestamp())


def _oldest_moment(moment: datetime | None) -> tuple[int, float]:
    return (1, 0.0) if moment is None else (0, moment.timestamp())


def _newest_moment(moment: datetime | None) -> tuple[int, float]:
    return (0, 0.0) if moment is None else (1, -moment.timestamp())


def merge_keyed(keys: Sequence[Sequence[Any]]) -> Iterator[tuple[int, int]]:
    """K-way merge of per-source streams given as their rows' sort keys, each stream in sort
    order: (stream, place in it) of each row, in the merged order.

    Only stream heads are compared, so each source's own order (its collation, its tie order)
    is kept; ties between sources go to the earlier stream. Page n of the result is therefore
    exactly what one database holding every source would return, and pages never overlap.
    """
    # (key, stream, place): the last two never tie, so tuples compare without a key function
    # per comparison; zip builds them in C.
    decorated = [
        zip(stream_keys, repeat(stream), count(), strict=False)
        for stream, stream_keys in enumerate(keys)
    ]
    for _, stream, place in heapq.merge(*decorated):
        yield stream, place
