"""Mutation input rules, checked before any upstream call (EverShop's rules, the strictest).

Messages name the field and the rule, never the rejected value (it may be personal data).
"""

from __future__ import annotations

import re

from customer_gateway.connectors.base import Connector
from customer_gateway.connectors.errors import Unsupported
from customer_gateway.connectors.models import CustomerDraft, CustomerPatch, Write
from customer_gateway.errors import BadUserInput
from customer_gateway.ids import parse_global_id

# ajv-formats' "email" format (full mode), which EverShop validates customers with. ASCII flag:
# JavaScript's /i does not fold non-ASCII letters into [a-z] as Python's Unicode mode would.
EMAIL = re.compile(
    r"\A[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z",
    re.IGNORECASE | re.ASCII,
)
MIN_PASSWORD = 6
MAX_TEXT = 255


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
    if len(value) > MAX_TEXT:
        raise BadUserInput(f"fullName is longer than {MAX_TEXT} characters", field="fullName")
    return value


def status(value: int) -> int:
    if value not in (0, 1):
        raise BadUserInput("status must be 1 (enabled) or 0 (disabled)", field="status")
    return value


def password(value: str) -> str:
    if len(value) < MIN_PASSWORD:
        raise BadUserInput(f"password must be at least {MIN_PASSWORD} characters", field="password")
    return value


def phone(value: str) -> str:
    if not re.fullmatch(r"\+?[0-9][0-9 ()./-]{2,29}", value):
        raise BadUserInput(
            "phone must be 3 to 30 digits, optionally with a leading + and separators",
            field="phone",
        )
    return value


def group_id(value: str, source: str) -> str:
    """A group id for `source`: its gateway id `<source>:<id>` or the native id."""
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


def customer_draft(
    connector: Connector,
    *,
    email_: str,
    full_name_: str,
    password_: str | None,
    status_: int | None,
    group_id_: str | None,
    phone_: str | None,
) -> CustomerDraft:
    if password_ is None and connector.capabilities.create_requires_password:
        raise BadUserInput(
            f"password is required to create a customer in a {connector.kind} source",
            field="password",
        )
    return CustomerDraft(
        email=email(email_),
        full_name=full_name(full_name_),
        password=password(password_) if password_ is not None else None,
        status=status(status_) if status_ is not None else None,
        group_id=group_id(group_id_, connector.name) if group_id_ is not None else None,
        phone=phone(phone_) if phone_ is not None else None,
    )


def customer_patch(
    connector: Connector,
    *,
    email_: str | None,
    full_name_: str | None,
    password_: str | None,
    status_: int | None,
    group_id_: str | None,
    phone_: str | None,
) -> CustomerPatch:
    patch = CustomerPatch(
        email=email(email_) if email_ is not None else None,
        full_name=full_name(full_name_) if full_name_ is not None else None,
        password=password(password_) if password_ is not None else None,
        status=status(status_) if status_ is not None else None,
        group_id=group_id(group_id_, connector.name) if group_id_ is not None else None,
        phone=phone(phone_) if phone_ is not None else None,
    )
    if patch.is_empty():
        raise BadUserInput("input changes nothing: give at least one field", field="input")
    return patch


def group_name(value: str) -> str:
    if not value.strip():
        raise BadUserInput("groupName is required and cannot be empty", field="groupName")
    if len(value) > MAX_TEXT:
        raise BadUserInput(f"groupName is longer than {MAX_TEXT} characters", field="groupName")
    return value
