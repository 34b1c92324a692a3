"""PostgreSQL: each source's counted changes numbered and logged, so a kept part of a total
moves by the rows changed since instead of being counted again.

Migration 0009 lets a PostgreSQL reader keep each source's part of a counted total while the
source's version stays; a counted change in the source then counted the part anew: 44-58 ms
for a source of 100,000 rows at a million customers, four times that for a source of 400,000
(the grid's search box, bench/README.md). SQLite readers move their totals by a log of the
changed rows (migrations 0005, 0006, `deltas.py`); this gives PostgreSQL the same, per source:

- `mirror_counts.changes` numbers a source's counted changes one by one (the version, from a
  sequence shared by every source, has gaps). The triggers that move the version move it in
  the same write, by an expression evaluated on the row they have locked: the source's writers
  wait for each other on that row until they commit, so a source's change numbers are in
  commit order, and a reader that sees number n sees every change up to n.
- `mirror_change_log` holds, per (source, change number), the changed row's key, whether the
  row existed before (not for an insert), and its counted columns and group ids as they were
  (migration 0006's columns). Each trigger drops the entry `LOG_ROWS` numbers back: the log
  keeps a source's last `LOG_ROWS` changes (a reader whose part is older counts it again).
- A deleted customer leaves nothing of itself in the log (deletes and GDPR erasure remove data):
  the delete removes the row's entries and logs none of its own, so a part counted before it
  finds a number missing and is counted again (the log's entries by native id: an index).
- A source's row made again (its rows all deleted, then one inserted) starts numbering at the
  version it gets: past every number its earlier rows had (a counter moves by one per change,
  the sequence by at least one), so no part kept before reads the new entries as its own.

The table is there on SQLite too (one schema on both); its triggers are PostgreSQL's only.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# A source's changes the log keeps (`deltas.LOG_ROWS`, as SQLite's log of migration 0006).
LOG_ROWS = 1024

_0006 = importlib.import_module("customer_gateway.mirror.migrations.versions.0006_content_log")
_0009 = importlib.import_module(
    "customer_gateway.mirror.migrations.versions.0009_postgres_count_versions"
)
# The row's key is logged apart: `source` and `native_id` are in 0006's columns.
_LOGGED = tuple(column for column in _0006.LOGGED_COLUMNS if column not in ("source", "native_id"))
_COLUMNS = ", ".join(_LOGGED)
_OLD = ", ".join(f"OLD.{column}" for column in _LOGGED)
# The memberships as they were: the ids of the document's group references (a JSON array).
_OLD_GROUPS = (
    "(SELECT coalesce(jsonb_agg(ref ->> 'id'), '[]'::jsonb)::text "
    "FROM jsonb_array_elements(OLD.doc::jsonb -> 'groups') AS ref)"
)
_LOG_OLD = (
    f"INSERT INTO mirror_change_log (source, change, native_id, existed, {_COLUMNS}, "  # noqa: S608
    f"group_ids) VALUES (OLD.source, n, OLD.native_id, 1, {_OLD}, {_OLD_GROUPS});"
)
_PRUNE = f"DELETE FROM mirror_change_log WHERE source = {{row}}.source AND change = n - {LOG_ROWS};"  # noqa: S608

# Trigger bodies from constants (no value of any request is in them).
_COUNT = f"""CREATE OR REPLACE FUNCTION mirror_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  fresh bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- A new source row numbers from its version; an existing one by one more, computed on
    -- the row once it is locked (ON CONFLICT's SET is evaluated after the lock).
    fresh := nextval('mirror_count_versions');
    INSERT INTO mirror_counts (source, customers, version, changes)
    VALUES (NEW.source, 1, fresh, fresh)
    ON CONFLICT (source) DO UPDATE
    SET customers = mirror_counts.customers + 1,
      version = nextval('mirror_count_versions'),
      changes = mirror_counts.changes + 1
    RETURNING changes INTO n;
    INSERT INTO mirror_change_log (source, change, native_id, existed)
    VALUES (NEW.source, n, NEW.native_id, 0);
    {_PRUNE.format(row="NEW")}
  ELSE
    UPDATE mirror_counts SET customers = customers - 1,
      version = nextval('mirror_count_versions'), changes = changes + 1
    WHERE source = OLD.source
    RETURNING changes INTO n;
    -- A deleted customer leaves nothing in the log: its entries go, and its delete is not
    -- logged (a part counted before it finds the number missing and is counted again).
    DELETE FROM mirror_change_log WHERE native_id = OLD.native_id AND source = OLD.source;
    {_PRUNE.format(row="OLD")}
  END IF;
  RETURN NULL;
END $$"""  # noqa: S608
_VERSION = f"""CREATE OR REPLACE FUNCTION mirror_count_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  UPDATE mirror_counts SET version = nextval('mirror_count_versions'), changes = changes + 1
  WHERE source = NEW.source
  RETURNING changes INTO n;
  {_LOG_OLD}
  {_PRUNE.format(row="NEW")}
  RETURN NULL;
END $$"""  # noqa: S608
_VERSION_BEFORE = _0009._VERSION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")


def upgrade() -> None:
    with op.batch_alter_table("mirror_counts") as batch:
        batch.add_column(sa.Column("changes", sa.BigInteger, nullable=False, server_default="0"))
    op.create_table(
        "mirror_change_log",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("change", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("native_id", sa.String(255), nullable=False),
        sa.Column("existed", sa.SmallInteger, nullable=False),
        *_log_columns(),
        sa.Column("group_ids", sa.Text),
    )
    # Led by the native id: an index led by `source` would offer itself to the prune's
    # `source = … AND change = …`, and a trigger's plan made while the log was empty took it
    # (every prune then read the source's whole log: a first load slowed to 133 rows a second
    # at 300,000). Each of the two statements now matches all columns of one index and only a
    # prefix (or none) of the other, whatever the statistics say.
    op.create_index("ix_mirror_change_log_row", "mirror_change_log", ["native_id", "source"])
    if op.get_bind().dialect.name != "postgresql":
        return
    # Numbers start past every version given so far (the log is empty: nothing to read yet).
    op.execute("UPDATE mirror_counts SET changes = version")
    op.execute(_COUNT)
    op.execute(_VERSION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_0009._COUNT)
        op.execute(_VERSION_BEFORE)
    op.drop_table("mirror_change_log")
    # SQLite drops the column in place (3.35+): a batch copy would rename the table under the
    # count triggers, which SQLite refuses.
    op.execute("ALTER TABLE mirror_counts DROP COLUMN changes")


def _log_columns() -> list[sa.Column[object]]:
    types = {"created_key", "updated_key", "numeric_key"}
    small = {"status"}
    return [
        sa.Column(
            name,
            sa.BigInteger if name in types else sa.SmallInteger if name in small else sa.Text,
        )
        for name in _LOGGED
    ]
