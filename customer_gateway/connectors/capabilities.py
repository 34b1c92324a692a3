"""What a source can do itself: the one object resolvers, docs and tests read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from customer_gateway.connectors.models import (
    Condition,
    FilterField,
    Op,
    Pushdown,
    SortField,
    SyncStyle,
    Write,
)
from customer_gateway.connectors.resilience import (
    RateLimit,
)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a source can do itself. Resolvers, docs and tests read this one object."""

    filters: Mapping[tuple[FilterField, Op], Pushdown] = field(default_factory=dict)
    sorts: frozenset[SortField] = frozenset()
    # Sorts by a key the source keeps unique (no ties): it can page them itself exactly.
    unique_sorts: frozenset[SortField] = frozenset()
    max_page_size: int | None = None  # None: the source has no cap
    detail_fields: frozenset[str] = frozenset()  # fields a list omits; get_customers has them
    customer_writes: frozenset[Write] = frozenset()
    # Mutation input fields (GraphQL names) the source stores; others are refused by name.
    writable_fields: frozenset[str] = frozenset({"email", "fullName", "status", "groupId"})
    multi_group: bool = False  # customers may be in several groups at once
    # Customers name their groups by id only: the names come from `list_groups`, which a page
    # that shows group names then asks for alongside the customer list, not after it.
    group_names_by_list: bool = False
    group_writes: frozenset[Write] = frozenset()
    # No group list of its own: `list_groups` gathers the groups its customers are in (a group
    # without customers is missing), reading every customer; `customerGroups` says so.
    groups_from_customers: bool = False
    # Filters the source applies correctly only when sent alone (EverShop's keyword ORs its way
    # past the other conditions); combined with others, only this one is sent.
    push_alone: frozenset[FilterField] = frozenset()
    # Filters sent by another request than the others (Flow Retail's external id is a list
    # parameter, its other filters a search body): pushed when they are the only pushable
    # condition; combined with others, the others are pushed and the gateway applies these.
    push_apart: frozenset[FilterField] = frozenset()
    # Fields the source does not keep: no customer of it can match a condition on them (NULL
    # matches no comparison), so a request with one leaves the source out, with a note.
    absent_fields: frozenset[FilterField] = frozenset({FilterField.EXTERNAL_ID, FilterField.STORE})
    # Fields the source keeps but does not give the gateway (EverShop's GraphQL has no
    # updated_at): a condition on them cannot be decided, an UNSUPPORTED_OPERATION error.
    unreadable_fields: frozenset[FilterField] = frozenset()
    # The source applies only the first condition on a field and ignores the others (EverShop):
    # those are applied by the gateway.
    one_per_field: bool = False
    regions: bool = False
    changes: bool = False  # a change feed (`list_changes`)
    native_batch: bool = False  # one request for many writes (`batch`)
    native_data_export: bool = False  # a GDPR export of its own (`data_export`)
    # How a local mirror is filled and kept: `sync_page` (and `start_snapshot`), `list_changes`.
    sync: SyncStyle = SyncStyle.RECONCILE
    create_requires_password: bool = False
    create_requires_name: bool = True  # a create needs fullName (or firstName + lastName)
    # Requests in flight to this source at once, over the whole gateway (Shoptet allows 3 per
    # token and answers 429 to a 4th); None: the source's `max_connections`.
    max_concurrency: int | None = None
    # Published limits by request class (`ConnectorBase.rate_class` says which applies).
    rate_limits: Mapping[str, RateLimit] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # limits and quirks, shown by the `sources` query

    def pushdown(self, condition: Condition) -> Pushdown | None:
        return self.filters.get((condition.field, condition.op))

    def split(
        self, conditions: Sequence[Condition]
    ) -> tuple[tuple[Condition, ...], tuple[Condition, ...]]:
        """(sent to the source, applied by the gateway to what comes back)."""
        pushable = [c for c in conditions if self.pushdown(c) is not None]
        if self.one_per_field:
            fields: set[FilterField] = set()
            firsts = []
            for condition in pushable:
                if condition.field not in fields:
                    fields.add(condition.field)
                    firsts.append(condition)
            pushable = firsts
        alone = [c for c in pushable if c.field in self.push_alone]
        if alone and len(pushable) > 1:
            pushable = alone[:1]
        apart = [c for c in pushable if c.field in self.push_apart]
        if apart and len(pushable) > 1:
            rest = [c for c in pushable if c.field not in self.push_apart]
            pushable = rest or apart[:1]
        local = tuple(
            c for c in conditions if c not in pushable or self.pushdown(c) is Pushdown.SUPERSET
        )
        return tuple(pushable), local
