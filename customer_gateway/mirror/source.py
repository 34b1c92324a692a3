"""A mirrored source as connectors: the resolvers, the merge and the DataLoaders see one more
connector and do not change.

- `SyncingSource` (until the first load completes, and for a request that asks for a live read):
  reads go to the source as without a mirror; writes too, and what they return goes into the
  store at once (read-your-writes).
- `MirroredSource` (serving): reads come from the store, with every filter, every sort and the
  page pushed into one SQL query (its capabilities say so); writes as above. A source that is
  down keeps answering reads from here (its mirror is then `stale`); writes still fail typed.

Each is made per kind (`mirrored_classes`): `kind` and `capabilities` are class attributes of the
connector protocol, and it has the optional protocols (connectors/protocol.py) its source has:
one delegating part each, below.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.errors import UpstreamUnavailable
from customer_gateway.connectors.models import (
    BatchItem,
    BatchOperation,
    BatchResult,
    ChangePage,
    ChangeType,
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
    StoreView,
    SyncPage,
)
from customer_gateway.connectors.protocol import (
    ChangeFeed,
    Connector,
    DataExports,
    ExternalSearch,
    OrderHistory,
    Regions,
    Snapshots,
    StoreViews,
)
from customer_gateway.mirror.availability import StoreUnavailable
from customer_gateway.mirror.handle import SourceMirror
from customer_gateway.mirror.page import StorePage
from customer_gateway.mirror.query import LIVE_ONLY, SORTS, SUPPORTED, SourceSelection

logger = logging.getLogger("customer_gateway.mirror")

# Every filter and sort the store's SQL applies exactly.
_EVERY_FILTER: Mapping[tuple[FilterField, Op], Pushdown] = {
    pair: Pushdown.EXACT for pair in SUPPORTED
}
_EVERY_SORT = SORTS


def mirrored_capabilities(capabilities: Capabilities) -> Capabilities:
    """The source's own, with every filter, sort and page applied by the store. Every sort is
    "unique": the store orders ties by native id, the same way for every page. A filter only
    the source can decide keeps the source's own pushdown (the mirror asks the source then)."""
    live = {pair: how for pair, how in capabilities.filters.items() if pair[0] in LIVE_ONLY}
    return replace(
        capabilities,
        filters={**_EVERY_FILTER, **live},
        sorts=_EVERY_SORT,
        unique_sorts=_EVERY_SORT,
        max_page_size=None,
        detail_fields=frozenset(),
        push_alone=frozenset(),
        group_names_by_list=capabilities.group_names_by_list,
    )


class SyncingSource:
    """The source itself, with writes copied into its mirror."""

    kind: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()
    required_credentials: ClassVar[tuple[str, ...]] = ()

    def __init__(self, inner: Connector, mirror: SourceMirror) -> None:
        self.inner = inner
        self.mirror = mirror
        self.settings = inner.settings
        self.http = inner.http

    @property
    def name(self) -> str:
        return self.inner.name

    # -- reads: the source's --------------------------------------------------------------

    async def list_customers(self, query: CustomerQuery) -> Page:
        return await self.inner.list_customers(query)

    async def get_customers(self, ids: Sequence[str]) -> Sequence[CustomerRecord | None]:
        return await self.inner.get_customers(ids)

    async def list_groups(self) -> Sequence[GroupRecord]:
        return await self.inner.list_groups()

    async def get_groups(self, ids: Sequence[str]) -> Sequence[GroupRecord | None]:
        return await self.inner.get_groups(ids)

    def export_customers(self) -> AsyncIterator[CustomerRecord]:
        return self.inner.export_customers()

    async def sync_page(self, offset: int, size: int) -> SyncPage:
        return await self.inner.sync_page(offset, size)

    async def check(self) -> None:
        await self.inner.check()

    async def text_order_sample(self) -> Sequence[Sequence[str]] | None:
        return await self.inner.text_order_sample()

    # -- writes: the source's, then the mirror ---------------------------------------------

    async def create_customer(self, draft: CustomerDraft) -> CustomerRecord:
        record = await self.inner.create_customer(draft)
        await self._keep(record)
        return record

    async def update_customer(self, customer_id: str, patch: CustomerPatch) -> CustomerRecord:
        record = await self.inner.update_customer(customer_id, patch)
        await self._keep(record)
        return record

    async def delete_customer(self, customer_id: str) -> None:
        await self.inner.delete_customer(customer_id)
        await self._forget([customer_id])

    async def batch(self, items: Sequence[BatchItem]) -> Sequence[BatchResult]:
        results = await self.inner.batch(items)
        kept = [r.record for r in results if r.ok and r.record is not None]
        gone = [
            r.customer_id
            for r in results
            if r.ok and r.item.operation is BatchOperation.DELETE and r.customer_id is not None
        ]
        for record in kept:
            await self._keep(record)
        await self._forget(gone)
        return results

    async def create_group(self, draft: GroupDraft) -> GroupRecord:
        group = await self.inner.create_group(draft)
        await self._guard(self.mirror.upsert_group(group))
        return group

    async def update_group(self, group_id: str, patch: GroupPatch) -> GroupRecord:
        group = await self.inner.update_group(group_id, patch)
        await self._guard(self.mirror.upsert_group(group))
        return group

    async def delete_group(self, group_id: str) -> None:
        await self.inner.delete_group(group_id)
        await self._guard(self.mirror.delete_group(group_id))

    async def _keep(self, record: CustomerRecord) -> None:
        if record.missing:
            return  # a partial answer: the next sync step brings the whole record
        await self._guard(self.mirror.upsert([record]))

    async def _forget(self, ids: Sequence[str]) -> None:
        if ids:
            await self._guard(self.mirror.delete(ids))

    async def _guard(self, write: Any) -> None:
        """The source has the write; a store that fails to take it must not fail the mutation
        (the next sync step brings it). Logged by code, never with the row."""
        try:
            await write
        except Exception as error:
            logger.warning(
                "mirror of %s missed a write (%s); the next sync brings it",
                self.name,
                type(error).__name__,
            )


class MirroredSource(SyncingSource):
    """Reads from the store. A store that fails a read is marked unavailable (the next
    requests read the source itself, `Mirrors.serving`); this request answers from the source
    where that gives the same answer (records by id, groups), else with a retryable typed error
    for this source alone (a list was planned with the mirror's capabilities, which the source
    does not have)."""

    async def list_customers(self, query: CustomerQuery) -> Page:
        if any(condition.field in LIVE_ONLY for condition in query.conditions):
            return await self.inner.list_customers(query)  # only the source can tell
        found = await self.query_store(
            [SourceSelection(self.name, query.conditions)], query.sort, query.offset, query.limit
        )
        return Page(found.records, found.total)

    async def query_store(
        self,
        selection: Sequence[SourceSelection],
        sort: Sort,
        offset: int,
        limit: int | None,
        groups_of: Sequence[str] = (),
    ) -> StorePage:
        """One page of the store (this source's rows, or several mirrored sources' together),
        with the group lists of the mirrored sources `groups_of` read alongside."""
        store = self.mirror.store
        try:
            return await store.availability.read(
                store.query_page(selection, sort, offset, limit, groups_of)
            )
        except StoreUnavailable:
            raise UpstreamUnavailable(
                f"{self.name}: the mirror's store did not answer; the next request reads "
                "the source itself",
                source=self.name,
            ) from None

    async def get_customers(self, ids: Sequence[str]) -> Sequence[CustomerRecord | None]:
        store = self.mirror.store
        try:
            return await store.availability.read(store.get_customers(self.name, ids))
        except StoreUnavailable:
            return await self.inner.get_customers(ids)

    @property
    def groups_in_store(self) -> bool:
        """Its group list is read from the store (else from the source itself)."""
        return self.mirror.groups is True

    async def list_groups(self) -> Sequence[GroupRecord]:
        if not self.groups_in_store:
            return await self.inner.list_groups()  # the source's own answer (or its error)
        store = self.mirror.store
        try:
            return await store.availability.read(store.list_groups(self.name))
        except StoreUnavailable:
            return await self.inner.list_groups()

    async def get_groups(self, ids: Sequence[str]) -> Sequence[GroupRecord | None]:
        by_id = {group.id: group for group in await self.list_groups()}
        return [by_id.get(group_id) for group_id in ids]


# -- the optional protocols, delegated to the source --------------------------------------


class _Regions(SyncingSource):
    inner: Regions

    async def list_regions(self) -> Sequence[RegionRecord]:
        return await self.inner.list_regions()


class _ChangeFeed(SyncingSource):
    inner: ChangeFeed

    async def list_changes(
        self, since: datetime, change_type: ChangeType | None, offset: int, limit: int
    ) -> ChangePage:
        return await self.inner.list_changes(since, change_type, offset, limit)


class _Snapshots(SyncingSource):
    inner: Snapshots

    async def start_snapshot(self) -> SnapshotJob:
        return await self.inner.start_snapshot()

    def snapshot_records(self, job: SnapshotJob) -> AsyncIterator[CustomerRecord]:
        return self.inner.snapshot_records(job)


class _StoreViews(SyncingSource):
    inner: StoreViews

    async def get_store_view(self, customer_id: str, store_id: str) -> StoreView | None:
        return await self.inner.get_store_view(customer_id, store_id)

    async def add_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord:
        record = await self.inner.add_extension(customer_id, extension, store_id)
        await self._keep(record)
        return record

    async def remove_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord:
        record = await self.inner.remove_extension(customer_id, extension, store_id)
        await self._keep(record)
        return record


class _ExternalSearch(SyncingSource):
    inner: ExternalSearch

    async def search_external(self, query: str, offset: int, limit: int) -> ExternalPage:
        return await self.inner.search_external(query, offset, limit)


class _DataExports(SyncingSource):
    inner: DataExports

    async def data_export(self, customer_id: str) -> Mapping[str, Any] | None:
        return await self.inner.data_export(customer_id)


class _OrderHistory(SyncingSource):
    inner: OrderHistory

    async def list_orders(self, customer_id: str) -> Sequence[OrderRecord]:
        return await self.inner.list_orders(customer_id)


_PARTS: tuple[tuple[type[Connector], type[SyncingSource]], ...] = (
    (Regions, _Regions),
    (ChangeFeed, _ChangeFeed),
    (Snapshots, _Snapshots),
    (StoreViews, _StoreViews),
    (ExternalSearch, _ExternalSearch),
    (DataExports, _DataExports),
    (OrderHistory, _OrderHistory),
)

_CLASSES: dict[str, tuple[type[SyncingSource], type[MirroredSource]]] = {}


def mirrored_classes(
    connector: Connector,
) -> tuple[type[SyncingSource], type[MirroredSource]]:
    """The two connector classes of a kind's mirror (made once per kind), with the optional
    protocols the kind's connector has."""
    kind, capabilities = connector.kind, connector.capabilities
    if kind in _CLASSES:
        return _CLASSES[kind]
    title = "".join(part.title() for part in kind.split("_"))
    parts = tuple(part for protocol, part in _PARTS if isinstance(connector, protocol))
    syncing = type(
        f"Syncing{title}Source",
        (*parts, SyncingSource),
        {"kind": kind, "capabilities": capabilities},
    )
    mirrored = type(
        f"Mirrored{title}Source",
        (MirroredSource, *parts),
        {"kind": kind, "capabilities": mirrored_capabilities(capabilities)},
    )
    _CLASSES[kind] = (syncing, mirrored)
    return syncing, mirrored
