"""The identity index: members, people, explicit links and unlinks, erasure requests, audit.

Revision ID: id0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "id0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_members",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("native_id", sa.String(255), primary_key=True),
        sa.Column("person_id", sa.String(40), nullable=False),
        sa.Column("email_key", sa.Text),
        sa.Column("phone_key", sa.String(16)),
        sa.Column("changed_key", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_identity_members_email", "identity_members", ["email_key"])
    op.create_index("ix_identity_members_phone", "identity_members", ["phone_key"])
    op.create_index("ix_identity_members_person", "identity_members", ["person_id"])
    op.create_table(
        "identity_people",
        sa.Column("person_id", sa.String(40), primary_key=True),
        sa.Column("changed_key", sa.BigInteger, nullable=False),
        sa.Column("members", sa.Integer, nullable=False),
    )
    op.create_index("ix_identity_people_changed", "identity_people", ["changed_key", "person_id"])
    op.create_table(
        "identity_links",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("native_id", sa.String(255), primary_key=True),
        sa.Column("link_id", sa.String(40), nullable=False),
    )
    op.create_index("ix_identity_links_link", "identity_links", ["link_id"])
    op.create_table(
        "identity_detached",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("native_id", sa.String(255), primary_key=True),
    )
    op.create_table(
        "identity_erasures",
        sa.Column("request_id", sa.String(40), primary_key=True),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("targets", sa.Text, nullable=False),
    )
    op.create_index("ix_identity_erasures_subject", "identity_erasures", ["subject", "status"])
    op.create_table(
        "identity_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("source", sa.String(40)),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "identity_config",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "identity_config",
        "identity_audit",
        "identity_erasures",
        "identity_detached",
        "identity_links",
        "identity_people",
        "identity_members",
    ):
        op.drop_table(table)
