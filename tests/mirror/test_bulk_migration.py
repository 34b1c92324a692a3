"""A migration run by another process (a worker starting, a `customer-gateway` command, a new
version rolled out) while a first load holds the SQLite store's indexes set aside (`bulk.py`):
the migration sees the whole schema, whatever the interleaving, and the end state after both is
the migrations' schema with every row indexed and searchable.

The other process is a real one (`python -c`, its own engine over the file). The interleaving
that mattered: its migration restored what was set aside, then waited for the migration lock (a
third process migrating); a load started meanwhile set the indexes aside again, and the
migration then ran over a schema without them."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from customer_gateway.connectors.models import Sort, SortField
from customer_gateway.mirror import store as store_module
from customer_gateway.mirror.query import SourceSelection
from customer_gateway.mirror.store import open_store, sqlite_url
from tests.mirror.test_bulk import _schema, _search_index_is_whole
from tests.mirror.test_store import CONDITIONS, EN_US, _oracle, _records

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]

# A later version's migration that redefines an index the load sets aside (drop, create anew).
REDEFINE_INDEX = '''"""The e-mail index also by source.

Revision ID: 0099
Revises: {head}
"""

from alembic import op

revision = "0099"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_mirror_customers_email", table_name="mirror_customers")
    op.create_index("ix_mirror_customers_email", "mirror_customers", ["email", "source"])


def downgrade() -> None:
    op.drop_index("ix_mirror_customers_email", table_name="mirror_customers")
    op.create_index("ix_mirror_customers_email", "mirror_customers", ["email"])
'''

MIGRATE = """
import asyncio, sys
from pathlib import Path
from customer_gateway.mirror import store
store.MIGRATIONS = Path(sys.argv[2])

async def main():
    opened = store.open_store(sys.argv[1])
    try:
        await opened.migrate()
    finally:
        await opened.close()

asyncio.run(main())
"""


def _next_version(tmp_path: Path) -> Path:
    """The migrations of a later version: this one's and `REDEFINE_INDEX`."""
    scripts = tmp_path / "migrations"
    shutil.copytree(store_module.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = sorted(path.name[:4] for path in (scripts / "versions").glob("0*.py"))[-1]
    (scripts / "versions" / "0099_email_by_source.py").write_text(REDEFINE_INDEX.format(head=head))
    return scripts


@pytest.mark.parametrize("order", ["set-aside-first", "during-its-turn"])
async def test_a_migration_while_a_load_holds_the_indexes_set_aside(
    tmp_path: Path, order: str
) -> None:
    """`set-aside-first`: the load has set the indexes aside when the other process migrates
    (it restores them, then upgrades). `during-its-turn`: the other process is waiting for its
    turn (a third one migrates) when the load starts (which then keeps its indexes)."""
    data = tmp_path / "data"
    data.mkdir()
    url = sqlite_url(data)
    scripts = _next_version(tmp_path)
    loading = open_store(url)  # this version's process: a first load into the empty store
    await loading.migrate()
    records = _records("shop-a", 120, 7)
    turn = os.open(f"{loading.engine.url.database}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o600)
    if order == "set-aside-first":
        assert await loading.bulk_load()
        async with loading.writing() as writer:
            await writer.upsert_customers(records[:30], rank=0, pass_no=1, text_key=EN_US)
    else:
        # A third process migrating: the other process's migration waits for its turn.
        fcntl.flock(turn, fcntl.LOCK_EX)
    migrating = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        MIGRATE,
        url,
        str(scripts),
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.sleep(1.0)  # the other process is under way (its restore, if any, done)
        await loading.bulk_load()  # a load starts (or another source's) meanwhile
        async with loading.writing() as writer:
            written = 30 if order == "set-aside-first" else 0
            await writer.upsert_customers(records[written:60], rank=0, pass_no=1, text_key=EN_US)
        os.close(turn)  # the third process is done: the other one migrates now
        turn = -1
        async with asyncio.timeout(60):
            _, errors = await migrating.communicate()
        assert migrating.returncode == 0, errors.decode()[-3000:]
        async with loading.writing() as writer:
            await writer.upsert_customers(records[60:], rank=0, pass_no=1, text_key=EN_US)
        await loading.end_bulk_load()

        expected = open_store(sqlite_url(tmp_path))  # the later version's schema, fresh
        try:
            store_module.MIGRATIONS, kept = scripts, store_module.MIGRATIONS
            try:
                await expected.migrate()
            finally:
                store_module.MIGRATIONS = kept
            assert await _schema(loading) == await _schema(expected)
        finally:
            await expected.close()
        async with loading.engine.connect() as connection:
            version = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
            assert version == "0099"
            assert await connection.scalar(sa.text("PRAGMA integrity_check")) == "ok"
        await _search_index_is_whole(loading)
        assert await loading.count("shop-a") == len(records)
        sources = {"shop-a": records}
        by_name = Sort(SortField.NAME, False)
        for condition in CONDITIONS:
            expected_ids = _oracle(sources, [condition], by_name)
            found = await loading.query_page(
                [SourceSelection("shop-a", (condition,))], by_name, 0, None, ()
            )
            assert [(r.source, r.id) for r in found.records] == expected_ids, condition
    finally:
        if turn >= 0:
            os.close(turn)
        if migrating.returncode is None:
            migrating.kill()
            await migrating.wait()
        await loading.close()
