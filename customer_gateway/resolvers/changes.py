"""`customerChanges`: every change-reporting source's feed, merged oldest first and paged."""

from __future__ import annotations

import heapq
from datetime import datetime
from itertools import islice

from customer_gateway.connectors.errors import Unsupported
from customer_gateway.connectors.models import ChangeRecord, ChangeType
from customer_gateway.connectors.protocol import ChangeFeed
from customer_gateway.core.context import Info
from customer_gateway.core.errors import BadUserInput, QueryTooComplex
from customer_gateway.resolvers.fanout import fan_out
from customer_gateway.schema.changes import CustomerChange, CustomerChangeCollection


async def customer_changes(
    info: Info,
    since: str,
    source: str | None,
    change_type: ChangeType | None,
    page: int,
    limit: int,
) -> CustomerChangeCollection | None:
    context = info.context
    moment = _moment(since)
    if page < 1:
        raise BadUserInput("page must be at least 1", field="page")
    if not 1 <= limit <= context.settings.max_page_size:
        raise BadUserInput(f"limit must be 1 to {context.settings.max_page_size}", field="limit")
    window = page * limit
    if window > context.settings.max_scan:
        raise QueryTooComplex(f"page × limit is at most {context.settings.max_scan}")
    path = info.path.as_list()
    selected = [context.sources.require(source)] if source else list(context.sources)
    capable = [c for c in selected if isinstance(c, ChangeFeed)]  # capabilities.changes
    for connector in selected:
        if not isinstance(connector, ChangeFeed):
            error = Unsupported(
                f"{connector.kind} sources report no changes", source=connector.name
            )
            if source is not None:
                raise error
            context.report_partial(path, error)
    results = await fan_out(
        context,
        [(c, context.call(c, c.list_changes(moment, change_type, 0, window))) for c in capable],
        path,
    )
    if results is None:
        return None
    streams = [list(results[c.name].items) for c in capable if c.name in results]
    merged = heapq.merge(*streams, key=lambda change: change.changed_at)
    items: list[ChangeRecord] = list(islice(merged, (page - 1) * limit, window))
    kinds = {c.name: c.kind for c in capable}
    return CustomerChangeCollection(
        items=[CustomerChange.from_record(change, kinds[change.source]) for change in items],
        current_page=page,
        total=sum(result.total for result in results.values()),
    )


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadUserInput(
            "since must be an ISO 8601 date-time with a time zone, e.g. 2026-11-01T00:00:00Z",
            field="since",
        )
    return moment
