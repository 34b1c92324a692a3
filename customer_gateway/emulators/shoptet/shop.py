"""One emulated e-shop's state and operations, below HTTP: customers, groups, changes, webhooks,
jobs. Operations raise `ShoptetError` with the status and error items Shoptet would answer.

Every customer write bumps `changeTime`, logs an `edit`/`delete` change and emits the matching
`customer:*` webhook (account changes count as customer updates: assumption). Duplicate e-mails
answer `duplicate_email_status`: the contract does not say whether 409 (README 1.2 "duplicate
data") or 422 (like duplicate group names and webhook events) is used; 422 is the default.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Final, cast

from customer_gateway.emulators.base import Clock

from .customers import (
    email_errors,
    empty_billing,
    field_errors,
    merged_billing,
    new_account,
    region_shortcut,
    updated_accounts,
)
from .formats import parse_datetime
from .groups import GroupStore, resolve_group
from .jobs import Job, JobRegistry, SnapshotFilters
from .payloads import (
    Account,
    DeliveryAddress,
    ErrorItem,
    GroupObject,
    NamedRef,
    ShoptetError,
    error_item,
)
from .records import CustomerRecord, Renderer
from .reference import PRICELISTS
from .seed import CS_ACCOUNT, CS_CUSTOMER, CS_DELIVERY, CustomerFactory
from .store import ChangeLog, Store
from .webhooks import WebhookRegistry

SNAPSHOT_ENDPOINT: Final = "/api/customers/snapshot"
_DELIVERY_KEYS: Final = (
    "guid",
    "company",
    "fullName",
    "street",
    "houseNumber",
    "city",
    "district",
    "additional",
    "zip",
    "countryCode",
    "regionName",
    "regionShortcut",
)


class Shop:
    def __init__(
        self,
        *,
        seed: int,
        customers: int,
        eshop_url: str,
        eshop_id: int,
        clock: Clock,
        job_seconds: float,
        duplicate_email_status: int,
        wholesale_module: bool,
        group_code_from_name: bool,
    ) -> None:
        self.clock = clock
        self.eshop_url = eshop_url.rstrip("/")
        self.duplicate_email_status = duplicate_email_status
        self.factory = CustomerFactory(seed=seed, count=customers)
        self.store = Store(self.factory)
        self.changes = ChangeLog()
        self.groups = GroupStore(
            wholesale_module=wholesale_module, code_from_name=group_code_from_name
        )
        self.webhooks = WebhookRegistry(clock=clock, eshop_id=eshop_id, seed=seed)
        self.jobs = JobRegistry(
            clock=clock, job_seconds=job_seconds, seed=seed, on_finished=self._job_finished
        )
        self.renderer = Renderer(self.eshop_url, self._group_ref, PRICELISTS)

    def _now(self) -> float:
        return float(math.floor(self.clock()))

    def _group_ref(self, group_id: int | None) -> NamedRef | None:
        return self.groups.ref(group_id)

    def _job_finished(self, job: Job) -> None:
        self.webhooks.emit("job:finished", job.id, at=job.completed_at)

    # -- customers ---------------------------------------------------------------------------
    def customer(self, guid: str) -> CustomerRecord:
        record = self.store.by_guid(guid)
        if record is None:
            raise ShoptetError.one(
                404, "customer-not-found", f'Customer with guid "{guid}" not found.', guid
            )
        return record

    def find(self, email: str | None, phone: str | None) -> list[CustomerRecord]:
        if email is not None:
            found = self.store.by_email(email)
            return [r for r in found if phone is None or r in self.store.by_phone(phone)]
        return self.store.by_phone(phone) if phone is not None else []

    def _check_email(self, email: str, instance: str, own: CustomerRecord | None = None) -> None:
        owner = self.store.email_owner(email)
        if owner is not None and (own is None or owner.id != own.id):
            code = "invalid-request-data" if self.duplicate_email_status == 422 else "conflict"
            raise ShoptetError.one(
                self.duplicate_email_status,
                code,
                f'Customer with e-mail "{email}" already exists.',
                instance,
            )

    def _group_for(self, data: dict[str, Any]) -> GroupObject | None:
        code = data.get("customerGroupCode")
        return self.groups.by_code(code) if code is not None else None

    def _validate(self, data: dict[str, Any], extra: list[ErrorItem]) -> None:
        codes = {g["customerGroupCode"] for g in self.groups.groups.values()}
        errors = field_errors(data, {c for c in codes if c is not None}) + extra
        if errors:
            raise ShoptetError(422, errors)

    def create_customer(
        self, data: dict[str, Any], direct: dict[str, Any] | None = None
    ) -> CustomerRecord:
        """`direct`: fields only `ShoptetEmulator.add_customer` may set (see there)."""
        account = data["account"]
        self._validate(data, email_errors(account["email"], "data.account.email"))
        self._check_email(account["email"], "data.account.email")
        now = self._now()
        index = self.store.next_id
        group = self._group_for(data)
        record = CustomerRecord(
            id=index,
            guid=self.factory.guid(now, index % 10_000_000, CS_CUSTOMER),
            billing=merged_billing(empty_billing(), data.get("billingAddress") or {}),
            delivery=(),
            accounts=(
                new_account(
                    self.factory.guid(now, index % 10_000_000, CS_ACCOUNT), account, main=True
                ),
            ),
            creation_time=now,
            change_time=now,
            group_id=group["id"] if group is not None else self.groups.default_id,
            pricelist_id=data.get("pricelistId"),
            remark=data.get("remark"),
            price_ratio=data.get("priceRatio", "1.0000"),
            birth_date=data.get("birthDate"),
            disabled_orders=data.get("disabledOrders", False),
        )
        if direct:
            record = self._direct(record, direct)
        self.store.put(record)
        # Creation is reported as `edit` (spec).
        self.changes.record(record.guid, record.change_time or now, "edit")
        self.webhooks.emit("customer:create", record.guid)
        return record

    def _direct(self, record: CustomerRecord, fields: dict[str, Any]) -> CustomerRecord:
        changes: dict[str, Any] = {}
        if "guid" in fields:
            if self.store.by_guid(fields["guid"]) is not None:
                raise ValueError(f"guid {fields['guid']} is taken")
            changes["guid"] = fields["guid"]
        for key, attribute in (("creationTime", "creation_time"), ("changeTime", "change_time")):
            if key in fields:
                value = fields[key]
                changes[attribute] = None if value is None else parse_datetime(value)
        if "deliveryAddress" in fields:
            changes["delivery"] = tuple(
                self._delivery(record, position, address)
                for position, address in enumerate(fields["deliveryAddress"])
            )
        return dataclasses.replace(record, **changes)

    def _delivery(
        self, record: CustomerRecord, position: int, address: dict[str, Any]
    ) -> DeliveryAddress:
        guid = self.factory.guid(self._now(), record.id % 10_000_000, CS_DELIVERY + position)
        filled: dict[str, Any] = {key: address.get(key) for key in _DELIVERY_KEYS}
        filled["guid"] = address.get("guid", guid)
        filled["regionShortcut"] = address.get("regionShortcut") or region_shortcut(
            filled["countryCode"], filled["regionName"]
        )
        filled["isDefault"] = address.get("isDefault", position == 0)
        return cast(DeliveryAddress, filled)

    def _save(self, record: CustomerRecord) -> CustomerRecord:
        now = self._now()
        record = dataclasses.replace(record, change_time=now)
        self.store.put(record)
        self.changes.record(record.guid, now, "edit")
        self.webhooks.emit("customer:update", record.guid)
        return record

    def update_customer(self, guid: str, data: dict[str, Any]) -> CustomerRecord:
        record = self.customer(guid)
        self._validate(data, [])
        changes: dict[str, Any] = {}
        if "billingAddress" in data:
            changes["billing"] = merged_billing(record.billing, data["billingAddress"])
        if (group := self._group_for(data)) is not None:
            changes["group_id"] = group["id"]
        for key, attribute in (
            ("pricelistId", "pricelist_id"),
            ("priceRatio", "price_ratio"),
            ("birthDate", "birth_date"),
            ("disabledOrders", "disabled_orders"),
            ("remark", "remark"),
        ):
            if key in data:
                changes[attribute] = data[key]
        return self._save(dataclasses.replace(record, **changes))

    def delete_customer(self, guid: str) -> None:
        record = self.customer(guid)
        self.store.delete(record)
        self.changes.record(record.guid, self._now(), "delete")
        self.webhooks.emit("customer:delete", record.guid)

    def account(self, guid: str, account_guid: str) -> tuple[CustomerRecord, Account]:
        record = self.customer(guid)
        account = next((a for a in record.accounts if a["guid"] == account_guid), None)
        if account is None:
            # Assumption: the error code is not documented; this follows `customer-not-found`.
            raise ShoptetError.one(
                404,
                "customer-account-not-found",
                f'Customer account with guid "{account_guid}" not found.',
                account_guid,
            )
        return record, account

    def update_account(self, guid: str, account_guid: str, data: dict[str, Any]) -> Account:
        record, account = self.account(guid, account_guid)
        errors = email_errors(data.get("email"), "data.email")
        if account["mainAccount"] and data.get("mainAccount") is False:
            errors.append(
                error_item(
                    "invalid-request-data",
                    "A customer must keep exactly one main account.",
                    "data.mainAccount",
                )
            )
        if errors:
            raise ShoptetError(422, errors)
        if "email" in data:
            self._check_email(data["email"], "data.email", own=record)
        accounts = updated_accounts(record.accounts, account_guid, data)
        saved = self._save(dataclasses.replace(record, accounts=accounts))
        return next(a for a in saved.accounts if a["guid"] == account_guid)

    # -- groups (group webhooks carry the group id) ------------------------------------------
    def create_group(self, data: dict[str, Any]) -> None:
        group = self.groups.create(data)
        self.webhooks.emit("customerGroup:create", group["id"])

    def update_group(self, group_id: str, data: dict[str, Any]) -> None:
        group = self.groups.update(group_id, data)
        self.webhooks.emit("customerGroup:update", group["id"])

    def delete_group(self, group_id: str) -> None:
        group = self.groups.delete(group_id)
        self.webhooks.emit("customerGroup:delete", group["id"])

    # -- snapshot ----------------------------------------------------------------------------
    def start_snapshot(self, filters: SnapshotFilters) -> Job:
        if self.webhooks.registered("job:finished") is None:
            # The spec: 403 and the job is not queued; the error code is not documented.
            raise ShoptetError.one(
                403,
                "missing-job-finished-webhook",
                "Asynchronous requests require a registered job:finished webhook.",
                "job:finished",
            )
        lookup = self.groups.frozen_lookup()
        default_id = self.groups.default_id
        renderer = Renderer(
            self.eshop_url, lambda gid: resolve_group(lookup, default_id, gid), PRICELISTS
        )
        return self.jobs.create(SNAPSHOT_ENDPOINT, self.store.freeze(), renderer, filters)
