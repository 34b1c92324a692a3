"""Flow Retail: the connector, its JSON mapping, its error mapping and its capabilities."""

from customer_gateway.connectors.flow_retail.connector import FlowRetailConnector

__all__ = ["FlowRetailConnector"]
