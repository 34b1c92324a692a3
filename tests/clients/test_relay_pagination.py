"""Relay-style pagination in Apollo Client (tests/clients/node/relay.mjs): `relayStylePagination`
walks the whole merged list of the tour's two shops by cursor while customers are created and
deleted through the gateway between pages, with no repeat and no skip."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.clients.servers import Gateways, run_node

# Newest first (EverShop-only sources default to customer_id DESC, where a new customer of the
# smaller shop sorts mid-list: after a cursor, so rightly shown): the customers created during
# the walk are the newest, before every cursor.
NEWEST = (
    '[{key: "ob", operation: eq, value: "created_at"}, {key: "od", operation: eq, value: "DESC"}]'
)
CONNECTION = f"""query($first: Int, $after: String) {{
  customersConnection(filters: {NEWEST}, first: $first, after: $after) {{
    edges {{ cursor node {{ uuid }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
CREATE = """mutation($s: String!, $email: String!) { createCustomer(source: $s,
  input: {email: $email, fullName: "Relay Walker", password: "secret-99"}) { uuid } }"""
DELETE = "mutation($id: String!) { deleteCustomer(id: $id) { uuid } }"
GRID = (
    '{ customers(filters: [{key: "ob", operation: eq, value: "created_at"}, '
    '{key: "od", operation: eq, value: "DESC"}, {key: "limit", operation: eq, value: "100"}]) '
    "{ items { uuid } } }"
)


@pytest.fixture(scope="module")
def walk(gateways: Gateways, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    before = httpx.post(gateways.healthy_graphql, json={"query": GRID}, timeout=30).json()
    payload = {
        "url": gateways.healthy_graphql,
        "connection": CONNECTION,
        "create": CREATE,
        "delete": DELETE,
        "sources": ["evershop-main", "evershop-outlet"],
        "first": 7,
    }
    outcome = run_node("relay.mjs", payload, tmp_path_factory.mktemp("relay"))
    outcome["before"] = [item["uuid"] for item in before["data"]["customers"]["items"]]
    return outcome


def test_the_walk_has_no_repeat_and_no_skip(walk: dict[str, Any]) -> None:
    walked = walk["walked"]
    assert walk["pages"] > 5
    assert walk["created"]
    assert walk["deleted"]
    assert len(walked) == len(set(walked)), "a customer came twice"
    # Everyone who was there at the start is walked, in the grid's order; those created during
    # the walk sort before the cursor (newest first) and are not.
    assert walked == walk["before"]
    assert not set(walk["created"]) & set(walked)
