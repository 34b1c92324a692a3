"""The index of people: which mirrored customers are one person.

Customers of any sources are one person when they are connected: by the same e-mail key, by the
same phone key (`[identity] match_phone`), or by an operator's explicit link. A customer an
operator unlinked is joined by no rule, only by explicit links. A person is a connected component
of that graph.

Matching is incremental: the mirror's store calls `customers_upserted` / `customers_deleted` in
the transaction of each write (`WriteObserver`), and only the components those customers were in
and now touch are settled again. `rebuild` matches every mirrored customer from scratch (at
startup when the index is empty or its match settings changed, and on demand).

A person keeps its id while its customers stay together: a settled component takes the id most
of its customers had (a new one only when a person is split or first formed).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from customer_gateway.connectors.models import CustomerRecord
from customer_gateway.identity.normalise import email_key, phone_key
from customer_gateway.identity.tables import config, detached, links, members, people
from customer_gateway.mirror.keys import MISSING_TIME, normalise_phone, time_key
from customer_gateway.mirror.query import Dialect, SourceSelection, unfiltered, where
from customer_gateway.mirror.rows import customer_from_doc
from customer_gateway.mirror.statements import in_chunks
from customer_gateway.mirror.store import begin_writing, upgrade_in_turn
from customer_gateway.mirror.tables import customers

MIGRATIONS = Path(__file__).parent / "migrations"
# Serialises the index's writers on PostgreSQL (several sync loops and replicas write at once);
# SQLite has one writer anyway.
_INDEX_LOCK = 0x6964656E74

Key = tuple[str, str]  # (source, native id)


@dataclass(frozen=True, slots=True)
class MatchSettings:
    match_phone: bool = False
    countries: Mapping[str, str | None] = field(default_factory=dict)  # source -> country

    def country(self, source: str) -> str | None:
        return self.countries.get(source)

    def fingerprint(self) -> str:
        data = {"phone": self.match_phone, "countries": dict(sorted(self.countries.items()))}
        return json.dumps(data, sort_keys=True)


@dataclass(frozen=True, slots=True)
class MemberKeys:
    email: str | None
    phone: str | None
    changed: int


def new_person_id() -> str:
    return secrets.token_hex(10)


Transaction = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


class IdentityIndex:
    def __init__(
        self, engine: AsyncEngine, match: MatchSettings, transaction: Transaction | None = None
    ) -> None:
        self.engine = engine
        # The mirror store's write transactions (its writers' turn on SQLite), else its own.
        self.transaction = transaction or (lambda: immediate(engine))
        self.match = match
        self.sqlite = engine.dialect.name == "sqlite"
        self.dialect = Dialect(engine.dialect.name)

    # -- schema -------------------------------------------------------------------------------

    async def migrate(self) -> None:
        """Its own Alembic history (version table `identity_alembic_version`), taking turns with
        other processes as the mirror's migrations do."""
        await upgrade_in_turn(self.engine, MIGRATIONS, "identity-migrate-lock", _INDEX_LOCK)

    async def needs_rebuild(self) -> bool:
        """The index was built with other match settings, or never while the mirror has rows."""
        async with self.engine.connect() as connection:
            built = await connection.scalar(
                sa.select(config.c.value).where(config.c.key == "match")
            )
            if built is not None:
                return bool(built != self.match.fingerprint())
            any_customer = await connection.scalar(sa.select(customers.c.source).limit(1))
            return any_customer is not None

    # -- keys ---------------------------------------------------------------------------------

    def keys(self, record: CustomerRecord) -> MemberKeys:
        phone = None
        if self.match.match_phone and record.phone is not None:
            # As the mirror's phone column holds it (what `rebuild` reads): digits and '+'.
            phone = phone_key(normalise_phone(record.phone), self.match.country(record.source))
        moment = record.updated_at or record.created_at
        return MemberKeys(email_key(record.email), phone, time_key(moment) if moment else 0)

    def _insert(self, table: sa.Table) -> Any:
        return sqlite.insert(table) if self.sqlite else postgresql.insert(table)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction of the index's own: SQLite's write lock taken at once, the
        index's advisory lock on PostgreSQL."""
        async with self.transaction() as connection:
            await self._lock(connection)
            yield connection

    async def _lock(self, connection: AsyncConnection) -> None:
        if not self.sqlite:
            await connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INDEX_LOCK}
            )

    # -- WriteObserver: the mirror's writes -----------------------------------------------------

    async def customers_upserted(
        self, connection: AsyncConnection, records: Sequence[CustomerRecord]
    ) -> None:
        if not records:
            return
        await self._lock(connection)
        rows = []
        for record in records:
            keys = self.keys(record)
            rows.append(
                {
                    "source": record.source,
                    "native_id": record.id,
                    "person_id": "",
                    "email_key": keys.email,
                    "phone_key": keys.phone,
                    "changed_key": keys.changed,
                }
            )
        touched = [(record.source, record.id) for record in records]
        before = await self._members_of_people_of(connection, touched)
        insert = self._insert(members)
        await connection.execute(
            insert.on_conflict_do_update(
                index_elements=[members.c.source, members.c.native_id],
                set_={
                    "email_key": insert.excluded.email_key,
                    "phone_key": insert.excluded.phone_key,
                    "changed_key": insert.excluded.changed_key,
                },
            ),
            rows,
        )
        await self._settle(connection, set(touched) | before)

    async def customers_deleted(
        self, connection: AsyncConnection, source: str, ids: Sequence[str]
    ) -> None:
        await self._lock(connection)
        gone = [(source, native_id) for native_id in ids]
        before, their_people = await self._people_of(connection, gone)
        await self._delete_members(connection, gone)
        # A person left without customers goes too (`dropped`: refreshed, found empty).
        await self._settle(connection, before - set(gone), dropped=their_people)

    async def source_purged(self, connection: AsyncConnection, source: str) -> None:
        await self._lock(connection)
        rows = await connection.execute(
            sa.select(members.c.person_id).where(members.c.source == source).distinct()
        )
        person_ids = [person for (person,) in rows]
        await connection.execute(sa.delete(members).where(members.c.source == source))
        remaining: set[Key] = set()
        for chunk in in_chunks(person_ids):
            found = await connection.execute(
                sa.select(members.c.source, members.c.native_id).where(
                    members.c.person_id.in_(chunk)
                )
            )
            remaining.update((s, n) for s, n in found)
        await self._settle(connection, remaining, dropped=set(person_ids))

    # -- operators' links -------------------------------------------------------------------

    async def link(self, keys: Sequence[Key]) -> None:
        """These customers are one person (their earlier links are merged into this one)."""
        async with self._writing() as connection:
            link_ids: set[str] = set()
            for chunk in in_chunks(list(keys)):
                found = await connection.execute(
                    sa.select(links.c.link_id).where(_keyed(links, chunk))
                )
                link_ids.update(link for (link,) in found)
            linked: set[Key] = set(keys)
            for ids in in_chunks(sorted(link_ids)):
                found = await connection.execute(
                    sa.select(links.c.source, links.c.native_id).where(links.c.link_id.in_(ids))
                )
                linked.update((s, n) for s, n in found)
            link_id = new_person_id()
            await self._delete_keys(connection, links, sorted(linked))
            await connection.execute(
                sa.insert(links),
                [{"source": s, "native_id": n, "link_id": link_id} for s, n in sorted(linked)],
            )
            await self._settle(connection, linked)

    async def unlink(self, keys: Sequence[Key]) -> None:
        """Each of these customers leaves its person: no rule joins it to anyone any more, and
        its explicit links are dropped."""
        async with self._writing() as connection:
            before = await self._members_of_people_of(connection, keys)
            await self._delete_keys(connection, links, keys)
            insert = self._insert(detached)
            await connection.execute(
                insert.on_conflict_do_nothing(),
                [{"source": s, "native_id": n} for s, n in keys],
            )
            await self._settle(connection, before | set(keys))

    async def forget_customers(self, keys: Sequence[Key]) -> None:
        """Erased customers: their members (if a mirror write has not removed them yet), links
        and unlinks go."""
        async with self._writing() as connection:
            before, their_people = await self._people_of(connection, keys)
            await self._delete_keys(connection, members, keys)
            await self._delete_keys(connection, links, keys)
            await self._delete_keys(connection, detached, keys)
            await self._settle(connection, before - set(keys), dropped=their_people)

    # -- settling components ------------------------------------------------------------------

    async def _members_of_people_of(
        self, connection: AsyncConnection, keys: Iterable[Key]
    ) -> set[Key]:
        return (await self._people_of(connection, keys))[0]

    async def _people_of(
        self, connection: AsyncConnection, keys: Iterable[Key]
    ) -> tuple[set[Key], set[str]]:
        """The members of these customers' people, and those people's ids."""
        person_ids: set[str] = set()
        for chunk in in_chunks(list(keys)):
            found = await connection.execute(
                sa.select(members.c.person_id).where(_keyed(members, chunk))
            )
            person_ids.update(person for (person,) in found if person)
        result: set[Key] = set()
        for ids in in_chunks(sorted(person_ids)):
            found = await connection.execute(
                sa.select(members.c.source, members.c.native_id).where(members.c.person_id.in_(ids))
            )
            result.update((s, n) for s, n in found)
        return result, person_ids

    async def _settle(
        self, connection: AsyncConnection, seeds: set[Key], dropped: set[str] | None = None
    ) -> None:
        """Every component holding a seed, matched again; their people rows rewritten.

        One breadth-first walk from all seeds at once (a few queries per step, not per
        customer), then the components of what it reached, in memory."""
        closure, link_of = await self._closure(connection, seeds)
        keys = list(closure)
        position = {key: at for at, key in enumerate(keys)}
        parent = list(range(len(keys)))

        def find(item: int) -> int:
            while parent[item] != item:
                parent[item] = parent[parent[item]]
                item = parent[item]
            return item

        first_of: dict[tuple[str, str], int] = {}
        for at, key in enumerate(keys):
            _person, email, phone, loose = closure[key]
            values = [("l", link) for link in link_of.get(key, ())]
            if not loose:
                values += [("e", email)] if email is not None else []
                values += [("p", phone)] if phone is not None else []
            for value in values:
                earlier = first_of.setdefault(value, at)
                a, b = find(earlier), find(at)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        components: dict[int, dict[Key, str]] = {}
        for key in keys:
            components.setdefault(find(position[key]), {})[key] = closure[key][0]
        touched_people: set[str] = set(dropped or ())
        taken: set[str] = set()
        updates: list[dict[str, str]] = []
        for component in sorted(components.values(), key=len, reverse=True):
            current = Counter(person for person in component.values() if person)
            touched_people.update(current)
            chosen = next(
                (person for person, _ in current.most_common() if person not in taken), None
            )
            person_id = chosen or new_person_id()
            taken.add(person_id)
            touched_people.add(person_id)
            updates.extend(
                {"s": s, "n": n, "p": person_id}
                for (s, n), person in component.items()
                if person != person_id
            )
        if updates:
            await connection.execute(
                sa.update(members)
                .where(
                    members.c.source == sa.bindparam("s"),
                    members.c.native_id == sa.bindparam("n"),
                )
                .values(person_id=sa.bindparam("p")),
                updates,
            )
        await self._refresh_people(connection, touched_people)

    async def _closure(
        self, connection: AsyncConnection, seeds: set[Key]
    ) -> tuple[dict[Key, tuple[str, str | None, str | None, bool]], dict[Key, list[str]]]:
        """Every member connected to a seed (its row), and the explicit links among them."""
        closure: dict[Key, tuple[str, str | None, str | None, bool]] = {}
        link_of: dict[Key, list[str]] = {}
        frontier: set[Key] = set(seeds)
        seen_emails: set[str] = set()
        seen_phones: set[str] = set()
        seen_links: set[str] = set()
        while frontier:
            rows = await self._member_rows(connection, sorted(frontier))
            closure.update(rows)
            emails: set[str] = set()
            phones: set[str] = set()
            for _person, email, phone, loose in rows.values():
                if loose:
                    continue
                if email is not None and email not in seen_emails:
                    emails.add(email)
                if phone is not None and phone not in seen_phones:
                    phones.add(phone)
            seen_emails |= emails
            seen_phones |= phones
            found: set[Key] = set()
            for column, values in ((members.c.email_key, emails), (members.c.phone_key, phones)):
                for known in in_chunks(sorted(values)):
                    matched = await connection.execute(
                        sa.select(members.c.source, members.c.native_id).where(
                            column.in_(known), ~_is_detached()
                        )
                    )
                    found.update((s, n) for s, n in matched)
            new_links: set[str] = set()
            for chunk in in_chunks(sorted(rows)):
                linked_rows = await connection.execute(
                    sa.select(links.c.link_id).where(_keyed(links, chunk))
                )
                new_links.update(link for (link,) in linked_rows if link not in seen_links)
            seen_links |= new_links
            for ids in in_chunks(sorted(new_links)):
                linked_rows = await connection.execute(
                    sa.select(links.c.source, links.c.native_id, links.c.link_id).where(
                        links.c.link_id.in_(ids)
                    )
                )
                for source, native_id, link in linked_rows:
                    link_of.setdefault((source, native_id), []).append(link)
                    found.add((source, native_id))
            # A linked customer no longer mirrored has no row: asked once, then left out.
            frontier = found - closure.keys() - frontier
        return closure, link_of

    async def _member_rows(
        self, connection: AsyncConnection, keys: Sequence[Key]
    ) -> dict[Key, tuple[str, str | None, str | None, bool]]:
        result: dict[Key, tuple[str, str | None, str | None, bool]] = {}
        for chunk in in_chunks(list(keys)):
            rows = await connection.execute(
                sa.select(
                    members.c.source,
                    members.c.native_id,
                    members.c.person_id,
                    members.c.email_key,
                    members.c.phone_key,
                    _is_detached().label("loose"),
                ).where(_keyed(members, chunk))
            )
            for source, native_id, person, email, phone, loose in rows:
                result[(source, native_id)] = (person, email, phone, bool(loose))
        return result

    async def _refresh_people(self, connection: AsyncConnection, person_ids: set[str]) -> None:
        delta = 0
        for chunk in in_chunks(sorted(person_ids)):
            gone = await connection.execute(sa.delete(people).where(people.c.person_id.in_(chunk)))
            delta -= gone.rowcount
            made = await connection.execute(
                sa.insert(people).from_select(
                    ["person_id", "changed_key", "members"],
                    sa.select(
                        members.c.person_id,
                        sa.func.max(members.c.changed_key),
                        sa.func.count(),
                    )
                    .where(members.c.person_id.in_(chunk))
                    .group_by(members.c.person_id),
                )
            )
            delta += made.rowcount
        if delta:
            await self._count_people(connection, delta)

    async def _count_people(self, connection: AsyncConnection, delta: int | None) -> None:
        """The number of people, kept in `identity_config` (an unfiltered page's total without
        counting every person); `delta` None: counted afresh."""
        known = await connection.scalar(sa.select(config.c.value).where(config.c.key == "people"))
        if known is None or delta is None:
            total = int(
                await connection.scalar(sa.select(sa.func.count()).select_from(people)) or 0
            )
        else:
            total = int(known) + delta
        insert = self._insert(config)
        await connection.execute(
            insert.on_conflict_do_update(
                index_elements=[config.c.key], set_={"value": insert.excluded.value}
            ),
            {"key": "people", "value": str(total)},
        )

    async def _delete_members(self, connection: AsyncConnection, keys: Sequence[Key]) -> None:
        await self._delete_keys(connection, members, keys)

    @staticmethod
    async def _delete_keys(
        connection: AsyncConnection, table: sa.Table, keys: Sequence[Key]
    ) -> None:
        for chunk in in_chunks(list(keys)):
            await connection.execute(sa.delete(table).where(_keyed(table, chunk)))

    # -- full rebuild ---------------------------------------------------------------------------

    async def rebuild(self) -> int:
        """Match every mirrored customer from scratch (keeping people's ids where their customers
        stay together); returns the number of people."""
        async with self._writing() as connection:
            found = await self._rebuild(connection)
        async with self.engine.connect() as connection:
            # Fresh planner statistics after rewriting every row (which index a page walks).
            for table in (members, people):
                await connection.execute(sa.text(f"ANALYZE {table.name}"))
            await connection.commit()
        return found

    async def _rebuild(self, connection: AsyncConnection) -> int:
        # One pass over the mirror's rows (with each customer's person so far), columns kept as
        # flat lists: a million customers fit in a few hundred megabytes.
        sources: list[str] = []
        ids: list[str] = []
        emails: list[str | None] = []
        phones: list[str | None] = []
        changed: list[int] = []
        prior: list[str | None] = []
        countries = {
            source: self.match.country(source)
            for (source,) in await connection.execute(sa.select(customers.c.source).distinct())
        }
        interned = {source: source for source in countries}
        result = await connection.stream(
            sa.select(
                customers.c.source,
                customers.c.native_id,
                customers.c.email,
                customers.c.phone,
                customers.c.updated_key,
                customers.c.created_key,
                members.c.person_id,
            )
            .select_from(
                customers.outerjoin(
                    members,
                    sa.and_(
                        members.c.source == customers.c.source,
                        members.c.native_id == customers.c.native_id,
                    ),
                )
            )
            .execution_options(yield_per=10_000)
        )
        async for source, native_id, email, phone, updated, created, person in result:
            sources.append(interned[source])
            ids.append(native_id)
            emails.append(email_key(email))
            phones.append(phone_key(phone, countries[source]) if self.match.match_phone else None)
            moment = updated if updated != MISSING_TIME else created
            changed.append(moment if moment != MISSING_TIME else 0)
            prior.append(person or None)
        parent = list(range(len(ids)))

        def find(item: int) -> int:
            root = item
            while parent[root] != root:
                root = parent[root]
            while parent[item] != root:
                parent[item], item = root, parent[item]
            return root

        def union(first: int, second: int) -> None:
            a, b = find(first), find(second)
            if a != b:
                parent[max(a, b)] = min(a, b)

        loose = {
            (s, n)
            for s, n in await connection.execute(sa.select(detached.c.source, detached.c.native_id))
        }
        for values in (emails, phones):
            first_of: dict[str, int] = {}
            for at, value in enumerate(values):
                if value is None or (loose and (sources[at], ids[at]) in loose):
                    continue
                earlier = first_of.setdefault(value, at)
                if earlier != at:
                    union(earlier, at)
            del first_of
        link_rows = (await connection.execute(sa.select(links))).all()
        if link_rows:
            link_of = {(s, n): link for s, n, link in link_rows}
            linked: dict[str, int] = {}
            for at in range(len(ids)):
                link = link_of.get((sources[at], ids[at]))
                if link is None:
                    continue
                earlier = linked.setdefault(link, at)
                if earlier != at:
                    union(earlier, at)
        # Each component takes the id most of its customers had (the larger first).
        votes: dict[int, Counter[str]] = {}
        for at, person in enumerate(prior):
            if person is not None:
                votes.setdefault(find(at), Counter())[person] += 1
        del prior
        taken: set[str] = set()
        person_of_root: dict[int, str] = {}
        for root, counted in sorted(votes.items(), key=lambda item: -sum(item[1].values())):
            chosen = next((p for p, _ in counted.most_common() if p not in taken), None)
            if chosen is not None:
                person_of_root[root] = chosen
                taken.add(chosen)
        del votes
        await connection.execute(sa.delete(members))
        await connection.execute(sa.delete(people))
        batch: list[dict[str, Any]] = []
        for at in range(len(ids)):
            root = find(at)
            person_id = person_of_root.get(root)
            if person_id is None:
                person_id = person_of_root[root] = new_person_id()
            batch.append(
                {
                    "source": sources[at],
                    "native_id": ids[at],
                    "person_id": person_id,
                    "email_key": emails[at],
                    "phone_key": phones[at],
                    "changed_key": changed[at],
                }
            )
            if len(batch) >= 10_000:
                await connection.execute(sa.insert(members), batch)
                batch = []
        if batch:
            await connection.execute(sa.insert(members), batch)
        await connection.execute(
            sa.insert(people).from_select(
                ["person_id", "changed_key", "members"],
                sa.select(
                    members.c.person_id, sa.func.max(members.c.changed_key), sa.func.count()
                ).group_by(members.c.person_id),
            )
        )
        await self._count_people(connection, None)
        insert = self._insert(config)
        await connection.execute(
            insert.on_conflict_do_update(
                index_elements=[config.c.key], set_={"value": insert.excluded.value}
            ),
            {"key": "match", "value": self.match.fingerprint()},
        )
        return len(set(person_of_root.values()))

    async def record_settings(self) -> None:
        """The index matches with these settings from now on (an empty mirror: nothing to redo)."""
        async with self._writing() as connection:
            insert = self._insert(config)
            await connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[config.c.key], set_={"value": insert.excluded.value}
                ),
                {"key": "match", "value": self.match.fingerprint()},
            )

    async def forget_settings(self) -> None:
        async with self._writing() as connection:
            await connection.execute(sa.delete(config).where(config.c.key == "match"))

    # -- reads ----------------------------------------------------------------------------------

    async def person_of(self, keys: Sequence[Key]) -> dict[Key, str]:
        found: dict[Key, str] = {}
        async with self.engine.connect() as connection:
            for chunk in in_chunks(list(dict.fromkeys(keys))):
                rows = await connection.execute(
                    sa.select(members.c.source, members.c.native_id, members.c.person_id).where(
                        _keyed(members, chunk)
                    )
                )
                found.update(((s, n), p) for s, n, p in rows)
        return found

    async def members_of(self, person_ids: Sequence[str]) -> dict[str, list[Key]]:
        found: dict[str, list[Key]] = {person: [] for person in person_ids}
        async with self.engine.connect() as connection:
            for chunk in in_chunks(list(dict.fromkeys(person_ids))):
                rows = await connection.execute(
                    sa.select(members.c.person_id, members.c.source, members.c.native_id)
                    .where(members.c.person_id.in_(chunk))
                    .order_by(members.c.source, members.c.native_id)
                )
                for person, source, native_id in rows:
                    found[person].append((source, native_id))
        return found

    async def people_with_email(self, value: str) -> list[str]:
        key = email_key(value)
        if key is None:
            return []
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(members.c.person_id).where(members.c.email_key == key).distinct()
            )
            return sorted(person for (person,) in rows)

    async def records(self, keys: Sequence[Key]) -> dict[Key, CustomerRecord]:
        """The mirrored records of these customers (as the mirror keeps them)."""
        found: dict[Key, CustomerRecord] = {}
        async with self.engine.connect() as connection:
            for chunk in in_chunks(list(dict.fromkeys(keys))):
                rows = await connection.execute(
                    sa.select(customers.c.source, customers.c.native_id, customers.c.doc).where(
                        _keyed(customers, chunk)
                    )
                )
                found.update(((s, n), customer_from_doc(s, doc)) for s, n, doc in rows)
        return found

    async def people_page(
        self,
        selection: Sequence[SourceSelection],
        every_source: bool,
        *,
        descending: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[str], int]:
        """People with a customer the selection matches, newest change first (or last), with
        how many there are. `every_source`: the selection is every indexed source, unfiltered
        (then every person counts, without a join)."""
        order = (
            [people.c.changed_key.desc(), people.c.person_id.desc()]
            if descending
            else [people.c.changed_key.asc(), people.c.person_id.asc()]
        )
        page = sa.select(people.c.person_id)
        counted = sa.select(sa.func.count()).select_from(people)
        every = every_source and unfiltered(selection)
        kept = sa.select(config.c.value).where(config.c.key == "people")
        if not every:
            plain = [part.source for part in selection if not part.conditions]
            filtered = [part for part in selection if part.conditions]
            chosen: list[sa.ColumnElement[bool]] = []
            if plain:
                # A source without conditions: its members, without reading its customers (the
                # page walks people newest first and stops after `limit` of them).
                chosen.append(
                    sa.exists().where(
                        members.c.person_id == people.c.person_id, members.c.source.in_(plain)
                    )
                )
            if filtered:
                chosen.append(
                    people.c.person_id.in_(
                        sa.select(members.c.person_id)
                        .select_from(
                            customers.join(
                                members,
                                sa.and_(
                                    members.c.source == customers.c.source,
                                    members.c.native_id == customers.c.native_id,
                                ),
                            )
                        )
                        .where(where(self.dialect, filtered))
                    )
                )
            condition = sa.or_(*chosen) if chosen else sa.false()
            page = page.where(condition)
            if plain and not filtered:
                counted = sa.select(sa.func.count(sa.distinct(members.c.person_id))).where(
                    members.c.source.in_(plain)
                )
            else:
                counted = counted.where(condition)
        page = page.order_by(*order).offset(offset).limit(limit)
        async with self.engine.connect() as connection:
            ids = [person for (person,) in await connection.execute(page)]
            known = await connection.scalar(kept) if every else None
            total = int(known if known is not None else await connection.scalar(counted) or 0)
        return ids, total

    async def indexed_sources(self) -> set[str]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(sa.select(members.c.source).distinct())
            return {source for (source,) in rows}

    async def count_people(self) -> int:
        async with self.engine.connect() as connection:
            return int(await connection.scalar(sa.select(sa.func.count()).select_from(people)) or 0)


@asynccontextmanager
async def immediate(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.begin() as connection:
        await begin_writing(connection)
        yield connection


def _keyed(table: sa.Table, keys: Sequence[Key]) -> sa.ColumnElement[bool]:
    """Rows with these (source, native id) keys, as the primary key's index serves them: per
    source, `native_id IN (...)` (SQLite does not walk an index for a row-value IN list)."""
    by_source: dict[str, list[str]] = {}
    for source, native_id in keys:
        by_source.setdefault(source, []).append(native_id)
    return sa.or_(
        *(
            sa.and_(table.c.source == source, table.c.native_id.in_(ids))
            for source, ids in by_source.items()
        )
    )


def _is_detached() -> sa.ColumnElement[bool]:
    return sa.exists().where(
        detached.c.source == members.c.source, detached.c.native_id == members.c.native_id
    )


def subject_hash(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()
