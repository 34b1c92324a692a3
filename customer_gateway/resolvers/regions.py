"""`regions`: the customer-address regions of every source that has them."""

from __future__ import annotations

from customer_gateway.connectors.errors import Unsupported
from customer_gateway.connectors.protocol import Regions
from customer_gateway.core.context import Info
from customer_gateway.resolvers.fanout import fan_out
from customer_gateway.schema.region import Region


async def regions(info: Info, source: str | None, country_code: str | None) -> list[Region] | None:
    context = info.context
    connectors: list[Regions]
    if source is not None:
        connector = context.sources.require(source)
        if not isinstance(connector, Regions):  # capabilities.regions
            raise Unsupported(f"{connector.kind} sources have no regions", source=source)
        connectors = [connector]
    else:
        connectors = [c for c in context.sources if isinstance(c, Regions)]
    results = await fan_out(
        context,
        [
            (connector, context.call(connector, connector.list_regions()))
            for connector in connectors
        ],
        info.path.as_list(),
    )
    if results is None:
        return None
    wanted = country_code.upper() if country_code else None
    return [
        Region.from_record(region, connector.kind)
        for connector in connectors
        for region in results.get(connector.name, ())
        if wanted is None or (region.country_code or "").upper() == wanted
    ]
