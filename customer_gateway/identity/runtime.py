"""The identity index of one running gateway: opened on the mirror's database, told of every
mirror write, rebuilt when its match settings change."""

from __future__ import annotations

import logging

from customer_gateway.identity.index import IdentityIndex, MatchSettings
from customer_gateway.mirror.runtime import Mirrors
from customer_gateway.mirror.store import SqlMirrorStore
from customer_gateway.settings import Settings

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
    index = IdentityIndex(store.engine, match_settings(settings))
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
