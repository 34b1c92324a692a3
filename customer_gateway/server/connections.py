"""Slow and greedy clients at the connection level, under uvicorn.

uvicorn closes an idle keep-alive connection (`timeout_keep_alive`), but it sets no deadline for
a request's headers or body: a client that connects and sends nothing, sends half its headers,
or trickles its body a byte at a time holds a connection (and a file descriptor) for as long as
it likes. With httptools (uvicorn's faster parser, bench/README.md) it sets no size limit on a
request's headers either. `GuardedHttpToolsProtocol` adds the deadlines, the size limit and a
cap on connections per client address:

- **headers**: complete within `header_timeout` seconds of the connection (or of the first byte
  of the next request on a kept-alive connection), else `408` and close;
- **header size**: the request line and headers at most `max_header_bytes`, else `431` and close;
- **body**: complete within `body_timeout` seconds of the headers, else the connection closes
  (the app sees a disconnect);
- **per address**: at most `max_connections_per_ip` open connections (0: no cap); one more is
  answered `503` and closed at once. Behind a reverse proxy every client has the proxy's
  address: cap there, and set 0 here. A connection upgraded to a WebSocket still counts until
  it closes.

The limits come from the app's lifespan state (`LIFESPAN_KEY`), which uvicorn hands to every
connection: one `ConnectionGuard` per worker process, shared by its connections.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

logger = logging.getLogger("customer_gateway.connections")

LIFESPAN_KEY = "connection_guard"


def _response(status: bytes, message: str, code: str) -> bytes:
    """A whole HTTP/1.1 response written before (or instead of) any request: the connection
    closes after it."""
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\nconnection: close\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


_REFUSE_503 = _response(
    b"503 Service Unavailable", "Too many connections from this address.", "QUERY_TOO_COMPLEX"
)
_TIMEOUT_408 = _response(
    b"408 Request Timeout", "The request headers took too long to arrive.", "BAD_USER_INPUT"
)
_TOO_LARGE_431 = _response(
    b"431 Request Header Fields Too Large",
    "The request line and headers are larger than the gateway accepts.",
    "BAD_USER_INPUT",
)


@dataclass
class ConnectionGuard:
    """A worker's connection limits and its count of open connections per client address."""

    header_timeout: float
    body_timeout: float
    max_connections_per_ip: int
    max_header_bytes: int = 16 * 1024
    open: Counter[str] = field(default_factory=Counter)
    refused: int = 0  # connections answered 503 by the per-address cap
    timed_out: int = 0  # connections closed by a header or body deadline
    too_large: int = 0  # connections answered 431 by the header size limit

    def admit(self, address: str) -> bool:
        cap = self.max_connections_per_ip
        if cap and self.open[address] >= cap:
            self.refused += 1
            return False
        self.open[address] += 1
        return True

    def release(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]


class _HeadersTooLarge(Exception):
    """Raised from the parser's callback to stop parsing a request whose head is too large."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header and body deadlines, a header size limit and a
    per-address cap.

    httptools parses eagerly and reports through callbacks; `request` follows the latest request
    the parser has seen ("new" before any byte, "headers", "body", "done", "upgrade"), and
    `_follow` turns it into the deadline to arm (after each chunk received and each response
    sent), as the h11 version read h11's states.
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        guard = app_state.get(LIFESPAN_KEY)
        self.guard: ConnectionGuard | None = guard if isinstance(guard, ConnectionGuard) else None
        self.address: str | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.phase = ""  # what the deadline waits for: "headers", "body" or ""
        self.request = "new"
        self.head_bytes = 0  # of the current request's line and headers, as parsed
        self.head_chunks = 0  # bytes received while its headers were incomplete

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.guard is None:
            return
        address = self.client[0] if self.client else ""
        if not self.guard.admit(address):
            logger.warning("refused a connection: too many from one address")
            transport.write(_REFUSE_503)
            transport.close()
            return
        self.address = address
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._expect("")
        self._release()
        super().connection_lost(exc)

    def _release(self) -> None:
        if self.guard is not None and self.address is not None:
            self.guard.release(self.address)
            self.address = None

    def data_received(self, data: bytes) -> None:
        # uvicorn's own, but for a head over the size limit (stopped from a callback).
        self._unset_keepalive_if_required()
        began_in_headers = self.request == "headers"
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError:
            if self.request == "too large":
                self._refuse_too_large()
            else:
                msg = "Invalid HTTP request received."
                self.logger.warning(msg)
                self.send_400_response(msg)
            return
        if self.guard is None:
            return
        if began_in_headers and self.request == "headers":
            # Headers still incomplete: httptools buffers them without a limit, so what has
            # arrived for them counts as it comes (the chunk that began the request does not;
            # the exact size is checked when they are complete).
            self.head_chunks += len(data)
            if self.head_chunks > self.guard.max_header_bytes:
                self._refuse_too_large()
                return
        # Once per chunk, not per callback: a GET that arrives whole arms no deadline.
        self._follow()

    def _refuse_too_large(self) -> None:
        self._expect("")
        if self.guard is not None:
            self.guard.too_large += 1
        logger.warning("refused a request: its headers are too large")
        if not self.transport.is_closing():
            self.transport.write(_TOO_LARGE_431)
            self.transport.close()

    def handle_websocket_upgrade(self) -> None:
        self._expect("")
        super().handle_websocket_upgrade()
        # The WebSocket protocol owns the transport now and hears its end: the address is
        # released when it closes, not before (else upgraded connections escape the cap).
        address, self.address = self.address, None
        if self.guard is None or address is None:
            return
        protocol = self.transport.get_protocol()
        closed = protocol.connection_lost
        guard = self.guard

        def connection_lost(exc: Exception | None) -> None:
            guard.release(address)
            closed(exc)

        protocol.connection_lost = connection_lost  # type: ignore[method-assign]

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.request = "headers"
        self.head_bytes = 0
        self.head_chunks = 0

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self.head_bytes += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self.head_bytes += len(name) + len(value) + 4  # ": " and CRLF

    def on_headers_complete(self) -> None:
        # The method, spaces, "HTTP/1.1", CRLFs of the request line and of the blank line.
        size = self.head_bytes + len(self.parser.get_method()) + 14
        if self.guard is not None and size > self.guard.max_header_bytes:
            self.request = "too large"
            raise _HeadersTooLarge
        super().on_headers_complete()
        upgrading = self.parser.should_upgrade() and self._should_upgrade()
        self.request = "upgrade" if upgrading else "body"

    def on_message_complete(self) -> None:
        super().on_message_complete()
        if self.request == "body":
            self.request = "done"

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def _follow(self) -> None:
        """Arm the deadline for what the client owes next."""
        if self.guard is None or self.transport.is_closing():
            return
        request = self.request
        if request == "new":
            self._expect("headers")  # nothing yet: the connection's first request is owed
        elif request == "headers":
            # A request has begun; behind a response still being written (pipelined) its
            # deadline starts when that response is done, as it did on h11.
            in_flight = self.cycle is not None and not self.cycle.response_complete
            self._expect("" if in_flight else "headers")
        elif request == "body":
            # A pipelined request waits in the queue with reading paused: not the client's fault.
            self._expect("" if self.pipeline else "body")
        else:
            # "done": the response, then the keep-alive timer own the wait; "upgrade": the
            # WebSocket protocol owns the connection.
            self._expect("")

    def _expect(self, phase: str) -> None:
        if phase == self.phase:
            return
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        self.phase = phase
        if phase and self.guard is not None:
            seconds = self.guard.header_timeout if phase == "headers" else self.guard.body_timeout
            self.deadline = self.loop.call_later(seconds, self._expired, phase)

    def _expired(self, phase: str) -> None:
        self.deadline = None
        self.phase = ""
        if self.transport.is_closing():
            return
        if self.guard is not None:
            self.guard.timed_out += 1
        logger.warning("closed a connection: the request %s took too long", phase)
        if phase == "headers":
            self.transport.write(_TIMEOUT_408)
        elif self.cycle is not None:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()
