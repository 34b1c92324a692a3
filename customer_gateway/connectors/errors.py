"""Errors a connector raises. Nothing else leaves `connectors/`: no httpx error, no upstream body.

GatewayError
└── UpstreamError               (always names its source)
    ├── UpstreamUnavailable     connection refused/reset, 5xx        retryable
    ├── UpstreamTimeout         connect/read/total deadline passed   retryable
    ├── UpstreamRateLimited     429 (carries Retry-After seconds)    retryable
    ├── UpstreamAuthFailed      the gateway's credentials were refused
    ├── UpstreamRejected        the upstream refused the input (4xx, or EverShop's 500s)
    ├── UpstreamBadResponse     malformed JSON, wrong envelope, wrong types
    ├── NotFound                the id does not exist in that source
    ├── Conflict                duplicate (e.g. email already used)
    ├── Unsupported             the source has no API for this operation
    └── Unsendable              BAD_USER_INPUT: a NUL or a lone surrogate, refused before sending
"""

from __future__ import annotations

from customer_gateway.core.errors import ErrorCode, GatewayError


class UpstreamError(GatewayError):
    def __init__(
        self,
        message: str,
        *,
        source: str,
        field: str | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            source=source,
            field=field,
            http_status=http_status,
            retry_after=retry_after,
        )


class UpstreamUnavailable(UpstreamError):
    code = ErrorCode.UPSTREAM_UNAVAILABLE
    retryable = True


class UpstreamTimeout(UpstreamError):
    code = ErrorCode.UPSTREAM_TIMEOUT
    retryable = True


class UpstreamRateLimited(UpstreamError):
    code = ErrorCode.UPSTREAM_RATE_LIMITED
    retryable = True


class UpstreamAuthFailed(UpstreamError):
    code = ErrorCode.UPSTREAM_AUTH_FAILED


class UpstreamRejected(UpstreamError):
    code = ErrorCode.UPSTREAM_REJECTED


class UpstreamBadResponse(UpstreamError):
    code = ErrorCode.UPSTREAM_BAD_RESPONSE
    retryable = True


class NotFound(UpstreamError):
    code = ErrorCode.NOT_FOUND


class Conflict(UpstreamError):
    code = ErrorCode.CONFLICT


class Unsupported(UpstreamError):
    code = ErrorCode.UNSUPPORTED_OPERATION


class Unsendable(UpstreamError):
    """A value no source can take (a NUL, a lone surrogate), found before anything was sent.

    The resolvers refuse these by field first; this is the net under every connector, for
    input that reaches a request by a way they do not check."""

    code = ErrorCode.BAD_USER_INPUT
