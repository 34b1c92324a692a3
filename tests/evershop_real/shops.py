"""The two targets of the parity suite: a real EverShop 2.2.1 and our EverShop emulator.

Both are driven over HTTP with the same requests; each also offers the same back door for
test data, because EverShop's registration limit (8 per 15 minutes per client IP) makes the
REST API useless for bulk data:

- the real shop is seeded with SQL straight into its PostgreSQL tables (`customer`,
  `customer_address`, `customer_group`), through `psql` on the database the harness created;
- the emulator is seeded with its oracle helpers (`add_customer`, `add_group`), which write its
  emulated tables the same way.

What must be proven through REST (create, update, delete and their errors) goes through REST.
`reset()` leaves both in the same state: groups Default (1), Wholesale (2), VIP (3), no customers,
identities restarting at 1, the admin active.

Every test gets its own client address (`X-Forwarded-For`; EverShop trusts one proxy hop, and so
does the emulator), so each test has fresh rate-limit windows on both targets.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from customer_gateway.emulators.evershop import EverShopEmulator

ENV_VARS: Final = (
    "EVERSHOP_URL",
    "EVERSHOP_ADMIN_EMAIL",
    "EVERSHOP_ADMIN_PASSWORD",
    "EVERSHOP_JWT_ADMIN_SECRET",
    "EVERSHOP_JWT_ADMIN_REFRESH_SECRET",
    "EVERSHOP_JWT_CUSTOMER_SECRET",
    "EVERSHOP_DB_URL",
)
NO_SHOP: Final = (
    "needs a real EverShop 2.2.1: run `make test-evershop` (it sets EVERSHOP_URL and starts one)"
)
GROUPS: Final = ("Default", "Wholesale", "VIP")
# A bcrypt-shaped placeholder for seeded rows (nobody logs in as a seeded customer).
SEED_PASSWORD_HASH: Final = "$2a$10$" + "S" * 53


@dataclass(frozen=True)
class Config:
    url: str
    admin_email: str
    admin_password: str
    jwt_admin_secret: str
    jwt_admin_refresh_secret: str
    jwt_customer_secret: str
    db_url: str


def load_config() -> Config | None:
    """None when EVERSHOP_URL is unset (every test then fails); an error when half-set."""
    if not os.environ.get("EVERSHOP_URL"):
        return None
    missing = [name for name in ENV_VARS if not os.environ.get(name)]
    if missing:
        raise RuntimeError(f"EVERSHOP_URL is set but not {', '.join(missing)}")
    return Config(*(os.environ[name] for name in ENV_VARS))


CONFIG: Final = load_config()


def _client_addresses() -> Iterator[str]:
    """198.18.0.0/15 (benchmarking), from a random start so reruns get fresh windows."""
    start = random.randrange(2**17 - 20_000)
    for offset in itertools.count(start):
        yield f"198.{18 + offset // 65_536}.{offset // 256 % 256}.{offset % 256}"


_ADDRESSES: Final = _client_addresses()


def next_client_address() -> str:
    return next(_ADDRESSES)


@dataclass(frozen=True)
class Seeded:
    customer_id: int
    uuid: str
    email: str


@dataclass(frozen=True)
class Order:
    """An order of a seeded customer (only what a customer's order history reads)."""

    order_number: str
    grand_total: float
    payment_status: str = "pending"
    shipment_status: str = "pending"
    created_at: datetime | None = None


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str | None
    status: int = 1
    group_id: int = 1
    created_at: datetime | None = None
    addresses: Sequence[Mapping[str, Any]] = ()


class Shop:
    """One target. `http` talks to it as an outside client from `client_address`."""

    target: str
    http: httpx.AsyncClient

    def __init__(self, config: Config, client_address: str) -> None:
        self.config = config
        self.client_address = client_address
        self._tokens: dict[str, str] | None = None

    # -- seeding and inspection (the back door) ----------------------------------------------
    def reset(self) -> None:
        raise NotImplementedError

    def add_customers(self, people: Sequence[Person]) -> list[Seeded]:
        raise NotImplementedError

    def add_customer(self, person: Person) -> Seeded:
        return self.add_customers([person])[0]

    def add_groups(self, names: Sequence[str]) -> None:
        raise NotImplementedError

    def add_orders(self, customer: Seeded, orders: Sequence[Order]) -> list[str]:
        """Insert orders of `customer` straight into the `order` table; their uuids."""
        raise NotImplementedError

    def customer_rows(self) -> list[dict[str, Any]]:
        """Every `customer` column but the password hash, by customer_id."""
        raise NotImplementedError

    def address_rows(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def set_admin_active(self, active: bool) -> None:
        raise NotImplementedError

    def collation(self) -> str:
        raise NotImplementedError

    # -- HTTP helpers ------------------------------------------------------------------------
    @property
    def login_body(self) -> dict[str, str]:
        return {"email": self.config.admin_email, "password": self.config.admin_password}

    async def tokens(self) -> dict[str, str]:
        if self._tokens is None:
            response = await self.http.post("/api/user/tokens", json=self.login_body)
            assert response.status_code == 200, response.text
            self._tokens = response.json()["data"]
        return self._tokens

    async def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {(await self.tokens())['accessToken']}"}

    async def gql(
        self, query: Any, variables: Any = None, *, with_variables: bool = True
    ) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if with_variables:
            body["variables"] = variables
        return await self.http.post(
            "/api/admin/graphql", json=body, headers=await self.admin_headers()
        )

    async def aclose(self) -> None:
        await self.http.aclose()


def _headers(client_address: str) -> dict[str, str]:
    return {"X-Forwarded-For": client_address}


class RealShop(Shop):
    target = "evershop"

    def __init__(self, config: Config, client_address: str) -> None:
        super().__init__(config, client_address)
        self.http = httpx.AsyncClient(
            base_url=config.url, headers=_headers(client_address), timeout=30.0
        )

    def sql(self, script: str, **variables: str) -> str:
        return psql(self.config.db_url, script, **variables)

    def reset(self) -> None:
        self.sql(
            """
            TRUNCATE customer RESTART IDENTITY CASCADE;
            TRUNCATE "order" RESTART IDENTITY CASCADE;
            DELETE FROM customer_group WHERE customer_group_id <> 1;
            ALTER TABLE customer_group ALTER COLUMN customer_group_id RESTART WITH 2;
            INSERT INTO customer_group (group_name) VALUES ('Wholesale'), ('VIP');
            UPDATE admin_user SET status = true WHERE NOT status;
            """
        )

    def add_customers(self, people: Sequence[Person]) -> list[Seeded]:
        rows = [
            {
                "ord": index,
                "email": person.email,
                "full_name": person.full_name,
                "status": person.status,
                "group_id": person.group_id,
                "created_at": _iso(person.created_at),
            }
            for index, person in enumerate(people)
        ]
        output = self.sql(
            """
            WITH input AS (
              SELECT * FROM json_to_recordset(:'rows'::json) AS r(
                ord int, email text, full_name text, status smallint, group_id int,
                created_at timestamptz)
            ), inserted AS (
              INSERT INTO customer (email, password, full_name, status, group_id, created_at,
                                    updated_at)
              SELECT email, :'password', full_name, status, group_id,
                     coalesce(created_at, now()), coalesce(created_at, now())
              FROM input ORDER BY ord
              RETURNING customer_id, uuid, email
            )
            SELECT coalesce(json_agg(inserted ORDER BY customer_id), '[]') FROM inserted;
            """,
            rows=json.dumps(rows),
            password=SEED_PASSWORD_HASH,
        )
        seeded = [
            Seeded(row["customer_id"], row["uuid"], row["email"]) for row in json.loads(output)
        ]
        addresses = [
            {"customer_id": customer.customer_id, **address}
            for customer, person in zip(seeded, people, strict=True)
            for address in person.addresses
        ]
        for index, address in enumerate(addresses):
            address["ord"] = index
        if addresses:
            self.sql(
                """
                INSERT INTO customer_address (customer_id, full_name, telephone, address_1,
                  address_2, postcode, city, province, country, is_default)
                SELECT customer_id, full_name, telephone, address_1, address_2, postcode, city,
                       province, country, is_default
                FROM json_to_recordset(:'rows'::json) AS r(
                  customer_id int, full_name text, telephone text, address_1 text,
                  address_2 text, postcode text, city text, province text, country text,
                  is_default boolean, ord int)
                ORDER BY ord;
                """,
                rows=json.dumps(addresses),
            )
        return seeded

    def add_groups(self, names: Sequence[str]) -> None:
        self.sql(
            "INSERT INTO customer_group (group_name)"
            " SELECT name FROM json_array_elements_text(:'names'::json) WITH ORDINALITY AS g(name, n)"
            " ORDER BY n;",
            names=json.dumps(list(names)),
        )

    def add_orders(self, customer: Seeded, orders: Sequence[Order]) -> list[str]:
        rows = [
            {
                "ord": index,
                "order_number": order.order_number,
                "grand_total": order.grand_total,
                "payment_status": order.payment_status,
                "shipment_status": order.shipment_status,
                "created_at": _iso(order.created_at),
            }
            for index, order in enumerate(orders)
        ]
        # The NOT NULL columns of checkout's `order` table get neutral values; a cart is not
        # needed (cart_id has no foreign key).
        output = self.sql(
            """
            WITH input AS (
              SELECT * FROM json_to_recordset(:'rows'::json) AS r(
                ord int, order_number text, grand_total numeric, payment_status text,
                shipment_status text, created_at timestamptz)
            ), inserted AS (
              INSERT INTO "order" (order_number, status, cart_id, currency, customer_id,
                customer_email, customer_full_name, sub_total, sub_total_incl_tax,
                sub_total_with_discount, sub_total_with_discount_incl_tax, total_qty, tax_amount,
                tax_amount_before_discount, shipping_tax_amount, grand_total, payment_status,
                shipment_status, created_at, updated_at)
              SELECT i.order_number, 'new', 0, 'USD', c.customer_id, c.email, c.full_name,
                i.grand_total, i.grand_total, i.grand_total, i.grand_total, 1, 0, 0, 0,
                i.grand_total, i.payment_status, i.shipment_status,
                coalesce(i.created_at, now()), coalesce(i.created_at, now())
              FROM input i CROSS JOIN customer c WHERE c.customer_id = :'customer'::int
              ORDER BY i.ord
              RETURNING order_id, uuid
            )
            SELECT coalesce(json_agg(uuid ORDER BY order_id), '[]') FROM inserted;
            """,
            rows=json.dumps(rows),
            customer=str(customer.customer_id),
        )
        return [str(uuid) for uuid in json.loads(output)]

    def customer_rows(self) -> list[dict[str, Any]]:
        output = self.sql(
            "SELECT coalesce(json_agg(c ORDER BY customer_id), '[]') FROM (SELECT customer_id,"
            " uuid, status, group_id, email, full_name, created_at, updated_at, meta_data"
            " FROM customer) c;"
        )
        return [_with_datetimes(row) for row in json.loads(output)]

    def address_rows(self) -> list[dict[str, Any]]:
        output = self.sql(
            "SELECT coalesce(json_agg(a ORDER BY customer_address_id), '[]')"
            " FROM customer_address a;"
        )
        return [_with_datetimes(row) for row in json.loads(output)]

    def set_admin_active(self, active: bool) -> None:
        self.sql("UPDATE admin_user SET status = :'active'::boolean;", active=str(active).lower())

    def collation(self) -> str:
        return database_collation(self.config.db_url)


class EmulatedShop(Shop):
    target = "emulator"

    def __init__(self, config: Config, client_address: str, *, collation: str) -> None:
        super().__init__(config, client_address)
        self.emulator = self._new(collation)
        self._collation = collation
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.emulator.app),
            base_url="http://evershop.test",
            headers=_headers(client_address),
        )

    def _new(self, collation: str) -> EverShopEmulator:
        return EverShopEmulator(
            customers=0,
            admin_email=self.config.admin_email,
            admin_password=self.config.admin_password,
            jwt_admin_secret=self.config.jwt_admin_secret,
            jwt_admin_refresh_secret=self.config.jwt_admin_refresh_secret,
            jwt_customer_secret=self.config.jwt_customer_secret,
            collation="en_US" if collation.lower().startswith("en_us") else "C",
            server_timezone="UTC",
        )

    def reset(self) -> None:
        """A new emulator is already in the reset state."""

    def add_customers(self, people: Sequence[Person]) -> list[Seeded]:
        seeded = []
        for person in people:
            row = self.emulator.add_customer(
                email=person.email,
                full_name=person.full_name,
                status=person.status,
                group_id=person.group_id,
                created_at=person.created_at,
                addresses=person.addresses,
            )
            seeded.append(Seeded(row["customer_id"], row["uuid"], row["email"]))
        return seeded

    def add_groups(self, names: Sequence[str]) -> None:
        for name in names:
            self.emulator.add_group(name)

    def add_orders(self, customer: Seeded, orders: Sequence[Order]) -> list[str]:
        return [
            self.emulator.add_order(
                customer.customer_id,
                order_number=order.order_number,
                grand_total=order.grand_total,
                payment_status=order.payment_status,
                shipment_status=order.shipment_status,
                created_at=order.created_at,
            )["uuid"]
            for order in orders
        ]

    def customer_rows(self) -> list[dict[str, Any]]:
        return self.emulator.customer_rows()

    def address_rows(self) -> list[dict[str, Any]]:
        return self.emulator.address_rows()

    def set_admin_active(self, active: bool) -> None:
        self.emulator.set_admin_active(active)

    def collation(self) -> str:
        return self._collation


def psql(db_url: str, script: str, **variables: str) -> str:
    """Run SQL through psql (values as psql variables, used as :'name'); stdout, trimmed."""
    command = ["psql", db_url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    result = subprocess.run(
        command,
        input=script,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PGTZ": "UTC"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def database_collation(db_url: str) -> str:
    return psql(db_url, "SELECT datcollate FROM pg_database WHERE datname = current_database();")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def _with_datetimes(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("created_at", "updated_at"):
        if isinstance(row.get(key), str):
            row[key] = datetime.fromisoformat(row[key])
    return row
