"""An HTTP request to an ASGI app in the same process, as httpx's `ASGITransport` makes it.

The Ecwid JSON wrapper calls its Ecwid store this way on every request. httpx's transport
asks, on each call, whether trio is running by importing `sniffio`; where sniffio is not
installed (this project) that import fails after a search of `sys.path`, the largest part of
the call. This transport builds the same scope, feeds the body and collects the answer the same
way, with an asyncio event (the emulators run on asyncio only).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.types import ASGIApp, Message


class AsgiLink(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self.app = app
        self.client = client  # httpx's default client address

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for (k, v) in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port),
            "client": self.client,
            "root_path": "",
        }
        chunks = request.stream.__aiter__()
        request_complete = False
        status: int | None = None
        headers: list[tuple[bytes, bytes]] | None = None
        body: list[bytes] = []
        complete = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal request_complete
            if request_complete:
                await complete.wait()
                return {"type": "http.disconnect"}
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                request_complete = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                assert status is None
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                assert not complete.is_set()
                chunk = message.get("body", b"")
                if chunk and request.method != "HEAD":
                    body.append(chunk)
                if not message.get("more_body", False):
                    complete.set()

        await self.app(scope, receive, send)
        assert complete.is_set()
        assert status is not None
        assert headers is not None
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(b"".join(body)))
