"""`customer-gateway serve` with no configuration: the sandbox, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "customer_gateway", "serve", "--port", str(port)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the sandbox did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def test_sandbox_serves_graphiql_and_every_emulated_source(server: str) -> None:
    page = httpx.get(f"{server}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    payload = httpx.post(
        f"{server}/graphql",
        json={"query": "{ customers { total items { uuid source { name kind } } } }"},
    ).json()
    assert "errors" not in payload
    names = {s["name"] for s in payload["extensions"]["sources"]}
    assert {"evershop-main", "evershop-outlet"} <= names
    assert payload["data"]["customers"]["total"] > 0


def test_sandbox_accepts_a_mutation(server: str) -> None:
    payload = httpx.post(
        f"{server}/graphql",
        json={
            "query": 'mutation { createCustomer(source: "evershop-main", input: '
            '{email: "e2e@example.com", fullName: "End To End", password: "secret-1"}) '
            "{ uuid email } }"
        },
    ).json()
    assert payload["data"]["createCustomer"]["email"] == "e2e@example.com"
    uuid = payload["data"]["createCustomer"]["uuid"]
    again = httpx.post(
        f"{server}/graphql",
        json={
            "query": "query($id: String) { customer(id: $id) { email } }",
            "variables": {"id": uuid},
        },
    ).json()
    assert again["data"]["customer"]["email"] == "e2e@example.com"
