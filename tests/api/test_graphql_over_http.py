"""GraphQL over HTTP (graphql.github.io/graphql-over-http): media types and status codes."""

from __future__ import annotations

import pytest

from tests.api.conftest import Gateway

pytestmark = pytest.mark.anyio

GQL = "application/graphql-response+json"


async def _post(
    gateway: Gateway, query: str, accept: str | None
) -> tuple[int, str, dict[str, object]]:
    headers = {"accept": accept} if accept else {}
    response = await gateway.client.post("/graphql", json={"query": query}, headers=headers)
    return response.status_code, response.headers["content-type"], response.json()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("{ customers { total } }", 200),
        ("{ customers { total ", 400),  # does not parse
        ("{ customers { nope } }", 400),  # does not validate
        ('{ customers(filters: [{key: "colour", operation: eq, value: "x"}]) { total } }', 200),
    ],
)
async def test_graphql_response_media_type(gateway: Gateway, query: str, status: int) -> None:
    code, media, payload = await _post(gateway, query, f"{GQL}, application/json;q=0.9")
    assert (code, media.split(";")[0]) == (status, GQL)
    assert "errors" in payload or "data" in payload


@pytest.mark.parametrize("query", ["{ customers { total ", "{ customers { nope } }"])
async def test_application_json_is_always_200(gateway: Gateway, query: str) -> None:
    for accept in ("application/json", None):
        code, media, payload = await _post(gateway, query, accept)
        assert (code, media.split(";")[0]) == (200, "application/json")
        assert payload["errors"]


async def test_get_serves_queries_and_refuses_mutations(gateway: Gateway) -> None:
    ok = await gateway.client.get("/graphql", params={"query": "{ sources { name } }"})
    assert ok.status_code == 200
    refused = await gateway.client.get(
        "/graphql", params={"query": 'mutation { deleteCustomer(id: "evershop-main:x") { uuid } }'}
    )
    assert refused.status_code == 405
    assert gateway.upstream_requests() == 0


async def test_unparsable_json_is_400(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
