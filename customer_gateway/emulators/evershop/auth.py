"""Admin JWTs: `POST /api/user/tokens`, `POST /api/user/token/refresh`, and `jwtUserAuth`.

Sources: `modules/auth/api/getUserToken/generateToken.ts`, `refreshUserToken/refreshToken.ts`,
`api/global/[context]jwtUserAuth[getCurrentUser].ts`, `services/loginUserWithEmail.ts`,
`services/buildAdminUserPayload.ts`. The admin session cookie (`asid`) is not emulated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .jwt import JwtError, decode, sign, verify_evershop
from .node.js import UNDEFINED, JsSyntaxError, to_js_string
from .pg import PgError, like, param_text, parse_int
from .store import AdminRow, Database, iso_timestamp

ISSUER: Final = "evershop"  # JWT_ISSUER default
TOKEN_TYPE: Final = "admin"
CUSTOMER_TOKEN_TYPE: Final = "customer"


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"error": {"status": status, "message": message}})


def _bcrypt_matches(password: str, stored: str) -> bool:
    # bcrypt only looks at the first 72 bytes of the password.
    return password.encode()[:72] == stored.encode()[:72]


def _js_typeof(value: Any) -> str:
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else "object"


class AdminAuth:
    def __init__(
        self,
        db: Database,
        *,
        secret: str,
        refresh_secret: str,
        access_ttl: int,
        refresh_ttl: int,
        now: Callable[[], int],
        customer_secret: str | None = None,
        json_line_column: bool = False,
    ) -> None:
        self._db = db
        self._secret = secret
        self._customer_secret = customer_secret
        self._line_column = json_line_column  # V8 12+ JSON.parse messages (Node 22+)
        self._refresh_secret = refresh_secret
        self._access_ttl = access_ttl
        self._refresh_ttl = refresh_ttl
        self._now = now

    # -- jwtUserAuth -------------------------------------------------------------------------
    def user_from_header(
        self, authorization: str | None
    ) -> tuple[dict[str, Any] | None, Reply | None]:
        """(user, None) for a verified admin token, (None, 401) for a bad one, else (None, None).

        `jwtUserAuth` and `jwtCustomerAuth` each verify the bearers of their own `tokenType`
        (with their own secret) and answer 401 with the wrapped jsonwebtoken message when that
        fails; a valid customer token authenticates a customer, not an admin. A bearer that does
        not decode, or has another token type, is ignored: the request goes on to the session
        check and then `auth`.
        """
        if authorization is None or not authorization.startswith("Bearer "):
            return None, None
        token = authorization[7:]
        try:
            decoded = decode(token, line_column=self._line_column)
        except JsSyntaxError as error:
            return None, _error(401, str(error) or "Invalid token")
        token_type = decoded.get("tokenType") if isinstance(decoded, dict) else None
        if token_type == CUSTOMER_TOKEN_TYPE:
            if not self._customer_secret:
                return None, _error(401, "JWT secret for customer is not configured")
            try:
                verify_evershop(
                    token,
                    self._customer_secret,
                    "access",
                    now=self._now(),
                    token_type=CUSTOMER_TOKEN_TYPE,
                    issuer=ISSUER,
                    line_column=self._line_column,
                )
            except JwtError as error:
                return None, _error(401, str(error) or "Invalid token")
            return None, None
        if token_type != TOKEN_TYPE:
            return None, None
        try:
            claims = verify_evershop(
                token,
                self._secret,
                "access",
                now=self._now(),
                token_type=TOKEN_TYPE,
                issuer=ISSUER,
                line_column=self._line_column,
            )
        except JwtError as error:
            return None, _error(401, str(error) or "Invalid token")
        user = claims.get("user")
        return (user if isinstance(user, dict) else {}), None

    # -- POST /api/user/tokens ---------------------------------------------------------------
    def issue(self, body: dict[str, Any]) -> Reply:
        try:
            user = self._login(body.get("email", UNDEFINED), body.get("password", UNDEFINED))
        except (ValueError, TypeError, PgError) as error:
            # generateToken.ts answers every failure as 400 {message, status}.
            return Reply(400, {"error": {"message": str(error), "status": 400}})
        return Reply(
            200,
            {
                "data": {
                    "accessToken": self._token(user, "access"),
                    "refreshToken": self._token(user, "refresh"),
                }
            },
        )

    def _login(self, email: Any, password: Any) -> dict[str, Any]:
        if not isinstance(email, str):
            raise TypeError(f"Cannot read properties of {to_js_string(email)} (reading 'replace')")
        pattern = email.replace("%", "\\%")
        admin = next(
            (
                row
                for row in self._db.admins.values()
                if row["status"] and like(row["email"], pattern)
            ),
            None,
        )
        if not isinstance(password, str):
            raise TypeError(f"Illegal arguments: {_js_typeof(password)}, string")
        if admin is None or not _bcrypt_matches(password, admin["password"]):
            raise ValueError("Invalid email or password")
        return _payload(admin)

    def _token(self, user: dict[str, Any], kind: str) -> str:
        secret = self._secret if kind == "access" else self._refresh_secret
        ttl = self._access_ttl if kind == "access" else self._refresh_ttl
        return sign(
            {"user": user, "tokenType": TOKEN_TYPE, "tokenKind": kind},
            secret,
            now=self._now(),
            expires_in=ttl,
            audience=TOKEN_TYPE,
            issuer=ISSUER,
        )

    # -- POST /api/user/token/refresh --------------------------------------------------------
    def refresh(self, body: Any) -> Reply:
        checked = self.check_refresh(body)
        return checked if isinstance(checked, Reply) else self.finish_refresh(checked)

    def check_refresh(self, body: Any) -> Reply | dict[str, Any]:
        """The refresh token's `user` claim, or the error answered before any database query."""
        token = body.get("refreshToken") if isinstance(body, dict) else None
        if not token:
            return _error(400, "Refresh token is required")
        try:
            claims = verify_evershop(
                str(token),
                self._refresh_secret,
                "refresh",
                now=self._now(),
                token_type=TOKEN_TYPE,
                issuer=ISSUER,
                line_column=self._line_column,
            )
            user = claims.get("user", UNDEFINED)
            if not isinstance(user, dict):
                raise TypeError(
                    f"Cannot read properties of {to_js_string(user)} (reading 'admin_user_id')"
                )
        except (JwtError, TypeError) as error:
            return _error(401, str(error) or "Invalid refresh token")
        return user

    def finish_refresh(self, user: dict[str, Any]) -> Reply:
        """Load the admin (a database query) and mint the new access token."""
        try:
            admin = self._active_admin(user.get("admin_user_id", UNDEFINED))
        except PgError as error:
            return _error(401, str(error) or "Invalid refresh token")
        if admin is None:
            return _error(401, "Admin user not found or inactive")
        return Reply(200, {"data": {"accessToken": self._token(_payload(admin), "access")}})

    def _active_admin(self, admin_id: Any) -> AdminRow | None:
        text = param_text(admin_id)
        if text is None:
            return None
        try:
            wanted = parse_int(text, "integer")
        except PgError as error:
            if error.code == "22P02":  # SelectQuery.execute answers [] -> load() null
                return None
            raise
        admin = self._db.admins.get(wanted)
        return admin if admin is not None and admin["status"] else None


def _payload(admin: AdminRow) -> dict[str, Any]:
    """buildAdminUserPayload: the admin row without its password, plus `roles`."""
    return {
        "admin_user_id": admin["admin_user_id"],
        "uuid": admin["uuid"],
        "email": admin["email"],
        "full_name": admin["full_name"] or "",
        "status": 1 if admin["status"] else 0,
        "roles": "*",
        "created_at": iso_timestamp(admin["created_at"]),
        "updated_at": iso_timestamp(admin["updated_at"]),
    }
