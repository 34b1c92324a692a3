"""Exports live in the data directory: private, kept across restarts until they expire, and a job
whose process died or stopped is FAILED, never gone."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.features.exports import Exports
from customer_gateway.security.auth import ANONYMOUS
from tests.api.conftest import running_gateway
from tests.api.faults import FaultyUpstream
from tests.exports_helpers import export_status, finished_export, start_export

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]


def shop() -> dict[str, EverShopEmulator]:
    return {"evershop-main": EverShopEmulator(seed=1, customers=5)}


def hanging(emulators: dict[str, EverShopEmulator]) -> dict[str, httpx.AsyncBaseTransport]:
    """The admin GraphQL route answers after an hour: an export over it keeps running."""
    slow = FaultyUpstream(emulators["evershop-main"].app, status=200, delay=3600)
    return {"evershop-main": httpx.ASGITransport(app=slow)}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_finished_export_is_private_and_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    emulators = shop()
    async with running_gateway(emulators, data_dir=str(data_dir)) as gateway:
        export_id = await start_export(gateway.client)
        export = await finished_export(gateway.client, export_id)
        before = (await gateway.client.get(export["downloadUrl"])).content
    assert export["status"] == "COMPLETED"
    exports = data_dir / "exports"
    assert (mode(data_dir), mode(exports)) == (0o700, 0o700)
    files = sorted(p.name for p in exports.iterdir())
    assert files == [f"{export_id}.json", f"{export_id}.jsonl.gz"]
    assert {mode(exports / name) for name in files} == {0o600}

    async with running_gateway(emulators, data_dir=str(data_dir)) as gateway:
        again = await export_status(gateway.client, export_id)
        after = await gateway.client.get(f"/exports/{export_id}")
    assert again is not None
    assert (again["status"], again["customers"]) == ("COMPLETED", 5)
    assert after.status_code == 200
    assert after.content == before


async def test_an_export_running_at_shutdown_is_failed_after_the_restart(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    emulators = shop()
    async with running_gateway(
        emulators, transports=hanging(emulators), data_dir=data_dir
    ) as gateway:
        export_id = await start_export(gateway.client)
        running = await export_status(gateway.client, export_id)
        assert running is not None
        assert running["status"] == "RUNNING"
    async with running_gateway(emulators, data_dir=data_dir) as gateway:
        export = await export_status(gateway.client, export_id)
        download = await gateway.client.get(f"/exports/{export_id}")
    assert export is not None
    assert export["status"] == "FAILED"
    assert [(s["errorCode"], s["done"]) for s in export["sources"]] == [("INTERNAL", True)]
    assert "stopped before the export finished" in export["sources"][0]["errorMessage"]
    assert download.status_code == 409
    assert sorted(p.name for p in (Path(data_dir) / "exports").iterdir()) == [f"{export_id}.json"]


CRASHING = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    import httpx
    from customer_gateway.emulators.evershop import EverShopEmulator
    from tests.api.conftest import running_gateway
    from tests.api.faults import FaultyUpstream
    from tests.exports_helpers import start_export

    async def main() -> None:
        emulators = {"evershop-main": EverShopEmulator(seed=1, customers=5)}
        slow = FaultyUpstream(emulators["evershop-main"].app, status=200, delay=3600)
        transports = {"evershop-main": httpx.ASGITransport(app=slow)}
        async with running_gateway(emulators, transports=transports, data_dir=sys.argv[1]) as gw:
            print(await start_export(gw.client), flush=True)
            await asyncio.sleep(0.2)
            os.kill(os.getpid(), signal.SIGKILL)  # no shutdown: as a crash or the OOM killer

    asyncio.run(main())
    """
)


async def test_an_export_whose_process_died_is_failed_not_gone(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    crashing = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CRASHING,
        data_dir,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    async with asyncio.timeout(60):
        out, err = await crashing.communicate()
    assert crashing.returncode == -signal.SIGKILL, err.decode()
    export_id = out.decode().strip()
    exports = Path(data_dir) / "exports"
    assert f"{export_id}.jsonl.gz.part" in {p.name for p in exports.iterdir()}
    async with running_gateway(shop(), data_dir=data_dir) as gateway:
        export = await export_status(gateway.client, export_id)
    assert export is not None
    assert export["status"] == "FAILED"
    assert export["downloadUrl"] is None
    assert sorted(p.name for p in exports.iterdir()) == [f"{export_id}.json"]


async def test_another_process_over_the_directory_leaves_a_running_export_alone(
    tmp_path: Path,
) -> None:
    """A second worker (or one restarted beside it) must not take a live job for an orphan."""
    data_dir = tmp_path / "data"
    emulators = shop()
    async with running_gateway(
        emulators, transports=hanging(emulators), data_dir=str(data_dir)
    ) as gateway:
        export_id = await start_export(gateway.client)
        await asyncio.sleep(0.1)
        other = Exports(data_dir / "exports")  # sweeps at once, as at a worker's startup
        seen = other.get(export_id, ANONYMOUS)
        still = await export_status(gateway.client, export_id)
    assert seen is not None
    assert seen.status.value == "RUNNING"
    assert still is not None
    assert still["status"] == "RUNNING"


async def test_expired_exports_are_deleted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    emulators = shop()
    async with running_gateway(emulators, data_dir=str(data_dir), export_ttl=0.3) as gateway:
        first = await start_export(gateway.client)
        export = await finished_export(gateway.client, first)
        assert (await gateway.client.get(export["downloadUrl"])).status_code == 200
        second = await start_export(gateway.client)
        await finished_export(gateway.client, second)
        await asyncio.sleep(0.6)
        # The first is asked for; the second is left to the sweeper (every ttl here).
        gone = await export_status(gateway.client, first)
        download = await gateway.client.get(export["downloadUrl"])
        assert gone is None
        assert download.status_code == 404
        assert list((data_dir / "exports").iterdir()) == []
