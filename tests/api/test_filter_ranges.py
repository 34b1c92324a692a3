"""`created_at` / `updated_at` ranges (gt gteq lt lteq) over every kind of source, and Flow Retail's
external-id, store and creation-time criteria (issue 14, item 9).

Over HTTP through the gateway (Starlette app over ASGI) against one emulator of each kind. The
oracle is each emulator's own seeded data, compared at its own precision: a bound equal to a
customer's time shows whether it is in (gteq, lteq) or out (gt, lt). Each case also checks what
the source did (`extensions.sources[].pushedDown` / `appliedByGateway`) and what reached it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs

import pytest

from tests.api.flow_fixtures import OSLO
from tests.api.kinds_fixtures import all_kinds

pytestmark = pytest.mark.anyio

OPS: dict[str, Callable[[datetime, datetime], bool]] = {
    "gt": lambda moment, bound: moment > bound,
    "gteq": lambda moment, bound: moment >= bound,
    "lt": lambda moment, bound: moment < bound,
    "lteq": lambda moment, bound: moment <= bound,
}
SOURCES = ("evershop-main", "shoptet-cz", "flow-oslo", "ecwid-us", "ecwid-crm")


def _f(key: str, value: str, operation: str = "eq") -> dict[str, str]:
    return {"key": key, "operation": operation, "value": value}


def _bound_text(source: str, bound: datetime) -> str:
    """The bound as a client would write it: EverShop's `createdAt.value` (epoch milliseconds)
    for EverShop, an offset other than UTC for Flow Retail, plain UTC ISO 8601 elsewhere."""
    if source == "evershop-main":
        return str(round(bound.timestamp() * 1000))
    if source == "flow-oslo":
        return bound.astimezone(timezone(timedelta(hours=2))).isoformat()
    return bound.astimezone(UTC).isoformat()


# What each source does with a range (pushed down, re-checked by the gateway, or neither).
PUSHED = {
    ("flow-oslo", "created_at", "gt"),
    ("flow-oslo", "created_at", "gteq"),
    *(
        (source, field, op)
        for source in ("ecwid-us", "ecwid-crm")
        for field in ("created_at", "updated_at")
        for op in OPS
    ),
}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("field", ["created_at", "updated_at"])
@pytest.mark.parametrize("source", SOURCES)
async def test_a_time_range_on_each_source_matches_the_oracle(
    source: str, field: str, op: str
) -> None:
    async with all_kinds() as shops:
        times = shops.times(source, field)
        known = sorted(moment for moment in times.values() if moment is not None)
        bound = known[len(known) // 2]  # a customer's own time: the boundary case
        shops.reset()
        filters = [
            _f("source", source),
            _f(field, _bound_text(source, bound), op),
            _f("ob", "created_at"),
            _f("od", "desc"),
            _f("limit", "100"),
        ]
        payload = await shops.query(filters)
        flow_bodies = shops.flow_sent.bodies("POST", "/customers/search")
        ecwid_queries = [parse_qs(e.query) for e in shops.ecwid.journal + shops.crm.ecwid.journal]
    report = {s["name"]: s for s in payload["extensions"]["sources"]}[source]
    condition = f"{field} {op}"
    if source == "evershop-main" and field == "updated_at":
        # EverShop keeps updated_at, but its GraphQL does not give it: the filter cannot be
        # decided for its customers, a typed error (not a silent empty answer).
        assert payload["data"]["customers"] is None
        (error,) = payload["errors"]
        assert error["extensions"]["code"] == "UNSUPPORTED_OPERATION"
        assert error["extensions"]["source"] == source
        assert report["status"] == "error"
        assert shops.evershop.request_count == 0
        return
    assert "errors" not in payload, payload["errors"]
    expected = {uuid for uuid, moment in times.items() if moment and OPS[op](moment, bound)}
    assert 0 < len(expected) < len(times)
    found = [item["uuid"] for item in payload["data"]["customers"]["items"]]
    assert set(found) == expected
    assert payload["data"]["customers"]["total"] == len(expected)
    sort = "sort created_at desc"
    if (source, field, op) in PUSHED:
        assert report["pushedDown"] == [condition, sort]
        assert report["appliedByGateway"] == [condition]  # a superset, re-checked
    elif source == "shoptet-cz":
        assert report["pushedDown"] == []
        assert report["appliedByGateway"] == [condition, sort]
    else:
        assert report["pushedDown"] == [sort]
        assert report["appliedByGateway"] == [condition]
    # What reached the source.
    if source == "flow-oslo" and (source, field, op) in PUSHED:
        (body,) = flow_bodies
        sent = datetime.fromisoformat(body["createdAt"].replace("Z", "+00:00"))
        assert body == {"createdAt": body["createdAt"]}
        assert sent == bound  # milliseconds both, so exactly the bound
    elif source == "flow-oslo":
        assert flow_bodies == []
    if source in ("ecwid-us", "ecwid-crm"):
        (params,) = ecwid_queries[:1]
        name = ("created" if field == "created_at" else "updated") + (
            "From" if op in ("gt", "gteq") else "To"
        )
        seconds = int(bound.timestamp())
        widened = seconds - 1 if name.endswith("From") else seconds + 1
        assert params[name] == [str(widened)]


async def test_every_source_at_once_with_two_bounds() -> None:
    async with all_kinds() as shops:
        lower = datetime(2019, 1, 1, tzinfo=UTC)
        upper = datetime(2023, 6, 30, 12, tzinfo=UTC)
        filters = [
            _f("created_at", "2019-01-01", "gteq"),
            _f("created_at", "2023-06-30T14:00:00+02:00", "lt"),
            _f("ob", "created_at"),
            _f("od", "asc"),
            _f("limit", "100"),
        ]
        shops.reset()
        payload = await shops.query(filters)
    assert "errors" not in payload, payload["errors"]
    expected: list[tuple[datetime, str]] = []
    for source in SOURCES:
        for uuid, moment in shops.times(source, "created_at").items():
            if moment is not None and lower <= moment < upper:
                expected.append((moment, uuid))
    found = [item["uuid"] for item in payload["data"]["customers"]["items"]]
    assert payload["data"]["customers"]["total"] == len(expected)
    assert len(expected) > 20
    # Oldest first over every source (each source's times are distinct here).
    assert found == [uuid for _, uuid in sorted(expected)][: len(found)]
    reports = {s["name"]: s for s in payload["extensions"]["sources"]}
    assert reports["flow-oslo"]["pushedDown"] == ["created_at gteq", "sort created_at asc"]
    assert reports["flow-oslo"]["appliedByGateway"] == ["created_at gteq", "created_at lt"]
    assert reports["ecwid-us"]["pushedDown"] == [
        "created_at gteq",
        "created_at lt",
        "sort created_at asc",
    ]
    assert reports["evershop-main"]["appliedByGateway"] == ["created_at gteq", "created_at lt"]


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2024-13-01", "1" * 16, "2024-01-01T25:00:00", "x" * 41],
)
async def test_a_bad_time_bound_is_a_bad_user_input(value: str) -> None:
    async with all_kinds() as shops:
        payload = await shops.query([_f("created_at", value, "gt")])
    (error,) = payload["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("Filter 'created_at' takes an ISO 8601 date or date-time")
    assert shops.evershop.request_count == 0


async def test_flow_external_id_and_store_are_pushed_down_and_other_kinds_skip_them() -> None:
    async with all_kinds() as shops:
        objects = shops.flow.customer_objects(OSLO)
        target = next(o for o in objects if o["externalId"])
        store = shops.flow.store_objects(OSLO)[0]["storeUid"]
        tenant = shops.flow.tenants[OSLO]
        in_store = {
            f"flow-oslo:{o['customerUid']}"
            for o in objects
            if o["defaultStoreUid"] == store or store in tenant.visited_stores(o["customerUid"])
        }
        shops.reset()
        by_id = await shops.query([_f("external_id", target["externalId"]), _f("limit", "100")])
        id_sent = list(shops.flow_sent.sent)
        shops.reset()
        by_store = await shops.query([_f("store", store), _f("limit", "100")])
        store_sent = shops.flow_sent.bodies("POST", "/customers/search")
        shops.reset()
        both = await shops.query(
            [
                _f("store", store),
                _f("external_id", target["externalId"]),
                _f("created_at", "2015-01-01", "gt"),
                _f("limit", "100"),
            ]
        )
        both_sent = shops.flow_sent.bodies("POST", "/customers/search")
        twice = await shops.query([_f("store", store), _f("store", "other")])
        bad_store = await shops.query([_f("store", "a/b")])
    assert "errors" not in by_id, by_id["errors"]
    assert [i["uuid"] for i in by_id["data"]["customers"]["items"]] == [
        f"flow-oslo:{o['customerUid']}" for o in objects if o["externalId"] == target["externalId"]
    ]
    (request,) = id_sent
    assert (request.method, request.params["customerExternalId"]) == ("GET", target["externalId"])
    reports = {s["name"]: s for s in by_id["extensions"]["sources"]}
    assert reports["flow-oslo"]["pushedDown"][0] == "external_id eq"
    assert reports["flow-oslo"]["appliedByGateway"][0] == "external_id eq"
    for other in ("evershop-main", "shoptet-cz", "ecwid-us", "ecwid-crm"):
        assert reports[other]["status"] == "skipped"
        assert reports[other]["notes"][0].endswith(
            "keep no external_id: no customer of it can match"
        )
    for emulator in (shops.evershop, shops.shoptet, shops.ecwid, shops.crm):
        assert emulator.request_count == 0
    # The store: only Flow can tell, exactly.
    assert "errors" not in by_store
    assert {i["uuid"] for i in by_store["data"]["customers"]["items"]} == in_store
    assert 0 < len(in_store) < len(objects)
    assert store_sent == [{"storeUid": store}]
    store_report = {s["name"]: s for s in by_store["extensions"]["sources"]}["flow-oslo"]
    assert store_report["pushedDown"][0] == "store eq"
    assert "store eq" not in store_report["appliedByGateway"]
    # Together: the search takes the store and the time; the external id is the gateway's.
    assert both_sent[0]["storeUid"] == store
    assert both_sent[0]["createdAt"] == "2015-01-01T00:00:00.000Z"
    both_report = {s["name"]: s for s in both["extensions"]["sources"]}["flow-oslo"]
    assert "external_id eq" not in both_report["pushedDown"]
    assert "external_id eq" in both_report["appliedByGateway"]
    assert {i["uuid"] for i in both["data"]["customers"]["items"]} <= in_store
    # A second store is ignored as EverShop ignores a repeated key (the first applies), and said.
    assert "errors" not in twice
    assert [(f["key"], f["reason"]) for f in twice["extensions"]["ignoredFilters"]] == [
        ("store", "repeated key (the first applies)")
    ]
    assert bad_store["errors"][0]["message"] == (
        "Filter 'store' takes a store uid: letters, digits, '-' and '_'."
    )
