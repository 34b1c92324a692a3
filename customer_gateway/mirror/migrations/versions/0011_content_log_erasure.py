"""SQLite: a deleted customer leaves nothing of itself in the content log.

Migration 0006 logged each change with the row's counted columns as they were, a delete
included: a deleted customer's name, e-mail, phone and company stayed in `mirror_content_log`
until 1,024 later changes pushed them out, however long that took (a quiet shop: for good).
Deletes and GDPR erasure must remove data, not leave it in a tombstone (issue 16). Now a delete
removes every entry of the row (its earlier values included) and logs none of its own; the
content version still moves, so a total counted before the delete finds a version without an
entry and is counted again (`memo.py`) instead of moved. Updates still log the values they
replace (a customer that stays keeps its earlier values in the log for at most the next 1,024
changes: the documented retention); they go with the customer when it is deleted.

The log's entries by row id: an index (a purge deletes every row of a source, each one looking
up its entries).

PostgreSQL's change log does the same from its first revision (0010).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_0006 = importlib.import_module("customer_gateway.mirror.migrations.versions.0006_content_log")

_NAME = "mirror_customers_content_delete"
# Trigger body from constants (no value of any request is in it).
_DELETE = (
    f"AFTER DELETE ON mirror_customers BEGIN {_0006._BUMP} "  # noqa: S608
    "DELETE FROM mirror_content_log WHERE row_id = old.rowid; "
    f"{_0006._PRUNE} END"
)


def upgrade() -> None:
    op.create_index("ix_mirror_content_log_row", "mirror_content_log", ["row_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {_NAME}")
        op.execute(f"CREATE TRIGGER {_NAME} {_DELETE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {_NAME}")
        op.execute(f"CREATE TRIGGER {_NAME} {_0006.TRIGGERS[_NAME]}")
    op.drop_index("ix_mirror_content_log_row", "mirror_content_log")
