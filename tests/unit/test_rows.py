"""Rows read on demand (`connectors/rows.py`) and a source's window settled by key
(`resolvers/merging.py`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from customer_gateway.connectors.errors import UpstreamBadResponse
from customer_gateway.connectors.models import CustomerQuery, CustomerRecord, Sort, SortField
from customer_gateway.connectors.rows import NOT_READ, NotRead, RowMapper, Rows
from customer_gateway.resolvers.merging import Keyed, settle_ties

T0 = datetime(2025, 1, 1, tzinfo=UTC)


class Counting:
    """A mapping that counts its calls, notes the creation time it was given and refuses rows
    marked bad."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.given: list[datetime | None | NotRead] = []

    def record(self, row: dict[str, Any], created_at: datetime | None | NotRead) -> CustomerRecord:
        self.calls.append(row["id"])
        self.given.append(created_at)
        if row.get("bad"):
            raise UpstreamBadResponse("bad row", source="s")
        at = row["at"] if created_at is NOT_READ else created_at
        return CustomerRecord("s", row["id"], 0, None, None, 1, at)

    @staticmethod
    def key(row: dict[str, Any]) -> tuple[str, Any]:
        return row["id"], row["at"]


ROWS = [{"id": str(n), "at": T0} for n in range(5)]


def test_a_row_is_mapped_when_read_once_and_keyed_without_mapping() -> None:
    mapping = Counting()
    rows = Rows(list(ROWS), mapping.record, mapping.key, SortField.CREATED_AT)
    assert rows.key_list() == [(str(n), T0) for n in range(5)]
    assert rows.key(3) == ("3", T0)
    assert mapping.calls == []
    assert rows[3].id == "3"
    assert rows[3] is rows[3]
    assert mapping.calls == ["3"]
    assert [r.id for r in rows[1:4]] == ["1", "2", "3"]
    assert [r.id for r in rows] == ["0", "1", "2", "3", "4"]
    assert mapping.calls == ["3", "1", "2", "0", "4"]  # each once
    assert len(rows) == 5


def test_a_keyed_row_is_mapped_with_the_creation_time_its_key_read() -> None:
    """A merge keys the rows, then maps the ones it shows: their time is not read again. Rows not
    keyed yet, or keyed by another sort, leave the mapping to read it."""
    mapping = Counting()
    times = [T0.replace(minute=n) for n in range(5)]
    raw = [{"id": str(n), "at": times[n]} for n in range(5)]
    rows = Rows(raw, mapping.record, mapping.key, SortField.CREATED_AT)
    assert rows[0].created_at == times[0]
    assert rows.key_list() == [(str(n), times[n]) for n in range(5)]
    assert [rows[n].created_at for n in (3, 1)] == [times[3], times[1]]
    assert mapping.given == [NOT_READ, times[3], times[1]]
    by_email = Counting()
    other = Rows(raw, by_email.record, lambda row: (row["id"], None), SortField.EMAIL)
    other.key_list()
    assert other[2].created_at == times[2]
    assert by_email.given == [NOT_READ]


def test_a_bad_row_fails_where_it_is_read() -> None:
    mapping = Counting()
    rows = Rows([*ROWS, {"id": "5", "at": T0, "bad": True}], mapping.record, mapping.key,
                SortField.CREATED_AT)  # fmt: skip
    assert rows[0].id == "0"
    with pytest.raises(UpstreamBadResponse):
        rows[5]
    with pytest.raises(UpstreamBadResponse):
        list(rows)


@pytest.mark.parametrize(
    ("lazy", "field", "deferred"),
    [
        (True, SortField.CREATED_AT, True),
        (False, SortField.CREATED_AT, False),  # not asked: mapped as the pages arrive
        (True, SortField.EMAIL, False),  # no key for this sort
    ],
)
def test_rows_are_deferred_only_when_asked_and_keyed(
    lazy: bool, field: SortField, deferred: bool
) -> None:
    mapping = Counting()
    query = CustomerQuery(sort=Sort(field), lazy_rows=lazy)
    rows = RowMapper.of(query, mapping.record, {SortField.CREATED_AT: mapping.key})
    kept = rows.kept(list(ROWS))
    assert (mapping.calls == []) is deferred
    items = rows.items(kept[1:])
    assert isinstance(items, Rows) is deferred
    assert [r.id for r in items] == ["1", "2", "3", "4"]


def test_an_eager_page_refuses_a_bad_row_when_it_arrives() -> None:
    mapping = Counting()
    rows = RowMapper.of(CustomerQuery(), mapping.record, {SortField.CREATED_AT: mapping.key})
    with pytest.raises(UpstreamBadResponse):
        rows.kept([*ROWS, {"id": "5", "at": T0, "bad": True}])


def test_ties_are_settled_by_native_id_and_distinct_keys_keep_their_order() -> None:
    keyed = Keyed([1, 2, 2, 2, 3, 4, 4], ["z", "10", "9", "a", "b", "y", "x"])
    keys, order = settle_ties(keyed, 6)  # the 7th is the row after the window
    assert keys == [1, 2, 2, 2, 3, 4]
    assert order == [0, 2, 1, 3, 4, 5]  # 9 before 10 (numbers), numbers before text
    assert settle_ties(Keyed([1, 2, 3], ["c", "b", "a"]), 3) == ([1, 2, 3], None)
    assert settle_ties(Keyed([], []), 0) == ([], None)


def test_ties_are_settled_within_chunks_when_the_source_pages_by_a_cap() -> None:
    # A chunk of 4: the group of 2s straddles position 4. Each part is settled within its
    # chunk; the source's split of the members between the chunks stays.
    keyed = Keyed([1, 2, 2, 2, 2, 2, 3, 3], ["a", "9", "5", "7", "3", "1", "y", "x"])
    keys, order = settle_ties(keyed, 8, chunk=4)
    assert keys == [1, 2, 2, 2, 2, 2, 3, 3]
    assert order == [0, 2, 3, 1, 5, 4, 7, 6]  # 5 7 9 | 1 3, then x y
    # Without chunks (a source without a cap): the whole group by native id.
    assert settle_ties(keyed, 8)[1] == [0, 5, 4, 2, 3, 1, 7, 6]
    # The first chunk alone (a window of 4) settles it as the window of 8 does.
    assert settle_ties(keyed, 4, chunk=4)[1] == [0, 2, 3, 1]


def test_a_tie_group_over_several_chunks_is_settled_in_each() -> None:
    ids = ["9", "8", "7", "6", "5", "4", "3"]
    keys, order = settle_ties(Keyed([5] * 7, ids), 7, chunk=3)
    assert keys == [5] * 7
    assert order == [2, 1, 0, 5, 4, 3, 6]  # 7 8 9 | 4 5 6 | 3
    # A group that ends at a chunk's end, and one that starts at the next.
    assert settle_ties(Keyed([1, 1, 2, 2], ["b", "a", "d", "c"]), 4, chunk=2)[1] == [1, 0, 3, 2]
    # A group of one row each side of the boundary: two single rows, nothing to settle.
    assert settle_ties(Keyed([1, 2, 2, 3], ["a", "z", "b", "c"]), 4, chunk=2) == (
        [1, 2, 2, 3],
        None,
    )
