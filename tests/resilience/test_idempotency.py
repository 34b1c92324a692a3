"""Retried creates with an idempotency key make exactly one customer, whatever broke in between."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.flow_retail import FlowRetailEmulator
from customer_gateway.server.settings import Secret, SourceSettings, Timeouts
from tests.api.conftest import Gateway, evershop_source, running_gateway

pytestmark = pytest.mark.anyio

CREATE = """mutation($s: String!, $input: CustomerCreateInput!) {
  createCustomer(source: $s, input: $input) { uuid email } }"""
FAST = Timeouts(connect=0.5, read=0.15, total=0.3)


def _flow_source(emulator: FlowRetailEmulator) -> SourceSettings:
    credentials = {k: Secret(v) for k, v in emulator.connector_credentials().items()}
    return SourceSettings(
        name="flow-oslo",
        kind="flow_retail",
        base_url="http://flow.test/v2",
        credentials=credentials,
        timeouts=FAST,
    )


@pytest.fixture
async def gateway() -> Any:
    emulators: dict[str, Any] = {
        "evershop-main": EverShopEmulator(seed=1, customers=3, rate_limits=False),
        "flow-oslo": FlowRetailEmulator(seed=1, customers=3),
    }
    sources = (
        evershop_source(
            "evershop-main", emulators["evershop-main"], timeouts=FAST, rate_limits=False
        ),
        _flow_source(emulators["flow-oslo"]),
    )
    async with running_gateway(emulators, sources=sources) as running:
        yield running


def _input(index: int, key: str | None, source: str) -> dict[str, Any]:
    given: dict[str, Any] = {
        "email": f"retry{index}@example.com",
        "fullName": f"Retry Person{index}",
    }
    if source == "evershop-main":
        given["password"] = "secret-99"
    if key is not None:
        given["idempotencyKey"] = key
    return given


def _emails(gateway: Gateway, source: str) -> list[str | None]:
    emulator: Any = gateway.emulators[source]
    if source == "evershop-main":
        return [row["email"] for row in emulator.customer_rows()]
    return [c["email"] for c in emulator.customer_objects("tenant-oslo")]


POST_PATHS = {"evershop-main": "/api/customers", "flow-oslo": "/v2/tenants/tenant-oslo/customers"}


async def test_two_hundred_retried_creates_under_commit_then_fail(gateway: Gateway) -> None:
    rng = random.Random(2026)
    faults: list[dict[str, Any]] = [
        *[{"status": 502}] * 9,
        *[{"status": 0}] * 9,  # the connection breaks after the write
        {"status": 502, "seconds": 0.25},  # the caller times out before the answer
    ]
    for index in range(200):
        source = "evershop-main" if index % 2 == 0 else "flow-oslo"
        emulator = gateway.emulators[source]
        for _ in range(rng.randint(0, 2)):  # 0–2 broken attempts before one goes through
            emulator.faults.add(
                "commit_then_fail",
                method="POST",
                path=POST_PATHS[source],
                times=1,
                **rng.choice(faults),
            )
        key = f"key-{index}"
        for _attempt in range(5):
            payload = await gateway.query(
                CREATE, {"s": source, "input": _input(index, key, source)}
            )
            if payload["data"]["createCustomer"] is not None:
                break
            assert payload["errors"][0]["extensions"]["code"] in (
                "UPSTREAM_UNAVAILABLE",
                "UPSTREAM_TIMEOUT",
            ), payload
        else:
            raise AssertionError(f"create {index} never succeeded")
        emulator.faults.clear()
        await asyncio.sleep(0)
    for source in ("evershop-main", "flow-oslo"):
        emails = [e for e in _emails(gateway, source) if e and e.startswith("retry")]
        assert len(emails) == 100
        assert len(set(emails)) == 100  # exactly one record per key, no duplicates


async def test_a_replay_answers_without_sending(gateway: Gateway) -> None:
    given = _input(1, "replay-key", "flow-oslo")
    first = await gateway.query(CREATE, {"s": "flow-oslo", "input": given})
    posts = len(gateway.emulators["flow-oslo"].requests("POST"))
    second = await gateway.query(CREATE, {"s": "flow-oslo", "input": given})
    assert second["data"] == first["data"]
    assert len(gateway.emulators["flow-oslo"].requests("POST")) == posts


async def test_the_same_key_for_another_request_is_refused(gateway: Gateway) -> None:
    await gateway.query(CREATE, {"s": "flow-oslo", "input": _input(1, "k1", "flow-oslo")})
    other = await gateway.query(CREATE, {"s": "flow-oslo", "input": _input(2, "k1", "flow-oslo")})
    assert other["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_two_concurrent_identical_calls_make_one_customer(gateway: Gateway) -> None:
    emulator = gateway.emulators["flow-oslo"]
    emulator.faults.add(
        "latency", method="POST", path=POST_PATHS["flow-oslo"], seconds=0.2, times=1
    )
    given = _input(7, "concurrent", "flow-oslo")
    first, second = await asyncio.gather(
        gateway.query(CREATE, {"s": "flow-oslo", "input": given}),
        gateway.query(CREATE, {"s": "flow-oslo", "input": given}),
    )
    outcomes = sorted(
        "ok" if p["data"]["createCustomer"] else p["errors"][0]["extensions"]["code"]
        for p in (first, second)
    )
    assert outcomes in (["IDEMPOTENCY_IN_PROGRESS", "ok"], ["ok", "ok"])
    assert _emails(gateway, "flow-oslo").count("retry7@example.com") == 1


async def test_a_definite_refusal_frees_the_key(gateway: Gateway) -> None:
    taken = gateway.emulators["evershop-main"].customer_rows()[0]["email"]
    given = {**_input(3, "dup-key", "evershop-main"), "email": taken}
    for _ in range(2):
        payload = await gateway.query(CREATE, {"s": "evershop-main", "input": given})
        assert payload["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_the_header_works_too(gateway: Gateway) -> None:
    given = _input(9, None, "flow-oslo")
    body = {"query": CREATE, "variables": {"s": "flow-oslo", "input": given}}
    headers = {"idempotency-key": "header-key"}
    first = (await gateway.client.post("/graphql", json=body, headers=headers)).json()
    second = (await gateway.client.post("/graphql", json=body, headers=headers)).json()
    assert first["data"] == second["data"]
    assert _emails(gateway, "flow-oslo").count("retry9@example.com") == 1


BATCH = """mutation($s: String!, $create: [CustomerCreateInput!]) {
  batchCustomers(source: $s, create: $create) {
    ok items { index ok uuid customer { email } error { code field retryable } }
  }
}"""


def _creates(gateway: Gateway, source: str) -> int:
    return sum(r.path == POST_PATHS[source] for r in gateway.emulators[source].requests("POST"))


@pytest.mark.parametrize("source", ["flow-oslo", "evershop-main"])
async def test_keyed_batch_items_make_one_customer_each_across_retries(
    gateway: Gateway, source: str
) -> None:
    emulator = gateway.emulators[source]
    items = [_input(20 + i, f"batch-key-{i}", source) for i in range(3)]
    # The first item lands upstream, then the connection breaks: an unknown outcome.
    emulator.faults.add(
        "commit_then_fail", method="POST", path=POST_PATHS[source], status=0, times=1
    )
    first = (await gateway.query(BATCH, {"s": source, "create": items}))["data"]["batchCustomers"]
    assert [i["ok"] for i in first["items"]] == [False, True, True]
    assert first["items"][0]["error"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert first["items"][0]["error"]["retryable"] is True

    posts = _creates(gateway, source)
    second = (await gateway.query(BATCH, {"s": source, "create": items}))["data"]["batchCustomers"]
    assert second["ok"] is True
    assert [i["customer"]["email"] for i in second["items"]] == [
        f"retry{20 + i}@example.com" for i in range(3)
    ]
    assert second["items"][1]["uuid"] == first["items"][1]["uuid"]
    assert _creates(gateway, source) == posts  # replayed and reconciled, nothing re-sent
    emails = _emails(gateway, source)
    for i in range(3):
        assert emails.count(f"retry{20 + i}@example.com") == 1


async def test_a_key_given_twice_in_one_batch_fails_that_item(gateway: Gateway) -> None:
    items = [_input(30, "twice", "flow-oslo"), _input(31, "twice", "flow-oslo")]
    result = (await gateway.query(BATCH, {"s": "flow-oslo", "create": items}))["data"][
        "batchCustomers"
    ]
    assert [i["ok"] for i in result["items"]] == [True, False]
    assert result["items"][1]["error"] == {
        "code": "BAD_USER_INPUT",
        "field": "idempotencyKey",
        "retryable": False,
    }
    assert "retry31@example.com" not in _emails(gateway, "flow-oslo")


async def test_keyed_and_plain_items_mix_in_one_batch(gateway: Gateway) -> None:
    items = [_input(40, None, "flow-oslo"), _input(41, "mixed", "flow-oslo")]
    result = (await gateway.query(BATCH, {"s": "flow-oslo", "create": items}))["data"][
        "batchCustomers"
    ]
    assert result["ok"] is True
    assert [i["index"] for i in result["items"]] == [0, 1]
    batch_posts = [r for r in gateway.emulators["flow-oslo"].requests("POST") if "batch" in r.path]
    assert len(batch_posts) == 1  # the plain item went in Flow's native batch
