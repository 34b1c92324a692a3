"""Alembic migrations of the mirror store (run by `store.migrate`, never by hand)."""
