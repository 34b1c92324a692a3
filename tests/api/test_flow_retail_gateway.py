"""Flow Retail sources through the whole gateway (Starlette app over ASGI), next to EverShop.

Oracles are the emulators' own data (`customer_objects()`, `customer_rows()`, ...), read apart
from the connector's mapping; upstream requests are counted at the emulators' journals.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.server.settings import Timeouts
from customer_gateway.text.collation import en_us_key
from tests.api.conftest import Gateway, evershop_source
from tests.api.flow_fixtures import BERGEN, OSLO, flow_gateway, flow_source, flow_time

pytestmark = pytest.mark.anyio

LIST = """query($filters: [FilterInput]) {
  customers(filters: $filters) {
    total currentPage
    items { uuid nativeId email fullName source { name kind } }
  }
}"""
CUSTOMER = """query($id: String) {
  customer(id: $id) {
    uuid nativeId customerId email fullName phone vatNumber status
    createdAt { value } updatedAt { value } urn metaData source { name kind }
    group { uuid groupName }
    groups { uuid nativeId groupName customerGroupId }
    addresses { kind address1 postcode city country { code } isDefault telephone }
  }
}"""
BATCH = """mutation($source: String!, $create: [CustomerCreateInput!], $update: [CustomerBatchUpdate!],
           $delete: [String!], $upsert: [CustomerBatchUpsert!]) {
  batchCustomers(source: $source, create: $create, update: $update, delete: $delete,
                 upsert: $upsert) {
    ok
    items { operation index ok uuid customer { uuid email fullName groups { nativeId } }
            error { code message field retryable } }
  }
}"""


def _filters(**values: str | int) -> list[dict[str, str]]:
    return [{"key": k, "operation": "eq", "value": str(v)} for k, v in values.items()]


def _sources(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {source["name"]: source for source in payload["extensions"]["sources"]}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _evershop(customers: int = 15) -> EverShopEmulator:
    return EverShopEmulator(seed=1, customers=customers)


def _flow(customers: int = 25, **options: Any) -> FlowRetailEmulator:
    return FlowRetailEmulator(seed=4, customers=customers, **options)


def _interleave(evershop: EverShopEmulator, flow: FlowRetailEmulator) -> None:
    """Flow customers created amid EverShop's (one at the very same millisecond)."""
    times = sorted(row["created_at"] for row in evershop.customer_rows())
    for number, moment in enumerate(times[::4]):
        shifted = moment if number == 0 else moment + timedelta(hours=number)
        flow.add_customer(
            OSLO,
            firstname="Mellom",
            lastname=f"Kunde{number}",
            email=f"mellom{number}@example.no",
            createdAt=_iso(shifted),
        )


def _created(evershop: EverShopEmulator, flow: FlowRetailEmulator) -> dict[str, tuple[float, int]]:
    """uuid -> (creation time, source position in the configuration)."""
    times = {
        f"evershop-main:{row['uuid']}": (row["created_at"].timestamp(), 0)
        for row in evershop.customer_rows()
    }
    times.update(
        (f"flow-oslo:{obj['customerUid']}", (flow_time(obj["createdAt"]).timestamp(), 1))
        for obj in flow.customer_objects(OSLO)
    )
    return times


def _newest_first(evershop: EverShopEmulator, flow: FlowRetailEmulator) -> list[str]:
    """Every uuid newest first; equal times in configuration order (EverShop first)."""
    times = _created(evershop, flow)
    return sorted(times, key=lambda uuid: (-times[uuid][0], times[uuid][1]))


async def _walk(gateway: Gateway, limit: int, **filters: str) -> tuple[list[str], int]:
    uuids: list[str] = []
    page = 1
    while True:
        payload = await gateway.query(
            LIST, {"filters": _filters(**filters, page=page, limit=limit)}
        )
        assert "errors" not in payload, payload["errors"]
        items = payload["data"]["customers"]["items"]
        uuids += [item["uuid"] for item in items]
        if len(items) < limit:
            return uuids, payload["data"]["customers"]["total"]
        page += 1


# -- reads -------------------------------------------------------------------------------------


async def test_customers_merge_flow_and_evershop_newest_first() -> None:
    evershop, flow = _evershop(), _flow()
    _interleave(evershop, flow)
    async with flow_gateway({"evershop-main": evershop}, {"flow-oslo": flow}) as gateway:
        uuids, total = await _walk(gateway, 7)
        payload = await gateway.query(LIST, {"filters": _filters(limit=5)})
    expected = _newest_first(evershop, flow)
    times = _created(evershop, flow)
    assert total == 15 + 25 + 4
    assert len(uuids) == len(set(uuids)) == total
    assert set(uuids) == set(expected)
    # EverShop's seed has two customers created at the same millisecond: their order is the
    # source's own, so the merged list is compared by (time, source) at every position.
    assert [times[u] for u in uuids] == [times[u] for u in expected]
    # The tie at the same millisecond goes to the source configured first.
    tie = expected.index("flow-oslo:" + flow.customer_objects(OSLO)[25]["customerUid"])
    assert expected[tie - 1].startswith("evershop-main:")
    assert [i["uuid"] for i in payload["data"]["customers"]["items"]] == uuids[:5]
    flow_report = _sources(payload)["flow-oslo"]
    assert flow_report["pushedDown"] == ["sort created_at desc"]
    assert flow_report["requests"] == 1  # the first five of each source: one page


async def test_email_order_is_the_gateways_collation() -> None:
    """Flow sorts text in its own (Norwegian) order; the merged list follows the gateway's."""
    evershop, flow = _evershop(), _flow(customers=12)
    for email in ("kari@example.no", "kari2@example.no", "Kari.b@example.no", "åse@example.no"):
        flow.add_customer(OSLO, firstname="Kari", lastname="Berg", email=email)
    flow.add_customer(OSLO, firstname="Uten", lastname="Epost")
    rows: list[tuple[Any, int, str]] = [
        (row["email"], 0, f"evershop-main:{row['uuid']}") for row in evershop.customer_rows()
    ]
    rows += [(o["email"], 1, f"flow-oslo:{o['customerUid']}") for o in flow.customer_objects(OSLO)]
    present = [row for row in rows if row[0] is not None]
    missing = [row[2] for row in rows if row[0] is None]
    assert missing  # Flow persons without an e-mail: nulls last ascending, first descending
    ascending = [u for _, _, u in sorted(present, key=lambda r: (en_us_key(r[0]), r[1]))]
    descending = [
        u for _, _, u in sorted(present, key=lambda r: (en_us_key(r[0]), -r[1]), reverse=True)
    ]
    async with flow_gateway({"evershop-main": evershop}, {"flow-oslo": flow}) as gateway:
        up, _ = await _walk(gateway, 6, ob="email")
        down, _ = await _walk(gateway, 6, ob="email", od="DESC")
    assert up == ascending + missing
    assert down == missing + descending


async def test_keyword_is_pushed_to_search_and_rechecked_by_the_gateway() -> None:
    evershop, flow = _evershop(), _flow(customers=60)
    kari = flow.add_customer(OSLO, firstname="Kari", lastname="Nordmann", city="Oslo")
    names = [
        (f"evershop-main:{r['uuid']}", r["full_name"], r["email"]) for r in evershop.customer_rows()
    ]
    names += [
        (f"flow-oslo:{o['customerUid']}", o["displayName"], o["email"])
        for o in flow.customer_objects(OSLO)
    ]

    def oracle(word: str) -> set[str]:
        return {u for u, n, e in names if any(word.lower() in (t or "").lower() for t in (n, e))}

    in_oslo = [o for o in flow.customer_objects(OSLO) if o["city"] == "Oslo"]
    assert len(oracle("oslo")) < len(in_oslo)  # the search finds more: its `query` spans cities
    async with flow_gateway({"evershop-main": evershop}, {"flow-oslo": flow}) as gateway:
        for word in ("oslo", "an", "Kari Nordmann"):
            payload = await gateway.query(LIST, {"filters": _filters(keyword=word, limit=100)})
            found = {item["uuid"] for item in payload["data"]["customers"]["items"]}
            assert found == oracle(word), word
            assert payload["data"]["customers"]["total"] == len(oracle(word))
        report = _sources(payload)
    assert f"flow-oslo:{kari['customerUid']}" in found
    assert report["flow-oslo"]["pushedDown"] == ["keyword eq", "sort created_at desc"]
    assert report["flow-oslo"]["appliedByGateway"] == ["keyword eq"]
    assert report["evershop-main"]["pushedDown"] == ["keyword eq", "sort created_at desc"]
    assert report["evershop-main"]["appliedByGateway"] == []
    searches = flow.requests("POST", f"/v2/tenants/{OSLO}/customers/search")
    assert len(searches) == 3
    assert not flow.requests("GET", f"/v2/tenants/{OSLO}/customers")


async def test_customer_by_id_with_groups_and_addresses() -> None:
    flow = _flow()
    obj = flow.add_customer(
        OSLO,
        customerType="COMPANY",
        companyName="Fjord Bygg AS",
        firstname="Ola",
        lastname="Fjord",
        email="post@fjordbygg.no",
        mobile="+4791234567",
        vatNumber="NO999888777MVA",
        address="Storgata 1",
        postalCode="0155",
        city="Oslo",
        countryCode="NO",
        customerGroupUids=["bedrift", "vip"],
        ledgerNumber="010045",
    )
    uuid = f"flow-oslo:{obj['customerUid']}"
    async with flow_gateway(
        {},
        {"flow-oslo": flow, "flow-bergen": flow},
        sources=(
            flow_source("flow-oslo", flow),
            flow_source(
                "flow-bergen",
                flow,
                credentials={"tenant": BERGEN, "token": flow.integration_tokens[BERGEN]},
            ),
        ),
    ) as gateway:
        payload = await gateway.query(CUSTOMER, {"id": uuid})
        unknown = await gateway.query(CUSTOMER, {"id": "flow-oslo:c-00000000"})
        crossed = await gateway.query(CUSTOMER, {"id": f"flow-bergen:{obj['customerUid']}"})
    customer = payload["data"]["customer"]
    assert customer["uuid"] == uuid
    assert customer["nativeId"] == obj["customerUid"]
    assert isinstance(customer["customerId"], int)
    assert (customer["fullName"], customer["email"], customer["phone"]) == (
        "Fjord Bygg AS",
        "post@fjordbygg.no",
        "+4791234567",
    )
    assert (customer["vatNumber"], customer["status"]) == ("NO999888777MVA", 1)
    assert customer["createdAt"]["value"] == str(
        int(flow_time(obj["createdAt"]).timestamp() * 1000)
    )
    assert customer["source"] == {"name": "flow-oslo", "kind": "flow_retail"}
    assert customer["urn"] == f"urn:customer-gateway:flow_retail:customer:{uuid}"
    assert customer["metaData"]["customerType"] == "COMPANY"
    assert customer["metaData"]["ledgerNumber"] == "010045"
    assert customer["group"] == {"uuid": "flow-oslo:bedrift", "groupName": "Bedrift"}
    assert [(g["uuid"], g["groupName"]) for g in customer["groups"]] == [
        ("flow-oslo:bedrift", "Bedrift"),
        ("flow-oslo:vip", "VIP"),
    ]
    assert customer["addresses"] == [
        {
            "kind": "address",
            "address1": "Storgata 1",
            "postcode": "0155",
            "city": "Oslo",
            "country": {"code": "NO"},
            "isDefault": True,
            "telephone": "+4791234567",
        }
    ]
    assert unknown["data"]["customer"] is None
    # One tenant's customer through the other tenant's path: not found there.
    assert crossed["data"]["customer"] is None
    assert flow.requests("GET", f"/v2/tenants/{BERGEN}/customers/")[0].status == 404


async def test_several_groups_per_customer_and_the_group_filter() -> None:
    evershop, flow = _evershop(), _flow(customers=80)
    objects = flow.customer_objects(OSLO)
    vip = {f"flow-oslo:{o['customerUid']}" for o in objects if "vip" in o["customerGroupUids"]}
    not_first = [o for o in objects if o["customerGroupUids"][1:2] == ["vip"]]
    either = {
        f"flow-oslo:{o['customerUid']}"
        for o in objects
        if {"vip", "ansatte"} & set(o["customerGroupUids"])
    }
    assert not_first
    assert len(either) > len(vip)
    query = """query($filters: [FilterInput]) { customers(filters: $filters) {
      total items { uuid group { nativeId } groups { nativeId groupName } } } }"""
    async with flow_gateway({"evershop-main": evershop}, {"flow-oslo": flow}) as gateway:
        by_vip = await gateway.query(
            query,
            {
                "filters": [{"key": "group", "operation": "eq", "value": "flow-oslo:vip"}]
                + _filters(limit=100)
            },
        )
        by_either = await gateway.query(
            query,
            {
                "filters": [
                    {"key": "group", "operation": "in", "value": "flow-oslo:vip,flow-oslo:ansatte"}
                ]
                + _filters(limit=100)
            },
        )
        groups = await gateway.query(
            """{ customerGroups(filters: [{key: "source", operation: eq, value: "flow-oslo"}]) {
                 total items { uuid groupName } } }"""
        )
    data = by_vip["data"]["customers"]
    assert data["total"] == len(vip)
    assert {item["uuid"] for item in data["items"]} == vip
    for item in data["items"]:
        assert "vip" in [g["nativeId"] for g in item["groups"]]
    shown = {item["uuid"]: item for item in data["items"]}
    second = shown[f"flow-oslo:{not_first[0]['customerUid']}"]
    assert [g["nativeId"] for g in second["groups"]] == not_first[0]["customerGroupUids"]
    assert second["group"]["nativeId"] == not_first[0]["customerGroupUids"][0]
    assert {item["uuid"] for item in by_either["data"]["customers"]["items"]} == either
    assert _sources(by_vip)["evershop-main"]["status"] == "skipped"
    assert {(g["uuid"], g["groupName"]) for g in groups["data"]["customerGroups"]["items"]} == {
        (f"flow-oslo:{g['customerGroupUid']}", g["name"]) for g in flow.group_objects(OSLO)
    }


# -- mutations ---------------------------------------------------------------------------------

CREATE = """mutation($source: String!, $input: CustomerCreateInput!) {
  createCustomer(source: $source, input: $input) {
    uuid nativeId email fullName phone vatNumber groups { nativeId } metaData } }"""
UPDATE = """mutation($id: String!, $input: CustomerUpdateInput!) {
  updateCustomer(id: $id, input: $input) { uuid fullName email groups { nativeId } } }"""
DELETE = """mutation($id: String!) { deleteCustomer(id: $id) { uuid nativeId source { name } } }"""


async def test_customer_mutations_with_several_groups() -> None:
    flow = _flow()
    async with flow_gateway({}, {"flow-oslo": flow}) as gateway:
        person = await gateway.query(
            CREATE,
            {
                "source": "flow-oslo",
                "input": {
                    "email": "anne@example.no",
                    "firstName": "Anne Marie",
                    "lastName": "Berg",
                    "phone": "+47 912 34 567",
                    "groupIds": ["flow-oslo:vip", "stamkunde"],
                },
            },
        )
        company = await gateway.query(
            CREATE,
            {
                "source": "flow-oslo",
                "input": {
                    "email": "post@fjord.no",
                    "fullName": "Fjord AS",
                    "companyName": "Fjord AS",
                    "vatNumber": "NO999888777MVA",
                },
            },
        )
        created = person["data"]["createCustomer"]
        moved = await gateway.query(
            UPDATE, {"id": created["uuid"], "input": {"groupIds": ["flow-oslo:ansatte"]}}
        )
        renamed = await gateway.query(
            UPDATE,
            {
                "id": company["data"]["createCustomer"]["uuid"],
                "input": {"fullName": "Fjord Nord AS"},
            },
        )
        deleted = await gateway.query(DELETE, {"id": created["uuid"]})
        gone = await gateway.query(CUSTOMER, {"id": created["uuid"]})
    assert created["fullName"] == "Anne Marie Berg"
    assert created["phone"] == "+4791234567"
    assert [g["nativeId"] for g in created["groups"]] == ["vip", "stamkunde"]
    made = company["data"]["createCustomer"]
    assert (made["fullName"], made["vatNumber"]) == ("Fjord AS", "NO999888777MVA")
    assert made["metaData"]["customerType"] == "COMPANY"
    assert [g["nativeId"] for g in moved["data"]["updateCustomer"]["groups"]] == ["ansatte"]
    assert renamed["data"]["updateCustomer"]["fullName"] == "Fjord Nord AS"
    stored = {o["customerUid"]: o for o in flow.customer_objects(OSLO)}
    assert stored[made["nativeId"]]["companyName"] == "Fjord Nord AS"
    assert deleted["data"]["deleteCustomer"] == {
        "uuid": created["uuid"],
        "nativeId": created["nativeId"],
        "source": {"name": "flow-oslo"},
    }
    assert created["nativeId"] not in stored
    assert gone["data"]["customer"] is None


async def test_fields_flow_cannot_store_are_refused_by_name() -> None:
    flow = _flow()
    uid = flow.customer_objects(OSLO)[0]["customerUid"]
    async with flow_gateway({}, {"flow-oslo": flow}) as gateway:
        flow.reset_journal()
        password = await gateway.query(
            CREATE,
            {
                "source": "flow-oslo",
                "input": {"email": "a@example.no", "fullName": "A B", "password": "secret1"},
            },
        )
        status = await gateway.query(UPDATE, {"id": f"flow-oslo:{uid}", "input": {"status": 0}})
        both = await gateway.query(
            UPDATE, {"id": f"flow-oslo:{uid}", "input": {"groupId": "vip", "groupIds": ["vip"]}}
        )
        foreign = await gateway.query(
            UPDATE, {"id": f"flow-oslo:{uid}", "input": {"groupIds": ["evershop-main:1"]}}
        )
    for payload, field in ((password, "password"), (status, "status")):
        error = payload["errors"][0]
        assert error["extensions"]["code"] == "UNSUPPORTED_OPERATION"
        assert error["extensions"]["field"] == field
        assert field in error["message"]
    assert both["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert foreign["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert flow.journal == []  # nothing was sent


async def test_delete_without_backoffice_names_the_permission() -> None:
    flow = _flow()
    uid = flow.customer_objects(OSLO)[0]["customerUid"]
    read_only = {"tenant": OSLO, "token": "flow-sandbox-access-token"}
    sources = (flow_source("flow-oslo", flow, credentials=read_only),)
    async with flow_gateway({}, {"flow-oslo": flow}, sources=sources) as gateway:
        payload = await gateway.query(DELETE, {"id": f"flow-oslo:{uid}"})
    error = payload["errors"][0]
    assert payload["data"]["deleteCustomer"] is None
    assert error["extensions"]["code"] == "UPSTREAM_AUTH_FAILED"
    assert error["extensions"]["source"] == "flow-oslo"
    assert "TENANT.BACKOFFICE" in error["message"]
    assert "flow-sandbox-access-token" not in str(payload)
    assert uid in {o["customerUid"] for o in flow.customer_objects(OSLO)}


async def test_group_mutations() -> None:
    flow = _flow()
    member = flow.customer_objects(OSLO)[0]["customerUid"]
    async with flow_gateway({}, {"flow-oslo": flow}) as gateway:
        created = await gateway.query(
            """mutation { createCustomerGroup(source: "flow-oslo", input: {groupName: "Naboer"}) {
                 uuid nativeId groupName source { kind } } }"""
        )
        group = created["data"]["createCustomerGroup"]
        await gateway.query(
            UPDATE, {"id": f"flow-oslo:{member}", "input": {"groupIds": [group["uuid"], "vip"]}}
        )
        renamed = await gateway.query(
            """mutation($id: String!) { updateCustomerGroup(id: $id, input: {groupName: "Nabolag"})
                 { uuid groupName } }""",
            {"id": group["uuid"]},
        )
        shown = await gateway.query(CUSTOMER, {"id": f"flow-oslo:{member}"})
        deleted = await gateway.query(
            "mutation($id: String!) { deleteCustomerGroup(id: $id) { uuid } }",
            {"id": group["uuid"]},
        )
        again = await gateway.query(
            "mutation($id: String!) { deleteCustomerGroup(id: $id) { uuid } }",
            {"id": group["uuid"]},
        )
    assert (group["groupName"], group["source"]["kind"]) == ("Naboer", "flow_retail")
    assert renamed["data"]["updateCustomerGroup"] == {"uuid": group["uuid"], "groupName": "Nabolag"}
    assert [g["groupName"] for g in shown["data"]["customer"]["groups"]] == ["Nabolag", "VIP"]
    assert deleted["data"]["deleteCustomerGroup"] == {"uuid": group["uuid"]}
    assert again["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert group["nativeId"] not in {g["customerGroupUid"] for g in flow.group_objects(OSLO)}
    stored = {o["customerUid"]: o for o in flow.customer_objects(OSLO)}
    assert stored[member]["customerGroupUids"] == ["vip"]


# -- batch -------------------------------------------------------------------------------------


async def test_flow_batch_is_one_request_and_207_is_a_partial_success() -> None:
    flow = _flow()
    objects = flow.customer_objects(OSLO)
    variables = {
        "source": "flow-oslo",
        "create": [
            {"email": "liv@example.no", "fullName": "Liv Ullmann"},
            {"email": "not-an-email", "fullName": "Ugyldig Epost"},
            {
                "email": "ola@example.no",
                "firstName": "Ola",
                "lastName": "Nei",
                "groupIds": ["flow-oslo:no-such-group"],
            },
        ],
        "update": [
            {"id": "flow-oslo:c-00000000", "input": {"phone": "+4790000001"}},
            {"id": f"flow-oslo:{objects[0]['customerUid']}", "input": {"groupIds": ["vip"]}},
        ],
        "delete": [f"flow-oslo:{objects[1]['customerUid']}"],
        "upsert": [{"input": {"email": "ny@example.no", "fullName": "Ny Kunde"}}],
    }
    async with flow_gateway({}, {"flow-oslo": flow}) as gateway:
        flow.reset_journal()
        payload = await gateway.query(BATCH, variables)
        result = payload["data"]["batchCustomers"]
        landed = await gateway.query(CUSTOMER, {"id": result["items"][0]["uuid"]})
    assert "errors" not in payload
    assert result["ok"] is False
    rows = [
        (i["operation"], i["index"], i["ok"], i["error"] and i["error"]["code"])
        for i in result["items"]
    ]
    assert rows == [
        ("CREATE", 0, True, None),
        ("CREATE", 1, False, "BAD_USER_INPUT"),
        ("CREATE", 2, False, "UPSTREAM_REJECTED"),
        ("UPDATE", 0, False, "NOT_FOUND"),
        ("UPDATE", 1, True, None),
        ("DELETE", 0, True, None),
        ("UPSERT", 0, True, None),
    ]
    items = result["items"]
    assert items[1]["error"]["field"] == "email"
    assert items[1]["uuid"] is None
    assert items[1]["customer"] is None
    assert items[0]["customer"]["email"] == "liv@example.no"
    assert items[4]["customer"]["groups"] == [{"nativeId": "vip"}]
    assert items[5]["customer"] is None
    assert items[5]["uuid"] == f"flow-oslo:{objects[1]['customerUid']}"
    assert items[6]["customer"]["fullName"] == "Ny Kunde"
    assert landed["data"]["customer"]["fullName"] == "Liv Ullmann"
    batches = flow.requests("POST", f"/v2/tenants/{OSLO}/customers/batch")
    assert [b.status for b in batches] == [207]  # one request; the invalid item never sent
    stored = {o["customerUid"]: o for o in flow.customer_objects(OSLO)}
    assert objects[1]["customerUid"] not in stored
    assert {"liv@example.no", "ny@example.no"} <= {o["email"] for o in stored.values()}
    assert "ola@example.no" not in {o["email"] for o in stored.values()}


async def test_evershop_batch_runs_items_one_by_one_within_its_limits() -> None:
    evershop = _evershop(customers=3)
    create = [
        {"email": f"kunde{i}@example.com", "fullName": f"Kunde {i}", "password": "secret12"}
        for i in range(10)
    ]
    async with flow_gateway({"evershop-main": evershop}, {}) as gateway:
        evershop.reset_journal()
        payload = await gateway.query(BATCH, {"source": "evershop-main", "create": create})
    result = payload["data"]["batchCustomers"]
    assert result["ok"] is False
    assert [i["ok"] for i in result["items"]] == [True] * 8 + [False] * 2
    for item in result["items"][8:]:
        assert item["error"]["code"] == "UPSTREAM_RATE_LIMITED"
        assert item["error"]["retryable"] is True
    assert [i["customer"]["email"] for i in result["items"][:8]] == [
        f"kunde{i}@example.com" for i in range(8)
    ]
    # The ninth and tenth were refused by the gateway: EverShop never saw them.
    assert [e.status for e in evershop.requests("POST", "/api/customers")] == [200] * 8
    assert len(evershop.customer_rows()) == 11


# -- export, store view, external register, extensions -----------------------------------------

EXPORT = """query($id: String!) { customerDataExport(id: $id) {
  uuid native notHeld source { name kind } document } }"""


async def test_data_export_is_native_for_flow_and_assembled_for_evershop() -> None:
    evershop, flow = _evershop(), _flow()
    obj = next(o for o in flow.customer_objects(OSLO) if o["consents"] and o["customerGroupUids"])
    row = evershop.customer_rows()[0]
    async with flow_gateway({"evershop-main": evershop}, {"flow-oslo": flow}) as gateway:
        native = await gateway.query(EXPORT, {"id": f"flow-oslo:{obj['customerUid']}"})
        assembled = await gateway.query(EXPORT, {"id": f"evershop-main:{row['uuid']}"})
        unknown = await gateway.query(EXPORT, {"id": "flow-oslo:c-00000000"})
    export = native["data"]["customerDataExport"]
    assert (export["native"], export["notHeld"]) == (True, [])
    assert export["source"] == {"name": "flow-oslo", "kind": "flow_retail"}
    assert export["document"]["customer"] == obj
    assert export["document"]["consents"] == obj["consents"]
    names = {g["customerGroupUid"]: g["name"] for g in flow.group_objects(OSLO)}
    assert export["document"]["customerGroups"] == [
        {"customerGroupUid": uid, "name": names[uid]} for uid in obj["customerGroupUids"]
    ]
    other = assembled["data"]["customerDataExport"]
    assert other["native"] is False
    assert other["notHeld"] == ["contacts", "consents", "extensions", "storeCustomerDetails"]
    document = other["document"]
    assert set(document) == {
        "exportedAt",
        "customer",
        "addresses",
        "customerGroups",
        "contacts",
        "consents",
        "extensions",
        "storeCustomerDetails",
    }
    assert document["customer"]["email"] == row["email"]
    assert document["customer"]["fullName"] == row["full_name"]
    assert [g["nativeId"] for g in document["customerGroups"]] == [str(row["group_id"])]
    assert document["consents"] == []
    assert unknown["data"]["customerDataExport"] is None


async def test_store_view_of_a_customer() -> None:
    evershop, flow = _evershop(), _flow()
    tenant = flow.tenants[OSLO]
    obj = next(o for o in flow.customer_objects(OSLO) if tenant.visited_stores(o["customerUid"]))
    store = tenant.visited_stores(obj["customerUid"])[0]
    expected = tenant.store_details(obj["customerUid"], store)
    query = """query($id: String, $store: String!) { customer(id: $id) {
      storeView(storeId: $store) { storeId storeName firstVisitAt lastVisitAt visitCount
                                   loyaltyPoints details } } }"""
    async with flow_gateway({"evershop-main": evershop}, {"flow-oslo": flow}) as gateway:
        view = await gateway.query(query, {"id": f"flow-oslo:{obj['customerUid']}", "store": store})
        unknown = await gateway.query(
            query, {"id": f"flow-oslo:{obj['customerUid']}", "store": "no-such-store"}
        )
        other = await gateway.query(
            query, {"id": f"evershop-main:{evershop.customer_rows()[0]['uuid']}", "store": store}
        )
    shown = view["data"]["customer"]["storeView"]
    for key in ("firstVisitAt", "lastVisitAt"):
        assert flow_time(shown.pop(key)) == flow_time(str(expected[key]))
    assert shown == {
        "storeId": store,
        "storeName": expected["storeName"],
        "visitCount": expected["visitCount"],
        "loyaltyPoints": expected["loyaltyPoints"],
        "details": expected,
    }
    assert unknown["data"]["customer"]["storeView"] is None
    assert other["data"]["customer"]["storeView"] is None
    assert other["errors"][0]["extensions"]["code"] == "UNSUPPORTED_OPERATION"
    assert other["errors"][0]["path"] == ["customer", "storeView"]


@pytest.mark.parametrize("store", ["..", "a/../..", "s?x=1", "%2e"])
async def test_a_store_id_that_is_not_one_path_segment_is_refused(store: str) -> None:
    evershop, flow = _evershop(), _flow()
    obj = flow.customer_objects(OSLO)[0]
    query = """query($id: String, $store: String!) { customer(id: $id) {
      storeView(storeId: $store) { storeId } } }"""
    async with flow_gateway({"evershop-main": evershop}, {"flow-oslo": flow}) as gateway:
        flow.journal.clear()
        payload = await gateway.query(
            query, {"id": f"flow-oslo:{obj['customerUid']}", "store": store}
        )
        assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert payload["errors"][0]["extensions"]["field"] == "storeId"
        assert not [e for e in flow.journal if "/stores/" in e.path]


async def test_external_customer_search_with_and_without_the_extension() -> None:
    evershop, flow = _evershop(), _flow(external_search_tenants=[OSLO])
    register = flow.tenants[OSLO].register

    def hit(text: str) -> bool:
        return "as" in text.replace(" ", "").casefold()

    matching = [h for h in register if hit(h["name"]) or hit(h["organizationNumber"])]
    query = """query($source: String!, $page: Int!) {
      externalCustomerSearch(source: $source, query: "as", page: $page, limit: 4) {
        total currentPage items { name organizationNumber city countryCode registry } } }"""
    sources = (
        evershop_source("evershop-main", evershop),
        flow_source("flow-oslo", flow),
        flow_source(
            "flow-bergen",
            flow,
            credentials={"tenant": BERGEN, "token": flow.integration_tokens[BERGEN]},
        ),
    )
    async with flow_gateway(
        {"evershop-main": evershop}, {"flow-oslo": flow, "flow-bergen": flow}, sources=sources
    ) as gateway:
        second = await gateway.query(query, {"source": "flow-oslo", "page": 2})
        lacking = await gateway.query(query, {"source": "flow-bergen", "page": 1})
        evershop_answer = await gateway.query(query, {"source": "evershop-main", "page": 1})
    found = second["data"]["externalCustomerSearch"]
    assert found["total"] == len(matching)
    assert found["currentPage"] == 2
    assert found["items"] == [
        {
            "name": h["name"],
            "organizationNumber": h["organizationNumber"],
            "city": h["city"],
            "countryCode": "NO",
            "registry": "BRREG",
        }
        for h in matching[4:8]
    ]
    error = lacking["errors"][0]
    assert lacking["data"] == {"externalCustomerSearch": None}
    assert error["extensions"]["code"] == "UNSUPPORTED_OPERATION"
    assert error["extensions"]["source"] == "flow-bergen"
    assert "EXTERNAL_CUSTOMER_SEARCH" in error["message"]
    assert evershop_answer["errors"][0]["extensions"]["code"] == "UNSUPPORTED_OPERATION"


async def test_customer_extensions_are_added_and_removed() -> None:
    evershop, flow = _evershop(), _flow()
    uid = next(o["customerUid"] for o in flow.customer_objects(OSLO) if not o["extensions"])
    store = flow.store_objects(OSLO)[0]["storeUid"]
    change = """mutation($id: String!, $code: String!, $store: String!) {
      %s(id: $id, extension: $code, storeId: $store) { uuid metaData } }"""
    add, remove = change % "addCustomerExtension", change % "removeCustomerExtension"
    target = {"id": f"flow-oslo:{uid}", "store": store}
    async with flow_gateway({"evershop-main": evershop}, {"flow-oslo": flow}) as gateway:
        added = await gateway.query(add, {**target, "code": "TWO_INVOICE"})
        stored = {o["customerUid"]: o for o in flow.customer_objects(OSLO)}[uid]
        removed = await gateway.query(remove, {**target, "code": "TWO_INVOICE"})
        flow.reset_journal()
        unknown = await gateway.query(add, {**target, "code": "EHF"})
        empty = await gateway.query(add, {**target, "code": "TWO_INVOICE", "store": " "})
        other = await gateway.query(
            add,
            {
                "id": f"evershop-main:{evershop.customer_rows()[0]['uuid']}",
                "store": store,
                "code": "TWO_INVOICE",
            },
        )
    extensions = added["data"]["addCustomerExtension"]["metaData"]["extensions"]
    assert extensions == stored["extensions"]
    assert [e["extensionCode"] for e in extensions] == ["TWO_INVOICE"]
    assert "extensions" not in removed["data"]["removeCustomerExtension"]["metaData"]
    assert {o["customerUid"]: o for o in flow.customer_objects(OSLO)}[uid]["extensions"] == []
    assert unknown["errors"][0]["extensions"]["code"] == "UPSTREAM_REJECTED"
    assert unknown["errors"][0]["extensions"]["field"] == "extension"
    assert empty["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert flow.journal == []  # neither was sent
    assert other["errors"][0]["extensions"]["code"] == "UNSUPPORTED_OPERATION"


# -- failure and authentication ----------------------------------------------------------------


async def test_one_flow_source_down_leaves_the_others() -> None:
    evershop, flow = _evershop(), _flow()
    flow.faults.add("status", status=503, path=f"/v2/tenants/{BERGEN}", times=None)
    sources = (
        evershop_source("evershop-main", evershop),
        flow_source("flow-oslo", flow),
        flow_source(
            "flow-bergen",
            flow,
            credentials={"tenant": BERGEN, "token": flow.integration_tokens[BERGEN]},
            retries=0,
        ),
    )
    async with flow_gateway(
        {"evershop-main": evershop}, {"flow-oslo": flow, "flow-bergen": flow}, sources=sources
    ) as gateway:
        payload = await gateway.query(LIST, {"filters": _filters(limit=100)})
    data = payload["data"]["customers"]
    assert data["total"] == 15 + 25
    assert {item["source"]["name"] for item in data["items"]} == {"evershop-main", "flow-oslo"}
    assert len(payload["errors"]) == 1
    error = payload["errors"][0]
    assert error["path"] == ["customers"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["source"] == "flow-bergen"
    assert error["extensions"]["retryable"] is True
    report = _sources(payload)
    assert report["flow-bergen"]["status"] == "error"
    assert report["flow-oslo"]["status"] == "ok"


async def test_a_device_flow_source_serves_and_keeps_its_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    flow = _flow()
    device = {
        "tenant": OSLO,
        "device_token": "flow-sandbox-device-token",
        "user_code": "1001",
        "password": "flow-sandbox-password",
    }
    sources = (flow_source("flow-oslo", flow, credentials=device),)
    async with flow_gateway({}, {"flow-oslo": flow}, sources=sources) as gateway:
        first = await gateway.query(LIST, {"filters": _filters(limit=3)})
        for grant in list(flow.tokens.grants.values()):
            if grant.kind == "access":
                flow.revoke(grant.token)
        second = await gateway.query(LIST, {"filters": _filters(limit=3)})
        sources_info = await gateway.query("{ sources { name kind } }")
    assert first["data"]["customers"]["items"] == second["data"]["customers"]["items"]
    assert len(first["data"]["customers"]["items"]) == 3
    assert [e.path for e in flow.journal].count("/v2/account") == 2
    tokens = [g.token for g in flow.tokens.grants.values() if g.kind == "access"]
    secrets = ["flow-sandbox-device-token", "flow-sandbox-password", *tokens]
    for text in (str(first), str(second), str(sources_info), caplog.text):
        for secret in secrets:
            assert secret not in text


async def test_items_run_by_the_gateway_each_get_the_sources_timeout() -> None:
    """A source's timeout bounds one upstream call: a batch of slow creates is not one call."""
    evershop = _evershop(customers=3)
    evershop.faults.add("latency", method="POST", path="/api/customers", seconds=0.15, times=None)
    create = [
        {"email": f"treg{i}@example.com", "fullName": f"Treg Kunde{i}", "password": "secret12"}
        for i in range(4)
    ]
    sources = (evershop_source("evershop-main", evershop, timeouts=Timeouts(total=0.4)),)
    async with flow_gateway({"evershop-main": evershop}, {}, sources=sources) as gateway:
        payload = await gateway.query(BATCH, {"source": "evershop-main", "create": create})
    result = payload["data"]["batchCustomers"]
    assert "errors" not in payload
    assert [i["ok"] for i in result["items"]] == [True] * 4
    assert len(evershop.customer_rows()) == 7


async def test_a_list_page_builds_metadata_only_when_it_selects_it() -> None:
    """`metaData` on a list page is the customer's own (as `customer(id)` shows it); a page that
    does not select it maps none (bench/README.md, instructions per request)."""
    flow = _flow()
    obj = flow.add_customer(OSLO, firstname="Kari", lastname="Nordmann", ledgerNumber="020077")
    uuid = f"flow-oslo:{obj['customerUid']}"
    listing = """query($filters: [FilterInput]) {
      customers(filters: $filters) { items { uuid %s } } }"""
    async with flow_gateway({}, {"flow-oslo": flow}, sources=(flow_source("flow-oslo", flow),)) as (
        gateway
    ):
        detail = await gateway.query(CUSTOMER, {"id": uuid})
        page = await gateway.query(listing % "metaData", {"filters": _filters(source="flow-oslo")})
        plain = await gateway.query(listing % "email", {"filters": _filters(source="flow-oslo")})
    items = {item["uuid"]: item for item in page["data"]["customers"]["items"]}
    assert items[uuid]["metaData"] == detail["data"]["customer"]["metaData"]
    assert items[uuid]["metaData"]["ledgerNumber"] == "020077"
    assert "errors" not in plain


UUIDS_ONLY = """query Q($filters: [FilterInput]) { customers(filters: $filters) {
  total items { uuid } } }"""


async def test_a_filter_the_gateway_rechecks_reads_a_field_the_page_does_not_select() -> None:
    """The page selects only `uuid`; its phone and VAT filters (SUPERSET pushdowns the gateway
    checks again) and its company filter (applied by the gateway) still read those attributes
    of each row (`CustomerQuery.reads`)."""
    evershop, flow = _evershop(), _flow(customers=30)
    flow.add_customer(
        OSLO, firstname="Ola", lastname="Vik", mobile="+4791111111", vatNumber="NO1MVA"
    )
    flow.add_customer(OSLO, customerType="COMPANY", companyName="Vik Bygg AS")
    objects = flow.customer_objects(OSLO)

    def oracle(key: str, wanted: Any) -> set[str]:
        return {f"flow-oslo:{o['customerUid']}" for o in objects if wanted(o.get(key))}

    cases = [
        ({"phone": "+4791111111"}, oracle("mobile", lambda v: v == "+4791111111")),
        ({"vat_number": "NO1MVA"}, oracle("vatNumber", lambda v: v == "NO1MVA")),
        ({"company_name": "Vik Bygg AS"}, oracle("companyName", lambda v: v == "Vik Bygg AS")),
    ]
    async with flow_gateway({"evershop-main": evershop}, {"flow-oslo": flow}) as gateway:
        for filters, expected in cases:
            assert expected
            payload = await gateway.query(
                UUIDS_ONLY, {"filters": _filters(source="flow-oslo", limit=100, **filters)}
            )
            assert "errors" not in payload, payload["errors"]
            found = {item["uuid"] for item in payload["data"]["customers"]["items"]}
            assert found == expected, filters
            (applied,) = _sources(payload)["flow-oslo"]["appliedByGateway"][:1]
            assert applied.split()[0] == next(iter(filters))
