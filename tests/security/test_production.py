"""Production mode: no GraphiQL, no introspection, no suggestions, no GET, auth required."""

from __future__ import annotations

from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.server.settings import ApiKey, AuthSettings, Secret
from tests.api.conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

KEY = "prod-key-0123456789abcdef"
HEADERS = {"x-api-key": KEY}


@pytest.fixture
async def gateway() -> Any:
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=3)}
    auth = AuthSettings(
        required=True, api_keys=(ApiKey("ops", Secret(KEY), frozenset({"read", "write"})),)
    )
    async with running_gateway(
        emulators,
        environment="production",
        graphiql=False,
        introspection=False,
        allow_get=False,
        auth=auth,
    ) as running:
        yield running


async def test_no_graphiql(gateway: Gateway) -> None:
    page = await gateway.client.get("/graphql", headers={"accept": "text/html", **HEADERS})
    assert page.status_code in (404, 405)
    assert "graphiql" not in page.text.lower()


async def test_no_introspection(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql", json={"query": "{ __schema { types { name } } }"}, headers=HEADERS
    )
    payload = response.json()
    assert "data" not in payload
    assert payload["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_no_field_suggestions(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql", json={"query": "{ customers { totl } }"}, headers=HEADERS
    )
    message = response.json()["errors"][0]["message"]
    assert "Did you mean" not in message


async def test_no_queries_over_get(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql", params={"query": "{ customers { total } }"}, headers=HEADERS
    )
    assert response.status_code in (400, 404, 405)
    assert gateway.upstream_requests() == 0


async def test_authenticated_queries_work(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql", json={"query": "{ customers { total } }"}, headers=HEADERS
    )
    assert response.json()["data"]["customers"]["total"] == 3
    assert (
        await gateway.client.post("/graphql", json={"query": "{ __typename }"})
    ).status_code == 401
