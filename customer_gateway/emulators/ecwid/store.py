"""One Ecwid store's customer area as state: customers, customer groups, the deleted log."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Final, cast

from customer_gateway.emulators.base import Clock

from .formats import FieldSpec, format_datetime
from .payloads import (
    Contact,
    CustomerPage,
    DeletedItem,
    DeletedPage,
    EcwidError,
    GroupObject,
    GroupPage,
    Person,
    ShippingAddress,
)
from .records import (
    GENERAL_GROUP_ID,
    GENERAL_GROUP_NAME,
    CustomerRecord,
    format_address,
    render_customer,
    render_fields,
)
from .reference import COUNTRY_NAMES
from .search import CustomerQuery, Page
from .seed import generate
from .validation import AddressInput, ContactInput, CustomerInput

# Assumption: "kept 6 months" (README 3.3) is taken as 183 days.
DELETED_RETENTION_SECONDS: Final = 183 * 86_400


@dataclass(frozen=True, slots=True)
class DeletedEntry:
    id: int
    date: float


class Store:
    def __init__(self, *, seed: int, customers: int, groups_enabled: bool, clock: Clock) -> None:
        self.clock = clock
        self.rng = random.Random(f"ecwid-ids:{seed}")
        data = generate(seed, customers, groups_enabled=groups_enabled)
        self.product_ids = data.product_ids
        self.customers: dict[int, CustomerRecord] = {c.id: c for c in data.customers}
        self.groups: dict[int, str] = {GENERAL_GROUP_ID: GENERAL_GROUP_NAME}
        self.groups.update((group.id, group.name) for group in data.groups)
        self.deleted: list[DeletedEntry] = []
        self._last_customer_id = max(self.customers, default=100_000_000)
        self._last_group_id = max(self.groups)
        # Every write bumps `generation`; an unfiltered search reuses the order it sorted last
        # for that sortBy while nothing was written (a sync pages a large shop: one sort, not
        # one per page).
        self.generation = 0
        self._orders: dict[str, tuple[int, list[CustomerRecord]]] = {}

    # -- customers ---------------------------------------------------------------------------
    def customer(self, customer_id: int) -> CustomerRecord:
        record = self.customers.get(customer_id)
        if record is None:
            raise EcwidError.not_found(f"Customer with id {customer_id} not found")
        return record

    def render(self, record: CustomerRecord) -> dict[str, object]:
        group = self.groups.get(record.group_id, GENERAL_GROUP_NAME)
        return dict(render_customer(record, group))

    def touch(self) -> None:
        """A customer record changed (every write path calls this)."""
        self.generation += 1

    def search(
        self, query: CustomerQuery, page: Page, fields: FieldSpec | None = None
    ) -> CustomerPage | dict[str, Any]:
        """A page of the search; `fields`: projected as `responseFields` (formats.project) does,
        rendering only the fields it names."""
        if query.unfiltered:
            cached = self._orders.get(query.sort_by)
            if cached is None or cached[0] != self.generation:
                cached = (self.generation, query.run(list(self.customers.values())))
                self._orders = {query.sort_by: cached}
            found = cached[1]
        else:
            found = query.run(list(self.customers.values()))
        chosen = found[page.offset : page.offset + page.limit]
        counts = {
            "total": len(found),
            "count": len(chosen),
            "offset": page.offset,
            "limit": page.limit,
        }
        if fields is None:
            return cast(CustomerPage, {**counts, "items": self._items(chosen, None)})
        projected: dict[str, Any] = {}
        for name, nested in fields.items():  # formats.project, in the projection's order
            if name == "items":
                projected[name] = self._items(chosen, nested)
            elif name in counts:
                projected[name] = counts[name]  # a number: a nested projection keeps it
        return projected

    def _items(self, chosen: list[CustomerRecord], fields: FieldSpec | None) -> list[Any]:
        if fields is None:
            return [render_customer(c, self.groups.get(c.group_id, "")) for c in chosen]
        return [render_fields(c, self.groups.get(c.group_id, ""), fields) for c in chosen]

    def _check_email(self, email: str, owner: int | None) -> None:
        folded = email.casefold()
        for record in self.customers.values():
            if record.email.casefold() == folded and record.id != owner:
                raise EcwidError(409, f"Customer with email {email} already exists")

    def _check_group(self, group_id: int) -> None:
        # Assumption: an unknown customerGroupId is a 400 (the docs list no 404 for writes).
        if group_id not in self.groups:
            raise EcwidError.bad_request(f"Customer group with id {group_id} not found")

    def create_customer(self, data: CustomerInput, customer_id: int | None = None) -> int:
        email = data["email"]
        self._check_email(email, None)
        self._check_group(data.get("customerGroupId", GENERAL_GROUP_ID))
        if customer_id is None:
            customer_id = self._last_customer_id + self.rng.randrange(1, 5_000)
        elif customer_id in self.customers:
            raise EcwidError(409, f"Customer with id {customer_id} already exists")
        self._last_customer_id = max(self._last_customer_id, customer_id)
        now = float(int(self.clock()))
        record = CustomerRecord(id=customer_id, email=email, registered=now, updated=now)
        record.tax_id = ""
        record.b2b_b2c = "b2c"
        record.private_admin_notes = ""
        record.favorites = []
        self._apply(record, data, now)
        if record.contacts is None:  # Assumption: Ecwid files the e-mail as the first contact.
            record.contacts = [self._contact("EMAIL", email, True, 0, now)]
        self.customers[customer_id] = record
        self.touch()
        return customer_id

    def update_customer(self, customer_id: int, data: CustomerInput) -> None:
        record = self.customer(customer_id)
        self.touch()
        if "email" in data:
            self._check_email(data["email"], customer_id)
        if "customerGroupId" in data:
            self._check_group(data["customerGroupId"])
        now = float(int(self.clock()))
        old_email = record.email
        self._apply(record, data, now)
        if "contacts" not in data and record.contacts is not None and old_email != record.email:
            for contact in record.contacts:
                if contact["type"] == "EMAIL" and contact["contact"] == old_email:
                    contact["contact"] = record.email
        record.updated = now

    def _apply(self, record: CustomerRecord, data: CustomerInput, now: float) -> None:
        """Fields present replace stored ones; `billingPerson` merges field by field.

        Assumption: nested-object merge vs. replace is undocumented; lists are replaced.
        """
        if "email" in data:
            record.email = data["email"]
        if "password" in data:
            record.password = data["password"]
        if "customerGroupId" in data:
            record.group_id = data["customerGroupId"]
        if "billingPerson" in data:
            record.billing = self._billing(record.billing, data["billingPerson"])
        if "shippingAddresses" in data:
            record.shipping = self._addresses(data["shippingAddresses"], now)
        if "contacts" in data:
            record.contacts = self._contacts(data["contacts"], now)
        record.tax_id = data.get("taxId", record.tax_id)
        record.tax_id_valid = data.get("taxIdValid", record.tax_id_valid)
        record.tax_exempt = data.get("taxExempt", record.tax_exempt)
        record.b2b_b2c = data.get("b2b_b2c", record.b2b_b2c)
        record.fiscal_code = data.get("fiscalCode", record.fiscal_code)
        record.pec_email = data.get("electronicInvoicePecEmail", record.pec_email)
        record.sdi_code = data.get("electronicInvoiceSdiCode", record.sdi_code)
        if "acceptMarketing" in data:
            record.accept_marketing = data["acceptMarketing"]
        record.lang = data.get("lang", record.lang)
        record.private_admin_notes = data.get("privateAdminNotes", record.private_admin_notes)

    @staticmethod
    def _billing(old: Person | None, given: Person) -> Person:
        merged: dict[str, str] = {**cast(dict[str, str], old or {}), **cast(dict[str, str], given)}
        code = merged.get("countryCode", "")
        if code in COUNTRY_NAMES and "countryName" not in given:
            merged["countryName"] = COUNTRY_NAMES[code]
        if "name" not in given and ("firstName" in given or "lastName" in given):
            # Assumption: Ecwid composes the full name from first and last name.
            parts = (merged.get("firstName", ""), merged.get("lastName", ""))
            merged = {"name": " ".join(p for p in parts if p), **merged}
        return cast(Person, merged)

    def _addresses(self, given: list[AddressInput], now: float) -> list[ShippingAddress]:
        default = next((i for i, a in enumerate(given) if a.get("defaultAddress")), 0)
        addresses: list[ShippingAddress] = []
        for order, raw in enumerate(given):
            fields = {k: v for k, v in raw.items() if k != "defaultAddress"}
            code = fields.get("countryCode")
            if isinstance(code, str) and code in COUNTRY_NAMES and "countryName" not in fields:
                fields["countryName"] = COUNTRY_NAMES[code]
            address: ShippingAddress = {
                "id": self.rng.randrange(10_000_000, 999_999_999),
                **fields,  # type: ignore[typeddict-item]
                "createdDate": format_datetime(now),
                "defaultAddress": order == default,
                "orderBy": order,
                "addressFormatted": "",
            }
            address["addressFormatted"] = format_address(address)
            addresses.append(address)
        return addresses

    def _contact(self, kind: str, value: str, default: bool, order: int, now: float) -> Contact:
        return {
            "id": self.rng.randrange(100_000_000, 999_999_999),
            "contact": value,
            "type": kind,
            "default": default,
            "orderBy": order,
            "timestamp": format_datetime(now),
        }

    def _contacts(self, given: list[ContactInput], now: float) -> list[Contact]:
        return [
            self._contact(
                c["type"],
                c["contact"],
                c["default"],
                i if c["orderBy"] is None else c["orderBy"],
                now,
            )
            for i, c in enumerate(given)
        ]

    def delete_customer(self, customer_id: int) -> None:
        self.customer(customer_id)
        del self.customers[customer_id]
        self.touch()
        self.deleted.append(DeletedEntry(customer_id, float(int(self.clock()))))

    # -- deleted log ---------------------------------------------------------------------------
    def deleted_items(
        self, start: float | None = None, end: float | None = None
    ) -> list[DeletedItem]:
        horizon = self.clock() - DELETED_RETENTION_SECONDS
        self.deleted = [entry for entry in self.deleted if entry.date >= horizon]
        return [
            {"id": entry.id, "date": format_datetime(entry.date)}
            for entry in self.deleted
            if (start is None or entry.date >= start) and (end is None or entry.date <= end)
        ]

    def deleted_page(self, start: float | None, end: float | None, page: Page) -> DeletedPage:
        items = self.deleted_items(start, end)
        chosen = items[page.offset : page.offset + page.limit]
        return {
            "total": len(items),
            "count": len(chosen),
            "offset": page.offset,
            "limit": page.limit,
            "items": chosen,
        }

    # -- customer groups ------------------------------------------------------------------------
    def group_list(self) -> list[GroupObject]:
        return [{"id": gid, "name": name} for gid, name in sorted(self.groups.items())]

    def group_page(self, page: Page) -> GroupPage:
        groups = self.group_list()
        chosen = groups[page.offset : page.offset + page.limit]
        return {
            "total": len(groups),
            "count": len(chosen),
            "limit": page.limit,
            "offset": page.offset,
            "items": chosen,
        }

    def group(self, group_id: int) -> GroupObject:
        if group_id not in self.groups:
            raise EcwidError.not_found(f"Customer group with id {group_id} not found")
        return {"id": group_id, "name": self.groups[group_id]}

    def create_group(self, name: str) -> int:
        self._last_group_id += self.rng.randrange(1, 5_000)
        self.groups[self._last_group_id] = name
        return self._last_group_id

    def _changeable_group(self, group_id: int, action: str) -> None:
        self.group(group_id)
        if group_id == GENERAL_GROUP_ID:
            # Assumption: the built-in General group is refused with a 400.
            raise EcwidError.bad_request(f"The General customer group can't be {action}")

    def rename_group(self, group_id: int, name: str) -> None:
        self._changeable_group(group_id, "updated")
        self.groups[group_id] = name

    def delete_group(self, group_id: int) -> None:
        self._changeable_group(group_id, "deleted")
        del self.groups[group_id]
        now = float(int(self.clock()))
        self.touch()
        for record in self.customers.values():
            if record.group_id == group_id:
                record.group_id = GENERAL_GROUP_ID
                record.updated = now  # a group change updates the customer (README 3.2)
