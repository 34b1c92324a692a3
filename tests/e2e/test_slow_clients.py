"""Slow and greedy clients over raw sockets against `customer-gateway serve`: every connection
that stalls is closed within its deadline, headers over the size limit are refused, and one
address cannot hold more than its share (WebSockets included).

The served sandbox runs with 1-second deadlines so that each case is bounded to a few seconds.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.e2e.conftest import _free_port

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
KEEP_ALIVE = 1
PER_IP = 3
MAX_HEADER_BYTES = 4096
SLACK = 1.5  # scheduling on a loaded 2-core machine


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMER_GATEWAY_")}
    env.update(
        {
            "CUSTOMER_GATEWAY_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
            "CUSTOMER_GATEWAY_BODY_TIMEOUT": str(BODY_TIMEOUT),
            "CUSTOMER_GATEWAY_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE),
            "CUSTOMER_GATEWAY_MAX_CONNECTIONS_PER_IP": str(PER_IP),
            "CUSTOMER_GATEWAY_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES),
        }
    )
    log = (tmp_path_factory.mktemp("slow") / "gateway.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "customer_gateway", "serve", "--port", str(port)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the gateway did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(HEADER_TIMEOUT + BODY_TIMEOUT + 5)
    return sock


def _until_closed(sock: socket.socket, trickle: bytes = b"", every: float = 0.2) -> bytes:
    """What the server sends until it closes; `trickle` is sent a byte at a time meanwhile."""
    received = b""
    sock.settimeout(every)
    deadline = time.monotonic() + 10
    position = 0
    while time.monotonic() < deadline:
        if position < len(trickle):
            try:
                sock.sendall(trickle[position : position + 1])
            except OSError:
                break
            position += 1
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    else:
        raise AssertionError("the connection was still open after 10 s")
    return received


def _timed(function: object, *args: object) -> tuple[bytes, float]:
    started = time.monotonic()
    assert callable(function)
    result = function(*args)
    return result, time.monotonic() - started


def test_a_silent_socket_is_closed(served: int) -> None:
    with _connect(served) as sock:
        answer, took = _timed(_until_closed, sock)
    assert answer.startswith(b"HTTP/1.1 408")
    assert took < HEADER_TIMEOUT + SLACK


def test_partial_headers_are_closed(served: int) -> None:
    with _connect(served) as sock:
        sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: gateway\r\n")
        answer, took = _timed(_until_closed, sock)
    assert answer.startswith(b"HTTP/1.1 408")
    assert took < HEADER_TIMEOUT + SLACK


def test_trickled_headers_do_not_extend_the_deadline(served: int) -> None:
    headers = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"
    with _connect(served) as sock:
        answer, took = _timed(_until_closed, sock, headers, 0.1)
    assert answer.startswith(b"HTTP/1.1 408")
    assert took < HEADER_TIMEOUT + SLACK


def test_a_trickled_body_is_closed(served: int) -> None:
    with _connect(served) as sock:
        sock.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: gateway\r\ncontent-type: application/json\r\n"
            b"content-length: 1000\r\n\r\n"
        )
        started = time.monotonic()
        answer = _until_closed(sock, b'{"query": "' + b" " * 900, 0.1)
        took = time.monotonic() - started
    assert not answer.startswith(b"HTTP/1.1 200")
    assert took < BODY_TIMEOUT + SLACK


def test_an_idle_kept_alive_connection_is_closed(served: int) -> None:
    with _connect(served) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n")
        answer, took = _timed(_until_closed, sock)
    assert answer.startswith(b"HTTP/1.1 200")
    # Closed by the keep-alive timer, not a header deadline (whose answer is a 408 status line;
    # "408" alone may be in the random request id).
    assert b"HTTP/1.1 408" not in answer
    assert took < KEEP_ALIVE + SLACK


def test_a_kept_alive_connection_serves_the_next_request(served: int) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{served}") as client:
        for _ in range(3):
            assert client.get("/healthz").status_code == 200


def test_one_address_cannot_hold_more_than_its_share(served: int) -> None:
    held = [_connect(served) for _ in range(PER_IP)]
    try:
        time.sleep(0.2)  # the server has accepted them
        with _connect(served) as extra:
            answer = _until_closed(extra)
        assert answer.startswith(b"HTTP/1.1 503")
        assert b"Too many connections" in answer
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)  # released: a new connection is served again
    assert httpx.get(f"http://127.0.0.1:{served}/healthz").status_code == 200


def _head(padding: int) -> bytes:
    """A GET /healthz whose request line and headers are `padding` bytes beyond the rest."""
    return b"GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Padding: " + b"a" * padding + b"\r\n\r\n"


def test_headers_within_the_limit_are_served(served: int) -> None:
    head = _head(MAX_HEADER_BYTES - len(_head(0)))
    assert len(head) == MAX_HEADER_BYTES
    with _connect(served) as sock:
        sock.sendall(head)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")


def test_headers_over_the_limit_are_refused(served: int) -> None:
    head = _head(MAX_HEADER_BYTES - len(_head(0)) + 1)
    with _connect(served) as sock:
        sock.sendall(head)
        answer = _until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431")


def test_endless_headers_are_refused_before_they_end(served: int) -> None:
    """Headers that never end are refused once what arrived passes the limit, not buffered."""
    with _connect(served) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Padding: ")
        time.sleep(0.1)  # the request has begun: what follows counts as its headers arrive
        # Just past the limit, and no byte more: unread bytes would reset the connection
        # (and lose the answer) when the server closes it.
        for _ in range(MAX_HEADER_BYTES // 1024 + 1):
            sock.sendall(b"a" * 1024)
            time.sleep(0.05)
        answer = _until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431")


def test_pipelined_requests_are_answered_in_order(served: int) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n"
    with _connect(served) as sock:
        # Two whole requests and half of a third, whose rest comes after the two answers.
        sock.sendall(request * 2 + request[:20])
        time.sleep(0.3)
        sock.sendall(request[20:])
        answer, took = _timed(_until_closed, sock)
    assert answer.count(b"HTTP/1.1 200") == 3
    assert b"HTTP/1.1 408" not in answer  # then closed by the keep-alive timer
    assert took < KEEP_ALIVE + SLACK


def _websocket(port: int) -> ClientConnection:
    return connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        open_timeout=10,
    )


def test_closed_websockets_give_their_place_back(served: int) -> None:
    """An upgraded connection counts against its address until it closes, then no longer."""
    for _ in range(PER_IP + 2):
        with _websocket(served) as ws:
            ws.send('{"type": "connection_init", "payload": {}}')
            assert "connection_ack" in str(ws.recv(timeout=10))
    time.sleep(0.3)  # the server has seen them close
    with ExitStack() as stack:
        for _ in range(PER_IP):
            stack.enter_context(_websocket(served))
        time.sleep(0.2)
        with _connect(served) as extra:
            assert _until_closed(extra).startswith(b"HTTP/1.1 503")
    time.sleep(0.3)
    assert httpx.get(f"http://127.0.0.1:{served}/healthz").status_code == 200
