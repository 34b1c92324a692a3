"""jsonwebtoken 9 / jws 4 for HMAC keys, plus EverShop's wrappers in `lib/util/jwt.ts`.

EverShop rewrites jsonwebtoken's errors: TokenExpiredError -> "Token has expired" ("Refresh token
has expired"), any other JsonWebTokenError -> "Invalid token" ("Invalid refresh token"), while a
NotBeforeError ("jwt not active") and its own token-kind checks pass through unchanged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from functools import lru_cache
from typing import Any, Final, Literal

from .node.js import JsSyntaxError, parse_json, stringify

_ALGORITHMS: Final = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_JWS: Final = re.compile(r"^[a-zA-Z0-9\-_]+?\.[a-zA-Z0-9\-_]+?\.([a-zA-Z0-9\-_]+)?$")

TokenKind = Literal["access", "refresh"]


class JwtError(Exception):
    """`name` is the jsonwebtoken error class name; `str()` is its message."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(segment: str) -> bytes:
    """Node's lenient Buffer.from(s, 'base64'): a dangling sixth bit group is dropped."""
    if len(segment) % 4 == 1:
        segment = segment[:-1]
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return b""


def sign(
    payload: dict[str, Any], secret: str, *, now: int, expires_in: int, audience: str, issuer: str
) -> str:
    """jwt.sign(payload, secret, {expiresIn, issuer, audience}) with the default HS256."""
    claims = dict(payload)
    claims["iat"] = now
    claims["exp"] = now + expires_in
    claims["aud"] = audience
    claims["iss"] = issuer
    header = _b64encode(stringify({"alg": "HS256", "typ": "JWT"}).encode("latin-1"))
    body = _b64encode(stringify(claims).encode("utf-8"))
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64encode(signature)}"


def _header(token: str) -> Any:
    """jws `headerFromJWS`; None when it is not JSON or not truthy in JavaScript."""
    try:
        header = parse_json(_b64decode(token.split(".", 1)[0]).decode("latin-1"))
    except JsSyntaxError:
        return None
    if header is None or header is False or header == 0 or header == "":
        return None
    return header


@lru_cache(maxsize=64)
def _decode_complete(token: str, line_column: bool) -> tuple[Any, Any] | None:
    """jws.decode(token, {json: true}) -> (header, payload), None for a malformed token.

    Raises JsSyntaxError when the header is fine but the payload is not JSON (jws parses it
    without a try/catch, so the SyntaxError escapes jwt.decode too).

    Kept per token text (a client sends its token with every request; each is decoded twice,
    by `decode` and `verify`): the header and payload are only read, never changed, and an
    error is raised anew each time (lru_cache keeps no exception).
    """
    if _JWS.match(token) is None:
        return None
    header = _header(token)
    if header is None:
        return None
    payload_text = _b64decode(token.split(".")[1]).decode("utf-8", "replace")
    return header, parse_json(payload_text, line_column=line_column)


def decode(token: str, *, line_column: bool = False) -> Any:
    """jwt.decode(token, {json: true}): the payload, None for a malformed token."""
    complete = _decode_complete(token, line_column)
    return None if complete is None else complete[1]


def verify(
    token: str, secret: str, *, now: int, audience: str, issuer: str, line_column: bool = False
) -> dict[str, Any]:
    """jwt.verify(token, secret, {audience, issuer}) for an HMAC secret."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("JsonWebTokenError", "jwt malformed")
    try:
        complete = _decode_complete(token, line_column)
    except JsSyntaxError as error:
        raise JwtError("SyntaxError", str(error)) from None
    if complete is None:
        raise JwtError("JsonWebTokenError", "invalid token")
    header, payload = complete
    if not parts[2].strip():
        raise JwtError("JsonWebTokenError", "jwt signature is required")
    algorithm = header.get("alg") if isinstance(header, dict) else None
    if algorithm not in _ALGORITHMS:
        raise JwtError("JsonWebTokenError", "invalid algorithm")
    expected = hmac.new(
        secret.encode(), f"{parts[0]}.{parts[1]}".encode(), _ALGORITHMS[algorithm]
    ).digest()
    if not hmac.compare_digest(_b64encode(expected), parts[2]):
        raise JwtError("JsonWebTokenError", "invalid signature")
    claims: dict[str, Any] = payload if isinstance(payload, dict) else {}
    if "nbf" in claims:
        if not _is_number(claims["nbf"]):
            raise JwtError("JsonWebTokenError", "invalid nbf value")
        if claims["nbf"] > now:
            raise JwtError("NotBeforeError", "jwt not active")
    if "exp" in claims:
        if not _is_number(claims["exp"]):
            raise JwtError("JsonWebTokenError", "invalid exp value")
        if now >= claims["exp"]:
            raise JwtError("TokenExpiredError", "jwt expired")
    audiences = claims.get("aud")
    targets: list[Any] = audiences if isinstance(audiences, list) else [audiences]
    if audience not in targets:
        raise JwtError("JsonWebTokenError", f"jwt audience invalid. expected: {audience}")
    if claims.get("iss") != issuer:
        raise JwtError("JsonWebTokenError", f"jwt issuer invalid. expected: {issuer}")
    return claims


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def verify_evershop(
    token: str,
    secret: str,
    kind: TokenKind,
    *,
    now: int,
    token_type: str,
    issuer: str,
    line_column: bool = False,
) -> dict[str, Any]:
    """`verifyToken` / `verifyRefreshToken` from `lib/util/jwt.ts`."""
    prefix = "Token" if kind == "access" else "Refresh token"
    try:
        decoded = verify(
            token, secret, now=now, audience=token_type, issuer=issuer, line_column=line_column
        )
    except JwtError as error:
        if error.name == "TokenExpiredError":
            raise JwtError("Error", f"{prefix} has expired") from None
        if error.name == "JsonWebTokenError":
            raise JwtError("Error", f"Invalid {prefix.lower()}") from None
        raise
    if decoded.get("tokenType") != token_type:
        raise JwtError("Error", f"Invalid token type. Expected {token_type}")
    if decoded.get("tokenKind") != kind:
        raise JwtError("Error", f"Invalid token kind. Expected {kind} token")
    return decoded
