"""The admin GraphQL read model (`/api/admin/graphql`) on both targets.

Every test seeds the same people straight into the tables (SQL for EverShop, the emulator's
oracle helpers for the emulator: the REST limit of 8 per 15 minutes would make this slow), so
customer ids 1..n are the same on both targets and the expectations are written out by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from customer_gateway.text.collation import sort_key
from tests import evershop_cases as cases
from tests.api.test_evershop_admin import ORDER_HISTORY_QUERY
from tests.evershop_real.expect import assert_error, assert_json, data
from tests.evershop_real.shops import (
    Config,
    EmulatedShop,
    Order,
    Person,
    RealShop,
    Seeded,
    Shop,
    next_client_address,
)

pytestmark = pytest.mark.anyio

T0 = datetime(2023, 2, 7, 14, 18, 5, tzinfo=UTC)  # epoch ms 1675779485000

# customer_id 1..8 in this order; pairs share a created_at
PEOPLE = [
    Person("jana.novakova@example.cz", "Jana Nováková", 1, 1),
    Person("oyvind@example.no", "Øyvind Løken", 1, 2),
    Person("john.smith@example.com", "John A. Smith", 0, 3),
    Person("JANE.DOE@example.com", "Jane Doe", 1, 1),
    Person("p_r@example.com", "Petr 100% Svoboda", 0, 2),
    Person("zed@example.org", "zed", 1, 1),
    Person("adam@example.org", "Adam Ödegård", 1, 3),
    Person("no.name@example.com", None, 1, 1),
]


def people() -> list[Person]:
    return [
        Person(p.email, p.full_name, p.status, p.group_id, T0 + timedelta(days=index // 2))
        for index, p in enumerate(PEOPLE)
    ]


def seed(shop: Shop) -> list[Seeded]:
    return shop.add_customers(people())


IDS = "query($f:[FilterInput]){customers(filters:$f){items{customerId}}}"
COLLECTION = (
    "query($f:[FilterInput]){customers(filters:$f){total currentFilters{key operation value}"
    " items{customerId}}}"
)


def filters(*triples: tuple[str, str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "operation": op, "value": value} for key, op, value in triples]


async def ids(shop: Shop, *triples: tuple[str, str, Any]) -> list[int]:
    result = data(await shop.gql(IDS, {"f": filters(*triples)}))
    return [item["customerId"] for item in result["customers"]["items"]]


async def collection(shop: Shop, *triples: tuple[str, str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data(await shop.gql(COLLECTION, {"f": filters(*triples)}))["customers"]
    return result


def error500(message: str) -> dict[str, Any]:
    return {"error": {"status": 500, "message": message}}


# -- customers(filters) -------------------------------------------------------------------------


async def test_default_listing_is_newest_id_first_with_a_page_of_twenty(shop: Shop) -> None:
    shop.add_customers(
        [
            Person(f"c{index:02d}@example.com", f"Customer {index:02d}", created_at=T0)
            for index in range(25)
        ]
    )
    result = await collection(shop)
    assert result["total"] == 25
    assert [item["customerId"] for item in result["items"]] == list(range(25, 5, -1))
    assert result["currentFilters"] == filters(("page", "eq", "1"), ("limit", "eq", "20"))


@pytest.mark.parametrize(
    ("given", "expected_ids", "current"),
    [
        ([("page", "eq", "2"), ("limit", "eq", "3")], [5, 4, 3],
         [("page", "2"), ("limit", "3"), ("page", "1")]),
        # without `page`, the limit callback pushes its entry twice
        ([("limit", "eq", "3")], [8, 7, 6], [("limit", "3"), ("limit", "3"), ("page", "1")]),
        ([("page", "eq", "2")], [], [("page", "2"), ("page", "1"), ("limit", "20")]),
        ([("page", "eq", "abc")], [8, 7, 6, 5, 4, 3, 2, 1],
         [("page", "1"), ("page", "1"), ("limit", "20")]),
        ([("limit", "eq", "0")], [8, 7, 6, 5, 4, 3, 2, 1], [("limit", "20"), ("page", "1")]),
        # parseInt: " 2abc" is 2
        ([("limit", "eq", " 2abc"), ("page", "eq", "2")], [6, 5],
         [("page", "2"), ("limit", " 2abc"), ("page", "1")]),
        # `limit` is not capped
        ([("limit", "eq", "1000")], [8, 7, 6, 5, 4, 3, 2, 1],
         [("limit", "1000"), ("limit", "1000"), ("page", "1")]),
        ([("page", "neq", "2")], [8, 7, 6, 5, 4, 3, 2, 1], [("page", "1"), ("limit", "20")]),
    ],
)  # fmt: skip
async def test_paging_filters(
    shop: Shop,
    given: list[tuple[str, str, str]],
    expected_ids: list[int],
    current: list[tuple[str, str]],
) -> None:
    seed(shop)
    result = await collection(shop, *given)
    assert result["total"] == 8
    assert [item["customerId"] for item in result["items"]] == expected_ids
    assert [(item["key"], item["value"]) for item in result["currentFilters"]] == current
    assert {item["operation"] for item in result["currentFilters"]} == {"eq"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([("keyword", "eq", "JAN")], [4, 1]),  # full_name OR email, ILIKE %v%
        ([("keyword", "eq", "ø")], [2]),  # case-insensitive beyond ASCII; "Ö" is another letter
        ([("keyword", "eq", "100%")], [5]),  # `%` stays a wildcard
        ([("keyword", "eq", "p_r")], [5]),
        ([("keyword", "eq", "p\\_r")], [5]),
        ([("keyword", "eq", "")], [8, 7, 6, 5, 4, 3, 2, 1]),
        ([("keyword", "like", "jan")], [8, 7, 6, 5, 4, 3, 2, 1]),  # only eq: ignored
        ([("full_name", "like", "smith")], [3]),
        ([("full_name", "like", "%")], [7, 6, 5, 4, 3, 2, 1]),  # NULL never matches
        ([("full_name", "nlike", "a")], [6, 2]),  # NULL matches neither like nor nlike
        ([("email", "eq", "jane.doe@example.com")], []),  # exact and case-sensitive
        ([("email", "eq", "JANE.DOE@example.com")], [4]),
        ([("email", "like", "%@example.org")], [7, 6]),  # the raw pattern, no % added
        ([("email", "like", "jane.doe@EXAMPLE.com")], [4]),
        ([("email", "nlike", "%.com")], [7, 6, 2, 1]),
        ([("status", "eq", "0")], [5, 3]),
        ([("status", "eq", " 1 ")], [8, 7, 6, 4, 2, 1]),
        ([("status", "eq", "abc")], []),  # 22P02: the query builder answers no rows
        ([("full_name", "eq", "zed")], [8, 7, 6, 5, 4, 3, 2, 1]),  # op not allowed: ignored
        ([("email", "neq", "zed@example.org")], [8, 7, 6, 5, 4, 3, 2, 1]),
        ([("status", "in", "0")], [8, 7, 6, 5, 4, 3, 2, 1]),
        ([("group", "eq", "2")], [8, 7, 6, 5, 4, 3, 2, 1]),  # no group filter at all
        ([("status", "eq", "1"), ("full_name", "like", "a")], [7, 4, 1]),
        ([("email", "like", "%.com"), ("status", "eq", "1")], [8, 4]),
    ],
)
async def test_row_filters(
    shop: Shop, given: list[tuple[str, str, str]], expected: list[int]
) -> None:
    seed(shop)
    assert await ids(shop, *given) == expected


async def test_keyword_or_binds_looser_than_later_filters(shop: Shop) -> None:
    # WHERE (full_name ILIKE $1 OR email ILIKE $2 AND (status = $3)): a name match skips status
    seed(shop)
    assert await ids(shop, ("keyword", "eq", "example.c"), ("status", "eq", "0")) == [5, 3]
    assert await ids(shop, ("keyword", "eq", "jana"), ("status", "eq", "0")) == [1]


async def test_total_counts_every_match_and_current_filters_echo_applied_filters(
    shop: Shop,
) -> None:
    seed(shop)
    result = await collection(
        shop,
        ("limit", "eq", "1"),
        ("email", "like", "%.com"),
        ("full_name", "eq", "ignored"),
        ("od", "eq", "asc"),
    )
    assert result["total"] == 4
    assert [item["customerId"] for item in result["items"]] == [3]
    assert result["currentFilters"] == filters(
        ("email", "like", "%.com"),
        ("od", "eq", "asc"),
        ("limit", "eq", "1"),
        ("limit", "eq", "1"),
        ("page", "eq", "1"),
    )


def per_collation(en_us: list[int], c: list[int]) -> dict[str, list[int]]:
    return {"en_US": en_us, "C": c}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # en_US.UTF-8: letters first, case and accents only break ties; C.UTF-8: code points
        # (JANE.DOE before adam, "zed" before "Øyvind")
        ([("ob", "eq", "email")], per_collation([7, 1, 4, 3, 8, 2, 5, 6], [4, 7, 1, 3, 8, 2, 5, 6])),
        ([("ob", "eq", "email"), ("od", "eq", "DESC")],
         per_collation([6, 5, 2, 8, 3, 4, 1, 7], [6, 5, 2, 8, 3, 1, 7, 4])),
        # NULLs last ascending...
        ([("ob", "eq", "name")], per_collation([7, 1, 4, 3, 2, 5, 6, 8], [7, 1, 4, 3, 5, 6, 2, 8])),
        # ...first DESC
        ([("ob", "eq", "name"), ("od", "eq", "desc")],
         per_collation([8, 6, 5, 2, 3, 4, 1, 7], [8, 2, 6, 5, 3, 4, 1, 7])),
        ([("ob", "eq", "status"), ("email", "like", "%.org")], [6, 7]),
        ([("ob", "eq", "created_at"), ("od", "eq", "desc"), ("status", "eq", "0")], [5, 3]),
        ([("od", "eq", "asc")], [1, 2, 3, 4, 5, 6, 7, 8]),  # the direction of customer_id
        ([("od", "eq", "Asc")], [8, 7, 6, 5, 4, 3, 2, 1]),  # only ASC/DESC/asc/desc count
        ([("ob", "eq", "customer_id")], [8, 7, 6, 5, 4, 3, 2, 1]),  # unknown sort: ignored
        # the grid's own "Full Name" header: not in EverShop's sort map, so ignored
        ([("ob", "eq", "full_name"), ("od", "eq", "desc")], [8, 7, 6, 5, 4, 3, 2, 1]),
        ([("ob", "eq", "name"), ("status", "eq", "1")],
         per_collation([7, 1, 4, 2, 6, 8], [7, 1, 4, 6, 2, 8])),
        ([("ob", "eq", "name"), ("od", "eq", "desc"), ("status", "eq", "1")],
         per_collation([8, 6, 2, 4, 1, 7], [8, 2, 6, 4, 1, 7])),
        ([("ob", "eq", "email"), ("page", "eq", "2"), ("limit", "eq", "3")], [3, 8, 2]),
    ],
)  # fmt: skip
async def test_ordering(
    shop: Shop, given: list[tuple[str, str, str]], expected: list[int] | dict[str, list[int]]
) -> None:
    seed(shop)
    wanted = expected[collation_of(shop)] if isinstance(expected, dict) else expected
    assert await ids(shop, *given) == wanted


def collation_of(shop: Shop) -> str:
    """The database's collation as a gateway source names it (en_US or C)."""
    return "en_US" if shop.collation().lower().startswith("en_us") else "C"


async def test_ties_come_out_in_postgres_quicksort_order(shop: Shop) -> None:
    seed(shop)
    # not insertion order: Postgres's quicksort is not stable
    assert await ids(shop, ("ob", "eq", "status")) == [5, 3, 4, 6, 7, 1, 8, 2]
    assert await ids(shop, ("ob", "eq", "status"), ("od", "eq", "desc")) == [1, 2, 7, 8, 4, 6, 3, 5]
    # presorted input is left as it is
    assert await ids(shop, ("ob", "eq", "created_at")) == [1, 2, 3, 4, 5, 6, 7, 8]


async def test_an_updated_row_moves_behind_its_ties(shop: Shop) -> None:
    first = seed(shop)[0]
    response = await shop.http.patch(
        f"/api/customers/{first.uuid}", json={"status": 1}, headers=await shop.admin_headers()
    )
    assert response.status_code == 200, response.text
    assert (await ids(shop, ("ob", "eq", "created_at")))[:2] == [2, 1]


async def test_a_status_out_of_smallint_range_fails_the_query(shop: Shop) -> None:
    seed(shop)
    response = await shop.gql(
        '{customers(filters:[{key:"status",operation:eq,value:"99999"}]){total}}'
    )
    assert_json(response, 500, error500('value "99999" is out of range for type smallint'))


# -- customer(id) -------------------------------------------------------------------------------

CUSTOMER_FIELDS = (
    "customerId uuid status email fullName createdAt{value text} group{customerGroupId groupName}"
    " urn editUrl updateApi deleteApi metaData updateMetafieldsApi addAddressApi updateProfileApi"
    ' addresses{uuid} metafields{key} metafield(namespace:"a",key:"b"){key}'
)


async def test_customer_fields(shop: Shop) -> None:
    seeded = seed(shop)
    uuid = seeded[1].uuid
    response = await shop.gql(
        f"query($id:String){{customer(id:$id){{{CUSTOMER_FIELDS}}}}}", {"id": uuid.upper()}
    )
    assert_json(
        response,
        200,
        {
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
        },
    )


@pytest.mark.parametrize("customer_id", cases.UNKNOWN_CUSTOMER_IDS)
async def test_an_unknown_customer_is_null(shop: Shop, customer_id: str | None) -> None:
    seed(shop)
    response = await shop.gql("query($id:String){customer(id:$id){uuid}}", {"id": customer_id})
    assert_json(response, 200, {"data": {"customer": None}})


async def test_addresses_resolve_their_country_and_province(shop: Shop) -> None:
    seed(shop)
    shop.add_customer(
        Person(
            "addr@example.cz",
            "Adresa",
            addresses=[
                {"full_name": "A", "country": "CZ", "province": "CZ-10", "city": "Praha",
                 "address_1": "Národní 1", "postcode": "110 00", "is_default": True},
                {"full_name": "B", "country": "NO", "province": "XX-1", "city": "Oslo"},
                {"full_name": "C", "country": "NO", "province": None, "city": "Bergen"},
            ],
        )
    )  # fmt: skip
    query = (
        '{customers(filters:[{key:"email",operation:eq,value:"addr@example.cz"}]){items{'
        "addresses{fullName city address1 postcode isDefault updateApi deleteApi"
        " country{name code provinces{code}} province{name code countryCode}}}}}"
    )
    result = data(await shop.gql(query))
    uuids = [row["uuid"] for row in shop.address_rows()]

    def links(uuid: str) -> dict[str, str]:
        api = f"/api/customers/me/addresses/{uuid}"
        return {"updateApi": api, "deleteApi": api}

    assert result["customers"]["items"][0]["addresses"] == [
        {
            "fullName": "A",
            "city": "Praha",
            "address1": "Národní 1",
            "postcode": "110 00",
            "isDefault": True,
            **links(uuids[0]),
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
            **links(uuids[1]),
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
            **links(uuids[2]),
            "country": {"name": "Norway", "code": "NO", "provinces": []},
            "province": None,
        },
    ]


# -- customerGroups -----------------------------------------------------------------------------


async def test_customer_groups_and_the_argumentless_customer_group(shop: Shop) -> None:
    seed(shop)
    response = await shop.gql(
        "{customerGroups{total currentFilters{key operation value}"
        " items{customerGroupId groupName customers{customerId}}} customerGroup{groupName}}"
    )
    assert_json(
        response,
        200,
        {
            "data": {
                "customerGroups": {
                    "total": 3,
                    "currentFilters": filters(("page", "eq", "1"), ("limit", "eq", "20")),
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
                # declared without arguments, so its resolver never has an id
                "customerGroup": None,
            }
        },
    )  # fmt: skip


async def test_customer_groups_are_paged_by_twenty_without_arguments(shop: Shop) -> None:
    shop.add_groups([f"Group {number:02d}" for number in range(4, 26)])
    result = data(await shop.gql("{customerGroups{total items{customerGroupId}}}"))
    assert result["customerGroups"]["total"] == 25
    assert [item["customerGroupId"] for item in result["customerGroups"]["items"]] == list(
        range(1, 21)
    )


# -- errors and the HTTP shape of GraphQL answers -----------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{customers{currentPage}}",
         "Cannot return null for non-nullable field CustomerCollection.currentPage."),
        ("{customers{total currentPage}}",
         "Cannot return null for non-nullable field CustomerCollection.currentPage."),
        ("{customerGroups{currentPage}}",
         "Cannot return null for non-nullable field CustomerGroupCollection.currentPage."),
        ("{customerGroups{items{editUrl}}}", "Route customerGroupEdit is not existed"),
        ("{customers{items{fullName}}}",
         "Cannot return null for non-nullable field Customer.fullName."),
        ("{customers{items{addresses{cartAddressId}}}}",
         "Cannot return null for non-nullable field CustomerAddress.cartAddressId."),
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
async def test_the_first_execution_error_fails_the_whole_request(
    shop: Shop, query: str, message: str
) -> None:
    seed(shop)
    shop.add_customer(Person("addr@example.com", "Addr", addresses=[{"country": "US"}]))
    assert_json(await shop.gql(query), 500, error500(message))


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    cases.VARIABLE_ERRORS,
)  # fmt: skip
async def test_variable_errors_use_graphql_js_16_wording(
    shop: Shop, query: str, variables: Any, message: str
) -> None:
    assert_json(await shop.gql(query, variables), 500, error500(message))


async def test_queries_are_not_validated(shop: Shop) -> None:
    seed(shop)
    assert_json(await shop.gql("{customers{nope}}"), 200, {"data": {"customers": {}}})
    assert_json(
        await shop.gql("{nothing customers{total}}"), 200, {"data": {"customers": {"total": 8}}}
    )


async def test_get_reads_the_json_body_and_an_empty_query_is_empty_data(shop: Shop) -> None:
    seed(shop)
    headers = await shop.admin_headers()
    with_body = await shop.http.request(
        "GET", "/api/admin/graphql", json={"query": "{customers{total}}"}, headers=headers
    )
    assert_json(with_body, 200, {"data": {"customers": {"total": 8}}})
    in_url = await shop.http.get(
        "/api/admin/graphql", params={"query": "{customers{total}}"}, headers=headers
    )
    assert_json(in_url, 200, {"data": {}})
    assert_json(await shop.gql(""), 200, {"data": {}})
    assert_json(await shop.gql(None, with_variables=False), 200, {"data": {}})


async def test_a_query_that_is_not_a_string(shop: Shop) -> None:
    assert_json(
        await shop.gql({"a": 1}), 500, error500("Body must be a string. Received: { a: 1 }.")
    )
    assert_json(await shop.gql(0), 200, {"data": {}})


async def test_the_storefront_lists_countries_and_provinces(shop: Shop) -> None:
    result = data(
        await shop.gql(
            '{countries(countries:["CZ","NO"]){code name} provinces(countries:["CZ"]){code name'
            " countryCode} allowedCountries{code}}"
        )
    )
    assert result["countries"] == [
        {"code": "CZ", "name": "Czech Republic"},
        {"code": "NO", "name": "Norway"},
    ]
    assert {"code": "CZ-10", "name": "Praha, Hlavni mesto", "countryCode": "CZ"} in result[
        "provinces"
    ]
    assert {province["countryCode"] for province in result["provinces"]} == {"CZ"}
    assert result["allowedCountries"] == []


async def test_errors_hide_nothing_else(shop: Shop) -> None:
    """An execution error is an `{error}` envelope: no partial `data`, no `errors` array."""
    seed(shop)
    response = await shop.gql("{customers{total} customerGroups{items{editUrl}}}")
    assert_error(response, 500, "Route customerGroupEdit is not existed")


# -- the order of ties on bigger tables: both targets side by side ------------------------------

TIE_QUERIES = [
    [("ob", "eq", "status")],
    [("ob", "eq", "status"), ("od", "eq", "desc")],
    [("ob", "eq", "status"), ("page", "eq", "2")],
    [("ob", "eq", "status"), ("page", "eq", "3")],
    [("ob", "eq", "status"), ("limit", "eq", "3"), ("page", "eq", "2")],  # top-N heapsort
    [("ob", "eq", "status"), ("limit", "eq", "7"), ("page", "eq", "4")],
    [("ob", "eq", "status"), ("limit", "eq", "100")],  # quicksort of everything
    [("ob", "eq", "created_at")],
    [("ob", "eq", "created_at"), ("od", "eq", "desc"), ("limit", "eq", "5")],
    [("ob", "eq", "created_at"), ("limit", "eq", "10"), ("page", "eq", "3")],
    [("ob", "eq", "name"), ("limit", "eq", "4"), ("page", "eq", "2")],
    [("ob", "eq", "name"), ("od", "eq", "desc"), ("limit", "eq", "50")],
    [("ob", "eq", "status"), ("keyword", "eq", "a"), ("limit", "eq", "6")],
]


def tie_people() -> list[Person]:
    """57 people: 3 statuses' worth of ties, 6 shared timestamps, repeated and missing names."""
    names = ["Ann Lee", "Bo Ek", None, "ann lee", "Åsa Berg", "Bo Ek", "Carl-Otto Ny"]
    return [
        Person(
            f"tie{index:02d}@example.com",
            names[index % len(names)],
            status=1 if index % 3 else 0,
            group_id=1 + index % 3,
            created_at=T0 + timedelta(hours=index % 6),
        )
        for index in range(57)
    ]


async def test_ties_match_between_evershop_and_the_emulator(
    config: Config, real_collation: str
) -> None:
    """Postgres's quicksort and top-N heapsort are not stable: which of the rows that compare
    equal comes first depends on the algorithm, the scan order and LIMIT/OFFSET. The emulator
    reproduces them; this compares the two targets directly over many pages and sizes."""
    real = RealShop(config, next_client_address())
    emulated = EmulatedShop(config, next_client_address(), collation=real_collation)
    try:
        for shop in (real, emulated):
            shop.reset()
            shop.add_customers(tie_people())
        # an update writes a new row version at the end of the heap: scan order changes
        for shop in (real, emulated):
            uuid = shop.customer_rows()[4]["uuid"]
            response = await shop.http.patch(
                f"/api/customers/{uuid}", json={"status": 0}, headers=await shop.admin_headers()
            )
            assert response.status_code == 200, response.text
        for query in TIE_QUERIES:
            assert await ids(emulated, *query) == await ids(real, *query), query
    finally:
        await real.aclose()
        await emulated.aclose()


COLLATION_WORDS = [
    "a", "A", "á", "Á", "b", "ab", "a b", "a-b", "a_b", "a.b", "a'b", "ab1", "ab10", "ab2", "ab-1",
    "Ab", "aB", "AB", "o'brien", "O'Brien", "obrien", "O Brien", "o-brien", "ø", "Ø", "oe", "œ",
    "æ", "ae", "ss", "ß", "Å", "å", "z", "ž", "Ž", "1", "10", "2", "-1", "_a", ".a", "@", "#1",
    "a@b.com", "a.b@c.com", "ab@c.com", "Ann Lee", "ann lee", "Anne", "Ann-Lee", "Annlee",
    "Åsa Berg", "Asa Berg", "Carl-Otto Ny", "Carl Otto", "Carlotta", "Émile", "Emile", "emile",
    "Évà", "Łukasz", "Lukasz", "Ödegård", "Odegard", "Ørsted", "Orsted", "Þór", "Thor", "đ", "d",
    "ě", "é", "e", "Škoda", "Skoda", "Čapek", "Capek", "Řehoř", "Rehor", "ch", "h", "ı", "İ", "I",
    "i", "L·l", "Ll", "Nguyễn", "Nguyen", "Ђорђе", "Дмитрий", "Ωmega", "αβ", "Zoë", "Zoe", "ZOE",
    "x  y", "x y", "x\ty", "(x)", "[x]", "x!", "x?", "x€", "x$", "mc donald", "McDonald", "Mcdonald",
]  # fmt: skip


@pytest.mark.parametrize(
    ("sort", "column", "descending"),
    [("name", "full_name", False), ("name", "full_name", True), ("email", "email", False)],
)
async def test_text_order_is_the_databases_collation(
    shop: Shop, sort: str, column: str, descending: bool
) -> None:
    """Names and e-mails in the database's order (en_US.UTF-8 or C.UTF-8), which `sort_key`
    (the gateway's and the emulator's collations) claims to reproduce: one expectation for both
    targets."""
    seeded = shop.add_customers([Person(f"{word}@example.com", word) for word in COLLATION_WORDS])
    by_id = {customer.customer_id: customer for customer in seeded}
    text = {
        customer.customer_id: customer.email if column == "email" else customer.email[:-12]
        for customer in seeded
    }
    text_key = sort_key(collation_of(shop))
    expected = sorted(
        by_id, key=lambda customer_id: text_key(text[customer_id]), reverse=descending
    )
    got = await ids(
        shop,
        ("ob", "eq", sort),
        ("od", "eq", "desc" if descending else "asc"),
        ("limit", "eq", "200"),
    )
    assert [text[customer_id] for customer_id in got] == [
        text[customer_id] for customer_id in expected
    ]


# -- Customer.orders (modules/oms), as the edit page's order history asks for it -----------------


async def test_the_order_history_of_the_edit_page(shop: Shop) -> None:
    customers = seed(shop)
    stamp = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    uuids = shop.add_orders(
        customers[0],
        [
            Order("10001", 1234.5, created_at=stamp),
            Order("10002", 19, "paid", "delivered", stamp + timedelta(days=40)),
            Order("10003", 0.1, "canceled", "canceled", stamp),
            Order("10004", 99999.99, "paid", "partially_shipped", stamp),
            Order("10005", 7, "refunded", "returned", stamp),  # codes no config names
        ],
    )
    answer = data(await shop.gql(ORDER_HISTORY_QUERY % f'"{customers[0].uuid}"'))
    names = [("Pending", "Pending"), ("Delivered", "Paid"), ("Canceled", "Canceled"),
             ("Partially Shipped", "Paid"), ("Unknown", "Unknown")]  # fmt: skip
    texts = ["$1,234.50", "$19.00", "$0.10", "$99,999.99", "$7.00"]
    dates = ["Mar 1, 2024", "Apr 10, 2024", "Mar 1, 2024", "Mar 1, 2024", "Mar 1, 2024"]
    assert answer == {
        "customer": {
            "orders": [
                {
                    "orderNumber": f"1000{index + 1}",
                    "uuid": uuid,
                    "editUrl": f"/admin/order/edit/{uuid}",
                    "createdAt": {"text": dates[index]},
                    "shipmentStatus": {"name": names[index][0]},
                    "paymentStatus": {"name": names[index][1]},
                    "grandTotal": {"text": texts[index]},
                }
                for index, uuid in enumerate(uuids)
            ]
        }
    }
    none = data(await shop.gql(ORDER_HISTORY_QUERY % f'"{customers[1].uuid}"'))
    assert none == {"customer": {"orders": []}}
