"""`customer-gateway sync` and the mirror column of `customer-gateway check`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AsyncExitStack

from customer_gateway.mirror.runtime import Mirrors
from customer_gateway.mirror.store import SQLITE_FILE, open_store, postgres_url
from customer_gateway.server.datadir import DataDir
from customer_gateway.server.settings import Settings
from customer_gateway.server.sources import open_sources
from customer_gateway.state.redis import SharedRedis

LEASE_HELD = "skipped: a gateway replica holds its sync lease and syncs it"


async def sync_now(
    settings: Settings, only: Sequence[str], *, full: bool
) -> list[tuple[str, str, int, str]]:
    """One sync step per mirrored source (all, or `only`): (source, "ok" or the error code,
    records, the mirror's state). With `[state] redis_url` a step runs under the source's sync
    lease like a replica's (a source a running replica syncs is skipped: it is being synced)."""
    async with AsyncExitStack() as stack:
        sources = open_sources(settings, stack)
        data = DataDir.open(settings.data_dir)
        stack.callback(data.close)
        redis = None
        if settings.state.redis_url is not None:
            redis = SharedRedis(settings.state.redis_url.reveal(), settings.state.redis_prefix)
            await redis.start()
            stack.push_async_callback(redis.close)
        mirrors = await Mirrors.open(settings, sources, data.path, redis=redis)
        if mirrors is None:
            return []
        stack.push_async_callback(mirrors.store.close)
        rows = []
        for name, syncer in mirrors.syncers.items():
            if only and name not in only:
                continue
            handle = mirrors.handles[name]
            if syncer.lease is not None:
                leased = await syncer.leased_step(full=full)
                if leased is None:
                    rows.append((name, LEASE_HELD, handle.health.records, handle.state()))
                    continue
                ok = leased
            else:
                ok = await syncer.step(full=full)
            result = "ok" if ok else handle.health.error or "failed"
            rows.append((name, result, handle.health.records, handle.state()))
        return rows


async def mirror_states(settings: Settings) -> dict[str, str]:
    """What `check` says of each mirrored source, read from the store (never created here)."""
    mirrored = [source.name for source in settings.sources if source.mirror]
    if not mirrored:
        return {}
    if settings.state.postgres_url is not None:
        url = postgres_url(settings.state.postgres_url.reveal())
    else:
        if settings.data_dir is None:
            return {}
        path = DataDir.open(settings.data_dir).path / SQLITE_FILE
        if not path.exists():
            return {name: "not loaded yet" for name in mirrored}
        url = f"sqlite+aiosqlite:///{path}"
    store = open_store(url)
    try:
        states = {state.source: state for state in await store.states()}
        described = {}
        now = time.time()
        for name in mirrored:
            state = states.get(name)
            if state is None or state.loaded_at is None:
                described[name] = "not loaded yet"
                continue
            lag = f"{now - state.synced_at:.0f} s ago" if state.synced_at else "never"
            failing = f", last step failed: {state.error}" if state.error else ""
            described[name] = f"{await store.count(name)} records, synced {lag}{failing}"
        return described
    except Exception as error:  # a store that cannot be read is reported, not a traceback
        return {name: f"store unreadable ({type(error).__name__})" for name in mirrored}
    finally:
        await store.close()
