"""The HTTP guard in front of /graphql: body size, then who is calling.

Runs before Strawberry reads the request, so an oversized or unauthenticated request costs no
parsing. The caller found here goes into the request scope for the GraphQL context.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from customer_gateway.security.auth import Authenticator, Unauthenticated
from customer_gateway.text.digits import is_ascii_digits


class GraphQLGuard:
    def __init__(self, app: ASGIApp, authenticator: Authenticator, max_body_bytes: int) -> None:
        self.app = app
        self.authenticator = authenticator
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            principal = self.authenticator.authenticate(headers)
        except Unauthenticated as refusal:
            await _json(send, 401, _error(str(refusal), "UNAUTHENTICATED"), challenge=True)
            return
        scope.setdefault("state", {})["principal"] = principal
        declared = headers.get("content-length")
        if (
            declared is not None
            and is_ascii_digits(declared)
            and int(declared) > self.max_body_bytes
        ):
            await _json(send, 413, _error(self._too_large(), "QUERY_TOO_COMPLEX"))
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body_bytes:
                await _json(send, 413, _error(self._too_large(), "QUERY_TOO_COMPLEX"))
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return f"The request body is larger than {self.max_body_bytes} bytes."


def _error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


async def _json(send: Send, status: int, payload: dict[str, Any], challenge: bool = False) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if challenge:
        headers.append((b"www-authenticate", b'Bearer, ApiKey header="X-API-Key"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
