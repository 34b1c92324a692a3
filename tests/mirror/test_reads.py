"""What a grid page over mirrored sources costs the store: one read (one hop to SQLite's reader
thread), the group names of sources that name groups by id only (Flow Retail) included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from customer_gateway.mirror.store import SqlMirrorStore
from tests.mirror.harness import emulators, gateway

pytestmark = pytest.mark.anyio

GRID = """query($f: [FilterInput]) { customers(filters: $f) { total
  items { uuid fullName email status createdAt { text } group { groupName } } } }"""


@pytest.mark.parametrize(
    "filters",
    [
        [],
        [{"key": "ob", "operation": "eq", "value": "name"}],
        [{"key": "keyword", "operation": "eq", "value": "an"}],
        [{"key": "status", "operation": "eq", "value": "0"}],
        [{"key": "page", "operation": "eq", "value": "3"}],
    ],
    ids=["newest", "by-name", "keyword", "status", "page-3"],
)
async def test_a_grid_page_is_one_store_read(tmp_path: Path, filters: list[dict[str, str]]) -> None:
    shops = emulators()
    async with gateway(shops, mirror=True, data_dir=tmp_path) as mirrored:
        store = mirrored.mirrors.store
        assert isinstance(store, SqlMirrorStore)
        assert store.reader is not None
        reads = 0
        run = store.reader.run

        async def counted(read: Callable[..., Any]) -> Any:
            nonlocal reads
            reads += 1
            return await run(read)

        store.reader.run = counted  # type: ignore[method-assign]
        answer = await mirrored.query(GRID, {"f": filters})
        assert "errors" not in answer, answer["errors"]
        items = answer["data"]["customers"]["items"]
        assert items
        # Flow Retail's customers are on the page and their groups are named (from its group
        # list, read with the page).
        flow = [item for item in items if item["uuid"].startswith("flow-c")]
        if not filters:
            assert flow
        assert all(item["group"] is None or item["group"]["groupName"] for item in flow)
        assert reads == 1
