"""One mirrored source's place in the store: how its rows are keyed and written, and whether its
mirror serves reads yet. Shared by its sync loop and its connector."""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from customer_gateway.connectors.models import CustomerRecord, GroupRecord
from customer_gateway.mirror.keys import TextKey, collation_key
from customer_gateway.mirror.store import MirrorStore


@dataclass
class Health:
    """What the last sync steps said (in memory; the store keeps the cursors)."""

    synced_at: float | None = None  # the last step that reached the source's present
    error: str | None = None  # the last step's error code, if it failed
    error_at: float | None = None
    errors: int = 0  # failed steps since the process started
    records: int = 0


@dataclass
class SourceMirror:
    source: str
    kind: str
    store: MirrorStore
    rank: int
    collation: str = "en_US"
    serving: bool = False  # the first complete load is in the store
    pass_no: int = 0  # the reconcile pass under way (writes mark rows seen by it)
    groups: bool | None = None  # the source lists groups (None: not asked yet)
    health: Health = field(default_factory=Health)

    @property
    def text_key(self) -> TextKey:
        return collation_key(self.collation)

    async def upsert(self, records: Sequence[CustomerRecord]) -> None:
        async with self.store.writing() as writer:
            await writer.upsert_customers(
                records, rank=self.rank, pass_no=self.pass_no, text_key=self.text_key
            )

    async def delete(self, ids: Sequence[str]) -> None:
        async with self.store.writing() as writer:
            await writer.delete_customers(self.source, ids)

    async def upsert_group(self, record: GroupRecord) -> None:
        async with self.store.writing() as writer:
            await writer.upsert_group(record)

    async def delete_group(self, group_id: str) -> None:
        async with self.store.writing() as writer:
            await writer.delete_group(self.source, group_id)

    def state(self, now: float | None = None) -> str:
        """loading (not serving yet), unavailable (the store does not answer: reads go to the
        source), stale (the source failed the last step), or fresh."""
        if not self.serving:
            return "loading"
        if not self.store.availability.available:
            return "unavailable"
        return "stale" if self.health.error is not None else "fresh"

    def report(self, now: float | None = None) -> dict[str, Any]:
        """`extensions.sources[].mirror`, /readyz and `check`: state, syncedAt, lagSeconds."""
        now = time.time() if now is None else now
        synced = self.health.synced_at
        return {
            "state": self.state(now),
            "syncedAt": _iso(synced),
            "lagSeconds": None if synced is None else round(max(0.0, now - synced), 1),
        }


@functools.lru_cache(maxsize=64)
def _iso(moment: float | None) -> str | None:
    """Every response's `extensions.sources` shows each mirror's syncedAt: formatted once per
    sync step, not per request."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")
