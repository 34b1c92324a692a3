"""Mutation: writes routed to the owning source; a failure is a typed error (`extensions.code`)."""

from __future__ import annotations

import strawberry

from customer_gateway.core.context import Info
from customer_gateway.resolvers import batch, erasure, mutations, people
from customer_gateway.resolvers import exports as export_resolvers
from customer_gateway.schema.batch import (
    CustomerBatchResult,
    CustomerBatchUpdate,
    CustomerBatchUpsert,
)
from customer_gateway.schema.customer import Customer
from customer_gateway.schema.customer_group import CustomerGroup
from customer_gateway.schema.exports import CustomerExport
from customer_gateway.schema.inputs import (
    CustomerCreateInput,
    CustomerGroupInput,
    CustomerUpdateInput,
    customer_values,
)
from customer_gateway.schema.payloads import DeletedRecord
from customer_gateway.schema.person import ErasureReport, Person, person_or_none


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a customer in the named source.")
    async def create_customer(
        self, info: Info, source: str, input: CustomerCreateInput
    ) -> Customer | None:
        return await mutations.create_customer(info, source, customer_values(input))

    @strawberry.mutation(description="Update the customer with this `uuid` in its source.")
    async def update_customer(
        self, info: Info, id: str, input: CustomerUpdateInput
    ) -> Customer | None:
        return await mutations.update_customer(info, id, customer_values(input))

    @strawberry.mutation(description="Delete the customer with this `uuid` from its source.")
    async def delete_customer(self, info: Info, id: str) -> DeletedRecord | None:
        return await mutations.delete_customer(info, id)

    @strawberry.mutation(
        description="These customers (2 to 20 `uuid`s of mirrored sources) are one person, "
        "whatever their e-mails and phones say; kept until unlinked."
    )
    async def link_customers(self, info: Info, ids: list[str]) -> Person | None:
        return person_or_none(await people.link_customers(info, ids))

    @strawberry.mutation(
        description="Each of these customers leaves its person: no e-mail or phone joins it to "
        "anyone any more (an explicit link still does). Returns each one's person after."
    )
    async def unlink_customers(self, info: Info, ids: list[str]) -> list[Person | None] | None:
        return [person_or_none(view) for view in await people.unlink_customers(info, ids)]

    @strawberry.mutation(
        description="Erase a person (by e-mail or personId) in every source that can delete "
        "customers, and in the gateway's own stores; per source what was done or why not. "
        "Idempotent and resumable: a source that fails stays pending and is retried; the "
        "request is COMPLETED only when every source has answered. `dryRun`: say what would "
        "be done, change nothing."
    )
    async def erase_person(
        self,
        info: Info,
        email: str | None = None,
        person_id: str | None = None,
        dry_run: bool = False,
    ) -> ErasureReport | None:
        return ErasureReport.of(await erasure.erase_person(info, email, person_id, dry_run))

    @strawberry.mutation(description="Create a customer group in the named source.")
    async def create_customer_group(
        self, info: Info, source: str, input: CustomerGroupInput
    ) -> CustomerGroup | None:
        return await mutations.create_customer_group(info, source, group_name=input.group_name)

    @strawberry.mutation(description="Rename the group with this `uuid`.")
    async def update_customer_group(
        self, info: Info, id: str, input: CustomerGroupInput
    ) -> CustomerGroup | None:
        return await mutations.update_customer_group(info, id, group_name=input.group_name)

    @strawberry.mutation(description="Delete the group with this `uuid` from its source.")
    async def delete_customer_group(self, info: Info, id: str) -> DeletedRecord | None:
        return await mutations.delete_customer_group(info, id)

    @strawberry.mutation(
        description="Start exporting every customer of these sources (default: all) as gzip JSON "
        "Lines. The export is this caller's: poll `customerExport(id)` and download from its "
        "`downloadUrl`, both with the same credentials."
    )
    def start_customer_export(
        self, info: Info, sources: list[str] | None = None
    ) -> CustomerExport | None:
        return export_resolvers.start_customer_export(info, sources)

    @strawberry.mutation(
        description="Many writes to one source: one result per item. Flow Retail takes them in "
        "its batch API; other sources one after another under their limits."
    )
    async def batch_customers(
        self,
        info: Info,
        source: str,
        create: list[CustomerCreateInput] | None = None,
        update: list[CustomerBatchUpdate] | None = None,
        delete: list[str] | None = None,
        upsert: list[CustomerBatchUpsert] | None = None,
    ) -> CustomerBatchResult | None:
        return await batch.batch_customers(
            info,
            source,
            [customer_values(item) for item in create or []],
            [(item.id, customer_values(item.input)) for item in update or []],
            list(delete or []),
            [(item.id, customer_values(item.input)) for item in upsert or []],
        )

    @strawberry.mutation(description="Link a customer to an extension (Flow Retail: TWO_INVOICE).")
    async def add_customer_extension(
        self, info: Info, id: str, extension: str, store_id: str
    ) -> Customer | None:
        return await mutations.change_extension(info, id, extension, store_id, add=True)

    @strawberry.mutation(description="Remove a customer's extension (Flow Retail: TWO_INVOICE).")
    async def remove_customer_extension(
        self, info: Info, id: str, extension: str, store_id: str
    ) -> Customer | None:
        return await mutations.change_extension(info, id, extension, store_id, add=False)
