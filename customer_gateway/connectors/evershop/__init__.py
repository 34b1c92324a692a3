"""EverShop 2.2.x: the connector, its JSON mapping, its error mapping and its capabilities."""

from customer_gateway.connectors.evershop.connector import EverShopConnector

__all__ = ["EverShopConnector"]
