"""`customer(id)` and `customers(filters)`: fan-out, pushdown, merged paging over every source."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from customer_gateway.connectors.errors import Unsupported
from customer_gateway.connectors.models import (
    OPTIONAL_READS,
    TEXT_SORTS,
    Condition,
    CustomerQuery,
    CustomerRecord,
    FilterField,
    Op,
    Page,
    Sort,
    SortField,
)
from customer_gateway.connectors.protocol import Connector
from customer_gateway.core.context import GatewayContext, Info
from customer_gateway.core.errors import BadUserInput, GatewayError, QueryTooComplex
from customer_gateway.core.ids import parse_global_id
from customer_gateway.resolvers.fanout import fan_out
from customer_gateway.resolvers.filters.evaluation import (
    FILTER_NEEDS,
    SORT_NEEDS,
    matches,
    sort_key,
)
from customer_gateway.resolvers.filters.parsing import (
    FilterLike,
    ListRequest,
    parse_customer_filters,
)
from customer_gateway.resolvers.loaders import GroupPrefetch, Unread
from customer_gateway.resolvers.merging import (
    Keyed,
    Stream,
    keyed,
    natural_id,
    page_of,
    settle_ties,
)
from customer_gateway.resolvers.mirrored import mirrored_page, one_store
from customer_gateway.resolvers.selection import record_attributes, selected_names
from customer_gateway.schema.common import Filter
from customer_gateway.schema.customer import Customer, CustomerCollection

# EverShop's own customer uuid, as its admin's edit page (`/admin/customers/edit/<uuid>`) sends it.
_EVERSHOP_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


async def customer(info: Info, id: str | None) -> Customer | None:
    if id is None:
        return None
    parsed = parse_global_id(id)
    if parsed is None:
        if _EVERSHOP_UUID.match(id):
            return await _bare_evershop_uuid(info, id)
        raise BadUserInput(
            "A customer id is '<source>:<native id>', as `Customer.uuid` gives it (or an "
            "EverShop source's bare uuid).",
            field="id",
        )
    source, native_id = parsed
    context = info.context
    connector = context.sources.get(source)
    if connector is None:
        return None
    record = await context.loaders.customers.load(source, native_id)
    return Customer.from_record(record, connector.kind) if record else None


async def _bare_evershop_uuid(info: Info, uuid: str) -> Customer | None:
    """The customer of the one EverShop source that holds `uuid`; null when none does.

    Every EverShop source the caller reaches is asked (one batched read each); a source that
    fails is reported as in any fan-out, and the others still answer.
    """
    context = info.context
    connectors = [c for c in context.sources if c.kind == "evershop"]
    results = await fan_out(
        context,
        [(c, context.loaders.customers.load(c.name, uuid)) for c in connectors],
        info.path.as_list(),
    )
    found = [(name, record) for name, record in (results or {}).items() if record is not None]
    if len(found) > 1:
        names = ", ".join(sorted(name for name, _ in found))
        raise BadUserInput(
            f"Several EverShop sources hold a customer with this uuid ({names}): "
            "ask for '<source>:<uuid>'.",
            field="id",
        )
    if not found:
        return None
    name, record = found[0]
    connector = context.sources.get(name)
    return Customer.from_record(record, connector.kind if connector else "evershop")


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one source takes part in a list request."""

    connector: Connector
    query: CustomerQuery
    local: tuple[Condition, ...]  # applied by the gateway to what the source returns
    paged_by_source: bool  # the source applied offset/limit itself (single-source pushdown)
    sorted_by_source: bool  # the source sorts in the merged order (sort and collation)
    collation: str  # the merged order's text collation
    # A condition the source cannot decide (a field it keeps but does not give): its error.
    refused: GatewayError | None = None
    # Tie groups of the source's order are settled within aligned chunks of this many rows
    # (its page cap); 0: each tie group whole (`_window`).
    chunk: int = 0


def request_filters(context: GatewayContext, filters: Sequence[FilterLike]) -> ListRequest:
    """A customer list's filters as this request reads them: the configured page cap, the
    configured sources, strict or lenient as the request asked."""
    return parse_customer_filters(
        filters,
        max_limit=context.settings.max_page_size,
        sources=context.sources.names(),
        strict=context.strict_filters,
    )


async def customers(info: Info, filters: Sequence[FilterLike] | None) -> CustomerCollection | None:
    context = info.context
    path = info.path.as_list()
    request = request_filters(context, filters or [])
    context.report_ignored(path, request.ignored)
    names = frozenset(selected_names(info.selected_fields[0].selections, ("items",)))
    wanted = record_attributes(names)
    merged = await merged_page(context, request, wanted, path)
    if merged is None:
        return None
    page = await merged.finish(merged.records)
    return CustomerCollection(
        items=[Customer.from_record(record, _kind(context, record), names) for record in page],
        current_page=request.page,
        total=merged.total,
        current_filters=[Filter(key=k, operation=o, value=v) for k, o, v in request.echo],
    )


@dataclass
class Merged:
    """One page of the merged order (`request`'s offset and limit), before its rows are
    completed: `finish` completes the rows shown (a source's failure costs only its own rows'
    unread fields) and settles the group names read alongside."""

    context: GatewayContext
    records: list[CustomerRecord]
    total: int
    sort: Sort
    collation: str
    wanted: frozenset[str]
    path: list[str | int]
    prefetch: GroupPrefetch | None = None

    async def finish(self, shown: list[CustomerRecord]) -> list[CustomerRecord]:
        page = await _complete(self.context, shown, self.wanted, settle_at=self.path)
        if self.prefetch is not None:
            await self.prefetch.settle(page)
        return page


async def merged_page(
    context: GatewayContext,
    request: ListRequest,
    wanted: frozenset[str],
    path: list[str | int],
    *,
    chunked_ties: bool = True,
) -> Merged | None:
    """Records `request.offset .. +limit` of every source's customers in one merged order, and
    their total; None when every source failed (their errors are reported). Of the rows the
    sources answer, only the page's are mapped to records (`merging.py`).

    `chunked_ties`: a source with a page cap settles its ties within aligned pages of that cap
    (`_window`); False: every tie group whole, by native id, so that the merged order is
    exactly (sort value, source, native id), as cursors seal it (`connection.py`)."""
    candidates = _candidates(context, request)
    sort = list_sort(request, [connector for connector, _ in candidates])
    collation = merge_collation([connector for connector, _ in candidates], sort)
    together = one_store(candidates, sort, collation)
    if together is not None:
        # Every source this request reaches is mirrored in one store: one query pages them all,
        # in the merged order (any page costs one index range, not a window per source).
        answer = await mirrored_page(context, together, request, sort, path, wanted)
        if answer is None:
            return None
        stored, total = answer
        return Merged(context, list(stored), total, sort, collation, wanted, path)
    plans = _plans(
        context, request, candidates, sort, collation, reads=wanted, chunked_ties=chunked_ties
    )
    by_list = [p.connector for p in plans if p.connector.capabilities.group_names_by_list]
    prefetch = GroupPrefetch(context, by_list if "groups" in wanted else [])
    page: list[CustomerRecord] = []
    standing: list[Stream] = []
    try:
        results = await fan_out(
            context, [(plan.connector, _run(context, plan, request)) for plan in plans], path
        )
        if results is not None:
            streams = [results[p.connector.name] for p in plans if p.connector.name in results]
            if len(plans) == 1 and plans[0].paged_by_source:
                window = slice(0, None)  # the source answered exactly the page
            else:
                window = slice(request.offset, request.offset + request.limit)
            # Only the page's rows are mapped; one that fails fails its source (`page_of`).
            page, standing = page_of(context, streams, window, path)
    except BaseException:
        await prefetch.settle([])
        raise
    if not standing:
        await prefetch.settle([])
        return None
    total = sum(stream.total for stream in standing)
    return Merged(context, page, total, sort, collation, wanted, path, prefetch)


def list_sort(request: ListRequest, connectors: Sequence[Connector]) -> Sort:
    """The requested sort; without `ob`, EverShop's own `customer_id DESC` when every source
    that takes part is an EverShop, else newest first (ids of different kinds do not compare)."""
    evershop_only = bool(connectors) and all(c.kind == "evershop" for c in connectors)
    return request.customer_sort(SortField.CUSTOMER_ID if evershop_only else SortField.CREATED_AT)


def merge_collation(connectors: Sequence[Connector], sort: Sort) -> str:
    """The collation of a merged text order: the one the sources that sort this field
    themselves share (else every source's, when none does). When they disagree: en_US, and a
    source in another collation is sorted by the gateway (read whole, up to `max_scan`)."""
    if sort.field not in TEXT_SORTS:
        return "en_US"  # no text compared
    sorting = {c.settings.collation for c in connectors if sort.field in c.capabilities.sorts}
    collations = sorting or {c.settings.collation for c in connectors}
    return next(iter(collations)) if len(collations) == 1 else "en_US"


def _sorts_itself(connector: Connector, sort: Sort, collation: str) -> bool:
    if sort.field not in connector.capabilities.sorts:
        return False
    return sort.field not in TEXT_SORTS or connector.settings.collation == collation


def _candidates(
    context: GatewayContext, request: ListRequest
) -> list[tuple[Connector, tuple[Condition, ...]]]:
    """The sources that take part, each with the conditions that concern it."""
    candidates: list[tuple[Connector, tuple[Condition, ...]]] = []
    for connector in context.sources:
        if not request.includes_source(connector.name):
            continue
        conditions: list[Condition] = []
        excluded = False
        for condition in request.conditions:
            if condition.field is FilterField.GROUP:
                # Group ids are per source: keep the ones that name groups of this source.
                group_ids = _group_ids(condition, connector.name)
                if not group_ids and condition.op in (Op.EQ, Op.IN):
                    excluded = True  # the wanted groups are all in other sources
                elif group_ids:
                    conditions.append(replace(condition, values=tuple(sorted(group_ids))))
                continue
            conditions.append(condition)
        if excluded:
            continue
        absent = sorted(
            {c.field.value for c in conditions if c.field in connector.capabilities.absent_fields}
        )
        if absent:
            # NULL matches no comparison: none of its customers can match, nothing is asked.
            outcome = context.outcome(connector)
            outcome.skipped = True
            outcome.notes.append(
                f"{connector.kind} sources keep no {', '.join(absent)}: no customer of it can match"
            )
            continue
        candidates.append((connector, tuple(conditions)))
    return candidates


def _plans(
    context: GatewayContext,
    request: ListRequest,
    candidates: Sequence[tuple[Connector, tuple[Condition, ...]]],
    sort: Sort,
    collation: str,
    *,
    reads: frozenset[str],
    chunked_ties: bool = True,
) -> list[_Plan]:
    """`reads`: the record attributes the page's rows will read (addresses and metadata are
    built only when read); `chunked_ties`: as `merged_page`."""
    single = len(candidates) == 1
    plans = []
    max_scan = context.settings.max_scan
    for connector, wanted in candidates:
        # The optional attributes the rows' fields, the filters (pushed ones too: a SUPERSET
        # pushdown is checked again here) and the sort read; the others need not be built.
        needs = reads.union((SORT_NEEDS[sort.field],), *(FILTER_NEEDS[c.field] for c in wanted))
        built: dict[str, Any] = {
            "include_addresses": "addresses" in reads,
            "include_metadata": "metadata" in reads,
            "reads": needs & OPTIONAL_READS,
        }
        capabilities = connector.capabilities
        unreadable = sorted(
            {c.field.value for c in wanted if c.field in capabilities.unreadable_fields}
        )
        if unreadable:
            refusal = Unsupported(
                f"{connector.kind} sources do not give the gateway {', '.join(unreadable)}: "
                "this filter cannot be decided for their customers",
                source=connector.name,
                field="filters",
            )
            plans.append(
                _Plan(connector, CustomerQuery(), (), False, False, collation, refused=refusal)
            )
            continue
        pushed, local = capabilities.split(wanted)
        sorts_itself = _sorts_itself(connector, sort, collation)
        _report(context, connector, pushed, local, sort, sorts_itself)
        if not local and sorts_itself:
            # A merge of several sources reads each row's key and maps only the rows the page
            # shows (bench/README.md: 4 sources of 50 merged into 50). One source's page shows
            # the rows it reads but the one after: its rows are mapped as they arrive, as
            # reading a row's key before its mapping would read its sort value twice.
            built["lazy_rows"] = not single
            if single and sort.field in capabilities.unique_sorts:
                query = CustomerQuery(pushed, sort, request.offset, request.limit, **built)
            else:
                window = request.offset + request.limit
                if window > max_scan:
                    raise QueryTooComplex(
                        f"Page {request.page} of {request.limit} needs the first {window} "
                        f"customers of each source; the limit is {max_scan}. Narrow the filters."
                    )
                query = CustomerQuery(pushed, sort, 0, window, **built)
            paged = single and sort.field in capabilities.unique_sorts
            chunk = (capabilities.max_page_size or 0) if chunked_ties else 0
            plans.append(_Plan(connector, query, (), paged, True, collation, chunk=chunk))
        else:
            # The gateway filters and sorts what comes back; a source ignores a sort it lacks.
            query = CustomerQuery(pushed, sort, 0, max_scan + 1, **built)
            plans.append(_Plan(connector, query, local, False, False, collation))
    return plans


def _report(
    context: GatewayContext,
    connector: Connector,
    pushed: tuple[Condition, ...],
    local: tuple[Condition, ...],
    sort: Sort,
    sorts_itself: bool,
) -> None:
    """Say in `extensions.sources` what the source did and what the gateway did for it."""
    outcome = context.outcome(connector)
    outcome.pushed_down = [f"{c.field.value} {c.op.value}" for c in pushed]
    outcome.applied_by_gateway = [f"{c.field.value} {c.op.value}" for c in local]
    sorted_by = f"sort {sort.field.value} {'desc' if sort.descending else 'asc'}"
    if sorts_itself:
        outcome.pushed_down.append(sorted_by)
    else:
        outcome.applied_by_gateway.append(sorted_by)


async def _run(context: GatewayContext, plan: _Plan, request: ListRequest) -> Stream:
    connector = plan.connector
    sort = plan.query.sort
    if plan.refused is not None:
        context.report_error(connector, plan.refused)
        raise plan.refused
    if plan.paged_by_source:
        result = await context.call(connector, connector.list_customers(plan.query))
        return Stream(connector, result.items, result.total)
    if not plan.local and plan.sorted_by_source:
        if plan.query.sort.field in connector.capabilities.unique_sorts:
            # A total order (no ties, or ties in a fixed order: a mirror's): any window of it
            # is a prefix of every other.
            result, keys = await context.call(
                connector, _keyed_list(connector, plan.query, plan.collation)
            )
            return Stream(connector, result.items, result.total, keys.keys)
        return await _window(context, plan, sort)
    result = await context.call(connector, connector.list_customers(plan.query))
    max_scan = context.settings.max_scan
    if result.total > max_scan or len(result.items) > max_scan:
        raise QueryTooComplex(
            f"{connector.name} cannot apply these filters or this sort itself, and the gateway "
            f"would have to read {result.total} of its customers (the limit is {max_scan}). "
            "Narrow the filters.",
            source=connector.name,
        )
    needed = frozenset({SORT_NEEDS[sort.field]}.union(*(FILTER_NEEDS[c.field] for c in plan.local)))
    lacking = [record for record in result.items if record.missing & needed]
    cap = context.settings.limits.max_requests_per_source
    if len(lacking) > cap:
        # Refuse before the first detail request, not half way through the source's limits.
        absent = sorted(needed.intersection(*(record.missing for record in lacking)))
        raise QueryTooComplex(
            f"{connector.name} lists no {', '.join(absent)}: this filter or sort needs "
            f"the detail of {len(lacking)} customers, more than the {cap} requests one operation "
            "may send. Filter by a field the source applies itself (e.g. email) or by source.",
            source=connector.name,
        )
    records = await _complete(context, list(result.items), needed)
    records = [r for r in records if all(matches(r, c) for c in plan.local)]
    key = sort_key(sort, plan.collation)
    ordered = sorted(
        (key(record), natural_id(record.id), place) for place, record in enumerate(records)
    )
    return Stream(
        connector,
        [records[place] for _, _, place in ordered],
        len(records),
        [record_key for record_key, _, _ in ordered],
    )


async def _keyed_list(
    connector: Connector, query: CustomerQuery, collation: str
) -> tuple[Page, Keyed]:
    """The list and its rows' keys (read as part of the source's call: a row whose key cannot
    be read fails the list, as its mapping did)."""
    result = await connector.list_customers(query)
    return result, keyed(result.items, query.sort, collation)


async def _window(context: GatewayContext, plan: _Plan, sort: Sort) -> Stream:
    """The source's first `limit` records in its own order, made deterministic.

    A database orders equal sort keys as it likes, differently for different LIMITs (Postgres's
    top-N sort does), so two windows may disagree on ties and pages would repeat or skip
    customers. The record after the window tells whether a tie group crosses its end; the
    window then grows until the group is whole, and each tie group is ordered by native id.
    Records with a smaller key are the same in every window, so every page sees one order.

    A source with a page cap (`plan.chunk`, Ecwid's 100) is read in aligned chunks of it, and
    tie groups are settled within each chunk: a group that straddles a multiple of the cap
    keeps the source's own split of its members between the two chunks. So a window never
    looks past the end of its last chunk (a page of 100 is one request, not two), and one that
    ends inside a tie group grows to that chunk's end only. This is exact as long as the source
    splits a tie group between consecutive requests without repeat or skip, which any window of
    more than one request already assumes (a window of 200 is the requests (0, 100) and
    (100, 100)), and answers the same aligned request the same way each time, which whole
    groups did not need: an edit between two pages that moves a straddling group's split (a
    database's scan order can follow a row's update) repeats or skips one of its members.
    Only the rows' keys are read here (`Rows`): the merge maps the rows it shows.
    """
    connector = plan.connector
    chunk = plan.chunk
    max_scan = context.settings.max_scan
    window = plan.query.limit or max_scan
    while True:
        # A window that ends where a chunk does shares no tie group with what follows it.
        closed = bool(chunk) and window % chunk == 0
        rows, keys, total, after = await _window_and_next(context, plan, window, not closed)
        count = min(len(keys.keys), window)
        if closed or after is None or count < window or after != keys.keys[window - 1]:
            break
        if window >= max_scan:
            raise QueryTooComplex(
                f"{connector.name} has more than {window} customers with equal sort values; "
                "sort by another field or narrow the filters.",
                source=connector.name,
            )
        # To the end of the window's last chunk (no further: the group is split there), else
        # twice the window.
        window = min(-(-window // chunk) * chunk if chunk else window * 2, max_scan)
    settled, order = settle_ties(keys, count, chunk)
    return Stream(connector, rows, total, settled, order)


async def _window_and_next(
    context: GatewayContext, plan: _Plan, window: int, look_ahead: bool = True
) -> tuple[Sequence[CustomerRecord], Keyed, int, Any]:
    """The list holding the first `window` rows (and maybe the one after), their keys, their
    total, and the key of the row after them (None: no more, or not `look_ahead`).

    The key at each position of a sorted list is the same whatever order ties take, so the
    row after the window may come from another request. It does when one more row would
    cost one more upstream page (a window of exactly 100 where the source pages by 100, which
    only a whole-tie-group window asks for: `chunked_ties=False`): then both requests go out at
    once instead of one after the other.
    """
    connector = plan.connector
    query = plan.query
    if not look_ahead:
        result, keys = await context.call(
            connector, _keyed_list(connector, replace(query, limit=window), plan.collation)
        )
        return result.items, keys, result.total, None
    page_max = connector.capabilities.max_page_size
    if not page_max or window % page_max:
        result, keys = await context.call(
            connector, _keyed_list(connector, replace(query, limit=window + 1), plan.collation)
        )
        after = keys.keys[window] if len(keys.keys) > window else None
        return result.items, keys, result.total, after
    answers = await asyncio.gather(
        context.call(
            connector, _keyed_list(connector, replace(query, limit=window), plan.collation)
        ),
        context.call(
            connector,
            _keyed_list(connector, replace(query, offset=window, limit=1), plan.collation),
        ),
        return_exceptions=True,
    )
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    (page, keys), (_, following) = cast(tuple[tuple[Page, Keyed], tuple[Page, Keyed]], answers)
    return page.items, keys, page.total, following.keys[0] if following.keys else None


async def _complete(
    context: GatewayContext,
    records: list[CustomerRecord],
    wanted: frozenset[str],
    *,
    settle_at: list[str | int] | None = None,
) -> list[CustomerRecord]:
    """Replace list summaries that lack a wanted field by the source's full record.

    A source's failure raises (the source fails in its fan-out), or with `settle_at` is reported
    there once and leaves that source's summaries as they are: what they lack answers null.
    """
    partial = [index for index, record in enumerate(records) if record.missing & wanted]
    if not partial:
        return records
    keys = [(records[index].source, records[index].id) for index in partial]
    loaded: Sequence[CustomerRecord | Unread | None]
    if settle_at is None:
        loaded = await context.loaders.customers.load_many(keys)
    else:
        loaded = await context.loaders.customers.settle_many(keys, settle_at)
    completed = list(records)
    for index, record in zip(partial, loaded, strict=True):
        if isinstance(record, CustomerRecord):
            completed[index] = record
    return completed


def _group_ids(condition: Condition, source: str) -> frozenset[str]:
    """The group filter's ids that name groups of `source`: `<source>:<id>` or a bare id."""
    ids = set()
    for value in condition.values:
        parsed = parse_global_id(value)
        if parsed is None:
            ids.add(value)
        elif parsed[0] == source:
            ids.add(parsed[1])
    return frozenset(ids)


def _kind(context: GatewayContext, record: CustomerRecord) -> str:
    connector = context.sources.get(record.source)
    return connector.kind if connector else "unknown"
