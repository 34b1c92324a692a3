"""A small second subgraph for the federation test: it extends the gateway's `Customer` (keyed
by `uuid`) with the customer's orders in another system (`externalOrders`: the gateway's own
`Customer.orders` is EverShop's order history), made up deterministically from the uuid.

    python -m tests.clients.federation.orders <port>
"""

from __future__ import annotations

import hashlib
import sys

import strawberry
import uvicorn
from strawberry.asgi import GraphQL


@strawberry.type
class ExternalOrder:
    number: str
    total: float


def orders_of(uuid: str) -> list[ExternalOrder]:
    digest = hashlib.sha256(uuid.encode()).digest()
    return [
        ExternalOrder(number=f"{uuid[-6:]}-{index}", total=round(digest[index] * 1.5, 2))
        for index in range(digest[0] % 3 + 1)
    ]


@strawberry.federation.type(keys=["uuid"])
class Customer:
    uuid: str

    @strawberry.field
    def external_orders(self) -> list[ExternalOrder]:
        return orders_of(self.uuid)

    @classmethod
    def resolve_reference(cls, uuid: str) -> Customer:
        return cls(uuid=uuid)


@strawberry.type
class Query:
    @strawberry.field
    def order_count(self, uuid: str) -> int:
        return len(orders_of(uuid))

    @strawberry.field
    def customer_with_orders(self, uuid: str) -> Customer:
        """Starts here; the router asks the gateway for the rest."""
        return Customer(uuid=uuid)


schema = strawberry.federation.Schema(query=Query, types=[Customer], federation_version="2.9")

if __name__ == "__main__":
    uvicorn.run(GraphQL(schema), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
