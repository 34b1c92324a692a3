"""The queries EverShop 2.2.1's own admin sends run unchanged and return every source's customers.

Query texts are copied from EverShop's source (modules/customer/pages/admin/**); EverShop's page
builder inlines `getContextValue("customerUuid", null)` as a string literal and gives every root
field an `e<uniqid>` alias, which `EDIT_PAGE_COMBINED` reproduces.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.api.conftest import Gateway

pytestmark = pytest.mark.anyio

# modules/customer/pages/admin/customerGrid/Grid.jsx
GRID_QUERY = """
  query Query($filters: [FilterInput]) {
    customers (filters: $filters) {
      items {
        customerId
        uuid
        fullName
        email
        status
        createdAt {
          value
          text
        }
        editUrl
        updateApi
      }
      total
      currentFilters {
        key
        operation
        value
      }
    }
  }
"""

# modules/customer/pages/admin/customerEdit+customerNew/General.jsx
GENERAL_QUERY = """
  query Query {
    customer(id: %s) {
      customerId
      fullName
      email
      status
      group {
        groupName
      }
    }
  }
"""

# PageHeading.tsx, CustomerCustomFields.tsx and CustomerEditForm.jsx, merged as EverShop does.
EDIT_PAGE_COMBINED = """
query Query {
  e1k2j3: customer(id: %(id)s) { customerId fullName email status group { groupName } }
  e4l5m6: customer(id: %(id)s) { fullName }
  e7n8o9: url(routeId: "customerGrid")
  e0p1q2: customer(id: %(id)s) { metaData updateMetafieldsApi }
  e3r4s5: url(routeId: "customerGrid")
}
"""


def _grid_filters(url_query: str) -> list[dict[str, str]]:
    """EverShop's buildFilterFromUrl for simple `key=value` parameters."""
    params = httpx.QueryParams(url_query)
    return [{"key": key, "operation": "eq", "value": value} for key, value in params.items()]


async def test_grid_query_lists_every_source_newest_first(gateway: Gateway) -> None:
    payload = await gateway.query(GRID_QUERY, {"filters": _grid_filters("page=1&limit=20")})
    assert "errors" not in payload
    collection = payload["data"]["customers"]
    assert collection["total"] == 50  # 30 + 20
    items = collection["items"]
    assert len(items) == 20
    sources = {item["uuid"].split(":")[0] for item in items}
    assert sources == {"evershop-main", "evershop-outlet"}
    created = [int(item["createdAt"]["value"]) for item in items]
    assert created == sorted(created, reverse=True)
    assert collection["currentFilters"] == [
        {"key": "page", "operation": "eq", "value": "1"},
        {"key": "limit", "operation": "eq", "value": "20"},
    ]
    for item in items:
        day = datetime.fromtimestamp(int(item["createdAt"]["value"]) / 1000, tz=UTC)
        assert item["createdAt"]["text"] == f"{day:%b} {day.day}, {day.year}"
        assert item["editUrl"].endswith(f"/admin/customers/edit/{item['uuid'].split(':', 1)[1]}")


async def test_grid_query_with_the_grids_own_filters(gateway: Gateway) -> None:
    # The grid's search box, status select, sortable headers and pagination.
    every = await gateway.query(GRID_QUERY, {"filters": _grid_filters("limit=100")})
    names = [item["fullName"] for item in every["data"]["customers"]["items"]]
    term = names[0].split()[0][:4].lower()
    expected = sorted(
        (
            item
            for item in every["data"]["customers"]["items"]
            if (term in item["fullName"].lower() or term in item["email"].lower())
            and item["status"] == 1
        ),
        key=lambda item: item["email"].casefold(),
    )
    payload = await gateway.query(
        GRID_QUERY,
        {"filters": _grid_filters(f"keyword={term}&status=1&ob=email&od=asc&page=1&limit=50")},
    )
    got = payload["data"]["customers"]
    assert got["total"] == len(expected)
    assert [item["uuid"] for item in got["items"]] == [item["uuid"] for item in expected]
    assert [f["key"] for f in got["currentFilters"]] == [
        "keyword",
        "status",
        "ob",
        "od",
        "page",
        "limit",
    ]


async def test_grid_rows_match_what_evershop_itself_returns(gateway: Gateway) -> None:
    """For one source, the gateway's rows are EverShop's rows (ids prefixed, URLs absolute)."""
    emulator = gateway.emulators["evershop-main"]
    filters = _grid_filters("ob=created_at&od=desc&limit=30")
    async with _evershop(emulator) as evershop:
        login = await evershop.post("/api/user/tokens", json=emulator.connector_credentials())
        token = login.json()["data"]["accessToken"]
        answer = await evershop.post(
            "/api/admin/graphql",
            json={"query": GRID_QUERY, "variables": {"filters": filters}},
            headers={"authorization": f"Bearer {token}"},
        )
    upstream = answer.json()["data"]["customers"]
    ours = (
        await gateway.query(
            GRID_QUERY,
            {"filters": [*filters, {"key": "source", "operation": "eq", "value": "evershop-main"}]},
        )
    )["data"]["customers"]
    assert ours["total"] == upstream["total"]
    # Equal timestamps come in whatever order the database likes; the gateway orders them by id.
    theirs_by_uuid = {f"evershop-main:{item['uuid']}": item for item in upstream["items"]}
    assert [m["uuid"] for m in ours["items"]] == sorted(
        theirs_by_uuid, key=lambda uuid: (-int(theirs_by_uuid[uuid]["createdAt"]["value"]), uuid)
    )
    for mine in ours["items"]:
        theirs = theirs_by_uuid[mine["uuid"]]
        assert mine["editUrl"] == f"http://evershop-main.test{theirs['editUrl']}"
        assert mine["updateApi"] == f"http://evershop-main.test{theirs['updateApi']}"
        for field in ("customerId", "fullName", "email", "status", "createdAt"):
            assert mine[field] == theirs[field], field


async def test_edit_page_queries_run_unchanged(gateway: Gateway) -> None:
    grid = await gateway.query(GRID_QUERY, {"filters": _grid_filters("limit=1")})
    row = grid["data"]["customers"]["items"][0]
    literal = f'"{row["uuid"]}"'

    general = await gateway.query(GENERAL_QUERY % literal)
    assert "errors" not in general
    customer = general["data"]["customer"]
    assert customer["customerId"] == row["customerId"]
    assert customer["email"] == row["email"]
    assert customer["group"]["groupName"]

    combined = await gateway.query(EDIT_PAGE_COMBINED % {"id": literal})
    assert "errors" not in combined
    data = combined["data"]
    assert data["e1k2j3"] == customer
    assert data["e4l5m6"] == {"fullName": row["fullName"]}
    assert data["e7n8o9"] == data["e3r4s5"] == "/admin/customers"
    assert isinstance(data["e0p1q2"]["metaData"], dict)
    assert data["e0p1q2"]["updateMetafieldsApi"].endswith("/metafields")


async def test_new_customer_page_asks_for_a_null_id(gateway: Gateway) -> None:
    # customerNew: getContextValue("customerUuid", null) inlines null.
    payload = await gateway.query(GENERAL_QUERY % "null")
    assert payload == {"data": {"customer": None}, "extensions": payload["extensions"]}


async def test_current_page_works_unlike_evershop(gateway: Gateway) -> None:
    payload = await gateway.query(
        'query { customers(filters: [{key: "page", operation: eq, value: "2"}]) '
        "{ currentPage total items { uuid } } }"
    )
    assert payload["data"]["customers"]["currentPage"] == 2
    assert len(payload["data"]["customers"]["items"]) == 20


def _evershop(emulator: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url="http://evershop.test"
    )
