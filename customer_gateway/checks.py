"""`customer-gateway check`: is every configured source reachable with our credentials?"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack

from customer_gateway.errors import GatewayError
from customer_gateway.sandbox import build_sandbox
from customer_gateway.settings import Settings
from customer_gateway.sources import open_sources


async def check_sources(settings: Settings) -> list[tuple[str, str, str, float, str]]:
    """(source, kind, "ok" or an error code, milliseconds, its mirror) per source."""
    from customer_gateway.mirror.command import mirror_states

    mirrors = {} if settings.sandbox else await mirror_states(settings)
    transports = None
    if settings.sandbox:
        sandbox = build_sandbox(settings)
        settings, transports = sandbox.settings, sandbox.transports()
    async with AsyncExitStack() as stack:
        sources = open_sources(settings, stack, transports)

        async def probe(name: str) -> tuple[str, str, str, float]:
            connector = sources.get(name)
            assert connector is not None
            started = time.perf_counter()
            try:
                async with asyncio.timeout(connector.settings.timeouts.total):
                    await connector.check()
                status = "ok"
            except TimeoutError:
                status = "UPSTREAM_TIMEOUT"
            except GatewayError as error:
                status = error.code.value
            return name, connector.kind, status, (time.perf_counter() - started) * 1000

        rows = await asyncio.gather(*(probe(name) for name in sources.names()))
        return [(*row, mirrors.get(row[0], "off")) for row in rows]
