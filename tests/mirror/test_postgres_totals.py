"""PostgreSQL keeps a counted total as its sources' parts, each while its source's version
stays (migration 0009, `memo.VersionedTotals`): a repeated grid request counts nothing; a commit
that changes nothing a total counts leaves it; a counted change in a source, by any connection,
counts that source's part again and no other; and a source emptied and filled again never
returns to a version a part was kept at. The search box within a group walks the group's
members where that total says the walk is short."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from customer_gateway.connectors.models import (
    Condition,
    FilterField,
    GroupRecord,
    Op,
    Sort,
    SortField,
)
from customer_gateway.mirror import page
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.store import SyncState, open_store, postgres_url
from tests.mirror.conftest import fresh_store
from tests.mirror.test_store import EN_US, _filled, _oracle, _statements_on

pytestmark = pytest.mark.anyio

KEYWORD = Condition(FilterField.KEYWORD, Op.EQ, ("ann",))
STATUS = Condition(FilterField.STATUS, Op.EQ, ("1",))
SORT = Sort(SortField.CREATED_AT, True)


def _is_count(statement: str) -> bool:
    return "count(*)" in statement.lower() and "mirror_customers" in statement


async def test_a_total_is_kept_until_its_sources_change_on_postgres(
    postgres_database: str,
) -> None:
    url = postgres_url(postgres_database)
    store = await fresh_store(url)
    other = open_store(url)
    executed, record = _statements_on(store.engine.sync_engine)
    try:
        sources = await _filled(store)
        both = [SourceSelection(source, (KEYWORD, STATUS)) for source in sources]
        only_a = [SourceSelection("shop-a", (KEYWORD, STATUS))]

        def counts() -> int:
            return sum(_is_count(statement) for statement in executed)

        async def totals() -> tuple[int, int]:
            return (await store.query(both, SORT, 0, 5))[1], (
                await store.query(only_a, SORT, 0, 5)
            )[1]

        first = await totals()
        assert first == (
            len(_oracle(sources, [KEYWORD, STATUS], SORT)),
            len(_oracle({"shop-a": sources["shop-a"]}, [KEYWORD, STATUS], SORT)),
        )
        assert first[0] > first[1] > 0
        assert counts() == 2  # shop-a's part and shop-b's; shop-a's alone is the same part
        assert await totals() == first
        assert counts() == 2, "a total counted again although nothing changed"

        # Commits that change nothing a total counts: a sync step's state, pass marks, the
        # group list again, the same record upserted again, another source's place.
        record_a = sources["shop-a"][0]
        async with other.writing() as writer:
            await writer.save_state(SyncState("shop-a", "shoptet", phase="following"))
            await writer.mark_seen("shop-a", [record_a.id], 2)
            await writer.replace_groups(
                "shop-a", [GroupRecord(source="shop-a", id="1", numeric_id=1, name="Again")]
            )
            await writer.upsert_customers([record_a], rank=0, pass_no=2, text_key=EN_US)
        await other.set_rank("shop-b", 5)
        assert await totals() == first
        assert counts() == 2, "a total counted again after commits that changed no count"

        # A counted change in shop-b: shop-b's part is counted again, shop-a's is kept.
        matching_b = next(
            r for r in sources["shop-b"] if r.status == 1 and "ann" in (r.full_name or "").lower()
        )
        async with other.writing() as writer:
            await writer.upsert_customers(
                [replace(matching_b, status=0)], rank=1, pass_no=2, text_key=EN_US
            )
        assert await totals() == (first[0] - 1, first[1])
        assert counts() == 3

        # Written in place by another connection (no `doc` change): counted again too.
        async with other.engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "UPDATE mirror_customers SET status = 0 WHERE source = 'shop-a' AND "
                    "native_id = (SELECT min(native_id) FROM mirror_customers WHERE "
                    "source = 'shop-a' AND status = 1 AND name_fold LIKE '%ann%')"
                )
            )
        assert await totals() == (first[0] - 2, first[1] - 1)
        assert counts() == 4

        # Emptied and filled again with the same rows: new versions, counted again (a total
        # kept at the versions before must not come back).
        before_purge = counts()
        await other.purge("shop-a")
        async with other.writing() as writer:
            await writer.upsert_customers(sources["shop-a"], rank=0, pass_no=3, text_key=EN_US)
        assert await totals() == (first[0] - 1, first[1])
        # shop-a's part: its log read (the deletes left no entries), then counted again.
        assert counts() == before_purge + 2
    finally:
        sa.event.remove(store.engine.sync_engine, "before_cursor_execute", record)
        await other.close()
        await store.close()


@pytest.mark.parametrize("walk_rows", [4000, 0])
@pytest.mark.parametrize("descending", [True, False])
async def test_a_keyword_within_a_group_walks_the_members_on_postgres(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch, walk_rows: int, descending: bool
) -> None:
    """The search box within one group, in creation order: where its kept total says the walk
    reads few rows, the group's members are walked on the membership index and the pattern
    tested on each one's row; else PostgreSQL plans the page. Every page is the oracle's."""
    monkeypatch.setattr(page, "MEMBERS_WALK_ROWS", walk_rows)
    store = await fresh_store(postgres_url(postgres_database))
    executed, record = _statements_on(store.engine.sync_engine)
    try:
        sources = await _filled(store)
        conditions = (KEYWORD, Condition(FilterField.GROUP, Op.EQ, ("1",)))
        selection = [SourceSelection(source, conditions) for source in sources]
        sort = Sort(SortField.CREATED_AT, descending)
        expected = _oracle(sources, list(conditions), sort)
        assert len(expected) > 6
        for offset in (0, 3, 6):
            records, total = await store.query(selection, sort, offset, 3)
            assert [(r.source, r.id) for r in records] == expected[offset : offset + 3]
            assert total == len(expected)
        rows = [s for s in executed if "found.doc" in s]
        assert len(rows) == 3
        walked = walk_rows > 0
        assert all(("mirror_memberships.created_key" in s) is walked for s in rows)
    finally:
        sa.event.remove(store.engine.sync_engine, "before_cursor_execute", record)
        await store.close()
