"""customer-gateway: one GraphQL API over the customers kept in several commerce back-ends."""

__version__ = "0.1.0"
