"""A first load into an empty SQLite store sets its secondary indexes and search triggers aside
(`mirror/bulk.py`): afterwards the schema is the migrations' again and every filter, sort, count
and search answers as for rows written one by one; a load cut short is restored when the store
is migrated. PostgreSQL keeps its indexes (the same answers, nothing set aside)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from customer_gateway.connectors.models import Condition, FilterField, GroupRef, Op, Sort, SortField
from customer_gateway.mirror import bulk
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.store import SqlMirrorStore, SyncState, open_store, sqlite_url
from tests.mirror.test_store import CONDITIONS, EN_US, SORTS, _oracle, _records

pytestmark = pytest.mark.anyio


async def _schema(store: SqlMirrorStore) -> set[tuple[str, str, str]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        )
        return {(kind, name, sql) for kind, name, sql in rows}


async def _search_index_is_whole(store: SqlMirrorStore) -> None:
    """FTS5's own check: the index holds exactly the content table's rows (raises if not)."""
    async with store.engine.begin() as connection:
        await connection.exec_driver_sql(
            "INSERT INTO mirror_customers_fts(mirror_customers_fts, rank) "
            "VALUES ('integrity-check', 1)"
        )


async def test_a_bulk_load_answers_as_rows_written_one_by_one(store: SqlMirrorStore) -> None:
    sqlite = store.backend == "sqlite"
    before = await _schema(store) if sqlite else set()
    assert await store.bulk_load() is sqlite
    if sqlite:
        names = {name for _, name, _ in await _schema(store)}
        # The loaded tables' indexes (the change logs' stay: their triggers are set aside).
        assert not any(
            name.startswith(("ix_mirror_customers", "ix_mirror_memberships")) for name in names
        )
        assert not names & set(bulk.FTS_TRIGGERS + bulk.CONTENT_TRIGGERS)
    sources = {"shop-a": _records("shop-a", 160, 1), "shop-b": _records("shop-b", 90, 2)}
    for rank, records in enumerate(sources.values()):
        async with store.writing() as writer:
            await writer.upsert_customers(records, rank=rank, pass_no=1, text_key=EN_US)
    # Rewrites and deletions while set aside (a resumed page, a webhook's re-read).
    changed = [
        replace(record, full_name=f"Ann Changed {index}", status=1 - record.status, groups=())
        for index, record in enumerate(sources["shop-a"][:30])
    ]
    async with store.writing() as writer:
        await writer.upsert_customers(changed, rank=0, pass_no=1, text_key=EN_US)
        await writer.delete_customers("shop-b", [record.id for record in sources["shop-b"][:20]])
    sources = {"shop-a": changed + sources["shop-a"][30:], "shop-b": sources["shop-b"][20:]}
    # Counts are kept meanwhile (a load's progress).
    assert await store.count("shop-a") == len(sources["shop-a"])
    await store.end_bulk_load()
    if sqlite:
        assert await _schema(store) == before
        await _search_index_is_whole(store)
    for name, records in sources.items():
        assert await store.count(name) == len(records)
    selection = [SourceSelection(source) for source in sources]
    for sort in SORTS:
        records, total = await store.query(selection, sort, 0, None)
        assert [(r.source, r.id) for r in records] == _oracle(sources, [], sort), sort
        assert total == len(records)
    by_name = Sort(SortField.NAME, False)
    for condition in CONDITIONS:
        conditions: list[Condition] = [condition]
        expected = _oracle(sources, conditions, by_name)
        selection = [SourceSelection(source, (condition,)) for source in sources]
        records, total = await store.query(selection, by_name, 0, None)
        assert [(r.source, r.id) for r in records] == expected, condition
        assert total == len(expected), condition
    # Written after the load: kept by the restored indexes and triggers as before.
    later = [replace(sources["shop-b"][0], full_name="Zelda Later", groups=(GroupRef("1"),))]
    async with store.writing() as writer:
        await writer.upsert_customers(later, rank=1, pass_no=2, text_key=EN_US)
    keyword = [
        SourceSelection("shop-b", (Condition(FilterField.KEYWORD, Op.EQ, ("zelda later",)),))
    ]
    records, total = await store.query(keyword, by_name, 0, None)
    assert [r.id for r in records] == [later[0].id]
    assert total == 1
    if sqlite:
        await _search_index_is_whole(store)


async def test_only_an_empty_store_serving_no_source_sets_aside(store: SqlMirrorStore) -> None:
    if store.backend != "sqlite":
        assert await store.bulk_load() is False  # replicas share it: its indexes stay
        return
    serving = SyncState("empty-shop", "shoptet", "following", loaded_at=time.time())
    async with store.writing() as writer:  # a source served from the store, with no customer
        await writer.save_state(serving)
    assert await store.bulk_load() is False
    await store.purge("empty-shop")
    async with store.writing() as writer:
        await writer.upsert_customers(_records("shop-a", 1, 1), rank=0, pass_no=1, text_key=EN_US)
    assert await store.bulk_load() is False
    await store.purge("shop-a")
    assert await store.bulk_load() is True
    assert await store.bulk_load() is True  # a second source's load: already set aside
    await store.end_bulk_load()
    await store.end_bulk_load()  # nothing set aside: nothing to do


async def test_a_bulk_load_cut_short_is_restored_when_the_store_is_migrated(
    tmp_path: Path,
) -> None:
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    before = await _schema(store)
    assert await store.bulk_load()
    records = _records("shop-a", 120, 3)
    async with store.writing() as writer:
        await writer.upsert_customers(records, rank=0, pass_no=1, text_key=EN_US)
    await store.close()  # the process dies mid-load
    again = open_store(sqlite_url(tmp_path))
    try:
        await again.migrate()  # the next process
        assert await _schema(again) == before
        await _search_index_is_whole(again)
        assert await again.count("shop-a") == len(records)
        await again.migrate()  # nothing left to restore
        assert await _schema(again) == before
    finally:
        await again.close()


async def test_two_processes_two_sources_one_ending_while_the_other_loads(
    tmp_path: Path,
) -> None:
    """Two processes over one file, each loading a source: the second process's migration
    restores what the first set aside while both still write; the first source's end restores
    nothing more, the second's neither; every row is then in the indexes and the search index,
    and a keyword finds both sources' rows (the grid's plans among them)."""
    first = open_store(sqlite_url(tmp_path))
    await first.migrate()
    before = await _schema(first)
    assert await first.bulk_load()
    second = open_store(sqlite_url(tmp_path))
    try:
        records_a = _records("shop-a", 150, 4)
        records_b = _records("shop-b", 150, 5)
        async with first.writing() as writer:
            await writer.upsert_customers(records_a[:50], rank=0, pass_no=1, text_key=EN_US)
        await second.migrate()  # another process starts meanwhile: its migration restores
        assert await _schema(second) == before
        assert await second.bulk_load() is False  # rows in the store: nothing set aside
        async with second.writing() as writer:
            await writer.upsert_customers(records_b[:70], rank=1, pass_no=1, text_key=EN_US)
        async with first.writing() as writer:
            await writer.upsert_customers(records_a[50:], rank=0, pass_no=1, text_key=EN_US)
        await first.end_bulk_load()  # the first source's load ends, the second still loads
        async with second.writing() as writer:
            await writer.upsert_customers(records_b[70:], rank=1, pass_no=1, text_key=EN_US)
        await second.end_bulk_load()
        assert await _schema(first) == before
        await _search_index_is_whole(first)
        sources = {"shop-a": records_a, "shop-b": records_b}
        by_name = Sort(SortField.NAME, False)
        for condition in CONDITIONS:
            expected = _oracle(sources, [condition], by_name)
            selection = [SourceSelection(source, (condition,)) for source in sources]
            for store in (first, second):
                found = await store.query_page(selection, by_name, 0, 10, ())
                assert [(r.source, r.id) for r in found.records] == expected[:10], condition
                assert found.total == len(expected), condition
    finally:
        await second.close()
        await first.close()
