"""A stored customer and its renderings (detail object, list summary).

Records are immutable: a write stores a replaced copy, so a shallow copy of the store's override
map is a consistent point-in-time view (the snapshot export relies on that). Group and price-list
*names* are looked up when rendering, because renaming a group renames it for its members and
deleting a group moves its members to the default group (spec: deleteCustomerGroup).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from .formats import format_datetime
from .payloads import (
    Account,
    BillingAddress,
    CustomerObject,
    CustomerSummary,
    DeliveryAddress,
    NamedRef,
)

GroupLookup = Callable[[int | None], NamedRef | None]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    id: int  # the internal numeric id, visible only inside adminUrl
    guid: str
    billing: BillingAddress
    delivery: tuple[DeliveryAddress, ...]
    accounts: tuple[Account, ...]
    creation_time: float | None
    change_time: float | None
    group_id: int | None
    pricelist_id: int | None
    remark: str | None
    price_ratio: str
    birth_date: str | None
    disabled_orders: bool

    @property
    def main_account(self) -> Account:
        return next(account for account in self.accounts if account["mainAccount"])

    def emails(self) -> list[str]:
        return [account["email"].lower() for account in self.accounts]

    def phones(self) -> list[str]:
        return [normalize_phone(a["phone"]) for a in self.accounts if a["phone"] is not None]


def normalize_phone(phone: str) -> str:
    """Assumption (the spec does not say how `phone` is matched): ignore spaces, and read a
    leading space as the `+` of an unencoded query value."""
    stripped = phone.strip()
    if phone.startswith(" ") and stripped[:1].isdigit():
        stripped = "+" + stripped
    return stripped.replace(" ", "")


@dataclass(frozen=True, slots=True)
class Renderer:
    eshop_url: str
    group: GroupLookup
    pricelists: dict[int, str]

    def admin_url(self, record: CustomerRecord) -> str:
        return f"{self.eshop_url}/admin/zakaznici-detail?id={record.id}"

    def customer(self, record: CustomerRecord) -> CustomerObject:
        pricelist: NamedRef | None = None
        if record.pricelist_id is not None and record.pricelist_id in self.pricelists:
            pricelist = {"id": record.pricelist_id, "name": self.pricelists[record.pricelist_id]}
        return {
            "guid": record.guid,
            "billingAddress": copy.copy(record.billing),
            "deliveryAddress": [copy.copy(address) for address in record.delivery],
            "creationTime": format_datetime(record.creation_time),
            "changeTime": format_datetime(record.change_time),
            "customerGroup": self.group(record.group_id),
            "priceList": pricelist,
            "remark": record.remark,
            "priceRatio": record.price_ratio,
            "birthDate": record.birth_date,
            "accounts": [copy.copy(account) for account in record.accounts],
            "disabledOrders": record.disabled_orders,
            # Empty without the customerReviews addon (spec), which the demo shop lacks.
            "remarks": [],
            "adminUrl": self.admin_url(record),
        }

    def summary(self, record: CustomerRecord) -> CustomerSummary:
        return {
            "guid": record.guid,
            "creationTime": format_datetime(record.creation_time),
            "changeTime": format_datetime(record.change_time),
            "billCompany": record.billing["company"],
            "billFullName": record.billing["fullName"],
            "adminUrl": self.admin_url(record),
        }
