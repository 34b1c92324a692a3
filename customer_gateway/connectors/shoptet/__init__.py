"""Shoptet: the connector, its JSON mapping, its error mapping and its capabilities."""

from customer_gateway.connectors.shoptet.connector import ShoptetConnector

__all__ = ["ShoptetConnector"]
