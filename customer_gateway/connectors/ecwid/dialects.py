"""The two ways to reach an Ecwid store, behind one seam: how each customer operation is sent
and how its answer is unwrapped. Everything else (mapping, filters, paging, errors) is shared.

* `V3`: Ecwid REST API v3, `/api/v3/{storeId}/customers…`, `Authorization: Bearer <token>`
  (never the legacy `?token=`: query strings end up in logs), errors `{"errorMessage"}`.
* `Wrapper`: the seed's JSON wrapper (README 3.4), `/api/json/v1/ecwid/…` by default
  (`options.path_prefix`), `Authorization: Bearer <api_key>` (the wrapper's documented auth is
  a header set named "Default"; Bearer is what the emulator implements), answers wrapped in
  `{"data": {"id", "type", "attributes"}}`, errors `{"errors": [{"status", "title"}]}` whose
  title is Ecwid's `errorMessage`. Writes are POSTs, so they are never re-sent.

Error texts are read only to tell which input field Ecwid refused; they are never repeated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, Protocol

from customer_gateway.connectors.errors import NotFound
from customer_gateway.connectors.http import UpstreamHTTP
from customer_gateway.connectors.reading import Reader
from customer_gateway.connectors.transport import Answer

WRAPPER_PREFIX: Final = "/api/json/v1/ecwid"

Params = Mapping[str, str | int]


class Dialect(Protocol):
    def is_entity_path(self, path: str) -> bool:
        """Does `path` name one record (a 404 then means that record does not exist)?"""
        ...

    def error_message(self, response: Answer) -> str:
        """Ecwid's error text, for telling the refused field only (never shown)."""
        ...

    async def search(self, params: Params) -> Mapping[str, Any]:
        """`GET /customers`: `{total, count, offset, limit, items}`."""
        ...

    async def fetch(self, customer_id: str) -> Mapping[str, Any] | None:
        """`GET /customers/{id}`; None when Ecwid has no such customer."""
        ...

    async def insert(self, body: Mapping[str, Any]) -> int:
        """`POST /customers`; the new customer's id."""
        ...

    async def replace(self, customer_id: str, body: Mapping[str, Any]) -> None:
        """`PUT /customers/{id}`."""
        ...

    async def remove(self, customer_id: str) -> None:
        """`DELETE /customers/{id}`."""
        ...


def _json_body(response: Answer) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class V3:
    def __init__(
        self, http: UpstreamHTTP, read: Reader, source: str, store_id: str, token: str
    ) -> None:
        self.http = http
        self.read = read
        self.source = source
        self.base = f"/api/v3/{store_id}"
        self._headers = {"Authorization": f"Bearer {token}"}
        # Searched at the end: a base_url may add a path in front (a proxy).
        self._entity = re.compile(rf"{re.escape(self.base)}/(?:customers|customer_groups)/\d+$")

    def is_entity_path(self, path: str) -> bool:
        return self._entity.search(path) is not None

    def error_message(self, response: Answer) -> str:
        body = _json_body(response)
        message = body.get("errorMessage") if isinstance(body, Mapping) else None
        return message if isinstance(message, str) else ""

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Mapping[str, Any]:
        """One request below the store's base path; its JSON object."""
        payload = await self.http.send_json(
            method,
            f"{self.base}{path}",
            params=params,
            json=None if body is None else dict(body),
            headers=self._headers,
        )
        return self.read.object(payload, "body")

    async def search(self, params: Params) -> Mapping[str, Any]:
        return await self.call("GET", "/customers", params=params)

    async def fetch(self, customer_id: str) -> Mapping[str, Any] | None:
        try:
            return await self.call("GET", f"/customers/{customer_id}")
        except NotFound:
            return None

    async def insert(self, body: Mapping[str, Any]) -> int:
        return self.read.integer(await self.call("POST", "/customers", body=body), "id", "body")

    async def replace(self, customer_id: str, body: Mapping[str, Any]) -> None:
        answer = await self.call("PUT", f"/customers/{customer_id}", body=body)
        self.read.integer(answer, "updateCount", "body")

    async def remove(self, customer_id: str) -> None:
        answer = await self.call("DELETE", f"/customers/{customer_id}")
        if self.read.integer(answer, "deleteCount", "body") == 0:
            raise NotFound(f"{self.source} has no such customer", source=self.source)


class Wrapper:
    def __init__(
        self, http: UpstreamHTTP, read: Reader, source: str, api_key: str, prefix: str
    ) -> None:
        self.http = http
        self.read = read
        self.source = source
        self.prefix = prefix.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._entity = re.compile(
            rf"{re.escape(self.prefix)}/(?:customer|update_customer|delete_customer)/[^/]+$"
        )

    def is_entity_path(self, path: str) -> bool:
        return self._entity.search(path) is not None

    def error_message(self, response: Answer) -> str:
        body = _json_body(response)
        errors = body.get("errors") if isinstance(body, Mapping) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            title = errors[0].get("title")
            return title if isinstance(title, str) else ""
        return ""

    async def _data(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Mapping[str, Any]:
        """The `data` of the wrapper's `{"data": {"id", "type", "attributes"}}` envelope."""
        payload = await self.http.send_json(
            method,
            f"{self.prefix}{path}",
            params=params,
            json=None if body is None else dict(body),
            headers=self._headers,
        )
        return self.read.object(self.read.object(payload, "body").get("data"), "data")

    async def _attributes(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Mapping[str, Any]:
        data = await self._data(method, path, params=params, body=body)
        return self.read.object(data.get("attributes"), "data.attributes")

    async def search(self, params: Params) -> Mapping[str, Any]:
        return await self._attributes("GET", "/customers", params=params)

    async def fetch(self, customer_id: str) -> Mapping[str, Any] | None:
        try:
            return await self._attributes("GET", f"/customer/{customer_id}")
        except NotFound:
            return None

    async def insert(self, body: Mapping[str, Any]) -> int:
        data = await self._data("POST", "/add_customer", body=body)
        new_id = data.get("id")  # the new Ecwid id, as a string (README 3.4)
        if isinstance(new_id, int) and not isinstance(new_id, bool):
            return new_id
        if isinstance(new_id, str) and new_id.isascii() and new_id.isdigit():
            return int(new_id)
        raise self.read.bad("data.id")

    async def replace(self, customer_id: str, body: Mapping[str, Any]) -> None:
        answer = await self._attributes("POST", f"/update_customer/{customer_id}", body=body)
        self.read.integer(answer, "updateCount", "data.attributes")

    async def remove(self, customer_id: str) -> None:
        answer = await self._attributes("POST", f"/delete_customer/{customer_id}")
        if self.read.integer(answer, "deleteCount", "data.attributes") == 0:
            raise NotFound(f"{self.source} has no such customer", source=self.source)
