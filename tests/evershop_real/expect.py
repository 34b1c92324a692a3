"""Assertions on EverShop's HTTP answers, the same for both targets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any, Final

import httpx

BCRYPT: Final = re.compile(r"^\$2[ab]\$10\$[./A-Za-z0-9]{53}$")
UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ISO_MS: Final = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
JSON_TYPE: Final = "application/json; charset=utf-8"


def compact(value: Any) -> str:
    """JSON.stringify's output for JSON values (no spaces, non-ASCII as is)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def express_etag(body: bytes) -> str:
    """Express's default weak ETag (the `etag` package): length and SHA-1, base64, 27 chars."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode()[:27]
    return f'W/"{len(body):x}-{digest}"'


def assert_json(response: httpx.Response, status: int, payload: Any) -> None:
    """Status, body byte for byte (so key order too), and Express's headers."""
    assert (response.status_code, response.text) == (status, compact(payload))
    assert response.headers["content-type"] == JSON_TYPE
    assert response.headers["x-powered-by"] == "Express"
    assert response.headers["etag"] == express_etag(response.content)


def error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


def assert_error(response: httpx.Response, status: int, message: str) -> None:
    assert_json(response, status, error(status, message))


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON_TYPE
    assert list(response.json()) == ["data"], response.text
    return response.json()["data"]


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt_segment(token: str, index: int) -> Any:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def jwt_signature_ok(token: str, secret: str) -> bool:
    head, body, signature = token.split(".")
    expected = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(b64url(expected), signature)


def forge(claims: dict[str, Any], secret: str) -> str:
    """An HS256 JWT as jsonwebtoken signs it."""
    head = b64url(b'{"alg":"HS256","typ":"JWT"}')
    body = b64url(compact(claims).encode())
    signature = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(signature)}"
