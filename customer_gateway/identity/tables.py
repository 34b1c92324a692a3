"""The identity index's tables, beside the mirror's in the same database (SQLAlchemy Core). The
migrations in `migrations/` (their own Alembic history and version table) create exactly these.

Nothing here holds a copy of personal data but the match keys: names, addresses and the rest
stay in the mirror's rows, read when a person is asked for.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

# One row per mirrored customer: its match keys and the person it belongs to.
members = Table(
    "identity_members",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("native_id", String(255), primary_key=True),
    Column("person_id", String(40), nullable=False),
    Column("email_key", Text),
    Column("phone_key", String(16)),
    Column("changed_key", BigInteger, nullable=False),  # updated (else created), microseconds
)
Index("ix_identity_members_email", members.c.email_key)
Index("ix_identity_members_phone", members.c.phone_key)
Index("ix_identity_members_person", members.c.person_id)

# One row per person: what the `people` list pages over.
people = Table(
    "identity_people",
    metadata,
    Column("person_id", String(40), primary_key=True),
    Column("changed_key", BigInteger, nullable=False),  # the newest change of its customers
    Column("members", Integer, nullable=False),
)
Index("ix_identity_people_changed", people.c.changed_key, people.c.person_id)

# An operator's explicit links: customers of one link_id are one person, whatever the rule says.
links = Table(
    "identity_links",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("native_id", String(255), primary_key=True),
    Column("link_id", String(40), nullable=False),
)
Index("ix_identity_links_link", links.c.link_id)

# An operator's unlinks: the rule no longer joins this customer to anyone (explicit links still do).
detached = Table(
    "identity_detached",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("native_id", String(255), primary_key=True),
)

# Erasure requests (`erasePerson`): durable, resumed until every source is settled. `targets` is
# JSON of opaque ids (source, native id) and per-source outcomes; no name, e-mail or phone.
erasures = Table(
    "identity_erasures",
    metadata,
    Column("request_id", String(40), primary_key=True),
    Column("subject", String(64), nullable=False),  # SHA-256 of the normalised subject
    Column("status", String(16), nullable=False),  # open | completed
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("targets", Text, nullable=False),
)
Index("ix_identity_erasures_subject", erasures.c.subject, erasures.c.status)

# What was done, for an auditor: request ids, subject hashes, source names, codes and counts.
audit = Table(
    "identity_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("request_id", String(40), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("event", String(40), nullable=False),
    Column("source", String(40)),
    Column("outcome", String(40), nullable=False),
    Column("count", Integer, nullable=False),
)

# What the index was built with (match settings): a change rebuilds it at startup.
config = Table(
    "identity_config",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)
