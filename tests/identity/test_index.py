"""The index of people on SQLite and PostgreSQL: its groupings are the oracle's, incrementally
(each mirror write) and rebuilt, explicit links and unlinks override the rule, ids stay put."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
import sqlalchemy as sa

from customer_gateway.connectors.models import CustomerRecord
from customer_gateway.identity.index import IdentityIndex, Key, MatchSettings
from customer_gateway.identity.tables import members
from customer_gateway.mirror.keys import collation_key
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.store import SqlMirrorStore
from tests.identity.conftest import identity_store
from tests.identity.oracle import groupings, records_for, seed_people

pytestmark = pytest.mark.anyio

SOURCES = ("shop-a", "shop-b", "till-c", "crm-d")
EN_US = collation_key("en_US")


async def write(store: SqlMirrorStore, records: list[CustomerRecord]) -> None:
    by_source: dict[str, list[CustomerRecord]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record)
    for rank, (_source, items) in enumerate(sorted(by_source.items())):
        for start in range(0, len(items), 7):  # several transactions, as a sync's pages
            async with store.writing() as writer:
                await writer.upsert_customers(
                    items[start : start + 7], rank=rank, pass_no=0, text_key=EN_US
                )


async def listed_total(index: IdentityIndex) -> int:
    """The unfiltered people page's total (kept by the index, not counted)."""
    every = [SourceSelection(source) for source in SOURCES]
    _, total = await index.people_page(every, True, descending=True, offset=0, limit=1)
    return total


async def partition(index: IdentityIndex) -> tuple[set[frozenset[Key]], dict[Key, str]]:
    async with index.engine.connect() as connection:
        rows = (
            await connection.execute(
                sa.select(members.c.source, members.c.native_id, members.c.person_id)
            )
        ).all()
    people: dict[str, set[Key]] = {}
    for source, native_id, person in rows:
        assert person, "every member belongs to a person"
        people.setdefault(person, set()).add((source, native_id))
    return {frozenset(group) for group in people.values()}, {(s, n): p for s, n, p in rows}


async def test_incremental_matching_is_the_oracles(
    indexed: tuple[SqlMirrorStore, IdentityIndex],
) -> None:
    store, index = indexed
    records = records_for(seed_people(7, 80), SOURCES, seed=8)
    random.Random(9).shuffle(records)
    await write(store, records)
    expected = groupings(records)
    found, person_of = await partition(index)
    assert found == expected
    assert any(len(group) >= 3 for group in expected)  # the seeds do join people
    assert any(len({s for s, _ in group}) == 1 for group in expected)
    assert await index.count_people() == len(expected)
    assert await listed_total(index) == len(expected)

    # One customer changes its address: it leaves its person for another (or its own).
    moved = next(r for r in records if len(next(g for g in expected if (r.source, r.id) in g)) > 2)
    target = next(
        r
        for r in records
        if r.email
        and (r.source, r.id) not in next(g for g in expected if (moved.source, moved.id) in g)
    )
    changed = replace(moved, email=target.email.upper() if target.email else None)
    records = [changed if r is moved else r for r in records]
    await write(store, [changed])
    found, after = await partition(index)
    assert found == groupings(records)
    # The people it left and joined keep their ids (most of their customers stayed).
    old_group = next(g for g in expected if (moved.source, moved.id) in g)
    stayed = next(iter(old_group - {(moved.source, moved.id)}))
    assert after[stayed] == person_of[stayed]
    assert after[(moved.source, moved.id)] == person_of[(target.source, target.id)]

    # Deletes leave the index too (a sync's delete, a gateway delete).
    gone = records[:10]
    by_source: dict[str, list[str]] = {}
    for record in gone:
        by_source.setdefault(record.source, []).append(record.id)
    for source, ids in by_source.items():
        async with store.writing() as writer:
            await writer.delete_customers(source, ids)
    records = records[10:]
    found, _ = await partition(index)
    assert found == groupings(records)
    assert await listed_total(index) == len(found) == await index.count_people()

    # A rebuild from the mirror's rows finds the same people, under the same ids.
    _, before = await partition(index)
    assert await index.rebuild() == len(groupings(records))
    found, rebuilt = await partition(index)
    assert found == groupings(records)
    assert rebuilt == before
    assert await listed_total(index) == len(found)


async def test_phones_match_when_configured(store_url: str) -> None:
    countries = {"shop-a": "CZ", "shop-b": "CZ", "till-c": None, "crm-d": "GB"}
    store, index = await identity_store(
        store_url, MatchSettings(match_phone=True, countries=countries)
    )
    try:
        records = records_for(seed_people(11, 40), SOURCES, seed=12)
        # Different addresses, same phones: only the phone can join them.
        records = [replace(r, email=f"{r.source}.{r.id}@example.com") for r in records]
        await write(store, records)
        expected = groupings(records, phones=True, countries=countries)
        found, _ = await partition(index)
        assert found == expected
        assert any(len(group) > 1 for group in expected)
        assert found != groupings(records)  # without phones they would all stand alone
        assert await index.rebuild() == len(expected)
        assert (await partition(index))[0] == expected
    finally:
        await store.close()


async def test_links_and_unlinks_override_the_rule(
    indexed: tuple[SqlMirrorStore, IdentityIndex],
) -> None:
    store, index = indexed
    records = records_for(seed_people(21, 30), SOURCES, seed=22)
    await write(store, records)
    expected = groupings(records)
    joined = sorted(next(g for g in expected if len(g) >= 2))
    alone = sorted(g for g in expected if len(g) == 1)
    a, b = next(iter(alone[0])), next(iter(alone[1]))

    await index.link([a, b])
    links = [[a, b]]
    assert (await partition(index))[0] == groupings(records, links=links)
    assert await listed_total(index) == len(groupings(records, links=links))

    await index.unlink([joined[0]])
    detached = [joined[0]]
    assert (await partition(index))[0] == groupings(records, links=links, detached=detached)

    # A later write of the unlinked customer keeps it apart; an explicit link joins it again.
    record = next(r for r in records if (r.source, r.id) == joined[0])
    await write(store, [replace(record, full_name="Renamed")])
    assert (await partition(index))[0] == groupings(records, links=links, detached=detached)
    await index.link([joined[0], a])
    links = [[a, b, joined[0]]]
    found, _ = await partition(index)
    assert found == groupings(records, links=links, detached=detached)

    # A rebuild keeps the operator's decisions.
    await index.rebuild()
    assert (await partition(index))[0] == groupings(records, links=links, detached=detached)


async def test_its_own_migration_history(indexed: tuple[SqlMirrorStore, IdentityIndex]) -> None:
    store, index = indexed
    async with store.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
        mirror_version = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
        identity_version = await connection.scalar(
            sa.text("SELECT version_num FROM identity_alembic_version")
        )
    assert "identity_alembic_version" in names
    assert identity_version == "id0001"
    assert mirror_version != identity_version
    await index.migrate()  # again: nothing to do
