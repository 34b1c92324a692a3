"""Ecwid's error answers (both dialects) → the gateway's typed errors."""

from __future__ import annotations

import re
from typing import Final

from customer_gateway.connectors.ecwid.dialects import Dialect
from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    Unsupported,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
)
from customer_gateway.connectors.statuses import error_for_status, retry_after
from customer_gateway.connectors.transport import Answer


def error_for_response(source: str, response: Answer, dialect: Dialect) -> UpstreamError:
    """An Ecwid error answer as the gateway's typed error. `errorMessage` is read (through the
    dialect) only to name the refused field and the missing scope, never repeated."""
    status = response.status_code
    path = response.path
    message = dialect.error_message(response)  # read, never repeated
    groups = "/customer_groups" in path
    what = "customer group" if groups else "customer"
    if status == 429:
        return UpstreamRateLimited(
            f"{source} is rate limiting the gateway (Ecwid allows 600 requests a minute)",
            source=source,
            http_status=status,
            retry_after=retry_after(response),
        )
    if status == 402:
        return Unsupported(
            f"{source}: the Ecwid plan lacks customer groups"
            if groups
            else f"{source}: the store's Ecwid plan does not include the API",
            source=source,
            http_status=status,
        )
    if status in (401, 403):
        scope = _SCOPE_IN_MESSAGE.search(message)
        lacking = f" (the token lacks the {scope.group(1)} scope)" if scope else ""
        return UpstreamAuthFailed(
            f"{source} refused the gateway's credentials{lacking}",
            source=source,
            http_status=status,
        )
    if status == 404:
        if dialect.is_entity_path(path):
            return NotFound(f"{source} has no such {what}", source=source, http_status=status)
        # A list route that is not there: the store id (or the wrapper's path) is wrong.
        return UpstreamAuthFailed(
            f"{source} does not know the configured store (check the store id, base_url "
            "and path_prefix)",
            source=source,
            http_status=status,
        )
    if status == 409:
        return Conflict(
            f"{source} already has a {what} with this email"
            if not groups
            else f"{source} reports a conflict",
            source=source,
            field=None if groups else "email",
            http_status=status,
        )
    if status == 415:
        return UpstreamRejected(
            f"{source} did not accept the request's content type",
            source=source,
            http_status=status,
        )
    if status == 400:
        field = _refused_field(message)
        return UpstreamRejected(
            f"{source} rejected the value of {field}"
            if field
            else f"{source} rejected the request",
            source=source,
            field=field,
            http_status=status,
        )
    return error_for_status(source, status, retry_after(response))


# `Field <Entity>.<path>` in Ecwid's 400 texts → the gateway's input field.
_FIELD_PATHS: Final = {
    "email": "email",
    "password": "password",
    "customerGroupId": "groupId",
    "billingPerson.name": "fullName",
    "billingPerson.firstName": "fullName",
    "billingPerson.lastName": "fullName",
    "billingPerson.phone": "phone",
    "billingPerson.companyName": "companyName",
    "taxId": "vatNumber",
    "billingPerson.street": "address.address1",
    "billingPerson.city": "address.city",
    "billingPerson.postalCode": "address.postcode",
    "billingPerson.countryCode": "address.countryCode",
    "billingPerson.stateOrProvinceCode": "address.provinceCode",
    "CustomerMembership.name": "groupName",
}


_FIELD_IN_MESSAGE: Final = re.compile(r"\bField (\w+)\.([\w.]+)")


_SCOPE_IN_MESSAGE: Final = re.compile(r"\b((?:read|create|update|delete)_[a-z_]+)\b")


def _refused_field(message: str) -> str | None:
    """The gateway input field an Ecwid 400 text names, if any."""
    if message.startswith("Invalid email"):
        return "email"
    if message.startswith("Customer group with id"):
        return "groupId"
    found = _FIELD_IN_MESSAGE.search(message)
    if found is None:
        return None
    entity, path = found.groups()
    return _FIELD_PATHS.get(path) or _FIELD_PATHS.get(f"{entity}.{path}")
