"""Alembic's environment for the identity index: its own history, in its own version table
(`identity_alembic_version`), beside the mirror's in the same database."""

from __future__ import annotations

from alembic import context

VERSION_TABLE = "identity_alembic_version"

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
