from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from customer_gateway.state.redis import SharedRedis
from tests.replicas.servers import (
    REDIS_URL,
    PrivateRedis,
    drop_keys,
    postgres_database,
    require,
    unique,
)


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own in the machine's Redis, emptied afterwards."""
    require(6379, "Redis")
    name = unique("cg-test-h17-")
    yield name
    drop_keys(name)


@pytest.fixture
async def replicas(prefix: str) -> AsyncIterator[list[SharedRedis]]:
    """Three replicas' Redis handles (separate clients and replica ids) over one prefix."""
    handles = [SharedRedis(REDIS_URL, prefix, heartbeat=0.2) for _ in range(3)]
    for handle in handles:
        await handle.start()
    for handle in handles:
        await handle._beat()  # every replica counts all three
    yield handles
    for handle in handles:
        await handle.close()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url
