"""Ecwid REST API v3's customer area (README 3.1-3.3) as an ASGI app."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Final, Self

from starlette.routing import BaseRoute

from customer_gateway.emulators.base import Clock, Emulator
from customer_gateway.emulators.http import catch_all

from .api import CustomerApi
from .formats import parse_datetime
from .http import HttpConfig, Pipeline
from .payloads import EcwidError
from .seed import REFERENCE_TIME
from .store import Store
from .validation import customer_input

DEFAULT_SCOPES: Final = (
    "read_customers",
    "create_customers",
    "update_customers",
    "read_store_profile",
)
# add_customer() fields that no API request can set.
_DIRECT_ONLY: Final = (
    "id",
    "name",
    "registered",
    "updated",
    "totalOrderCount",
    "salesValue",
    "purchasedProductIds",
    "guest",
)


def _instant(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(int(value))
    if isinstance(value, str):
        return parse_datetime(value)
    raise TypeError(f"expected UNIX seconds or 'yyyy-MM-dd HH:mm:ss Z', got {value!r}")


class EcwidEmulator(Emulator):
    """One Ecwid store behind `https://app.ecwid.com/api/v3/{store_id}`.

    Options for what the contract leaves open (see the package docstring for every
    assumption): `invalid_token_limit_per_minute` (per IP; 0 turns it off) and
    `reject_limit_over_max` (400 instead of capping `limit` above 100).
    """

    kind = "ecwid"

    @classmethod
    def create(cls, *, seed: int, customers: int, rate_limits: bool = True) -> Self:
        return cls(seed=seed, customers=customers, rate_limit_per_minute=600 if rate_limits else 0)

    def __init__(
        self,
        *,
        seed: int = 1,
        customers: int = 250,
        store_id: int = 1003,
        token: str = "secret_ecwid-sandbox-token",  # noqa: S107 - the sandbox's demo token
        scopes: Sequence[str] = DEFAULT_SCOPES,
        groups_enabled: bool = True,
        rate_limit_per_minute: int = 600,
        clock: Clock = time.time,
        invalid_token_limit_per_minute: int = 20,
        reject_limit_over_max: bool = False,
    ) -> None:
        super().__init__(clock=clock)
        self.store_id = store_id
        self.token = token
        self.scopes = frozenset(scopes)
        self.groups_enabled = groups_enabled
        self.store = Store(
            seed=seed, customers=customers, groups_enabled=groups_enabled, clock=self.clock
        )
        config = HttpConfig(
            store_id=store_id,
            token=token,
            scopes=self.scopes,
            groups_enabled=groups_enabled,
            rate_limit_per_minute=rate_limit_per_minute,
            invalid_token_limit_per_minute=invalid_token_limit_per_minute,
        )
        api = CustomerApi(self.store, reject_limit_over_max=reject_limit_over_max)
        self.pipeline = Pipeline(config, clock=self.clock, endpoints=api.endpoints())

    def routes(self) -> Sequence[BaseRoute]:
        return [catch_all(self.pipeline.__call__)]

    # -- helpers for the gateway and tests -------------------------------------------------------
    @property
    def base_path(self) -> str:
        return f"/api/v3/{self.store_id}"

    @property
    def reference_time(self) -> float:
        """The fixed instant the generated history ends before (not wall-clock)."""
        return REFERENCE_TIME

    @property
    def product_ids(self) -> tuple[int, ...]:
        """The catalogue the seeded customers bought from (`purchasedProductIds`)."""
        return self.store.product_ids

    def connector_credentials(self) -> dict[str, str]:
        return {"store_id": str(self.store_id), "token": self.token}

    def customer_objects(self) -> list[dict[str, Any]]:
        """Every current customer, full entity, by id (ids grow with registration)."""
        return [self.store.render(self.store.customers[i]) for i in sorted(self.store.customers)]

    def group_objects(self) -> list[dict[str, Any]]:
        return [dict(group) for group in self.store.group_list()]

    def deleted_log(self) -> list[dict[str, Any]]:
        return [dict(item) for item in self.store.deleted_items()]

    def add_customer(self, **fields: Any) -> dict[str, Any]:
        """Insert a customer directly (no HTTP, token, scopes or limits).

        `fields` are `POST /customers` body fields, validated like that request (EcwidError
        on a violation, 409 for a taken e-mail), plus direct-only `id`, `name` (becomes
        `billingPerson.name`), `registered`/`updated` (UNIX seconds or Ecwid date strings),
        `totalOrderCount`, `salesValue`, `purchasedProductIds` and `guest=True` (a guest
        checkout: none of the account defaults `taxId`, `b2b_b2c`, `contacts`, ...).
        """
        direct = {key: fields.pop(key) for key in _DIRECT_ONLY if key in fields}
        if "name" in direct:
            fields["billingPerson"] = {"name": direct["name"], **fields.get("billingPerson", {})}
        data = customer_input(fields, creating=True)
        customer_id = direct.get("id")
        if customer_id is not None and not isinstance(customer_id, int):
            raise EcwidError.bad_request("id must be a number")
        record = self.store.customer(self.store.create_customer(data, customer_id))
        if direct.get("guest"):
            record.contacts = record.favorites = None
            record.tax_id = record.b2b_b2c = record.private_admin_notes = None
        if "registered" in direct:
            record.registered = _instant(direct["registered"])
        record.updated = _instant(direct.get("updated", record.registered))
        record.order_count = int(direct.get("totalOrderCount", 0))
        record.sales_value = float(direct.get("salesValue", 0.0))
        record.purchased_product_ids = frozenset(direct.get("purchasedProductIds", ()))
        self.store.touch()
        return self.store.render(record)
