"""Query: EverShop's customer read model, over every configured source."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from customer_gateway.core.context import Info
from customer_gateway.resolvers import changes as change_resolvers
from customer_gateway.resolvers import connection as connection_resolvers
from customer_gateway.resolvers import customer_groups as group_resolvers
from customer_gateway.resolvers import customers as customer_resolvers
from customer_gateway.resolvers import data_export, erasure, people, stores, urls
from customer_gateway.resolvers import exports as export_resolvers
from customer_gateway.resolvers import regions as region_resolvers
from customer_gateway.schema.changes import CustomerChangeCollection, CustomerChangeType
from customer_gateway.schema.connection import CustomerConnection
from customer_gateway.schema.customer import Customer, CustomerCollection
from customer_gateway.schema.customer_group import CustomerGroup, CustomerGroupCollection
from customer_gateway.schema.data_export import CustomerDataExport
from customer_gateway.schema.exports import CustomerExport
from customer_gateway.schema.inputs import FilterInput, raw_filters
from customer_gateway.schema.person import (
    ErasureReport,
    Person,
    PersonCollection,
    person_or_none,
)
from customer_gateway.schema.region import Region
from customer_gateway.schema.sources import SourceInfo
from customer_gateway.schema.stores import ExternalCustomerCollection, ExternalCustomerHit


@strawberry.input(description="EverShop's URL parameter.")
class UrlParam:
    key: str
    value: str


@strawberry.type
class Query:
    @strawberry.field(
        description="A customer by its `uuid` (`<source>:<native id>`), or by an EverShop "
        "source's bare uuid when exactly one EverShop source holds it; null if unknown."
    )
    async def customer(self, info: Info, id: str | None = None) -> Customer | None:
        return await customer_resolvers.customer(info, id)

    @strawberry.field(
        description="Customers of every source (or those `source` selects), filtered, sorted "
        "(default: customer_id DESC when only EverShop sources take part, else newest first) and "
        "paged over the merged order. Filters EverShop would ignore are ignored and named in "
        "`extensions.ignoredFilters`."
    )
    async def customers(
        self, info: Info, filters: list[FilterInput | None] | None = None
    ) -> CustomerCollection | None:
        return await customer_resolvers.customers(info, raw_filters(filters))

    @strawberry.field(
        description="The same customers as `customers` (same filters and sorts; not `page` or "
        "`limit`), by cursor: `first`/`after` forward, `last`/`before` backward (the Relay Cursor "
        "Connections specification). Cursors keep their place when customers are inserted or "
        "deleted before them."
    )
    async def customers_connection(
        self,
        info: Info,
        filters: list[FilterInput | None] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> CustomerConnection | None:
        return await connection_resolvers.customers_connection(
            info, raw_filters(filters), first, after, last, before
        )

    @strawberry.field(description="A customer group by its `uuid`; null if unknown.")
    async def customer_group(self, info: Info, id: str | None = None) -> CustomerGroup | None:
        return await group_resolvers.customer_group(info, id)

    @strawberry.field(
        description="Groups of every source. Keys: name (eq, like, nlike), source, ob (name), od, "
        "page, limit."
    )
    async def customer_groups(
        self, info: Info, filters: list[FilterInput | None] | None = None
    ) -> CustomerGroupCollection | None:
        return await group_resolvers.customer_groups(info, raw_filters(filters))

    @strawberry.field(description="Customer-address regions of the sources that define them.")
    async def regions(
        self, info: Info, source: str | None = None, country_code: str | None = None
    ) -> list[Region] | None:
        return await region_resolvers.regions(info, source, country_code)

    @strawberry.field(
        description="Customers created, changed or deleted since `since` (ISO 8601 with a time "
        "zone), the latest change per customer, oldest first, over the sources that report "
        "changes (a source without a change feed is an UNSUPPORTED_OPERATION error)."
    )
    async def customer_changes(
        self,
        info: Info,
        since: str,
        source: str | None = None,
        change_type: CustomerChangeType | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> CustomerChangeCollection | None:
        return await change_resolvers.customer_changes(
            info, since, source, change_type.model() if change_type else None, page, limit
        )

    @strawberry.field(
        description="Companies in the external register of a source's tenant (Flow Retail with "
        "the EXTERNAL_CUSTOMER_SEARCH extension)."
    )
    async def external_customer_search(
        self, info: Info, source: str, query: str, page: int = 1, limit: int = 20
    ) -> ExternalCustomerCollection | None:
        found = await stores.external_search(info.context, source, query, page, limit)
        return ExternalCustomerCollection(
            items=[ExternalCustomerHit.of(hit) for hit in found.items],
            current_page=page,
            total=found.total,
        )

    @strawberry.field(description="Everything the customer's source holds about them, as JSON.")
    async def customer_data_export(self, info: Info, id: str) -> CustomerDataExport | None:
        return await data_export.customer_data_export(info, id)

    @strawberry.field(
        description="An export this caller started with `startCustomerExport`; null if unknown, "
        "expired, or another caller's."
    )
    def customer_export(self, info: Info, id: strawberry.ID) -> CustomerExport | None:
        return export_resolvers.customer_export(info, str(id))

    @strawberry.field(
        description="People across the mirrored sources: those with a customer the filters "
        "match (the customers filters the mirror applies; not Flow Retail's store), newest "
        "change first."
    )
    async def people(
        self, info: Info, filters: list[FilterInput | None] | None = None
    ) -> PersonCollection | None:
        return PersonCollection.of(await people.people(info, raw_filters(filters)))

    @strawberry.field(description="A person by its `personId`; null if unknown.")
    async def person(self, info: Info, person_id: str) -> Person | None:
        return person_or_none(await people.person(info, person_id))

    @strawberry.field(
        description="Everything every source holds about a person (GDPR Art. 15/20), by e-mail "
        "(every person with that normalised e-mail) or `personId`: each source's "
        "`customerDataExport` document, in one; null if no such person."
    )
    async def person_data_export(
        self, info: Info, email: str | None = None, person_id: str | None = None
    ) -> JSON | None:
        exported = await people.person_data_export(info, email, person_id)
        return cast(JSON, exported) if exported is not None else None

    @strawberry.field(description="An erasure request's state (`erasePerson`); null if unknown.")
    async def erasure_request(self, info: Info, request_id: str) -> ErasureReport | None:
        found = await erasure.erasure_request(info, request_id)
        return ErasureReport.of(found) if found is not None else None

    @strawberry.field(description="The configured sources and what each can do itself.")
    def sources(self, info: Info) -> list[SourceInfo]:
        return [SourceInfo.of(connector) for connector in info.context.sources]

    @strawberry.field(description="EverShop's route URL builder, for the customer admin routes.")
    def url(self, route_id: str, params: list[UrlParam] | None = None) -> str | None:
        return urls.build_url(route_id, {param.key: param.value for param in params or []})
