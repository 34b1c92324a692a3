"""A list page's rows mapped to records only when read (`CustomerQuery.lazy_rows`).

A merged list over several sources orders every row each source sends and shows only a page of
them: the fan-out row of bench/README.md reads 4 × 50 rows and shows 50. Mapping a row (the
checked reads, dates, names, groups, the frozen record) costs far more than reading the two values
the merge orders it by. A connector that can read a row's native id and its sort value without
mapping the rest (`RowKeys`) gives such a caller `Rows`: the merge orders by `Rows.key`, and a row
becomes its record when it is read (`rows[i]`), once. A connector without a key for the query's
sort, and every caller that does not ask, get the records mapped as before (`RowMapper`).

A row's mapping error (`UpstreamBadResponse`) then surfaces where the row is read, not when the
page is listed: the caller reports it as the source's failure (resolvers/merging.py). A key must
be what the record holds: `Rows.key(i) == (rows[i].id, <the attribute the sort reads>)`
(tests/contract checks every kind).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Final, overload

from customer_gateway.connectors.models import CustomerQuery, CustomerRecord, SortField

# A raw row -> (its native id, the value its record holds in the attribute the sort reads:
# created_at, email, full_name, status or numeric_id). Raises what the mapping would for them.
RowKey = Callable[[Any], tuple[str, Any]]
# A connector's keys, by the sort they order: the sorts it can key without mapping a row.
RowKeys = Mapping[SortField, RowKey]


class NotRead(Enum):
    """A mapping's `created_at` argument when no key read the row's creation time."""

    NOT_READ = "not read"


NOT_READ: Final = NotRead.NOT_READ
# A raw row -> its record, given the creation time its `CREATED_AT` key read (NOT_READ: none
# did, the mapping reads it). A merged page's shown rows were keyed first: reading the time
# again cost a shown EverShop row ~7,000 instructions. The record is the one the mapping makes
# without it (tests/contract), as the key holds what the record holds.
MapRow = Callable[[Any, datetime | None | NotRead], CustomerRecord]


class Rows(Sequence[CustomerRecord]):
    """A page's rows as the source sent them; `rows[i]` maps row i (once), `key(i)` does not."""

    __slots__ = ("_created", "_key", "_map", "_raw", "_records", "sort_field")

    def __init__(self, raw: list[Any], map_row: MapRow, key: RowKey, sort_field: SortField) -> None:
        self._raw = raw
        self._map = map_row
        self._key = key
        self._records: list[CustomerRecord | None] = [None] * len(raw)
        self.sort_field = sort_field  # the sort `key` reads the value of
        # `key_list`'s keys when they are (native id, creation time): each row's time for its
        # mapping. None: not keyed, or keyed by another sort.
        self._created: list[tuple[str, Any]] | None = None

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> CustomerRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[CustomerRecord]: ...

    def __getitem__(self, index: int | slice) -> CustomerRecord | list[CustomerRecord]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._raw)))]
        record = self._records[index]
        if record is None:
            created = self._created
            record = self._records[index] = self._map(
                self._raw[index], NOT_READ if created is None else created[index][1]
            )
        return record

    def __iter__(self) -> Iterator[CustomerRecord]:
        for index in range(len(self._raw)):
            yield self[index]

    def key(self, index: int) -> tuple[str, Any]:
        """Row `index`'s native id and sort value, without mapping the row."""
        return self._key(self._raw[index])

    def key_list(self) -> list[tuple[str, Any]]:
        """Every row's `key`, in order (a creation time is kept for the row's mapping)."""
        key = self._key
        keys = [key(row) for row in self._raw]
        if self.sort_field is SortField.CREATED_AT:
            self._created = keys  # the caller reads them, never changes them
        return keys


@dataclass(frozen=True, slots=True)
class RowMapper:
    """How one list query's rows become its page's items: mapped as each upstream page arrives
    (`kept`), or kept raw and mapped when read (`key` set: `lazy_rows` asked and the connector
    keys the query's sort)."""

    map_row: MapRow
    key: RowKey | None
    sort_field: SortField

    @classmethod
    def of(cls, query: CustomerQuery, map_row: MapRow, keys: RowKeys) -> RowMapper:
        key = keys.get(query.sort.field) if query.lazy_rows else None
        return cls(map_row, key, query.sort.field)

    def kept(self, raw: list[Any]) -> list[Any]:
        """What to keep of an upstream page: its rows, or their records (mapped, and so checked,
        now: a bad row fails the list as it always did)."""
        if self.key is not None:
            return raw
        map_row = self.map_row
        return [map_row(row, NOT_READ) for row in raw]

    def items(self, kept: list[Any]) -> Sequence[CustomerRecord]:
        """The page's items from what `kept` kept (sliced and joined as the connector pages)."""
        if self.key is None:
            return kept
        return Rows(kept, self.map_row, self.key, self.sort_field)
