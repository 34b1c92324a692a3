"""The gateway's own records. Connectors map upstream JSON to these; the schema maps them to types.

Ids are strings everywhere (native ids differ in type: EverShop uuid, Ecwid number, Flow Retail
uid); `numeric_id` keeps the integer that EverShop's `customerId`/`customerGroupId` expose.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from customer_gateway.connectors.quick_init import quick_init


class FilterField(enum.Enum):
    KEYWORD = "keyword"
    EMAIL = "email"
    FULL_NAME = "full_name"
    PHONE = "phone"
    VAT_NUMBER = "vat_number"
    STATUS = "status"
    GROUP = "group"
    COMPANY_NAME = "company_name"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    EXTERNAL_ID = "external_id"  # Flow Retail's `externalId`
    STORE = "store"  # Flow Retail: customers of one store (only the source can tell)


class Op(enum.Enum):
    EQ = "eq"
    NEQ = "neq"
    GT = "gt"
    GTEQ = "gteq"
    LT = "lt"
    LTEQ = "lteq"
    LIKE = "like"
    NLIKE = "nlike"
    IN = "in"
    NIN = "nin"


class SortField(enum.Enum):
    CREATED_AT = "created_at"
    EMAIL = "email"
    NAME = "name"
    STATUS = "status"
    # EverShop's default order (no `ob`): what a list over EverShop sources alone is sorted by.
    CUSTOMER_ID = "customer_id"


TEXT_SORTS = frozenset({SortField.EMAIL, SortField.NAME})  # ordered by a collation


class Pushdown(enum.Enum):
    """How faithfully a source applies a filter it is sent."""

    EXACT = "exact"  # the source returns exactly the matching records
    SUPERSET = (
        "superset"  # the source narrows; the gateway re-applies the filter on what comes back
    )


class Write(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Condition:
    field: FilterField
    op: Op
    values: tuple[str, ...]  # one value, or several for `in`/`nin`

    @property
    def value(self) -> str:
        return self.values[0]


@dataclass(frozen=True, slots=True)
class Sort:
    field: SortField = SortField.CREATED_AT
    descending: bool = True


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """Ask a source for records `offset .. offset+limit` (limit None: all) in `sort` order.

    `conditions` holds only what the source's capabilities accept; the resolver applies the rest.
    """

    conditions: tuple[Condition, ...] = ()
    sort: Sort = Sort()
    offset: int = 0
    limit: int | None = 20
    # What the caller will read of each record: a list page that selects no addresses (or no
    # metaData) lets the connector skip building them (bench/README.md). Filters and sorts never
    # read either.
    include_addresses: bool = True
    include_metadata: bool = True
    # The optional record attributes the caller reads (None: all): a list page's selection with
    # what its filters and sort read. A connector may leave the others of `OPTIONAL_READS`
    # unset (None) on what it lists: they are never read (bench/README.md).
    reads: frozenset[str] | None = None
    # The caller reads each row's native id and sort value first and maps only the rows it shows
    # (a merge of several sources): a connector may answer with `rows.Rows`, whose rows are
    # mapped (and checked) when read. False: every item is a record, checked before the page
    # returns.
    lazy_rows: bool = False

    def reads_attribute(self, attribute: str) -> bool:
        return self.reads is None or attribute in self.reads


# What `CustomerQuery.reads` may leave out of a listed record: details that cost a listed row
# decoding and mapping (a date parsed, a phone looked for in the contacts) and no page needs
# unless it shows, filters or sorts by them.
OPTIONAL_READS: Final = frozenset({"updated_at", "phone", "vat_number", "company_name"})


@dataclass(frozen=True, slots=True)
class GroupRef:
    """A customer's group. When the source embeds the group, `numeric_id` and `name` are set and
    no group lookup is needed."""

    id: str
    numeric_id: int | None = None
    name: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Address:
    id: str | None
    kind: str  # "billing", "delivery" or "address" (EverShop does not type its addresses)
    full_name: str | None = None
    company: str | None = None
    telephone: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    postcode: str | None = None
    country_code: str | None = None
    province_code: str | None = None
    province_name: str | None = None
    is_default: bool | None = None
    numeric_id: int | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class CustomerRecord:
    source: str
    id: str
    numeric_id: int
    email: str | None
    full_name: str | None
    status: int
    created_at: datetime | None
    updated_at: datetime | None = None
    phone: str | None = None
    vat_number: str | None = None
    company_name: str | None = None
    external_id: str | None = None  # a reference in another system (Flow Retail)
    groups: tuple[GroupRef, ...] = ()
    addresses: tuple[Address, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    urn: str | None = None  # the source's own URN, where it has one
    edit_url: str | None = None
    update_api: str | None = None
    delete_api: str | None = None
    # Fields this record does not carry yet (a list summary); `get_customers` returns them.
    missing: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class GroupRecord:
    source: str
    id: str
    numeric_id: int
    name: str
    is_default: bool = False
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RegionRecord:
    source: str
    id: str
    name: str
    code: str | None
    country_code: str | None


@dataclass(frozen=True, slots=True)
class Page:
    items: Sequence[CustomerRecord]
    total: int


class SyncStyle(enum.Enum):
    """How a local mirror of the source is filled and kept (customer_gateway/mirror)."""

    # A point-in-time snapshot file, then the change feed (`start_snapshot`, `list_changes`).
    SNAPSHOT_FEED = "snapshot+feed"
    # Every customer by paging (`sync_page`), then the change feed (`list_changes`).
    PAGING_FEED = "paging+feed"
    # Every customer by paging, then periodic reconcile passes (no change feed).
    RECONCILE = "paging+reconcile"


@dataclass(frozen=True, slots=True)
class SyncPage:
    """One page of every customer, complete (no `missing`), in an order stable across pages."""

    items: Sequence[CustomerRecord]
    total: int  # the source's count when the page was read
    next_offset: int | None  # None: this was the last page


@dataclass(frozen=True, slots=True)
class SnapshotJob:
    """A source's snapshot of every customer, ready to download until it expires."""

    job_id: str
    url: str
    as_of: datetime  # the moment the snapshot reflects


class ChangeType(enum.Enum):
    EDIT = "edit"  # created or changed (Shoptet reports creations as edits)
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """The latest change of one customer since a point in time."""

    source: str
    id: str
    change_type: ChangeType
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class ChangePage:
    items: Sequence[ChangeRecord]
    total: int


@dataclass(frozen=True, slots=True)
class AddressDraft:
    """The customer's own address as written (Shoptet's and Ecwid's billing address, Flow
    Retail's primary address). Only the fields that are not None are written."""

    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    postcode: str | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-2, upper case
    province_code: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerDraft:
    email: str
    full_name: str | None = None  # sources that need a name say so (`create_requires_name`)
    password: str | None = field(default=None, repr=False)
    status: int | None = None
    group_ids: tuple[str, ...] = ()  # most sources keep one group; Flow Retail several
    phone: str | None = None
    first_name: str | None = None  # sources that store the name in parts (Flow Retail)
    last_name: str | None = None
    company_name: str | None = None
    vat_number: str | None = None
    address: AddressDraft | None = None

    @property
    def group_id(self) -> str | None:
        return self.group_ids[0] if self.group_ids else None


@dataclass(frozen=True, slots=True)
class CustomerPatch:
    """Only the fields that are not None change."""

    email: str | None = None
    full_name: str | None = None
    password: str | None = field(default=None, repr=False)
    status: int | None = None
    group_ids: tuple[str, ...] | None = None  # replaces every group
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    vat_number: str | None = None
    address: AddressDraft | None = None  # its given fields change, the others stay

    @property
    def group_id(self) -> str | None:
        return self.group_ids[0] if self.group_ids else None

    def is_empty(self) -> bool:
        return all(
            value is None
            for value in (
                self.email,
                self.full_name,
                self.password,
                self.status,
                self.group_ids,
                self.phone,
                self.first_name,
                self.last_name,
                self.company_name,
                self.vat_number,
                self.address,
            )
        )


@dataclass(frozen=True, slots=True)
class GroupDraft:
    name: str


@dataclass(frozen=True, slots=True)
class GroupPatch:
    name: str | None = None


@dataclass(frozen=True, slots=True)
class StoreView:
    """A customer as one store of a chain sees it (Flow Retail's store endpoint)."""

    store_id: str
    store_name: str | None
    first_visit_at: datetime | None
    last_visit_at: datetime | None
    visit_count: int | None
    loyalty_points: int | None
    details: Mapping[str, Any]  # everything the source said, as it said it


@dataclass(frozen=True, slots=True)
class ExternalHit:
    """A company found in an external register (not a customer of the source)."""

    name: str
    organization_number: str | None
    address: str | None
    postcode: str | None
    city: str | None
    country_code: str | None
    registry: str | None


@dataclass(frozen=True, slots=True)
class ExternalPage:
    items: Sequence[ExternalHit]
    total: int


class BatchOperation(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    UPSERT = "upsert"


@dataclass(frozen=True, slots=True)
class BatchItem:
    operation: BatchOperation
    index: int  # position within its operation's list
    customer_id: str | None = None  # update, delete; upsert when the customer may exist
    draft: CustomerDraft | None = None  # create, upsert
    patch: CustomerPatch | None = None  # update


@dataclass(frozen=True, slots=True)
class BatchResult:
    item: BatchItem
    record: CustomerRecord | None = None  # what the item produced (None for a delete)
    customer_id: str | None = None
    error: Exception | None = None  # a GatewayError when the item failed

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class StatusLabel:
    """An order's payment or shipment status as the source names it (EverShop's shape)."""

    code: str | None
    name: str | None
    badge: str | None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One order of a customer, as the source's admin shows it in the order history.

    Texts (`created_text`, `grand_total_text`) are the source's own rendering (its time zone,
    locale and store currency); the gateway passes them on.
    """

    source: str
    id: str  # the source's order uuid
    order_id: str
    order_number: str
    currency: str | None
    customer_email: str | None
    customer_full_name: str | None
    created_value: str | None  # epoch milliseconds, as text (EverShop's Date.value)
    created_text: str | None
    grand_total: float
    grand_total_currency: str | None
    grand_total_text: str | None
    payment_status: StatusLabel | None
    shipment_status: StatusLabel | None
    edit_url: str | None
