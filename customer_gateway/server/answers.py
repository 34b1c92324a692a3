"""How /graphql's answers are shaped and encoded (Strawberry's view and the plain path,
server/plain_post.py, alike)."""

from __future__ import annotations

import json

import orjson
from starlette.types import Scope
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from customer_gateway.core.context import GatewayContext

GRAPHQL_RESPONSE = "application/graphql-response+json"


def shape_answer(
    processed: GraphQLHTTPResponse,
    result: ExecutionResult,
    context: GatewayContext | None,
    scope: Scope,
    accept: str | None,
) -> int | None:
    """An answer as the GraphQL-over-HTTP specification shapes it, `processed` changed in
    place: no `data` after a request error; the operation's summary in the request scope for
    the request log. The status when the answer is `application/graphql-response+json`
    (the client accepts it), None when it is `application/json` (always 200)."""
    if context is not None:
        scope.setdefault("state", {})["graphql"] = context.summary(result)
    if result.data is None and result.errors and all(e.path is None for e in result.errors):
        # A request error (parse, validation, variables, limits, credentials): execution
        # never began, so the GraphQL-over-HTTP specification says `data` is absent.
        processed.pop("data", None)
    if not accepts_graphql_response(accept):
        return None
    if result.data is None and result.errors:
        codes = {(e.extensions or {}).get("code") for e in result.errors}
        return 403 if "FORBIDDEN" in codes else 401 if "UNAUTHENTICATED" in codes else 400
    return 200


def encode_body(data: object) -> bytes:
    """A response body (and each subscription event): orjson, compact like Strawberry's
    `json.dumps(separators=(",", ":"))` and the same bytes for ASCII text, with two differences
    that are the same JSON values: other characters are written as UTF-8 rather than as `\\u`
    escapes, and a float's exponent has no leading zero (`1e-7`, not `1e-07`). What orjson
    refuses (an integer wider than 64 bits, a lone surrogate) is encoded by the standard library
    instead.
    Measured: bench/README.md, instructions per request."""
    try:
        return orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(data, separators=(",", ":")).encode()


def accepts_graphql_response(accept: str | None) -> bool:
    """True when the client prefers (or only takes) the GraphQL response media type."""
    if not accept:
        return False
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media == GRAPHQL_RESPONSE:
            return True
        if media in ("application/json", "*/*", "application/*"):
            return False
    return False
