"""One tenant's state: its customer register (shared by all its stores), groups and stores.

Write timestamps come from the emulator's clock, but a write always stamps `lastModifiedAt`
strictly after the record's previous value (1 ms later at least), so a client that syncs on
`lastModifiedAt` sees every write even under a frozen or lagging clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any, Final

from customer_gateway.emulators.base import Clock

from .formats import format_timestamp, parse_timestamp
from .payloads import (
    CustomerObject,
    ExternalHit,
    FlowError,
    GroupObject,
    StoreCustomerDetails,
    StoreObject,
)
from .records import Uids, apply_fields, new_customer
from .seed import StoreVisit, TenantSeed, TenantSeeder
from .validation import CustomerRules, customer_fields

CUSTOMER_EXTENSIONS: Final = frozenset({"TWO_INVOICE"})  # the path enum of the extension routes


class Tenant:
    def __init__(
        self,
        uid: str,
        *,
        seed: int,
        customers: int,
        stores: int,
        clock: Clock,
        rules: CustomerRules,
        external_search: bool,
    ) -> None:
        self.uid = uid
        self.clock = clock
        self.rules = rules
        self.external_search = external_search
        self.uids = Uids(random.Random(f"flow-retail-uids:{seed}:{uid}"))
        data: TenantSeed = TenantSeeder(seed=seed, tenant=uid, uids=self.uids, stores=stores).build(
            customers
        )
        self.customers: dict[str, CustomerObject] = {c["customerUid"]: c for c in data.customers}
        self.groups: dict[str, GroupObject] = {g["customerGroupUid"]: g for g in data.groups}
        self.stores: dict[str, StoreObject] = {s["storeUid"]: s for s in data.stores}
        self.visits: dict[str, dict[str, StoreVisit]] = data.visits
        self.register: list[ExternalHit] = data.register
        # Called with (action, customer uid) after each customer write: the webhook sender.
        self.notify: Callable[[str, str], None] | None = None
        # Bumped by every customer write: a list in one order is sorted once while nothing
        # changes (a sync pages a large tenant: one sort, not one per page).
        self.generation = 0
        self._ordered: tuple[object, list[CustomerObject]] | None = None

    def ordered_customers(
        self, order_key: object, sort: Callable[[list[CustomerObject]], list[CustomerObject]]
    ) -> list[CustomerObject]:
        """Every customer in one list order (`order_key` names it), sorted by `sort` only when
        a write happened since it was last asked for."""
        key = (self.generation, order_key)
        if self._ordered is None or self._ordered[0] != key:
            self._ordered = (key, sort(list(self.customers.values())))
        return self._ordered[1]

    def _notify(self, action: str, uid: str) -> None:
        if self.notify is not None:
            self.notify(action, uid)

    # -- time ----------------------------------------------------------------------------------
    def stamp(self, previous: str | None = None) -> str:
        now = self.clock()
        if previous is not None:
            now = max(now, parse_timestamp(previous) + 0.001)
        return format_timestamp(now)

    # -- customers -----------------------------------------------------------------------------
    def customer(self, uid: str) -> CustomerObject:
        found = self.customers.get(uid)
        if found is None:
            raise FlowError.not_found(f"Customer '{uid}' not found")
        return found

    def validate(self, body: Mapping[str, Any], current: CustomerObject | None) -> dict[str, Any]:
        return customer_fields(
            body, current=current, rules=self.rules, groups=self.groups, stores=self.stores
        )

    def create(self, body: Mapping[str, Any], *, uid: str | None = None) -> CustomerObject:
        fields = self.validate(body, None)
        if uid is None:
            uid = self.uids.next("c")
        elif uid in self.customers:
            raise FlowError(409, f"Customer '{uid}' already exists")
        else:
            self.uids.claim(uid)
        customer = new_customer(uid, str(fields["customerType"]), self.stamp())
        apply_fields(customer, fields)
        self.customers[uid] = customer
        self.generation += 1
        self._notify("CUSTOMER_CREATE", uid)
        return customer

    def update(self, uid: str, body: Mapping[str, Any]) -> CustomerObject:
        customer = self.customer(uid)
        fields = self.validate(body, customer)
        apply_fields(customer, fields)
        customer["lastModifiedAt"] = self.stamp(customer["lastModifiedAt"])
        self.generation += 1
        self._notify("CUSTOMER_UPDATE", uid)
        return customer

    def delete(self, uid: str) -> None:
        self.customer(uid)
        del self.customers[uid]
        self.generation += 1
        self.visits.pop(uid, None)
        self._notify("CUSTOMER_DELETE", uid)

    def touch(self, customer: CustomerObject) -> None:
        customer["lastModifiedAt"] = self.stamp(customer["lastModifiedAt"])
        self.generation += 1

    # -- stores and extensions -----------------------------------------------------------------
    def store(self, uid: str) -> StoreObject:
        found = self.stores.get(uid)
        if found is None:
            raise FlowError.not_found(f"Store '{uid}' not found")
        return found

    def store_details(self, customer_uid: str, store_uid: str) -> StoreCustomerDetails:
        store = self.store(store_uid)
        visit = self.visits.get(customer_uid, {}).get(store_uid)
        return {
            "storeUid": store_uid,
            "storeName": store["name"],
            "firstVisitAt": format_timestamp(visit.first_visit) if visit else None,
            "lastVisitAt": format_timestamp(visit.last_visit) if visit else None,
            "visitCount": visit.count if visit else 0,
            "loyaltyPoints": visit.points if visit else 0,
        }

    def visited_stores(self, customer_uid: str) -> list[str]:
        return [uid for uid in self.stores if uid in self.visits.get(customer_uid, {})]

    def _extension_store(self, code: str, store_uid: str) -> None:
        if code not in CUSTOMER_EXTENSIONS:
            raise FlowError.bad_request(
                f"Unknown customer extension code '{code}' (allowed: TWO_INVOICE)"
            )
        if store_uid not in self.stores:  # assumption: a body reference, so 400 rather than 404
            raise FlowError.bad_request(f"Store '{store_uid}' not found")

    def add_extension(self, uid: str, code: str, store_uid: str) -> CustomerObject:
        customer = self.customer(uid)
        self._extension_store(code, store_uid)
        if not any(ext["extensionCode"] == code for ext in customer["extensions"]):
            organization = f"org-{self.uids.rng.randrange(10**6)}"
            customer["extensions"].append({"extensionCode": code, "organizationUid": organization})
            self.touch(customer)
        return customer

    def remove_extension(self, uid: str, code: str, store_uid: str) -> None:
        customer = self.customer(uid)
        self._extension_store(code, store_uid)
        kept = [ext for ext in customer["extensions"] if ext["extensionCode"] != code]
        if len(kept) != len(customer["extensions"]):
            customer["extensions"] = kept
            self.touch(customer)

    # -- groups --------------------------------------------------------------------------------
    def group(self, uid: str) -> GroupObject:
        found = self.groups.get(uid)
        if found is None:
            raise FlowError.not_found(f"Customer group '{uid}' not found")
        return found

    def create_group(self, name: str, uid: str | None, author: str) -> GroupObject:
        if uid is None:
            uid = self.uids.next("cg")
        elif uid in self.groups:
            raise FlowError(409, f"Customer group '{uid}' already exists")
        self.uids.claim(uid)
        now = self.stamp()
        group: GroupObject = {
            "customerGroupUid": uid,
            "name": name,
            "createdBy": author,
            "createdAt": now,
            "lastModifiedBy": author,
            "lastModifiedAt": now,
        }
        self.groups[uid] = group
        return group

    def rename_group(self, uid: str, name: str, author: str) -> GroupObject:
        group = self.group(uid)
        group["name"] = name
        group["lastModifiedBy"] = author
        group["lastModifiedAt"] = self.stamp(group["lastModifiedAt"])
        return group

    def delete_group(self, uid: str) -> None:
        self.group(uid)
        del self.groups[uid]
        # Assumption: members lose the uid (and so count as modified), nothing is refused.
        for customer in self.customers.values():
            if uid in customer["customerGroupUids"]:
                customer["customerGroupUids"].remove(uid)
                self.touch(customer)
