"""`customerDataExport`: one customer's data from its source, as one JSON document.

Flow Retail exports itself; for the others the gateway assembles the same document (customer,
addresses, groups, and the parts the source does not hold named in `notHeld`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from strawberry.scalars import JSON

from customer_gateway.connectors.protocol import Connector, DataExports
from customer_gateway.core.context import GatewayContext, Info
from customer_gateway.core.errors import BadUserInput
from customer_gateway.core.ids import parse_global_id
from customer_gateway.features.exports import document
from customer_gateway.resolvers.customer_fields import groups_of
from customer_gateway.schema.common import Source
from customer_gateway.schema.data_export import CustomerDataExport

NOT_ASSEMBLED = ["contacts", "consents", "extensions", "storeCustomerDetails"]


async def customer_data_export(info: Info, id: str) -> CustomerDataExport | None:
    parsed = parse_global_id(id)
    if parsed is None:
        raise BadUserInput("A customer id is '<source>:<native id>'.", field="id")
    context = info.context
    connector = context.sources.get(parsed[0])
    if connector is None:
        return None
    exported = await export_document(context, connector, parsed[1], id)
    if exported is None:
        return None
    native, not_held, document_ = exported
    return CustomerDataExport(
        uuid=id,
        source=Source(name=connector.name, kind=connector.kind),
        native=native,
        not_held=not_held,
        document=cast(JSON, document_),
    )


async def export_document(
    context: GatewayContext, connector: Connector, native_id: str, uuid: str
) -> tuple[bool, list[str], dict[str, Any]] | None:
    """(native, notHeld, document) of one customer; None if the source does not know it."""
    if isinstance(connector, DataExports):  # capabilities.native_data_export
        native = await context.call(connector, connector.data_export(native_id))
        if native is None:
            return None
        return True, [], dict(native)
    record = await context.loaders.customers.load(connector.name, native_id)
    if record is None:
        return None
    groups = await groups_of(context, record, first_only=False)
    customer = document(record, connector.kind, {group.id: group.name for group in groups})
    return (
        False,
        list(NOT_ASSEMBLED),
        {
            "exportedAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "customer": customer,
            "addresses": customer["addresses"],
            "customerGroups": customer["groups"],
            **{part: [] for part in NOT_ASSEMBLED},
        },
    )
