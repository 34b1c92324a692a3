"""The mirror's suites run on both stores: the embedded SQLite file and a real PostgreSQL.

PostgreSQL is the one at 127.0.0.1:5432 (trust auth, user postgres; `.ci/run` starts it where it
is not running). Each test session creates a database of its own, named uniquely, and drops it at
the end. An unreachable server fails the tests that need it, loudly: it never skips them.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

import customer_gateway.schema  # noqa: F401  (before the resolvers: they import each other)
from customer_gateway.mirror.store import SqlMirrorStore, open_store, postgres_url, sqlite_url
from customer_gateway.mirror.tables import metadata

PG_SERVER = os.environ.get("MIRROR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
BACKENDS = ("sqlite", "postgres")


async def _execute(statement: str) -> None:
    connection = await asyncpg.connect(f"{PG_SERVER}/postgres", timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _admin(statement: str) -> None:
    """On a loop of its own (the fixture may be set up from inside a running test's loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _execute(statement)).result()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database on the local PostgreSQL for this test session (its URL)."""
    name = f"gateway_mirror_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        _admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as error:
        pytest.fail(
            f"PostgreSQL at {PG_SERVER} is not reachable ({error!r}); the mirror suite needs it "
            "(start it: pg_ctlcluster --skip-systemctl-redirect <version> main start)",
            pytrace=False,
        )
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        return sqlite_url(tmp_path)
    database: str = request.getfixturevalue("postgres_database")
    return postgres_url(database)


async def fresh_store(url: str) -> SqlMirrorStore:
    """A migrated store with no rows (PostgreSQL's database is shared by the session)."""
    store = open_store(url)
    await store.migrate()
    if store.backend == "postgresql":
        async with store.engine.begin() as connection:
            names = ", ".join(table.name for table in metadata.sorted_tables)
            await connection.execute(sa.text(f"TRUNCATE {names}"))
    return store


@pytest.fixture
async def mirror_target(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> dict[str, object]:
    """Where a gateway under test keeps its mirror: a data_dir (SQLite) or the session's
    PostgreSQL database, emptied."""
    if backend == "sqlite":
        return {"data_dir": tmp_path}
    database: str = request.getfixturevalue("postgres_database")
    emptied = await fresh_store(postgres_url(database))
    await emptied.close()
    return {"postgres": database}


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[SqlMirrorStore]:
    opened = await fresh_store(store_url)
    try:
        yield opened
    finally:
        await opened.close()
