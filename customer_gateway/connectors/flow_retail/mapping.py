"""Flow Retail JSON ↔ the gateway's records. Pure functions, no I/O.

Contract: shared/upstreams/README.md 2.3 (customer), 2.4 (groups, store view, search), 5.1.
Fields the contract calls unknown are read only where the documented example shows them; the
assumed `customerGroupUids` (README 2.3 "further fields") is read when present and never
required.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from customer_gateway.connectors.helpers import synthetic_int_id
from customer_gateway.connectors.models import (
    Address,
    AddressDraft,
    CustomerDraft,
    CustomerPatch,
    CustomerRecord,
    ExternalHit,
    GroupRecord,
    GroupRef,
    SortField,
    StoreView,
)
from customer_gateway.connectors.reading import Reader
from customer_gateway.connectors.rows import NOT_READ, NotRead, RowKey

# A connector's GroupRefs by group uid (`customer`'s `group_refs`), at most this many kept.
GroupRefs = dict[str, GroupRef]
GROUP_REFS_KEPT = 1024
_ADDRESS_KINDS = {"INVOICE_ADDRESS": "billing", "DELIVERY_ADDRESS": "delivery"}
# Flow Retail's customer fields that the common model has no place for: kept in metaData.
_META_FIELDS = (
    "customerType",
    "companyName",
    "ledgerNumber",
    "pricelistUid",
    "externalId",
    "origin",
    "loyaltyId",
    "paymentTerms",
    "credit",
    "accountManager",
    "contacts",
    "extensions",
    "consents",
    "defaultStoreUid",
    "ehf",
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
    """One Flow Retail customer (`created_at` as its key read it, if one did: `rows.MapRow`);
    without its addresses or its metadata for a list page that
    selects none (`addresses_wanted`, `metadata_wanted`: empty, never read). `reads` (None:
    all): the optional attributes (`models.OPTIONAL_READS`) the page reads; the others are left
    None, never read. `group_refs`: the connector's GroupRefs by uid, shared by the rows in one
    group."""
    # Hot (every row of a page): a string or null is taken as it is; anything else goes through
    # the `Reader`'s checked read, which raises what it raised, in the same order as before.
    where = "customer"
    uid = obj.get("customerUid")
    if type(uid) is not str:
        uid = read.string(obj, "customerUid", where)
    first = obj.get("firstname")
    if first is not None and type(first) is not str:
        first = read.opt_string(obj, "firstname", where)
    last = obj.get("lastname")
    if last is not None and type(last) is not str:
        last = read.opt_string(obj, "lastname", where)
    company = obj.get("companyName")
    if company is not None and type(company) is not str:
        company = read.opt_string(obj, "companyName", where)
    parts = (f"{first} {last}" if first and last else first or last) or None
    display = obj.get("displayName")
    if display is not None and type(display) is not str:
        display = read.opt_string(obj, "displayName", where)
    full_name = (
        display or (company if obj.get("customerType") == "COMPANY" else parts) or parts or company
    )
    email = obj.get("email")
    if type(email) is not str or not email:
        email = read.opt_text(obj, "email", where)
    if email is None:
        # A company may have no e-mail of its own: its first contact person's (README 5.1).
        for contact in read.array(obj.get("contacts") or [], "customer.contacts"):
            email = read.opt_text(read.object(contact, "contacts[]"), "email", "contact")
            if email:
                break
    group_uids = [
        value
        for value in read.array(obj.get("customerGroupUids") or [], "customer.customerGroupUids")
        if isinstance(value, str)
    ]
    addresses = []
    if addresses_wanted and any(obj.get(key) for key in ("address", "postalCode", "city")):
        addresses.append(
            Address(
                id=None,
                kind="address",
                full_name=full_name,
                company=company,
                address1=read.opt_string(obj, "address", where),
                postcode=read.opt_string(obj, "postalCode", where),
                city=read.opt_string(obj, "city", where),
                country_code=read.opt_string(obj, "countryCode", where),
                telephone=read.opt_string(obj, "mobile", where),
                is_default=True,
            )
        )
    if addresses_wanted:
        addresses.extend(
            address(read, read.object(item, "addresses[]"))
            for item in read.array(obj.get("addresses") or [], "customer.addresses")
        )
    return CustomerRecord(
        source=source,
        id=uid,
        # No integer id in the REST API (webhooks carry one, REST does not): synthesised.
        numeric_id=synthetic_int_id(uid),
        email=email,
        full_name=full_name,
        status=1,  # Flow Retail has no enabled flag (README 5.1: unknown); every customer is 1
        # As `row_keys` reads it (the merge's key).
        created_at=read.iso_datetime(obj.get("createdAt"), "customer.createdAt")
        if created_at is NOT_READ
        else created_at,
        updated_at=read.iso_datetime(obj.get("lastModifiedAt"), "customer.lastModifiedAt")
        if reads is None or "updated_at" in reads
        else None,
        phone=read.opt_string(obj, "mobile", where) if reads is None or "phone" in reads else None,
        vat_number=read.opt_string(obj, "vatNumber", where)
        if reads is None or "vat_number" in reads
        else None,
        company_name=company if reads is None or "company_name" in reads else None,
        external_id=read.opt_string(obj, "externalId", where),
        groups=tuple(_group_ref(uid_, group_refs) for uid_ in group_uids),
        addresses=tuple(addresses),
        metadata=(
            {key: obj[key] for key in _META_FIELDS if obj.get(key) not in (None, [], "")}
            if metadata_wanted
            else {}
        ),
    )


def row_keys(read: Reader) -> dict[SortField, RowKey]:
    """A list row's native id and sort value, for the sort Flow Retail applies (`rows.RowKeys`):
    what a merge orders a row by before it maps the row. Read as `customer` reads them (the
    contract suite holds the two to one value); inline, as every row a merge reads is keyed."""

    def newest(row: Any) -> tuple[str, Any]:
        obj = row if type(row) is dict else read.object(row, "items[]")
        uid = obj.get("customerUid")
        if type(uid) is not str:
            uid = read.string(obj, "customerUid", "customer")
        return uid, read.iso_datetime(obj.get("createdAt"), "customer.createdAt")

    return {SortField.CREATED_AT: newest}


def _group_ref(uid: str, known: GroupRefs | None) -> GroupRef:
    """One GroupRef per group uid where the connector keeps them (a frozen value: every row in
    the group may hold the same one)."""
    if known is None:
        return GroupRef(uid)
    ref = known.get(uid)
    if ref is None:
        if len(known) >= GROUP_REFS_KEPT:
            known.clear()  # a bound, not a cache policy: a tenant has a handful of groups
        ref = known[uid] = GroupRef(uid)
    return ref


def address(read: Reader, obj: Mapping[str, Any]) -> Address:
    where = "address"
    first = read.opt_string(obj, "firstname", where)
    last = read.opt_string(obj, "lastname", where)
    name = read.opt_string(obj, "displayName", where) or (
        " ".join(part for part in (first, last) if part) or None
    )
    return Address(
        id=read.opt_string(obj, "customerAddressUid", where),
        kind=_ADDRESS_KINDS.get(str(obj.get("type")), "address"),
        full_name=name,
        company=read.opt_string(obj, "companyName", where),
        address1=read.opt_string(obj, "address", where),
        postcode=read.opt_string(obj, "postalCode", where),
        city=read.opt_string(obj, "city", where),
        country_code=read.opt_string(obj, "countryCode", where),
        telephone=read.opt_string(obj, "phone", where),
    )


def group(read: Reader, source: str, obj: Mapping[str, Any]) -> GroupRecord:
    where = "customerGroup"
    uid = read.string(obj, "customerGroupUid", where)
    return GroupRecord(
        source=source,
        id=uid,
        numeric_id=synthetic_int_id(uid),
        name=read.string(obj, "name", where),
        metadata={
            key: obj[key]
            for key in ("createdBy", "createdAt", "lastModifiedBy", "lastModifiedAt")
            if obj.get(key) is not None
        },
    )


def store_view(read: Reader, obj: Mapping[str, Any], store_id: str) -> StoreView:
    """The store-specific part (its shape is unknown: README 2.4; every field optional)."""
    details = read.object(obj.get("storeCustomerDetails") or {}, "storeCustomerDetails")
    where = "storeCustomerDetails"
    return StoreView(
        store_id=read.opt_string(details, "storeUid", where) or store_id,
        store_name=read.opt_string(details, "storeName", where),
        first_visit_at=read.iso_datetime(details.get("firstVisitAt"), f"{where}.firstVisitAt"),
        last_visit_at=read.iso_datetime(details.get("lastVisitAt"), f"{where}.lastVisitAt"),
        visit_count=read.opt_integer(details, "visitCount", where),
        loyalty_points=read.opt_integer(details, "loyaltyPoints", where),
        details=dict(details),
    )


def external_hit(read: Reader, obj: Mapping[str, Any]) -> ExternalHit:
    """An external register hit (shape unknown: README 2.4; read what is there)."""
    where = "externalHit"
    return ExternalHit(
        name=read.opt_string(obj, "name", where) or "",
        organization_number=read.opt_string(obj, "organizationNumber", where),
        address=read.opt_string(obj, "address", where),
        postcode=read.opt_string(obj, "postalCode", where),
        city=read.opt_string(obj, "city", where),
        country_code=read.opt_string(obj, "countryCode", where),
        registry=read.opt_string(obj, "source", where),
    )


# The customer's primary address (README 2.3: `address`, `postalCode`, `city`, `countryCode`);
# it has no second line and no region.
ADDRESS_PARTS = ("address1", "city", "postcode", "countryCode")


def _address_fields(address: AddressDraft | None) -> dict[str, str]:
    if address is None:
        return {}
    fields = {
        "address": address.address1,
        "postalCode": address.postcode,
        "city": address.city,
        "countryCode": address.country_code,
    }
    return {key: value for key, value in fields.items() if value is not None}


def split_name(full_name: str) -> tuple[str, str]:
    """Flow Retail keeps first and last names apart: 'Kari Nordmann' → ('Kari', 'Nordmann').

    Used only when the caller gave no firstName/lastName; the last word is the last name.
    """
    first, _, last = full_name.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def create_body(draft: CustomerDraft) -> dict[str, Any]:
    body: dict[str, Any] = {"email": draft.email}
    if draft.company_name is not None:
        body["customerType"] = "COMPANY"
        body["companyName"] = draft.company_name
    else:
        body["customerType"] = "PERSON"
    first, last = draft.first_name, draft.last_name
    if first is None and last is None and draft.company_name is None and draft.full_name:
        first, last = split_name(draft.full_name)
    if first is not None:
        body["firstname"] = first
    if last is not None:
        body["lastname"] = last
    if draft.phone is not None:
        body["mobile"] = _mobile(draft.phone)
    if draft.vat_number is not None:
        body["vatNumber"] = draft.vat_number
    if draft.group_ids:
        body["customerGroupUids"] = list(draft.group_ids)
    body.update(_address_fields(draft.address))
    return body


def update_body(patch: CustomerPatch, is_company: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if patch.email is not None:
        body["email"] = patch.email
    first, last = patch.first_name, patch.last_name
    if patch.full_name is not None and first is None and last is None:
        if is_company and patch.company_name is None:
            body["companyName"] = patch.full_name
        else:
            first, last = split_name(patch.full_name)
    if first is not None:
        body["firstname"] = first
    if last is not None:
        body["lastname"] = last
    if patch.company_name is not None:
        body["companyName"] = patch.company_name
    if patch.phone is not None:
        body["mobile"] = _mobile(patch.phone)
    if patch.vat_number is not None:
        body["vatNumber"] = patch.vat_number
    if patch.group_ids is not None:
        body["customerGroupUids"] = list(patch.group_ids)
    body.update(_address_fields(patch.address))
    return body


def _mobile(phone: str) -> str:
    """Flow Retail takes digits and a leading + only (README 2.3)."""
    return "".join(char for char in phone if char.isdigit() or char == "+")
