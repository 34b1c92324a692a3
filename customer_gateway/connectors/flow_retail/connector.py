"""Flow Retail (Norwegian POS), API v2 customer area (README section 2).

- Base URL `https://api.flowretail.com/v2` (stage: `https://api.stage.flowretail.com/v2`); every
  path is under `/tenants/{tenant}`.
- Auth, both documented ways: a long-lived integration token (`token`), or the device flow
  (`device_token`, `user_code`, `password`: `POST /v2/account` gives an access token). A 401 on
  a device-flow access token renews it once, never in a loop.
- Lists page with `pageNumber`/`pageSize` and sort by creation time with `sortBy`/
  `sortDirection` (text sorts are left to the gateway: Flow's collation is not its own);
  keyword, name, company, e-mail, phone and VAT filters go to `POST /customers/search` under
  its field rules (`query` searches many fields one at a time, explicit fields are matched with
  `exactMatch`), so the gateway re-checks what comes back; so do `created_at gt/gteq` (the
  search's `createdAt`, a lower bound) and `store` (its `storeUid`, exact: only Flow can tell).
  `external_id eq` goes to `GET /customers?customerExternalId=` when it is the only pushed
  filter (the list takes no search criteria), and is re-checked.
- Several groups per customer (`customerGroupUids`), a native batch (200, or 207 for partial
  success), per-store customer views, the TWO_INVOICE extension, the external company register
  (a tenant extension) and a GDPR export.
- What the contract calls unknown and this connector relies on (README "Flow Retail
  assumptions"): the maximum page size (the effective size the answer echoes is used, never the
  requested one), the batch item and result shapes, the store view's and external hits' fields,
  the error body (read as `{"message"}` and never shown; mapped by status), the search's
  matching (contains, case-insensitive, spaces ignored, one field at a time).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from customer_gateway.connectors import errors
from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.defaults import ConnectorBase
from customer_gateway.connectors.errors import UpstreamError
from customer_gateway.connectors.flow_retail import mapping
from customer_gateway.connectors.flow_retail.capabilities import CAPABILITIES, SORT_KEYS
from customer_gateway.connectors.flow_retail.errors import error_for_response, item_error
from customer_gateway.connectors.helpers import gather_reads
from customer_gateway.connectors.models import (
    BatchItem,
    BatchOperation,
    BatchResult,
    Condition,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    ExternalHit,
    ExternalPage,
    FilterField,
    GroupDraft,
    GroupPatch,
    GroupRecord,
    Op,
    Page,
    StoreView,
)
from customer_gateway.connectors.reading import Reader
from customer_gateway.connectors.rows import NotRead, RowMapper
from customer_gateway.connectors.transport import Answer
from customer_gateway.server.settings import ConfigError, SourceSettings
from customer_gateway.text import json_bytes

UID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
PAGE_SIZE = 1000  # asked for; the effective size is the one the answer echoes (README 2.2)
BATCH_CHUNK = 100  # items per batch request (the maximum is unknown: README 2.4)
EXTENSIONS = frozenset({"TWO_INVOICE"})
T = TypeVar("T")


class FlowRetailConnector(ConnectorBase):
    kind: ClassVar[str] = "flow_retail"
    required_credentials: ClassVar[tuple[str, ...]] = ("tenant",)
    base_path: ClassVar[str] = "/v2"
    path_words: ClassVar[frozenset[str] | None] = frozenset(
        {"tenants", "account", "customers", "customer-groups", "batch", "search", "external"}
        | {"export", "extensions", "stores"}
    )
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    sync_rows_whole: ClassVar[bool] = True  # `mapping.customer` reads every field of a list row

    @classmethod
    def validate_settings(cls, settings: SourceSettings) -> None:
        super().validate_settings(settings)
        credentials = settings.credentials
        device = ("device_token", "user_code", "password")
        if "token" not in credentials and not all(key in credentials for key in device):
            raise ConfigError(
                f"source {settings.name!r} (flow_retail) needs credentials: token, or "
                "device_token + user_code + password"
            )
        if not UID.match(credentials["tenant"].reveal()):
            raise ConfigError(f"source {settings.name!r}: tenant must match [A-Za-z0-9-_]+")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read = Reader(self.name)
        self._group_refs: mapping.GroupRefs = {}
        self._row_keys = mapping.row_keys(self.read)
        self.tenant = self.settings.credentials["tenant"].reveal()
        self._access_token: str | None = None
        self._login_lock = asyncio.Lock()

    # -- auth and plumbing ----------------------------------------------------------------

    def path_placeholders(self) -> Mapping[str, str]:
        # A tenant uid may be a plain word, which the id pattern would leave in metric labels.
        return {self.settings.credentials["tenant"].reveal(): "{tenant}"}

    @property
    def _device_flow(self) -> bool:
        return "token" not in self.settings.credentials

    async def _bearer(self) -> str:
        if not self._device_flow:
            return self.settings.credentials["token"].reveal()
        if self._access_token is None:
            async with self._login_lock:
                if self._access_token is None:
                    self._access_token = await self._device_login()
        return self._access_token

    async def _device_login(self) -> str:
        credentials = self.settings.credentials
        try:
            payload = await self.http.send_json(
                "POST",
                "/account",
                json={
                    "userCode": credentials["user_code"].reveal(),
                    "password": credentials["password"].reveal(),
                },
                headers={"authorization": f"Bearer {credentials['device_token'].reveal()}"},
            )
        except (errors.UpstreamAuthFailed, errors.UpstreamRejected):
            raise errors.UpstreamAuthFailed(
                f"{self.name} refused the device login (device token, user code or password)",
                source=self.name,
            ) from None
        return self.read.string(self.read.object(payload, "body"), "accessToken", "account")

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
    ) -> Answer:
        """A tenant call; a rejected device-flow access token is renewed once."""
        url = f"/tenants/{self.tenant}{path}"
        for attempt in (1, 2):
            token = await self._bearer()
            try:
                return await self.http.send(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers={"authorization": f"Bearer {token}"},
                    idempotent=idempotent,
                )
            except errors.UpstreamAuthFailed as error:
                if error.http_status != 401 or not self._device_flow or attempt == 2:
                    raise
                if self._access_token == token:  # not yet renewed by a concurrent call
                    self._access_token = None
        raise AssertionError("unreachable")

    async def _json(self, method: str, path: str, **kwargs: Any) -> Mapping[str, Any]:
        response = await self._call(method, path, **kwargs)
        try:
            payload = json_bytes.loads(response.content)  # response.json()'s value, faster
        except ValueError:
            raise self.read.bad(f"{method} {path} (not JSON)") from None
        return self.read.object(payload, "body")

    def error_for_status(self, response: Answer) -> UpstreamError:
        return error_for_response(self.name, response)

    # -- customers ------------------------------------------------------------------------

    async def list_customers(self, query: CustomerQuery) -> Page:
        search = _search_body(query.conditions)
        params: dict[str, str | int] = {}
        external = [c.value for c in query.conditions if c.field is FilterField.EXTERNAL_ID]
        if external and search is None:
            params["customerExternalId"] = external[0]
        if query.sort.field in SORT_KEYS:
            params["sortBy"] = SORT_KEYS[query.sort.field]
            params["sortDirection"] = "DESC" if query.sort.descending else "ASC"

        def record(item: Any, created_at: datetime | None | NotRead) -> CustomerRecord:
            return mapping.customer(
                self.read,
                self.name,
                self.read.object(item, "items[]"),
                addresses_wanted=query.include_addresses,
                metadata_wanted=query.include_metadata,
                reads=query.reads,
                group_refs=self._group_refs,
                created_at=created_at,
            )

        rows = RowMapper.of(query, record, self._row_keys)

        async def fetch(page: int, size: int) -> tuple[list[Any], int, int]:
            paging = {**params, "pageNumber": page, "pageSize": size}
            if search is None:
                data = await self._json("GET", "/customers", params=paging)
            else:
                data = await self._json(
                    "POST", "/customers/search", params=paging, body=search, idempotent=True
                )
            items = rows.kept(self.read.array(data.get("items"), "items"))
            return items, *self._paging(data)

        records, total = await _read_window(fetch, query.offset, query.limit)
        return Page(rows.items(records), total)

    def _paging(self, data: Mapping[str, Any]) -> tuple[int, int]:
        """(totalCount, the effective pageSize) of a list answer."""
        pager = self.read.object(data.get("paging"), "paging")
        effective = self.read.integer(pager, "pageSize", "paging")
        if effective < 1:
            raise self.read.bad("paging.pageSize")
        return self.read.integer(pager, "totalCount", "paging"), effective

    async def get_customers(self, ids: Sequence[str]) -> Sequence[CustomerRecord | None]:
        unique = [uid for uid in dict.fromkeys(ids) if UID.match(uid)]
        found = dict(
            zip(unique, await gather_reads([self._get(uid) for uid in unique]), strict=True)
        )
        return [found.get(uid) for uid in ids]

    async def _get(self, uid: str) -> CustomerRecord | None:
        try:
            data = await self._json("GET", f"/customers/{uid}")
        except errors.NotFound:
            return None
        return mapping.customer(self.read, self.name, data)

    async def create_customer(self, draft: CustomerDraft) -> CustomerRecord:
        if draft.status == 0:
            raise self._no_status()
        data = await self._json("POST", "/customers", body=mapping.create_body(draft))
        return mapping.customer(self.read, self.name, data)

    async def update_customer(self, customer_id: str, patch: CustomerPatch) -> CustomerRecord:
        if patch.status is not None:
            raise self._no_status()
        # A partial PUT of the changed fields only; the current record decides where a name
        # goes (a company's or a person's), so both happen under the customer's lock.
        async with self.writing_customer(customer_id):
            current = await self._get(customer_id) if UID.match(customer_id) else None
            if current is None:
                raise errors.NotFound(f"{self.name} has no such customer", source=self.name)
            is_company = current.metadata.get("customerType") == "COMPANY"
            data = await self._json(
                "PUT", f"/customers/{customer_id}", body=mapping.update_body(patch, is_company)
            )
            return mapping.customer(self.read, self.name, data)

    async def delete_customer(self, customer_id: str) -> None:
        if not UID.match(customer_id):
            raise errors.NotFound(f"{self.name} has no such customer", source=self.name)
        async with self.writing_customer(customer_id):
            await self._call("DELETE", f"/customers/{customer_id}")

    # -- the native batch -----------------------------------------------------------------

    async def batch(self, items: Sequence[BatchItem]) -> Sequence[BatchResult]:
        results: list[BatchResult] = []
        for start in range(0, len(items), BATCH_CHUNK):
            results.extend(await self._batch_chunk(items[start : start + BATCH_CHUNK]))
        return results

    async def _batch_chunk(self, items: Sequence[BatchItem]) -> list[BatchResult]:
        """One batch request. When the request itself fails, each of its items carries that
        error (whether they landed is unknown); earlier chunks' results stand."""
        order = {id(item): index for index, item in enumerate(items)}
        refused: list[BatchResult] = []
        try:
            companies = await self._companies(items)
        except errors.UpstreamError as error:
            return [BatchResult(item, customer_id=item.customer_id, error=error) for item in items]
        body: dict[str, list[dict[str, Any]]] = {op.value: [] for op in BatchOperation}
        positions: dict[tuple[str, int], BatchItem] = {}
        for item in items:
            try:
                entry = self._batch_entry(item, companies)
            except errors.UpstreamError as refusal:
                refused.append(BatchResult(item, customer_id=item.customer_id, error=refusal))
                continue
            positions[(item.operation.value, len(body[item.operation.value]))] = item
            body[item.operation.value].append(entry)
        if not positions:
            return refused
        try:
            results = refused + await self._send_batch(body, positions)
        except errors.UpstreamError as error:
            results = refused + [
                BatchResult(item, customer_id=item.customer_id, error=error)
                for item in positions.values()
            ]
        return sorted(results, key=lambda result: order[id(result.item)])

    async def _send_batch(
        self, body: Mapping[str, Any], positions: Mapping[tuple[str, int], BatchItem]
    ) -> list[BatchResult]:
        # 200: every item applied; 207: some were not. Neither is a failure of the call.
        data = await self._json("POST", "/customers/batch", body=body)
        outcomes = self.read.array(data.get("results"), "results")
        results = []
        seen: set[tuple[str, int]] = set()
        for outcome in outcomes:
            obj = self.read.object(outcome, "results[]")
            key = (
                self.read.string(obj, "operation", "results[]"),
                self.read.integer(obj, "index", "results[]"),
            )
            sent = positions.get(key)
            if sent is None:
                raise self.read.bad("results[] (an item the batch did not hold)")
            seen.add(key)
            status = self.read.integer(obj, "status", "results[]")
            uid = self.read.opt_string(obj, "customerUid", "results[]") or sent.customer_id
            failure = None if status < 300 else item_error(self.name, status, obj.get("error"))
            results.append(BatchResult(sent, customer_id=uid, error=failure))
        if seen != set(positions):
            raise self.read.bad("results[] (items without an outcome; some may be applied)")
        return results

    async def _companies(self, items: Sequence[BatchItem]) -> frozenset[str]:
        """The companies among customers whose update sets only a full name: a company's full
        name is its company name, a person's is split into first and last name."""
        ids = [
            item.customer_id
            for item in items
            if item.operation is BatchOperation.UPDATE
            and item.patch is not None
            and item.customer_id is not None
            and UID.match(item.customer_id)
            and _sets_full_name_only(item.patch)
        ]
        if not ids:
            return frozenset()
        return frozenset(
            record.id
            for record in await self.get_customers(ids)
            if record is not None and record.metadata.get("customerType") == "COMPANY"
        )

    def _batch_entry(self, item: BatchItem, companies: frozenset[str]) -> dict[str, Any]:
        if item.operation is BatchOperation.DELETE:
            return {"customerUid": item.customer_id}
        if item.operation is BatchOperation.UPDATE:
            assert item.patch is not None
            if item.patch.status is not None:
                raise self._no_status()
            is_company = item.customer_id in companies
            return {"customerUid": item.customer_id, **mapping.update_body(item.patch, is_company)}
        assert item.draft is not None
        if item.draft.status == 0:
            raise self._no_status()
        entry = mapping.create_body(item.draft)
        if item.operation is BatchOperation.UPSERT and item.customer_id is not None:
            entry["customerUid"] = item.customer_id
        return entry

    # -- store view, extensions, external register, export --------------------------------

    async def get_store_view(self, customer_id: str, store_id: str) -> StoreView | None:
        if not (UID.match(customer_id) and UID.match(store_id)):
            return None
        try:
            data = await self._json("GET", f"/stores/{store_id}/customers/{customer_id}")
        except errors.NotFound:
            return None
        return mapping.store_view(self.read, data, store_id)

    async def add_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord:
        self._check_extension(customer_id, extension)
        await self._call(
            "POST", f"/customers/{customer_id}/extensions/{extension}", body={"storeUid": store_id}
        )
        return await self._reread(customer_id)

    async def remove_extension(
        self, customer_id: str, extension: str, store_id: str
    ) -> CustomerRecord:
        self._check_extension(customer_id, extension)
        await self._call(
            "DELETE",
            f"/customers/{customer_id}/extensions/{extension}",
            body={"storeUid": store_id},
        )
        return await self._reread(customer_id)

    def _check_extension(self, customer_id: str, extension: str) -> None:
        if extension not in EXTENSIONS:
            raise errors.UpstreamRejected(
                f"{self.name}: Flow Retail's customer extensions: {', '.join(sorted(EXTENSIONS))}",
                source=self.name,
                field="extension",
            )
        if not UID.match(customer_id):
            raise errors.NotFound(f"{self.name} has no such customer", source=self.name)

    async def _reread(self, customer_id: str) -> CustomerRecord:
        record = await self._get(customer_id)
        if record is None:
            raise errors.NotFound(f"{self.name} has no such customer", source=self.name)
        return record

    async def search_external(self, query: str, offset: int, limit: int) -> ExternalPage:
        async def fetch(page: int, size: int) -> tuple[list[ExternalHit], int, int]:
            data = await self._json(
                "POST",
                "/customers/search/external",
                params={"pageNumber": page, "pageSize": size},
                body={"query": query},
                idempotent=True,
            )
            hits = [
                mapping.external_hit(self.read, self.read.object(item, "items[]"))
                for item in self.read.array(data.get("items"), "items")
            ]
            return hits, *self._paging(data)

        hits, total = await _read_window(fetch, offset, limit)
        return ExternalPage(hits, total)

    async def data_export(self, customer_id: str) -> Mapping[str, Any] | None:
        if not UID.match(customer_id):
            return None
        try:
            return dict(await self._json("GET", f"/customers/{customer_id}/export"))
        except errors.NotFound:
            return None

    # -- groups ---------------------------------------------------------------------------

    async def list_groups(self) -> Sequence[GroupRecord]:
        groups: list[GroupRecord] = []
        page = 1
        while True:
            data = await self._json(
                "GET", "/customer-groups", params={"pageNumber": page, "pageSize": PAGE_SIZE}
            )
            items = self.read.array(data.get("items"), "items")
            groups.extend(
                mapping.group(self.read, self.name, self.read.object(item, "items[]"))
                for item in items
            )
            total = self.read.integer(
                self.read.object(data.get("paging"), "paging"), "totalCount", "paging"
            )
            if not items or len(groups) >= total:
                return groups
            page += 1

    async def create_group(self, draft: GroupDraft) -> GroupRecord:
        data = await self._json("POST", "/customer-groups", body={"name": draft.name})
        return mapping.group(self.read, self.name, data)

    async def update_group(self, group_id: str, patch: GroupPatch) -> GroupRecord:
        if not UID.match(group_id):
            raise errors.NotFound(f"{self.name} has no such customer group", source=self.name)
        data = await self._json("PUT", f"/customer-groups/{group_id}", body={"name": patch.name})
        return mapping.group(self.read, self.name, data)

    async def delete_group(self, group_id: str) -> None:
        if not UID.match(group_id):
            raise errors.NotFound(f"{self.name} has no such customer group", source=self.name)
        await self._call("DELETE", f"/customer-groups/{group_id}")

    async def check(self) -> None:
        await self._json("GET", "/customer-groups", params={"pageNumber": 1, "pageSize": 1})

    def _no_status(self) -> errors.Unsupported:
        return errors.Unsupported(
            f"{self.name}: Flow Retail customers have no enabled/disabled status",
            source=self.name,
            field="status",
        )


async def _read_window(
    fetch: Callable[[int, int], Awaitable[tuple[list[T], int, int]]],
    offset: int,
    limit: int | None,
) -> tuple[list[T], int]:
    """Records offset..offset+limit (limit None: to the end) of a paged list, and its total.

    `fetch(pageNumber, pageSize)` answers (items, totalCount, effective pageSize). The maximum
    page size is unknown (README 2.2): when the answer echoes a smaller size than asked, the
    pages are planned again with that size.
    """
    wanted_count = limit if limit is not None else sys.maxsize
    aligned = limit is not None and 0 < limit <= PAGE_SIZE and offset % limit == 0
    size = limit if aligned and limit is not None else PAGE_SIZE
    page = offset // size + 1
    records, total, effective = await fetch(page, size)
    if effective != size:
        size = effective
        page = offset // size + 1
        records, total, _ = await fetch(page, size)
    skip = offset - (page - 1) * size
    wanted = skip + wanted_count
    while len(records) < wanted and page * size < total:
        page += 1
        more, total, _ = await fetch(page, size)
        if not more:
            break
        records.extend(more)
    return records[skip:wanted], total


def _search_body(conditions: Sequence[Condition]) -> dict[str, Any] | None:
    """What to send to POST /customers/search: every pushed filter is SUPERSET, so dropping one
    is safe (the gateway re-checks), sending a wrong one is not.

    `exactMatch` switches every criterion to equality, so exact fields (e-mail, mobile, VAT)
    and the contains-search `query` are never sent together; a pattern with SQL wildcards or
    escapes is never sent (the search would read them literally and miss matches). `query`
    matches one field at a time, ignoring spaces, so "Kari Nordmann" is in no field of Kari
    Nordmann: only the longest word of a value is sent, which lies within one field.
    """
    exact: dict[str, str] = {}
    contains: str | None = None
    criteria: dict[str, str] = {}  # independent of exactMatch: the store, the creation time
    created_from: datetime | None = None
    for condition in conditions:
        value = condition.value
        if condition.field is FilterField.STORE:
            criteria["storeUid"] = value
        elif condition.field is FilterField.CREATED_AT and condition.op in (Op.GT, Op.GTEQ):
            bound = datetime.fromisoformat(value)  # the gateway's form: ISO 8601, UTC
            created_from = bound if created_from is None else max(created_from, bound)
        elif condition.field is FilterField.EMAIL:
            exact["email"] = value
        elif condition.field is FilterField.PHONE:
            exact["mobile"] = "".join(c for c in value if c.isdigit() or c == "+")
        elif condition.field is FilterField.VAT_NUMBER:
            exact["vatNumber"] = value
        elif (
            condition.field
            in (FilterField.KEYWORD, FilterField.FULL_NAME, FilterField.COMPANY_NAME)
            and not any(char in value for char in "%_\\")
            and value.split()
            and contains is None
        ):
            contains = max(value.split(), key=len)
    if created_from is not None:
        # Flow's timestamps are milliseconds, UTC (README 2.2); a bound is never rounded up.
        millis = created_from.astimezone(UTC).replace(
            microsecond=created_from.microsecond // 1000 * 1000
        )
        criteria["createdAt"] = millis.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if exact:
        return {**exact, "exactMatch": True, **criteria}
    if contains is not None:
        return {"query": contains, "exactMatch": False, **criteria}
    return criteria or None


def _sets_full_name_only(patch: CustomerPatch) -> bool:
    parts = (patch.first_name, patch.last_name, patch.company_name)
    return patch.full_name is not None and all(part is None for part in parts)
