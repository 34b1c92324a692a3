"""`startCustomerExport` and `customerExport`.

An export belongs to its caller: `customerExport` answers null for another caller's export, as for
an unknown one (FORBIDDEN would tell that the id exists).
"""

from __future__ import annotations

from customer_gateway.core.context import Info
from customer_gateway.schema.exports import CustomerExport


def start_customer_export(info: Info, sources: list[str] | None) -> CustomerExport:
    context = info.context
    if sources:
        connectors = [
            context.sources.require(name, field="sources") for name in dict.fromkeys(sources)
        ]
    else:
        connectors = list(context.sources)  # those the caller may reach
    return CustomerExport.of(context.exports.start(connectors, context.principal.owner))


def customer_export(info: Info, id: str) -> CustomerExport | None:
    job = info.context.exports.get(id, info.context.principal)
    return CustomerExport.of(job) if job else None
