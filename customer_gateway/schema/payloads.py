"""What a delete mutation answers."""

from __future__ import annotations

import strawberry

from customer_gateway.schema.common import Source


@strawberry.type(description="The record a delete removed from its source.")
class DeletedRecord:
    uuid: str
    native_id: str
    source: Source
