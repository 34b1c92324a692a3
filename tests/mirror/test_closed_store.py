"""A read that reaches the mirror's store after it closed (a request still in flight during
shutdown or a reload) is a store failure like any other: a typed, retryable error for that
source alone (a list), or the source's own answer (records by id, groups); never a bare
RuntimeError (SQLite's reader threads are gone) nor a pool opened anew (PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from customer_gateway.connectors.errors import UpstreamUnavailable
from customer_gateway.connectors.models import CustomerQuery
from customer_gateway.mirror.store import SqlMirrorStore
from tests.mirror.harness import emulators, gateway

pytestmark = pytest.mark.anyio

GRID = """{ customers(filters: [{key: "limit", operation: eq, value: "5"}]) {
  total items { uuid email } } }"""


async def test_a_read_after_the_store_closed_is_the_sources_typed_error(
    mirror_target: dict[str, Any],
) -> None:
    shop = emulators()["flow-c"]
    async with gateway({"flow-c": shop}, mirror=True, **mirror_target) as running:
        sources = running.app.state.gateway.sources
        expected = (await running.query(GRID))["data"]["customers"]
        held = running.mirrors.serving(sources).get("flow-c")  # a request in flight holds it
        assert held is not None
        page = await held.list_customers(CustomerQuery(limit=5))
        store = running.mirrors.store
        assert isinstance(store, SqlMirrorStore)

        await running.mirrors.close()  # shutdown (or a reload) meanwhile: syncs, then the store

        with pytest.raises(UpstreamUnavailable) as raised:
            await held.list_customers(CustomerQuery(limit=5))
        assert raised.value.retryable
        assert raised.value.source == "flow-c"
        # Records by id and groups: the source's own answer, the same.
        ids = [record.id for record in page.items]
        assert [record.id for record in await held.get_customers(ids) if record] == ids
        assert await held.list_groups() == await shop_groups(running)
        # A request that starts now (the shutdown's drain) is read from the source itself.
        payload = await running.query(GRID)
        assert "errors" not in payload, payload
        assert payload["data"]["customers"] == expected
        (report,) = payload["extensions"]["sources"]
        assert report["requests"] > 0
        assert report["mirror"]["state"] == "unavailable"
        assert store.availability.outages == 0  # not an outage: nothing probes a closed store
    assert store.closed  # the lifespan closed the mirrors again: nothing left to do


async def shop_groups(running: Any) -> Any:
    connector = running.app.state.gateway.sources.get("flow-c")
    return await connector.list_groups()
