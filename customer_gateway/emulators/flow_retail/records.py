"""The stored customer: building, computed fields and copies of `CustomerObject`s."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterable, Mapping
from typing import Any, Final, cast

from .payloads import ContactObject, CustomerObject, GroupObject

# The PUT body's plain fields (README 2.4), all optional; `ehf`/`ehfEnabled` are handled apart.
STRING_FIELDS: Final = (
    "firstname",
    "lastname",
    "companyName",
    "email",
    "mobile",
    "address",
    "postalCode",
    "city",
    "countryCode",
    "customerType",
    "externalId",
    "ledgerNumber",
    "vatNumber",
    "pricelistUid",
    "origin",
    "loyaltyId",
    "internalNote",
    "defaultStoreUid",
)
WRITABLE_FIELDS: Final = (*STRING_FIELDS, "paymentTerms", "customerGroupUids", "ehf", "ehfEnabled")
# Scalars a list can be sorted by (`sortBy`); nested objects and arrays cannot.
CUSTOMER_SORT_FIELDS: Final = frozenset(
    {
        "customerUid",
        "customerType",
        "firstname",
        "lastname",
        "displayName",
        "companyName",
        "email",
        "mobile",
        "address",
        "postalCode",
        "city",
        "countryCode",
        "vatNumber",
        "ledgerNumber",
        "pricelistUid",
        "externalId",
        "origin",
        "loyaltyId",
        "paymentTerms",
        "defaultStoreUid",
        "createdAt",
        "lastModifiedAt",
    }
)
GROUP_SORT_FIELDS: Final = frozenset(
    {"customerGroupUid", "name", "createdBy", "createdAt", "lastModifiedBy", "lastModifiedAt"}
)
CUSTOMER_KEYS: Final = frozenset(CustomerObject.__annotations__)


class Uids:
    """Opaque ids like the docs' `c-7f3b2a`: a prefix and seeded hex, unique per tenant."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def next(self, prefix: str) -> str:
        while True:
            uid = f"{prefix}-{self.rng.getrandbits(32):08x}"
            if uid not in self.used:
                self.used.add(uid)
                return uid

    def claim(self, uid: str) -> None:
        self.used.add(uid)


def display_name(customer: Mapping[str, Any]) -> str:
    """`companyName` for companies (when set), else `firstname lastname` (README 5.1)."""
    company = customer.get("companyName")
    if customer.get("customerType") == "COMPANY" and company:
        return str(company)
    names = (customer.get("firstname"), customer.get("lastname"))
    full = " ".join(str(name) for name in names if name)
    return full or str(company or "")


def person_name(firstname: str | None, lastname: str | None) -> str:
    return " ".join(name for name in (firstname, lastname) if name)


def new_customer(uid: str, customer_type: str, created_at: str) -> CustomerObject:
    return {
        "customerUid": uid,
        "customerType": customer_type,
        "firstname": None,
        "lastname": None,
        "displayName": "",
        "companyName": None,
        "email": None,
        "mobile": None,
        "address": None,
        "postalCode": None,
        "city": None,
        "countryCode": None,
        "vatNumber": None,
        "ledgerNumber": None,
        "pricelistUid": None,
        "externalId": None,
        "origin": None,
        "loyaltyId": None,
        "paymentTerms": None,
        "internalNote": None,
        "credit": None,
        "accountManager": None,
        "addresses": [],
        "contacts": [],
        "extensions": [],
        "consents": [],
        "customerGroupUids": [],
        "defaultStoreUid": None,
        "ehf": {"enabled": False},
        "createdAt": created_at,
        "lastModifiedAt": created_at,
    }


def apply_fields(customer: CustomerObject, fields: Mapping[str, Any]) -> None:
    """Write validated fields (see `validation.customer_fields`) and recompute `displayName`."""
    target = cast(dict[str, Any], customer)
    for key, value in fields.items():
        target[key] = copy.deepcopy(value)
    customer["displayName"] = display_name(customer)


def copy_customer(customer: CustomerObject) -> CustomerObject:
    return copy.deepcopy(customer)


def contact_display_name(contact: ContactObject) -> str:
    return person_name(contact["firstname"], contact["lastname"])


def group_names(groups: Iterable[GroupObject]) -> dict[str, str]:
    return {group["customerGroupUid"]: group["name"] for group in groups}
