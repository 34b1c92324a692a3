"""`AiohttpClient` (`transport = "aiohttp"`) over real HTTP on 127.0.0.1: the request goes out
as httpx sends it (URL, query string, JSON body, headers), cookies a source sets come back,
errors are httpx's exception types as httpx's own pool raises them, streams read in chunks."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from customer_gateway.connectors import aiohttp_client
from customer_gateway.connectors.aiohttp_client import AiohttpClient
from customer_gateway.connectors.errors import UpstreamError
from customer_gateway.connectors.http import UpstreamHTTP
from customer_gateway.connectors.statuses import error_for_status, retry_after
from customer_gateway.connectors.transport import HttpxClient, SourceClient, build_client
from customer_gateway.core.errors import ErrorCode
from customer_gateway.server.settings import SourceSettings, Timeouts

pytestmark = pytest.mark.anyio


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "target": request.raw_path,  # path and query string as sent
            "body": body.decode(),
            "content_type": request.headers.get("content-type"),
            "user_agent": request.headers.get("user-agent"),
            "authorization": request.headers.get("authorization"),
            "cookie": request.headers.get("cookie"),
        },
        headers={"Retry-After": "7"},
    )


async def login(request: web.Request) -> web.Response:
    response = web.json_response({"ok": True})
    response.set_cookie("session", "s-1", path="/")
    return response


async def sticky(request: web.Request) -> web.Response:
    """A load balancer's stickiness cookie: base64, with `/`, `+` and `=` in it."""
    response = web.json_response({"ok": True})
    response.headers.add("Set-Cookie", "AWSALB=ab/c+d==; Path=/")
    return response


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(2)
    return web.json_response({})


async def hang_up(request: web.Request) -> web.StreamResponse:
    assert request.transport is not None
    request.transport.close()  # no answer at all
    return web.StreamResponse()


async def big(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    for _ in range(10):
        await response.write(b"x" * 100_000)
    await response.write_eof()
    return response


async def missing(request: web.Request) -> web.Response:
    return web.json_response({"e": 1}, status=404)


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/base/{tail:.*}", echo)
    app.router.add_get("/login", login)
    app.router.add_get("/sticky", sticky)
    app.router.add_get("/slow", slow)
    app.router.add_get("/hang-up", hang_up)
    app.router.add_get("/big", big)
    app.router.add_get("/missing", missing)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def settings(base_url: str, transport: str = "aiohttp", **overrides: Any) -> SourceSettings:
    return SourceSettings(
        name="shop", kind="ecwid", base_url=base_url, transport=transport, **overrides
    )


async def test_the_default_transport_is_aiohttp_directly(server: str) -> None:
    async with build_client(settings(server)) as client:
        assert isinstance(client, AiohttpClient)
    async with build_client(settings(server, "httpx")) as client:
        assert isinstance(client, HttpxClient)


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "/customers/12", None, None),
        ("GET", "customers", {"email": "a b+c@é.example", "limit": 5, "flag": True}, None),
        ("GET", "/odd path/ü/[x]|^;=", {"q": "&?#/%"}, None),
        ("POST", "/api/admin/graphql", {"page": 2}, {"query": "{ x }", "variables": {"é": 1e16}}),
        ("PUT", "/customers/7", None, {"a": [1, 2.5, None, True, "\u2028"]}),
        ("DELETE", "/customers/7", {}, None),
    ],
)
async def test_requests_go_out_as_httpx_sends_them(
    server: str, method: str, path: str, params: dict[str, Any] | None, body: Any
) -> None:
    seen: list[dict[str, Any]] = []
    for transport in ("httpx", "aiohttp"):
        async with build_client(settings(server + "/base/", transport)) as client:
            answer = await client.request(
                method, path, params=params, json=body, headers={"authorization": "Bearer t"}
            )
            assert answer.status_code == 200
            assert answer.headers.get("retry-after") == "7"  # any case
            assert answer.path == "/base/" + path.lstrip("/")
            seen.append(answer.json())
    by_httpx, by_aiohttp = seen
    assert by_aiohttp == by_httpx
    assert by_aiohttp["user_agent"] == "customer-gateway/0.1"
    assert by_aiohttp["authorization"] == "Bearer t"


@examples(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(max_size=12),
            st.text(max_size=40) | st.integers() | st.booleans() | st.sampled_from(["", "a b"]),
        ),
        max_size=6,
    )
)
def test_the_query_string_is_urlencode_s(pairs: list[tuple[str, str | int]]) -> None:
    """The same string as `urlencode` of httpx's values; a text that cannot be encoded (a lone
    surrogate) fails as it did."""
    params = dict(pairs)
    try:
        expected = urlencode([(key, aiohttp_client._text(value)) for key, value in params.items()])
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            aiohttp_client.query_string(params)
    else:
        assert aiohttp_client.query_string(params) == expected


def test_every_byte_is_quoted_as_urlencode_quotes_it() -> None:
    texts = [chr(code) for code in range(0x3000)] + ["a b", "ž&=+%/?#", "x" * 300, "\U0001f600"]
    for text in texts:
        if 0xD800 <= ord(text[0]) <= 0xDFFF and len(text) == 1:
            continue  # a lone surrogate: the test above holds it to urlencode's error
        assert aiohttp_client.query_string({text: text}) == urlencode([(text, text)])


async def test_cookies_a_source_sets_are_sent_back(server: str) -> None:
    async with build_client(settings(server)) as client:
        assert (await client.request("GET", "/base/echo")).json()["cookie"] is None
        await client.request("GET", "/login")
        assert (await client.request("GET", "/base/echo")).json()["cookie"] == "session=s-1"


async def test_an_unreachable_source_is_a_connect_error(server: str) -> None:
    closed = httpx.URL(server).copy_with(port=1)
    async with build_client(settings(str(closed))) as client:
        with pytest.raises(httpx.ConnectError):
            await client.request("GET", "/x")


async def test_a_slow_answer_is_a_read_timeout(server: str) -> None:
    quick = Timeouts(connect=1.0, read=0.2, total=1.0)
    async with build_client(settings(server, timeouts=quick)) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.request("GET", "/slow")


async def test_a_source_that_hangs_up_is_a_read_error(server: str) -> None:
    for transport in ("httpx", "aiohttp"):
        async with build_client(settings(server, transport)) as client:
            with pytest.raises(httpx.TransportError) as raised:
                await client.request("GET", "/hang-up")
            assert not isinstance(raised.value, httpx.TimeoutException)


async def test_a_stream_comes_in_chunks_and_an_error_whole(server: str) -> None:
    async def read(client: SourceClient, url: str) -> tuple[int, int, bytes]:
        async with client.stream(url) as streamed:
            if streamed.status_code >= 400:
                answer = await streamed.whole()
                return answer.status_code, 0, answer.content
            size = 0
            async for chunk in streamed.chunks():
                size += len(chunk)
            return streamed.status_code, size, b""

    async with build_client(settings("http://unused.test")) as client:
        assert await read(client, server + "/big") == (200, 1_000_000, b"")
        status, _, content = await read(client, server + "/missing")
        assert (status, json.loads(content)) == (404, {"e": 1})


async def test_a_path_with_a_control_character_is_refused_as_httpx_refuses_it(server: str) -> None:
    for transport in ("httpx", "aiohttp"):
        async with build_client(settings(server + "/base/", transport)) as client:
            with pytest.raises(httpx.InvalidURL):
                await client.request("GET", "/customers/\x01")
            # Printable non-ASCII goes out percent-encoded, as httpx sends it.
            assert (await client.request("GET", "/é")).json()["target"] == "/base/%C3%A9"


async def _trickle_server(first: asyncio.Event) -> tuple[web.AppRunner, str]:
    """An answer that sends its headers and part of its body, then stalls (a slow upstream)."""
    seen: list[int] = []

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "20"})
        await response.prepare(request)
        await response.write(b"0123456789")
        seen.append(1)
        first.set()
        await asyncio.sleep(30)
        return response

    async def quick(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/trickle", trickle)
    app.router.add_get("/quick", quick)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
async def test_a_cancelled_request_gives_its_connection_back(transport: str) -> None:
    """A request cancelled mid-body (the caller's deadline) releases its pooled connection:
    with a pool of one, the next request is answered, on a connection of its own."""
    first = asyncio.Event()
    runner, base = await _trickle_server(first)
    try:
        limited = settings(base, transport, max_connections=1)
        async with build_client(limited) as client:
            task = asyncio.create_task(client.request("GET", "/trickle"))
            await asyncio.wait_for(first.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            async with asyncio.timeout(3):
                assert (await client.request("GET", "/quick")).json() == {"ok": True}
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
async def test_a_full_pool_is_a_timeout_after_the_connect_timeout(transport: str) -> None:
    """With every connection busy, a request waits `connect` for one, then times out
    (UPSTREAM_TIMEOUT), on both clients."""
    first = asyncio.Event()
    runner, base = await _trickle_server(first)
    try:
        quick = Timeouts(connect=0.3, read=10.0, total=10.0)
        limited = settings(base, transport, max_connections=1, timeouts=quick)
        async with build_client(limited) as client:
            task = asyncio.create_task(client.request("GET", "/trickle"))
            await asyncio.wait_for(first.wait(), 5)
            started = asyncio.get_running_loop().time()
            with pytest.raises(httpx.TimeoutException):
                await client.request("GET", "/quick")
            assert asyncio.get_running_loop().time() - started < 2
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        await runner.cleanup()


async def content_types(request: web.Request) -> web.Response:
    return web.json_response({"content_type": request.headers.getall("content-type", [])})


async def test_a_content_type_the_caller_names_replaces_the_json_one() -> None:
    """Header names are case-insensitive: a caller's `content-type` with a JSON body is the one
    sent (httpx merges headers so), not a second Content-Type beside the client's."""
    app = web.Application()
    app.router.add_post("/types", content_types)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        for transport in ("httpx", "aiohttp"):
            async with build_client(settings(base, transport)) as client:
                answer = await client.request(
                    "POST",
                    "/types",
                    json={"a": 1},
                    headers={"content-type": "application/json; charset=utf-8"},
                )
                assert answer.json() == {"content_type": ["application/json; charset=utf-8"]}, (
                    transport
                )
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    "target",
    [
        "/base/files/a%2Fb/c%20d.csv.gz?X-Amz-Credential=AK%2F2024%2Fus&sig=ab%2Bc%3D&e=%7E~*",
        "/base/snapshot.jsonl?token=a+b&q=%20x&u=%C3%A9",
        "/base/raw é/x?q=a b&z=ü",
    ],
)
async def test_a_stream_url_goes_out_as_httpx_sends_it(server: str, target: str) -> None:
    """A snapshot's download URL (often signed: its query string is part of the signature)
    reaches the server as httpx sends it: escapes kept as given, nothing decoded."""
    seen: list[str] = []
    for transport in ("httpx", "aiohttp"):
        async with (
            build_client(settings("http://unused.test", transport)) as client,
            client.stream(server + target) as streamed,
        ):
            seen.append((await streamed.whole()).json()["target"])
    by_httpx, by_aiohttp = seen
    assert by_aiohttp == by_httpx


async def test_a_cookie_goes_back_as_it_was_set(server: str) -> None:
    """A cookie's value is sent back byte for byte, as httpx sends it: not put in quotes
    (a server that does not strip them would see another value)."""
    for transport in ("httpx", "aiohttp"):
        async with build_client(settings(server, transport)) as client:
            await client.request("GET", "/sticky")
            answer = await client.request("GET", "/base/echo")
            assert answer.json()["cookie"] == "AWSALB=ab/c+d==", transport


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_a_request_without_a_body_names_no_content_type(server: str, method: str) -> None:
    """As httpx sends it: no body, no Content-Type (a source may refuse one it does not take)."""
    for transport in ("httpx", "aiohttp"):
        async with build_client(settings(server + "/base/", transport)) as client:
            answer = await client.request(method, "/customers/7/touch")
            assert answer.json()["content_type"] is None, transport
            assert answer.json()["body"] == ""


_REPEATED = (
    ("Retry-After", "5"),
    ("Retry-After", "10"),
    ("Link", '<https://shop.example/p/2>; rel="next"'),
    ("Link", '<https://shop.example/p/9>; rel="last"'),
    ("X-RateLimit-Bucket-Filling", "150/200"),
    ("x-ratelimit-bucket-filling", "160/200"),
    ("Set-Cookie", "a=1; Path=/"),
    ("Set-Cookie", "b=2; Path=/"),
    ("ETag", '"v1"'),
)


async def repeated(request: web.Request) -> web.Response:
    response = web.json_response({"e": 1}, status=429)
    for name, value in _REPEATED:
        response.headers.add(name, value)
    return response


async def test_a_repeated_header_reads_the_same_on_both_transports() -> None:
    """A header sent more than once is its values joined with ", " (httpx's `headers[...]`),
    on aiohttp too, in a whole answer and a streamed one's: the Retry-After, rate-limit and
    Link headers connectors read give the same answer whichever transport a source uses."""
    app = web.Application()
    app.router.add_get("/repeated", repeated)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    seen: dict[str, list[Any]] = {}
    try:
        for transport in ("httpx", "aiohttp"):
            async with build_client(settings(base, transport)) as client:
                whole = await client.request("GET", "/repeated")
                async with client.stream(base + "/repeated") as streamed:
                    streamed_whole = await streamed.whole()
            for answer in (whole, streamed_whole):
                headers = answer.headers
                seen.setdefault(transport, []).append(
                    (
                        headers.get("retry-after"),
                        headers["LINK"],
                        headers.get("X-RateLimit-Bucket-Filling"),
                        headers.get("set-cookie"),
                        headers.get("etag"),
                        headers.get("location", "absent"),
                        "link" in headers,
                        len(headers),
                        sorted(key.lower() for key in headers if key.lower() != "date"),
                        retry_after(answer),
                    )
                )
    finally:
        await runner.cleanup()
    assert seen["aiohttp"] == seen["httpx"]
    first = seen["httpx"][0]
    assert first[:6] == (
        "5, 10",
        '<https://shop.example/p/2>; rel="next", <https://shop.example/p/9>; rel="last"',
        "150/200, 160/200",
        "a=1; Path=/, b=2; Path=/",
        '"v1"',
        "absent",
    )
    assert first[-1] is None  # "5, 10" is neither form RFC 9110 allows, on both


# aiohttp's own warning for a body over 1 MB (this one must outgrow the sockets' buffers).
@pytest.mark.filterwarnings("ignore:Sending a large body:ResourceWarning")
@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
async def test_an_upstream_that_never_reads_the_body_is_a_timeout(transport: str) -> None:
    """An upstream that takes a request's headers and never reads its body (larger than the
    socket's buffers) nor answers: the body's write times out after `timeout_read` (httpx's
    `write`) on both transports, a typed UPSTREAM_TIMEOUT, and the connection is given back (a
    pool of one answers the next request)."""
    stalled: list[asyncio.StreamWriter] = []
    connections: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        head = await reader.readuntil(b"\r\n\r\n")
        if head.startswith(b"GET"):
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"ok":true}')
            await writer.drain()
            return
        stalled.append(writer)  # never read, never answered

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    quick = Timeouts(connect=1.0, read=0.5, total=5.0)
    source = settings(f"http://127.0.0.1:{port}", transport, timeouts=quick, max_connections=1)
    try:
        async with build_client(source) as client:
            http = UpstreamHTTP(
                "shop",
                client,
                lambda answer: error_for_status("shop", answer.status_code),
                total_timeout=5.0,
            )
            started = asyncio.get_running_loop().time()
            with pytest.raises(UpstreamError) as raised:
                async with asyncio.timeout(10):  # the test's guard: never reached when fixed
                    await http.send("POST", "/customers", json={"note": "x" * 32_000_000})
            took = asyncio.get_running_loop().time() - started
            assert raised.value.code is ErrorCode.UPSTREAM_TIMEOUT
            assert took < 3, took
            async with asyncio.timeout(3):
                assert (await client.request("GET", "/quick")).json() == {"ok": True}
        assert stalled
    finally:
        server.close()
        for writer in connections:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        await server.wait_closed()
