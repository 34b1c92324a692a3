"""Shoptet JSON ↔ the gateway's records. Pure functions, no I/O.

Contract: shared/upstreams/README.md 1.6 (customer), 1.7 (list summaries), 5.1 (unified model).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from customer_gateway.connectors.helpers import synthetic_int_id
from customer_gateway.connectors.models import (
    Address,
    ChangeRecord,
    ChangeType,
    CustomerRecord,
    GroupRecord,
    GroupRef,
    RegionRecord,
)
from customer_gateway.connectors.reading import Reader

# A list item is a summary: what only the detail carries is fetched when a query needs it.
SUMMARY_MISSING = frozenset(
    {"email", "phone", "vat_number", "status", "groups", "addresses", "metadata"}
)
_ADMIN_ID = re.compile(r"[?&]id=(\d+)")
# The address parts a write takes (the billing address's street, additional, city, zip,
# countryCode and, by its code, regionName).
ADDRESS_PARTS = ("address1", "address2", "city", "postcode", "countryCode", "provinceCode")
# Shoptet's extra customer fields, kept in metaData (the common model has no place for them).
_META_FIELDS = ("remark", "priceRatio", "birthDate", "disabledOrders")


def shoptet_time(moment: datetime) -> str:
    """Shoptet's date-time form: 2018-05-29T09:02:27+0200 (no colon in the offset)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def numeric_id(admin_url: str | None, guid: str) -> int:
    """Shoptet's JSON has no numeric id; its admin URL does (`…?id=412`)."""
    match = _ADMIN_ID.search(admin_url or "")
    return int(match.group(1)) if match else synthetic_int_id(guid)


def summary(read: Reader, source: str, item: Mapping[str, Any]) -> CustomerRecord:
    where = "customers[]"
    guid = read.string(item, "guid", where)
    admin_url = read.opt_string(item, "adminUrl", where)
    bill_name = read.opt_string(item, "billFullName", where)
    full_name = bill_name or read.opt_string(item, "billCompany", where)
    # The detail's name is billing name, else the main account's name, else the company: without
    # a billing name the summary cannot know it (the account may have one), so it stays missing.
    missing = SUMMARY_MISSING if bill_name else SUMMARY_MISSING | {"full_name"}
    return CustomerRecord(
        source=source,
        id=guid,
        numeric_id=numeric_id(admin_url, guid),
        email=None,
        full_name=full_name,
        company_name=read.opt_string(item, "billCompany", where),
        status=1,  # unknown until the detail is read: listed in `missing`
        created_at=read.iso_datetime(item.get("creationTime"), f"{where}.creationTime"),
        updated_at=read.iso_datetime(item.get("changeTime"), f"{where}.changeTime"),
        edit_url=admin_url,
        missing=missing,
    )


def customer(read: Reader, source: str, obj: Mapping[str, Any]) -> CustomerRecord:
    where = "customer"
    guid = read.string(obj, "guid", where)
    accounts = [
        read.object(a, "customer.accounts[]")
        for a in read.array(obj.get("accounts") or [], "customer.accounts")
    ]
    main = next(
        (a for a in accounts if a.get("mainAccount") is True), accounts[0] if accounts else None
    )
    billing = read.object(obj.get("billingAddress") or {}, "customer.billingAddress")
    full_name = (
        read.opt_string(billing, "fullName", "billingAddress")
        or (read.opt_string(main, "fullName", "account") if main else None)
        or read.opt_string(billing, "company", "billingAddress")
    )
    group = obj.get("customerGroup")
    groups: tuple[GroupRef, ...] = ()
    if group is not None:
        group = read.object(group, "customer.customerGroup")
        number = read.integer(group, "id", "customerGroup")
        groups = (GroupRef(str(number), number, read.string(group, "name", "customerGroup")),)
    addresses = []
    if any(billing.get(key) for key in ("fullName", "company", "street", "city", "zip")):
        addresses.append(address(read, billing, "billing", None))
    for item in read.array(obj.get("deliveryAddress") or [], "customer.deliveryAddress"):
        delivery = read.object(item, "customer.deliveryAddress[]")
        addresses.append(
            address(
                read, delivery, "delivery", read.opt_string(delivery, "guid", "deliveryAddress")
            )
        )
    metadata: dict[str, Any] = {
        key: obj.get(key) for key in _META_FIELDS if obj.get(key) is not None
    }
    price_list = obj.get("priceList")
    if isinstance(price_list, Mapping):
        metadata["priceList"] = dict(price_list)
    for key in ("companyId", "vatId", "taxId"):
        if billing.get(key):
            metadata[key] = billing[key]
    admin_url = read.opt_string(obj, "adminUrl", where)
    return CustomerRecord(
        source=source,
        id=guid,
        numeric_id=numeric_id(admin_url, guid),
        email=read.opt_string(main, "email", "account") if main else None,
        full_name=full_name,
        # Shoptet has no enabled flag; a main account awaiting approval (authorized: false)
        # cannot log in, which is what EverShop's status 0 means (README 5.1).
        status=0 if main is not None and main.get("authorized") is False else 1,
        created_at=read.iso_datetime(obj.get("creationTime"), "customer.creationTime"),
        updated_at=read.iso_datetime(obj.get("changeTime"), "customer.changeTime"),
        phone=read.opt_string(main, "phone", "account") if main else None,
        # The company and VAT id are the billing address's (README 1.6); metaData keeps vatId
        # too, with companyId and taxId.
        vat_number=read.opt_string(billing, "vatId", "billingAddress"),
        company_name=read.opt_string(billing, "company", "billingAddress"),
        groups=groups,
        addresses=tuple(addresses),
        metadata=metadata,
        edit_url=admin_url,
    )


def main_account(read: Reader, obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    accounts = [
        read.object(a, "accounts[]") for a in read.array(obj.get("accounts") or [], "accounts")
    ]
    return next(
        (a for a in accounts if a.get("mainAccount") is True), accounts[0] if accounts else None
    )


def address(read: Reader, obj: Mapping[str, Any], kind: str, guid: str | None) -> Address:
    where = f"{kind}Address"
    street = read.opt_string(obj, "street", where)
    number = read.opt_string(obj, "houseNumber", where)
    line1 = " ".join(part for part in (street, number) if part) or None
    return Address(
        id=guid,
        kind=kind,
        full_name=read.opt_string(obj, "fullName", where),
        company=read.opt_string(obj, "company", where),
        address1=line1,
        address2=read.opt_string(obj, "additional", where),
        city=read.opt_string(obj, "city", where),
        postcode=read.opt_string(obj, "zip", where),
        country_code=read.opt_string(obj, "countryCode", where),
        province_code=read.opt_string(obj, "regionShortcut", where),
        province_name=read.opt_string(obj, "regionName", where),
        is_default=read.opt_boolean(obj, "isDefault", where),
    )


def group(read: Reader, source: str, obj: Mapping[str, Any], default_id: int | None) -> GroupRecord:
    where = "customerGroups[]"
    number = read.integer(obj, "id", where)
    return GroupRecord(
        source=source,
        id=str(number),
        numeric_id=number,
        name=read.string(obj, "name", where),
        is_default=number == default_id,
        metadata={
            key: obj[key]
            for key in ("customerGroupCode", "description", "priority", "wholesale", "authRequired")
            if obj.get(key) is not None
        },
    )


def region(read: Reader, source: str, obj: Mapping[str, Any]) -> RegionRecord:
    where = "regions[]"
    return RegionRecord(
        source=source,
        id=str(read.integer(obj, "id", where)),
        name=read.string(obj, "regionName", where),
        code=read.opt_string(obj, "regionShortcut", where),
        country_code=read.opt_string(obj, "countryCode", where),
    )


def change(read: Reader, source: str, obj: Mapping[str, Any]) -> ChangeRecord:
    where = "changes[]"
    kind = read.string(obj, "changeType", where)
    changed = read.iso_datetime(obj.get("changeTime"), f"{where}.changeTime")
    if changed is None:
        raise read.bad(f"{where}.changeTime")
    return ChangeRecord(
        source=source,
        id=read.string(obj, "guid", where),
        # The spec also lists `add`; Shoptet reports creations as `edit` (README 1.7).
        change_type=ChangeType.DELETE if kind == "delete" else ChangeType.EDIT,
        changed_at=changed,
    )
