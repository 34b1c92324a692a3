"""The HTTP pipeline in front of every `/v2/...` endpoint.

Order, outermost first: optional rate limit (per bearer token, else per client address) ->
bearer token (401) -> route match (404/405) -> tenant of the token (403, or 404 when so
configured) -> permission (403 naming it) -> handler. Errors are rendered by `error_body`
(default `{"message": ...}`: Flow publishes no error schema).
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from customer_gateway.emulators.base import Clock, FixedWindow
from customer_gateway.emulators.http import Found, Missing, Router, compact_json

from .auth import ACCESS, Grant, Tokens
from .payloads import ErrorBody, FlowError
from .tenant import Tenant


@dataclass(slots=True)
class Reply:
    status: int
    body: Any = None  # None: no body (204)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Call:
    request: Request
    params: dict[str, str]
    grant: Grant
    tenant_state: Tenant | None

    @property
    def tenant(self) -> Tenant:
        assert self.tenant_state is not None, "a tenant endpoint without {tenantUid}"
        return self.tenant_state

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query_params

    async def json(self) -> Any:
        """The JSON body, None when there is none; FlowError(400) when it is not JSON."""
        raw = await self.request.body()
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise FlowError.bad_request("Request body is not valid JSON") from None


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    template: str  # the documented path template, e.g. /v2/tenants/{tenantUid}/customers
    handler: Handler
    permission: str | None = ACCESS
    device: bool = False  # authenticated with the device token instead of an API token


@dataclass(frozen=True, slots=True)
class HttpConfig:
    foreign_tenant_status: Literal[403, 404]
    rate_limit_per_minute: int | None
    error_body: ErrorBody


class Pipeline:
    def __init__(
        self,
        config: HttpConfig,
        *,
        tokens: Tokens,
        tenants: Mapping[str, Tenant],
        endpoints: Sequence[Endpoint],
        clock: Clock,
    ) -> None:
        self.config = config
        self.tokens = tokens
        self.tenants = tenants
        # A literal path is its own resource: `GET /customers/search` is a wrong method on the
        # search (405), not customer "search" (404).
        self.router = Router(((e.method, e.template, e) for e in endpoints), most_literal=True)
        self.window = (
            FixedWindow(config.rate_limit_per_minute, 60.0, clock)
            if config.rate_limit_per_minute is not None
            else None
        )

    def render(self, reply: Reply) -> Response:
        if reply.body is None:
            return Response(None, reply.status, reply.headers)
        content = compact_json(reply.body)
        return Response(content, reply.status, reply.headers, "application/json; charset=utf-8")

    def _error(self, error: FlowError) -> Response:
        body = self.config.error_body(error.status, error.message)
        return self.render(Reply(error.status, body, dict(error.headers)))

    async def __call__(self, request: Request) -> Response:
        try:
            self._rate_limit(request)
            return self.render(await self._dispatch(request))
        except FlowError as error:
            return self._error(error)

    def _rate_limit(self, request: Request) -> None:
        if self.window is None:
            return
        header = request.headers.get("authorization", "")
        client = request.client.host if request.client else "unknown"
        allowed, _, reset_in = self.window.hit(header or f"client:{client}")
        if not allowed:
            # Assumption: Flow publishes no limit; a 429 says when to retry, in whole seconds.
            retry = str(max(1, math.ceil(reset_in)))
            raise FlowError(429, "Too many requests", {"Retry-After": retry})

    async def _dispatch(self, request: Request) -> Reply:
        path, method = request.url.path, request.method
        routed = self.router.match(method, path)
        device = isinstance(routed, Found) and routed.endpoint.device
        grant = self.tokens.authenticate(request.headers.get("authorization"), device=device)
        if isinstance(routed, Missing):
            if routed.allowed:
                allowed = ", ".join(sorted(routed.allowed))
                raise FlowError(405, f"Method {method} not allowed on {path}", {"Allow": allowed})
            raise FlowError.not_found(f"No resource at {path}")
        endpoint, params = routed.endpoint, routed.params
        tenant = self._tenant(grant, params.get("tenantUid"))
        if endpoint.permission is not None:
            grant.require(endpoint.permission)
        return await endpoint.handler(Call(request, params, grant, tenant))

    def _tenant(self, grant: Grant, uid: str | None) -> Tenant | None:
        if uid is None:
            return None
        if uid not in grant.tenants:
            if self.config.foreign_tenant_status == 404:
                raise FlowError.not_found(f"Tenant '{uid}' not found")
            raise FlowError(403, f"Token has no access to tenant '{uid}'")
        tenant = self.tenants.get(uid)
        if tenant is None:
            raise FlowError.not_found(f"Tenant '{uid}' not found")
        return tenant
