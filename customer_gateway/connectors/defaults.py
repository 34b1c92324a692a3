"""ConnectorBase: the default behaviour every connector inherits.

The HTTP engine (`http.py`) wired to the source's settings, limits and locks; exports, mirror
pages and batches built from the basic operations; and for a basic operation a source cannot do
(a write, groups), a typed `Unsupported`, never an empty answer. Operations only some kinds have
are not here: they are the optional protocols of `protocol.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import ClassVar

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.errors import (
    Unsupported,
    UpstreamError,
)
from customer_gateway.connectors.helpers import EXPORT_PAGE
from customer_gateway.connectors.http import UpstreamHTTP
from customer_gateway.connectors.locks import LocalRecordLocks, RecordLocks, RedisRecordLocks
from customer_gateway.connectors.models import (
    BatchItem,
    BatchOperation,
    BatchResult,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    GroupDraft,
    GroupPatch,
    GroupRecord,
    Page,
    Sort,
    SortField,
    SyncPage,
)
from customer_gateway.connectors.pacing import (
    SharedPacing,
)
from customer_gateway.connectors.statuses import error_for_status, retry_after
from customer_gateway.connectors.transport import Answer, SourceClient
from customer_gateway.core.errors import GatewayError
from customer_gateway.server.settings import ConfigError, SourceSettings
from customer_gateway.state.redis import SharedRedis


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
    # The list's rows are whole records (never `missing`) and the connector keys its creation
    # sort (`rows.RowKeys`): a sync page's rows are then mapped as the mirror reads them, after
    # it has asked for the next page (`sync_page`).
    sync_rows_whole: ClassVar[bool] = False

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
        client: SourceClient,
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

    def observe_response(self, response: Answer, rate_class: str) -> None:
        """Read what a response says about the source's limits (e.g. a bucket's fill level)."""

    @property
    def name(self) -> str:
        return self.settings.name

    def unsupported(self, operation: str) -> Unsupported:
        return Unsupported(f"{self.kind} sources have no API to {operation}", source=self.name)

    def error_for_status(self, response: Answer) -> UpstreamError:
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

    async def text_order_sample(self) -> Sequence[Sequence[str]] | None:
        return None

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
        """Oldest first: customers created meanwhile land at the end. (A deletion meanwhile
        shifts the rest back: the mirror's reconcile finds what it skipped.) By the customer
        id where that order is unique and creation time is not (EverShop: PostgreSQL orders
        ties of `created_at` differently for each LIMIT, so offset pages over a tie skip one
        customer and repeat another), else by creation time."""
        size = min(size, self.capabilities.max_page_size or size)
        unique = self.capabilities.unique_sorts
        field = (
            SortField.CUSTOMER_ID
            if SortField.CREATED_AT not in unique
            and SortField.CUSTOMER_ID in unique
            and SortField.CUSTOMER_ID in self.capabilities.sorts
            else SortField.CREATED_AT
        )
        lazy = self.sync_rows_whole and field is SortField.CREATED_AT
        query = CustomerQuery(
            sort=Sort(field, descending=False), offset=offset, limit=size, lazy_rows=lazy
        )
        page = await self.list_customers(query)
        if lazy:
            # Mapped when read (a bad row fails the sync's step then, as it fails a list): the
            # sync sends the next page's request first, which is in flight meanwhile.
            following = offset + len(page.items)
            done = not page.items or following >= page.total
            return SyncPage(page.items, page.total, None if done else following)
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

    async def check(self) -> None:
        await self.list_groups()
