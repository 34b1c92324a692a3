"""The gateway end to end against the real EverShop 2.2.1.

EverShop's own admin queries (the customer grid and the edit page, copied from its source in
tests/api/test_evershop_admin.py) go once through the gateway and once straight to EverShop, for
the same customers; the answers are compared field by field. Where EverShop 2.2.1 is broken
(`currentPage` fails the whole query, `currentFilters` repeats `limit`/`page`, a keyword combined
with other filters escapes them), the gateway's answer is checked against what EverShop should
have said. The customers are seeded straight into EverShop's tables (SQL); writes go through the
gateway's mutations to EverShop's REST API (from 127.0.0.1: a few, within the 8-per-15-minutes
registration limit).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from customer_gateway.features.checks import COLLATION_MISMATCH, check_sources
from customer_gateway.server.settings import Secret, Settings, SourceSettings
from tests.api.conftest import Gateway, running_gateway
from tests.api.test_evershop_admin import (
    EDIT_PAGE_COMBINED,
    GENERAL_QUERY,
    GRID_QUERY,
    ORDER_HISTORY_QUERY,
)
from tests.evershop_real.expect import data
from tests.evershop_real.shops import (
    Config,
    Order,
    Person,
    RealShop,
    Seeded,
    next_client_address,
)

pytestmark = pytest.mark.anyio

SOURCE = "evershop"
T0 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
ADDRESS = {
    "full_name": "Jana Nováková",
    "telephone": "+420 601 234 567",
    "address_1": "Národní 1",
    "address_2": "byt 3",
    "postcode": "110 00",
    "city": "Praha",
    "province": "CZ-10",
    "country": "CZ",
    "is_default": True,
}
_PEOPLE = [
    ("jana.novakova@example.cz", "Jana Nováková", 1, 1, [ADDRESS]),
    ("oyvind@example.no", "Øyvind Løken", 1, 2, []),
    ("john.smith@example.com", "John A. Smith", 0, 3, []),
    ("JANE.DOE@example.com", "Jane Doe", 1, 1,
     [{**ADDRESS, "full_name": "Jane Doe", "country": "US", "province": "US-CA",
       "city": "Los Angeles", "is_default": False}]),
    ("p_r@example.com", "Petr 100% Svoboda", 0, 2, []),
    ("zed@example.org", "zed", 1, 1, []),
    ("adam@example.org", "Adam Ödegård", 1, 3, []),
    ("ann.lee@example.com", "Ann Lee", 1, 1, []),
    ("anne@example.com", "Anne", 0, 1, []),
    *((f"bulk{index:02d}@example.com", f"Bulk Customer {index:02d}", index % 2, 1, [])
      for index in range(16)),
]  # fmt: skip
# created_at does not follow customer_id, as in a shop with imported or back-dated customers:
# EverShop's default order (customer_id DESC) is then not newest first
PEOPLE = [
    Person(email, name, status, group, T0 + timedelta(hours=(index * 7) % 23), addresses)
    for index, (email, name, status, group, addresses) in enumerate(_PEOPLE)
]


@pytest.fixture
def evershop(config: Config) -> RealShop:
    shop = RealShop(config, next_client_address())
    shop.reset()
    return shop


@pytest.fixture
def seeded(evershop: RealShop) -> list[Seeded]:
    return evershop.add_customers(PEOPLE)


def collation_of(shop: RealShop) -> str:
    """The database's collation as the source setting names it."""
    return "en_US" if shop.collation().lower().startswith("en_us") else "C"


@pytest.fixture
async def gateway(config: Config, evershop: RealShop) -> AsyncIterator[Gateway]:
    source = SourceSettings(
        name=SOURCE,
        kind="evershop",
        base_url=config.url,
        credentials={
            "email": Secret(config.admin_email),
            "password": Secret(config.admin_password),
        },
        collation=collation_of(evershop),
    )
    try:
        # max_page_size 200: the largest size the admin's page-size select offers
        async with running_gateway({}, sources=(source,), max_page_size=200) as running:
            yield running
    finally:
        await evershop.aclose()


OPERATIONS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like", "nlike", "in", "nin")


def grid_filters(url_query: str) -> list[dict[str, str]]:
    """EverShop's buildFilterFromUrl (lib/util/buildFilterFromUrl.ts), restated: `key=value` is
    `eq`, a repeated key one `in` of the values joined by commas, `key[operation]=op` with
    `key[value]=v` that operation (when it is one of EverShop's ten), in URL order."""
    params = httpx.QueryParams(url_query)
    filters: list[dict[str, str]] = []
    processed: set[str] = set()
    for key, value in params.multi_items():
        if "[operation]" in key:
            name = key.replace("[operation]", "")
            given = params.get(f"{name}[value]")
            if given and value in OPERATIONS:
                filters.append({"key": name, "operation": value, "value": given})
                processed.add(name)
        elif "[value]" not in key and key not in processed:
            values = params.get_list(key)
            operation = "in" if len(values) > 1 else "eq"
            filters.append({"key": key, "operation": operation, "value": ",".join(values)})
            processed.add(key)
    return filters


async def upstream(shop: RealShop, query: str, variables: Any = None) -> dict[str, Any]:
    result: dict[str, Any] = data(await shop.gql(query, variables))
    return result


async def through(gateway: Gateway, query: str, variables: Any = None) -> dict[str, Any]:
    payload = await gateway.query(query, variables)
    assert "errors" not in payload, payload["errors"]
    result: dict[str, Any] = payload["data"]
    return result


def assert_same_grid_rows(
    ours: list[dict[str, Any]], theirs: list[dict[str, Any]], base_url: str
) -> None:
    assert len(ours) == len(theirs)
    for mine, upstream_row in zip(ours, theirs, strict=True):
        assert mine["uuid"] == f"{SOURCE}:{upstream_row['uuid']}"
        assert mine["editUrl"] == f"{base_url}{upstream_row['editUrl']}"
        assert mine["updateApi"] == f"{base_url}{upstream_row['updateApi']}"
        for field in ("customerId", "fullName", "email", "status", "createdAt"):
            assert mine[field] == upstream_row[field], (field, mine, upstream_row)


def fixed_current_filters(theirs: list[dict[str, str]]) -> dict[str, tuple[str, str]]:
    """EverShop's currentFilters without its repeats: the first entry of each key applies."""
    fixed: dict[str, tuple[str, str]] = {}
    for item in theirs:
        fixed.setdefault(item["key"], (item["operation"], item["value"]))
    return fixed


SORT_FIELDS = {
    "name": "fullName",
    "email": "email",
    "status": "status",
    "created_at": "createdAt",
    None: "customerId",
}


def settled_page(rows: list[dict[str, Any]], filters: list[dict[str, str]]) -> list[dict[str, Any]]:
    """EverShop's whole order with its ties (rows whose sort value is equal) put in uuid order,
    then the page: what the gateway promises (Postgres orders ties differently for every LIMIT,
    so EverShop's own pages over ties repeat or skip customers)."""
    given = {item["key"]: item["value"] for item in filters if item["operation"] == "eq"}
    field = SORT_FIELDS.get(given.get("ob"), "customerId")
    settled: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []
    for row in [*rows, None]:
        if row is None or (group and row[field] != group[0][field]):
            settled.extend(sorted(group, key=lambda item: str(item["uuid"])))
            group = []
        if row is not None:
            group.append(row)
    page, limit = int(given.get("page", "1")), int(given.get("limit", "20"))
    return settled[(page - 1) * limit : page * limit]


# Every URL parameter EverShop 2.2.1's customer grid sends (customerGrid/Grid.jsx, the
# SortableHeader, GridPagination and its page-size select), and what a URL can carry besides
# (EverShop turns any parameter into a filter: buildFilterFromUrl). Each entry: the grid's URL
# query, and the URL whose EverShop answer the gateway must give (None: the same URL).
ADMIN_URLS: list[tuple[str, str | None]] = [
    ("", None),  # the grid as opened: customer_id DESC, 20 a page
    # the search box (Enter) and the status select
    ("keyword=jan", None),
    ("keyword=ANN", None),
    ("keyword=example.org&limit=50", None),
    ("keyword=", None),  # a cleared box left in the URL: everyone
    ("status=1", None),
    ("status=0", None),
    ("status=1&keyword=an", "keyword=an&status=1&__keyword_alone__"),  # see below
    # the sortable headers: Full Name, Email, Status, Created At; a first click sends od=desc
    ("ob=full_name&od=desc", "ob=name&od=desc"),  # EverShop ignores its own header's key
    ("ob=full_name&od=asc", "ob=name&od=asc"),
    ("ob=email&od=desc", None),
    ("ob=email&od=asc", None),
    ("ob=status&od=desc", None),  # ties
    ("ob=status&od=asc&page=2&limit=10", None),
    ("ob=created_at&od=desc", None),
    ("ob=created_at&od=asc&limit=10&page=3", None),
    # pagination and the page-size select (50, 100, 150, 200; "10" when it has no value)
    ("page=2", None),
    ("page=2&limit=10", None),
    ("limit=10&page=3", None),
    ("limit=50", None),
    ("limit=100", None),
    ("limit=150", None),
    ("limit=200", None),
    (
        "keyword=bulk&status=0&ob=email&od=asc&page=2&limit=3",
        "keyword=bulk&status=0&ob=email&od=asc&page=2&limit=3&__keyword_alone__",
    ),
    # what else a URL carries: tracking parameters and bookmarks, ignored by both
    ("utm_source=newsletter&utm_medium=email", None),
    ("fbclid=IwAR0x&ob=email", None),
    ("od=Desc&ob=email", None),  # neither ASC, DESC, asc nor desc: ignored by both
    ("ob=customer_id", None),  # not a sort key: ignored by both
    # a repeated parameter becomes one `in` filter
    ("keyword=jan&keyword=ann", None),  # keyword takes eq only: ignored by both
    ("ob=email&ob=name", None),  # ob takes eq only: ignored by both
    ("status=0&status=1", None),  # EverShop ignores `status in`; the gateway applies it: all
    # the bracket form
    ("email[operation]=like&email[value]=%25.org", None),
    ("full_name[operation]=nlike&full_name[value]=bulk", None),
    ("email[operation]=eq&email[value]=zed@example.org", None),
]


def _alone(url_query: str) -> bool:
    return "__keyword_alone__" in url_query


@pytest.mark.parametrize(("url_query", "evershops"), ADMIN_URLS)
async def test_the_admin_grid_through_the_gateway_is_evershops_grid(
    gateway: Gateway,
    evershop: RealShop,
    seeded: list[Seeded],
    url_query: str,
    evershops: str | None,
) -> None:
    filters = grid_filters(url_query)
    reference = grid_filters((evershops or url_query).replace("&__keyword_alone__", ""))
    ours_payload = await gateway.query(GRID_QUERY, {"filters": filters})
    assert "errors" not in ours_payload, ours_payload["errors"]
    ours = ours_payload["data"]["customers"]
    paging = [item for item in reference if item["key"] in ("page", "limit")]
    rest = [item for item in reference if item["key"] not in ("page", "limit")]
    everything = [*rest, {"key": "limit", "operation": "eq", "value": "1000"}]
    whole = (await upstream(evershop, GRID_QUERY, {"filters": everything}))["customers"]
    rows = whole["items"]
    if evershops is not None and _alone(evershops):
        # EverShop ORs the keyword past the other filters (documented); what it should answer
        # is its keyword-alone answer, filtered
        keyword_only = [item for item in rest if item["key"] in ("keyword", "ob", "od")]
        alone = [*keyword_only, {"key": "limit", "operation": "eq", "value": "1000"}]
        rows = (await upstream(evershop, GRID_QUERY, {"filters": alone}))["customers"]["items"]
        status = next(item["value"] for item in rest if item["key"] == "status")
        rows = [row for row in rows if str(row["status"]) == status]
    expected = settled_page(rows, [*rest, *paging])
    assert ours["total"] == len(rows)
    assert_same_grid_rows(ours["items"], expected, evershop.config.url)
    # currentFilters: each applied filter once, in the order given; page and limit always
    ignored = {item["key"] for item in ours_payload["extensions"].get("ignoredFilters", [])}
    applied = [item["key"] for item in filters if item["key"] not in ignored]
    assert [item["key"] for item in ours["currentFilters"]] == [
        *applied,
        *[key for key in ("page", "limit") if key not in applied],
    ]
    if evershops is None:
        # the same URL on EverShop: the same filters apply (ignored ones are reported here)
        theirs = (await upstream(evershop, GRID_QUERY, {"filters": filters}))["customers"]
        assert ours["total"] == theirs["total"]
        assert fixed_current_filters(theirs["currentFilters"]).keys() - {"page", "limit"} <= (
            {item["key"] for item in ours["currentFilters"]}
        )


async def test_keyword_with_other_filters_is_what_evershop_should_answer(
    gateway: Gateway, evershop: RealShop, seeded: list[Seeded]
) -> None:
    """EverShop ORs the keyword without parentheses, so a name match escapes `status`; the
    gateway sends the keyword alone and applies the rest itself."""
    keyword_only = (
        await upstream(evershop, GRID_QUERY, {"filters": grid_filters("keyword=a&limit=100")})
    )["customers"]
    broken = (
        await upstream(
            evershop, GRID_QUERY, {"filters": grid_filters("keyword=a&status=0&limit=100")}
        )
    )["customers"]
    expected = [item for item in keyword_only["items"] if item["status"] == 0]
    assert broken["total"] != len(expected)  # EverShop's own answer is wrong here
    ours = (
        await through(
            gateway, GRID_QUERY, {"filters": grid_filters("keyword=a&status=0&limit=100")}
        )
    )["customers"]
    assert ours["total"] == len(expected)
    assert_same_grid_rows(ours["items"], expected, evershop.config.url)


async def test_current_page_fails_on_evershop_and_works_through_the_gateway(
    gateway: Gateway, evershop: RealShop, seeded: list[Seeded]
) -> None:
    query = (
        'query { customers(filters: [{key: "page", operation: eq, value: "2"},'
        ' {key: "limit", operation: eq, value: "10"}]) { currentPage total items { uuid } } }'
    )
    failed = await evershop.gql(query)
    assert failed.status_code == 500
    assert failed.json() == {
        "error": {
            "status": 500,
            "message": "Cannot return null for non-nullable field CustomerCollection.currentPage.",
        }
    }
    ours = (await through(gateway, query))["customers"]
    assert (ours["currentPage"], ours["total"], len(ours["items"])) == (2, len(PEOPLE), 10)


async def test_the_edit_page_queries_through_the_gateway_are_evershops(
    gateway: Gateway, evershop: RealShop, seeded: list[Seeded]
) -> None:
    for customer in (seeded[0], seeded[2], seeded[6]):
        theirs = await upstream(evershop, GENERAL_QUERY % f'"{customer.uuid}"')
        ours = await through(gateway, GENERAL_QUERY % f'"{SOURCE}:{customer.uuid}"')
        assert ours == theirs
        # the edit page's own id: EverShop's bare uuid (/admin/customers/edit/<uuid>)
        assert await through(gateway, GENERAL_QUERY % f'"{customer.uuid}"') == theirs
        combined_theirs = await upstream(
            evershop, EDIT_PAGE_COMBINED % {"id": f'"{customer.uuid}"'}
        )
        combined_ours = await through(gateway, EDIT_PAGE_COMBINED % {"id": f'"{customer.uuid}"'})
        for alias in ("e1k2j3", "e4l5m6"):
            assert combined_ours[alias] == combined_theirs[alias]
        assert combined_ours["e0p1q2"]["metaData"] == combined_theirs["e0p1q2"]["metaData"]
        assert combined_ours["e0p1q2"]["updateMetafieldsApi"] == (
            f"{evershop.config.url}{combined_theirs['e0p1q2']['updateMetafieldsApi']}"
        )
        # EverShop 2.2.1 prefixes its home URL; the gateway, which serves no admin pages,
        # answers the route's path
        for alias in ("e7n8o9", "e3r4s5"):
            assert combined_theirs[alias].endswith(combined_ours[alias])
    assert await through(gateway, GENERAL_QUERY % "null") == await upstream(
        evershop, GENERAL_QUERY % "null"
    )


async def test_the_order_history_through_the_gateway_is_evershops(
    gateway: Gateway, evershop: RealShop, seeded: list[Seeded]
) -> None:
    """The edit page's order history, with the page's bare uuid: EverShop's answer, the order
    uuids prefixed with the source and the edit URLs absolute."""
    customer = seeded[1]
    evershop.add_orders(
        customer,
        [Order("20001", 54.3), Order("20002", 1200, "paid", "shipped", T0)],
    )
    counts = []
    for who in (seeded[1], seeded[2]):
        theirs = await upstream(evershop, ORDER_HISTORY_QUERY % f'"{who.uuid}"')
        ours = await through(gateway, ORDER_HISTORY_QUERY % f'"{who.uuid}"')
        expected = [
            {
                **order,
                "uuid": f"{SOURCE}:{order['uuid']}",
                "editUrl": f"{evershop.config.url}{order['editUrl']}",
            }
            for order in theirs["customer"]["orders"]
        ]
        assert ours == {"customer": {"orders": expected}}
        counts.append(len(expected))
    assert counts == [2, 0]


CUSTOMER_DETAIL = """query($id: String) { customer(id: $id) {
  customerId uuid status email fullName createdAt { value text } urn metaData
  group { customerGroupId groupName }
  addresses { uuid fullName telephone address1 address2 postcode city isDefault
              country { code name } province { code name } }
} }"""


async def test_a_customer_with_addresses_reads_the_same(
    gateway: Gateway, evershop: RealShop, seeded: list[Seeded]
) -> None:
    for customer in (seeded[0], seeded[3], seeded[1]):
        theirs = (await upstream(evershop, CUSTOMER_DETAIL, {"id": customer.uuid}))["customer"]
        ours = (await through(gateway, CUSTOMER_DETAIL, {"id": f"{SOURCE}:{customer.uuid}"}))[
            "customer"
        ]
        assert ours["uuid"] == f"{SOURCE}:{theirs['uuid']}"
        for field in ("customerId", "status", "email", "fullName", "createdAt", "urn", "metaData"):
            assert ours[field] == theirs[field], field
        assert ours["group"]["customerGroupId"] == theirs["group"]["customerGroupId"]
        assert ours["group"]["groupName"] == theirs["group"]["groupName"]
        assert len(ours["addresses"]) == len(theirs["addresses"])
        for mine, address in zip(ours["addresses"], theirs["addresses"], strict=True):
            for field in ("fullName", "telephone", "address1", "address2", "postcode", "city",
                          "isDefault", "country", "province"):  # fmt: skip
                assert mine[field] == address[field], field


async def test_customer_groups_read_the_same(
    gateway: Gateway, evershop: RealShop, seeded: list[Seeded]
) -> None:
    query = "{ customerGroups { total items { customerGroupId groupName } } }"
    theirs = (await upstream(evershop, query))["customerGroups"]
    ours = (await through(gateway, query))["customerGroups"]
    assert ours == theirs


CREATE = """mutation($input: CustomerCreateInput!) {
  createCustomer(source: "evershop", input: $input) {
    uuid nativeId customerId email fullName status group { customerGroupId groupName } } }"""
UPDATE = """mutation($id: String!, $input: CustomerUpdateInput!) {
  updateCustomer(id: $id, input: $input) { uuid email fullName status group { groupName } } }"""
DELETE = "mutation($id: String!) { deleteCustomer(id: $id) { uuid } }"


def error_code(payload: dict[str, Any]) -> str:
    assert len(payload["errors"]) == 1, payload
    code: str = payload["errors"][0]["extensions"]["code"]
    return code


async def test_writes_through_the_gateway_land_in_evershop(
    gateway: Gateway, evershop: RealShop, seeded: list[Seeded]
) -> None:
    created = (
        await through(
            gateway,
            CREATE,
            {
                "input": {
                    "email": "ada@example.com",
                    "fullName": "Ada Lovelace",
                    "password": "engine-1",
                }
            },
        )
    )["createCustomer"]
    assert created["uuid"] == f"{SOURCE}:{created['nativeId']}"
    assert (created["customerId"], created["email"], created["fullName"], created["status"]) == (
        len(PEOPLE) + 1,
        "ada@example.com",
        "Ada Lovelace",
        1,
    )
    row = next(row for row in evershop.customer_rows() if row["uuid"] == created["nativeId"])
    assert (row["email"], row["full_name"], row["group_id"]) == (
        "ada@example.com",
        "Ada Lovelace",
        1,
    )

    updated = (
        await through(
            gateway, UPDATE, {"id": created["uuid"], "input": {"fullName": "Ada King", "status": 0}}
        )
    )["updateCustomer"]
    assert (updated["fullName"], updated["status"]) == ("Ada King", 0)
    row = next(row for row in evershop.customer_rows() if row["uuid"] == created["nativeId"])
    assert (row["full_name"], row["status"]) == ("Ada King", 0)

    duplicate = await gateway.query(
        CREATE, {"input": {"email": "ada@example.com", "fullName": "Ada", "password": "engine-1"}}
    )
    assert error_code(duplicate) == "CONFLICT"

    deleted = (await through(gateway, DELETE, {"id": created["uuid"]}))["deleteCustomer"]
    assert deleted["uuid"] == created["uuid"]
    assert all(row["uuid"] != created["nativeId"] for row in evershop.customer_rows())
    gone = await gateway.query(DELETE, {"id": created["uuid"]})
    assert error_code(gone) == "NOT_FOUND"


async def test_write_errors_are_typed(
    gateway: Gateway, evershop: RealShop, seeded: list[Seeded]
) -> None:
    vip = seeded[2]  # group 3: EverShop's PATCH would silently move them to Default
    refused = await gateway.query(
        UPDATE, {"id": f"{SOURCE}:{vip.uuid}", "input": {"fullName": "X"}}
    )
    assert error_code(refused) == "UNSUPPORTED_OPERATION"
    unknown = await gateway.query(
        UPDATE, {"id": f"{SOURCE}:00000000-0000-4000-8000-000000000000", "input": {"fullName": "X"}}
    )
    assert error_code(unknown) == "NOT_FOUND"
    bad_email = await gateway.query(
        CREATE, {"input": {"email": "ada@example", "fullName": "Ada", "password": "engine-1"}}
    )
    assert error_code(bad_email) == "BAD_USER_INPUT"
    assert [row["full_name"] for row in evershop.customer_rows() if row["uuid"] == vip.uuid] == [
        "John A. Smith"
    ]


async def test_check_tells_the_databases_collation(
    config: Config, evershop: RealShop, seeded: list[Seeded]
) -> None:
    """`customer-gateway check` asks EverShop to sort what it holds: the right setting passes,
    the other one is a mismatch that names the right one."""
    actual = collation_of(evershop)
    other = "C" if actual == "en_US" else "en_US"
    source = SourceSettings(
        name=SOURCE,
        kind="evershop",
        base_url=config.url,
        credentials={
            "email": Secret(config.admin_email),
            "password": Secret(config.admin_password),
        },
    )
    right = await check_sources(Settings(sources=(replace(source, collation=actual),)))
    assert [(r.status, r.collation) for r in right] == [
        ("ok", f"{actual} (its order fits {actual} only)")
    ]
    wrong = await check_sources(Settings(sources=(replace(source, collation=other),)))
    assert [(r.status, r.collation) for r in wrong] == [
        (COLLATION_MISMATCH, f'mismatch: it sorts as {actual}; set collation = "{actual}"')
    ]


async def test_readiness_logs_in_to_evershop(gateway: Gateway) -> None:
    ready = await gateway.client.get("/readyz")
    assert ready.status_code == 200, ready.text
