"""`customer-gateway check`: is every configured source reachable with our credentials, and does
its declared `collation` match the order it really sorts text in?

The collation cannot be read through the sources' APIs, so the check asks the source to sort
what it holds (names and e-mails, ascending) and tests which collation that order fits. Names
that every collation orders alike prove nothing: the check then says so instead of guessing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace

import httpx

from customer_gateway.core.errors import GatewayError
from customer_gateway.mirror.command import mirror_states
from customer_gateway.server.sandbox import build_sandbox
from customer_gateway.server.settings import COLLATIONS, Settings
from customer_gateway.server.sources import open_sources
from customer_gateway.text.collation import sort_key

COLLATION_MISMATCH = "COLLATION_MISMATCH"


@dataclass(frozen=True, slots=True)
class SourceCheck:
    name: str
    kind: str
    status: str  # "ok", an error code, or COLLATION_MISMATCH
    millis: float
    collation: str  # what the check found about the source's text order
    mirror: str = "off"  # its mirror, as the store says (records, last sync, last error)


def fitting_collations(samples: Sequence[Sequence[str]]) -> list[str]:
    """The collations under which every sample (a source's ascending order) is in order."""
    fitting = []
    for collation in COLLATIONS:
        key = sort_key(collation)
        if all(
            key(before) <= key(after)
            for sample in samples
            for before, after in zip(sample, sample[1:], strict=False)
        ):
            fitting.append(collation)
    return fitting


def judge_collation(configured: str, samples: Sequence[Sequence[str]] | None) -> tuple[bool, str]:
    """(matches, what to tell the operator) for a source configured with `configured`."""
    if samples is None:
        return True, f"{configured} (the gateway sorts this source's text itself)"
    fitting = fitting_collations(samples)
    if configured in fitting and len(fitting) == 1:
        return True, f"{configured} (its order fits {configured} only)"
    if configured in fitting:
        return True, f"{configured} (undetermined: its names sort alike in {', '.join(fitting)})"
    if fitting:
        wanted = fitting[0]
        return False, f'mismatch: it sorts as {wanted}; set collation = "{wanted}"'
    return False, f"mismatch: its order fits none of {', '.join(COLLATIONS)}"


async def check_sources(
    settings: Settings, transports: Mapping[str, httpx.AsyncBaseTransport] | None = None
) -> list[SourceCheck]:
    """One check per source: its login and a read, then its text order against `collation`."""
    if settings.sandbox:
        sandbox = build_sandbox(settings)
        settings, transports = sandbox.settings, sandbox.transports()
    async with AsyncExitStack() as stack:
        sources = open_sources(settings, stack, transports)

        async def probe(name: str) -> SourceCheck:
            connector = sources.get(name)
            assert connector is not None
            configured = connector.settings.collation
            started = time.perf_counter()
            note = ""
            try:
                async with asyncio.timeout(connector.settings.timeouts.total):
                    await connector.check()
                    samples = await connector.text_order_sample()
                matches, note = judge_collation(configured, samples)
                status = "ok" if matches else COLLATION_MISMATCH
            except TimeoutError:
                status = "UPSTREAM_TIMEOUT"
            except GatewayError as error:
                status = error.code.value
            millis = (time.perf_counter() - started) * 1000
            return SourceCheck(name, connector.kind, status, millis, note)

        checks = await asyncio.gather(*(probe(name) for name in sources.names()))
    mirrors = {} if settings.sandbox else await mirror_states(settings)
    return [replace(check, mirror=mirrors.get(check.name, "off")) for check in checks]
