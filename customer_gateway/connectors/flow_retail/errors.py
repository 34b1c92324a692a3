"""Flow Retail's error answers (and a batch item's failure) → the gateway's typed errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from customer_gateway.connectors import errors
from customer_gateway.connectors.errors import UpstreamError
from customer_gateway.connectors.statuses import error_for_status, retry_after
from customer_gateway.connectors.transport import Answer


def error_for_response(source: str, response: Answer) -> UpstreamError:
    """A Flow Retail error answer (`{message}`) as the gateway's typed error."""
    status = response.status_code
    message = _message(response)
    if status == 429:
        return errors.UpstreamRateLimited(
            f"{source} is rate limiting the gateway",
            source=source,
            http_status=status,
            retry_after=retry_after(response),
        )
    if status == 403 and "EXTERNAL_CUSTOMER_SEARCH" in message:
        return errors.Unsupported(
            f"{source}: the tenant lacks the EXTERNAL_CUSTOMER_SEARCH extension",
            source=source,
            http_status=status,
        )
    if status == 403 and (permission := _PERMISSION.search(message)):
        return errors.UpstreamAuthFailed(
            f"{source}: the gateway's token lacks the {permission.group(1)} permission",
            source=source,
            http_status=status,
        )
    if status == 400:
        lowered = message.lower()
        field = next((name for word, name in _FIELD_WORDS if word in lowered), None)
        what = f"the value of {field}" if field else "the request"
        return errors.UpstreamRejected(
            f"{source} rejected {what}", source=source, field=field, http_status=status
        )
    if status == 413:
        return errors.UpstreamRejected(
            f"{source} refused the batch as too large", source=source, http_status=status
        )
    return error_for_status(source, status, retry_after(response))


_PERMISSION = re.compile(r"\b(TENANT\.[A-Z_]+)\b")


_FIELD_WORDS = (
    ("email", "email"),
    ("mobile", "phone"),
    ("firstname", "firstName"),
    ("lastname", "lastName"),
    ("companyname", "companyName"),
    ("vatnumber", "vatNumber"),
    ("customergroupuids", "groupIds"),
    ("storeuid", "storeId"),
    ("countrycode", "address.countryCode"),
    ("postalcode", "address.postcode"),
    # Flow's reference checks name the record, not the field: "Customer group 'x' not found".
    ("customer group", "groupIds"),
    ("store '", "storeId"),
)


def _message(response: Answer) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, Mapping) else None
    return message if isinstance(message, str) else ""


def item_error(source: str, status: int, error: Any) -> errors.UpstreamError:
    text = error if isinstance(error, str) else ""
    if status == 404:
        return errors.NotFound(f"{source} has no such customer", source=source, http_status=status)
    if status == 409:
        return errors.Conflict(f"{source} reports a conflict", source=source, http_status=status)
    if status == 403 and (permission := _PERMISSION.search(text)):
        return errors.UpstreamAuthFailed(
            f"{source}: the gateway's token lacks the {permission.group(1)} permission",
            source=source,
            http_status=status,
        )
    lowered = text.lower()
    field = next((name for word, name in _FIELD_WORDS if word in lowered), None)
    return errors.UpstreamRejected(
        f"{source} rejected this item (HTTP {status})",
        source=source,
        field=field,
        http_status=status,
    )
