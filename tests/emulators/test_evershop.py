"""Contract tests for the EverShop 2.2.1 emulator: auth, REST, body parsing, rate limits, seeds.

Expected values come from EverShop's source (cited per test) and section 4 of
/work/shared/upstreams/README.md, not from the emulator's own helpers.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from customer_gateway.emulators.evershop import EverShopEmulator, PgError
from tests import evershop_cases as cases

BASE_URL = "http://evershop.test"
START = 1_795_352_326.138  # 2026-11-22T12:58:46.138Z
BCRYPT = re.compile(r"^\$2a\$10\$[./A-Za-z0-9]{53}$")
LINKS_GRID = {
    "rel": "customerGrid",
    "href": "/admin/customers",
    "action": "GET",
    "types": ["text/xml"],
}
ROW_KEYS = [
    "customer_id",
    "uuid",
    "status",
    "group_id",
    "email",
    "password",
    "full_name",
    "created_at",
    "updated_at",
    "meta_data",
]


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> EverShopEmulator:
    return EverShopEmulator(clock=clock, rate_limits=False)


@pytest.fixture
async def client(emulator: EverShopEmulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


async def login(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post(
        "/api/user/tokens", json={"email": "admin@example.com", "password": "admin-password"}
    )
    assert response.status_code == 200, response.text
    data: dict[str, str] = response.json()["data"]
    return data


async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {(await login(client))['accessToken']}"}


def segment(token: str, index: int) -> Any:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def forge(claims: dict[str, Any], secret: str, header: str | None = None) -> str:
    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = header or enc(b'{"alg":"HS256","typ":"JWT"}')
    body = enc(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{enc(signature)}"


def error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


GRAPHQL_PROBE = {"query": "{ customers { total } }"}

# -- authentication: modules/auth/api/* and lib/util/jwt.ts --------------------------------------


@pytest.mark.anyio
async def test_login_issues_hs256_tokens_with_evershop_claims(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    tokens = await login(client)
    access, refresh = tokens["accessToken"], tokens["refreshToken"]
    assert segment(access, 0) == {"alg": "HS256", "typ": "JWT"}
    claims = segment(access, 1)
    assert list(claims) == ["user", "tokenType", "tokenKind", "iat", "exp", "aud", "iss"]
    assert claims["tokenType"] == "admin"
    assert claims["tokenKind"] == "access"
    assert claims["aud"] == "admin"
    assert claims["iss"] == "evershop"
    assert claims["iat"] == int(START)
    assert claims["exp"] == int(START) + 900
    user = claims["user"]
    assert list(user) == [
        "admin_user_id",
        "uuid",
        "email",
        "full_name",
        "status",
        "roles",
        "created_at",
        "updated_at",
    ]
    assert user["admin_user_id"] == 1
    assert user["email"] == "admin@example.com"
    assert user["status"] == 1
    assert user["roles"] == "*"
    assert "password" not in user
    head, body, signature = access.split(".")
    expected = hmac.new(b"emulator-admin-secret", f"{head}.{body}".encode(), hashlib.sha256)
    assert base64.urlsafe_b64encode(expected.digest()).rstrip(b"=").decode() == signature
    refresh_claims = segment(refresh, 1)
    assert refresh_claims["tokenKind"] == "refresh"
    assert refresh_claims["exp"] - refresh_claims["iat"] == 54_000
    head, body, signature = refresh.split(".")
    expected = hmac.new(b"emulator-refresh-secret", f"{head}.{body}".encode(), hashlib.sha256)
    assert base64.urlsafe_b64encode(expected.digest()).rstrip(b"=").decode() == signature


@pytest.mark.anyio
async def test_login_matches_the_email_case_insensitively(client: httpx.AsyncClient) -> None:
    # loginUserWithEmail.ts: `where('email', 'ILIKE', email)`
    response = await client.post(
        "/api/user/tokens", json={"email": "ADMIN@Example.COM", "password": "admin-password"}
    )
    assert response.status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"email": "admin@example.com", "password": "wrong"}, 400, "Invalid email or password"),
        ({"email": "nobody@example.com", "password": "x"}, 400, "Invalid email or password"),
        ({"email": "admin@example.com"}, 400, "Illegal arguments: undefined, string"),
        ({"password": "x"}, 400, "Cannot read properties of undefined (reading 'replace')"),
        ({"email": "not-an-email", "password": "x"}, 400, 'must match format "email"'),
        ({"email": "admin@example.com", "password": 5}, 400, "must be string"),
    ],
)
async def test_login_failures(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, message: str
) -> None:
    response = await client.post("/api/user/tokens", json=body)
    assert response.status_code == status
    payload = response.json()
    assert payload["error"]["message"] == message
    assert payload["error"]["status"] == status


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/api/customers/00000000-0000-4000-8000-000000000000"),
        ("DELETE", "/api/customers/00000000-0000-4000-8000-000000000000"),
        ("POST", "/api/admin/graphql"),
        ("GET", "/api/admin/graphql"),
    ],
)
async def test_private_routes_need_an_admin(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={})
    assert response.status_code == 401
    assert response.json() == error(401, "Unauthorized")


@pytest.mark.anyio
async def test_access_token_expires_by_the_clock(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    headers = await admin_headers(client)
    clock.advance(899)
    ok = await client.post("/api/admin/graphql", json=GRAPHQL_PROBE, headers=headers)
    assert ok.status_code == 200
    clock.advance(1)
    expired = await client.post("/api/admin/graphql", json=GRAPHQL_PROBE, headers=headers)
    assert expired.status_code == 401
    assert expired.json() == error(401, "Token has expired")


@pytest.mark.anyio
async def test_bad_admin_tokens_are_rejected_with_evershops_wrapped_messages(
    client: httpx.AsyncClient,
) -> None:
    tokens = await login(client)
    head, body, signature = tokens["accessToken"].split(".")
    tampered = f"{head}.{body}.{signature[:-2]}AA"
    cases = {
        tampered: "Invalid token",
        # a refresh token is signed with the refresh secret, so its signature fails first
        tokens["refreshToken"]: "Invalid token",
        forge({**segment(tokens["accessToken"], 1), "aud": "x"}, "emulator-admin-secret"): (
            "Invalid token"
        ),
        forge({"tokenType": "admin", "nbf": int(START) + 60}, "emulator-admin-secret"): (
            "jwt not active"
        ),
        # header fine, payload not JSON: jws.decode's JSON.parse throws inside jwtUserAuth
        f"{head}.bm90anNvbg.{signature}": ("Unexpected token 'o', \"notjson\" is not valid JSON"),
    }
    for token, message in cases.items():
        response = await client.post(
            "/api/admin/graphql", json=GRAPHQL_PROBE, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, token
        assert response.json() == error(401, message)


@pytest.mark.anyio
async def test_bearers_of_no_known_token_type_are_ignored(client: httpx.AsyncClient) -> None:
    partner_token = forge({"tokenType": "partner"}, "other-secret")
    for bearer in (partner_token, "not-a-jwt", "a.b"):
        headers = {"Authorization": f"Bearer {bearer}"}
        private = await client.post("/api/admin/graphql", json=GRAPHQL_PROBE, headers=headers)
        assert private.json() == error(401, "Unauthorized")
        public = await client.post(
            "/api/customers",
            json={"email": f"x{len(bearer)}@example.com", "password": "secret1", "full_name": "X"},
            headers=headers,
        )
        assert public.status_code == 200


@pytest.mark.anyio
async def test_customer_bearers_are_verified_with_the_customer_secret(
    client: httpx.AsyncClient,
) -> None:
    # customer/api/global/jwtCustomerAuth.ts: checked like admin tokens, never an admin.
    now = int(START)
    claims = {"customer": {}, "tokenType": "customer", "tokenKind": "access", "iat": now,
              "exp": now + 1800, "aud": "customer", "iss": "evershop"}  # fmt: skip
    valid = forge(claims, "emulator-customer-secret")
    private = await client.post(
        "/api/admin/graphql", json=GRAPHQL_PROBE, headers={"Authorization": f"Bearer {valid}"}
    )
    assert private.json() == error(401, "Unauthorized")
    for token, message in (
        (forge(claims, "other-secret"), "Invalid token"),
        (forge({**claims, "exp": now - 1}, "emulator-customer-secret"), "Token has expired"),
    ):
        public = await client.post(
            "/api/customers",
            json={"email": "c@example.com", "password": "secret1", "full_name": "C"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert public.status_code == 401
        assert public.json() == error(401, message)


@pytest.mark.anyio
async def test_customer_bearers_without_a_customer_secret(clock: FakeClock) -> None:
    emulator = EverShopEmulator(clock=clock, rate_limits=False, jwt_customer_secret=None)
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        token = forge({"tokenType": "customer"}, "x")
        response = await client.post(
            "/api/admin/graphql", json=GRAPHQL_PROBE, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.json() == error(401, "JWT secret for customer is not configured")


@pytest.mark.anyio
async def test_same_secret_for_both_kinds_reports_the_token_kind(clock: FakeClock) -> None:
    emulator = EverShopEmulator(
        clock=clock, rate_limits=False, jwt_admin_secret="s", jwt_admin_refresh_secret="s"
    )
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        tokens = await login(client)
        headers = {"Authorization": f"Bearer {tokens['refreshToken']}"}
        response = await client.post("/api/admin/graphql", json=GRAPHQL_PROBE, headers=headers)
        assert response.json() == error(401, "Invalid token kind. Expected access token")
        swapped = await client.post(
            "/api/user/token/refresh", json={"refreshToken": tokens["accessToken"]}
        )
        assert swapped.json() == error(401, "Invalid token kind. Expected refresh token")


@pytest.mark.anyio
async def test_refresh_returns_a_working_access_token(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    tokens = await login(client)
    clock.advance(1000)  # the first access token has expired by now
    response = await client.post(
        "/api/user/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert response.status_code == 200
    assert list(response.json()["data"]) == ["accessToken"]
    access = response.json()["data"]["accessToken"]
    assert segment(access, 1)["iat"] == int(START) + 1000
    graphql = await client.post(
        "/api/admin/graphql", json=GRAPHQL_PROBE, headers={"Authorization": f"Bearer {access}"}
    )
    assert graphql.status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "status", "message"),
    cases.REFRESH_FAILURES,
)
async def test_refresh_failures(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, message: str
) -> None:
    response = await client.post("/api/user/token/refresh", json=body)
    assert response.status_code == status
    assert response.json() == error(status, message)


@pytest.mark.anyio
async def test_refresh_token_expiry_and_disabled_admin(
    client: httpx.AsyncClient, emulator: EverShopEmulator, clock: FakeClock
) -> None:
    tokens = await login(client)
    with_access = await client.post(
        "/api/user/token/refresh", json={"refreshToken": tokens["accessToken"]}
    )
    assert with_access.json() == error(401, "Invalid refresh token")
    emulator.set_admin_active(False)
    disabled = await client.post(
        "/api/user/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert disabled.json() == error(401, "Admin user not found or inactive")
    emulator.set_admin_active(True)
    clock.advance(54_000)
    expired = await client.post(
        "/api/user/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert expired.json() == error(401, "Refresh token has expired")


# -- POST /api/customers: createCustomer + services/customer/createCustomer.ts --------------------


@pytest.mark.anyio
async def test_create_customer_returns_the_inserted_row(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    before = emulator.customer_rows()
    response = await client.post(
        "/api/customers",
        json={"email": "eva.mala@example.cz", "password": "secret1", "full_name": "Eva Malá"},
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == [*ROW_KEYS, "insertId", "links"]
    new_id = max(row["customer_id"] for row in before) + 1
    assert data["customer_id"] == new_id
    assert data["insertId"] == new_id
    assert data["status"] == 1
    assert data["group_id"] == 1
    assert data["email"] == "eva.mala@example.cz"
    assert data["full_name"] == "Eva Malá"
    assert BCRYPT.match(data["password"])
    assert data["created_at"] == "2026-11-22T12:58:46.138Z"
    assert data["updated_at"] == "2026-11-22T12:58:46.138Z"
    assert data["meta_data"] == {}
    assert data["links"] == [
        LINKS_GRID,
        {
            "rel": "edit",
            "href": f"/admin/customers/edit/{data['uuid']}",
            "action": "GET",
            "types": ["text/xml"],
        },
    ]
    stored = emulator.customer_rows()[-1]
    assert stored["uuid"] == data["uuid"]
    assert stored["created_at"] == datetime(2026, 11, 22, 12, 58, 46, 138000, tzinfo=UTC)


@pytest.mark.anyio
async def test_create_accepts_client_uuid_status_group_and_extra_columns(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    response = await client.post(
        "/api/customers",
        json={
            "email": "ola@example.no",
            "password": "secret1",
            "full_name": "Ola Nordmann",
            "uuid": "{0A1B2C3D-4E5F-4a6b-8c7d-9e0f1a2b3c4d}",
            "status": "0",
            "group_id": 2,
            "meta_data": {"vip": True},
            "nickname": "ignored: not a column",
        },
    )
    data = response.json()["data"]
    assert data["uuid"] == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert data["status"] == 0
    assert data["group_id"] == 2
    assert data["meta_data"] == {"vip": True}
    assert "nickname" not in data


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "message"),
    cases.CREATE_VALIDATION_ERRORS,
)  # fmt: skip
async def test_create_validation_errors_are_500s(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    response = await client.post("/api/customers", json=body)
    assert response.status_code == 500
    assert response.json() == error(500, message)


@pytest.mark.anyio
async def test_duplicate_email_check_is_case_sensitive(client: httpx.AsyncClient) -> None:
    body = {"email": "dup@example.com", "password": "secret1", "full_name": "Dup"}
    assert (await client.post("/api/customers", json=body)).status_code == 200
    again = await client.post("/api/customers", json=body)
    assert again.status_code == 500
    assert again.json() == error(500, "Email is already used")
    other_case = await client.post("/api/customers", json={**body, "email": "DUP@example.com"})
    assert other_case.status_code == 200


@pytest.mark.anyio
async def test_create_runs_before_the_html_escaping(client: httpx.AsyncClient) -> None:
    # `[bodyParser]createCustomer.js` only waits for the body parser, not for escapeHtml.
    response = await client.post(
        "/api/customers",
        json={"email": "tag@example.com", "password": "secret1", "full_name": "<b>Bold</b>"},
    )
    assert response.json()["data"]["full_name"] == "<b>Bold</b>"


@pytest.mark.anyio
async def test_update_values_are_html_escaped_before_the_handler(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    uuid = emulator.customer_rows()[0]["uuid"]
    response = await client.patch(
        f"/api/customers/{uuid}",
        json={
            "full_name": "<b>Bold</b> & a < b",
            "meta_data": {"note": "<i class='x'>hi</i>", "list": ["<b>kept</b>"]},
        },
        headers=await admin_headers(client),
    )
    data = response.json()["data"]
    assert data["full_name"] == "&lt;b&gt;Bold&lt;/b&gt; & a < b"
    # escapePayload.ts recurses into objects, but strings directly inside arrays stay as sent
    assert data["meta_data"] == {"note": "&lt;i class='x'&gt;hi&lt;/i&gt;", "list": ["<b>kept</b>"]}


# -- PATCH /api/customers/:id: api/updateCustomer/updateCustomer.js -------------------------------


@pytest.mark.anyio
async def test_patch_updates_columns_and_forces_the_default_group(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    target = next(row for row in emulator.customer_rows() if row["group_id"] != 1)
    response = await client.patch(
        f"/api/customers/{target['uuid']}",
        json={"full_name": "Renamed Person", "status": 0, "unknown_key": 1},
        headers=await admin_headers(client),
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == [*ROW_KEYS, "links"]
    assert data["full_name"] == "Renamed Person"
    assert data["status"] == 0
    assert data["group_id"] == 1
    assert BCRYPT.match(data["password"])
    assert data["links"][1]["href"] == f"/admin/customers/edit/{target['uuid']}"
    stored = next(row for row in emulator.customer_rows() if row["uuid"] == target["uuid"])
    assert stored["group_id"] == 1
    assert stored["updated_at"] == target["updated_at"]  # no trigger bumps updated_at


@pytest.mark.anyio
async def test_patch_rehashes_a_new_password(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    uuid = emulator.customer_rows()[0]["uuid"]
    headers = await admin_headers(client)
    first = (await client.patch(f"/api/customers/{uuid}", json={}, headers=headers)).json()
    second = (
        await client.patch(f"/api/customers/{uuid}", json={"password": "n3w-pass"}, headers=headers)
    ).json()
    assert first["data"]["password"] != second["data"]["password"]
    assert BCRYPT.match(second["data"]["password"])


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("uuid", "body", "status", "message"),
    [
        ("00000000-0000-4000-8000-000000000000", {}, 400, "Invalid customer id"),
        ("not-a-uuid", {}, 400, "Invalid customer id"),
        (None, {"email": "bad"}, 400, 'must match format "email"'),
        (None, {"full_name": 5}, 400, "must be string"),
        (None, [1], 400, "must be object"),
        (None, {"status": "abc"}, 500, 'invalid input syntax for type smallint: "abc"'),
        (None, {"status": None}, 500,
         'null value in column "status" of relation "customer" violates not-null constraint'),
    ],
)  # fmt: skip
async def test_patch_errors(
    client: httpx.AsyncClient,
    emulator: EverShopEmulator,
    uuid: str | None,
    body: Any,
    status: int,
    message: str,
) -> None:
    target = uuid or emulator.customer_rows()[0]["uuid"]
    response = await client.patch(
        f"/api/customers/{target}", json=body, headers=await admin_headers(client)
    )
    assert response.status_code == status
    assert response.json() == error(status, message)


@pytest.mark.anyio
async def test_patch_to_a_taken_email_is_a_unique_violation(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    first, second = emulator.customer_rows()[:2]
    response = await client.patch(
        f"/api/customers/{second['uuid']}",
        json={"email": first["email"]},
        headers=await admin_headers(client),
    )
    assert response.status_code == 500
    assert response.json() == error(
        500, 'duplicate key value violates unique constraint "EMAIL_UNIQUE"'
    )


# -- DELETE /api/customers/:id: services/customer/deleteCustomer.ts -------------------------------


@pytest.mark.anyio
async def test_delete_returns_the_row_without_password_and_cascades(
    client: httpx.AsyncClient, emulator: EverShopEmulator
) -> None:
    owners = Counter(row["customer_id"] for row in emulator.address_rows())
    target = next(row for row in emulator.customer_rows() if owners[row["customer_id"]] > 0)
    response = await client.delete(
        f"/api/customers/{target['uuid']}", headers=await admin_headers(client)
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == [key for key in ROW_KEYS if key != "password"]
    assert data["customer_id"] == target["customer_id"]
    assert data["email"] == target["email"]
    assert all(row["uuid"] != target["uuid"] for row in emulator.customer_rows())
    assert all(row["customer_id"] != target["customer_id"] for row in emulator.address_rows())


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("uuid", "message"),
    [
        ("00000000-0000-4000-8000-000000000000", "Invalid customer id"),
        ("abc", 'invalid input syntax for type uuid: "abc"'),  # selected inside a transaction
    ],
)
async def test_delete_errors_are_500s(client: httpx.AsyncClient, uuid: str, message: str) -> None:
    response = await client.delete(f"/api/customers/{uuid}", headers=await admin_headers(client))
    assert response.status_code == 500
    assert response.json() == error(500, message)


# -- body-parser json({inflate: false}) + apiErrorHandler -----------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        # Node 20's V8 wording (verified against EverShop 2.2.1 by tests/evershop_real)
        (b"{x", {}, "Expected property name or '}' in JSON at position 1"),
        (b'{"a":1,}', {}, "Expected double-quoted property name in JSON at position 7"),
        (b'{"a":1}\n x', {}, "Unexpected non-whitespace character after JSON at position 9"),
        (b'"hello"', {}, "Unexpected token '\"', \"\"hello\"\" is not valid JSON"),
        (b"  ", {}, "Unexpected end of JSON input"),
        (b"{}", {"content-type": "application/json; charset=latin1"},
         'unsupported charset "LATIN1"'),
        (b"{}", {"content-encoding": "gzip"}, "content encoding unsupported"),
        (b'{"a":"' + b"x" * 102_400 + b'"}', {}, "request entity too large"),
    ],
)  # fmt: skip
async def test_body_parser_errors_become_500s(
    client: httpx.AsyncClient, content: bytes, headers: dict[str, str], message: str
) -> None:
    response = await client.post(
        "/api/customers", content=content, headers={"content-type": "application/json", **headers}
    )
    assert response.status_code == 500
    assert response.json() == error(500, message)


@pytest.mark.anyio
async def test_node_22_json_errors_add_line_and_column(clock: FakeClock) -> None:
    emulator = EverShopEmulator(clock=clock, rate_limits=False, node_version=22)
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        response = await client.post(
            "/api/customers", content=b'{"a":1}\n x', headers={"content-type": "application/json"}
        )
    assert response.json() == error(
        500, "Unexpected non-whitespace character after JSON at position 9 (line 2 column 2)"
    )


@pytest.mark.anyio
async def test_non_json_bodies_are_ignored(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/customers",
        content=b'{"email":"a@example.com"}',
        headers={"content-type": "text/plain"},
    )
    assert response.json() == error(500, "must have required property 'email'")


@pytest.mark.anyio
async def test_body_parsing_runs_before_authentication(client: httpx.AsyncClient) -> None:
    response = await client.patch(
        "/api/customers/whatever", content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 500
    assert response.json()["error"]["message"].startswith("Expected property name or '}'")


@pytest.mark.anyio
async def test_unknown_routes_get_the_404_page(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/api/customers"),
        ("GET", "/api/nope"),
        ("PUT", "/api/customers/x"),
    ):
        response = await client.request(method, path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "Not found" in response.text


@pytest.mark.anyio
async def test_routes_match_case_insensitively_with_a_trailing_slash(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/API/Customers/",
        json={"email": "slash@example.com", "password": "secret1", "full_name": "S"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-powered-by"] == "Express"


# -- rate limits: modules/base/services/rateLimit.ts ----------------------------------------------


@pytest.fixture
def limited(clock: FakeClock) -> EverShopEmulator:
    return EverShopEmulator(clock=clock, customers=5)


@pytest.mark.anyio
async def test_auth_tier_allows_eight_creates_per_fifteen_minutes(
    limited: EverShopEmulator, clock: FakeClock
) -> None:
    transport = httpx.ASGITransport(app=limited.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for index in range(8):
            clock.advance(10)
            response = await client.post(
                "/api/customers",
                json={"email": f"rl{index}@example.com", "password": "secret1", "full_name": "R"},
            )
            assert response.status_code == 200
            assert response.headers["ratelimit-policy"] == "8;w=900"
            assert response.headers["ratelimit-limit"] == "8"
            assert response.headers["ratelimit-remaining"] == str(7 - index)
            assert response.headers["ratelimit-reset"] == str(900 - 10 * index)
            assert "retry-after" not in response.headers
        ninth = await client.post(
            "/api/customers",
            json={"email": "rl9@example.com", "password": "secret1", "full_name": "R"},
        )
        assert ninth.status_code == 429
        assert ninth.json() == error(
            429, "Too many requests. Please slow down and try again later."
        )
        assert ninth.headers["retry-after"] == "900"
        assert ninth.headers["ratelimit-remaining"] == "0"
        assert ninth.headers["ratelimit-reset"] == "830"
        assert all(row["email"] != "rl9@example.com" for row in limited.customer_rows())
        # other API routes use the separate api tier
        tokens = await client.post(
            "/api/user/tokens", json={"email": "admin@example.com", "password": "admin-password"}
        )
        assert tokens.status_code == 200
        assert tokens.headers["ratelimit-limit"] == "120"
        clock.advance(830)
        again = await client.post(
            "/api/customers",
            json={"email": "rl10@example.com", "password": "secret1", "full_name": "R"},
        )
        assert again.status_code == 200
        assert again.headers["ratelimit-remaining"] == "7"


@pytest.mark.anyio
async def test_failed_creates_count_and_clients_are_keyed_by_ip(limited: EverShopEmulator) -> None:
    transport = httpx.ASGITransport(app=limited.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for _ in range(8):
            assert (await client.post("/api/customers", json={})).status_code == 500
        assert (await client.post("/api/customers", json={})).status_code == 429
        # TRUST_PROXY_HOPS=1: the rightmost X-Forwarded-For entry is the client address
        other = await client.post(
            "/api/customers", json={}, headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
        )
        assert other.status_code == 500
        assert other.headers["ratelimit-remaining"] == "7"


@pytest.mark.anyio
async def test_api_tier_is_120_per_minute_for_graphql(limited: EverShopEmulator) -> None:
    transport = httpx.ASGITransport(app=limited.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for _ in range(120):
            response = await client.post("/api/admin/graphql", json=GRAPHQL_PROBE)
            assert response.status_code == 401
        limited_response = await client.post("/api/admin/graphql", json=GRAPHQL_PROBE)
        assert limited_response.status_code == 429
        assert limited_response.headers["retry-after"] == "60"
        assert limited_response.headers["ratelimit-policy"] == "120;w=60"
        page = await client.get("/some/page")
        assert page.status_code == 404
        assert page.headers["ratelimit-limit"] == "300"
        # the exact POST path is what selects the auth tier; a trailing slash falls to `api`
        slash = await client.post("/api/customers/", json={})
        assert slash.status_code == 429


@pytest.mark.anyio
async def test_rate_limits_can_be_switched_off(emulator: EverShopEmulator) -> None:
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for index in range(10):
            response = await client.post(
                "/api/customers",
                json={"email": f"free{index}@example.com", "password": "secret1", "full_name": "F"},
            )
            assert response.status_code == 200
            assert "ratelimit-limit" not in response.headers


# -- seed data and fixtures ---------------------------------------------------------------------


def test_same_seed_same_data_and_different_seeds_different_people() -> None:
    first, again, other = (EverShopEmulator(seed=seed) for seed in (7, 7, 8))
    assert first.customer_rows() == again.customer_rows()
    assert first.address_rows() == again.address_rows()
    assert first.group_rows() == again.group_rows()
    emails = {row["email"] for row in first.customer_rows()}
    assert len(emails) == 40
    assert emails.isdisjoint(row["email"] for row in other.customer_rows())
    assert [row["full_name"] for row in first.customer_rows()] != [
        row["full_name"] for row in other.customer_rows()
    ]


def test_seed_data_shape() -> None:
    emulator = EverShopEmulator()
    rows = emulator.customer_rows()
    groups = emulator.group_rows()
    assert [(group["customer_group_id"], group["group_name"]) for group in groups] == [
        (1, "Default"),
        (2, "Wholesale"),
        (3, "VIP"),
    ]
    assert [row["customer_id"] for row in rows] == list(range(1, 41))
    reference = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert all(
        reference - timedelta(days=3 * 366) <= row["created_at"] <= reference for row in rows
    )
    assert [row["created_at"] for row in rows] == sorted(row["created_at"] for row in rows)
    assert max(Counter(row["created_at"] for row in rows).values()) >= 2  # exact ties exist
    assert {row["status"] for row in rows} == {0, 1}
    assert {row["group_id"] for row in rows} == {1, 2, 3}
    assert any(not row["full_name"].isascii() for row in rows)
    assert all(row["meta_data"] == {} for row in rows)
    per_customer = Counter(address["customer_id"] for address in emulator.address_rows())
    assert max(per_customer.values()) <= 2
    assert len(per_customer) < 40  # some customers have no address
    for address in emulator.address_rows():
        assert len(address["country"]) == 2
        assert address["province"].startswith(address["country"] + "-")
    assert all("password" not in row for row in rows)


def test_a_thousand_customers_seed_with_distinct_identities() -> None:
    emulator = EverShopEmulator(customers=1000)
    rows = emulator.customer_rows()
    assert len(rows) == 1000
    assert len({row["email"] for row in rows}) == 1000
    assert len({row["uuid"] for row in rows}) == 1000
    assert [row["customer_id"] for row in rows] == list(range(1, 1001))


def test_add_customer_and_add_group_insert_directly(clock: FakeClock) -> None:
    emulator = EverShopEmulator(customers=0, clock=clock)
    group_id = emulator.add_group("Retail")
    assert group_id == 4
    row = emulator.add_customer(
        email="direct@example.com",
        full_name=None,
        status=0,
        group_id=group_id,
        created_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        addresses=[{"country": "NO", "city": "Oslo", "province": "NO-03", "is_default": True}],
    )
    assert row["customer_id"] == 1
    assert row["full_name"] is None
    assert row["group_id"] == 4
    assert row["updated_at"] == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert emulator.customer_rows() == [row]
    assert emulator.address_rows()[0]["city"] == "Oslo"
    assert emulator.group_rows()[-1]["group_name"] == "Retail"
    with pytest.raises(PgError, match="EMAIL_UNIQUE"):
        emulator.add_customer(email="direct@example.com", full_name="Again")
    with pytest.raises(PgError, match="FK_CUSTOMER_GROUP"):
        emulator.add_customer(email="other@example.com", full_name="X", group_id=42)


@pytest.mark.anyio
async def test_failed_updates_leak_pool_connections_until_the_shop_hangs(clock: FakeClock) -> None:
    # updateCustomer.js never releases its connection on failure; migrate.js keeps one from start-up
    emulator = EverShopEmulator(clock=clock, rate_limits=False, db_pool_size=3)
    assert emulator.leaked_connections == 1
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        headers = await admin_headers(client)
        uuid = emulator.customer_rows()[0]["uuid"]
        for _ in range(5):  # successes and payload-validation errors give theirs back
            assert (
                await client.patch(f"/api/customers/{uuid}", json={}, headers=headers)
            ).is_success
            bad = await client.patch(f"/api/customers/{uuid}", json={"email": "x"}, headers=headers)
            assert bad.status_code == 400
        missing = "00000000-0000-4000-8000-000000000000"
        assert (await client.patch(f"/api/customers/{missing}", headers=headers)).status_code == 400
        failed = await client.patch(f"/api/customers/{uuid}", json={"status": "x"}, headers=headers)
        assert failed.status_code == 500
        assert emulator.leaked_connections == 3
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(
                client.post("/api/admin/graphql", json=GRAPHQL_PROBE, headers=headers), 0.2
            )
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(
                client.post("/api/user/tokens", json={"email": "a@b.c", "password": "p"}), 0.2
            )
        assert (await client.patch(f"/api/customers/{uuid}", json={})).status_code == 401
