"""People over HTTP: four emulated shops hold the same people under variant spellings (seeded
into the shops, so the mirror's first load brings them, and created through the gateway, so its
writes do); `people` groups them as the test's own oracle does, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from typing import Any

import pytest

from customer_gateway.connectors.models import CustomerRecord
from customer_gateway.server.settings import IdentitySettings
from tests.identity.harness import COUNTRIES, identity_gateway, seed_directly, shops
from tests.identity.oracle import Key, ascii_domain, groupings, seed_people, spellings
from tests.mirror.harness import Running

pytestmark = pytest.mark.anyio

PEOPLE = """
query People($filters: [FilterInput]) {
  people(filters: $filters) {
    total currentPage
    items {
      personId email fullName phone
      fieldSources { field source customerId rule changedAt { value } }
      customers { uuid email phone source { name } }
    }
  }
}
"""
CUSTOMERS = """
query All($page: ID!) {
  customers(filters: [{key: "limit", operation: eq, value: "100"},
                      {key: "page", operation: eq, value: $page}]) {
    total items { uuid email phone fullName updatedAt { value } createdAt { value } }
  }
}
"""
CREATE = """
mutation Create($source: String!, $input: CustomerCreateInput!) {
  createCustomer(source: $source, input: $input) { uuid }
}
"""


async def every_customer(gateway: Running) -> list[CustomerRecord]:
    records: list[CustomerRecord] = []
    page = 1
    while True:
        answer = await gateway.query(CUSTOMERS, {"page": str(page)})
        assert "errors" not in answer, answer
        items = answer["data"]["customers"]["items"]
        for item in items:
            source, _, native = item["uuid"].partition(":")
            records.append(
                CustomerRecord(
                    source=source,
                    id=native,
                    numeric_id=0,
                    email=item["email"],
                    full_name=item["fullName"],
                    status=1,
                    created_at=None,
                    phone=item["phone"],
                )
            )
        if len(records) >= answer["data"]["customers"]["total"]:
            return records
        page += 1


async def every_person(gateway: Running, *filters: dict[str, str]) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = await gateway.query(
            PEOPLE,
            {
                "filters": [
                    *filters,
                    {"key": "limit", "operation": "eq", "value": "7"},
                    {"key": "page", "operation": "eq", "value": str(page)},
                ]
            },
        )
        assert "errors" not in answer, answer
        found = answer["data"]["people"]
        people.extend(found["items"])
        if len(people) >= found["total"] or not found["items"]:
            assert len(people) == found["total"]
            return people
        page += 1


def partition(people: list[dict[str, Any]]) -> set[frozenset[Key]]:
    return {
        frozenset(tuple(c["uuid"].split(":", 1)) for c in person["customers"]) for person in people
    }


async def create_people(gateway: Running, seed: int) -> None:
    """The same people again, created through the gateway in Shoptet and Flow Retail."""
    rng = random.Random(seed)
    for index, person in enumerate(seed_people(41, 12)):
        for source in ("shoptet-b", "flow-c"):
            if (index + len(source)) % 3 == 0:
                continue
            email, phone = spellings(person, rng)
            # The gateway's create takes ASCII addresses: the domain as IDNA (any case).
            local, _, domain = email.strip().rpartition("@")
            email = f"{local}@{domain if domain.isascii() else ascii_domain(domain)}"
            given = {"email": email, "fullName": f"{person.first} {person.last}"}
            if source == "shoptet-b":
                given["phone"] = phone
            answer = await gateway.query(CREATE, {"source": source, "input": given})
            assert "errors" not in answer, answer


async def test_people_are_the_oracles_groupings(identity_target: dict[str, Any]) -> None:
    emulators = shops()
    seed_directly(emulators, seed_people(41, 12), seed=42)
    identity = IdentitySettings(match_phone=True, masters={"full_name": "shoptet-b"})
    async with identity_gateway(emulators, identity_target, identity) as gateway:
        await create_people(gateway, seed=43)
        records = await every_customer(gateway)
        expected = groupings(records, phones=True, countries=COUNTRIES)
        people = await every_person(gateway)
        assert partition(people) == expected
        joined = [p for p in people if len({c["source"]["name"] for c in p["customers"]}) >= 3]
        assert joined, "the seeds put people in three shops or more"

        # The merged profile names its sources; Shoptet is the master of names.
        for person in people:
            sources = {item["field"]: item for item in person["fieldSources"]}
            names = {c["source"]["name"] for c in person["customers"]}
            if "shoptet-b" in names:
                assert sources["fullName"]["source"] == "shoptet-b"
                assert sources["fullName"]["rule"] == "master"
            if person["email"] is not None:
                origin = sources["email"]
                assert origin["rule"] == "newest"
                assert origin["customerId"] in {c["uuid"] for c in person["customers"]}
                by_id = {c["uuid"]: c for c in person["customers"]}
                assert by_id[origin["customerId"]]["email"] == person["email"]

        # Customer.person and person(personId) agree with the list.
        person = joined[0]
        uuid = person["customers"][0]["uuid"]
        answer = await gateway.query(
            "query($id: String) { customer(id: $id) { person { personId customers { uuid } } } }",
            {"id": uuid},
        )
        assert answer["data"]["customer"]["person"]["personId"] == person["personId"]
        answer = await gateway.query(
            "query($p: String!) { person(personId: $p) { personId email } }",
            {"p": person["personId"]},
        )
        assert answer["data"]["person"] == {
            "personId": person["personId"],
            "email": person["email"],
        }

        # The customer filters select people: a source, an e-mail.
        ecwid_people = await every_person(
            gateway, {"key": "source", "operation": "eq", "value": "ecwid-d"}
        )
        assert partition(ecwid_people) == {
            group for group in expected if any(source == "ecwid-d" for source, _ in group)
        }
        target = next(c for c in person["customers"] if c["email"])
        by_email = await every_person(
            gateway, {"key": "email", "operation": "eq", "value": target["email"]}
        )
        assert [p["personId"] for p in by_email] == [person["personId"]]

        # An operator's link and unlink override the rule.
        alone = sorted(g for g in expected if len(g) == 1)
        a, b = next(iter(alone[0])), next(iter(alone[1]))
        answer = await gateway.query(
            "mutation($ids: [String!]!) { linkCustomers(ids: $ids) { customers { uuid } } }",
            {"ids": [f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}"]},
        )
        assert "errors" not in answer, answer
        linked = {c["uuid"] for c in answer["data"]["linkCustomers"]["customers"]}
        assert linked == {f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}"}
        leaving = tuple(uuid.split(":", 1))
        answer = await gateway.query(
            "mutation($ids: [String!]!) { unlinkCustomers(ids: $ids) { customers { uuid } } }",
            {"ids": [uuid]},
        )
        assert answer["data"]["unlinkCustomers"] == [{"customers": [{"uuid": uuid}]}]
        after = await every_person(gateway)
        assert partition(after) == groupings(
            records, phones=True, countries=COUNTRIES, links=[[a, b]], detached=[leaving]
        )


async def test_bad_input_is_a_typed_error(identity_target: dict[str, Any]) -> None:
    async with identity_gateway(shops(), identity_target, IdentitySettings()) as gateway:
        cases = [
            ('mutation { linkCustomers(ids: ["nope"]) { personId } }', "BAD_USER_INPUT"),
            (
                'mutation { linkCustomers(ids: ["ecwid-d:1", "elsewhere:2"]) { personId } }',
                "NOT_FOUND",
            ),
            (
                'mutation { linkCustomers(ids: ["ecwid-d:999999", "flow-c:x"]) { personId } }',
                "NOT_FOUND",
            ),
            ('{ personDataExport(email: "a@b.c", personId: "x") }', "BAD_USER_INPUT"),
            (
                '{ people(filters: [{key: "store", operation: eq, value: "store-1"}]) { total } }',
                "UNSUPPORTED_OPERATION",
            ),
            (
                '{ people(filters: [{key: "limit", operation: eq, value: "x"}]) { total } }',
                "BAD_USER_INPUT",
            ),
        ]
        for query, code in cases:
            answer = await gateway.query(query)
            assert answer["errors"][0]["extensions"]["code"] == code, (query, answer)
        answer = await gateway.query('{ person(personId: "%s") { personId } }' % ("x" * 500))
        assert answer == {"data": {"person": None}} or answer["data"]["person"] is None


async def test_customer_person_over_a_page_is_batched(identity_target: dict[str, Any]) -> None:
    """A page of 20 customers asking for their person reads the index a fixed number of times
    (a count, not a speed), not once per customer."""
    from sqlalchemy import event

    async with identity_gateway(shops(), identity_target, IdentitySettings()) as gateway:
        engine = gateway.app.state.gateway.identity.engine
        statements: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            answer = await gateway.query(
                '{ customers(filters: [{key: "limit", operation: eq, value: "20"}]) '
                "{ items { uuid person { personId customers { uuid } } } } }"
            )
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        items = answer["data"]["customers"]["items"]
        assert len(items) == 20
        assert all(item["person"]["personId"] for item in items)
        assert all({"uuid": item["uuid"]} in item["person"]["customers"] for item in items)
        index_reads = [s for s in statements if "identity_members" in s]
        assert len(index_reads) <= 4, len(index_reads)


async def test_people_off(identity_target: dict[str, Any]) -> None:
    """`[identity] enabled = false`: no index; people are refused by code, Customer.person is
    null, and turning it on again rebuilds the index from the mirror."""
    emulators = shops()
    async with identity_gateway(emulators, identity_target, IdentitySettings(enabled=False)) as gw:
        answer = await gw.query("{ people { total } customers { items { person { personId } } } }")
        assert answer["errors"][0]["extensions"]["code"] == "UNSUPPORTED_OPERATION"
        assert all(item["person"] is None for item in answer["data"]["customers"]["items"])
        records = await every_customer(gw)
    async with identity_gateway(emulators, identity_target, IdentitySettings()) as gateway:
        assert partition(await every_person(gateway)) == groupings(records)
