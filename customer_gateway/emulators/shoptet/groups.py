"""Customer groups (README 1.7 groups endpoints; spec createCustomerGroup/updateCustomerGroup).

Rules the spec states: unique name (422), existing price list (422), known order status (422),
`authRequired`/`emailNotification` only with the wholesale module or on the default group (422),
the wholesale features `registrationAllowed`, `wholesale`, `tableLayout`, `fullProfileRequired`
need the wholesale module (403 `missing-module`), the default group keeps
`registrationAllowed: true` (422) and cannot be deleted (422 `customer-group-delete-blocked`).
"""

from __future__ import annotations

import copy
from typing import Any, Final, cast

from .payloads import ErrorItem, GroupObject, NamedRef, ShoptetError, error_item
from .reference import DEFAULT_GROUP_ID, GROUP_SEEDS, ORDER_STATUS_IDS, PRICELISTS
from .seed import ascii_slug

# A wholesale feature counts as "used" when set away from the create default. Assumption: the
# spec only says the module is required "to use" them; sending the default value is harmless.
_WHOLESALE_DEFAULTS: Final = {
    "registrationAllowed": True,
    "wholesale": False,
    "tableLayout": False,
    "fullProfileRequired": False,
}


def _seed_group(priority: int, seed_index: int) -> GroupObject:
    seed = GROUP_SEEDS[seed_index]
    return {
        "id": seed.id,
        "name": seed.name,
        "customerGroupCode": seed.code,
        "description": seed.description,
        "defaultPricelistId": seed.pricelist_id,
        "maxDiscount": seed.max_discount,
        "priority": priority,
        "emailNotification": seed.wholesale,
        "authRequired": seed.wholesale,
        "registrationAllowed": seed.code != "vip",  # VIP membership is granted by the admin
        "wholesale": seed.wholesale,
        "tableLayout": seed.wholesale,
        "fullProfileRequired": seed.wholesale,
        "defaultDueDays": 14 if seed.wholesale else None,
        "defaultOrderStatusId": None,
    }


class GroupStore:
    def __init__(self, *, wholesale_module: bool, code_from_name: bool) -> None:
        self.wholesale_module = wholesale_module
        self.code_from_name = code_from_name
        self.default_id = DEFAULT_GROUP_ID
        self.groups: dict[int, GroupObject] = {
            seed.id: _seed_group(number + 1, number) for number, seed in enumerate(GROUP_SEEDS)
        }
        self.next_id = max(self.groups) + 1

    def listing(self) -> list[GroupObject]:
        """Ordered by priority (spec), ascending; ties and null priorities by id."""
        ordered = sorted(
            self.groups.values(),
            key=lambda g: (g["priority"] is None, g["priority"] or 0, g["id"]),
        )
        return [copy.copy(group) for group in ordered]

    def frozen_lookup(self) -> dict[int, NamedRef]:
        return {gid: {"id": gid, "name": g["name"]} for gid, g in self.groups.items()}

    def ref(self, group_id: int | None) -> NamedRef | None:
        """`customer.customerGroup` of a member of `group_id` (see `resolve_group`)."""
        if group_id is None:
            return None
        group = self.groups.get(group_id) or self.groups[self.default_id]
        return {"id": group["id"], "name": group["name"]}

    def by_code(self, code: str) -> GroupObject | None:
        return next((g for g in self.groups.values() if g["customerGroupCode"] == code), None)

    def get(self, group_id: str) -> GroupObject:
        group = self.groups.get(int(group_id)) if group_id.isdigit() else None
        if group is None:
            raise ShoptetError.one(
                404,
                "customer-group-not-found",
                f'Customer group with ID "{group_id}" not found.',
                group_id,
            )
        return group

    # -- writes ------------------------------------------------------------------------------
    def _check(self, data: dict[str, Any], *, current: GroupObject | None) -> None:
        is_default = current is not None and current["id"] == self.default_id
        if not self.wholesale_module and any(
            key in data and data[key] != default for key, default in _WHOLESALE_DEFAULTS.items()
        ):
            raise ShoptetError.one(
                403,
                "missing-module",
                "Wholesale features require active wholesale module in eshop.",
                "wholesale",
            )
        errors: list[ErrorItem] = []
        name = data.get("name")
        if name is not None and any(
            g["name"].casefold() == name.casefold() and g is not current
            for g in self.groups.values()
        ):
            errors.append(_invalid(f'Customer group with name "{name}" already exists.', "name"))
        pricelist = data.get("defaultPricelistId")
        if pricelist is not None and pricelist not in PRICELISTS:
            errors.append(
                _invalid(f"Pricelist with ID {pricelist} does not exist.", "defaultPricelistId")
            )
        suffix = " or for the default group." if current is not None else "."
        if not self.wholesale_module and not is_default:
            if data.get("authRequired") is True:
                errors.append(
                    _invalid(
                        "Authorization requirement can only be set when wholesale module is active"
                        + suffix,
                        "authRequired",
                    )
                )
            if data.get("emailNotification") is True:
                errors.append(
                    _invalid(
                        "Email notification can only be enabled when wholesale module is active"
                        + suffix,
                        "emailNotification",
                    )
                )
        if is_default and data.get("registrationAllowed") is False:
            errors.append(
                _invalid(
                    "Default customer group must be allowed for registration.",
                    "registrationAllowed",
                )
            )
        status = data.get("defaultOrderStatusId")
        if status is not None and status not in ORDER_STATUS_IDS:
            errors.append(_invalid(f'Invalid statusId "{status}".', "defaultOrderStatusId"))
        if errors:
            raise ShoptetError(422, errors)

    def _code_for(self, name: str) -> str | None:
        """Unknown in the contract: the create body has no `customerGroupCode` and the answer's
        is nullable. Default: none (what the API promises); option `group_code_from_name`:
        derived from the name, made unique."""
        if not self.code_from_name:
            return None
        base = ascii_slug(name, "-") or "skupina"
        taken = {g["customerGroupCode"] for g in self.groups.values()}
        code, number = base, 1
        while code in taken:
            number += 1
            code = f"{base}-{number}"
        return code

    def create(self, data: dict[str, Any]) -> GroupObject:
        self._check(data, current=None)
        priorities = [g["priority"] for g in self.groups.values() if g["priority"] is not None]
        group: GroupObject = {
            "id": self.next_id,
            "name": data["name"],
            "customerGroupCode": self._code_for(data["name"]),
            "description": data.get("description"),
            "defaultPricelistId": data.get("defaultPricelistId"),
            "maxDiscount": data.get("maxDiscount"),
            "priority": max(priorities, default=0) + 1,
            "emailNotification": data.get("emailNotification", False),
            "authRequired": data.get("authRequired", False),
            "registrationAllowed": data.get("registrationAllowed", True),
            "wholesale": data.get("wholesale", False),
            "tableLayout": data.get("tableLayout", False),
            "fullProfileRequired": data.get("fullProfileRequired", False),
            "defaultDueDays": data.get("defaultDueDays"),
            "defaultOrderStatusId": data.get("defaultOrderStatusId"),
        }
        self.groups[group["id"]] = group
        self.next_id += 1
        return group

    def update(self, group_id: str, data: dict[str, Any]) -> GroupObject:
        current = self.get(group_id)
        self._check(data, current=current)
        updated = cast(GroupObject, {**current, **data})
        self.groups[current["id"]] = updated
        return updated

    def delete(self, group_id: str) -> GroupObject:
        group = self.get(group_id)
        if group["id"] == self.default_id:
            raise ShoptetError.one(
                422,
                "customer-group-delete-blocked",
                "Cannot delete default customer group. Please mark other group as default"
                " before deleting.",
                "payload",
            )
        return self.groups.pop(group["id"])


def _invalid(message: str, field: str) -> ErrorItem:
    return error_item("invalid-request-data", message, f"data.{field}")


def resolve_group(
    lookup: dict[int, NamedRef], default_id: int, group_id: int | None
) -> NamedRef | None:
    """A member of a deleted group belongs to the default group (spec deleteCustomerGroup)."""
    if group_id is None:
        return None
    found = lookup.get(group_id) or lookup.get(default_id)
    return {"id": found["id"], "name": found["name"]} if found is not None else None
