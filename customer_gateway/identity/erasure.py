"""Erasure requests (`erasePerson`): a person deleted in every source that can, resumably.

A request is a durable record (`identity_erasures`, the mirror's database) of the customers to
erase, by opaque id (source, native id), and where each stands:

- `pending`: not yet erased; the source failed (its error code is kept) or was not tried yet;
- `erased`: the source deleted it; `gone`: the source no longer had it (erased before);
- `unsupported`: the source has no API to delete customers (final; the report says so).

A request is `completed` only when no customer is pending: never before every source answered.
Pending customers are retried by every later `erasePerson` for the same subject and by the
gateway itself every `[identity] erasure_retry_interval` seconds. When a customer is erased (or
gone), the mirror's row, the identity index's member and its links, the idempotency records
holding it and the export files made before go too. The audit trail (`identity_audit`) holds the
request id, the subject's SHA-256, source names, outcome codes and counts: no personal data.
A completed request keeps per-source counts only: its native ids are dropped.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from customer_gateway.core.errors import GatewayError
from customer_gateway.identity.index import Transaction, immediate
from customer_gateway.identity.tables import audit, erasures

logger = logging.getLogger("customer_gateway.identity")

PENDING = "pending"
ERASED = "erased"
GONE = "gone"
UNSUPPORTED = "unsupported"
FINAL = frozenset({ERASED, GONE, UNSUPPORTED})


@dataclass
class Target:
    source: str
    native_id: str
    state: str = PENDING
    code: str | None = None  # the last failure's error code (pending) or why not (unsupported)
    attempts: int = 0


@dataclass
class SourceSummary:
    source: str
    customers: int = 0
    erased: int = 0
    gone: int = 0
    pending: int = 0
    unsupported: int = 0
    code: str | None = None
    attempts: int = 0

    @property
    def outcome(self) -> str:
        if self.pending:
            return PENDING
        if self.unsupported:
            return UNSUPPORTED
        return "done"


@dataclass
class ErasureRequest:
    request_id: str
    subject: str
    status: str = "open"
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    attempts: int = 0
    targets: list[Target] = field(default_factory=list)
    # A completed request's per-source counts (its targets dropped).
    summary: list[SourceSummary] = field(default_factory=list)

    def summaries(self) -> list[SourceSummary]:
        if not self.targets:
            return self.summary
        by_source: dict[str, SourceSummary] = {}
        for target in self.targets:
            item = by_source.setdefault(target.source, SourceSummary(target.source))
            item.customers += 1
            item.attempts = max(item.attempts, target.attempts)
            if target.state == ERASED:
                item.erased += 1
            elif target.state == GONE:
                item.gone += 1
            elif target.state == UNSUPPORTED:
                item.unsupported += 1
                item.code = item.code or target.code
            else:
                item.pending += 1
                item.code = target.code or item.code
        return sorted(by_source.values(), key=lambda item: item.source)

    @property
    def open(self) -> bool:
        return any(target.state == PENDING for target in self.targets)


# Erases one customer at its source: ERASED, GONE or UNSUPPORTED, or raises a GatewayError
# (the customer stays pending with its code).
Eraser = Callable[[str, str], Awaitable[str]]
# What the gateway's own stores forget once customers are erased (or gone) at their source.
Forgetter = Callable[[Sequence[tuple[str, str]]], Awaitable[None]]


class Erasures:
    def __init__(self, engine: AsyncEngine, transaction: Transaction | None = None) -> None:
        self.engine = engine
        self.transaction = transaction or (lambda: immediate(engine))

    async def find(self, subject: str) -> ErasureRequest | None:
        """The subject's open request, else its latest completed one."""
        async with self.engine.connect() as connection:
            rows = (
                await connection.execute(
                    sa.select(erasures)
                    .where(erasures.c.subject == subject)
                    .order_by((erasures.c.status == "open").desc(), erasures.c.created_at.desc())
                    .limit(1)
                )
            ).all()
        return _request(rows[0]._mapping) if rows else None

    async def get(self, request_id: str) -> ErasureRequest | None:
        async with self.engine.connect() as connection:
            rows = (
                await connection.execute(
                    sa.select(erasures).where(erasures.c.request_id == request_id)
                )
            ).all()
        return _request(rows[0]._mapping) if rows else None

    async def open_requests(self) -> list[ErasureRequest]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(erasures)
                .where(erasures.c.status == "open")
                .order_by(erasures.c.created_at)
            )
            return [_request(row._mapping) for row in rows]

    async def create(self, subject: str, keys: Sequence[tuple[str, str]]) -> ErasureRequest:
        request = ErasureRequest(
            request_id=secrets.token_hex(12),
            subject=subject,
            targets=[Target(source, native_id) for source, native_id in keys],
        )
        async with self.transaction() as connection:
            await connection.execute(sa.insert(erasures), _row(request))
            await self._audit(connection, request, "requested", None, "open", len(keys))
        return request

    async def add_targets(self, request: ErasureRequest, keys: Sequence[tuple[str, str]]) -> None:
        """Customers of the subject found since the request began (a sync brought them)."""
        known = {(t.source, t.native_id) for t in request.targets}
        request.targets.extend(Target(s, n) for s, n in keys if (s, n) not in known)

    async def run(
        self, request: ErasureRequest, erase: Eraser, forget: Forgetter
    ) -> ErasureRequest:
        """Try every pending customer once; save where each stands. Idempotent: erased ones
        are not asked again."""
        request.attempts += 1
        settled: list[tuple[str, str]] = []
        for target in request.targets:
            if target.state != PENDING:
                continue
            target.attempts += 1
            try:
                target.state = await erase(target.source, target.native_id)
                target.code = None
            except GatewayError as error:
                target.code = error.code.value
                continue
            if target.state == UNSUPPORTED:
                target.code = "UNSUPPORTED_OPERATION"
            else:
                settled.append((target.source, target.native_id))
        if settled:
            await forget(settled)
        request.updated_at = time.time()
        async with self.transaction() as connection:
            for item in request.summaries():
                await self._audit(
                    connection,
                    request,
                    "attempt",
                    item.source,
                    item.outcome if item.outcome != PENDING else item.code or PENDING,
                    item.erased + item.gone,
                )
            if not request.open:
                request.status = "completed"
                request.summary = request.summaries()
                request.targets = []  # no native ids kept once done
                await self._audit(connection, request, "completed", None, "completed", 0)
            await connection.execute(
                sa.update(erasures)
                .where(erasures.c.request_id == request.request_id)
                .values(**{k: v for k, v in _row(request).items() if k != "request_id"})
            )
        return request

    async def audit_trail(self, request_id: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(audit).where(audit.c.request_id == request_id).order_by(audit.c.id)
            )
            return [dict(row._mapping) for row in rows]

    @staticmethod
    async def _audit(
        connection: Any,
        request: ErasureRequest,
        event: str,
        source: str | None,
        outcome: str,
        count: int,
    ) -> None:
        await connection.execute(
            sa.insert(audit),
            {
                "at": time.time(),
                "request_id": request.request_id,
                "subject": request.subject,
                "event": event,
                "source": source,
                "outcome": outcome,
                "count": count,
            },
        )


def _row(request: ErasureRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "targets": [[t.source, t.native_id, t.state, t.code, t.attempts] for t in request.targets],
        "summary": [
            [s.source, s.customers, s.erased, s.gone, s.pending, s.unsupported, s.code, s.attempts]
            for s in request.summary
        ],
    }
    return {
        "request_id": request.request_id,
        "subject": request.subject,
        "status": request.status,
        "created_at": request.created_at,
        "updated_at": request.updated_at,
        "attempts": request.attempts,
        "targets": json.dumps(body, separators=(",", ":")),
    }


def _request(row: Any) -> ErasureRequest:
    body = json.loads(row["targets"])
    return ErasureRequest(
        request_id=row["request_id"],
        subject=row["subject"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        attempts=row["attempts"],
        targets=[Target(*item) for item in body["targets"]],
        summary=[SourceSummary(*item) for item in body["summary"]],
    )
