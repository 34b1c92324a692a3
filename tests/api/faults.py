"""Upstream faults the emulators do not express yet, as tiny ASGI wrappers around an emulator.

Token requests pass through to the emulator; the admin GraphQL route misbehaves as told.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class FaultyUpstream:
    def __init__(
        self,
        app: ASGIApp,
        *,
        status: int = 503,
        body: bytes = b'{"error":{"status":503,"message":"Service Unavailable"}}',
        delay: float = 0.0,
        content_type: bytes = b"application/json",
        path_prefix: str = "/api/admin/graphql",
    ) -> None:
        self.app = app
        self.status = status
        self.body = body
        self.delay = delay
        self.content_type = content_type
        self.path_prefix = path_prefix
        self.hits = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.path_prefix):
            await self.app(scope, receive, send)
            return
        self.hits += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [(b"content-type", self.content_type)],
            }
        )
        await send({"type": "http.response.body", "body": self.body})
