"""Reading an upstream's answer: a JSON body, a Retry-After, the typed error for a status."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from customer_gateway.connectors.errors import (
    Conflict,
    NotFound,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
)
from customer_gateway.connectors.resilience import (
    MAX_RETRY_AFTER,
)
from customer_gateway.connectors.transport import Answer
from customer_gateway.text import json_bytes
from customer_gateway.text.digits import is_ascii_digits


def parse_json(source: str, response: Answer) -> Any:
    try:
        return json_bytes.loads(response.content)  # response.json()'s value, faster
    except ValueError:
        raise UpstreamBadResponse(
            f"{source} answered with a body that is not JSON",
            source=source,
            http_status=response.status_code,
        ) from None


def error_for_status(
    source: str, status: int, retry_after_seconds: float | None = None
) -> UpstreamError:
    """The status-only mapping, for upstreams whose error bodies say nothing more."""

    if status == 429:
        return UpstreamRateLimited(
            f"{source} is rate limiting the gateway",
            source=source,
            http_status=status,
            retry_after=retry_after_seconds,
        )
    if status in (401, 403):
        return UpstreamAuthFailed(
            f"{source} refused the gateway's credentials", source=source, http_status=status
        )
    if status == 404:
        return NotFound(f"{source} has no such record", source=source, http_status=status)
    if status == 409:
        return Conflict(f"{source} reports a conflict", source=source, http_status=status)
    if status >= 500:
        return UpstreamUnavailable(
            f"{source} failed with HTTP {status}",
            source=source,
            http_status=status,
            retry_after=retry_after_seconds,
        )
    return UpstreamRejected(
        f"{source} rejected the request (HTTP {status})", source=source, http_status=status
    )


def retry_after(response: Answer) -> float | None:
    """Retry-After in seconds, from either form RFC 9110 allows (delay-seconds or HTTP-date),
    at most `MAX_RETRY_AFTER` (`99999999999999999999` or a date in year 9999 is one hour)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if is_ascii_digits(value):
        # Compared as text first: int() refuses more than 4,300 digits, float() says inf.
        return MAX_RETRY_AFTER if len(value) > 6 else min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER)
