"""Fields of a Customer that need another record: its groups, through the group loader."""

from __future__ import annotations

from typing import TYPE_CHECKING

from customer_gateway.connectors.models import CustomerRecord, GroupRecord

if TYPE_CHECKING:
    from customer_gateway.context import GatewayContext


def embedded_groups(record: CustomerRecord, *, first_only: bool) -> list[GroupRecord] | None:
    """The customer's groups when the source embedded them all (nothing to fetch), else None."""
    refs = record.groups[:1] if first_only else record.groups
    if any(ref.name is None or ref.numeric_id is None for ref in refs):
        return None
    return [
        GroupRecord(record.source, ref.id, ref.numeric_id, ref.name)  # type: ignore[arg-type]
        for ref in refs
    ]


async def groups_of(
    context: GatewayContext, record: CustomerRecord, *, first_only: bool
) -> list[GroupRecord]:
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
        loaded = await context.loaders.groups.load_many(to_load)
        found.extend(group for group in loaded if group is not None)
    order = {ref.id: index for index, ref in enumerate(refs)}
    return sorted(found, key=lambda group: order[group.id])
