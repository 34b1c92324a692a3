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

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.server.settings import ApiKey, AuthSettings, Secret
from customer_gateway.text.collation import en_us_key
from tests.api.conftest import Gateway, running_gateway

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


# modules/customer/pages/admin/customerEdit+customerNew/OrderHistory.jsx
ORDER_HISTORY_QUERY = """
  query Query {
    customer(id: %s) {
      orders {
        orderNumber
        uuid
        editUrl
        createdAt {
          text
        }
        shipmentStatus {
          name
        }
        paymentStatus {
          name
        }
        grandTotal {
          text
        }
      }
    }
  }
"""


def _grid_filters(url_query: str, *, every: bool = False) -> list[dict[str, str]]:
    """EverShop's buildFilterFromUrl for `key=value` parameters: `eq`, or with `every` a
    repeated key as one `in` filter of the values joined by commas."""
    params = httpx.QueryParams(url_query)
    filters = []
    for key in dict.fromkeys(params.keys()):
        values = params.get_list(key) if every else [params[key]]
        operation = "in" if len(values) > 1 else "eq"
        filters.append({"key": key, "operation": operation, "value": ",".join(values)})
    return filters


async def test_grid_query_lists_every_evershop_source_by_customer_id_desc(gateway: Gateway) -> None:
    """Only EverShop sources: EverShop's own default order (customer_id DESC), merged."""
    payload = await gateway.query(GRID_QUERY, {"filters": _grid_filters("page=1&limit=20")})
    assert "errors" not in payload
    collection = payload["data"]["customers"]
    assert collection["total"] == 50  # 30 + 20
    items = collection["items"]
    assert len(items) == 20
    sources = {item["uuid"].split(":")[0] for item in items}
    assert sources == {"evershop-main", "evershop-outlet"}
    customer_ids = [item["customerId"] for item in items]
    assert customer_ids == sorted(customer_ids, reverse=True)
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
        key=lambda item: en_us_key(item["email"]),
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


# -- what the v2.2.1 admin sends (issue 14) -----------------------------------------------------


async def test_the_full_name_header_sorts_the_grid_by_name(gateway: Gateway) -> None:
    """The grid's "Full Name" header sends `ob=full_name` (EverShop's own sort map says `name`
    and ignores it); the gateway sorts by the name, as the header means."""
    payload = await gateway.query(
        GRID_QUERY, {"filters": _grid_filters("ob=full_name&od=desc&limit=50")}
    )
    assert "errors" not in payload, payload["errors"]
    items = payload["data"]["customers"]["items"]
    names = [item["fullName"] for item in items]
    assert names == sorted(names, key=en_us_key, reverse=True)
    assert payload["data"]["customers"]["currentFilters"][:2] == [
        {"key": "ob", "operation": "eq", "value": "full_name"},
        {"key": "od", "operation": "eq", "value": "desc"},
    ]
    assert "ignoredFilters" not in payload["extensions"]


async def test_unknown_url_parameters_are_ignored_and_reported(gateway: Gateway) -> None:
    """A tracking parameter or a bookmark in the grid's URL reaches the API as a filter."""
    url = "utm_source=newsletter&status=1&fbclid=Iw4R&ob=name&ob=email&keyword=a&keyword=b"
    payload = await gateway.query(GRID_QUERY, {"filters": _grid_filters(url, every=True)})
    assert "errors" not in payload, payload["errors"]
    plain = await gateway.query(GRID_QUERY, {"filters": _grid_filters("status=1")})
    assert payload["data"] == plain["data"]
    assert payload["extensions"]["ignoredFilters"] == [
        {"path": ["customers"], "key": "utm_source", "operation": "eq", "value": "newsletter",
         "reason": "unknown key"},
        {"path": ["customers"], "key": "fbclid", "operation": "eq", "value": "Iw4R",
         "reason": "unknown key"},
        {"path": ["customers"], "key": "ob", "operation": "in", "value": "name,email",
         "reason": "unsupported operation"},
        {"path": ["customers"], "key": "keyword", "operation": "in", "value": "a,b",
         "reason": "unsupported operation"},
    ]  # fmt: skip


async def test_strict_filters_per_request(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql",
        json={
            "query": GRID_QUERY,
            "variables": {"filters": _grid_filters("utm_source=x&status=1")},
            "extensions": {"strictFilters": True},
        },
    )
    payload = response.json()
    assert payload["data"] == {"customers": None}
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Unknown filter key 'utm_source'" in payload["errors"][0]["message"]


async def test_strict_filters_per_api_key() -> None:
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=5)}
    keys = (
        ApiKey("strict-client", Secret("s" * 24), strict_filters=True),
        ApiKey("admin-ui", Secret("a" * 24)),
    )
    async with running_gateway(emulators, auth=AuthSettings(api_keys=keys)) as gateway:
        body = {"query": GRID_QUERY, "variables": {"filters": _grid_filters("utm_source=x")}}
        strict = await gateway.client.post("/graphql", json=body, headers={"x-api-key": "s" * 24})
        assert strict.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        lenient = await gateway.client.post("/graphql", json=body, headers={"x-api-key": "a" * 24})
        assert lenient.json()["data"]["customers"]["total"] == 5
        assert lenient.json()["extensions"]["ignoredFilters"][0]["key"] == "utm_source"


async def test_an_empty_keyword_lists_everyone(gateway: Gateway) -> None:
    payload = await gateway.query(GRID_QUERY, {"filters": _grid_filters("keyword=&limit=5")})
    assert "errors" not in payload, payload["errors"]
    assert payload["data"]["customers"]["total"] == 50
    assert payload["data"]["customers"]["currentFilters"][0] == {
        "key": "keyword",
        "operation": "eq",
        "value": "",
    }


@pytest.mark.parametrize("limit", ["101", "150", "1000", "100000"])
async def test_every_limit_over_the_cap_gets_the_same_error(gateway: Gateway, limit: str) -> None:
    """The admin's page-size select offers 150 and 200; over `max_page_size` is one error,
    whatever the size (the cost estimate counts such a limit as the cap)."""
    payload = await gateway.query(GRID_QUERY, {"filters": _grid_filters(f"limit={limit}")})
    assert payload["data"] == {"customers": None}
    [error] = payload["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "Filter 'limit' is at most 100."


async def test_two_filters_on_one_key_push_down_only_the_first(gateway: Gateway) -> None:
    """EverShop applies the first filter of each key only; the gateway applies the rest."""
    emulator = gateway.emulators["evershop-main"]
    rows = emulator.customer_rows()
    expected = sum(1 for row in rows if "a" in row["email"] and "e" not in row["email"])
    filters = [
        {"key": "email", "operation": "like", "value": "%a%"},
        {"key": "email", "operation": "nlike", "value": "%e%"},
        {"key": "source", "operation": "eq", "value": "evershop-main"},
        {"key": "limit", "operation": "eq", "value": "100"},
    ]
    payload = await gateway.query(GRID_QUERY, {"filters": filters})
    assert payload["data"]["customers"]["total"] == expected
    [report] = [s for s in payload["extensions"]["sources"] if s["name"] == "evershop-main"]
    assert report["pushedDown"][:1] == ["email like"]
    assert "email nlike" in report["appliedByGateway"]
    both = [
        {"key": "status", "operation": "eq", "value": "0"},
        {"key": "status", "operation": "eq", "value": "1"},
    ]
    assert (await gateway.query(GRID_QUERY, {"filters": both}))["data"]["customers"]["total"] == 0


async def test_the_edit_page_takes_evershops_bare_uuid(gateway: Gateway) -> None:
    """The edit page inlines the customer's own uuid (/admin/customers/edit/<uuid>)."""
    emulator = gateway.emulators["evershop-outlet"]
    row = emulator.customer_rows()[3]
    payload = await gateway.query(GENERAL_QUERY % f'"{row["uuid"]}"')
    assert "errors" not in payload, payload["errors"]
    assert payload["data"]["customer"]["customerId"] == row["customer_id"]
    assert payload["data"]["customer"]["email"] == row["email"]
    unknown = await gateway.query(GENERAL_QUERY % '"00000000-0000-4000-8000-000000000000"')
    assert unknown["data"] == {"customer": None}
    assert "errors" not in unknown


async def test_a_bare_uuid_held_by_two_evershop_sources_is_ambiguous() -> None:
    main, outlet = EverShopEmulator(seed=1, customers=2), EverShopEmulator(seed=1, customers=2)
    shared = main.customer_rows()[0]["uuid"]
    assert outlet.customer_rows()[0]["uuid"] == shared  # same seed, same uuids
    async with running_gateway({"evershop-main": main, "evershop-outlet": outlet}) as gateway:
        payload = await gateway.query(GENERAL_QUERY % f'"{shared}"')
    assert payload["data"] == {"customer": None}
    [error] = payload["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "id"
    assert "evershop-main, evershop-outlet" in error["message"]


async def test_the_order_history_query_runs_unchanged(gateway: Gateway) -> None:
    emulator = gateway.emulators["evershop-main"]
    row = emulator.customer_rows()[0]
    stamp = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    first = emulator.add_order(
        row["customer_id"], order_number="10001", grand_total=1234.5, created_at=stamp
    )
    emulator.add_order(
        row["customer_id"],
        order_number="10002",
        grand_total=19,
        payment_status="paid",
        shipment_status="delivered",
        created_at=stamp,
    )
    payload = await gateway.query(ORDER_HISTORY_QUERY % f'"{row["uuid"]}"')
    assert "errors" not in payload, payload["errors"]
    orders = payload["data"]["customer"]["orders"]
    assert orders[0] == {
        "orderNumber": "10001",
        "uuid": f"evershop-main:{first['uuid']}",
        "editUrl": f"http://evershop-main.test/admin/order/edit/{first['uuid']}",
        "createdAt": {"text": "Mar 1, 2024"},
        "shipmentStatus": {"name": "Pending"},
        "paymentStatus": {"name": "Pending"},
        "grandTotal": {"text": "$1,234.50"},
    }
    assert (orders[1]["grandTotal"], orders[1]["paymentStatus"], orders[1]["shipmentStatus"]) == (
        {"text": "$19.00"},
        {"name": "Paid"},
        {"name": "Delivered"},
    )
    other = emulator.customer_rows()[1]
    empty = await gateway.query(ORDER_HISTORY_QUERY % f'"{other["uuid"]}"')
    assert empty["data"] == {"customer": {"orders": []}}
