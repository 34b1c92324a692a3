"""The emulated Postgres tables `customer_group`, `customer`, `customer_address`, `admin_user`.

Columns, defaults, constraints and triggers follow `modules/customer/migration/Version-1.0.0..4`
and `modules/auth/migration`. Dict order is the heap order: an UPDATE writes a new tuple, so the
row moves to the end, which is where a sequential scan without ORDER BY finds it.
"""

from __future__ import annotations

import random
import uuid as uuid_module
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypedDict

from .pg import (
    PgError,
    bind,
    param_text,
    parse_int,
    parse_jsonb,
    parse_timestamptz,
    parse_uuid,
)


class CustomerRow(TypedDict):
    customer_id: int
    uuid: str
    status: int
    group_id: int | None
    email: str
    password: str
    full_name: str | None
    created_at: datetime | None
    updated_at: datetime | None
    meta_data: Any


class GroupRow(TypedDict):
    customer_group_id: int
    uuid: str
    group_name: str
    created_at: datetime | None
    updated_at: datetime | None


class AddressRow(TypedDict):
    customer_address_id: int
    uuid: str
    customer_id: int
    full_name: str | None
    telephone: str | None
    address_1: str | None
    address_2: str | None
    postcode: str | None
    city: str | None
    province: str | None
    country: str
    created_at: datetime | None
    updated_at: datetime | None
    is_default: bool | None


class AdminRow(TypedDict):
    admin_user_id: int
    uuid: str
    status: bool
    email: str
    password: str  # the emulator keeps the plain text and compares like bcrypt would
    full_name: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    type_name: str  # uuid | smallint | integer | varchar | timestamptz | jsonb
    not_null: bool


# information_schema.columns order (the query builder binds parameters in this order).
CUSTOMER_COLUMNS: Final = (
    _Column("uuid", "uuid", True),
    _Column("status", "smallint", True),
    _Column("group_id", "integer", False),
    _Column("email", "varchar", True),
    _Column("password", "varchar", True),
    _Column("full_name", "varchar", False),
    _Column("created_at", "timestamptz", False),
    _Column("updated_at", "timestamptz", False),
    _Column("meta_data", "jsonb", True),
)
CUSTOMER_COLUMN_NAMES: Final = frozenset(column.name for column in CUSTOMER_COLUMNS)


class Database:
    def __init__(self, *, rng: random.Random, now: Callable[[], datetime]) -> None:
        self._rng = rng
        self.now = now
        self.groups: dict[int, GroupRow] = {}
        self.customers: dict[int, CustomerRow] = {}
        # The customer table's unique indexes (EMAIL_UNIQUE, CUSTOMER_UUID_UNIQUE): value → id.
        # A lookup instead of a scan keeps seeding and writes linear in a large shop.
        self._unique: dict[str, dict[Any, int]] = {"email": {}, "uuid": {}}
        self.addresses: dict[int, AddressRow] = {}
        # customer_address's customer_id index: address ids in insertion (scan) order.
        self._addresses_by_customer: dict[int, list[int]] = {}
        self.admins: dict[int, AdminRow] = {}
        # `order` (modules/checkout): only the columns a customer's order history reads.
        self.orders: dict[int, dict[str, Any]] = {}
        self._orders_by_customer: dict[int, list[int]] = {}  # order's customer_id index
        self._next_order_id = 1
        self._next_group_id = 1
        self._next_customer_id = 1
        self._next_address_id = 1

    def new_uuid(self) -> str:
        return str(uuid_module.UUID(int=self._rng.getrandbits(128), version=4))

    # -- customer_group ----------------------------------------------------------------------
    def insert_group(self, name: str, created_at: datetime | None = None) -> GroupRow:
        stamp = created_at or self.now()
        row = GroupRow(
            customer_group_id=self._next_group_id,
            uuid=self.new_uuid(),
            group_name=name,
            created_at=stamp,
            updated_at=stamp,
        )
        self._next_group_id += 1
        self.groups[row["customer_group_id"]] = row
        return row

    # -- customer ----------------------------------------------------------------------------
    def find_customer(self, uuid_text: str | None) -> CustomerRow | None:
        """`SELECT * FROM customer WHERE uuid = $1`; raises 22P02 for text that is no uuid."""
        if uuid_text is None:
            return None
        wanted = parse_uuid(bind(uuid_text))
        return self._by_uuid(wanted)

    def email_taken(self, email: Any) -> bool:
        return email in self._unique["email"]

    def _by_uuid(self, wanted: Any) -> CustomerRow | None:
        customer_id = self._unique["uuid"].get(wanted)
        return None if customer_id is None else self.customers[customer_id]

    def _store_customer(self, row: CustomerRow, replacing: CustomerRow | None = None) -> None:
        if replacing is not None:
            self._drop_customer(replacing)
        self.customers[row["customer_id"]] = row
        for column, index in self._unique.items():
            index[row[column]] = row["customer_id"]  # type: ignore[literal-required]

    def _drop_customer(self, row: CustomerRow) -> None:
        del self.customers[row["customer_id"]]
        for column, index in self._unique.items():
            if index.get(row[column]) == row["customer_id"]:  # type: ignore[literal-required]
                del index[row[column]]  # type: ignore[literal-required]

    def insert_customer(self, given: Mapping[str, Any]) -> CustomerRow:
        """`insert('customer').given(data)`: every key naming a column is bound as text."""
        values = self._convert(given)
        customer_id = self._next_customer_id  # identity values are spent even on failure
        self._next_customer_id += 1
        now = self.now()
        row = CustomerRow(
            customer_id=customer_id,
            uuid=values["uuid"] if "uuid" in values else self.new_uuid(),
            status=values.get("status", 1),
            group_id=values.get("group_id", 1),
            email=values.get("email"),  # type: ignore[typeddict-item]  # NOT NULL is checked below
            password=values.get("password"),  # type: ignore[typeddict-item]
            full_name=values.get("full_name"),
            created_at=values.get("created_at", now),
            updated_at=values.get("updated_at", now),
            meta_data=values.get("meta_data", {}),
        )
        if row["group_id"] is None:  # trigger SET_DEFAULT_CUSTOMER_GROUP
            row["group_id"] = 1
        self._check(row, exclude=None)
        self._store_customer(row)
        return row

    def insert_customer_row(
        self,
        *,
        email: str,
        password: str,
        full_name: str | None,
        status: int = 1,
        group_id: int | None = 1,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
        uuid: str | None = None,
        meta_data: Any = None,
    ) -> CustomerRow:
        """A direct INSERT with typed values (seed data and test fixtures)."""
        stamp = created_at or self.now()
        row = CustomerRow(
            customer_id=self._next_customer_id,
            uuid=parse_uuid(uuid) if uuid is not None else self.new_uuid(),
            status=status,
            group_id=1 if group_id is None else group_id,
            email=email,
            password=password,
            full_name=full_name,
            created_at=stamp,
            updated_at=updated_at or stamp,
            meta_data={} if meta_data is None else meta_data,
        )
        self._next_customer_id += 1
        self._check(row, exclude=None)
        self._store_customer(row)
        return row

    def update_customer(self, uuid_text: str, given: Mapping[str, Any]) -> CustomerRow | None:
        """`update('customer').given(data).where('uuid', '=', id)`; None when no row matched."""
        values = self._convert(given)
        wanted = parse_uuid(uuid_text)
        current = self._by_uuid(wanted)
        if current is None:
            return None
        row = CustomerRow(**{**current, **values})  # type: ignore[typeddict-item]
        self._check(row, exclude=current["customer_id"])
        self._store_customer(row, replacing=current)  # moves to the end, as the heap's new tuple
        return row

    def delete_customer(self, customer_id: int) -> None:
        self._drop_customer(self.customers[customer_id])
        for address_id in self._addresses_by_customer.pop(customer_id, []):
            del self.addresses[address_id]  # FK_CUSTOMER_ADDRESS ... ON DELETE CASCADE

    def _convert(self, given: Mapping[str, Any]) -> dict[str, Any]:
        converted: dict[str, Any] = {}
        for column in CUSTOMER_COLUMNS:
            if column.name not in given:
                continue
            text = param_text(given[column.name])
            converted[column.name] = None if text is None else self._input(column, text)
        return converted

    def _input(self, column: _Column, text: str) -> Any:
        if column.type_name == "uuid":
            return parse_uuid(text)
        if column.type_name in ("smallint", "integer"):
            return parse_int(text, column.type_name)
        if column.type_name == "timestamptz":
            return parse_timestamptz(text, self.now())
        if column.type_name == "jsonb":
            return parse_jsonb(text)
        return text

    def _check(self, row: CustomerRow, exclude: int | None) -> None:
        for column in CUSTOMER_COLUMNS:
            if column.not_null and row[column.name] is None:  # type: ignore[literal-required]
                raise PgError(
                    "23502",
                    f'null value in column "{column.name}" of relation "customer" '
                    "violates not-null constraint",
                )
        for constraint, column_name in (
            ("EMAIL_UNIQUE", "email"),
            ("CUSTOMER_UUID_UNIQUE", "uuid"),
        ):
            holder = self._unique[column_name].get(row[column_name])  # type: ignore[literal-required]
            if holder is not None and holder != exclude:
                raise PgError(
                    "23505", f'duplicate key value violates unique constraint "{constraint}"'
                )
        if row["group_id"] is not None and row["group_id"] not in self.groups:
            raise PgError(
                "23503",
                'insert or update on table "customer" violates foreign key constraint '
                '"FK_CUSTOMER_GROUP"',
            )

    # -- customer_address --------------------------------------------------------------------
    def insert_address(self, customer_id: int, fields: Mapping[str, Any]) -> AddressRow:
        stamp = fields.get("created_at") or self.now()
        row = AddressRow(
            customer_address_id=self._next_address_id,
            uuid=fields.get("uuid") or self.new_uuid(),
            customer_id=customer_id,
            full_name=fields.get("full_name"),
            telephone=fields.get("telephone"),
            address_1=fields.get("address_1"),
            address_2=fields.get("address_2"),
            postcode=fields.get("postcode"),
            city=fields.get("city"),
            province=fields.get("province"),
            country=fields["country"],
            created_at=stamp,
            updated_at=fields.get("updated_at") or stamp,
            is_default=fields.get("is_default"),
        )
        self._next_address_id += 1
        self.addresses[row["customer_address_id"]] = row
        self._addresses_by_customer.setdefault(customer_id, []).append(row["customer_address_id"])
        return row

    def insert_order(self, customer_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        customer = self.customers[customer_id]
        self._orders_by_customer.setdefault(customer_id, []).append(self._next_order_id)
        row: dict[str, Any] = {
            "order_id": self._next_order_id,
            "uuid": fields.get("uuid") or self.new_uuid(),
            "order_number": fields["order_number"],
            "customer_id": customer_id,
            "customer_email": fields.get("customer_email", customer["email"]),
            "customer_full_name": fields.get("customer_full_name", customer["full_name"]),
            "currency": fields.get("currency", "USD"),
            # numeric(12,4): node-postgres hands it over as text
            "grand_total": f"{float(fields['grand_total']):.4f}",
            "payment_status": fields.get("payment_status", "pending"),
            "shipment_status": fields.get("shipment_status", "pending"),
            "created_at": fields.get("created_at") or self.now(),
        }
        self._next_order_id += 1
        self.orders[row["order_id"]] = row
        return row

    def orders_of(self, customer_id: Any) -> list[dict[str, Any]]:
        return [self.orders[key] for key in self._orders_by_customer.get(customer_id, ())]

    def addresses_of(self, customer_id: int) -> list[AddressRow]:
        return [self.addresses[key] for key in self._addresses_by_customer.get(customer_id, ())]

    # -- admin_user --------------------------------------------------------------------------
    def insert_admin(self, *, email: str, password: str, full_name: str) -> AdminRow:
        stamp = self.now()
        row = AdminRow(
            admin_user_id=len(self.admins) + 1,
            uuid=self.new_uuid(),
            status=True,
            email=email,
            password=password,
            full_name=full_name,
            created_at=stamp,
            updated_at=stamp,
        )
        self.admins[row["admin_user_id"]] = row
        return row


def iso_timestamp(value: datetime | None) -> str | None:
    """A timestamptz as node-postgres + JSON.stringify print it: UTC, milliseconds, `Z`."""
    if value is None:
        return None
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def epoch_ms(value: datetime) -> int:
    """JavaScript `Date.valueOf()`: node-postgres truncates microseconds to milliseconds."""
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def public_customer(row: CustomerRow) -> dict[str, Any]:
    """A customer row as the oracle helpers expose it (every column but the password hash)."""
    return {key: value for key, value in row.items() if key != "password"}
