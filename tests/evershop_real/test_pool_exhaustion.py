"""EverShop 2.2.1's failed customer updates leak database connections until the shop hangs.

`PATCH /api/customers/:id` (updateCustomer.js) takes a pool connection and releases it only on
success: each "Invalid customer id" answer and each error it catches keeps one for good. The
pool's `max` is 20 and start-up already kept one (migrate.js), so after 19 such answers every
request that needs the database waits forever.

DESTRUCTIVE on the real target: it leaves that EverShop process unable to answer, and it needs
a process nothing leaked from before. `make test-evershop` therefore runs this module on its own,
after restarting EverShop, with EVERSHOP_DESTRUCTIVE=1; without that variable it fails.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.evershop_real.expect import assert_error, data
from tests.evershop_real.shops import Person, Shop

if not os.environ.get("EVERSHOP_DESTRUCTIVE"):
    pytest.fail(
        "destructive: run by `make test-evershop` alone against a restarted EverShop "
        "(EVERSHOP_DESTRUCTIVE=1); other runs leave it out (--ignore)",
        pytrace=False,
    )

pytestmark = pytest.mark.anyio

NOBODY = "00000000-0000-4000-8000-000000000000"
POOL_SIZE = 20
USABLE = POOL_SIZE - 1  # migrate.js keeps one connection from start-up on
HANG = 3.0  # seconds without an answer that count as "never"


async def test_failed_updates_leak_connections_until_the_shop_hangs(shop: Shop) -> None:
    target = shop.add_customer(Person("leak@example.com", "Leak"))
    headers = await shop.admin_headers()
    url = f"/api/customers/{target.uuid}"
    # successful updates give their connection back, however many there are
    for index in range(POOL_SIZE + 5):
        ok = await shop.http.patch(url, json={"status": index % 2}, headers=headers)
        assert ok.status_code == 200, ok.text
    # the route's payload validation answers before the handler takes a connection
    for _ in range(POOL_SIZE + 5):
        invalid = await shop.http.patch(url, json={"email": "bad"}, headers=headers)
        assert_error(invalid, 400, 'must match format "email"')
    # each failure inside the handler keeps its connection
    for index in range(USABLE):
        if index % 2:
            failed = await asyncio.wait_for(
                shop.http.patch(url, json={"status": "abc"}, headers=headers), HANG * 3
            )
            assert_error(failed, 500, 'invalid input syntax for type smallint: "abc"')
        else:
            failed = await asyncio.wait_for(
                shop.http.patch(f"/api/customers/{NOBODY}", json={}, headers=headers), HANG * 3
            )
            assert_error(failed, 400, "Invalid customer id")
    # the pool is empty now: whatever needs the database never answers...
    for request in (
        shop.http.post("/api/user/tokens", json=shop.login_body),
        shop.http.patch(url, json={"status": 1}, headers=headers),
        shop.http.post("/api/admin/graphql", json={"query": "{customers{total}}"}, headers=headers),
        shop.http.post(
            "/api/customers",
            json={"email": "late@example.com", "password": "secret1", "full_name": "L"},
        ),
    ):
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(request, HANG)
    # ...while what answers before the handler still does
    assert_error(await shop.http.patch(url, json={}), 401, "Unauthorized")
    assert_error(
        await shop.http.patch(url, json={"email": "bad"}, headers=headers),
        400,
        'must match format "email"',
    )
    empty = await shop.http.post("/api/admin/graphql", json={"query": ""}, headers=headers)
    assert data(empty) == {}
