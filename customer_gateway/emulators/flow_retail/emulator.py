"""Flow Retail API v2's customer area (README section 2) as an ASGI app."""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal, Self, cast

from starlette.routing import BaseRoute

from customer_gateway.emulators.base import Clock, Emulator
from customer_gateway.emulators.delivery import post_later
from customer_gateway.emulators.http import catch_all

from .api_account import AccountApi
from .api_customers import CustomerApi
from .api_groups import GroupApi
from .auth import ACCESS, BACKOFFICE, Grant, Tokens, tenant_user
from .batch import BatchApi
from .formats import UID, Collation, format_timestamp, parse_timestamp, sort_key_for
from .http import HttpConfig, Pipeline
from .payloads import ErrorBody, message_body
from .records import CUSTOMER_KEYS, WRITABLE_FIELDS, copy_customer
from .search import PagingRules, UnknownSort
from .seed import REFERENCE_TIME
from .tenant import Tenant
from .validation import BASE_CUSTOMER_TYPES, CustomerRules

# add_customer() fields no API write sets: read-only or managed by sub-resources.
_DIRECT_ONLY: Final = frozenset(CUSTOMER_KEYS - set(WRITABLE_FIELDS) - {"displayName"})


class FlowRetailEmulator(Emulator):
    """Flow Retail behind `https://api.flowretail.com/v2`, with one register per tenant.

    Options for what the contract leaves open (README: "unknown ... make it configurable"):
    `tenant_tokens` (integration tokens of the other tenants; default
    `<integration_token>-<tenant>`), `stores_per_tenant`, `default_page_size` /
    `max_page_size`, `unknown_sort` ("reject": 400, or "ignore"), `foreign_tenant_status` (a
    token used on another tenant's path: 403 or 404), `person_requires_name`,
    `company_requires_name`, `extra_customer_types` (e.g. the B2B agreement-customer value),
    `device_user_permissions`, `max_batch_items` / `batch_limit_status` (413 or 400),
    `collation` (text order of `sortBy`), `error_body` (renders every error answer).
    """

    kind = "flow_retail"

    @classmethod
    def create(cls, *, seed: int, customers: int, rate_limits: bool = True) -> Self:
        # Flow Retail publishes no limit: the emulator has none unless a test sets one.
        return cls(seed=seed, customers=customers)

    def __init__(
        self,
        *,
        seed: int = 1,
        customers: int = 300,
        tenants: Sequence[str] = ("tenant-oslo", "tenant-bergen"),
        integration_token: str = "flow-sandbox-integration-token",  # noqa: S107 - public sandbox demo credential
        access_only_token: str = "flow-sandbox-access-token",  # noqa: S107 - public sandbox demo credential
        device_token: str = "flow-sandbox-device-token",  # noqa: S107 - public sandbox demo credential
        user_code: str = "1001",
        user_password: str = "flow-sandbox-password",  # noqa: S107 - public sandbox demo credential
        access_token_ttl: float = 3600.0,
        external_search_tenants: Sequence[str] = (),
        rate_limit_per_minute: int | None = None,
        clock: Clock = time.time,
        tenant_tokens: Mapping[str, str] | None = None,
        stores_per_tenant: int = 2,
        default_page_size: int = 20,
        max_page_size: int = 1000,
        unknown_sort: UnknownSort = "reject",
        foreign_tenant_status: Literal[403, 404] = 403,
        person_requires_name: bool = True,
        company_requires_name: bool = True,
        extra_customer_types: Sequence[str] = (),
        device_user_permissions: Sequence[str] = (ACCESS, BACKOFFICE),
        max_batch_items: int = 1000,
        batch_limit_status: Literal[400, 413] = 413,
        collation: Collation = "norwegian",
        error_body: ErrorBody = message_body,
    ) -> None:
        self._base_clock = clock
        self._offset = 0.0
        super().__init__(clock=self._now)
        self.webhooks_sent: list[tuple[str, int | str]] = []
        tenant_uids = list(tenants)
        if not tenant_uids or len(set(tenant_uids)) != len(tenant_uids):
            raise ValueError("tenants must be a non-empty list of distinct uids")
        if bad := [uid for uid in tenant_uids if not UID.match(uid)]:
            raise ValueError(f"tenant uids must match ^[A-Za-z0-9-_]+: {bad}")
        if unknown := set(external_search_tenants) - set(tenant_uids):
            raise ValueError(f"external_search_tenants not among tenants: {sorted(unknown)}")
        self.seed = seed
        self.first_tenant = tenant_uids[0]
        self.integration_token = integration_token
        rules = CustomerRules(
            person_requires_name=person_requires_name,
            company_requires_name=company_requires_name,
            customer_types=(*BASE_CUSTOMER_TYPES, *extra_customer_types),
        )
        self.tenants: dict[str, Tenant] = {
            uid: Tenant(
                uid,
                seed=seed,
                customers=customers,
                stores=stores_per_tenant,
                clock=self.clock,
                rules=rules,
                external_search=uid in external_search_tenants,
            )
            for uid in tenant_uids
        }
        self.tokens = Tokens(self.clock, seed)
        self.integration_tokens = {self.first_tenant: integration_token}
        for uid in tenant_uids[1:]:
            self.integration_tokens[uid] = (tenant_tokens or {}).get(
                uid, f"{integration_token}-{uid}"
            )
        for uid, token in self.integration_tokens.items():
            self.grant(token, tenants=[uid], permissions=[ACCESS, BACKOFFICE])
        self.grant(
            access_only_token,
            tenants=[self.first_tenant],
            permissions=[ACCESS],
            user_uid="u-integration-read",
        )
        device_user = tenant_user("device-1", self.first_tenant, "device", "Kasse 1", ())
        self.tokens.add(
            Grant(device_token, "device", frozenset({self.first_tenant}), frozenset(), device_user)
        )
        paging = PagingRules(default_page_size, max_page_size, unknown_sort)
        sort_key = sort_key_for(collation)
        user = tenant_user(
            "u-1", self.first_tenant, user_code, "Pål Kasserer", device_user_permissions
        )
        endpoints = [
            *AccountApi(
                self.tokens,
                user=user,
                password=user_password,
                permissions=device_user_permissions,
                ttl=access_token_ttl,
            ).endpoints(),
            *BatchApi(max_items=max_batch_items, limit_status=batch_limit_status).endpoints(),
            *CustomerApi(paging, sort_key).endpoints(),
            *GroupApi(paging, sort_key).endpoints(),
        ]
        config = HttpConfig(foreign_tenant_status, rate_limit_per_minute, error_body)
        self.pipeline = Pipeline(
            config, tokens=self.tokens, tenants=self.tenants, endpoints=endpoints, clock=self.clock
        )

    def send_webhooks(self, url: str | None, headers: Mapping[str, str] | None = None) -> None:
        """An HTTP transport with a customer-webhook subscription (contract 2.5) on every
        tenant: after each customer create, update or delete, one POST of
        `{action, tenant {Id, Uid}, customer {Id, Uid}, tenantUser {Id, Uid}}` to `url` with
        `headers` (how its `securityType` authenticates: e.g. `Authorization: Basic …`).
        Flow Retail retries up to 10 times on a timeout or 5xx; the emulator sends once
        (answers in `webhooks_sent`). None: no subscription."""
        for index, tenant in enumerate(self.tenants.values(), start=1):
            tenant.notify = None if url is None else self._notifier(url, dict(headers or {}), index)

    def _notifier(
        self, url: str, headers: dict[str, str], index: int
    ) -> Callable[[str, str], None]:
        def notify(action: str, uid: str) -> None:
            tenant = list(self.tenants)[index - 1]
            body = {
                "action": action,
                "tenant": {"Id": index, "Uid": tenant},
                "customer": {"Id": zlib.crc32(uid.encode()) & 0x7FFFFFFF, "Uid": uid},
                "tenantUser": {"Id": 14, "Uid": "u-integration"},
            }
            post_later(
                url,
                json.dumps(body).encode(),
                {"Content-Type": "application/json", **headers},
                event=action,
                sent=self.webhooks_sent,
                timeout=10.0,  # Flow Retail's delivery timeout
            )

        return notify

    def _now(self) -> float:
        return self._base_clock() + self._offset

    def routes(self) -> Sequence[BaseRoute]:
        return [catch_all(self.pipeline.__call__)]

    # -- helpers for the gateway and tests ---------------------------------------------------
    @property
    def reference_time(self) -> float:
        """The fixed instant the generated history ends before (not wall-clock)."""
        return REFERENCE_TIME

    def advance(self, seconds: float) -> None:
        """Move this emulator's clock forward (on top of whatever clock it was given)."""
        self._offset += seconds

    def connector_credentials(self) -> dict[str, str]:
        return {"tenant": self.first_tenant, "token": self.integration_token}

    def grant(
        self,
        token: str,
        *,
        tenants: Sequence[str],
        permissions: Sequence[str] = (ACCESS,),
        ttl: float | None = None,
        user_uid: str = "u-integration",
    ) -> None:
        """Register an integration-style token (expiring after `ttl` seconds when given)."""
        user = tenant_user(
            user_uid, tenants[0], f"fri:{user_uid}", "Integrasjon (API)", permissions
        )
        expires_at = None if ttl is None else self.clock() + ttl
        self.tokens.add(
            Grant(
                token, "integration", frozenset(tenants), frozenset(permissions), user, expires_at
            )
        )

    def revoke(self, token: str) -> None:
        """Requests with `token` get 401 from now on (also device-flow access tokens)."""
        self.tokens.revoke(token)

    def _tenant(self, tenant: str) -> Tenant:
        if tenant not in self.tenants:
            raise KeyError(f"unknown tenant {tenant!r}")
        return self.tenants[tenant]

    def customer_objects(self, tenant: str) -> list[dict[str, Any]]:
        """The tenant's current customers (`CustomerResponseSchema`), in default list order."""
        customers = self._tenant(tenant).customers.values()
        return [cast(dict[str, Any], copy_customer(c)) for c in customers]

    def group_objects(self, tenant: str) -> list[dict[str, Any]]:
        return [dict(group) for group in self._tenant(tenant).groups.values()]

    def store_objects(self, tenant: str) -> list[dict[str, Any]]:
        return [dict(store) for store in self._tenant(tenant).stores.values()]

    def add_customer(self, tenant: str, **fields: Any) -> dict[str, Any]:
        """Insert a customer directly (no HTTP, token or rate limit).

        `fields` are the create body's fields, validated like `POST /customers` (FlowError(400)
        on a violation), plus the read-only ones (`customerUid`, `createdAt`, `lastModifiedAt`,
        `credit`, `accountManager`, `addresses`, `contacts`, `extensions`, `consents`).
        """
        state = self._tenant(tenant)
        if unknown := set(fields) - set(WRITABLE_FIELDS) - _DIRECT_ONLY:
            raise TypeError(f"not customer fields: {sorted(unknown)}")
        direct = {key: fields.pop(key) for key in _DIRECT_ONLY if key in fields}
        for key in ("createdAt", "lastModifiedAt"):
            if key in direct:
                direct[key] = format_timestamp(parse_timestamp(str(direct[key])))
        if "createdAt" in direct:
            direct.setdefault("lastModifiedAt", direct["createdAt"])
        customer = state.create(fields, uid=direct.pop("customerUid", None))
        cast(dict[str, Any], customer).update(direct)
        return cast(dict[str, Any], copy_customer(customer))
