"""Fields of a Customer that need another record: its groups, through the group loader.

They are read after the list that holds the customer was merged: a source failing then fails
only its own fields (null, one error per source: `GatewayContext.report_unread`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from customer_gateway.connectors.errors import Unsupported
from customer_gateway.connectors.models import CustomerRecord, GroupRecord, OrderRecord
from customer_gateway.connectors.protocol import OrderHistory, refuse
from customer_gateway.resolvers.loaders import UNREAD, Unread

if TYPE_CHECKING:
    from customer_gateway.core.context import GatewayContext


def embedded_groups(record: CustomerRecord, *, first_only: bool) -> list[GroupRecord] | None:
    """The customer's groups when the source embedded them all (nothing to fetch), else None."""
    refs = record.groups[:1] if first_only else record.groups
    if any(ref.name is None or ref.numeric_id is None for ref in refs):
        return None
    return [
        GroupRecord(record.source, ref.id, ref.numeric_id, ref.name)  # type: ignore[arg-type]
        for ref in refs
    ]


def ready_groups(
    context: GatewayContext, record: CustomerRecord, *, first_only: bool
) -> list[GroupRecord] | None:
    """The customer's groups where every one is embedded or already in the request's group
    loader (a page's prefetched group list primes it): what `settled_groups` would answer,
    without a coroutine, a gather and a task per customer. None: `settled_groups` must run."""
    if "groups" in record.missing:
        return None
    refs = record.groups[:1] if first_only else record.groups
    found: list[GroupRecord] = []
    for ref in refs:
        if ref.name is not None and ref.numeric_id is not None:
            found.append(GroupRecord(record.source, ref.id, ref.numeric_id, ref.name))
            continue
        group = context.loaders.groups.ready(record.source, ref.id)
        if group is UNREAD:
            return None
        if isinstance(group, GroupRecord):
            found.append(group)
    if len(found) > 1:
        order = {ref.id: index for index, ref in enumerate(refs)}
        found.sort(key=lambda group: order[group.id])
    return found


async def groups_of(
    context: GatewayContext, record: CustomerRecord, *, first_only: bool
) -> list[GroupRecord]:
    """The customer's groups; a failure of their source raises."""
    groups = await _groups(context, record, first_only=first_only, path=None)
    assert groups is not None  # without a path, a failure raises
    return groups


async def settled_groups(
    context: GatewayContext,
    record: CustomerRecord,
    *,
    first_only: bool,
    path: Sequence[str | int],
) -> list[GroupRecord] | None:
    """The customer's groups; None when their source failed (reported once, at `path`'s root),
    or when the record does not carry them (a summary whose detail could not be read)."""
    if "groups" in record.missing:
        return None
    return await _groups(context, record, first_only=first_only, path=path)


async def _groups(
    context: GatewayContext,
    record: CustomerRecord,
    *,
    first_only: bool,
    path: Sequence[str | int] | None,
) -> list[GroupRecord] | None:
    refs = record.groups[:1] if first_only else record.groups
    found: list[GroupRecord] = []
    to_load = []
    for ref in refs:
        if ref.name is not None and ref.numeric_id is not None:
            # The source embedded the group in the customer: nothing to fetch.
            found.append(GroupRecord(record.source, ref.id, ref.numeric_id, ref.name))
        else:
            to_load.append((record.source, ref.id))
    if to_load:
        loaded: Sequence[GroupRecord | Unread | None]
        if path is None:
            loaded = await context.loaders.groups.load_many(to_load)
        else:
            loaded = await context.loaders.groups.settle_many(to_load, path)
        if any(isinstance(group, Unread) for group in loaded):
            return None
        found.extend(group for group in loaded if isinstance(group, GroupRecord))
    order = {ref.id: index for index, ref in enumerate(refs)}
    return sorted(found, key=lambda group: order[group.id])


async def orders(context: GatewayContext, record: CustomerRecord) -> Sequence[OrderRecord] | None:
    """The customer's orders from its source; a source without an order link raises
    UNSUPPORTED_OPERATION naming it (the field is then null with that error)."""
    connector = context.sources.get(record.source)
    if connector is None:
        return None
    if isinstance(connector, OrderHistory):
        return await context.call(connector, connector.list_orders(record.id))
    # The gateway links customers to orders only where the source keeps both (EverShop).
    refusal = Unsupported(
        f"{connector.name} ({connector.kind}) has no order history the gateway can read: it "
        "links customers to orders for EverShop sources only",
        source=connector.name,
    )
    return await context.call(connector, refuse(refusal))
