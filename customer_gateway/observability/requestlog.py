"""One structured log line (and metrics) per HTTP request, under a request id.

The id comes from a valid incoming `X-Request-ID` or is made here; it is echoed in the answer and
carried by every log line of the request. The line has the path (never the query string; for a
route with parameters its template, `/exports/{id}`: no id), the status, the duration, the GraphQL
operation, the sources touched and the error codes: no e-mail, name or variable unless
`telemetry.log_pii` is on (debugging only).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from customer_gateway.observability.telemetry import Telemetry

logger = logging.getLogger("customer_gateway.request")
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_QUIET = ("/healthz", "/metrics")


class RequestLog:
    def __init__(self, app: ASGIApp, telemetry: Telemetry | None) -> None:
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            summary: dict[str, Any] = state.get("graphql") or {}
            path = _logged_path(scope)
            if self.telemetry is not None and summary:
                self.telemetry.request_done(
                    summary.get("operationType") or "unknown",
                    status,
                    seconds,
                    summary.get("errors", []),
                )
            fields = {
                "event": "request",
                "method": scope.get("method"),
                "path": path,
                "status": status,
                "durationMs": round(seconds * 1000, 1),
                **summary,
            }
            level = logging.DEBUG if path in _QUIET else logging.INFO
            logger.log(
                level, "%s %s %s", scope.get("method"), path, status, extra={"fields": fields}
            )
            REQUEST_ID.reset(token)


def _logged_path(scope: Scope) -> str:
    """The matched route's template when it has parameters, else the path."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if scope.get("path_params") and isinstance(template, str):
        return template
    return str(scope.get("path", ""))
