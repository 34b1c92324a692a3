"""Ecwid v3 emulator: customer groups, plan gating, store ids, tokens, scopes, rate limits."""

from __future__ import annotations

import pytest

from .test_ecwid_customers import BASE, TOKEN, FakeClock, ecwid_client, make_emulator

pytestmark = pytest.mark.anyio


# -- customer groups -----------------------------------------------------------------------------
async def test_group_list_starts_with_general_and_pages() -> None:
    emulator = make_emulator()
    async with ecwid_client(emulator) as api:
        listed = (await api.get(f"{BASE}/customer_groups")).json()
        window = (await api.get(f"{BASE}/customer_groups", params={"offset": 1, "limit": 2})).json()
        capped = (await api.get(f"{BASE}/customer_groups", params={"limit": 500})).json()
        general = await api.get(f"{BASE}/customer_groups/0")
        missing = await api.get(f"{BASE}/customer_groups/424242")
    assert (listed["total"], listed["count"], listed["limit"], listed["offset"]) == (4, 4, 10, 0)
    assert [g["name"] for g in listed["items"]] == ["General", "VIP", "Wholesale", "B2B"]
    assert listed["items"][0] == {"id": 0, "name": "General"}
    assert listed["items"] == emulator.group_objects()
    assert window["items"] == listed["items"][1:3]
    assert (window["count"], window["total"]) == (2, 4)
    assert capped["limit"] == 100
    assert general.json() == {"id": 0, "name": "General"}
    assert missing.status_code == 404
    assert missing.json() == {"errorMessage": "Customer group with id 424242 not found"}


async def test_create_rename_and_delete_a_group() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    async with ecwid_client(emulator) as api:
        created = await api.post(f"{BASE}/customer_groups", json={"name": "Partners"})
        group_id = created.json()["id"]
        member = (
            await api.post(
                f"{BASE}/customers", json={"email": "p@example.com", "customerGroupId": group_id}
            )
        ).json()["id"]
        renamed = await api.put(
            f"{BASE}/customer_groups/{group_id}", json={"name": "Trade partners"}
        )
        as_member = (await api.get(f"{BASE}/customers/{member}")).json()
        clock.advance(120)
        deleted = await api.delete(f"{BASE}/customer_groups/{group_id}")
        after = (await api.get(f"{BASE}/customers/{member}")).json()
        gone = await api.get(f"{BASE}/customer_groups/{group_id}")
        again = await api.delete(f"{BASE}/customer_groups/{group_id}")
    assert created.status_code == 200
    assert set(created.json()) == {"id"}
    assert group_id > max(g["id"] for g in emulator.group_objects())
    assert renamed.json() == {"updateCount": 1}
    assert as_member["customerGroupName"] == "Trade partners"
    assert as_member["updated"] == "2025-07-15 09:30:00 +0000"
    assert deleted.json() == {"deleteCount": 1}
    assert (after["customerGroupId"], after["customerGroupName"]) == (0, "General")
    assert after["updated"] == "2025-07-15 09:32:00 +0000"
    assert gone.status_code == 404
    assert again.status_code == 404


async def test_deleting_a_seeded_group_moves_all_members_to_general() -> None:
    emulator = make_emulator()
    vip = next(g["id"] for g in emulator.group_objects() if g["name"] == "VIP")
    members = {c["id"] for c in emulator.customer_objects() if c["customerGroupId"] == vip}
    async with ecwid_client(emulator) as api:
        await api.delete(f"{BASE}/customer_groups/{vip}")
        general = (
            await api.get(f"{BASE}/customers", params={"customerGroup": 0, "limit": 0})
        ).json()
    assert members
    assert all(c["customerGroupId"] == 0 for c in emulator.customer_objects() if c["id"] in members)
    assert general["total"] == sum(c["customerGroupId"] == 0 for c in emulator.customer_objects())


async def test_group_name_is_required_and_general_is_fixed() -> None:
    emulator = make_emulator()
    async with ecwid_client(emulator) as api:
        nameless = await api.post(f"{BASE}/customer_groups", json={})
        blank = await api.put(f"{BASE}/customer_groups/0", json={"name": " "})
        rename_general = await api.put(f"{BASE}/customer_groups/0", json={"name": "Everyone"})
        delete_general = await api.delete(f"{BASE}/customer_groups/0")
        rename_missing = await api.put(f"{BASE}/customer_groups/777", json={"name": "X"})
        wrong_type = await api.post(f"{BASE}/customer_groups", content=b'{"name":"X"}')
    assert nameless.status_code == 400
    assert nameless.json() == {"errorMessage": "Field CustomerMembership.name is absent"}
    assert blank.status_code == 400
    assert rename_general.status_code == 400
    assert rename_general.json() == {"errorMessage": "The General customer group can't be updated"}
    assert delete_general.status_code == 400
    assert delete_general.json() == {"errorMessage": "The General customer group can't be deleted"}
    assert rename_missing.status_code == 404
    assert wrong_type.status_code == 415
    assert emulator.group_objects()[0] == {"id": 0, "name": "General"}


async def test_without_the_groups_feature_every_group_route_is_402() -> None:
    emulator = make_emulator(groups_enabled=False)
    async with ecwid_client(emulator) as api:
        answers = [
            await api.get(f"{BASE}/customer_groups"),
            await api.get(f"{BASE}/customer_groups/0"),
            await api.post(f"{BASE}/customer_groups", json={"name": "VIP"}),
            await api.put(f"{BASE}/customer_groups/0", json={"name": "VIP"}),
            await api.delete(f"{BASE}/customer_groups/1"),
        ]
        customers = await api.get(f"{BASE}/customers")
        grouped = await api.post(
            f"{BASE}/customers", json={"email": "g@example.com", "customerGroupId": 5}
        )
    assert [a.status_code for a in answers] == [402] * 5
    assert all("plan" in a.json()["errorMessage"] for a in answers)
    assert customers.status_code == 200
    assert {c["customerGroupName"] for c in emulator.customer_objects()} == {"General"}
    assert grouped.status_code == 400


# -- store id, tokens, scopes --------------------------------------------------------------------
async def test_tokens_and_store_ids() -> None:
    emulator = make_emulator()
    async with ecwid_client(emulator, token=None) as api:
        missing = await api.get(f"{BASE}/customers")
        wrong = await api.get(f"{BASE}/customers", headers={"Authorization": "Bearer secret_nope"})
        legacy = await api.get(f"{BASE}/customers", params={"token": TOKEN, "limit": 1})
        other_store = await api.get("/api/v3/1004/customers", params={"token": TOKEN})
        unknown_path = await api.get(f"{BASE}/orders", params={"token": TOKEN})
        wrong_method = await api.patch(f"{BASE}/customers", params={"token": TOKEN})
    assert missing.status_code == 403
    assert missing.json() == {"errorMessage": "Access token is missing"}
    assert wrong.status_code == 403
    assert wrong.json() == {"errorMessage": "Token is invalid"}
    assert legacy.status_code == 200
    assert legacy.json()["count"] == 1
    assert other_store.status_code == 404
    assert other_store.json() == {"errorMessage": "Store 1004 not found"}
    assert unknown_path.status_code == 404
    assert wrong_method.status_code == 405
    assert emulator.connector_credentials() == {"store_id": "1003", "token": TOKEN}


async def test_missing_scopes_are_403_naming_the_scope() -> None:
    read_only = make_emulator(scopes=("read_customers",))
    some_id = read_only.customer_objects()[0]["id"]
    async with ecwid_client(read_only) as api:
        listed = await api.get(f"{BASE}/customers")
        create = await api.post(f"{BASE}/customers", json={"email": "x@example.com"})
        update = await api.put(f"{BASE}/customers/{some_id}", json={"lang": "en"})
        delete = await api.delete(f"{BASE}/customers/{some_id}")
        deleted_log = await api.get(f"{BASE}/customers/deleted")
        new_group = await api.post(f"{BASE}/customer_groups", json={"name": "X"})
    assert listed.status_code == 200
    assert create.status_code == 403
    assert create.json() == {
        "errorMessage": "Token doesn't have the required access scope: create_customers"
    }
    assert update.status_code == delete.status_code == 403
    assert "update_customers" in update.json()["errorMessage"]
    assert "update_customers" in delete.json()["errorMessage"]
    assert deleted_log.status_code == 403
    assert "read_store_profile" in deleted_log.json()["errorMessage"]
    assert new_group.status_code == 403
    write_only = make_emulator(scopes=("create_customers",))
    async with ecwid_client(write_only) as api:
        denied = await api.get(f"{BASE}/customers")
    assert denied.status_code == 403
    assert "read_customers" in denied.json()["errorMessage"]


# -- rate limits ---------------------------------------------------------------------------------
async def test_rate_limit_per_token_answers_429_with_retry_after() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock, rate_limit_per_minute=5)
    async with ecwid_client(emulator) as api:
        allowed = [(await api.get(f"{BASE}/customer_groups/0")).status_code for _ in range(5)]
        clock.advance(20.5)
        blocked = await api.get(f"{BASE}/customer_groups/0")
        clock.advance(39)
        still = await api.get(f"{BASE}/customer_groups/0")
        clock.advance(1)
        again = await api.get(f"{BASE}/customer_groups/0")
    assert allowed == [200] * 5
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "40"
    assert blocked.json() == {"errorMessage": "Too many requests"}
    assert still.status_code == 429
    assert still.headers["Retry-After"] == "1"
    assert again.status_code == 200


async def test_full_600_per_minute_and_zero_turns_the_limit_off() -> None:
    limited, unlimited = make_emulator(), make_emulator(rate_limit_per_minute=0)
    async with ecwid_client(limited) as api:
        statuses = [(await api.get(f"{BASE}/customer_groups/0")).status_code for _ in range(601)]
    async with ecwid_client(unlimited) as api:
        free = [(await api.get(f"{BASE}/customer_groups/0")).status_code for _ in range(601)]
    assert statuses.count(200) == 600
    assert statuses[-1] == 429
    assert set(free) == {200}


async def test_invalid_tokens_are_blocked_after_20_a_minute() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    async with ecwid_client(emulator, token="secret_guess") as api:
        failures = [(await api.get(f"{BASE}/customers")).status_code for _ in range(20)]
        blocked = await api.get(f"{BASE}/customers")
        good = await api.get(f"{BASE}/customers", headers={"Authorization": f"Bearer {TOKEN}"})
        clock.advance(60)
        later = await api.get(f"{BASE}/customers")
    assert failures == [403] * 20
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "60"
    assert good.status_code == 200
    assert later.status_code == 403
