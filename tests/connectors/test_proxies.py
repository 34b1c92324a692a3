"""A source's requests go through the proxy HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY
name, as httpx reads them, on both transports: a real forward proxy on 127.0.0.1 (absolute-form
requests forwarded, CONNECT refused) sees the same requests from each."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from customer_gateway.connectors.proxies import UnsupportedProxy
from customer_gateway.connectors.transport import build_client
from customer_gateway.server.settings import SourceSettings

pytestmark = pytest.mark.anyio

TRANSPORTS = ("httpx", "aiohttp")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD")


@dataclass
class ForwardProxy:
    """One request per connection: an absolute-form request is forwarded to its origin (the
    answer relayed, the connection closed); a CONNECT is answered 403."""

    seen: list[tuple[str, str | None]] = field(default_factory=list)  # request line, credentials
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        line, *lines = head.split("\r\n")
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (entry.partition(":") for entry in lines if entry)
        )
        self.seen.append((line, headers.get("proxy-authorization")))
        method, target, _ = line.split(" ")
        if method == "CONNECT":
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        url = httpx.URL(target)
        upstream_reader, upstream_writer = await asyncio.open_connection(url.host, url.port)
        forwarded = [f"{method} {url.raw_path.decode()} HTTP/1.1"]
        forwarded += [
            f"{name}: {value}"
            for name, value in headers.items()
            if not name.startswith("proxy-") and name != "connection"
        ]
        forwarded.append("connection: close")
        upstream_writer.write(("\r\n".join(forwarded) + "\r\n\r\n").encode("latin-1") + body)
        await upstream_writer.drain()
        writer.write(await upstream_reader.read())
        await writer.drain()
        upstream_writer.close()
        writer.close()


async def echo(request: web.Request) -> web.Response:
    return web.json_response(
        {"path": request.path_qs, "authorization": request.headers.get("authorization")}
    )


@pytest.fixture
async def origin() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def proxy() -> AsyncIterator[tuple[ForwardProxy, int]]:
    forward = ForwardProxy()
    server = await asyncio.start_server(forward.handle, "127.0.0.1", 0)
    try:
        yield forward, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in forward.writers:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        await server.wait_closed()


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def settings(base_url: str, transport: str) -> SourceSettings:
    return SourceSettings(name="shop", kind="ecwid", base_url=base_url, transport=transport)


async def _read_both(base_url: str, stream_url: str) -> list[tuple[object, ...]]:
    answers: list[tuple[object, ...]] = []
    for transport in TRANSPORTS:
        async with build_client(settings(base_url, transport)) as client:
            answer = await client.request(
                "GET", "/customers", params={"q": "a b"}, headers={"authorization": "Bearer t"}
            )
            async with client.stream(stream_url) as streamed:
                streamed_answer = await streamed.whole()
            answers.append((answer.json(), streamed_answer.json()))
    return answers


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
async def test_requests_go_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
    origin: str,
    proxy: tuple[ForwardProxy, int],
    variable: str,
) -> None:
    forward, port = proxy
    monkeypatch.setenv(variable, f"http://us%40er:p%3Ass@127.0.0.1:{port}")
    by_httpx, by_aiohttp = await _read_both(origin, origin + "/snapshot.jsonl?sig=a%2Fb")
    assert by_aiohttp == by_httpx
    assert by_httpx[0] == {"path": "/customers?q=a+b", "authorization": "Bearer t"}
    credentials = "Basic dXNAZXI6cDpzcw=="  # us@er:p:ss, as httpx decodes the URL's
    expected = [
        (f"GET {origin}/customers?q=a+b HTTP/1.1", credentials),
        (f"GET {origin}/snapshot.jsonl?sig=a%2Fb HTTP/1.1", credentials),
    ]
    assert forward.seen == expected * 2  # httpx's two, then aiohttp's two


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "localhost,127.0.0.1"])
async def test_no_proxy_sends_straight_to_the_source(
    monkeypatch: pytest.MonkeyPatch, origin: str, proxy: tuple[ForwardProxy, int], no_proxy: str
) -> None:
    forward, port = proxy
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    by_httpx, by_aiohttp = await _read_both(origin, origin + "/snapshot.jsonl")
    assert by_aiohttp == by_httpx
    assert forward.seen == []


async def test_an_https_source_is_tunnelled_and_a_refused_tunnel_fails_alike(
    monkeypatch: pytest.MonkeyPatch, proxy: tuple[ForwardProxy, int]
) -> None:
    """HTTPS_PROXY: a CONNECT to the source's host; the proxy's refusal is a transport error
    (UPSTREAM_UNAVAILABLE, not a timeout) on both."""
    forward, port = proxy
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    for transport in TRANSPORTS:
        async with build_client(settings("https://shop.example.test", transport)) as client:
            with pytest.raises(httpx.TransportError) as raised:
                await client.request("GET", "/customers")
            assert not isinstance(raised.value, httpx.TimeoutException), transport
    assert [line for line, _ in forward.seen] == ["CONNECT shop.example.test:443 HTTP/1.1"] * 2


async def test_netrc_adds_no_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, origin: str
) -> None:
    """A ~/.netrc entry for the source's host is not used (httpx does not read it; aiohttp's
    own `trust_env` would, and refuse a request with its own Authorization)."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    for transport in TRANSPORTS:
        async with build_client(settings(origin, transport)) as client:
            plain = await client.request("GET", "/x")
            assert plain.json()["authorization"] is None, transport
            own = await client.request("GET", "/x", headers={"authorization": "Bearer t"})
            assert own.json()["authorization"] == "Bearer t", transport


async def test_a_proxy_aiohttp_cannot_use_is_refused_when_the_client_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "https://proxy.example.test:8443")
    with pytest.raises(UnsupportedProxy, match='transport = "httpx"'):
        build_client(settings("https://shop.example.test", "aiohttp"))
    async with build_client(settings("https://shop.example.test", "httpx")):
        pass  # httpx goes through https:// proxies
