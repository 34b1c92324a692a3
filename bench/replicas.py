"""Replicas: requests per second at 1, 2 and 4 workers sharing Redis and PostgreSQL (Q2 read
pass-through, and the EverShop admin grid served by the mirror), with the CPU time the gateway
(uvicorn's master and its workers) and the emulators spent per request, and the Redis round trips
added per request and per upstream call, and per mirror-served request (bench/README.md,
"Replicas").

    python -m bench.replicas [--seconds 8] [--concurrency 32] [--only rates|trips]

Emulators (bench.emulator: 20 ms latency, their own limits off) and the gateway run as processes
on 127.0.0.1; the load is Debian's `wrk` (bench/load.py), a closed loop of `--concurrency`
connections. On this 2-core machine the gateway gets core 0 whatever its workers, and the
emulators and wrk share core 1 (bench/harness.py): more workers cannot add a core, so a row's
req/s says how the workers share one core, and its CPU ms per request (from /proc, the window of
the measured run only) what coordinating them costs. The machine's Redis and PostgreSQL are used
under a prefix and a database of this run's own, removed at the end. Round trips come from the
gateway's `/metrics` (`gateway_redis_round_trips_total`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.harness import CLOCK_TICKS, LOAD_CORE, SERVER_CORE, Proc
from bench.load import wrk
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


def _emulator(kind: str, logs: Path) -> tuple[Proc, dict[str, str]]:
    port = _port()
    log = logs / f"{kind}.log"
    process = subprocess.Popen(
        ["taskset", "-c", LOAD_CORE, sys.executable, "-m", "bench.emulator", kind]
        + ["--port", str(port), "--latency", "0.02"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    _wait(f"http://127.0.0.1:{port}/__bench/requests")
    credentials = json.loads(log.read_text().splitlines()[0])["credentials"]
    return Proc(kind, process, f"http://127.0.0.1:{port}", log), credentials


def _config(
    urls: dict[str, str], credentials: dict[str, dict[str, str]], limits: bool, mirror: bool
) -> str:
    lines = ['[gateway]\nenvironment = "development"\nlog_level = "WARNING"\n']
    for name, kind in KINDS.items():
        base = urls[name]
        lines.append(
            f'[[sources]]\nname = "{name}"\nkind = "{kind}"\nbase_url = "{base}"\n'
            f"rate_limits = {str(limits).lower()}\nmirror = {str(mirror).lower()}\n"
            # Mirrored: after the first load no sync step runs during the measured windows
            # (a step's own upstream calls are not the requests' cost).
            + ("sync_interval = 3600\n" if mirror else "")
            + "max_connections = 100\n[sources.credentials]"
        )
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in credentials[name].items())
        if kind == "shoptet":  # its snapshot job (the first load) needs a job:finished hook
            lines.append('[sources.options]\nwebhook_url = "https://bench.invalid/hook"')
    return "\n".join(lines) + "\n"


def _gateway(config: str, workers: int, logs: Path, state: dict[str, str]) -> tuple[Proc, str]:
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
    log = logs / f"gateway-{workers}.log"
    process = subprocess.Popen(
        [
            "taskset",
            "-c",
            SERVER_CORE,
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
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    _wait(url + "/healthz")
    time.sleep(1.0)  # every worker up
    return Proc(f"gateway-{workers}", process, url, log), url


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
    """Redis round trips per grid request served by the mirror."""
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
    # No sync step runs in the window (sync_interval 3600 s after the first load): every
    # round trip and upstream call counted is the requests' own.
    assert reads == 0, f"{reads} upstream calls: the grid was not served by the mirror"
    return trips / requests


def _machine_busy() -> float:
    """CPU seconds every core of the machine spent busy so far (/proc/stat: all but idle and
    iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / CLOCK_TICKS


def _servers_cpu() -> float:
    """CPU seconds of the machine's PostgreSQL and Redis processes so far (shared with whatever
    else uses them; a backend that exited takes its time with it)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, _, rest = text.partition("(")[2].rpartition(")")
        if name in ("postgres", "redis-server"):
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def _children_cpu() -> float:
    """CPU seconds of this process's waited-for children (wrk, once it ended)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _rates(
    title: str,
    config: str,
    body: str,
    args: argparse.Namespace,
    logs: Path,
    state: dict[str, str],
    emulators: list[Proc],
    mirrored: bool,
) -> None:
    print(f"{title}, wrk closed loop, {args.concurrency} connections, {args.seconds:.0f} s per row")
    rates: dict[int, float] = {}
    for workers in (1, 2, 4):
        gateway, url = _gateway(config, workers, logs, state)
        try:
            if mirrored:
                _wait_mirrored(url)
            wrk(url + "/graphql", [body], connections=args.concurrency, seconds=2.0)  # warm up
            cpu = (
                gateway.cpu_seconds(),
                sum(emulator.cpu_seconds() for emulator in emulators),
                _children_cpu(),
                _machine_busy(),
                _servers_cpu(),
            )
            result = wrk(
                url + "/graphql", [body], connections=args.concurrency, seconds=args.seconds
            )
            spent = (
                gateway.cpu_seconds() - cpu[0],
                sum(emulator.cpu_seconds() for emulator in emulators) - cpu[1],
                _children_cpu() - cpu[2],
                _machine_busy() - cpu[3],
                _servers_cpu() - cpu[4],
            )
            others = max(0.0, spent[3] - spent[0] - spent[1] - spent[2] - spent[4])
            done = max(1, result.requests - result.errors)
            rates[workers] = done / result.seconds
            print(
                f"  {workers} worker(s): {rates[workers]:7.1f} req/s "
                f"({rates[workers] / rates[1]:.2f} x), p50 {result.p50_ms:.0f} ms; "
                f"CPU per request: gateway {1000 * spent[0] / done:.2f} ms "
                f"({spent[0] / result.seconds:.0%} of a core), "
                f"emulators {1000 * spent[1] / done:.2f} ms, wrk {1000 * spent[2] / done:.2f} ms, "
                f"PostgreSQL + Redis {1000 * spent[4] / done:.2f} ms; machine "
                f"{spent[3] / result.seconds:.2f} of 2 cores busy, "
                f"{others / result.seconds:.2f} by other processes; {result.errors} errors"
            )
        finally:
            gateway.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--only", choices=("rates", "trips"), help="one half of the rows")
    args = parser.parse_args()
    database = f"cg_bench_{secrets.token_hex(4)}"
    prefix = f"cg-bench-{secrets.token_hex(4)}"
    subprocess.run(["psql", ADMIN, "-qc", f"CREATE DATABASE {database}"], check=True)
    state = {
        "CUSTOMER_GATEWAY_STATE__REDIS_URL": REDIS,
        "CUSTOMER_GATEWAY_STATE__POSTGRES_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "CUSTOMER_GATEWAY_STATE__REDIS_PREFIX": prefix,
    }
    emulators: list[Proc] = []
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as directory:
        logs = Path(directory)
        try:
            urls: dict[str, str] = {}
            credentials: dict[str, dict[str, str]] = {}
            for name, kind in KINDS.items():
                emulator, credentials[name] = _emulator(kind, logs)
                urls[name] = emulator.url
                emulators.append(emulator)
            if args.only != "trips":
                _rates(
                    "Q2 (EverShop, 10 customers, read pass-through)",
                    _config(urls, credentials, False, False),
                    q2(["evershop-main"], 10),
                    args,
                    logs,
                    state,
                    emulators,
                    False,
                )
                _rates(
                    "EverShop admin grid sorted by name (both sources, served by the mirror)",
                    _config(urls, credentials, False, True),
                    GRID,
                    args,
                    logs,
                    state,
                    emulators,
                    True,
                )
            if args.only != "rates":
                _trips(urls, credentials, logs, state)
        finally:
            for emulator in emulators:
                emulator.stop()
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


def _trips(
    urls: dict[str, str], credentials: dict[str, dict[str, str]], logs: Path, state: dict[str, str]
) -> None:
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
        gateway.stop()
    gateway, url = _gateway(_config(urls, credentials, True, True), 1, logs, state)
    try:
        _wait_mirrored(url)
        per_request = _mirror_round_trips(url, 20)
        print(
            "Redis round trips per grid request served by the mirror (limits on): "
            f"{per_request:.2f}"
        )
    finally:
        gateway.stop()


if __name__ == "__main__":
    main()
