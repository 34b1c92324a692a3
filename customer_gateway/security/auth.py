"""Who is calling: API keys (`X-API-Key`) and bearer JWTs (HS256 shared secret, or a JWKS file),
each with scopes (read, write, ops) and an optional list of the sources it may reach.

Unauthenticated calls are served only where the configuration allows it (the sandbox and
development); credentials that are given but wrong are always refused, never downgraded.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from customer_gateway.server.settings import SCOPES, AuthSettings, JwtSettings

LEEWAY_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    scopes: frozenset[str]
    # The sources this caller may reach; None: every source. An empty set reaches none (a token
    # whose `sources` claim is an empty list must not mean "all").
    sources: frozenset[str] | None = None
    via: str = "anonymous"  # "api_key" or "jwt": a key and a token subject may share a name
    strict_filters: bool = False  # unknown filters are errors for this caller, not ignored

    @property
    def owner(self) -> str:
        """Who owns what this caller starts (exports): the same key or token subject again."""
        return f"{self.via}:{self.name}"

    def may(self, scope: str) -> bool:
        return scope in self.scopes

    def reaches(self, source: str) -> bool:
        return self.sources is None or source in self.sources


# Served only where authentication is not required (development, the sandbox).
ANONYMOUS = Principal("anonymous", frozenset({"read", "write", "ops"}))


class Unauthenticated(Exception):
    """Credentials were required, or given and not valid. The message is safe to show."""


class Authenticator:
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._jwks: jwt.PyJWKSet | None = None
        if settings.jwt is not None and settings.jwt.jwks_file:
            self._jwks = jwt.PyJWKSet.from_json(Path(settings.jwt.jwks_file).read_text())

    def authenticate(self, headers: Mapping[str, str]) -> Principal:
        api_key = headers.get("x-api-key")
        authorization = headers.get("authorization", "")
        if api_key:
            return self._api_key(api_key)
        if authorization.lower().startswith("bearer "):
            return self._bearer(authorization[7:].strip())
        if authorization:
            raise Unauthenticated("Authorization must be 'Bearer <token>'.")
        if self.settings.required:
            raise Unauthenticated("Authentication required: send X-API-Key or a bearer token.")
        return ANONYMOUS

    def _api_key(self, presented: str) -> Principal:
        match = None
        for key in self.settings.api_keys:
            # Compare with every key, in constant time, so timing says nothing about which.
            if hmac.compare_digest(presented.encode(), key.key.reveal().encode()):
                match = key
        if match is None:
            raise Unauthenticated("Unknown API key.")
        return Principal(
            match.name,
            match.scopes,
            match.sources or None,
            via="api_key",
            strict_filters=match.strict_filters,
        )

    def _bearer(self, token: str) -> Principal:
        settings = self.settings.jwt
        if settings is None:
            raise Unauthenticated("Bearer tokens are not accepted here.")
        try:
            claims = self._decode(token, settings)
        except jwt.PyJWTError:
            raise Unauthenticated("Invalid or expired bearer token.") from None
        return Principal(
            name=str(claims.get("sub", "jwt")),
            scopes=frozenset(_list(claims.get(settings.scopes_claim))) & SCOPES,
            sources=(
                frozenset(_list(claims[settings.sources_claim]))
                if settings.sources_claim in claims
                else None
            ),
            via="jwt",
        )

    def _decode(self, token: str, settings: JwtSettings) -> dict[str, Any]:
        options = {"require": ["exp"]}
        common: dict[str, Any] = {
            "audience": settings.audience,
            "issuer": settings.issuer,
            "leeway": LEEWAY_SECONDS,
            "options": options,
        }
        if settings.secret is not None:
            return dict(jwt.decode(token, settings.secret.reveal(), algorithms=["HS256"], **common))
        assert self._jwks is not None
        kid = jwt.get_unverified_header(token).get("kid")
        key = next((k for k in self._jwks.keys if k.key_id == kid), None)
        if key is None:
            raise jwt.InvalidKeyError("no key for this kid")
        return dict(jwt.decode(token, key, algorithms=["RS256", "ES256"], **common))


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []
