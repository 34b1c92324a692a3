"""Writes, routed to the record's source. Each lands upstream or raises a typed error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from customer_gateway.connectors.errors import NotFound
from customer_gateway.connectors.models import ChangeType, GroupDraft, GroupPatch, Write
from customer_gateway.connectors.protocol import Connector, StoreViews, no_api, refuse
from customer_gateway.core.context import GatewayContext, Info
from customer_gateway.core.errors import BadUserInput
from customer_gateway.core.ids import parse_global_id
from customer_gateway.resolvers import idempotent, validation
from customer_gateway.resolvers.stores import store_segment
from customer_gateway.schema.common import Source
from customer_gateway.schema.customer import Customer
from customer_gateway.schema.customer_group import CustomerGroup
from customer_gateway.schema.payloads import DeletedRecord


def _owner(context: GatewayContext, id: str, what: str) -> tuple[Connector, str]:
    parsed = parse_global_id(id)
    if parsed is None:
        raise BadUserInput(f"A {what} id is '<source>:<native id>'.", field="id")
    connector = context.sources.get(parsed[0])
    if connector is None:
        raise NotFound(f"No configured source is named {parsed[0]!r}", source=parsed[0])
    return connector, parsed[1]


async def create_customer(info: Info, source: str, given: Mapping[str, Any]) -> Customer:
    context = info.context
    connector = context.sources.require(source)
    validation.require_write(
        connector, connector.capabilities.customer_writes, Write.CREATE, "create customers"
    )
    fields = dict(given)
    key = fields.pop("idempotencyKey", None) or context.request.headers.get("idempotency-key")
    draft = validation.customer_draft(connector, fields)
    if key is not None:
        record = await idempotent.create(
            context, connector, draft, fields, idempotent.check_key(key)
        )
    else:
        record = await context.call(connector, connector.create_customer(draft))
    context.loaders.customers.prime(record.source, record.id, record)
    context.announce(record.source, record.id, ChangeType.EDIT)
    return Customer.from_record(record, connector.kind)


async def update_customer(info: Info, id: str, given: Mapping[str, Any]) -> Customer:
    context = info.context
    connector, native_id = _owner(context, id, "customer")
    validation.require_write(
        connector, connector.capabilities.customer_writes, Write.UPDATE, "update customers"
    )
    patch = validation.customer_patch(connector, given)
    record = await context.call(connector, connector.update_customer(native_id, patch))
    context.loaders.customers.prime(record.source, record.id, record)
    context.announce(record.source, record.id, ChangeType.EDIT)
    return Customer.from_record(record, connector.kind)


async def delete_customer(info: Info, id: str) -> DeletedRecord:
    context = info.context
    connector, native_id = _owner(context, id, "customer")
    validation.require_write(
        connector, connector.capabilities.customer_writes, Write.DELETE, "delete customers"
    )
    await context.call(connector, connector.delete_customer(native_id))
    context.loaders.customers.clear(connector.name, native_id)
    context.announce(connector.name, native_id, ChangeType.DELETE)
    return DeletedRecord(
        uuid=id, native_id=native_id, source=Source(name=connector.name, kind=connector.kind)
    )


async def create_customer_group(info: Info, source: str, *, group_name: str) -> CustomerGroup:
    context = info.context
    connector = context.sources.require(source)
    validation.require_write(
        connector, connector.capabilities.group_writes, Write.CREATE, "create customer groups"
    )
    record = await context.call(
        connector, connector.create_group(GroupDraft(name=validation.group_name(group_name)))
    )
    context.loaders.groups.prime(record.source, record.id, record)
    return CustomerGroup.from_record(record, connector.kind)


async def update_customer_group(info: Info, id: str, *, group_name: str) -> CustomerGroup:
    context = info.context
    connector, native_id = _owner(context, id, "group")
    validation.require_write(
        connector, connector.capabilities.group_writes, Write.UPDATE, "update customer groups"
    )
    record = await context.call(
        connector,
        connector.update_group(native_id, GroupPatch(name=validation.group_name(group_name))),
    )
    context.loaders.groups.prime(record.source, record.id, record)
    return CustomerGroup.from_record(record, connector.kind)


async def delete_customer_group(info: Info, id: str) -> DeletedRecord:
    context = info.context
    connector, native_id = _owner(context, id, "group")
    validation.require_write(
        connector, connector.capabilities.group_writes, Write.DELETE, "delete customer groups"
    )
    await context.call(connector, connector.delete_group(native_id))
    context.loaders.groups.clear(connector.name, native_id)
    return DeletedRecord(
        uuid=id, native_id=native_id, source=Source(name=connector.name, kind=connector.kind)
    )


async def change_extension(
    info: Info, id: str, extension: str, store_id: str, *, add: bool
) -> Customer:
    context = info.context
    connector, native_id = _owner(context, id, "customer")
    if not store_id.strip():
        raise BadUserInput("storeId cannot be empty", field="storeId")
    segment = store_segment(store_id)
    if isinstance(connector, StoreViews):
        change = connector.add_extension if add else connector.remove_extension
        operation = change(native_id, extension, segment)
    else:
        operation = refuse(
            no_api(connector, "add customer extensions" if add else "remove customer extensions")
        )
    record = await context.call(connector, operation)
    context.loaders.customers.prime(record.source, record.id, record)
    context.announce(record.source, record.id, ChangeType.EDIT)
    return Customer.from_record(record, connector.kind)
