"""Idempotent creates: a retried `createCustomer` with the same key makes exactly one customer.

None of the four upstreams takes an idempotency key, so the gateway keeps one record per
(caller, key): IN_PROGRESS while the create runs, DONE with the customer once it landed, and
UNKNOWN when the outcome cannot be known (a timeout, a reset or a 5xx after the request went
out). A retry of an UNKNOWN key first looks the customer up at the source by e-mail, created
since the first attempt, and sends the create again only when that proves it is absent.
A definite failure (the source refused the input) forgets the key: a retry tries again.
IETF draft-ietf-httpapi-idempotency-key-header: same key with another payload is an error,
and so is the same key while the first call still runs. Records live 24 h.

The store is in memory (one gateway process); `IdempotencyStore` is the interface a shared
store (a database, Redis) implements when the gateway runs replicated.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from customer_gateway.connectors.models import CustomerRecord

TTL_SECONDS = 24 * 3600.0


class State(enum.Enum):
    IN_PROGRESS = "in_progress"
    DONE = "done"
    UNKNOWN = "unknown"


@dataclass
class Entry:
    fingerprint: str
    state: State
    started_at: float  # wall-clock time of the first attempt
    expires_at: float
    record: CustomerRecord | None = None


class IdempotencyStore(Protocol):
    async def claim(self, key: str, fingerprint: str) -> Entry | None:
        """Start work under `key`; None if it was free, else the entry already there (untouched).
        An UNKNOWN entry is moved back to IN_PROGRESS for the caller that reconciles it."""
        ...

    async def finish(self, key: str, record: CustomerRecord) -> None: ...

    async def mark_unknown(self, key: str) -> None: ...

    async def forget(self, key: str) -> None: ...

    async def forget_customer(self, source: str, native_id: str) -> None:
        """Records holding this customer (erased: `erasePerson`)."""
        ...


@dataclass
class MemoryIdempotencyStore:
    ttl: float = TTL_SECONDS
    _entries: dict[str, Entry] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def claim(self, key: str, fingerprint: str) -> Entry | None:
        async with self._lock:
            now = time.time()
            for stale in [k for k, e in self._entries.items() if e.expires_at < now]:
                del self._entries[stale]
            entry = self._entries.get(key)
            if entry is None:
                self._entries[key] = Entry(fingerprint, State.IN_PROGRESS, now, now + self.ttl)
                return None
            seen = Entry(
                entry.fingerprint, entry.state, entry.started_at, entry.expires_at, entry.record
            )
            if entry.state is State.UNKNOWN and entry.fingerprint == fingerprint:
                entry.state = State.IN_PROGRESS  # this caller reconciles; others wait
            return seen

    async def finish(self, key: str, record: CustomerRecord) -> None:
        async with self._lock:
            if entry := self._entries.get(key):
                entry.state = State.DONE
                entry.record = record

    async def mark_unknown(self, key: str) -> None:
        async with self._lock:
            if entry := self._entries.get(key):
                entry.state = State.UNKNOWN

    async def forget(self, key: str) -> None:
        async with self._lock:
            self._entries.pop(key, None)

    async def forget_customer(self, source: str, native_id: str) -> None:
        async with self._lock:
            for key in [
                key
                for key, entry in self._entries.items()
                if entry.record is not None
                and (entry.record.source, entry.record.id) == (source, native_id)
            ]:
                del self._entries[key]


def fingerprint(source: str, given: Mapping[str, Any]) -> str:
    """What makes two creates "the same request": the source and every input field."""
    canonical = json.dumps({"source": source, "input": dict(given)}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
