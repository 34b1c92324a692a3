"""Slow and greedy clients at the connection level, under uvicorn.

uvicorn closes an idle keep-alive connection (`timeout_keep_alive`), but it sets no deadline for
a request's headers or body: a client that connects and sends nothing, sends half its headers,
or trickles its body a byte at a time holds a connection (and a file descriptor) for as long as
it likes. `GuardedH11Protocol` adds the deadlines and a cap on connections per client address:

- **headers**: complete within `header_timeout` seconds of the connection (or of the first byte
  of the next request on a kept-alive connection), else `408` and close;
- **body**: complete within `body_timeout` seconds of the headers, else the connection closes
  (the app sees a disconnect);
- **per address**: at most `max_connections_per_ip` open connections (0: no cap); one more is
  answered `503` and closed at once. Behind a reverse proxy every client has the proxy's
  address: cap there, and set 0 here.

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

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
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


@dataclass
class ConnectionGuard:
    """A worker's connection limits and its count of open connections per client address."""

    header_timeout: float
    body_timeout: float
    max_connections_per_ip: int
    open: Counter[str] = field(default_factory=Counter)
    refused: int = 0  # connections answered 503 by the per-address cap
    timed_out: int = 0  # connections closed by a header or body deadline

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


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with header and body deadlines and a per-address cap."""

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
        self._expect("headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._expect("")
        if self.guard is not None and self.address is not None:
            self.guard.release(self.address)
            self.address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def _follow(self) -> None:
        """Arm the deadline for what the client owes next (h11 says where the request is)."""
        if self.guard is None or self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.IDLE and self.conn.our_state is not h11.IDLE:
            # A response is still being written, or the keep-alive timer owns the wait.
            self._expect("")
        elif state is h11.IDLE:
            # Waiting for a request: the keep-alive timer covers silence, this covers a
            # request that has begun (some bytes buffered in h11) and stalls.
            self._expect("headers" if self.conn.trailing_data[0] else "")
        elif state is h11.SEND_BODY:
            self._expect("body")
        else:
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
