"""EverShop 2.2.1's customer API as an ASGI app.

Request pipeline, in EverShop's middleware order: rate limiter -> route match (else the 404
page) -> route body parser -> jwtUserAuth/jwtCustomerAuth -> auth -> payloadValidate ->
escapeHtml -> handler (createCustomer and the GraphQL handler run before escapeHtml).
"""

from __future__ import annotations

import base64
import hashlib
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Self
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.types import Receive, Scope, Send

from customer_gateway.emulators.base import Clock, Emulator
from customer_gateway.emulators.http import Missing, Router

from .auth import AdminAuth, Reply
from .escape import escape_payload
from .graphql_api import GraphQLEndpoint
from .node.ajv import (
    REFRESH_TOKEN_PAYLOAD_SCHEMA,
    UPDATE_CUSTOMER_PAYLOAD_SCHEMA,
    USER_TOKEN_PAYLOAD_SCHEMA,
    Schema,
    first_error,
)
from .node.bodyparser import BodyParserError, parse_json_body
from .node.js import stringify
from .pg import Collation
from .pool import POOL_SIZE, ConnectionPool
from .ratelimit import API_MESSAGE, PAGE_MESSAGE, RateLimiter, is_api_path
from .rest import CustomerApi
from .seed import REFERENCE_DATE, fake_bcrypt, populate
from .store import Database, public_customer

_NOT_FOUND_PAGE: Final = (
    "<!DOCTYPE html><html><head><title>Not found</title></head>"
    "<body><h1>Not found</h1></body></html>"
)

Handler = Callable[["_Call"], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class _Route:
    route_id: str
    methods: tuple[str, ...]
    path: str  # an Express path (path-to-regexp 1.x)
    public: bool
    parses_body: bool
    schema: Schema | None
    # A handler file named `[bodyParser]x.js` only declares `after: bodyParser`, so the global
    # `escapeHtml` (which other route handlers wait for by default) runs after it: too late.
    escapes_html: bool = True


@dataclass(frozen=True, slots=True)
class _Call:
    route: _Route
    params: dict[str, str]
    body: Any


_ROUTES: Final = (
    _Route(
        "getUserToken",
        ("POST",),
        "/api/user/tokens",
        public=True,
        parses_body=True,
        schema=USER_TOKEN_PAYLOAD_SCHEMA,
    ),
    _Route(
        "refreshUserToken",
        ("POST",),
        "/api/user/token/refresh",
        public=True,
        parses_body=True,
        schema=REFRESH_TOKEN_PAYLOAD_SCHEMA,
    ),
    _Route(
        "createCustomer",
        ("POST",),
        "/api/customers",
        public=True,
        parses_body=True,
        schema=None,  # validated by the service, whose errors are 500s
        escapes_html=False,  # `[bodyParser]createCustomer.js`
    ),
    _Route(
        "updateCustomer",
        ("PATCH",),
        "/api/customers/:id",
        public=False,
        parses_body=True,
        schema=UPDATE_CUSTOMER_PAYLOAD_SCHEMA,
    ),
    _Route(
        "deleteCustomer",
        ("DELETE",),
        "/api/customers/:id",
        public=False,
        parses_body=False,  # no route-level body parser: `request.body` stays undefined
        schema=None,
    ),
    _Route(
        "adminGraphql",
        ("GET", "POST"),
        "/api/admin/graphql",
        public=False,
        parses_body=True,
        schema=None,
        escapes_html=False,  # `[bodyParser]graphql.js`
    ),
)


class EverShopEmulator(Emulator):
    kind = "evershop"

    @classmethod
    def create(cls, *, seed: int, customers: int, rate_limits: bool = True) -> Self:
        return cls(seed=seed, customers=customers, rate_limits=rate_limits)

    def __init__(
        self,
        *,
        seed: int = 1,
        customers: int = 40,
        admin_email: str = "admin@example.com",
        admin_password: str = "admin-password",  # noqa: S107 - documented demo credential
        jwt_admin_secret: str = "emulator-admin-secret",  # noqa: S107
        jwt_admin_refresh_secret: str = "emulator-refresh-secret",  # noqa: S107
        jwt_customer_secret: str | None = "emulator-customer-secret",  # noqa: S107
        access_token_ttl: int = 900,
        refresh_token_ttl: int = 54_000,
        rate_limits: bool = True,
        clock: Clock = time.time,
        collation: Collation = "en_US",
        server_timezone: str = "UTC",
        trust_proxy_hops: int = 1,
        node_version: int = 20,
        stable_ties: bool = False,
        db_pool_size: int = POOL_SIZE,
    ) -> None:
        """`collation`, `server_timezone` and `trust_proxy_hops` stand for deployment settings
        the real shop leaves open: the database's collation (`en_US` is glibc's en_US.UTF-8,
        the postgres image default, from glibc's own weights; `C` is byte order), the Node
        process's TZ (for `createdAt.text`), and TRUST_PROXY_HOPS (default 1: the rightmost
        X-Forwarded-For entry, or the socket address, is the client IP the rate limiter counts).
        `jwt_customer_secret` is JWT_CUSTOMER_SECRET: customer bearer tokens are verified with
        it (None: EverShop's "not configured" 401 for any customer token). `node_version` is the
        Node.js major EverShop runs on: from 22 on, JSON.parse errors (which body-parser forwards
        to clients) end in "(line L column C)". Rows whose sort key ties come out as Postgres's
        unstable sorts leave them (which differs with LIMIT/OFFSET, so pages over ties may repeat
        or skip rows, as on a real shop); `stable_ties=True` keeps them in table order instead, a
        deterministic stand-in for tests of merge logic that EverShop itself never offers.
        `db_pool_size` is the node-postgres pool EverShop's failed updates leak (see `pool`).
        """
        super().__init__(clock=clock)
        self._admin_login = {"email": admin_email, "password": admin_password}
        self._rng = random.Random(f"evershop:{seed}")
        self._db = Database(rng=self._rng, now=self._now)
        populate(self._db, self._rng, customers)
        self._db.insert_admin(email=admin_email, password=admin_password, full_name="Admin")
        self._auth = AdminAuth(
            self._db,
            secret=jwt_admin_secret,
            refresh_secret=jwt_admin_refresh_secret,
            access_ttl=access_token_ttl,
            refresh_ttl=refresh_token_ttl,
            now=lambda: int(self.clock()),
            customer_secret=jwt_customer_secret,
            json_line_column=node_version >= 22,
        )
        self._json_line_column = node_version >= 22
        self._customers = CustomerApi(self._db, self._rng)
        self._pool = ConnectionPool(db_pool_size)
        self._graphql = GraphQLEndpoint(
            self._db,
            collation=collation,
            timezone=server_timezone,
            stable_ties=stable_ties,
            pool=self._pool,
        )
        self._limiter = RateLimiter(clock) if rate_limits else None
        self._trust_proxy_hops = trust_proxy_hops
        self._handlers: dict[str, Handler] = {
            "getUserToken": self._get_user_token,
            "refreshUserToken": self._refresh_user_token,
            "createCustomer": self._create_customer,
            "updateCustomer": self._update_customer,
            "deleteCustomer": self._delete_customer,
            "adminGraphql": self._admin_graphql,
        }

    def connector_credentials(self) -> dict[str, str]:
        return dict(self._admin_login)

    # -- test oracles and fixtures -----------------------------------------------------------
    def add_customer(
        self,
        *,
        email: str,
        full_name: str | None,
        status: int = 1,
        group_id: int = 1,
        created_at: datetime | None = None,
        addresses: Sequence[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """Insert straight into the table (no REST, validation or rate limit); DB constraints
        still apply (a duplicate email raises PgError)."""
        if created_at is not None and created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)
        row = self._db.insert_customer_row(
            email=email,
            password=fake_bcrypt(self._rng),
            full_name=full_name,
            status=status,
            group_id=group_id,
            created_at=created_at,
        )
        for address in addresses:
            self._db.insert_address(row["customer_id"], address)
        return public_customer(row)

    def add_order(self, customer_id: int, **fields: Any) -> dict[str, Any]:
        """Insert an order of the customer straight into the `order` table (no checkout):
        order_number and grand_total required; currency, payment_status (pending),
        shipment_status (pending), created_at, uuid optional."""
        return dict(self._db.insert_order(customer_id, fields))

    def add_group(self, name: str) -> int:
        return self._db.insert_group(name)["customer_group_id"]

    def customer_rows(self) -> list[dict[str, Any]]:
        return [public_customer(row) for _, row in sorted(self._db.customers.items())]

    def group_rows(self) -> list[dict[str, Any]]:
        return [dict(row) for _, row in sorted(self._db.groups.items())]

    def address_rows(self) -> list[dict[str, Any]]:
        return [dict(row) for _, row in sorted(self._db.addresses.items())]

    @property
    def leaked_connections(self) -> int:
        """Database connections EverShop never gave back: the start-up migration's and one per
        failed update (see `pool`)."""
        return self._pool.leaked

    def set_admin_active(self, active: bool) -> None:
        """Disable or re-enable the admin (refresh then answers 401, like a deactivated user)."""
        for admin in self._db.admins.values():
            admin["status"] = active

    @property
    def reference_date(self) -> datetime:
        return REFERENCE_DATE

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # -- ASGI --------------------------------------------------------------------------------
    def routes(self) -> Sequence[BaseRoute]:
        # One catch-all mount: EverShop matches routes itself and answers unknown paths and
        # methods with its 404 page, so Starlette must not route (or 405) anything.
        return [Mount("", app=self._asgi)]

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._dispatch(Request(scope, receive))
        await response(scope, receive, send)

    async def _dispatch(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        headers: dict[str, str] = {}
        if self._limiter is not None:
            decision = self._limiter.check(request.method, path, self._client_ip(request))
            if decision is not None:
                headers.update(decision.headers)
                if not decision.allowed:
                    if is_api_path(path):
                        return _json(
                            429, {"error": {"status": 429, "message": API_MESSAGE}}, headers
                        )
                    return _text(429, PAGE_MESSAGE, headers)
        match = _match(request.method, path)
        if match is None:
            return _text(404, _NOT_FOUND_PAGE, headers)
        route, params = match
        reply = await self._run(route, params, request)
        return _json(reply.status, reply.body, headers)

    async def _run(self, route: _Route, params: dict[str, str], request: Request) -> Reply:
        body: Any = None
        if route.parses_body:
            try:
                body = parse_json_body(
                    request.headers, await request.body(), line_column=self._json_line_column
                )
            except BodyParserError as error:
                return Reply(500, {"error": {"status": 500, "message": str(error)}})
        user, rejection = self._auth.user_from_header(request.headers.get("authorization"))
        if rejection is not None:
            return rejection
        if not route.public and not (user or {}).get("uuid"):
            return Reply(401, {"error": {"status": 401, "message": "Unauthorized"}})
        roles = str((user or {}).get("roles") or "*")
        if not route.public and roles != "*" and route.route_id not in roles.split(","):
            return Reply(401, {"error": {"status": 401, "message": "Unauthorized"}})
        if route.schema is not None:
            message = first_error(route.schema, body)
            if message is not None:
                return Reply(400, {"error": {"status": 400, "message": message}})
        if request.method != "GET" and route.escapes_html:
            body = escape_payload(body)
        return await self._handlers[route.route_id](_Call(route, params, body))

    def _client_ip(self, request: Request) -> str:
        """Express `request.ip` with `trust proxy` set to a hop count (proxy-addr)."""
        socket_ip = request.client.host if request.client else ""
        forwarded = request.headers.get("x-forwarded-for")
        if not forwarded or self._trust_proxy_hops <= 0:
            return socket_ip
        chain = [socket_ip, *(part.strip() for part in reversed(forwarded.split(",")))]
        return chain[min(self._trust_proxy_hops, len(chain) - 1)]

    # -- route handlers ----------------------------------------------------------------------
    async def _get_user_token(self, call: _Call) -> Reply:
        if isinstance(call.body.get("email"), str):  # else it fails before its query
            await self._pool.connection()
        return self._auth.issue(call.body)

    async def _refresh_user_token(self, call: _Call) -> Reply:
        checked = self._auth.check_refresh(call.body)
        if isinstance(checked, Reply):
            return checked
        await self._pool.connection()
        return self._auth.finish_refresh(checked)

    async def _create_customer(self, call: _Call) -> Reply:
        await self._pool.connection()  # the service takes its connection first
        return self._customers.create(call.body)

    async def _update_customer(self, call: _Call) -> Reply:
        await self._pool.connection()
        reply = self._customers.update(call.params["id"], call.body)
        if reply.status != 200:  # updateCustomer.js returns without release()
            self._pool.leak()
        return reply

    async def _delete_customer(self, call: _Call) -> Reply:
        await self._pool.connection()
        return self._customers.delete(call.params["id"])

    async def _admin_graphql(self, call: _Call) -> Reply:
        status, payload = await self._graphql.run(call.body)
        return Reply(status, payload)


# path-to-regexp 1.x defaults: case-insensitive, optional trailing slash, `:id`.
_ROUTER: Final = Router(
    ((route.methods, route.path, route) for route in _ROUTES),
    syntax="colons",
    trailing_slash=True,
    ignore_case=True,
)


def _match(method: str, path: str) -> tuple[_Route, dict[str, str]] | None:
    routed = _ROUTER.match(method, path)
    if isinstance(routed, Missing):
        return None  # EverShop's 404 page, for a wrong method too
    return routed.endpoint, {key: unquote(value) for key, value in routed.params.items()}


def _etag(body: bytes) -> str:
    """Express's default weak ETag (the `etag` package)."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode()[:27]  # noqa: S324
    return f'W/"{len(body):x}-{digest}"'


def _json(status: int, payload: Any, headers: Mapping[str, str]) -> Response:
    body = stringify(payload).encode()
    return Response(
        body,
        status_code=status,
        headers={**headers, "X-Powered-By": "Express", "ETag": _etag(body)},
        media_type="application/json; charset=utf-8",
    )


def _text(status: int, text: str, headers: Mapping[str, str]) -> Response:
    body = text.encode()
    return Response(
        body,
        status_code=status,
        headers={**headers, "X-Powered-By": "Express", "ETag": _etag(body)},
        media_type="text/html; charset=utf-8",
    )
