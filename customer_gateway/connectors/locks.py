"""One write at a time per record: what a connector holds while it reads a record and writes it.

A connector that reads a customer to build its write (Ecwid sends the whole `billingPerson`;
Shoptet, Flow Retail and EverShop decide what to send from the current record) would otherwise
let two concurrent updates of different fields read the same state, and the later write would
put back the field the earlier one changed.

`RecordLocks` is the seam: `LocalRecordLocks` serialises the writes of one process; replicas
need a shared implementation of the same interface (a later change), without touching the
connectors.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol


class RecordLocks(Protocol):
    def hold(self, source: str, record: str) -> AbstractAsyncContextManager[None]:
        """Held until the block ends; waits while another holder of (source, record) runs.

        The wait is bounded by whoever awaits the block (the request's deadline cancels it).
        """
        ...


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holders and waiters: the entry goes when the last one leaves


class LocalRecordLocks:
    """Per process: an asyncio lock per (source, record), kept only while someone uses it."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}

    @asynccontextmanager
    async def hold(self, source: str, record: str) -> AsyncIterator[None]:
        key = (source, record)
        entry = self._entries.setdefault(key, _Entry())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]

    def __len__(self) -> int:
        """Records with a holder or a waiter (none once every write is done)."""
        return len(self._entries)
