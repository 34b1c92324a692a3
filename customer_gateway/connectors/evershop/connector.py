"""EverShop 2.2.x: REST writes under /api, reads through the admin GraphQL at /api/admin/graphql.

Contract: shared/upstreams/README.md section 4. The admin JWT comes from POST /api/user/tokens and
is refreshed before it expires (access tokens live 900 s by default). Quirks handled here:
- errors arrive as `{"error": {"status", "message"}}`, validation and duplicates as HTTP 500,
  and so do PostgreSQL's errors about a value (a bad LIKE pattern, a NUL): those are the
  caller's (UPSTREAM_REJECTED), never retried or counted as an outage;
- an id that is not a UUID makes Postgres fail the whole request, so such ids are answered
  locally as not found;
- PATCH /api/customers/{uuid} always resets the group to Default (group_id 1), so an update of a
  customer in another group is refused unless the caller moves them to Default explicitly;
- a PATCH that fails leaks one of EverShop's 20 database connections for good (19 free after
  start-up), so an unknown id or a taken e-mail is found out with reads first;
- there is no REST API for groups (read-only) and no region notion;
- `customerGroups` declares no arguments and so returns at most 20 groups.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.defaults import ConnectorBase
from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    Unsupported,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamRejected,
    UpstreamUnavailable,
)
from customer_gateway.connectors.evershop import mapping
from customer_gateway.connectors.evershop.capabilities import CAPABILITIES
from customer_gateway.connectors.evershop.errors import error_for_response
from customer_gateway.connectors.models import (
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    GroupRecord,
    OrderRecord,
    Page,
    SortField,
)
from customer_gateway.connectors.reading import Reader
from customer_gateway.connectors.rows import NotRead, RowMapper
from customer_gateway.connectors.transport import Answer
from customer_gateway.text.digits import is_ascii_digits

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DEFAULT_GROUP_ID = "1"  # seeded by EverShop's migration; a trigger forbids deleting it
PAGE_SIZE = 500  # EverShop's `limit` is uncapped; this bounds one response when scanning
TOKEN_MARGIN = 60.0  # refresh this many seconds before the access token expires

_ADDRESS_FIELDS = """
    addresses { uuid fullName telephone address1 address2 postcode city isDefault
                country { code } province { code name } }"""
_CUSTOMER_FIELDS = """
    customerId uuid status email fullName metaData
    createdAt { value }
    group { customerGroupId groupName }"""
# A list page that selects no metaData asks EverShop for none (less to send, decode and map).
_LIST_FIELDS = _CUSTOMER_FIELDS.replace(" metaData", "")
LIST_QUERY = """query GatewayCustomers($filters: [FilterInput]) {
  customers(filters: $filters) { total items { %s } }
}"""
EMAIL_TAKEN_QUERY = (
    "query GatewayEmailTaken($filters: [FilterInput]) { customers(filters: $filters) { total } }"
)
# The order history of the admin's edit page (customerEdit+customerNew/OrderHistory.jsx) and the
# identity fields around it; `Customer.orders` is EverShop's (modules/oms), unpaged.
ORDERS_QUERY = """query GatewayCustomerOrders($id: String) {
  customer(id: $id) { orders {
    orderId uuid orderNumber currency customerEmail customerFullName editUrl
    createdAt { value text }
    grandTotal { value currency text }
    paymentStatus { code name badge }
    shipmentStatus { code name badge }
  } }
}"""
SAMPLE_QUERY = (
    "query GatewayTextOrder($filters: [FilterInput]) "
    "{ customers(filters: $filters) { items { %s } } }"
)
GROUPS_QUERY = (
    "query GatewayGroups { customerGroups { total items { customerGroupId groupName } } }"
)

_SORT_KEYS: dict[SortField, str | None] = {
    SortField.CREATED_AT: "created_at",
    SortField.EMAIL: "email",
    SortField.NAME: "name",
    SortField.STATUS: "status",
    SortField.CUSTOMER_ID: None,  # EverShop's own order when no `ob` is sent
}


class EverShopConnector(ConnectorBase):
    kind: ClassVar[str] = "evershop"
    path_words: ClassVar[frozenset[str] | None] = frozenset(
        {"api", "admin", "graphql", "user", "token", "tokens", "refresh", "customers"}
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("email", "password")
    capabilities: ClassVar[Capabilities] = CAPABILITIES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read = Reader(self.name)
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at = 0.0
        self._login_lock = asyncio.Lock()
        self._group_refs: mapping.GroupRefs = {}
        self._row_keys = mapping.row_keys(self.read)

    def rate_class(self, method: str, path: str) -> str:
        # Registration shares the login tier (modules/base/services/rateLimit.ts).
        return "auth" if method == "POST" and path == "/api/customers" else "api"

    def error_for_status(self, response: Answer) -> UpstreamError:
        return error_for_response(self.name, response)

    # -- auth -----------------------------------------------------------------------------

    async def _bearer(self) -> str:
        if self._access_token and time.time() < self._expires_at - TOKEN_MARGIN:
            return self._access_token
        async with self._login_lock:
            if self._access_token and time.time() < self._expires_at - TOKEN_MARGIN:
                return self._access_token
            if self._refresh_token:
                try:
                    data = await self._public_post(
                        "/api/user/token/refresh", {"refreshToken": self._refresh_token}
                    )
                    self._set_access_token(self.read.string(data, "accessToken", "data"))
                    return self._access_token or ""
                except (UpstreamAuthFailed, UpstreamRejected, NotFound):
                    self._refresh_token = None
            await self._login()
            return self._access_token or ""

    async def _login(self) -> None:
        credentials = self.settings.credentials
        body = {
            "email": credentials["email"].reveal(),
            "password": credentials["password"].reveal(),
        }
        try:
            data = await self._public_post("/api/user/tokens", body)
        except (UpstreamRejected, NotFound, UpstreamAuthFailed):
            raise UpstreamAuthFailed(
                f"{self.name} refused the gateway's admin credentials", source=self.name
            ) from None
        self._refresh_token = self.read.string(data, "refreshToken", "data")
        self._set_access_token(self.read.string(data, "accessToken", "data"))

    def _set_access_token(self, token: str) -> None:
        self._access_token = token
        self._expires_at = _jwt_expiry(token) or time.time() + 300

    async def _public_post(self, path: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        payload = await self.http.send_json("POST", path, json=body)
        return self.read.object(self.read.object(payload, "body").get("data"), "data")

    async def _private(
        self, method: str, path: str, body: Any = None, *, idempotent: bool | None = None
    ) -> Mapping[str, Any]:
        """Call an admin route; on 401 log in again once (the token may have been revoked)."""
        for attempt in (1, 2):
            token = await self._bearer()
            try:
                payload = await self.http.send_json(
                    method,
                    path,
                    json=body,
                    headers={"authorization": f"Bearer {token}"},
                    idempotent=idempotent,
                )
            except UpstreamAuthFailed:
                self._access_token = None
                self._refresh_token = None
                if attempt == 2:
                    raise
                continue
            return self.read.object(payload, "body")
        raise AssertionError("unreachable")

    async def _graphql(self, query: str, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        try:
            # Reads only: safe to send again after a timeout or a 5xx.
            payload = await self._private(
                "POST",
                "/api/admin/graphql",
                {"query": query, "variables": dict(variables)},
                idempotent=True,
            )
        except UpstreamUnavailable as error:
            if error.http_status != 500:
                raise
            # EverShop answers every GraphQL execution error with HTTP 500 and aborts the query
            # (one that the request's values explain is UpstreamRejected already).
            raise UpstreamUnavailable(
                f"{self.name} failed to run the read query (HTTP 500)",
                source=self.name,
                http_status=500,
            ) from None
        return self.read.object(payload.get("data"), "data")

    # -- customers ------------------------------------------------------------------------

    async def list_customers(self, query: CustomerQuery) -> Page:
        filters: list[dict[str, str]] = [
            {"key": c.field.value, "operation": c.op.value, "value": c.value}
            for c in query.conditions
        ]
        if (sort_by := _SORT_KEYS[query.sort.field]) is not None:
            filters.append({"key": "ob", "operation": "eq", "value": sort_by})
        filters.append(
            {"key": "od", "operation": "eq", "value": "DESC" if query.sort.descending else "ASC"}
        )
        fields = (_CUSTOMER_FIELDS if query.include_metadata else _LIST_FIELDS) + (
            _ADDRESS_FIELDS if query.include_addresses else ""
        )
        text = LIST_QUERY % fields

        def record(item: Any, created_at: datetime | None | NotRead) -> CustomerRecord:
            return mapping.customer(
                self.read,
                self.name,
                self.settings.base_url,
                self.read.object(item, "customers.items[]"),
                query.include_addresses,
                self._group_refs,
                created_at,
            )

        rows = RowMapper.of(query, record, self._row_keys)

        async def fetch(page: int, size: int) -> tuple[list[Any], int]:
            variables = {
                "filters": [
                    *filters,
                    {"key": "page", "operation": "eq", "value": str(page)},
                    {"key": "limit", "operation": "eq", "value": str(size)},
                ]
            }
            data = await self._graphql(text, variables)
            collection = self.read.object(data.get("customers"), "data.customers")
            items = self.read.array(collection.get("items"), "customers.items")
            total = self.read.integer(collection, "total", "customers")
            return rows.kept(items), total

        if query.limit is not None:
            size = query.limit
            if query.offset % size == 0:
                records, total = await fetch(query.offset // size + 1, size)
                return Page(rows.items(records), total)
            records, total = await fetch(1, query.offset + size)
            return Page(rows.items(records[query.offset :]), total)

        records, total = await fetch(1, PAGE_SIZE)
        page = 1
        while len(records) < total and page * PAGE_SIZE < total:
            page += 1
            more, total = await fetch(page, PAGE_SIZE)
            if not more:
                break
            records.extend(more)
        return Page(rows.items(records[query.offset :]), total)

    async def get_customers(self, ids: Sequence[str]) -> Sequence[CustomerRecord | None]:
        valid = [customer_id for customer_id in dict.fromkeys(ids) if UUID.match(customer_id)]
        if not valid:
            return [None] * len(ids)
        declarations = ", ".join(f"$id{index}: String" for index in range(len(valid)))
        selections = "\n".join(
            f"  c{index}: customer(id: $id{index}) {{ {_CUSTOMER_FIELDS} {_ADDRESS_FIELDS} }}"
            for index in range(len(valid))
        )
        text = f"query GatewayCustomersById({declarations}) {{\n{selections}\n}}"
        data = await self._graphql(text, {f"id{index}": value for index, value in enumerate(valid)})
        found: dict[str, CustomerRecord] = {}
        for index, customer_id in enumerate(valid):
            item = data.get(f"c{index}")
            if item is not None:
                found[customer_id] = mapping.customer(
                    self.read,
                    self.name,
                    self.settings.base_url,
                    self.read.object(item, f"c{index}"),
                    True,
                )
        return [found.get(customer_id) for customer_id in ids]

    async def create_customer(self, draft: CustomerDraft) -> CustomerRecord:
        if draft.phone is not None:
            raise self._no_phone()
        body: dict[str, Any] = {
            "email": draft.email,
            "full_name": draft.full_name,
            "password": draft.password,
        }
        if draft.status is not None:
            body["status"] = draft.status
        if draft.group_id is not None:
            body["group_id"] = self._group_number(draft.group_id)
            # Checked first: a registration that fails still spends one of the 8 allowed per 15
            # minutes (EverShop's auth tier), and a missing group fails as an HTTP 500.
            if draft.group_id not in {group.id for group in await self.list_groups()}:
                raise UpstreamRejected(
                    f"{self.name} has no customer group with this id",
                    source=self.name,
                    field="groupId",
                )
        # POST /api/customers is public (registration): no admin token needed.
        payload = await self.http.send_json("POST", "/api/customers", json=body)
        row = self.read.object(self.read.object(payload, "body").get("data"), "data")
        return mapping.row_customer(
            self.read, self.name, self.settings.base_url, row, addresses_known=True
        )

    async def update_customer(self, customer_id: str, patch: CustomerPatch) -> CustomerRecord:
        if not UUID.match(customer_id):
            raise NotFound(f"{self.name} has no such customer", source=self.name)
        if patch.phone is not None:
            raise self._no_phone()
        if patch.group_id is not None and patch.group_id != DEFAULT_GROUP_ID:
            raise Unsupported(
                f"{self.name}: EverShop's API cannot move a customer into another group "
                "(its update always sets the Default group)",
                source=self.name,
                field="groupId",
            )
        # The checks read the current record (its group, its e-mail): under the customer's lock
        # they hold until the PATCH, which sends the changed fields only.
        async with self.writing_customer(customer_id):
            return await self._update_held(customer_id, patch)

    async def _update_held(self, customer_id: str, patch: CustomerPatch) -> CustomerRecord:
        # EverShop 2.2.1's PATCH never gives its database connection back when it fails (unknown
        # id, duplicate e-mail...): 19 such answers and the shop hangs. So what can be checked
        # first is checked here, with reads that release theirs.
        current = (await self.get_customers([customer_id]))[0]
        if current is None:
            raise NotFound(f"{self.name} has no such customer", source=self.name)
        if patch.email is not None and patch.email != current.email:
            await self._refuse_taken_email(patch.email)
        if patch.group_id is None:
            group = current.groups[0].id if current.groups else DEFAULT_GROUP_ID
            if group != DEFAULT_GROUP_ID:
                raise Unsupported(
                    f"{self.name}: an EverShop update moves the customer to the Default group; "
                    f'this customer is in group {group}. Send groupId: "{DEFAULT_GROUP_ID}" to '
                    "accept the move",
                    source=self.name,
                    field="groupId",
                )
        body: dict[str, Any] = {}
        if patch.email is not None:
            body["email"] = patch.email
        if patch.full_name is not None:
            body["full_name"] = patch.full_name
        if patch.status is not None:
            body["status"] = patch.status
        if patch.password is not None:
            body["password"] = patch.password
        payload = await self._private("PATCH", f"/api/customers/{customer_id}", body)
        row = self.read.object(payload.get("data"), "data")
        return mapping.row_customer(
            self.read, self.name, self.settings.base_url, row, addresses_known=False
        )

    async def _refuse_taken_email(self, email: str) -> None:
        """EMAIL_UNIQUE is case-sensitive, like the `email eq` filter."""
        filters = [{"key": "email", "operation": "eq", "value": email}]
        data = await self._graphql(EMAIL_TAKEN_QUERY, {"filters": filters})
        collection = self.read.object(data.get("customers"), "data.customers")
        if self.read.integer(collection, "total", "customers") > 0:
            raise Conflict(
                f"{self.name} already has a customer with this email",
                source=self.name,
                field="email",
            )

    async def delete_customer(self, customer_id: str) -> None:
        if not UUID.match(customer_id):
            raise NotFound(f"{self.name} has no such customer", source=self.name)
        async with self.writing_customer(customer_id):
            await self._private("DELETE", f"/api/customers/{customer_id}")

    # -- orders ---------------------------------------------------------------------------

    async def list_orders(self, customer_id: str) -> Sequence[OrderRecord]:
        if not UUID.match(customer_id):
            return []  # Postgres would fail the whole request on a malformed uuid
        data = await self._graphql(ORDERS_QUERY, {"id": customer_id})
        customer = data.get("customer")
        if customer is None:
            return []
        items = self.read.array(
            self.read.object(customer, "customer").get("orders") or [], "customer.orders"
        )
        return [
            mapping.order(
                self.read,
                self.name,
                self.settings.base_url,
                self.read.object(item, "customer.orders[]"),
            )
            for item in items
        ]

    # -- groups ---------------------------------------------------------------------------

    async def list_groups(self) -> Sequence[GroupRecord]:
        data = await self._graphql(GROUPS_QUERY, {})
        collection = self.read.object(data.get("customerGroups"), "data.customerGroups")
        items = self.read.array(collection.get("items"), "customerGroups.items")
        total = self.read.integer(collection, "total", "customerGroups")
        if total > len(items):
            raise Unsupported(
                f"{self.name} has {total} customer groups but EverShop's customerGroups query "
                f"returns only {len(items)} (it declares no paging arguments)",
                source=self.name,
            )
        groups = []
        for item in items:
            group = self.read.object(item, "customerGroups.items[]")
            number = self.read.integer(group, "customerGroupId", "customerGroups.items[]")
            groups.append(
                GroupRecord(
                    source=self.name,
                    id=str(number),
                    numeric_id=number,
                    name=self.read.string(group, "groupName", "customerGroups.items[]"),
                    is_default=str(number) == DEFAULT_GROUP_ID,
                )
            )
        return groups

    async def check(self) -> None:
        await self._graphql(GROUPS_QUERY, {})

    async def text_order_sample(self) -> Sequence[Sequence[str]] | None:
        """The first 200 names and e-mails as the database sorts them (its collation)."""
        samples = []
        for sort_by, field in (("name", "fullName"), ("email", "email")):
            filters = [
                {"key": "ob", "operation": "eq", "value": sort_by},
                {"key": "od", "operation": "eq", "value": "ASC"},
                {"key": "limit", "operation": "eq", "value": "200"},
            ]
            data = await self._graphql(SAMPLE_QUERY % field, {"filters": filters})
            collection = self.read.object(data.get("customers"), "data.customers")
            items = self.read.array(collection.get("items"), "customers.items")
            texts = [self.read.object(item, "customers.items[]").get(field) for item in items]
            # NULL names come last whatever the collation
            samples.append([text for text in texts if isinstance(text, str)])
        return samples

    def _group_number(self, group_id: str) -> int:
        if not is_ascii_digits(group_id):
            raise UpstreamRejected(
                f"{self.name}: EverShop group ids are integers", source=self.name, field="groupId"
            )
        return int(group_id)

    def _no_phone(self) -> Unsupported:
        return Unsupported(
            f"{self.name}: EverShop customers have no phone (only addresses do)",
            source=self.name,
            field="phone",
        )


def _jwt_expiry(token: str) -> float | None:
    """The `exp` claim, read without verifying (only EverShop can verify its signature)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, (int, float)) else None
