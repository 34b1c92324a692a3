"""The mirror's PostgreSQL store cut (a TCP proxy between the gateway and the machine's
PostgreSQL) while reads go on: no 5xx, reads fail over to the source itself (at most the read
that found the store gone answers a retryable typed error for that source), the mirror reports
`unavailable`, and it serves again once the store answers, without a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.replicas.cluster import Cluster
from tests.replicas.servers import TcpProxy, drop_keys, postgres_database, require, unique

pytestmark = pytest.mark.anyio

PAGE = """{ customers(filters: [{key: "limit", operation: eq, value: "5"}]) {
  total items { uuid email } } }"""
MIRROR = {
    # Shoptet's snapshot job (the mirror's first load) needs a job:finished hook.
    "CUSTOMER_GATEWAY_SOURCES__SHOP__OPTIONS__WEBHOOK_URL": "https://hooks.invalid/shoptet",
    "CUSTOMER_GATEWAY_SOURCES__SHOP__SYNC_INTERVAL": "1",
}


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[Cluster, TcpProxy]]:
    require(6379, "Redis")
    prefix = unique("cg-test-h17-")
    proxy = TcpProxy(5432)
    proxy.restore()
    with postgres_database() as url:
        cluster = Cluster(
            tmp_path,
            "redis://127.0.0.1:6379/0",
            url.replace("127.0.0.1:5432", proxy.url_for),
            prefix,
        )
        try:
            cluster.start_emulator(latency=0.01)
            cluster.start_gateways(1, extra_env=MIRROR)
            yield cluster, proxy
        finally:
            cluster.stop()
            proxy.close()
            drop_keys(prefix)


def _read(url: str) -> tuple[int, dict[str, Any]]:
    response = httpx.post(f"{url}/graphql", json={"query": PAGE}, timeout=30)
    return response.status_code, response.json()


def _shop(payload: dict[str, Any]) -> dict[str, Any]:
    (source,) = payload["extensions"]["sources"]
    assert source["name"] == "shop"
    return dict(source)


def _until(url: str, state: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        status, payload = _read(url)
        assert status == 200, payload
        if "errors" not in payload and _shop(payload)["mirror"]["state"] == state:
            return payload
        assert time.monotonic() < deadline, payload
        time.sleep(0.2)


def test_reads_fail_over_to_the_source_and_come_back(gateway: tuple[Cluster, TcpProxy]) -> None:
    cluster, proxy = gateway
    url = cluster.gateways[0]
    _until(url, "fresh", 60)
    _, served = _read(url)  # decided after the first load (the one above may have started before)
    assert _shop(served)["requests"] == 0  # from the mirror
    expected = served["data"]["customers"]

    proxy.cut()
    answers = []
    for _ in range(4):
        status, payload = _read(url)
        assert status == 200, payload  # never a 5xx
        answers.append(payload)
    # The read that found the store gone may answer an error, for this source alone, typed and
    # retryable; every read after it is the source's own answer.
    failed = [answer for answer in answers if "errors" in answer]
    assert len(failed) <= 1, failed
    for answer in failed:
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert error["extensions"]["retryable"] is True
        assert error["extensions"]["source"] == "shop"
    live = answers[-1]
    assert _shop(live)["mirror"]["state"] == "unavailable"
    assert _shop(live)["requests"] > 0  # read from Shoptet itself
    assert live["data"]["customers"] == expected  # the same answer, exact
    ready = httpx.get(f"{url}/readyz", timeout=30)
    assert ready.status_code == 200

    proxy.restore()
    _until(url, "fresh", 30)
    _, back = _read(url)
    assert _shop(back)["requests"] == 0
    assert back["data"]["customers"] == expected
    log = cluster.log("gateway-0")
    assert "mirror store unavailable" in log
    assert "mirror store answers again" in log
