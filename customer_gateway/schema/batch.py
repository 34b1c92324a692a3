"""batchCustomers: many writes to one source, one result per item."""

from __future__ import annotations

import enum

import strawberry

from customer_gateway.schema.customer import Customer
from customer_gateway.schema.inputs import CustomerCreateInput, CustomerUpdateInput


@strawberry.enum
class BatchOperation(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    UPSERT = "upsert"


@strawberry.input
class CustomerBatchUpdate:
    id: str = strawberry.field(description="The customer's `uuid`.")
    input: CustomerUpdateInput


@strawberry.input(description="Create, or update when `id` names an existing customer.")
class CustomerBatchUpsert:
    id: str | None = None
    input: CustomerCreateInput


@strawberry.type(description="Why one item failed (the same codes as `extensions.code`).")
class BatchItemError:
    code: str
    message: str
    field: str | None
    retryable: bool


@strawberry.type
class CustomerBatchItemResult:
    operation: BatchOperation
    index: int = strawberry.field(description="The item's position in its list.")
    ok: bool
    uuid: str | None
    customer: Customer | None = strawberry.field(
        description="The customer as the write left it (null for deletes and failures)."
    )
    error: BatchItemError | None


@strawberry.type(description="200 and 207 alike: each item says whether it landed.")
class CustomerBatchResult:
    ok: bool = strawberry.field(description="Every item landed.")
    items: list[CustomerBatchItemResult]
