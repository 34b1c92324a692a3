"""Per-request state: the request's loaders, the outcome of every upstream call, partial errors."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from strawberry.types import Info as StrawberryInfo

from customer_gateway.connectors.errors import UpstreamTimeout
from customer_gateway.connectors.http import REQUEST_COUNTER
from customer_gateway.connectors.models import ChangeType
from customer_gateway.connectors.protocol import Connector
from customer_gateway.connectors.resilience import DEADLINE
from customer_gateway.core.errors import ErrorCode, GatewayError, QueryTooComplex
from customer_gateway.features.cursors import CursorCodec
from customer_gateway.features.events import CustomerEvent, EventHub
from customer_gateway.features.exports import Exports
from customer_gateway.features.idempotency import IdempotencyStore
from customer_gateway.identity.erasure import Erasures
from customer_gateway.identity.index import IdentityIndex
from customer_gateway.mirror.source import SyncingSource
from customer_gateway.observability.telemetry import Telemetry
from customer_gateway.resolvers.loaders import Loaders
from customer_gateway.security.auth import ANONYMOUS, Principal
from customer_gateway.server.settings import Settings
from customer_gateway.server.sources import Sources

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket


logger = logging.getLogger("customer_gateway")

T = TypeVar("T")


@dataclass
class SourceOutcome:
    """What one source did for one request; reported in `extensions.sources`."""

    name: str
    kind: str
    calls: int = 0  # connector operations
    requests: int = 0  # HTTP requests they sent
    elapsed: float = 0.0
    error: GatewayError | None = None
    pushed_down: list[str] = field(default_factory=list)
    applied_by_gateway: list[str] = field(default_factory=list)
    # What the answer from this source is (derived, partial by design) or why it was skipped.
    notes: list[str] = field(default_factory=list)
    skipped: bool = False  # left out on purpose (the request cannot apply to it), not failed

    request_cap: int | None = None

    def count_request(self) -> None:
        self.requests += 1
        if self.request_cap is not None and self.requests > self.request_cap:
            raise QueryTooComplex(
                f"This operation needs more than {self.request_cap} requests to {self.name}; "
                "ask for fewer items or fields.",
                source=self.name,
            )

    def as_extension(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "status": self._status(),
            "calls": self.calls,
            "requests": self.requests,
            "latencyMs": round(self.elapsed * 1000, 1),
        }
        if self.pushed_down or self.applied_by_gateway:
            report["pushedDown"] = self.pushed_down
            report["appliedByGateway"] = self.applied_by_gateway
        if self.notes:
            report["notes"] = self.notes
        if self.error is not None:
            report["code"] = self.error.code.value
        return report

    def _status(self) -> str:
        if self.error is not None:
            return "error"
        return "skipped" if self.skipped or self.calls == 0 else "ok"


@dataclass
class PartialError:
    """A source's failure inside a list that still returns the other sources' data."""

    path: list[str | int]
    error: GatewayError


@dataclass
class GatewayContext:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    sources: Sources
    exports: Exports
    idempotency: IdempotencyStore
    deadline: float  # time.monotonic() by which the whole request must be answered
    principal: Principal = ANONYMOUS
    telemetry: Telemetry | None = None
    events: EventHub | None = None  # live subscribers (customer_gateway/features/events.py)
    connection_params: dict[str, object] | None = None  # a WebSocket's connection_init payload
    cursors: CursorCodec | None = None  # seals customersConnection's cursors
    identity: IdentityIndex | None = None  # people across mirrored sources
    erasures: Erasures | None = None  # erasePerson's durable requests
    person_loader: Any = None  # Customer.person's batches (resolvers/people.py), per request
    operation_type: str | None = None  # set by the schema's report extension
    operation_name: str | None = None
    outcomes: dict[str, SourceOutcome] = field(default_factory=dict)
    partial_errors: list[PartialError] = field(default_factory=list)
    # Filters ignored as EverShop ignores them, reported in `extensions.ignoredFilters`.
    ignored_filters: list[dict[str, Any]] = field(default_factory=list)
    # The request's own `extensions.strictFilters` (set by the schema's report extension).
    strict_filters_requested: bool = False
    loaders: Loaders = field(init=False)
    # (source, top-level field) pairs already reported in `partial_errors`.
    _reported: set[tuple[str, str | int]] = field(default_factory=set, init=False)
    # `Customer.group`'s answers by (source, id, numeric id, name, kind): the rows of a page in
    # one group share one CustomerGroup instead of building one each (schema/customer.py).
    group_views: dict[tuple[str, str, int, str, str], Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    def begin_event(self) -> None:
        """A subscription's next event is answered as a request of its own: a new deadline,
        new DataLoaders, no outcomes carried over."""
        self.deadline = time.monotonic() + self.settings.request_timeout
        self.loaders = Loaders(self)
        self.outcomes.clear()
        self.partial_errors.clear()
        self._reported.clear()

    def announce(self, source: str, native_id: str, change: ChangeType) -> None:
        """A write through this request landed: tell the live subscribers."""
        if self.events is not None:
            self.events.publish(CustomerEvent(source, native_id, change, datetime.now(UTC)))

    async def call(
        self, connector: Connector, operation: Awaitable[T], *, report: bool = True
    ) -> T:
        """Await one connector operation under the source's timeout and the request deadline.

        Records the outcome (with `report=False` the call counts but its failure is not yet the
        source's: a speculative call whose answer may go unused reports it with `report_error`
        when it is used). Raises only `GatewayError`s: an unexpected exception is logged with its
        traceback and becomes INTERNAL, so one source's bug cannot fail the others.
        """
        outcome = self.outcome(connector)
        budget = min(
            connector.settings.timeouts.total,
            max(0.0, self.deadline - time.monotonic()),
        )
        started = time.perf_counter()
        outcome.calls += 1
        counting = REQUEST_COUNTER.set(outcome.count_request)
        deadline = DEADLINE.set(time.monotonic() + budget)
        try:
            async with asyncio.timeout(budget):
                return await operation
        except TimeoutError:
            error: GatewayError = UpstreamTimeout(
                f"{connector.name} did not answer within {budget:.1f} s", source=connector.name
            )
            if report:
                self.report_error(connector, error)
            raise error from None
        except GatewayError as gateway_error:
            if report:
                self.report_error(connector, gateway_error)
            raise
        except Exception:
            logger.exception("connector %s failed unexpectedly", connector.name)
            error = GatewayError(
                "Unexpected error.", code=ErrorCode.INTERNAL, source=connector.name
            )
            if report:
                self.report_error(connector, error)
            raise error from None
        finally:
            DEADLINE.reset(deadline)
            REQUEST_COUNTER.reset(counting)
            outcome.elapsed += time.perf_counter() - started

    def source_failure(self, connector: Connector, error: Exception) -> GatewayError:
        """A failure of the source's answer met after its call (a row of a merged page that
        fails to map when the page shows it), made what `call` makes of a failure: a
        `GatewayError` as it is, anything else logged with its traceback and INTERNAL; named
        after the source and recorded as its failure."""
        if isinstance(error, GatewayError):
            failure = error
        else:
            logger.error("connector %s failed unexpectedly", connector.name, exc_info=error)
            failure = GatewayError(
                "Unexpected error.", code=ErrorCode.INTERNAL, source=connector.name
            )
        if failure.source is None:
            failure.source = connector.name
        self.report_error(connector, failure)
        return failure

    def report_error(self, connector: Connector, error: GatewayError) -> None:
        """The source failed this request (errors the caller caused are not the source's)."""
        if error.code not in _CALLER_ERRORS:
            self.outcome(connector).error = error

    def outcome(self, connector: Connector) -> SourceOutcome:
        outcome = self.outcomes.get(connector.name)
        if outcome is None:
            outcome = SourceOutcome(
                connector.name,
                connector.kind,
                request_cap=self.settings.limits.max_requests_per_source,
            )
            self.outcomes[connector.name] = outcome
        return outcome

    @property
    def strict_filters(self) -> bool:
        """Unknown filters are BAD_USER_INPUT: the caller's API key or this request asks so."""
        return self.principal.strict_filters or self.strict_filters_requested

    def report_ignored(self, path: Sequence[str | int], ignored: Sequence[Any]) -> None:
        """Filters a list ignored (each an `IgnoredFilter`), for `extensions.ignoredFilters`."""
        for item in ignored:
            self.ignored_filters.append(
                {
                    "path": list(path),
                    "key": item.key,
                    "operation": item.operation,
                    "value": item.value,
                    "reason": item.reason,
                }
            )

    def report_partial(self, path: list[str | int], error: GatewayError) -> None:
        """One error per failed source and top-level field, whichever phase met the failure."""
        if error.source is not None and path:
            key = (error.source, path[0])
            if key in self._reported:
                return
            self._reported.add(key)
        self.partial_errors.append(PartialError(path, error))

    def report_unread(self, path: Sequence[str | int], source: str, error: GatewayError) -> None:
        """A source failed a read made after the field's own fan-out: the details of merged
        rows, group names, a change's customer, a store view.

        The fields that needed the read answer null. The failure is reported as a failed source
        in a fan-out is, once per source and top-level field (not once per row or field), at
        the path of the first field it emptied; `extensions.sources` marks the source (`call`
        recorded it). An error that says the request itself is wrong is raised instead: the
        field fails, as in a fan-out.
        """
        if fails_the_request(error):
            raise error
        if error.source is None:
            error.source = source
        self.report_partial(list(path), error)

    def summary(self, result: Any) -> dict[str, Any]:
        """What the request log says about this operation: never variables or values."""
        codes = sorted(
            {
                str((error.extensions or {}).get("code", "INTERNAL"))
                for error in (getattr(result, "errors", None) or [])
            }
        )
        return {
            "operation": self.operation_name,
            "operationType": self.operation_type,
            "sources": sorted(name for name, o in self.outcomes.items() if o.calls),
            "errors": codes,
        }

    def sources_extension(self) -> list[dict[str, Any]]:
        reports = []
        for connector in self.sources:
            outcome = self.outcomes.get(connector.name) or SourceOutcome(
                connector.name, connector.kind
            )
            report = outcome.as_extension()
            if isinstance(connector, SyncingSource):
                report["mirror"] = connector.mirror.report()
            reports.append(report)
        return reports


# A source failing with one of these and naming no source means the request itself is wrong.
_REQUEST_ERRORS = frozenset({ErrorCode.BAD_USER_INPUT, ErrorCode.QUERY_TOO_COMPLEX})


def fails_the_request(error: GatewayError) -> bool:
    """Does this error fail the whole field (not only the source that raised it)?"""
    return error.code in _REQUEST_ERRORS and error.source is None


# Errors that describe the caller's request, not the source's health.
_CALLER_ERRORS = frozenset(
    {
        ErrorCode.BAD_USER_INPUT,
        ErrorCode.NOT_FOUND,
        ErrorCode.CONFLICT,
        ErrorCode.UPSTREAM_REJECTED,
        ErrorCode.QUERY_TOO_COMPLEX,
    }
)

Info = StrawberryInfo[GatewayContext, None]
