"""Admin JWT login, refresh and the bearer check, on the real EverShop and on the emulator."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests import evershop_cases as cases
from tests.evershop_real.expect import (
    ISO_MS,
    UUID,
    assert_error,
    assert_json,
    b64url,
    data,
    forge,
    jwt_segment,
    jwt_signature_ok,
)
from tests.evershop_real.shops import Shop

pytestmark = pytest.mark.anyio

PROBE = {"query": "{ customers { total } }"}
NOBODY = "00000000-0000-4000-8000-000000000000"


async def test_login_issues_hs256_tokens_with_evershops_claims(shop: Shop) -> None:
    before = int(time.time())
    response = await shop.http.post("/api/user/tokens", json=shop.login_body)
    tokens = data(response)
    assert list(tokens) == ["accessToken", "refreshToken"]
    assert response.headers["ratelimit-policy"] == "120;w=60"
    assert response.headers["ratelimit-limit"] == "120"
    assert response.headers["ratelimit-remaining"] == "119"
    assert response.headers["ratelimit-reset"] in ("59", "60")
    access, refresh = tokens["accessToken"], tokens["refreshToken"]
    assert jwt_segment(access, 0) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt_segment(access, 1)
    assert list(claims) == ["user", "tokenType", "tokenKind", "iat", "exp", "aud", "iss"]
    assert (claims["tokenType"], claims["tokenKind"], claims["aud"], claims["iss"]) == (
        "admin",
        "access",
        "admin",
        "evershop",
    )
    assert before - 1 <= claims["iat"] <= time.time() + 1
    assert claims["exp"] - claims["iat"] == 900
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
    assert UUID.match(user["uuid"])
    assert (user["email"], user["full_name"], user["status"], user["roles"]) == (
        shop.config.admin_email,
        "Admin",
        1,
        "*",
    )
    assert ISO_MS.match(user["created_at"])
    assert ISO_MS.match(user["updated_at"])
    assert jwt_signature_ok(access, shop.config.jwt_admin_secret)
    refresh_claims = jwt_segment(refresh, 1)
    assert refresh_claims["tokenKind"] == "refresh"
    assert refresh_claims["user"] == user
    assert refresh_claims["exp"] - refresh_claims["iat"] == 54_000
    assert jwt_signature_ok(refresh, shop.config.jwt_admin_refresh_secret)


async def test_login_matches_the_email_case_insensitively(shop: Shop) -> None:
    body = {**shop.login_body, "email": shop.config.admin_email.upper()}
    response = await shop.http.post("/api/user/tokens", json=body)
    assert response.status_code == 200


ADMIN = object()  # stands for the admin's e-mail in the cases below


@pytest.mark.parametrize(
    ("body", "message", "by_handler"),
    [
        ({"email": ADMIN, "password": "wrong-password"}, "Invalid email or password", True),
        ({"email": "nobody@example.com", "password": "x"}, "Invalid email or password", True),
        ({"email": ADMIN}, "Illegal arguments: undefined, string", True),
        ({"password": "x"}, "Cannot read properties of undefined (reading 'replace')", True),
        # the route's payload schema answers first
        ({"email": "not-an-email", "password": "x"}, 'must match format "email"', False),
        ({"email": ADMIN, "password": 5}, "must be string", False),
    ],
)
async def test_login_failures_are_400s(
    shop: Shop, body: dict[str, Any], message: str, by_handler: bool
) -> None:
    body = {
        key: shop.config.admin_email if value is ADMIN else value for key, value in body.items()
    }
    response = await shop.http.post("/api/user/tokens", json=body)
    if by_handler:  # generateToken.ts writes its envelope as {message, status}
        assert_json(response, 400, {"error": {"message": message, "status": 400}})
    else:
        assert_error(response, 400, message)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", f"/api/customers/{NOBODY}"),
        ("DELETE", f"/api/customers/{NOBODY}"),
        ("POST", "/api/admin/graphql"),
        ("GET", "/api/admin/graphql"),
    ],
)
async def test_private_routes_without_a_token_are_401(shop: Shop, method: str, path: str) -> None:
    response = await shop.http.request(method, path, json={})
    assert_error(response, 401, "Unauthorized")


async def test_an_expired_access_token_is_401(shop: Shop) -> None:
    claims = jwt_segment((await shop.tokens())["accessToken"], 1)
    now = int(time.time())
    expired = forge({**claims, "iat": now - 1000, "exp": now - 100}, shop.config.jwt_admin_secret)
    response = await shop.http.post(
        "/api/admin/graphql", json=PROBE, headers={"Authorization": f"Bearer {expired}"}
    )
    assert_error(response, 401, "Token has expired")


async def test_bad_admin_tokens_are_401_with_evershops_wrapped_messages(shop: Shop) -> None:
    tokens = await shop.tokens()
    claims = jwt_segment(tokens["accessToken"], 1)
    head, body, signature = tokens["accessToken"].split(".")
    secret = shop.config.jwt_admin_secret
    cases = {
        f"{head}.{body}.{signature[:-2]}AA": "Invalid token",
        # signed with the refresh secret, so the signature check fails before the kind check
        tokens["refreshToken"]: "Invalid token",
        forge({**claims, "aud": "customer"}, secret): "Invalid token",
        forge({**claims, "iss": "someone-else"}, secret): "Invalid token",
        forge({"tokenType": "admin", "nbf": int(time.time()) + 600}, secret): "jwt not active",
        forge({**claims, "tokenKind": "refresh"}, secret): (
            "Invalid token kind. Expected access token"
        ),
        # a payload that is not JSON: jws.decode's JSON.parse throws inside jwtUserAuth
        f"{head}.{b64url(b'notjson')}.{signature}": (
            "Unexpected token 'o', \"notjson\" is not valid JSON"
        ),
    }
    for token, message in cases.items():
        response = await shop.http.post(
            "/api/admin/graphql", json=PROBE, headers={"Authorization": f"Bearer {token}"}
        )
        assert_error(response, 401, message)


def _customer_claims(now: int, **changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "customer": {"customer_id": 1, "email": "c@example.com"},
        "tokenType": "customer",
        "tokenKind": "access",
        "iat": now,
        "exp": now + 1800,
        "aud": "customer",
        "iss": "evershop",
    }
    return {**claims, **changes}


async def _try_bearer(shop: Shop, bearer: str, index: int) -> tuple[Any, Any]:
    headers = {"Authorization": f"Bearer {bearer}"}
    private = await shop.http.post("/api/admin/graphql", json=PROBE, headers=headers)
    public = await shop.http.post(
        "/api/customers",
        json={"email": f"bearer{index}@example.com", "password": "secret1", "full_name": "B"},
        headers=headers,
    )
    return private, public


async def test_customer_bearers_are_verified_with_the_customer_secret(shop: Shop) -> None:
    """jwtCustomerAuth: a customer token is checked (401 when bad), never taken as an admin."""
    now, secret = int(time.time()), shop.config.jwt_customer_secret
    private, public = await _try_bearer(shop, forge(_customer_claims(now), secret), 0)
    assert_error(private, 401, "Unauthorized")
    assert public.status_code == 200, public.text
    cases = {
        forge(_customer_claims(now), "another-secret"): "Invalid token",
        forge(_customer_claims(now, exp=now - 5), secret): "Token has expired",
        forge(_customer_claims(now, tokenKind="refresh"), secret): (
            "Invalid token kind. Expected access token"
        ),
    }
    for index, (token, message) in enumerate(cases.items(), start=1):
        private, public = await _try_bearer(shop, token, index)
        assert_error(private, 401, message)
        assert_error(public, 401, message)


async def test_bearers_of_no_known_token_type_are_ignored(shop: Shop) -> None:
    other = forge({"tokenType": "partner"}, "some-secret")
    for index, bearer in enumerate((other, "not-a-jwt", "a.b")):
        private, public = await _try_bearer(shop, bearer, index)
        assert_error(private, 401, "Unauthorized")
        assert public.status_code == 200, public.text


async def test_refresh_returns_a_working_access_token(shop: Shop) -> None:
    tokens = await shop.tokens()
    response = await shop.http.post(
        "/api/user/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    fresh = data(response)
    assert list(fresh) == ["accessToken"]
    claims = jwt_segment(fresh["accessToken"], 1)
    assert claims["tokenKind"] == "access"
    assert claims["exp"] - claims["iat"] == 900
    assert jwt_signature_ok(fresh["accessToken"], shop.config.jwt_admin_secret)
    answer = await shop.http.post(
        "/api/admin/graphql",
        json=PROBE,
        headers={"Authorization": f"Bearer {fresh['accessToken']}"},
    )
    assert_json(answer, 200, {"data": {"customers": {"total": 0}}})


@pytest.mark.parametrize(
    ("body", "status", "message"),
    cases.REFRESH_FAILURES,
)
async def test_refresh_failures(
    shop: Shop, body: dict[str, Any], status: int, message: str
) -> None:
    response = await shop.http.post("/api/user/token/refresh", json=body)
    assert_error(response, status, message)


async def test_refresh_rejects_access_expired_and_inactive(shop: Shop) -> None:
    tokens = await shop.tokens()
    with_access = await shop.http.post(
        "/api/user/token/refresh", json={"refreshToken": tokens["accessToken"]}
    )
    assert_error(with_access, 401, "Invalid refresh token")
    claims = jwt_segment(tokens["refreshToken"], 1)
    now = int(time.time())
    expired = forge(
        {**claims, "iat": now - 60_000, "exp": now - 6_000}, shop.config.jwt_admin_refresh_secret
    )
    too_old = await shop.http.post("/api/user/token/refresh", json={"refreshToken": expired})
    assert_error(too_old, 401, "Refresh token has expired")
    shop.set_admin_active(False)
    inactive = await shop.http.post(
        "/api/user/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert_error(inactive, 401, "Admin user not found or inactive")
    login = await shop.http.post("/api/user/tokens", json=shop.login_body)
    assert_json(login, 400, {"error": {"message": "Invalid email or password", "status": 400}})
