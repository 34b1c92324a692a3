"""Every GraphQL error leaves with an `extensions.code`; unexpected ones are masked and logged.

Logs carry the code, source, operation name and path: never the query text or variables (they
hold e-mail addresses and passwords).
"""

from __future__ import annotations

import logging

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.types import ExecutionContext

from customer_gateway.core.errors import ErrorCode, GatewayError

logger = logging.getLogger("customer_gateway.graphql")

UNEXPECTED = "Unexpected error."
# What graphql-core's token limit (MaxTokensLimiter) says when a document is too big.
_LIMIT_MESSAGES = ("Document contains more than",)


def classify(error: GraphQLError) -> None:
    """Give `error` its code (in place); mask what is not ours to show."""
    original = error.original_error
    if isinstance(original, GatewayError):
        error.extensions = original.extensions
        return
    extensions = dict(error.extensions or {})
    if any(marker in error.message for marker in _LIMIT_MESSAGES):
        extensions["code"] = ErrorCode.QUERY_TOO_COMPLEX.value
    elif isinstance(error, GraphQLSyntaxError):
        extensions["code"] = ErrorCode.GRAPHQL_PARSE_FAILED.value
    elif (
        error.path is not None
        and (original is None or isinstance(original, GraphQLError))
        and error.message.startswith("Argument '")
    ):
        # graphql-core coerces a field's arguments when the field runs (a null variable for an
        # argument with a non-null type, say): the caller's input, not a bug.
        extensions["code"] = ErrorCode.BAD_USER_INPUT.value
        extensions["field"] = error.message.split("'")[1]
    elif error.path is None and (original is None or isinstance(original, GraphQLError)):
        # Document-level: a validation error, or variables that do not fit their types.
        document_level = ErrorCode.GRAPHQL_VALIDATION_FAILED
        if error.message.startswith("Variable "):
            document_level = ErrorCode.BAD_USER_INPUT
        extensions["code"] = document_level.value
    else:
        # An exception we did not raise on purpose, or a non-null violation: a bug. Mask it.
        error.message = UNEXPECTED
        error.original_error = None
        extensions = {"code": ErrorCode.INTERNAL.value}
    error.extensions = extensions


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    operation = execution_context.operation_name if execution_context else None
    for error in errors:
        original = error.original_error
        if original is not None and not isinstance(original, (GatewayError, GraphQLError)):
            logger.error(
                "unexpected error in operation %s at %s",
                operation or "-",
                error.path,
                exc_info=(type(original), original, original.__traceback__),
            )
        classify(error)
        extensions = error.extensions or {}
        logger.info(
            "graphql error code=%s source=%s operation=%s path=%s",
            extensions.get("code"),
            extensions.get("source", "-"),
            operation or "-",
            error.path or "-",
        )
