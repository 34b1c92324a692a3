"""The gateway's executor (`schema/executor.py`: planned selection sets, plain leaves read
directly) answers every document with the same bytes as graphql-core's own execution, errors
included: the benchmark's documents, EverShop's admin grid, EverShop's error cases and
hypothesis-graphql's generated documents, each sent to two gateways over one emulator.

The only differences allowed are wall-clock figures (`extensions.sources[].latencyMs`, an
error's `retryAfter`), zeroed in both.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest

from bench import queries
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.schema import GatewaySchema, build_schema
from customer_gateway.server import app as app_module
from customer_gateway.server.settings import Settings, Timeouts
from tests.api.conftest import Gateway, evershop_source, running_gateway
from tests.evershop_cases import UNKNOWN_CUSTOMER_IDS, VARIABLE_ERRORS
from tests.security.test_fuzz import generated_queries

# hypothesis-graphql documents per run (the floor is 10,000).
GENERATED = 10_000
# Wall-clock figures: a source's latency, and how long its open breaker still refuses.
VOLATILE = re.compile(rb'"(latencyMs|retryAfter)":[-0-9.eE+]+')
# A cursor is sealed with a fresh random nonce each time (`features/cursors.py`): the same
# position gives different bytes on each path.
CURSOR = re.compile(rb'"(cursor|startCursor|endCursor)":"[^"]*"')
SOURCE = "evershop-main"


def _filters(*pairs: tuple[str, str, str]) -> dict[str, Any]:
    return {"filters": [{"key": k, "operation": o, "value": v} for k, o, v in pairs]}


def _fixed() -> Iterator[tuple[str, Any]]:
    """The benchmark's and EverShop's documents, with variables."""
    yield queries.Q1, {"id": f"{SOURCE}:1"}
    yield queries.Q1, {"id": f"{SOURCE}:999"}
    for n in ("1", "3", "50"):
        yield queries.Q2, _filters(("source", "eq", SOURCE), ("limit", "eq", n))
    yield queries.Q4, _filters(("page", "eq", "1"), ("limit", "eq", "20"))
    yield queries.Q4, _filters(("page", "eq", "2"), ("limit", "eq", "2"), ("ob", "eq", "email"))
    yield queries.Q4, _filters(("keyword", "eq", "a"))
    yield queries.Q4, _filters(("status", "eq", "0"))
    for case in VARIABLE_ERRORS:
        yield case[0], case[1]
    for customer_id in UNKNOWN_CUSTOMER_IDS:
        yield "query($id:String){customer(id:$id){uuid email fullName}}", {"id": customer_id}
    yield (
        "{ customers { items { uuid fullName group { groupName } groups { groupName } "
        "addresses { kind city } metaData createdAt { value text } __typename } "
        "total currentFilters { key operation value } } }",
        None,
    )
    yield "{ customerGroups { items { groupName uuid customers { items { email } } } } }", None


def _generated() -> list[str]:
    return generated_queries(GENERATED)


class Clock:
    """The sources' circuit breakers' clock, shared by both gateways and moved on per
    document, not with the wall clock: both then open and close their breakers after the same
    documents (a breaker's state and its `retry in N s` are otherwise a matter of timing)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def _pair() -> AsyncIterator[tuple[Gateway, Gateway, Clock]]:
    emulator = EverShopEmulator(seed=1, customers=5, rate_limits=False)
    emulators = {SOURCE: emulator}
    # Deadlines far beyond any answer's time: on a loaded machine a request cut by its deadline
    # on one path and not on the other would be a difference of timing, not of execution.
    slow = Timeouts(connect=60.0, read=60.0, total=120.0)
    sources = (evershop_source(SOURCE, emulator, rate_limits=False, timeouts=slow),)
    clock = Clock()

    def reference_schema(settings: Settings | None = None) -> GatewaySchema:
        return build_schema(settings, executor=None)

    async with AsyncExitStack() as stack:
        planned = await stack.enter_async_context(
            running_gateway(emulators, sources=sources, request_timeout=300.0)
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(app_module, "build_schema", reference_schema)
            reference = await stack.enter_async_context(
                running_gateway(emulators, sources=sources, request_timeout=300.0)
            )
        for gateway in (planned, reference):
            gateway.connector(SOURCE).http.breaker.clock = clock
        yield planned, reference, clock


async def _same(planned: Gateway, reference: Gateway, document: str, variables: Any) -> None:
    body = json.dumps({"query": document, "variables": variables})
    answers = []
    for gateway in (planned, reference):
        response = await gateway.client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        content = CURSOR.sub(rb'"\1":"-"', VOLATILE.sub(rb'"\1":0', response.content))
        answers.append((response.status_code, content))
    if answers[0] != answers[1]:
        first, second = answers[0][1], answers[1][1]
        at = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), 0)
        pytest.fail(
            f"{document}\nstatus {answers[0][0]} / {answers[1][0]}; from byte {at}:\n"
            f"planned   {first[max(0, at - 200) : at + 300]!r}\n"
            f"reference {second[max(0, at - 200) : at + 300]!r}"
        )


def test_fixed_documents_answer_the_same_bytes() -> None:
    async def run() -> None:
        async with _pair() as (planned, reference, clock):
            documents = list(_fixed())
            assert len(documents) > 15
            for document, variables in documents:
                await _same(planned, reference, document, variables)
                clock.now += 0.5

    asyncio.run(run())


def test_generated_documents_answer_the_same_bytes() -> None:
    documents = _generated()
    assert len(documents) >= GENERATED * 0.9  # hypothesis may stop a little short of its target

    async def run() -> None:
        async with _pair() as (planned, reference, clock):
            for document in documents:
                await _same(planned, reference, document, None)
                clock.now += 0.5

    asyncio.run(run())
