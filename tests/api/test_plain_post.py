"""The plain path for JSON POSTs (server/plain_post.py, schema/plain.py) answers as Strawberry's
view does: the same status, media type, length and bytes for plain requests, for every request
it hands back to the view (batches, streams, other content types, refused bodies, persisted
documents, documents that fail a check) and for errors met during execution; and it is the one
that answers the plain requests.

Two gateways over the same emulator: one as served, one with the plain path off. The only
differences allowed are wall-clock figures (`latencyMs`, `retryAfter`), zeroed in both.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Router

from bench import queries
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.schema.plain import PlainOperations
from customer_gateway.security.guard import GraphQLGuard
from customer_gateway.server.settings import ApiKey, AuthSettings, Limits, Secret
from tests.api.conftest import Gateway, evershop_source, running_gateway
from tests.security.test_fuzz import generated_queries

pytestmark = pytest.mark.anyio

VOLATILE = re.compile(rb'"(latencyMs|retryAfter)":[-0-9.eE+]+')
SOURCE = "evershop-main"
GQL = "application/graphql-response+json"
READER, WRITER, NOBODY = "reader-key-0123456789", "writer-key-0123456789", "nobody-key-0123456789"
Q1 = queries.Q1
Q1_HASH = hashlib.sha256(Q1.encode()).hexdigest()


def _view(app: Starlette) -> Any:
    """The /graphql view behind its guard."""
    route = next(r for r in app.routes if getattr(r, "path", None) == "/graphql")
    return route.app.app  # type: ignore[attr-defined]


def _body(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


def _requests(customer_id: str) -> Iterator[tuple[str, bytes, dict[str, str]]]:
    """(what, body, headers): plain requests, and every kind the view answers itself."""
    json_type = {"content-type": "application/json"}
    reader = {**json_type, "x-api-key": READER}
    one = {"id": customer_id}
    for accept in (None, "application/json", GQL, f"{GQL}, application/json;q=0.9", "*/*"):
        headers = {**reader, **({"accept": accept} if accept else {})}
        yield f"Q1 accept {accept}", _body(query=Q1, variables=one), headers
        yield f"unknown id, {accept}", _body(query=Q1, variables={"id": f"{SOURCE}:999"}), headers
        yield "bad id", _body(query=Q1, variables={"id": "nope"}), headers
        yield "parse error", _body(query="{ customers { total "), headers
        yield "validation error", _body(query="{ customers { nope } }"), headers
        yield "variable type", _body(query=Q1, variables={"id": 5}), headers
        yield "no scope", _body(query=Q1, variables=one), {**headers, "x-api-key": NOBODY}
    yield "Q2", _body(query=queries.Q2, variables={"filters": []}), reader
    yield (
        "named",
        _body(query=f"{Q1} query Other {{ sources {{ name }} }}", operationName="Other"),
        reader,
    )
    yield "unknown operation", _body(query=Q1, operationName="Nope", variables=one), reader
    yield "operationName not a string", _body(query=Q1, operationName=5), reader
    yield "two operations, no name", _body(query=f"{Q1} query B {{ sources {{ name }} }}"), reader
    yield "variables not an object", _body(query=Q1, variables=[1]), reader
    yield "extensions not an object", _body(query=Q1, extensions=3), reader
    yield "query not a string", _body(query=5), reader
    yield "no query", _body(variables=one), reader
    yield "documentId unknown", _body(documentId="sha256:" + "0" * 64), reader
    yield "batch", json.dumps([{"query": Q1, "variables": one}]).encode(), reader
    yield "array of numbers", b"[1]", reader
    yield "not JSON", b'{"query": ', reader
    yield "NaN", b'{"query": "{ sources { name } }", "variables": {"x": NaN}}', reader
    yield "a string", b'"{ sources { name } }"', reader
    yield (
        "charset",
        _body(query=Q1, variables=one),
        {**reader, "content-type": "application/json; charset=utf-8"},
    )
    yield "form", b"query=%7B%7D", {**reader, "content-type": "application/x-www-form-urlencoded"}
    yield "no content type", _body(query=Q1, variables=one), {"x-api-key": READER}
    yield "too long", _body(query="{ sources { name } }" + " " * 16_000), reader
    yield (
        "too deep",
        _body(
            query="{ a: customers { items { group { customers { items { group { customers { items { group { customers { items { uuid } } } } } } } } } } } }"
        ),
        reader,
    )
    yield (
        "too costly",
        _body(
            query='{ customers(filters: [{key: "limit", operation: eq, value: "100"}]) { items { storeView { code } orders { total } email } } }'
        ),
        reader,
    )
    yield "introspection", _body(query="{ __schema { queryType { name } } }"), reader
    yield "subscription over POST", _body(query="subscription { customerChanged { uuid } }"), reader
    yield "stream accept", _body(query=Q1, variables=one), {**reader, "accept": "text/event-stream"}
    yield (
        "multipart accept",
        _body(query=Q1, variables=one),
        {**reader, "accept": 'multipart/mixed;subscriptionSpec="1.0", application/json'},
    )
    apq = {"persistedQuery": {"version": 1, "sha256Hash": Q1_HASH}}
    yield "APQ unknown hash", _body(extensions=apq, variables=one), reader
    yield "APQ hash and text", _body(query=Q1, extensions=apq, variables=one), reader
    yield "APQ hash only", _body(extensions=apq, variables=one), reader
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "f" * 64}}
    yield "APQ wrong hash", _body(query=Q1, extensions=wrong, variables=one), reader
    yield "APQ version 2", _body(query=Q1, extensions={"persistedQuery": {"version": 2}}), reader
    yield (
        "strict filters",
        _body(
            query='{ customers(filters: [{key: "colour", operation: eq, value: "x"}]) { total } }',
            extensions={"strictFilters": True},
        ),
        reader,
    )
    yield (
        "ignored filters",
        _body(
            query='{ customers(filters: [{key: "colour", operation: eq, value: "x"}]) { total } }'
        ),
        reader,
    )
    yield (
        "mutation, read key",
        _body(query='mutation { deleteCustomer(id: "evershop-main:999") { uuid } }'),
        reader,
    )


@asynccontextmanager
async def _pair(**settings: Any) -> AsyncIterator[tuple[Gateway, Gateway]]:
    emulator = EverShopEmulator(seed=1, customers=5, rate_limits=False)
    sources = (evershop_source(SOURCE, emulator, rate_limits=False),)
    auth = AuthSettings(
        required=True,
        api_keys=(
            ApiKey("reader", Secret(READER), frozenset({"read"})),
            ApiKey("writer", Secret(WRITER), frozenset({"read", "write"})),
            ApiKey("nobody", Secret(NOBODY), frozenset()),
        ),
    )
    async with AsyncExitStack() as stack:
        plain = await stack.enter_async_context(
            running_gateway({SOURCE: emulator}, sources=sources, auth=auth, **settings)
        )
        view = await stack.enter_async_context(
            running_gateway({SOURCE: emulator}, sources=sources, auth=auth, **settings)
        )
        assert _view(plain.app).plain is not None
        _view(view.app).plain = None
        yield plain, view


async def _first_customer(gateway: Gateway) -> str:
    body = _body(query="{ customers { items { uuid } } }")
    headers = {"content-type": "application/json", "x-api-key": READER}
    answer = await gateway.client.post("/graphql", content=body, headers=headers)
    return str(answer.json()["data"]["customers"]["items"][0]["uuid"])


async def _answer(gateway: Gateway, body: bytes, headers: dict[str, str]) -> tuple[Any, ...]:
    response = await gateway.client.post("/graphql", content=body, headers=headers)
    # The length follows the latencies: checked against the body, not across gateways (a
    # streamed answer has none).
    length = response.headers.get("content-length")
    assert length is None or int(length) == len(response.content)
    volatile = ("x-request-id", "content-length")
    kept = sorted((k, v) for k, v in response.headers.items() if k not in volatile)
    return response.status_code, kept, VOLATILE.sub(rb'"\1":0', response.content)


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_the_plain_path_answers_as_the_view(environment: str) -> None:
    async with _pair(environment=environment) as (plain, view):
        # Both log in to the source before the comparison (a first request counts the login).
        customer_id = await _first_customer(plain)
        assert await _first_customer(view) == customer_id
        for what, body, headers in _requests(customer_id):
            got, expected = await _answer(plain, body, headers), await _answer(view, body, headers)
            assert got == expected, what


async def test_plain_requests_skip_the_view_and_the_rest_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    executed: list[str] = []
    original = PlainOperations.execute

    async def counted(self: PlainOperations, *args: Any, **kwargs: Any) -> Any:
        executed.append("plain")
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(PlainOperations, "execute", counted)
    async with _pair() as (plain, _):
        headers = {"content-type": "application/json", "x-api-key": READER}
        one = {"id": await _first_customer(plain)}
        answer = await plain.client.post(
            "/graphql", content=_body(query=Q1, variables=one), headers=headers
        )
        assert answer.json()["data"]["customer"]["uuid"] == one["id"]
        assert executed == ["plain", "plain"]
        for body in (
            _body(query="{ customers { nope } }"),
            b"[1]",
            _body(query=Q1, operationName=5),
        ):
            await plain.client.post("/graphql", content=body, headers=headers)
        assert executed == ["plain", "plain"]


async def test_mutations_and_limits_through_the_plain_path() -> None:
    async with _pair(limits=Limits(max_cost=3)) as (plain, view):
        headers = {"content-type": "application/json", "x-api-key": WRITER}
        for gateway in (plain, view):
            body = _body(query='mutation { deleteCustomer(id: "evershop-main:999") { uuid } }')
            answers = [await _answer(gateway, body, headers)]
            body = _body(query="{ customers { items { email } } }")
            answers.append(await _answer(gateway, body, headers))
            gateway.answers = answers  # type: ignore[attr-defined]
        assert plain.answers == view.answers  # type: ignore[attr-defined]
        assert b"QUERY_TOO_COMPLEX" in plain.answers[1][2]  # type: ignore[attr-defined]


# hypothesis-graphql documents answered by both paths (the executor's differential test sends
# 10,000 through the plain path on both of its gateways: tests/api/test_executor_differential.py).
GENERATED = 400


def test_generated_documents_answer_as_the_view() -> None:
    documents = generated_queries(GENERATED)
    headers = {"content-type": "application/json", "x-api-key": READER}

    async def run() -> None:
        async with _pair() as (plain, view):
            customer_id = await _first_customer(plain)
            assert await _first_customer(view) == customer_id
            for document in documents:
                body = _body(query=document)
                got, expected = (
                    await _answer(plain, body, headers),
                    await _answer(view, body, headers),
                )
                assert got == expected, document

    asyncio.run(run())


async def test_posts_to_graphql_skip_the_router_with_its_scope(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """server/shortcut.py: a POST to /graphql reaches the route without the router, with the
    scope the router gives; a GET (and any other path) goes the router's way."""
    routed: list[str] = []
    scopes: list[dict[str, Any]] = []
    original_router = Router.app
    original_guard = GraphQLGuard.__call__

    async def counted(self: Router, scope: Any, receive: Any, send: Any) -> None:
        routed.append(scope["method"])
        await original_router(self, scope, receive, send)

    async def seen(self: GraphQLGuard, scope: Any, receive: Any, send: Any) -> None:
        scopes.append({key: scope.get(key) for key in ("router", "route", "path_params")})
        await original_guard(self, scope, receive, send)

    monkeypatch.setattr(Router, "app", counted)
    monkeypatch.setattr(GraphQLGuard, "__call__", seen)
    async with _pair() as (plain, _):
        headers = {"x-api-key": READER}
        body = {"query": "{ sources { name } }"}
        posted = await plain.client.post("/graphql", json=body, headers=headers)
        got = await plain.client.get("/graphql", params=body, headers=headers)
        assert posted.json() == got.json()
        assert routed == ["GET"]
        assert scopes[0] == scopes[1]
        assert scopes[0]["path_params"] == {}
        assert getattr(scopes[0]["route"], "path", None) == "/graphql"


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_an_exception_inside_execution_answers_as_the_view(
    environment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The executor itself failing (not a resolver: graphql-core would catch that) is a GraphQL
    error on both paths, the same bytes and status, never a 5xx."""
    from customer_gateway.schema.executor import PlainFieldExecutor

    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail of a bug")

    async with _pair(environment=environment) as (plain, view):
        customer_id = await _first_customer(plain)
        assert await _first_customer(view) == customer_id
        monkeypatch.setattr(PlainFieldExecutor, "execute_operation", broken)
        headers = {"content-type": "application/json", "x-api-key": READER}
        for accept in (None, GQL):
            sent = {**headers, **({"accept": accept} if accept else {})}
            body = _body(query=Q1, variables={"id": customer_id})
            got, expected = await _answer(plain, body, sent), await _answer(view, body, sent)
            assert got == expected, accept
            assert got[0] < 500
            assert b"INTERNAL" in got[2], got
            if environment == "production":
                assert b"secret detail" not in got[2]


async def test_concurrent_requests_of_one_document_keep_their_own_variables_and_caller() -> None:
    """What the plain path remembers of a document (shape, validation, cost plan) holds for
    every request of it: concurrent requests of the same document, each with its own variables
    and credentials, get their own answers."""
    async with _pair() as (plain, _):
        customer_id = await _first_customer(plain)
        body = {"query": "{ customers { items { uuid } } }"}
        reader = {"content-type": "application/json", "x-api-key": READER}
        listed = await plain.client.post("/graphql", json=body, headers=reader)
        ids = [item["uuid"] for item in listed.json()["data"]["customers"]["items"]]
        assert customer_id in ids
        wanted = [*ids, f"{SOURCE}:999", *ids]
        keys = [READER if index % 3 else NOBODY for index in range(len(wanted))]

        async def ask(wanted_id: str, key: str) -> tuple[str, str, Any]:
            answer = await plain.client.post(
                "/graphql",
                content=_body(query=Q1, variables={"id": wanted_id}),
                headers={"content-type": "application/json", "x-api-key": key},
            )
            return wanted_id, key, answer.json()

        for wanted_id, key, answer in await asyncio.gather(*map(ask, wanted, keys)):
            if key == NOBODY:
                assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
                assert "data" not in answer
            elif wanted_id.endswith(":999"):
                assert answer["data"]["customer"] is None
            else:
                assert answer["data"]["customer"]["uuid"] == wanted_id
