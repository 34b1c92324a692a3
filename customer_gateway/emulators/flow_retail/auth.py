"""Bearer tokens (README 2.1): integration tokens, the device flow's access tokens, permissions.

Every token is a `Grant`: the tenants it may address, its permission codes and the tenant user
it acts as (`createdBy` of what it writes). The device token is accepted only by the device
flow's `POST /v2/account`; every other token only by the tenant endpoints (assumption: the docs
list only the access, auth and integration schemes for customer operations).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from customer_gateway.emulators.base import Clock

from .payloads import FlowError, TenantUser

ACCESS: Final = "TENANT.ACCESS"
BACKOFFICE: Final = "TENANT.BACKOFFICE"
TokenKind = Literal["integration", "access", "device"]


@dataclass(slots=True)
class Grant:
    token: str
    kind: TokenKind
    tenants: frozenset[str]
    permissions: frozenset[str]
    user: TenantUser
    expires_at: float | None = None

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            # The docs name the permission per operation; the message names the missing one.
            raise FlowError(403, f"Missing permission {permission}")


def tenant_user(
    uid: str, tenant: str, code: str, name: str, permissions: Iterable[str]
) -> TenantUser:
    role = "BACKOFFICE" if BACKOFFICE in permissions else "ACCESS"
    return {
        "tenantUserUid": uid,
        "tenantUid": tenant,
        "userCode": code,
        "displayName": name,
        "tenantRole": role,
    }


class Tokens:
    def __init__(self, clock: Clock, seed: int) -> None:
        self.clock = clock
        self.grants: dict[str, Grant] = {}
        self.revoked: set[str] = set()
        self._rng = random.Random(f"flow-retail-tokens:{seed}")

    def add(self, grant: Grant) -> Grant:
        self.grants[grant.token] = grant
        self.revoked.discard(grant.token)
        return grant

    def revoke(self, token: str) -> None:
        self.revoked.add(token)

    def issue_access(self, user: TenantUser, permissions: Iterable[str], ttl: float) -> Grant:
        """A device-flow access token (opaque; the real format is not published)."""
        token = f"flow-at-{self._rng.getrandbits(128):032x}"
        return self.add(
            Grant(
                token=token,
                kind="access",
                tenants=frozenset({user["tenantUid"]}),
                permissions=frozenset(permissions),
                user=user,
                expires_at=self.clock() + ttl,
            )
        )

    def authenticate(self, header: str | None, *, device: bool) -> Grant:
        """The grant of `Authorization: Bearer <token>`; FlowError(401) for anything else."""
        if not header:
            raise _unauthorized("Missing Authorization header")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized("Authorization header must be 'Bearer <token>'")
        if token in self.revoked:
            raise _unauthorized("Token has been revoked")
        grant = self.grants.get(token)
        if grant is None:
            raise _unauthorized("Invalid token")
        if grant.expires_at is not None and self.clock() >= grant.expires_at:
            raise _unauthorized("Access token has expired")
        if device and grant.kind != "device":
            raise _unauthorized("This operation requires a device token")
        if not device and grant.kind == "device":
            raise _unauthorized("A device token cannot be used for this operation")
        return grant


def _unauthorized(message: str) -> FlowError:
    return FlowError(401, message, {"WWW-Authenticate": "Bearer"})
