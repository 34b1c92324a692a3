"""A SQLite reader's kept totals move with the store's changes (`mirror/memo.py`,
`mirror/deltas.py`, migrations 0006, 0011): after any mix of inserts, updates of every counted
column (group memberships included), deletes and re-inserts written by another connection,
every total equals the gateway's own evaluation of the rows, and was moved by the content log
(one statement), not counted again. What the log cannot say (more changes than it keeps, a bulk
load, a delete: a deleted customer leaves nothing in the log) is counted again, and right."""

from __future__ import annotations

import importlib
import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from customer_gateway.connectors.models import (
    Condition,
    CustomerRecord,
    FilterField,
    GroupRef,
    Op,
    Sort,
    SortField,
)
from customer_gateway.mirror import deltas
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.store import SqlMirrorStore, open_store, sqlite_url
from tests.mirror.test_store import (
    COMPANIES,
    EMAILS,
    EN_US,
    NAMES,
    _filled,
    _oracle,
    _records,
    _statements_on,
)

pytestmark = pytest.mark.anyio

KEYWORD = Condition(FilterField.KEYWORD, Op.EQ, ("nov",))
# Request shapes whose totals are counted (not kept by triggers), and whether the log moves
# them: the keyword over every source (the trigram index's count), beside other filters, and
# the filters a contains-pattern, a range or a group beside another leaves to a count.
SHAPES: list[tuple[str, list[tuple[str, tuple[Condition, ...]]], bool]] = [
    ("keyword everywhere", [("shop-a", (KEYWORD,)), ("shop-b", (KEYWORD,))], True),
    ("keyword in one source", [("shop-a", (KEYWORD,))], True),
    (
        "keyword and status",
        [
            (s, (KEYWORD, Condition(FilterField.STATUS, Op.EQ, ("1",))))
            for s in ("shop-a", "shop-b")
        ],
        True,
    ),
    (
        "name like, created after",
        [
            (
                "shop-b",
                (
                    Condition(FilterField.FULL_NAME, Op.LIKE, ("m",)),
                    Condition(FilterField.CREATED_AT, Op.GT, ("2024-01-01T12:00:00+00:00",)),
                ),
            )
        ],
        True,
    ),
    (
        "company not like, e-mail in",
        [
            (
                s,
                (
                    Condition(FilterField.COMPANY_NAME, Op.NLIKE, ("bygg",)),
                    Condition(FilterField.EMAIL, Op.IN, ("novak@seznam.cz", "a@b.com")),
                ),
            )
            for s in ("shop-a", "shop-b")
        ],
        True,
    ),
    (
        "keyword and group",
        [(s, (KEYWORD, Condition(FilterField.GROUP, Op.EQ, ("1",)))) for s in ("shop-a", "shop-b")],
        True,
    ),
    (
        "in none of two groups, name like",
        [
            (
                "shop-a",
                (
                    Condition(FilterField.GROUP, Op.NIN, ("0", "2")),
                    Condition(FilterField.FULL_NAME, Op.LIKE, ("a",)),
                ),
            )
        ],
        True,
    ),
    (
        "in one of two groups, status",
        [
            (
                s,
                (
                    Condition(FilterField.GROUP, Op.IN, ("1", "3")),
                    Condition(FilterField.STATUS, Op.EQ, ("0",)),
                ),
            )
            for s in ("shop-a", "shop-b")
        ],
        True,
    ),
]
SORT = Sort(SortField.CREATED_AT, True)


def _selection(parts: list[tuple[str, tuple[Condition, ...]]]) -> list[SourceSelection]:
    return [SourceSelection(source, conditions) for source, conditions in parts]


def _expected(
    sources: dict[str, list[CustomerRecord]], parts: list[tuple[str, tuple[Condition, ...]]]
) -> int:
    return sum(
        len(_oracle({source: sources[source]}, list(conditions), SORT))
        for source, conditions in parts
    )


def _changed(rng: random.Random, record: CustomerRecord, index: int) -> CustomerRecord:
    """The record with one or more counted columns changed."""
    created = record.created_at
    if created is not None and rng.random() < 0.4:
        created = created + timedelta(hours=rng.randrange(-30, 30))
    return replace(
        record,
        full_name=rng.choice((*NAMES, f"Nováková {index}", "Jan Novotný")),
        email=rng.choice((*EMAILS, f"nov{index}@example.com")),
        status=rng.choice((0, 1)),
        company_name=rng.choice(COMPANIES),
        created_at=created,
        groups=tuple(GroupRef(str(g)) for g in rng.sample(range(4), rng.randrange(3))),
    )


async def _totals(store: SqlMirrorStore) -> list[int]:
    return [(await store.query(_selection(parts), SORT, 0, 5))[1] for _, parts, _ in SHAPES]


async def test_kept_totals_follow_every_kind_of_change_on_sqlite(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    other = open_store(sqlite_url(tmp_path))
    rng = random.Random(16)
    try:
        sources = await _filled(store)
        assert await _totals(store) == [_expected(sources, parts) for _, parts, _ in SHAPES]
        assert store.reader is not None
        executed, record = _statements_on(store.reader.engine)
        deleted: list[CustomerRecord] = []
        try:
            for round_no in range(12):
                executed.clear()
                removed = False  # a delete leaves no entry: every older total is counted again
                async with other.writing() as writer:
                    for _ in range(rng.randrange(1, 6)):
                        name = rng.choice(("shop-a", "shop-b"))
                        rows = sources[name]
                        kind = rng.random()
                        if kind < 0.55:
                            at = rng.randrange(len(rows))
                            rows[at] = _changed(rng, rows[at], round_no)
                            # The same row twice in one round: the log's first entry counts.
                            if rng.random() < 0.3:
                                rows[at] = _changed(rng, rows[at], round_no + 100)
                            await writer.upsert_customers(
                                [rows[at]],
                                rank=0 if name == "shop-a" else 1,
                                pass_no=1,
                                text_key=EN_US,
                            )
                        elif kind < 0.8 or not deleted:
                            gone = rows.pop(rng.randrange(len(rows)))
                            deleted.append(gone)
                            removed = True
                            await writer.delete_customers(name, [gone.id])
                        else:
                            back = _changed(rng, deleted.pop(), round_no)
                            sources[back.source].append(back)
                            await writer.upsert_customers(
                                [back],
                                rank=0 if back.source == "shop-a" else 1,
                                pass_no=1,
                                text_key=EN_US,
                            )
                totals = await _totals(store)
                expected = [_expected(sources, parts) for _, parts, _ in SHAPES]
                assert totals == expected, f"round {round_no}"
                moved = [s for s in executed if "mirror_content_log" in s]
                recounted = [
                    s
                    for s in executed
                    if "count(" in s.lower()
                    and "mirror_content_log" not in s
                    and "mirror_counts" not in s
                    and "mirror_facet_counts" not in s
                ]
                assert len(moved) == sum(movable for _, _, movable in SHAPES), round_no
                expected_counts = (
                    len(SHAPES) if removed else sum(not movable for _, _, movable in SHAPES)
                )
                assert len(recounted) == expected_counts, recounted
        finally:
            sa.event.remove(store.reader.engine, "before_cursor_execute", record)
    finally:
        await other.close()
        await store.close()


async def test_a_row_changed_twice_counts_as_it_was_before_the_first_change_on_sqlite(
    tmp_path: Path,
) -> None:
    """Between two reads a matching row stops matching and matches again, a new row comes and
    goes, a deleted row comes back changed: the total moves by what each row was before its
    first change and is now."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    other = open_store(sqlite_url(tmp_path))
    try:
        sources = await _filled(store)
        parts = SHAPES[0][1]
        before = (await store.query(_selection(parts), SORT, 0, 5))[1]
        assert before == _expected(sources, parts)
        rows = sources["shop-a"]
        at = next(i for i, r in enumerate(rows) if r.full_name and "Nov" in r.full_name)
        gone = next(i for i, r in enumerate(rows) if not _expected({"shop-a": [r]}, parts[:1]))
        fresh = replace(rows[0], id="new-1", full_name="Nováková Nová", email=None)
        async with other.writing() as writer:
            for name in ("Kim Lee", "Novotný Jan"):
                rows[at] = replace(rows[at], full_name=name)
                await writer.upsert_customers([rows[at]], rank=0, pass_no=1, text_key=EN_US)
            await writer.upsert_customers([fresh], rank=0, pass_no=1, text_key=EN_US)
            await writer.delete_customers("shop-a", [fresh.id])
            await writer.delete_customers("shop-a", [rows[gone].id])
            rows[gone] = replace(rows[gone], full_name="Ivan Novák")
            await writer.upsert_customers([rows[gone]], rank=0, pass_no=1, text_key=EN_US)
        after = (await store.query(_selection(parts), SORT, 0, 5))[1]
        assert after == _expected(sources, parts) == before + 1
    finally:
        await other.close()
        await store.close()


async def test_more_changes_than_the_log_keeps_are_counted_again_on_sqlite(
    tmp_path: Path,
) -> None:
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    other = open_store(sqlite_url(tmp_path))
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
        assert store.reader is not None
        executed, record = _statements_on(store.reader.engine)
        try:
            total = (await store.query(_selection(parts), SORT, 0, 5))[1]
        finally:
            sa.event.remove(store.reader.engine, "before_cursor_execute", record)
        assert total == _expected(sources, parts)
        assert not [s for s in executed if "mirror_content_log" in s], "moved past the log"
        async with store.engine.connect() as connection:
            kept = await connection.scalar(sa.text("SELECT count(*) FROM mirror_content_log"))
        assert kept == deltas.LOG_ROWS, "the log is not bounded"
    finally:
        await other.close()
        await store.close()


async def test_a_total_kept_before_a_bulk_load_is_counted_again_on_sqlite(
    tmp_path: Path,
) -> None:
    """A bulk load sets the content triggers aside (no version moves, no log): the schema's
    version, moved by setting aside and restoring, makes a total kept from before (here on the
    empty store) count again."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    other = open_store(sqlite_url(tmp_path))
    try:
        parts = SHAPES[0][1]
        assert (await store.query(_selection(parts), SORT, 0, 5))[1] == 0
        assert await other.bulk_load()
        sources = {"shop-a": _records("shop-a", 160, 1), "shop-b": _records("shop-b", 90, 2)}
        for rank, records in enumerate(sources.values()):
            async with other.writing() as writer:
                await writer.upsert_customers(records, rank=rank, pass_no=1, text_key=EN_US)
        await other.end_bulk_load()
        assert (await store.query(_selection(parts), SORT, 0, 5))[1] == _expected(sources, parts)
    finally:
        await other.close()
        await store.close()


def test_the_log_holds_what_every_condition_reads() -> None:
    """Migration 0006 logs every column a condition reads (0005's counted columns but the
    document and its digest, which none reads, with the row's keys and its group ids), and
    keeps the changes the reader expects."""
    log = importlib.import_module("customer_gateway.mirror.migrations.versions.0006_content_log")
    counted = importlib.import_module(
        "customer_gateway.mirror.migrations.versions.0005_content_version"
    )
    assert set(log.LOGGED_COLUMNS) == (set(counted.COUNTED_COLUMNS) - {"doc", "digest"}) | {
        "source",
        "native_id",
    }
    assert log.LOGGED_COLUMNS == deltas.LOGGED_COLUMNS
    assert log.LOG_ROWS == deltas.LOG_ROWS
