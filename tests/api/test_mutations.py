"""Writes reach the owning source or come back as a typed error that says why."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from customer_gateway.connectors.evershop import EverShopConnector
from customer_gateway.connectors.transport import Answer, HttpxClient
from customer_gateway.server.settings import SourceSettings
from tests.api.conftest import Gateway


def error_answer(status: int, body: object) -> Answer:
    """An upstream's JSON error answer, as the HTTP engine hands it to `error_for_status`."""
    return Answer(status, httpx.Headers(), json.dumps(body).encode(), "/api/admin/graphql")


pytestmark = pytest.mark.anyio

CREATE = """
mutation($source: String!, $input: CustomerCreateInput!) {
  createCustomer(source: $source, input: $input) {
    uuid nativeId customerId email fullName status source { name kind } group { groupName }
  }
}"""
UPDATE = """
mutation($id: String!, $input: CustomerUpdateInput!) {
  updateCustomer(id: $id, input: $input) { uuid email fullName status group { customerGroupId groupName } }
}"""
DELETE = "mutation($id: String!) { deleteCustomer(id: $id) { uuid nativeId source { name } } }"
CUSTOMER = "query($id: String) { customer(id: $id) { uuid email fullName status } }"

NEW = {"email": "new.customer@example.com", "fullName": "New Customer", "password": "secret-123"}


def _error(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["data"] is None or not any(payload["data"].values())
    assert len(payload["errors"]) == 1, payload["errors"]
    error: dict[str, Any] = payload["errors"][0]
    return error


def _posts(gateway: Gateway, source: str) -> int:
    return len(gateway.emulators[source].requests("POST", "/api/customers"))


async def test_create_lands_upstream_and_reads_back(gateway: Gateway) -> None:
    payload = await gateway.query(CREATE, {"source": "evershop-outlet", "input": NEW})
    assert "errors" not in payload, payload
    created = payload["data"]["createCustomer"]
    assert created["uuid"] == f"evershop-outlet:{created['nativeId']}"
    assert created["source"] == {"name": "evershop-outlet", "kind": "evershop"}
    assert (created["email"], created["fullName"], created["status"]) == (
        NEW["email"],
        NEW["fullName"],
        1,
    )
    assert created["group"] == {"groupName": "Default"}
    rows = [
        r
        for r in gateway.emulators["evershop-outlet"].customer_rows()
        if r["email"] == NEW["email"]
    ]
    assert len(rows) == 1
    assert rows[0]["uuid"] == created["nativeId"]
    again = await gateway.query(CUSTOMER, {"id": created["uuid"]})
    assert again["data"]["customer"]["email"] == NEW["email"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "jörg@example.com"}, "email"),
        ({"fullName": "  "}, "fullName"),
        ({"password": "12345"}, "password"),
        ({"password": None}, "password"),
        ({"status": 3}, "status"),
        ({"groupId": "evershop-main:1"}, "groupId"),
    ],
)
async def test_invalid_create_is_refused_before_any_upstream_call(
    gateway: Gateway, change: dict[str, Any], field: str
) -> None:
    before = _posts(gateway, "evershop-outlet")
    payload = await gateway.query(CREATE, {"source": "evershop-outlet", "input": {**NEW, **change}})
    error = _error(payload)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert _posts(gateway, "evershop-outlet") == before


async def test_unknown_source_is_named(gateway: Gateway) -> None:
    error = _error(await gateway.query(CREATE, {"source": "nowhere", "input": NEW}))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "evershop-main, evershop-outlet" in error["message"]


async def test_duplicate_email_is_a_conflict(gateway: Gateway) -> None:
    existing = gateway.emulators["evershop-main"].customer_rows()[0]["email"]
    payload = await gateway.query(
        CREATE, {"source": "evershop-main", "input": {**NEW, "email": existing}}
    )
    error = _error(payload)
    assert error["extensions"] == {
        "code": "CONFLICT",
        "retryable": False,
        "source": "evershop-main",
        "field": "email",
        "httpStatus": 500,
    }
    assert existing not in error["message"]


async def test_evershops_registration_limit_is_a_typed_rate_limit(gateway: Gateway) -> None:
    for index in range(8):
        ok = await gateway.query(
            CREATE,
            {"source": "evershop-main", "input": {**NEW, "email": f"bulk{index}@example.com"}},
        )
        assert "errors" not in ok, ok
    payload = await gateway.query(
        CREATE, {"source": "evershop-main", "input": {**NEW, "email": "ninth@example.com"}}
    )
    error = _error(payload)
    assert error["extensions"]["code"] == "UPSTREAM_RATE_LIMITED"
    assert 890 <= error["extensions"]["retryAfter"] <= 900
    assert error["extensions"]["retryable"] is True
    # The gateway knows EverShop's limit and does not send the ninth registration at all.
    assert _posts(gateway, "evershop-main") == 8


async def test_an_unknown_group_is_refused_before_the_registration(gateway: Gateway) -> None:
    """A registration that fails still spends one of EverShop's 8 per 15 minutes: the group is
    looked up first (a read), and its absence is the caller's error, not an outage."""
    payload = await gateway.query(
        CREATE, {"source": "evershop-main", "input": {**NEW, "groupId": "99"}}
    )
    error = _error(payload)
    assert error["extensions"]["code"] == "UPSTREAM_REJECTED"
    assert error["extensions"]["field"] == "groupId"
    assert error["extensions"]["retryable"] is False
    assert _posts(gateway, "evershop-main") == 0
    created = await gateway.query(
        CREATE, {"source": "evershop-main", "input": {**NEW, "groupId": "2"}}
    )
    assert "errors" not in created, created["errors"]
    assert _posts(gateway, "evershop-main") == 1


def test_evershops_foreign_key_500_is_a_rejected_group() -> None:
    """Should the group vanish between the check and the registration, EverShop answers HTTP 500
    with the constraint's name: the input's fault (groupId), not a retryable outage."""
    connector = EverShopConnector(
        SourceSettings(name="shop", kind="evershop", base_url="http://shop.test"),
        HttpxClient(httpx.AsyncClient()),
    )
    message = (
        'insert or update on table "customer" violates foreign key constraint "FK_CUSTOMER_GROUP"'
    )
    error = connector.error_for_status(
        error_answer(500, {"error": {"status": 500, "message": message}})
    )
    assert (error.code.value, error.field, error.retryable) == (
        "UPSTREAM_REJECTED",
        "groupId",
        False,
    )


async def test_updated_at_is_the_same_in_the_mutation_and_in_customer(gateway: Gateway) -> None:
    query = 'mutation($input: CustomerCreateInput!) { createCustomer(source: "evershop-main", '
    query += "input: $input) { uuid updatedAt { value } } }"
    created = (await gateway.query(query, {"input": NEW}))["data"]["createCustomer"]
    read = await gateway.query(
        "query($id: String) { customer(id: $id) { updatedAt { value } } }", {"id": created["uuid"]}
    )
    assert read["data"]["customer"]["updatedAt"] == created["updatedAt"]


async def _customer_in_group(gateway: Gateway, source: str, default: bool) -> dict[str, Any]:
    rows = gateway.emulators[source].customer_rows()
    return next(r for r in rows if (r["group_id"] == 1) is default)


async def test_update_a_customer_in_the_default_group(gateway: Gateway) -> None:
    row = await _customer_in_group(gateway, "evershop-main", default=True)
    payload = await gateway.query(
        UPDATE,
        {
            "id": f"evershop-main:{row['uuid']}",
            "input": {"fullName": "Renamed Person", "status": 0},
        },
    )
    assert "errors" not in payload, payload
    assert payload["data"]["updateCustomer"]["fullName"] == "Renamed Person"
    assert payload["data"]["updateCustomer"]["status"] == 0
    stored = next(
        r for r in gateway.emulators["evershop-main"].customer_rows() if r["uuid"] == row["uuid"]
    )
    assert (stored["full_name"], stored["status"]) == ("Renamed Person", 0)


async def test_update_refuses_evershops_silent_group_reset(gateway: Gateway) -> None:
    emulator = gateway.emulators["evershop-main"]
    row = await _customer_in_group(gateway, "evershop-main", default=False)
    uuid = f"evershop-main:{row['uuid']}"
    error = _error(await gateway.query(UPDATE, {"id": uuid, "input": {"fullName": "Changed"}}))
    assert error["extensions"]["code"] == "UNSUPPORTED_OPERATION"
    assert error["extensions"]["field"] == "groupId"
    assert not emulator.requests("PATCH")
    stored = next(r for r in emulator.customer_rows() if r["uuid"] == row["uuid"])
    assert stored["group_id"] == row["group_id"]

    # Accepting the move to Default explicitly makes the update land.
    moved = await gateway.query(
        UPDATE, {"id": uuid, "input": {"fullName": "Changed", "groupId": "1"}}
    )
    assert moved["data"]["updateCustomer"]["group"]["customerGroupId"] == 1
    error = _error(await gateway.query(UPDATE, {"id": uuid, "input": {"groupId": "2"}}))
    assert error["extensions"]["code"] == "UNSUPPORTED_OPERATION"


@pytest.mark.parametrize(
    ("id", "code"),
    [
        ("evershop-main:00000000-0000-4000-8000-000000000000", "NOT_FOUND"),
        ("evershop-main:not-a-uuid", "NOT_FOUND"),
        ("nowhere:00000000-0000-4000-8000-000000000000", "NOT_FOUND"),
        ("no-colon-here", "BAD_USER_INPUT"),
    ],
)
async def test_update_and_delete_unknown_ids(gateway: Gateway, id: str, code: str) -> None:
    for mutation, variables in (
        (UPDATE, {"id": id, "input": {"fullName": "X"}}),
        (DELETE, {"id": id}),
    ):
        error = _error(await gateway.query(mutation, variables))
        assert error["extensions"]["code"] == code


async def test_empty_update_is_refused(gateway: Gateway) -> None:
    row = gateway.emulators["evershop-main"].customer_rows()[0]
    error = _error(await gateway.query(UPDATE, {"id": f"evershop-main:{row['uuid']}", "input": {}}))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_delete_removes_the_customer_upstream(gateway: Gateway) -> None:
    row = gateway.emulators["evershop-outlet"].customer_rows()[0]
    uuid = f"evershop-outlet:{row['uuid']}"
    payload = await gateway.query(DELETE, {"id": uuid})
    assert payload["data"]["deleteCustomer"] == {
        "uuid": uuid,
        "nativeId": row["uuid"],
        "source": {"name": "evershop-outlet"},
    }
    assert row["uuid"] not in {
        r["uuid"] for r in gateway.emulators["evershop-outlet"].customer_rows()
    }
    assert (await gateway.query(CUSTOMER, {"id": uuid}))["data"]["customer"] is None
    assert _error(await gateway.query(DELETE, {"id": uuid}))["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("mutation", "variables"),
    [
        (
            'mutation($s: String!) { createCustomerGroup(source: $s, input: {groupName: "VIP"}) { uuid } }',
            {"s": "evershop-main"},
        ),
        (
            'mutation { updateCustomerGroup(id: "evershop-main:1", input: {groupName: "X"}) { uuid } }',
            None,
        ),
        ('mutation { deleteCustomerGroup(id: "evershop-main:2") { uuid } }', None),
    ],
)
async def test_evershop_has_no_group_write_api(
    gateway: Gateway, mutation: str, variables: dict[str, Any] | None
) -> None:
    error = _error(await gateway.query(mutation, variables))
    assert error["extensions"]["code"] == "UNSUPPORTED_OPERATION"
    assert error["extensions"]["source"] == "evershop-main"
