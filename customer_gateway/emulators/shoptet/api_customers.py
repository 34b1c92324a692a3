"""`/api/customers...` endpoints: list, detail, writes, accounts, change log, snapshot."""

from __future__ import annotations

from typing import Final

from .http import Call, Endpoint, Reply, paginator
from .jobs import SnapshotFilters
from .payloads import ShoptetError
from .schemas import CREATE_CUSTOMER, UPDATE_ACCOUNT, UPDATE_CUSTOMER
from .shop import SNAPSHOT_ENDPOINT, Shop

# (default, maximum) itemsPerPage per endpoint (README 1.4 / spec parameter texts).
LIST_PAGING: Final = (20, 1000)
CHANGES_PAGING: Final = (20, 20)
ACCOUNTS_PAGING: Final = (1000, 1000)


class CustomerApi:
    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    def endpoints(self) -> list[Endpoint]:
        # Fixed paths first: /api/customers/{guid} would also match them.
        return [
            Endpoint("GET", "/api/customers", self.list),
            Endpoint("POST", "/api/customers", self.create),
            Endpoint("GET", SNAPSHOT_ENDPOINT, self.snapshot),
            Endpoint("GET", "/api/customers/changes", self.changes),
            Endpoint("GET", "/api/customers/{guid}", self.detail),
            Endpoint("PATCH", "/api/customers/{guid}", self.update),
            Endpoint("DELETE", "/api/customers/{guid}", self.delete),
            Endpoint("GET", "/api/customers/{guid}/accounts", self.accounts),
            Endpoint("GET", "/api/customers/{guid}/accounts/{accountGuid}", self.account),
            Endpoint("PATCH", "/api/customers/{guid}/accounts/{accountGuid}", self.update_account),
        ]

    async def list(self, call: Call) -> Reply:
        page, per_page = call.paging(*LIST_PAGING)
        email, phone = call.query("email"), call.query("phone")
        offset = (page - 1) * per_page
        if email is None and phone is None:
            total = self.shop.store.count()
            records = self.shop.store.page(offset, per_page)
        else:
            found = self.shop.find(email, phone)
            total, records = len(found), found[offset : offset + per_page]
        summaries = [self.shop.renderer.summary(record) for record in records]
        data = {
            "customers": summaries,
            "paginator": paginator(total, page, per_page, len(summaries)),
        }
        return Reply(200, data, items=len(summaries))

    async def create(self, call: Call) -> Reply:
        body = await call.body(CREATE_CUSTOMER)
        record = self.shop.create_customer(body["data"])
        return Reply(201, {"customer": self.shop.renderer.customer(record)}, items=1)

    async def detail(self, call: Call) -> Reply:
        record = self.shop.customer(call.params["guid"])
        return Reply(200, {"customer": self.shop.renderer.customer(record)}, items=1)

    async def update(self, call: Call) -> Reply:
        self.shop.customer(call.params["guid"])  # 404 before 422
        body = await call.body(UPDATE_CUSTOMER)
        record = self.shop.update_customer(call.params["guid"], body["data"])
        return Reply(200, {"customer": self.shop.renderer.customer(record)}, items=1)

    async def delete(self, call: Call) -> Reply:
        self.shop.delete_customer(call.params["guid"])
        return Reply(200, None)

    async def accounts(self, call: Call) -> Reply:
        record = self.shop.customer(call.params["guid"])
        page, per_page = call.paging(*ACCOUNTS_PAGING)
        accounts = [dict(a) for a in record.accounts][(page - 1) * per_page : page * per_page]
        data = {
            "accounts": accounts,
            "paginator": paginator(len(record.accounts), page, per_page, len(accounts)),
        }
        return Reply(200, data, items=len(accounts))

    async def account(self, call: Call) -> Reply:
        _, account = self.shop.account(call.params["guid"], call.params["accountGuid"])
        return Reply(200, {"account": dict(account)}, items=1)

    async def update_account(self, call: Call) -> Reply:
        guid, account_guid = call.params["guid"], call.params["accountGuid"]
        self.shop.account(guid, account_guid)  # 404 before 422
        body = await call.body(UPDATE_ACCOUNT)
        account = self.shop.update_account(guid, account_guid, body["data"])
        return Reply(200, {"account": dict(account)}, items=1)

    async def changes(self, call: Call) -> Reply:
        since = call.datetime_query("from", required=True)
        assert since is not None
        change_type = call.query("changeType")
        if change_type not in (None, "edit", "delete"):
            raise ShoptetError.invalid(
                f'Invalid changeType "{change_type}", expected edit or delete.', "changeType"
            )
        page, per_page = call.paging(*CHANGES_PAGING)
        rows = self.shop.changes.rows(since=since, now=self.shop.clock(), change_type=change_type)
        shown = rows[(page - 1) * per_page : page * per_page]
        data = {"changes": shown, "paginator": paginator(len(rows), page, per_page, len(shown))}
        return Reply(200, data, items=len(shown))

    async def snapshot(self, call: Call) -> Reply:
        filters = SnapshotFilters(
            creation_from=call.datetime_query("creationTimeFrom"),
            creation_to=call.datetime_query("creationTimeTo"),
            change_from=call.datetime_query("changeTimeFrom"),
            change_to=call.datetime_query("changeTimeTo"),
        )
        job = self.shop.start_snapshot(filters)
        return Reply(202, {"jobId": job.id})
