"""The one `httpx.AsyncClient` of a source, and the connection layer under it."""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
import httpx_aiohttp

from customer_gateway.server.settings import SourceSettings


def build_client(
    settings: SourceSettings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one AsyncClient of a source: explicit timeouts, a bounded pool, no redirects.

    Over the network the connection layer is `settings.transport`: aiohttp's pool (via
    httpx-aiohttp) by default, since httpx's own pool collapses at 20+ concurrent requests
    (bench/README.md has the numbers), or httpx's own.
    """
    timeouts = settings.timeouts
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )
    if transport is None and settings.transport == "aiohttp":
        transport = AiohttpTransport(limits=limits)
    client = httpx.AsyncClient(
        base_url=settings.base_url,
        transport=transport,
        timeout=httpx.Timeout(
            connect=timeouts.connect, read=timeouts.read, write=timeouts.read, pool=timeouts.connect
        ),
        limits=limits,
        follow_redirects=False,
        headers={"user-agent": "customer-gateway/0.1"},
    )
    # httpx's `cookies` setter copies into a plain `Cookies`: the client's own jar is replaced.
    client._cookies = SetCookieJar()
    return client


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


class AiohttpTransport(httpx_aiohttp.AiohttpTransport):
    """httpx-aiohttp's transport with aiohttp's errors mapped as httpx's own pool maps them.

    httpx-aiohttp turns every `aiohttp.ClientConnectionError` (a refused connection, a reset, a
    server that hung up) into `httpx.ConnectTimeout`; the gateway tells an unreachable source
    (UPSTREAM_UNAVAILABLE) from a slow one (UPSTREAM_TIMEOUT), so those become
    `httpx.ConnectError` / `httpx.ReadError` again, and only real timeouts stay timeouts.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TimeoutException as error:
            cause = error.__cause__
            if isinstance(cause, aiohttp.ClientConnectorError):
                raise httpx.ConnectError(str(cause), request=request) from cause
            if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(
                cause, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)
            ):
                raise httpx.ReadError(str(cause), request=request) from cause
            raise
