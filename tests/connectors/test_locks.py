"""`LocalRecordLocks`: one holder per (source, record) at a time, nothing kept afterwards."""

from __future__ import annotations

import asyncio

import pytest

from customer_gateway.connectors.locks import LocalRecordLocks

pytestmark = pytest.mark.anyio


async def test_holders_of_one_record_run_one_after_the_other() -> None:
    locks = LocalRecordLocks()
    inside: list[int] = []
    most = 0

    async def write(index: int) -> None:
        nonlocal most
        async with locks.hold("ecwid", "customer:7"):
            inside.append(index)
            most = max(most, len(inside))
            await asyncio.sleep(0.01)
            inside.remove(index)

    await asyncio.gather(*(write(index) for index in range(5)))
    assert most == 1
    assert len(locks) == 0


async def test_other_records_and_other_sources_do_not_wait() -> None:
    locks = LocalRecordLocks()
    async with locks.hold("ecwid", "customer:7"):
        async with asyncio.timeout(1):
            async with locks.hold("ecwid", "customer:8"), locks.hold("shoptet", "customer:7"):
                assert len(locks) == 3
    assert len(locks) == 0


async def test_a_cancelled_waiter_leaves_nothing_behind() -> None:
    locks = LocalRecordLocks()
    async with locks.hold("ecwid", "customer:7"):
        waiter = asyncio.ensure_future(_hold(locks))
        await asyncio.sleep(0.01)
        assert not waiter.done()
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    assert len(locks) == 0
    # The record is free again.
    async with asyncio.timeout(1):
        await _hold(locks)


async def test_an_error_inside_releases_the_record() -> None:
    locks = LocalRecordLocks()
    with pytest.raises(RuntimeError):
        async with locks.hold("ecwid", "customer:7"):
            raise RuntimeError("upstream failed")
    assert len(locks) == 0
    async with asyncio.timeout(1):
        await _hold(locks)


async def _hold(locks: LocalRecordLocks) -> None:
    async with locks.hold("ecwid", "customer:7"):
        await asyncio.sleep(0)
