"""A content version: moved by every change to a customer row that a total can count.

A SQLite reader keeps a request's total while `PRAGMA data_version` is unchanged (`memo.py`),
and any commit moves that: a sync step that finds nothing new still writes its state, and so
every `sync_interval` of every source the grid's totals were counted anew (a common surname
among a million customers: ~10 ms each). This number moves only when a customer row is
inserted, deleted, or updated in a column a filter or a search reads; a reader whose file
changed reads it (and the schema's version) to tell whether its totals still hold.

Not moved: the merge's sort keys and tie-breaks (`nat`, `name_key`, `email_key`, `rank`) and
the reconcile's pass marks (`pass_no`), which no total reads; the memberships, which are
written only with their customer's row and follow from its `doc` (an update that changes one
changes the other). The table is there on PostgreSQL too (one schema on both) and its
triggers are SQLite's only: PostgreSQL keeps its totals by per-source versions (migration 0009).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The customer columns a filter, a search or a count reads (every column but the keys, the
# sort-only ones and the pass marks): `tests/mirror/test_store.py` checks the list against
# `tables.customers`.
COUNTED_COLUMNS = (
    "created_key",
    "updated_key",
    "status",
    "email",
    "full_name",
    "email_fold",
    "name_fold",
    "phone",
    "vat",
    "company",
    "company_fold",
    "external_id",
    "numeric_key",
    "doc",
    "digest",
)
_BUMP = "UPDATE mirror_content SET version = version + 1 WHERE id = 1;"
_CHANGED = " OR ".join(f"old.{column} IS NOT new.{column}" for column in COUNTED_COLUMNS)
TRIGGERS = {
    "mirror_customers_content_insert": f"AFTER INSERT ON mirror_customers BEGIN {_BUMP} END",
    "mirror_customers_content_delete": f"AFTER DELETE ON mirror_customers BEGIN {_BUMP} END",
    "mirror_customers_content_update": (
        f"AFTER UPDATE ON mirror_customers WHEN {_CHANGED} BEGIN {_BUMP} END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "mirror_content",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO mirror_content (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "sqlite":
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("mirror_content")
