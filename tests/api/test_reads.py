"""customer(id), customerGroup(s), regions, sources; and bad requests get clear errors."""

from __future__ import annotations

import pytest

from tests.api.conftest import Gateway

pytestmark = pytest.mark.anyio


async def test_customer_by_uuid_round_trips(gateway: Gateway) -> None:
    listing = await gateway.query(
        '{ customers(filters: [{key: "limit", operation: eq, value: "100"}]) '
        "{ items { uuid nativeId email source { name } } } }"
    )
    for item in listing["data"]["customers"]["items"]:
        one = await gateway.query(
            "query($id: String) { customer(id: $id) { uuid email } }", {"id": item["uuid"]}
        )
        assert one["data"]["customer"] == {"uuid": item["uuid"], "email": item["email"]}


@pytest.mark.parametrize(
    "id",
    [
        "evershop-main:00000000-0000-4000-8000-000000000000",
        "evershop-main:not-a-uuid",
        "nowhere:00000000-0000-4000-8000-000000000000",
    ],
)
async def test_unknown_customer_is_null(gateway: Gateway, id: str) -> None:
    payload = await gateway.query("query($id: String) { customer(id: $id) { uuid } }", {"id": id})
    assert payload["data"] == {"customer": None}
    assert "errors" not in payload


async def test_a_malformed_id_is_a_clear_error(gateway: Gateway) -> None:
    payload = await gateway.query('{ customer(id: "433ba97f") { uuid } }')
    assert payload["data"] == {"customer": None}
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "<source>:<native id>" in payload["errors"][0]["message"]


async def test_customer_groups_of_every_source(gateway: Gateway) -> None:
    payload = await gateway.query(
        "{ customerGroups { total currentPage items { uuid customerGroupId groupName source { name } } "
        "currentFilters { key value } } }"
    )
    groups = payload["data"]["customerGroups"]
    expected = sum(len(e.group_rows()) for e in gateway.emulators.values())
    assert groups["total"] == expected
    assert {g["source"]["name"] for g in groups["items"]} == {"evershop-main", "evershop-outlet"}
    default = next(g for g in groups["items"] if g["uuid"] == "evershop-main:1")
    assert default["groupName"] == "Default"
    one = await gateway.query('{ customerGroup(id: "evershop-outlet:1") { uuid groupName } }')
    assert one["data"]["customerGroup"] == {"uuid": "evershop-outlet:1", "groupName": "Default"}
    assert (await gateway.query('{ customerGroup(id: "evershop-outlet:999") { uuid } }'))["data"][
        "customerGroup"
    ] is None


async def test_customer_groups_filters(gateway: Gateway) -> None:
    payload = await gateway.query(
        '{ customerGroups(filters: [{key: "name", operation: like, value: "defa"}, '
        '{key: "source", operation: eq, value: "evershop-outlet"}]) { total items { uuid } } }'
    )
    assert payload["data"]["customerGroups"] == {
        "total": 1,
        "items": [{"uuid": "evershop-outlet:1"}],
    }


async def test_group_filter_on_customers(gateway: Gateway) -> None:
    rows = gateway.emulators["evershop-main"].customer_rows()
    group = next(r["group_id"] for r in rows if r["group_id"] != 1)
    expected = {r["uuid"] for r in rows if r["group_id"] == group}
    payload = await gateway.query(
        'query($g: ID) { customers(filters: [{key: "group", operation: eq, value: $g}, '
        '{key: "limit", operation: eq, value: "100"}]) { total items { nativeId source { name } } } }',
        {"g": f"evershop-main:{group}"},
    )
    items = payload["data"]["customers"]["items"]
    assert {i["nativeId"] for i in items} == expected
    assert {i["source"]["name"] for i in items} == {"evershop-main"}
    assert payload["data"]["customers"]["total"] == len(expected)


async def test_regions_evershop_has_none(gateway: Gateway) -> None:
    payload = await gateway.query("{ regions { id } }")
    assert payload["data"] == {"regions": []}
    payload = await gateway.query('{ regions(source: "evershop-main") { id } }')
    assert payload["errors"][0]["extensions"]["code"] == "UNSUPPORTED_OPERATION"


async def test_sources_describe_capabilities(gateway: Gateway) -> None:
    payload = await gateway.query(
        "{ sources { name kind capabilities { filters sorts customerWrites groupWrites regions } } }"
    )
    main = payload["data"]["sources"][0]
    assert main["name"] == "evershop-main"
    assert "keyword eq" in main["capabilities"]["filters"]
    assert main["capabilities"]["groupWrites"] == []
    assert main["capabilities"]["customerWrites"] == ["create", "delete", "update"]


async def test_every_response_reports_the_sources(gateway: Gateway) -> None:
    payload = await gateway.query(
        '{ customers(filters: [{key: "source", operation: eq, value: "evershop-main"}]) { total } }'
    )
    reports = {s["name"]: s for s in payload["extensions"]["sources"]}
    assert reports["evershop-main"]["status"] == "ok"
    assert reports["evershop-main"]["latencyMs"] >= 0
    assert reports["evershop-outlet"]["status"] == "skipped"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{ customers { total "}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ customers { nope } }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {
                "query": "query($f: [FilterInput]) { customers(filters: $f) { total } }",
                "variables": {"f": [{"key": "page", "operation": "between"}]},
            },
            "BAD_USER_INPUT",
        ),
        (
            {
                "query": '{ customers(filters: [{key: "colour", operation: eq, value: "red"}]) { total } }',
                "extensions": {"strictFilters": True},
            },
            "BAD_USER_INPUT",
        ),
    ],
)
async def test_bad_requests_have_codes_and_no_traceback(
    gateway: Gateway, body: dict[str, object], code: str
) -> None:
    response = await gateway.client.post("/graphql", json=body)
    assert response.status_code in (200, 400)
    payload = response.json()
    assert payload["errors"][0]["extensions"]["code"] == code
    assert "Traceback" not in response.text


async def test_unparsable_body_is_a_400_not_a_500(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_health_and_readiness(gateway: Gateway) -> None:
    assert (await gateway.client.get("/healthz")).json() == {"status": "ok"}
    ready = await gateway.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["sources"] == {"evershop-main": "ok", "evershop-outlet": "ok"}
