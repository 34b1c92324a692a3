"""The customer table: generated customers plus the overrides that writes leave behind.

List order (the contract leaves it undocumented, README 5.4): ascending internal id, i.e.
registration order: generated customers `1..count` first, then customers created since, in
creation order. Deleting shifts later items forward, which is why Shoptet advises re-checking
`totalCount` between pages.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from .formats import format_datetime
from .payloads import ChangeRow
from .records import CustomerRecord, normalize_phone
from .seed import CustomerFactory

CHANGES_KEPT_SECONDS: Final = 30 * 24 * 3600  # "Guaranteed history is 30 days" (spec)


@dataclass(slots=True)
class CustomerView:
    """A read-only view; `Store` is the live one and `freeze()` gives a point-in-time copy."""

    factory: CustomerFactory
    overrides: dict[int, CustomerRecord] = field(default_factory=dict)
    deleted_base: list[int] = field(default_factory=list)  # sorted ids <= factory.count
    deleted_set: set[int] = field(default_factory=set)
    created: list[int] = field(default_factory=list)  # ids > factory.count, alive, in order
    guid_index: dict[str, int] = field(default_factory=dict)  # created customers only
    email_index: dict[str, set[int]] = field(default_factory=dict)  # overridden records
    phone_index: dict[str, set[int]] = field(default_factory=dict)  # overridden records

    def freeze(self) -> CustomerView:
        return CustomerView(
            self.factory,
            dict(self.overrides),
            list(self.deleted_base),
            set(self.deleted_set),
            list(self.created),
        )

    # -- reads -------------------------------------------------------------------------------
    def get(self, index: int) -> CustomerRecord | None:
        if index in self.deleted_set:
            return None
        record = self.overrides.get(index)
        if record is None and 1 <= index <= self.factory.count:
            record = self.factory.generate(index)
        return record

    def _generated(self, index: int | None) -> CustomerRecord | None:
        """A generated customer's original record, unless a write has shadowed it."""
        if index is None or index in self.overrides or index in self.deleted_set:
            return None
        return self.factory.generate(index)

    def by_guid(self, guid: str) -> CustomerRecord | None:
        index = self.guid_index.get(guid)
        if index is not None:
            return self.get(index)
        if (index := self.factory.index_of_guid(guid)) is not None:
            return self.get(index)
        return None

    def by_email(self, email: str) -> list[CustomerRecord]:
        key = email.lower()
        ids = set(self.email_index.get(key, ()))
        generated = self._generated(self.factory.index_of_email(key))
        if generated is not None:
            ids.add(generated.id)
        return [r for i in sorted(ids) if (r := self.get(i)) is not None and key in r.emails()]

    def by_phone(self, phone: str) -> list[CustomerRecord]:
        key = normalize_phone(phone)
        ids = set(self.phone_index.get(key, ()))
        generated = self._generated(self.factory.index_of_phone(key))
        if generated is not None:
            ids.add(generated.id)
        return [r for i in sorted(ids) if (r := self.get(i)) is not None and key in r.phones()]

    def count(self) -> int:
        return self.factory.count - len(self.deleted_base) + len(self.created)

    def _nth_base_id(self, position: int) -> int:
        """The internal id of the `position`-th (0-based) alive generated customer."""
        candidate = position + 1
        while True:
            shifted = position + 1 + bisect.bisect_right(self.deleted_base, candidate)
            if shifted == candidate:
                return candidate
            candidate = shifted

    def page(self, offset: int, limit: int) -> list[CustomerRecord]:
        return list(self.iterate(offset, limit))

    def iterate(self, offset: int = 0, limit: int | None = None) -> Iterator[CustomerRecord]:
        remaining = self.count() - offset if limit is None else min(limit, self.count() - offset)
        if remaining <= 0:
            return
        alive_base = self.factory.count - len(self.deleted_base)
        if offset < alive_base:
            index = self._nth_base_id(offset)
            while remaining > 0 and index <= self.factory.count:
                record = self.get(index)
                index += 1
                if record is not None:
                    remaining -= 1
                    yield record
            offset = alive_base
        for index in self.created[offset - alive_base :]:
            if remaining <= 0:
                return
            record = self.get(index)
            if record is not None:
                remaining -= 1
                yield record


class Store(CustomerView):
    """The live table. Writers pass whole replacement records (records are immutable)."""

    def __init__(self, factory: CustomerFactory) -> None:
        super().__init__(factory)
        self.next_id = factory.count + 1

    def email_owner(self, email: str) -> CustomerRecord | None:
        found = self.by_email(email)
        return found[0] if found else None

    def put(self, record: CustomerRecord) -> None:
        previous = self.get(record.id)
        if previous is not None:
            self._unindex(previous)
        elif record.id > self.factory.count:
            self.created.append(record.id)
            self.guid_index[record.guid] = record.id
            self.next_id = max(self.next_id, record.id + 1)
        self.overrides[record.id] = record
        for email in record.emails():
            self.email_index.setdefault(email, set()).add(record.id)
        for phone in record.phones():
            self.phone_index.setdefault(phone, set()).add(record.id)

    def delete(self, record: CustomerRecord) -> None:
        self._unindex(record)
        self.overrides.pop(record.id, None)
        if record.id <= self.factory.count:
            bisect.insort(self.deleted_base, record.id)
            self.deleted_set.add(record.id)
        else:
            self.created.remove(record.id)
            self.guid_index.pop(record.guid, None)

    def _unindex(self, record: CustomerRecord) -> None:
        for email in record.emails():
            self.email_index.get(email, set()).discard(record.id)
        for phone in record.phones():
            self.phone_index.get(phone, set()).discard(record.id)


@dataclass(frozen=True, slots=True)
class _Change:
    time: float
    change_type: str  # edit | delete (a creation is logged as `edit`, spec)


class ChangeLog:
    """`/api/customers/changes`: the latest change per customer, kept for 30 days."""

    def __init__(self) -> None:
        self._latest: dict[str, _Change] = {}

    def record(self, guid: str, time: float, change_type: str) -> None:
        self._latest.pop(guid, None)  # re-insert so dict order stays chronological
        self._latest[guid] = _Change(time, change_type)

    def rows(self, *, since: float, now: float, change_type: str | None) -> list[ChangeRow]:
        horizon = now - CHANGES_KEPT_SECONDS
        for guid in [g for g, change in self._latest.items() if change.time < horizon]:
            del self._latest[guid]  # purged progressively in Shoptet; here on read
        ordered = sorted(self._latest.items(), key=lambda item: item[1].time)
        return [
            {"guid": guid, "changeTime": format_datetime(c.time), "changeType": c.change_type}
            for guid, c in ordered
            if c.time >= since and (change_type is None or c.change_type == change_type)
        ]
