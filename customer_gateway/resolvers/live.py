"""`Subscription.customerChanged`: the events of customer_gateway/features/events.py, as each
caller may see them (its sources only), each answered like a fresh request (its own deadline, its
own DataLoaders: a customer read for one event is not served stale to the next)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from customer_gateway.connectors.models import ChangeRecord, ChangeType
from customer_gateway.core.context import Info
from customer_gateway.core.errors import GatewayError
from customer_gateway.schema.changes import CustomerChange


async def customer_changed(
    info: Info, sources: Sequence[str] | None, change_types: Sequence[ChangeType] | None
) -> AsyncIterator[CustomerChange]:
    context = info.context
    if context.events is None:
        raise GatewayError("Live updates are not served here.")
    # Names the caller may not reach, or that do not exist, are refused as in every query.
    wanted = (
        {context.sources.require(name, field="sources").name for name in sources}
        if sources
        else set(context.sources.names())
    )
    kinds = {name: connector.kind for name in wanted if (connector := context.sources.get(name))}
    types = set(change_types) if change_types else set(ChangeType)
    subscriber = context.events.subscribe()
    try:
        async for event in subscriber:
            if event.source not in wanted or event.change_type not in types:
                continue
            context.begin_event()
            record = ChangeRecord(event.source, event.id, event.change_type, event.changed_at)
            yield CustomerChange.from_record(record, kinds[event.source])
    finally:
        subscriber.close()
