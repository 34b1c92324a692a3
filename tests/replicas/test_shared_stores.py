"""The idempotency store on a real PostgreSQL (its own database), the write locks and the lease on
the machine's Redis (its own prefix); PostgreSQL going away through a TCP proxy that is cut."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from customer_gateway.connectors.locks import RedisRecordLocks
from customer_gateway.connectors.models import Address, CustomerRecord, GroupRef
from customer_gateway.features.idempotency import State
from customer_gateway.state.idempotency import (
    IdempotencyUnavailable,
    PostgresIdempotencyStore,
    decode_record,
    encode_record,
    engine_for,
)
from customer_gateway.state.lease import Lease
from customer_gateway.state.redis import SharedRedis
from tests.replicas.servers import TcpProxy

pytestmark = pytest.mark.anyio

KEY = "api-key-1\x00order-7"  # how the resolver scopes a key: caller NUL key

RECORD = CustomerRecord(
    source="shoptet-cz",
    id="a1",
    numeric_id=7,
    email="ada@example.com",
    full_name="Ada",
    status=1,
    created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    groups=(GroupRef("g1", 3, "VIP"),),
    addresses=(Address(id="x", kind="billing", city="Brno"),),
    metadata={"k": [1, "two"]},
    missing=frozenset({"phone"}),
)


def test_a_record_survives_json() -> None:
    assert decode_record(encode_record(RECORD)) == RECORD


async def test_concurrent_claims_on_several_replicas_make_one_owner(postgres_url: str) -> None:
    stores = [PostgresIdempotencyStore(engine_for(postgres_url)) for _ in range(3)]
    try:
        for store in stores:
            await store.create_tables()
        claims = await asyncio.gather(*(stores[i % 3].claim(KEY, "fp") for i in range(10)))
        assert sum(claim is None for claim in claims) == 1
        assert all(c.state is State.IN_PROGRESS for c in claims if c is not None)
        await stores[0].finish(KEY, RECORD)
        seen = await stores[2].claim(KEY, "fp")
        assert seen is not None
        assert seen.state is State.DONE
        assert seen.record == RECORD
        await stores[1].forget(KEY)
        assert await stores[1].claim(KEY, "fp") is None
    finally:
        for store in stores:
            await store.aclose()


async def test_a_claim_whose_replica_died_becomes_unknown(postgres_url: str) -> None:
    store = PostgresIdempotencyStore(engine_for(postgres_url), claim_seconds=0.2)
    try:
        assert await store.claim(KEY, "fp") is None  # ... and this replica dies mid-create
        await asyncio.sleep(0.3)
        seen = await store.claim(KEY, "fp")
        assert seen is not None
        assert seen.state is State.UNKNOWN
        again = await store.claim(KEY, "fp")  # ... and holds it meanwhile
        assert again is not None
        assert again.state is State.IN_PROGRESS
        assert await store.sweep() == 0
    finally:
        await store.aclose()


async def test_postgres_going_away_fails_claims_closed_and_comes_back(postgres_url: str) -> None:
    proxy = TcpProxy(5432)
    proxy.restore()
    url = postgres_url.replace("127.0.0.1:5432", proxy.url_for)
    store = PostgresIdempotencyStore(engine_for(url, timeout=1.0), timeout=2.0)
    try:
        assert await store.claim("a", "fp") is None
        assert await store.ping()
        proxy.cut()
        started = time.monotonic()
        with pytest.raises(IdempotencyUnavailable) as raised:
            await store.claim("b", "fp")
        assert time.monotonic() - started < 3
        assert raised.value.code.value == "IDEMPOTENCY_UNAVAILABLE"
        assert raised.value.retryable
        assert store.up is False
        await store.finish("a", RECORD)  # logged, not raised: the customer exists
        proxy.restore()
        assert await store.claim("b", "fp") is None
        assert store.up is True
    finally:
        await store.aclose()
        proxy.close()


async def test_write_locks_hold_across_replicas(replicas: list[SharedRedis]) -> None:
    locks = [RedisRecordLocks(r) for r in replicas]
    inside = 0
    peak = 0

    async def write(index: int) -> None:
        nonlocal inside, peak
        async with locks[index % 3].hold("shoptet", "customer:1"):
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(write(i) for i in range(12)))
    assert peak == 1
    assert await replicas[0].client.exists(replicas[0].key("lock", "shoptet", "customer:1")) == 0


async def test_a_lease_has_one_holder_and_is_taken_over(replicas: list[SharedRedis]) -> None:
    first = Lease(replicas[0], "sync:shoptet", ttl=0.6)
    second = Lease(replicas[1], "sync:shoptet", ttl=0.6)
    token = await first.acquire()
    assert token is not None
    assert first.held
    assert await second.acquire() is None
    assert not second.held
    assert await first.renew() == token  # renewing keeps the token
    # The holder dies (stops renewing): the other takes over within the ttl, with a larger
    # token, and the dead one's own view ran out before that.
    started = time.monotonic()
    while (taken := await second.acquire()) is None:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    assert time.monotonic() - started < 1.0
    assert not first.held
    assert taken > token
    assert await second.latest_token() == taken
    assert await first.acquire() is None  # someone else holds it now
    await second.release()
    assert await first.acquire() == taken + 1
