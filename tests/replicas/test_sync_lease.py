"""One syncer per source across replicas (issue 17): three gateway processes over one Shoptet
emulator process, sharing the machine's Redis (their own prefix) and a PostgreSQL database of
their own. The emulator's customers change through its own API (not through a gateway) while
the replicas run; the replica that holds the sync lease is SIGKILLed while changes are pending.

- at every sample (each replica's /readyz, every 100 ms) at most one replica holds the lease,
  and each fencing token belongs to one replica only;
- another replica takes over within the lease's ttl (6 s) and a little polling;
- after settling, the store holds exactly the emulator's customers (no loss, no duplicate), each
  touched one as the emulator has it now.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.sync.client import ClientConnection, connect

from customer_gateway.mirror.store import postgres_url as asyncpg_url
from tests.replicas.cluster import TOKEN, Cluster
from tests.replicas.servers import drop_keys, postgres_database, require, unique

TTL = 6.0  # the sync lease's ttl (state/lease.py's default)
HOOK_URL = "https://hooks.example.com/shoptet/jobs"  # job:finished (the snapshot needs one)
HEADERS = {"Shoptet-Private-API-Token": TOKEN, "Content-Type": "application/json"}


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    require(6379, "Redis")
    prefix = unique("cg-test-h16-")
    with postgres_database() as url:
        cluster = Cluster(tmp_path, "redis://127.0.0.1:6379/0", url, prefix)
        try:
            cluster.start_emulator(latency=0.02, customers=300)
            cluster.start_gateways(
                3,
                extra_env={
                    "CUSTOMER_GATEWAY_SOURCES__SHOP__SYNC_INTERVAL": "1",
                    "CUSTOMER_GATEWAY_SOURCES__SHOP__OPTIONS__WEBHOOK_URL": HOOK_URL,
                    "CUSTOMER_GATEWAY_SOURCES__SHOP__OPTIONS__JOB_POLL_SECONDS": "0.05,0.1,0.2",
                    "CUSTOMER_GATEWAY_LOG_LEVEL": "INFO",
                },
            )
            yield cluster
        finally:
            cluster.stop()
            drop_keys(prefix)


class Holders:
    """Samples every live replica's /readyz: who holds the lease, with which token."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.dead: set[int] = set()
        self.samples: list[dict[int, int]] = []  # replica index → token, for holders
        self.tokens: dict[int, set[int]] = {}  # token → replicas that reported it
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Holders:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def current(self) -> dict[int, int]:
        return self.samples[-1] if self.samples else {}

    def _run(self) -> None:
        with httpx.Client(timeout=2) as client:
            while not self._stop.is_set():
                sample: dict[int, int] = {}
                for index, url in enumerate(self.cluster.gateways):
                    if index in self.dead:
                        continue
                    try:
                        body = client.get(url + "/readyz").json()
                    except (httpx.TransportError, ValueError):
                        continue
                    lease = body.get("mirrors", {}).get("shop", {}).get("syncLease", {})
                    if lease.get("held"):
                        sample[index] = int(lease["token"])
                        self.tokens.setdefault(int(lease["token"]), set()).add(index)
                self.samples.append(sample)
                time.sleep(0.1)


def _shoptet(
    client: httpx.Client, cluster: Cluster, method: str, path: str, body: Any = None
) -> dict[str, Any]:
    """The emulator's own API, as the shop's admin would change it (not through a gateway)."""
    for _attempt in range(50):
        response = client.request(
            method,
            cluster.emulator_url + path,
            headers=HEADERS,
            content=None if body is None else json.dumps(body),
        )
        if response.status_code != 429:  # the gateways' sync shares the token's limits
            response.raise_for_status()
            answer: dict[str, Any] = response.json() if response.content else {}
            return answer
        time.sleep(0.2)
    raise AssertionError(f"{method} {path}: the emulator kept answering 429")


def _emulator_customers(client: httpx.Client, cluster: Cluster) -> set[str]:
    found: set[str] = set()
    page = 1
    while True:
        data = _shoptet(client, cluster, "GET", f"/api/customers?page={page}&itemsPerPage=1000")
        found.update(c["guid"] for c in data["data"]["customers"])
        if page >= data["data"]["paginator"]["pageCount"]:
            return found
        page += 1


async def _store_rows(url: str) -> dict[str, dict[str, Any]]:
    # One snapshot for both reads: a sync may commit between two statements at READ COMMITTED
    # (a row deleted after the rows were read and before the count was), which is no drift.
    engine = create_async_engine(asyncpg_url(url), isolation_level="REPEATABLE READ")
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    sa.text("SELECT native_id, doc FROM mirror_customers WHERE source = 'shop'")
                )
            ).all()
            counted = await connection.scalar(
                sa.text("SELECT customers FROM mirror_counts WHERE source = 'shop'")
            )
    finally:
        await engine.dispose()
    assert int(counted or 0) == len(rows), "the row count kept by the triggers drifted"
    return {key: json.loads(doc) for key, doc in rows}


def _wait(condition: Any, seconds: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{what} within {seconds} s")


def test_one_syncer_across_replicas_and_a_takeover_when_it_dies(cluster: Cluster) -> None:
    touched: dict[str, str] = {}  # guid → the city it has now at the emulator
    deleted: set[str] = set()
    with Holders(cluster) as holders, httpx.Client(timeout=10) as client:
        _wait(lambda: len(holders.current()) == 1, 60, "one replica holds the sync lease")
        holder = next(iter(holders.current()))
        guids = sorted(_emulator_customers(client, cluster))

        def change(round_no: int) -> None:
            for position in range(round_no * 6, round_no * 6 + 6):
                guid = guids[position]
                city = f"Brno {round_no}-{position}"
                _shoptet(
                    client,
                    cluster,
                    "PATCH",
                    f"/api/customers/{guid}",
                    {"data": {"billingAddress": {"city": city}}},
                )
                touched[guid] = city
            gone = guids[200 + round_no]
            _shoptet(client, cluster, "DELETE", f"/api/customers/{gone}")
            deleted.add(gone)
            created = _shoptet(
                client,
                cluster,
                "POST",
                "/api/customers",
                {"data": {"account": {"email": f"lease-{round_no}@example.cz"}}},
            )
            touched[created["data"]["customer"]["guid"]] = ""

        for round_no in range(3):  # the holder follows the feed
            change(round_no)
            time.sleep(0.7)
        change(3)  # changes pending: the holder is in, or about to start, its feed step
        time.sleep(0.3)
        cluster.kill_gateway(holder)
        killed_at = time.monotonic()
        holders.dead.add(holder)
        took = _wait(
            lambda: bool(holders.current()) and holder not in holders.current(),
            TTL + 3,
            "another replica takes the sync lease over",
        )
        successor = next(iter(holders.current()))
        assert time.monotonic() - killed_at <= TTL + 1.5, f"takeover after {took:.1f} s"
        for round_no in range(4, 7):  # the successor follows the feed
            change(round_no)
            time.sleep(0.7)

        expected = _emulator_customers(client, cluster)
        database = cluster.postgres_url
        assert database is not None

        def settled() -> bool:
            rows = asyncio.run(_store_rows(database))
            if set(rows) != expected:
                return False
            return all(
                city == "" or any(a.get("city") == city for a in rows[guid]["addresses"])
                for guid, city in touched.items()
            )

        _wait(settled, 30, "the store equals the emulator")
        rows = asyncio.run(_store_rows(database))

    assert set(rows) == expected
    assert not deleted & set(rows)
    # Never two at once; each token is one replica's; the successor's token is newer.
    assert all(len(sample) <= 1 for sample in holders.samples), [
        s for s in holders.samples if len(s) > 1
    ][:3]
    assert all(len(replicas) == 1 for replicas in holders.tokens.values()), holders.tokens
    assert max(t for t, r in holders.tokens.items() if successor in r) > max(
        t for t, r in holders.tokens.items() if holder in r
    )
    # Nothing synced twice: the successor's log says it took the lease once, the standby's
    # (the third replica) never did.
    standby = ({0, 1, 2} - {holder, successor}).pop()
    assert "sync lease taken" not in cluster.log(f"gateway-{standby}")
    assert cluster.log(f"gateway-{successor}").count("sync lease taken") == 1


SUBSCRIBE = """subscription { customerChanged { uuid changeType } }"""


def _subscriber(url: str, stack: ExitStack) -> ClientConnection:
    ws = stack.enter_context(
        connect(
            url.replace("http", "ws", 1) + "/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            open_timeout=10,
        )
    )
    ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
    ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return ws


def _events(ws: ClientConnection, seconds: float) -> list[tuple[str, str]]:
    seen = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            break
        change = message["payload"]["data"]["customerChanged"]
        seen.append((change["uuid"], change["changeType"]))
    return seen


def test_an_upstream_change_reaches_every_replicas_subscribers_once(cluster: Cluster) -> None:
    """Only the lease holder syncs and announces; Redis relays to the other replicas."""
    with Holders(cluster) as holders, httpx.Client(timeout=10) as client, ExitStack() as stack:
        _wait(lambda: len(holders.current()) == 1, 60, "one replica holds the sync lease")
        sockets = [_subscriber(url, stack) for url in cluster.gateways]
        time.sleep(0.5)  # subscribed everywhere before the change
        guid = sorted(_emulator_customers(client, cluster))[5]
        _shoptet(
            client,
            cluster,
            "PATCH",
            f"/api/customers/{guid}",
            {"data": {"billingAddress": {"city": "Once Only"}}},
        )
        expected = [(f"shop:{guid}", "EDIT")]
        # A few sync steps (1 s apart, the feed re-read with its overlap): still one each.
        assert [_events(ws, 6) for ws in sockets] == [expected] * 3
