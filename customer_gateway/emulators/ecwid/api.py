"""Handlers of the customer area (README 3.3): customers, the deleted log, customer groups."""

from __future__ import annotations

from typing import Final

from .http import Call, Endpoint, Reply
from .payloads import CreatedId, DeleteCount, UpdateCount
from .search import CustomerQuery, Page
from .store import Store
from .validation import customer_input, group_name

MAX_LIMIT: Final = 100
CUSTOMERS_DEFAULT_LIMIT: Final = 10
GROUPS_DEFAULT_LIMIT: Final = 10
# Assumption: the deleted log's default page is 100 (its maximum, like Ecwid's other logs).
DELETED_DEFAULT_LIMIT: Final = 100

READ: Final = "read_customers"
CREATE: Final = "create_customers"
UPDATE: Final = "update_customers"
STORE_PROFILE: Final = "read_store_profile"


class CustomerApi:
    def __init__(self, store: Store, *, reject_limit_over_max: bool = False) -> None:
        self.store = store
        self.reject_limit_over_max = reject_limit_over_max

    def endpoints(self) -> list[Endpoint]:
        # /customers/deleted before /customers/{customerId}, which would also match it.
        return [
            Endpoint("GET", "/customers/deleted", self.deleted, STORE_PROFILE),
            Endpoint("GET", "/customers", self.search, READ),
            Endpoint("POST", "/customers", self.create, CREATE),
            Endpoint("GET", "/customers/{customerId}", self.get, READ),
            Endpoint("PUT", "/customers/{customerId}", self.update, UPDATE),
            Endpoint("DELETE", "/customers/{customerId}", self.delete, UPDATE),
            Endpoint("GET", "/customer_groups", self.groups, READ, needs_groups=True),
            # Assumption: group writes take the customer-write scopes (exact names unknown).
            Endpoint("POST", "/customer_groups", self.create_group, CREATE, needs_groups=True),
            Endpoint("GET", "/customer_groups/{groupId}", self.group, READ, needs_groups=True),
            Endpoint(
                "PUT", "/customer_groups/{groupId}", self.update_group, UPDATE, needs_groups=True
            ),
            Endpoint(
                "DELETE", "/customer_groups/{groupId}", self.delete_group, UPDATE, needs_groups=True
            ),
        ]

    def _page(self, call: Call, default_limit: int) -> Page:
        return call.query.paging(
            default_limit=default_limit,
            max_limit=MAX_LIMIT,
            reject_over_max=self.reject_limit_over_max,
        )

    # -- customers -------------------------------------------------------------------------------
    async def search(self, call: Call) -> Reply:
        query = CustomerQuery.parse(call.query)
        page = self._page(call, CUSTOMERS_DEFAULT_LIMIT)
        # The pipeline's projection, applied while rendering (its errors come after the
        # search's own, as when the pipeline projects a finished answer).
        fields = call.response_fields()
        return Reply(self.store.search(query, page, fields), projected=fields is not None)

    async def get(self, call: Call) -> Reply:
        record = self.store.customer(call.id_param("customerId", "Customer"))
        return Reply(self.store.render(record))

    async def create(self, call: Call) -> Reply:
        data = customer_input(await call.json(), creating=True)
        created: CreatedId = {"id": self.store.create_customer(data)}
        return Reply(created)

    async def update(self, call: Call) -> Reply:
        customer_id = call.id_param("customerId", "Customer")
        self.store.customer(customer_id)  # 404 before the body's 400
        data = customer_input(await call.json(), creating=False)
        self.store.update_customer(customer_id, data)
        updated: UpdateCount = {"updateCount": 1}
        return Reply(updated)

    async def delete(self, call: Call) -> Reply:
        self.store.delete_customer(call.id_param("customerId", "Customer"))
        deleted: DeleteCount = {"deleteCount": 1}
        return Reply(deleted)

    async def deleted(self, call: Call) -> Reply:
        start, end = call.query.date("from_date"), call.query.date("to_date")
        page = self._page(call, DELETED_DEFAULT_LIMIT)
        return Reply(self.store.deleted_page(start, end, page))

    # -- customer groups -------------------------------------------------------------------------
    async def groups(self, call: Call) -> Reply:
        page = self._page(call, GROUPS_DEFAULT_LIMIT)
        return Reply(self.store.group_page(page))

    async def group(self, call: Call) -> Reply:
        return Reply(self.store.group(call.id_param("groupId", "Customer group")))

    async def create_group(self, call: Call) -> Reply:
        created: CreatedId = {"id": self.store.create_group(group_name(await call.json()))}
        return Reply(created)

    async def update_group(self, call: Call) -> Reply:
        group_id = call.id_param("groupId", "Customer group")
        self.store.group(group_id)
        self.store.rename_group(group_id, group_name(await call.json()))
        updated: UpdateCount = {"updateCount": 1}
        return Reply(updated)

    async def delete_group(self, call: Call) -> Reply:
        self.store.delete_group(call.id_param("groupId", "Customer group"))
        deleted: DeleteCount = {"deleteCount": 1}
        return Reply(deleted)
