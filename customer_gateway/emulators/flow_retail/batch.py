"""`POST /v2/tenants/{tenantUid}/customers/batch` (README 2.4, Flow's shared batch convention).

Assumptions (item and result shapes are unpublished): items are customer bodies; `update`,
`delete` and `upsert` items address a customer by `customerUid`; an `upsert` whose uid is
unknown (or absent) creates the customer, under that uid when one is given, so a repeated
upsert is idempotent. Arrays are processed create, update, delete, upsert, each in order; items
are independent (a failed item rolls nothing back). A `delete` item needs TENANT.BACKOFFICE
like `DELETE /customers/{uid}`. The answer is 200 when every item succeeded, else 207, with one
`{operation, index, status, customerUid, error}` per item in processing order. More items than
the configured maximum reject the whole request (413 by default).
"""

from __future__ import annotations

from typing import Any, Final, Literal

from .auth import BACKOFFICE
from .formats import UID
from .http import Call, Endpoint, Reply
from .payloads import BatchOperation, BatchResponse, BatchResult, FlowError
from .validation import require_object

OPERATIONS: Final[tuple[BatchOperation, ...]] = ("create", "update", "delete", "upsert")


def _uid(item: dict[str, Any], *, required: bool) -> str | None:
    uid = item.get("customerUid")
    if uid is None or uid == "":
        if required:
            raise FlowError.bad_request("customerUid is required")
        return None
    if not isinstance(uid, str) or not UID.match(uid):
        raise FlowError.bad_request("customerUid must match ^[A-Za-z0-9-_]+")
    return uid


class BatchApi:
    def __init__(self, *, max_items: int, limit_status: Literal[400, 413]) -> None:
        self.max_items = max_items
        self.limit_status = limit_status

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("POST", "/v2/tenants/{tenantUid}/customers/batch", self.batch)]

    async def batch(self, call: Call) -> Reply:
        body = require_object(await call.json())
        arrays: dict[BatchOperation, list[Any]] = {}
        for operation in OPERATIONS:
            items = body.get(operation)
            if items is None:
                items = []
            if not isinstance(items, list):
                raise FlowError.bad_request(f"{operation} must be an array")
            arrays[operation] = items
        total = sum(len(items) for items in arrays.values())
        if total > self.max_items:
            raise FlowError(
                self.limit_status, f"A batch holds at most {self.max_items} items, got {total}"
            )
        results = [
            self._one(call, operation, index, item)
            for operation in OPERATIONS
            for index, item in enumerate(arrays[operation])
        ]
        response: BatchResponse = {"results": results}
        return Reply(200 if all(r["error"] is None for r in results) else 207, response)

    def _one(self, call: Call, operation: BatchOperation, index: int, item: Any) -> BatchResult:
        uid: str | None = None
        if isinstance(item, dict) and isinstance(item.get("customerUid"), str):
            uid = item["customerUid"]
        try:
            status, uid = self._apply(call, operation, item)
        except FlowError as error:
            return {
                "operation": operation,
                "index": index,
                "status": error.status,
                "customerUid": uid,
                "error": error.message,
            }
        return {
            "operation": operation,
            "index": index,
            "status": status,
            "customerUid": uid,
            "error": None,
        }

    def _apply(self, call: Call, operation: BatchOperation, item: Any) -> tuple[int, str]:
        tenant = call.tenant
        data = require_object(item, "A batch item")
        if operation == "create":
            return 201, tenant.create(data)["customerUid"]
        if operation == "delete":
            call.grant.require(BACKOFFICE)
            uid = _uid(data, required=True)
            assert uid is not None
            tenant.delete(uid)
            return 204, uid
        uid = _uid(data, required=operation == "update")
        if operation == "update" or (uid is not None and uid in tenant.customers):
            assert uid is not None
            return 200, tenant.update(uid, data)["customerUid"]
        return 201, tenant.create(data, uid=uid)["customerUid"]
