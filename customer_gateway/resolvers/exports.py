"""`startCustomerExport` and `customerExport`."""

from __future__ import annotations

from customer_gateway.context import Info
from customer_gateway.schema.exports import CustomerExport


def start_customer_export(info: Info, sources: list[str] | None) -> CustomerExport:
    context = info.context
    if sources:
        connectors = [
            context.sources.require(name, field="sources") for name in dict.fromkeys(sources)
        ]
    else:
        connectors = list(context.sources)
    return CustomerExport.of(context.exports.start(connectors))


def customer_export(info: Info, id: str) -> CustomerExport | None:
    job = info.context.exports.get(id)
    return CustomerExport.of(job) if job else None
