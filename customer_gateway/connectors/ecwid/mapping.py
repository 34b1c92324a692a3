"""Ecwid JSON ↔ the gateway's records, written once for both dialects. Pure functions, no I/O.

Contract: shared/upstreams/README.md 3.2 (customer entity), 3.3 (groups, deleted log), 5.1/5.2
(unified model). Decisions, one per line:

* ids are JSON numbers; the native id is their decimal string. `numeric_id` (EverShop's
  `customerId: Int!`, a 32-bit GraphQL Int) is the id itself when it fits in 2^31-1, else
  `synthetic_int_id` of the decimal string (Ecwid's newer customer ids pass 2^31). The same
  rule applies to group ids; shipping-address ids above 2^31-1 leave `cartAddressId` null.
* `fullName`: top-level `name`, else `billingPerson.name`, else its `firstName lastName`.
* `phone`: `billingPerson.phone`, else the default (then the first) `PHONE` contact.
* `vatNumber`: `taxId` (also kept in metaData with `taxIdValid`/`taxExempt`); `companyName`:
  `billingPerson.companyName`.
* `status` is always 1: Ecwid customers have no enabled/disabled flag (README 3.2).
* `createdAt`/`updatedAt`: `registered`/`updated`, `yyyy-MM-dd HH:mm:ss Z` parsed strictly (a
  value of another shape is `UpstreamBadResponse`); absent on a sparse guest record: null.
* group: `customerGroupId` + `customerGroupName`, embedded (no group lookup); a missing id is
  General (0), where Ecwid files every customer without another group.
* addresses: `billingPerson` (kind billing, when it holds more than a name or phone) then
  `shippingAddresses[]` (kind delivery); `street` lines split on newlines into address1 and
  address2 (further lines joined to address2 with ", "); `stateOrProvinceCode/Name` →
  province; `defaultAddress` → isDefault; `postalCode` → postcode; `phone` → telephone.
* empty strings, which Ecwid sends for unset text (`taxId: ""`), read as null.
* metaData: the Ecwid fields the common model has no place for (`META_FIELDS`, `stats`,
  `contacts`), left out when null or empty.
* guests (sparse records: no name, addresses, contacts…) map with nulls and never fail; a
  missing or non-numeric `id` does fail (`UpstreamBadResponse`): without it nothing can route.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from customer_gateway.connectors.helpers import synthetic_int_id
from customer_gateway.connectors.models import (
    Address,
    AddressDraft,
    ChangeRecord,
    ChangeType,
    CustomerDraft,
    CustomerPatch,
    CustomerRecord,
    GroupRecord,
    GroupRef,
    SortField,
)
from customer_gateway.connectors.reading import Reader
from customer_gateway.connectors.rows import NOT_READ, NotRead, RowKey

# A connector's GroupRefs by (id, name) (`customer`'s `group_refs`), at most this many kept.
GroupRefs = dict[tuple[int, str | None], GroupRef]
GROUP_REFS_KEPT: Final = 1024
GENERAL_GROUP_ID: Final = 0
GENERAL_GROUP_NAME: Final = "General"
MAX_INT32: Final = 2**31 - 1
# A canonical Ecwid id: digits without leading zeros (so "007" never aliases customer 7).
ECWID_ID: Final = re.compile(r"0|[1-9][0-9]{0,19}")
_DATE_TIME: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})"
)
# `_DATE_TIME` at Ecwid's usual offset, without groups: a match is read by `fromisoformat`.
_UTC_DATE_TIME: Final = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]0000", re.ASCII)
_ADDRESS_KEYS: Final = (
    "street",
    "city",
    "postalCode",
    "countryCode",
    "stateOrProvinceCode",
    "stateOrProvinceName",
    "companyName",
)
# (Ecwid field, kind) carried in metaData as they are.
META_FIELDS: Final = (
    ("totalOrderCount", "integer"),
    ("taxId", "string"),
    ("taxIdValid", "boolean"),
    ("taxExempt", "boolean"),
    ("b2b_b2c", "string"),
    ("acceptMarketing", "boolean"),
    ("lang", "string"),
    ("fiscalCode", "string"),
    ("electronicInvoicePecEmail", "string"),
    ("electronicInvoiceSdiCode", "string"),
    ("privateAdminNotes", "string"),
)


def is_ecwid_id(value: str) -> bool:
    return ECWID_ID.fullmatch(value) is not None


def int_id(number: int) -> int:
    """An Ecwid id as a 32-bit GraphQL Int: itself when it fits, else a stable 31-bit hash."""
    return number if 0 <= number <= MAX_INT32 else synthetic_int_id(str(number))


def ecwid_datetime(read: Reader, value: Any, where: str) -> datetime | None:
    """`yyyy-MM-dd HH:mm:ss Z` (`2024-06-04 21:15:10 +0000`); None when absent."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise read.bad(where)
    if _UTC_DATE_TIME.fullmatch(value) is not None:
        # Every row of a list is keyed by it (a merge) or mapped: the groups, six `int`s and
        # `datetime(...)` below cost ~20,000 instructions, this ~6,000. The same moment and the
        # same `UTC` (fromisoformat gives that singleton for +00:00); the same refusals, as
        # `fromisoformat` checks the ranges `datetime` does (tests/unit/test_ecwid_mapping.py).
        try:
            return datetime.fromisoformat(value[:19] + "+00:00")
        except ValueError:  # month 13, 25 o'clock
            raise read.bad(where) from None
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise read.bad(where)
    year, month, day, hour, minute, second, sign, zone_h, zone_m = match.groups()
    try:
        offset = timedelta(hours=int(zone_h), minutes=int(zone_m))
        zone = timezone(offset if sign == "+" else -offset)
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError:  # month 13, 25 o'clock, an offset of 24 hours or more
        raise read.bad(where) from None
    return moment.astimezone(UTC)


def unix_seconds(moment: datetime) -> int:
    """A date filter value (`updatedFrom`, `from_date`): whole UNIX seconds, rounded down, so
    the inclusive bound also reports changes in `moment`'s own second (at least once)."""
    return int(moment.timestamp() // 1)


def _person_name(read: Reader, person: Mapping[str, Any], where: str) -> str | None:
    name = read.opt_text(person, "name", where)
    if name is not None:
        return name
    parts = (read.opt_text(person, "firstName", where), read.opt_text(person, "lastName", where))
    return " ".join(part for part in parts if part) or None


def _street_lines(read: Reader, obj: Mapping[str, Any], where: str) -> tuple[str | None, ...]:
    street = read.opt_text(obj, "street", where)
    lines = [line.strip() for line in (street or "").splitlines() if line.strip()]
    return (lines[0] if lines else None, ", ".join(lines[1:]) or None)


def _address(
    read: Reader, obj: Mapping[str, Any], kind: str, where: str, name: str | None
) -> Address:
    address1, address2 = _street_lines(read, obj, where)
    number = read.opt_integer(obj, "id", where)
    return Address(
        id=None if number is None else str(number),
        numeric_id=number if number is not None and 0 <= number <= MAX_INT32 else None,
        kind=kind,
        full_name=name,
        company=read.opt_text(obj, "companyName", where),
        telephone=read.opt_text(obj, "phone", where),
        address1=address1,
        address2=address2,
        city=read.opt_text(obj, "city", where),
        postcode=read.opt_text(obj, "postalCode", where),
        country_code=read.opt_text(obj, "countryCode", where),
        province_code=read.opt_text(obj, "stateOrProvinceCode", where),
        province_name=read.opt_text(obj, "stateOrProvinceName", where),
        is_default=read.opt_boolean(obj, "defaultAddress", where),
    )


def _contacts(read: Reader, obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        read.object(item, "customer.contacts[]")
        for item in read.array(obj.get("contacts") or [], "customer.contacts")
    ]


def _phone(
    read: Reader,
    billing: Mapping[str, Any],
    contacts: Sequence[Mapping[str, Any]] | None,
    obj: Mapping[str, Any],
) -> str | None:
    phone = read.opt_text(billing, "phone", "billingPerson")
    if phone is not None:
        return phone
    if contacts is None:
        contacts = _contacts(read, obj)
    phones = [c for c in contacts if c.get("type") == "PHONE"]
    phones.sort(key=lambda contact: contact.get("default") is not True)  # stable: default first
    for contact in phones:
        value = read.opt_text(contact, "contact", "contacts[]")
        if value is not None:
            return value
    return None


def _metadata(
    read: Reader, obj: Mapping[str, Any], contacts: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    where = "customer"
    metadata: dict[str, Any] = {}
    for key, kind in META_FIELDS:
        value: Any
        if kind == "integer":
            value = read.opt_integer(obj, key, where)
        elif kind == "boolean":
            value = read.opt_boolean(obj, key, where)
        else:
            value = read.opt_text(obj, key, where)
        if value is not None:
            metadata[key] = value
    stats = obj.get("stats")
    if stats is not None:
        metadata["stats"] = dict(read.object(stats, "customer.stats"))
    if contacts:
        metadata["contacts"] = [dict(contact) for contact in contacts]
    return metadata


@dataclass(frozen=True, slots=True)
class CustomerGroup:
    """A customer's group as the customer names it."""

    numeric: int
    name: str | None


def customer_group(read: Reader, obj: Mapping[str, Any]) -> CustomerGroup:
    """`customerGroupId` + `customerGroupName`; a missing id is General (0), where Ecwid files
    every customer without another group."""
    where = "customer"
    group_id = read.opt_integer(obj, "customerGroupId", where)
    group_name = read.opt_text(obj, "customerGroupName", where)
    if group_id is None:
        return CustomerGroup(GENERAL_GROUP_ID, group_name or GENERAL_GROUP_NAME)
    if group_id == GENERAL_GROUP_ID and group_name is None:
        return CustomerGroup(GENERAL_GROUP_ID, GENERAL_GROUP_NAME)
    return CustomerGroup(group_id, group_name)


def seen_group(source: str, number: int, name: str | None) -> GroupRecord:
    """A group known from a customer that is in it (the wrapper lists no groups)."""
    return GroupRecord(
        source=source,
        id=str(number),
        numeric_id=int_id(number),
        name=name or (GENERAL_GROUP_NAME if number == GENERAL_GROUP_ID else str(number)),
        is_default=number == GENERAL_GROUP_ID,
    )


def customer(
    read: Reader,
    source: str,
    obj: Mapping[str, Any],
    *,
    addresses_wanted: bool = True,
    metadata_wanted: bool = True,
    reads: frozenset[str] | None = None,
    group_refs: GroupRefs | None = None,
    created_at: datetime | None | NotRead = NOT_READ,
) -> CustomerRecord:
    """One Ecwid customer entity (search item or detail: Ecwid returns the same shape);
    `created_at` as its key read it, if one did (`rows.MapRow`).

    A list page that selects no addresses or no metaData (`addresses_wanted`, `metadata_wanted`)
    gets records without them: empty, never read. `reads` (None: all): the optional attributes
    (`models.OPTIONAL_READS`) the page reads; the others are left None, never read.
    `group_refs`: the connector's GroupRefs by (id, name), shared by the rows in one group.

    Hot (every row of a page): a value of its exact JSON type (a non-empty string, an int) is
    taken as it is; anything else goes through the `Reader`'s checked read, which accepts what
    it accepts and raises what it raises, in the same order as before."""
    where = "customer"
    number = obj.get("id")
    if type(number) is not int:
        number = read.integer(obj, "id", where)
    billing = obj.get("billingPerson") or {}
    if type(billing) is not dict:
        billing = read.object(billing, "customer.billingPerson")
    billing_name = billing.get("name")
    if type(billing_name) is not str or not billing_name:
        billing_name = _person_name(read, billing, "customer.billingPerson")
    contacts = _contacts(read, obj) if metadata_wanted else None
    group_id = obj.get("customerGroupId")
    group_name = obj.get("customerGroupName")
    if type(group_id) is not int or type(group_name) is not str or not group_name:
        embedded = customer_group(read, obj)
        group_id, group_name = embedded.numeric, embedded.name
    addresses: list[Address] = []
    if addresses_wanted:
        addresses = _addresses(read, obj, billing, billing_name)
    email = obj.get("email")
    if type(email) is not str or not email:
        email = read.opt_text(obj, "email", where)
    name = obj.get("name")
    if type(name) is not str or not name:
        name = read.opt_text(obj, "name", where)
    if created_at is NOT_READ:
        # As `row_keys` reads it (the merge's key); inline: a call per row shows in Q2's counts.
        created_at = ecwid_datetime(read, obj.get("registered"), "customer.registered")
    return CustomerRecord(
        source=source,
        id=str(number),
        numeric_id=number if 0 <= number <= MAX_INT32 else synthetic_int_id(str(number)),
        email=email,
        full_name=name or billing_name,
        # Ecwid has no enabled/disabled flag (README 3.2): every customer can sign in and buy.
        status=1,
        created_at=created_at,
        updated_at=ecwid_datetime(read, obj.get("updated"), "customer.updated")
        if reads is None or "updated_at" in reads
        else None,
        phone=_phone(read, billing, contacts, obj) if reads is None or "phone" in reads else None,
        vat_number=read.opt_text(obj, "taxId", where)
        if reads is None or "vat_number" in reads
        else None,
        company_name=read.opt_text(billing, "companyName", "customer.billingPerson")
        if reads is None or "company_name" in reads
        else None,
        groups=(_group_ref(group_id, group_name, group_refs),),
        addresses=tuple(addresses),
        metadata=_metadata(read, obj, contacts) if contacts is not None else {},
    )


def row_keys(read: Reader) -> dict[SortField, RowKey]:
    """A list row's native id and sort value, for each sort Ecwid applies (`rows.RowKeys`):
    what a merge orders a row by before it maps the row. Read as `customer` reads them (the
    contract suite holds the two to one value); inline, as every row a merge reads is keyed."""

    def native_id(obj: Mapping[str, Any]) -> str:
        number = obj.get("id")
        if type(number) is not int:
            number = read.integer(obj, "id", "customer")
        return str(number)

    def newest(row: Any) -> tuple[str, Any]:
        obj = row if type(row) is dict else read.object(row, "customers.items[]")
        number = obj.get("id")
        if type(number) is not int:
            number = read.integer(obj, "id", "customer")
        return str(number), ecwid_datetime(read, obj.get("registered"), "customer.registered")

    def status(row: Any) -> tuple[str, Any]:
        # Ecwid has no status: every record holds 1 (`customer`).
        return native_id(read.object(row, "customers.items[]")), 1

    return {SortField.CREATED_AT: newest, SortField.STATUS: status}


def _group_ref(number: int, name: str | None, known: GroupRefs | None) -> GroupRef:
    """The customer's embedded group; one GroupRef per (id, name) where the connector keeps
    them (a GroupRef is a frozen value: every row in the group may hold the same one)."""
    if known is None:
        return GroupRef(str(number), int_id(number), name)
    ref = known.get((number, name))
    if ref is None:
        if len(known) >= GROUP_REFS_KEPT:
            known.clear()  # a bound, not a cache policy: a store has a handful of groups
        ref = known[number, name] = GroupRef(str(number), int_id(number), name)
    return ref


def _addresses(
    read: Reader, obj: Mapping[str, Any], billing: Mapping[str, Any], billing_name: str | None
) -> list[Address]:
    addresses: list[Address] = []
    if any(billing.get(key) for key in _ADDRESS_KEYS):
        addresses.append(_address(read, billing, "billing", "billingPerson", billing_name))
    shipping = read.array(obj.get("shippingAddresses") or [], "customer.shippingAddresses")
    for item in shipping:
        address = read.object(item, "customer.shippingAddresses[]")
        where_address = "customer.shippingAddresses[]"
        addresses.append(
            _address(
                read,
                address,
                "delivery",
                where_address,
                read.opt_text(address, "name", where_address),
            )
        )
    return addresses


def group(read: Reader, source: str, obj: Mapping[str, Any]) -> GroupRecord:
    where = "customerGroups[]"
    number = read.integer(obj, "id", where)
    name = read.opt_string(obj, "name", where)
    if name is None:
        if number != GENERAL_GROUP_ID:
            raise read.bad(f"{where}.name")
        name = GENERAL_GROUP_NAME
    return GroupRecord(
        source=source,
        id=str(number),
        numeric_id=int_id(number),
        name=name,
        is_default=number == GENERAL_GROUP_ID,
    )


def general_group(source: str) -> GroupRecord:
    """Group 0, built in to every store (listed locally when Ecwid's list leaves it out)."""
    return GroupRecord(source, str(GENERAL_GROUP_ID), 0, GENERAL_GROUP_NAME, is_default=True)


def edit(read: Reader, source: str, obj: Mapping[str, Any]) -> ChangeRecord:
    """A customer from `GET /customers?updatedFrom=…` (projected to `id`, `updated`)."""
    where = "customers.items[]"
    changed = ecwid_datetime(read, obj.get("updated"), f"{where}.updated")
    if changed is None:
        raise read.bad(f"{where}.updated")
    return ChangeRecord(source, str(read.integer(obj, "id", where)), ChangeType.EDIT, changed)


def deletion(read: Reader, source: str, obj: Mapping[str, Any]) -> ChangeRecord:
    """An entry of `GET /customers/deleted`: `{id, date}`."""
    where = "deleted.items[]"
    changed = ecwid_datetime(read, obj.get("date"), f"{where}.date")
    if changed is None:
        raise read.bad(f"{where}.date")
    return ChangeRecord(source, str(read.integer(obj, "id", where)), ChangeType.DELETE, changed)


def latest_changes(changes: Sequence[ChangeRecord]) -> list[ChangeRecord]:
    """The latest change per customer (a deleted customer shows only its deletion), oldest
    first; ties by id, so pages of one feed never overlap."""
    latest: dict[str, ChangeRecord] = {}
    for change in changes:
        seen = latest.get(change.id)
        rank = (change.change_type is ChangeType.DELETE, change.changed_at)
        if seen is None or rank > (seen.change_type is ChangeType.DELETE, seen.changed_at):
            latest[change.id] = change
    return sorted(latest.values(), key=lambda c: (c.changed_at, int(c.id), c.change_type.value))


# -- writes --------------------------------------------------------------------------------


def split_name(full_name: str) -> tuple[str, str]:
    """First word, the rest: how `firstName`/`lastName` follow a new full name."""
    first, _, last = full_name.strip().partition(" ")
    return first, last.strip()


def _given(**fields: str | None) -> dict[str, str]:
    return {key: value for key, value in fields.items() if value is not None}


# The address parts a write takes: the billing person's street (lines joined by a newline),
# city, postalCode, countryCode and stateOrProvinceCode.
ADDRESS_PARTS = ("address1", "address2", "city", "postcode", "countryCode", "provinceCode")


def _address_fields(address: AddressDraft | None, current: Mapping[str, Any]) -> dict[str, str]:
    """Billing-person keys for the given parts; a new country or region drops its old name."""
    if address is None:
        return {}
    fields: dict[str, str] = {}
    if address.address1 is not None or address.address2 is not None:
        street = current.get("street")
        lines = [line.strip() for line in (street if isinstance(street, str) else "").splitlines()]
        first = address.address1 if address.address1 is not None else (lines[0] if lines else "")
        rest = address.address2 if address.address2 is not None else ", ".join(lines[1:])
        fields["street"] = "\n".join(line for line in (first, rest) if line)
    parts = (
        ("city", address.city),
        ("postalCode", address.postcode),
        ("countryCode", address.country_code),
        ("stateOrProvinceCode", address.province_code),
    )
    fields.update({key: value for key, value in parts if value is not None})
    return fields


def create_body(draft: CustomerDraft, group_id: int | None) -> dict[str, Any]:
    """`POST /customers`: e-mail, the billing person (name, its parts, company, phone), tax id,
    group, password."""
    billing: dict[str, Any] = _given(
        name=draft.full_name,
        firstName=draft.first_name,
        lastName=draft.last_name,
        companyName=draft.company_name,
        phone=draft.phone,
    ) | _address_fields(draft.address, {})
    body: dict[str, Any] = {"email": draft.email}
    if billing:  # only the e-mail is required (README 3.3)
        body["billingPerson"] = billing
    if draft.vat_number is not None:
        body["taxId"] = draft.vat_number
    if group_id is not None:
        body["customerGroupId"] = group_id
    if draft.password is not None:
        body["password"] = draft.password  # legacy sign-in stores only; never read back
    return body


def changes_billing(patch: CustomerPatch) -> bool:
    return any(
        value is not None
        for value in (
            patch.full_name,
            patch.first_name,
            patch.last_name,
            patch.company_name,
            patch.phone,
            patch.address,
        )
    )


def update_body(
    patch: CustomerPatch, group_id: int | None, current_billing: Mapping[str, Any] | None
) -> dict[str, Any]:
    """`PUT /customers/{id}` with only what changes.

    A new name, company or phone is sent inside the whole current `billingPerson`, read under
    the customer's write lock (whether Ecwid merges or replaces that object on PUT is
    undocumented: sending all of it is right either way, and the lock keeps a concurrent
    update's change in it). A new full name without its parts also rewrites `firstName`/
    `lastName` where the customer has them (first word, the rest), so Ecwid's name fields never
    disagree.
    """
    body: dict[str, Any] = {}
    if patch.email is not None:
        body["email"] = patch.email
    if patch.password is not None:
        body["password"] = patch.password
    if patch.vat_number is not None:
        body["taxId"] = patch.vat_number
    if group_id is not None:
        body["customerGroupId"] = group_id
    if changes_billing(patch):
        billing = {
            key: value
            for key, value in (current_billing or {}).items()
            if isinstance(value, str) and key in _PERSON_FIELDS
        }
        if patch.full_name is not None:
            billing["name"] = patch.full_name
            split = patch.first_name is None and patch.last_name is None
            if split and ("firstName" in billing or "lastName" in billing):
                billing["firstName"], billing["lastName"] = split_name(patch.full_name)
        billing.update(
            _given(
                firstName=patch.first_name,
                lastName=patch.last_name,
                companyName=patch.company_name,
                phone=patch.phone,
            )
        )
        address = _address_fields(patch.address, current_billing or {})
        if "countryCode" in address:
            billing.pop("countryName", None)  # Ecwid's name of the old country
        if "stateOrProvinceCode" in address:
            billing.pop("stateOrProvinceName", None)
        billing.update(address)
        body["billingPerson"] = billing
    return body


_PERSON_FIELDS: Final = frozenset(
    {
        "name",
        "firstName",
        "lastName",
        "companyName",
        "street",
        "city",
        "countryCode",
        "countryName",
        "postalCode",
        "stateOrProvinceCode",
        "stateOrProvinceName",
        "phone",
    }
)
