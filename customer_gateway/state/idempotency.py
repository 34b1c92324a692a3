"""Idempotency records in PostgreSQL: one key, one customer, whichever replica a retry reaches.

The same states as the memory store (`customer_gateway/features/idempotency.py`), in one table. A
claim is `INSERT … ON CONFLICT DO NOTHING`: of concurrent claims on several replicas exactly one
inserts; the others read the row under `FOR UPDATE` (the UNKNOWN → IN_PROGRESS move of a reconciling
caller is taken by one of them only). A claim is a lease (`claim_seconds`): an IN_PROGRESS row whose
replica died mid-create becomes UNKNOWN when the lease ends, and the next retry looks the customer
up at the source before it may send again (never a duplicate).

PostgreSQL unreachable: `claim` raises `IdempotencyUnavailable` (a typed, retryable error: the
create is not sent, since nothing could stop a second one). `finish` failing after the customer
was created does not fail the request: the row stays IN_PROGRESS, becomes UNKNOWN after the lease
and a retry finds the customer by e-mail.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from customer_gateway.connectors.models import Address, CustomerRecord, GroupRef
from customer_gateway.core.errors import ErrorCode, GatewayError
from customer_gateway.features.idempotency import TTL_SECONDS, Entry, State

logger = logging.getLogger("customer_gateway.state")

T = TypeVar("T")
_DDL_LOCK = 0x6377_6964  # the advisory lock replicas take to create the table

metadata = sa.MetaData()
keys_table = sa.Table(
    "gateway_idempotency_keys",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),  # wall clock, seconds
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
    sa.Column("claimed_until", sa.Float, nullable=False),
    sa.Column("record", JSONB, nullable=True),
)


class IdempotencyUnavailable(GatewayError):
    code = ErrorCode.IDEMPOTENCY_UNAVAILABLE
    retryable = True


def engine_for(url: str, *, timeout: float = 2.0) -> AsyncEngine:
    """An asyncpg engine for a `postgresql://` URL, bounded so an unreachable server fails fast."""
    async_url = sa.make_url(url).set(drivername="postgresql+asyncpg")
    return create_async_engine(
        async_url,
        pool_size=5,
        max_overflow=5,
        pool_pre_ping=True,  # a connection cut while idle is noticed before it is used
        pool_timeout=timeout,
        connect_args={"timeout": timeout, "command_timeout": timeout},
    )


class PostgresIdempotencyStore:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        ttl: float = TTL_SECONDS,
        claim_seconds: float = 60.0,
        timeout: float = 3.0,
    ) -> None:
        self.engine = engine
        self.ttl = ttl
        self.claim_seconds = claim_seconds
        self.timeout = timeout
        self.up: bool | None = None  # the last operation's outcome (None: none yet)
        self._tables = False

    async def create_tables(self) -> None:
        """The table, once per process; replicas starting together take turns (an advisory
        lock: concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL)."""

        async def work(conn: AsyncConnection) -> None:
            await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_DDL_LOCK)))
            await conn.run_sync(metadata.create_all)

        await self._run(work, tables=False)
        self._tables = True

    async def ping(self) -> bool:
        """Can the store be reached now (for /readyz)?"""
        try:
            await self._run(lambda conn: conn.execute(sa.select(1)), tables=False)
        except IdempotencyUnavailable:
            return False
        return True

    async def _run(self, work: Callable[[AsyncConnection], Awaitable[T]], tables: bool = True) -> T:
        if tables and not self._tables:
            await self.create_tables()  # the server was down at startup
        try:
            async with asyncio.timeout(self.timeout), self.engine.begin() as conn:
                result = await work(conn)
        except (sa.exc.SQLAlchemyError, OSError, TimeoutError) as error:
            if self.up is not False:
                logger.warning("idempotency store unreachable (%s)", type(error).__name__)
            self.up = False
            raise IdempotencyUnavailable(
                "The idempotency store is unreachable, so this create cannot be made safely; "
                "retry shortly.",
                field="idempotencyKey",
            ) from None
        if self.up is False:
            logger.warning("idempotency store reachable again")
        self.up = True
        return result

    async def claim(self, key: str, fingerprint: str) -> Entry | None:
        now = time.time()
        key = row_key(key)

        async def work(conn: AsyncConnection) -> Entry | None:
            table = keys_table
            await conn.execute(sa.delete(table).where(table.c.key == key, table.c.expires_at < now))
            inserted = await conn.execute(
                insert(table)
                .values(
                    key=key,
                    fingerprint=fingerprint,
                    state=State.IN_PROGRESS.value,
                    started_at=now,
                    expires_at=now + self.ttl,
                    claimed_until=now + self.claim_seconds,
                )
                .on_conflict_do_nothing(index_elements=[table.c.key])
                .returning(table.c.key)
            )
            if inserted.first() is not None:
                return None
            row = (
                await conn.execute(sa.select(table).where(table.c.key == key).with_for_update())
            ).one()
            state = State(row.state)
            if state is State.IN_PROGRESS and row.claimed_until < now:
                state = State.UNKNOWN  # its replica stopped mid-create: the outcome is unknown
            record = decode_record(row.record) if row.record is not None else None
            seen = Entry(row.fingerprint, state, row.started_at, row.expires_at, record)
            if state is State.UNKNOWN and row.fingerprint == fingerprint:
                await conn.execute(
                    sa.update(table)
                    .where(table.c.key == key)
                    .values(state=State.IN_PROGRESS.value, claimed_until=now + self.claim_seconds)
                )
            return seen

        return await self._run(work)

    async def finish(self, key: str, record: CustomerRecord) -> None:
        key = row_key(key)
        update = (
            sa.update(keys_table)
            .where(keys_table.c.key == key)
            .values(state=State.DONE.value, record=encode_record(record))
        )
        try:
            await self._run(lambda conn: conn.execute(update))
        except IdempotencyUnavailable:
            # The customer exists; the key turns UNKNOWN after its claim and a retry finds it.
            logger.warning("a created customer's idempotency record could not be written")

    async def mark_unknown(self, key: str) -> None:
        key = row_key(key)
        update = (
            sa.update(keys_table).where(keys_table.c.key == key).values(state=State.UNKNOWN.value)
        )
        await self._run(lambda conn: conn.execute(update))

    async def forget(self, key: str) -> None:
        key = row_key(key)
        delete = sa.delete(keys_table).where(keys_table.c.key == key)
        await self._run(lambda conn: conn.execute(delete))

    async def forget_customer(self, source: str, native_id: str) -> None:
        delete = sa.delete(keys_table).where(
            keys_table.c.record["source"].astext == source,
            keys_table.c.record["id"].astext == native_id,
        )
        await self._run(lambda conn: conn.execute(delete))

    async def sweep(self) -> int:
        """Delete expired records; how many."""
        delete = sa.delete(keys_table).where(keys_table.c.expires_at < time.time())
        result = await self._run(lambda conn: conn.execute(delete))
        return int(result.rowcount)

    async def aclose(self) -> None:
        await self.engine.dispose()


def row_key(key: str) -> str:
    """The row's key: a digest of the caller and their key (which holds a NUL, which PostgreSQL
    text cannot, and is the caller's own choice of text, not the gateway's to store)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


# -- CustomerRecord as JSON ---------------------------------------------------------------------


def encode_record(record: CustomerRecord) -> dict[str, Any]:
    data = dataclasses.asdict(record)
    for key in ("created_at", "updated_at"):
        value = data[key]
        data[key] = value.isoformat() if isinstance(value, datetime) else None
    data["missing"] = sorted(record.missing)
    data["metadata"] = json.loads(json.dumps(dict(record.metadata), default=str))
    return data


def decode_record(data: Mapping[str, Any]) -> CustomerRecord:
    values = dict(data)
    for key in ("created_at", "updated_at"):
        raw = values.get(key)
        values[key] = datetime.fromisoformat(raw) if raw else None
    values["groups"] = tuple(GroupRef(**group) for group in values.get("groups", ()))
    values["addresses"] = tuple(Address(**address) for address in values.get("addresses", ()))
    values["missing"] = frozenset(values.get("missing", ()))
    return CustomerRecord(**values)
