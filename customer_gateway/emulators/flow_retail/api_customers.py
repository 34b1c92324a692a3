"""`/v2/tenants/{tenantUid}/customers...` and the store view of a customer (README 2.4)."""

from __future__ import annotations

from typing import Final

from .auth import BACKOFFICE
from .formats import SortKey, format_timestamp
from .http import Call, Endpoint, Reply
from .payloads import CustomerObject, ExportObject, FlowError, GroupRef, StoreCustomerObject
from .records import CUSTOMER_SORT_FIELDS, copy_customer
from .search import (
    CustomerSearch,
    PagingRules,
    external_matches,
    list_query,
    order,
    ordered_page,
    page,
)
from .tenant import Tenant
from .validation import require_object, store_uid_body

T: Final = "/v2/tenants/{tenantUid}"
EXTERNAL_SEARCH: Final = "EXTERNAL_CUSTOMER_SEARCH"
EXTERNAL_SORT_FIELDS: Final = frozenset({"name", "organizationNumber", "postalCode", "city"})


class CustomerApi:
    def __init__(self, paging: PagingRules, sort_key: SortKey) -> None:
        self.paging = paging
        self.sort_key = sort_key

    def endpoints(self) -> list[Endpoint]:
        # Literal paths first: /customers/{customerUid} would also match /customers/search.
        return [
            Endpoint("GET", f"{T}/customers", self.list),
            Endpoint("POST", f"{T}/customers", self.create),
            Endpoint("POST", f"{T}/customers/search", self.search),
            Endpoint("POST", f"{T}/customers/search/external", self.search_external),
            Endpoint("GET", f"{T}/customers/{{customerUid}}", self.detail),
            Endpoint("PUT", f"{T}/customers/{{customerUid}}", self.update),
            Endpoint("DELETE", f"{T}/customers/{{customerUid}}", self.delete, BACKOFFICE),
            Endpoint("GET", f"{T}/customers/{{customerUid}}/export", self.export),
            Endpoint("POST", f"{T}/customers/{{customerUid}}/extensions/{{code}}", self.extend),
            Endpoint("DELETE", f"{T}/customers/{{customerUid}}/extensions/{{code}}", self.unextend),
            Endpoint("GET", f"{T}/stores/{{storeUid}}/customers/{{customerUid}}", self.in_store),
        ]

    async def list(self, call: Call) -> Reply:
        query = list_query(call.query, self.paging, CUSTOMER_SORT_FIELDS)
        external_id = call.query.get("customerExternalId")
        if external_id:  # assumption: exact, case-sensitive match
            customers = [
                c for c in call.tenant.customers.values() if c["externalId"] == external_id
            ]
            return Reply(200, page(customers, query, self.sort_key))
        ordered = call.tenant.ordered_customers(
            (query.sort_by, query.descending),
            lambda items: order(items, query, self.sort_key),
        )
        return Reply(200, ordered_page(ordered, query))

    async def create(self, call: Call) -> Reply:
        customer = call.tenant.create(require_object(await call.json()))
        return Reply(201, copy_customer(customer))

    async def search(self, call: Call) -> Reply:
        query = list_query(call.query, self.paging, CUSTOMER_SORT_FIELDS)
        criteria = CustomerSearch.parse(await call.json())
        tenant = call.tenant

        def in_store(customer: CustomerObject, store_uid: str) -> bool:
            # Assumption: "of a store" = its default store, or a store the customer visited.
            uid = customer["customerUid"]
            return customer["defaultStoreUid"] == store_uid or store_uid in tenant.visits.get(
                uid, {}
            )

        matches = criteria.matcher(in_store)
        found = [c for c in tenant.customers.values() if matches(c)]
        return Reply(200, page(found, query, self.sort_key))

    async def search_external(self, call: Call) -> Reply:
        if not call.tenant.external_search:
            raise FlowError(403, f"Tenant lacks the {EXTERNAL_SEARCH} extension")
        query = list_query(call.query, self.paging, EXTERNAL_SORT_FIELDS)
        hits = external_matches(call.tenant.register, await call.json())
        return Reply(200, page(hits, query, self.sort_key))

    async def detail(self, call: Call) -> Reply:
        return Reply(200, copy_customer(call.tenant.customer(call.params["customerUid"])))

    async def update(self, call: Call) -> Reply:
        uid = call.params["customerUid"]
        call.tenant.customer(uid)  # 404 before 400
        customer = call.tenant.update(uid, require_object(await call.json()))
        return Reply(200, copy_customer(customer))

    async def delete(self, call: Call) -> Reply:
        call.tenant.delete(call.params["customerUid"])
        return Reply(204)

    async def export(self, call: Call) -> Reply:
        tenant = call.tenant
        customer = copy_customer(tenant.customer(call.params["customerUid"]))
        return Reply(200, gdpr_export(tenant, customer))

    async def extend(self, call: Call) -> Reply:
        uid = call.params["customerUid"]
        call.tenant.customer(uid)  # 404 before 400
        store_uid = store_uid_body(await call.json())
        customer = call.tenant.add_extension(uid, call.params["code"], store_uid)
        return Reply(200, copy_customer(customer))

    async def unextend(self, call: Call) -> Reply:
        uid = call.params["customerUid"]
        call.tenant.customer(uid)
        store_uid = store_uid_body(await call.json())
        call.tenant.remove_extension(uid, call.params["code"], store_uid)
        return Reply(204)

    async def in_store(self, call: Call) -> Reply:
        tenant = call.tenant
        store_uid = call.params["storeUid"]
        tenant.store(store_uid)  # an unknown store is 404 before the customer is looked up
        customer = copy_customer(tenant.customer(call.params["customerUid"]))
        details = tenant.store_details(customer["customerUid"], store_uid)
        body: StoreCustomerObject = {**customer, "storeCustomerDetails": details}
        return Reply(200, body)


def gdpr_export(tenant: Tenant, customer: CustomerObject) -> ExportObject:
    """Assumption (shape unpublished): the customer, its nested data repeated at the top level,
    its groups with names, and its per-store details."""
    uid = customer["customerUid"]
    groups: list[GroupRef] = [
        {"customerGroupUid": group_uid, "name": tenant.groups[group_uid]["name"]}
        for group_uid in customer["customerGroupUids"]
        if group_uid in tenant.groups
    ]
    return {
        "exportedAt": format_timestamp(tenant.clock()),
        "customer": customer,
        "addresses": customer["addresses"],
        "contacts": customer["contacts"],
        "consents": customer["consents"],
        "extensions": customer["extensions"],
        "customerGroups": groups,
        "storeCustomerDetails": [
            tenant.store_details(uid, store_uid) for store_uid in tenant.visited_stores(uid)
        ],
    }
