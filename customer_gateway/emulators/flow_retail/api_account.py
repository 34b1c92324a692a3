"""The device flow's last step: `POST /v2/account` (README 2.1).

Sent with the device token and `{"userCode", "password"}` (both required, 400 without); the
answer is `{"accessToken", "tenantUser"}`. Assumptions: wrong credentials are 401; the access
token is opaque, valid for the device's tenant (the first one) with the configured permissions,
and expires after `access_token_ttl` seconds.
"""

from __future__ import annotations

import copy
import hmac
from collections.abc import Sequence

from .auth import Tokens
from .http import Call, Endpoint, Reply
from .payloads import AccountResponse, FlowError, TenantUser
from .validation import require_object


class AccountApi:
    def __init__(
        self,
        tokens: Tokens,
        *,
        user: TenantUser,
        password: str,
        permissions: Sequence[str],
        ttl: float,
    ) -> None:
        self.tokens = tokens
        self.user = user
        self.password = password
        self.permissions = tuple(permissions)
        self.ttl = ttl

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("POST", "/v2/account", self.login, permission=None, device=True)]

    async def login(self, call: Call) -> Reply:
        body = require_object(await call.json())
        code, password = body.get("userCode"), body.get("password")
        missing = [
            name
            for name, value in (("userCode", code), ("password", password))
            if not isinstance(value, str) or not value
        ]
        if missing:
            raise FlowError.bad_request(f"{' and '.join(missing)} required")
        assert isinstance(code, str)
        assert isinstance(password, str)
        matches = hmac.compare_digest(
            code.encode(), self.user["userCode"].encode()
        ) and hmac.compare_digest(password.encode(), self.password.encode())
        if not matches:
            raise FlowError(401, "Invalid user code or password")
        grant = self.tokens.issue_access(self.user, self.permissions, self.ttl)
        response: AccountResponse = {"accessToken": grant.token, "tenantUser": copy.copy(self.user)}
        return Reply(200, response)
