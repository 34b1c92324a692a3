"""Flow Retail emulator: tokens, the device flow, permissions, tenants, routing, rate limit.

Also the helpers every `test_flow_retail_*` module uses.
"""

from __future__ import annotations

from typing import Any, Final

import httpx
import pytest

from customer_gateway.emulators.flow_retail import FlowRetailEmulator

pytestmark = pytest.mark.anyio

API_URL: Final = "https://api.flowretail.com"
OSLO: Final = "tenant-oslo"
BERGEN: Final = "tenant-bergen"
INTEGRATION: Final = "flow-sandbox-integration-token"
BERGEN_TOKEN: Final = "flow-sandbox-integration-token-tenant-bergen"
ACCESS_ONLY: Final = "flow-sandbox-access-token"
DEVICE: Final = "flow-sandbox-device-token"
START: Final = 1_760_000_000.0  # 2025-10-09T08:53:20Z, after the seed's reference date


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_emulator(**options: Any) -> FlowRetailEmulator:
    options.setdefault("customers", 40)
    options.setdefault("clock", FakeClock())
    return FlowRetailEmulator(**options)


def client(emulator: FlowRetailEmulator, token: str | None = INTEGRATION) -> httpx.AsyncClient:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url=API_URL, headers=headers
    )


def customers_path(tenant: str = OSLO, suffix: str = "") -> str:
    return f"/v2/tenants/{tenant}/customers{suffix}"


# -- tokens ---------------------------------------------------------------------------------------
async def test_missing_malformed_and_unknown_tokens_are_401() -> None:
    emulator = make_emulator()
    async with client(emulator, None) as api:
        missing = await api.get(customers_path())
        basic = await api.get(customers_path(), headers={"Authorization": "Basic abc"})
        unknown = await api.get(customers_path(), headers={"Authorization": "Bearer nope"})
    assert [r.status_code for r in (missing, basic, unknown)] == [401, 401, 401]
    assert missing.json() == {"message": "Missing Authorization header"}
    assert unknown.json() == {"message": "Invalid token"}
    assert unknown.headers["www-authenticate"] == "Bearer"


async def test_integration_token_reads_and_is_revocable() -> None:
    emulator = make_emulator()
    async with client(emulator) as api:
        before = await api.get(customers_path())
        emulator.revoke(INTEGRATION)
        after = await api.get(customers_path())
    assert before.status_code == 200
    assert after.status_code == 401
    assert after.json() == {"message": "Token has been revoked"}
    assert emulator.connector_credentials() == {"tenant": OSLO, "token": INTEGRATION}


async def test_device_token_is_only_for_the_account_endpoint() -> None:
    emulator = make_emulator()
    async with client(emulator, DEVICE) as api:
        response = await api.get(customers_path())
    async with client(emulator) as api:
        wrong_kind = await api.post("/v2/account", json={"userCode": "1001", "password": "x"})
    assert response.status_code == 401
    assert response.json()["message"] == "A device token cannot be used for this operation"
    assert wrong_kind.status_code == 401


async def test_device_flow_issues_an_access_token_that_expires() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock, access_token_ttl=600.0)
    async with client(emulator, DEVICE) as device:
        login = await device.post(
            "/v2/account", json={"userCode": "1001", "password": "flow-sandbox-password"}
        )
    assert login.status_code == 200
    body = login.json()
    assert set(body) == {"accessToken", "tenantUser"}
    assert body["tenantUser"] == {
        "tenantUserUid": "u-1",
        "tenantUid": OSLO,
        "userCode": "1001",
        "displayName": "Pål Kasserer",
        "tenantRole": "BACKOFFICE",
    }
    token = body["accessToken"]
    assert token.startswith("flow-at-")
    async with client(emulator, token) as api:
        fresh = await api.get(customers_path())
        clock.now += 599
        still = await api.get(customers_path())
        clock.now += 1
        expired = await api.get(customers_path())
    assert (fresh.status_code, still.status_code, expired.status_code) == (200, 200, 401)
    assert expired.json() == {"message": "Access token has expired"}


async def test_device_flow_rejects_missing_and_wrong_credentials() -> None:
    emulator = make_emulator()
    async with client(emulator, DEVICE) as device:
        no_body = await device.post("/v2/account")
        no_password = await device.post("/v2/account", json={"userCode": "1001"})
        neither = await device.post("/v2/account", json={})
        wrong = await device.post("/v2/account", json={"userCode": "1001", "password": "bad"})
        wrong_user = await device.post(
            "/v2/account", json={"userCode": "1002", "password": "flow-sandbox-password"}
        )
    assert no_body.status_code == 400
    assert no_password.status_code == 400
    assert no_password.json() == {"message": "password required"}
    assert neither.json() == {"message": "userCode and password required"}
    assert (wrong.status_code, wrong_user.status_code) == (401, 401)


async def test_revoked_access_token_is_401() -> None:
    emulator = make_emulator()
    async with client(emulator, DEVICE) as device:
        login = await device.post(
            "/v2/account", json={"userCode": "1001", "password": "flow-sandbox-password"}
        )
    token = login.json()["accessToken"]
    emulator.revoke(token)
    async with client(emulator, token) as api:
        response = await api.get(customers_path())
    assert response.status_code == 401


async def test_granted_token_with_ttl_expires() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    emulator.grant("short-lived", tenants=[OSLO], ttl=10)
    async with client(emulator, "short-lived") as api:
        first = await api.get(customers_path())
        emulator.advance(10)
        second = await api.get(customers_path())
    assert (first.status_code, second.status_code) == (200, 401)


# -- permissions and tenants ----------------------------------------------------------------------
async def test_access_only_token_reads_but_cannot_delete() -> None:
    emulator = make_emulator()
    uid = emulator.customer_objects(OSLO)[0]["customerUid"]
    async with client(emulator, ACCESS_ONLY) as api:
        read = await api.get(customers_path(suffix=f"/{uid}"))
        delete = await api.delete(customers_path(suffix=f"/{uid}"))
    assert read.status_code == 200
    assert delete.status_code == 403
    assert "TENANT.BACKOFFICE" in delete.json()["message"]
    assert uid in [c["customerUid"] for c in emulator.customer_objects(OSLO)]


async def test_token_of_one_tenant_gets_403_on_the_other() -> None:
    emulator = make_emulator()
    async with client(emulator) as api:
        foreign = await api.get(customers_path(BERGEN))
        unknown = await api.get(customers_path("tenant-tromso"))
    async with client(emulator, BERGEN_TOKEN) as api:
        own = await api.get(customers_path(BERGEN))
    assert foreign.status_code == 403
    assert foreign.json() == {"message": "Token has no access to tenant 'tenant-bergen'"}
    assert unknown.status_code == 403
    assert own.status_code == 200
    assert own.json()["paging"]["totalCount"] == 40


async def test_foreign_tenant_status_can_be_404() -> None:
    emulator = make_emulator(foreign_tenant_status=404)
    async with client(emulator) as api:
        foreign = await api.get(customers_path(BERGEN))
    assert foreign.status_code == 404


async def test_customer_of_another_tenant_is_404() -> None:
    emulator = make_emulator()
    oslo_uid = emulator.customer_objects(OSLO)[0]["customerUid"]
    emulator.grant("both", tenants=[OSLO, BERGEN], permissions=["TENANT.ACCESS"])
    async with client(emulator, "both") as api:
        own = await api.get(customers_path(OSLO, f"/{oslo_uid}"))
        other = await api.get(customers_path(BERGEN, f"/{oslo_uid}"))
        other_put = await api.put(customers_path(BERGEN, f"/{oslo_uid}"), json={"city": "Voss"})
    assert own.status_code == 200
    assert other.status_code == 404
    assert other.json() == {"message": f"Customer '{oslo_uid}' not found"}
    assert other_put.status_code == 404


# -- routing, errors ------------------------------------------------------------------------------
async def test_unknown_path_404_and_wrong_method_405() -> None:
    emulator = make_emulator()
    async with client(emulator) as api:
        unknown = await api.get("/v2/tenants/tenant-oslo/orders")
        wrong = await api.patch(customers_path())
        bad_json = await api.post(
            customers_path(), content=b"{nope", headers={"Content-Type": "application/json"}
        )
    assert unknown.status_code == 404
    assert wrong.status_code == 405
    assert bad_json.status_code == 400
    assert bad_json.json() == {"message": "Request body is not valid JSON"}


async def test_a_wrong_method_on_the_search_is_405_not_a_customer_named_search() -> None:
    # shared/upstreams/README.md line 513: `POST /tenants/{tenantUid}/customers/search` (and
    # line 514, `.../customers/search/external`) -- a resource of its own, which
    # `GET /tenants/{tenantUid}/customers/{customerUid}` (line 515) must not swallow.
    emulator = make_emulator()
    async with client(emulator) as api:
        get = await api.get(customers_path(suffix="/search"))
        put = await api.put(customers_path(suffix="/search"), json={"city": "Oslo"})
        delete = await api.delete(customers_path(suffix="/search"))
        external = await api.get(customers_path(suffix="/search/external"))
        customer = await api.get(customers_path(suffix="/c-missing"))
        search = await api.post(customers_path(suffix="/search"), json={"query": "a"})
    for wrong in (get, put, delete, external):
        assert wrong.status_code == 405
        assert wrong.headers["Allow"] == "POST"
    assert get.json() == {"message": f"Method GET not allowed on {customers_path()}/search"}
    assert customer.status_code == 404
    assert search.status_code == 200


async def test_error_body_is_configurable() -> None:
    emulator = make_emulator(error_body=lambda status, message: {"code": status, "error": message})
    async with client(emulator) as api:
        response = await api.get(customers_path(suffix="/c-missing"))
    assert response.json() == {"code": 404, "error": "Customer 'c-missing' not found"}


async def test_journal_records_requests() -> None:
    emulator = make_emulator()
    async with client(emulator) as api:
        await api.get(customers_path(), params={"pageSize": 5})
    assert [(e.method, e.path, e.query, e.status) for e in emulator.journal] == [
        ("GET", "/v2/tenants/tenant-oslo/customers", "pageSize=5", 200)
    ]


# -- rate limit ------------------------------------------------------------------------------------
async def test_no_rate_limit_by_default() -> None:
    emulator = make_emulator()
    async with client(emulator) as api:
        statuses = {(await api.get(customers_path())).status_code for _ in range(70)}
    assert statuses == {200}


async def test_optional_rate_limit_answers_429_with_retry_after() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock, rate_limit_per_minute=3)
    async with client(emulator) as api:
        allowed = [(await api.get(customers_path())).status_code for _ in range(3)]
        clock.now += 20.5
        limited = await api.get(customers_path())
        async with client(emulator, ACCESS_ONLY) as other:
            separate = await other.get(customers_path())
        clock.now += 40
        again = await api.get(customers_path())
    assert allowed == [200, 200, 200]
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "40"
    assert limited.json() == {"message": "Too many requests"}
    assert separate.status_code == 200
    assert again.status_code == 200
