"""Ecwid (two kinds, `ecwid` and `ecwid_wrapper`): the connectors, their dialects, search,
JSON mapping, error mapping and capabilities."""

from customer_gateway.connectors.ecwid.connector import EcwidConnector, EcwidWrapperConnector

__all__ = ["EcwidConnector", "EcwidWrapperConnector"]
