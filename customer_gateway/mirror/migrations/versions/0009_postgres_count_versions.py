"""PostgreSQL: a version per source, moved by every change a total can count, so a reader
keeps a counted total until its sources' versions move.

SQLite readers keep their totals (`memo.py`: its `data_version`, the content version and log of
migrations 0005 and 0006). PostgreSQL counted every total anew on every request: the admin
grid's search box over 200,000 customers is a scan of the table each time (~30 ms; ~120 ms
beside a group filter; bench/README.md). Here each source's row of `mirror_counts` (kept by
triggers already, migration 0002) carries a `version`, set from a sequence by a trigger on every
customer row of that source that is inserted, deleted, or updated in a column a total can read
(migration 0005's `COUNTED_COLUMNS`). A reader reads its sources' versions with the total it
counts (one statement: one snapshot), and keeps the total while they stay (`page.PostgresTotals`).

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

_FUNCTION = """CREATE FUNCTION mirror_count_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    changed := OLD.source;
  ELSE
    changed := NEW.source;
  END IF;
  INSERT INTO mirror_counts (source, customers, version)
  VALUES (changed, 0, nextval('mirror_count_versions'))
  ON CONFLICT (source) DO UPDATE SET version = EXCLUDED.version;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    with op.batch_alter_table("mirror_counts") as batch:
        batch.add_column(sa.Column("version", sa.BigInteger, nullable=False, server_default="0"))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE mirror_count_versions")
    op.execute(_FUNCTION)
    op.execute(
        "CREATE TRIGGER mirror_customers_version AFTER INSERT OR DELETE ON mirror_customers "
        "FOR EACH ROW EXECUTE FUNCTION mirror_count_version()"
    )
    op.execute(
        "CREATE TRIGGER mirror_customers_version_update AFTER UPDATE ON mirror_customers "
        f"FOR EACH ROW WHEN (({_OLD}) IS DISTINCT FROM ({_NEW})) "
        "EXECUTE FUNCTION mirror_count_version()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER mirror_customers_version_update ON mirror_customers")
        op.execute("DROP TRIGGER mirror_customers_version ON mirror_customers")
        op.execute("DROP FUNCTION mirror_count_version()")
        op.execute("DROP SEQUENCE mirror_count_versions")
    with op.batch_alter_table("mirror_counts") as batch:
        batch.drop_column("version")
