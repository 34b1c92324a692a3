"""The mirror's tables: customers, memberships, groups, sync state; contains-search indexes.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SORT_COLUMNS = ("created_key", "name_key", "email_key", "status")


def upgrade() -> None:
    op.create_table(
        "mirror_customers",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("native_id", sa.String(255), primary_key=True),
        sa.Column("rank", sa.SmallInteger, nullable=False),
        sa.Column("nat", sa.LargeBinary, nullable=False),
        sa.Column("created_key", sa.BigInteger, nullable=False),
        sa.Column("updated_key", sa.BigInteger, nullable=False),
        sa.Column("name_key", sa.LargeBinary, nullable=False),
        sa.Column("email_key", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("full_name", sa.Text),
        sa.Column("email_fold", sa.Text),
        sa.Column("name_fold", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("vat", sa.Text),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("pass_no", sa.Integer, nullable=False),
    )
    for column in SORT_COLUMNS:
        op.create_index(
            f"ix_mirror_customers_{column}", "mirror_customers", [column, "rank", "nat", "source"]
        )
        op.create_index(
            f"ix_mirror_customers_{column}_desc",
            "mirror_customers",
            [sa.text(f"{column} DESC"), "rank", "nat", "source"],
        )
    op.create_index("ix_mirror_customers_email", "mirror_customers", ["email"])
    op.create_index("ix_mirror_customers_phone", "mirror_customers", ["phone"])
    op.create_index("ix_mirror_customers_vat", "mirror_customers", ["vat"])
    op.create_index("ix_mirror_customers_pass", "mirror_customers", ["source", "pass_no"])

    op.create_table(
        "mirror_memberships",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("customer_id", sa.String(255), primary_key=True),
        sa.Column("group_id", sa.String(255), primary_key=True),
    )
    op.create_index(
        "ix_mirror_memberships_group",
        "mirror_memberships",
        ["source", "group_id", "customer_id"],
    )
    op.create_table(
        "mirror_groups",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("native_id", sa.String(255), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
    )
    op.create_table(
        "mirror_sync",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("cursor", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.Float),
        sa.Column("synced_at", sa.Float),
        sa.Column("attempt_at", sa.Float),
        sa.Column("error", sa.String(40)),
        sa.Column("pass_no", sa.Integer, nullable=False),
        sa.Column("rank", sa.SmallInteger, nullable=False),
        sa.Column("sort_collation", sa.String(8), nullable=False),
    )

    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm's GIN indexes serve LIKE '%…%' on the folded columns.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in ("name_fold", "email_fold"):
            op.execute(
                f"CREATE INDEX ix_mirror_customers_{column}_trgm ON mirror_customers "
                f"USING gin ({column} gin_trgm_ops)"
            )
    else:
        # SQLite: an FTS5 trigram index over the folded columns, kept by triggers. Its content
        # is the customers table itself (no second copy of the text).
        op.execute(
            "CREATE VIRTUAL TABLE mirror_customers_fts USING fts5(name_fold, email_fold, "
            "content='mirror_customers', tokenize='trigram case_sensitive 1')"
        )
        op.execute(
            "CREATE TRIGGER mirror_customers_fts_insert AFTER INSERT ON mirror_customers BEGIN "
            "INSERT INTO mirror_customers_fts(rowid, name_fold, email_fold) "
            "VALUES (new.rowid, new.name_fold, new.email_fold); END"
        )
        op.execute(
            "CREATE TRIGGER mirror_customers_fts_delete AFTER DELETE ON mirror_customers BEGIN "
            "INSERT INTO mirror_customers_fts(mirror_customers_fts, rowid, name_fold, email_fold) "
            "VALUES ('delete', old.rowid, old.name_fold, old.email_fold); END"
        )
        op.execute(
            "CREATE TRIGGER mirror_customers_fts_update AFTER UPDATE OF name_fold, email_fold "
            "ON mirror_customers BEGIN "
            "INSERT INTO mirror_customers_fts(mirror_customers_fts, rowid, name_fold, email_fold) "
            "VALUES ('delete', old.rowid, old.name_fold, old.email_fold); "
            "INSERT INTO mirror_customers_fts(rowid, name_fold, email_fold) "
            "VALUES (new.rowid, new.name_fold, new.email_fold); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE mirror_customers_fts")
    for table in ("mirror_sync", "mirror_groups", "mirror_memberships", "mirror_customers"):
        op.drop_table(table)
