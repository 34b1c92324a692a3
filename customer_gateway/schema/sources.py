"""The `sources` query: what is configured and what each source can do itself."""

from __future__ import annotations

import strawberry

from customer_gateway.connectors.protocol import Connector


@strawberry.type(description="What a source does itself; the gateway does the rest.")
class SourceCapabilities:
    filters: list[str] = strawberry.field(
        description="Filters the source applies itself, as 'key operation'."
    )
    sorts: list[str]
    max_page_size: int | None
    customer_writes: list[str]
    group_writes: list[str]
    regions: bool
    create_requires_password: bool
    create_requires_name: bool = strawberry.field(
        description="Does a create need fullName (or firstName + lastName)? E-mail always."
    )
    writable_fields: list[str] = strawberry.field(
        description="Mutation input fields the source stores (`billingAddress.city` for an "
        "address's parts); any other is refused by name."
    )
    notes: list[str]


@strawberry.type(description="A configured source.")
class SourceInfo:
    name: str
    kind: str
    capabilities: SourceCapabilities

    @classmethod
    def of(cls, connector: Connector) -> SourceInfo:
        caps = connector.capabilities
        return cls(
            name=connector.name,
            kind=connector.kind,
            capabilities=SourceCapabilities(
                filters=sorted(f"{field.value} {op.value}" for field, op in caps.filters),
                sorts=sorted(field.value for field in caps.sorts),
                max_page_size=caps.max_page_size,
                customer_writes=sorted(write.value for write in caps.customer_writes),
                group_writes=sorted(write.value for write in caps.group_writes),
                regions=caps.regions,
                create_requires_password=caps.create_requires_password,
                create_requires_name=caps.create_requires_name,
                writable_fields=sorted(caps.writable_fields),
                notes=list(caps.notes),
            ),
        )
