"""The EverShop emulator's cheaper paths answer exactly as the paths they stand in for.

The benchmarks run the emulators on the core they measure (bench/README.md, emulator cost), so
the admin GraphQL API keeps parsed documents, runs plain leaf fields on a short path and first
executes with its resolvers answering at once; JSON.parse tries Python's C parser first and
JSON.stringify's preparation skips plain values. Each is compared here with the long path it
replaces, on the same emulator.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from inspect import isawaitable
from typing import Any

import httpx
import pytest
from graphql import ExecutionResult, execute, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.evershop.collection import (
    CUSTOMER_FILTERS,
    Collection,
    _ranks,
    row_comparison,
)
from customer_gateway.emulators.evershop.executor import LeafShortcutExecutor, is_awaitable
from customer_gateway.emulators.evershop.graphql_api import (
    AS_EVERSHOP,
    DIRECT,
    ReadContext,
    _date_value,
    _parse,
)
from customer_gateway.emulators.evershop.jwt import _decode_complete
from customer_gateway.emulators.evershop.jwt import decode as jwt_decode
from customer_gateway.emulators.evershop.node.js import (
    JsSyntaxError,
    _JsonParser,
    js_number,
    parse_json,
    stringify,
)
from customer_gateway.emulators.evershop.pg import text_sort_key, tuplesort, tuplesort_ranked
from customer_gateway.emulators.evershop.store import epoch_ms

BASE_URL = "http://evershop.test"
T0 = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
LIST = (
    "query L($filters: [FilterInput]) { customers(filters: $filters) { total currentPage"
    " currentFilters { key operation value } items { customerId uuid status email fullName"
    " createdAt { value text } group { customerGroupId groupName } urn editUrl } } }"
)


def _filters(*triples: tuple[str, str, str]) -> dict[str, Any]:
    return {"filters": [{"key": k, "operation": o, "value": v} for k, o, v in triples]}


# Queries whose answers must not depend on the path taken: lists, details, nested reads,
# errors (the first error is EverShop's answer), unknown fields, variable errors.
QUERIES: list[tuple[str, dict[str, Any] | None]] = [
    (LIST, _filters(("limit", "eq", "100"))),
    (LIST, _filters(("ob", "eq", "created_at"), ("od", "eq", "DESC"), ("limit", "eq", "7"))),
    (LIST, _filters(("keyword", "eq", "a"), ("page", "eq", "2"), ("limit", "eq", "5"))),
    (LIST, _filters(("status", "eq", "x"))),
    (LIST, _filters(("email", "like", "%.com"), ("ob", "eq", "name"))),
    (
        "{ customers { items { customerId addresses { fullName city country { name code }"
        " province { name code countryCode } updateApi } orders { orderNumber"
        " grandTotal { value currency text } paymentStatus { code name badge }"
        " shipmentStatus { code name badge } createdAt { value text } editUrl } } } }",
        None,
    ),
    ("{ customerGroups { total items { customerGroupId groupName customers { email } } } }", None),
    ("{ customerGroup { groupName } hello countries { code } allowedCountries { code } }", None),
    ('{ provinces(countries: ["CZ"]) { code name countryCode } }', None),
    (
        '{ customers { items { metafields { key } metafield(namespace: "a", key: "b") { key }'
        " metaData updateMetafieldsApi } } }",
        None,
    ),  # fmt: skip
    ("{ customers { items { fullName } } }", None),  # a null name: non-null error
    ("{ customers { items { group { editUrl } fullName } } }", None),  # two kinds of error
    ("{ customers { items { fullName group { editUrl } } } }", None),
    ("{ customerGroups { items { editUrl } } }", None),
    ('{ customers { items { orders { grandTotal { text(currency: "EUR") } } } } }', None),
    ("{ customers { nope total } }", None),
    ("query($id: String) { customer(id: $id) { uuid email group { groupName } } }", None),
    ("query($f: [FilterInput]) { customers(filters: $f) { total } }", {"f": [{"key": 1}]}),
    ("{ customers(filters: null) { total } }", None),
    ("{ customers { ", None),
]


@pytest.fixture
def emulator() -> EverShopEmulator:
    shop = EverShopEmulator(customers=30, rate_limits=False, seed=7)
    nameless = shop.add_customer(email="nameless@example.com", full_name=None, created_at=T0)
    for index, row in enumerate(shop.customer_rows()[:4]):
        shop.add_order(
            row["customer_id"],
            order_number=f"#{1000 + index}",
            grand_total=12.5 * index,
            payment_status="paid" if index % 2 else "pending",
            created_at=T0 + timedelta(hours=index),
        )
    shop.add_order(nameless["customer_id"], order_number="#2000", grand_total=3)
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


async def _answer(client: httpx.AsyncClient, query: str, variables: Any) -> tuple[int, bytes]:
    response = await client.post(
        "/api/admin/graphql", json={"query": query, "variables": variables}
    )
    return response.status_code, response.content


@pytest.mark.anyio
@pytest.mark.parametrize(("query", "variables"), QUERIES)
async def test_direct_reads_answer_the_bytes_of_evershops_order(
    client: httpx.AsyncClient, emulator: EverShopEmulator, query: str, variables: Any
) -> None:
    endpoint = emulator._graphql
    endpoint.direct_reads = False
    expected = await _answer(client, query, variables)
    endpoint.direct_reads = True
    assert await _answer(client, query, variables) == expected
    assert await _answer(client, query, variables) == expected  # the document kept


@pytest.mark.anyio
async def test_an_error_is_answered_in_evershops_order(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    # A customer's `group` is an async resolver in EverShop: its field error comes after the
    # synchronous error of `fullName` (a null name), though it is selected first. Run directly,
    # the order would be the other way round, so the direct run's answer is not used.
    query = '{ customers(filters: [{key: "limit", operation: eq, value: "100"}]) {'
    query += " items { group { editUrl } fullName } } }"
    endpoint = emulator._graphql
    direct = await endpoint._execute(parse(query), None, DIRECT)
    assert direct.errors
    assert direct.errors[0].message == "Route customerGroupEdit is not existed"
    status, body = await _answer(client, query, None)
    assert status == 500
    message = "Cannot return null for non-nullable field Customer.fullName."
    assert json.loads(body) == {"error": {"status": 500, "message": message}}


@pytest.mark.anyio
async def test_a_kept_document_reads_the_store_as_it_is_now(client: httpx.AsyncClient) -> None:
    query = "{ customers { total items { email } } }"
    before = json.loads((await _answer(client, query, None))[1])["data"]["customers"]
    hits = _parse.cache_info().hits
    created = await client.post(
        "/api/customers",
        json={"email": "later@example.com", "password": "secret123", "full_name": "Later"},
    )
    assert created.status_code == 200, created.text
    after = json.loads((await _answer(client, query, None))[1])["data"]["customers"]
    assert _parse.cache_info().hits == hits + 1
    assert after["total"] == before["total"] + 1
    assert after["items"][0] == {"email": "later@example.com"}  # newest id first
    # A text that does not parse is not kept: the same error every time.
    broken = [await _answer(client, "{ customers {", None) for _ in range(2)]
    assert broken[0] == broken[1]
    assert broken[0][0] == 500


async def _result(run: Any) -> str:
    """The result as JSON text (the order of fields counts), errors with their paths; or the
    exception execution raised."""
    try:
        result = run()
        if isawaitable(result):
            result = await result
    except Exception as error:
        return f"raises {type(error).__name__}: {error}"
    assert isinstance(result, ExecutionResult)
    errors = [error.formatted for error in result.errors or []]
    return json.dumps([result.data, errors], default=str)


_SHAPE = (
    '{ customers(filters: [{key: "limit", operation: eq, value: "5"}]) { items {'
    " customerId uuid status email fullName createdAt { value text } urn editUrl"
    " group { customerGroupId groupName } orders { orderNumber grandTotal { value text } }"
    " addresses { city country { code } } metafields { key } } total } }"
)


@pytest.mark.anyio
@pytest.mark.parametrize("context", [DIRECT, AS_EVERSHOP])
@pytest.mark.parametrize(
    ("column", "value"),
    [
        (None, None),  # as seeded
        ("status", "x"),  # Int from a string: a coercion error
        ("status", 2.0),  # a float that is an Int
        ("status", 2.5),  # one that is not
        ("status", 2**40),  # out of Int's range
        ("status", True),  # Int from a bool
        ("full_name", True),  # String from a bool
        ("full_name", 12),  # String from an int
        ("full_name", None),  # non-null
        ("email", ["a"]),  # a list where a String is: the long path
        ("uuid", {"a": 1}),
        ("created_at", None),  # a non-null object field that is null
        ("created_at", "x"),  # Date's resolvers on a string
        ("created_at", ValueError("boom")),  # an exception as the value: its error
        ("created_at", lambda _info: T0),  # a callable: the default resolver calls it
        ("group_id", 999),  # no such group: null
        ("customer_id", "7"),  # String where an Int is
    ],
)
@pytest.mark.parametrize(
    "shape",
    [
        _SHAPE,
        "{ customers { total ... @defer { items { uuid } } } }",
        "{ customers { items @stream(initialCount: 1) { uuid } } }",
        "{ customers { items @include(if: false) { uuid } total @skip(if: true) } }",
    ],
)
async def test_the_short_paths_complete_as_graphql_core(
    emulator: EverShopEmulator, column: str | None, value: Any, context: ReadContext, shape: str
) -> None:
    row = emulator._db.customers[max(emulator._db.customers)]  # first on the page
    row["full_name"] = "Ada"  # (the fixture's newest has none: its error would hide others)
    if column is not None:
        row[column] = value  # type: ignore[literal-required]
    schema = emulator._graphql.schema
    document = parse(shape)
    plain = await _result(lambda: execute(schema, document, context_value=context))
    short = await _result(
        lambda: execute(
            schema,
            document,
            context_value=context,
            executor_class=LeafShortcutExecutor,
            is_awaitable=is_awaitable,
        )
    )
    assert short == plain


# -- JSON.parse and JSON.stringify --------------------------------------------------------------

_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _typed(value: Any) -> Any:
    """`value` with every number's type spelled out (1 == 1.0 in Python, not here)."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


def _port(text: str) -> tuple[str, Any]:
    try:
        return "value", _typed(_JsonParser(text).parse())
    except JsSyntaxError as error:
        return "error", str(error)


def _fast(text: str) -> tuple[str, Any]:
    try:
        return "value", _typed(parse_json(text))
    except JsSyntaxError as error:
        return "error", str(error)


@settings(max_examples=300, deadline=None)
@given(_JSON, st.booleans(), st.sampled_from([None, 1]))
def test_json_parse_reads_json_as_the_v8_port(value: Any, ascii_only: bool, indent: Any) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    assert _fast(text) == _port(text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from('{}[]:," \\/-+.eE0123456789truefalsnNIfiyu\ud83d\ude00é\x01'))
)
def test_json_parse_answers_any_text_as_the_v8_port(text: str) -> None:
    assert _fast(text) == _port(text)


@pytest.mark.parametrize(
    "text",
    [
        "[1.0, -0, 1e2, 1e400, -1e400, 12345678901234567890, 0.1]",
        '{"a": 1, "a": 2}',
        '"\\ud83d\\ude00 \\ud800 \\u00e9"',
        "[NaN]",
        "[Infinity]",
        "[-Infinity]",
        "[01]",
        '"\\ud83d\ude00"',  # an escaped high and a raw low surrogate: one character in V8
        "\ud83d\ude00",
        '["\ud800"]',
        "[" * 5000 + "]" * 5000,
    ],
)
def test_json_parse_edge_cases_as_the_v8_port(text: str) -> None:
    try:
        expected: tuple[str, Any] = _port(text)
    except RecursionError:
        with pytest.raises(RecursionError):
            parse_json(text)
        return
    assert _fast(text) == expected


def _reference_prepare(value: Any) -> Any:
    """JSON.stringify's preparation as it was written first (every value visited)."""
    if isinstance(value, float):
        return js_number(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): _reference_prepare(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_reference_prepare(item) for item in value]
    return value


_STRINGIFY_LEAVES = _LEAVES | st.floats() | st.text(alphabet=st.sampled_from("a\ud800é\n"))


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        _STRINGIFY_LEAVES,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.tuples(inner, inner)
            | st.dictionaries(st.text() | st.integers() | st.booleans(), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_stringify_writes_what_it_wrote_before(value: Any) -> None:
    reference = json.dumps(_reference_prepare(value), ensure_ascii=False, separators=(",", ":"))
    escaped = re.sub("[\ud800-\udfff]", lambda match: f"\\u{ord(match.group()):04x}", reference)
    assert stringify(value) == escaped


# -- ORDER BY: tuplesort over ranks ---------------------------------------------------------------

_SORT_VALUES = st.one_of(st.none(), st.integers(min_value=0, max_value=6))  # many ties
_SORT_TEXTS = st.one_of(st.none(), st.sampled_from(["a", "A", "b", "é", "e", "", "ab", "Ab"]))
_SORT_DATES = st.one_of(
    st.none(), st.sampled_from([T0, T0 + timedelta(seconds=1), T0 + timedelta(days=1)])
)


@settings(max_examples=400, deadline=None)
@given(
    values=st.one_of(
        st.lists(_SORT_VALUES, max_size=60),
        st.lists(_SORT_TEXTS, max_size=60),
        st.lists(_SORT_DATES, max_size=60),
        st.lists(st.one_of(_SORT_VALUES, _SORT_TEXTS), max_size=8),  # values that do not compare
    ),
    descending=st.booleans(),
    bound=st.none() | st.integers(min_value=1, max_value=30),
    collation=st.sampled_from(["C", "en_US"]),
)
def test_ranked_sorts_order_rows_as_the_comparison_does(
    values: list[Any], descending: bool, bound: int | None, collation: Any
) -> None:
    rows = [{"id": index, "v": value} for index, value in enumerate(values)]
    compare = row_comparison("v", text_sort_key(collation), descending)
    ranks = _ranks(rows, "v", text_sort_key(collation), descending)
    if ranks is None:  # only where two values do not compare
        assert {type(value) for value in values} - {type(None)} not in ({int}, {str}, {datetime})
        return
    for left in range(len(rows)):
        for right in range(len(rows)):
            sign = (ranks[left] > ranks[right]) - (ranks[left] < ranks[right])
            assert sign == compare(rows[left], rows[right])
    expected = [row["id"] for row in tuplesort(rows, compare, bound)]
    assert [row["id"] for row in tuplesort_ranked(rows, ranks, bound)] == expected


@pytest.mark.parametrize("stable_ties", [False, True])
@pytest.mark.parametrize("column", ["created_at", "full_name", "email", "status", "group_id"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("limit", [None, 1, 7, 40, 200])
def test_a_collection_orders_as_without_ranks(
    monkeypatch: pytest.MonkeyPatch,
    stable_ties: bool,
    column: str,
    direction: str,
    limit: int | None,
) -> None:
    shop = EverShopEmulator(customers=120, rate_limits=False, seed=3)
    rows: list[dict[str, Any]] = [dict(row) for row in shop._db.customers.values()]
    rows[5]["full_name"] = None  # a NULL among the names
    collection = Collection(
        lambda: rows, [], CUSTOMER_FILTERS, default_order=None, collation="en_US",
        stable_ties=stable_ties,
    )  # fmt: skip
    collection.query.order_by(column, direction)
    ranked = [row["customer_id"] for row in collection._ordered(list(rows), limit)]
    monkeypatch.setattr("customer_gateway.emulators.evershop.collection._ranks", _no_ranks)
    compared = [row["customer_id"] for row in collection._ordered(list(rows), limit)]
    assert ranked == compared


def _no_ranks(*_args: Any) -> None:
    return None


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("ids", [[3, 1, 2, 10, 7], [3, True, 2], [5, "4", 1]])
def test_a_unique_column_orders_as_by_its_sort_key(direction: str, ids: list[Any]) -> None:
    rows: list[dict[str, Any]] = [{"customer_id": value} for value in ids]
    collection = Collection(
        lambda: rows, [], CUSTOMER_FILTERS, default_order=None, collation="en_US",
        unique_columns=frozenset({"customer_id"}),
    )  # fmt: skip
    collection.query.order_by("customer_id", direction)
    key = text_sort_key("en_US")
    try:
        expected = sorted(
            rows,
            key=lambda row: (
                key(row["customer_id"])
                if isinstance(row["customer_id"], str)
                else row["customer_id"]
            ),
            reverse=direction == "DESC",
        )
    except TypeError:
        with pytest.raises(TypeError):
            collection._ordered(list(rows), None)
        return
    assert collection._ordered(list(rows), None) == expected


def test_a_token_is_decoded_once_and_checked_every_time(emulator: EverShopEmulator) -> None:
    issued = emulator._auth.issue({"email": "admin@example.com", "password": "admin-password"})
    token = issued.body["data"]["accessToken"]
    first = jwt_decode(token)
    uncached = _decode_complete.__wrapped__(token, False)
    assert uncached is not None
    assert jwt_decode(token) == first == uncached[1]
    user, rejection = emulator._auth.user_from_header(f"Bearer {token}")
    assert rejection is None
    assert user is not None
    assert user["email"] == "admin@example.com"
    bad = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert emulator._auth.user_from_header(f"Bearer {bad}")[1] is not None


def test_a_date_value_is_its_epoch_milliseconds_every_time() -> None:
    oslo = timezone(timedelta(hours=1))
    for moment in (T0, T0.astimezone(oslo), T0 + timedelta(microseconds=1999)):
        assert _date_value(moment, None) == str(epoch_ms(moment))  # type: ignore[arg-type]
    assert _date_value(T0.astimezone(oslo), None) == _date_value(T0, None)  # type: ignore[arg-type]
    naive = datetime(2024, 5, 1, 8, 30)
    for _ in range(2):  # refused each time (no answer kept for it)
        with pytest.raises(TypeError):
            _date_value(naive, None)  # type: ignore[arg-type]
