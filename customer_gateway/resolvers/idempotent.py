"""`createCustomer` under an idempotency key (see customer_gateway/features/idempotency.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from customer_gateway.connectors.models import (
    Condition,
    CustomerDraft,
    CustomerQuery,
    CustomerRecord,
    FilterField,
    Op,
)
from customer_gateway.connectors.protocol import Connector
from customer_gateway.core.context import GatewayContext
from customer_gateway.core.errors import ErrorCode, GatewayError
from customer_gateway.features.idempotency import State, fingerprint

# Outcomes after which the create may or may not have landed at the source.
AMBIGUOUS = frozenset(
    {ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.UPSTREAM_TIMEOUT, ErrorCode.UPSTREAM_BAD_RESPONSE}
)
CLOCK_SKEW = timedelta(minutes=2)
MAX_KEY = 255
IN_PROGRESS_POLL = 0.1  # seconds between looks at a key another request holds
IN_PROGRESS_MARGIN = 1.0  # of the request's deadline, kept for answering


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise GatewayError(
            f"idempotencyKey must be 1 to {MAX_KEY} printable characters",
            code=ErrorCode.BAD_USER_INPUT,
            field="idempotencyKey",
        )
    return key


async def create(
    context: GatewayContext,
    connector: Connector,
    draft: CustomerDraft,
    given: Mapping[str, Any],
    key: str,
) -> CustomerRecord:
    scoped = f"{context.principal.name}\x00{key}"
    seen = await context.idempotency.claim(scoped, fingerprint(connector.name, given))
    # The same request still running (on this replica or another): wait for its answer and
    # replay it, while the deadline leaves room; only then say it is in progress.
    while (
        seen is not None
        and seen.state is State.IN_PROGRESS
        and seen.fingerprint == fingerprint(connector.name, given)
        and context.deadline - time.monotonic() > IN_PROGRESS_MARGIN
    ):
        await asyncio.sleep(IN_PROGRESS_POLL)
        seen = await context.idempotency.claim(scoped, fingerprint(connector.name, given))
    if seen is not None:
        if seen.fingerprint != fingerprint(connector.name, given):
            raise GatewayError(
                "This idempotencyKey was used for a different request.",
                code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
                field="idempotencyKey",
            )
        if seen.state is State.IN_PROGRESS:
            raise GatewayError(
                "A request with this idempotencyKey is still running; retry shortly.",
                code=ErrorCode.IDEMPOTENCY_IN_PROGRESS,
                retryable=True,
            )
        if seen.state is State.DONE:
            assert seen.record is not None
            return seen.record
        # UNKNOWN: did the earlier attempt land? Only proof of absence allows a new send.
        try:
            found = await context.call(
                connector, _created_since(connector, draft.email, seen.started_at)
            )
        except GatewayError:
            await context.idempotency.mark_unknown(scoped)
            raise
        if found is not None:
            await context.idempotency.finish(scoped, found)
            return found
    try:
        record = await context.call(connector, connector.create_customer(draft))
    except GatewayError as error:
        if error.code in AMBIGUOUS:
            await context.idempotency.mark_unknown(scoped)
        else:
            await context.idempotency.forget(scoped)
        raise
    await context.idempotency.finish(scoped, record)
    return record


async def _created_since(
    connector: Connector, email: str, started_at: float
) -> CustomerRecord | None:
    page = await connector.list_customers(
        CustomerQuery(conditions=(Condition(FilterField.EMAIL, Op.EQ, (email,)),), limit=20)
    )
    candidates = list(page.items)
    partial = [r.id for r in candidates if "email" in r.missing]
    if partial:
        details = {r.id: r for r in await connector.get_customers(partial) if r is not None}
        candidates = [details.get(r.id, r) for r in candidates]
    since = datetime.fromtimestamp(started_at, UTC) - CLOCK_SKEW
    for record in candidates:
        same = record.email is not None and record.email.casefold() == email.casefold()
        if same and (record.created_at is None or record.created_at >= since):
            return record
    return None
