"""CustomerGroup as EverShop shapes it, plus where it lives."""

from __future__ import annotations

import strawberry

from customer_gateway.connectors.models import GroupRecord
from customer_gateway.core.context import Info
from customer_gateway.core.ids import global_id
from customer_gateway.schema.common import Filter, Source


@strawberry.federation.type(
    keys=["uuid"], description="EverShop's CustomerGroup, for a group of any source."
)
class CustomerGroup:
    @classmethod
    async def resolve_reference(cls, info: Info, uuid: str) -> CustomerGroup | None:
        """A supergraph's reference (`_entities`), read through the request's DataLoader."""
        from customer_gateway.resolvers.customer_groups import customer_group

        return await customer_group(info, uuid)

    customer_group_id: int = strawberry.field(
        description="The group's integer id in its source (synthesised where the source has none)."
    )
    group_name: str
    uuid: str = strawberry.field(description="Gateway-wide id `<source>:<native id>`.")
    native_id: str = strawberry.field(description="The id the source itself uses.")
    source: Source

    @classmethod
    def from_record(cls, record: GroupRecord, kind: str) -> CustomerGroup:
        return cls(
            customer_group_id=record.numeric_id,
            group_name=record.name,
            uuid=global_id(record.source, record.id),
            native_id=record.id,
            source=Source.of(record.source, kind),
        )


@strawberry.type
class CustomerGroupCollection:
    items: list[CustomerGroup | None] | None
    current_page: int
    total: int
    current_filters: list[Filter | None] | None
