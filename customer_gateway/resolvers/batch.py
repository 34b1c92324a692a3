"""`batchCustomers`: one source, many writes, one result per item.

Items are validated one by one: an invalid item fails alone and is never sent. Flow Retail takes
the rest in its native batch (200, or 207 when some items failed: a partial success, not a
failure); other sources run the items one after another under their own limits.

A create item may carry an `idempotencyKey`: it then goes through the same keyed create as
`createCustomer` (replayed, or reconciled after an unknown outcome), one by one outside any native
batch, since a batch endpoint has no per-item keys. The Idempotency-Key header names one request,
so it does not apply to the items of a batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from customer_gateway.connectors.models import (
    BatchItem,
    BatchOperation,
    BatchResult,
    ChangeType,
    CustomerRecord,
    Write,
)
from customer_gateway.core.context import Info
from customer_gateway.core.errors import BadUserInput, GatewayError
from customer_gateway.core.ids import global_id, parse_global_id
from customer_gateway.resolvers import idempotent, validation
from customer_gateway.schema.batch import (
    BatchItemError,
    CustomerBatchItemResult,
    CustomerBatchResult,
)
from customer_gateway.schema.batch import BatchOperation as BatchOperationType
from customer_gateway.schema.customer import Customer

_WRITES = {
    BatchOperation.CREATE: Write.CREATE,
    BatchOperation.UPDATE: Write.UPDATE,
    BatchOperation.DELETE: Write.DELETE,
    BatchOperation.UPSERT: Write.CREATE,
}


async def batch_customers(
    info: Info,
    source: str,
    create: Sequence[Mapping[str, Any]],
    update: Sequence[tuple[str, Mapping[str, Any]]],
    delete: Sequence[str],
    upsert: Sequence[tuple[str | None, Mapping[str, Any]]],
) -> CustomerBatchResult:
    context = info.context
    connector = context.sources.require(source)
    count = len(create) + len(update) + len(delete) + len(upsert)
    if count == 0:
        raise BadUserInput("the batch is empty", field="create")
    if count > context.settings.max_batch:
        raise BadUserInput(
            f"a batch holds at most {context.settings.max_batch} items, got {count}", field="create"
        )
    results: list[BatchResult] = []
    items: list[BatchItem] = []
    keyed: list[tuple[BatchItem, str, Mapping[str, Any]]] = []
    keys_seen: set[str] = set()

    def add(operation: BatchOperation, index: int, build: Any) -> None:
        try:
            validation.require_write(
                connector,
                connector.capabilities.customer_writes,
                _WRITES[operation],
                "write customers",
            )
            item = build()
            if item is not None:  # keyed creates are queued by their builder
                items.append(item)
        except GatewayError as error:
            results.append(BatchResult(BatchItem(operation, index), error=error))

    def native(id: str | None) -> str | None:
        if id is None:
            return None
        parsed = parse_global_id(id)
        if parsed is None or parsed[0] != connector.name:
            raise BadUserInput(f"id must be a customer of {connector.name!r}", field="id")
        return parsed[1]

    def keyed_create(index: int, given: Mapping[str, Any]) -> None:
        fields = dict(given)
        key = idempotent.check_key(fields.pop("idempotencyKey"))
        if key in keys_seen:
            raise BadUserInput(
                "idempotencyKey is given to two items of this batch", field="idempotencyKey"
            )
        keys_seen.add(key)
        item = BatchItem(
            BatchOperation.CREATE, index, draft=validation.customer_draft(connector, fields)
        )
        keyed.append((item, key, fields))

    for index, given in enumerate(create):
        if given.get("idempotencyKey") is not None:
            add(BatchOperation.CREATE, index, lambda g=given, i=index: keyed_create(i, g))
            continue
        add(
            BatchOperation.CREATE,
            index,
            lambda g=given, i=index: BatchItem(
                BatchOperation.CREATE, i, draft=validation.customer_draft(connector, g)
            ),
        )
    for index, (id, given) in enumerate(update):
        add(
            BatchOperation.UPDATE,
            index,
            lambda id=id, g=given, i=index: BatchItem(
                BatchOperation.UPDATE,
                i,
                customer_id=native(id),
                patch=validation.customer_patch(connector, g),
            ),
        )
    for index, id in enumerate(delete):
        add(
            BatchOperation.DELETE,
            index,
            lambda id=id, i=index: BatchItem(BatchOperation.DELETE, i, customer_id=native(id)),
        )
    for index, (maybe_id, given) in enumerate(upsert):
        add(
            BatchOperation.UPSERT,
            index,
            lambda id=maybe_id, g=given, i=index: BatchItem(
                BatchOperation.UPSERT,
                i,
                customer_id=native(id),
                draft=validation.customer_draft(connector, g),
            ),
        )
    if items and connector.capabilities.native_batch:
        results.extend(await context.call(connector, connector.batch(items)))
    else:
        # One upstream call per item, each under the source's timeout (the request deadline
        # still bounds them all): a slow item fails alone and those that landed say so.
        for item in items:
            try:
                results.extend(await context.call(connector, connector.batch([item])))
            except GatewayError as error:
                results.append(BatchResult(item, customer_id=item.customer_id, error=error))
    for item, key, fields in keyed:
        assert item.draft is not None
        try:
            record = await idempotent.create(context, connector, item.draft, fields, key)
            results.append(BatchResult(item, record=record, customer_id=record.id))
        except GatewayError as error:
            results.append(BatchResult(item, error=error))
    order = list(BatchOperation)
    results.sort(key=lambda result: (order.index(result.item.operation), result.item.index))
    for result in results:
        if result.ok and result.customer_id:
            deleted = result.item.operation is BatchOperation.DELETE
            change = ChangeType.DELETE if deleted else ChangeType.EDIT
            context.announce(connector.name, result.customer_id, change)

    # Items that landed without the record in the answer (Flow Retail's batch): read them back.
    missing = [
        r.customer_id
        for r in results
        if r.ok
        and r.record is None
        and r.customer_id
        and r.item.operation is not BatchOperation.DELETE
    ]
    loaded: dict[str, CustomerRecord | None] = {}
    if missing:
        found = await context.loaders.customers.load_many([(connector.name, id) for id in missing])
        loaded = dict(zip(missing, found, strict=True))
    for r in results:
        if r.record is not None:
            context.loaders.customers.prime(connector.name, r.record.id, r.record)

    def customer_of(result: BatchResult) -> Customer | None:
        record = result.record or (loaded.get(result.customer_id) if result.customer_id else None)
        return Customer.from_record(record, connector.kind) if record and result.ok else None

    return CustomerBatchResult(
        ok=all(result.ok for result in results),
        items=[
            CustomerBatchItemResult(
                operation=BatchOperationType(result.item.operation.value),
                index=result.item.index,
                ok=result.ok,
                uuid=global_id(connector.name, result.customer_id) if result.customer_id else None,
                customer=customer_of(result),
                error=_error(result.error),
            )
            for result in results
        ],
    )


def _error(error: Exception | None) -> BatchItemError | None:
    if error is None:
        return None
    if not isinstance(error, GatewayError):
        return BatchItemError(
            code="INTERNAL", message="Unexpected error.", field=None, retryable=False
        )
    return BatchItemError(
        code=error.code.value, message=error.message, field=error.field, retryable=error.retryable
    )
