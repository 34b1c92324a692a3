"""Replicas: requests per second at 1, 2 and 4 workers sharing Redis and PostgreSQL (Q2 read
pass-through, and the EverShop admin grid served by the mirror), and the Redis round trips added
per request and per upstream call, and per mirror-served request (bench/README.md, "Replicas").

    python -m bench.replicas [--seconds 8] [--concurrency 32]

Emulators (bench.emulator: 20 ms latency, their own limits off) and the gateway run as processes
on 127.0.0.1; the load is a closed loop of `--concurrency` clients (httpx, its own process). The
machine's Redis and PostgreSQL are used under a prefix and a database of this run's own, removed
at the end. Round trips come from the gateway's `/metrics` (`gateway_redis_round_trips_total`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.queries import q2

ROOT = Path(__file__).resolve().parents[1]
REDIS = "redis://127.0.0.1:6379/0"
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
KINDS = {"evershop-main": "evershop", "shoptet-cz": "shoptet"}


def _port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


def _emulator(kind: str, logs: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    port = _port()
    log = logs / f"{kind}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.emulator", kind, "--port", str(port), "--latency", "0.02"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    _wait(f"http://127.0.0.1:{port}/__bench/requests")
    credentials = json.loads(log.read_text().splitlines()[0])["credentials"]
    return process, f"http://127.0.0.1:{port}", credentials


def _config(
    urls: dict[str, str], credentials: dict[str, dict[str, str]], limits: bool, mirror: bool
) -> str:
    lines = ['[gateway]\nenvironment = "development"\nlog_level = "WARNING"\n']
    for name, kind in KINDS.items():
        base = urls[name]
        lines.append(
            f'[[sources]]\nname = "{name}"\nkind = "{kind}"\nbase_url = "{base}"\n'
            f"rate_limits = {str(limits).lower()}\nmirror = {str(mirror).lower()}\n"
            "max_connections = 100\n[sources.credentials]"
        )
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in credentials[name].items())
        if kind == "shoptet":  # its snapshot job (the first load) needs a job:finished hook
            lines.append('[sources.options]\nwebhook_url = "https://bench.invalid/hook"')
    return "\n".join(lines) + "\n"


def _gateway(
    config: str, workers: int, logs: Path, state: dict[str, str]
) -> tuple[subprocess.Popen[bytes], str]:
    path = logs / f"gateway-{workers}.toml"
    path.write_text(config)
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    env.update(
        {
            "CUSTOMER_GATEWAY_CONFIG": str(path),
            "CUSTOMER_GATEWAY_DATA_DIR": str(logs / "data"),
            **state,
        }
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "customer_gateway",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=(logs / f"gateway-{workers}.log").open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    _wait(url + "/healthz")
    time.sleep(1.0)  # every worker up
    return process, url


async def _load(url: str, body: str, concurrency: int, seconds: float) -> dict[str, float]:
    done = 0
    failed = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def loop() -> None:
            nonlocal done, failed
            while time.monotonic() < deadline:
                response = await client.post(
                    url + "/graphql", content=body, headers={"content-type": "application/json"}
                )
                if response.status_code == 200 and "errors" not in response.json():
                    done += 1
                else:
                    failed += 1

        started = time.monotonic()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    return {"rps": done / elapsed, "failed": failed}


def _load_process(url: str, body: str, concurrency: int, seconds: float) -> dict[str, float]:
    """The load in a process of its own (not sharing this one's interpreter lock)."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.replicas",
            "--load",
            url,
            body,
            str(concurrency),
            str(seconds),
        ],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def _metric(text: str, name: str, label: str = "") -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and label in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def _round_trips(url: str, source: str, requests: int) -> dict[str, float]:
    """Q2 (10 customers) sent `requests` times to `source` with its published limits on."""
    before = httpx.get(url + "/metrics").text
    body = q2([source], 10)
    for _ in range(requests):
        response = httpx.post(
            url + "/graphql", content=body, headers={"content-type": "application/json"}
        )
        assert "errors" not in response.json(), response.text
    time.sleep(0.5)  # the last slot releases
    after = httpx.get(url + "/metrics").text
    trips = _metric(after, "gateway_redis_round_trips_total", 'purpose="limits"') - _metric(
        before, "gateway_redis_round_trips_total", 'purpose="limits"'
    )
    calls = _metric(after, "gateway_upstream_requests_total", f'source="{source}"') - _metric(
        before, "gateway_upstream_requests_total", f'source="{source}"'
    )
    return {"per_request": trips / requests, "per_upstream_call": trips / calls, "calls": calls}


GRID = json.dumps(
    {
        "query": "query($f: [FilterInput]) { customers(filters: $f) { total currentPage "
        "items { uuid fullName email status createdAt { text } group { groupName } } } }",
        "variables": {"f": [{"key": "ob", "operation": "eq", "value": "name"}]},
    }
)


def _wait_mirrored(url: str) -> None:
    """Until every source's first sync is done (reads come from the mirror from then on)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        payload = httpx.post(
            url + "/graphql", content=GRID, headers={"content-type": "application/json"}
        ).json()
        sources = payload.get("extensions", {}).get("sources", [])
        states = [(source.get("mirror") or {}).get("state") for source in sources]
        if states and all(state == "fresh" for state in states):
            return
        time.sleep(0.5)
    raise RuntimeError("the mirrors did not finish their first sync")


def _mirror_round_trips(url: str, requests: int) -> float:
    """Redis round trips per grid request served by the mirror (sync steps excluded: they are
    counted under their own purpose, and this counts `limits` only)."""
    before = httpx.get(url + "/metrics").text
    for _ in range(requests):
        response = httpx.post(
            url + "/graphql", content=GRID, headers={"content-type": "application/json"}
        )
        assert "errors" not in response.json(), response.text
    after = httpx.get(url + "/metrics").text
    reads = 0.0
    for source in KINDS:
        reads += _metric(after, "gateway_upstream_requests_total", f'source="{source}"') - _metric(
            before, "gateway_upstream_requests_total", f'source="{source}"'
        )
    trips = _metric(after, "gateway_redis_round_trips_total", 'purpose="limits"') - _metric(
        before, "gateway_redis_round_trips_total", 'purpose="limits"'
    )
    # A sync step during the window sends upstream calls of its own (each one admission):
    # those are not the requests' cost.
    return max(0.0, trips - reads) / requests


def _rates(
    title: str,
    config: str,
    body: str,
    args: argparse.Namespace,
    logs: Path,
    state: dict[str, str],
    mirrored: bool,
) -> None:
    print(f"{title}, closed loop, {args.concurrency} clients, {args.seconds:.0f} s per row")
    rates: dict[int, float] = {}
    for workers in (1, 2, 4):
        gateway, url = _gateway(config, workers, logs, state)
        try:
            if mirrored:
                _wait_mirrored(url)
            _load_process(url, body, args.concurrency, 2.0)  # warm up
            result = _load_process(url, body, args.concurrency, args.seconds)
            rates[workers] = result["rps"]
            print(
                f"  {workers} worker(s): {result['rps']:7.1f} req/s "
                f"({rates[workers] / rates[1]:.2f} x), {result['failed']:.0f} failed"
            )
        finally:
            gateway.terminate()
            gateway.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--load", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        url, body, concurrency, seconds = args.load
        print(json.dumps(asyncio.run(_load(url, body, int(concurrency), float(seconds)))))
        return
    database = f"cg_bench_{secrets.token_hex(4)}"
    prefix = f"cg-bench-{secrets.token_hex(4)}"
    subprocess.run(["psql", ADMIN, "-qc", f"CREATE DATABASE {database}"], check=True)
    state = {
        "CUSTOMER_GATEWAY_STATE__REDIS_URL": REDIS,
        "CUSTOMER_GATEWAY_STATE__POSTGRES_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "CUSTOMER_GATEWAY_STATE__REDIS_PREFIX": prefix,
    }
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as directory:
        logs = Path(directory)
        try:
            urls: dict[str, str] = {}
            credentials: dict[str, dict[str, str]] = {}
            for name, kind in KINDS.items():
                process, urls[name], credentials[name] = _emulator(kind, logs)
                processes.append(process)
            _rates(
                "Q2 (EverShop, 10 customers, read pass-through)",
                _config(urls, credentials, False, False),
                q2(["evershop-main"], 10),
                args,
                logs,
                state,
                False,
            )
            _rates(
                "EverShop admin grid sorted by name (both sources, served by the mirror)",
                _config(urls, credentials, False, True),
                GRID,
                args,
                logs,
                state,
                True,
            )
            gateway, url = _gateway(_config(urls, credentials, True, False), 1, logs, state)
            try:
                print("Redis round trips, published limits on (Q2, 10 customers, 20 requests):")
                for source in KINDS:
                    trips = _round_trips(url, source, 20)
                    print(
                        f"  {source}: {trips['per_upstream_call']:.2f} per upstream call, "
                        f"{trips['per_request']:.2f} per request "
                        f"({trips['calls'] / 20:.1f} upstream calls per request)"
                    )
            finally:
                gateway.terminate()
                gateway.wait(30)
            gateway, url = _gateway(_config(urls, credentials, True, True), 1, logs, state)
            try:
                _wait_mirrored(url)
                per_request = _mirror_round_trips(url, 20)
                print(
                    "Redis round trips per grid request served by the mirror (limits on): "
                    f"{per_request:.2f}"
                )
            finally:
                gateway.terminate()
                gateway.wait(30)
        finally:
            for process in processes:
                process.terminate()
                process.wait(10)
            subprocess.run(
                ["psql", ADMIN, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
                check=True,
            )
            import redis

            client = redis.Redis.from_url(REDIS)
            keys = list(client.scan_iter(match=f"{prefix}:*"))
            if keys:
                client.delete(*keys)
            client.close()


if __name__ == "__main__":
    main()
