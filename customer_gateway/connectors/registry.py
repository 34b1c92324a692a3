"""The connector of each upstream kind: the one line a new upstream adds here.

Production imports this and nothing of the emulators (the sandbox registers those, lazily).
"""

from __future__ import annotations

from collections.abc import Mapping

from customer_gateway.connectors.defaults import ConnectorBase
from customer_gateway.connectors.ecwid import EcwidConnector, EcwidWrapperConnector
from customer_gateway.connectors.evershop import EverShopConnector
from customer_gateway.connectors.flow_retail import FlowRetailConnector
from customer_gateway.connectors.shoptet import ShoptetConnector

CONNECTORS: Mapping[str, type[ConnectorBase]] = {
    connector.kind: connector
    for connector in (
        EverShopConnector,
        ShoptetConnector,
        FlowRetailConnector,
        EcwidConnector,
        EcwidWrapperConnector,
    )
}
