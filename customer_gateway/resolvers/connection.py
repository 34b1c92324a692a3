"""`customersConnection` (Relay cursor connections) over the same merged order as `customers`.

A cursor seals a customer's position (its sort value, source and native id: cursors.py), not an
offset. A page is found by reading the merged order from its start in windows that double until
they reach past the cursor and hold the page (or the list ends, or `max_scan` is reached):
customers inserted or deleted before the cursor change which offset the page starts at, never
which customers it holds, so walking the list neither repeats nor skips one. Backward paging
(`last`, `before`) reads the same windows and takes the customers just before the cursor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from customer_gateway.connectors.models import CustomerRecord, Sort
from customer_gateway.core.context import GatewayContext, Info
from customer_gateway.core.errors import BadUserInput, QueryTooComplex
from customer_gateway.features.cursors import Position
from customer_gateway.resolvers.customers import Merged, merged_page, request_filters
from customer_gateway.resolvers.filters.evaluation import sort_key
from customer_gateway.resolvers.filters.parsing import FilterLike
from customer_gateway.resolvers.merging import natural_id
from customer_gateway.resolvers.selection import record_attributes, selected_names
from customer_gateway.schema.connection import CustomerConnection, CustomerEdge, PageInfo
from customer_gateway.schema.customer import Customer

_PAGING_FILTERS = frozenset({"page", "limit"})


async def customers_connection(
    info: Info,
    filters: Sequence[FilterLike] | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> CustomerConnection | None:
    context = info.context
    path = info.path.as_list()
    size = _size(first, last, context.settings.max_page_size)
    given = list(filters or [])
    if any(item.key in _PAGING_FILTERS for item in given):
        raise BadUserInput(
            "customersConnection pages with first/after and last/before, not page/limit filters.",
            field="filters",
        )
    request = request_filters(context, given)
    context.report_ignored(path, request.ignored)
    selections = info.selected_fields[0].selections
    wanted = record_attributes(selected_names(selections, ("edges", "node")))
    window = max(2 * size, context.settings.max_page_size)
    while True:
        # Tie groups whole, by native id: a cursor seals (sort value, source, native id), so the
        # merged order must be exactly that order (`merged_page`'s chunked ties are not).
        merged = await merged_page(
            context,
            dataclasses.replace(request, page=1, limit=window),
            wanted,
            path,
            chunked_ties=False,
        )
        if merged is None:
            return None
        assert context.cursors is not None
        low = context.cursors.decode(after, merged.sort, "after") if after is not None else None
        high = context.cursors.decode(before, merged.sort, "before") if before is not None else None
        key = _merged_key(context, merged)
        records = merged.records
        ended = len(records) < window
        between = [
            r
            for r in records
            if (low is None or key(r) > key(low.record()))
            and (high is None or key(r) < key(high.record()))
        ]
        reached_high = high is not None and any(key(r) >= key(high.record()) for r in records)
        if first is not None and (len(between) > size or ended or reached_high):
            break
        if first is None and (ended or reached_high):
            break
        if window >= context.settings.max_scan:
            raise QueryTooComplex(
                f"This cursor lies deeper than the first {window} customers of the merged order; "
                "the limit is max_scan. Narrow the filters.",
            )
        window = min(window * 2, context.settings.max_scan)
    if first is not None:
        shown = between[:size]
        has_next = len(between) > size or reached_high
        has_previous = low is not None and any(key(r) <= key(low.record()) for r in records)
    else:
        shown = between[-size:]
        has_previous = len(between) > size or (
            low is not None and any(key(r) <= key(low.record()) for r in records)
        )
        has_next = high is not None
    return await _connection(context, merged, shown, has_next, has_previous)


def _size(first: int | None, last: int | None, cap: int) -> int:
    if (first is None) == (last is None):
        raise BadUserInput("Give one of first or last.", field="first")
    size = first if first is not None else last
    assert size is not None
    if not 1 <= size <= cap:
        raise BadUserInput(f"first and last are 1 to {cap}.", field="first" if first else "last")
    return size


def _merged_key(context: GatewayContext, merged: Merged) -> Callable[[CustomerRecord], Any]:
    """A record's place in the merged order: its sort value, then its source's position, then
    its native id (how the merge and the sources settle ties)."""
    by_value = sort_key(merged.sort, merged.collation)
    position = {name: index for index, name in enumerate(context.sources.names())}

    def key(record: CustomerRecord) -> tuple[Any, int, tuple[int, Any]]:
        return (by_value(record), position.get(record.source, -1), natural_id(record.id))

    return key


async def _connection(
    context: GatewayContext,
    merged: Merged,
    shown: list[CustomerRecord],
    has_next: bool,
    has_previous: bool,
) -> CustomerConnection:
    page = await merged.finish(shown)
    assert context.cursors is not None
    codec = context.cursors
    sort: Sort = merged.sort
    cursors = [codec.encode(Position.of(record, sort)) for record in page]
    edges = [
        CustomerEdge(cursor=cursor, node=Customer.from_record(record, _kind(context, record)))
        for cursor, record in zip(cursors, page, strict=True)
    ]
    return CustomerConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
        total_count=merged.total,
    )


def _kind(context: GatewayContext, record: CustomerRecord) -> str:
    connector = context.sources.get(record.source)
    return connector.kind if connector else "unknown"
