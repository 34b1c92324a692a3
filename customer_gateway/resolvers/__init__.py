"""Resolvers: fan-out over sources, per-request DataLoaders, merged paging, per-source errors."""
