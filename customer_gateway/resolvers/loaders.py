"""Per-request DataLoaders keyed by (source, native id), built in the request context.

aiodataloader binds to the running loop when constructed, and a loader caches what it loaded: a
module-level loader would be both wrong and a cross-request leak. Each batch is split by source
and every source is asked once, concurrently; a source's failure fails only its own keys.
"""

from __future__ import annotations

import asyncio
import enum
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from aiodataloader import DataLoader

from customer_gateway.connectors.models import CustomerRecord, GroupRecord, RegionRecord
from customer_gateway.connectors.protocol import Connector, Regions, no_api
from customer_gateway.core.errors import GatewayError

if TYPE_CHECKING:
    from customer_gateway.core.context import GatewayContext

Key = tuple[str, str]  # (source name, native id)
R = TypeVar("R")


class Unread(enum.Enum):
    """What `settle` answers for a key whose source failed (None: the record does not exist)."""

    UNREAD = "unread"


UNREAD = Unread.UNREAD


class SourceLoader(Generic[R]):
    """A typed face over aiodataloader for records that live in one source each."""

    def __init__(
        self,
        context: GatewayContext,
        fetch: Callable[[Connector, Sequence[str]], Awaitable[Sequence[R | None]]],
        name: str,
    ) -> None:
        self._context = context
        self._fetch = fetch
        self._name = name
        self._loader = DataLoader(batch_load_fn=self._batch)

    async def load(self, source: str, native_id: str) -> R | None:
        return cast("R | None", await self._loader.load((source, native_id)))

    async def load_many(self, keys: Sequence[Key]) -> list[R | None]:
        return cast("list[R | None]", await self._loader.load_many(list(keys)))

    async def settle(
        self, source: str, native_id: str, path: Sequence[str | int]
    ) -> R | None | Unread:
        """`load` for a read after the field's own fan-out: a source's failure is reported
        once in the request context (`report_unread`) and the key comes back `UNREAD`."""
        return (await self.settle_many([(source, native_id)], path))[0]

    async def settle_many(
        self, keys: Sequence[Key], path: Sequence[str | int]
    ) -> list[R | None | Unread]:
        """`load_many` where each source's failure fails only its own keys (see `settle`)."""
        outcomes = await asyncio.gather(
            *(self._loader.load(key) for key in keys), return_exceptions=True
        )
        settled: list[R | None | Unread] = []
        for (source, _), outcome in zip(keys, outcomes, strict=True):
            if isinstance(outcome, GatewayError):
                self._context.report_unread(path, source, outcome)
                settled.append(UNREAD)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                settled.append(outcome)
        return settled

    def ready(self, source: str, native_id: str) -> R | None | Unread:
        """What `settle` would answer without waiting, where this request already holds the
        key's answer (primed, or loaded and not failed); `UNREAD` where it does not (not asked
        yet, in flight, or failed: `settle` then reports it)."""
        future = self._loader._cache.get((source, native_id))
        if future is None or not future.done() or future.cancelled() or future.exception():
            return UNREAD
        return cast("R | None", future.result())

    def prime(self, source: str, native_id: str, record: R) -> None:
        self._loader.clear((source, native_id))
        self._loader.prime((source, native_id), record)

    def clear(self, source: str, native_id: str) -> None:
        self._loader.clear((source, native_id))

    async def _batch(self, keys: list[Key]) -> list[R | None | Exception]:
        if self._context.telemetry is not None:
            self._context.telemetry.loader_batch(self._name, len(keys))
        by_source: dict[str, list[str]] = defaultdict(list)
        for source, native_id in keys:
            if native_id not in by_source[source]:
                by_source[source].append(native_id)

        async def fetch(source: str, ids: list[str]) -> dict[Key, R | None | Exception]:
            connector = self._context.sources.get(source)
            if connector is None:
                return {(source, native_id): None for native_id in ids}
            try:
                records = await self._context.call(connector, self._fetch(connector, ids))
            except Exception as error:
                return {(source, native_id): error for native_id in ids}
            return {
                (source, native_id): record for native_id, record in zip(ids, records, strict=True)
            }

        found: dict[Key, R | None | Exception] = {}
        for part in await asyncio.gather(*(fetch(s, ids) for s, ids in by_source.items())):
            found.update(part)
        return [found[key] for key in keys]


async def _customers(connector: Connector, ids: Sequence[str]) -> Sequence[CustomerRecord | None]:
    return await connector.get_customers(ids)


async def _groups(connector: Connector, ids: Sequence[str]) -> Sequence[GroupRecord | None]:
    return await connector.get_groups(ids)


async def _regions(connector: Connector, ids: Sequence[str]) -> Sequence[RegionRecord | None]:
    if not isinstance(connector, Regions):
        raise no_api(connector, "list regions")
    by_id = {region.id: region for region in await connector.list_regions()}
    return [by_id.get(region_id) for region_id in ids]


class Loaders:
    """A request's loaders, each made when the request first uses it (a `customer(id)` uses
    one of the three: an aiodataloader loader is a few thousand instructions to make)."""

    def __init__(self, context: GatewayContext) -> None:
        self._context = context

    @cached_property
    def customers(self) -> SourceLoader[CustomerRecord]:
        return SourceLoader(self._context, _customers, "customers")

    @cached_property
    def groups(self) -> SourceLoader[GroupRecord]:
        return SourceLoader(self._context, _groups, "groups")

    @cached_property
    def regions(self) -> SourceLoader[RegionRecord]:
        return SourceLoader(self._context, _regions, "regions")


class GroupPrefetch:
    """The group lists of sources whose customers name their groups by id only.

    Started next to the customer lists, so the names cost no second round trip on the critical
    path; `settle` hands them to the group loader when the page needs them and cancels them when
    it does not. A failed prefetch is not reported: the loader then asks again, and its outcome
    is the source's.
    """

    def __init__(self, context: GatewayContext, connectors: Sequence[Connector]) -> None:
        self._context = context
        self._tasks: dict[str, tuple[Connector, asyncio.Task[Sequence[GroupRecord]]]] = {}
        for connector in connectors:
            task = asyncio.ensure_future(
                context.call(connector, connector.list_groups(), report=False)
            )
            task.add_done_callback(_consume)
            self._tasks[connector.name] = (connector, task)

    async def settle(self, records: Sequence[CustomerRecord]) -> None:
        named_by_id = {r.source for r in records if any(ref.name is None for ref in r.groups)}
        for source, (_connector, task) in self._tasks.items():
            if source not in named_by_id:
                task.cancel()
                continue
            try:
                groups = await task
            except GatewayError:
                continue  # the group loader asks again; its answer is what counts

            for group in groups:
                self._context.loaders.groups.prime(source, group.id, group)


def _consume(task: asyncio.Task[Sequence[GroupRecord]]) -> None:
    """A cancelled or unused prefetch is not an unretrieved exception."""
    if not task.cancelled():
        task.exception()
