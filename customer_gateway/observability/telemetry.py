"""Metrics (Prometheus, at /metrics) and traces (OpenTelemetry, off unless an OTLP endpoint is
configured) for one gateway process.

Labels never carry ids, e-mails or query strings: upstream routes are path templates
(`/api/customers/{id}`; a source's own account ids, Flow Retail's tenant or Ecwid's store id, as
`{tenant}` or `{store_id}`), GraphQL operations are named by their operation name.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.propagate import inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from customer_gateway.features.events import EventHub
    from customer_gateway.mirror.runtime import Mirrors
    from customer_gateway.server.sources import Sources
    from customer_gateway.state.runtime import SharedState

# A path segment that is an id: digits, a uuid or guid, or a token of 5+ characters with a digit.
_ID_SEGMENT = re.compile(r"^(\d+|[0-9a-fA-F-]{8,}|(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{5,})$")
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}


def route_template(
    path: str,
    placeholders: Mapping[str, str] | None = None,
    words: Collection[str] | None = None,
) -> str:
    """`/api/customers/433ba97f-…` → `/api/customers/{id}`: no ids in labels, span names, log
    lines or error messages.

    `placeholders` names the segments that are the account's own ids (a tenant called
    `tenant-oslo`): `{"tenant-oslo": "{tenant}"}`. `words`, when given, are the only segments kept
    (the connector's own path words): anything else is `{id}`, so an id a caller chose (`abc`)
    never becomes a label value of its own. Without `words`, id-like segments go by pattern.
    """
    named = placeholders or {}

    def template(segment: str) -> str:
        if segment in named:
            return named[segment]
        if not segment:
            return segment
        if _ID_SEGMENT.match(segment) or (words is not None and segment not in words):
            return "{id}"
        return segment

    return "/".join(template(segment) for segment in path.split("/"))


class Telemetry:
    def __init__(
        self,
        *,
        otlp_endpoint: str | None = None,
        service_name: str = "customer-gateway",
        span_exporter: SpanExporter | None = None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "gateway_requests",
            "GraphQL requests by operation type and HTTP status",
            ["operation_type", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "gateway_request_duration_seconds",
            "GraphQL request latency by operation type",
            ["operation_type"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "gateway_errors",
            "Errors returned, by extensions.code",
            ["code"],
            registry=self.registry,
        )
        self.upstream_requests = Counter(
            "gateway_upstream_requests",
            "Upstream HTTP requests by source, route template and outcome",
            ["source", "kind", "method", "route", "status"],
            registry=self.registry,
        )
        self.upstream_seconds = Histogram(
            "gateway_upstream_request_duration_seconds",
            "Upstream HTTP request latency by source",
            ["source", "kind"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limit_waits = Counter(
            "gateway_rate_limit_wait_seconds",
            "Seconds spent waiting for a source's published rate limit",
            ["source"],
            registry=self.registry,
        )
        self.loader_batches = Histogram(
            "gateway_dataloader_batch_size",
            "Keys per DataLoader batch",
            ["loader"],
            buckets=(1, 2, 5, 10, 20, 50, 100, 200),
            registry=self.registry,
        )
        self.graphql_paths = Counter(
            "gateway_graphql_paths",
            "GraphQL POSTs by the path that answered them: plain (the checks and the planned "
            "executor called directly) or view (Strawberry's view and extension runner), and why",
            ["path", "reason"],
            registry=self.registry,
        )
        # Each metric's children by label values (`_child`); the metrics live as long as this.
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}
        self._provider: TracerProvider | None = None
        if otlp_endpoint or span_exporter is not None:
            self._provider = TracerProvider(
                resource=Resource.create({"service.name": service_name})
            )
            if span_exporter is not None:
                self._provider.add_span_processor(SimpleSpanProcessor(span_exporter))
            if otlp_endpoint:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )

                self._provider.add_span_processor(
                    BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint))
                )
            self.tracer: trace.Tracer = self._provider.get_tracer("customer_gateway")
        else:
            self.tracer = trace.NoOpTracer()

    @property
    def tracing(self) -> bool:
        return self._provider is not None

    def watch_sources(self, sources: Sources) -> None:
        self.registry.register(_SourceStates(sources))

    def watch_mirrors(self, mirrors: Mirrors) -> None:
        self.registry.register(_MirrorStates(mirrors))

    def watch_events(self, events: EventHub) -> None:
        self.registry.register(_EventsCollector(events))

    def watch_state(self, state: SharedState) -> None:
        if state.redis is not None or state.postgres is not None:
            self.registry.register(_SharedStateCollector(state))

    def upstream_span(
        self, source: str, kind: str, method: str, route: str, headers: dict[str, str]
    ) -> AbstractContextManager[trace.Span]:
        """A client span per upstream request; its trace context goes out as `traceparent`.
        Tracing off: the invalid span a no-op tracer would give, without the tracer's context
        switching (a few percent of a small request's instructions, bench/README.md)."""
        if self._provider is None:
            return nullcontext(trace.INVALID_SPAN)
        return self._upstream_span(source, kind, method, route, headers)

    @contextmanager
    def _upstream_span(
        self, source: str, kind: str, method: str, route: str, headers: dict[str, str]
    ) -> Iterator[trace.Span]:
        with self.tracer.start_as_current_span(
            f"{method} {route}",
            kind=trace.SpanKind.CLIENT,
            attributes={
                "gateway.source": source,
                "gateway.source.kind": kind,
                "http.request.method": method,
                "url.template": route,
            },
        ) as span:
            if self.tracing:
                inject(headers)
            yield span

    def upstream_done(
        self, source: str, kind: str, method: str, route: str, outcome: str, seconds: float
    ) -> None:
        self._child(self.upstream_requests, (source, kind, method, route, outcome)).inc()
        self._child(self.upstream_seconds, (source, kind)).observe(seconds)

    def request_done(
        self, operation_type: str, status: int, seconds: float, codes: Iterable[str]
    ) -> None:
        self._child(self.requests, (operation_type, str(status))).inc()
        self._child(self.request_seconds, (operation_type,)).observe(seconds)
        for code in codes:
            self._child(self.errors, (code,)).inc()

    def graphql_path(self, path: str, reason: str) -> None:
        self._child(self.graphql_paths, (path, reason)).inc()

    def loader_batch(self, loader: str, keys: int) -> None:
        self._child(self.loader_batches, (loader,)).observe(keys)

    def _child(self, metric: Any, values: tuple[str, ...]) -> Any:
        """`metric.labels(*values)`, remembered: prometheus_client checks and converts the
        values and takes a lock on every call (five a request), for the same few children."""
        key = (id(metric), values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def shutdown(self) -> None:
        if self._provider is not None:
            self._provider.shutdown()


class _SourceStates(Collector):
    """Breaker state per source, read at scrape time."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    def collect(self) -> Iterable[Any]:
        family = GaugeMetricFamily(
            "gateway_breaker_state",
            "Circuit breaker per source: 0 closed, 1 half-open, 2 open",
            labels=["source"],
        )
        for connector in self.sources:
            breaker = connector.http.breaker
            family.add_metric([connector.name], _BREAKER_STATES[breaker.state])
        yield family


class _MirrorStates(Collector):
    """Each mirror's lag, size and failed sync steps, read at scrape time."""

    def __init__(self, mirrors: Mirrors) -> None:
        self.mirrors = mirrors

    def collect(self) -> Iterable[Any]:
        lag = GaugeMetricFamily(
            "gateway_mirror_lag_seconds",
            "Seconds since the mirror last reached its source's present (NaN: never)",
            labels=["source"],
        )
        records = GaugeMetricFamily(
            "gateway_mirror_records", "Customers in the mirror", labels=["source"]
        )
        errors = CounterMetricFamily(
            "gateway_mirror_sync_errors",
            "Sync steps that failed since the process started",
            labels=["source"],
        )
        serving = GaugeMetricFamily(
            "gateway_mirror_serving",
            "1: reads come from the mirror (fresh or stale); 0: from the source (loading, or "
            "the store unavailable)",
            labels=["source"],
        )
        lease = GaugeMetricFamily(
            "gateway_mirror_sync_lease_held",
            "1: this replica holds the source's sync lease and syncs it; 0: another does "
            "(only with [state] redis_url)",
            labels=["source"],
        )
        moment = time.time()
        for name, handle in self.mirrors.handles.items():
            synced = handle.health.synced_at
            lag.add_metric([name], float("nan") if synced is None else max(0.0, moment - synced))
            records.add_metric([name], handle.health.records)
            errors.add_metric([name], handle.health.errors)
            reads_mirror = handle.serving and handle.store.availability.available
            serving.add_metric([name], 1.0 if reads_mirror else 0.0)
        for name, report in self.mirrors.leases().items():
            lease.add_metric([name], 1.0 if report["held"] else 0.0)
        notices = CounterMetricFamily(
            "gateway_mirror_webhooks",
            "Webhook notices received: scheduled (a re-read), ignored (no customer, or the "
            "re-reads queue full), refused (verification or size)",
            labels=["source", "outcome"],
        )
        for (name, outcome), count in sorted(self.mirrors.webhooks.items()):
            notices.add_metric([name, outcome], count)
        yield from (lag, records, errors, serving, lease, notices)


class _EventsCollector(Collector):
    """Live subscribers, read at scrape time."""

    def __init__(self, events: EventHub) -> None:
        self.events = events

    def collect(self) -> Iterable[Any]:
        yield GaugeMetricFamily(
            "gateway_subscriptions",
            "Live subscriptions open in this process (cap: max_subscriptions)",
            value=self.events.subscribers,
        )
        yield CounterMetricFamily(
            "gateway_subscribers_dropped",
            "Subscribers ended for falling too far behind (SUBSCRIBER_TOO_SLOW)",
            value=self.events.dropped,
        )
        yield CounterMetricFamily(
            "gateway_events_published", "Customer events published", value=self.events.published
        )


class _SharedStateCollector(Collector):
    """Replicas' shared state, read at scrape time: is each store reachable, how many round
    trips Redis took, how often this replica fell back to its local share of the limits."""

    def __init__(self, state: SharedState) -> None:
        self.state = state

    def collect(self) -> Iterable[Any]:
        up = GaugeMetricFamily(
            "gateway_shared_state_up",
            "1 when the shared store answers (redis: shared limits; postgres: shared "
            "idempotency), 0 when this replica runs on its local share / refuses keyed creates",
            labels=["store"],
        )
        redis = self.state.redis
        if redis is not None:
            up.add_metric(["redis"], 1 if redis.up else 0)
        postgres = self.state.postgres
        if postgres is not None:
            up.add_metric(["postgres"], 0 if postgres.up is False else 1)
        yield up
        if redis is not None:
            trips = CounterMetricFamily(
                "gateway_redis_round_trips",
                "Round trips to Redis by purpose (limits, locks, lease, heartbeat)",
                labels=["purpose"],
            )
            for purpose, count in sorted(redis.round_trips.items()):
                trips.add_metric([purpose], count)
            yield trips
            outages = CounterMetricFamily(
                "gateway_redis_outages",
                "Times this replica lost Redis and fell back to its local share of every limit",
            )
            outages.add_metric([], redis.outages)
            yield outages
            replicas = GaugeMetricFamily(
                "gateway_replicas", "Live replicas this replica last counted (heartbeats)"
            )
            replicas.add_metric([], redis.replicas)
            yield replicas


def now() -> float:
    return time.perf_counter()
