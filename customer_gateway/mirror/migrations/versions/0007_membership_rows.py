"""Each membership carries its customer's row id (SQLite), in the membership indexes.

The admin grid's search within a group (a keyword and one group) is counted once per reader
connection and then kept (`memo.py`). That first count read each of the keyword's hits' rows to
find its source and id, then probed the memberships: ~550 ms for a common surname's 100,000
hits among a million customers with the file in the OS cache, 7.8 s on a cold one (each hit's
row is a page read of its own: the rows lie scattered over a 4 GB file; bench/README.md). With
the customer's row id in the membership index, the count walks the group's entries of one
covering index and tests each row id against the trigram index's hit set, reading no customer
row (as the status filter's count walks the status index). The group's page walks its members
the same way and reaches each member's row by its row id (one B-tree instead of the primary
key's index and then the table).

`customer_row` is SQLite's `rowid` of the customer's `mirror_customers` row, written with the
membership (`statements.py`: the row is upserted first, in the same transaction). It holds as
long as the row does: an upsert keeps a row's id, a delete removes its memberships first, and
nothing in the store VACUUMs (which may renumber the row ids of a table without an integer
primary key; the FTS5 index, whose content is the same table, relies on them as well).
PostgreSQL has no row ids that hold: the column is there (one schema on both) and stays NULL;
its counts join by key.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_Columns = list[str | sa.TextClause]
# (index, its columns before, its columns now): `customer_row` at the end of each.
_INDEXES: tuple[tuple[str, _Columns, _Columns], ...] = (
    (
        "ix_mirror_memberships_group",
        ["source", "group_id", "customer_id"],
        ["source", "group_id", "customer_id", "customer_row"],
    ),
    (
        "ix_mirror_memberships_created",
        ["group_id", "created_key", "rank", "nat", "source", "customer_id"],
        ["group_id", "created_key", "rank", "nat", "source", "customer_id", "customer_row"],
    ),
    (
        "ix_mirror_memberships_created_desc",
        ["group_id", sa.text("created_key DESC"), "rank", "nat", "source", "customer_id"],
        [
            "group_id",
            sa.text("created_key DESC"),
            "rank",
            "nat",
            "source",
            "customer_id",
            "customer_row",
        ],
    ),
)


def upgrade() -> None:
    with op.batch_alter_table("mirror_memberships") as batch:
        batch.add_column(sa.Column("customer_row", sa.BigInteger))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "UPDATE mirror_memberships SET customer_row = (SELECT c.rowid FROM mirror_customers c "
            "WHERE c.source = mirror_memberships.source "
            "AND c.native_id = mirror_memberships.customer_id)"
        )
    for name, _before, now in _INDEXES:
        op.drop_index(name, "mirror_memberships")
        op.create_index(name, "mirror_memberships", now)


def downgrade() -> None:
    for name, before, _now in _INDEXES:
        op.drop_index(name, "mirror_memberships")
        op.create_index(name, "mirror_memberships", before)
    # In place (SQLite 3.35+): a batch copy of the table would drop its count triggers.
    op.execute("ALTER TABLE mirror_memberships DROP COLUMN customer_row")
