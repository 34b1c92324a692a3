"""The Starlette application: /graphql (GraphiQL in development), /healthz, /readyz."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from cross_web import HTTPException
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from customer_gateway.auth import ANONYMOUS, Authenticator, Principal
from customer_gateway.connectors.resilience import PROBING
from customer_gateway.context import GatewayContext
from customer_gateway.emulators.base import Emulator
from customer_gateway.errors import GatewayError
from customer_gateway.exports import Exports, ExportStatus
from customer_gateway.guard import GraphQLGuard
from customer_gateway.idempotency import IdempotencyStore, MemoryIdempotencyStore
from customer_gateway.logs import configure_logging
from customer_gateway.requestlog import RequestLog
from customer_gateway.sandbox import build_sandbox
from customer_gateway.schema import build_schema
from customer_gateway.settings import Settings, load_settings
from customer_gateway.sources import Sources, open_sources
from customer_gateway.telemetry import Telemetry

READY_CACHE_SECONDS = 5.0


@dataclass
class Gateway:
    """What the lifespan builds and every request shares."""

    settings: Settings
    sources: Sources
    exports: Exports
    idempotency: IdempotencyStore
    telemetry: Telemetry
    emulators: Mapping[str, Emulator] = field(default_factory=dict)
    ready_at: float = 0.0
    ready_report: dict[str, str] = field(default_factory=dict)


GRAPHQL_RESPONSE = "application/graphql-response+json"


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    """Strawberry's view, answering as the GraphQL-over-HTTP specification says: with
    `application/graphql-response+json` when the client accepts it (then a request that produced
    no data is a 4xx), `application/json` otherwise (always 200 for a well-formed request)."""

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GatewayContext:
        request.state.sub_response = response
        gateway: Gateway = request.app.state.gateway
        principal: Principal = request.scope.get("state", {}).get("principal", ANONYMOUS)
        context = GatewayContext(
            request=request,
            response=response,
            settings=gateway.settings,
            sources=gateway.sources.visible_to(principal.sources),
            exports=gateway.exports,
            idempotency=gateway.idempotency,
            telemetry=gateway.telemetry,
            deadline=time.monotonic() + gateway.settings.request_timeout,
            principal=principal,
        )
        request.state.gateway_context = context
        return context

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
        if isinstance(context, GatewayContext):
            request.scope.setdefault("state", {})["graphql"] = context.summary(result)
        sub_response = getattr(request.state, "sub_response", None)
        if sub_response is not None and _accepts_graphql_response(request.headers.get("accept")):
            sub_response.graphql_media_type = GRAPHQL_RESPONSE
            if result.data is None and result.errors:
                codes = {(e.extensions or {}).get("code") for e in result.errors}
                sub_response.status_code = (
                    403 if "FORBIDDEN" in codes else 401 if "UNAUTHENTICATED" in codes else 400
                )
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


def _accepts_graphql_response(accept: str | None) -> bool:
    """True when the client prefers (or only takes) the GraphQL response media type."""
    if not accept:
        return False
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media == GRAPHQL_RESPONSE:
            return True
        if media in ("application/json", "*/*", "application/*"):
            return False
    return False


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
    if settings.sandbox:
        sandbox = build_sandbox(settings)
        settings, emulators, transports = sandbox.settings, sandbox.emulators, sandbox.transports()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            sources = open_sources(settings, stack, transports)
            for connector in sources:
                connector.http.telemetry = telemetry
            telemetry.watch_sources(sources)
            stack.callback(telemetry.shutdown)
            exports = Exports(ttl=settings.export_ttl)
            stack.push_async_callback(exports.aclose)
            app.state.gateway = Gateway(
                settings, sources, exports, MemoryIdempotencyStore(), telemetry, emulators
            )
            if freeze_heap:
                # Every full collection rescanned the startup heap (modules, schema, connectors):
                # at a fixed rate that made p99 4x p50. Frozen, the collector skips it
                # (measured: bench/README.md, "Garbage collection").
                gc.collect()
                gc.freeze()
            yield

    graphql = GatewayGraphQL(
        build_schema(settings),
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=settings.allow_get,
    )
    guarded = GraphQLGuard(graphql, Authenticator(settings.auth), settings.limits.max_body_bytes)
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["content-type", "authorization", "x-api-key"],
                max_age=600,
            )
        )
    routes = [
        Route("/graphql", guarded, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/exports/{id}", download_export),
        Route("/", home),
    ]
    if settings.telemetry.metrics:
        routes.append(Route("/metrics", metrics))
    middleware.insert(0, Middleware(RequestLog, telemetry=telemetry))
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


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
    """A finished export's gzip JSON Lines file."""
    gateway: Gateway = request.app.state.gateway
    job = gateway.exports.get(request.path_params["id"])
    if job is None:
        return JSONResponse({"error": "NOT_FOUND", "message": "No such export."}, status_code=404)
    if job.status in (ExportStatus.RUNNING, ExportStatus.FAILED):
        return JSONResponse(
            {
                "error": "NOT_READY",
                "status": job.status.value,
                "message": "The export has no file.",
            },
            status_code=409,
        )
    return FileResponse(
        job.path,
        media_type="application/gzip",
        filename=f"customers-{job.id}.jsonl.gz",
    )


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
    ready = all(status == "ok" for status in gateway.ready_report.values())
    return JSONResponse(
        {"status": "ready" if ready else "degraded", "sources": gateway.ready_report},
        status_code=200 if ready else 503,
    )
