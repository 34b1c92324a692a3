"""What an EverShop source can do itself (shared/upstreams/README.md section 4)."""

from __future__ import annotations

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.models import FilterField, Op, Pushdown, SortField, Write
from customer_gateway.connectors.resilience import RateLimit

_EXACT = Pushdown.EXACT

CAPABILITIES = Capabilities(
    filters={
        (FilterField.KEYWORD, Op.EQ): _EXACT,
        (FilterField.FULL_NAME, Op.LIKE): _EXACT,
        (FilterField.FULL_NAME, Op.NLIKE): _EXACT,
        (FilterField.EMAIL, Op.EQ): _EXACT,
        (FilterField.EMAIL, Op.LIKE): _EXACT,
        (FilterField.EMAIL, Op.NLIKE): _EXACT,
        (FilterField.STATUS, Op.EQ): _EXACT,
    },
    sorts=frozenset(SortField),
    # EMAIL_UNIQUE, and the primary key
    unique_sorts=frozenset({SortField.EMAIL, SortField.CUSTOMER_ID}),
    # Its keyword filter is `full_name ILIKE … OR email ILIKE …` added without parentheses:
    # a name match escapes every other condition.
    push_alone=frozenset({FilterField.KEYWORD}),
    # No company column; `updated_at` is a column its GraphQL does not expose (README 4.6).
    absent_fields=frozenset({FilterField.EXTERNAL_ID, FilterField.STORE, FilterField.COMPANY_NAME}),
    unreadable_fields=frozenset({FilterField.UPDATED_AT}),
    # CustomerCollection applies the first filter of each key only (`filters.find`).
    one_per_field=True,
    customer_writes=frozenset(Write),
    writable_fields=frozenset({"email", "fullName", "password", "status", "groupId"}),
    create_requires_password=True,
    # Per client IP, hard-coded in EverShop 2.2 (README 4.3): the gateway is one client.
    rate_limits={
        "auth": RateLimit(requests=8, per_seconds=15 * 60),
        "api": RateLimit(requests=120, per_seconds=60),
    },
    notes=(
        "POST /api/customers: 8 per 15 minutes per client IP (EverShop's auth tier)",
        "every other /api call is limited to 120 per minute per client IP",
        "updates reset the customer's group to Default; groups are read-only; no regions",
    ),
)
