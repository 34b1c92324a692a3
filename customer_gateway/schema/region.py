"""Region: a customer-address region of a source (Shoptet has them; EverShop has none)."""

from __future__ import annotations

import strawberry

from customer_gateway.connectors.models import RegionRecord
from customer_gateway.core.ids import global_id
from customer_gateway.schema.common import Source


@strawberry.type(description="A region customers' addresses refer to, as a source defines it.")
class Region:
    id: str = strawberry.field(description="Gateway-wide id `<source>:<native id>`.")
    native_id: str
    name: str
    code: str | None
    country_code: str | None
    source: Source

    @classmethod
    def from_record(cls, record: RegionRecord, kind: str) -> Region:
        return cls(
            id=global_id(record.source, record.id),
            native_id=record.id,
            name=record.name,
            code=record.code,
            country_code=record.country_code,
            source=Source(name=record.source, kind=kind),
        )
