"""Store views, customer extensions and the external register (Flow Retail has them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from customer_gateway.connectors.models import ExternalHit, StoreView


@strawberry.type(description="A customer as one store of a chain sees it.")
class CustomerStoreView:
    store_id: str
    store_name: str | None
    first_visit_at: str | None = strawberry.field(description="ISO 8601, UTC.")
    last_visit_at: str | None = strawberry.field(description="ISO 8601, UTC.")
    visit_count: int | None
    loyalty_points: int | None
    details: JSON = strawberry.field(description="Everything the source says, as it says it.")

    @classmethod
    def of(cls, view: StoreView) -> CustomerStoreView:
        return cls(
            store_id=view.store_id,
            store_name=view.store_name,
            first_visit_at=_iso(view.first_visit_at),
            last_visit_at=_iso(view.last_visit_at),
            visit_count=view.visit_count,
            loyalty_points=view.loyalty_points,
            details=cast(JSON, dict(view.details)),
        )


@strawberry.type(description="A company in an external register: not (yet) a customer.")
class ExternalCustomerHit:
    name: str
    organization_number: str | None
    address: str | None
    postcode: str | None
    city: str | None
    country_code: str | None
    registry: str | None

    @classmethod
    def of(cls, hit: ExternalHit) -> ExternalCustomerHit:
        return cls(
            name=hit.name,
            organization_number=hit.organization_number,
            address=hit.address,
            postcode=hit.postcode,
            city=hit.city,
            country_code=hit.country_code,
            registry=hit.registry,
        )


@strawberry.type
class ExternalCustomerCollection:
    items: list[ExternalCustomerHit]
    current_page: int
    total: int


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None
