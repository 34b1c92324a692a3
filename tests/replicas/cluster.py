"""Gateway replicas as separate processes over one Shoptet emulator process, sharing Redis and
PostgreSQL: what a deployment behind a load balancer looks like, on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from tests.replicas.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "shoptet-sandbox-token"


def wait_until_up(url: str, path: str = "/healthz", seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + path, timeout=0.5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not start")


@dataclass
class Cluster:
    directory: Path
    redis_url: str | None
    postgres_url: str | None
    prefix: str
    emulator_url: str = ""
    gateways: list[str] = field(default_factory=list)
    gateway_processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list)

    def _spawn(self, args: list[str], env: dict[str, str], name: str) -> None:
        log = (self.directory / f"{name}.log").open("wb")
        self._logs.append(log)
        self._processes.append(
            subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        )

    def start_emulator(self, latency: float, customers: int = 100) -> None:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
        self._spawn(
            [
                sys.executable,
                "-m",
                "tests.replicas.shoptet_server",
                "--port",
                str(port),
                "--latency",
                str(latency),
                "--customers",
                str(customers),
            ],
            env,
            "shoptet",
        )
        self.emulator_url = f"http://127.0.0.1:{port}"
        wait_until_up(self.emulator_url, "/_emulator/connections")

    def start_gateways(
        self, count: int, workers: int = 1, extra_env: dict[str, str] | None = None
    ) -> None:
        for _index in range(count):
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
            env.update(
                {
                    "CUSTOMER_GATEWAY_SOURCES__SHOP__KIND": "shoptet",
                    "CUSTOMER_GATEWAY_SOURCES__SHOP__BASE_URL": self.emulator_url,
                    "CUSTOMER_GATEWAY_SOURCES__SHOP__CREDENTIALS__TOKEN": TOKEN,
                    "CUSTOMER_GATEWAY_DATA_DIR": str(self.directory / "data"),
                    "CUSTOMER_GATEWAY_STATE__REDIS_PREFIX": self.prefix,
                    "CUSTOMER_GATEWAY_LOG_LEVEL": "WARNING",
                }
            )
            env.update(extra_env or {})
            if self.redis_url:
                env["CUSTOMER_GATEWAY_STATE__REDIS_URL"] = self.redis_url
            if self.postgres_url:
                env["CUSTOMER_GATEWAY_STATE__POSTGRES_URL"] = self.postgres_url
            env.update(extra_env or {})
            self._spawn(
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
                env,
                f"gateway-{len(self.gateways)}",
            )
            self.gateway_processes.append(self._processes[-1])
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url)
            self.gateways.append(url)

    def kill_gateway(self, index: int) -> None:
        """SIGKILL: the replica stops at once, renewing nothing, releasing nothing."""
        process = self.gateway_processes[index]
        process.kill()
        process.wait(10)

    def emulator_counts(self, reset: bool = False) -> dict[str, Any]:
        method = "DELETE" if reset else "GET"
        response = httpx.request(method, self.emulator_url + "/_emulator/connections")
        counts: dict[str, Any] = response.json()
        return counts

    def log(self, name: str) -> str:
        return (self.directory / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        for log in self._logs:
            log.close()
