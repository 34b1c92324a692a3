"""The sync lease's fencing token per source: a write carrying a smaller one is refused.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mirror_sync") as batch:
        batch.add_column(sa.Column("fence", sa.BigInteger, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("mirror_sync") as batch:
        batch.drop_column("fence")
