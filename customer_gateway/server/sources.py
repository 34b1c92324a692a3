"""The configured sources of one running gateway: a connector and an httpx client per source."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AsyncExitStack

import httpx

from customer_gateway.connectors.protocol import Connector
from customer_gateway.connectors.registry import CONNECTORS
from customer_gateway.connectors.transport import build_client
from customer_gateway.core.errors import BadUserInput, Forbidden
from customer_gateway.server.settings import ConfigError, Settings
from customer_gateway.state.redis import SharedRedis


class Sources:
    """The configured sources, or the part of them one caller may reach."""

    def __init__(
        self, connectors: Mapping[str, Connector], hidden: frozenset[str] = frozenset()
    ) -> None:
        self._all = dict(connectors)
        self._hidden = hidden
        self._connectors = {name: c for name, c in self._all.items() if name not in hidden}

    def replacing(self, connectors: Mapping[str, Connector]) -> Sources:
        """The same sources, some served by other connectors (a mirror's, for one request)."""
        if not connectors:
            return self
        return Sources({**self._all, **connectors}, self._hidden)

    def visible_to(self, allowed: frozenset[str] | None) -> Sources:
        """Only `allowed` (None: all): the others cannot be listed, read or written."""
        if allowed is None:
            return self
        return Sources(self._all, frozenset(self._all) - allowed)

    def __iter__(self) -> Iterator[Connector]:
        return iter(self._connectors.values())

    def __len__(self) -> int:
        return len(self._connectors)

    def names(self) -> list[str]:
        return list(self._connectors)

    def get(self, name: str) -> Connector | None:
        if name in self._hidden:
            raise Forbidden(f"This caller may not reach source {name!r}.", source=name)
        return self._connectors.get(name)

    def require(self, name: str, *, field: str = "source") -> Connector:
        connector = self.get(name)
        if connector is None:
            known = ", ".join(self._connectors) or "none"
            raise BadUserInput(
                f"Unknown source {name!r}. Configured sources: {known}.", field=field
            )
        return connector

    def position(self, name: str) -> int:
        """Sources in configuration order: the tie-break when merging lists."""
        return list(self._connectors).index(name)


def open_sources(
    settings: Settings,
    stack: AsyncExitStack,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    shared: SharedRedis | None = None,
) -> Sources:
    """Build one connector (and its AsyncClient, closed with `stack`) per configured source.

    `transports` maps a source name to the transport its client uses instead of the network
    (the sandbox and the tests serve emulators in-process this way). `shared`: the Redis the
    replicas share their sources' limits and write locks through.
    """
    connectors: dict[str, Connector] = {}
    for source in settings.sources:
        connector = CONNECTORS.get(source.kind)
        if connector is None:
            raise ConfigError(
                f"source {source.name!r}: unknown kind {source.kind!r} "
                f"(known: {', '.join(CONNECTORS)})"
            )
        connector.validate_settings(source)
        client = build_client(source, (transports or {}).get(source.name))
        stack.push_async_callback(client.aclose)
        connectors[source.name] = connector(source, client, shared=shared)
    return Sources(connectors)
