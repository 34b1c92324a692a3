"""Store views, customer extensions and the external register: routed to the owning source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from customer_gateway.connectors.models import CustomerRecord, ExternalPage, StoreView
from customer_gateway.connectors.protocol import ExternalSearch, StoreViews, no_api, refuse
from customer_gateway.core.errors import BadUserInput
from customer_gateway.core.ids import MAX_NATIVE_ID, is_path_segment

if TYPE_CHECKING:
    from customer_gateway.core.context import GatewayContext


async def store_view(
    context: GatewayContext, record: CustomerRecord, store_id: str
) -> StoreView | None:
    connector = context.sources.get(record.source)
    if connector is None:
        return None
    segment = store_segment(store_id)
    operation = (
        connector.get_store_view(record.id, segment)
        if isinstance(connector, StoreViews)
        else refuse(no_api(connector, "show a customer as one store sees it"))
    )
    return await context.call(connector, operation)


def store_segment(store_id: str) -> str:
    """A store id as the one URL path segment it becomes upstream."""
    if len(store_id) > MAX_NATIVE_ID or not store_id.isprintable() or not is_path_segment(store_id):
        raise BadUserInput("storeId is not a store id", field="storeId")
    return store_id


async def external_search(
    context: GatewayContext, source: str, query: str, page: int, limit: int
) -> ExternalPage:
    connector = context.sources.require(source)
    if not query.strip():
        raise BadUserInput("query cannot be empty", field="query")
    if page < 1 or not 1 <= limit <= context.settings.max_page_size:
        raise BadUserInput(
            f"page is at least 1 and limit 1 to {context.settings.max_page_size}", field="limit"
        )
    operation = (
        connector.search_external(query, (page - 1) * limit, limit)
        if isinstance(connector, ExternalSearch)
        else refuse(no_api(connector, "search an external company register"))
    )
    return await context.call(connector, operation)
