"""erasePerson under faults, over HTTP: one source down keeps the request open for it (retried by
the gateway and by the next call), never reported done early; then everything forgets the
person: the sources, the mirror, the index, idempotency records and exports. The audit trail and
the completed request hold no personal data. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Receive, Scope, Send

from customer_gateway.identity.tables import audit, erasures
from customer_gateway.server.settings import IdentitySettings
from tests.identity.harness import identity_gateway, shops
from tests.mirror.harness import Running, mirror_text

pytestmark = pytest.mark.anyio

ERASE = """
mutation($email: String, $dry: Boolean!) {
  erasePerson(email: $email, dryRun: $dry) {
    requestId status dryRun attempts gatewayStores
    sources { source outcome customers erased alreadyGone pending code reason attempts }
  }
}
"""
STATUS = """
query($id: String!) {
  erasureRequest(requestId: $id) { requestId status attempts sources { source outcome pending } }
}
"""
CREATE = """
mutation($source: String!, $input: CustomerCreateInput!) {
  createCustomer(source: $source, input: $input) { uuid }
}
"""
PERSON = """
query($email: ID!) {
  people(filters: [{key: "email", operation: eq, value: $email}]) {
    total items { personId customers { uuid } }
  }
}
"""
# A keyed create of the person's: made before the erasure, replayed after it.
KEYED_CREATE = {
    "source": "flow-c",
    "input": {
        "email": "jana.novakova@gmail.com",
        "fullName": "Jana Vymazatelná",
        "idempotencyKey": "erase-test-key-1",
    },
}


class DeletesDown:
    """An upstream whose deletes fail (503) while `down`; everything else passes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.down = True
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "DELETE" and self.down:
            self.refused += 1
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"errorMessage":"down"}'})
            return
        await self.app(scope, receive, send)


async def create(gateway: Running, source: str, email: str, **extra: str) -> str:
    given = {"email": email, "fullName": "Jana Vymazatelná", **extra}
    answer = await gateway.query(CREATE, {"source": source, "input": given})
    assert "errors" not in answer, answer
    uuid: str = answer["data"]["createCustomer"]["uuid"]
    return uuid


async def erase(gateway: Running, email: str, dry: bool = False) -> dict[str, Any]:
    answer = await gateway.query(ERASE, {"email": email, "dry": dry})
    assert "errors" not in answer, answer
    report: dict[str, Any] = answer["data"]["erasePerson"]
    return report


async def test_erasure_across_sources_under_faults(identity_target: dict[str, Any]) -> None:
    emulators = shops()
    faulty = DeletesDown(emulators["ecwid-d"].app)
    identity = IdentitySettings(erasure_retry_interval=0.3)
    async with identity_gateway(
        emulators, identity_target, identity, apps={"ecwid-d": faulty}
    ) as gateway:
        uuids = {
            "shoptet-b": await create(gateway, "shoptet-b", "Jana.Novakova+eshop@Gmail.com"),
            "flow-c": await create(gateway, "flow-c", "jananovakova@gmail.com"),
            "ecwid-d": await create(gateway, "ecwid-d", "JANA.NOVAKOVA@GMAIL.COM"),
            "evershop-a": await create(
                gateway, "evershop-a", "j.a.n.a.novakova@gmail.com", password="secret-123"
            ),
        }
        other = await create(gateway, "shoptet-b", "someone.else@example.com")
        person = await gateway.query(PERSON, {"email": "jananovakova@gmail.com"})
        members = {c["uuid"] for c in person["data"]["people"]["items"][0]["customers"]}
        assert members == set(uuids.values())
        # The gateway's own stores hold the person: an idempotency record and an export.
        keyed = await gateway.query(CREATE, KEYED_CREATE)
        assert "errors" not in keyed, keyed
        uuids["flow-c#2"] = keyed["data"]["createCustomer"]["uuid"]
        export = await gateway.query('mutation { startCustomerExport(sources: ["flow-c"]) { id } }')
        export_id = export["data"]["startCustomerExport"]["id"]
        async with asyncio.timeout(20):
            while True:
                status = await gateway.query(
                    "query($id: ID!) { customerExport(id: $id) { status } }", {"id": export_id}
                )
                if status["data"]["customerExport"]["status"] != "RUNNING":
                    break
                await asyncio.sleep(0.05)

        # Art. 15/20: one document from every source's export of the person's customers.
        exported_person = await gateway.query(
            "query($e: String) { personDataExport(email: $e) }", {"e": " JANA.novakova@gmail.com "}
        )
        assert "errors" not in exported_person, exported_person
        document = exported_person["data"]["personDataExport"]
        assert len(document["people"]) == 1
        assert set(document["people"][0]["customers"]) == set(uuids.values())
        parts = {part["customerId"]: part for part in document["sources"]}
        assert set(parts) == set(uuids.values())
        for uuid, part in parts.items():
            assert "error" not in part, part
            assert part["source"] == uuid.split(":", 1)[0]
            assert part["document"], part
        assert parts[uuids["flow-c"]]["native"] is True  # Flow Retail exports itself
        assert parts[uuids["shoptet-b"]]["native"] is False
        assert "consents" in parts[uuids["shoptet-b"]]["notHeld"]

        # A dry run says what would happen and changes nothing.
        dry = await erase(gateway, "Jana.Novakova@gmail.com", dry=True)
        assert dry["status"] == "DRY_RUN"
        assert {s["source"]: s["outcome"] for s in dry["sources"]} == {
            "evershop-a": "would_erase",
            "shoptet-b": "would_erase",
            "flow-c": "would_erase",
            "ecwid-d": "would_erase",
        }
        assert faulty.refused == 0
        still = await gateway.query(PERSON, {"email": "jananovakova@gmail.com"})
        assert still["data"]["people"]["total"] == 1

        # Ecwid is down: the request stays open for it, the others are done.
        first = await erase(gateway, "jana.novakova@gmail.com")
        by_source = {s["source"]: s for s in first["sources"]}
        assert first["status"] == "OPEN"
        assert first["gatewayStores"] == []
        assert by_source["ecwid-d"]["outcome"] == "pending"
        assert by_source["ecwid-d"]["code"].startswith("UPSTREAM_")
        assert "retried" in by_source["ecwid-d"]["reason"]
        for source in ("evershop-a", "shoptet-b", "flow-c"):
            assert by_source[source]["outcome"] == "done", by_source[source]
            assert by_source[source]["pending"] == 0
        assert by_source["flow-c"]["customers"] == 2
        request_id = first["requestId"]
        left = await gateway.query(
            "query($id: String) { customer(id: $id) { person { customers { uuid } } } }",
            {"id": uuids["ecwid-d"]},
        )
        assert left["data"]["customer"]["person"]["customers"] == [{"uuid": uuids["ecwid-d"]}]
        # Gone at the sources themselves (a live read asks them), not just in the mirror.
        for source in ("shoptet-b", "flow-c", "evershop-a"):
            live = await gateway.query(
                "query($id: String) { customer(id: $id) { uuid } }",
                {"id": uuids[source]},
                **{"X-Live-Read": "true"},
            )
            assert live["data"]["customer"] is None, (source, live)

        # Asked again while it is still down: the same request, still open.
        await asyncio.sleep(0.4)
        second = await erase(gateway, "JANA.NOVAKOVA@gmail.com")
        assert second["requestId"] == request_id
        assert second["status"] == "OPEN"
        assert second["attempts"] >= 2
        assert faulty.refused >= 2

        # Back up: the gateway's own retry completes it.
        faulty.down = False
        async with asyncio.timeout(30):
            while True:
                polled = await gateway.query(STATUS, {"id": request_id})
                if polled["data"]["erasureRequest"]["status"] == "COMPLETED":
                    break
                assert polled["data"]["erasureRequest"]["status"] == "OPEN"
                await asyncio.sleep(0.1)
        live = await gateway.query(
            "query($id: String) { customer(id: $id) { uuid } }",
            {"id": uuids["ecwid-d"]},
            **{"X-Live-Read": "true"},
        )
        assert live["data"]["customer"] is None
        gone = await gateway.query(
            'query { people(filters: [{key: "keyword", operation: eq, value: "vymazateln"}]) '
            "{ total items { customers { uuid } } } }"
        )
        # Only the other person of that name is left.
        assert gone["data"]["people"]["items"] == [{"customers": [{"uuid": other}]}]
        kept = await gateway.query(
            "query($id: String) { customer(id: $id) { uuid } }", {"id": other}
        )
        assert kept["data"]["customer"] == {"uuid": other}

        # The gateway's own stores forgot the person.
        state = gateway.app.state.gateway
        memory = getattr(state.idempotency, "_entries", None)
        if memory is not None:
            assert all(
                entry.record is None or entry.record.email != "jana.novakova@gmail.com"
                for entry in memory.values()
            )
        exported = await gateway.query(
            "query($id: ID!) { customerExport(id: $id) { id } }", {"id": export_id}
        )
        assert exported["data"]["customerExport"] is None
        # Nothing of theirs in any table of the mirror (the change logs of its kept totals
        # included: a delete leaves no entry there, migrations 0010 and 0011).
        async with state.identity.engine.connect() as connection:
            mirrored = await connection.run_sync(mirror_text)
        assert "someone.else@example.com" in mirrored  # the scan sees what is there
        for email in (
            "jana.novakova+eshop@gmail.com",
            "jananovakova@gmail.com",
            "j.a.n.a.novakova@gmail.com",
            "jana.novakova@gmail.com",
        ):
            assert email not in mirrored, email

        # Idempotent: the same answer again, nothing asked of the sources.
        refused = faulty.refused
        again = await erase(gateway, "jana.novakova@gmail.com")
        assert again["requestId"] == request_id
        assert again["status"] == "COMPLETED"
        assert set(again["gatewayStores"]) >= {"mirror", "identity index", "exports"}
        assert faulty.refused == refused

        # No personal data in the audit trail or the completed request.
        async with state.identity.engine.connect() as connection:
            trail = [dict(r._mapping) for r in await connection.execute(sa.select(audit))]
            stored = (await connection.execute(sa.select(erasures))).all()
        text = json.dumps(trail, default=str) + json.dumps([dict(r._mapping) for r in stored])
        for secret in (
            "jana",
            "novakova",
            "nováková",
            "gmail",
            *[u.split(":", 1)[1] for u in uuids.values()],
        ):
            assert secret not in text.lower(), secret
        events = [row["event"] for row in trail if row["request_id"] == request_id]
        assert events[0] == "requested"
        assert events[-1] == "completed"
        assert events.count("completed") == 1

        # The idempotency record that held the erased customer is gone (memory or PostgreSQL):
        # the same key no longer answers with the erased customer.
        replay = await gateway.query(CREATE, KEYED_CREATE)
        assert "errors" not in replay, replay
        assert replay["data"]["createCustomer"]["uuid"] != uuids["flow-c#2"]
