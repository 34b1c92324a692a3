"""The mirrors of one running gateway: the store, a handle and a sync loop per mirrored source,
and which connector serves each request."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from customer_gateway.connectors.protocol import Connector
from customer_gateway.features.events import EventHub
from customer_gateway.mirror.handle import SourceMirror
from customer_gateway.mirror.source import MirroredSource, SyncingSource, mirrored_classes
from customer_gateway.mirror.store import MirrorStore, open_store, postgres_url, sqlite_url
from customer_gateway.mirror.sync import Syncer
from customer_gateway.server.settings import Settings
from customer_gateway.server.sources import Sources
from customer_gateway.state.lease import Lease
from customer_gateway.state.redis import SharedRedis

logger = logging.getLogger("customer_gateway.mirror")

MAX_REREADS = 100  # webhook re-reads under way per process; more are left to the sync


def store_url(settings: Settings, data_dir: Path) -> str:
    if settings.state.postgres_url is not None:
        return postgres_url(settings.state.postgres_url.reveal())
    return sqlite_url(data_dir)


def lease_name(settings: Settings, source: str, data_dir: Path) -> str:
    """The sync lease of `source` over this store. PostgreSQL is one store for every replica:
    `sync:<source>`. An embedded SQLite file is shared by the processes of one host only, so
    its lease is that file's (`sync:<source>@<host>:<digest of the path>`): each host keeps
    its own file loaded, one process syncing it."""
    if settings.state.postgres_url is not None:
        return f"sync:{source}"
    where = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return f"sync:{source}@{socket.gethostname()}:{where}"


class Mirrors:
    def __init__(self, store: MirrorStore) -> None:
        self.store = store
        self.handles: dict[str, SourceMirror] = {}
        self.syncers: dict[str, Syncer] = {}
        self._syncing: dict[str, SyncingSource] = {}
        self._mirrored: dict[str, MirroredSource] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._rereads: set[asyncio.Task[None]] = set()
        self.webhooks: Counter[tuple[str, str]] = Counter()  # (source, outcome) → notices

    @classmethod
    async def open(
        cls,
        settings: Settings,
        sources: Sources,
        data_dir: Path,
        *,
        redis: SharedRedis | None = None,
        events: EventHub | None = None,
    ) -> Mirrors | None:
        """The store (migrated) and a handle per source with `mirror = true`; None: no mirror.
        With `redis`, each source syncs only under its lease (one syncer across replicas);
        with `events`, what a sync step changes is announced to live subscribers.

        Retention: rows of sources no longer configured, or no longer mirrored, are deleted
        here (README, "Mirror")."""
        wanted = [source for source in settings.sources if source.mirror]
        if not wanted:
            return None
        store = open_store(store_url(settings, data_dir))
        await store.migrate()
        mirrors = cls(store)
        for known in await store.states():
            if known.source not in {source.name for source in wanted}:
                logger.info("mirror: deleting the rows of %s (no longer mirrored)", known.source)
                await store.purge(known.source)
        positions = {name: index for index, name in enumerate(sources.names())}
        for source_settings in wanted:
            connector = sources.get(source_settings.name)
            assert connector is not None
            rank = positions[connector.name]
            state = await store.state(connector.name)
            if state is not None and state.collation != source_settings.collation:
                # Its sort keys are in the collation it had: loaded again in the new one.
                logger.info("mirror of %s: collation changed; loading it again", connector.name)
                await store.purge(connector.name)
            elif state is not None and state.rank != rank:
                await store.set_rank(connector.name, rank)
            handle = SourceMirror(
                connector.name,
                connector.kind,
                store,
                rank,
                collation=source_settings.collation,
            )
            lease = (
                Lease(redis, lease_name(settings, connector.name, data_dir))
                if redis is not None
                else None
            )
            mirrors.add(connector, handle, lease=lease, events=events)
        for name, syncer in mirrors.syncers.items():
            await syncer.open()
            logger.info("mirror of %s: %s", name, mirrors.handles[name].state())
        return mirrors

    def add(
        self,
        connector: Connector,
        handle: SourceMirror,
        *,
        lease: Lease | None = None,
        events: EventHub | None = None,
    ) -> None:
        syncing_class, mirrored_class = mirrored_classes(connector)
        self.handles[connector.name] = handle
        self._syncing[connector.name] = syncing_class(connector, handle)
        self._mirrored[connector.name] = mirrored_class(connector, handle)
        self.syncers[connector.name] = Syncer(
            self._syncing[connector.name], handle, connector.settings, lease=lease, events=events
        )

    def reread(self, source: str, ids: Sequence[str]) -> bool:
        """Schedule a webhook's targeted re-read (in the background: the sender gets its answer
        at once). False when too many are under way: dropped, the sync brings the change."""
        syncer = self.syncers.get(source)
        if syncer is None:
            return False
        if len(self._rereads) >= MAX_REREADS:
            logger.warning("mirror of %s: webhook re-reads queue full; left to the sync", source)
            return False
        task = asyncio.create_task(syncer.reread(ids), name=f"reread {source}")
        self._rereads.add(task)
        task.add_done_callback(self._rereads.discard)
        return True

    def start(self) -> None:
        """A sync loop per source, in the background."""
        for syncer in self.syncers.values():
            self._tasks.append(asyncio.create_task(syncer.run(), name=f"sync {syncer.name}"))

    async def close(self) -> None:
        rereads = list(self._rereads)
        for task in [*self._tasks, *rereads]:
            task.cancel()
        for task in rereads:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.store.close()

    def serving(self, sources: Sources, *, live: bool = False) -> Sources:
        """`sources` with each mirrored source's connector for this request: the store's once
        its first load is complete (unless the request asks for a live read, or the store does
        not answer), else the source itself (its writes still go into the store)."""
        replaced: dict[str, Connector] = {}
        store_answers = self.store.availability.available
        for name in sources.names():
            handle = self.handles.get(name)
            if handle is None:
                continue
            if handle.serving and store_answers and not live:
                replaced[name] = self._mirrored[name]
            else:
                replaced[name] = self._syncing[name]
        return sources.replacing(replaced)

    async def wait_synced(self, seconds: float = 60.0) -> None:
        """Until every mirror serves (tests, benchmarks)."""
        async with asyncio.timeout(seconds):
            for syncer in self.syncers.values():
                await syncer.synced.wait()

    def reports(self, now: float | None = None) -> Mapping[str, dict[str, Any]]:
        now = time.time() if now is None else now
        return {name: handle.report(now) for name, handle in self.handles.items()}

    def leases(self) -> Mapping[str, dict[str, object]]:
        """Per source with a sync lease: held by this replica, its token, times taken."""
        return {
            name: report
            for name, syncer in self.syncers.items()
            if (report := syncer.lease_report()) is not None
        }
