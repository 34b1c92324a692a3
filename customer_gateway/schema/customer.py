"""Customer as EverShop's admin GraphQL shapes it, widened where other sources need it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from customer_gateway.connectors.models import Address, CustomerRecord, GroupRecord
from customer_gateway.core.context import Info
from customer_gateway.core.errors import GatewayError
from customer_gateway.core.ids import global_id
from customer_gateway.resolvers import customer_fields, stores
from customer_gateway.schema.common import Country, Date, Filter, Province, Source
from customer_gateway.schema.customer_group import CustomerGroup
from customer_gateway.schema.orders import Order
from customer_gateway.schema.stores import CustomerStoreView

if TYPE_CHECKING:
    from customer_gateway.schema.person import Person


@strawberry.type(description="A saved address of a customer (EverShop's CustomerAddress).")
class CustomerAddress:
    cart_address_id: int | None = strawberry.field(
        description="EverShop's address id where the source has one (EverShop itself fails on it)."
    )
    uuid: str | None
    kind: str = strawberry.field(
        description="billing, delivery, or address where the source does not say."
    )
    full_name: str | None
    company: str | None
    postcode: str | None
    telephone: str | None
    country: Country | None
    province: Province | None
    city: str | None
    address1: str | None
    address2: str | None
    is_default: bool | None

    @classmethod
    def from_address(cls, address: Address) -> CustomerAddress:
        has_province = address.province_code or address.province_name
        return cls(
            cart_address_id=address.numeric_id,
            uuid=address.id,
            kind=address.kind,
            full_name=address.full_name,
            company=address.company,
            postcode=address.postcode,
            telephone=address.telephone,
            country=Country.of(address.country_code),
            province=Province(
                code=address.province_code,
                name=address.province_name,
                country_code=address.country_code,
            )
            if has_province
            else None,
            city=address.city,
            address1=address.address1,
            address2=address.address2,
            is_default=address.is_default,
        )


@strawberry.federation.type(
    keys=["uuid"], description="A customer of any source, in EverShop's shape."
)
class Customer:
    @classmethod
    async def resolve_reference(cls, info: Info, uuid: str) -> Customer | None:
        """A supergraph's reference (`_entities`), read through the request's DataLoader: a
        hundred references cost the upstream requests a page of a hundred costs."""
        from customer_gateway.resolvers.customers import customer

        return await customer(info, uuid)

    customer_id: int = strawberry.field(
        description="The customer's integer id in its source (EverShop customer_id, Ecwid id); "
        "synthesised from the native id where the source has none. Unique only within a source."
    )
    uuid: str = strawberry.field(
        description="Gateway-wide id `<source>:<native id>`; `customer(id:)` takes it."
    )
    native_id: str = strawberry.field(description="The id the source itself uses.")
    source: Source
    status: int | None = strawberry.field(
        description="1 enabled, 0 disabled; null when the source failed to say (see errors)."
    )
    email: str | None
    full_name: str | None
    phone: str | None
    vat_number: str | None = strawberry.field(description="VAT / tax id, for business customers.")
    company_name: str | None = strawberry.field(
        description="The customer's company (Shoptet and Ecwid: the billing address's; Flow "
        "Retail: the customer's). EverShop keeps none: null."
    )
    created_at: Date
    updated_at: Date | None
    urn: str
    edit_url: str | None = strawberry.field(
        description="The customer's page in its own back office, where the source has one."
    )
    update_api: str | None = strawberry.field(
        description="The source's own REST URL for updates (EverShop sources only)."
    )
    delete_api: str | None
    update_metafields_api: str | None
    meta_data: JSON | None = strawberry.field(
        description="Source-specific fields that the common model has no place for."
    )
    record: strawberry.Private[CustomerRecord]

    @classmethod
    def from_record(
        cls, record: CustomerRecord, kind: str, selected: frozenset[str] | None = None
    ) -> Customer:
        """`selected`: the Customer fields the query selects (a list page's items), so the
        derived values nobody reads (EverShop's Dates, the URN, the metaData copy) are not made
        for each row; None builds every field. Fields not selected are never read: placeholders."""
        if selected is None:
            selected = _EVERY_FIELD
        customer = cls(
            customer_id=record.numeric_id,
            uuid=global_id(record.source, record.id) if "uuid" in selected else "",
            native_id=record.id,
            source=Source.of(record.source, kind),
            status=record.status,
            email=record.email,
            full_name=record.full_name,
            phone=record.phone,
            vat_number=record.vat_number,
            company_name=record.company_name,
            created_at=Date.of(record.created_at) if "createdAt" in selected else _UNREAD_DATE,
            updated_at=Date.of(record.updated_at)
            if record.updated_at and "updatedAt" in selected
            else None,
            urn=(record.urn or f"urn:customer-gateway:{kind}:customer:{record.source}:{record.id}")
            if "urn" in selected
            else "",
            edit_url=record.edit_url,
            update_api=record.update_api,
            delete_api=record.delete_api,
            update_metafields_api=f"{record.update_api}/metafields"
            if record.update_api and "updateMetafieldsApi" in selected
            else None,
            meta_data=cast(JSON, dict(record.metadata)) if "metaData" in selected else None,
            record=record,
        )
        if record.missing:
            # A list summary whose detail was not read (its source failed after the merge):
            # what it lacks is unknown, so null, never the summary's placeholder (status 1).
            for attribute in record.missing & _UNKNOWN_WHEN_MISSING.keys():
                setattr(customer, _UNKNOWN_WHEN_MISSING[attribute], None)
        return customer

    @strawberry.field
    def addresses(self) -> list[CustomerAddress | None] | None:
        # Built when asked for: a list page that does not select them makes none (bench/).
        if "addresses" in self.record.missing:
            return None  # not read: its source failed after the merge
        return [CustomerAddress.from_address(address) for address in self.record.addresses]

    @strawberry.field(
        description="The customer's group; the first one where a source allows several."
    )
    def group(self, info: Info) -> CustomerGroup | None:
        # Synchronous when the source embedded the group (EverShop, Ecwid): a page of N customers
        # then completes without N coroutines and tasks (measured: bench/README.md). Otherwise
        # the awaitable goes back to graphql-core, which awaits it as an async resolver's.
        record = self.record
        if "groups" in record.missing:
            return None  # not read: its source failed after the merge
        if record.groups:
            ref = record.groups[0]
            if ref.name is not None and ref.numeric_id is not None:
                # Embedded (EverShop, Ecwid): the page's rows in one group share its answer.
                return self._group_view(info, ref.id, ref.numeric_id, ref.name)
        embedded = customer_fields.embedded_groups(record, first_only=True)
        if embedded is None:
            # Flow Retail: names by id, read with the page (its group list primes the loader).
            embedded = customer_fields.ready_groups(info.context, record, first_only=True)
        if embedded is not None:
            if not embedded:
                return None
            first = embedded[0]
            return self._group_view(info, first.id, first.numeric_id, first.name)
        return cast(CustomerGroup | None, self._loaded_group(info))

    def _group_view(self, info: Info, id: str, numeric_id: int, name: str) -> CustomerGroup:
        """`CustomerGroup.from_record` of this customer's group, made once per request and
        group (a CustomerGroup is a value: its fields come from these five alone)."""
        key = (self.record.source, id, numeric_id, name, self.source.kind)
        views = info.context.group_views
        view: CustomerGroup | None = views.get(key)
        if view is None:
            group = GroupRecord(self.record.source, id, numeric_id, name)
            view = views[key] = CustomerGroup.from_record(group, self.source.kind)
        return view

    async def _loaded_group(self, info: Info) -> CustomerGroup | None:
        groups = await customer_fields.settled_groups(
            info.context, self.record, first_only=True, path=info.path.as_list()
        )
        return CustomerGroup.from_record(groups[0], self.source.kind) if groups else None

    @strawberry.field(
        description="The customer as this store of its chain sees it (Flow Retail); null when "
        "the store or the customer is unknown there."
    )
    async def store_view(self, info: Info, store_id: str) -> CustomerStoreView | None:
        try:
            view = await stores.store_view(info.context, self.record, store_id)
        except GatewayError as error:
            # A read after the list: one error for the source, not one per row.
            info.context.report_unread(info.path.as_list(), self.record.source, error)
            return None
        return CustomerStoreView.of(view) if view else None

    @strawberry.field(
        description="The customer's orders (EverShop's order history, unpaged); for a source the "
        "gateway has no order link for, null with an UNSUPPORTED_OPERATION error naming it."
    )
    async def orders(self, info: Info) -> list[Order | None] | None:
        try:
            records = await customer_fields.orders(info.context, self.record)
        except GatewayError as error:
            # A read after the list: one error for the source, not one per row.
            info.context.report_unread(info.path.as_list(), self.record.source, error)
            return None
        return None if records is None else [Order.of(order) for order in records]

    @strawberry.field(
        description="The person this customer is, across every mirrored source (null: its "
        "source is not mirrored, or people are off)."
    )
    async def person(
        self, info: Info
    ) -> Annotated[Person, strawberry.lazy("customer_gateway.schema.person")] | None:
        from customer_gateway.resolvers.people import person_of_customer
        from customer_gateway.schema.person import person_or_none

        found = await person_of_customer(info.context, self.record.source, self.record.id)
        return person_or_none(found)

    @strawberry.field(
        description="Every group the customer is in (Flow Retail allows several); null when "
        "the source failed to say (see errors)."
    )
    async def groups(self, info: Info) -> list[CustomerGroup] | None:
        groups = await customer_fields.settled_groups(
            info.context, self.record, first_only=False, path=info.path.as_list()
        )
        if groups is None:
            return None
        return [CustomerGroup.from_record(group, self.source.kind) for group in groups]


# `from_record` without a selection: every field that it derives from the record.
_EVERY_FIELD = frozenset(
    {"uuid", "createdAt", "updatedAt", "urn", "updateMetafieldsApi", "metaData"}
)
# What an unselected `createdAt` holds (never read, never shown).
_UNREAD_DATE = Date(value=None, text=None)

# CustomerRecord attributes a list summary may lack → the Customer fields that show them.
_UNKNOWN_WHEN_MISSING = {
    "email": "email",
    "full_name": "full_name",
    "phone": "phone",
    "vat_number": "vat_number",
    "company_name": "company_name",
    "status": "status",
    "updated_at": "updated_at",
    "metadata": "meta_data",
}


@strawberry.type(description="A page of customers over the merged order of every selected source.")
class CustomerCollection:
    items: list[Customer | None] | None
    current_page: int
    total: int = strawberry.field(description="Matching customers over all selected sources.")
    current_filters: list[Filter | None] | None
