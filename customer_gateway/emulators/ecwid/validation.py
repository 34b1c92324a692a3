"""Request-body checks for the customer and customer-group writes (README 3.3): 400 + message.

Assumptions: unknown and read-only fields (`id`, `name`, `registered`, `stats`, ...) are
ignored; `null` means "not given" except for `acceptMarketing`, where it is a value.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final, TypedDict, cast

from .payloads import EcwidError, Person

_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")
PERSON_FIELDS: Final = (
    "name", "firstName", "lastName", "companyName", "street", "city", "countryCode",
    "countryName", "postalCode", "stateOrProvinceCode", "stateOrProvinceName", "phone",
)  # fmt: skip
ADDRESS_FIELDS: Final = tuple(f for f in PERSON_FIELDS if f not in ("firstName", "lastName"))
CONTACT_TYPES: Final = frozenset(
    {
        "EMAIL", "PHONE", "FACEBOOK", "INSTAGRAM", "TWITTER", "YOUTUBE", "TIKTOK",
        "PINTEREST", "VK", "FB_MESSENGER", "WHATSAPP", "TELEGRAM", "VIBER", "URL", "OTHER",
    }
)  # fmt: skip
_STRINGS: Final = (
    "email", "password", "taxId", "b2b_b2c", "fiscalCode", "electronicInvoicePecEmail",
    "electronicInvoiceSdiCode", "lang", "privateAdminNotes",
)  # fmt: skip
_BOOLEANS: Final = ("taxIdValid", "taxExempt")


class AddressInput(TypedDict, total=False):
    name: str
    companyName: str
    street: str
    city: str
    countryCode: str
    countryName: str
    postalCode: str
    stateOrProvinceCode: str
    stateOrProvinceName: str
    phone: str
    defaultAddress: bool


class ContactInput(TypedDict):
    contact: str
    type: str
    default: bool
    orderBy: int | None


class CustomerInput(TypedDict, total=False):
    email: str
    password: str
    customerGroupId: int
    billingPerson: Person
    shippingAddresses: list[AddressInput]
    contacts: list[ContactInput]
    taxId: str
    taxIdValid: bool
    taxExempt: bool
    b2b_b2c: str
    fiscalCode: str
    electronicInvoicePecEmail: str
    electronicInvoiceSdiCode: str
    acceptMarketing: bool | None
    lang: str
    privateAdminNotes: str


def parse_json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        raise EcwidError.bad_request("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise EcwidError.bad_request("Request body must be a JSON object")
    return body


def _wrong_type(path: str, expected: str) -> EcwidError:
    return EcwidError.bad_request(f"Field Customer.{path} has a wrong type: expected {expected}")


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise _wrong_type(path, "string")
    return value


def _boolean(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type(path, "boolean")
    return value


def _object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong_type(path, "object")
    return value


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _wrong_type(path, "array")
    return value


def check_email(email: str) -> str:
    email = email.strip()
    if not _EMAIL.match(email):
        raise EcwidError.bad_request(f"Invalid email: '{email}'")
    return email


def _person(value: object, path: str, fields: tuple[str, ...]) -> dict[str, str]:
    raw = _object(value, path)
    return {
        name: _string(raw[name], f"{path}.{name}") for name in fields if raw.get(name) is not None
    }


def _contact(value: object, path: str) -> ContactInput:
    raw = _object(value, path)
    if raw.get("contact") is None:
        raise EcwidError.bad_request(f"Field Customer.{path}.contact is absent")
    kind = _string(raw.get("type", "EMAIL"), f"{path}.type")
    if kind not in CONTACT_TYPES:
        raise EcwidError.bad_request(f"Field Customer.{path}.type has an unknown value '{kind}'")
    order_by = raw.get("orderBy")
    if order_by is not None and (not isinstance(order_by, int) or isinstance(order_by, bool)):
        raise _wrong_type(f"{path}.orderBy", "number")
    return {
        "contact": _string(raw["contact"], f"{path}.contact"),
        "type": kind,
        "default": _boolean(raw.get("default", False), f"{path}.default"),
        "orderBy": order_by,
    }


def customer_input(body: dict[str, Any], *, creating: bool) -> CustomerInput:
    """The writable fields of a `POST`/`PUT /customers` body, type-checked."""
    result: dict[str, Any] = {}
    for name in _STRINGS:
        if body.get(name) is not None:
            result[name] = _string(body[name], name)
    for name in _BOOLEANS:
        if body.get(name) is not None:
            result[name] = _boolean(body[name], name)
    if "email" in result:
        result["email"] = check_email(result["email"])
    elif creating:
        raise EcwidError.bad_request("Field Customer.email is absent")
    if "acceptMarketing" in body:
        marketing = body["acceptMarketing"]
        result["acceptMarketing"] = (
            None if marketing is None else _boolean(marketing, "acceptMarketing")
        )
    group = body.get("customerGroupId")
    if group is not None:
        if not isinstance(group, int) or isinstance(group, bool) or group < 0:
            raise _wrong_type("customerGroupId", "non-negative number")
        result["customerGroupId"] = group
    if result.get("b2b_b2c", "b2c") not in ("b2b", "b2c"):
        raise EcwidError.bad_request("Field Customer.b2b_b2c must be 'b2b' or 'b2c'")
    if body.get("billingPerson") is not None:
        result["billingPerson"] = _person(body["billingPerson"], "billingPerson", PERSON_FIELDS)
    if body.get("shippingAddresses") is not None:
        addresses: list[dict[str, Any]] = []
        for index, raw in enumerate(_list(body["shippingAddresses"], "shippingAddresses")):
            path = f"shippingAddresses[{index}]"
            address: dict[str, Any] = _person(raw, path, ADDRESS_FIELDS)
            if raw.get("defaultAddress") is not None:
                address["defaultAddress"] = _boolean(raw["defaultAddress"], f"{path}.default")
            addresses.append(address)
        result["shippingAddresses"] = addresses
    if body.get("contacts") is not None:
        contacts = _list(body["contacts"], "contacts")
        result["contacts"] = [_contact(raw, f"contacts[{i}]") for i, raw in enumerate(contacts)]
    return cast(CustomerInput, result)


def group_name(body: dict[str, Any]) -> str:
    """`POST`/`PUT /customer_groups` need a non-empty `name` (README 3.1's sample message)."""
    name = body.get("name")
    if name is None or (isinstance(name, str) and not name.strip()):
        raise EcwidError.bad_request("Field CustomerMembership.name is absent")
    if not isinstance(name, str):
        raise EcwidError.bad_request("Field CustomerMembership.name has a wrong type")
    return name.strip()
