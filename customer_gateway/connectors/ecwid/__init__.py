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
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final

import httpx

from customer_gateway.connectors.base import (
    Capabilities,
    ConnectorBase,
    error_for_status,
    retry_after,
)
from customer_gateway.connectors.ecwid import mapping
from customer_gateway.connectors.ecwid.dialects import V3, WRAPPER_PREFIX, Dialect, Params, Wrapper
from customer_gateway.connectors.ecwid.search import search_params, sort_by
from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    Unsupported,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
)
from customer_gateway.connectors.models import (
    ChangePage,
    ChangeRecord,
    ChangeType,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    FilterField,
    GroupDraft,
    GroupPatch,
    GroupRecord,
    Op,
    Page,
    Pushdown,
    SortField,
    SyncStyle,
    Write,
)
from customer_gateway.connectors.reading import Reader
from customer_gateway.connectors.resilience import RateLimit
from customer_gateway.errors import QueryTooComplex
from customer_gateway.settings import ConfigError, SourceSettings

__all__ = ["EcwidConnector", "EcwidWrapperConnector"]

PAGE_MAX: Final = 100  # `limit` maximum of every Ecwid list
MAX_CHANGES: Final = 5000  # changes one request may read (50 requests of 100)
# The deleted log is "kept 6 months" (README 3.3); 180 days is inside every 6-month span.
DELETED_RETENTION: Final = timedelta(days=180)

_SUPERSET = Pushdown.SUPERSET
_FILTERS: Final = {
    (FilterField.KEYWORD, Op.EQ): _SUPERSET,
    (FilterField.FULL_NAME, Op.EQ): _SUPERSET,
    (FilterField.FULL_NAME, Op.LIKE): _SUPERSET,
    (FilterField.EMAIL, Op.EQ): _SUPERSET,
    (FilterField.EMAIL, Op.LIKE): _SUPERSET,
    (FilterField.GROUP, Op.EQ): Pushdown.EXACT,
    (FilterField.GROUP, Op.IN): Pushdown.EXACT,
    **{
        (field, op): _SUPERSET
        for field in (FilterField.CREATED_AT, FilterField.UPDATED_AT)
        for op in (Op.GT, Op.GTEQ, Op.LT, Op.LTEQ)
    },
}
_SORTS: Final = frozenset({SortField.CREATED_AT, SortField.STATUS})
# `status` takes 1 only (Ecwid has none); names and phone go to the billing person, the VAT
# number to `taxId`.
_WRITABLE: Final = frozenset(
    {
        "email",
        "fullName",
        "firstName",
        "lastName",
        "companyName",
        "vatNumber",
        "phone",
        "password",
        "status",
        "groupId",
        "groupIds",
    }
    | {f"address.{part}" for part in mapping.ADDRESS_PARTS}
)
_RATE_LIMITS: Final = {"default": RateLimit(requests=600, per_seconds=60)}
# A group list gathered from customers reads at most this many (100 requests of 100).
GROUPS_FROM_CUSTOMERS_MAX: Final = 10_000
_NOTES: Final = (
    "600 requests per minute per token, paced by the gateway; at most 100 customers per request",
    "keyword, name and e-mail filters narrow at Ecwid and are re-checked by the gateway "
    "(Ecwid matches without regard to case); sorts by name and e-mail are the gateway's",
    "no status: every customer is enabled (1); create and update read the customer back",
)

# `Field <Entity>.<path>` in Ecwid's 400 texts → the gateway's input field.
_FIELD_PATHS: Final = {
    "email": "email",
    "password": "password",
    "customerGroupId": "groupId",
    "billingPerson.name": "fullName",
    "billingPerson.firstName": "fullName",
    "billingPerson.lastName": "fullName",
    "billingPerson.phone": "phone",
    "billingPerson.companyName": "companyName",
    "taxId": "vatNumber",
    "billingPerson.street": "address.address1",
    "billingPerson.city": "address.city",
    "billingPerson.postalCode": "address.postcode",
    "billingPerson.countryCode": "address.countryCode",
    "billingPerson.stateOrProvinceCode": "address.provinceCode",
    "CustomerMembership.name": "groupName",
}
_FIELD_IN_MESSAGE: Final = re.compile(r"\bField (\w+)\.([\w.]+)")
_SCOPE_IN_MESSAGE: Final = re.compile(r"\b((?:read|create|update|delete)_[a-z_]+)\b")


class _EcwidBase(ConnectorBase):
    """Every customer operation, over whichever dialect the subclass sets up."""

    dialect: Dialect

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read = Reader(self.name)

    # -- errors ---------------------------------------------------------------------------

    def error_for_status(self, response: httpx.Response) -> UpstreamError:
        status = response.status_code
        source = self.name
        path = response.request.url.path
        message = self.dialect.error_message(response)  # read, never repeated
        groups = "/customer_groups" in path
        what = "customer group" if groups else "customer"
        if status == 429:
            return UpstreamRateLimited(
                f"{source} is rate limiting the gateway (Ecwid allows 600 requests a minute)",
                source=source,
                http_status=status,
                retry_after=retry_after(response),
            )
        if status == 402:
            return Unsupported(
                f"{source}: the Ecwid plan lacks customer groups"
                if groups
                else f"{source}: the store's Ecwid plan does not include the API",
                source=source,
                http_status=status,
            )
        if status in (401, 403):
            scope = _SCOPE_IN_MESSAGE.search(message)
            lacking = f" (the token lacks the {scope.group(1)} scope)" if scope else ""
            return UpstreamAuthFailed(
                f"{source} refused the gateway's credentials{lacking}",
                source=source,
                http_status=status,
            )
        if status == 404:
            if self.dialect.is_entity_path(path):
                return NotFound(f"{source} has no such {what}", source=source, http_status=status)
            # A list route that is not there: the store id (or the wrapper's path) is wrong.
            return UpstreamAuthFailed(
                f"{source} does not know the configured store (check the store id, base_url "
                "and path_prefix)",
                source=source,
                http_status=status,
            )
        if status == 409:
            return Conflict(
                f"{source} already has a {what} with this email"
                if not groups
                else f"{source} reports a conflict",
                source=source,
                field=None if groups else "email",
                http_status=status,
            )
        if status == 415:
            return UpstreamRejected(
                f"{source} did not accept the request's content type",
                source=source,
                http_status=status,
            )
        if status == 400:
            field = _refused_field(message)
            return UpstreamRejected(
                f"{source} rejected the value of {field}"
                if field
                else f"{source} rejected the request",
                source=source,
                field=field,
                http_status=status,
            )
        return error_for_status(source, status, retry_after(response))

    # -- customers ------------------------------------------------------------------------

    async def list_customers(self, query: CustomerQuery) -> Page:
        params = search_params(query.conditions)
        if params is None:
            return Page([], 0)  # the group filter names no group of this store
        base: dict[str, str | int] = {**params, "sortBy": sort_by(query.sort)}
        limit = query.limit
        first_size = PAGE_MAX if limit is None else min(PAGE_MAX, max(limit, 1))

        async def fetch(offset: int, size: int) -> tuple[list[CustomerRecord], int]:
            body = await self.dialect.search({**base, "offset": offset, "limit": size})
            items = self.read.array(body.get("items"), "customers.items")
            records = [
                mapping.customer(
                    self.read,
                    self.name,
                    self.read.object(i, "customers.items[]"),
                    addresses_wanted=query.include_addresses,
                    metadata_wanted=query.include_metadata,
                )
                for i in items
            ]
            return records, self.read.integer(body, "total", "customers")

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
        return Page(records if limit is None else records[:limit], total)

    async def get_customers(self, ids: Sequence[str]) -> Sequence[CustomerRecord | None]:
        unique = [i for i in dict.fromkeys(ids) if mapping.is_ecwid_id(i)]
        found = await asyncio.gather(*(self.dialect.fetch(i) for i in unique))
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
    capabilities: ClassVar[Capabilities] = Capabilities(
        filters=_FILTERS,
        sorts=_SORTS,
        max_page_size=PAGE_MAX,
        customer_writes=frozenset(Write),
        writable_fields=_WRITABLE,
        create_requires_name=False,  # `email` is the only required field (README 3.3)
        group_writes=frozenset(Write),
        changes=True,
        sync=SyncStyle.PAGING_FEED,
        rate_limits=_RATE_LIMITS,
        notes=(
            *_NOTES,
            "customer groups need a paid Ecwid plan; General (0) cannot be renamed or deleted",
            "deletions are reported for the last 180 days (Ecwid keeps its log 6 months)",
        ),
    )

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
    capabilities: ClassVar[Capabilities] = Capabilities(
        filters=_FILTERS,
        sorts=_SORTS,
        max_page_size=PAGE_MAX,
        customer_writes=frozenset(Write),
        writable_fields=_WRITABLE,
        create_requires_name=False,  # `email` is the only required field (README 3.3)
        groups_from_customers=True,
        rate_limits=_RATE_LIMITS,
        notes=(
            *_NOTES,
            "the wrapper has no group routes and no deleted log: customer groups are the "
            "groups its customers are in (read from every customer), read-only, and there is "
            "no change feed",
        ),
    )

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


def _refused_field(message: str) -> str | None:
    """The gateway input field an Ecwid 400 text names, if any."""
    if message.startswith("Invalid email"):
        return "email"
    if message.startswith("Customer group with id"):
        return "groupId"
    found = _FIELD_IN_MESSAGE.search(message)
    if found is None:
        return None
    entity, path = found.groups()
    return _FIELD_PATHS.get(path) or _FIELD_PATHS.get(f"{entity}.{path}")
