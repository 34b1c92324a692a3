"""The stored customer and how Ecwid renders it (README 3.2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from .formats import format_datetime
from .payloads import Contact, CustomerObject, Person, ShippingAddress, Stats

GENERAL_GROUP_ID = 0
GENERAL_GROUP_NAME = "General"


@dataclass(slots=True)
class CustomerRecord:
    id: int
    email: str
    registered: float
    updated: float
    group_id: int = GENERAL_GROUP_ID
    billing: Person | None = None
    shipping: list[ShippingAddress] = field(default_factory=list)
    contacts: list[Contact] | None = None
    tax_id: str | None = None
    tax_id_valid: bool = True
    tax_exempt: bool = False
    b2b_b2c: str | None = None
    fiscal_code: str | None = None
    pec_email: str | None = None
    sdi_code: str | None = None
    accept_marketing: bool | None = None
    lang: str | None = None
    order_count: int = 0
    sales_value: float = 0.0
    private_admin_notes: str | None = None
    favorites: list[object] | None = None
    purchased_product_ids: frozenset[int] = frozenset()  # not rendered; for the search filter
    password: str | None = None  # legacy sign-in; never rendered

    @property
    def name(self) -> str | None:
        """The search results' `name`: `billingPerson.name`, else first + last name."""
        if self.billing is None:
            return None
        if self.billing.get("name"):
            return self.billing["name"]
        parts = [self.billing.get("firstName", ""), self.billing.get("lastName", "")]
        joined = " ".join(part for part in parts if part)
        return joined or None

    def stats(self) -> Stats:
        average = round(self.sales_value / self.order_count, 2) if self.order_count else 0.0
        return {
            "numberOfOrders": self.order_count,
            "salesValue": float(round(self.sales_value, 2)),
            "averageOrderValue": average,
        }


def format_address(address: ShippingAddress | Person) -> str:
    """`addressFormatted`: street lines, city, state + postal code, country, comma-separated.

    Assumption: the exact layout of `addressFormatted` is undocumented.
    """
    street = address.get("street", "")
    lines = [line for line in street.split("\n") if line] if isinstance(street, str) else []
    city = address.get("city", "")
    region = " ".join(
        str(part)
        for part in (address.get("stateOrProvinceCode"), address.get("postalCode"))
        if part
    )
    parts = [*lines, city, region, address.get("countryName", "")]
    return ", ".join(str(part) for part in parts if part)


def render_customer(record: CustomerRecord, group_name: str) -> CustomerObject:
    """The full entity in README 3.2's order; fields without a value are left out (guests)."""
    head: dict[str, object] = {"id": record.id}
    if record.name is not None:
        head["name"] = record.name
    rendered = cast(
        CustomerObject,
        head
        | {
            "email": record.email,
            "registered": format_datetime(record.registered),
            "updated": format_datetime(record.updated),
            "totalOrderCount": record.order_count,
            "customerGroupId": record.group_id,
            "customerGroupName": group_name,
        },
    )
    if record.billing is not None:
        rendered["billingPerson"] = record.billing.copy()
    rendered["shippingAddresses"] = [address.copy() for address in record.shipping]
    if record.contacts is not None:
        rendered["contacts"] = [contact.copy() for contact in record.contacts]
    if record.tax_id is not None:
        rendered["taxId"] = record.tax_id
    rendered["taxIdValid"] = record.tax_id_valid
    rendered["taxExempt"] = record.tax_exempt
    if record.b2b_b2c is not None:
        rendered["b2b_b2c"] = record.b2b_b2c
    if record.fiscal_code is not None:
        rendered["fiscalCode"] = record.fiscal_code
    if record.pec_email is not None:
        rendered["electronicInvoicePecEmail"] = record.pec_email
    if record.sdi_code is not None:
        rendered["electronicInvoiceSdiCode"] = record.sdi_code
    rendered["acceptMarketing"] = record.accept_marketing
    if record.lang is not None:
        rendered["lang"] = record.lang
    rendered["stats"] = record.stats()
    if record.private_admin_notes is not None:
        rendered["privateAdminNotes"] = record.private_admin_notes
    if record.favorites is not None:
        rendered["favorites"] = list(record.favorites)
    return rendered
