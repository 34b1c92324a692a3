"""The content log: each counted change's row as it was before, so a kept total moves by the
change instead of being counted again.

Migration 0005's content version tells a SQLite reader that something a total counts changed,
and its totals were then counted anew: a common surname among a million customers is ~20 ms,
~110 ms beside a status filter (issue 16), paid by the first grid request after every sync step
that changed one customer. With the log, a kept total counted at version v is moved to the
current version by the rows changed since: those that match now are added, those that matched
before are taken away (`memo.py`, `deltas.py`).

One log row per content version (the version is the key: versions move by one per change): the
row id, whether a row was there before (not for an insert), and the counted columns' values
before the change (the keys and the filters' columns, and the group ids the row's memberships
held, read from its document, from which the writer derives them: `store.write_rows`; not the
document itself, which no condition reads). The same triggers move the version and write the
log, in that order (two triggers would fire in no documented order). The log keeps the last
`LOG_ROWS` changes: each trigger drops the entries that many versions back, so the table stays
small; a reader whose total is older counts it anew (a bulk load sets the triggers aside,
`bulk.py`, and moves the schema's version, which drops every kept total).

The table is there on PostgreSQL too (one schema on both), the triggers are SQLite's only:
PostgreSQL keeps its totals by per-source versions and counts again when they move (migration
0009), with no log to move them by.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Changes the log keeps: a total older than that is counted again (the delta of ~1,000 rows
# costs a few ms; more would approach a count).
LOG_ROWS = 1024
# The columns a condition reads, logged as they were (`tables.content_log`).
LOGGED_COLUMNS = (
    "source",
    "native_id",
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
)

_previous = importlib.import_module(
    "customer_gateway.mirror.migrations.versions.0005_content_version"
)

# Trigger bodies from constants (S608 exempted: no value of any request is in them).
_BUMP = "UPDATE mirror_content SET version = version + 1 WHERE id = 1;"
_VERSION = "(SELECT version FROM mirror_content WHERE id = 1)"
_PRUNE = f"DELETE FROM mirror_content_log WHERE version <= {_VERSION} - {LOG_ROWS};"  # noqa: S608
_COLUMNS = ", ".join(LOGGED_COLUMNS)
_OLD = ", ".join(f"old.{column}" for column in LOGGED_COLUMNS)
# The memberships as they were: the ids of the document's group references (a JSON array).
_OLD_GROUPS = (
    "(SELECT json_group_array(json_extract(value, '$.id')) FROM json_each(old.doc, '$.groups'))"
)
_LOG_OLD = (
    f"INSERT INTO mirror_content_log (version, row_id, existed, {_COLUMNS}, group_ids) "  # noqa: S608
    f"VALUES ({_VERSION}, old.rowid, 1, {_OLD}, {_OLD_GROUPS});"
)
_LOG_NEW = (
    "INSERT INTO mirror_content_log (version, row_id, existed) "  # noqa: S608
    f"VALUES ({_VERSION}, new.rowid, 0);"
)
TRIGGERS = {
    "mirror_customers_content_insert": (
        f"AFTER INSERT ON mirror_customers BEGIN {_BUMP} {_LOG_NEW} {_PRUNE} END"
    ),
    "mirror_customers_content_delete": (
        f"AFTER DELETE ON mirror_customers BEGIN {_BUMP} {_LOG_OLD} {_PRUNE} END"
    ),
    "mirror_customers_content_update": (
        f"AFTER UPDATE ON mirror_customers WHEN {_previous._CHANGED} "
        f"BEGIN {_BUMP} {_LOG_OLD} {_PRUNE} END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "mirror_content_log",
        sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("row_id", sa.BigInteger, nullable=False),
        sa.Column("existed", sa.SmallInteger, nullable=False),
        sa.Column("source", sa.String(40)),
        sa.Column("native_id", sa.String(255)),
        sa.Column("created_key", sa.BigInteger),
        sa.Column("updated_key", sa.BigInteger),
        sa.Column("status", sa.SmallInteger),
        sa.Column("email", sa.Text),
        sa.Column("full_name", sa.Text),
        sa.Column("email_fold", sa.Text),
        sa.Column("name_fold", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("vat", sa.Text),
        sa.Column("company", sa.Text),
        sa.Column("company_fold", sa.Text),
        sa.Column("external_id", sa.Text),
        sa.Column("numeric_key", sa.BigInteger),
        sa.Column("group_ids", sa.Text),
    )
    if op.get_bind().dialect.name == "sqlite":
        for name, body in TRIGGERS.items():
            op.execute(f"DROP TRIGGER {name}")
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, body in _previous.TRIGGERS.items():
            op.execute(f"DROP TRIGGER {name}")
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.drop_table("mirror_content_log")
