"""Webhook receivers over real HTTP (the gateway under uvicorn on 127.0.0.1): the Shoptet
emulator POSTs its signed deliveries to the gateway, which re-reads the customer into the
mirror long before the next sync step (an hour away here); a bad signature, a missing one, a
body that is not JSON and an unknown source are refused with typed errors. Flow Retail's scheme
(HTTP Basic or Bearer with the source's secret) is checked on the same route."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from customer_gateway.core.ids import global_id
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.server.settings import Secret
from tests.api.test_subscriptions import Served, serve_sources
from tests.mirror.harness import source_settings

CUSTOMER = """query($id: String!) { customer(id: $id) { email fullName
  addresses { city } } }"""
EMAIL = "query($id: String!) { customer(id: $id) { email } }"
HOOK = "https://gateway.example.com/webhooks/shoptet-live"


def _wait(check: Callable[[], bool], seconds: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"{what} within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Served, ShoptetEmulator]]:
    shoptet = ShoptetEmulator(seed=8, customers=5, rate_limits=False, job_seconds=0.0)
    secret = shoptet.shop.webhooks.signature_key
    source = source_settings("shoptet-live", shoptet, mirror=True, sync_interval=3600.0)
    source = replace(source, credentials={**source.credentials, "webhook_secret": Secret(secret)})
    with serve_sources((source,), {"shoptet-live": shoptet}, data_dir=tmp_path) as client:
        _wait(
            lambda: (
                client.http.get("/readyz").json()["mirrors"]["shoptet-live"]["state"] == "fresh"
            ),
            30,
            "the mirror loads",
        )
        # The shop's admin registers the customer webhooks (README, "Mirror").
        registered = _shoptet_api(
            shoptet,
            "POST",
            "/api/webhooks",
            {
                "data": [
                    {"event": event, "url": HOOK}
                    for event in ("customer:create", "customer:update", "customer:delete")
                ]
            },
        )
        assert len(registered["data"]["webhooks"]) == 3
        shoptet.webhook_target = client.url
        yield client, shoptet


def _shoptet_api(
    shoptet: ShoptetEmulator, method: str, path: str, body: Any = None
) -> dict[str, Any]:
    import anyio

    async def call() -> dict[str, Any]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=shoptet.app), base_url="https://api.myshoptet.com"
        ) as client:
            answer = await client.request(
                method,
                path,
                json=body,
                headers={"Shoptet-Private-API-Token": shoptet.token},
            )
            answer.raise_for_status()
            result: dict[str, Any] = answer.json()
            return result

    return anyio.run(call)


def _city(client: Served, guid: str) -> str | None:
    found = client.post(CUSTOMER, id=global_id("shoptet-live", guid))["data"]["customer"]
    if found is None:
        return None
    cities = [address["city"] for address in found["addresses"]]
    return cities[0] if cities else ""


def test_signed_notices_bring_upstream_changes_before_the_next_sync(
    shop: tuple[Served, ShoptetEmulator],
) -> None:
    client, shoptet = shop
    guid = shoptet.customer_objects()[0]["guid"]
    shoptet.shop.update_customer(guid, {"billingAddress": {"city": "Kroměříž"}})
    took = _wait(lambda: _city(client, guid) == "Kroměříž", 10, "the update shows")
    created = shoptet.add_customer(email="hook@example.cz", fullName="Hook Line")["guid"]
    _wait(lambda: _city(client, created) is not None, 10, "the created customer shows")
    shoptet.shop.delete_customer(created)
    _wait(lambda: _city(client, created) is None, 10, "the deleted customer goes")
    assert [status for _, status in shoptet.shop.webhooks.sent] == [202, 202, 202]
    assert took < 10  # the sync's next step is an hour away
    metrics = client.http.get("/metrics").text
    assert 'gateway_mirror_webhooks_total{outcome="scheduled",source="shoptet-live"} 3.0' in (
        metrics
    )


def test_bad_notices_are_refused_typed(shop: tuple[Served, ShoptetEmulator]) -> None:
    client, shoptet = shop
    body = json.dumps(
        {"eshopId": 1, "event": "customer:update", "eventCreated": "x", "eventInstance": "g"}
    ).encode()
    key = shoptet.shop.webhooks.signature_key
    good = hmac.new(key.encode(), body, hashlib.sha1).hexdigest()
    cases = [
        ("/webhooks/shoptet-live", body, {"Shoptet-Webhook-Signature": "0" * 40}, 401),
        ("/webhooks/shoptet-live", body, {}, 401),
        ("/webhooks/shoptet-live", body + b" ", {"Shoptet-Webhook-Signature": good}, 401),
        (
            "/webhooks/shoptet-live",
            b"not json",
            {
                "Shoptet-Webhook-Signature": hmac.new(
                    key.encode(), b"not json", hashlib.sha1
                ).hexdigest()
            },
            400,
        ),
        ("/webhooks/nowhere", body, {"Shoptet-Webhook-Signature": good}, 404),
        ("/webhooks/shoptet-live", b"x" * 70_000, {"Shoptet-Webhook-Signature": good}, 413),
    ]
    for path, content, headers, status in cases:
        answer = client.http.post(path, content=content, headers=headers)
        assert answer.status_code == status, (path, headers, answer.text)
        expected = {401: "UNAUTHENTICATED", 400: "BAD_USER_INPUT", 404: "NOT_FOUND"}
        assert answer.json()["error"] == expected.get(status, "BAD_USER_INPUT")
    # A good signature on a notice of an unknown customer: accepted, the re-read finds none.
    accepted = client.http.post(
        "/webhooks/shoptet-live", content=body, headers={"Shoptet-Webhook-Signature": good}
    )
    assert (accepted.status_code, accepted.json()["reread"]) == (202, ["g"])


def test_flow_retail_notices_take_the_transports_credentials(tmp_path: Path) -> None:
    flow = FlowRetailEmulator(seed=9, customers=4)
    source = source_settings("flow-live", flow, mirror=True, sync_interval=3600.0)
    source = replace(
        source, credentials={**source.credentials, "webhook_secret": Secret("s3cret-transport")}
    )
    with serve_sources((source,), {"flow-live": flow}, data_dir=tmp_path) as client:
        body = json.dumps(
            {
                "action": "CUSTOMER_UPDATE",
                "tenant": {"Id": 7, "Uid": "7"},
                "customer": {"Id": 32, "Uid": "no-such-uid"},
            }
        ).encode()
        basic = base64.b64encode(b"flow:s3cret-transport").decode()
        for headers, status in [
            ({"Authorization": f"Basic {basic}"}, 202),
            ({"Authorization": "Bearer s3cret-transport"}, 202),
            ({"Authorization": "Bearer wrong"}, 401),
            ({"Authorization": "Basic !!!"}, 401),
            ({}, 401),
        ]:
            answer = client.http.post("/webhooks/flow-live", content=body, headers=headers)
            assert answer.status_code == status, (headers, answer.text)
            if status == 401:
                assert answer.json()["error"] == "UNAUTHENTICATED"
        # The emulator's transport sends its notices (BASIC_AUTH): a change made in Flow Retail
        # itself shows long before the next sync step.
        flow.send_webhooks(f"{client.url}/webhooks/flow-live", {"Authorization": f"Basic {basic}"})
        tenant = flow.tenants[flow.first_tenant]
        uid = next(iter(tenant.customers))
        tenant.update(uid, {"email": "hook@example.no"})

        def email() -> str | None:
            found = client.post(EMAIL, id=global_id("flow-live", uid))["data"]["customer"]
            return None if found is None else str(found["email"])

        _wait(lambda: email() == "hook@example.no", 10, "the update shows")
        # The delivering thread notes the answer after it has read it: the gateway may have
        # re-read the customer (and the test seen it) a moment before.
        _wait(lambda: bool(flow.webhooks_sent), 10, "the delivery is noted")
        assert flow.webhooks_sent == [("CUSTOMER_UPDATE", 202)]
