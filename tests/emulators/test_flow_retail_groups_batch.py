"""Flow Retail emulator: customer groups and multi-group membership, the batch endpoint."""

from __future__ import annotations

from typing import Any, Final

import pytest

from .test_flow_retail_http import (
    ACCESS_ONLY,
    BERGEN,
    BERGEN_TOKEN,
    OSLO,
    FakeClock,
    client,
    customers_path,
    make_emulator,
)

pytestmark = pytest.mark.anyio

GROUPS: Final = f"/v2/tenants/{OSLO}/customer-groups"
BATCH: Final = customers_path(suffix="/batch")


# -- groups ----------------------------------------------------------------------------------------
async def test_group_list_is_paged_and_differs_per_tenant() -> None:
    emulator = make_emulator()
    async with client(emulator) as api:
        listing = (await api.get(GROUPS, params={"sortBy": "name"})).json()
        small = (await api.get(GROUPS, params={"pageSize": 2, "pageNumber": 2})).json()
    async with client(emulator, BERGEN_TOKEN) as api:
        bergen = (await api.get(f"/v2/tenants/{BERGEN}/customer-groups")).json()
    groups = emulator.group_objects(OSLO)
    assert listing["paging"] == {"pageNumber": 1, "pageSize": 20, "totalCount": len(groups)}
    names = [g["name"] for g in listing["items"]]
    assert names[:2] == ["Ansatte", "Bedrift"]
    assert names[-1] == "VIP"
    assert small["items"] == groups[2:4]
    assert set(listing["items"][0]) == {
        "customerGroupUid", "name", "createdBy", "createdAt", "lastModifiedBy", "lastModifiedAt"
    }  # fmt: skip
    assert bergen["items"] == emulator.group_objects(BERGEN)
    assert [g["customerGroupUid"] for g in groups][:4] == ["vip", "bedrift", "ansatte", "stamkunde"]


async def test_group_create_get_rename_delete() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    async with client(emulator) as api:
        created = await api.post(GROUPS, json={"name": "Golfklubb", "customerGroupUid": "golf"})
        generated = await api.post(GROUPS, json={"name": "Uten id"})
        duplicate = await api.post(GROUPS, json={"name": "Igjen", "customerGroupUid": "golf"})
        nameless = await api.post(GROUPS, json={"customerGroupUid": "x"})
        bad_uid = await api.post(GROUPS, json={"name": "x", "customerGroupUid": "a b"})
        clock.now += 5
        renamed = await api.put(f"{GROUPS}/golf", json={"name": "Golf og tennis"})
        empty_rename = await api.put(f"{GROUPS}/golf", json={"name": ""})
        fetched = await api.get(f"{GROUPS}/golf")
        deleted = await api.delete(f"{GROUPS}/golf")
        gone = await api.get(f"{GROUPS}/golf")
        delete_again = await api.delete(f"{GROUPS}/golf")
        rename_missing = await api.put(f"{GROUPS}/golf", json={"name": "x"})
    assert created.status_code == 201
    assert created.json() == {
        "customerGroupUid": "golf",
        "name": "Golfklubb",
        "createdBy": "u-integration",
        "createdAt": "2025-10-09T08:53:20.000Z",
        "lastModifiedBy": "u-integration",
        "lastModifiedAt": "2025-10-09T08:53:20.000Z",
    }
    assert generated.status_code == 201
    assert generated.json()["customerGroupUid"].startswith("cg-")
    assert duplicate.status_code == 409
    assert nameless.status_code == 400
    assert nameless.json() == {"message": "name is required"}
    assert bad_uid.status_code == 400
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Golf og tennis"
    assert renamed.json()["lastModifiedAt"] == "2025-10-09T08:53:25.000Z"
    assert renamed.json()["createdAt"] == "2025-10-09T08:53:20.000Z"
    assert empty_rename.status_code == 400
    assert fetched.json() == renamed.json()
    assert deleted.status_code == 204
    assert (gone.status_code, delete_again.status_code, rename_missing.status_code) == (
        404, 404, 404
    )  # fmt: skip


async def test_customers_belong_to_several_groups_and_deleting_a_group_detaches_it() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    async with client(emulator) as api:
        created = await api.post(
            customers_path(),
            json={"firstname": "Åse", "lastname": "Kvåle", "customerGroupUids": ["vip", "ansatte"]},
        )
        uid = created.json()["customerUid"]
        regrouped = await api.put(
            customers_path(suffix=f"/{uid}"),
            json={"customerGroupUids": ["stamkunde", "vip", "stamkunde"]},
        )
        clock.now += 30
        await api.delete(f"{GROUPS}/vip")
        after = (await api.get(customers_path(suffix=f"/{uid}"))).json()
        cleared = await api.put(customers_path(suffix=f"/{uid}"), json={"customerGroupUids": None})
    assert created.json()["customerGroupUids"] == ["vip", "ansatte"]
    assert regrouped.json()["customerGroupUids"] == ["stamkunde", "vip"]
    assert after["customerGroupUids"] == ["stamkunde"]
    assert after["lastModifiedAt"] == "2025-10-09T08:53:50.000Z"
    assert all("vip" not in c["customerGroupUids"] for c in emulator.customer_objects(OSLO))
    assert cleared.json()["customerGroupUids"] == []


async def test_group_of_another_tenant_is_404() -> None:
    emulator = make_emulator()
    emulator.grant("both", tenants=[OSLO, BERGEN])
    async with client(emulator, "both") as api:
        created = await api.post(
            f"/v2/tenants/{BERGEN}/customer-groups",
            json={"name": "Kun Bergen", "customerGroupUid": "kb"},
        )
        other = await api.get(f"{GROUPS}/kb")
        member = await api.post(
            customers_path(), json={"firstname": "A", "lastname": "B", "customerGroupUids": ["kb"]}
        )
    assert created.status_code == 201
    assert other.status_code == 404
    assert member.status_code == 400
    assert member.json() == {"message": "Customer group 'kb' not found"}


# -- batch -----------------------------------------------------------------------------------------
async def test_batch_all_succeed_is_200_with_one_result_per_item() -> None:
    emulator = make_emulator()
    existing = emulator.customer_objects(OSLO)
    update_uid, delete_uid, upsert_uid = (c["customerUid"] for c in existing[:3])
    body = {
        "create": [{"customerType": "PERSON", "firstname": "Kari", "lastname": "Berg"}],
        "update": [{"customerUid": update_uid, "mobile": "+4790000002"}],
        "delete": [{"customerUid": delete_uid}],
        "upsert": [
            {"customerUid": upsert_uid, "city": "Hamar"},
            {"customerUid": "c-upsert-new", "firstname": "Ny", "lastname": "Kunde"},
            {"firstname": "Uten", "lastname": "Uid"},
        ],
    }
    async with client(emulator) as api:
        response = await api.post(BATCH, json=body)
        again = await api.post(BATCH, json={"upsert": [body["upsert"][1]]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["operation"], r["index"], r["status"], r["error"]) for r in results] == [
        ("create", 0, 201, None),
        ("update", 0, 200, None),
        ("delete", 0, 204, None),
        ("upsert", 0, 200, None),
        ("upsert", 1, 201, None),
        ("upsert", 2, 201, None),
    ]
    assert results[1]["customerUid"] == update_uid
    assert results[4]["customerUid"] == "c-upsert-new"
    current = {c["customerUid"]: c for c in emulator.customer_objects(OSLO)}
    assert current[results[0]["customerUid"]]["displayName"] == "Kari Berg"
    assert current[update_uid]["mobile"] == "+4790000002"
    assert delete_uid not in current
    assert current[upsert_uid]["city"] == "Hamar"
    assert current[results[5]["customerUid"]]["displayName"] == "Uten Uid"
    assert len(current) == 40 + 3 - 1
    assert again.status_code == 200
    assert again.json()["results"][0]["status"] == 200  # upsert by uid is idempotent


async def test_batch_with_failures_is_207_and_keeps_the_successes() -> None:
    emulator = make_emulator()
    uid = emulator.customer_objects(OSLO)[0]["customerUid"]
    body: dict[str, Any] = {
        "create": [{"firstname": "Bare fornavn"}, {"firstname": "Hel", "lastname": "Kunde"}, 7],
        "update": [{"customerUid": "c-missing", "city": "Oslo"}, {"city": "Oslo"}],
        "delete": [{"customerUid": uid}],
    }
    async with client(emulator) as api:
        response = await api.post(BATCH, json=body)
    assert response.status_code == 207
    results = response.json()["results"]
    assert [(r["operation"], r["index"], r["status"]) for r in results] == [
        ("create", 0, 400),
        ("create", 1, 201),
        ("create", 2, 400),
        ("update", 0, 404),
        ("update", 1, 400),
        ("delete", 0, 204),
    ]
    assert results[0]["error"] == "lastname is required"
    assert results[0]["customerUid"] is None
    assert results[2]["error"] == "A batch item must be a JSON object"
    assert results[3] == {
        "operation": "update",
        "index": 0,
        "status": 404,
        "customerUid": "c-missing",
        "error": "Customer 'c-missing' not found",
    }
    assert results[4]["error"] == "customerUid is required"
    assert len(emulator.customer_objects(OSLO)) == 40 + 1 - 1


async def test_batch_delete_items_need_backoffice() -> None:
    emulator = make_emulator()
    uid = emulator.customer_objects(OSLO)[0]["customerUid"]
    async with client(emulator, ACCESS_ONLY) as api:
        response = await api.post(
            BATCH,
            json={
                "create": [{"firstname": "A", "lastname": "B"}],
                "delete": [{"customerUid": uid}],
            },
        )
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 403]
    assert results[1]["error"] == "Missing permission TENANT.BACKOFFICE"
    assert uid in {c["customerUid"] for c in emulator.customer_objects(OSLO)}


async def test_batch_limits_and_malformed_bodies() -> None:
    emulator = make_emulator(max_batch_items=2)
    strict = make_emulator(max_batch_items=2, batch_limit_status=400)
    three = {"create": [{"firstname": "A", "lastname": str(n)} for n in range(3)]}
    async with client(emulator) as api:
        too_many = await api.post(BATCH, json=three)
        not_array = await api.post(BATCH, json={"create": {"firstname": "A"}})
        not_object = await api.post(BATCH, json=[1, 2])
        empty = await api.post(BATCH, json={})
    async with client(strict) as api:
        strict_too_many = await api.post(BATCH, json=three)
    assert too_many.status_code == 413
    assert too_many.json() == {"message": "A batch holds at most 2 items, got 3"}
    assert len(emulator.customer_objects(OSLO)) == 40
    assert not_array.status_code == 400
    assert not_object.status_code == 400
    assert empty.status_code == 200
    assert empty.json() == {"results": []}
    assert strict_too_many.status_code == 400
