"""What a Flow Retail source can do itself (shared/upstreams/README.md section 2)."""

from __future__ import annotations

from typing import Final

from customer_gateway.connectors.capabilities import Capabilities
from customer_gateway.connectors.flow_retail import mapping
from customer_gateway.connectors.models import (
    FilterField,
    Op,
    Pushdown,
    SortField,
    Write,
)

# Only times: Flow orders text in its own collation (the emulator's assumption: Norwegian,
# æ ø å after z, `kari2@` before `kari@`, nulls last both ways), not the gateway's en_US order,
# so a text sort pushed down would come back in an order the merge cannot use.
SORT_KEYS = {SortField.CREATED_AT: "createdAt"}


_SUPERSET = Pushdown.SUPERSET


CAPABILITIES: Final = Capabilities(
    # Search matches case-insensitively, ignores spaces and `query` spans many fields: it
    # narrows, the gateway re-checks.
    filters={
        (FilterField.KEYWORD, Op.EQ): _SUPERSET,
        (FilterField.FULL_NAME, Op.LIKE): _SUPERSET,
        (FilterField.COMPANY_NAME, Op.LIKE): _SUPERSET,
        (FilterField.EMAIL, Op.EQ): _SUPERSET,
        (FilterField.PHONE, Op.EQ): _SUPERSET,
        (FilterField.VAT_NUMBER, Op.EQ): _SUPERSET,
        # The search's `createdAt`, read as a lower bound (assumption: the contract gives
        # only its type); sent for gt too, the gateway re-checks.
        (FilterField.CREATED_AT, Op.GT): _SUPERSET,
        (FilterField.CREATED_AT, Op.GTEQ): _SUPERSET,
        # The search's `storeUid`: only Flow knows which customers are a store's.
        (FilterField.STORE, Op.EQ): Pushdown.EXACT,
        # `GET /customers?customerExternalId=`: its matching is undocumented, so re-checked.
        (FilterField.EXTERNAL_ID, Op.EQ): _SUPERSET,
    },
    push_apart=frozenset({FilterField.EXTERNAL_ID}),  # a list parameter, not a search field
    absent_fields=frozenset(),
    # Names and e-mails sort in Flow Retail's (Norwegian) collation: the gateway sorts them.
    sorts=frozenset(SORT_KEYS),
    customer_writes=frozenset(Write),
    writable_fields=frozenset(
        {
            "email",
            "fullName",
            "firstName",
            "lastName",
            "companyName",
            "vatNumber",
            "phone",
            "groupId",
            "groupIds",
        }
        | {f"address.{part}" for part in mapping.ADDRESS_PARTS}
    ),
    multi_group=True,
    group_names_by_list=True,
    group_writes=frozenset(Write),
    native_batch=True,
    native_data_export=True,
    notes=(
        "no published rate limits; no status flag (every customer is 1); no regions",
        "customers may be in several groups; deleting needs TENANT.BACKOFFICE",
        "the batch, store-view, external-search and export shapes are assumptions",
    ),
)
