"""EverShop JSON ↔ the gateway's records. Pure functions, no I/O.

Contract: shared/upstreams/README.md section 4 (GraphQL Customer, REST rows, orders).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypedDict

from customer_gateway.connectors.models import (
    Address,
    CustomerRecord,
    GroupRef,
    OrderRecord,
    SortField,
    StatusLabel,
)
from customer_gateway.connectors.reading import Reader
from customer_gateway.connectors.rows import NOT_READ, NotRead, RowKey


def order(read: Reader, source: str, base_url: str, item: Mapping[str, Any]) -> OrderRecord:
    where = "order"
    created = read.object(item.get("createdAt") or {}, "order.createdAt")
    total = read.object(item.get("grandTotal") or {}, "order.grandTotal")
    value = total.get("value")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise read.bad("order.grandTotal.value")
    edit_url = read.opt_string(item, "editUrl", where)
    return OrderRecord(
        source=source,
        id=read.string(item, "uuid", where),
        order_id=read.string(item, "orderId", where),
        order_number=read.string(item, "orderNumber", where),
        currency=read.opt_string(item, "currency", where),
        customer_email=read.opt_string(item, "customerEmail", where),
        customer_full_name=read.opt_string(item, "customerFullName", where),
        created_value=read.opt_string(created, "value", "order.createdAt"),
        created_text=read.opt_string(created, "text", "order.createdAt"),
        grand_total=float(value),
        grand_total_currency=read.opt_string(total, "currency", "order.grandTotal"),
        grand_total_text=read.opt_string(total, "text", "order.grandTotal"),
        payment_status=status_label(read, item.get("paymentStatus"), "order.paymentStatus"),
        shipment_status=status_label(read, item.get("shipmentStatus"), "order.shipmentStatus"),
        # EverShop answers the admin path; the gateway serves no admin pages
        edit_url=f"{base_url}{edit_url}" if edit_url else None,
    )


def status_label(read: Reader, value: Any, where: str) -> StatusLabel | None:
    if value is None:
        return None
    status = read.object(value, where)
    return StatusLabel(
        code=read.opt_string(status, "code", where),
        name=read.opt_string(status, "name", where),
        badge=read.opt_string(status, "badge", where),
    )


# The GroupRef of each (customerGroupId, groupName) a connector has read: a page's customers
# share a few groups, and the frozen record is the same value each time (GroupRefs, below).
GroupRefs = dict[tuple[int, str], GroupRef]
_GROUP_REFS_KEPT = 1024
_NO_ADDRESSES = frozenset({"addresses"})


def customer(
    read: Reader,
    source: str,
    base_url: str,
    item: Mapping[str, Any],
    with_addresses: bool,
    group_refs: GroupRefs | None = None,
    created_at: datetime | None | NotRead = NOT_READ,
) -> CustomerRecord:
    """A GraphQL Customer (camelCase); `created_at` as its key read it, if one did (`rows.MapRow`).

    Hot (every row of a page): each value is taken as it is when it has its JSON type exactly,
    and goes through the `Reader`'s checked read otherwise (which accepts what it accepts and
    raises what it raises, in the same order as before)."""
    where = "customer"
    uuid = item.get("uuid")
    if type(uuid) is not str:
        uuid = read.string(item, "uuid", where)
    group = item.get("group")
    groups: tuple[GroupRef, ...] = ()
    if group is not None:
        groups = (_group_ref(read, group, group_refs),)
    created = item.get("createdAt")  # as `row_keys` reads it (the merge's key)
    if type(created) is not dict:
        created = read.object(created, "customer.createdAt")
    meta = item.get("metaData")
    numeric_id = item.get("customerId")
    if type(numeric_id) is not int:
        numeric_id = read.integer(item, "customerId", where)
    email = item.get("email")
    if type(email) is not str:
        email = read.string(item, "email", where)
    full_name = item.get("fullName")
    if full_name is not None and type(full_name) is not str:
        full_name = read.opt_string(item, "fullName", where)
    status = item.get("status")
    if type(status) is not int:
        status = read.integer(item, "status", where)
    api = f"{base_url}/api/customers/{uuid}"
    return CustomerRecord(
        source,
        uuid,
        numeric_id,
        email,
        full_name,
        status,
        read.epoch_millis(created.get("value"), "customer.createdAt.value")
        if created_at is NOT_READ
        else created_at,
        groups=groups,
        addresses=(
            tuple(
                address(read, read.object(entry, "customer.addresses[]"))
                for entry in read.array(item.get("addresses") or [], "customer.addresses")
            )
            if with_addresses
            else ()
        ),
        metadata=dict(read.object(meta, "customer.metaData")) if meta is not None else {},
        urn=f"urn:evershop:customer:customer:{uuid}",
        edit_url=f"{base_url}/admin/customers/edit/{uuid}",
        update_api=api,
        delete_api=api,
        missing=frozenset() if with_addresses else _NO_ADDRESSES,
    )


def row_keys(read: Reader) -> dict[SortField, RowKey]:
    """A list row's native id (its uuid) and sort value, for every sort EverShop applies
    (`rows.RowKeys`): what a merge orders a row by before it maps the row. Each value is read as
    `customer` reads it (the contract suite holds the two to one value)."""
    where = "customer"

    def row(raw: Any) -> tuple[Mapping[str, Any], str]:
        item = raw if type(raw) is dict else read.object(raw, "customers.items[]")
        uuid = item.get("uuid")
        if type(uuid) is not str:
            uuid = read.string(item, "uuid", where)
        return item, uuid

    def newest(raw: Any) -> tuple[str, Any]:
        # The default order: every row a merge reads is keyed, so inline.
        item = raw if type(raw) is dict else read.object(raw, "customers.items[]")
        uuid = item.get("uuid")
        if type(uuid) is not str:
            uuid = read.string(item, "uuid", where)
        created = item.get("createdAt")
        if type(created) is not dict:
            created = read.object(created, "customer.createdAt")
        return uuid, read.epoch_millis(created.get("value"), "customer.createdAt.value")

    def customer_id(raw: Any) -> tuple[str, Any]:
        item, uuid = row(raw)
        return uuid, read.integer(item, "customerId", where)

    def email(raw: Any) -> tuple[str, Any]:
        item, uuid = row(raw)
        return uuid, read.string(item, "email", where)

    def full_name(raw: Any) -> tuple[str, Any]:
        item, uuid = row(raw)
        return uuid, read.opt_string(item, "fullName", where)

    def status(raw: Any) -> tuple[str, Any]:
        item, uuid = row(raw)
        return uuid, read.integer(item, "status", where)

    return {
        SortField.CREATED_AT: newest,
        SortField.CUSTOMER_ID: customer_id,
        SortField.EMAIL: email,
        SortField.NAME: full_name,
        SortField.STATUS: status,
    }


def _group_ref(read: Reader, group: Any, known: GroupRefs | None) -> GroupRef:
    group = read.object(group, "customer.group")
    number = read.integer(group, "customerGroupId", "customer.group")
    name = read.string(group, "groupName", "customer.group")
    if known is None:
        return GroupRef(id=str(number), numeric_id=number, name=name)
    ref = known.get((number, name))
    if ref is None:
        if len(known) >= _GROUP_REFS_KEPT:
            known.clear()
        ref = known[number, name] = GroupRef(id=str(number), numeric_id=number, name=name)
    return ref


def row_customer(
    read: Reader, source: str, base_url: str, row: Mapping[str, Any], *, addresses_known: bool
) -> CustomerRecord:
    """A REST row (snake_case columns). Its `password` hash is never read."""
    where = "customer row"
    uuid = read.string(row, "uuid", where)
    group_id = read.opt_integer(row, "group_id", where)
    meta = row.get("meta_data")
    return CustomerRecord(
        source=source,
        id=uuid,
        numeric_id=read.integer(row, "customer_id", where),
        email=read.string(row, "email", where),
        full_name=read.opt_string(row, "full_name", where),
        status=int(row.get("status", 1)),
        created_at=read.iso_datetime(row.get("created_at"), f"{where}.created_at"),
        # Not read: EverShop's GraphQL Customer has no updated_at, so `customer(id)` cannot
        # show it; a mutation's answer says the same (null), not another value.
        updated_at=None,
        groups=(GroupRef(str(group_id)),) if group_id is not None else (),
        metadata=dict(read.object(meta, "meta_data")) if isinstance(meta, Mapping) else {},
        urn=f"urn:evershop:customer:customer:{uuid}",
        **links(base_url, uuid),
        missing=frozenset() if addresses_known else frozenset({"addresses"}),
    )


def address(read: Reader, obj: Mapping[str, Any]) -> Address:
    where = "address"
    country = obj.get("country")
    province = obj.get("province")
    country_code = (
        read.opt_string(read.object(country, "address.country"), "code", where)
        if country is not None
        else None
    )
    province_code = province_name = None
    if province is not None:
        province_obj = read.object(province, "address.province")
        province_code = read.opt_string(province_obj, "code", where)
        province_name = read.opt_string(province_obj, "name", where)
        if province_name == "INVALID_PROVINCE":  # EverShop's answer for a code it does not know
            province_name = None
    return Address(
        id=read.opt_string(obj, "uuid", where),
        kind="address",
        full_name=read.opt_string(obj, "fullName", where),
        telephone=read.opt_string(obj, "telephone", where),
        address1=read.opt_string(obj, "address1", where),
        address2=read.opt_string(obj, "address2", where),
        city=read.opt_string(obj, "city", where),
        postcode=read.opt_string(obj, "postcode", where),
        country_code=country_code,
        province_code=province_code,
        province_name=province_name,
        is_default=read.opt_boolean(obj, "isDefault", where),
    )


def links(base_url: str, uuid: str) -> _Links:
    base = base_url
    return {
        "edit_url": f"{base}/admin/customers/edit/{uuid}",
        "update_api": f"{base}/api/customers/{uuid}",
        "delete_api": f"{base}/api/customers/{uuid}",
    }


class _Links(TypedDict):
    edit_url: str
    update_api: str
    delete_api: str
