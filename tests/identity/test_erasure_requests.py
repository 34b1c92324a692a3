"""Erasure requests in the store, SQLite and PostgreSQL: pending until the source answers, never
completed early, unsupported is final and said, resumable from the stored record, audit without
personal data."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
import sqlalchemy as sa

from customer_gateway.core.errors import ErrorCode, GatewayError
from customer_gateway.identity.erasure import ERASED, GONE, UNSUPPORTED, Erasures
from customer_gateway.identity.index import IdentityIndex, subject_hash
from customer_gateway.identity.tables import erasures as erasures_table
from customer_gateway.mirror.store import SqlMirrorStore

pytestmark = pytest.mark.anyio


async def test_a_request_stays_open_until_every_source_answered(
    indexed: tuple[SqlMirrorStore, IdentityIndex],
) -> None:
    store, _ = indexed
    requests = Erasures(store.engine)
    subject = subject_hash("email", "someone@example.com")
    keys = [("shop-a", "1"), ("shop-a", "2"), ("till-b", "7"), ("crm-c", "x9")]
    request = await requests.create(subject, keys)
    down = {"till-b"}
    forgotten: list[tuple[str, str]] = []
    asked: list[tuple[str, str]] = []

    async def erase(source: str, native_id: str) -> str:
        asked.append((source, native_id))
        if source in down:
            raise GatewayError("down", code=ErrorCode.UPSTREAM_UNAVAILABLE)
        if source == "crm-c":
            return UNSUPPORTED
        return GONE if native_id == "2" else ERASED

    async def forget(settled: Sequence[tuple[str, str]]) -> None:
        forgotten.extend(settled)

    request = await requests.run(request, erase, forget)
    summary = {item.source: item for item in request.summaries()}
    assert request.status == "open"
    assert (summary["shop-a"].erased, summary["shop-a"].gone) == (1, 1)
    assert summary["till-b"].pending == 1
    assert summary["till-b"].code == "UPSTREAM_UNAVAILABLE"
    assert summary["crm-c"].outcome == UNSUPPORTED
    assert forgotten == [("shop-a", "1"), ("shop-a", "2")]

    # Resumed from the stored record (another process, a restart): only the pending is asked.
    stored = await requests.find(subject)
    assert stored is not None
    assert stored.request_id == request.request_id
    assert stored.status == "open"
    assert [request.request_id] == [r.request_id for r in await requests.open_requests()]
    asked.clear()
    stored = await requests.run(stored, erase, forget)
    assert asked == [("till-b", "7")]
    assert stored.status == "open"

    down.clear()
    stored = await requests.run(stored, erase, forget)
    assert stored.status == "completed"
    assert {item.source: item.outcome for item in stored.summaries()} == {
        "shop-a": "done",
        "till-b": "done",
        "crm-c": UNSUPPORTED,
    }
    assert await requests.open_requests() == []
    assert forgotten[-1] == ("till-b", "7")

    # The completed record keeps counts, no native ids; the audit trail neither.
    async with store.engine.connect() as connection:
        row = (await connection.execute(sa.select(erasures_table))).one()
    body = json.loads(row.targets)
    assert body["targets"] == []
    assert "x9" not in row.targets
    trail = await requests.audit_trail(request.request_id)
    assert [entry["event"] for entry in trail][0] == "requested"
    assert [entry["event"] for entry in trail][-1] == "completed"
    assert all(entry["subject"] == subject for entry in trail)
    assert "someone" not in json.dumps(trail, default=str)
    reloaded = await requests.get(request.request_id)
    assert reloaded is not None
    assert {item.source: item.erased for item in reloaded.summaries()} == {
        "crm-c": 0,
        "shop-a": 1,
        "till-b": 1,
    }
