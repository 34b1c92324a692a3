"""The HTTP engine every connector sends through.

One source's circuit breaker, rate limits, bulkhead, retries and streaming around its
`SourceClient` (the parts: resilience.py, pacing.py; the client itself: transport.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import httpx

from customer_gateway.connectors.errors import (
    Unsendable,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from customer_gateway.connectors.pacing import (
    LocalPacing,
    Pacing,
    Saturated,
    SharedPacing,
    Ticket,
)
from customer_gateway.connectors.resilience import (
    BACKGROUND_SHARE,
    Admission,
    CircuitBreaker,
    RateLimit,
    RateLimiter,
    RetryBudget,
    RetryPolicy,
    Throttled,
    background_rules,
    remaining,
)
from customer_gateway.connectors.statuses import parse_json
from customer_gateway.connectors.transport import Answer, SourceClient
from customer_gateway.core.errors import ErrorCode
from customer_gateway.observability.telemetry import Telemetry, route_template
from customer_gateway.text.sendable import first_unsendable, path_problem

logger = logging.getLogger("customer_gateway.upstream")

# Set by whoever wants to count the HTTP requests a piece of work sends (the request context).
REQUEST_COUNTER: ContextVar[Callable[[], None] | None] = ContextVar(
    "upstream_request_counter", default=None
)


class UpstreamHTTP:
    """Sends requests to one source and turns every failure into a typed error.

    Around each request: the source's circuit breaker (fail fast while it is open), its rate
    limits (wait for a slot, or refuse when the wait would outlast the deadline), a bulkhead
    (at most `max_concurrency` in flight), and retries of idempotent requests only, with
    full-jitter back-off or the upstream's Retry-After, within the deadline and a retry budget.

    Log lines and error messages carry the method and the route template only: query strings
    can hold e-mail addresses, some upstreams put tokens there, and paths hold ids (the account's
    own among them: `placeholders`).
    """

    def __init__(
        self,
        source: str,
        client: SourceClient,
        error_for_status: Callable[[Answer], UpstreamError],
        *,
        kind: str = "unknown",
        max_concurrency: int | None = None,
        total_timeout: float = 8.0,
        retries: int = 2,
        rate_limits: Mapping[str, RateLimit] | None = None,
        rate_class: Callable[[str, str], str] = lambda method, path: "default",
        observe: Callable[[Answer, str], None] | None = None,
        placeholders: Mapping[str, str] | None = None,
        words: frozenset[str] | None = None,
    ) -> None:
        self.source = source
        self.placeholders = dict(placeholders or {})
        self.words = words
        self.client = client
        self._error_for_status = error_for_status
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        # Background work (the mirror's sync) leaves live requests one slot and half the rate.
        self._background_slots = asyncio.Semaphore(max(1, (max_concurrency or 2) - 1))
        self.background_limiter = RateLimiter(background_rules(dict(rate_limits or {}), 0.5))
        self.total_timeout = total_timeout
        self.retry = RetryPolicy(attempts=retries + 1)
        self.budget = RetryBudget(self.retry)
        self.breaker = CircuitBreaker()
        self.limiter = RateLimiter(dict(rate_limits or {}))
        self.pacing: Pacing = LocalPacing(self.limiter)
        self.telemetry: Telemetry | None = None  # set by the app that owns the connector
        self.kind = kind
        self._rate_class = rate_class
        self._observe = observe
        self._random = random.Random()
        self._routes: dict[str, str] = {}  # path -> route template, the last few hundred

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Answer:
        """`idempotent`: may this request be sent again? Default: GET/HEAD/OPTIONS only."""
        safe = method in ("GET", "HEAD", "OPTIONS") if idempotent is None else idempotent
        reason = path_problem(path) or first_unsendable((path, json, list((params or {}).values())))
        if reason is not None:
            raise Unsendable(
                f"A value for {self.source} contains {reason}, which no source can take",
                source=self.source,
            )
        rate_class = self._rate_class(method, path)
        attempt = 0
        while True:
            attempt += 1
            admission = self._admit()
            try:
                response, ticket = await self._attempt(
                    method, path, rate_class, json, params, headers
                )
                error: UpstreamError | None = None
                if isinstance(response, UpstreamError):
                    error = response
                elif response.status_code >= 400:
                    error = self._error_for_status(response)
                if isinstance(error, UpstreamRateLimited) and error.retry_after:
                    await self.pacing.block(rate_class, error.retry_after)
                elif error is None:
                    await self.pacing.lift(rate_class, ticket)
                admission.record(success=error is None or error.code not in _UPSTREAM_FAULTS)
            finally:
                # Every other way out (cancelled by the deadline, refused before sending, a
                # request that cannot be encoded, a bug) has no verdict on the source: a probe
                # gives its slot back, so the next call probes instead of the breaker sticking.
                admission.release()
            if error is None:
                self.budget.deposit()
                assert isinstance(response, Answer)
                return response
            if not (safe and error.retryable and attempt < self.retry.attempts):
                raise error
            delay = (
                error.retry_after
                if error.retry_after is not None
                else self.retry.backoff(attempt, self._random)
            )
            if delay >= remaining(self.total_timeout) - 0.05 or not self.budget.withdraw():
                raise error
            logger.info(
                "retrying %s %s %s in %.2f s (attempt %d: %s)",
                self.source,
                method,
                self.route(path),
                delay,
                attempt + 1,
                error.code.value,
            )
            await asyncio.sleep(delay)

    def _admit(self) -> Admission:
        """Count the request (the operation's cap may refuse it), then ask the breaker."""
        if (count := REQUEST_COUNTER.get()) is not None:
            count()  # may refuse: the operation's per-source request cap
        admission = self.breaker.admit()
        if admission is None:
            raise UpstreamUnavailable(
                f"{self.source} keeps failing; the gateway stopped calling it for "
                f"{self.breaker.retry_in():.0f} s (circuit open)",
                source=self.source,
                retry_after=round(self.breaker.retry_in(), 1),
            )
        return admission

    async def _attempt(
        self,
        method: str,
        path: str,
        rate_class: str,
        json: Any,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
    ) -> tuple[Answer | UpstreamError, Ticket]:
        try:
            if BACKGROUND_SHARE.get() is not None:
                # Its own, smaller budget first (no deadline: it waits as long as it must).
                await self.background_limiter.acquire(rate_class, float("inf"))
            ready = self.pacing.ready(rate_class)
            if ready is not None:
                ticket = ready
                outcome = await self._paced(method, path, rate_class, json, params, headers, ticket)
            else:
                async with self.pacing.hold(rate_class, remaining(self.total_timeout)) as ticket:
                    outcome = await self._paced(
                        method, path, rate_class, json, params, headers, ticket
                    )
        except Throttled as throttled:
            raise UpstreamRateLimited(
                f"{self.source}'s published rate limit leaves no room before the deadline",
                source=self.source,
                retry_after=round(throttled.wait, 1),
            ) from None
        except Saturated:
            raise UpstreamUnavailable(
                f"{self.source} is saturated: no free slot for {method} {self.route(path)} "
                "before the deadline",
                source=self.source,
            ) from None
        return outcome, ticket

    async def _paced(
        self,
        method: str,
        path: str,
        rate_class: str,
        json: Any,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        ticket: Ticket,
    ) -> Answer | UpstreamError:
        telemetry = self.telemetry
        if telemetry is not None and ticket.waited:
            telemetry.rate_limit_waits.labels(self.source).inc(ticket.waited)
        route = self.route(path)
        sent_headers = dict(headers or {})
        started = time.perf_counter()
        outcome: Answer | UpstreamError
        with (
            telemetry.upstream_span(self.source, self.kind, method, route, sent_headers)
            if telemetry is not None
            else contextlib.nullcontext()
        ) as span:
            try:
                slots = self._slots
                if BACKGROUND_SHARE.get() is None and (slots is None or not slots.locked()):
                    # A live call and a free slot (the usual case): taken at once, without
                    # the context managers and the deadline timer a wait for one needs.
                    if slots is not None:
                        await slots.acquire()
                    try:
                        outcome = await self.client.request(
                            method, path, json=json, params=params, headers=sent_headers
                        )
                    finally:
                        if slots is not None:
                            slots.release()
                else:
                    async with self._slot(f"{method} {route}"):
                        outcome = await self.client.request(
                            method, path, json=json, params=params, headers=sent_headers
                        )
            except httpx.TimeoutException:
                outcome = UpstreamTimeout(
                    f"{self.source} did not answer {method} {route} in time", source=self.source
                )
            except (httpx.TransportError, OSError):
                outcome = UpstreamUnavailable(
                    f"{self.source} could not be reached ({method} {route})", source=self.source
                )
            label = str(outcome.status_code) if isinstance(outcome, Answer) else outcome.code.value
            if span is not None:
                span.set_attribute("http.response.status_code_or_error", label)
        if telemetry is not None:
            telemetry.upstream_done(
                self.source, self.kind, method, route, label, time.perf_counter() - started
            )
        if isinstance(outcome, Answer):
            logger.debug("upstream %s %s %s -> %s", self.source, method, route, label)
            if self._observe is not None:
                self._observe(outcome, rate_class)
        return outcome

    async def aclose(self) -> None:
        """Let the last slot releases reach the shared store (shutdown)."""
        if isinstance(self.pacing, SharedPacing):
            await self.pacing.aclose()

    @asynccontextmanager
    async def _slot(self, what: str) -> AsyncIterator[None]:
        """The bulkhead: wait for one of the source's slots, at most until the deadline."""
        if BACKGROUND_SHARE.get() is not None:
            async with self._background_slots, self._live_slot(what):
                yield
            return
        async with self._live_slot(what):
            yield

    @asynccontextmanager
    async def _live_slot(self, what: str) -> AsyncIterator[None]:
        if self._slots is None:
            yield
            return
        try:
            if self._slots.locked():
                async with asyncio.timeout(remaining(self.total_timeout)):
                    await self._slots.acquire()
            else:
                await self._slots.acquire()  # free: taken at once, no deadline timer to set
        except TimeoutError:
            raise UpstreamUnavailable(
                f"{self.source} is saturated: no free slot for {what} before the deadline",
                source=self.source,
            ) from None
        try:
            yield
        finally:
            self._slots.release()

    @asynccontextmanager
    async def stream(self, url: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """GET a (large) body as chunks; the slot is held until the block exits."""
        what = f"GET {self.route(httpx.URL(url).path)}"
        if (count := REQUEST_COUNTER.get()) is not None:
            count()
        try:
            async with contextlib.AsyncExitStack() as stack:
                await stack.enter_async_context(self._slot(what))
                response = await stack.enter_async_context(self.client.stream(url))
                if response.status_code >= 400:
                    raise self._error_for_status(await response.whole())
                yield _guarded_chunks(self.source, what, response.chunks())
        except httpx.TimeoutException:
            raise UpstreamTimeout(
                f"{self.source} did not answer {what} in time", source=self.source
            ) from None
        except (httpx.TransportError, OSError):
            raise UpstreamUnavailable(
                f"{self.source} broke off {what}", source=self.source
            ) from None

    def route(self, path: str) -> str:
        """`path` with no id in it: what metrics, traces, logs and error messages show."""
        routes = self._routes
        route = routes.get(path)
        if route is None:
            route = route_template(path, self.placeholders, self.words)
            if len(routes) >= _ROUTES_KEPT:
                routes.clear()  # paths with ids are many: keep the recent ones only
            routes[path] = route
        return route

    async def send_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        response = await self.send(
            method, path, json=json, params=params, headers=headers, idempotent=idempotent
        )
        return parse_json(self.source, response)


# Paths whose route template is remembered (a list route repeats; a path with an id mostly not).
_ROUTES_KEPT = 512

# Outcomes that say the source is unwell (they count against its circuit breaker).
_UPSTREAM_FAULTS = frozenset(
    {ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.UPSTREAM_TIMEOUT, ErrorCode.UPSTREAM_RATE_LIMITED}
)


async def _guarded_chunks(
    source: str, what: str, chunks: AsyncIterator[bytes]
) -> AsyncIterator[bytes]:
    try:
        async for chunk in chunks:
            yield chunk
    except httpx.TimeoutException:
        raise UpstreamTimeout(f"{source} stalled during {what}", source=source) from None
    except (httpx.TransportError, OSError):
        raise UpstreamUnavailable(f"{source} broke off {what}", source=source) from None
