"""The customer REST handlers: create (public), update and delete (private).

Sources: `modules/customer/api/{createCustomer,updateCustomer,deleteCustomer}/*` and
`services/customer/{createCustomer,deleteCustomer}.ts`. Handlers catch everything and answer
500 with the error message, except PATCH's own "Invalid customer id" (400).
"""

from __future__ import annotations

import random
from typing import Any, Final

from .auth import Reply
from .node.ajv import CUSTOMER_DATA_SCHEMA, first_error
from .pg import PgError
from .seed import fake_bcrypt
from .store import CustomerRow, Database, iso_timestamp

_MIN_PASSWORD_LENGTH: Final = 6  # lib/util/passwordHelper.ts `passwordLength` rule


def customer_json(row: CustomerRow, *, with_password: bool = True) -> dict[str, Any]:
    """A `RETURNING *` / `SELECT *` row as node-postgres + JSON.stringify send it."""
    return {
        "customer_id": row["customer_id"],
        "uuid": row["uuid"],
        "status": row["status"],
        "group_id": row["group_id"],
        "email": row["email"],
        **({"password": row["password"]} if with_password else {}),
        "full_name": row["full_name"],
        "created_at": iso_timestamp(row["created_at"]),
        "updated_at": iso_timestamp(row["updated_at"]),
        "meta_data": row["meta_data"],
    }


def _links(uuid: str) -> list[dict[str, Any]]:
    return [
        {"rel": "customerGrid", "href": "/admin/customers", "action": "GET", "types": ["text/xml"]},
        {
            "rel": "edit",
            "href": f"/admin/customers/edit/{uuid}",
            "action": "GET",
            "types": ["text/xml"],
        },
    ]


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"error": {"status": status, "message": message}})


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class CustomerApi:
    def __init__(self, db: Database, rng: random.Random) -> None:
        self._db = db
        self._rng = rng

    def create(self, body: Any) -> Reply:
        try:
            message = first_error(CUSTOMER_DATA_SCHEMA, body)
            if message is not None:
                raise ValueError(message)
            if _utf16_length(body["password"]) < _MIN_PASSWORD_LENGTH:
                raise ValueError("Password must be at least 6 characters")
            hashed = fake_bcrypt(self._rng)
            # The duplicate check is a plain `email = $1`: case-sensitive, like EMAIL_UNIQUE.
            if self._db.email_taken(body["email"]):
                raise ValueError("Email is already used")
            data = dict(body)
            data.setdefault("status", 1)
            data["password"] = hashed
            data.setdefault("group_id", 1)
            row = self._db.insert_customer(data)
        except (ValueError, PgError) as error:
            return _error(500, str(error))
        payload = customer_json(row)
        payload["insertId"] = row["customer_id"]
        payload["links"] = _links(row["uuid"])
        return Reply(200, {"data": payload})

    def update(self, uuid: str, body: dict[str, Any]) -> Reply:
        try:
            customer = self._find(uuid)
            if customer is None:
                return _error(400, "Invalid customer id")
            data = dict(body)
            if data.get("password"):
                data["password"] = fake_bcrypt(self._rng)
            data["group_id"] = 1  # updateCustomer.js: `group_id: 1 // TODO: fix me`
            self._db.update_customer(uuid, data)
            updated = self._find(uuid)
        except PgError as error:
            return _error(500, str(error))
        # If the body changed the uuid, reloading by the old one finds nothing: `{...null}`.
        payload: dict[str, Any] = customer_json(updated) if updated is not None else {}
        payload["links"] = _links(customer["uuid"])
        return Reply(200, {"data": payload})

    def delete(self, uuid: str) -> Reply:
        try:
            # deleteCustomer.ts selects inside a transaction, so a non-uuid id is a 22P02 error.
            customer = self._db.find_customer(uuid)
            if customer is None:
                raise ValueError("Invalid customer id")
            self._db.delete_customer(customer["customer_id"])
        except (ValueError, PgError) as error:
            return _error(500, str(error))
        return Reply(200, {"data": customer_json(customer, with_password=False)})

    def _find(self, uuid: str) -> CustomerRow | None:
        """A select outside a transaction: the query builder answers [] for 22P02."""
        try:
            return self._db.find_customer(uuid)
        except PgError as error:
            if error.code == "22P02":
                return None
            raise
