"""EverShop's `Order`, as far as a customer's order history shows it (`Customer.orders`)."""

from __future__ import annotations

import strawberry

from customer_gateway.connectors.models import OrderRecord, StatusLabel
from customer_gateway.core.ids import global_id
from customer_gateway.schema.common import Date


@strawberry.type(description="An amount, with the source's own rendering of it.")
class Price:
    value: float
    currency: str | None = strawberry.field(description="The currency `text` is rendered in.")
    text: str | None


@strawberry.type(description="A payment or shipment status, named as the source names it.")
class OrderStatus:
    code: str | None
    name: str | None
    badge: str | None

    @classmethod
    def of(cls, label: StatusLabel | None) -> OrderStatus | None:
        if label is None:
            return None
        return cls(code=label.code, name=label.name, badge=label.badge)


@strawberry.type(
    description="An order of the customer (EverShop's Order: the fields its admin's order "
    "history reads, and the order's identity)."
)
class Order:
    order_id: strawberry.ID = strawberry.field(description="The order's id in its source.")
    uuid: str = strawberry.field(description="`<source>:<order uuid>`.")
    native_id: str = strawberry.field(description="The order's uuid in its source.")
    order_number: str
    currency: str | None
    customer_email: str | None
    customer_full_name: str | None
    created_at: Date
    grand_total: Price
    payment_status: OrderStatus | None
    shipment_status: OrderStatus | None
    edit_url: str | None = strawberry.field(description="The order's page in its back office.")

    @classmethod
    def of(cls, order: OrderRecord) -> Order:
        return cls(
            order_id=strawberry.ID(order.order_id),
            uuid=global_id(order.source, order.id),
            native_id=order.id,
            order_number=order.order_number,
            currency=order.currency,
            customer_email=order.customer_email,
            customer_full_name=order.customer_full_name,
            created_at=Date(value=order.created_value, text=order.created_text),
            grand_total=Price(
                value=order.grand_total,
                currency=order.grand_total_currency,
                text=order.grand_total_text,
            ),
            payment_status=OrderStatus.of(order.payment_status),
            shipment_status=OrderStatus.of(order.shipment_status),
            edit_url=order.edit_url,
        )
