"""EverShop's per-client-IP rate limits (modules/base/services/rateLimit.ts) on both targets.

EverShop runs with NODE_ENV=production here (the limiter is off under NODE_ENV=test). Each test
has its own client address (`X-Forwarded-For`; TRUST_PROXY_HOPS defaults to 1), so its windows
start fresh; the limits themselves are checked through the REST API, as a client meets them.
"""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from tests.evershop_real.expect import assert_error, data
from tests.evershop_real.shops import Shop

pytestmark = pytest.mark.anyio

TOO_MANY = "Too many requests. Please slow down and try again later."


def customer(index: int) -> dict[str, Any]:
    return {"email": f"rl{index}@example.com", "password": "secret1", "full_name": "Rate Limited"}


def reset_seconds(response: httpx.Response) -> int:
    return int(response.headers["ratelimit-reset"])


async def test_registration_is_limited_to_8_per_15_minutes_with_retry_after(shop: Shop) -> None:
    for index in range(8):
        response = await shop.http.post("/api/customers", json=customer(index))
        assert data(response)["email"] == f"rl{index}@example.com"
        assert response.headers["ratelimit-policy"] == "8;w=900"
        assert response.headers["ratelimit-limit"] == "8"
        assert response.headers["ratelimit-remaining"] == str(7 - index)
        assert 895 <= reset_seconds(response) <= 900
        assert "retry-after" not in response.headers
    ninth = await shop.http.post("/api/customers", json=customer(9))
    assert_error(ninth, 429, TOO_MANY)
    assert ninth.headers["retry-after"] == "900"  # the whole window, not the time left
    assert ninth.headers["ratelimit-remaining"] == "0"
    assert 890 <= reset_seconds(ninth) <= 900
    assert [row["email"] for row in shop.customer_rows()] == [
        f"rl{i}@example.com" for i in range(8)
    ]
    # the rest of /api has its own tier
    tokens = await shop.http.post("/api/user/tokens", json=shop.login_body)
    assert tokens.status_code == 200
    assert tokens.headers["ratelimit-policy"] == "120;w=60"
    # and another client has its own window (the rightmost X-Forwarded-For entry counts)
    other = await shop.http.post(
        "/api/customers",
        json=customer(10),
        headers={"X-Forwarded-For": f"{shop.client_address}, 192.0.2.{random.randrange(1, 254)}"},
    )
    assert other.status_code == 200, other.text
    assert other.headers["ratelimit-remaining"] == "7"


async def test_failed_registrations_count_too(shop: Shop) -> None:
    for _ in range(8):
        assert (await shop.http.post("/api/customers", json={})).status_code == 500
    assert_error(await shop.http.post("/api/customers", json=customer(1)), 429, TOO_MANY)


async def test_ipv6_clients_share_a_window_per_56_bit_prefix(shop: Shop) -> None:
    prefix = f"2001:db8:{random.randrange(0x10000):x}:{random.randrange(0x100):x}"
    for index in range(8):
        response = await shop.http.post(
            "/api/customers",
            json={},
            headers={"X-Forwarded-For": f"{prefix}00::{index + 1:x}"},
        )
        assert response.status_code == 500, response.text
    neighbour = await shop.http.post(
        "/api/customers", json={}, headers={"X-Forwarded-For": f"{prefix}ff::1"}
    )
    assert_error(neighbour, 429, TOO_MANY)
    elsewhere = await shop.http.post(
        "/api/customers",
        json={},
        headers={"X-Forwarded-For": f"2001:db8:{random.randrange(0x10000):x}:1fff::1"},
    )
    assert elsewhere.status_code == 500


async def test_the_api_tier_is_120_per_minute(shop: Shop) -> None:
    probe = {"query": "{ customers { total } }"}
    for index in range(120):
        response = await shop.http.post("/api/admin/graphql", json=probe)
        assert response.status_code == 401
        assert response.headers["ratelimit-remaining"] == str(119 - index)
    limited = await shop.http.post("/api/admin/graphql", json=probe)
    assert_error(limited, 429, TOO_MANY)
    assert limited.headers["retry-after"] == "60"
    assert limited.headers["ratelimit-policy"] == "120;w=60"
    # only the exact path /api/customers is the auth tier: with a trailing slash it is `api`
    slash = await shop.http.post("/api/customers/", json=customer(1))
    assert_error(slash, 429, TOO_MANY)
    # registration has its own window
    assert (await shop.http.post("/api/customers", json=customer(2))).status_code == 200
    # pages (here EverShop's 404 page) are a third tier
    page = await shop.http.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["ratelimit-policy"] == "300;w=60"
    assert page.headers["content-type"] == "text/html; charset=utf-8"
