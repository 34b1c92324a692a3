"""A list over sources that are all mirrored in one store: one SQL query pages them together.

The store orders rows as the merge does (sort key, the source's place in the configuration, the
native id), so its page is the merged page; `extensions.sources` reports each source as served,
with everything pushed down.
"""

from __future__ import annotations

from collections.abc import Sequence

from customer_gateway.connectors.models import Condition, CustomerRecord, Sort
from customer_gateway.connectors.protocol import Connector
from customer_gateway.core.context import GatewayContext
from customer_gateway.mirror.query import SUPPORTED, SourceSelection
from customer_gateway.mirror.source import MirroredSource
from customer_gateway.resolvers.fanout import fan_out
from customer_gateway.resolvers.filters.parsing import ListRequest

Together = list[tuple[MirroredSource, tuple[Condition, ...]]]


def one_store(
    candidates: Sequence[tuple[Connector, tuple[Condition, ...]]], sort: Sort, collation: str
) -> Together | None:
    """The candidates, when every one is served by a mirror, they share its store, and its
    sort keys are in the merge's collation."""
    together: Together = []
    stores: set[int] = set()
    for connector, conditions in candidates:
        if not isinstance(connector, MirroredSource) or connector.mirror.collation != collation:
            return None
        capabilities = connector.capabilities
        if any(
            (c.field, c.op) not in SUPPORTED or c.field in capabilities.unreadable_fields
            for c in conditions
        ):
            return None  # a filter the store cannot apply: the per-source path applies it
        stores.add(id(connector.mirror.store))
        together.append((connector, conditions))
    if together and sort.field not in together[0][0].capabilities.sorts:
        return None
    return together if together and len(stores) == 1 else None


async def mirrored_page(
    context: GatewayContext,
    together: Together,
    request: ListRequest,
    sort: Sort,
    path: list[str | int],
    wanted: frozenset[str] = frozenset(),
) -> tuple[list[CustomerRecord], int] | None:
    """The page, and its total. When the page's groups are wanted, the group lists of the
    sources whose customers name their groups by id only (Flow Retail) come in the same read
    and prime the request's group loader (as `GroupPrefetch` does for a live page)."""
    sorted_by = f"sort {sort.field.value} {'desc' if sort.descending else 'asc'}"
    for connector, conditions in together:
        outcome = context.outcome(connector)
        outcome.pushed_down = [f"{c.field.value} {c.op.value}" for c in conditions]
        outcome.pushed_down.append(sorted_by)
        outcome.applied_by_gateway = []
    first = together[0][0]
    selection = [SourceSelection(connector.name, conditions) for connector, conditions in together]
    groups_of = [
        connector.name
        for connector, _ in together
        if "groups" in wanted
        and connector.capabilities.group_names_by_list
        and connector.groups_in_store
    ]
    page = first.query_store(selection, sort, request.offset, request.limit, groups_of)
    results = await fan_out(context, [(first, context.call(first, page))], path)
    for connector, _ in together[1:]:
        context.outcome(connector).calls += 1
    if results is None:
        return None
    found = results[first.name]
    for source, groups in found.groups.items():
        for group in groups:
            context.loaders.groups.prime(source, group.id, group)
    return found.records, found.total
