"""What an erasure does at a source and in the gateway's own stores, for a request
(`erasePerson`) and for the gateway's own retries alike."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from customer_gateway.connectors.errors import NotFound
from customer_gateway.connectors.models import Write
from customer_gateway.connectors.protocol import Connector
from customer_gateway.core.errors import ErrorCode, GatewayError
from customer_gateway.features.exports import Exports
from customer_gateway.features.idempotency import IdempotencyStore
from customer_gateway.identity.erasure import ERASED, GONE, UNSUPPORTED, Eraser, Forgetter
from customer_gateway.identity.index import IdentityIndex
from customer_gateway.mirror.source import SyncingSource

logger = logging.getLogger("customer_gateway.identity")

T = TypeVar("T")
Call = Callable[[Connector, Awaitable[Any]], Awaitable[Any]]
Lookup = Callable[[str], Connector | None]

# The gateway's own stores that forget an erased customer (reported by erasePerson).
GATEWAY_STORES = ("mirror", "identity index", "idempotency records", "exports")


def can_delete(connector: Connector) -> bool:
    return Write.DELETE in connector.capabilities.customer_writes


def eraser(lookup: Lookup, call: Call) -> Eraser:
    async def erase(source: str, native_id: str) -> str:
        connector = lookup(source)
        if connector is None:
            raise GatewayError(
                f"No configured source is named {source!r}", code=ErrorCode.NOT_FOUND
            )
        if not can_delete(connector):
            return UNSUPPORTED
        try:
            await call(connector, connector.delete_customer(native_id))
        except NotFound:
            return GONE
        return ERASED

    return erase


def forgetter(
    lookup: Lookup, index: IdentityIndex, idempotency: IdempotencyStore, exports: Exports
) -> Forgetter:
    async def forget(keys: Sequence[tuple[str, str]]) -> None:
        by_source: dict[str, list[str]] = {}
        for source, native_id in keys:
            by_source.setdefault(source, []).append(native_id)
        for source, ids in by_source.items():
            connector = lookup(source)
            if isinstance(connector, SyncingSource):
                # A source's delete removed the row already; one that was gone upstream may
                # still have it (the next sync would drop it): now. Idempotent.
                await connector.mirror.delete(ids)
        await index.forget_customers(keys)
        for source, native_id in keys:
            await idempotency.forget_customer(source, native_id)
        dropped = exports.forget_sources(set(by_source))
        if dropped:
            logger.info("erasure: %d export(s) holding erased customers deleted", dropped)

    return forget


async def background_call(connector: Connector, operation: Awaitable[T]) -> T:
    """An upstream call outside any request: the source's total timeout, errors typed."""
    try:
        async with asyncio.timeout(connector.settings.timeouts.total):
            return await operation
    except GatewayError:
        raise
    except TimeoutError:
        raise GatewayError(
            "the source did not answer in time", code=ErrorCode.UPSTREAM_TIMEOUT
        ) from None
    except Exception:
        logger.exception("erasure at %s failed unexpectedly", connector.name)
        raise GatewayError("unexpected failure", code=ErrorCode.INTERNAL) from None
