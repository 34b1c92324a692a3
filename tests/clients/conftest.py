"""Gateways for the client tests (tests/clients/servers.py); run by `make test-clients`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clients.servers import Gateways, tour_gateways


@pytest.fixture(scope="session")
def gateways(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateways]:
    with tour_gateways(tmp_path_factory.mktemp("servers")) as running:
        yield running
