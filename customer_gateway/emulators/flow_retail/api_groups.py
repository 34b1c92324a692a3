"""`/v2/tenants/{tenantUid}/customer-groups...` (README 2.4, CustomerGroup tag)."""

from __future__ import annotations

from typing import Final

from .formats import SortKey
from .http import Call, Endpoint, Reply
from .records import GROUP_SORT_FIELDS
from .search import PagingRules, list_query, page
from .validation import group_body

GROUPS: Final = "/v2/tenants/{tenantUid}/customer-groups"


class GroupApi:
    """Assumptions: the permission is TENANT.ACCESS (not stated); PUT answers 200; DELETE
    answers 204; a client-chosen uid that exists is 409; a generated uid is `cg-<hex>`."""

    def __init__(self, paging: PagingRules, sort_key: SortKey) -> None:
        self.paging = paging
        self.sort_key = sort_key

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", GROUPS, self.list),
            Endpoint("POST", GROUPS, self.create),
            Endpoint("GET", f"{GROUPS}/{{customerGroupUid}}", self.detail),
            Endpoint("PUT", f"{GROUPS}/{{customerGroupUid}}", self.update),
            Endpoint("DELETE", f"{GROUPS}/{{customerGroupUid}}", self.delete),
        ]

    async def list(self, call: Call) -> Reply:
        query = list_query(call.query, self.paging, GROUP_SORT_FIELDS)
        return Reply(200, page(list(call.tenant.groups.values()), query, self.sort_key))

    async def create(self, call: Call) -> Reply:
        name, uid = group_body(await call.json(), creating=True)
        group = call.tenant.create_group(name, uid, call.grant.user["tenantUserUid"])
        return Reply(201, dict(group))

    async def detail(self, call: Call) -> Reply:
        return Reply(200, dict(call.tenant.group(call.params["customerGroupUid"])))

    async def update(self, call: Call) -> Reply:
        uid = call.params["customerGroupUid"]
        call.tenant.group(uid)  # 404 before 400
        name, _ = group_body(await call.json(), creating=False)
        group = call.tenant.rename_group(uid, name, call.grant.user["tenantUserUid"])
        return Reply(200, dict(group))

    async def delete(self, call: Call) -> Reply:
        call.tenant.delete_group(call.params["customerGroupUid"])
        return Reply(204)
