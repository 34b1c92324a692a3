"""The HTTP pipeline in front of every `/api/...` endpoint.

Order, outermost first: nginx connection limits (per IP, per token) -> token check -> leaky
bucket -> route match -> URL write lock -> handler. Every answer is the three-key envelope
`{data, errors, metadata: {requestId}}` with `X-Request-ID` and `X-RateLimit-Bucket-Filling`,
except the success answers of the group writes, whose spec schemas forbid `metadata`
(README 1.2: "Some group endpoints' success schemas omit metadata").
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import anyio
from starlette.requests import Request
from starlette.responses import Response

from customer_gateway.emulators.base import Clock
from customer_gateway.emulators.http import Missing, Router, compact_json

from .formats import RequestIds, http_date, parse_datetime
from .payloads import ErrorItem, Paginator, ShoptetError
from .ratelimit import ConnectionCounter, LeakyBucket, UrlLocks
from .validation import Schema, parse_body

TOKEN_HEADERS: Final = ("shoptet-private-api-token", "shoptet-access-token")
WRITE_METHODS: Final = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_NGINX_429: Final = (
    "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n"
    "<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(slots=True)
class Reply:
    status: int
    data: Any = None
    items: int = 0  # items returned, for the bucket cost
    metadata: bool = True
    errors: list[ErrorItem] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Call:
    request: Request
    params: dict[str, str]

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    def datetime_query(self, name: str, *, required: bool = False) -> float | None:
        text = self.query(name)
        if text is None:
            if required:
                raise ShoptetError.invalid(f"Query parameter {name} is required.", name)
            return None
        try:
            return parse_datetime(text)
        except ValueError:
            raise ShoptetError.invalid(
                f'Invalid date-time "{text}", expected e.g. 2018-05-29T09:02:27+0200'
                " (URL-encode the plus sign).",
                name,
            ) from None

    def _int_query(self, name: str, default: int) -> int:
        text = self.query(name)
        if text is None or text == "":
            return default
        if not re.fullmatch(r"\d+", text) or int(text) < 1:
            raise ShoptetError.invalid(f"Query parameter {name} must be a positive integer.", name)
        return int(text)

    def paging(self, default: int, maximum: int) -> tuple[int, int]:
        """(page, itemsPerPage); above the maximum the maximum applies silently (README 1.4)."""
        return self._int_query("page", 1), min(self._int_query("itemsPerPage", default), maximum)

    async def body(self, schema: Schema) -> Any:
        return parse_body(await self.request.body(), schema)

    @property
    def base_url(self) -> str:
        return str(self.request.base_url).rstrip("/")


def paginator(total: int, page: int, per_page: int, on_page: int) -> Paginator:
    return {
        "totalCount": total,
        "page": page,
        "pageCount": math.ceil(total / per_page),
        "itemsOnPage": on_page,
        "itemsPerPage": per_page,
    }


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    template: str  # the spec's path template, e.g. /api/customers/{guid}
    handler: Handler


@dataclass(frozen=True, slots=True)
class HttpConfig:
    token: str
    rate_limits: bool
    max_connections_per_token: int
    max_connections_per_ip: int
    bucket_capacity: int
    bucket_drain_per_second: float
    items_per_drop: int
    write_seconds: float
    latency_seconds: float
    connection_limit_body: Literal["json", "nginx"]


class Pipeline:
    def __init__(
        self,
        config: HttpConfig,
        *,
        clock: Clock,
        seed: int,
        endpoints: Sequence[Endpoint],
        before: Callable[[], None],
    ) -> None:
        self.config = config
        self.clock = clock
        self.ids = RequestIds(seed)
        self.endpoints = list(endpoints)
        self.router = Router((e.method, e.template, e) for e in self.endpoints)
        self.before = before
        self.per_token = ConnectionCounter(config.max_connections_per_token)
        self.per_ip = ConnectionCounter(config.max_connections_per_ip)
        self.buckets: dict[str, LeakyBucket] = {}
        self.locks = UrlLocks(clock)
        self.bucket_refusals = 0  # 429s for a full bucket (instrumentation)

    def bucket(self, token: str) -> LeakyBucket:
        if token not in self.buckets:
            self.buckets[token] = LeakyBucket(
                self.config.bucket_capacity, self.config.bucket_drain_per_second, self.clock
            )
        return self.buckets[token]

    def _render(self, reply: Reply, request_id: str, filling: str) -> Response:
        body: dict[str, Any] = {"data": reply.data, "errors": reply.errors}
        if reply.metadata:
            body["metadata"] = {"requestId": request_id}
        content = compact_json(body)
        headers = {
            "X-Request-ID": request_id,
            "X-RateLimit-Bucket-Filling": filling,
            **reply.headers,
        }
        return Response(content, reply.status, headers, "application/json; charset=utf-8")

    def _error(self, error: ShoptetError) -> Reply:
        return Reply(error.status, error.data, errors=error.errors, headers=error.headers)

    async def __call__(self, request: Request) -> Response:
        request_id = self.ids.next(self.clock())
        token = next((v for h in TOKEN_HEADERS if (v := request.headers.get(h))), None)
        ip = request.client.host if request.client else "unknown"
        idle = f"0/{self.config.bucket_capacity}"
        limited = self.config.rate_limits
        if limited and not self.per_ip.try_enter(ip):
            return self._too_many_connections(request_id, idle)
        try:
            if limited and token is not None and not self.per_token.try_enter(token):
                return self._too_many_connections(request_id, idle)
            try:
                return await self._authenticated(request, token, request_id)
            finally:
                if limited and token is not None:
                    self.per_token.leave(token)
        finally:
            if limited:
                self.per_ip.leave(ip)

    def _too_many_connections(self, request_id: str, filling: str) -> Response:
        if self.config.connection_limit_body == "nginx":
            # nginx answers `limit_conn` itself, before the application: its own HTML page.
            return Response(_NGINX_429, 429, media_type="text/html")
        error = ShoptetError.one(
            429, "too-many-requests", "Too many concurrent connections.", "unknown"
        )
        return self._render(self._error(error), request_id, filling)

    async def _authenticated(self, request: Request, token: str | None, rid: str) -> Response:
        idle = f"0/{self.config.bucket_capacity}"
        if token is None:
            missing = ShoptetError.one(
                401,
                "missing-access-token",
                "Missing access token. Please add `Shoptet-Access-Token` header to your request.",
                "unknown",
            )
            return self._render(self._error(missing), rid, idle)
        if token != self.config.token:
            # The spec shows no code for an unknown token; `invalid-token` (status 401 is in
            # the status list: "Invalid token or the token has expired").
            invalid = ShoptetError.one(401, "invalid-token", "Invalid access token.", "unknown")
            return self._render(self._error(invalid), rid, idle)
        bucket = self.bucket(token)
        if self.config.rate_limits and bucket.is_full():
            self.bucket_refusals += 1
            full = ShoptetError.one(
                429, "too-many-requests", "API rate limit exceeded (leaky bucket).", "unknown"
            )
            full.headers["Retry-After"] = http_date(bucket.retry_at())
            return self._render(self._error(full), rid, bucket.filling())
        reply = await self._route(request)
        bucket.add(1 + reply.items // self.config.items_per_drop)
        return self._render(reply, rid, bucket.filling())

    async def _route(self, request: Request) -> Reply:
        path, method = request.url.path, request.method
        routed = self.router.match(method, path)
        if isinstance(routed, Missing):
            status, code = (405, "method-not-allowed") if routed.allowed else (404, "not-found")
            return self._error(ShoptetError.one(status, code, f"{method} {path}", path))
        endpoint = routed.endpoint
        write = method in WRITE_METHODS
        lock_key = f"{method} {path}?{request.url.query}"
        owner = self.locks.try_acquire(lock_key) if write else None
        if write and owner is None:
            return self._error(
                ShoptetError.one(
                    423,
                    "locked",
                    "An identical request is still being processed. Retry later.",
                    path,
                )
            )
        try:
            delay = self.config.latency_seconds + (self.config.write_seconds if write else 0)
            if delay > 0:
                await anyio.sleep(delay)
            self.before()
            return await endpoint.handler(Call(request, routed.params))
        except ShoptetError as error:
            return self._error(error)
        finally:
            if owner is not None:
                self.locks.release(lock_key, owner)
