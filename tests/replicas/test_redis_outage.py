"""Redis stopped and started under load, two gateway processes over one Shoptet emulator: no
5xx and no error, each replica reports Redis down and its local share (/readyz, /metrics) and
returns to the shared limits without a restart."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from tests.replicas.cluster import Cluster
from tests.replicas.servers import PrivateRedis, unique

pytestmark = pytest.mark.anyio

READ = """{ customers(filters: [{key: "limit", operation: eq, value: "1"}]) {
  items { uuid email } } }"""


async def test_redis_down_and_back_under_load(tmp_path: Path) -> None:
    redis = PrivateRedis(tmp_path)
    redis.start()
    cluster = Cluster(tmp_path, redis.url, None, unique("cg-test-h17-"))
    try:
        cluster.start_emulator(latency=0.02)
        # Pass-through: the limits are about upstream calls (the mirror would serve reads).
        cluster.start_gateways(2, extra_env={"CUSTOMER_GATEWAY_SOURCES__SHOP__MIRROR": "false"})
        statuses: list[int] = []
        errors: list[object] = []
        stop = asyncio.Event()

        async def load(client: httpx.AsyncClient, url: str) -> None:
            while not stop.is_set():
                response = await client.post(f"{url}/graphql", json={"query": READ}, timeout=30)
                statuses.append(response.status_code)
                if "errors" in response.json():
                    errors.append(response.json()["errors"])
                # At most 5 requests/s per loop, 10/s in all: Shoptet's bucket drains 10/s, so
                # the limits never have to refuse (this test is about Redis, not the bucket).
                await asyncio.sleep(0.2)

        async def readiness(client: httpx.AsyncClient, url: str) -> dict[str, object]:
            body: dict[str, object] = (await client.get(f"{url}/readyz")).json()["state"]["redis"]
            return body

        async with httpx.AsyncClient(timeout=30) as client:  # /readyz probes each source
            loops = [asyncio.create_task(load(client, url)) for url in cluster.gateways]
            await asyncio.sleep(1.0)
            assert (await readiness(client, cluster.gateways[0]))["limits"] == "shared"
            redis.stop()
            await asyncio.sleep(2.0)
            for url in cluster.gateways:
                report = await readiness(client, url)
                assert report["state"] == "down"
                assert report["limits"] == "local"
                metrics = (await client.get(f"{url}/metrics")).text
                assert 'gateway_shared_state_up{store="redis"} 0.0' in metrics
            redis.start()
            deadline = time.monotonic() + 10
            for url in cluster.gateways:
                while (await readiness(client, url))["limits"] != "shared":
                    assert time.monotonic() < deadline, "a replica did not return to shared limits"
                    await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)
            stop.set()
            await asyncio.gather(*loops)
            metrics = (await client.get(f"{cluster.gateways[0]}/metrics")).text
            assert "gateway_redis_outages_total 1.0" in metrics
        assert len(statuses) > 20
        assert set(statuses) == {200}
        assert errors == []
        counts = cluster.emulator_counts()
        assert counts["peakInFlight"] <= 3
        assert counts["tooManyConnections"] == 0
        assert "redis unreachable" in cluster.log("gateway-0")
        assert "shared limits resume" in cluster.log("gateway-0")
    finally:
        cluster.stop()
        redis.stop()
