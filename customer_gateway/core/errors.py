"""The gateway's closed set of error codes and the exception that carries one.

Every error a client can see has `extensions.code` from `ErrorCode`. Messages are written here or
by the code that raises, never copied from an upstream body (bodies may hold other customers'
data or tokens).
"""

from __future__ import annotations

import enum
from typing import Any


class ErrorCode(enum.Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    UNSUPPORTED_OPERATION = "UNSUPPORTED_OPERATION"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_IN_PROGRESS = "IDEMPOTENCY_IN_PROGRESS"
    IDEMPOTENCY_UNAVAILABLE = "IDEMPOTENCY_UNAVAILABLE"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    DOCUMENT_NOT_TRUSTED = "DOCUMENT_NOT_TRUSTED"
    SUBSCRIBER_TOO_SLOW = "SUBSCRIBER_TOO_SLOW"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
    UPSTREAM_RATE_LIMITED = "UPSTREAM_RATE_LIMITED"
    UPSTREAM_AUTH_FAILED = "UPSTREAM_AUTH_FAILED"
    UPSTREAM_REJECTED = "UPSTREAM_REJECTED"
    UPSTREAM_BAD_RESPONSE = "UPSTREAM_BAD_RESPONSE"
    INTERNAL = "INTERNAL"


class GatewayError(Exception):
    """An error with a code. graphql-core copies `extensions` into the response."""

    code: ErrorCode = ErrorCode.INTERNAL
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        source: str | None = None,
        field: str | None = None,
        http_status: int | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable
        self.source = source
        self.field = field
        self.http_status = http_status
        self.retry_after = retry_after

    @property
    def extensions(self) -> dict[str, Any]:
        extensions: dict[str, Any] = {"code": self.code.value, "retryable": self.retryable}
        if self.source is not None:
            extensions["source"] = self.source
        if self.field is not None:
            extensions["field"] = self.field
        if self.http_status is not None:
            extensions["httpStatus"] = self.http_status
        if self.retry_after is not None:
            extensions["retryAfter"] = self.retry_after
        return extensions

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code.value})"


class BadUserInput(GatewayError):
    code = ErrorCode.BAD_USER_INPUT


class QueryTooComplex(GatewayError):
    code = ErrorCode.QUERY_TOO_COMPLEX


class Forbidden(GatewayError):
    code = ErrorCode.FORBIDDEN
