"""Shoptet emulator: regions, customer groups, write locks and rate limits (README 1.2, 1.3)."""

from __future__ import annotations

import asyncio
import email.utils

import pytest

from .test_shoptet_contract import FakeClock, contract_client, make_emulator

pytestmark = pytest.mark.anyio


async def test_regions_are_the_cz_and_sk_kraje_ordered_by_id() -> None:
    emulator = make_emulator()
    async with contract_client(emulator) as api:
        response = await api.get("/api/customers/regions")
    regions = response.json()["data"]["regions"]
    assert [r["id"] for r in regions] == list(range(1, 23))
    assert regions[0] == {
        "id": 1,
        "regionName": "Hlavní město Praha",
        "regionShortcut": "PHA",
        "countryCode": "CZ",
    }
    assert [r["countryCode"] for r in regions].count("SK") == 8
    assert "paginator" not in response.json()["data"]


async def test_groups_are_listed_by_priority_and_created_groups_get_a_code() -> None:
    emulator = make_emulator(group_code_from_name=True)  # the option: a code from the name
    async with contract_client(emulator) as api:
        listed = await api.get("/api/customers/groups")
        created = await api.post(
            "/api/customers/groups",
            json={
                "data": {
                    "name": "Partneři e-shopu",
                    "defaultPricelistId": 2,
                    "maxDiscount": "0.2000",
                }
            },
        )
        member = await api.post(
            "/api/customers",
            json={
                "data": {
                    "account": {"email": "partner@example.cz"},
                    "customerGroupCode": "partneri-e-shopu",
                }
            },
        )
    groups = listed.json()["data"]["customerGroups"]
    assert [(g["id"], g["name"], g["customerGroupCode"]) for g in groups] == [
        (1, "Výchozí skupina", None),
        (2, "Registrovaní", "registrovani"),
        (3, "VIP", "vip"),
        (4, "Velkoobchod", "velkoobchod"),
    ]
    assert created.status_code == 201
    assert "metadata" not in created.json()  # the spec's 201 schema forbids it
    everything = created.json()["data"]["customerGroups"]
    assert len(everything) == 5
    assert everything[-1] == {
        "id": 5,
        "name": "Partneři e-shopu",
        "customerGroupCode": "partneri-e-shopu",
        "description": None,
        "defaultPricelistId": 2,
        "maxDiscount": "0.2000",
        "priority": 5,
        "emailNotification": False,
        "authRequired": False,
        "registrationAllowed": True,
        "wholesale": False,
        "tableLayout": False,
        "fullProfileRequired": False,
        "defaultDueDays": None,
        "defaultOrderStatusId": None,
    }
    assert member.json()["data"]["customer"]["customerGroup"] == {
        "id": 5,
        "name": "Partneři e-shopu",
    }


async def test_a_created_group_has_no_code_unless_the_option_derives_one() -> None:
    # The create body has no customerGroupCode and the answer's is string|null (README 1.7):
    # by default the emulator promises no more than the API does.
    emulator = make_emulator()
    async with contract_client(emulator) as api:
        created = await api.post("/api/customers/groups", json={"data": {"name": "Partneři"}})
        member = await api.post(
            "/api/customers", json={"data": {"account": {"email": "bez@example.cz"}}}
        )
    assert created.json()["data"]["customerGroups"][-1]["customerGroupCode"] is None
    # A customer created without a group code lands in the default group (assumption).
    assert member.status_code == 201
    assert member.json()["data"]["customer"]["customerGroup"] == {
        "id": 1,
        "name": "Výchozí skupina",
    }
    assert member.json()["data"]["customer"]["accounts"][0]["fullName"] is None


async def test_group_creation_rules() -> None:
    emulator = make_emulator()
    async with contract_client(emulator) as api:
        duplicate = await api.post("/api/customers/groups", json={"data": {"name": "vip"}})
        wholesale = await api.post(
            "/api/customers/groups", json={"data": {"name": "B2B", "registrationAllowed": False}}
        )
        rules = await api.post(
            "/api/customers/groups",
            json={
                "data": {
                    "name": "B2C",
                    "defaultPricelistId": 99,
                    "authRequired": True,
                    "defaultOrderStatusId": 999,
                }
            },
        )
        schema = await api.post("/api/customers/groups", json={"data": {"defaultDueDays": 400}})
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["instance"] == "data.name"
    assert (wholesale.status_code, wholesale.json()["errors"][0]["errorCode"]) == (
        403,
        "missing-module",
    )
    assert sorted(e["instance"] for e in rules.json()["errors"]) == [
        "data.authRequired",
        "data.defaultOrderStatusId",
        "data.defaultPricelistId",
    ]
    assert sorted(e["instance"] for e in schema.json()["errors"]) == [
        "data.defaultDueDays",
        "data.name",
    ]
    assert len(emulator.group_objects()) == 4


async def test_the_wholesale_module_unlocks_wholesale_features() -> None:
    emulator = make_emulator(wholesale_module=True)
    async with contract_client(emulator) as api:
        response = await api.post(
            "/api/customers/groups",
            json={"data": {"name": "Distributoři", "wholesale": True, "authRequired": True}},
        )
    assert response.status_code == 201
    assert response.json()["data"]["customerGroups"][-1]["wholesale"] is True


async def test_group_update_and_default_group_rules() -> None:
    emulator = make_emulator(wholesale_module=True)
    async with contract_client(emulator) as api:
        renamed = await api.patch("/api/customers/groups/3", json={"data": {"name": "Zlatí"}})
        default = await api.patch(
            "/api/customers/groups/1",
            json={"data": {"registrationAllowed": False, "authRequired": True}},
        )
        missing = await api.patch("/api/customers/groups/99", json={"data": {"name": "X"}})
        vip_member = next(c for c in emulator.customer_objects() if c["customerGroup"]["id"] == 3)
    assert [g["name"] for g in renamed.json()["data"]["customerGroups"]][2] == "Zlatí"
    assert vip_member["customerGroup"] == {"id": 3, "name": "Zlatí"}
    assert [e["instance"] for e in default.json()["errors"]] == ["data.registrationAllowed"]
    assert (missing.status_code, missing.json()["errors"][0]["instance"]) == (404, "99")


async def test_deleting_a_group_moves_its_members_to_the_default_group() -> None:
    emulator = make_emulator()
    members = [c["guid"] for c in emulator.customer_objects() if c["customerGroup"]["id"] == 4]
    async with contract_client(emulator) as api:
        blocked = await api.delete("/api/customers/groups/1")
        deleted = await api.delete("/api/customers/groups/4")
        missing = await api.delete("/api/customers/groups/4")
        moved = await api.get(f"/api/customers/{members[0]}")
        code_gone = await api.patch(
            f"/api/customers/{members[0]}", json={"data": {"customerGroupCode": "velkoobchod"}}
        )
    assert members
    assert blocked.status_code == 422
    assert blocked.json()["errors"][0]["errorCode"] == "customer-group-delete-blocked"
    assert deleted.json() == {"data": None, "errors": None}
    assert missing.json()["errors"][0]["errorCode"] == "customer-group-not-found"
    assert moved.json()["data"]["customer"]["customerGroup"] == {"id": 1, "name": "Výchozí skupina"}
    assert code_gone.status_code == 422


async def test_an_identical_write_still_running_is_locked() -> None:
    emulator = make_emulator(write_seconds=0.2)
    guid = emulator.customer_objects()[0]["guid"]
    other = emulator.customer_objects()[1]["guid"]
    async with contract_client(emulator) as api:
        first, second, different = await asyncio.gather(
            api.patch(f"/api/customers/{guid}", json={"data": {"remark": "a"}}),
            api.patch(f"/api/customers/{guid}", json={"data": {"remark": "b"}}),
            api.patch(f"/api/customers/{other}", json={"data": {"remark": "c"}}),
        )
        after = await api.patch(f"/api/customers/{guid}", json={"data": {"remark": "d"}})
    assert [first.status_code, second.status_code, different.status_code] == [200, 423, 200]
    assert second.json()["errors"][0]["errorCode"] == "locked"
    assert after.status_code == 200


async def test_a_fourth_concurrent_request_per_token_is_refused() -> None:
    emulator = make_emulator(latency_seconds=0.2)
    async with contract_client(emulator) as api:
        responses = await asyncio.gather(
            *(api.get(f"/api/customers?page={n}") for n in range(1, 5))
        )
        afterwards = await api.get("/api/customers")
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 429]
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["errors"][0]["errorCode"] == "too-many-requests"
    assert afterwards.status_code == 200
    assert emulator.pipeline.per_token.in_flight == {}


async def test_the_connection_limit_can_answer_like_nginx() -> None:
    emulator = make_emulator(latency_seconds=0.2, connection_limit_body="nginx")
    async with contract_client(emulator) as api:
        responses = await asyncio.gather(*(api.get("/api/customers/regions") for _ in range(4)))
    refused = [r for r in responses if r.status_code == 429]
    assert len(refused) == 1
    assert refused[0].headers["content-type"].startswith("text/html")


async def test_the_leaky_bucket_fills_reports_and_drains() -> None:
    clock = FakeClock()
    emulator = make_emulator(
        clock=clock, customers=1000, bucket_capacity=20, bucket_drain_per_second=1.0
    )
    async with contract_client(emulator) as api:
        big = await api.get("/api/customers", params={"itemsPerPage": 1000})
        fillings = [big.headers["x-ratelimit-bucket-filling"]]
        for _ in range(9):
            small = await api.get("/api/customers/regions")
            fillings.append(small.headers["x-ratelimit-bucket-filling"])
        full = await api.get("/api/customers/regions")
        full_at = clock.now
        clock.advance(0.5)
        still_full = await api.get("/api/customers/regions")
        clock.advance(0.6)
        drained = await api.get("/api/customers/regions")
    # 1 drop per request + 1 per 100 items: the 1000-item page costs 11.
    assert fillings == [f"{n}/20" for n in (11, 12, 13, 14, 15, 16, 17, 18, 19, 20)]
    assert full.status_code == 429
    assert full.headers["x-ratelimit-bucket-filling"] == "20/20"
    retry_at = email.utils.parsedate_to_datetime(full.headers["retry-after"]).timestamp()
    assert full.headers["retry-after"].endswith(" GMT")
    assert retry_at == full_at + 1  # one drop drains in 1 s; HTTP dates have whole seconds
    assert still_full.status_code == 429
    assert drained.status_code == 200
    assert drained.headers["x-ratelimit-bucket-filling"] == "20/20"


async def test_rate_limits_can_be_switched_off() -> None:
    emulator = make_emulator(rate_limits=False, bucket_capacity=3, latency_seconds=0.05)
    async with contract_client(emulator) as api:
        responses = await asyncio.gather(*(api.get("/api/customers/regions") for _ in range(6)))
    assert {r.status_code for r in responses} == {200}
    assert responses[-1].headers["x-ratelimit-bucket-filling"] == "3/3"
