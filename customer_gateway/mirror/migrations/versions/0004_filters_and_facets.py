"""company_name and external_id filters and the customer_id sort in SQL; indexes for a status
filter in the page's order; row counts per status and members per group, kept by triggers.

Existing rows get their new columns from their documents (the record kept whole).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 2000

# (table, operation, facet, column, sign): what each trigger adds to mirror_facet_counts.
_PG_FUNCTION = """CREATE FUNCTION mirror_facet_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'mirror_customers' THEN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
      UPDATE mirror_facet_counts SET customers = customers - 1
      WHERE source = OLD.source AND facet = 'status' AND value = OLD.status::text;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      INSERT INTO mirror_facet_counts (source, facet, value, customers)
      VALUES (NEW.source, 'status', NEW.status::text, 1)
      ON CONFLICT (source, facet, value) DO UPDATE
      SET customers = mirror_facet_counts.customers + 1;
    END IF;
  ELSE
    IF TG_OP = 'DELETE' THEN
      UPDATE mirror_facet_counts SET customers = customers - 1
      WHERE source = OLD.source AND facet = 'group' AND value = OLD.group_id;
    ELSE
      INSERT INTO mirror_facet_counts (source, facet, value, customers)
      VALUES (NEW.source, 'group', NEW.group_id, 1)
      ON CONFLICT (source, facet, value) DO UPDATE
      SET customers = mirror_facet_counts.customers + 1;
    END IF;
  END IF;
  RETURN NULL;
END $$"""

_SQLITE_TRIGGERS = {
    "mirror_customers_status_insert": (
        "AFTER INSERT ON mirror_customers BEGIN "
        "INSERT INTO mirror_facet_counts (source, facet, value, customers) "
        "VALUES (new.source, 'status', CAST(new.status AS TEXT), 1) "
        "ON CONFLICT (source, facet, value) DO UPDATE SET customers = customers + 1; END"
    ),
    "mirror_customers_status_delete": (
        "AFTER DELETE ON mirror_customers BEGIN "
        "UPDATE mirror_facet_counts SET customers = customers - 1 "
        "WHERE source = old.source AND facet = 'status' AND value = CAST(old.status AS TEXT); END"
    ),
    "mirror_customers_status_update": (
        "AFTER UPDATE OF status ON mirror_customers WHEN old.status <> new.status BEGIN "
        "UPDATE mirror_facet_counts SET customers = customers - 1 "
        "WHERE source = old.source AND facet = 'status' AND value = CAST(old.status AS TEXT); "
        "INSERT INTO mirror_facet_counts (source, facet, value, customers) "
        "VALUES (new.source, 'status', CAST(new.status AS TEXT), 1) "
        "ON CONFLICT (source, facet, value) DO UPDATE SET customers = customers + 1; END"
    ),
    "mirror_memberships_count_insert": (
        "AFTER INSERT ON mirror_memberships BEGIN "
        "INSERT INTO mirror_facet_counts (source, facet, value, customers) "
        "VALUES (new.source, 'group', new.group_id, 1) "
        "ON CONFLICT (source, facet, value) DO UPDATE SET customers = customers + 1; END"
    ),
    "mirror_memberships_count_delete": (
        "AFTER DELETE ON mirror_memberships BEGIN "
        "UPDATE mirror_facet_counts SET customers = customers - 1 "
        "WHERE source = old.source AND facet = 'group' AND value = old.group_id; END"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("mirror_customers") as batch:
        batch.add_column(sa.Column("company", sa.Text))
        batch.add_column(sa.Column("company_fold", sa.Text))
        batch.add_column(sa.Column("external_id", sa.Text))
        batch.add_column(
            sa.Column("numeric_key", sa.BigInteger, nullable=False, server_default="0")
        )
    _backfill()
    for column in ("numeric_key",):
        op.create_index(
            f"ix_mirror_customers_{column}", "mirror_customers", [column, "rank", "nat", "source"]
        )
        op.create_index(
            f"ix_mirror_customers_{column}_desc",
            "mirror_customers",
            [sa.text(f"{column} DESC"), "rank", "nat", "source"],
        )
    op.create_index(
        "ix_mirror_customers_status_created",
        "mirror_customers",
        ["status", "created_key", "rank", "nat", "source"],
    )
    op.create_index(
        "ix_mirror_customers_status_created_desc",
        "mirror_customers",
        ["status", sa.text("created_key DESC"), "rank", "nat", "source"],
    )
    op.create_index("ix_mirror_customers_external_id", "mirror_customers", ["external_id"])

    with op.batch_alter_table("mirror_memberships") as batch:
        batch.add_column(
            sa.Column("created_key", sa.BigInteger, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("rank", sa.SmallInteger, nullable=False, server_default="0"))
        batch.add_column(sa.Column("nat", sa.LargeBinary, nullable=False, server_default=""))
    op.execute(
        "UPDATE mirror_memberships SET "
        "created_key = (SELECT c.created_key FROM mirror_customers c WHERE c.source = "
        "mirror_memberships.source AND c.native_id = mirror_memberships.customer_id), "
        "rank = (SELECT c.rank FROM mirror_customers c WHERE c.source = "
        "mirror_memberships.source AND c.native_id = mirror_memberships.customer_id), "
        "nat = (SELECT c.nat FROM mirror_customers c WHERE c.source = "
        "mirror_memberships.source AND c.native_id = mirror_memberships.customer_id)"
    )
    op.create_index(
        "ix_mirror_memberships_created",
        "mirror_memberships",
        ["group_id", "created_key", "rank", "nat", "source", "customer_id"],
    )
    op.create_index(
        "ix_mirror_memberships_created_desc",
        "mirror_memberships",
        ["group_id", sa.text("created_key DESC"), "rank", "nat", "source", "customer_id"],
    )

    op.create_table(
        "mirror_facet_counts",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("facet", sa.String(8), primary_key=True),
        sa.Column("value", sa.String(255), primary_key=True),
        sa.Column("customers", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO mirror_facet_counts (source, facet, value, customers) "
        "SELECT source, 'status', CAST(status AS TEXT), count(*) FROM mirror_customers "
        "GROUP BY source, status"
    )
    op.execute(
        "INSERT INTO mirror_facet_counts (source, facet, value, customers) "
        "SELECT source, 'group', group_id, count(*) FROM mirror_memberships "
        "GROUP BY source, group_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER mirror_customers_facets AFTER INSERT OR DELETE "
            "OR UPDATE OF status ON mirror_customers FOR EACH ROW "
            "EXECUTE FUNCTION mirror_facet_count()"
        )
        op.execute(
            "CREATE TRIGGER mirror_memberships_facets AFTER INSERT OR DELETE "
            "ON mirror_memberships FOR EACH ROW EXECUTE FUNCTION mirror_facet_count()"
        )
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def _backfill() -> None:
    """The new columns of rows written before this revision, from their documents."""
    connection = op.get_bind()
    table = sa.table(
        "mirror_customers",
        sa.column("source"),
        sa.column("native_id"),
        sa.column("doc"),
        sa.column("company"),
        sa.column("company_fold"),
        sa.column("external_id"),
        sa.column("numeric_key"),
    )
    last: tuple[str, str] = ("", "")
    while True:
        rows = connection.execute(
            sa.select(table.c.source, table.c.native_id, table.c.doc)
            .where(sa.tuple_(table.c.source, table.c.native_id) > sa.tuple_(*last))
            .order_by(table.c.source, table.c.native_id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for source, native_id, doc in rows:
            data = json.loads(doc)
            company = data.get("company_name")
            connection.execute(
                sa.update(table)
                .where(table.c.source == source, table.c.native_id == native_id)
                .values(
                    company=company,
                    company_fold=company.lower() if company is not None else None,
                    external_id=data.get("external_id"),
                    numeric_key=int(data.get("numeric_id") or 0),
                )
            )
        last = (rows[-1][0], rows[-1][1])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER mirror_customers_facets ON mirror_customers")
        op.execute("DROP TRIGGER mirror_memberships_facets ON mirror_memberships")
        op.execute("DROP FUNCTION mirror_facet_count()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("mirror_facet_counts")
    op.drop_index("ix_mirror_memberships_created_desc", "mirror_memberships")
    op.drop_index("ix_mirror_memberships_created", "mirror_memberships")
    # Columns dropped in place (SQLite 3.35+): a batch copy of a table would drop the triggers
    # on it that the migrations below this one drop themselves.
    for column in ("nat", "rank", "created_key"):
        op.execute(f"ALTER TABLE mirror_memberships DROP COLUMN {column}")
    for name in (
        "ix_mirror_customers_external_id",
        "ix_mirror_customers_status_created_desc",
        "ix_mirror_customers_status_created",
        "ix_mirror_customers_numeric_key_desc",
        "ix_mirror_customers_numeric_key",
    ):
        op.drop_index(name, "mirror_customers")
    for column in ("numeric_key", "external_id", "company_fold", "company"):
        op.execute(f"ALTER TABLE mirror_customers DROP COLUMN {column}")
