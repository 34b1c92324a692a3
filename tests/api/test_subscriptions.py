"""Live updates over graphql-transport-ws, the gateway served by uvicorn on 127.0.0.1 and the
`websockets` client: the gateway's own writes reach subscribers with the caller's source
restrictions, credentials are checked at connection_init, the subscriber count is capped and a
slow subscriber is dropped. The JavaScript clients (graphql-ws, graphql-sse): tests/clients."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from customer_gateway.connectors.models import ChangeType
from customer_gateway.emulators.base import Emulator
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.features.events import CustomerEvent, EventHub, SubscriberTooSlow
from customer_gateway.server.app import create_app
from customer_gateway.server.settings import ApiKey, AuthSettings, Secret, Settings, SourceSettings
from tests.api.conftest import evershop_source
from tests.mirror.harness import source_settings

KEY = "live-key-0123456789abcdef"
OUTLET_KEY = "outlet-key-0123456789abcdef"
SUBSCRIBE = """subscription($sources: [String!]) { customerChanged(sources: $sources) {
  uuid changeType source { name } customer { email fullName } } }"""
CREATE = """mutation($s: String!, $email: String!) { createCustomer(source: $s,
  input: {email: $email, fullName: "Live Wire", password: "secret-99"}) { uuid } }"""
DELETE = "mutation($id: String!) { deleteCustomer(id: $id) { uuid } }"


class Served:
    """The app under uvicorn in a thread: HTTP through httpx, WebSockets through websockets."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    def post(self, query: str, headers: dict[str, str] | None = None, **variables: Any) -> Any:
        return self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        ).json()

    def socket(self, headers: dict[str, str] | None = None) -> ClientConnection:
        return connect(
            self.url.replace("http", "ws", 1) + "/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            additional_headers=headers,
            open_timeout=10,
        )


@contextmanager
def serve(**settings: Any) -> Iterator[Served]:
    emulators = {
        "evershop-main": EverShopEmulator(seed=1, customers=3),
        "evershop-outlet": EverShopEmulator(seed=2, customers=3),
    }
    sources = tuple(evershop_source(name, emulator) for name, emulator in emulators.items())
    with serve_sources(sources, emulators, **settings) as served:
        yield served


@contextmanager
def serve_sources(
    sources: tuple[SourceSettings, ...], emulators: Mapping[str, Emulator], **settings: Any
) -> Iterator[Served]:
    transports = {name: httpx.ASGITransport(app=e.app) for name, e in emulators.items()}
    app = create_app(Settings(sources=sources, **settings), transports=transports)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    served = Served(f"http://127.0.0.1:{port}")
    try:
        yield served
    finally:
        served.http.close()
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def client() -> Iterator[Served]:
    with serve() as running:
        yield running


def _receive(ws: ClientConnection) -> Any:
    frame = ws.recv(timeout=10)
    # graphql-transport-ws is a text protocol: graphql-ws (browsers, Node) reads a binary frame
    # as a Blob or Buffer, not as a message ("Message is missing the 'type' property").
    assert isinstance(frame, str), f"a binary frame: {frame!r}"
    return json.loads(frame)


def _subscribe(
    ws: ClientConnection, payload: dict[str, Any] | None = None, **variables: Any
) -> None:
    ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
    assert _receive(ws)["type"] == "connection_ack"
    ws.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": variables},
            }
        )
    )
    time.sleep(0.2)  # the subscription is registered before the writes below


def test_the_gateways_writes_reach_a_subscriber(client: Served) -> None:
    with client.socket() as ws:
        _subscribe(ws)
        created = client.post(CREATE, s="evershop-main", email="live@example.com")["data"][
            "createCustomer"
        ]["uuid"]
        message = _receive(ws)
        assert message["type"] == "next", message
        change = message["payload"]["data"]["customerChanged"]
        assert change == {
            "uuid": created,
            "changeType": "EDIT",
            "source": {"name": "evershop-main"},
            "customer": {"email": "live@example.com", "fullName": "Live Wire"},
        }
        client.post(DELETE, id=created)
        deleted = _receive(ws)["payload"]["data"]["customerChanged"]
        assert (deleted["uuid"], deleted["changeType"], deleted["customer"]) == (
            created,
            "DELETE",
            None,
        )


def test_an_upstream_change_reaches_a_subscriber_after_the_next_sync_step(
    tmp_path: Path,
) -> None:
    """Changed in the emulator itself (not through the gateway): the mirror's sync step sees it
    and announces it, once (the feed is re-read with an overlap; nothing is announced twice)."""
    shoptet = ShoptetEmulator(seed=5, customers=4, rate_limits=False, job_seconds=0.0)
    source = source_settings("shoptet-live", shoptet, mirror=True, sync_interval=0.3)
    with serve_sources((source,), {"shoptet-live": shoptet}, data_dir=tmp_path) as client:
        deadline = time.monotonic() + 30
        while client.http.get("/readyz").json()["mirrors"]["shoptet-live"]["state"] != "fresh":
            assert time.monotonic() < deadline, "the mirror did not load"
            time.sleep(0.1)
        with client.socket() as ws:
            _subscribe(ws)
            guid = shoptet.add_customer(email="upstream@example.cz", fullName="Up Stream")["guid"]
            change = _receive(ws)["payload"]["data"]["customerChanged"]
            assert change["uuid"].endswith(guid)
            assert (change["changeType"], change["source"]["name"]) == ("EDIT", "shoptet-live")
            assert change["customer"] == {"email": "upstream@example.cz", "fullName": "Up Stream"}
            shoptet.shop.update_customer(guid, {"billingAddress": {"city": "Olomouc"}})
            assert _receive(ws)["payload"]["data"]["customerChanged"]["changeType"] == "EDIT"
            shoptet.shop.delete_customer(guid)
            gone = _receive(ws)["payload"]["data"]["customerChanged"]
            assert (gone["uuid"], gone["changeType"], gone["customer"]) == (
                change["uuid"],
                "DELETE",
                None,
            )
            with pytest.raises(TimeoutError):  # several steps later: nothing announced again
                ws.recv(timeout=2)


def test_a_write_through_the_gateway_is_announced_once_with_the_mirror_syncing(
    tmp_path: Path,
) -> None:
    """EverShop answers a create with another record than its list holds (another digest in the
    store): the next sync step's read of it is the same change, not announced again (a
    subscriber got the write's own event)."""
    evershop = EverShopEmulator(seed=3, customers=3)
    source = evershop_source("evershop-main", evershop, mirror=True, sync_interval=0.3)
    with serve_sources((source,), {"evershop-main": evershop}, data_dir=tmp_path) as client:
        deadline = time.monotonic() + 30
        while client.http.get("/readyz").json()["mirrors"]["evershop-main"]["state"] != "fresh":
            assert time.monotonic() < deadline, "the mirror did not load"
            time.sleep(0.1)
        with client.socket() as ws:
            _subscribe(ws)
            created = client.post(CREATE, s="evershop-main", email="once@example.com")["data"][
                "createCustomer"
            ]["uuid"]
            assert _receive(ws)["payload"]["data"]["customerChanged"]["uuid"] == created
            with pytest.raises(TimeoutError):  # several sync steps later: nothing again
                ws.recv(timeout=2)


def test_a_subscriber_sees_only_the_sources_it_may_reach() -> None:
    auth = AuthSettings(
        required=True,
        api_keys=(
            ApiKey("writer", Secret(KEY), frozenset({"read", "write"})),
            ApiKey(
                "outlet", Secret(OUTLET_KEY), frozenset({"read"}), frozenset({"evershop-outlet"})
            ),
        ),
    )
    with serve(auth=auth) as client:
        headers = {"x-api-key": KEY}
        with client.socket() as ws:
            _subscribe(ws, {"X-API-Key": OUTLET_KEY})
            for source in ("evershop-main", "evershop-outlet"):
                client.post(CREATE, headers, s=source, email=f"{source}@example.com")
            seen = _receive(ws)["payload"]["data"]["customerChanged"]
            assert seen["source"]["name"] == "evershop-outlet"  # main's create never came
        with client.socket() as ws:
            _subscribe(ws, {"X-API-Key": OUTLET_KEY}, sources=["evershop-main"])
            refused = _receive(ws)  # a field error of the subscription, then its end
            assert refused["type"] == "next"
            assert refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            assert _receive(ws)["type"] == "complete"


@pytest.mark.parametrize("payload", [{}, {"X-API-Key": "wrong-key-0123456789abcdef"}])
def test_credentials_are_checked_at_connection_init(payload: dict[str, str]) -> None:
    auth = AuthSettings(required=True, api_keys=(ApiKey("r", Secret(KEY), frozenset({"read"})),))
    with serve(auth=auth) as client, client.socket() as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            _receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_the_subscriber_count_is_capped() -> None:
    with serve(max_subscriptions=1) as client, client.socket() as first:
        _subscribe(first)
        with client.socket() as second:
            _subscribe(second)
            refused = _receive(second)
            assert refused["type"] == "next"
            assert refused["payload"]["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        metrics = client.http.get("/metrics").text
        assert "gateway_subscriptions 1.0" in metrics


def test_a_cross_site_page_cannot_open_a_socket(client: Served) -> None:
    with (
        pytest.raises((InvalidStatus, ConnectionClosed)),
        client.socket({"origin": "https://evil.example.com"}) as ws,
    ):
        _receive(ws)


def test_a_slow_subscriber_is_dropped_not_buffered() -> None:
    async def run() -> None:
        hub = EventHub(max_buffered=3)
        subscriber = hub.subscribe()
        now = datetime.now(UTC)
        for index in range(10):
            hub.publish(CustomerEvent("s", str(index), ChangeType.EDIT, now))
        assert subscriber._queue.qsize() <= 3  # bounded, whatever was published
        with pytest.raises(SubscriberTooSlow):
            async for _ in subscriber:
                pass
        assert hub.subscribers == 0
        assert hub.dropped == 1

    asyncio.run(run())


def test_server_sent_events_carry_the_same_changes(client: Served) -> None:
    """graphql-sse's distinct-connections mode: POST the subscription with Accept:
    text/event-stream and read `next` events off the open response."""
    received: list[dict[str, Any]] = []

    def listen() -> None:
        with client.http.stream(
            "POST",
            "/graphql",
            json={"query": SUBSCRIBE},
            headers={"accept": "text/event-stream"},
            timeout=30,
        ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            event = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "next":
                    received.append(json.loads(line.split(":", 1)[1]))
                    return

    listener = threading.Thread(target=listen)
    listener.start()
    time.sleep(0.5)  # the stream is open and subscribed
    created = client.post(CREATE, s="evershop-outlet", email="sse@example.com")
    listener.join(timeout=20)
    assert received, "no event arrived"
    change = received[0]["data"]["customerChanged"]
    assert change["uuid"] == created["data"]["createCustomer"]["uuid"]
    assert change["customer"]["email"] == "sse@example.com"
