"""Live updates: customers created, changed or deleted, as they happen."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from customer_gateway.core.context import Info
from customer_gateway.resolvers import live
from customer_gateway.schema.changes import CustomerChange, CustomerChangeType


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each customer created, changed or deleted through the gateway (any "
        "replica), and each change the mirror's sync sees upstream, in the sources this caller "
        "may reach (all, or `sources`). Over graphql-transport-ws (WebSocket, credentials in "
        "`connection_init`'s payload as `X-API-Key` or `Authorization`) or server-sent events "
        "(POST with `Accept: text/event-stream`). A subscriber too slow to keep up is ended with "
        "SUBSCRIBER_TOO_SLOW: read what it missed with `customerChanges(since:)`."
    )
    async def customer_changed(
        self,
        info: Info,
        sources: list[str] | None = None,
        change_types: list[CustomerChangeType] | None = None,
    ) -> AsyncGenerator[CustomerChange, None]:
        models = [change.model() for change in change_types] if change_types else None
        async for change in live.customer_changed(info, sources, models):
            yield change
