"""Fixtures over real sockets: gateway processes on 127.0.0.1."""

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


def _wait_for_mirrors(url: str) -> None:
    """The sandbox's shops are mirrored: their first load keeps the process busy for a few
    seconds, which tests of the event loop's latency must not measure."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mirrors = httpx.get(f"{url}/readyz", timeout=5).json().get("mirrors", {})
        if mirrors and all(report["state"] != "loading" for report in mirrors.values()):
            return
        time.sleep(0.2)
    raise AssertionError("the sandbox's mirrors did not load within 60 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`customer-gateway serve` with no configuration (the sandbox); its log in a file (a pipe
    nobody reads would fill up and stall the server)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    log = (tmp_path_factory.mktemp("sandbox") / "gateway.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "customer_gateway", "serve", "--port", str(port)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=log,
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
        _wait_for_mirrors(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
