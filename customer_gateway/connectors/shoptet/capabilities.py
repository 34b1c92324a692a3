"""What a Shoptet source can do itself (shared/upstreams/README.md section 1)."""

from __future__ import annotations

from typing import Final

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.models import (
    FilterField,
    Op,
    Pushdown,
    SyncStyle,
    Write,
)
from customer_gateway.connectors.resilience import RateLimit
from customer_gateway.connectors.shoptet import mapping

LIST_PAGE_MAX = 1000  # GET /api/customers itemsPerPage maximum


CAPABILITIES: Final = Capabilities(
    # Shoptet's e-mail match is case-insensitive and its phone match ignores formatting;
    # the gateway's eq is exact, so it narrows and the gateway re-checks.
    filters={
        (FilterField.EMAIL, Op.EQ): Pushdown.SUPERSET,
        (FilterField.PHONE, Op.EQ): Pushdown.SUPERSET,
    },
    sorts=frozenset(),  # the list order is undocumented
    max_page_size=LIST_PAGE_MAX,
    detail_fields=mapping.SUMMARY_MISSING,
    customer_writes=frozenset(Write),
    writable_fields=frozenset(
        {"email", "fullName", "phone", "status", "groupId", "companyName", "vatNumber"}
        | {f"address.{part}" for part in mapping.ADDRESS_PARTS}
    ),
    create_requires_name=False,  # only `account.email` is required (README 1.7)
    group_writes=frozenset(Write),
    regions=True,
    changes=True,
    sync=SyncStyle.SNAPSHOT_FEED,
    max_concurrency=3,
    # A leaky bucket of 200 drops draining 10 per second per token (README 1.3); the cost of
    # a request is not published: each counts one drop here, and the fill level Shoptet
    # reports on every answer corrects the count.
    rate_limits={"bucket": RateLimit(requests=200, drain_per_second=10.0)},
    notes=(
        "at most 3 requests in flight per token; a leaky bucket of 200 drains 10 per second",
        "lists carry no e-mail, group or status: a query that needs them reads each "
        "customer's detail",
        "no sorting and no text search: lists with other sorts or filters are read whole",
        "no passwords (logins are Shoptet's); groups are assigned by code: a group without "
        "one can be chosen on create only (Shoptet files such a customer in its default "
        "group)",
        "lists carry no VAT id: a vat_number filter reads each customer's detail",
    ),
)
