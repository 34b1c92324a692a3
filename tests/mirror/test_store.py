"""The store on SQLite and PostgreSQL: its schema is the migrations', its rows round-trip, and its
SQL answers every filter and sort exactly as the gateway's own evaluation does."""

from __future__ import annotations

import importlib
import random
import re
import stat
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from customer_gateway.connectors.models import (
    Address,
    Condition,
    CustomerRecord,
    FilterField,
    GroupRecord,
    GroupRef,
    Op,
    Sort,
    SortField,
)
from customer_gateway.mirror.keys import collation_key
from customer_gateway.mirror.page import PlanCosts, read_page
from customer_gateway.mirror.query import SORTS as STORE_SORTS
from customer_gateway.mirror.query import Dialect, SourceSelection
from customer_gateway.mirror.store import (
    Fenced,
    SqlMirrorStore,
    SyncState,
    open_store,
    sqlite_url,
)
from customer_gateway.mirror.tables import customers, metadata
from customer_gateway.resolvers.filters.evaluation import matches, sort_key
from customer_gateway.resolvers.merging import natural_id
from tests.mirror.harness import mirror_text

pytestmark = pytest.mark.anyio

EN_US = collation_key("en_US")

# Names and e-mails that exercise the collation and the case-insensitive matching: accents,
# case, punctuation, spaces, characters Python's case folding pairs beyond lower case (ſ/s,
# K/k, İ/i, µ/μ), SQL wildcard characters and missing values.
NAMES = (
    "Anne",
    "ann lee",
    "Annlee",
    "Ann Lee",
    "Ann-Lee",
    "Zoë Åberg",
    "zoe aberg",
    "Émile Ørsted",
    "Ştefan Çelik",
    "Kelvin Kraus",
    "\u212aelvin Kraus",
    "ſimon Sachs",
    "İpek Işık",
    "µ-Mü",
    "O'Brien",
    "100% Cotton_Co",
    "back\\slash",
    "Ľubomír Šťastný",
    "ß Straße",
    None,
    "",
    "Jürgen Müller",
    "JÜRGEN MÜLLER",
    "Åsa Öberg",
    "Tomáš Novák",
    "tomas novak",
)
EMAILS = (
    "a.b@c.com",
    "ab@c.com",
    "a@b.com",
    "Zoe@Example.com",
    "zoe@example.com",
    None,
    "novak@seznam.cz",
    "NOVAK@SEZNAM.CZ",
    "x_y@z.no",
    "x%y@z.no",
    "müller@web.de",
)
PHONES = ("+420 601 222 333", "+420601222333", "601-222-333", None, "+47 900 00 001")
VATS = ("CZ 1234 5678", "cz12345678", None, "", "NO999888777MVA")
COMPANIES = ("Nordmann Bygg AS", "NORDMANN bygg as", "Fiala spol. s r.o.", None, "", "Ørsted A/S")
EXTERNAL_IDS = ("ERP-10045", "erp-10045", None, "", "ERP-2")


def _records(source: str, count: int, seed: int) -> list[CustomerRecord]:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    records = []
    for index in range(count):
        native_id = str(rng.randrange(1, 10**12)) if index % 3 else f"g-{rng.randrange(10**6)}"
        created = None if index % 11 == 0 else start + timedelta(seconds=rng.randrange(40) * 3600)
        records.append(
            CustomerRecord(
                source=source,
                id=native_id,
                numeric_id=index,
                email=rng.choice(EMAILS),
                full_name=rng.choice(NAMES),
                status=rng.choice((0, 1)),
                created_at=created,
                updated_at=created,
                phone=rng.choice(PHONES),
                vat_number=rng.choice(VATS),
                company_name=rng.choice(COMPANIES),
                external_id=rng.choice(EXTERNAL_IDS),
                groups=tuple(
                    GroupRef(str(group)) for group in rng.sample(range(4), rng.randrange(3))
                ),
                addresses=(Address(id="1", kind="billing", city="Brno", country_code="CZ"),),
                metadata={"note": "x", "nested": {"list": [1, 2]}},
            )
        )
    return list({record.id: record for record in records}.values())


CONDITIONS = [
    Condition(FilterField.KEYWORD, Op.EQ, ("ann",)),
    Condition(FilterField.KEYWORD, Op.EQ, ("NOVAK",)),
    Condition(FilterField.KEYWORD, Op.EQ, ("kelvin",)),
    Condition(FilterField.KEYWORD, Op.EQ, ("simon",)),
    Condition(FilterField.KEYWORD, Op.EQ, ("ipek",)),
    Condition(FilterField.KEYWORD, Op.EQ, ("100%",)),
    Condition(FilterField.KEYWORD, Op.EQ, ("t_m",)),
    Condition(FilterField.KEYWORD, Op.EQ, ("müller",)),
    Condition(FilterField.KEYWORD, Op.EQ, ('a"b',)),
    Condition(FilterField.KEYWORD, Op.EQ, ("back\\\\sl",)),
    Condition(FilterField.KEYWORD, Op.EQ, ("[a]",)),
    Condition(FilterField.EMAIL, Op.EQ, ("zoe@example.com",)),
    Condition(FilterField.EMAIL, Op.NEQ, ("zoe@example.com",)),
    Condition(FilterField.EMAIL, Op.IN, ("ab@c.com", "a@b.com")),
    Condition(FilterField.EMAIL, Op.NIN, ("ab@c.com", "a@b.com")),
    Condition(FilterField.EMAIL, Op.LIKE, ("%@example.com",)),
    Condition(FilterField.EMAIL, Op.LIKE, ("x\\_y%",)),
    Condition(FilterField.EMAIL, Op.NLIKE, ("%.cz",)),
    Condition(FilterField.EMAIL, Op.LIKE, ("%*%",)),
    Condition(FilterField.FULL_NAME, Op.EQ, ("Ann Lee",)),
    Condition(FilterField.FULL_NAME, Op.NEQ, ("Ann Lee",)),
    Condition(FilterField.FULL_NAME, Op.LIKE, ("LEE",)),
    Condition(FilterField.FULL_NAME, Op.NLIKE, ("e",)),
    Condition(FilterField.FULL_NAME, Op.LIKE, ("ß",)),
    Condition(FilterField.PHONE, Op.EQ, ("+420 601-222-333",)),
    Condition(FilterField.PHONE, Op.NIN, ("601222333",)),
    Condition(FilterField.VAT_NUMBER, Op.EQ, ("cz 12345678",)),
    Condition(FilterField.VAT_NUMBER, Op.NEQ, ("CZ12345678",)),
    Condition(FilterField.COMPANY_NAME, Op.EQ, ("Nordmann Bygg AS",)),
    Condition(FilterField.COMPANY_NAME, Op.NEQ, ("Nordmann Bygg AS",)),
    Condition(FilterField.COMPANY_NAME, Op.LIKE, ("bygg",)),
    Condition(FilterField.COMPANY_NAME, Op.NLIKE, ("ø",)),
    Condition(FilterField.COMPANY_NAME, Op.IN, ("", "Ørsted A/S")),
    Condition(FilterField.EXTERNAL_ID, Op.EQ, ("ERP-10045",)),
    Condition(FilterField.EXTERNAL_ID, Op.NIN, ("ERP-2", "")),
    Condition(FilterField.STATUS, Op.EQ, ("0",)),
    Condition(FilterField.STATUS, Op.IN, ("0", "1")),
    Condition(FilterField.STATUS, Op.NIN, ("0",)),
    Condition(FilterField.GROUP, Op.EQ, ("1",)),
    Condition(FilterField.GROUP, Op.IN, ("2", "3")),
    Condition(FilterField.GROUP, Op.NEQ, ("1",)),
    Condition(FilterField.GROUP, Op.NIN, ("0", "2")),
    Condition(FilterField.CREATED_AT, Op.GT, ("2024-01-01T12:00:00+00:00",)),
    Condition(FilterField.CREATED_AT, Op.LTEQ, ("2024-01-01T12:00:00+00:00",)),
    Condition(FilterField.UPDATED_AT, Op.GTEQ, ("2024-01-02T03:00:00+00:00",)),
    Condition(FilterField.UPDATED_AT, Op.LT, ("2024-01-01T01:00:00+00:00",)),
]
# The sorts the store declares (a sort it does not know, the gateway applies to its rows).
SORTS = [
    Sort(field, descending)
    for field in sorted(STORE_SORTS, key=lambda f: f.value)
    for descending in (False, True)
]


async def _filled(store: SqlMirrorStore) -> dict[str, list[CustomerRecord]]:
    sources = {"shop-a": _records("shop-a", 160, 1), "shop-b": _records("shop-b", 90, 2)}
    for rank, records in enumerate(sources.values()):
        async with store.writing() as writer:
            await writer.upsert_customers(records, rank=rank, pass_no=1, text_key=EN_US)
    return sources


def _oracle(
    sources: dict[str, list[CustomerRecord]], conditions: list[Condition], sort: Sort
) -> list[tuple[str, str]]:
    """The gateway's own evaluation: `matches`, each source sorted by (key, natural id), sources
    merged by key with ties in configuration order."""
    key = sort_key(sort)
    rows = [
        (key(record), rank, natural_id(record.id), record)
        for rank, records in enumerate(sources.values())
        for record in records
        if all(matches(record, condition) for condition in conditions)
    ]
    rows.sort(key=lambda row: row[:3])
    return [(row[3].source, row[3].id) for row in rows]


async def test_the_migrated_schema_is_the_tables_module(store: SqlMirrorStore) -> None:
    def ours(obj: object, name: str | None, kind: str, *_: object) -> bool:
        """The mirror's own tables and indexes (the database may hold other state, e.g. the
        replicas' idempotency keys). The contains-search indexes are the database's own kind
        (FTS5, pg_trgm GIN): the migration makes them, the tables module cannot describe them."""
        name = name or ""
        if kind == "table":
            return name.startswith("mirror_") and not name.startswith("mirror_customers_fts")
        if kind == "index":
            return name.startswith("ix_mirror_") and not name.endswith("_trgm")
        return True

    def differences(connection: sa.Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        return list(compare_metadata(context, metadata))

    async with store.engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == []


async def test_a_sync_write_with_an_older_fencing_token_is_refused(store: SqlMirrorStore) -> None:
    async with store.writing() as writer:
        await writer.fence("fenced", 5)
        await writer.save_state(SyncState("fenced", "shoptet", phase="loading"))
    assert await store.fence_of("fenced") == 5

    async def late_write() -> None:  # a holder paused past its lease: nothing of it lands
        async with store.writing() as writer:
            await writer.save_state(SyncState("fenced", "shoptet", phase="following"))
            await writer.fence("fenced", 4)

    with pytest.raises(Fenced):
        await late_write()
    state = await store.state("fenced")
    assert state is not None
    assert state.phase == "loading"
    async with store.writing() as writer:  # the successor's token
        await writer.fence("fenced", 7)
        await writer.save_state(SyncState("fenced", "shoptet", phase="following"))
    assert await store.fence_of("fenced") == 7
    with pytest.raises(Fenced):
        async with store.writing() as writer:
            await writer.fence("fenced", 5)


async def test_migrating_twice_changes_nothing(store: SqlMirrorStore) -> None:
    await store.migrate()
    async with store.engine.connect() as connection:
        version = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert version == "0011"


PAGED = [
    (),
    (Condition(FilterField.STATUS, Op.EQ, ("0",)),),
    (Condition(FilterField.STATUS, Op.IN, ("0", "1")),),
    (Condition(FilterField.GROUP, Op.EQ, ("1",)),),
    (Condition(FilterField.GROUP, Op.IN, ("2",)),),
    (Condition(FilterField.GROUP, Op.IN, ("2", "3")),),
    (Condition(FilterField.KEYWORD, Op.EQ, ("ann",)),),
    (Condition(FilterField.STATUS, Op.EQ, ("1",)), Condition(FilterField.GROUP, Op.EQ, ("0",))),
]


@pytest.mark.parametrize("conditions", PAGED, ids=lambda c: "+".join(x.field.value for x in c))
async def test_every_page_is_a_slice_of_the_whole_answer(
    store: SqlMirrorStore, conditions: tuple[Condition, ...]
) -> None:
    """Pages take the paths the whole answer does not: the deferred join (SQLite), a group's
    walk of the membership index, totals from the trigger-kept counts."""
    sources = await _filled(store)
    selection = [SourceSelection(source, conditions) for source in sources]
    for sort in SORTS:
        expected = _oracle(sources, list(conditions), sort)
        for offset, limit in ((0, 7), (7, 7), (30, 25), (len(expected) - 3, 10)):
            records, total = await store.query(selection, sort, max(0, offset), limit)
            got = [(record.source, record.id) for record in records]
            assert got == expected[max(0, offset) : max(0, offset) + limit], (sort, offset)
            assert total == len(expected)
    # The counts follow deletions, status changes and membership changes.
    changed = [
        replace(record, status=1 - record.status, groups=(GroupRef("1"),))
        for record in sources["shop-a"][:40]
    ]
    async with store.writing() as writer:
        await writer.upsert_customers(changed, rank=0, pass_no=2, text_key=EN_US)
        await writer.delete_customers("shop-b", [record.id for record in sources["shop-b"][:30]])
    sources = {"shop-a": changed + sources["shop-a"][40:], "shop-b": sources["shop-b"][30:]}
    sort = Sort(SortField.CREATED_AT, descending=True)
    expected = _oracle(sources, list(conditions), sort)
    records, total = await store.query(selection, sort, 0, 10)
    assert [(record.source, record.id) for record in records] == expected[:10]
    assert total == len(expected)


@pytest.mark.parametrize("sort", SORTS, ids=lambda s: f"{s.field.value}-{s.descending}")
async def test_every_sort_is_the_merge_order(store: SqlMirrorStore, sort: Sort) -> None:
    sources = await _filled(store)
    selection = [SourceSelection(source) for source in sources]
    expected = _oracle(sources, [], sort)
    records, total = await store.query(selection, sort, 0, None)
    assert total == len(expected)
    assert [(r.source, r.id) for r in records] == expected
    # Pages are slices of the same order.
    page, _ = await store.query(selection, sort, 37, 11)
    assert [(r.source, r.id) for r in page] == expected[37:48]


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: f"{c.field.value}-{c.op.value}")
async def test_every_filter_is_the_gateways_evaluation(
    store: SqlMirrorStore, condition: Condition
) -> None:
    sources = await _filled(store)
    sort = Sort(SortField.NAME, False)
    expected = _oracle(sources, [condition], sort)
    selection = [SourceSelection(source, (condition,)) for source in sources]
    records, total = await store.query(selection, sort, 0, None)
    assert [(r.source, r.id) for r in records] == expected
    assert total == len(expected)


async def test_combined_filters_and_per_source_conditions(store: SqlMirrorStore) -> None:
    sources = await _filled(store)
    sort = Sort(SortField.CREATED_AT, True)
    both = [
        Condition(FilterField.STATUS, Op.EQ, ("1",)),
        Condition(FilterField.KEYWORD, Op.EQ, ("an",)),
    ]
    group_a = Condition(FilterField.GROUP, Op.IN, ("1",))
    selection = [
        SourceSelection("shop-a", (*both, group_a)),
        SourceSelection("shop-b", tuple(both)),
    ]
    expected = _oracle({"shop-a": sources["shop-a"]}, [*both, group_a], sort)
    expected_b = _oracle({"shop-b": sources["shop-b"]}, both, sort)
    records, total = await store.query(selection, sort, 0, None)
    assert total == len(expected) + len(expected_b)
    assert sorted((r.source, r.id) for r in records) == sorted(expected + expected_b)


async def test_records_round_trip_whole(store: SqlMirrorStore) -> None:
    sources = await _filled(store)
    wanted = sources["shop-a"][:30]
    found = await store.get_customers("shop-a", [r.id for r in wanted] + ["absent"])
    assert found == [*wanted, None]


async def test_deletes_remove_rows_and_memberships(store: SqlMirrorStore) -> None:
    sources = await _filled(store)
    gone = [record.id for record in sources["shop-a"][:10]]
    async with store.writing() as writer:
        await writer.delete_customers("shop-a", gone)
    assert await store.get_customers("shop-a", gone) == [None] * 10
    assert await store.count("shop-a") == len(sources["shop-a"]) - 10
    async with store.engine.connect() as connection:
        left = await connection.scalar(
            sa.text(
                "SELECT count(*) FROM mirror_memberships WHERE source = 'shop-a' "
                "AND customer_id IN (" + ", ".join(f"'{key}'" for key in gone) + ")"
            )
        )
    assert left == 0


async def test_rows_and_cursor_commit_together(store: SqlMirrorStore) -> None:
    records = _records("shop-a", 20, 3)

    async def dies_mid_transaction() -> None:
        async with store.writing() as writer:
            await writer.upsert_customers(records, rank=0, pass_no=1, text_key=EN_US)
            await writer.save_state(SyncState("shop-a", "evershop", "loading", {"offset": 20}))
            raise RuntimeError("the process dies here")

    with pytest.raises(RuntimeError):
        await dies_mid_transaction()
    assert await store.count("shop-a") == 0
    assert await store.state("shop-a") is None
    async with store.writing() as writer:
        await writer.upsert_customers(records, rank=0, pass_no=1, text_key=EN_US)
        await writer.save_state(SyncState("shop-a", "evershop", "loading", {"offset": 20}))
    state = await store.state("shop-a")
    assert state is not None
    assert state.cursor == {"offset": 20}
    assert await store.count("shop-a") == len(records)


async def test_reconcile_bookkeeping(store: SqlMirrorStore) -> None:
    records = _records("shop-a", 30, 4)
    async with store.writing() as writer:
        await writer.upsert_customers(records, rank=0, pass_no=1, text_key=EN_US)
        await writer.mark_seen("shop-a", [r.id for r in records[:20]], 2)
    unseen = await store.unseen("shop-a", 2, 100)
    assert sorted(unseen) == sorted(r.id for r in records[20:])
    digests = await store.digests("shop-a", [records[0].id])
    assert len(digests[records[0].id]) == 32


async def test_groups_keep_the_sources_order(store: SqlMirrorStore) -> None:
    groups = [GroupRecord("shop-a", str(n), n, f"G{n}") for n in (5, 1, 3)]
    async with store.writing() as writer:
        await writer.replace_groups("shop-a", groups)
        await writer.upsert_group(GroupRecord("shop-a", "9", 9, "New"))
        await writer.upsert_group(GroupRecord("shop-a", "1", 1, "Renamed"))
        await writer.delete_group("shop-a", "3")
    assert [(g.id, g.name) for g in await store.list_groups("shop-a")] == [
        ("5", "G5"),
        ("1", "Renamed"),
        ("9", "New"),
    ]


async def test_a_moved_source_takes_its_rows_along(store: SqlMirrorStore) -> None:
    sources = await _filled(store)
    await store.set_rank("shop-a", 5)
    sort = Sort(SortField.STATUS, False)
    records, _ = await store.query([SourceSelection(s) for s in sources], sort, 0, None)
    reordered = {"shop-b": sources["shop-b"], "shop-a": sources["shop-a"]}
    assert [(r.source, r.id) for r in records] == _oracle(reordered, [], sort)


async def test_purge_forgets_a_source(store: SqlMirrorStore) -> None:
    await _filled(store)
    async with store.writing() as writer:
        await writer.save_state(SyncState("shop-a", "evershop"))
    await store.purge("shop-a")
    assert await store.count("shop-a") == 0
    assert await store.state("shop-a") is None
    assert await store.count("shop-b") > 0


def _store_files(directory: Path) -> list[Path]:
    return [path for path in directory.iterdir() if path.name.startswith("mirror.sqlite3")]


async def test_the_sqlite_file_is_private(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path))
    try:
        await store.migrate()
        async with store.writing() as writer:
            await writer.upsert_customers(_records("s", 5, 1), rank=0, pass_no=1, text_key=EN_US)
    finally:
        await store.close()
    files = _store_files(tmp_path)
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


async def test_concurrent_write_transactions_wait_for_each_other_on_sqlite(
    tmp_path: Path,
) -> None:
    """Several sources sync into one SQLite file at once: writers queue in the process, so none
    fails with "database is locked" however long the others hold the lock (here far past a
    short busy_timeout, which SQLite's own polling would give up on)."""
    import asyncio

    store = open_store(sqlite_url(tmp_path), busy_timeout_ms=100)
    await store.migrate()
    try:

        async def write(n: int) -> None:
            for round_no in range(3):
                async with store.writing() as writer:
                    await writer.connection.execute(
                        sa.text("INSERT INTO mirror_counts (source, customers) VALUES (:s, 0)"),
                        {"s": f"source-{n}-{round_no}"},
                    )
                    await asyncio.sleep(0.08)  # holding the write lock, as a big batch does

        await asyncio.gather(*(write(n) for n in range(4)))
    finally:
        await store.close()


@pytest.mark.parametrize(
    "conditions",
    [
        (),  # the grid's first page: counts from `mirror_counts`
        (Condition(FilterField.KEYWORD, Op.EQ, ("ann",)),),  # counted
        (Condition(FilterField.STATUS, Op.EQ, ("0",)),),  # total from the facet counts
        (Condition(FilterField.GROUP, Op.EQ, ("1",)),),  # the membership index's walk
    ],
    ids=["unfiltered", "keyword", "status", "group"],
)
async def test_a_page_read_is_one_thread_hop_on_sqlite(
    tmp_path: Path, conditions: tuple[Condition, ...]
) -> None:
    """A page (rows, documents, total, with or without group lists) and a request's other reads
    (records by id, groups) go to SQLite's thread and back once each: every hop back is a `call_soon_threadsafe` on the
    loop (aiosqlite's results and an executor's alike), so they are counted there. Through
    aiosqlite a page cost 13 (each statement's cursor, execute, fetch and close, the pool's
    rollback)."""
    import asyncio

    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    try:
        sources = await _filled(store)
        async with store.writing() as writer:
            await writer.replace_groups("shop-a", [GroupRecord("shop-a", "1", 1, "One")])
        selection = [SourceSelection(name, conditions) for name in sources]
        sort = Sort(SortField.CREATED_AT, True)
        await store.query(selection, sort, 0, 20)  # the reader's first connection opened
        loop = asyncio.get_running_loop()
        hops = 0
        threadsafe = loop.call_soon_threadsafe

        def counted(*args: object, **kwargs: object) -> object:
            nonlocal hops
            hops += 1
            return threadsafe(*args, **kwargs)  # type: ignore[arg-type]

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign,assignment]
        try:
            records, total = await store.query(selection, sort, 20, 20)
            page_hops = hops
            # The page with the group lists of the sources that name groups by id only.
            with_groups = await store.query_page(selection, sort, 20, 20, ["shop-a", "shop-b"])
            with_groups_hops = hops - page_hops
            ids = [record.id for record in sources["shop-a"][:30]]
            found = await store.get_customers("shop-a", ids)
            listed = await store.list_groups("shop-a")
        finally:
            del loop.call_soon_threadsafe
        assert records  # a real page, not an empty answer
        assert total > 20
        assert page_hops == 1
        assert with_groups_hops == 1
        assert (with_groups.records, with_groups.total) == (records, total)
        assert {
            source: [group.id for group in kept] for source, kept in with_groups.groups.items()
        } == {
            "shop-a": ["1"],
            "shop-b": [],
        }
        assert [record.id for record in found if record] == ids
        assert [group.id for group in listed] == ["1"]
        assert hops == 4
    finally:
        await store.close()


# The admin grid's search box: keywords that are one literal run (counted by the trigram index
# alone on SQLite and found by the plan the count makes cheapest), and ones that are not.
KEYWORDS = ("ann", "lee", "example", "NOVAK", "zzzq", "an", "t_m", "100%")
WITH_KEYWORD: tuple[tuple[Condition, ...], ...] = (
    (),
    (Condition(FilterField.STATUS, Op.EQ, ("0",)),),
    (Condition(FilterField.GROUP, Op.EQ, ("1",)),),
    (
        Condition(FilterField.STATUS, Op.IN, ("0", "1")),
        Condition(FilterField.FULL_NAME, Op.LIKE, ("%e%",)),
    ),
)


@pytest.mark.parametrize("plan", Dialect.HITS)
async def test_every_keyword_plan_is_the_gateways_evaluation(
    store: SqlMirrorStore, plan: str
) -> None:
    """Each plan of a keyword page (`page.PlanCosts`: made the only cheap one here) gives the
    oracle's page and total, for every sort, shallow and deep pages, on both databases (on
    PostgreSQL the planner decides and `plan` changes nothing)."""
    costs = {hits: 1e9 for hits in Dialect.HITS} | {plan: 0.0}
    store.statements.costs = PlanCosts(
        lookup_per_hit=costs["lookup"],
        hit_set_per_hit=costs["walk"],
        walk_per_entry=costs["walk"],
        row_per_entry=costs["none"],
    )
    sources = await _filled(store)
    for keyword in KEYWORDS:
        condition = Condition(FilterField.KEYWORD, Op.EQ, (keyword,))
        # The search box alone, and with the grid's other filters (counted on the hits).
        for others in WITH_KEYWORD:
            conditions = [condition, *others]
            selection = [SourceSelection(source, tuple(conditions)) for source in sources]
            for sort in SORTS:
                expected = _oracle(sources, conditions, sort)
                for offset, limit in ((0, 7), (9, 20), (max(0, len(expected) - 3), 10)):
                    records, total = await store.query(selection, sort, offset, limit)
                    got = [(record.source, record.id) for record in records]
                    assert got == expected[offset : offset + limit], (conditions, sort, offset)
                    assert total == len(expected), (conditions, sort)
        # A request that leaves out a source with rows is counted row by row (the trigram
        # index's count holds every source's hits).
        alone = _oracle({"shop-a": sources["shop-a"]}, [condition], SORTS[0])
        records, total = await store.query(
            [SourceSelection("shop-a", (condition,))], SORTS[0], 0, 5
        )
        assert [(record.source, record.id) for record in records] == alone[:5]
        assert total == len(alone)


def test_a_keyword_page_takes_the_cheapest_plan() -> None:
    costs = PlanCosts()
    # A rare surname among a million rows: read its few hits.
    assert costs.cheapest(total=40, rows=1_000_000, reach=20) == "lookup"
    # A common one: its first page is a short walk, testing each row.
    assert costs.cheapest(total=100_000, rows=1_000_000, reach=20) == "none"
    # The same keyword's page 1,000: the walk tests row ids against the hit set instead.
    assert costs.cheapest(total=100_000, rows=1_000_000, reach=20_000) == "walk"
    # No hit: nothing to read.
    assert costs.cheapest(total=0, rows=1_000_000, reach=20) == "lookup"
    # The common surname with a status filter (a ninth of the rows): ~11,000 matches of its
    # 100,000 hits. Building the hit set would cost more than testing the 200 rows the status
    # index walks for page 1; page 1,000 walks the index against the hit set.
    assert costs.cheapest(total=11_100, rows=111_000, reach=20, hits=100_000) == "none"
    assert costs.cheapest(total=11_100, rows=111_000, reach=20_000, hits=100_000) == "walk"


async def test_a_common_keyword_reads_no_row_to_count_on_sqlite(tmp_path: Path) -> None:
    """The total of a keyword every source shares is the trigram index's count: the statement
    that counts rows is not executed (its plan would read every hit's row)."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    try:
        sources = await _filled(store)
        condition = Condition(FilterField.KEYWORD, Op.EQ, ("example",))
        selection = [SourceSelection(source, (condition,)) for source in sources]
        sort = Sort(SortField.CREATED_AT, True)
        statements = store.statements.page(tuple(selection), sort, True, "lookup")
        assert store.reader is not None
        reader = store.reader.engine
        executed: list[str] = []

        def record(*args: object) -> None:
            executed.append(str(args[2]))

        sa.event.listen(reader, "before_cursor_execute", record)
        _, total = await store.query(selection, sort, 0, 20)
        assert total == len(_oracle(sources, [condition], sort)) > 0
        counted = str(statements.total.compile(reader))
        assert executed
        assert counted not in executed
        assert any("mirror_customers_fts" in statement for statement in executed)
    finally:
        await store.close()


def _counts(executed: list[str]) -> int:
    """How many of `executed` counted rows (not the trigger-kept per-source counts)."""
    return sum(
        "count(" in statement.lower() and "mirror_counts" not in statement for statement in executed
    )


def _statements_on(engine: sa.Engine) -> tuple[list[str], Callable[..., None]]:
    executed: list[str] = []

    def record(*args: object) -> None:
        executed.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", record)
    return executed, record


async def test_a_total_is_kept_until_the_file_changes_on_sqlite(tmp_path: Path) -> None:
    """A repeated keyword page (the grid's next page, or a refresh) reuses its total while the
    file is unchanged; a commit by another connection, here a second store on the same file
    (another replica or sync process), makes the next read count again."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    other = open_store(sqlite_url(tmp_path))
    try:
        sources = await _filled(store)
        every = [
            SourceSelection(source, (Condition(FilterField.KEYWORD, Op.EQ, ("example",)),))
            for source in sources
        ]
        # One source of two, and two conditions: counted row by row (`counts_rows`).
        counted = [
            SourceSelection(
                "shop-a",
                (
                    Condition(FilterField.KEYWORD, Op.EQ, ("ann",)),
                    Condition(FilterField.STATUS, Op.EQ, ("1",)),
                ),
            )
        ]
        sort = Sort(SortField.CREATED_AT, True)
        assert store.reader is not None
        executed, record = _statements_on(store.reader.engine)
        try:
            first = [await store.query(s, sort, 0, 5) for s in (every, counted)]
            # The two keywords' trigram counts, and the second request's count on the hits.
            assert _counts(executed) == 3
            again = [
                await store.query(s, sort, offset, 5) for s in (every, counted) for offset in (0, 5)
            ]
            assert _counts(executed) == 3, "a total counted again although the file did not change"
            assert [total for _, total in again] == [first[0][1]] * 2 + [first[1][1]] * 2

            # Another connection commits a customer both requests match.
            added = replace(
                sources["shop-a"][0],
                id="9001",
                full_name="Ann Example",
                email="ann@example.com",
                status=1,
            )
            async with other.writing() as writer:
                await writer.upsert_customers([added], rank=0, pass_no=1, text_key=EN_US)
            after = [await store.query(s, sort, 0, 5) for s in (every, counted)]
            assert _counts(executed) == 6
            assert [total for _, total in after] == [first[0][1] + 1, first[1][1] + 1]
            grown = {**sources, "shop-a": [*sources["shop-a"], added]}
            assert after[0][1] == len(_oracle(grown, list(every[0].conditions), sort))
            assert after[1][1] == len(
                _oracle({"shop-a": grown["shop-a"]}, list(counted[0].conditions), sort)
            )
        finally:
            sa.event.remove(store.reader.engine, "before_cursor_execute", record)
    finally:
        await other.close()
        await store.close()


async def test_a_total_outlives_commits_that_change_nothing_it_counts_on_sqlite(
    tmp_path: Path,
) -> None:
    """A sync step that finds nothing new still commits (its state, its pass marks, the group
    list written again, the same record upserted again, a source's rank): the totals stay. A
    change to any counted column, even one written in place by another connection without a
    new `doc`, counts them again."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    other = open_store(sqlite_url(tmp_path))
    try:
        sources = await _filled(store)
        keyword = Condition(FilterField.KEYWORD, Op.EQ, ("ann",))
        status = Condition(FilterField.STATUS, Op.EQ, ("1",))
        selection = [SourceSelection(source, (keyword, status)) for source in sources]
        sort = Sort(SortField.CREATED_AT, True)
        assert store.reader is not None
        executed, record = _statements_on(store.reader.engine)
        try:
            _, total = await store.query(selection, sort, 0, 5)
            assert total == len(_oracle(sources, [keyword, status], sort)) > 0
            assert (
                _counts(executed) == 2
            )  # the keyword's trigram count, the page's count on the hits
            first = sources["shop-a"][0]
            async with other.writing() as writer:
                await writer.save_state(SyncState("shop-a", "shoptet", phase="following"))
                await writer.mark_seen("shop-a", [first.id], 2)
                await writer.replace_groups(
                    "shop-a", [GroupRecord(source="shop-a", id="1", numeric_id=1, name="Again")]
                )
                await writer.upsert_customers([first], rank=0, pass_no=2, text_key=EN_US)
            await other.set_rank("shop-b", 5)
            for offset in (0, 5):
                _, again = await store.query(selection, sort, offset, 5)
                assert again == total
            assert _counts(executed) == 2, (
                "a total counted again after commits that changed no count"
            )

            # Another connection turns a matching customer's status in place (its doc as it was).
            engine = sa.create_engine(sqlite_url(tmp_path).replace("+aiosqlite", ""))
            with engine.begin() as connection:
                connection.exec_driver_sql(
                    "UPDATE mirror_customers SET status = 0 WHERE rowid = (SELECT min(rowid) "
                    "FROM mirror_customers WHERE status = 1 AND name_fold LIKE '%ann%')"
                )
            engine.dispose()
            _, after = await store.query(selection, sort, 0, 5)
            assert after == total - 1
            assert _counts(executed) == 4
        finally:
            sa.event.remove(store.reader.engine, "before_cursor_execute", record)
    finally:
        await other.close()
        await store.close()


def test_the_content_version_watches_every_column_a_total_can_read() -> None:
    """Migration 0005's update trigger lists the counted columns: every customer column but
    the keys, the sort-only ones and the pass marks. A new column is counted unless listed
    here as one no total reads."""
    migration = importlib.import_module(
        "customer_gateway.mirror.migrations.versions.0005_content_version"
    )
    uncounted = {"source", "native_id", "rank", "nat", "name_key", "email_key", "pass_no"}
    assert set(migration.COUNTED_COLUMNS) == {c.name for c in customers.c} - uncounted


async def test_a_keyword_with_other_filters_takes_the_cheapest_plan_on_sqlite(
    tmp_path: Path,
) -> None:
    """The search box with a status filter: its page takes the plan the estimate makes
    cheapest (here the walk of the status index testing each row: GLOB), its total is counted
    on the trigram hits (not by testing every row)."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    try:
        sources = await _filled(store)
        store.statements.costs = PlanCosts(
            lookup_per_hit=1e9, hit_set_per_hit=1e9, walk_per_entry=1e9, row_per_entry=0.0
        )
        conditions = (
            Condition(FilterField.KEYWORD, Op.EQ, ("example",)),
            Condition(FilterField.STATUS, Op.EQ, ("0",)),
        )
        selection = [SourceSelection(source, conditions) for source in sources]
        sort = Sort(SortField.CREATED_AT, True)
        assert store.reader is not None
        executed, record = _statements_on(store.reader.engine)
        try:
            records, total = await store.query(selection, sort, 0, 5)
        finally:
            sa.event.remove(store.reader.engine, "before_cursor_execute", record)
        expected = _oracle(sources, list(conditions), sort)
        assert [(r.source, r.id) for r in records] == expected[:5]
        assert total == len(expected) > 5
        rows = [s for s in executed if "found.doc" in s]
        counted = [
            s for s in executed if "count(*)" in s.lower() and "mirror_customers.status" in s
        ]
        assert len(rows) == 1
        assert "GLOB" in rows[0]
        assert len(counted) == 1
        assert "GLOB" not in counted[0]
        assert "mirror_customers_fts" in counted[0]
    finally:
        await store.close()


@pytest.mark.parametrize("descending", [True, False])
async def test_a_keyword_within_a_group_walks_the_members_on_sqlite(
    tmp_path: Path, descending: bool
) -> None:
    """The search box within one group, in creation order: the group's members walked on the
    membership index, the pattern tested on each member's row, where the estimate makes that
    cheapest (here forced); every page is the oracle's. By name there is no member walk."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    try:
        sources = await _filled(store)
        store.statements.costs = PlanCosts(
            lookup_per_hit=1e9, hit_set_per_hit=1e9, walk_per_entry=1e9, row_per_entry=1.0
        )
        conditions = (
            Condition(FilterField.KEYWORD, Op.EQ, ("ann",)),
            Condition(FilterField.GROUP, Op.EQ, ("1",)),
        )
        selection = [SourceSelection(source, conditions) for source in sources]
        assert store.reader is not None
        for sort in (Sort(SortField.CREATED_AT, descending), Sort(SortField.NAME, descending)):
            expected = _oracle(sources, list(conditions), sort)
            assert len(expected) > 6
            executed, record = _statements_on(store.reader.engine)
            try:
                pages = [await store.query(selection, sort, offset, 3) for offset in (0, 3, 6)]
            finally:
                sa.event.remove(store.reader.engine, "before_cursor_execute", record)
            for offset, (records, total) in zip((0, 3, 6), pages, strict=True):
                assert [(r.source, r.id) for r in records] == expected[offset : offset + 3]
                assert total == len(expected)
            rows = [s for s in executed if "found.doc" in s]
            walked = sort.field is SortField.CREATED_AT
            assert all(("mirror_memberships.created_key" in s) is walked for s in rows), sort
            assert all("GLOB" in s for s in rows if walked)
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("other", "walked"),
    [
        (Condition(FilterField.STATUS, Op.EQ, ("0",)), "+mirror_customers.rowid"),
        (Condition(FilterField.STATUS, Op.IN, ("0", "1")), "+mirror_customers.rowid"),
        (Condition(FilterField.GROUP, Op.EQ, ("1",)), "+mirror_memberships.customer_row"),
    ],
)
async def test_a_keyword_beside_statuses_is_counted_on_the_status_index_on_sqlite(
    tmp_path: Path, other: Condition, walked: str
) -> None:
    """The search box with a status filter counts its matches by walking the status index
    against the trigram hits (no row read), the cheaper count while the hits are not a small
    part of the status's rows; beside a group filter, the group's entries of the membership
    index, which carry each member's row id (migration 0007), against the same hits."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    try:
        sources = await _filled(store)
        conditions = (Condition(FilterField.KEYWORD, Op.EQ, ("example",)), other)
        selection = [SourceSelection(source, conditions) for source in sources]
        sort = Sort(SortField.CREATED_AT, True)
        assert store.reader is not None
        executed, record = _statements_on(store.reader.engine)
        try:
            records, total = await store.query(selection, sort, 0, 5)
        finally:
            sa.event.remove(store.reader.engine, "before_cursor_execute", record)
        expected = _oracle(sources, list(conditions), sort)
        assert [(r.source, r.id) for r in records] == expected[:5]
        assert total == len(expected) > 5
        counted = [
            s
            for s in executed
            if "count(*)" in s.lower() and "mirror_customers_fts" in s and "group by" not in s
        ]
        counted = [s for s in counted if "mirror_customers.status" in s or "group_id" in s]
        assert len(counted) == 1
        assert walked in counted[0]
        if other.field is FilterField.GROUP:
            assert not re.search(r"\bmirror_customers\b(?!_)", counted[0]), "a row read to count"
    finally:
        await store.close()


async def test_a_connection_that_writes_keeps_no_total_on_sqlite(tmp_path: Path) -> None:
    """Its own commits do not move its `data_version`: a total it kept would outlive its own
    write. Only readers (`query_only`) keep totals."""
    store = open_store(sqlite_url(tmp_path))
    await store.migrate()
    try:
        sources = await _filled(store)
        condition = Condition(FilterField.KEYWORD, Op.EQ, ("example",))
        selection = [SourceSelection(source, (condition,)) for source in sources]
        sort = Sort(SortField.CREATED_AT, True)
        engine = sa.create_engine(sqlite_url(tmp_path).replace("+aiosqlite", ""))
        with engine.connect() as connection:

            def total() -> int:
                return read_page(store.statements, selection, sort, 0, 5, (), connection).total

            before = total()
            connection.exec_driver_sql(
                "UPDATE mirror_customers SET name_fold = 'zzzz', email_fold = 'zzzz' "
                "WHERE rowid = (SELECT min(rowid) FROM mirror_customers "
                "WHERE email_fold LIKE '%example%')"
            )
            connection.commit()
            assert total() == before - 1
        engine.dispose()
    finally:
        await store.close()


async def _every_stored_text(store: SqlMirrorStore) -> str:
    async with store.engine.connect() as connection:
        return await connection.run_sync(mirror_text)


async def test_a_deleted_customer_leaves_nothing_in_the_store(store: SqlMirrorStore) -> None:
    """Deletes and erasure remove data: after a customer changed (its earlier values logged for
    the kept totals) and was then deleted, no table of the store holds any of its values, the
    change logs included (migrations 0010, 0011); the totals kept before stay right."""
    sources = await _filled(store)
    selection = [SourceSelection("shop-a", (Condition(FilterField.KEYWORD, Op.EQ, ("ann",)),))]
    sort = Sort(SortField.CREATED_AT, descending=True)
    assert (await store.query(selection, sort, 0, 5))[1] > 0
    person = replace(
        sources["shop-a"][0],
        id="erase-me-4711",
        email="vymazatelna.osoba@example.org",
        full_name="Vymazatelná Osoba",
        phone="+420 777 123 456",
        company_name="Osobní Firma s.r.o.",
        external_id="ERP-ERASE-4711",
        groups=(GroupRef("2"),),
    )
    async with store.writing() as writer:
        await writer.upsert_customers([person], rank=0, pass_no=1, text_key=EN_US)
    async with store.writing() as writer:  # changed: its first values go to the log
        await writer.upsert_customers(
            [replace(person, full_name="Vymazatelná Ann Osoba", status=1 - person.status)],
            rank=0,
            pass_no=1,
            text_key=EN_US,
        )
    if store.backend == "sqlite":  # the row's bytes in the file itself, not only the WAL
        async with store.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = await _every_stored_text(store)
    assert "vymazateln" in stored  # the scan finds what is there
    assert "osobní firma" in stored
    async with store.writing() as writer:
        await writer.delete_customers("shop-a", [person.id])
    stored = await _every_stored_text(store)
    for value in (
        "vymazateln",
        "vymazatelna.osoba",
        "777123456",
        "osobní firma",
        "erp-erase",
        "erase-me",
    ):
        assert value not in stored, value
    if store.backend == "sqlite":
        # Nor its file: a deleted row's bytes are overwritten (`secure_delete`), once the
        # write-ahead log is checkpointed into the file and emptied.
        async with store.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            assert await connection.scalar(sa.text("PRAGMA secure_delete")) == 1
        path = Path(store.engine.url.database or "")
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                assert b"vymazatelna.osoba" not in file.read_bytes(), file
    expected = _oracle({"shop-a": sources["shop-a"]}, list(selection[0].conditions), sort)
    assert (await store.query(selection, sort, 0, 5))[1] == len(expected)
