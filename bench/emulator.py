"""One emulated upstream as its own uvicorn process, set up for load: rate limits off, a fixed
added latency on every request, and a request counter the benchmark reads over HTTP.

    python -m bench.emulator evershop --port 9101 --latency 0.02 --customers 200

`GET /__bench/requests` answers `{"requests": N, "seconds": S}`: the requests the emulator served
(the counter itself not counted) and the time it spent answering them, added latency included;
`POST /__bench/requests` answers the same and resets both.
`POST /__bench/latency?seconds=0.02` changes the added latency (one emulator serves every phase);
`GET /__bench/sleep` answers a small body after that latency alone (the transport benchmark).
The emulator's own in-process journal is cleared as it goes, so a long run keeps its memory flat.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from customer_gateway.emulators.base import Emulator
from customer_gateway.server.sandbox import EMULATORS, emulator_class

COUNTER_PATH = "/__bench/requests"
LATENCY_PATH = "/__bench/latency"
SLEEP_PATH = "/__bench/sleep"


def build(kind: str, seed: int, customers: int) -> Emulator:
    """The emulator of `kind` with its published rate limits off (they would throttle the load).

    What the seeding made is then frozen (`gc.freeze()`, as `customer-gateway serve` does for
    the gateway): the store lives as long as the process, and CPython's collector would
    otherwise walk all of it on every full collection, a cost of this process's requests that
    `python -m bench` counts in the gateway's latency (the emulators share one core)."""
    if kind not in EMULATORS:
        raise SystemExit(f"unknown kind {kind!r}")
    emulator = emulator_class(kind).create(seed=seed, customers=customers, rate_limits=False)
    gc.collect()
    gc.freeze()
    return emulator


class Counted:
    """Counts the requests that reach the emulator; serves the counter."""

    def __init__(self, app: ASGIApp, emulator: Emulator, latency: float) -> None:
        self.app = app
        self.emulator = emulator
        self.latency = latency
        self.count = 0
        self.seconds = 0.0  # time spent answering (added latency included)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == LATENCY_PATH:
            query = parse_qs(scope.get("query_string", b"").decode())
            self.latency = float(query.get("seconds", ["0"])[0])
            set_latency(self.emulator, self.latency)
            await _answer(send, {"latency": self.latency})
            return
        if scope["type"] == "http" and scope["path"] == SLEEP_PATH:
            await asyncio.sleep(self.latency)  # the added latency alone: a transport's own cost
            await _answer(send, {"slept": self.latency})
            return
        if scope["type"] == "http" and scope["path"] == COUNTER_PATH:
            answer = {"requests": self.count, "seconds": self.seconds}
            if scope["method"] == "POST":
                self.count, self.seconds = 0, 0.0
            await _answer(send, answer)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.count += 1
        if len(self.emulator.journal) > 10_000:
            self.emulator.reset_journal()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.seconds += time.perf_counter() - started


def set_latency(emulator: Emulator, seconds: float) -> None:
    emulator.faults.clear()
    if seconds > 0:
        emulator.faults.add("latency", times=None, seconds=seconds)


async def _answer(send: Send, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.emulator", description=__doc__)
    parser.add_argument("kind")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each request")
    args = parser.parse_args(argv)
    emulator = build(args.kind, args.seed, args.customers)
    set_latency(emulator, args.latency)
    print(json.dumps({"kind": args.kind, "credentials": emulator.connector_credentials()}))
    uvicorn.run(
        Counted(emulator.app, emulator, args.latency),
        host="127.0.0.1",
        port=args.port,
        access_log=False,
        log_level="warning",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
