"""Rows per source, kept by triggers: an unfiltered list's total without a count of every row.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mirror_counts",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("customers", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO mirror_counts (source, customers) "
        "SELECT source, count(*) FROM mirror_customers GROUP BY source"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """CREATE FUNCTION mirror_count() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                INSERT INTO mirror_counts (source, customers) VALUES (NEW.source, 1)
                ON CONFLICT (source) DO UPDATE SET customers = mirror_counts.customers + 1;
              ELSE
                UPDATE mirror_counts SET customers = customers - 1 WHERE source = OLD.source;
              END IF;
              RETURN NULL;
            END $$"""
        )
        op.execute(
            "CREATE TRIGGER mirror_customers_count AFTER INSERT OR DELETE ON mirror_customers "
            "FOR EACH ROW EXECUTE FUNCTION mirror_count()"
        )
    else:
        op.execute(
            "CREATE TRIGGER mirror_customers_count_insert AFTER INSERT ON mirror_customers BEGIN "
            "INSERT INTO mirror_counts (source, customers) VALUES (new.source, 1) "
            "ON CONFLICT (source) DO UPDATE SET customers = customers + 1; END"
        )
        op.execute(
            "CREATE TRIGGER mirror_customers_count_delete AFTER DELETE ON mirror_customers BEGIN "
            "UPDATE mirror_counts SET customers = customers - 1 WHERE source = old.source; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER mirror_customers_count ON mirror_customers")
        op.execute("DROP FUNCTION mirror_count()")
    else:
        op.execute("DROP TRIGGER mirror_customers_count_insert")
        op.execute("DROP TRIGGER mirror_customers_count_delete")
    op.drop_table("mirror_counts")
