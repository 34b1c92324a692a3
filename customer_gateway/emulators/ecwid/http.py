"""The HTTP pipeline in front of every `/api/v3/{storeId}/...` endpoint (README 3.1).

Order, outermost first: store id -> token (header or legacy `?token=`; failures counted per
IP) -> per-token rate limit -> route -> plan (402) -> scope (403) -> content type (415) ->
handler -> `responseFields` projection. Errors are the status + `{"errorMessage": ...}`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from customer_gateway.emulators.base import Clock, FixedWindow
from customer_gateway.emulators.http import Missing, Router, compact_json

from .formats import FieldSpec, parse_response_fields, project
from .payloads import EcwidError
from .search import Params
from .validation import parse_json_object

WINDOW_SECONDS: Final = 60.0
_STORE_PATH: Final = re.compile(r"^/api/v3/(?P<store>[^/]+)(?P<rest>/.*)?$")
_JSON_TYPE: Final = re.compile(r"^application/json\s*(;.*)?$", re.IGNORECASE)


@dataclass(slots=True)
class Reply:
    body: Any
    status: int = 200
    projected: bool = False  # the handler applied `responseFields` itself (Call.response_fields)


@dataclass(frozen=True, slots=True)
class Call:
    request: Request
    params: dict[str, str]

    @property
    def query(self) -> Params:
        return Params(self.request.query_params)

    async def json(self) -> dict[str, Any]:
        return parse_json_object(await self.request.body())

    def response_fields(self) -> FieldSpec | None:
        """The `responseFields` projection the pipeline applies to a GET's answer, or None."""
        text = self.request.query_params.get("responseFields")
        if self.request.method == "GET" and text:
            return parse_response_fields(text)
        return None

    def id_param(self, name: str, what: str) -> int:
        """A numeric path id; anything else cannot name an entity (assumption: 404, not 400)."""
        text = self.params[name]
        if not text.isdigit():
            raise EcwidError.not_found(f"{what} with id {text} not found")
        return int(text)


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    template: str  # below the store base, e.g. /customers/{customerId}
    handler: Handler
    scope: str
    needs_groups: bool = False  # customer groups are a paid-plan feature (402 without it)


@dataclass(frozen=True, slots=True)
class HttpConfig:
    store_id: int
    token: str
    scopes: frozenset[str]
    groups_enabled: bool
    rate_limit_per_minute: int
    invalid_token_limit_per_minute: int


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = compact_json(body)
    return Response(content, status, headers, "application/json;charset=utf-8")


def retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


class Pipeline:
    def __init__(self, config: HttpConfig, *, clock: Clock, endpoints: Sequence[Endpoint]) -> None:
        self.config = config
        self.router = Router(((e.method, e.template, e) for e in endpoints), trailing_slash=True)
        self.per_token = FixedWindow(config.rate_limit_per_minute, WINDOW_SECONDS, clock)
        self.bad_tokens = FixedWindow(config.invalid_token_limit_per_minute, WINDOW_SECONDS, clock)

    async def __call__(self, request: Request) -> Response:
        try:
            reply = await self._handle(request)
        except EcwidError as error:
            return json_response(error.body, error.status, error.headers)
        return json_response(reply.body, reply.status)

    def _token(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return request.query_params.get("token") or None

    async def _handle(self, request: Request) -> Reply:
        match = _STORE_PATH.match(request.url.path)
        if match is None:
            raise EcwidError.not_found("Resource not found")
        if match.group("store") != str(self.config.store_id):
            # Assumption: an unknown store id is a 404 (checked before the token).
            raise EcwidError.not_found(f"Store {match.group('store')} not found")
        self._authenticate(request)
        endpoint, params = self._route(request.method, match.group("rest") or "/")
        if endpoint.needs_groups and not self.config.groups_enabled:
            raise EcwidError(402, "Customer groups are not available on the store's plan")
        if endpoint.scope not in self.config.scopes:
            raise EcwidError(403, f"Token doesn't have the required access scope: {endpoint.scope}")
        if request.method in ("POST", "PUT"):
            content_type = request.headers.get("content-type", "")
            if not _JSON_TYPE.match(content_type.strip()):
                raise EcwidError(
                    415, f"Unsupported content type '{content_type}': use application/json"
                )
        reply = await endpoint.handler(Call(request, params))
        fields = request.query_params.get("responseFields")
        if request.method == "GET" and fields and not reply.projected:
            reply.body = project(reply.body, parse_response_fields(fields))
        return reply

    def _authenticate(self, request: Request) -> None:
        token = self._token(request)
        if token != self.config.token:
            # Failed tokens are limited per IP, harder than good ones (README 3.1); only
            # failing requests are blocked (assumption).
            ip = request.client.host if request.client else "unknown"
            if self.config.invalid_token_limit_per_minute > 0:
                allowed, _remaining, reset_in = self.bad_tokens.hit(ip)
                if not allowed:
                    raise EcwidError(
                        429, "Too many requests with an invalid token", retry_after(reset_in)
                    )
            # Assumption: missing and invalid tokens are both 403, as Ecwid documents no 401.
            raise EcwidError(
                403, "Access token is missing" if token is None else "Token is invalid"
            )
        if self.config.rate_limit_per_minute > 0:
            allowed, _remaining, reset_in = self.per_token.hit(token)
            if not allowed:
                raise EcwidError(429, "Too many requests", retry_after(reset_in))

    def _route(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]]:
        routed = self.router.match(method, path)
        if isinstance(routed, Missing):
            if routed.allowed:  # assumption: a known path with another method is a 405
                raise EcwidError(405, f"Method {method} is not allowed for {path}")
            raise EcwidError.not_found("Resource not found")
        return routed.endpoint, routed.params
