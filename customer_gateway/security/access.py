"""Credentials for the routes beside /graphql.

`/exports/{id}` needs the `read` scope (and then the export's owner, checked by the route);
`/metrics` and `/readyz` need `ops`: they tell which sources exist, how they fail and how the
gateway is used. Where authentication is not required (development, the sandbox) anonymous
callers are served, as on /graphql; credentials that are given are always checked. `/healthz`
stays open: it only says that the process answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from customer_gateway.security.auth import Authenticator, Unauthenticated

Endpoint = Callable[[Request], Awaitable[Response]]
CHALLENGE = 'Bearer, ApiKey header="X-API-Key"'


def requires(scope: str, authenticator: Authenticator, endpoint: Endpoint) -> Endpoint:
    """`endpoint` for callers with `scope`; the caller goes to `request.state.principal`."""

    async def guarded(request: Request) -> Response:
        try:
            principal = authenticator.authenticate(request.headers)
        except Unauthenticated as refusal:
            return refused(401, "UNAUTHENTICATED", str(refusal), {"www-authenticate": CHALLENGE})
        if not principal.may(scope):
            message = f"This caller's credentials lack the {scope!r} scope."
            return refused(403, "FORBIDDEN", message)
        request.state.principal = principal
        return await endpoint(request)

    return guarded


def refused(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)
