"""The served process's runtime settings."""

from __future__ import annotations

import gc

import pytest

from customer_gateway.server.app import create_app
from customer_gateway.server.settings import Settings

pytestmark = pytest.mark.anyio


async def test_a_served_gateway_freezes_its_startup_heap_and_a_test_app_does_not() -> None:
    gc.unfreeze()
    try:
        plain = create_app(Settings())
        async with plain.router.lifespan_context(plain):
            assert gc.get_freeze_count() == 0
        served = create_app(Settings(), freeze_heap=True)
        async with served.router.lifespan_context(served):
            # The schema, connectors and modules made at startup are out of the collector's scans.
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
