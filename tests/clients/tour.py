"""The README's 30-second tour as documents, and the answers the tour's two shops give.

Every client test sends these same documents, so a client that changes a request (Apollo adds
`__typename`, gql validates against the introspected schema) is checked against one answer.
"""

from __future__ import annotations

import re
from typing import Any

CUSTOMER_GRID = """
{
  customers(filters: [{key: "keyword", operation: eq, value: "an"},
                      {key: "ob", operation: eq, value: "name"},
                      {key: "limit", operation: eq, value: "3"}]) {
    total currentPage
    items { uuid fullName email group { groupName } source { name } }
    currentFilters { key operation value }
  }
}
"""

ONE_CUSTOMER = """
query($id: String) {
  customer(id: $id) {
    customerId uuid nativeId fullName email status createdAt { text }
    group { customerGroupId groupName uuid }
    addresses { fullName city postcode country { code name } province { code name } isDefault }
  }
}
"""

GROUPS = """
{ customerGroups(filters: [{key: "ob", operation: eq, value: "name"}]) {
    total items { uuid groupName source { name } } } }
"""

# The tour's mutation, with the source and e-mail as variables as an application sends them.
CREATE_CUSTOMER = """
mutation($source: String!, $email: String!) {
  createCustomer(source: $source,
                 input: {email: $email, fullName: "Ada Lovelace", password: "analytical-engine"}) {
    uuid customerId email fullName status group { groupName } createdAt { text }
  }
}
"""

DELETE_CUSTOMER = """
mutation($id: String!) { deleteCustomer(id: $id) { uuid nativeId source { name } } }
"""

AMELIA = "evershop-main:d4b0ee0f-38e4-4080-afdc-1264f8fbcd20"

_DEFAULT = {"groupName": "Default"}
_MAIN = {"name": "evershop-main"}
_GRID_ITEMS = [
    {
        "uuid": AMELIA,
        "fullName": "Amelia Evans",
        "email": "evans.amelia5825@example.co.uk",
        "group": _DEFAULT,
        "source": _MAIN,
    },
    {
        "uuid": "evershop-main:cbe0cc3b-bd04-4295-a6e0-ea88507674b8",
        "fullName": "Daniel Hall",
        "email": "daniel_hall7085@example.com",
        "group": _DEFAULT,
        "source": _MAIN,
    },
    # evershop-main has two Hannah Taylors; equal names go by native id ("3c5f…" < "a1eb…").
    {
        "uuid": "evershop-main:3c5f09cb-8a74-4944-b557-c8d81113a36a",
        "fullName": "Hannah Taylor",
        "email": "taylor.hannah6233@mail.example.org",
        "group": {"groupName": "Wholesale"},
        "source": _MAIN,
    },
]
_GRID_FILTERS = [
    {"key": "keyword", "operation": "eq", "value": "an"},
    {"key": "ob", "operation": "eq", "value": "name"},
    {"key": "limit", "operation": "eq", "value": "3"},
    {"key": "page", "operation": "eq", "value": "1"},
]


def customer_grid(total: int = 20) -> dict[str, Any]:
    """Tour 1; with evershop-outlet down the page is the same and `total` is main's 12."""
    return {
        "customers": {
            "total": total,
            "currentPage": 1,
            "items": _GRID_ITEMS,
            "currentFilters": _GRID_FILTERS,
        }
    }


ONE_CUSTOMER_DATA: dict[str, Any] = {
    "customer": {
        "customerId": 34,
        "uuid": AMELIA,
        "nativeId": "d4b0ee0f-38e4-4080-afdc-1264f8fbcd20",
        "fullName": "Amelia Evans",
        "email": "evans.amelia5825@example.co.uk",
        "status": 1,
        "createdAt": {"text": "Mar 3, 2025"},
        "group": {"customerGroupId": 1, "groupName": "Default", "uuid": "evershop-main:1"},
        "addresses": [
            {
                "fullName": "Amelia Evans",
                "city": "Manchester",
                "postcode": "M1 1AE",
                "country": {"code": "GB", "name": "United Kingdom"},
                "province": {"code": "GB-ENG", "name": "England"},
                "isDefault": True,
            }
        ],
    }
}

GROUPS_DATA: dict[str, Any] = {
    "customerGroups": {
        "total": 6,
        "items": [
            {"uuid": f"{shop}:{native}", "groupName": name, "source": {"name": shop}}
            for native, name in (("1", "Default"), ("3", "VIP"), ("2", "Wholesale"))
            for shop in ("evershop-main", "evershop-outlet")
        ],
    }
}

NEW_CUSTOMER_UUID = re.compile(
    r"evershop-outlet:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)
DATE_TEXT = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}")

INVALID_EMAIL_MESSAGE = "email must be a valid email address (e.g., user@example.com)"


def check_created(created: dict[str, Any], email: str) -> None:
    """The tour's mutation answer: a new EverShop customer in evershop-outlet."""
    assert NEW_CUSTOMER_UUID.fullmatch(created["uuid"]), created
    assert isinstance(created["customerId"], int)
    assert created["customerId"] > 35  # the outlet's seeded customers are 1..35
    assert DATE_TEXT.fullmatch(created["createdAt"]["text"]), created
    rest = {k: v for k, v in created.items() if k not in ("uuid", "customerId", "createdAt")}
    assert rest == {
        "email": email,
        "fullName": "Ada Lovelace",
        "status": 1,
        "group": {"groupName": "Default"},
    }


def without_typename(value: Any) -> Any:
    """Apollo's InMemoryCache adds `__typename` to every selection; drop it to compare."""
    if isinstance(value, dict):
        return {k: without_typename(v) for k, v in value.items() if k != "__typename"}
    if isinstance(value, list):
        return [without_typename(v) for v in value]
    return value
