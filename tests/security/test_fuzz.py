"""Generated operations (hypothesis-graphql): every one is answered or refused with a code."""

from __future__ import annotations

import asyncio
from typing import Any

import graphql
import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from customer_gateway.core.errors import ErrorCode
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.schema import build_schema
from tests.api.conftest import running_gateway

CODES = {code.value for code in ErrorCode}
# The graphql-core schema itself: its SDL carries federation directives without definitions.
SDL = build_schema()._schema


def _field(name: str, value: graphql.ValueNode) -> graphql.ObjectFieldNode:
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)


# Federation's `_Any`: references well-formed and not (any type name, any uuid, extra keys).
REPRESENTATIONS = st.builds(
    lambda typename, uuid, extra: nodes.Object(
        [_field("__typename", nodes.String(typename)), _field("uuid", nodes.String(uuid))]
        + ([_field("email", nodes.String(uuid))] if extra else [])
    ),
    st.sampled_from(["Customer", "CustomerGroup", "Query", "Nope"]),
    st.text(max_size=30) | st.just("evershop-main:1"),
    st.booleans(),
)


def generated_queries(count: int) -> list[str]:
    """`count` hypothesis-graphql query documents over the schema (derandomized: the same ones
    every run). Queries only: a mutation sent to two gateways would change what the second
    reads."""
    documents: list[str] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        hypothesis_graphql.queries(SDL, allow_x00=True, custom_scalars={"_Any": REPRESENTATIONS})
    )
    def collect(document: str) -> None:
        documents.append(document)

    collect()
    return documents


def _check(payload: dict[str, Any], status: int, text: str) -> None:
    assert status < 500, text
    assert "Traceback" not in text
    for error in payload.get("errors") or []:
        assert error["extensions"]["code"] in CODES, error


@pytest.mark.parametrize("kind", ["query", "mutation"])
def test_generated_operations(kind: str) -> None:
    strategy = (
        hypothesis_graphql.from_schema(
            SDL, allow_x00=True, custom_scalars={"_Any": REPRESENTATIONS}
        )
        if kind == "query"
        else hypothesis_graphql.mutations(
            SDL, allow_x00=True, custom_scalars={"_Any": REPRESENTATIONS}
        )
    )

    async def run() -> None:
        emulators = {"evershop-main": EverShopEmulator(seed=1, customers=5, rate_limits=False)}
        async with running_gateway(emulators) as gateway:
            documents: list[str] = []

            @settings(
                max_examples=250,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(strategy)
            def collect(document: str) -> None:
                documents.append(document)

            collect()
            for document in documents:
                response = await gateway.post(document)
                _check(response.json(), response.status_code, response.text)

    asyncio.run(run())
    assert st  # strategies module used by hypothesis_graphql
