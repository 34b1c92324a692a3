"""What the two Ecwid kinds can do themselves (shared/upstreams/README.md section 3)."""

from __future__ import annotations

from typing import Final

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.ecwid import mapping
from customer_gateway.connectors.models import (
    FilterField,
    Op,
    Pushdown,
    SortField,
    SyncStyle,
    Write,
)
from customer_gateway.connectors.resilience import RateLimit

PAGE_MAX: Final = 100  # `limit` maximum of every Ecwid list


_SUPERSET = Pushdown.SUPERSET


_FILTERS: Final = {
    (FilterField.KEYWORD, Op.EQ): _SUPERSET,
    (FilterField.FULL_NAME, Op.EQ): _SUPERSET,
    (FilterField.FULL_NAME, Op.LIKE): _SUPERSET,
    (FilterField.EMAIL, Op.EQ): _SUPERSET,
    (FilterField.EMAIL, Op.LIKE): _SUPERSET,
    (FilterField.GROUP, Op.EQ): Pushdown.EXACT,
    (FilterField.GROUP, Op.IN): Pushdown.EXACT,
    **{
        (field, op): _SUPERSET
        for field in (FilterField.CREATED_AT, FilterField.UPDATED_AT)
        for op in (Op.GT, Op.GTEQ, Op.LT, Op.LTEQ)
    },
}


_SORTS: Final = frozenset({SortField.CREATED_AT, SortField.STATUS})


# `status` takes 1 only (Ecwid has none); names and phone go to the billing person, the VAT
# number to `taxId`.
_WRITABLE: Final = frozenset(
    {
        "email",
        "fullName",
        "firstName",
        "lastName",
        "companyName",
        "vatNumber",
        "phone",
        "password",
        "status",
        "groupId",
        "groupIds",
    }
    | {f"address.{part}" for part in mapping.ADDRESS_PARTS}
)


_RATE_LIMITS: Final = {"default": RateLimit(requests=600, per_seconds=60)}


_NOTES: Final = (
    "600 requests per minute per token, paced by the gateway; at most 100 customers per request",
    "keyword, name and e-mail filters narrow at Ecwid and are re-checked by the gateway "
    "(Ecwid matches without regard to case); sorts by name and e-mail are the gateway's",
    "no status: every customer is enabled (1); create and update read the customer back",
)


CAPABILITIES: Final = Capabilities(
    filters=_FILTERS,
    sorts=_SORTS,
    max_page_size=PAGE_MAX,
    customer_writes=frozenset(Write),
    writable_fields=_WRITABLE,
    create_requires_name=False,  # `email` is the only required field (README 3.3)
    group_writes=frozenset(Write),
    changes=True,
    sync=SyncStyle.PAGING_FEED,
    rate_limits=_RATE_LIMITS,
    notes=(
        *_NOTES,
        "customer groups need a paid Ecwid plan; General (0) cannot be renamed or deleted",
        "deletions are reported for the last 180 days (Ecwid keeps its log 6 months)",
    ),
)


WRAPPER_CAPABILITIES: Final = Capabilities(
    filters=_FILTERS,
    sorts=_SORTS,
    max_page_size=PAGE_MAX,
    customer_writes=frozenset(Write),
    writable_fields=_WRITABLE,
    create_requires_name=False,  # `email` is the only required field (README 3.3)
    groups_from_customers=True,
    rate_limits=_RATE_LIMITS,
    notes=(
        *_NOTES,
        "the wrapper has no group routes and no deleted log: customer groups are the "
        "groups its customers are in (read from every customer), read-only, and there is "
        "no change feed",
    ),
)
