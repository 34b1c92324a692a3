"""The gateway as an Apollo Federation v2 subgraph: entities by uuid through the request's
DataLoaders, `_service { sdl }` as committed, and `_entities` input checked like any input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from tests.api.conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Customer { uuid email fullName group { groupName } }
  ... on CustomerGroup { uuid groupName } } }"""


@pytest.fixture
async def gateway() -> Any:
    emulators = {
        "evershop-main": EverShopEmulator(seed=1, customers=60),
        "evershop-outlet": EverShopEmulator(seed=2, customers=60),
    }
    async with running_gateway(emulators) as running:
        yield running


async def test_the_subgraph_sdl_is_the_committed_schema(gateway: Gateway) -> None:
    payload = await gateway.query("{ _service { sdl } }")
    sdl = payload["data"]["_service"]["sdl"]
    assert sdl.strip() == SDL.read_text().strip()
    assert 'type Customer @key(fields: "uuid")' in sdl
    assert 'type CustomerGroup @key(fields: "uuid")' in sdl
    assert '@link(url: "https://specs.apollo.dev/federation/v2' in sdl


async def test_a_hundred_references_cost_what_a_page_of_a_hundred_costs(gateway: Gateway) -> None:
    page = await gateway.query(
        '{ customers(filters: [{key: "limit", operation: eq, value: "100"}]) '
        "{ items { uuid email fullName group { groupName } } } }"
    )
    items = page["data"]["customers"]["items"]
    assert len(items) == 100
    for emulator in gateway.emulators.values():
        emulator.journal.clear()
    references = [{"__typename": "Customer", "uuid": item["uuid"]} for item in reversed(items)]
    payload = await gateway.query(ENTITIES, {"r": references})
    assert "errors" not in payload
    assert payload["data"]["_entities"] == list(reversed(items))
    # One batched read per source, as the page needed (the login is cached).
    for name, emulator in gateway.emulators.items():
        reads = [e for e in emulator.journal if e.path == "/api/admin/graphql"]
        assert len(reads) == 1, (name, [e.path for e in emulator.journal])


async def test_groups_are_entities_too(gateway: Gateway) -> None:
    payload = await gateway.query(
        ENTITIES, {"r": [{"__typename": "CustomerGroup", "uuid": "evershop-outlet:1"}]}
    )
    assert payload["data"]["_entities"] == [{"uuid": "evershop-outlet:1", "groupName": "Default"}]


async def test_bad_references_are_errors_at_their_position(gateway: Gateway) -> None:
    good = (await gateway.query("{ customers { items { uuid } } }"))["data"]["customers"]["items"][
        0
    ]
    references: list[Any] = [
        {"__typename": "Customer", "uuid": good["uuid"]},
        {"__typename": "Query"},
        {"uuid": good["uuid"]},
        {"__typename": "Customer", "uuid": 7},
        "a string",
        {"__typename": "Customer", "uuid": good["uuid"], "email": "x"},
        {"__typename": "Customer", "uuid": "evershop-main:00000000-0000-4000-8000-000000000000"},
    ]
    payload = await gateway.query(ENTITIES, {"r": references})
    entities = payload["data"]["_entities"]
    assert entities[0]["uuid"] == good["uuid"]
    assert entities[1:6] == [None] * 5
    assert entities[6] is None  # a well-formed reference to nobody: null, no error
    errors = {tuple(e["path"]): e["extensions"]["code"] for e in payload["errors"]}
    assert errors == {("_entities", index): "BAD_USER_INPUT" for index in range(1, 6)}


async def test_too_many_references_are_refused_before_any_call(gateway: Gateway) -> None:
    references = [{"__typename": "Customer", "uuid": f"evershop-main:{i}"} for i in range(101)]
    for emulator in gateway.emulators.values():
        emulator.journal.clear()
    payload = await gateway.query(ENTITIES, {"r": references})
    assert payload["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert gateway.upstream_requests() == 0


async def test_service_is_introspection_where_introspection_is_off() -> None:
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=3)}
    async with running_gateway(emulators, introspection=False) as gateway:
        payload = await gateway.query("{ _service { sdl } }")
    assert payload["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "_service" in payload["errors"][0]["message"]
