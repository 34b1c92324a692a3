"""Ecwid through the whole gateway (Starlette app over ASGI): an EverShop shop, an Ecwid store on
REST API v3 (`ecwid`) and one behind the JSON wrapper (`ecwid-crm`), side by side.

Oracles are the emulators' own data (`customer_rows()`, `customer_objects()`), sorted here with
the gateway's documented semantics; upstream cost is counted at the emulators.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from customer_gateway.connectors.ecwid import connector as ecwid_connectors
from customer_gateway.connectors.helpers import synthetic_int_id
from customer_gateway.emulators.ecwid import EcwidEmulator, EcwidWrapperEmulator
from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.resolvers.filters.evaluation import ilike
from customer_gateway.server.app import create_app
from customer_gateway.server.settings import Secret, Settings, SourceSettings
from customer_gateway.text.collation import en_us_key
from tests.api.conftest import evershop_source

pytestmark = pytest.mark.anyio

NAMES = ("evershop-main", "ecwid", "ecwid-crm")
LIST = (
    """query($f: [FilterInput]) { customers(filters: $f) { total currentPage items { uuid } } }"""
)
INT32 = 2**31 - 1


@dataclass
class Shops:
    client: httpx.AsyncClient
    evershop: EverShopEmulator
    ecwid: EcwidEmulator
    crm: EcwidWrapperEmulator

    async def query(self, query: str, variables: Mapping[str, Any] | None = None) -> Any:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        response = await self.client.post("/graphql", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def reset_journals(self) -> None:
        for emulator in (self.evershop, self.ecwid, self.crm):
            emulator.reset_journal()


def ecwid_sources(ecwid: EcwidEmulator, crm: EcwidWrapperEmulator) -> tuple[SourceSettings, ...]:
    def secrets(values: Mapping[str, str]) -> dict[str, Secret]:
        return {key: Secret(value) for key, value in values.items()}

    return (
        SourceSettings(
            name="ecwid",
            kind="ecwid",
            base_url="https://app.ecwid.com",
            credentials=secrets(ecwid.connector_credentials()),
        ),
        SourceSettings(
            name="ecwid-crm",
            kind="ecwid_wrapper",
            base_url="https://crm.example.com",
            credentials=secrets(crm.connector_credentials()),
        ),
    )


# EverShop's seeds share a few exact timestamps on purpose, and Postgres orders such ties
# differently under different LIMITs; these rows have none, so one order is right.
EVERSHOP_NAMES = (
    "Åsa Berg", "Émile Zola", "Zoë Adams", "anna Lowe", "Bjørn Dæhlie", "O'Brien Kate",
    "Anne-Marie Duval", "James Smith", "Ola Nordmann", "Lena Holm", "Chris Brown", "Marco Rossi",
    "Sophie Müller", "Ida Lie", "Tyler Moore", "Hannah Taylor", "Jürgen Koch", "Grace Hall",
    "Paul Koch", "Luca Greco",
)  # fmt: skip


def evershop_shop() -> EverShopEmulator:
    emulator = EverShopEmulator(seed=1, customers=0, rate_limits=False)
    picks = random.Random(7)
    for index, name in enumerate(EVERSHOP_NAMES):
        moment = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(seconds=picks.randrange(330_000_000))
        emulator.add_customer(
            email=f"{name.split()[0].lower()}.{index}@example.org",
            full_name=name,
            status=0 if index % 6 == 5 else 1,
            created_at=moment,
        )
    return emulator


@asynccontextmanager
async def ecwid_gateway(
    evershop: EverShopEmulator | None = None,
    ecwid: EcwidEmulator | None = None,
    crm: EcwidWrapperEmulator | None = None,
    wrap: Callable[[str, httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] | None = None,
) -> AsyncIterator[Shops]:
    evershop = evershop or evershop_shop()
    ecwid = ecwid or EcwidEmulator(seed=5, customers=45)
    crm = crm or EcwidWrapperEmulator(seed=6, customers=35)
    sources = (evershop_source("evershop-main", evershop), *ecwid_sources(ecwid, crm))
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "evershop-main": httpx.ASGITransport(app=evershop.app),
        "ecwid": httpx.ASGITransport(app=ecwid.app),
        "ecwid-crm": httpx.ASGITransport(app=crm.app),
    }
    if wrap is not None:
        transports = {name: wrap(name, transport) for name, transport in transports.items()}
    app = create_app(Settings(sources=sources), transports=transports)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Shops(client, evershop, ecwid, crm)


# -- the oracle: every source's own rows, sorted as one database would ----------------------


@dataclass(frozen=True)
class Row:
    uuid: str
    position: int  # the source's place in the configuration (ties between sources)
    tie: tuple[int, Any]  # equal keys: the gateway orders them by native id
    created: float
    name: str | None
    email: str
    status: int
    group: str


def rows(shops: Shops) -> list[Row]:
    found = [
        Row(
            f"evershop-main:{r['uuid']}",
            0,
            natural(r["uuid"]),
            r["created_at"].timestamp(),
            r["full_name"],
            r["email"],
            r["status"],
            str(r["group_id"]),
        )
        for r in shops.evershop.customer_rows()
    ]
    for position, (name, store) in enumerate(
        (("ecwid", shops.ecwid), ("ecwid-crm", shops.crm.ecwid)), 1
    ):
        found.extend(
            Row(
                f"{name}:{o['id']}",
                position,
                natural(str(o["id"])),
                registered(o),
                o.get("name"),
                o["email"],
                1,  # Ecwid has no status
                str(o["customerGroupId"]),
            )
            for o in store.customer_objects()
        )
    return found


def natural(native_id: str) -> tuple[int, Any]:
    return (0, int(native_id)) if native_id.isdigit() else (1, native_id)


def registered(obj: Mapping[str, Any]) -> float:
    return datetime.strptime(obj["registered"], "%Y-%m-%d %H:%M:%S %z").timestamp()


class _Reversed:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and bool(self.value == other.value)

    __hash__ = None  # type: ignore[assignment]


def _text(value: str | None) -> tuple[int, Any]:
    return (1, ()) if value is None else (0, en_us_key(value))  # nulls last ascending


KEYS: dict[str, Callable[[Row], Any]] = {
    "created_at": lambda row: row.created,
    "name": lambda row: _text(row.name),
    "email": lambda row: _text(row.email),
    "status": lambda row: row.status,
}


def oracle(
    shops: Shops, field: str, descending: bool, keep: Callable[[Row], bool] = lambda row: True
) -> list[str]:
    key = KEYS[field]
    chosen = [row for row in rows(shops) if keep(row)]
    # Equal keys (a database orders them as it likes): by native id, as the gateway settles them.
    chosen.sort(key=lambda row: row.tie)
    chosen.sort(key=lambda row: (_Reversed(key(row)) if descending else key(row), row.position))
    return [row.uuid for row in chosen]


async def walk(shops: Shops, filters: list[dict[str, str]], limit: int, total: int) -> list[str]:
    seen: list[str] = []
    for page in range(1, math.ceil(total / limit) + 2):  # one page past the end too
        variables = {
            "f": [
                *filters,
                {"key": "page", "operation": "eq", "value": str(page)},
                {"key": "limit", "operation": "eq", "value": str(limit)},
            ]
        }
        payload = await shops.query(LIST, variables)
        assert "errors" not in payload, payload["errors"]
        collection = payload["data"]["customers"]
        assert (collection["total"], collection["currentPage"]) == (total, page)
        seen.extend(item["uuid"] for item in collection["items"])
    return seen


def eq(key: str, value: str, operation: str = "eq") -> dict[str, str]:
    return {"key": key, "operation": operation, "value": value}


# -- reads ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "field", "descending", "limit"),
    [
        ([], "created_at", True, 11),  # pushed to Ecwid (REGISTERED_DATE_DESC)
        ([eq("od", "asc")], "created_at", False, 30),
        ([eq("ob", "name")], "name", False, 16),  # sorted by the gateway for Ecwid
        ([eq("ob", "email"), eq("od", "desc")], "email", True, 23),
    ],
)
async def test_customers_over_three_sources_page_like_one_database(
    sort: list[dict[str, str]], field: str, descending: bool, limit: int
) -> None:
    async with ecwid_gateway() as shops:
        expected = oracle(shops, field, descending)
        assert len(expected) == 100
        assert sum(1 for uuid in expected if uuid.startswith("ecwid:")) == 45
        assert await walk(shops, sort, limit, 100) == expected


async def test_status_order_is_pushed_to_both_ecwid_dialects() -> None:
    # Every Ecwid customer is 1: one tie group, which the gateway orders by id within each
    # page of 100 Ecwid answers (one page each here). (EverShop is left out only to keep the
    # walk short.)
    filters = [eq("source", "evershop-main", "nin"), eq("ob", "status"), eq("od", "DESC")]
    async with ecwid_gateway() as shops:
        expected = oracle(shops, "status", True, lambda row: row.position > 0)
        assert await walk(shops, filters, 25, 80) == expected
        shops.reset_journals()
        payload = await shops.query(LIST, {"f": [*filters, eq("limit", "10")]})
    report = {s["name"]: s for s in payload["extensions"]["sources"]}
    assert "sort status desc" in report["ecwid"]["pushedDown"]
    assert "sort status desc" in report["ecwid-crm"]["pushedDown"]
    limits = [dict(httpx.QueryParams(e.query))["limit"] for e in shops.ecwid.journal]
    assert limits[0] == "11"  # the window and one more, to see whether a tie crosses its end


class _Rendezvous(httpx.AsyncBaseTransport):
    """Holds each request until `expected` are in flight together. Requests sent one after
    another never meet: after a while they go on, and `waited_in_vain` says so."""

    def __init__(self, inner: httpx.AsyncBaseTransport, expected: int) -> None:
        self.inner = inner
        self.expect(expected)

    def expect(self, expected: int) -> None:
        """Start again, holding the next requests until `expected` are in flight."""
        self.expected = expected
        self.arrived = 0
        self.all_in = asyncio.Event()
        self.waited_in_vain = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.arrived += 1
        if self.arrived >= self.expected:
            self.all_in.set()
        try:
            await asyncio.wait_for(self.all_in.wait(), timeout=1)
        except TimeoutError:
            self.waited_in_vain = True
        return await self.inner.handle_async_request(request)


CONNECTION_FIRST = """query($f: [FilterInput], $n: Int) {
  customersConnection(filters: $f, first: $n) { edges { node { uuid } } } }"""


async def test_a_full_ecwid_page_is_one_request_and_a_cursor_window_looks_past_it_at_once() -> None:
    # 100 is Ecwid's largest page. A page of 100 settles ties within it: one request, nothing
    # after it (tests/api/test_ecwid_tie_chunks.py). A cursor's window settles each tie group
    # whole, so it reads the 101st record (is a tie crossing the window's end?) too: the two
    # requests go out together, not one after the other.
    ecwid = EcwidEmulator(seed=5, customers=150)
    crm = EcwidWrapperEmulator(seed=6, customers=1)
    rendezvous: dict[str, _Rendezvous] = {}

    def wrap(name: str, transport: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        if name != "ecwid":
            return transport
        rendezvous[name] = _Rendezvous(transport, expected=1)
        return rendezvous[name]

    def sent() -> list[tuple[int, int]]:
        return sorted(
            (int(q["offset"]), int(q["limit"]))
            for q in (dict(httpx.QueryParams(e.query)) for e in shops.ecwid.journal)
        )

    async with ecwid_gateway(ecwid=ecwid, crm=crm, wrap=wrap) as shops:
        expected = oracle(shops, "created_at", True, lambda row: row.uuid.startswith("ecwid:"))
        only_ecwid = [eq("source", "ecwid")]
        payload = await shops.query(LIST, {"f": [*only_ecwid, eq("limit", "100"), eq("page", "1")]})
        assert [item["uuid"] for item in payload["data"]["customers"]["items"]] == expected[:100]
        assert sent() == [(0, 100)]
        shops.reset_journals()
        rendezvous["ecwid"].expect(2)
        cursor = await shops.query(CONNECTION_FIRST, {"f": only_ecwid, "n": 50})
        edges = cursor["data"]["customersConnection"]["edges"]
        assert [edge["node"]["uuid"] for edge in edges] == expected[:50]
        assert sent() == [(0, 100), (100, 1)]
    assert not rendezvous["ecwid"].waited_in_vain


async def test_filters_against_the_oracle_and_what_each_source_did() -> None:
    async with ecwid_gateway() as shops:
        vip = shops.ecwid.group_objects()[1]
        keyword = oracle(
            shops,
            "name",
            False,
            lambda r: bool(ilike(r.name, "%an%")) or bool(ilike(r.email, "%an%")),
        )
        filters = [eq("keyword", "an"), eq("ob", "name")]
        assert await walk(shops, filters, 8, len(keyword)) == keyword
        shops.reset_journals()
        payload = await shops.query(
            """query($f: [FilterInput]) { customers(filters: $f) { total } }""",
            {"f": [eq("keyword", "an"), eq("limit", "5")]},
        )
        report = {s["name"]: s for s in payload["extensions"]["sources"]}
        assert report["ecwid"]["pushedDown"] == ["keyword eq", "sort created_at desc"]
        assert report["ecwid"]["appliedByGateway"] == ["keyword eq"]  # a superset, re-checked
        (sent,) = shops.ecwid.journal
        assert dict(httpx.QueryParams(sent.query))["keyword"] == "an"

        in_vip = oracle(
            shops,
            "created_at",
            True,
            lambda r: r.uuid.startswith("ecwid:") and r.group == str(vip["id"]),
        )
        assert 0 < len(in_vip) < 45
        shops.reset_journals()
        assert await walk(shops, [eq("group", f"ecwid:{vip['id']}")], 4, len(in_vip)) == in_vip
        # Only the store that has the group is asked, and it filters exactly (one page each).
        assert shops.evershop.journal == []
        assert shops.crm.journal == []
        assert all(
            dict(httpx.QueryParams(e.query))["customerGroup"] == str(vip["id"])
            for e in shops.ecwid.journal
        )
        general = oracle(shops, "created_at", True, lambda r: r.group == "0")
        assert {u.split(":")[0] for u in general} == {"ecwid", "ecwid-crm"}
        assert await walk(shops, [eq("group", "0")], 50, len(general)) == general


async def test_customer_by_id_with_ids_above_2_31_and_guests() -> None:
    query = """query($id: String) { customer(id: $id) {
      customerId uuid nativeId email fullName status phone vatNumber
      createdAt { value } updatedAt { value }
      group { customerGroupId groupName uuid } source { name kind } urn metaData
      addresses { kind fullName address1 address2 city postcode isDefault
                  country { code } province { code name } } } }"""
    async with ecwid_gateway() as shops:
        big = next(o for o in reversed(shops.ecwid.customer_objects()) if o["id"] > INT32)
        guest = next(o for o in shops.crm.ecwid.customer_objects() if "contacts" not in o)
        found = (await shops.query(query, {"id": f"ecwid:{big['id']}"}))["data"]["customer"]
        wrapped = (await shops.query(query, {"id": f"ecwid-crm:{guest['id']}"}))["data"]["customer"]
        missing = await shops.query(query, {"id": "ecwid:123"})
        not_a_number = await shops.query(query, {"id": "ecwid-crm:abc"})
    assert found["customerId"] == synthetic_int_id(str(big["id"]))
    assert found["customerId"] <= INT32
    assert (found["uuid"], found["nativeId"]) == (f"ecwid:{big['id']}", str(big["id"]))
    assert (found["email"], found["fullName"], found["status"]) == (big["email"], big["name"], 1)
    registered = datetime.strptime(big["registered"], "%Y-%m-%d %H:%M:%S %z")
    assert found["createdAt"]["value"] == str(int(registered.timestamp() * 1000))
    assert found["group"] == {
        "customerGroupId": big["customerGroupId"],
        "groupName": big["customerGroupName"],
        "uuid": f"ecwid:{big['customerGroupId']}",
    }
    assert found["source"] == {"name": "ecwid", "kind": "ecwid"}
    assert found["urn"] == f"urn:customer-gateway:ecwid:customer:ecwid:{big['id']}"
    assert len(found["addresses"]) == len(big["shippingAddresses"]) + (
        "street" in big.get("billingPerson", {})
    )
    assert found["metaData"]["stats"] == big["stats"]
    assert wrapped["email"] == guest["email"]
    assert wrapped["fullName"] == guest.get("name")
    assert wrapped["customerId"] == guest["id"]
    assert (wrapped["addresses"], wrapped["phone"], wrapped["vatNumber"]) == ([], None, None)
    assert wrapped["group"]["groupName"] == "General"
    assert wrapped["source"]["kind"] == "ecwid_wrapper"
    assert missing["data"]["customer"] is None
    assert "errors" not in missing
    assert not_a_number["data"]["customer"] is None
    assert "errors" not in not_a_number


# -- writes --------------------------------------------------------------------------------

CREATE = """mutation($s: String!, $in: CustomerCreateInput!) { createCustomer(source: $s, input: $in) {
  uuid nativeId customerId email fullName phone vatNumber status createdAt { value }
  group { groupName } } }"""
UPDATE = """mutation($id: String!, $in: CustomerUpdateInput!) { updateCustomer(id: $id, input: $in) {
  uuid email fullName phone group { groupName uuid } } }"""
DELETE = """mutation($id: String!) { deleteCustomer(id: $id) { uuid nativeId source { name } } }"""


def error(payload: dict[str, Any]) -> dict[str, Any]:
    (only,) = payload["errors"]
    extensions: dict[str, Any] = only["extensions"]
    return extensions


@pytest.mark.parametrize("source", ["ecwid", "ecwid-crm"])
async def test_customer_mutations(source: str) -> None:
    async with ecwid_gateway() as shops:
        store = shops.ecwid if source == "ecwid" else shops.crm.ecwid
        vip = store.group_objects()[1]
        created = await shops.query(
            CREATE,
            {
                "s": source,
                "in": {
                    "email": "ada@example.com",
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "phone": "+44 20 7946 0000",
                    "vatNumber": "GB1",
                    "groupId": f"{source}:{vip['id']}",
                    "password": "analytical-engine",
                },
            },
        )
        customer = created["data"]["createCustomer"]
        duplicate = await shops.query(
            CREATE, {"s": source, "in": {"email": "ADA@example.com", "fullName": "Twin"}}
        )
        disabled = await shops.query(
            CREATE, {"s": source, "in": {"email": "off@example.com", "fullName": "O", "status": 0}}
        )
        updated = await shops.query(
            UPDATE, {"id": customer["uuid"], "in": {"fullName": "Ada King", "groupId": "0"}}
        )
        deleted = await shops.query(DELETE, {"id": customer["uuid"]})
        gone = await shops.query(
            "query($id: String) { customer(id: $id) { uuid } }", {"id": customer["uuid"]}
        )
        again = await shops.query(DELETE, {"id": customer["uuid"]})
    assert "errors" not in created, created
    new = customer["nativeId"]
    assert customer["uuid"] == f"{source}:{new}"
    assert (customer["email"], customer["fullName"], customer["phone"]) == (
        "ada@example.com",
        "Ada Lovelace",
        "+44 20 7946 0000",
    )
    assert (customer["vatNumber"], customer["status"], customer["group"]) == (
        "GB1",
        1,
        {"groupName": vip["name"]},
    )
    assert customer["createdAt"]["value"] is not None  # read back after the create
    assert error(duplicate)["code"] == "CONFLICT"
    assert error(duplicate)["field"] == "email"
    assert "ADA@example.com" not in duplicate["errors"][0]["message"]
    assert (error(disabled)["code"], error(disabled)["field"]) == (
        "UNSUPPORTED_OPERATION",
        "status",
    )
    assert updated["data"]["updateCustomer"] == {
        "uuid": customer["uuid"],
        "email": "ada@example.com",
        "fullName": "Ada King",
        "phone": "+44 20 7946 0000",
        "group": {"groupName": "General", "uuid": f"{source}:0"},
    }
    assert deleted["data"]["deleteCustomer"] == {
        "uuid": customer["uuid"],
        "nativeId": new,
        "source": {"name": source},
    }
    assert gone["data"]["customer"] is None
    assert error(again)["code"] == "NOT_FOUND"
    assert new not in {str(o["id"]) for o in store.customer_objects()}


GROUPS = """query($f: [FilterInput]) { customerGroups(filters: $f) {
  total items { uuid customerGroupId groupName source { name } } } }"""
CREATE_GROUP = """mutation($s: String!, $n: String!) {
  createCustomerGroup(source: $s, input: {groupName: $n}) { uuid customerGroupId groupName } }"""
RENAME_GROUP = """mutation($id: String!, $n: String!) {
  updateCustomerGroup(id: $id, input: {groupName: $n}) { uuid groupName } }"""
DELETE_GROUP = """mutation($id: String!) { deleteCustomerGroup(id: $id) { uuid } }"""


async def test_customer_groups_and_group_mutations() -> None:
    async with ecwid_gateway() as shops:
        listed = await shops.query(GROUPS, {"f": [eq("source", "ecwid"), eq("ob", "name")]})
        everywhere = await shops.query(GROUPS)
        created = await shops.query(CREATE_GROUP, {"s": "ecwid", "n": "Gold"})
        uuid = created["data"]["createCustomerGroup"]["uuid"]
        renamed = await shops.query(RENAME_GROUP, {"id": uuid, "n": "Platinum"})
        deleted = await shops.query(DELETE_GROUP, {"id": uuid})
        shops.reset_journals()
        general = [
            await shops.query(RENAME_GROUP, {"id": "ecwid:0", "n": "Everyone"}),
            await shops.query(DELETE_GROUP, {"id": "ecwid:0"}),
        ]
        assert shops.ecwid.journal == []  # refused without a request
        wrapper = await shops.query(CREATE_GROUP, {"s": "ecwid-crm", "n": "Gold"})
    names = sorted(["General", *(g["name"] for g in shops.ecwid.group_objects()[1:])])
    assert [g["groupName"] for g in listed["data"]["customerGroups"]["items"]] == names
    assert listed["data"]["customerGroups"]["items"][names.index("General")]["uuid"] == "ecwid:0"
    # The wrapper has no group routes: its groups are those its customers are in, no error.
    assert "errors" not in everywhere
    assert {g["source"]["name"] for g in everywhere["data"]["customerGroups"]["items"]} == {
        "evershop-main",
        "ecwid",
        "ecwid-crm",
    }
    group = created["data"]["createCustomerGroup"]
    assert group["groupName"] == "Gold"
    assert uuid == f"ecwid:{group['customerGroupId']}"
    assert renamed["data"]["updateCustomerGroup"] == {"uuid": uuid, "groupName": "Platinum"}
    assert deleted["data"]["deleteCustomerGroup"] == {"uuid": uuid}
    assert group["customerGroupId"] not in {g["id"] for g in shops.ecwid.group_objects()}
    for refused in general:
        assert error(refused)["code"] == "CONFLICT"
        assert "General" in refused["errors"][0]["message"]
    assert error(wrapper)["code"] == "UNSUPPORTED_OPERATION"


def _groups_seen(crm: EcwidWrapperEmulator) -> list[tuple[str, int, str]]:
    """The oracle: General, and every group a customer of the wrapper's store is in."""
    seen = {0: "General"}
    for customer in crm.ecwid.customer_objects():
        seen[customer.get("customerGroupId", 0)] = customer.get("customerGroupName", "General")
    return [(f"ecwid-crm:{number}", number, name) for number, name in sorted(seen.items())]


async def test_unfiltered_customer_groups_carry_no_error_for_the_wrapper() -> None:
    crm = EcwidWrapperEmulator(seed=6, customers=250)
    async with ecwid_gateway(crm=crm) as shops:
        lone = crm.ecwid.group_objects()[-1]  # a group nobody is in: not listed
        for customer in crm.ecwid.customer_objects():
            if customer.get("customerGroupId") == lone["id"]:
                await shops.query(
                    UPDATE, {"id": f"ecwid-crm:{customer['id']}", "in": {"groupId": "0"}}
                )
        shops.reset_journals()
        everywhere = await shops.query(GROUPS, {"f": [eq("limit", "100")]})
        crm_requests = [(e.method, e.path, e.query) for e in crm.journal]
        one = await shops.query(
            """query($id: String) { customerGroup(id: $id) { uuid groupName } }""",
            {"id": f"ecwid-crm:{_groups_seen(crm)[1][1]}"},
        )
    assert "errors" not in everywhere, everywhere["errors"]
    items = everywhere["data"]["customerGroups"]["items"]
    crm_groups = [
        (g["uuid"], g["customerGroupId"], g["groupName"])
        for g in items
        if g["source"]["name"] == "ecwid-crm"
    ]
    expected = _groups_seen(crm)
    assert crm_groups == expected
    assert lone["id"] not in {number for _, number, _ in expected}
    assert len(expected) > 2
    # 250 customers, 100 per request, projected to the group fields.
    assert len(crm_requests) == 3
    assert all(
        "responseFields=total%2Citems%28customerGroupId%2CcustomerGroupName%29" in q
        for _, _, q in crm_requests
    )
    report = {r["name"]: r for r in everywhere["extensions"]["sources"]}
    assert report["ecwid-crm"]["status"] == "ok"
    assert report["ecwid-crm"]["notes"] == [
        "ecwid_wrapper sources have no group list: these are the groups its customers are in "
        "(a group without customers is not listed)"
    ]
    assert "notes" not in report["ecwid"]
    assert one["data"]["customerGroup"] == {
        "uuid": expected[1][0],
        "groupName": expected[1][2],
    }


async def test_groups_of_a_wrapper_store_too_big_to_read_are_skipped_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ecwid_connectors, "GROUPS_FROM_CUSTOMERS_MAX", 100)
    crm = EcwidWrapperEmulator(seed=6, customers=120)
    async with ecwid_gateway(crm=crm) as shops:
        everywhere = await shops.query(GROUPS, {"f": [eq("limit", "100")]})
        sent = len(crm.journal)
    assert "errors" not in everywhere, everywhere["errors"]
    assert {g["source"]["name"] for g in everywhere["data"]["customerGroups"]["items"]} == {
        "evershop-main",
        "ecwid",
    }
    report = {r["name"]: r for r in everywhere["extensions"]["sources"]}
    assert report["ecwid-crm"]["status"] == "skipped"
    assert "code" not in report["ecwid-crm"]
    assert report["ecwid-crm"]["notes"] == [
        "skipped: ecwid-crm has 120 customers; its groups are known only from its customers, "
        "and the gateway reads at most 100 for them"
    ]
    assert sent == 1  # refused after the first page told the total


async def test_a_plan_without_groups() -> None:
    async with ecwid_gateway(
        ecwid=EcwidEmulator(seed=5, customers=10, groups_enabled=False)
    ) as shops:
        created = await shops.query(CREATE_GROUP, {"s": "ecwid", "n": "Gold"})
        listed = await shops.query(GROUPS, {"f": [eq("source", "ecwid")]})
        customers = await shops.query(
            """{ customers(filters: [{key: "source", operation: eq, value: "ecwid"}]) {
                 total items { group { groupName } } } }"""
        )
    assert error(created)["code"] == "UNSUPPORTED_OPERATION"
    assert "plan lacks customer groups" in created["errors"][0]["message"]
    assert listed["data"]["customerGroups"] is None
    assert error(listed)["code"] == "UNSUPPORTED_OPERATION"
    assert "errors" not in customers
    assert {i["group"]["groupName"] for i in customers["data"]["customers"]["items"]} == {"General"}


CHANGES = """query($since: String!, $source: String) {
  customerChanges(since: $since, source: $source) {
    total items { uuid changeType changedAt source { name kind } customer { email } } } }"""


async def test_customer_changes_with_ecwid() -> None:
    since = datetime.now(UTC).replace(microsecond=0)
    async with ecwid_gateway() as shops:
        objects = shops.ecwid.customer_objects()
        edited, removed = f"ecwid:{objects[0]['id']}", f"ecwid:{objects[1]['id']}"
        await shops.query(UPDATE, {"id": edited, "in": {"fullName": "Edited Once"}})
        await shops.query(UPDATE, {"id": removed, "in": {"fullName": "Soon Gone"}})
        await shops.query(DELETE, {"id": removed})
        one = await shops.query(CHANGES, {"since": since.isoformat(), "source": "ecwid"})
        every = await shops.query(CHANGES, {"since": since.isoformat()})
        wrapper = await shops.query(CHANGES, {"since": since.isoformat(), "source": "ecwid-crm"})
    assert "errors" not in one, one
    items = one["data"]["customerChanges"]["items"]
    assert {(i["uuid"], i["changeType"]) for i in items} == {(edited, "EDIT"), (removed, "DELETE")}
    assert [i["changedAt"] for i in items] == sorted(i["changedAt"] for i in items)
    by_uuid = {i["uuid"]: i for i in items}
    assert by_uuid[edited]["customer"] == {"email": objects[0]["email"]}
    assert by_uuid[removed]["customer"] is None
    assert {i["source"]["kind"] for i in items} == {"ecwid"}
    assert one["data"]["customerChanges"]["total"] == 2
    assert every["data"]["customerChanges"]["items"] == items
    assert sorted(
        (e["extensions"]["source"], e["extensions"]["code"]) for e in every["errors"]
    ) == [
        ("ecwid-crm", "UNSUPPORTED_OPERATION"),
        ("evershop-main", "UNSUPPORTED_OPERATION"),
    ]
    assert error(wrapper)["code"] == "UNSUPPORTED_OPERATION"


async def test_sources_report_what_ecwid_does() -> None:
    async with ecwid_gateway() as shops:
        payload = await shops.query(
            "{ sources { name kind capabilities { filters sorts maxPageSize customerWrites "
            "groupWrites } } }"
        )
    by_name = {s["name"]: s for s in payload["data"]["sources"]}
    ecwid, crm = by_name["ecwid"], by_name["ecwid-crm"]
    assert ecwid["kind"] == "ecwid"
    assert crm["kind"] == "ecwid_wrapper"
    assert ecwid["capabilities"]["filters"] == [
        *(f"{field} {op}" for field in ("created_at",) for op in ("gt", "gteq", "lt", "lteq")),
        "email eq",
        "email like",
        "full_name eq",
        "full_name like",
        "group eq",
        "group in",
        "keyword eq",
        *(f"updated_at {op}" for op in ("gt", "gteq", "lt", "lteq")),
    ]
    assert ecwid["capabilities"]["sorts"] == ["created_at", "status"]
    assert ecwid["capabilities"]["maxPageSize"] == 100
    assert ecwid["capabilities"]["groupWrites"] == ["create", "delete", "update"]
    assert crm["capabilities"]["groupWrites"] == []
    assert crm["capabilities"]["customerWrites"] == ["create", "delete", "update"]


ROW_FIELDS = "uuid email fullName phone"
FULL_ROW = ROW_FIELDS + " metaData addresses { kind fullName address1 city postcode telephone }"


@pytest.mark.parametrize("source", ["ecwid", "ecwid-crm"])
async def test_a_page_builds_addresses_and_metadata_only_when_selected(source: str) -> None:
    """A page that selects neither gets the same rows without them; a page that selects them
    gets exactly what the customer's own read (`customer(id)`) shows."""
    page = "query($f: [FilterInput]) { customers(filters: $f) { items { %s } } }"
    filters = {"f": [{"key": "source", "operation": "eq", "value": source}]}
    async with ecwid_gateway() as shops:
        light = await shops.query(page % ROW_FIELDS, filters)
        full = await shops.query(page % FULL_ROW, filters)
        assert "errors" not in light
        assert "errors" not in full
        rows = full["data"]["customers"]["items"]
        assert [{k: row[k] for k in ROW_FIELDS.split()} for row in rows] == light["data"][
            "customers"
        ]["items"]
        assert any(row["addresses"] for row in rows)
        assert any(row["metaData"] for row in rows)
        for row in rows[:5]:
            one = await shops.query(
                f"query($id: String!) {{ customer(id: $id) {{ {FULL_ROW} }} }}", {"id": row["uuid"]}
            )
            assert one["data"]["customer"] == row
