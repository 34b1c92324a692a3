"""One connector contract, every kind: what the resolvers rely on, checked against each
kind's emulator over HTTP. Parametrised over the registries: a new kind is tested here as soon
as it is registered.

The oracle is the kind's own complete, unfiltered list (details read for what a summary
lacks), filtered and sorted by the gateway's own evaluation (resolvers/filters/evaluation.py): so a
declared pushdown must give what the gateway would compute itself, exactly (EXACT) or as a
superset it then narrows (SUPERSET).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.defaults import ConnectorBase
from customer_gateway.connectors.errors import (
    NotFound,
    Unsupported,
    UpstreamError,
    UpstreamRateLimited,
)
from customer_gateway.connectors.models import (
    Condition,
    CustomerDraft,
    CustomerPatch,
    CustomerQuery,
    CustomerRecord,
    FilterField,
    GroupDraft,
    Op,
    Pushdown,
    Sort,
    SortField,
    SyncStyle,
    Write,
)
from customer_gateway.connectors.protocol import (
    OPTIONAL,
    ChangeFeed,
    DataExports,
    OrderHistory,
    Regions,
    Snapshots,
)
from customer_gateway.connectors.rows import Rows
from customer_gateway.core.errors import ErrorCode
from customer_gateway.mirror.handle import SourceMirror
from customer_gateway.mirror.source import mirrored_classes
from customer_gateway.resolvers.filters.evaluation import SORT_NEEDS, matches, sort_value
from tests.contract.entries import ENTRIES, Entry

pytestmark = pytest.mark.anyio

KINDS = sorted(ENTRIES)


async def oracle(connector: ConnectorBase) -> list[CustomerRecord]:
    """Every customer of the source, complete, in its default order."""
    page = await connector.list_customers(CustomerQuery(limit=None))
    records = list(page.items)
    assert len(records) == page.total
    partial = [index for index, record in enumerate(records) if record.missing]
    if partial:
        details = await connector.get_customers([records[index].id for index in partial])
        for index, detail in zip(partial, details, strict=True):
            assert detail is not None
            records[index] = detail
    return records


def ids(records: Sequence[CustomerRecord]) -> list[str]:
    return [record.id for record in records]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size", [5, 7])
async def test_pages_are_slices_of_the_whole_list(kind: str, size: int) -> None:
    """Page k holds the records the whole list holds at k (ties in any order among themselves),
    and the pages together hold every record once."""
    entry = ENTRIES[kind]
    async with entry.connect(entry.emulator()) as connector:
        everything = list((await connector.list_customers(CustomerQuery(limit=None))).items)
        field = CustomerQuery().sort.field
        seen: list[str] = []
        for offset in range(0, len(everything), size):
            page = await connector.list_customers(CustomerQuery(offset=offset, limit=size))
            assert page.total == len(everything)
            expected = everything[offset : offset + size]
            assert Counter(sort_value(r, field) for r in page.items) == Counter(
                sort_value(r, field) for r in expected
            ), offset
            seen.extend(ids(page.items))
    assert len(everything) >= size
    assert sorted(seen) == sorted(ids(everything)), "a page repeated or skipped a record"


def _value_for(field: FilterField, op: Op, records: Sequence[CustomerRecord]) -> tuple[str, ...]:
    """A filter value some records match and others do not, taken from the data."""

    def some(attribute: str) -> list[str]:
        values = [getattr(r, attribute) for r in records if getattr(r, attribute)]
        assert values, f"no record has a {attribute} to filter on"
        return values

    if field is FilterField.STATUS:
        return ("1",)
    if field is FilterField.GROUP:
        groups = sorted({ref.id for record in records for ref in record.groups})
        assert groups, "no record is in a group to filter on"
        return tuple(groups[:2]) if op in (Op.IN, Op.NIN) else (groups[0],)
    if field in (FilterField.CREATED_AT, FilterField.UPDATED_AT):
        # The middle time, in the form the filter parser gives connectors (ISO 8601, UTC).
        moments: list[datetime] = sorted(
            getattr(r, field.value) for r in records if getattr(r, field.value)
        )
        assert moments, f"no record has a {field.value} to filter on"
        return (moments[len(moments) // 2].astimezone(UTC).isoformat(),)
    attribute = {
        FilterField.KEYWORD: "full_name",
        FilterField.EMAIL: "email",
        FilterField.FULL_NAME: "full_name",
        FilterField.PHONE: "phone",
        FilterField.VAT_NUMBER: "vat_number",
        FilterField.COMPANY_NAME: "company_name",
        FilterField.EXTERNAL_ID: "external_id",
    }.get(field)
    if attribute is None:
        raise AssertionError(f"the contract suite has no value for {field}: add one here")
    values = some(attribute)
    chosen = values[len(values) // 2]
    if field is FilterField.KEYWORD:
        return (chosen.split()[-1][:4].lower(),)
    if op in (Op.LIKE, Op.NLIKE):
        middle = chosen[1:5]
        return (f"%{middle}%",) if field is FilterField.EMAIL else (middle,)
    if op in (Op.IN, Op.NIN):
        return tuple(values[:2])
    return (chosen,)


def _pushdowns() -> list[tuple[str, FilterField, Op, Pushdown]]:
    return [
        (kind, field, op, how)
        for kind in KINDS
        for (field, op), how in sorted(
            ENTRIES[kind].connector.capabilities.filters.items(),
            key=lambda item: (item[0][0].value, item[0][1].value),
        )
    ]


@pytest.mark.parametrize(
    ("kind", "field", "op", "how"),
    _pushdowns(),
    ids=[f"{k}-{f.value}-{o.value}" for k, f, o, _ in _pushdowns()],
)
async def test_every_declared_pushdown_gives_what_the_gateway_would(
    kind: str, field: FilterField, op: Op, how: Pushdown
) -> None:
    entry = ENTRIES[kind]
    emulator = entry.emulator()
    async with entry.connect(emulator) as connector:
        records = await oracle(connector)
        if field is FilterField.STORE:
            condition, expected = _store_oracle(kind, emulator)
        else:
            condition = Condition(field, op, _value_for(field, op, records))
            expected = {record.id for record in records if matches(record, condition)}
        assert expected, f"{condition} matches nothing: the test would prove nothing"
        found = await connector.list_customers(CustomerQuery(conditions=(condition,), limit=None))
    got = set(ids(found.items))
    assert len(got) == len(found.items), "a record came twice"
    if how is Pushdown.EXACT:
        assert got == expected, condition
    else:
        assert got >= expected, condition


def _store_oracle(kind: str, emulator: Any) -> tuple[Condition, set[str]]:
    """A store's customers: only the source can tell (the gateway cannot evaluate `store`), so
    the oracle is the emulator's own rule. Flow Retail, the one kind with stores: a customer
    of its default store or of a store it visited (README "What rests on assumptions")."""
    assert kind == "flow_retail", f"{kind} declares a store filter: add its oracle here"
    tenant = emulator.connector_credentials()["tenant"]
    store = emulator.store_objects(tenant)[0]["storeUid"]
    state = emulator.tenants[tenant]
    expected = {
        customer["customerUid"]
        for customer in emulator.customer_objects(tenant)
        if customer["defaultStoreUid"] == store
        or store in state.visited_stores(customer["customerUid"])
    }
    return Condition(FilterField.STORE, Op.EQ, (store,)), expected


def _sorts() -> list[tuple[str, SortField]]:
    return [
        (kind, field)
        for kind in KINDS
        for field in sorted(ENTRIES[kind].connector.capabilities.sorts, key=lambda f: f.value)
    ]


@pytest.mark.parametrize(("kind", "field"), _sorts(), ids=[f"{k}-{f.value}" for k, f in _sorts()])
@pytest.mark.parametrize("descending", [False, True])
async def test_every_declared_sort_orders_as_the_gateway_merges(
    kind: str, field: SortField, descending: bool
) -> None:
    entry = ENTRIES[kind]
    async with entry.connect(entry.emulator()) as connector:
        page = await connector.list_customers(
            CustomerQuery(sort=Sort(field, descending), limit=None)
        )
    values = [sort_value(record, field) for record in page.items]
    assert values == sorted(values, reverse=descending)


@pytest.mark.parametrize(("kind", "field"), _sorts(), ids=[f"{k}-{f.value}" for k, f in _sorts()])
@pytest.mark.parametrize("descending", [False, True])
async def test_rows_read_on_demand_are_the_records_and_keyed_as_they_hold(
    kind: str, field: SortField, descending: bool
) -> None:
    """A merge asks for rows it maps only when it shows them (`lazy_rows`): the page holds the
    same records as the eager page, and a row's key (read without mapping it) is its record's
    native id and the value the sort reads, or the merge would order rows by another value than
    their records show."""
    entry = ENTRIES[kind]
    query = CustomerQuery(sort=Sort(field, descending), limit=None)
    async with entry.connect(entry.emulator()) as connector:
        eager = list((await connector.list_customers(query)).items)
        lazy = (await connector.list_customers(replace(query, lazy_rows=True))).items
        # Optional for a kind (its rows are then mapped as they arrive); these key every sort
        # they declare, or a merge over them would map every row it reads.
        assert isinstance(lazy, Rows) or kind not in {
            "evershop",
            "flow_retail",
            "ecwid",
            "ecwid_wrapper",
        }
        if isinstance(lazy, Rows):
            assert lazy.sort_field is field
            keys = lazy.key_list()
            attribute = SORT_NEEDS[field]
            assert keys == [(record.id, getattr(record, attribute)) for record in eager]
            types = [
                (type(value), type(getattr(r, attribute)))
                for (_, value), r in zip(keys, eager, strict=True)
            ]
            assert all(mine is theirs for mine, theirs in types)
        # Keyed first (as a merge does), each row is mapped with the creation time its key
        # read; a page nobody keyed maps rows that read it themselves: the same records.
        assert list(lazy) == eager
        unkeyed = (await connector.list_customers(replace(query, lazy_rows=True))).items
        assert list(unkeyed) == eager
    assert eager, "an empty list proves nothing"


# Ids no source has: a path in disguise, a space. Answered locally, never sent.
MALFORMED_IDS = ("../groups", "a b")


@pytest.mark.parametrize("kind", KINDS)
async def test_get_many_is_aligned_with_the_ids_asked(kind: str) -> None:
    entry = ENTRIES[kind]
    emulator = entry.emulator()
    async with entry.connect(emulator) as connector:
        records = await oracle(connector)
        known = [records[0].id, records[-1].id]
        unknown = _unknown_id(known[0], {record.id for record in records})
        emulator.reset_journal()
        found = await connector.get_customers([known[0], unknown, known[1], *MALFORMED_IDS])
    got = [record.id if record else None for record in found]
    assert got == [known[0], None, known[1], None, None]
    assert all(not record.missing for record in found if record is not None)
    assert not [e.path for e in emulator.journal if "groups" in e.path or " " in e.path]


def _unknown_id(like: str, taken: set[str]) -> str:
    """An id of the same shape as `like` that the source does not have."""
    for digit in "0123456789":
        candidate = like[:-1] + digit
        if candidate not in taken:
            return candidate
    raise AssertionError("no free id")


@pytest.mark.parametrize("kind", KINDS)
async def test_declared_writes_land_and_undeclared_ones_are_unsupported(kind: str) -> None:
    entry = ENTRIES[kind]
    capabilities = entry.connector.capabilities
    writes = capabilities.customer_writes
    emulator = entry.emulator()
    async with entry.connect(emulator) as connector:
        existing = (await oracle(connector))[0]
        draft = CustomerDraft(
            email=f"contract.{kind}@example.com",
            full_name="Contract Tester",
            password="secret-99" if capabilities.create_requires_password else None,
        )
        if Write.CREATE in writes:
            created = await connector.create_customer(draft)
            assert created.email == draft.email
            target = created.id
        else:
            with pytest.raises(Unsupported):
                await connector.create_customer(draft)
            target = existing.id
        if Write.UPDATE in writes:
            updated = await connector.update_customer(
                target, CustomerPatch(full_name="Renamed Tester")
            )
            assert updated.full_name == "Renamed Tester"
            [again] = await connector.get_customers([target])
            assert again is not None
            assert again.full_name == "Renamed Tester"
        else:
            with pytest.raises(Unsupported):
                await connector.update_customer(target, CustomerPatch(full_name="Renamed Tester"))
        if Write.DELETE in writes:
            await connector.delete_customer(target)
            assert await connector.get_customers([target]) == [None]
            with pytest.raises(NotFound):  # gone: the source says so, typed
                await connector.delete_customer(target)
            emulator.reset_journal()
            for malformed in MALFORMED_IDS:
                with pytest.raises(NotFound):
                    await connector.delete_customer(malformed)
            assert emulator.journal == [], "a malformed id was sent"
        else:
            with pytest.raises(Unsupported):
                await connector.delete_customer(target)


# The optional protocols a `Capabilities` flag announces: flag and protocol must agree.
FLAGGED: dict[Any, Callable[[Capabilities], bool]] = {
    Regions: lambda capabilities: capabilities.regions,
    ChangeFeed: lambda capabilities: capabilities.changes,
    Snapshots: lambda capabilities: capabilities.sync is SyncStyle.SNAPSHOT_FEED,
    DataExports: lambda capabilities: capabilities.native_data_export,
}


@pytest.mark.parametrize("kind", KINDS)
async def test_capability_flags_match_what_the_connector_does(kind: str) -> None:
    """A flag is set exactly where the connector has the optional protocol, and the operation
    then works; an undeclared group write is a typed Unsupported: never an empty answer
    standing for "cannot"."""
    entry = ENTRIES[kind]
    capabilities = entry.connector.capabilities
    async with entry.connect(entry.emulator()) as connector:
        for protocol, flag in FLAGGED.items():
            assert isinstance(connector, protocol) is flag(capabilities), protocol.__name__
        customer = (await oracle(connector))[0]
        since = datetime.now(UTC) - timedelta(days=1)
        if isinstance(connector, Regions):
            assert all(region.source == "contract" for region in await connector.list_regions())
        if isinstance(connector, ChangeFeed):
            await connector.list_changes(since, None, 0, 5)
        if isinstance(connector, DataExports):
            assert await connector.data_export(customer.id) is not None
        if isinstance(connector, OrderHistory):
            assert list(await connector.list_orders(customer.id)) is not None
        group = connector.create_group(GroupDraft(name=f"Contract {kind}"))
        if Write.CREATE in capabilities.group_writes:
            await group
        else:
            with pytest.raises(Unsupported):  # not declared: it must not answer
                await group


def test_optional_operations_are_no_stubs_on_the_base() -> None:
    """ConnectorBase has none of the optional protocols' operations: a kind has one only by
    implementing it (and the resolvers check for it)."""
    for protocol in OPTIONAL:
        own = {name for name in vars(protocol) if not name.startswith("_")}
        assert own, protocol.__name__
        assert not own & set(dir(ConnectorBase)), protocol.__name__


@pytest.mark.parametrize("kind", KINDS)
async def test_a_mirror_has_the_optional_protocols_of_its_source(kind: str) -> None:
    entry = ENTRIES[kind]
    async with entry.connect(entry.emulator()) as connector:
        for wrapper in mirrored_classes(connector):
            wrapped = wrapper(connector, cast(SourceMirror, None))
            for protocol in OPTIONAL:
                assert isinstance(wrapped, protocol) is isinstance(connector, protocol), (
                    wrapper.__name__,
                    protocol.__name__,
                )


FAULTS: list[tuple[str, dict[str, Any], ErrorCode]] = [
    ("status", {"status": 401}, ErrorCode.UPSTREAM_AUTH_FAILED),
    ("status", {"status": 429}, ErrorCode.UPSTREAM_RATE_LIMITED),
    ("status", {"status": 502}, ErrorCode.UPSTREAM_UNAVAILABLE),
    ("status", {"status": 503}, ErrorCode.UPSTREAM_UNAVAILABLE),
    ("reset", {}, ErrorCode.UPSTREAM_UNAVAILABLE),
    ("malformed", {}, ErrorCode.UPSTREAM_BAD_RESPONSE),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("fault", "options", "code"), FAULTS, ids=[f"{f}-{o.get('status', '')}" for f, o, _ in FAULTS]
)
async def test_upstream_failures_map_to_typed_errors_without_secrets(
    kind: str, fault: str, options: dict[str, Any], code: ErrorCode
) -> None:
    entry = ENTRIES[kind]
    emulator = entry.emulator()
    async with entry.connect(emulator) as connector:
        # Account ids the API puts in its paths (a Flow tenant, an Ecwid store id) are no secret;
        # every other credential is.
        accounts = set(connector.path_placeholders())
        secrets = [
            value
            for value in emulator.connector_credentials().values()
            if len(value) >= 4 and value not in accounts
        ]
        emulator.faults.add(fault, times=None, **options)  # type: ignore[arg-type]
        with pytest.raises(UpstreamError) as raised:
            await connector.list_customers(CustomerQuery(limit=5))
    error = raised.value
    assert error.code is code, (error.code, error.message)
    assert error.source == "contract"
    shown = f"{error} {error.message} {error.extensions}"
    for secret in secrets:
        assert secret not in shown
    for request in emulator.journal:  # credentials travel in headers or bodies, never in URLs
        for secret in secrets:
            assert secret not in request.path + request.query


@pytest.mark.parametrize("kind", KINDS)
async def test_a_429_pauses_that_class_of_calls_without_sending_them(kind: str) -> None:
    """Retry-After longer than the deadline: the call is a typed rate limit with retryAfter,
    and the next call of the class waits locally (refused at once: no request goes out)."""
    entry = ENTRIES[kind]
    emulator = entry.emulator()
    async with entry.connect(emulator, retries=2) as connector:
        await oracle(connector)  # logged in where the kind logs in
        emulator.reset_journal()
        emulator.faults.add("rate_limit", seconds=30, times=None)
        with pytest.raises(UpstreamRateLimited) as limited:
            await connector.list_customers(CustomerQuery(limit=5))
        with pytest.raises(UpstreamRateLimited):
            await connector.list_customers(CustomerQuery(limit=5))
    assert (limited.value.retry_after, limited.value.http_status) == (30.0, 429)
    assert len(emulator.journal) == 1


def test_every_registered_kind_is_in_the_suite() -> None:
    from customer_gateway.connectors.registry import CONNECTORS

    assert set(KINDS) == set(CONNECTORS)
    assert all(isinstance(entry, Entry) for entry in ENTRIES.values())
