"""customerDataExport: everything a source holds about one customer (GDPR Art. 15 and 20)."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from customer_gateway.schema.common import Source


@strawberry.type(
    description="`native`: the source's own export document (Flow Retail); otherwise the "
    "gateway assembles the same document from what the source holds, and `notHeld` names the "
    "parts the source does not keep."
)
class CustomerDataExport:
    uuid: str
    source: Source
    native: bool
    not_held: list[str]
    document: JSON
