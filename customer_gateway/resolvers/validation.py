"""Mutation input rules, checked before any upstream call (EverShop's rules, the strictest).

Messages name the field and the rule, never the rejected value (it may be personal data). Text
goes through `sendable.check_text`: no NUL, no lone surrogate, at most 255 characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from customer_gateway.connectors.errors import Unsupported
from customer_gateway.connectors.models import AddressDraft, CustomerDraft, CustomerPatch, Write
from customer_gateway.connectors.protocol import Connector
from customer_gateway.core.errors import BadUserInput
from customer_gateway.core.ids import parse_global_id
from customer_gateway.text.sendable import MAX_TEXT, check_text

# ajv-formats' "email" format (full mode), which EverShop validates customers with. ASCII flag:
# JavaScript's /i does not fold non-ASCII letters into [a-z] as Python's Unicode mode would.
EMAIL = re.compile(
    r"\A[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z",
    re.IGNORECASE | re.ASCII,
)
MIN_PASSWORD = 6


def email(value: str) -> str:
    if not EMAIL.match(value):
        raise BadUserInput(
            "email must be a valid email address (e.g., user@example.com)", field="email"
        )
    if len(value) > MAX_TEXT:
        raise BadUserInput(f"email is longer than {MAX_TEXT} characters", field="email")
    return value


def full_name(value: str) -> str:
    if not value.strip():
        raise BadUserInput("fullName is required and cannot be empty", field="fullName")
    return check_text(value, "fullName", field="fullName")


def status(value: int) -> int:
    if value not in (0, 1):
        raise BadUserInput("status must be 1 (enabled) or 0 (disabled)", field="status")
    return value


def password(value: str) -> str:
    if len(value) < MIN_PASSWORD:
        raise BadUserInput(f"password must be at least {MIN_PASSWORD} characters", field="password")
    return check_text(value, "password", field="password")


def phone(value: str) -> str:
    if not re.fullmatch(r"\+?[0-9][0-9 ()./-]{2,29}", value):
        raise BadUserInput(
            "phone must be 3 to 30 digits, optionally with a leading + and separators",
            field="phone",
        )
    return value


def group_id(value: str, source: str) -> str:
    """A group id for `source`: its gateway id `<source>:<id>` or the native id."""
    check_text(value, "groupId", field="groupId")
    if not value.isprintable():
        raise BadUserInput("groupId contains a control character", field="groupId")
    parsed = parse_global_id(value)
    if parsed is None:
        return value
    if parsed[0] != source:
        raise BadUserInput(
            f"groupId names a group of source {parsed[0]!r}, not of {source!r}", field="groupId"
        )
    return parsed[1]


def require_write(connector: Connector, writes: frozenset[Write], write: Write, what: str) -> None:
    if write not in writes:
        raise Unsupported(f"{connector.kind} sources have no API to {what}", source=connector.name)


# Input fields every source takes unless its capabilities say otherwise.
def _unsupported_fields(connector: Connector, given: Mapping[str, Any]) -> None:
    writable = connector.capabilities.writable_fields
    for name, value in given.items():
        names = [f"{name}.{part}" for part in value] if name == "address" else [name]
        for field in names:
            if value is not None and field not in writable:
                raise Unsupported(
                    f"{connector.kind} sources do not store {field}",
                    source=connector.name,
                    field=field,
                )


def _address(given: Mapping[str, Any]) -> AddressDraft | None:
    """The address parts given, checked (the parts a source stores were checked before)."""
    parts = given.get("address")
    if parts is None:
        return None
    if not parts:
        raise BadUserInput("address changes nothing: give at least one part", field="address")
    country = parts.get("countryCode")
    if country is not None and not re.fullmatch(r"[A-Za-z]{2}", country):
        raise BadUserInput(
            "address.countryCode is an ISO 3166-1 alpha-2 code (2 letters)",
            field="address.countryCode",
        )
    return AddressDraft(
        address1=_text("address.address1", parts.get("address1")),
        address2=_text("address.address2", parts.get("address2")),
        city=_text("address.city", parts.get("city")),
        postcode=_text("address.postcode", parts.get("postcode")),
        country_code=country.upper() if country is not None else None,
        province_code=_text("address.provinceCode", parts.get("provinceCode")),
    )


def _names(given: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(full, first, last): a full name from the parts when only the parts are given."""
    full, first, last = given.get("fullName"), given.get("firstName"), given.get("lastName")
    if full is None and (first or last):
        full = " ".join(part for part in (first, last) if part)
    return full, first, last


def _groups(connector: Connector, given: Mapping[str, Any]) -> tuple[str, ...] | None:
    one, many = given.get("groupId"), given.get("groupIds")
    if one is not None and many is not None:
        raise BadUserInput("give groupId or groupIds, not both", field="groupIds")
    if one is None and many is None:
        return None
    values: list[str] = [one] if one is not None else list(many or [])
    ids = tuple(group_id(value, connector.name) for value in values)
    if len(ids) > 1 and not connector.capabilities.multi_group:
        raise Unsupported(
            f"{connector.kind} customers are in one group at most",
            source=connector.name,
            field="groupIds",
        )
    return tuple(dict.fromkeys(ids))


def customer_draft(connector: Connector, given: Mapping[str, Any]) -> CustomerDraft:
    """A create input checked against EverShop's rules and what the source can store."""
    _unsupported_fields(connector, given)
    full, first, last = _names(given)
    if full is None and connector.capabilities.create_requires_name:
        raise BadUserInput(
            f"fullName is required to create a customer in a {connector.kind} source",
            field="fullName",
        )
    password_ = given.get("password")
    if password_ is None and connector.capabilities.create_requires_password:
        raise BadUserInput(
            f"password is required to create a customer in a {connector.kind} source",
            field="password",
        )
    status_, phone_, company, vat = (
        given.get(k) for k in ("status", "phone", "companyName", "vatNumber")
    )
    return CustomerDraft(
        email=email(given["email"]),
        full_name=full_name(full) if full is not None else None,
        password=password(password_) if password_ is not None else None,
        status=status(status_) if status_ is not None else None,
        group_ids=_groups(connector, given) or (),
        phone=phone(phone_) if phone_ is not None else None,
        first_name=_text("firstName", first),
        last_name=_text("lastName", last),
        company_name=_text("companyName", company),
        vat_number=_text("vatNumber", vat),
        address=_address(given),
    )


def customer_patch(connector: Connector, given: Mapping[str, Any]) -> CustomerPatch:
    _unsupported_fields(connector, given)
    full, first, last = _names(given)
    email_, password_, status_, phone_, company, vat = (
        given.get(k) for k in ("email", "password", "status", "phone", "companyName", "vatNumber")
    )
    patch = CustomerPatch(
        email=email(email_) if email_ is not None else None,
        full_name=full_name(full) if full is not None else None,
        password=password(password_) if password_ is not None else None,
        status=status(status_) if status_ is not None else None,
        group_ids=_groups(connector, given),
        phone=phone(phone_) if phone_ is not None else None,
        first_name=_text("firstName", first),
        last_name=_text("lastName", last),
        company_name=_text("companyName", company),
        vat_number=_text("vatNumber", vat),
        address=_address(given),
    )
    if patch.is_empty():
        raise BadUserInput("input changes nothing: give at least one field", field="input")
    return patch


def _text(field: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadUserInput(f"{field} cannot be empty", field=field)
    return check_text(value, field, field=field)


def group_name(value: str) -> str:
    if not value.strip():
        raise BadUserInput("groupName is required and cannot be empty", field="groupName")
    return check_text(value, "groupName", field="groupName")
