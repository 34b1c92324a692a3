"""Hostile queries: each is refused with a code from the closed enum, never a 5xx or a trace."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from customer_gateway.core.errors import ErrorCode
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.server.settings import Limits
from tests.api.conftest import Gateway, running_gateway
from tests.unit.test_query_shape import alias_diamond, fragment_diamond, inline_nest

pytestmark = pytest.mark.anyio

CODES = {code.value for code in ErrorCode}


@pytest.fixture
async def gateway() -> Any:
    emulators = {
        "evershop-main": EverShopEmulator(seed=1, customers=5),
        "evershop-outlet": EverShopEmulator(seed=2, customers=5),
    }
    async with running_gateway(emulators) as running:
        yield running


HOSTILE: dict[str, str] = {
    "aliases": "{ " + " ".join(f"a{i}: __typename" for i in range(16)) + " }",
    "tokens": "{ " + "__typename " * 1200 + "}",
    "selections": "{ customers { items { " + "email " * 150 + "} } }",
    "root_fields": "{ " + " ".join(f"c{i}: sources {{ name }}" for i in range(16)) + " }",
    "mutations": "mutation { "
    + " ".join(
        f'd{i}: deleteCustomer(id: "evershop-main:00000000-0000-4000-8000-00000000000{i}") {{ uuid }}'
        for i in range(5)
    )
    + " }",
    "directives": "{ customers { total @include(if: true) @skip(if: false) items { email "
    "@include(if: true) fullName @include(if: true) status @skip(if: false) uuid @skip(if: false) } } }",
    "cost": "{ "
    + " ".join(
        f'c{i}: customers(filters: [{{key: "limit", operation: eq, value: "100"}}]) '
        '{ items { email storeView(storeId: "s") { visitCount } } }'
        for i in range(3)
    )
    + " }",
    "length": "{ __typename } #" + "x" * 16_000,
    # Fragments that spread the next twice: 2^30 fields in 1.3 KB (tests/unit/test_query_shape).
    "fragment_diamond": fragment_diamond(30),
    "alias_diamond": alias_diamond(30),
    "inline_fragment_nest": inline_nest(30),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_hostile_documents_are_refused_before_any_upstream_call(
    gateway: Gateway, case: str
) -> None:
    response = await gateway.post(HOSTILE[case])
    assert response.status_code in (200, 400, 413), response.text
    payload = response.json()
    assert payload.get("data") in (None, {}), payload
    codes = {error["extensions"]["code"] for error in payload["errors"]}
    assert codes <= CODES
    assert codes == {"QUERY_TOO_COMPLEX"}, payload
    assert "Traceback" not in response.text
    assert gateway.upstream_requests() == 0


async def test_depth_beyond_the_limit() -> None:
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=3)}
    async with running_gateway(emulators, limits=Limits(max_depth=3)) as gateway:
        payload = await gateway.query("{ customers { items { addresses { country { name } } } } }")
        assert payload["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert "depth" in payload["errors"][0]["message"]
        # Introspection is deep but not counted.
        introspection = await gateway.query(
            "{ __schema { types { fields { type { ofType { ofType { name } } } } } } }"
        )
        assert "errors" not in introspection
        assert gateway.upstream_requests() == 0


async def test_an_operation_needing_too_many_requests_to_one_source_stops() -> None:
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=3)}
    async with running_gateway(emulators, limits=Limits(max_requests_per_source=1)) as gateway:
        # The first call needs a login and a read: 2 requests.
        payload = await gateway.query("{ customers { total } }")
    assert payload["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert payload["errors"][0]["extensions"]["source"] == "evershop-main"


async def test_array_batching_is_off(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
    )
    assert response.status_code == 400


async def test_body_size_is_capped(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }", "pad": "x" * 200_000}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
async def test_csrf_safe_content_types_only(gateway: Gateway, content_type: str) -> None:
    response = await gateway.client.post(
        "/graphql",
        content=b'{"query": "mutation { deleteCustomer(id: \\"evershop-main:x\\") { uuid } }"}',
        headers={"content-type": content_type},
    )
    assert response.status_code in (400, 415)
    assert gateway.upstream_requests() == 0


async def test_no_mutation_over_get(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql", params={"query": 'mutation { deleteCustomer(id: "evershop-main:x") { uuid } }'}
    )
    assert response.status_code in (400, 405)
    assert gateway.upstream_requests() == 0


async def test_an_unexpected_error_is_masked() -> None:
    class Exploding(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise RuntimeError("internal detail /etc/secret-path")

    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=3)}
    async with running_gateway(emulators, transports={"evershop-main": Exploding()}) as gateway:
        response = await gateway.post("{ customers { total } }")
    text = response.text
    assert response.status_code == 200
    assert "secret-path" not in text
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert response.json()["errors"][0]["message"] == "Unexpected error."
