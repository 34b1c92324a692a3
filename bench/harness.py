"""Processes of a benchmark run: emulators, the gateway, the bare Starlette baseline, the peer.

Every process is a separate OS process pinned with `taskset`; the machine has 2 cores, so the
gateway (or the peer, or the bare endpoint: one at a time) gets core `SERVER_CORE` and the
emulators and the load generator share core `LOAD_CORE`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / "bench" / "peer"
SERVER_CORE = "0"
LOAD_CORE = "1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# The sources of the benchmark: gateway source name -> emulator kind.
SOURCES: dict[str, str] = {
    "evershop": "evershop",
    "flow": "flow_retail",
    "ecwid": "ecwid",
    "wrapper": "ecwid_wrapper",
    "shoptet": "shoptet",
}
# Q3 reads these four ("all sources" but Shoptet, whose lists need one detail call per customer).
FAN_OUT_SOURCES = ("evershop", "flow", "ecwid", "wrapper")
BASE_PATHS = {"flow_retail": "/v2"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Proc:
    """One started process (pinned), with its CPU time and RSS readable from /proc."""

    name: str
    popen: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def pids(self) -> list[int]:
        """The process and its descendants (Node may fork workers)."""
        found = [self.pid]
        index = 0
        while index < len(found):
            pid = found[index]
            index += 1
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    found.extend(int(child) for child in task.read_text().split())
                except OSError:
                    continue
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process tree so far."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLOCK_TICKS

    def rss_bytes(self) -> int:
        total = 0
        for pid in self.pids():
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
            except OSError:
                continue
        return total

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def start(
    name: str,
    argv: Sequence[str],
    *,
    cores: str,
    ready: str,
    logs: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 60.0,
) -> Proc:
    """Start `argv` pinned to `cores`; return once `ready` (a URL) answers."""
    log = logs / f"{name}.log"
    handle = log.open("wb")
    popen = subprocess.Popen(
        ["taskset", "-c", cores, *argv],
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
    proc = Proc(name, popen, ready, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log.read_text()[-2000:]}")
        try:
            httpx.get(ready, timeout=1.0)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.stop()
    raise RuntimeError(f"{name} did not answer {ready} within {timeout} s")


@dataclass
class Emulators:
    """The five emulators, each its own uvicorn process on the load core."""

    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, Proc] = field(default_factory=dict)
    credentials: dict[str, dict[str, str]] = field(default_factory=dict)

    def url(self, source: str) -> str:
        return f"http://127.0.0.1:{self.ports[source]}"

    def set_latency(self, seconds: float) -> None:
        for source in self.ports:
            httpx.post(f"{self.url(source)}/__bench/latency", params={"seconds": seconds})

    def counts(self, reset: bool = True) -> dict[str, int]:
        """Requests each emulator served since the last reset."""
        return {source: int(c) for source, (c, _) in self.served(reset).items()}

    def served(self, reset: bool = True) -> dict[str, tuple[int, float]]:
        """(requests, seconds spent answering them) per emulator since the last reset."""
        method = "POST" if reset else "GET"
        answers = {
            source: httpx.request(method, f"{self.url(source)}/__bench/requests").json()
            for source in self.ports
        }
        return {s: (int(a["requests"]), float(a["seconds"])) for s, a in answers.items()}

    def cpu_seconds(self) -> float:
        return sum(proc.cpu_seconds() for proc in self.procs.values())

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.stop()


@contextmanager
def emulators(logs: Path, customers: int, latency: float) -> Iterator[Emulators]:
    running = Emulators()
    try:
        for index, (source, kind) in enumerate(SOURCES.items()):
            port = free_port()
            running.ports[source] = port
            running.procs[source] = start(
                f"emulator-{source}",
                [
                    sys.executable,
                    "-m",
                    "bench.emulator",
                    kind,
                    "--port",
                    str(port),
                    "--seed",
                    str(index + 1),
                    "--customers",
                    str(customers),
                    "--latency",
                    str(latency),
                ],
                cores=LOAD_CORE,
                ready=f"http://127.0.0.1:{port}/__bench/requests",
                logs=logs,
            )
            first_line = running.procs[source].log.read_text().splitlines()[0]
            running.credentials[source] = json.loads(first_line)["credentials"]
        yield running
    finally:
        running.stop()


def gateway_config(
    emus: Emulators,
    *,
    transport: str | None = None,
    log_format: str = "json",
    log_level: str = "INFO",
) -> str:
    """The gateway's TOML over the emulators: rate limits off, pools sized for the load, no
    mirrors (every read goes to the source)."""
    lines = [
        "[gateway]",
        'environment = "development"',
        f'log_level = "{log_level}"',
        "max_page_size = 100",
        "",
        "[telemetry]",
        "metrics = true",
        f'log_format = "{log_format}"',
        "",
    ]
    for source, kind in SOURCES.items():
        lines += [
            "[[sources]]",
            f'name = "{source}"',
            f'kind = "{kind}"',
            f'base_url = "{emus.url(source)}{BASE_PATHS.get(kind, "")}"',
            "rate_limits = false",
            "max_connections = 100",
            # Pass-through: these rows measure the sources' own answers. A configured source is
            # mirrored by default (README, Mirror); its benchmarks are bench/mirror.py's.
            "mirror = false",
        ]
        if transport is not None:
            lines.append(f'transport = "{transport}"')
        lines.append("[sources.credentials]")
        for key, value in emus.credentials[source].items():
            lines.append(f"{key} = {json.dumps(value)}")
        lines.append("")
    return "\n".join(lines)


def start_gateway(
    emus: Emulators,
    logs: Path,
    *,
    name: str = "gateway",
    env: Mapping[str, str] | None = None,
    **config: str | None,
) -> Proc:
    path = logs / f"{name}.toml"
    path.write_text(gateway_config(emus, **config))  # type: ignore[arg-type]
    port = free_port()
    return start(
        name,
        [str(ROOT / ".venv" / "bin" / "customer-gateway"), "serve", "--port", str(port)],
        cores=SERVER_CORE,
        ready=f"http://127.0.0.1:{port}/healthz",
        logs=logs,
        env={
            "CUSTOMER_GATEWAY_CONFIG": str(path),
            "CUSTOMER_GATEWAY_DATA_DIR": str(logs / f"{name}-data"),
            **(env or {}),
        },
    )


def start_bare(body: bytes, logs: Path) -> Proc:
    """A bare Starlette endpoint answering `body` to POST /graphql (the raw baseline)."""
    path = logs / "bare-body.json"
    path.write_bytes(body)
    port = free_port()
    return start(
        "bare-starlette",
        [sys.executable, "-m", "bench.bare", "--port", str(port), "--body", str(path)],
        cores=SERVER_CORE,
        ready=f"http://127.0.0.1:{port}/healthz",
        logs=logs,
    )


def npm_ci() -> None:
    """Install the peer exactly as package-lock.json pins it (once)."""
    stamp = PEER / "node_modules" / ".bench-installed"
    lock = PEER / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed for the peer (Hive Gateway)")
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PEER, check=True
    )
    stamp.touch()


def start_peer(emus: Emulators, logs: Path) -> Proc:
    """Hive Gateway over the Ecwid emulator: compose the OpenAPI description, serve the
    supergraph with one process (`--fork 1`) on the server core."""
    env = {
        "ECWID_ENDPOINT": f"{emus.url('ecwid')}/api/v3",
        "ECWID_TOKEN": emus.credentials["ecwid"]["token"],
        "NODE_ENV": "production",
    }
    supergraph = logs / "supergraph.graphql"
    subprocess.run(
        [str(PEER / "node_modules" / ".bin" / "mesh-compose"), "-o", str(supergraph)],
        cwd=PEER,
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()
    return start(
        "hive-gateway",
        [
            str(PEER / "node_modules" / ".bin" / "hive-gateway"),
            "supergraph",
            str(supergraph),
            "--port",
            str(port),
            "--fork",
            "1",
        ],
        cores=SERVER_CORE,
        ready=f"http://127.0.0.1:{port}/healthcheck",
        logs=logs,
        cwd=PEER,
        env=env,
    )
