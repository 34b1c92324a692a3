"""The httpx transport choice, measured alone: `concurrency` tasks each sending GETs in a loop
through the gateway's own `build_client` to one emulator (its added latency included), for each
transport. Prints one JSON line per (transport, concurrency): p50/p99 of one upstream request,
requests per second, errors.

    python -m bench.transport --base-url http://127.0.0.1:PORT --path /api/v3/1003/customers \
        --header "authorization: Bearer TOKEN" --seconds 5 --concurrency 20 50

The benchmark runs it as its own process pinned to the server core (where the gateway runs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence

import httpx

from customer_gateway.connectors.transport import build_client
from customer_gateway.server.settings import SourceSettings


async def measure(
    transport: str,
    base_url: str,
    path: str,
    headers: dict[str, str],
    concurrency: int,
    seconds: float,
) -> dict[str, object]:
    settings = SourceSettings(
        name="bench",
        kind="ecwid",
        base_url=base_url,
        max_connections=100,
        transport=transport,
    )
    latencies: list[float] = []
    errors = 0
    async with build_client(settings) as client:
        for _ in range(concurrency):  # warm the pool
            await client.request("GET", path, headers=headers)
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await client.request("GET", path, headers=headers)
                except httpx.HTTPError:
                    errors += 1
                    continue
                if response.status_code >= 400:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    count = len(latencies)
    return {
        "transport": transport,
        "concurrency": concurrency,
        "requests": count,
        "rate": count / elapsed,
        "p50_ms": 1000 * latencies[count // 2] if count else 0.0,
        "p99_ms": 1000 * latencies[min(count - 1, int(count * 0.99))] if count else 0.0,
        "errors": errors,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transport", description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--header", action="append", default=[], help="'name: value'")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--transports", nargs="+", default=["httpx", "aiohttp"])
    args = parser.parse_args(argv)
    headers = dict(
        (name.strip(), value.strip())
        for name, _, value in (header.partition(":") for header in args.header)
    )
    for concurrency in args.concurrency:
        for transport in args.transports:
            result = asyncio.run(
                measure(transport, args.base_url, args.path, headers, concurrency, args.seconds)
            )
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
