"""`customer-gateway sync` and the mirror column of `customer-gateway check`, against an emulator
over a real socket (SQLite store in a temporary data_dir)."""

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

from customer_gateway.server.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def flow_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "customer_gateway",
            "emulate",
            "flow_retail",
            "--port",
            str(port),
            "--customers",
            "30",
        ],
        env=clean,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, port: int) -> None:
    from customer_gateway.emulators.flow_retail import FlowRetailEmulator

    credentials = FlowRetailEmulator.create(seed=1, customers=1).connector_credentials()
    lines = [
        "[[sources]]",
        'name = "flow"',
        'kind = "flow_retail"',
        f'base_url = "http://127.0.0.1:{port}/v2"',
        "[sources.credentials]",
        *(f'{key} = "{value}"' for key, value in credentials.items()),
    ]
    config = tmp_path / "gateway.toml"
    config.write_text("\n".join(lines) + "\n")
    for name in [n for n in os.environ if n.startswith("CUSTOMER_GATEWAY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CUSTOMER_GATEWAY_CONFIG", str(config))
    monkeypatch.setenv("CUSTOMER_GATEWAY_DATA_DIR", str(tmp_path / "data"))


def test_sync_then_check(
    flow_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _configure(monkeypatch, tmp_path, flow_port)
    assert main(["check"]) == 0
    assert "not loaded yet" in capsys.readouterr().out
    assert main(["sync", "--source", "flow"]) == 0
    out = capsys.readouterr().out
    assert "flow" in out
    assert " ok " in out
    assert "fresh" in out
    assert main(["sync", "--full"]) == 0
    capsys.readouterr()
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "30 records, synced" in out
    assert main(["sync", "--source", "elsewhere"]) == 2


def test_sync_in_the_sandbox_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CUSTOMER_GATEWAY_")]:
        monkeypatch.delenv(name)
    assert main(["sync"]) == 2


def test_sync_takes_the_sync_lease_with_redis(
    flow_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With `[state] redis_url` the command syncs under the source's lease, like a replica: a
    source whose lease a running replica holds is skipped (exit 1, and says why)."""
    import asyncio

    from customer_gateway.mirror.command import LEASE_HELD
    from customer_gateway.mirror.runtime import lease_name
    from customer_gateway.server.datadir import DataDir
    from customer_gateway.server.settings import load_settings
    from customer_gateway.state.lease import Lease
    from customer_gateway.state.redis import SharedRedis
    from tests.replicas.servers import REDIS_URL, drop_keys, require, unique

    require(6379, "Redis")
    prefix = unique("cg-test-h16-cli-")
    _configure(monkeypatch, tmp_path, flow_port)
    monkeypatch.setenv("CUSTOMER_GATEWAY_STATE__REDIS_URL", REDIS_URL)
    monkeypatch.setenv("CUSTOMER_GATEWAY_STATE__REDIS_PREFIX", prefix)
    settings = load_settings()
    name = lease_name(settings, "flow", DataDir.open(settings.data_dir).path)

    async def replica(hold: bool) -> None:
        redis = SharedRedis(REDIS_URL, prefix)
        await redis.start()
        try:
            lease = Lease(redis, name, holder="a running replica")
            if hold:
                assert await lease.acquire() is not None
            else:
                await lease.release()
        finally:
            await redis.close()

    try:
        asyncio.run(replica(hold=True))
        assert main(["sync", "--source", "flow"]) == 1
        assert LEASE_HELD in capsys.readouterr().out
        asyncio.run(replica(hold=False))
        assert main(["sync", "--source", "flow"]) == 0
        assert " ok " in capsys.readouterr().out
    finally:
        drop_keys(prefix)
