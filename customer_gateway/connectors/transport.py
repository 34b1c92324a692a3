"""A source's HTTP client: what `UpstreamHTTP` sends through, and the answer it reads.

Two clients behind one interface (`SourceClient`): requests go out as the same bytes (the
same URL, query string, JSON body and headers) and come back as an `Answer`.

- `AiohttpClient` (`transport = "aiohttp"`, the default over the network): requests issued on
  aiohttp's session directly. Through httpx's API on aiohttp's pool (httpx-aiohttp), a
  one-customer read spent twice aiohttp's own instructions building and adapting httpx's
  `Request` and `Response` (URL parsing and merging, header normalisation, the auth and
  redirect layers, the stream adapter); bench/README.md, instructions per request.
- `HttpxClient` (`transport = "httpx"`, httpx's own pool; and any injected httpx transport:
  the sandbox and the tests serve emulators in-process through `httpx.ASGITransport`).

Failures are httpx's exception types on both (`httpx.TimeoutException` for a timeout,
`httpx.TransportError` for the rest), which `http.py` turns into typed errors.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Any, Protocol

import httpx

from customer_gateway.server.settings import SourceSettings

USER_AGENT = "customer-gateway/0.1"

Params = Mapping[str, str | int]


class Answer:
    """An upstream's answer, read whole: what connectors and the HTTP engine read of it.

    `headers` look up case-insensitively, a header sent more than once as its values joined
    with ", " (httpx's `Headers`; aiohttp's through `aiohttp_client.JoinedHeaders`);
    `path` is the request's path (the base URL's path included), for error mapping."""

    __slots__ = ("content", "headers", "path", "status_code")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], content: bytes, path: str
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.path = path

    def json(self) -> Any:
        """The body as JSON (`json.loads`, as httpx's `Response.json()`); `ValueError` if not."""
        return jsonlib.loads(self.content)

    def __repr__(self) -> str:
        return f"<Answer {self.status_code} {self.path}>"


class StreamedAnswer(Protocol):
    """An answer whose body is read as it arrives (a snapshot download)."""

    status_code: int

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def whole(self) -> Answer:
        """The rest of the body read, as an `Answer` (an error answer's few bytes)."""
        ...


class SourceClient(Protocol):
    """One source's connection pool, timeouts and cookies."""

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """`path` below the source's base URL; the whole answer (any status)."""
        ...

    def stream(self, url: str) -> AbstractAsyncContextManager[StreamedAnswer]:
        """GET an absolute URL, the body read while the block runs."""
        ...

    async def aclose(self) -> None: ...

    async def __aenter__(self) -> SourceClient: ...

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


def build_client(
    settings: SourceSettings, transport: httpx.AsyncBaseTransport | None = None
) -> SourceClient:
    """The one client of a source: explicit timeouts, a bounded pool, no redirects.

    `transport`: an httpx transport to send through instead of the network (in-process
    emulators). Otherwise `settings.transport`: aiohttp directly (default; httpx's own pool
    collapses at 20+ concurrent requests, bench/README.md) or httpx on its own pool.
    """
    if transport is None and settings.transport == "aiohttp":
        # Imported here: aiohttp is only loaded when a source goes over it.
        from customer_gateway.connectors.aiohttp_client import AiohttpClient

        return AiohttpClient(settings)
    return HttpxClient(build_httpx_client(settings, transport))


def build_httpx_client(
    settings: SourceSettings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    timeouts = settings.timeouts
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )
    client = httpx.AsyncClient(
        base_url=settings.base_url,
        transport=transport,
        timeout=httpx.Timeout(
            connect=timeouts.connect, read=timeouts.read, write=timeouts.read, pool=timeouts.connect
        ),
        limits=limits,
        follow_redirects=False,
        headers={"user-agent": USER_AGENT},
    )
    # httpx's `cookies` setter copies into a plain `Cookies`: the client's own jar is replaced.
    client._cookies = SetCookieJar()
    return client


class HttpxClient:
    """`SourceClient` over an `httpx.AsyncClient` (its own pool, or an injected transport)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.httpx = client

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        response = await self.httpx.request(method, path, json=json, params=params, headers=headers)
        return Answer(
            response.status_code, response.headers, response.content, response.request.url.path
        )

    @asynccontextmanager
    async def stream(self, url: str) -> AsyncIterator[StreamedAnswer]:
        async with self.httpx.stream("GET", url) as response:
            yield _HttpxStreamed(response)

    async def aclose(self) -> None:
        await self.httpx.aclose()

    async def __aenter__(self) -> HttpxClient:
        await self.httpx.__aenter__()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.httpx.__aexit__(kind, error, traceback)


class _HttpxStreamed:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code

    def chunks(self) -> AsyncIterator[bytes]:
        return self.response.aiter_bytes()

    async def whole(self) -> Answer:
        response = self.response
        await response.aread()
        return Answer(
            response.status_code, response.headers, response.content, response.request.url.path
        )


_SET_COOKIE = (b"set-cookie", b"set-cookie2")


class SetCookieJar(httpx.Cookies):
    """httpx's cookie jar, which reads an answer only when it sets a cookie.

    httpx hands every answer to `http.cookiejar` (a urllib request and response built around
    it, the jar's lock, a scan of the headers): a tenth of a one-customer read's instructions
    in the upstream client (bench/README.md). The jar takes cookies only from `Set-Cookie` and
    `Set-Cookie2`, so an answer without them leaves it as it is, and is not handed over."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if any(key.lower() in _SET_COOKIE for key, _ in response.headers.raw):
            super().extract_cookies(response)
