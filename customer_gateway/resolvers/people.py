"""People across sources: `people`, `person`, `Customer.person`, `linkCustomers`,
`unlinkCustomers` and `personDataExport`, over the identity index (customer_gateway/identity).

Only mirrored sources take part (the index is kept beside the mirror); a caller sees a person's
customers in the sources it may read, and a person none of whose customers it may read not at
all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiodataloader import DataLoader

from customer_gateway.connectors.errors import NotFound
from customer_gateway.connectors.models import CustomerRecord
from customer_gateway.core.context import GatewayContext, Info
from customer_gateway.core.errors import BadUserInput, ErrorCode, GatewayError
from customer_gateway.core.ids import global_id, parse_global_id
from customer_gateway.identity.index import IdentityIndex, Key
from customer_gateway.identity.profile import Profile, merge
from customer_gateway.mirror.query import SUPPORTED, SourceSelection
from customer_gateway.resolvers.customers import _candidates, request_filters
from customer_gateway.resolvers.filters.parsing import (
    FilterLike,
    IgnoredFilter,
)

MAX_IDS = 20  # customers one link or unlink names


@dataclass(frozen=True, slots=True)
class PersonView:
    """A person as one caller may see it: its customers in the caller's sources."""

    person_id: str
    records: tuple[CustomerRecord, ...]
    profile: Profile


def index_of(context: GatewayContext) -> IdentityIndex:
    if context.identity is None:
        raise GatewayError(
            "People need the mirror: set `mirror = true` on the sources and keep "
            "[identity] enabled",
            code=ErrorCode.UNSUPPORTED_OPERATION,
        )
    return context.identity


def mirrored_names(context: GatewayContext) -> set[str]:
    return {source.name for source in context.settings.sources if source.mirror}


def visible_names(context: GatewayContext) -> set[str]:
    return set(context.sources.names()) & mirrored_names(context)


async def views(context: GatewayContext, person_ids: Sequence[str]) -> list[PersonView | None]:
    index = index_of(context)
    visible = visible_names(context)
    members = await index.members_of(person_ids)
    wanted = [key for keys in members.values() for key in keys if key[0] in visible]
    records = await index.records(wanted)
    ranks = {name: at for at, name in enumerate(context.sources.names())}
    masters = context.settings.identity.masters
    result: list[PersonView | None] = []
    for person_id in person_ids:
        found = tuple(records[key] for key in members.get(person_id, []) if key in records)
        if not found:
            result.append(None)
            continue
        ordered = tuple(sorted(found, key=lambda r: (ranks.get(r.source, len(ranks)), r.id)))
        result.append(PersonView(person_id, ordered, merge(ordered, masters, ranks)))
    return result


async def person(info: Info, person_id: str) -> PersonView | None:
    if not person_id or len(person_id) > 40:
        return None
    return (await views(info.context, [person_id]))[0]


class PersonLoader:
    """`Customer.person` over a page: one index lookup and one profile read for all of its
    customers (aiodataloader batches the page's calls), per request."""

    def __init__(self, context: GatewayContext) -> None:
        self.context = context
        self.people = DataLoader(batch_load_fn=self._people)
        self.views = DataLoader(batch_load_fn=self._views)

    async def _people(self, keys: list[Key]) -> list[str | None]:
        found = await index_of(self.context).person_of(keys)
        return [found.get(key) for key in keys]

    async def _views(self, person_ids: list[str]) -> list[PersonView | None]:
        return await views(self.context, person_ids)

    async def person(self, source: str, native_id: str) -> PersonView | None:
        person_id = await self.people.load((source, native_id))
        if person_id is None:
            return None
        found: PersonView | None = await self.views.load(person_id)
        return found


async def person_of_customer(
    context: GatewayContext, source: str, native_id: str
) -> PersonView | None:
    if context.identity is None or source not in visible_names(context):
        return None
    if context.person_loader is None:
        context.person_loader = PersonLoader(context)
    loader: PersonLoader = context.person_loader
    return await loader.person(source, native_id)


async def person_by_email(context: GatewayContext, email: str) -> list[str]:
    return await index_of(context).people_with_email(email)


@dataclass(frozen=True, slots=True)
class PeoplePage:
    items: list[PersonView | None]
    total: int
    page: int
    echo: tuple[tuple[str, str, str], ...]


async def people(info: Info, filters: Sequence[FilterLike] | None) -> PeoplePage:
    context = info.context
    index = index_of(context)
    path = info.path.as_list()
    request = request_filters(context, filters or [])
    ignored = list(request.ignored)
    if request.sort_key is not None:
        ignored.append(
            IgnoredFilter("ob", "eq", request.sort_key, "people are ordered by their newest change")
        )
    context.report_ignored(path, ignored)
    visible = visible_names(context)
    selection: list[SourceSelection] = []
    for connector, conditions in _candidates(context, request):
        if connector.name not in visible:
            continue
        refused = sorted({c.field.value for c in conditions if (c.field, c.op) not in SUPPORTED})
        if refused:
            raise GatewayError(
                f"people are filtered in the mirror, which cannot apply {', '.join(refused)}",
                code=ErrorCode.UNSUPPORTED_OPERATION,
                field="filters",
            )
        selection.append(SourceSelection(connector.name, conditions))
    every = {part.source for part in selection} >= mirrored_names(context)
    ids, total = await index.people_page(
        selection,
        every,
        descending=request.descending is not False,
        offset=request.offset,
        limit=request.limit,
    )
    return PeoplePage(await views(context, ids), total, request.page, request.echo)


def _keys(context: GatewayContext, ids: Sequence[str], what: str) -> list[Key]:
    if not ids or len(ids) > MAX_IDS:
        raise BadUserInput(f"{what} takes 1 to {MAX_IDS} customer ids.", field="ids")
    visible = visible_names(context)
    keys: list[Key] = []
    for value in ids:
        parsed = parse_global_id(value)
        if parsed is None:
            raise BadUserInput("A customer id is '<source>:<native id>'.", field="ids")
        if parsed[0] not in visible:
            raise NotFound(
                f"No mirrored source you may read is named {parsed[0]!r}", source=parsed[0]
            )
        keys.append(parsed)
    return list(dict.fromkeys(keys))


async def _require_indexed(index: IdentityIndex, keys: Sequence[Key]) -> dict[Key, str]:
    found = await index.person_of(keys)
    for source, native_id in keys:
        if (source, native_id) not in found:
            raise NotFound(
                f"{global_id(source, native_id)} is not a mirrored customer", source=source
            )
    return found


async def link_customers(info: Info, ids: Sequence[str]) -> PersonView | None:
    context = info.context
    index = index_of(context)
    keys = _keys(context, ids, "linkCustomers")
    if len(keys) < 2:
        raise BadUserInput("linkCustomers needs two customers or more.", field="ids")
    await _require_indexed(index, keys)
    await index.link(keys)
    found = await index.person_of(keys[:1])
    return (await views(context, [found[keys[0]]]))[0]


async def unlink_customers(info: Info, ids: Sequence[str]) -> list[PersonView | None]:
    context = info.context
    index = index_of(context)
    keys = _keys(context, ids, "unlinkCustomers")
    await _require_indexed(index, keys)
    await index.unlink(keys)
    found = await index.person_of(keys)
    return await views(context, [found[key] for key in keys])


async def subject_people(
    context: GatewayContext, email: str | None, person_id: str | None
) -> list[str]:
    """The people an export or erasure is about: by e-mail (every person with that e-mail key:
    an unlink may have split one) or by id."""
    if (email is None) == (person_id is None):
        raise BadUserInput("Give exactly one of email or personId.", field="email")
    if email is not None:
        if len(email) > 320:
            raise BadUserInput("That is not an e-mail address.", field="email")
        return await person_by_email(context, email)
    assert person_id is not None
    if not person_id or len(person_id) > 40:
        return []
    members = await index_of(context).members_of([person_id])
    return [person_id] if members.get(person_id) else []


async def person_data_export(
    info: Info, email: str | None, person_id: str | None
) -> dict[str, Any] | None:
    """Art. 15/20: every source's data export of the person's customers, in one document. A
    source that fails is named with its error code; the others are still exported."""
    from customer_gateway.resolvers.data_export import export_document

    context = info.context
    person_ids = await subject_people(context, email, person_id)
    found = [view for view in await views(context, person_ids) if view is not None]
    if not found:
        return None

    async def one(record: CustomerRecord) -> dict[str, Any]:
        uuid = global_id(record.source, record.id)
        connector = context.sources.get(record.source)
        entry: dict[str, Any] = {"source": record.source, "customerId": uuid}
        if connector is None:
            return {**entry, "error": "NOT_FOUND"}
        entry["kind"] = connector.kind
        try:
            exported = await export_document(context, connector, record.id, uuid)
        except GatewayError as error:
            return {**entry, "error": error.code.value}
        if exported is None:
            return {**entry, "error": "NOT_FOUND"}
        native, not_held, document = exported
        return {**entry, "native": native, "notHeld": not_held, "document": document}

    records = [record for view in found for record in view.records]
    parts = await asyncio.gather(*(one(record) for record in records))
    return {
        "exportedAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "people": [
            {
                "personId": view.person_id,
                "profile": dict(view.profile.values),
                "customers": [global_id(r.source, r.id) for r in view.records],
            }
            for view in found
        ],
        "sources": list(parts),
    }
