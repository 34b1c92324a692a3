"""Real processes for the client tests: EverShop emulators and gateways over HTTP on 127.0.0.1.

`tour_gateways()` starts the README tour's two shops as `customer-gateway emulate evershop`
processes (`evershop-main`: seed 1, 60 customers; `evershop-outlet`: seed 2, 35: the sandbox's
EverShop shops, so the tour's data) and two `customer-gateway serve` processes configured by
TOML: `healthy` over both shops, and `degraded`, whose `evershop-outlet` points at a closed port.
`run_node()` runs a script of tests/clients/node and returns the JSON it prints.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"
STARTUP_SECONDS = 90.0  # a loaded 2-core machine: imports, migrations, first logins

# The sandbox's two EverShop shops (customer_gateway/server/sandbox.py): name, seed, customers.
SHOPS = (("evershop-main", 1, 60), ("evershop-outlet", 2, 35))
DOWN_SOURCE = "evershop-outlet"


@dataclass(frozen=True, slots=True)
class Gateways:
    healthy: str  # http://127.0.0.1:P, both shops up
    degraded: str  # the same shops, but evershop-outlet's port is closed

    @property
    def healthy_graphql(self) -> str:
        return f"{self.healthy}/graphql"

    @property
    def degraded_graphql(self) -> str:
        return f"{self.degraded}/graphql"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(slots=True)
class _Process:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    def log_tail(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]


@contextmanager
def _spawn(args: list[str], name: str, workdir: Path, config: Path | None) -> Iterator[_Process]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    if config is not None:
        env["CUSTOMER_GATEWAY_CONFIG"] = str(config)
        env["CUSTOMER_GATEWAY_DATA_DIR"] = str(workdir / f"{name}-data")  # not the user's home
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "customer_gateway", *args],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield _Process(name, process, log_path, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
                process.kill()
                process.wait(timeout=10)


def _wait_until_up(started: _Process, url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        if started.process.poll() is not None:
            raise AssertionError(f"{started.name} exited:\n{started.log_tail()}")
        try:
            httpx.get(url, timeout=0.5)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        return
    raise AssertionError(f"{started.name} did not start in time:\n{started.log_tail()}")


def _source_toml(name: str, base_url: str) -> str:
    return (
        "[[sources]]\n"
        f'name = "{name}"\n'
        'kind = "evershop"\n'
        f'base_url = "{base_url}"\n'
        "timeout_connect = 2.0\n"
        "[sources.credentials]\n"
        'email = "admin@example.com"\n'  # the emulator's demo login (it prints it at start)
        'password = "admin-password"\n'
    )


def _gateway_toml(sources: dict[str, str]) -> str:
    head = '[gateway]\nenvironment = "development"\n\n'
    return head + "\n".join(_source_toml(name, url) for name, url in sources.items())


@contextmanager
def tour_gateways(workdir: Path) -> Iterator[Gateways]:
    workdir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        deadline = time.monotonic() + STARTUP_SECONDS
        shop_urls: dict[str, str] = {}
        waits: list[tuple[_Process, str]] = []
        for name, seed, customers in SHOPS:
            port = free_port()
            shop_urls[name] = f"http://127.0.0.1:{port}"
            args = ["emulate", "evershop", "--port", str(port), "--seed", str(seed)]
            started = stack.enter_context(
                _spawn([*args, "--customers", str(customers)], name, workdir, None)
            )
            waits.append((started, shop_urls[name]))
        closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        configs = {
            "healthy": shop_urls,
            "degraded": {**shop_urls, DOWN_SOURCE: closed},
        }
        gateway_urls: dict[str, str] = {}
        for label, sources in configs.items():
            config = workdir / f"{label}.toml"
            config.write_text(_gateway_toml(sources))
            port = free_port()
            gateway_urls[label] = f"http://127.0.0.1:{port}"
            started = stack.enter_context(
                _spawn(["serve", "--port", str(port)], f"gateway-{label}", workdir, config)
            )
            waits.append((started, f"{gateway_urls[label]}/healthz"))
        for started, url in waits:
            _wait_until_up(started, url, deadline)
        yield Gateways(healthy=gateway_urls["healthy"], degraded=gateway_urls["degraded"])


def run_node(script: str, payload: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Run tests/clients/node/<script> on `payload` (a JSON file) and return its JSON output."""
    node = shutil.which("node")
    assert node is not None, "node is not installed (Node 20+ is needed: make test-clients)"
    assert (NODE_DIR / "node_modules").is_dir(), (
        "tests/clients/node/node_modules is missing: run `make test-clients` (it runs `npm ci`)"
    )
    workdir.mkdir(parents=True, exist_ok=True)
    payload_path = workdir / f"{Path(script).stem}-input.json"
    payload_path.write_text(json.dumps(payload))
    done = subprocess.run(
        [node, script, str(payload_path)],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"node {script} failed:\n{done.stderr[-4000:]}"
    output: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return output
