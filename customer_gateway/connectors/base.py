"""The Connector protocol every upstream implements, and the HTTP plumbing they share.

A connector is built for one configured source and owns that source's `httpx.AsyncClient`
(created in the app's lifespan). It returns the gateway's records (`models.py`) and raises only
`UpstreamError`s (`errors.py`): httpx exceptions, upstream bodies and URLs with query strings
never leave this package.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Protocol, TypeVar

import aiohttp
import httpx
import httpx_aiohttp

from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    Unsendable,
    Unsupported,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from customer_gateway.connectors.locks import LocalRecordLocks, RecordLocks, RedisRecordLocks
from customer_gateway.connectors.models import (
    BatchItem,
    BatchOperation,
    BatchResult,
    ChangePage,
    ChangeType,
    Condition,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    ExternalPage,
    FilterField,
    GroupDraft,
    GroupPatch,
    GroupRecord,
    Op,
    OrderRecord,
    Page,
    Pushdown,
    RegionRecord,
    SnapshotJob,
    Sort,
    SortField,
    StoreView,
    SyncPage,
    SyncStyle,
    Write,
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
    MAX_RETRY_AFTER,
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
from customer_gateway.digits import is_ascii_digits
from customer_gateway.errors import ErrorCode, GatewayError
from customer_gateway.sendable import first_unsendable, path_problem
from customer_gateway.settings import ConfigError, SourceSettings
from customer_gateway.state.redis import SharedRedis
from customer_gateway.telemetry import Telemetry, route_template

logger = logging.getLogger("customer_gateway.upstream")

# Set by whoever wants to count the HTTP requests a piece of work sends (the request context).
REQUEST_COUNTER: ContextVar[Callable[[], None] | None] = ContextVar(
    "upstream_request_counter", default=None
)

EXPORT_PAGE = 500  # records per list request when an export pages through a source

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a source can do itself. Resolvers, docs and tests read this one object."""

    filters: Mapping[tuple[FilterField, Op], Pushdown] = field(default_factory=dict)
    sorts: frozenset[SortField] = frozenset()
    # Sorts by a key the source keeps unique (no ties): it can page them itself exactly.
    unique_sorts: frozenset[SortField] = frozenset()
    max_page_size: int | None = None  # None: the source has no cap
    detail_fields: frozenset[str] = frozenset()  # fields a list omits; get_customers has them
    customer_writes: frozenset[Write] = frozenset()
    # Mutation input fields (GraphQL names) the source stores; others are refused by name.
    writable_fields: frozenset[str] = frozenset({"email", "fullName", "status", "groupId"})
    multi_group: bool = False  # customers may be in several groups at once
    # Customers name their groups by id only: the names come from `list_groups`, which a page
    # that shows group names then asks for alongside the customer list, not after it.
    group_names_by_list: bool = False
    group_writes: frozenset[Write] = frozenset()
    # No group list of its own: `list_groups` gathers the groups its customers are in (a group
    # without customers is missing), reading every customer; `customerGroups` says so.
    groups_from_customers: bool = False
    # Filters the source applies correctly only when sent alone (EverShop's keyword ORs its way
    # past the other conditions); combined with others, only this one is sent.
    push_alone: frozenset[FilterField] = frozenset()
    # Filters sent by another request than the others (Flow Retail's external id is a list
    # parameter, its other filters a search body): pushed when they are the only pushable
    # condition; combined with others, the others are pushed and the gateway applies these.
    push_apart: frozenset[FilterField] = frozenset()
    # Fields the source does not keep: no customer of it can match a condition on them (NULL
    # matches no comparison), so a request with one leaves the source out, with a note.
    absent_fields: frozenset[FilterField] = frozenset({FilterField.EXTERNAL_ID, FilterField.STORE})
    # Fields the source keeps but does not give the gateway (EverShop's GraphQL has no
    # updated_at): a condition on them cannot be decided, an UNSUPPORTED_OPERATION error.
    unreadable_fields: frozenset[FilterField] = frozenset()
    # The source applies only the first condition on a field and ignores the others (EverShop):
    # those are applied by the gateway.
    one_per_field: bool = False
    regions: bool = False
    changes: bool = False  # a change feed (`list_changes`)
    native_batch: bool = False  # one request for many writes (`batch`)
    native_data_export: bool = False  # a GDPR export of its own (`data_export`)
    # How a local mirror is filled and kept: `sync_page` (and `start_snapshot`), `list_changes`.
    sync: SyncStyle = SyncStyle.RECONCILE
    create_requires_password: bool = False
    create_requires_name: bool = True  # a create needs fullName (or firstName + lastName)
    # Requests in flight to this source at once, over the whole gateway (Shoptet allows 3 per
    # token and answers 429 to a 4th); None: the source's `max_connections`.
    max_concurrency: int | None = None
    # Published limits by request class (`ConnectorBase.rate_class` says which applies).
    rate_limits: Mapping[str, RateLimit] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # limits and quirks, shown by the `sources` query

    def pushdown(self, condition: Condition) -> Pushdown | None:
        return self.filters.get((condition.field, condition.op))

    def split(
        self, conditions: Sequence[Condition]
    ) -> tuple[tuple[Condition, ...], tuple[Condition, ...]]:
        """(sent to the source, applied by the gateway to what comes back)."""
        pushable = [c for c in conditions if self.pushdown(c) is not None]
        if self.one_per_field:
            fields: set[FilterField] = set()
            firsts = []
            for condition in pushable:
                if condition.field not in fields:
                    fields.add(condition.field)
                    firsts.append(condition)
            pushable = firsts
        alone = [c for c in pushable if c.field in self.push_alone]
        if alone and len(pushable) > 1:
            pushable = alone[:1]
        apart = [c for c in pushable if c.field in self.push_apart]
        if apart and len(pushable) > 1:
            rest = [c for c in pushable if c.field not in self.push_apart]
            pushable = rest or apart[:1]
        local = tuple(
            c for c in conditions if c not in pushable or self.pushdown(c) is Pushdown.SUPERSET
        )
        return tuple(pushable), local


class Connector(Protocol):
    """One configured source. Every method raises only `UpstreamError`s."""

    kind: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    required_credentials: ClassVar[tuple[str, ...]]
    settings: SourceSettings
    http: UpstreamHTTP

    @property
    def name(self) -> str: ...

    async def list_customers(self, query: CustomerQuery) -> Page: ...

    async def get_customers(self, ids: Sequence[str]) -> Sequence[CustomerRecord | None]:
        """Aligned with `ids`; None where the source has no such customer."""
        ...

    async def create_customer(self, draft: CustomerDraft) -> CustomerRecord: ...

    async def update_customer(self, customer_id: str, patch: CustomerPatch) -> CustomerRecord: ...

    async def delete_customer(self, customer_id: str) -> None: ...

    async def list_groups(self) -> Sequence[GroupRecord]: ...

    async def get_groups(self, ids: Sequence[str]) -> Sequence[GroupRecord | None]: ...

    async def create_group(self, draft: GroupDraft) -> GroupRecord: ...

    async def update_group(self, group_id: str, patch: GroupPatch) -> GroupRecord: ...

    async def delete_group(self, group_id: str) -> None: ...

    async def list_regions(self) -> Sequence[RegionRecord]: ...

    async def list_changes(
        self, since: datetime, change_type: ChangeType | None, offset: int, limit: int
    ) -> ChangePage:
        """Changes since `since`, oldest first, the latest change per customer."""
        ...

    def export_customers(self) -> AsyncIterator[CustomerRecord]:
        """Every customer, complete, streamed (bounded memory whatever the source's size)."""
        ...

    async def sync_page(self, offset: int, size: int) -> SyncPage:
        """Customers `offset..offset+size` of every customer, oldest first, complete."""
        ...

    async def start_snapshot(self) -> SnapshotJob:
        """Start the source's snapshot of every customer and wait until it can be read."""
        ...

    def snapshot_records(self, job: SnapshotJob) -> AsyncIterator[CustomerRecord]:
        """The snapshot's customers, in the file's order, streamed."""
        ...

    async def batch(self, items: Sequence[BatchItem]) -> Sequence[BatchResult]:
        """One result per item, in order; an item's failure is its result, not an exception."""
        ...

    async def get_store_view(self, customer_id: str, store_id: str) -> StoreView | None: ...

    async def search_external(self, query: str, offset: int, limit: int) -> ExternalPage: ...

    async def add_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord: ...

    async def remove_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord: ...

    async def data_export(self, customer_id: str) -> Mapping[str, Any] | None:
        """The source's own GDPR export document, where it has one."""
        ...

    async def list_orders(self, customer_id: str) -> Sequence[OrderRecord]:
        """The customer's orders (EverShop's `Customer.orders`); None-free, maybe empty."""
        ...

    async def check(self) -> None:
        """Prove the source is reachable and accepts our credentials (for /readyz)."""
        ...

    async def text_order_sample(self) -> Sequence[Sequence[str]] | None:
        """Texts the source sorted itself, each sequence ascending (what `customer-gateway
        check` tests the `collation` setting against); None: it sorts no text."""
        ...


class ConnectorBase:
    """Defaults for what a source cannot do: a typed `Unsupported`, never an empty answer."""

    kind: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()
    required_credentials: ClassVar[tuple[str, ...]] = ()
    option_keys: ClassVar[frozenset[str]] = frozenset()  # the `options` this kind reads
    base_path: ClassVar[str] = ""  # what the documented base URL adds after the host
    # Every literal segment of the paths the connector sends: what route templates keep (metric
    # labels, spans, logs, error messages); any other segment is an id. None: ids by pattern.
    path_words: ClassVar[frozenset[str] | None] = None

    @classmethod
    def validate_settings(cls, settings: SourceSettings) -> None:
        """Refuse a configuration this connector cannot work with (before any request)."""
        missing = [key for key in cls.required_credentials if not settings.credentials.get(key)]
        if missing:
            raise ConfigError(
                f"source {settings.name!r} ({settings.kind}) needs credentials: "
                f"{', '.join(missing)}"
            )
        if unknown := set(settings.options) - cls.option_keys:
            known = ", ".join(sorted(cls.option_keys)) or "none"
            raise ConfigError(
                f"source {settings.name!r} ({settings.kind}): unknown options "
                f"{', '.join(sorted(unknown))} (this kind reads: {known})"
            )

    def __init__(
        self,
        settings: SourceSettings,
        client: httpx.AsyncClient,
        *,
        locks: RecordLocks | None = None,
        shared: SharedRedis | None = None,
    ) -> None:
        """`shared`: the Redis every replica shares (`[state] redis_url`): the source's published
        cap and rate limits, its Retry-After blocks and the per-record write locks then hold
        across replicas. None: they hold within this process."""
        self.settings = settings
        if locks is None:
            locks = RedisRecordLocks(shared) if shared is not None else LocalRecordLocks()
        self.locks: RecordLocks = locks
        rate_limits = self.capabilities.rate_limits if settings.rate_limits else None
        self.http = UpstreamHTTP(
            settings.name,
            client,
            self.error_for_status,
            kind=self.kind,
            max_concurrency=self.capabilities.max_concurrency or settings.max_connections,
            total_timeout=settings.timeouts.total,
            retries=settings.retries,
            rate_limits=rate_limits,
            rate_class=self.rate_class,
            observe=self.observe_response,
            placeholders=self.path_placeholders(),
            words=self.route_words(),
        )
        if shared is not None and (self.capabilities.max_concurrency or rate_limits):
            # Only what the source publishes is shared: its cap (Shoptet's 3 per token) and its
            # rates. `max_connections` protects this process and stays its own.
            self.http.pacing = SharedPacing(
                shared,
                settings.name,
                cap=self.capabilities.max_concurrency,
                rules=dict(rate_limits or {}),
            )

    def writing_customer(self, customer_id: str) -> AbstractAsyncContextManager[None]:
        """Held around every write of one customer, with the reads that build it: concurrent
        updates of one customer run one after the other, each reading what the last wrote."""
        return self.locks.hold(self.name, f"customer:{customer_id}")

    def route_words(self) -> frozenset[str] | None:
        """`path_words`, and what this source's configuration adds to its paths."""
        return self.path_words

    def path_placeholders(self) -> Mapping[str, str]:
        """Path segments that are this source's account ids (a tenant, a store id), each with the
        placeholder that stands for it in metrics, traces, logs and error messages."""
        return {}

    def rate_class(self, method: str, path: str) -> str:
        """Which of `capabilities.rate_limits` a request counts against."""
        return "default"

    def observe_response(self, response: httpx.Response, rate_class: str) -> None:
        """Read what a response says about the source's limits (e.g. a bucket's fill level)."""

    @property
    def name(self) -> str:
        return self.settings.name

    def unsupported(self, operation: str) -> Unsupported:
        return Unsupported(f"{self.kind} sources have no API to {operation}", source=self.name)

    def error_for_status(self, response: httpx.Response) -> UpstreamError:
        """Map an upstream error response to a typed error (connectors override it)."""
        return error_for_status(self.name, response.status_code, retry_after(response))

    async def list_customers(self, query: CustomerQuery) -> Page:
        raise self.unsupported("list customers")

    async def get_customers(self, ids: Sequence[str]) -> Sequence[CustomerRecord | None]:
        raise self.unsupported("read customers")

    async def create_customer(self, draft: CustomerDraft) -> CustomerRecord:
        raise self.unsupported("create customers")

    async def update_customer(self, customer_id: str, patch: CustomerPatch) -> CustomerRecord:
        raise self.unsupported("update customers")

    async def delete_customer(self, customer_id: str) -> None:
        raise self.unsupported("delete customers")

    async def list_groups(self) -> Sequence[GroupRecord]:
        raise self.unsupported("list customer groups")

    async def get_groups(self, ids: Sequence[str]) -> Sequence[GroupRecord | None]:
        by_id = {group.id: group for group in await self.list_groups()}
        return [by_id.get(group_id) for group_id in ids]

    async def create_group(self, draft: GroupDraft) -> GroupRecord:
        raise self.unsupported("create customer groups")

    async def update_group(self, group_id: str, patch: GroupPatch) -> GroupRecord:
        raise self.unsupported("update customer groups")

    async def delete_group(self, group_id: str) -> None:
        raise self.unsupported("delete customer groups")

    async def list_regions(self) -> Sequence[RegionRecord]:
        raise self.unsupported("list regions")

    async def text_order_sample(self) -> Sequence[Sequence[str]] | None:
        return None

    async def list_orders(self, customer_id: str) -> Sequence[OrderRecord]:
        # The gateway links customers to orders only where the source keeps both (EverShop).
        raise Unsupported(
            f"{self.name} ({self.kind}) has no order history the gateway can read: it links "
            "customers to orders for EverShop sources only",
            source=self.name,
        )

    async def list_changes(
        self, since: datetime, change_type: ChangeType | None, offset: int, limit: int
    ) -> ChangePage:
        raise self.unsupported("report changed customers")

    async def export_customers(self) -> AsyncIterator[CustomerRecord]:
        """Pages through the list oldest first, completing summaries with their details."""
        offset = 0
        page_size = min(EXPORT_PAGE, self.capabilities.max_page_size or EXPORT_PAGE)
        query = CustomerQuery(sort=Sort(SortField.CREATED_AT, descending=False), limit=page_size)
        while True:
            page = await self.list_customers(replace(query, offset=offset))
            records = list(page.items)
            partial = [index for index, record in enumerate(records) if record.missing]
            if partial:
                details = await self.get_customers([records[index].id for index in partial])
                for index, detail in zip(partial, details, strict=True):
                    if detail is not None:
                        records[index] = detail
            for record in records:
                yield record
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return

    async def sync_page(self, offset: int, size: int) -> SyncPage:
        """Oldest first, by creation time: customers created meanwhile land at the end. (A
        deletion meanwhile shifts the rest back: the mirror's reconcile finds what it skipped.)"""
        size = min(size, self.capabilities.max_page_size or size)
        query = CustomerQuery(
            sort=Sort(SortField.CREATED_AT, descending=False), offset=offset, limit=size
        )
        page = await self.list_customers(query)
        records = list(page.items)
        partial = [index for index, record in enumerate(records) if record.missing]
        if partial:
            details = await self.get_customers([records[index].id for index in partial])
            for index, detail in zip(partial, details, strict=True):
                if detail is not None:
                    records[index] = detail
        complete = [record for record in records if not record.missing]
        following = offset + len(records)
        done = not records or following >= page.total
        return SyncPage(complete, page.total, None if done else following)

    async def start_snapshot(self) -> SnapshotJob:
        raise self.unsupported("export a snapshot")

    async def snapshot_records(self, job: SnapshotJob) -> AsyncIterator[CustomerRecord]:
        raise self.unsupported("export a snapshot")
        yield  # an async generator

    async def batch(self, items: Sequence[BatchItem]) -> Sequence[BatchResult]:
        """No batch API: run the items one after another, each under the source's limits."""
        results = []
        for item in items:
            try:
                results.append(await self._batch_item(item))
            except GatewayError as error:
                results.append(BatchResult(item, customer_id=item.customer_id, error=error))
        return results

    async def _batch_item(self, item: BatchItem) -> BatchResult:
        if item.operation is BatchOperation.CREATE:
            assert item.draft is not None
            record = await self.create_customer(item.draft)
            return BatchResult(item, record, record.id)
        if item.operation is BatchOperation.UPDATE:
            assert item.customer_id is not None
            assert item.patch is not None
            record = await self.update_customer(item.customer_id, item.patch)
            return BatchResult(item, record, record.id)
        if item.operation is BatchOperation.DELETE:
            assert item.customer_id is not None
            await self.delete_customer(item.customer_id)
            return BatchResult(item, None, item.customer_id)
        assert item.draft is not None
        if item.customer_id is not None:
            existing = (await self.get_customers([item.customer_id]))[0]
            if existing is not None:
                patch = CustomerPatch(
                    email=item.draft.email,
                    full_name=item.draft.full_name,
                    status=item.draft.status,
                    group_ids=item.draft.group_ids or None,
                    phone=item.draft.phone,
                    first_name=item.draft.first_name,
                    last_name=item.draft.last_name,
                    company_name=item.draft.company_name,
                    vat_number=item.draft.vat_number,
                    address=item.draft.address,
                )
                record = await self.update_customer(item.customer_id, patch)
                return BatchResult(item, record, record.id)
        record = await self.create_customer(item.draft)
        return BatchResult(item, record, record.id)

    async def get_store_view(self, customer_id: str, store_id: str) -> StoreView | None:
        raise self.unsupported("show a customer as one store sees it")

    async def search_external(self, query: str, offset: int, limit: int) -> ExternalPage:
        raise self.unsupported("search an external company register")

    async def add_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord:
        raise self.unsupported("add customer extensions")

    async def remove_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord:
        raise self.unsupported("remove customer extensions")

    async def data_export(self, customer_id: str) -> Mapping[str, Any] | None:
        raise self.unsupported("export a customer's data itself")

    async def check(self) -> None:
        await self.list_groups()


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
        client: httpx.AsyncClient,
        error_for_status: Callable[[httpx.Response], UpstreamError],
        *,
        kind: str = "unknown",
        max_concurrency: int | None = None,
        total_timeout: float = 8.0,
        retries: int = 2,
        rate_limits: Mapping[str, RateLimit] | None = None,
        rate_class: Callable[[str, str], str] = lambda method, path: "default",
        observe: Callable[[httpx.Response, str], None] | None = None,
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

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
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
                assert isinstance(response, httpx.Response)
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
    ) -> tuple[httpx.Response | UpstreamError, Ticket]:
        try:
            if BACKGROUND_SHARE.get() is not None:
                # Its own, smaller budget first (no deadline: it waits as long as it must).
                await self.background_limiter.acquire(rate_class, float("inf"))
            async with self.pacing.hold(rate_class, remaining(self.total_timeout)) as ticket:
                outcome = await self._paced(method, path, rate_class, json, params, headers, ticket)
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
    ) -> httpx.Response | UpstreamError:
        telemetry = self.telemetry
        if telemetry is not None and ticket.waited:
            telemetry.rate_limit_waits.labels(self.source).inc(ticket.waited)
        route = self.route(path)
        sent_headers = dict(headers or {})
        started = time.perf_counter()
        outcome: httpx.Response | UpstreamError
        with (
            telemetry.upstream_span(self.source, self.kind, method, route, sent_headers)
            if telemetry is not None
            else contextlib.nullcontext()
        ) as span:
            try:
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
            label = (
                str(outcome.status_code)
                if isinstance(outcome, httpx.Response)
                else outcome.code.value
            )
            if span is not None:
                span.set_attribute("http.response.status_code_or_error", label)
        if telemetry is not None:
            telemetry.upstream_done(
                self.source, self.kind, method, route, label, time.perf_counter() - started
            )
        if isinstance(outcome, httpx.Response):
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
            async with asyncio.timeout(remaining(self.total_timeout)):
                await self._slots.acquire()
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
                response = await stack.enter_async_context(self.client.stream("GET", url))
                if response.status_code >= 400:
                    await response.aread()
                    raise self._error_for_status(response)
                yield _guarded_chunks(self.source, what, response.aiter_bytes())
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
        return route_template(path, self.placeholders, self.words)

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


def parse_json(source: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise UpstreamBadResponse(
            f"{source} answered with a body that is not JSON",
            source=source,
            http_status=response.status_code,
        ) from None


def error_for_status(
    source: str, status: int, retry_after_seconds: float | None = None
) -> UpstreamError:
    """The status-only mapping, for upstreams whose error bodies say nothing more."""

    if status == 429:
        return UpstreamRateLimited(
            f"{source} is rate limiting the gateway",
            source=source,
            http_status=status,
            retry_after=retry_after_seconds,
        )
    if status in (401, 403):
        return UpstreamAuthFailed(
            f"{source} refused the gateway's credentials", source=source, http_status=status
        )
    if status == 404:
        return NotFound(f"{source} has no such record", source=source, http_status=status)
    if status == 409:
        return Conflict(f"{source} reports a conflict", source=source, http_status=status)
    if status >= 500:
        return UpstreamUnavailable(
            f"{source} failed with HTTP {status}",
            source=source,
            http_status=status,
            retry_after=retry_after_seconds,
        )
    return UpstreamRejected(
        f"{source} rejected the request (HTTP {status})", source=source, http_status=status
    )


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds, from either form RFC 9110 allows (delay-seconds or HTTP-date),
    at most `MAX_RETRY_AFTER` (`99999999999999999999` or a date in year 9999 is one hour)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if is_ascii_digits(value):
        # Compared as text first: int() refuses more than 4,300 digits, float() says inf.
        return MAX_RETRY_AFTER if len(value) > 6 else min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER)


@dataclass(frozen=True, slots=True)
class PagePlan:
    """Which upstream pages (1-based, `size` records each) cover records offset..offset+limit."""

    first: int
    size: int
    count: int
    skip: int  # records to drop from the first page


def page_plan(offset: int, limit: int, max_size: int) -> PagePlan:
    if limit <= max_size and offset % limit == 0:
        return PagePlan(first=offset // limit + 1, size=limit, count=1, skip=0)
    size = max_size
    skip = offset % size
    return PagePlan(
        first=offset // size + 1, size=size, count=-(-(skip + limit) // size), skip=skip
    )


def synthetic_int_id(native_id: str) -> int:
    """A stable positive 31-bit integer for sources whose ids are not integers.

    EverShop's `customerId: Int!` needs one; the value is a hash of the native id, documented in
    the README as synthesised, and never sent back to the source.
    """
    digest = hashlib.blake2b(native_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


async def gather_bounded(limit: int, calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run calls with at most `limit` in flight, results in call order."""
    semaphore = asyncio.Semaphore(limit)

    async def run(call: Callable[[], Awaitable[T]]) -> T:
        async with semaphore:
            return await call()

    return list(await asyncio.gather(*(run(call) for call in calls)))


def build_client(
    settings: SourceSettings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one AsyncClient of a source: explicit timeouts, a bounded pool, no redirects.

    Over the network the connection layer is `settings.transport`: aiohttp's pool (via
    httpx-aiohttp) by default, since httpx's own pool collapses at 20+ concurrent requests
    (bench/README.md has the numbers), or httpx's own.
    """
    timeouts = settings.timeouts
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )
    if transport is None and settings.transport == "aiohttp":
        transport = AiohttpTransport(limits=limits)
    return httpx.AsyncClient(
        base_url=settings.base_url,
        transport=transport,
        timeout=httpx.Timeout(
            connect=timeouts.connect, read=timeouts.read, write=timeouts.read, pool=timeouts.connect
        ),
        limits=limits,
        follow_redirects=False,
        headers={"user-agent": "customer-gateway/0.1"},
    )


class AiohttpTransport(httpx_aiohttp.AiohttpTransport):
    """httpx-aiohttp's transport with aiohttp's errors mapped as httpx's own pool maps them.

    httpx-aiohttp turns every `aiohttp.ClientConnectionError` (a refused connection, a reset, a
    server that hung up) into `httpx.ConnectTimeout`; the gateway tells an unreachable source
    (UPSTREAM_UNAVAILABLE) from a slow one (UPSTREAM_TIMEOUT), so those become
    `httpx.ConnectError` / `httpx.ReadError` again, and only real timeouts stay timeouts.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TimeoutException as error:
            cause = error.__cause__
            if isinstance(cause, aiohttp.ClientConnectorError):
                raise httpx.ConnectError(str(cause), request=request) from cause
            if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(
                cause, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)
            ):
                raise httpx.ReadError(str(cause), request=request) from cause
            raise
