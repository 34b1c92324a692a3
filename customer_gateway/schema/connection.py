"""`customersConnection`: the Relay cursor connection beside EverShop's page model."""

from __future__ import annotations

import strawberry

from customer_gateway.schema.customer import Customer


@strawberry.type(description="One customer of a connection, with the cursor of its position.")
class CustomerEdge:
    cursor: str
    node: Customer


@strawberry.type(name="PageInfo", description="Relay's page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(
    description="Customers in the merged order, by cursor (the Relay Cursor Connections "
    "specification). Cursors are opaque and keyed on the customer's position: customers "
    "inserted or deleted before a cursor move no page."
)
class CustomerConnection:
    edges: list[CustomerEdge]
    page_info: PageInfo
    total_count: int
