"""`SourceClient` on aiohttp's session directly (`transport = "aiohttp"`, the default).

The request goes out as httpx would have sent it: the URL as httpx merges it (the base URL's
path, then the path percent-encoded with httpx's path set, then `urlencode` of the
parameters), a JSON body as httpx encodes it (`json.dumps`, no ASCII escaping, compact,
`NaN` refused), the source's User-Agent, no redirects followed. Timeouts as httpx's: `connect`
for a pooled connection or a new one, `read` between bytes of the answer and for the request's
body to be sent (httpx's `write`, which `build_httpx_client` sets to `read`; aiohttp has no
write timeout of its own: `_TimedBody`). Through the proxy
httpx would take from the environment (`proxies.py`). The answer's headers
read as httpx's do (`JoinedHeaders`: a repeated header is its values joined with ", ").

aiohttp's errors become httpx's exception types as httpx's own pool raises them: a refused or
unreachable connection `httpx.ConnectError`, a reset or a server that hung up
`httpx.ReadError`, only a real timeout a `httpx.TimeoutException` (UPSTREAM_UNAVAILABLE vs
UPSTREAM_TIMEOUT).
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from types import TracebackType
from typing import Any
from urllib.parse import quote

import aiohttp
import httpx
from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import BytesPayload
from multidict import CIMultiDictProxy
from yarl import URL

from customer_gateway.connectors.proxies import EnvProxies, Proxy
from customer_gateway.connectors.transport import (
    USER_AGENT,
    Answer,
    Params,
    StreamedAnswer,
)
from customer_gateway.server.settings import SourceSettings

# httpx's path percent-encode set (httpx._urlparse.PATH_SAFE): printable ASCII but for space,
# `"`, `#`, `<`, `>`, `?`, `` ` ``, `{`, `}` (paths never hold `%`, `?` or `#`: `path_problem`).
_PATH_SAFE = "".join(
    chr(i) for i in range(0x21, 0x7F) if chr(i) not in '"#<>?`{}' and not chr(i).isalnum()
)
_NON_PRINTABLE = re.compile("[\x00-\x1f\x7f]")
_KEEPALIVE_SECONDS = 5.0  # httpx's keep-alive expiry (`httpx.Limits`)
_CHUNK = 64 * 1024
_NO_CONTENT_TYPE = ("Content-Type",)


class AiohttpClient:
    def __init__(self, settings: SourceSettings) -> None:
        base = httpx.URL(settings.base_url)  # normalised as httpx would (host case, port)
        # httpx merges `base path + "/" + path without its leading "/"`.
        self._prefix = str(base.copy_with(query=None, fragment=None)).rstrip("/") + "/"
        self._base_path = base.path.rstrip("/") + "/"
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None
        # HTTP(S)_PROXY, ALL_PROXY, NO_PROXY as httpx reads them, read now (as httpx does).
        self._proxies = EnvProxies()
        self._proxy, self._proxy_headers, self._forward_headers = _through(
            self._proxies.for_url(base), base.scheme
        )

    def _open(self) -> aiohttp.ClientSession:
        """The session, made on first use (inside the running loop, as aiohttp wants)."""
        session = self._session
        if session is None:
            settings = self._settings
            timeouts = settings.timeouts
            connector = aiohttp.TCPConnector(
                limit=settings.max_connections,
                keepalive_timeout=_KEEPALIVE_SECONDS,
                ssl=httpx.create_ssl_context(),  # httpx's certificates (certifi, SSL_CERT_FILE)
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeouts.connect,
                    sock_connect=timeouts.connect,
                    sock_read=timeouts.read,
                ),
                headers={"User-Agent": USER_AGENT},
                # Not aiohttp's `trust_env`: the proxy comes from `EnvProxies` (httpx's rules);
                # aiohttp's would also add ~/.netrc credentials, which httpx does not.
                trust_env=False,
                # Cookies a source sets are kept and sent back, from IP-address hosts too (as
                # httpx's jar does; aiohttp's refuses those unless `unsafe`), and as they were
                # set (aiohttp quotes a value holding `/`, `+` or `=`, httpx does not).
                cookie_jar=aiohttp.CookieJar(unsafe=True, quote_cookie=False),
            )
        return session

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        if not path.isprintable() and (found := _NON_PRINTABLE.search(path)) is not None:
            # httpx refuses these in a URL (a path that would not be the one asked for).
            raise httpx.InvalidURL(
                f"Invalid non-printable ASCII character in URL, {found.group()!r} at position "
                f"{found.start()}."
            )
        relative = quote(path.lstrip("/"), safe=_PATH_SAFE)
        url = self._prefix + relative
        if params:
            url += "?" + query_string(params)
        data: _TimedBody | None = None
        if json is not None:
            data = _TimedBody(
                jsonlib.dumps(
                    json, ensure_ascii=False, separators=(",", ":"), allow_nan=False
                ).encode(),
                self._settings.timeouts.read,
            )
            headers = {"Content-Type": "application/json", **(headers or {})}
        if self._forward_headers is not None:
            headers = {**self._forward_headers, **(headers or {})}
        session = self._open()
        with _as_httpx_errors():
            response = await session.request(
                method,
                URL(url, encoded=True),
                data=data,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
                # A POST or PUT without a body goes without a Content-Type, as httpx sends it
                # (aiohttp would name it application/octet-stream).
                skip_auto_headers=_NO_CONTENT_TYPE if data is None else None,
            )
            try:
                content = await response.read()
            finally:
                response.release()
        return Answer(
            response.status,
            JoinedHeaders(response.headers),
            content,
            self._base_path + path.lstrip("/"),
        )

    @asynccontextmanager
    async def stream(self, url: str) -> AsyncIterator[StreamedAnswer]:
        session = self._open()
        # As httpx sends it (its escapes kept, what a URL cannot hold escaped), and taken as
        # encoded: yarl's own requoting would decode `%2F` or `%7E` in the query string, which
        # a signed download URL's signature covers.
        target = httpx.URL(url)
        sent = URL(str(target), encoded=True)
        proxy, proxy_headers, forward_headers = _through(
            self._proxies.for_url(target), target.scheme
        )
        with _as_httpx_errors():
            response = await session.get(
                sent,
                allow_redirects=False,
                headers=forward_headers,
                proxy=proxy,
                proxy_headers=proxy_headers,
            )
        try:
            yield _Streamed(response)
        finally:
            response.release()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> AiohttpClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


class _Streamed:
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.status_code = response.status

    async def chunks(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for chunk in self.response.content.iter_chunked(_CHUNK):
                yield chunk

    async def whole(self) -> Answer:
        with _as_httpx_errors():
            content = await self.response.read()
        response = self.response
        return Answer(response.status, JoinedHeaders(response.headers), content, response.url.path)


class _WriteTimedOut(TimeoutError):
    """The request's body was not taken in time (httpx's `WriteTimeout`)."""


class _TimedBody(BytesPayload):
    """A request body sent within `seconds`, as httpx sends one (a write timeout).

    aiohttp writes a body with no timeout, and starts the read timeout only once the body is
    sent: an upstream that takes the headers and never reads a body larger than the socket's
    buffers held the request until the caller's deadline. Here the write (the drain of
    aiohttp's buffer into the socket) times out after `seconds`; aiohttp hands the error to the
    response, `_as_httpx_errors` makes it `httpx.WriteTimeout` (UPSTREAM_TIMEOUT)."""

    def __init__(self, value: bytes, seconds: float) -> None:
        super().__init__(value, content_type="application/json")
        self._seconds = seconds

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        try:
            async with asyncio.timeout(self._seconds):
                await super().write_with_length(writer, content_length)
        except TimeoutError:
            raise _WriteTimedOut(f"the request body was not sent in {self._seconds} s") from None


class JoinedHeaders(Mapping[str, str]):
    """An answer's headers as httpx's `Headers` read them: case-insensitive, and a header sent
    more than once (two `Retry-After`, `Link` or `X-RateLimit-*` lines) is its values joined
    with ", ", where aiohttp's `get` gives the first alone. Joined on lookup only (an answer's
    headers are mostly not read)."""

    __slots__ = ("_raw",)

    def __init__(self, raw: CIMultiDictProxy[str]) -> None:
        self._raw = raw

    def __getitem__(self, key: str) -> str:
        values = self._raw.getall(key)  # KeyError when absent
        return values[0] if len(values) == 1 else ", ".join(values)

    def get(self, key: str, default: Any = None) -> Any:
        values = self._raw.getall(key, None)
        if values is None:
            return default
        return values[0] if len(values) == 1 else ", ".join(values)

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter({key.lower(): key for key in self._raw}.values())

    def __len__(self) -> int:
        return len(self._raw)  # as httpx counts: every header line

    def __repr__(self) -> str:
        return f"JoinedHeaders({self._raw!r})"


def _through(
    proxy: Proxy | None, scheme: str
) -> tuple[URL | None, dict[str, str] | None, dict[str, str] | None]:
    """aiohttp's arguments for a proxy: its URL, the headers of the CONNECT to it (an https
    URL, tunnelled), the headers added to a request it forwards (an http URL): its
    credentials go on whichever it reads, as httpx sends them."""
    if proxy is None:
        return None, None, None
    if scheme == "https":
        return URL(proxy.url), proxy.headers, None
    return URL(proxy.url), None, proxy.headers


# What `urlencode` makes of a key or a value (`quote_plus(text, "")`: UTF-8, the unreserved
# ASCII bytes as they are, a space as "+", every other byte as %XX), as one `str.translate` of
# the text's UTF-8 bytes read as Latin-1. `quote_plus` is Python with a call per byte that needs
# quoting: Ecwid's list query (its `responseFields`) cost ~136,000 instructions a request.
# Nothing is remembered: a value may be a searched e-mail (personal data lives only as long as
# its request).
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_QUERY_BYTES = {
    byte: chr(byte) if byte in _UNRESERVED else "+" if byte == 0x20 else f"%{byte:02X}"
    for byte in range(256)
}


def _quoted(text: str) -> str:
    if text.isascii() and text.isalnum():
        return text  # the common case (page sizes, offsets, sort names): nothing to quote
    # `encode` raises UnicodeEncodeError for a lone surrogate, as `quote_plus` does.
    return text.encode("utf-8").decode("latin-1").translate(_QUERY_BYTES)


def query_string(params: Params) -> str:
    """`urlencode([(key, _text(value)), ...])`, the same string."""
    return "&".join(_quoted(key) + "=" + _quoted(_text(value)) for key, value in params.items())


def _text(value: str | int) -> str:
    """httpx's query value (`primitive_value_to_str`): booleans as JSON's words."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except (TimeoutError, aiohttp.ServerTimeoutError) as error:
        if isinstance(error, _WriteTimedOut):
            raise httpx.WriteTimeout(str(error)) from error
        if isinstance(error, aiohttp.ConnectionTimeoutError):
            raise httpx.ConnectTimeout(str(error)) from error
        raise httpx.ReadTimeout(str(error)) from error
    except aiohttp.ClientConnectorError as error:
        raise httpx.ConnectError(str(error)) from error
    except aiohttp.ClientError as error:
        raise httpx.ReadError(str(error)) from error
