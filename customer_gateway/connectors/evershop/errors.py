"""EverShop's error answers → the gateway's typed errors.

Errors arrive as `{"error": {"status", "message"}}`, validation and duplicates as HTTP 500, and so
do PostgreSQL's errors about a value (a bad LIKE pattern, a NUL): those are the caller's
(UPSTREAM_REJECTED), never retried or counted as an outage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
)
from customer_gateway.connectors.statuses import error_for_status, retry_after
from customer_gateway.connectors.transport import Answer


def error_for_response(source: str, response: Answer) -> UpstreamError:
    """EverShop's `{"error": {"status", "message"}}`, validation and PostgreSQL's errors as
    HTTP 500 included, as the gateway's typed errors."""
    message = _error_message(response)
    status = response.status_code
    if status == 429:
        return UpstreamRateLimited(
            f"{source} is rate limiting the gateway",
            source=source,
            http_status=status,
            retry_after=retry_after(response),
        )
    if message == "Invalid customer id" or message == "Requested customer not found":
        return NotFound(f"{source} has no such customer", source=source, http_status=status)
    if "FK_CUSTOMER_GROUP" in message:
        # A group id that names no group: the input is wrong, retrying cannot help.
        return UpstreamRejected(
            f"{source} has no customer group with this id",
            source=source,
            field="groupId",
            http_status=status,
        )
    if message == "Email is already used" or "EMAIL_UNIQUE" in message:
        return Conflict(
            f"{source} already has a customer with this email",
            source=source,
            field="email",
            http_status=status,
        )
    if field := _VALIDATION_FIELDS.get(message.split(" ")[0] if message else ""):
        return UpstreamRejected(
            f"{source} rejected the value of {field}",
            source=source,
            field=field,
            http_status=status,
        )
    if message.startswith("must have required property"):
        return UpstreamRejected(
            f"{source} rejected the input: a required field is missing",
            source=source,
            http_status=status,
        )
    for pattern, what, field in _INPUT_ERRORS:
        if pattern.search(message):
            # The request's values explain the 500: the caller's error, not an outage (not
            # retried, not counted by the breaker). The message is ours, never PostgreSQL's,
            # which quotes the value.
            return UpstreamRejected(
                f"{source} refused a value of the request: {what}",
                source=source,
                field=field,
                http_status=status,
            )
    return error_for_status(source, status, retry_after(response))


# First word of EverShop's ajv-errors messages (customerDataSchema.json) → the gateway field.
_VALIDATION_FIELDS = {
    "Email": "email",
    "Password": "password",
    "Full": "fullName",
    "Status": "status",
}


# PostgreSQL errors EverShop forwards as HTTP 500 that a value of the request explains (SQLSTATE
# classes 22, data exception, and 23, integrity constraint violation): (the message, what the
# gateway says instead, the input field when the message tells which).
_INPUT_ERRORS: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    (
        re.compile(r"^LIKE pattern must not end with escape character"),
        "a LIKE pattern that ends with the escape character \\",
        None,
    ),
    (
        re.compile(r'^invalid byte sequence for encoding "'),
        "text with a character PostgreSQL cannot store (NUL)",
        None,
    ),
    (re.compile(r"^invalid input syntax for type "), "a value of the wrong form", None),
    (
        re.compile(
            r'^value "[^"]*" is out of range for type |^(small|big)?int(eger)? out of range'
        ),
        "a number out of range",
        None,
    ),
    (re.compile(r"^value too long for type "), "a value that is too long", None),
    (re.compile(r"^unsupported Unicode escape sequence"), "text it cannot store", None),
    (re.compile(r"^null value in column "), "a required value is missing", None),
    (
        re.compile(r'violates foreign key constraint "FK_CUSTOMER_GROUP"'),
        "there is no customer group with this id",
        "groupId",
    ),
    (re.compile(r"violates (foreign key|check) constraint "), "a value it does not allow", None),
)


def _error_message(response: Answer) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            return str(error["message"])
    return ""
