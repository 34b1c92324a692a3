"""Caller input never opens a source's breaker for everyone.

EverShop answers a value PostgreSQL refuses (a LIKE pattern ending in the escape character, a NUL,
an unknown group id) with HTTP 500 and PostgreSQL's message. Such a 500 is the caller's error:
UPSTREAM_REJECTED, not retried, not counted against the source. And what the gateway knows a
source cannot take is refused before anything is sent. All over HTTP against the emulator.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from customer_gateway.connectors.errors import Unsendable, UpstreamRejected
from customer_gateway.connectors.models import Condition, CustomerQuery, FilterField, Op
from customer_gateway.core.errors import ErrorCode
from customer_gateway.emulators.evershop import EverShopEmulator
from tests.api.conftest import Gateway, evershop_source, running_gateway

pytestmark = pytest.mark.anyio

SOURCE = "evershop-main"
LIST = '{ customers(filters: [{key: "source", operation: eq, value: "evershop-main"}]) { total } }'
GRAPHQL = "/api/admin/graphql"
ROUNDS = 25  # more than the breaker's 20 calls


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    # Rate limits off on both sides: 25 creates must reach EverShop (its tier allows 8 / 15 min).
    emulator = EverShopEmulator(seed=1, customers=8, rate_limits=False)
    source = evershop_source(SOURCE, emulator, rate_limits=False)
    async with running_gateway({SOURCE: emulator}, sources=(source,)) as running:
        await running.query(LIST)  # logged in
        running.reset_journals()
        yield running


def _statuses(gateway: Gateway, method: str, path: str) -> list[int]:
    return [entry.status for entry in gateway.emulators[SOURCE].requests(method, path)]


async def _still_serves(gateway: Gateway) -> None:
    assert gateway.connector(SOURCE).http.breaker.state == "closed"
    payload = await gateway.query(LIST)
    assert "errors" not in payload
    assert payload["data"]["customers"]["total"] == 8


async def test_a_500_about_a_like_pattern_is_rejected_once_and_not_counted(
    gateway: Gateway,
) -> None:
    # Straight to the connector: the gateway's own filter check would refuse this pattern first.
    connector = gateway.connector(SOURCE)
    query = CustomerQuery(conditions=(Condition(FilterField.EMAIL, Op.LIKE, ("abc\\",)),))
    for _ in range(ROUNDS):
        with pytest.raises(UpstreamRejected) as rejected:
            await connector.list_customers(query)
    assert rejected.value.http_status == 500
    assert "LIKE pattern" in rejected.value.message
    assert "abc" not in rejected.value.message
    assert _statuses(gateway, "POST", GRAPHQL) == [500] * ROUNDS  # never retried
    await _still_serves(gateway)


async def test_creates_naming_an_unknown_group_do_not_open_the_breaker(gateway: Gateway) -> None:
    create = """mutation($email: String!) { createCustomer(source: "evershop-main", input: {
      email: $email, fullName: "Nobody", password: "secret-99", groupId: "999"}) { uuid } }"""
    for index in range(ROUNDS):
        payload = await gateway.query(create, {"email": f"nobody{index}@example.com"})
        error: dict[str, Any] = payload["errors"][0]
        assert error["extensions"]["code"] == "UPSTREAM_REJECTED"
        assert error["extensions"]["field"] == "groupId"
        assert error["extensions"]["retryable"] is False
    # The group is looked up first: no registration is sent (nor spent), no 500 to count.
    # EverShop's own FK_CUSTOMER_GROUP 500 maps to the same error (tests/api/test_mutations.py).
    assert _statuses(gateway, "POST", "/api/customers") == []
    await _still_serves(gateway)


async def _post(
    gateway: Gateway, query: str, variables: dict[str, Any], status: int = 200
) -> dict[str, Any]:
    """JSON with \\u escapes, so lone surrogates travel as a client would send them."""
    body = json.dumps({"query": query, "variables": variables})
    response = await gateway.client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == status, response.text
    payload: dict[str, Any] = response.json()
    return payload


FILTERED = """query($key: String!, $op: FilterOperation!, $value: ID) { customers(filters: [
  {key: "source", operation: eq, value: "evershop-main"}, {key: $key, operation: $op, value: $value}
]) { total } }"""


async def test_like_patterns_postgres_refuses_are_refused_before_sending(gateway: Gateway) -> None:
    for _ in range(ROUNDS):
        payload = await _post(gateway, FILTERED, {"key": "email", "op": "like", "value": "abc\\"})
        error = payload["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == "filters"
        assert "'email'" in error["message"]
        assert "escape character" in error["message"]
    assert gateway.emulators[SOURCE].journal == []  # nothing reached EverShop
    await _still_serves(gateway)
    # An escaped backslash is a valid pattern: sent, and answered.
    escaped = await _post(gateway, FILTERED, {"key": "email", "op": "like", "value": "abc\\\\"})
    assert escaped["data"]["customers"]["total"] == 0
    assert "errors" not in escaped


CUSTOMER = "query($id: String!) { customer(id: $id) { uuid } }"
UPDATE = """mutation($id: String!, $name: String!) { updateCustomer(id: $id,
  input: {fullName: $name, groupId: "1"}) { uuid } }"""
CREATE = """mutation($name: String!, $password: String!) { createCustomer(source: "evershop-main",
  input: {email: "new@example.com", fullName: $name, password: $password}) { uuid } }"""
CREATE_IN_GROUP = """mutation($group: String!) { createCustomer(source: "evershop-main", input: {
  email: "new@example.com", fullName: "Nobody", password: "secret-99", groupId: $group}) { uuid } }"""
SOME_UUID = "00000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (FILTERED, {"key": "email", "op": "eq", "value": "a\x00b@example.com"}, "filters"),
        (FILTERED, {"key": "keyword", "op": "eq", "value": "\ud800"}, "filters"),
        (FILTERED, {"key": "full_name", "op": "like", "value": "x" * 256}, "filters"),
        (FILTERED, {"key": "email", "op": "eq", "value": "x" * 90_000}, "filters"),
        (FILTERED, {"key": "email", "op": "in", "value": "a@b.cz," + "x" * 256}, "filters"),
        (CUSTOMER, {"id": "evershop-main:\x00"}, "id"),
        (CUSTOMER, {"id": "evershop-main:\udc00"}, "id"),
        (CUSTOMER, {"id": "evershop-main:a\x01b"}, "id"),
        (CUSTOMER, {"id": "evershop-main:" + "a" * 256}, "id"),
        (UPDATE, {"id": f"evershop-main:{SOME_UUID}", "name": "N\x00"}, "fullName"),
        (UPDATE, {"id": f"evershop-main:{SOME_UUID}", "name": "\ud83d"}, "fullName"),
        (CREATE, {"name": "Nobody", "password": "secret\x00secret"}, "password"),
        (CREATE, {"name": "Nobody", "password": "p" * 256}, "password"),
        (CREATE_IN_GROUP, {"group": "evershop-main:1\x00"}, "groupId"),
        (CREATE_IN_GROUP, {"group": "evershop-main:\x01"}, "groupId"),
    ],
    ids=[
        "filter NUL",
        "filter lone surrogate",
        "filter 256 characters",
        "filter 90 KB",
        "in-list item 256 characters",
        "id NUL",
        "id lone surrogate",
        "id control character",
        "id 256 characters",
        "fullName NUL",
        "fullName lone surrogate",
        "password NUL",
        "password 256 characters",
        "groupId NUL",
        "groupId control character",
    ],
)
async def test_values_no_source_can_take_are_refused_by_field_before_sending(
    gateway: Gateway, query: str, variables: dict[str, Any], field: str
) -> None:
    surrogate = any(
        isinstance(value, str) and any("\ud800" <= char <= "\udfff" for char in value)
        for value in variables.values()
    )
    # A lone surrogate is refused with the body, naming the variable (request_body.py), before
    # any field sees it; the rest by the field that holds them.
    payload = await _post(gateway, query, variables, status=400 if surrogate else 200)
    error = payload["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    if surrogate:
        assert "lone UTF-16 surrogate" in error["message"]
    else:
        assert error["extensions"]["field"] == field
    assert gateway.emulators[SOURCE].journal == []
    await _still_serves(gateway)


async def test_the_net_under_every_connector_refuses_before_the_breaker(gateway: Gateway) -> None:
    # Input that reaches a request by a way no resolver checks still never leaves the gateway.
    http = gateway.connector(SOURCE).http
    for value in ("\x00", "\ud800"):
        with pytest.raises(Unsendable) as refused:
            await http.send("POST", GRAPHQL, json={"query": "{}", "variables": {"v": [value]}})
        assert refused.value.code is ErrorCode.BAD_USER_INPUT
        with pytest.raises(Unsendable):
            await http.send("GET", f"/api/customers/{value}")
        with pytest.raises(Unsendable):
            await http.send("GET", "/api/customers", params={"q": value})
    assert gateway.emulators[SOURCE].journal == []
    await _still_serves(gateway)


@pytest.mark.parametrize(
    "native", ["../../api/user/tokens", "..", ".", "x?limit=1000", "x#y", "%2e%2e", "a/b", "a\\b"]
)
async def test_an_id_that_is_not_one_path_segment_never_reaches_a_url(
    gateway: Gateway, native: str
) -> None:
    """A native id goes into upstream paths: one that would be another URL (traversal, a query
    string of its own) is no id of any source, and the net under the connectors refuses any
    path built from one (store ids and extension names reach paths without a global id)."""
    payload = await _post(gateway, CUSTOMER, {"id": f"{SOURCE}:{native}"})
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    http = gateway.connector(SOURCE).http
    if "/" not in native:
        with pytest.raises(Unsendable):
            await http.send("GET", f"/api/customers/{native}")
    assert gateway.emulators[SOURCE].journal == []
