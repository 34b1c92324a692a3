"""Metrics, traces and request logs, as an operator reads them."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.observability.logs import JsonFormatter
from customer_gateway.observability.telemetry import Telemetry, route_template
from tests.api.conftest import evershop_source, running_gateway

pytestmark = pytest.mark.anyio

QUERY = """query GridPage($f: [FilterInput]) { customers(filters: $f) {
  total items { uuid email group { groupName } } } }"""


class Recording(httpx.AsyncBaseTransport):
    """Passes requests to the emulator and keeps the headers they carried."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.headers: list[httpx.Headers] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        return await self.inner.handle_async_request(request)


async def test_metrics_count_requests_upstream_calls_and_errors() -> None:
    emulator = EverShopEmulator(seed=1, customers=6)
    async with running_gateway({"evershop-main": emulator}) as gateway:
        await gateway.query(QUERY, {"f": [{"key": "limit", "operation": "eq", "value": "5"}]})
        await gateway.query('{ customer(id: "broken") { uuid } }')
        uuid = emulator.customer_rows()[0]["uuid"]
        await gateway.query(f'{{ customer(id: "evershop-main:{uuid}") {{ uuid }} }}')
        text = (await gateway.client.get("/metrics")).text
    assert 'gateway_requests_total{operation_type="query",status="200"} 3.0' in text
    assert 'gateway_dataloader_batch_size_count{loader="customers"} 1.0' in text
    assert 'gateway_errors_total{code="BAD_USER_INPUT"} 1.0' in text
    assert (
        'gateway_upstream_requests_total{kind="evershop",method="POST",route="/api/admin/graphql",'
        'source="evershop-main",status="200"} 2.0'
    ) in text
    assert 'gateway_breaker_state{source="evershop-main"} 0.0' in text
    assert "gateway_dataloader_batch_size_bucket" in text
    assert "gateway_rate_limit_wait_seconds" in text
    assert "@example" not in text


async def test_metrics_count_which_path_answered_each_post() -> None:
    """A plain JSON POST is answered by the plain path (the checks and the executor called
    directly); Strawberry's view answers the rest, each counted with why (docs/operations.md)."""
    emulator = EverShopEmulator(seed=1, customers=3)
    form = {"content-type": "application/x-www-form-urlencoded"}
    json_type = {"content-type": "application/json"}
    unknown = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    async with running_gateway({"evershop-main": emulator}) as gateway:
        client = gateway.client
        for _ in range(2):
            await client.post("/graphql", json={"query": "{ customers { total } }"})
        await client.post("/graphql", json={"query": "{ nope }"})
        await client.post("/graphql", json=[{"query": "{ customers { total } }"}])
        await client.post("/graphql", content=b"{", headers=json_type)
        await client.post("/graphql", content=b"query=x", headers=form)
        await client.post("/graphql", json={"extensions": unknown})
        await client.post("/graphql", json={"documentId": "x"})
        text = (await client.get("/metrics")).text
    expected = {
        ("plain", ""): 2,
        ("view", "checks"): 1,
        ("view", "batch"): 1,
        ("view", "body"): 1,
        ("view", "content_type"): 1,
        ("view", "persisted"): 1,
        ("view", "no_query"): 1,
    }
    for (path, reason), count in expected.items():
        line = f'gateway_graphql_paths_total{{path="{path}",reason="{reason}"}} {count:.1f}'
        assert line in text, line
    counted = [line for line in text.splitlines() if line.startswith("gateway_graphql_paths_total")]
    assert len(counted) == len(expected), counted


async def test_traces_have_an_operation_span_and_one_per_upstream_call() -> None:
    exporter = InMemorySpanExporter()
    emulator = EverShopEmulator(seed=1, customers=6)
    recording = Recording(httpx.ASGITransport(app=emulator.app))
    async with running_gateway(
        {"evershop-main": emulator},
        transports={"evershop-main": recording},
        telemetry=Telemetry(span_exporter=exporter),
    ) as gateway:
        await gateway.query(QUERY, {"f": [{"key": "limit", "operation": "eq", "value": "5"}]})
    spans = {span.name: span for span in exporter.get_finished_spans()}
    operation = spans["graphql.query GridPage"]
    upstream = spans["POST /api/admin/graphql"]
    assert upstream.attributes is not None
    assert upstream.attributes["gateway.source"] == "evershop-main"
    assert upstream.attributes["url.template"] == "/api/admin/graphql"
    assert upstream.parent is not None
    assert upstream.parent.trace_id == operation.context.trace_id
    # Trace context went out with every upstream request.
    assert all("traceparent" in headers for headers in recording.headers)
    assert operation.context.trace_id == int(recording.headers[-1]["traceparent"].split("-")[1], 16)


def test_route_templates_carry_no_ids() -> None:
    assert (
        route_template("/api/customers/433ba97f-8be7-4be9-be3f-a9f341f2b89f")
        == "/api/customers/{id}"
    )
    assert route_template("/api/v3/1003/customers/277137633") == "/api/v3/{id}/customers/{id}"
    # A tenant uid can be a plain word: the connector names it.
    assert (
        route_template("/v2/tenants/tenant-oslo/customers/c-7f3b2a", {"tenant-oslo": "{tenant}"})
        == "/v2/tenants/{tenant}/customers/{id}"
    )
    assert route_template("/api/customers/groups") == "/api/customers/groups"
    # With the connector's words, anything else is an id, whatever it looks like.
    words = {"tenants", "customers"}
    assert route_template("/tenants/t/customers/abc", words=words) == "/tenants/{id}/customers/{id}"


async def test_one_json_log_line_per_request_without_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator = EverShopEmulator(seed=1, customers=6)
    email = emulator.customer_rows()[0]["email"]
    caplog.set_level(logging.INFO, logger="customer_gateway.request")
    async with running_gateway({"evershop-main": emulator}) as gateway:
        response = await gateway.client.post(
            "/graphql",
            json={
                "query": QUERY,
                "operationName": "GridPage",
                "variables": {"f": [{"key": "email", "operation": "eq", "value": email}]},
            },
            headers={"x-request-id": "req-123"},
        )
    assert response.headers["x-request-id"] == "req-123"
    records = [r for r in caplog.records if r.name == "customer_gateway.request"]
    assert len(records) == 1
    line: dict[str, Any] = json.loads(JsonFormatter().format(records[0]))
    assert line["event"] == "request"
    assert line["path"] == "/graphql"
    assert line["status"] == 200
    assert line["operation"] == "GridPage"
    assert line["operationType"] == "query"
    assert line["sources"] == ["evershop-main"]
    assert line["errors"] == []
    assert isinstance(line["durationMs"], float)
    everything = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert email not in everything


async def test_readiness_names_the_failing_source() -> None:
    good = EverShopEmulator(seed=1, customers=2)
    wrong = EverShopEmulator(seed=2, customers=2)
    sources = (
        evershop_source("good-shop", good),
        evershop_source("wrong-shop", wrong, credentials=evershop_source("x", good).credentials),
    )
    wrong.set_admin_active(False)
    async with running_gateway(
        {"good-shop": good, "wrong-shop": wrong}, sources=sources
    ) as gateway:
        response = await gateway.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["sources"] == {"good-shop": "ok", "wrong-shop": "UPSTREAM_AUTH_FAILED"}
