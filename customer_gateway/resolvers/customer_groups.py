"""`customerGroup(id)` and `customerGroups(filters)`: every source's groups, merged and paged.

Groups are few per source (EverShop caps its list at 20), so each source's whole list is fetched
and the gateway filters, sorts and pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice

from customer_gateway.connectors.models import Condition, GroupRecord, Op
from customer_gateway.connectors.protocol import Connector
from customer_gateway.core.context import GatewayContext, Info
from customer_gateway.core.errors import BadUserInput, GatewayError, QueryTooComplex
from customer_gateway.core.ids import parse_global_id
from customer_gateway.resolvers.fanout import fan_out
from customer_gateway.resolvers.filters.evaluation import ilike
from customer_gateway.resolvers.filters.parsing import FilterLike, parse_group_filters
from customer_gateway.schema.common import Filter
from customer_gateway.schema.customer_group import CustomerGroup, CustomerGroupCollection


async def customer_group(info: Info, id: str | None) -> CustomerGroup | None:
    if id is None:
        return None
    parsed = parse_global_id(id)
    if parsed is None:
        raise BadUserInput(
            "A group id is '<source>:<native id>', as `CustomerGroup.uuid` gives it.", field="id"
        )
    source, native_id = parsed
    connector = info.context.sources.get(source)
    if connector is None:
        return None
    record = await info.context.loaders.groups.load(source, native_id)
    return CustomerGroup.from_record(record, connector.kind) if record else None


async def customer_groups(
    info: Info, filters: Sequence[FilterLike] | None
) -> CustomerGroupCollection | None:
    context = info.context
    request = parse_group_filters(
        filters or [],
        max_limit=context.settings.max_page_size,
        sources=context.sources.names(),
        strict=context.strict_filters,
    )
    context.report_ignored(info.path.as_list(), request.ignored)
    connectors = [c for c in context.sources if request.includes_source(c.name)]
    results = await fan_out(
        context,
        [(connector, _list_groups(context, connector)) for connector in connectors],
        info.path.as_list(),
    )
    if results is None:
        return None
    groups: list[tuple[GroupRecord, str]] = [
        (group, connector.kind)
        for connector in connectors
        for group in results.get(connector.name, ())
        if all(_matches(group, condition) for condition in request.conditions)
    ]
    if request.sort_key == "name":
        groups.sort(key=lambda item: item[0].name.casefold(), reverse=bool(request.descending))
    elif request.descending:
        groups.reverse()
    page = list(islice(groups, request.offset, request.offset + request.limit))
    return CustomerGroupCollection(
        items=[CustomerGroup.from_record(group, kind) for group, kind in page],
        current_page=request.page,
        total=len(groups),
        current_filters=[Filter(key=k, operation=o, value=v) for k, o, v in request.echo],
    )


async def _list_groups(context: GatewayContext, connector: Connector) -> Sequence[GroupRecord]:
    """A source's groups. A source without a group list of its own answers the groups its
    customers are in, which `extensions.sources[].notes` says; when that would read more
    customers than the gateway allows, the source is skipped, with a note, not failed: an
    unfiltered group list is a normal request and carries no error."""
    if not connector.capabilities.groups_from_customers:
        return await context.call(connector, connector.list_groups())
    outcome = context.outcome(connector)
    try:
        groups = await context.call(connector, connector.list_groups(), report=False)
    except QueryTooComplex as too_big:
        outcome.skipped = True
        outcome.notes.append(f"skipped: {too_big.message}")
        return []
    except GatewayError as error:
        context.report_error(connector, error)
        raise
    outcome.notes.append(
        f"{connector.kind} sources have no group list: these are the groups its customers "
        "are in (a group without customers is not listed)"
    )
    return groups


def _matches(group: GroupRecord, condition: Condition) -> bool:
    """The `name` filter (EverShop: group_name ILIKE %value%)."""
    if condition.op is Op.EQ:
        return group.name == condition.value
    matched = bool(ilike(group.name, f"%{condition.value}%"))
    return matched if condition.op is Op.LIKE else not matched
