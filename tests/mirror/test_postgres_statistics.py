"""PostgreSQL: a writer analyses the tables it fills as they grow (`store.TableGrowth`), so a
first load's statements are planned on the table it has, not on an empty one, whether or not
autovacuum runs on the server."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from customer_gateway.mirror.store import TableGrowth, postgres_url
from tests.mirror.conftest import fresh_store
from tests.mirror.test_store import EN_US, _records

pytestmark = pytest.mark.anyio


async def test_a_growing_load_analyses_its_tables_geometrically_on_postgres(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TableGrowth, "MIN_ROWS", 50)
    store = await fresh_store(postgres_url(postgres_database))
    analysed: list[str] = []

    def record(*args: object) -> None:
        if str(args[2]).startswith("ANALYZE"):
            analysed.append(str(args[2]))

    sa.event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        records = _records("shop-a", 240, 3)
        assert len(records) >= 200
        for start in range(0, 200, 20):
            async with store.writing() as writer:
                await writer.upsert_customers(
                    records[start : start + 20], rank=0, pass_no=1, text_key=EN_US
                )
        # At 60 rows written (>= 50), then at 120 (>= the 60 analysed): not again before 240.
        assert analysed == ["ANALYZE mirror_customers, mirror_memberships"] * 2
        async with store.engine.connect() as connection:
            estimated = await connection.scalar(
                sa.text("SELECT reltuples FROM pg_class WHERE relname = 'mirror_customers'")
            )
        assert estimated is not None
        assert 100 <= estimated <= 200
    finally:
        sa.event.remove(store.engine.sync_engine, "before_cursor_execute", record)
        await store.close()
