"""The identity suites run on both stores (the mirror's fixtures: SQLite in tmp_path, a
database of this session's own on the local PostgreSQL, dropped at the end)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from customer_gateway.identity.index import IdentityIndex, MatchSettings
from customer_gateway.identity.tables import metadata as identity_metadata
from customer_gateway.mirror.store import SqlMirrorStore
from tests.mirror.conftest import (  # noqa: F401  (fixtures)
    backend,
    fresh_store,
    mirror_target,
    postgres_database,
    store_url,
)


async def identity_store(url: str, match: MatchSettings) -> tuple[SqlMirrorStore, IdentityIndex]:
    """A migrated mirror store and identity index, both empty, the index observing the store."""
    store = await fresh_store(url)
    index = IdentityIndex(store.engine, match)
    await index.migrate()
    async with store.engine.begin() as connection:
        for table in reversed(identity_metadata.sorted_tables):
            await connection.execute(sa.delete(table))
    store.observers.append(index)
    return store, index


@pytest.fixture
async def indexed(
    store_url: str,  # noqa: F811  (the mirror's fixture)
) -> AsyncIterator[tuple[SqlMirrorStore, IdentityIndex]]:
    store, index = await identity_store(store_url, MatchSettings())
    try:
        yield store, index
    finally:
        await store.close()


@pytest.fixture
async def identity_target(
    mirror_target: dict[str, object],  # noqa: F811  (the mirror's fixture)
) -> dict[str, object]:
    """Where a gateway under test keeps its mirror and index: emptied, both."""
    database = mirror_target.get("postgres")
    if isinstance(database, str):
        from customer_gateway.mirror.store import open_store, postgres_url

        store = open_store(postgres_url(database))
        try:
            index = IdentityIndex(store.engine, MatchSettings())
            await index.migrate()
            async with store.engine.begin() as connection:
                for table in reversed(identity_metadata.sorted_tables):
                    await connection.execute(sa.delete(table))
        finally:
            await store.close()
    return mirror_target
