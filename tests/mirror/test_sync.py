"""Sync against the emulators, on SQLite and PostgreSQL: under concurrent change the store ends
equal to the source; a sync killed mid-snapshot or mid-feed resumes without loss, duplicates or a
restart from zero; a missed 30-day feed window brings a fresh snapshot."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from customer_gateway.connectors.models import CustomerDraft, CustomerPatch, Sort
from customer_gateway.connectors.protocol import Connector
from customer_gateway.connectors.registry import CONNECTORS
from customer_gateway.connectors.transport import build_client
from customer_gateway.emulators.base import Emulator
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.mirror import store as store_module
from customer_gateway.mirror import sync as sync_module
from customer_gateway.mirror.handle import SourceMirror
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.rows import customer_doc
from customer_gateway.mirror.store import SqlMirrorStore
from customer_gateway.mirror.sync import Syncer
from tests.api.shoptet_fixtures import FakeClock
from tests.mirror.harness import emulators, source_settings

pytestmark = pytest.mark.anyio

KIND_SHOPS = ["evershop-a", "shoptet-b", "flow-c", "ecwid-d", "ecwid-e"]


@dataclass
class Rig:
    emulator: Emulator
    connector: Connector
    mirror: SourceMirror
    syncer: Syncer

    async def source_docs(self) -> dict[str, str]:
        return {r.id: customer_doc(r) async for r in self.connector.export_customers()}

    async def store_docs(self) -> dict[str, str]:
        records, total = await self.mirror.store.query(
            [SourceSelection(self.connector.name)], Sort(), 0, None
        )
        assert total == len(records)
        return {r.id: customer_doc(r) for r in records}


@asynccontextmanager
async def rig(
    store: SqlMirrorStore, name: str, emulator: Emulator | None = None, **settings: Any
) -> AsyncIterator[Rig]:
    emulator = emulator or emulators()[name]
    source = source_settings(name, emulator, mirror=True, **settings)
    client = build_client(source, httpx.ASGITransport(app=emulator.app))
    async with client:
        connector = CONNECTORS[emulator.kind](source, client)
        mirror = SourceMirror(name, emulator.kind, store, rank=0)
        yield Rig(emulator, connector, mirror, Syncer(connector, mirror, source))


async def _change(
    connector: Connector, rng: random.Random, rounds: int, ids: list[str] | None = None
) -> None:
    """Creates, updates and deletes at the source, between the sync's requests."""
    if ids is None:
        ids = [r.id async for r in connector.export_customers()]
    password = "secret-123" if connector.capabilities.create_requires_password else None
    for number in range(rounds):
        action = rng.choice(("create", "update", "delete"))
        if action == "create":
            record = await connector.create_customer(
                CustomerDraft(
                    email=f"new{number}.{rng.randrange(10**6)}@example.com",
                    full_name=f"Nová Zákaznice {number}",
                    password=password,
                )
            )
            ids.append(record.id)
        elif action == "update" and ids:
            # An EverShop update moves the customer to Default: say so (the connector asks).
            moved = ("1",) if connector.kind == "evershop" else None
            await connector.update_customer(
                rng.choice(ids), CustomerPatch(full_name=f"Změněné Jméno {number}", group_ids=moved)
            )
        elif ids:
            await connector.delete_customer(ids.pop(rng.randrange(len(ids))))
        await asyncio.sleep(0.005)


@pytest.mark.parametrize("name", KIND_SHOPS)
async def test_the_store_equals_the_source_after_change_during_sync(
    store: SqlMirrorStore, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_module, "PAGE", 15)  # many pages: changes land between them
    monkeypatch.setattr(sync_module, "BATCH", 15)
    async with rig(store, name, reconcile_interval=0.001) as r:
        await r.syncer.open()
        rng = random.Random(name)
        await asyncio.gather(r.syncer.step(), _change(r.connector, rng, 25))
        assert r.mirror.serving
        # Settling: the feed (or a reconcile pass) brings what changed meanwhile.
        for _ in range(3):
            assert await r.syncer.step()
        assert await r.store_docs() == await r.source_docs()
        # And a change after the load arrives with the next step.
        await _change(r.connector, rng, 10)
        assert await r.syncer.step()
        assert await r.store_docs() == await r.source_docs()


class Killed(BaseException):
    """The process dies (not an error the sync handles)."""


def _die_after(monkeypatch: pytest.MonkeyPatch, commits: int) -> list[int]:
    """The `commits`-th cursor write raises inside its transaction (rolled back)."""
    seen = [0]
    original = store_module.SqlWriter.save_state

    async def save_state(self: store_module.SqlWriter, state: store_module.SyncState) -> None:
        seen[0] += 1
        if seen[0] == commits:
            raise Killed
        await original(self, state)

    monkeypatch.setattr(store_module.SqlWriter, "save_state", save_state)
    return seen


async def test_killed_mid_snapshot_resumes_the_same_file(
    store: SqlMirrorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_module, "BATCH", 10)
    async with rig(store, "shoptet-b") as r:
        await r.syncer.open()
        _die_after(monkeypatch, 4)  # the job's cursor, then two batches, then death
        with pytest.raises(Killed):
            await r.syncer.step()
        monkeypatch.undo()
        assert 0 < await store.count("shoptet-b") < 60
        snapshots = len(r.emulator.requests("GET", "/api/customers/snapshot"))
        downloads = len(r.emulator.requests("GET", "/api-results"))
    async with rig(store, "shoptet-b", r.emulator) as again:  # a new process
        await again.syncer.open()
        assert not again.mirror.serving
        assert await again.syncer.step()
        assert len(r.emulator.requests("GET", "/api/customers/snapshot")) == snapshots
        assert len(r.emulator.requests("GET", "/api-results")) == downloads + 1
        assert await again.store_docs() == await again.source_docs()


async def test_killed_mid_feed_resumes_without_loss(
    store: SqlMirrorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_module, "FEED_BATCH", 3)
    async with rig(store, "shoptet-b") as r:
        await r.syncer.open()
        assert await r.syncer.step()
        await _change(r.connector, random.Random(7), 20)
        _die_after(monkeypatch, 3)
        with pytest.raises(Killed):
            await r.syncer.step()
        monkeypatch.undo()
        assert await r.store_docs() != await r.source_docs()
    async with rig(store, "shoptet-b", r.emulator) as again:
        await again.syncer.open()
        assert again.mirror.serving  # it serves (stale by a few changes) meanwhile
        assert await again.syncer.step()
        assert await again.store_docs() == await again.source_docs()


async def test_killed_mid_page_load_resumes_without_loss(
    store: SqlMirrorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page-by-page load (Flow Retail) killed mid-way resumes from its cursor and ends equal
    to the source. The first load reads no digests (the source has no row in the store); the
    resumed one compares them."""
    monkeypatch.setattr(sync_module, "PAGE", 7)
    digests = [0]
    original = SqlMirrorStore.digests

    async def counted(self: SqlMirrorStore, source: str, ids: Any) -> dict[str, str]:
        digests[0] += 1
        return await original(self, source, ids)

    async with rig(store, "flow-c") as r:
        await r.syncer.open()
        monkeypatch.setattr(SqlMirrorStore, "digests", counted)
        seen = _die_after(monkeypatch, 6)  # the groups, the pass's cursor, then pages
        with pytest.raises(Killed):
            await r.syncer.step()
        assert seen[0] == 6
        assert digests[0] == 0
        loaded = await store.count("flow-c")
        assert 0 < loaded < len(await r.source_docs())
        monkeypatch.undo()
    async with rig(store, "flow-c", r.emulator) as again:
        await again.syncer.open()
        assert not again.mirror.serving
        monkeypatch.setattr(SqlMirrorStore, "digests", counted)
        assert await again.syncer.step()
        assert digests[0] > 0
        assert await again.store_docs() == await again.source_docs()


async def test_a_page_load_builds_the_next_pages_rows_while_one_is_written(
    store: SqlMirrorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load's pages commit in order, and a page's rows are built while the page before it
    is being written (the database works in its own thread)."""
    monkeypatch.setattr(sync_module, "PAGE", 10)
    events: list[tuple[str, int]] = []
    prepare, write = Syncer._prepare, Syncer._write

    async def prepared(self: Syncer, state: Any, records: Any, *, compare: bool) -> Any:
        events.append(("prepare", state.cursor["load"]["offset"]))
        return await prepare(self, state, records, compare=compare)

    async def written(self: Syncer, batch: Any) -> None:
        offset = batch.state.cursor["load"]["offset"]
        events.append(("write", offset))
        await asyncio.sleep(0.05)  # a slow write: the next page arrives meanwhile
        await write(self, batch)
        events.append(("written", offset))

    monkeypatch.setattr(Syncer, "_prepare", prepared)
    monkeypatch.setattr(Syncer, "_write", written)
    async with rig(store, "flow-c") as r:
        await r.syncer.open()
        assert await r.syncer.step()
        assert await r.store_docs() == await r.source_docs()
    writes = [offset for kind, offset in events if kind == "write"]
    assert len(writes) > 3
    assert writes == [o for kind, o in events if kind == "written"]  # in order
    for page, following in zip(writes, writes[1:], strict=False):
        # The next page's rows are built after this page's write began, before it ended.
        start, end = events.index(("write", page)), events.index(("written", page))
        assert start < events.index(("prepare", following)) < end


async def test_a_flow_retail_load_asks_for_the_next_page_before_it_maps_this_one(
    store: SqlMirrorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flow Retail's list rows are whole records (`sync_rows_whole`): a sync page's rows are
    mapped when the sync reads them, after the next page's request went out."""
    from customer_gateway.connectors.flow_retail import mapping

    monkeypatch.setattr(sync_module, "PAGE", 7)
    events: list[tuple[str, Any]] = []
    customer = mapping.customer

    def mapped(*args: Any, **kwargs: Any) -> Any:
        events.append(("map", None))
        return customer(*args, **kwargs)

    monkeypatch.setattr(mapping, "customer", mapped)
    async with rig(store, "flow-c") as r:
        call = r.connector._call  # type: ignore[attr-defined]

        async def sent(method: str, path: str, **kwargs: Any) -> Any:
            if path == "/customers":
                events.append(("request", kwargs["params"]["pageNumber"]))
            return await call(method, path, **kwargs)

        r.connector._call = sent  # type: ignore[attr-defined]
        await r.syncer.open()
        assert await r.syncer.step()
        loaded = list(events)
        assert await r.store_docs() == await r.source_docs()
    events = loaded
    requests = [index for index, (kind, _) in enumerate(events) if kind == "request"]
    maps = [index for index, (kind, _) in enumerate(events) if kind == "map"]
    assert [events[index][1] for index in requests] == list(range(1, len(requests) + 1))
    assert len(requests) > 3
    for page in range(1, len(requests)):  # page `page`'s first row, after page + 1 was asked
        assert requests[page] < maps[(page - 1) * 7]


async def test_a_missed_feed_window_takes_a_fresh_snapshot(store: SqlMirrorStore) -> None:
    from customer_gateway.emulators.shoptet import ShoptetEmulator

    clock = FakeClock()
    emulator = ShoptetEmulator(
        seed=22, customers=40, rate_limits=False, job_seconds=0.1, clock=clock
    )
    async with rig(store, "shoptet-b", emulator) as r:
        r.syncer.clock = clock
        await r.syncer.open()
        task = asyncio.create_task(r.syncer.step())
        while not task.done():  # the emulator's jobs run on its clock
            clock.advance(0.05)
            await asyncio.sleep(0.01)
        assert task.result()
        assert len(emulator.requests("GET", "/api/customers/snapshot")) == 1
        clock.advance(31 * 24 * 3600)
        await _change(r.connector, random.Random(3), 6, sorted(await r.store_docs()))
        task = asyncio.create_task(r.syncer.step())
        while not task.done():
            clock.advance(0.05)
            await asyncio.sleep(0.01)
        assert task.result()
        assert len(emulator.requests("GET", "/api/customers/snapshot")) == 2
        assert not emulator.requests("GET", "/api/customers/changes")
        source = asyncio.create_task(r.source_docs())
        while not source.done():
            clock.advance(0.05)
            await asyncio.sleep(0.01)
        assert await r.store_docs() == source.result()


async def test_a_first_load_over_creation_time_ties_loses_no_customer(
    store: SqlMirrorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EverShop orders ties of `created_at` as PostgreSQL's sort does, differently for each
    LIMIT: offset pages by creation time over a tie skip a customer and repeat another. The
    first load pages by customer id (unique) and ends with every customer, in one step."""
    monkeypatch.setattr(sync_module, "PAGE", 7)
    shop = EverShopEmulator(seed=31, customers=0, rate_limits=False)
    moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    for number in range(60):
        shop.add_customer(
            email=f"tie{number}@example.com", full_name=f"Tie {number}", created_at=moment
        )
    async with rig(store, "evershop-ties", shop) as r:
        await r.syncer.open()
        assert await r.syncer.step()
        assert await r.store_docs() == await r.source_docs()
        assert len(await r.store_docs()) == 60


async def test_shoptet_without_a_job_webhook_loads_page_by_page(store: SqlMirrorStore) -> None:
    """No `webhook_url` and none registered: Shoptet refuses the snapshot, so the first load
    reads every list page and each customer's details; the change feed follows as usual."""
    from customer_gateway.emulators.shoptet import ShoptetEmulator

    emulator = ShoptetEmulator(seed=22, customers=45, rate_limits=False, job_seconds=0.1)
    async with rig(store, "shoptet-b", emulator, options={}) as r:
        await r.syncer.open()
        assert await r.syncer.step()
        assert r.mirror.serving
        assert not emulator.requests("GET", "/api/customers/snapshot")
        assert len(emulator.requests("GET", "/api/customers")) >= 1
        loaded = await r.store_docs()
        await _change(r.connector, random.Random(5), 8, sorted(loaded))
        assert await r.syncer.step()  # the change feed
        assert emulator.requests("GET", "/api/customers/changes")
        assert not emulator.requests("GET", "/api/customers/snapshot")
        stored = await r.store_docs()
    # The oracle: the same shop's snapshot, read by a connector that may register the webhook.
    async with rig(store, "shoptet-b", emulator) as oracle:
        assert stored == await oracle.source_docs()
        assert len(stored) >= 40
