"""The stored customer and how Ecwid renders it (README 3.2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, cast

from .formats import FieldSpec, format_datetime, project
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


# The full entity's fields in README 3.2's order, each read from the record (and the name of
# its group); ABSENT leaves the field out (a guest has no `taxId`, `contacts`, ...).
ABSENT: Final = object()
_Field = Callable[[CustomerRecord, str], object]


def _optional(value: object) -> object:
    return ABSENT if value is None else value


FIELDS: Final[tuple[tuple[str, _Field], ...]] = (
    ("id", lambda record, _group: record.id),
    ("name", lambda record, _group: _optional(record.name)),
    ("email", lambda record, _group: record.email),
    ("registered", lambda record, _group: format_datetime(record.registered)),
    ("updated", lambda record, _group: format_datetime(record.updated)),
    ("totalOrderCount", lambda record, _group: record.order_count),
    ("customerGroupId", lambda record, _group: record.group_id),
    ("customerGroupName", lambda _record, group: group),
    (
        "billingPerson",
        lambda record, _group: ABSENT if record.billing is None else record.billing.copy(),
    ),
    ("shippingAddresses", lambda record, _group: [address.copy() for address in record.shipping]),
    (
        "contacts",
        lambda record, _group: (
            ABSENT if record.contacts is None else [contact.copy() for contact in record.contacts]
        ),
    ),
    ("taxId", lambda record, _group: _optional(record.tax_id)),
    ("taxIdValid", lambda record, _group: record.tax_id_valid),
    ("taxExempt", lambda record, _group: record.tax_exempt),
    ("b2b_b2c", lambda record, _group: _optional(record.b2b_b2c)),
    ("fiscalCode", lambda record, _group: _optional(record.fiscal_code)),
    ("electronicInvoicePecEmail", lambda record, _group: _optional(record.pec_email)),
    ("electronicInvoiceSdiCode", lambda record, _group: _optional(record.sdi_code)),
    ("acceptMarketing", lambda record, _group: record.accept_marketing),
    ("lang", lambda record, _group: _optional(record.lang)),
    ("stats", lambda record, _group: record.stats()),
    ("privateAdminNotes", lambda record, _group: _optional(record.private_admin_notes)),
    (
        "favorites",
        lambda record, _group: ABSENT if record.favorites is None else list(record.favorites),
    ),
)
_FIELD_OF: Final = dict(FIELDS)


def render_customer(record: CustomerRecord, group_name: str) -> CustomerObject:
    """The full entity in README 3.2's order; fields without a value are left out (guests)."""
    rendered: dict[str, object] = {}
    for name, value_of in FIELDS:
        value = value_of(record, group_name)
        if value is not ABSENT:
            rendered[name] = value
    return cast(CustomerObject, rendered)


def render_fields(record: CustomerRecord, group_name: str, spec: FieldSpec) -> dict[str, Any]:
    """`project(render_customer(record, group_name), spec)` (a `responseFields` projection),
    rendering only the fields `spec` names: a list read with a few fields skips the rest."""
    rendered: dict[str, Any] = {}
    for name, nested in spec.items():
        value_of = _FIELD_OF.get(name)
        if value_of is None:
            continue
        value = value_of(record, group_name)
        if value is not ABSENT:
            rendered[name] = value if nested is None else project(value, nested)
    return rendered
