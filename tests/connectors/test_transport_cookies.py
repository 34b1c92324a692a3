"""The source client's cookie jar (`transport.SetCookieJar`): an answer that sets a cookie is
kept and sent back as httpx's own jar does; one that sets none is not handed to the jar."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from customer_gateway.connectors.transport import HttpxClient, SetCookieJar, build_client
from customer_gateway.server.settings import SourceSettings

pytestmark = pytest.mark.anyio


async def login(request: Request) -> JSONResponse:
    response = JSONResponse({"ok": True})
    response.set_cookie("session", "s-1", path="/")
    return response


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"cookie": request.headers.get("cookie")})


APP = Starlette(routes=[Route("/login", login), Route("/echo", echo)])


async def test_cookies_set_by_a_source_are_kept_and_sent_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handed: list[str] = []
    original = httpx.Cookies.extract_cookies

    def counting(self: Any, response: httpx.Response) -> None:
        handed.append(response.request.url.path)
        original(self, response)

    monkeypatch.setattr(httpx.Cookies, "extract_cookies", counting)
    settings = SourceSettings(name="shop", kind="ecwid", base_url="http://shop.test")
    async with build_client(settings, httpx.ASGITransport(app=APP)) as source_client:
        assert isinstance(source_client, HttpxClient)
        client = source_client.httpx
        assert isinstance(client.cookies, SetCookieJar)
        assert (await client.get("/echo")).json() == {"cookie": None}
        assert handed == []  # no Set-Cookie: the jar is not asked
        await client.get("/login")
        assert handed == ["/login"]
        assert client.cookies.get("session") == "s-1"
        assert (await client.get("/echo")).json() == {"cookie": "session=s-1"}
