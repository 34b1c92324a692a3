"""The store's migrations go down as well as up, on both databases: one revision at a time to
nothing and back to the head gives the tables module's schema, and a store with rows taken
back to 0009 (before PostgreSQL's change log) and up again keeps its rows and its totals right.

Each step down had to undo exactly what its step up did: a SQLite batch copy of a table drops
the triggers on it, which a later step down then failed to drop (columns now go in place)."""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import customer_gateway.mirror.migrations as migrations
from customer_gateway.connectors.models import Condition, FilterField, Op, Sort, SortField
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.store import SqlMirrorStore, open_store, postgres_url, sqlite_url
from tests.mirror.conftest import PG_SERVER, _admin
from tests.mirror.test_store import (
    EN_US,
    _filled,
    _oracle,
)
from tests.mirror.test_store import (
    test_the_migrated_schema_is_the_tables_module as assert_schema_is_the_tables_module,
)

pytestmark = pytest.mark.anyio

SCRIPTS = Path(migrations.__file__).parent
KEYWORD_AND_STATUS = (
    Condition(FilterField.KEYWORD, Op.EQ, ("ann",)),
    Condition(FilterField.STATUS, Op.EQ, ("1",)),
)
SORT = Sort(SortField.CREATED_AT, True)


@pytest.fixture(params=("sqlite", "postgres"))
async def own_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[SqlMirrorStore]:
    """A store in a database of its own (its schema goes down to nothing)."""
    if request.param == "sqlite":
        store = open_store(sqlite_url(tmp_path))
        await store.migrate()
        yield store
        await store.close()
        return
    name = f"gateway_migrations_test_{os.getpid()}_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}"')
    store = open_store(postgres_url(f"{PG_SERVER}/{name}"))
    try:
        await store.migrate()
        yield store
    finally:
        await store.close()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alembic(action: str, revision: str, connection: sa.Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)


async def _run(store: SqlMirrorStore, action: str, revision: str) -> str | None:
    async with store.engine.begin() as connection:
        await connection.run_sync(functools.partial(_alembic, action, revision))
    async with store.engine.connect() as connection:
        version = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    return None if version is None else str(version)


async def _total(store: SqlMirrorStore, sources: list[str]) -> int:
    selection = [SourceSelection(source, KEYWORD_AND_STATUS) for source in sources]
    return (await store.query(selection, SORT, 0, 5))[1]


async def test_every_migration_goes_down_and_up_again(own_store: SqlMirrorStore) -> None:
    await _filled(own_store)
    steps = 0
    while await _run(own_store, "downgrade", "-1") is not None:
        steps += 1
    assert steps == 10  # 0011 → 0001, then 0001 → nothing: every revision's downgrade ran
    assert await _run(own_store, "upgrade", "head") == "0011"
    await assert_schema_is_the_tables_module(own_store)
    sources = await _filled(own_store)
    expected = len(_oracle(sources, list(KEYWORD_AND_STATUS), SORT))
    assert await _total(own_store, list(sources)) == expected > 0


async def test_a_store_with_rows_goes_back_before_the_change_log_and_up_again(
    own_store: SqlMirrorStore,
) -> None:
    sources = await _filled(own_store)
    expected = len(_oracle(sources, list(KEYWORD_AND_STATUS), SORT))
    assert await _total(own_store, list(sources)) == expected
    assert await _run(own_store, "downgrade", "0009") == "0009"
    assert await _run(own_store, "upgrade", "head") == "0011"
    # A new reader (the kept parts are per process), then a counted change: the part kept at
    # the migration's numbers moves by the log the triggers write from now on.
    reader = open_store(own_store.engine.url.render_as_string(hide_password=False))
    try:
        assert await _total(reader, list(sources)) == expected
        changed = next(
            record
            for record in sources["shop-a"]
            if record.status == 1 and "ann" in (record.full_name or "").lower()
        )
        async with own_store.writing() as writer:
            await writer.upsert_customers(
                [replace(changed, status=0)], rank=0, pass_no=2, text_key=EN_US
            )
        assert await _total(reader, list(sources)) == expected - 1
    finally:
        await reader.close()
