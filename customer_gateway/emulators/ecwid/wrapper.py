"""The seed's third-party JSON wrapper around Ecwid (README 3.4) as an ASGI app.

It owns a connected `EcwidEmulator` (`.ecwid`) and forwards every call to it in-process, over
HTTP with the store's token, so the inner journal records the upstream traffic. Successes come
back as `{"data": {"id", "type": "ecwid", "attributes"}}`. Undocumented, so chosen here:
* auth is `Authorization: Bearer <api_key>`; missing or wrong -> 401 `Unauthenticated.`;
* errors use the same JSON:API flavour, `{"errors": [{"status": "409", "title": <Ecwid's
  errorMessage>}]}`, with Ecwid's HTTP status (and `Retry-After`) passed through;
* `data.id` as the seed's examples show it (Customers page of the seed, lines cited in
  tests/emulators/test_ecwid_wrapper.py): a fresh request uuid for the list, update and delete
  (seed lines 27, 188, 214), the Ecwid id as a JSON number for one customer (line 125) and as
  a string for a new one (line 164);
* the list's default page is 100 customers (seed line 33: `"limit": 100` for a request without
  one; Ecwid's own default is 10): a list request without `limit` is sent on with `limit=100`;
  other query strings and bodies (with their Content-Type) pass unchanged;
* its own limit: `rate_limit_per_minute` per API key -> 429 + `Retry-After` (Laravel's
  `throttle` middleware); the inner store gets the same per-token limit.
The store-connection routes (`get_link`, `oauthwid/get_token`) are not emulated.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Self
from urllib.parse import quote

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from customer_gateway.emulators.asgi_link import AsgiLink
from customer_gateway.emulators.base import Clock, Emulator, FixedWindow
from customer_gateway.emulators.http import Missing, Router, catch_all, compact_json

from .emulator import EcwidEmulator
from .http import WINDOW_SECONDS, json_response, retry_after

PREFIX: Final = "/api/json/v1/ecwid"
TYPE: Final = "ecwid"
LIST_DEFAULT_LIMIT: Final = 100  # seed line 33
_KEPT_URLS: Final = 256


@dataclass(frozen=True, slots=True)
class Upstream:
    """An Ecwid answer: HTTP status, parsed JSON body, headers worth passing on."""

    status: int
    body: Any
    headers: dict[str, str]
    raw: bytes  # the body as Ecwid sent it


Handler = Callable[[Request, str | None], Awaitable[Response]]


def error_response(status: int, title: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"errors": [{"status": str(status), "title": title}]}, status, headers)


def envelope(resource_id: str | int, attributes: Any) -> Response:
    return json_response({"data": {"id": resource_id, "type": TYPE, "attributes": attributes}})


def wrapped(resource_id: str | int, upstream: Upstream) -> Response:
    """`envelope(resource_id, upstream.body)` around Ecwid's own bytes: Ecwid writes every
    answer with `compact_json` (its injected faults' bodies are compact JSON too), which is
    canonical (`json.loads` inverts it exactly, and writing the parsed value again gives the
    same bytes), so they are not written again. The body is still parsed (`_forward`): an
    answer that is not JSON fails as before."""
    head = b'{"data":{"id":' + compact_json(resource_id) + b',"type":' + compact_json(TYPE)
    content = head + b',"attributes":' + upstream.raw + b"}}"
    return Response(content, 200, None, "application/json;charset=utf-8")


class EcwidWrapperEmulator(Emulator):
    kind = "ecwid_wrapper"

    @classmethod
    def create(cls, *, seed: int, customers: int, rate_limits: bool = True) -> Self:
        # The wrapper has no "off": a limit no run reaches stands for it.
        limit = 600 if rate_limits else 10**9
        return cls(seed=seed, customers=customers, rate_limit_per_minute=limit)

    def __init__(
        self,
        *,
        seed: int = 1,
        customers: int = 250,
        store_id: int = 1003,
        api_key: str = "ecwid-wrapper-sandbox-key",
        rate_limit_per_minute: int = 600,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(clock=clock)
        self.api_key = api_key
        self.rate_limit_per_minute = rate_limit_per_minute
        self.ecwid = EcwidEmulator(
            seed=seed,
            customers=customers,
            store_id=store_id,
            rate_limit_per_minute=rate_limit_per_minute,
            clock=clock,
        )
        self.limiter = FixedWindow(rate_limit_per_minute, WINDOW_SECONDS, self.clock)
        self._request_ids = random.Random(f"ecwid-wrapper:{seed}")
        # The in-process HTTP link to the store, made once (it holds no connection).
        self._transport = AsgiLink(self.ecwid.app)
        self._urls: dict[str, httpx.URL] = {}
        self._client = httpx.AsyncClient(
            transport=self._transport, base_url="https://app.ecwid.com"
        )
        self._router: Router[Handler] = Router(
            [
                ("GET", f"{PREFIX}/customers", self._list),
                ("GET", f"{PREFIX}/customer/{{id}}", self._get),
                ("POST", f"{PREFIX}/add_customer", self._add),
                ("POST", f"{PREFIX}/update_customer/{{id}}", self._update),
                ("POST", f"{PREFIX}/delete_customer/{{id}}", self._delete),
            ],
            trailing_slash=True,
        )

    def routes(self) -> Sequence[BaseRoute]:
        return [catch_all(self._dispatch)]

    def connector_credentials(self) -> dict[str, str]:
        return {"api_key": self.api_key}

    def _request_id(self) -> str:
        return str(uuid.UUID(int=self._request_ids.getrandbits(128), version=4))

    async def _dispatch(self, request: Request) -> Response:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or key.strip() != self.api_key:
            return error_response(401, "Unauthenticated.")
        if self.rate_limit_per_minute > 0:
            allowed, _remaining, reset_in = self.limiter.hit(self.api_key)
            if not allowed:
                return error_response(429, "Too Many Attempts.", retry_after(reset_in))
        routed = self._router.match(request.method, request.url.path)
        if isinstance(routed, Missing):
            if routed.allowed:
                return error_response(405, f"The {request.method} method is not supported.")
            return error_response(404, "Not Found")
        customer_id = routed.params.get("id")
        return await routed.endpoint(
            request, None if customer_id is None else quote(customer_id, safe="")
        )

    async def _forward(
        self, request: Request, method: str, path: str, *, default_limit: int | None = None
    ) -> Upstream:
        headers = {"Authorization": f"Bearer {self.ecwid.token}"}
        content: bytes | None = None
        if method in ("POST", "PUT"):
            content = await request.body()
            if "content-type" in request.headers:
                headers["Content-Type"] = request.headers["content-type"]
        query = request.url.query
        if default_limit is not None and "limit" not in request.query_params:
            query = "&".join(part for part in (query, f"limit={default_limit}") if part)
        url = f"{self.ecwid.base_path}{path}" + (f"?{query}" if query else "")
        # httpx builds the request (its URL normalisation and default headers are what Ecwid
        # sees) and an ASGI transport calls the store; `AsyncClient.send` around that would
        # add only what a per-call client without auth, redirects, hooks or cookies never uses.
        outgoing = self._client.build_request(
            method, self._url(url), headers=headers, content=content
        )
        answer = await self._transport.handle_async_request(outgoing)
        await answer.aread()
        passed = {k: v for k, v in answer.headers.items() if k.lower() == "retry-after"}
        return Upstream(answer.status_code, answer.json(), passed, answer.content)

    def _url(self, url: str) -> httpx.URL:
        """`url` on the store's base as httpx makes it (its parser is most of a request's cost,
        so the answer is kept per text; a merged URL passed in again is taken as it is)."""
        known = self._urls.get(url)
        if known is None:
            if len(self._urls) >= _KEPT_URLS:
                self._urls.clear()
            known = self._urls[url] = self._client.build_request("GET", url).url
        return known

    @staticmethod
    def _failed(upstream: Upstream) -> Response | None:
        if upstream.status < 300:
            return None
        message = upstream.body.get("errorMessage", "") if isinstance(upstream.body, dict) else ""
        return error_response(upstream.status, message, upstream.headers)

    async def _list(self, request: Request, _customer_id: str | None) -> Response:
        upstream = await self._forward(
            request, "GET", "/customers", default_limit=LIST_DEFAULT_LIMIT
        )
        return self._failed(upstream) or wrapped(self._request_id(), upstream)

    async def _get(self, request: Request, customer_id: str | None) -> Response:
        upstream = await self._forward(request, "GET", f"/customers/{customer_id}")
        if failed := self._failed(upstream):
            return failed
        # The Ecwid id as a JSON number, as in the seed (line 125); a `responseFields`
        # projection may leave it out of the attributes, and then Ecwid's 200 says the path
        # held the id in digits.
        body = upstream.body
        number = body.get("id") if isinstance(body, dict) else None
        return envelope(number if isinstance(number, int) else int(str(customer_id)), body)

    async def _add(self, request: Request, _customer_id: str | None) -> Response:
        upstream = await self._forward(request, "POST", "/customers")
        return self._failed(upstream) or envelope(str(upstream.body["id"]), {})

    async def _update(self, request: Request, customer_id: str | None) -> Response:
        upstream = await self._forward(request, "PUT", f"/customers/{customer_id}")
        return self._failed(upstream) or wrapped(self._request_id(), upstream)

    async def _delete(self, request: Request, customer_id: str | None) -> Response:
        upstream = await self._forward(request, "DELETE", f"/customers/{customer_id}")
        return self._failed(upstream) or wrapped(self._request_id(), upstream)
