"""Malformed requests: each is a 400 with a typed error that says what is wrong (never a 5xx,
never INTERNAL), sends nothing upstream, and a request error carries no `data`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_gateway.core.errors import ErrorCode
from customer_gateway.emulators.evershop import EverShopEmulator
from tests.api.conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

CODES = {code.value for code in ErrorCode}
CHANGES = 'query($n: Int) { customerChanges(since: "2020-01-01T00:00:00Z", limit: $n) { total } }'
KEYWORD = (
    'query($v: ID) { customers(filters: [{key: "keyword", operation: eq, value: $v}]) { total } }'
)

# body -> a phrase the error message must contain
BODIES: dict[str, tuple[bytes, str]] = {
    "null": (b"null", "must be a JSON object, not null"),
    "string": (b'"{ __typename }"', "not a string"),
    "number": (b"1", "not a number"),
    "true": (b"true", "not a boolean"),
    "invalid UTF-8": (b'{"query": "{ __typename }", "x": "\xff\xfe"}', "not valid UTF-8"),
    "5,000-digit integer": (
        b'{"query": "{ __typename }", "variables": {"a": ' + b"9" * 5000 + b"}}",
        "more than 40 digits",
    ),
    "40,000 nested arrays": (
        b'{"query": "{ __typename }", "x": ' + b"[" * 40_000 + b"]" * 40_000 + b"}",
        "nests deeper than 32",
    ),
    "40,000 nested arrays in variables": (
        b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 40_000 + b"]" * 40_000 + b"}}",
        "nests deeper than 32",
    ),
    "100 nested objects in variables": (
        b'{"query": "{ __typename }", "variables": {"a": ' + b'{"a": ' * 100 + b"1" + b"}" * 102,
        "nests deeper than 32",
    ),
    "NaN as an Int": (
        json.dumps({"query": CHANGES}).encode()[:-1] + b', "variables": {"n": NaN}}',
        "NaN is not JSON",
    ),
    "Infinity as an Int": (
        json.dumps({"query": CHANGES}).encode()[:-1] + b', "variables": {"n": -Infinity}}',
        "Infinity is not JSON",
    ),
    "1e999 as an Int": (
        json.dumps({"query": CHANGES}).encode()[:-1] + b', "variables": {"n": 1e999}}',
        "out of range",
    ),
    "a lone surrogate in a filter": (
        json.dumps({"query": KEYWORD, "variables": {"v": "\ud800"}}).encode(),
        "variables.v holds a lone UTF-16 surrogate",
    ),
    "a lone surrogate in the query": (
        json.dumps({"query": '{ customer(id: "\udfff") { uuid } }'}).encode(),
        "query holds a lone UTF-16 surrogate",
    ),
    "not JSON": (b'{"query": ', "not valid JSON"),
    "query not a string": (b'{"query": 5}', "`query` must be a string"),
    "variables not an object": (b'{"query": "{ __typename }", "variables": [1]}', "`variables`"),
    "no query": (b"{}", "No GraphQL query"),
}


@pytest.fixture
async def gateway() -> Any:
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=3)}
    async with running_gateway(emulators) as running:
        yield running


@pytest.mark.parametrize("case", sorted(BODIES))
async def test_a_malformed_body_is_a_400_naming_the_problem(gateway: Gateway, case: str) -> None:
    body, phrase = BODIES[case]
    response = await gateway.client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    payload = response.json()
    assert "data" not in payload
    [error] = payload["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert phrase in error["message"]
    assert gateway.upstream_requests() == 0


async def test_variables_over_get_are_checked_the_same_way(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql", params={"query": CHANGES, "variables": '{"n": NaN}'}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "variables",
    [
        {"n": "abc"},
        {"n": "²"},  # a digit to str.isdigit, not to int()
        {"n": 2**40},
        {"n": 1.5},
        {"n": [1]},
        {"n": {"a": 1}},
    ],
)
async def test_a_variable_of_the_wrong_type_is_bad_user_input(
    gateway: Gateway, variables: dict[str, Any]
) -> None:
    payload = (
        await gateway.client.post("/graphql", json={"query": CHANGES, "variables": variables})
    ).json()
    assert "data" not in payload
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "variables",
    [{"f": 5}, {"f": "limit"}, {"f": {"key": "limit", "operation": "eq", "value": "²"}}],
)
async def test_filters_that_are_not_a_list_are_estimated_and_coerced(
    gateway: Gateway, variables: dict[str, Any]
) -> None:
    query = "query($f: [FilterInput]) { customers(filters: $f) { total } }"
    response = await gateway.client.post("/graphql", json={"query": query, "variables": variables})
    payload = response.json()
    codes = {e["extensions"]["code"] for e in payload.get("errors", [])}
    assert response.status_code == 200
    assert "INTERNAL" not in codes
    assert codes <= CODES


@pytest.mark.parametrize(
    ("query", "code"),
    [("{ customers ", "GRAPHQL_PARSE_FAILED"), ("{ nope }", "GRAPHQL_VALIDATION_FAILED")],
)
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_a_request_error_has_no_data(
    gateway: Gateway, query: str, code: str, accept: str
) -> None:
    response = await gateway.client.post(
        "/graphql", json={"query": query}, headers={"accept": accept}
    )
    payload = response.json()
    assert "data" not in payload
    assert payload["errors"][0]["extensions"]["code"] == code
    assert response.status_code == (200 if accept == "application/json" else 400)


def _json_values() -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text()
        | st.sampled_from(["\ud800", "\x00", "\udfff x", "9" * 50])
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )


def test_generated_bodies_never_get_a_5xx() -> None:
    """Hostile bodies: any JSON value (NaN, huge numbers, surrogates) as the body, as variables
    or beside the query, and raw bytes."""

    async def run() -> None:
        emulators = {"evershop-main": EverShopEmulator(seed=1, customers=3, rate_limits=False)}
        async with running_gateway(emulators) as gateway:
            bodies: list[bytes] = []

            @settings(
                max_examples=300,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(
                st.one_of(
                    _json_values().map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")),
                    _json_values().map(
                        lambda v: json.dumps({"query": CHANGES, "variables": {"n": v}}).encode(
                            "utf-8", "surrogatepass"
                        )
                    ),
                    _json_values().map(
                        lambda v: json.dumps({"query": KEYWORD, "variables": {"v": v}}).encode(
                            "utf-8", "surrogatepass"
                        )
                    ),
                    st.binary(max_size=64),
                )
            )
            def collect(body: bytes) -> None:
                bodies.append(body)

            collect()
            for body in bodies:
                response = await gateway.client.post(
                    "/graphql", content=body, headers={"content-type": "application/json"}
                )
                assert response.status_code < 500, (body, response.text)
                payload = response.json()
                for error in payload.get("errors") or []:
                    assert error["extensions"]["code"] in CODES
                    assert error["extensions"]["code"] != "INTERNAL", (body, payload)

    asyncio.run(run())


async def test_a_null_variable_for_a_non_null_argument_is_bad_user_input(
    gateway: Gateway,
) -> None:
    """Coerced when the field runs (not before execution): a field error naming the argument."""
    payload = (
        await gateway.client.post("/graphql", json={"query": CHANGES, "variables": {"n": None}})
    ).json()
    assert payload["data"] == {"customerChanges": None}
    [error] = payload["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "limit"
