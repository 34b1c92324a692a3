"""The change feed: which customers changed since a moment, across the sources that report it."""

from __future__ import annotations

import enum
from datetime import UTC

import strawberry

from customer_gateway.connectors.models import ChangeRecord, ChangeType, CustomerRecord
from customer_gateway.core.context import Info
from customer_gateway.core.ids import global_id
from customer_gateway.schema.common import Source
from customer_gateway.schema.customer import Customer


@strawberry.enum(description="EDIT: created or changed; DELETE: deleted.")
class CustomerChangeType(enum.Enum):
    EDIT = "edit"
    DELETE = "delete"

    def model(self) -> ChangeType:
        return ChangeType(self.value)


@strawberry.type(description="The latest change of one customer since the requested moment.")
class CustomerChange:
    uuid: str
    native_id: str
    source: Source
    change_type: CustomerChangeType
    changed_at: str = strawberry.field(description="ISO 8601, UTC.")

    @classmethod
    def from_record(cls, record: ChangeRecord, kind: str) -> CustomerChange:
        return cls(
            uuid=global_id(record.source, record.id),
            native_id=record.id,
            source=Source(name=record.source, kind=kind),
            change_type=CustomerChangeType(record.change_type.value),
            changed_at=record.changed_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        )

    @strawberry.field(
        description="The customer as it is now; null once deleted, or when its source failed "
        "to answer (one error per source)."
    )
    async def customer(self, info: Info) -> Customer | None:
        record = await info.context.loaders.customers.settle(
            self.source.name, self.native_id, info.path.as_list()
        )
        if not isinstance(record, CustomerRecord):
            return None
        return Customer.from_record(record, self.source.kind)


@strawberry.type
class CustomerChangeCollection:
    items: list[CustomerChange]
    current_page: int
    total: int
