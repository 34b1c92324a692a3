"""Ecwid (README section 3), two connector kinds over one mapping:

* `ecwid`: the Ecwid REST API v3 directly. Credentials `store_id` (the numeric store id) and
  `token` (the app's `secret_…` token, sent as `Authorization: Bearer`, never as `?token=`);
  base_url `https://app.ecwid.com`. Every customer operation, customer groups (read and write,
  a paid-plan feature: 402 becomes UNSUPPORTED_OPERATION) and the change feed (`updatedFrom`
  edits + the deleted log).
* `ecwid_wrapper`: the seed's JSON wrapper around Ecwid (README 3.4). Credential `api_key`;
  option `path_prefix` (default `/api/json/v1/ecwid`). The customer operations only: the
  wrapper has no group routes and no deleted log, so group writes and the change feed are
  UNSUPPORTED_OPERATION. Each customer carries its group's id and name, so the group list is
  the groups the store's customers are in, plus General (read from every customer, 100 per
  request, projected to those two fields; a group nobody is in is not listed).

Shared by both (the dialects differ only in how a call is sent and unwrapped, `dialects.py`):
* lists page with offset/limit, at most 100 per request: any offset/limit the gateway asks
  for is served, a window over 100 by several requests (concurrent, under the source's
  bulkhead and rate limit); filters and sorts as `search.py` describes;
* `customer(id)` reads `GET /customers/{id}` per id (Ecwid has no id filter), concurrently;
* create and update answer only `{id}`/`{updateCount}`: the customer is read back, so the
  mutation returns the whole record;
* Ecwid has no status: `status: 1` is accepted (every customer is enabled), 0 is refused;
* `password` is passed through on create and update: Ecwid keeps it for stores on the legacy
  sign-in (others ignore it). It travels only in the request body over TLS, like EverShop's,
  and is never logged or read back;
* 600 requests per minute per token (also the wrapper's own throttle) are paced by the
  gateway; a 429 becomes UPSTREAM_RATE_LIMITED with Retry-After, and reads are retried after
  it when the deadline allows;
* errors map by status; Ecwid's `errorMessage` is read only to name the refused field and
  the missing scope, never repeated.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.defaults import ConnectorBase
from customer_gateway.connectors.ecwid import mapping
from customer_gateway.connectors.ecwid.capabilities import (
    CAPABILITIES,
    PAGE_MAX,
    WRAPPER_CAPABILITIES,
)
from customer_gateway.connectors.ecwid.dialects import V3, WRAPPER_PREFIX, Dialect, Params, Wrapper
from customer_gateway.connectors.ecwid.errors import error_for_response
from customer_gateway.connectors.ecwid.search import search_params, sort_by
from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    Unsupported,
    UpstreamError,
    UpstreamRejected,
)
from customer_gateway.connectors.helpers import gather_reads
from customer_gateway.connectors.models import (
    ChangePage,
    ChangeRecord,
    ChangeType,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    GroupDraft,
    GroupPatch,
    GroupRecord,
    Page,
)
from customer_gateway.connectors.reading import Reader
from customer_gateway.connectors.rows import NotRead, RowMapper
from customer_gateway.connectors.transport import Answer
from customer_gateway.core.errors import QueryTooComplex
from customer_gateway.server.settings import ConfigError, SourceSettings

MAX_CHANGES: Final = 5000  # changes one request may read (50 requests of 100)
# The deleted log is "kept 6 months" (README 3.3); 180 days is inside every 6-month span.
DELETED_RETENTION: Final = timedelta(days=180)

# `responseFields` of a list page without metaData: what `mapping.customer` reads then (the
# billing person's name parts, phone and company; contacts for a phone; the embedded group).
_ITEM_FIELDS = (
    "id,email,name,registered,updated,taxId,customerGroupId,customerGroupName,"
    "contacts(type,default,contact)"
)
LIST_FIELDS: Final = (
    f"total,items({_ITEM_FIELDS},billingPerson(name,firstName,lastName,phone,companyName))"
)
LIST_FIELDS_WITH_ADDRESSES: Final = f"total,items({_ITEM_FIELDS},billingPerson,shippingAddresses)"


@functools.lru_cache(maxsize=64)
def list_fields(addresses: bool, reads: frozenset[str] | None) -> str:
    """`responseFields` of a list page without metaData that reads `reads` of the optional
    attributes (None: all): `LIST_FIELDS` (`LIST_FIELDS_WITH_ADDRESSES`) less what only the
    attributes it does not read need (`updated`, `taxId`, the contacts and the billing person's
    phone, its company)."""
    if reads is None:
        return LIST_FIELDS_WITH_ADDRESSES if addresses else LIST_FIELDS
    phone = "phone" in reads
    item = ["id", "email", "name", "registered"]
    item += ["updated"] if "updated_at" in reads else []
    item += ["taxId"] if "vat_number" in reads else []
    item += ["customerGroupId", "customerGroupName"]
    item += ["contacts(type,default,contact)"] if phone else []
    if addresses:
        item += ["billingPerson", "shippingAddresses"]
    else:
        person = ["name", "firstName", "lastName"]
        person += ["phone"] if phone else []
        person += ["companyName"] if "company_name" in reads else []
        item.append(f"billingPerson({','.join(person)})")
    return f"total,items({','.join(item)})"


# A group list gathered from customers reads at most this many (100 requests of 100).
GROUPS_FROM_CUSTOMERS_MAX: Final = 10_000


class _EcwidBase(ConnectorBase):
    """Every customer operation, over whichever dialect the subclass sets up."""

    dialect: Dialect

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read = Reader(self.name)
        self._group_refs: mapping.GroupRefs = {}
        self._row_keys = mapping.row_keys(self.read)

    # -- errors ---------------------------------------------------------------------------

    def error_for_status(self, response: Answer) -> UpstreamError:
        return error_for_response(self.name, response, self.dialect)

    # -- customers ------------------------------------------------------------------------

    async def list_customers(self, query: CustomerQuery) -> Page:
        params = search_params(query.conditions)
        if params is None:
            return Page([], 0)  # the group filter names no group of this store
        base: dict[str, str | int] = {**params, "sortBy": sort_by(query.sort)}
        if not query.include_metadata:
            # Only what the mapping reads comes back: a page that selects no metaData (nor
            # addresses) was ~2.3 KB a customer, mostly addresses, contacts and stats decoded
            # to be dropped (bench/README.md, instructions per request).
            base["responseFields"] = list_fields(query.include_addresses, query.reads)
        limit = query.limit
        first_size = PAGE_MAX if limit is None else min(PAGE_MAX, max(limit, 1))

        def record(item: Any, created_at: datetime | None | NotRead) -> CustomerRecord:
            return mapping.customer(
                self.read,
                self.name,
                self.read.object(item, "customers.items[]"),
                addresses_wanted=query.include_addresses,
                metadata_wanted=query.include_metadata,
                reads=query.reads,
                group_refs=self._group_refs,
                created_at=created_at,
            )

        rows = RowMapper.of(query, record, self._row_keys)

        async def fetch(offset: int, size: int) -> tuple[list[Any], int]:
            body = await self.dialect.search({**base, "offset": offset, "limit": size})
            items = rows.kept(self.read.array(body.get("items"), "customers.items"))
            return items, self.read.integer(body, "total", "customers")

        records, total = await fetch(query.offset, first_size)
        if limit == 0:
            return Page([], total)
        end = total if limit is None else min(total, query.offset + limit)
        offsets = range(query.offset + first_size, end, PAGE_MAX)
        if len(records) == first_size and offsets:
            pages = await asyncio.gather(
                *(fetch(offset, min(PAGE_MAX, end - offset)) for offset in offsets)
            )
            for more, _ in pages:
                records.extend(more)
        return Page(rows.items(records if limit is None else records[:limit]), total)

    async def get_customers(self, ids: Sequence[str]) -> Sequence[CustomerRecord | None]:
        unique = [i for i in dict.fromkeys(ids) if mapping.is_ecwid_id(i)]
        found = await gather_reads([self.dialect.fetch(i) for i in unique])
        records = {
            customer_id: mapping.customer(self.read, self.name, obj)
            for customer_id, obj in zip(unique, found, strict=True)
            if obj is not None
        }
        return [records.get(customer_id) for customer_id in ids]

    async def create_customer(self, draft: CustomerDraft) -> CustomerRecord:
        if draft.status == 0:
            raise self._no_status()
        group = self._group_number(draft.group_id) if draft.group_id is not None else None
        new_id = str(await self.dialect.insert(mapping.create_body(draft, group)))
        return await self._read_back(new_id, f"customer {new_id} was created")

    async def update_customer(self, customer_id: str, patch: CustomerPatch) -> CustomerRecord:
        if not mapping.is_ecwid_id(customer_id):
            raise self._no_customer()
        if patch.status == 0:
            raise self._no_status()
        group = self._group_number(patch.group_id) if patch.group_id is not None else None
        # The billing person is read and sent back whole (whether PUT merges it is unknown):
        # under the customer's lock, so a concurrent update's change is read, not overwritten.
        async with self.writing_customer(customer_id):
            billing: Mapping[str, Any] | None = None
            if mapping.changes_billing(patch):
                current = await self.dialect.fetch(customer_id)
                if current is None:
                    raise self._no_customer()
                billing = self.read.object(current.get("billingPerson") or {}, "billingPerson")
            body = mapping.update_body(patch, group, billing)
            if not body:  # only `status: 1`, which every Ecwid customer has: nothing to send
                current = await self.dialect.fetch(customer_id)
                if current is None:
                    raise self._no_customer()
                return mapping.customer(self.read, self.name, current)
            await self.dialect.replace(customer_id, body)
            return await self._read_back(customer_id, "the customer was updated")

    async def delete_customer(self, customer_id: str) -> None:
        if not mapping.is_ecwid_id(customer_id):
            raise self._no_customer()
        async with self.writing_customer(customer_id):
            await self.dialect.remove(customer_id)

    async def _read_back(self, customer_id: str, done: str) -> CustomerRecord:
        """Ecwid's writes answer with an id or a count: the record is read after them."""
        try:
            obj = await self.dialect.fetch(customer_id)
        except UpstreamError as error:
            error.message = f"{error.message} ({done}; reading it back failed)"
            error.args = (error.message,)
            raise
        if obj is None:
            raise NotFound(f"{self.name}: {done} but is gone when read back", source=self.name)
        return mapping.customer(self.read, self.name, obj)

    async def check(self) -> None:
        body = await self.dialect.search({"limit": 1, "responseFields": "total"})
        self.read.integer(body, "total", "customers")

    # -- helpers --------------------------------------------------------------------------

    def _group_number(self, group_id: str) -> int:
        if not mapping.is_ecwid_id(group_id):
            raise UpstreamRejected(
                f"{self.name}: Ecwid customer group ids are numbers",
                source=self.name,
                field="groupId",
            )
        return int(group_id)

    def _no_customer(self) -> NotFound:
        return NotFound(f"{self.name} has no such customer", source=self.name)

    def _no_status(self) -> Unsupported:
        return Unsupported(
            f"{self.name}: Ecwid customers have no status; every customer is enabled (1)",
            source=self.name,
            field="status",
        )


class EcwidConnector(_EcwidBase):
    """Ecwid REST API v3: `https://app.ecwid.com/api/v3/{store_id}/…`."""

    kind: ClassVar[str] = "ecwid"
    path_words: ClassVar[frozenset[str] | None] = frozenset(
        {"api", "v3", "customers", "customer_groups", "deleted"}
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("store_id", "token")
    capabilities: ClassVar[Capabilities] = CAPABILITIES

    @classmethod
    def validate_settings(cls, settings: SourceSettings) -> None:
        super().validate_settings(settings)
        if not mapping.is_ecwid_id(settings.credentials["store_id"].reveal().strip()):
            raise ConfigError(
                f"source {settings.name!r} (ecwid): credentials.store_id must be the numeric "
                "store id"
            )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        credentials = self.settings.credentials
        store_id = credentials["store_id"].reveal().strip()
        self.v3 = V3(self.http, self.read, self.name, store_id, credentials["token"].reveal())
        self.dialect = self.v3

    def path_placeholders(self) -> Mapping[str, str]:
        return {self.settings.credentials["store_id"].reveal().strip(): "{store_id}"}

    # -- customer groups ------------------------------------------------------------------

    async def list_groups(self) -> Sequence[GroupRecord]:
        first, total = await self._page("/customer_groups", {}, 0, "customerGroups")
        items = first + await self._rest("/customer_groups", {}, first, total, "customerGroups")
        groups = [
            mapping.group(self.read, self.name, self.read.object(item, "customerGroups[]"))
            for item in items
        ]
        if not any(group.id == str(mapping.GENERAL_GROUP_ID) for group in groups):
            groups.insert(0, mapping.general_group(self.name))
        return groups

    async def create_group(self, draft: GroupDraft) -> GroupRecord:
        created = await self.v3.call("POST", "/customer_groups", body={"name": draft.name})
        group_id = str(self.read.integer(created, "id", "body"))
        return await self._group_back(group_id, f"group {group_id} was created")

    async def update_group(self, group_id: str, patch: GroupPatch) -> GroupRecord:
        self._changeable_group(group_id)
        if patch.name is None:
            return mapping.group(
                self.read, self.name, await self.v3.call("GET", f"/customer_groups/{group_id}")
            )
        answer = await self.v3.call(
            "PUT", f"/customer_groups/{group_id}", body={"name": patch.name}
        )
        self.read.integer(answer, "updateCount", "body")
        return await self._group_back(group_id, "the group was renamed")

    async def delete_group(self, group_id: str) -> None:
        self._changeable_group(group_id)
        answer = await self.v3.call("DELETE", f"/customer_groups/{group_id}")
        if self.read.integer(answer, "deleteCount", "body") == 0:
            raise NotFound(f"{self.name} has no such customer group", source=self.name)

    def _changeable_group(self, group_id: str) -> None:
        """General (0) is built in: refused here, without a request."""
        if group_id == str(mapping.GENERAL_GROUP_ID):
            raise Conflict(
                f"{self.name}: the General group cannot be changed or deleted",
                source=self.name,
                field="id",
            )
        if not mapping.is_ecwid_id(group_id):
            raise NotFound(f"{self.name} has no such customer group", source=self.name)

    async def _group_back(self, group_id: str, done: str) -> GroupRecord:
        """Group writes answer with an id or a count: the group is read after them."""
        try:
            obj = await self.v3.call("GET", f"/customer_groups/{group_id}")
        except UpstreamError as error:
            error.message = f"{error.message} ({done}; reading it back failed)"
            error.args = (error.message,)
            raise
        return mapping.group(self.read, self.name, obj)

    # -- change feed ----------------------------------------------------------------------

    async def list_changes(
        self, since: datetime, change_type: ChangeType | None, offset: int, limit: int
    ) -> ChangePage:
        """Edits from `GET /customers?updatedFrom=` (creations included), deletions from
        `GET /customers/deleted?from_date=`; the latest change per customer, oldest first."""
        if change_type is not ChangeType.EDIT and since < datetime.now(UTC) - DELETED_RETENTION:
            raise Unsupported(
                f"{self.name}: Ecwid keeps deleted customers for 6 months; ask for changes "
                f"of the last {DELETED_RETENTION.days} days, or for changeType EDIT only",
                source=self.name,
                field="since",
            )
        start = mapping.unix_seconds(since)
        feeds: list[tuple[str, dict[str, str | int], Callable[[Any], ChangeRecord]]] = []
        if change_type is not ChangeType.DELETE:
            edits: dict[str, str | int] = {
                "updatedFrom": start,
                "sortBy": "UPDATED_DATE_ASC",
                "responseFields": "total,items(id,updated)",
            }
            feeds.append(("/customers", edits, self._edit))
        if change_type is not ChangeType.EDIT:
            feeds.append(("/customers/deleted", {"from_date": start}, self._deletion))

        firsts = await asyncio.gather(
            *(self._page(path, params, 0, "changes") for path, params, _ in feeds)
        )
        total = sum(count for _, count in firsts)
        if total > MAX_CHANGES:
            raise QueryTooComplex(
                f"{self.name} reports {total} changes since then; the gateway reads at most "
                f"{MAX_CHANGES} ({PAGE_MAX} per request). Ask for a later `since`.",
                source=self.name,
            )
        rests = await asyncio.gather(
            *(
                self._rest(path, params, items, count, "changes")
                for (path, params, _), (items, count) in zip(feeds, firsts, strict=True)
            )
        )
        changes = [
            to_change(self.read.object(item, "changes[]"))
            for (_, _, to_change), (first, _), rest in zip(feeds, firsts, rests, strict=True)
            for item in first + rest
        ]
        latest = mapping.latest_changes(changes)
        return ChangePage(latest[offset : offset + limit], len(latest))

    def _edit(self, obj: Any) -> ChangeRecord:
        return mapping.edit(self.read, self.name, obj)

    def _deletion(self, obj: Any) -> ChangeRecord:
        return mapping.deletion(self.read, self.name, obj)

    # -- offset/limit lists ---------------------------------------------------------------

    async def _page(
        self, path: str, params: Params, offset: int, where: str
    ) -> tuple[list[Any], int]:
        body = await self.v3.call(
            "GET", path, params={**params, "offset": offset, "limit": PAGE_MAX}
        )
        return self.read.array(body.get("items"), f"{where}.items"), self.read.integer(
            body, "total", where
        )

    async def _rest(
        self, path: str, params: Params, first: list[Any], total: int, where: str
    ) -> list[Any]:
        """The items after a full first page, 100 per request, concurrently."""
        if len(first) < PAGE_MAX:
            return []
        offsets = range(PAGE_MAX, total, PAGE_MAX)
        pages = await asyncio.gather(*(self._page(path, params, o, where) for o in offsets))
        return [item for items, _ in pages for item in items]


class EcwidWrapperConnector(_EcwidBase):
    """The JSON wrapper around Ecwid (README 3.4): customers only."""

    kind: ClassVar[str] = "ecwid_wrapper"
    option_keys: ClassVar[frozenset[str]] = frozenset({"path_prefix"})
    path_words: ClassVar[frozenset[str] | None] = frozenset(
        {"customers", "customer", "add_customer", "update_customer", "delete_customer"}
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("api_key",)
    capabilities: ClassVar[Capabilities] = WRAPPER_CAPABILITIES

    @classmethod
    def validate_settings(cls, settings: SourceSettings) -> None:
        super().validate_settings(settings)
        prefix = settings.options.get("path_prefix", WRAPPER_PREFIX)
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ConfigError(
                f"source {settings.name!r} (ecwid_wrapper): options.path_prefix must start with '/'"
            )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prefix = str(self.settings.options.get("path_prefix", WRAPPER_PREFIX))
        api_key = self.settings.credentials["api_key"].reveal()
        self.dialect = Wrapper(self.http, self.read, self.name, api_key, prefix)

    def route_words(self) -> frozenset[str] | None:
        prefix = str(self.settings.options.get("path_prefix", WRAPPER_PREFIX))
        return (self.path_words or frozenset()) | {part for part in prefix.split("/") if part}

    async def list_groups(self) -> Sequence[GroupRecord]:
        """The groups the store's customers are in, General first, then by id.

        The wrapper has no group routes (README 3.4), but every customer names its group: every
        customer is read, 100 per request (the pages after the first at once), projected to the
        group fields (`responseFields`, a query parameter the wrapper passes on; were it
        ignored, whole customers would come back and be read the same way). A store of more
        than `GROUPS_FROM_CUSTOMERS_MAX` customers is refused before the second request.
        """
        params: dict[str, str | int] = {
            "responseFields": "total,items(customerGroupId,customerGroupName)",
            "sortBy": "REGISTERED_DATE_ASC",
            "limit": PAGE_MAX,
        }
        first = await self.dialect.search({**params, "offset": 0})
        total = self.read.integer(first, "total", "customers")
        if total > GROUPS_FROM_CUSTOMERS_MAX:
            raise QueryTooComplex(
                f"{self.name} has {total} customers; its groups are known only from its "
                f"customers, and the gateway reads at most {GROUPS_FROM_CUSTOMERS_MAX} for them",
                source=self.name,
            )
        pages = [first]
        items = self.read.array(first.get("items"), "customers.items")
        if len(items) == PAGE_MAX:
            offsets = range(PAGE_MAX, total, PAGE_MAX)
            pages += await asyncio.gather(
                *(self.dialect.search({**params, "offset": offset}) for offset in offsets)
            )
        named: dict[int, str | None] = {mapping.GENERAL_GROUP_ID: mapping.GENERAL_GROUP_NAME}
        for page in pages:
            for item in self.read.array(page.get("items"), "customers.items"):
                group = mapping.customer_group(self.read, self.read.object(item, "items[]"))
                named[group.numeric] = group.name
        return [
            mapping.seen_group(self.name, number, name) for number, name in sorted(named.items())
        ]
