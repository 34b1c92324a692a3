"""PostgreSQL: the sort indexes hold the native id, so a page's keys come from the index alone.

A page is found as keys on the sort's index, then its rows by key (a deferred join,
`page._deferred`): a deep page (the admin grid's page 1,000 skips 19,980 rows) then reads no
skipped row. PostgreSQL reads a row for every index entry it passes unless the index holds every
column the query reads (an index-only scan) and the table's visibility map says the rows are
visible (a vacuum sets it: `SqlMirrorStore.analyze` after a load, autovacuum since). The sort
indexes held the sort key, rank, nat and source, not the native id the join needs: now they
INCLUDE it (stored in the leaf entries, not part of the key or its order). Measured on 200,000
customers (bench/README.md): page 1,000 46 ms → 3 ms.

SQLite's index entries carry the row id already (its deferred join is by row id): nothing to do.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_SORT_COLUMNS = ("created_key", "name_key", "email_key", "status", "numeric_key")


def _indexes() -> list[tuple[str, list[str | sa.TextClause]]]:
    indexes: list[tuple[str, list[str | sa.TextClause]]] = []
    for column in _SORT_COLUMNS:
        indexes.append((f"ix_mirror_customers_{column}", [column, "rank", "nat", "source"]))
        indexes.append(
            (
                f"ix_mirror_customers_{column}_desc",
                [sa.text(f"{column} DESC"), "rank", "nat", "source"],
            )
        )
    for suffix, created in (("", "created_key"), ("_desc", "created_key DESC")):
        indexes.append(
            (
                f"ix_mirror_customers_status_created{suffix}",
                ["status", sa.text(created), "rank", "nat", "source"],
            )
        )
    return indexes


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in _indexes():
        op.drop_index(name, "mirror_customers")
        op.create_index(name, "mirror_customers", columns, postgresql_include=["native_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in _indexes():
        op.drop_index(name, "mirror_customers")
        op.create_index(name, "mirror_customers", columns)
