"""The identity index of one running gateway: opened on the mirror's database, told of every
mirror write, rebuilt when its match settings change."""

from __future__ import annotations

import asyncio
import logging

from customer_gateway.features.exports import Exports
from customer_gateway.features.idempotency import IdempotencyStore
from customer_gateway.identity.erasure import Erasures
from customer_gateway.identity.gdpr import Lookup, background_call, eraser, forgetter
from customer_gateway.identity.index import IdentityIndex, MatchSettings
from customer_gateway.mirror.runtime import Mirrors, store_url
from customer_gateway.mirror.store import SqlMirrorStore, open_store
from customer_gateway.server.datadir import DataDir
from customer_gateway.server.settings import Settings

logger = logging.getLogger("customer_gateway.identity")


def match_settings(settings: Settings) -> MatchSettings:
    return MatchSettings(
        match_phone=settings.identity.match_phone,
        countries={source.name: source.phone_country for source in settings.sources},
    )


async def open_index(settings: Settings, mirrors: Mirrors | None) -> IdentityIndex | None:
    """The index over the mirrored sources (None: no mirror, or `[identity] enabled = false`).
    Call before the mirrors start syncing: every write from then on reaches it."""
    if mirrors is None or not isinstance(mirrors.store, SqlMirrorStore):
        return None
    store = mirrors.store
    index = IdentityIndex(
        store.engine, match_settings(settings), transaction=store.write_transaction
    )
    await index.migrate()
    if not settings.identity.enabled:
        # Writes from now on pass it by: turned on again, it is rebuilt.
        await index.forget_settings()
        return None
    if await index.needs_rebuild():
        people = await index.rebuild()
        logger.info("identity: index rebuilt (%d people)", people)
    else:
        await index.record_settings()
    store.observers.append(index)
    return index


async def retry_erasures(
    erasures: Erasures,
    interval: float,
    lookup: Lookup,
    index: IdentityIndex,
    idempotency: IdempotencyStore,
    exports: Exports,
) -> None:
    """Every `interval` seconds, each open erasure request tries its pending customers again
    (a source that was down); runs until cancelled."""
    erase = eraser(lookup, background_call)
    forget = forgetter(lookup, index, idempotency, exports)
    while True:
        await asyncio.sleep(interval)
        try:
            for request in await erasures.open_requests():
                await erasures.run(request, erase, forget)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database is away: the next round tries again
            logger.exception("identity: retrying erasure requests failed")


async def rebuild_now(settings: Settings) -> int:
    """`customer-gateway rebuild-people`: every mirrored customer matched again (explicit links
    and unlinks kept); the number of people."""
    data = DataDir.open(settings.data_dir)
    try:
        store = open_store(store_url(settings, data.path))
        try:
            await store.migrate()
            index = IdentityIndex(store.engine, match_settings(settings))
            await index.migrate()
            return await index.rebuild()
        finally:
            await store.close()
    finally:
        data.close()
