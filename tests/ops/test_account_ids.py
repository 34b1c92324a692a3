"""A source's own account ids (Flow Retail's tenant, Ecwid's store id) appear in no metric label,
no error message and no log line: they sit in every upstream path, where the routes are
templated. Nor does an id a caller chose become a label value (unbounded cardinality)."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from customer_gateway.observability.logs import JsonFormatter
from customer_gateway.server.app import create_app
from customer_gateway.server.sandbox import build_sandbox
from customer_gateway.server.settings import Settings

pytestmark = pytest.mark.anyio

SOURCES = ("flow-oslo", "ecwid-us")
GRID = """query($f: [FilterInput]) { customers(filters: $f) { total items { uuid email
  group { groupName } } } }"""
ONE = """query($id: String) { customer(id: $id) { uuid email } }"""
GROUPS = "{ customerGroups { items { uuid groupName } } }"


class Breakable(httpx.AsyncBaseTransport):
    """The emulator, until told to fail the way a network does."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.fault: type[httpx.TransportError] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.fault is not None:
            raise self.fault("injected", request=request)
        return await self.inner.handle_async_request(request)


async def test_no_tenant_or_store_id_in_labels_messages_or_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox = build_sandbox(Settings())
    sources = tuple(s for s in sandbox.settings.sources if s.name in SOURCES)
    account_ids = {
        sources[0].credentials["tenant"].reveal(),
        sources[1].credentials["store_id"].reveal(),
    }
    transports = {
        name: Breakable(transport)
        for name, transport in sandbox.transports().items()
        if name in SOURCES
    }
    app = create_app(
        dataclasses.replace(sandbox.settings, sources=sources),
        transports=transports,
    )
    caplog.set_level(logging.DEBUG, logger="customer_gateway")
    messages: list[str] = []

    async def ask(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
        payload = (
            await client.post("/graphql", json={"query": query, "variables": variables})
        ).json()
        messages.extend(error["message"] for error in payload.get("errors", []))
        return payload

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            page = await ask(
                client, GRID, {"f": [{"key": "limit", "operation": "eq", "value": "40"}]}
            )
            uuids = [item["uuid"] for item in page["data"]["customers"]["items"]]
            assert {uuid.split(":")[0] for uuid in uuids} == set(SOURCES)
            for uuid in uuids[:10] + ["flow-oslo:chosenbycaller", "ecwid-us:4242"]:
                await ask(client, ONE, {"id": uuid})
            await ask(client, GROUPS, {})
            assert (await client.get("/readyz")).status_code == 200
            for fault in (httpx.ConnectError, httpx.ReadTimeout):
                for breakable in transports.values():
                    breakable.fault = fault
                await ask(client, GRID, {})
                await ask(client, ONE, {"id": uuids[0]})
            await ask(client, GROUPS, {})
            metrics = (await client.get("/metrics")).text

    labels = [
        value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        for value in sample.labels.values()
    ]
    routes = {
        sample.labels["route"]
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if "route" in sample.labels
    }
    assert not [v for v in labels if any(account in v.split("/") for account in account_ids)]
    assert "tenant-oslo" not in metrics
    assert "chosenbycaller" not in metrics
    # Every route segment is a word of the connector's paths or a placeholder.
    segments = {segment for route in routes for segment in route.split("/")}
    assert all(re.fullmatch(r"[a-z_-]*|v\d|\{[a-z_]+\}", segment) for segment in segments)
    assert any(route.startswith("/tenants/{tenant}/") for route in routes)
    assert any(route.startswith("/api/v3/{store_id}/") for route in routes)
    # The faults reached the callers as messages naming the source and the route template.
    assert any("could not be reached" in m for m in messages)
    assert any("in time" in m for m in messages)
    assert not [m for m in messages if any(account in m for account in account_ids)]
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    assert not [
        line for line in lines if any(f"/{account}/" in json.dumps(line) for account in account_ids)
    ]
