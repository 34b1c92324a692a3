"""The gateway as a subgraph of a company supergraph: Hive's compose-cli composes it with a small
orders subgraph that extends `Customer`, Hive Gateway serves the supergraph, and one query
crosses both (customers from the gateway, their orders from the other subgraph).

Uses the Hive Gateway install of bench/peer (`make test-clients` installs it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.clients.federation.orders import orders_of
from tests.clients.servers import REPO, Gateways, free_port

PEER = REPO / "bench" / "peer"
BIN = PEER / "node_modules" / ".bin"

CROSSING = """{
  customers(filters: [{key: "limit", operation: eq, value: "5"}]) {
    total
    items { uuid fullName externalOrders { number total } }
  }
}"""


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url} exited:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up:\n{log.read_text()[-3000:]}")


def _start(command: list[str], log: Path, **kwargs: Any) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, **kwargs)


@pytest.fixture(scope="module")
def supergraph(gateways: Gateways, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert (BIN / "hive-gateway").exists(), "bench/peer is not installed: run make test-clients"
    workdir = tmp_path_factory.mktemp("federation")
    orders_port, router_port = free_port(), free_port()
    orders_log = workdir / "orders.log"
    orders = _start(
        [sys.executable, "-m", "tests.clients.federation.orders", str(orders_port)],
        orders_log,
        cwd=REPO,
    )
    router: subprocess.Popen[bytes] | None = None
    try:
        _wait(f"http://127.0.0.1:{orders_port}/graphql", orders, orders_log)
        composed = workdir / "supergraph.graphql"
        env = {
            **os.environ,
            "CUSTOMERS_ENDPOINT": gateways.healthy_graphql,
            "ORDERS_ENDPOINT": f"http://127.0.0.1:{orders_port}/graphql",
        }
        compose = subprocess.run(
            [str(BIN / "mesh-compose"), "-c", "federation.config.ts", "-o", str(composed)],
            cwd=PEER,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert compose.returncode == 0, compose.stderr[-3000:]
        router_log = workdir / "router.log"
        router = _start(
            [
                str(BIN / "hive-gateway"),
                "supergraph",
                str(composed),
                "--host",
                "127.0.0.1",
                "--port",
                str(router_port),
            ],
            router_log,
            cwd=PEER,
            env=env,
        )
        _wait(f"http://127.0.0.1:{router_port}/healthcheck", router, router_log)
        yield f"http://127.0.0.1:{router_port}/graphql"
    finally:
        for process in (router, orders):
            if process is not None:
                process.terminate()
                process.wait(timeout=15)


def test_a_query_crosses_both_subgraphs(supergraph: str, gateways: Gateways) -> None:
    answer = httpx.post(supergraph, json={"query": CROSSING}, timeout=60).json()
    assert "errors" not in answer, answer
    items = answer["data"]["customers"]["items"]
    direct = httpx.post(
        gateways.healthy_graphql,
        json={"query": CROSSING.replace(" externalOrders { number total }", "")},
        timeout=30,
    ).json()["data"]["customers"]
    assert answer["data"]["customers"]["total"] == direct["total"]
    assert [(i["uuid"], i["fullName"]) for i in items] == [
        (i["uuid"], i["fullName"]) for i in direct["items"]
    ]
    for item in items:
        expected = orders_of(item["uuid"])
        assert item["externalOrders"] == [{"number": o.number, "total": o.total} for o in expected]


def test_the_router_resolves_customers_by_reference(supergraph: str, gateways: Gateways) -> None:
    """A query that starts in the orders subgraph: the router asks the gateway's `_entities`
    for the customer's own fields."""
    direct = httpx.post(
        gateways.healthy_graphql,
        json={
            "query": '{ customers(filters: [{key: "limit", operation: eq, value: "3"}]) '
            "{ items { uuid fullName email } } }"
        },
        timeout=30,
    ).json()["data"]["customers"]["items"]
    for customer in direct:
        query = (
            f'{{ customerWithOrders(uuid: "{customer["uuid"]}") '
            "{ uuid fullName email externalOrders { number } } }"
        )
        answer = httpx.post(supergraph, json={"query": query}, timeout=60).json()
        assert "errors" not in answer, answer
        shown = answer["data"]["customerWithOrders"]
        assert {k: shown[k] for k in ("uuid", "fullName", "email")} == customer
        assert [o["number"] for o in shown["externalOrders"]] == [
            o.number for o in orders_of(customer["uuid"])
        ]
