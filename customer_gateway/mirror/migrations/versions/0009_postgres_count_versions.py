"""PostgreSQL: a version per source, moved by every change a total can count, so a reader
keeps a counted total until its sources' versions move.

SQLite readers keep their totals (`memo.py`: its `data_version`, the content version and log of
migrations 0005 and 0006). PostgreSQL counted every total anew on every request: the admin
grid's search box over 200,000 customers is a scan of the table each time (~30 ms; ~120 ms
beside a group filter; bench/README.md). Here each source's row of `mirror_counts` (kept by
triggers already, migration 0002) carries a `version`, set from a sequence on every customer row
of that source that is inserted, deleted, or updated in a column a total can read (migration
0005's `COUNTED_COLUMNS`): inserts and deletes by migration 0002's count trigger, which writes
that row already, updates by a trigger of their own. A reader counts each source's part of a
total beside that source's version (one statement: one snapshot) and keeps the part while the
version stays (`memo.VersionedTotals`).

The version comes from a sequence, not `version + 1`: a source whose row was removed and made
again can never return to a version a total was kept at. The row is per source, so writers of
different sources do not wait for each other (a source's row is locked by its writers until
they commit, as the count trigger did for inserts and deletes).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_COUNTED = importlib.import_module(
    "customer_gateway.mirror.migrations.versions.0005_content_version"
).COUNTED_COLUMNS
_OLD = ", ".join(f"OLD.{column}" for column in _COUNTED)
_NEW = ", ".join(f"NEW.{column}" for column in _COUNTED)

# Migration 0002's count trigger, which upserts the source's row on every insert and delete,
# now moves its version in the same write; an update that changes a counted column moves it
# by a trigger of its own (the row exists: the customer does).
_COUNT = """CREATE OR REPLACE FUNCTION mirror_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO mirror_counts (source, customers, version)
    VALUES (NEW.source, 1, nextval('mirror_count_versions'))
    ON CONFLICT (source) DO UPDATE
    SET customers = mirror_counts.customers + 1, version = EXCLUDED.version;
  ELSE
    UPDATE mirror_counts SET customers = customers - 1,
      version = nextval('mirror_count_versions')
    WHERE source = OLD.source;
  END IF;
  RETURN NULL;
END $$"""
# Migration 0002's body, for the downgrade.
_COUNT_BEFORE = """CREATE OR REPLACE FUNCTION mirror_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO mirror_counts (source, customers) VALUES (NEW.source, 1)
    ON CONFLICT (source) DO UPDATE SET customers = mirror_counts.customers + 1;
  ELSE
    UPDATE mirror_counts SET customers = customers - 1 WHERE source = OLD.source;
  END IF;
  RETURN NULL;
END $$"""
_VERSION = """CREATE FUNCTION mirror_count_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE mirror_counts SET version = nextval('mirror_count_versions')
  WHERE source = NEW.source;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    with op.batch_alter_table("mirror_counts") as batch:
        batch.add_column(sa.Column("version", sa.BigInteger, nullable=False, server_default="0"))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE mirror_count_versions")
    op.execute(_COUNT)
    op.execute(_VERSION)
    op.execute(
        "CREATE TRIGGER mirror_customers_version_update AFTER UPDATE ON mirror_customers "
        f"FOR EACH ROW WHEN (({_OLD}) IS DISTINCT FROM ({_NEW})) "
        "EXECUTE FUNCTION mirror_count_version()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER mirror_customers_version_update ON mirror_customers")
        op.execute("DROP FUNCTION mirror_count_version()")
        op.execute(_COUNT_BEFORE)
        op.execute("DROP SEQUENCE mirror_count_versions")
    # SQLite drops the column in place (3.35+): a batch copy would rename the table under the
    # count triggers, which SQLite refuses.
    op.execute("ALTER TABLE mirror_counts DROP COLUMN version")
