"""The Python `gql` client over HTTP (httpx transport) against real gateway processes.

The client fetches the schema by introspection when it connects (development mode allows it)
and validates every document against it before sending: a document the schema does not allow
fails in the client, and no request leaves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest, gql
from gql.client import SyncClientSession
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport
from graphql import GraphQLEnumType, GraphQLError, GraphQLObjectType

from tests.clients import tour
from tests.clients.servers import DOWN_SOURCE, Gateways


class _Counter:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> None:
        self.requests.append(request)


@pytest.fixture(scope="module")
def sent() -> _Counter:
    return _Counter()


def _client(url: str, counter: _Counter | None = None) -> Client:
    hooks = {"request": [counter]} if counter is not None else {}
    transport = HTTPXTransport(url=url, timeout=30.0, event_hooks=hooks)
    return Client(transport=transport, fetch_schema_from_transport=True)


@pytest.fixture(scope="module")
def session(gateways: Gateways, sent: _Counter) -> Iterator[SyncClientSession]:
    with _client(gateways.healthy_graphql, sent) as connected:
        assert isinstance(connected, SyncClientSession)
        yield connected


@pytest.fixture(scope="module")
def degraded(gateways: Gateways) -> Iterator[SyncClientSession]:
    with _client(gateways.degraded_graphql) as connected:
        assert isinstance(connected, SyncClientSession)
        yield connected


def _request(document: str, **variables: Any) -> GraphQLRequest:
    return GraphQLRequest(gql(document), variable_values=variables or None)


def test_the_client_holds_the_introspected_schema(session: SyncClientSession) -> None:
    schema = session.client.schema
    assert schema is not None
    customer = schema.get_type("Customer")
    assert isinstance(customer, GraphQLObjectType)
    assert {"uuid", "nativeId", "source", "group", "addresses"} <= set(customer.fields)
    codes = schema.get_type("ErrorCode")
    assert isinstance(codes, GraphQLEnumType)
    assert {"BAD_USER_INPUT", "UPSTREAM_UNAVAILABLE", "UPSTREAM_TIMEOUT"} <= set(codes.values)
    assert schema.mutation_type is not None
    assert "createCustomer" in schema.mutation_type.fields


def test_a_document_the_schema_refuses_never_leaves_the_client(
    session: SyncClientSession, sent: _Counter
) -> None:
    before = len(sent.requests)
    # EverShop's storefront-only fields are not served (docs/deviations.md).
    with pytest.raises(GraphQLError, match="Cannot query field 'metafields' on type 'Customer'"):
        session.execute(_request("{ customers { items { uuid metafields } } }"))
    with pytest.raises(GraphQLError, match="Variable '\\$id' of type 'Int'"):
        session.execute(_request("query($id: Int) { customer(id: $id) { uuid } }", id=1))
    assert len(sent.requests) == before


def test_tour_customer_grid_over_both_shops(session: SyncClientSession, sent: _Counter) -> None:
    result = session.execute(_request(tour.CUSTOMER_GRID), get_execution_result=True)
    assert result.errors is None
    assert result.data == tour.customer_grid()
    assert result.extensions is not None
    sources = {s["name"]: s["status"] for s in result.extensions["sources"]}
    assert sources == {"evershop-main": "ok", "evershop-outlet": "ok"}
    assert sent.requests[-1].method == "POST"


def test_tour_one_customer_by_gateway_id(session: SyncClientSession) -> None:
    data = session.execute(_request(tour.ONE_CUSTOMER, id=tour.AMELIA))
    assert data == tour.ONE_CUSTOMER_DATA


def test_tour_customer_groups_of_every_shop(session: SyncClientSession) -> None:
    assert session.execute(_request(tour.GROUPS)) == tour.GROUPS_DATA


def test_tour_mutation_creates_in_the_named_shop(session: SyncClientSession) -> None:
    email = "gql-client@example.com"
    data = session.execute(_request(tour.CREATE_CUSTOMER, source="evershop-outlet", email=email))
    created = data["createCustomer"]
    tour.check_created(created, email)
    try:
        again = session.execute(_request(tour.ONE_CUSTOMER, id=created["uuid"]))
        assert again["customer"]["email"] == email
        assert again["customer"]["group"]["uuid"] == "evershop-outlet:1"
    finally:
        deleted = session.execute(_request(tour.DELETE_CUSTOMER, id=created["uuid"]))
    assert deleted["deleteCustomer"] == {
        "uuid": created["uuid"],
        "nativeId": created["uuid"].split(":", 1)[1],
        "source": {"name": "evershop-outlet"},
    }
    assert session.execute(_request(tour.ONE_CUSTOMER, id=created["uuid"])) == {"customer": None}


def test_tour_mutation_with_an_invalid_email_is_a_typed_error(session: SyncClientSession) -> None:
    request = _request(tour.CREATE_CUSTOMER, source="evershop-outlet", email="ada@example")
    with pytest.raises(TransportQueryError) as raised:
        session.execute(request)
    assert raised.value.data == {"createCustomer": None}
    assert raised.value.errors is not None
    [error] = raised.value.errors
    assert error["message"] == tour.INVALID_EMAIL_MESSAGE
    assert error["path"] == ["createCustomer"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "retryable": False, "field": "email"}


def test_one_source_down_gives_the_others_data_and_a_typed_error(
    degraded: SyncClientSession,
) -> None:
    with pytest.raises(TransportQueryError) as raised:
        degraded.execute(_request(tour.CUSTOMER_GRID))
    # evershop-main's 12 matches; the page is main's first three either way.
    assert raised.value.data == tour.customer_grid(total=12)
    assert raised.value.errors is not None
    [error] = raised.value.errors
    assert error["path"] == ["customers"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["source"] == DOWN_SOURCE
    assert error["extensions"]["retryable"] is True
    assert error["message"].startswith(f"{DOWN_SOURCE} could not be reached")
    assert raised.value.extensions is not None
    statuses = {s["name"]: s["status"] for s in raised.value.extensions["sources"]}
    assert statuses == {"evershop-main": "ok", DOWN_SOURCE: "error"}
