"""A person's merged profile, and where each of its fields came from.

The rule for conflicts (docs/people.md): for each field, among the person's
customers that have a value (not empty), the one whose record changed last wins (`updated_at`,
else `created_at`; a tie goes to the source listed first in the configuration, then the lower
native id). A source configured as the field's master (`[identity] masters`) wins whenever one of
its customers has a value; among several of its customers, the newest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from customer_gateway.connectors.models import CustomerRecord

FIELDS = ("email", "full_name", "phone", "vat_number", "company_name")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FieldSource:
    field: str
    source: str
    customer_id: str  # native id in `source`
    changed_at: datetime | None
    rule: str  # "master" or "newest"


@dataclass(frozen=True, slots=True)
class Profile:
    values: Mapping[str, str | None]
    sources: tuple[FieldSource, ...]


def changed_at(record: CustomerRecord) -> datetime | None:
    return record.updated_at or record.created_at


def _moment(record: CustomerRecord) -> datetime:
    moment = changed_at(record)
    if moment is None:
        return _EPOCH
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def merge(
    records: Sequence[CustomerRecord], masters: Mapping[str, str], ranks: Mapping[str, int]
) -> Profile:
    def preference(record: CustomerRecord) -> tuple[datetime, int, str]:
        # Newest first; then the source listed first, then the lower id (negated for max()).
        return (_moment(record), -ranks.get(record.source, len(ranks)), _negated(record.id))

    values: dict[str, str | None] = {}
    sources: list[FieldSource] = []
    for name in FIELDS:
        holders = [r for r in records if (getattr(r, name) or "").strip()]
        master = masters.get(name)
        rule = "newest"
        if master is not None and any(r.source == master for r in holders):
            holders = [r for r in holders if r.source == master]
            rule = "master"
        if not holders:
            values[name] = None
            continue
        chosen = max(holders, key=preference)
        values[name] = getattr(chosen, name)
        sources.append(FieldSource(name, chosen.source, chosen.id, changed_at(chosen), rule))
    return Profile(values, tuple(sources))


def _negated(text: str) -> str:
    """A key whose max() is the lowest text (ids are compared as text)."""
    return "".join(chr(0x10FFFF - ord(char)) for char in text) + "\U0010ffff"
