"""Each membership carries its customer's row id on SQLite (migration 0007), and a keyword
within one group is counted by walking the group's memberships against the trigram hits.

The row id must be the customer's own after any sequence of writes (upserts that change a
customer's groups, deletes, the same id inserted again, a bulk load, another source's rows),
and after migrating a store written before the column existed. The count by the walk equals the
count by each hit's row and the gateway's own evaluation, also as a kept total moved by the
changes (`memo`, `deltas`)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from customer_gateway.connectors.models import (
    Condition,
    CustomerRecord,
    FilterField,
    GroupRef,
    Op,
    Sort,
    SortField,
)
from customer_gateway.mirror.page import PlanCosts
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.store import MIGRATIONS, SqlMirrorStore, open_store, sqlite_url
from tests.mirror.test_store import EN_US, _oracle, _records, _statements_on

pytestmark = pytest.mark.anyio

_MISMATCHED = (
    "SELECT count(*) FROM mirror_memberships m WHERE m.customer_row IS NOT "
    "(SELECT c.rowid FROM mirror_customers c "
    "WHERE c.source = m.source AND c.native_id = m.customer_id)"
)


async def _mismatched(store: SqlMirrorStore) -> int:
    async with store.engine.connect() as connection:
        return int(await connection.scalar(sa.text(_MISMATCHED)) or 0)


async def _members(store: SqlMirrorStore) -> int:
    async with store.engine.connect() as connection:
        return int(await connection.scalar(sa.text("SELECT count(*) FROM mirror_memberships")) or 0)


def _regrouped(record: CustomerRecord, rng: random.Random) -> CustomerRecord:
    groups = tuple(GroupRef(str(group)) for group in rng.sample(range(4), rng.randrange(4)))
    return replace(record, groups=groups, full_name=rng.choice(("Ann Novák", "Bo Li", "Anna")))


async def test_a_membership_carries_its_customers_row_id_through_every_write(
    tmp_path: Path,
) -> None:
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    rng = random.Random(7)
    try:
        assert await store.bulk_load(), "an empty store loads in bulk"
        sources = {"shop-a": _records("shop-a", 120, 1), "shop-b": _records("shop-b", 80, 2)}
        for rank, records in enumerate(sources.values()):
            async with store.writing() as writer:
                await writer.upsert_customers(records, rank=rank, pass_no=1, text_key=EN_US)
        await store.end_bulk_load()
        assert await _members(store) > 100
        assert await _mismatched(store) == 0
        for step in range(30):
            source = rng.choice(list(sources))
            records = sources[source]
            chosen = rng.sample(range(len(records)), 8)
            async with store.writing() as writer:
                if step % 3 == 0:
                    # Deleted, then the same ids written again: new rows, new row ids.
                    ids = [records[index].id for index in chosen]
                    await writer.delete_customers(source, ids)
                    await writer.upsert_customers(
                        [_regrouped(records[index], rng) for index in chosen[:5]],
                        rank=list(sources).index(source),
                        pass_no=2,
                        text_key=EN_US,
                    )
                else:
                    changed = [_regrouped(records[index], rng) for index in chosen]
                    for index, record in zip(chosen, changed, strict=True):
                        records[index] = record
                    await writer.upsert_customers(
                        changed, rank=list(sources).index(source), pass_no=2, text_key=EN_US
                    )
            assert await _mismatched(store) == 0, f"step {step}"
        await store.set_rank("shop-b", 3)
        assert await _mismatched(store) == 0
    finally:
        await store.close()


async def test_migrating_to_0007_gives_every_membership_its_row_id(tmp_path: Path) -> None:
    """A store written by the schema before (0006): the migration fills the column from the
    customers' rows, and the indexes carry it."""
    url = sqlite_url(tmp_path)
    engine = sa.create_engine(url.replace("+aiosqlite", ""))
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "0006")
        with engine.begin() as connection:
            for number in range(50):
                connection.exec_driver_sql(
                    "INSERT INTO mirror_customers (source, native_id, rank, nat, created_key, "
                    "updated_key, name_key, email_key, status, doc, digest, pass_no) "
                    "VALUES (?, ?, 0, x'00', 0, 0, x'00', x'00', 1, '{}', 'd', 1)",
                    ("shop-a", f"c{number}"),
                )
                for group in range(number % 3):
                    connection.exec_driver_sql(
                        "INSERT INTO mirror_memberships (source, customer_id, group_id) "
                        "VALUES (?, ?, ?)",
                        ("shop-a", f"c{number}", str(group)),
                    )
            # Row ids that are not the insertion order: a deleted row's id is not reused.
            connection.exec_driver_sql("DELETE FROM mirror_memberships WHERE customer_id = 'c5'")
            connection.exec_driver_sql("DELETE FROM mirror_customers WHERE native_id = 'c5'")
    finally:
        engine.dispose()
    store = open_store(url)
    try:
        await store.migrate()
        assert await _members(store) == sum(n % 3 for n in range(50)) - 5 % 3
        assert await _mismatched(store) == 0
        async with store.engine.connect() as connection:
            columns = await connection.scalar(
                sa.text(
                    "SELECT group_concat(name) FROM pragma_index_info("
                    "'ix_mirror_memberships_group')"
                )
            )
        assert columns == "source,group_id,customer_id,customer_row"
    finally:
        await store.close()


_KEYWORD = Condition(FilterField.KEYWORD, Op.EQ, ("ann",))
_WALK = PlanCosts(lookup_per_hit=1e9)  # the count walks the memberships
_LOOKUP = PlanCosts(hit_set_per_hit=1e9, walk_per_entry=1e9)  # the count reads each hit's row


@pytest.mark.parametrize("plan", ["walk", "lookup"])
async def test_a_keyword_within_a_group_counts_the_same_by_either_plan(
    tmp_path: Path, plan: str
) -> None:
    """The total of a keyword within one group, by the membership walk or by each hit's row,
    is the gateway's own count, at first and as a kept total moved by other connections'
    changes (a member's groups changed, a member deleted, a new member)."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    other = open_store(sqlite_url(tmp_path))
    rng = random.Random(11)
    try:
        sources = {"shop-a": _records("shop-a", 160, 1), "shop-b": _records("shop-b", 90, 2)}
        for rank, records in enumerate(sources.values()):
            async with store.writing() as writer:
                await writer.upsert_customers(records, rank=rank, pass_no=1, text_key=EN_US)
        store.statements.costs = _WALK if plan == "walk" else _LOOKUP
        sort = Sort(SortField.CREATED_AT, True)
        assert store.reader is not None
        executed, record = _statements_on(store.reader.engine)
        try:
            for step in range(6):
                for group in ("1", "2"):
                    conditions = [_KEYWORD, Condition(FilterField.GROUP, Op.EQ, (group,))]
                    selection = [SourceSelection(s, tuple(conditions)) for s in sources]
                    expected = _oracle(sources, conditions, sort)
                    records, total = await store.query(selection, sort, 0, 5)
                    assert total == len(expected), (step, group)
                    assert [(r.source, r.id) for r in records] == expected[:5]
                source = rng.choice(list(sources))
                rank = list(sources).index(source)
                records = sources[source]
                async with other.writing() as writer:
                    if step % 2:
                        index = rng.randrange(len(records))
                        await writer.delete_customers(source, [records.pop(index).id])
                        new = replace(_regrouped(records[0], rng), id=f"new-{step}")
                        records.append(new)
                        await writer.upsert_customers([new], rank=rank, pass_no=2, text_key=EN_US)
                    else:
                        chosen = rng.sample(range(len(records)), 3)
                        changed = [_regrouped(records[index], rng) for index in chosen]
                        for index, changed_record in zip(chosen, changed, strict=True):
                            records[index] = changed_record
                        await writer.upsert_customers(changed, rank=rank, pass_no=2, text_key=EN_US)
        finally:
            sa.event.remove(store.reader.engine, "before_cursor_execute", record)
        walked = [s for s in executed if "+mirror_memberships.customer_row" in s]
        assert bool(walked) is (plan == "walk")
    finally:
        await other.close()
        await store.close()
