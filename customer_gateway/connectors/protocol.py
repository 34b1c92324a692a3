"""The Connector protocol every upstream implements, and the optional ones some do.

A connector is built for one configured source and owns that source's `SourceClient`
(created in the app's lifespan). It returns the gateway's records (`models.py`) and raises only
`UpstreamError`s (`errors.py`): httpx exceptions, upstream bodies and URLs with query strings
never leave this package.

An operation only some kinds have is an optional protocol (`Regions`, `ChangeFeed`,
`Snapshots`, `StoreViews`, `ExternalSearch`, `DataExports`, `OrderHistory`): a connector
implements it by having its methods, and the resolvers check for it (`isinstance`) instead of
calling a default that refuses. Where `Capabilities` has a flag for it (regions, changes,
native_data_export, sync), the flag and the protocol agree (tests/contract checks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, NoReturn, Protocol, runtime_checkable

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.errors import Unsupported
from customer_gateway.connectors.http import UpstreamHTTP
from customer_gateway.connectors.models import (
    BatchItem,
    BatchResult,
    ChangePage,
    ChangeType,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    ExternalPage,
    GroupDraft,
    GroupPatch,
    GroupRecord,
    OrderRecord,
    Page,
    RegionRecord,
    SnapshotJob,
    StoreView,
    SyncPage,
)
from customer_gateway.server.settings import SourceSettings


class Connector(Protocol):
    """One configured source: what every kind implements. Every method raises only
    `UpstreamError`s. Operations only some kinds have are the optional protocols below."""

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

    def export_customers(self) -> AsyncIterator[CustomerRecord]:
        """Every customer, complete, streamed (bounded memory whatever the source's size)."""
        ...

    async def sync_page(self, offset: int, size: int) -> SyncPage:
        """Customers `offset..offset+size` of every customer, oldest first, complete."""
        ...

    async def batch(self, items: Sequence[BatchItem]) -> Sequence[BatchResult]:
        """One result per item, in order; an item's failure is its result, not an exception."""
        ...

    async def check(self) -> None:
        """Prove the source is reachable and accepts our credentials (for /readyz)."""
        ...

    async def text_order_sample(self) -> Sequence[Sequence[str]] | None:
        """Texts the source sorted itself, each sequence ascending (what `customer-gateway
        check` tests the `collation` setting against); None: it sorts no text."""
        ...


@runtime_checkable
class Regions(Connector, Protocol):
    """The source's customer-address regions (Shoptet); `capabilities.regions`."""

    async def list_regions(self) -> Sequence[RegionRecord]: ...


@runtime_checkable
class ChangeFeed(Connector, Protocol):
    """A change feed (Shoptet, Ecwid); `capabilities.changes`."""

    async def list_changes(
        self, since: datetime, change_type: ChangeType | None, offset: int, limit: int
    ) -> ChangePage:
        """Changes since `since`, oldest first, the latest change per customer."""
        ...


@runtime_checkable
class Snapshots(Connector, Protocol):
    """A snapshot file of every customer (Shoptet); `capabilities.sync` is SNAPSHOT_FEED."""

    async def start_snapshot(self) -> SnapshotJob:
        """Start the source's snapshot of every customer and wait until it can be read."""
        ...

    def snapshot_records(self, job: SnapshotJob) -> AsyncIterator[CustomerRecord]:
        """The snapshot's customers, in the file's order, streamed."""
        ...


@runtime_checkable
class StoreViews(Connector, Protocol):
    """Customers as one store sees them, and their per-store extensions (Flow Retail)."""

    async def get_store_view(self, customer_id: str, store_id: str) -> StoreView | None: ...

    async def add_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord: ...

    async def remove_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord: ...


@runtime_checkable
class ExternalSearch(Connector, Protocol):
    """A search of an external company register (Flow Retail)."""

    async def search_external(self, query: str, offset: int, limit: int) -> ExternalPage: ...


@runtime_checkable
class DataExports(Connector, Protocol):
    """The source's own GDPR export (Flow Retail); `capabilities.native_data_export`."""

    async def data_export(self, customer_id: str) -> Mapping[str, Any] | None: ...


@runtime_checkable
class OrderHistory(Connector, Protocol):
    """The customers' orders (EverShop's `Customer.orders`)."""

    async def list_orders(self, customer_id: str) -> Sequence[OrderRecord]:
        """None-free, maybe empty."""
        ...


OPTIONAL: tuple[type[Connector], ...] = (
    Regions,
    ChangeFeed,
    Snapshots,
    StoreViews,
    ExternalSearch,
    DataExports,
    OrderHistory,
)


def no_api(connector: Connector, operation: str) -> Unsupported:
    """What a source without an optional protocol answers: a typed error, never an empty one."""
    return Unsupported(
        f"{connector.kind} sources have no API to {operation}", source=connector.name
    )


async def refuse(error: Unsupported) -> NoReturn:
    """`error` as an awaitable: where the operation would have been (counted and reported by the
    request context like the operation's own failure)."""
    raise error
