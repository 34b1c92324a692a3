"""Shoptet emulator: change log, webhooks, snapshot jobs and their gzip JSON Lines results."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import time
import zlib
from typing import Any

import pytest
from starlette.requests import ClientDisconnect
from starlette.types import Message

from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.emulators.shoptet.formats import format_datetime

from .test_shoptet_contract import (
    TOKEN,
    FakeClock,
    assert_valid,
    contract_client,
    make_emulator,
    snapshot_validator,
)

pytestmark = pytest.mark.anyio

JOB_HOOK = {"data": [{"event": "job:finished", "url": "https://hooks.example.com/shoptet"}]}


async def test_the_change_log_keeps_the_latest_change_per_customer() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    since = format_datetime(clock.now)
    a, b, c = (customer["guid"] for customer in emulator.customer_objects()[:3])
    async with contract_client(emulator) as api:
        clock.advance(10)
        await api.patch(f"/api/customers/{a}", json={"data": {"remark": "první"}})
        clock.advance(10)
        await api.patch(f"/api/customers/{b}", json={"data": {"remark": "druhá"}})
        clock.advance(10)
        await api.delete(f"/api/customers/{a}")
        clock.advance(10)
        created = await api.post("/api/customers", json={"data": {"account": {"email": "n@ex.cz"}}})
        new = created.json()["data"]["customer"]["guid"]
        everything = await api.get("/api/customers/changes", params={"from": since})
        deletes = await api.get(
            "/api/customers/changes", params={"from": since, "changeType": "delete"}
        )
        later = await api.get(
            "/api/customers/changes", params={"from": format_datetime(clock.now - 15)}
        )
    rows = everything.json()["data"]["changes"]
    assert [(r["guid"], r["changeType"]) for r in rows] == [
        (b, "edit"),
        (a, "delete"),
        (new, "edit"),
    ]
    assert rows[1]["changeTime"] == format_datetime(clock.now - 10)
    assert c not in {r["guid"] for r in rows}
    assert [(r["guid"], r["changeType"]) for r in deletes.json()["data"]["changes"]] == [
        (a, "delete")
    ]
    assert [r["guid"] for r in later.json()["data"]["changes"]] == [a, new]


async def test_the_change_log_forgets_after_30_days_and_pages_by_20() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock)
    since = "2000-01-01T00:00:00+0100"
    async with contract_client(emulator) as api:
        for customer in emulator.customer_objects()[:25]:
            await api.patch(f"/api/customers/{customer['guid']}", json={"data": {"remark": "x"}})
        page2 = await api.get(
            "/api/customers/changes", params={"from": since, "page": 2, "itemsPerPage": 100}
        )
        clock.advance(29 * 86400)
        kept = await api.get("/api/customers/changes", params={"from": since})
        clock.advance(2 * 86400)
        gone = await api.get("/api/customers/changes", params={"from": since})
    assert page2.json()["data"]["paginator"] == {
        "totalCount": 25,
        "page": 2,
        "pageCount": 2,
        "itemsOnPage": 5,
        "itemsPerPage": 20,
    }
    assert kept.json()["data"]["paginator"]["totalCount"] == 25
    assert gone.json()["data"]["paginator"]["totalCount"] == 0


async def test_the_change_log_needs_a_zoned_from() -> None:
    emulator = make_emulator()
    async with contract_client(emulator) as api:
        missing = await api.get("/api/customers/changes")
        encoded = await api.get("/api/customers/changes?from=2018-01-01T01:01:01%2B0200")
        colon = await api.get(
            "/api/customers/changes", params={"from": "2018-01-01T01:01:01+02:00"}
        )
        raw_plus = await api.get("/api/customers/changes?from=2018-01-01T01:01:01+0200")
        no_zone = await api.get("/api/customers/changes", params={"from": "2018-01-01T01:01:01"})
        bad_type = await api.get(
            "/api/customers/changes", params={"from": "2018-01-01T01:01:01Z", "changeType": "add"}
        )
    assert encoded.status_code == colon.status_code == 200
    for response in (missing, raw_plus, no_zone):
        assert response.status_code == 422
        assert response.json()["errors"][0]["instance"] == "from"
    assert bad_type.json()["errors"][0]["instance"] == "changeType"


async def test_webhook_registration_rules() -> None:
    emulator = make_emulator()
    async with contract_client(emulator) as api:
        created = await api.post(
            "/api/webhooks",
            json={
                "data": [
                    {"event": "customer:update", "url": "https://hooks.example.com/a"},
                    {"event": "job:finished", "url": "https://hooks.example.com:8443/j"},
                ]
            },
        )
        duplicate = await api.post("/api/webhooks", json=JOB_HOOK)
        exclusive = await api.post(
            "/api/webhooks",
            json={
                "data": [{"event": "customer:disableOrders", "url": "https://hooks.example.com"}]
            },
        )
        bad = await api.post(
            "/api/webhooks",
            json={"data": [{"event": "customer:explode", "url": "https://hooks.example.com:22/"}]},
        )
        listed = await api.get("/api/webhooks")
    assert created.status_code == 201
    hooks = created.json()["data"]["webhooks"]
    assert [(h["id"], h["event"], h["updated"]) for h in hooks] == [
        (1, "customer:update", None),
        (2, "job:finished", None),
    ]
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["message"] == "Webhook already exists for this event"
    assert exclusive.status_code == 409
    assert sorted(e["instance"] for e in bad.json()["errors"]) == ["data[0].event", "data[0].url"]
    assert listed.json()["data"]["paginator"]["totalCount"] == 2


async def test_customer_writes_are_delivered_to_registered_webhooks() -> None:
    emulator = make_emulator()
    guid = emulator.customer_objects()[0]["guid"]
    async with contract_client(emulator) as api:
        await api.post(
            "/api/webhooks",
            json={"data": [{"event": "customer:update", "url": "https://hooks.example.com/u"}]},
        )
        await api.patch(f"/api/customers/{guid}", json={"data": {"remark": "VIP kandidát"}})
        await api.delete(f"/api/customers/{guid}")  # customer:delete is not registered
    (delivery,) = emulator.webhook_deliveries
    assert delivery.url == "https://hooks.example.com/u"
    assert delivery.payload["event"] == "customer:update"
    assert delivery.payload["eventInstance"] == guid
    assert json.loads(delivery.body) == delivery.payload
    key = emulator.shop.webhooks.signature_key.encode()
    expected = hmac.new(key, delivery.body, hashlib.sha1).hexdigest()
    assert delivery.headers["Shoptet-Webhook-Signature"] == expected


async def test_a_snapshot_needs_the_job_finished_webhook() -> None:
    emulator = make_emulator()
    async with contract_client(emulator) as api:
        refused = await api.get("/api/customers/snapshot")
        jobs = await api.get("/api/system/jobs")
    assert refused.status_code == 403
    assert jobs.json()["data"]["jobs"] == []


async def test_the_job_lifecycle_ends_in_a_gzip_json_lines_file() -> None:
    clock = FakeClock()
    emulator = make_emulator(customers=120, clock=clock, job_seconds=2.0)
    removed = emulator.customer_objects()[0]["guid"]
    async with contract_client(emulator) as api:
        await api.post("/api/webhooks", json=JOB_HOOK)
        await api.delete(f"/api/customers/{removed}")
        accepted = await api.get("/api/customers/snapshot")
        job_id = accepted.json()["data"]["jobId"]
        pending = (await api.get(f"/api/system/jobs/{job_id}")).json()["data"]["job"]
        clock.advance(1.0)
        running = (await api.get(f"/api/system/jobs/{job_id}")).json()["data"]["job"]
        assert emulator.webhook_deliveries == []
        # Writes after the job was queued are not in its export.
        await api.post("/api/customers", json={"data": {"account": {"email": "po@example.cz"}}})
        clock.advance(1.0)
        done = (await api.get(f"/api/system/jobs/{job_id}")).json()["data"]["job"]
        download = await api.get(done["resultUrl"])
        listed = await api.get("/api/system/jobs", params={"status": "completed"})
    assert accepted.status_code == 202
    assert (pending["status"], pending["resultUrl"], pending["completionTime"]) == (
        "pending",
        None,
        None,
    )
    assert running["status"] == "running"
    assert done["status"] == "completed"
    assert done["endpoint"] == "/api/customers/snapshot"
    assert done["duration"] == "2.000"
    assert done["completionTime"] == format_datetime(clock.now)
    assert done["validUntil"] == format_datetime(clock.now + 86400)
    assert (
        done["resultUrl"]
        == f"https://api.myshoptet.com/api-results/{job_id}-"
        + (done["resultUrl"].rsplit("-", 1)[1])
    )
    assert done["resultUrl"].endswith(".jsonl.gz")
    (delivery,) = emulator.webhook_deliveries
    assert delivery.payload == {
        "eshopId": delivery.payload["eshopId"],
        "event": "job:finished",
        "eventCreated": done["completionTime"],
        "eventInstance": job_id,
    }
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/gzip"
    lines = gzip.decompress(download.content).decode().splitlines()
    customers = [json.loads(line) for line in lines]
    assert len(customers) == 119
    assert removed not in {c["guid"] for c in customers}
    assert customers == emulator.customer_objects()[:119]
    validator = snapshot_validator()
    for customer in customers[:40]:
        assert_valid(validator, customer, "snapshot line")
    assert [j["jobId"] for j in listed.json()["data"]["jobs"]] == [job_id]


async def test_snapshot_filters_and_result_expiry() -> None:
    clock = FakeClock()
    emulator = make_emulator(customers=300, clock=clock, job_seconds=1.0)
    everyone = emulator.customer_objects()
    cutoff = everyone[99]["creationTime"] or "2019-01-01T00:00:00+0100"
    async with contract_client(emulator) as api:
        await api.post("/api/webhooks", json=JOB_HOOK)
        accepted = await api.get("/api/customers/snapshot", params={"creationTimeTo": cutoff})
        job_id = accepted.json()["data"]["jobId"]
        clock.advance(1.0)
        url = (await api.get(f"/api/system/jobs/{job_id}")).json()["data"]["job"]["resultUrl"]
        content = (await api.get(url)).content
        clock.advance(86400)
        expired = (await api.get(f"/api/system/jobs/{job_id}")).json()["data"]["job"]
        gone = await api.get(url)
        bad = await api.get("/api/customers/snapshot", params={"changeTimeFrom": "včera"})
    exported = [json.loads(line)["guid"] for line in gzip.decompress(content).splitlines()]
    expected = [c["guid"] for c in everyone[:100] if c["creationTime"] is not None]
    assert exported == expected
    assert (expired["status"], expired["resultUrl"]) == ("expired", None)
    assert gone.status_code == 404
    assert (bad.status_code, bad.json()["errors"][0]["instance"]) == (422, "changeTimeFrom")


async def test_polling_an_unfinished_job_more_than_10_times_is_refused() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock, job_seconds=5.0)
    async with contract_client(emulator) as api:
        await api.post("/api/webhooks", json=JOB_HOOK)
        job_id = (await api.get("/api/customers/snapshot")).json()["data"]["jobId"]
        statuses = [(await api.get(f"/api/system/jobs/{job_id}")).status_code for _ in range(11)]
        refused = await api.get(f"/api/system/jobs/{job_id}")
        unknown = await api.get("/api/system/jobs/0000000")
        clock.advance(5.0)
        finished = await api.get(f"/api/system/jobs/{job_id}")
    assert statuses == [200] * 10 + [403]
    assert refused.json()["errors"][0]["errorCode"] == "job-detail-try-counter-exceeded-limit"
    assert refused.json()["errors"][0]["instance"] == job_id
    assert (unknown.status_code, unknown.json()["errors"][0]["errorCode"]) == (404, "job-not-found")
    assert finished.json()["data"]["job"]["status"] == "completed"


async def test_a_million_customer_export_streams_incrementally() -> None:
    """Drive the ASGI app directly and hang up after a few chunks: the first bytes arrive long
    before a million customers could have been rendered, each chunk is valid gzip data."""
    clock = FakeClock()
    emulator = ShoptetEmulator(customers=1_000_000, clock=clock, token=TOKEN, job_seconds=0.5)
    async with contract_client(emulator) as api:
        await api.post("/api/webhooks", json=JOB_HOOK)
        job_id = (await api.get("/api/customers/snapshot")).json()["data"]["jobId"]
        clock.advance(1)
        url = (await api.get(f"/api/system/jobs/{job_id}")).json()["data"]["job"]["resultUrl"]
    chunks: list[bytes] = []
    start: dict[str, Any] = {}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["body"]:
            chunks.append(message["body"])
            if len(chunks) == 6:
                raise OSError("client went away")  # ASGI 2.4: disconnect surfaces on send

    path = url.removeprefix("https://api.myshoptet.com")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"api.myshoptet.com")],
        "client": ("127.0.0.1", 5000),
        "server": ("api.myshoptet.com", 443),
    }
    started = time.perf_counter()
    with pytest.raises(ClientDisconnect):
        await emulator.app(scope, receive, send)
    assert time.perf_counter() - started < 10.0  # stops at the disconnect; only a hang fails
    assert start["status"] == 200
    text = zlib.decompressobj(wbits=31).decompress(b"".join(chunks)).decode()
    lines = text.split("\n")[:-1]  # the last piece may be a partial line
    assert len(lines) >= 2500
    first = json.loads(lines[0])
    assert first["adminUrl"].endswith("?id=1")
    assert json.loads(lines[2499])["adminUrl"].endswith("?id=2500")
