"""The SQLite store's reader threads (`mirror/threaded.py`): every read sees what the writer
committed before it began, reads go on while a write transaction is open (WAL), a reader
cannot write, and closing the store lets the reads under way finish."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from customer_gateway.connectors.models import Sort, SortField
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.store import SqlMirrorStore, open_store, sqlite_url
from tests.mirror.test_store import EN_US, _records

pytestmark = pytest.mark.anyio

BY_NAME = Sort(SortField.NAME, False)


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> SqlMirrorStore:
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    assert store.reader is not None
    return store


async def test_each_read_sees_every_write_committed_before_it(sqlite_store: SqlMirrorStore) -> None:
    store = sqlite_store
    records = _records("shop-a", 120, 7)
    selection = [SourceSelection("shop-a")]
    try:
        for written in range(0, len(records), 10):
            async with store.writing() as writer:
                await writer.upsert_customers(
                    records[written : written + 10], rank=0, pass_no=1, text_key=EN_US
                )
            # Several reads at once, on every reader thread's connection.
            pages = await asyncio.gather(
                *(store.query_page(selection, BY_NAME, 0, 5) for _ in range(8))
            )
            assert {page.total for page in pages} == {written + 10}
            found = await store.get_customers("shop-a", [r.id for r in records[: written + 10]])
            assert all(record is not None for record in found)
        async with store.writing() as writer:
            await writer.delete_customers("shop-a", [r.id for r in records[:30]])
        assert (await store.query_page(selection, BY_NAME, 0, 5)).total == len(records) - 30
        assert await store.get_customers("shop-a", [records[0].id]) == [None]
    finally:
        await store.close()


async def test_reads_go_on_while_a_write_is_open_and_see_only_what_was_committed(
    sqlite_store: SqlMirrorStore,
) -> None:
    store = sqlite_store
    records = _records("shop-a", 40, 8)
    selection = [SourceSelection("shop-a")]
    try:
        async with store.writing() as writer:
            await writer.upsert_customers(records[:20], rank=0, pass_no=1, text_key=EN_US)
            async with asyncio.timeout(5):  # not behind the writer's lock
                assert (await store.query_page(selection, BY_NAME, 0, 5)).total == 0
            await writer.upsert_customers(records[20:], rank=0, pass_no=1, text_key=EN_US)
        assert (await store.query_page(selection, BY_NAME, 0, 5)).total == len(records)
    finally:
        await store.close()


async def test_a_reader_cannot_write(sqlite_store: SqlMirrorStore) -> None:
    store = sqlite_store
    assert store.reader is not None
    try:

        def write(connection: sa.Connection) -> None:
            connection.execute(sa.text("DELETE FROM mirror_sync"))

        with pytest.raises(sa.exc.OperationalError) as raised:
            await store.reader.run(write)
        assert isinstance(raised.value.orig, sqlite3.OperationalError)
        assert "readonly" in str(raised.value.orig).replace("-", "").replace(" ", "")
    finally:
        await store.close()


async def test_closing_lets_the_reads_under_way_finish(sqlite_store: SqlMirrorStore) -> None:
    store = sqlite_store
    async with store.writing() as writer:
        await writer.upsert_customers(_records("shop-a", 50, 9), rank=0, pass_no=1, text_key=EN_US)
    selection = [SourceSelection("shop-a")]
    reads = [asyncio.create_task(store.query_page(selection, BY_NAME, 0, 5)) for _ in range(8)]
    await asyncio.sleep(0)
    await store.close()
    assert {(await read).total for read in reads} == {50}
