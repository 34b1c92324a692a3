"""One source's sync loop: load every customer once, then follow the source's changes.

    empty → loading (a snapshot file, or every page) → following (the change feed, or newest-page
    checks and periodic reconcile passes) ⇄ stale (the source fails: reads go on from the store)

Each step commits rows together with the cursor that describes them (`SyncState`), a few hundred
rows per transaction: a crash resumes where the committed rows end, and memory stays flat
whatever the shop's size. The sync's requests count against the source's published limits
like live ones and use at most half of them and all connections but one
(`resilience.BACKGROUND_SHARE`): live requests never queue behind a snapshot.

How a kind is synced is its connector's `capabilities.sync`:

- SNAPSHOT_FEED (Shoptet): the snapshot job's gzip JSON Lines, then `/customers/changes` every
  `sync_interval`, the changed customers' details read under the connection cap; a fresh snapshot
  when the feed's 30-day window was missed or it reports more changes than it serves.
- PAGING_FEED (Ecwid): every page, then `updatedFrom` + the deleted log every `sync_interval`;
  a reconcile pass when the store's count and the source's disagree.
- RECONCILE (EverShop, Flow Retail, the Ecwid wrapper): every page, then a newest-page check
  every `sync_interval` and a full reconcile pass every `reconcile_interval` (a hash per row:
  unchanged rows are not rewritten; rows a complete pass did not see are confirmed gone with a
  detail read, then deleted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from customer_gateway.connectors.errors import NotFound, Unsupported, UpstreamError
from customer_gateway.connectors.models import (
    ChangeType,
    CustomerQuery,
    CustomerRecord,
    SnapshotJob,
    Sort,
    SortField,
    SyncStyle,
)
from customer_gateway.connectors.protocol import ChangeFeed, Connector, Snapshots, no_api
from customer_gateway.connectors.resilience import BACKGROUND_SHARE
from customer_gateway.core.errors import ErrorCode, GatewayError
from customer_gateway.features.events import CustomerEvent, EventHub
from customer_gateway.mirror.availability import STORE_FAILURES
from customer_gateway.mirror.handle import SourceMirror
from customer_gateway.mirror.rows import CustomerRows, Document, customer_rows, document
from customer_gateway.mirror.store import Fenced, StoreWriter, SyncState
from customer_gateway.server.settings import SourceSettings
from customer_gateway.state.lease import Lease

logger = logging.getLogger("customer_gateway.mirror")

PAGE = 500  # customers per page when paging through a source (capped by its page size)
BATCH = 2000  # rows per transaction while loading a snapshot (fewer, larger index flushes)
FEED_BATCH = 20  # changes applied per transaction (their details are read first)
MAX_CHANGES = 2000  # changes one feed poll reads; more: a fresh load is cheaper
FEED_OVERLAP = timedelta(minutes=10)  # feeds are re-read from a little earlier (clock skew)
FEED_WINDOW = timedelta(days=29)  # Shoptet keeps 30 days of changes: refresh before the edge
DELETED_WINDOW = timedelta(days=179)  # Ecwid keeps its deleted log for 6 months
BACKGROUND = 0.5  # share of each published limit the sync may use
HEAD = 100  # newest customers read by a check between reconcile passes
STANDBY_POLL = 0.5  # seconds between a standby replica's tries for the sync lease
YIELD_ROWS = 100  # documents built between two turns of the event loop (`Syncer._prepare`)

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class _Batch:
    """One page's write (`Syncer._prepare`): its rows, the ids only marked seen, the cursor."""

    state: SyncState
    rows: CustomerRows
    unchanged: list[str]
    edited: list[str]  # announced after the commit


class Syncer:
    def __init__(
        self,
        connector: Connector,
        mirror: SourceMirror,
        settings: SourceSettings,
        *,
        clock: Clock = time.time,
        lease: Lease | None = None,
        events: EventHub | None = None,
    ) -> None:
        self.connector = connector
        self.mirror = mirror
        self.settings = settings
        self.clock = clock
        # With a lease (`[state] redis_url`), steps run only while it is held and every write
        # carries its fencing token; without one, this process syncs on its own (one process).
        self.lease = lease
        self.fence: int | None = None  # the token while holding the lease
        self.leases_taken = 0
        self.fenced_out = 0  # writes refused because a successor had written
        self.events = events
        self._announcing = False  # true while following: loads announce nothing
        self.style = connector.capabilities.sync
        self.started = asyncio.Event()  # the state was read from the store
        self.synced = asyncio.Event()  # the first complete load is in the store
        self._lock = asyncio.Lock()  # one step at a time (the loop, `customer-gateway sync`)
        self.on_step: Callable[[SourceMirror], None] | None = None
        self._lost = False  # a write of this holder was fenced out

    @property
    def name(self) -> str:
        return self.connector.name

    async def open(self) -> SyncState:
        state = await self.mirror.store.state(self.name)
        if state is None:
            state = SyncState(self.name, self.connector.kind, rank=self.mirror.rank)
        self.mirror.pass_no = state.pass_no
        self.mirror.serving = state.loaded_at is not None
        self.mirror.health.synced_at = state.synced_at
        self.mirror.health.records = await self.mirror.store.count(self.name)
        if self.mirror.serving:
            if await self.mirror.store.list_groups(self.name):
                self.mirror.groups = True  # the groups a step stored (restart: no source call)
            self.synced.set()
        self.started.set()
        return state

    async def run(self) -> None:
        """Forever: a step to the present every `sync_interval` (a failed one is retried then).
        With a lease, only while holding it; meanwhile the store's state (written by the
        holder) is what this replica reports."""
        await self.open()
        if self.lease is None:
            await self._steps()
            return
        while True:
            token = await self.lease.acquire()
            if token is None:
                await self.refresh()
                await asyncio.sleep(STANDBY_POLL)
                continue
            await self._hold(self.lease, token)

    @property
    def holding(self) -> bool:
        return self.fence is not None and self.lease is not None and self.lease.held

    def lease_report(self) -> dict[str, object] | None:
        """/readyz and /metrics: whether this replica holds the source's sync lease."""
        if self.lease is None:
            return None
        return {"held": self.holding, "token": self.fence, "taken": self.leases_taken}

    async def _steps(self) -> None:
        """Steps every `sync_interval`; returns when a write was fenced out (lease lost)."""
        while True:
            await self.step()
            if self._lost:
                return
            await asyncio.sleep(self.settings.sync_interval)

    async def _hold(self, lease: Lease, token: int) -> None:
        """Steps while the lease is renewed (every ttl / 3); a failed renewal stops the step
        under way at once (its open transaction rolls back; the fence refuses it anyway)."""
        self.fence, self._lost = token, False
        self.leases_taken += 1
        logger.info("mirror of %s: sync lease taken (token %d)", self.name, token)
        worker = asyncio.create_task(self._steps(), name=f"sync {self.name} steps")
        try:
            while True:
                done, _ = await asyncio.wait({worker}, timeout=lease.ttl / 3)
                if worker in done:
                    worker.result()
                    break
                if await lease.renew() != token:
                    logger.warning("mirror of %s: sync lease lost; syncing stops", self.name)
                    break
        finally:
            if not worker.done():
                worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            self.fence = None
            if self._lost:
                await lease.release()

    async def leased_step(self, *, full: bool = False) -> bool | None:
        """One step under the lease (`customer-gateway sync`), renewed while it runs; None
        when another holder has it (a replica is syncing the source)."""
        assert self.lease is not None
        token = await self.lease.acquire()
        if token is None:
            return None
        self.fence = token
        task = asyncio.create_task(self.step(full=full))
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.lease.ttl / 3)
                if task in done:
                    return task.result()
                if await self.lease.renew() != token:
                    return False
        finally:
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.fence = None
            await self.lease.release()

    async def reread(self, ids: Sequence[str]) -> None:
        """A webhook's targeted re-read: the customers' details now, into the store (deleted
        when the source no longer has them), announced when they changed. Not fenced: like a
        write through the gateway it is one customer's present state, and the next sync step
        reconciles. A failure is logged and left to the sync."""
        token = BACKGROUND_SHARE.set(BACKGROUND)
        try:
            found = await self._details(list(ids))
        except (GatewayError, OSError) as error:
            code = error.code.value if isinstance(error, GatewayError) else "UPSTREAM_UNAVAILABLE"
            logger.warning("mirror of %s: a webhook's re-read failed: %s", self.name, code)
            return
        finally:
            BACKGROUND_SHARE.reset(token)
        present = [record for record in found if record is not None and not record.missing]
        gone = [key for key, record in zip(ids, found, strict=True) if record is None]
        announcing = self._announcing
        self._announcing = self.mirror.serving
        try:
            edited, deleted = await self._changed(present, gone)
        finally:
            self._announcing = announcing
        async with self.mirror.store.writing() as writer:
            await writer.upsert_customers(
                present,
                rank=self.mirror.rank,
                pass_no=self.mirror.pass_no,
                text_key=self.mirror.text_key,
            )
            await writer.delete_customers(self.name, gone)
        self._announce(edited, deleted)

    async def refresh(self) -> None:
        """What the holder wrote (a replica that does not sync): serving, last sync, error."""
        try:
            state = await self.mirror.store.state(self.name)
            if state is not None:
                self.mirror.serving = state.loaded_at is not None
                self.mirror.health.synced_at = state.synced_at
                self.mirror.health.error = state.error
                self.mirror.pass_no = state.pass_no
                if self.mirror.serving:
                    if self.mirror.groups is None and await self.mirror.store.list_groups(
                        self.name
                    ):
                        self.mirror.groups = True
                    self.synced.set()
            self.mirror.health.records = await self.mirror.store.count(self.name)
        except Exception as error:  # the store down: reported by the reads that need it
            logger.warning("mirror of %s: state unreadable (%s)", self.name, type(error).__name__)

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[StoreWriter]:
        """A transaction of the sync: fenced by the lease's token when there is a lease."""
        async with self.mirror.store.writing() as writer:
            if self.fence is not None:
                await writer.fence(self.name, self.fence)
            yield writer

    # -- events ----------------------------------------------------------------------------

    async def _changed(
        self, records: Sequence[CustomerRecord], gone: Sequence[str]
    ) -> tuple[list[str], list[str]]:
        """Which of `records` are new or differ from the store, which of `gone` it holds:
        what a write of them changes (read before the write; nothing while loading)."""
        if not self._announcing or self.events is None or not (records or gone):
            return [], []
        known = await self.mirror.store.digests(self.name, [*(r.id for r in records), *gone])
        edited = [r.id for r in records if known.get(r.id) != document(r).digest]
        return edited, [key for key in gone if key in known]

    def _announce(
        self,
        edited: Sequence[str],
        deleted: Sequence[str],
        at: Mapping[str, datetime] | None = None,
    ) -> None:
        """After the commit: each change once, to this replica's subscribers and (through
        Redis) the others'. Only the lease holder syncs, so no replica announces it twice.
        `at`: when the source says each changed (else now)."""
        if self.events is None:
            return
        now = datetime.now(UTC)
        # A gateway's write announced some of these moments ago; what the sync reads now is
        # that write (its answer is often not the record the source lists, so the digests
        # differ): announced once. An upstream change in the same moments is folded into it.
        echo = max(10.0, 2 * self.settings.sync_interval)
        for change, keys in ((ChangeType.EDIT, edited), (ChangeType.DELETE, deleted)):
            for key in keys:
                if self.events.written_recently(self.name, key, echo):
                    continue
                moment = at.get(key, now) if at is not None else now
                self.events.publish(CustomerEvent(self.name, key, change, moment, "sync"))

    async def step(self, *, full: bool = False) -> bool:
        """One step to the source's present; False when the source failed it (then stale)."""
        health = self.mirror.health
        async with self._lock:
            token = BACKGROUND_SHARE.set(BACKGROUND)
            try:
                await self._step(full)
            except Fenced:
                # A successor holds the lease and has written: this replica stops, quietly.
                self.fenced_out += 1
                self._lost = True
                logger.warning("mirror of %s: a newer sync lease holder wrote; stopping", self.name)
                return False
            except (GatewayError, *STORE_FAILURES) as error:
                # OSError here is the source's connection or the store's; both retry next step.
                code = (
                    error.code.value if isinstance(error, GatewayError) else "UPSTREAM_UNAVAILABLE"
                )
                health.error, health.error_at = code, self.clock()
                health.errors += 1
                logger.warning(
                    "mirror sync of %s failed: %s%s",
                    self.name,
                    code,
                    "" if isinstance(error, GatewayError) else f" ({type(error).__name__})",
                )
                await self._note_error(code)
                return False
            except Exception:
                health.error, health.error_at = ErrorCode.INTERNAL.value, self.clock()
                health.errors += 1
                logger.exception("mirror sync of %s failed unexpectedly", self.name)
                return False
            finally:
                BACKGROUND_SHARE.reset(token)
                # The store may be what failed: the count waits for the next step then.
                with contextlib.suppress(*STORE_FAILURES):
                    health.records = await self.mirror.store.count(self.name)
                if self.on_step is not None:
                    self.on_step(self.mirror)
        health.error = None
        return True

    async def _note_error(self, code: str) -> None:
        with contextlib.suppress(*STORE_FAILURES):  # the store down: noted in memory only
            state = await self.mirror.store.state(self.name)
            if state is not None:
                with contextlib.suppress(Fenced):  # a successor's state stands
                    async with self._writing() as writer:
                        await writer.save_state(state.but(error=code, attempt_at=self.clock()))

    async def _step(self, full: bool) -> None:
        state = await self.mirror.store.state(self.name) or SyncState(
            self.name, self.connector.kind, rank=self.mirror.rank, collation=self.mirror.collation
        )
        if full:
            state = state.but(phase="empty", cursor={})
        # The groups first: a load's end starts serving, and a page then names its rows'
        # groups from the store in the same read (`SyncingSource.groups_in_store`).
        await self._sync_groups()
        if state.phase != "following":
            state = await self._load(state)
        else:
            state = await self._follow(state)
        await self._save(state.but(error=None, attempt_at=self.clock()))

    # -- loading ---------------------------------------------------------------------------

    async def _load(self, state: SyncState) -> SyncState:
        self._announcing = False  # a load announces nothing (a subscriber wants changes)
        started = self.clock()
        # Into an empty store (SQLite): the indexes are built once at the end (`bulk.py`).
        await self.mirror.store.bulk_load()
        if self.style is SyncStyle.SNAPSHOT_FEED and "load" not in state.cursor:
            try:
                state, since = await self._load_snapshot(state)
            except Unsupported as error:
                # No snapshot for this source (Shoptet runs one only for an e-shop with a
                # job:finished webhook): every list page, each customer's details read under
                # the connection cap. Slow on a large shop, exact; the feed follows as usual.
                logger.warning(
                    "mirror of %s: no snapshot (%s); loading page by page", self.name, error.code
                )
                state = await self._page_through(state.but(cursor={}), "load")
                since = datetime.fromtimestamp(float(state.cursor["started"]), UTC)
        elif self.style is SyncStyle.SNAPSHOT_FEED:
            # A page-by-page load under way (a crash or a restart): it goes on where it ended.
            state = await self._page_through(state, "load")
            since = datetime.fromtimestamp(float(state.cursor["started"]), UTC)
        else:
            state = await self._page_through(state, "load")
            since = datetime.fromtimestamp(float(state.cursor.get("started", started)), UTC)
        await self.mirror.store.end_bulk_load()
        await self._settle_unseen(state.pass_no)
        now = self.clock()
        cursor = (
            {"since": (since - FEED_OVERLAP).isoformat()}
            if self.style is not SyncStyle.RECONCILE
            else {"reconciled_at": now}
        )
        state = state.but(phase="following", cursor=cursor, loaded_at=now, synced_at=now)
        await self._save(state)
        await self.mirror.store.analyze()
        self._reached_present(now)
        return state

    async def _load_snapshot(self, state: SyncState) -> tuple[SyncState, datetime]:
        cursor = state.cursor
        if state.phase != "loading" or "job" not in cursor:
            state = await self._new_snapshot(state)
        try:
            return await self._read_snapshot(state)
        except NotFound:
            # The file expired (resumed too late): a new job, the rows read so far stay.
            state = await self._new_snapshot(state)
            return await self._read_snapshot(state)

    def _snapshots(self) -> Snapshots:
        if not isinstance(self.connector, Snapshots):
            raise no_api(self.connector, "export a snapshot")
        return self.connector

    def _change_feed(self) -> ChangeFeed:
        if not isinstance(self.connector, ChangeFeed):
            raise no_api(self.connector, "report changed customers")
        return self.connector

    async def _new_snapshot(self, state: SyncState) -> SyncState:
        job = await self._snapshots().start_snapshot()
        cursor = {"job": job.job_id, "url": job.url, "as_of": job.as_of.isoformat(), "lines": 0}
        state = state.but(phase="loading", cursor=cursor, pass_no=state.pass_no + 1)
        self.mirror.pass_no = state.pass_no
        await self._save(state)
        return state

    async def _read_snapshot(self, state: SyncState) -> tuple[SyncState, datetime]:
        cursor = dict(state.cursor)
        self.mirror.pass_no = state.pass_no
        job = SnapshotJob(cursor["job"], cursor["url"], datetime.fromisoformat(cursor["as_of"]))
        done = int(cursor["lines"])
        seen = 0
        batch: list[CustomerRecord] = []
        # The file is read on while the previous batch is written (the database works in its
        # own thread); batches commit one after another, in order, each with its cursor.
        writing: asyncio.Future[SyncState] | None = None
        try:
            async for record in self._snapshots().snapshot_records(job):
                seen += 1
                if seen <= done:
                    continue  # committed before the process stopped
                batch.append(record)
                if len(batch) >= BATCH:
                    if writing is not None:
                        await writing
                    state = state.but(cursor={**cursor, "lines": seen})
                    writing = asyncio.ensure_future(self._commit(state, batch))
                    batch = []
            if writing is not None:
                await writing
                writing = None
        finally:
            if writing is not None and not writing.done():
                writing.cancel()
                with contextlib.suppress(BaseException):
                    await writing
        state = await self._commit(state.but(cursor={**cursor, "lines": seen}), batch)
        return state, job.as_of

    async def _page_through(self, state: SyncState, purpose: str) -> SyncState:
        """Every page, oldest first, from the cursor's offset: a load or a reconcile pass.
        Rows whose hash is unchanged are only marked seen."""
        cursor = dict(state.cursor.get(purpose) or {})
        if "offset" not in cursor:
            cursor = {"offset": 0, "started": self.clock()}
            state = state.but(pass_no=state.pass_no + 1)
            if purpose == "load":
                state = state.but(phase="loading")
            state = state.but(cursor={**state.cursor, purpose: cursor})
            await self._save(state)
        self.mirror.pass_no = state.pass_no
        offset: int | None = cursor["offset"]
        # A load into a source the store holds no row of compares no digests: every row it
        # reads is new to the store (a row a shifted page repeats is written again, with the
        # values it was written with; a load announces nothing). Resumed over rows, or a
        # reconcile pass: rows whose digest is unchanged are only marked seen.
        compare = purpose != "load" or await self.mirror.store.count(self.name) > 0
        # The next page is read while this one is written (a crash drops the read-ahead only).
        ahead = (
            asyncio.ensure_future(self.connector.sync_page(offset, PAGE))
            if offset is not None
            else None
        )
        # A page's rows are built while the page before it is written (the database works in
        # its own thread); pages commit one after another, in order, each with its cursor.
        writing: asyncio.Future[None] | None = None
        try:
            while ahead is not None:
                page = await ahead
                offset = page.next_offset
                ahead = None
                if offset is not None:
                    ahead = asyncio.ensure_future(self.connector.sync_page(offset, PAGE))
                    await asyncio.sleep(0)  # its request goes out before this page is mapped
                state = state.but(cursor={**state.cursor, purpose: {**cursor, "offset": offset}})
                if compare and writing is not None:
                    # Digests are read after the page before is in: a row a shifted page
                    # repeats is then seen unchanged (announced once), as written.
                    await writing
                    writing = None
                batch = await self._prepare(state, page.items, compare=compare)
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(self._write(batch))
                await asyncio.sleep(0)  # the write takes its turn before the next page's rows
            if writing is not None:
                await writing
                writing = None
        finally:
            for pending in (ahead, writing):
                if pending is not None and not pending.done():
                    pending.cancel()
                    with contextlib.suppress(BaseException):
                        await pending
        if purpose == "load":
            state = state.but(cursor={**state.cursor, "started": cursor["started"]})
        return state

    async def _commit(
        self, state: SyncState, records: Sequence[CustomerRecord], *, compare: bool = False
    ) -> SyncState:
        """Rows and the cursor after them, in one transaction."""
        await self._write(await self._prepare(state, records, compare=compare))
        return state

    async def _prepare(
        self, state: SyncState, records: Sequence[CustomerRecord], *, compare: bool
    ) -> _Batch:
        """What `_write` commits: the rows of `records` that changed (`compare`: the others'
        digests are the store's), built outside the write transaction."""
        unchanged: list[str] = []
        docs: list[Document] = []  # once: compared, then written
        for start in range(0, len(records), YIELD_ROWS):
            if start:
                # A write under way (its statements go to the database's thread one by one)
                # sends its next one: the rows are built while the database works.
                await asyncio.sleep(0)
            docs.extend([document(record) for record in records[start : start + YIELD_ROWS]])
        if compare and records:
            known = await self.mirror.store.digests(self.name, [r.id for r in records])
            unchanged = [
                r.id for r, d in zip(records, docs, strict=True) if known.get(r.id) == d.digest
            ]
            same = set(unchanged)
            kept = [(r, d) for r, d in zip(records, docs, strict=True) if r.id not in same]
            records, docs = [r for r, _ in kept], [d for _, d in kept]
        edited = [r.id for r in records] if compare and self._announcing else []
        await asyncio.sleep(0)
        rows = customer_rows(
            records,
            rank=self.mirror.rank,
            pass_no=state.pass_no,
            text_key=self.mirror.text_key,
            docs=docs,
        )
        return _Batch(state, rows, unchanged, edited)

    async def _write(self, batch: _Batch) -> None:
        """A prepared batch's rows and its cursor, in one transaction; then its announcements."""
        async with self._writing() as writer:
            await writer.write_rows(batch.rows)
            if batch.unchanged:
                await writer.mark_seen(self.name, batch.unchanged, batch.state.pass_no)
            await writer.save_state(batch.state)
        self._announce(batch.edited, [])

    async def _settle_unseen(self, pass_no: int) -> None:
        """Rows a complete pass did not see: gone upstream (deleted), or skipped because a
        deletion shifted the pages. A detail read tells which."""
        while ids := await self.mirror.store.unseen(self.name, pass_no, 100):
            found = await self._details(ids)
            present = [record for record in found if record is not None]
            gone = [key for key, record in zip(ids, found, strict=True) if record is None]
            edited, deleted = await self._changed(present, gone)
            async with self._writing() as writer:
                await writer.upsert_customers(
                    present, rank=self.mirror.rank, pass_no=pass_no, text_key=self.mirror.text_key
                )
                await writer.delete_customers(self.name, gone)
            self._announce(edited, deleted)

    async def _details(self, ids: Sequence[str]) -> list[CustomerRecord | None]:
        """Detail reads, a few at a time: the sync keeps one connection free for live reads."""
        cap = self.connector.capabilities.max_concurrency or self.settings.max_connections
        chunk = max(1, min(10, cap - 1))
        found: list[CustomerRecord | None] = []
        for start in range(0, len(ids), chunk):
            found.extend(await self.connector.get_customers(ids[start : start + chunk]))
        return found

    # -- following -------------------------------------------------------------------------

    async def _follow(self, state: SyncState) -> SyncState:
        self.mirror.pass_no = state.pass_no
        self._announcing = True
        if self.style is SyncStyle.RECONCILE:
            return await self._reconcile_or_check(state)
        return await self._feed(state)

    async def _feed(self, state: SyncState) -> SyncState:
        polled = self.clock()
        since = datetime.fromisoformat(state.cursor["since"])
        window = FEED_WINDOW if self.style is SyncStyle.SNAPSHOT_FEED else DELETED_WINDOW
        if datetime.fromtimestamp(polled, UTC) - since > window:
            logger.info("mirror of %s: the change feed's window was missed; reloading", self.name)
            return await self._load(state.but(phase="loading", cursor={}))
        try:
            page = await self._change_feed().list_changes(since, None, 0, MAX_CHANGES)
        except GatewayError as error:
            if error.code is not ErrorCode.QUERY_TOO_COMPLEX:
                raise
            logger.info("mirror of %s: too many changes for the feed; reloading", self.name)
            return await self._load(state.but(phase="loading", cursor={}))
        if page.total > len(page.items):
            return await self._load(state.but(phase="loading", cursor={}))
        changes = list(page.items)
        for start in range(0, len(changes), FEED_BATCH):
            batch = changes[start : start + FEED_BATCH]
            edits = [c.id for c in batch if c.change_type is ChangeType.EDIT]
            found = await self._details(edits) if edits else []
            present = [record for record in found if record is not None]
            gone = [c.id for c in batch if c.change_type is ChangeType.DELETE]
            gone += [key for key, record in zip(edits, found, strict=True) if record is None]
            state = state.but(cursor={"since": batch[-1].changed_at.isoformat()})
            edited, deleted = await self._changed(present, gone)
            async with self._writing() as writer:
                await writer.upsert_customers(
                    present,
                    rank=self.mirror.rank,
                    pass_no=state.pass_no,
                    text_key=self.mirror.text_key,
                )
                await writer.delete_customers(self.name, gone)
                await writer.save_state(state)
            self._announce(edited, deleted, {c.id: c.changed_at for c in batch})
        if self.style is SyncStyle.PAGING_FEED and await self._counts_differ():
            # A page shift during the load skipped a customer no change will report.
            state = await self._reconcile(state)
        cursor_since = datetime.fromtimestamp(polled, UTC) - FEED_OVERLAP
        state = state.but(cursor={"since": max(cursor_since, since).isoformat()}, synced_at=polled)
        self._reached_present(polled)
        return state

    async def _counts_differ(self) -> bool:
        page = await self.connector.list_customers(CustomerQuery(limit=1))
        return page.total != await self.mirror.store.count(self.name)

    async def _reconcile_or_check(self, state: SyncState) -> SyncState:
        checked = self.clock()
        due = (
            checked - float(state.cursor.get("reconciled_at", 0))
            >= self.settings.reconcile_interval
        )
        if due or "reconcile" in state.cursor:
            state = await self._reconcile(state)
            state = state.but(cursor={"reconciled_at": self.clock()})
        else:
            await self._check_newest(state)
            if await self._counts_differ():
                state = await self._reconcile(state)
                state = state.but(cursor={"reconciled_at": self.clock()})
        state = state.but(synced_at=checked)
        self._reached_present(checked)
        return state

    async def _reconcile(self, state: SyncState) -> SyncState:
        state = await self._page_through(state, "reconcile")
        await self._settle_unseen(state.pass_no)
        cursor = {key: value for key, value in state.cursor.items() if key != "reconcile"}
        return state.but(cursor=cursor)

    async def _check_newest(self, state: SyncState) -> None:
        """The newest customers (creations show up within `sync_interval`)."""
        size = min(HEAD, self.connector.capabilities.max_page_size or HEAD)
        page = await self.connector.list_customers(
            CustomerQuery(sort=Sort(SortField.CREATED_AT, descending=True), limit=size)
        )
        records = list(page.items)
        lacking = [r.id for r in records if r.missing]
        if lacking:
            details = {r.id: r for r in await self._details(lacking) if r is not None}
            records = [details.get(r.id, r) for r in records]
        await self._commit(state, [r for r in records if not r.missing], compare=True)

    # -- groups and bookkeeping -------------------------------------------------------------

    async def _sync_groups(self) -> None:
        try:
            records = await self.connector.list_groups()
        except Unsupported:
            self.mirror.groups = False
            return
        except UpstreamError:
            return  # the groups stay as they were; the customers are what the step is for
        async with self._writing() as writer:
            await writer.replace_groups(self.name, records)
        self.mirror.groups = True

    async def _save(self, state: SyncState) -> None:
        async with self._writing() as writer:
            await writer.save_state(state)

    def _reached_present(self, moment: float) -> None:
        self.mirror.health.synced_at = moment
        self.mirror.serving = True
        self.synced.set()
