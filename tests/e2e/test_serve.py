"""`customer-gateway serve --workers` and `check`, as processes over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.replicas.servers import REDIS_URL, drop_keys, postgres_database, unique

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    return subprocess.Popen(
        [sys.executable, "-m", "customer_gateway", *args],
        env={**clean, **(env or {})},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture(scope="module")
def shop() -> Iterator[int]:
    port = _port()
    process = _start(
        ["emulate", "evershop", "--port", str(port), "--fault", "latency=1.0@/api/admin/graphql"]
    )
    try:
        _wait(f"http://127.0.0.1:{port}/api/x")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _config(tmp_path: Path, shop_port: int, password: str = "admin-password") -> str:
    path = tmp_path / "gateway.toml"
    path.write_text(
        f"""
[gateway]
data_dir = "{tmp_path / "data"}"

[[sources]]
name = "shop"
kind = "evershop"
base_url = "http://127.0.0.1:{shop_port}"
rate_limits = false
timeout_read = 5
timeout_total = 5
[sources.credentials]
email = "admin@example.com"
password = "{password}"
"""
    )
    return str(path)


def test_two_workers_finish_in_flight_requests_on_shutdown(shop: int, tmp_path: Path) -> None:
    port = _port()
    # Several workers share their limits through Redis and PostgreSQL (tests/replicas).
    with postgres_database() as postgres_url:
        state = {
            "CUSTOMER_GATEWAY_STATE__POSTGRES_URL": postgres_url,
            "CUSTOMER_GATEWAY_STATE__REDIS_URL": REDIS_URL,
            "CUSTOMER_GATEWAY_STATE__REDIS_PREFIX": unique("cg-test-serve-"),
            "CUSTOMER_GATEWAY_DATA_DIR": str(tmp_path / "data"),
        }
        _two_workers_finish(shop, tmp_path, port, state)
        drop_keys(state["CUSTOMER_GATEWAY_STATE__REDIS_PREFIX"])


def _two_workers_finish(shop: int, tmp_path: Path, port: int, state: dict[str, str]) -> None:
    server = _start(
        ["serve", "--port", str(port), "--workers", "2", "--graceful-timeout", "10"],
        {"CUSTOMER_GATEWAY_CONFIG": _config(tmp_path, shop), **state},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{url}/healthz")
        answers: list[httpx.Response] = []
        slow = threading.Thread(
            target=lambda: answers.append(
                httpx.post(f"{url}/graphql", json={"query": "{ customers { total } }"}, timeout=15)
            )
        )
        slow.start()
        time.sleep(0.4)  # the query is now waiting on the shop's 1 s latency
        server.send_signal(signal.SIGTERM)
        slow.join(timeout=15)
        assert server.wait(timeout=15) == 0
    finally:
        if server.poll() is None:
            server.kill()
    assert answers, "the in-flight request got no answer"
    assert answers[0].status_code == 200
    assert answers[0].json()["data"]["customers"]["total"] == 40


def test_check_tries_every_source(shop: int, tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    ok = subprocess.run(
        [sys.executable, "-m", "customer_gateway", "check"],
        env={**clean, "CUSTOMER_GATEWAY_CONFIG": _config(tmp_path, shop)},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert ok.returncode == 0, ok.stderr
    assert "shop" in ok.stdout
    assert " ok " in ok.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "customer_gateway", "check"],
        env={**clean, "CUSTOMER_GATEWAY_CONFIG": _config(tmp_path, shop, "not-the-password")},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert wrong.returncode == 1
    assert "UPSTREAM_AUTH_FAILED" in wrong.stdout
    assert "not-the-password" not in wrong.stdout + wrong.stderr


def test_the_documented_production_switch_takes_effect(shop: int, tmp_path: Path) -> None:
    """`CUSTOMER_GATEWAY_ENV=production` (the documented name, docs/configuration.md): auth required, no GraphiQL, and
    the first log line says so."""
    port = _port()
    log = tmp_path / "gateway.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    env = {
        **clean,
        "CUSTOMER_GATEWAY_CONFIG": _config(tmp_path, shop),
        "CUSTOMER_GATEWAY_ENV": "production",
        "CUSTOMER_GATEWAY_API_KEYS__OPS__KEY": "ops-key-0123456789abcdef",
    }
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "customer_gateway", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(f"{url}/healthz")
            anonymous = httpx.post(f"{url}/graphql", json={"query": "{ __typename }"})
            assert anonymous.status_code == 401
            page = httpx.get(f"{url}/graphql", headers={"accept": "text/html"})
            assert "graphiql" not in page.text.lower()
        finally:
            server.terminate()
            server.wait(timeout=15)
    assert "customer-gateway in production mode: auth required" in log.read_text()


def test_a_misspelt_variable_stops_startup(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    run = subprocess.run(
        [sys.executable, "-m", "customer_gateway", "serve", "--port", str(_port())],
        env={**clean, "CUSTOMER_GATEWAY_ENVIROMENT": "production"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert run.returncode == 2
    assert "CUSTOMER_GATEWAY_ENVIROMENT is not a setting" in run.stderr
    assert "did you mean CUSTOMER_GATEWAY_ENVIRONMENT" in run.stderr
