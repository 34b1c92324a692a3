"""Contract tests for the EverShop emulator's admin GraphQL (`/api/admin/graphql`).

The data set is built with `add_customer` so each expectation is written out by hand; sources:
`modules/customer/services/registerDefaultCustomerCollectionFilters.js`,
`lib/util/defaultPaginationFilters.js`, `modules/graphql/services/graphqlMiddleware.js` and
section 4.6 of /work/shared/upstreams/README.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from tests import evershop_cases as cases

BASE_URL = "http://evershop.test"
T0 = datetime(2023, 2, 7, 14, 18, 5, tzinfo=UTC)  # epoch ms 1675779485000

# (email, full_name, status, group) in insertion order: customer_id 1..8
PEOPLE: list[tuple[str, str | None, int, int]] = [
    ("jana.novakova@example.cz", "Jana Nováková", 1, 1),
    ("oyvind@example.no", "Øyvind Løken", 1, 2),
    ("john.smith@example.com", "John A. Smith", 0, 3),
    ("JANE.DOE@example.com", "Jane Doe", 1, 1),
    ("p_r@example.com", "Petr 100% Svoboda", 0, 2),
    ("zed@example.org", "zed", 1, 1),
    ("adam@example.org", "Adam Ödegård", 1, 3),
    ("no.name@example.com", None, 1, 1),
]


@pytest.fixture
def emulator() -> EverShopEmulator:
    shop = EverShopEmulator(customers=0, rate_limits=False)
    for index, (email, name, status, group) in enumerate(PEOPLE):
        shop.add_customer(
            email=email,
            full_name=name,
            status=status,
            group_id=group,
            created_at=T0 + timedelta(days=index // 2),  # pairs share a timestamp
        )
    return shop


@pytest.fixture
async def client(emulator: EverShopEmulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        tokens = await http.post(
            "/api/user/tokens", json={"email": "admin@example.com", "password": "admin-password"}
        )
        http.headers["Authorization"] = f"Bearer {tokens.json()['data']['accessToken']}"
        yield http


async def gql(client: httpx.AsyncClient, query: str, variables: Any = None) -> httpx.Response:
    return await client.post("/api/admin/graphql", json={"query": query, "variables": variables})


async def ids(client: httpx.AsyncClient, *filters: tuple[str, str, str]) -> list[int]:
    response = await gql(
        client,
        "query($f:[FilterInput]){customers(filters:$f){items{customerId}}}",
        {"f": [{"key": key, "operation": op, "value": value} for key, op, value in filters]},
    )
    assert response.status_code == 200, response.text
    return [item["customerId"] for item in response.json()["data"]["customers"]["items"]]


async def collection(client: httpx.AsyncClient, filters: list[dict[str, Any]]) -> dict[str, Any]:
    response = await gql(
        client,
        "query($f:[FilterInput]){customers(filters:$f){total currentFilters{key operation value}"
        " items{customerId}}}",
        {"f": filters},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["data"]["customers"]
    return result


def page_filter(value: Any, key: str = "page") -> dict[str, Any]:
    return {"key": key, "operation": "eq", "value": value}


def error(message: str) -> dict[str, Any]:
    return {"error": {"status": 500, "message": message}}


@pytest.mark.anyio
async def test_default_listing_is_newest_id_first_with_a_page_of_twenty() -> None:
    shop = EverShopEmulator(customers=25, rate_limits=False)
    transport = httpx.ASGITransport(app=shop.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        tokens = await http.post(
            "/api/user/tokens", json={"email": "admin@example.com", "password": "admin-password"}
        )
        http.headers["Authorization"] = f"Bearer {tokens.json()['data']['accessToken']}"
        result = await collection(http, [])
    assert result["total"] == 25
    assert [item["customerId"] for item in result["items"]] == list(range(25, 5, -1))
    assert result["currentFilters"] == [
        {"key": "page", "operation": "eq", "value": "1"},
        {"key": "limit", "operation": "eq", "value": "20"},
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("filters", "expected_ids", "current"),
    [
        ([page_filter("2"), page_filter("3", "limit")], [5, 4, 3],
         [("page", "2"), ("limit", "3"), ("page", "1")]),
        # without `page`, the limit callback pushes its entry twice
        ([page_filter("3", "limit")], [8, 7, 6],
         [("limit", "3"), ("limit", "3"), ("page", "1")]),
        ([page_filter("2")], [], [("page", "2"), ("page", "1"), ("limit", "20")]),
        ([page_filter("abc")], [8, 7, 6, 5, 4, 3, 2, 1],
         [("page", "1"), ("page", "1"), ("limit", "20")]),
        ([page_filter("0", "limit")], [8, 7, 6, 5, 4, 3, 2, 1],
         [("limit", "20"), ("page", "1")]),
        # parseInt semantics: "2abc" is 2
        ([page_filter(" 2abc", "limit"), page_filter("2")], [6, 5],
         [("page", "2"), ("limit", " 2abc"), ("page", "1")]),
        # `limit` is not capped
        ([page_filter("1000", "limit")], [8, 7, 6, 5, 4, 3, 2, 1],
         [("limit", "1000"), ("limit", "1000"), ("page", "1")]),
    ],
)  # fmt: skip
async def test_paging_filters(
    client: httpx.AsyncClient,
    filters: list[dict[str, Any]],
    expected_ids: list[int],
    current: list[tuple[str, str]],
) -> None:
    result = await collection(client, filters)
    assert result["total"] == 8
    assert [item["customerId"] for item in result["items"]] == expected_ids
    assert [(item["key"], item["value"]) for item in result["currentFilters"]] == current
    assert {item["operation"] for item in result["currentFilters"]} == {"eq"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([("keyword", "eq", "JAN")], [4, 1]),  # full_name OR email, ILIKE %v%
        ([("keyword", "eq", "ø")], [2]),  # case-insensitive beyond ASCII ("Ø"), "Ö" is different
        ([("keyword", "eq", "100%")], [5]),  # `%` stays a wildcard
        ([("keyword", "eq", "p_r")], [5]),
        ([("keyword", "eq", "p\\_r")], [5]),
        ([("full_name", "like", "smith")], [3]),
        ([("full_name", "nlike", "a")], [6, 2]),  # NULL full_name matches neither like nor nlike
        ([("email", "eq", "jane.doe@example.com")], []),  # exact and case-sensitive
        ([("email", "eq", "JANE.DOE@example.com")], [4]),
        ([("email", "like", "%@example.org")], [7, 6]),  # raw pattern, no % added
        ([("email", "like", "jane.doe@EXAMPLE.com")], [4]),
        ([("email", "nlike", "%.com")], [7, 6, 2, 1]),
        ([("status", "eq", "0")], [5, 3]),
        ([("status", "eq", " 1 ")], [8, 7, 6, 4, 2, 1]),
        ([("status", "eq", "abc")], []),  # 22P02 -> SelectQuery.execute answers no rows
        ([("full_name", "eq", "zed")], [8, 7, 6, 5, 4, 3, 2, 1]),  # op not allowed: ignored
        ([("email", "neq", "zed@example.org")], [8, 7, 6, 5, 4, 3, 2, 1]),
        ([("status", "eq", "1"), ("full_name", "like", "a")], [7, 4, 1]),
    ],
)
async def test_row_filters(
    client: httpx.AsyncClient, filters: list[tuple[str, str, str]], expected: list[int]
) -> None:
    assert await ids(client, *filters) == expected


@pytest.mark.anyio
async def test_keyword_or_binds_looser_than_later_filters(client: httpx.AsyncClient) -> None:
    # WHERE (full_name ILIKE $1 OR email ILIKE $2 AND (status = $3)): a name match skips status.
    assert await ids(client, ("keyword", "eq", "example.c"), ("status", "eq", "0")) == [5, 3]
    assert await ids(client, ("keyword", "eq", "jana"), ("status", "eq", "0")) == [1]


@pytest.mark.anyio
async def test_total_counts_all_matches_and_current_filters_echo_applied_filters(
    client: httpx.AsyncClient,
) -> None:
    result = await collection(
        client,
        [
            {"key": "limit", "operation": "eq", "value": "1"},
            {"key": "email", "operation": "like", "value": "%.com"},
            {"key": "full_name", "operation": "eq", "value": "ignored"},
            {"key": "od", "operation": "eq", "value": "asc"},
        ],
    )
    assert result["total"] == 4
    assert [item["customerId"] for item in result["items"]] == [3]
    assert result["currentFilters"] == [
        {"key": "email", "operation": "like", "value": "%.com"},
        {"key": "od", "operation": "eq", "value": "asc"},
        {"key": "limit", "operation": "eq", "value": "1"},
        {"key": "limit", "operation": "eq", "value": "1"},
        {"key": "page", "operation": "eq", "value": "1"},
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([("ob", "eq", "email")], [7, 1, 4, 3, 8, 2, 5, 6]),  # en_US: case-insensitive first
        ([("ob", "eq", "email"), ("od", "eq", "DESC")], [6, 5, 2, 8, 3, 4, 1, 7]),
        # ties come out in the order Postgres's (unstable) quicksort leaves them
        ([("ob", "eq", "status")], [5, 3, 4, 6, 7, 1, 8, 2]),
        ([("ob", "eq", "created_at"), ("od", "eq", "desc")], [7, 8, 5, 6, 3, 4, 1, 2]),
        ([("od", "eq", "asc")], [1, 2, 3, 4, 5, 6, 7, 8]),  # direction of customer_id
        ([("od", "eq", "Asc")], [8, 7, 6, 5, 4, 3, 2, 1]),  # only ASC/DESC/asc/desc count
        ([("ob", "eq", "customer_id")], [8, 7, 6, 5, 4, 3, 2, 1]),  # unknown sort: ignored
        ([("ob", "eq", "name"), ("status", "eq", "1")], [7, 1, 4, 2, 6, 8]),  # NULLs last
        ([("ob", "eq", "name"), ("od", "eq", "desc"), ("status", "eq", "1")], [8, 6, 2, 4, 1, 7]),
    ],
)
async def test_ordering(
    client: httpx.AsyncClient, filters: list[tuple[str, str, str]], expected: list[int]
) -> None:
    assert await ids(client, *filters) == expected


@pytest.mark.anyio
async def test_c_collation_orders_by_code_point() -> None:
    shop = EverShopEmulator(customers=0, rate_limits=False, collation="C")
    for index, name in enumerate(["Émile", "zed", "Adam", "adam"]):
        shop.add_customer(email=f"c{index}@example.com", full_name=name)
    transport = httpx.ASGITransport(app=shop.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        tokens = await http.post(
            "/api/user/tokens", json={"email": "admin@example.com", "password": "admin-password"}
        )
        http.headers["Authorization"] = f"Bearer {tokens.json()['data']['accessToken']}"
        assert await ids(http, ("ob", "eq", "name")) == [3, 4, 2, 1]


@pytest.mark.anyio
async def test_updated_rows_move_behind_their_ties(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    first = emulator.customer_rows()[0]
    response = await client.patch(f"/api/customers/{first['uuid']}", json={"status": 1})
    assert response.status_code == 200
    assert (await ids(client, ("ob", "eq", "created_at")))[:2] == [2, 1]


@pytest.mark.anyio
async def test_status_filter_out_of_smallint_range_fails_the_query(
    client: httpx.AsyncClient,
) -> None:
    response = await gql(
        client, '{customers(filters:[{key:"status",operation:eq,value:"99999"}]){total}}'
    )
    assert response.status_code == 500
    assert response.json() == error('value "99999" is out of range for type smallint')


@pytest.mark.anyio
@pytest.mark.parametrize(
    "value", ["abc\\", "%\\\\\\"]
)  # abc\ and %\\\: an odd number of backslashes at the end
async def test_an_email_pattern_ending_in_the_escape_character_fails_the_query(
    client: httpx.AsyncClient, value: str
) -> None:
    filters = [{"key": "email", "operation": "like", "value": value}]
    response = await gql(
        client, "query($f:[FilterInput]){customers(filters:$f){total}}", {"f": filters}
    )
    assert response.status_code == 500
    assert response.json() == error("LIKE pattern must not end with escape character")
    # Wrapped in %...% (full_name, keyword) the backslash escapes the last %: a valid pattern.
    assert await ids(client, ("full_name", "like", "abc\\")) == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (
            "query($f:[FilterInput]){customers(filters:$f){total}}",
            {"f": [{"key": "email", "operation": "eq", "value": "a\x00b@example.com"}]},
        ),
        (
            "query($f:[FilterInput]){customers(filters:$f){total}}",
            {"f": [{"key": "keyword", "operation": "eq", "value": "\x00"}]},
        ),
        ("query($id:String){customer(id:$id){uuid}}", {"id": "\x00"}),
    ],
    ids=["email eq", "keyword", "customer id"],
)
async def test_a_nul_in_any_parameter_fails_the_query(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any]
) -> None:
    # PostgreSQL's UTF-8 check of the Bind message, before any column type or row is involved
    # (so not the 22P02 that the query builder turns into an empty answer).
    response = await gql(client, query, variables)
    assert response.status_code == 500
    assert response.json() == error('invalid byte sequence for encoding "UTF8": 0x00')


@pytest.mark.anyio
async def test_customer_fields(client: httpx.AsyncClient, emulator: EverShopEmulator) -> None:
    row = emulator.customer_rows()[1]
    query = (
        "query($id:String){customer(id:$id){customerId uuid status email fullName"
        " createdAt{value text} group{customerGroupId groupName} urn editUrl updateApi deleteApi"
        " metaData updateMetafieldsApi addAddressApi updateProfileApi addresses{uuid}"
        ' metafields{key} metafield(namespace:"a",key:"b"){key}}}'
    )
    response = await gql(client, query, {"id": row["uuid"].upper()})
    assert response.status_code == 200
    uuid = row["uuid"]
    assert response.json() == {
        "data": {
            "customer": {
                "customerId": 2,
                "uuid": uuid,
                "status": 1,
                "email": "oyvind@example.no",
                "fullName": "Øyvind Løken",
                "createdAt": {"value": "1675779485000", "text": "Feb 7, 2023"},
                "group": {"customerGroupId": 2, "groupName": "Wholesale"},
                "urn": f"urn:evershop:customer:customer:{uuid}",
                "editUrl": f"/admin/customers/edit/{uuid}",
                "updateApi": f"/api/customers/{uuid}",
                "deleteApi": f"/api/customers/{uuid}",
                "metaData": {},
                "updateMetafieldsApi": f"/api/customers/{uuid}/metafields",
                "addAddressApi": "/api/customers/me/addresses",
                "updateProfileApi": "/api/customers/me",
                "addresses": [],
                "metafields": [],
                "metafield": None,
            }
        }
    }


@pytest.mark.anyio
@pytest.mark.parametrize("customer_id", cases.UNKNOWN_CUSTOMER_IDS)
async def test_unknown_customer_is_null(client: httpx.AsyncClient, customer_id: str | None) -> None:
    response = await gql(client, "query($id:String){customer(id:$id){uuid}}", {"id": customer_id})
    assert response.json() == {"data": {"customer": None}}


@pytest.mark.anyio
async def test_created_at_text_uses_the_server_timezone() -> None:
    shop = EverShopEmulator(customers=0, rate_limits=False, server_timezone="America/New_York")
    shop.add_customer(email="tz@example.com", full_name="Tz", created_at=T0.replace(hour=2))
    transport = httpx.ASGITransport(app=shop.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        tokens = await http.post(
            "/api/user/tokens", json={"email": "admin@example.com", "password": "admin-password"}
        )
        http.headers["Authorization"] = f"Bearer {tokens.json()['data']['accessToken']}"
        response = await gql(http, "{customers{items{createdAt{value text}}}}")
    assert response.json()["data"]["customers"]["items"] == [
        {"createdAt": {"value": "1675736285000", "text": "Feb 6, 2023"}}
    ]


@pytest.mark.anyio
async def test_addresses_resolve_country_and_province(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    emulator.add_customer(
        email="addr@example.cz",
        full_name="Adresa",
        addresses=[
            {"full_name": "A", "country": "CZ", "province": "CZ-10", "city": "Praha",
             "address_1": "Národní 1", "postcode": "110 00", "is_default": True},
            {"full_name": "B", "country": "NO", "province": "XX-1", "city": "Oslo"},
            {"full_name": "C", "country": "NO", "province": None, "city": "Bergen"},
        ],
    )  # fmt: skip
    query = (
        '{customers(filters:[{key:"email",operation:eq,value:"addr@example.cz"}]){items{'
        "addresses{fullName city address1 postcode isDefault updateApi"
        " country{name code provinces{code}} province{name code countryCode}}}}}"
    )
    response = await gql(client, query)
    assert response.status_code == 200
    addresses = response.json()["data"]["customers"]["items"][0]["addresses"]
    uuids = [row["uuid"] for row in emulator.address_rows()]
    assert addresses == [
        {
            "fullName": "A",
            "city": "Praha",
            "address1": "Národní 1",
            "postcode": "110 00",
            "isDefault": True,
            "updateApi": f"/api/customers/me/addresses/{uuids[0]}",
            # Country.provinces filters on `country.code`, undefined for a bare code string
            "country": {"name": "Czech Republic", "code": "CZ", "provinces": []},
            "province": {"name": "Praha, Hlavni mesto", "code": "CZ-10", "countryCode": "CZ"},
        },
        {
            "fullName": "B",
            "city": "Oslo",
            "address1": None,
            "postcode": None,
            "isDefault": None,
            "updateApi": f"/api/customers/me/addresses/{uuids[1]}",
            "country": {"name": "Norway", "code": "NO", "provinces": []},
            "province": {
                "name": "INVALID_PROVINCE",
                "code": "XX-1",
                "countryCode": "INVALID_PROVINCE",
            },
        },
        {
            "fullName": "C",
            "city": "Bergen",
            "address1": None,
            "postcode": None,
            "isDefault": None,
            "updateApi": f"/api/customers/me/addresses/{uuids[2]}",
            "country": {"name": "Norway", "code": "NO", "provinces": []},
            "province": None,
        },
    ]


@pytest.mark.anyio
async def test_customer_groups(client: httpx.AsyncClient) -> None:
    response = await gql(
        client,
        "{customerGroups{total currentFilters{key value}"
        " items{customerGroupId groupName customers{customerId}}} customerGroup{groupName}}",
    )
    assert response.json() == {
        "data": {
            "customerGroups": {
                "total": 3,
                "currentFilters": [{"key": "page", "value": "1"}, {"key": "limit", "value": "20"}],
                "items": [
                    {"customerGroupId": 1, "groupName": "Default",
                     "customers": [{"customerId": 1}, {"customerId": 4}, {"customerId": 6},
                                   {"customerId": 8}]},
                    {"customerGroupId": 2, "groupName": "Wholesale",
                     "customers": [{"customerId": 2}, {"customerId": 5}]},
                    {"customerGroupId": 3, "groupName": "VIP",
                     "customers": [{"customerId": 3}, {"customerId": 7}]},
                ],
            },
            # declared without arguments, so the resolver's `id` is always undefined
            "customerGroup": None,
        }
    }  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{customers{currentPage}}",
         "Cannot return null for non-nullable field CustomerCollection.currentPage."),
        ("{customers{total currentPage}}",
         "Cannot return null for non-nullable field CustomerCollection.currentPage."),
        ("{customerGroups{items{editUrl}}}", "Route customerGroupEdit is not existed"),
        ("{customers{items{fullName}}}",
         "Cannot return null for non-nullable field Customer.fullName."),
        ("{customers(filters:[null]){total}}", "Cannot read properties of null (reading 'key')"),
        ("{customers(filters:null){total}}", "Cannot read properties of null (reading 'find')"),
        ('{customers(filters:[{key:"keyword",operation:eq}]){currentFilters{value}}}',
         "Cannot return null for non-nullable field Filter.value."),
        ("{ customers { total }", "Syntax Error: Expected Name, found <EOF>."),
        ("query a{hello} query b{hello}",
         "Must provide operation name if query contains multiple operations."),
        ('{customers(filters:[{key:"x", operation: bogus}]){total}}',
         'Argument "filters" has invalid value [{key: "x", operation: bogus}].'),
        ("{customer(id: 5){uuid}}", 'Argument "id" has invalid value 5.'),
    ],
)  # fmt: skip
async def test_the_first_execution_error_fails_the_request(
    client: httpx.AsyncClient, query: str, message: str
) -> None:
    response = await gql(client, query)
    assert response.status_code == 500
    assert response.json() == error(message)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("query", "variables", "message"),
    cases.VARIABLE_ERRORS,
)  # fmt: skip
async def test_variable_errors_use_graphql_js_16_wording(
    client: httpx.AsyncClient, query: str, variables: Any, message: str
) -> None:
    response = await gql(client, query, variables)
    assert response.status_code == 500
    assert response.json() == error(message)


@pytest.mark.anyio
async def test_no_query_validation(client: httpx.AsyncClient) -> None:
    unknown = await gql(client, "{customers{nope}}")
    assert unknown.status_code == 200
    assert unknown.json() == {"data": {"customers": {}}}
    unknown_root = await gql(client, "{nothing customers{total}}")
    assert unknown_root.json() == {"data": {"customers": {"total": 8}}}


@pytest.mark.anyio
async def test_get_reads_the_json_body_and_an_empty_query_is_empty_data(
    client: httpx.AsyncClient,
) -> None:
    with_body = await client.request(
        "GET", "/api/admin/graphql", json={"query": "{customers{total}}"}
    )
    assert with_body.json() == {"data": {"customers": {"total": 8}}}
    without_body = await client.get("/api/admin/graphql", params={"query": "{customers{total}}"})
    assert without_body.status_code == 200
    assert without_body.json() == {"data": {}}
    empty = await client.post("/api/admin/graphql", json={"query": ""})
    assert empty.json() == {"data": {}}


@pytest.mark.anyio
async def test_a_non_string_query_is_rejected_by_graphql_source(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/admin/graphql", json={"query": {"a": 1}})
    assert response.status_code == 500
    assert response.json() == error("Body must be a string. Received: { a: 1 }.")
    falsy = await client.post("/api/admin/graphql", json={"query": 0})
    assert falsy.json() == {"data": {}}
