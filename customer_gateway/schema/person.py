"""Person: one person across sources, its merged profile with provenance (`fieldSources`)."""

from __future__ import annotations

import strawberry

from customer_gateway.core.context import Info
from customer_gateway.core.ids import global_id
from customer_gateway.resolvers.erasure import ErasureView
from customer_gateway.resolvers.people import PeoplePage, PersonView
from customer_gateway.schema.common import Date, Filter, Source
from customer_gateway.schema.customer import Customer

_GRAPHQL_NAMES = {
    "email": "email",
    "full_name": "fullName",
    "phone": "phone",
    "vat_number": "vatNumber",
    "company_name": "companyName",
}


@strawberry.type(description="Where one merged field of a person came from.")
class PersonFieldSource:
    field: str = strawberry.field(description="The Person field: email, fullName, phone, ….")
    source: str
    customer_id: str = strawberry.field(description="The customer's `uuid` the value is from.")
    changed_at: Date = strawberry.field(
        description="When that customer's record last changed (updatedAt, else createdAt)."
    )
    rule: str = strawberry.field(
        description="`newest` (the newest change wins) or `master` (the field's master source, "
        "[identity] masters)."
    )


@strawberry.type(
    description="One person: the customers of every mirrored source that are the same person "
    "(same normalised e-mail, or phone where configured, or an operator's link), and a merged "
    "profile whose every field names its source (`fieldSources`)."
)
class Person:
    person_id: str = strawberry.field(
        description="Stable while the person's customers stay together; `person(personId)`."
    )
    email: str | None
    full_name: str | None
    phone: str | None
    vat_number: str | None
    company_name: str | None
    field_sources: list[PersonFieldSource]
    view: strawberry.Private[PersonView]

    @strawberry.field(description="The person's customers in the sources you may read.")
    def customers(self, info: Info) -> list[Customer]:
        kinds = {connector.name: connector.kind for connector in info.context.sources}
        return [
            Customer.from_record(record, kinds.get(record.source, "unknown"))
            for record in self.view.records
        ]

    @strawberry.field(description="The sources the person has customers in.")
    def sources(self, info: Info) -> list[Source]:
        kinds = {connector.name: connector.kind for connector in info.context.sources}
        names = dict.fromkeys(record.source for record in self.view.records)
        return [Source(name=name, kind=kinds.get(name, "unknown")) for name in names]

    @classmethod
    def of(cls, view: PersonView) -> Person:
        values = view.profile.values
        return cls(
            person_id=view.person_id,
            email=values.get("email"),
            full_name=values.get("full_name"),
            phone=values.get("phone"),
            vat_number=values.get("vat_number"),
            company_name=values.get("company_name"),
            field_sources=[
                PersonFieldSource(
                    field=_GRAPHQL_NAMES[item.field],
                    source=item.source,
                    customer_id=global_id(item.source, item.customer_id),
                    changed_at=Date.of(item.changed_at),
                    rule=item.rule,
                )
                for item in view.profile.sources
            ],
            view=view,
        )


def person_or_none(view: PersonView | None) -> Person | None:
    return Person.of(view) if view is not None else None


@strawberry.type(description="A page of people, newest change first (EverShop's collection).")
class PersonCollection:
    items: list[Person | None]
    current_page: int
    total: int = strawberry.field(description="People with a customer the filters match.")
    current_filters: list[Filter | None] | None

    @classmethod
    def of(cls, page: PeoplePage) -> PersonCollection:
        return cls(
            items=[person_or_none(view) for view in page.items],
            current_page=page.page,
            total=page.total,
            current_filters=[Filter(key=k, operation=o, value=v) for k, o, v in page.echo],
        )


@strawberry.type(description="What an erasure did, or would do, in one source.")
class SourceErasure:
    source: str
    outcome: str = strawberry.field(
        description="done (every customer erased or already gone), pending (the source failed: "
        "retried), unsupported (the source cannot delete customers), would_erase (dryRun)."
    )
    customers: int
    erased: int
    already_gone: int = strawberry.field(description="The source no longer had them.")
    pending: int
    code: str | None = strawberry.field(description="The last failure's error code.")
    reason: str | None
    attempts: int


@strawberry.type(
    description="An erasure request (GDPR Art. 17) across sources: completed only when every "
    "source has answered; the audit trail holds no personal data."
)
class ErasureReport:
    request_id: str | None = strawberry.field(
        description="Poll `erasureRequest(requestId)`; null for a dry run or nothing found."
    )
    status: str = strawberry.field(description="OPEN, COMPLETED, DRY_RUN or NOTHING_FOUND.")
    dry_run: bool
    attempts: int
    sources: list[SourceErasure]
    gateway_stores: list[str] = strawberry.field(
        description="The gateway's own stores that forgot the person (once completed)."
    )

    @classmethod
    def of(cls, found: ErasureView) -> ErasureReport:
        return cls(
            request_id=found.request_id,
            status=found.status,
            dry_run=found.dry_run,
            attempts=found.attempts,
            sources=[
                SourceErasure(
                    source=item.source,
                    outcome=item.outcome,
                    customers=item.customers,
                    erased=item.erased,
                    already_gone=item.already_gone,
                    pending=item.pending,
                    code=item.code,
                    reason=item.reason,
                    attempts=item.attempts,
                )
                for item in found.sources
            ],
            gateway_stores=found.gateway_stores,
        )
