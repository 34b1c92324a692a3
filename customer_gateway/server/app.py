"""The Starlette application: /graphql (GraphiQL in development), /healthz, /readyz, /metrics,
/exports/{id}."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import strawberry.http.async_base_view
import strawberry.http.streaming
from cross_web import HTTPException
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    MULTIPART_SUBSCRIPTION_PROTOCOL,
)
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from customer_gateway.connectors.resilience import PROBING
from customer_gateway.core.context import GatewayContext
from customer_gateway.core.errors import ErrorCode, GatewayError
from customer_gateway.features.cursors import CursorCodec, cursor_key
from customer_gateway.features.events import EventHub
from customer_gateway.features.exports import Exports, ExportStatus
from customer_gateway.features.idempotency import IdempotencyStore
from customer_gateway.identity.erasure import Erasures
from customer_gateway.identity.index import IdentityIndex
from customer_gateway.identity.runtime import open_index, retry_erasures
from customer_gateway.mirror import webhooks
from customer_gateway.mirror.runtime import Mirrors
from customer_gateway.observability.logs import configure_logging
from customer_gateway.observability.requestlog import RequestLog
from customer_gateway.observability.telemetry import Telemetry
from customer_gateway.schema import build_schema
from customer_gateway.schema.plain import PlainOperations
from customer_gateway.security.access import refused, requires
from customer_gateway.security.auth import ANONYMOUS, Authenticator, Principal, Unauthenticated
from customer_gateway.security.guard import GraphQLGuard
from customer_gateway.server.answers import GRAPHQL_RESPONSE, encode_body, shape_answer
from customer_gateway.server.connections import LIFESPAN_KEY, ConnectionGuard
from customer_gateway.server.datadir import DataDir
from customer_gateway.server.ide import ASSETS_PATH, ide_assets, ide_page
from customer_gateway.server.persisted import DocumentRefused, PersistedDocuments, load_manifest
from customer_gateway.server.plain_post import PlainPost, cached_parse_content_type
from customer_gateway.server.request_body import BadRequestBody, decode_request_json
from customer_gateway.server.sandbox import build_sandbox
from customer_gateway.server.settings import Settings, load_settings
from customer_gateway.server.shortcut import GraphQLPosts
from customer_gateway.server.sources import Sources, open_sources
from customer_gateway.state.runtime import SharedState, open_state

if TYPE_CHECKING:  # the sandbox's emulators are imported only when it runs
    from customer_gateway.emulators.base import Emulator

READY_CACHE_SECONDS = 5.0

logger = logging.getLogger("customer_gateway")


@dataclass
class Gateway:
    """What the lifespan builds and every request shares."""

    settings: Settings
    sources: Sources
    exports: Exports
    idempotency: IdempotencyStore
    telemetry: Telemetry
    emulators: Mapping[str, Emulator] = field(default_factory=dict)
    state: SharedState = field(default_factory=SharedState)
    events: EventHub = field(default_factory=EventHub)
    mirrors: Mirrors | None = None
    cursors: CursorCodec | None = None
    identity: IdentityIndex | None = None  # people across sources (customer_gateway/identity)
    erasures: Erasures | None = None  # erasePerson's durable requests
    ready_at: float = 0.0
    ready_report: dict[str, str] = field(default_factory=dict)


LOCAL_ORIGINS = r"http://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"
# Request headers a browser client may send (CORS), each read somewhere in the gateway.
REQUEST_HEADERS = (
    "content-type",
    "authorization",
    "x-api-key",
    "idempotency-key",
    "x-request-id",
    "x-live-read",
)
# `X-Live-Read: true` asks for the sources' own answers instead of their mirrors' (docs/mirror.md).
LIVE_READ = "x-live-read"


class TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """WebSocket messages as text frames: graphql-transport-ws is a text protocol, and its
    clients (graphql-ws in browsers and on Node) read a binary frame as a Blob or Buffer, not as
    a message. The HTTP bodies stay bytes (`encode_body`)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(encode_body(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


# Strawberry's parse of the Content-Type and Accept headers, remembered per header value
# (plain_post.py: `cached_parse_content_type`), in its two modules.
strawberry.http.async_base_view.parse_content_type = cached_parse_content_type  # type: ignore[attr-defined]
strawberry.http.streaming.parse_content_type = cached_parse_content_type  # type: ignore[attr-defined]


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    websocket_adapter_class = TextFrameWebSocketAdapter
    """Strawberry's view, answering as the GraphQL-over-HTTP specification says: with
    `application/graphql-response+json` when the client accepts it (then a request that produced
    no data is a 4xx), `application/json` otherwise (always 200 for a well-formed request)."""

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GatewayContext:
        request.state.sub_response = response
        context = self.make_context(request, response)
        request.state.gateway_context = context
        return context

    def make_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> GatewayContext:
        """The request context: the caller the guard found, the sources it may see (served by
        their mirrors unless `X-Live-Read` asks otherwise), the request's deadline."""
        gateway: Gateway = request.app.state.gateway
        principal: Principal = request.scope.get("state", {}).get("principal", ANONYMOUS)
        sources = gateway.sources.visible_to(principal.sources)
        if gateway.mirrors is not None:
            live = request.headers.get(LIVE_READ, "").strip().lower() in ("1", "true", "yes")
            sources = gateway.mirrors.serving(sources, live=live)
        return GatewayContext(
            request=request,
            response=response,
            settings=gateway.settings,
            sources=sources,
            exports=gateway.exports,
            idempotency=gateway.idempotency,
            telemetry=gateway.telemetry,
            deadline=time.monotonic() + gateway.settings.request_timeout,
            principal=principal,
            events=gateway.events,
            cursors=gateway.cursors,
            identity=gateway.identity,
            erasures=gateway.erasures,
        )

    async def on_ws_connect(self, context: GatewayContext) -> Any:
        """A WebSocket (graphql-transport-ws) proves who it is in `connection_init`'s payload
        (`X-API-Key` or `Authorization`, as a browser cannot set the upgrade's headers) or in
        the upgrade's own headers; the same keys and scopes as over HTTP."""
        params = {
            key.lower(): value
            for key, value in (context.connection_params or {}).items()
            if isinstance(value, str)
        }
        headers = {**{k.lower(): v for k, v in context.request.headers.items()}, **params}
        try:
            principal = self.authenticator.authenticate(headers)
        except Unauthenticated as refusal:
            raise ConnectionRejectionError({"message": str(refusal)}) from None
        if not principal.may("read") or principal.sources == frozenset():
            raise ConnectionRejectionError({"message": "These credentials may not read."})
        gateway: Gateway = context.request.app.state.gateway
        context.principal = principal
        context.sources = gateway.sources.visible_to(principal.sources)
        return UNSET

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        if self.local_origins is not None and re.fullmatch(self.local_origins, origin):
            return True
        return super().is_websocket_origin_allowed(request, origin)

    def __init__(
        self,
        *args: Any,
        persisted: PersistedDocuments,
        authenticator: Authenticator,
        local_origins: str | None = None,
        telemetry: Telemetry | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.persisted = persisted
        self.authenticator = authenticator
        self.local_origins = local_origins
        operations = getattr(self.schema, "plain", None)
        self.plain = (
            PlainPost(
                operations,
                persisted,
                self.make_context,
                self._streams,
                telemetry.graphql_path if telemetry is not None else None,
            )
            if isinstance(operations, PlainOperations)
            else None
        )

    def _streams(self, accept: str) -> bool:
        """Whether the view answers a request with this Accept header as a stream."""
        return self._get_stream_transport_from_headers({"accept": accept}) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if self.plain is not None and scope["method"] == "POST":
            # A plain JSON POST is answered without the view (plain_post.py); anything else
            # comes back to it with the body replayed.
            replayed = await self.plain.answer(scope, receive, send)
            if replayed is None:
                return
            receive = replayed
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            # Strawberry answers these in plain text; a GraphQL client reads `errors`.
            response = request_error(error.status_code, error.reason)
        except DocumentRefused as refused:
            response = request_error(refused.status, refused.message, refused.code)
        await response(scope, receive, send)

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData):
            document_id = None
            if data.query is None and "persistedQuery" not in (data.extensions or {}):
                document_id = await self._document_id(request)
            data.query = self.persisted.resolve(data.query, data.extensions, document_id)
        return data

    async def _document_id(self, request: Any) -> Any:
        """`documentId` (GraphQL over HTTP's persisted documents), read only when a request
        has neither a query nor Apollo's persistedQuery extension."""
        if request.method == "GET":
            return request.query_params.get("documentId")
        body = self.parse_json(await request.get_body())
        return body.get("documentId") if isinstance(body, dict) else None

    @property
    def graphql_ide_html(self) -> str:
        return ide_page()

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET naming a persisted document carries no `query` either: it is an operation.
        params = request.query_params
        persisted = params.get("extensions") is not None or params.get("documentId") is not None
        return not persisted and super().should_render_graphql_ide(request)

    def decode_json(self, data: str | bytes) -> object:
        return decode_request_json(data)

    def encode_json(self, data: object) -> bytes:
        return encode_body(data)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return self.decode_json(data)
        except BadRequestBody as error:
            raise HTTPException(400, f"Bad request: {error}.") from None

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().execute_operation(*args, **kwargs)
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):
                # A mutation over GET: the specification's answer is 405 (Strawberry says 400).
                raise HTTPException(405, error.reason) from error
            raise

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        context = getattr(request.state, "gateway_context", None)
        status = shape_answer(
            processed,
            result,
            context if isinstance(context, GatewayContext) else None,
            request.scope,
            request.headers.get("accept"),
        )
        sub_response = getattr(request.state, "sub_response", None)
        if sub_response is not None and status is not None:
            sub_response.graphql_media_type = GRAPHQL_RESPONSE
            if status != 200:
                sub_response.status_code = status
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = getattr(sub_response, "graphql_media_type", "application/json")
        response = Response(self.encode_json(response_data), status_code=200, media_type=media_type)
        response.headers.raw.extend(
            (key, value) for key, value in sub_response.headers.raw if key != b"content-type"
        )
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response


_REQUEST_ERROR_CODES = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.BAD_USER_INPUT}


def request_error(status: int, message: str, code: ErrorCode | None = None) -> JSONResponse:
    """A refused HTTP request as a GraphQL response without data (`errors` with a code)."""
    code = code or _REQUEST_ERROR_CODES.get(status, ErrorCode.BAD_USER_INPUT)
    headers = {"allow": "GET, POST"} if status == 405 else None
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code.value}}]},
        status_code=status,
        headers=headers,
    )


def create_app(
    settings: Settings | None = None,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    telemetry: Telemetry | None = None,
    freeze_heap: bool = False,
) -> Starlette:
    """The gateway over `settings` (default: the environment). No sources: the sandbox.

    `transports` serves named sources in-process instead of over the network (tests);
    `telemetry` replaces the one `settings.telemetry` describes (tests read its spans);
    `freeze_heap` moves what startup made out of the garbage collector's sight (a served
    process: `serve_app`).
    """
    settings = settings if settings is not None else load_settings()
    if telemetry is None:
        telemetry = Telemetry(
            otlp_endpoint=settings.telemetry.otlp_endpoint,
            service_name=settings.telemetry.service_name,
        )
    emulators: Mapping[str, Emulator] = {}
    sandboxed = settings.sandbox
    if sandboxed:
        sandbox = build_sandbox(settings)
        settings, emulators, transports = sandbox.settings, sandbox.emulators, sandbox.transports()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        logger.info(
            "%s",
            describe_mode(settings),
            extra={"fields": {"event": "startup", "environment": settings.environment}},
        )
        async with AsyncExitStack() as stack:
            state = await open_state(settings, stack)
            sources = open_sources(settings, stack, transports, state.redis)
            for connector in sources:
                connector.http.telemetry = telemetry
                stack.push_async_callback(connector.http.aclose)
            telemetry.watch_sources(sources)
            telemetry.watch_state(state)
            stack.callback(telemetry.shutdown)
            data = DataDir.open(settings.data_dir)
            stack.callback(data.close)
            secret = settings.cursor_secret.reveal() if settings.cursor_secret else None
            cursors = CursorCodec(cursor_key(secret, data.path))
            exports = Exports(data.subdir("exports"), ttl=settings.export_ttl)
            exports.start_sweeping()
            stack.push_async_callback(exports.aclose)
            events = EventHub(
                max_buffered=settings.subscription_buffer,
                max_subscribers=settings.max_subscriptions,
            )
            if state.redis is not None:  # subscribers see every replica's writes
                await events.relay_through(state.redis)
            stack.push_async_callback(events.aclose)
            telemetry.watch_events(events)
            mirrors = await Mirrors.open(
                settings, sources, data.path, redis=state.redis, events=events
            )
            identity = None
            if mirrors is not None:
                stack.push_async_callback(mirrors.close)
                telemetry.watch_mirrors(mirrors)
                # Before the syncs start: every mirror write from then on re-matches people.
                identity = await open_index(settings, mirrors)
                mirrors.start()
            erasures = (
                Erasures(identity.engine, identity.transaction) if identity is not None else None
            )
            if identity is not None and erasures is not None and mirrors is not None:
                retrying = asyncio.create_task(
                    retry_erasures(
                        erasures,
                        settings.identity.erasure_retry_interval,
                        mirrors.serving(sources).get,
                        identity,
                        state.idempotency,
                        exports,
                    ),
                    name="erasure retries",
                )
                stack.push_async_callback(_cancelled, retrying)
            app.state.gateway = Gateway(
                settings,
                sources,
                exports,
                state.idempotency,
                telemetry,
                emulators,
                state,
                events,
                mirrors,
                cursors,
                identity,
                erasures,
            )
            guard = ConnectionGuard(
                header_timeout=settings.header_timeout,
                body_timeout=settings.body_timeout,
                max_connections_per_ip=settings.max_connections_per_ip,
                max_header_bytes=settings.max_header_bytes,
            )
            if freeze_heap:
                # Every full collection rescanned the startup heap (modules, schema, connectors):
                # at a fixed rate that made p99 4x p50. Frozen, the collector skips it
                # (measured: bench/README.md, "Garbage collection").
                gc.collect()
                gc.freeze()
            # uvicorn hands the lifespan's state to every connection (GuardedHttpToolsProtocol).
            yield {LIFESPAN_KEY: guard}

    persisted = PersistedDocuments(
        load_manifest(settings.persisted_documents) if settings.persisted_documents else None,
        trusted_only=settings.trusted_documents_only,
        apq=settings.apq,
    )
    authenticator = Authenticator(settings.auth)
    # The sandbox serves demo data only: a front-end on http://localhost:<any port> may call it
    # without configuration. A configured gateway allows exactly `cors_origins`.
    local_origins = LOCAL_ORIGINS if sandboxed and not settings.cors_origins else None
    graphql = GatewayGraphQL(
        build_schema(settings),
        persisted=persisted,
        authenticator=authenticator,
        local_origins=local_origins,
        telemetry=telemetry,
        allowed_origins=list(settings.cors_origins),
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=settings.allow_get,
        # graphql-transport-ws (not the legacy graphql-ws), server-sent events (graphql-sse)
        # and multipart HTTP (Apollo Client's subscriptions over HTTP).
        subscription_protocols=(
            GRAPHQL_TRANSPORT_WS_PROTOCOL,
            GRAPHQL_SSE_PROTOCOL,
            MULTIPART_SUBSCRIPTION_PROTOCOL,
        ),
    )
    guarded = GraphQLGuard(graphql, authenticator, settings.limits.max_body_bytes)
    middleware = []
    if settings.cors_origins or local_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_origin_regex=local_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                # Every request header the gateway reads (tests/ops: a preflight per header).
                allow_headers=list(REQUEST_HEADERS),
                expose_headers=["x-request-id", "retry-after"],
                max_age=600,
            )
        )
    graphql_route = Route("/graphql", guarded, methods=["GET", "POST"])
    routes: list[BaseRoute] = [
        graphql_route,
        WebSocketRoute("/graphql", graphql),  # subscriptions; credentials in connection_init
        Route("/healthz", healthz),
        Route("/readyz", requires("ops", authenticator, readyz)),
        Route("/exports/{id}", requires("read", authenticator, download_export)),
        # A source's change notices: authenticated by the source's own scheme, not an API key.
        Route("/webhooks/{source}", receive_webhook, methods=["POST"]),
        Route("/", home),
    ]
    if settings.telemetry.metrics:
        routes.append(Route("/metrics", requires("ops", authenticator, metrics)))
    if settings.graphiql:
        routes.append(Mount(ASSETS_PATH, ide_assets()))
    middleware.insert(0, Middleware(RequestLog, telemetry=telemetry))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    # Innermost: a POST to /graphql past the exception middleware and the router (shortcut.py).
    # (Starlette builds its middleware stack on the first request, from this list.)
    app.user_middleware.append(Middleware(GraphQLPosts, route=graphql_route, router=app.router))
    return app


def describe_mode(settings: Settings) -> str:
    """One line saying what the operator switched on: the first thing to check after a deploy."""

    def on(flag: bool) -> str:
        return "on" if flag else "off"

    sources = (
        "sandbox (emulated shops)" if settings.sandbox else f"{len(settings.sources)} source(s)"
    )
    return (
        f"customer-gateway in {settings.environment} mode: auth "
        f"{'required' if settings.auth.required else 'optional'}, GraphiQL "
        f"{on(settings.graphiql)}, introspection {on(settings.introspection)}, GET queries "
        f"{on(settings.allow_get)}; {sources}"
    )


def serve_app() -> Starlette:
    """The factory `customer-gateway serve` runs in every worker: settings from the environment,
    logging as they say, the app."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.secrets(), settings.telemetry.log_format)
    return create_app(settings, freeze_heap=True)


async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    gateway: Gateway = request.app.state.gateway
    return Response(gateway.telemetry.render(), media_type=CONTENT_TYPE_LATEST)


async def download_export(request: Request) -> Response:
    """A finished export's gzip JSON Lines file, to the caller that started it (anyone else:
    404 as for an unknown id, which does not tell that the export exists)."""
    gateway: Gateway = request.app.state.gateway
    job = gateway.exports.get(request.path_params["id"], request.state.principal)
    if job is None:
        return refused(404, "NOT_FOUND", "No such export.")
    if job.status in (ExportStatus.RUNNING, ExportStatus.FAILED):
        return JSONResponse(
            {
                "error": "NOT_READY",
                "status": job.status.value,
                "message": "The export has no file.",
            },
            status_code=409,
        )
    if not job.path.is_file():  # expired and deleted by another worker just now
        return refused(404, "NOT_FOUND", "No such export.")
    created = datetime.fromtimestamp(job.created_at, UTC).strftime("%Y%m%dT%H%M%SZ")
    return FileResponse(
        job.path,
        media_type="application/gzip",
        filename=f"customers-{created}.jsonl.gz",
        headers={"cache-control": "private, no-store"},
    )


async def receive_webhook(request: Request) -> Response:
    """A mirrored source's change notice (customer_gateway/mirror/webhooks.py): verified, then a
    targeted re-read of the customer is scheduled; 202 at once. Unknown, unmirrored or
    unconfigured sources are 404 (as unknown ones: which sources exist is not told)."""
    gateway: Gateway = request.app.state.gateway
    name = request.path_params["source"]
    source = next((s for s in gateway.settings.sources if s.name == name), None)
    secret = source.credentials.get("webhook_secret") if source is not None else None
    if (
        source is None
        or secret is None
        or gateway.mirrors is None
        or name not in gateway.mirrors.syncers
        or source.kind not in webhooks.KINDS
    ):
        return refused(404, "NOT_FOUND", "No webhook receiver here.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > webhooks.MAX_BODY:
        gateway.mirrors.webhooks[name, "refused"] += 1
        return refused(413, "BAD_USER_INPUT", "A notice is at most 64 KiB.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > webhooks.MAX_BODY:
            gateway.mirrors.webhooks[name, "refused"] += 1
            return refused(413, "BAD_USER_INPUT", "A notice is at most 64 KiB.")
    try:
        ids = webhooks.customer_ids(source.kind, secret.reveal(), body, request.headers)
    except webhooks.Refused as refusal:
        gateway.mirrors.webhooks[name, "refused"] += 1
        return refused(refusal.status, refusal.code, refusal.message)
    scheduled = bool(ids) and gateway.mirrors.reread(name, ids)
    gateway.mirrors.webhooks[name, "scheduled" if scheduled else "ignored"] += 1
    return JSONResponse({"accepted": True, "reread": ids if scheduled else []}, status_code=202)


async def home(request: Request) -> Response:
    return RedirectResponse("/graphql")


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Each source reachable and accepting our credentials; cached for a few seconds."""
    gateway: Gateway = request.app.state.gateway
    now = time.monotonic()
    if now - gateway.ready_at > READY_CACHE_SECONDS:

        async def probe(name: str) -> tuple[str, str]:
            connector = gateway.sources.get(name)
            assert connector is not None
            # The check goes out even while a Retry-After blocks its class: its success lifts
            # the block (this runs at most once per READY_CACHE_SECONDS).
            PROBING.set(True)
            try:
                async with asyncio.timeout(connector.settings.timeouts.total):
                    await connector.check()
            except TimeoutError:
                return name, "UPSTREAM_TIMEOUT"
            except GatewayError as error:
                return name, error.code.value
            return name, "ok"

        gateway.ready_report = dict(
            await asyncio.gather(*(probe(n) for n in gateway.sources.names()))
        )
        gateway.ready_at = now
    mirrors = gateway.mirrors.reports() if gateway.mirrors is not None else {}
    # A source that fails its check but whose mirror serves still answers reads (stale).
    ready = all(
        status == "ok" or mirrors.get(name, {}).get("state") in ("fresh", "stale")
        for name, status in gateway.ready_report.items()
    )
    body: dict[str, Any] = {
        "status": "ready" if ready else "degraded",
        "sources": gateway.ready_report,
    }
    if mirrors:
        leases = gateway.mirrors.leases() if gateway.mirrors is not None else {}
        # With Redis: whether this replica syncs each source (holds its lease).
        body["mirrors"] = {
            name: {**report, "syncLease": leases[name]} if name in leases else report
            for name, report in mirrors.items()
        }
    # Shared state down degrades the replica without stopping it (local limits; keyed creates
    # refused): reported here, never a reason to take every replica out of the load balancer.
    if shared := await gateway.state.report():
        body["state"] = shared
    return JSONResponse(body, status_code=200 if ready else 503)


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
