"""Shoptet's error answers → the gateway's typed errors."""

from __future__ import annotations

from collections.abc import Mapping

from customer_gateway.connectors import errors
from customer_gateway.connectors.errors import UpstreamError
from customer_gateway.connectors.statuses import error_for_status, retry_after
from customer_gateway.connectors.transport import Answer


def error_for_response(source: str, response: Answer) -> UpstreamError:
    """Shoptet's `{data, errors}` envelope: the first error's code and instance say what."""
    status = response.status_code
    code, instance = _first_error(response)
    if status == 429:
        return errors.UpstreamRateLimited(
            f"{source} is rate limiting the gateway (Shoptet allows 3 requests in flight "
            "and a bucket of 200)",
            source=source,
            http_status=status,
            retry_after=retry_after(response),
        )
    if code in ("customer-not-found", "customer-group-not-found", "job-not-found"):
        return errors.NotFound(f"{source} has no such record", source=source, http_status=status)
    if code == "customer-group-delete-blocked":
        return errors.Conflict(
            f"{source}: the default customer group cannot be deleted",
            source=source,
            http_status=status,
        )
    if code == "missing-module":
        return errors.Unsupported(
            f"{source}: the e-shop lacks the Shoptet module this needs (wholesale)",
            source=source,
            http_status=status,
        )
    if status == 423:
        return errors.Conflict(
            f"{source} is still running an identical write; this one was not applied",
            source=source,
            http_status=status,
        )
    if status == 422 or status == 400:
        field = _FIELDS.get(instance or "")
        what = f"the value of {field}" if field else "the request"
        return errors.UpstreamRejected(
            f"{source} rejected {what}", source=source, field=field, http_status=status
        )
    return error_for_status(source, status, retry_after(response))


# Input paths in Shoptet's validation errors (`instance`) → the gateway's input fields.
_FIELDS = {
    "data.account.email": "email",
    "data.account.fullName": "fullName",
    "data.account.phone": "phone",
    "data.email": "email",
    "data.fullName": "fullName",
    "data.phone": "phone",
    "data.customerGroupCode": "groupId",
    "data.billingAddress.fullName": "fullName",
    "data.billingAddress.company": "companyName",
    "data.billingAddress.vatId": "vatNumber",
    "data.billingAddress.taxId": "vatNumber",
    "data.billingAddress.street": "address.address1",
    "data.billingAddress.additional": "address.address2",
    "data.billingAddress.city": "address.city",
    "data.billingAddress.zip": "address.postcode",
    "data.billingAddress.countryCode": "address.countryCode",
    "data.billingAddress.regionName": "address.provinceCode",
    "data.name": "groupName",
}


def _first_error(response: Answer) -> tuple[str | None, str | None]:
    try:
        body = response.json()
    except ValueError:
        return None, None
    if isinstance(body, Mapping) and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        if isinstance(first, Mapping):
            code = first.get("errorCode")
            instance = first.get("instance")
            return (
                code if isinstance(code, str) else None,
                instance if isinstance(instance, str) else None,
            )
    return None, None
