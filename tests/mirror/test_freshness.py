"""What a mirrored gateway promises beyond equal answers: writes are visible at once, a source
that is down keeps serving from its mirror (marked stale, writes still fail typed), a request can
read live, and /readyz, /metrics and `extensions` say how fresh each mirror is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mirror.harness import emulators, gateway

pytestmark = pytest.mark.anyio

LIST = """query($f: [FilterInput]) { customers(filters: $f) { total items { uuid fullName email } } }"""
CREATE = """mutation($input: CustomerCreateInput!) {
  createCustomer(source: "flow-c", input: $input) { uuid fullName email } }"""
UPDATE = """mutation($id: String!, $input: CustomerUpdateInput!) {
  updateCustomer(id: $id, input: $input) { uuid fullName } }"""
DELETE = """mutation($id: String!) { deleteCustomer(id: $id) { uuid } }"""


def _keyword(value: str) -> dict[str, Any]:
    return {"f": [{"key": "keyword", "operation": "eq", "value": value}]}


def _shops() -> dict[str, Any]:
    shops = emulators()
    return {name: shops[name] for name in ("flow-c", "ecwid-d")}


async def test_writes_are_read_back_from_the_mirror_at_once(
    mirror_target: dict[str, Any],
) -> None:
    shops = _shops()
    async with gateway(shops, mirror=True, **mirror_target) as running:
        created = await running.query(
            CREATE, {"input": {"email": "ada.mirror@example.com", "fullName": "Ada Mirror"}}
        )
        assert "errors" not in created, created
        uuid = created["data"]["createCustomer"]["uuid"]
        found = await running.query(LIST, _keyword("ada.mirror"))
        assert [item["uuid"] for item in found["data"]["customers"]["items"]] == [uuid]
        flow = next(s for s in found["extensions"]["sources"] if s["name"] == "flow-c")
        assert flow["requests"] == 0  # the store answered
        assert flow["mirror"]["state"] == "fresh"

        renamed = await running.query(UPDATE, {"id": uuid, "input": {"fullName": "Ada Renamed"}})
        assert "errors" not in renamed, renamed
        found = await running.query(LIST, _keyword("ada.mirror"))
        assert found["data"]["customers"]["items"][0]["fullName"] == "Ada Renamed"

        deleted = await running.query(DELETE, {"id": uuid})
        assert "errors" not in deleted, deleted
        found = await running.query(LIST, _keyword("ada.mirror"))
        assert found["data"]["customers"]["total"] == 0


async def test_a_source_that_is_down_serves_from_its_mirror(
    mirror_target: dict[str, Any],
) -> None:
    shops = _shops()
    async with gateway(shops, mirror=True, **mirror_target) as running:
        before = await running.query(LIST, {"f": []})
        shops["flow-c"].faults.add("status", status=503, times=None)
        assert not await running.mirrors.syncers["flow-c"].step()

        after = await running.query(LIST, {"f": []})
        assert "errors" not in after, after
        assert after["data"] == before["data"]
        flow = next(s for s in after["extensions"]["sources"] if s["name"] == "flow-c")
        assert flow["status"] == "ok"
        assert flow["mirror"]["state"] == "stale"
        assert flow["mirror"]["lagSeconds"] is not None
        assert flow["mirror"]["syncedAt"] is not None

        refused = await running.query(
            CREATE, {"input": {"email": "down@example.com", "fullName": "Down Under"}}
        )
        assert refused["data"]["createCustomer"] is None
        assert refused["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"

        ready = await running.client.get("/readyz")
        assert ready.status_code == 200, ready.text  # reads are served
        body = ready.json()
        assert body["sources"]["flow-c"] == "UPSTREAM_UNAVAILABLE"
        assert body["mirrors"]["flow-c"]["state"] == "stale"
        assert body["mirrors"]["ecwid-d"]["state"] == "fresh"

        metrics = (await running.client.get("/metrics")).text
        assert 'gateway_mirror_lag_seconds{source="flow-c"}' in metrics
        assert 'gateway_mirror_sync_errors_total{source="flow-c"} 1.0' in metrics
        assert 'gateway_mirror_records{source="ecwid-d"} 50.0' in metrics

        shops["flow-c"].faults.clear()
        assert await running.mirrors.syncers["flow-c"].step()
        again = await running.query(LIST, {"f": []})
        flow = next(s for s in again["extensions"]["sources"] if s["name"] == "flow-c")
        assert flow["mirror"]["state"] == "fresh"


async def test_a_request_can_read_live(mirror_target: dict[str, Any]) -> None:
    shops = _shops()
    async with gateway(shops, mirror=True, **mirror_target) as running:
        mirrored = await running.query(LIST, {"f": []})
        live = await running.query(LIST, {"f": []}, **{"X-Live-Read": "true"})
        assert live["data"] == mirrored["data"]
        assert all(s["requests"] == 0 for s in mirrored["extensions"]["sources"])
        assert all(s["requests"] > 0 for s in live["extensions"]["sources"])


async def test_until_the_first_load_the_source_answers(tmp_path: Any) -> None:
    shops = _shops()
    shops["flow-c"].faults.add("latency", seconds=0.5, times=None, path="/v2/tenants")
    async with gateway(shops, mirror=True, data_dir=tmp_path, wait=False) as running:
        answer = await running.query(LIST, {"f": []})
        assert "errors" not in answer
        flow = next(s for s in answer["extensions"]["sources"] if s["name"] == "flow-c")
        assert flow["mirror"]["state"] == "loading"
        assert flow["requests"] > 0
        await running.mirrors.wait_synced(30)
        assert (await running.query(LIST, {"f": []}))["data"] == answer["data"]
