"""Three gateway processes over one Shoptet emulator process, sharing the machine's Redis and
PostgreSQL (their own prefix and database), on real sockets.

- 60 concurrent requests that need Shoptet's details: the emulator never has more than 3 in
  flight (its own count) and answers no 429;
- one idempotency key sent concurrently to the three replicas 10 times: one customer, every
  answer the same customer;
- PostgreSQL cut (a TCP proxy in front of it): keyed creates fail closed with a typed error,
  reads keep working, and keyed creates work again once it is back.
The Redis outage runs on a private redis-server (test_redis_outage.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.replicas.cluster import Cluster
from tests.replicas.servers import TcpProxy, drop_keys, postgres_database, require, unique

pytestmark = pytest.mark.anyio

DETAILS = """query($filters: [FilterInput]) {
  customers(filters: $filters) { items { uuid email status } } }"""
CREATE = """mutation($input: CustomerCreateInput!) {
  createCustomer(source: "shop", input: $input) { uuid email } }"""
BY_EMAIL = (
    """query($filters: [FilterInput]) { customers(filters: $filters) { total items { uuid } } }"""
)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, TcpProxy]]:
    require(6379, "Redis")
    prefix = unique("cg-test-h17-")
    proxy = TcpProxy(5432)
    proxy.restore()
    with postgres_database() as url:
        through_proxy = url.replace("127.0.0.1:5432", proxy.url_for)
        cluster = Cluster(
            Path(tmp_path_factory.mktemp("replicas")),
            "redis://127.0.0.1:6379/0",
            through_proxy,
            prefix,
        )
        try:
            cluster.start_emulator(latency=0.05)
            # Pass-through: these guarantees are about upstream calls (the mirror would serve reads).
            cluster.start_gateways(3, extra_env={"CUSTOMER_GATEWAY_SOURCES__SHOP__MIRROR": "false"})
            yield cluster, proxy
        finally:
            cluster.stop()
            proxy.close()
            drop_keys(prefix)


async def _post(
    client: httpx.AsyncClient, url: str, query: str, variables: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, timeout=30
    )
    return response.status_code, response.json()


async def test_three_replicas_keep_shoptets_three_connections(
    cluster: tuple[Cluster, TcpProxy],
) -> None:
    gateways, emulator = cluster[0].gateways, cluster[0]
    emulator.emulator_counts(reset=True)
    async with httpx.AsyncClient() as client:
        answers = await asyncio.gather(
            *(
                _post(
                    client,
                    gateways[index % 3],
                    DETAILS,
                    # One row each: a list and a detail per request, 120 upstream requests
                    # within Shoptet's bucket, so pacing never has to refuse one.
                    {
                        "filters": [
                            {"key": "limit", "operation": "eq", "value": "1"},
                            {"key": "page", "operation": "eq", "value": str(1 + index % 20)},
                        ]
                    },
                )
                for index in range(60)
            )
        )
    for status, body in answers:
        assert status == 200
        assert "errors" not in body, body["errors"]
        assert body["data"]["customers"]["items"][0]["email"]
    counts = emulator.emulator_counts()
    assert counts["peakInFlight"] == 3  # used to the full, never beyond
    assert counts["tooManyConnections"] == 0
    assert counts["bucketFull"] == 0


async def test_one_key_on_three_replicas_makes_one_customer(
    cluster: tuple[Cluster, TcpProxy],
) -> None:
    gateways = cluster[0].gateways
    email = f"{unique('replay-')}@example.com"
    variables = {"input": {"email": email, "fullName": "Ada Replica", "idempotencyKey": email}}
    async with httpx.AsyncClient() as client:
        answers = await asyncio.gather(
            *(_post(client, gateways[index % 3], CREATE, variables) for index in range(10))
        )
        assert all(body["data"]["createCustomer"] for _, body in answers), answers
        created = {body["data"]["createCustomer"]["uuid"] for _, body in answers}
        assert len(created) == 1, answers  # every replica replayed the one customer
        status, found = await _post(
            client,
            gateways[0],
            BY_EMAIL,
            {"filters": [{"key": "email", "operation": "eq", "value": email}]},
        )
    assert found["data"]["customers"]["total"] == 1


async def test_postgres_cut_fails_keyed_creates_closed_and_reads_go_on(
    cluster: tuple[Cluster, TcpProxy],
) -> None:
    gateways, proxy = cluster[0].gateways, cluster[1]
    email = f"{unique('cut-')}@example.com"
    variables = {"input": {"email": email, "fullName": "Ada Cut", "idempotencyKey": email}}
    proxy.cut()
    try:
        async with httpx.AsyncClient() as client:
            status, body = await _post(client, gateways[1], CREATE, variables)
            assert status == 200
            assert body["data"] is None or body["data"]["createCustomer"] is None
            error = body["errors"][0]["extensions"]
            assert error["code"] == "IDEMPOTENCY_UNAVAILABLE"
            assert error["retryable"] is True
            # Reads do not need PostgreSQL.
            status, read = await _post(
                client,
                gateways[2],
                DETAILS,
                {"filters": [{"key": "limit", "operation": "eq", "value": "2"}]},
            )
            assert status == 200
            assert "errors" not in read
            ready = (await client.get(f"{gateways[1]}/readyz")).json()
            assert ready["state"]["postgres"]["state"] == "down"
            # Nothing was created while it was cut.
            _, found = await _post(
                client,
                gateways[0],
                BY_EMAIL,
                {"filters": [{"key": "email", "operation": "eq", "value": email}]},
            )
            assert found["data"]["customers"]["total"] == 0
    finally:
        proxy.restore()
    async with httpx.AsyncClient() as client:
        status, body = await _post(client, gateways[1], CREATE, variables)
        assert body["data"]["createCustomer"]["email"] == email
        ready = (await client.get(f"{gateways[1]}/readyz")).json()
        assert ready["state"]["postgres"]["state"] == "up"
