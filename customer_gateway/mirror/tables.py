"""The store's tables (SQLAlchemy Core). The migrations in `migrations/` create exactly these; a
test compares the migrated database with this metadata on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row per mirrored customer. `doc` is the record as the connector read it (JSON); the other
# columns are what filters and sorts read, computed from it at write time (`rows.py`).
customers = Table(
    "mirror_customers",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("native_id", String(255), primary_key=True),
    Column("rank", SmallInteger, nullable=False),  # the source's place in the configuration
    Column("nat", LargeBinary, nullable=False),  # native id as the merge's tie-break orders it
    Column("created_key", BigInteger, nullable=False),
    Column("updated_key", BigInteger, nullable=False),
    Column("name_key", LargeBinary, nullable=False),
    Column("email_key", LargeBinary, nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("email", Text),
    Column("full_name", Text),
    Column("email_fold", Text),
    Column("name_fold", Text),
    Column("phone", Text),  # normalised as the phone filter compares
    Column("vat", Text),  # normalised as the vat_number filter compares
    Column("company", Text),  # company_name filters (migration 0004)
    Column("company_fold", Text),
    Column("external_id", Text),
    Column("numeric_key", BigInteger, nullable=False, server_default="0"),  # customer_id sort
    Column("doc", Text, nullable=False),
    Column("digest", String(32), nullable=False),  # of `doc`: a reconcile skips equal rows
    Column("pass_no", Integer, nullable=False),  # the reconcile pass that last saw the row
)

SORT_COLUMNS = ("created_key", "name_key", "email_key", "status", "numeric_key")
# PostgreSQL: the sort indexes also hold the native id (migration 0008), so a page's keys come
# from the index alone (an index-only scan) and only its 20 rows are read; SQLite has the row
# id in every index entry already.
_KEYS_INCLUDED: dict[str, Any] = {"postgresql_include": ["native_id"]}
for _column in SORT_COLUMNS:
    # The merged order: sort key, then the source's place, then the native id; ascending and
    # descending (the tie-break stays ascending), so every page is one index range. The source
    # rides along: rows of other sources are skipped without reading them.
    Index(
        f"ix_mirror_customers_{_column}",
        customers.c[_column],
        customers.c.rank,
        customers.c.nat,
        customers.c.source,
        **_KEYS_INCLUDED,
    )
    Index(
        f"ix_mirror_customers_{_column}_desc",
        customers.c[_column].desc(),
        customers.c.rank,
        customers.c.nat,
        customers.c.source,
        **_KEYS_INCLUDED,
    )
# A status filter (the admin grid's "disabled") walks the rows of that status in the page's
# order, newest first or oldest first, reading the index alone (migration 0004).
for _descending in (False, True):
    Index(
        f"ix_mirror_customers_status_created{'_desc' if _descending else ''}",
        customers.c.status,
        customers.c.created_key.desc() if _descending else customers.c.created_key,
        customers.c.rank,
        customers.c.nat,
        customers.c.source,
        **_KEYS_INCLUDED,
    )
Index("ix_mirror_customers_email", customers.c.email)
Index("ix_mirror_customers_external_id", customers.c.external_id)
Index("ix_mirror_customers_phone", customers.c.phone)
Index("ix_mirror_customers_vat", customers.c.vat)
Index("ix_mirror_customers_pass", customers.c.source, customers.c.pass_no)

memberships = Table(
    "mirror_memberships",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("customer_id", String(255), primary_key=True),
    Column("group_id", String(255), primary_key=True),
    # The customer's newest-first order, copied at write time (migration 0004): a group's page
    # in that order is one walk of the index below, whatever share of the shop the group holds.
    Column("created_key", BigInteger, nullable=False, server_default="0"),
    Column("rank", SmallInteger, nullable=False, server_default="0"),
    Column("nat", LargeBinary, nullable=False, server_default=""),
    # SQLite: the customer's `rowid`, written with the membership (migration 0007): a group's
    # count against the trigram hits and its page's rows need no customer row read to find it.
    # NULL on PostgreSQL (no row id that holds), whose statements join by key.
    Column("customer_row", BigInteger),
)
Index(
    "ix_mirror_memberships_group",
    memberships.c.source,
    memberships.c.group_id,
    memberships.c.customer_id,
    memberships.c.customer_row,
)
for _descending in (False, True):
    Index(
        f"ix_mirror_memberships_created{'_desc' if _descending else ''}",
        memberships.c.group_id,
        memberships.c.created_key.desc() if _descending else memberships.c.created_key,
        memberships.c.rank,
        memberships.c.nat,
        memberships.c.source,
        memberships.c.customer_id,
        memberships.c.customer_row,
    )

groups = Table(
    "mirror_groups",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("native_id", String(255), primary_key=True),
    Column("position", Integer, nullable=False),  # the source's own list order
    Column("doc", Text, nullable=False),
)

# One row per mirrored source: where its sync stands. Written in the same transaction as the rows
# it describes, so a crash resumes exactly where the committed rows end.
sync_state = Table(
    "mirror_sync",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("phase", String(16), nullable=False),  # empty | loading | following
    Column("cursor", Text, nullable=False),  # JSON: the phase's resume point
    Column("loaded_at", Float),  # the first complete load ended (epoch seconds)
    Column("synced_at", Float),  # the last sync step that reached the source's present
    Column("attempt_at", Float),  # the last sync step, whatever its outcome
    Column("error", String(40)),  # the last step's error code (never a message with data)
    Column("pass_no", Integer, nullable=False),
    Column("rank", SmallInteger, nullable=False),
    Column("sort_collation", String(8), nullable=False),
    # The highest sync-lease fencing token that wrote here (migration 0003; 0 without a lease):
    # a syncer whose lease was taken over cannot write after its successor did.
    Column("fence", BigInteger, nullable=False, server_default="0"),
)

# Rows per source, kept by triggers (migration 0002): an unfiltered page's total without
# counting a million rows.
counts = Table(
    "mirror_counts",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("customers", BigInteger, nullable=False),
    # PostgreSQL: moved (from a sequence) by every change to the source's rows that a total can
    # count, so readers keep totals until it moves (migration 0009). 0 on SQLite, whose readers
    # keep theirs by the content version and log (migrations 0005, 0006).
    Column("version", BigInteger, nullable=False, server_default="0"),
    # PostgreSQL: the source's counted changes numbered one by one, in commit order (migration
    # 0010): its `change_log` entries. 0 on SQLite.
    Column("changes", BigInteger, nullable=False, server_default="0"),
)

# Rows per (source, status) and members per (source, group), kept by triggers (migration 0004):
# the total of a page filtered by one status or one group without counting its rows.
facet_counts = Table(
    "mirror_facet_counts",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("facet", String(8), primary_key=True),  # status | group
    Column("value", String(255), primary_key=True),
    Column("customers", BigInteger, nullable=False),
)

# A number that moves whenever a customer row changes in a way a total can see (migration 0005;
# SQLite's triggers keep it): a reader's kept totals (`memo.py`) outlive the commits that change
# nothing they count (a sync step's state, its pass marks, the group list written again).
content = Table(
    "mirror_content",
    metadata,
    Column("id", SmallInteger, primary_key=True),  # one row: 1
    Column("version", BigInteger, nullable=False),
)


def _logged_columns() -> list[Column[Any]]:
    """A change log's copy of a customer row as it was: the columns a condition reads (the
    keys and filters' columns) and the group ids its memberships held (a JSON array). Both logs
    hold them (`content_log`, `change_log`)."""
    return [
        Column("created_key", BigInteger),
        Column("updated_key", BigInteger),
        Column("status", SmallInteger),
        Column("email", Text),
        Column("full_name", Text),
        Column("email_fold", Text),
        Column("name_fold", Text),
        Column("phone", Text),
        Column("vat", Text),
        Column("company", Text),
        Column("company_fold", Text),
        Column("external_id", Text),
        Column("numeric_key", BigInteger),
        Column("group_ids", Text),
    ]


# The last changes that moved `content`, each with the row's counted columns as they were
# before it (migration 0006; SQLite's triggers write it): a reader's kept total moves by the
# rows changed since it was counted instead of being counted again (`deltas.py`).
content_log = Table(
    "mirror_content_log",
    metadata,
    Column("version", BigInteger, primary_key=True, autoincrement=False),  # after the change
    Column("row_id", BigInteger, nullable=False),  # the customer's rowid
    Column("existed", SmallInteger, nullable=False),  # 0: an insert (no columns before)
    Column("source", String(40)),
    Column("native_id", String(255)),
    *_logged_columns(),
)
# A deleted customer's entries go with it (migration 0011).
Index("ix_mirror_content_log_row", content_log.c.row_id)

# PostgreSQL: each source's last counted changes (migration 0010; its triggers write it), each
# with the row's counted columns as they were before it: a reader's kept part of a total moves
# by the rows its source changed since (`deltas.postgres_delta`), as SQLite's `content_log`.
change_log = Table(
    "mirror_change_log",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("change", BigInteger, primary_key=True, autoincrement=False),  # `counts.changes`
    Column("native_id", String(255), nullable=False),
    Column("existed", SmallInteger, nullable=False),  # 0: an insert (no columns before)
    *_logged_columns(),
)
# A deleted customer's entries go with it (migration 0010).
Index("ix_mirror_change_log_row", change_log.c.native_id, change_log.c.source)
