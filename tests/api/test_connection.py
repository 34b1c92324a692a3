"""`customersConnection` (Relay cursor connections): walking the merged list forward and backward
gives every customer once, in the same order as `customers`, while customers are inserted and
deleted before the cursor between pages; cursors are opaque, sealed and bound to their order."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from tests.api.conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

FORWARD = """query($f: [FilterInput], $n: Int, $after: String) {
  customersConnection(filters: $f, first: $n, after: $after) {
    totalCount edges { cursor node { uuid email fullName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
BACKWARD = """query($f: [FilterInput], $n: Int, $before: String) {
  customersConnection(filters: $f, last: $n, before: $before) {
    edges { cursor node { uuid } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
PAGE = """query($f: [FilterInput]) { customers(filters: $f) { total items { uuid } } }"""
SORTS = [[], [{"key": "ob", "operation": "eq", "value": "name"}]]
DELETE = "mutation($id: String!) { deleteCustomer(id: $id) { uuid } }"


@pytest.fixture
async def gateway() -> Any:
    emulators = {
        "evershop-main": EverShopEmulator(seed=1, customers=23),
        "evershop-outlet": EverShopEmulator(seed=2, customers=17),
    }
    async with running_gateway(emulators) as running:
        yield running


async def _all(gateway: Gateway, sort: list[dict[str, str]]) -> list[str]:
    limit = [{"key": "limit", "operation": "eq", "value": "100"}]
    payload = await gateway.query(PAGE, {"f": sort + limit})
    return [item["uuid"] for item in payload["data"]["customers"]["items"]]


@pytest.mark.parametrize("sort", SORTS, ids=["newest first", "by name"])
async def test_forward_walk_is_the_merged_order(gateway: Gateway, sort: list[Any]) -> None:
    expected = await _all(gateway, sort)
    seen: list[str] = []
    after = None
    while True:
        page = (await gateway.query(FORWARD, {"f": sort, "n": 6, "after": after}))["data"][
            "customersConnection"
        ]
        assert page["totalCount"] == len(expected)
        seen.extend(edge["node"]["uuid"] for edge in page["edges"])
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected


@pytest.mark.parametrize("sort", SORTS, ids=["newest first", "by name"])
async def test_backward_walk_is_the_merged_order_reversed(
    gateway: Gateway, sort: list[Any]
) -> None:
    expected = await _all(gateway, sort)
    seen: list[str] = []
    before = None
    while True:
        page = (await gateway.query(BACKWARD, {"f": sort, "n": 7, "before": before}))["data"][
            "customersConnection"
        ]
        seen[:0] = [edge["node"]["uuid"] for edge in page["edges"]]
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen == expected


async def test_inserts_and_deletes_before_the_cursor_move_no_page(gateway: Gateway) -> None:
    """Newest first: between pages, customers are created (they sort before the cursor) and some
    already seen are deleted; every customer that lived through the walk is seen exactly once."""
    original = await _all(gateway, [])
    main = gateway.emulators["evershop-main"]
    seen: list[str] = []
    after = None
    rounds = 0
    while True:
        page = (await gateway.query(FORWARD, {"n": 5, "after": after}))["data"][
            "customersConnection"
        ]
        seen.extend(edge["node"]["uuid"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        rounds += 1
        main.add_customer(email=f"inserted{rounds}@example.com", full_name=f"Inserted {rounds}")
        if len(seen) > 2:  # delete one already walked past (before the cursor)
            deleted = await gateway.query(DELETE, {"id": seen[-2]})
            assert "errors" not in deleted, deleted
    assert len(seen) == len(set(seen)), "a customer came twice"
    assert seen == original, "a customer was skipped, or one inserted before the cursor shown"


async def test_cursors_are_sealed_and_bound_to_their_order(gateway: Gateway) -> None:
    by_email = [{"key": "ob", "operation": "eq", "value": "email"}]
    page = (await gateway.query(FORWARD, {"f": by_email, "n": 2}))["data"]["customersConnection"]
    cursor = page["pageInfo"]["endCursor"]
    email = page["edges"][-1]["node"]["email"]
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert email.encode() not in decoded  # the sort value is sealed, not readable
    assert email.split("@")[0].encode() not in decoded
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in (tampered, "not-a-cursor", ""):
        payload = await gateway.query(FORWARD, {"f": by_email, "n": 2, "after": bad})
        assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    other_order = await gateway.query(FORWARD, {"n": 2, "after": cursor})
    assert "another order" in other_order["errors"][0]["message"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "one of first or last"),
        ({"n": 0}, "1 to 100"),
        ({"n": 101}, "1 to 100"),
        ({"n": 5, "f": [{"key": "page", "operation": "eq", "value": "2"}]}, "not page/limit"),
    ],
)
async def test_bad_arguments_are_bad_user_input(
    gateway: Gateway, variables: dict[str, Any], message: str
) -> None:
    query = (
        FORWARD if "n" in variables else FORWARD.replace("$n: Int, ", "").replace("first: $n, ", "")
    )
    payload = await gateway.query(query, variables)
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in payload["errors"][0]["message"]
