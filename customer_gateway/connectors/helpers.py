"""Small helpers connectors share: page arithmetic and synthesised integer ids."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

EXPORT_PAGE = 500  # records per list request when an export pages through a source


@dataclass(frozen=True, slots=True)
class PagePlan:
    """Which upstream pages (1-based, `size` records each) cover records offset..offset+limit."""

    first: int
    size: int
    count: int
    skip: int  # records to drop from the first page


def page_plan(offset: int, limit: int, max_size: int) -> PagePlan:
    if limit <= max_size and offset % limit == 0:
        return PagePlan(first=offset // limit + 1, size=limit, count=1, skip=0)
    size = max_size
    skip = offset % size
    return PagePlan(
        first=offset // size + 1, size=size, count=-(-(skip + limit) // size), skip=skip
    )


def synthetic_int_id(native_id: str) -> int:
    """A stable positive 31-bit integer for sources whose ids are not integers.

    EverShop's `customerId: Int!` needs one; the value is a hash of the native id, documented in
    the README as synthesised, and never sent back to the source.
    """
    digest = hashlib.blake2b(native_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


async def gather_reads(calls: Sequence[Awaitable[T]]) -> list[T]:
    """`asyncio.gather` of `calls`, but one call (a `customer(id)`) is awaited in place: no task
    to create, schedule and gather for it."""
    if len(calls) == 1:
        return [await calls[0]]
    return list(await asyncio.gather(*calls))
