"""/metrics and /readyz need the `ops` scope where authentication is required; /healthz is open."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import jwt
import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.server.settings import (
    ApiKey,
    AuthSettings,
    JwtSettings,
    Secret,
    settings_from,
)
from tests.api.conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

JWT_SECRET = "jwt-secret-for-ops-tests-0123456789abc"
READER = {"x-api-key": "reader-key-0123456789abcdef"}
OPS = {"x-api-key": "monitor-key-0123456789abcdef"}


def token(scope: str) -> dict[str, str]:
    claims = {"sub": "prometheus", "scope": scope, "exp": time.time() + 600}
    return {"authorization": f"Bearer {jwt.encode(claims, JWT_SECRET, algorithm='HS256')}"}


@pytest.fixture
async def production() -> AsyncIterator[Gateway]:
    auth = AuthSettings(
        required=True,
        api_keys=(
            ApiKey("reader", Secret(READER["x-api-key"]), frozenset({"read", "write"})),
            ApiKey("monitor", Secret(OPS["x-api-key"]), frozenset({"ops"})),
        ),
        jwt=JwtSettings(secret=Secret(JWT_SECRET)),
    )
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=3)}
    async with running_gateway(emulators, environment="production", auth=auth) as gateway:
        yield gateway


@pytest.mark.parametrize("path", ["/metrics", "/readyz"])
async def test_ops_routes_need_the_ops_scope_in_production(production: Gateway, path: str) -> None:
    client = production.client
    anonymous = await client.get(path)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "UNAUTHENTICATED"
    reader = await client.get(path, headers=READER)
    assert reader.status_code == 403
    assert reader.json()["error"] == "FORBIDDEN"
    assert "ops" in reader.json()["message"]
    assert (await client.get(path, headers=token("read write"))).status_code == 403
    for credentials in (OPS, token("ops")):
        answer = await client.get(path, headers=credentials)
        assert answer.status_code == 200
    assert "gateway_breaker_state" in (await client.get("/metrics", headers=OPS)).text
    assert (await client.get("/readyz", headers=OPS)).json()["status"] == "ready"


async def test_healthz_stays_open_and_an_ops_key_cannot_query(production: Gateway) -> None:
    assert (await production.client.get("/healthz")).status_code == 200
    query = await production.client.post(
        "/graphql", json={"query": "{ customers { total } }"}, headers=OPS
    )
    assert query.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_ops_routes_are_open_in_development() -> None:
    async with running_gateway({"evershop-main": EverShopEmulator(seed=1, customers=2)}) as dev:
        assert (await dev.client.get("/metrics")).status_code == 200
        assert (await dev.client.get("/readyz")).status_code == 200
        # Credentials that are given are checked, as on /graphql.
        assert (
            await dev.client.get("/metrics", headers={"x-api-key": "x" * 20})
        ).status_code == 401


def test_the_ops_scope_is_configurable() -> None:
    settings = settings_from(
        {"auth": {"api_keys": [{"name": "prometheus", "key": "p" * 20, "scopes": ["ops"]}]}},
        {
            "CUSTOMER_GATEWAY_API_KEYS__PAGER__KEY": "q" * 20,
            "CUSTOMER_GATEWAY_API_KEYS__PAGER__SCOPES": "ops,read",
        },
    )
    scopes = {key.name: key.scopes for key in settings.auth.api_keys}
    assert scopes == {"prometheus": frozenset({"ops"}), "pager": frozenset({"ops", "read"})}
