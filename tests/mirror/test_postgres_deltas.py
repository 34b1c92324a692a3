"""PostgreSQL moves a kept part of a total by its source's change log (migration 0010,
`deltas.postgres_delta`, `memo.VersionedTotals`): after any mix of inserts, updates of every
counted column (group memberships included), deletes and re-inserts written by other
connections, every total equals the gateway's own evaluation of the rows and was moved by the
log (one statement a part), not counted again, but where a source lost a customer (a deleted
customer leaves nothing in the log: that source's parts are counted again). Writers of one source racing over their own
connections number its changes without a gap and in commit order, so a reader that keeps parts
while they commit ends at the right totals. More changes than the log keeps are counted again."""

from __future__ import annotations

import asyncio
import importlib
import os
import random
import secrets
from dataclasses import replace

import pytest
import sqlalchemy as sa

from customer_gateway.connectors.models import CustomerRecord
from customer_gateway.mirror import deltas
from customer_gateway.mirror.store import SqlMirrorStore, open_store, postgres_url
from tests.mirror.conftest import PG_SERVER, _admin, fresh_store
from tests.mirror.test_kept_totals import SHAPES, SORT, _changed, _expected, _selection
from tests.mirror.test_store import EN_US, _filled, _records, _statements_on

pytestmark = pytest.mark.anyio

_MIGRATION = importlib.import_module(
    "customer_gateway.mirror.migrations.versions.0010_postgres_change_log"
)


def _recounted(executed: list[str]) -> list[str]:
    """Statements that counted customer rows (not a move by the log, not the kept counts)."""
    return [
        s
        for s in executed
        if "count(" in s.lower() and "FROM mirror_customers" in s and "mirror_change_log" not in s
    ]


async def _totals(store: SqlMirrorStore) -> list[int]:
    return [(await store.query(_selection(parts), SORT, 0, 5))[1] for _, parts, _ in SHAPES]


def _parts() -> int:
    """Distinct kept parts of the shapes (a part shared by two shapes is kept once)."""
    return len({(source, conditions) for _, parts, _ in SHAPES for source, conditions in parts})


async def test_kept_parts_follow_every_kind_of_change_on_postgres(postgres_database: str) -> None:
    url = postgres_url(postgres_database)
    store = await fresh_store(url)
    other = open_store(url)
    rng = random.Random(10)
    executed, record = _statements_on(store.engine.sync_engine)
    try:
        sources = await _filled(store)
        assert await _totals(store) == [_expected(sources, parts) for _, parts, _ in SHAPES]
        deleted: list[CustomerRecord] = []
        moved_total = 0
        for round_no in range(12):
            executed.clear()
            touched: set[str] = set()
            removed: set[str] = set()  # a delete leaves no entry: the source's parts recount
            async with other.writing() as writer:
                for _ in range(rng.randrange(1, 6)):
                    name = rng.choice(("shop-a", "shop-b"))
                    rows = sources[name]
                    kind = rng.random()
                    if kind < 0.55:
                        at = rng.randrange(len(rows))
                        rows[at] = _changed(rng, rows[at], round_no)
                        if rng.random() < 0.3:  # the same row twice: its first entry counts
                            rows[at] = _changed(rng, rows[at], round_no + 100)
                        await writer.upsert_customers(
                            [rows[at]], rank=0 if name == "shop-a" else 1, pass_no=1, text_key=EN_US
                        )
                    elif kind < 0.8 or not deleted:
                        gone = rows.pop(rng.randrange(len(rows)))
                        deleted.append(gone)
                        removed.add(name)
                        await writer.delete_customers(name, [gone.id])
                    else:
                        back = _changed(rng, deleted.pop(), round_no)
                        name = back.source
                        sources[name].append(back)
                        await writer.upsert_customers(
                            [back], rank=0 if name == "shop-a" else 1, pass_no=1, text_key=EN_US
                        )
                    touched.add(name)
            totals = await _totals(store)
            assert totals == [_expected(sources, parts) for _, parts, _ in SHAPES], round_no
            moved = [s for s in executed if "mirror_change_log" in s]

            # One statement for each kept part of a source that changed, none for the others;
            # counted again only the parts of a source that lost a customer.
            def parts_of(names: set[str]) -> int:
                return len(
                    {
                        (source, conditions)
                        for _, parts, _ in SHAPES
                        for source, conditions in parts
                        if source in names
                    }
                )

            assert len(moved) == parts_of(touched), round_no
            assert len(_recounted(executed)) == parts_of(removed), round_no
            moved_total += parts_of(touched - removed)
        assert moved_total > _parts()
    finally:
        sa.event.remove(store.engine.sync_engine, "before_cursor_execute", record)
        await other.close()
        await store.close()


async def test_a_row_changed_twice_counts_as_it_was_before_the_first_change_on_postgres(
    postgres_database: str,
) -> None:
    """Between two reads a matching row stops matching and matches again, a new row comes and
    goes, a deleted row comes back changed (each its own transaction): the part moves by what
    each row was before its first change and is now."""
    url = postgres_url(postgres_database)
    store = await fresh_store(url)
    other = open_store(url)
    try:
        sources = await _filled(store)
        parts = SHAPES[0][1]
        before = (await store.query(_selection(parts), SORT, 0, 5))[1]
        assert before == _expected(sources, parts)
        rows = sources["shop-a"]
        at = next(i for i, r in enumerate(rows) if r.full_name and "Nov" in r.full_name)
        gone = next(i for i, r in enumerate(rows) if not _expected({"shop-a": [r]}, parts[:1]))
        fresh = replace(rows[0], id="new-1", full_name="Nováková Nová", email=None)
        for name in ("Kim Lee", "Novotný Jan"):
            rows[at] = replace(rows[at], full_name=name)
            async with other.writing() as writer:
                await writer.upsert_customers([rows[at]], rank=0, pass_no=1, text_key=EN_US)
        async with other.writing() as writer:
            await writer.upsert_customers([fresh], rank=0, pass_no=1, text_key=EN_US)
        async with other.writing() as writer:
            await writer.delete_customers("shop-a", [fresh.id])
            await writer.delete_customers("shop-a", [rows[gone].id])
        rows[gone] = replace(rows[gone], full_name="Ivan Novák")
        async with other.writing() as writer:
            await writer.upsert_customers([rows[gone]], rank=0, pass_no=1, text_key=EN_US)
        after = (await store.query(_selection(parts), SORT, 0, 5))[1]
        assert after == _expected(sources, parts) == before + 1
    finally:
        await other.close()
        await store.close()


async def test_racing_writers_number_a_sources_changes_in_commit_order_on_postgres(
    postgres_database: str,
) -> None:
    """Four writers, each over its own connection, change rows of one source in overlapping
    transactions (each holds its transaction open a while after its changes) while a reader
    keeps and moves its parts after every commit it can see. The source's change numbers have
    no gap, and the reader's totals end where a fresh count does."""
    url = postgres_url(postgres_database)
    store = await fresh_store(url)
    writers = [open_store(url) for _ in range(4)]
    rng = random.Random(14)
    try:
        sources = await _filled(store)
        await _totals(store)
        rows = sources["shop-a"]
        # Each writer its own rows (no row lock between them: only the source's count row).
        shares = [rows[index::4] for index in range(4)]
        plans = [
            [[_changed(rng, r, step) for r in rng.sample(share, 3)] for step in range(6)]
            for share in shares
        ]
        reads = 0
        done = asyncio.Event()

        async def write(writer: SqlMirrorStore, plan: list[list[CustomerRecord]]) -> None:
            for changed in plan:
                async with writer.writing() as transaction:
                    await transaction.upsert_customers(changed, rank=0, pass_no=1, text_key=EN_US)
                    await asyncio.sleep(0.02 + rng.random() * 0.04)
                for record in changed:
                    rows[next(i for i, r in enumerate(rows) if r.id == record.id)] = record

        async def read() -> None:
            nonlocal reads
            while not done.is_set():
                await _totals(store)
                reads += 1

        reader = asyncio.create_task(read())
        await asyncio.gather(*(write(w, plan) for w, plan in zip(writers, plans, strict=True)))
        done.set()
        await reader
        assert reads >= 3
        assert await _totals(store) == [_expected(sources, parts) for _, parts, _ in SHAPES]
        async with store.engine.connect() as connection:
            numbers = (
                await connection.scalars(
                    sa.text(
                        "SELECT change FROM mirror_change_log WHERE source = 'shop-a' "
                        "ORDER BY change"
                    )
                )
            ).all()
            current = await connection.scalar(
                sa.text("SELECT changes FROM mirror_counts WHERE source = 'shop-a'")
            )
        assert numbers == list(range(int(current) - len(numbers) + 1, int(current) + 1))
    finally:
        for writer in writers:
            await writer.close()
        await store.close()


async def test_more_changes_than_the_log_keeps_are_counted_again_on_postgres(
    postgres_database: str,
) -> None:
    url = postgres_url(postgres_database)
    store = await fresh_store(url)
    other = open_store(url)
    try:
        sources = await _filled(store)
        parts = SHAPES[1][1]
        assert (await store.query(_selection(parts), SORT, 0, 5))[1] == _expected(sources, parts)
        rows = sources["shop-a"]
        for index in range(deltas.LOG_ROWS // len(rows) + 2):
            rows[:] = [
                replace(r, full_name=f"Nov {index} {i}" if i % 2 else f"Kim {index}")
                for i, r in enumerate(rows)
            ]
            async with other.writing() as writer:
                await writer.upsert_customers(rows, rank=0, pass_no=1, text_key=EN_US)
        executed, record = _statements_on(store.engine.sync_engine)
        try:
            total = (await store.query(_selection(parts), SORT, 0, 5))[1]
        finally:
            sa.event.remove(store.engine.sync_engine, "before_cursor_execute", record)
        assert total == _expected(sources, parts)
        assert not [s for s in executed if "mirror_change_log" in s], "moved past the log"
        assert len(_recounted(executed)) == 1
        async with store.engine.connect() as connection:
            kept = await connection.scalar(
                sa.text("SELECT count(*) FROM mirror_change_log WHERE source = 'shop-a'")
            )
        assert kept == deltas.LOG_ROWS, "the log is not bounded"
    finally:
        await other.close()
        await store.close()


def test_the_change_log_holds_what_every_condition_reads() -> None:
    """Migration 0010 logs the columns SQLite's log does (every column a condition reads) and
    keeps the changes the reader expects."""
    sqlite_log = importlib.import_module(
        "customer_gateway.mirror.migrations.versions.0006_content_log"
    )
    assert set(_MIGRATION._LOGGED) | {"source", "native_id"} == set(sqlite_log.LOGGED_COLUMNS)
    assert _MIGRATION.LOG_ROWS == deltas.LOG_ROWS


async def test_a_load_prunes_the_log_on_its_key_on_postgres() -> None:
    """Each counted change drops the entry `LOG_ROWS` numbers back, by (source, change): one
    index entry read however big the log has grown, on a database whose log was never
    analysed (the triggers' plans are made while it is empty). The log's row index (native
    id, source) is for a delete's entries only; a prune through it read the source's whole
    log, and a 1,000,000-customer load slowed to 133 rows a second."""
    name = f"gateway_prune_test_{os.getpid()}_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}"')
    store = open_store(postgres_url(f"{PG_SERVER}/{name}"))
    try:
        await store.migrate()
        records = _records("shop-a", 3000, 5)
        for start in range(0, len(records), 500):
            async with store.writing() as writer:
                await writer.upsert_customers(
                    records[start : start + 500], rank=0, pass_no=1, text_key=EN_US
                )
        async with store.engine.connect() as connection:
            written = int(
                await connection.scalar(sa.text("SELECT sum(customers) FROM mirror_counts"))
            )
        # The writers' backends report their counters when they end (or within seconds).
        await store.close()
        statistics = sa.text(
            "SELECT indexrelname, idx_scan, idx_tup_read FROM pg_stat_user_indexes "
            "WHERE relname = 'mirror_change_log'"
        )
        store = open_store(postgres_url(f"{PG_SERVER}/{name}"))
        async with store.engine.connect() as connection:
            for _ in range(200):
                await connection.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
                used = {row[0]: (row[1], row[2]) for row in await connection.execute(statistics)}
                if used["mirror_change_log_pkey"][0] >= written:
                    break
                await asyncio.sleep(0.05)
        scans, read = used["mirror_change_log_pkey"]
        assert scans >= written > 2500
        assert read <= scans  # at most the one entry each prune drops
        assert used["ix_mirror_change_log_row"] == (0, 0)
    finally:
        await store.close()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
